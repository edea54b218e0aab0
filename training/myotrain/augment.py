"""Batched training augmentation on preloaded, preprocessed tensors (cheap on 2 cores).

The preprocessing contract is applied once when the split is loaded; augmentation then works in raw intensity
space (x * std + mean, 0..1, where the fan's outside is 0): horizontal flip (exact: the half-pixel resize commutes
with it), a small random scale/shift of the frame (the daemon's region-of-interest crop is not pixel-exact; the
outside is filled with black), gain and gamma (scanner settings) and multiplicative noise inside the fan. The same
flip and affine transform is applied to the teacher's saliency maps so gradient distillation stays aligned.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def augment_batch(x: torch.Tensor, maps: torch.Tensor | None, cfg: dict, mean: float, std: float,
                  gen: torch.Generator, maps_mirror: torch.Tensor | None = None,
                  ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """x [B,1,S,S] normalised; maps [B,1,h,w] or None. Returns (x', maps', flipped [B] bool).
    maps_mirror, when given, holds the maps computed on the mirrored images (in their own coordinates): a flipped
    sample takes that map as it is instead of the flipped original map."""
    b = x.shape[0]
    dev = x.device

    def rand(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=gen).to(dev)

    flip = (rand(b) < 0.5) if cfg.get("hflip", True) else torch.zeros(b, dtype=torch.bool, device=dev)
    raw = x * std + mean
    raw = torch.where(flip[:, None, None, None], raw.flip(-1), raw)
    if maps is not None:
        alt = maps_mirror if maps_mirror is not None else maps.flip(-1)
        maps = torch.where(flip[:, None, None, None], alt, maps)
    sc, sh = float(cfg.get("scale", 0.0)), float(cfg.get("shift", 0.0))
    if sc > 0 or sh > 0:
        s = 1.0 + (rand(b) * 2 - 1) * sc
        t = (rand(b, 2) * 2 - 1) * sh * 2  # affine_grid works in [-1, 1]: a shift of `sh` image widths
        theta = torch.zeros(b, 2, 3, device=dev)
        theta[:, 0, 0] = 1 / s
        theta[:, 1, 1] = 1 / s
        theta[:, :, 2] = t
        grid = F.affine_grid(theta, list(raw.shape), align_corners=False)
        raw = F.grid_sample(raw, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        if maps is not None:
            mgrid = F.affine_grid(theta, list(maps.shape), align_corners=False)
            maps = F.grid_sample(maps, mgrid, mode="bilinear", padding_mode="zeros", align_corners=False)
    inside = raw > 0
    g, gm = float(cfg.get("gain", 0.0)), float(cfg.get("gamma", 0.0))
    if gm > 0:
        gamma = torch.exp((rand(b) * 2 - 1) * gm)[:, None, None, None]
        raw = raw.clamp(min=1e-6) ** gamma
    if g > 0:
        raw = raw * (1 + (rand(b) * 2 - 1) * g)[:, None, None, None]
    nz = float(cfg.get("noise", 0.0))
    if nz > 0:
        noise = torch.randn(raw.shape, generator=gen).to(dev) * nz
        raw = raw * (1 + noise)
    raw = torch.where(inside, raw.clamp(0, 1), torch.zeros_like(raw))
    return (raw - mean) / std, maps, flip
