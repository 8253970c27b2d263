/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-row.c: one row of the image list. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-finding-names.h"
#include "cxr-image-row.h"

/* More chips than this would not fit a sidebar row; the rest becomes "+N". */
#define MAX_CHIPS 3

struct _CxrImageRow {
  GtkWidget parent_instance;

  /* template widgets */
  GtkPicture *thumbnail;
  GtkLabel *name_label;
  GtkImage *reviewed_icon;
  GtkBox *chips_box;
  GtkLabel *result_label;

  /* owned */
  CxrImageItem *item;
};

G_DEFINE_FINAL_TYPE (CxrImageRow, cxr_image_row, GTK_TYPE_WIDGET)

char *
cxr_image_row_format_result (const CxrImageResult *result)
{
  if (result == NULL)
    return NULL;
  if (result->flags & CXR_RESULT_FAILED)
    return g_strdup (_("Could not be analysed"));
  if (!(result->flags & CXR_RESULT_PREDICTED))
    return NULL;

  g_autoptr (GString) text = g_string_new (NULL);
  if (result->positive)
    /* Translators: the model's decision and the probability of the positive class */
    g_string_append_printf (text, _("Positive %.2f"), result->probability);
  else
    /* Translators: the model's decision and the probability of the positive class */
    g_string_append_printf (text, _("Negative %.2f"), result->probability);
  if (result->flags & CXR_RESULT_LOCALISED)
    {
      g_string_append (text, " · ");
      /* Translators: intersection over union of the predicted and the ground-truth box */
      g_string_append_printf (text, _("IoU %.2f"), result->iou);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
clear_chips (CxrImageRow *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box))) != NULL)
    gtk_box_remove (self->chips_box, child);
}

static void
add_chip (CxrImageRow *self, const char *text, const char *css_class)
{
  GtkWidget *chip = gtk_label_new (text);
  /* A row with many findings once set the list's minimum width (a list is as wide as its widest row): 430
   * pixels in German, which left the X-ray 216 pixels at 1024 x 768. Chips shorten instead; the tooltip has them
   * all. */
  gtk_label_set_ellipsize (GTK_LABEL (chip), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (chip, "chip");
  if (css_class != NULL)
    gtk_widget_add_css_class (chip, css_class);
  gtk_box_append (self->chips_box, chip);
}

static void
update_chips (CxrImageRow *self)
{
  clear_chips (self);
  if (self->item == NULL)
    return;

  guint32 findings = cxr_image_item_get_findings (self->item);
  guint shown = 0, hidden = 0;
  for (guint bit = 0; bit < 16; bit++)
    {
      CxrFinding finding = 1u << bit;
      if (!(findings & finding))
        continue;
      if (shown == MAX_CHIPS)
        {
          hidden++;
          continue;
        }
      const char *css = finding == CXR_FINDING_CARDIOMEGALY ? "chip-positive"
                        : finding == CXR_FINDING_NO_FINDING ? "chip-normal" : NULL;
      add_chip (self, cxr_finding_get_title (finding), css);
      shown++;
    }
  if (hidden > 0)
    {
      g_autofree char *more = g_strdup_printf ("+%u", hidden);
      add_chip (self, more, NULL);
    }
  guint n_boxes = cxr_image_item_get_n_boxes (self->item);
  if (n_boxes > 0)
    {
      /* Translators: a chip in the image list: the image has this many ground-truth boxes */
      g_autofree char *boxes = g_strdup_printf (ngettext ("%u box", "%u boxes", n_boxes), n_boxes);
      add_chip (self, boxes, "chip-boxes");
    }

  g_autofree char *all = cxr_finding_format_titles (findings);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->chips_box), all[0] ? all : NULL);
}

static void
update_result (CxrImageRow *self)
{
  const CxrImageResult *result = self->item ? cxr_image_item_get_result (self->item) : NULL;
  g_autofree char *text = cxr_image_row_format_result (result);

  gtk_label_set_label (self->result_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), text != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->result_label), result && result->error ? result->error : NULL);
  if (result != NULL && (result->flags & CXR_RESULT_PREDICTED) && result->positive)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "positive");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "positive");
  if (result != NULL && (result->flags & CXR_RESULT_FAILED))
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
}

static void
update_thumbnail (CxrImageRow *self)
{
  gtk_picture_set_paintable (self->thumbnail, self->item ? cxr_image_item_get_thumbnail (self->item) : NULL);
}

static void
update_reviewed (CxrImageRow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->reviewed_icon),
                          self->item != NULL && cxr_image_item_get_reviewed (self->item));
}

static void
on_item_notify (CxrImageItem *item, GParamSpec *pspec, CxrImageRow *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "thumbnail"))
    update_thumbnail (self);
  else if (g_str_equal (name, "result"))
    update_result (self);
  else if (g_str_equal (name, "reviewed"))
    update_reviewed (self);
  else if (g_str_equal (name, "n-boxes"))
    update_chips (self);
  else if (g_str_equal (name, "display-name"))
    gtk_label_set_label (self->name_label, cxr_image_item_get_display_name (item));
}

void
cxr_image_row_set_item (CxrImageRow *self, CxrImageItem *item)
{
  g_return_if_fail (CXR_IS_IMAGE_ROW (self));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, on_item_notify, self);
  g_set_object (&self->item, item);
  if (item != NULL)
    g_signal_connect (item, "notify", G_CALLBACK (on_item_notify), self);

  gtk_label_set_label (self->name_label, item ? cxr_image_item_get_display_name (item) : "");
  update_thumbnail (self);
  update_chips (self);
  update_result (self);
  update_reviewed (self);
}

CxrImageItem *
cxr_image_row_get_item (CxrImageRow *self)
{
  return self->item;
}

static void
cxr_image_row_dispose (GObject *object)
{
  CxrImageRow *self = CXR_IMAGE_ROW (object);

  cxr_image_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_IMAGE_ROW);
  /* The template's root box is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cxr_image_row_parent_class)->dispose (object);
}

static void
cxr_image_row_class_init (CxrImageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_image_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-image-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrImageRow, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, CxrImageRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, CxrImageRow, reviewed_icon);
  gtk_widget_class_bind_template_child (widget_class, CxrImageRow, chips_box);
  gtk_widget_class_bind_template_child (widget_class, CxrImageRow, result_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "imagerow");
}

static void
cxr_image_row_init (CxrImageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cxr_image_row_new (void)
{
  return g_object_new (CXR_TYPE_IMAGE_ROW, NULL);
}
