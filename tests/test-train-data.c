/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training data: the uint8 cache against inference preprocessing, augmentation (deterministic,
 * bounded, the identity when switched to nothing), epoch orders (shuffled, balanced) and the loader
 * thread (same batches as rendering by hand, resumable from any batch, errors that name the file). */
#include <math.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-preprocess.h"
#include "cxr-test-util.h"
#include "cxr-train-data.h"
#include "cxr-train-loader.h"

#define SIDE 56

static CxrTrainData *
make_data (guint n_images)
{
  const char *dir = cxr_test_nih14_dir ();
  if (dir == NULL)
    return NULL;
  g_autofree char *images = g_build_filename (dir, "images", NULL);
  g_autoptr (GDir) folder = g_dir_open (images, 0, NULL);
  g_assert_nonnull (folder);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (folder)) != NULL;)
    if (g_str_has_suffix (name, ".png"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);

  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  params.width = params.height = SIDE;
  CxrTrainData *data = cxr_train_data_new (&params, 1);
  for (guint i = 0; i < n_images && i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (images, g_ptr_array_index (names, i), NULL);
      guint8 label = i % 3 == 0;
      cxr_train_data_add (data, path, &label);
    }
  return data;
}

/* The cache holds round(resize * 255); plain rendering is ToTensor + Normalize of it, within half a
 * grey level of inference's unquantised preprocessing. */
static void
test_cache_quantisation (void)
{
  g_autoptr (CxrTrainData) data = make_data (3);
  if (data == NULL)
    return;
  const CxrPreprocessParams *p = cxr_train_data_get_params (data);
  gsize floats = cxr_train_data_get_image_floats (data), plane = (gsize) SIDE * SIDE;
  g_autofree float *rendered = g_new (float, floats);
  g_autofree float *inferred = g_new (float, floats);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < 3; i++)
    {
      g_assert_null (cxr_train_data_peek_cached (data, i));
      g_assert_true (cxr_train_data_ensure_cached (data, i, &error));
      g_assert_no_error (error);
      const guint8 *cached = cxr_train_data_peek_cached (data, i);
      cxr_train_data_render (data, i, NULL, 0, rendered);
      g_assert_true (cxr_preprocess_file (inferred, cxr_train_data_get_path (data, i), p, &error));
      for (int c = 0; c < p->channels; c++)
        for (gsize k = 0; k < plane; k++)
          {
            float want = (cached[k] / 255.0f - p->mean[c]) / p->std[c];
            g_assert_cmpfloat (rendered[c * plane + k], ==, want);
            g_assert_cmpfloat (fabsf (rendered[c * plane + k] - inferred[c * plane + k]), <=,
                               0.5f / 255.0f / p->std[c] + 1e-6f);
          }
    }
  g_assert_cmpuint (cxr_train_data_get_n_cached (data), ==, 3);
}

static void
test_augmentation (void)
{
  g_autoptr (CxrTrainData) data = make_data (1);
  if (data == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_train_data_ensure_cached (data, 0, &error));
  gsize floats = cxr_train_data_get_image_floats (data);
  const CxrPreprocessParams *p = cxr_train_data_get_params (data);
  g_autofree float *a = g_new (float, floats), *b = g_new (float, floats), *plain = g_new (float, floats);
  CxrAugmentParams aug;
  cxr_augment_params_init_default (&aug);

  /* The same seed gives the same image; another seed another one. */
  cxr_train_data_render (data, 0, &aug, 42, a);
  cxr_train_data_render (data, 0, &aug, 42, b);
  g_assert_cmpmem (a, floats * sizeof (float), b, floats * sizeof (float));
  cxr_train_data_render (data, 0, &aug, 43, b);
  g_assert_true (memcmp (a, b, floats * sizeof (float)) != 0);

  /* Values stay those of grey levels in [0, 1]. */
  for (gsize i = 0; i < floats; i++)
    {
      int c = i / ((gsize) SIDE * SIDE);
      g_assert_cmpfloat (a[i], >=, (0 - p->mean[c]) / p->std[c] - 1e-5f);
      g_assert_cmpfloat (a[i], <=, (1 - p->mean[c]) / p->std[c] + 1e-5f);
    }

  /* Nothing to draw: the augmented image is the plain one (the affine map is the identity). */
  CxrAugmentParams none = { 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 };
  cxr_train_data_render (data, 0, &none, 7, a);
  cxr_train_data_render (data, 0, NULL, 0, plain);
  cxr_assert_close_abs (a, plain, floats, 1e-5);

  /* A certain flip mirrors the rows. */
  none.hflip = 1.0;
  cxr_train_data_render (data, 0, &none, 7, a);
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      g_assert_cmpfloat (fabsf (a[y * SIDE + x] - plain[y * SIDE + SIDE - 1 - x]), <, 1e-5f);
}

static void
test_epoch_order (void)
{
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  g_autoptr (CxrTrainData) data = cxr_train_data_new (&params, 1);
  guint indices[40];
  for (guint i = 0; i < 40; i++)
    {
      guint8 label = i < 8;    /* 8 positives, 32 negatives */
      g_autofree char *name = g_strdup_printf ("image-%u.png", i);
      indices[i] = cxr_train_data_add (data, name, &label);
    }

  g_autoptr (GArray) a = cxr_train_data_epoch_order (data, indices, 40, FALSE, 5, 0);
  g_autoptr (GArray) b = cxr_train_data_epoch_order (data, indices, 40, FALSE, 5, 0);
  g_autoptr (GArray) c = cxr_train_data_epoch_order (data, indices, 40, FALSE, 5, 1);
  g_assert_cmpmem (a->data, 40 * sizeof (guint), b->data, 40 * sizeof (guint));
  g_assert_true (memcmp (a->data, c->data, 40 * sizeof (guint)) != 0);
  gboolean seen[40] = { FALSE };
  for (guint i = 0; i < 40; i++)
    {
      guint k = g_array_index (a, guint, i);
      g_assert_false (seen[k]);
      seen[k] = TRUE;
    }

  /* Balanced: as many draws as images, each class about half of them over many epochs. */
  guint positives = 0, draws = 0;
  for (guint epoch = 0; epoch < 50; epoch++)
    {
      g_autoptr (GArray) order = cxr_train_data_epoch_order (data, indices, 40, TRUE, 9, epoch);
      g_assert_cmpuint (order->len, ==, 40);
      for (guint i = 0; i < order->len; i++)
        positives += cxr_train_data_get_labels (data, g_array_index (order, guint, i))[0];
      draws += order->len;
    }
  g_test_message ("balanced sampling: %u of %u draws positive (8 of 40 images are)", positives, draws);
  g_assert_cmpfloat (fabs ((double) positives / draws - 0.5), <, 0.05);
}

/* Batches from the loader thread are what rendering by hand gives, from any first batch. */
static void
test_loader (void)
{
  g_autoptr (CxrTrainData) data = make_data (11);
  if (data == NULL)
    return;
  guint order[11] = { 3, 1, 4, 10, 5, 9, 2, 6, 0, 8, 7 };
  CxrAugmentParams aug;
  cxr_augment_params_init_default (&aug);
  gsize floats = cxr_train_data_get_image_floats (data);
  g_autofree float *want = g_new (float, floats);
  g_autoptr (GError) error = NULL;

  for (guint first = 0; first < 3; first++)
    {
      /* 11 images in batches of 5: 5, 5 and a single one, dropped. */
      g_autoptr (CxrLoader) loader = cxr_loader_new (data, order, 11, 5, TRUE, &aug, 77, 3, first);
      g_assert_cmpuint (cxr_loader_get_n_batches (loader), ==, 2);
      guint expected = first;
      for (CxrBatch *b; (b = cxr_loader_next (loader, &error)) != NULL; cxr_loader_recycle (loader, b), expected++)
        {
          g_assert_cmpuint (b->number, ==, expected);
          g_assert_cmpint (b->n, ==, 5);
          for (int i = 0; i < b->n; i++)
            {
              guint position = b->number * 5 + i;
              g_assert_cmpuint (b->indices[i], ==, order[position]);
              cxr_train_data_render (data, order[position], &aug, cxr_train_seed_mix (77, 3, position), want);
              g_assert_cmpmem (b->input + i * floats, floats * sizeof (float), want, floats * sizeof (float));
              g_assert_cmpuint (b->labels[i], ==, cxr_train_data_get_labels (data, order[position])[0]);
            }
        }
      g_assert_no_error (error);
      g_assert_cmpuint (expected, ==, 2 > first ? 2 : first);
    }

  /* Kept when not dropped. */
  g_autoptr (CxrLoader) keep = cxr_loader_new (data, order, 11, 5, FALSE, NULL, 0, 0, 0);
  g_assert_cmpuint (cxr_loader_get_n_batches (keep), ==, 3);
  guint total = 0;
  for (CxrBatch *b; (b = cxr_loader_next (keep, &error)) != NULL; cxr_loader_recycle (keep, b))
    total += b->n;
  g_assert_cmpuint (total, ==, 11);
}

static void
test_loader_error (void)
{
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  g_autoptr (CxrTrainData) data = cxr_train_data_new (&params, 1);
  guint8 label = 0;
  cxr_train_data_add (data, "/nonexistent/cxrcam-missing.png", &label);
  cxr_train_data_add (data, "/nonexistent/cxrcam-missing-too.png", &label);
  guint order[2] = { 0, 1 };
  g_autoptr (CxrLoader) loader = cxr_loader_new (data, order, 2, 2, TRUE, NULL, 0, 0, 0);
  g_autoptr (GError) error = NULL;
  g_assert_null (cxr_loader_next (loader, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "cxrcam-missing.png"));
  /* Freeing a loader that stopped on an error (or mid-epoch) joins its thread cleanly. */
  g_autoptr (CxrTrainData) more = make_data (8);
  if (more == NULL)
    return;
  guint eight[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autoptr (CxrLoader) early = cxr_loader_new (more, eight, 8, 2, TRUE, NULL, 0, 0, 0);
  CxrBatch *b = cxr_loader_next (early, &error);
  g_assert_nonnull (b);
  cxr_loader_recycle (early, b);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train-data/cache-quantisation", test_cache_quantisation);
  g_test_add_func ("/train-data/augmentation", test_augmentation);
  g_test_add_func ("/train-data/epoch-order", test_epoch_order);
  g_test_add_func ("/train-data/loader", test_loader);
  g_test_add_func ("/train-data/loader-error", test_loader_error);
  return g_test_run ();
}
