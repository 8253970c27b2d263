# SPDX-License-Identifier: GPL-3.0-or-later
"""Full-size parity reference: torchvision ResNet-18 and ResNet-50 from a fixed seed, with
non-trivial BatchNorm statistics, saved with torch.save, and their logits on real NIH images.

usage: parity_full.py OUTDIR IMAGE...
writes OUTDIR/<arch>.pth and OUTDIR/<arch>.logits.npy ([n_images, 2], float32)

The preprocessing is the plain torchvision pipeline a researcher would write, independent of
cxrcam's own reference helpers: PIL gray -> to_tensor -> interpolate(224, bilinear,
align_corners=False, antialias=True) -> 3 channels -> Normalize(ImageNet).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision.transforms import functional as TF

from tiny_resnets import randomise_batchnorm


def preprocess(path):
    image = Image.open(path)
    # NIH ships some RGBA files whose R, G and B are equal: take one channel, as cxrcam does.
    gray = image.getchannel(0) if image.mode in ("RGB", "RGBA") else image.convert("L")
    x = TF.to_tensor(gray).unsqueeze(0)
    x = F.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False, antialias=True)
    x = x.repeat(1, 3, 1, 1)
    return TF.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def main():
    out, images = sys.argv[1], sys.argv[2:]
    torch.set_num_threads(os.cpu_count() or 1)
    batch = torch.cat([preprocess(p) for p in images])
    for seed, arch in enumerate(["resnet18", "resnet50"]):
        torch.manual_seed(1000 + seed)
        model = getattr(torchvision.models, arch)(num_classes=2)
        randomise_batchnorm(model, torch.Generator().manual_seed(2000 + seed))
        model.eval()
        torch.save(model.state_dict(), os.path.join(out, f"{arch}.pth"))
        with torch.no_grad():
            logits = model(batch)
        np.save(os.path.join(out, f"{arch}.logits.npy"), logits.numpy().astype(np.float32))
        print(arch, logits.numpy())


if __name__ == "__main__":
    main()
