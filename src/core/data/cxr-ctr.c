/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ctr.c: calipers and their ratio. */
#include "config.h"

#include <math.h>

#include "cxr-ctr.h"
#include "cxr-format.h"

CxrCaliper
cxr_caliper_from_points (double x0, double y0, double x1)
{
  return (CxrCaliper) { MIN (x0, x1), MAX (x0, x1), y0 };
}

double
cxr_caliper_width (const CxrCaliper *caliper)
{
  return caliper->right - caliper->left;
}

CxrCaliper
cxr_caliper_from_box (double x, double y, double w, double h)
{
  return (CxrCaliper) { x, x + w, y + h / 2 };
}

double
cxr_ctr_ratio (const CxrCtr *ctr)
{
  double thorax = cxr_caliper_width (&ctr->thorax);
  if (!(thorax > 0))
    return NAN;
  return cxr_caliper_width (&ctr->heart) / thorax;
}

gboolean
cxr_ctr_flagged (const CxrCtr *ctr)
{
  return cxr_ctr_ratio (ctr) > CXR_CTR_FLAG_ABOVE;
}

void
cxr_ctr_append_ratio (GString *out, double ratio)
{
  if (!isnan (ratio))
    cxr_format_append_fixed (out, ratio, 4);
}
