/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-level.c: the view state's window over a DICOM image's stored values, as textures. */
#include "config.h"

#include "cxr-overlay-textures.h"
#include "cxr-window-level.h"

struct _CxrWindowLevel {
  GObject parent_instance;

  CxrPaneContent *content;     /* owned */
  CxrPaneContent *extra;       /* owned, may be NULL */
  CxrViewState *view_state;    /* owned */
  CxrCamControls *controls;    /* weak: the window owns both */
  CxrStoredPlane *stored;      /* the image whose range the view state has; NULL: an 8-bit image */
  guint8 *lut;                 /* [CXR_VOI_N_CODES], reused */
};

G_DEFINE_FINAL_TYPE (CxrWindowLevel, cxr_window_level, G_TYPE_OBJECT)

static void
show_window (CxrWindowLevel *self)
{
  CxrStoredPlane *plane = self->stored;
  if (plane == NULL || cxr_pane_content_get_stored (self->content) != plane)
    return;

  /* MONOCHROME1's lowest value is white; the Invert switch inverts what the file asks for. */
  gboolean invert = plane->dicom->monochrome1 != cxr_view_state_get_invert (self->view_state);
  if (cxr_view_state_get_use_table (self->view_state) && plane->dicom->has_voi_lut)
    cxr_voi_lut_fill_table (self->lut, plane, plane->dicom, invert);
  else
    cxr_voi_lut_fill_window (self->lut, plane, cxr_view_state_get_window_center (self->view_state),
                             cxr_view_state_get_window_width (self->view_state), plane->dicom->voi_function,
                             invert);
  g_autoptr (CxrPyramid) pyramid = cxr_windowed_pyramid_new (plane, self->lut);
  cxr_pane_content_set_picture (self->content, pyramid);
  if (self->extra != NULL && cxr_pane_content_get_stored (self->extra) == plane)
    cxr_pane_content_set_picture (self->extra, pyramid);
}

static void
on_content_changed (CxrPaneContent *content, guint parts, CxrWindowLevel *self)
{
  if (!(parts & CXR_PANE_PART_IMAGE))
    return;
  CxrStoredPlane *stored = cxr_pane_content_get_stored (content);
  if (stored == self->stored)
    return;
  gboolean was_stored = self->stored != NULL;
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);

  if (stored == NULL || stored->dicom == NULL)
    {
      /* An 8-bit image after a DICOM one: the 8-bit range and its full window again. Between 8-bit images the
       * window stays where the user put it. */
      if (was_stored)
        {
          cxr_cam_controls_set_dicom (self->controls, NULL);
          cxr_view_state_set_value_range (self->view_state, 0.0, 255.0, FALSE, 127.5, 255.0, FALSE);
        }
      return;
    }

  self->stored = cxr_stored_plane_ref (stored);
  const CxrDicomImage *dicom = stored->dicom;
  double center, width;
  gboolean use_table;
  cxr_voi_initial_window (dicom, &center, &width, &use_table);
  double low = MIN (dicom->range_low, stored->base);
  double high = MAX (dicom->range_high, stored->base + (stored->n_codes - 1) * stored->step);
  if (high <= low)
    high = low + 1.0;
  cxr_cam_controls_set_dicom (self->controls, dicom);
  g_signal_handlers_block_matched (self->view_state, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  cxr_view_state_set_value_range (self->view_state, low, high, TRUE, center, width, use_table);
  g_signal_handlers_unblock_matched (self->view_state, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  show_window (self);
}

static void
on_view_notify (CxrViewState *view_state, GParamSpec *pspec, CxrWindowLevel *self)
{
  const char *name = g_param_spec_get_name (pspec);
  if (g_str_equal (name, "window-center") || g_str_equal (name, "window-width") || g_str_equal (name, "invert")
      || g_str_equal (name, "use-table"))
    show_window (self);
}

void
cxr_window_level_set_extra (CxrWindowLevel *self, CxrPaneContent *extra)
{
  g_return_if_fail (CXR_IS_WINDOW_LEVEL (self));
  g_set_object (&self->extra, extra);
  if (extra != NULL)
    show_window (self);
}

static void
cxr_window_level_dispose (GObject *object)
{
  CxrWindowLevel *self = CXR_WINDOW_LEVEL (object);

  if (self->content != NULL)
    g_signal_handlers_disconnect_by_data (self->content, self);
  if (self->view_state != NULL)
    g_signal_handlers_disconnect_by_data (self->view_state, self);
  g_clear_object (&self->content);
  g_clear_object (&self->extra);
  g_clear_object (&self->view_state);
  g_clear_pointer (&self->stored, cxr_stored_plane_unref);
  g_clear_pointer (&self->lut, g_free);
  G_OBJECT_CLASS (cxr_window_level_parent_class)->dispose (object);
}

static void
cxr_window_level_class_init (CxrWindowLevelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cxr_window_level_dispose;
}

static void
cxr_window_level_init (CxrWindowLevel *self)
{
  self->lut = g_malloc (CXR_VOI_N_CODES);
}

CxrWindowLevel *
cxr_window_level_new (CxrPaneContent *content, CxrViewState *view_state, CxrCamControls *controls)
{
  CxrWindowLevel *self = g_object_new (CXR_TYPE_WINDOW_LEVEL, NULL);
  self->content = g_object_ref (content);
  self->view_state = g_object_ref (view_state);
  self->controls = controls;
  g_signal_connect (content, "changed", G_CALLBACK (on_content_changed), self);
  g_signal_connect (view_state, "notify", G_CALLBACK (on_view_notify), self);
  return self;
}
