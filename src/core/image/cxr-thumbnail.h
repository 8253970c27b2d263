/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-thumbnail.h: small previews of X-rays (256 px on the long side by default), made on worker threads and
 * cached on disk.
 *
 * Cache: PNG files in a folder, g_get_user_cache_dir ()/cxrcam/thumbnails unless the caller names one, each
 * named by the SHA-256 of the source's absolute path, mtime (ns), size and the thumbnail size. A file that changes
 * gets a new name, so a stale thumbnail is never shown; old ones stay until the cache is cleaned (not done yet).
 * Cache files are written by rename, so a reader never sees half of one; a broken one is remade.
 *
 * Decoding uses gdk_pixbuf_new_from_file_at_scale (the JPEG loader decodes at reduced size; PNG is decoded and
 * then scaled).
 *
 * Threads: a thumbnailer owns a GThreadPool of two workers. Each request is a GTask with its own GCancellable;
 * its callback runs in the thread-default main context of the caller, like any GIO async call. A request
 * cancelled before its result is ready fails with G_IO_ERROR_CANCELLED. Each pending request holds a reference
 * to the thumbnailer, so dropping the caller's reference never loses a callback.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define CXR_THUMBNAIL_DEFAULT_SIZE 256

#define CXR_TYPE_THUMBNAILER (cxr_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (CxrThumbnailer, cxr_thumbnailer, CXR, THUMBNAILER, GObject)

/* cache_dir NULL: the user's cache folder; size 0: CXR_THUMBNAIL_DEFAULT_SIZE. */
CxrThumbnailer *cxr_thumbnailer_new (const char *cache_dir, guint size);
const char     *cxr_thumbnailer_get_cache_dir (CxrThumbnailer *thumbnailer);
guint           cxr_thumbnailer_get_size (CxrThumbnailer *thumbnailer);

/* Where the thumbnail of image_path is cached (whether or not it exists yet). */
char           *cxr_thumbnailer_dup_cache_path (CxrThumbnailer *thumbnailer, const char *image_path, GError **error);

void            cxr_thumbnailer_load_async (CxrThumbnailer *thumbnailer, const char *image_path,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
/* from_cache (may be NULL) says whether the thumbnail came from the cache. */
GdkPixbuf      *cxr_thumbnailer_load_finish (CxrThumbnailer *thumbnailer, GAsyncResult *result,
                                             gboolean *from_cache, GError **error);

/* Holds new requests back (those already queued or started go on) until as many releases as holds, then queues
 * them in order: the image a person opened gets the cores before the list's previews. From the thread that makes
 * the requests; a held request keeps the thumbnailer alive, so every hold needs its release. */
void            cxr_thumbnailer_hold    (CxrThumbnailer *thumbnailer);
void            cxr_thumbnailer_release (CxrThumbnailer *thumbnailer);

/* The same, blocking, on the calling thread (for the CLI and for workers). */
GdkPixbuf      *cxr_thumbnailer_load (CxrThumbnailer *thumbnailer, const char *image_path,
                                      GCancellable *cancellable, gboolean *from_cache, GError **error);

G_END_DECLS
