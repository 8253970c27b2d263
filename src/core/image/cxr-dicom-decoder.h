/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-decoder.h: DICOM decoding in its own process.
 *
 * Debian builds GDCM with its assert()s compiled in, and damaged files reach some of them (fuzz-dicom found
 * aborts in gdcmPixmapReader.cxx and gdcmFileMetaInformation.cxx within a minute, after every check cxrcam
 * makes first). An abort cannot be caught, so GDCM runs in a small program of its own, cxrcam-dicom-decode
 * (src/dicom-decoder): cxr_dicom_read_from_bytes() (cxr-dicom.h) writes the file's bytes to its stdin and reads
 * the decoded image from its stdout, in the format below; a decoder serves one image after another and is kept
 * for the next (cxr-dicom-process.c). When the decoder dies (a
 * signal, its CPU time or memory limit) or exceeds the wall-clock limit, the caller gets a GError naming the
 * file and the signal, and cxrcam goes on.
 *
 * Request (stdin): "CXRDCMQ1", u32 name length, the name, u64 data length, the data.
 * Reply (stdout):  "CXRDCMR1", u64 length of the rest, u8 1 and the image (every field of CxrDicomImage in its order, integers as i32,
 *                  doubles as 8 bytes, strings as u32 length (0xffffffff: NULL) and bytes, then the float values),
 *                  or u8 0, the error code (i32) and message (string). Host byte order: both ends run on one
 *                  machine.
 */
#pragma once

#include <glib.h>

#include "cxr-dicom.h"

G_BEGIN_DECLS

#define CXR_DICOM_DECODER_NAME "cxrcam-dicom-decode"

/* GDCM in this process: what the decoder program runs. Do not call it in cxrcam itself: Debian's GDCM may abort. */
gboolean cxr_dicom_decode_in_process (const guint8 *data, gsize length, const char *name_for_errors,
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
  CXR_DICOM_REQUEST_IMAGE,      /* "CXRDCMQ1": decode an image */
  CXR_DICOM_REQUEST_DIRECTORY,  /* "CXRDCMD1": list a DICOMDIR's image records; the reply's body is u8 1, i32
                                 * count and that many (file, SOP Instance UID) string pairs, or the error */
} CxrDicomRequestKind;

/* The wire format above. A decoder serves one request after another until its stdin ends (*end set, FALSE). */
#define CXR_DICOM_WIRE_REPLY_HEAD 16
GBytes  *cxr_dicom_wire_request      (CxrDicomRequestKind kind, const char *name, gsize data_length);
gboolean cxr_dicom_wire_read_request (int fd, CxrDicomRequestKind *kind, char **name, guint8 **data, gsize *length,
                                      gboolean *end, GError **error);
gboolean cxr_dicom_wire_write_directory_reply (int fd, GPtrArray *files, GPtrArray *uids, const GError *failure,
                                               GError **error);
gboolean cxr_dicom_wire_parse_directory_reply (const guint8 *reply, gsize length, const char *name,
                                               GPtrArray **files, GPtrArray **uids, GError **error);
/* From the first CXR_DICOM_WIRE_REPLY_HEAD bytes of a reply: its whole length. FALSE when they are no reply. */
gboolean cxr_dicom_wire_reply_length (const guint8 *head, guint64 *total);
gboolean cxr_dicom_wire_write_reply  (int fd, const CxrDicomImage *image, const GError *failure, GError **error);
/* The decoder's image, or its error as it gave it (domain CXR_ERROR); a malformed or short reply is
 * CXR_ERROR_FAILED naming the file. */
gboolean cxr_dicom_wire_parse_reply  (const guint8 *reply, gsize length, const char *name, CxrDicomImage **image,
                                      GError **error);

G_END_DECLS
