/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-view.c: a pane drawn in snapshot from the shared content and view state.
 *
 * Per frame the pane appends at most three textures (image, mask or heatmap) and a few border and text nodes;
 * window/level is a colour-matrix node over the image texture, so dragging it uploads nothing. Textures are
 * made elsewhere, once per image or per threshold change.
 */
#include "config.h"

#include <math.h>

#include "cxr-pane-measures.h"
#include "cxr-pane-view.h"

const GdkRGBA cxr_pane_gt_box_color = { 1.0f, 0.87f, 0.0f, 1.0f };           /* yellow, as the tutorial */
const GdkRGBA cxr_pane_predicted_box_color = { 0.0f, 0.85f, 1.0f, 1.0f };    /* cyan */

#define BOX_LINE_WIDTH 2.0f

struct _CxrPaneView {
  GtkWidget parent_instance;

  CxrPaneKind kind;
  gboolean heatmap_boxes;   /* a heatmap half of two methods side by side: its own boxes over its own map */

  /* owned */
  CxrPaneContent *content;
  CxrViewState *view_state;

  /* drag state */
  guint drag_button;
  gboolean drag_windows;   /* a secondary or Ctrl + primary drag: window/level, not pan */
  double drag_last_x;
  double drag_last_y;
  double drag_start_center;
  double drag_start_width;
  /* last pointer position, for zooming about it */
  double pointer_x;
  double pointer_y;
  gboolean pointer_inside;
};

G_DEFINE_FINAL_TYPE (CxrPaneView, cxr_pane_view, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (CxrPaneKind, cxr_pane_kind,
                    G_DEFINE_ENUM_VALUE (CXR_PANE_ORIGINAL, "original"),
                    G_DEFINE_ENUM_VALUE (CXR_PANE_GROUND_TRUTH, "ground-truth"),
                    G_DEFINE_ENUM_VALUE (CXR_PANE_MASK, "mask"),
                    G_DEFINE_ENUM_VALUE (CXR_PANE_HEATMAP, "heatmap"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_CONTENT,
  PROP_VIEW_STATE,
  N_PROPS
};

enum {
  HOVER,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
get_transform (CxrPaneView *self, double *scale, double *ox, double *oy)
{
  cxr_view_state_get_transform (self->view_state, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), scale, ox, oy);
}

void
cxr_pane_view_widget_to_image (CxrPaneView *self, double x, double y, double *image_x, double *image_y)
{
  double scale, ox, oy;
  get_transform (self, &scale, &ox, &oy);
  *image_x = (x - ox) / scale;
  *image_y = (y - oy) / scale;
}

void
cxr_pane_view_widget_to_image_clamped (CxrPaneView *self, double x, double y, double *image_x, double *image_y)
{
  int width = 0, height = 0;
  if (self->content != NULL)
    cxr_pane_content_get_size (self->content, &width, &height);
  cxr_pane_view_widget_to_image (self, x, y, image_x, image_y);
  *image_x = CLAMP (*image_x, 0.0, (double) width);
  *image_y = CLAMP (*image_y, 0.0, (double) height);
}

void
cxr_pane_view_image_to_widget (CxrPaneView *self, double image_x, double image_y, double *x, double *y)
{
  double scale, ox, oy;
  get_transform (self, &scale, &ox, &oy);
  *x = ox + image_x * scale;
  *y = oy + image_y * scale;
}

void
cxr_box_handle_position (CxrBoxHandle handle, double x, double y, double w, double h, double *handle_x,
                         double *handle_y)
{
  /* Column and row of each handle: 0 left/top, 1 middle, 2 right/bottom. */
  static const int column[CXR_N_BOX_HANDLES] = { 0, 1, 2, 2, 2, 1, 0, 0 };
  static const int row[CXR_N_BOX_HANDLES] = { 0, 0, 0, 1, 2, 2, 2, 1 };
  g_return_if_fail (handle >= 0 && handle < CXR_N_BOX_HANDLES);
  *handle_x = x + w * column[handle] / 2.0;
  *handle_y = y + h * row[handle] / 2.0;
}

/* ---- drawing ------------------------------------------------------------ */

static void
append_centered_text (CxrPaneView *self, GtkSnapshot *snapshot, const char *text)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int text_width, text_height;

  pango_layout_set_width (layout, MAX (1, width - 48) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &text_width, &text_height);

  double x = (width - text_width) / 2.0;
  double y = (height - text_height) / 2.0;
  GskRoundedRect background;
  gsk_rounded_rect_init_from_rect (&background, &GRAPHENE_RECT_INIT (x - 12, y - 8, text_width + 24, text_height + 16), 8);
  gtk_snapshot_push_rounded_clip (snapshot, &background);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.72f }, &background.bounds);
  gtk_snapshot_pop (snapshot);

  /* Pango lays the text out in the layout's width; centre that box. */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - (width - 48)) / 2.0f, (float) y));
  gtk_snapshot_append_layout (snapshot, layout, &(GdkRGBA) { 1, 1, 1, 0.9f });
  gtk_snapshot_restore (snapshot);
}

static void
append_image (CxrPaneView *self, GtkSnapshot *snapshot, GdkTexture *texture, int image_width, int image_height)
{
  /* The texture may be a smaller level of the pyramid: it is stretched over the whole image. */
  float slope, offset;
  graphene_matrix_t matrix;
  graphene_vec4_t offsets;

  cxr_view_state_get_gray_map (self->view_state, &slope, &offset);
  graphene_matrix_init_from_float (&matrix, (float[16]) {
    slope, 0, 0, 0,
    0, slope, 0, 0,
    0, 0, slope, 0,
    0, 0, 0, 1,
  });
  graphene_vec4_init (&offsets, offset, offset, offset, 0);

  /* The identity map is the common case: skip the node. */
  gboolean identity = slope == 1.0f && offset == 0.0f;
  if (!identity)
    gtk_snapshot_push_color_matrix (snapshot, &matrix, &offsets);
  gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (0, 0, image_width, image_height));
  if (!identity)
    gtk_snapshot_pop (snapshot);
}

/* The bottom of whatever a GtkOverlay parent lays over the pane's top edge (its captions), so that box tags
 * stay clear of it; 0 when nothing is there. */
static float
caption_bottom (CxrPaneView *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));
  float bottom = 0.0f;

  if (!GTK_IS_OVERLAY (parent))
    return 0.0f;
  for (GtkWidget *child = gtk_widget_get_first_child (parent); child; child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;
      if (child == GTK_WIDGET (self) || !gtk_widget_get_visible (child)
          || !gtk_widget_compute_bounds (child, GTK_WIDGET (self), &bounds))
        continue;
      if (bounds.origin.y < 1.0f + BOX_LINE_WIDTH * 4)  /* at the top edge */
        bottom = MAX (bottom, bounds.origin.y + bounds.size.height + 2.0f);
    }
  return bottom;
}

static gboolean
overlaps_placed (const GArray *placed, const graphene_rect_t *rect)
{
  for (guint i = 0; i < placed->len; i++)
    if (graphene_rect_intersection (&g_array_index (placed, graphene_rect_t, i), rect, NULL))
      return TRUE;
  return FALSE;
}

/* @placed holds the tags drawn so far in this pane (graphene_rect_t); a new tag goes where it covers none. */
static void
append_box (CxrPaneView *self, GtkSnapshot *snapshot, const CxrPaneBox *box, const GdkRGBA *color,
            double scale, double ox, double oy, GArray *placed)
{
  /* Whole pixels keep the lines sharp; the line is drawn just outside the box so it never hides its edge. */
  float x0 = (float) floor (ox + box->x * scale) - BOX_LINE_WIDTH;
  float y0 = (float) floor (oy + box->y * scale) - BOX_LINE_WIDTH;
  float x1 = (float) ceil (ox + (box->x + box->w) * scale) + BOX_LINE_WIDTH;
  float y1 = (float) ceil (oy + (box->y + box->h) * scale) + BOX_LINE_WIDTH;
  GskRoundedRect outline, halo;
  const GdkRGBA shadow = { 0, 0, 0, 0.6f };

  gsk_rounded_rect_init_from_rect (&halo, &GRAPHENE_RECT_INIT (x0 - 1, y0 - 1, x1 - x0 + 2, y1 - y0 + 2), 0);
  gtk_snapshot_append_border (snapshot, &halo, (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { shadow, shadow, shadow, shadow });
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0), 0);
  gtk_snapshot_append_border (snapshot, &outline,
                              (float[4]) { BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH },
                              (GdkRGBA[4]) { *color, *color, *color, *color });

  /* Where the image has a pixel spacing (DICOM), the tag gives the box's size in mm as well. */
  g_autofree char *text = cxr_pane_measures_box_text (self->content, box);
  if (text[0] == '\0')
    return;

  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int text_width, text_height;
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  /* The tag sits on the box's top edge, kept inside the pane. Where that would run under the pane's caption
   * (a box at the top of the image), it goes inside the box, below the caption. */
  float tx = CLAMP (x0, 0.0f, MAX (0.0f, gtk_widget_get_width (GTK_WIDGET (self)) - text_width - 8.0f));
  float ty = y0 - text_height - 2;
  float clear = caption_bottom (self);
  if (ty < clear)
    ty = MAX (y0 + BOX_LINE_WIDTH + 2, clear);
  /* Another box's tag is there already (a ground-truth and a predicted box often share their top-left corner):
   * below this box's bottom edge, else further down, a line at a time. */
  graphene_rect_t tag = GRAPHENE_RECT_INIT (tx, ty, text_width + 8, text_height + 2);
  if (overlaps_placed (placed, &tag))
    {
      tag.origin.y = y1 + 2;
      for (guint step = 0; step < 8 && overlaps_placed (placed, &tag); step++)
        tag.origin.y += text_height + 4;
      ty = tag.origin.y;
    }
  g_array_append_val (placed, tag);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.65f },
                             &GRAPHENE_RECT_INIT (tx, ty, text_width + 8, text_height + 2));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (tx + 4, ty + 1));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* White squares with a dark rim on the box's corners and edge midpoints: grab one to resize. */
static void
append_handles (CxrPaneView *self, GtkSnapshot *snapshot, const CxrPaneBox *box, double scale, double ox,
                double oy)
{
  const float size = (float) CXR_PANE_HANDLE_SIZE;
  const GdkRGBA rim = { 0, 0, 0, 0.8f };
  const GdkRGBA fill = { 1, 1, 1, 1 };

  for (int handle = 0; handle < CXR_N_BOX_HANDLES; handle++)
    {
      double hx, hy;
      cxr_box_handle_position (handle, box->x, box->y, box->w, box->h, &hx, &hy);
      float x = (float) round (ox + hx * scale - size / 2);
      float y = (float) round (oy + hy * scale - size / 2);
      GskRoundedRect outline;
      gtk_snapshot_append_color (snapshot, &fill, &GRAPHENE_RECT_INIT (x, y, size, size));
      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (x, y, size, size), 0);
      gtk_snapshot_append_border (snapshot, &outline, (float[4]) { 1, 1, 1, 1 },
                                  (GdkRGBA[4]) { rim, rim, rim, rim });
    }
}

static void
append_boxes (CxrPaneView *self, GtkSnapshot *snapshot, const GArray *boxes, const GdkRGBA *color,
              double scale, double ox, double oy, GArray *placed)
{
  for (guint i = 0; i < boxes->len; i++)
    append_box (self, snapshot, &g_array_index (boxes, CxrPaneBox, i), color, scale, ox, oy, placed);
}

static void
cxr_pane_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CxrPaneView *self = CXR_PANE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int image_width, image_height;

  if (self->content == NULL || self->view_state == NULL || width <= 0 || height <= 0)
    return;

  CxrPyramid *image = cxr_pane_content_get_image (self->content);
  cxr_pane_content_get_size (self->content, &image_width, &image_height);
  if (image == NULL)
    return;

  double scale, ox, oy;
  get_transform (self, &scale, &ox, &oy);
  double device_scale = scale * gtk_widget_get_scale_factor (widget);
  GdkTexture *texture = cxr_pyramid_pick (image, device_scale);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) ox, (float) oy));
  gtk_snapshot_scale (snapshot, (float) scale, (float) scale);
  append_image (self, snapshot, texture, image_width, image_height);

  CxrPyramid *overlay_pyramid = NULL;
  if (self->kind == CXR_PANE_MASK)
    overlay_pyramid = cxr_pane_content_get_mask (self->content);
  else if (self->kind == CXR_PANE_HEATMAP)
    overlay_pyramid = cxr_pane_content_get_heatmap (self->content);
  GdkTexture *overlay = overlay_pyramid ? cxr_pyramid_pick (overlay_pyramid, device_scale) : NULL;

  if (overlay != NULL && self->kind == CXR_PANE_MASK)
    gtk_snapshot_append_texture (snapshot, overlay, &GRAPHENE_RECT_INIT (0, 0, image_width, image_height));
  else if (overlay != NULL)
    {
      gtk_snapshot_push_opacity (snapshot, cxr_view_state_get_overlay_opacity (self->view_state));
      gtk_snapshot_append_texture (snapshot, overlay, &GRAPHENE_RECT_INIT (0, 0, image_width, image_height));
      gtk_snapshot_pop (snapshot);
    }
  gtk_snapshot_restore (snapshot);

  /* While a box is being edited the original pane shows the ground truth as well, so either pane edits it. */
  gboolean editing_here = self->kind == CXR_PANE_ORIGINAL && cxr_pane_content_get_editing (self->content);
  gboolean heatmap_boxes = self->kind == CXR_PANE_HEATMAP && self->heatmap_boxes;
  if (self->kind == CXR_PANE_GROUND_TRUTH || editing_here || heatmap_boxes)
    {
      g_autoptr (GArray) placed = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
      const GArray *gt_boxes = cxr_pane_content_get_gt_boxes (self->content);
      append_boxes (self, snapshot, gt_boxes, &cxr_pane_gt_box_color, scale, ox, oy, placed);
      if (self->kind == CXR_PANE_GROUND_TRUTH || heatmap_boxes)
        append_boxes (self, snapshot, cxr_pane_content_get_predicted_boxes (self->content),
                      &cxr_pane_predicted_box_color, scale, ox, oy, placed);
      guint selected = cxr_pane_content_get_selected_box (self->content);
      for (guint i = 0; selected != 0 && i < gt_boxes->len; i++)
        if (g_array_index (gt_boxes, CxrPaneBox, i).id == selected)
          append_handles (self, snapshot, &g_array_index (gt_boxes, CxrPaneBox, i), scale, ox, oy);
    }

  if (self->kind == CXR_PANE_ORIGINAL || self->kind == CXR_PANE_GROUND_TRUTH)
    cxr_pane_measures_append (widget, snapshot, self->content, scale, ox, oy);

  const char *status = cxr_pane_content_get_cam_status (self->content);
  if (overlay == NULL && status != NULL && (self->kind == CXR_PANE_MASK || self->kind == CXR_PANE_HEATMAP))
    append_centered_text (self, snapshot, status);

  gtk_snapshot_pop (snapshot);
}

/* ---- input -------------------------------------------------------------- */

static void
emit_hover (CxrPaneView *self)
{
  double ix = -1, iy = -1;
  if (self->pointer_inside && self->view_state != NULL)
    cxr_pane_view_widget_to_image (self, self->pointer_x, self->pointer_y, &ix, &iy);
  g_signal_emit (self, signals[HOVER], 0, self->pointer_inside, ix, iy);
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, CxrPaneView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  emit_hover (self);
}

static void
on_leave (GtkEventControllerMotion *controller, CxrPaneView *self)
{
  self->pointer_inside = FALSE;
  emit_hover (self);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, CxrPaneView *self)
{
  if (self->view_state == NULL || dy == 0)
    return FALSE;

  double anchor_x = self->pointer_inside ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double anchor_y = self->pointer_inside ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  /* One wheel notch is 25%; smooth scrolling gives proportional steps. */
  double factor = pow (1.25, -dy);
  cxr_view_state_zoom_at (self->view_state, factor, anchor_x, anchor_y, gtk_widget_get_width (GTK_WIDGET (self)),
                          gtk_widget_get_height (GTK_WIDGET (self)));
  emit_hover (self);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, CxrPaneView *self)
{
  if (self->view_state == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));
  self->drag_windows = self->drag_button == GDK_BUTTON_SECONDARY
                       || (self->drag_button == GDK_BUTTON_PRIMARY && (state & GDK_CONTROL_MASK) != 0);
  self->drag_last_x = 0;
  self->drag_last_y = 0;
  self->drag_start_center = cxr_view_state_get_window_center (self->view_state);
  self->drag_start_width = cxr_view_state_get_window_width (self->view_state);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->drag_windows ? "move" : "grabbing");
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrPaneView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->drag_windows)
    {
      /* Right and down widen the window and raise the level, one gray level per pixel, as in most viewers: a
       * 256th of the value range (a DICOM image's 12 or 16 bits move 16 or 256 stored values per pixel). */
      double low, high;
      cxr_view_state_get_value_range (self->view_state, &low, &high);
      double step = (high - low + 1.0) / 256.0;
      cxr_view_state_set_window_width (self->view_state, self->drag_start_width + offset_x * step);
      cxr_view_state_set_window_center (self->view_state, self->drag_start_center + offset_y * step);
      return;
    }

  cxr_view_state_pan (self->view_state, offset_x - self->drag_last_x, offset_y - self->drag_last_y,
                      gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  self->drag_last_x = offset_x;
  self->drag_last_y = offset_y;
}

static void
on_drag_end (GtkGestureDrag *gesture, double offset_x, double offset_y, CxrPaneView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_click_pressed (GtkGestureClick *gesture, int n_press, double x, double y, CxrPaneView *self)
{
  if (n_press == 2 && self->view_state != NULL)
    cxr_view_state_fit (self->view_state);
}

/* ---- plumbing ----------------------------------------------------------- */

static void
queue_draw (CxrPaneView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The parts of the content each pane draws. */
static CxrPaneParts
parts_drawn (CxrPaneView *self)
{
  switch (self->kind)
    {
    case CXR_PANE_GROUND_TRUTH:
      return CXR_PANE_PART_IMAGE | CXR_PANE_PART_GT_BOXES | CXR_PANE_PART_PREDICTED | CXR_PANE_PART_EDITING
             | CXR_PANE_PART_MEASURE;
    case CXR_PANE_MASK:
      return CXR_PANE_PART_IMAGE | CXR_PANE_PART_MASK | CXR_PANE_PART_STATUS;
    case CXR_PANE_HEATMAP:
      if (self->heatmap_boxes)
        return CXR_PANE_PART_IMAGE | CXR_PANE_PART_HEATMAP | CXR_PANE_PART_STATUS | CXR_PANE_PART_GT_BOXES
               | CXR_PANE_PART_PREDICTED;
      return CXR_PANE_PART_IMAGE | CXR_PANE_PART_HEATMAP | CXR_PANE_PART_STATUS;
    case CXR_PANE_ORIGINAL:
    default:
      /* The ground truth only while editing; redrawing it otherwise costs a frame for nothing, which is rare. */
      return CXR_PANE_PART_IMAGE | CXR_PANE_PART_GT_BOXES | CXR_PANE_PART_EDITING | CXR_PANE_PART_MEASURE;
    }
}

static void
on_content_changed (CxrPaneContent *content, guint parts, CxrPaneView *self)
{
  if (parts & parts_drawn (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cxr_pane_view_set_content (CxrPaneView *self, CxrPaneContent *content)
{
  g_return_if_fail (CXR_IS_PANE_VIEW (self));

  if (self->content == content)
    return;
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
  g_set_object (&self->content, content);
  if (content != NULL)
    g_signal_connect (content, "changed", G_CALLBACK (on_content_changed), self);
  queue_draw (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

CxrPaneContent *
cxr_pane_view_get_content (CxrPaneView *self)
{
  return self->content;
}

void
cxr_pane_view_set_view_state (CxrPaneView *self, CxrViewState *view_state)
{
  g_return_if_fail (CXR_IS_PANE_VIEW (self));

  if (self->view_state == view_state)
    return;
  if (self->view_state != NULL)
    g_signal_handlers_disconnect_by_func (self->view_state, queue_draw, self);
  g_set_object (&self->view_state, view_state);
  if (view_state != NULL)
    g_signal_connect_swapped (view_state, "changed", G_CALLBACK (queue_draw), self);
  queue_draw (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_STATE]);
}

CxrViewState *
cxr_pane_view_get_view_state (CxrPaneView *self)
{
  return self->view_state;
}

CxrPaneKind
cxr_pane_view_get_kind (CxrPaneView *self)
{
  return self->kind;
}

void
cxr_pane_view_set_heatmap_boxes (CxrPaneView *self, gboolean shown)
{
  g_return_if_fail (CXR_IS_PANE_VIEW (self));

  if (self->heatmap_boxes == shown)
    return;
  self->heatmap_boxes = shown;
  queue_draw (self);
}

gboolean
cxr_pane_view_get_heatmap_boxes (CxrPaneView *self)
{
  return self->heatmap_boxes;
}

/* The box editor's label popover is a child of the pane it points into: it goes where the pane goes. */
static void
cxr_pane_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      gtk_popover_present (GTK_POPOVER (child));
}

static void
cxr_pane_view_dispose (GObject *object)
{
  CxrPaneView *self = CXR_PANE_VIEW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  cxr_pane_view_set_content (self, NULL);
  cxr_pane_view_set_view_state (self, NULL);

  G_OBJECT_CLASS (cxr_pane_view_parent_class)->dispose (object);
}

static void
cxr_pane_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrPaneView *self = CXR_PANE_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_CONTENT:
      g_value_set_object (value, self->content);
      break;
    case PROP_VIEW_STATE:
      g_value_set_object (value, self->view_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_pane_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CxrPaneView *self = CXR_PANE_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_CONTENT:
      cxr_pane_view_set_content (self, g_value_get_object (value));
      break;
    case PROP_VIEW_STATE:
      cxr_pane_view_set_view_state (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_pane_view_class_init (CxrPaneViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_pane_view_dispose;
  object_class->get_property = cxr_pane_view_get_property;
  object_class->set_property = cxr_pane_view_set_property;
  widget_class->snapshot = cxr_pane_view_snapshot;
  widget_class->size_allocate = cxr_pane_view_size_allocate;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, CXR_TYPE_PANE_KIND, CXR_PANE_ORIGINAL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTENT] =
    g_param_spec_object ("content", NULL, NULL, CXR_TYPE_PANE_CONTENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_STATE] =
    g_param_spec_object ("view-state", NULL, NULL, CXR_TYPE_VIEW_STATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (inside, image_x, image_y): the image point under the pointer, or inside FALSE when it left the pane. */
  signals[HOVER] = g_signal_new ("hover", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 3, G_TYPE_BOOLEAN, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "paneview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cxr_pane_view_init (CxrPaneView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  GtkGesture *click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
cxr_pane_view_new (CxrPaneKind kind)
{
  return g_object_new (CXR_TYPE_PANE_VIEW, "kind", kind, NULL);
}
