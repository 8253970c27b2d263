/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dicom: DICOM reading as cxrcam does it (cxr_dicom_read_from_bytes): the checks made in cxrcam's own process
 * (framing, inflation, meta header), the decoder process that runs GDCM (cxr-dicom-decoder.h), and the parsing of
 * its reply. GDCM aborting or crashing in the decoder is no finding: cxrcam must get a GError, which is what this
 * harness checks, and any crash of this process is a finding.
 *
 * A crash inside the decoder is a finding only when it is in cxrcam's code there: in a sanitized build the
 * decoder's sanitizer report ends its stderr, and its SUMMARY line (which the GError quotes) names the function
 * and, for code with debug information, the file: cxr_... or cxr-dicom-gdcm.cc. GDCM's and OpenJPEG's own faults
 * (Debian's libraries carry no debug information here) name only their libraries. */
#include <string.h>

#include "cxr-dicom.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* A decoder stuck in GDCM is stopped after 3 CPU seconds (6 on the wall clock), well within libFuzzer's
   * -timeout=10 of tests/fuzz/run-fuzzers.sh: its hang is GDCM's, and cxrcam gets its GError. */
  static gboolean limited;
  if (!limited)
    {
      g_setenv ("CXR_DICOM_DECODE_SECONDS", "3", FALSE);
      limited = TRUE;
    }
  GError *error = NULL;
  g_autoptr (CxrDicomImage) image = NULL;
  if (!cxr_dicom_read_from_bytes (data, size, "fuzz.dcm", &image, &error))
    {
      const char *summary = strstr (error->message, "SUMMARY: ");
      if (summary != NULL && (strstr (summary, "cxr_") != NULL || strstr (summary, "cxr-") != NULL))
        g_error ("the DICOM decoder crashed in cxrcam's code: %s", error->message);
      fuzz_discard (error);
    }
  else if (image->values == NULL || image->width <= 0 || image->height <= 0)
    g_error ("an image without pixels was read");
  return 0;
}
