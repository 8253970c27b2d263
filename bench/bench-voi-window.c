/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-voi-window: what dragging the window/level costs on a DICOM image of 2500 x 3000 12-bit stored values
 * (issue 16, point 2: "instant"; target: under 16 ms, one frame at 60 Hz, for what a drag step recomputes).
 *
 * Measures, median of 15 runs each: making the 16-bit codes and their half and quarter levels (once per image,
 * on the decoding worker), filling a window's byte table (64 K entries), applying it to the full level (what a
 * pane at 1:1 zoom or larger redraws) and to the quarter level (a pane at fit zoom: 625 x 750); and, for
 * comparison, windowing every pixel in double as cxr_dicom_voi_linear does (what the table avoids).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "bench-util.h"
#include "cxr-tensor.h"
#include "cxr-voi-window.h"

#define W 2500
#define H 3000
#define RUNS 15

int
main (void)
{
  double times[5][RUNS];
  gsize n = (gsize) W * H;
  g_autofree guint8 *out = g_malloc (n);
  guint8 lut[CXR_VOI_N_CODES];
  volatile double sink = 0;

  for (int r = 0; r < RUNS; r++)
    {
      float *values = cxr_alloc_floats (n);
      for (gsize i = 0; i < n; i++)   /* a smooth 12-bit ramp with texture, as a radiograph's values go */
        values[i] = (float) ((i % W) * 4095 / W ^ (i / W) % 64);
      double t0 = bench_now_ms ();
      CxrStoredPlane *plane = cxr_stored_plane_new (values, W, H);
      double t1 = bench_now_ms ();
      cxr_voi_lut_fill_window (lut, plane, 1700 + r, 2600, CXR_DICOM_VOI_LINEAR, TRUE);
      double t2 = bench_now_ms ();
      cxr_voi_apply (plane, 0, lut, out);
      double t3 = bench_now_ms ();
      cxr_voi_apply (plane, 2, lut, out);
      double t4 = bench_now_ms ();
      for (gsize i = 0; i < n; i++)
        out[i] = (guint8) lround (255.0 * (1.0 - cxr_dicom_voi_linear (plane->values[i], 1700 + r, 2600)));
      double t5 = bench_now_ms ();
      sink += out[n / 2];
      times[0][r] = t1 - t0;
      times[1][r] = t2 - t1;
      times[2][r] = t3 - t2;
      times[3][r] = t4 - t3;
      times[4][r] = t5 - t4;
      cxr_stored_plane_unref (plane);
    }
  const char *names[] = { "codes + levels (once per image)", "window table fill (per drag step)",
                          "table -> full level 2500x3000", "table -> quarter level 625x750 (fit zoom)",
                          "per-pixel double window, full image (not used)" };
  printf ("# window/level on %d x %d 12-bit stored values, median of %d runs\n", W, H, RUNS);
  for (int k = 0; k < 5; k++)
    printf ("%-48s %8.2f ms\n", names[k], bench_median (times[k], RUNS));
  return sink < 0;
}
