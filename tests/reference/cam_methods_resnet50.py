# SPDX-License-Identifier: GPL-3.0-or-later
"""Live reference for every CAM method on real images: the seeded torchvision ResNet-50 of cam_resnet50.py and
the maps of cam_methods.py (pytorch-grad-cam's formulas).

Usage: cam_methods_resnet50.py OUT_DIR CASES SIZE IMAGE...
CASES is a semicolon-separated list of METHOD:LAYERS:FLAGS, LAYERS comma-separated canonical blocks
("layer3.5,layer4.2"), FLAGS empty, "aug", "eigen" or "aug+eigen"; the input is SIZE x SIZE (224: the default
card's). Writes OUT_DIR/resnet50.pth (the state_dict) and
for each image and case OUT_DIR/<image>.<METHOD>.<LAYERS>.<FLAGS>.npy: the normalised map (at the layer's resolution
with one layer, at the input's when fused or smoothed). OUT_DIR/signs.txt lists the cases where a 2D projection
took the sign opposite to LAPACK's.
"""
import os
import sys

import numpy as np
import torch

from cam_methods import aug_smooth, one_pass
from cam_resnet50 import TARGET, make_model
from img_common import IMAGENET_MEAN, IMAGENET_STD, load_gray_pil, preprocess


def main(args):
    out_dir, cases, size, images = args[0], args[1].split(";"), int(args[2]), args[3:]
    torch.set_num_threads(2)
    model = make_model()
    torch.save(model.state_dict(), os.path.join(out_dir, "resnet50.pth"))
    flipped = []
    for path in images:
        gray = load_gray_pil(path)
        x = torch.from_numpy(preprocess(gray, size, size, 3, IMAGENET_MEAN, IMAGENET_STD))[None]
        for case in cases:
            method, layers, flags = case.split(":")
            layer_list = layers.split(",")
            eigen = "eigen" in flags
            if "aug" in flags:
                cam, kept = aug_smooth(model, x, method, layer_list, TARGET, eigen)
            else:
                cam, _, kept = one_pass(model, x, method, layer_list, TARGET, eigen)
            name = f"{os.path.basename(path)}.{method}.{layers}.{flags or 'plain'}.npy"
            np.save(os.path.join(out_dir, name), cam.astype(np.float32))
            if not kept:
                flipped.append(name)
    with open(os.path.join(out_dir, "signs.txt"), "w") as f:
        f.write("".join(n + "\n" for n in flipped))


if __name__ == "__main__":
    main(sys.argv[1:])
