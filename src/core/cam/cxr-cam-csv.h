/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-csv.h: rows of the tutorial's bb_results.csv, exactly as `cxrcam-cli cam` writes them
 * (docs/grad-cam.md, "Outputs"):
 *
 *   image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb
 *
 * Numbers in the shortest "%.10g" form (the threshold, a float, as "%.6g"); empty fields where there is no
 * predicted box or no ground truth; a field with a comma, quote or line break is quoted, quotes doubled.
 * Pure and thread-safe: the viewer's export writes rows on a worker.
 */
#pragma once

#include <glib.h>

#include "cxr-cam-boxes.h"
#include "cxr-cam.h"

G_BEGIN_DECLS

#define CXR_CAM_RESULTS_CSV_HEADER \
  "image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb\n"

/* The window's export adds a last column, the cardiothoracic ratio the reader measured on the image (cxr-ctr.h,
 * four decimals; empty when none was): readers that take columns by name or position keep working. */
#define CXR_CAM_RESULTS_CSV_HEADER_CTR \
  "image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb,ctr\n"

/* Appends @result's row, scored by @score at @threshold, for @label (the class name written in the file). */
void cxr_cam_csv_append_row   (GString *out, const CxrCamResult *result, const char *label, float threshold,
                               const CxrBoxScore *score);

G_END_DECLS
