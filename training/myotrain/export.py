"""Export: ONNX (opset 17, static [1,1,S,S], input `image`, outputs `logits` and `attention`), export.json (what the
manifest needs), golden.json (real test images with the PyTorch outputs), and the parity check against ONNX Runtime
(onnxruntime-node, the runtime the daemon uses) through training/scripts/onnx_parity.mjs."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from PIL import Image

from . import config as C
from .data import ImageSet, read_image
from .models.lsnet import LSNet
from .preprocess import preprocess, spec
from .train import Log, write_json

LABELS = ["no_invasion", "invasion"]
PARITY_SCRIPT = C.TRAINING_DIR / "scripts" / "onnx_parity.mjs"
METHOD = "gradient distillation (Grad-CAM -> token importance) + logit KD + class-balanced CE"


class _Exportable(torch.nn.Module):
    def __init__(self, model: LSNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        logits, attention = self.model(image)
        return logits, attention


def export_onnx(model: LSNet, size: int, path: Path, opset: int = 17) -> dict:
    model = model.to("cpu").eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    x = torch.zeros(1, 1, size, size)
    with torch.no_grad():
        logits, attention = model(x)
    tmp = path.with_name(path.name + ".tmp")
    with warnings.catch_warnings():  # shapes are static by design: the tracer's constant-shape warnings are expected
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(_Exportable(model), (x,), str(tmp), input_names=["image"],
                          output_names=["logits", "attention"],
                          opset_version=opset, do_constant_folding=True, dynamic_axes=None)
    m = onnx.load(str(tmp))
    onnx.checker.check_model(m)
    inferred = onnx.shape_inference.infer_shapes(m)

    def dims(vi) -> list[int]:
        return [d.dim_value for d in vi.type.tensor_type.shape.dim]

    ins = {i.name: dims(i) for i in inferred.graph.input}
    outs = {o.name: dims(o) for o in inferred.graph.output}
    expect_out = {"logits": list(logits.shape), "attention": list(attention.shape)}
    if ins != {"image": [1, 1, size, size]} or outs != expect_out:
        raise RuntimeError(f"export: unexpected ONNX signature inputs {ins} outputs {outs} (want {expect_out})")
    tmp.replace(path)
    return {"inputs": ins, "outputs": outs, "opset": opset}


def _png_b64(gray: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(gray, "L").save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode()


def _f32_b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def golden_cases(model: LSNet, test: ImageSet, cfg: dict) -> list[dict]:
    """`golden_count` test images (half positive), each as the stored gray8 image (PNG, base64), the preprocessed
    input tensor (float32 little-endian, base64) and the PyTorch outputs."""
    size = int(cfg["input"]["size"])
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    n = int(cfg["export"]["golden_count"])
    rng = np.random.default_rng(int(cfg["run"]["seed"]))
    pos = np.where(test.y == 1)[0]
    neg = np.where(test.y == 0)[0]
    idx = list(rng.choice(pos, min(len(pos), n // 2), replace=False))
    idx += list(rng.choice(neg, min(len(neg), n - len(idx)), replace=False))
    cases = []
    model.eval()
    for i in sorted(int(j) for j in idx):
        r = test.records[i]
        gray = read_image(r.image)
        x = preprocess(gray, size, mean, std)
        with torch.no_grad():
            logits, att = model(torch.from_numpy(x))
        lg = logits[0].numpy().astype(np.float64)
        p = float(torch.softmax(logits, 1)[0, 1])
        cases.append({
            "id": r.id, "label": r.label,
            "image": {"width": int(gray.shape[1]), "height": int(gray.shape[0]), "format": "png-gray8",
                      "data": _png_b64(gray)},
            "input": {"shape": [1, 1, size, size], "dtype": "float32-le", "data": _f32_b64(x)},
            "expected": {"logits": [float(v) for v in lg], "probability": p,
                         "attention": {"shape": list(att.shape), "data": [float(v) for v in att.numpy().ravel()]}},
        })
    return cases


def parity(onnx_path: Path, golden_path: Path, log: Log) -> dict:
    """Runs the goldens through onnxruntime-node; raises when any output is outside the tolerance."""
    proc = subprocess.run(["node", str(PARITY_SCRIPT), str(onnx_path), str(golden_path), "--json"], cwd=C.REPO_DIR,
                          capture_output=True, text=True)
    if proc.stderr.strip():
        log(proc.stderr.strip())
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        res = {"raw": proc.stdout}
    if proc.returncode != 0:
        raise RuntimeError(f"parity: ONNX Runtime disagrees with PyTorch or failed (exit {proc.returncode}): {res}")
    return res


def onnx_latency(onnx_path: Path, runs: int, threads: int) -> dict:
    proc = subprocess.run(["node", str(PARITY_SCRIPT), str(onnx_path), "--bench", str(runs), "--threads",
                           str(threads), "--json"], cwd=C.REPO_DIR, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def git_commit() -> dict:
    out: dict = {}
    try:
        out["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=C.REPO_DIR, capture_output=True, text=True,
                                       check=True).stdout.strip()
        dirty = subprocess.run(["git", "diff-index", "--quiet", "HEAD", "--"], cwd=C.REPO_DIR, capture_output=True)
        out["dirty"] = dirty.returncode != 0
    except (OSError, subprocess.CalledProcessError):
        out["commit"] = None
    return out


def export_all(cfg: dict, model: LSNet, test: ImageSet, eval_results: dict, data_desc: dict, out: Path,
               log: Log) -> dict:
    size = int(cfg["input"]["size"])
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    ship = f"student-{cfg['ablation']['ship']}"
    if ship not in eval_results["models"]:
        raise RuntimeError(f"export: no evaluation of {ship}: run the evaluate step first")
    res = eval_results["models"][ship]
    teacher = eval_results["models"].get("teacher")
    out.mkdir(parents=True, exist_ok=True)
    sig = export_onnx(model, size, out / "model.onnx", int(cfg["export"]["opset"]))
    log(f"export: {out / 'model.onnx'} {sig}")
    tol = {"logits_abs": float(cfg["export"]["logit_tolerance"]),
           "probability_abs": float(cfg["export"].get("probability_tolerance", 1e-4)),
           "attention_abs": float(cfg["export"].get("attention_tolerance", 1e-4))}
    golden = {"schema": 1, "model": {"id": cfg["run"]["model_id"], "version": cfg["run"]["version"]},
              "input": spec(size, mean, std), "tolerance": tol, "cases": golden_cases(model, test, cfg)}
    write_json(out / "golden.json", golden)
    t = res["test"]
    op = res["operating_point"]
    test_info = data_desc["splits"]["test"]
    export_json = {
        "schema": 1,
        "id": cfg["run"]["model_id"],
        "version": cfg["run"]["version"],
        "files": {"model": "model.onnx", "golden": "golden.json"},
        "input": spec(size, mean, std),
        "outputs": [{"name": "logits", "shape": sig["outputs"]["logits"]},
                    {"name": "attention", "shape": sig["outputs"]["attention"],
                     "meaning": "spatial softmax of the first sparse block's token-importance logits (sums to 1)"}],
        "labels": LABELS,
        "operating_point": {"threshold": op["threshold"], "on": "softmax probability of class 1 (invasion)",
                            "sensitivity": op["sensitivity"], "specificity": op["specificity"],
                            "chosen_for": op["chosen_for"], "data": "validation"},
        "test_metrics": {
            "auc": t["auc"], "auc_ci95": t["auc_ci95"], "sensitivity": t["sensitivity"],
            "sensitivity_ci95": t["sensitivity_ci95"], "specificity": t["specificity"],
            "specificity_ci95": t["specificity_ci95"], "n": t["n"], "n_pos": t["n_pos"],
            "ci_method": f"percentile bootstrap, {cfg['eval']['bootstrap']} stratified resamples",
            "dataset": {"description": _data_sentence(data_desc), "source": data_desc["source"],
                        "seed": test_info.get("seed"), "seeds": {s: v.get("seed") for s, v in data_desc["splits"].items()}},
        },
        "compute": {"macs": res["macs"], "params": res["params"], "input_size": size},
        "provenance": {
            "data": data_desc,
            "teacher": {"arch": teacher["arch"], "params": teacher["params"], "macs": teacher["macs"],
                        "training": _teacher_training(cfg),
                        "test_auc": teacher["test"]["auc"], "test_sensitivity": teacher["test"]["sensitivity"],
                        "test_specificity": teacher["test"]["specificity"]} if teacher else None,
            "student": {"arch": res["arch"], "variant": cfg["ablation"]["ship"]},
            "method": METHOD if cfg["ablation"]["ship"] == "gd" else
            {"kd": "logit KD + class-balanced CE", "base": "class-balanced CE"}[cfg["ablation"]["ship"]],
            "git": git_commit(),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "config_hash": C.config_hash(cfg),
            "config": Path(cfg["_path"]).name,
        },
    }
    write_json(out / "export.json", export_json)
    par = parity(out / "model.onnx", out / "golden.json", log)
    log(f"export: parity OK against onnxruntime-node: {par}")
    runs = int(cfg["eval"]["latency_runs"])
    lat = [onnx_latency(out / "model.onnx", runs, th) for th in (1, 2)]
    for entry in lat:
        log(f"export: onnxruntime-node CPU latency, {entry['threads']} thread(s): p50 {entry['p50_ms']:.2f} ms, "
            f"p99 {entry['p99_ms']:.2f} ms")
    write_json(out / "export-checks.json", {"parity": par, "latency_onnxruntime_node_cpu": lat})
    return {"parity": par, "latency": lat, "export": export_json}


def _teacher_training(cfg: dict) -> str:
    tc = cfg["teacher"]
    parts = [f"from scratch, {tc['epochs']} epochs, {tc.get('optimizer', 'adamw')}, class-balanced CE"]
    if float(tc.get("aux_depth_weight", 0)) > 0:
        parts.append("auxiliary depth-ratio regression")
    if float(tc.get("aux_seg_weight", 0)) > 0:
        parts.append("auxiliary anatomy-mask segmentation")
    return " + ".join(parts)


def _data_sentence(desc: dict) -> str:
    t = desc["splits"]["test"]
    if desc["source"] == "folder":
        return f"held-out patients of {desc['root']} ({t['n']} images, {t['n_pos']} positive, {t['patients']} patients)"
    what = "procedural phantom (myoscreen phantom export)" if desc["source"] == "phantom" else \
        "Python synthetic stand-in (myotrain.synthetic)"
    return f"{what}, test seed {t.get('seed')}: {t['n']} images, {t['n_pos']} positive"


def copy_to(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("model.onnx", "export.json", "golden.json"):
        shutil.copy2(src / name, dst / name)
