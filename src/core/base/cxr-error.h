/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-error.h: the one error domain of libcxrcore.
 *
 * Every failure in the core is reported as a GError in CXR_ERROR whose
 * message says what went wrong and where (file, key, line, shapes).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_ERROR (cxr_error_quark ())

typedef enum {
  CXR_ERROR_FAILED,       /* anything not covered below */
  CXR_ERROR_IO,           /* a file could not be read or written */
  CXR_ERROR_FORMAT,       /* a file is not what it claims to be: bad magic, truncated, malformed */
  CXR_ERROR_UNSUPPORTED,  /* well-formed, but something we do not handle (dtype, opcode, layout) */
  CXR_ERROR_REFUSED,      /* deliberately refused for safety (a pickle global not on the allow-list) */
  CXR_ERROR_MISMATCH,     /* weights do not fit the network: missing/unexpected keys, shapes */
  CXR_ERROR_INVALID,      /* a bad argument or value from the user */
  CXR_ERROR_CONFLICT,     /* a file changed on disk since it was read */
  CXR_ERROR_LIMIT,        /* an input claims more than cxr-limits.h allows (elements, bytes, pixels, nesting) */
} CxrErrorCode;

/* A cancelled job or request fails with G_IO_ERROR_CANCELLED (GIO's, which GTask and every GIO call
 * report too), never with a code of its own. */

GQuark cxr_error_quark (void);

G_END_DECLS
