"""Evaluation on the held-out test set: operating point on validation, AUC / sensitivity / specificity with
bootstrap 95 % intervals on test, ROC curves and attention overlays (PNG), MACs and parameters, PyTorch CPU latency,
and how much of the attention falls on the lesion (when the data set has tumour masks)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import metrics as M
from .data import ImageSet, Record, read_image
from .flops import count_macs, count_params
from .plots import overlays_png, roc_png
from .saliency import saliency_batch
from .train import Log, predict, write_json


def torch_latency(model: torch.nn.Module, size: int, runs: int, threads: int) -> dict:
    prev = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        x = torch.zeros(1, 1, size, size)
        model.eval()
        times = []
        with torch.no_grad():
            for i in range(runs + 10):
                t = time.perf_counter()
                model(x)
                if i >= 10:
                    times.append((time.perf_counter() - t) * 1000)
        return {"threads": threads, "runs": runs, "p50_ms": float(np.percentile(times, 50)),
                "p99_ms": float(np.percentile(times, 99))}
    finally:
        torch.set_num_threads(prev)


def _mask(rec: Record, name: str) -> np.ndarray | None:
    p = rec.mask_path(name)
    if not p.exists():
        return None
    return read_image(p) > 127


def lesion_mass(records: list[Record], maps: np.ndarray, labels: np.ndarray) -> dict | None:
    """For positive cases with a tumour mask: the share of the map's mass on the tumour (mask area-pooled to the
    map's grid), against the tumour's share of the fan (what a uniform map inside the fan would score)."""
    shares, areas = [], []
    for r, m, y in zip(records, maps, labels):
        if not y:
            continue
        tm = _mask(r, "tumour")
        if tm is None:
            continue
        img = read_image(r.image)
        h, w = m.shape
        t = torch.from_numpy(tm.astype(np.float32))[None, None]
        fan = torch.from_numpy((img > 0).astype(np.float32))[None, None]
        tg = F.adaptive_avg_pool2d(t, (h, w))[0, 0].numpy()
        fg = F.adaptive_avg_pool2d(fan, (h, w))[0, 0].numpy()
        mm = np.clip(m, 0, None)
        if mm.sum() <= 0:
            continue
        shares.append(float((mm * tg).sum() / mm.sum()))
        areas.append(float(tg.sum() / max(fg.sum(), 1e-9)))
    if not shares:
        return None
    return {"n": len(shares), "mean_share_on_tumour": float(np.mean(shares)),
            "uniform_baseline": float(np.mean(areas))}


def model_view(x_plane: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.clip((x_plane * std + mean) * 255 + 0.5, 0, 255).astype(np.uint8)


def evaluate(cfg: dict, sets: dict[str, ImageSet], teacher, students: dict[str, torch.nn.Module],
             device: torch.device, out_dir: Path, report_dir: Path, log: Log) -> dict:
    ev = cfg["eval"]
    size = int(cfg["input"]["size"])
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    target = float(ev["target_sensitivity"])
    val, test = sets["val"], sets["test"]
    models: dict[str, torch.nn.Module] = {}
    if teacher is not None:
        models["teacher"] = teacher
    models.update({f"student-{k}": v for k, v in students.items()})
    results: dict = {"models": {}, "target_sensitivity": target}
    curves = []
    preds = {}
    for name, model in models.items():
        t0 = time.time()
        model.to(device)
        pv = predict(model, val.x, device)
        pt = predict(model, test.x, device)
        model.to("cpu")
        preds[name] = pt
        op = M.operating_point(val.y, pv["prob"], target)
        summ = M.summary(test.y, pt["prob"], op["threshold"], int(ev["bootstrap"]), int(ev["bootstrap_seed"]))
        fpr, tpr, _ = M.roc_curve(test.y, pt["prob"])
        macs = count_macs(model, size)
        entry = {"arch": getattr(model, "arch", type(model).__name__), "operating_point": op,
                 "val_auc": M.auc(val.y, pv["prob"]), "test": summ, "macs": macs["total"], "macs_detail": macs,
                 "params": count_params(model)}
        results["models"][name] = entry
        curves.append({"name": name, "fpr": fpr, "tpr": tpr, "auc": summ["auc"],
                       "point": (1 - summ["specificity"], summ["sensitivity"])})
        log(f"evaluate: {name}: test AUC {summ['auc']:.4f} [{summ['auc_ci95'][0]:.4f}, {summ['auc_ci95'][1]:.4f}] "
            f"sens {summ['sensitivity']:.4f} spec {summ['specificity']:.4f} at t={op['threshold']:.4g} "
            f"(val sens {op['sensitivity']:.4f} spec {op['specificity']:.4f}); {macs['total'] / 1e6:.1f} MMACs "
            f"({time.time() - t0:.0f}s)")
    report_dir.mkdir(parents=True, exist_ok=True)
    roc_png(curves, report_dir / "roc.png", f"ROC on the test set (n={len(test)}, {test.n_pos} positive)")
    ship = f"student-{cfg['ablation']['ship']}"
    # attention: the shipped student's map vs the teacher's Grad-CAM on test images
    teacher_maps = None
    if teacher is not None:
        sal = cfg["saliency"]
        ms = []
        teacher.to(device)
        for i in range(0, len(test), 128):
            xb = torch.from_numpy(test.x[i:i + 128])[:, None].to(device)
            _, mp = saliency_batch(teacher, xb, None, sal["method"], "margin", cfg["teacher"]["cam_layer"],
                                   int(sal.get("grid", size // 16)))
            ms.append(mp[:, 0].cpu().numpy())
        teacher.to("cpu")
        teacher_maps = np.concatenate(ms)
    attention_quality = {}
    for name in models:
        maps = preds[name].get("attention") if name != "teacher" else teacher_maps
        if maps is not None:
            lm = lesion_mass(test.records, maps, test.y)
            if lm:
                attention_quality[name] = lm
    results["attention_on_lesion"] = attention_quality
    if ship in preds:
        results["ship"] = ship
        pt = preds[ship]
        thr = results["models"][ship]["operating_point"]["threshold"]
        rng = np.random.default_rng(int(ev["bootstrap_seed"]))
        n_ov = int(ev["overlays"])
        pos = np.where(test.y == 1)[0]
        neg = np.where(test.y == 0)[0]
        pick = list(rng.choice(pos, min(len(pos), (n_ov + 1) // 2), replace=False)) + \
            list(rng.choice(neg, min(len(neg), n_ov // 2), replace=False))
        cases = []
        for i in pick:
            r = test.records[i]
            gray = model_view(test.x[i], mean, std)
            tm = _mask(r, "tumour")
            contour = None
            if tm is not None:
                t = torch.from_numpy(tm.astype(np.float32))[None, None]
                contour = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)[0, 0].numpy() > 0.5
            maps = [(f"{ship} attention", pt["attention"][i])]
            if teacher_maps is not None:
                maps.append(("teacher Grad-CAM", teacher_maps[i]))
            p = float(pt["prob"][i])
            cases.append({"gray": gray, "maps": maps, "contour": contour,
                          "caption": f"{r.id}  label {r.label}  p={p:.3f} -> {'refer' if p >= thr else 'no invasion'}"})
        overlays_png(cases, report_dir / "overlays.png")
    results["latency_torch_cpu"] = {}
    for name in [ship, "teacher"]:
        if name in models:
            results["latency_torch_cpu"][name] = [torch_latency(models[name], size, int(ev["latency_runs"]), t)
                                                  for t in (1, 2)]
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / "predictions.npz", **{f"{k}__{kk}": vv for k, v in preds.items()
                                                        for kk, vv in v.items()}, test_y=test.y)
    write_json(out_dir / "eval.json", results)
    return results
