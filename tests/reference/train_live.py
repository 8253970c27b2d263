# SPDX-License-Identifier: GPL-3.0-or-later
"""Live PyTorch reference for tests/test-train-live.c (torchvision's own networks, full size).

  train_live.py reference DIR ARCH FREEZE STEPS LR MOMENTUM WEIGHT_DECAY
      reads DIR/init.pth (written by cxrcam), DIR/inputs.npy [N, C, H, W] and DIR/labels.npy [N, K];
      writes DIR/grads.pth (the trainable parameters' gradients after one forward/backward from
      init), DIR/conditioning.txt (the largest difference between those gradients in float32 and in
      float64, relative to each tensor's largest element: how well-posed the comparison is),
      DIR/bn_first.pth (the BatchNorm buffers after that forward pass), DIR/losses.npy (the loss of each of
      STEPS SGD steps from init), DIR/bn.pth (every BatchNorm buffer after them) and
      DIR/steps_conditioning.txt (the largest difference between those buffers in float32 and in float64)
      and DIR/relu_margin.txt ("MARGIN NOISE STEP": over the SGD steps, the smallest magnitude of an
      input to a trainable module's ReLU in float64, the largest difference between those inputs in
      float32 and in float64, and the step of the smallest: how far ReLU's masks are from a rounding)
  train_live.py logits DIR ARCH CHECKPOINT INPUTS
      torch.load(CHECKPOINT) into torchvision.models.<ARCH>(num_classes from the checkpoint) with
      load_state_dict(strict=True), eval mode, and writes DIR/logits.npy for INPUTS (.npy, NCHW)
"""
import os
import sys

import numpy as np
import torch
import torchvision

from train_common import (batchnorm_buffers, frozen_modules, gradients, loss_function, loss_targets,
                          make_optimizer, set_train_mode, trainable_parameters)


def build(arch, state):
    classes = state["fc.weight"].shape[0]
    model = getattr(torchvision.models, arch)(num_classes=classes)
    cin = state["conv1.weight"].shape[1]
    if cin != 3:
        model.conv1 = torch.nn.Conv2d(cin, 64, 7, 2, 3, bias=False)
    model.load_state_dict(state, strict=True)
    return model, classes


def reference(d, arch, freeze, steps, lr, momentum, weight_decay):
    torch.set_num_threads(2)
    state = torch.load(os.path.join(d, "init.pth"))
    inputs = torch.from_numpy(np.load(os.path.join(d, "inputs.npy")))
    labels = torch.from_numpy(np.load(os.path.join(d, "labels.npy"))).float()
    model, classes = build(arch, state)
    criterion = loss_function(classes)
    targets = loss_targets(classes, labels)

    set_train_mode(model, freeze)
    criterion(model(inputs), targets).backward()
    grads = gradients(model)
    torch.save(grads, os.path.join(d, "grads.pth"))
    torch.save(batchnorm_buffers(model), os.path.join(d, "bn_first.pth"))

    model64, _ = build(arch, state)
    model64 = model64.double()
    set_train_mode(model64, freeze)
    criterion(model64(inputs.double()), targets if classes == 2 else targets.double()).backward()
    grads64 = gradients(model64)
    worst = max(((grads[k].double() - grads64[k]).abs().max() / grads64[k].abs().max()).item() for k in grads)
    with open(os.path.join(d, "conditioning.txt"), "w") as f:
        f.write(f"{worst!r}\n")

    bn32, losses, relu32 = sgd_steps(build(arch, state)[0], freeze, criterion, inputs, targets, steps, lr,
                                     momentum, weight_decay)
    np.save(os.path.join(d, "losses.npy"), np.array(losses, dtype=np.float32))
    torch.save(bn32, os.path.join(d, "bn.pth"))

    # The same steps in float64: how far float32's own rounding can move the running statistics after them.
    bn64, _, relu64 = sgd_steps(build(arch, state)[0].double(), freeze, criterion, inputs.double(),
                                targets if classes == 2 else targets.double(), steps, lr, momentum, weight_decay)
    worst = max((bn32[k].double() - bn64[k]).abs().max().item() for k in bn32 if not k.endswith("tracked"))
    with open(os.path.join(d, "steps_conditioning.txt"), "w") as f:
        f.write(f"{worst!r}\n")

    # That comparison can agree by luck: an input to ReLU within float32 rounding of zero sends its gradient
    # either way, and PyTorch's float32 may happen to fall on float64's side where cxrcam's does not.
    margins = [min(x.abs().min().item() for x in step) for step in relu64]
    noise = max((a.double() - b).abs().max().item() for s32, s64 in zip(relu32, relu64) for a, b in zip(s32, s64))
    step = int(np.argmin(margins))
    with open(os.path.join(d, "relu_margin.txt"), "w") as f:
        f.write(f"{margins[step]!r} {noise!r} {step}\n")


def sgd_steps(model, freeze, criterion, inputs, targets, steps, lr, momentum, weight_decay):
    """Returns the BatchNorm buffers after the steps, the losses and, for each step, the inputs of the
    ReLUs in the trainable modules (a pre-hook: torchvision's ReLUs work in place)."""
    set_train_mode(model, freeze)
    opt = make_optimizer("sgd", trainable_parameters(model), lr=lr, momentum=momentum, weight_decay=weight_decay)
    frozen = frozen_modules(model, freeze)
    relu_inputs = []
    for module in model.modules():
        if isinstance(module, torch.nn.ReLU) and not any(module in set(f.modules()) for f in frozen):
            module.register_forward_pre_hook(lambda m, args: relu_inputs[-1].append(args[0].detach().clone()))
    losses = []
    for _ in range(steps):
        relu_inputs.append([])
        opt.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return batchnorm_buffers(model), losses, relu_inputs


def logits(d, arch, checkpoint, inputs_path):
    state = torch.load(checkpoint)
    model, _ = build(arch, state)
    model.eval()
    inputs = torch.from_numpy(np.load(inputs_path))
    with torch.no_grad():
        out = model(inputs)
    np.save(os.path.join(d, "logits.npy"), out.numpy())


def main():
    mode, d, arch = sys.argv[1:4]
    if mode == "reference":
        freeze, steps, lr, momentum, wd = sys.argv[4:9]
        reference(d, arch, freeze, int(steps), float(lr), float(momentum), float(wd))
    elif mode == "logits":
        logits(d, arch, sys.argv[4], sys.argv[5])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
