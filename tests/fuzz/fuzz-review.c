/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-review: the review sidecar cxrcam-review.json (cxr-review.c). */
#include "cxr-review.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (fuzz_file (data, size), &error);
  fuzz_discard (error);
  (void) review;   /* loaded or refused: either is fine, a crash is not */
  return 0;
}
