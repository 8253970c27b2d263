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
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_autoptr (CxrApplication) app = cxr_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
