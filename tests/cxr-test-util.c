/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-test-util.h"

#include <locale.h>

#include "cxr-npy.h"

#include <json-glib/json-glib.h>

#include <glib/gstdio.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>

const char *
cxr_test_nih14_dir (void)
{
  const char *dir = g_getenv ("CXR_NIH14_DIR");
  if (dir == NULL || *dir == '\0')
    dir = CXR_DEFAULT_NIH14_DIR;

  g_autofree char *probe = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  if (g_file_test (probe, G_FILE_TEST_IS_REGULAR))
    return dir;

  if (g_getenv ("CI") != NULL)
    g_error ("CI is set but the NIH test data is missing: %s (set CXR_NIH14_DIR)", dir);
  g_test_skip_printf ("NIH test data not found at %s", dir);
  return NULL;
}

const char *
cxr_test_dicom_samples_dir (void)
{
  const char *dir = g_getenv ("CXR_DICOM_SAMPLES_DIR");
  if (dir == NULL || *dir == '\0')
    dir = CXR_DEFAULT_DICOM_SAMPLES_DIR;

  g_autofree char *probe = g_build_filename (dir, "PROVENANCE.md", NULL);
  if (g_file_test (probe, G_FILE_TEST_IS_REGULAR))
    return dir;

  if (g_getenv ("CI") != NULL)
    g_error ("CI is set but the DICOM samples are missing: %s (set CXR_DICOM_SAMPLES_DIR)", dir);
  g_test_skip_printf ("DICOM samples not found at %s", dir);
  return NULL;
}

gboolean
cxr_test_have_locale (const char *locale)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  gboolean installed = setlocale (LC_ALL, locale) != NULL;
  setlocale (LC_ALL, saved);
  if (installed)
    return TRUE;
  if (g_getenv ("CI") != NULL)
    g_error ("CI is set but the locale %s is not installed (.ci/setup generates it)", locale);
  g_test_skip_printf ("the locale %s is not installed", locale);
  return FALSE;
}

char *
cxr_test_fixture_path (const char *name)
{
  return g_build_filename (CXR_SOURCE_DIR, "tests", "reference", "fixtures", name, NULL);
}

/* Whether torch and torchvision are installed, without importing them: importing torch costs 2.4 s of CPU, and
 * the reference script imports it again right after. A torch that is installed but broken fails that script. */
static gboolean
python_has_torch (const char *python)
{
  const char *argv[] = { python, "-c",
                         "import importlib.util, sys\n"
                         "sys.exit (not all (importlib.util.find_spec (m) for m in ('torch', 'torchvision')))",
                         NULL };
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

gboolean
cxr_test_run_reference (const char *script, const char * const *args)
{
  const char *python = CXR_TORCH_PYTHON;
  if (!python_has_torch (python))
    {
      if (g_getenv ("CI") != NULL)
        g_error ("CI is set but %s has no torch and torchvision (install python3-torch python3-torchvision)", python);
      g_test_skip_printf ("PyTorch is not installed for %s", python);
      return FALSE;
    }

  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (python));
  g_ptr_array_add (argv, g_build_filename (CXR_SOURCE_DIR, "tests", "reference", script, NULL));
  for (gsize i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_autofree char *err_text = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  if (!g_spawn_sync (CXR_SOURCE_DIR, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_text, &status, &error))
    g_error ("could not run %s: %s", script, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed (%s):\n%s", script, error->message, err_text);
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static GPtrArray *tmpdirs_to_remove;  /* test-process scoped; emptied at exit */

static void
remove_tmpdirs (void)
{
  for (guint i = 0; i < tmpdirs_to_remove->len; i++)
    remove_tree (g_ptr_array_index (tmpdirs_to_remove, i));
  g_ptr_array_unref (tmpdirs_to_remove);
}

char *
cxr_test_make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("cxrcam-test-XXXXXX", &error);
  g_assert_no_error (error);
  if (tmpdirs_to_remove == NULL)
    {
      tmpdirs_to_remove = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmpdirs);
    }
  g_ptr_array_add (tmpdirs_to_remove, g_strdup (dir));
  return dir;
}

char *
cxr_test_make_dead_writer_file (const char *dir, const char *name)
{
  pid_t dead = fork ();
  if (dead == 0)
    _exit (0);
  g_assert_cmpint (waitpid (dead, NULL, 0), ==, dead);
  g_autofree char *base = g_strdup_printf (".%s.cxrtmp-%d-Ab3dEf", name, (int) dead);
  char *path = g_build_filename (dir, base, NULL);
  g_assert_true (g_file_set_contents (path, "half a save", -1, NULL));
  return path;
}

CxrTensor *
cxr_test_load_npy (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *name = g_strdup_vprintf (format, args);
  va_end (args);

  g_autofree char *path = cxr_test_fixture_path (name);
  g_autoptr (GError) error = NULL;
  CxrTensor *tensor = cxr_npy_load (path, &error);
  g_assert_no_error (error);
  return tensor;
}

CxrTensor *
cxr_test_to_channel_major (const CxrTensor *nchw)
{
  g_assert_cmpint (nchw->ndim, ==, 4);
  CxrTensor *cnhw = cxr_tensor_new_4d (nchw->shape[1], nchw->shape[0], nchw->shape[2], nchw->shape[3]);
  cxr_swap_outer_dims (cnhw->data, nchw->data, nchw->shape[0], nchw->shape[1], nchw->shape[2] * nchw->shape[3]);
  return cnhw;
}

void
cxr_test_fill_pattern (float *x, gsize n, guint64 seed)
{
  guint64 state = seed;
  for (gsize i = 0; i < n; i++)
    {
      state = state * G_GUINT64_CONSTANT (6364136223846793005) + G_GUINT64_CONSTANT (1442695040888963407);
      x[i] = (float) (((double) (state >> 40) / (double) (1 << 24) - 0.5) * 4.0);
    }
}

CxrTensor *
cxr_test_network_input (const char *name)
{
  g_autofree char *path = cxr_test_fixture_path ("networks/inputs.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *entry = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), name);
  g_assert_nonnull (entry);
  JsonArray *shape = json_object_get_array_member (entry, "shape");
  g_assert_cmpuint (json_array_get_length (shape), ==, 4);

  gint64 dims[4];
  for (guint d = 0; d < 4; d++)
    dims[d] = json_array_get_int_element (shape, d);
  CxrTensor *input = cxr_tensor_new (4, dims);
  cxr_test_fill_pattern (input->data, cxr_tensor_numel (input), json_object_get_int_member (entry, "seed"));
  return input;
}

char *
cxr_test_cli_path (void)
{
  return g_build_filename (CXR_BUILD_DIR, "src", "cli", "cxrcam-cli", NULL);
}

void
cxr_test_run_cli (CxrCliRun *run, const char *const *args)
{
  cxr_test_run_cli_with_env (run, NULL, args);
}

void
cxr_test_run_cli_with_env (CxrCliRun *run, const char *const *envp, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, cxr_test_cli_path ());
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  int wait_status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, (char **) envp, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                               &run->err, &wait_status, &error));
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("cxrcam-cli %s -> %d\n%s%s", args[0], run->status, run->out, run->err);
}

void
cxr_cli_run_clear (CxrCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

double
cxr_test_max_abs_diff (const float *a, const float *b, gsize n, gsize *worst_index)
{
  double worst = 0.0;
  gsize at = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - (double) b[i]);
      if (d > worst || isnan (d))
        {
          worst = isnan (d) ? INFINITY : d;
          at = i;
        }
    }
  if (worst_index)
    *worst_index = at;
  return worst;
}

double
cxr_test_max_abs (const float *x, gsize n)
{
  double m = 0.0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) x[i]));
  return m;
}

void
cxr_test_assert_close (const char *file, int line, const char *what,
                       const float *got, const float *want, gsize n,
                       double tolerance, gboolean relative_to_scale)
{
  gsize at = 0;
  double err = cxr_test_max_abs_diff (got, want, n, &at);
  double scale = relative_to_scale ? MAX (1.0, cxr_test_max_abs (want, n)) : 1.0;
  double limit = tolerance * scale;

  g_test_message ("%s: max abs error %.3g at [%" G_GSIZE_FORMAT "] (limit %.3g, %" G_GSIZE_FORMAT " elements)",
                  what, err, at, limit, n);
  if (!(err <= limit))
    {
      g_autofree char *msg = g_strdup_printf ("%s: max abs error %.6g > %.3g at [%" G_GSIZE_FORMAT "]: got %.9g, want %.9g",
                                              what, err, limit, at, (double) got[at], (double) want[at]);
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
}
