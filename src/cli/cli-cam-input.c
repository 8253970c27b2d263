/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-input.c: images and ground truth for `cam` and `sweep`. */
#include "cli-cam-input.h"

#include <string.h>

#include "cxr-error.h"

GArray *
cli_cam_input_truth (CliCamInput *input, const char *image, const char *label)
{
  if (input->store == NULL)
    return g_array_new (FALSE, FALSE, sizeof (CxrRect));
  g_autofree char *name = g_path_get_basename (image);
  g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (input->store, name);
  return cxr_cam_truth_rects (boxes, label);
}

gboolean
cli_cam_input_init (CliCamInput *input, char **images, const char *dataset_dir, const char *bbox_path,
                    const char *label, gboolean all_images, GError **error)
{
  memset (input, 0, sizeof *input);
  if (dataset_dir != NULL)
    {
      input->dataset = cxr_dataset_open (dataset_dir, CXR_DATASET_OPEN_DEFAULT, error);
      if (input->dataset == NULL)
        return FALSE;
      input->store = cxr_dataset_get_bbox_store (input->dataset);
    }
  if (bbox_path != NULL)
    {
      input->own_store = cxr_bbox_store_open (bbox_path, error);
      if (input->own_store == NULL)
        return FALSE;
      input->store = input->own_store;
    }

  g_autoptr (GStrvBuilder) paths = g_strv_builder_new ();
  for (gsize i = 0; images && images[i]; i++)
    g_strv_builder_add (paths, images[i]);
  if (input->dataset != NULL)
    for (guint i = 0; i < cxr_dataset_get_n_entries (input->dataset); i++)
      {
        g_autofree char *path = cxr_dataset_dup_image_path (input->dataset, i);
        if (path == NULL)
          continue;
        if (!all_images)
          {
            g_autoptr (GArray) truth = cli_cam_input_truth (input, path, label);
            if (truth->len == 0)
              continue;
          }
        g_strv_builder_add (paths, path);
      }
  input->paths = g_strv_builder_end (paths);
  if (input->paths[0] == NULL)
    {
      if (dataset_dir != NULL && !all_images)
        g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                     "the dataset has no image with a %s box (--all-images runs on every image)", label);
      else
        g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "no images");
      return FALSE;
    }
  return TRUE;
}

void
cli_cam_input_clear (CliCamInput *input)
{
  g_clear_pointer (&input->paths, g_strfreev);
  g_clear_object (&input->own_store);
  g_clear_object (&input->dataset);
  input->store = NULL;
}

gboolean
cli_cam_resolve_class (const CxrModelCard *card, const char *text, int *index)
{
  if (text == NULL)
    {
      *index = card->positive_class;
      return TRUE;
    }
  for (guint c = 0; c < card->n_classes; c++)
    if (g_ascii_strcasecmp (text, card->class_names[c]) == 0)
      {
        *index = c;
        return TRUE;
      }
  guint64 value;
  if (g_ascii_string_to_unsigned (text, 10, 0, card->n_classes - 1, &value, NULL))
    {
      *index = value;
      return TRUE;
    }
  return FALSE;
}
