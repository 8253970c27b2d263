/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-decoder.h: DICOM decoding in its own process.
 *
 * Debian builds GDCM with its assert()s compiled in, and damaged files reach some of them (fuzz-dicom found
 * aborts in gdcmPixmapReader.cxx and gdcmFileMetaInformation.cxx within a minute, after every check cxrcam
 * makes first). An abort cannot be caught, so GDCM runs in a small program of its own, cxrcam-dicom-decode
 * (src/dicom-decoder): cxr_dicom_read_from_bytes() puts the file's bytes in a memory file, sends the request on
 * the decoder's stdin and reads the reply from its stdout, in the format below, and the image's values from a
 * second memory file (cxr-dicom-memfd.h: 45 MB through pipes cost 20 times GDCM's decoding of a 2500 x 3000
 * image); a decoder serves one image after another and is kept for the next (cxr-dicom-process.c). When the
 * decoder dies (a signal, its CPU time or memory limit) or exceeds the wall-clock limit, the caller gets a GError
 * naming the file and the signal, and cxrcam goes on.
 *
 * The decoder's fds: 0 the requests (a socket), 1 the replies (a pipe), 2 its messages (a pipe),
 * CXR_DICOM_DECODER_REQUEST_FD the memory file holding the request's data, CXR_DICOM_DECODER_VALUES_FD the memory
 * file it writes an image's values to. Both are cxrcam's, made once per decoder.
 *
 * Request (stdin): "CXRDCMQ2", u32 name length, the name, u64 data length; the data is the first that many bytes
 *                  of the request's memory file.
 * Reply (stdout):  "CXRDCMR2", u64 length of the rest, u8 1 and the image (every field of CxrDicomImage in its
 *                  order but the values, integers as i32, doubles as 8 bytes, strings as u32 length (0xffffffff:
 *                  NULL) and bytes, then u64 the values' length, width * height * 4), the values (floats) being
 *                  exactly the whole values file, written (decoded straight into it) before the reply; or u8 0,
 *                  the error code (i32) and message (string). Host byte order: both ends run on one machine.
 */
#pragma once

#include <glib.h>

#include "cxr-dicom.h"

G_BEGIN_DECLS

#define CXR_DICOM_DECODER_NAME "cxrcam-dicom-decode"
#define CXR_DICOM_DECODER_REQUEST_FD 3
#define CXR_DICOM_DECODER_VALUES_FD 4

/* GDCM in this process: what the decoder program runs. Do not call it in cxrcam itself: Debian's GDCM may abort. */
gboolean cxr_dicom_decode_in_process (const guint8 *data, gsize length, const char *name_for_errors,
                                      CxrDicomImage **image, GError **error);

/* The same, with the values where @values_alloc puts them (@n floats, or NULL: the image is refused as over a
 * limit): the decoder program decodes straight into its values file. The image's values then stay the
 * allocator's: set them to NULL before freeing the image. On failure they are never set. */
typedef float *(*CxrDicomValuesAlloc) (gsize n, gpointer user_data);
gboolean cxr_dicom_decode_in_process_into (const guint8 *data, gsize length, const char *name_for_errors,
                                           CxrDicomValuesAlloc values_alloc, gpointer values_data,
                                           CxrDicomImage **image, GError **error);

/* The decoder program: the one to run (CXR_DICOM_DECODER in the environment, else the build tree's when this
 * program runs uninstalled, else libexecdir's). */
char    *cxr_dicom_decoder_path      (void);

/* Its limits: CPU seconds (RLIMIT_CPU; the wall clock gets twice that) and address space (RLIMIT_AS, so that the
 * decoder's cxr_limits_memory() equals the caller's). CXR_DICOM_DECODE_SECONDS in the environment lowers the
 * time (tests). */
guint    cxr_dicom_decoder_seconds   (void);
guint64  cxr_dicom_decoder_memory    (void);

/* DICOMDIR (cxr_dicom_dir_read in cxr-dicom.h) in this process: the decoder program's other request. */
gboolean cxr_dicom_dir_read_in_process (const guint8 *data, gsize length, const char *name_for_errors,
                                        GPtrArray **files, GPtrArray **uids, GError **error);

typedef enum {
  CXR_DICOM_REQUEST_IMAGE,      /* "CXRDCMQ2": decode an image */
  CXR_DICOM_REQUEST_DIRECTORY,  /* "CXRDCMD2": list a DICOMDIR's image records; the reply's body is u8 1, i32
                                 * count and that many (file, SOP Instance UID) string pairs, or the error */
} CxrDicomRequestKind;

/* The wire format above. A decoder serves one request after another until its stdin ends (*end set, FALSE);
 * *data is the request's data mapped from @data_fd. */
#define CXR_DICOM_WIRE_REPLY_HEAD 16
GBytes  *cxr_dicom_wire_request      (CxrDicomRequestKind kind, const char *name, gsize data_length);
gboolean cxr_dicom_wire_read_request (int fd, int data_fd, CxrDicomRequestKind *kind, char **name, GBytes **data,
                                      gboolean *end, GError **error);
gboolean cxr_dicom_wire_write_directory_reply (int fd, GPtrArray *files, GPtrArray *uids, const GError *failure,
                                               GError **error);
gboolean cxr_dicom_wire_parse_directory_reply (const guint8 *reply, gsize length, const char *name,
                                               GPtrArray **files, GPtrArray **uids, GError **error);
/* From the first CXR_DICOM_WIRE_REPLY_HEAD bytes of a reply: its whole length. FALSE when they are no reply. */
gboolean cxr_dicom_wire_reply_length (const guint8 *head, guint64 *total);
/* Writes the reply to @fd: the image's fields (its values must already be the whole values file, exactly), or
 * the failure. */
gboolean cxr_dicom_wire_write_reply  (int fd, const CxrDicomImage *image, const GError *failure, GError **error);
/* The decoder's image (its values read from @values_fd, which must hold exactly them), or its error as it gave
 * it (domain CXR_ERROR); a malformed or short reply or values file is CXR_ERROR_FAILED naming the file. */
gboolean cxr_dicom_wire_parse_reply  (const guint8 *reply, gsize length, int values_fd, const char *name,
                                      CxrDicomImage **image, GError **error);

G_END_DECLS
