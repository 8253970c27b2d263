/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-settings.h: the application's GSettings, never an abort for want of a schema.
 *
 * Use cxr_settings_new() instead of g_settings_new (APPLICATION_ID): when no schema is installed (or an older
 * one), g_settings_new aborts the program on the missing schema or key.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The settings of org.cxrcam.Cxrcam, from the schema GSettings finds (GSETTINGS_SCHEMA_DIR, where main.c puts the
 * build folder's when the app runs uninstalled, then the prefix's, compiled by the install step), or else the copy
 * compiled into the app. A schema that lacks a key of this build's counts as absent. In the last case the settings
 * are kept in memory only and *@out_remembered (if not NULL) is FALSE: the app runs with its defaults and should
 * say so. */
GSettings *cxr_settings_new (gboolean *out_remembered);

G_END_DECLS
