/* cxr-phantom.c: drawing synthetic chest radiographs and writing them as an NIH dataset. */
#include "cxr-phantom.h"

#include <glib/gstdio.h>
#include <math.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-image-save.h"
#include "cxr-tensor.h"

/* Attenuation values (what the film shows: air dark, bone bright). */
#define AIR 0.06
#define SOFT_TISSUE 0.52
#define LUNG 0.20
#define MEDIASTINUM 0.66
#define HEART 0.62
#define BONE 0.16   /* added on top of what lies beneath */

typedef struct {
  double cx, cy, a, b;  /* centre and semi-axes, in units of the image side */
} Ellipse;

/* A smooth inside-ness in [0, 1] with an edge about @soft wide (image units). */
static double
ellipse_inside (const Ellipse *e, double u, double v, double soft)
{
  double dx = (u - e->cx) / e->a, dy = (v - e->cy) / e->b;
  double distance = (sqrt (dx * dx + dy * dy) - 1.0) * MIN (e->a, e->b);
  return 1.0 / (1.0 + exp (distance / soft));
}

/* A bright band of half-width @half around distance 0. */
static double
band (double distance, double half)
{
  double t = distance / half;
  return exp (-t * t);
}

static double
gaussian (GRand *rng)
{
  double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

typedef struct {
  Ellipse body, lung_right, lung_left, heart;  /* "right" is the patient's right: the image's left */
  double diaphragm;          /* height of the domes' tops */
  double rib_phase, rib_spacing;
  double exposure;           /* overall gain */
  double tilt;               /* small rotation of the whole chest */
} Anatomy;

static void
draw_anatomy (Anatomy *an, GRand *rng, gboolean cardiomegaly)
{
  double jitter_x = g_rand_double_range (rng, -0.02, 0.02);
  double jitter_y = g_rand_double_range (rng, -0.02, 0.02);
  double lung_height = g_rand_double_range (rng, 0.25, 0.29);
  double lung_width = g_rand_double_range (rng, 0.12, 0.145);

  an->body = (Ellipse) { 0.5 + jitter_x, 0.58 + jitter_y, g_rand_double_range (rng, 0.40, 0.45), 0.56 };
  an->lung_right = (Ellipse) { 0.5 + jitter_x - lung_width - 0.045, 0.46 + jitter_y, lung_width, lung_height };
  an->lung_left = (Ellipse) { 0.5 + jitter_x + lung_width + 0.045, 0.46 + jitter_y, lung_width, lung_height };
  an->diaphragm = 0.46 + jitter_y + lung_height * 0.78;

  /* Thoracic width: between the lungs' outer edges. The heart's width follows from the
   * cardiothoracic ratio; it sits left of the midline (the image's right), on the diaphragm. */
  double thorax = 2.0 * (lung_width * 2.0 + 0.045);
  double ratio = cardiomegaly ? g_rand_double_range (rng, 0.55, 0.68) : g_rand_double_range (rng, 0.38, 0.47);
  double heart_a = ratio * thorax / 2.0;
  double heart_b = heart_a * g_rand_double_range (rng, 0.62, 0.75);
  an->heart = (Ellipse) { 0.5 + jitter_x + heart_a * 0.25, an->diaphragm - heart_b * 0.55, heart_a, heart_b };

  an->rib_phase = g_rand_double_range (rng, 0.0, 1.0);
  an->rib_spacing = g_rand_double_range (rng, 0.048, 0.056);
  an->exposure = g_rand_double_range (rng, 0.9, 1.1);
  an->tilt = g_rand_double_range (rng, -0.03, 0.03);
}

static double
sample (const Anatomy *an, double u, double v)
{
  /* rotate slightly about the centre */
  double du = u - 0.5, dv = v - 0.5;
  u = 0.5 + du * cos (an->tilt) - dv * sin (an->tilt);
  v = 0.5 + du * sin (an->tilt) + dv * cos (an->tilt);

  double body = ellipse_inside (&an->body, u, v, 0.01);
  double value = AIR + (SOFT_TISSUE - AIR) * body;

  /* Lungs, cut off below by the diaphragm domes. */
  double dome = an->diaphragm + 0.05 * pow (fabs (u - 0.5) * 2.2, 2.0);
  double above_diaphragm = 1.0 / (1.0 + exp ((v - dome) / 0.006));
  double lungs = MAX (ellipse_inside (&an->lung_right, u, v, 0.012), ellipse_inside (&an->lung_left, u, v, 0.012));
  lungs *= above_diaphragm;
  value += (LUNG - value) * lungs;

  /* Mediastinum and spine down the middle, then the heart over them. */
  double mediastinum = band (u - an->body.cx, 0.045) * body * (v > 0.12 ? 1.0 : 0.0);
  value += (MEDIASTINUM - value) * mediastinum;
  double heart = ellipse_inside (&an->heart, u, v, 0.008);
  value += (HEART - value) * heart;

  /* Vertebrae: a faint periodic texture on the spine. */
  value += 0.05 * band (u - an->body.cx, 0.02) * (0.5 + 0.5 * cos (v * 2.0 * G_PI / 0.035)) * body;

  /* Ribs: arcs across each lung, bright where they cross the lung fields. */
  double lateral = fabs (u - an->body.cx);
  double rib_v = v - 0.6 * lateral * lateral;  /* ribs curve down towards the sides */
  double phase = rib_v / an->rib_spacing + an->rib_phase;
  double rib = band (phase - floor (phase) - 0.5, 0.12) * lungs;
  value += BONE * 0.6 * rib;

  /* Clavicles. */
  double clavicle_v = 0.19 - 0.16 * lateral;  /* rising towards the shoulders */
  value += BONE * band (v - clavicle_v, 0.010) * (lateral > 0.04 && lateral < 0.30 ? 1.0 : 0.0) * body;

  return value * an->exposure;
}

CxrImage *
cxr_phantom_render (guint64 seed, gboolean cardiomegaly, int size, CxrPhantomBox *heart)
{
  guint32 seed_words[3] = { (guint32) seed, (guint32) (seed >> 32), cardiomegaly };
  g_autoptr (GRand) rng = g_rand_new_with_seed_array (seed_words, 3);
  Anatomy an;
  draw_anatomy (&an, rng, cardiomegaly);

  CxrImage *image = cxr_image_new (size, size);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        double v = sample (&an, (x + 0.5) / size, (y + 0.5) / size);
        v += 0.018 * gaussian (rng);  /* film and detector noise */
        image->pixels[(gsize) y * size + x] = (float) CLAMP (v, 0.0, 1.0);
      }

  if (heart != NULL)
    {
      /* The heart ellipse's bounding box, rotated with the chest: the box of the rotated ellipse. */
      double ca = cos (-an.tilt), sa = sin (-an.tilt);
      double cx = 0.5 + (an.heart.cx - 0.5) * ca - (an.heart.cy - 0.5) * sa;
      double cy = 0.5 + (an.heart.cx - 0.5) * sa + (an.heart.cy - 0.5) * ca;
      double half_w = sqrt (pow (an.heart.a * ca, 2) + pow (an.heart.b * sa, 2));
      double half_h = sqrt (pow (an.heart.a * sa, 2) + pow (an.heart.b * ca, 2));
      heart->x = (cx - half_w) * size;
      heart->y = (cy - half_h) * size;
      heart->width = 2.0 * half_w * size;
      heart->height = 2.0 * half_h * size;
    }
  return image;
}

void
cxr_phantom_options_init_default (CxrPhantomOptions *options)
{
  options->n_images = 120;
  options->cardiomegaly_share = 0.5;
  options->size = 512;
  options->seed = 1;
}

gboolean
cxr_phantom_write_dataset (const char *folder, const CxrPhantomOptions *options,
                           GCancellable *cancellable, GError **error)
{
  g_autofree char *images_dir = g_build_filename (folder, "images", NULL);
  g_autofree char *labels_path = g_build_filename (folder, "Data_Entry_2017.csv", NULL);
  g_autofree char *boxes_path = g_build_filename (folder, "BBox_List_2017.csv", NULL);

  if (g_file_test (labels_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "%s already holds a dataset (Data_Entry_2017.csv); choose an empty folder", folder);
      return FALSE;
    }
  if (g_mkdir_with_parents (images_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot create %s: %s", images_dir, g_strerror (saved));
      return FALSE;
    }
  /* What a killed run of this left half written. */
  cxr_atomic_file_sweep (folder);
  cxr_atomic_file_sweep (images_dir);

  g_autoptr (GString) labels = g_string_new (
    "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
    "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]\n");
  g_autoptr (GString) boxes = g_string_new ("Image Index,Finding Label,Bbox [x,y,w,h],,,\n");

  for (guint i = 0; i < options->n_images; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      /* Spread the classes evenly, so that any prefix has about the right share. */
      gboolean cardiomegaly = floor ((i + 1) * options->cardiomegaly_share) > floor (i * options->cardiomegaly_share);
      guint patient = 90000001 + i;
      g_autofree char *name = g_strdup_printf ("%08u_000.png", patient);
      g_autofree char *path = g_build_filename (images_dir, name, NULL);

      CxrPhantomBox heart;
      g_autoptr (CxrImage) image = cxr_phantom_render (options->seed * 100003 + i, cardiomegaly, options->size, &heart);
      if (!cxr_image_save_png (image, path, error))
        return FALSE;

      g_string_append_printf (labels, "%s,%s,0,%u,%u,%c,PA,%d,%d,0.143,0.143\n", name,
                              cardiomegaly ? "Cardiomegaly" : "No Finding", patient,
                              30 + (i * 7) % 50, i % 3 ? 'M' : 'F', options->size, options->size);
      if (cardiomegaly)
        {
          /* To the micro-pixel, as six decimals: NIH's own boxes carry more digits than any reader needs. */
          const double box[4] = { heart.x, heart.y, heart.width, heart.height };
          g_string_append_printf (boxes, "%s,Cardiomegaly", name);
          for (int k = 0; k < 4; k++)
            {
              g_string_append_c (boxes, ',');
              cxr_format_append_fixed (boxes, box[k], 6);
            }
          g_string_append_c (boxes, '\n');
        }
    }

  return cxr_atomic_file_set_contents (labels_path, labels->str, labels->len, error)
         && cxr_atomic_file_set_contents (boxes_path, boxes->str, boxes->len, error);
}
