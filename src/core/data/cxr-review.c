/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-review-private.h"

#include <math.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-json-read.h"
#include "cxr-json-writer.h"
#include "cxr-limits.h"
#include "cxr-csv.h"
#include "cxr-error.h"
#include "cxr-format.h"

#define REVIEW_VERSION 1

struct _CxrReview {
  GObject parent_instance;
  char *path;
  JsonObject *root;            /* the whole file, unknown members included */
  JsonObject *images;          /* root's "images" */
  CxrFileIdentity disk;    /* what was read or last saved */
  gboolean dirty;
};

enum {
  PROP_0,
  PROP_DIRTY,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CxrReview, cxr_review, G_TYPE_OBJECT)

static void
cxr_review_finalize (GObject *object)
{
  CxrReview *review = CXR_REVIEW (object);
  g_free (review->path);
  g_clear_pointer (&review->root, json_object_unref);
  G_OBJECT_CLASS (cxr_review_parent_class)->finalize (object);
}

static void
cxr_review_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_DIRTY:
      g_value_set_boolean (value, CXR_REVIEW (object)->dirty);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cxr_review_class_init (CxrReviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->finalize = cxr_review_finalize;
  object_class->get_property = cxr_review_get_property;
  properties[PROP_DIRTY] = g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* "changed" (const char *image) after an image's review changed */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cxr_review_init (CxrReview *review)
{
}

static const char *const verdict_ids[] = { NULL, "agree", "disagree", "unsure" };

const char *
cxr_verdict_to_id (CxrVerdict verdict)
{
  return verdict > CXR_VERDICT_NONE && verdict <= CXR_VERDICT_UNSURE ? verdict_ids[verdict] : NULL;
}

gboolean
cxr_verdict_from_id (const char *id, CxrVerdict *verdict)
{
  for (guint i = 1; i < G_N_ELEMENTS (verdict_ids); i++)
    if (g_strcmp0 (id, verdict_ids[i]) == 0)
      {
        *verdict = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
format_error (GError **error, const char *path, const char *image, const char *what)
{
  if (image != NULL)
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: \"%s\": %s", path, image, what);
  else
    g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: %s", path, what);
  return FALSE;
}

static gboolean
member_has_type (JsonObject *object, const char *name, GType type)
{
  JsonNode *node = json_object_get_member (object, name);
  return node == NULL || JSON_NODE_HOLDS_NULL (node)
         || (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type);
}

/* A caliper: [left, right, y], three numbers. */
static gboolean
read_caliper (JsonObject *ctr, const char *name, CxrCaliper *caliper)
{
  double v[3];
  if (!cxr_json_read_numbers (json_object_get_member (ctr, name), v, 3))
    return FALSE;
  *caliper = cxr_caliper_from_points (v[0], v[2], v[1]);
  return TRUE;
}

/* "ctr" (issue 16), when present: both calipers. The ratio is written for other readers and read from the
 * calipers. */
static gboolean
check_ctr (JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "ctr");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  CxrCaliper caliper;
  JsonObject *ctr = json_node_get_object (node);
  return read_caliper (ctr, "heart", &caliper) && read_caliper (ctr, "thorax", &caliper);
}

/* Checks the parts we read, so that lookups never meet a surprise. */
static gboolean
check_root (const char *path, JsonObject *root, GError **error)
{
  JsonNode *images = json_object_get_member (root, "images");
  if (images == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (images))
    return format_error (error, path, NULL, "\"images\" is not an object of image name -> review");
  JsonObject *object = json_node_get_object (images);
  g_autoptr (GList) names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return format_error (error, path, l->data, "a review is an object {\"reviewed\": ..., \"note\": ...}");
      JsonObject *entry = json_node_get_object (node);
      if (!member_has_type (entry, "reviewed", G_TYPE_BOOLEAN))
        return format_error (error, path, l->data, "\"reviewed\" is not true or false");
      if (!member_has_type (entry, "note", G_TYPE_STRING) || !member_has_type (entry, "who", G_TYPE_STRING)
          || !member_has_type (entry, "when", G_TYPE_STRING))
        return format_error (error, path, l->data, "\"note\", \"who\" and \"when\" must be text");
      if (!member_has_type (entry, "verdict", G_TYPE_STRING))
        return format_error (error, path, l->data, "\"verdict\" is not \"agree\", \"disagree\" or \"unsure\"");
      if (!check_ctr (entry))
        return format_error (error, path, l->data, "\"ctr\" is not {\"heart\": [left, right, y], \"thorax\": "
                             "[left, right, y], \"ratio\": number}");
      if (!_cxr_review_check_lines (entry))
        return format_error (error, path, l->data, "\"lines\" is not a list of lines [x0, y0, x1, y1]");
      CxrVerdict verdict;
      JsonNode *verdict_node = json_object_get_member (entry, "verdict");
      if (verdict_node != NULL && !JSON_NODE_HOLDS_NULL (verdict_node)
          && !cxr_verdict_from_id (json_node_get_string (verdict_node), &verdict))
        return format_error (error, path, l->data, "\"verdict\" is not \"agree\", \"disagree\" or \"unsure\"");
    }
  return TRUE;
}

CxrReview *
cxr_review_open (const char *path, GError **error)
{
  g_autoptr (CxrReview) review = g_object_new (CXR_TYPE_REVIEW, NULL);
  review->path = g_strdup (path);
  /* A save a killed process left half way (the sidecar may be the only file cxrcam writes in this folder). */
  g_autofree char *dir = g_path_get_dirname (path);
  cxr_atomic_file_sweep (dir);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (JsonParser) parser = cxr_json_load (path, CXR_LIMIT_SIDECAR_BYTES, &review->disk, NULL, error);
      if (parser == NULL)
        return NULL;
      JsonNode *root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          format_error (error, path, NULL, "not a review file (expected a JSON object)");
          return NULL;
        }
      if (!check_root (path, json_node_get_object (root), error))
        return NULL;
      review->root = json_object_ref (json_node_get_object (root));
    }
  else
    {
      memset (&review->disk, 0, sizeof review->disk);
      review->root = json_object_new ();
      json_object_set_int_member (review->root, "version", REVIEW_VERSION);
    }
  if (!json_object_has_member (review->root, "images"))
    json_object_set_object_member (review->root, "images", json_object_new ());
  review->images = json_object_get_object_member (review->root, "images");
  return g_steal_pointer (&review);
}

const char *
cxr_review_get_path (CxrReview *review)
{
  return review->path;
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

gboolean
cxr_review_lookup (CxrReview *review, const char *image, CxrReviewEntry *entry)
{
  memset (entry, 0, sizeof *entry);
  entry->note = "";
  JsonNode *node = json_object_get_member (review->images, image);
  if (node == NULL)
    return FALSE;
  JsonObject *object = json_node_get_object (node);
  JsonNode *reviewed = json_object_get_member (object, "reviewed");
  entry->reviewed = reviewed != NULL && JSON_NODE_HOLDS_VALUE (reviewed) && json_node_get_boolean (reviewed);
  if (!cxr_verdict_from_id (string_member (object, "verdict"), &entry->verdict))
    entry->verdict = CXR_VERDICT_NONE;
  const char *note = string_member (object, "note");
  entry->note = note != NULL ? note : "";
  entry->who = string_member (object, "who");
  entry->when = string_member (object, "when");
  return TRUE;
}

guint
cxr_review_count_reviewed (CxrReview *review)
{
  guint n = 0;
  g_autoptr (GList) names = json_object_get_members (review->images);
  for (GList *l = names; l != NULL; l = l->next)
    {
      CxrReviewEntry entry;
      cxr_review_lookup (review, l->data, &entry);
      n += entry.reviewed;
    }
  return n;
}

JsonObject *
_cxr_review_image (CxrReview *review, const char *image)
{
  JsonNode *node = json_object_get_member (review->images, image);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* The image's object, made on first use, with who and when stamped for the change about to happen. */
static JsonObject *
touch (CxrReview *review, const char *image)
{
  JsonObject *object = json_object_get_member (review->images, image) != NULL
                       ? json_object_get_object_member (review->images, image) : NULL;
  if (object == NULL)
    {
      object = json_object_new ();
      json_object_set_boolean_member (object, "reviewed", FALSE);
      json_object_set_string_member (object, "note", "");
      json_object_set_object_member (review->images, image, object);
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  json_object_set_string_member (object, "who", g_get_user_name ());
  json_object_set_string_member (object, "when", when);
  return object;
}

static void
changed (CxrReview *review, const char *image)
{
  if (!review->dirty)
    {
      review->dirty = TRUE;
      g_object_notify_by_pspec (G_OBJECT (review), properties[PROP_DIRTY]);
    }
  g_signal_emit (review, signals[SIGNAL_CHANGED], 0, image);
}

JsonObject *
_cxr_review_touch (CxrReview *review, const char *image)
{
  return touch (review, image);
}

void
_cxr_review_changed (CxrReview *review, const char *image)
{
  changed (review, image);
}

void
cxr_review_set_reviewed (CxrReview *review, const char *image, gboolean reviewed)
{
  json_object_set_boolean_member (touch (review, image), "reviewed", reviewed);
  changed (review, image);
}

void
cxr_review_set_note (CxrReview *review, const char *image, const char *note)
{
  json_object_set_string_member (touch (review, image), "note", note != NULL ? note : "");
  changed (review, image);
}

void
cxr_review_set_verdict (CxrReview *review, const char *image, CxrVerdict verdict)
{
  JsonObject *object = touch (review, image);
  const char *id = cxr_verdict_to_id (verdict);
  if (id != NULL)
    {
      json_object_set_string_member (object, "verdict", id);
      json_object_set_boolean_member (object, "reviewed", TRUE);
    }
  else if (json_object_has_member (object, "verdict"))
    json_object_remove_member (object, "verdict");
  changed (review, image);
}

gboolean
cxr_review_get_ctr (CxrReview *review, const char *image, CxrCtr *ctr)
{
  JsonNode *node = json_object_get_member (review->images, image);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  JsonNode *ctr_node = json_object_get_member (json_node_get_object (node), "ctr");
  if (ctr_node == NULL || !JSON_NODE_HOLDS_OBJECT (ctr_node))
    return FALSE;
  JsonObject *object = json_node_get_object (ctr_node);
  return read_caliper (object, "heart", &ctr->heart) && read_caliper (object, "thorax", &ctr->thorax);
}

/* Positions to a tenth of a pixel: the pointer is no finer, and the file stays readable. */
static JsonArray *
caliper_array (const CxrCaliper *caliper)
{
  JsonArray *array = json_array_new ();
  json_array_add_double_element (array, round (caliper->left * 10) / 10);
  json_array_add_double_element (array, round (caliper->right * 10) / 10);
  json_array_add_double_element (array, round (caliper->y * 10) / 10);
  return array;
}

void
cxr_review_set_ctr (CxrReview *review, const char *image, const CxrCtr *ctr)
{
  JsonObject *object = touch (review, image);
  if (ctr == NULL)
    {
      if (json_object_has_member (object, "ctr"))
        json_object_remove_member (object, "ctr");
    }
  else
    {
      JsonObject *member = json_object_new ();
      json_object_set_array_member (member, "heart", caliper_array (&ctr->heart));
      json_object_set_array_member (member, "thorax", caliper_array (&ctr->thorax));
      /* The ratio of the calipers as stored, for readers that do not compute it. */
      CxrCtr stored;
      read_caliper (member, "heart", &stored.heart);
      read_caliper (member, "thorax", &stored.thorax);
      double ratio = cxr_ctr_ratio (&stored);
      if (!isnan (ratio))
        json_object_set_double_member (member, "ratio", round (ratio * 10000) / 10000);
      json_object_set_object_member (object, "ctr", member);
    }
  changed (review, image);
}

void
cxr_review_csv_append_row (CxrReview *review, GString *csv, const char *image, const char *finding_labels,
                           double probability)
{
  CxrReviewEntry entry;
  cxr_review_lookup (review, image, &entry);
  cxr_csv_append_field (csv, image);
  g_string_append_c (csv, ',');
  cxr_csv_append_field (csv, finding_labels != NULL ? finding_labels : "");
  g_string_append_c (csv, ',');
  if (!isnan (probability))
    cxr_format_append_fixed (csv, probability, 4);
  g_string_append_c (csv, ',');
  g_string_append (csv, entry.reviewed ? "yes" : "no");
  g_string_append_c (csv, ',');
  g_string_append (csv, entry.verdict != CXR_VERDICT_NONE ? cxr_verdict_to_id (entry.verdict) : "");
  g_string_append_c (csv, ',');
  cxr_csv_append_field (csv, entry.note);
  g_string_append_c (csv, ',');
  cxr_csv_append_field (csv, entry.who != NULL ? entry.who : "");
  g_string_append_c (csv, ',');
  cxr_csv_append_field (csv, entry.when != NULL ? entry.when : "");
  g_string_append_c (csv, '\n');
}

gboolean
cxr_review_is_dirty (CxrReview *review)
{
  return review->dirty;
}

/* The atomic writer's read-back: what is about to replace the sidecar reads as a review file. */
static gboolean
verify_saved (GBytes *contents, const char *path, gpointer user_data, GError **error)
{
  gsize length;
  const char *text = g_bytes_get_data (contents, &length);
  g_autoptr (JsonParser) parser = cxr_json_parse (text != NULL ? text : "", length, path, error);
  if (parser == NULL)
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return format_error (error, path, NULL, "not a review file (expected a JSON object)");
  return check_root (path, json_node_get_object (root), error);
}

gboolean
cxr_review_save (CxrReview *review, GError **error)
{
  CxrFileIdentity now;
  if (!cxr_file_identify (review->path, &now, error))
    return FALSE;
  if (!cxr_file_identity_same_content (&now, &review->disk))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT, "%s changed on disk since it was read: reload it before "
                   "saving", review->path);
      return FALSE;
    }
  g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), review->root);
  g_autoptr (CxrJsonWriter) writer = cxr_json_writer_new (CXR_JSON_INDENTED, 2);
  cxr_json_writer_add_node (writer, NULL, root);
  gsize length;
  g_autofree char *text = cxr_json_writer_free_to_text (g_steal_pointer (&writer), &length);
  g_autofree char *with_newline = g_strconcat (text, "\n", NULL);
  g_autofree char *backup = g_strconcat (review->path, "~", NULL);
  CxrAtomicOptions options = { .backup_path = backup, .verify = verify_saved };
  if (!cxr_atomic_file_set_contents_full (review->path, with_newline, length + 1, &options, error))
    return FALSE;
  review->disk = (CxrFileIdentity) { TRUE, (gint64) length + 1, 0, "" };
  cxr_file_sha256 (with_newline, length + 1, review->disk.sha256);
  if (review->dirty)
    {
      review->dirty = FALSE;
      g_object_notify_by_pspec (G_OBJECT (review), properties[PROP_DIRTY]);
    }
  return TRUE;
}
