# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks a zip written by cxrcam's CxrZipWriter (tests/test-zip.c) with Python's zipfile: CRCs, names,
contents, sizes, and that every entry's data starts on a 64-byte boundary as PyTorch's writer does."""
import struct
import sys
import zipfile

path, sizes = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
with open(path, "rb") as f:
    raw = f.read()
with zipfile.ZipFile(path) as z:
    assert z.testzip() is None
    infos = z.infolist()
    assert [i.filename for i in infos] == ["archive/data/%d" % i for i in range(len(sizes))] + ["archive/Ünïcode näme"]
    for i, size in enumerate(sizes):
        data = z.read(infos[i])
        assert data == bytes((j * 7 + i) % 251 for j in range(size)), i
    assert z.read(infos[-1]).decode() == "ü"
    for info in infos:
        assert info.compress_type == zipfile.ZIP_STORED
        name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        start = info.header_offset + 30 + name_len + extra_len
        assert start % 64 == 0, (info.filename, start)
