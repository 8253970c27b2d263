# SPDX-License-Identifier: GPL-3.0-or-later
"""Every CAM method of pytorch-grad-cam, written again from its formulas with PyTorch's autograd, for the parity
tests of src/core/cam/cxr-cam*.c. pytorch-grad-cam is not installed here; each function names the file of
pytorch_grad_cam it follows. Nothing here calls cxrcam.

Where cxrcam fixes something pytorch-grad-cam leaves open, the same choice is made here and said so:
- get_2d_projection: the sign of the first singular vector is whatever LAPACK returns; it is taken so that the
  projection correlates positively with the activations summed over channels (project_2d, sign_rule).
- scale_cam_image resizes with cv2.resize; cv2 is not installed, so F.interpolate (bilinear,
  align_corners=False), which is the same interpolation, stands in for it.
- AblationCAM runs the whole network on copies of the image with the target layer replaced; here the layers
  after the target run on the ablated activations directly, which is the same computation without the repeated
  work before the layer.
"""
import numpy as np
import torch
import torch.nn.functional as F

from cam_reference import block_module, block_names

F32 = np.float32

METHODS = ("gradcam", "gradcam++", "hirescam", "gradcam-elementwise", "xgradcam", "layercam", "eigencam",
           "eigengradcam", "scorecam", "ablationcam")
WEIGHTED = ("gradcam", "gradcam++", "xgradcam", "scorecam", "ablationcam")


def activations_and_gradients(model, x, layers, target_class, with_gradients=True):
    """ActivationsAndGradients for several blocks: A and d logit[target] / d A, [1, C, H, W] each, and the
    logits."""
    saved = {}
    handles = []

    def hook_for(name):
        def hook(module, inputs, output):
            saved[name] = output.detach().clone()
            if with_gradients:
                output.register_hook(lambda grad: saved.__setitem__(name + ".grad", grad.detach().clone()))
        return hook

    for name in layers:
        handles.append(block_module(model, name).register_forward_hook(hook_for(name)))
    try:
        model.eval()
        model.zero_grad()
        with torch.set_grad_enabled(with_gradients):
            logits = model(x)
            if with_gradients:
                logits[0, target_class].backward()
    finally:
        for h in handles:
            h.remove()
    acts = [saved[n].numpy() for n in layers]
    grads = [saved[n + ".grad"].numpy() for n in layers] if with_gradients else [None] * len(layers)
    return acts, grads, logits.detach().numpy()[0]


def sign_rule(projection, activations):
    """cxrcam's choice of the singular vector's sign: positive correlation with sum_k activations."""
    total = activations.sum(axis=0).reshape(-1).astype(np.float64)
    agreement = float(np.dot(projection.reshape(-1).astype(np.float64), total))
    return -projection if agreement < 0 else projection


def project_2d(activation_batch):
    """utils/svd_on_activations.py get_2d_projection on [1, C, H, W], with the sign rule. Returns the projection
    and whether LAPACK's own sign was kept."""
    a = np.nan_to_num(activation_batch[0].astype(F32))
    reshaped = a.reshape(a.shape[0], -1).transpose()
    reshaped = reshaped - reshaped.mean(axis=0)
    _, _, vt = torch.linalg.svd(torch.from_numpy(np.ascontiguousarray(reshaped)), full_matrices=True)
    projection = (reshaped @ vt[0, :].numpy()).reshape(a.shape[1:])
    chosen = sign_rule(projection, a)
    return chosen[None].astype(F32), bool(np.array_equal(chosen, projection))


def gradient_weights(method, activations, grads):
    if method == "gradcam":                                   # grad_cam.py
        return np.mean(grads, axis=(2, 3))
    sum_activations = np.sum(activations, axis=(2, 3))
    if method == "xgradcam":                                  # xgrad_cam.py
        weights = grads * activations / (sum_activations[:, :, None, None] + 1e-7)
        return weights.sum(axis=(2, 3))
    grads_power_2 = grads ** 2                                # grad_cam_plusplus.py
    grads_power_3 = grads_power_2 * grads
    aij = grads_power_2 / (2 * grads_power_2 + sum_activations[:, :, None, None] * grads_power_3 + 0.000001)
    aij = np.where(grads != 0, aij, 0)
    return np.sum(np.maximum(grads, 0) * aij, axis=(2, 3))


def score_weights(model, x, activations, target_class, batch_size=16):
    """score_cam.py get_cam_weights. A channel whose upsampled map is constant masks the input to zero; its score
    is the zero input's, computed once (the same number pytorch-grad-cam computes for each such channel)."""
    with torch.no_grad():
        upsample = torch.nn.UpsamplingBilinear2d(size=x.shape[-2:])
        upsampled = upsample(torch.from_numpy(activations))
        flat = upsampled.view(upsampled.size(0), upsampled.size(1), -1)
        maxs, mins = flat.max(dim=-1)[0][:, :, None, None], flat.min(dim=-1)[0][:, :, None, None]
        upsampled = (upsampled - mins) / (maxs - mins + 1e-8)
        constant = (maxs == mins)[0, :, 0, 0]
        inputs = x[:, None, :, :] * upsampled[:, :, None, :, :]
        tensor = inputs[0]
        live = torch.nonzero(~constant).flatten()
        scores = torch.empty(activations.shape[1])
        for i in range(0, len(live), batch_size):
            index = live[i:i + batch_size]
            scores[index] = model(tensor[index])[:, target_class]
        if bool(constant.any()):
            scores[constant] = model(torch.zeros_like(x))[0, target_class]
        return torch.nn.Softmax(dim=-1)(scores[None]).numpy()


def tail(model, layer):
    """The modules after block `layer`, the pooling and the head, as one function of that block's output."""
    names = block_names(model)
    after = [block_module(model, n) for n in names[names.index(layer) + 1:]]

    def run(a):
        for block in after:
            a = block(a)
        return model.fc(torch.flatten(model.avgpool(a), 1))
    return run


def ablation_weights(model, layer, activations, score, target_class, batch_size=32):
    """ablation_cam.py get_cam_weights with ablation_layer.py's AblationLayer: channel k of a copy set to 0 (the
    layer's outputs have zeros; otherwise min - 1e7), w = (score - score_k) / score, in float32."""
    run = tail(model, layer)
    a = torch.from_numpy(activations)
    channels = a.shape[1]
    value = 0.0 if float(a.min()) == 0 else float(a.min()) - 1e7
    new_scores = []
    with torch.no_grad():
        for k0 in range(0, channels, batch_size):
            n = min(batch_size, channels - k0)
            batch = a.repeat(n, 1, 1, 1)
            for i in range(n):
                batch[i, k0 + i] = value
            new_scores.extend(float(s) for s in run(batch)[:, target_class])
    new_scores = np.float32(new_scores)[None]
    original = np.float32([[score]])
    return (original - new_scores) / original


def layer_cam(model, x, method, layer, activations, grads, logits, target_class, eigen_smooth):
    """get_cam_image of the method at one layer, then np.maximum (cam, 0): [H, W]. Also whether every 2D
    projection kept LAPACK's sign."""
    kept = True
    if method in WEIGHTED:
        if method == "scorecam":
            weights = score_weights(model, x, activations, target_class)
        elif method == "ablationcam":
            weights = ablation_weights(model, layer, activations, logits[target_class], target_class)
        else:
            weights = gradient_weights(method, activations, grads)
        terms = weights[:, :, None, None] * activations
    elif method == "eigencam":                                # eigen_cam.py
        terms = activations
    elif method == "gradcam-elementwise":                     # grad_cam_elementwise.py
        terms = np.maximum(grads * activations, 0)
    elif method == "layercam":                                # layer_cam.py
        terms = np.maximum(grads, 0) * activations
    else:                                                     # hirescam.py, eigen_grad_cam.py
        terms = grads * activations
    if eigen_smooth or method in ("eigencam", "eigengradcam"):
        cam, kept = project_2d(terms)
    else:
        cam = terms.sum(axis=1)
    return np.maximum(cam, 0)[0].astype(F32), kept


def scale(cam):
    """utils/image.py scale_cam_image without resizing."""
    img = cam - np.min(cam)
    img = img / (1e-7 + np.max(img))
    return np.float32(img)


def resize(cam, height, width):
    t = torch.from_numpy(np.ascontiguousarray(cam, dtype=F32))[None, None]
    return F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False)[0, 0].numpy()


def one_pass(model, x, method, layers, target_class, eigen_smooth):
    """BaseCAM.forward at `layers` for one input: with one layer its normalised map at the layer's resolution (cxrcam
    keeps it there); with several, compute_cam_per_layer (each normalised and resized to the input) and
    aggregate_multi_layers. Returns the map, the logits and whether the projections kept LAPACK's sign."""
    acts, grads, logits = activations_and_gradients(model, x, layers, target_class,
                                                    with_gradients=method not in ("eigencam", "scorecam",
                                                                                  "ablationcam"))
    maps, kept = [], True
    for layer, a, g in zip(layers, acts, grads):
        cam, k = layer_cam(model, x, method, layer, a, g, logits, target_class, eigen_smooth)
        maps.append(cam)
        kept &= k
    if len(layers) == 1:
        return scale(maps[0]), logits, kept
    h, w = x.shape[-2:]
    per_layer = np.stack([resize(scale(m), h, w) for m in maps])
    return scale(np.mean(np.maximum(per_layer, 0), axis=0)), logits, kept


def aug_smooth(model, x, method, layers, target_class, eigen_smooth):
    """base_cam.py forward_augmentation_smoothing with ttach's HorizontalFlip and Multiply (0.9, 1, 1.1), in
    ttach's order; every pass's map at the input's resolution, mirrored back, averaged."""
    h, w = x.shape[-2:]
    cams, kept = [], True
    for flip in (False, True):
        for factor in (0.9, 1.0, 1.1):
            augmented = (torch.flip(x, dims=[3]) if flip else x) * factor
            cam, _, k = one_pass(model, augmented, method, layers, target_class, eigen_smooth)
            kept &= k
            if cam.shape != (h, w):
                cam = scale(np.maximum(resize(cam, h, w), 0))
            cams.append(cam[:, ::-1] if flip else cam)
    return np.mean(np.float32(cams), axis=0).astype(F32), kept
