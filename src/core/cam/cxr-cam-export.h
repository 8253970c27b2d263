/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-export.h: the tutorial's outputs for a set of explained images, as `cxrcam-cli cam` and the viewer's
 * Export write them: original_, gtimage_, mask_ and pred_<name>.png per image (cxr_cam_write_images), optionally
 * <name>.cam.npy, and bb_results.csv (cxr-cam-csv.h) with one row per image in the order they were added.
 *
 * The caller hands each explained image over as it arrives. The cut (threshold, boxes, score: cxr_cam_cut) and
 * the CSV row are made at once on the caller's thread, which gets the cut back to show; drawing and PNG encoding
 * (about 150 ms of CPU for four 1024 x 1024 pictures) happen on one writer thread per core, in any order, so the
 * rows' order is the order of the calls whatever finishes first.
 *
 * bb_results.csv is there from the start: the exporter writes it (header and @previous_rows) when it is made and
 * appends each image's row, in one write, once its pictures are in place, so a run killed at any moment leaves
 * complete rows only for images whose files are all whole (a resumed `cam` skips those). When the exporter
 * finishes it writes the file again, atomically, in the order of the calls.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-cam-boxes.h"
#include "cxr-cam.h"

G_BEGIN_DECLS

typedef struct {
  const char *folder;       /* created if needed */
  const char *label;        /* the class written in the files, "Cardiomegaly" */
  float threshold;
  CxrBoxMode box_mode;
  float opacity;            /* the heatmap's weight in pred_ */
  gboolean save_cam;        /* also <name>.cam.npy: the CAM at image resolution, float32 */
  const char *previous_rows; /* complete rows of an earlier run kept in bb_results.csv (NULL: none) */
  gboolean ctr_column;       /* bb_results.csv gets the "ctr" column (CXR_CAM_RESULTS_CSV_HEADER_CTR): the window's
                             * export; @previous_rows must then have it too */
  gboolean wait_when_busy;  /* cxr_cam_exporter_add waits while two images per writer are queued: memory stays
                             * bounded when images arrive faster than they are written (the command line; a
                             * window's main loop must not wait) */
} CxrCamExportOptions;

/* The defaults of cxr_cam_render_options_init, no folder and no label. */
void            cxr_cam_export_options_init (CxrCamExportOptions *options);

typedef struct _CxrCamExporter CxrCamExporter;

/* Copies @options. Fails when the folder cannot be created. Once @cancellable (may be NULL) is cancelled,
 * queued pictures are skipped. */
CxrCamExporter *cxr_cam_exporter_new        (const CxrCamExportOptions *options, GCancellable *cancellable,
                                             GError **error);
void            cxr_cam_exporter_free       (CxrCamExporter *self);

const char     *cxr_cam_exporter_get_folder (CxrCamExporter *self);

/* Cuts @result (an image without error) against @truth (CxrRect; may be NULL or empty), adds its row and queues
 * its files. @cut (may be NULL) receives the cut; clear it after use. Results that carry an error are skipped
 * (and @cut is left empty). */
void            cxr_cam_exporter_add        (CxrCamExporter *self, CxrCamResult *result, const GArray *truth,
                                             CxrCamCut *cut);

/* The same with the image's cardiothoracic ratio (NAN: none) for the ctr column. */
void            cxr_cam_exporter_add_with_ctr (CxrCamExporter *self, CxrCamResult *result, const GArray *truth,
                                               CxrCamCut *cut, double ctr);

/* How many writer threads an exporter uses: $CXR_NUM_THREADS if set, else one per physical core. */
int             cxr_cam_exporter_default_writers (void);

/* A row kept from an earlier run (a line of bb_results.csv, its line break included), placed in the final file
 * here, among the rows of cxr_cam_exporter_add. Nothing is drawn. */
void            cxr_cam_exporter_add_row    (CxrCamExporter *self, const char *line);

/* Images whose files are done (written or failed) so far; any thread may ask, for a progress bar. */
guint           cxr_cam_exporter_get_n_done (CxrCamExporter *self);

/* Waits for the queued files and writes bb_results.csv. @n_written (may be NULL) gets the number of images whose
 * files were all written; FALSE with the first error when any file could not be written. Call once. */
gboolean        cxr_cam_exporter_finish     (CxrCamExporter *self, guint *n_written, GError **error);

/* The same on a worker thread; the exporter is freed when the task completes and must not be used after this
 * call. */
void            cxr_cam_exporter_finish_async  (CxrCamExporter *self, GAsyncReadyCallback callback,
                                                gpointer user_data);
gboolean        cxr_cam_exporter_finish_finish (GAsyncResult *result, guint *n_written, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCamExporter, cxr_cam_exporter_free)

G_END_DECLS
