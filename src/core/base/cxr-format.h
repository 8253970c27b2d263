/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-format.h: numbers as cxrcam writes them into files: the same bytes under every locale.
 *
 * printf's %f, %g and %e follow LC_NUMERIC, and the programs call setlocale (LC_ALL, ""): under de_DE.UTF-8 they write
 * "186,48" into a CSV. Every writer of a file (CSV, JSON, headers) formats its numbers here, never with printf.
 * Numbers meant for the screen follow the user's locale and do not come here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room for any number these functions write, with its terminating NUL. */
#define CXR_FORMAT_BUF 64

/* The shortest plain decimal that reads back (g_ascii_strtod) as exactly @value: 225.084745762712, 12, 0.5;
 * magnitudes below 0.001 or from 1e15 up get the shortest %g form instead ("1e-07"), as Python's repr writes
 * them; "nan", "inf" and "-inf" for the others. @buf holds CXR_FORMAT_BUF bytes; returns @buf. */
const char *cxr_format_double (char *buf, double value);

/* The same for a float: the shortest text that reads back as the same float, so 0.485f is "0.485", not the
 * double nearest to it (0.48500001430511475). */
const char *cxr_format_float  (char *buf, float value);

/* @value with exactly @decimals digits after a point (0 to 17), as "%.*f" in the C locale. */
const char *cxr_format_fixed  (char *buf, double value, int decimals);

/* The same, appended to @out. */
void cxr_format_append_double (GString *out, double value);
void cxr_format_append_float  (GString *out, float value);
void cxr_format_append_fixed  (GString *out, double value, int decimals);

/* Integers need nothing here: printf's %d, %u and G_GINT64_FORMAT never group digits or read LC_NUMERIC (only
 * the "'" flag would), so they write the same bytes under every locale. */

G_END_DECLS
