# SPDX-License-Identifier: GPL-3.0-or-later
"""Times PyTorch's training step of a torchvision ResNet the way bench-train times cxrcam's.

    train_pytorch.py --arch resnet50 --weights FILE.pth --input FILE.npy [--batch 16] [--runs 5]
                     [--warmup 1] [--threads 2]

A step: zero_grad, forward in train mode, CrossEntropyLoss (labels 0, 1, 0, 1, ...), backward, SGD
(lr 0.01, momentum 0.9, weight decay 1e-4, foreach=False). One process per measurement
(bench/run-train starts it), so that its peak resident set (VmHWM) is this side's alone. Prints one
line of key=value pairs in bench-train's format; first_loss is the loss of the first (warm-up)
step, from the initial weights. Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
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
    parser.add_argument("--arch", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    state = torch.load(args.weights, map_location="cpu")
    model = getattr(torchvision.models, args.arch)(num_classes=state["fc.weight"].shape[0])
    model.load_state_dict(state)
    del state
    model.train()
    x = torch.from_numpy(np.load(args.input)[: args.batch].copy())
    y = torch.arange(args.batch) % 2
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4, foreach=False)

    times, cpu, first_loss = [], [], None
    for i in range(args.warmup + args.runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        elapsed = (time.perf_counter() - start) * 1e3
        if first_loss is None:
            first_loss = loss.item()
        if i >= args.warmup:
            times.append(elapsed)
            cpu.append((time.process_time() - cpu_start) * 1e3)

    median = statistics.median(times)
    print(f"side=pytorch arch={args.arch} batch={args.batch} ms_per_step={median:.1f} best_ms_per_step={min(times):.1f} "
          f"ms_per_image={median / args.batch:.2f} cpu_ms_per_step={statistics.median(cpu):.0f} first_loss={first_loss:.7f} peak_rss_mb={peak_rss_mb():.0f} "
          f"threads={torch.get_num_threads()} torch={torch.__version__}")


if __name__ == "__main__":
    main()
