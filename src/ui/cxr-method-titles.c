/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-method-titles.c: display names of the CAM methods and the layers the window offers. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-method-titles.h"

const char *const cxr_layer_choices[CXR_N_LAYER_CHOICES] = {
  "layer4", "layer3", "layer2", "layer1", "layer2,layer3", "layer3,layer4", "layer2,layer3,layer4"
};

const char *
cxr_method_title (CxrCamMethod method)
{
  /* Non-breaking hyphens (U+2011), as in the Method row: a name never breaks across lines. Most are names, the
   * same in every language. */
  switch (method)
    {
    case CXR_CAM_METHOD_GRADCAM:             return "Grad‑CAM";
    case CXR_CAM_METHOD_GRADCAM_PLUSPLUS:    return "Grad‑CAM++";
    case CXR_CAM_METHOD_HIRESCAM:            return "HiResCAM";
    case CXR_CAM_METHOD_GRADCAM_ELEMENTWISE: return _("Grad‑CAM element‑wise");
    case CXR_CAM_METHOD_XGRADCAM:            return "XGrad‑CAM";
    case CXR_CAM_METHOD_LAYERCAM:            return "LayerCAM";
    case CXR_CAM_METHOD_EIGENCAM:            return "EigenCAM";
    case CXR_CAM_METHOD_EIGENGRADCAM:        return "EigenGradCAM";
    case CXR_CAM_METHOD_SCORECAM:            return "Score‑CAM";
    case CXR_CAM_METHOD_ABLATIONCAM:         return "Ablation‑CAM";
    default:                                 return cxr_cam_method_get_name (method);
    }
}

char *
cxr_layer_title (const char *layer)
{
  if (g_str_equal (layer, "layer3,layer4"))
    return g_strdup (_("layer3 + layer4"));
  g_auto (GStrv) parts = g_strsplit (layer, ",", -1);
  return g_strjoinv (" + ", parts);
}
