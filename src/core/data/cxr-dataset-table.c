/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The NIH label table (Data_Entry_2017.csv): 112,120 rows read in one pass over a mapped file, names interned,
 * no allocation per field. */
#include <stdarg.h>
#include <string.h>

#include "cxr-csv.h"
#include "cxr-dataset-private.h"
#include "cxr-error.h"
#include "cxr-input-file.h"

/* ---- the index ------------------------------------------------------------------------------------------- */

void
cxr_dataset_index_init (CxrDatasetIndex *index, gsize expected_entries)
{
  index->entries = g_array_sized_new (FALSE, TRUE, sizeof (CxrDatasetEntry), (guint) expected_entries);
  index->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  index->strings = g_string_chunk_new (MAX (4096, expected_entries * 20));
  index->unknown_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  index->notes = g_ptr_array_new_with_free_func (g_free);
}

void
cxr_dataset_index_clear (CxrDatasetIndex *index)
{
  g_clear_pointer (&index->entries, g_array_unref);
  g_clear_pointer (&index->by_name, g_hash_table_unref);
  g_clear_pointer (&index->strings, g_string_chunk_free);
  g_clear_pointer (&index->unknown_labels, g_hash_table_unref);
  g_clear_pointer (&index->notes, g_ptr_array_unref);
}

gboolean
cxr_dataset_index_lookup (const CxrDatasetIndex *index, const char *name, guint *position)
{
  gpointer value = g_hash_table_lookup (index->by_name, name);
  if (value == NULL)
    return FALSE;
  if (position != NULL)
    *position = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

gboolean
cxr_dataset_parse_nih_name (const char *name, guint32 *patient_id, guint16 *follow_up)
{
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit (name[i]))
      return FALSE;
  if (name[8] != '_' || !g_ascii_isdigit (name[9]) || !g_ascii_isdigit (name[10]) || !g_ascii_isdigit (name[11])
      || name[12] != '.')
    return FALSE;
  guint32 patient = 0;
  for (int i = 0; i < 8; i++)
    patient = patient * 10 + (guint32) (name[i] - '0');
  *patient_id = patient;
  *follow_up = (guint16) ((name[9] - '0') * 100 + (name[10] - '0') * 10 + (name[11] - '0'));
  return TRUE;
}

guint
cxr_dataset_index_add (CxrDatasetIndex *index, const char *name, gsize length, gboolean *created)
{
  /* Names arrive as CSV fields, not NUL-terminated (and possibly at the very end of a mapped file): look up a
   * terminated copy, and intern only new names. */
  char key[256];
  g_autofree char *long_key = NULL;
  const char *lookup_key = key;
  if (length < sizeof key)
    {
      memcpy (key, name, length);
      key[length] = '\0';
    }
  else
    lookup_key = long_key = g_strndup (name, length);
  guint position;
  if (cxr_dataset_index_lookup (index, lookup_key, &position))
    {
      if (created != NULL)
        *created = FALSE;
      return position;
    }
  CxrDatasetEntry entry = { 0 };
  entry.name = g_string_chunk_insert_len (index->strings, name, (gssize) length);
  entry.age = -1;
  cxr_dataset_parse_nih_name (entry.name, &entry.patient_id, &entry.follow_up);
  g_array_append_val (index->entries, entry);
  position = index->entries->len - 1;
  g_hash_table_insert (index->by_name, (gpointer) entry.name, GUINT_TO_POINTER (position + 1));
  if (created != NULL)
    *created = TRUE;
  return position;
}

void
cxr_dataset_index_note (CxrDatasetIndex *index, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_ptr_array_add (index->notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* ---- the table ------------------------------------------------------------------------------------------- */

enum {
  COLUMN_IMAGE,
  COLUMN_FINDINGS,
  COLUMN_FOLLOW_UP,
  COLUMN_PATIENT,
  COLUMN_AGE,
  COLUMN_SEX,
  COLUMN_VIEW,
  N_COLUMNS
};

static const char *const column_names[N_COLUMNS] = {
  "Image Index", "Finding Labels", "Follow-up #", "Patient ID", "Patient Age", "Patient Gender", "View Position",
};

/* Values that could not be read, counted per column, with the first place for the note. */
typedef struct {
  guint count;
  guint line, column;
} Problem;

static gboolean
header_matches (const CxrCsvField *field, const char *name)
{
  const char *text = field->text;
  gsize length = field->length;
  while (length > 0 && *text == ' ')
    text++, length--;
  while (length > 0 && text[length - 1] == ' ')
    length--;
  return strlen (name) == length && g_ascii_strncasecmp (text, name, length) == 0;
}

static void
problem_at (Problem *problem, const CxrCsvField *field)
{
  if (problem->count++ == 0)
    {
      problem->line = field->line;
      problem->column = field->column;
    }
}

static gboolean
parse_uint (const CxrCsvField *field, guint64 max, guint64 *value)
{
  if (field->length == 0 || field->length > 19)
    return FALSE;
  guint64 v = 0;
  for (gsize i = 0; i < field->length; i++)
    {
      char c = field->text[i];
      if (!g_ascii_isdigit (c))
        return FALSE;
      v = v * 10 + (guint64) (c - '0');
    }
  if (v > max)
    return FALSE;
  *value = v;
  return TRUE;
}

/* "58" (v2020) or "058Y" (2017 and Kaggle): years; months, weeks and days ("011M") are under a year. */
static gboolean
parse_age (const CxrCsvField *field, gint16 *age)
{
  gsize digits = 0;
  while (digits < field->length && g_ascii_isdigit (field->text[digits]))
    digits++;
  if (digits == 0 || digits > 3)
    return FALSE;
  CxrCsvField number = *field;
  number.length = digits;
  guint64 value;
  if (!parse_uint (&number, 999, &value))
    return FALSE;
  if (digits == field->length || (digits + 1 == field->length && (field->text[digits] == 'Y' || field->text[digits] == 'y')))
    *age = (gint16) value;
  else if (digits + 1 == field->length && strchr ("MmWwDd", field->text[digits]) != NULL)
    *age = 0;
  else
    return FALSE;
  return TRUE;
}

gboolean
cxr_dataset_table_read (const char *path, CxrDatasetIndex *index, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) mapped = cxr_input_file_map (path, error);
  if (mapped == NULL)
    return FALSE;
  gsize length;
  const char *data = g_bytes_get_data (mapped, &length);
  if (data == NULL)
    data = "";   /* an empty file maps to NULL */

  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (path, data, length);
  CxrCsvRecord record;
  if (!cxr_csv_reader_next (reader, &record, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:1:1: the file is empty; a label table starts with the "
                     "header Image Index,Finding Labels,...", path);
      return FALSE;
    }

  int column[N_COLUMNS];
  guint needed_fields = 0;
  for (int c = 0; c < N_COLUMNS; c++)
    {
      column[c] = -1;
      for (guint f = 0; f < record.n_fields; f++)
        if (header_matches (&record.fields[f], column_names[c]))
          {
            column[c] = (int) f;
            needed_fields = MAX (needed_fields, f + 1);
            break;
          }
      if (column[c] < 0 && c <= COLUMN_FINDINGS)
        {
          cxr_csv_set_field_error (error, path, &record.fields[0], "not a label table: the header has no '%s' "
                                   "column (Data_Entry_2017.csv starts Image Index,Finding Labels,...)",
                                   column_names[c]);
          return FALSE;
        }
    }

  Problem short_rows = { 0 }, duplicates = { 0 }, bad[N_COLUMNS] = { { 0 } };
  while (cxr_csv_reader_next (reader, &record, &local_error))
    {
      if (cxr_csv_record_is_blank (&record))
        continue;
      const CxrCsvField *f = record.fields;
      if (record.n_fields < needed_fields || f[column[COLUMN_IMAGE]].length == 0)
        {
          problem_at (&short_rows, &f[0]);
          continue;
        }
      const CxrCsvField *name = &f[column[COLUMN_IMAGE]];
      gboolean created;
      guint position = cxr_dataset_index_add (index, name->text, name->length, &created);
      if (!created)
        {
          problem_at (&duplicates, name);
          continue;
        }
      CxrDatasetEntry *entry = &g_array_index (index->entries, CxrDatasetEntry, position);
      entry->line = record.line;
      const CxrCsvField *findings = &f[column[COLUMN_FINDINGS]];
      entry->findings = cxr_finding_parse_list (findings->text, findings->length, index->unknown_labels);
      if (entry->findings == 0)
        problem_at (&bad[COLUMN_FINDINGS], findings);

      guint64 value;
      if (column[COLUMN_PATIENT] >= 0)
        {
          if (parse_uint (&f[column[COLUMN_PATIENT]], G_MAXUINT32, &value) && value > 0)
            entry->patient_id = (guint32) value;
          else
            problem_at (&bad[COLUMN_PATIENT], &f[column[COLUMN_PATIENT]]);
        }
      if (column[COLUMN_FOLLOW_UP] >= 0)
        {
          if (parse_uint (&f[column[COLUMN_FOLLOW_UP]], G_MAXUINT16, &value))
            entry->follow_up = (guint16) value;
          else
            problem_at (&bad[COLUMN_FOLLOW_UP], &f[column[COLUMN_FOLLOW_UP]]);
        }
      if (column[COLUMN_AGE] >= 0 && !parse_age (&f[column[COLUMN_AGE]], &entry->age))
        problem_at (&bad[COLUMN_AGE], &f[column[COLUMN_AGE]]);
      if (column[COLUMN_SEX] >= 0)
        {
          const CxrCsvField *sex = &f[column[COLUMN_SEX]];
          if (sex->length == 1 && (sex->text[0] == 'M' || sex->text[0] == 'F'))
            entry->sex = sex->text[0];
          else
            problem_at (&bad[COLUMN_SEX], sex);
        }
      if (column[COLUMN_VIEW] >= 0)
        {
          const CxrCsvField *view = &f[column[COLUMN_VIEW]];
          if (view->length >= 1 && view->length <= 2)
            memcpy (entry->view, view->text, view->length);
          else
            problem_at (&bad[COLUMN_VIEW], view);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (short_rows.count > 0)
    cxr_dataset_index_note (index, "%s: %u rows are too short or have no image name and were left out (the first "
                            "at line %u)", path, short_rows.count, short_rows.line);
  if (duplicates.count > 0)
    cxr_dataset_index_note (index, "%s: %u rows repeat an image named before and were left out (the first at "
                            "line %u)", path, duplicates.count, duplicates.line);
  for (int c = COLUMN_FINDINGS; c < N_COLUMNS; c++)
    if (bad[c].count > 0)
      cxr_dataset_index_note (index, "%s: %u rows have an unreadable %s (the first at %u:%u)", path, bad[c].count,
                              column_names[c], bad[c].line, bad[c].column);
  return TRUE;
}
