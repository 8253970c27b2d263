/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-display-image.c: decode on a GTask worker, hand the texture to the main thread. */
#include "config.h"


#include "cxr-display-image.h"
#include "cxr-dicom.h"
#include "cxr-image.h"
#include "cxr-overlay-textures.h"

void
cxr_display_image_free (CxrDisplayImage *image)
{
  if (image == NULL)
    return;
  g_clear_pointer (&image->gray8, g_bytes_unref);
  g_clear_pointer (&image->pyramid, cxr_pyramid_unref);
  g_clear_pointer (&image->stored, cxr_stored_plane_unref);
  g_free (image);
}

static CxrDisplayImage *
display_image_take (guint8 *gray8, int width, int height)
{
  CxrDisplayImage *image = g_new0 (CxrDisplayImage, 1);
  image->width = width;
  image->height = height;
  image->pyramid = cxr_gray_pyramid_new (gray8, width, height);
  image->gray8 = g_bytes_new_take (gray8, (gsize) width * height);
  return image;
}

CxrDisplayImage *
cxr_display_image_new_from_gray8 (const guint8 *gray8, int width, int height)
{
  return display_image_take (g_memdup2 (gray8, (gsize) width * height), width, height);
}

/* The stored values for the window/level control, and the first picture at the file's own window. */
static CxrDisplayImage *
load_dicom (const char *path, GError **error)
{
  CxrDicomImage *dicom = NULL;
  if (!cxr_dicom_read (path, &dicom, error))
    return NULL;
  g_autoptr (CxrStoredPlane) plane = cxr_stored_plane_new_from_dicom (dicom);
  double center, width;
  gboolean use_table;
  g_autofree guint8 *lut = g_malloc (CXR_VOI_N_CODES);
  cxr_voi_initial_window (plane->dicom, &center, &width, &use_table);
  if (use_table)
    cxr_voi_lut_fill_table (lut, plane, plane->dicom, plane->dicom->monochrome1);
  else
    cxr_voi_lut_fill_window (lut, plane, center, width, plane->dicom->voi_function, plane->dicom->monochrome1);
  guint8 *gray8 = g_malloc ((gsize) plane->width * plane->height);
  cxr_voi_apply (plane, 0, lut, gray8);
  CxrDisplayImage *image = display_image_take (gray8, plane->width, plane->height);
  image->stored = g_steal_pointer (&plane);
  return image;
}

static void
load_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (cxr_dicom_sniff_file (path))
    {
      CxrDisplayImage *display = load_dicom (path, &error);
      if (display == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, display, (GDestroyNotify) cxr_display_image_free);
      return;
    }
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  guint8 *gray8 = cxr_image_to_gray8 (image);
  g_task_return_pointer (task, display_image_take (gray8, image->width, image->height),
                         (GDestroyNotify) cxr_display_image_free);
}

void
cxr_display_image_load_async (const char *path, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_display_image_load_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* A cancelled request's result is dropped, never delivered late (latest request wins). */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, load_in_thread);
}

CxrDisplayImage *
cxr_display_image_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
