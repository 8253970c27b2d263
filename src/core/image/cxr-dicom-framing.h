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

G_END_DECLS
