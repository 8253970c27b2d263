# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes per-kernel fixtures from PyTorch (fixed seed) into fixtures/kernels/.

Each case is a set of .npy files named <case>.<tensor>.npy, in PyTorch's own
layouts (NCHW activations, [Cout, Cin, kh, kw] weights). The C tests convert
to cxrcam's channel-major layout themselves.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_kernels.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "kernels")


def save(case, **tensors):
    for name, t in tensors.items():
        np.save(os.path.join(OUT, f"{case}.{name}.npy"), t.detach().numpy().astype(np.float32))


def conv_cases(g):
    # (name, N, Cin, H, W, Cout, k, stride, pad)
    cases = [
        ("conv_3x3_s1_p1", 2, 3, 9, 8, 5, 3, 1, 1),
        ("conv_3x3_s2_p1", 1, 4, 10, 11, 6, 3, 2, 1),
        ("conv_7x7_s2_p3", 1, 3, 21, 19, 4, 7, 2, 3),
        ("conv_1x1_s1_p0", 2, 8, 5, 6, 7, 1, 1, 0),
        ("conv_1x1_s2_p0", 2, 6, 9, 9, 5, 1, 2, 0),
        ("conv_5x3_s1_p2", 1, 2, 7, 6, 3, (5, 3), 1, (2, 1)),
    ]
    for name, n, cin, h, w, cout, k, s, p in cases:
        kh, kw = (k, k) if isinstance(k, int) else k
        ph, pw = (p, p) if isinstance(p, int) else p
        x = torch.randn(n, cin, h, w, generator=g)
        wt = torch.randn(cout, cin, kh, kw, generator=g) * 0.3
        b = torch.randn(cout, generator=g)
        y = F.conv2d(x, wt, b, stride=s, padding=(ph, pw))
        r = torch.randn(y.shape, generator=g)
        save(name, input=x, weight=wt, bias=b, output=y, residual=r,
             output_residual_relu=F.relu(y + r),
             geometry=torch.tensor([cin, cout, kh, kw, s, s, ph, pw], dtype=torch.float32))


def winograd_cases(g):
    """3x3 stride-1 convolutions for the Winograd path: the plane sizes of ResNet's stages
    (56, 28, 14, 7), odd sizes whose last tiles hang over the border, batch > 1, padding 0 and 2,
    and a deep one (many input channels, where transform rounding adds up). Kept small for the
    repository: the residual is drawn in the C test, and relu(output + residual) computed there."""
    # (name, N, Cin, H, W, Cout, pad)
    cases = [
        ("winograd_56x56", 1, 1, 56, 56, 2, 1),
        ("winograd_28x28", 1, 3, 28, 28, 2, 1),
        ("winograd_14x14", 2, 4, 14, 14, 3, 1),
        ("winograd_7x7", 2, 5, 7, 7, 6, 1),
        ("winograd_9x11_b3", 3, 3, 9, 11, 4, 1),
        ("winograd_5x8_p0", 2, 2, 5, 8, 3, 0),
        ("winograd_6x5_p2", 1, 3, 6, 5, 2, 2),
        ("winograd_deep", 1, 192, 6, 7, 2, 1),
    ]
    for name, n, cin, h, w, cout, p in cases:
        x = torch.randn(n, cin, h, w, generator=g)
        wt = torch.randn(cout, cin, 3, 3, generator=g) * (2.0 / (9 * cin)) ** 0.5
        b = torch.randn(cout, generator=g)
        y = F.conv2d(x, wt, b, stride=1, padding=p)
        save(name, input=x, weight=wt, bias=b, output=y,
             geometry=torch.tensor([cin, cout, 3, 3, 1, 1, p, p], dtype=torch.float32))


def bn_cases(g):
    # conv (no bias) followed by eval-mode BatchNorm with non-trivial statistics
    n, cin, h, w, cout = 2, 5, 8, 7, 6
    conv = torch.nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
    bn = torch.nn.BatchNorm2d(cout)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) * 0.3)
        bn.weight.copy_(torch.rand(cout, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(cout, generator=g))
        bn.running_mean.copy_(torch.randn(cout, generator=g))
        bn.running_var.copy_(torch.rand(cout, generator=g) * 2 + 0.1)
    bn.eval()
    x = torch.randn(n, cin, h, w, generator=g)
    with torch.no_grad():
        y = bn(conv(x))
    save("conv_bn", input=x, weight=conv.weight, gamma=bn.weight, beta=bn.bias,
         running_mean=bn.running_mean, running_var=bn.running_var, output=y)


def pool_cases(g):
    x = torch.randn(2, 3, 11, 10, generator=g)
    # plant exact ties so that the first-maximum rule is exercised
    x[0, 0, 2, 2] = x[0, 0, 2, 3] = 5.0
    y, idx = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    save("maxpool_3x3_s2_p1", input=x, output=y, indices=idx.float())
    x = torch.randn(3, 4, 7, 5, generator=g)
    save("avgpool", input=x, output=F.adaptive_avg_pool2d(x, 1).flatten(1))


def linear_cases(g):
    x = torch.randn(3, 17, generator=g)
    wt = torch.randn(5, 17, generator=g)
    b = torch.randn(5, generator=g)
    save("linear", input=x, weight=wt, bias=b, output=F.linear(x, wt, b))


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    conv_cases(g)
    bn_cases(g)
    winograd_cases(torch.Generator().manual_seed(4321))
    pool_cases(g)
    linear_cases(g)


if __name__ == "__main__":
    main()
