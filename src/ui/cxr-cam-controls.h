/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-controls.h: the sidebar beside the panes: what the model said about the image, the Grad-CAM settings
 * (method, target layer, threshold, overlay opacity, colormap) and the display settings (window/level, invert).
 *
 * The threshold is a GtkAdjustment shared by a scale and a spin button; the owner connects to it (and binds it to
 * GSettings). Method, layer and colormap are string properties holding settings ids; the target class is an int
 * property (a class index or CXR_CAM_TARGET_TOP), chosen per image by the window.
 */
#pragma once

#include <gtk/gtk.h>

#include "cxr-cam.h"
#include "cxr-dicom.h"
#include "cxr-view-state.h"

G_BEGIN_DECLS

#define CXR_TYPE_CAM_CONTROLS (cxr_cam_controls_get_type ())
G_DECLARE_FINAL_TYPE (CxrCamControls, cxr_cam_controls, CXR, CAM_CONTROLS, GtkWidget)

GtkWidget     *cxr_cam_controls_new (void);

GtkAdjustment *cxr_cam_controls_get_threshold_adjustment (CxrCamControls *self);
double         cxr_cam_controls_get_threshold (CxrCamControls *self);
void           cxr_cam_controls_set_threshold (CxrCamControls *self, double threshold);

/* "grad-cam" or "grad-cam++" */
const char    *cxr_cam_controls_get_method (CxrCamControls *self);
/* The Compare with row: "none" or a method id as cxr_cam_controls_get_method gives it. */
const char    *cxr_cam_controls_get_compare_method (CxrCamControls *self);
void           cxr_cam_controls_set_compare_method (CxrCamControls *self, const char *method);
/* The settings' id ("cam-method") of @method, as the Method row stores it: "grad-cam", "hirescam", ... */
const char    *cxr_cam_controls_method_id  (CxrCamMethod method);
void           cxr_cam_controls_set_method (CxrCamControls *self, const char *method);
/* "layer4" ... "layer1", or "layer3,layer4" (fused) */
const char    *cxr_cam_controls_get_layer (CxrCamControls *self);
void           cxr_cam_controls_set_layer (CxrCamControls *self, const char *layer);
/* "none", "aug", "eigen" or "both" (pytorch-grad-cam's aug_smooth and eigen_smooth) */
const char    *cxr_cam_controls_get_smoothing (CxrCamControls *self);
void           cxr_cam_controls_set_smoothing (CxrCamControls *self, const char *smoothing);
/* Method, layer and smoothing as the engine takes them; the layer string is the controls' own (valid as long as
 * they live). Target class and the rest of @options are left as they are. */
void           cxr_cam_controls_get_options (CxrCamControls *self, CxrCamOptions *options);
/* The classes the CAM can explain (the model card's names; NULL or fewer than two hide the choice). */
void           cxr_cam_controls_set_classes (CxrCamControls *self, const char *const *class_names);
/* A class index, or CXR_CAM_TARGET_TOP (the model's top class for the image, the first item). */
int            cxr_cam_controls_get_target (CxrCamControls *self);
void           cxr_cam_controls_set_target (CxrCamControls *self, int target);
/* a cxr-colormap id */
const char    *cxr_cam_controls_get_colormap (CxrCamControls *self);
void           cxr_cam_controls_set_colormap (CxrCamControls *self, const char *colormap);

/* Binds opacity, window/level and invert to @view_state. */
void           cxr_cam_controls_set_view_state (CxrCamControls *self, CxrViewState *view_state);

/* The image on screen is this DICOM file (NULL: an 8-bit image): the window presets become the file's own (its
 * windows, its VOI LUT, its full range). Borrowed for the call. */
void           cxr_cam_controls_set_dicom (CxrCamControls *self, const CxrDicomImage *dicom);
/* The model's answer for the image on screen. NAN hides a value; @positive_class NULL: no prediction. */
void           cxr_cam_controls_set_prediction (CxrCamControls *self, const char *positive_class,
                                                double probability, const char *predicted_label);
void           cxr_cam_controls_set_localisation (CxrCamControls *self, double iou, double iobb);
/* What the image is: name, findings, and a line of patient details. */
void           cxr_cam_controls_set_image_info (CxrCamControls *self, const char *name, const char *findings,
                                                const char *details);

G_END_DECLS
