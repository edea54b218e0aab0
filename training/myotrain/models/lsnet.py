"""LSNet, the student: a MobileViT-style network with sparse token attention.

Layout: a strided stem, then stages of inverted-residual (MobileNetV2) blocks; a stage may end in a MobileViT block
whose transformer is *sparse*: a learned importance score ranks the tokens (one per feature-map cell), only the
top-k tokens take part in self-attention (k x k instead of N x N products) and their update is gated by the
sigmoid of their score, so the score learns from the task loss as well as from the gradient-distillation loss.
Outputs: class logits [B,2] and a coarse attention map [B,1,h,w] (the spatial softmax of the first sparse block's
importance logits; it sums to 1 over the map). Everything exports to ONNX opset 17 (TopK, GatherElements,
ScatterElements, LayerNormalization).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn


class ConvBNAct(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: bool = True) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.SiLU(inplace=True) if act else nn.Identity(),
        )


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNAct(cin, hidden, 1))
        layers += [ConvBNAct(hidden, hidden, 3, stride, groups=hidden), ConvBNAct(hidden, cout, 1, act=False)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


class TokenAttention(nn.Module):
    """Multi-head self-attention over the k selected tokens. Counts its own matmul MACs for flops.py."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        assert dim % heads == 0, "token dim must divide by heads"
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.last_matmul_macs = 0  # per sample: q.k^T and attn.v, set on each forward

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        h = self.heads
        qkv = self.qkv(x).reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.softmax((q * self.scale) @ k.transpose(-2, -1), dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(b, n, d)
        self.last_matmul_macs = 2 * n * n * d
        return self.proj(y)


class SparseTransformerLayer(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = TokenAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.SiLU(), nn.Dropout(dropout), nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
        x = x + gate * self.attn(self.norm1(x))
        return x + gate * self.mlp(self.norm2(x))


class SparseMobileViTBlock(nn.Module):
    """Local conv representation -> tokens -> top-k sparse transformer -> fold -> fuse with the input."""

    def __init__(self, channels: int, dim: int, depth: int, heads: int, topk: float, mlp_ratio: float,
                 dropout: float) -> None:
        super().__init__()
        self.local = nn.Sequential(ConvBNAct(channels, channels, 3), nn.Conv2d(channels, dim, 1, bias=False))
        self.score_norm = nn.LayerNorm(dim)
        self.score = nn.Linear(dim, 1)
        self.layers = nn.ModuleList(SparseTransformerLayer(dim, heads, mlp_ratio, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.project = ConvBNAct(dim, channels, 1)
        self.fuse = ConvBNAct(2 * channels, channels, 3)
        self.topk = topk  # fraction of tokens (<= 1) or an absolute count (> 1)

    def k_for(self, n: int) -> int:
        k = int(self.topk) if self.topk > 1 else int(math.ceil(self.topk * n))
        return max(1, min(n, k))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, c, hgt, wid = x.shape
        y = self.local(x)
        d = y.shape[1]
        n = hgt * wid
        tokens = y.flatten(2).transpose(1, 2)  # [B, N, d]
        logits = self.score(self.score_norm(tokens)).squeeze(-1)  # [B, N] importance logits
        k = self.k_for(n)
        top = torch.topk(logits, k, dim=1).indices  # [B, k]
        idx = top.unsqueeze(-1).expand(b, k, d)
        sel = torch.gather(tokens, 1, idx)
        gate = torch.sigmoid(torch.gather(logits, 1, top)).unsqueeze(-1)
        for layer in self.layers:
            sel = layer(sel, gate)
        sel = self.norm(sel)
        tokens = tokens.scatter(1, idx, sel)
        y = tokens.transpose(1, 2).reshape(b, d, hgt, wid)
        y = self.project(y)
        return self.fuse(torch.cat([x, y], dim=1)), logits.reshape(b, 1, hgt, wid)


@dataclass
class StageSpec:
    out: int
    stride: int
    blocks: int
    expand: int
    vit_dim: int = 0
    vit_depth: int = 0
    heads: int = 2
    topk: float = 0.25


class LSNet(nn.Module):
    """Returns (logits [B,2], attention [B,1,h,w], importance logits of every sparse block)."""

    def __init__(self, stem: int, stages: Sequence[StageSpec], head: int, num_classes: int = 2,
                 mlp_ratio: float = 2.0, dropout: float = 0.1) -> None:
        super().__init__()
        self.stem = ConvBNAct(1, stem, 3, 2)
        blocks: list[nn.Module] = []
        self.vit_index: list[int] = []
        cin = stem
        for s in stages:
            for i in range(s.blocks):
                blocks.append(InvertedResidual(cin, s.out, s.stride if i == 0 else 1, s.expand))
                cin = s.out
            if s.vit_depth > 0:
                self.vit_index.append(len(blocks))
                blocks.append(SparseMobileViTBlock(cin, s.vit_dim, s.vit_depth, s.heads, s.topk, mlp_ratio, dropout))
        if not self.vit_index:
            raise ValueError("LSNet needs at least one sparse transformer stage (it provides the attention map)")
        self.blocks = nn.ModuleList(blocks)
        self.head = ConvBNAct(cin, head, 1)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(head, num_classes)
        self.arch = "lsnet-" + "-".join(f"{s.out}" + (f"v{s.vit_dim}x{s.vit_depth}" if s.vit_depth else "")
                                        for s in stages)

    def forward_all(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
        x = self.stem(x)
        importances: list[torch.Tensor] = []
        for blk in self.blocks:
            if isinstance(blk, SparseMobileViTBlock):
                x, imp = blk(x)
                importances.append(imp)
            else:
                x = blk(x)
        x = self.head(x)
        logits = self.fc(self.drop(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)))
        first = importances[0]
        b, _, h, w = first.shape
        attention = torch.softmax(first.reshape(b, h * w), dim=1).reshape(b, 1, h, w)
        return logits, attention, importances

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, attention, _ = self.forward_all(x)
        return logits, attention


def build_student(cfg: dict[str, Any]) -> LSNet:
    stages = [StageSpec(**{k: v for k, v in s.items()}) for s in cfg["stages"]]
    return LSNet(
        stem=int(cfg.get("stem", 16)),
        stages=stages,
        head=int(cfg.get("head", 256)),
        mlp_ratio=float(cfg.get("mlp_ratio", 2.0)),
        dropout=float(cfg.get("dropout", 0.1)),
    )
