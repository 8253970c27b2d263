/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-memfd.h: the large parts of a DICOM decoder's request and reply (the file's bytes, the image's
 * floats) travel through two memory files (memfd_create) that cxrcam makes for each decoder and hands it as
 * fds 3 and 4, not through its pipes (cxr-dicom-decoder.h).
 *
 * Why: a 2500 x 3000 16-bit image is 15 MB in and 30 MB of floats out. Through a socket and a pipe that was
 * 45 MB in chunks of at most 1 MiB (a 208 KiB socket buffer in practice), each chunk a hand-off between the two
 * processes, each read landing in freshly faulted pages, and the values copied three times: 250-410 ms against
 * 13-26 ms for GDCM in-process on this machine at load 2.5 (page faults are dear in this VM: half the time went
 * to them). Now the request's file is filled with one pwrite and mapped by the decoder (MAP_POPULATE: its pages
 * mapped in one call, not one fault each), the decoder decodes straight into its mapping of the values file, and
 * cxrcam reads that with one pread; both files keep their pages from one image to the next.
 *
 * Safety: cxrcam never maps what a decoder wrote. It reads the values with pread, which a decoder that shrinks
 * the file while it is read can only make short (an error), never a SIGBUS in cxrcam. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new memory file (close-on-exec; posix_spawn's dup2 to 3 or 4 clears that in the decoder), or -1 and
 * errno. */
int      cxr_dicom_memfd_new        (const char *what);

/* Makes the file exactly @length bytes of @data. */
gboolean cxr_dicom_memfd_set        (int fd, const void *data, gsize length, GError **error);

/* The first @length bytes of the file, mapped read-only with their pages present, in a GBytes that unmaps them
 * (an empty one for 0). Fails when the file is shorter. */
GBytes  *cxr_dicom_memfd_map        (int fd, gsize length, GError **error);

/* The first @length bytes of the file (grown to that when shorter), mapped shared for writing with their pages
 * present: the decoder decodes into it. NULL (errno set) on failure; munmap (address, @length) when done. */
void    *cxr_dicom_memfd_map_writable (int fd, gsize length);

/* Reads exactly @length bytes from offset 0 into @into; FALSE (no GError: the caller names the file) when the
 * file is not exactly @length bytes long. */
gboolean cxr_dicom_memfd_read_exact (int fd, void *into, gsize length);

G_END_DECLS
