/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pane-content.c: the shared content of the four panes. */
#include "config.h"

#include <math.h>

#include "cxr-pane-content.h"

struct _CxrPaneContent {
  GObject parent_instance;

  CxrPyramid *image;
  GBytes *gray8;
  CxrStoredPlane *stored;    /* DICOM: the values under the picture, or NULL */
  int width;
  int height;
  GArray *gt_boxes;          /* CxrPaneBox */
  GArray *predicted_boxes;   /* CxrPaneBox */
  CxrPyramid *mask;
  CxrPyramid *heatmap;
  GBytes *cam;               /* floats [height * width] */
  char *cam_status;
  guint selected_box;        /* CxrPaneBox id, 0: none */
  CxrCtr ctr;
  guint ctr_shown;           /* CXR_PANE_CTR_* */
  GArray *lines;             /* CxrMeasureLine */
  guint selected_line;       /* index into lines, G_MAXUINT: none */
  gboolean editing;
};

G_DEFINE_FINAL_TYPE (CxrPaneContent, cxr_pane_content, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
emit_changed (CxrPaneContent *self, CxrPaneParts parts)
{
  g_signal_emit (self, signals[CHANGED], 0, parts);
}

static void
cxr_pane_content_finalize (GObject *object)
{
  CxrPaneContent *self = CXR_PANE_CONTENT (object);

  g_clear_pointer (&self->image, cxr_pyramid_unref);
  g_clear_pointer (&self->gray8, g_bytes_unref);
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);
  g_clear_pointer (&self->gt_boxes, g_array_unref);
  g_clear_pointer (&self->predicted_boxes, g_array_unref);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->mask, cxr_pyramid_unref);
  g_clear_pointer (&self->heatmap, cxr_pyramid_unref);
  g_clear_pointer (&self->cam, g_bytes_unref);
  g_free (self->cam_status);

  G_OBJECT_CLASS (cxr_pane_content_parent_class)->finalize (object);
}

static void
cxr_pane_content_class_init (CxrPaneContentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_pane_content_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cxr_pane_content_init (CxrPaneContent *self)
{
  self->gt_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  self->predicted_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  self->lines = g_array_new (FALSE, FALSE, sizeof (CxrMeasureLine));
  self->selected_line = G_MAXUINT;
}

CxrPaneContent *
cxr_pane_content_new (void)
{
  return g_object_new (CXR_TYPE_PANE_CONTENT, NULL);
}

static void
clear_cam (CxrPaneContent *self)
{
  g_array_set_size (self->predicted_boxes, 0);
  g_clear_pointer (&self->mask, cxr_pyramid_unref);
  g_clear_pointer (&self->heatmap, cxr_pyramid_unref);
  g_clear_pointer (&self->cam, g_bytes_unref);
}

void
cxr_pane_content_set_image (CxrPaneContent *self, CxrPyramid *image, GBytes *gray8, int width, int height)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));
  g_return_if_fail (gray8 == NULL || g_bytes_get_size (gray8) == (gsize) width * height);

  g_clear_pointer (&self->image, cxr_pyramid_unref);
  self->image = image ? cxr_pyramid_ref (image) : NULL;
  g_clear_pointer (&self->gray8, g_bytes_unref);
  self->gray8 = gray8 ? g_bytes_ref (gray8) : NULL;
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);
  self->width = image ? width : 0;
  self->height = image ? height : 0;
  clear_cam (self);
  emit_changed (self, CXR_PANE_PART_IMAGE | CXR_PANE_PART_PREDICTED | CXR_PANE_PART_MASK | CXR_PANE_PART_HEATMAP);
}

void
cxr_pane_content_copy_image (CxrPaneContent *self, CxrPaneContent *from)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self) && CXR_IS_PANE_CONTENT (from));

  cxr_pane_content_set_image (self, from->image, from->gray8, from->width, from->height);
  if (from->stored != NULL)
    cxr_pane_content_set_stored (self, from->stored);
}

void
cxr_pane_content_set_stored (CxrPaneContent *self, CxrStoredPlane *stored)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));
  g_return_if_fail (stored == NULL || (stored->width == self->width && stored->height == self->height));

  if (stored == self->stored)
    return;
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);
  self->stored = stored ? cxr_stored_plane_ref (stored) : NULL;
  emit_changed (self, CXR_PANE_PART_IMAGE);
}

CxrStoredPlane *
cxr_pane_content_get_stored (CxrPaneContent *self)
{
  return self->stored;
}

void
cxr_pane_content_set_picture (CxrPaneContent *self, CxrPyramid *image)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self) && image != NULL && self->image != NULL);

  cxr_pyramid_ref (image);
  g_clear_pointer (&self->image, cxr_pyramid_unref);
  self->image = image;
  emit_changed (self, CXR_PANE_PART_IMAGE);
}

void
cxr_pane_content_clear (CxrPaneContent *self)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  g_clear_pointer (&self->image, cxr_pyramid_unref);
  g_clear_pointer (&self->gray8, g_bytes_unref);
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);
  self->width = self->height = 0;
  g_array_set_size (self->gt_boxes, 0);
  self->ctr_shown = 0;
  g_array_set_size (self->lines, 0);
  self->selected_line = G_MAXUINT;
  clear_cam (self);
  emit_changed (self, CXR_PANE_PART_ALL & ~CXR_PANE_PART_STATUS);
}

CxrPyramid *
cxr_pane_content_get_image (CxrPaneContent *self)
{
  return self->image;
}

void
cxr_pane_content_get_size (CxrPaneContent *self, int *width, int *height)
{
  *width = self->width;
  *height = self->height;
}

int
cxr_pane_content_get_gray_at (CxrPaneContent *self, int x, int y)
{
  if (self->gray8 == NULL || x < 0 || y < 0 || x >= self->width || y >= self->height)
    return -1;
  const guint8 *pixels = g_bytes_get_data (self->gray8, NULL);
  return pixels[(gsize) y * self->width + x];
}

void
cxr_pane_content_set_ctr (CxrPaneContent *self, const CxrCtr *ctr, guint shown)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));
  if (ctr != NULL)
    self->ctr = *ctr;
  self->ctr_shown = ctr != NULL ? shown : 0;
  emit_changed (self, CXR_PANE_PART_MEASURE);
}

guint
cxr_pane_content_get_ctr (CxrPaneContent *self, CxrCtr *ctr)
{
  if (ctr != NULL)
    *ctr = self->ctr;
  return self->ctr_shown;
}

void
cxr_pane_content_set_lines (CxrPaneContent *self, const GArray *lines, guint selected)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));
  g_array_set_size (self->lines, 0);
  if (lines != NULL && lines->len > 0)
    g_array_append_vals (self->lines, lines->data, lines->len);
  self->selected_line = selected < self->lines->len ? selected : G_MAXUINT;
  emit_changed (self, CXR_PANE_PART_MEASURE);
}

const GArray *
cxr_pane_content_get_lines (CxrPaneContent *self, guint *selected)
{
  if (selected != NULL)
    *selected = self->selected_line;
  return self->lines;
}

static void
copy_boxes (GArray *to, GArray *from)
{
  g_array_set_size (to, 0);
  if (from != NULL && from->len > 0)
    g_array_append_vals (to, from->data, from->len);
}

void
cxr_pane_content_set_gt_boxes (CxrPaneContent *self, GArray *boxes)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  copy_boxes (self->gt_boxes, boxes);
  emit_changed (self, CXR_PANE_PART_GT_BOXES);
}

const GArray *
cxr_pane_content_get_gt_boxes (CxrPaneContent *self)
{
  return self->gt_boxes;
}

void
cxr_pane_content_set_predicted_boxes (CxrPaneContent *self, GArray *boxes)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  copy_boxes (self->predicted_boxes, boxes);
  emit_changed (self, CXR_PANE_PART_PREDICTED);
}

const GArray *
cxr_pane_content_get_predicted_boxes (CxrPaneContent *self)
{
  return self->predicted_boxes;
}

void
cxr_pane_content_set_mask (CxrPaneContent *self, CxrPyramid *mask)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  if (mask == self->mask)
    return;
  g_clear_pointer (&self->mask, cxr_pyramid_unref);
  self->mask = mask ? cxr_pyramid_ref (mask) : NULL;
  emit_changed (self, CXR_PANE_PART_MASK);
}

CxrPyramid *
cxr_pane_content_get_mask (CxrPaneContent *self)
{
  return self->mask;
}

void
cxr_pane_content_set_heatmap (CxrPaneContent *self, CxrPyramid *heatmap, GBytes *cam)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  g_clear_pointer (&self->heatmap, cxr_pyramid_unref);
  self->heatmap = heatmap ? cxr_pyramid_ref (heatmap) : NULL;
  g_clear_pointer (&self->cam, g_bytes_unref);
  if (cam != NULL && g_bytes_get_size (cam) == (gsize) self->width * self->height * sizeof (float))
    self->cam = g_bytes_ref (cam);
  emit_changed (self, CXR_PANE_PART_HEATMAP);
}

CxrPyramid *
cxr_pane_content_get_heatmap (CxrPaneContent *self)
{
  return self->heatmap;
}

float
cxr_pane_content_get_cam_at (CxrPaneContent *self, int x, int y)
{
  if (self->cam == NULL || x < 0 || y < 0 || x >= self->width || y >= self->height)
    return NAN;
  const float *values = g_bytes_get_data (self->cam, NULL);
  return values[(gsize) y * self->width + x];
}

void
cxr_pane_content_set_cam_status (CxrPaneContent *self, const char *status)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  if (g_strcmp0 (status, self->cam_status) == 0)
    return;
  g_free (self->cam_status);
  self->cam_status = g_strdup (status);
  emit_changed (self, CXR_PANE_PART_STATUS);
}

const char *
cxr_pane_content_get_cam_status (CxrPaneContent *self)
{
  return self->cam_status;
}

void
cxr_pane_content_set_selected_box (CxrPaneContent *self, guint id)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  if (id == self->selected_box)
    return;
  self->selected_box = id;
  emit_changed (self, CXR_PANE_PART_EDITING);
}

guint
cxr_pane_content_get_selected_box (CxrPaneContent *self)
{
  return self->selected_box;
}

void
cxr_pane_content_set_editing (CxrPaneContent *self, gboolean editing)
{
  g_return_if_fail (CXR_IS_PANE_CONTENT (self));

  if (!editing == !self->editing)
    return;
  self->editing = editing;
  emit_changed (self, CXR_PANE_PART_EDITING);
}

gboolean
cxr_pane_content_get_editing (CxrPaneContent *self)
{
  return self->editing;
}
