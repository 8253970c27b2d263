# SPDX-License-Identifier: GPL-3.0-or-later
"""Checkpoints that claim far more than they hold, for tests/test-checkpoint.c and tests/test-bad-inputs.c.

    bad_checkpoints.py bomb OUT.pth MEGABYTES COUNT   COUNT storages of MEGABYTES MB of zeros, deflated
    bad_checkpoints.py view OUT.pth ELEMENTS          torch.zeros(1).expand(ELEMENTS), as torch.save writes it
    bad_checkpoints.py dtype OUT.pth IN.pth KEY DTYPE IN.pth with KEY converted to DTYPE (int64, int32, uint8, bool)
    bad_checkpoints.py value OUT.pth IN.pth KEY VALUE IN.pth with KEY's first element set to VALUE (nan, inf)

The bomb is written by hand (the pickle torch.save would write, storages deflated in a stream) so that making it
costs neither the memory nor the disk that reading it naively would.
"""
import collections
import io
import pickle
import sys
import zipfile
import zlib

import torch


class _Storage:
    def __init__(self, key, numel):
        self.key = key
        self.numel = numel


class _Tensor:
    def __init__(self, storage):
        self.storage = storage

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, 0, (self.storage.numel,), (1,), False, collections.OrderedDict()))


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def bomb(out, megabytes, count):
    numel = megabytes * (1 << 20) // 4
    state = collections.OrderedDict(("w%d" % i, _Tensor(_Storage(str(i), numel))) for i in range(count))
    pkl = io.BytesIO()
    _Pickler(pkl, protocol=2).dump(state)
    zero = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("bomb/data.pkl", pkl.getvalue())
        for i in range(count):
            info = zipfile.ZipInfo("bomb/data/%d" % i)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as entry:
                for _ in range(megabytes):
                    entry.write(zero)


def view(out, elements):
    torch.save({"w": torch.zeros(1).expand(elements)}, out)


def convert(out, src, key, dtype):
    sd = torch.load(src)
    sd[key] = sd[key].to(getattr(torch, dtype))
    torch.save(sd, out)


def poison(out, src, key, value):
    sd = torch.load(src)
    sd[key].view(-1)[0] = float(value)
    torch.save(sd, out)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "bomb":
        bomb(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif what == "view":
        view(sys.argv[2], int(sys.argv[3]))
    elif what == "dtype":
        convert(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif what == "value":
        poison(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit("unknown: " + what)
