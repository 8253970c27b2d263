/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-format: numbers for files (cxr-format.h) are the shortest text that reads back exactly, with a point,
 * and the same bytes under a decimal-comma locale as under C. */
#include <locale.h>
#include <math.h>
#include <string.h>

#include "cxr-csv.h"
#include "cxr-format.h"
#include "cxr-test-util.h"

static void
test_double (void)
{
  struct { double value; const char *text; } cases[] = {
    { 225.084745762712, "225.084745762712" },
    { 86.7796610169491, "86.7796610169491" },
    { 12.0, "12" },
    { 0.5, "0.5" },
    { 0.0, "0" },
    { -3.25, "-3.25" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1024.25, "1024.25" },
    { 1e-7, "1e-07" },
    { 1e16, "1e+16" },
    { NAN, "nan" },
    { INFINITY, "inf" },
  };
  char buf[CXR_FORMAT_BUF];
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (cxr_format_double (buf, cases[i].value), ==, cases[i].text);

  /* Every double reads back exactly, whatever its size. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  for (int i = 0; i < 20000; i++)
    {
      double x = g_rand_double_range (rand, 0.0, 1024.0);
      if (i % 4 == 1)
        x = ldexp (x, g_rand_int_range (rand, -60, 60));
      if (i % 4 == 2)
        x = round (x * 1000.0) / 1000.0;
      const char *text = cxr_format_double (buf, x);
      g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, x);
      g_assert_null (strchr (text, ','));
    }
}

static void
test_float (void)
{
  /* The float's own shortest text, not its double's (0.485f is 0.48500001430511475 as a double). */
  struct { float value; const char *text; } cases[] = {
    { 0.485f, "0.485" },
    { 0.229f, "0.229" },
    { 0.1f, "0.1" },
    { 224.0f, "224" },
    { 1e-5f, "1e-05" },
    { 0.83412f, "0.83412" },
    { 16777216.0f, "16777216" },
  };
  char buf[CXR_FORMAT_BUF];
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (cxr_format_float (buf, cases[i].value), ==, cases[i].text);

  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  for (int i = 0; i < 20000; i++)
    {
      float x = (float) ldexp (g_rand_double_range (rand, -1.0, 1.0), g_rand_int_range (rand, -40, 40));
      const char *text = cxr_format_float (buf, x);
      g_assert_cmpfloat ((float) g_ascii_strtod (text, NULL), ==, x);
    }
}

static void
test_fixed (void)
{
  char buf[CXR_FORMAT_BUF];
  g_assert_cmpstr (cxr_format_fixed (buf, 186.4810669, 6), ==, "186.481067");
  g_assert_cmpstr (cxr_format_fixed (buf, 0.5, 0), ==, "0");
  g_assert_cmpstr (cxr_format_fixed (buf, 0.05, 2), ==, "0.05");
  g_assert_cmpstr (cxr_format_fixed (buf, -1.0, 3), ==, "-1.000");
}

/* Every function and the appenders, run under the current locale. */
static char *
format_everything (void)
{
  GString *out = g_string_new (NULL);
  const double doubles[] = { 225.084745762712, 0.5, 1e-7, 186.4810669, -3.25, 1e16 };
  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      cxr_format_append_double (out, doubles[i]);
      g_string_append_c (out, ' ');
      cxr_format_append_float (out, (float) doubles[i]);
      g_string_append_c (out, ' ');
      cxr_format_append_fixed (out, doubles[i], 4);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
test_same_under_a_comma_locale (void)
{
  if (!cxr_test_have_locale ("de_DE.UTF-8"))
    return;
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

  setlocale (LC_ALL, "C");
  g_autofree char *in_c = format_everything ();

  setlocale (LC_ALL, "de_DE.UTF-8");
  /* The locale really has a decimal comma: printf would write one. */
  g_autofree char *printed = g_strdup_printf ("%.1f", 0.5);
  g_assert_cmpstr (printed, ==, "0,5");
  g_autofree char *in_german = format_everything ();
  /* And reading a file's number does not depend on it either. */
  double v = 0.0;
  CxrCsvField field = { .text = "225.084745762712", .length = strlen ("225.084745762712") };
  g_assert_true (cxr_csv_field_to_double (&field, &v));
  g_assert_cmpfloat (v, ==, 225.084745762712);
  setlocale (LC_ALL, saved);

  g_assert_cmpstr (in_german, ==, in_c);
  g_assert_null (strchr (in_c, ','));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/format/double", test_double);
  g_test_add_func ("/format/float", test_float);
  g_test_add_func ("/format/fixed", test_fixed);
  g_test_add_func ("/format/same-under-a-comma-locale", test_same_under_a_comma_locale);
  return g_test_run ();
}
