/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-state-dict.h"
#include "cxr-test-util.h"

static void
test_shape_string (void)
{
  g_autofree char *s = cxr_shape_to_string (4, (gint64[]) { 64, 3, 7, 7 });
  g_assert_cmpstr (s, ==, "[64, 3, 7, 7]");
  g_autofree char *scalar = cxr_shape_to_string (0, NULL);
  g_assert_cmpstr (scalar, ==, "[]");
}

static void
test_tensor_new_zeroed_and_aligned (void)
{
  g_autoptr (CxrTensor) t = cxr_tensor_new_4d (2, 3, 5, 7);
  g_assert_cmpint (cxr_tensor_numel (t), ==, 210);
  g_assert_cmpuint ((guintptr) t->data % 64, ==, 0);
  for (int i = 0; i < 210; i++)
    g_assert_cmpfloat (t->data[i], ==, 0.0f);
  g_assert_true (cxr_tensor_shape_equal (t, 4, (gint64[]) { 2, 3, 5, 7 }));
  g_assert_false (cxr_tensor_shape_equal (t, 4, (gint64[]) { 2, 3, 7, 5 }));
}

static void
test_state_dict_order_and_replace (void)
{
  g_autoptr (CxrStateDict) sd = cxr_state_dict_new ();
  cxr_state_dict_insert (sd, "conv1.weight", cxr_tensor_new_1d (1));
  cxr_state_dict_insert (sd, "bn1.weight", cxr_tensor_new_1d (2));
  cxr_state_dict_insert (sd, "fc.bias", cxr_tensor_new_1d (3));
  cxr_state_dict_insert (sd, "bn1.weight", cxr_tensor_new_1d (5));

  g_assert_cmpuint (cxr_state_dict_size (sd), ==, 3);
  g_assert_cmpstr (cxr_state_dict_key_at (sd, 0), ==, "conv1.weight");
  g_assert_cmpstr (cxr_state_dict_key_at (sd, 1), ==, "bn1.weight");
  g_assert_cmpstr (cxr_state_dict_key_at (sd, 2), ==, "fc.bias");
  g_assert_cmpint (cxr_state_dict_lookup (sd, "bn1.weight")->shape[0], ==, 5);
  g_assert_null (cxr_state_dict_lookup (sd, "nope"));

  g_autoptr (CxrTensor) stolen = cxr_state_dict_steal (sd, "conv1.weight");
  g_assert_nonnull (stolen);
  g_assert_cmpuint (cxr_state_dict_size (sd), ==, 2);
  g_assert_cmpstr (cxr_state_dict_key_at (sd, 0), ==, "bn1.weight");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tensor/shape-string", test_shape_string);
  g_test_add_func ("/tensor/new", test_tensor_new_zeroed_and_aligned);
  g_test_add_func ("/state-dict/order", test_state_dict_order_and_replace);
  return g_test_run ();
}
