/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-measure-line.c: a line's length, and how near a point is to it. */
#include "config.h"

#include <math.h>

#include "cxr-measure-line.h"

double
cxr_measure_line_length (const CxrMeasureLine *line)
{
  return hypot (line->x1 - line->x0, line->y1 - line->y0);
}

double
cxr_measure_line_distance (const CxrMeasureLine *line, double x, double y)
{
  double dx = line->x1 - line->x0, dy = line->y1 - line->y0;
  double squared = dx * dx + dy * dy;
  /* The foot of the perpendicular, kept on the segment: past an end, the end is nearest. */
  double t = squared > 0 ? ((x - line->x0) * dx + (y - line->y0) * dy) / squared : 0;
  t = CLAMP (t, 0.0, 1.0);
  return hypot (x - (line->x0 + t * dx), y - (line->y0 + t * dy));
}

/* A tenth of a pixel: the pointer is no finer, and the file stays readable. */
static double
tenth (double v)
{
  return round (v * 10) / 10;
}

CxrMeasureLine
cxr_measure_line_rounded (const CxrMeasureLine *line)
{
  return (CxrMeasureLine) { tenth (line->x0), tenth (line->y0), tenth (line->x1), tenth (line->y1) };
}
