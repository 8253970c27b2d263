/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-framing.c: is every data element of a DICOM file complete, before GDCM reads it?
 *
 * Why this exists: Debian builds GDCM 3.0.21 with its assert()s on, and its reader's recovery paths for damaged
 * input assert that the stream is still good after a failed read. A file cut short in the middle of an element
 * (181 of the 739 cuts of JPEGLSNearLossless_16.dcm) aborts the whole program in gdcm::Reader. So the element
 * framing is walked here first: tags, value lengths, undefined-length sequences, items and their delimiters,
 * encapsulated fragments. Nothing is decoded or interpreted (GDCM does that); this only proves that each length
 * stays inside the data, so that GDCM never meets the end of the data in the middle of an element.
 */
#include "cxr-dicom-framing.h"

#include <string.h>

#include <zlib.h>

#include "cxr-error.h"
#include "cxr-limits.h"

#define MAX_DEPTH 32
#define UNDEFINED_LENGTH 0xffffffffu

typedef struct {
  const guint8 *data;
  gsize end;
  gboolean explicit_vr;
  gboolean big_endian;
} Walk;

static guint16
u16 (const Walk *w, gsize at)
{
  return w->big_endian ? (guint16) (w->data[at] << 8 | w->data[at + 1]) : (guint16) (w->data[at] | w->data[at + 1] << 8);
}

static guint32
u32 (const Walk *w, gsize at)
{
  const guint8 *p = w->data + at;
  return w->big_endian ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
                       : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

/* The VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 7.1.2). */
static gboolean
vr_has_long_length (const guint8 vr[2])
{
  static const char *const long_vrs[] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT",
                                          "UV" };
  for (gsize i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (vr[0] == long_vrs[i][0] && vr[1] == long_vrs[i][1])
      return TRUE;
  return FALSE;
}

static gboolean walk_dataset (const Walk *w, gsize *pos, gsize end, gboolean in_item, int depth);

/* Items of an undefined-length value, up to its sequence delimiter. Fragments of encapsulated pixel data are
 * skipped; the items of a sequence are data sets and walked. */
static gboolean
walk_items (const Walk *w, gsize *pos, gsize end, gboolean fragments, int depth)
{
  for (;;)
    {
      if (*pos + 8 > end)
        return FALSE;
      guint16 group = u16 (w, *pos), element = u16 (w, *pos + 2);
      guint32 length = u32 (w, *pos + 4);
      *pos += 8;
      if (group != 0xfffe)
        return FALSE;
      if (element == 0xe0dd)
        return TRUE;
      if (element != 0xe000)
        return FALSE;
      if (length == UNDEFINED_LENGTH)
        {
          if (fragments || !walk_dataset (w, pos, end, TRUE, depth + 1))
            return FALSE;
          continue;
        }
      if (length > end - *pos)
        return FALSE;
      gsize item_end = *pos + length;
      if (!fragments && !walk_dataset (w, pos, item_end, FALSE, depth + 1))
        return FALSE;
      *pos = item_end;
    }
}

/* Elements from *pos up to end (a defined-length data set) or up to an item delimiter (in_item). */
static gboolean
walk_dataset (const Walk *w, gsize *pos, gsize end, gboolean in_item, int depth)
{
  if (depth > MAX_DEPTH)
    return FALSE;
  while (*pos < end)
    {
      if (*pos + 8 > end)
        return FALSE;
      guint16 group = u16 (w, *pos), element = u16 (w, *pos + 2);
      if (group == 0xfffe && element == 0xe00d)
        {
          *pos += 8;
          return in_item;
        }
      guint32 length;
      gboolean sequence = FALSE;
      const guint8 *vr = w->data + *pos + 4;
      if (w->explicit_vr && group != 0xfffe)
        {
          if (vr_has_long_length (vr))
            {
              if (*pos + 12 > end)
                return FALSE;
              length = u32 (w, *pos + 8);
              *pos += 12;
              sequence = vr[0] == 'S' && vr[1] == 'Q';
            }
          else
            {
              length = u16 (w, *pos + 6);
              *pos += 8;
            }
        }
      else
        {
          length = u32 (w, *pos + 4);
          *pos += 8;
        }
      gboolean pixel_data = group == 0x7fe0 && element == 0x0010;
      if (length == UNDEFINED_LENGTH)
        {
          if (!walk_items (w, pos, end, pixel_data, depth))
            return FALSE;
          continue;
        }
      if (length > end - *pos)
        return FALSE;
      if (sequence)
        {
          gsize value_end = *pos + length;
          if (!walk_items (w, pos, value_end, FALSE, depth) && *pos != value_end)
            return FALSE;
          *pos = value_end;
          continue;
        }
      *pos += length;
    }
  return !in_item;
}

/* Walks the File Meta Information of a Part 10 file: where the data set starts and its transfer syntax UID
 * ("" when absent). FALSE when the data is not a Part 10 file or its meta group runs past the end. */
static gboolean
walk_meta (const guint8 *data, gsize length, gsize *dataset_at, char ts[65])
{
  Walk w = { .data = data, .end = length, .explicit_vr = TRUE, .big_endian = FALSE };
  ts[0] = '\0';
  if (length < 132 || memcmp (data + 128, "DICM", 4) != 0)
    return FALSE;
  gsize pos = 132;
  while (pos + 8 <= length && u16 (&w, pos) == 0x0002)
    {
      guint16 element = u16 (&w, pos + 2);
      const guint8 *vr = data + pos + 4;
      guint32 value_length;
      gsize header = 8;
      if (vr_has_long_length (vr))
        {
          if (pos + 12 > length)
            return FALSE;
          value_length = u32 (&w, pos + 8);
          header = 12;
        }
      else
        value_length = u16 (&w, pos + 6);
      if (value_length > length - pos - header)
        return FALSE;
      if (element == 0x0010 && value_length < 65)
        {
          memcpy (ts, data + pos + header, value_length);
          ts[value_length] = '\0';
          g_strchomp (ts);  /* UI values are padded with a NUL, which ends the string already */
        }
      pos += header + value_length;
    }
  *dataset_at = pos;
  return TRUE;
}

gboolean
cxr_dicom_framing_complete (const guint8 *data, gsize length)
{
  Walk w = { .data = data, .end = length, .explicit_vr = TRUE, .big_endian = FALSE };
  gsize pos = 0;
  char ts[65];
  if (walk_meta (data, length, &pos, ts))
    {
      if (strcmp (ts, CXR_DICOM_DEFLATED_UID) == 0)
        return FALSE;  /* inflate it first: cxr_dicom_inflate() */
      /* GDCM's meta reader reads the first element after the meta group as explicit VR little endian, whatever
       * the transfer syntax, and allocates its value before it looks at the group: that length must fit too
       * (fuzz-dicom: a 4 GB length there took 20 s of memset). */
      if (pos + 8 <= length && g_ascii_isupper (data[pos + 4]) && g_ascii_isupper (data[pos + 5]))
        {
          Walk le = { .data = data, .end = length, .explicit_vr = TRUE, .big_endian = FALSE };
          gboolean long_vr = vr_has_long_length (data + pos + 4);
          if (long_vr && pos + 12 > length)
            return FALSE;
          guint32 first_length = long_vr ? u32 (&le, pos + 8) : u16 (&le, pos + 6);
          if (first_length != UNDEFINED_LENGTH && first_length > length - pos - (long_vr ? 12 : 8))
            return FALSE;
        }
      w.explicit_vr = strcmp (ts, "1.2.840.10008.1.2") != 0;
      w.big_endian = strcmp (ts, "1.2.840.10008.1.2.2") == 0;
    }
  else if (length >= 132 && memcmp (data + 128, "DICM", 4) == 0)
    return FALSE;
  else if (length >= 8)
    {
      /* A bare data set: its encoding from its first element, as GDCM guesses it. */
      w.big_endian = data[0] == 0 && data[1] != 0;
      w.explicit_vr = g_ascii_isupper (data[4]) && g_ascii_isupper (data[5]);
    }
  if (!walk_dataset (&w, &pos, length, FALSE, 0))
    return FALSE;
  return pos == length;
}

gboolean
cxr_dicom_is_deflated (const guint8 *data, gsize length)
{
  gsize at;
  char ts[65];
  return walk_meta (data, length, &at, ts) && strcmp (ts, CXR_DICOM_DEFLATED_UID) == 0;
}

GBytes *
cxr_dicom_inflate (const guint8 *data, gsize length, const char *name, GError **error)
{
  gsize at = 0;
  char ts[65];
  if (!walk_meta (data, length, &at, ts) || strcmp (ts, CXR_DICOM_DEFLATED_UID) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a deflated DICOM file", name);
      return NULL;
    }
  z_stream z = { 0 };
  if (inflateInit2 (&z, -MAX_WBITS) != Z_OK)  /* raw deflate, PS3.5 A.5 */
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: could not set up zlib", name);
      return NULL;
    }
  g_autoptr (GByteArray) out = g_byte_array_new ();
  z.next_in = (Bytef *) (data + at);
  z.avail_in = (uInt) MIN (length - at, (gsize) G_MAXUINT);
  int status = Z_OK;
  while (status == Z_OK)
    {
      gsize done = out->len;
      if (!cxr_limits_check_file_size ((guint64) done + 65536, name, error))
        {
          inflateEnd (&z);
          return NULL;
        }
      g_byte_array_set_size (out, done + 65536);
      z.next_out = out->data + done;
      z.avail_out = 65536;
      status = inflate (&z, Z_NO_FLUSH);
      g_byte_array_set_size (out, done + 65536 - z.avail_out);
      if (status == Z_BUF_ERROR && z.avail_in == 0)
        break;
    }
  inflateEnd (&z);
  if (status != Z_STREAM_END)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the deflated DICOM data set is %s", name,
                   status == Z_BUF_ERROR || status == Z_OK ? "truncated" : "damaged");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Debian builds GDCM with its assert()s on, and a few of them sit on paths that damaged input reaches: a Part 10
 * file cut inside its File Meta Information aborts in gdcm::Reader (gdcmReader.cxx:385, assert (is.good ())
 * after a failed seek). The meta group's length (0002,0000), which PS3.10 7.1 requires first, must lie within
 * the data. */
static gboolean
check_meta_header (const guint8 *data, gsize length, const char *name, GError **error)
{
  if (length < 132 || memcmp (data + 128, "DICM", 4) != 0)
    return TRUE;
  static const guint8 group_length_tag[] = { 0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00 };
  if (length < 144 || memcmp (data + 132, group_length_tag, sizeof group_length_tag) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
                   "%s: not a DICOM image, or a damaged one (its File Meta Information does not start with its "
                   "group length)", name);
      return FALSE;
    }
  guint32 group_length = data[140] | (guint32) data[141] << 8 | (guint32) data[142] << 16 | (guint32) data[143] << 24;
  if ((guint64) group_length + 144 >= length)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the DICOM file is truncated in its File Meta Information",
                   name);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_dicom_precheck (const guint8 *data, gsize length, const char *name, GBytes **inflated, GError **error)
{
  g_return_val_if_fail (inflated != NULL && *inflated == NULL, FALSE);
  if (length == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image (the file is empty)", name);
      return FALSE;
    }
  g_autoptr (GBytes) bare = NULL;
  if (cxr_dicom_is_deflated (data, length))
    {
      bare = cxr_dicom_inflate (data, length, name, error);
      if (bare == NULL)
        return FALSE;
      data = g_bytes_get_data (bare, &length);
    }
  if (!check_meta_header (data, length, name, error))
    return FALSE;
  if (!cxr_dicom_framing_complete (data, length))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
                   "%s: not a DICOM image, or a damaged one: the file is truncated or an element runs past its end",
                   name);
      return FALSE;
    }
  *inflated = g_steal_pointer (&bare);
  return TRUE;
}
