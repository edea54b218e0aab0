"""Counts multiply-accumulates (MACs) and parameters with forward hooks, batch 1.

Counted: every Conv2d (output elements x input channels per group x kernel area), every Linear (output elements x
input features: applied to k selected tokens it counts k rows), and the two attention products of each
TokenAttention (q.k^T and attn.v over the k selected tokens: 2 * k * k * d). Not counted (as is usual): batch
norm, layer norm, activations, softmax, pooling, the residual additions, TopK/gather/scatter.
"""

from __future__ import annotations

import torch
from torch import nn

from .models.lsnet import TokenAttention


def count_macs(model: nn.Module, input_size: int, channels: int = 1) -> dict[str, int]:
    totals = {"conv": 0, "linear": 0, "attention": 0}
    handles = []

    def conv_hook(m: nn.Conv2d, _inp, out) -> None:
        kh, kw = m.kernel_size
        totals["conv"] += out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear_hook(m: nn.Linear, _inp, out) -> None:
        totals["linear"] += out.numel() * m.in_features

    def attn_hook(m: TokenAttention, _inp, _out) -> None:
        totals["attention"] += m.last_matmul_macs

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, TokenAttention):
            handles.append(m.register_forward_hook(attn_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, channels, input_size, input_size))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    totals["total"] = totals["conv"] + totals["linear"] + totals["attention"]
    return totals


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
