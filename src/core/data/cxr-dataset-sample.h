/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dataset-sample.h: the tutorial's balanced subset and a train/validation split by patient.
 *
 * Both draw from their own generator (SplitMix64) seeded by the caller, so the same dataset and seed give the
 * same subset on every machine and every GLib version.
 */
#pragma once

#include "cxr-dataset.h"

G_BEGIN_DECLS

/* Every entry with a `positive` finding plus as many entries with a `negative` finding (and not `positive`),
 * drawn without replacement; all negatives when there are fewer. With require_image, only entries whose image
 * file was found take part. Returns indices (guint) in ascending order; *n_positive gets how many are positive.
 * The tutorial's set: positive CXR_FINDING_CARDIOMEGALY, negative CXR_FINDING_NO_FINDING. */
GArray *cxr_dataset_balanced_subset (CxrDataset *dataset, guint32 positive, guint32 negative,
                                     gboolean require_image, guint64 seed, guint *n_positive);

/* Splits indices into training and validation sets so that no patient is on both sides: patients are shuffled
 * with seed and go to validation until it holds validation_fraction of the images. Entries without a patient id
 * count as patients of their own. Both outputs are ascending. Fails with CXR_ERROR_INVALID for a fraction
 * outside [0, 1]. */
gboolean cxr_dataset_split_by_patient (CxrDataset *dataset, const guint *indices, guint n_indices,
                                       double validation_fraction, guint64 seed,
                                       GArray **train, GArray **validation, GError **error);

G_END_DECLS
