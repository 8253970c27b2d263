/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-steps.c: steps.csv (see cxr-train-steps.h). */
#include "cxr-train-steps.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cxr-atomic-file.h"
#include "cxr-csv.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-input-file.h"

#define HEADER "global_step,epoch,step,steps_per_epoch,loss,lr,images_per_second\n"
#define N_COLUMNS 7

struct _CxrTrainStepLog {
  char *path;
  int fd;            /* -1 until the first append */
};

CxrTrainStepLog *
cxr_train_step_log_new (const char *out_dir)
{
  CxrTrainStepLog *log = g_new0 (CxrTrainStepLog, 1);
  log->path = g_build_filename (out_dir, CXR_TRAIN_STEPS_FILE, NULL);
  log->fd = -1;
  return log;
}

void
cxr_train_step_log_free (CxrTrainStepLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log->path);
  g_free (log);
}

static void
append_row (GString *out, const CxrTrainStep *step)
{
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",%u,%u,%u", step->global_step, step->epoch, step->step,
                          step->steps_per_epoch);
  const double values[] = { step->loss, step->lr, step->images_per_second };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_string_append_c (out, ',');
      if (isfinite (values[i]))
        cxr_format_append_double (out, values[i]);
    }
  g_string_append_c (out, '\n');
}

/* Before the first append: keeps the rows before @first_step (a resumed run goes on from there) and
 * opens the file for appending. */
static gboolean
open_for_append (CxrTrainStepLog *log, guint64 first_step, GError **error)
{
  g_autoptr (GError) load_error = NULL;
  g_autoptr (GArray) kept = cxr_train_steps_load (log->path, &load_error);
  if (kept == NULL && !g_error_matches (load_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      /* Not a step log we can read: start a new one rather than append to something else. */
      kept = g_array_new (FALSE, FALSE, sizeof (CxrTrainStep));
    }
  g_autoptr (GString) contents = g_string_new (HEADER);
  for (guint i = 0; kept && i < kept->len; i++)
    {
      const CxrTrainStep *row = &g_array_index (kept, CxrTrainStep, i);
      if (row->global_step < first_step)
        append_row (contents, row);
    }
  if (!cxr_atomic_file_set_contents (log->path, contents->str, contents->len, error))
    return FALSE;

  log->fd = g_open (log->path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
  if (log->fd < 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot open %s: %s", log->path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_train_step_log_append (CxrTrainStepLog *log, const CxrTrainStep *step, GError **error)
{
  if (log->fd < 0 && !open_for_append (log, step->global_step, error))
    return FALSE;

  g_autoptr (GString) line = g_string_new (NULL);
  append_row (line, step);
  /* One write of the whole line: with O_APPEND a reader sees whole lines, or a cut one at the end. */
  gsize done = 0;
  while (done < line->len)
    {
      gssize written = write (log->fd, line->str + done, line->len - done);
      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          int saved = errno;
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot write %s: %s", log->path, g_strerror (saved));
          return FALSE;
        }
      done += written;
    }
  return TRUE;
}

/* ---- reading ------------------------------------------------------------ */

static gint
compare_steps (gconstpointer a, gconstpointer b)
{
  guint64 x = ((const CxrTrainStep *) a)->global_step, y = ((const CxrTrainStep *) b)->global_step;
  return (x > y) - (x < y);
}

static gboolean
parse_row (const CxrCsvRecord *record, CxrTrainStep *step)
{
  gint64 integers[4];
  double reals[3];
  if (record->n_fields != N_COLUMNS)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!cxr_csv_field_to_int64 (&record->fields[i], &integers[i]) || integers[i] < 0 || integers[i] > G_MAXUINT)
      return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      const CxrCsvField *field = &record->fields[4 + i];
      if (field->length == 0)
        reals[i] = NAN;
      else if (!cxr_csv_field_to_double (field, &reals[i]))
        return FALSE;
    }
  *step = (CxrTrainStep) { (guint64) integers[0], (guint) integers[1], (guint) integers[2], (guint) integers[3],
                           reals[0], reals[1], reals[2] };
  return TRUE;
}

GArray *
cxr_train_steps_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s does not exist", path);
      return NULL;
    }
  if (!cxr_input_file_read (path, 0, &contents, &length, NULL, error))
    return NULL;
  /* A last line without its newline is a write cut short. */
  while (length > 0 && contents[length - 1] != '\n')
    length--;

  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (path, contents, length);
  g_autoptr (GArray) steps = g_array_new (FALSE, FALSE, sizeof (CxrTrainStep));
  CxrCsvRecord record;
  GError *local_error = NULL;
  gboolean header = TRUE;
  while (cxr_csv_reader_next (reader, &record, &local_error))
    {
      if (header)
        {
          if (!cxr_csv_field_equal (&record.fields[0], "global_step"))
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a cxrcam step log (no header)", path);
              return NULL;
            }
          header = FALSE;
          continue;
        }
      if (cxr_csv_record_is_blank (&record))
        continue;
      CxrTrainStep step;
      if (!parse_row (&record, &step))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s:%u: not a step row", path, record.line);
          return NULL;
        }
      g_array_append_val (steps, step);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  /* Appended in order; sorted anyway, so that a hand-edited file still draws left to right. */
  g_array_sort (steps, compare_steps);
  return g_steal_pointer (&steps);
}
