/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-loader.h: a thread that prepares the next batches while the network trains on this one.
 *
 * A loader walks one epoch's order (cxr_train_data_epoch_order) in batches: for each image it decodes
 * and caches it if it is not cached yet (the first epoch), renders it (augmented or plain) and copies
 * its labels. Up to two batches wait ready ahead of the consumer, in three buffers that go round
 * (no allocation per batch). Image p of the order is rendered with the generator seed
 * cxr_train_seed_mix (seed, epoch, p), so batches do not depend on timing and a loader started at
 * batch k gives what an uninterrupted one gives from batch k on.
 *
 * The last partial batch is kept unless it would hold a single image and @drop_single is set (a
 * BatchNorm in training mode refuses one image of 1x1).
 *
 * The loader owns its thread; the consumer calls everything else from one thread.
 */
#pragma once

#include "cxr-train-data.h"

G_BEGIN_DECLS

typedef struct {
  int n;            /* images in this batch */
  guint number;     /* the batch's number in the epoch */
  float *input;     /* [n, C, H, W] as PyTorch lays a batch out */
  guint8 *labels;   /* [n, n_labels] */
  guint *indices;   /* [n] the images' indices in the data */
} CxrBatch;

typedef struct _CxrLoader CxrLoader;

/* @data must outlive the loader, and no other thread may fill its cache meanwhile. @order is copied. */
CxrLoader *cxr_loader_new           (CxrTrainData *data, const guint *order, guint n_order, int batch_size,
                                     gboolean drop_single, const CxrAugmentParams *augment, guint64 seed,
                                     guint epoch, guint first_batch);
guint      cxr_loader_get_n_batches (const CxrLoader *loader);
/* The next batch (borrowed until cxr_loader_recycle), waiting for it if needed; NULL after the last
 * one, or on error (an image that cannot be read). */
CxrBatch  *cxr_loader_next          (CxrLoader *loader, GError **error);
void       cxr_loader_recycle       (CxrLoader *loader, CxrBatch *batch);
/* Stops the thread (at its next image) and frees everything. */
void       cxr_loader_free          (CxrLoader *loader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrLoader, cxr_loader_free)

G_END_DECLS
