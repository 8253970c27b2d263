/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Full-size parity: torchvision ResNet-18 and ResNet-50, built by torchvision in this run from a fixed
 * seed with non-trivial BatchNorm statistics and saved with torch.save, give cxrcam the same logits
 * as PyTorch on five real NIH images (1e-3 absolute), through the same path as `cxrcam-cli predict`:
 * cxr_model_load (checkpoint reader, architecture inference, default card) and cxr_model_predict
 * (decode, preprocess, forward). */
#include "cxr-model.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"

/* Two RGBA files (equal channels), and gray ones with and without boxes. */
static const char *const image_names[] = {
  "00000001_000.png", "00001369_000.png", "00000004_000.png", "00022215_012.png", "00030164_000.png",
};
#define N_IMAGES G_N_ELEMENTS (image_names)

typedef struct {
  char *dir;
  char *paths[N_IMAGES];
  gboolean have_reference;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  f->dir = cxr_test_make_tmpdir ();
  const char *args[2 + N_IMAGES] = { f->dir };
  for (gsize i = 0; i < N_IMAGES; i++)
    {
      f->paths[i] = g_build_filename (nih, "images", image_names[i], NULL);
      args[1 + i] = f->paths[i];
    }
  f->have_reference = cxr_test_run_reference ("parity_full.py", args);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  for (gsize i = 0; i < N_IMAGES; i++)
    g_free (f->paths[i]);
  g_free (f->dir);
}

static void
test_full_parity (Fixture *f, gconstpointer data)
{
  const char *arch = data;
  if (!f->have_reference)
    return;

  g_autofree char *weights_file = g_strdup_printf ("%s.pth", arch);
  g_autofree char *logits_file = g_strdup_printf ("%s.logits.npy", arch);
  g_autofree char *weights = g_build_filename (f->dir, weights_file, NULL);
  g_autofree char *logits_path = g_build_filename (f->dir, logits_file, NULL);
  g_autoptr (GError) error = NULL;

  g_autoptr (CxrTensor) want = cxr_npy_load (logits_path, &error);
  g_assert_no_error (error);
  g_autoptr (CxrModel) model = cxr_model_load (weights, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *description = cxr_model_describe (model);
  g_test_message ("%s", description);
  g_assert_true (g_str_has_prefix (description, arch));

  CxrImage *images[N_IMAGES];
  for (gsize i = 0; i < N_IMAGES; i++)
    {
      images[i] = cxr_image_load (f->paths[i], &error);
      g_assert_no_error (error);
    }

  /* All five in one batch, then each alone. */
  float logits[N_IMAGES * 2];
  g_assert_true (cxr_model_predict (model, images, N_IMAGES, logits, &error));
  g_assert_no_error (error);
  g_test_message ("PyTorch %s logits scale: %.3g", arch, cxr_test_max_abs (want->data, N_IMAGES * 2));
  cxr_assert_close_abs (logits, want->data, N_IMAGES * 2, 1e-3);
  for (gsize i = 0; i < N_IMAGES; i++)
    {
      float single[2];
      g_assert_true (cxr_model_predict (model, &images[i], 1, single, &error));
      cxr_assert_close_abs (single, want->data + 2 * i, 2, 1e-3);
      cxr_image_free (images[i]);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/parity/resnet18", Fixture, "resnet18", fixture_set_up, test_full_parity, fixture_tear_down);
  g_test_add ("/parity/resnet50", Fixture, "resnet50", fixture_set_up, test_full_parity, fixture_tear_down);
  return g_test_run ();
}
