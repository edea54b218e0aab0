"""The teacher's gradient-based saliency: Grad-CAM on one stage (default) or input-gradient maps.

Computed once per training image (and its horizontal mirror, the augmentation the student sees most) together with
the teacher's logits, and cached on disk: students then train without running the teacher.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .models.teacher import ResNetTeacher


def _targets(logits: torch.Tensor, labels: torch.Tensor | None, mode: str) -> torch.Tensor:
    """The scalar per sample whose gradient is explained."""
    if mode == "label" and labels is not None:
        return logits.gather(1, labels[:, None]).squeeze(1)
    if mode == "predicted":
        return logits.gather(1, logits.argmax(1, keepdim=True)).squeeze(1)
    return logits[:, 1] - logits[:, 0]  # "margin": evidence for invasion


def saliency_batch(teacher: ResNetTeacher, x: torch.Tensor, labels: torch.Tensor | None, method: str, target: str,
                   layer: str, grid: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Returns (logits [B,2], maps [B,1,h,w] >= 0). Grad-CAM maps come at the stage's own resolution; input
    gradients are |d score / d x| average-pooled to `grid` x `grid`."""
    teacher.eval()
    if method == "gradcam":
        teacher.record = layer
        try:
            with torch.enable_grad():
                x = x.detach()
                logits = teacher(x)
                act = teacher.recorded
                assert act is not None, f"teacher has no stage {layer!r}"
                score = _targets(logits, labels, target)
                (grad,) = torch.autograd.grad(score.sum(), act)
        finally:
            teacher.record = None
            teacher.recorded = None
        weights = grad.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * act).sum(1, keepdim=True))
        return logits.detach(), cam.detach()
    with torch.enable_grad():
        xi = x.detach().clone().requires_grad_(True)
        logits = teacher(xi)
        score = _targets(logits, labels, target)
        (grad,) = torch.autograd.grad(score.sum(), xi)
    m = F.adaptive_avg_pool2d(grad.abs(), grid)
    return logits.detach(), m.detach()


def compute_cache(teacher: ResNetTeacher, x: np.ndarray, y: np.ndarray, cfg: dict, device: torch.device,
                  batch: int = 128, log=print) -> dict[str, np.ndarray]:
    """For every image and its mirror: logits [2,N,2] and maps [2,N,h,w] (float32)."""
    sal = cfg["saliency"]
    size = int(cfg["input"]["size"])
    grid = int(sal.get("grid", size // 16))
    logits_all, maps_all = [], []
    teacher.to(device)
    for flip in (False, True):
        ls, ms = [], []
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(x[i:i + batch])[:, None].to(device)
            if flip:
                xb = xb.flip(-1)
            yb = torch.from_numpy(y[i:i + batch]).to(device)
            lg, mp = saliency_batch(teacher, xb, yb, sal["method"], sal["target"], cfg["teacher"]["cam_layer"], grid)
            ls.append(lg.cpu())
            ms.append(mp.float().cpu())
        logits_all.append(torch.cat(ls).numpy())
        maps_all.append(torch.cat(ms)[:, 0].numpy())
        log(f"saliency: {'mirrored' if flip else 'original'} images done ({len(x)})")
    return {"logits": np.stack(logits_all).astype(np.float32), "maps": np.stack(maps_all).astype(np.float32)}
