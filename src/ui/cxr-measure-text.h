/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-measure-text.h: what the window says about positions and lengths on a DICOM image, in the user's language.
 *
 * Millimetres come from the file's Pixel Spacing, else its Imager Pixel Spacing, which is measured at the
 * detector and so includes the X-ray magnification (about 10% for a PA chest): the texts say "at the detector"
 * then. Without either, lengths stay in pixels.
 */
#pragma once

#include <glib.h>

#include "cxr-voi-window.h"

G_BEGIN_DECLS

/* TRUE when @dicom (may be NULL) gives a spacing. */
gboolean cxr_measure_has_spacing (const CxrDicomImage *dicom);
/* "x 512, y 300 (73.2, 42.9 mm): value 2310[, CAM 0.42]" for the image point under the pointer; @cam NAN: none. */
char    *cxr_measure_readout     (const CxrStoredPlane *plane, double image_x, double image_y, float cam);
/* A box's size: "312 × 280 mm" (or "… mm at the detector"), or NULL without a spacing. */
char    *cxr_measure_box_size    (const CxrDicomImage *dicom, double width_px, double height_px);
/* A horizontal length: "112.4 mm" (or "… mm at the detector"), or "786 px" without a spacing. */
char    *cxr_measure_length      (const CxrDicomImage *dicom, double length_px);
/* The length of a line @dx_px wide and @dy_px high, worded the same way: the x extent at the column spacing, the y
 * extent at the row spacing. */
char    *cxr_measure_line_text   (const CxrDicomImage *dicom, double dx_px, double dy_px);

G_END_DECLS
