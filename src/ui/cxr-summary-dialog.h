/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-summary-dialog.h: how well the CAM boxes match the ground truth over a run: mean IoU, Wang et al.'s
 * localisation accuracy table and the threshold sweep, where a click sets the threshold. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Plain values to show; the dialog copies them. */
typedef struct {
  guint n_images;               /* images with a result */
  guint n_scored;               /* ... with ground truth of the positive class */
  guint n_positive;             /* ... predicted positive */
  double threshold;             /* the CAM threshold the numbers are for */
  double mean_iou;              /* NAN: nothing scored */
  const char *best_name;        /* NULL: none */
  double best_iou;
  guint n_iou;                  /* Wang et al.: accuracy at IoU > T */
  const double *iou_thresholds;
  const double *iou_accuracy;
  guint n_iobb;                 /* ... and at IoBB > T */
  const double *iobb_thresholds;
  const double *iobb_accuracy;
  guint n_sweep;                /* mean IoU against the threshold */
  const double *sweep_thresholds;
  const double *sweep_mean_iou;
  const char *positive_class;   /* "Cardiomegaly" */
} CxrSummaryData;

#define CXR_TYPE_SUMMARY_DIALOG (cxr_summary_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CxrSummaryDialog, cxr_summary_dialog, CXR, SUMMARY_DIALOG, AdwWindow)

CxrSummaryDialog *cxr_summary_dialog_new (GtkWindow *parent);

void cxr_summary_dialog_set_data (CxrSummaryDialog *self, const CxrSummaryData *data);
/* While the numbers are being computed. */
void cxr_summary_dialog_set_busy (CxrSummaryDialog *self, gboolean busy);

/* Another view of the results (evaluation, comparisons) as a page beside the localisation one, with a switcher
 * in the header bar. */
void cxr_summary_dialog_add_page  (CxrSummaryDialog *self, GtkWidget *page, const char *name, const char *title,
                                   const char *icon_name);
void cxr_summary_dialog_show_page (CxrSummaryDialog *self, const char *name);

G_END_DECLS
