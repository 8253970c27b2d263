/* cxr-cam-csv.c: bb_results.csv rows. */
#include "cxr-cam-csv.h"

#include "cxr-csv.h"

#include <math.h>

static void
append_number (GString *out, double value, gboolean present)
{
  g_string_append_c (out, ',');
  if (present && !isnan (value))
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      /* g_ascii_formatd: a point whatever the locale, as the CLI's C locale gives. */
      g_string_append (out, g_ascii_formatd (text, sizeof text, "%.10g", value));
    }
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
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  cxr_csv_append_field (out, result->name);
  g_string_append_c (out, ',');
  cxr_csv_append_field (out, label);
  append_number (out, result->probabilities[result->target_class], TRUE);
  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (text, sizeof text, "%.6g", threshold));
  append_rect (out, &score->predicted, score->predicted_index >= 0);
  append_rect (out, &score->truth, score->truth_index >= 0);
  append_number (out, score->iou, cxr_box_score_is_scored (score));
  append_number (out, score->iobb, cxr_box_score_is_scored (score));
  g_string_append_c (out, '\n');
}
