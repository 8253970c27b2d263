/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saving the ground-truth boxes from the window so that nothing is lost (issue 11): autosave, the question before
 * unsaved edits would go, recovery of an earlier session's journal, BB.csv rewritten by another program while
 * edits are pending, a read-only box file, the "edited since opened" filter and the export formats. Edits go
 * through the window's actions (win.select-box, win.nudge-box, win.delete-box, win.undo); the assertions are on
 * the bytes of the files. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

/* Compared only: the dataset that a reopened one replaces. */
static gpointer old_dataset;

#define HEADER "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
#define ROW1 "00000001_000.png,Cardiomegaly,64,80,96,64\n"
#define ROW2 "00000002_000.png,Effusion,20.5,30.25,50,40,,\n"
#define ROW3 "00000001_000.png,Nodule,180,170,20,16\n"
/* ROW1 after win.nudge-box((1, 2)) */
#define ROW1_NUDGED "00000001_000.png,Cardiomegaly,65,82,96,64\n"
static const char original[] = HEADER ROW1 ROW2 ROW3;

static char *
box_path (Fixture *f)
{
  return g_build_filename (f->dataset, "BBox_List_2017.csv", NULL);
}

static void
write_boxes (Fixture *f, const char *text)
{
  g_autofree char *path = box_path (f);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static char *
read_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  return g_steal_pointer (&text);
}

static char *
read_boxes (Fixture *f)
{
  g_autofree char *path = box_path (f);
  return read_file (path);
}

static CxrBBoxStore *
store (Fixture *f)
{
  return cxr_dataset_get_bbox_store (f->window->dataset);
}

static void
activate (Fixture *f, const char *name, GVariant *parameter)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), name));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), name, parameter);
}

/* The first box of the image on screen (00000001_000.png: ROW1), one pixel right and two down. */
static void
nudge_first_box (Fixture *f)
{
  activate (f, "select-box", g_variant_new_int32 (1));
  activate (f, "nudge-box", g_variant_new ("(dd)", 1.0, 2.0));
}

static gboolean
dialog_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->box_dialog != NULL && gtk_widget_get_mapped (f->window->box_dialog);
}

static AdwMessageDialog *
wait_for_dialog (Fixture *f, const char *what)
{
  cxr_ui_test_wait_until (dialog_shown, f, 10000, what);
  return ADW_MESSAGE_DIALOG (f->window->box_dialog);
}

static gboolean
can_edit (gpointer data)
{
  Fixture *f = data;
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "select-box");
}

static void
open_dataset_with (Fixture *f, const char *text)
{
  write_boxes (f, text);
  cxr_window_fixture_open_dataset (f);
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000001_000.png");
  cxr_ui_test_wait_until (can_edit, f, 10000, "the image, ready for box edits");
}

static gboolean
banner_revealed (Fixture *f)
{
  return gtk_info_bar_get_revealed (GTK_INFO_BAR (f->window->box_banner));
}

static gboolean
banner_hidden (gpointer data)
{
  return !banner_revealed (data);
}

/* ---- autosave ---------------------------------------------------------------------------------------------- */

typedef struct {
  Fixture *f;
  const char *expected;
} FileWait;

static gboolean
file_has (gpointer data)
{
  FileWait *wait = data;
  g_autofree char *now = read_boxes (wait->f);
  return g_str_equal (now, wait->expected);
}

/* On by default: a second after the edit (autosave-delay 1) the file has it, the title loses its dot, the
 * journal is gone. Off: nothing is written. */
static void
test_autosave (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_assert_true (g_settings_get_boolean (settings, "autosave-boxes"));
  g_settings_set_uint (settings, "autosave-delay", 1);
  open_dataset_with (f, original);

  nudge_first_box (f);
  g_assert_true (cxr_bbox_store_is_dirty (store (f)));
  g_autofree char *before = read_boxes (f);
  g_assert_cmpstr (before, ==, original);
  FileWait wait = { f, HEADER ROW1_NUDGED ROW2 ROW3 };
  cxr_ui_test_wait_until (file_has, &wait, 10000, "the autosave");
  g_assert_false (cxr_bbox_store_is_dirty (store (f)));
  g_assert_false (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (f->window)), "•"));
  g_autofree char *journal = cxr_bbox_store_dup_journal_path (store (f));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  g_settings_set_boolean (settings, "autosave-boxes", FALSE);
  activate (f, "undo", NULL);
  cxr_ui_test_spin (2500);
  g_autofree char *after = read_boxes (f);
  g_assert_cmpstr (after, ==, HEADER ROW1_NUDGED ROW2 ROW3);
  g_assert_true (cxr_bbox_store_is_dirty (store (f)));
  /* Closing now asks; the test answers for the user below (test_close_asks). */
  g_assert_true (cxr_bbox_store_revert (store (f), NULL));
}

/* ---- the question before unsaved edits would go ------------------------------------------------------------ */

static gboolean
dataset_replaced (gpointer data)
{
  Fixture *f = data;
  return f->window->dataset != NULL && f->window->dataset != old_dataset;
}

static gboolean
window_gone (gpointer data)
{
  Fixture *f = data;
  return f->window == NULL;
}

static void
test_close_asks (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_boolean (settings, "autosave-boxes", FALSE);
  open_dataset_with (f, original);
  nudge_first_box (f);
  activate (f, "select-box", g_variant_new_int32 (1));   /* ROW3, the Nodule */
  activate (f, "delete-box", NULL);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);

  /* Cancel: the window stays, with its edits. */
  gtk_window_close (GTK_WINDOW (f->window));
  AdwMessageDialog *dialog = wait_for_dialog (f, "the question before closing");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Save the Edited Boxes?");
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  adw_message_dialog_response (dialog, "cancel");
  cxr_ui_test_spin (100);
  g_assert_nonnull (f->window);
  g_assert_true (cxr_bbox_store_is_dirty (store (f)));

  /* Opening another dataset asks too; Save writes the file, then the other folder opens. */
  g_autoptr (GFile) same = g_file_new_for_path (f->dataset);
  cxr_window_open_dataset (f->window, same);
  dialog = wait_for_dialog (f, "the question before opening another dataset");
  CxrDataset *old = f->window->dataset;
  adw_message_dialog_response (dialog, "save");
  g_autofree char *saved = read_boxes (f);
  g_assert_cmpstr (saved, ==, HEADER ROW1_NUDGED ROW2);
  old_dataset = old;
  cxr_ui_test_wait_until (dataset_replaced, f, 10000, "the reopened dataset");
  cxr_ui_test_wait_until (can_edit, f, 10000, "the reopened dataset's image");

  /* Discard: the window closes, the file keeps its last saved bytes, no journal is left. */
  nudge_first_box (f);
  g_autofree char *journal = cxr_bbox_store_dup_journal_path (store (f));
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
  gtk_window_close (GTK_WINDOW (f->window));
  dialog = wait_for_dialog (f, "the question before closing");
  adw_message_dialog_response (dialog, "discard");
  cxr_ui_test_wait_until (window_gone, f, 5000, "the window to close");
  g_autofree char *after = read_boxes (f);
  g_assert_cmpstr (after, ==, HEADER ROW1_NUDGED ROW2);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* ---- recovery ---------------------------------------------------------------------------------------------- */

/* What a session killed after two edits leaves: BB.csv as it was and its journal. */
static void
leave_journal (Fixture *f)
{
  g_autofree char *path = box_path (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) killed = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_bbox_store_set_rect (killed, 1, 65, 82, 96, 64, &error));
  g_assert_true (cxr_bbox_store_remove (killed, 3, &error));
  g_assert_no_error (error);
}

static void
test_recovery (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_uint (settings, "autosave-delay", 1);
  write_boxes (f, original);
  leave_journal (f);

  cxr_window_fixture_open_dataset (f);
  AdwMessageDialog *dialog = wait_for_dialog (f, "the recovery question");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Recover Unsaved Edits?");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "recover"), ==, "_Recover (2 Edits)");
  guint n_edits = 0;
  g_assert_cmpint (cxr_bbox_store_get_recovery (store (f), &n_edits), ==, CXR_BBOX_RECOVERY_PENDING);
  g_assert_cmpuint (n_edits, ==, 2);
  /* Until the user chose, no edit is taken, and the banner says why. */
  g_assert_true (banner_revealed (f));
  g_assert_false (cxr_bbox_store_set_rect (store (f), 2, 1, 1, 1, 1, NULL));

  const char *shot = g_getenv ("CXR_SHOT_RECOVERY");
  if (shot != NULL)
    {
      cxr_ui_test_spin (1500);
      g_autofree char *command = g_strdup_printf ("import -window root %s", shot);
      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
    }

  adw_message_dialog_response (dialog, "recover");
  g_assert_false (banner_revealed (f));
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store (f), 1, &box));
  g_assert_cmpfloat (box.x, ==, 65);
  g_assert_cmpfloat (box.y, ==, 82);
  g_assert_false (cxr_bbox_store_get (store (f), 3, &box));
  /* The panes show the recovered box, and the autosave puts it in the file. */
  const GArray *shown = cxr_pane_content_get_gt_boxes (f->window->content);
  g_assert_cmpuint (shown->len, ==, 1);
  g_assert_cmpfloat (g_array_index (shown, CxrPaneBox, 0).x, ==, 65);
  FileWait wait = { f, HEADER ROW1_NUDGED ROW2 };
  cxr_ui_test_wait_until (file_has, &wait, 10000, "the recovered edits saved");
}

/* Discard: the journal goes, the file stays. A journal of another version of the file can only be discarded. */
static void
test_recovery_discard_and_stale (Fixture *f, gconstpointer data)
{
  write_boxes (f, original);
  leave_journal (f);
  cxr_window_fixture_open_dataset (f);
  AdwMessageDialog *dialog = wait_for_dialog (f, "the recovery question");
  adw_message_dialog_response (dialog, "discard");
  g_autofree char *journal = cxr_bbox_store_dup_journal_path (store (f));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_autofree char *kept = read_boxes (f);
  g_assert_cmpstr (kept, ==, original);
  g_assert_true (cxr_bbox_store_set_rect (store (f), 2, 1, 1, 1, 1, NULL));
  g_assert_true (cxr_bbox_store_revert (store (f), NULL));

  /* Stale: the journal, then the file changed by someone else. */
  leave_journal (f);
  write_boxes (f, HEADER ROW1 ROW2);
  cxr_window_fixture_open_dataset (f);
  dialog = wait_for_dialog (f, "the stale journal's notice");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Unsaved Edits Cannot Be Recovered");
  g_assert_false (adw_message_dialog_has_response (dialog, "recover"));
  g_autofree char *journal_text = read_file (journal);
  adw_message_dialog_response (dialog, "discard");
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_autofree char *copy_path = g_strconcat (journal, "~", NULL);
  g_autofree char *copy = read_file (copy_path);
  g_assert_cmpstr (copy, ==, journal_text);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store (f), NULL), ==, CXR_BBOX_RECOVERY_NONE);
}

/* ---- BB.csv rewritten by another program ------------------------------------------------------------------- */

#define THEIRS HEADER "00000001_000.png,Cardiomegaly,60,70,90,60\n" ROW2 ROW3 "00000003_000.png,Mass,1,2,3,4\n"

static void
rewrite_elsewhere (Fixture *f)
{
  /* As another editor would: a new file renamed over the old one. */
  g_autofree char *path = box_path (f);
  g_autofree char *tmp = g_strconcat (path, ".other", NULL);
  g_assert_true (g_file_set_contents (tmp, THEIRS, -1, NULL));
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

static void
test_conflict (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_uint (settings, "autosave-delay", 30);
  open_dataset_with (f, original);
  nudge_first_box (f);
  g_autoptr (GBytes) mine = cxr_bbox_store_serialize (store (f));
  g_assert_cmpstr (g_bytes_get_data (mine, NULL), ==, HEADER ROW1_NUDGED ROW2 ROW3);

  /* Reload: mine go to BB-mine-*.csv first, theirs are shown. */
  rewrite_elsewhere (f);
  AdwMessageDialog *dialog = wait_for_dialog (f, "the choice after the file changed on disk");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Box File Changed on Disk");
  g_assert_true (adw_message_dialog_has_response (dialog, "keep"));
  g_assert_true (f->window->box_conflict);
  adw_message_dialog_response (dialog, "reload");
  g_autofree char *theirs = read_boxes (f);
  g_assert_cmpstr (theirs, ==, THEIRS);
  g_autoptr (GDir) dir = g_dir_open (f->dataset, 0, NULL);
  g_autofree char *mine_path = NULL;
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "BBox_List_2017-mine-") && g_str_has_suffix (name, ".csv"))
      mine_path = g_build_filename (f->dataset, name, NULL);
  g_assert_nonnull (mine_path);
  g_autofree char *kept = read_file (mine_path);
  g_assert_cmpstr (kept, ==, HEADER ROW1_NUDGED ROW2 ROW3);
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store (f), 1, &box));
  g_assert_cmpfloat (box.x, ==, 60);
  g_assert_false (cxr_bbox_store_is_dirty (store (f)));
  g_assert_cmpfloat (g_array_index (cxr_pane_content_get_gt_boxes (f->window->content), CxrPaneBox, 0).x, ==, 60);
}

static void
test_conflict_keep_mine (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_uint (settings, "autosave-delay", 30);
  open_dataset_with (f, original);
  nudge_first_box (f);
  rewrite_elsewhere (f);
  AdwMessageDialog *dialog = wait_for_dialog (f, "the choice after the file changed on disk");
  /* The user keeps theirs... an autosave must not overwrite the other version meanwhile. */
  g_settings_set_uint (settings, "autosave-delay", 1);
  activate (f, "nudge-box", g_variant_new ("(dd)", 0.0, 0.0));
  cxr_ui_test_spin (1500);
  g_autofree char *still = read_boxes (f);
  g_assert_cmpstr (still, ==, THEIRS);
  /* "Keep Mine (Save As…)" opens the file chooser; its answer is a path. */
  adw_message_dialog_response (dialog, "keep");
  g_autofree char *mine_path = g_build_filename (f->dataset, "mine.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (_cxr_window_save_boxes_as (f->window, mine_path, &error));
  g_assert_no_error (error);
  g_autofree char *mine = read_file (mine_path);
  g_assert_cmpstr (mine, ==, HEADER ROW1_NUDGED ROW2 ROW3);
  g_autofree char *theirs = read_boxes (f);
  g_assert_cmpstr (theirs, ==, THEIRS);
  g_assert_false (f->window->box_conflict);
  g_assert_false (cxr_bbox_store_is_dirty (store (f)));
}

/* Ctrl+S before the file monitor has noticed the other program's version: the same choice, at once, not an error
 * that says "reload it" with no way to. */
static void
test_conflict_on_save (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_uint (settings, "autosave-delay", 30);
  open_dataset_with (f, original);
  nudge_first_box (f);
  rewrite_elsewhere (f);
  g_assert_null (f->window->box_dialog);
  activate (f, "save", NULL);
  g_assert_nonnull (f->window->box_dialog);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (f->window->box_dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Box File Changed on Disk");
  g_assert_true (adw_message_dialog_has_response (dialog, "reload"));
  g_assert_true (adw_message_dialog_has_response (dialog, "keep"));
  g_autofree char *theirs = read_boxes (f);
  g_assert_cmpstr (theirs, ==, THEIRS);
  g_assert_true (cxr_bbox_store_is_dirty (store (f)));
  /* The monitor's notice, when it comes, asks nothing more. */
  cxr_ui_test_spin (800);
  g_assert_true (f->window->box_dialog == GTK_WIDGET (dialog));
  adw_message_dialog_response (dialog, "reload");
  g_autofree char *after = read_boxes (f);
  g_assert_cmpstr (after, ==, THEIRS);
  g_assert_false (cxr_bbox_store_is_dirty (store (f)));
}

/* ---- read-only --------------------------------------------------------------------------------------------- */

static void
test_read_only (Fixture *f, gconstpointer data)
{
  write_boxes (f, original);
  g_autofree char *path = box_path (f);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  cxr_window_fixture_open_dataset (f);
  g_assert_true (banner_revealed (f));
  const char *text = gtk_label_get_text (f->window->box_banner_label);
  g_assert_nonnull (strstr (text, "is read-only"));
  /* The edit is refused with the reason, the file and the folder stay as they were. */
  activate (f, "select-box", g_variant_new_int32 (1));
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_bbox_store_set_rect (store (f), 1, 1, 2, 3, 4, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "is read-only"));
  activate (f, "delete-box", NULL);
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (store (f)), ==, 3);
  g_assert_false (cxr_bbox_store_is_dirty (store (f)));
  g_autofree char *after = read_boxes (f);
  g_assert_cmpstr (after, ==, original);
  g_autofree char *journal = cxr_bbox_store_dup_journal_path (store (f));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  /* Writable again: the banner goes and edits are taken. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  cxr_ui_test_wait_until (banner_hidden, f, 10000, "the banner to go");
  g_assert_true (cxr_bbox_store_set_rect (store (f), 1, 1, 2, 3, 4, NULL));
  g_assert_true (cxr_bbox_store_revert (store (f), NULL));
}

/* ---- the filter and the export ----------------------------------------------------------------------------- */

static void
test_edited_filter_and_export (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_boolean (settings, "autosave-boxes", FALSE);
  open_dataset_with (f, original);
  /* Nothing edited yet (a second model of the same images, so that the list on screen keeps its image). */
  g_autoptr (CxrImageListModel) fresh = cxr_image_list_model_new (f->window->dataset, f->window->results, NULL, NULL);
  cxr_image_list_model_set_filter (fresh, CXR_IMAGE_FILTER_EDITED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fresh)), ==, 0);
  CxrImageListModel *model = f->window->list_model;
  nudge_first_box (f);
  cxr_image_list_model_set_filter (model, CXR_IMAGE_FILTER_EDITED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpuint (cxr_image_list_model_get_entry (model, 0), ==, 0);
  /* Saved, it still was edited since the dataset was opened. */
  activate (f, "save", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  /* Nudged back by hand: the same boxes as at open, so not edited. */
  activate (f, "nudge-box", g_variant_new ("(dd)", -1.0, -2.0));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  activate (f, "undo", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* The export has the boxes as they are now (the test images are 256 x 256 gray PNGs). */
  g_autofree char *out = g_build_filename (f->dataset, "yolo", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (_cxr_window_export_boxes_to (f->window, CXR_BBOX_EXPORT_YOLO, out, &error));
  g_assert_no_error (error);
  g_autofree char *yolo_path = g_build_filename (out, "00000001_000.txt", NULL);
  g_autofree char *yolo = read_file (yolo_path);
  /* (65 + 48) / 256, (82 + 32) / 256, 96 / 256, 64 / 256; the Nodule (180 + 10) / 256 ... */
  g_assert_cmpstr (yolo, ==, "1 0.44140625 0.4453125 0.375 0.25\n5 0.7421875 0.6953125 0.078125 0.0625\n");
}

/* ---- the run's bb_results.csv -------------------------------------------------------------------------------- */

static gboolean
export_done (gpointer data)
{
  Fixture *f = data;
  return !_cxr_window_is_running (f->window) && f->window->n_jobs == 0;
}

/* An export of the run's outputs scores against the boxes as the window has them, corrected and not yet saved. */
static void
test_bb_results_use_corrected_boxes (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_boolean (settings, "autosave-boxes", FALSE);
  open_dataset_with (f, original);
  cxr_window_fixture_open_model (f);
  nudge_first_box (f);
  g_autofree char *out = cxr_test_make_tmpdir ();
  _cxr_window_export_to (f->window, out);
  cxr_ui_test_wait_until (export_done, f, 60000, "the export");
  g_autofree char *csv_path = g_build_filename (out, "bb_results.csv", NULL);
  g_autofree char *csv = read_file (csv_path);
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[1], "00000001_000.png,Cardiomegaly,"));
  /* gt_x, gt_y, gt_w, gt_h: the nudged box, not the file's 64, 80, 96, 64 */
  g_assert_nonnull (strstr (lines[1], ",65,82,96,64,"));
  g_autofree char *on_disk = read_boxes (f);
  g_assert_cmpstr (on_disk, ==, original);
  g_assert_true (cxr_bbox_store_revert (store (f), NULL));
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, cxr_window_fixture_set_up, func, cxr_window_fixture_tear_down)
  ADD ("/ui/box-save/autosave", test_autosave);
  ADD ("/ui/box-save/close-asks", test_close_asks);
  ADD ("/ui/box-save/recovery", test_recovery);
  ADD ("/ui/box-save/recovery-discard-and-stale", test_recovery_discard_and_stale);
  ADD ("/ui/box-save/conflict-reload", test_conflict);
  ADD ("/ui/box-save/conflict-keep-mine", test_conflict_keep_mine);
  ADD ("/ui/box-save/conflict-on-save", test_conflict_on_save);
  ADD ("/ui/box-save/read-only", test_read_only);
  ADD ("/ui/box-save/edited-filter-and-export", test_edited_filter_and_export);
  ADD ("/ui/box-save/bb-results-use-corrected-boxes", test_bb_results_use_corrected_boxes);

  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
