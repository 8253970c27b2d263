/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-boxes.c: correcting the ground-truth boxes: the window's box actions, their keys, and what follows
 * an edit (issue 11).
 *
 * Every edit is a window action, so that menus, keys, the pointer and the tests take one path: win.draw-box (W,
 * N), win.delete-box (Delete), win.relabel-box (L), win.set-box-label(s), win.copy-predicted-box (C),
 * win.select-box(i) (Tab, Shift+Tab), win.deselect-box (Escape), win.nudge-box((dd)) (arrows, Shift: 10 pixels),
 * win.undo (Ctrl+Z), win.redo (Shift+Ctrl+Z) and win.save (Ctrl+S). The edits themselves go through the box
 * editor (cxr-box-editor.c) into the dataset's store, one undo step each.
 *
 * Tab, the arrows, Delete and Escape are taken in the capture phase, before the image list (which moves its
 * selection with the arrows) sees them, but only while they mean something for a box: the arrows and Delete with
 * a box selected, Tab while the image list or the panes have the focus and the image has boxes, Escape while a
 * box is selected or being drawn. A focused text field always keeps its keys.
 *
 * The store's "changed" signal brings the rest along: the panes and the IoU / IoBB of the image on screen, the
 * box count in the list row of the image edited (which need not be on screen: undo reaches every image), the
 * "•" of unsaved edits in the title, and the actions' sensitivity.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-box-editor.h"
#include "cxr-box-label-popover.h"
#include "cxr-error.h"
#include "cxr-window-private.h"

/* ---- what follows an edit ----------------------------------------------- */

static guint
current_index (CxrWindow *self)
{
  return cxr_current_image_get_index (self->current);
}

/* The dataset entry a box belongs to (its row may be deleted now: then the last place it was seen). */
static guint
index_of_box (CxrWindow *self, guint id)
{
  CxrBBox box;
  guint index;
  if (self->box_store != NULL && cxr_bbox_store_get (self->box_store, id, &box)
      && cxr_dataset_lookup (self->dataset, box.image, &index))
    {
      g_hash_table_insert (self->box_images, GUINT_TO_POINTER (id), GUINT_TO_POINTER (index + 1));
      return index;
    }
  gpointer seen = g_hash_table_lookup (self->box_images, GUINT_TO_POINTER (id));
  return seen != NULL ? GPOINTER_TO_UINT (seen) - 1 : current_index (self);
}

static void
on_store_changed (CxrBBoxStore *store, guint id, CxrWindow *self)
{
  self->box_last_changed = id;
  if (id == 0)
    {
      if (self->list_model != NULL)
        cxr_image_list_model_boxes_changed (self->list_model, G_MAXUINT);
      cxr_current_image_reload_boxes (self->current);
    }
  else
    {
      guint index = index_of_box (self, id);
      if (self->list_model != NULL && index != G_MAXUINT)
        cxr_image_list_model_boxes_changed (self->list_model, index);
      if (index == current_index (self))
        cxr_current_image_reload_boxes (self->current);
    }
  _cxr_window_actions_update (self);
}

static void
on_store_dirty (CxrBBoxStore *store, GParamSpec *pspec, CxrWindow *self)
{
  _cxr_window_update_title (self);
}

static void
on_store_history (CxrBBoxStore *store, GParamSpec *pspec, CxrWindow *self)
{
  _cxr_window_actions_update (self);
}

gboolean
_cxr_window_boxes_is_dirty (CxrWindow *self)
{
  return self->box_store != NULL && cxr_bbox_store_is_dirty (self->box_store);
}

static void
update_pane_tooltip (CxrWindow *self)
{
  CxrPaneView *pane = cxr_compare_view_get_pane (self->compare_view, CXR_PANE_GROUND_TRUTH);
  gtk_widget_set_tooltip_text (GTK_WIDGET (pane),
                               self->dataset != NULL && self->box_store == NULL
                                 ? _("This folder has no box file (BB.csv or BBox_List_2017.csv): its boxes "
                                     "cannot be edited")
                                 : NULL);
}

void
_cxr_window_boxes_attach_store (CxrWindow *self)
{
  CxrBBoxStore *store = self->dataset != NULL ? cxr_dataset_get_bbox_store (self->dataset) : NULL;

  if (store != self->box_store)
    {
      if (self->box_store != NULL)
        {
          g_signal_handlers_disconnect_by_func (self->box_store, on_store_changed, self);
          g_signal_handlers_disconnect_by_func (self->box_store, on_store_dirty, self);
          g_signal_handlers_disconnect_by_func (self->box_store, on_store_history, self);
        }
      g_set_object (&self->box_store, store);
      g_hash_table_remove_all (self->box_images);
      self->box_last_changed = 0;
      if (store != NULL)
        {
          g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
          g_signal_connect (store, "notify::dirty", G_CALLBACK (on_store_dirty), self);
          g_signal_connect (store, "notify::can-undo", G_CALLBACK (on_store_history), self);
          g_signal_connect (store, "notify::can-redo", G_CALLBACK (on_store_history), self);
        }
    }
  cxr_box_editor_set_store (self->box_editor, store);
  update_pane_tooltip (self);
  _cxr_window_update_title (self);
  _cxr_window_actions_update (self);
}

static void
on_current_index (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  guint index = current_index (self);
  const char *name = self->dataset != NULL && index != G_MAXUINT ? cxr_dataset_get_entry (self->dataset, index)->name
                                                                  : NULL;
  if (self->box_label_popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->box_label_popover));
  cxr_box_editor_set_image (self->box_editor, name);
}

/* Boxes can be edited once the image's pixels (and so its size) are on screen. */
static void
on_content_changed (CxrPaneContent *content, guint parts, CxrWindow *self)
{
  if (parts & (CXR_PANE_PART_IMAGE | CXR_PANE_PART_PREDICTED))
    _cxr_window_actions_update (self);
}

static void
on_editor_error (CxrBoxEditor *editor, const char *message, CxrWindow *self)
{
  /* Translators: an edit of a box was refused; the reason follows */
  g_autofree char *text = g_strdup_printf (_("The box was not changed: %s"), message);
  _cxr_window_toast (self, text);
}

static void
on_editor_selected (CxrBoxEditor *editor, GParamSpec *pspec, CxrWindow *self)
{
  _cxr_window_actions_update (self);
}

/* A number of image pixels as BB.csv people read it: whole pixels plainly, others to a tenth. */
static char *
format_pixels (double value)
{
  if (value == round (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.1f", value);
}

static void
on_editor_drag_moved (CxrBoxEditor *editor, CxrWindow *self)
{
  double x, y, w, h;
  if (!cxr_box_editor_get_drag_rect (editor, &x, &y, &w, &h))
    {
      cxr_compare_view_set_readout (self->compare_view, NULL);
      return;
    }
  g_autofree char *xs = format_pixels (x), *ys = format_pixels (y), *ws = format_pixels (w),
                  *hs = format_pixels (h);
  /* Translators: the box being dragged, in image pixels: its top-left corner, width and height */
  g_autofree char *text = g_strdup_printf (_("x %s, y %s, w %s, h %s"), xs, ys, ws, hs);
  cxr_compare_view_set_readout (self->compare_view, text);
}

/* ---- the label popover ----------------------------------------------------- */

static void
on_label_chosen (CxrBoxLabelPopover *popover, const char *label, CxrWindow *self)
{
  if (cxr_box_editor_get_selected (self->box_editor) != self->box_popover_id)
    return;
  g_action_group_activate_action (G_ACTION_GROUP (self), "set-box-label", g_variant_new_string (label));
}

/* The pane the popover points into: the ground-truth pane when it shows, else the original one. */
static CxrPaneView *
label_pane (CxrWindow *self)
{
  CxrPaneView *pane = cxr_compare_view_get_pane (self->compare_view, CXR_PANE_GROUND_TRUTH);
  if (gtk_widget_get_mapped (GTK_WIDGET (pane)))
    return pane;
  CxrPaneView *original = cxr_compare_view_get_pane (self->compare_view, CXR_PANE_ORIGINAL);
  return gtk_widget_get_mapped (GTK_WIDGET (original)) ? original : pane;
}

static void
ask_label (CxrWindow *self, guint id)
{
  CxrBBox box;
  CxrBBoxStore *store = self->box_store;
  if (store == NULL || !cxr_bbox_store_get (store, id, &box))
    return;

  CxrPaneView *pane = label_pane (self);
  if (self->box_label_popover == NULL)
    {
      self->box_label_popover = cxr_box_label_popover_new ();
      g_signal_connect (self->box_label_popover, "label-chosen", G_CALLBACK (on_label_chosen), self);
    }
  if (gtk_widget_get_parent (self->box_label_popover) != GTK_WIDGET (pane))
    {
      g_object_ref (self->box_label_popover);
      if (gtk_widget_get_parent (self->box_label_popover) != NULL)
        gtk_widget_unparent (self->box_label_popover);
      gtk_widget_set_parent (self->box_label_popover, GTK_WIDGET (pane));
      g_object_unref (self->box_label_popover);
    }

  double x0, y0, x1, y1;
  cxr_pane_view_image_to_widget (pane, box.x, box.y, &x0, &y0);
  cxr_pane_view_image_to_widget (pane, box.x + box.w, box.y + box.h, &x1, &y1);
  /* Kept inside the pane: a box that runs off the visible part still gets a popover where it shows. */
  int width = gtk_widget_get_width (GTK_WIDGET (pane)), height = gtk_widget_get_height (GTK_WIDGET (pane));
  x0 = CLAMP (x0, 0, width - 1), x1 = CLAMP (x1, x0 + 1, width);
  y0 = CLAMP (y0, 0, height - 1), y1 = CLAMP (y1, y0 + 1, height);
  GdkRectangle rect = { (int) x0, (int) y0, MAX (1, (int) (x1 - x0)), MAX (1, (int) (y1 - y0)) };
  gtk_popover_set_pointing_to (GTK_POPOVER (self->box_label_popover), &rect);

  self->box_popover_id = id;
  gtk_popover_popup (GTK_POPOVER (self->box_label_popover));
  cxr_box_label_popover_set_label (CXR_BOX_LABEL_POPOVER (self->box_label_popover), box.label);
}

static void
on_editor_label_wanted (CxrBoxEditor *editor, guint id, CxrWindow *self)
{
  ask_label (self, id);
}

/* ---- actions ----------------------------------------------------------------- */

static void
draw_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);

  /* A box is drawn on the image with the boxes: in the single layout, on the ground truth or the original. */
  if (cxr_compare_view_get_layout (self->compare_view) == CXR_COMPARE_LAYOUT_SINGLE)
    {
      CxrPaneKind shown = cxr_compare_view_get_single_view (self->compare_view);
      if (shown != CXR_PANE_GROUND_TRUTH && shown != CXR_PANE_ORIGINAL)
        cxr_compare_view_set_single_view (self->compare_view, CXR_PANE_GROUND_TRUTH);
    }
  cxr_box_editor_set_selected (self->box_editor, 0);
  cxr_box_editor_set_drawing (self->box_editor, TRUE);
}

static void
delete_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_box_editor_delete (CXR_WINDOW (user_data)->box_editor);
}

static void
relabel_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  ask_label (self, cxr_box_editor_get_selected (self->box_editor));
}

static void
set_box_label_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cxr_box_editor_relabel (CXR_WINDOW (user_data)->box_editor, g_variant_get_string (parameter, NULL));
}

/* The model's box: the one the ground-truth pane shows in cyan, for the class the heatmap explains. */
static gboolean
predicted_box (CxrWindow *self, CxrPaneBox *box, const char **label)
{
  const GArray *boxes = cxr_pane_content_get_predicted_boxes (self->content);
  *label = cxr_current_image_get_target_name (self->current);
  if (boxes == NULL || boxes->len == 0 || *label == NULL)
    return FALSE;
  *box = g_array_index (boxes, CxrPaneBox, 0);
  return TRUE;
}

static void
copy_predicted_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  CxrPaneBox box;
  const char *label;
  if (predicted_box (self, &box, &label))
    cxr_box_editor_add (self->box_editor, label, box.x, box.y, box.w, box.h);
}

static void
select_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  cxr_box_editor_set_drawing (self->box_editor, FALSE);
  cxr_box_editor_select_next (self->box_editor, g_variant_get_int32 (parameter) < 0 ? -1 : 1);
}

static void
deselect_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  cxr_box_editor_set_drawing (self->box_editor, FALSE);
  cxr_box_editor_set_selected (self->box_editor, 0);
}

static void
nudge_box_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  double dx, dy;
  g_variant_get (parameter, "(dd)", &dx, &dy);
  cxr_box_editor_nudge (CXR_WINDOW (user_data)->box_editor, dx, dy);
}

/* After an undo or a redo, the box it changed is on screen and selected: undoing an edit made on another image
 * goes back there, as a text editor scrolls to the change. */
static void
show_changed_box (CxrWindow *self)
{
  guint id = self->box_last_changed;
  if (id == 0 || self->dataset == NULL)
    return;
  guint index = index_of_box (self, id);
  if (index != G_MAXUINT && index != current_index (self))
    cxr_image_list_select_index (self->image_list, index);
  cxr_box_editor_set_selected (self->box_editor, id);
}

static void
undo_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  g_autoptr (GError) error = NULL;

  if (self->box_store == NULL || !cxr_bbox_store_can_undo (self->box_store))
    return;
  if (!cxr_bbox_store_undo (self->box_store, &error))
    {
      on_editor_error (self->box_editor, error->message, self);
      return;
    }
  show_changed_box (self);
}

static void
redo_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  g_autoptr (GError) error = NULL;

  if (self->box_store == NULL || !cxr_bbox_store_can_redo (self->box_store))
    return;
  if (!cxr_bbox_store_redo (self->box_store, &error))
    {
      on_editor_error (self->box_editor, error->message, self);
      return;
    }
  show_changed_box (self);
}

static void
show_save_error (CxrWindow *self, const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Could Not Save the Boxes"), NULL);
  /* Translators: the reason the save failed comes first */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("%s\n\nThe box file on disk was not changed. Your edits are still here, and "
                                    "in the recovery journal beside the file."),
                                  error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
_cxr_window_boxes_save (CxrWindow *self, GError **error)
{
  if (self->dataset == NULL || self->box_store == NULL)
    return TRUE;
  return cxr_dataset_save_boxes (self->dataset, error);
}

static void
save_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  CxrWindow *self = CXR_WINDOW (user_data);
  g_autoptr (GError) error = NULL;

  if (!_cxr_window_boxes_save (self, &error))
    {
      /* Another program rewrote the file and the monitor has not told us yet: the same Reload / Keep Mine
       * choice as when it has, rather than an error that leaves the user to find that choice. */
      if (g_error_matches (error, CXR_ERROR, CXR_ERROR_CONFLICT) && self->box_store != NULL
          && cxr_bbox_store_has_changed_on_disk (self->box_store))
        _cxr_window_save_check_disk (self);
      else
        show_save_error (self, error);
    }
  _cxr_window_update_title (self);
}

static const GActionEntry box_actions[] = {
  { .name = "draw-box", .activate = draw_box_activated },
  { .name = "delete-box", .activate = delete_box_activated },
  { .name = "relabel-box", .activate = relabel_box_activated },
  { .name = "set-box-label", .activate = set_box_label_activated, .parameter_type = "s" },
  { .name = "copy-predicted-box", .activate = copy_predicted_box_activated },
  { .name = "select-box", .activate = select_box_activated, .parameter_type = "i" },
  { .name = "deselect-box", .activate = deselect_box_activated },
  { .name = "nudge-box", .activate = nudge_box_activated, .parameter_type = "(dd)" },
  { .name = "undo", .activate = undo_activated },
  { .name = "redo", .activate = redo_activated },
  { .name = "save", .activate = save_activated },
};

static void
set_enabled (CxrWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_cxr_window_boxes_update_actions (CxrWindow *self)
{
  if (self->box_editor == NULL)
    return;
  gboolean can_edit = cxr_box_editor_can_edit (self->box_editor);
  gboolean selected = can_edit && cxr_box_editor_get_selected (self->box_editor) != 0;
  CxrPaneBox box;
  const char *label;

  set_enabled (self, "draw-box", can_edit);
  set_enabled (self, "delete-box", selected);
  set_enabled (self, "relabel-box", selected);
  set_enabled (self, "set-box-label", selected);
  set_enabled (self, "nudge-box", selected);
  set_enabled (self, "select-box", can_edit);
  set_enabled (self, "deselect-box", selected || cxr_box_editor_get_drawing (self->box_editor));
  set_enabled (self, "copy-predicted-box", can_edit && predicted_box (self, &box, &label));
  set_enabled (self, "undo", self->box_store != NULL && cxr_bbox_store_can_undo (self->box_store));
  set_enabled (self, "redo", self->box_store != NULL && cxr_bbox_store_can_redo (self->box_store));
  set_enabled (self, "save", self->box_store != NULL);
}

/* ---- keys ------------------------------------------------------------------------ */

static gboolean
focus_on_images (CxrWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  return focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->image_list))
         || focus == GTK_WIDGET (self->compare_view) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->compare_view));
}

static gboolean
activate (CxrWindow *self, const char *name, GVariant *parameter)
{
  if (!g_action_group_get_action_enabled (G_ACTION_GROUP (self), name))
    {
      if (parameter != NULL)
        g_variant_unref (g_variant_ref_sink (parameter));
      return FALSE;
    }
  g_action_group_activate_action (G_ACTION_GROUP (self), name, parameter);
  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                CxrWindow *self)
{
  if ((self->box_label_popover != NULL && gtk_widget_get_visible (self->box_label_popover))
      || _cxr_window_focus_takes_text (self))
    return FALSE;
  state &= gtk_accelerator_get_default_mod_mask ();
  if (state & ~GDK_SHIFT_MASK)
    return FALSE;

  gboolean selected = cxr_box_editor_get_selected (self->box_editor) != 0;
  double step = (state & GDK_SHIFT_MASK) ? 10.0 : 1.0;
  switch (keyval)
    {
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
    case GDK_KEY_ISO_Left_Tab:
      {
        g_autoptr (GArray) boxes = cxr_box_editor_list_boxes (self->box_editor);
        if (boxes->len == 0 || !(selected || focus_on_images (self)))
          return FALSE;
        gboolean back = keyval == GDK_KEY_ISO_Left_Tab || (state & GDK_SHIFT_MASK);
        return activate (self, "select-box", g_variant_new_int32 (back ? -1 : 1));
      }
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      return selected && activate (self, "nudge-box", g_variant_new ("(dd)", -step, 0.0));
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      return selected && activate (self, "nudge-box", g_variant_new ("(dd)", step, 0.0));
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      return selected && activate (self, "nudge-box", g_variant_new ("(dd)", 0.0, -step));
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      return selected && activate (self, "nudge-box", g_variant_new ("(dd)", 0.0, step));
    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      return selected && activate (self, "delete-box", NULL);
    case GDK_KEY_Escape:
      return activate (self, "deselect-box", NULL);
    default:
      return FALSE;
    }
}

/* Single keys, in the bubble phase like the window's others (cxr-window-actions.c): a focused entry types them. */
static const struct {
  const char *action;
  const char *trigger;
} single_keys[] = {
  { "win.draw-box", "w|n" },
  { "win.relabel-box", "l" },
  { "win.copy-predicted-box", "c" },
};

void
_cxr_window_boxes_init (CxrWindow *self)
{
  self->box_editor = cxr_box_editor_new (self->content);
  self->box_images = g_hash_table_new (NULL, NULL);
  g_action_map_add_action_entries (G_ACTION_MAP (self), box_actions, G_N_ELEMENTS (box_actions), self);

  cxr_box_editor_attach_pane (self->box_editor, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_GROUND_TRUTH));
  cxr_box_editor_attach_pane (self->box_editor, cxr_compare_view_get_pane (self->compare_view, CXR_PANE_ORIGINAL));
  g_signal_connect (self->box_editor, "error", G_CALLBACK (on_editor_error), self);
  g_signal_connect (self->box_editor, "notify::selected", G_CALLBACK (on_editor_selected), self);
  g_signal_connect (self->box_editor, "notify::drawing", G_CALLBACK (on_editor_selected), self);
  g_signal_connect (self->box_editor, "label-wanted", G_CALLBACK (on_editor_label_wanted), self);
  g_signal_connect (self->box_editor, "drag-moved", G_CALLBACK (on_editor_drag_moved), self);
  g_signal_connect (self->current, "notify::index", G_CALLBACK (on_current_index), self);
  g_signal_connect (self->content, "changed", G_CALLBACK (on_content_changed), self);

  GtkEventController *keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_BUBBLE);
  for (guint i = 0; i < G_N_ELEMENTS (single_keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (single_keys[i].trigger),
                                                            gtk_named_action_new (single_keys[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

void
_cxr_window_boxes_dispose (CxrWindow *self)
{
  if (self->box_store != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->box_store, on_store_changed, self);
      g_signal_handlers_disconnect_by_func (self->box_store, on_store_dirty, self);
      g_signal_handlers_disconnect_by_func (self->box_store, on_store_history, self);
    }
  g_clear_object (&self->box_store);
  if (self->box_editor != NULL)
    g_signal_handlers_disconnect_by_data (self->box_editor, self);
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
  g_clear_object (&self->box_editor);
  g_clear_pointer (&self->box_images, g_hash_table_unref);
  /* The popover is the pane's child; the pane unparents it. */
  self->box_label_popover = NULL;
}
