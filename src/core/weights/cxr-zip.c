/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-zip.h"

#include <string.h>
#include <zlib.h>

#include "cxr-error.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"

/* Record signatures and fixed sizes from PKWARE's APPNOTE.TXT. */
#define SIG_LOCAL            0x04034b50u
#define SIG_CENTRAL          0x02014b50u
#define SIG_END              0x06054b50u
#define SIG_END64            0x06064b50u
#define SIG_END64_LOCATOR    0x07064b50u
#define SIG_DATA_DESCRIPTOR  0x08074b50u
#define LOCAL_HEADER_SIZE    30
#define CENTRAL_HEADER_SIZE  46
#define END_SIZE             22
#define END64_SIZE           56
#define END64_LOCATOR_SIZE   20
#define EXTRA_ZIP64          0x0001
#define METHOD_STORED        0
#define METHOD_DEFLATED      8
#define FLAG_ENCRYPTED       0x0001
#define MAX_COMMENT          0xffff
/* Deflate cannot compress better than about 1032:1; a larger claim is corrupt. */
#define MAX_DEFLATE_RATIO    1032

static inline guint16
get_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static inline guint64
get_u64 (const guint8 *p)
{
  return (guint64) get_u32 (p) | ((guint64) get_u32 (p + 4) << 32);
}

/* ------------------------------------------------------------------------------------------------ */
/* Reading                                                                                          */

typedef struct {
  char *name;
  guint16 flags;
  guint16 method;
  guint32 crc;
  guint64 compressed_size;
  guint64 size;
  guint64 local_offset;
} ZipEntry;

struct _CxrZipReader {
  char *name;             /* for messages: the file path */
  GBytes *bytes;          /* the whole archive (mapped or given) */
  const guint8 *data;
  gsize length;
  GArray *entries;        /* ZipEntry */
  GHashTable *by_name;    /* borrowed name -> index + 1 */
  CxrLimitBudget inflated;  /* what deflated entries may expand to, all together */
};

static void
zip_entry_clear (gpointer p)
{
  g_free (((ZipEntry *) p)->name);
}

void
cxr_zip_reader_free (CxrZipReader *zip)
{
  if (zip == NULL)
    return;
  g_clear_pointer (&zip->by_name, g_hash_table_unref);
  g_clear_pointer (&zip->entries, g_array_unref);
  g_clear_pointer (&zip->bytes, g_bytes_unref);
  g_free (zip->name);
  g_free (zip);
}

static gboolean
corrupt (GError **error, const CxrZipReader *zip, const char *detail)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: corrupt zip archive: %s", zip->name, detail);
  return FALSE;
}

/* The end-of-central-directory record is the last thing in the file, followed only by its comment. */
static gboolean
find_end_record (const CxrZipReader *zip, gsize *end_offset, GError **error)
{
  if (zip->length >= END_SIZE)
    {
      gsize lowest = zip->length > END_SIZE + MAX_COMMENT ? zip->length - END_SIZE - MAX_COMMENT : 0;
      for (gsize pos = zip->length - END_SIZE + 1; pos-- > lowest;)
        {
          const guint8 *p = zip->data + pos;
          if (get_u32 (p) == SIG_END && pos + END_SIZE + get_u16 (p + 20) <= zip->length)
            {
              *end_offset = pos;
              return TRUE;
            }
        }
    }

  if (zip->length >= 4 && get_u32 (zip->data) == SIG_LOCAL)
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
                 "%s is truncated: the zip archive's end record is missing (the file has %" G_GSIZE_FORMAT
                 " bytes; was the download or copy interrupted?)", zip->name, zip->length);
  else
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s is not a zip archive (no end of central directory record)",
                 zip->name);
  return FALSE;
}

typedef struct {
  guint64 n_entries;
  guint64 directory_size;
  guint64 directory_offset;
  gsize directory_limit;   /* the directory must end before this offset */
} ZipDirectoryInfo;

static gboolean
read_end_records (const CxrZipReader *zip, ZipDirectoryInfo *info, GError **error)
{
  gsize end;
  if (!find_end_record (zip, &end, error))
    return FALSE;

  const guint8 *p = zip->data + end;
  if (get_u16 (p + 4) != 0 || get_u16 (p + 6) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: multi-volume zip archives are not supported", zip->name);
      return FALSE;
    }
  info->n_entries = get_u16 (p + 10);
  info->directory_size = get_u32 (p + 12);
  info->directory_offset = get_u32 (p + 16);
  info->directory_limit = end;

  /* zip64: a locator right before the end record points at the 64-bit end record. */
  if (end >= END64_LOCATOR_SIZE && get_u32 (p - END64_LOCATOR_SIZE) == SIG_END64_LOCATOR)
    {
      guint64 end64 = get_u64 (p - END64_LOCATOR_SIZE + 8);
      if (end64 > end - END64_LOCATOR_SIZE || end - END64_LOCATOR_SIZE - end64 < END64_SIZE
          || get_u32 (zip->data + end64) != SIG_END64)
        return corrupt (error, zip, "the zip64 end record locator points outside the archive");
      const guint8 *q = zip->data + end64;
      info->n_entries = get_u64 (q + 32);
      info->directory_size = get_u64 (q + 40);
      info->directory_offset = get_u64 (q + 48);
      info->directory_limit = end64;
    }
  else if (info->n_entries == 0xffff || info->directory_size == 0xffffffff || info->directory_offset == 0xffffffff)
    return corrupt (error, zip, "the end record needs zip64 values but there is no zip64 end record");

  if (info->directory_offset > info->directory_limit
      || info->directory_size > info->directory_limit - info->directory_offset)
    {
      g_autofree char *detail = g_strdup_printf ("the central directory (offset %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                                                 " bytes) lies outside the archive",
                                                 info->directory_offset, info->directory_size);
      return corrupt (error, zip, detail);
    }
  if (info->n_entries > info->directory_size / CENTRAL_HEADER_SIZE)
    return corrupt (error, zip, "the end record claims more entries than the central directory can hold");
  return TRUE;
}

/* Replaces the 32-bit fields that overflowed (all ones) with those of the zip64 extra field. */
static gboolean
apply_zip64_extra (const CxrZipReader *zip, ZipEntry *entry, const guint8 *extra, gsize extra_length,
                   gboolean size_overflow, gboolean compressed_overflow, gboolean offset_overflow, GError **error)
{
  gsize pos = 0;
  while (pos + 4 <= extra_length)
    {
      guint16 id = get_u16 (extra + pos);
      guint16 length = get_u16 (extra + pos + 2);
      if (pos + 4 + length > extra_length)
        break;
      if (id == EXTRA_ZIP64)
        {
          const guint8 *field = extra + pos + 4;
          gsize needed = 8 * (size_overflow + compressed_overflow + offset_overflow);
          if (length < needed)
            return corrupt (error, zip, "a zip64 extra field is too short");
          if (size_overflow)
            entry->size = get_u64 (field), field += 8;
          if (compressed_overflow)
            entry->compressed_size = get_u64 (field), field += 8;
          if (offset_overflow)
            entry->local_offset = get_u64 (field);
          return TRUE;
        }
      pos += 4 + length;
    }
  if (size_overflow || compressed_overflow || offset_overflow)
    return corrupt (error, zip, "an entry needs a zip64 extra field but has none");
  return TRUE;
}

static gboolean
read_central_directory (CxrZipReader *zip, const ZipDirectoryInfo *info, GError **error)
{
  const guint8 *p = zip->data + info->directory_offset;
  const guint8 *end = p + info->directory_size;

  for (guint64 i = 0; i < info->n_entries; i++)
    {
      if (end - p < CENTRAL_HEADER_SIZE || get_u32 (p) != SIG_CENTRAL)
        return corrupt (error, zip, "bad central directory entry");
      guint16 name_length = get_u16 (p + 28);
      guint16 extra_length = get_u16 (p + 30);
      guint16 comment_length = get_u16 (p + 32);
      if ((gsize) (end - p) < (gsize) CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length)
        return corrupt (error, zip, "a central directory entry runs past the directory");

      ZipEntry entry = {
        .name = g_strndup ((const char *) p + CENTRAL_HEADER_SIZE, name_length),
        .flags = get_u16 (p + 8),
        .method = get_u16 (p + 10),
        .crc = get_u32 (p + 16),
        .compressed_size = get_u32 (p + 20),
        .size = get_u32 (p + 24),
        .local_offset = get_u32 (p + 42),
      };
      g_array_append_val (zip->entries, entry);
      if (!apply_zip64_extra (zip, &g_array_index (zip->entries, ZipEntry, zip->entries->len - 1),
                              p + CENTRAL_HEADER_SIZE + name_length, extra_length,
                              entry.size == 0xffffffff, entry.compressed_size == 0xffffffff,
                              entry.local_offset == 0xffffffff, error))
        return FALSE;

      /* A later duplicate name wins, as in Python's zipfile. */
      g_hash_table_insert (zip->by_name, g_array_index (zip->entries, ZipEntry, zip->entries->len - 1).name,
                           GUINT_TO_POINTER (zip->entries->len));
      p += CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length;
    }
  return TRUE;
}

CxrZipReader *
cxr_zip_reader_new_from_bytes (GBytes *bytes, const char *display_name, GError **error)
{
  g_autoptr (CxrZipReader) zip = g_new0 (CxrZipReader, 1);
  zip->name = g_strdup (display_name);
  zip->bytes = g_bytes_ref (bytes);
  zip->data = g_bytes_get_data (bytes, &zip->length);
  zip->entries = g_array_new (FALSE, TRUE, sizeof (ZipEntry));
  g_array_set_clear_func (zip->entries, zip_entry_clear);
  zip->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  cxr_limit_budget_init (&zip->inflated, zip->name, zip->length);

  ZipDirectoryInfo info;
  if (!read_end_records (zip, &info, error) || !read_central_directory (zip, &info, error))
    return NULL;
  return g_steal_pointer (&zip);
}

CxrZipReader *
cxr_zip_reader_open (const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = cxr_input_file_map (path, error);
  if (bytes == NULL)
    return NULL;
  return cxr_zip_reader_new_from_bytes (bytes, path, error);
}

guint64
cxr_zip_reader_get_size (const CxrZipReader *zip)
{
  return zip->length;
}

const char *
cxr_zip_reader_get_name (const CxrZipReader *zip)
{
  return zip->name;
}

guint
cxr_zip_reader_get_n_entries (const CxrZipReader *zip)
{
  return zip->entries->len;
}

const char *
cxr_zip_reader_get_entry_name (const CxrZipReader *zip, guint index)
{
  g_return_val_if_fail (index < zip->entries->len, NULL);
  return g_array_index (zip->entries, ZipEntry, index).name;
}

static const ZipEntry *
lookup_entry (const CxrZipReader *zip, const char *entry_name)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (zip->by_name, entry_name));
  return index ? &g_array_index (zip->entries, ZipEntry, index - 1) : NULL;
}

gboolean
cxr_zip_reader_contains (const CxrZipReader *zip, const char *entry_name)
{
  return lookup_entry (zip, entry_name) != NULL;
}

gint64
cxr_zip_reader_get_entry_size (const CxrZipReader *zip, const char *entry_name)
{
  const ZipEntry *entry = lookup_entry (zip, entry_name);
  return entry ? (gint64) MIN (entry->size, (guint64) G_MAXINT64) : -1;
}

static gboolean
entry_error (GError **error, CxrErrorCode code, const CxrZipReader *zip, const ZipEntry *entry, const char *detail)
{
  g_set_error (error, CXR_ERROR, code, "%s: zip entry '%s' %s", zip->name, entry->name, detail);
  return FALSE;
}

static guint32
crc32_of (const guint8 *data, gsize length)
{
  return (guint32) crc32_z (crc32_z (0, Z_NULL, 0), data, length);
}

static GBytes *
inflate_entry (CxrZipReader *zip, const ZipEntry *entry, const guint8 *compressed, GError **error)
{
  if (entry->size > (entry->compressed_size + 1) * MAX_DEFLATE_RATIO || entry->size > G_MAXSIZE / 2)
    {
      entry_error (error, CXR_ERROR_FORMAT, zip, entry, "claims an impossible uncompressed size");
      return NULL;
    }
  /* A zip bomb (a 4 MB checkpoint of four deflated 1 GB storages once took 8.4 GB) stops here, before the
   * first byte is allocated. */
  g_autofree char *what = g_strdup_printf ("zip entry '%s'", entry->name);
  if (!cxr_limit_budget_claim (&zip->inflated, entry->size, 1, what, error))
    return NULL;

  gsize size = (gsize) entry->size;
  g_autofree guint8 *out = g_malloc (MAX (size, 1));
  z_stream stream = { 0 };
  if (inflateInit2 (&stream, -MAX_WBITS) != Z_OK)
    {
      entry_error (error, CXR_ERROR_FAILED, zip, entry, "could not start zlib");
      return NULL;
    }

  /* zlib counts in uInt; feed and drain in pieces so entries over 4 GiB work. */
  gsize in_left = (gsize) entry->compressed_size, out_done = 0;
  const guint8 *in = compressed;
  int rc = Z_OK;
  while (rc == Z_OK)
    {
      if (stream.avail_in == 0)
        {
          stream.next_in = (Bytef *) in;
          stream.avail_in = (uInt) MIN (in_left, (gsize) G_MAXUINT32);
          in += stream.avail_in;
          in_left -= stream.avail_in;
        }
      stream.next_out = out + out_done;
      stream.avail_out = (uInt) MIN (size - out_done, (gsize) G_MAXUINT32);
      gsize before = stream.avail_out;
      rc = inflate (&stream, Z_NO_FLUSH);
      out_done += before - stream.avail_out;
      if (rc == Z_BUF_ERROR && stream.avail_in == 0 && in_left == 0)
        break;  /* input exhausted before the end of the stream */
      if (rc == Z_BUF_ERROR && out_done < size)
        rc = Z_OK;
    }
  inflateEnd (&stream);

  if (rc != Z_STREAM_END)
    {
      entry_error (error, CXR_ERROR_FORMAT, zip, entry,
                   rc == Z_DATA_ERROR ? "has corrupt deflate data" : "has truncated or oversized deflate data");
      return NULL;
    }
  if (out_done != size)
    {
      entry_error (error, CXR_ERROR_FORMAT, zip, entry, "inflates to a different size than recorded");
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&out), size);
}

GBytes *
cxr_zip_reader_read (CxrZipReader *zip, const char *entry_name, GError **error)
{
  const ZipEntry *entry = lookup_entry (zip, entry_name);
  if (entry == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the archive has no entry '%s'", zip->name, entry_name);
      return NULL;
    }
  if (entry->flags & FLAG_ENCRYPTED)
    {
      entry_error (error, CXR_ERROR_UNSUPPORTED, zip, entry, "is encrypted");
      return NULL;
    }
  if (entry->method != METHOD_STORED && entry->method != METHOD_DEFLATED)
    {
      g_autofree char *detail = g_strdup_printf ("uses compression method %u (only stored and deflated are supported)",
                                                 entry->method);
      entry_error (error, CXR_ERROR_UNSUPPORTED, zip, entry, detail);
      return NULL;
    }

  /* The local header may carry a different extra field than the central directory: read its lengths. */
  if (entry->local_offset > zip->length || zip->length - entry->local_offset < LOCAL_HEADER_SIZE
      || get_u32 (zip->data + entry->local_offset) != SIG_LOCAL)
    {
      g_autofree char *detail = g_strdup_printf ("has no local header at byte %" G_GUINT64_FORMAT, entry->local_offset);
      entry_error (error, CXR_ERROR_FORMAT, zip, entry, detail);
      return NULL;
    }
  const guint8 *local = zip->data + entry->local_offset;
  guint64 data_offset = entry->local_offset + LOCAL_HEADER_SIZE + get_u16 (local + 26) + get_u16 (local + 28);
  if (data_offset > zip->length || zip->length - data_offset < entry->compressed_size)
    {
      g_autofree char *detail = g_strdup_printf ("is truncated: its %" G_GUINT64_FORMAT " bytes at offset %"
                                                 G_GUINT64_FORMAT " run past the end of the file (%" G_GSIZE_FORMAT
                                                 " bytes)", entry->compressed_size, data_offset, zip->length);
      entry_error (error, CXR_ERROR_FORMAT, zip, entry, detail);
      return NULL;
    }

  g_autoptr (GBytes) contents = NULL;
  if (entry->method == METHOD_STORED)
    {
      if (entry->compressed_size != entry->size)
        {
          entry_error (error, CXR_ERROR_FORMAT, zip, entry, "is stored but its two recorded sizes differ");
          return NULL;
        }
      contents = g_bytes_new_from_bytes (zip->bytes, (gsize) data_offset, (gsize) entry->size);
    }
  else
    {
      contents = inflate_entry (zip, entry, zip->data + data_offset, error);
      if (contents == NULL)
        return NULL;
    }

  gsize length;
  const guint8 *data = g_bytes_get_data (contents, &length);
  guint32 crc = crc32_of (data, length);
  if (crc != entry->crc)
    {
      g_autofree char *detail = g_strdup_printf ("fails its CRC-32 check (recorded %08x, computed %08x): the file is "
                                                 "damaged", entry->crc, crc);
      entry_error (error, CXR_ERROR_FORMAT, zip, entry, detail);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* ------------------------------------------------------------------------------------------------ */
/* Writing                                                                                          */

/* PyTorch aligns each record's data to 64 bytes so that storages can be memory-mapped. */
#define WRITER_ALIGNMENT 64
#define ZIP32_LIMIT      0xffffffffu

typedef struct {
  char *name;
  guint32 crc;
  guint64 size;
  guint64 local_offset;
} WrittenEntry;

struct _CxrZipWriter {
  CxrAtomicFile *out;   /* borrowed */
  GArray *entries;      /* WrittenEntry */
  gboolean in_entry;
  guint32 crc;
  guint64 entry_size;
};

static void
written_entry_clear (gpointer p)
{
  g_free (((WrittenEntry *) p)->name);
}

CxrZipWriter *
cxr_zip_writer_new (CxrAtomicFile *out)
{
  CxrZipWriter *zip = g_new0 (CxrZipWriter, 1);
  zip->out = out;
  zip->entries = g_array_new (FALSE, TRUE, sizeof (WrittenEntry));
  g_array_set_clear_func (zip->entries, written_entry_clear);
  return zip;
}

void
cxr_zip_writer_free (CxrZipWriter *zip)
{
  if (zip == NULL)
    return;
  g_array_unref (zip->entries);
  g_free (zip);
}

static void
put_u16 (GByteArray *b, guint16 v)
{
  guint8 bytes[2] = { v & 0xff, v >> 8 };
  g_byte_array_append (b, bytes, 2);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint8 bytes[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append (b, bytes, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  put_u32 (b, (guint32) v);
  put_u32 (b, (guint32) (v >> 32));
}

static gboolean
write_bytes (CxrZipWriter *zip, GByteArray *b, GError **error)
{
  return cxr_atomic_file_write (zip->out, b->data, b->len, error);
}

static gboolean
too_large (GError **error)
{
  g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "cannot write zip archives over 4 GiB");
  return FALSE;
}

gboolean
cxr_zip_writer_begin_entry (CxrZipWriter *zip, const char *entry_name, GError **error)
{
  g_return_val_if_fail (!zip->in_entry, FALSE);

  gsize name_length = strlen (entry_name);
  guint64 offset = cxr_atomic_file_offset (zip->out);
  if (name_length > 0xffff || offset >= ZIP32_LIMIT)
    return too_large (error);

  /* Padding so the data starts on the alignment: an "FB" extra field of 'Z's, as PyTorch writes. */
  guint64 start = offset + LOCAL_HEADER_SIZE + name_length + 4;
  gsize padding = (WRITER_ALIGNMENT - start % WRITER_ALIGNMENT) % WRITER_ALIGNMENT;

  g_autoptr (GByteArray) header = g_byte_array_new ();
  put_u32 (header, SIG_LOCAL);
  put_u16 (header, 0);       /* version needed, as miniz writes it */
  put_u16 (header, 0x0808);  /* data descriptor follows; UTF-8 names */
  put_u16 (header, METHOD_STORED);
  put_u16 (header, 0);       /* time */
  put_u16 (header, 0);       /* date */
  put_u32 (header, 0);       /* crc, in the data descriptor */
  put_u32 (header, 0);       /* compressed size, likewise */
  put_u32 (header, 0);       /* size, likewise */
  put_u16 (header, (guint16) name_length);
  put_u16 (header, (guint16) (4 + padding));
  g_byte_array_append (header, (const guint8 *) entry_name, name_length);
  g_byte_array_append (header, (const guint8 *) "FB", 2);
  put_u16 (header, (guint16) padding);
  for (gsize i = 0; i < padding; i++)
    g_byte_array_append (header, (const guint8 *) "Z", 1);
  if (!write_bytes (zip, header, error))
    return FALSE;

  WrittenEntry entry = { .name = g_strdup (entry_name), .local_offset = offset };
  g_array_append_val (zip->entries, entry);
  zip->in_entry = TRUE;
  zip->crc = crc32_z (0, Z_NULL, 0);
  zip->entry_size = 0;
  return TRUE;
}

gboolean
cxr_zip_writer_write (CxrZipWriter *zip, const void *data, gsize length, GError **error)
{
  g_return_val_if_fail (zip->in_entry, FALSE);

  if (zip->entry_size + length >= ZIP32_LIMIT)
    return too_large (error);
  zip->crc = (guint32) crc32_z (zip->crc, data, length);
  zip->entry_size += length;
  return cxr_atomic_file_write (zip->out, data, length, error);
}

gboolean
cxr_zip_writer_end_entry (CxrZipWriter *zip, GError **error)
{
  g_return_val_if_fail (zip->in_entry, FALSE);

  WrittenEntry *entry = &g_array_index (zip->entries, WrittenEntry, zip->entries->len - 1);
  entry->crc = zip->crc;
  entry->size = zip->entry_size;
  zip->in_entry = FALSE;

  g_autoptr (GByteArray) descriptor = g_byte_array_new ();
  put_u32 (descriptor, SIG_DATA_DESCRIPTOR);
  put_u32 (descriptor, entry->crc);
  put_u32 (descriptor, (guint32) entry->size);
  put_u32 (descriptor, (guint32) entry->size);
  return write_bytes (zip, descriptor, error);
}

gboolean
cxr_zip_writer_add (CxrZipWriter *zip, const char *entry_name, const void *data, gsize length, GError **error)
{
  return cxr_zip_writer_begin_entry (zip, entry_name, error)
         && cxr_zip_writer_write (zip, data, length, error)
         && cxr_zip_writer_end_entry (zip, error);
}

gboolean
cxr_zip_writer_finish (CxrZipWriter *zip, GError **error)
{
  g_return_val_if_fail (!zip->in_entry, FALSE);

  guint64 directory_offset = cxr_atomic_file_offset (zip->out);
  g_autoptr (GByteArray) b = g_byte_array_new ();
  for (guint i = 0; i < zip->entries->len; i++)
    {
      const WrittenEntry *entry = &g_array_index (zip->entries, WrittenEntry, i);
      gsize name_length = strlen (entry->name);
      put_u32 (b, SIG_CENTRAL);
      put_u16 (b, 0);       /* version made by */
      put_u16 (b, 0);       /* version needed */
      put_u16 (b, 0x0808);
      put_u16 (b, METHOD_STORED);
      put_u16 (b, 0);       /* time */
      put_u16 (b, 0);       /* date */
      put_u32 (b, entry->crc);
      put_u32 (b, (guint32) entry->size);
      put_u32 (b, (guint32) entry->size);
      put_u16 (b, (guint16) name_length);
      put_u16 (b, 0);       /* extra */
      put_u16 (b, 0);       /* comment */
      put_u16 (b, 0);       /* disk */
      put_u16 (b, 0);       /* internal attributes */
      put_u32 (b, 0);       /* external attributes */
      put_u32 (b, (guint32) entry->local_offset);
      g_byte_array_append (b, (const guint8 *) entry->name, name_length);
    }
  guint64 directory_size = b->len;
  guint64 end64_offset = directory_offset + directory_size;
  if (end64_offset >= ZIP32_LIMIT)
    return too_large (error);

  /* miniz always writes the zip64 end record and locator; so does PyTorch, so we do too. */
  put_u32 (b, SIG_END64);
  put_u64 (b, END64_SIZE - 12);
  put_u16 (b, 0x031e);      /* made by: Unix, spec 3.0 */
  put_u16 (b, 0x002d);      /* needed: 4.5 (zip64) */
  put_u32 (b, 0);
  put_u32 (b, 0);
  put_u64 (b, zip->entries->len);
  put_u64 (b, zip->entries->len);
  put_u64 (b, directory_size);
  put_u64 (b, directory_offset);

  put_u32 (b, SIG_END64_LOCATOR);
  put_u32 (b, 0);
  put_u64 (b, end64_offset);
  put_u32 (b, 1);

  put_u32 (b, SIG_END);
  put_u16 (b, 0);
  put_u16 (b, 0);
  put_u16 (b, (guint16) MIN (zip->entries->len, 0xffff));
  put_u16 (b, (guint16) MIN (zip->entries->len, 0xffff));
  put_u32 (b, (guint32) directory_size);
  put_u32 (b, (guint32) directory_offset);
  put_u16 (b, 0);           /* comment */
  return write_bytes (zip, b, error);
}
