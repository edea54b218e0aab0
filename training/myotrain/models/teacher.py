"""Teacher: a ResNet (BasicBlock, ResNet-18 layout by default) for one gray channel, trained from scratch.

Width and depth are knobs so the teacher fits the CPU budget; Grad-CAM reads the activations of one named stage
(`cam_layer`), which the model records on every forward pass when asked to.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True)
        self.down: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.act(y + self.down(x))


class ResNetTeacher(nn.Module):
    """ResNet for [B,1,S,S] input; returns logits [B,num_classes]."""

    def __init__(
        self,
        width: int = 32,
        blocks: Sequence[int] = (2, 2, 2, 2),
        num_classes: int = 2,
        dropout: float = 0.0,
        stem_stride: int = 2,
        stem_pool: bool = True,
        aux: bool = False,
        aux_seg_layer: str = "layer2",
    ) -> None:
        super().__init__()
        self.arch = f"resnet{2 + 2 * sum(blocks)}-w{width}"
        self.stem = nn.Sequential(
            nn.Conv2d(1, width, 7 if stem_stride > 1 else 3, stem_stride, 3 if stem_stride > 1 else 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1) if stem_pool else nn.Identity(),
        )
        stages = []
        cin = width
        for i, n in enumerate(blocks):
            cout = width * (2**i)
            layers = [BasicBlock(cin, cout, 1 if i == 0 else 2)]
            layers += [BasicBlock(cout, cout, 1) for _ in range(n - 1)]
            stages.append(nn.Sequential(*layers))
            cin = cout
        self.layer1, self.layer2, self.layer3, self.layer4 = stages  # ResNet naming; Grad-CAM picks one by name
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(cin, num_classes)
        self.record: str | None = None  # stage name whose activation is kept (with grad) for Grad-CAM
        self.recorded: torch.Tensor | None = None
        # Auxiliary heads (training only): the depth ratio from the pooled features and coarse masks (endometrium,
        # myometrium, tumour) from layer2 (stride 8). They give a from-scratch teacher a dense, anatomical signal
        # where the binary label alone is too weak; they are not part of the logits and not exported.
        self.aux_heads = aux
        self.aux_seg_layer = aux_seg_layer
        self.aux: dict[str, torch.Tensor] = {}
        if aux:
            self.depth_head = nn.Linear(cin, 1)
            sc = width * 2 ** (int(aux_seg_layer[-1]) - 1)
            self.seg_head = nn.Sequential(nn.Conv2d(sc, sc, 3, 1, 1, bias=False), nn.BatchNorm2d(sc),
                                          nn.ReLU(inplace=True), nn.Conv2d(sc, 3, 1))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        for m in self.modules():  # zero-init the last BN of each residual branch: stabler from-scratch training
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for name in ("layer1", "layer2", "layer3", "layer4"):
            x = getattr(self, name)(x)
            if self.record == name:
                self.recorded = x
            if name == self.aux_seg_layer and self.aux_heads and self.training:
                self.aux["seg"] = self.seg_head(x)
        feat = torch.flatten(self.pool(x), 1)
        if self.aux_heads and self.training:
            self.aux["depth"] = self.depth_head(feat).squeeze(1)
        return self.fc(self.drop(feat))


def build_teacher(cfg: dict) -> ResNetTeacher:
    return ResNetTeacher(
        width=int(cfg.get("width", 32)),
        blocks=tuple(cfg.get("blocks", (2, 2, 2, 2))),
        dropout=float(cfg.get("dropout", 0.0)),
        stem_stride=int(cfg.get("stem_stride", 2)),
        stem_pool=bool(cfg.get("stem_pool", True)),
        aux=float(cfg.get("aux_depth_weight", 0)) > 0 or float(cfg.get("aux_seg_weight", 0)) > 0,
        aux_seg_layer=str(cfg.get("aux_seg_layer", "layer2")),
    )
