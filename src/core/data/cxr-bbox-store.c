/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-bbox-store.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-bbox-format.h"
#include "cxr-bbox-journal.h"
#include "cxr-bbox-store-private.h"
#include "cxr-error.h"
#include "cxr-limits.h"

/* BB.csv for all of NIH is 92 KB; a file of this size is something else. */
#define BBOX_MAX_FILE_SIZE CXR_LIMIT_BBOX_CSV_BYTES

typedef struct {
  guint64 serial;
  guint id;
  gboolean before_exists;     /* FALSE for an add */
  CxrBBoxRowState before, after;
} UndoStep;

struct _CxrBBoxStore {
  GObject parent_instance;

  char *path;
  char *text;                 /* the file's bytes as read or last saved */
  gsize text_length;
  CxrFileIdentity disk;   /* the identity of those bytes on disk */
  CxrBBoxStyle style;

  GArray *items;              /* CxrBBoxItem in file order; rows are never removed while the store lives */
  GArray *item_of_id;         /* guint index into items, by id; G_MAXUINT for unused ids */
  guint next_id;
  GHashTable *strings;        /* interned image names and labels */
  guint n_differences;        /* rows that differ from the file: the store is dirty when > 0 */

  GArray *steps;              /* UndoStep; the first n_done are done, the rest can be redone */
  guint n_done;
  guint64 next_serial;

  CxrBBoxJournal *journal;    /* open once the first edit since the last save was made */
  CxrBBoxRecovery recovery;
  CxrBBoxJournalContents *pending;   /* the journal found at open, while recovery is PENDING */
  guint recovery_edits;
  CxrCrashHooks *hooks;        /* NULL except under the kill test */
  char *read_only;             /* why edits are refused (the file or its folder cannot be written); NULL: they are not */
};

enum {
  PROP_0,
  PROP_DIRTY,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CxrBBoxStore, cxr_bbox_store, G_TYPE_OBJECT)

/* ---- bookkeeping ----------------------------------------------------------------------------------------- */

static const char *
intern (gpointer data, const char *text, gsize length)
{
  CxrBBoxStore *store = data;
  g_autofree char *key = g_strndup (text, length);
  const char *found = g_hash_table_lookup (store->strings, key);
  if (found != NULL)
    return found;
  char *owned = g_steal_pointer (&key);
  g_hash_table_add (store->strings, owned);
  return owned;
}

static const char *
intern_string (CxrBBoxStore *store, const char *text)
{
  return intern (store, text, strlen (text));
}

static CxrBBoxItem *
item_at (CxrBBoxStore *store, guint index)
{
  return &g_array_index (store->items, CxrBBoxItem, index);
}

static CxrBBoxItem *
lookup_row (CxrBBoxStore *store, guint id)
{
  if (id == 0 || id >= store->item_of_id->len)
    return NULL;
  guint index = g_array_index (store->item_of_id, guint, id);
  return index == G_MAXUINT ? NULL : item_at (store, index);
}

static void
index_rows (CxrBBoxStore *store)
{
  g_array_set_size (store->item_of_id, 0);
  guint max_id = 0;
  for (guint i = 0; i < store->items->len; i++)
    max_id = MAX (max_id, item_at (store, i)->id);
  g_array_set_size (store->item_of_id, max_id + 1);
  for (guint id = 0; id <= max_id; id++)
    g_array_index (store->item_of_id, guint, id) = G_MAXUINT;
  for (guint i = 0; i < store->items->len; i++)
    if (item_at (store, i)->kind == CXR_BBOX_ITEM_ROW)
      g_array_index (store->item_of_id, guint, item_at (store, i)->id) = i;
  store->next_id = MAX (store->next_id, max_id + 1);
}

static void
count_differences (CxrBBoxStore *store)
{
  store->n_differences = 0;
  for (guint i = 0; i < store->items->len; i++)
    store->n_differences += cxr_bbox_item_differs (item_at (store, i));
}

static void
set_row_state (CxrBBoxStore *store, CxrBBoxItem *item, const CxrBBoxRowState *state)
{
  store->n_differences -= cxr_bbox_item_differs (item);
  item->now = *state;
  store->n_differences += cxr_bbox_item_differs (item);
}

typedef struct {
  gboolean dirty, can_undo, can_redo;
} Flags;

static Flags
get_flags (CxrBBoxStore *store)
{
  return (Flags) { store->n_differences > 0, store->n_done > 0, store->n_done < store->steps->len };
}

static void
notify_flags (CxrBBoxStore *store, Flags before)
{
  Flags after = get_flags (store);
  if (before.dirty != after.dirty)
    g_object_notify_by_pspec (G_OBJECT (store), properties[PROP_DIRTY]);
  if (before.can_undo != after.can_undo)
    g_object_notify_by_pspec (G_OBJECT (store), properties[PROP_CAN_UNDO]);
  if (before.can_redo != after.can_redo)
    g_object_notify_by_pspec (G_OBJECT (store), properties[PROP_CAN_REDO]);
}

static char *
journal_path_for (const char *path)
{
  return g_strconcat (path, ".journal", NULL);
}

static char *
backup_path_for (const char *path)
{
  return g_strconcat (path, "~", NULL);
}

/* ---- GObject --------------------------------------------------------------------------------------------- */

static void
cxr_bbox_store_finalize (GObject *object)
{
  CxrBBoxStore *store = CXR_BBOX_STORE (object);
  if (store->journal != NULL)
    {
      /* A journal whose edits all cancel out holds nothing to recover; one that does is kept, as after a crash. */
      if (store->n_differences == 0)
        cxr_bbox_journal_delete (store->journal, NULL);
      cxr_bbox_journal_free (store->journal);
    }
  g_clear_pointer (&store->pending, cxr_bbox_journal_contents_free);
  g_free (store->read_only);
  g_free (store->path);
  g_free (store->text);
  g_array_unref (store->items);
  g_array_unref (store->item_of_id);
  g_array_unref (store->steps);
  g_hash_table_unref (store->strings);
  g_free (store->hooks);
  G_OBJECT_CLASS (cxr_bbox_store_parent_class)->finalize (object);
}

static void
cxr_bbox_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CxrBBoxStore *store = CXR_BBOX_STORE (object);
  switch (prop_id)
    {
    case PROP_DIRTY:
      g_value_set_boolean (value, cxr_bbox_store_is_dirty (store));
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, cxr_bbox_store_can_undo (store));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, cxr_bbox_store_can_redo (store));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_bbox_store_class_init (CxrBBoxStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = cxr_bbox_store_finalize;
  object_class->get_property = cxr_bbox_store_get_property;

  properties[PROP_DIRTY] = g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                    | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] = g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                    | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cxr_bbox_store_init (CxrBBoxStore *store)
{
  store->items = g_array_new (FALSE, TRUE, sizeof (CxrBBoxItem));
  store->item_of_id = g_array_new (FALSE, FALSE, sizeof (guint));
  store->steps = g_array_new (FALSE, TRUE, sizeof (UndoStep));
  store->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  store->next_id = 1;
  store->next_serial = 1;
}

/* ---- opening --------------------------------------------------------------------------------------------- */

/* Parses the text and numbers the rows 1, 2, ... */
static gboolean
load_text (CxrBBoxStore *store, GError **error)
{
  if (!cxr_bbox_format_parse (store->path, store->text, store->text_length, intern, store, store->items,
                              &store->style, error))
    return FALSE;
  guint id = 1;
  for (guint i = 0; i < store->items->len; i++)
    if (item_at (store, i)->kind == CXR_BBOX_ITEM_ROW)
      item_at (store, i)->id = id++;
  store->next_id = id;
  index_rows (store);
  count_differences (store);
  return TRUE;
}

/* The save that a SAVE record announced happened when the file now has its hash. */
static gboolean
journal_ends_with_save_of (const CxrBBoxJournalContents *contents, const CxrFileIdentity *disk)
{
  guint n = contents->records->len;
  if (n == 0 || !disk->exists)
    return FALSE;
  const CxrBBoxJournalRecord *last = &g_array_index (contents->records, CxrBBoxJournalRecord, n - 1);
  return last->kind == CXR_BBOX_JOURNAL_SAVE && last->size == disk->size && strcmp (last->sha256, disk->sha256) == 0;
}

static void
check_journal (CxrBBoxStore *store)
{
  g_autofree char *path = journal_path_for (store->path);
  store->recovery = CXR_BBOX_RECOVERY_NONE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (cxr_bbox_journal_is_held (path))
    {
      store->recovery = CXR_BBOX_RECOVERY_IN_USE;
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxJournalContents) contents = cxr_bbox_journal_read (path, &error);
  if (contents == NULL)
    {
      /* Unreadable: say so, and let the user decide, rather than deleting a file we do not understand. */
      g_message ("%s", error->message);
      store->recovery = CXR_BBOX_RECOVERY_STALE;
      return;
    }
  guint n_edits = cxr_bbox_journal_contents_count_edits (contents);
  /* No edits, or a save that finished before its journal could be deleted: nothing is lost. */
  if (!contents->has_base || n_edits == 0 || journal_ends_with_save_of (contents, &store->disk))
    return;

  store->recovery_edits = n_edits;
  gboolean same_base = contents->base_exists == store->disk.exists
                       && (!store->disk.exists || (contents->base_size == store->disk.size
                                                   && strcmp (contents->base_sha256, store->disk.sha256) == 0));
  if (same_base)
    {
      store->recovery = CXR_BBOX_RECOVERY_PENDING;
      store->pending = g_steal_pointer (&contents);
    }
  else
    store->recovery = CXR_BBOX_RECOVERY_STALE;
}

CxrBBoxStore *
cxr_bbox_store_open (const char *path, GError **error)
{
  g_autoptr (CxrBBoxStore) store = g_object_new (CXR_TYPE_BBOX_STORE, NULL);
  store->path = g_strdup (path);
  /* Saves (of BB.csv, gt_dict.json, the review sidecar) that a killed process left half way. */
  g_autofree char *dir = g_path_get_dirname (path);
  cxr_atomic_file_sweep (dir);
  if (!cxr_input_file_read (path, BBOX_MAX_FILE_SIZE, &store->text, &store->text_length, &store->disk, error))
    return NULL;
  if (!load_text (store, error))
    return NULL;
  check_journal (store);
  return g_steal_pointer (&store);
}

CxrBBoxStore *
cxr_bbox_store_new_file (const char *path, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "%s already exists", path);
      return NULL;
    }
  g_autoptr (CxrBBoxStore) store = g_object_new (CXR_TYPE_BBOX_STORE, NULL);
  store->path = g_strdup (path);
  store->text = g_strdup (CXR_BBOX_STANDARD_HEADER "\n");
  store->text_length = strlen (store->text);
  memset (&store->disk, 0, sizeof store->disk);
  if (!load_text (store, error))
    return NULL;
  check_journal (store);
  return g_steal_pointer (&store);
}

/* ---- reading --------------------------------------------------------------------------------------------- */

const char *
cxr_bbox_store_get_path (CxrBBoxStore *store)
{
  return store->path;
}

char *
cxr_bbox_store_dup_backup_path (CxrBBoxStore *store)
{
  return backup_path_for (store->path);
}

char *
cxr_bbox_store_dup_journal_path (CxrBBoxStore *store)
{
  return journal_path_for (store->path);
}

static CxrBBox
box_of (const CxrBBoxItem *item)
{
  return (CxrBBox) { item->id, item->now.image, item->now.label, item->now.x, item->now.y, item->now.w,
                     item->now.h };
}

guint
cxr_bbox_store_get_n_boxes (CxrBBoxStore *store)
{
  guint n = 0;
  for (guint i = 0; i < store->items->len; i++)
    n += item_at (store, i)->kind == CXR_BBOX_ITEM_ROW && item_at (store, i)->now.present;
  return n;
}

GArray *
cxr_bbox_store_list_for_image (CxrBBoxStore *store, const char *image)
{
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (CxrBBox));
  const char *interned = NULL;
  if (image != NULL)
    {
      interned = g_hash_table_lookup (store->strings, image);
      if (interned == NULL)
        return boxes;
    }
  for (guint i = 0; i < store->items->len; i++)
    {
      const CxrBBoxItem *item = item_at (store, i);
      if (item->kind == CXR_BBOX_ITEM_ROW && item->now.present && (interned == NULL || item->now.image == interned))
        {
          CxrBBox box = box_of (item);
          g_array_append_val (boxes, box);
        }
    }
  return boxes;
}

GArray *
cxr_bbox_store_list (CxrBBoxStore *store)
{
  return cxr_bbox_store_list_for_image (store, NULL);
}

gboolean
cxr_bbox_store_get (CxrBBoxStore *store, guint id, CxrBBox *box)
{
  const CxrBBoxItem *item = lookup_row (store, id);
  if (item == NULL || !item->now.present)
    return FALSE;
  *box = box_of (item);
  return TRUE;
}

guint
cxr_bbox_store_get_line (CxrBBoxStore *store, guint id)
{
  const CxrBBoxItem *item = lookup_row (store, id);
  return item != NULL && item->in_file ? item->line : 0;
}

gboolean
cxr_bbox_store_is_dirty (CxrBBoxStore *store)
{
  return store->n_differences > 0;
}

gboolean
cxr_bbox_store_can_undo (CxrBBoxStore *store)
{
  return store->n_done > 0;
}

gboolean
cxr_bbox_store_can_redo (CxrBBoxStore *store)
{
  return store->n_done < store->steps->len;
}

GBytes *
cxr_bbox_store_serialize (CxrBBoxStore *store)
{
  return cxr_bbox_format_write (store->text, (const CxrBBoxItem *) store->items->data, store->items->len,
                                &store->style);
}

/* ---- the journal ----------------------------------------------------------------------------------------- */

static gboolean
check_editable (CxrBBoxStore *store, GError **error)
{
  g_autofree char *journal = journal_path_for (store->path);
  if (store->read_only != NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_REFUSED, "%s", store->read_only);
      return FALSE;
    }
  switch (store->recovery)
    {
    case CXR_BBOX_RECOVERY_NONE:
      return TRUE;
    case CXR_BBOX_RECOVERY_PENDING:
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "%u unsaved edits of an earlier session are waiting in "
                   "%s: recover or discard them first", store->recovery_edits, journal);
      return FALSE;
    case CXR_BBOX_RECOVERY_STALE:
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "%s holds unsaved edits made to another version of %s: "
                   "discard it (or move it away) first", journal, store->path);
      return FALSE;
    case CXR_BBOX_RECOVERY_IN_USE:
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "another program is editing %s (it holds %s)",
                   store->path, journal);
      return FALSE;
    }
  g_assert_not_reached ();
}

static gboolean
ensure_journal (CxrBBoxStore *store, GError **error)
{
  if (store->journal != NULL)
    return TRUE;
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (CxrBBoxJournalSlot));
  for (guint i = 0; i < store->items->len; i++)
    {
      const CxrBBoxItem *item = item_at (store, i);
      if (item->kind == CXR_BBOX_ITEM_ROW)
        {
          CxrBBoxJournalSlot slot = { item->id, item->in_file };
          g_array_append_val (order, slot);
        }
    }
  g_autofree char *path = journal_path_for (store->path);
  store->journal = cxr_bbox_journal_create (path, &store->disk, (const CxrBBoxJournalSlot *) order->data,
                                            order->len, store->hooks, error);
  return store->journal != NULL;
}

static CxrBBoxJournalState
journal_state (gboolean exists, const CxrBBoxRowState *state)
{
  if (!exists)
    return (CxrBBoxJournalState) { 0 };
  return (CxrBBoxJournalState) { TRUE, state->present, state->image, state->label, state->x, state->y, state->w,
                                 state->h };
}

static gboolean
journal_change (CxrBBoxStore *store, CxrBBoxJournalKind kind, guint64 serial, guint id,
                gboolean before_exists, const CxrBBoxRowState *before,
                gboolean after_exists, const CxrBBoxRowState *after, GError **error)
{
  if (!ensure_journal (store, error))
    return FALSE;
  CxrBBoxJournalRecord record = { 0 };
  record.kind = kind;
  record.serial = serial;
  record.id = id;
  record.before = journal_state (before_exists, before);
  record.after = journal_state (after_exists, after);
  g_autoptr (GError) local_error = NULL;
  if (!cxr_bbox_journal_append (store->journal, &record, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "the edit was not made, because it could not be saved for recovery: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- edits ----------------------------------------------------------------------------------------------- */

static CxrBBoxItem *
append_row_item (CxrBBoxStore *store, guint id)
{
  CxrBBoxItem item = { 0 };
  item.kind = CXR_BBOX_ITEM_ROW;
  item.id = id;
  item.now.image = item.now.label = intern_string (store, "");
  g_array_append_val (store->items, item);
  if (id >= store->item_of_id->len)
    {
      guint old = store->item_of_id->len;
      g_array_set_size (store->item_of_id, id + 1);
      for (guint i = old; i <= id; i++)
        g_array_index (store->item_of_id, guint, i) = G_MAXUINT;
    }
  g_array_index (store->item_of_id, guint, id) = store->items->len - 1;
  store->next_id = MAX (store->next_id, id + 1);
  return item_at (store, store->items->len - 1);
}

static void
push_step (CxrBBoxStore *store, const UndoStep *step)
{
  g_array_set_size (store->steps, store->n_done);
  g_array_append_val (store->steps, *step);
  store->n_done++;
  store->next_serial = MAX (store->next_serial, step->serial + 1);
}

/* Makes one edit: journals it, then applies it. A new id is an add. */
static gboolean
edit_row (CxrBBoxStore *store, guint id, const CxrBBoxRowState *after, GError **error)
{
  if (!check_editable (store, error))
    return FALSE;
  CxrBBoxItem *item = lookup_row (store, id);
  /* A click that moved nothing is not an edit: no undo step, no journal record. */
  if (item != NULL && cxr_bbox_row_state_equal (&item->now, after))
    return TRUE;
  UndoStep step = { 0 };
  step.serial = store->next_serial;
  step.id = id;
  step.before_exists = item != NULL;
  if (item != NULL)
    step.before = item->now;
  step.after = *after;
  if (!journal_change (store, CXR_BBOX_JOURNAL_EDIT, step.serial, id, step.before_exists, &step.before, TRUE,
                       &step.after, error))
    return FALSE;

  Flags flags = get_flags (store);
  if (item == NULL)
    item = append_row_item (store, id);
  push_step (store, &step);
  set_row_state (store, item, after);
  g_signal_emit (store, signals[SIGNAL_CHANGED], 0, id);
  notify_flags (store, flags);
  return TRUE;
}

static CxrBBoxItem *
lookup_present (CxrBBoxStore *store, guint id, GError **error)
{
  CxrBBoxItem *item = lookup_row (store, id);
  if (item == NULL || !item->now.present)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "%s has no box with id %u", store->path, id);
      return NULL;
    }
  return item;
}

guint
cxr_bbox_store_add (CxrBBoxStore *store, const char *image, const char *label, double x, double y, double w,
                    double h, GError **error)
{
  if (!cxr_bbox_check_values (image, label, x, y, w, h, error))
    return 0;
  CxrBBoxRowState state = { TRUE, intern_string (store, image), intern_string (store, label), x, y, w, h };
  guint id = store->next_id;
  if (!edit_row (store, id, &state, error))
    return 0;
  return id;
}

gboolean
cxr_bbox_store_set_rect (CxrBBoxStore *store, guint id, double x, double y, double w, double h, GError **error)
{
  CxrBBoxItem *item = lookup_present (store, id, error);
  if (item == NULL || !cxr_bbox_check_values (item->now.image, item->now.label, x, y, w, h, error))
    return FALSE;
  CxrBBoxRowState state = item->now;
  state.x = x;
  state.y = y;
  state.w = w;
  state.h = h;
  return edit_row (store, id, &state, error);
}

gboolean
cxr_bbox_store_set_label (CxrBBoxStore *store, guint id, const char *label, GError **error)
{
  CxrBBoxItem *item = lookup_present (store, id, error);
  if (item == NULL
      || !cxr_bbox_check_values (item->now.image, label, item->now.x, item->now.y, item->now.w, item->now.h, error))
    return FALSE;
  CxrBBoxRowState state = item->now;
  state.label = intern_string (store, label);
  return edit_row (store, id, &state, error);
}

gboolean
cxr_bbox_store_remove (CxrBBoxStore *store, guint id, GError **error)
{
  CxrBBoxItem *item = lookup_present (store, id, error);
  if (item == NULL)
    return FALSE;
  CxrBBoxRowState state = item->now;
  state.present = FALSE;
  return edit_row (store, id, &state, error);
}

/* Undo (forward FALSE) or redo (TRUE) of one step. */
static gboolean
travel (CxrBBoxStore *store, gboolean forward, GError **error)
{
  if (forward ? !cxr_bbox_store_can_redo (store) : !cxr_bbox_store_can_undo (store))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, forward ? "nothing to redo" : "nothing to undo");
      return FALSE;
    }
  if (!check_editable (store, error))
    return FALSE;
  const UndoStep *step = &g_array_index (store->steps, UndoStep, forward ? store->n_done : store->n_done - 1);
  CxrBBoxItem *item = lookup_row (store, step->id);
  g_assert (item != NULL);
  const CxrBBoxRowState *from = forward ? &step->before : &step->after;
  const CxrBBoxRowState *to = forward ? &step->after : &step->before;
  gboolean from_exists = forward ? step->before_exists : TRUE;
  gboolean to_exists = forward ? TRUE : step->before_exists;
  if (!journal_change (store, forward ? CXR_BBOX_JOURNAL_REDO : CXR_BBOX_JOURNAL_UNDO, step->serial, step->id,
                       from_exists, from, to_exists, to, error))
    return FALSE;

  Flags flags = get_flags (store);
  CxrBBoxRowState state = *to;
  if (!to_exists)
    state.present = FALSE;   /* an undone add: the row stays, deleted, so that redo puts it back in place */
  guint id = step->id;
  store->n_done += forward ? 1 : -1;
  set_row_state (store, item, &state);
  g_signal_emit (store, signals[SIGNAL_CHANGED], 0, id);
  notify_flags (store, flags);
  return TRUE;
}

gboolean
cxr_bbox_store_undo (CxrBBoxStore *store, GError **error)
{
  return travel (store, FALSE, error);
}

gboolean
cxr_bbox_store_redo (CxrBBoxStore *store, GError **error)
{
  return travel (store, TRUE, error);
}

/* ---- saving ---------------------------------------------------------------------------------------------- */

/* After a save the written bytes are the file: reparse them and point every item at its new bytes. Rows keep
 * their ids; deleted rows stay (out of the file) for undo. */
static gboolean
adopt_saved_text (CxrBBoxStore *store, char *text, gsize length, GError **error)
{
  g_autofree char *owned = text;
  g_autoptr (GArray) parsed = g_array_new (FALSE, TRUE, sizeof (CxrBBoxItem));
  CxrBBoxStyle style;
  if (!cxr_bbox_format_parse (store->path, text, length, intern, store, parsed, &style, error))
    return FALSE;

  guint j = 0;
  for (guint i = 0; i < store->items->len; i++)
    {
      CxrBBoxItem *item = item_at (store, i);
      if (item->kind == CXR_BBOX_ITEM_ROW && !item->now.present)
        {
          item->in_file = FALSE;
          continue;
        }
      const CxrBBoxItem *written = j < parsed->len ? &g_array_index (parsed, CxrBBoxItem, j) : NULL;
      j++;
      if (written == NULL || written->kind != item->kind
          || (item->kind == CXR_BBOX_ITEM_ROW && !cxr_bbox_row_state_equal (&written->disk, &item->now)))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the saved file does not read back as written "
                       "(record %u); please report this", store->path, j);
          return FALSE;
        }
      guint id = item->id;
      CxrBBoxRowState now = item->now;
      *item = *written;
      item->id = id;
      item->now = now;
    }
  if (j != parsed->len)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: the saved file has %u records, not %u; please report "
                   "this", store->path, parsed->len, j);
      return FALSE;
    }
  g_free (store->text);
  store->text = g_steal_pointer (&owned);
  store->text_length = length;
  store->style = style;
  count_differences (store);
  return TRUE;
}


static const char *
intern_copy (gpointer data, const char *text, gsize length)
{
  return g_string_chunk_insert_len (data, text, (gssize) length);
}

/* The atomic writer's read-back: the bytes about to replace BB.csv parse, and hold exactly the store's present
 * rows in order, so that a save never leaves a file that cxrcam (or the next edit) cannot read. */
static gboolean
verify_saved (GBytes *contents, const char *path, gpointer user_data, GError **error)
{
  CxrBBoxStore *store = user_data;
  gsize length;
  const char *text = g_bytes_get_data (contents, &length);
  g_autoptr (GStringChunk) strings = g_string_chunk_new (4096);
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (CxrBBoxItem));
  CxrBBoxStyle style;
  if (!cxr_bbox_format_parse (path, text != NULL ? text : "", length, intern_copy, strings, items, &style, error))
    return FALSE;
  guint read = 0;
  for (guint i = 0; i < store->items->len; i++)
    {
      const CxrBBoxItem *mine = item_at (store, i);
      if (mine->kind != CXR_BBOX_ITEM_ROW || !mine->now.present)
        continue;
      const CxrBBoxItem *theirs = NULL;
      while (read < items->len && (theirs = &g_array_index (items, CxrBBoxItem, read++))->kind != CXR_BBOX_ITEM_ROW)
        theirs = NULL;
      const CxrBBoxRowState *a = &mine->now, *b = theirs != NULL ? &theirs->now : NULL;
      if (b == NULL || strcmp (a->image, b->image) != 0 || strcmp (a->label, b->label) != 0 || a->x != b->x
          || a->y != b->y || a->w != b->w || a->h != b->h)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "the box of %s (%s) reads back differently", a->image,
                       a->label);
          return FALSE;
        }
    }
  for (; read < items->len; read++)
    if (g_array_index (items, CxrBBoxItem, read).kind == CXR_BBOX_ITEM_ROW)
      {
        g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "it holds more boxes than the store");
        return FALSE;
      }
  return TRUE;
}

static gboolean
save_to (CxrBBoxStore *store, const char *path, gboolean check_conflict, GError **error)
{
  if (store->recovery != CXR_BBOX_RECOVERY_NONE)
    {
      g_autoptr (GError) why = NULL;
      check_editable (store, &why);
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "not saved: %s", why->message);
      return FALSE;
    }
  if (check_conflict)
    {
      /* Its own file only: a read-only BB.csv stays as its owner left it, even though the rename could replace
       * it. Save As to another file is how such edits are kept. */
      if (store->read_only != NULL)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_REFUSED, "not saved: %s", store->read_only);
          return FALSE;
        }
      if (!cxr_bbox_store_check_writable (store, error))
        return FALSE;
      CxrFileIdentity now;
      if (!cxr_file_identify (path, &now, error))
        return FALSE;
      if (!cxr_file_identity_same_content (&now, &store->disk))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT,
                       store->disk.exists ? (now.exists ? "%s changed on disk since it was read: reload it, or save "
                                                          "your edits to another file"
                                                        : "%s was deleted or moved since it was read: save your "
                                                          "edits to another file")
                                          : "%s was created by somebody else meanwhile: save your edits to "
                                            "another file", path);
          return FALSE;
        }
    }

  g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  CxrFileIdentity written = { TRUE, (gint64) length, 0, "" };
  cxr_file_sha256 (data, length, written.sha256);

  /* Announce the save, so that recovery after a crash in the middle of it can tell which file it finds. */
  if (store->journal != NULL)
    {
      CxrBBoxJournalRecord record = { .kind = CXR_BBOX_JOURNAL_SAVE, .size = written.size };
      memcpy (record.sha256, written.sha256, sizeof record.sha256);
      g_autoptr (GError) journal_error = NULL;
      if (!cxr_bbox_journal_append (store->journal, &record, &journal_error))
        g_message ("saving without a journal record: %s", journal_error->message);
    }

  g_autofree char *backup = backup_path_for (path);
  CxrAtomicOptions options = { .backup_path = backup, .verify = verify_saved, .verify_data = store,
                               .hooks = store->hooks };
  if (!cxr_atomic_file_set_contents_full (path, data, length, &options, error))
    {
      if (store->journal != NULL)
        {
          CxrBBoxJournalRecord failed = { .kind = CXR_BBOX_JOURNAL_SAVE_FAILED };
          cxr_bbox_journal_append (store->journal, &failed, NULL);
        }
      return FALSE;
    }

  /* From here the file is saved: whatever happens, the store must now describe the new file. */
  Flags flags = get_flags (store);
  CxrFileIdentity after;
  if (cxr_file_identify (path, &after, NULL) && cxr_file_identity_same_content (&after, &written))
    written.mtime_ns = after.mtime_ns;
  if (store->journal != NULL)
    {
      g_autoptr (GError) journal_error = NULL;
      if (!cxr_bbox_journal_delete (store->journal, &journal_error))
        g_message ("%s", journal_error->message);
      g_clear_pointer (&store->journal, cxr_bbox_journal_free);
    }
  else
    {
      /* A journal left by a session whose save finished just before it could delete it: now it is only in
       * the way (it would look stale once the file changes again). */
      g_autofree char *old_journal = journal_path_for (store->path);
      if (g_file_test (old_journal, G_FILE_TEST_EXISTS) && !cxr_bbox_journal_is_held (old_journal))
        g_unlink (old_journal);
    }
  if (g_strcmp0 (path, store->path) != 0)
    {
      g_free (store->path);
      store->path = g_strdup (path);
    }
  store->disk = written;
  g_autoptr (GError) adopt_error = NULL;
  if (!adopt_saved_text (store, g_memdup2 (data, length + 1), length, &adopt_error))
    {
      /* Cannot happen unless the writer and the parser disagree; keep editing on the old picture, but say so. */
      g_critical ("%s", adopt_error->message);
    }
  notify_flags (store, flags);
  return TRUE;
}

gboolean
cxr_bbox_store_save (CxrBBoxStore *store, GError **error)
{
  return save_to (store, store->path, TRUE, error);
}

gboolean
cxr_bbox_store_save_as (CxrBBoxStore *store, const char *path, GError **error)
{
  if (g_strcmp0 (path, store->path) == 0)
    return cxr_bbox_store_save (store, error);
  return save_to (store, path, FALSE, error);
}

void
cxr_bbox_store_set_read_only (CxrBBoxStore *store, const char *reason)
{
  g_free (store->read_only);
  store->read_only = g_strdup (reason);
}

const char *
cxr_bbox_store_get_read_only (CxrBBoxStore *store)
{
  return store->read_only;
}

gboolean
cxr_bbox_store_check_writable (CxrBBoxStore *store, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (store->path);
  g_autofree char *name = g_path_get_basename (store->path);
  /* A save renames a new file over the old one and the journal is a new file beside it: both need the folder. */
  if (g_access (dir, W_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_REFUSED, "the folder %s cannot be written (%s): edits to %s could "
                   "neither be journaled nor saved", dir, g_strerror (saved), name);
      return FALSE;
    }
  /* The rename would replace a read-only file all the same; its owner made it read-only to keep it as it is. The
   * mode bits count too, since access() says yes to root whatever they are. */
  GStatBuf st;
  if (g_stat (store->path, &st) == 0
      && (g_access (store->path, W_OK) != 0 || (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_REFUSED, "%s is read-only", store->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_bbox_store_has_changed_on_disk (CxrBBoxStore *store)
{
  CxrFileIdentity now;
  if (!cxr_file_identify (store->path, &now, NULL))
    return TRUE;
  return !cxr_file_identity_same_content (&now, &store->disk);
}

/* ---- recovery -------------------------------------------------------------------------------------------- */

/* Brings every row back to the file's value and forgets the undo history. Rows keep their ids. */
static void
reset_to_disk (CxrBBoxStore *store)
{
  for (guint i = 0; i < store->items->len; i++)
    {
      CxrBBoxItem *item = item_at (store, i);
      if (item->kind != CXR_BBOX_ITEM_ROW)
        continue;
      if (item->in_file)
        item->now = item->disk;
      else
        item->now.present = FALSE;
    }
  g_array_set_size (store->steps, 0);
  store->n_done = 0;
  count_differences (store);
}

gboolean
cxr_bbox_store_revert (CxrBBoxStore *store, GError **error)
{
  if (store->recovery == CXR_BBOX_RECOVERY_IN_USE)
    return check_editable (store, error);
  Flags flags = get_flags (store);
  if (store->journal != NULL)
    {
      if (!cxr_bbox_journal_delete (store->journal, error))
        return FALSE;
      g_clear_pointer (&store->journal, cxr_bbox_journal_free);
    }
  else if (store->recovery != CXR_BBOX_RECOVERY_NONE && !cxr_bbox_store_discard_recovery (store, error))
    return FALSE;
  reset_to_disk (store);
  g_signal_emit (store, signals[SIGNAL_CHANGED], 0, 0);
  notify_flags (store, flags);
  return TRUE;
}

CxrBBoxRecovery
cxr_bbox_store_get_recovery (CxrBBoxStore *store, guint *n_edits)
{
  if (n_edits != NULL)
    *n_edits = store->recovery == CXR_BBOX_RECOVERY_NONE ? 0 : store->recovery_edits;
  return store->recovery;
}

gboolean
cxr_bbox_store_discard_recovery (CxrBBoxStore *store, GError **error)
{
  if (store->recovery == CXR_BBOX_RECOVERY_NONE)
    return TRUE;
  if (store->recovery == CXR_BBOX_RECOVERY_IN_USE)
    return check_editable (store, error);
  g_autofree char *path = journal_path_for (store->path);
  if (g_remove (path) != 0 && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not delete %s", path);
      return FALSE;
    }
  store->recovery = CXR_BBOX_RECOVERY_NONE;
  store->recovery_edits = 0;
  g_clear_pointer (&store->pending, cxr_bbox_journal_contents_free);
  return TRUE;
}

static CxrBBoxRowState
row_state_from_journal (CxrBBoxStore *store, const CxrBBoxJournalState *state)
{
  if (!state->exists)
    return (CxrBBoxRowState) { FALSE, intern_string (store, ""), intern_string (store, ""), 0, 0, 0, 0 };
  return (CxrBBoxRowState) { state->present, intern_string (store, state->image), intern_string (store, state->label),
                             state->x, state->y, state->w, state->h };
}

/* Gives the rows the ids and places they had when the journal began: its order lists the rows of the file in
 * file order, with rows deleted from the file (kept for undo) between them. */
static gboolean
restore_order (CxrBBoxStore *store, const CxrBBoxJournalContents *contents, GError **error)
{
  const CxrBBoxJournalSlot *order = (const CxrBBoxJournalSlot *) contents->order->data;
  guint n_order = contents->order->len, n_in_file = 0, n_rows = 0;
  for (guint k = 0; k < n_order; k++)
    n_in_file += order[k].in_file;
  for (guint i = 0; i < store->items->len; i++)
    n_rows += item_at (store, i)->kind == CXR_BBOX_ITEM_ROW;
  if (n_in_file != n_rows)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "the recovery journal lists %u rows, %s has %u",
                   n_in_file, store->path, n_rows);
      return FALSE;
    }

  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (CxrBBoxItem));
  guint k = 0;
  for (guint i = 0; i < store->items->len; i++)
    {
      CxrBBoxItem item = *item_at (store, i);
      if (item.kind == CXR_BBOX_ITEM_ROW)
        {
          for (; !order[k].in_file; k++)
            {
              CxrBBoxItem deleted = { 0 };
              deleted.kind = CXR_BBOX_ITEM_ROW;
              deleted.id = order[k].id;
              deleted.now = row_state_from_journal (store, &(CxrBBoxJournalState) { 0 });
              g_array_append_val (items, deleted);
            }
          item.id = order[k++].id;
        }
      g_array_append_val (items, item);
    }
  for (; k < n_order; k++)
    {
      CxrBBoxItem deleted = { 0 };
      deleted.kind = CXR_BBOX_ITEM_ROW;
      deleted.id = order[k].id;
      deleted.now = row_state_from_journal (store, &(CxrBBoxJournalState) { 0 });
      g_array_append_val (items, deleted);
    }
  g_array_set_size (store->items, 0);
  g_array_append_vals (store->items, items->data, items->len);
  store->next_id = 1;
  index_rows (store);
  return TRUE;
}

static gboolean
state_matches (CxrBBoxStore *store, const CxrBBoxItem *item, const CxrBBoxJournalState *state)
{
  if (item == NULL)
    return !state->exists;
  CxrBBoxRowState expected = row_state_from_journal (store, state);
  return cxr_bbox_row_state_equal (&item->now, &expected);
}

static gboolean
replay (CxrBBoxStore *store, const CxrBBoxJournalContents *contents, GError **error)
{
  if (!restore_order (store, contents, error))
    return FALSE;
  for (guint r = 0; r < contents->records->len; r++)
    {
      const CxrBBoxJournalRecord *record = &g_array_index (contents->records, CxrBBoxJournalRecord, r);
      if (record->kind == CXR_BBOX_JOURNAL_SAVE || record->kind == CXR_BBOX_JOURNAL_SAVE_FAILED)
        continue;
      CxrBBoxItem *item = lookup_row (store, record->id);
      if (!state_matches (store, item, &record->before))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "the recovery journal does not fit %s: edit %u finds "
                       "row %u in another state", store->path, r + 1, record->id);
          return FALSE;
        }
      if (item == NULL)
        item = append_row_item (store, record->id);

      CxrBBoxRowState after = row_state_from_journal (store, &record->after);
      switch (record->kind)
        {
        case CXR_BBOX_JOURNAL_EDIT:
          {
            UndoStep step = { record->serial, record->id, record->before.exists,
                              row_state_from_journal (store, &record->before), after };
            push_step (store, &step);
          }
          break;
        case CXR_BBOX_JOURNAL_UNDO:
          /* A step made before the journal began (before the last save) is not in the history: apply it only. */
          if (store->n_done > 0 && g_array_index (store->steps, UndoStep, store->n_done - 1).serial == record->serial)
            store->n_done--;
          break;
        case CXR_BBOX_JOURNAL_REDO:
          if (store->n_done < store->steps->len
              && g_array_index (store->steps, UndoStep, store->n_done).serial == record->serial)
            store->n_done++;
          break;
        default:
          g_assert_not_reached ();
        }
      store->next_serial = MAX (store->next_serial, record->serial + 1);
      set_row_state (store, item, &after);
    }
  return TRUE;
}

gboolean
cxr_bbox_store_recover (CxrBBoxStore *store, GError **error)
{
  if (store->recovery != CXR_BBOX_RECOVERY_PENDING)
    {
      if (store->recovery == CXR_BBOX_RECOVERY_NONE)
        return TRUE;
      return check_editable (store, error);
    }
  g_autofree char *path = journal_path_for (store->path);
  Flags flags = get_flags (store);
  if (!replay (store, store->pending, error))
    {
      /* Back to the file as it is; the journal stays for the user to keep or discard. */
      g_array_set_size (store->items, 0);
      store->next_id = 1;
      g_autoptr (GError) ignored = NULL;
      if (!load_text (store, &ignored))
        g_critical ("%s", ignored->message);
      g_array_set_size (store->steps, 0);
      store->n_done = 0;
      return FALSE;
    }
  store->journal = cxr_bbox_journal_continue (path, store->pending->intact_length, store->hooks, error);
  if (store->journal == NULL)
    {
      reset_to_disk (store);
      return FALSE;
    }
  store->recovery = CXR_BBOX_RECOVERY_NONE;
  g_clear_pointer (&store->pending, cxr_bbox_journal_contents_free);
  g_signal_emit (store, signals[SIGNAL_CHANGED], 0, 0);
  notify_flags (store, flags);
  return TRUE;
}

/* ---- test hooks ------------------------------------------------------------------------------------------ */

void
cxr_bbox_store_set_hooks (CxrBBoxStore *store, const CxrCrashHooks *hooks)
{
  g_free (store->hooks);
  store->hooks = g_memdup2 (hooks, sizeof *hooks);
}

CxrCrashHooks *
cxr_bbox_store_get_hooks (CxrBBoxStore *store)
{
  return store->hooks;
}
