"""Losses: class-imbalance-aware cross-entropy, logit distillation, gradient (saliency) distillation."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def weighted_ce(logits: torch.Tensor, y: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    return F.cross_entropy(logits, y, weight=weights)


def logit_kd(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton's KD: KL(teacher_T || student_T) * T^2, averaged over the batch."""
    t = temperature
    return F.kl_div(F.log_softmax(student / t, 1), F.softmax(teacher / t, 1), reduction="batchmean") * (t * t)


def saliency_target(cam: torch.Tensor, size: tuple[int, int], smoothing: float) -> torch.Tensor:
    """Teacher map [B,1,H,W] (non-negative) -> a spatial distribution [B, h*w] on the student's token grid.
    Downsampling averages, upsampling is bilinear; `smoothing` mixes in the uniform distribution (a blank
    map becomes uniform instead of undefined)."""
    h, w = size
    if cam.shape[-2:] != (h, w):
        if cam.shape[-2] >= h and cam.shape[-1] >= w:
            cam = F.adaptive_avg_pool2d(cam, (h, w))
        else:
            cam = F.interpolate(cam, size=(h, w), mode="bilinear", align_corners=False)
    p = cam.flatten(1).clamp(min=0)
    total = p.sum(1, keepdim=True)
    uniform = torch.full_like(p, 1.0 / p.shape[1])
    p = torch.where(total > 1e-12, p / total.clamp(min=1e-12), uniform)
    return (1 - smoothing) * p + smoothing * uniform


def gradient_distillation(importances: list[torch.Tensor], cam: torch.Tensor, temperature: float,
                          smoothing: float) -> torch.Tensor:
    """Mean over the sparse blocks of KL(teacher saliency || softmax(importance logits / tau)) on each grid."""
    losses = []
    for imp in importances:
        target = saliency_target(cam, imp.shape[-2:], smoothing)
        logq = F.log_softmax(imp.flatten(1) / temperature, 1)
        losses.append(F.kl_div(logq, target, reduction="batchmean"))
    return torch.stack(losses).mean()
