# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads a float32 .npy written by cxrcam, checks it, writes it doubled as float64."""
import sys

import numpy as np

a = np.load(sys.argv[1])
assert a.dtype == np.float32 and a.shape == (2, 3, 4), (a.dtype, a.shape)
assert np.array_equal(a.ravel(), np.arange(24, dtype=np.float32) * 0.25 - 3.0)
np.save(sys.argv[2], a.astype(np.float64) * 2.0)
