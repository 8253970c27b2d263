/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-review-lines.c: an image's line measurements in the review sidecar (issue 16, point 4):
 *
 *       "lines": [[412.5, 301, 690.2, 588.4], [100, 80.5, 140, 80.5]]
 *
 * each [x0, y0, x1, y1] in original-image pixels to a tenth, in the order they were drawn. The numbers go through
 * the JSON writer, which formats them with cxr-format.h: the same bytes under every locale. An image without lines
 * has no member, so files written before it read as before. */
#include "config.h"

#include <math.h>

#include "cxr-json-read.h"
#include "cxr-review-private.h"

#define LINES_MEMBER "lines"

/* One line: four finite numbers. */
static gboolean
read_line (JsonNode *node, CxrMeasureLine *line)
{
  double v[4];
  if (!cxr_json_read_numbers (node, v, 4))
    return FALSE;
  *line = (CxrMeasureLine) { v[0], v[1], v[2], v[3] };
  return TRUE;
}

/* The lines of @entry into @lines (may be NULL: only checks). FALSE when the member is not an array of lines. */
static gboolean
read_lines (JsonObject *entry, GArray *lines)
{
  JsonNode *node = json_object_get_member (entry, LINES_MEMBER);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  JsonArray *array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      CxrMeasureLine line;
      if (!read_line (json_array_get_element (array, i), &line))
        return FALSE;
      if (lines != NULL)
        g_array_append_val (lines, line);
    }
  return TRUE;
}

gboolean
_cxr_review_check_lines (JsonObject *entry)
{
  return read_lines (entry, NULL);
}

GArray *
cxr_review_get_lines (CxrReview *review, const char *image)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (CxrMeasureLine));
  JsonObject *entry = _cxr_review_image (review, image);
  /* The file was checked when it was read, and every change since wrote well-formed lines. */
  if (entry != NULL && !read_lines (entry, lines))
    g_array_set_size (lines, 0);
  return lines;
}

void
cxr_review_set_lines (CxrReview *review, const char *image, const GArray *lines)
{
  JsonObject *entry = _cxr_review_touch (review, image);
  if (lines == NULL || lines->len == 0)
    {
      if (json_object_has_member (entry, LINES_MEMBER))
        json_object_remove_member (entry, LINES_MEMBER);
    }
  else
    {
      JsonArray *array = json_array_sized_new (lines->len);
      for (guint i = 0; i < lines->len; i++)
        {
          CxrMeasureLine line = cxr_measure_line_rounded (&g_array_index (lines, CxrMeasureLine, i));
          JsonArray *numbers = json_array_sized_new (4);
          json_array_add_double_element (numbers, line.x0);
          json_array_add_double_element (numbers, line.y0);
          json_array_add_double_element (numbers, line.x1);
          json_array_add_double_element (numbers, line.y1);
          json_array_add_array_element (array, numbers);
        }
      json_object_set_array_member (entry, LINES_MEMBER, array);
    }
  _cxr_review_changed (review, image);
}
