"""`python3 -m myotrain STEP --config FILE [--set key=value ...] [--device cpu|cuda|auto]`

Steps (each resumes or skips what is already done for the same config): data, teacher, saliency, student
(--variant base|kd|gd, default all of [ablation].variants), evaluate, export, report, pack, all (data .. report).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from . import config as C
from .train import Log, write_json

STEPS = ["data", "teacher", "saliency", "student", "evaluate", "export", "report", "pack", "all"]


def _ctx(args) -> tuple[dict, Log]:
    overrides = list(args.set or [])
    if args.device:
        overrides.append(f'run.device="{args.device}"')
    cfg = C.load(args.config, overrides)
    rd = C.run_dir(cfg)
    rd.mkdir(parents=True, exist_ok=True)
    write_json(rd / "config.json", {k: v for k, v in cfg.items()})
    return cfg, Log(rd / "pipeline.log")


def _record_time(cfg: dict, step: str, seconds: float) -> None:
    path = C.run_dir(cfg) / "timings.json"
    t = json.loads(path.read_text()) if path.exists() else {}
    if step in t and seconds < 0.2 * t[step]:
        return  # the step found its work done (a re-run of make): keep the time of the run that did it
    t[step] = round(seconds, 1)
    write_json(path, t)


def _splits_and_sets(cfg, log, which=("train", "val", "test")):
    from . import data as D
    splits = D.prepare(cfg, log)
    sets = D.load_all(cfg, splits, which, log)
    return splits, sets


def step_data(cfg, log) -> None:
    from . import data as D
    splits, sets = _splits_and_sets(cfg, log)
    desc = D.describe(cfg, splits)
    write_json(C.run_dir(cfg) / "data.json", desc)
    for s, v in desc["splits"].items():
        log(f"data: {s}: {v['n']} images, {v['n_pos']} positive, {v['patients']} patients")
    x = sets["train"].x
    raw = x * float(cfg["input"]["std"]) + float(cfg["input"]["mean"])
    log(f"data: train pixel mean {raw.mean():.4f} std {raw.std():.4f} (config input.mean {cfg['input']['mean']}, "
        f"input.std {cfg['input']['std']})")


def step_teacher(cfg, log) -> None:
    from .train import setup, train_teacher
    device = setup(cfg)
    _, sets = _splits_and_sets(cfg, log, ("train", "val"))
    train_teacher(cfg, sets, device, log)


def _cache_path(cfg) -> Path:
    return C.run_dir(cfg) / "saliency" / "teacher-cache.npz"


def step_saliency(cfg, log) -> None:
    import torch
    from .saliency import compute_cache
    from .train import load_teacher, setup, teacher_hash
    device = setup(cfg)
    path = _cache_path(cfg)
    key = teacher_hash(cfg) + C.section_hash(cfg, "saliency")
    if path.exists():
        with np.load(path) as z:
            if str(z["key"]) == key:
                log("saliency: cache is up to date")
                return
    summary = C.run_dir(cfg) / "teacher" / "summary.json"
    if not summary.exists() or json.loads(summary.read_text()).get("hash") != teacher_hash(cfg):
        raise RuntimeError("saliency: no teacher trained with this configuration (run the teacher step first)")
    _, sets = _splits_and_sets(cfg, log, ("train",))
    teacher = load_teacher(cfg)
    t0 = time.time()
    cache = compute_cache(teacher, sets["train"].x, sets["train"].y, cfg, device, log=log)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("tmp-" + path.name)
    np.savez_compressed(tmp, key=np.array(key), **cache)
    tmp.replace(path)
    agree = (cache["logits"][0].argmax(1) == sets["train"].y).mean()
    log(f"saliency: cached teacher logits and maps {cache['maps'].shape} in {time.time() - t0:.0f}s "
        f"(teacher train accuracy {agree:.4f}); {torch.get_num_threads()} threads")


def _load_cache(cfg):
    from .train import teacher_hash
    path = _cache_path(cfg)
    if not path.exists():
        return None
    with np.load(path) as z:
        if str(z["key"]) != teacher_hash(cfg) + C.section_hash(cfg, "saliency"):
            raise RuntimeError("student: the teacher cache belongs to another teacher or saliency config "
                               "(run the saliency step)")
        return {"logits": z["logits"], "maps": z["maps"]}


def step_student(cfg, log, variants=None) -> None:
    from .train import setup, train_student
    device = setup(cfg)
    variants = variants or list(cfg["ablation"]["variants"])
    _, sets = _splits_and_sets(cfg, log, ("train", "val"))
    cache = _load_cache(cfg) if any(v != "base" for v in variants) else None
    for v in variants:
        t0 = time.time()
        train_student(cfg, v, sets, cache, device, log)
        _record_time(cfg, f"student-{v}", time.time() - t0)


def step_evaluate(cfg, log) -> None:
    from .evaluate import evaluate
    from .train import load_student, load_teacher, setup
    device = setup(cfg)
    _, sets = _splits_and_sets(cfg, log, ("val", "test"))
    rd = C.run_dir(cfg)
    teacher = load_teacher(cfg) if (rd / "teacher" / "model.pt").exists() else None
    students = {v: load_student(cfg, v) for v in cfg["ablation"]["variants"]
                if (rd / f"student-{v}" / "model.pt").exists()}
    if not students:
        raise RuntimeError("evaluate: no trained student (run the student step)")
    evaluate(cfg, sets, teacher, students, device, rd / "eval", report_dir(cfg), log)


def report_dir(cfg) -> Path:
    return C.resolve(cfg, "reports_dir") / str(cfg["run"]["version"])


def step_export(cfg, log) -> None:
    from . import data as D
    from .export import export_all
    from .train import load_student, setup
    setup(cfg)
    rd = C.run_dir(cfg)
    ev_path = rd / "eval" / "eval.json"
    if not ev_path.exists():
        raise RuntimeError("export: run the evaluate step first (the export states the test metrics)")
    splits, sets = _splits_and_sets(cfg, log, ("test",))
    model = load_student(cfg, cfg["ablation"]["ship"])
    export_all(cfg, model, sets["test"], json.loads(ev_path.read_text()), D.describe(cfg, splits), rd / "export", log)


def step_report(cfg, log) -> None:
    from . import data as D
    from .report import build
    splits = D.prepare(cfg, log)
    rep = build(cfg, D.describe(cfg, splits), report_dir(cfg))
    log(f"report: {report_dir(cfg) / 'report.md'}")
    if rep.get("paper_targets"):
        missed = [k for k, v in rep["paper_targets"].items() if not v["met"]]
        log("report: paper figures " + ("all reached" if not missed else f"NOT reached: {', '.join(missed)}"))


def step_pack(cfg, log) -> None:
    """Calls the TypeScript side's `myoscreen model pack` on the export, then `myoscreen model verify`."""
    ex = cfg["export"]
    rd = C.run_dir(cfg)
    bin_js = C.REPO_DIR / "dist" / "src" / "cli" / "bin.js"
    subst = {"export_dir": str(rd / "export"), "models_dir": str(C.REPO_DIR / "models"),
             "id": cfg["run"]["model_id"], "version": str(cfg["run"]["version"]),
             "package_dir": str(C.REPO_DIR / "models" / cfg["run"]["model_id"] / str(cfg["run"]["version"]))}
    if not (rd / "export" / "export.json").exists():
        raise RuntimeError("pack: run the export step first")
    if not bin_js.exists():
        raise RuntimeError(f"pack: {bin_js} missing: build the daemon first (npm run build in {C.REPO_DIR})")
    for what in ("pack_args", "verify_args"):
        cmd = ["node", str(bin_js)] + [a.format(**subst) for a in ex[what]]
        log(f"pack: {' '.join(cmd)}")
        proc = subprocess.run(cmd, cwd=C.REPO_DIR)
        if proc.returncode != 0:
            raise RuntimeError(f"pack: `{' '.join(cmd)}` exited {proc.returncode} (is `myoscreen model pack` "
                               "implemented yet? see training/README.md)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="myotrain", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("step", choices=STEPS)
    p.add_argument("--config", default=str(C.TRAINING_DIR / "config" / "default.toml"))
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one config key (repeatable)")
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], help="overrides run.device")
    p.add_argument("--variant", action="append", choices=["base", "kd", "gd"], help="student step: which variant(s)")
    args = p.parse_args(argv)
    cfg, log = _ctx(args)
    steps = ["data", "teacher", "saliency", "student", "evaluate", "export", "report"] if args.step == "all" \
        else [args.step]
    for s in steps:
        t0 = time.time()
        if s == "student":
            step_student(cfg, log, args.variant)
        else:
            globals()[f"step_{s}"](cfg, log)
            _record_time(cfg, s, time.time() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
