/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cxr-application.h"
#include "cxr-paths.h"

int
main (int argc, char *argv[])
{
  /* From the build tree the catalogues are the build folder's: German on screen before any install. */
  g_autofree char *locale_dir = cxr_paths_locale_dir ();
  /* And its schema, first in the search path, so that every GSettings in the process finds this build's keys
   * (an older cxrcam installed in the prefix would lack some: GSettings aborts on an unknown key). */
  g_autofree char *schema_dir = cxr_paths_schema_dir ();
  if (schema_dir != NULL)
    {
      const char *others = g_getenv ("GSETTINGS_SCHEMA_DIR");
      g_autofree char *dirs = others != NULL && others[0] != '\0'
                                ? g_strjoin (G_SEARCHPATH_SEPARATOR_S, schema_dir, others, NULL)
                                : g_strdup (schema_dir);
      g_setenv ("GSETTINGS_SCHEMA_DIR", dirs, TRUE);
    }
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_autoptr (CxrApplication) app = cxr_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
