/* Correcting ground-truth boxes in the window (issue 11) as a reader does it, with real keys and pointer events
 * under Xvfb (xdotool), and what reaches the file: after Ctrl+S only the edited rows of BB.csv differ, every other
 * byte stays, rows stay in place.
 *
 * The box file is the first rows of NIH's BBox_List_2017.csv (../shared/data/nih14, read at run time and never
 * copied into the tree) with rows for the test images among them, in the same style. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "cxr-image-item.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

/* The test images' rows (ids 4, 5, 6: the file's data rows 4 to 6), between real NIH rows 1-3 and 4-5. */
#define ROW_IMAGE1_CARDIO "00000001_000.png,Cardiomegaly,64.4745762711864,80.2033898305085,96.5423728813559,64.2711864406779"
#define ROW_IMAGE2_EFFUSION "00000002_000.png,Effusion,20.1016949152542,30.3050847457627,50.8474576271186,40.6779661016949"
#define ROW_IMAGE1_NODULE "00000001_000.png,Nodule,180.338983050847,170.169491525424,20.3389830508475,16.2711864406779"
#define ID_CARDIO 4
#define ID_NODULE 6

typedef struct {
  char *path;
  char *original;     /* the bytes before any edit */
} BoxFile;

/* Writes the box file into the fixture's dataset (before it is opened). FALSE: no NIH data (skipped). */
static gboolean
write_box_file (Fixture *f, BoxFile *file)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return FALSE;
  g_autofree char *nih_path = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autofree char *nih_text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (nih_path, &nih_text, NULL, &error));
  g_auto (GStrv) lines = g_strsplit (nih_text, "\n", 7);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);

  /* header, 3 NIH rows, the test rows, 2 more NIH rows; the NIH file's "\n" endings. */
  file->original = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n", lines[0], lines[1], lines[2], lines[3],
                                    ROW_IMAGE1_CARDIO, ROW_IMAGE2_EFFUSION, ROW_IMAGE1_NODULE, lines[4], lines[5]);
  file->path = g_build_filename (f->dataset, "BBox_List_2017.csv", NULL);
  g_assert_true (g_file_set_contents (file->path, file->original, -1, &error));
  return TRUE;
}

static void
box_file_clear (BoxFile *file)
{
  g_free (file->path);
  g_free (file->original);
}

static char *
read_box_file (BoxFile *file)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (file->path, &text, NULL, &error));
  return g_steal_pointer (&text);
}

/* Line @n (0: the header) of @text. */
static char *
line_of (const char *text, guint n)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (n, <, g_strv_length (lines));
  return g_strdup (lines[n]);
}

/* Every line of @now equals the original's except those in @edited (line numbers, ending with 0), which must
 * differ; lines may be added at the end only (@added of them). */
static void
assert_only_lines_differ (const char *original, const char *now, const guint *edited, guint added)
{
  g_auto (GStrv) before = g_strsplit (original, "\n", -1);
  g_auto (GStrv) after = g_strsplit (now, "\n", -1);
  guint n_before = g_strv_length (before);
  g_assert_cmpuint (g_strv_length (after), ==, n_before + added);
  for (guint i = 0; i + 1 < n_before; i++)   /* the last "line" is the empty rest after the final newline */
    {
      gboolean is_edited = FALSE;
      for (guint e = 0; edited[e] != 0; e++)
        is_edited |= edited[e] == i;
      if (is_edited)
        g_assert_cmpstr (before[i], !=, after[i]);
      else
        g_assert_cmpstr (before[i], ==, after[i]);
    }
  g_assert_cmpstr (after[n_before + added - 1], ==, "");
}

/* A row's fields: the text of each, and the numbers as doubles. */
static void
assert_row (const char *line, const char *image, const char *label, double x, double y, double w, double h)
{
  g_auto (GStrv) fields = g_strsplit (line, ",", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 6);
  g_assert_cmpstr (fields[0], ==, image);
  g_assert_cmpstr (fields[1], ==, label);
  double values[4] = { x, y, w, h };
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat (g_ascii_strtod (fields[2 + i], NULL), ==, values[i]);
}

static CxrBBox
box_of (Fixture *f, guint id)
{
  CxrBBox box = { 0 };
  g_assert_true (cxr_bbox_store_get (cxr_dataset_get_bbox_store (f->window->dataset), id, &box));
  return box;
}

static guint
selected (Fixture *f)
{
  return cxr_box_editor_get_selected (f->window->box_editor);
}

static gboolean
action_enabled (Fixture *f, const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), name);
}

static const char *
title (Fixture *f)
{
  return gtk_window_get_title (GTK_WINDOW (f->window));
}

/* The list row's item of entry @index (what its box count chip shows), held from before the edits so that the
 * count must follow them live rather than be read afresh. */
static CxrImageItem *
row_item (Fixture *f, guint index)
{
  guint position = cxr_image_list_model_find_entry (f->window->list_model, index);
  g_assert_cmpuint (position, !=, G_MAXUINT);
  return g_list_model_get_item (G_LIST_MODEL (f->window->list_model), position);
}

/* Select with Tab, nudge with the arrows, delete, undo and redo with Ctrl+Z and Shift+Ctrl+Z, copy the model's
 * box with C, save with Ctrl+S: the file has exactly those edits, the list and title followed each. */
static void
test_keys (Fixture *f, gconstpointer data)
{
  BoxFile file = { 0 };
  if (!write_box_file (f, &file))
    return;
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000001_000.png");
  g_autoptr (GObject) row = G_OBJECT (row_item (f, 0));
#define row_n_boxes(f, index) cxr_image_item_get_n_boxes (CXR_IMAGE_ITEM (row))
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 2);
  g_assert_false (action_enabled (f, "undo"));
  g_assert_false (g_str_has_prefix (title (f), "• "));

  /* Tab selects the image's first box, Tab again the next, Shift+Tab back; the image stays. */
  cxr_window_fixture_key (f, "Tab");
  g_assert_cmpuint (selected (f), ==, ID_CARDIO);
  g_assert_cmpuint (cxr_pane_content_get_selected_box (f->window->content), ==, ID_CARDIO);
  cxr_window_fixture_key (f, "Tab");
  g_assert_cmpuint (selected (f), ==, ID_NODULE);
  cxr_window_fixture_key (f, "shift+Tab");
  g_assert_cmpuint (selected (f), ==, ID_CARDIO);

  /* The arrows nudge the box by one image pixel, Shift by ten, and do not move through the list. */
  double iou_before = cxr_current_image_get_iou (f->window->current);
  cxr_window_fixture_key (f, "Right");
  cxr_window_fixture_key (f, "shift+Down");
  cxr_window_fixture_key (f, "Up");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000001_000.png");
  CxrBBox cardio = box_of (f, ID_CARDIO);
  g_assert_cmpfloat (cardio.x, ==, 64.4745762711864 + 1);
  g_assert_cmpfloat (cardio.y, ==, 80.2033898305085 + 10 - 1);
  g_assert_cmpfloat (cardio.w, ==, 96.5423728813559);
  /* The panes follow at once, and so do the scores when the explained class has ground truth here. */
  const GArray *shown = cxr_pane_content_get_gt_boxes (f->window->content);
  gboolean found = FALSE;
  for (guint i = 0; i < shown->len; i++)
    if (g_array_index (shown, CxrPaneBox, i).id == ID_CARDIO)
      {
        g_assert_cmpfloat (g_array_index (shown, CxrPaneBox, i).x, ==, cardio.x);
        found = TRUE;
      }
  g_assert_true (found);
  if (!isnan (iou_before))
    g_assert_cmpfloat (cxr_current_image_get_iou (f->window->current), !=, iou_before);
  g_assert_true (g_str_has_prefix (title (f), "• "));
  g_assert_true (action_enabled (f, "undo"));

  /* Delete takes the Nodule away; the list row counts one box. Ctrl+Z brings it back, Shift+Ctrl+Z deletes it
   * again, Ctrl+Z once more: it stays. */
  cxr_window_fixture_key (f, "Tab");
  g_assert_cmpuint (selected (f), ==, ID_NODULE);
  cxr_window_fixture_key (f, "Delete");
  g_assert_cmpuint (selected (f), ==, 0);
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 1);
  g_assert_cmpuint (cxr_pane_content_get_gt_boxes (f->window->content)->len, ==, 1);
  cxr_window_fixture_key (f, "ctrl+z");
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 2);
  g_assert_cmpuint (selected (f), ==, ID_NODULE);
  g_assert_true (action_enabled (f, "redo"));
  cxr_window_fixture_key (f, "ctrl+shift+z");
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 1);
  cxr_window_fixture_key (f, "ctrl+z");
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 2);

  /* C copies the model's box, with the class it explains, as a new ground-truth box. */
  g_assert_true (action_enabled (f, "copy-predicted-box"));
  const CxrPaneBox predicted = g_array_index (cxr_pane_content_get_predicted_boxes (f->window->content), CxrPaneBox, 0);
  g_autofree char *predicted_label = g_strdup (cxr_current_image_get_target_name (f->window->current));
  cxr_window_fixture_key (f, "c");
  guint copied = selected (f);
  g_assert_cmpuint (copied, ==, 9);   /* the next id after the 8 rows */
  CxrBBox copy = box_of (f, copied);
  g_assert_cmpstr (copy.label, ==, predicted_label);
  g_assert_cmpfloat (copy.x, ==, predicted.x);
  g_assert_cmpfloat (copy.w, ==, predicted.w);
  g_assert_cmpuint (row_n_boxes (f, 0), ==, 3);

  /* Nothing is on disk until Ctrl+S; then the edited row and the new one, and nothing else. */
  g_autofree char *unsaved = read_box_file (&file);
  g_assert_cmpstr (unsaved, ==, file.original);
  cxr_window_fixture_key (f, "ctrl+s");
  g_assert_false (g_str_has_prefix (title (f), "• "));
  g_autofree char *saved = read_box_file (&file);
  const guint edited[] = { 4, 0 };
  assert_only_lines_differ (file.original, saved, edited, 1);
  g_autofree char *cardio_line = line_of (saved, 4);
  assert_row (cardio_line, "00000001_000.png", "Cardiomegaly", 64.4745762711864 + 1, 80.2033898305085 + 9,
              96.5423728813559, 64.2711864406779);
  /* The untouched numbers keep their text. */
  g_assert_true (g_str_has_suffix (cardio_line, ",96.5423728813559,64.2711864406779"));
  g_autofree char *new_line = line_of (saved, 9);
  assert_row (new_line, "00000001_000.png", predicted_label, copy.x, copy.y, copy.w, copy.h);
  box_file_clear (&file);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/boxes/keys", Fixture, NULL, cxr_window_fixture_set_up, test_keys, cxr_window_fixture_tear_down);

  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
