/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-format.c: see cxr-format.h. g_ascii_formatd is printf in the C locale whatever LC_NUMERIC says. */
#include "cxr-format.h"

#include <math.h>

/* TRUE when @text reads back as @value: as a double, or rounded to a float. */
static gboolean
reads_back (const char *text, double value, gboolean as_float)
{
  double read = g_ascii_strtod (text, NULL);
  return as_float ? (float) read == (float) value : read == value;
}

static const char *
format_shortest (char *buf, double value, gboolean as_float)
{
  static const char *const fixed[] = {
    "%.0f", "%.1f", "%.2f", "%.3f", "%.4f", "%.5f", "%.6f", "%.7f", "%.8f",
    "%.9f", "%.10f", "%.11f", "%.12f", "%.13f", "%.14f", "%.15f", "%.16f", "%.17f",
  };
  static const char *const general[] = {
    "%.1g", "%.2g", "%.3g", "%.4g", "%.5g", "%.6g", "%.7g", "%.8g", "%.9g",
    "%.10g", "%.11g", "%.12g", "%.13g", "%.14g", "%.15g", "%.16g", "%.17g",
  };
  double magnitude = fabs (value);

  /* Plain decimals for the range of pixel coordinates, probabilities and losses. */
  if (isfinite (value) && magnitude < 1e15 && (magnitude == 0.0 || magnitude >= 1e-3))
    for (gsize i = 0; i < G_N_ELEMENTS (fixed); i++)
      {
        g_ascii_formatd (buf, CXR_FORMAT_BUF, fixed[i], value);
        if (reads_back (buf, value, as_float))
          return buf;
      }
  /* Outside it, the shortest %g that reads back; %.17g always does. */
  for (gsize i = 0; i < G_N_ELEMENTS (general); i++)
    {
      g_ascii_formatd (buf, CXR_FORMAT_BUF, general[i], value);
      if (!isfinite (value) || reads_back (buf, value, as_float))
        break;
    }
  return buf;
}

const char *
cxr_format_double (char *buf, double value)
{
  return format_shortest (buf, value, FALSE);
}

const char *
cxr_format_float (char *buf, float value)
{
  return format_shortest (buf, value, TRUE);
}

const char *
cxr_format_fixed (char *buf, double value, int decimals)
{
  char format[8];
  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 17));
  return g_ascii_formatd (buf, CXR_FORMAT_BUF, format, value);
}

void
cxr_format_append_double (GString *out, double value)
{
  char buf[CXR_FORMAT_BUF];
  g_string_append (out, cxr_format_double (buf, value));
}

void
cxr_format_append_float (GString *out, float value)
{
  char buf[CXR_FORMAT_BUF];
  g_string_append (out, cxr_format_float (buf, value));
}

void
cxr_format_append_fixed (GString *out, double value, int decimals)
{
  char buf[CXR_FORMAT_BUF];
  g_string_append (out, cxr_format_fixed (buf, value, decimals));
}
