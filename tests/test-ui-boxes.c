/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Correcting ground-truth boxes in the window (issue 11) as a reader does it, with real keys and pointer events
 * under Xvfb (xdotool), and what reaches the file: after Ctrl+S only the edited rows of BB.csv differ, every other
 * byte stays, rows stay in place.
 *
 * The box file is the first rows of NIH's BBox_List_2017.csv (../shared/data/nih14, read at run time and never
 * copied into the tree) with rows for the test images among them, in the same style. */
#include <adwaita.h>
#include <gdk/x11/gdkx.h>
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

/* Writes the box file into the fixture's dataset (before it is opened), with autosave off: these tests compare the
 * file and the title's dot with what the edits alone did, and a slow run (ASan under load) took more than the
 * autosave's 3 s between an edit and its undo, so the file had the edit and its undo left the boxes unsaved.
 * test-ui-box-save tests autosave. FALSE: no NIH data (skipped). */
static gboolean
write_box_file (Fixture *f, BoxFile *file)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return FALSE;
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_boolean (settings, "autosave-boxes", FALSE);
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

/* ---- the pointer ------------------------------------------------------------------------------------------ */

static void
on_subprocess_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;
  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Runs xdotool with @args while the main loop turns, so that the window handles the events as they come. */
static void
xdotool (GPtrArray *args)
{
  g_ptr_array_insert (args, 0, (gpointer) "xdotool");
  g_ptr_array_add (args, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = g_subprocess_newv ((const char *const *) args->pdata, G_SUBPROCESS_FLAGS_NONE,
                                                       &error);
  g_assert_no_error (error);
  gboolean done = FALSE;
  g_subprocess_wait_check_async (process, NULL, on_subprocess_done, &done);
  cxr_ui_test_wait_until (flag_set, &done, 20000, "xdotool");
  cxr_ui_test_spin (150);
}

/* @widget's point (@x, @y) in its window's X coordinates, and back: the widget point the X server's whole pixel
 * (@wx, @wy) is. */
static void
to_window (GtkWidget *widget, double x, double y, int *wx, int *wy)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p;
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT ((float) x, (float) y), &p));
  double sx, sy;
  gtk_native_get_surface_transform (native, &sx, &sy);
  *wx = (int) lround (p.x + sx);
  *wy = (int) lround (p.y + sy);
}

static void
from_window (GtkWidget *widget, int wx, int wy, double *x, double *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  double sx, sy;
  gtk_native_get_surface_transform (native, &sx, &sy);
  graphene_point_t p;
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (native), widget,
                                           &GRAPHENE_POINT_INIT ((float) (wx - sx), (float) (wy - sy)), &p));
  *x = p.x;
  *y = p.y;
}

typedef struct {
  int x0, y0, x1, y1;   /* where the pointer went down and up, in window pixels */
} Drag;

/* A primary-button drag through the X server from @widget's point (@x, @y) by (@dx, @dy) window pixels, in ten
 * motion steps, with Shift held when @shift. With @release FALSE the button stays down (drag_release ends it). */
static Drag
drag (Fixture *f, GtkWidget *widget, double x, double y, int dx, int dy, gboolean shift, gboolean release)
{
  Drag d;
  to_window (widget, x, y, &d.x0, &d.y0);
  d.x1 = d.x0 + dx, d.y1 = d.y0 + dy;
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (
                                            gtk_native_get_surface (GTK_NATIVE (f->window))));
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
#define ARG(s) g_ptr_array_add (args, (gpointer) (s))
#define OWNED(...) (g_ptr_array_add (owned, g_strdup_printf (__VA_ARGS__)), g_ptr_array_index (owned, owned->len - 1))
  ARG ("windowfocus"), ARG (xid);
  ARG ("mousemove"), ARG ("--window"), ARG (xid), ARG (OWNED ("%d", d.x0)), ARG (OWNED ("%d", d.y0));
  ARG ("sleep"), ARG ("0.1");
  if (shift)
    ARG ("keydown"), ARG ("shift");
  ARG ("mousedown"), ARG ("1");
  for (int step = 1; step <= 10; step++)
    {
      ARG ("sleep"), ARG ("0.03");
      ARG ("mousemove"), ARG ("--window"), ARG (xid);
      ARG (OWNED ("%d", d.x0 + dx * step / 10)), ARG (OWNED ("%d", d.y0 + dy * step / 10));
    }
  ARG ("sleep"), ARG ("0.1");
  if (release)
    {
      ARG ("mouseup"), ARG ("1");
      if (shift)
        ARG ("keyup"), ARG ("shift");
    }
  xdotool (args);
  return d;
}

static void
drag_release (Fixture *f)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, (gpointer) "mouseup");
  g_ptr_array_add (args, (gpointer) "1");
  xdotool (args);
}

static void
double_click (Fixture *f, GtkWidget *widget, double x, double y)
{
  int wx, wy;
  to_window (widget, x, y, &wx, &wy);
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (
                                            gtk_native_get_surface (GTK_NATIVE (f->window))));
  g_autofree char *xs = g_strdup_printf ("%d", wx), *ys = g_strdup_printf ("%d", wy);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *argv[] = { "windowfocus", xid, "mousemove", "--window", xid, xs, ys, "sleep", "0.1",
                         "click", "--repeat", "2", "--delay", "80", "1", NULL };
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  xdotool (args);
}

static double
pane_scale (CxrPaneView *pane)
{
  double scale, ox, oy;
  cxr_view_state_get_transform (cxr_pane_view_get_view_state (pane), gtk_widget_get_width (GTK_WIDGET (pane)),
                                gtk_widget_get_height (GTK_WIDGET (pane)), &scale, &ox, &oy);
  return scale;
}

static gboolean
is_yellow (const guint8 rgb[3])
{
  return rgb[0] > 200 && rgb[1] > 170 && rgb[2] < 80;
}

/* The box's outline is drawn where @box says: yellow just outside its left and top edges (a quarter of the way
 * along, clear of the handles), not inside. */
static void
assert_drawn_at (CxrPaneView *pane, const CxrUiTestPixels *pixels, const CxrBBox *box)
{
  double left, top, right, bottom;
  cxr_pane_view_image_to_widget (pane, box->x, box->y, &left, &top);
  cxr_pane_view_image_to_widget (pane, box->x + box->w, box->y + box->h, &right, &bottom);
  int quarter_y = (int) (top + (bottom - top) / 4), quarter_x = (int) (left + (right - left) / 4);
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) floor (left) - 1, quarter_y, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, (int) ceil (right), quarter_y, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, quarter_x, (int) floor (top) - 1, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, quarter_x, (int) ceil (bottom), rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, (int) (left + right) / 2, (int) (top + bottom) / 2, rgb);
  g_assert_false (is_yellow (rgb));
}

static gboolean
popover_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->box_label_popover != NULL && gtk_widget_get_mapped (f->window->box_label_popover);
}

static gboolean
popover_hidden (gpointer data)
{
  return !popover_shown (data);
}

/* Move the body, resize by a handle (after zooming in), resize with Shift keeping the aspect, draw a new box in
 * draw mode and label it in the popover, relabel by a double click: each drag is one undo step, the readout shows
 * the box while dragging, the file gets exactly what the window showed, and the panes draw it there. */
static void
test_pointer (Fixture *f, gconstpointer data)
{
  BoxFile file = { 0 };
  if (!write_box_file (f, &file))
    return;
  cxr_window_fixture_open_dataset (f);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_GROUND_TRUTH);
  GtkWidget *widget = GTK_WIDGET (pane);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, widget, 5000, "the ground-truth pane");
  cxr_ui_test_spin (200);
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (f->window->dataset);

  /* Move: the body of the Cardiomegaly box, 24 and 12 window pixels; the readout shows the box on the way. */
  CxrBBox start = box_of (f, ID_CARDIO);
  double cx, cy;
  cxr_pane_view_image_to_widget (pane, start.x + start.w / 2, start.y + start.h / 2, &cx, &cy);
  double scale = pane_scale (pane);
  Drag d = drag (f, widget, cx, cy, 24, 12, FALSE, FALSE);
  g_assert_cmpuint (selected (f), ==, ID_CARDIO);
  GtkLabel *readout = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window->compare_view),
                                                                CXR_TYPE_COMPARE_VIEW, "pointer_label"));
  g_autofree char *expected_readout_w = g_strdup_printf (", w 96.5, h 64.3");
  g_assert_true (g_str_has_suffix (gtk_label_get_label (readout), expected_readout_w));
  /* Nothing in the store until the release. */
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, start.x);
  drag_release (f);
  CxrBBox moved = box_of (f, ID_CARDIO);
  g_assert_cmpfloat (moved.x, ==, start.x + round ((d.x1 - d.x0) / scale));
  g_assert_cmpfloat (moved.y, ==, start.y + round ((d.y1 - d.y0) / scale));
  g_assert_cmpfloat (moved.w, ==, start.w);
  g_assert_cmpfloat (moved.h, ==, start.h);
  g_assert_null (strstr (gtk_label_get_label (readout), ", w "));
  /* One drag, one undo step. */
  cxr_window_fixture_key (f, "ctrl+z");
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, start.x);
  g_assert_false (cxr_bbox_store_can_undo (store));
  cxr_window_fixture_key (f, "ctrl+shift+z");
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, moved.x);

  /* Resize by the bottom-right handle at a closer zoom: the dragged corner lands on whole image pixels. */
  cxr_window_fixture_key (f, "plus");
  scale = pane_scale (pane);
  double hx, hy;
  cxr_pane_view_image_to_widget (pane, moved.x + moved.w, moved.y + moved.h, &hx, &hy);
  d = drag (f, widget, hx, hy, 30, 20, FALSE, TRUE);
  double press_x, press_y;
  from_window (widget, d.x0, d.y0, &press_x, &press_y);
  CxrBBox resized = box_of (f, ID_CARDIO);
  g_assert_cmpfloat (resized.x, ==, moved.x);
  g_assert_cmpfloat (resized.y, ==, moved.y);
  g_assert_cmpfloat (resized.x + resized.w, ==, round (moved.x + moved.w + (d.x1 - d.x0) / scale));
  g_assert_cmpfloat (resized.y + resized.h, ==, round (moved.y + moved.h + (d.y1 - d.y0) / scale));

  /* Shift keeps the aspect: the right edge's handle widens, and the height follows about the middle. */
  double aspect = resized.w / resized.h;
  cxr_pane_view_image_to_widget (pane, resized.x + resized.w, resized.y + resized.h / 2, &hx, &hy);
  drag (f, widget, hx, hy, 16, 0, TRUE, TRUE);
  CxrBBox kept = box_of (f, ID_CARDIO);
  g_assert_cmpfloat (kept.w, >, resized.w);
  g_assert_cmpfloat (fabs (kept.w / kept.h - aspect), <, 1e-9);
  g_assert_cmpfloat (fabs ((kept.y + kept.h / 2) - (resized.y + resized.h / 2)), <, 1e-9);

  /* Draw: W, then a drag on empty image; the popover asks for the label (the last one used is focused), Down and
   * Enter pick the next one, Effusion. */
  cxr_window_fixture_key (f, "0");   /* fit again */
  cxr_window_fixture_key (f, "w");
  g_assert_true (cxr_box_editor_get_drawing (f->window->box_editor));
  scale = pane_scale (pane);
  double px, py;
  cxr_pane_view_image_to_widget (pane, 8, 200, &px, &py);
  d = drag (f, widget, px, py, 60, 50, FALSE, TRUE);
  cxr_ui_test_wait_until (popover_shown, f, 5000, "the label popover");
  guint drawn = selected (f);
  g_assert_cmpuint (drawn, ==, 9);
  CxrBBox new_box = box_of (f, drawn);
  g_assert_cmpstr (new_box.label, ==, "Cardiomegaly");
  from_window (widget, d.x0, d.y0, &press_x, &press_y);
  double ix, iy;
  cxr_pane_view_widget_to_image (pane, press_x, press_y, &ix, &iy);
  g_assert_cmpfloat (new_box.x, ==, round (ix));
  g_assert_cmpfloat (new_box.y, ==, round (iy));
  g_assert_cmpfloat (new_box.x + new_box.w, ==, round (ix + (d.x1 - d.x0) / scale));
  g_assert_cmpfloat (new_box.y + new_box.h, ==, round (iy + (d.y1 - d.y0) / scale));
  cxr_window_fixture_key (f, "Down");
  cxr_window_fixture_key (f, "Return");
  cxr_ui_test_wait_until (popover_hidden, f, 5000, "the popover to close");
  g_assert_cmpstr (box_of (f, drawn).label, ==, "Effusion");
  g_assert_false (cxr_box_editor_get_drawing (f->window->box_editor));

  /* A double click on the Nodule box asks for its label too: a typed one. */
  CxrBBox nodule = box_of (f, ID_NODULE);
  cxr_pane_view_image_to_widget (pane, nodule.x + nodule.w / 2, nodule.y + nodule.h / 2, &px, &py);
  double_click (f, widget, px, py);
  cxr_ui_test_wait_until (popover_shown, f, 5000, "the label popover");
  g_assert_cmpuint (selected (f), ==, ID_NODULE);
  cxr_window_fixture_type (f, "Calcified nodule");
  cxr_window_fixture_key (f, "Return");
  cxr_ui_test_wait_until (popover_hidden, f, 5000, "the popover to close");
  g_assert_cmpstr (box_of (f, ID_NODULE).label, ==, "Calcified nodule");
  g_assert_cmpfloat (box_of (f, ID_NODULE).x, ==, nodule.x);

  /* Saved: the two edited rows and the new one, nothing else; the numbers are the store's. */
  cxr_window_fixture_key (f, "ctrl+s");
  g_autofree char *saved = read_box_file (&file);
  const guint edited[] = { 4, 6, 0 };
  assert_only_lines_differ (file.original, saved, edited, 1);
  g_autofree char *cardio_line = line_of (saved, 4);
  assert_row (cardio_line, "00000001_000.png", "Cardiomegaly", kept.x, kept.y, kept.w, kept.h);
  g_autofree char *nodule_line = line_of (saved, 6);
  g_assert_cmpstr (nodule_line, ==, "00000001_000.png,Calcified nodule,180.338983050847,170.169491525424,"
                                    "20.3389830508475,16.2711864406779");
  g_autofree char *new_line = line_of (saved, 9);
  new_box = box_of (f, drawn);
  assert_row (new_line, "00000001_000.png", "Effusion", new_box.x, new_box.y, new_box.w, new_box.h);

  /* The pane's tag says the new label too (a drag that the double click began once put the old one back). */
  const GArray *shown = cxr_pane_content_get_gt_boxes (f->window->content);
  g_assert_cmpuint (shown->len, ==, 3);
  for (guint i = 0; i < shown->len; i++)
    if (g_array_index (shown, CxrPaneBox, i).id == ID_NODULE)
      g_assert_cmpstr (g_array_index (shown, CxrPaneBox, i).label, ==, "Calcified nodule");
  /* And the pane draws each box where the file says. */
  cxr_ui_test_save (widget, "boxes-pointer");
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (widget);
  g_auto (GStrv) cardio_fields = g_strsplit (cardio_line, ",", -1);
  CxrBBox from_file = { 0, NULL, NULL, g_ascii_strtod (cardio_fields[2], NULL), g_ascii_strtod (cardio_fields[3], NULL),
                        g_ascii_strtod (cardio_fields[4], NULL), g_ascii_strtod (cardio_fields[5], NULL) };
  assert_drawn_at (pane, pixels, &from_file);
  g_auto (GStrv) new_fields = g_strsplit (new_line, ",", -1);
  CxrBBox new_from_file = { 0, NULL, NULL, g_ascii_strtod (new_fields[2], NULL), g_ascii_strtod (new_fields[3], NULL),
                            g_ascii_strtod (new_fields[4], NULL), g_ascii_strtod (new_fields[5], NULL) };
  assert_drawn_at (pane, pixels, &new_from_file);
  /* Where the box was before the edits, nothing is drawn. */
  double old_left, old_top;
  cxr_pane_view_image_to_widget (pane, start.x, start.y + start.h / 4, &old_left, &old_top);
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) floor (old_left) - 1, (int) old_top, rgb);
  g_assert_false (is_yellow (rgb));
  box_file_clear (&file);
}

/* Ctrl+Z undoes the last edit wherever it was made: an edit on the first image, then D to the second image, then
 * Ctrl+Z goes back to the first image with the box selected and in its old place. Without a model: the box
 * actions once waited for the model's answer to be enabled, and Tab did nothing until then. */
static void
test_undo_elsewhere (Fixture *f, gconstpointer data)
{
  BoxFile file = { 0 };
  if (!write_box_file (f, &file))
    return;
  cxr_window_fixture_open_dataset (f);
  CxrBBox start = box_of (f, ID_CARDIO);
  cxr_window_fixture_key (f, "Tab");
  g_assert_cmpuint (selected (f), ==, ID_CARDIO);
  cxr_window_fixture_key (f, "shift+Left");
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, start.x - 10);
  cxr_window_fixture_key (f, "Escape");
  g_assert_cmpuint (selected (f), ==, 0);
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the second image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000002_000.png");

  cxr_window_fixture_key (f, "ctrl+z");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the first image again");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000001_000.png");
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, start.x);
  g_assert_cmpuint (selected (f), ==, ID_CARDIO);
  g_assert_false (g_str_has_prefix (title (f), "• "));
  /* Nothing to save: the file is as it was. */
  g_autofree char *text = read_box_file (&file);
  g_assert_cmpstr (text, ==, file.original);
  box_file_clear (&file);
}

/* The original pane edits too while it shows the boxes: with a box selected (Tab), a drag on it there moves it;
 * with nothing selected it shows no boxes and a drag pans as before. */
static void
test_original_pane (Fixture *f, gconstpointer data)
{
  BoxFile file = { 0 };
  if (!write_box_file (f, &file))
    return;
  cxr_window_fixture_open_dataset (f);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  GtkWidget *widget = GTK_WIDGET (pane);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, widget, 5000, "the original pane");
  cxr_ui_test_spin (200);
  CxrViewState *view = cxr_pane_view_get_view_state (pane);

  /* Nothing selected: a drag on the box pans the view and edits nothing. */
  CxrBBox start = box_of (f, ID_CARDIO);
  double cx, cy;
  cxr_pane_view_image_to_widget (pane, start.x + start.w / 2, start.y + start.h / 2, &cx, &cy);
  drag (f, widget, cx, cy, 20, 0, FALSE, TRUE);
  g_assert_false (cxr_view_state_get_fit (view));
  g_assert_cmpfloat (box_of (f, ID_CARDIO).x, ==, start.x);
  g_assert_false (cxr_bbox_store_can_undo (cxr_dataset_get_bbox_store (f->window->dataset)));

  /* Selected: the original pane draws the boxes, and a drag there moves the box. */
  cxr_window_fixture_key (f, "0");
  cxr_window_fixture_key (f, "Tab");
  g_assert_true (cxr_pane_content_get_editing (f->window->content));
  double scale, ox, oy;
  cxr_view_state_get_transform (view, gtk_widget_get_width (widget), gtk_widget_get_height (widget), &scale, &ox, &oy);
  cxr_pane_view_image_to_widget (pane, start.x + start.w / 2, start.y + start.h / 2, &cx, &cy);
  Drag d = drag (f, widget, cx, cy, -16, 10, FALSE, TRUE);
  CxrBBox moved = box_of (f, ID_CARDIO);
  g_assert_cmpfloat (moved.x, ==, start.x + round ((d.x1 - d.x0) / scale));
  g_assert_cmpfloat (moved.y, ==, start.y + round ((d.y1 - d.y0) / scale));
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (widget);
  assert_drawn_at (pane, pixels, &moved);
  box_file_clear (&file);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/boxes/keys", Fixture, NULL, cxr_window_fixture_set_up, test_keys, cxr_window_fixture_tear_down);
  g_test_add ("/ui/boxes/pointer", Fixture, NULL, cxr_window_fixture_set_up, test_pointer,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/boxes/undo-elsewhere", Fixture, NULL, cxr_window_fixture_set_up, test_undo_elsewhere,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/boxes/original-pane", Fixture, NULL, cxr_window_fixture_set_up, test_original_pane,
              cxr_window_fixture_tear_down);

  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
