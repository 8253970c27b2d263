/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-localisation.h: what a viewer's "run on all" keeps of each explained image, to score it again at any threshold.
 *
 * One image's CAM at image resolution is megabytes, so a run cannot keep them all; at feature resolution it is a
 * few hundred bytes (7 x 7 floats for a ResNet-50 at 224), and the image-resolution map is exactly its bilinear
 * upsampling (cxr-cam.h). A record keeps that, the image size and the ground-truth rectangles; scoring upsamples
 * again on a worker thread. Only images with ground truth of the explained class are worth keeping: the others
 * have no IoU at any threshold.
 *
 * Records are immutable; the set only grows (on the main thread). Scoring takes a snapshot, so a run can go on
 * adding while a score is computed.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-cam-boxes.h"
#include "cxr-cam-score.h"
#include "cxr-cam.h"

G_BEGIN_DECLS

typedef struct _CxrLocalisations CxrLocalisations;

CxrLocalisations *cxr_localisations_new   (const char *class_name);
CxrLocalisations *cxr_localisations_ref   (CxrLocalisations *self);
void              cxr_localisations_unref (CxrLocalisations *self);

const char       *cxr_localisations_get_class_name (CxrLocalisations *self);
guint             cxr_localisations_get_n_records  (CxrLocalisations *self);

/* Keeps what is needed of @result (an image of dataset entry @index) and its ground truth @truth (CxrRect,
 * at least one). */
void              cxr_localisations_add   (CxrLocalisations *self, guint index, const CxrCamResult *result,
                                           const GArray *truth);

/* One record's score at the report's threshold. */
typedef struct {
  guint index;          /* the dataset entry */
  CxrBoxScore score;
} CxrLocalisationScore;

typedef struct {
  float threshold;
  GArray *scores;         /* CxrLocalisationScore, one per record, in the order they were added */
  CxrCamSummary summary;  /* at the threshold; its ids are positions in scores */
  gboolean has_sweep;
  CxrCamSweep sweep;
  char *best_name;        /* the best image's name, or NULL */
} CxrLocalisationReport;

void cxr_localisation_report_free (CxrLocalisationReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrLocalisationReport, cxr_localisation_report_free)

/* Scores every record at @threshold (and the sweep of cxr-cam-score.h when @sweep) on a worker. */
void                   cxr_localisations_score_async  (CxrLocalisations *self, float threshold, gboolean sweep,
                                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                                       gpointer user_data);
CxrLocalisationReport *cxr_localisations_score_finish (GAsyncResult *result, GError **error);
/* The same, blocking, on the calling thread. */
CxrLocalisationReport *cxr_localisations_score        (CxrLocalisations *self, float threshold, gboolean sweep,
                                                       GCancellable *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrLocalisations, cxr_localisations_unref)

G_END_DECLS
