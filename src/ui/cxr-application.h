/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CXR_TYPE_APPLICATION (cxr_application_get_type ())
G_DECLARE_FINAL_TYPE (CxrApplication, cxr_application, CXR, APPLICATION, AdwApplication)

CxrApplication *cxr_application_new (void);

G_END_DECLS
