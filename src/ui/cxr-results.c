/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-results.c: a sparse table of per-image results. */
#include "config.h"

#include "cxr-results.h"

struct _CxrResults {
  GObject parent_instance;

  guint n_entries;
  GHashTable *entries;   /* GUINT index -> CxrImageResult* */
};

G_DEFINE_FINAL_TYPE (CxrResults, cxr_results, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
image_result_free (CxrImageResult *result)
{
  g_free (result->error);
  g_free (result);
}

static void
cxr_results_finalize (GObject *object)
{
  CxrResults *self = CXR_RESULTS (object);

  g_hash_table_unref (self->entries);

  G_OBJECT_CLASS (cxr_results_parent_class)->finalize (object);
}

static void
cxr_results_class_init (CxrResultsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_results_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cxr_results_init (CxrResults *self)
{
  self->entries = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) image_result_free);
}

CxrResults *
cxr_results_new (guint n_entries)
{
  CxrResults *self = g_object_new (CXR_TYPE_RESULTS, NULL);
  self->n_entries = n_entries;
  return self;
}

guint
cxr_results_get_n_entries (CxrResults *self)
{
  return self->n_entries;
}

const CxrImageResult *
cxr_results_lookup (CxrResults *self, guint index)
{
  g_return_val_if_fail (CXR_IS_RESULTS (self), NULL);
  return g_hash_table_lookup (self->entries, GUINT_TO_POINTER (index));
}

static CxrImageResult *
ensure (CxrResults *self, guint index)
{
  CxrImageResult *result = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (index));
  if (result == NULL)
    {
      result = g_new0 (CxrImageResult, 1);
      g_hash_table_insert (self->entries, GUINT_TO_POINTER (index), result);
    }
  return result;
}

void
cxr_results_set_prediction (CxrResults *self, guint index, float probability, gboolean positive)
{
  g_return_if_fail (CXR_IS_RESULTS (self));
  g_return_if_fail (index < self->n_entries);

  CxrImageResult *result = ensure (self, index);
  if ((result->flags & CXR_RESULT_PREDICTED) && result->probability == probability && result->positive == positive)
    return;
  result->flags = (result->flags | CXR_RESULT_PREDICTED) & ~CXR_RESULT_FAILED;
  g_clear_pointer (&result->error, g_free);
  result->probability = probability;
  result->positive = positive;
  g_signal_emit (self, signals[CHANGED], 0, index);
}

void
cxr_results_set_localisation (CxrResults *self, guint index, float iou, float iobb, float threshold)
{
  g_return_if_fail (CXR_IS_RESULTS (self));
  g_return_if_fail (index < self->n_entries);

  CxrImageResult *result = ensure (self, index);
  if ((result->flags & CXR_RESULT_LOCALISED) && result->iou == iou && result->iobb == iobb
      && result->threshold == threshold)
    return;
  result->flags |= CXR_RESULT_LOCALISED;
  result->iou = iou;
  result->iobb = iobb;
  result->threshold = threshold;
  g_signal_emit (self, signals[CHANGED], 0, index);
}

void
cxr_results_clear_localisation (CxrResults *self, guint index)
{
  g_return_if_fail (CXR_IS_RESULTS (self));

  CxrImageResult *result = g_hash_table_lookup (self->entries, GUINT_TO_POINTER (index));
  if (result == NULL || !(result->flags & CXR_RESULT_LOCALISED))
    return;
  result->flags &= ~CXR_RESULT_LOCALISED;
  g_signal_emit (self, signals[CHANGED], 0, index);
}

void
cxr_results_set_error (CxrResults *self, guint index, const char *message)
{
  g_return_if_fail (CXR_IS_RESULTS (self));
  g_return_if_fail (index < self->n_entries);

  CxrImageResult *result = ensure (self, index);
  result->flags = CXR_RESULT_FAILED;
  g_free (result->error);
  result->error = g_strdup (message);
  g_signal_emit (self, signals[CHANGED], 0, index);
}

void
cxr_results_clear (CxrResults *self)
{
  g_return_if_fail (CXR_IS_RESULTS (self));

  if (g_hash_table_size (self->entries) == 0)
    return;
  g_hash_table_remove_all (self->entries);
  g_signal_emit (self, signals[CHANGED], 0, G_MAXUINT);
}

guint
cxr_results_count (CxrResults *self, CxrResultFlags flags)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if ((((CxrImageResult *) value)->flags & flags) == flags)
      count++;
  return count;
}

guint
cxr_results_count_positive (CxrResults *self)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const CxrImageResult *result = value;
      if ((result->flags & CXR_RESULT_PREDICTED) && result->positive)
        count++;
    }
  return count;
}
