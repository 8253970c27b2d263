/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-half.h: IEEE half and bfloat16 conversions (round to nearest even), exact as PyTorch's. */
#pragma once

#include <glib.h>
#include <string.h>

static inline float
cxr_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exponent = (h >> 10) & 0x1f;
  guint32 mantissa = h & 0x3ff;
  guint32 bits;

  if (exponent == 0x1f)
    bits = sign | 0x7f800000 | (mantissa << 13);  /* inf or nan */
  else if (exponent != 0)
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  else if (mantissa == 0)
    bits = sign;
  else
    {
      /* subnormal half: normalise */
      exponent = 113;
      while ((mantissa & 0x400) == 0)
        {
          mantissa <<= 1;
          exponent--;
        }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
    }
  float f;
  memcpy (&f, &bits, 4);
  return f;
}

static inline float
cxr_bfloat16_to_float (guint16 b)
{
  guint32 bits = (guint32) b << 16;
  float f;
  memcpy (&f, &bits, 4);
  return f;
}

static inline guint16
cxr_float_to_bfloat16 (float f)
{
  guint32 bits;
  memcpy (&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return (guint16) ((bits >> 16) | 0x40);  /* quiet nan */
  guint32 rounding = 0x7fff + ((bits >> 16) & 1);
  return (guint16) ((bits + rounding) >> 16);
}

/* float -> IEEE half, round to nearest even; overflow gives inf and NaN gives 0x7e00, as PyTorch's .half().
 * Integer arithmetic only, so the result does not depend on the FPU mode or on FMA contraction. */
static inline guint16
cxr_float_to_half (float f)
{
  guint32 bits;
  memcpy (&bits, &f, 4);
  guint16 sign = (guint16) ((bits >> 16) & 0x8000);
  guint32 magnitude = bits & 0x7fffffff;

  if (magnitude > 0x7f800000)
    return sign | 0x7e00;                          /* nan */
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;                          /* 65520 and above round to inf */
  if (magnitude >= 0x38800000)
    {
      /* normal half: rebias the exponent, round the 13 dropped mantissa bits to even */
      guint32 rounded = magnitude + 0xfff + ((magnitude >> 13) & 1);
      return sign | (guint16) ((rounded - 0x38000000) >> 13);
    }
  if (magnitude < 0x33000000)
    return sign;                                   /* at most half the smallest subnormal: zero */

  /* subnormal half: the value in units of 2^-24 is mantissa >> shift */
  guint32 exponent = magnitude >> 23;
  guint32 mantissa = (magnitude & 0x7fffff) | 0x800000;
  guint32 shift = 126 - exponent;
  guint32 result = mantissa >> shift;
  guint32 remainder = mantissa & ((1u << shift) - 1);
  guint32 halfway = 1u << (shift - 1);
  if (remainder > halfway || (remainder == halfway && (result & 1)))
    result++;
  return sign | (guint16) result;
}
