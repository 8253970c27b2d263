/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-train-loader.h"

#include <string.h>

#include "cxr-tensor.h"

#define N_BUFFERS 3

struct _CxrLoader {
  CxrTrainData *data;             /* borrowed */
  guint *order;
  guint n_order;
  int batch_size;
  guint n_batches;
  gboolean augment_on;
  CxrAugmentParams augment;
  guint64 seed;
  guint epoch;
  guint first_batch;

  CxrBatch buffers[N_BUFFERS];
  GThread *thread;
  GMutex lock;                    /* guards everything below */
  GCond changed;
  GQueue free_buffers;            /* CxrBatch * */
  GQueue ready;                   /* CxrBatch *, in batch order */
  gboolean finished;              /* the thread has produced its last batch (or failed) */
  gboolean stop;                  /* the consumer asks the thread to end */
  GError *error;
};

static gboolean
fill_batch (CxrLoader *loader, CxrBatch *batch, guint number, GError **error)
{
  gsize floats = cxr_train_data_get_image_floats (loader->data);
  int k = cxr_train_data_get_n_labels (loader->data);
  guint start = number * loader->batch_size;
  batch->n = MIN ((guint) loader->batch_size, loader->n_order - start);
  batch->number = number;
  for (int i = 0; i < batch->n; i++)
    {
      if (g_atomic_int_get (&loader->stop))
        return TRUE;
      guint position = start + i, index = loader->order[position];
      if (!cxr_train_data_ensure_cached (loader->data, index, error))
        return FALSE;
      guint64 seed = cxr_train_seed_mix (loader->seed, loader->epoch, position);
      cxr_train_data_render (loader->data, index, loader->augment_on ? &loader->augment : NULL, seed,
                             batch->input + (gsize) i * floats);
      memcpy (batch->labels + (gsize) i * k, cxr_train_data_get_labels (loader->data, index), k);
      batch->indices[i] = index;
    }
  return TRUE;
}

static gpointer
loader_thread (gpointer user_data)
{
  CxrLoader *loader = user_data;
  for (guint number = loader->first_batch; number < loader->n_batches; number++)
    {
      g_mutex_lock (&loader->lock);
      while (g_queue_is_empty (&loader->free_buffers) && !loader->stop)
        g_cond_wait (&loader->changed, &loader->lock);
      CxrBatch *batch = loader->stop ? NULL : g_queue_pop_head (&loader->free_buffers);
      g_mutex_unlock (&loader->lock);
      if (batch == NULL)
        break;

      GError *error = NULL;
      gboolean ok = fill_batch (loader, batch, number, &error);

      g_mutex_lock (&loader->lock);
      if (!ok)
        {
          loader->error = error;
          g_queue_push_tail (&loader->free_buffers, batch);
        }
      else
        g_queue_push_tail (&loader->ready, batch);
      g_cond_broadcast (&loader->changed);
      g_mutex_unlock (&loader->lock);
      if (!ok)
        break;
    }
  g_mutex_lock (&loader->lock);
  loader->finished = TRUE;
  g_cond_broadcast (&loader->changed);
  g_mutex_unlock (&loader->lock);
  return NULL;
}

CxrLoader *
cxr_loader_new (CxrTrainData *data, const guint *order, guint n_order, int batch_size, gboolean drop_single,
                const CxrAugmentParams *augment, guint64 seed, guint epoch, guint first_batch)
{
  g_return_val_if_fail (batch_size >= 1, NULL);
  CxrLoader *loader = g_new0 (CxrLoader, 1);
  loader->data = data;
  loader->order = g_memdup2 (order, MAX (n_order, 1) * sizeof (guint));
  loader->n_order = n_order;
  loader->batch_size = batch_size;
  guint full = n_order / batch_size, rest = n_order % batch_size;
  loader->n_batches = full + (rest > 1 || (rest == 1 && !drop_single) ? 1 : 0);
  if (loader->n_batches * (guint) batch_size < n_order)
    loader->n_order = loader->n_batches * batch_size;  /* the dropped single image */
  loader->augment_on = augment != NULL;
  if (augment)
    loader->augment = *augment;
  loader->seed = seed;
  loader->epoch = epoch;
  loader->first_batch = first_batch;

  gsize floats = cxr_train_data_get_image_floats (data);
  int k = cxr_train_data_get_n_labels (data);
  for (int i = 0; i < N_BUFFERS; i++)
    {
      CxrBatch *b = &loader->buffers[i];
      b->input = cxr_alloc_floats (floats * batch_size);
      b->labels = g_new0 (guint8, (gsize) k * batch_size);
      b->indices = g_new0 (guint, batch_size);
      g_queue_push_tail (&loader->free_buffers, b);
    }
  g_mutex_init (&loader->lock);
  g_cond_init (&loader->changed);
  loader->thread = g_thread_new ("cxr-loader", loader_thread, loader);
  return loader;
}

guint
cxr_loader_get_n_batches (const CxrLoader *loader)
{
  return loader->n_batches;
}

CxrBatch *
cxr_loader_next (CxrLoader *loader, GError **error)
{
  g_mutex_lock (&loader->lock);
  while (g_queue_is_empty (&loader->ready) && !loader->finished)
    g_cond_wait (&loader->changed, &loader->lock);
  CxrBatch *batch = g_queue_pop_head (&loader->ready);
  if (batch == NULL && loader->error)
    g_propagate_error (error, g_steal_pointer (&loader->error));
  g_mutex_unlock (&loader->lock);
  return batch;
}

void
cxr_loader_recycle (CxrLoader *loader, CxrBatch *batch)
{
  g_mutex_lock (&loader->lock);
  g_queue_push_tail (&loader->free_buffers, batch);
  g_cond_broadcast (&loader->changed);
  g_mutex_unlock (&loader->lock);
}

void
cxr_loader_free (CxrLoader *loader)
{
  if (loader == NULL)
    return;
  g_mutex_lock (&loader->lock);
  g_atomic_int_set (&loader->stop, TRUE);
  g_cond_broadcast (&loader->changed);
  g_mutex_unlock (&loader->lock);
  g_thread_join (loader->thread);
  for (int i = 0; i < N_BUFFERS; i++)
    {
      cxr_free_floats (loader->buffers[i].input);
      g_free (loader->buffers[i].labels);
      g_free (loader->buffers[i].indices);
    }
  g_queue_clear (&loader->free_buffers);
  g_queue_clear (&loader->ready);
  g_clear_error (&loader->error);
  g_mutex_clear (&loader->lock);
  g_cond_clear (&loader->changed);
  g_free (loader->order);
  g_free (loader);
}
