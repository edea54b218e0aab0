"""The preprocessing contract, implemented once (numpy, float32). The daemon reimplements it and tests against
training/golden/preprocess_golden.json.

    gray8 image (H, W) -> float32
      -> if (H, W) != (S, S): bilinear resize to (S, S), half-pixel centres (align_corners=False), no antialias,
         edge clamp (the same as torch.nn.functional.interpolate(mode="bilinear", align_corners=False))
      -> x / 255 -> (x - mean) / std -> tensor [1, 1, S, S] (NCHW)

Resize, per output axis of length `out` from an input axis of length `inp` (every step rounded to float32):
    scale = inp / out
    src   = scale * (dst + 0.5) - 0.5, then src = max(src, 0)
    i0    = floor(src); i1 = min(i0 + 1, inp - 1); l1 = src - i0; l0 = 1 - l1
    value = ly0 * (lx0 * p[y0, x0] + lx1 * p[y0, x1]) + ly1 * (lx0 * p[y1, x0] + lx1 * p[y1, x1])
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


def source_index(inp: int, out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per output index: the two input indices and their weights (l0, l1), float32 like the contract says."""
    scale = F32(inp) / F32(out)
    dst = np.arange(out, dtype=F32)
    src = scale * (dst + F32(0.5)) - F32(0.5)
    src = np.maximum(src, F32(0.0)).astype(F32)
    i0 = np.floor(src).astype(np.int64)
    i0 = np.minimum(i0, inp - 1)
    i1 = np.minimum(i0 + 1, inp - 1)
    l1 = (src - i0.astype(F32)).astype(F32)
    l0 = (F32(1.0) - l1).astype(F32)
    return i0, i1, l0, l1


def resize_bilinear(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Bilinear, half-pixel centres, no antialias, edge clamp. img: (H, W) float32 -> (out_h, out_w) float32."""
    img = np.asarray(img, dtype=F32)
    h, w = img.shape
    if (h, w) == (out_h, out_w):
        return img.copy()
    y0, y1, ly0, ly1 = source_index(h, out_h)
    x0, x1, lx0, lx1 = source_index(w, out_w)
    r0 = img[y0]
    r1 = img[y1]
    top = lx0 * r0[:, x0] + lx1 * r0[:, x1]
    bot = lx0 * r1[:, x0] + lx1 * r1[:, x1]
    return (ly0[:, None] * top + ly1[:, None] * bot).astype(F32)


def preprocess(gray8: np.ndarray, size: int, mean: float, std: float) -> np.ndarray:
    """gray8 (H, W) uint8 -> float32 [1, 1, size, size], normalised."""
    arr = preprocess_plane(gray8, size, mean, std)
    return arr[None, None]


def preprocess_plane(gray8: np.ndarray, size: int, mean: float, std: float) -> np.ndarray:
    """As preprocess() without the batch and channel axes: (size, size) float32."""
    if gray8.ndim != 2:
        raise ValueError(f"expected a gray (H, W) image, got shape {gray8.shape}")
    x = gray8.astype(F32)
    if x.shape != (size, size):
        x = resize_bilinear(x, size, size)
    x = x / F32(255.0)
    return ((x - F32(mean)) / F32(std)).astype(F32)


def spec(size: int, mean: float, std: float) -> dict:
    """The input spec as the manifest states it."""
    return {
        "name": "image",
        "shape": [1, 1, size, size],
        "layout": "NCHW",
        "colour": "gray",
        "resize": "bilinear-half-pixel",
        "scale": 1 / 255,
        "mean": float(F32(mean)),
        "std": float(F32(std)),
    }
