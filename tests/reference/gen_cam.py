# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes Grad-CAM fixtures for the tiny networks of fixtures/networks/ into fixtures/cam/.

For every tiny network, the first image of its input batch (gen_networks.network_input), a target class (<name>.target.npy) and every
residual block "layerS.B":
  <name>.<layer>.grad.npy  d logit[target] / d A, [C, H, W] (PyTorch autograd)
  <name>.<layer>.maps.npy  [4, H, W]: raw Grad-CAM, raw Grad-CAM++ (max (sum_k w_k A_k, 0)), and both
                           min-max normalised as scale_cam_image does
and for the last block <name>.upsampled.npy: the normalised Grad-CAM upsampled to 37 x 53.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_cam.py
"""
import os

import numpy as np
import torch

from cam_reference import activations_and_gradients, block_names, raw_cam, scale_cam, upsample
from gen_networks import network_input, network_inputs
from tiny_resnets import TINY, make_tiny

HERE = os.path.dirname(os.path.abspath(__file__))
NETWORKS = os.path.join(HERE, "fixtures", "networks")
OUT = os.path.join(HERE, "fixtures", "cam")
UPSAMPLED = (37, 53)


def main():
    os.makedirs(OUT, exist_ok=True)
    inputs = network_inputs()
    for i, name in enumerate(sorted(TINY)):
        model, _ = make_tiny(name, seed=100 + i)
        model.load_state_dict(torch.load(os.path.join(NETWORKS, f"{name}.pth")))
        model.eval()
        x = network_input(inputs[name])[:1].clone()
        classes = model.fc.out_features
        target = {1: 0, 2: 1}.get(classes, 3)
        np.save(os.path.join(OUT, f"{name}.target.npy"), np.float32([target]))
        layers = block_names(model)
        for layer in layers:
            a, g, _ = activations_and_gradients(model, x, layer, target)
            maps = [raw_cam("gradcam", a, g), raw_cam("gradcam++", a, g)]
            maps += [scale_cam(m) for m in maps]
            np.save(os.path.join(OUT, f"{name}.{layer}.grad.npy"), g[0].astype(np.float32))
            np.save(os.path.join(OUT, f"{name}.{layer}.maps.npy"), np.stack(maps).astype(np.float32))
        np.save(os.path.join(OUT, f"{name}.upsampled.npy"), upsample(maps[2], *UPSAMPLED))


if __name__ == "__main__":
    main()
