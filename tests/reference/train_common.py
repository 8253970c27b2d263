# SPDX-License-Identifier: GPL-3.0-or-later
"""What a cxrcam training step is, written in PyTorch: the reference for the parity tests.

Freeze modes as cxr-resnet-train.h defines them: the frozen modules run in eval mode (running
statistics, never updated) and their parameters do not take gradients; everything else is in
train mode. Losses: BCEWithLogitsLoss for 1 output (optional pos_weight), CrossEntropyLoss for 2
(optional class weight [1, w]), BCEWithLogitsLoss over all outputs otherwise (multi-label).
Optimisers: torch.optim's single-tensor paths (foreach=False).
"""
import torch
import torch.nn as nn


def frozen_modules(model, freeze):
    """The modules that `freeze` ("head", "layer4", "none") keeps in eval mode."""
    stages = [name for name, _ in model.named_children() if name.startswith("layer")]
    if freeze == "none":
        return []
    if freeze == "head":
        keep = {"fc"}
    elif freeze == "layer4":
        keep = {"fc", stages[-1]}
    else:
        raise ValueError(freeze)
    return [m for name, m in model.named_children() if name not in keep]


def set_train_mode(model, freeze):
    model.train()
    for m in frozen_modules(model, freeze):
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)


def loss_function(outputs, pos_weight=None):
    if outputs == 2:
        weight = None if pos_weight is None else torch.tensor([1.0, pos_weight])
        return nn.CrossEntropyLoss(weight=weight)
    pw = None if pos_weight is None else torch.full((outputs,), float(pos_weight))
    return nn.BCEWithLogitsLoss(pos_weight=pw)


def loss_targets(outputs, labels):
    """labels: float [N, K] of 0/1 (K = 1 for the two-class softmax too)."""
    if outputs == 2:
        return labels[:, 0].long()
    return labels.float()


def make_optimizer(kind, params, **kw):
    if kind == "sgd":
        return torch.optim.SGD(params, foreach=False, **kw)
    if kind == "adam":
        return torch.optim.Adam(params, foreach=False, **kw)
    if kind == "adamw":
        return torch.optim.AdamW(params, foreach=False, **kw)
    raise ValueError(kind)


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def gradients(model):
    """OrderedDict of the gradients of the trainable parameters, in state_dict order."""
    from collections import OrderedDict
    return OrderedDict((name, p.grad.detach().clone()) for name, p in model.named_parameters()
                       if p.requires_grad)


def batchnorm_buffers(model):
    from collections import OrderedDict
    return OrderedDict((k, v.clone()) for k, v in model.state_dict().items()
                       if k.endswith(("running_mean", "running_var", "num_batches_tracked")))
