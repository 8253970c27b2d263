/* fuzz-npy: the .npy reader (cxr-npy.c) of sweep --cams; its first fuzzing found 10 crashes in 3 minutes. */
#include "cxr-npy.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrTensor) tensor = cxr_npy_load (fuzz_file (data, size), &error);
  fuzz_discard (error);
  return 0;
}
