/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window.h: the review window: the image list, the four panes and the Grad-CAM sidebar. */
#pragma once

#include <adwaita.h>

#include "cxr-application.h"

G_BEGIN_DECLS

#define CXR_TYPE_WINDOW (cxr_window_get_type ())
G_DECLARE_FINAL_TYPE (CxrWindow, cxr_window, CXR, WINDOW, AdwApplicationWindow)

CxrWindow *cxr_window_new (CxrApplication *app);

/* Open a dataset folder / a model file, as the file choosers do (asynchronously; errors become in-window
 * messages). */
void       cxr_window_open_dataset (CxrWindow *self, GFile *folder);
void       cxr_window_open_model   (CxrWindow *self, GFile *file);

G_END_DECLS
