/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pickle: the pickle interpreter (cxr-pickle.c), which must never run anything and never crash. */
#include "cxr-pickle.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrPickle) pickle = cxr_pickle_load (data, size, "fuzz/data.pkl", &error);
  fuzz_discard (error);
  (void) pickle;   /* loaded or refused: either is fine, a crash is not */
  return 0;
}
