/* cxr-bbox-file.h: the file operations that keep BB.csv and its sidecars safe.
 *
 * A file's identity is its size, mtime and SHA-256 at the moment it was read: a save compares it with the file on
 * disk to refuse overwriting somebody else's changes. A replacement is atomic: the new bytes go to a temporary
 * file in the same folder, which is fsync'd and renamed over the old one, and then the folder is fsync'd; a
 * reader (or a crash) sees the old file or the new one, never a mix.
 */
#pragma once

#include <glib.h>

#include "cxr-bbox-hooks.h"

G_BEGIN_DECLS

typedef struct {
  gboolean exists;
  gint64 size;
  gint64 mtime_ns;
  char sha256[65];   /* lowercase hex */
} CxrBBoxFileIdentity;

/* Reads a whole file through one descriptor, so that contents and identity describe the same bytes.
 * contents gets a NUL after its last byte. Files larger than max_size are refused (CXR_ERROR_FORMAT). */
gboolean cxr_bbox_file_read (const char *path, gsize max_size, char **contents, gsize *length,
                             CxrBBoxFileIdentity *identity, GError **error);

/* The identity of the file at path now; a missing file is { .exists = FALSE } and no error. */
gboolean cxr_bbox_file_identify (const char *path, CxrBBoxFileIdentity *identity, GError **error);

void cxr_bbox_file_sha256 (const void *data, gsize length, char sha256[65]);

/* Same existence, size and content. The mtime is left out on purpose: a file that was touched, or copied back
 * unchanged, holds nothing a save could destroy. */
gboolean cxr_bbox_file_identity_same_content (const CxrBBoxFileIdentity *a, const CxrBBoxFileIdentity *b);

/* Atomically replaces (or creates) path with data. When backup_path is non-NULL and path exists, its current
 * version is kept at backup_path first (a hard link, atomically renamed into place; a copy where the file system
 * has no hard links). The new file keeps the old one's permissions; when path is a symbolic link, the link stays
 * and the file it points to is replaced. On failure path is untouched and no temporary file is left behind.
 * hooks may be NULL. */
gboolean cxr_bbox_file_replace (const char *path, const void *data, gsize length, const char *backup_path,
                                CxrBBoxHooks *hooks, GError **error);

/* fsync of a folder, so that a rename or a new name in it survives a power cut. */
gboolean cxr_bbox_file_sync_dir (const char *dir, CxrBBoxHooks *hooks, GError **error);

/* write() all of data, retrying on EINTR and short writes. */
gboolean cxr_bbox_file_write_all (int fd, const void *data, gsize length, const char *path, GError **error);

G_END_DECLS
