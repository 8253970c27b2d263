/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-transpose.c: blocked transposes (see cxr-transpose.h). */
#include "cxr-transpose.h"

#include <string.h>

#include "cxr-cpu.h"

typedef float v8sf __attribute__ ((vector_size (32)));

/* out[c * ldo + r] = in[r * ldi + c] for an 8 x 8 tile, in registers: three rounds of pairwise
 * shuffles (the classic unpack / shuffle / permute ladder). */
static inline __attribute__ ((always_inline)) void
transpose8x8 (float *out, gsize ldo, const float *in, gsize ldi)
{
  v8sf r[8], t[8], u[8];
  for (int i = 0; i < 8; i++)
    memcpy (&r[i], in + i * ldi, sizeof (v8sf));
  /* __builtin_shufflevector (GCC 12 and clang) takes the lane indices as constants. */
#define LO(a, b) __builtin_shufflevector (a, b, 0, 8, 1, 9, 4, 12, 5, 13)
#define HI(a, b) __builtin_shufflevector (a, b, 2, 10, 3, 11, 6, 14, 7, 15)
#define LO2(a, b) __builtin_shufflevector (a, b, 0, 1, 8, 9, 4, 5, 12, 13)
#define HI2(a, b) __builtin_shufflevector (a, b, 2, 3, 10, 11, 6, 7, 14, 15)
#define LO4(a, b) __builtin_shufflevector (a, b, 0, 1, 2, 3, 8, 9, 10, 11)
#define HI4(a, b) __builtin_shufflevector (a, b, 4, 5, 6, 7, 12, 13, 14, 15)
  for (int i = 0; i < 8; i += 2)
    {
      t[i] = LO (r[i], r[i + 1]);
      t[i + 1] = HI (r[i], r[i + 1]);
    }
  for (int i = 0; i < 8; i += 4)
    {
      u[i] = LO2 (t[i], t[i + 2]);
      u[i + 1] = HI2 (t[i], t[i + 2]);
      u[i + 2] = LO2 (t[i + 1], t[i + 3]);
      u[i + 3] = HI2 (t[i + 1], t[i + 3]);
    }
  for (int i = 0; i < 4; i++)
    {
      v8sf a = LO4 (u[i], u[i + 4]), b = HI4 (u[i], u[i + 4]);
      memcpy (out + i * ldo, &a, sizeof a);
      memcpy (out + (i + 4) * ldo, &b, sizeof b);
    }
#undef LO
#undef HI
#undef LO2
#undef HI2
#undef LO4
#undef HI4
}

/* out[c * ldo + r] = in[r * ldi + c] for rows [r0, r1), in blocks of 64 x 64 so that both sides
 * stay in cache. */
CXR_TARGET_CLONES static void
transpose_rows (float *out, gsize ldo, const float *in, gsize ldi, gsize cols, gsize r0, gsize r1)
{
  for (gsize rb = r0; rb < r1; rb += 64)
    for (gsize cb = 0; cb < cols; cb += 64)
      {
        gsize re = MIN (r1, rb + 64), ce = MIN (cols, cb + 64);
        gsize r = rb;
        for (; r + 8 <= re; r += 8)
          {
            gsize c = cb;
            for (; c + 8 <= ce; c += 8)
              transpose8x8 (out + c * ldo + r, ldo, in + r * ldi + c, ldi);
            for (; c < ce; c++)
              for (gsize i = r; i < r + 8; i++)
                out[c * ldo + i] = in[i * ldi + c];
          }
        for (; r < re; r++)
          for (gsize c = cb; c < ce; c++)
            out[c * ldo + r] = in[r * ldi + c];
      }
}

typedef struct {
  float *out;
  const float *in;
  gsize ldo, ldi, rows, cols;
} TransposeJob;

static void
transpose_thread (int thread, int n_threads, gpointer data)
{
  const TransposeJob *job = data;
  gsize begin, end;
  /* Whole bands of 8 input rows per thread. */
  cxr_parallel_split (job->rows, 8, thread, n_threads, &begin, &end);
  transpose_rows (job->out, job->ldo, job->in, job->ldi, job->cols, begin, end);
}

void
cxr_transpose_strided (float *out, gsize ldo, const float *in, gsize ldi, gsize rows, gsize cols, CxrParallel *parallel)
{
  TransposeJob job = { out, in, ldo, ldi, rows, cols };
  if (rows * cols < 65536)
    transpose_thread (0, 1, &job);
  else
    cxr_parallel_run (parallel, transpose_thread, &job);
}

void
cxr_transpose (float *out, const float *in, gsize rows, gsize cols, CxrParallel *parallel)
{
  cxr_transpose_strided (out, rows, in, cols, rows, cols, parallel);
}
