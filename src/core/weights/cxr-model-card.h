/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-model-card.h: what the weights alone do not say — class names, output activation, preprocessing,
 * and the Grad-CAM defaults — kept in a JSON file beside the weights.
 *
 * File format (every key optional; unknown keys are ignored so newer cards still load):
 *   {
 *     "class_names": ["No Finding", "Cardiomegaly"],
 *     "activation": "softmax",                 // or "sigmoid"
 *     "input_width": 224, "input_height": 224, // or "input_size": [width, height] or a single number
 *     "input_channels": 3,                     // 1 or 3; 0 or absent: take it from the weights
 *     "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],  // or one number for all channels
 *     "resize_mode": "bilinear-antialias",
 *     "cam_layer": "layer4",
 *     "cam_threshold": 0.5,
 *     "positive_class": "Cardiomegaly"         // a class name or an index
 *   }
 * Absent values take the defaults below. Without class_names, names and activation follow the head size:
 * 1 -> sigmoid [Cardiomegaly]; 2 -> softmax [No Finding, Cardiomegaly]; 14 -> sigmoid with the NIH
 * ChestX-ray14 labels in NIH's order; any other n -> softmax ["class 0", ...].
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_ACTIVATION_SIGMOID,
  CXR_ACTIVATION_SOFTMAX,
} CxrActivation;

typedef struct {
  GStrv class_names;       /* n_classes names */
  guint n_classes;
  CxrActivation activation;
  guint input_width;       /* default 224 */
  guint input_height;      /* default 224 */
  guint input_channels;    /* 0: take it from the weights */
  float mean[3];           /* default ImageNet: 0.485, 0.456, 0.406 */
  float std[3];            /* default ImageNet: 0.229, 0.224, 0.225 */
  char *resize_mode;       /* default "bilinear-antialias" */
  char *cam_layer;         /* default "layer4": the last block of layer4 */
  float cam_threshold;     /* default 0.5 */
  guint positive_class;    /* default: Cardiomegaly if named, else the last class */
  char *source_path;       /* the card file it was read from, or NULL for defaults */
} CxrModelCard;

/* The 14 NIH ChestX-ray14 labels in NIH's order. */
extern const char *const cxr_nih14_labels[14];

/* Defaults for a head with @n_outputs outputs (>= 1). */
CxrModelCard *cxr_model_card_new_default (guint n_outputs);
CxrModelCard *cxr_model_card_copy        (const CxrModelCard *card);
void          cxr_model_card_free        (CxrModelCard *card);

/* Reads a card file; values it lacks take the defaults for @n_outputs (0: the card must name its classes). */
CxrModelCard *cxr_model_card_load        (const char *path, guint n_outputs, GError **error);

/* The card for weights at @weights_path: @card_path when given, else "<weights_path>.json" or
 * "<weights stem>.json" beside the weights when present, else the defaults. A card whose class count
 * differs from @n_outputs is a CXR_ERROR_MISMATCH naming both counts (@n_outputs 0 skips the check). */
CxrModelCard *cxr_model_card_load_for_weights (const char *weights_path, const char *card_path,
                                               guint n_outputs, GError **error);

/* Writes every field (atomically). */
gboolean      cxr_model_card_save        (const CxrModelCard *card, const char *path, GError **error);
char         *cxr_model_card_to_json     (const CxrModelCard *card);

const char   *cxr_activation_name        (CxrActivation activation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrModelCard, cxr_model_card_free)

G_END_DECLS
