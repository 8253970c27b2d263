/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-checkpoint: a whole checkpoint file as cxrcam-cli --model reads it (format detection, zip, pickle, tensors
 * of a .pth, or a safetensors file), then the network built from it. */
#include "cxr-checkpoint.h"
#include "cxr-resnet.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (fuzz_file (data, size), &error);
  fuzz_discard (error);
  if (dict != NULL)
    {
      error = NULL;
      g_autoptr (CxrResnet) net = cxr_resnet_new_from_state_dict (dict, &error);
      fuzz_discard (error);
      (void) net;
    }
  return 0;
}
