/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-results.h: bb_results.csv read back (cxr-cam-csv.h writes it): what a resumed `cam` run keeps and what
 * `cxrcam-cli merge` joins. Each row keeps its bytes, so rows copied into another file are the same bytes, and
 * its scores, so the summary can be made again from the file alone.
 *
 * Only complete rows count: a last line without its line break is what a run killed while appending leaves,
 * and is dropped, as is any row without the 14 fields of the header.
 */
#pragma once

#include <glib.h>

#include "cxr-cam-score.h"

G_BEGIN_DECLS

typedef struct {
  char *image;        /* the image column: "00001369_000.png" */
  char *label;
  char *line;         /* the row's bytes, its line break included */
  float threshold;
  gboolean scored;    /* it has ground truth: IoU and IoBB are filled */
  double iou, iobb;   /* NAN when not scored */
} CxrCamResultRow;

void       cxr_cam_result_row_free (CxrCamResultRow *row);

/* The complete rows of @text (a whole bb_results.csv, header first) in file order, as CxrCamResultRow. Fails with
 * CXR_ERROR_FORMAT when the header is not bb_results.csv's; @filename is for messages. */
GPtrArray *cxr_cam_results_parse     (const char *text, gsize length, const char *filename, GError **error);

/* The same from a file; a missing file gives no rows. */
GPtrArray *cxr_cam_results_load      (const char *path, GError **error);

/* Adds every row to @summary (initialised by the caller) with its index in @rows as the id, as `cam` adds its
 * images. */
void       cxr_cam_results_summarise (GPtrArray *rows, CxrCamSummary *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCamResultRow, cxr_cam_result_row_free)

G_END_DECLS
