/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-sweep-plot.c: a small line chart with axes, the current threshold and a hover readout.
 *
 * Emits "threshold-chosen" (double) when clicked.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-sweep-plot.h"

/* Room for the axis labels, in pixels. */
#define MARGIN_LEFT 44
#define MARGIN_RIGHT 12
#define MARGIN_TOP 24
#define MARGIN_BOTTOM 40

struct _CxrSweepPlot {
  GtkWidget parent_instance;

  GArray *thresholds;   /* double */
  GArray *values;       /* double */
  double threshold;
  double hover_x;       /* NAN: the pointer is elsewhere */
};

G_DEFINE_FINAL_TYPE (CxrSweepPlot, cxr_sweep_plot, GTK_TYPE_WIDGET)

enum {
  THRESHOLD_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
plot_area (CxrSweepPlot *self, graphene_rect_t *area)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_init (area, MARGIN_LEFT, MARGIN_TOP, MAX (1, width - MARGIN_LEFT - MARGIN_RIGHT),
                      MAX (1, height - MARGIN_TOP - MARGIN_BOTTOM));
}

/* Both axes run from 0 to 1. */
static double
to_x (const graphene_rect_t *area, double t)
{
  return area->origin.x + t * area->size.width;
}

static double
to_y (const graphene_rect_t *area, double v)
{
  return area->origin.y + (1.0 - v) * area->size.height;
}

static guint
nearest_point (CxrSweepPlot *self, double x)
{
  graphene_rect_t area;
  plot_area (self, &area);
  guint best = 0;
  double best_distance = G_MAXDOUBLE;
  for (guint i = 0; i < self->thresholds->len; i++)
    {
      double distance = fabs (to_x (&area, g_array_index (self->thresholds, double, i)) - x);
      if (distance < best_distance)
        {
          best_distance = distance;
          best = i;
        }
    }
  return best;
}

double
cxr_sweep_plot_threshold_at (CxrSweepPlot *self, double x)
{
  g_return_val_if_fail (CXR_IS_SWEEP_PLOT (self), NAN);

  if (self->thresholds->len == 0)
    return NAN;
  return g_array_index (self->thresholds, double, nearest_point (self, x));
}

static void
append_text (CxrSweepPlot *self, GtkSnapshot *snapshot, const char *text, double x, double y, double xalign,
             const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int width, height;
  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) (x - xalign * width), (float) (y - height / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
cxr_sweep_plot_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CxrSweepPlot *self = CXR_SWEEP_PLOT (widget);
  GdkRGBA foreground, grid, line = { 0.21f, 0.52f, 0.89f, 1.0f }, marker = { 0.9f, 0.38f, 0.0f, 1.0f };
  graphene_rect_t area;

  /* GTK 4.8 has no gtk_widget_get_color. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &foreground);
  grid = foreground;
  grid.alpha = 0.15f;
  plot_area (self, &area);

  /* Grid and tick labels every 0.2 on both axes. */
  for (int i = 0; i <= 5; i++)
    {
      double v = i / 5.0;
      g_autofree char *label = g_strdup_printf ("%.1f", v);
      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (area.origin.x, (float) floor (to_y (&area, v)),
                                                                        area.size.width, 1));
      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT ((float) floor (to_x (&area, v)), area.origin.y,
                                                                        1, area.size.height));
      append_text (self, snapshot, label, area.origin.x - 6, to_y (&area, v), 1.0, &foreground);
      append_text (self, snapshot, label, to_x (&area, v), area.origin.y + area.size.height + 10, 0.5, &foreground);
    }
  /* Translators: the x axis of the sweep plot */
  append_text (self, snapshot, _("threshold"), area.origin.x + area.size.width / 2, area.origin.y + area.size.height + 30,
               0.5, &foreground);
  /* Translators: the y axis of the sweep plot */
  append_text (self, snapshot, _("mean IoU"), area.origin.x - 6, area.origin.y - 16, 0.5, &foreground);

  if (!isnan (self->threshold))
    gtk_snapshot_append_color (snapshot, &marker,
                               &GRAPHENE_RECT_INIT ((float) floor (to_x (&area, self->threshold)) - 1, area.origin.y,
                                                    2, area.size.height));

  if (self->thresholds->len == 0)
    return;

  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &area);
  gboolean drawing = FALSE;
  for (guint i = 0; i < self->thresholds->len; i++)
    {
      double v = g_array_index (self->values, double, i);
      double x = to_x (&area, g_array_index (self->thresholds, double, i));
      if (isnan (v))
        {
          drawing = FALSE;
          continue;
        }
      if (drawing)
        cairo_line_to (cr, x, to_y (&area, v));
      else
        cairo_move_to (cr, x, to_y (&area, v));
      drawing = TRUE;
    }
  gdk_cairo_set_source_rgba (cr, &line);
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
  for (guint i = 0; i < self->thresholds->len; i++)
    {
      double v = g_array_index (self->values, double, i);
      if (isnan (v))
        continue;
      cairo_arc (cr, to_x (&area, g_array_index (self->thresholds, double, i)), to_y (&area, v), 3.0, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);

  if (!isnan (self->hover_x))
    {
      guint i = nearest_point (self, self->hover_x);
      double t = g_array_index (self->thresholds, double, i);
      double v = g_array_index (self->values, double, i);
      if (!isnan (v))
        {
          /* Translators: a point of the sweep plot: threshold and mean IoU */
          g_autofree char *text = g_strdup_printf (_("t = %.2f: mean IoU %.3f"), t, v);
          double x = to_x (&area, t);
          gtk_snapshot_append_color (snapshot, &foreground, &GRAPHENE_RECT_INIT ((float) x - 4, (float) to_y (&area, v) - 4, 8, 8));
          append_text (self, snapshot, text, x < area.origin.x + area.size.width / 2 ? x + 8 : x - 8,
                       area.origin.y + 10, x < area.origin.x + area.size.width / 2 ? 0.0 : 1.0, &foreground);
        }
    }
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, CxrSweepPlot *self)
{
  self->hover_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion, CxrSweepPlot *self)
{
  self->hover_x = NAN;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *click, int n_press, double x, double y, CxrSweepPlot *self)
{
  double t = cxr_sweep_plot_threshold_at (self, x);
  if (!isnan (t))
    g_signal_emit (self, signals[THRESHOLD_CHOSEN], 0, t);
}

void
cxr_sweep_plot_set_data (CxrSweepPlot *self, const double *thresholds, const double *values, guint n)
{
  g_return_if_fail (CXR_IS_SWEEP_PLOT (self));

  g_array_set_size (self->thresholds, 0);
  g_array_set_size (self->values, 0);
  g_array_append_vals (self->thresholds, thresholds, n);
  g_array_append_vals (self->values, values, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cxr_sweep_plot_get_n_points (CxrSweepPlot *self)
{
  return self->thresholds->len;
}

void
cxr_sweep_plot_set_threshold (CxrSweepPlot *self, double threshold)
{
  g_return_if_fail (CXR_IS_SWEEP_PLOT (self));

  self->threshold = threshold;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cxr_sweep_plot_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                        int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 220;
}

static void
cxr_sweep_plot_finalize (GObject *object)
{
  CxrSweepPlot *self = CXR_SWEEP_PLOT (object);

  g_array_unref (self->thresholds);
  g_array_unref (self->values);

  G_OBJECT_CLASS (cxr_sweep_plot_parent_class)->finalize (object);
}

static void
cxr_sweep_plot_class_init (CxrSweepPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cxr_sweep_plot_finalize;
  widget_class->snapshot = cxr_sweep_plot_snapshot;
  widget_class->measure = cxr_sweep_plot_measure;

  signals[THRESHOLD_CHOSEN] = g_signal_new ("threshold-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "sweepplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cxr_sweep_plot_init (CxrSweepPlot *self)
{
  self->thresholds = g_array_new (FALSE, FALSE, sizeof (double));
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  self->threshold = NAN;
  self->hover_x = NAN;

  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
cxr_sweep_plot_new (void)
{
  return g_object_new (CXR_TYPE_SWEEP_PLOT, NULL);
}
