/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-controls.c: the Grad-CAM and display sidebar. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cxr-cam-controls.h"
#include "cxr-cam.h"
#include "cxr-colormap.h"
#include "cxr-finding-names.h"
#include "cxr-method-titles.h"

/* In the order of the method row's items (cxr-cam-controls.ui); the ids are the settings' nicks, which
 * cxr_cam_method_from_name reads. */
static const char *const method_ids[] = { "grad-cam", "grad-cam++", "hirescam", "gradcam-elementwise", "xgradcam",
                                          "layercam", "eigencam", "eigengradcam", "scorecam", "ablationcam" };
static const char *const smoothing_ids[] = { "none", "aug", "eigen", "both" };
/* The Compare with row: off, then the methods in the Method row's order. */
static const char *const compare_ids[] = { "none", "grad-cam", "grad-cam++", "hirescam", "gradcam-elementwise",
                                           "xgradcam", "layercam", "eigencam", "eigengradcam", "scorecam",
                                           "ablationcam" };

struct _CxrCamControls {
  GtkWidget parent_instance;

  /* template widgets */
  GtkLabel *image_name_label;
  GtkLabel *image_findings_label;
  GtkLabel *image_details_label;
  AdwActionRow *probability_row;
  GtkLabel *probability_label;
  GtkLabel *predicted_label;
  GtkLabel *iou_label;
  GtkLabel *iobb_label;
  AdwComboRow *method_row;
  AdwComboRow *layer_row;
  AdwComboRow *smoothing_row;
  AdwComboRow *compare_row;
  AdwComboRow *target_row;
  AdwComboRow *colormap_row;
  GtkAdjustment *threshold_adjustment;
  GtkAdjustment *opacity_adjustment;
  GtkAdjustment *window_center_adjustment;
  GtkAdjustment *window_width_adjustment;
  AdwComboRow *preset_row;
  GtkSpinButton *level_spin;
  GtkSpinButton *window_spin;
  GtkSwitch *invert_switch;
  GArray *presets;            /* WindowPreset: the preset row's entries before Custom */

  /* owned */
  CxrViewState *view_state;
  GPtrArray *view_bindings;   /* GBinding, borrowed from their objects; unbound when the view state changes */
};

G_DEFINE_FINAL_TYPE (CxrCamControls, cxr_cam_controls, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_METHOD,
  PROP_LAYER,
  PROP_SMOOTHING,
  PROP_COMPARE_METHOD,
  PROP_TARGET,
  PROP_COLORMAP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
find_id (const char *const *ids, guint n, const char *id)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], id) == 0)
      return i;
  return 0;
}

GtkAdjustment *
cxr_cam_controls_get_threshold_adjustment (CxrCamControls *self)
{
  return self->threshold_adjustment;
}

double
cxr_cam_controls_get_threshold (CxrCamControls *self)
{
  return gtk_adjustment_get_value (self->threshold_adjustment);
}

void
cxr_cam_controls_set_threshold (CxrCamControls *self, double threshold)
{
  gtk_adjustment_set_value (self->threshold_adjustment, threshold);
}

const char *
cxr_cam_controls_get_method (CxrCamControls *self)
{
  guint selected = adw_combo_row_get_selected (self->method_row);
  return method_ids[MIN (selected, G_N_ELEMENTS (method_ids) - 1)];
}

const char *
cxr_cam_controls_method_id (CxrCamMethod method)
{
  /* The row's items are in the CxrCamMethod order. */
  return method_ids[MIN ((guint) method, G_N_ELEMENTS (method_ids) - 1)];
}

void
cxr_cam_controls_set_method (CxrCamControls *self, const char *method)
{
  adw_combo_row_set_selected (self->method_row, find_id (method_ids, G_N_ELEMENTS (method_ids), method));
}

const char *
cxr_cam_controls_get_layer (CxrCamControls *self)
{
  guint selected = adw_combo_row_get_selected (self->layer_row);
  return cxr_layer_choices[MIN (selected, CXR_N_LAYER_CHOICES - 1)];
}

void
cxr_cam_controls_set_layer (CxrCamControls *self, const char *layer)
{
  adw_combo_row_set_selected (self->layer_row, find_id (cxr_layer_choices, CXR_N_LAYER_CHOICES, layer));
}

const char *
cxr_cam_controls_get_smoothing (CxrCamControls *self)
{
  guint selected = adw_combo_row_get_selected (self->smoothing_row);
  return smoothing_ids[MIN (selected, G_N_ELEMENTS (smoothing_ids) - 1)];
}

void
cxr_cam_controls_set_smoothing (CxrCamControls *self, const char *smoothing)
{
  adw_combo_row_set_selected (self->smoothing_row, find_id (smoothing_ids, G_N_ELEMENTS (smoothing_ids), smoothing));
}

const char *
cxr_cam_controls_get_compare_method (CxrCamControls *self)
{
  guint selected = adw_combo_row_get_selected (self->compare_row);
  return compare_ids[MIN (selected, G_N_ELEMENTS (compare_ids) - 1)];
}

void
cxr_cam_controls_set_compare_method (CxrCamControls *self, const char *method)
{
  adw_combo_row_set_selected (self->compare_row, find_id (compare_ids, G_N_ELEMENTS (compare_ids), method));
}

void
cxr_cam_controls_get_options (CxrCamControls *self, CxrCamOptions *options)
{
  if (!cxr_cam_method_from_name (cxr_cam_controls_get_method (self), &options->method, NULL))
    options->method = CXR_CAM_METHOD_GRADCAM;
  options->layer = cxr_cam_controls_get_layer (self);
  const char *smoothing = cxr_cam_controls_get_smoothing (self);
  options->aug_smooth = g_str_equal (smoothing, "aug") || g_str_equal (smoothing, "both");
  options->eigen_smooth = g_str_equal (smoothing, "eigen") || g_str_equal (smoothing, "both");
}

/* The card's class names as people read them: NIH labels translated, other names as the card has them. */
void
cxr_cam_controls_set_classes (CxrCamControls *self, const char *const *class_names)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  guint n = class_names != NULL ? g_strv_length ((GStrv) class_names) : 0;
  g_autoptr (GtkStringList) items = gtk_string_list_new (NULL);
  /* Translators: the first choice of the target class: the class the model gives the highest probability */
  gtk_string_list_append (items, _("Model's top class"));
  for (guint i = 0; i < n; i++)
    {
      const char *title = cxr_finding_get_title (cxr_finding_from_name (class_names[i], -1));
      gtk_string_list_append (items, title != NULL ? title : class_names[i]);
    }
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (items));
  adw_combo_row_set_selected (self->target_row, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->target_row), n >= 2);
}

int
cxr_cam_controls_get_target (CxrCamControls *self)
{
  guint selected = adw_combo_row_get_selected (self->target_row);
  return selected == 0 || selected == GTK_INVALID_LIST_POSITION ? CXR_CAM_TARGET_TOP : (int) selected - 1;
}

void
cxr_cam_controls_set_target (CxrCamControls *self, int target)
{
  GListModel *items = adw_combo_row_get_model (self->target_row);
  guint position = target >= 0 ? (guint) target + 1 : 0;
  if (items == NULL || position >= g_list_model_get_n_items (items))
    position = 0;
  adw_combo_row_set_selected (self->target_row, position);
}

const char *
cxr_cam_controls_get_colormap (CxrCamControls *self)
{
  return cxr_colormap_get_id (MIN (adw_combo_row_get_selected (self->colormap_row), CXR_N_COLORMAPS - 1));
}

void
cxr_cam_controls_set_colormap (CxrCamControls *self, const char *colormap)
{
  adw_combo_row_set_selected (self->colormap_row, cxr_colormap_from_id (colormap));
}

static void
on_combo_selected (AdwComboRow *row, GParamSpec *pspec, CxrCamControls *self)
{
  if (row == self->method_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METHOD]);
  else if (row == self->layer_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYER]);
  else if (row == self->smoothing_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
  else if (row == self->compare_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARE_METHOD]);
  else if (row == self->target_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
  else if (row == self->colormap_row)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

static void
unbind_view_state (CxrCamControls *self)
{
  for (guint i = 0; i < self->view_bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->view_bindings, i));
  g_ptr_array_set_size (self->view_bindings, 0);
}

static void on_range_changed     (CxrViewState *view_state, CxrCamControls *self);
static void on_use_table_changed (CxrViewState *view_state, GParamSpec *pspec, CxrCamControls *self);

void
cxr_cam_controls_set_view_state (CxrCamControls *self, CxrViewState *view_state)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  unbind_view_state (self);
  if (self->view_state != NULL)
    g_signal_handlers_disconnect_by_data (self->view_state, self);
  g_set_object (&self->view_state, view_state);
  if (view_state == NULL)
    return;
  g_signal_connect (view_state, "range-changed", G_CALLBACK (on_range_changed), self);
  g_signal_connect (view_state, "notify::use-table", G_CALLBACK (on_use_table_changed), self);
  on_range_changed (view_state, self);

  GBindingFlags flags = G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE;
  g_ptr_array_add (self->view_bindings, g_object_bind_property (view_state, "overlay-opacity",
                                                                self->opacity_adjustment, "value", flags));
  g_ptr_array_add (self->view_bindings, g_object_bind_property (view_state, "window-center",
                                                                self->window_center_adjustment, "value", flags));
  g_ptr_array_add (self->view_bindings, g_object_bind_property (view_state, "window-width",
                                                                self->window_width_adjustment, "value", flags));
  g_ptr_array_add (self->view_bindings, g_object_bind_property (view_state, "invert",
                                                                self->invert_switch, "active", flags));
}

/* Window presets for 8-bit chest radiographs (the NIH PNGs were windowed once already, when exported from
 * DICOM, so CT's Hounsfield presets mean nothing here). Measured on 40 NIH images: the lung fields' middle 90% of
 * gray values lie between 68 and 180, the mediastinum's between 144 and 212 (medians over the images). A DICOM
 * image brings its own presets instead (cxr_cam_controls_set_dicom). */
typedef struct {
  double level;
  double window;
  gboolean table;   /* the file's VOI LUT (level and window: the range it maps) */
} WindowPreset;

static const WindowPreset window_presets[] = {
  { 127.5, 255.0, FALSE },   /* full range */
  { 125.0, 120.0, FALSE },   /* lung: gray 65 to 185 */
  { 180.0, 80.0, FALSE },    /* mediastinum: gray 140 to 220 */
};

static void
on_preset_selected (AdwComboRow *row, GParamSpec *pspec, CxrCamControls *self)
{
  guint preset = adw_combo_row_get_selected (row);
  if (preset >= self->presets->len)
    return;
  const WindowPreset *p = &g_array_index (self->presets, WindowPreset, preset);
  gtk_adjustment_set_value (self->window_center_adjustment, p->level);
  gtk_adjustment_set_value (self->window_width_adjustment, p->window);
  if (p->table && self->view_state != NULL)
    cxr_view_state_set_use_table (self->view_state, TRUE);
}

/* The preset row names the preset the numbers match, or says Custom. */
static void
on_window_changed (GtkAdjustment *adjustment, CxrCamControls *self)
{
  double level = gtk_adjustment_get_value (self->window_center_adjustment);
  double window = gtk_adjustment_get_value (self->window_width_adjustment);
  gboolean table = self->view_state != NULL && cxr_view_state_get_use_table (self->view_state);
  guint preset = self->presets->len;
  for (guint i = 0; i < self->presets->len; i++)
    {
      const WindowPreset *p = &g_array_index (self->presets, WindowPreset, i);
      if (p->table == table && fabs (level - p->level) < 0.25 && fabs (window - p->window) < 0.25)
        {
          preset = i;
          break;
        }
    }
  g_signal_handlers_block_by_func (self->preset_row, on_preset_selected, self);
  adw_combo_row_set_selected (self->preset_row, preset);
  g_signal_handlers_unblock_by_func (self->preset_row, on_preset_selected, self);
}

static void
add_preset (CxrCamControls *self, GtkStringList *names, const char *name, double level, double window,
            gboolean table)
{
  WindowPreset preset = { level, window, table };
  g_array_append_val (self->presets, preset);
  gtk_string_list_append (names, name);
}

/* Numbers as the sidebar shows them: up to one decimal, without a trailing ".0". */
static char *
format_number (double value)
{
  if (value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.1f", value);
}

void
cxr_cam_controls_set_dicom (CxrCamControls *self, const CxrDicomImage *dicom)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_array_set_size (self->presets, 0);
  if (dicom == NULL)
    {
      const char *titles[] = { C_("window preset", "Full range"), C_("window preset", "Lung"),
                               C_("window preset", "Mediastinum") };
      G_STATIC_ASSERT (G_N_ELEMENTS (titles) == G_N_ELEMENTS (window_presets));
      for (guint i = 0; i < G_N_ELEMENTS (window_presets); i++)
        add_preset (self, names, titles[i], window_presets[i].level, window_presets[i].window, FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->preset_row),
                                   _("Window and level for 8-bit radiographs: the lung fields (gray 65 to 185) or "
                                     "the mediastinum (140 to 220)"));
    }
  else
    {
      for (int i = 0; i < dicom->n_windows; i++)
        {
          const CxrDicomWindow *w = &dicom->windows[i];
          g_autofree char *level = format_number (w->center);
          g_autofree char *window = format_number (w->width);
          g_autofree char *name = NULL;
          if (w->explanation != NULL && w->explanation[0] != '\0')
            /* Translators: a window preset from a DICOM file: its explanation ("LUNG"), level and window */
            name = g_strdup_printf (_("%s (%s / %s)"), w->explanation, level, window);
          else
            /* Translators: a window preset from a DICOM file without a name: its level and window */
            name = g_strdup_printf (_("File window %s / %s"), level, window);
          add_preset (self, names, name, w->center, w->width, FALSE);
        }
      if (dicom->has_voi_lut && dicom->voi_lut_entries > 0)
        {
          g_autofree char *name = NULL;
          if (dicom->voi_lut_explanation != NULL && dicom->voi_lut_explanation[0] != '\0')
            /* Translators: the DICOM file's VOI lookup table as a window preset, with its explanation */
            name = g_strdup_printf (_("VOI LUT: %s"), dicom->voi_lut_explanation);
          else
            name = g_strdup (_("VOI LUT"));
          add_preset (self, names, name, dicom->voi_lut_first + dicom->voi_lut_entries / 2.0,
                      dicom->voi_lut_entries, TRUE);
        }
      add_preset (self, names, C_("window preset", "Full range"),
                  (dicom->range_low + dicom->range_high) / 2.0 + 0.5, dicom->range_high - dicom->range_low + 1.0,
                  FALSE);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->preset_row),
                                   _("The DICOM file's own windows (Window Center and Width, VOI LUT) and the full "
                                     "range of its stored values"));
    }
  gtk_string_list_append (names, C_("window preset", "Custom"));
  g_signal_handlers_block_by_func (self->preset_row, on_preset_selected, self);
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));
  g_signal_handlers_unblock_by_func (self->preset_row, on_preset_selected, self);
  guint digits = dicom != NULL ? 1 : 0;
  gtk_spin_button_set_digits (self->level_spin, digits);
  gtk_spin_button_set_digits (self->window_spin, digits);
  on_window_changed (NULL, self);
}

static void
on_use_table_changed (CxrViewState *view_state, GParamSpec *pspec, CxrCamControls *self)
{
  on_window_changed (NULL, self);
}

/* A new value range (a DICOM image's stored values, or 8-bit gray again): the scales and spin buttons span it
 * before the view state moves its window there, so that the two-way bindings never clamp a value on its way. */
static void
on_range_changed (CxrViewState *view_state, CxrCamControls *self)
{
  double low, high;
  cxr_view_state_get_value_range (view_state, &low, &high);
  double step = MAX (1.0, floor ((high - low + 1.0) / 256.0));
  gtk_adjustment_configure (self->window_center_adjustment, gtk_adjustment_get_value (self->window_center_adjustment),
                            low, high, step, step * 16, 0);
  gtk_adjustment_configure (self->window_width_adjustment, gtk_adjustment_get_value (self->window_width_adjustment),
                            1.0, 2.0 * (high - low), step, step * 16, 0);
}

static void
on_reset_window (GtkButton *button, CxrCamControls *self)
{
  if (self->view_state != NULL)
    cxr_view_state_reset_window (self->view_state);
}

static void
set_value_label (GtkLabel *label, double value)
{
  if (isnan (value))
    {
      /* Translators: a value that is not known (yet) */
      gtk_label_set_label (label, C_("value", "—"));
      return;
    }
  g_autofree char *text = g_strdup_printf ("%.3f", value);
  gtk_label_set_label (label, text);
}

/* A class as people read it: an NIH label in the window's language, any other name as the card has it. */
static const char *
class_title (const char *class_name)
{
  const char *title = cxr_finding_get_title (cxr_finding_from_name (class_name, -1));
  return title != NULL ? title : class_name;
}

void
cxr_cam_controls_set_prediction (CxrCamControls *self, const char *positive_class, double probability,
                                 const char *predicted_label)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  if (positive_class != NULL)
    {
      /* Translators: the probability the model gives to a class, e.g. "P(Cardiomegaly)" */
      g_autofree char *title = g_strdup_printf (_("P(%s)"), class_title (positive_class));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->probability_row), title);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->probability_row), _("Probability"));
  set_value_label (self->probability_label, probability);
  gtk_label_set_label (self->predicted_label, predicted_label ? class_title (predicted_label) : C_("value", "—"));
}

void
cxr_cam_controls_set_localisation (CxrCamControls *self, double iou, double iobb)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  set_value_label (self->iou_label, iou);
  set_value_label (self->iobb_label, iobb);
}

void
cxr_cam_controls_set_image_info (CxrCamControls *self, const char *name, const char *findings, const char *details)
{
  g_return_if_fail (CXR_IS_CAM_CONTROLS (self));

  gtk_label_set_label (self->image_name_label, name ? name : "");
  gtk_label_set_label (self->image_findings_label, findings ? findings : "");
  gtk_widget_set_visible (GTK_WIDGET (self->image_findings_label), findings != NULL && findings[0]);
  gtk_label_set_label (self->image_details_label, details ? details : "");
  gtk_widget_set_visible (GTK_WIDGET (self->image_details_label), details != NULL && details[0]);
}

static void
fill_layers (CxrCamControls *self)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    {
      g_autofree char *title = cxr_layer_title (cxr_layer_choices[i]);
      gtk_string_list_append (names, title);
    }
  adw_combo_row_set_model (self->layer_row, G_LIST_MODEL (names));
}

static void
fill_colormaps (CxrCamControls *self)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  for (CxrColormap colormap = 0; colormap < CXR_N_COLORMAPS; colormap++)
    gtk_string_list_append (names, cxr_colormap_get_title (colormap));
  adw_combo_row_set_model (self->colormap_row, G_LIST_MODEL (names));
}

static void
cxr_cam_controls_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrCamControls *self = CXR_CAM_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_value_set_string (value, cxr_cam_controls_get_method (self));
      break;
    case PROP_LAYER:
      g_value_set_string (value, cxr_cam_controls_get_layer (self));
      break;
    case PROP_SMOOTHING:
      g_value_set_string (value, cxr_cam_controls_get_smoothing (self));
      break;
    case PROP_COMPARE_METHOD:
      g_value_set_string (value, cxr_cam_controls_get_compare_method (self));
      break;
    case PROP_TARGET:
      g_value_set_int (value, cxr_cam_controls_get_target (self));
      break;
    case PROP_COLORMAP:
      g_value_set_string (value, cxr_cam_controls_get_colormap (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_cam_controls_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CxrCamControls *self = CXR_CAM_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      cxr_cam_controls_set_method (self, g_value_get_string (value));
      break;
    case PROP_LAYER:
      cxr_cam_controls_set_layer (self, g_value_get_string (value));
      break;
    case PROP_SMOOTHING:
      cxr_cam_controls_set_smoothing (self, g_value_get_string (value));
      break;
    case PROP_COMPARE_METHOD:
      cxr_cam_controls_set_compare_method (self, g_value_get_string (value));
      break;
    case PROP_TARGET:
      cxr_cam_controls_set_target (self, g_value_get_int (value));
      break;
    case PROP_COLORMAP:
      cxr_cam_controls_set_colormap (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_cam_controls_dispose (GObject *object)
{
  CxrCamControls *self = CXR_CAM_CONTROLS (object);

  if (self->view_bindings != NULL)
    unbind_view_state (self);
  if (self->view_state != NULL)
    g_signal_handlers_disconnect_by_data (self->view_state, self);
  g_clear_object (&self->view_state);
  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_CAM_CONTROLS);
  /* The template's root box is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cxr_cam_controls_parent_class)->dispose (object);
}

static void
cxr_cam_controls_finalize (GObject *object)
{
  CxrCamControls *self = CXR_CAM_CONTROLS (object);

  g_clear_pointer (&self->view_bindings, g_ptr_array_unref);
  g_clear_pointer (&self->presets, g_array_unref);

  G_OBJECT_CLASS (cxr_cam_controls_parent_class)->finalize (object);
}

static void
cxr_cam_controls_class_init (CxrCamControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_cam_controls_dispose;
  object_class->finalize = cxr_cam_controls_finalize;
  object_class->get_property = cxr_cam_controls_get_property;
  object_class->set_property = cxr_cam_controls_set_property;

  properties[PROP_METHOD] =
    g_param_spec_string ("method", NULL, NULL, "grad-cam",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYER] =
    g_param_spec_string ("layer", NULL, NULL, "layer4",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SMOOTHING] =
    g_param_spec_string ("smoothing", NULL, NULL, "none",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPARE_METHOD] =
    g_param_spec_string ("compare-method", NULL, NULL, "none",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TARGET] =
    g_param_spec_int ("target", NULL, NULL, CXR_CAM_TARGET_TOP, G_MAXINT, CXR_CAM_TARGET_TOP,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLORMAP] =
    g_param_spec_string ("colormap", NULL, NULL, "jet",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-cam-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, image_name_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, image_findings_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, image_details_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, probability_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, probability_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, predicted_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, iou_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, iobb_label);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, method_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, layer_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, smoothing_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, compare_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, target_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, colormap_row);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, threshold_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, opacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, window_center_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, window_width_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, preset_row);
  gtk_widget_class_bind_template_callback (widget_class, on_preset_selected);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, invert_switch);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, level_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrCamControls, window_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_combo_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_window);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "camcontrols");
}

static void
cxr_cam_controls_init (CxrCamControls *self)
{
  self->view_bindings = g_ptr_array_new ();
  self->presets = g_array_new (FALSE, FALSE, sizeof (WindowPreset));
  gtk_widget_init_template (GTK_WIDGET (self));
  fill_layers (self);
  fill_colormaps (self);
  cxr_cam_controls_set_classes (self, NULL);
  cxr_cam_controls_set_prediction (self, NULL, NAN, NULL);
  cxr_cam_controls_set_localisation (self, NAN, NAN);
  cxr_cam_controls_set_image_info (self, NULL, NULL, NULL);
  g_signal_connect (self->window_center_adjustment, "value-changed", G_CALLBACK (on_window_changed), self);
  g_signal_connect (self->window_width_adjustment, "value-changed", G_CALLBACK (on_window_changed), self);
  cxr_cam_controls_set_dicom (self, NULL);
}

GtkWidget *
cxr_cam_controls_new (void)
{
  return g_object_new (CXR_TYPE_CAM_CONTROLS, NULL);
}
