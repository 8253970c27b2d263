/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-table.c: the Summary's Methods page (see the header). The layout is a template
 * (data/ui/cxr-method-table.ui); the code adds what follows the lists of methods and layers (a check box each) and
 * the comparison's size (a row per method and layer, a size group per column). */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cxr-finding-names.h"
#include "cxr-method-table.h"
#include "cxr-method-titles.h"

/* The cheap ones, chosen at first: one forward and at most one backward per map. */
static const gboolean method_default[CXR_CAM_N_METHODS] = {
  [CXR_CAM_METHOD_GRADCAM] = TRUE, [CXR_CAM_METHOD_GRADCAM_PLUSPLUS] = TRUE, [CXR_CAM_METHOD_HIRESCAM] = TRUE,
  [CXR_CAM_METHOD_GRADCAM_ELEMENTWISE] = TRUE, [CXR_CAM_METHOD_XGRADCAM] = TRUE, [CXR_CAM_METHOD_LAYERCAM] = TRUE,
};
/* As `cxrcam-cli compare` by default: layer3, layer4 and both fused. */
static const gboolean layer_default[CXR_N_LAYER_CHOICES] = { TRUE, TRUE, FALSE, FALSE, FALSE, TRUE, FALSE };

typedef enum {
  COLUMN_METHOD,
  COLUMN_LAYER,
  COLUMN_MEAN_IOU,
  COLUMN_THRESHOLD,
  COLUMN_ACC_01,
  COLUMN_ACC_03,
  COLUMN_ACC_05,
  COLUMN_POINTING,
  COLUMN_ROAD,
  COLUMN_SECONDS,
  N_COLUMNS
} Column;

static const char *const column_ids[N_COLUMNS] = {
  "method", "layer", "mean_iou", "threshold", "iou>0.1", "iou>0.3", "iou>0.5", "pointing", "road", "seconds_per_image"
};
/* The decimals `cxrcam-cli compare` prints each figure with. */
static const int column_decimals[N_COLUMNS] = { 0, 0, 4, 2, 3, 3, 3, 3, 4, 3 };

struct _CxrMethodTable {
  GtkWidget parent_instance;

  /* template widgets */
  AdwPreferencesGroup *choice_group;
  GtkFlowBox *method_flow;
  GtkFlowBox *layer_flow;
  GtkWidget *faithfulness_check;
  GtkWidget *compare_button;
  GtkWidget *cancel_button;
  GtkWidget *progress_bar;
  GtkLabel *status_label;
  GtkWidget *table_scroll;
  GtkWidget *header_box;
  GtkListBox *list;

  GtkWidget *method_checks[CXR_CAM_N_METHODS];
  GtkWidget *layer_checks[CXR_N_LAYER_CHOICES];
  GtkSizeGroup *columns[N_COLUMNS + 1];   /* the last one: the Use buttons */

  gboolean can_compare;
  gboolean running;
  CxrCamComparison *comparison;
  GPtrArray *rows;          /* GtkListBoxRow, borrowed from the list */
  GPtrArray *use_buttons;   /* GtkButton, borrowed */
  GPtrArray *cells;         /* GtkLabel, borrowed: row-major, N_COLUMNS per row */
};

G_DEFINE_FINAL_TYPE (CxrMethodTable, cxr_method_table, GTK_TYPE_WIDGET)

enum {
  COMPARE_REQUESTED,
  CANCEL_REQUESTED,
  USE_ROW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
column_title (Column column)
{
  switch (column)
    {
    case COLUMN_METHOD:    return C_("column", "Method");
    case COLUMN_LAYER:     return C_("column", "Layer");
    /* Translators: a column of the methods table: the mean IoU at the best threshold */
    case COLUMN_MEAN_IOU:  return C_("column", "Mean IoU");
    case COLUMN_THRESHOLD: return C_("column", "Threshold");
    case COLUMN_ACC_01:    return "IoU>0.1";
    case COLUMN_ACC_03:    return "IoU>0.3";
    case COLUMN_ACC_05:    return "IoU>0.5";
    /* Translators: a column of the methods table: the pointing game's hit rate */
    case COLUMN_POINTING:  return C_("column", "Pointing");
    case COLUMN_ROAD:      return "ROAD";
    /* Translators: a column of the methods table: seconds per image the map took */
    case COLUMN_SECONDS:   return C_("column", "s/image");
    default:               return "";
    }
}

static const char *
column_tooltip (Column column)
{
  switch (column)
    {
    case COLUMN_MEAN_IOU:  return _("Mean IoU of the predicted boxes with the ground truth at the best threshold");
    case COLUMN_THRESHOLD: return _("The threshold with the highest mean IoU (0.05 … 0.95)");
    case COLUMN_ACC_01:
    case COLUMN_ACC_03:
    case COLUMN_ACC_05:    return _("Wang et al.’s accuracy at that threshold: the fraction of images whose IoU exceeds T");
    case COLUMN_POINTING:  return _("Pointing game: the fraction of images whose CAM maximum lies inside a box");
    case COLUMN_ROAD:      return _("ROAD, remove and debias: (LeRF − MoRF) / 2, higher is more faithful");
    case COLUMN_SECONDS:   return _("Seconds per image the map took, without decoding and scoring");
    default:               return NULL;
    }
}

static double
row_value (const CxrCamCompareRow *row, Column column)
{
  switch (column)
    {
    case COLUMN_MEAN_IOU:  return cxr_cam_compare_row_best_mean_iou (row);
    case COLUMN_THRESHOLD: return cxr_cam_compare_row_best_threshold (row);
    case COLUMN_ACC_01:    return cxr_cam_compare_row_accuracy (row, 0);
    case COLUMN_ACC_03:    return cxr_cam_compare_row_accuracy (row, 1);
    case COLUMN_ACC_05:    return cxr_cam_compare_row_accuracy (row, 2);
    case COLUMN_POINTING:  return cxr_cam_compare_row_pointing (row);
    case COLUMN_ROAD:      return cxr_cam_compare_row_road (row);
    case COLUMN_SECONDS:   return cxr_cam_compare_row_seconds_per_image (row);
    default:               return NAN;
    }
}

/* The class in the window's language ("Kardiomegalie"), as the page's description names it. */
static const char *
class_title (const char *name)
{
  if (name == NULL)
    return "";
  const char *title = cxr_finding_get_title (cxr_finding_from_name (name, -1));
  return title ? title : name;
}

static GtkWidget *
make_cell (CxrMethodTable *self, Column column, const char *text, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), column <= COLUMN_LAYER ? 0.0f : 1.0f);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  gtk_size_group_add_widget (self->columns[column], label);
  return label;
}

/* ---- choosing ------------------------------------------------------------------ */

static void
update_sensitivity (CxrMethodTable *self)
{
  gboolean any_method = FALSE, any_layer = FALSE;
  for (guint i = 0; i < CXR_CAM_N_METHODS; i++)
    any_method |= gtk_check_button_get_active (GTK_CHECK_BUTTON (self->method_checks[i]));
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    any_layer |= gtk_check_button_get_active (GTK_CHECK_BUTTON (self->layer_checks[i]));
  gtk_widget_set_sensitive (self->compare_button, self->can_compare && !self->running && any_method && any_layer);
  gtk_widget_set_visible (self->cancel_button, self->running);
  gtk_widget_set_visible (self->progress_bar, self->running);
}

static void
on_check_toggled (GtkCheckButton *check, CxrMethodTable *self)
{
  update_sensitivity (self);
}

gboolean
cxr_method_table_get_request (CxrMethodTable *self, GArray *methods, GPtrArray *layers, gboolean *faithfulness)
{
  g_return_val_if_fail (CXR_IS_METHOD_TABLE (self), FALSE);

  for (CxrCamMethod m = 0; m < CXR_CAM_N_METHODS; m++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->method_checks[m])))
      g_array_append_val (methods, m);
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->layer_checks[i])))
      g_ptr_array_add (layers, g_strdup (cxr_layer_choices[i]));
  *faithfulness = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->faithfulness_check));
  return methods->len > 0 && layers->len > 0;
}

void
cxr_method_table_set_method_chosen (CxrMethodTable *self, CxrCamMethod method, gboolean chosen)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self) && method < CXR_CAM_N_METHODS);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->method_checks[method]), chosen);
}

void
cxr_method_table_set_layer_chosen (CxrMethodTable *self, const char *layer, gboolean chosen)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self));
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    if (g_str_equal (cxr_layer_choices[i], layer))
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->layer_checks[i]), chosen);
}

void
cxr_method_table_set_input (CxrMethodTable *self, gboolean can_compare, const char *description)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self));

  self->can_compare = can_compare;
  adw_preferences_group_set_description (self->choice_group, description);
  update_sensitivity (self);
}

static void
on_compare_clicked (GtkButton *button, CxrMethodTable *self)
{
  g_signal_emit (self, signals[COMPARE_REQUESTED], 0);
}

static void
on_cancel_clicked (GtkButton *button, CxrMethodTable *self)
{
  g_signal_emit (self, signals[CANCEL_REQUESTED], 0);
}

void
cxr_method_table_set_progress (CxrMethodTable *self, double fraction, guint done, guint total)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self));

  gboolean was_running = self->running;
  self->running = total > 0;
  if (self->running)
    {
      /* Translators: progress of the methods comparison */
      g_autofree char *text = g_strdup_printf (_("%u of %u images"), done, total);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), CLAMP (fraction, 0.0, 1.0));
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress_bar), text);
    }
  update_sensitivity (self);
  /* Cancel had the focus: it goes back to Compare rather than to nowhere. */
  if (was_running && !self->running && gtk_widget_has_focus (self->cancel_button))
    gtk_widget_grab_focus (self->compare_button);
  else if (!was_running && self->running && gtk_widget_has_focus (self->compare_button))
    gtk_widget_grab_focus (self->cancel_button);
}

/* ---- the table ----------------------------------------------------------------- */

static void
emit_use (CxrMethodTable *self, GtkWidget *row)
{
  guint index;
  if (self->comparison != NULL && g_ptr_array_find (self->rows, row, &index))
    g_signal_emit (self, signals[USE_ROW], 0, index);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, CxrMethodTable *self)
{
  emit_use (self, GTK_WIDGET (row));
}

static void
on_use_clicked (GtkButton *button, CxrMethodTable *self)
{
  emit_use (self, gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW));
}

static void
clear_rows (CxrMethodTable *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->list, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->use_buttons, 0);
  g_ptr_array_set_size (self->cells, 0);
}

static void
add_row (CxrMethodTable *self, const CxrCamCompareRow *row, gboolean best)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  for (Column c = 0; c < N_COLUMNS; c++)
    {
      g_autofree char *text = NULL;
      if (c == COLUMN_METHOD)
        text = g_strdup (cxr_method_title (row->method));
      else if (c == COLUMN_LAYER)
        text = cxr_layer_title (row->layer);
      else
        {
          double value = row_value (row, c);
          text = isnan (value) ? g_strdup (C_("value", "—")) : g_strdup_printf ("%.*f", column_decimals[c], value);
        }
      GtkWidget *cell = make_cell (self, c, text, FALSE);
      if (c == COLUMN_LAYER && row->canonical_layer != NULL)
        gtk_widget_set_tooltip_text (cell, row->canonical_layer);
      gtk_box_append (GTK_BOX (box), cell);
      g_ptr_array_add (self->cells, cell);
    }
  /* Translators: the button on a row of the methods table that makes its method, layer and threshold the window's */
  /* An icon: the table needs every pixel of a 1024-pixel screen; the tooltip and the accessible label name it. */
  GtkWidget *use = gtk_button_new_from_icon_name ("object-select-symbolic");
  gtk_widget_set_tooltip_text (use, _("Use: show the heatmaps with this method, layer and threshold"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (use), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Use"), -1);
  gtk_widget_add_css_class (use, "circular");
  gtk_widget_set_valign (use, GTK_ALIGN_CENTER);
  gtk_size_group_add_widget (self->columns[N_COLUMNS], use);
  g_signal_connect (use, "clicked", G_CALLBACK (on_use_clicked), self);
  gtk_box_append (GTK_BOX (box), use);
  g_ptr_array_add (self->use_buttons, use);

  GtkWidget *list_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), box);
  if (best)
    {
      gtk_widget_add_css_class (list_row, "best-method");
      gtk_widget_add_css_class (use, "suggested-action");
      gtk_widget_set_tooltip_text (list_row, _("The best: the highest mean IoU"));
    }
  gtk_list_box_append (self->list, list_row);
  g_ptr_array_add (self->rows, list_row);
}

void
cxr_method_table_set_comparison (CxrMethodTable *self, CxrCamComparison *comparison)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self));

  clear_rows (self);
  if (comparison != NULL)
    cxr_cam_comparison_ref (comparison);
  g_clear_pointer (&self->comparison, cxr_cam_comparison_unref);
  self->comparison = comparison;
  gtk_widget_set_visible (self->table_scroll, comparison != NULL);
  if (comparison == NULL)
    {
      gtk_label_set_label (self->status_label, "");
      return;
    }
  int best = cxr_cam_comparison_get_best (comparison);
  for (guint i = 0; i < cxr_cam_comparison_get_n_rows (comparison); i++)
    add_row (self, cxr_cam_comparison_get_row (comparison, i), (int) i == best);

  g_autofree char *status = NULL;
  if (best >= 0)
    {
      const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, best);
      g_autofree char *layer = cxr_layer_title (row->layer);
      /* Translators: under the methods table: the best row, e.g. "Best: HiResCAM at layer4, threshold 0.35
       * (mean IoU 0.4123 over 12 images with a Cardiomegaly box)" */
      status = g_strdup_printf (_("Best: %s at %s, threshold %.2f (mean IoU %.4f over %u images with a %s box)"),
                                cxr_method_title (row->method), layer, cxr_cam_compare_row_best_threshold (row),
                                cxr_cam_compare_row_best_mean_iou (row), row->sweep.at[0].n_scored,
                                class_title (cxr_cam_comparison_get_label (comparison)));
    }
  else
    /* Translators: %s is the class, e.g. "No image had a Cardiomegaly box: nothing to score" */
    status = g_strdup_printf (_("No image had a %s box: nothing to score"),
                              class_title (cxr_cam_comparison_get_label (comparison)));
  if (cxr_cam_comparison_get_n_failed (comparison) > 0)
    {
      /* Translators: appended to the line under the methods table */
      g_autofree char *failed = g_strdup_printf (ngettext ("%u image could not be read", "%u images could not be read",
                                                           cxr_cam_comparison_get_n_failed (comparison)),
                                                 cxr_cam_comparison_get_n_failed (comparison));
      g_autofree char *both = g_strdup_printf ("%s. %s.", status, failed);
      g_free (status);
      status = g_steal_pointer (&both);
    }
  gtk_label_set_label (self->status_label, status);
}

void
cxr_method_table_set_error (CxrMethodTable *self, const char *message)
{
  g_return_if_fail (CXR_IS_METHOD_TABLE (self));
  gtk_label_set_label (self->status_label, message ? message : "");
}

CxrCamComparison *
cxr_method_table_get_comparison (CxrMethodTable *self)
{
  return self->comparison;
}

GtkWidget *
cxr_method_table_get_compare_button (CxrMethodTable *self)
{
  return self->compare_button;
}

GtkWidget *
cxr_method_table_get_cancel_button (CxrMethodTable *self)
{
  return self->cancel_button;
}

GtkWidget *
cxr_method_table_get_faithfulness_check (CxrMethodTable *self)
{
  return self->faithfulness_check;
}

GtkWidget *
cxr_method_table_get_method_check (CxrMethodTable *self, CxrCamMethod method)
{
  return method < CXR_CAM_N_METHODS ? self->method_checks[method] : NULL;
}

GtkWidget *
cxr_method_table_get_layer_check (CxrMethodTable *self, const char *layer)
{
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    if (g_str_equal (cxr_layer_choices[i], layer))
      return self->layer_checks[i];
  return NULL;
}

GtkWidget *
cxr_method_table_get_row (CxrMethodTable *self, guint index)
{
  return index < self->rows->len ? g_ptr_array_index (self->rows, index) : NULL;
}

GtkWidget *
cxr_method_table_get_use_button (CxrMethodTable *self, guint index)
{
  return index < self->use_buttons->len ? g_ptr_array_index (self->use_buttons, index) : NULL;
}

const char *
cxr_method_table_get_cell (CxrMethodTable *self, guint index, guint column)
{
  if (index >= self->rows->len || column >= N_COLUMNS)
    return NULL;
  return gtk_label_get_label (g_ptr_array_index (self->cells, index * N_COLUMNS + column));
}

guint
cxr_method_table_get_n_columns (void)
{
  return N_COLUMNS;
}

const char *
cxr_method_table_get_column_id (guint column)
{
  return column < N_COLUMNS ? column_ids[column] : NULL;
}

/* ---- building ------------------------------------------------------------------ */

static GtkWidget *
add_check (CxrMethodTable *self, GtkFlowBox *flow, const char *label, gboolean active)
{
  GtkWidget *check = gtk_check_button_new_with_label (label);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
  g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled), self);
  gtk_flow_box_append (flow, check);
  /* The flow box's children would take the focus before the check: the check itself is what Tab reaches. */
  gtk_widget_set_focusable (gtk_widget_get_parent (check), FALSE);
  return check;
}

/* A check box per method and per layer, and the table's column headings. */
static void
build (CxrMethodTable *self)
{
  for (guint i = 0; i < CXR_CAM_N_METHODS; i++)
    self->method_checks[i] = add_check (self, self->method_flow, cxr_method_title (i), method_default[i]);
  gtk_widget_set_tooltip_text (self->method_checks[CXR_CAM_METHOD_SCORECAM],
                               _("Runs the network once per channel: seconds per image"));
  gtk_widget_set_tooltip_text (self->method_checks[CXR_CAM_METHOD_ABLATIONCAM],
                               _("Runs the network once per channel: seconds per image"));
  for (guint i = 0; i < CXR_N_LAYER_CHOICES; i++)
    {
      g_autofree char *title = cxr_layer_title (cxr_layer_choices[i]);
      self->layer_checks[i] = add_check (self, self->layer_flow, title, layer_default[i]);
    }

  for (guint c = 0; c <= N_COLUMNS; c++)
    self->columns[c] = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  for (Column c = 0; c < N_COLUMNS; c++)
    {
      GtkWidget *cell = make_cell (self, c, column_title (c), TRUE);
      gtk_widget_set_tooltip_text (cell, column_tooltip (c));
      gtk_box_append (GTK_BOX (self->header_box), cell);
    }
  GtkWidget *spacer = gtk_label_new (NULL);
  gtk_size_group_add_widget (self->columns[N_COLUMNS], spacer);
  gtk_box_append (GTK_BOX (self->header_box), spacer);
}

static void
cxr_method_table_dispose (GObject *object)
{
  CxrMethodTable *self = CXR_METHOD_TABLE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_METHOD_TABLE);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  for (guint c = 0; c <= N_COLUMNS; c++)
    g_clear_object (&self->columns[c]);
  g_clear_pointer (&self->comparison, cxr_cam_comparison_unref);

  G_OBJECT_CLASS (cxr_method_table_parent_class)->dispose (object);
}

static void
cxr_method_table_finalize (GObject *object)
{
  CxrMethodTable *self = CXR_METHOD_TABLE (object);

  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->use_buttons);
  g_ptr_array_unref (self->cells);

  G_OBJECT_CLASS (cxr_method_table_parent_class)->finalize (object);
}

static void
cxr_method_table_class_init (CxrMethodTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_method_table_dispose;
  object_class->finalize = cxr_method_table_finalize;

  signals[COMPARE_REQUESTED] = g_signal_new ("compare-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CANCEL_REQUESTED] = g_signal_new ("cancel-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[USE_ROW] = g_signal_new ("use-row", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-method-table.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, choice_group);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, method_flow);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, layer_flow);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, faithfulness_check);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, compare_button);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, status_label);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, table_scroll);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, header_box);
  gtk_widget_class_bind_template_child (widget_class, CxrMethodTable, list);
  gtk_widget_class_bind_template_callback (widget_class, on_compare_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
cxr_method_table_init (CxrMethodTable *self)
{
  self->rows = g_ptr_array_new ();
  self->use_buttons = g_ptr_array_new ();
  self->cells = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  build (self);
  update_sensitivity (self);
}

GtkWidget *
cxr_method_table_new (void)
{
  return g_object_new (CXR_TYPE_METHOD_TABLE, NULL);
}
