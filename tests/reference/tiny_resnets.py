# SPDX-License-Identifier: GPL-3.0-or-later
"""Tiny ResNets with torchvision's exact topology and state_dict keys.

torchvision's ResNet class fixes the widths at 64...512; these networks are
assembled from torchvision's own BasicBlock and Bottleneck classes, so every
block is torchvision's code, with widths small enough for committed fixtures.
"""
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck, conv1x1


class TinyResNet(nn.Module):
    def __init__(self, block, layers, widths, in_channels, num_classes, stem=8, stem_kernel=7):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, stem, stem_kernel, 2, stem_kernel // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = stem
        for i, (n, planes) in enumerate(zip(layers, widths)):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes * block.expansion:
                downsample = nn.Sequential(conv1x1(inplanes, planes * block.expansion, stride),
                                           nn.BatchNorm2d(planes * block.expansion))
            blocks = [block(inplanes, planes, stride, downsample)]
            inplanes = planes * block.expansion
            blocks += [block(inplanes, planes) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.n_stages = len(layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.n_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomise_batchnorm(model, generator):
    """Non-trivial BatchNorm statistics and affine parameters, so that folding is really tested."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=generator) * 0.8 + 0.6)
                m.bias.copy_(torch.randn(c, generator=generator) * 0.2)
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=generator) * 0.8 + 0.6)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=generator)))
    return model


# name: (block, layers, widths, input channels, classes, input height, width)
TINY = {
    "basic_c3_k2": (BasicBlock, [2, 1, 1, 1], [8, 16, 16, 24], 3, 2, 64, 64),
    "basic_c1_k14": (BasicBlock, [1, 1, 2, 1], [8, 8, 16, 16], 1, 14, 48, 56),
    "bottleneck_c1_k1": (Bottleneck, [1, 2, 1, 1], [4, 8, 8, 8], 1, 1, 64, 48),
    "bottleneck_c3_k14": (Bottleneck, [2, 1, 1, 2], [4, 4, 8, 8], 3, 14, 40, 40),
}


def make_tiny(name, seed):
    block, layers, widths, cin, classes, h, w = TINY[name]
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TinyResNet(block, layers, widths, cin, classes)
    randomise_batchnorm(model, g)
    return model.eval(), (cin, h, w)
