/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-atomic-file.h: the one way cxrcam writes a file: readers (and a crash) see the old contents or the new,
 * never a mix.
 *
 * The data goes to a temporary file in the destination's folder, named .<name>.cxrtmp-<pid>-XXXXXX; commit
 * flushes and fsyncs it, reads it back through an optional verify function (so that cxrcam never puts in place a
 * file it could not read), keeps the old version at an optional backup path (a hard link renamed into place, or a
 * copy where there are no hard links), renames the temporary file over the destination and fsyncs the folder so
 * that the rename survives a power cut. The new file keeps the old one's permissions; when the destination is a
 * symbolic link, the link stays and the file it points to is replaced; a destination that exists and is not a
 * regular file is refused. Freeing an uncommitted writer removes the temporary file and leaves the destination
 * untouched, so any failure on the way (a full disk, a bad tensor, a cancelled job) loses nothing.
 *
 * A process killed while writing leaves its temporary file behind; cxr_atomic_file_sweep() removes those of
 * processes that no longer exist, and is called whenever cxrcam opens a folder it writes into (a dataset's BB.csv
 * folder, a training run's folder, an output folder).
 */
#pragma once

#include <glib.h>

#include "cxr-crash-hooks.h"

G_BEGIN_DECLS

typedef struct _CxrAtomicFile CxrAtomicFile;

/* Called with the complete temporary file's contents before it replaces the destination; FALSE (with an error)
 * refuses the save and leaves the destination as it was. */
typedef gboolean (*CxrAtomicVerifyFunc) (GBytes *contents, const char *path, gpointer user_data, GError **error);

typedef struct {
  const char *backup_path;        /* keep the version being replaced here (NULL: no backup) */
  CxrAtomicVerifyFunc verify;     /* NULL: no read-back */
  gpointer verify_data;
  CxrCrashHooks *hooks;           /* the kill tests' crash points (NULL: none) */
} CxrAtomicOptions;

CxrAtomicFile *cxr_atomic_file_new      (const char *path, GError **error);
/* @options (copied; may be NULL) */
CxrAtomicFile *cxr_atomic_file_new_full (const char *path, const CxrAtomicOptions *options, GError **error);
/* Buffered; errors name the destination. */
gboolean       cxr_atomic_file_write    (CxrAtomicFile *file, const void *data, gsize length, GError **error);
/* Bytes written so far (the offset the next write lands at). */
guint64        cxr_atomic_file_offset   (const CxrAtomicFile *file);
/* The destination (after following a symbolic link). */
const char    *cxr_atomic_file_get_path (const CxrAtomicFile *file);
gboolean       cxr_atomic_file_commit   (CxrAtomicFile *file, GError **error);
/* Discards the temporary file unless committed. */
void           cxr_atomic_file_free     (CxrAtomicFile *file);

/* The whole of @data to @path atomically. */
gboolean       cxr_atomic_file_set_contents      (const char *path, const void *data, gsize length, GError **error);
gboolean       cxr_atomic_file_set_contents_full (const char *path, const void *data, gsize length,
                                                  const CxrAtomicOptions *options, GError **error);

/* Removes the temporary files of writers that died in @dir (the pattern above, for a process id that no longer
 * runs). Returns how many it removed; a folder that cannot be read is skipped silently. */
guint          cxr_atomic_file_sweep    (const char *dir);

/* fsync of a folder, so that a new name in it survives a power cut. File systems that cannot are not an error. */
gboolean       cxr_atomic_file_sync_dir (const char *dir, CxrCrashHooks *hooks, GError **error);

/* write() all of @data to @fd, retrying on EINTR and short writes; errors name @path. */
gboolean       cxr_write_all            (int fd, const void *data, gsize length, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrAtomicFile, cxr_atomic_file_free)

G_END_DECLS
