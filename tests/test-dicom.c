/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom: cxr-dicom.h over every third-party file in ../shared/data/dicom-samples (PROVENANCE.md there).
 *
 * What each file should give is not written down here: the test asks GDCM's own tools in the same run. gdcminfo
 * gives the size, bits stored, pixel representation, photometric interpretation and rescale; gdcmconv --raw
 * decompresses to explicit VR little endian and gdcmraw extracts its pixel data, from which the stored values of
 * a few pixels are computed here (bits stored, sign, rescale) and compared with what the reader gave. Only the
 * files that must fail are named, with the error they must give.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cxr-dicom.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

/* The files that must be refused, and how. */
static const struct {
  const char *file;
  int code;
  const char *message_part;
} refused[] = {
  { "MR_truncated.dcm", CXR_ERROR_FORMAT, "truncated" },
  { "rtplan.dcm", CXR_ERROR_UNSUPPORTED, "holds no image (RT Plan Storage)" },
  { "test-SR.dcm", CXR_ERROR_UNSUPPORTED, "holds no image (Comprehensive SR Storage)" },
  /* pydicom's own test list calls it "missing PixelData": its first byte is not part of any element, so no
   * reader (GDCM, DCMTK's dcmdump, pydicom with force=True) finds an image in it. */
  { "no_meta.dcm", CXR_ERROR_FORMAT, "not a DICOM image" },
};

static const char *
refusal_for (const char *file, int *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    if (strcmp (refused[i].file, file) == 0)
      {
        *code = refused[i].code;
        return refused[i].message_part;
      }
  return NULL;
}

/* Runs a GDCM tool; its stdout. A missing tool fails the test (.ci/setup installs libgdcm-tools). */
static char *
run_tool (const char *const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

/* What gdcminfo says about one file. */
typedef struct {
  int width, height, bits_allocated, bits_stored, high_bit, pixel_representation, planar;
  char photometric[64];
  double intercept, slope;
} Info;

static gboolean
parse_info (const char *text, Info *info)
{
  memset (info, 0, sizeof *info);
  info->slope = 1;
  int frames = 0, n = 0;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char *colon = strchr (*l, ':');
      if (colon == NULL)
        continue;
      g_autofree char *key = g_strstrip (g_strndup (*l, colon - *l));
      const char *value = colon + 1;
      if (strcmp (key, "Dimensions") == 0)
        n += sscanf (value, " (%d,%d,%d)", &info->width, &info->height, &frames) >= 2;
      else if (strcmp (key, "BitsAllocated") == 0 && info->bits_allocated == 0)
        info->bits_allocated = atoi (value);
      else if (strcmp (key, "BitsStored") == 0)
        info->bits_stored = atoi (value);
      else if (strcmp (key, "PlanarConfiguration") == 0)
        info->planar = atoi (value);
      else if (strcmp (key, "HighBit") == 0)
        info->high_bit = atoi (value);
      else if (strcmp (key, "PixelRepresentation") == 0)
        info->pixel_representation = atoi (value);
      else if (strcmp (key, "PhotometricInterpretation") == 0)
        {
          g_autofree char *pi = g_strstrip (g_strdup (value));
          g_strlcpy (info->photometric, pi, sizeof info->photometric);
        }
      else if (strcmp (key, "Rescale Intercept/Slope") == 0)
        {
          /* gdcminfo prints C++ stream numbers: a dot in every locale */
          g_auto (GStrv) parts = g_strsplit_set (value, " (,)", -1);
          int k = 0;
          for (char **p = parts; *p != NULL; p++)
            if (**p != '\0')
              {
                if (k == 0)
                  info->intercept = g_ascii_strtod (*p, NULL);
                else if (k == 1)
                  info->slope = g_ascii_strtod (*p, NULL);
                k++;
              }
        }
    }
  return n == 1;
}

/* The pixel data of the file decompressed by gdcmconv --raw (explicit VR little endian), via gdcmraw. */
static GBytes *
raw_pixels (const char *path, const char *tmpdir)
{
  g_autofree char *raw_dcm = g_build_filename (tmpdir, "raw.dcm", NULL);
  g_autofree char *raw_bin = g_build_filename (tmpdir, "raw.bin", NULL);
  const char *conv[] = { "gdcmconv", "--raw", path, raw_dcm, NULL };
  g_free (run_tool (conv));
  const char *extract[] = { "gdcmraw", "-i", raw_dcm, "-o", raw_bin, "-t", "7fe0,0010", NULL };
  g_free (run_tool (extract));
  char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (raw_bin, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static guint32
raw_at (const guint8 *data, int bits_allocated, gsize i)
{
  switch (bits_allocated)
    {
    case 1: return data[i / 8] >> (i % 8) & 1;
    case 8: return data[i];
    case 16: return data[2 * i] | (guint32) data[2 * i + 1] << 8;
    default: return data[4 * i] | (guint32) data[4 * i + 1] << 8 | (guint32) data[4 * i + 2] << 16
                    | (guint32) data[4 * i + 3] << 24;
    }
}

static double
stored (guint32 raw, const Info *info)
{
  guint64 v = raw >> (info->high_bit + 1 - info->bits_stored);
  v &= (((guint64) 1) << info->bits_stored) - 1;
  if (info->pixel_representation == 1 && (v >> (info->bits_stored - 1)) & 1)
    return (double) v - (double) (((guint64) 1) << info->bits_stored);
  return (double) v;
}

/* Sample c of pixel i of an n-pixel colour image, interleaved or planar. */
static guint32
colour_sample (const guint8 *data, const Info *info, gsize n, gsize i, int c)
{
  return raw_at (data, info->bits_allocated, info->planar ? c * n + i : 3 * i + c);
}

/* Pixel i's RGB, after YBR_FULL to RGB (PS3.3 C.7.6.3.1.2) when the file is YBR. */
static void
colour_rgb (const guint8 *data, const Info *info, gsize n, gsize i, float rgb[3])
{
  double s[3];
  for (int c = 0; c < 3; c++)
    s[c] = stored (colour_sample (data, info, n, i, c), info);
  if (g_str_has_prefix (info->photometric, "YBR_FULL"))
    {
      double half = ((1 << info->bits_stored)) / 2.0, max = (1 << info->bits_stored) - 1;
      double y = s[0], cb = s[1], cr = s[2];
      s[0] = CLAMP (y + 1.402 * (cr - half), 0, max);
      s[1] = CLAMP (y - 0.344136 * (cb - half) - 0.714136 * (cr - half), 0, max);
      s[2] = CLAMP (y + 1.772 * (cb - half), 0, max);
    }
  for (int c = 0; c < 3; c++)
    rgb[c] = (float) s[c];
}

static float
colour_gray_channel (const guint8 *data, const Info *info, gsize n, gsize i, int c)
{
  float rgb[3];
  colour_rgb (data, info, n, i, rgb);
  return rgb[c];
}

/* The gray value cxr-dicom.h promises for pixel i of a colour image: R when R == G == B everywhere, else luma. */
static float
colour_gray (const guint8 *data, const Info *info, gsize n, gsize i, gboolean equal)
{
  float rgb[3];
  colour_rgb (data, info, n, i, rgb);
  return equal ? rgb[0] : (0.299f * rgb[0] + 0.587f * rgb[1]) + 0.114f * rgb[2];
}

static void
check_pixels (const CxrDicomImage *image, const char *path, const Info *info, const char *tmpdir)
{
  g_autoptr (GBytes) raw = raw_pixels (path, tmpdir);
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (raw, &length);
  gsize n = (gsize) info->width * info->height;
  int spp = image->colour ? 3 : 1;
  g_assert_cmpuint (length * 8, >=, n * spp * info->bits_allocated);

  gboolean equal = TRUE;
  if (spp == 3)
    for (gsize i = 0; i < n && equal; i++)
      {
        /* after YBR to RGB, as the reader decides */
        float r = colour_gray (data, info, n, i, TRUE);
        equal = r == colour_gray_channel (data, info, n, i, 1) && r == colour_gray_channel (data, info, n, i, 2);
      }

  /* Corners, centre and a spread of pixels from a fixed LCG. */
  gsize at[12] = { 0, (gsize) info->width - 1, n - (gsize) info->width, n - 1, n / 2 + (gsize) info->width / 2 };
  guint64 state = 12345;
  for (int k = 5; k < 12; k++)
    {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      at[k] = (gsize) (state >> 33) % n;
    }
  for (int k = 0; k < 12; k++)
    {
      gsize i = at[k];
      float want = spp == 1 ? (float) (stored (raw_at (data, info->bits_allocated, i), info) * info->slope
                                       + info->intercept)
                            : colour_gray (data, info, n, i, equal);
      if (image->values[i] != want)
        g_error ("%s: pixel %" G_GSIZE_FORMAT " is %.9g, GDCM's tools give %.9g", path, i, image->values[i], want);
    }
}

static void
test_samples (void)
{
  const char *dir = cxr_test_dicom_samples_dir ();
  if (dir == NULL)
    return;
  g_autofree char *tmpdir = cxr_test_make_tmpdir ();
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  int opened = 0, failed = 0;
  const char *name;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      if (!g_str_has_suffix (name, ".dcm"))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (CxrDicomImage) image = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok = cxr_dicom_read (path, &image, &error);
      int code = 0;
      const char *refusal = refusal_for (name, &code);
      if (refusal != NULL)
        {
          g_test_message ("%s: %s", name, error != NULL ? error->message : "(read)");
          g_assert_false (ok);
          g_assert_null (image);
          g_assert_error (error, CXR_ERROR, code);
          g_assert_nonnull (strstr (error->message, refusal));
          g_assert_nonnull (strstr (error->message, name));
          failed++;
          continue;
        }
      if (!ok)
        g_error ("%s: %s", name, error->message);

      const char *argv[] = { "gdcminfo", path, NULL };
      g_autofree char *text = run_tool (argv);
      Info info;
      g_assert_true (parse_info (text, &info));
      g_test_message ("%s: %dx%d, %d of %d bits, %s, %s; gdcminfo: %dx%d, %d bits, %s", name, image->width,
                      image->height, image->bits_stored, image->bits_allocated, image->photometric,
                      image->transfer_syntax_name, info.width, info.height, info.bits_stored, info.photometric);
      g_assert_cmpint (image->width, ==, info.width);
      g_assert_cmpint (image->height, ==, info.height);
      g_assert_cmpint (image->bits_stored, ==, info.bits_stored);
      g_assert_cmpint (image->pixel_representation, ==, info.pixel_representation);
      g_assert_cmpstr (image->photometric, ==, info.photometric);
      if (strcmp (info.photometric, "PALETTE COLOR") != 0)
        {
          g_assert_cmpfloat (image->rescale_slope, ==, info.slope);
          g_assert_cmpfloat (image->rescale_intercept, ==, info.intercept);
          check_pixels (image, path, &info, tmpdir);
        }
      else
        {
          /* The palette's RGB, 8 or 16 bits: gray within its range and not all black. */
          float max = 0;
          for (gsize i = 0; i < (gsize) image->width * image->height; i++)
            {
              g_assert_cmpfloat (image->values[i], >=, image->range_low);
              g_assert_cmpfloat (image->values[i], <=, image->range_high);
              max = MAX (max, image->values[i]);
            }
          g_assert_cmpfloat (max, >, 0);
        }
      opened++;
    }
  g_test_message ("%d files opened, %d refused", opened, failed);
  g_assert_cmpint (failed, ==, G_N_ELEMENTS (refused));
  g_assert_cmpint (opened, >=, 20);
}

/* The header fields that are not in gdcminfo's summary, for the files that carry them. */
static void
test_attributes (void)
{
  const char *dir = cxr_test_dicom_samples_dir ();
  if (dir == NULL)
    return;
  g_autofree char *path = g_build_filename (dir, "MR_small.dcm", NULL);
  g_autoptr (CxrDicomImage) image = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_dicom_read (path, &image, &error));
  g_assert_no_error (error);
  /* dcmdump: (0028,1050) DS [600], (0028,1051) DS [1600], (0028,0030) DS [0.3125\0.3125], (0008,0060) CS [MR] */
  g_assert_cmpint (image->n_windows, ==, 1);
  g_assert_cmpfloat (image->windows[0].center, ==, 600);
  g_assert_cmpfloat (image->windows[0].width, ==, 1600);
  g_assert_cmpfloat (image->spacing_row_mm, ==, 0.3125);
  g_assert_cmpfloat (image->spacing_column_mm, ==, 0.3125);
  g_assert_cmpstr (image->spacing_source, ==, "PixelSpacing");
  g_assert_cmpstr (image->modality, ==, "MR");
  g_assert_cmpstr (image->transfer_syntax_uid, ==, "1.2.840.10008.1.2.1");
  g_assert_cmpint (image->frames, ==, 1);
  g_assert_false (image->monochrome1);
  g_assert_false (image->colour);
  g_assert_cmpuint (strlen (image->sop_instance_uid), >, 10);

  /* The CT: signed 16-bit with intercept -1024, so the range after the modality LUT is -33792 ... 31743. */
  g_autofree char *ct = g_build_filename (dir, "CT_small.dcm", NULL);
  g_autoptr (CxrDicomImage) ct_image = NULL;
  g_assert_true (cxr_dicom_read (ct, &ct_image, &error));
  g_assert_cmpfloat (ct_image->range_low, ==, -32768 - 1024);
  g_assert_cmpfloat (ct_image->range_high, ==, 32767 - 1024);
}

/* Every readable file cut short, in its pixel data and just before its end, fails cleanly; so does every prefix
 * of a few hundred bytes. Nothing may crash or report success with invented pixels. */
static void
test_cut_files (void)
{
  const char *dir = cxr_test_dicom_samples_dir ();
  if (dir == NULL)
    return;
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  int cuts = 0;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      int code;
      if (!g_str_has_suffix (name, ".dcm") || refusal_for (name, &code) != NULL)
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_autoptr (CxrDicomImage) full = NULL;
      g_assert_true (cxr_dicom_read_from_bytes ((const guint8 *) data, length, name, &full, NULL));
      gsize at[] = { 0, 1, 131, 132, 300, length / 2, length - 200, length - 2, length - 1 };
      for (gsize k = 0; k < G_N_ELEMENTS (at); k++)
        {
          g_autoptr (CxrDicomImage) image = NULL;
          g_autoptr (GError) error = NULL;
          if (g_getenv ("CXR_TEST_TRACE_CUTS") != NULL)
            g_printerr ("%s at %" G_GSIZE_FORMAT "\n", name, at[k]);
          gboolean ok = cxr_dicom_read_from_bytes ((const guint8 *) data, at[k], name, &image, &error);
          if (ok)
            {
              /* Only where nothing was lost: a deflated data set (raw deflate has no checksum) can end in bits
               * that carry no pixel. */
              gsize n = (gsize) full->width * full->height;
              if (image->width != full->width || image->height != full->height
                  || memcmp (image->values, full->values, n * sizeof (float)) != 0)
                g_error ("%s cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes gave other pixels", name, at[k],
                         length);
              g_test_message ("%s cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes: read, same pixels", name,
                              at[k], length);
              continue;
            }
          g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
          cuts++;
        }
    }
  g_test_message ("%d cut files refused", cuts);
}

static void
test_sniff (void)
{
  const char *dir = cxr_test_dicom_samples_dir ();
  if (dir == NULL)
    return;
  g_autofree char *path = g_build_filename (dir, "MR_small_implicit.dcm", NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  g_assert_true (cxr_dicom_sniff ((const guint8 *) data, length));
  /* Without its preamble and meta header: a bare implicit VR data set starting at (0008,0005). */
  g_assert_true (cxr_dicom_sniff ((const guint8 *) "\x08\x00\x05\x00\x0a\x00\x00\x00ISO_IR 100", 18));
  g_assert_true (cxr_dicom_sniff ((const guint8 *) "\x08\x00\x05\x00" "CS\x0a\x00ISO_IR 100", 18));
  g_assert_false (cxr_dicom_sniff ((const guint8 *) "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  g_assert_false (cxr_dicom_sniff ((const guint8 *) "\xff\xd8\xff\xe0", 4));
  g_assert_false (cxr_dicom_sniff ((const guint8 *) "", 0));

  /* From a file: what the thumbnailer and the window ask before they choose a decoder. A FIFO must be refused at
   * once, not waited on (its open() would block for a writer, and read() for data). */
  g_assert_true (cxr_dicom_sniff_file (path));
  g_autofree char *tmp = g_dir_make_tmp ("cxr-sniff-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (tmp, "a.png", NULL);
  g_assert_true (g_file_set_contents (png, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, NULL));
  g_assert_false (cxr_dicom_sniff_file (png));
  g_autofree char *missing = g_build_filename (tmp, "missing.dcm", NULL);
  g_assert_false (cxr_dicom_sniff_file (missing));
  g_autofree char *fifo = g_build_filename (tmp, "fifo.dcm", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (cxr_dicom_sniff_file (fifo));
  g_assert_false (cxr_dicom_sniff_file (tmp));
  g_unlink (fifo);
  g_unlink (png);
  g_rmdir (tmp);

  g_autoptr (CxrDicomImage) image = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_dicom_read_from_bytes ((const guint8 *) "", 0, "empty.dcm", &image, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "empty"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dicom/samples", test_samples);
  g_test_add_func ("/dicom/attributes", test_attributes);
  g_test_add_func ("/dicom/cut-files", test_cut_files);
  g_test_add_func ("/dicom/sniff", test_sniff);
  return g_test_run ();
}
