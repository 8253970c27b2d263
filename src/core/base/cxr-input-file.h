/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-input-file.h: opening the files cxrcam reads, safely.
 *
 * Only regular files are inputs: a FIFO would block open() or read() forever, a device (a symbolic link to
 * /dev/zero) would never end, a folder is a mistake. The file is opened without blocking and checked with fstat
 * on the same descriptor, so nothing can swap it in between. Files read whole are bounded by
 * cxr_limits_check_file_size before anything is allocated.
 *
 * A file's identity is its size, mtime and SHA-256 at the moment it was read: a save compares it with the file on
 * disk to refuse overwriting somebody else's changes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean exists;
  gint64 size;
  gint64 mtime_ns;
  char sha256[65];   /* lowercase hex */
} CxrFileIdentity;

/* A descriptor (O_RDONLY, O_CLOEXEC, blocking) of the regular file at @path, and its size. */
int      cxr_input_file_open (const char *path, guint64 *size, GError **error);

/* Reads a whole regular file through one descriptor, so that contents and identity describe the same bytes.
 * contents gets a NUL after its last byte. Files over @max_size bytes (0: the whole-file limit of cxr-limits.h)
 * are refused with CXR_ERROR_LIMIT. @identity may be NULL. */
gboolean cxr_input_file_read (const char *path, guint64 max_size, char **contents, gsize *length,
                              CxrFileIdentity *identity, GError **error);

/* Up to @size first bytes of the regular file at @path into @head (@length: fewer when the file is shorter), and
 * the file's size (@file_size may be NULL); FALSE with @error set when it cannot be opened or is no regular file.
 * For sniffing a format before choosing a reader. */
gboolean cxr_input_file_read_head (const char *path, guint8 *head, gsize size, gsize *length, guint64 *file_size,
                                   GError **error);

/* A regular file mapped into memory (read-only). */
GBytes  *cxr_input_file_map  (const char *path, GError **error);

/* The identity of the file at path now; a missing file is { .exists = FALSE } and no error. */
gboolean cxr_file_identify   (const char *path, CxrFileIdentity *identity, GError **error);
void     cxr_file_sha256     (const void *data, gsize length, char sha256[65]);
/* Same existence, size and content. The mtime is left out on purpose: a file that was touched, or copied back
 * unchanged, holds nothing a save could destroy. */
gboolean cxr_file_identity_same_content (const CxrFileIdentity *a, const CxrFileIdentity *b);

G_END_DECLS
