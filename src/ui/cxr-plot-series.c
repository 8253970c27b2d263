/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-plot-series.c: a chart's line, its bounds and its decimation (see cxr-plot-series.h). */
#include "config.h"

#include <math.h>

#include "cxr-plot-series.h"

/* Below this many points per column, drawing them all is as cheap as reducing them. */
#define POINTS_PER_COLUMN_TO_DECIMATE 4

struct _CxrPlotSeries {
  GObject parent_instance;

  GArray *points;           /* CxrPlotPoint */
  gboolean sorted;          /* x never decreases */
  gboolean has_bounds;
  double x_min, x_max, y_min, y_max;
};

G_DEFINE_FINAL_TYPE (CxrPlotSeries, cxr_plot_series, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
include_point (CxrPlotSeries *self, double x, double y)
{
  guint n = self->points->len;
  if (n > 0 && x < g_array_index (self->points, CxrPlotPoint, n - 1).x)
    self->sorted = FALSE;
  g_array_append_val (self->points, ((CxrPlotPoint) { x, y }));
  if (!isfinite (x) || !isfinite (y))
    return;
  if (!self->has_bounds)
    {
      self->x_min = self->x_max = x;
      self->y_min = self->y_max = y;
      self->has_bounds = TRUE;
      return;
    }
  self->x_min = MIN (self->x_min, x);
  self->x_max = MAX (self->x_max, x);
  self->y_min = MIN (self->y_min, y);
  self->y_max = MAX (self->y_max, y);
}

static void
reset (CxrPlotSeries *self)
{
  g_array_set_size (self->points, 0);
  self->sorted = TRUE;
  self->has_bounds = FALSE;
}

void
cxr_plot_series_append (CxrPlotSeries *self, double x, double y)
{
  g_return_if_fail (CXR_IS_PLOT_SERIES (self));

  include_point (self, x, y);
  g_signal_emit (self, signals[CHANGED], 0, TRUE);
}

void
cxr_plot_series_set_points (CxrPlotSeries *self, const double *x, const double *y, guint n)
{
  g_return_if_fail (CXR_IS_PLOT_SERIES (self));

  reset (self);
  for (guint i = 0; i < n; i++)
    include_point (self, x[i], y[i]);
  g_signal_emit (self, signals[CHANGED], 0, FALSE);
}

void
cxr_plot_series_clear (CxrPlotSeries *self)
{
  g_return_if_fail (CXR_IS_PLOT_SERIES (self));

  reset (self);
  g_signal_emit (self, signals[CHANGED], 0, FALSE);
}

guint
cxr_plot_series_get_n_points (CxrPlotSeries *self)
{
  return self->points->len;
}

CxrPlotPoint
cxr_plot_series_get_point (CxrPlotSeries *self, guint index)
{
  g_return_val_if_fail (index < self->points->len, ((CxrPlotPoint) { NAN, NAN }));
  return g_array_index (self->points, CxrPlotPoint, index);
}

gboolean
cxr_plot_series_is_sorted (CxrPlotSeries *self)
{
  return self->sorted;
}

gboolean
cxr_plot_series_get_bounds (CxrPlotSeries *self, double *x_min, double *x_max, double *y_min, double *y_max)
{
  if (!self->has_bounds)
    return FALSE;
  *x_min = self->x_min;
  *x_max = self->x_max;
  *y_min = self->y_min;
  *y_max = self->y_max;
  return TRUE;
}

guint
cxr_plot_series_lower_bound (CxrPlotSeries *self, double x)
{
  const CxrPlotPoint *p = (const CxrPlotPoint *) self->points->data;
  guint low = 0, high = self->points->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      if (p[middle].x < x)
        low = middle + 1;
      else
        high = middle;
    }
  return low;
}

/* One pixel column's share of the points: its first, lowest, highest and last in x order, each once. */
static void
emit_column (GArray *out, const CxrPlotPoint *p, guint first, guint lowest, guint highest, guint last)
{
  guint order[4] = { first, lowest, highest, last };
  /* Sort the four indices (insertion sort) so the line goes left to right, and drop repeats. */
  for (int i = 1; i < 4; i++)
    for (int j = i; j > 0 && order[j - 1] > order[j]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  for (int i = 0; i < 4; i++)
    if (i == 0 || order[i] != order[i - 1])
      g_array_append_val (out, p[order[i]]);
}

void
cxr_plot_series_decimate (CxrPlotSeries *self, double x0, double x1, guint columns, GArray *out)
{
  g_return_if_fail (CXR_IS_PLOT_SERIES (self));

  const CxrPlotPoint *p = (const CxrPlotPoint *) self->points->data;
  guint n = self->points->len;
  if (!self->sorted || n == 0)
    {
      g_array_append_vals (out, p, n);
      return;
    }

  /* The range, widened by one point on each side. */
  guint begin = cxr_plot_series_lower_bound (self, x0);
  guint end = cxr_plot_series_lower_bound (self, x1);
  while (end < n && p[end].x <= x1)
    end++;
  if (begin > 0)
    begin--;
  if (end < n)
    end++;
  if (end <= begin)
    return;

  columns = MAX (columns, 1);
  if (end - begin <= (guint64) columns * POINTS_PER_COLUMN_TO_DECIMATE || !(x1 > x0))
    {
      g_array_append_vals (out, p + begin, end - begin);
      return;
    }

  double scale = columns / (x1 - x0);
  gboolean open = FALSE;
  long column = 0;
  guint first = 0, lowest = 0, highest = 0, last = 0;
  for (guint i = begin; i < end; i++)
    {
      if (!isfinite (p[i].y))
        {
          /* A gap ends the column and shows as a gap. */
          if (open)
            emit_column (out, p, first, lowest, highest, last);
          open = FALSE;
          g_array_append_val (out, p[i]);
          continue;
        }
      long c = (long) floor ((p[i].x - x0) * scale);
      if (open && c == column)
        {
          if (p[i].y < p[lowest].y)
            lowest = i;
          if (p[i].y > p[highest].y)
            highest = i;
          last = i;
          continue;
        }
      if (open)
        emit_column (out, p, first, lowest, highest, last);
      open = TRUE;
      column = c;
      first = lowest = highest = last = i;
    }
  if (open)
    emit_column (out, p, first, lowest, highest, last);
}

static void
cxr_plot_series_finalize (GObject *object)
{
  CxrPlotSeries *self = CXR_PLOT_SERIES (object);

  g_array_unref (self->points);

  G_OBJECT_CLASS (cxr_plot_series_parent_class)->finalize (object);
}

static void
cxr_plot_series_class_init (CxrPlotSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_plot_series_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
cxr_plot_series_init (CxrPlotSeries *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (CxrPlotPoint));
  self->sorted = TRUE;
}

CxrPlotSeries *
cxr_plot_series_new (void)
{
  return g_object_new (CXR_TYPE_PLOT_SERIES, NULL);
}
