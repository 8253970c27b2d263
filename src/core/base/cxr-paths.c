/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-paths.c: see cxr-paths.h. */
#include "config.h"

#include "cxr-paths.h"

#include <stdlib.h>
#include <string.h>

/* The folder's real path (symbolic links resolved), or a copy of it when it does not exist. */
static char *
real_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  if (resolved == NULL)
    return g_strdup (path);
  char *copy = g_strdup (resolved);
  free (resolved);
  return copy;
}

gboolean
cxr_paths_is_uninstalled (void)
{
  /* /proc/self/exe is the kernel's real path of the executable; the build root may be reached through a link. */
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL)
    return FALSE;
  g_autofree char *build_root = real_path (CXR_BUILD_ROOT);
  return g_str_has_prefix (exe, build_root) && exe[strlen (build_root)] == G_DIR_SEPARATOR;
}

char *
cxr_paths_locale_dir (void)
{
  /* meson's i18n module compiles po/<lang>.po to <build>/po/<lang>/LC_MESSAGES/<package>.mo. */
  if (cxr_paths_is_uninstalled ())
    return g_build_filename (CXR_BUILD_ROOT, "po", NULL);
  return g_strdup (LOCALEDIR);
}

char *
cxr_paths_schema_dir (void)
{
  if (cxr_paths_is_uninstalled ())
    return g_build_filename (CXR_BUILD_ROOT, "data", NULL);
  return NULL;
}

char *
cxr_paths_window_program (void)
{
  if (cxr_paths_is_uninstalled ())
    return g_build_filename (CXR_BUILD_ROOT, "src", "ui", "cxrcam", NULL);
  return g_build_filename (CXR_BINDIR, "cxrcam", NULL);
}
