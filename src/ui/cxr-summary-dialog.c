/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-summary-dialog.c: the summary window. Emits "threshold-chosen" (double) when the sweep is clicked. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-summary-dialog.h"
#include "cxr-sweep-plot.h"

struct _CxrSummaryDialog {
  AdwWindow parent_instance;

  /* template widgets */
  AdwViewStack *view_stack;
  GtkStack *stack;
  GtkLabel *images_label;
  GtkLabel *scored_label;
  AdwActionRow *scored_row;
  GtkLabel *positive_label;
  GtkLabel *threshold_label;
  GtkLabel *mean_iou_label;
  GtkLabel *best_label;
  GtkGrid *accuracy_grid;
  CxrSweepPlot *sweep_plot;
  GtkLabel *sweep_caption;
};

G_DEFINE_FINAL_TYPE (CxrSummaryDialog, cxr_summary_dialog, ADW_TYPE_WINDOW)

enum {
  THRESHOLD_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_threshold_chosen (CxrSweepPlot *plot, double threshold, CxrSummaryDialog *self)
{
  g_signal_emit (self, signals[THRESHOLD_CHOSEN], 0, threshold);
}

static char *
format_value (double value)
{
  return isnan (value) ? g_strdup (C_("value", "—")) : g_strdup_printf ("%.3f", value);
}

static void
grid_add (CxrSummaryDialog *self, const char *text, int column, int row, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0.0f : 1.0f);
  gtk_widget_add_css_class (label, heading ? "heading" : "numeric");
  gtk_grid_attach (self->accuracy_grid, label, column, row, 1, 1);
}

static void
fill_accuracy (CxrSummaryDialog *self, const CxrSummaryData *data)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->accuracy_grid))) != NULL)
    gtk_grid_remove (self->accuracy_grid, child);

  /* Wang et al.'s table 3: one row per criterion, one column per T. */
  grid_add (self, "T", 0, 0, TRUE);
  guint columns = MAX (data->n_iou, data->n_iobb);
  for (guint i = 0; i < columns; i++)
    {
      g_autofree char *iou_t = i < data->n_iou ? g_strdup_printf ("%.2g", data->iou_thresholds[i]) : NULL;
      g_autofree char *iou_acc = i < data->n_iou ? format_value (data->iou_accuracy[i]) : NULL;
      g_autofree char *iobb_t = i < data->n_iobb ? g_strdup_printf ("%.2g", data->iobb_thresholds[i]) : NULL;
      g_autofree char *iobb_acc = i < data->n_iobb ? format_value (data->iobb_accuracy[i]) : NULL;
      if (iou_t != NULL)
        {
          grid_add (self, iou_t, i + 1, 0, TRUE);
          grid_add (self, iou_acc, i + 1, 1, FALSE);
        }
      if (iobb_t != NULL)
        {
          grid_add (self, iobb_t, i + 1, 2, TRUE);
          grid_add (self, iobb_acc, i + 1, 3, FALSE);
        }
    }
  /* Translators: a row of the accuracy table: the fraction of images whose IoU exceeds T */
  grid_add (self, _("Accuracy at IoU > T"), 0, 1, FALSE);
  grid_add (self, "T", 0, 2, TRUE);
  /* Translators: a row of the accuracy table: the fraction of images whose IoBB exceeds T */
  grid_add (self, _("Accuracy at IoBB > T"), 0, 3, FALSE);
}

void
cxr_summary_dialog_set_data (CxrSummaryDialog *self, const CxrSummaryData *data)
{
  g_return_if_fail (CXR_IS_SUMMARY_DIALOG (self));

  g_autofree char *images = g_strdup_printf ("%u", data->n_images);
  g_autofree char *scored = g_strdup_printf ("%u", data->n_scored);
  g_autofree char *positive = g_strdup_printf ("%u", data->n_positive);
  g_autofree char *threshold = g_strdup_printf ("%.2f", data->threshold);
  g_autofree char *mean = format_value (data->mean_iou);
  g_autofree char *best = data->best_name ? g_strdup_printf ("%s (%.3f)", data->best_name, data->best_iou)
                                          : g_strdup (C_("value", "—"));
  gtk_label_set_label (self->images_label, images);
  gtk_label_set_label (self->scored_label, scored);
  gtk_label_set_label (self->positive_label, positive);
  gtk_label_set_label (self->threshold_label, threshold);
  gtk_label_set_label (self->mean_iou_label, mean);
  gtk_label_set_label (self->best_label, best);
  fill_accuracy (self, data);

  cxr_sweep_plot_set_data (self->sweep_plot, data->sweep_thresholds, data->sweep_mean_iou, data->n_sweep);
  cxr_sweep_plot_set_threshold (self->sweep_plot, data->threshold);
  if (data->positive_class != NULL)
    {
      /* Only boxes of the explained finding are scored: "5 images with boxes" in the dataset report counts every
       * finding's boxes, which is why this number can be smaller. */
      /* Translators: %s is the finding whose boxes are scored, e.g. "Images with a Cardiomegaly box" */
      g_autofree char *title = g_strdup_printf (_("Images with a %s box"), data->positive_class);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->scored_row), title);
      adw_action_row_set_subtitle (self->scored_row, _("Analysed images only; boxes of other findings are not scored"));
      /* Translators: caption of the sweep plot; %s is the class whose boxes are scored */
      g_autofree char *caption = g_strdup_printf (_("Mean IoU with the %s boxes at each threshold. Click to use a threshold."),
                                                  data->positive_class);
      gtk_label_set_label (self->sweep_caption, caption);
    }
  gtk_stack_set_visible_child_name (self->stack, data->n_scored > 0 || data->n_images > 0 ? "summary" : "empty");
}

void
cxr_summary_dialog_set_busy (CxrSummaryDialog *self, gboolean busy)
{
  g_return_if_fail (CXR_IS_SUMMARY_DIALOG (self));

  if (busy)
    gtk_stack_set_visible_child_name (self->stack, "busy");
}

void
cxr_summary_dialog_add_page (CxrSummaryDialog *self, GtkWidget *page, const char *name, const char *title,
                             const char *icon_name)
{
  g_return_if_fail (CXR_IS_SUMMARY_DIALOG (self));

  AdwViewStackPage *stack_page = adw_view_stack_add_titled (self->view_stack, page, name, title);
  adw_view_stack_page_set_icon_name (stack_page, icon_name);
}

void
cxr_summary_dialog_show_page (CxrSummaryDialog *self, const char *name)
{
  g_return_if_fail (CXR_IS_SUMMARY_DIALOG (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
cxr_summary_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CXR_TYPE_SUMMARY_DIALOG);

  G_OBJECT_CLASS (cxr_summary_dialog_parent_class)->dispose (object);
}

static void
cxr_summary_dialog_class_init (CxrSummaryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_summary_dialog_dispose;

  signals[THRESHOLD_CHOSEN] = g_signal_new ("threshold-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  g_type_ensure (CXR_TYPE_SWEEP_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-summary-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, images_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, scored_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, scored_row);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, positive_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, threshold_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, mean_iou_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, best_label);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, accuracy_grid);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, sweep_plot);
  gtk_widget_class_bind_template_child (widget_class, CxrSummaryDialog, sweep_caption);
  gtk_widget_class_bind_template_callback (widget_class, on_threshold_chosen);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cxr_summary_dialog_init (CxrSummaryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CxrSummaryDialog *
cxr_summary_dialog_new (GtkWindow *parent)
{
  return g_object_new (CXR_TYPE_SUMMARY_DIALOG, "transient-for", parent, NULL);
}
