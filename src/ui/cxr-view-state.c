/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-view-state.c: linked zoom, pan and window/level for the panes. */
#include "config.h"

#include <math.h>

#include "cxr-view-state.h"

struct _CxrViewState {
  GObject parent_instance;

  int image_width;
  int image_height;
  gboolean fit;
  double zoom;        /* pane pixels per image pixel; used when !fit */
  double center_x;    /* image point at the pane centre; used when !fit */
  double center_y;

  double window_center;   /* the image's value units: 8-bit gray, or a DICOM image's stored values */
  double window_width;
  gboolean invert;
  gboolean use_table;     /* DICOM: the file's VOI LUT is shown instead of the window */
  /* The values the window moves over, and the window a reset goes back to. */
  double value_low, value_high;
  gboolean stored;        /* TRUE: the panes' picture is windowed by the window/level control, not a colour matrix */
  double default_center, default_width;
  gboolean default_use_table;
  double overlay_opacity;
};

G_DEFINE_FINAL_TYPE (CxrViewState, cxr_view_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FIT,
  PROP_ZOOM,
  PROP_WINDOW_CENTER,
  PROP_WINDOW_WIDTH,
  PROP_INVERT,
  PROP_USE_TABLE,
  PROP_STORED,
  PROP_OVERLAY_OPACITY,
  N_PROPS
};

enum {
  CHANGED,
  RANGE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
emit_changed (CxrViewState *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static double
fit_zoom (CxrViewState *self, int pane_width, int pane_height)
{
  if (self->image_width <= 0 || self->image_height <= 0 || pane_width <= 0 || pane_height <= 0)
    return 1.0;
  return MIN ((double) pane_width / self->image_width, (double) pane_height / self->image_height);
}

static void
set_fit (CxrViewState *self, gboolean fit)
{
  if (self->fit == fit)
    return;
  self->fit = fit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
}

/* Leaves fit mode with the view fit mode showed, so that the next step starts from what is on screen. */
static void
leave_fit (CxrViewState *self, int pane_width, int pane_height)
{
  if (!self->fit)
    return;
  self->zoom = fit_zoom (self, pane_width, pane_height);
  self->center_x = self->image_width / 2.0;
  self->center_y = self->image_height / 2.0;
  set_fit (self, FALSE);
}

void
cxr_view_state_get_transform (CxrViewState *self, int pane_width, int pane_height,
                              double *scale, double *offset_x, double *offset_y)
{
  double zoom = self->fit ? fit_zoom (self, pane_width, pane_height) : self->zoom;
  double cx = self->fit ? self->image_width / 2.0 : self->center_x;
  double cy = self->fit ? self->image_height / 2.0 : self->center_y;

  /* Whole pane pixels in fit mode keep the image edges crisp. */
  *scale = zoom;
  *offset_x = pane_width / 2.0 - cx * zoom;
  *offset_y = pane_height / 2.0 - cy * zoom;
  if (self->fit)
    {
      *offset_x = round (*offset_x);
      *offset_y = round (*offset_y);
    }
}

void
cxr_view_state_set_image_size (CxrViewState *self, int width, int height)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  if (width == self->image_width && height == self->image_height)
    return;
  self->image_width = width;
  self->image_height = height;
  self->center_x = width / 2.0;
  self->center_y = height / 2.0;
  emit_changed (self);
}

void
cxr_view_state_get_image_size (CxrViewState *self, int *width, int *height)
{
  *width = self->image_width;
  *height = self->image_height;
}

gboolean
cxr_view_state_get_fit (CxrViewState *self)
{
  return self->fit;
}

void
cxr_view_state_fit (CxrViewState *self)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  set_fit (self, TRUE);
  self->center_x = self->image_width / 2.0;
  self->center_y = self->image_height / 2.0;
  emit_changed (self);
}

void
cxr_view_state_set_zoom (CxrViewState *self, double zoom, int pane_width, int pane_height)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  leave_fit (self, pane_width, pane_height);
  self->zoom = CLAMP (zoom, CXR_VIEW_STATE_MIN_ZOOM, CXR_VIEW_STATE_MAX_ZOOM);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  emit_changed (self);
}

double
cxr_view_state_get_effective_zoom (CxrViewState *self, int pane_width, int pane_height)
{
  return self->fit ? fit_zoom (self, pane_width, pane_height) : self->zoom;
}

void
cxr_view_state_zoom_at (CxrViewState *self, double factor, double anchor_x, double anchor_y,
                        int pane_width, int pane_height)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  double scale, ox, oy;
  cxr_view_state_get_transform (self, pane_width, pane_height, &scale, &ox, &oy);
  double image_x = (anchor_x - ox) / scale;
  double image_y = (anchor_y - oy) / scale;

  leave_fit (self, pane_width, pane_height);
  double zoom = CLAMP (scale * factor, CXR_VIEW_STATE_MIN_ZOOM, CXR_VIEW_STATE_MAX_ZOOM);
  /* Keep image_x under anchor_x: anchor_x = pane_width / 2 - (center_x - image_x) * zoom. */
  self->zoom = zoom;
  self->center_x = image_x - (anchor_x - pane_width / 2.0) / zoom;
  self->center_y = image_y - (anchor_y - pane_height / 2.0) / zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  emit_changed (self);
}

void
cxr_view_state_pan (CxrViewState *self, double dx, double dy, int pane_width, int pane_height)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  leave_fit (self, pane_width, pane_height);
  self->center_x -= dx / self->zoom;
  self->center_y -= dy / self->zoom;
  /* Never lose the image entirely: its centre stays within the image. */
  self->center_x = CLAMP (self->center_x, 0, self->image_width);
  self->center_y = CLAMP (self->center_y, 0, self->image_height);
  emit_changed (self);
}

double
cxr_view_state_get_window_center (CxrViewState *self)
{
  return self->window_center;
}

void
cxr_view_state_set_window_center (CxrViewState *self, double center)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  center = CLAMP (center, self->value_low, self->value_high);
  if (center == self->window_center)
    return;
  self->window_center = center;
  cxr_view_state_set_use_table (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_CENTER]);
  emit_changed (self);
}

double
cxr_view_state_get_window_width (CxrViewState *self)
{
  return self->window_width;
}

void
cxr_view_state_set_window_width (CxrViewState *self, double width)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  width = CLAMP (width, 1.0, 2.0 * (self->value_high - self->value_low));
  if (width == self->window_width)
    return;
  self->window_width = width;
  cxr_view_state_set_use_table (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
  emit_changed (self);
}

gboolean
cxr_view_state_get_invert (CxrViewState *self)
{
  return self->invert;
}

void
cxr_view_state_set_invert (CxrViewState *self, gboolean invert)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  invert = !!invert;
  if (invert == self->invert)
    return;
  self->invert = invert;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVERT]);
  emit_changed (self);
}

void
cxr_view_state_reset_window (CxrViewState *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  cxr_view_state_set_window_center (self, self->default_center);
  cxr_view_state_set_window_width (self, self->default_width);
  cxr_view_state_set_use_table (self, self->default_use_table);
  cxr_view_state_set_invert (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
cxr_view_state_get_use_table (CxrViewState *self)
{
  return self->use_table;
}

void
cxr_view_state_set_use_table (CxrViewState *self, gboolean use_table)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  use_table = !!use_table;
  if (use_table == self->use_table)
    return;
  self->use_table = use_table;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USE_TABLE]);
  emit_changed (self);
}

void
cxr_view_state_set_value_range (CxrViewState *self, double low, double high, gboolean stored,
                                double default_center, double default_width, gboolean default_use_table)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));
  g_return_if_fail (high > low);

  self->value_low = low;
  self->value_high = high;
  self->default_center = default_center;
  self->default_width = default_width;
  self->default_use_table = default_use_table;
  if (stored != self->stored)
    {
      self->stored = stored;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORED]);
    }
  /* The controls bound to the window learn the new range before the window moves into it. */
  g_signal_emit (self, signals[RANGE_CHANGED], 0);
  cxr_view_state_reset_window (self);
}

void
cxr_view_state_get_value_range (CxrViewState *self, double *low, double *high)
{
  *low = self->value_low;
  *high = self->value_high;
}

gboolean
cxr_view_state_get_stored (CxrViewState *self)
{
  return self->stored;
}

void
cxr_view_state_get_gray_map (CxrViewState *self, float *slope, float *offset)
{
  /* A DICOM picture is windowed before it becomes a texture (cxr-window-level.h): nothing to do here. */
  if (self->stored)
    {
      *slope = 1.0f;
      *offset = 0.0f;
      return;
    }
  /* v in [0, 1] is 255 v in 8-bit units; the window maps [center - width/2, center + width/2] to [0, 1]. */
  double s = 255.0 / self->window_width;
  double o = 0.5 - self->window_center / self->window_width;
  if (self->invert)
    {
      s = -s;
      o = 1.0 - o;
    }
  *slope = (float) s;
  *offset = (float) o;
}

double
cxr_view_state_get_overlay_opacity (CxrViewState *self)
{
  return self->overlay_opacity;
}

void
cxr_view_state_set_overlay_opacity (CxrViewState *self, double opacity)
{
  g_return_if_fail (CXR_IS_VIEW_STATE (self));

  opacity = CLAMP (opacity, 0.0, 1.0);
  if (opacity == self->overlay_opacity)
    return;
  self->overlay_opacity = opacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY_OPACITY]);
  emit_changed (self);
}

static void
cxr_view_state_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrViewState *self = CXR_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_FIT:
      g_value_set_boolean (value, self->fit);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_WINDOW_CENTER:
      g_value_set_double (value, self->window_center);
      break;
    case PROP_WINDOW_WIDTH:
      g_value_set_double (value, self->window_width);
      break;
    case PROP_INVERT:
      g_value_set_boolean (value, self->invert);
      break;
    case PROP_USE_TABLE:
      g_value_set_boolean (value, self->use_table);
      break;
    case PROP_STORED:
      g_value_set_boolean (value, self->stored);
      break;
    case PROP_OVERLAY_OPACITY:
      g_value_set_double (value, self->overlay_opacity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_view_state_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CxrViewState *self = CXR_VIEW_STATE (object);

  switch (prop_id)
    {
    case PROP_WINDOW_CENTER:
      cxr_view_state_set_window_center (self, g_value_get_double (value));
      break;
    case PROP_WINDOW_WIDTH:
      cxr_view_state_set_window_width (self, g_value_get_double (value));
      break;
    case PROP_INVERT:
      cxr_view_state_set_invert (self, g_value_get_boolean (value));
      break;
    case PROP_USE_TABLE:
      cxr_view_state_set_use_table (self, g_value_get_boolean (value));
      break;
    case PROP_OVERLAY_OPACITY:
      cxr_view_state_set_overlay_opacity (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_view_state_class_init (CxrViewStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cxr_view_state_get_property;
  object_class->set_property = cxr_view_state_set_property;

  properties[PROP_FIT] =
    g_param_spec_boolean ("fit", NULL, NULL, TRUE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, CXR_VIEW_STATE_MIN_ZOOM, CXR_VIEW_STATE_MAX_ZOOM, 1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_CENTER] =
    g_param_spec_double ("window-center", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 127.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_double ("window-width", NULL, NULL, 0.0, G_MAXDOUBLE, 255.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INVERT] =
    g_param_spec_boolean ("invert", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USE_TABLE] =
    g_param_spec_boolean ("use-table", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORED] =
    g_param_spec_boolean ("stored", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY_OPACITY] =
    g_param_spec_double ("overlay-opacity", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The window's value range changed (a DICOM image came, or went): emitted before the window moves into it. */
  signals[RANGE_CHANGED] = g_signal_new ("range-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cxr_view_state_init (CxrViewState *self)
{
  self->fit = TRUE;
  self->zoom = 1.0;
  self->window_center = 127.5;
  self->window_width = 255.0;
  self->value_low = 0.0;
  self->value_high = 255.0;
  self->default_center = 127.5;
  self->default_width = 255.0;
  self->overlay_opacity = 0.5;
}

CxrViewState *
cxr_view_state_new (void)
{
  return g_object_new (CXR_TYPE_VIEW_STATE, NULL);
}
