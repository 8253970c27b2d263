# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic test inputs that the C tests can make themselves (cxr_test_fill_pattern in
tests/cxr-test-util.c), so that committed fixtures need not carry them.

Values are uniform in [-2, 2) on a grid of 2^-22: a 64-bit linear congruential generator (Knuth's
MMIX constants) gives 24-bit integers k, and each value is (k / 2^24 - 1/2) * 4, exact in float32.
"""
import numpy as np

MULTIPLIER = 6364136223846793005
INCREMENT = 1442695040888963407
MASK = (1 << 64) - 1


def pattern(shape, seed):
    n = int(np.prod(shape))
    out = np.empty(n, dtype=np.float32)
    state = seed & MASK
    for i in range(n):
        state = (state * MULTIPLIER + INCREMENT) & MASK
        out[i] = ((state >> 40) / float(1 << 24) - 0.5) * 4.0
    return out.reshape(shape)
