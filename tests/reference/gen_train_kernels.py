# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes fixtures for the training kernels into fixtures/training/kernels/ (tests/test-train-kernels.c
and tests/test-optim.c read them):

  bn_<case>.*.npy        BatchNorm2d in train mode: input (NCHW), weight, bias, running_mean/var before
                         and after one forward, output, an upstream gradient dout and PyTorch's
                         dinput, dweight, dbias; with and without a ReLU after it
  loss_<case>.*.npy      logits, targets, PyTorch's loss and d(loss)/d(logits)
  optim_<case>.*.npy     an initial parameter, 6 gradients, and the parameter after each torch.optim step
                         (the settings and each step's learning rate are in optim_cases.json)
  schedules.json         the learning rates torch.optim.lr_scheduler gives, per schedule

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_train_kernels.py
"""
import json
import math
import os
import warnings

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "training", "kernels")


def save(case, **tensors):
    for name, t in tensors.items():
        a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        np.save(os.path.join(OUT, f"{case}.{name}.npy"), a.astype(np.float32))


def bn_cases(g):
    for name, (n, c, h, w), relu in [("bn_plain", (3, 5, 6, 7), False), ("bn_relu", (2, 4, 5, 5), True),
                                     ("bn_small_plane", (2, 3, 1, 1), True)]:
        bn = nn.BatchNorm2d(c)
        with torch.no_grad():
            bn.weight.copy_(torch.rand(c, generator=g) + 0.5)
            bn.bias.copy_(torch.randn(c, generator=g) * 0.3)
            bn.running_mean.copy_(torch.randn(c, generator=g) * 0.2)
            bn.running_var.copy_(torch.rand(c, generator=g) + 0.5)
        rm0, rv0 = bn.running_mean.clone(), bn.running_var.clone()
        x = (torch.randn(n, c, h, w, generator=g) * 2 + 0.7).requires_grad_(True)
        bn.train()
        y = bn(x)
        if relu:
            y = torch.relu(y)
        dout = torch.randn(y.shape, generator=g)
        y.backward(dout)
        save(name, input=x, weight=bn.weight, bias=bn.bias, running_mean0=rm0, running_var0=rv0,
             running_mean=bn.running_mean, running_var=bn.running_var, output=y, dout=dout,
             dinput=x.grad, dweight=bn.weight.grad, dbias=bn.bias.grad, relu=torch.tensor([float(relu)]))


def loss_cases(g):
    # name: (n, outputs, pos_weight)
    for name, (n, k, pw) in {"loss_bce1": (7, 1, None), "loss_bce1_pw": (7, 1, 3.0),
                             "loss_ce2": (6, 2, None), "loss_ce2_w": (6, 2, 2.5),
                             "loss_bce14": (4, 14, None), "loss_bce14_pw": (4, 14, 1.7)}.items():
        logits = (torch.randn(n, k, generator=g) * 3).requires_grad_(True)
        labels = (torch.rand(n, 1 if k <= 2 else k, generator=g) < 0.5).float()
        logits.data[0, 0] = 40.0   # far in the tails, where a naive formula overflows
        logits.data[1, 0] = -40.0
        if k == 2:
            crit = nn.CrossEntropyLoss(weight=None if pw is None else torch.tensor([1.0, pw]))
            loss = crit(logits, labels[:, 0].long())
        else:
            crit = nn.BCEWithLogitsLoss(pos_weight=None if pw is None else torch.full((k,), pw))
            loss = crit(logits, labels)
        loss.backward()
        save(name, logits=logits, labels=labels, loss=loss.reshape(1), dlogits=logits.grad,
             pos_weight=torch.tensor([pw or 0.0]))


OPTIM_CASES = {
    "sgd_plain": ("sgd", dict(lr=0.1)),
    "sgd_momentum": ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=1e-2)),
    "sgd_nesterov": ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=5e-3)),
    "adam": ("adam", dict(lr=1e-2)),
    "adam_l2": ("adam", dict(lr=3e-3, betas=(0.8, 0.95), eps=1e-6, weight_decay=1e-2)),
    "adamw": ("adamw", dict(lr=3e-3, weight_decay=0.1)),
}


def optim_cases(g):
    from train_common import make_optimizer
    settings = {}
    for name, (kind, kw) in OPTIM_CASES.items():
        p = nn.Parameter(torch.randn(257, generator=g))
        p0 = p.detach().clone()
        grads = torch.randn(6, 257, generator=g) * torch.logspace(-4, 0, 257)
        opt = make_optimizer(kind, [p], **kw)
        # a learning rate that changes from step to step, as under a schedule
        lrs = [kw["lr"] * f for f in (1.0, 0.5, 1.0, 0.9, 0.3, 0.1)]
        after = []
        for t in range(6):
            for group in opt.param_groups:
                group["lr"] = lrs[t]
            p.grad = grads[t].clone()
            opt.step()
            after.append(p.detach().clone())
        save(name, param=p0, grads=grads, params=torch.stack(after))
        full = dict(kw)
        full.setdefault("momentum", 0.0)
        full.setdefault("dampening", 0.0)
        full.setdefault("nesterov", False)
        full.setdefault("betas", (0.9, 0.999))
        full.setdefault("eps", 1e-8)
        full.setdefault("weight_decay", 1e-2 if kind == "adamw" else 0.0)
        full["betas"] = list(full["betas"])
        settings[name] = dict(kind=kind, lrs=lrs, **full)
    with open(os.path.join(OUT, "optim_cases.json"), "w") as f:
        json.dump(settings, f, indent=1)


def torch_schedule(kind, base, warmup, total, step_size=3, gamma=0.5, eta_min=0.0):
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    S = torch.optim.lr_scheduler
    if kind == "cosine":
        main = S.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=eta_min)
    elif kind == "step":
        main = S.StepLR(opt, step_size=step_size, gamma=gamma)
    else:
        main = S.ConstantLR(opt, factor=1.0, total_iters=0)
    sched = main
    if warmup:
        warm = S.LinearLR(opt, start_factor=1.0 / (warmup + 1), end_factor=1.0, total_iters=warmup)
        sched = S.SequentialLR(opt, [warm, main], milestones=[warmup])
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def schedules():
    warnings.filterwarnings("ignore")
    out = []
    for kind in ("constant", "step", "cosine"):
        for warmup in (0, 4):
            spec = dict(kind=kind, base_lr=0.1, warmup=warmup, total=23, step_size=5, gamma=0.3, min_lr=1e-3)
            spec["lrs"] = torch_schedule(kind, 0.1, warmup, 23, 5, 0.3, 1e-3)
            out.append(spec)
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump(out, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(61)
    bn_cases(g)
    loss_cases(g)
    optim_cases(g)
    schedules()


if __name__ == "__main__":
    main()
