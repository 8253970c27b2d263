/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-atomic-file: the one file writer (cxr-atomic-file.h) and the one JSON writer (cxr-json-writer.h).
 *
 * The writer: new files, replacements that keep permissions and symbolic links, backups, a read-back that refuses
 * a save, destinations that are not files; a child killed by SIGKILL at every crash point leaves the old file or
 * the new one whole, and the sweep removes what it left behind (but never a live writer's file). The JSON writer:
 * its three layouts against Python's json.dumps on the same document.
 */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-json-writer.h"
#include "cxr-test-util.h"

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in @dir, sorted, joined by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (const char *) g_ptr_array_index (names, i));
  return g_string_free (s, FALSE);
}

static void
test_replace (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "a.txt", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (cxr_atomic_file_set_contents (path, "one", 3, &error));
  g_assert_no_error (error);
  g_autofree char *one = read_text (path);
  g_assert_cmpstr (one, ==, "one");

  /* The replaced file's permissions stay. */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (cxr_atomic_file_set_contents (path, "two!", 4, &error));
  struct stat st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_autofree char *two = read_text (path);
  g_assert_cmpstr (two, ==, "two!");

  /* A symbolic link stays a link; its target is replaced. */
  g_autofree char *link_path = g_build_filename (dir, "link.txt", NULL);
  g_assert_cmpint (symlink ("a.txt", link_path), ==, 0);
  g_assert_true (cxr_atomic_file_set_contents (link_path, "three", 5, &error));
  g_assert_true (g_file_test (link_path, G_FILE_TEST_IS_SYMLINK));
  g_autofree char *three = read_text (path);
  g_assert_cmpstr (three, ==, "three");

  /* A backup keeps the version replaced. */
  g_autofree char *backup = g_build_filename (dir, "a.txt~", NULL);
  CxrAtomicOptions options = { .backup_path = backup };
  g_assert_true (cxr_atomic_file_set_contents_full (path, "four", 4, &options, &error));
  g_autofree char *kept = read_text (backup);
  g_assert_cmpstr (kept, ==, "three");
  g_autofree char *four = read_text (path);
  g_assert_cmpstr (four, ==, "four");

  /* No temporary file anywhere. */
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "a.txt a.txt~ link.txt");
}

static gboolean
refuse (GBytes *contents, const char *path, gpointer user_data, GError **error)
{
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);
  *(char **) user_data = g_strndup (data, length);
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "not what I wanted");
  return FALSE;
}

static void
test_verify_refuses (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "b.json", NULL);
  g_assert_true (cxr_atomic_file_set_contents (path, "{}", 2, NULL));

  g_autofree char *seen = NULL;
  CxrAtomicOptions options = { .verify = refuse, .verify_data = &seen };
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_atomic_file_set_contents_full (path, "{broken", 7, &options, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "not what I wanted"));
  /* It read back the bytes from the file it was about to put in place. */
  g_assert_cmpstr (seen, ==, "{broken");
  g_autofree char *kept = read_text (path);
  g_assert_cmpstr (kept, ==, "{}");
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "b.json");
}

static void
test_not_a_file (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "folder", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  const char *targets[] = { folder, fifo };
  for (gsize i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (cxr_atomic_file_set_contents (targets[i], "x", 1, &error));
      g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "not a regular file"));
    }
  g_autofree char *names = list_dir (dir);
  g_assert_cmpstr (names, ==, "fifo folder");
}

/* A child saves @data over @path (with a backup) and dies at crash point @step; returns TRUE if it lived. */
static gboolean
save_in_child (const char *path, const char *backup, const char *data, gint64 step)
{
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      CxrCrashHooks hooks = { .crash_at_step = step, .no_sync = TRUE };
      CxrAtomicOptions options = { .backup_path = backup, .hooks = &hooks };
      _exit (cxr_atomic_file_set_contents_full (path, data, strlen (data), &options, NULL) ? 0 : 3);
    }
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (WIFSIGNALED (status))
    {
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      return FALSE;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return TRUE;
}

static void
test_kill_at_every_step (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "c.csv", NULL);
  g_autofree char *backup = g_build_filename (dir, "c.csv.bak", NULL);
  const char *old_text = "old contents, several bytes long\n";
  const char *new_text = "the new contents, longer than the old ones were\n";

  gint64 step;
  for (step = 1; step < 100; step++)
    {
      g_assert_true (cxr_atomic_file_set_contents (path, old_text, strlen (old_text), NULL));
      g_unlink (backup);
      gboolean lived = save_in_child (path, backup, new_text, step);
      g_autofree char *now = read_text (path);
      g_assert_true (g_str_equal (now, old_text) || g_str_equal (now, new_text));
      if (g_file_test (backup, G_FILE_TEST_EXISTS))
        {
          g_autofree char *kept = read_text (backup);
          g_assert_cmpstr (kept, ==, old_text);
        }
      /* The dead child's temporary files (and only those) go. */
      guint swept = cxr_atomic_file_sweep (dir);
      g_autofree char *names = list_dir (dir);
      g_test_message ("crash point %" G_GINT64_FORMAT ": %s, swept %u, left: %s", step,
                      g_str_equal (now, new_text) ? "new" : "old", swept, names);
      g_assert_true (g_str_equal (names, "c.csv") || g_str_equal (names, "c.csv c.csv.bak"));
      if (lived)
        {
          g_assert_cmpstr (now, ==, new_text);
          break;
        }
    }
  /* Writes in two halves, fsync, backup link and rename, rename, folder sync. */
  g_assert_cmpint (step, >=, 6);
}

static void
test_sweep_spares_live_writers (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "d.pth", NULL);
  /* Our own writer, open. */
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrAtomicFile) mine = cxr_atomic_file_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_atomic_file_write (mine, "abc", 3, &error));

  /* A live process's (our parent's), a dead one's, and names that only look alike. */
  pid_t dead = fork ();
  if (dead == 0)
    _exit (0);
  g_assert_cmpint (waitpid (dead, NULL, 0), ==, dead);
  /* name = before + pid + after */
  const struct { const char *before; int pid; const char *after; } names[] = {
    { ".d.pth.cxrtmp-", (int) dead, "-Ab3dEf" },    /* the dead writer's: swept */
    { ".e.cxrtmp-", (int) getppid (), "-zzzzzz" },  /* a live process's */
    { "f.cxrtmp-", (int) dead, "-abcdef" },         /* not hidden: not ours */
    { ".g.cxrtmp-", (int) dead, "-abc" },           /* wrong suffix */
    { ".h.XXXXXX", 0, "" },                         /* another program's pattern */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *name = names[i].pid ? g_strdup_printf ("%s%d%s", names[i].before, names[i].pid, names[i].after)
                                           : g_strdup (names[i].before);
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_set_contents (file, "x", 1, NULL));
    }
  g_assert_cmpuint (cxr_atomic_file_sweep (dir), ==, 1);
  g_autofree char *dead_name = g_strdup_printf (".d.pth.cxrtmp-%d-Ab3dEf", (int) dead);
  g_autofree char *dead_file = g_build_filename (dir, dead_name, NULL);
  g_assert_false (g_file_test (dead_file, G_FILE_TEST_EXISTS));

  g_assert_true (cxr_atomic_file_commit (mine, &error));
  g_autofree char *written = read_text (path);
  g_assert_cmpstr (written, ==, "abc");
}

/* ---- the JSON writer against json.dumps ------------------------------------------------------------------ */

static char *
python_dumps (const char *arguments)
{
  g_autofree char *program = g_strdup_printf (
    "import json, sys\n"
    "doc = {'name': 'caf\\u00e9 \"q\" \\\\ \\n\\t\\x01', 'n': 3, 'x': 0.1, 'big': 1e+20, 'tiny': 1e-07, 'whole': 2.0,\n"
    "       'ok': True, 'none': None, 'empty': [], 'obj': {}, 'list': [1, [2, 3], {'a': -4.5}]}\n"
    "sys.stdout.write(json.dumps(doc, ensure_ascii=False, %s))\n", arguments);
  const char *argv[] = { "/usr/bin/python3", "-c", program, NULL };
  char *out = NULL;
  int status;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static char *
cxr_dumps (CxrJsonLayout layout, guint indent)
{
  g_autoptr (CxrJsonWriter) w = cxr_json_writer_new (layout, indent);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_add_string (w, "name", "caf\xc3\xa9 \"q\" \\ \n\t\x01");
  cxr_json_writer_add_int (w, "n", 3);
  cxr_json_writer_add_double (w, "x", 0.1);
  cxr_json_writer_add_double (w, "big", 1e20);
  cxr_json_writer_add_double (w, "tiny", 1e-7);
  cxr_json_writer_add_double (w, "whole", 2.0);
  cxr_json_writer_add_bool (w, "ok", TRUE);
  cxr_json_writer_add_null (w, "none");
  cxr_json_writer_begin_array (w, "empty", CXR_JSON_BLOCK);
  cxr_json_writer_end (w);
  cxr_json_writer_begin_object (w, "obj", CXR_JSON_BLOCK);
  cxr_json_writer_end (w);
  cxr_json_writer_begin_array (w, "list", CXR_JSON_BLOCK);
  cxr_json_writer_add_int (w, NULL, 1);
  cxr_json_writer_begin_array (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_add_int (w, NULL, 2);
  cxr_json_writer_add_int (w, NULL, 3);
  cxr_json_writer_end (w);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_add_double (w, "a", -4.5);
  cxr_json_writer_end (w);
  cxr_json_writer_end (w);
  cxr_json_writer_end (w);
  return cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
}

static void
test_json_layouts (void)
{
  const struct { CxrJsonLayout layout; guint indent; const char *python; } cases[] = {
    { CXR_JSON_COMPACT, 0, "separators=(',', ':')" },
    { CXR_JSON_ONE_LINE, 0, "indent=None" },
    { CXR_JSON_INDENTED, 2, "indent=2" },
    { CXR_JSON_INDENTED, 4, "indent=4" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *want = python_dumps (cases[i].python);
      g_autofree char *got = cxr_dumps (cases[i].layout, cases[i].indent);
      g_assert_cmpstr (got, ==, want);
    }
}

static void
test_json_inline_and_floats (void)
{
  g_autoptr (CxrJsonWriter) w = cxr_json_writer_new (CXR_JSON_INDENTED, 2);
  cxr_json_writer_begin_object (w, NULL, CXR_JSON_BLOCK);
  cxr_json_writer_begin_array (w, "mean", CXR_JSON_INLINE);
  cxr_json_writer_add_float (w, NULL, 0.485f);
  cxr_json_writer_add_float (w, NULL, 1.0f);
  cxr_json_writer_add_float (w, NULL, 1e-6f);
  cxr_json_writer_end (w);
  cxr_json_writer_add_double (w, "nan", NAN);
  cxr_json_writer_add_double (w, "inf", INFINITY);
  cxr_json_writer_add_uint (w, "u", G_MAXUINT64);
  cxr_json_writer_end (w);
  g_autofree char *text = cxr_json_writer_free_to_text (g_steal_pointer (&w), NULL);
  g_assert_cmpstr (text, ==, "{\n  \"mean\": [0.485, 1, 1e-06],\n  \"nan\": null,\n  \"inf\": null,\n"
                             "  \"u\": 18446744073709551615\n}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/atomic-file/replace", test_replace);
  g_test_add_func ("/atomic-file/verify-refuses", test_verify_refuses);
  g_test_add_func ("/atomic-file/not-a-file", test_not_a_file);
  g_test_add_func ("/atomic-file/kill-at-every-step", test_kill_at_every_step);
  g_test_add_func ("/atomic-file/sweep-spares-live-writers", test_sweep_spares_live_writers);
  g_test_add_func ("/json-writer/layouts", test_json_layouts);
  g_test_add_func ("/json-writer/inline-and-floats", test_json_inline_and_floats);
  return g_test_run ();
}
