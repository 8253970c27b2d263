/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-cam.h: Grad-CAM jobs on the engine thread (see cxr-engine.h for how jobs run).
 *
 * A viewer starts cxr_engine_cam_async for the image it shows (cancelling the previous request: latest
 * request wins) and keeps the CxrCamResult to re-threshold it with cxr-cam-boxes.h without running the
 * network again. "Run on all" is cxr_engine_cam_batch_async: one result per image, delivered on the
 * caller's main context as soon as it is ready, in request order; cancelling stops at the next image.
 */
#pragma once

#include "cxr-cam.h"
#include "cxr-engine.h"

G_BEGIN_DECLS

/* One image with the current model. @options (NULL: defaults) is copied. Fails with CXR_ERROR_INVALID
 * when no model is loaded or the layer or class does not exist, with the image's error when it cannot be
 * read, and with G_IO_ERROR_CANCELLED when cancelled. */
void          cxr_engine_cam_async  (CxrEngine *engine, const char *image_path, const CxrCamOptions *options,
                                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* A new reference. */
CxrCamResult *cxr_engine_cam_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

/* How far one image's explanation is, in [0, 1], on the caller's main context. Only Score-CAM and Ablation-CAM,
 * which run hundreds of forwards per image, report it. */
typedef void (*CxrCamStepProgress) (double fraction, gpointer user_data);

/* cxr_engine_cam_async with progress within the image; @step_data_free runs on the caller's context after the
 * last report. Finish with cxr_engine_cam_finish. */
void          cxr_engine_cam_async_full (CxrEngine *engine, const char *image_path, const CxrCamOptions *options,
                                         CxrCamStepProgress step, gpointer step_data, GDestroyNotify step_data_free,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);

/* Called on the caller's main context after each image, in request order, with @done of @total finished.
 * @result is borrowed for the call (cxr_cam_result_ref it to keep it); an image that could not be
 * explained has result->error set and no maps. */
typedef void (*CxrCamProgress) (CxrCamResult *result, guint done, guint total, gpointer user_data);

/* Every image with the current model. Images that fail get a result with its error; the others are still
 * processed. The job itself fails only when no model is loaded, the options do not fit it, or it was
 * cancelled. Results are not collected: @progress gets each one (one image's maps are a few MB, so a
 * whole dataset's would not fit in memory). @progress_data_free runs on the caller's context after the
 * last report. */
void          cxr_engine_cam_batch_async  (CxrEngine *engine, const char *const *paths,
                                           const CxrCamOptions *options,
                                           CxrCamProgress progress, gpointer progress_data,
                                           GDestroyNotify progress_data_free,
                                           GCancellable *cancellable, GAsyncReadyCallback callback,
                                           gpointer user_data);
/* TRUE when every image was processed (each one succeeded or carries its own error); @n_failed (may be
 * NULL) gets how many carry an error. */
gboolean      cxr_engine_cam_batch_finish (CxrEngine *engine, GAsyncResult *result, guint *n_failed,
                                           GError **error);

G_END_DECLS
