/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-safetensors: the safetensors reader (cxr-safetensors.c): header length, JSON header, offsets, data. */
#include "cxr-safetensors.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_safetensors_load (fuzz_file (data, size), &error);
  fuzz_discard (error);
  (void) dict;   /* loaded or refused: either is fine, a crash is not */
  return 0;
}
