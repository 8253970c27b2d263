# SPDX-License-Identifier: GPL-3.0-or-later
"""Live preprocessing reference for real images, the way a torchvision training script prepares them.

Usage: img_preprocess.py OUT_DIR HEIGHT WIDTH CHANNELS MEAN0 MEAN1 MEAN2 STD0 STD1 STD2 IMAGE...
For each IMAGE writes OUT_DIR/<basename>.gray.npy (PIL decode -> float32 [0, 1] gray, [h, w]) and
OUT_DIR/<basename>.input.npy (interpolate bilinear, align_corners=False, antialias=True -> replicate to
CHANNELS -> Normalize(mean, std), float32 [CHANNELS, HEIGHT, WIDTH]).
"""
import os
import sys

import numpy as np

from img_common import load_gray_pil, preprocess


def main(args):
    out_dir, height, width, channels = args[0], int(args[1]), int(args[2]), int(args[3])
    mean = [float(v) for v in args[4:7]]
    std = [float(v) for v in args[7:10]]
    for path in args[10:]:
        base = os.path.join(out_dir, os.path.basename(path))
        gray = load_gray_pil(path)
        np.save(base + ".gray.npy", gray)
        np.save(base + ".input.npy", preprocess(gray, height, width, channels, mean, std))


if __name__ == "__main__":
    main(sys.argv[1:])
