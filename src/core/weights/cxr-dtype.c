/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dtype.c: tensor elements in their file's dtype, to float32 and back (see cxr-dtype.h). */
#include "cxr-dtype.h"

#include <string.h>

#include "cxr-half.h"

void
cxr_dtype_decode (CxrDtype dtype, const guint8 *src, gint64 stride, gint64 n, float *out)
{
  const guint8 *p = src;
  gint64 step = stride * (gint64) cxr_dtype_size (dtype);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (dtype == CXR_DTYPE_F32 && stride == 1)
    {
      memcpy (out, src, (gsize) n * 4);  /* the common case: already what we want */
      return;
    }
#endif
  switch (dtype)
    {
    case CXR_DTYPE_F32:
      for (gint64 i = 0; i < n; i++, p += step)
        {
          guint32 bits;
          memcpy (&bits, p, 4);
          bits = GUINT32_FROM_LE (bits);
          memcpy (&out[i], &bits, 4);
        }
      break;
    case CXR_DTYPE_F16:
      for (gint64 i = 0; i < n; i++, p += step)
        out[i] = cxr_half_to_float ((guint16) (p[0] | (p[1] << 8)));
      break;
    case CXR_DTYPE_BF16:
      for (gint64 i = 0; i < n; i++, p += step)
        out[i] = cxr_bfloat16_to_float ((guint16) (p[0] | (p[1] << 8)));
      break;
    case CXR_DTYPE_F64:
      for (gint64 i = 0; i < n; i++, p += step)
        {
          guint64 bits;
          double v;
          memcpy (&bits, p, 8);
          bits = GUINT64_FROM_LE (bits);
          memcpy (&v, &bits, 8);
          out[i] = (float) v;
        }
      break;
    case CXR_DTYPE_I64:
      for (gint64 i = 0; i < n; i++, p += step)
        {
          guint64 bits;
          memcpy (&bits, p, 8);
          out[i] = (float) (gint64) GUINT64_FROM_LE (bits);
        }
      break;
    case CXR_DTYPE_I32:
      for (gint64 i = 0; i < n; i++, p += step)
        {
          guint32 bits;
          memcpy (&bits, p, 4);
          out[i] = (float) (gint32) GUINT32_FROM_LE (bits);
        }
      break;
    case CXR_DTYPE_U8:
    case CXR_DTYPE_BOOL:
      for (gint64 i = 0; i < n; i++, p += step)
        out[i] = (float) *p;
      break;
    }
}

void
cxr_dtype_encode (CxrDtype dtype, const float *in, gsize n, guint8 *out)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  if (dtype == CXR_DTYPE_F32)
    {
      memcpy (out, in, n * 4);
      return;
    }
#endif
  for (gsize i = 0; i < n; i++)
    {
      switch (dtype)
        {
        case CXR_DTYPE_F32:
          {
            guint32 bits;
            memcpy (&bits, &in[i], 4);
            bits = GUINT32_TO_LE (bits);
            memcpy (out + 4 * i, &bits, 4);
            break;
          }
        case CXR_DTYPE_F16:
        case CXR_DTYPE_BF16:
          {
            guint16 h = dtype == CXR_DTYPE_F16 ? cxr_float_to_half (in[i]) : cxr_float_to_bfloat16 (in[i]);
            out[2 * i] = h & 0xff;
            out[2 * i + 1] = h >> 8;
            break;
          }
        case CXR_DTYPE_F64:
          {
            double v = in[i];
            guint64 bits;
            memcpy (&bits, &v, 8);
            bits = GUINT64_TO_LE (bits);
            memcpy (out + 8 * i, &bits, 8);
            break;
          }
        case CXR_DTYPE_I64:
          {
            guint64 bits = GUINT64_TO_LE ((guint64) (gint64) in[i]);
            memcpy (out + 8 * i, &bits, 8);
            break;
          }
        case CXR_DTYPE_I32:
          {
            guint32 bits = GUINT32_TO_LE ((guint32) (gint32) in[i]);
            memcpy (out + 4 * i, &bits, 4);
            break;
          }
        case CXR_DTYPE_U8:
          out[i] = (guint8) in[i];
          break;
        case CXR_DTYPE_BOOL:
          out[i] = in[i] != 0.0f;
          break;
        }
    }
}
