/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image.c: PNG (libpng) and JPEG (libjpeg) decoding to gray float.
 *
 * Both libraries report fatal errors by longjmp. Each decoder therefore keeps
 * everything it owns in one heap-allocated struct that is set up before
 * setjmp() and freed by its g_autoptr on every path: after a longjmp nothing
 * leaks and no local variable changed since setjmp() is read.
 */
#include "cxr-image.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "cxr-dicom.h"
#include "cxr-error.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"
#include "cxr-resize.h"
#include "cxr-tensor.h"

/* The luma formula of cxr-image.h is evaluated as written: no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

CxrImage *
cxr_image_new (int width, int height)
{
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  CxrImage *image = g_new0 (CxrImage, 1);
  image->width = width;
  image->height = height;
  image->pixels = cxr_alloc_floats ((gsize) width * height);
  image->file_type = CXR_IMAGE_FILE_PNG;
  image->color = CXR_IMAGE_COLOR_GRAY;
  image->bit_depth = 8;
  image->channels = 1;
  return image;
}

void
cxr_image_free (CxrImage *image)
{
  if (image == NULL)
    return;
  cxr_free_floats (image->pixels);
  g_free (image);
}

const char *
cxr_image_color_name (CxrImageColor color)
{
  switch (color)
    {
    case CXR_IMAGE_COLOR_GRAY: return "gray";
    case CXR_IMAGE_COLOR_GRAY_ALPHA: return "gray+alpha";
    case CXR_IMAGE_COLOR_RGB: return "RGB";
    case CXR_IMAGE_COLOR_RGBA: return "RGBA";
    case CXR_IMAGE_COLOR_PALETTE: return "palette";
    default: return "unknown";
    }
}

/* The image limit of cxr-limits.h, before the decoder allocates a row. */
static gboolean
check_dimensions (gint64 width, gint64 height, const char *name, GError **error)
{
  return cxr_limits_check_image (width, height, name, error);
}

/* ---- Samples to gray ------------------------------------------------------------------------------------ */

/* Decoded, interleaved samples: 1 (gray), 2 (gray, alpha), 3 (RGB) or 4
 * (RGBA) per pixel, 8 or 16 bits in host byte order. */
typedef struct {
  const guint8 *data;  /* [height, row_bytes] */
  gsize row_bytes;
  int width;
  int height;
  int channels;
  int bytes_per_sample;
} Samples;

static inline guint
sample_at (const guint8 *row, gsize index, int bytes_per_sample)
{
  return bytes_per_sample == 1 ? row[index] : ((const guint16 *) row)[index];
}

/* torchvision's to_tensor divides in float; 8-bit values go through a table of the same quotients. */
static void
fill_unit_table (float table[256])
{
  for (int v = 0; v < 256; v++)
    table[v] = (float) v / 255.0f;
}

static inline float
unit_value (guint v, int bytes_per_sample, const float *table8)
{
  return bytes_per_sample == 1 ? table8[v] : (float) v / 65535.0f;
}

/* Gray (and gray+alpha) samples: the first sample of each pixel. */
static void
convert_gray (const Samples *s, float *out)
{
  float table8[256];
  fill_unit_table (table8);
  for (int y = 0; y < s->height; y++)
    {
      const guint8 *row = s->data + (gsize) y * s->row_bytes;
      float *dst = out + (gsize) y * s->width;
      if (s->bytes_per_sample == 1 && s->channels == 1)
        for (int x = 0; x < s->width; x++)
          dst[x] = table8[row[x]];
      else
        for (int x = 0; x < s->width; x++)
          dst[x] = unit_value (sample_at (row, (gsize) x * s->channels, s->bytes_per_sample), s->bytes_per_sample, table8);
    }
}

/* Colour samples with R == G == B everywhere give R. Returns FALSE as soon
 * as a pixel's channels differ (out is then partly written): the caller
 * switches to luma. One pass for the common case of gray stored as colour. */
static gboolean
convert_equal_colour (const Samples *s, float *out)
{
  float table8[256];
  fill_unit_table (table8);
  for (int y = 0; y < s->height; y++)
    {
      const guint8 *row = s->data + (gsize) y * s->row_bytes;
      float *dst = out + (gsize) y * s->width;
      for (int x = 0; x < s->width; x++)
        {
          gsize at = (gsize) x * s->channels;
          guint r = sample_at (row, at, s->bytes_per_sample);
          if (r != sample_at (row, at + 1, s->bytes_per_sample) || r != sample_at (row, at + 2, s->bytes_per_sample))
            return FALSE;
          dst[x] = unit_value (r, s->bytes_per_sample, table8);
        }
    }
  return TRUE;
}

/* ITU-R BT.601 luma exactly as cxr-image.h writes it. */
static void
convert_luma (const Samples *s, float *out)
{
  float table8[256];
  fill_unit_table (table8);
  for (int y = 0; y < s->height; y++)
    {
      const guint8 *row = s->data + (gsize) y * s->row_bytes;
      float *dst = out + (gsize) y * s->width;
      for (int x = 0; x < s->width; x++)
        {
          gsize at = (gsize) x * s->channels;
          float r = unit_value (sample_at (row, at, s->bytes_per_sample), s->bytes_per_sample, table8);
          float g = unit_value (sample_at (row, at + 1, s->bytes_per_sample), s->bytes_per_sample, table8);
          float b = unit_value (sample_at (row, at + 2, s->bytes_per_sample), s->bytes_per_sample, table8);
          dst[x] = 0.299f * r + 0.587f * g + 0.114f * b;
        }
    }
}

/* Fills image->pixels (already allocated, width x height) and image->luma. */
static void
samples_to_gray (const Samples *s, CxrImage *image)
{
  image->luma = FALSE;
  if (s->channels < 3)
    convert_gray (s, image->pixels);
  else if (!convert_equal_colour (s, image->pixels))
    {
      image->luma = TRUE;
      convert_luma (s, image->pixels);
    }
}

/* ---- PNG ------------------------------------------------------------------------------------------------ */

typedef struct {
  const char *name;
  const guint8 *data;
  gsize length;
  gsize offset;
  png_structp png;
  png_infop info;
  guint8 *samples;
  png_bytep *rows;
  CxrImage *image;
  char message[256];  /* why libpng gave up */
} PngDecoder;

static void
png_decoder_free (PngDecoder *dec)
{
  if (dec->png != NULL)
    png_destroy_read_struct (&dec->png, dec->info != NULL ? &dec->info : NULL, NULL);
  g_free (dec->samples);
  g_free (dec->rows);
  cxr_image_free (dec->image);
  g_free (dec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PngDecoder, png_decoder_free)

static void
png_on_error (png_structp png, png_const_charp message)
{
  PngDecoder *dec = png_get_error_ptr (png);
  g_strlcpy (dec->message, message, sizeof dec->message);
  png_longjmp (png, 1);
}

static void
png_on_warning (png_structp png, png_const_charp message)
{
  PngDecoder *dec = png_get_error_ptr (png);
  g_debug ("%s: libpng: %s", dec->name, message);
}

static void
png_read_from_memory (png_structp png, png_bytep out, size_t count)
{
  PngDecoder *dec = png_get_io_ptr (png);
  if (count > dec->length - dec->offset)
    png_error (png, "the file is truncated");
  memcpy (out, dec->data + dec->offset, count);
  dec->offset += count;
}

/* The size in an intact IHDR, read before libpng so that an absurd size is
 * refused (CXR_ERROR_REFUSED) rather than reported as a libpng limit. A
 * damaged IHDR is left to libpng, which calls it what it is. */
static gboolean
png_check_header_size (const guint8 *data, gsize length, const char *name, GError **error)
{
  /* signature (8), length (4), "IHDR" (4), width (4), height (4), 5 more bytes, CRC (4) */
  if (length < 33 || memcmp (data + 12, "IHDR", 4) != 0)
    return TRUE;
  guint32 be_width, be_height, be_crc;
  memcpy (&be_width, data + 16, 4);
  memcpy (&be_height, data + 20, 4);
  memcpy (&be_crc, data + 29, 4);
  if (crc32 (0, data + 12, 17) != GUINT32_FROM_BE (be_crc))
    return TRUE;
  gint64 width = GUINT32_FROM_BE (be_width);
  gint64 height = GUINT32_FROM_BE (be_height);
  if (width == 0 || height == 0)
    return TRUE;
  return check_dimensions (width, height, name, error);
}

static CxrImageColor
png_color_from_type (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return CXR_IMAGE_COLOR_GRAY_ALPHA;
    case PNG_COLOR_TYPE_RGB: return CXR_IMAGE_COLOR_RGB;
    case PNG_COLOR_TYPE_RGB_ALPHA: return CXR_IMAGE_COLOR_RGBA;
    case PNG_COLOR_TYPE_PALETTE: return CXR_IMAGE_COLOR_PALETTE;
    default: return CXR_IMAGE_COLOR_GRAY;
    }
}

/* Runs under the decoder's setjmp: libpng errors longjmp out of here. */
static gboolean
png_decoder_run (PngDecoder *dec, GError **error)
{
  png_set_read_fn (dec->png, dec, png_read_from_memory);
  png_set_user_limits (dec->png, CXR_LIMIT_IMAGE_SIDE, CXR_LIMIT_IMAGE_SIDE);
  png_read_info (dec->png, dec->info);

  png_uint_32 width, height;
  int bit_depth, color_type, interlace;
  png_get_IHDR (dec->png, dec->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  if (!check_dimensions (width, height, dec->name, error))
    return FALSE;
  int file_channels = png_get_channels (dec->png, dec->info);

  /* Everything to 8 or 16 bits of gray, gray+alpha, RGB or RGBA; alpha stays and is skipped later. */
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (dec->png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
    png_set_expand_gray_1_2_4_to_8 (dec->png);
  if (bit_depth == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (dec->png);
  if (interlace != PNG_INTERLACE_NONE)
    png_set_interlace_handling (dec->png);
  png_read_update_info (dec->png, dec->info);

  Samples s = {
    .row_bytes = png_get_rowbytes (dec->png, dec->info),
    .width = (int) width,
    .height = (int) height,
    .channels = png_get_channels (dec->png, dec->info),
    .bytes_per_sample = png_get_bit_depth (dec->png, dec->info) / 8,
  };
  dec->samples = g_try_malloc (s.row_bytes * height);
  dec->rows = g_try_new (png_bytep, height);
  if (dec->samples == NULL || dec->rows == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: not enough memory to decode a %ux%u image",
                   dec->name, (guint) width, (guint) height);
      return FALSE;
    }
  for (png_uint_32 y = 0; y < height; y++)
    dec->rows[y] = dec->samples + y * s.row_bytes;
  png_read_image (dec->png, dec->rows);
  /* Reading to IEND checks the CRCs of the last chunks: a truncated file never passes. */
  png_read_end (dec->png, NULL);

  s.data = dec->samples;
  dec->image = cxr_image_new ((int) width, (int) height);
  dec->image->file_type = CXR_IMAGE_FILE_PNG;
  dec->image->color = png_color_from_type (color_type);
  dec->image->bit_depth = bit_depth;
  dec->image->channels = file_channels;
  dec->image->interlaced = interlace != PNG_INTERLACE_NONE;
  samples_to_gray (&s, dec->image);
  return TRUE;
}

static CxrImage *
decode_png (const guint8 *data, gsize length, const char *name, GError **error)
{
  if (!png_check_header_size (data, length, name, error))
    return NULL;

  g_autoptr (PngDecoder) dec = g_new0 (PngDecoder, 1);
  dec->name = name;
  dec->data = data;
  dec->length = length;
  dec->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, dec, png_on_error, png_on_warning);
  if (dec->png != NULL)
    dec->info = png_create_info_struct (dec->png);
  if (dec->png == NULL || dec->info == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: could not set up libpng", name);
      return NULL;
    }

  if (setjmp (png_jmpbuf (dec->png)))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: invalid PNG: %s", name, dec->message);
      return NULL;
    }
  if (!png_decoder_run (dec, error))
    return NULL;
  return g_steal_pointer (&dec->image);
}

/* ---- JPEG ----------------------------------------------------------------------------------------------- */

typedef struct {
  struct jpeg_error_mgr base;  /* first: libjpeg hands us a pointer to it */
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  gboolean data_lost;          /* a warning that means pixels were made up */
} JpegErrors;

typedef struct {
  const char *name;
  struct jpeg_decompress_struct cinfo;
  JpegErrors errors;
  guint8 *samples;
  CxrImage *image;
} JpegDecoder;

static void
jpeg_decoder_free (JpegDecoder *dec)
{
  /* Safe at any stage: it does nothing until jpeg_create_decompress() has allocated. */
  jpeg_destroy_decompress (&dec->cinfo);
  g_free (dec->samples);
  cxr_image_free (dec->image);
  g_free (dec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JpegDecoder, jpeg_decoder_free)

static void
jpeg_on_error_exit (j_common_ptr cinfo)
{
  JpegErrors *errors = (JpegErrors *) cinfo->err;
  errors->base.format_message (cinfo, errors->message);
  longjmp (errors->jump, 1);
}

/* libjpeg only warns when data ends early or is corrupt, and fills the
 * missing pixels with gray. Those warnings are errors here: a radiograph
 * with invented pixels must not reach the model. Other warnings (extra
 * bytes between markers, odd JFIF versions) leave the pixels intact. */
static gboolean
jpeg_warning_loses_data (int code)
{
  switch (code)
    {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_HUFF_BAD_CODE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Well-formed files that this libjpeg cannot decode (12-bit samples, arithmetic coding in some builds). */
static gboolean
jpeg_error_is_unsupported (int code)
{
  switch (code)
    {
    case JERR_BAD_PRECISION:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
jpeg_on_message (j_common_ptr cinfo, int level)
{
  JpegErrors *errors = (JpegErrors *) cinfo->err;
  if (level >= 0)
    return;  /* trace messages */
  errors->base.num_warnings++;
  if (!errors->data_lost && jpeg_warning_loses_data (errors->base.msg_code))
    {
      errors->data_lost = TRUE;
      errors->base.format_message (cinfo, errors->message);
    }
}

/* The largest DCT scaling 1/2, 1/4 or 1/8 whose output keeps the longer
 * side at least min_side pixels; 1 when min_side is 0. */
static int
jpeg_pick_scale_denom (const struct jpeg_decompress_struct *cinfo, int min_side)
{
  if (min_side <= 0)
    return 1;
  guint long_side = MAX (cinfo->image_width, cinfo->image_height);
  for (int denom = 8; denom > 1; denom /= 2)
    if ((long_side + denom - 1) / denom >= (guint) min_side)
      return denom;
  return 1;
}

/* Runs under the decoder's setjmp: libjpeg errors longjmp out of here. */
static gboolean
jpeg_decoder_run (JpegDecoder *dec, const guint8 *data, gsize length, int min_side, GError **error)
{
  struct jpeg_decompress_struct *cinfo = &dec->cinfo;
  jpeg_mem_src (cinfo, data, length);
  jpeg_read_header (cinfo, TRUE);
  if (!check_dimensions (cinfo->image_width, cinfo->image_height, dec->name, error))
    return FALSE;

  CxrImageColor color;
  switch (cinfo->jpeg_color_space)
    {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      color = CXR_IMAGE_COLOR_GRAY;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      cinfo->out_color_space = JCS_RGB;
      color = CXR_IMAGE_COLOR_RGB;
      break;
    default:
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: unsupported JPEG colour space (%d components, CMYK or YCCK?)",
                   dec->name, cinfo->num_components);
      return FALSE;
    }
  cinfo->scale_num = 1;
  cinfo->scale_denom = jpeg_pick_scale_denom (cinfo, min_side);
  jpeg_start_decompress (cinfo);

  Samples s = {
    .width = (int) cinfo->output_width,
    .height = (int) cinfo->output_height,
    .channels = cinfo->output_components,
    .bytes_per_sample = 1,
  };
  s.row_bytes = (gsize) s.width * s.channels;
  dec->samples = g_try_malloc (s.row_bytes * s.height);
  if (dec->samples == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "%s: not enough memory to decode a %dx%d image",
                   dec->name, s.width, s.height);
      return FALSE;
    }
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW row = dec->samples + (gsize) cinfo->output_scanline * s.row_bytes;
      jpeg_read_scanlines (cinfo, &row, 1);
    }
  jpeg_finish_decompress (cinfo);
  if (dec->errors.data_lost)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: invalid JPEG: %s", dec->name, dec->errors.message);
      return FALSE;
    }

  s.data = dec->samples;
  dec->image = cxr_image_new (s.width, s.height);
  dec->image->file_type = CXR_IMAGE_FILE_JPEG;
  dec->image->color = color;
  dec->image->bit_depth = cinfo->data_precision;
  dec->image->channels = cinfo->num_components;
  dec->image->interlaced = cinfo->progressive_mode;
  samples_to_gray (&s, dec->image);
  return TRUE;
}

static CxrImage *
decode_jpeg (const guint8 *data, gsize length, const char *name, int min_side, GError **error)
{
  g_autoptr (JpegDecoder) dec = g_new0 (JpegDecoder, 1);
  dec->name = name;
  dec->cinfo.err = jpeg_std_error (&dec->errors.base);
  dec->errors.base.error_exit = jpeg_on_error_exit;
  dec->errors.base.emit_message = jpeg_on_message;

  if (setjmp (dec->errors.jump))
    {
      int code = jpeg_error_is_unsupported (dec->errors.base.msg_code) ? CXR_ERROR_UNSUPPORTED : CXR_ERROR_FORMAT;
      g_set_error (error, CXR_ERROR, code, "%s: %s JPEG: %s", name,
                   code == CXR_ERROR_UNSUPPORTED ? "unsupported" : "invalid", dec->errors.message);
      return NULL;
    }
  jpeg_create_decompress (&dec->cinfo);
  if (!jpeg_decoder_run (dec, data, length, min_side, error))
    return NULL;
  return g_steal_pointer (&dec->image);
}

/* ---- DICOM ---------------------------------------------------------------------------------------------- */

/* The stored values through the modality LUT, the first VOI window (or VOI LUT, or the full stored range) and
 * MONOCHROME1's inversion to [0, 1] (cxr_dicom_to_unit_gray, docs/dicom.md): from here on a DICOM radiograph is
 * preprocessed like a PNG, in the window, the CLI and training alike. */
static CxrImage *
decode_dicom (const guint8 *data, gsize length, const char *name, GError **error)
{
  g_autoptr (CxrDicomImage) dicom = NULL;
  if (!cxr_dicom_read_from_bytes (data, length, name, &dicom, error))
    return NULL;
  CxrImage *image = g_new0 (CxrImage, 1);
  image->width = dicom->width;
  image->height = dicom->height;
  image->pixels = cxr_dicom_to_unit_gray (dicom);
  image->file_type = CXR_IMAGE_FILE_DICOM;
  image->color = dicom->colour ? CXR_IMAGE_COLOR_RGB : CXR_IMAGE_COLOR_GRAY;
  image->bit_depth = dicom->bits_stored;
  image->channels = dicom->samples_per_pixel;
  return image;
}

/* ---- Entry points --------------------------------------------------------------------------------------- */

static CxrImage *
decode_any (const guint8 *data, gsize length, const char *name, int jpeg_min_side, GError **error)
{
  if (name == NULL)
    name = "image data";
  if (length >= sizeof png_signature && memcmp (data, png_signature, sizeof png_signature) == 0)
    return decode_png (data, length, name, error);
  if (length >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return decode_jpeg (data, length, name, jpeg_min_side, error);

  if (cxr_dicom_sniff (data, length))
    return decode_dicom (data, length, name, error);

  g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a PNG, JPEG or DICOM image%s",
               name, length == 0 ? " (the file is empty)" : "");
  return NULL;
}

CxrImage *
cxr_image_load_from_bytes (const guint8 *data, gsize length, const char *name_for_errors, GError **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return decode_any (data, length, name_for_errors, 0, error);
}

/* Regular files only (a FIFO hung open(), a link to /dev/zero never ended), within the whole-file limit. */
static guint8 *
read_whole_file (const char *path, gsize *length, GError **error)
{
  char *contents = NULL;
  if (!cxr_input_file_read (path, 0, &contents, length, NULL, error))
    return NULL;
  return (guint8 *) contents;
}

CxrImage *
cxr_image_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gsize length = 0;
  g_autofree guint8 *data = read_whole_file (path, &length, error);
  if (data == NULL)
    return NULL;
  return decode_any (data, length, path, 0, error);
}

CxrImage *
cxr_image_load_thumbnail (const char *path, int max_side, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_side > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gsize length = 0;
  g_autofree guint8 *data = read_whole_file (path, &length, error);
  if (data == NULL)
    return NULL;
  g_autoptr (CxrImage) full = decode_any (data, length, path, max_side, error);
  if (full == NULL)
    return NULL;

  int long_side = MAX (full->width, full->height);
  if (long_side <= max_side)
    return g_steal_pointer (&full);

  double shrink = (double) max_side / long_side;
  int width = MAX (1, (int) (full->width * shrink + 0.5));
  int height = MAX (1, (int) (full->height * shrink + 0.5));
  CxrImage *thumb = cxr_image_new (width, height);
  cxr_resize_area (thumb->pixels, height, width, full->pixels, full->height, full->width);
  thumb->file_type = full->file_type;
  thumb->color = full->color;
  thumb->bit_depth = full->bit_depth;
  thumb->channels = full->channels;
  thumb->interlaced = full->interlaced;
  thumb->luma = full->luma;
  return thumb;
}

guint8 *
cxr_image_to_gray8 (const CxrImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  gsize n = (gsize) image->width * image->height;
  guint8 *gray = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    {
      /* v = k / 255.0f is within a few ulps of k / 255, so this gives k back
       * for 8-bit files. Written so that a NaN becomes 0. */
      float v = image->pixels[i] * 255.0f + 0.5f;
      gray[i] = !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : (guint8) v;
    }
  return gray;
}
