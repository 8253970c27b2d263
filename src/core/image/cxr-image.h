/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image.h: PNG, JPEG and DICOM files decoded to one gray float plane (DICOM: cxr-dicom.h's
 * cxr_dicom_to_unit_gray(), the window or full stored range to [0, 1]; the rest of this page is PNG and JPEG).
 *
 * What the model sees is decided here, so the conversion is spelled out:
 *
 *   - samples become floats the way torchvision's to_tensor does it:
 *     8-bit v -> v / 255.0f, 16-bit v -> v / 65535.0f (one float division);
 *     PNG gray of 1, 2 or 4 bits is first scaled to 8 bits (v * 255 / max);
 *   - gray files are taken as they are;
 *   - colour (RGB, RGBA, palette) whose R, G and B are equal in every pixel
 *     (NIH ships such RGBA files) gives R;
 *   - any other colour becomes ITU-R BT.601 luma, in float32, left to right,
 *     each product rounded before it is added:
 *       gray = (0.299f * r + 0.587f * g) + 0.114f * b
 *     with r, g, b already divided as above. The constants sum to at most
 *     1 in float, so gray stays in [0, 1];
 *   - alpha and PNG transparency are ignored; so are gamma, ICC profiles and
 *     EXIF orientation (as PIL and torchvision ignore them).
 *
 * The file type is found from the content (PNG signature, JPEG SOI marker, DICOM's DICM),
 * never from the name. Every failure is a GError in CXR_ERROR that names the
 * file: CXR_ERROR_IO (cannot read), CXR_ERROR_FORMAT (not an image, corrupt
 * or truncated data), CXR_ERROR_UNSUPPORTED (e.g. CMYK or 12-bit JPEG),
 * CXR_ERROR_LIMIT (over the image limit of cxr-limits.h: more than
 * CXR_LIMIT_IMAGE_SIDE pixels a side or CXR_LIMIT_IMAGE_PIXELS in all).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_IMAGE_FILE_PNG,
  CXR_IMAGE_FILE_JPEG,
  CXR_IMAGE_FILE_DICOM,   /* read by cxr-dicom.h and windowed to [0, 1] as it says */
} CxrImageFileType;

/* How the file stores its pixels. */
typedef enum {
  CXR_IMAGE_COLOR_GRAY,
  CXR_IMAGE_COLOR_GRAY_ALPHA,
  CXR_IMAGE_COLOR_RGB,
  CXR_IMAGE_COLOR_RGBA,
  CXR_IMAGE_COLOR_PALETTE,
} CxrImageColor;

typedef struct {
  int width;
  int height;
  float *pixels;               /* [height, width] gray in [0, 1], row-major; owned, cxr_alloc_floats() */

  /* What the file was. */
  CxrImageFileType file_type;
  CxrImageColor color;
  int bit_depth;               /* bits per sample (palette: bits per index) */
  int channels;                /* samples per pixel (palette: 1) */
  gboolean interlaced;         /* Adam7 PNG or progressive JPEG */
  gboolean luma;               /* TRUE when unequal colour channels were mixed into BT.601 luma */
} CxrImage;

/* A black image of the given size, for synthetic images and tests. */
CxrImage   *cxr_image_new             (int width, int height);
void        cxr_image_free            (CxrImage *image);

CxrImage   *cxr_image_load            (const char *path, GError **error);
/* name_for_errors is what error messages call the data (a path, a URI or a description). */
CxrImage   *cxr_image_load_from_bytes (const guint8 *data, gsize length, const char *name_for_errors,
                                       GError **error);

/* Decodes and shrinks so that neither side exceeds max_side (aspect kept,
 * never enlarged), with the area filter. JPEGs are decoded at a reduced DCT
 * scale when that is still at least as large, which makes them several
 * times cheaper; PNGs must be decoded in full. For thumbnails, not for the
 * model: the model wants cxr_image_load() and the preprocessing. */
CxrImage   *cxr_image_load_thumbnail  (const char *path, int max_side, GError **error);

/* The pixels as 8-bit gray for display: round (v * 255), clamped. A file
 * that was 8-bit gray comes back byte for byte. [height * width] bytes,
 * row-major, free with g_free. */
guint8     *cxr_image_to_gray8        (const CxrImage *image);

const char *cxr_image_color_name      (CxrImageColor color);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrImage, cxr_image_free)

G_END_DECLS
