/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-bbox-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cxr-atomic-file.h"
#include "cxr-csv.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-limits.h"

#define JOURNAL_MAGIC "cxrcam-bbox-journal"
#define JOURNAL_VERSION "1"
/* A journal holds at most a day of edits; anything bigger is not one of ours. */
#define JOURNAL_MAX_SIZE CXR_LIMIT_SIDECAR_BYTES

struct _CxrBBoxJournal {
  char *path;
  int fd;
  gsize length;        /* bytes of whole records: a failed append is cut back to here */
  CxrCrashHooks *hooks;
};

/* ---- writing ---------------------------------------------------------------------------------------------- */

static void
append_number (GString *line, double value)
{
  g_string_append_c (line, ',');
  cxr_format_append_double (line, value);
}

static void
append_state (GString *line, const CxrBBoxJournalState *state)
{
  if (!state->exists)
    {
      g_string_append (line, ",n,,,,,,");
      return;
    }
  g_string_append (line, state->present ? ",1," : ",0,");
  cxr_csv_append_field (line, state->image != NULL ? state->image : "");
  g_string_append_c (line, ',');
  cxr_csv_append_field (line, state->label != NULL ? state->label : "");
  append_number (line, state->x);
  append_number (line, state->y);
  append_number (line, state->w);
  append_number (line, state->h);
}

static void
finish_line (GString *line)
{
  guint32 crc = (guint32) crc32 (0L, (const Bytef *) line->str, (uInt) line->len);
  g_string_append_printf (line, ",%08x\n", crc);
}

static void
format_order (GString *line, const CxrBBoxJournalSlot *order, guint n)
{
  gboolean first = TRUE;
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j + 1 < n && order[j + 1].in_file == order[i].in_file && order[j + 1].id == order[j].id + 1)
        j++;
      if (!first)
        g_string_append_c (line, ';');
      first = FALSE;
      if (!order[i].in_file)
        g_string_append_c (line, '~');
      if (j == i)
        g_string_append_printf (line, "%u", order[i].id);
      else
        g_string_append_printf (line, "%u-%u", order[i].id, order[j].id);
      i = j + 1;
    }
}

static void
format_record (GString *line, const CxrBBoxJournalRecord *record)
{
  switch (record->kind)
    {
    case CXR_BBOX_JOURNAL_EDIT:
    case CXR_BBOX_JOURNAL_UNDO:
    case CXR_BBOX_JOURNAL_REDO:
      g_string_append_printf (line, "%c,%" G_GUINT64_FORMAT ",%u",
                              record->kind == CXR_BBOX_JOURNAL_EDIT ? 'E'
                              : record->kind == CXR_BBOX_JOURNAL_UNDO ? 'U' : 'R',
                              record->serial, record->id);
      append_state (line, &record->before);
      append_state (line, &record->after);
      break;
    case CXR_BBOX_JOURNAL_SAVE:
      g_string_append_printf (line, "S,%" G_GINT64_FORMAT ",%s", record->size, record->sha256);
      break;
    case CXR_BBOX_JOURNAL_SAVE_FAILED:
      g_string_append (line, "F");
      break;
    }
  finish_line (line);
}

static gboolean
write_line_once (CxrBBoxJournal *journal, const GString *line, GError **error)
{
  /* Under the kill test, two writes with a crash point between: a torn record must be recognised. */
  gsize first = journal->hooks != NULL ? line->len / 2 : line->len;
  if (!cxr_write_all (journal->fd, line->str, first, journal->path, error))
    return FALSE;
  if (first < line->len)
    {
      cxr_crash_hooks_step (journal->hooks);
      if (!cxr_write_all (journal->fd, line->str + first, line->len - first, journal->path, error))
        return FALSE;
    }
  cxr_crash_hooks_step (journal->hooks);
  if (cxr_crash_hooks_sync_enabled (journal->hooks) && fdatasync (journal->fd) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not sync %s: %s", journal->path, g_strerror (errno));
      return FALSE;
    }
  cxr_crash_hooks_step (journal->hooks);
  return TRUE;
}

static gboolean
write_line (CxrBBoxJournal *journal, const GString *line, GError **error)
{
  if (write_line_once (journal, line, error))
    {
      journal->length += line->len;
      return TRUE;
    }
  /* A reader stops at the first damaged record, so a partial one (a full disk) would hide every record written
   * after it: cut it off. If even that fails, stop using the journal rather than write behind the damage. */
  if (ftruncate (journal->fd, (off_t) journal->length) != 0)
    {
      close (journal->fd);
      journal->fd = -1;
    }
  return FALSE;
}

static int
open_locked (const char *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not open the recovery journal %s: %s", path,
                   g_strerror (errno));
      return -1;
    }
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      /* A FIFO would take the edits and lose them, and block once its buffer is full. */
      close (fd);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "the recovery journal %s is not a regular file", path);
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT,
                     "another program is editing this file (it holds %s)", path);
      else
        g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not lock %s: %s", path, g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

CxrBBoxJournal *
cxr_bbox_journal_create (const char *path, const CxrFileIdentity *base, const CxrBBoxJournalSlot *order,
                         guint n_order, CxrCrashHooks *hooks, GError **error)
{
  int fd = open_locked (path, error);
  if (fd < 0)
    return NULL;
  g_autoptr (CxrBBoxJournal) journal = g_new0 (CxrBBoxJournal, 1);
  journal->path = g_strdup (path);
  journal->fd = fd;
  journal->hooks = hooks;

  if (ftruncate (fd, 0) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not truncate %s: %s", path, g_strerror (errno));
      return NULL;
    }
  journal->length = 0;
  cxr_crash_hooks_step (hooks);

  g_autoptr (GString) header = g_string_new (JOURNAL_MAGIC "," JOURNAL_VERSION);
  finish_line (header);
  g_autoptr (GString) base_line = g_string_new (NULL);
  g_string_append_printf (base_line, "B,%d,%" G_GINT64_FORMAT ",%s,", base->exists ? 1 : 0,
                          base->exists ? base->size : 0, base->exists ? base->sha256 : "");
  format_order (base_line, order, n_order);
  finish_line (base_line);
  g_string_append_len (header, base_line->str, (gssize) base_line->len);
  if (!write_line (journal, header, error))
    return NULL;

  g_autofree char *dir = g_path_get_dirname (path);
  if (!cxr_atomic_file_sync_dir (dir, hooks, error))
    return NULL;
  return g_steal_pointer (&journal);
}

CxrBBoxJournal *
cxr_bbox_journal_continue (const char *path, gsize intact_length, CxrCrashHooks *hooks, GError **error)
{
  int fd = open_locked (path, error);
  if (fd < 0)
    return NULL;
  g_autoptr (CxrBBoxJournal) journal = g_new0 (CxrBBoxJournal, 1);
  journal->path = g_strdup (path);
  journal->fd = fd;
  journal->hooks = hooks;
  if (ftruncate (fd, (off_t) intact_length) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not cut the torn end of %s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  journal->length = intact_length;
  return g_steal_pointer (&journal);
}

gboolean
cxr_bbox_journal_append (CxrBBoxJournal *journal, const CxrBBoxJournalRecord *record, GError **error)
{
  if (journal->fd < 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "the recovery journal %s was deleted or could not be repaired",
                   journal->path);
      return FALSE;
    }
  g_autoptr (GString) line = g_string_sized_new (160);
  format_record (line, record);
  return write_line (journal, line, error);
}

gboolean
cxr_bbox_journal_delete (CxrBBoxJournal *journal, GError **error)
{
  if (journal->fd < 0)
    return TRUE;
  /* Unlink while still holding the lock, so that nobody takes over a journal that is going away. */
  if (g_unlink (journal->path) != 0 && errno != ENOENT)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not delete %s: %s", journal->path, g_strerror (errno));
      return FALSE;
    }
  cxr_crash_hooks_step (journal->hooks);
  close (journal->fd);
  journal->fd = -1;
  return TRUE;
}

void
cxr_bbox_journal_free (CxrBBoxJournal *journal)
{
  if (journal == NULL)
    return;
  if (journal->fd >= 0)
    close (journal->fd);
  g_free (journal->path);
  g_free (journal);
}

gboolean
cxr_bbox_journal_is_held (const char *path)
{
  /* O_NONBLOCK: a FIFO in the journal's place would otherwise block open() for a writer that never comes; only a
   * regular file is a journal somebody can hold. */
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    return FALSE;
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return FALSE;
    }
  gboolean held = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return held;
}

/* ---- reading ---------------------------------------------------------------------------------------------- */

void
cxr_bbox_journal_contents_free (CxrBBoxJournalContents *contents)
{
  if (contents == NULL)
    return;
  g_array_unref (contents->order);
  g_array_unref (contents->records);
  g_string_chunk_free (contents->strings);
  g_free (contents);
}

guint
cxr_bbox_journal_contents_count_edits (const CxrBBoxJournalContents *contents)
{
  guint n = 0;
  for (guint i = 0; i < contents->records->len; i++)
    {
      const CxrBBoxJournalRecord *r = &g_array_index (contents->records, CxrBBoxJournalRecord, i);
      if (r->kind == CXR_BBOX_JOURNAL_EDIT || r->kind == CXR_BBOX_JOURNAL_UNDO || r->kind == CXR_BBOX_JOURNAL_REDO)
        n++;
    }
  return n;
}

/* A record is intact when it ends in a newline and its CRC matches. */
static gboolean
record_intact (const char *data, const CxrCsvRecord *record)
{
  if (record->next == record->end || data[record->end] != '\n' || record->n_fields < 2)
    return FALSE;
  const CxrCsvField *crc_field = &record->fields[record->n_fields - 1];
  if (crc_field->length != 8 || crc_field->quoted)
    return FALSE;
  char hex[9];
  memcpy (hex, crc_field->text, 8);
  hex[8] = '\0';
  guint64 want;
  if (!g_ascii_string_to_unsigned (hex, 16, 0, G_MAXUINT32, &want, NULL))
    return FALSE;
  gsize covered = crc_field->offset - 1 - record->start;
  guint32 got = (guint32) crc32 (0L, (const Bytef *) data + record->start, (uInt) covered);
  return got == (guint32) want;
}

static char *
field_dup (CxrBBoxJournalContents *contents, const CxrCsvField *field)
{
  return g_string_chunk_insert_len (contents->strings, field->text, (gssize) field->length);
}

static gboolean
parse_u64 (const CxrCsvField *field, guint64 *value)
{
  gint64 v;
  if (!cxr_csv_field_to_int64 (field, &v) || v < 0)
    return FALSE;
  *value = (guint64) v;
  return TRUE;
}

static gboolean
parse_state (CxrBBoxJournalContents *contents, const CxrCsvField *f, CxrBBoxJournalState *state)
{
  memset (state, 0, sizeof *state);
  if (cxr_csv_field_equal (&f[0], "n"))
    return TRUE;
  state->exists = TRUE;
  if (cxr_csv_field_equal (&f[0], "1"))
    state->present = TRUE;
  else if (!cxr_csv_field_equal (&f[0], "0"))
    return FALSE;
  state->image = field_dup (contents, &f[1]);
  state->label = field_dup (contents, &f[2]);
  return cxr_csv_field_to_double (&f[3], &state->x) && cxr_csv_field_to_double (&f[4], &state->y)
         && cxr_csv_field_to_double (&f[5], &state->w) && cxr_csv_field_to_double (&f[6], &state->h);
}

static gboolean
parse_order (const CxrCsvField *field, GArray *order)
{
  g_autofree char *text = g_strndup (field->text, field->length);
  if (*text == '\0')
    return TRUE;
  g_auto (GStrv) runs = g_strsplit (text, ";", -1);
  for (guint i = 0; runs[i] != NULL; i++)
    {
      const char *run = runs[i];
      gboolean in_file = TRUE;
      if (*run == '~')
        {
          in_file = FALSE;
          run++;
        }
      g_auto (GStrv) ends = g_strsplit (run, "-", 2);
      guint64 first, last;
      if (!g_ascii_string_to_unsigned (ends[0], 10, 1, G_MAXUINT32, &first, NULL))
        return FALSE;
      last = first;
      if (ends[1] != NULL && !g_ascii_string_to_unsigned (ends[1], 10, first, G_MAXUINT32, &last, NULL))
        return FALSE;
      for (guint64 id = first; id <= last; id++)
        {
          CxrBBoxJournalSlot slot = { (guint) id, in_file };
          g_array_append_val (order, slot);
        }
    }
  return TRUE;
}

static gboolean
parse_record (CxrBBoxJournalContents *contents, const CxrCsvRecord *record, CxrBBoxJournalRecord *out)
{
  const CxrCsvField *f = record->fields;
  memset (out, 0, sizeof *out);
  if (cxr_csv_field_equal (&f[0], "S") && record->n_fields == 4)
    {
      gint64 size;
      if (!cxr_csv_field_to_int64 (&f[1], &size) || f[2].length != 64)
        return FALSE;
      out->kind = CXR_BBOX_JOURNAL_SAVE;
      out->size = size;
      memcpy (out->sha256, f[2].text, 64);
      return TRUE;
    }
  if (cxr_csv_field_equal (&f[0], "F") && record->n_fields == 2)
    {
      out->kind = CXR_BBOX_JOURNAL_SAVE_FAILED;
      return TRUE;
    }
  if (record->n_fields != 18)
    return FALSE;
  if (cxr_csv_field_equal (&f[0], "E"))
    out->kind = CXR_BBOX_JOURNAL_EDIT;
  else if (cxr_csv_field_equal (&f[0], "U"))
    out->kind = CXR_BBOX_JOURNAL_UNDO;
  else if (cxr_csv_field_equal (&f[0], "R"))
    out->kind = CXR_BBOX_JOURNAL_REDO;
  else
    return FALSE;
  guint64 id;
  if (!parse_u64 (&f[1], &out->serial) || !parse_u64 (&f[2], &id) || id == 0 || id > G_MAXUINT32)
    return FALSE;
  out->id = (guint) id;
  return parse_state (contents, &f[3], &out->before) && parse_state (contents, &f[10], &out->after);
}

CxrBBoxJournalContents *
cxr_bbox_journal_read (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length;
  CxrFileIdentity identity;
  if (!cxr_input_file_read (path, JOURNAL_MAX_SIZE, &data, &length, &identity, error))
    return NULL;

  g_autoptr (CxrBBoxJournalContents) contents = g_new0 (CxrBBoxJournalContents, 1);
  contents->order = g_array_new (FALSE, FALSE, sizeof (CxrBBoxJournalSlot));
  contents->records = g_array_new (FALSE, FALSE, sizeof (CxrBBoxJournalRecord));
  contents->strings = g_string_chunk_new (4096);

  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (path, data, length);
  CxrCsvRecord record;
  guint index = 0;
  g_autoptr (GError) csv_error = NULL;
  while (cxr_csv_reader_next (reader, &record, &csv_error))
    {
      /* Appends are sequential, so the first damaged record is where a crash cut the journal: stop there. */
      if (!record_intact (data, &record))
        break;
      if (index == 0)
        {
          if (record.n_fields != 3 || !cxr_csv_field_equal (&record.fields[0], JOURNAL_MAGIC))
            break;
          if (!cxr_csv_field_equal (&record.fields[1], JOURNAL_VERSION))
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: journal version %.*s is not supported",
                           path, (int) record.fields[1].length, record.fields[1].text);
              return NULL;
            }
        }
      else if (index == 1)
        {
          const CxrCsvField *f = record.fields;
          if (record.n_fields != 6 || !cxr_csv_field_equal (&f[0], "B"))
            break;
          gint64 size;
          if (!cxr_csv_field_to_int64 (&f[2], &size) || (f[3].length != 64 && f[3].length != 0))
            break;
          if (!parse_order (&f[4], contents->order))
            break;
          contents->has_base = TRUE;
          contents->base_exists = cxr_csv_field_equal (&f[1], "1");
          contents->base_size = size;
          memcpy (contents->base_sha256, f[3].text, f[3].length);
        }
      else
        {
          CxrBBoxJournalRecord parsed;
          if (!parse_record (contents, &record, &parsed))
            break;
          g_array_append_val (contents->records, parsed);
        }
      contents->intact_length = record.next;
      index++;
    }

  if (index == 0 && length > 0)
    {
      /* Not even the magic line: either a crash during the very first write, or not our file. */
      if (length >= strlen (JOURNAL_MAGIC) && memcmp (data, JOURNAL_MAGIC, strlen (JOURNAL_MAGIC)) != 0)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s is not a cxrcam recovery journal", path);
          return NULL;
        }
    }
  contents->torn = contents->intact_length < length;
  return g_steal_pointer (&contents);
}
