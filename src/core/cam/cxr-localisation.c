/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-localisation.c: feature-resolution CAMs kept per image, scored again on a worker. */
#include "cxr-localisation.h"

#include <string.h>

#include "cxr-resize.h"

typedef struct {
  guint index;
  char *name;
  int width, height;
  int feature_width, feature_height;
  float *cam_features;   /* [feature_height, feature_width] */
  GArray *truth;         /* CxrRect */
} Record;

struct _CxrLocalisations {
  char *class_name;
  GPtrArray *records;    /* Record*, owned by rc boxes: see record_ref */
};

static void
record_clear (Record *record)
{
  g_free (record->name);
  g_free (record->cam_features);
  g_array_unref (record->truth);
}

static Record *
record_ref (Record *record)
{
  return g_atomic_rc_box_acquire (record);
}

static void
record_unref (Record *record)
{
  g_atomic_rc_box_release_full (record, (GDestroyNotify) record_clear);
}

CxrLocalisations *
cxr_localisations_new (const char *class_name)
{
  CxrLocalisations *self = g_atomic_rc_box_new0 (CxrLocalisations);
  self->class_name = g_strdup (class_name);
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_unref);
  return self;
}

CxrLocalisations *
cxr_localisations_ref (CxrLocalisations *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
localisations_clear (CxrLocalisations *self)
{
  g_ptr_array_unref (self->records);
  g_free (self->class_name);
}

void
cxr_localisations_unref (CxrLocalisations *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) localisations_clear);
}

const char *
cxr_localisations_get_class_name (CxrLocalisations *self)
{
  return self->class_name;
}

guint
cxr_localisations_get_n_records (CxrLocalisations *self)
{
  return self->records->len;
}

void
cxr_localisations_add (CxrLocalisations *self, guint index, const CxrCamResult *result, const GArray *truth)
{
  g_return_if_fail (result->cam_features != NULL);
  g_return_if_fail (truth != NULL && truth->len > 0);

  Record *record = g_atomic_rc_box_new0 (Record);
  record->index = index;
  record->name = g_strdup (result->name);
  record->width = result->width;
  record->height = result->height;
  record->feature_width = result->feature_width;
  record->feature_height = result->feature_height;
  record->cam_features = g_memdup2 (result->cam_features,
                                    sizeof (float) * result->feature_width * result->feature_height);
  record->truth = g_array_sized_new (FALSE, FALSE, sizeof (CxrRect), truth->len);
  g_array_append_vals (record->truth, truth->data, truth->len);
  g_ptr_array_add (self->records, record);
}

void
cxr_localisation_report_free (CxrLocalisationReport *report)
{
  if (report == NULL)
    return;
  g_array_unref (report->scores);
  g_free (report->best_name);
  g_free (report);
}

static CxrLocalisationReport *
score_records (GPtrArray *records, float threshold, gboolean sweep, GCancellable *cancellable)
{
  g_autoptr (CxrCamWorkspace) workspace = cxr_cam_workspace_new ();
  g_autofree float *cam = NULL;
  gsize cam_size = 0;
  CxrLocalisationReport *report = g_new0 (CxrLocalisationReport, 1);

  report->threshold = threshold;
  report->scores = g_array_sized_new (FALSE, TRUE, sizeof (CxrLocalisationScore), records->len);
  report->has_sweep = sweep;
  cxr_cam_summary_init (&report->summary);
  if (sweep)
    cxr_cam_sweep_init (&report->sweep);

  for (guint i = 0; i < records->len; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      const Record *record = g_ptr_array_index (records, i);
      gsize n = (gsize) record->width * record->height;
      if (n > cam_size)
        {
          g_free (cam);
          cam = g_new (float, n);
          cam_size = n;
        }
      /* The same upsampling cxr-cam.c applies, so this is the CAM the viewer showed. */
      cxr_resize_bilinear (cam, record->height, record->width, record->cam_features, record->feature_height,
                           record->feature_width);

      g_auto (CxrCamCut) cut = { NULL };
      cxr_cam_cut (&cut, workspace, cam, record->width, record->height, threshold, CXR_BOX_MODE_LARGEST,
                   (const CxrRect *) record->truth->data, record->truth->len, NULL);
      CxrLocalisationScore score = { .index = record->index, .score = cut.score };
      g_array_append_val (report->scores, score);
      cxr_cam_summary_add (&report->summary, &score.score, (int) i);
      if (sweep)
        cxr_cam_sweep_add (&report->sweep, workspace, cam, record->width, record->height, CXR_BOX_MODE_LARGEST,
                           (const CxrRect *) record->truth->data, record->truth->len, (int) i);
    }

  if (report->summary.best_index >= 0)
    report->best_name = g_strdup (((const Record *) g_ptr_array_index (records, report->summary.best_index))->name);
  return report;
}

typedef struct {
  GPtrArray *records;   /* a snapshot: references to the records at the time of the call */
  float threshold;
  gboolean sweep;
} ScoreRequest;

static void
score_request_free (ScoreRequest *request)
{
  g_ptr_array_unref (request->records);
  g_free (request);
}

static GPtrArray *
snapshot (CxrLocalisations *self)
{
  GPtrArray *records = g_ptr_array_new_full (self->records->len, (GDestroyNotify) record_unref);
  for (guint i = 0; i < self->records->len; i++)
    g_ptr_array_add (records, record_ref (g_ptr_array_index (self->records, i)));
  return records;
}

static void
score_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  ScoreRequest *request = task_data;
  CxrLocalisationReport *report = score_records (request->records, request->threshold, request->sweep, cancellable);
  if (g_cancellable_is_cancelled (cancellable))
    {
      cxr_localisation_report_free (report);
      g_task_return_error_if_cancelled (task);
      return;
    }
  g_task_return_pointer (task, report, (GDestroyNotify) cxr_localisation_report_free);
}

void
cxr_localisations_score_async (CxrLocalisations *self, float threshold, gboolean sweep, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  ScoreRequest *request = g_new0 (ScoreRequest, 1);
  request->records = snapshot (self);
  request->threshold = threshold;
  request->sweep = sweep;

  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_localisations_score_async);
  g_task_set_task_data (task, request, (GDestroyNotify) score_request_free);
  g_task_run_in_thread (task, score_in_thread);
}

CxrLocalisationReport *
cxr_localisations_score_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

CxrLocalisationReport *
cxr_localisations_score (CxrLocalisations *self, float threshold, gboolean sweep, GCancellable *cancellable)
{
  g_autoptr (GPtrArray) records = snapshot (self);
  return score_records (records, threshold, sweep, cancellable);
}
