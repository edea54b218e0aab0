"""A small Python stand-in for the phantom exporter, writing the same data-set layout.

The real phantom lives in the TypeScript tree (`myoscreen phantom export`); this generator exists so the tests and
a development run work without the Node build. It draws a transvaginal-like B-mode sector: the fan framed by its
bounding box (0 outside), a uterus (myometrium) around a bright endometrial stripe, and a tumour growing from the
endometrium into the myometrium to a depth ratio d; label = d >= threshold. Speckle, depth attenuation and a few
confounders (a fibroid, acoustic shadows) keep it from being trivial. It is not the project's phantom.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image


def _box_blur(a: np.ndarray, r: int) -> np.ndarray:
    if r <= 0:
        return a
    k = 2 * r + 1
    p = np.pad(a, r, mode="edge")
    c = np.cumsum(np.cumsum(p, 0), 1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def _ellipse(xx, yy, cx, cy, a, b, th) -> np.ndarray:
    """Implicit ellipse value (<1 inside) on the grid."""
    c, s = math.cos(th), math.sin(th)
    u = (xx - cx) * c + (yy - cy) * s
    v = -(xx - cx) * s + (yy - cy) * c
    return (u / a) ** 2 + (v / b) ** 2


def render_case(rng: np.random.Generator, width: int, height: int, depth: float, scene: dict | None = None):
    """Returns (image uint8 HxW, masks dict name -> uint8 HxW, scene dict). `scene` re-renders the same anatomy."""
    if scene is None:
        scene = {
            "cx": 0.5 + rng.uniform(-0.08, 0.08),
            "cy": 0.55 + rng.uniform(-0.07, 0.07),
            "a": rng.uniform(0.26, 0.34),
            "b": rng.uniform(0.15, 0.2),
            "th": rng.uniform(-0.45, 0.45),
            "endo": rng.uniform(0.22, 0.32),  # endometrium half-thickness as a fraction of b
            "t": rng.uniform(-0.45, 0.45),  # tumour position along the cavity (fraction of a)
            "side": float(rng.choice([-1.0, 1.0])),
            "tw": rng.uniform(0.1, 0.18),  # tumour tangential half-width (fraction of a)
            "tum_echo": rng.uniform(0.62, 0.8),
            "fibroid": bool(rng.random() < 0.3),
            "fx": rng.uniform(-0.6, 0.6),
            "fr": rng.uniform(0.04, 0.08),
            "shadows": int(rng.integers(0, 3)),
            "gain": rng.uniform(0.85, 1.15),
        }
    sc = scene
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy = (yy + 0.5) / height
    xx = (xx + 0.5) / width
    # Fan: apex at the top centre, 90-degree sector, radius 1 (in height units); aspect folded into x.
    ax, ay = 0.5, 0.0
    dx = (xx - ax) * (width / height)
    dy = yy - ay
    r = np.sqrt(dx**2 + dy**2)
    ang = np.arctan2(dx, dy)
    fan = (r <= 1.0) & (np.abs(ang) <= math.radians(45)) & (r >= 0.04)
    a, b, th = sc["a"], sc["b"], sc["th"]
    uterus = _ellipse(xx, yy, sc["cx"], sc["cy"], a, b, th) < 1
    be = b * sc["endo"]
    endo = _ellipse(xx, yy, sc["cx"], sc["cy"], a * 0.78, be, th) < 1
    # Tumour: from the endometrial edge outward along the minor axis, to depth*myometrial thickness.
    thick = b - be
    c, s = math.cos(th), math.sin(th)
    tu = sc["t"] * a * 0.7
    nx, ny = -s * sc["side"], c * sc["side"]  # minor-axis normal
    bx = sc["cx"] + tu * c + nx * be
    by = sc["cy"] + tu * s + ny * be
    reach = max(depth, 0.02) * thick
    tcx, tcy = bx + nx * (reach - be * 0.6) / 2, by + ny * (reach - be * 0.6) / 2
    tumour = (_ellipse(xx, yy, tcx, tcy, sc["tw"] * a, (reach + be * 0.6) / 2, th) < 1) & uterus
    myo = uterus & ~endo & ~tumour
    echo = np.full((height, width), 0.32, np.float32)
    echo[uterus] = 0.5
    echo[endo] = 0.82
    if sc["fibroid"]:
        fx = sc["cx"] + sc["fx"] * a * c
        fy = sc["cy"] + sc["fx"] * a * s - ny * (be + thick * 0.6)
        fib = (_ellipse(xx, yy, fx, fy, sc["fr"], sc["fr"], 0) < 1) & uterus
        echo[fib] = 0.3
    tex = _box_blur(rng.random((height, width)).astype(np.float32), 2)
    echo[tumour] = sc["tum_echo"] * (0.8 + 0.4 * tex[tumour])
    echo = _box_blur(echo, 1)
    for _ in range(sc["shadows"]):
        a0 = rng.uniform(-0.7, 0.7)
        echo *= np.where(np.abs(ang - a0) < rng.uniform(0.02, 0.06), rng.uniform(0.4, 0.7), 1.0).astype(np.float32)
    speckle = rng.rayleigh(0.8, (height, width)).astype(np.float32)
    speckle = 0.55 * speckle + 0.45 * _box_blur(speckle, 1)
    atten = np.exp(-1.1 * r).astype(np.float32) * sc["gain"]
    img = echo * speckle * atten * 1.6
    img = np.log1p(6 * np.clip(img, 0, None)) / math.log1p(6 * 1.4)
    img = np.clip(img * 255, 0, 255)
    img[~fan] = 0
    masks = {
        "endometrium": (endo & fan).astype(np.uint8) * 255,
        "myometrium": (myo & fan).astype(np.uint8) * 255,
        "tumour": (tumour & fan).astype(np.uint8) * 255,
    }
    return img.astype(np.uint8), masks, scene


def export(out: str | Path, count: int, seed: int, size: int, positive_fraction: float = 0.5,
           threshold: float = 0.5, borderline_fraction: float = 0.25, images_per_patient: int = 1,
           masks: bool = True, prefix: str = "") -> Path:
    """Writes DIR/images, DIR/masks, DIR/labels.csv, DIR/dataset.json (the exporter's layout)."""
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    if masks:
        (out / "masks").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    width, height = size, max(8, int(round(size * 0.72)))  # the 90-degree fan's bounding box is wider than tall
    rows = []
    n_pos = 0
    patient = 0
    i = 0
    while i < count:
        patient += 1
        label = int(rng.random() < positive_fraction)
        if rng.random() < borderline_fraction:
            depth = threshold + (rng.uniform(0, 0.08) if label else -rng.uniform(1e-3, 0.08))
        else:
            depth = rng.uniform(threshold, 0.95) if label else rng.uniform(0.05, threshold)
        scene = None
        for _ in range(min(images_per_patient, count - i)):
            img, m, scene = render_case(rng, width, height, depth, scene)
            cid = f"{prefix}{seed}-{i:06d}"
            Image.fromarray(img, "L").save(out / "images" / f"{cid}.png")
            if masks:
                for name, arr in m.items():
                    Image.fromarray(arr, "L").save(out / "masks" / f"{cid}_{name}.png")
            rows.append({
                "id": cid, "image": f"images/{cid}.png", "patient_id": f"{prefix}syn{seed}-p{patient:05d}",
                "label": label, "depth_ratio": f"{depth:.4f}", "split_hint": "", "source": "synthetic",
            })
            n_pos += label
            i += 1
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "image", "patient_id", "label", "depth_ratio", "split_hint", "source"])
        w.writeheader()
        w.writerows(rows)
    meta = {
        "generator": "myotrain.synthetic (Python stand-in for the phantom exporter)",
        "count": count, "positives": n_pos, "seed": seed, "size": [width, height],
        "positive_fraction": positive_fraction, "threshold": threshold,
        "borderline_fraction": borderline_fraction, "images_per_patient": images_per_patient,
    }
    (out / "dataset.json").write_text(json.dumps(meta, indent=2) + "\n")
    return out
