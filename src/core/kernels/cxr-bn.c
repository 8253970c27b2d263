/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-bn.h"

#include <math.h>
#include <string.h>

#include "cxr-cpu.h"

void
cxr_batchnorm_fold (float *scale, float *shift,
                    const float *gamma, const float *beta,
                    const float *running_mean, const float *running_var,
                    float eps, int channels)
{
  for (int c = 0; c < channels; c++)
    {
      /* Computed in double and rounded once: folding should add no error of its own. */
      double s = (double) gamma[c] / sqrt ((double) running_var[c] + eps);
      scale[c] = (float) s;
      shift[c] = (float) (beta[c] - running_mean[c] * s);
    }
}

void
cxr_batchnorm_inference_naive (float *out, const float *inp,
                               const float *gamma, const float *beta,
                               const float *running_mean, const float *running_var,
                               float eps, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      double inv_std = 1.0 / sqrt ((double) running_var[c] + eps);
      for (gsize i = 0; i < plane; i++)
        out[c * plane + i] = (float) ((inp[c * plane + i] - running_mean[c]) * inv_std * gamma[c] + beta[c]);
    }
}

/* ---- training ---------------------------------------------------------- */

#define RELU(v) ((v) < 0.0f ? 0.0f : (v))

/* Eight floats at a time, accumulated in eight double lanes: GCC's vector extensions, so that every
 * target clone gets whole vectors (it does not vectorise a double reduction of floats by itself). */
typedef float v8sf __attribute__ ((vector_size (32)));
typedef int v8si __attribute__ ((vector_size (32)));
typedef double v8df __attribute__ ((vector_size (64)));

/* An unaligned load of eight floats (a macro: a function returning a vector would change the ABI
 * between the target clones). */
#define LOAD8(dst, p) memcpy (&(dst), (p), sizeof (v8sf))

/* The sum of a v8df's lanes, in a fixed order. A macro as well: a 64-byte vector passed by value has
 * a different ABI with and without AVX-512, so clang refuses such a call in the default clone. */
#define LANES_SUM(v) ((((v)[0] + (v)[1]) + ((v)[2] + (v)[3])) + (((v)[4] + (v)[5]) + ((v)[6] + (v)[7])))

/* Sum and sum of squares of @n floats, in double. */
CXR_TARGET_CLONES static void
sum_and_squares (const float *x, gsize n, double *sum, double *sum_sq)
{
  v8df s = { 0 }, q = { 0 };
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    {
      v8sf f;
      LOAD8 (f, x + i);
      v8df v = __builtin_convertvector (f, v8df);
      s += v;
      q += v * v;
    }
  double ts = LANES_SUM (s), tq = LANES_SUM (q);
  for (; i < n; i++)
    {
      ts += x[i];
      tq += (double) x[i] * x[i];
    }
  *sum = ts;
  *sum_sq = tq;
}

typedef struct {
  float *mean, *invstd, *running_mean, *running_var;
  const float *inp;
  int channels;
  gsize plane;
  double momentum, eps;
} StatisticsJob;

static void
statistics_thread (int thread, int n_threads, gpointer data)
{
  const StatisticsJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &begin, &end);
  for (gsize c = begin; c < end; c++)
    {
      double sum, sum_sq;
      sum_and_squares (job->inp + c * job->plane, job->plane, &sum, &sum_sq);
      double mean = sum / job->plane;
      /* In double, E[x^2] - mean^2 loses nothing that float data could hold. */
      double var = MAX (sum_sq / job->plane - mean * mean, 0.0);
      job->mean[c] = (float) mean;
      job->invstd[c] = (float) (1.0 / sqrt (var + job->eps));
      if (job->running_mean != NULL)
        {
          double unbiased = var * job->plane / (job->plane - 1);
          /* As PyTorch's CPU kernel: in double, with the double momentum, rounded once. */
          job->running_mean[c] = (float) (job->momentum * mean + (1.0 - job->momentum) * job->running_mean[c]);
          job->running_var[c] = (float) (job->momentum * unbiased + (1.0 - job->momentum) * job->running_var[c]);
        }
    }
}

void
cxr_batchnorm_train_statistics (float *mean, float *invstd, float *running_mean, float *running_var,
                                const float *inp, int channels, gsize plane, double momentum, double eps,
                                CxrParallel *parallel)
{
  g_return_if_fail (plane >= 2);
  g_return_if_fail ((running_mean == NULL) == (running_var == NULL));

  StatisticsJob job = { mean, invstd, running_mean, running_var, inp, channels, plane, momentum, eps };
  cxr_parallel_run (parallel, statistics_thread, &job);
}

void
cxr_batchnorm_train_affine (float *scale, float *shift, const float *gamma, const float *beta,
                            const float *mean, const float *invstd, int channels)
{
  /* PyTorch: alpha = invstd * weight; beta = bias - mean * alpha (float). */
  for (int c = 0; c < channels; c++)
    {
      scale[c] = invstd[c] * gamma[c];
      shift[c] = beta[c] - mean[c] * scale[c];
    }
}

CXR_TARGET_CLONES static void
apply_channel (float *restrict out, const float *restrict inp, float a, float b, const float *restrict r,
               gboolean relu, gsize n)
{
  if (r && relu)
    for (gsize i = 0; i < n; i++)
      out[i] = RELU (inp[i] * a + b + r[i]);
  else if (r)
    for (gsize i = 0; i < n; i++)
      out[i] = inp[i] * a + b + r[i];
  else if (relu)
    for (gsize i = 0; i < n; i++)
      out[i] = RELU (inp[i] * a + b);
  else
    for (gsize i = 0; i < n; i++)
      out[i] = inp[i] * a + b;
}

typedef struct {
  float *out;
  const float *inp, *scale, *shift, *residual;
  gboolean relu;
  int channels;
  gsize plane;
} ApplyJob;

static void
apply_thread (int thread, int n_threads, gpointer data)
{
  const ApplyJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &begin, &end);
  for (gsize c = begin; c < end; c++)
    apply_channel (job->out + c * job->plane, job->inp + c * job->plane, job->scale[c], job->shift[c],
                   job->residual ? job->residual + c * job->plane : NULL, job->relu, job->plane);
}

void
cxr_batchnorm_apply (float *out, const float *inp, const float *scale, const float *shift,
                     const float *residual, gboolean relu, int channels, gsize plane, CxrParallel *parallel)
{
  g_assert (out != inp && out != residual);
  ApplyJob job = { out, inp, scale, shift, residual, relu, channels, plane };
  cxr_parallel_run (parallel, apply_thread, &job);
}

/* Pass 1 of the backward pass for one channel: sum(g) and sum(g * (x - mean)), where g is dout,
 * masked to where a * x + b > 0 when @relu. */
CXR_TARGET_CLONES static void
backward_sums (const float *restrict dout, const float *restrict x, float mean, float a, float b,
               gboolean relu, gsize n, double *sum_g, double *sum_gx)
{
  v8df s = { 0 }, q = { 0 };
  const v8sf zero = { 0 };
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    {
      v8sf v, g;
      LOAD8 (v, x + i);
      LOAD8 (g, dout + i);
      if (relu)
        g = (v8sf) ((v8si) g & (v * a + b > zero));
      s += __builtin_convertvector (g, v8df);
      q += __builtin_convertvector (g * (v - mean), v8df);
    }
  double ts = LANES_SUM (s), tq = LANES_SUM (q);
  for (; i < n; i++)
    {
      float v = x[i];
      float g = (!relu || v * a + b > 0.0f) ? dout[i] : 0.0f;
      ts += g;
      tq += g * (v - mean);
    }
  *sum_g = ts;
  *sum_gx = tq;
}

/* Pass 2: dx = k_g * g + k_0 - (x - mean) * k_x, added onto dinp (@accumulate) or in place of dout. */
CXR_TARGET_CLONES static void
backward_input (float *dinp, const float *dout, const float *restrict x, float mean, float a, float b,
                gboolean relu, float k_g, float k_0, float k_x, gboolean accumulate, gsize n)
{
  if (accumulate)
    for (gsize i = 0; i < n; i++)
      {
        float v = x[i];
        float g = (!relu || v * a + b > 0.0f) ? dout[i] : 0.0f;
        dinp[i] += k_g * g + k_0 - (v - mean) * k_x;
      }
  else
    for (gsize i = 0; i < n; i++)
      {
        float v = x[i];
        float g = (!relu || v * a + b > 0.0f) ? dout[i] : 0.0f;
        dinp[i] = k_g * g + k_0 - (v - mean) * k_x;
      }
}

typedef struct {
  float *dinp, *dgamma, *dbeta;
  const float *dout, *inp, *mean, *invstd, *gamma, *scale, *shift;
  gboolean relu;
  int channels;
  gsize plane;
} BackwardJob;

static void
backward_thread (int thread, int n_threads, gpointer data)
{
  const BackwardJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &begin, &end);
  for (gsize c = begin; c < end; c++)
    {
      const float *dout = job->dout + c * job->plane;
      const float *x = job->inp + c * job->plane;
      float a = job->scale[c], b = job->shift[c];
      double sum_g, sum_gx;
      backward_sums (dout, x, job->mean[c], a, b, job->relu, job->plane, &sum_g, &sum_gx);
      double invstd = job->invstd[c];
      double dgamma = sum_gx * invstd;
      job->dbeta[c] += (float) sum_g;
      job->dgamma[c] += (float) dgamma;
      double k_g = job->gamma[c] * invstd;
      float k_0 = (float) (-k_g * sum_g / job->plane);
      float k_x = (float) (k_g * invstd * dgamma / job->plane);
      backward_input (job->dinp + c * job->plane, dout, x, job->mean[c], a, b, job->relu,
                      (float) k_g, k_0, k_x, job->dinp != job->dout, job->plane);
    }
}

void
cxr_batchnorm_train_backward (float *dinp, float *dgamma, float *dbeta, const float *dout, const float *inp,
                              const float *mean, const float *invstd, const float *gamma,
                              const float *scale, const float *shift, gboolean relu,
                              int channels, gsize plane, CxrParallel *parallel)
{
  BackwardJob job = { dinp, dgamma, dbeta, dout, inp, mean, invstd, gamma, scale, shift, relu, channels, plane };
  cxr_parallel_run (parallel, backward_thread, &job);
}

void
cxr_batchnorm_train_forward_naive (float *out, float *mean, float *invstd, float *running_mean, float *running_var,
                                   const float *inp, const float *gamma, const float *beta, gboolean relu,
                                   int channels, gsize plane, double momentum, double eps)
{
  for (int c = 0; c < channels; c++)
    {
      const float *x = inp + (gsize) c * plane;
      double m = 0, v = 0;
      for (gsize i = 0; i < plane; i++)
        m += x[i];
      m /= plane;
      for (gsize i = 0; i < plane; i++)
        v += (x[i] - m) * (x[i] - m);
      double biased = v / plane, unbiased = v / (plane - 1);
      double is = 1.0 / sqrt (biased + eps);
      mean[c] = (float) m;
      invstd[c] = (float) is;
      for (gsize i = 0; i < plane; i++)
        {
          double y = (x[i] - m) * is * gamma[c] + beta[c];
          out[(gsize) c * plane + i] = (float) (relu && y < 0 ? 0 : y);
        }
      if (running_mean)
        {
          running_mean[c] = (float) ((1 - momentum) * running_mean[c] + momentum * m);
          running_var[c] = (float) ((1 - momentum) * running_var[c] + momentum * unbiased);
        }
    }
}

void
cxr_batchnorm_train_backward_naive (float *dinp, float *dgamma, float *dbeta, const float *dout, const float *inp,
                                    const float *gamma, const float *beta, gboolean relu,
                                    int channels, gsize plane, float eps)
{
  for (int c = 0; c < channels; c++)
    {
      const float *x = inp + (gsize) c * plane;
      const float *dy = dout + (gsize) c * plane;
      double m = 0, v = 0;
      for (gsize i = 0; i < plane; i++)
        m += x[i];
      m /= plane;
      for (gsize i = 0; i < plane; i++)
        v += (x[i] - m) * (x[i] - m);
      double is = 1.0 / sqrt (v / plane + eps);
      double sg = 0, sgx = 0;
      for (gsize i = 0; i < plane; i++)
        {
          double xhat = (x[i] - m) * is;
          double g = (!relu || xhat * gamma[c] + beta[c] > 0) ? dy[i] : 0;
          sg += g;
          sgx += g * xhat;
        }
      dbeta[c] += (float) sg;
      dgamma[c] += (float) sgx;
      for (gsize i = 0; i < plane; i++)
        {
          double xhat = (x[i] - m) * is;
          double g = (!relu || xhat * gamma[c] + beta[c] > 0) ? dy[i] : 0;
          float d = (float) (gamma[c] * is * (g - sg / plane - xhat * sgx / plane));
          if (dinp == dout)
            dinp[(gsize) c * plane + i] = d;
          else
            dinp[(gsize) c * plane + i] += d;
        }
    }
}
