/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-list.c: search entry, filter drop-down and a GtkListView of CxrImageRow. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cxr-image-item.h"
#include "cxr-image-list.h"
#include "cxr-image-row.h"

struct _CxrImageList {
  GtkWidget parent_instance;

  /* template widgets */
  GtkSearchEntry *search_entry;
  GtkDropDown *filter_dropdown;
  GtkSpinButton *iou_spin;
  GtkListView *list_view;
  GtkLabel *count_label;
  GtkStack *list_stack;
  AdwStatusPage *empty_page;
  GtkWidget *show_all_button;
  GtkRevealer *subset_revealer;
  GtkLabel *subset_label;

  /* owned */
  CxrImageListModel *model;
  GtkSingleSelection *selection;

  guint selected_index;   /* the dataset entry, kept across refiltering */
};

G_DEFINE_FINAL_TYPE (CxrImageList, cxr_image_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_INDEX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_selected_index (CxrImageList *self, guint index)
{
  if (index == self->selected_index)
    return;
  self->selected_index = index;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_INDEX]);
}

/* What an empty list says, and what to do about it. */
static void
update_empty_state (CxrImageList *self, guint shown, guint total)
{
  gtk_stack_set_visible_child_name (self->list_stack, self->model != NULL && shown == 0 ? "empty" : "rows");
  if (self->model == NULL || shown > 0)
    return;

  CxrResults *results = cxr_image_list_model_get_results (self->model);
  CxrImageFilter filter = cxr_image_list_model_get_filter (self->model);
  gboolean searching = gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0';
  const char *title, *description;
  if (total == 0)
    {
      title = _("No Images");
      description = _("This folder has no PNG or JPEG images, neither in it nor in images/.");
    }
  else if (!searching && filter == CXR_IMAGE_FILTER_IOU_BELOW && cxr_results_count (results, CXR_RESULT_LOCALISED) == 0)
    {
      title = _("No IoU Yet");
      description = _("Run the model on all images (Ctrl+R) to score their boxes against the ground truth.");
    }
  else if (!searching && (filter == CXR_IMAGE_FILTER_PREDICTED_POSITIVE || filter == CXR_IMAGE_FILTER_PREDICTED_NEGATIVE)
           && cxr_results_count (results, CXR_RESULT_PREDICTED) == 0)
    {
      title = _("No Predictions Yet");
      description = _("Run the model on all images (Ctrl+R), or look at them one by one.");
    }
  else
    {
      title = _("No Image Matches");
      description = searching ? _("No name or finding contains the search text.")
                              : _("No image passes the filter.");
    }
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
  gtk_widget_set_visible (self->show_all_button, total > 0);
}

static void
on_show_all (GtkButton *button, CxrImageList *self)
{
  /* A confusion-matrix cell's subset too. */
  cxr_image_list_show_subset (self, NULL, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (self->model != NULL)
    cxr_image_list_model_set_search (self->model, "");
  gtk_drop_down_set_selected (self->filter_dropdown, CXR_IMAGE_FILTER_ALL);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
update_count (CxrImageList *self)
{
  if (self->model == NULL)
    {
      gtk_label_set_label (self->count_label, "");
      update_empty_state (self, 0, 0);
      return;
    }
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  guint total = cxr_image_list_model_get_n_images (self->model);
  update_empty_state (self, shown, total);
  g_autofree char *text = NULL;
  if (shown == total)
    text = g_strdup_printf (ngettext ("%u image", "%u images", total), total);
  else
    /* Translators: images shown after filtering, of all images in the dataset */
    text = g_strdup_printf (ngettext ("%u of %u image", "%u of %u images", total), shown, total);
  gtk_label_set_label (self->count_label, text);
}

static void
on_selection_changed (GtkSingleSelection *selection, guint position, guint n_items, CxrImageList *self)
{
  guint selected = gtk_single_selection_get_selected (selection);
  if (selected == GTK_INVALID_LIST_POSITION)
    return;   /* keep the image on screen while a filter hides it */
  set_selected_index (self, cxr_image_list_model_get_entry (self->model, selected));
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, CxrImageList *self)
{
  update_count (self);

  /* After refiltering, the image on screen stays selected if it is still listed. An image the filter hides
   * leaves the screen: the first listed image takes its place, or nothing when nothing is listed. */
  guint position_now = cxr_image_list_model_find_entry (self->model, self->selected_index);
  g_signal_handlers_block_by_func (self->selection, on_selection_changed, self);
  gtk_single_selection_set_selected (self->selection, position_now);
  g_signal_handlers_unblock_by_func (self->selection, on_selection_changed, self);
  if (position_now == G_MAXUINT)
    {
      /* Also when nothing was on screen (the search had matched nothing): images listed means one is shown. */
      if (g_list_model_get_n_items (model) > 0)
        cxr_image_list_select_index (self, cxr_image_list_model_get_entry (self->model, 0));
      else
        set_selected_index (self, G_MAXUINT);
    }
}

/* ---- rows ---------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  gtk_list_item_set_child (list_item, cxr_image_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  cxr_image_row_set_item (CXR_IMAGE_ROW (gtk_list_item_get_child (list_item)),
                          gtk_list_item_get_item (list_item));
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  cxr_image_row_set_item (CXR_IMAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/* ---- filter and search ---------------------------------------------------- */

static void
on_search_changed (GtkSearchEntry *entry, CxrImageList *self)
{
  if (self->model != NULL)
    cxr_image_list_model_set_search (self->model, gtk_editable_get_text (GTK_EDITABLE (entry)));
  /* An empty list that stays empty changes no items, but its reason may have changed. */
  update_count (self);
}

static void
on_filter_selected (GtkDropDown *dropdown, GParamSpec *pspec, CxrImageList *self)
{
  CxrImageFilter filter = gtk_drop_down_get_selected (dropdown);

  gtk_widget_set_visible (GTK_WIDGET (self->iou_spin), filter == CXR_IMAGE_FILTER_IOU_BELOW);
  if (self->model != NULL)
    cxr_image_list_model_set_filter (self->model, filter);
  update_count (self);
}

static void
on_iou_changed (GtkSpinButton *spin, CxrImageList *self)
{
  if (self->model != NULL)
    cxr_image_list_model_set_iou_below (self->model, gtk_spin_button_get_value (spin));
}

static void
on_stop_search (GtkSearchEntry *entry, CxrImageList *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* ---- public ------------------------------------------------------------- */

void
cxr_image_list_set_model (CxrImageList *self, CxrImageListModel *model)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST (self));

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_set_object (&self->model, model);
  gtk_revealer_set_reveal_child (self->subset_revealer, FALSE);

  if (model != NULL)
    {
      cxr_image_list_model_set_filter (model, gtk_drop_down_get_selected (self->filter_dropdown));
      cxr_image_list_model_set_iou_below (model, gtk_spin_button_get_value (self->iou_spin));
      cxr_image_list_model_set_search (model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      /* After the selection model, so that it has seen the change when we fix the selection. */
      g_signal_connect_after (model, "items-changed", G_CALLBACK (on_items_changed), self);
    }

  g_signal_handlers_block_by_func (self->selection, on_selection_changed, self);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (model));
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_handlers_unblock_by_func (self->selection, on_selection_changed, self);
  set_selected_index (self, G_MAXUINT);
  update_count (self);
}

CxrImageListModel *
cxr_image_list_get_model (CxrImageList *self)
{
  return self->model;
}

guint
cxr_image_list_get_selected_index (CxrImageList *self)
{
  return self->selected_index;
}

static gboolean
rows_have_focus (CxrImageList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  return focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view));
}

/* The list view's row widget (the parent of our CxrImageRow) showing dataset entry @index, if it exists yet. */
static GtkWidget *
find_row_widget (CxrImageList *self, guint index)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      if (!CXR_IS_IMAGE_ROW (row))
        continue;
      CxrImageItem *item = cxr_image_row_get_item (CXR_IMAGE_ROW (row));
      if (item != NULL && cxr_image_item_get_index (item) == index && gtk_widget_get_child_visible (child))
        return child;
    }
  return NULL;
}

/* The keyboard focus follows the selection while it is in the rows: the list's own keys (the arrows, Home, End)
 * move from the focused row, so a focus left behind on another row made them jump back. */
static void
focus_selected_row (CxrImageList *self)
{
  if (!rows_have_focus (self) || self->selected_index == G_MAXUINT)
    return;
  GtkWidget *row = find_row_widget (self, self->selected_index);
  if (row != NULL)
    gtk_widget_grab_focus (row);
}

static void
scroll_to (CxrImageList *self, guint position)
{
  /* GTK 4.8 has no gtk_list_view_scroll_to; activating the row's position through the "list.scroll-to-item"
   * action does the same. */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

gboolean
cxr_image_list_select_index (CxrImageList *self, guint index)
{
  g_return_val_if_fail (CXR_IS_IMAGE_LIST (self), FALSE);

  if (self->model == NULL)
    return FALSE;
  guint position = cxr_image_list_model_find_entry (self->model, index);
  if (position == G_MAXUINT)
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  scroll_to (self, position);
  set_selected_index (self, index);
  focus_selected_row (self);
  return TRUE;
}

gboolean
cxr_image_list_move_selection (CxrImageList *self, int delta)
{
  g_return_val_if_fail (CXR_IS_IMAGE_LIST (self), FALSE);

  if (self->model == NULL)
    return FALSE;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  if (n == 0)
    return FALSE;

  guint position = gtk_single_selection_get_selected (self->selection);
  gint64 target;
  if (position == GTK_INVALID_LIST_POSITION)
    {
      /* The image on screen is filtered out: continue from where it would be. */
      target = delta > 0 ? 0 : (gint64) n - 1;
      for (guint i = 0; i < n; i++)
        if (cxr_image_list_model_get_entry (self->model, i) > self->selected_index
            && self->selected_index != G_MAXUINT)
          {
            target = delta > 0 ? i : (gint64) i - 1;
            break;
          }
    }
  else
    target = (gint64) position + delta;

  target = CLAMP (target, 0, (gint64) n - 1);
  if (position != GTK_INVALID_LIST_POSITION && (guint) target == position)
    return FALSE;
  return cxr_image_list_select_index (self, cxr_image_list_model_get_entry (self->model, (guint) target));
}

void
cxr_image_list_focus_search (CxrImageList *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
cxr_image_list_focus_rows (CxrImageList *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

void
cxr_image_list_set_filter (CxrImageList *self, CxrImageFilter filter)
{
  gtk_drop_down_set_selected (self->filter_dropdown, filter);
}

void
cxr_image_list_show_subset (CxrImageList *self, GArray *entries, const char *title)
{
  g_return_if_fail (CXR_IS_IMAGE_LIST (self));

  gtk_revealer_set_reveal_child (self->subset_revealer, entries != NULL);
  gtk_label_set_label (self->subset_label, title ? title : "");
  if (self->model == NULL)
    return;
  if (entries != NULL)
    {
      gtk_drop_down_set_selected (self->filter_dropdown, CXR_IMAGE_FILTER_ALL);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      cxr_image_list_model_set_search (self->model, "");
    }
  cxr_image_list_model_set_subset (self->model, entries);
  if (entries != NULL && entries->len > 0)
    cxr_image_list_select_index (self, g_array_index (entries, guint, 0));
}

static void
on_subset_closed (CxrImageList *self)
{
  cxr_image_list_show_subset (self, NULL, NULL);
}

static void
cxr_image_list_dispose (GObject *object)
{
  CxrImageList *self = CXR_IMAGE_LIST (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_IMAGE_LIST);
  /* The template's root box is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cxr_image_list_parent_class)->dispose (object);
}

static void
cxr_image_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrImageList *self = CXR_IMAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_INDEX:
      g_value_set_uint (value, self->selected_index);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_image_list_class_init (CxrImageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_image_list_dispose;
  object_class->get_property = cxr_image_list_get_property;

  properties[PROP_SELECTED_INDEX] =
    g_param_spec_uint ("selected-index", NULL, NULL, 0, G_MAXUINT, G_MAXUINT,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-image-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, iou_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, list_view);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, count_label);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, show_all_button);
  gtk_widget_class_bind_template_callback (widget_class, on_show_all);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, subset_revealer);
  gtk_widget_class_bind_template_child (widget_class, CxrImageList, subset_label);
  gtk_widget_class_bind_template_callback (widget_class, on_subset_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_iou_changed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "imagelist");
}

static void
cxr_image_list_init (CxrImageList *self)
{
  self->selected_index = G_MAXUINT;
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  gtk_search_entry_set_key_capture_widget (self->search_entry, NULL);

  /* Space in the rows marks the image reviewed. The rows bind Space to "select this row" themselves, so the
   * window's shortcut would never see it: this one acts first, in the capture phase, and only in the rows (the
   * search entry is outside them and keeps its spaces). */
  GtkEventController *space = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (space, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (space),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_named_action_new ("win.toggle-reviewed")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), space);
}

GtkWidget *
cxr_image_list_new (void)
{
  return g_object_new (CXR_TYPE_IMAGE_LIST, NULL);
}
