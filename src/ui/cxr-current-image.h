/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-current-image.h: everything about the image on screen, and nothing else.
 *
 * show() cancels whatever the previous image still had running (latest request wins), decodes the new image on
 * a worker for the panes, and asks the engine to explain it with the current model. Results land in the
 * CxrPaneContent (what the panes draw) and in CxrResults (what the list shows). Changing the threshold re-cuts
 * the cached CAM on the main thread; no job runs.
 */
#pragma once

#include <glib-object.h>

#include "cxr-cam.h"
#include "cxr-colormap.h"
#include "cxr-dataset.h"
#include "cxr-engine.h"
#include "cxr-pane-content.h"
#include "cxr-results.h"

G_BEGIN_DECLS

#define CXR_TYPE_CURRENT_IMAGE (cxr_current_image_get_type ())
G_DECLARE_FINAL_TYPE (CxrCurrentImage, cxr_current_image, CXR, CURRENT_IMAGE, GObject)

CxrCurrentImage *cxr_current_image_new (CxrEngine *engine, CxrPaneContent *content);

/* A new dataset (NULL: none) and the results table it fills. Clears the image. */
void        cxr_current_image_set_dataset (CxrCurrentImage *self, CxrDataset *dataset, CxrResults *results);
/* Shows a dataset entry (G_MAXUINT: nothing). */
void        cxr_current_image_show (CxrCurrentImage *self, guint index);
guint       cxr_current_image_get_index (CxrCurrentImage *self);
/* The image's ground-truth boxes changed in the dataset's store (an edit): the panes and the IoU / IoBB follow,
 * without decoding or explaining the image again. */
void        cxr_current_image_reload_boxes (CxrCurrentImage *self);
/* The image's ground-truth boxes (CxrBBox, store order), or NULL when no image is shown. */
const GArray *cxr_current_image_get_bboxes (CxrCurrentImage *self);
/* Explains the image again (the model, method or layer changed). */
void        cxr_current_image_reanalyse (CxrCurrentImage *self);

void        cxr_current_image_set_threshold (CxrCurrentImage *self, double threshold);
double      cxr_current_image_get_threshold (CxrCurrentImage *self);
void        cxr_current_image_set_colormap (CxrCurrentImage *self, CxrColormap colormap);
/* Settings ids: "grad-cam" / "grad-cam++", "layer4" ... */
void        cxr_current_image_set_method (CxrCurrentImage *self, const char *method);
void        cxr_current_image_set_layer (CxrCurrentImage *self, const char *layer);
void        cxr_current_image_set_smoothing (CxrCurrentImage *self, gboolean aug_smooth, gboolean eigen_smooth);
/* The class to explain: an index or CXR_CAM_TARGET_TOP (the default). Takes effect at the next show() or
 * reanalyse(), so that the window can set it for the image it is about to show. */
void        cxr_current_image_set_target (CxrCurrentImage *self, int target);
/* The class the CAM on screen explains (-1 / NULL while there is none). */
int         cxr_current_image_get_target_class (CxrCurrentImage *self);
const char *cxr_current_image_get_target_name (CxrCurrentImage *self);

/* TRUE while the pixels are being decoded / the network runs. */
gboolean    cxr_current_image_get_loading (CxrCurrentImage *self);
gboolean    cxr_current_image_get_analysing (CxrCurrentImage *self);
/* Why the image or its explanation failed, or NULL. */
const char *cxr_current_image_get_error (CxrCurrentImage *self);

/* The model's answer for the image (NAN when unknown). */
double      cxr_current_image_get_probability (CxrCurrentImage *self);
double      cxr_current_image_get_iou (CxrCurrentImage *self);
double      cxr_current_image_get_iobb (CxrCurrentImage *self);
/* The predicted boxes at the current threshold (CxrPaneBox). */
const GArray *cxr_current_image_get_predicted_boxes (CxrCurrentImage *self);
/* The current image's explanation (NULL before it arrives); borrowed. */
const CxrCamResult *cxr_current_image_get_cam (CxrCurrentImage *self);

/* A second method beside the first for the side-by-side heatmaps: its map of the same image (same layer, smoothing,
 * class and threshold) goes into @content's heatmap, with a status while it is computed. NULL @method: off. */
void                cxr_current_image_set_second       (CxrCurrentImage *self, const char *method,
                                                        CxrPaneContent *content);
/* Its map (NULL: none yet), its IoU at the threshold (NAN: not scored; notified with "iou") and its predicted
 * boxes (CxrRect). */
const CxrCamResult *cxr_current_image_get_second_cam   (CxrCurrentImage *self);
double              cxr_current_image_get_second_iou   (CxrCurrentImage *self);
const GArray       *cxr_current_image_get_second_boxes (CxrCurrentImage *self);

G_END_DECLS
