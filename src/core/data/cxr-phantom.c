/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-phantom.c: drawing synthetic chest radiographs and writing them as an NIH dataset. */
#include "cxr-phantom.h"

#include <glib/gstdio.h>
#include <math.h>

#include "cxr-atomic-file.h"
#include "cxr-error.h"
#include "cxr-format.h"
#include "cxr-image-save.h"
#include "cxr-tensor.h"

/* Attenuation values (what the film shows: air dark, bone and metal bright). Each phantom draws its own from
 * these ranges, so that brightness alone tells nothing. */
#define AIR 0.05
#define BONE 0.15    /* added on top of what lies beneath */
#define METAL 0.97   /* electrodes, wires, pacemakers, the side marker */

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

/* The same for an ellipse turned by @angle (radians) about its centre. */
static double
turned_ellipse_inside (const Ellipse *e, double angle, double u, double v, double soft)
{
  double du = u - e->cx, dv = v - e->cy;
  Ellipse upright = { 0, 0, e->a, e->b };
  return ellipse_inside (&upright, du * cos (angle) + dv * sin (angle), -du * sin (angle) + dv * cos (angle), soft);
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

/* Distance from (u, v) to the segment p -> q. */
static double
segment_distance (double u, double v, double pu, double pv, double qu, double qv)
{
  double du = qu - pu, dv = qv - pv;
  double t = ((u - pu) * du + (v - pv) * dv) / (du * du + dv * dv + 1e-12);
  t = CLAMP (t, 0.0, 1.0);
  return hypot (u - pu - t * du, v - pv - t * dv);
}

#define WIRE_POINTS 6
#define MAX_WIRES 6

/* A wire or catheter: a polyline through WIRE_POINTS points. */
typedef struct {
  double u[WIRE_POINTS], v[WIRE_POINTS];
  double width, brightness;
} Wire;

typedef struct {
  double cx;                 /* the chest's midline */
  Ellipse body, lung_right, lung_left;  /* "right" is the patient's right: the image's left */
  double dome_right, dome_left;         /* the hemidiaphragms' tops (the right one is higher) */
  double lung_value, soft_value, abdomen_value, heart_value, mediastinum_value;

  /* The heart: a body and a left-ventricle lobe, both turned so that the apex points down to the patient's
   * left. Whatever of it lies below the diaphragm is hidden in the abdomen's equal density, as on a film. */
  Ellipse heart, ventricle;
  double heart_angle;
  Ellipse aortic_knob;

  double rib_phase, rib_spacing;
  double breast;             /* 0: none; else the breast shadows' extra density */
  double bubble;             /* how much gas the stomach shows, 0 ... 1 */
  double exposure, heel;     /* overall gain, and its slope from top to bottom (the anode heel effect) */
  double tilt;               /* rotation of the whole chest */
  double noise;              /* the detector noise's standard deviation */

  /* Devices, drawn whatever the finding (so that they tell nothing about it). */
  guint n_electrodes;
  double electrode_u[MAX_WIRES], electrode_v[MAX_WIRES], electrode_r;
  guint n_wires;
  Wire wires[MAX_WIRES];
  gboolean pacemaker;
  double pacemaker_u, pacemaker_v;
  gboolean marker;           /* the "L" side marker */
  double marker_u, marker_v, marker_h;
} Anatomy;

/* The hemidiaphragms: a dome under each lung, falling to the costophrenic angles and to the midline. */
static double
diaphragm (const Anatomy *an, double u)
{
  const Ellipse *lung = u < an->cx ? &an->lung_right : &an->lung_left;
  double top = u < an->cx ? an->dome_right : an->dome_left;
  double t = (u - lung->cx) / lung->a;
  return top + 0.030 * t * t;
}

/* A wire that hangs from (u0, v0) to (u1, v1), sagging by @sag. */
static void
wire_init (Wire *wire, double u0, double v0, double u1, double v1, double sag, double width, double brightness)
{
  for (int i = 0; i < WIRE_POINTS; i++)
    {
      double t = i / (double) (WIRE_POINTS - 1);
      wire->u[i] = u0 + (u1 - u0) * t;
      wire->v[i] = v0 + (v1 - v0) * t + sag * 4.0 * t * (1.0 - t);
    }
  wire->width = width;
  wire->brightness = brightness;
}

static void
draw_devices (Anatomy *an, GRand *rng)
{
  an->n_electrodes = 0;
  an->n_wires = 0;
  an->electrode_r = g_rand_double_range (rng, 0.009, 0.013);
  /* ECG electrodes anywhere on the chest, their leads running off the film's side. */
  if (g_rand_double (rng) < 0.35)
    {
      an->n_electrodes = g_rand_int_range (rng, 2, 5);
      for (guint i = 0; i < an->n_electrodes; i++)
        {
          double u = an->cx + g_rand_double_range (rng, -0.32, 0.32);
          double v = g_rand_double_range (rng, 0.22, 0.80);
          an->electrode_u[i] = u;
          an->electrode_v[i] = v;
          double edge = u < an->cx ? g_rand_double_range (rng, -0.05, 0.05) : g_rand_double_range (rng, 0.95, 1.05);
          wire_init (&an->wires[an->n_wires++], u, v, edge, v + g_rand_double_range (rng, -0.2, 0.2),
                     g_rand_double_range (rng, -0.06, 0.06), 0.0025, 0.30);
        }
    }
  /* A central venous catheter from the neck down the superior vena cava. */
  if (g_rand_double (rng) < 0.2 && an->n_wires < MAX_WIRES)
    {
      double side = g_rand_boolean (rng) ? 1.0 : -1.0;
      wire_init (&an->wires[an->n_wires++], an->cx + side * g_rand_double_range (rng, 0.10, 0.22), 0.08,
                 an->cx - 0.02, an->lung_right.cy - g_rand_double_range (rng, 0.0, 0.08),
                 g_rand_double_range (rng, 0.02, 0.06), 0.0030, 0.28);
    }
  /* A pacemaker under the left clavicle (the image's right), its lead ending in the heart. */
  an->pacemaker = g_rand_double (rng) < 0.1 && an->n_wires < MAX_WIRES;
  if (an->pacemaker)
    {
      an->pacemaker_u = an->cx + g_rand_double_range (rng, 0.18, 0.28);
      an->pacemaker_v = g_rand_double_range (rng, 0.13, 0.20);
      wire_init (&an->wires[an->n_wires++], an->pacemaker_u, an->pacemaker_v, an->heart.cx, an->heart.cy,
                 g_rand_double_range (rng, -0.08, 0.02), 0.0030, 0.35);
    }
  /* The radiographer's "L" in an upper corner (sometimes left off). */
  an->marker = g_rand_double (rng) < 0.85;
  an->marker_h = g_rand_double_range (rng, 0.035, 0.055);
  an->marker_u = g_rand_boolean (rng) ? g_rand_double_range (rng, 0.04, 0.12) : g_rand_double_range (rng, 0.84, 0.92);
  an->marker_v = g_rand_double_range (rng, 0.03, 0.10);
}

/* The ventricle as drawn: its centre turns with the heart about the heart's centre. */
static Ellipse
turned_ventricle (const Anatomy *an)
{
  Ellipse ventricle = an->ventricle;
  double du = ventricle.cx - an->heart.cx, dv = ventricle.cy - an->heart.cy;
  double ca = cos (an->heart_angle), sa = sin (an->heart_angle);
  ventricle.cx = an->heart.cx + du * ca - dv * sa;
  ventricle.cy = an->heart.cy + du * sa + dv * ca;
  return ventricle;
}

/* The heart's inside-ness: its body and its ventricle lobe. */
static double
heart_inside (const Anatomy *an, double u, double v, double soft)
{
  double body = turned_ellipse_inside (&an->heart, an->heart_angle, u, v, soft);
  Ellipse ventricle = turned_ventricle (an);
  return MAX (body, turned_ellipse_inside (&ventricle, an->heart_angle, u, v, soft));
}

/* How far the heart's lowest point reaches below the diaphragm under it (negative: it stays above), found on
 * the outlines of its two ellipses. */
static double
heart_depth_below_diaphragm (const Anatomy *an)
{
  Ellipse ventricle = turned_ventricle (an);
  const Ellipse *outlines[2] = { &an->heart, &ventricle };
  double ca = cos (an->heart_angle), sa = sin (an->heart_angle), depth = -G_MAXDOUBLE;
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 360; i++)
      {
        double x = outlines[k]->a * cos (i * G_PI / 180.0), y = outlines[k]->b * sin (i * G_PI / 180.0);
        double u = outlines[k]->cx + x * ca - y * sa, v = outlines[k]->cy + x * sa + y * ca;
        depth = MAX (depth, v - diaphragm (an, u));
      }
  return depth;
}

static void
draw_anatomy (Anatomy *an, GRand *rng, gboolean cardiomegaly)
{
  /* Patients differ in size and stand differently in front of the detector, but the radiographer collimates to
   * the chest, so that the thorax's width on the film varies less than the patients do (0.54-0.68 of the image
   * side; it was 0.45-0.72). With the wider spread a heart's own width said little (the normal and enlarged
   * ones overlapped over a third of their range), the network had to gauge the thorax, and the maps of some
   * training runs lit what tells a small patient (the air beside the neck) instead of the heart. */
  double scale = g_rand_double_range (rng, 0.92, 1.02);
  double jitter_x = g_rand_double_range (rng, -0.04, 0.04);
  double jitter_y = g_rand_double_range (rng, -0.04, 0.03);
  double lung_height = scale * g_rand_double_range (rng, 0.23, 0.30);
  double lung_width = scale * g_rand_double_range (rng, 0.125, 0.140);
  double gap = scale * g_rand_double_range (rng, 0.044, 0.052);
  double lung_cy = 0.46 + jitter_y;

  an->cx = 0.5 + jitter_x;
  an->body = (Ellipse) { an->cx, lung_cy + 0.12 * scale, scale * g_rand_double_range (rng, 0.40, 0.47), 0.58 };
  an->lung_right = (Ellipse) { an->cx - lung_width - gap, lung_cy, lung_width, lung_height };
  an->lung_left = (Ellipse) { an->cx + lung_width + gap, lung_cy + g_rand_double_range (rng, 0.0, 0.02),
                              lung_width * g_rand_double_range (rng, 0.95, 1.01), lung_height };
  an->dome_right = lung_cy + lung_height * g_rand_double_range (rng, 0.70, 0.80);
  an->dome_left = an->dome_right + g_rand_double_range (rng, 0.005, 0.03);

  an->lung_value = g_rand_double_range (rng, 0.14, 0.24);
  an->soft_value = g_rand_double_range (rng, 0.46, 0.56);
  an->heart_value = g_rand_double_range (rng, 0.60, 0.68);
  /* The abdomen a clear step darker than the heart (on a film the liver is about as dense): with heart and abdomen
   * one density the demo network's maps spread from the heart onto the domes, the boxes 1.5 times too tall. */
  an->abdomen_value = an->heart_value - g_rand_double_range (rng, 0.12, 0.20);
  an->mediastinum_value = an->heart_value + g_rand_double_range (rng, -0.02, 0.03);

  /* The cardiothoracic ratio makes the finding: the heart's width over the thorax's (between the lungs' outer
   * edges), above 0.5 in cardiomegaly. About a third of the heart lies right of the midline. Its height, shape and
   * tilt vary as much in both classes, so that only its size tells the finding. */
  double thorax = (an->lung_left.cx + an->lung_left.a) - (an->lung_right.cx - an->lung_right.a);
  double ratio = cardiomegaly ? g_rand_double_range (rng, 0.55, 0.70) : g_rand_double_range (rng, 0.36, 0.47);
  double width = ratio * thorax;
  double right_share = g_rand_double_range (rng, 0.26, 0.40);
  double height = width * g_rand_double_range (rng, 0.62, 0.82);
  an->heart_angle = g_rand_double_range (rng, -0.30, -0.08);   /* apex down to the image's right */
  double heart_cx = an->cx + width * (0.5 - right_share);
  double heart_cy = diaphragm (an, heart_cx) - height / 2.0;
  an->heart = (Ellipse) { heart_cx, heart_cy, width / 2.0, height / 2.0 };
  an->ventricle = (Ellipse) { heart_cx + width * g_rand_double_range (rng, 0.14, 0.24),
                              heart_cy + height * g_rand_double_range (rng, 0.05, 0.15),
                              width * g_rand_double_range (rng, 0.22, 0.30), height * g_rand_double_range (rng, 0.30, 0.40) };
  /* Its lowest point a little above the diaphragm under it, lung or fat between them (the cardiophrenic sulcus):
   * the film shows the heart's lower border, so that the heart stands apart from the domes and the abdomen. */
  double lift = heart_depth_below_diaphragm (an) + g_rand_double_range (rng, 0.008, 0.030);
  an->heart.cy -= lift;
  an->ventricle.cy -= lift;
  /* The aortic knob at its own level in the thorax, whatever the heart's size (the heart is drawn over it): placed
   * above the heart's top, it stood higher in cardiomegaly and told the finding from outside the heart. */
  an->aortic_knob = (Ellipse) { an->cx + scale * g_rand_double_range (rng, 0.035, 0.055),
                                lung_cy - lung_height * g_rand_double_range (rng, 0.45, 0.60),
                                scale * g_rand_double_range (rng, 0.025, 0.035), scale * 0.025 };

  an->rib_phase = g_rand_double_range (rng, 0.0, 1.0);
  an->rib_spacing = scale * g_rand_double_range (rng, 0.046, 0.058);
  an->breast = g_rand_double (rng) < 0.35 ? g_rand_double_range (rng, 0.04, 0.09) : 0.0;
  an->bubble = g_rand_double_range (rng, 0.0, 0.8);
  an->exposure = g_rand_double_range (rng, 0.85, 1.12);
  an->heel = g_rand_double_range (rng, -0.10, 0.10);
  an->tilt = g_rand_double_range (rng, -0.05, 0.05);
  an->noise = g_rand_double_range (rng, 0.008, 0.030);
  draw_devices (an, rng);
}


/* The chest without devices at (u, v), in the chest's own (untilted) frame. */
static double
sample_anatomy (const Anatomy *an, double u, double v)
{
  double body = ellipse_inside (&an->body, u, v, 0.01);
  double value = AIR + (an->soft_value - AIR) * body;

  /* Below the diaphragm: liver, stomach, spleen. */
  double dome = diaphragm (an, u);
  double above = 1.0 / (1.0 + exp ((v - dome) / 0.005));
  value += (an->abdomen_value - value) * (1.0 - above) * body;
  /* The stomach's gas bubble under the left dome (the image's right). */
  Ellipse bubble = { an->lung_left.cx - 0.01, an->dome_left + 0.045, 0.05, 0.03 };
  value += (an->lung_value + 0.1 - value) * ellipse_inside (&bubble, u, v, 0.01) * (1.0 - above) * an->bubble;

  /* Lungs, cut off below by the domes. */
  double lungs = MAX (ellipse_inside (&an->lung_right, u, v, 0.012), ellipse_inside (&an->lung_left, u, v, 0.012));
  lungs *= above;
  value += (an->lung_value - value) * lungs;

  /* Breast shadows over the lower lung fields. */
  if (an->breast > 0)
    {
      Ellipse right = { an->lung_right.cx - 0.02, an->dome_right - 0.02, 0.15, 0.10 };
      Ellipse left = { an->lung_left.cx + 0.02, an->dome_left - 0.02, 0.15, 0.10 };
      value += an->breast * MAX (ellipse_inside (&right, u, v, 0.03), ellipse_inside (&left, u, v, 0.03)) * body;
    }

  /* Mediastinum and spine down the middle, the aortic knob, then the heart over them. */
  double mediastinum = band (u - an->cx, 0.042) * body * (v > 0.10 ? 1.0 : 0.0) * above;
  value += (an->mediastinum_value - value) * mediastinum;
  value += (an->mediastinum_value - value) * ellipse_inside (&an->aortic_knob, u, v, 0.006);
  double heart = heart_inside (an, u, v, 0.006) * above;
  value += (an->heart_value - value) * heart;

  /* Vertebrae: a faint periodic texture on the spine. */
  value += 0.05 * band (u - an->cx, 0.02) * (0.5 + 0.5 * cos (v * 2.0 * G_PI / 0.035)) * body;

  /* Ribs: arcs across each lung, bright where they cross the lung fields. */
  double lateral = fabs (u - an->cx);
  double rib_v = v - 0.6 * lateral * lateral;  /* ribs curve down towards the sides */
  double phase = rib_v / an->rib_spacing + an->rib_phase;
  double rib = band (phase - floor (phase) - 0.5, 0.12) * lungs * (1.0 - 0.7 * heart);   /* faint behind the heart */
  value += BONE * 0.6 * rib;

  /* Clavicles. */
  double clavicle_v = 0.19 - 0.16 * lateral;  /* rising towards the shoulders */
  value += BONE * band (v - clavicle_v, 0.010) * (lateral > 0.04 && lateral < 0.30 ? 1.0 : 0.0) * body;
  return value;
}

/* Metal on the patient, in the chest's frame: electrodes, wires, the pacemaker. */
static double
sample_devices (const Anatomy *an, double u, double v, double value)
{
  for (guint i = 0; i < an->n_wires; i++)
    {
      const Wire *w = &an->wires[i];
      double d = G_MAXDOUBLE;
      for (int k = 0; k + 1 < WIRE_POINTS; k++)
        d = MIN (d, segment_distance (u, v, w->u[k], w->v[k], w->u[k + 1], w->v[k + 1]));
      if (d < 4.0 * w->width)
        value += w->brightness * band (d, w->width);
    }
  for (guint i = 0; i < an->n_electrodes; i++)
    {
      double d = hypot (u - an->electrode_u[i], v - an->electrode_v[i]);
      if (d < an->electrode_r * 1.5)
        value = MAX (value, METAL * (d < an->electrode_r * 0.45 ? 1.0 : d < an->electrode_r ? 0.75 : 0.0));
    }
  if (an->pacemaker && fabs (u - an->pacemaker_u) < 0.035 && fabs (v - an->pacemaker_v) < 0.025)
    value = MAX (value, METAL);
  return value;
}

/* The side marker, on the detector (not turned with the chest). */
static double
sample_marker (const Anatomy *an, double u, double v, double value)
{
  if (!an->marker)
    return value;
  double h = an->marker_h, stroke = h * 0.22, du = u - an->marker_u, dv = v - an->marker_v;
  gboolean stem = du >= 0 && du < stroke && dv >= 0 && dv < h;
  gboolean foot = du >= 0 && du < h * 0.65 && dv >= h - stroke && dv < h;
  return stem || foot ? METAL : value;
}

CxrImage *
cxr_phantom_render (guint64 seed, gboolean cardiomegaly, int size, CxrPhantomBox *heart)
{
  guint32 seed_words[3] = { (guint32) seed, (guint32) (seed >> 32), cardiomegaly };
  g_autoptr (GRand) rng = g_rand_new_with_seed_array (seed_words, 3);
  Anatomy an;
  draw_anatomy (&an, rng, cardiomegaly);

  /* The ground truth is the box of the pixels where the heart shows: inside its outline and above the
   * diaphragm, in the turned chest. */
  int x0 = size, y0 = size, x1 = -1, y1 = -1;
  double ct = cos (an.tilt), st = sin (an.tilt);
  CxrImage *image = cxr_image_new (size, size);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      {
        double iu = (x + 0.5) / size, iv = (y + 0.5) / size;
        /* the chest's frame: turned about the image's centre */
        double du = iu - 0.5, dv = iv - 0.5;
        double u = 0.5 + du * ct - dv * st, v = 0.5 + du * st + dv * ct;
        double value = sample_devices (&an, u, v, sample_anatomy (&an, u, v));
        value *= an.exposure * (1.0 + an.heel * (iv - 0.5));
        value = sample_marker (&an, iu, iv, value);
        value += an.noise * gaussian (rng);  /* film and detector noise */
        image->pixels[(gsize) y * size + x] = (float) CLAMP (value, 0.0, 1.0);
        if (heart_inside (&an, u, v, 1e-4) > 0.5 && v < diaphragm (&an, u))
          {
            x0 = MIN (x0, x);
            x1 = MAX (x1, x);
            y0 = MIN (y0, y);
            y1 = MAX (y1, y);
          }
      }

  if (heart != NULL)
    {
      heart->x = x0;
      heart->y = y0;
      heart->width = x1 >= x0 ? x1 - x0 + 1 : 0;
      heart->height = y1 >= y0 ? y1 - y0 + 1 : 0;
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
