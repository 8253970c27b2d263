/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-boxes.c: threshold, 8-connected components and boxes (definitions in cxr-cam-boxes.h).
 *
 * Components are found on runs, not pixels: one pass turns each row of the mask into runs of set pixels,
 * then runs of neighbouring rows that touch (8-connectivity: their column spans overlap or meet at a
 * corner) are joined with union-find. A CAM thresholded into a few blobs has a few thousand runs where a
 * 1024x1024 image has a million pixels, so after the pass over the mask the work is tiny, and no label
 * image is ever written.
 */
#include "cxr-cam-boxes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-error.h"

typedef struct {
  int y, x0, x1;   /* inclusive columns */
  guint parent;    /* union-find: the run with the smallest index in the component is its root */
} Run;

struct _CxrCamWorkspace {
  guint8 *mask;              /* for callers that do not want the mask */
  gsize mask_capacity;
  Run *runs;
  gsize n_runs, runs_capacity;
  guint *component_of_root;  /* [runs_capacity] */
  CxrCamComponent *components;
  guint n_components;
  gsize components_capacity;
};

const char *
cxr_box_mode_get_name (CxrBoxMode mode)
{
  switch (mode)
    {
    case CXR_BOX_MODE_ALL:
      return "all";
    case CXR_BOX_MODE_UNION:
      return "union";
    case CXR_BOX_MODE_LARGEST:
    default:
      return "largest";
    }
}

gboolean
cxr_box_mode_from_name (const char *name, CxrBoxMode *mode, GError **error)
{
  static const CxrBoxMode modes[] = { CXR_BOX_MODE_LARGEST, CXR_BOX_MODE_ALL, CXR_BOX_MODE_UNION };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_ascii_strcasecmp (name, cxr_box_mode_get_name (modes[i])) == 0)
      {
        *mode = modes[i];
        return TRUE;
      }
  g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "unknown box mode '%s' (known: largest, all, union)", name);
  return FALSE;
}

CxrCamWorkspace *
cxr_cam_workspace_new (void)
{
  return g_new0 (CxrCamWorkspace, 1);
}

void
cxr_cam_workspace_free (CxrCamWorkspace *ws)
{
  if (ws == NULL)
    return;
  g_free (ws->mask);
  g_free (ws->runs);
  g_free (ws->component_of_root);
  g_free (ws->components);
  g_free (ws);
}

void
cxr_cam_threshold (guint8 *mask, const float *cam, gsize n, float threshold)
{
  if (!(threshold < 1.0f))
    {
      memset (mask, 0, n);
      return;
    }
  /* `>=` is false for NaN, which therefore stays out. */
  for (gsize i = 0; i < n; i++)
    mask[i] = cam[i] >= threshold;
}

static Run *
push_run (CxrCamWorkspace *ws)
{
  if (ws->n_runs == ws->runs_capacity)
    {
      ws->runs_capacity = MAX (1024, ws->runs_capacity * 2);
      ws->runs = g_renew (Run, ws->runs, ws->runs_capacity);
      ws->component_of_root = g_renew (guint, ws->component_of_root, ws->runs_capacity);
    }
  return &ws->runs[ws->n_runs++];
}

/* Appends the runs of one mask row; skips zero bytes eight at a time. */
static void
find_row_runs (CxrCamWorkspace *ws, const guint8 *row, int width, int y)
{
  int x = 0;
  while (x < width)
    {
      while (x + 8 <= width)
        {
          guint64 word;
          memcpy (&word, row + x, 8);
          if (word != 0)
            break;
          x += 8;
        }
      while (x < width && row[x] == 0)
        x++;
      if (x >= width)
        break;
      int start = x;
      while (x < width && row[x] != 0)
        x++;
      Run *run = push_run (ws);
      run->y = y;
      run->x0 = start;
      run->x1 = x - 1;
      run->parent = ws->n_runs - 1;
    }
}

static guint
find_root (Run *runs, guint i)
{
  while (runs[i].parent != i)
    {
      runs[i].parent = runs[runs[i].parent].parent;  /* path halving */
      i = runs[i].parent;
    }
  return i;
}

static void
join (Run *runs, guint a, guint b)
{
  a = find_root (runs, a);
  b = find_root (runs, b);
  /* The smaller index (earlier in raster order) stays the root: it holds the component's first pixel. */
  if (a < b)
    runs[b].parent = a;
  else if (b < a)
    runs[a].parent = b;
}

static int
compare_components (const void *pa, const void *pb)
{
  const CxrCamComponent *a = pa, *b = pb;
  if (a->area != b->area)
    return a->area > b->area ? -1 : 1;
  if (a->first_y != b->first_y)
    return a->first_y < b->first_y ? -1 : 1;
  return (a->first_x > b->first_x) - (a->first_x < b->first_x);
}

guint
cxr_cam_find_components (CxrCamWorkspace *ws, const guint8 *mask, int width, int height)
{
  ws->n_runs = 0;
  ws->n_components = 0;

  gsize previous_begin = 0, previous_end = 0;
  for (int y = 0; y < height; y++)
    {
      gsize begin = ws->n_runs;
      find_row_runs (ws, mask + (gsize) y * width, width, y);
      gsize end = ws->n_runs;

      /* Two-pointer sweep over the previous row's runs and this row's: p touches c when their spans
       * overlap after widening by one column (the diagonal neighbours). */
      gsize p = previous_begin;
      for (gsize c = begin; c < end && p < previous_end; )
        {
          Run *cur = &ws->runs[c], *prev = &ws->runs[p];
          if (prev->x1 + 1 < cur->x0)
            p++;
          else if (cur->x1 + 1 < prev->x0)
            c++;
          else
            {
              join (ws->runs, p, c);
              /* Advance whichever ends first; the other may touch the next one too. */
              if (prev->x1 < cur->x1)
                p++;
              else
                c++;
            }
        }
      previous_begin = begin;
      previous_end = end;
    }

  for (gsize i = 0; i < ws->n_runs; i++)
    {
      Run *run = &ws->runs[i];
      guint root = find_root (ws->runs, i);
      CxrCamComponent *component;
      if (root == i)
        {
          if (ws->n_components == ws->components_capacity)
            {
              ws->components_capacity = MAX (64, ws->components_capacity * 2);
              ws->components = g_renew (CxrCamComponent, ws->components, ws->components_capacity);
            }
          ws->component_of_root[i] = ws->n_components;
          component = &ws->components[ws->n_components++];
          *component = (CxrCamComponent) {
            .x0 = run->x0, .y0 = run->y, .x1 = run->x1, .y1 = run->y, .area = 0,
            .first_x = run->x0, .first_y = run->y,
          };
        }
      else
        component = &ws->components[ws->component_of_root[root]];
      component->x0 = MIN (component->x0, run->x0);
      component->x1 = MAX (component->x1, run->x1);
      component->y1 = MAX (component->y1, run->y);
      component->area += run->x1 - run->x0 + 1;
    }

  /* qsort's array may not be NULL, even for no elements (an empty mask has no components array yet). */
  if (ws->n_components > 1)
    qsort (ws->components, ws->n_components, sizeof (CxrCamComponent), compare_components);
  return ws->n_components;
}

const CxrCamComponent *
cxr_cam_workspace_get_components (CxrCamWorkspace *ws, guint *n_components)
{
  if (n_components)
    *n_components = ws->n_components;
  return ws->components;
}

static CxrRect
component_rect (const CxrCamComponent *c)
{
  return (CxrRect) { c->x0, c->y0, c->x1 - c->x0 + 1, c->y1 - c->y0 + 1 };
}

GArray *
cxr_cam_workspace_get_boxes (CxrCamWorkspace *ws, CxrBoxMode mode)
{
  GArray *boxes = g_array_new (FALSE, FALSE, sizeof (CxrRect));
  if (ws->n_components == 0)
    return boxes;
  switch (mode)
    {
    case CXR_BOX_MODE_ALL:
      for (guint i = 0; i < ws->n_components; i++)
        {
          CxrRect r = component_rect (&ws->components[i]);
          g_array_append_val (boxes, r);
        }
      break;
    case CXR_BOX_MODE_UNION:
      {
        CxrCamComponent all = ws->components[0];
        for (guint i = 1; i < ws->n_components; i++)
          {
            all.x0 = MIN (all.x0, ws->components[i].x0);
            all.y0 = MIN (all.y0, ws->components[i].y0);
            all.x1 = MAX (all.x1, ws->components[i].x1);
            all.y1 = MAX (all.y1, ws->components[i].y1);
          }
        CxrRect r = component_rect (&all);
        g_array_append_val (boxes, r);
      }
      break;
    case CXR_BOX_MODE_LARGEST:
    default:
      {
        CxrRect r = component_rect (&ws->components[0]);
        g_array_append_val (boxes, r);
      }
      break;
    }
  return boxes;
}

GArray *
cxr_cam_boxes_for_threshold (CxrCamWorkspace *ws, const float *cam, int width, int height, float threshold,
                             CxrBoxMode mode, guint8 *mask)
{
  gsize n = (gsize) width * height;
  if (mask == NULL)
    {
      if (ws->mask_capacity < n)
        {
          g_free (ws->mask);
          ws->mask = g_malloc (n);
          ws->mask_capacity = n;
        }
      mask = ws->mask;
    }
  cxr_cam_threshold (mask, cam, n, threshold);
  cxr_cam_find_components (ws, mask, width, height);
  return cxr_cam_workspace_get_boxes (ws, mode);
}

gboolean
cxr_cam_label_matches (const char *box_label, const char *class_name)
{
  if (g_ascii_strcasecmp (box_label, class_name) == 0)
    return TRUE;
  gboolean box_infiltrate = g_ascii_strcasecmp (box_label, "Infiltrate") == 0
                            || g_ascii_strcasecmp (box_label, "Infiltration") == 0;
  gboolean class_infiltrate = g_ascii_strcasecmp (class_name, "Infiltrate") == 0
                              || g_ascii_strcasecmp (class_name, "Infiltration") == 0;
  return box_infiltrate && class_infiltrate;
}

GArray *
cxr_cam_truth_rects (const GArray *bboxes, const char *class_name)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (CxrRect));
  for (guint i = 0; bboxes && i < bboxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (bboxes, CxrBBox, i);
      if (class_name == NULL || cxr_cam_label_matches (box->label, class_name))
        {
          CxrRect r = cxr_rect_from_bbox (box);
          g_array_append_val (rects, r);
        }
    }
  return rects;
}

/* ---- scores -------------------------------------------------------------------------------------- */

double
cxr_rect_area (const CxrRect *r)
{
  return r->w > 0 && r->h > 0 ? r->w * r->h : 0.0;
}

double
cxr_rect_intersection (const CxrRect *a, const CxrRect *b)
{
  double w = MIN (a->x + a->w, b->x + b->w) - MAX (a->x, b->x);
  double h = MIN (a->y + a->h, b->y + b->h) - MAX (a->y, b->y);
  return w > 0 && h > 0 ? w * h : 0.0;
}

double
cxr_rect_iou (const CxrRect *a, const CxrRect *b)
{
  double inter = cxr_rect_intersection (a, b);
  double uni = cxr_rect_area (a) + cxr_rect_area (b) - inter;
  return uni > 0 ? inter / uni : 0.0;
}

double
cxr_rect_iobb (const CxrRect *predicted, const CxrRect *truth)
{
  double area = cxr_rect_area (predicted);
  return area > 0 ? cxr_rect_intersection (predicted, truth) / area : 0.0;
}

void
cxr_box_score (CxrBoxScore *score, const CxrRect *predicted, guint n_predicted, const CxrRect *truth,
               guint n_truth)
{
  memset (score, 0, sizeof *score);
  score->n_predicted = n_predicted;
  score->n_truth = n_truth;
  score->predicted_index = n_predicted ? 0 : -1;
  score->truth_index = n_truth ? 0 : -1;
  if (n_predicted)
    score->predicted = predicted[0];
  if (n_truth)
    score->truth = truth[0];
  if (n_truth == 0)
    {
      score->iou = score->iobb = NAN;
      return;
    }
  if (n_predicted == 0)
    return;

  double best = -1.0;
  for (guint p = 0; p < n_predicted; p++)
    for (guint t = 0; t < n_truth; t++)
      {
        double iou = cxr_rect_iou (&predicted[p], &truth[t]);
        /* Strictly greater: ties keep the earlier pair. */
        if (iou > best)
          {
            best = iou;
            score->predicted_index = p;
            score->truth_index = t;
          }
      }
  score->predicted = predicted[score->predicted_index];
  score->truth = truth[score->truth_index];
  score->iou = best;
  score->iobb = cxr_rect_iobb (&score->predicted, &score->truth);
}

gboolean
cxr_box_score_is_scored (const CxrBoxScore *score)
{
  return score->n_truth > 0;
}

/* ---- the whole cut ------------------------------------------------------------------------------------ */

void
cxr_cam_cut (CxrCamCut *cut, CxrCamWorkspace *workspace, const float *cam, int width, int height, float threshold,
             CxrBoxMode mode, const CxrRect *truth, guint n_truth, guint8 *mask)
{
  cut->boxes = cxr_cam_boxes_for_threshold (workspace, cam, width, height, threshold, mode, mask);
  cxr_box_score (&cut->score, (const CxrRect *) cut->boxes->data, cut->boxes->len, truth, n_truth);
}

void
cxr_cam_cut_clear (CxrCamCut *cut)
{
  g_clear_pointer (&cut->boxes, g_array_unref);
}
