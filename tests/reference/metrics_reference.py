# SPDX-License-Identifier: GPL-3.0-or-later
"""The faithfulness metrics of pytorch-grad-cam, written again from pytorch_grad_cam/metrics/*.py, for
tests/test-cam-metrics.c. pytorch-grad-cam (and scipy, which road.py needs) are not installed here: the imputation
builds the same system as road.py's NoisyLinearImputer.setup_sparse_system, dense, and solves it with
numpy.linalg.solve (road.py: scipy's spsolve). Noise is off (noise=0), so that both sides agree number for number.

Usage: metrics_reference.py OUT_DIR NETWORK.pth SIZE
Writes into OUT_DIR, for a SIZE x SIZE three-channel input:
  impute_image.npy, impute_keep.npy, impute_out.npy   a random plane, a random mask (1 keeps), road.py's imputation
  input.npy [1, 3, SIZE, SIZE]  a gray pattern replicated and normalised with ImageNet's statistics
  map.npy [SIZE, SIZE]          a smooth map in [0, 1]
  metrics.npy                   [p, drop, increase, morf x 9, lerf x 9] for class 1 with a softmax
"""
import os
import sys

import numpy as np
import torch

from img_common import IMAGENET_MEAN, IMAGENET_STD

F32 = np.float32
NEIGHBOURS = [((1, 1), 1 / 12), ((0, 1), 1 / 6), ((-1, 1), 1 / 12), ((1, -1), 1 / 12), ((0, -1), 1 / 6),
              ((-1, -1), 1 / 12), ((1, 0), 1 / 6), ((-1, 0), 1 / 6)]
PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90]
TARGET = 1


def impute(img, mask):
    """NoisyLinearImputer.__call__ with noise 0: img [C, H, W], mask [H, W] (1 keeps)."""
    c, h, w = img.shape
    imgflat = img.reshape(c, -1).astype(np.float64)
    maskflt = mask.reshape(-1)
    indices = np.argwhere(maskflt == 0).flatten()
    coords_to_vidx = np.zeros(len(maskflt), dtype=int)
    coords_to_vidx[indices] = np.arange(len(indices))
    n = len(indices)
    a = np.zeros((n, n))
    b = np.zeros((n, c))
    sum_neighbors = np.ones(n)
    for (dy, dx), weight in NEIGHBOURS:
        row, col = indices // w + dy, indices % w + dx
        valid = ~((row < 0) | (col < 0) | (row >= h) | (col >= w))
        new_coords = indices + dy * w + dx
        valid_coords = new_coords[valid]
        valid_ids = np.argwhere(valid).flatten()
        known = maskflt[valid_coords] > 0.5
        b[valid_ids[known], :] -= weight * imgflat[:, valid_coords[known]].T
        a[valid_ids[~known], coords_to_vidx[valid_coords[~known]]] = weight
        sum_neighbors[np.argwhere(~valid).flatten()] -= weight
    a[np.arange(n), np.arange(n)] = -sum_neighbors
    res = np.linalg.solve(a, b)
    out = imgflat.copy()
    out[:, indices] = res.T
    return out.reshape(img.shape).astype(F32)


def scores(model, x):
    with torch.no_grad():
        return torch.softmax(model(torch.from_numpy(x)), dim=-1)[:, TARGET].numpy()


def road(model, x, cam, most_relevant_first):
    """ROADMostRelevantFirst / ROADLeastRelevantFirst at each percentile: p' - p."""
    p = scores(model, x)[0]
    values = cam if most_relevant_first else (1 - torch.from_numpy(cam)).numpy()
    out = []
    for q in PERCENTILES:
        threshold = np.percentile(values, q)
        keep = np.float32(torch.from_numpy(values) < threshold)   # torch compares in float32
        out.append(scores(model, impute(x[0], keep)[None])[0] - p)
    return out


def main(out_dir, network, size):
    size = int(size)
    rng = np.random.default_rng(7)

    plane = rng.random((1, 32, 32), dtype=np.float32)
    keep = np.float32(rng.random((32, 32)) < 0.4)
    np.save(os.path.join(out_dir, "impute_image.npy"), plane[0])
    np.save(os.path.join(out_dir, "impute_keep.npy"), keep)
    np.save(os.path.join(out_dir, "impute_out.npy"), impute(plane, keep)[0])

    state = torch.load(network)
    from tiny_resnets import TINY, TinyResNet
    block, layers, widths, channels, classes = TINY["basic_c3_k2"][:5]
    model = TinyResNet(block, layers, widths, channels, classes).eval()
    model.load_state_dict(state)

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    gray = (0.5 + 0.3 * np.sin(6 * xx) * np.cos(4 * yy) + 0.05 * rng.standard_normal((size, size))).astype(F32)
    x = np.stack([(gray - F32(m)) / F32(s) for m, s in zip(IMAGENET_MEAN, IMAGENET_STD)])[None].astype(F32)
    cam = np.exp(-((xx - 0.6) ** 2 + (yy - 0.4) ** 2) / 0.05).astype(F32)
    cam = ((cam - cam.min()) / (cam.max() - cam.min())).astype(F32)
    np.save(os.path.join(out_dir, "input.npy"), x)
    np.save(os.path.join(out_dir, "map.npy"), cam)

    p = scores(model, x)[0]
    after = scores(model, x * cam[None, None])[0]
    drop, increase = max(p - after, 0.0), float(after > p)
    morf = road(model, x, cam, True)
    lerf = road(model, x, cam, False)
    np.save(os.path.join(out_dir, "metrics.npy"), np.float32([p, drop, increase] + morf + lerf))


if __name__ == "__main__":
    main(*sys.argv[1:])
