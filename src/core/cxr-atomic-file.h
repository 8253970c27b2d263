/* cxr-atomic-file.h: write a file so that readers see either the old or the new contents, never a mix.
 *
 * The data goes to a temporary file in the destination's folder; commit flushes it, fsyncs it, renames it
 * over the destination and fsyncs the folder so the rename itself survives a crash. Freeing an uncommitted
 * writer removes the temporary file and leaves the destination untouched, so any failure on the way (a
 * full disk, a bad tensor, a cancelled job) loses nothing.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CxrAtomicFile CxrAtomicFile;

CxrAtomicFile *cxr_atomic_file_new    (const char *path, GError **error);
/* Buffered; errors name the destination. */
gboolean       cxr_atomic_file_write  (CxrAtomicFile *file, const void *data, gsize length, GError **error);
/* Bytes written so far (the offset the next write lands at). */
guint64        cxr_atomic_file_offset (const CxrAtomicFile *file);
gboolean       cxr_atomic_file_commit (CxrAtomicFile *file, GError **error);
/* Discards the temporary file unless committed. */
void           cxr_atomic_file_free   (CxrAtomicFile *file);

/* The whole of @data to @path atomically. */
gboolean       cxr_atomic_file_set_contents (const char *path, const void *data, gsize length, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrAtomicFile, cxr_atomic_file_free)

G_END_DECLS
