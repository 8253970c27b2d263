# SPDX-License-Identifier: GPL-3.0-or-later
"""Live resize reference: torch.nn.functional.interpolate on arrays that a C test wrote.

Usage: img_resize.py CASE.input.npy OUT_H OUT_W [CASE.input.npy OUT_H OUT_W ...]
Writes CASE.aa.npy (bilinear, antialias=True), CASE.bilinear.npy (antialias=False) and CASE.area.npy,
all align_corners=False, float32 [OUT_H, OUT_W].
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F


def main(args):
    assert len(args) % 3 == 0, "arguments come in triples: input.npy out_h out_w"
    for i in range(0, len(args), 3):
        path, size = args[i], (int(args[i + 1]), int(args[i + 2]))
        assert path.endswith(".input.npy"), path
        prefix = path[: -len(".input.npy")]
        x = torch.from_numpy(np.load(path).astype(np.float32))[None, None]
        outs = {
            "aa": F.interpolate(x, size, mode="bilinear", align_corners=False, antialias=True),
            "bilinear": F.interpolate(x, size, mode="bilinear", align_corners=False),
            "area": F.interpolate(x, size, mode="area"),
        }
        for mode, y in outs.items():
            np.save(f"{prefix}.{mode}.npy", y[0, 0].numpy().astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1:])
