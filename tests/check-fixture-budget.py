#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when the committed fixtures under tests/reference/fixtures exceed their budget (issue 2: under
2 MB in all). Larger references belong in the live reference scripts, made at test time."""
import os
import sys

BUDGET = 2 * 1000 * 1000

root = sys.argv[1]
total = 0
largest = []
for folder, _, files in os.walk(root):
    for name in files:
        path = os.path.join(folder, name)
        size = os.path.getsize(path)
        total += size
        largest.append((size, os.path.relpath(path, root)))
largest.sort(reverse=True)
print(f"fixtures: {total} bytes in {len(largest)} files (budget {BUDGET})")
for size, path in largest[:5]:
    print(f"  {size:8d}  {path}")
sys.exit(0 if total < BUDGET else 1)
