/* cxr-box-label-popover.c: see cxr-box-label-popover.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-box-editor.h"
#include "cxr-box-label-popover.h"
#include "cxr-dataset-findings.h"
#include "cxr-finding-names.h"

struct _CxrBoxLabelPopover {
  GtkPopover parent_instance;

  /* Template widgets */
  GtkListBox *label_list;
  GtkEntry *other_entry;
};

G_DEFINE_FINAL_TYPE (CxrBoxLabelPopover, cxr_box_label_popover, GTK_TYPE_POPOVER)

enum {
  LABEL_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
choose (CxrBoxLabelPopover *self, const char *label)
{
  g_autofree char *stripped = g_strstrip (g_strdup (label));
  if (stripped[0] == '\0')
    return;
  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[LABEL_CHOSEN], 0, stripped);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, CxrBoxLabelPopover *self)
{
  int index = gtk_list_box_row_get_index (row);
  if (index >= 0 && index < (int) G_N_ELEMENTS (cxr_box_editor_nih_labels))
    choose (self, cxr_box_editor_nih_labels[index]);
}

static void
on_other_activated (GtkEntry *entry, CxrBoxLabelPopover *self)
{
  choose (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

void
cxr_box_label_popover_set_label (CxrBoxLabelPopover *self, const char *label)
{
  g_return_if_fail (CXR_IS_BOX_LABEL_POPOVER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->other_entry), "");
  gtk_list_box_unselect_all (self->label_list);
  for (guint i = 0; i < G_N_ELEMENTS (cxr_box_editor_nih_labels); i++)
    if (g_strcmp0 (label, cxr_box_editor_nih_labels[i]) == 0)
      {
        GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->label_list, (int) i);
        gtk_list_box_select_row (self->label_list, row);
        gtk_widget_grab_focus (GTK_WIDGET (row));
        return;
      }
  if (label != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->other_entry), label);
  gtk_widget_grab_focus (GTK_WIDGET (self->other_entry));
}

static void
cxr_box_label_popover_class_init (CxrBoxLabelPopoverClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[LABEL_CHOSEN] = g_signal_new ("label-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-box-label-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, CxrBoxLabelPopover, label_list);
  gtk_widget_class_bind_template_child (widget_class, CxrBoxLabelPopover, other_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_other_activated);
}

static void
cxr_box_label_popover_init (CxrBoxLabelPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (cxr_box_editor_nih_labels); i++)
    {
      const char *title = cxr_finding_get_title (cxr_finding_from_name (cxr_box_editor_nih_labels[i], -1));
      GtkWidget *label = gtk_label_new (title ? title : cxr_box_editor_nih_labels[i]);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_append (self->label_list, label);
    }
}

GtkWidget *
cxr_box_label_popover_new (void)
{
  return g_object_new (CXR_TYPE_BOX_LABEL_POPOVER, NULL);
}
