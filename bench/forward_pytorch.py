# SPDX-License-Identifier: GPL-3.0-or-later
"""Times PyTorch's forward of a torchvision ResNet the way bench-forward times cxrcam's.

    forward_pytorch.py --arch resnet50 --weights FILE.pth --input FILE.npy --batch N
                       [--runs R] [--warmup W] [--logits OUT.npy]

One process per measurement (bench/run-forward starts it), so that the peak resident set it
reports (VmHWM: loading and inference) is this side's alone. Prints one line of key=value pairs
in bench-forward's format. Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch
import torchvision


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, help="torchvision constructor, e.g. resnet50")
    parser.add_argument("--weights", required=True, help="state_dict saved by torch.save")
    parser.add_argument("--input", required=True, help="NCHW float32 .npy")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--logits", help="write the last logits here (.npy)")
    args = parser.parse_args()

    torch.set_num_threads(os.cpu_count())
    state = torch.load(args.weights, map_location="cpu")
    model = getattr(torchvision.models, args.arch)(num_classes=state["fc.weight"].shape[0])
    model.load_state_dict(state)
    model.eval()
    del state
    x = torch.from_numpy(np.load(args.input)[: args.batch].copy())

    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.runs):
            start = time.perf_counter()
            logits = model(x)
            if i >= args.warmup:
                times.append((time.perf_counter() - start) * 1e3)
    if args.logits:
        np.save(args.logits, logits.numpy())

    median = statistics.median(times)
    print(f"side=pytorch batch={args.batch} runs={args.runs} median_ms={median:.3f} min_ms={min(times):.3f} "
          f"ms_per_image={median / args.batch:.3f} peak_rss_mb={peak_rss_mb():.1f} "
          f"threads={torch.get_num_threads()} torch={torch.__version__} model=\"{args.arch}\"")


if __name__ == "__main__":
    main()
