/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dicom: DICOM reading (cxr-dicom.h): the framing check, inflation and GDCM behind them. Debian's GDCM keeps
 * its assert()s, so an input that reaches one aborts: exactly what this harness is for. */
#include "cxr-dicom.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrDicomImage) image = NULL;
  if (!cxr_dicom_read_from_bytes (data, size, "fuzz.dcm", &image, &error))
    fuzz_discard (error);
  else if (image->values == NULL || image->width <= 0 || image->height <= 0)
    g_error ("an image without pixels was read");
  return 0;
}
