"""PNG figures with PIL only (no plotting library needed): ROC curves and attention overlays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189), (140, 86, 75)]


def _font(size: int):
    for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(p).exists():
            return ImageFont.truetype(p, size)
    return ImageFont.load_default()


def _panel(img: Image.Image, draw: ImageDraw.ImageDraw, box, xr, yr, curves, title, font, small, ticks) -> None:
    x0, y0, x1, y1 = box

    def px(fx: float, fy: float) -> tuple[float, float]:
        return (x0 + (fx - xr[0]) / (xr[1] - xr[0]) * (x1 - x0), y1 - (fy - yr[0]) / (yr[1] - yr[0]) * (y1 - y0))

    draw.rectangle(box, outline=(0, 0, 0))
    for t in ticks[0]:
        x, _ = px(t, yr[0])
        draw.line([(x, y0), (x, y1)], fill=(225, 225, 225))
        draw.text((x - 12, y1 + 4), f"{t:g}", fill=(0, 0, 0), font=small)
    for t in ticks[1]:
        _, y = px(xr[0], t)
        draw.line([(x0, y), (x1, y)], fill=(225, 225, 225))
        draw.text((x0 - 40, y - 7), f"{t:g}", fill=(0, 0, 0), font=small)
    draw.rectangle(box, outline=(0, 0, 0))
    if xr == (0.0, 1.0) and yr == (0.0, 1.0):
        draw.line([px(0, 0), px(1, 1)], fill=(180, 180, 180))
    # curves on their own layer the size of the plot area, so whatever leaves the axes' range is clipped
    layer = Image.new("RGBA", (int(x1 - x0) + 1, int(y1 - y0) + 1), (0, 0, 0, 0))
    ld = ImageDraw.Draw(layer)

    def lp(fx: float, fy: float) -> tuple[float, float]:
        x, y = px(fx, fy)
        return x - x0, y - y0

    for i, c in enumerate(curves):
        col = COLOURS[i % len(COLOURS)] + (255,)
        fpr, tpr = np.asarray(c["fpr"]), np.asarray(c["tpr"])
        pts = []
        for k in range(len(fpr)):  # a step curve
            if k:
                pts.append((fpr[k], tpr[k - 1]))
            pts.append((fpr[k], tpr[k]))
        ld.line([lp(a, b) for a, b in pts], fill=col, width=2)
        if c.get("point") is not None:
            x, y = lp(*c["point"])
            ld.ellipse([x - 5, y - 5, x + 5, y + 5], outline=col, width=2)
    img.paste(layer, (int(x0), int(y0)), layer)
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((x0, y0 - 24), title, fill=(0, 0, 0), font=font)
    draw.text(((x0 + x1) / 2 - 70, y1 + 22), "1 - specificity (FPR)", fill=(0, 0, 0), font=small)


def roc_png(curves: list[dict], path: Path, title: str) -> None:
    """curves: [{name, fpr, tpr, auc, point: (fpr, tpr) | None}]. Full ROC on the left, the high-sensitivity
    corner enlarged on the right (operating points circled)."""
    w, h = 1100, 600
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    font, small = _font(16), _font(12)
    _panel(img, d, (70, 50, 500, 480), (0.0, 1.0), (0.0, 1.0), curves, title, font, small,
           ([0, 0.2, 0.4, 0.6, 0.8, 1.0], [0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    _panel(img, d, (600, 50, 1030, 480), (0.0, 0.1), (0.9, 1.0), curves, "high-sensitivity corner", font, small,
           ([0, 0.02, 0.04, 0.06, 0.08, 0.1], [0.9, 0.92, 0.94, 0.96, 0.98, 1.0]))
    d.text((12, 250), "TPR", fill=(0, 0, 0), font=small)
    for i, c in enumerate(curves):
        col = COLOURS[i % len(COLOURS)]
        y = 540 + (i // 3) * 22
        x = 70 + (i % 3) * 340
        d.line([(x, y + 8), (x + 24, y + 8)], fill=col, width=3)
        d.text((x + 30, y), f"{c['name']} (AUC {c['auc']:.4f})", fill=(0, 0, 0), font=small)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


def _colormap(v: np.ndarray) -> np.ndarray:
    """0..1 -> RGB uint8, a blue-cyan-yellow-red ramp."""
    stops = np.array([[0, 0, 0.5], [0, 0.4, 1], [0, 1, 1], [1, 1, 0], [1, 0.4, 0], [0.6, 0, 0]])
    pos = np.clip(v, 0, 1) * (len(stops) - 1)
    i = np.minimum(pos.astype(int), len(stops) - 2)
    f = (pos - i)[..., None]
    return ((stops[i] * (1 - f) + stops[i + 1] * f) * 255).astype(np.uint8)


def _upsample(m: np.ndarray, size: int) -> np.ndarray:
    im = Image.fromarray(m.astype(np.float32), mode="F").resize((size, size), Image.BILINEAR)
    return np.asarray(im)


def overlay(gray: np.ndarray, amap: np.ndarray, alpha: float = 0.45, contour: np.ndarray | None = None) -> Image.Image:
    """gray (S,S) uint8, amap (h,w) >= 0 (scaled to its max) -> RGB overlay; contour (S,S) bool drawn green."""
    s = gray.shape[0]
    m = _upsample(amap, s)
    m = m / m.max() if m.max() > 0 else m
    base = np.repeat(gray[..., None], 3, axis=2).astype(np.float32)
    col = _colormap(m).astype(np.float32)
    out = base * (1 - alpha * m[..., None]) + col * (alpha * m[..., None])
    if contour is not None:
        edge = contour & ~(np.roll(contour, 1, 0) & np.roll(contour, -1, 0) & np.roll(contour, 1, 1)
                           & np.roll(contour, -1, 1))
        out[edge] = (0, 255, 0)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def overlays_png(cases: list[dict], path: Path, scale: int = 2) -> None:
    """cases: [{gray, maps: [(title, map)], caption, contour}] -> one row per case."""
    if not cases:
        return
    s = cases[0]["gray"].shape[0] * scale
    cols = 1 + max(len(c["maps"]) for c in cases)
    pad, cap = 8, 36
    img = Image.new("RGB", (cols * (s + pad) + pad, len(cases) * (s + cap + pad) + pad + 20), "white")
    d = ImageDraw.Draw(img)
    small = _font(12)
    titles = ["input (model view)"] + [t for t, _ in cases[0]["maps"]]
    for j, t in enumerate(titles):
        d.text((pad + j * (s + pad), 4), t, fill=(0, 0, 0), font=small)
    for i, c in enumerate(cases):
        y = 20 + pad + i * (s + cap + pad)
        g = Image.fromarray(c["gray"]).convert("RGB").resize((s, s), Image.NEAREST)
        img.paste(g, (pad, y))
        for j, (_, m) in enumerate(c["maps"]):
            ov = overlay(c["gray"], m, contour=c.get("contour")).resize((s, s), Image.NEAREST)
            img.paste(ov, (pad + (j + 1) * (s + pad), y))
        d.text((pad, y + s + 4), c["caption"], fill=(0, 0, 0), font=small)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
