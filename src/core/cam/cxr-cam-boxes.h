/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-boxes.h: from a cached CAM to boxes and their scores, fast enough to run on every slider move.
 *
 * Nothing here runs the network or allocates per call once a workspace has grown to the image size: the
 * functions are pure and main-thread safe, and a new threshold on a 1024x1024 CAM costs well under 5 ms
 * (bench/run-cam measures it).
 *
 * Definitions (the tests check each on hand-computed cases):
 *
 *   mask        pixel (x, y) is in the mask when cam[y, x] >= t. A threshold t >= 1 gives the empty mask:
 *               a normalised CAM reaches exactly 1.0 only where float rounding of (max - min) /
 *               (max - min + 1e-7) happens to give it, so "at least 1" would depend on rounding. NaN is
 *               never in the mask.
 *   components  8-connectivity: pixels that touch by an edge or a corner belong together.
 *   boxes       pixel (x, y) covers [x, x + 1) x [y, y + 1); a component spanning columns x0 ... x1 and rows
 *               y0 ... y1 has the box x = x0, y = y0, w = x1 - x0 + 1, h = y1 - y0 + 1 (as OpenCV's
 *               boundingRect). Ground-truth boxes from BB.csv are floats in the same coordinates.
 *   order       components are ordered by pixel count, largest first; equal counts keep raster order of
 *               their first pixel (the topmost, then leftmost, first pixel comes first). That is the tie
 *               rule for the "largest" mode.
 *   modes       LARGEST: the first component's box; ALL: one box per component, in that order; UNION: one
 *               box around every pixel of the mask. An empty mask gives no box in every mode.
 *   IoU         area (A n B) / area (A u B), 0 when the union is empty.
 *   IoBB        area (P n G) / area (P): intersection over the predicted box's area (Wang et al., CVPR
 *               2017), 0 for an empty predicted box.
 *   matching    with several predicted and/or ground-truth boxes, the image's score is the pair with the
 *               highest IoU; ties go to the earlier predicted box, then the earlier ground-truth box (BB.csv
 *               order). Its IoBB is that pair's. When no pair overlaps, the first predicted box and the first
 *               ground-truth box are reported with IoU = IoBB = 0.
 */
#pragma once

#include <glib.h>

#include "cxr-bbox-store.h"

G_BEGIN_DECLS

typedef enum {
  CXR_BOX_MODE_LARGEST,
  CXR_BOX_MODE_ALL,
  CXR_BOX_MODE_UNION,
} CxrBoxMode;

/* "largest", "all", "union". */
const char *cxr_box_mode_get_name  (CxrBoxMode mode);
gboolean    cxr_box_mode_from_name (const char *name, CxrBoxMode *mode, GError **error);

/* A box in image pixels: top left corner, width, height. */
typedef struct {
  double x, y, w, h;
} CxrRect;

static inline CxrRect
cxr_rect_from_bbox (const CxrBBox *box)
{
  return (CxrRect) { box->x, box->y, box->w, box->h };
}

/* Whether a BB.csv label names @class_name: equal ignoring case, and NIH's box list says "Infiltrate" where
 * its labels (and a 14-class card) say "Infiltration". */
gboolean cxr_cam_label_matches (const char *box_label, const char *class_name);
/* The boxes (CxrBBox, as cxr_bbox_store_list_for_image gives them) whose label matches @class_name, as
 * CxrRect in the same order; NULL @class_name keeps every box. */
GArray  *cxr_cam_truth_rects (const GArray *bboxes, const char *class_name);

/* A connected component of the mask. */
typedef struct {
  int x0, y0, x1, y1;   /* inclusive pixel bounds */
  gint64 area;          /* pixels */
  int first_x, first_y; /* its first pixel in raster order (the tie rule) */
} CxrCamComponent;

/* Scratch memory that grows to the largest image it has seen and is then reused. Not thread-safe: one per
 * thread (the viewer keeps one on the main thread). */
typedef struct _CxrCamWorkspace CxrCamWorkspace;

CxrCamWorkspace *cxr_cam_workspace_new  (void);
void             cxr_cam_workspace_free (CxrCamWorkspace *workspace);

/* mask[i] = 1 where cam[i] >= threshold (threshold < 1), else 0. */
void     cxr_cam_threshold  (guint8 *mask, const float *cam, gsize n, float threshold);

/* Labels the mask's 8-connected components (any non-zero byte is "in"). Returns how many; the components,
 * in the order above, stay in the workspace until its next call. */
guint    cxr_cam_find_components (CxrCamWorkspace *workspace, const guint8 *mask, int width, int height);
const CxrCamComponent *cxr_cam_workspace_get_components (CxrCamWorkspace *workspace, guint *n_components);

/* The boxes of the workspace's components in @mode (CxrRect; empty when there are none). */
GArray  *cxr_cam_workspace_get_boxes (CxrCamWorkspace *workspace, CxrBoxMode mode);

/* Everything for one threshold: mask (written when @mask is not NULL; else kept in the workspace),
 * components and the boxes in @mode (CxrRect, largest first for ALL). */
GArray  *cxr_cam_boxes_for_threshold (CxrCamWorkspace *workspace, const float *cam, int width, int height,
                                      float threshold, CxrBoxMode mode, guint8 *mask);

double   cxr_rect_area (const CxrRect *r);
double   cxr_rect_intersection (const CxrRect *a, const CxrRect *b);
double   cxr_rect_iou  (const CxrRect *a, const CxrRect *b);
double   cxr_rect_iobb (const CxrRect *predicted, const CxrRect *truth);

/* How one image's predicted boxes fare against its ground truth (see "matching" above). */
typedef struct {
  guint n_predicted, n_truth;
  int predicted_index;      /* the reported pair; -1 when there is no predicted box */
  int truth_index;          /* -1 when there is no ground-truth box */
  CxrRect predicted, truth; /* the boxes at those indices (zero when absent) */
  double iou, iobb;         /* 0 without a predicted box; NAN without a ground-truth box (not scored) */
} CxrBoxScore;

void     cxr_box_score (CxrBoxScore *score, const CxrRect *predicted, guint n_predicted,
                        const CxrRect *truth, guint n_truth);
/* TRUE when the image counts in the summary: it has ground truth (a missing prediction scores 0). */
gboolean cxr_box_score_is_scored (const CxrBoxScore *score);

/* ---- the whole cut ------------------------------------------------------------------------------------ */

/* One CAM cut at a threshold: its boxes and how they score against the ground truth. Every place that turns a
 * CAM into boxes (the viewer, run on all, the summary, the exporter, `cam`, `sweep`) goes through
 * cxr_cam_cut, so that they cannot disagree. */
typedef struct {
  GArray *boxes;        /* CxrRect, in the mode's order (largest first) */
  CxrBoxScore score;    /* against the truth given (NAN IoU without any) */
} CxrCamCut;

/* Threshold -> mask -> components -> boxes in @mode -> score against @truth (n_truth CxrRect; may be 0).
 * @mask, when not NULL, receives the mask ([height, width]); else it stays in the workspace. @cut must be
 * cleared before reuse. */
void     cxr_cam_cut       (CxrCamCut *cut, CxrCamWorkspace *workspace, const float *cam, int width, int height,
                            float threshold, CxrBoxMode mode, const CxrRect *truth, guint n_truth, guint8 *mask);
void     cxr_cam_cut_clear (CxrCamCut *cut);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CxrCamCut, cxr_cam_cut_clear)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCamWorkspace, cxr_cam_workspace_free)

G_END_DECLS
