/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-decoder: GDCM runs in a decoder process (cxr-dicom-decoder.h), and nothing it does can end cxrcam.
 *
 *   - every file of ../shared/data/dicom-samples gives the same image through the process as in this process,
 *     field by field and value by value, or the same error;
 *   - a file that makes GDCM read past its buffer (found by fuzz-dicom) and decoders that abort, hang, print
 *     garbage or stop half-way give a GError that says so, and the next file reads normally;
 *   - the bytes on the wire are checked: every cut of a real reply, and a values file of the wrong size, is
 *     refused.
 */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cxr-dicom-decoder.h"
#include "cxr-dicom-memfd.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

static void
assert_same_image (const CxrDicomImage *a, const CxrDicomImage *b)
{
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  g_assert_cmpint (a->frames, ==, b->frames);
  g_assert_cmpint (a->samples_per_pixel, ==, b->samples_per_pixel);
  g_assert_cmpint (a->bits_allocated, ==, b->bits_allocated);
  g_assert_cmpint (a->bits_stored, ==, b->bits_stored);
  g_assert_cmpint (a->pixel_representation, ==, b->pixel_representation);
  g_assert_cmpstr (a->photometric, ==, b->photometric);
  g_assert_cmpint (a->monochrome1, ==, b->monochrome1);
  g_assert_cmpint (a->colour, ==, b->colour);
  g_assert_cmpfloat (a->rescale_slope, ==, b->rescale_slope);
  g_assert_cmpfloat (a->rescale_intercept, ==, b->rescale_intercept);
  g_assert_cmpfloat (a->range_low, ==, b->range_low);
  g_assert_cmpfloat (a->range_high, ==, b->range_high);
  g_assert_cmpint (a->n_windows, ==, b->n_windows);
  for (int i = 0; i < a->n_windows; i++)
    {
      g_assert_cmpfloat (a->windows[i].center, ==, b->windows[i].center);
      g_assert_cmpfloat (a->windows[i].width, ==, b->windows[i].width);
      g_assert_cmpstr (a->windows[i].explanation, ==, b->windows[i].explanation);
    }
  g_assert_cmpint (a->voi_function, ==, b->voi_function);
  g_assert_cmpint (a->has_voi_lut, ==, b->has_voi_lut);
  if (a->has_voi_lut)
    {
      g_assert_cmpint (a->voi_lut_entries, ==, b->voi_lut_entries);
      g_assert_cmpfloat (a->voi_lut_first, ==, b->voi_lut_first);
      g_assert_cmpint (a->voi_lut_bits, ==, b->voi_lut_bits);
      g_assert_cmpmem (a->voi_lut_data, a->voi_lut_entries * 2, b->voi_lut_data, b->voi_lut_entries * 2);
      g_assert_cmpstr (a->voi_lut_explanation, ==, b->voi_lut_explanation);
    }
  g_assert_cmpfloat (a->spacing_row_mm, ==, b->spacing_row_mm);
  g_assert_cmpfloat (a->spacing_column_mm, ==, b->spacing_column_mm);
  g_assert_cmpstr (a->spacing_source, ==, b->spacing_source);
  g_assert_cmpstr (a->sop_class_uid, ==, b->sop_class_uid);
  g_assert_cmpstr (a->sop_instance_uid, ==, b->sop_instance_uid);
  g_assert_cmpstr (a->modality, ==, b->modality);
  g_assert_cmpstr (a->transfer_syntax_uid, ==, b->transfer_syntax_uid);
  g_assert_cmpstr (a->transfer_syntax_name, ==, b->transfer_syntax_name);
  g_assert_cmpstr (a->patient_name, ==, b->patient_name);
  g_assert_cmpstr (a->patient_id, ==, b->patient_id);
  g_assert_cmpstr (a->patient_birth_date, ==, b->patient_birth_date);
  g_assert_cmpmem (a->values, (gsize) a->width * a->height * 4, b->values, (gsize) b->width * b->height * 4);
}

static void
test_same_as_in_process (void)
{
  const char *dir = cxr_test_dicom_samples_dir ();
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (listing);
  int images = 0, refused = 0;
  for (const char *file; (file = g_dir_read_name (listing)) != NULL;)
    {
      if (!g_str_has_suffix (file, ".dcm"))
        continue;
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_autoptr (CxrDicomImage) here = NULL, there = NULL;
      g_autoptr (GError) here_error = NULL, there_error = NULL;
      gboolean here_ok = cxr_dicom_decode_in_process ((const guint8 *) data, length, file, &here, &here_error);
      gboolean there_ok = cxr_dicom_read_from_bytes ((const guint8 *) data, length, file, &there, &there_error);
      g_assert_cmpint (here_ok, ==, there_ok);
      if (here_ok)
        {
          assert_same_image (here, there);
          images++;
        }
      else
        {
          g_assert_error (there_error, CXR_ERROR, here_error->code);
          g_assert_cmpstr (there_error->message, ==, here_error->message);
          refused++;
        }
    }
  g_test_message ("%d images equal, %d refusals equal", images, refused);
  g_assert_cmpint (images, >=, 20);
  g_assert_cmpint (refused, ==, 4);
}

/* A small readable file from the samples, for the decoders below. */
static char *
sample (gsize *length)
{
  g_autofree char *path = g_build_filename (cxr_test_dicom_samples_dir (), "MR_small.dcm", NULL);
  char *data = NULL;
  g_assert_true (g_file_get_contents (path, &data, length, NULL));
  return data;
}

/* Reads the sample with CXR_DICOM_DECODER set to a shell script; the error. */
static GError *
read_with_decoder (const char *script)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *program = g_build_filename (dir, "decoder.sh", NULL);
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", script);
  g_assert_true (g_file_set_contents (program, text, -1, NULL));
  g_assert_cmpint (g_chmod (program, 0755), ==, 0);
  g_setenv ("CXR_DICOM_DECODER", program, TRUE);
  gsize length = 0;
  g_autofree char *data = sample (&length);
  g_autoptr (CxrDicomImage) image = NULL;
  GError *error = NULL;
  gboolean ok = cxr_dicom_read_from_bytes ((const guint8 *) data, length, "MR_small.dcm", &image, &error);
  g_unsetenv ("CXR_DICOM_DECODER");
  g_assert_false (ok);
  g_assert_null (image);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);

  /* And the real decoder reads the next file. */
  g_autoptr (CxrDicomImage) next = NULL;
  g_autoptr (GError) next_error = NULL;
  g_assert_true (cxr_dicom_read_from_bytes ((const guint8 *) data, length, "MR_small.dcm", &next, &next_error));
  g_assert_no_error (next_error);
  g_assert_cmpint (next->width, ==, 64);
  return error;
}

static void
test_decoder_aborts (void)
{
  /* As an assert() in GDCM ends it, after reading part of the request (32 bytes: the data is in its memory file)
   * and saying why on stderr. */
  g_autoptr (GError) error = read_with_decoder (
    "head -c 16 >/dev/null\n"
    "echo 'cxrcam-dicom-decode: gdcmPixmapReader.cxx:633: Assertion `0` failed.' >&2\n"
    "kill -ABRT $$");
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==, "DICOM decoder stopped on MR_small.dcm: signal 6 (abort): "
                                       "cxrcam-dicom-decode: gdcmPixmapReader.cxx:633: Assertion `0` failed.");
}

static void
test_decoder_segfaults_without_reading (void)
{
  g_autoptr (GError) error = read_with_decoder ("exec 0<&-\nkill -SEGV $$");
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_cmpstr (error->message, ==, "DICOM decoder stopped on MR_small.dcm: signal 11 (segmentation fault)");
}

static void
test_decoder_hangs (void)
{
  g_setenv ("CXR_DICOM_DECODE_SECONDS", "1", TRUE);
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = read_with_decoder ("sleep 60");
  g_unsetenv ("CXR_DICOM_DECODE_SECONDS");
  g_assert_error (error, CXR_ERROR, CXR_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==,
                   "MR_small.dcm: the DICOM decoder took longer than 2 s and was stopped (a time limit)");
  /* Stopped at its limit, not after the sleep. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
}

static void
test_decoder_garbage (void)
{
  g_autoptr (GError) error = read_with_decoder ("echo hello");
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "MR_small.dcm: the DICOM decoder gave no answer");

  g_autoptr (GError) exit_error = read_with_decoder ("echo 'no memory' >&2\nexit 3");
  g_assert_error (exit_error, CXR_ERROR, CXR_ERROR_FAILED);
  g_assert_true (strstr (exit_error->message, "failed on MR_small.dcm (exit status 3): no memory") != NULL);
}

static void
test_decoder_missing (void)
{
  g_setenv ("CXR_DICOM_DECODER", "/nonexistent/cxrcam-dicom-decode", TRUE);
  gsize length = 0;
  g_autofree char *data = sample (&length);
  g_autoptr (CxrDicomImage) image = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_dicom_read_from_bytes ((const guint8 *) data, length, "MR_small.dcm", &image, &error));
  g_unsetenv ("CXR_DICOM_DECODER");
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_cmpstr (error->message, ==, "MR_small.dcm: could not start the DICOM decoder "
                                       "/nonexistent/cxrcam-dicom-decode: No such file or directory");
}

/* Found by fuzz-dicom in GDCM 3.0.21 (tests/fuzz/regressions/dicom): gdcm::RAWCodec::DecodeBytes copies 123456
 * bytes out of a 61-byte string, a heap over-read in cxrcam's own process before. Now whatever the decoder does
 * (an error, or a crash under AddressSanitizer), this process gets an image or a GError. */
static void
test_gdcm_overread (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "fuzz", "regressions", "dicom",
                                            "gdcm-rawcodec-overread.dcm", NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  g_autoptr (CxrDicomImage) image = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok = cxr_dicom_read_from_bytes ((const guint8 *) data, length, "overread.dcm", &image, &error);
  g_assert_true (ok == (error == NULL));
  if (error != NULL)
    g_test_message ("%s", error->message);
}

/* A real reply, cut at every byte and with every byte flipped, and its values file cut or grown: refused or
 * parsed, never a crash, and a cut reply or values file is never an image. */
static void
test_reply_checked (void)
{
  gsize length = 0;
  g_autofree char *data = sample (&length);
  g_autoptr (CxrDicomImage) image = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_dicom_decode_in_process ((const guint8 *) data, length, "MR_small.dcm", &image, &error));
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "reply", NULL);
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  int values = cxr_dicom_memfd_new ("values");
  g_assert_cmpint (values, >=, 0);
  g_assert_true (cxr_dicom_memfd_set (values, image->values, 64 * 64 * 4, &error));
  g_assert_true (cxr_dicom_wire_write_reply (fileno (f), image, NULL, &error));
  fclose (f);
  g_autofree guint8 *reply = NULL;
  gsize reply_length = 0;
  g_assert_true (g_file_get_contents (path, (char **) &reply, &reply_length, NULL));
  /* The values are not on the pipe. */
  g_assert_cmpuint (reply_length, <, 1024);
  struct stat st;
  g_assert_cmpint (fstat (values, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 64 * 64 * 4);

  g_autoptr (CxrDicomImage) back = NULL;
  g_assert_true (cxr_dicom_wire_parse_reply (reply, reply_length, values, "x", &back, &error));
  assert_same_image (image, back);
  for (gsize cut = 0; cut < reply_length; cut++)
    {
      g_autoptr (CxrDicomImage) part = NULL;
      g_autoptr (GError) cut_error = NULL;
      g_assert_false (cxr_dicom_wire_parse_reply (reply, cut, values, "x", &part, &cut_error));
      g_assert_error (cut_error, CXR_ERROR, CXR_ERROR_FAILED);
    }
  for (gsize at = 0; at < reply_length; at++)
    {
      reply[at] ^= 0xff;
      g_autoptr (CxrDicomImage) flipped = NULL;
      g_autoptr (GError) flip_error = NULL;
      if (!cxr_dicom_wire_parse_reply (reply, reply_length, values, "x", &flipped, &flip_error))
        g_assert_nonnull (flip_error);
      reply[at] ^= 0xff;
    }

  /* A values file one float short, one float long, or gone. */
  for (int change = -4; change <= 4; change += 8)
    {
      g_assert_cmpint (ftruncate (values, 64 * 64 * 4 + change), ==, 0);
      g_autoptr (CxrDicomImage) wrong = NULL;
      g_autoptr (GError) wrong_error = NULL;
      g_assert_false (cxr_dicom_wire_parse_reply (reply, reply_length, values, "x", &wrong, &wrong_error));
      g_assert_error (wrong_error, CXR_ERROR, CXR_ERROR_FAILED);
      g_assert_cmpstr (wrong_error->message, ==, "x: the DICOM decoder's values are missing or cut short");
    }
  close (values);
  g_autoptr (CxrDicomImage) gone = NULL;
  g_autoptr (GError) gone_error = NULL;
  g_assert_false (cxr_dicom_wire_parse_reply (reply, reply_length, -1, "x", &gone, &gone_error));
  g_assert_error (gone_error, CXR_ERROR, CXR_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dicom-decoder/same-as-in-process", test_same_as_in_process);
  g_test_add_func ("/dicom-decoder/aborts", test_decoder_aborts);
  g_test_add_func ("/dicom-decoder/segfaults", test_decoder_segfaults_without_reading);
  g_test_add_func ("/dicom-decoder/hangs", test_decoder_hangs);
  g_test_add_func ("/dicom-decoder/garbage", test_decoder_garbage);
  g_test_add_func ("/dicom-decoder/missing", test_decoder_missing);
  g_test_add_func ("/dicom-decoder/gdcm-overread", test_gdcm_overread);
  g_test_add_func ("/dicom-decoder/reply-checked", test_reply_checked);
  return g_test_run ();
}
