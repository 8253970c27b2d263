#pragma once

#include <adwaita.h>

#include "cxr-application.h"

G_BEGIN_DECLS

#define CXR_TYPE_WINDOW (cxr_window_get_type ())
G_DECLARE_FINAL_TYPE (CxrWindow, cxr_window, CXR, WINDOW, AdwApplicationWindow)

CxrWindow *cxr_window_new (CxrApplication *app);

G_END_DECLS
