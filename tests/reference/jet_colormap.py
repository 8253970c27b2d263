# SPDX-License-Identifier: GPL-3.0-or-later
"""OpenCV's COLORMAP_JET lookup table, computed the way OpenCV 4 computes it, as the C table
cxr_colormap_jet (src/core/cam/cxr-cam-render.c) in RGB order.

OpenCV (modules/imgproc/src/colormap.cpp, class Jet) starts from a 256-entry basemap at
X = linspace(0, 1, 256): blue rises from 127.5/255 in steps of 4/255 to 1, stays, falls to 1.5/255 and
is 0 for the last 96 entries; green and red are the same shape shifted by a quarter; red is blue reversed.
linear_colormap interpolates the basemap at the same 256 points in float (interp1_<float>) and
convertTo(CV_8U, 255) rounds v * 255 half to even. Many products land exactly on .5, so the rounding rule
matters; this script repeats the float32 arithmetic. Checks: entry 0 is (0, 0, 128), 128 is
(130, 255, 126) and 255 is (128, 0, 0) in RGB, as cv2.applyColorMap gives.

Usage: /usr/bin/python3 tests/reference/jet_colormap.py   (prints the C initialiser)
"""
import numpy as np

F = np.float32


def basemap():
    b = np.zeros(256)
    g = np.zeros(256)
    for i in range(256):
        if i < 32:
            b[i] = (127.5 + 4 * i) / 255
        elif i < 96:
            b[i] = 1
        elif i < 160:
            b[i] = (253.5 - 4 * (i - 96)) / 255
        if 32 <= i < 96:
            g[i] = (0.5 + 4 * (i - 32)) / 255
        elif 96 <= i < 160:
            g[i] = 1
        elif 160 <= i < 224:
            g[i] = (252.5 - 4 * (i - 160)) / 255
    r = b[::-1].copy()
    return r.astype(F), g.astype(F), b.astype(F)


def interp1(x, y, xi):
    out = np.zeros(len(xi), F)
    for i, v in enumerate(xi):
        low, high = 0, len(x) - 1
        if v < x[low]:
            high = 1
        if v > x[high]:
            low = high - 1
        while high - low > 1:
            c = low + ((high - low) >> 1)
            if v > x[c]:
                low = c
            else:
                high = c
        t = F(F(v - x[low]) * F(y[high] - y[low]))
        out[i] = F(y[low] + F(t / F(x[high] - x[low])))
    return out


def jet_rgb():
    step = F(F(1) / F(255))
    x = np.array([F(F(i) * step) for i in range(256)], F)
    channels = [np.clip(np.rint(F(interp1(x, c, x)) * F(255)), 0, 255).astype(int) for c in basemap()]
    return np.stack(channels, 1)


def main():
    lut = jet_rgb()
    assert tuple(lut[0]) == (0, 0, 128) and tuple(lut[128]) == (130, 255, 126) and tuple(lut[255]) == (128, 0, 0)
    for i in range(0, 256, 4):
        print("  " + " ".join("{ %3d, %3d, %3d }," % tuple(lut[j]) for j in range(i, i + 4)))


if __name__ == "__main__":
    main()
