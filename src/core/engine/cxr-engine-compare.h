/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-compare.h: the method comparison (cxr-cam-compare.h) as an engine job over a list of images. */
#pragma once

#include "cxr-cam-compare.h"
#include "cxr-engine.h"

G_BEGIN_DECLS

/* On the caller's main context: @fraction of the whole job done (it moves within an image too), @done of @total
 * images finished. */
typedef void (*CxrCompareProgress) (double fraction, guint done, guint total, gpointer user_data);

/* Compares on every image of @paths with the current model; @truths (may be NULL) holds each image's ground truth
 * (a GArray of CxrRect, in the order of @paths). Images that cannot be read are counted and skipped. Fails when no
 * model is loaded, a layer or the class does not fit it, or when cancelled (G_IO_ERROR_CANCELLED). */
void              cxr_engine_compare_async  (CxrEngine *engine, const char *const *paths, GPtrArray *truths,
                                             const CxrCamCompareOptions *options, CxrCompareProgress progress,
                                             gpointer progress_data, GDestroyNotify progress_data_free,
                                             GCancellable *cancellable, GAsyncReadyCallback callback,
                                             gpointer user_data);
/* A new reference. */
CxrCamComparison *cxr_engine_compare_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

G_END_DECLS
