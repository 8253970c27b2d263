/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-target.c: which class the heatmap explains, for each image. A model with several outputs explains
 * its top class for the image by default (the core picks it after the forward pass, passing over "No Finding");
 * the Target class row in the controls picks another for the image on screen, and the window remembers that
 * choice for the image until another dataset or model is opened. Run on All and the list keep to the card's
 * positive class, so that the summary compares like with like. */
#include "config.h"

#include "cxr-cam.h"
#include "cxr-window-private.h"

static void
on_target_changed (CxrCamControls *controls, GParamSpec *pspec, CxrWindow *self)
{
  guint index = cxr_current_image_get_index (self->current);
  int target = cxr_cam_controls_get_target (controls);
  if (index == G_MAXUINT)
    return;
  if (target == CXR_CAM_TARGET_TOP)
    g_hash_table_remove (self->targets, GUINT_TO_POINTER (index));
  else
    g_hash_table_insert (self->targets, GUINT_TO_POINTER (index), GINT_TO_POINTER (target));
  cxr_current_image_set_target (self->current, target);
  cxr_current_image_reanalyse (self->current);
}

void
_cxr_window_target_init (CxrWindow *self)
{
  self->targets = g_hash_table_new (NULL, NULL);
  g_signal_connect (self->cam_controls, "notify::target", G_CALLBACK (on_target_changed), self);
}

void
_cxr_window_target_for_image (CxrWindow *self, guint index)
{
  gpointer value;
  int target = g_hash_table_lookup_extended (self->targets, GUINT_TO_POINTER (index), NULL, &value)
               ? GPOINTER_TO_INT (value) : CXR_CAM_TARGET_TOP;
  g_signal_handlers_block_by_func (self->cam_controls, on_target_changed, self);
  cxr_cam_controls_set_target (self->cam_controls, target);
  g_signal_handlers_unblock_by_func (self->cam_controls, on_target_changed, self);
  cxr_current_image_set_target (self->current, target);
}

void
_cxr_window_target_forget (CxrWindow *self, CxrModel *model)
{
  g_hash_table_remove_all (self->targets);
  g_signal_handlers_block_by_func (self->cam_controls, on_target_changed, self);
  cxr_cam_controls_set_classes (self->cam_controls,
                                model != NULL ? (const char *const *) cxr_model_get_card (model)->class_names
                                              : NULL);
  g_signal_handlers_unblock_by_func (self->cam_controls, on_target_changed, self);
  cxr_current_image_set_target (self->current, CXR_CAM_TARGET_TOP);
}
