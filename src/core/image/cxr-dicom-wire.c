/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-wire.c: the request and reply between cxrcam and its DICOM decoder process (cxr-dicom-decoder.h).
 * The reply is parsed as carefully as a file: a decoder that died while writing leaves it short, and every count
 * in it is checked against the limits before anything is allocated. The file's bytes and the image's values
 * travel in memory files (cxr-dicom-memfd.h), the rest on the pipes. */
#include "cxr-dicom-decoder.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cxr-dicom-memfd.h"
#include "cxr-error.h"
#include "cxr-limits.h"
#include "cxr-tensor.h"

/* Version 2: the data and the values in memory files (version 1 had them on the pipes). */
#define REQUEST_MAGIC "CXRDCMQ2"
#define DIRECTORY_REQUEST_MAGIC "CXRDCMD2"
#define REPLY_MAGIC "CXRDCMR2"
#define NO_STRING 0xffffffffu
/* Far above anything a DICOM file holds in these fields (a text value is at most 64 KiB; windows are a few). */
#define MAX_STRING (1u << 20)
#define MAX_WINDOWS 4096

static const char *const spacing_sources[] = { NULL, "PixelSpacing", "ImagerPixelSpacing" };

/* ---- writing ---------------------------------------------------------------------------------------------- */

static gboolean
write_all (int fd, const void *data, gsize length, GError **error)
{
  const guint8 *p = data;
  while (length > 0)
    {
      ssize_t n = write (fd, p, MIN (length, (gsize) 1 << 20));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not write to the pipe: %s", g_strerror (errno));
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static void
put (GByteArray *out, const void *data, gsize length)
{
  g_byte_array_append (out, data, (guint) length);
}

static void
put_i32 (GByteArray *out, gint32 v)
{
  put (out, &v, sizeof v);
}

static void
put_double (GByteArray *out, double v)
{
  put (out, &v, sizeof v);
}

static void
put_string (GByteArray *out, const char *s)
{
  guint32 n = s == NULL ? NO_STRING : (guint32) MIN (strlen (s), (gsize) MAX_STRING);
  put (out, &n, sizeof n);
  if (s != NULL)
    put (out, s, n);
}

GBytes *
cxr_dicom_wire_request (CxrDicomRequestKind kind, const char *name, gsize data_length)
{
  GByteArray *out = g_byte_array_new ();
  put (out, kind == CXR_DICOM_REQUEST_DIRECTORY ? DIRECTORY_REQUEST_MAGIC : REQUEST_MAGIC, 8);
  put_string (out, name);
  guint64 n = data_length;
  put (out, &n, sizeof n);
  return g_byte_array_free_to_bytes (out);
}

gboolean
cxr_dicom_wire_write_reply (int fd, const CxrDicomImage *image, const GError *failure, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  put (out, REPLY_MAGIC, 8);
  guint64 body_length = 0;  /* filled in below */
  put (out, &body_length, sizeof body_length);
  guint8 ok = image != NULL;
  put (out, &ok, 1);
  if (!ok)
    {
      put_i32 (out, failure != NULL && failure->domain == CXR_ERROR ? failure->code : CXR_ERROR_FAILED);
      put_string (out, failure != NULL ? failure->message : "the decoder failed");
      body_length = out->len - CXR_DICOM_WIRE_REPLY_HEAD;
      memcpy (out->data + 8, &body_length, sizeof body_length);
      return write_all (fd, out->data, out->len, error);
    }
  put_i32 (out, image->width);
  put_i32 (out, image->height);
  put_i32 (out, image->frames);
  put_i32 (out, image->samples_per_pixel);
  put_i32 (out, image->bits_allocated);
  put_i32 (out, image->bits_stored);
  put_i32 (out, image->pixel_representation);
  put_string (out, image->photometric);
  put_i32 (out, image->monochrome1);
  put_i32 (out, image->colour);
  put_double (out, image->rescale_slope);
  put_double (out, image->rescale_intercept);
  put_double (out, image->range_low);
  put_double (out, image->range_high);
  put_i32 (out, image->n_windows);
  for (int i = 0; i < image->n_windows; i++)
    {
      put_double (out, image->windows[i].center);
      put_double (out, image->windows[i].width);
      put_string (out, image->windows[i].explanation);
    }
  put_i32 (out, image->voi_function);
  put_i32 (out, image->has_voi_lut);
  if (image->has_voi_lut)
    {
      put_i32 (out, image->voi_lut_entries);
      put_double (out, image->voi_lut_first);
      put_i32 (out, image->voi_lut_bits);
      put (out, image->voi_lut_data, (gsize) image->voi_lut_entries * sizeof (guint16));
      put_string (out, image->voi_lut_explanation);
    }
  put_double (out, image->spacing_row_mm);
  put_double (out, image->spacing_column_mm);
  gint32 source = 0;
  for (gint32 i = 1; i < (gint32) G_N_ELEMENTS (spacing_sources); i++)
    if (g_strcmp0 (image->spacing_source, spacing_sources[i]) == 0)
      source = i;
  put_i32 (out, source);
  put_string (out, image->sop_class_uid);
  put_string (out, image->sop_instance_uid);
  put_string (out, image->modality);
  put_string (out, image->transfer_syntax_uid);
  put_string (out, image->transfer_syntax_name);
  put_string (out, image->patient_name);
  put_string (out, image->patient_id);
  put_string (out, image->patient_birth_date);
  guint64 values_bytes = (guint64) image->width * image->height * sizeof (float);
  put (out, &values_bytes, sizeof values_bytes);
  body_length = out->len - CXR_DICOM_WIRE_REPLY_HEAD;
  memcpy (out->data + 8, &body_length, sizeof body_length);
  return write_all (fd, out->data, out->len, error);
}

gboolean
cxr_dicom_wire_write_directory_reply (int fd, GPtrArray *files, GPtrArray *uids, const GError *failure,
                                      GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  put (out, REPLY_MAGIC, 8);
  guint64 body_length = 0;
  put (out, &body_length, sizeof body_length);
  guint8 ok = files != NULL;
  put (out, &ok, 1);
  if (!ok)
    {
      put_i32 (out, failure != NULL && failure->domain == CXR_ERROR ? failure->code : CXR_ERROR_FAILED);
      put_string (out, failure != NULL ? failure->message : "the decoder failed");
    }
  else
    {
      put_i32 (out, (gint32) files->len);
      for (guint i = 0; i < files->len; i++)
        {
          put_string (out, files->pdata[i]);
          put_string (out, uids->pdata[i]);
        }
    }
  body_length = out->len - CXR_DICOM_WIRE_REPLY_HEAD;
  memcpy (out->data + 8, &body_length, sizeof body_length);
  return write_all (fd, out->data, out->len, error);
}

/* ---- reading ---------------------------------------------------------------------------------------------- */

static gboolean
read_all (int fd, void *data, gsize length, GError **error)
{
  guint8 *p = data;
  while (length > 0)
    {
      ssize_t n = read (fd, p, MIN (length, (gsize) 1 << 20));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "the request is %s", n == 0 ? "short" : g_strerror (errno));
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
cxr_dicom_wire_read_request (int fd, int data_fd, CxrDicomRequestKind *kind, char **name, GBytes **data,
                             gboolean *end, GError **error)
{
  char magic[8];
  guint32 name_length;
  *end = FALSE;
  ssize_t first;
  do
    first = read (fd, magic, 1);
  while (first < 0 && errno == EINTR);
  if (first == 0)
    {
      *end = TRUE;  /* the caller closed our stdin between requests: done */
      return FALSE;
    }
  if (first < 0 || !read_all (fd, magic + 1, sizeof magic - 1, error)
      || !read_all (fd, &name_length, sizeof name_length, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "the request is %s", g_strerror (errno));
      return FALSE;
    }
  gboolean image = memcmp (magic, REQUEST_MAGIC, 8) == 0;
  gboolean directory = memcmp (magic, DIRECTORY_REQUEST_MAGIC, 8) == 0;
  *kind = directory ? CXR_DICOM_REQUEST_DIRECTORY : CXR_DICOM_REQUEST_IMAGE;
  if ((!image && !directory) || name_length > MAX_STRING)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "not a decoder request");
      return FALSE;
    }
  g_autofree char *n = g_malloc0 (name_length + 1);
  guint64 data_length;
  if (!read_all (fd, n, name_length, error) || !read_all (fd, &data_length, sizeof data_length, error))
    return FALSE;
  if (!cxr_limits_check_file_size (data_length, n, error))
    return FALSE;
  /* The file's bytes, in place: GDCM reads them from the mapping. */
  GBytes *d = cxr_dicom_memfd_map (data_fd, (gsize) data_length, error);
  if (d == NULL)
    return FALSE;
  *name = g_steal_pointer (&n);
  *data = d;
  return TRUE;
}

typedef struct {
  const guint8 *p;
  gsize left;
  gboolean ok;
} Cursor;

static gboolean
take (Cursor *c, void *out, gsize n)
{
  if (!c->ok || c->left < n)
    {
      c->ok = FALSE;
      if (out != NULL)
        memset (out, 0, n);
      return FALSE;
    }
  if (out != NULL)
    memcpy (out, c->p, n);
  c->p += n;
  c->left -= n;
  return TRUE;
}

static gint32
take_i32 (Cursor *c)
{
  gint32 v;
  take (c, &v, sizeof v);
  return v;
}

static double
take_double (Cursor *c)
{
  double v;
  take (c, &v, sizeof v);
  return v;
}

static char *
take_string (Cursor *c)
{
  guint32 n;
  if (!take (c, &n, sizeof n) || n == NO_STRING)
    return NULL;
  if (n > MAX_STRING || n > c->left || memchr (c->p, '\0', n) != NULL)
    {
      c->ok = FALSE;
      return NULL;
    }
  char *s = g_strndup ((const char *) c->p, n);
  take (c, NULL, n);
  return s;
}

gboolean
cxr_dicom_wire_reply_length (const guint8 *head, guint64 *total)
{
  guint64 body_length;
  memcpy (&body_length, head + 8, sizeof body_length);
  if (memcmp (head, REPLY_MAGIC, 8) != 0 || body_length > G_MAXUINT64 - CXR_DICOM_WIRE_REPLY_HEAD)
    return FALSE;
  *total = CXR_DICOM_WIRE_REPLY_HEAD + body_length;
  return TRUE;
}

static gboolean
in_range (gint32 v, gint32 low, gint32 high)
{
  return v >= low && v <= high;
}

gboolean
cxr_dicom_wire_parse_reply (const guint8 *reply, gsize length, int values_fd, const char *name,
                            CxrDicomImage **out, GError **error)
{
  *out = NULL;
  Cursor c = { reply, length, TRUE };
  char magic[8];
  guint64 body_length = 0;
  guint8 ok = 0;
  take (&c, magic, sizeof magic);
  take (&c, &body_length, sizeof body_length);
  gboolean whole = c.ok && body_length == c.left;
  gboolean cut = c.ok && body_length > c.left;
  take (&c, &ok, 1);
  if (!c.ok || memcmp (magic, REPLY_MAGIC, 8) != 0 || ok > 1)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder gave no answer", name);
      return FALSE;
    }
  if (!ok)
    {
      gint32 code = take_i32 (&c);
      g_autofree char *message = take_string (&c);
      if (!c.ok || !whole || message == NULL || !in_range (code, CXR_ERROR_FAILED, CXR_ERROR_LIMIT))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's answer is damaged", name);
          return FALSE;
        }
      g_set_error_literal (error, CXR_ERROR, code, message);
      return FALSE;
    }

  g_autoptr (CxrDicomImage) image = g_new0 (CxrDicomImage, 1);
  image->width = take_i32 (&c);
  image->height = take_i32 (&c);
  image->frames = take_i32 (&c);
  image->samples_per_pixel = take_i32 (&c);
  image->bits_allocated = take_i32 (&c);
  image->bits_stored = take_i32 (&c);
  image->pixel_representation = take_i32 (&c);
  image->photometric = take_string (&c);
  image->monochrome1 = take_i32 (&c) != 0;
  image->colour = take_i32 (&c) != 0;
  image->rescale_slope = take_double (&c);
  image->rescale_intercept = take_double (&c);
  image->range_low = take_double (&c);
  image->range_high = take_double (&c);
  gint32 n_windows = take_i32 (&c);
  gboolean valid = c.ok && in_range (image->width, 1, CXR_LIMIT_IMAGE_SIDE)
                   && in_range (image->height, 1, CXR_LIMIT_IMAGE_SIDE)
                   && (gint64) image->width * image->height <= CXR_LIMIT_IMAGE_PIXELS
                   && in_range (image->bits_stored, 1, 32) && in_range (n_windows, 0, MAX_WINDOWS);
  if (valid)
    {
      image->windows = g_new0 (CxrDicomWindow, n_windows + 1);
      for (; image->n_windows < n_windows && c.ok; image->n_windows++)
        {
          CxrDicomWindow *w = &image->windows[image->n_windows];
          w->center = take_double (&c);
          w->width = take_double (&c);
          w->explanation = take_string (&c);
        }
      image->voi_function = (CxrDicomVoiFunction) take_i32 (&c);
      image->has_voi_lut = take_i32 (&c) != 0;
      valid = c.ok && in_range ((gint32) image->voi_function, CXR_DICOM_VOI_LINEAR, CXR_DICOM_VOI_SIGMOID);
    }
  if (valid && image->has_voi_lut)
    {
      image->voi_lut_entries = take_i32 (&c);
      image->voi_lut_first = take_double (&c);
      image->voi_lut_bits = take_i32 (&c);
      valid = c.ok && in_range (image->voi_lut_entries, 1, 65536) && in_range (image->voi_lut_bits, 1, 16);
      if (valid)
        {
          image->voi_lut_data = g_new (guint16, image->voi_lut_entries);
          take (&c, image->voi_lut_data, (gsize) image->voi_lut_entries * sizeof (guint16));
          image->voi_lut_explanation = take_string (&c);
        }
    }
  if (valid)
    {
      image->spacing_row_mm = take_double (&c);
      image->spacing_column_mm = take_double (&c);
      gint32 source = take_i32 (&c);
      valid = in_range (source, 0, G_N_ELEMENTS (spacing_sources) - 1);
      image->spacing_source = valid ? spacing_sources[source] : NULL;
      image->sop_class_uid = take_string (&c);
      image->sop_instance_uid = take_string (&c);
      image->modality = take_string (&c);
      image->transfer_syntax_uid = take_string (&c);
      image->transfer_syntax_name = take_string (&c);
      image->patient_name = take_string (&c);
      image->patient_id = take_string (&c);
      image->patient_birth_date = take_string (&c);
    }
  guint64 values_bytes = 0;
  take (&c, &values_bytes, sizeof values_bytes);
  gsize n = valid ? (gsize) image->width * image->height : 0;
  if (!valid || !c.ok || !whole || c.left != 0 || values_bytes != n * sizeof (float))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's answer is %s", name,
                   cut ? "cut short" : "damaged");
      return FALSE;
    }
  /* Its size is within the image limit (checked above); the values file must hold exactly that many floats. */
  image->values = cxr_alloc_floats (n);
  if (!cxr_dicom_memfd_read_exact (values_fd, image->values, n * sizeof (float)))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's values are missing or cut short",
                   name);
      return FALSE;
    }
  *out = g_steal_pointer (&image);
  return TRUE;
}

gboolean
cxr_dicom_wire_parse_directory_reply (const guint8 *reply, gsize length, const char *name, GPtrArray **files,
                                      GPtrArray **uids, GError **error)
{
  Cursor c = { reply, length, TRUE };
  char magic[8];
  guint64 body_length = 0;
  guint8 ok = 0;
  take (&c, magic, sizeof magic);
  take (&c, &body_length, sizeof body_length);
  gboolean whole = c.ok && body_length == c.left;
  take (&c, &ok, 1);
  if (!c.ok || !whole || memcmp (magic, REPLY_MAGIC, 8) != 0 || ok > 1)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder gave no answer", name);
      return FALSE;
    }
  if (!ok)
    {
      gint32 code = take_i32 (&c);
      g_autofree char *message = take_string (&c);
      if (!c.ok || message == NULL || !in_range (code, CXR_ERROR_FAILED, CXR_ERROR_LIMIT))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's answer is damaged", name);
          return FALSE;
        }
      g_set_error_literal (error, CXR_ERROR, code, message);
      return FALSE;
    }
  gint32 n = take_i32 (&c);
  g_autoptr (GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) u = g_ptr_array_new_with_free_func (g_free);
  /* Each record takes at least 8 bytes here. */
  if (c.ok && n >= 0 && (gsize) n <= c.left / 8)
    for (gint32 i = 0; i < n && c.ok; i++)
      {
        char *file = take_string (&c);
        char *uid = take_string (&c);
        g_ptr_array_add (f, file != NULL ? file : g_strdup (""));
        g_ptr_array_add (u, uid != NULL ? uid : g_strdup (""));
      }
  if (!c.ok || n < 0 || f->len != (guint) n || c.left != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the DICOM decoder's answer is damaged", name);
      return FALSE;
    }
  *files = g_steal_pointer (&f);
  *uids = g_steal_pointer (&u);
  return TRUE;
}
