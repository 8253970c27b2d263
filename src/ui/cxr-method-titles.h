/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-titles.h: the CAM methods and layers as the window names and offers them ("Score‑CAM"), for the status line, the compare
 * table and the side-by-side captions; the command line's names (cxr_cam_method_get_name) stay for files. */
#pragma once

#include "cxr-cam.h"

G_BEGIN_DECLS

/* The target layers the window offers, in the Target layer row's order: the stages' last blocks, then fusions
 * (as LayerCAM's paper fuses layers): layer2 and layer3, layer3 and layer4, layer2 to layer4. The demo's
 * comparison tries each fusion, so that the window can open on whichever wins. The settings' cam-layer choices,
 * the Methods page's check boxes and `cxrcam --layer` are these. */
#define CXR_N_LAYER_CHOICES 7
extern const char *const cxr_layer_choices[CXR_N_LAYER_CHOICES];

/* Translated; never NULL. */
const char *cxr_method_title (CxrCamMethod method);

/* A target layer as the Target layer row names it: "layer4", or "layer3 + layer4" for a fused list
 * ("layer3,layer4"). A new string. */
char       *cxr_layer_title  (const char *layer);

G_END_DECLS
