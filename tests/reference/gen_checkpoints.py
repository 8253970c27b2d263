# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the checkpoint fixtures of tests/test-checkpoint.c and tests/test-zip.c.

Run with Debian's Python (torch 1.13, torchvision 0.14):

    /usr/bin/python3 tests/reference/gen_checkpoints.py

Everything comes from fixed seeds. The network is a tiny ResNet built from torchvision's own ResNet and
BasicBlock classes (widths 4-8 instead of 64-512, one input channel, two classes), so the keys are exactly
torchvision's and the fixtures stay small. Each checkpoint file is listed in expected.json with the keys,
shapes and dtypes the C loader must return, and the name of an .npy holding all the values (torch's .float()
of every tensor, flattened and concatenated in key order) for an exact comparison.
"""
import collections
import io
import json
import os
import struct
import sys
import zipfile
import zlib

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, ResNet, conv1x1

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "checkpoints")
DTYPE_NAMES = {
    torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float64: "float64",
    torch.int64: "int64",
}


def tiny_resnet():
    """torchvision's ResNet with small widths: the same module tree and keys as resnet18, 1 block per stage."""
    torch.manual_seed(0)
    model = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=2)
    widths = [4, 4, 8, 8]
    model.conv1 = nn.Conv2d(1, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(widths[0])
    inplanes = widths[0]
    for i, planes in enumerate(widths):
        stride = 1 if i == 0 else 2
        downsample = None
        if stride != 1 or inplanes != planes:
            downsample = nn.Sequential(conv1x1(inplanes, planes, stride), nn.BatchNorm2d(planes))
        setattr(model, "layer%d" % (i + 1), nn.Sequential(BasicBlock(inplanes, planes, stride, downsample)))
        inplanes = planes
    model.fc = nn.Linear(inplanes, 2)
    # Non-trivial BatchNorm parameters and statistics, so every value is distinctive.
    g = torch.Generator().manual_seed(1)
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.weight.data = torch.rand(n, generator=g) + 0.5
            module.bias.data = torch.randn(n, generator=g) * 0.1
            module.running_mean = torch.randn(n, generator=g) * 0.1
            module.running_var = torch.rand(n, generator=g) + 0.5
            module.num_batches_tracked = torch.tensor(int(torch.randint(1, 100000, (1,), generator=g)))
    return model.eval()


def cast_floats(sd, dtype):
    return collections.OrderedDict(
        (k, v.to(dtype) if v.is_floating_point() else v.clone()) for k, v in sd.items())


def write_values(name, sd):
    values = [v.float().reshape(-1).numpy() for v in sd.values()]
    flat = np.concatenate(values) if values else np.zeros(0, np.float32)
    np.save(os.path.join(OUT, name), flat.astype(np.float32))
    return name


LAYOUTS = {}


def describe(file, sd, values):
    """A case names its file, its layout (keys, shapes, dtypes; shared between cases) and its values."""
    layout = {
        "keys": list(sd.keys()),
        "shapes": [list(v.shape) for v in sd.values()],
        "dtypes": [DTYPE_NAMES[v.dtype] for v in sd.values()],
    }
    for name, known in LAYOUTS.items():
        if known == layout:
            break
    else:
        name = "layout%d" % len(LAYOUTS)
        LAYOUTS[name] = layout
    return {"file": file, "layout": name, "values": values}


def save(obj, name, **kwargs):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    return path


def fixed_time(name):
    """A ZipInfo with a constant timestamp, so that regenerating the fixtures gives the same bytes."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def rezip_deflated(src, dst):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(fixed_time(info.filename), zin.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)


def write_zip64(entries, dst):
    """A stored zip whose central directory uses zip64 extra fields for every size and offset (as archives
    over 4 GiB must), followed by the zip64 end record and locator. Written by hand: no library here emits
    zip64 central directory fields for small files."""
    out = io.BytesIO()
    central = []
    for name, data in entries:
        name_b = name.encode()
        crc = zlib.crc32(data) & 0xffffffff
        offset = out.tell()
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff,
                              len(name_b), len(local_extra)))
        out.write(name_b + local_extra + data)
        central.append((name_b, crc, len(data), offset))
    cd_offset = out.tell()
    for name_b, crc, size, offset in central:
        extra = struct.pack("<HHQQQ", 1, 24, size, size, offset)
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 0, 0, 0, crc, 0xffffffff, 0xffffffff,
                              len(name_b), len(extra), 0, 0, 0, 0, 0xffffffff))
        out.write(name_b + extra)
    cd_size = out.tell() - cd_offset
    end64 = out.tell()
    n = len(central)
    out.write(struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, n, n, cd_size, cd_offset))
    out.write(struct.pack("<IIQI", 0x07064b50, 0, end64, 1))
    out.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0))
    with open(dst, "wb") as f:
        f.write(out.getvalue())


def zip_with_pickle(dst, prefix, pickle_bytes):
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr(fixed_time(prefix + "/data.pkl"), pickle_bytes)
        z.writestr(fixed_time(prefix + "/version"), "3\n")


def forbidden_pickles():
    """Pickles that would run a command if unpickled by Python. The C loader must refuse them by name."""
    # protocol 2: GLOBAL posix.system, called with a shell command (REDUCE)
    command = b"touch /tmp/cxrcam-pickle-was-executed"
    p2 = (b"\x80\x02cposix\nsystem\nq\x00X" + struct.pack("<I", len(command)) + command + b"\x85R.")
    # protocol 4: SHORT_BINUNICODE, MEMOIZE and STACK_GLOBAL naming builtins.eval, called on an expression
    expr = "__import__('os').system('touch /tmp/cxrcam-pickle-was-executed')"
    p4 = (b"\x80\x04\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c" + bytes([len(expr)]) + expr.encode()
          + b"\x94\x85\x94R\x94.")
    return p2, p4


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.unlink(os.path.join(OUT, name))

    model = tiny_resnet()
    sd = model.state_dict()
    cases = {}

    base_values = write_values("base.npy", sd)
    save(sd, "plain.pth")
    cases["plain"] = describe("plain.pth", sd, base_values)

    save(collections.OrderedDict(("module." + k, v) for k, v in sd.items()), "dataparallel.pth")
    cases["dataparallel"] = describe("dataparallel.pth", sd, base_values)

    # A training checkpoint: the state_dict plus an optimizer with momentum buffers, an epoch, a metric, a string.
    train_model = tiny_resnet().train()
    optimizer = torch.optim.SGD(train_model.fc.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    loss = train_model(torch.randn(2, 1, 32, 32, generator=torch.Generator().manual_seed(2))).sum()
    loss.backward()
    optimizer.step()
    save({"epoch": 7, "arch": "resnet18", "best_auc": 0.91, "state_dict": sd,
          "optimizer": optimizer.state_dict()}, "wrapped_state_dict.pth")
    cases["wrapped_state_dict"] = describe("wrapped_state_dict.pth", sd, base_values)

    save({"model": sd, "epoch": 3}, "wrapped_model.pth")
    cases["wrapped_model"] = describe("wrapped_model.pth", sd, base_values)

    for dtype, tag in ((torch.float16, "fp16"), (torch.bfloat16, "bf16"), (torch.float64, "fp64")):
        cast = cast_floats(sd, dtype)
        save(cast, tag + ".pth")
        # float64 holds float32 values exactly, so its values are the base ones.
        values = base_values if dtype == torch.float64 else write_values(tag + ".npy", cast)
        cases[tag] = describe(tag + ".pth", cast, values)

    # Views: a transpose, a strided slice, a broadcast (stride 0), two tensors at different offsets of one
    # storage, a 0-d tensor and an empty one.
    g = torch.Generator().manual_seed(3)
    base = torch.randn(6, 9, generator=g)
    shared = torch.randn(40, generator=g)
    views = collections.OrderedDict()
    views["transposed"] = base.t()
    views["strided"] = base[1::2, ::3]
    views["broadcast"] = torch.randn(3, generator=g).expand(4, 3)
    views["shared_a"] = shared[2:8].view(2, 3)
    views["shared_b"] = shared[17:37].view(4, 5)[:, 1:4]
    views["scalar"] = torch.tensor(2.5)
    views["empty"] = torch.zeros(0, 3)
    assert not views["transposed"].is_contiguous() and views["shared_b"].storage_offset() == 18
    save(views, "views.pth")
    contiguous = collections.OrderedDict((k, v.contiguous()) for k, v in views.items())
    cases["views"] = describe("views.pth", contiguous, write_values("views.npy", contiguous))

    rezip_deflated(os.path.join(OUT, "plain.pth"), os.path.join(OUT, "deflated.pth"))
    cases["deflated"] = describe("deflated.pth", sd, base_values)

    # The small views dict keeps these two fixtures small.
    with zipfile.ZipFile(os.path.join(OUT, "views.pth")) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    write_zip64(entries, os.path.join(OUT, "zip64.pth"))
    with zipfile.ZipFile(os.path.join(OUT, "zip64.pth")) as z:
        assert z.testzip() is None and [i.filename for i in z.infolist()] == [e[0] for e in entries]
    cases["zip64"] = describe("zip64.pth", contiguous, cases["views"]["values"])

    save(views, "proto4.pth", pickle_protocol=4)
    cases["proto4"] = describe("proto4.pth", contiguous, cases["views"]["values"])

    # A whole pickled module (torch.save(model)): classes from torchvision.models.resnet and torch.nn.modules.
    save(model, "module.pth")
    cases["module"] = describe("module.pth", sd, base_values)

    # Every fixture above must load in PyTorch to the same values: the fixtures themselves are checked.
    for case in cases.values():
        path = os.path.join(OUT, case["file"])
        obj = torch.load(path)
        if isinstance(obj, nn.Module):
            obj = obj.state_dict()
        if isinstance(obj, dict) and "state_dict" in obj:
            obj = obj["state_dict"]
        elif isinstance(obj, dict) and "model" in obj:
            obj = obj["model"]
            if isinstance(obj, nn.Module):
                obj = obj.state_dict()
        keys = [k[len("module."):] if k.startswith("module.") else k for k in obj.keys()]
        assert keys == LAYOUTS[case["layout"]]["keys"], case["file"]
        flat = np.concatenate([v.float().reshape(-1).numpy() for v in obj.values()])
        assert np.array_equal(flat, np.load(os.path.join(OUT, case["values"]))), case["file"]

    # Files the loader must refuse.
    p2, p4 = forbidden_pickles()
    zip_with_pickle(os.path.join(OUT, "forbidden_posix_system.pth"), "archive", p2)
    zip_with_pickle(os.path.join(OUT, "forbidden_builtins_eval.pth"), "evil", p4)
    save({"conv.weight": torch.randn(2, 2)}, "legacy.pth", _use_new_zipfile_serialization=False)
    save(collections.OrderedDict([("fc.weight", torch.randn(2, 2)), ("quantized.scale", torch.zeros(3, dtype=torch.int8))]),
         "int8.pth")
    save({"fc.weight": torch.zeros(2, 2, dtype=torch.complex64)}, "complex64.pth")

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"layouts": LAYOUTS, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")

    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print("wrote %d files, %d bytes, to %s" % (len(os.listdir(OUT)), total, OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
