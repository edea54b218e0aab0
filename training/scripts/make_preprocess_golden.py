#!/usr/bin/python3
"""Writes training/golden/preprocess_golden.json and its PNG test images: the preprocessing contract's golden
vectors, for the daemon's TypeScript reimplementation to test against (bit-for-bit where it follows the float32
steps in the contract; `tolerance_abs` otherwise).

    cd training && /usr/bin/python3 scripts/make_preprocess_golden.py [--check]

--check regenerates in memory and exits non-zero when the stored file differs (a test runs it).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from myotrain import config as C  # noqa: E402
from myotrain.preprocess import __doc__ as CONTRACT  # noqa: E402
from myotrain.preprocess import preprocess_plane  # noqa: E402

GOLDEN_DIR = C.TRAINING_DIR / "golden"
SMALL = 32


def images() -> dict[str, np.ndarray]:
    """Deterministic gray test images: gradients, noise, a fan-like zero border, odd sizes, up- and downscaling."""
    rng = np.random.default_rng(20240917)
    out = {}
    h, w = 61, 97  # non-square, downscale in x, upscale-ish in y for 64
    yy, xx = np.mgrid[0:h, 0:w]
    out["gradient-noise-97x61"] = np.clip(xx * 255 / (w - 1) * 0.6 + yy * 255 / (h - 1) * 0.4
                                          + rng.normal(0, 12, (h, w)), 0, 255).round().astype(np.uint8)
    h, w = 200, 300
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot(xx - w / 2, yy)
    ang = np.abs(np.arctan2(xx - w / 2, yy + 1e-9))
    fan = (r < 200) & (ang < np.pi / 4)
    img = np.clip(80 + 100 * np.sin(xx / 17.0) * np.cos(yy / 23.0) + rng.normal(0, 25, (h, w)), 0, 255)
    img[~fan] = 0
    out["fan-300x200"] = img.round().astype(np.uint8)
    h, w = 13, 20  # smaller than the target: upsampling with edge clamp
    out["tiny-20x13"] = rng.integers(0, 256, (h, w), dtype=np.uint8)
    out["exact-32x32"] = rng.integers(0, 256, (SMALL, SMALL), dtype=np.uint8)  # same size: no resize at all
    out["extremes-40x40"] = np.where((np.add.outer(np.arange(40), np.arange(40)) // 5) % 2 == 0, 255, 0).astype(np.uint8)
    return out


def f32_b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def build() -> tuple[dict, dict[str, np.ndarray]]:
    cfg = C.load(C.TRAINING_DIR / "config" / "default.toml")
    size = int(cfg["input"]["size"])
    mean, std = float(cfg["input"]["mean"]), float(cfg["input"]["std"])
    imgs = images()
    cases = []
    for name, img in imgs.items():
        x = preprocess_plane(img, SMALL, mean, std)
        cases.append({"name": name, "file": f"{name}.png", "width": int(img.shape[1]), "height": int(img.shape[0]),
                      "size": SMALL, "output_shape": [1, 1, SMALL, SMALL],
                      "output": [float(v) for v in x.ravel()]})
    big_name = "fan-300x200"
    xb = preprocess_plane(imgs[big_name], size, mean, std)
    golden = {
        "schema": 1,
        "contract": CONTRACT.strip(),
        "mean": float(np.float32(mean)), "std": float(np.float32(std)), "scale": "1/255 (x / 255 in float32)",
        "layout": "NCHW", "dtype": "float32",
        "tolerance_abs": 1e-5,
        "cases": cases,
        "model_size_case": {"name": big_name, "file": f"{big_name}.png", "size": size,
                            "output_shape": [1, 1, size, size], "dtype": "float32-le", "data": f32_b64(xb)},
        "generator": "training/scripts/make_preprocess_golden.py",
    }
    return golden, imgs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    golden, imgs = build()
    path = GOLDEN_DIR / "preprocess_golden.json"
    text = json.dumps(golden, indent=1) + "\n"
    if args.check:
        stored = path.read_text() if path.exists() else ""
        if stored != text:
            print(f"{path} is out of date: run scripts/make_preprocess_golden.py", file=sys.stderr)
            return 1
        for name, img in imgs.items():
            got = np.asarray(Image.open(GOLDEN_DIR / f"{name}.png"))
            if not np.array_equal(got, img):
                print(f"{name}.png differs from the generator", file=sys.stderr)
                return 1
        return 0
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, img in imgs.items():
        Image.fromarray(img, "L").save(GOLDEN_DIR / f"{name}.png")
    path.write_text(text)
    print(f"wrote {path} ({len(golden['cases'])} cases + one at {golden['model_size_case']['size']}px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
