/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-compare.c: one decode per image, every method and layer, every threshold (see cxr-cam-compare.h). */
#include "cxr-cam-compare.h"

#include <math.h>
#include <string.h>

#include "cxr-cam-private.h"

const guint cxr_compare_accuracy_indices[CXR_COMPARE_N_ACCURACIES] = { 0, 2, 4 };

struct _CxrCamComparison {
  gatomicrefcount ref_count;
  CxrCamCompareOptions options;   /* methods and layers owned below */
  CxrCamMethod *methods;
  GStrv layers;
  GArray *rows;                   /* CxrCamCompareRow */
  CxrCamWorkspace *workspace;
  guint n_images, n_failed;
  char *label;
};

void
cxr_cam_compare_options_init (CxrCamCompareOptions *options)
{
  memset (options, 0, sizeof *options);
  options->target_class = CXR_CAM_TARGET_POSITIVE;
  options->box_mode = CXR_BOX_MODE_LARGEST;
}

static void
row_clear (gpointer data)
{
  CxrCamCompareRow *row = data;
  g_free (row->layer);
  g_free (row->canonical_layer);
}

CxrCamComparison *
cxr_cam_comparison_new (const CxrCamCompareOptions *options)
{
  CxrCamComparison *self = g_new0 (CxrCamComparison, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->options = *options;
  self->methods = g_memdup2 (options->methods, sizeof (CxrCamMethod) * options->n_methods);
  self->layers = g_strdupv ((GStrv) options->layers);
  self->options.methods = self->methods;
  self->options.layers = (const char *const *) self->layers;
  self->rows = g_array_new (FALSE, TRUE, sizeof (CxrCamCompareRow));
  g_array_set_clear_func (self->rows, row_clear);
  for (guint m = 0; m < options->n_methods; m++)
    for (guint l = 0; self->layers[l] != NULL; l++)
      {
        CxrCamCompareRow row = { .method = self->methods[m], .layer = g_strdup (self->layers[l]) };
        cxr_cam_sweep_init (&row.sweep);
        g_array_append_val (self->rows, row);
      }
  self->workspace = cxr_cam_workspace_new ();
  return self;
}

CxrCamComparison *
cxr_cam_comparison_ref (CxrCamComparison *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cxr_cam_comparison_unref (CxrCamComparison *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->rows);
  cxr_cam_workspace_free (self->workspace);
  g_free (self->methods);
  g_strfreev (self->layers);
  g_free (self->label);
  g_free (self);
}

guint
cxr_cam_comparison_get_n_rows (const CxrCamComparison *self)
{
  return self->rows->len;
}

const CxrCamCompareRow *
cxr_cam_comparison_get_row (const CxrCamComparison *self, guint i)
{
  g_return_val_if_fail (i < self->rows->len, NULL);
  return &g_array_index (self->rows, CxrCamCompareRow, i);
}

guint
cxr_cam_comparison_get_n_images (const CxrCamComparison *self)
{
  return self->n_images;
}

guint
cxr_cam_comparison_get_n_failed (const CxrCamComparison *self)
{
  return self->n_failed;
}

void
cxr_cam_comparison_add_failure (CxrCamComparison *self)
{
  self->n_failed++;
}

const char *
cxr_cam_comparison_get_label (const CxrCamComparison *self)
{
  return self->label;
}

int
cxr_cam_comparison_get_best (const CxrCamComparison *self)
{
  int best = -1;
  double best_iou = -1.0;
  for (guint i = 0; i < self->rows->len; i++)
    {
      double iou = cxr_cam_compare_row_best_mean_iou (cxr_cam_comparison_get_row (self, i));
      if (!isnan (iou) && iou > best_iou)
        {
          best_iou = iou;
          best = i;
        }
    }
  return best;
}

/* ---- a row's figures -------------------------------------------------------------------------------------- */

int
cxr_cam_compare_row_best_threshold_index (const CxrCamCompareRow *row)
{
  return cxr_cam_sweep_best (&row->sweep);
}

double
cxr_cam_compare_row_best_threshold (const CxrCamCompareRow *row)
{
  int best = cxr_cam_sweep_best (&row->sweep);
  return best < 0 ? NAN : cxr_cam_sweep_thresholds[best];
}

double
cxr_cam_compare_row_best_mean_iou (const CxrCamCompareRow *row)
{
  int best = cxr_cam_sweep_best (&row->sweep);
  return best < 0 ? NAN : cxr_cam_summary_mean_iou (&row->sweep.at[best]);
}

double
cxr_cam_compare_row_accuracy (const CxrCamCompareRow *row, guint k)
{
  g_return_val_if_fail (k < CXR_COMPARE_N_ACCURACIES, NAN);
  int best = cxr_cam_sweep_best (&row->sweep);
  return best < 0 ? NAN : cxr_cam_summary_iou_accuracy (&row->sweep.at[best], cxr_compare_accuracy_indices[k]);
}

double
cxr_cam_compare_row_pointing (const CxrCamCompareRow *row)
{
  return row->n_pointing ? (double) row->n_hits / row->n_pointing : NAN;
}

static double
faithfulness_mean (const CxrCamCompareRow *row, double sum)
{
  return row->n_faithfulness ? sum / row->n_faithfulness : NAN;
}

double
cxr_cam_compare_row_drop (const CxrCamCompareRow *row)
{
  return faithfulness_mean (row, row->sum_drop);
}

double
cxr_cam_compare_row_increase (const CxrCamCompareRow *row)
{
  return faithfulness_mean (row, row->sum_increase);
}

double
cxr_cam_compare_row_morf (const CxrCamCompareRow *row)
{
  return faithfulness_mean (row, row->sum_morf);
}

double
cxr_cam_compare_row_lerf (const CxrCamCompareRow *row)
{
  return faithfulness_mean (row, row->sum_lerf);
}

double
cxr_cam_compare_row_road (const CxrCamCompareRow *row)
{
  return (cxr_cam_compare_row_lerf (row) - cxr_cam_compare_row_morf (row)) / 2.0;
}

double
cxr_cam_compare_row_seconds_per_image (const CxrCamCompareRow *row)
{
  return row->n_images ? row->seconds / row->n_images : NAN;
}

/* ---- adding an image --------------------------------------------------------------------------------------- */

/* A map's own progress (0 ... 1), passed on as its share of the whole. */
typedef struct {
  const CxrCamMonitor *parent;
  double from, to;
} ShareOfProgress;

static void
on_share (double fraction, gpointer user_data)
{
  ShareOfProgress *share = user_data;
  share->parent->step (share->from + (share->to - share->from) * fraction, share->parent->step_data);
}

gboolean
cxr_cam_comparison_add_image (CxrCamComparison *self, CxrModel *model, const CxrImage *image, const GArray *truth,
                              guint image_id, const CxrCamMonitor *monitor, double progress_from,
                              double progress_to, GError **error)
{
  const CxrPreprocessParams *params = cxr_model_get_preprocess (model);
  float *input = cxr_alloc_floats (cxr_preprocess_output_size (params));
  cxr_preprocess (input, image, params);
  const CxrRect *rects = truth ? (const CxrRect *) truth->data : NULL;
  guint n_truth = truth ? truth->len : 0;
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < self->rows->len; i++)
    {
      CxrCamCompareRow *row = &g_array_index (self->rows, CxrCamCompareRow, i);
      double from = progress_from + (progress_to - progress_from) * i / self->rows->len;
      double to = progress_from + (progress_to - progress_from) * (i + 1) / self->rows->len;
      ShareOfProgress share = { monitor, from, to };
      CxrCamMonitor step = { monitor ? monitor->cancellable : NULL, NULL, &share };
      if (monitor != NULL && monitor->step != NULL)
        {
          step.step = on_share;
          monitor->step (from, monitor->step_data);
        }
      CxrCamOptions options;
      cxr_cam_options_init_default (&options);
      options.method = row->method;
      options.layer = row->layer;
      options.target_class = self->options.target_class;
      options.aug_smooth = self->options.aug_smooth;
      options.eigen_smooth = self->options.eigen_smooth;

      /* The perturbation methods report their own progress inside the row's share. */
      gint64 start = g_get_monotonic_time ();
      g_autoptr (CxrCamResult) result = cxr_cam_compute_input (model, image, input, &options,
                                                               cxr_cam_method_is_perturbation (row->method)
                                                               ? &step : NULL, error);
      row->seconds += (g_get_monotonic_time () - start) / 1e6;
      if (result == NULL)
        {
          ok = FALSE;
          break;
        }
      if (row->canonical_layer == NULL)
        row->canonical_layer = g_strdup (result->layer);
      if (self->label == NULL)
        self->label = g_strdup (result->target_name);
      row->n_images++;

      cxr_cam_sweep_add (&row->sweep, self->workspace, result->cam, result->width, result->height,
                         self->options.box_mode, rects, n_truth, (int) self->n_images);
      if (n_truth > 0)
        {
          row->n_pointing++;
          row->n_hits += cxr_cam_pointing_hit (result->cam, result->width, result->height, rects, n_truth, NULL,
                                               NULL);
        }
      if (self->options.faithfulness)
        {
          g_autofree float *map = cxr_cam_result_map_at (result, params->height, params->width);
          CxrCamFaithfulness figures;
          ok = cxr_cam_faithfulness (&figures, model, input, map, result->target_class, image_id, CXR_ROAD_NOISE,
                                     monitor ? monitor->cancellable : NULL, error);
          if (!ok)
            break;
          row->n_faithfulness++;
          row->sum_drop += figures.drop;
          row->sum_increase += figures.increase;
          row->sum_morf += figures.morf_mean;
          row->sum_lerf += figures.lerf_mean;
          for (int k = 0; k < CXR_ROAD_N_PERCENTILES; k++)
            {
              row->morf_curve[k] += figures.morf[k];
              row->lerf_curve[k] += figures.lerf[k];
            }
        }
      if (monitor != NULL && g_cancellable_set_error_if_cancelled (monitor->cancellable, error))
        ok = FALSE;
    }
  cxr_free_floats (input);
  if (ok)
    self->n_images++;
  return ok;
}
