# SPDX-License-Identifier: GPL-3.0-or-later
"""Live-PyTorch check of cxr_checkpoint_save_pth (tests/test-checkpoint.c).

make DIR:  a seeded torchvision resnet18 with non-trivial BatchNorm statistics; DIR/input/resnet18.pth is
           torch.save(model.state_dict()) (what users have), DIR/reference/resnet18.pth is torch.save of a plain
           OrderedDict of the same tensors (what cxrcam must reproduce byte for byte).
check DIR: DIR/output/resnet18.pth, written by cxrcam from the input, must torch.load, load into
           torchvision.models.resnet18() with strict=True, equal every tensor (dtype included), give the same
           logits, and equal the reference file byte for byte.
"""
import collections
import os
import sys

import torch
import torchvision


def make_model():
    torch.manual_seed(0)
    model = torchvision.models.resnet18()
    g = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            module.weight.data = torch.rand(n, generator=g) + 0.5
            module.bias.data = torch.randn(n, generator=g) * 0.1
            module.running_mean = torch.randn(n, generator=g) * 0.1
            module.running_var = torch.rand(n, generator=g) + 0.5
            module.num_batches_tracked = torch.tensor(12345)
    return model.eval()


def main():
    mode, root = sys.argv[1], sys.argv[2]
    model = make_model()
    sd = model.state_dict()
    if mode == "make":
        for sub in ("input", "reference"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        torch.save(sd, os.path.join(root, "input", "resnet18.pth"))
        torch.save(collections.OrderedDict(sd.items()), os.path.join(root, "reference", "resnet18.pth"))
        return

    path = os.path.join(root, "output", "resnet18.pth")
    loaded = torch.load(path)
    assert isinstance(loaded, collections.OrderedDict), type(loaded)
    assert list(loaded.keys()) == list(sd.keys())
    for key, want in sd.items():
        got = loaded[key]
        assert got.dtype == want.dtype, (key, got.dtype, want.dtype)
        assert got.shape == want.shape, (key, got.shape, want.shape)
        assert torch.equal(got, want), key
        assert not got.requires_grad and got.is_contiguous(), key
    assert loaded["bn1.num_batches_tracked"].dtype == torch.int64
    assert int(loaded["layer4.1.bn2.num_batches_tracked"]) == 12345

    fresh = torchvision.models.resnet18()
    result = fresh.load_state_dict(loaded, strict=True)
    assert not result.missing_keys and not result.unexpected_keys, result
    fresh.eval()
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        assert torch.equal(fresh(x), model(x))

    with open(path, "rb") as f:
        ours = f.read()
    with open(os.path.join(root, "reference", "resnet18.pth"), "rb") as f:
        theirs = f.read()
    if ours != theirs:
        at = next((i for i in range(min(len(ours), len(theirs))) if ours[i] != theirs[i]), min(len(ours), len(theirs)))
        raise AssertionError("cxrcam's file differs from torch.save's at byte %d (sizes %d, %d): %r vs %r"
                             % (at, len(ours), len(theirs), ours[at:at + 32], theirs[at:at + 32]))


if __name__ == "__main__":
    main()
