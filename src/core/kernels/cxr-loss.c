/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-loss.h"

#include <math.h>

/* log(1 + exp(-x)) without overflow for any x. */
static double
softplus_negative (double x)
{
  return log1p (exp (-fabs (x))) + MAX (-x, 0.0);
}

static double
sigmoid (double x)
{
  return x >= 0 ? 1.0 / (1.0 + exp (-x)) : exp (x) / (1.0 + exp (x));
}

double
cxr_loss_bce_with_logits (float *dlogits, const float *logits, const float *targets, const float *pos_weight,
                          int n, int outputs)
{
  gsize count = (gsize) n * outputs;
  double total = 0.0;
  for (gsize i = 0; i < count; i++)
    {
      double x = logits[i], t = targets[i];
      double p = pos_weight ? pos_weight[i % outputs] : 1.0;
      double log_weight = 1.0 + (p - 1.0) * t;
      total += (1.0 - t) * x + log_weight * softplus_negative (x);
      if (dlogits)
        dlogits[i] = (float) ((log_weight * sigmoid (x) - p * t) / count);
    }
  return total / count;
}

double
cxr_loss_cross_entropy (float *dlogits, const float *logits, const guint8 *targets, const float *class_weight,
                        int n, int classes)
{
  double total = 0.0, weight_sum = 0.0;
  for (int b = 0; b < n; b++)
    {
      const float *x = logits + (gsize) b * classes;
      int y = targets[b];
      g_return_val_if_fail (y < classes, NAN);
      double top = x[0];
      for (int c = 1; c < classes; c++)
        top = MAX (top, x[c]);
      double sum = 0.0;
      for (int c = 0; c < classes; c++)
        sum += exp (x[c] - top);
      double w = class_weight ? class_weight[y] : 1.0;
      total += w * (log (sum) + top - x[y]);
      weight_sum += w;
    }

  if (dlogits)
    for (int b = 0; b < n; b++)
      {
        const float *x = logits + (gsize) b * classes;
        int y = targets[b];
        double top = x[0];
        for (int c = 1; c < classes; c++)
          top = MAX (top, x[c]);
        double sum = 0.0;
        for (int c = 0; c < classes; c++)
          sum += exp (x[c] - top);
        double w = class_weight ? class_weight[y] : 1.0;
        for (int c = 0; c < classes; c++)
          dlogits[(gsize) b * classes + c] = (float) (w * (exp (x[c] - top) / sum - (c == y)) / weight_sum);
      }
  return total / weight_sum;
}

double
cxr_loss_for_head (float *dlogits, const float *logits, const guint8 *labels, int n, int outputs, float pos_weight)
{
  gboolean weighted = pos_weight > 0;
  if (outputs == 2)
    {
      float class_weight[2] = { 1.0f, pos_weight };
      return cxr_loss_cross_entropy (dlogits, logits, labels, weighted ? class_weight : NULL, n, 2);
    }
  gsize count = (gsize) n * outputs;
  g_autofree float *targets = g_new (float, count);
  g_autofree float *pos_weights = weighted ? g_new (float, outputs) : NULL;
  for (gsize i = 0; i < count; i++)
    targets[i] = labels[i] ? 1.0f : 0.0f;
  for (int o = 0; weighted && o < outputs; o++)
    pos_weights[o] = pos_weight;
  return cxr_loss_bce_with_logits (dlogits, logits, targets, pos_weights, n, outputs);
}
