/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-titles.h: the CAM methods as the window names them ("Score‑CAM"), for the status line, the compare
 * table and the side-by-side captions; the command line's names (cxr_cam_method_get_name) stay for files. */
#pragma once

#include "cxr-cam.h"

G_BEGIN_DECLS

/* Translated; never NULL. */
const char *cxr_method_title (CxrCamMethod method);

/* A target layer as the Target layer row names it: "layer4", or "layer3 + layer4" for a fused list
 * ("layer3,layer4"). A new string. */
char       *cxr_layer_title  (const char *layer);

G_END_DECLS
