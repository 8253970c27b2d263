# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes backward-pass fixtures from PyTorch's autograd (fixed seed) into fixtures/backward/.

Each case is a set of .npy files named <case>.<tensor>.npy in PyTorch's layouts (NCHW activations,
[Cout, Cin, kh, kw] weights): the forward inputs, the upstream gradient `dout`, and the gradients autograd
computes for each input (`dinput`, `dweight`, ...). The C test (tests/test-backward.c) converts layouts.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_backward.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "backward")


def save(case, **tensors):
    for name, t in tensors.items():
        np.save(os.path.join(OUT, f"{case}.{name}.npy"), t.detach().numpy().astype(np.float32))


def leaf(t):
    return t.clone().requires_grad_(True)


def conv_cases(g):
    # (name, N, Cin, H, W, Cout, k, stride, pad): every convolution a torchvision ResNet has, and odd ones
    cases = [
        ("conv_3x3_s1_p1", 2, 3, 7, 6, 4, 3, 1, 1),
        ("conv_3x3_s2_p1", 1, 4, 9, 8, 5, 3, 2, 1),
        ("conv_7x7_s2_p3", 1, 2, 13, 11, 3, 7, 2, 3),
        ("conv_1x1_s1_p0", 2, 6, 4, 5, 7, 1, 1, 0),
        ("conv_1x1_s2_p0", 2, 5, 7, 7, 4, 1, 2, 0),
        ("conv_5x3_s1_p2", 1, 2, 6, 5, 3, (5, 3), 1, (2, 1)),
    ]
    for name, n, cin, h, w, cout, k, s, p in cases:
        kh, kw = (k, k) if isinstance(k, int) else k
        ph, pw = (p, p) if isinstance(p, int) else p
        x = leaf(torch.randn(n, cin, h, w, generator=g))
        wt = leaf(torch.randn(cout, cin, kh, kw, generator=g) * 0.3)
        b = leaf(torch.randn(cout, generator=g))
        y = F.conv2d(x, wt, b, stride=s, padding=(ph, pw))
        dout = torch.randn(y.shape, generator=g)
        y.backward(dout)
        save(name, input=x, weight=wt, bias=b, dout=dout, dinput=x.grad, dweight=wt.grad, dbias=b.grad,
             geometry=torch.tensor([cin, cout, kh, kw, s, s, ph, pw], dtype=torch.float32))


def elementwise_cases(g):
    x = leaf(torch.randn(2, 3, 5, 4, generator=g))
    y = F.relu(x)
    dout = torch.randn(y.shape, generator=g)
    y.backward(dout)
    save("relu", input=x, output=y, dout=dout, dinput=x.grad)

    # eval-mode BatchNorm: a fixed per-channel affine of the running statistics
    c = 4
    x = leaf(torch.randn(2, c, 5, 3, generator=g))
    gamma = leaf(torch.rand(c, generator=g) + 0.5)
    beta = leaf(torch.randn(c, generator=g))
    mean = torch.randn(c, generator=g)
    var = torch.rand(c, generator=g) * 2 + 0.1
    y = F.batch_norm(x, mean, var, gamma, beta, training=False, eps=1e-5)
    dout = torch.randn(y.shape, generator=g)
    y.backward(dout)
    save("batchnorm_eval", input=x, gamma=gamma, beta=beta, running_mean=mean, running_var=var, dout=dout,
         dinput=x.grad, dgamma=gamma.grad, dbeta=beta.grad)


def pool_cases(g):
    x = leaf(torch.randn(2, 3, 11, 10, generator=g))
    with torch.no_grad():
        # an exact tie inside one window and a maximum shared by two overlapping windows
        x[0, 0, 2, 2] = x[0, 0, 2, 3] = 5.0
        x[1, 2, 4, 4] = 6.0
    y = F.max_pool2d(x, 3, 2, 1)
    dout = torch.randn(y.shape, generator=g)
    y.backward(dout)
    save("maxpool_3x3_s2_p1", input=x, dout=dout, dinput=x.grad)

    x = leaf(torch.randn(3, 4, 7, 5, generator=g))
    y = F.adaptive_avg_pool2d(x, 1).flatten(1)
    dout = torch.randn(y.shape, generator=g)
    y.backward(dout)
    save("avgpool", input=x, dout=dout, dinput=x.grad)


def linear_cases(g):
    x = leaf(torch.randn(3, 17, generator=g))
    wt = leaf(torch.randn(5, 17, generator=g))
    b = leaf(torch.randn(5, generator=g))
    y = F.linear(x, wt, b)
    dout = torch.randn(y.shape, generator=g)
    y.backward(dout)
    save("linear", input=x, weight=wt, bias=b, dout=dout, dinput=x.grad, dweight=wt.grad, dbias=b.grad)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(4321)
    conv_cases(g)
    elementwise_cases(g)
    pool_cases(g)
    linear_cases(g)


if __name__ == "__main__":
    main()
