/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-box-editor.c: see cxr-box-editor.h. The pointer gestures are in cxr-box-editor-pointer.c. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-box-editor-private.h"

const char *const cxr_box_editor_nih_labels[8] = {
  "Atelectasis", "Cardiomegaly", "Effusion", "Infiltrate", "Mass", "Nodule", "Pneumonia", "Pneumothorax",
};

G_DEFINE_FINAL_TYPE (CxrBoxEditor, cxr_box_editor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SELECTED,
  PROP_DRAWING,
  N_PROPS
};

enum {
  ERROR,
  LABEL_WANTED,
  DRAG_MOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_cxr_box_editor_update_content (CxrBoxEditor *self)
{
  cxr_pane_content_set_selected_box (self->content, self->selected);
  cxr_pane_content_set_editing (self->content, self->selected != 0 || self->drawing || self->drag.active);
}

void
_cxr_box_editor_emit_error (CxrBoxEditor *self, const GError *error)
{
  g_signal_emit (self, signals[ERROR], 0, error->message);
}

void
_cxr_box_editor_emit_label_wanted (CxrBoxEditor *self, guint id)
{
  g_signal_emit (self, signals[LABEL_WANTED], 0, id);
}

void
_cxr_box_editor_emit_drag_moved (CxrBoxEditor *self)
{
  g_signal_emit (self, signals[DRAG_MOVED], 0);
}

/* The selected box, when it is still a box of the image on screen. */
gboolean
_cxr_box_editor_get_box (CxrBoxEditor *self, guint id, CxrBBox *box)
{
  return self->store != NULL && self->image != NULL && id != 0 && cxr_bbox_store_get (self->store, id, box)
         && g_strcmp0 (box->image, self->image) == 0;
}

static void
on_store_changed (CxrBBoxStore *store, guint id, CxrBoxEditor *self)
{
  CxrBBox box;
  /* An undo (or a reload) during a drag: the panes show the store now; the drag is dropped. */
  _cxr_box_editor_cancel_drag (self, FALSE);
  /* Undo took the selected box away, or a reload did: nothing is selected. */
  if (self->selected != 0 && !_cxr_box_editor_get_box (self, self->selected, &box))
    cxr_box_editor_set_selected (self, 0);
}

void
cxr_box_editor_set_store (CxrBoxEditor *self, CxrBBoxStore *store)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));

  if (store == self->store)
    return;
  _cxr_box_editor_cancel_drag (self, TRUE);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, on_store_changed, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  cxr_box_editor_set_selected (self, 0);
  cxr_box_editor_set_drawing (self, FALSE);
}

CxrBBoxStore *
cxr_box_editor_get_store (CxrBoxEditor *self)
{
  return self->store;
}

void
cxr_box_editor_set_image (CxrBoxEditor *self, const char *name)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));

  _cxr_box_editor_cancel_drag (self, FALSE);   /* the new image's boxes are on screen */
  if (g_strcmp0 (name, self->image) != 0)
    {
      g_free (self->image);
      self->image = g_strdup (name);
    }
  cxr_box_editor_set_selected (self, 0);
  cxr_box_editor_set_drawing (self, FALSE);
}

const char *
cxr_box_editor_get_image (CxrBoxEditor *self)
{
  return self->image;
}

gboolean
cxr_box_editor_can_edit (CxrBoxEditor *self)
{
  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);
  return self->store != NULL && self->image != NULL && width > 0 && height > 0;
}

guint
cxr_box_editor_get_selected (CxrBoxEditor *self)
{
  return self->selected;
}

void
cxr_box_editor_set_selected (CxrBoxEditor *self, guint id)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));

  CxrBBox box;
  if (id != 0 && !_cxr_box_editor_get_box (self, id, &box))
    id = 0;
  if (id != self->selected)
    {
      self->selected = id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
    }
  _cxr_box_editor_update_content (self);
}

GArray *
cxr_box_editor_list_boxes (CxrBoxEditor *self)
{
  if (self->store == NULL || self->image == NULL)
    return g_array_new (FALSE, FALSE, sizeof (CxrBBox));
  return cxr_bbox_store_list_for_image (self->store, self->image);
}

gboolean
cxr_box_editor_select_next (CxrBoxEditor *self, int step)
{
  g_return_val_if_fail (CXR_IS_BOX_EDITOR (self), FALSE);

  g_autoptr (GArray) boxes = cxr_box_editor_list_boxes (self);
  if (boxes->len == 0)
    return FALSE;
  int n = (int) boxes->len;
  int at = -1;
  for (int i = 0; i < n; i++)
    if (g_array_index (boxes, CxrBBox, i).id == self->selected)
      at = i;
  int next = at < 0 ? (step > 0 ? 0 : n - 1) : ((at + step) % n + n) % n;
  cxr_box_editor_set_selected (self, g_array_index (boxes, CxrBBox, next).id);
  return TRUE;
}

gboolean
cxr_box_editor_get_drawing (CxrBoxEditor *self)
{
  return self->drawing;
}

void
cxr_box_editor_set_drawing (CxrBoxEditor *self, gboolean drawing)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));

  drawing = drawing && cxr_box_editor_can_edit (self);
  if (!drawing == !self->drawing)
    return;
  self->drawing = drawing;
  _cxr_box_editor_update_panes_cursor (self);
  _cxr_box_editor_update_content (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAWING]);
}

const char *
cxr_box_editor_get_last_label (CxrBoxEditor *self)
{
  return self->last_label;
}

void
cxr_box_editor_set_last_label (CxrBoxEditor *self, const char *label)
{
  g_return_if_fail (CXR_IS_BOX_EDITOR (self));

  if (label == NULL || label[0] == '\0' || g_strcmp0 (label, self->last_label) == 0)
    return;
  g_free (self->last_label);
  self->last_label = g_strdup (label);
}

gboolean
cxr_box_editor_clamp (CxrBoxEditor *self, double *x, double *y, double *w, double *h)
{
  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);
  if (width <= 0 || height <= 0)
    return FALSE;
  *w = CLAMP (*w, 1.0, (double) width);
  *h = CLAMP (*h, 1.0, (double) height);
  *x = CLAMP (*x, 0.0, width - *w);
  *y = CLAMP (*y, 0.0, height - *h);
  return TRUE;
}

guint
cxr_box_editor_add (CxrBoxEditor *self, const char *label, double x, double y, double w, double h)
{
  g_return_val_if_fail (CXR_IS_BOX_EDITOR (self), 0);

  g_autoptr (GError) error = NULL;
  if (!cxr_box_editor_can_edit (self) || !cxr_box_editor_clamp (self, &x, &y, &w, &h))
    return 0;
  guint id = cxr_bbox_store_add (self->store, self->image, label, x, y, w, h, &error);
  if (id == 0)
    {
      _cxr_box_editor_emit_error (self, error);
      return 0;
    }
  cxr_box_editor_set_last_label (self, label);
  cxr_box_editor_set_selected (self, id);
  return id;
}

gboolean
_cxr_box_editor_set_rect (CxrBoxEditor *self, guint id, double x, double y, double w, double h)
{
  g_autoptr (GError) error = NULL;
  CxrBBox box;

  if (!_cxr_box_editor_get_box (self, id, &box) || !cxr_box_editor_clamp (self, &x, &y, &w, &h))
    return FALSE;
  /* Nothing moved (a click, or a nudge against the edge): no undo step for nothing. */
  if (x == box.x && y == box.y && w == box.w && h == box.h)
    return TRUE;
  if (!cxr_bbox_store_set_rect (self->store, id, x, y, w, h, &error))
    {
      _cxr_box_editor_emit_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_box_editor_nudge (CxrBoxEditor *self, double dx, double dy)
{
  g_return_val_if_fail (CXR_IS_BOX_EDITOR (self), FALSE);

  CxrBBox box;
  if (!_cxr_box_editor_get_box (self, self->selected, &box))
    return FALSE;
  return _cxr_box_editor_set_rect (self, box.id, box.x + dx, box.y + dy, box.w, box.h);
}

gboolean
cxr_box_editor_delete (CxrBoxEditor *self)
{
  g_return_val_if_fail (CXR_IS_BOX_EDITOR (self), FALSE);

  g_autoptr (GError) error = NULL;
  CxrBBox box;
  if (!_cxr_box_editor_get_box (self, self->selected, &box))
    return FALSE;
  if (!cxr_bbox_store_remove (self->store, box.id, &error))
    {
      _cxr_box_editor_emit_error (self, error);
      return FALSE;
    }
  cxr_box_editor_set_selected (self, 0);
  return TRUE;
}

gboolean
cxr_box_editor_relabel (CxrBoxEditor *self, const char *label)
{
  g_return_val_if_fail (CXR_IS_BOX_EDITOR (self), FALSE);

  g_autoptr (GError) error = NULL;
  CxrBBox box;
  g_autofree char *stripped = g_strstrip (g_strdup (label ? label : ""));
  if (stripped[0] == '\0' || !_cxr_box_editor_get_box (self, self->selected, &box))
    return FALSE;
  cxr_box_editor_set_last_label (self, stripped);
  if (g_strcmp0 (box.label, stripped) == 0)
    return TRUE;
  if (!cxr_bbox_store_set_label (self->store, box.id, stripped, &error))
    {
      _cxr_box_editor_emit_error (self, error);
      return FALSE;
    }
  return TRUE;
}

static void
cxr_box_editor_dispose (GObject *object)
{
  CxrBoxEditor *self = CXR_BOX_EDITOR (object);

  _cxr_box_editor_detach_panes (self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, on_store_changed, self);
  g_clear_object (&self->store);
  g_clear_object (&self->content);

  G_OBJECT_CLASS (cxr_box_editor_parent_class)->dispose (object);
}

static void
cxr_box_editor_finalize (GObject *object)
{
  CxrBoxEditor *self = CXR_BOX_EDITOR (object);

  g_free (self->image);
  g_free (self->last_label);

  G_OBJECT_CLASS (cxr_box_editor_parent_class)->finalize (object);
}

static void
cxr_box_editor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrBoxEditor *self = CXR_BOX_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    case PROP_DRAWING:
      g_value_set_boolean (value, self->drawing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_box_editor_class_init (CxrBoxEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cxr_box_editor_dispose;
  object_class->finalize = cxr_box_editor_finalize;
  object_class->get_property = cxr_box_editor_get_property;

  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAWING] =
    g_param_spec_boolean ("drawing", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[LABEL_WANTED] = g_signal_new ("label-wanted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* A drag moved the box on screen (not in the store yet): the pointer readout follows. */
  signals[DRAG_MOVED] = g_signal_new ("drag-moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                      NULL, G_TYPE_NONE, 0);
}

static void
cxr_box_editor_init (CxrBoxEditor *self)
{
  self->last_label = g_strdup ("Cardiomegaly");
}

CxrBoxEditor *
cxr_box_editor_new (CxrPaneContent *content)
{
  g_return_val_if_fail (CXR_IS_PANE_CONTENT (content), NULL);

  CxrBoxEditor *self = g_object_new (CXR_TYPE_BOX_EDITOR, NULL);
  self->content = g_object_ref (content);
  return self;
}
