/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-bbox-format.h"

#include <math.h>
#include <string.h>

#include "cxr-bbox-store.h"
#include "cxr-csv.h"
#include "cxr-error.h"
#include "cxr-format.h"

static const char *const coordinate_names[4] = { "x", "y", "w", "h" };

/* ---- the header ------------------------------------------------------------------------------------------ */

/* Compares a header field with a name, ignoring case and surrounding spaces (spreadsheets add both). */
static gboolean
header_is (const CxrCsvField *field, const char *name)
{
  const char *text = field->text;
  gsize length = field->length;
  while (length > 0 && text[0] == ' ')
    text++, length--;
  while (length > 0 && text[length - 1] == ' ')
    length--;
  return strlen (name) == length && g_ascii_strncasecmp (text, name, length) == 0;
}

static gboolean
header_is_any (const CxrCsvField *field, const char *const *names)
{
  for (gsize i = 0; names[i] != NULL; i++)
    if (header_is (field, names[i]))
      return TRUE;
  return FALSE;
}

static void
unknown_column_error (GError **error, const char *filename, const CxrCsvField *field, const char *expected)
{
  cxr_csv_set_field_error (error, filename, field, "unknown column '%.*s' where BB.csv has %s (a BB.csv header "
                           "reads " CXR_BBOX_STANDARD_HEADER ")", (int) MIN (field->length, 60), field->text,
                           expected);
}

static gboolean
check_header (const char *filename, const CxrCsvRecord *record, GError **error)
{
  static const char *const image_names[] = { "Image Index", "Image", "Image_Index", "Image Name", NULL };
  static const char *const label_names[] = { "Finding Label", "Finding Labels", "Label", "Finding_Label", NULL };
  static const char *const bbox_first[] = { "Bbox [x", "x", NULL };
  static const char *const bbox_last[] = { "h]", "h", NULL };
  const CxrCsvField *f = record->fields;

  if (!header_is_any (&f[0], image_names))
    {
      unknown_column_error (error, filename, &f[0], "'Image Index'");
      return FALSE;
    }
  if (record->n_fields < 2 || !header_is_any (&f[1], label_names))
    {
      if (record->n_fields < 2)
        cxr_csv_set_field_error (error, filename, &f[0], "the header has only one column; a BB.csv header reads "
                                 CXR_BBOX_STANDARD_HEADER);
      else
        unknown_column_error (error, filename, &f[1], "'Finding Label'");
      return FALSE;
    }
  if (record->n_fields < 3)
    {
      cxr_csv_set_field_error (error, filename, &f[1], "the header has no box columns; a BB.csv header reads "
                               CXR_BBOX_STANDARD_HEADER);
      return FALSE;
    }
  /* "Bbox [x,y,w,h]" quoted as one field, or spread over four by the commas inside it. */
  if (header_is (&f[2], "Bbox [x,y,w,h]"))
    return TRUE;
  if (!header_is_any (&f[2], bbox_first))
    {
      unknown_column_error (error, filename, &f[2], "'Bbox [x,y,w,h]' or x,y,w,h");
      return FALSE;
    }
  for (guint k = 3; k < 6; k++)
    {
      if (k >= record->n_fields)
        {
          cxr_csv_set_field_error (error, filename, &f[record->n_fields - 1],
                                   "the header ends before the box column %s", coordinate_names[k - 2]);
          return FALSE;
        }
      gboolean ok = k == 5 ? header_is_any (&f[k], bbox_last) : header_is (&f[k], coordinate_names[k - 2]);
      if (!ok)
        {
          g_autofree char *expected = g_strdup_printf ("'%s'", k == 5 ? "h]" : coordinate_names[k - 2]);
          unknown_column_error (error, filename, &f[k], expected);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- rows ------------------------------------------------------------------------------------------------ */

gboolean
cxr_bbox_check_values (const char *image, const char *label, double x, double y, double w, double h,
                       GError **error)
{
  if (image == NULL || *image == '\0')
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "a box needs an image name");
      return FALSE;
    }
  if (label == NULL || *label == '\0')
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "a box needs a label");
      return FALSE;
    }
  /* BB.csv is UTF-8 text: a name that is not would make the whole file unreadable. */
  const char *const names[2][2] = { { "image name", image }, { "label", label } };
  for (int k = 0; k < 2; k++)
    {
      const char *bad;
      if (!g_utf8_validate (names[k][1], -1, &bad))
        {
          g_autofree char *shown = g_strescape (names[k][1], NULL);
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "the %s \"%s\" is not valid UTF-8 (byte 0x%02x at %d)",
                       names[k][0], shown, (guchar) *bad, (int) (bad - names[k][1]));
          return FALSE;
        }
    }
  const double values[4] = { x, y, w, h };
  for (int k = 0; k < 4; k++)
    if (!isfinite (values[k]) || values[k] < 0.0 || values[k] > CXR_BBOX_MAX_COORDINATE)
      {
        g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "box %s = %g is out of range (0 to %g pixels)",
                     coordinate_names[k], values[k], CXR_BBOX_MAX_COORDINATE);
        return FALSE;
      }
  return TRUE;
}

static gboolean
parse_row (const char *filename, const CxrCsvRecord *record, CxrBBoxInternFunc intern, gpointer intern_data,
           CxrBBoxItem *item, GError **error)
{
  const CxrCsvField *f = record->fields;
  if (record->n_fields < 6)
    {
      const CxrCsvField *last = &f[record->n_fields - 1];
      CxrCsvField at = *last;
      at.column += (guint) last->raw_length;
      cxr_csv_set_field_error (error, filename, &at, "a box row has 6 fields (image, label, x, y, w, h); this "
                               "one has %u", record->n_fields);
      return FALSE;
    }
  if (f[0].length == 0)
    {
      cxr_csv_set_field_error (error, filename, &f[0], "the image name is empty");
      return FALSE;
    }
  if (f[1].length == 0)
    {
      cxr_csv_set_field_error (error, filename, &f[1], "the label is empty");
      return FALSE;
    }
  double v[4];
  for (int k = 0; k < 4; k++)
    {
      const CxrCsvField *field = &f[2 + k];
      if (!cxr_csv_field_to_double (field, &v[k]))
        {
          cxr_csv_set_field_error (error, filename, field, "box %s '%.*s' is not a number", coordinate_names[k],
                                   (int) MIN (field->length, 40), field->text);
          return FALSE;
        }
      if (v[k] < 0.0)
        {
          cxr_csv_set_field_error (error, filename, field, "box %s %.*s is negative", coordinate_names[k],
                                   (int) MIN (field->length, 40), field->text);
          return FALSE;
        }
      if (v[k] > CXR_BBOX_MAX_COORDINATE)
        {
          cxr_csv_set_field_error (error, filename, field, "box %s %.*s is out of range (0 to %g pixels)",
                                   coordinate_names[k], (int) MIN (field->length, 40), field->text,
                                   CXR_BBOX_MAX_COORDINATE);
          return FALSE;
        }
    }

  item->kind = CXR_BBOX_ITEM_ROW;
  item->disk.present = TRUE;
  item->disk.image = intern (intern_data, f[0].text, f[0].length);
  item->disk.label = intern (intern_data, f[1].text, f[1].length);
  item->disk.x = v[0];
  item->disk.y = v[1];
  item->disk.w = v[2];
  item->disk.h = v[3];
  item->now = item->disk;
  for (int k = 0; k < 6; k++)
    {
      item->field_start[k] = (guint32) (f[k].offset - record->start);
      item->field_end[k] = (guint32) (f[k].offset + f[k].raw_length - record->start);
    }
  return TRUE;
}

gboolean
cxr_bbox_format_parse (const char *filename, const char *text, gsize length, CxrBBoxInternFunc intern,
                       gpointer intern_data, GArray *items, CxrBBoxStyle *style, GError **error)
{
  g_array_set_size (items, 0);
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (filename, text, length);
  CxrCsvRecord record;
  g_autoptr (GError) local_error = NULL;
  const CxrBBoxItem *last_row = NULL;
  guint last_row_index = 0;
  gboolean have_last_row = FALSE;

  while (cxr_csv_reader_next (reader, &record, &local_error))
    {
      CxrBBoxItem item = { 0 };
      item.in_file = TRUE;
      item.start = items->len == 0 ? 0 : record.start;  /* the header keeps a byte order mark */
      item.end = record.end;
      item.next = record.next;
      item.line = record.line;
      item.n_fields = record.n_fields;
      if (items->len == 0)
        {
          if (cxr_csv_record_is_blank (&record))
            {
              cxr_csv_set_field_error (error, filename, &record.fields[0], "the first line is empty; BB.csv "
                                       "starts with the header " CXR_BBOX_STANDARD_HEADER);
              return FALSE;
            }
          if (!check_header (filename, &record, error))
            return FALSE;
          item.kind = CXR_BBOX_ITEM_HEADER;
        }
      else if (cxr_csv_record_is_blank (&record))
        item.kind = CXR_BBOX_ITEM_VERBATIM;
      else
        {
          if (!parse_row (filename, &record, intern, intern_data, &item, error))
            return FALSE;
          have_last_row = TRUE;
          last_row_index = items->len;
        }
      g_array_append_val (items, item);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (items->len == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:1:1: the file is empty; BB.csv starts with the header "
                   CXR_BBOX_STANDARD_HEADER, filename);
      return FALSE;
    }

  /* New rows follow the last row's terminator (or the header's) and trailing fields. */
  if (have_last_row)
    last_row = &g_array_index (items, CxrBBoxItem, last_row_index);
  const CxrBBoxItem *model = last_row;
  if (model == NULL || model->next == model->end)
    model = &g_array_index (items, CxrBBoxItem, 0);
  memset (style->eol, 0, sizeof style->eol);
  if (model->next > model->end)
    memcpy (style->eol, text + model->end, MIN (model->next - model->end, 2));
  else
    strcpy (style->eol, "\n");
  style->n_extra_fields = last_row != NULL ? last_row->n_fields - 6 : 0;
  style->final_newline = length == 0 || text[length - 1] == '\n' || text[length - 1] == '\r';
  return TRUE;
}

/* ---- writing --------------------------------------------------------------------------------------------- */

gboolean
cxr_bbox_row_state_equal (const CxrBBoxRowState *a, const CxrBBoxRowState *b)
{
  if (a->present != b->present)
    return FALSE;
  if (!a->present)
    return TRUE;
  return a->image == b->image && a->label == b->label && a->x == b->x && a->y == b->y && a->w == b->w
         && a->h == b->h;
}

gboolean
cxr_bbox_item_differs (const CxrBBoxItem *item)
{
  if (item->kind != CXR_BBOX_ITEM_ROW)
    return FALSE;
  if (item->now.present != item->in_file)
    return TRUE;
  return item->in_file && !cxr_bbox_row_state_equal (&item->now, &item->disk);
}

static void
append_raw_field (GString *out, const char *text, const CxrBBoxItem *item, int k)
{
  g_string_append_len (out, text + item->start + item->field_start[k],
                       (gssize) (item->field_end[k] - item->field_start[k]));
}

static void
append_row (GString *out, const char *text, const CxrBBoxItem *item, const CxrBBoxStyle *style)
{
  const CxrBBoxRowState *now = &item->now, *disk = &item->disk;
  const gboolean in_file = item->in_file;
  const double values[4] = { now->x, now->y, now->w, now->h };
  const double old_values[4] = { disk->x, disk->y, disk->w, disk->h };

  if (in_file && now->image == disk->image)
    append_raw_field (out, text, item, 0);
  else
    cxr_csv_append_field (out, now->image);
  g_string_append_c (out, ',');
  if (in_file && now->label == disk->label)
    append_raw_field (out, text, item, 1);
  else
    cxr_csv_append_field (out, now->label);
  for (int k = 0; k < 4; k++)
    {
      g_string_append_c (out, ',');
      if (in_file && values[k] == old_values[k])
        append_raw_field (out, text, item, 2 + k);
      else
        cxr_format_append_double (out, values[k]);
    }
  if (in_file)
    g_string_append_len (out, text + item->start + item->field_end[5],
                         (gssize) (item->end - item->start - item->field_end[5]));
  else
    for (guint k = 0; k < style->n_extra_fields; k++)
      g_string_append_c (out, ',');
}

GBytes *
cxr_bbox_format_write (const char *text, const CxrBBoxItem *items, guint n_items, const CxrBBoxStyle *style)
{
  GString *out = g_string_sized_new (1024);
  gboolean unterminated = FALSE;   /* the last item written has no terminator (it was the file's last line) */
  gsize last_content_start = 0, last_terminator_start = 0;
  gboolean wrote_any = FALSE;

  for (guint i = 0; i < n_items; i++)
    {
      const CxrBBoxItem *item = &items[i];
      if (item->kind == CXR_BBOX_ITEM_ROW && !item->now.present)
        continue;
      if (unterminated)
        g_string_append (out, style->eol);
      last_content_start = out->len;
      if (item->in_file && !cxr_bbox_item_differs (item))
        g_string_append_len (out, text + item->start, (gssize) (item->end - item->start));
      else
        append_row (out, text, item, style);
      last_terminator_start = out->len;
      if (item->in_file)
        g_string_append_len (out, text + item->end, (gssize) (item->next - item->end));
      else
        g_string_append (out, style->eol);
      unterminated = out->len == last_terminator_start;
      wrote_any = TRUE;
    }
  /* A file without a final newline keeps lacking one, unless that would make its last (blank) record vanish. */
  if (wrote_any && !style->final_newline && !unterminated && last_terminator_start > last_content_start)
    g_string_truncate (out, last_terminator_start);
  return g_string_free_to_bytes (out);
}
