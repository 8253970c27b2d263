/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-resize.h: resampling of one float channel, bit for bit as PyTorch does it.
 *
 * Every function takes a row-major [in_h, in_w] plane and writes a row-major
 * [out_h, out_w] plane; in and out must not overlap. Index and weight tables
 * are built once per call for its (in, out) size pair, so a call costs one
 * pass per axis over the data.
 *
 * The reference is torch 1.13's CPU kernels as Debian builds them, on a
 * [1, 1, H, W] float32 tensor. Results match it exactly (tests/test-resize.c
 * checks the worst element); another build of torch may differ from it in the
 * last bit.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* torch.nn.functional.interpolate (x, (out_h, out_w), mode="bilinear",
 * align_corners=False, antialias=True): a triangle filter stretched by the
 * scale factor when shrinking (every input pixel under the output pixel
 * counts), plain bilinear when enlarging. Width first, then height. */
void cxr_resize_bilinear_aa (float *out, int out_h, int out_w,
                             const float *in, int in_h, int in_w);

/* torch.nn.functional.interpolate (x, (out_h, out_w), mode="bilinear",
 * align_corners=False): two taps per axis whatever the scale. This is the
 * Grad-CAM upsampling (7x7 to the image size). */
void cxr_resize_bilinear (float *out, int out_h, int out_w,
                          const float *in, int in_h, int in_w);

/* The same with align_corners=True (torch.nn.UpsamplingBilinear2d): the corner pixels of input and output
 * coincide. Score-CAM upsamples activations to the input this way. */
void cxr_resize_bilinear_corners (float *out, int out_h, int out_w,
                                  const float *in, int in_h, int in_w);

/* torch.nn.functional.interpolate (x, (out_h, out_w), mode="area"), that is
 * adaptive_avg_pool2d: the mean of the input cells that output cell (i, j)
 * covers, rows floor(i * in_h / out_h) to ceil((i + 1) * in_h / out_h).
 * For thumbnails: it never aliases and costs one read per input pixel.
 * (To a 1x1 output PyTorch takes x.mean() instead, which sums in another
 * order: there the two agree to float rounding, not to the bit.) */
void cxr_resize_area (float *out, int out_h, int out_w,
                      const float *in, int in_h, int in_w);

G_END_DECLS
