# SPDX-License-Identifier: GPL-3.0-or-later
"""safetensors by hand (json + numpy), independent of cxrcam (tests/test-safetensors.c).

Reads OURS (written by cxrcam), checks the layout and every value against the formula the C test used,
then writes THEIRS: the same tensors, header keys in reverse order, data sorted by name, its own metadata.
"""
import json
import struct
import sys

import numpy as np

ours, theirs = sys.argv[1], sys.argv[2]


def pattern(n, salt, dtype):
    i = np.arange(n, dtype=np.int64)
    if dtype == "U8":
        return ((i * 7 + salt) % 256).astype(np.float64)
    if dtype == "BOOL":
        return ((i + salt) % 2).astype(np.float64)
    if dtype in ("I64", "I32"):
        return ((i * 1001 + salt) % 20001 - 10000).astype(np.float64)
    return (((i * 37 + salt * 11) % 101) - 50) / 8.0


EXPECTED = {  # name: (dtype, shape, salt), in the C dict's order
    "conv1.weight": ("F32", [4, 1, 3, 3], 1), "bn1.running_mean": ("F16", [4], 2),
    "bn1.running_var": ("BF16", [5], 3), "fc.weight": ("F64", [2, 3], 4),
    "bn1.num_batches_tracked": ("I64", [], 5), "ids": ("I32", [3], 6), "mask": ("BOOL", [5], 7),
    "lut": ("U8", [2, 2], 8), "empty": ("F32", [0, 3], 9),
}
NUMPY = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def decode(raw, dtype):
    if dtype == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return np.frombuffer(raw, NUMPY[dtype]).astype(np.float64)


def encode(values, dtype):
    if dtype == "BF16":
        return (values.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()  # exact values: no rounding
    return values.astype(NUMPY[dtype]).tobytes()


with open(ours, "rb") as f:
    blob = f.read()
(n,) = struct.unpack("<Q", blob[:8])
assert (8 + n) % 8 == 0, "data not 8-byte aligned"
header = json.loads(blob[8:8 + n].decode("utf-8"))
assert header.pop("__metadata__") == {"format": "pt"}
assert list(header.keys()) == list(EXPECTED.keys()), list(header.keys())
data = blob[8 + n:]
end = 0
for name, (dtype, shape, salt) in EXPECTED.items():
    entry = header[name]
    assert entry["dtype"] == dtype and entry["shape"] == shape, (name, entry)
    begin, stop = entry["data_offsets"]
    assert begin == end, (name, begin, end)  # contiguous, in order, no holes
    end = stop
    values = decode(data[begin:stop], dtype)
    assert np.array_equal(values, pattern(int(np.prod(shape)), salt, dtype)), name
assert end == len(data)

# Our own file: data sorted by name, header keys reversed, other metadata, header padded with spaces.
names = sorted(EXPECTED)
chunks, offsets, at = [], {}, 0
for name in names:
    dtype, shape, salt = EXPECTED[name]
    raw = encode(pattern(int(np.prod(shape)), salt, dtype), dtype)
    offsets[name] = [at, at + len(raw)]
    chunks.append(raw)
    at += len(raw)
out_header = {"__metadata__": {"source": "ckpt_safetensors.py"}}
for name in reversed(list(EXPECTED)):
    dtype, shape, _ = EXPECTED[name]
    out_header[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets[name]}
text = json.dumps(out_header).encode()
text += b" " * (-len(text) % 8)
with open(theirs, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
