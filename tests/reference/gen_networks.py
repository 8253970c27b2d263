# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tiny-network fixtures into fixtures/networks/: <name>.pth (torch.save of the state_dict) and
<name>.logits.npy (PyTorch's eval-mode output for the network's input batch). The inputs are not stored:
inputs.json gives each batch's shape and seed, and both sides make it with pattern.py's generator
(cxr_test_network_input in C).

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_networks.py
"""
import json
import os

import numpy as np
import torch

from pattern import pattern
from tiny_resnets import TINY, make_tiny

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "networks")


def network_inputs():
    """{name: {"shape": [2, C, H, W], "seed": s}} for every tiny network."""
    inputs = {}
    for i, name in enumerate(sorted(TINY)):
        _, _, _, cin, _, h, w = TINY[name]
        inputs[name] = {"shape": [2, cin, h, w], "seed": 200 + i}
    return inputs


def network_input(spec):
    return torch.from_numpy(pattern(spec["shape"], spec["seed"]))


def main():
    os.makedirs(OUT, exist_ok=True)
    inputs = network_inputs()
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump(inputs, f, indent=1, sort_keys=True)
        f.write("\n")
    for i, name in enumerate(sorted(TINY)):
        model, _ = make_tiny(name, seed=100 + i)
        with torch.no_grad():
            logits = model(network_input(inputs[name]))
        torch.save(model.state_dict(), os.path.join(OUT, f"{name}.pth"))
        np.save(os.path.join(OUT, f"{name}.logits.npy"), logits.numpy())


if __name__ == "__main__":
    main()
