# SPDX-License-Identifier: GPL-3.0-or-later
"""Live Grad-CAM reference on real images: a torchvision ResNet-50 from a fixed seed with non-trivial
BatchNorm statistics, and its Grad-CAM and Grad-CAM++ maps by PyTorch's autograd and pytorch-grad-cam's
formulas (cam_reference.py).

Usage: cam_resnet50.py OUT_DIR IMAGE...
Writes OUT_DIR/resnet50.pth (torch.save of the state_dict: 3 input channels, 2 classes, so the default
card applies: softmax over [No Finding, Cardiomegaly], ImageNet normalisation, 224 x 224), and for each
IMAGE, each layer (layer4 = layer4.2, layer3 = layer3.5) and each method (gradcam, gradcam++):
  OUT_DIR/<image>.<layer>.<method>.features.npy  the normalised map at feature resolution
  OUT_DIR/<image>.<layer>.<method>.image.npy     ... upsampled to the image's size
  OUT_DIR/<image>.logits.npy
The input is prepared as cxrcam prepares it (img_common.preprocess: the same as torchvision's pipeline).
"""
import os
import sys

import numpy as np
import torch
import torchvision

from cam_reference import activations_and_gradients, raw_cam, scale_cam, upsample
from img_common import IMAGENET_MEAN, IMAGENET_STD, load_gray_pil, preprocess
from tiny_resnets import randomise_batchnorm

SEED = 2024
LAYERS = ("layer4.2", "layer3.5")
TARGET = 1  # Cardiomegaly, the default card's positive class


def make_model():
    """The seeded ResNet-50 (also cam_methods_resnet50.py's)."""
    torch.manual_seed(SEED)
    model = torchvision.models.resnet50(num_classes=2)
    randomise_batchnorm(model, torch.Generator().manual_seed(SEED + 1))
    # A random head's weights average to about zero, and the sum over 2048 positive channels then leaves
    # a Grad-CAM that is zero almost everywhere (nothing to compare). Centring the target row and shifting
    # it by a tenth of its spread gives maps with structure everywhere, as a trained head does.
    with torch.no_grad():
        row = model.fc.weight[TARGET]
        row.copy_(row - row.mean() + 0.1 * row.std())
    return model.eval()


def main(args):
    out_dir, images = args[0], args[1:]
    model = make_model()
    torch.save(model.state_dict(), os.path.join(out_dir, "resnet50.pth"))

    for path in images:
        base = os.path.join(out_dir, os.path.basename(path))
        gray = load_gray_pil(path)
        x = torch.from_numpy(preprocess(gray, 224, 224, 3, IMAGENET_MEAN, IMAGENET_STD))[None]
        for layer in LAYERS:
            a, g, logits = activations_and_gradients(model, x, layer, TARGET)
            np.save(base + ".logits.npy", logits.astype(np.float32))
            for method in ("gradcam", "gradcam++"):
                cam = scale_cam(raw_cam(method, a, g))
                np.save(f"{base}.{layer}.{method}.features.npy", cam)
                np.save(f"{base}.{layer}.{method}.image.npy", upsample(cam, *gray.shape))


if __name__ == "__main__":
    main(sys.argv[1:])
