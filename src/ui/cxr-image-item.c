/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-item.c: the per-row object of the image list. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-image-item.h"

struct _CxrImageItem {
  GObject parent_instance;

  guint index;
  char *name;
  char *anonymous_name;    /* shown instead of the name while the list is anonymised, else NULL */
  guint32 findings;
  guint n_boxes;
  gboolean reviewed;
  gboolean has_result;
  CxrImageResult result;   /* result.error is not kept */

  /* owned */
  GdkPaintable *thumbnail;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CxrImageItem, cxr_image_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_THUMBNAIL,
  PROP_RESULT,
  PROP_REVIEWED,
  PROP_N_BOXES,
  PROP_DISPLAY_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cxr_image_item_dispose (GObject *object)
{
  CxrImageItem *self = CXR_IMAGE_ITEM (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->thumbnail);

  G_OBJECT_CLASS (cxr_image_item_parent_class)->dispose (object);
}

static void
cxr_image_item_finalize (GObject *object)
{
  CxrImageItem *self = CXR_IMAGE_ITEM (object);

  g_clear_object (&self->cancellable);
  g_free (self->name);
  g_free (self->anonymous_name);

  G_OBJECT_CLASS (cxr_image_item_parent_class)->finalize (object);
}

static void
cxr_image_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrImageItem *self = CXR_IMAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;
    case PROP_RESULT:
      g_value_set_pointer (value, self->has_result ? &self->result : NULL);
      break;
    case PROP_REVIEWED:
      g_value_set_boolean (value, self->reviewed);
      break;
    case PROP_N_BOXES:
      g_value_set_uint (value, self->n_boxes);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, cxr_image_item_get_display_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_image_item_class_init (CxrImageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cxr_image_item_dispose;
  object_class->finalize = cxr_image_item_finalize;
  object_class->get_property = cxr_image_item_get_property;

  properties[PROP_THUMBNAIL] =
    g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_PAINTABLE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] =
    g_param_spec_pointer ("result", NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVIEWED] =
    g_param_spec_boolean ("reviewed", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_BOXES] =
    g_param_spec_uint ("n-boxes", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cxr_image_item_init (CxrImageItem *self)
{
  self->cancellable = g_cancellable_new ();
}

CxrImageItem *
cxr_image_item_new (guint index, const char *name, guint32 findings, guint n_boxes)
{
  CxrImageItem *self = g_object_new (CXR_TYPE_IMAGE_ITEM, NULL);
  self->index = index;
  self->name = g_strdup (name);
  self->findings = findings;
  self->n_boxes = n_boxes;
  return self;
}

guint
cxr_image_item_get_index (CxrImageItem *self)
{
  return self->index;
}

const char *
cxr_image_item_get_name (CxrImageItem *self)
{
  return self->name;
}

const char *
cxr_image_item_get_display_name (CxrImageItem *self)
{
  return self->anonymous_name != NULL ? self->anonymous_name : self->name;
}

void
cxr_image_item_set_anonymous (CxrImageItem *self, gboolean anonymous)
{
  g_return_if_fail (CXR_IS_IMAGE_ITEM (self));
  if (anonymous == (self->anonymous_name != NULL))
    return;
  g_clear_pointer (&self->anonymous_name, g_free);
  if (anonymous)
    self->anonymous_name = cxr_image_anonymous_name (self->name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

char *
cxr_image_anonymous_name (const char *name)
{
  /* The first 32 bits of the name's SHA-256: a stable label that says nothing of what the name says (a DICOM
   * export may name its files after the patient). Eight hex digits keep two images apart in any real folder. */
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  /* Translators: an image's name in the anonymised list: a hash of its file name */
  return g_strdup_printf (_("Image %.8s"), hash);
}

guint32
cxr_image_item_get_findings (CxrImageItem *self)
{
  return self->findings;
}

guint
cxr_image_item_get_n_boxes (CxrImageItem *self)
{
  return self->n_boxes;
}

void
cxr_image_item_set_n_boxes (CxrImageItem *self, guint n_boxes)
{
  g_return_if_fail (CXR_IS_IMAGE_ITEM (self));

  if (n_boxes == self->n_boxes)
    return;
  self->n_boxes = n_boxes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BOXES]);
}

GdkPaintable *
cxr_image_item_get_thumbnail (CxrImageItem *self)
{
  return self->thumbnail;
}

void
cxr_image_item_set_thumbnail (CxrImageItem *self, GdkPaintable *thumbnail)
{
  g_return_if_fail (CXR_IS_IMAGE_ITEM (self));

  if (g_set_object (&self->thumbnail, thumbnail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
}

GCancellable *
cxr_image_item_get_cancellable (CxrImageItem *self)
{
  return self->cancellable;
}

const CxrImageResult *
cxr_image_item_get_result (CxrImageItem *self)
{
  return self->has_result ? &self->result : NULL;
}

void
cxr_image_item_set_result (CxrImageItem *self, const CxrImageResult *result)
{
  g_return_if_fail (CXR_IS_IMAGE_ITEM (self));

  if (result == NULL && !self->has_result)
    return;
  self->has_result = result != NULL;
  if (result != NULL)
    {
      self->result = *result;
      self->result.error = NULL;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

gboolean
cxr_image_item_get_reviewed (CxrImageItem *self)
{
  return self->reviewed;
}

void
cxr_image_item_set_reviewed (CxrImageItem *self, gboolean reviewed)
{
  g_return_if_fail (CXR_IS_IMAGE_ITEM (self));

  reviewed = !!reviewed;
  if (reviewed == self->reviewed)
    return;
  self->reviewed = reviewed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEWED]);
}
