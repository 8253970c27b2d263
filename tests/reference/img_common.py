# SPDX-License-Identifier: GPL-3.0-or-later
"""The image rules of src/core/image/cxr-image.h, written again in numpy, and PIL loading.

Shared by gen_images.py (committed fixtures) and the live reference scripts
img_preprocess.py and img_resize.py. Nothing here calls cxrcam.
"""
import struct

import numpy as np
from PIL import Image

F32 = np.float32

# ImageNet statistics, as torchvision.transforms.Normalize gets them.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def samples_to_unit(samples, bit_depth):
    """Integer samples (8 or 16 bits) -> float32 in [0, 1]: one float32 division, as to_tensor."""
    assert bit_depth in (8, 16)
    return samples.astype(F32) / F32((1 << bit_depth) - 1)


def gray_from_unit(unit):
    """[h, w] or [h, w, c] float32 (c = 1..4, colour first, alpha last) -> [h, w] gray.

    Gray as is; R == G == B everywhere -> R; else BT.601 luma in float32,
    (0.299 r + 0.587 g) + 0.114 b, each product rounded before the additions.
    """
    if unit.ndim == 2:
        return unit.astype(F32)
    if unit.shape[2] < 3:
        return unit[..., 0].astype(F32)
    r, g, b = unit[..., 0], unit[..., 1], unit[..., 2]
    if np.array_equal(r, g) and np.array_equal(r, b):
        return r.astype(F32)
    return ((F32(0.299) * r + F32(0.587) * g) + F32(0.114) * b).astype(F32)


def png_bit_depth(path):
    """The bit depth in a PNG's IHDR, or None for other files."""
    with open(path, "rb") as f:
        head = f.read(29)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return head[24]


def load_gray_pil(path):
    """Decodes with PIL and applies the rules above. Refuses what PIL would change on the way
    (16-bit colour PNGs, which PIL reduces to 8 bits)."""
    im = Image.open(path)
    im.load()
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return samples_to_unit(np.array(im).astype(np.uint16), 16)
    if png_bit_depth(path) == 16:
        raise ValueError(f"{path}: PIL reduces 16-bit colour to 8 bits; no reference possible")
    if mode == "1":
        im = im.convert("L")
    elif mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        raise ValueError(f"{path}: unexpected PIL mode {mode}")
    return gray_from_unit(samples_to_unit(np.array(im), 8))


def normalise(x, mean, std):
    """torchvision.transforms.Normalize on a float32 array [c, h, w]: x.sub_(mean).div_(std)."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(x, dtype=F32))
    m = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    s = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return t.sub_(m).div_(s).numpy()


def preprocess(gray, height, width, channels, mean, std):
    """gray [h, w] float32 -> [channels, height, width], as the model's torchvision pipeline."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(gray, dtype=F32))[None, None]
    x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False, antialias=True)
    x = x[0].expand(channels, height, width).clone()
    return normalise(x.numpy(), mean[:channels], std[:channels])


# ---- A small PNG writer: every colour type, bit depth, filter and Adam7, which PIL cannot write. ----

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _chunk(tag, data):
    import zlib

    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def _pack_row(row, bit_depth):
    """row: [w, c] integers -> bytes of one scanline (no filter byte)."""
    flat = row.reshape(-1)
    if bit_depth == 16:
        return flat.astype(">u2").tobytes()
    if bit_depth == 8:
        return flat.astype(np.uint8).tobytes()
    per_byte = 8 // bit_depth
    out = bytearray((len(flat) + per_byte - 1) // per_byte)
    for i, v in enumerate(flat):
        out[i // per_byte] |= int(v) << (8 - bit_depth * (i % per_byte + 1))
    return bytes(out)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(raw, prev, ftype, bpp):
    out = bytearray([ftype])
    for i, x in enumerate(raw):
        a = raw[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
        out.append((x - pred) & 0xFF)
    return bytes(out)


def _scanlines(samples, bit_depth, bpp, row_offset):
    data = bytearray()
    prev = None
    for y in range(samples.shape[0]):
        raw = _pack_row(samples[y], bit_depth)
        if prev is None:
            prev = bytes(len(raw))
        data += _filter_row(raw, prev, (y + row_offset) % 5, bpp)
        prev = raw
    return data


def write_png(path, samples, color_type, bit_depth, palette=None, trns=None, interlace=False):
    """samples: [h, w, c] integers (palette: indices). Rows cycle through the five filter
    types; the data is split over two IDAT chunks."""
    import zlib

    h, w, c = samples.shape
    assert c == CHANNELS[color_type]
    bpp = max(1, c * bit_depth // 8)
    if interlace:
        data = bytearray()
        for p, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                data += _scanlines(sub, bit_depth, bpp, p)
    else:
        data = _scanlines(samples, bit_depth, bpp, 0)
    z = zlib.compress(bytes(data), 9)
    half = len(z) // 2
    out = b"\x89PNG\r\n\x1a\n"
    out += _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        out += _chunk(b"PLTE", np.asarray(palette, dtype=np.uint8).tobytes())
    if trns is not None:
        out += _chunk(b"tRNS", trns)
    out += _chunk(b"IDAT", z[:half]) + _chunk(b"IDAT", z[half:]) + _chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)
