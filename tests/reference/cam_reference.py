# SPDX-License-Identifier: GPL-3.0-or-later
"""Grad-CAM and Grad-CAM++ the way pytorch-grad-cam computes them, with PyTorch's autograd.

Written from pytorch-grad-cam's base_cam.py, grad_cam.py, grad_cam_plusplus.py and utils/image.py
(scale_cam_image), which are not installed here. The C code (src/core/cam/cxr-cam*.c) is checked against
these functions by gen_cam.py (committed fixtures of tiny networks) and cam_resnet50.py (a live run on
NIH images). Nothing here calls cxrcam.
"""
import numpy as np
import torch
import torch.nn.functional as F

F32 = np.float32


def block_names(model):
    """Every residual block as "layerS.B", in network order."""
    names = []
    for s in range(1, 5):
        stage = getattr(model, f"layer{s}", None)
        if stage is None:
            break
        names += [f"layer{s}.{b}" for b in range(len(stage))]
    return names


def block_module(model, name):
    stage, block = name[len("layer"):].split(".")
    return getattr(model, f"layer{stage}")[int(block)]


def activations_and_gradients(model, x, layer, target_class, input_requires_grad=False):
    """A and d score / d A at one block for a [1, C, H, W] input, score = logit[target_class]
    (ClassifierOutputTarget), as pytorch-grad-cam's ActivationsAndGradients records them. With frozen
    parameters the input must require grad for autograd to reach the block (input_requires_grad)."""
    saved = {}

    def forward_hook(module, inputs, output):
        saved["activations"] = output.detach().clone()

        def store_grad(grad):
            saved["gradients"] = grad.detach().clone()

        output.register_hook(store_grad)

    handle = block_module(model, layer).register_forward_hook(forward_hook)
    try:
        model.eval()
        model.zero_grad()
        x = x if input_requires_grad else x.clone().requires_grad_(False)
        logits = model(x)
        score = logits[0, target_class]
        score.backward()
    finally:
        handle.remove()
    return saved["activations"].numpy(), saved["gradients"].numpy(), logits.detach().numpy()[0]


def gradcam_weights(activations, grads):
    """grad_cam.py: the spatial mean of the gradients."""
    return np.mean(grads, axis=(2, 3))


def gradcampp_weights(activations, grads):
    """grad_cam_plusplus.py: equation 19 of Chattopadhyay et al. with pytorch-grad-cam's eps."""
    grads_power_2 = grads ** 2
    grads_power_3 = grads_power_2 * grads
    sum_activations = np.sum(activations, axis=(2, 3))
    eps = 0.000001
    aij = grads_power_2 / (2 * grads_power_2 + sum_activations[:, :, None, None] * grads_power_3 + eps)
    aij = np.where(grads != 0, aij, 0)
    weights = np.maximum(grads, 0) * aij
    return np.sum(weights, axis=(2, 3))


METHODS = {"gradcam": gradcam_weights, "gradcam++": gradcampp_weights}


def raw_cam(method, activations, grads):
    """base_cam.py get_cam_image then np.maximum(cam, 0): [H, W]."""
    weights = METHODS[method](activations, grads)
    cam = (weights[:, :, None, None] * activations).sum(axis=1)
    return np.maximum(cam, 0)[0]


def scale_cam(cam):
    """utils/image.py scale_cam_image without resizing: min-max with eps 1e-7."""
    img = cam - np.min(cam)
    img = img / (1e-7 + np.max(img))
    return np.float32(img)


def upsample(cam, height, width):
    """Bilinear, align_corners=False, to the original image's size (cxrcam's choice; pytorch-grad-cam
    resizes to the input tensor's size with cv2)."""
    t = torch.from_numpy(np.ascontiguousarray(cam, dtype=F32))[None, None]
    return F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False)[0, 0].numpy()
