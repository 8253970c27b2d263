/* cxr-cam.h: Grad-CAM and Grad-CAM++ for a torchvision ResNet, as pytorch-grad-cam computes them.
 *
 * The score is the raw logit of the target class (pytorch-grad-cam's ClassifierOutputTarget), whatever the
 * card's activation. A, the target layer's activations, is the output of one residual block (after its final
 * ReLU): "layer4" means the last block of layer4 (the default and the card's cam_layer), "layer3" the last
 * block of layer3, "layer4.1" block 1 of layer4. With g = d score / d A:
 *
 *   Grad-CAM    w_k = mean over (i, j) of g_k(i, j)
 *   Grad-CAM++  a_k(i, j) = g^2 / (2 g^2 + S_k g^3 + 1e-6), S_k = sum over (i, j) of A_k(i, j),
 *               a_k(i, j) = 0 where g_k(i, j) = 0,
 *               w_k = sum over (i, j) of max(g_k(i, j), 0) a_k(i, j)
 *               (Chattopadhyay et al. 2018, eq. 19 with the exponential score's shortcut, as
 *               pytorch-grad-cam's grad_cam_plusplus.py computes it)
 *   CAM         = max(sum_k w_k A_k, 0)                             at feature resolution (7x7 for 224x224)
 *   normalised  = (CAM - min) / (max - min + 1e-7)                  scale_cam_image's eps
 *   image CAM   = bilinear upsampling, align_corners=False, to the original image's width and height
 *                 (torch.nn.functional.interpolate; cxr_resize_bilinear)
 *
 * pytorch-grad-cam upsamples to the network input's size (224x224) with cv2.resize and then min-max
 * normalises the upsampled map once more (aggregate_multi_layers). cxrcam upsamples to the original image
 * (boxes are scored in its coordinates, as BB.csv has them) and does not renormalise: the map at image
 * resolution is exactly the upsampled normalised map, so its values never exceed the feature map's.
 *
 * Cost. At the last block of the last stage the gradient needs no backward pass: global average pooling and
 * the linear head make d score / d A_k = fc.weight[c, k] / (H W), the same at every position. There a CAM
 * costs one forward pass and a weighted sum. An earlier block needs a backward pass from the score through
 * the blocks after it, in eval mode (BatchNorm is the fixed affine of its running statistics).
 *
 * Threads: the functions that take a CxrModel or CxrResnet run the network and belong on the engine thread
 * (cxr-engine-cam.h runs them there). CxrCamResult is immutable once made and may be read from any thread.
 */
#pragma once

#include <glib-object.h>

#include "cxr-image.h"
#include "cxr-model.h"
#include "cxr-resnet.h"

G_BEGIN_DECLS

typedef enum {
  CXR_CAM_METHOD_GRADCAM,
  CXR_CAM_METHOD_GRADCAM_PLUSPLUS,
} CxrCamMethod;

/* pytorch-grad-cam's eps values. */
#define CXR_CAM_NORMALISE_EPS 1e-7f
#define CXR_CAM_PLUSPLUS_EPS  1e-6f

/* Targets that are not a class index. */
enum {
  CXR_CAM_TARGET_POSITIVE = -1,   /* the card's positive class */
  /* The class the model gives the highest probability for this image, chosen after the forward pass (the
   * largest logit: sigmoid and softmax keep the order). A class named "No Finding" is never chosen while the
   * model has another: it names no place in the image to explain. */
  CXR_CAM_TARGET_TOP = -2,
};

/* What to explain. Plain values: the async jobs copy them. */
typedef struct {
  CxrCamMethod method;
  const char *layer;     /* "layer4", "layer3", "layer4.1", ...; NULL: the card's cam_layer */
  int target_class;      /* class index, or CXR_CAM_TARGET_POSITIVE (the default) or CXR_CAM_TARGET_TOP */
} CxrCamOptions;

/* Grad-CAM at the card's layer for its positive class. */
void         cxr_cam_options_init_default (CxrCamOptions *options);

/* "gradcam" / "gradcam++" (also accepts "grad-cam", "gradcampp", "gradcam-plusplus" when parsing). */
const char  *cxr_cam_method_get_name      (CxrCamMethod method);
gboolean     cxr_cam_method_from_name     (const char *name, CxrCamMethod *method, GError **error);

/* The block a layer name refers to: its index into the network's blocks (stage by stage) and its canonical
 * name ("layer4" -> "layer4.2" for a ResNet-50). Unknown names fail with CXR_ERROR_INVALID listing the
 * valid ones. */
gboolean     cxr_cam_resolve_layer        (const CxrResnetArch *arch, const char *name, int *block_index,
                                           char **canonical_name, GError **error);

/* ---- the result ---------------------------------------------------------------------------------------- */

/* One image's explanation. Reference counted and immutable once made: the viewer keeps it to re-threshold
 * (cxr-cam-boxes.h) without running the network again. All planes are row-major. */
typedef struct {
  char *path;                /* the image file */
  char *name;                /* its basename, "00001369_000.png" */
  guint index;               /* position in a batch request (0 for a single image) */
  GError *error;             /* batch jobs only: why this image has no CAM (everything below is then empty) */

  CxrCamMethod method;
  char *layer;               /* the block it was taken at, canonical: "layer4.2" */
  int target_class;          /* the class explained (a CXR_CAM_TARGET_TOP request says here which it was) */
  char *target_name;         /* the class's name in the card, "Cardiomegaly" */
  guint n_classes;
  float *logits;             /* [n_classes] */
  float *probabilities;      /* [n_classes], the card's activation (sigmoid or softmax) */

  int width, height;         /* the original image */
  guint8 *gray8;             /* [height, width], the image for display (cxr_image_to_gray8) */
  float *cam;                /* [height, width], the normalised CAM upsampled, in [0, 1] */
  int feature_width, feature_height;
  float *cam_features;       /* [feature_height, feature_width], the normalised CAM, in [0, 1] */
  float *cam_raw;            /* [feature_height, feature_width], max(sum_k w_k A_k, 0) before normalising */
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
/* cxr_image_load () then cxr_cam_compute (). */
CxrCamResult *cxr_cam_compute_file    (CxrModel *model, const char *path, const CxrCamOptions *options,
                                       GError **error);

/* The network part alone, for one preprocessed input [1, C, H, W] (PyTorch's layout), at block
 * @block_index for class @target_class. Writes the CAM before normalisation, max(sum_k w_k A_k, 0), into
 * @cam_raw ([feature_h, feature_w], at least cxr_cam_feature_size's floats) and the logits into @logits
 * ([classes], may be NULL). @weights, if not NULL, receives the channel weights w_k ([channels of that
 * block]). */
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
