#include "cxr-test-util.h"

#include <math.h>

const char *
cxr_test_nih14_dir (void)
{
  const char *dir = g_getenv ("CXR_NIH14_DIR");
  if (dir == NULL || *dir == '\0')
    dir = CXR_DEFAULT_NIH14_DIR;

  g_autofree char *probe = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  if (g_file_test (probe, G_FILE_TEST_IS_REGULAR))
    return dir;

  if (g_getenv ("CI") != NULL)
    g_error ("CI is set but the NIH test data is missing: %s (set CXR_NIH14_DIR)", dir);
  g_test_skip_printf ("NIH test data not found at %s", dir);
  return NULL;
}

char *
cxr_test_fixture_path (const char *name)
{
  return g_build_filename (CXR_SOURCE_DIR, "tests", "reference", "fixtures", name, NULL);
}

double
cxr_test_max_abs_diff (const float *a, const float *b, gsize n, gsize *worst_index)
{
  double worst = 0.0;
  gsize at = 0;
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - (double) b[i]);
      if (d > worst || isnan (d))
        {
          worst = isnan (d) ? INFINITY : d;
          at = i;
        }
    }
  if (worst_index)
    *worst_index = at;
  return worst;
}

double
cxr_test_max_abs (const float *x, gsize n)
{
  double m = 0.0;
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) x[i]));
  return m;
}

void
cxr_test_assert_close (const char *file, int line, const char *what,
                       const float *got, const float *want, gsize n,
                       double tolerance, gboolean relative_to_scale)
{
  gsize at = 0;
  double err = cxr_test_max_abs_diff (got, want, n, &at);
  double scale = relative_to_scale ? MAX (1.0, cxr_test_max_abs (want, n)) : 1.0;
  double limit = tolerance * scale;

  g_test_message ("%s: max abs error %.3g at [%" G_GSIZE_FORMAT "] (limit %.3g, %" G_GSIZE_FORMAT " elements)",
                  what, err, at, limit, n);
  if (!(err <= limit))
    {
      g_autofree char *msg = g_strdup_printf ("%s: max abs error %.6g > %.3g at [%" G_GSIZE_FORMAT "]: got %.9g, want %.9g",
                                              what, err, limit, at, (double) got[at], (double) want[at]);
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
}
