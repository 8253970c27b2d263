/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam.h: class activation maps for a torchvision ResNet, as pytorch-grad-cam computes them.
 *
 * The score is the raw logit of the target class (pytorch-grad-cam's ClassifierOutputTarget), whatever the
 * card's activation. A, a target layer's activations, is the output of one residual block (after its final
 * ReLU): "layer4" means the last block of layer4 (the default and the card's cam_layer), "layer3" the last
 * block of layer3, "layer4.1" block 1 of layer4. With g = d score / d A, per layer (pytorch_grad_cam/<method>.py, the
 * file named in brackets; docs/grad-cam.md has each in full):
 *
 *   Grad-CAM          w_k = mean_ij g_k                                           [grad_cam.py]
 *   Grad-CAM++        w_k = sum_ij relu (g) g^2 / (2 g^2 + S_k g^3 + 1e-6), S_k = sum_ij A_k, 0 where g = 0
 *                                                                                 [grad_cam_plusplus.py]
 *   XGrad-CAM         w_k = sum_ij g A / (S_k + 1e-7)                             [xgrad_cam.py]
 *   Score-CAM         w = softmax_k (score (x * M_k)), M_k = A_k upsampled to the input (align_corners=True)
 *                     and min-max normalised (eps 1e-8); batched forwards          [score_cam.py]
 *   Ablation-CAM      w_k = (score - score with A_k zeroed) / score; the network run on from the layer on
 *                     batches of ablated copies                                   [ablation_cam.py, ablation_layer.py]
 *     cam = sum_k w_k A_k           (eigen_smooth: the 2D projection of w_k A_k instead of the sum)
 *   HiRes-CAM         cam = sum_k g A                                             [hirescam.py]
 *   Grad-CAM element-wise  cam = sum_k relu (g A)                                 [grad_cam_elementwise.py]
 *   Layer-CAM         cam = sum_k relu (g) A                                      [layer_cam.py]
 *     (eigen_smooth: the 2D projection of the summands instead of their sum)
 *   Eigen-CAM         cam = the 2D projection of A                                [eigen_cam.py]
 *   EigenGrad-CAM     cam = the 2D projection of g A                              [eigen_grad_cam.py]
 *
 * The 2D projection (utils/svd_on_activations.py): the positions x channels matrix, centred per channel,
 * projected on its first right singular vector. Its sign is arbitrary (whatever LAPACK returns in
 * pytorch-grad-cam); cxrcam takes the sign that correlates the projection positively with the summed
 * activations at each position, so that the map is high where the layer responds.
 *
 * Then, per layer: CAM = max (cam, 0) at feature resolution (7x7 for 224x224), normalised as scale_cam_image:
 * (CAM - min) / (max - min + 1e-7). With one layer the normalised map is upsampled (bilinear, align_corners=False)
 * to the original image. With several layers (fusion, as LayerCAM's paper averages layers) each layer's
 * normalised map is upsampled to the network input (224 x 224), the maps averaged and normalised again
 * (aggregate_multi_layers). With aug_smooth the whole computation runs on six versions of the input (mirrored or
 * not, times 0.9, 1, 1.1: ttach's HorizontalFlip and Multiply), each map mirrored back, and the six averaged at
 * the input's resolution (forward_augmentation_smoothing). Those maps are then upsampled to the image.
 *
 * pytorch-grad-cam always upsamples to the network input with cv2.resize and normalises the upsampled map once
 * more. With one layer cxrcam upsamples the feature map straight to the original image (boxes are scored in its
 * coordinates, as BB.csv has them) and does not renormalise: the map at image resolution is exactly the upsampled
 * normalised map.
 *
 * Cost. At the last block of the last stage the gradient needs no backward pass: global average pooling and the
 * linear head make d score / d A_k = fc.weight[c, k] / (H W), the same at every position. An earlier block needs a
 * backward pass from the score through the blocks after it, in eval mode. Eigen-CAM needs no gradient; Score-CAM
 * one forward per channel of the layer (batched), Ablation-CAM one run of the rest of the network per channel
 * (batched): these two report their progress and can be cancelled within an image.
 *
 * Threads: the functions that take a CxrModel or CxrResnet run the network and belong on the engine thread
 * (cxr-engine-cam.h runs them there). CxrCamResult is immutable once made and may be read from any thread.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-image.h"
#include "cxr-model.h"
#include "cxr-resnet.h"

G_BEGIN_DECLS

typedef enum {
  CXR_CAM_METHOD_GRADCAM,
  CXR_CAM_METHOD_GRADCAM_PLUSPLUS,
  CXR_CAM_METHOD_HIRESCAM,
  CXR_CAM_METHOD_GRADCAM_ELEMENTWISE,
  CXR_CAM_METHOD_XGRADCAM,
  CXR_CAM_METHOD_LAYERCAM,
  CXR_CAM_METHOD_EIGENCAM,
  CXR_CAM_METHOD_EIGENGRADCAM,
  CXR_CAM_METHOD_SCORECAM,
  CXR_CAM_METHOD_ABLATIONCAM,
  CXR_CAM_N_METHODS
} CxrCamMethod;

/* pytorch-grad-cam's eps values. */
#define CXR_CAM_NORMALISE_EPS 1e-7f
#define CXR_CAM_PLUSPLUS_EPS  1e-6f
#define CXR_CAM_XGRADCAM_EPS  1e-7f
#define CXR_CAM_SCORECAM_EPS  1e-8f

/* Targets that are not a class index. */
enum {
  CXR_CAM_TARGET_POSITIVE = -1,   /* the card's positive class */
  /* The class the model gives the highest probability for this image, chosen after the forward pass (the
   * largest logit: sigmoid and softmax keep the order). A class named "No Finding" is never chosen while the
   * model has another: it names no place in the image to explain. */
  CXR_CAM_TARGET_TOP = -2,
};

/* The most layers one map fuses. */
#define CXR_CAM_MAX_LAYERS 8

/* What to explain. Plain values: the async jobs copy them. */
typedef struct {
  CxrCamMethod method;
  const char *layer;     /* "layer4", "layer3", "layer4.1", ..., or several joined by commas ("layer3,layer4")
                          * to fuse them; NULL: the card's cam_layer */
  int target_class;      /* class index, or CXR_CAM_TARGET_POSITIVE (the default) or CXR_CAM_TARGET_TOP */
  gboolean aug_smooth;   /* average over mirrored and scaled inputs */
  gboolean eigen_smooth; /* the 2D projection instead of the channel sum */
} CxrCamOptions;

/* Grad-CAM at the card's layer for its positive class, no smoothing. */
void         cxr_cam_options_init_default (CxrCamOptions *options);

/* "gradcam", "gradcam++", "hirescam", "gradcam-elementwise", "xgradcam", "layercam", "eigencam",
 * "eigengradcam", "scorecam", "ablationcam" (when parsing also "grad-cam", "gradcampp", "score-cam", ...: case,
 * hyphens and underscores do not matter). */
const char  *cxr_cam_method_get_name      (CxrCamMethod method);
gboolean     cxr_cam_method_from_name     (const char *name, CxrCamMethod *method, GError **error);
/* Whether the method needs d score / d A (a backward pass below the last block). */
gboolean     cxr_cam_method_uses_gradients (CxrCamMethod method);
/* Score-CAM and Ablation-CAM: a forward per channel, so progress and cancellation within an image matter. */
gboolean     cxr_cam_method_is_perturbation (CxrCamMethod method);

/* The block a layer name refers to: its index into the network's blocks (stage by stage) and its canonical
 * name ("layer4" -> "layer4.2" for a ResNet-50). Unknown names fail with CXR_ERROR_INVALID listing the
 * valid ones. */
gboolean     cxr_cam_resolve_layer        (const CxrResnetArch *arch, const char *name, int *block_index,
                                           char **canonical_name, GError **error);
/* The same for a comma-separated list ("layer3,layer4"): up to CXR_CAM_MAX_LAYERS distinct blocks, in the order
 * given; @canonical_names gets them joined by commas ("layer3.5,layer4.2"). */
gboolean     cxr_cam_resolve_layers       (const CxrResnetArch *arch, const char *names, int *block_indices,
                                           int *n_blocks, char **canonical_names, GError **error);

/* Progress within one image and cancellation (Score-CAM and Ablation-CAM run hundreds of forwards per image). */
typedef void (*CxrCamStepFunc) (double fraction, gpointer user_data);
typedef struct {
  GCancellable *cancellable;   /* checked between batches: G_IO_ERROR_CANCELLED */
  CxrCamStepFunc step;         /* may be NULL; called on the computing thread */
  gpointer step_data;
} CxrCamMonitor;

/* ---- the result ---------------------------------------------------------------------------------------- */

/* One image's explanation. Reference counted and immutable once made: the viewer keeps it to re-threshold
 * (cxr-cam-boxes.h) without running the network again. All planes are row-major. */
typedef struct {
  char *path;                /* the image file */
  char *name;                /* its basename, "00001369_000.png" */
  guint index;               /* position in a batch request (0 for a single image) */
  GError *error;             /* batch jobs only: why this image has no CAM (everything below is then empty) */

  CxrCamMethod method;
  char *layer;               /* the block it was taken at, canonical: "layer4.2" ("layer3.5,layer4.2": fused) */
  gboolean aug_smooth, eigen_smooth;
  int target_class;          /* the class explained (a CXR_CAM_TARGET_TOP request says here which it was) */
  char *target_name;         /* the class's name in the card, "Cardiomegaly" */
  guint n_classes;
  float *logits;             /* [n_classes] */
  float *probabilities;      /* [n_classes], the card's activation (sigmoid or softmax) */

  int width, height;         /* the original image */
  guint8 *gray8;             /* [height, width], the image for display (cxr_image_to_gray8) */
  float *cam;                /* [height, width], the normalised CAM upsampled, in [0, 1] */
  int feature_width, feature_height;
  float *cam_features;       /* [feature_height, feature_width], the normalised CAM, in [0, 1]: at the layer's
                              * resolution, or at the network input's when layers are fused or aug_smooth is on */
  float *cam_raw;            /* the same size: max (cam, 0) before normalising (fused or smoothed: the average
                              * before the last normalisation) */
} CxrCamResult;

GType         cxr_cam_result_get_type (void) G_GNUC_CONST;
#define CXR_TYPE_CAM_RESULT (cxr_cam_result_get_type ())

CxrCamResult *cxr_cam_result_ref      (CxrCamResult *result);
void          cxr_cam_result_unref    (CxrCamResult *result);

/* ---- computing --------------------------------------------------------------------------------------- */

/* The whole pipeline for one decoded image: preprocessing as the model's card says, forward, gradient,
 * weights, CAM, normalisation and upsampling to the image's size. */
CxrCamResult *cxr_cam_compute         (CxrModel *model, const CxrImage *image, const CxrCamOptions *options,
                                       GError **error);
/* The same with progress and cancellation (@monitor may be NULL). */
CxrCamResult *cxr_cam_compute_full    (CxrModel *model, const CxrImage *image, const CxrCamOptions *options,
                                       const CxrCamMonitor *monitor, GError **error);
/* cxr_image_load () then cxr_cam_compute (). */
CxrCamResult *cxr_cam_compute_file    (CxrModel *model, const char *path, const CxrCamOptions *options,
                                       GError **error);
CxrCamResult *cxr_cam_compute_file_full (CxrModel *model, const char *path, const CxrCamOptions *options,
                                         const CxrCamMonitor *monitor, GError **error);

/* The network part alone, for one preprocessed input [1, C, H, W] (PyTorch's layout), at block
 * @block_index for class @target_class, without smoothing. Writes the CAM before normalisation, max (cam, 0),
 * into @cam_raw ([feature_h, feature_w], at least cxr_cam_feature_size's floats) and the logits into @logits
 * ([classes], may be NULL). @weights, if not NULL, receives the channel weights w_k ([channels of that
 * block]) of the methods that have them (untouched for the others). */
gboolean      cxr_cam_run_network     (CxrResnet *net, const float *input, int h, int w,
                                       CxrCamMethod method, int block_index, int target_class,
                                       float *cam_raw, float *weights, float *logits, GError **error);

/* The feature map size and channel count at block @block_index for an h x w input. */
void          cxr_cam_feature_size    (const CxrResnet *net, int block_index, int h, int w,
                                       int *feature_h, int *feature_w, int *channels);

/* In place: x = (x - min) / (max - min + 1e-7), as pytorch-grad-cam's scale_cam_image. */
void          cxr_cam_normalise       (float *x, gsize n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrCamResult, cxr_cam_result_unref)

G_END_DECLS
