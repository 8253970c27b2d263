/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-limits.c: the one place that decides how much an input may claim (see cxr-limits.h). */
#include "cxr-limits.h"

#include <sys/resource.h>
#include <unistd.h>

#include "cxr-error.h"

/* "96.0 MiB": the same text in every locale (g_format_size translates, and puts a no-break space in). */
static char *
format_bytes (guint64 bytes)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  if (bytes < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", bytes);
  double value = (double) bytes / 1024;
  gsize unit = 0;
  while (value >= 1024 && unit + 1 < G_N_ELEMENTS (units))
    value /= 1024, unit++;
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf ("%s %s", g_ascii_formatd (number, sizeof number, "%.1f", value), units[unit]);
}

guint64
cxr_limits_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGESIZE);
  guint64 memory = pages > 0 && page_size > 0 ? (guint64) pages * (guint64) page_size : (guint64) 1 << 32;
  const int resources[] = { RLIMIT_AS, RLIMIT_DATA };
  for (gsize i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      struct rlimit limit;
      if (getrlimit (resources[i], &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        memory = MIN (memory, (guint64) limit.rlim_cur);
    }
  return memory / 2;
}

static gboolean
memory_error (GError **error, const char *what, guint64 bytes)
{
  g_autofree char *needed = format_bytes (bytes);
  g_autofree char *limit = format_bytes (cxr_limits_memory ());
  g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT,
               "%s would need %s, more than the memory limit of %s (half of the memory this process may use)",
               what, needed, limit);
  return FALSE;
}

gboolean
cxr_limits_check_alloc (guint64 count, guint64 item_size, const char *what, GError **error)
{
  guint64 bytes;
  if (!g_uint64_checked_mul (&bytes, count, item_size))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s claims %" G_GUINT64_FORMAT " items of %" G_GUINT64_FORMAT
                   " bytes, more than 2^64 bytes", what, count, item_size);
      return FALSE;
    }
  if (bytes > cxr_limits_memory ())
    return memory_error (error, what, bytes);
  return TRUE;
}

void
cxr_limit_budget_init (CxrLimitBudget *budget, const char *name, guint64 file_size)
{
  guint64 allowed;
  if (!g_uint64_checked_mul (&allowed, file_size, CXR_LIMIT_EXPANSION))
    allowed = G_MAXUINT64;
  budget->name = name;
  budget->file_size = file_size;
  budget->allowed = MAX (allowed, CXR_LIMIT_EXPANSION_FLOOR);
  budget->claimed = 0;
}

gboolean
cxr_limit_budget_claim (CxrLimitBudget *budget, guint64 count, guint64 item_size, const char *what, GError **error)
{
  guint64 bytes, total;
  if (!g_uint64_checked_mul (&bytes, count, item_size) || !g_uint64_checked_add (&total, budget->claimed, bytes)
      || total > budget->allowed)
    {
      g_autofree char *allowed = format_bytes (budget->allowed);
      g_autofree char *size = format_bytes (budget->file_size);
      g_autofree char *needed = NULL;
      if (g_uint64_checked_mul (&bytes, count, item_size))
        needed = format_bytes (bytes);
      else
        needed = g_strdup ("more than 2^64 bytes");
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT,
                   "%s: %s would need %s, and the file may expand to at most %s in all (the expansion limit: %d "
                   "bytes per byte of its %s, or %d MiB)", budget->name, what, needed, allowed, CXR_LIMIT_EXPANSION,
                   size, (int) (CXR_LIMIT_EXPANSION_FLOOR >> 20));
      return FALSE;
    }
  if (total > cxr_limits_memory ())
    {
      g_autofree char *detail = g_strdup_printf ("%s: %s", budget->name, what);
      return memory_error (error, detail, total);
    }
  budget->claimed = total;
  return TRUE;
}

gboolean
cxr_limits_check_shape (int ndim, const gint64 *shape, guint64 *numel, const char *what, GError **error)
{
  guint64 n = 1;
  for (int d = 0; d < ndim; d++)
    {
      if (shape[d] < 0)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s has a negative dimension (%" G_GINT64_FORMAT ")", what,
                       shape[d]);
          return FALSE;
        }
      if (!g_uint64_checked_mul (&n, n, (guint64) shape[d]) || n > ((guint64) 1 << 62))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s has more than 2^62 elements (the element limit)", what);
          return FALSE;
        }
    }
  *numel = n;
  return TRUE;
}

gboolean
cxr_limits_check_image (gint64 width, gint64 height, const char *what, GError **error)
{
  if (width <= 0 || height <= 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the image has no pixels (%" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT ")", what, width, height);
      return FALSE;
    }
  if (width > CXR_LIMIT_IMAGE_SIDE || height > CXR_LIMIT_IMAGE_SIDE || width * height > CXR_LIMIT_IMAGE_PIXELS)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT,
                   "%s: refusing a %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " image (the image limit: at most %d "
                   "pixels a side and %" G_GINT64_FORMAT " in all)", what, width, height, CXR_LIMIT_IMAGE_SIDE,
                   CXR_LIMIT_IMAGE_PIXELS);
      return FALSE;
    }
  /* The decoder's rows (up to 16-bit RGBA) and the float pixels. */
  return cxr_limits_check_alloc ((guint64) width * (guint64) height, 8 + sizeof (float), what, error);
}

gboolean
cxr_limits_check_input_side (gint64 width, gint64 height, const char *what, GError **error)
{
  if (width < 1 || height < 1 || width > CXR_LIMIT_INPUT_SIDE || height > CXR_LIMIT_INPUT_SIDE)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s: an input of %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " pixels is outside the input size limit (1 to %d pixels a side)", what, width, height,
                   CXR_LIMIT_INPUT_SIDE);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_limits_check_json_depth (const char *data, gsize length, const char *what, GError **error)
{
  int depth = 0;
  gboolean in_string = FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > CXR_LIMIT_JSON_DEPTH)
            {
              g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s: JSON nested more than %d levels deep (the nesting "
                           "limit) at byte %" G_GSIZE_FORMAT, what, CXR_LIMIT_JSON_DEPTH, i);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

gboolean
cxr_limits_check_file_size (guint64 size, const char *what, GError **error)
{
  if (size > CXR_LIMIT_FILE_BYTES)
    {
      g_autofree char *have = format_bytes (size);
      g_autofree char *limit = format_bytes (CXR_LIMIT_FILE_BYTES);
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s is %s, more than the limit of %s for a file read whole", what, have,
                   limit);
      return FALSE;
    }
  return cxr_limits_check_alloc (size, 1, what, error);
}
