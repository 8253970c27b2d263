/* cxr-settings.h: the application's GSettings, found wherever this build's schema is, never an abort.
 *
 * Use cxr_settings_new() instead of g_settings_new (APPLICATION_ID): from the build tree the system knows no
 * cxrcam schema (or an older one), and g_settings_new aborts the program on a missing schema or key.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The settings of org.cxrcam.Cxrcam, from the first of: the build folder's compiled schema when the app runs
 * uninstalled; the system's schemas (the prefix's, or GSETTINGS_SCHEMA_DIR); the copy compiled into the app.
 * A schema that lacks a key of this build's counts as absent. In the last case the settings are kept in memory
 * only and *@out_remembered (if not NULL) is FALSE: the app runs with its defaults and should say so. */
GSettings *cxr_settings_new (gboolean *out_remembered);

G_END_DECLS
