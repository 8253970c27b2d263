/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-side-by-side.c: two CAM methods side by side in the heatmap pane (issue 15, point 3).
 *
 * The Compare with row (cam-compare-method) names a second method; the current image computes its map as well
 * (cxr_current_image_set_second: the same image, layer, smoothing, class and threshold) into a content of its own,
 * which the heatmap cell shows as its right half. Each half's caption names its method and its IoU with the
 * ground truth at the threshold. Off ("none") by default: the second job costs a forward and a backward more.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-method-titles.h"
#include "cxr-window-private.h"

/* "HiResCAM · IoU 0.41": the half's method and score; the panes are narrow at 1024 pixels, so no more. */
static char *
caption (CxrCamMethod method, double iou)
{
  if (isnan (iou))
    return g_strdup (cxr_method_title (method));
  /* Translators: the caption of a heatmap half when two methods are side by side, e.g. "HiResCAM · IoU 0.41" */
  return g_strdup_printf (_("%s · IoU %.2f"), cxr_method_title (method), iou);
}

static void
update_captions (CxrWindow *self)
{
  if (self->second_content == NULL)
    return;
  const CxrCamResult *first = cxr_current_image_get_cam (self->current);
  const CxrCamResult *second = cxr_current_image_get_second_cam (self->current);
  CxrCamMethod first_method = CXR_CAM_METHOD_GRADCAM, second_method = CXR_CAM_METHOD_GRADCAM;
  if (first != NULL)
    first_method = first->method;
  else
    cxr_cam_method_from_name (cxr_cam_controls_get_method (self->cam_controls), &first_method, NULL);
  if (second != NULL)
    second_method = second->method;
  else
    cxr_cam_method_from_name (cxr_cam_controls_get_compare_method (self->cam_controls), &second_method, NULL);
  g_autofree char *left = caption (first_method, first ? cxr_current_image_get_iou (self->current) : NAN);
  g_autofree char *right = caption (second_method, second ? cxr_current_image_get_second_iou (self->current) : NAN);
  cxr_compare_view_set_heatmap_captions (self->compare_view, left, right);
}

static void
on_compare_method_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  const char *method = cxr_cam_controls_get_compare_method (controls);
  if (g_str_equal (method, "none"))
    {
      cxr_current_image_set_second (self->current, NULL, NULL);
      cxr_compare_view_set_second_heatmap (self->compare_view, NULL);
      cxr_window_level_set_extra (self->window_level, NULL);
      g_clear_object (&self->second_content);
      return;
    }
  /* The picture under the second map is the first's: the current image sets both. */
  if (self->second_content == NULL)
    self->second_content = cxr_pane_content_new ();
  cxr_compare_view_set_second_heatmap (self->compare_view, self->second_content);
  cxr_current_image_set_second (self->current, method, self->second_content);
  cxr_window_level_set_extra (self->window_level, self->second_content);
  update_captions (self);
}

static void
on_scores (CxrCurrentImage *current, GParamSpec *pspec, CxrWindow *self)
{
  update_captions (self);
}

void
_cxr_window_side_by_side_init (CxrWindow *self)
{
  g_settings_bind (self->settings, "cam-compare-method", self->cam_controls, "compare-method",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect (self->cam_controls, "notify::compare-method", G_CALLBACK (on_compare_method_changed), self);
  g_signal_connect (self->current, "notify::iou", G_CALLBACK (on_scores), self);
  g_signal_connect (self->current, "notify::index", G_CALLBACK (on_scores), self);
  on_compare_method_changed (self->cam_controls, NULL, self);
}
