/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-csv.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "cxr-error.h"

struct _CxrCsvReader {
  char *filename;
  const char *data;
  gsize length;
  gsize pos;            /* where the next record starts */
  guint line;           /* line number at pos */
  gsize line_start;     /* offset of the first byte of that line, for columns */
  gsize max_record_length;
  gboolean had_bom;
  GArray *fields;       /* CxrCsvField, reused from record to record */
  GString *scratch;     /* unescaped text of quoted fields with doubled quotes */
  GArray *fixups;       /* guint pairs (field index, scratch offset): scratch may move while a record grows */
};

/* Bytes that end an unquoted field or need a closer look; a table keeps the hot loop to one load per byte. */
enum { PLAIN = 0, STOP = 1 };
static const guint8 unquoted_class[256] = {
  ['\0'] = STOP, [','] = STOP, ['\r'] = STOP, ['\n'] = STOP,
};
static const guint8 quoted_class[256] = {
  ['\0'] = STOP, ['"'] = STOP, ['\r'] = STOP, ['\n'] = STOP,
};

CxrCsvReader *
cxr_csv_reader_new (const char *filename, const char *data, gsize length)
{
  CxrCsvReader *reader = g_new0 (CxrCsvReader, 1);
  reader->filename = g_strdup (filename != NULL ? filename : "<csv>");
  reader->data = data;
  reader->length = length;
  reader->line = 1;
  reader->max_record_length = CXR_CSV_DEFAULT_MAX_RECORD_LENGTH;
  reader->fields = g_array_sized_new (FALSE, FALSE, sizeof (CxrCsvField), 16);
  reader->scratch = g_string_new (NULL);
  reader->fixups = g_array_new (FALSE, FALSE, sizeof (guint));
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      reader->had_bom = TRUE;
      reader->pos = 3;
      reader->line_start = 3;
    }
  return reader;
}

void
cxr_csv_reader_free (CxrCsvReader *reader)
{
  if (reader == NULL)
    return;
  g_free (reader->filename);
  g_array_unref (reader->fields);
  g_string_free (reader->scratch, TRUE);
  g_array_unref (reader->fixups);
  g_free (reader);
}

void
cxr_csv_reader_set_max_record_length (CxrCsvReader *reader, gsize max_length)
{
  reader->max_record_length = max_length;
}

const char *
cxr_csv_reader_get_filename (CxrCsvReader *reader)
{
  return reader->filename;
}

gboolean
cxr_csv_reader_had_bom (CxrCsvReader *reader)
{
  return reader->had_bom;
}

static void
set_error_at (GError **error, const char *filename, guint line, guint column, const char *format, va_list args)
  G_GNUC_PRINTF (5, 0);

static void
set_error_at (GError **error, const char *filename, guint line, guint column, const char *format, va_list args)
{
  g_autofree char *what = g_strdup_vprintf (format, args);
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:%u:%u: %s", filename, line, column, what);
}

static void
reader_error (CxrCsvReader *reader, GError **error, guint line, gsize line_start, gsize offset,
              const char *format, ...) G_GNUC_PRINTF (6, 7);

static void
reader_error (CxrCsvReader *reader, GError **error, guint line, gsize line_start, gsize offset,
              const char *format, ...)
{
  va_list args;
  va_start (args, format);
  set_error_at (error, reader->filename, line, (guint) (offset - line_start + 1), format, args);
  va_end (args);
}

void
cxr_csv_set_field_error (GError **error, const char *filename, const CxrCsvField *field, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  set_error_at (error, filename, field->line, field->column, format, args);
  va_end (args);
}

/* Finds the line and line start of an offset inside the current record, for errors found after tokenizing. */
static void
locate (CxrCsvReader *reader, gsize record_start, guint record_line, gsize record_line_start, gsize offset,
        guint *line, gsize *line_start)
{
  *line = record_line;
  *line_start = record_line_start;
  for (gsize i = record_start; i < offset; i++)
    {
      char c = reader->data[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= reader->length || reader->data[i + 1] != '\n')))
        {
          (*line)++;
          *line_start = i + 1;
        }
    }
}

static gboolean
check_utf8 (CxrCsvReader *reader, gsize start, gsize end, guint record_line, gsize record_line_start,
            GError **error)
{
  const guint8 *p = (const guint8 *) reader->data;
  gsize i = start;
  while (i < end && p[i] < 0x80)
    i++;
  if (i == end)
    return TRUE;

  const char *bad = NULL;
  if (g_utf8_validate_len (reader->data + start, end - start, &bad))
    return TRUE;
  guint line;
  gsize line_start;
  gsize offset = (gsize) (bad - reader->data);
  locate (reader, start, record_line, record_line_start, offset, &line, &line_start);
  reader_error (reader, error, line, line_start, offset, "invalid UTF-8 (byte 0x%02x): not a text file?",
                p[offset]);
  return FALSE;
}

gboolean
cxr_csv_reader_next (CxrCsvReader *reader, CxrCsvRecord *record, GError **error)
{
  const char *data = reader->data;
  const gsize length = reader->length;
  gsize pos = reader->pos;

  if (pos >= length)
    return FALSE;

  const gsize record_start = pos;
  const guint record_line = reader->line;
  const gsize record_line_start = reader->line_start;
  guint line = reader->line;
  gsize line_start = reader->line_start;
  gsize end = 0, next = 0;

  g_array_set_size (reader->fields, 0);
  g_string_truncate (reader->scratch, 0);
  g_array_set_size (reader->fixups, 0);

  for (;;)
    {
      CxrCsvField field = { 0 };
      field.offset = pos;
      field.line = line;
      field.column = (guint) (pos - line_start + 1);

      if (pos < length && data[pos] == '"')
        {
          gsize p = pos + 1;
          gsize segment = p;
          gboolean escaped = FALSE;
          gsize scratch_start = reader->scratch->len;
          gsize content_end;
          for (;;)
            {
              while (p < length && quoted_class[(guint8) data[p]] == PLAIN)
                p++;
              if (p >= length)
                {
                  reader_error (reader, error, field.line, field.offset - field.column + 1, field.offset,
                                "quoted field is never closed");
                  return FALSE;
                }
              char c = data[p];
              if (c == '"')
                {
                  if (p + 1 < length && data[p + 1] == '"')
                    {
                      g_string_append_len (reader->scratch, data + segment, (gssize) (p + 1 - segment));
                      p += 2;
                      segment = p;
                      escaped = TRUE;
                      continue;
                    }
                  content_end = p;
                  p++;
                  break;
                }
              if (c == '\0')
                {
                  reader_error (reader, error, line, line_start, p, "NUL byte: this is a binary file, not CSV");
                  return FALSE;
                }
              if (c == '\n' || (c == '\r' && (p + 1 >= length || data[p + 1] != '\n')))
                {
                  line++;
                  line_start = p + 1;
                }
              p++;
            }
          if (escaped)
            {
              g_string_append_len (reader->scratch, data + segment, (gssize) (content_end - segment));
              guint fixup[2] = { reader->fields->len, (guint) scratch_start };
              g_array_append_vals (reader->fixups, fixup, 2);
              field.length = reader->scratch->len - scratch_start;
            }
          else
            {
              field.text = data + pos + 1;
              field.length = content_end - (pos + 1);
            }
          field.quoted = TRUE;
          pos = p;
          if (pos < length && data[pos] != ',' && data[pos] != '\r' && data[pos] != '\n')
            {
              reader_error (reader, error, line, line_start, pos,
                            "unexpected character '%c' after a closing quote (a quote inside a quoted field "
                            "must be doubled)", g_ascii_isprint (data[pos]) ? data[pos] : '?');
              return FALSE;
            }
        }
      else
        {
          gsize p = pos;
          while (p < length && unquoted_class[(guint8) data[p]] == PLAIN)
            p++;
          if (p < length && data[p] == '\0')
            {
              reader_error (reader, error, line, line_start, p, "NUL byte: this is a binary file, not CSV");
              return FALSE;
            }
          field.text = data + pos;
          field.length = p - pos;
          pos = p;
        }
      field.raw_length = pos - field.offset;

      if (pos - record_start > reader->max_record_length)
        {
          gsize at = record_start + reader->max_record_length;
          guint at_line;
          gsize at_line_start;
          locate (reader, record_start, record_line, record_line_start, at, &at_line, &at_line_start);
          reader_error (reader, error, at_line, at_line_start, at,
                        "record is longer than %" G_GSIZE_FORMAT " bytes: not a CSV file?",
                        reader->max_record_length);
          return FALSE;
        }
      if (reader->fields->len >= CXR_CSV_MAX_FIELDS)
        {
          reader_error (reader, error, field.line, field.offset - field.column + 1, field.offset,
                        "more than %d fields in one record: not a CSV file?", CXR_CSV_MAX_FIELDS);
          return FALSE;
        }
      g_array_append_val (reader->fields, field);

      if (pos >= length)
        {
          end = next = pos;
          break;
        }
      char c = data[pos];
      if (c == ',')
        {
          pos++;
          continue;
        }
      end = pos;
      pos++;
      if (c == '\r' && pos < length && data[pos] == '\n')
        pos++;
      next = pos;
      line++;
      line_start = pos;
      break;
    }

  if (!check_utf8 (reader, record_start, end, record_line, record_line_start, error))
    return FALSE;

  CxrCsvField *fields = (CxrCsvField *) reader->fields->data;
  const guint *fixups = (const guint *) reader->fixups->data;
  for (guint i = 0; i < reader->fixups->len; i += 2)
    fields[fixups[i]].text = reader->scratch->str + fixups[i + 1];

  reader->pos = next;
  reader->line = line;
  reader->line_start = line_start;

  record->start = record_start;
  record->end = end;
  record->next = next;
  record->line = record_line;
  record->n_fields = reader->fields->len;
  record->fields = fields;
  return TRUE;
}

gboolean
cxr_csv_field_equal (const CxrCsvField *field, const char *text)
{
  gsize n = strlen (text);
  return field->length == n && memcmp (field->text, text, n) == 0;
}

gboolean
cxr_csv_record_is_blank (const CxrCsvRecord *record)
{
  for (guint i = 0; i < record->n_fields; i++)
    if (record->fields[i].length != 0)
      return FALSE;
  return TRUE;
}

gboolean
cxr_csv_field_to_double (const CxrCsvField *field, double *value)
{
  char buf[64];
  if (field->length == 0 || field->length >= sizeof buf)
    return FALSE;
  /* g_ascii_strtod would also take " 1", "inf", "nan" and "0x10": none of those is a coordinate. */
  for (gsize i = 0; i < field->length; i++)
    {
      char c = field->text[i];
      if (!g_ascii_isdigit (c) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E')
        return FALSE;
    }
  memcpy (buf, field->text, field->length);
  buf[field->length] = '\0';
  char *end = NULL;
  double v = g_ascii_strtod (buf, &end);
  if (end != buf + field->length || !isfinite (v))
    return FALSE;
  *value = v;
  return TRUE;
}

gboolean
cxr_csv_field_to_int64 (const CxrCsvField *field, gint64 *value)
{
  char buf[32];
  if (field->length == 0 || field->length >= sizeof buf)
    return FALSE;
  memcpy (buf, field->text, field->length);
  buf[field->length] = '\0';
  return g_ascii_string_to_signed (buf, 10, G_MININT64, G_MAXINT64, value, NULL);
}

void
cxr_csv_append_field (GString *out, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
