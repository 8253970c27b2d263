/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-paths.h: where cxrcam's own files are, whether it runs from the build tree or from its prefix.
 *
 * A program whose executable lies inside the build folder it was compiled in runs uninstalled (as a developer
 * or the README's first commands start it): its translations, settings schema and sibling programs are then
 * the build folder's, not the install prefix's (which may hold an older cxrcam, or nothing at all).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the running executable lies inside the build folder it was compiled in. */
gboolean cxr_paths_is_uninstalled (void);

/* The folder with the compiled message catalogues (<dir>/<lang>/LC_MESSAGES/cxrcam.mo). */
char    *cxr_paths_locale_dir     (void);

/* The folder with this build's compiled settings schema when uninstalled, NULL when installed (the system's
 * schema folders apply). */
char    *cxr_paths_schema_dir     (void);

/* The review window's executable that belongs with this program: the build tree's or the prefix's. */
char    *cxr_paths_window_program (void);

G_END_DECLS
