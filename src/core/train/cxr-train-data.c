/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-data.c: the training images' cache, augmentation and epoch order (see cxr-train-data.h). */
#include "cxr-train-data.h"

#include <math.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-image.h"
#include "cxr-resize.h"
#include "cxr-tensor.h"

typedef struct {
  char *path;
  guint8 labels[CXR_TRAIN_MAX_LABELS];
  guint8 *pixels;                /* [height, width] once cached */
} Entry;

struct _CxrTrainData {
  CxrPreprocessParams params;
  int n_labels;
  GArray *entries;               /* Entry */
  guint n_cached;
};

void
cxr_augment_params_init_default (CxrAugmentParams *params)
{
  *params = (CxrAugmentParams) {
    .scale_min = 0.8, .scale_max = 1.0,
    .ratio_min = 3.0 / 4.0, .ratio_max = 4.0 / 3.0,
    .max_rotation = 10.0,
    .hflip = 0.0,
    .brightness = 0.1, .contrast = 0.1,
  };
}

static void
entry_clear (gpointer data)
{
  Entry *entry = data;
  g_free (entry->path);
  g_free (entry->pixels);
}

CxrTrainData *
cxr_train_data_new (const CxrPreprocessParams *params, int n_labels)
{
  g_return_val_if_fail (n_labels >= 1 && n_labels <= CXR_TRAIN_MAX_LABELS, NULL);
  CxrTrainData *data = g_new0 (CxrTrainData, 1);
  data->params = *params;
  data->n_labels = n_labels;
  data->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (data->entries, entry_clear);
  return data;
}

void
cxr_train_data_free (CxrTrainData *data)
{
  if (data == NULL)
    return;
  g_array_unref (data->entries);
  g_free (data);
}

guint
cxr_train_data_add (CxrTrainData *data, const char *path, const guint8 *labels)
{
  Entry entry = { .path = g_strdup (path) };
  for (int k = 0; k < data->n_labels; k++)
    entry.labels[k] = labels[k] ? 1 : 0;
  g_array_append_val (data->entries, entry);
  return data->entries->len - 1;
}

guint
cxr_train_data_get_size (const CxrTrainData *data)
{
  return data->entries->len;
}

int
cxr_train_data_get_n_labels (const CxrTrainData *data)
{
  return data->n_labels;
}

const CxrPreprocessParams *
cxr_train_data_get_params (const CxrTrainData *data)
{
  return &data->params;
}

const char *
cxr_train_data_get_path (const CxrTrainData *data, guint index)
{
  return g_array_index (data->entries, Entry, index).path;
}

const guint8 *
cxr_train_data_get_labels (const CxrTrainData *data, guint index)
{
  return g_array_index (data->entries, Entry, index).labels;
}

gsize
cxr_train_data_get_image_floats (const CxrTrainData *data)
{
  return cxr_preprocess_output_size (&data->params);
}

guint
cxr_train_data_get_n_cached (const CxrTrainData *data)
{
  return data->n_cached;
}

const guint8 *
cxr_train_data_peek_cached (const CxrTrainData *data, guint index)
{
  return g_array_index (data->entries, Entry, index).pixels;
}

gboolean
cxr_train_data_ensure_cached (CxrTrainData *data, guint index, GError **error)
{
  Entry *entry = &g_array_index (data->entries, Entry, index);
  if (entry->pixels)
    return TRUE;
  g_autoptr (CxrImage) image = cxr_image_load (entry->path, error);
  if (image == NULL)
    return FALSE;
  int h = data->params.height, w = data->params.width;
  gsize plane = (gsize) h * w;
  float *resized = cxr_alloc_floats (plane);
  cxr_resize_bilinear_aa (resized, h, w, image->pixels, image->height, image->width);
  guint8 *pixels = g_new (guint8, plane);
  for (gsize i = 0; i < plane; i++)
    pixels[i] = (guint8) lrintf (CLAMP (resized[i], 0.0f, 1.0f) * 255.0f);
  cxr_free_floats (resized);
  entry->pixels = pixels;
  data->n_cached++;
  return TRUE;
}

/* ---- random numbers ------------------------------------------------------ */

/* SplitMix64: the same sequence on every machine and GLib version. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
next_uniform (guint64 *state)
{
  return (next_random (state) >> 11) * (1.0 / 9007199254740992.0);
}

static double
uniform_between (guint64 *state, double a, double b)
{
  return a + (b - a) * next_uniform (state);
}

static guint
random_below (guint64 *state, guint n)
{
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % n;
  guint64 r;
  do
    r = next_random (state);
  while (r >= limit);
  return (guint) (r % n);
}

guint64
cxr_train_seed_mix (guint64 seed, guint64 epoch, guint64 position)
{
  guint64 state = seed;
  guint64 a = next_random (&state) ^ epoch;
  state = a;
  guint64 b = next_random (&state) ^ position;
  state = b;
  return next_random (&state);
}

/* ---- rendering ----------------------------------------------------------- */

static void
normalise (const CxrPreprocessParams *p, const float *gray, float *out)
{
  gsize plane = (gsize) p->height * p->width;
  for (int c = 0; c < p->channels; c++)
    {
      float mean = p->mean[c], std = p->std[c];
      float *dst = out + (gsize) c * plane;
      for (gsize i = 0; i < plane; i++)
        dst[i] = (gray[i] - mean) / std;
    }
}

/* Bilinear sample of the 8-bit image at continuous pixel coordinates (pixel centres at +0.5), in
 * [0, 1]; outside the image counts as black. */
static float
sample_bilinear (const guint8 *pixels, int h, int w, double sx, double sy)
{
  double fx = sx - 0.5, fy = sy - 0.5;
  double x0f = floor (fx), y0f = floor (fy);
  int x0 = (int) x0f, y0 = (int) y0f;
  double ax = fx - x0f, ay = fy - y0f;
  double v = 0;
  for (int dy = 0; dy <= 1; dy++)
    for (int dx = 0; dx <= 1; dx++)
      {
        int x = x0 + dx, y = y0 + dy;
        if (x < 0 || y < 0 || x >= w || y >= h)
          continue;
        double weight = (dx ? ax : 1 - ax) * (dy ? ay : 1 - ay);
        v += weight * pixels[(gsize) y * w + x];
      }
  return (float) (v / 255.0);
}

static void
render_augmented (const guint8 *pixels, int h, int w, const CxrAugmentParams *a, guint64 seed, float *gray)
{
  guint64 state = seed;

  /* The crop, as torchvision's RandomResizedCrop draws it (area fraction, log-uniform aspect). */
  double area = uniform_between (&state, a->scale_min, a->scale_max);
  double log_ratio = uniform_between (&state, log (a->ratio_min), log (a->ratio_max));
  double ratio = exp (log_ratio);
  double cw = MIN (w, w * sqrt (area * ratio));
  double ch = MIN (h, h * sqrt (area / ratio));
  double x0 = uniform_between (&state, 0, w - cw);
  double y0 = uniform_between (&state, 0, h - ch);
  double angle = uniform_between (&state, -a->max_rotation, a->max_rotation) * G_PI / 180.0;
  gboolean flip = next_uniform (&state) < a->hflip;
  double brightness = uniform_between (&state, 1 - a->brightness, 1 + a->brightness);
  double contrast = uniform_between (&state, 1 - a->contrast, 1 + a->contrast);

  double cx = x0 + cw / 2, cy = y0 + ch / 2;
  double cos_a = cos (angle), sin_a = sin (angle);
  double sum = 0;
  for (int v = 0; v < h; v++)
    for (int u = 0; u < w; u++)
      {
        double uu = flip ? w - 1 - u : u;
        double px = x0 + (uu + 0.5) * cw / w - cx;
        double py = y0 + (v + 0.5) * ch / h - cy;
        double sx = cx + cos_a * px - sin_a * py;
        double sy = cy + sin_a * px + cos_a * py;
        float x = sample_bilinear (pixels, h, w, sx, sy);
        x = CLAMP (x * (float) brightness, 0.0f, 1.0f);
        gray[(gsize) v * w + u] = x;
        sum += x;
      }
  float mean = (float) (sum / ((gsize) h * w));
  for (gsize i = 0; i < (gsize) h * w; i++)
    gray[i] = CLAMP ((gray[i] - mean) * (float) contrast + mean, 0.0f, 1.0f);
}

void
cxr_train_data_render (const CxrTrainData *data, guint index, const CxrAugmentParams *augment, guint64 seed,
                       float *out)
{
  const Entry *entry = &g_array_index (data->entries, Entry, index);
  g_return_if_fail (entry->pixels != NULL);
  const CxrPreprocessParams *p = &data->params;
  gsize plane = (gsize) p->height * p->width;

  /* The gray plane goes into the last channel and is normalised from there, that one in place,
   * as cxr_preprocess does: no scratch buffer. */
  float *gray = out + (gsize) (p->channels - 1) * plane;
  if (augment == NULL)
    for (gsize i = 0; i < plane; i++)
      gray[i] = entry->pixels[i] / 255.0f;
  else
    render_augmented (entry->pixels, p->height, p->width, augment, seed, gray);
  normalise (p, gray, out);
}

/* ---- epoch order --------------------------------------------------------- */

GArray *
cxr_train_data_epoch_order (const CxrTrainData *data, const guint *indices, guint n, gboolean balanced,
                            guint64 seed, guint epoch)
{
  guint64 state = cxr_train_seed_mix (seed, epoch, G_MAXUINT64);
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);

  if (balanced)
    {
      g_autoptr (GArray) negatives = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr (GArray) positives = g_array_new (FALSE, FALSE, sizeof (guint));
      GArray *classes[2] = { negatives, positives };
      for (guint i = 0; i < n; i++)
        {
          guint index = indices[i];
          g_array_append_val (classes[cxr_train_data_get_labels (data, index)[0] ? 1 : 0], index);
        }
      for (guint i = 0; i < n; i++)
        {
          /* A class that has no images cannot be drawn. */
          int c = classes[0]->len == 0 ? 1 : classes[1]->len == 0 ? 0 : (int) random_below (&state, 2);
          guint pick = g_array_index (classes[c], guint, random_below (&state, classes[c]->len));
          g_array_append_val (order, pick);
        }
      return order;
    }

  g_array_append_vals (order, indices, n);
  guint *items = (guint *) order->data;
  for (guint i = n; i > 1; i--)
    {
      guint j = random_below (&state, i);
      guint t = items[i - 1];
      items[i - 1] = items[j];
      items[j] = t;
    }
  return order;
}
