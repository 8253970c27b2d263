/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ctr.h: the cardiothoracic ratio from two horizontal calipers (issue 16, point 4).
 *
 * The reader lays one caliper across the heart's widest extent and one across the thorax's widest extent (inner
 * margins of the ribs, usually at the level of the diaphragm's domes); CTR = heart width / thorax width. On a PA
 * radiograph a ratio above 0.5 is the classic sign of cardiomegaly, so the window flags it. Both widths are in
 * the same image's pixels, so the ratio needs no pixel spacing (and no magnification correction).
 *
 * Everything is in original-image pixels. The review sidecar stores a measurement per image (cxr-review.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_CTR_FLAG_ABOVE 0.5

/* One horizontal caliper: from x @left to x @right (left <= right) on row @y. */
typedef struct {
  double left;
  double right;
  double y;
} CxrCaliper;

typedef struct {
  CxrCaliper heart;
  CxrCaliper thorax;
} CxrCtr;

/* A caliper between two points: horizontal at the first point's row, ends sorted. */
CxrCaliper cxr_caliper_from_points (double x0, double y0, double x1);
double     cxr_caliper_width       (const CxrCaliper *caliper);
/* The heart caliper a box (say the model's Cardiomegaly box) suggests: the box's width, at its middle row. */
CxrCaliper cxr_caliper_from_box    (double x, double y, double w, double h);

/* heart width / thorax width; NAN when the thorax caliper has no width. */
double     cxr_ctr_ratio           (const CxrCtr *ctr);
/* TRUE when the ratio is above CXR_CTR_FLAG_ABOVE. */
gboolean   cxr_ctr_flagged         (const CxrCtr *ctr);
/* The ratio as files write it: "0.4837" (four decimals, '.' under every locale); "" for NAN. */
void       cxr_ctr_append_ratio    (GString *out, double ratio);

G_END_DECLS
