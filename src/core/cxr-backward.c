/* cxr-backward.c: backward kernels (see cxr-backward.h for the conventions). */
#include "cxr-backward.h"

#include <cblas.h>
#include <string.h>

static gboolean
is_pointwise (const CxrConvGeometry *g)
{
  return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1
         && g->pad_h == 0 && g->pad_w == 0;
}

gsize
cxr_conv2d_backward_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  if (is_pointwise (g))
    return 0;
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  return (gsize) g->in_channels * g->kernel_h * g->kernel_w * n * ho * wo;
}

/* One row of col2im: src_row[x * stride + offset] += col_row[x] where inside. */
static void
col2im_row (float *restrict dst_row, const float *restrict col_row, int w, int wo, int stride, int offset)
{
  if (stride == 1)
    {
      int first = MAX (0, -offset);
      int last = MIN (wo, w - offset);  /* exclusive */
      for (int x = first; x < last; x++)
        dst_row[x + offset] += col_row[x];
      return;
    }
  for (int x = 0; x < wo; x++)
    {
      int sx = x * stride + offset;
      if (sx >= 0 && sx < w)
        dst_row[sx] += col_row[x];
    }
}

void
cxr_col2im_add (float *inp, const float *col, const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize rows = (gsize) g->in_channels * g->kernel_h * g->kernel_w;

  for (gsize row = 0; row < rows; row++)
    {
      int kw = row % g->kernel_w;
      int kh = row / g->kernel_w % g->kernel_h;
      int ci = row / g->kernel_w / g->kernel_h;
      const float *src = col + row * ((gsize) n * ho * wo);
      for (int b = 0; b < n; b++)
        {
          float *dst = inp + ((gsize) ci * n + b) * h * w;
          for (int y = 0; y < ho; y++, src += wo)
            {
              int sy = y * g->stride_h - g->pad_h + kh;
              if (sy >= 0 && sy < h)
                col2im_row (dst + (gsize) sy * w, src, w, wo, g->stride_w, kw - g->pad_w);
            }
        }
    }
}

void
cxr_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, const CxrConvGeometry *g, int n, int h, int w, float *workspace)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  int columns = n * ho * wo;
  int depth = g->in_channels * g->kernel_h * g->kernel_w;
  int cout = g->out_channels;
  gboolean pointwise = is_pointwise (g);

  if (dbias)
    for (int co = 0; co < cout; co++)
      {
        const float *d = dout + (gsize) co * columns;
        float sum = 0.0f;
        for (int i = 0; i < columns; i++)
          sum += d[i];
        dbias[co] += sum;
      }

  if (dweight)
    {
      const float *col = inp;
      if (!pointwise)
        {
          cxr_im2col (workspace, inp, g, n, h, w);
          col = workspace;
        }
      /* dweight [Cout, depth] += dout [Cout, columns] x col [depth, columns]^T */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, cout, depth, columns,
                   1.0f, dout, columns, col, columns, 1.0f, dweight, depth);
    }

  if (dinp)
    {
      if (pointwise)
        {
          /* dinp [Cin, columns] += weight [Cout, Cin]^T x dout [Cout, columns] */
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, depth, columns, cout,
                       1.0f, weight, depth, dout, columns, 1.0f, dinp, columns);
          return;
        }
      /* dcol [depth, columns] = weight [Cout, depth]^T x dout [Cout, columns], then scattered back. The
       * workspace held col for dweight, which is done with it. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, depth, columns, cout,
                   1.0f, weight, depth, dout, columns, 0.0f, workspace, columns);
      cxr_col2im_add (dinp, workspace, g, n, h, w);
    }
}

void
cxr_conv2d_backward_naive (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize in_plane = (gsize) h * w, out_plane = (gsize) ho * wo;

  if (dbias)
    for (int co = 0; co < g->out_channels; co++)
      {
        double sum = 0.0;
        for (gsize i = 0; i < (gsize) n * out_plane; i++)
          sum += dout[co * n * out_plane + i];
        dbias[co] += (float) sum;
      }

  if (dweight)
    for (int co = 0; co < g->out_channels; co++)
      for (int ci = 0; ci < g->in_channels; ci++)
        for (int kh = 0; kh < g->kernel_h; kh++)
          for (int kw = 0; kw < g->kernel_w; kw++)
            {
              double sum = 0.0;
              for (int b = 0; b < n; b++)
                for (int y = 0; y < ho; y++)
                  for (int x = 0; x < wo; x++)
                    {
                      int sy = y * g->stride_h - g->pad_h + kh;
                      int sx = x * g->stride_w - g->pad_w + kw;
                      if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                        continue;
                      sum += (double) dout[((gsize) co * n + b) * out_plane + (gsize) y * wo + x]
                             * inp[((gsize) ci * n + b) * in_plane + (gsize) sy * w + sx];
                    }
              dweight[(((gsize) co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw] += (float) sum;
            }

  if (dinp)
    for (int ci = 0; ci < g->in_channels; ci++)
      for (int b = 0; b < n; b++)
        for (int sy = 0; sy < h; sy++)
          for (int sx = 0; sx < w; sx++)
            {
              /* Every (output, tap) that reads this input: y * stride - pad + kh = sy. */
              double sum = 0.0;
              for (int co = 0; co < g->out_channels; co++)
                for (int kh = 0; kh < g->kernel_h; kh++)
                  for (int kw = 0; kw < g->kernel_w; kw++)
                    {
                      int ty = sy + g->pad_h - kh, tx = sx + g->pad_w - kw;
                      if (ty < 0 || tx < 0 || ty % g->stride_h || tx % g->stride_w)
                        continue;
                      int y = ty / g->stride_h, x = tx / g->stride_w;
                      if (y >= ho || x >= wo)
                        continue;
                      sum += (double) weight[(((gsize) co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw]
                             * dout[((gsize) co * n + b) * out_plane + (gsize) y * wo + x];
                    }
              dinp[((gsize) ci * n + b) * in_plane + (gsize) sy * w + sx] += (float) sum;
            }
}

void
cxr_relu_backward (float *restrict dinp, const float *restrict dout, const float *restrict out, gsize n)
{
  for (gsize i = 0; i < n; i++)
    dinp[i] += out[i] > 0.0f ? dout[i] : 0.0f;
}

void
cxr_add_backward (float *da, float *db, const float *dout, gsize n)
{
  if (da)
    for (gsize i = 0; i < n; i++)
      da[i] += dout[i];
  if (db)
    for (gsize i = 0; i < n; i++)
      db[i] += dout[i];
}

void
cxr_affine_backward (float *dinp, float *dscale, float *dshift, const float *dout, const float *inp,
                     const float *scale, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      const float *d = dout + (gsize) c * plane;
      if (dinp)
        {
          float *restrict di = dinp + (gsize) c * plane;
          const float s = scale[c];
          for (gsize i = 0; i < plane; i++)
            di[i] += d[i] * s;
        }
      if (dscale)
        {
          const float *x = inp + (gsize) c * plane;
          float sum = 0.0f;
          for (gsize i = 0; i < plane; i++)
            sum += d[i] * x[i];
          dscale[c] += sum;
        }
      if (dshift)
        {
          float sum = 0.0f;
          for (gsize i = 0; i < plane; i++)
            sum += d[i];
          dshift[c] += sum;
        }
    }
}

void
cxr_maxpool2d_backward (float *dinp, const float *dout, const gint32 *argmax,
                        int channels, int n, int h, int w, int ho, int wo)
{
  gsize in_plane = (gsize) h * w, out_plane = (gsize) ho * wo;
  for (gsize plane = 0; plane < (gsize) channels * n; plane++)
    {
      float *di = dinp + plane * in_plane;
      const float *d = dout + plane * out_plane;
      const gint32 *arg = argmax + plane * out_plane;
      for (gsize o = 0; o < out_plane; o++)
        di[arg[o]] += d[o];
    }
}

void
cxr_global_avgpool_backward (float *dinp, const float *dout, int channels, int n, int h, int w)
{
  gsize plane = (gsize) h * w;
  for (int c = 0; c < channels; c++)
    for (int b = 0; b < n; b++)
      {
        float g = dout[(gsize) b * channels + c] / (float) plane;
        float *di = dinp + ((gsize) c * n + b) * plane;
        for (gsize i = 0; i < plane; i++)
          di[i] += g;
      }
}

void
cxr_linear_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, int n, int in_features, int out_features)
{
  if (dinp)
    /* dinp [N, I] += dout [N, O] x weight [O, I] */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in_features, out_features,
                 1.0f, dout, out_features, weight, in_features, 1.0f, dinp, in_features);
  if (dweight)
    /* dweight [O, I] += dout [N, O]^T x inp [N, I] */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, out_features, in_features, n,
                 1.0f, dout, out_features, inp, in_features, 1.0f, dweight, in_features);
  if (dbias)
    for (int b = 0; b < n; b++)
      for (int o = 0; o < out_features; o++)
        dbias[o] += dout[(gsize) b * out_features + o];
}

void
cxr_linear_backward_naive (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, int n, int in_features, int out_features)
{
  if (dinp)
    for (int b = 0; b < n; b++)
      for (int i = 0; i < in_features; i++)
        {
          double sum = 0.0;
          for (int o = 0; o < out_features; o++)
            sum += (double) dout[(gsize) b * out_features + o] * weight[(gsize) o * in_features + i];
          dinp[(gsize) b * in_features + i] += (float) sum;
        }
  if (dweight)
    for (int o = 0; o < out_features; o++)
      for (int i = 0; i < in_features; i++)
        {
          double sum = 0.0;
          for (int b = 0; b < n; b++)
            sum += (double) dout[(gsize) b * out_features + o] * inp[(gsize) b * in_features + i];
          dweight[(gsize) o * in_features + i] += (float) sum;
        }
  if (dbias)
    for (int o = 0; o < out_features; o++)
      {
        double sum = 0.0;
        for (int b = 0; b < n; b++)
          sum += dout[(gsize) b * out_features + o];
        dbias[o] += (float) sum;
      }
}
