/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-replay.c: the harness as a plain program, for the normal suite: runs LLVMFuzzerTestOneInput on every file
 * of the folders (or files) given, and fails only by crashing, as under libFuzzer. */
#include <stdio.h>

#include "fuzz-util.h"

static guint
replay (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      guint n = 0;
      for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          n += replay (child);
        }
      return n;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;
  g_autofree char *data = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &data, &length, NULL))
    {
      fprintf (stderr, "cannot read %s\n", path);
      return 0;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, length);
  return 1;
}

int
main (int argc, char **argv)
{
  LLVMFuzzerInitialize (&argc, &argv);
  guint n = 0;
  for (int i = 1; i < argc; i++)
    n += replay (argv[i]);
  printf ("%u inputs replayed without a crash\n", n);
  return n > 0 ? 0 : 1;
}
