/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-bbox-export: the boxes as Pascal VOC, COCO and YOLO files, checked byte for byte against values worked out
 * by hand, written the same under LC_ALL=de_DE.UTF-8 as under C, and read back by Python's xml.etree and json (a
 * YOLO file back to the same pixel boxes).
 *
 * The fixture, a tutorial folder: a.png (1024 x 512, gray), b.jpg (200 x 100, colour) in BB/, and a BB.csv with
 * a box on each, one reaching past a.png's right and bottom edges with a label that needs XML escaping, and one
 * on an image that is not there:
 *
 *   a.png  Cardiomegaly   256, 128, 512, 64    -> VOC 256 128 768 192; YOLO 1 0.5 0.3125 0.5 0.125
 *   b.jpg  Mass           10.5, 20.25, 100, 50 -> VOC 10.5 20.25 110.5 70.25; YOLO 4 0.3025 0.4525 0.5 0.5
 *   a.png  Opacity <L&R>  1016, 500, 16, 24    -> cut to 1016 500 1024 512;
 *                                                 YOLO 8 0.99609375 0.98828125 0.0078125 0.0234375
 *   gone.png Effusion     1, 2, 3, 4           -> left out and listed
 */
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "cxr-bbox-export.h"
#include "cxr-image-save.h"
#include "cxr-test-util.h"

static const char bb_csv[] =
  "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
  "a.png,Cardiomegaly,256,128,512,64\n"
  "b.jpg,Mass,10.5,20.25,100,50,,\n"
  "a.png,Opacity <L&R>,1016,500,16,24\n"
  "gone.png,Effusion,1,2,3,4\n";

static const char voc_a[] =
  "<annotation>\n"
  "\t<folder>voc</folder>\n"
  "\t<filename>a.png</filename>\n"
  "\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n"
  "\t<size>\n\t\t<width>1024</width>\n\t\t<height>512</height>\n\t\t<depth>1</depth>\n\t</size>\n"
  "\t<segmented>0</segmented>\n"
  "\t<object>\n\t\t<name>Cardiomegaly</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
  "\t\t<difficult>0</difficult>\n\t\t<bndbox>\n"
  "\t\t\t<xmin>256</xmin>\n\t\t\t<ymin>128</ymin>\n\t\t\t<xmax>768</xmax>\n\t\t\t<ymax>192</ymax>\n"
  "\t\t</bndbox>\n\t</object>\n"
  "\t<object>\n\t\t<name>Opacity &lt;L&amp;R&gt;</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
  "\t\t<difficult>0</difficult>\n\t\t<bndbox>\n"
  "\t\t\t<xmin>1016</xmin>\n\t\t\t<ymin>500</ymin>\n\t\t\t<xmax>1024</xmax>\n\t\t\t<ymax>512</ymax>\n"
  "\t\t</bndbox>\n\t</object>\n"
  "</annotation>\n";

static const char voc_b[] =
  "<annotation>\n"
  "\t<folder>voc</folder>\n"
  "\t<filename>b.jpg</filename>\n"
  "\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n"
  "\t<size>\n\t\t<width>200</width>\n\t\t<height>100</height>\n\t\t<depth>3</depth>\n\t</size>\n"
  "\t<segmented>0</segmented>\n"
  "\t<object>\n\t\t<name>Mass</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n"
  "\t\t<difficult>0</difficult>\n\t\t<bndbox>\n"
  "\t\t\t<xmin>10.5</xmin>\n\t\t\t<ymin>20.25</ymin>\n\t\t\t<xmax>110.5</xmax>\n\t\t\t<ymax>70.25</ymax>\n"
  "\t\t</bndbox>\n\t</object>\n"
  "</annotation>\n";

static const char coco[] =
  "{\n"
  " \"info\": {\"description\": \"Ground-truth boxes exported by cxrcam\"},\n"
  " \"licenses\": [],\n"
  " \"images\": [\n"
  "  {\"id\": 1, \"file_name\": \"a.png\", \"width\": 1024, \"height\": 512},\n"
  "  {\"id\": 2, \"file_name\": \"b.jpg\", \"width\": 200, \"height\": 100}\n"
  " ],\n"
  " \"annotations\": [\n"
  "  {\"id\": 1, \"image_id\": 1, \"category_id\": 2, \"bbox\": [256.0, 128.0, 512.0, 64.0], \"area\": 32768.0, "
  "\"iscrowd\": 0, \"segmentation\": []},\n"
  "  {\"id\": 3, \"image_id\": 1, \"category_id\": 9, \"bbox\": [1016.0, 500.0, 16.0, 24.0], \"area\": 384.0, "
  "\"iscrowd\": 0, \"segmentation\": []},\n"
  "  {\"id\": 2, \"image_id\": 2, \"category_id\": 5, \"bbox\": [10.5, 20.25, 100.0, 50.0], \"area\": 5000.0, "
  "\"iscrowd\": 0, \"segmentation\": []}\n"
  " ],\n"
  " \"categories\": [\n"
  "  {\"id\": 1, \"name\": \"Atelectasis\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 2, \"name\": \"Cardiomegaly\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 3, \"name\": \"Effusion\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 4, \"name\": \"Infiltrate\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 5, \"name\": \"Mass\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 6, \"name\": \"Nodule\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 7, \"name\": \"Pneumonia\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 8, \"name\": \"Pneumothorax\", \"supercategory\": \"finding\"},\n"
  "  {\"id\": 9, \"name\": \"Opacity <L&R>\", \"supercategory\": \"finding\"}\n"
  " ]\n"
  "}\n";

static const char yolo_a[] = "1 0.5 0.3125 0.5 0.125\n8 0.99609375 0.98828125 0.0078125 0.0234375\n";
static const char yolo_b[] = "4 0.3025 0.4525 0.5 0.5\n";
static const char yolo_classes[] =
  "Atelectasis\nCardiomegaly\nEffusion\nInfiltrate\nMass\nNodule\nPneumonia\nPneumothorax\nOpacity <L&R>\n";

/* What Python reads back, in pixels: "format image label x0 y0 x1 y1" with 6 decimals. */
static const char python_expected[] =
  "voc a.png 1024x512 Cardiomegaly 256.000000 128.000000 768.000000 192.000000\n"
  "voc a.png 1024x512 Opacity <L&R> 1016.000000 500.000000 1024.000000 512.000000\n"
  "voc b.jpg 200x100 Mass 10.500000 20.250000 110.500000 70.250000\n"
  "coco a.png 1024x512 Cardiomegaly 256.000000 128.000000 768.000000 192.000000\n"
  "coco a.png 1024x512 Opacity <L&R> 1016.000000 500.000000 1032.000000 524.000000\n"
  "coco b.jpg 200x100 Mass 10.500000 20.250000 110.500000 70.250000\n"
  "yolo a.png 1024x512 Cardiomegaly 256.000000 128.000000 768.000000 192.000000\n"
  "yolo a.png 1024x512 Opacity <L&R> 1016.000000 500.000000 1024.000000 512.000000\n"
  "yolo b.jpg 200x100 Mass 10.500000 20.250000 110.500000 70.250000\n";

/* Reads the three exports with the standard library only, as a detector's data loader would. YOLO boxes go back
 * to pixels with the image sizes from COCO's images, and must equal VOC's corners to 1e-9 pixels. */
static const char python_script[] =
  "import json, os, sys, xml.etree.ElementTree as ET\n"
  "root = sys.argv[1]\n"
  "out = []\n"
  "voc = {}\n"
  "for name in sorted(os.listdir(os.path.join(root, 'voc'))):\n"
  "    a = ET.parse(os.path.join(root, 'voc', name)).getroot()\n"
  "    fn = a.find('filename').text\n"
  "    w, h = int(a.find('size/width').text), int(a.find('size/height').text)\n"
  "    for o in a.findall('object'):\n"
  "        b = o.find('bndbox')\n"
  "        box = [float(b.find(k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax')]\n"
  "        voc.setdefault(fn, []).append(box)\n"
  "        out.append(('voc', fn, '%dx%d' % (w, h), o.find('name').text, box))\n"
  "c = json.load(open(os.path.join(root, 'coco', 'annotations.json'), encoding='utf-8'))\n"
  "images = {i['id']: i for i in c['images']}\n"
  "cats = {k['id']: k['name'] for k in c['categories']}\n"
  "for a in sorted(c['annotations'], key=lambda a: (images[a['image_id']]['file_name'], a['id'])):\n"
  "    i = images[a['image_id']]\n"
  "    x, y, w, h = a['bbox']\n"
  "    assert a['area'] == w * h and a['iscrowd'] == 0\n"
  "    out.append(('coco', i['file_name'], '%dx%d' % (i['width'], i['height']), cats[a['category_id']],\n"
  "                [x, y, x + w, y + h]))\n"
  "classes = open(os.path.join(root, 'yolo', 'classes.txt'), encoding='utf-8').read().splitlines()\n"
  "assert classes == [cats[k] for k in sorted(cats)], classes\n"
  "for i in sorted(images.values(), key=lambda i: i['file_name']):\n"
  "    stem = os.path.splitext(i['file_name'])[0]\n"
  "    W, H = i['width'], i['height']\n"
  "    for n, line in enumerate(open(os.path.join(root, 'yolo', stem + '.txt')).read().splitlines()):\n"
  "        k, cx, cy, w, h = line.split()\n"
  "        cx, cy, w, h = float(cx), float(cy), float(w), float(h)\n"
  "        assert all(0 <= v <= 1 for v in (cx, cy, w, h)), line\n"
  "        box = [(cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H]\n"
  "        assert max(abs(p - q) for p, q in zip(box, voc[i['file_name']][n])) < 1e-9, (box, voc)\n"
  "        out.append(('yolo', i['file_name'], '%dx%d' % (W, H), classes[int(k)], box))\n"
  "for f, fn, size, label, box in out:\n"
  "    print(f, fn, size, label, ' '.join('%.6f' % v for v in box))\n";

static void
write_image (const char *folder, const char *name, int width, int height, gboolean gray)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GError) error = NULL;
  if (gray)
    {
      /* A gray PNG as NIH ships them: cxr-image-save writes 8-bit gray. */
      g_autoptr (CxrImage) image = cxr_image_new (width, height);
      g_assert_true (cxr_image_save_png (image, path, &error));
    }
  else
    {
      g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
      gdk_pixbuf_fill (pixbuf, 0x806040ff);
      g_assert_true (gdk_pixbuf_save (pixbuf, path, "jpeg", &error, NULL));
    }
  g_assert_no_error (error);
}

static char *
make_fixture (void)
{
  char *root = cxr_test_make_tmpdir ();
  g_autofree char *images = g_build_filename (root, "BB", NULL);
  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
  write_image (images, "a.png", 1024, 512, TRUE);
  write_image (images, "b.jpg", 200, 100, FALSE);
  g_autofree char *csv = g_build_filename (root, "BB.csv", NULL);
  g_assert_true (g_file_set_contents (csv, bb_csv, -1, NULL));
  return root;
}

static void
assert_file (const char *folder, const char *name, const char *expected)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

static guint
count_files (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  guint n = 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
assert_exports (const char *out)
{
  g_autofree char *voc = g_build_filename (out, "voc", NULL);
  g_autofree char *coco_dir = g_build_filename (out, "coco", NULL);
  g_autofree char *yolo = g_build_filename (out, "yolo", NULL);
  assert_file (voc, "a.xml", voc_a);
  assert_file (voc, "b.xml", voc_b);
  g_assert_cmpuint (count_files (voc), ==, 2);
  assert_file (coco_dir, "annotations.json", coco);
  g_assert_cmpuint (count_files (coco_dir), ==, 1);
  assert_file (yolo, "a.txt", yolo_a);
  assert_file (yolo, "b.txt", yolo_b);
  assert_file (yolo, "classes.txt", yolo_classes);
  g_assert_cmpuint (count_files (yolo), ==, 3);
}

/* The CLI on the dataset folder and on the bare BB.csv, under a decimal-comma locale and under C. */
static void
test_cli_bytes (void)
{
  if (!cxr_test_have_locale ("de_DE.UTF-8"))
    return;
  g_autofree char *root = make_fixture ();
  g_autofree char *csv = g_build_filename (root, "BB.csv", NULL);
  const char *const locales[] = { "de_DE.UTF-8", "C" };
  for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
    for (guint input = 0; input < 2; input++)
      {
        g_autofree char *out = g_strdup_printf ("%s/out-%u-%u", root, l, input);
        g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", locales[l], TRUE);
        for (CxrBBoxExportFormat f = CXR_BBOX_EXPORT_VOC; f <= CXR_BBOX_EXPORT_YOLO; f++)
          {
            const char *name = cxr_bbox_export_format_get_name (f);
            g_autofree char *dir = g_build_filename (out, name, NULL);
            g_auto (CxrCliRun) run = { 0 };
            cxr_test_run_cli_with_env (&run, (const char *const *) env,
                                       (const char *[]) { "bbox", "export", "--format", name,
                                                          input == 0 ? root : csv, "--out", dir, NULL });
            g_assert_cmpint (run.status, ==, 0);
            /* The image that is not there is named, with its box. */
            g_assert_nonnull (strstr (run.err, "gone.png: 1 boxes left out: the image file was not found"));
            g_assert_nonnull (strstr (run.out, f == CXR_BBOX_EXPORT_COCO ? "exported 3 boxes of 2 images"
                                                                         : "exported 3 boxes of 2 images"));
            if (f != CXR_BBOX_EXPORT_COCO)
              g_assert_nonnull (strstr (run.out, "1 boxes were cut to their image's edges"));
          }
        assert_exports (out);

        /* Python reads them back. */
        g_autofree char *script = g_build_filename (root, "read_back.py", NULL);
        g_assert_true (g_file_set_contents (script, python_script, -1, NULL));
        g_autofree char *py_out = NULL, *py_err = NULL;
        int status = 0;
        g_autoptr (GError) error = NULL;
        g_assert_true (g_spawn_sync (NULL, (char *[]) { "python3", script, out, NULL }, NULL, G_SPAWN_SEARCH_PATH,
                                     NULL, NULL, &py_out, &py_err, &status, &error));
        g_assert_no_error (error);
        if (!g_spawn_check_wait_status (status, NULL))
          g_error ("python3 could not read the exports back:\n%s", py_err);
        g_assert_cmpstr (py_out, ==, python_expected);
      }
}

/* The API's report: counts and every left-out box with its reason. */
static void
test_report (void)
{
  g_autofree char *root = make_fixture ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  /* A box wholly outside its image is left out of VOC and YOLO (and kept in COCO). */
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  g_assert_cmpuint (cxr_bbox_store_add (store, "b.jpg", "Nodule", 300, 10, 5, 5, &error), ==, 5);
  g_autofree char *out = g_build_filename (root, "api", NULL);
  g_auto (CxrBBoxExportReport) report = { 0 };
  g_assert_true (cxr_bbox_export_dataset (dataset, CXR_BBOX_EXPORT_YOLO, out, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_images, ==, 2);
  g_assert_cmpuint (report.n_boxes, ==, 3);
  g_assert_cmpuint (report.n_clamped, ==, 1);
  g_assert_cmpuint (report.n_files, ==, 3);
  g_assert_cmpuint (report.skipped->len, ==, 2);
  g_assert_cmpstr (report.skipped->pdata[0], ==,
                   "gone.png: 1 boxes left out: the image file was not found (its size is needed)");
  g_assert_cmpstr (report.skipped->pdata[1], ==, "b.jpg: box 5 (Nodule) left out: it lies outside the 200 x 100 image");
  assert_file (out, "b.txt", yolo_b);

  g_assert_true (cxr_bbox_export_dataset (dataset, CXR_BBOX_EXPORT_COCO, out, &report, &error));
  g_assert_cmpuint (report.n_boxes, ==, 4);
  g_assert_cmpuint (report.skipped->len, ==, 1);
  /* The export is of the boxes as they are now: the unsaved edit is in it, BB.csv is untouched. */
  g_autofree char *csv = g_build_filename (root, "BB.csv", NULL);
  assert_file (root, "BB.csv", bb_csv);

  g_assert_false (cxr_bbox_export_format_from_name ("xml", &(CxrBBoxExportFormat) { 0 }));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bbox-export/cli-bytes", test_cli_bytes);
  g_test_add_func ("/bbox-export/report", test_report);
  return g_test_run ();
}
