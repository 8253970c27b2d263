# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes training fixtures into fixtures/training/ (tests/test-train-parity.c reads them).

For each case, from a tiny ResNet of fixtures/networks/ (torchvision's topology, randomised
BatchNorm statistics):
  (inputs)               [B, N, C, H, W]: B batches, step t uses batch t % B; not stored: cases.json
                         gives their shape and seed, and both sides make them with pattern.py
  <case>.labels.npy      uint8 [B, N, K]: 0/1 labels (K = 1 for one and two outputs)
  <case>.grads.pth       the gradients of the trainable parameters after one forward/backward
                         from the initial weights on batch 0
  <case>.<opt>.losses.npy the loss of each of 20 steps (before that step's update)
  <case>.<opt>.bn.pth    every BatchNorm buffer after the 20 steps
  <case>.<opt>.fc.pth    fc.weight and fc.bias after the 20 steps
  cases.json             every case's network, freeze mode, pos_weight, inputs and optimiser settings
The learning rates are small enough that the 20 steps are well conditioned: PyTorch in float32 and
in float64 agree to about 1e-6 over them (larger rates make these tiny networks chaotic, and then
no two float32 implementations agree after a few steps, PyTorch with itself in float64 included).

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_training.py
"""
import json
import os
from collections import OrderedDict

import numpy as np
import torch

from train_common import (batchnorm_buffers, gradients, loss_function, loss_targets, make_optimizer,
                          set_train_mode, trainable_parameters)
from pattern import pattern
from tiny_resnets import TINY, TinyResNet

HERE = os.path.dirname(os.path.abspath(__file__))
NETWORKS = os.path.join(HERE, "fixtures", "networks")
OUT = os.path.join(HERE, "fixtures", "training")
STEPS = 20

# case: (network, freeze, batch size, batches, input h, w, pos_weight, {optimiser: kwargs})
CASES = {
    "ce_all": ("basic_c3_k2", "none", 4, 3, 40, 40, None,
               {"sgd": dict(lr=0.01, momentum=0.9, weight_decay=1e-3),
                "adam": dict(lr=1e-3, weight_decay=1e-4)}),
    "bce_all": ("bottleneck_c1_k1", "none", 6, 3, 64, 64, 2.0,
                {"sgd": dict(lr=0.003, momentum=0.9, dampening=0.1, weight_decay=1e-3),
                 "adamw": dict(lr=1e-4, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)}),
    "multilabel_layer4": ("basic_c1_k14", "layer4", 3, 3, 48, 56, None,
                          {"sgd": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
                           "adam": dict(lr=1e-3, weight_decay=1e-4)}),
    "ce_head": ("basic_c3_k2", "head", 4, 3, 40, 40, 1.5,
                {"sgd": dict(lr=0.05, momentum=0.9, weight_decay=1e-3),
                 "adamw": dict(lr=1e-2, weight_decay=1e-2)}),
}


# Seeds of the cases' input batches. Each is one where PyTorch in float32 and in float64 agree to
# better than 1e-6 over the 20 steps: with other inputs the tiny Bottleneck network of bce_all sits on
# ReLU edges where float32 rounding alone moves the loss by up to 5% (seed 401 does that).
INPUT_SEEDS = {"ce_all": 400, "bce_all": 421, "multilabel_layer4": 402, "ce_head": 403}


def input_spec(case, spec):
    """The shape and seed of a case's input batches."""
    network, _, n, batches, h, w = spec[:6]
    cin = TINY[network][3]
    return [batches, n, cin, h, w], INPUT_SEEDS[case]


def load_network(name):
    block, layers, widths, cin, classes, _, _ = TINY[name]
    model = TinyResNet(block, layers, widths, cin, classes)
    model.load_state_dict(torch.load(os.path.join(NETWORKS, f"{name}.pth")))
    return model, cin, classes


def run(case, spec, seed):
    network, freeze, n, batches, h, w, pos_weight, optimisers = spec
    g = torch.Generator().manual_seed(seed)
    model, cin, classes = load_network(network)
    k = 14 if classes == 14 else 1
    inputs = torch.from_numpy(pattern(*input_spec(case, spec)))
    labels = (torch.rand(batches, n, k, generator=g) < 0.4).to(torch.uint8)
    np.save(os.path.join(OUT, f"{case}.labels.npy"), labels.numpy())
    criterion = loss_function(classes, pos_weight)

    # One forward and backward from the initial weights.
    set_train_mode(model, freeze)
    loss = criterion(model(inputs[0].float()), loss_targets(classes, labels[0]))
    loss.backward()
    torch.save(gradients(model), os.path.join(OUT, f"{case}.grads.pth"))

    for kind, kwargs in optimisers.items():
        model, _, _ = load_network(network)
        set_train_mode(model, freeze)
        opt = make_optimizer(kind, trainable_parameters(model), **kwargs)
        losses = []
        for t in range(STEPS):
            opt.zero_grad()
            loss = criterion(model(inputs[t % batches].float()), loss_targets(classes, labels[t % batches]))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.save(os.path.join(OUT, f"{case}.{kind}.losses.npy"), np.array(losses, dtype=np.float32))
        torch.save(batchnorm_buffers(model), os.path.join(OUT, f"{case}.{kind}.bn.pth"))
        sd = model.state_dict()
        torch.save(OrderedDict((k_, sd[k_].clone()) for k_ in ("fc.weight", "fc.bias")),
                   os.path.join(OUT, f"{case}.{kind}.fc.pth"))


def write_cases():
    cases = {}
    for case, (network, freeze, _, _, _, _, pos_weight, optimisers) in CASES.items():
        opts = {}
        for kind, kw in optimisers.items():
            defaults = dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0) if kind == "sgd" \
                else dict(betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2 if kind == "adamw" else 0.0)
            defaults.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()})
            opts[kind] = defaults
        shape, seed = input_spec(case, CASES[case])
        cases[case] = dict(network=network, freeze=freeze, pos_weight=pos_weight or 0.0,
                           inputs=dict(shape=shape, seed=seed), optimizers=opts)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    write_cases()
    for i, (case, spec) in enumerate(CASES.items()):
        run(case, spec, 300 + i)


if __name__ == "__main__":
    main()
