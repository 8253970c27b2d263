/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-finding-names.c: translated finding titles. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-finding-names.h"

const char *
cxr_finding_get_title (CxrFinding finding)
{
  switch (finding)
    {
    case CXR_FINDING_ATELECTASIS: return C_("finding", "Atelectasis");
    case CXR_FINDING_CARDIOMEGALY: return C_("finding", "Cardiomegaly");
    case CXR_FINDING_EFFUSION: return C_("finding", "Effusion");
    case CXR_FINDING_INFILTRATION: return C_("finding", "Infiltration");
    case CXR_FINDING_MASS: return C_("finding", "Mass");
    case CXR_FINDING_NODULE: return C_("finding", "Nodule");
    case CXR_FINDING_PNEUMONIA: return C_("finding", "Pneumonia");
    case CXR_FINDING_PNEUMOTHORAX: return C_("finding", "Pneumothorax");
    case CXR_FINDING_CONSOLIDATION: return C_("finding", "Consolidation");
    case CXR_FINDING_EDEMA: return C_("finding", "Edema");
    case CXR_FINDING_EMPHYSEMA: return C_("finding", "Emphysema");
    case CXR_FINDING_FIBROSIS: return C_("finding", "Fibrosis");
    case CXR_FINDING_PLEURAL_THICKENING: return C_("finding", "Pleural thickening");
    case CXR_FINDING_HERNIA: return C_("finding", "Hernia");
    case CXR_FINDING_NO_FINDING: return C_("finding", "No finding");
    case CXR_FINDING_OTHER: return C_("finding", "Other");
    default: return NULL;
    }
}

char *
cxr_finding_format_titles (guint32 findings)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint bit = 0; bit < 16; bit++)
    {
      const char *title = (findings & (1u << bit)) ? cxr_finding_get_title (1u << bit) : NULL;
      if (title == NULL)
        continue;
      if (text->len > 0)
        /* Translators: separates finding names in a list */
        g_string_append (text, _(", "));
      g_string_append (text, title);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
