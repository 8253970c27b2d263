/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-phantom.h: synthetic chest radiographs, cxrcam's built-in demo data.
 *
 * Real radiographs cannot ship with cxrcam, and nothing can be downloaded, so
 * the demo and the UI's first-run experience use phantoms: a frontal chest
 * seen as on a PA film (patient's left on the image's right), with soft
 * tissue, lungs, spine and mediastinum, aortic knob, ribs, clavicles, breast
 * shadows, two diaphragm domes, the stomach's gas bubble and a heart of two
 * lobes turned towards its apex, plus film noise, the anode heel effect and
 * devices that tell nothing about the finding (ECG electrodes and leads, a
 * central line, a pacemaker, the "L" marker). Patients differ in size,
 * position, tilt, exposure and noise, but the thorax's width on the film
 * varies little (collimated to the chest), so that the heart's own width
 * tells the finding and nothing outside the heart does (the aortic knob
 * stands at its own level, not above the heart). In a "Cardiomegaly" phantom the heart
 * is wider than half the thorax (cardiothoracic ratio 0.55-0.70); in a normal
 * one it is 0.36-0.47, as radiologists define the finding. The heart stands
 * apart from the diaphragm: its lowest point a little above the dome under it,
 * the abdomen below clearly darker than the heart, so that its lower border
 * shows (when heart and abdomen were one density, the demo network's maps
 * spread from the heart onto the domes). The ground truth is the box of the
 * heart's pixels. Everything is drawn from a seed: the same seed gives the
 * same pixels.
 *
 * cxr_phantom_write_dataset() lays the phantoms out as an NIH dataset
 * (images/, Data_Entry_2017.csv, BBox_List_2017.csv) so that every cxrcam
 * tool opens them as it opens the real thing.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-image.h"

G_BEGIN_DECLS

typedef struct {
  double x, y, width, height;  /* pixels */
} CxrPhantomBox;

/* A size x size phantom; @heart receives the heart's bounding box. */
CxrImage *cxr_phantom_render (guint64 seed, gboolean cardiomegaly, int size, CxrPhantomBox *heart);

typedef struct {
  guint n_images;             /* default 120 */
  double cardiomegaly_share;  /* default 0.5 */
  int size;                   /* pixels a side, default 512 */
  guint64 seed;               /* default 1 */
} CxrPhantomOptions;

void     cxr_phantom_options_init_default (CxrPhantomOptions *options);

/* Writes @folder/images/<9xxxxxxx>_000.png, Data_Entry_2017.csv (Cardiomegaly or No Finding, one
 * patient per image) and BBox_List_2017.csv (a Cardiomegaly box for every Cardiomegaly phantom).
 * Creates @folder if needed; refuses to write into a folder that already holds a label table. */
gboolean cxr_phantom_write_dataset (const char *folder, const CxrPhantomOptions *options,
                                    GCancellable *cancellable, GError **error);

G_END_DECLS
