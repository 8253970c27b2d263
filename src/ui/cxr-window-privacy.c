/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-privacy.c: who the patient is stays off the screen unless the reader asks (issue 16, point 5).
 *
 * A DICOM file names its patient (Patient's Name, ID, Birth Date). The window shows them only while "Show Patient
 * Data" is on, in the image's line of details; it starts off in every window and is not remembered. "Anonymise the
 * List" replaces file names (which exports from a PACS often make from the patient's name) by "Image 3f2a9c01",
 * the start of the name's SHA-256, in the list and the sidebar. Exports never carry the patient data: the pictures
 * are pixels, bb_results.csv and the review CSV name files, and nothing writes DICOM tags. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

static gboolean
action_state (CxrWindow *self, const char *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);
  if (action == NULL)
    return FALSE;
  g_autoptr (GVariant) state = g_action_get_state (action);
  return g_variant_get_boolean (state);
}

gboolean
_cxr_window_privacy_anonymous (CxrWindow *self)
{
  return action_state (self, "anonymise-list");
}

void
_cxr_window_privacy_append_patient (CxrWindow *self, GString *details)
{
  if (!action_state (self, "show-patient-data"))
    return;
  CxrStoredPlane *stored = cxr_pane_content_get_stored (self->content);
  const CxrDicomImage *dicom = stored != NULL ? stored->dicom : NULL;
  if (dicom == NULL)
    return;
  const char *parts[] = { dicom->patient_name, dicom->patient_id, dicom->patient_birth_date };
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL || parts[i][0] == '\0')
        continue;
      if (details->len)
        g_string_append (details, " · ");
      if (i == 0)
        /* Translators: the DICOM patient's name, shown on request */
        g_string_append_printf (details, _("Name %s"), parts[i]);
      else if (i == 1)
        /* Translators: the DICOM patient ID, shown on request */
        g_string_append_printf (details, _("ID %s"), parts[i]);
      else
        /* Translators: the DICOM patient's birth date (YYYYMMDD as the file has it), shown on request */
        g_string_append_printf (details, _("born %s"), parts[i]);
    }
}

void
_cxr_window_privacy_apply (CxrWindow *self)
{
  if (self->list_model != NULL)
    cxr_image_list_model_set_anonymous (self->list_model, _cxr_window_privacy_anonymous (self));
  _cxr_window_update_image_info (self);
}

static void
toggle_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_autoptr (GVariant) state = g_action_get_state (G_ACTION (action));
  g_simple_action_set_state (action, g_variant_new_boolean (!g_variant_get_boolean (state)));
  _cxr_window_privacy_apply (CXR_WINDOW (user_data));
}

/* The patient data come with the decoded file, after the image's other details. */
static void
on_content_changed (CxrPaneContent *content, guint parts, CxrWindow *self)
{
  if (parts & CXR_PANE_PART_IMAGE)
    _cxr_window_update_image_info (self);
}

static const GActionEntry privacy_actions[] = {
  { .name = "show-patient-data", .activate = toggle_activated, .state = "false" },
  { .name = "anonymise-list", .activate = toggle_activated, .state = "false" },
};

void
_cxr_window_privacy_init (CxrWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), privacy_actions, G_N_ELEMENTS (privacy_actions), self);
  g_signal_connect (self->content, "changed", G_CALLBACK (on_content_changed), self);
}

void
_cxr_window_privacy_dispose (CxrWindow *self)
{
  if (self->content != NULL)
    g_signal_handlers_disconnect_by_func (self->content, on_content_changed, self);
}
