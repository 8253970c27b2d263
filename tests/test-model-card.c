/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model card: defaults from the head size, a card file beside the weights (both names), every field,
 * a save/load round trip, and errors that name the file and the key. */
#include <glib/gstdio.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-model-card.h"
#include "cxr-test-util.h"

static void
assert_imagenet_defaults (const CxrModelCard *card)
{
  g_assert_cmpuint (card->input_width, ==, 224);
  g_assert_cmpuint (card->input_height, ==, 224);
  g_assert_cmpuint (card->input_channels, ==, 0);
  const float mean[3] = { 0.485f, 0.456f, 0.406f }, std[3] = { 0.229f, 0.224f, 0.225f };
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (card->mean[c], ==, mean[c]);
      g_assert_cmpfloat (card->std[c], ==, std[c]);
    }
  g_assert_cmpstr (card->resize_mode, ==, "bilinear-antialias");
  g_assert_cmpstr (card->cam_layer, ==, "layer4");
  g_assert_cmpfloat (card->cam_threshold, ==, 0.5f);
}

static void
test_defaults (void)
{
  g_autoptr (CxrModelCard) one = cxr_model_card_new_default (1);
  g_assert_cmpuint (one->n_classes, ==, 1);
  g_assert_cmpstr (one->class_names[0], ==, "Cardiomegaly");
  g_assert_null (one->class_names[1]);
  g_assert_cmpint (one->activation, ==, CXR_ACTIVATION_SIGMOID);
  g_assert_cmpuint (one->positive_class, ==, 0);
  g_assert_null (one->source_path);
  assert_imagenet_defaults (one);

  g_autoptr (CxrModelCard) two = cxr_model_card_new_default (2);
  g_assert_cmpstrv (two->class_names, ((const char *const[]) { "No Finding", "Cardiomegaly", NULL }));
  g_assert_cmpint (two->activation, ==, CXR_ACTIVATION_SOFTMAX);
  g_assert_cmpuint (two->positive_class, ==, 1);

  g_autoptr (CxrModelCard) nih = cxr_model_card_new_default (14);
  g_assert_cmpstrv (nih->class_names, ((const char *const[]) {
    "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia", "Pneumothorax",
    "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia", NULL }));
  g_assert_cmpint (nih->activation, ==, CXR_ACTIVATION_SIGMOID);
  g_assert_cmpuint (nih->positive_class, ==, 1);

  g_autoptr (CxrModelCard) five = cxr_model_card_new_default (5);
  g_assert_cmpstrv (five->class_names,
                    ((const char *const[]) { "class 0", "class 1", "class 2", "class 3", "class 4", NULL }));
  g_assert_cmpint (five->activation, ==, CXR_ACTIVATION_SOFTMAX);
  g_assert_cmpuint (five->positive_class, ==, 4);  /* no Cardiomegaly: the last class */

  g_autoptr (CxrModelCard) copy = cxr_model_card_copy (nih);
  g_assert_cmpstrv (copy->class_names, (const char *const *) nih->class_names);
}

static const char full_card[] =
  "{\n"
  "  \"class_names\": [\"Normal\", \"Enlarged heart\", \"Other\"],\n"
  "  \"activation\": \"sigmoid\",\n"
  "  \"input_size\": [320, 256],\n"
  "  \"input_channels\": 1,\n"
  "  \"mean\": 0.5, \"std\": [0.25, 0.5, 0.125],\n"
  "  \"resize_mode\": \"bilinear-antialias\",\n"
  "  \"cam_layer\": \"layer3\",\n"
  "  \"cam_threshold\": 0.35,\n"
  "  \"positive_class\": \"Enlarged heart\",\n"
  "  \"comment\": \"unknown keys are ignored\"\n"
  "}\n";

static void
assert_full_card (const CxrModelCard *card)
{
  g_assert_cmpstrv (card->class_names, ((const char *const[]) { "Normal", "Enlarged heart", "Other", NULL }));
  g_assert_cmpuint (card->n_classes, ==, 3);
  g_assert_cmpint (card->activation, ==, CXR_ACTIVATION_SIGMOID);
  g_assert_cmpuint (card->input_width, ==, 320);
  g_assert_cmpuint (card->input_height, ==, 256);
  g_assert_cmpuint (card->input_channels, ==, 1);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (card->mean[c], ==, 0.5f);
  g_assert_cmpfloat (card->std[0], ==, 0.25f);
  g_assert_cmpfloat (card->std[2], ==, 0.125f);
  g_assert_cmpstr (card->cam_layer, ==, "layer3");
  g_assert_cmpfloat (card->cam_threshold, ==, 0.35f);
  g_assert_cmpuint (card->positive_class, ==, 1);
}

static void
test_card_beside_weights (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *weights = g_build_filename (dir, "model.pth", NULL);
  g_autofree char *appended = g_build_filename (dir, "model.pth.json", NULL);
  g_autofree char *stem = g_build_filename (dir, "model.json", NULL);
  g_autoptr (GError) error = NULL;

  /* No card: defaults from the head. */
  g_autoptr (CxrModelCard) none = cxr_model_card_load_for_weights (weights, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_null (none->source_path);
  g_assert_cmpuint (none->n_classes, ==, 2);

  /* model.json */
  g_assert_true (g_file_set_contents (stem, full_card, -1, NULL));
  g_autoptr (CxrModelCard) by_stem = cxr_model_card_load_for_weights (weights, NULL, 3, &error);
  g_assert_no_error (error);
  assert_full_card (by_stem);
  g_assert_cmpstr (by_stem->source_path, ==, stem);

  /* model.pth.json wins over model.json */
  g_assert_true (g_file_set_contents (appended, "{\"class_names\": [\"a\", \"b\", \"Cardiomegaly\"]}", -1, NULL));
  g_autoptr (CxrModelCard) by_name = cxr_model_card_load_for_weights (weights, NULL, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_name->source_path, ==, appended);
  g_assert_cmpuint (by_name->positive_class, ==, 2);
  g_assert_cmpint (by_name->activation, ==, CXR_ACTIVATION_SOFTMAX);
  assert_imagenet_defaults (by_name);

  /* An explicit card wins over both. */
  g_autofree char *explicit = g_build_filename (dir, "other-card.json", NULL);
  g_assert_true (g_file_set_contents (explicit, "{\"cam_threshold\": 0.7}", -1, NULL));
  g_autoptr (CxrModelCard) given = cxr_model_card_load_for_weights (weights, explicit, 14, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (given->cam_threshold, ==, 0.7f);
  g_assert_cmpuint (given->n_classes, ==, 14);  /* no class_names: from the head */
  g_assert_cmpstr (given->class_names[13], ==, "Hernia");
}

static void
test_class_count_mismatch (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *weights = g_build_filename (dir, "net.safetensors", NULL);
  g_autofree char *card = g_build_filename (dir, "net.safetensors.json", NULL);
  g_assert_true (g_file_set_contents (card, full_card, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModelCard) loaded = cxr_model_card_load_for_weights (weights, NULL, 2, &error);
  g_assert_null (loaded);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "3 classes"));
  g_assert_nonnull (strstr (error->message, "2 outputs"));
  g_assert_nonnull (strstr (error->message, card));
}

static void
test_round_trip (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *src = g_build_filename (dir, "in.json", NULL);
  g_autofree char *dst = g_build_filename (dir, "out.json", NULL);
  g_assert_true (g_file_set_contents (src, full_card, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModelCard) card = cxr_model_card_load (src, 0, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_model_card_save (card, dst, &error));
  g_assert_no_error (error);
  g_autoptr (CxrModelCard) back = cxr_model_card_load (dst, 3, &error);
  g_assert_no_error (error);
  assert_full_card (back);

  /* Defaults survive too, and read as written (0.485, not 0.48500001430511475). */
  g_autoptr (CxrModelCard) defaults = cxr_model_card_new_default (14);
  g_assert_true (cxr_model_card_save (defaults, dst, &error));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (dst, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "0.485"));
  g_assert_null (strstr (text, "0.4850000"));
  g_autoptr (CxrModelCard) defaults_back = cxr_model_card_load (dst, 14, &error);
  g_assert_no_error (error);
  assert_imagenet_defaults (defaults_back);
  g_assert_cmpstrv (defaults_back->class_names, (const char *const *) defaults->class_names);
}

static void
test_bad_cards (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const struct {
    const char *json;
    CxrErrorCode code;
    const char *mention;
  } cases[] = {
    { "{\"class_names\": [\"a\", \"b\"", CXR_ERROR_FORMAT, "not valid JSON" },
    { "[1, 2]", CXR_ERROR_FORMAT, "not a JSON object" },
    { "{\"activation\": \"relu\"}", CXR_ERROR_FORMAT, "'activation'" },
    { "{\"std\": [0.2, 0, 0.2]}", CXR_ERROR_FORMAT, "'std'" },
    { "{\"mean\": [0.2, 0.2]}", CXR_ERROR_FORMAT, "'mean'" },
    { "{\"input_size\": [0, 224]}", CXR_ERROR_FORMAT, "'input_size'" },
    { "{\"input_width\": \"224\"}", CXR_ERROR_FORMAT, "'input_width'" },
    { "{\"input_channels\": 2}", CXR_ERROR_FORMAT, "'input_channels'" },
    { "{\"cam_threshold\": 1.5}", CXR_ERROR_FORMAT, "'cam_threshold'" },
    { "{\"class_names\": [\"a\", \"a\"]}", CXR_ERROR_FORMAT, "'class_names'" },
    { "{\"class_names\": [\"a\", \"b\"], \"positive_class\": \"c\"}", CXR_ERROR_FORMAT, "'positive_class'" },
    { "{\"positive_class\": 2}", CXR_ERROR_FORMAT, "'positive_class'" },
    /* Degenerate normalisation: once a std of 1e-45 (a float32 denormal) made every probability NaN. */
    { "{\"std\": 1e-45}", CXR_ERROR_FORMAT, "'std'" },
    { "{\"std\": [0.2, 0.2, 1e300]}", CXR_ERROR_FORMAT, "'std'" },
    { "{\"mean\": [0.5, 1e39, 0.5]}", CXR_ERROR_FORMAT, "'mean'" },
    /* Once accepted, and 17.4 GB for one forward pass. */
    { "{\"input_size\": 8192}", CXR_ERROR_LIMIT, "input size limit" },
    { "{\"input_width\": 4096}", CXR_ERROR_LIMIT, "input size limit" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("card-%" G_GSIZE_FORMAT ".json", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_set_contents (path, cases[i].json, -1, NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrModelCard) card = cxr_model_card_load (path, 2, &error);
      g_assert_null (card);
      g_assert_error (error, CXR_ERROR, (gint) cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      if (strstr (error->message, cases[i].mention) == NULL)
        g_error ("'%s' lacks '%s'", error->message, cases[i].mention);
    }

  /* 80,000 nested arrays (160 KB) overflowed json-glib's recursion; the nesting limit comes first now. */
  g_autofree char *deep_path = g_build_filename (dir, "deep.json", NULL);
  g_autoptr (GString) deep = g_string_new ("{\"mean\": ");
  for (int i = 0; i < 80000; i++)
    g_string_append_c (deep, '[');
  g_assert_true (g_file_set_contents (deep_path, deep->str, deep->len, NULL));
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (CxrModelCard) card = cxr_model_card_load (deep_path, 2, &error);
    g_assert_null (card);
    g_assert_error (error, CXR_ERROR, CXR_ERROR_LIMIT);
    g_assert_nonnull (strstr (error->message, "nesting limit"));
  }

  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModelCard) card = cxr_model_card_load_for_weights ("model.pth", missing, 2, &error);
  g_assert_null (card);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-card/defaults", test_defaults);
  g_test_add_func ("/model-card/beside-weights", test_card_beside_weights);
  g_test_add_func ("/model-card/class-count-mismatch", test_class_count_mismatch);
  g_test_add_func ("/model-card/round-trip", test_round_trip);
  g_test_add_func ("/model-card/bad-cards", test_bad_cards);
  return g_test_run ();
}
