# SPDX-License-Identifier: GPL-3.0-or-later
"""state_dict keys and shapes of torchvision's own ResNets (1 input channel, 2 classes, as a radiograph
classifier would be), for tests/test-resnet.c to check that cxrcam builds the same layout.

usage: torchvision_layouts.py OUT.json
"""
import json
import sys

import torch
import torchvision

ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2"]


def main():
    layouts = {}
    for name in ARCHS:
        model = getattr(torchvision.models, name)(num_classes=2)
        model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        layouts[name] = [[k, list(v.shape)] for k, v in model.state_dict().items()]
    with open(sys.argv[1], "w") as f:
        json.dump(layouts, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
