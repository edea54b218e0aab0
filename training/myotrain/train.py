"""Training loops for the teacher and the students: seeded, with progress lines, a checkpoint after every epoch
(model, optimizer, epoch, every random generator's state) and resumption from it after an interruption.

A finished run leaves `model.pt` (the selected weights) and `summary.json`; running the step again with the same
config hash does nothing, with a changed hash it starts over.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from . import config as C
from . import metrics as M
from .augment import augment_batch
from .data import ImageSet, class_weights
from .losses import gradient_distillation, logit_kd, weighted_ce
from .models.lsnet import LSNet, build_student
from .models.teacher import ResNetTeacher, build_teacher


# ---------------------------------------------------------------------------------------------------- plumbing


class Log:
    """Progress lines to stderr and to a log file."""

    def __init__(self, path: Path | None = None, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)

    def __call__(self, msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {self.prefix}{msg}"
        print(line, file=sys.stderr, flush=True)
        if self.path:
            with open(self.path, "a") as f:
                f.write(line + "\n")


def select_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' asked for but torch.cuda.is_available() is false")
    return torch.device(name)


def setup(cfg: dict) -> torch.device:
    torch.set_num_threads(int(cfg["run"]["threads"]))
    seed_everything(int(cfg["run"]["seed"]))
    return select_device(str(cfg["run"]["device"]))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def atomic_save(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=_json_default) + "\n")
    os.replace(tmp, path)


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o))


def fmt_s(s: float) -> str:
    s = int(max(0, s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def lr_at(step: int, total: int, warmup: int, base: float, min_ratio: float) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return base * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def to_input(xb: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    xb = xb.to(device, non_blocking=True)
    return xb.contiguous(memory_format=torch.channels_last) if channels_last else xb


@torch.no_grad()
def predict(model: torch.nn.Module, x: np.ndarray, device: torch.device, batch: int = 256,
            channels_last: bool = False) -> dict[str, np.ndarray]:
    """Eval-mode outputs over a preloaded split: logits [N,2], prob [N] (softmax of class 1), attention [N,h,w]
    for a student."""
    model.eval()
    logits, att = [], []
    for i in range(0, len(x), batch):
        xb = to_input(torch.from_numpy(x[i:i + batch])[:, None], device, channels_last)
        out = model(xb)
        if isinstance(out, tuple):
            logits.append(out[0].float().cpu())
            att.append(out[1][:, 0].float().cpu())
        else:
            logits.append(out.float().cpu())
    lg = torch.cat(logits)
    res = {"logits": lg.numpy(), "prob": torch.softmax(lg, 1)[:, 1].numpy()}
    if att:
        res["attention"] = torch.cat(att).numpy()
    return res


# ---------------------------------------------------------------------------------------------------- the loop


StepFn = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor, torch.Tensor, torch.Generator],
                  tuple[torch.Tensor, dict[str, float]]]


def fit(kind: str, cfg: dict, hp: dict, model: torch.nn.Module, train: ImageSet, val: ImageSet, out: Path,
        step_fn: StepFn, device: torch.device, run_hash: str, log: Log) -> dict:
    """Trains `model` in place with `step_fn` (which returns the loss to minimise and its parts)."""
    summary_path = out / "summary.json"
    if summary_path.exists():
        done = json.loads(summary_path.read_text())
        if done.get("hash") == run_hash and (out / "model.pt").exists():
            log(f"{kind}: already trained ({out}), nothing to do")
            model.load_state_dict(torch.load(out / "model.pt", map_location="cpu"))
            return done
    channels_last = bool(cfg["run"].get("channels_last", True)) and device.type == "cpu"
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    epochs = int(hp["epochs"])
    bs = int(hp["batch_size"])
    n = len(train)
    steps_per_epoch = max(1, n // bs)  # drop the last partial batch: batch norm and steady timings
    total = epochs * steps_per_epoch
    warmup = int(round(float(hp.get("warmup_epochs", 1)) * steps_per_epoch))
    if hp.get("optimizer", "adamw") == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=float(hp["lr"]), momentum=float(hp.get("momentum", 0.9)),
                              nesterov=True, weight_decay=float(hp["weight_decay"]))
    else:
        decay = [p for p in model.parameters() if p.ndim > 1]
        no_decay = [p for p in model.parameters() if p.ndim <= 1]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": float(hp["weight_decay"])},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=float(hp["lr"]))
    gen = torch.Generator().manual_seed(int(cfg["run"]["seed"]) * 1000 + (hash_int(kind.split("-")[0]) % 1000))
    start_epoch, history, best = 0, [], None
    ckpt_path = out / "checkpoint.pt"
    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location="cpu")
        if ck.get("hash") == run_hash:
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            gen.set_state(ck["gen"])
            torch.set_rng_state(ck["torch_rng"])
            np.random.set_state(ck["numpy_rng"])
            random.setstate(ck["python_rng"])
            if device.type == "cuda" and ck.get("cuda_rng") is not None:
                torch.cuda.set_rng_state(ck["cuda_rng"])
            start_epoch, history, best = ck["epoch"], ck["history"], ck.get("best")
            log(f"{kind}: resuming after epoch {start_epoch}/{epochs} from {ckpt_path}")
        else:
            log(f"{kind}: checkpoint {ckpt_path} belongs to another config (hash differs): starting over")
    out.mkdir(parents=True, exist_ok=True)
    every = int(cfg["run"].get("progress_every", 20))
    select = hp.get("select", "last")
    target_sens = float(cfg["eval"]["target_sensitivity"])
    x_all = torch.from_numpy(train.x)
    y_all = torch.from_numpy(train.y)
    t_run = time.time()
    done_steps_at_start = start_epoch * steps_per_epoch
    for epoch in range(start_epoch, epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        t0 = time.time()
        sums: dict[str, float] = {}
        for s in range(steps_per_epoch):
            step = epoch * steps_per_epoch + s
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, warmup, float(hp["lr"]), float(hp.get("min_lr_ratio", 0.01)))
            idx = perm[s * bs:(s + 1) * bs]
            xb = to_input(x_all[idx][:, None], device, channels_last)
            yb = y_all[idx].to(device)
            loss, parts = step_fn(model, idx, xb, yb, gen)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"{kind}: loss is {loss.item()} at epoch {epoch + 1} step {s + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v
            if (s + 1) % every == 0 or s + 1 == steps_per_epoch:
                el = time.time() - t0
                rate = (s + 1) * bs / el
                run_done = step + 1 - done_steps_at_start
                run_eta = (time.time() - t_run) / run_done * (total - step - 1)
                avg = " ".join(f"{k} {v / (s + 1):.4f}" for k, v in sums.items())
                log(f"{kind}: epoch {epoch + 1}/{epochs} step {s + 1}/{steps_per_epoch} {avg} | {rate:.0f} img/s "
                    f"| epoch ETA {fmt_s(el / (s + 1) * (steps_per_epoch - s - 1))} | run ETA {fmt_s(run_eta)}")
        train_s = time.time() - t0
        pv = predict(model, val.x, device, channels_last=channels_last)
        v_auc = M.auc(val.y, pv["prob"])
        v_loss = float(F.cross_entropy(torch.from_numpy(pv["logits"]), torch.from_numpy(val.y)).item())
        op = M.operating_point(val.y, pv["prob"], target_sens)
        rec = {"epoch": epoch + 1, "train_seconds": round(train_s, 2), "eval_seconds": round(time.time() - t0 - train_s, 2),
               "img_per_s": round(steps_per_epoch * bs / train_s, 1), **{k: v / steps_per_epoch for k, v in sums.items()},
               "val_auc": v_auc, "val_loss": v_loss, "val_spec_at_target": op["specificity"]}
        history.append(rec)
        log(f"{kind}: epoch {epoch + 1}/{epochs} done in {fmt_s(train_s)} | val AUC {v_auc:.4f} loss {v_loss:.4f} "
            f"spec@sens>={target_sens:g} {op['specificity']:.4f}")
        with open(out / "history.jsonl", "a") as f:
            f.write(json.dumps(rec) + "\n")
        score = (v_auc, op["specificity"])
        if select == "best" and (best is None or score >= tuple(best["score"])):
            best = {"epoch": epoch + 1, "score": list(score),
                    "state": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}}
        atomic_save({
            "hash": run_hash, "epoch": epoch + 1, "model": model.state_dict(), "optimizer": opt.state_dict(),
            "gen": gen.get_state(), "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state(),
            "python_rng": random.getstate(),
            "cuda_rng": torch.cuda.get_rng_state() if device.type == "cuda" else None,
            "history": history, "best": best,
        }, ckpt_path)
    if select == "best" and best is not None:
        model.load_state_dict(best["state"])
        chosen = best["epoch"]
    else:
        chosen = epochs
    model.to("cpu").to(memory_format=torch.contiguous_format)
    atomic_save({k: v.contiguous() for k, v in model.state_dict().items()}, out / "model.pt")
    summary = {"kind": kind, "hash": run_hash, "epochs": epochs, "selected_epoch": chosen, "select": select,
               "history": history, "train_n": n, "train_pos": train.n_pos, "device": str(device),
               "seconds_per_epoch": float(np.mean([h["train_seconds"] for h in history])) if history else None}
    write_json(summary_path, summary)
    return summary


def hash_int(s: str) -> int:
    return int.from_bytes(s.encode()[:8].ljust(8, b"\0"), "little")


# ---------------------------------------------------------------------------------------------------- teacher


def teacher_hash(cfg: dict) -> str:
    return C.section_hash({**cfg, "_t": {"seed": cfg["run"]["seed"], "cw": cfg["loss"]["class_weighting"]}},
                          "data", "input", "augment", "teacher", "_t")


def seg_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """BCE plus soft Dice per mask channel: Dice keeps the small tumour from drowning in the background."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    inter = (p * target).sum((2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((2, 3)) + target.sum((2, 3)) + 1)
    return bce + dice.mean()


def train_teacher(cfg: dict, sets: dict[str, ImageSet], device: torch.device, log: Log) -> tuple[ResNetTeacher, dict]:
    seed_everything(int(cfg["run"]["seed"]))
    tc = cfg["teacher"]
    model = build_teacher(tc)
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    w = torch.from_numpy(class_weights(sets["train"].y, cfg["loss"]["class_weighting"],
                                       float(cfg["loss"].get("effective_beta", 0.999)))).to(device)
    smoothing = float(tc.get("label_smoothing", 0.0))
    w_depth, w_seg = float(tc.get("aux_depth_weight", 0.0)), float(tc.get("aux_seg_weight", 0.0))
    train = sets["train"]
    depth = torch.from_numpy(train.depth)
    masks = has_masks = None
    if w_seg > 0:
        from .data import load_masks
        stride = 2 ** (int(str(tc.get("aux_seg_layer", "layer2"))[-1]) + 1)  # layer1: 4, layer2: 8 (stem /4)
        load_masks(train, int(cfg["input"]["size"]) // stride, C.run_dir(cfg) / "cache")
        if train.has_masks is not None and train.has_masks.any():
            masks, has_masks = torch.from_numpy(train.masks), torch.from_numpy(train.has_masks)
        else:
            log("teacher: no masks in the data set: the segmentation auxiliary loss is off")
    n_depth = int(np.isfinite(train.depth).sum())
    log(f"teacher: {model.arch}, class weights {w.tolist()}; auxiliary depth-ratio regression "
        f"{'on (%d labelled)' % n_depth if w_depth > 0 and n_depth else 'off'}, mask segmentation "
        f"{'on (%d with masks)' % int(has_masks.sum()) if masks is not None else 'off'}")

    def step(m, idx, xb, yb, gen):
        mb = masks[idx].to(xb.device) if masks is not None else None
        xa, ma, _ = augment_batch(xb, mb, cfg["augment"], mean, std, gen)
        logits = m(xa)
        loss = F.cross_entropy(logits, yb, weight=w, label_smoothing=smoothing)
        parts = {"ce": loss.item()}
        if w_depth > 0 and n_depth:
            d = depth[idx].to(xb.device)
            ok = torch.isfinite(d)
            if ok.any():
                ld = F.smooth_l1_loss(m.aux["depth"][ok], d[ok], beta=0.1)
                loss = loss + w_depth * ld
                parts["depth"] = ld.item()
        if ma is not None:
            ok = has_masks[idx].to(xb.device)
            if ok.any():
                seg = m.aux["seg"]
                if seg.shape[-2:] != ma.shape[-2:]:
                    seg = F.interpolate(seg, size=ma.shape[-2:], mode="bilinear", align_corners=False)
                ls = seg_loss(seg[ok], ma[ok].clamp(0, 1))
                loss = loss + w_seg * ls
                parts["seg"] = ls.item()
        return loss, parts

    out = C.run_dir(cfg) / "teacher"
    summary = fit("teacher", cfg, cfg["teacher"], model, sets["train"], sets["val"], out, step, device,
                  teacher_hash(cfg), log)
    return model, summary


def load_teacher(cfg: dict) -> ResNetTeacher:
    model = build_teacher(cfg["teacher"])
    model.load_state_dict(torch.load(C.run_dir(cfg) / "teacher" / "model.pt", map_location="cpu"))
    return model.eval()


# ---------------------------------------------------------------------------------------------------- students


def student_hash(cfg: dict, variant: str) -> str:
    sections = ["data", "input", "augment", "student", "loss", "_s"]
    if variant != "base":
        sections += ["teacher", "saliency"]
    return C.section_hash({**cfg, "_s": {"seed": cfg["run"]["seed"], "variant": variant}}, *sections)


def train_student(cfg: dict, variant: str, sets: dict[str, ImageSet], cache: dict[str, np.ndarray] | None,
                  device: torch.device, log: Log) -> tuple[LSNet, dict]:
    seed_everything(int(cfg["run"]["seed"]))  # the same initial weights and data order for every variant
    model = build_student(cfg["student"])
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    lc = cfg["loss"]
    w = torch.from_numpy(class_weights(sets["train"].y, lc["class_weighting"],
                                       float(lc.get("effective_beta", 0.999)))).to(device)
    use_kd = variant in ("kd", "gd") and float(lc["kd_weight"]) > 0
    use_gd = variant == "gd" and float(lc["gd_weight"]) > 0
    t_logits = t_maps = None
    if use_kd or use_gd:
        if cache is None:
            raise RuntimeError(f"student-{variant} needs the teacher cache (run the saliency step)")
        t_logits = torch.from_numpy(cache["logits"])  # [2, N, 2]
        if use_gd:
            with torch.no_grad():
                _, _, imps = model.forward_all(torch.zeros(1, 1, int(cfg["input"]["size"]), int(cfg["input"]["size"])))
            fine = max((i.shape[-2:] for i in imps), key=lambda s: s[0] * s[1])
            maps = torch.from_numpy(cache["maps"])  # [2, N, h, w]
            f2, nn_, h, wd = maps.shape
            maps = maps.reshape(f2 * nn_, 1, h, wd)
            if (h, wd) != tuple(fine):
                maps = F.interpolate(maps, size=tuple(fine), mode="bilinear", align_corners=False).clamp(min=0)
            t_maps = maps.reshape(f2, nn_, 1, *fine)
    log(f"student-{variant}: {model.arch}; CE class weights {w.tolist()}; logit KD {'on' if use_kd else 'off'}; "
        f"gradient distillation {'on' if use_gd else 'off'}")
    kd_w, kd_t = float(lc["kd_weight"]), float(lc["kd_temperature"])
    gd_w, gd_t, gd_s = float(lc["gd_weight"]), float(lc["gd_temperature"]), float(lc["gd_smoothing"])

    def step(m, idx, xb, yb, gen):
        maps = mirror = None
        if t_maps is not None:  # the teacher's map of the image the student actually sees (original or mirror)
            maps, mirror = t_maps[0, idx].to(xb.device), t_maps[1, idx].to(xb.device)
        xa, ma, flip = augment_batch(xb, maps, cfg["augment"], mean, std, gen, maps_mirror=mirror)
        logits, _, imps = m.forward_all(xa)
        ce = weighted_ce(logits, yb, w)
        loss, parts = ce, {"ce": ce.item()}
        fl = flip.cpu().long()
        if use_kd:
            tl = t_logits[fl, idx].to(xb.device)
            kd = logit_kd(logits, tl, kd_t)
            loss = loss + kd_w * kd
            parts["kd"] = kd.item()
        if use_gd and ma is not None:
            gd = gradient_distillation(imps, ma, gd_t, gd_s)
            loss = loss + gd_w * gd
            parts["gd"] = gd.item()
        return loss, parts

    out = C.run_dir(cfg) / f"student-{variant}"
    summary = fit(f"student-{variant}", cfg, cfg["student"], model, sets["train"], sets["val"], out, step, device,
                  student_hash(cfg, variant), log)
    return model, summary


def load_student(cfg: dict, variant: str) -> LSNet:
    model = build_student(cfg["student"])
    model.load_state_dict(torch.load(C.run_dir(cfg) / f"student-{variant}" / "model.pt", map_location="cpu"))
    return model.eval()
