/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-dataset-sample.h"

#include <stdlib.h>

#include "cxr-error.h"

/* SplitMix64 (Steele, Lea and Flood 2014): tiny, and fixed forever, unlike GRand's seeding across versions. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias (Lemire's method would do too; n is small here). */
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

/* Fisher-Yates over the first k positions: they become a uniform sample without replacement. */
static void
shuffle_prefix (guint *items, guint n, guint k, guint64 *state)
{
  for (guint i = 0; i < k && i + 1 < n; i++)
    {
      guint j = i + random_below (state, n - i);
      guint t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

GArray *
cxr_dataset_balanced_subset (CxrDataset *dataset, guint32 positive, guint32 negative, gboolean require_image,
                             guint64 seed, guint *n_positive)
{
  CxrDatasetFilter positives_filter = { .any_findings = positive,
                                        .has_image = require_image ? CXR_DATASET_YES : CXR_DATASET_ANY };
  CxrDatasetFilter negatives_filter = positives_filter;
  negatives_filter.any_findings = negative;
  negatives_filter.no_findings = positive;
  GArray *subset = cxr_dataset_filter (dataset, &positives_filter);
  g_autoptr (GArray) negatives = cxr_dataset_filter (dataset, &negatives_filter);

  guint k = MIN (subset->len, negatives->len);
  guint64 state = seed;
  shuffle_prefix ((guint *) negatives->data, negatives->len, k, &state);
  if (n_positive != NULL)
    *n_positive = subset->len;
  g_array_append_vals (subset, negatives->data, k);
  g_array_sort (subset, compare_uint);
  return subset;
}

typedef struct {
  guint32 patient;   /* 0: an entry without a patient, a group of its own */
  guint index;
} Member;

static gint
compare_members (gconstpointer a, gconstpointer b)
{
  const Member *x = a, *y = b;
  if (x->patient != y->patient)
    return x->patient < y->patient ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

gboolean
cxr_dataset_split_by_patient (CxrDataset *dataset, const guint *indices, guint n_indices,
                              double validation_fraction, guint64 seed, GArray **train, GArray **validation,
                              GError **error)
{
  if (!(validation_fraction >= 0.0 && validation_fraction <= 1.0))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "the validation fraction %g is not between 0 and 1",
                   validation_fraction);
      return FALSE;
    }
  guint n_entries = cxr_dataset_get_n_entries (dataset);
  g_autofree Member *members = g_new (Member, MAX (n_indices, 1));
  for (guint i = 0; i < n_indices; i++)
    {
      if (indices[i] >= n_entries)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "entry %u does not exist", indices[i]);
          return FALSE;
        }
      members[i] = (Member) { cxr_dataset_get_entry (dataset, indices[i])->patient_id, indices[i] };
    }
  /* Group by patient in a fixed order, so that the shuffle alone depends on the seed. */
  qsort (members, n_indices, sizeof (Member), compare_members);
  g_autoptr (GArray) group_start = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n_indices; i++)
    if (i == 0 || members[i].patient == 0 || members[i].patient != members[i - 1].patient)
      g_array_append_val (group_start, i);
  guint n_groups = group_start->len;
  g_autofree guint *order = g_new (guint, MAX (n_groups, 1));
  for (guint g = 0; g < n_groups; g++)
    order[g] = g;
  guint64 state = seed;
  shuffle_prefix (order, n_groups, n_groups, &state);

  guint target = (guint) (validation_fraction * n_indices + 0.5);
  GArray *train_out = g_array_new (FALSE, FALSE, sizeof (guint));
  GArray *validation_out = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint k = 0; k < n_groups; k++)
    {
      guint g = order[k];
      guint start = g_array_index (group_start, guint, g);
      guint end = g + 1 < n_groups ? g_array_index (group_start, guint, g + 1) : n_indices;
      GArray *side = validation_out->len < target ? validation_out : train_out;
      for (guint i = start; i < end; i++)
        g_array_append_val (side, members[i].index);
    }
  g_array_sort (train_out, compare_uint);
  g_array_sort (validation_out, compare_uint);
  *train = train_out;
  *validation = validation_out;
  return TRUE;
}
