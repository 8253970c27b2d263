/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-table.h: the Summary's Methods page: which CAM method, layer and threshold localise this model's
 * findings best on the open dataset, the same table as `cxrcam-cli compare` (cxr-cam-compare.h).
 *
 * The page lets the user choose the methods and layers (the cheap gradient methods by default: Score-CAM and
 * Ablation-CAM run a forward per channel), asks its owner to run the comparison ("compare-requested"; the owner
 * reads the choice with cxr_method_table_get_request and runs cxr_engine_compare_async), shows its progress with
 * a Cancel button ("cancel-requested") and then the table, one row per method and layer, the best one marked.
 * "use-row" (the row's index in the comparison) asks the owner to make a row the window's method, layer and
 * threshold: the row's Use button or activating the row (Return, a double click) sends it.
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-cam-compare.h"

G_BEGIN_DECLS

#define CXR_TYPE_METHOD_TABLE (cxr_method_table_get_type ())
G_DECLARE_FINAL_TYPE (CxrMethodTable, cxr_method_table, CXR, METHOD_TABLE, GtkWidget)


GtkWidget *cxr_method_table_new (void);

/* What the page is about ("12 images with a Cardiomegaly box"), or why it cannot compare (@can_compare FALSE). */
void       cxr_method_table_set_input    (CxrMethodTable *self, gboolean can_compare, const char *description);
/* The chosen methods (CxrCamMethod, in the CxrCamMethod order) and layers (request strings, in the order offered),
 * and whether to measure the confidence change and ROAD. FALSE when nothing is chosen. */
gboolean   cxr_method_table_get_request  (CxrMethodTable *self, GArray *methods, GPtrArray *layers,
                                          gboolean *faithfulness);
void       cxr_method_table_set_method_chosen (CxrMethodTable *self, CxrCamMethod method, gboolean chosen);
void       cxr_method_table_set_layer_chosen  (CxrMethodTable *self, const char *layer, gboolean chosen);

/* The comparison is running: @fraction done, @done of @total images. @total 0: it stopped. */
void       cxr_method_table_set_progress (CxrMethodTable *self, double fraction, guint done, guint total);
/* The result to show (NULL: none), or why there is none. */
void       cxr_method_table_set_comparison (CxrMethodTable *self, CxrCamComparison *comparison);
void       cxr_method_table_set_error    (CxrMethodTable *self, const char *message);

CxrCamComparison *cxr_method_table_get_comparison (CxrMethodTable *self);
/* For tests: the Compare and Cancel buttons, a row and its Use button, a cell's text (columns as
 * cxr_method_table_get_column_id names them). */
GtkWidget  *cxr_method_table_get_compare_button (CxrMethodTable *self);
GtkWidget  *cxr_method_table_get_cancel_button  (CxrMethodTable *self);
GtkWidget  *cxr_method_table_get_method_check   (CxrMethodTable *self, CxrCamMethod method);
GtkWidget  *cxr_method_table_get_layer_check    (CxrMethodTable *self, const char *layer);
GtkWidget  *cxr_method_table_get_faithfulness_check (CxrMethodTable *self);
GtkWidget  *cxr_method_table_get_row            (CxrMethodTable *self, guint index);
GtkWidget  *cxr_method_table_get_use_button     (CxrMethodTable *self, guint index);
const char *cxr_method_table_get_cell           (CxrMethodTable *self, guint index, guint column);
guint       cxr_method_table_get_n_columns      (void);
/* "method", "layer", "mean_iou", "threshold", "iou>0.1", "iou>0.3", "iou>0.5", "pointing", "road",
 * "seconds_per_image": the CSV names of `cxrcam-cli compare --csv`. */
const char *cxr_method_table_get_column_id      (guint column);

G_END_DECLS
