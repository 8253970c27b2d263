/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-methods.c: one layer's map from its activations and gradients, each method as pytorch-grad-cam writes it
 * (pytorch_grad_cam/<method>.py's get_cam_weights or get_cam_image; the formulas are in cxr-cam.h), and the 2D
 * projection of utils/svd_on_activations.py. */
#include "cxr-cam-private.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void
cxr_cam_channel_weights (float *weights, CxrCamMethod method, const float *activations, const float *grad,
                         int channels, gsize plane)
{
  for (int k = 0; k < channels; k++)
    {
      const float *a = activations + (gsize) k * plane;
      const float *g = grad + (gsize) k * plane;
      double sum = 0.0;
      if (method == CXR_CAM_METHOD_GRADCAM)
        {
          for (gsize p = 0; p < plane; p++)
            sum += g[p];
          weights[k] = (float) (sum / plane);
          continue;
        }
      double s = 0.0;
      for (gsize p = 0; p < plane; p++)
        s += a[p];
      if (method == CXR_CAM_METHOD_XGRADCAM)
        {
          /* sum g A / (S + eps) */
          double denominator = s + CXR_CAM_XGRADCAM_EPS;
          for (gsize p = 0; p < plane; p++)
            sum += (double) g[p] * a[p] / denominator;
          weights[k] = (float) sum;
          continue;
        }
      /* Grad-CAM++: alpha = g^2 / (2 g^2 + S g^3 + eps), zero where g is; w = sum relu (g) alpha. */
      for (gsize p = 0; p < plane; p++)
        {
          double gp = g[p];
          if (gp <= 0.0)
            continue;  /* relu (g) = 0: no contribution, whatever alpha is */
          double g2 = gp * gp;
          double alpha = g2 / (2.0 * g2 + s * g2 * gp + CXR_CAM_PLUSPLUS_EPS);
          sum += gp * alpha;
        }
      weights[k] = (float) sum;
    }
}

void
cxr_cam_weighted_sum (float *cam, const float *weights, const float *activations, int channels, gsize plane)
{
  /* In double: a few hundred thousand products, and the map's small differences are what is shown. */
  g_autofree double *sum = g_new0 (double, plane);
  for (int k = 0; k < channels; k++)
    {
      const float *a = activations + (gsize) k * plane;
      double wk = weights[k];
      if (wk == 0.0)
        continue;
      for (gsize p = 0; p < plane; p++)
        sum[p] += wk * a[p];
    }
  for (gsize p = 0; p < plane; p++)
    cam[p] = sum[p] > 0.0 ? (float) sum[p] : 0.0f;
}

/* ---- the 2D projection --------------------------------------------------------------------------------- */

/* LAPACK, as OpenBLAS exports it (gfortran's convention: the lengths of the character arguments last). */
extern void dsyevr_ (const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
                     const double *vl, const double *vu, const int *il, const int *iu, const double *abstol, int *m,
                     double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork, int *iwork,
                     const int *liwork, int *info, size_t jobz_length, size_t range_length, size_t uplo_length);

/* The eigenvector of the symmetric n x n matrix @a (its upper triangle is read; it is overwritten) with the
 * largest eigenvalue. FALSE when LAPACK fails. */
static gboolean
top_eigenvector (double *a, int n, double *vector, double *value)
{
  int m = 0, info = 0, isuppz[2], lwork = -1, liwork = -1, iwork_size = 0;
  double abstol = 0.0, vl = 0.0, vu = 0.0, work_size = 0.0;
  dsyevr_ ("V", "I", "U", &n, a, &n, &vl, &vu, &n, &n, &abstol, &m, value, vector, &n, isuppz, &work_size, &lwork,
           &iwork_size, &liwork, &info, 1, 1, 1);
  if (info != 0)
    return FALSE;
  lwork = (int) work_size;
  liwork = iwork_size;
  g_autofree double *work = g_new (double, MAX (lwork, 1));
  g_autofree int *iwork = g_new (int, MAX (liwork, 1));
  /* The values of @value beyond the first are not needed: LAPACK writes m = 1 of them. */
  dsyevr_ ("V", "I", "U", &n, a, &n, &vl, &vu, &n, &n, &abstol, &m, value, vector, &n, isuppz, work, &lwork,
           iwork, &liwork, &info, 1, 1, 1);
  return info == 0 && m == 1;
}

void
cxr_cam_projection (float *out, const float *x, int channels, gsize plane)
{
  int n_plane = (int) plane;
  /* The matrix pytorch-grad-cam decomposes is M [plane, channels] = x^T, centred per channel. In double. */
  g_autofree double *centred = g_new (double, (gsize) channels * plane);  /* [channels, plane] */
  g_autofree double *position_sum = g_new0 (double, plane);
  for (int k = 0; k < channels; k++)
    {
      const float *row = x + (gsize) k * plane;
      double *c = centred + (gsize) k * plane;
      double mean = 0.0;
      for (gsize p = 0; p < plane; p++)
        {
          c[p] = isnan (row[p]) ? 0.0 : row[p];
          mean += c[p];
          position_sum[p] += c[p];
        }
      mean /= plane;
      for (gsize p = 0; p < plane; p++)
        c[p] -= mean;
    }

  /* M v1 = sigma1 u1: from the plane x plane Gram matrix M M^T (u1, sigma1^2) or, when there are fewer channels,
   * from M^T M (v1), whichever is smaller. */
  g_autofree double *projection = g_new0 (double, plane);
  double value[1] = { 0.0 };
  gboolean ok;
  if (n_plane <= channels)
    {
      g_autofree double *gram = g_new0 (double, plane * plane);
      g_autofree double *u = g_new0 (double, plane);
      /* gram = C^T C for C = centred [channels, plane] (row-major): plane x plane. */
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, n_plane, channels, 1.0, centred, n_plane, 0.0, gram,
                   n_plane);
      /* Filled whole, so that it does not matter which triangle LAPACK reads. */
      for (int i = 0; i < n_plane; i++)
        for (int j = 0; j < i; j++)
          gram[(gsize) i * plane + j] = gram[(gsize) j * plane + i];
      ok = top_eigenvector (gram, n_plane, u, value);
      double sigma = sqrt (MAX (value[0], 0.0));
      for (gsize p = 0; ok && p < plane; p++)
        projection[p] = sigma * u[p];
    }
  else
    {
      g_autofree double *gram = g_new0 (double, (gsize) channels * channels);
      g_autofree double *v = g_new0 (double, channels);
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, channels, n_plane, 1.0, centred, n_plane, 0.0, gram,
                   channels);
      for (int i = 0; i < channels; i++)
        for (int j = 0; j < i; j++)
          gram[(gsize) i * channels + j] = gram[(gsize) j * channels + i];
      ok = top_eigenvector (gram, channels, v, value);
      for (int k = 0; ok && k < channels; k++)
        {
          const double *c = centred + (gsize) k * plane;
          for (gsize p = 0; p < plane; p++)
            projection[p] += c[p] * v[k];
        }
    }

  /* The singular vector's sign is arbitrary: take the one under which the map follows the activations. */
  double agreement = 0.0;
  for (gsize p = 0; p < plane; p++)
    agreement += projection[p] * position_sum[p];
  double sign = agreement < 0.0 ? -1.0 : 1.0;
  for (gsize p = 0; p < plane; p++)
    out[p] = (float) (sign * projection[p]);
}

/* ---- one layer's map ----------------------------------------------------------------------------------- */

void
cxr_cam_layer_image (float *cam, CxrCamMethod method, gboolean eigen_smooth, const float *activations,
                     const float *grad, const float *weights, int channels, gsize plane)
{
  gsize size = (gsize) channels * plane;

  if (weights != NULL && !eigen_smooth)
    {
      cxr_cam_weighted_sum (cam, weights, activations, channels, plane);
      return;
    }

  /* The summands of the channel sum, [channels, plane]. */
  g_autofree float *terms = NULL;
  const float *x = activations;
  if (weights != NULL)
    {
      terms = g_new (float, size);
      for (int k = 0; k < channels; k++)
        for (gsize p = 0; p < plane; p++)
          terms[(gsize) k * plane + p] = weights[k] * activations[(gsize) k * plane + p];
      x = terms;
    }
  else if (method != CXR_CAM_METHOD_EIGENCAM)
    {
      terms = g_new (float, size);
      for (gsize i = 0; i < size; i++)
        {
          float g = grad[i], a = activations[i];
          switch (method)
            {
            case CXR_CAM_METHOD_GRADCAM_ELEMENTWISE:
              terms[i] = MAX (g * a, 0.0f);
              break;
            case CXR_CAM_METHOD_LAYERCAM:
              terms[i] = MAX (g, 0.0f) * a;
              break;
            default:   /* HiRes-CAM, EigenGrad-CAM */
              terms[i] = g * a;
              break;
            }
        }
      x = terms;
    }

  if (eigen_smooth || method == CXR_CAM_METHOD_EIGENCAM || method == CXR_CAM_METHOD_EIGENGRADCAM)
    cxr_cam_projection (cam, x, channels, plane);
  else
    {
      g_autofree double *sum = g_new0 (double, plane);
      for (int k = 0; k < channels; k++)
        for (gsize p = 0; p < plane; p++)
          sum[p] += x[(gsize) k * plane + p];
      for (gsize p = 0; p < plane; p++)
        cam[p] = (float) sum[p];
    }
  for (gsize p = 0; p < plane; p++)
    cam[p] = cam[p] > 0.0f ? cam[p] : 0.0f;
}
