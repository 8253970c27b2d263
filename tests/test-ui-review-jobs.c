/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Honest progress (issue 10, defect 3): an export is over when its files are, one bar runs to the end, and closing
 * or quitting while a job runs asks first and leaves whole files only. */
#include <adwaita.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static AdwMessageDialog *
find_message_dialog (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* borrowed */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (f->window)
          && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog (data) != NULL;
}

/* Answers as a click on the button does: the response, then the dialog goes. */
static void
answer (Fixture *f, const char *response)
{
  AdwMessageDialog *dialog = find_message_dialog (f);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

typedef struct {
  Fixture *f;
  char *folder;
  double max_fraction;
  gboolean ended_early;   /* the job said it was over before bb_results.csv was there */
} ExportWatch;

static gboolean
csv_written (ExportWatch *watch)
{
  g_autofree char *path = g_build_filename (watch->folder, "bb_results.csv", NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
export_over (gpointer data)
{
  ExportWatch *watch = data;
  CxrWindow *window = watch->f->window;
  if (_cxr_window_is_running (window))
    {
      watch->max_fraction = MAX (watch->max_fraction, gtk_progress_bar_get_fraction (window->progress_bar));
      return FALSE;
    }
  watch->ended_early |= !csv_written (watch);
  return TRUE;
}

/* Every picture in @folder loads whole. */
static guint
count_whole_pictures (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  guint n = 0;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_suffix (name, ".png"))
      {
        g_autofree char *path = g_build_filename (folder, name, NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
        g_assert_no_error (error);
        n++;
      }
  return n;
}

/* The export is over when its files are: the window says it is working until bb_results.csv is written, one bar
 * runs over analysis and writing to the end; and closing while it runs asks, then waits for whole files. Once
 * "Done" came about a minute before the files, and quitting left 40 of 209 files and no bb_results.csv. */
static void
test_export_progress_and_close (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);

  ExportWatch watch = { f, cxr_test_make_tmpdir (), 0.0, FALSE };
  _cxr_window_export_to (f->window, watch.folder);
  g_assert_true (_cxr_window_is_running (f->window));
  cxr_ui_test_wait_until (export_over, &watch, 60000, "the export");
  g_assert_false (watch.ended_early);
  /* The bar reached the end of the analysis while the job still ran. It used to be seen in the writing half too,
   * but with a writer per core and fast PNG settings (issue 15) the last pictures are often written within the
   * 100 ms between two polls of the writers' progress; ended_early above says the job outlasted the analysis. */
  g_assert_cmpfloat (watch.max_fraction, >=, 0.5);
  g_assert_cmpuint (count_whole_pictures (watch.folder), ==, 16);
  g_free (watch.folder);

  /* Closing during an export asks; keeping on working keeps the window. */
  ExportWatch second = { f, cxr_test_make_tmpdir (), 0.0, FALSE };
  _cxr_window_export_to (f->window, second.folder);
  gtk_window_close (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (message_dialog_shown, f, 5000, "the question whether to stop the export");
  answer (f, "continue");
  cxr_ui_test_spin (100);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  cxr_ui_test_wait_until (export_over, &second, 60000, "the export");
  g_assert_false (second.ended_early);
  g_free (second.folder);

  /* Stopping: the window goes once the files it leaves are whole, bb_results.csv among them. */
  ExportWatch third = { f, cxr_test_make_tmpdir (), 0.0, FALSE };
  _cxr_window_export_to (f->window, third.folder);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (message_dialog_shown, f, 5000, "the question whether to stop the export");
  answer (f, "stop");
  while (f->window != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (csv_written (&third));
  g_assert_cmpuint (count_whole_pictures (third.folder) % 4, ==, 0);
  g_free (third.folder);
}

/* Quitting during Run on All asks too. */
static void
test_quit_during_run_asks (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_CARDIOMEGALY);
  cxr_window_fixture_activate (f, "win.run-all");
  g_assert_true (_cxr_window_is_running (f->window));
  g_action_group_activate_action (G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (f->window))), "quit", NULL);
  cxr_ui_test_wait_until (message_dialog_shown, f, 5000, "the question whether to stop the run");
  answer (f, "continue");
  cxr_ui_test_wait_until (cxr_window_fixture_run_finished, f, 60000, "the run");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  /* Run on All means all: the five images, whatever the list shows. */
  g_assert_cmpuint (f->window->run_total, ==, 5);
}


int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/review/export-progress-and-close", Fixture, NULL, cxr_window_fixture_set_up, test_export_progress_and_close,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/review/quit-during-run-asks", Fixture, NULL, cxr_window_fixture_set_up, test_quit_during_run_asks,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
