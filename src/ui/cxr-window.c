/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window.c: builds the review window and wires its parts together.
 *
 * The list says which image; CxrCurrentImage loads and explains it into the shared pane content; the sidebar
 * shows the answer and feeds the threshold, method, layer and colormap back. Opening files lives in
 * cxr-window-open.c, actions in cxr-window-actions.c, "run on all" in cxr-window-run.c.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-finding-names.h"
#include "cxr-settings.h"
#include "cxr-image-item.h"
#include "cxr-window-private.h"

/* Review flags are saved this long after the last change, so that marking many images in a row writes once. */
#define REVIEW_SAVE_DELAY_MS 1000

G_DEFINE_FINAL_TYPE (CxrWindow, cxr_window, ADW_TYPE_APPLICATION_WINDOW)

void
_cxr_window_toast (CxrWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_cxr_window_busy_push (CxrWindow *self)
{
  if (self->n_jobs++ == 0)
    gtk_spinner_start (self->busy_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), TRUE);
}

void
_cxr_window_busy_pop (CxrWindow *self)
{
  g_return_if_fail (self->n_jobs > 0);
  if (--self->n_jobs == 0)
    {
      gtk_spinner_stop (self->busy_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), FALSE);
    }
}

void
_cxr_window_update_title (CxrWindow *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  g_autofree char *dataset_name = self->dataset ? g_path_get_basename (cxr_dataset_get_folder (self->dataset)) : NULL;
  g_autofree char *model_name = model ? g_path_get_basename (cxr_model_get_path (model)) : NULL;

  /* Unsaved box edits show as gnome-text-editor shows them: a dot before the name. */
  g_autofree char *title = g_strdup_printf ("%s%s", _cxr_window_boxes_is_dirty (self) ? "• " : "",
                                            dataset_name ? dataset_name : _("cxrcam"));
  adw_window_title_set_title (self->window_title, title);
  /* The same title for the window list and Alt+Tab. */
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (model_name != NULL)
    adw_window_title_set_subtitle (self->window_title, model_name);
  else if (self->dataset != NULL)
    adw_window_title_set_subtitle (self->window_title, _("No model"));
  else
    adw_window_title_set_subtitle (self->window_title, NULL);
  _cxr_window_update_model_button (self);
}

/* ---- the image on screen ------------------------------------------------- */

const char *
_cxr_window_current_name (CxrWindow *self, guint *index)
{
  *index = cxr_current_image_get_index (self->current);
  if (self->dataset == NULL || *index == G_MAXUINT)
    return NULL;
  return cxr_dataset_get_entry (self->dataset, *index)->name;
}

gboolean
_cxr_window_focus_takes_text (CxrWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  return focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus));
}

void
_cxr_window_update_image_info (CxrWindow *self)
{
  guint index = cxr_current_image_get_index (self->current);
  if (self->dataset == NULL || index == G_MAXUINT)
    {
      cxr_cam_controls_set_image_info (self->cam_controls, NULL, NULL, NULL);
      return;
    }

  const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, index);
  g_autofree char *findings = cxr_finding_format_titles (entry->findings);
  g_autoptr (GString) details = g_string_new (NULL);
  if (entry->patient_id != 0)
    /* Translators: the NIH patient number */
    g_string_append_printf (details, _("Patient %u"), entry->patient_id);
  if (entry->age >= 0)
    {
      if (details->len)
        g_string_append (details, " · ");
      /* Translators: the patient's age in years */
      g_string_append_printf (details, _("%d years"), entry->age);
    }
  if (entry->sex == 'M' || entry->sex == 'F')
    {
      if (details->len)
        g_string_append (details, " · ");
      g_string_append (details, entry->sex == 'M' ? C_("sex", "male") : C_("sex", "female"));
    }
  if (entry->view[0])
    {
      if (details->len)
        g_string_append (details, " · ");
      g_string_append (details, entry->view);
    }
  _cxr_window_privacy_append_patient (self, details);
  g_autofree char *anonymous = _cxr_window_privacy_anonymous (self) ? cxr_image_anonymous_name (entry->name) : NULL;
  cxr_cam_controls_set_image_info (self->cam_controls, anonymous != NULL ? anonymous : entry->name, findings,
                                   details->str);
}

static void
update_prediction (CxrWindow *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  double probability = cxr_current_image_get_probability (self->current);
  const char *positive_name = NULL;
  const char *predicted = NULL;

  if (model != NULL)
    {
      /* The probability is the class the heatmap explains (the card's positive one until a result says). */
      const CxrModelCard *card = cxr_model_get_card (model);
      int target = cxr_current_image_get_target_class (self->current);
      if (target < 0 || (guint) target >= card->n_classes)
        target = (int) card->positive_class;
      positive_name = card->class_names[target];
      if (!isnan (probability))
        {
          /* The class when it wins, else the other class of a two-class head, else "not <class>". */
          if (probability >= 0.5)
            predicted = positive_name;
          else if (card->n_classes == 2)
            predicted = card->class_names[1 - target];
        }
    }
  g_autofree char *negative = NULL;
  if (predicted == NULL && !isnan (probability) && positive_name != NULL)
    /* Translators: the model's decision when it has no name for the negative class */
    predicted = negative = g_strdup_printf (_("Not %s"), positive_name);
  cxr_cam_controls_set_prediction (self->cam_controls, positive_name, probability, predicted);
  cxr_cam_controls_set_localisation (self->cam_controls, cxr_current_image_get_iou (self->current),
                                     cxr_current_image_get_iobb (self->current));
}

/* The panes, or what to do when there is no image to put in them. */
static void
update_view_stack (CxrWindow *self)
{
  gboolean shown = cxr_current_image_get_index (self->current) != G_MAXUINT;
  gtk_stack_set_visible_child_name (self->view_stack, shown || self->dataset == NULL ? "panes" : "no-image");
  if (shown || self->dataset == NULL)
    return;
  if (self->list_model == NULL || cxr_image_list_model_get_n_images (self->list_model) == 0)
    {
      adw_status_page_set_title (self->no_image_page, _("No Images in This Folder"));
      adw_status_page_set_description (self->no_image_page,
                                       _("cxrcam reads PNG and JPEG chest X-rays from the folder or its images/ "
                                         "folder, as the NIH dataset has them. Open another folder (Ctrl+O)."));
    }
  else
    {
      adw_status_page_set_title (self->no_image_page, _("No Image Selected"));
      adw_status_page_set_description (self->no_image_page,
                                       _("No image passes the filter or the search. “Show All Images” in the "
                                         "list brings them back."));
    }
}

static void
on_current_index (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  update_view_stack (self);
  _cxr_window_update_image_info (self);
  update_prediction (self);
  _cxr_window_review_update (self);
  _cxr_window_actions_update (self);
}

/* A dataset's first image is decoded before the list's thumbnails: on two cores, two thumbnail workers beside it
 * (a decoder process each, for DICOM) once made it wait for dozens of previews. */
static void
hold_thumbnails (CxrWindow *self, gboolean hold)
{
  if (hold == self->thumbnails_held || self->thumbnailer == NULL)
    return;
  self->thumbnails_held = hold;
  if (hold)
    cxr_thumbnailer_hold (self->thumbnailer);
  else
    cxr_thumbnailer_release (self->thumbnailer);
}

static void
on_current_busy (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  if (!cxr_current_image_get_loading (current))
    hold_thumbnails (self, FALSE);

  /* One spinner turn per image at most: loading and analysing overlap. */
  gboolean busy = cxr_current_image_get_loading (current) || cxr_current_image_get_analysing (current);
  if (busy == self->current_busy)
    return;
  self->current_busy = busy;
  if (busy)
    _cxr_window_busy_push (self);
  else
    _cxr_window_busy_pop (self);
}

static void
on_current_error (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  const char *error = cxr_current_image_get_error (current);
  if (error != NULL)
    _cxr_window_toast (self, error);
}

static void
on_selected_index (CxrImageList *list, GParamSpec *pspec, CxrWindow *self)
{
  guint index = cxr_image_list_get_selected_index (list);
  if (index != cxr_current_image_get_index (self->current))
    {
      _cxr_window_target_for_image (self, index);
      cxr_current_image_show (self->current, index);
    }
}

/* ---- sidebar -> current image --------------------------------------------- */

static void
on_threshold_changed (GtkAdjustment *adjustment, CxrWindow *self)
{
  cxr_current_image_set_threshold (self->current, gtk_adjustment_get_value (adjustment));
  _cxr_window_threshold_changed (self);
}

static void
on_method_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  cxr_current_image_set_method (self->current, cxr_cam_controls_get_method (controls));
}

static void
on_layer_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  cxr_current_image_set_layer (self->current, cxr_cam_controls_get_layer (controls));
}

static void
on_smoothing_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  cxr_cam_controls_get_options (controls, &options);
  cxr_current_image_set_smoothing (self->current, options.aug_smooth, options.eigen_smooth);
}

static void
on_colormap_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  cxr_current_image_set_colormap (self->current, cxr_colormap_from_id (cxr_cam_controls_get_colormap (controls)));
}

/* ---- dataset and model --------------------------------------------------- */

static gboolean
save_review (gpointer data)
{
  CxrWindow *self = data;
  g_autoptr (GError) error = NULL;

  self->review_save_source = 0;
  if (self->review != NULL && cxr_review_is_dirty (self->review) && !cxr_review_save (self->review, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the review flags: %s"), error->message);
      _cxr_window_toast (self, message);
    }
  return G_SOURCE_REMOVE;
}

static void
flush_review (CxrWindow *self)
{
  if (self->review_save_source != 0)
    {
      g_source_remove (self->review_save_source);
      save_review (self);
    }
}

void
_cxr_window_review_touched (CxrWindow *self, guint index)
{
  cxr_image_list_model_review_changed (self->list_model, index);
  _cxr_window_review_update (self);
  _cxr_window_actions_update (self);

  if (self->review_save_source != 0)
    g_source_remove (self->review_save_source);
  self->review_save_source = g_timeout_add (REVIEW_SAVE_DELAY_MS, save_review, self);
}

void
_cxr_window_toggle_reviewed (CxrWindow *self)
{
  guint index = cxr_current_image_get_index (self->current);
  if (self->review == NULL || index == G_MAXUINT)
    return;

  const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, index);
  CxrReviewEntry review;
  gboolean reviewed = cxr_review_lookup (self->review, entry->name, &review) && review.reviewed;
  cxr_review_set_reviewed (self->review, entry->name, !reviewed);
  _cxr_window_review_touched (self, index);
}

void
_cxr_window_set_dataset (CxrWindow *self, CxrDataset *dataset, CxrReview *review)
{
  _cxr_window_cancel_run (self);
  _cxr_window_forget_run (self);
  flush_review (self);

  g_set_object (&self->dataset, dataset);
  g_set_object (&self->review, review);
  g_clear_object (&self->results);
  g_clear_object (&self->list_model);

  if (dataset != NULL)
    {
      self->results = cxr_results_new (cxr_dataset_get_n_entries (dataset));
      self->list_model = cxr_image_list_model_new (dataset, self->results, review, self->thumbnailer);
      cxr_image_list_model_set_anonymous (self->list_model, _cxr_window_privacy_anonymous (self));
    }
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  _cxr_window_target_forget (self, model);
  cxr_current_image_set_dataset (self->current, dataset, self->results);
  /* Before the list has rows: binding them asks for their thumbnails. */
  hold_thumbnails (self, self->list_model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->list_model)) > 0);
  cxr_image_list_set_model (self->image_list, self->list_model);
  gtk_stack_set_visible_child_name (self->stack, dataset ? "review" : "empty");

  /* Start on the first image, so that the panes are never empty for nothing, with the keys going to the list. */
  if (self->list_model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->list_model)) > 0)
    {
      cxr_image_list_select_index (self->image_list, cxr_image_list_model_get_entry (self->list_model, 0));
      /* Released when it is on screen, or now when there is nothing to load. */
      if (!cxr_current_image_get_loading (self->current))
        hold_thumbnails (self, FALSE);
    }
  if (dataset != NULL)
    cxr_image_list_focus_rows (self->image_list);

  _cxr_window_boxes_attach_store (self);
  _cxr_window_save_store_changed (self);
  _cxr_window_update_title (self);
  _cxr_window_review_update (self);
  update_view_stack (self);
  _cxr_window_actions_update (self);
  _cxr_window_training_sync (self);
  _cxr_window_eval_cancel (self);
  _cxr_window_eval_refresh (self);
  _cxr_window_compare_cancel (self);
  _cxr_window_compare_refresh (self);
}

void
_cxr_window_model_changed (CxrWindow *self, CxrModel *model)
{
  _cxr_window_cancel_run (self);
  _cxr_window_forget_run (self);
  if (self->results != NULL)
    cxr_results_clear (self->results);
  _cxr_window_target_forget (self, model);
  cxr_current_image_reanalyse (self->current);
  _cxr_window_update_title (self);
  update_prediction (self);
  _cxr_window_actions_update (self);
  _cxr_window_training_model_changed (self);
  _cxr_window_eval_cancel (self);
  _cxr_window_eval_refresh (self);
  _cxr_window_compare_cancel (self);
  _cxr_window_compare_refresh (self);
}

/* ---- window state -------------------------------------------------------- */

static void
close_again (CxrWindow *self, gpointer unused)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
cxr_window_close_request (GtkWindow *window)
{
  CxrWindow *self = CXR_WINDOW (window);
  int width, height;

  /* Unsaved box edits: save, discard or stay. */
  if (_cxr_window_save_close_request (self))
    return TRUE;

  /* A run or an export is going: ask first; the window closes once the job has stopped with whole files. */
  if (_cxr_window_is_running (self))
    {
      _cxr_window_stop_work_then (self, _("Stop and _Close"), close_again, NULL, NULL);
      return TRUE;
    }

  if (_cxr_window_training_close_request (self))
    return TRUE;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_set_int (self->settings, "list-width", gtk_paned_get_position (self->main_paned));

  /* Closing cancels the window's jobs; review flags are written now rather than lost. */
  _cxr_window_cancel_run (self);
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  cxr_current_image_show (self->current, G_MAXUINT);
  flush_review (self);

  return GTK_WINDOW_CLASS (cxr_window_parent_class)->close_request (window);
}

static void
bind_settings (CxrWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  gtk_paned_set_position (self->main_paned, g_settings_get_int (self->settings, "list-width"));

  g_settings_bind (self->settings, "cam-threshold", cxr_cam_controls_get_threshold_adjustment (self->cam_controls),
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cam-method", self->cam_controls, "method", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cam-layer", self->cam_controls, "layer", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "cam-smoothing", self->cam_controls, "smoothing", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "colormap", self->cam_controls, "colormap", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "overlay-opacity", cxr_compare_view_get_view_state (self->compare_view),
                   "overlay-opacity", G_SETTINGS_BIND_DEFAULT);
}

static void
cxr_window_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GTK_WIDGET_CLASS (cxr_window_parent_class)->size_allocate (widget, width, height, baseline);
  _cxr_window_layout_size_changed (CXR_WINDOW (widget));
}

static void
cxr_window_dispose (GObject *object)
{
  CxrWindow *self = CXR_WINDOW (object);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_handle_id (&self->review_save_source, g_source_remove);
  g_clear_handle_id (&self->layout_source, g_source_remove);
  g_clear_handle_id (&self->export_poll_source, g_source_remove);
  if (self->after_stop_free != NULL)
    self->after_stop_free (self->after_stop_data);
  self->after_stop = NULL;
  self->after_stop_free = NULL;
  _cxr_window_forget_run (self);
  if (self->summary_dialog != NULL)
    gtk_window_destroy (self->summary_dialog);
  if (self->eval_cancellable != NULL)
    g_cancellable_cancel (self->eval_cancellable);
  g_clear_object (&self->eval_cancellable);
  if (self->compare_cancellable != NULL)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  if (self->train_window != NULL)
    gtk_window_destroy (self->train_window);

  /* The settings' own actions follow the settings from outside the window: drop them with it. */
  g_action_map_remove_action (G_ACTION_MAP (self), "show-list");
  g_action_map_remove_action (G_ACTION_MAP (self), "show-controls");
  /* Jobs of the image on screen may still report to it (they hold it); the window must not hear them. */
  if (self->current != NULL)
    g_signal_handlers_disconnect_by_data (self->current, self);
  _cxr_window_save_dispose (self);
  _cxr_window_boxes_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_WINDOW);
  g_clear_pointer (&self->targets, g_hash_table_unref);

  g_clear_object (&self->window_level);
  _cxr_window_ctr_dispose (self);
  _cxr_window_lines_dispose (self);
  _cxr_window_privacy_dispose (self);
  g_clear_object (&self->current);
  g_clear_object (&self->list_model);
  g_clear_object (&self->results);
  g_clear_object (&self->review);
  g_clear_object (&self->dataset);
  g_clear_object (&self->content);
  g_clear_object (&self->second_content);
  hold_thumbnails (self, FALSE);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->run_cancellable);

  G_OBJECT_CLASS (cxr_window_parent_class)->dispose (object);
}

static void
cxr_window_class_init (CxrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cxr_window_dispose;
  window_class->close_request = cxr_window_close_request;
  widget_class->size_allocate = cxr_window_size_allocate;

  g_type_ensure (CXR_TYPE_IMAGE_LIST);
  g_type_ensure (CXR_TYPE_COMPARE_VIEW);
  g_type_ensure (CXR_TYPE_CAM_CONTROLS);
  g_type_ensure (CXR_TYPE_REVIEW_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, open_menu_button);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, model_button);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, main_paned);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, image_list);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, compare_view);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, no_image_page);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, cam_controls);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, review_panel);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, controls_revealer);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CxrWindow, recent_menu);

  _cxr_window_class_actions_init (klass);
}

static void
cxr_window_init (CxrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gboolean settings_remembered;
  self->settings = cxr_settings_new (&settings_remembered);
  self->engine = cxr_engine_new ();
  /* Rows show 64-pixel thumbnails; 128 keeps them sharp on a 2x display and small in memory. */
  self->thumbnailer = cxr_thumbnailer_new (NULL, 128);
  self->content = cxr_pane_content_new ();
  self->current = cxr_current_image_new (self->engine, self->content);
  cxr_compare_view_set_content (self->compare_view, self->content);
  cxr_cam_controls_set_view_state (self->cam_controls, cxr_compare_view_get_view_state (self->compare_view));
  self->window_level = cxr_window_level_new (self->content, cxr_compare_view_get_view_state (self->compare_view),
                                             self->cam_controls);

  /* The actions exist before anything below can update them: binding the settings already notifies. */
  _cxr_window_actions_init (self);
  _cxr_window_privacy_init (self);
  _cxr_window_ctr_init (self);     /* its gestures go before the line tool's and the box editor's */
  _cxr_window_lines_init (self);   /* ... before the box editor's */
  _cxr_window_boxes_init (self);
  _cxr_window_lines_watch_boxes (self);
  _cxr_window_save_init (self);
  _cxr_window_layout_init (self);
  _cxr_window_review_init (self);
  _cxr_window_target_init (self);

  g_signal_connect (self->image_list, "notify::selected-index", G_CALLBACK (on_selected_index), self);
  g_signal_connect (self->current, "notify::index", G_CALLBACK (on_current_index), self);
  g_signal_connect (self->current, "notify::probability", G_CALLBACK (on_current_index), self);
  g_signal_connect (self->current, "notify::iou", G_CALLBACK (on_current_index), self);
  g_signal_connect (self->current, "notify::loading", G_CALLBACK (on_current_busy), self);
  g_signal_connect (self->current, "notify::analysing", G_CALLBACK (on_current_busy), self);
  g_signal_connect (self->current, "notify::error", G_CALLBACK (on_current_error), self);

  GtkAdjustment *threshold = cxr_cam_controls_get_threshold_adjustment (self->cam_controls);
  g_signal_connect (threshold, "value-changed", G_CALLBACK (on_threshold_changed), self);
  g_signal_connect (self->cam_controls, "notify::method", G_CALLBACK (on_method_changed), self);
  g_signal_connect (self->cam_controls, "notify::layer", G_CALLBACK (on_layer_changed), self);
  g_signal_connect (self->cam_controls, "notify::smoothing", G_CALLBACK (on_smoothing_changed), self);
  g_signal_connect (self->cam_controls, "notify::colormap", G_CALLBACK (on_colormap_changed), self);

  bind_settings (self);
  cxr_current_image_set_threshold (self->current, gtk_adjustment_get_value (threshold));
  on_method_changed (self->cam_controls, NULL, self);
  on_layer_changed (self->cam_controls, NULL, self);
  on_smoothing_changed (self->cam_controls, NULL, self);
  on_colormap_changed (self->cam_controls, NULL, self);
  _cxr_window_side_by_side_init (self);

  _cxr_window_open_init (self);
  _cxr_window_update_title (self);
  _cxr_window_actions_update (self);
  if (!settings_remembered)
    {
      g_message ("No settings schema %s with this version's keys is installed (the install step compiles them: "
                 "glib-compile-schemas PREFIX/share/glib-2.0/schemas); running with the default settings, which "
                 "are not saved", APPLICATION_ID);
      AdwToast *toast = adw_toast_new (_("No settings schema is installed: cxrcam runs with its defaults and "
                                         "forgets changes"));
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

CxrWindow *
cxr_window_new (CxrApplication *app)
{
  return g_object_new (CXR_TYPE_WINDOW, "application", app, NULL);
}
