# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the image and resize fixtures into fixtures/images/ (fixed seeds).

Images: <name>.png / <name>.jpg and <name>.npy, the gray float32 [h, w] that
cxr_image_load must return for it. For PNGs the expected array comes from the
samples this script encoded (with its own PNG writer, which covers what PIL
cannot write: 16-bit colour, 1/2/4-bit gray, Adam7), never from a decoder;
PIL decodes each PNG it can as a check of the writer. For JPEGs it is PIL's
decode of the same file (PIL links the same system libjpeg-turbo as cxrcam,
so the samples must agree exactly).

Resize cases: resize-<case>.input.npy and resize-<case>.<mode>.npy for mode
aa (bilinear, antialias=True), bilinear (antialias=False) and area, all from
torch.nn.functional.interpolate with align_corners=False.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/gen_images.py
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from img_common import F32, gray_from_unit, load_gray_pil, samples_to_unit, write_png

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "images")
W, H = 37, 23  # odd sizes: partial Adam7 blocks, odd row lengths


def smooth_field(rng, h, w, maxval, noise):
    """A gradient with a bright blob plus noise: compresses well, covers the range."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = 0.15 + 0.6 * x / (w - 1) + 0.25 * np.exp(-((x - w * 0.6) ** 2 + (y - h * 0.4) ** 2) / (0.1 * w * h))
    v = base * maxval + rng.normal(0.0, noise * maxval, size=(h, w))
    v = np.clip(np.rint(v), 0, maxval).astype(np.int64)
    v[0, 0], v[-1, -1] = 0, maxval  # both extremes
    return v


def colour_field(rng, h, w, maxval, noise):
    return np.stack([smooth_field(rng, h, w, maxval, noise) for _ in range(3)], axis=-1)


def expand_low_bits(v, bit_depth):
    """libpng's and PIL's scaling of 1/2/4-bit gray to 8 bits."""
    return v * (255 // ((1 << bit_depth) - 1))


def png_cases(rng):
    """(name, samples [h, w, c], colour type, bit depth, palette, tRNS, interlace, expected gray)."""
    cases = []

    def add(name, samples, color_type, bit_depth, expected, palette=None, trns=None, interlace=False):
        cases.append((name, samples, color_type, bit_depth, palette, trns, interlace, expected))

    def unit(samples, bit_depth):
        return samples_to_unit(samples, bit_depth)

    for bd in (1, 2, 4):
        g = smooth_field(rng, H, W, (1 << bd) - 1, 0.05)
        add(f"gray{bd}", g[..., None], 0, bd, unit(expand_low_bits(g, bd), 8))
    for bd in (8, 16):
        maxval = (1 << bd) - 1
        g = smooth_field(rng, H, W, maxval, 0.02)
        add(f"gray{bd}", g[..., None], 0, bd, unit(g, bd))
        add(f"gray{bd}-adam7", g[..., None], 0, bd, unit(g, bd), interlace=True)
        a = rng.integers(0, maxval + 1, size=(H, W))
        add(f"graya{bd}", np.stack([g, a], axis=-1), 4, bd, unit(g, bd))
        rgb = colour_field(rng, H, W, maxval, 0.02)
        add(f"rgb{bd}-color", rgb, 2, bd, gray_from_unit(unit(rgb, bd)))
        add(f"rgb{bd}-equal", np.repeat(g[..., None], 3, axis=-1), 2, bd, unit(g, bd))
        add(f"rgba{bd}-color", np.concatenate([rgb, a[..., None]], axis=-1), 6, bd, gray_from_unit(unit(rgb, bd)))
        opaque = np.full((H, W, 1), maxval)
        add(f"rgba{bd}-equal", np.concatenate([np.repeat(g[..., None], 3, axis=-1), opaque], axis=-1), 6, bd,
            unit(g, bd))

    # Gray with a tRNS colour: transparency is ignored, the gray is what counts.
    g = smooth_field(rng, H, W, 255, 0.02)
    add("gray8-trns", g[..., None], 0, 8, unit(g, 8), trns=int(g[3, 3]).to_bytes(2, "big"))
    # Colour, interlaced: luma after Adam7.
    rgb = colour_field(rng, H, W, 255, 0.03)
    add("rgb8-color-adam7", rgb, 2, 8, gray_from_unit(unit(rgb, 8)), interlace=True)
    # One pixel that differs in one channel by one step turns the whole image to luma.
    rgb = np.repeat(smooth_field(rng, H, W, 255, 0.02)[..., None], 3, axis=-1)
    rgb[H - 1, W - 2, 2] = (rgb[H - 1, W - 2, 2] + 1) % 256
    add("rgb8-almost-equal", rgb, 2, 8, gray_from_unit(unit(rgb, 8)))

    # Palettes: a gray ramp (equal channels), 16 colours at 4 bits, 4 colours at 2 bits with tRNS.
    ramp = np.repeat(np.arange(256)[:, None], 3, axis=1)
    idx = smooth_field(rng, H, W, 255, 0.02)
    add("palette8-gray", idx[..., None], 3, 8, gray_from_unit(unit(ramp[idx], 8)), palette=ramp)
    pal16 = rng.integers(0, 256, size=(16, 3))
    idx = smooth_field(rng, H, W, 15, 0.05)
    add("palette4-color", idx[..., None], 3, 4, gray_from_unit(unit(pal16[idx], 8)), palette=pal16)
    pal4 = rng.integers(0, 256, size=(4, 3))
    idx = smooth_field(rng, H, W, 3, 0.05)
    add("palette2-trns", idx[..., None], 3, 2, gray_from_unit(unit(pal4[idx], 8)), palette=pal4,
        trns=bytes([0, 128, 255, 7]))
    return cases


def check_png_with_pil(path, expected):
    """PIL must decode our PNG to the same gray wherever it keeps full precision."""
    try:
        pil = load_gray_pil(path)
    except ValueError:
        return  # 16-bit colour: PIL reduces it to 8 bits
    assert np.array_equal(pil, expected), path


def jpeg_cases(rng):
    """(name, PIL image, save options)."""
    g = smooth_field(rng, H, W, 255, 0.02).astype(np.uint8)
    rgb = colour_field(rng, H, W, 255, 0.03).astype(np.uint8)
    big = smooth_field(rng, 48, 64, 255, 0.01).astype(np.uint8)
    return [
        ("jpeg-gray", Image.fromarray(g, "L"), dict(quality=92)),
        ("jpeg-rgb-color", Image.fromarray(rgb, "RGB"), dict(quality=92)),
        ("jpeg-rgb-of-gray", Image.fromarray(np.repeat(g[..., None], 3, axis=-1), "RGB"), dict(quality=92)),
        ("jpeg-progressive", Image.fromarray(rgb, "RGB"), dict(quality=85, progressive=True)),
        ("jpeg-gray-64x48", Image.fromarray(big, "L"), dict(quality=90)),
    ]


RESIZE_CASES = [
    # name, input (h, w), output (h, w)
    ("down-61x47-to-13x17", (61, 47), (13, 17)),
    ("down-64x64-to-16x16", (64, 64), (16, 16)),
    ("down-90x40-to-20x13", (90, 40), (20, 13)),
    ("up-7x9-to-31x40", (7, 9), (31, 40)),
    ("up-7x7-to-32x32", (7, 7), (32, 32)),
    ("mixed-30x12-to-10x40", (30, 12), (10, 40)),
    ("width-only-16x50-to-16x21", (16, 50), (16, 21)),
]


def write_resize_cases(rng):
    for name, (h, w), (oh, ow) in RESIZE_CASES:
        x = rng.random((h, w), dtype=F32)
        t = torch.from_numpy(x)[None, None]
        np.save(os.path.join(OUT, f"resize-{name}.input.npy"), x)
        outs = {
            "aa": F.interpolate(t, (oh, ow), mode="bilinear", align_corners=False, antialias=True),
            "bilinear": F.interpolate(t, (oh, ow), mode="bilinear", align_corners=False),
            "area": F.interpolate(t, (oh, ow), mode="area"),
        }
        for mode, y in outs.items():
            np.save(os.path.join(OUT, f"resize-{name}.{mode}.npy"), y[0, 0].numpy().astype(F32))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)

    for name, samples, color_type, bit_depth, palette, trns, interlace, expected in png_cases(rng):
        path = os.path.join(OUT, f"{name}.png")
        write_png(path, samples, color_type, bit_depth, palette=palette, trns=trns, interlace=interlace)
        expected = np.asarray(expected, dtype=F32)
        check_png_with_pil(path, expected)
        np.save(os.path.join(OUT, f"{name}.npy"), expected)

    for name, image, options in jpeg_cases(rng):
        path = os.path.join(OUT, f"{name}.jpg")
        image.save(path, "JPEG", **options)
        np.save(os.path.join(OUT, f"{name}.npy"), load_gray_pil(path))

    # CMYK: well-formed, and refused as unsupported (no expected array).
    cmyk = np.random.default_rng(7).integers(0, 256, size=(8, 8, 4), dtype=np.uint8)
    Image.fromarray(cmyk, "CMYK").save(os.path.join(OUT, "jpeg-cmyk.jpg"), "JPEG", quality=90)

    write_resize_cases(rng)

    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
