/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-titles.h: the CAM methods as the window names them ("Score‑CAM"), for the status line, the compare
 * table and the side-by-side captions; the command line's names (cxr_cam_method_get_name) stay for files. */
#pragma once

#include "cxr-cam.h"

G_BEGIN_DECLS

/* Translated; never NULL. */
const char *cxr_method_title (CxrCamMethod method);

G_END_DECLS
