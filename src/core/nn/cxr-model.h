/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-model.h: a loaded model — the network, its card, and the preprocessing the card implies.
 *
 * A CxrModel is what a checkpoint file becomes: cxr_model_load() reads the weights (any format
 * cxr-checkpoint.h knows), infers the ResNet, reads the card beside it and checks that they agree.
 * It is reference counted so that jobs can hold the model they started with while another model
 * loads, but its network is not thread-safe: only the engine thread runs it.
 */
#pragma once

#include "cxr-image.h"
#include "cxr-model-card.h"
#include "cxr-preprocess.h"
#include "cxr-resnet.h"

G_BEGIN_DECLS

typedef struct _CxrModel CxrModel;

CxrModel            *cxr_model_load            (const char *weights_path, const char *card_path, GError **error);
/* Wraps a network (taking ownership) and a card (copied), e.g. for a freshly trained network. */
CxrModel            *cxr_model_new             (CxrResnet *network, const CxrModelCard *card, const char *path);
CxrModel            *cxr_model_ref             (CxrModel *model);
void                 cxr_model_unref           (CxrModel *model);

const char          *cxr_model_get_path        (const CxrModel *model);
const CxrModelCard  *cxr_model_get_card        (const CxrModel *model);
CxrResnet           *cxr_model_get_network     (CxrModel *model);
guint                cxr_model_get_n_classes   (const CxrModel *model);
const CxrPreprocessParams *cxr_model_get_preprocess (const CxrModel *model);
/* "resnet50 (Bottleneck [3, 4, 6, 3], 3 input channels, 2 classes), softmax over No Finding, Cardiomegaly" */
char                *cxr_model_describe        (const CxrModel *model);

/* Preprocesses @n images into the network's input and runs it: logits [n, classes]. */
gboolean             cxr_model_predict         (CxrModel *model, CxrImage *const *images, guint n,
                                                float *logits, GError **error);
/* The card's activation (sigmoid per class, or softmax per image) applied to [n, classes] logits. */
void                 cxr_model_activate        (const CxrModel *model, const float *logits, float *probabilities,
                                                guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrModel, cxr_model_unref)

G_END_DECLS
