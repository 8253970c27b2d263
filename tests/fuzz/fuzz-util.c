/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-util.c: see fuzz-util.h. Fuzz harnesses keep state across calls by design: one memfd per process. */
#define _GNU_SOURCE
#include "fuzz-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static GLogWriterOutput
drop_or_abort (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

void
fuzz_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      g_log_set_writer_func (drop_or_abort, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}

const char *
fuzz_file (const uint8_t *data, size_t size)
{
  static int fd = -1;
  static char path[64];
  if (fd < 0)
    {
      fd = memfd_create ("fuzz-input", MFD_CLOEXEC);
      if (fd < 0)
        abort ();
      g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    }
  if (ftruncate (fd, 0) != 0 || (size > 0 && pwrite (fd, data, size, 0) != (ssize_t) size))
    abort ();
  return path;
}

static char *fuzz_dir;

static void
remove_fuzz_dir (void)
{
  g_autoptr (GDir) dir = g_dir_open (fuzz_dir, 0, NULL);
  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *path = g_build_filename (fuzz_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fuzz_dir);
}

const char *
fuzz_named_file (const char *name, const uint8_t *data, size_t size)
{
  static char *path;
  if (fuzz_dir == NULL)
    {
      fuzz_dir = g_dir_make_tmp ("cxrcam-fuzz-XXXXXX", NULL);
      if (fuzz_dir == NULL)
        abort ();
      atexit (remove_fuzz_dir);
    }
  /* Whatever the last input left beside it (a journal, a backup) goes first. */
  g_autoptr (GDir) dir = g_dir_open (fuzz_dir, 0, NULL);
  for (const char *entry; dir != NULL && (entry = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *stale = g_build_filename (fuzz_dir, entry, NULL);
      g_unlink (stale);
    }
  g_free (path);
  path = g_build_filename (fuzz_dir, name, NULL);
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    abort ();
  return path;
}

void
fuzz_discard (GError *error)
{
  if (error != NULL)
    g_error_free (error);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}
