/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom.h: DICOM images as hospitals store them, read with GDCM.
 *
 * One image object (CR, DX, MR, CT, secondary capture ...) gives one plane of
 * stored values after the modality LUT (Rescale Slope and Intercept), as
 * floats in the file's own units, with what is needed to show it (the VOI
 * windows and VOI LUT, MONOCHROME1 or 2) and to measure on it (pixel spacing).
 *
 * GDCM (Debian 12: libgdcm 3.0.21) does the parsing and decoding behind one
 * C++ file, cxr-dicom-gdcm.cc; everything here is plain C. It was chosen over
 * DCMTK 3.6.7 for its codecs: both read explicit and implicit VR, big endian,
 * deflate, RLE, JPEG baseline/extended/lossless and JPEG-LS, but only GDCM
 * decodes JPEG 2000 (DCMTK's free edition has no JPEG 2000 codec), and its
 * ImageReader hands back every transfer syntax's pixels through one call.
 * See docs/dicom.md.
 *
 *   - The first frame of a multi-frame object is read; frames says how many
 *     there are.
 *   - Stored values: the low bits_stored bits of each sample, sign-extended
 *     when pixel_representation is 1 (bits above them, such as old embedded
 *     overlays, are dropped), then value * slope + intercept. Floats hold
 *     every integer up to 2^24 exactly, which covers 16-bit data with any
 *     integral rescale.
 *   - Colour (RGB, YBR_*, PALETTE COLOR) becomes gray as cxr-image.h makes
 *     it: R when R == G == B in every pixel, else BT.601 luma of the samples
 *     (in their own units, 0 ... 2^bits_stored - 1). No rescale applies.
 *   - Objects without an image (SR, RT plans), damaged or truncated files,
 *     and files that are not DICOM fail with a GError in CXR_ERROR that names
 *     the file: CXR_ERROR_FORMAT (not DICOM, damaged, truncated),
 *     CXR_ERROR_UNSUPPORTED (no image in the object, an unknown codec or
 *     layout), CXR_ERROR_LIMIT (over the image limit of cxr-limits.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One Window Center / Window Width pair (PS3.3 C.11.2.1.2), with its explanation when the file gives one. */
typedef struct {
  double center;
  double width;
  char *explanation;   /* "LUNG", "BONE" ...; NULL when absent */
} CxrDicomWindow;

/* The shape applied with a window: VOI LUT Function (0028,1056), LINEAR when absent. */
typedef enum {
  CXR_DICOM_VOI_LINEAR,
  CXR_DICOM_VOI_LINEAR_EXACT,
  CXR_DICOM_VOI_SIGMOID,
} CxrDicomVoiFunction;

typedef struct {
  int width;                    /* Columns */
  int height;                   /* Rows */
  int frames;                   /* Number of Frames (1 when absent); only the first is read */
  int samples_per_pixel;
  int bits_allocated;
  int bits_stored;
  int pixel_representation;     /* 0 unsigned, 1 two's complement */
  char *photometric;            /* as the file names it: "MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL_422" ... */
  gboolean monochrome1;         /* the lowest value is white */
  gboolean colour;              /* samples_per_pixel 3 or PALETTE COLOR: values hold gray made from colour */

  float *values;                /* [height, width] stored values after the modality LUT; cxr_alloc_floats() */
  double rescale_slope;         /* 1 and 0 when absent */
  double rescale_intercept;
  /* The range the stored values can take, after the modality LUT: for unsigned data
   * slope * 0 + intercept ... slope * (2^bits_stored - 1) + intercept (low <= high). */
  double range_low;
  double range_high;

  CxrDicomWindow *windows;      /* [n_windows], in the file's order */
  int n_windows;
  CxrDicomVoiFunction voi_function;

  /* The first item of the VOI LUT Sequence (0028,3010), when there is one. */
  gboolean has_voi_lut;
  int voi_lut_entries;          /* LUT Descriptor: number of entries (0 in the file means 65536) */
  double voi_lut_first;         /* the first stored value mapped (signed when the data is) */
  int voi_lut_bits;             /* bits of each entry */
  guint16 *voi_lut_data;        /* [voi_lut_entries] */
  char *voi_lut_explanation;

  /* mm between pixel centres, rows then columns (Pixel Spacing, else Imager Pixel Spacing at the detector);
   * 0 when the file gives neither. */
  double spacing_row_mm;
  double spacing_column_mm;
  const char *spacing_source;   /* "PixelSpacing", "ImagerPixelSpacing" or NULL (static string) */

  char *sop_class_uid;
  char *sop_instance_uid;
  char *modality;               /* "CR", "DX", "MR" ...; "" when absent */
  char *transfer_syntax_uid;
  char *transfer_syntax_name;   /* "JPEG 2000 Image Compression" ... */

  /* Identifying data: the UI shows it only when asked (issue 16, privacy). */
  char *patient_name;
  char *patient_id;
  char *patient_birth_date;
} CxrDicomImage;

void     cxr_dicom_image_free      (CxrDicomImage *image);

/* TRUE when the bytes look like DICOM: "DICM" at offset 128 (a Part 10 file), or a data set without the
 * preamble that starts with a group 0002 or 0008 element. Cheap; decides nothing about validity. */
gboolean cxr_dicom_sniff           (const guint8 *data, gsize length);

/* cxr_dicom_sniff of the first 132 bytes of the regular file at path. FALSE, and no error, for what cannot be
 * opened or is no regular file (a FIFO is never waited on): the caller's reader then says what is wrong. */
gboolean cxr_dicom_sniff_file      (const char *path);

/* Reads the regular file at path (cxr-input-file.h, within the whole-file limit) and decodes its first frame. */
gboolean cxr_dicom_read            (const char *path, CxrDicomImage **image, GError **error);

/* The same from memory; name_for_errors is what error messages call the data. Implemented in cxr-dicom-gdcm.cc. */
gboolean cxr_dicom_read_from_bytes (const guint8 *data, gsize length, const char *name_for_errors,
                                    CxrDicomImage **image, GError **error);

/* The image records of a DICOMDIR (PS3.10 media directory; Directory Record Type IMAGE with a Referenced File
 * ID), in the order of its Directory Record Sequence: *files gets each file's path relative to the DICOMDIR's
 * folder ("IMAGES/IM000001": the File ID's components joined with '/'; a component that is empty, "." or ".."
 * is refused), *uids its Referenced SOP Instance UID in File ("" when absent). Read by the decoder process, as
 * images are. */
gboolean cxr_dicom_dir_read        (const char *path, GPtrArray **files, GPtrArray **uids, GError **error);

/* The network's gray input in [0, 1] (issue 16, point 3; docs/dicom.md), pixel by pixel from the stored values
 * after the modality LUT:
 *   1. the first window, by its VOI LUT Function: LINEAR as PS3.3 C.11.2.1.2.1 writes it,
 *        x <= c - 0.5 - (w - 1) / 2  -> 0,   x > c - 0.5 + (w - 1) / 2  -> 1,
 *        else ((x - (c - 0.5)) / (w - 1) + 0.5)
 *      (a width of 1 is a step at c - 0.5), LINEAR_EXACT (C.11.2.1.3.2) or SIGMOID;
 *   2. else the first VOI LUT: entry clamp (x - first mapped) / (2^bits - 1);
 *   3. else the full range the stored values can take (range_low ... range_high: 0 ... 2^BitsStored - 1 for
 *      unsigned data without rescale), linearly, as torchxrayvision reads DICOM;
 *   then MONOCHROME1 becomes 1 - y. Each pixel is computed in double and rounded once to float, so an 8-bit PNG
 *   stored as 8-bit DICOM without a window, or as 12-bit (x16) with centre 2040.5 and width 4081, gives
 *   exactly the PNG's v / 255.0f. Colour images have no window: their gray is scaled by the full range. */
float      *cxr_dicom_to_unit_gray (const CxrDicomImage *image);

/* The transform of cxr_dicom_to_unit_gray() for one value, for the window's display of a chosen window. */
double      cxr_dicom_voi_linear   (double x, double center, double width);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrDicomImage, cxr_dicom_image_free)

G_END_DECLS
