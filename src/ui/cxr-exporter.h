/* cxr-exporter.h: the tutorial's outputs for a run, written on a writer thread: original_, gtimage_, mask_ and
 * pred_<name>.png per image (cxr_cam_write_images) and bb_results.csv (cxr-cam-csv.h) in one folder.
 *
 * The main thread hands each explained image over as it arrives; PNG encoding (about a hundred milliseconds for
 * four 1024 x 1024 pictures) happens on the writer, one image at a time, in arrival order. bb_results.csv is
 * written last, atomically, with a row per image in that order.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-cam.h"

G_BEGIN_DECLS

typedef struct _CxrExporter CxrExporter;

/* @label: the class written in the files ("Cardiomegaly"); @opacity: the heatmap's weight in pred_. Once
 * @cancellable (may be NULL) is cancelled, queued images are skipped. */
CxrExporter *cxr_exporter_new  (const char *folder, const char *label, float threshold, float opacity,
                                GCancellable *cancellable);
void         cxr_exporter_free (CxrExporter *self);

const char  *cxr_exporter_get_folder (CxrExporter *self);

/* Queues @result (referenced) with its ground truth @truth (CxrRect, copied; may be empty). Results that carry an
 * error are skipped. */
void         cxr_exporter_add  (CxrExporter *self, CxrCamResult *result, const GArray *truth);

/* Waits on a worker for the queue to drain and writes bb_results.csv with the rows of the images written. The
 * exporter must not be used after this call; it is freed when the task completes. */
void         cxr_exporter_finish_async  (CxrExporter *self, GAsyncReadyCallback callback, gpointer user_data);
/* The number of images written; FALSE with the first error when any file could not be written. */
gboolean     cxr_exporter_finish_finish (GAsyncResult *result, guint *n_written, GError **error);

G_END_DECLS
