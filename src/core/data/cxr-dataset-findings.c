/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-dataset-findings.h"

#include <string.h>

static const struct {
  CxrFinding finding;
  const char *name;
  const char *alias;   /* another spelling seen in real files */
} findings[] = {
  { CXR_FINDING_ATELECTASIS, "Atelectasis", NULL },
  { CXR_FINDING_CARDIOMEGALY, "Cardiomegaly", NULL },
  { CXR_FINDING_EFFUSION, "Effusion", NULL },
  { CXR_FINDING_INFILTRATION, "Infiltration", "Infiltrate" },
  { CXR_FINDING_MASS, "Mass", NULL },
  { CXR_FINDING_NODULE, "Nodule", NULL },
  { CXR_FINDING_PNEUMONIA, "Pneumonia", NULL },
  { CXR_FINDING_PNEUMOTHORAX, "Pneumothorax", NULL },
  { CXR_FINDING_CONSOLIDATION, "Consolidation", NULL },
  { CXR_FINDING_EDEMA, "Edema", NULL },
  { CXR_FINDING_EMPHYSEMA, "Emphysema", NULL },
  { CXR_FINDING_FIBROSIS, "Fibrosis", NULL },
  { CXR_FINDING_PLEURAL_THICKENING, "Pleural_Thickening", "Pleural Thickening" },
  { CXR_FINDING_HERNIA, "Hernia", NULL },
  { CXR_FINDING_NO_FINDING, "No Finding", NULL },
};

const char *
cxr_finding_get_name (CxrFinding finding)
{
  for (gsize i = 0; i < G_N_ELEMENTS (findings); i++)
    if (findings[i].finding == finding)
      return findings[i].name;
  return NULL;
}

static gboolean
same_name (const char *name, gsize length, const char *known)
{
  return known != NULL && strlen (known) == length && g_ascii_strncasecmp (name, known, length) == 0;
}

CxrFinding
cxr_finding_from_name (const char *name, gssize length)
{
  gsize n = length < 0 ? strlen (name) : (gsize) length;
  /* The exact NIH spelling is by far the most common: try it first with a plain compare. */
  for (gsize i = 0; i < G_N_ELEMENTS (findings); i++)
    if (strlen (findings[i].name) == n && memcmp (name, findings[i].name, n) == 0)
      return findings[i].finding;
  for (gsize i = 0; i < G_N_ELEMENTS (findings); i++)
    if (same_name (name, n, findings[i].name) || same_name (name, n, findings[i].alias))
      return findings[i].finding;
  return 0;
}

guint32
cxr_finding_parse_list (const char *text, gsize length, GHashTable *unknown)
{
  guint32 bits = 0;
  gsize start = 0;
  for (gsize i = 0; i <= length; i++)
    {
      if (i < length && text[i] != '|')
        continue;
      gsize a = start, b = i;
      while (a < b && text[a] == ' ')
        a++;
      while (b > a && text[b - 1] == ' ')
        b--;
      start = i + 1;
      if (a == b)
        continue;
      CxrFinding finding = cxr_finding_from_name (text + a, (gssize) (b - a));
      if (finding == 0)
        {
          finding = CXR_FINDING_OTHER;
          if (unknown != NULL)
            {
              g_autofree char *label = g_strndup (text + a, b - a);
              guint count = GPOINTER_TO_UINT (g_hash_table_lookup (unknown, label));
              g_hash_table_replace (unknown, g_steal_pointer (&label), GUINT_TO_POINTER (count + 1));
            }
        }
      bits |= finding;
    }
  return bits;
}

char *
cxr_finding_format_list (guint32 bits)
{
  GString *out = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (findings); i++)
    if (bits & findings[i].finding)
      {
        if (out->len > 0)
          g_string_append_c (out, '|');
        g_string_append (out, findings[i].name);
      }
  if (bits & CXR_FINDING_OTHER)
    g_string_append (out, out->len > 0 ? "|(other)" : "(other)");
  return g_string_free (out, FALSE);
}
