#!/usr/bin/env python3
"""Run a model package's golden vectors through TensorRT on this machine, in FP32 and FP16, and report the largest
deviation per output against the package's tolerances, plus latency.

Why: the daemon turns on `inference.tensorrt.fp16` by default on a Jetson. FP16 changes the logits a little; this
tells a field engineer (or CI on any NVIDIA host) whether the package's own tolerance still holds and how far the
decision score moves, before a cart screens with it. It uses whatever this machine has: onnxruntime with the TensorRT
and CUDA execution providers (the path the daemon takes), else nothing but a report of what is missing.

usage: trt-golden-check.py PACKAGE_DIR [--out REPORT.json] [--runs N]
"""
import argparse
import base64
import json
import os
import struct
import sys
import tempfile
import time


def load_cases(package_dir):
    with open(os.path.join(package_dir, "golden.json"), encoding="utf-8") as f:
        golden = json.load(f)
    cases = []
    for case in golden["cases"]:
        raw = base64.b64decode(case["input"]["data"])
        values = struct.unpack("<%df" % (len(raw) // 4), raw)
        cases.append((case["id"], case["input"]["shape"], values, case["expected"]))
    return golden, cases


def softmax_positive(logits):
    import math
    m = max(logits)
    exps = [math.exp(v - m) for v in logits]
    return exps[-1] / sum(exps)


def run_provider(ort, np, model_path, cases, providers, runs):
    options = ort.SessionOptions()
    session = ort.InferenceSession(model_path, sess_options=options, providers=providers)
    used = session.get_providers()
    input_name = session.get_inputs()[0].name
    out_names = [o.name for o in session.get_outputs()]
    worst = {"logits_abs": 0.0, "probability_abs": 0.0, "attention_abs": 0.0}
    for _case_id, shape, values, expected in cases:
        tensor = np.asarray(values, dtype=np.float32).reshape(shape)
        outputs = dict(zip(out_names, session.run(out_names, {input_name: tensor})))
        logits = outputs["logits"].reshape(-1).tolist()
        worst["logits_abs"] = max(worst["logits_abs"], max(abs(a - b) for a, b in zip(logits, expected["logits"])))
        worst["probability_abs"] = max(worst["probability_abs"], abs(softmax_positive(logits) - expected["probability"]))
        att = outputs["attention"].reshape(-1).tolist()
        worst["attention_abs"] = max(worst["attention_abs"], max(abs(a - b) for a, b in zip(att, expected["attention"]["data"])))
    tensor = np.asarray(cases[0][2], dtype=np.float32).reshape(cases[0][1])
    for _ in range(20):
        session.run(out_names, {input_name: tensor})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        session.run(out_names, {input_name: tensor})
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return {"providers_used": used, "worst": worst, "latency_ms": {"p50": pick(0.5), "p99": pick(0.99)}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("package")
    parser.add_argument("--out")
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    golden, cases = load_cases(args.package)
    tolerance = golden["tolerance"]
    report = {"package": args.package, "cases": len(cases), "tolerance": tolerance, "results": {}, "missing": []}
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError as error:
        report["missing"].append("onnxruntime/numpy: %s" % error)
        print(json.dumps(report, indent=2))
        return 2
    report["onnxruntime"] = ort.__version__
    report["available_providers"] = ort.get_available_providers()
    model_path = os.path.join(args.package, "model.onnx")
    cache = tempfile.mkdtemp(prefix="trt-cache-")
    variants = {"cpu": ["CPUExecutionProvider"]}
    if "CUDAExecutionProvider" in report["available_providers"]:
        variants["cuda"] = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    else:
        report["missing"].append("CUDAExecutionProvider")
    if "TensorrtExecutionProvider" in report["available_providers"]:
        for precision in ("fp32", "fp16"):
            variants["tensorrt-" + precision] = [
                ("TensorrtExecutionProvider", {
                    "trt_fp16_enable": precision == "fp16",
                    "trt_engine_cache_enable": True,
                    "trt_engine_cache_path": os.path.join(cache, precision),
                }),
                "CPUExecutionProvider",
            ]
    else:
        report["missing"].append("TensorrtExecutionProvider")
    exit_code = 0
    for name, providers in variants.items():
        try:
            result = run_provider(ort, np, model_path, cases, providers, args.runs)
        except Exception as error:  # a provider that cannot start is a finding, not a crash
            report["results"][name] = {"error": repr(error)[:500]}
            exit_code = 1
            continue
        within = {k: result["worst"][k] <= tolerance[k] for k in tolerance}
        result["within_tolerance"] = within
        report["results"][name] = result
        if name != "tensorrt-fp16" and not all(within.values()):
            exit_code = 1
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
