/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-zip.h: the zip container of PyTorch checkpoints, read and written.
 *
 * Reading: stored and deflated entries, zip64 end records and extra fields, CRC-32 checked on every read,
 * bounds checked everywhere so that a truncated or corrupt archive is an error, never a crash. The file is
 * memory-mapped; stored entries are returned without copying.
 *
 * Writing: what PyTorch's PyTorchStreamWriter (miniz) writes: stored entries whose data start on a 64-byte
 * boundary (padding in an "FB" extra field), a data descriptor after each entry, a zip64 end record and
 * locator, all timestamps zero. torch.load reads these files and they match torch.save byte for byte.
 */
#pragma once

#include <glib.h>

#include "cxr-atomic-file.h"

G_BEGIN_DECLS

typedef struct _CxrZipReader CxrZipReader;

CxrZipReader *cxr_zip_reader_open          (const char *path, GError **error);
/* @display_name is used in error messages. */
CxrZipReader *cxr_zip_reader_new_from_bytes (GBytes *bytes, const char *display_name, GError **error);
void          cxr_zip_reader_free          (CxrZipReader *zip);
const char   *cxr_zip_reader_get_name      (const CxrZipReader *zip);
/* The archive's size in bytes. */
guint64       cxr_zip_reader_get_size      (const CxrZipReader *zip);
guint         cxr_zip_reader_get_n_entries (const CxrZipReader *zip);
const char   *cxr_zip_reader_get_entry_name (const CxrZipReader *zip, guint index);
gboolean      cxr_zip_reader_contains      (const CxrZipReader *zip, const char *entry_name);
/* The uncompressed size recorded in the central directory, or -1 when absent. */
gint64        cxr_zip_reader_get_entry_size (const CxrZipReader *zip, const char *entry_name);
/* The contents of an entry, CRC checked. */
GBytes       *cxr_zip_reader_read          (CxrZipReader *zip, const char *entry_name, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrZipReader, cxr_zip_reader_free)

typedef struct _CxrZipWriter CxrZipWriter;

/* Writes into @out (borrowed); nothing is final until the caller commits @out. */
CxrZipWriter *cxr_zip_writer_new          (CxrAtomicFile *out);
void          cxr_zip_writer_free         (CxrZipWriter *zip);
/* Streaming: begin, any number of writes, end. */
gboolean      cxr_zip_writer_begin_entry  (CxrZipWriter *zip, const char *entry_name, GError **error);
gboolean      cxr_zip_writer_write        (CxrZipWriter *zip, const void *data, gsize length, GError **error);
gboolean      cxr_zip_writer_end_entry    (CxrZipWriter *zip, GError **error);
gboolean      cxr_zip_writer_add          (CxrZipWriter *zip, const char *entry_name,
                                           const void *data, gsize length, GError **error);
/* The central directory and end records. */
gboolean      cxr_zip_writer_finish       (CxrZipWriter *zip, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrZipWriter, cxr_zip_writer_free)

G_END_DECLS
