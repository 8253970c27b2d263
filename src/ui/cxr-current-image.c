/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-current-image.c: load, explain and re-threshold the image on screen. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-cam-boxes.h"
#include "cxr-current-image.h"
#include "cxr-display-image.h"
#include "cxr-engine-cam.h"
#include "cxr-finding-names.h"
#include "cxr-method-titles.h"
#include "cxr-overlay-textures.h"

/* Outside the mask the image stays faintly visible, so that the reader keeps their bearings. */
#define MASK_OUTSIDE_ALPHA 0.85

struct _CxrCurrentImage {
  GObject parent_instance;

  /* owned */
  CxrEngine *engine;
  CxrPaneContent *content;
  CxrDataset *dataset;
  CxrResults *results;
  GCancellable *cancellable;   /* decoding the current image */
  GCancellable *cam_cancellable;   /* explaining it */
  GArray *bboxes;              /* CxrBBox of the current image, from the dataset's store */
  GArray *gt_boxes;            /* the same as CxrPaneBox, for drawing */
  CxrCamWorkspace *workspace;  /* reused by every cut */
  GArray *predicted_boxes;     /* CxrPaneBox at the current threshold */
  char *error;
  char *method;
  gboolean aug_smooth, eigen_smooth;   /* pytorch-grad-cam's smoothing options */
  char *layer;
  int target;                  /* the class to explain: an index or CXR_CAM_TARGET_TOP */
  gboolean explains_positive;  /* the CAM explains the card's positive class, whose results the list shows */
  CxrCamResult *cam;           /* the current image's explanation, kept to re-threshold */
  CxrCamMethod computing;      /* the method of the job running, named in the status line */
  double step_fraction;        /* how far that job is within the image; < 0 while it reports nothing */
  guint8 *mask;                /* [mask_size]: scratch for cutting the CAM */
  gsize mask_size;

  /* A second method beside the first, for the side-by-side heatmaps (NULL: off). Same image, layer, smoothing,
   * class and threshold; its own job, map, cut and IoU, into its own content. */
  char *second_method;
  CxrPaneContent *second_content;
  CxrCamResult *second_cam;
  double second_iou;
  GArray *second_boxes;        /* CxrRect of its predicted box(es) at the threshold */

  guint index;
  guint generation;            /* counts analyses, so that a cancelled job's late progress is told apart */
  double threshold;
  CxrColormap colormap;
  gboolean loading;
  gboolean analysing;
  gboolean image_shown;        /* the decoded pixels are in the content */
  double probability;
  double iou;
  double iobb;
};

G_DEFINE_FINAL_TYPE (CxrCurrentImage, cxr_current_image, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_LOADING,
  PROP_ANALYSING,
  PROP_ERROR,
  PROP_PROBABILITY,
  PROP_IOU,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_loading (CxrCurrentImage *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_analysing (CxrCurrentImage *self, gboolean analysing)
{
  if (self->analysing == analysing)
    return;
  self->analysing = analysing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSING]);
}

static void
set_error (CxrCurrentImage *self, const char *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_probability (CxrCurrentImage *self, double probability)
{
  self->probability = probability;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBABILITY]);
}

static void
set_scores (CxrCurrentImage *self, double iou, double iobb)
{
  self->iou = iou;
  self->iobb = iobb;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IOU]);
}

/* What the CAM panes say while they have nothing to show. */
static void
update_cam_status (CxrCurrentImage *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  const char *status = NULL;

  if (self->error != NULL)
    status = self->error;
  else if (model == NULL)
    status = _("Open a model to see its Grad‑CAM");
  else if (self->analysing)
    {
      /* Score-CAM and Ablation-CAM take seconds per image and report how far they are; the others finish in a
       * blink and say only their name. */
      g_autofree char *text = NULL;
      if (self->step_fraction >= 0)
        /* Translators: the heatmap pane while a slow method runs, e.g. "Computing Score‑CAM… 12 %" */
        text = g_strdup_printf (_("Computing %s… %d %%"), cxr_method_title (self->computing),
                                (int) (self->step_fraction * 100));
      else
        /* Translators: the heatmap pane while a method runs, e.g. "Computing HiResCAM…" */
        text = g_strdup_printf (_("Computing %s…"), cxr_method_title (self->computing));
      cxr_pane_content_set_cam_status (self->content, text);
      return;
    }
  cxr_pane_content_set_cam_status (self->content, status);
}

/* ---- ground truth ------------------------------------------------------- */

static void
load_gt_boxes (CxrCurrentImage *self)
{
  g_array_set_size (self->gt_boxes, 0);
  g_clear_pointer (&self->bboxes, g_array_unref);
  if (self->dataset == NULL || self->index == G_MAXUINT)
    return;

  self->bboxes = cxr_dataset_get_boxes (self->dataset, self->index);
  for (guint i = 0; self->bboxes != NULL && i < self->bboxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (self->bboxes, CxrBBox, i);
      CxrPaneBox pane_box = { box->x, box->y, box->w, box->h, box->id, "" };
      const char *title = cxr_finding_get_title (cxr_finding_from_name (box->label, -1));
      g_strlcpy (pane_box.label, title ? title : box->label, sizeof pane_box.label);
      g_array_append_val (self->gt_boxes, pane_box);
    }
}

/* ---- analysis ------------------------------------------------------------ */

typedef struct {
  CxrCurrentImage *self;   /* a reference */
  guint index;
  guint generation;        /* which analysis of the image (a method change starts another) */
} Request;

static Request *
request_new (CxrCurrentImage *self)
{
  Request *request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->index = self->index;
  request->generation = self->generation;
  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The ground truth in both heatmap halves' contents: each half of two methods side by side draws it too. */
static void
show_gt_boxes (CxrCurrentImage *self)
{
  cxr_pane_content_set_gt_boxes (self->content, self->gt_boxes);
  if (self->second_content != NULL)
    cxr_pane_content_set_gt_boxes (self->second_content, self->gt_boxes);
}

/* A box is a finding's location: drawn only where the model calls the image positive for the class it explains
 * (a cyan "Cardiomegaly 0.16" on an image the model calls No Finding read as a finding). It is still scored, as
 * Run on All and bb_results.csv score every image with ground truth. */
static gboolean
calls_positive (const CxrCamResult *cam)
{
  return cam->probabilities[cam->target_class] >= 0.5f && g_ascii_strcasecmp (cam->target_name, "No Finding") != 0;
}

/* @rects (CxrRect, a cut's boxes) as the panes draw them, each labelled with the class and its probability. */
static void
fill_predicted_boxes (GArray *boxes, const CxrCamResult *cam, const GArray *rects)
{
  /* An NIH class by its translated title, as the ground-truth boxes beside it; the model's own names as they are. */
  const char *title = cxr_finding_get_title (cxr_finding_from_name (cam->target_name, -1));
  g_array_set_size (boxes, 0);
  for (guint i = 0; i < rects->len; i++)
    {
      const CxrRect *r = &g_array_index (rects, CxrRect, i);
      CxrPaneBox box = { r->x, r->y, r->w, r->h, 0, "" };
      /* Translators: the label of the predicted box: the class and its probability, e.g. "Cardiomegaly 0.87" */
      g_snprintf (box.label, sizeof box.label, _("%s %.2f"), title ? title : cam->target_name,
                  cam->probabilities[cam->target_class]);
      g_array_append_val (boxes, box);
    }
}

/* Re-cuts the cached CAM at the current threshold: mask, predicted box, scores. Main thread, no job; the cut
 * of a 1024 x 1024 CAM and its mask texture take a few milliseconds (bench/bench-ui-threshold). */
static void
cut_cam (CxrCurrentImage *self)
{
  CxrCamResult *cam = self->cam;
  if (cam == NULL || cam->cam == NULL)
    return;

  gsize n = (gsize) cam->width * cam->height;
  if (self->mask_size != n)
    {
      g_free (self->mask);
      self->mask = g_malloc (n);
      self->mask_size = n;
    }
  /* Scored against the ground truth of the class the CAM explains (BB.csv's "Cardiomegaly" rows). */
  g_autoptr (GArray) truth = cxr_cam_truth_rects (self->bboxes, cam->target_name);
  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_cut (&cut, self->workspace, cam->cam, cam->width, cam->height, (float) self->threshold,
               CXR_BOX_MODE_LARGEST, (const CxrRect *) truth->data, truth->len, self->mask);
  g_autoptr (CxrPyramid) mask = cxr_mask_pyramid_new (self->mask, cam->width, cam->height, MASK_OUTSIDE_ALPHA);
  const CxrBoxScore score = cut.score;
  fill_predicted_boxes (self->predicted_boxes, cam, cut.boxes);

  cxr_pane_content_set_mask (self->content, mask);
  cxr_pane_content_set_predicted_boxes (self->content, calls_positive (cam) ? self->predicted_boxes : NULL);
  if (cxr_box_score_is_scored (&score))
    {
      set_scores (self, score.iou, score.iobb);
      /* The list and Run on All score the card's positive class; another class's IoU stays on screen. */
      if (self->results != NULL && self->explains_positive)
        cxr_results_set_localisation (self->results, self->index, (float) score.iou, (float) score.iobb,
                                      (float) self->threshold);
    }
  else
    set_scores (self, NAN, NAN);
}

/* The second method's map cut at the same threshold, through the same call as the first's: its IoU for its
 * caption and its box for its half, drawn by the same rule. */
static void
cut_second (CxrCurrentImage *self)
{
  CxrCamResult *cam = self->second_cam;
  g_array_set_size (self->second_boxes, 0);
  self->second_iou = NAN;
  if (self->second_content != NULL)
    cxr_pane_content_set_predicted_boxes (self->second_content, NULL);
  if (cam == NULL || cam->cam == NULL)
    return;
  gsize n = (gsize) cam->width * cam->height;
  g_autofree guint8 *mask = g_malloc (n);
  g_autoptr (GArray) truth = cxr_cam_truth_rects (self->bboxes, cam->target_name);
  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_cut (&cut, self->workspace, cam->cam, cam->width, cam->height, (float) self->threshold,
               CXR_BOX_MODE_LARGEST, (const CxrRect *) truth->data, truth->len, mask);
  g_array_append_vals (self->second_boxes, cut.boxes->data, cut.boxes->len);
  if (cxr_box_score_is_scored (&cut.score))
    self->second_iou = cut.score.iou;
  if (self->second_content != NULL && calls_positive (cam))
    {
      g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
      fill_predicted_boxes (boxes, cam, cut.boxes);
      cxr_pane_content_set_predicted_boxes (self->second_content, boxes);
    }
}

/* Both cuts; the IoU notification comes after the second's, so that a caption reads both. */
static void
cut_both (CxrCurrentImage *self)
{
  cut_second (self);
  cut_cam (self);
}

static void
make_heatmap_in (CxrCurrentImage *self, CxrCamResult *cam, CxrPaneContent *content)
{
  if (cam == NULL || cam->cam == NULL || content == NULL)
    return;
  guint8 lut[768];
  cxr_colormap_fill_lut (self->colormap, lut);
  g_autoptr (CxrPyramid) heatmap = cxr_heatmap_pyramid_new (cam->cam, cam->width, cam->height, lut);
  g_autoptr (GBytes) values = g_bytes_new_with_free_func (cam->cam, (gsize) cam->width * cam->height * sizeof (float),
                                                          (GDestroyNotify) cxr_cam_result_unref,
                                                          cxr_cam_result_ref (cam));
  cxr_pane_content_set_heatmap (content, heatmap, values);
}

static void
make_heatmap (CxrCurrentImage *self)
{
  CxrCamResult *cam = self->cam;
  if (cam == NULL || cam->cam == NULL)
    return;

  guint8 lut[768];
  cxr_colormap_fill_lut (self->colormap, lut);
  g_autoptr (CxrPyramid) heatmap = cxr_heatmap_pyramid_new (cam->cam, cam->width, cam->height, lut);
  /* The pointer readout reads the CAM through these bytes; they keep the result alive. */
  g_autoptr (GBytes) values = g_bytes_new_with_free_func (cam->cam, (gsize) cam->width * cam->height * sizeof (float),
                                                          (GDestroyNotify) cxr_cam_result_unref,
                                                          cxr_cam_result_ref (cam));
  cxr_pane_content_set_heatmap (self->content, heatmap, values);
}

static void
show_pixels_of (CxrCurrentImage *self, CxrCamResult *cam)
{
  /* The network decoded the image too; use its pixels if the display decode has not finished. */
  g_autoptr (CxrDisplayImage) image = cxr_display_image_new_from_gray8 (cam->gray8, cam->width, cam->height);
  cxr_pane_content_set_image (self->content, image->pyramid, image->gray8, image->width, image->height);
  if (self->second_content != NULL)
    cxr_pane_content_set_image (self->second_content, image->pyramid, image->gray8, image->width, image->height);
  show_gt_boxes (self);
  self->image_shown = TRUE;
  set_loading (self, FALSE);
}

static void
on_cam_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  CxrCurrentImage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrCamResult) cam = cxr_engine_cam_finish (CXR_ENGINE (source), result, &error);

  if (is_cancelled (error) || request->index != self->index)
    return;   /* stale: another image is on screen */

  set_analysing (self, FALSE);
  if (cam == NULL)
    {
      set_error (self, error->message);
      if (self->results != NULL)
        cxr_results_set_error (self->results, self->index, error->message);
      update_cam_status (self);
      return;
    }

  g_clear_pointer (&self->cam, cxr_cam_result_unref);
  self->cam = cxr_cam_result_ref (cam);
  if (!self->image_shown)
    show_pixels_of (self, cam);

  set_probability (self, cam->probabilities[cam->target_class]);
  /* The list shows the card's positive class for every image, whichever class the heatmap explains. */
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  guint positive = model != NULL ? cxr_model_get_card (model)->positive_class : (guint) cam->target_class;
  self->explains_positive = (int) positive == cam->target_class;
  if (self->results != NULL && positive < cam->n_classes)
    cxr_results_set_prediction (self->results, self->index, cam->probabilities[positive],
                                cam->probabilities[positive] >= 0.5f);
  make_heatmap (self);
  cut_cam (self);
  update_cam_status (self);
}

/* A slow method's progress within the image; dropped once another request replaced the one it belongs to. */
static void
on_cam_step (double fraction, gpointer user_data)
{
  Request *request = user_data;
  CxrCurrentImage *self = request->self;
  if (request->index != self->index || request->generation != self->generation || !self->analysing)
    return;
  self->step_fraction = fraction;
  update_cam_status (self);
}

static void
on_second_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  CxrCurrentImage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrCamResult) cam = cxr_engine_cam_finish (CXR_ENGINE (source), result, &error);

  if (is_cancelled (error) || request->index != self->index || request->generation != self->generation
      || self->second_content == NULL)
    return;
  g_clear_pointer (&self->second_cam, cxr_cam_result_unref);
  if (cam == NULL)
    {
      cxr_pane_content_set_cam_status (self->second_content, error->message);
      return;
    }
  self->second_cam = cxr_cam_result_ref (cam);
  cxr_pane_content_set_cam_status (self->second_content, NULL);
  make_heatmap_in (self, cam, self->second_content);
  cut_second (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IOU]);
}

/* The second method's job, after the first's on the engine thread. */
static void
start_second (CxrCurrentImage *self, const char *path, const CxrCamOptions *first)
{
  g_clear_pointer (&self->second_cam, cxr_cam_result_unref);
  g_array_set_size (self->second_boxes, 0);
  self->second_iou = NAN;
  if (self->second_method == NULL || self->second_content == NULL)
    return;
  cxr_pane_content_set_heatmap (self->second_content, NULL, NULL);
  cxr_pane_content_set_predicted_boxes (self->second_content, NULL);
  CxrCamOptions options = *first;
  if (!cxr_cam_method_from_name (self->second_method, &options.method, NULL))
    return;
  /* Translators: the second heatmap pane while its method runs, e.g. "Computing HiResCAM…" */
  g_autofree char *status = g_strdup_printf (_("Computing %s…"), cxr_method_title (options.method));
  cxr_pane_content_set_cam_status (self->second_content, status);
  cxr_engine_cam_async (self->engine, path, &options, self->cam_cancellable, on_second_ready, request_new (self));
}

static void
start_analysis (CxrCurrentImage *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  g_autofree char *path = NULL;

  if (model == NULL || self->dataset == NULL || self->index == G_MAXUINT)
    {
      update_cam_status (self);
      return;
    }
  path = cxr_dataset_dup_image_path (self->dataset, self->index);
  if (path == NULL)
    return;

  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  if (!cxr_cam_method_from_name (self->method, &options.method, NULL))
    options.method = CXR_CAM_METHOD_GRADCAM;
  options.layer = self->layer;
  options.aug_smooth = self->aug_smooth;
  options.eigen_smooth = self->eigen_smooth;
  options.target_class = self->target;

  self->computing = options.method;
  self->step_fraction = cxr_cam_method_is_perturbation (options.method) ? 0.0 : -1.0;
  self->generation++;
  set_analysing (self, TRUE);
  update_cam_status (self);
  cxr_engine_cam_async_full (self->engine, path, &options, on_cam_step, request_new (self),
                             (GDestroyNotify) request_free, self->cam_cancellable, on_cam_ready,
                             request_new (self));
  start_second (self, path, &options);
}

/* ---- loading ------------------------------------------------------------- */

static void
attach_stored (CxrCurrentImage *self, CxrDisplayImage *image)
{
  int width, height;
  cxr_pane_content_get_size (self->content, &width, &height);
  if (width != image->width || height != image->height)
    return;
  cxr_pane_content_set_stored (self->content, image->stored);
  if (self->second_content != NULL)
    cxr_pane_content_set_stored (self->second_content, image->stored);
}

static void
on_image_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Request) request = user_data;
  CxrCurrentImage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDisplayImage) image = cxr_display_image_load_finish (result, &error);

  if (is_cancelled (error) || request->index != self->index)
    return;

  set_loading (self, FALSE);
  /* The network's answer came first and showed its own decode of the same file, with the overlays on it: showing
   * the pixels again would take the overlays away (a new image has none), and they would not come back. A DICOM
   * image's stored values still go under that picture, for the window/level control and the readout. */
  if (self->image_shown)
    {
      if (image != NULL && image->stored != NULL)
        attach_stored (self, image);
      return;
    }
  if (image == NULL)
    {
      set_error (self, error->message);
      cxr_pane_content_clear (self->content);
      update_cam_status (self);
      return;
    }

  cxr_pane_content_set_image (self->content, image->pyramid, image->gray8, image->width, image->height);
  if (self->second_content != NULL)
    cxr_pane_content_set_image (self->second_content, image->pyramid, image->gray8, image->width, image->height);
  attach_stored (self, image);
  show_gt_boxes (self);
  self->image_shown = TRUE;
  update_cam_status (self);
}

void
cxr_current_image_show (CxrCurrentImage *self, guint index)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  /* Latest request wins: whatever the previous image still had queued is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->cam_cancellable);
  g_clear_object (&self->cam_cancellable);
  self->cam_cancellable = g_cancellable_new ();

  self->index = index;
  self->image_shown = FALSE;
  g_clear_pointer (&self->cam, cxr_cam_result_unref);
  g_array_set_size (self->predicted_boxes, 0);
  set_error (self, NULL);
  set_probability (self, NAN);
  set_scores (self, NAN, NAN);
  set_analysing (self, FALSE);
  load_gt_boxes (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);

  g_autofree char *path = NULL;
  if (self->dataset != NULL && index != G_MAXUINT)
    path = cxr_dataset_dup_image_path (self->dataset, index);
  if (path == NULL)
    {
      set_loading (self, FALSE);
      cxr_pane_content_clear (self->content);
      if (self->second_content != NULL)
        cxr_pane_content_clear (self->second_content);
      if (index != G_MAXUINT)
        set_error (self, _("The image file was not found"));
      update_cam_status (self);
      return;
    }

  /* The previous picture stays until the new one is decoded, which avoids a flash of empty panes; its
   * overlays go at once, since they belong to the old image. */
  cxr_pane_content_set_mask (self->content, NULL);
  cxr_pane_content_set_heatmap (self->content, NULL, NULL);
  cxr_pane_content_set_predicted_boxes (self->content, NULL);
  if (self->second_content != NULL)
    {
      cxr_pane_content_set_heatmap (self->second_content, NULL, NULL);
      cxr_pane_content_set_predicted_boxes (self->second_content, NULL);
    }
  set_loading (self, TRUE);
  cxr_display_image_load_async (path, self->cancellable, on_image_loaded, request_new (self));
  start_analysis (self);
}

void
cxr_current_image_reload_boxes (CxrCurrentImage *self)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (self->index == G_MAXUINT)
    return;
  load_gt_boxes (self);
  if (self->image_shown)
    show_gt_boxes (self);
  /* The scores are against the ground truth: cut again (a few milliseconds, no job). */
  cut_both (self);
}

const GArray *
cxr_current_image_get_bboxes (CxrCurrentImage *self)
{
  return self->bboxes;
}

guint
cxr_current_image_get_index (CxrCurrentImage *self)
{
  return self->index;
}

void
cxr_current_image_reanalyse (CxrCurrentImage *self)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  g_cancellable_cancel (self->cam_cancellable);
  g_clear_object (&self->cam_cancellable);
  self->cam_cancellable = g_cancellable_new ();

  g_clear_pointer (&self->cam, cxr_cam_result_unref);
  g_array_set_size (self->predicted_boxes, 0);
  cxr_pane_content_set_mask (self->content, NULL);
  cxr_pane_content_set_heatmap (self->content, NULL, NULL);
  cxr_pane_content_set_predicted_boxes (self->content, NULL);
  set_error (self, NULL);
  set_probability (self, NAN);
  set_scores (self, NAN, NAN);
  set_analysing (self, FALSE);
  start_analysis (self);
}

void
cxr_current_image_set_dataset (CxrCurrentImage *self, CxrDataset *dataset, CxrResults *results)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  g_set_object (&self->dataset, dataset);
  g_set_object (&self->results, results);
  cxr_current_image_show (self, G_MAXUINT);
}

void
cxr_current_image_set_threshold (CxrCurrentImage *self, double threshold)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  threshold = CLAMP (threshold, 0.0, 1.0);
  if (threshold == self->threshold)
    return;
  self->threshold = threshold;
  cut_both (self);
}

double
cxr_current_image_get_threshold (CxrCurrentImage *self)
{
  return self->threshold;
}

void
cxr_current_image_set_colormap (CxrCurrentImage *self, CxrColormap colormap)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (colormap == self->colormap)
    return;
  self->colormap = colormap;
  make_heatmap (self);
  make_heatmap_in (self, self->second_cam, self->second_content);
}

void
cxr_current_image_set_method (CxrCurrentImage *self, const char *method)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (g_strcmp0 (method, self->method) == 0)
    return;
  g_free (self->method);
  self->method = g_strdup (method);
  cxr_current_image_reanalyse (self);
}

void
cxr_current_image_set_layer (CxrCurrentImage *self, const char *layer)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (g_strcmp0 (layer, self->layer) == 0)
    return;
  g_free (self->layer);
  self->layer = g_strdup (layer);
  cxr_current_image_reanalyse (self);
}

const CxrCamResult *
cxr_current_image_get_cam (CxrCurrentImage *self)
{
  g_return_val_if_fail (CXR_IS_CURRENT_IMAGE (self), NULL);

  return self->cam;
}

void
cxr_current_image_set_smoothing (CxrCurrentImage *self, gboolean aug_smooth, gboolean eigen_smooth)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (self->aug_smooth == aug_smooth && self->eigen_smooth == eigen_smooth)
    return;
  self->aug_smooth = aug_smooth;
  self->eigen_smooth = eigen_smooth;
  cxr_current_image_reanalyse (self);
}

void
cxr_current_image_set_target (CxrCurrentImage *self, int target)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  self->target = target;
}

int
cxr_current_image_get_target_class (CxrCurrentImage *self)
{
  return self->cam != NULL ? self->cam->target_class : -1;
}

const char *
cxr_current_image_get_target_name (CxrCurrentImage *self)
{
  return self->cam != NULL ? self->cam->target_name : NULL;
}

gboolean
cxr_current_image_get_loading (CxrCurrentImage *self)
{
  return self->loading;
}

gboolean
cxr_current_image_get_analysing (CxrCurrentImage *self)
{
  return self->analysing;
}

const char *
cxr_current_image_get_error (CxrCurrentImage *self)
{
  return self->error;
}

double
cxr_current_image_get_probability (CxrCurrentImage *self)
{
  return self->probability;
}

double
cxr_current_image_get_iou (CxrCurrentImage *self)
{
  return self->iou;
}

double
cxr_current_image_get_iobb (CxrCurrentImage *self)
{
  return self->iobb;
}

const GArray *
cxr_current_image_get_predicted_boxes (CxrCurrentImage *self)
{
  return self->predicted_boxes;
}

static void
cxr_current_image_dispose (GObject *object)
{
  CxrCurrentImage *self = CXR_CURRENT_IMAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->cam_cancellable != NULL)
    g_cancellable_cancel (self->cam_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->cam_cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->content);
  g_clear_object (&self->dataset);
  g_clear_object (&self->results);
  g_clear_object (&self->second_content);

  G_OBJECT_CLASS (cxr_current_image_parent_class)->dispose (object);
}

static void
cxr_current_image_finalize (GObject *object)
{
  CxrCurrentImage *self = CXR_CURRENT_IMAGE (object);

  g_clear_pointer (&self->cam, cxr_cam_result_unref);
  g_clear_pointer (&self->second_cam, cxr_cam_result_unref);
  g_array_unref (self->second_boxes);
  g_free (self->second_method);
  g_free (self->mask);
  g_clear_pointer (&self->bboxes, g_array_unref);
  g_clear_pointer (&self->workspace, cxr_cam_workspace_free);
  g_array_unref (self->gt_boxes);
  g_array_unref (self->predicted_boxes);
  g_free (self->error);
  g_free (self->method);
  g_free (self->layer);

  G_OBJECT_CLASS (cxr_current_image_parent_class)->finalize (object);
}

static void
cxr_current_image_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrCurrentImage *self = CXR_CURRENT_IMAGE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_uint (value, self->index);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_ANALYSING:
      g_value_set_boolean (value, self->analysing);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_PROBABILITY:
      g_value_set_double (value, self->probability);
      break;
    case PROP_IOU:
      g_value_set_double (value, self->iou);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_current_image_class_init (CxrCurrentImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cxr_current_image_dispose;
  object_class->finalize = cxr_current_image_finalize;
  object_class->get_property = cxr_current_image_get_property;

  properties[PROP_INDEX] =
    g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, G_MAXUINT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANALYSING] =
    g_param_spec_boolean ("analysing", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Also stands for the predicted label, which follows from it. */
  properties[PROP_PROBABILITY] =
    g_param_spec_double ("probability", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Notified for IoU and IoBB together, and for the predicted boxes. */
  properties[PROP_IOU] =
    g_param_spec_double ("iou", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cxr_current_image_init (CxrCurrentImage *self)
{
  self->index = G_MAXUINT;
  self->threshold = 0.5;
  self->target = CXR_CAM_TARGET_TOP;
  self->probability = NAN;
  self->iou = NAN;
  self->iobb = NAN;
  self->step_fraction = -1.0;
  self->second_iou = NAN;
  self->second_boxes = g_array_new (FALSE, FALSE, sizeof (CxrRect));
  self->cancellable = g_cancellable_new ();
  self->cam_cancellable = g_cancellable_new ();
  self->gt_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  self->workspace = cxr_cam_workspace_new ();
  self->predicted_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  self->method = g_strdup ("grad-cam");
  self->layer = g_strdup ("layer4");
}

void
cxr_current_image_set_second (CxrCurrentImage *self, const char *method, CxrPaneContent *content)
{
  g_return_if_fail (CXR_IS_CURRENT_IMAGE (self));

  if (g_strcmp0 (method, self->second_method) == 0 && content == self->second_content)
    return;
  g_free (self->second_method);
  self->second_method = g_strdup (method);
  g_set_object (&self->second_content, content);
  g_clear_pointer (&self->second_cam, cxr_cam_result_unref);
  g_array_set_size (self->second_boxes, 0);
  self->second_iou = NAN;
  if (content == NULL || method == NULL)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IOU]);
      return;
    }
  if (self->image_shown)
    {
      cxr_pane_content_copy_image (content, self->content);
      cxr_pane_content_set_gt_boxes (content, self->gt_boxes);
    }
  cxr_pane_content_set_heatmap (content, NULL, NULL);
  /* Only the second map is computed again; the first stays. */
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  g_autofree char *path = NULL;
  if (model != NULL && self->dataset != NULL && self->index != G_MAXUINT)
    path = cxr_dataset_dup_image_path (self->dataset, self->index);
  if (path == NULL)
    return;
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  if (!cxr_cam_method_from_name (self->method, &options.method, NULL))
    options.method = CXR_CAM_METHOD_GRADCAM;
  options.layer = self->layer;
  options.aug_smooth = self->aug_smooth;
  options.eigen_smooth = self->eigen_smooth;
  /* The class the first map explains, once known: both halves explain the same class. */
  options.target_class = self->cam != NULL ? self->cam->target_class : self->target;
  start_second (self, path, &options);
}

const CxrCamResult *
cxr_current_image_get_second_cam (CxrCurrentImage *self)
{
  return self->second_cam;
}

double
cxr_current_image_get_second_iou (CxrCurrentImage *self)
{
  return self->second_iou;
}

const GArray *
cxr_current_image_get_second_boxes (CxrCurrentImage *self)
{
  return self->second_boxes;
}

CxrCurrentImage *
cxr_current_image_new (CxrEngine *engine, CxrPaneContent *content)
{
  g_return_val_if_fail (CXR_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (CXR_IS_PANE_CONTENT (content), NULL);

  CxrCurrentImage *self = g_object_new (CXR_TYPE_CURRENT_IMAGE, NULL);
  self->engine = g_object_ref (engine);
  self->content = g_object_ref (content);
  return self;
}
