/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-plot.c: the chart widget (see cxr-plot.h).
 *
 * A frame is laid out from the text it needs (legend, tick labels, axis titles), then drawn in layers:
 * grid, markers, the layers' lines in order, axes and labels, the legend, the hover readout. The layout
 * of the last on-screen frame is kept to map the pointer back to data.
 */
#include "config.h"

#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "cxr-atomic-file.h"
#include "cxr-csv.h"
#include "cxr-format.h"
#include "cxr-plot.h"

#define PADDING 8.0
/* Segments of a solid line stroked at once (see draw_layer). */
#define LINE_STRETCH 64
#define LEGEND_SWATCH 14.0
#define LEGEND_GAP 16.0
#define TICK_LENGTH 4.0
#define HOVER_RADIUS 24.0
#define MAX_TICKS 7

typedef struct {
  char *label;
  CxrPlotNumberFormat format;
  double min, max;           /* NAN: automatic */
  gboolean include_zero;
  gboolean defined;          /* a y axis: set by the caller */
} Axis;

typedef struct {
  CxrPlotSeries *series;
  gulong changed_handler;
  CxrPlotYAxis axis;
  CxrPlotStyle style;
  GdkRGBA color;
  char *label;
  gboolean visible;
  guint drawn_points;        /* in the last frame */
} Layer;

typedef struct {
  double x;
  char *label;
  GdkRGBA color;
  gboolean dashed;
} Marker;

typedef struct {
  guint layer;
  graphene_rect_t area;
} LegendHit;

/* Where things went in a frame. */
typedef struct {
  gboolean valid;
  graphene_rect_t area;      /* the plotting area */
  double x_min, x_max;
  double y_min[CXR_PLOT_N_Y_AXES], y_max[CXR_PLOT_N_Y_AXES];
  gboolean y_used[CXR_PLOT_N_Y_AXES];
} Frame;

struct _CxrPlot {
  GtkWidget parent_instance;

  Axis x_axis;
  Axis y_axes[CXR_PLOT_N_Y_AXES];
  GPtrArray *layers;         /* Layer* */
  GArray *markers;           /* Marker */
  char *placeholder;
  CxrPlotReadoutFunc readout_func;
  gpointer readout_data;
  GDestroyNotify readout_destroy;

  Frame frame;               /* the last on-screen frame */
  GArray *legend_hits;       /* LegendHit, from the last on-screen frame */
  double pointer_x, pointer_y;   /* NAN: elsewhere */
  guint hover_layer, hover_index;
  gboolean has_hover;
};

G_DEFINE_FINAL_TYPE (CxrPlot, cxr_plot, GTK_TYPE_WIDGET)

/* ---- colours and text ----------------------------------------------------- */

typedef struct {
  GdkRGBA foreground, grid, background;
} Palette;

static void
get_palette (CxrPlot *self, Palette *palette)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));
  /* GTK 4.8 has no gtk_widget_get_color. */
  gtk_style_context_get_color (style, &palette->foreground);
  palette->grid = palette->foreground;
  palette->grid.alpha = 0.12f;
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (style, "window_bg_color", &palette->background))
G_GNUC_END_IGNORE_DEPRECATIONS
    palette->background = (GdkRGBA) { 1, 1, 1, 1 };
}

static PangoLayout *
make_layout (CxrPlot *self, cairo_t *cr, const char *text, gboolean small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  if (small)
    {
      PangoAttrList *attributes = pango_attr_list_new ();
      pango_attr_list_insert (attributes, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attributes);
      pango_attr_list_unref (attributes);
    }
  pango_cairo_update_layout (cr, layout);
  return layout;
}

static void
text_size (PangoLayout *layout, double *width, double *height)
{
  int w, h;
  pango_layout_get_pixel_size (layout, &w, &h);
  *width = w;
  *height = h;
}

/* Draws @text with its (xalign, yalign) point at (x, y). */
static void
draw_text (CxrPlot *self, cairo_t *cr, const char *text, double x, double y, double xalign, double yalign,
           gboolean small, const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = make_layout (self, cr, text, small);
  double width, height;
  text_size (layout, &width, &height);
  cairo_move_to (cr, round (x - xalign * width), round (y - yalign * height));
  gdk_cairo_set_source_rgba (cr, color);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_vertical_text (CxrPlot *self, cairo_t *cr, const char *text, double x, double y, const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = make_layout (self, cr, text, FALSE);
  double width, height;
  text_size (layout, &width, &height);
  cairo_save (cr);
  cairo_translate (cr, round (x - height / 2), round (y + width / 2));
  cairo_rotate (cr, -G_PI / 2);
  cairo_move_to (cr, 0, 0);
  gdk_cairo_set_source_rgba (cr, color);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* ---- numbers -------------------------------------------------------------- */

static double
nice_step (double range, int max_ticks)
{
  double raw = range / MAX (1, max_ticks - 1);
  double magnitude = pow (10, floor (log10 (raw)));
  double fraction = raw / magnitude;
  double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * magnitude;
}

/* On screen, numbers follow the locale (printf's decimal point). */
static char *
format_number (double value, CxrPlotNumberFormat format, double step)
{
  switch (format)
    {
    case CXR_PLOT_NUMBER_INTEGER:
      return g_strdup_printf ("%.0f", value);
    case CXR_PLOT_NUMBER_SCIENTIFIC:
      return value == 0 ? g_strdup ("0") : g_strdup_printf ("%.1e", value);
    case CXR_PLOT_NUMBER_PLAIN:
    default:
      {
        int decimals = step > 0 ? MAX (0, (int) ceil (-log10 (step) - 1e-9)) : 2;
        /* 2.5, 0.25: one more. */
        if (step > 0 && fabs (step * pow (10, decimals) - round (step * pow (10, decimals))) > 1e-6)
          decimals++;
        return g_strdup_printf ("%.*f", MIN (decimals, 8), fabs (value) < step * 1e-9 ? 0.0 : value);
      }
    }
}

static char *
format_readout_number (double value, CxrPlotNumberFormat format)
{
  if (format == CXR_PLOT_NUMBER_INTEGER)
    return g_strdup_printf ("%.0f", value);
  if (format == CXR_PLOT_NUMBER_SCIENTIFIC)
    return g_strdup_printf ("%.3g", value);
  return g_strdup_printf ("%.4g", value);
}

/* ---- ranges --------------------------------------------------------------- */

static void
axis_range (const Axis *axis, gboolean has_data, double data_min, double data_max, gboolean pad, double *min,
            double *max)
{
  double lo = axis->min, hi = axis->max;
  if (isnan (lo) || isnan (hi))
    {
      if (!has_data)
        {
          data_min = 0;
          data_max = 1;
        }
      if (axis->include_zero)
        {
          data_min = MIN (data_min, 0);
          data_max = MAX (data_max, 0);
        }
      if (data_max - data_min < 1e-12 * MAX (1, fabs (data_max)))
        {
          double half = fabs (data_max) > 0 ? fabs (data_max) * 0.1 : 0.5;
          data_min -= half;
          data_max += half;
        }
      else if (pad)
        {
          double margin = (data_max - data_min) * 0.05;
          if (!(axis->include_zero && data_min == 0))
            data_min -= margin;
          data_max += margin;
        }
      if (isnan (lo))
        lo = data_min;
      if (isnan (hi))
        hi = data_max;
    }
  *min = lo;
  *max = hi;
}

static void
compute_ranges (CxrPlot *self, Frame *frame)
{
  gboolean has_x = FALSE, has_y[CXR_PLOT_N_Y_AXES] = { FALSE };
  double x_min = 0, x_max = 0, y_min[CXR_PLOT_N_Y_AXES] = { 0 }, y_max[CXR_PLOT_N_Y_AXES] = { 0 };
  for (guint i = 0; i < self->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (self->layers, i);
      double a, b, c, d;
      /* An axis with layers is laid out before their data arrives, so that nothing moves when it does. */
      frame->y_used[layer->axis] = TRUE;
      if (!cxr_plot_series_get_bounds (layer->series, &a, &b, &c, &d))
        continue;
      /* Hidden layers keep the x range (so that toggling does not move everything) but not the y range. */
      x_min = has_x ? MIN (x_min, a) : a;
      x_max = has_x ? MAX (x_max, b) : b;
      has_x = TRUE;
      if (!layer->visible)
        continue;
      int k = layer->axis;
      y_min[k] = has_y[k] ? MIN (y_min[k], c) : c;
      y_max[k] = has_y[k] ? MAX (y_max[k], d) : d;
      has_y[k] = TRUE;
    }
  axis_range (&self->x_axis, has_x, x_min, x_max, FALSE, &frame->x_min, &frame->x_max);
  for (int k = 0; k < CXR_PLOT_N_Y_AXES; k++)
    {
      frame->y_used[k] = frame->y_used[k] || self->y_axes[k].defined;
      axis_range (&self->y_axes[k], has_y[k], y_min[k], y_max[k], TRUE, &frame->y_min[k], &frame->y_max[k]);
    }
}

static double
map_x (const Frame *frame, double x)
{
  return frame->area.origin.x + (x - frame->x_min) / (frame->x_max - frame->x_min) * frame->area.size.width;
}

static double
map_y (const Frame *frame, int axis, double y)
{
  return frame->area.origin.y + (1 - (y - frame->y_min[axis]) / (frame->y_max[axis] - frame->y_min[axis]))
                                  * frame->area.size.height;
}

/* ---- layout --------------------------------------------------------------- */

typedef struct {
  double first, step;
  int count;
} Ticks;

static void
make_ticks (double min, double max, CxrPlotNumberFormat format, Ticks *ticks)
{
  double step = nice_step (max - min, MAX_TICKS);
  if (format == CXR_PLOT_NUMBER_INTEGER)
    step = MAX (1, round (step));
  ticks->step = step;
  ticks->first = ceil (min / step - 1e-9) * step;
  ticks->count = (int) floor ((max - ticks->first) / step + 1e-9) + 1;
  ticks->count = CLAMP (ticks->count, 0, 50);
}

static double
widest_tick_label (CxrPlot *self, cairo_t *cr, const Axis *axis, double min, double max)
{
  Ticks ticks;
  make_ticks (min, max, axis->format, &ticks);
  double widest = 0;
  for (int i = 0; i < ticks.count; i++)
    {
      g_autofree char *text = format_number (ticks.first + i * ticks.step, axis->format, ticks.step);
      g_autoptr (PangoLayout) layout = make_layout (self, cr, text, TRUE);
      double w, h;
      text_size (layout, &w, &h);
      widest = MAX (widest, w);
    }
  return widest;
}

static double
text_height (CxrPlot *self, cairo_t *cr, gboolean small)
{
  g_autoptr (PangoLayout) layout = make_layout (self, cr, "0", small);
  double w, h;
  text_size (layout, &w, &h);
  return h;
}

/* Lays the legend out in rows within @width; returns its height. Entries go to @hits when given. */
static double
layout_legend (CxrPlot *self, cairo_t *cr, double x0, double y0, double width, GArray *hits)
{
  double x = x0, y = y0, row_height = text_height (self, cr, TRUE) + 4;
  gboolean any = FALSE;
  for (guint i = 0; i < self->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (self->layers, i);
      if (layer->label == NULL)
        continue;
      g_autoptr (PangoLayout) layout = make_layout (self, cr, layer->label, TRUE);
      double w, h;
      text_size (layout, &w, &h);
      double entry = LEGEND_SWATCH + 6 + w;
      if (any && x + entry > x0 + width)
        {
          x = x0;
          y += row_height;
        }
      if (hits)
        {
          LegendHit hit = { i, GRAPHENE_RECT_INIT ((float) x - 3, (float) y, (float) entry + 6, (float) row_height) };
          g_array_append_val (hits, hit);
        }
      x += entry + LEGEND_GAP;
      any = TRUE;
    }
  return any ? y - y0 + row_height : 0;
}

/* ---- drawing -------------------------------------------------------------- */

static void
set_layer_source (cairo_t *cr, const Layer *layer, double alpha)
{
  GdkRGBA color = layer->color;
  color.alpha *= alpha;
  gdk_cairo_set_source_rgba (cr, &color);
}

/* Strokes the path drawn so far in @layer's line style. */
static void
stroke_layer_line (cairo_t *cr, const Layer *layer)
{
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  switch (layer->style)
    {
    case CXR_PLOT_FAINT_LINE:
      cairo_set_line_width (cr, 1.0);
      set_layer_source (cr, layer, 0.3);
      break;
    case CXR_PLOT_DASHED_LINE:
      {
        const double dashes[] = { 5, 4 };
        cairo_set_dash (cr, dashes, 2, 0);
        cairo_set_line_width (cr, 1.2);
        set_layer_source (cr, layer, 0.8);
        break;
      }
    default:
      cairo_set_line_width (cr, 2.0);
      set_layer_source (cr, layer, 1.0);
      break;
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_layer (CxrPlot *self, cairo_t *cr, const Frame *frame, Layer *layer, GArray *scratch)
{
  g_array_set_size (scratch, 0);
  cxr_plot_series_decimate (layer->series, frame->x_min, frame->x_max, (guint) ceil (frame->area.size.width),
                            scratch);
  layer->drawn_points = scratch->len;
  if (scratch->len == 0)
    return;
  const CxrPlotPoint *p = (const CxrPlotPoint *) scratch->data;
  int axis = layer->axis;

  if (layer->style != CXR_PLOT_POINTS)
    {
      /* A solid line is stroked a stretch at a time: cairo's cost for one long path grows faster than its length
       * (a decimated curve of 10,000 steps zigzags up and down every pixel column), and pieces of LINE_STRETCH
       * segments that share their end points look the same for a fraction of it (bench-train-ui redraw). A
       * dashed line stays whole, so that its dashes run on. */
      guint stretch = layer->style == CXR_PLOT_DASHED_LINE ? G_MAXUINT : LINE_STRETCH;
      guint segments = 0;
      gboolean drawing = FALSE;
      for (guint i = 0; i < scratch->len; i++)
        {
          if (!isfinite (p[i].y) || !isfinite (p[i].x))
            {
              drawing = FALSE;
              continue;
            }
          double x = map_x (frame, p[i].x), y = map_y (frame, axis, p[i].y);
          if (!drawing)
            cairo_move_to (cr, x, y);
          else
            {
              cairo_line_to (cr, x, y);
              if (++segments % stretch == 0)
                {
                  stroke_layer_line (cr, layer);
                  cairo_move_to (cr, x, y);
                }
            }
          drawing = TRUE;
        }
      stroke_layer_line (cr, layer);
    }
  if (layer->style == CXR_PLOT_POINTS || layer->style == CXR_PLOT_LINE_POINTS)
    {
      double radius = layer->style == CXR_PLOT_POINTS ? 4.5 : 3.0;
      set_layer_source (cr, layer, 1.0);
      for (guint i = 0; i < scratch->len; i++)
        {
          if (!isfinite (p[i].y) || !isfinite (p[i].x))
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, map_x (frame, p[i].x), map_y (frame, axis, p[i].y), radius, 0, 2 * G_PI);
        }
      cairo_fill (cr);
    }
}

static void
draw_y_axis (CxrPlot *self, cairo_t *cr, const Frame *frame, int k, double x, const Palette *palette)
{
  const Axis *axis = &self->y_axes[k];
  gboolean left = k == CXR_PLOT_Y_LEFT;
  Ticks ticks;
  make_ticks (frame->y_min[k], frame->y_max[k], axis->format, &ticks);
  double widest = widest_tick_label (self, cr, axis, frame->y_min[k], frame->y_max[k]);
  gdk_cairo_set_source_rgba (cr, &palette->foreground);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, round (x) + 0.5, frame->area.origin.y);
  cairo_rel_line_to (cr, 0, frame->area.size.height);
  cairo_stroke (cr);
  for (int i = 0; i < ticks.count; i++)
    {
      double value = ticks.first + i * ticks.step;
      double y = round (map_y (frame, k, value)) + 0.5;
      g_autofree char *text = format_number (value, axis->format, ticks.step);
      gdk_cairo_set_source_rgba (cr, &palette->foreground);
      cairo_move_to (cr, round (x) + 0.5, y);
      cairo_rel_line_to (cr, left ? -TICK_LENGTH : TICK_LENGTH, 0);
      cairo_stroke (cr);
      draw_text (self, cr, text, left ? x - TICK_LENGTH - 3 : x + TICK_LENGTH + 3, y, left ? 1.0 : 0.0, 0.5, TRUE,
                 &palette->foreground);
    }
  if (axis->label)
    {
      double offset = TICK_LENGTH + 3 + widest + 4 + text_height (self, cr, FALSE) / 2;
      /* The axis title takes the colour of its only layer, when it has one, so that two right axes
       * are told apart. */
      const GdkRGBA *color = &palette->foreground;
      guint on_axis = 0;
      for (guint i = 0; i < self->layers->len; i++)
        {
          Layer *layer = g_ptr_array_index (self->layers, i);
          if (layer->axis == (CxrPlotYAxis) k && layer->label)
            {
              on_axis++;
              color = &layer->color;
            }
        }
      if (on_axis != 1)
        color = &palette->foreground;
      draw_vertical_text (self, cr, axis->label, left ? x - offset : x + offset,
                          frame->area.origin.y + frame->area.size.height / 2, color);
    }
}

static void
draw_x_axis (CxrPlot *self, cairo_t *cr, const Frame *frame, const Palette *palette)
{
  Ticks ticks;
  make_ticks (frame->x_min, frame->x_max, self->x_axis.format, &ticks);
  double bottom = frame->area.origin.y + frame->area.size.height;
  gdk_cairo_set_source_rgba (cr, &palette->foreground);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, frame->area.origin.x, round (bottom) + 0.5);
  cairo_rel_line_to (cr, frame->area.size.width, 0);
  cairo_stroke (cr);
  for (int i = 0; i < ticks.count; i++)
    {
      double value = ticks.first + i * ticks.step;
      double x = round (map_x (frame, value)) + 0.5;
      g_autofree char *text = format_number (value, self->x_axis.format, ticks.step);
      gdk_cairo_set_source_rgba (cr, &palette->foreground);
      cairo_move_to (cr, x, round (bottom) + 0.5);
      cairo_rel_line_to (cr, 0, TICK_LENGTH);
      cairo_stroke (cr);
      draw_text (self, cr, text, x, bottom + TICK_LENGTH + 2, 0.5, 0.0, TRUE, &palette->foreground);
    }
  if (self->x_axis.label)
    draw_text (self, cr, self->x_axis.label, frame->area.origin.x + frame->area.size.width / 2,
               bottom + TICK_LENGTH + 2 + text_height (self, cr, TRUE) + 2, 0.5, 0.0, FALSE, &palette->foreground);
}

static void
draw_grid (CxrPlot *self, cairo_t *cr, const Frame *frame, const Palette *palette)
{
  Ticks ticks;
  gdk_cairo_set_source_rgba (cr, &palette->grid);
  cairo_set_line_width (cr, 1);
  make_ticks (frame->x_min, frame->x_max, self->x_axis.format, &ticks);
  for (int i = 0; i < ticks.count; i++)
    {
      double x = round (map_x (frame, ticks.first + i * ticks.step)) + 0.5;
      cairo_move_to (cr, x, frame->area.origin.y);
      cairo_rel_line_to (cr, 0, frame->area.size.height);
    }
  make_ticks (frame->y_min[CXR_PLOT_Y_LEFT], frame->y_max[CXR_PLOT_Y_LEFT], self->y_axes[0].format, &ticks);
  for (int i = 0; i < ticks.count; i++)
    {
      double y = round (map_y (frame, CXR_PLOT_Y_LEFT, ticks.first + i * ticks.step)) + 0.5;
      cairo_move_to (cr, frame->area.origin.x, y);
      cairo_rel_line_to (cr, frame->area.size.width, 0);
    }
  cairo_stroke (cr);
}

static void
draw_markers (CxrPlot *self, cairo_t *cr, const Frame *frame)
{
  for (guint i = 0; i < self->markers->len; i++)
    {
      const Marker *marker = &g_array_index (self->markers, Marker, i);
      if (marker->x < frame->x_min || marker->x > frame->x_max)
        continue;
      double x = round (map_x (frame, marker->x)) + 0.5;
      if (marker->dashed)
        {
          const double dashes[] = { 3, 3 };
          cairo_set_dash (cr, dashes, 2, 0);
        }
      gdk_cairo_set_source_rgba (cr, &marker->color);
      cairo_set_line_width (cr, marker->dashed ? 1.0 : 1.5);
      cairo_move_to (cr, x, frame->area.origin.y);
      cairo_rel_line_to (cr, 0, frame->area.size.height);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (marker->label)
        draw_text (self, cr, marker->label, x + 3, frame->area.origin.y + 2, 0.0, 0.0, TRUE, &marker->color);
    }
}

static void
draw_legend (CxrPlot *self, cairo_t *cr, GArray *hits, const Palette *palette)
{
  double row_height = text_height (self, cr, TRUE) + 4;
  for (guint i = 0; i < hits->len; i++)
    {
      const LegendHit *hit = &g_array_index (hits, LegendHit, i);
      Layer *layer = g_ptr_array_index (self->layers, hit->layer);
      double x = hit->area.origin.x + 3, y = hit->area.origin.y + row_height / 2;
      GdkRGBA text_color = palette->foreground;
      if (layer->visible)
        {
          set_layer_source (cr, layer, layer->style == CXR_PLOT_FAINT_LINE ? 0.4 : 1.0);
          if (layer->style == CXR_PLOT_POINTS)
            {
              cairo_arc (cr, x + LEGEND_SWATCH / 2, y, 4, 0, 2 * G_PI);
              cairo_fill (cr);
            }
          else
            {
              cairo_rectangle (cr, x, round (y) - 1.5, LEGEND_SWATCH, 3);
              cairo_fill (cr);
            }
        }
      else
        {
          /* Hidden: a hollow swatch and dim text. */
          set_layer_source (cr, layer, 0.6);
          cairo_set_line_width (cr, 1);
          cairo_rectangle (cr, x + 0.5, round (y) - 2.5, LEGEND_SWATCH - 1, 5);
          cairo_stroke (cr);
          text_color.alpha *= 0.45f;
        }
      draw_text (self, cr, layer->label, x + LEGEND_SWATCH + 6, y, 0.0, 0.5, TRUE, &text_color);
    }
}

static void
draw_hover (CxrPlot *self, cairo_t *cr, const Frame *frame, int width, int height, const Palette *palette)
{
  if (!self->has_hover)
    return;
  Layer *layer = g_ptr_array_index (self->layers, self->hover_layer);
  CxrPlotPoint p = cxr_plot_series_get_point (layer->series, self->hover_index);
  double x = map_x (frame, p.x), y = map_y (frame, layer->axis, p.y);
  set_layer_source (cr, layer, 1.0);
  cairo_arc (cr, x, y, 5.5, 0, 2 * G_PI);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);

  g_autofree char *text = NULL;
  if (self->readout_func)
    text = self->readout_func (self, self->hover_layer, self->hover_index, self->readout_data);
  if (text == NULL)
    {
      g_autofree char *xs = format_readout_number (p.x, self->x_axis.format);
      g_autofree char *ys = format_readout_number (p.y, self->y_axes[layer->axis].format);
      text = g_strdup_printf ("%s: %s %s, %s", layer->label ? layer->label : "", self->x_axis.label ? self->x_axis.label : "x",
                              xs, ys);
    }
  g_autoptr (PangoLayout) layout = make_layout (self, cr, text, TRUE);
  double w, h;
  text_size (layout, &w, &h);
  double bx = x + 10, by = y - h - 14;
  if (bx + w + 12 > width)
    bx = x - 10 - w - 12;
  if (by < 0)
    by = y + 10;
  bx = CLAMP (bx, 0, MAX (0, width - w - 12));
  by = CLAMP (by, 0, MAX (0, height - h - 8));
  GdkRGBA box = palette->background;
  box.alpha = 0.92f;
  gdk_cairo_set_source_rgba (cr, &box);
  cairo_rectangle (cr, bx, by, w + 12, h + 8);
  cairo_fill_preserve (cr);
  GdkRGBA border = palette->foreground;
  border.alpha = 0.3f;
  gdk_cairo_set_source_rgba (cr, &border);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_move_to (cr, round (bx + 6), round (by + 4));
  gdk_cairo_set_source_rgba (cr, &palette->foreground);
  pango_cairo_show_layout (cr, layout);
}

/* Draws a frame; with @for_widget, remembers its layout for the pointer. */
static void
draw_frame (CxrPlot *self, cairo_t *cr, int width, int height, gboolean for_widget, const Palette *palette)
{
  Frame frame = { 0 };
  compute_ranges (self, &frame);
  g_autoptr (GArray) hits = g_array_new (FALSE, FALSE, sizeof (LegendHit));

  /* Room: the legend on top, tick labels and titles around. */
  double small = text_height (self, cr, TRUE), normal = text_height (self, cr, FALSE);
  double left = PADDING, right = PADDING;
  left += TICK_LENGTH + 3 + widest_tick_label (self, cr, &self->y_axes[0], frame.y_min[0], frame.y_max[0]);
  if (self->y_axes[0].label)
    left += normal + 4;
  double right_axis_x[CXR_PLOT_N_Y_AXES] = { 0 };
  double right_extent[CXR_PLOT_N_Y_AXES] = { 0 };
  for (int k = CXR_PLOT_Y_RIGHT; k < CXR_PLOT_N_Y_AXES; k++)
    if (frame.y_used[k])
      {
        right_extent[k] = TICK_LENGTH + 3 + widest_tick_label (self, cr, &self->y_axes[k], frame.y_min[k],
                                                                frame.y_max[k])
                          + (self->y_axes[k].label ? normal + 4 : 0) + 6;
        right += right_extent[k];
      }
  /* Without a right axis, room for the half of the last x tick label that stands past the area's edge. */
  right = MAX (right, PADDING + widest_tick_label (self, cr, &self->x_axis, frame.x_min, frame.x_max) / 2);
  double legend_height = layout_legend (self, cr, left, PADDING, MAX (1, width - left - right), hits);
  double top = PADDING + legend_height + (legend_height > 0 ? 6 : 0) + small / 2;
  double bottom = PADDING + TICK_LENGTH + 2 + small + (self->x_axis.label ? normal + 2 : 0);
  frame.area = GRAPHENE_RECT_INIT ((float) left, (float) top, (float) MAX (10, width - left - right),
                                   (float) MAX (10, height - top - bottom));
  frame.valid = TRUE;
  double x = frame.area.origin.x + frame.area.size.width;
  for (int k = CXR_PLOT_Y_RIGHT; k < CXR_PLOT_N_Y_AXES; k++)
    if (frame.y_used[k])
      {
        right_axis_x[k] = x;
        x += right_extent[k];
      }

  draw_grid (self, cr, &frame, palette);
  draw_markers (self, cr, &frame);

  cairo_save (cr);
  /* Lines stay inside the area (a little room for the points' round ends). */
  cairo_rectangle (cr, frame.area.origin.x - 5, frame.area.origin.y - 5, frame.area.size.width + 10,
                   frame.area.size.height + 10);
  cairo_clip (cr);
  g_autoptr (GArray) scratch = g_array_new (FALSE, FALSE, sizeof (CxrPlotPoint));
  gboolean any_points = FALSE;
  for (guint i = 0; i < self->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (self->layers, i);
      layer->drawn_points = 0;
      any_points = any_points || cxr_plot_series_get_n_points (layer->series) > 0;
      if (layer->visible)
        draw_layer (self, cr, &frame, layer, scratch);
    }
  cairo_restore (cr);

  draw_y_axis (self, cr, &frame, CXR_PLOT_Y_LEFT, frame.area.origin.x, palette);
  for (int k = CXR_PLOT_Y_RIGHT; k < CXR_PLOT_N_Y_AXES; k++)
    if (frame.y_used[k])
      draw_y_axis (self, cr, &frame, k, right_axis_x[k], palette);
  draw_x_axis (self, cr, &frame, palette);
  draw_legend (self, cr, hits, palette);
  if (!any_points && self->placeholder)
    {
      GdkRGBA dim = palette->foreground;
      dim.alpha = 0.55f;
      draw_text (self, cr, self->placeholder, frame.area.origin.x + frame.area.size.width / 2,
                 frame.area.origin.y + frame.area.size.height / 2, 0.5, 0.5, FALSE, &dim);
    }
  if (for_widget)
    {
      self->frame = frame;
      g_array_set_size (self->legend_hits, 0);
      g_array_append_vals (self->legend_hits, hits->data, hits->len);
      draw_hover (self, cr, &frame, width, height, palette);
    }
}

void
cxr_plot_draw (CxrPlot *self, cairo_t *cr, int width, int height)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  Palette palette;
  get_palette (self, &palette);
  draw_frame (self, cr, width, height, FALSE, &palette);
}

static void
cxr_plot_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CxrPlot *self = CXR_PLOT (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  if (width <= 0 || height <= 0)
    return;
  Palette palette;
  get_palette (self, &palette);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  draw_frame (self, cr, width, height, TRUE, &palette);
  cairo_destroy (cr);
}

/* ---- export --------------------------------------------------------------- */

static void
draw_for_export (CxrPlot *self, cairo_t *cr, int width, int height)
{
  Palette palette;
  get_palette (self, &palette);
  palette.background.alpha = 1;
  gdk_cairo_set_source_rgba (cr, &palette.background);
  cairo_paint (cr);
  draw_frame (self, cr, width, height, FALSE, &palette);
}

static gboolean
check_surface (cairo_surface_t *surface, const char *path, GError **error)
{
  cairo_status_t status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
  return FALSE;
}

gboolean
cxr_plot_export_png (CxrPlot *self, const char *path, int width, int height, GError **error)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  draw_for_export (self, cr, width, height);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  gboolean ok = check_surface (surface, path, error);
  if (ok)
    {
      cairo_status_t status = cairo_surface_write_to_png (surface, path);
      if (status != CAIRO_STATUS_SUCCESS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, cairo_status_to_string (status));
          ok = FALSE;
        }
    }
  cairo_surface_destroy (surface);
  return ok;
}

gboolean
cxr_plot_export_svg (CxrPlot *self, const char *path, int width, int height, GError **error)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  cairo_surface_t *surface = cairo_svg_surface_create (path, width, height);
  gboolean ok = check_surface (surface, path, error);
  if (ok)
    {
      cairo_t *cr = cairo_create (surface);
      draw_for_export (self, cr, width, height);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      ok = check_surface (surface, path, error);
    }
  cairo_surface_destroy (surface);
  return ok;
}

gboolean
cxr_plot_export_csv (CxrPlot *self, const char *path, GError **error)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  g_autoptr (GString) out = g_string_new ("series,x,y\n");
  for (guint i = 0; i < self->layers->len; i++)
    {
      Layer *layer = g_ptr_array_index (self->layers, i);
      if (layer->label == NULL)
        continue;
      for (guint k = 0; k < cxr_plot_series_get_n_points (layer->series); k++)
        {
          CxrPlotPoint p = cxr_plot_series_get_point (layer->series, k);
          cxr_csv_append_field (out, layer->label);
          g_string_append_c (out, ',');
          if (isfinite (p.x))
            cxr_format_append_double (out, p.x);
          g_string_append_c (out, ',');
          if (isfinite (p.y))
            cxr_format_append_double (out, p.y);
          g_string_append_c (out, '\n');
        }
    }
  return cxr_atomic_file_set_contents (path, out->str, out->len, error);
}

/* ---- pointer -------------------------------------------------------------- */

static double
point_distance (CxrPlot *self, Layer *layer, guint index, double px, double py)
{
  CxrPlotPoint p = cxr_plot_series_get_point (layer->series, index);
  if (!isfinite (p.x) || !isfinite (p.y))
    return G_MAXDOUBLE;
  double dx = map_x (&self->frame, p.x) - px, dy = map_y (&self->frame, layer->axis, p.y) - py;
  return sqrt (dx * dx + dy * dy);
}

static void
update_hover (CxrPlot *self)
{
  gboolean had = self->has_hover;
  guint old_layer = self->hover_layer, old_index = self->hover_index;
  self->has_hover = FALSE;
  const Frame *frame = &self->frame;
  if (frame->valid && !isnan (self->pointer_x))
    {
      double best = HOVER_RADIUS;
      double data_x = frame->x_min + (self->pointer_x - frame->area.origin.x) / frame->area.size.width
                                       * (frame->x_max - frame->x_min);
      double data_radius = HOVER_RADIUS / frame->area.size.width * (frame->x_max - frame->x_min);
      for (guint i = 0; i < self->layers->len; i++)
        {
          Layer *layer = g_ptr_array_index (self->layers, i);
          guint n = cxr_plot_series_get_n_points (layer->series);
          if (!layer->visible || n == 0)
            continue;
          guint begin = 0, end = n;
          if (cxr_plot_series_is_sorted (layer->series))
            {
              /* Only the points within the radius in x; with 10,000 steps still a few hundred at most. */
              begin = cxr_plot_series_lower_bound (layer->series, data_x - data_radius);
              end = cxr_plot_series_lower_bound (layer->series, data_x + data_radius);
              end = MIN (n, end + 1);
            }
          for (guint k = begin; k < end; k++)
            {
              double d = point_distance (self, layer, k, self->pointer_x, self->pointer_y);
              /* Later layers win ties: they are drawn on top. */
              if (d <= best)
                {
                  best = d;
                  self->has_hover = TRUE;
                  self->hover_layer = i;
                  self->hover_index = k;
                }
            }
        }
    }
  if (had != self->has_hover || old_layer != self->hover_layer || old_index != self->hover_index)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
legend_hit (CxrPlot *self, double x, double y, guint *layer)
{
  for (guint i = 0; i < self->legend_hits->len; i++)
    {
      const LegendHit *hit = &g_array_index (self->legend_hits, LegendHit, i);
      if (graphene_rect_contains_point (&hit->area, &GRAPHENE_POINT_INIT ((float) x, (float) y)))
        {
          *layer = hit->layer;
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CxrPlot *self)
{
  guint layer;
  self->pointer_x = x;
  self->pointer_y = y;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), legend_hit (self, x, y, &layer) ? "pointer" : NULL);
  update_hover (self);
}

static void
on_leave (GtkEventControllerMotion *motion, CxrPlot *self)
{
  self->pointer_x = self->pointer_y = NAN;
  update_hover (self);
}

static void
on_released (GtkGestureClick *click, int n_press, double x, double y, CxrPlot *self)
{
  guint layer;
  if (legend_hit (self, x, y, &layer))
    cxr_plot_set_layer_visible (self, layer, !cxr_plot_get_layer_visible (self, layer));
}

/* ---- public ----------------------------------------------------------------- */

static void
axis_set (Axis *axis, const char *label, CxrPlotNumberFormat format, double min, double max, gboolean include_zero)
{
  g_free (axis->label);
  axis->label = g_strdup (label);
  axis->format = format;
  axis->min = min;
  axis->max = max;
  axis->include_zero = include_zero;
  axis->defined = TRUE;
}

void
cxr_plot_set_x_axis (CxrPlot *self, const char *label, CxrPlotNumberFormat format, double min, double max)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  axis_set (&self->x_axis, label, format, min, max, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cxr_plot_set_y_axis (CxrPlot *self, CxrPlotYAxis axis, const char *label, CxrPlotNumberFormat format, double min,
                     double max, gboolean include_zero)
{
  g_return_if_fail (CXR_IS_PLOT (self));
  g_return_if_fail (axis < CXR_PLOT_N_Y_AXES);

  axis_set (&self->y_axes[axis], label, format, min, max, include_zero);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_series_changed (CxrPlotSeries *series, gboolean appended, CxrPlot *self)
{
  /* Coalesced by GTK: one redraw per frame, however many points arrive before it. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
layer_free (Layer *layer)
{
  g_clear_signal_handler (&layer->changed_handler, layer->series);
  g_object_unref (layer->series);
  g_free (layer->label);
  g_free (layer);
}

guint
cxr_plot_add_layer (CxrPlot *self, CxrPlotSeries *series, CxrPlotYAxis axis, CxrPlotStyle style,
                    const GdkRGBA *color, const char *label)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), G_MAXUINT);
  g_return_val_if_fail (CXR_IS_PLOT_SERIES (series), G_MAXUINT);

  Layer *layer = g_new0 (Layer, 1);
  layer->series = g_object_ref (series);
  layer->changed_handler = g_signal_connect (series, "changed", G_CALLBACK (on_series_changed), self);
  layer->axis = axis;
  layer->style = style;
  layer->color = *color;
  layer->label = g_strdup (label);
  layer->visible = TRUE;
  g_ptr_array_add (self->layers, layer);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return self->layers->len - 1;
}

guint
cxr_plot_get_n_layers (CxrPlot *self)
{
  return self->layers->len;
}

CxrPlotSeries *
cxr_plot_get_layer_series (CxrPlot *self, guint layer)
{
  g_return_val_if_fail (layer < self->layers->len, NULL);
  return ((Layer *) g_ptr_array_index (self->layers, layer))->series;
}

const char *
cxr_plot_get_layer_label (CxrPlot *self, guint layer)
{
  g_return_val_if_fail (layer < self->layers->len, NULL);
  return ((Layer *) g_ptr_array_index (self->layers, layer))->label;
}

void
cxr_plot_set_layer_label (CxrPlot *self, guint layer, const char *label)
{
  g_return_if_fail (CXR_IS_PLOT (self));
  g_return_if_fail (layer < self->layers->len);

  Layer *l = g_ptr_array_index (self->layers, layer);
  g_free (l->label);
  l->label = g_strdup (label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cxr_plot_set_layer_visible (CxrPlot *self, guint layer, gboolean visible)
{
  g_return_if_fail (CXR_IS_PLOT (self));
  g_return_if_fail (layer < self->layers->len);

  Layer *l = g_ptr_array_index (self->layers, layer);
  if (l->visible == visible)
    return;
  l->visible = visible;
  if (!visible && self->has_hover && self->hover_layer == layer)
    self->has_hover = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cxr_plot_get_layer_visible (CxrPlot *self, guint layer)
{
  g_return_val_if_fail (layer < self->layers->len, FALSE);
  return ((Layer *) g_ptr_array_index (self->layers, layer))->visible;
}

static void
marker_clear (gpointer data)
{
  g_free (((Marker *) data)->label);
}

void
cxr_plot_clear_markers (CxrPlot *self)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  g_array_set_size (self->markers, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cxr_plot_add_marker (CxrPlot *self, double x, const char *label, const GdkRGBA *color, gboolean dashed)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  Marker marker = { x, g_strdup (label), *color, dashed };
  g_array_append_val (self->markers, marker);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cxr_plot_set_readout_func (CxrPlot *self, CxrPlotReadoutFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  if (self->readout_destroy)
    self->readout_destroy (self->readout_data);
  self->readout_func = func;
  self->readout_data = user_data;
  self->readout_destroy = destroy;
}

void
cxr_plot_set_placeholder (CxrPlot *self, const char *text)
{
  g_return_if_fail (CXR_IS_PLOT (self));

  g_free (self->placeholder);
  self->placeholder = g_strdup (text);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cxr_plot_get_hover (CxrPlot *self, guint *layer, guint *index)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  if (!self->has_hover)
    return FALSE;
  *layer = self->hover_layer;
  *index = self->hover_index;
  return TRUE;
}

gboolean
cxr_plot_data_to_widget (CxrPlot *self, CxrPlotYAxis axis, double x, double y, double *widget_x, double *widget_y)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  if (!self->frame.valid)
    return FALSE;
  *widget_x = map_x (&self->frame, x);
  *widget_y = map_y (&self->frame, axis, y);
  return TRUE;
}

gboolean
cxr_plot_get_legend_area (CxrPlot *self, guint layer, graphene_rect_t *area)
{
  g_return_val_if_fail (CXR_IS_PLOT (self), FALSE);

  for (guint i = 0; i < self->legend_hits->len; i++)
    {
      const LegendHit *hit = &g_array_index (self->legend_hits, LegendHit, i);
      if (hit->layer == layer)
        {
          *area = hit->area;
          return TRUE;
        }
    }
  return FALSE;
}

guint
cxr_plot_get_drawn_points (CxrPlot *self, guint layer)
{
  g_return_val_if_fail (layer < self->layers->len, 0);
  return ((Layer *) g_ptr_array_index (self->layers, layer))->drawn_points;
}

static void
cxr_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                  int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 260 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 320;
}

static void
cxr_plot_dispose (GObject *object)
{
  CxrPlot *self = CXR_PLOT (object);

  g_ptr_array_set_size (self->layers, 0);
  cxr_plot_set_readout_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (cxr_plot_parent_class)->dispose (object);
}

static void
cxr_plot_finalize (GObject *object)
{
  CxrPlot *self = CXR_PLOT (object);

  g_ptr_array_unref (self->layers);
  g_array_unref (self->markers);
  g_array_unref (self->legend_hits);
  g_free (self->placeholder);
  g_free (self->x_axis.label);
  for (int k = 0; k < CXR_PLOT_N_Y_AXES; k++)
    g_free (self->y_axes[k].label);

  G_OBJECT_CLASS (cxr_plot_parent_class)->finalize (object);
}

static void
cxr_plot_class_init (CxrPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_plot_dispose;
  object_class->finalize = cxr_plot_finalize;
  widget_class->snapshot = cxr_plot_snapshot;
  widget_class->measure = cxr_plot_measure;

  gtk_widget_class_set_css_name (widget_class, "plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cxr_plot_init (CxrPlot *self)
{
  self->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) layer_free);
  self->markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_array_set_clear_func (self->markers, marker_clear);
  self->legend_hits = g_array_new (FALSE, FALSE, sizeof (LegendHit));
  self->pointer_x = self->pointer_y = NAN;
  self->x_axis.min = self->x_axis.max = NAN;
  for (int k = 0; k < CXR_PLOT_N_Y_AXES; k++)
    self->y_axes[k].min = self->y_axes[k].max = NAN;

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
cxr_plot_new (void)
{
  return g_object_new (CXR_TYPE_PLOT, NULL);
}
