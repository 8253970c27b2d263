/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-measure-line.h: a straight-line measurement between two image points (issue 16, point 4), as a
 * radiologist's Length tool (OHIF) or line measure (Weasis) lays one: any direction, its length in image pixels,
 * in millimetres where the image has a pixel spacing (the window's cxr-measure-text.h words it).
 *
 * Everything is in original-image pixels. The review sidecar stores an image's lines (cxr-review.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double x0, y0;   /* where the drag began */
  double x1, y1;   /* where it ended */
} CxrMeasureLine;

/* The length in image pixels. */
double cxr_measure_line_length (const CxrMeasureLine *line);
/* The distance from the point (@x, @y) to the line's nearest point, in image pixels: for picking a line. */
double cxr_measure_line_distance (const CxrMeasureLine *line, double x, double y);
/* The line with each coordinate rounded to a tenth of a pixel, as files store it. */
CxrMeasureLine cxr_measure_line_rounded (const CxrMeasureLine *line);

G_END_DECLS
