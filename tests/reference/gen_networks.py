"""Writes tiny-network fixtures into fixtures/networks/: <name>.pth (torch.save of the state_dict),
<name>.input.npy (a batch of 2, NCHW) and <name>.logits.npy (PyTorch's eval-mode output).

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_networks.py
"""
import json
import os

import numpy as np
import torch
import torchvision

from tiny_resnets import TINY, make_tiny

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "networks")


TORCHVISION_ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2"]


def write_torchvision_layouts():
    """state_dict keys and shapes of torchvision's own ResNets (1 input channel, 2 classes, as a
    radiograph classifier would be), so the C test can check that it builds the same layout."""
    layouts = {}
    for name in TORCHVISION_ARCHS:
        model = getattr(torchvision.models, name)(num_classes=2)
        model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        layouts[name] = [[k, list(v.shape)] for k, v in model.state_dict().items()]
    with open(os.path.join(OUT, "torchvision_layouts.json"), "w") as f:
        json.dump(layouts, f, separators=(",", ":"))


def main():
    os.makedirs(OUT, exist_ok=True)
    write_torchvision_layouts()
    for i, name in enumerate(sorted(TINY)):
        model, (cin, h, w) = make_tiny(name, seed=100 + i)
        g = torch.Generator().manual_seed(200 + i)
        x = torch.randn(2, cin, h, w, generator=g)
        with torch.no_grad():
            logits = model(x)
        torch.save(model.state_dict(), os.path.join(OUT, f"{name}.pth"))
        np.save(os.path.join(OUT, f"{name}.input.npy"), x.numpy())
        np.save(os.path.join(OUT, f"{name}.logits.npy"), logits.numpy())


if __name__ == "__main__":
    main()
