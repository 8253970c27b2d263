/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-ctr-tool.h: measuring the cardiothoracic ratio with the pointer (issue 16, point 4).
 *
 * start() (T) arms the tool: the next primary drag on the original or ground-truth pane lays the heart caliper
 * across the heart's widest extent, the one after it the thorax caliper; each is horizontal, at the row where its
 * drag began. seed_heart() (Shift+T) takes the heart caliper from a box (the model's Cardiomegaly box) and arms
 * the thorax one. Escape-like cancel() drops what is half done. When both are there, "measured" (no arguments)
 * tells the window, which stores the measurement in the review sidecar. The calipers show through the panes'
 * content (cxr_pane_content_set_ctr); set_measurement() shows an image's stored one.
 */
#pragma once

#include <glib-object.h>

#include "cxr-ctr.h"
#include "cxr-pane-content.h"
#include "cxr-pane-view.h"

G_BEGIN_DECLS

typedef enum {
  CXR_CTR_TOOL_IDLE,
  CXR_CTR_TOOL_HEART,    /* the next drag lays the heart caliper */
  CXR_CTR_TOOL_THORAX,   /* ... the thorax caliper */
} CxrCtrToolStep;

#define CXR_TYPE_CTR_TOOL (cxr_ctr_tool_get_type ())
G_DECLARE_FINAL_TYPE (CxrCtrTool, cxr_ctr_tool, CXR, CTR_TOOL, GObject)

CxrCtrTool     *cxr_ctr_tool_new          (CxrPaneContent *content);
void            cxr_ctr_tool_attach_pane  (CxrCtrTool *self, CxrPaneView *pane);

/* The image's measurement (NULL: none); stops measuring. */
void            cxr_ctr_tool_set_measurement (CxrCtrTool *self, const CxrCtr *ctr);
/* TRUE and the calipers when both are laid. */
gboolean        cxr_ctr_tool_get_measurement (CxrCtrTool *self, CxrCtr *ctr);

void            cxr_ctr_tool_start        (CxrCtrTool *self);
void            cxr_ctr_tool_seed_heart   (CxrCtrTool *self, const CxrCaliper *heart);
void            cxr_ctr_tool_cancel       (CxrCtrTool *self);
/* Notifies "step". */
CxrCtrToolStep  cxr_ctr_tool_get_step     (CxrCtrTool *self);

G_END_DECLS
