# SPDX-License-Identifier: GPL-3.0-or-later
"""Live-PyTorch check of the dtype conversions of cxr_checkpoint_save_pth (tests/test-checkpoint.c).

The file holds float32 values x and the same values saved as float16, bfloat16 and float64 by cxrcam; each
must equal torch's own conversion of x bit for bit. Integer, bool, 0-d and empty tensors keep their values.
"""
import sys

import torch

sd = torch.load(sys.argv[1])
x = sd["x"]
assert x.dtype == torch.float32 and x.dim() == 1


def same_bits(got, want, name):
    assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
    bits = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float64: torch.int64}[want.dtype]
    diff = (got.view(bits) != want.view(bits)).nonzero()
    if len(diff):
        i = int(diff[0])
        raise AssertionError("%s: %d of %d differ; first at %d: x=%r got %r want %r"
                             % (name, len(diff), len(x), i, float(x[i]), float(got[i]), float(want[i])))


same_bits(sd["x_half"], x.half(), "x_half")
same_bits(sd["x_bf16"], x.bfloat16(), "x_bf16")
same_bits(sd["x_double"], x.double(), "x_double")

assert sd["ints64"].dtype == torch.int64 and sd["ints64"].tolist() == [[0, 1, -2], [123456, -7, 16777216]]
assert sd["ints32"].dtype == torch.int32 and sd["ints32"].tolist() == [[0, 1, -2], [123456, -7, 16777216]]
assert sd["bytes"].dtype == torch.uint8 and sd["bytes"].tolist() == [0, 7, 255]
assert sd["flags"].dtype == torch.bool and sd["flags"].tolist() == [False, True, True]
assert sd["scalar"].dtype == torch.int64 and sd["scalar"].dim() == 0 and int(sd["scalar"]) == 42
assert sd["empty"].dtype == torch.float32 and tuple(sd["empty"].shape) == (0, 5)
