/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-csv.c: bb_results.csv rows. */
#include "cxr-cam-csv.h"

#include "cxr-csv.h"
#include "cxr-format.h"

#include <math.h>

static void
append_number (GString *out, double value, gboolean present)
{
  g_string_append_c (out, ',');
  if (present && !isnan (value))
    cxr_format_append_double (out, value);
}

static void
append_rect (GString *out, const CxrRect *r, gboolean present)
{
  append_number (out, r->x, present);
  append_number (out, r->y, present);
  append_number (out, r->w, present);
  append_number (out, r->h, present);
}

void
cxr_cam_csv_append_row (GString *out, const CxrCamResult *result, const char *label, float threshold,
                        const CxrBoxScore *score)
{
  cxr_csv_append_field (out, result->name);
  g_string_append_c (out, ',');
  cxr_csv_append_field (out, label);
  g_string_append_c (out, ',');
  cxr_format_append_float (out, result->probabilities[result->target_class]);
  g_string_append_c (out, ',');
  cxr_format_append_float (out, threshold);
  append_rect (out, &score->predicted, score->predicted_index >= 0);
  append_rect (out, &score->truth, score->truth_index >= 0);
  append_number (out, score->iou, cxr_box_score_is_scored (score));
  append_number (out, score->iobb, cxr_box_score_is_scored (score));
  g_string_append_c (out, '\n');
}
