/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* Typing while a row has the focus types a label of one's own: the entry takes the text from the first key. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
                CxrBoxLabelPopover *self)
{
  gunichar c = gdk_keyval_to_unicode (keyval);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) || c == 0 || !g_unichar_isgraph (c)
      || (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->other_entry))))
    return FALSE;

  char text[8] = { 0 };
  g_unichar_to_utf8 (c, text);
  gtk_widget_grab_focus (GTK_WIDGET (self->other_entry));
  gtk_editable_set_text (GTK_EDITABLE (self->other_entry), text);
  gtk_editable_set_position (GTK_EDITABLE (self->other_entry), -1);
  return TRUE;
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

  GtkEventController *keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->label_list), keys);

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
