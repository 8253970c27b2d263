/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-framing.h: a check that every data element of a DICOM file lies within the file, run before GDCM
 * parses it (Debian's GDCM aborts on some files cut inside an element; see cxr-dicom-framing.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the file meta group and the data set (explicit or implicit VR, little or big endian; a deflated data
 * set is refused: inflate it first) are made of complete elements, sequences and items, ending exactly at the end of the data. */
gboolean cxr_dicom_framing_complete (const guint8 *data, gsize length);

#define CXR_DICOM_DEFLATED_UID "1.2.840.10008.1.2.1.99"

/* A Part 10 file whose transfer syntax is Deflated Explicit VR Little Endian. */
gboolean cxr_dicom_is_deflated     (const guint8 *data, gsize length);

/* Its data set inflated: a bare explicit VR little endian data set (no preamble, no meta group), which GDCM reads
 * as such. CXR_ERROR_FORMAT when the deflate stream is cut or damaged, CXR_ERROR_LIMIT past the whole-file limit. */
GBytes  *cxr_dicom_inflate         (const guint8 *data, gsize length, const char *name, GError **error);

/* Everything checked from the bytes alone before GDCM may see them, in the order the decoder needs it: the data is
 * not empty; a deflated data set inflates (*inflated is then set to the bare data set that GDCM is to read, else
 * NULL); a Part 10 file's meta group starts with its group length and lies within the data (a file cut there
 * aborted in gdcmReader.cxx); every element is complete (cxr_dicom_framing_complete). Errors are
 * CXR_ERROR_FORMAT (CXR_ERROR_LIMIT when the inflated data set is over the whole-file limit) and name the file.
 * Cheap: it runs in cxrcam itself, before the decoder process is started, so that the common damaged files get a
 * precise message without a process, and again in the decoder (cxr-dicom-decoder.h). */
gboolean cxr_dicom_precheck        (const guint8 *data, gsize length, const char *name, GBytes **inflated,
                                    GError **error);

G_END_DECLS
