/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-conv.c: the convolution's forward pass: which algorithm, and the GEMM-based ones (see cxr-conv.h). */
#include "cxr-conv-private.h"

#include "cxr-gemm.h"
#include "cxr-winograd.h"

/* im2col's scratch stays under this many floats (8 MB): a bigger input (the stem at batch 8
 * would take 59 MB) is done in chunks of output rows, each one GEMM. */
#define FORWARD_CHUNK_FLOATS (2u << 20)

gboolean
cxr_conv_is_pointwise (const CxrConvGeometry *g)
{
  return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1
         && g->pad_h == 0 && g->pad_w == 0;
}

CxrConvAlgorithm
cxr_conv_algorithm (const CxrConvGeometry *g, int n, int h, int w)
{
  if (cxr_winograd_preferred (g, n, h, w))
    return CXR_CONV_WINOGRAD;
  if (cxr_conv_is_pointwise (g))
    return CXR_CONV_POINTWISE;
  return CXR_CONV_IM2COL;
}

gsize
cxr_conv2d_forward_workspace_floats (const CxrConvGeometry *g, int n, int h, int w, gboolean transform_weight)
{
  switch (cxr_conv_algorithm (g, n, h, w))
    {
    case CXR_CONV_WINOGRAD:
      return cxr_winograd_workspace_floats (g, n, h, w) + (transform_weight ? cxr_winograd_weight_floats (g) : 0);
    case CXR_CONV_POINTWISE:
      return 0;
    case CXR_CONV_IM2COL:
    default:
      break;
    }
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, FORWARD_CHUNK_FLOATS);
  return (gsize) g->in_channels * g->kernel_h * g->kernel_w * c.max_columns;
}

/* out[Cout, columns] = epilogue (weight[Cout, depth] x col[depth, columns]): one GEMM on the input
 * itself when pointwise, else one per chunk of output rows after im2col. */
static void
gemm_convolve (float *out, const float *inp, const float *weight, CxrEpilogue epilogue,
               const CxrConvGeometry *g, int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, FORWARD_CHUNK_FLOATS);
  gsize columns = (gsize) n * c.ho * c.wo;
  int depth = g->in_channels * g->kernel_h * g->kernel_w;
  epilogue.ldr = columns;

  if (cxr_conv_is_pointwise (g))
    {
      cxr_gemm (parallel, g->out_channels, columns, depth, weight, depth, inp, columns, out, columns, &epilogue);
      return;
    }

  /* In chunks of output rows: columns [unit0 * Wo, unit1 * Wo) of out and residual. */
  const float *residual = epilogue.residual;
  for (int unit0 = 0; unit0 < c.units; unit0 += c.per_chunk)
    {
      int unit1 = MIN (c.units, unit0 + c.per_chunk);
      gsize offset = (gsize) unit0 * c.wo, chunk = (gsize) (unit1 - unit0) * c.wo;
      cxr_im2col_units (workspace, inp, g, n, h, w, unit0, unit1, parallel);
      epilogue.residual = residual ? residual + offset : NULL;
      cxr_gemm (parallel, g->out_channels, chunk, depth, weight, depth, workspace, chunk, out + offset, columns,
                &epilogue);
    }
}

/* The forward pass by the chosen algorithm; with @accumulate, out += conv (inp) (no epilogue). */
static void
convolve (float *out, const float *inp, const float *weight, const float *winograd_weight, const float *scale,
          const float *shift, const float *residual, gboolean relu, gboolean accumulate,
          const CxrConvGeometry *g, int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  g_assert (out != inp && out != residual);

  if (cxr_conv_algorithm (g, n, h, w) != CXR_CONV_WINOGRAD)
    {
      CxrEpilogue epilogue = { scale, shift, residual, 0, relu, accumulate };
      gemm_convolve (out, inp, weight, epilogue, g, n, h, w, workspace, parallel);
      return;
    }
  if (winograd_weight == NULL)
    {
      cxr_winograd_transform_weight (workspace, weight, g, parallel);
      winograd_weight = workspace;
      workspace += cxr_winograd_weight_floats (g);
    }
  if (accumulate)
    cxr_winograd_conv2d_accumulate (out, inp, winograd_weight, g, n, h, w, workspace, parallel);
  else
    cxr_winograd_conv2d_forward (out, inp, winograd_weight, scale, shift, residual, relu, g, n, h, w, workspace,
                                 parallel);
}

void
cxr_conv2d_forward (float *out, const float *inp, const float *weight, const float *winograd_weight,
                    const float *scale, const float *shift, const float *residual, gboolean relu,
                    const CxrConvGeometry *g, int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  convolve (out, inp, weight, winograd_weight, scale, shift, residual, relu, FALSE, g, n, h, w, workspace, parallel);
}

void
cxr_conv2d_accumulate (float *out, const float *inp, const float *weight, const CxrConvGeometry *g, int n, int h,
                       int w, float *workspace, CxrParallel *parallel)
{
  convolve (out, inp, weight, NULL, NULL, NULL, NULL, FALSE, TRUE, g, n, h, w, workspace, parallel);
}

void
cxr_conv2d_forward_naive (float *out, const float *inp, const float *weight,
                          const float *scale, const float *shift, const float *residual, gboolean relu,
                          const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);

  for (int co = 0; co < g->out_channels; co++)
    for (int b = 0; b < n; b++)
      for (int y = 0; y < ho; y++)
        for (int x = 0; x < wo; x++)
          {
            double sum = 0.0;
            for (int ci = 0; ci < g->in_channels; ci++)
              for (int kh = 0; kh < g->kernel_h; kh++)
                for (int kw = 0; kw < g->kernel_w; kw++)
                  {
                    int sy = y * g->stride_h - g->pad_h + kh;
                    int sx = x * g->stride_w - g->pad_w + kw;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                      continue;
                    sum += (double) weight[((gsize) (co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw]
                           * inp[(((gsize) ci * n + b) * h + sy) * w + sx];
                  }
            gsize o = (((gsize) co * n + b) * ho + y) * wo + x;
            if (scale)
              sum *= scale[co];
            if (shift)
              sum += shift[co];
            if (residual)
              sum += residual[o];
            if (relu && sum < 0)
              sum = 0;
            out[o] = (float) sum;
          }
}
