"""Writes tiny-network fixtures into fixtures/networks/: <name>.pth (torch.save of the state_dict),
<name>.input.npy (a batch of 2, NCHW) and <name>.logits.npy (PyTorch's eval-mode output).

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_networks.py
"""
import os

import numpy as np
import torch

from tiny_resnets import TINY, make_tiny

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "networks")


def main():
    os.makedirs(OUT, exist_ok=True)
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
