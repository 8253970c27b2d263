/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-content.h: what the four panes show for one image, shared by all of them.
 *
 * The gray image (a texture, and its 8-bit pixels for the value under the pointer), the ground-truth boxes, the
 * predicted boxes, the mask and heatmap textures and the CAM values behind the heatmap; plus a line of status per
 * CAM pane for when there is no CAM yet ("Open a model…", "Computing Grad-CAM…", an error). Everything is in
 * image pixels; the panes transform it with the shared view state.
 *
 * "changed" (CxrPaneParts) says what changed, so that a threshold change redraws the mask and ground-truth panes
 * only: the others render nothing new, and the renderer skips them.
 */
#pragma once

#include <gdk/gdk.h>

#include "cxr-ctr.h"
#include "cxr-measure-line.h"
#include "cxr-overlay-textures.h"

G_BEGIN_DECLS

typedef enum {
  CXR_PANE_PART_IMAGE     = 1 << 0,
  CXR_PANE_PART_GT_BOXES  = 1 << 1,
  CXR_PANE_PART_PREDICTED = 1 << 2,
  CXR_PANE_PART_MASK      = 1 << 3,
  CXR_PANE_PART_HEATMAP   = 1 << 4,
  CXR_PANE_PART_STATUS    = 1 << 5,
  CXR_PANE_PART_EDITING   = 1 << 6,   /* the selected box, its handles, whether the original pane shows boxes */
  CXR_PANE_PART_MEASURE   = 1 << 7,   /* the CTR calipers and the line measurements */
  CXR_PANE_PART_ALL       = 0xff,
} CxrPaneParts;

typedef struct {
  double x, y, w, h;   /* image pixels */
  guint id;            /* the BB.csv row (CxrBBox.id) of a ground-truth box, for editing; 0 for others */
  char label[48];      /* shown beside the box; may be empty */
} CxrPaneBox;

#define CXR_TYPE_PANE_CONTENT (cxr_pane_content_get_type ())
G_DECLARE_FINAL_TYPE (CxrPaneContent, cxr_pane_content, CXR, PANE_CONTENT, GObject)

CxrPaneContent *cxr_pane_content_new (void);

/* Replaces the picture and drops the CAM: a new image. @gray8 is [height * width] bytes. */
void        cxr_pane_content_set_image      (CxrPaneContent *self, CxrPyramid *image, GBytes *gray8,
                                             int width, int height);
void        cxr_pane_content_clear          (CxrPaneContent *self);
/* @from's picture (shared, not copied) in @self too; drops @self's CAM, as a new image does. */
void        cxr_pane_content_copy_image     (CxrPaneContent *self, CxrPaneContent *from);
CxrPyramid *cxr_pane_content_get_image      (CxrPaneContent *self);
void        cxr_pane_content_get_size       (CxrPaneContent *self, int *width, int *height);
/* A DICOM image's stored values under the picture (set after set_image, which drops them; NULL: none), so that
 * the window/level control can window them (cxr-window-level.h) and the readout can give them. */
void        cxr_pane_content_set_stored     (CxrPaneContent *self, CxrStoredPlane *stored);
CxrStoredPlane *cxr_pane_content_get_stored (CxrPaneContent *self);
/* The same image at another window: replaces the texture only, keeping the CAM and the boxes. */
void        cxr_pane_content_set_picture    (CxrPaneContent *self, CxrPyramid *image);
/* The 8-bit value at an image pixel as first decoded (DICOM: at the file's window), or -1 outside the image. */
int         cxr_pane_content_get_gray_at    (CxrPaneContent *self, int x, int y);

/* GArrays of CxrPaneBox (copied). */
void        cxr_pane_content_set_gt_boxes        (CxrPaneContent *self, GArray *boxes);
const GArray *cxr_pane_content_get_gt_boxes      (CxrPaneContent *self);
void        cxr_pane_content_set_predicted_boxes (CxrPaneContent *self, GArray *boxes);
const GArray *cxr_pane_content_get_predicted_boxes (CxrPaneContent *self);

/* The box editor's state, for drawing: the selected ground-truth box (a CxrPaneBox id, 0: none) gets resize
 * handles; while @editing (a box is selected or one is being drawn) the original pane shows the ground truth too,
 * so that the boxes can be edited in either pane. */
void        cxr_pane_content_set_selected_box (CxrPaneContent *self, guint id);
guint       cxr_pane_content_get_selected_box (CxrPaneContent *self);
void        cxr_pane_content_set_editing      (CxrPaneContent *self, gboolean editing);
gboolean    cxr_pane_content_get_editing      (CxrPaneContent *self);

/* The cardiothoracic ratio's calipers (cxr-ctr.h) drawn on the original and ground-truth panes: @shown says which
 * are there (CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX; 0: none). Kept across set_image (the CTR tool sets each
 * image's own); clear() drops them. */
#define CXR_PANE_CTR_HEART  1u
#define CXR_PANE_CTR_THORAX 2u
void        cxr_pane_content_set_ctr (CxrPaneContent *self, const CxrCtr *ctr, guint shown);
guint       cxr_pane_content_get_ctr (CxrPaneContent *self, CxrCtr *ctr);

/* The line measurements (cxr-measure-line.h; a GArray of CxrMeasureLine, copied; NULL: none) drawn on the original
 * and ground-truth panes, the one at @selected (G_MAXUINT: none) with its end handles. Kept across set_image, as
 * the CTR (the line tool sets each image's own); clear() drops them. */
void        cxr_pane_content_set_lines (CxrPaneContent *self, const GArray *lines, guint selected);
const GArray *cxr_pane_content_get_lines (CxrPaneContent *self, guint *selected);

/* The mask overlay (NULL: none yet). */
void        cxr_pane_content_set_mask       (CxrPaneContent *self, CxrPyramid *mask);
CxrPyramid *cxr_pane_content_get_mask       (CxrPaneContent *self);
/* The heatmap and the CAM values it shows ([height * width] floats in [0, 1]), or NULL. */
void        cxr_pane_content_set_heatmap    (CxrPaneContent *self, CxrPyramid *heatmap, GBytes *cam);
CxrPyramid *cxr_pane_content_get_heatmap    (CxrPaneContent *self);
/* The CAM value at an image pixel, or NAN. */
float       cxr_pane_content_get_cam_at     (CxrPaneContent *self, int x, int y);

/* Why the CAM panes are empty (NULL: they are not, or nothing to say). */
void        cxr_pane_content_set_cam_status (CxrPaneContent *self, const char *status);
const char *cxr_pane_content_get_cam_status (CxrPaneContent *self);

G_END_DECLS
