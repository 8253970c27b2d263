/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dicom-gdcm.cc: the one C++ file of libcxrcore: GDCM parses and decodes, and the result is copied into the
 * plain C struct of cxr-dicom.h. Nothing of GDCM (types, exceptions) leaves this file.
 *
 * GDCM reads from memory through a std::streambuf over the caller's bytes. That buffer also notices when GDCM
 * asks for more bytes than are left in the middle of a value: GDCM 3.0.21 reads a file cut short in its pixel
 * data (MR_truncated.dcm) without complaint, padding the value, and the model must never see invented pixels.
 */
#include <gdcmAttribute.h>
#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageApplyLookupTable.h>
#include <gdcmImageReader.h>
#include <gdcmMediaStorage.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDs.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <istream>
#include <string>
#include <vector>

extern "C" {
#include "cxr-dicom.h"
#include "cxr-dicom-decoder.h"
#include "cxr-dicom-framing.h"
#include "cxr-error.h"
#include "cxr-limits.h"
#include "cxr-tensor.h"
}

namespace {

/* A read-only, seekable stream over memory that records reads cut short by the end of the data. */
class MemoryBuffer : public std::streambuf
{
public:
  MemoryBuffer (const guint8 *data, gsize length)
  {
    char *begin = reinterpret_cast<char *> (const_cast<guint8 *> (data));
    setg (begin, begin, begin + length);
  }

  /* A read of more than a tag (8 bytes) that found fewer bytes than it wanted: a value cut short. A read of a
   * tag at the very end is how every parser finds the end of a data set, and is not counted. */
  bool cut_short = false;

protected:
  std::streamsize
  xsgetn (char *out, std::streamsize count) override
  {
    std::streamsize left = egptr () - gptr ();
    std::streamsize n = count < left ? count : left;
    if (n < count && (n > 0 || count > 8))
      cut_short = true;
    if (n > 0)
      {
        std::memcpy (out, gptr (), (size_t) n);
        gbump ((int) n);  /* n <= count, which istream::read passes as a streamsize below INT_MAX per call here */
      }
    return n;
  }

  pos_type
  seekoff (off_type offset, std::ios_base::seekdir dir, std::ios_base::openmode) override
  {
    off_type base = dir == std::ios_base::beg ? 0 : dir == std::ios_base::cur ? gptr () - eback () : egptr () - eback ();
    off_type target = base + offset;
    if (target < 0 || target > egptr () - eback ())
      return pos_type (off_type (-1));
    setg (eback (), eback () + target, egptr ());
    return pos_type (target);
  }

  pos_type
  seekpos (pos_type position, std::ios_base::openmode which) override
  {
    return seekoff (off_type (position), std::ios_base::beg, which);
  }
};

/* A text attribute's value, trailing spaces and NULs (DICOM's padding) removed; "" when absent or empty. */
std::string
get_text (const gdcm::DataSet &ds, guint16 group, guint16 element)
{
  const gdcm::Tag tag (group, element);
  if (!ds.FindDataElement (tag))
    return "";
  const gdcm::ByteValue *bv = ds.GetDataElement (tag).GetByteValue ();
  if (bv == nullptr || bv->GetPointer () == nullptr)
    return "";
  std::string s (bv->GetPointer (), bv->GetLength ());
  size_t end = s.find_last_not_of (std::string (" \0", 2));
  s.erase (end == std::string::npos ? 0 : end + 1);
  size_t start = s.find_first_not_of (' ');
  return start == std::string::npos ? "" : s.substr (start);
}

/* The backslash-separated values of a decimal string (DS), parsed the same in every locale. */
std::vector<double>
get_numbers (const gdcm::DataSet &ds, guint16 group, guint16 element)
{
  std::vector<double> numbers;
  std::string text = get_text (ds, group, element);
  g_auto (GStrv) parts = g_strsplit (text.c_str (), "\\", -1);
  for (char **p = parts; *p != nullptr; p++)
    {
      g_strstrip (*p);
      if (**p == '\0')
        continue;
      char *end = nullptr;
      double v = g_ascii_strtod (*p, &end);
      if (end != *p && *end == '\0' && std::isfinite (v))
        numbers.push_back (v);
    }
  return numbers;
}

std::vector<std::string>
get_texts (const gdcm::DataSet &ds, guint16 group, guint16 element)
{
  std::vector<std::string> texts;
  std::string text = get_text (ds, group, element);
  if (text.empty ())
    return texts;
  g_auto (GStrv) parts = g_strsplit (text.c_str (), "\\", -1);
  for (char **p = parts; *p != nullptr; p++)
    texts.push_back (g_strstrip (*p));
  return texts;
}

char *
dup (const std::string &s)
{
  return g_strdup (s.c_str ());
}

std::string
uid_name (const std::string &uid)
{
  gdcm::UIDs uids;
  if (!uid.empty () && uids.SetFromUID (uid.c_str ()) && uids.GetName () != nullptr)
    return uids.GetName ();
  return uid.empty () ? "unknown" : uid;
}

void
read_windows (const gdcm::DataSet &ds, CxrDicomImage *image)
{
  std::vector<double> centers = get_numbers (ds, 0x0028, 0x1050);
  std::vector<double> widths = get_numbers (ds, 0x0028, 0x1051);
  std::vector<std::string> explanations = get_texts (ds, 0x0028, 0x1055);
  size_t n = std::min (centers.size (), widths.size ());
  image->windows = g_new0 (CxrDicomWindow, n + 1);
  for (size_t i = 0; i < n; i++)
    {
      /* PS3.3 C.11.2.1.2: Window Width shall be >= 1 (LINEAR) or > 0; a window that breaks that is not used. */
      if (!(widths[i] > 0))
        continue;
      CxrDicomWindow *w = &image->windows[image->n_windows++];
      w->center = centers[i];
      w->width = widths[i];
      w->explanation = i < explanations.size () && !explanations[i].empty () ? dup (explanations[i]) : nullptr;
    }

  std::string function = get_text (ds, 0x0028, 0x1056);
  image->voi_function = function == "LINEAR_EXACT" ? CXR_DICOM_VOI_LINEAR_EXACT
                        : function == "SIGMOID" ? CXR_DICOM_VOI_SIGMOID
                        : CXR_DICOM_VOI_LINEAR;
}

/* The first item of the VOI LUT Sequence. LUT Data is read as 16-bit words in host order: GDCM swaps OW values
 * of big endian files when it reads them. */
void
read_voi_lut (const gdcm::DataSet &ds, CxrDicomImage *image)
{
  const gdcm::Tag sequence_tag (0x0028, 0x3010);
  if (!ds.FindDataElement (sequence_tag))
    return;
  gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement (sequence_tag).GetValueAsSQ ();
  if (!sq || sq->GetNumberOfItems () < 1)
    return;
  const gdcm::DataSet &item = sq->GetItem (1).GetNestedDataSet ();
  const gdcm::Tag descriptor_tag (0x0028, 0x3002), data_tag (0x0028, 0x3006);
  if (!item.FindDataElement (descriptor_tag) || !item.FindDataElement (data_tag))
    return;
  const gdcm::ByteValue *descriptor = item.GetDataElement (descriptor_tag).GetByteValue ();
  const gdcm::ByteValue *data = item.GetDataElement (data_tag).GetByteValue ();
  if (descriptor == nullptr || descriptor->GetLength () < 6 || data == nullptr)
    return;
  guint16 d[3];
  std::memcpy (d, descriptor->GetPointer (), sizeof d);
  int entries = d[0] == 0 ? 65536 : d[0];
  if (data->GetLength () < (size_t) entries * 2 || d[2] < 1 || d[2] > 16)
    return;
  image->has_voi_lut = TRUE;
  image->voi_lut_entries = entries;
  /* The first value mapped is signed (SS) when the pixel data is. */
  image->voi_lut_first = image->pixel_representation == 1 ? (double) (gint16) d[1] : (double) d[1];
  image->voi_lut_bits = d[2];
  image->voi_lut_data = g_new (guint16, entries);
  std::memcpy (image->voi_lut_data, data->GetPointer (), (size_t) entries * 2);
  std::string explanation = get_text (item, 0x0028, 0x3003);
  image->voi_lut_explanation = explanation.empty () ? nullptr : dup (explanation);
}

void
read_spacing (const gdcm::DataSet &ds, CxrDicomImage *image)
{
  static const struct { guint16 group, element; const char *name; } sources[] = {
    { 0x0028, 0x0030, "PixelSpacing" },
    { 0x0018, 0x1164, "ImagerPixelSpacing" },
  };
  for (const auto &source : sources)
    {
      std::vector<double> v = get_numbers (ds, source.group, source.element);
      if (v.size () >= 2 && v[0] > 0 && v[1] > 0)
        {
          image->spacing_row_mm = v[0];
          image->spacing_column_mm = v[1];
          image->spacing_source = source.name;
          return;
        }
    }
}

/* Sample i of the first frame as an unsigned integer, from the decoded buffer (host byte order). */
inline guint32
raw_sample (const char *buffer, int bits_allocated, gsize i)
{
  switch (bits_allocated)
    {
    case 1:
      return ((const guint8 *) buffer)[i / 8] >> (i % 8) & 1u;
    case 8:
      return ((const guint8 *) buffer)[i];
    case 16:
      {
        guint16 v;
        std::memcpy (&v, buffer + 2 * i, 2);
        return v;
      }
    default:
      {
        guint32 v;
        std::memcpy (&v, buffer + 4 * i, 4);
        return v;
      }
    }
}

/* The stored value of a raw sample: bits_stored bits ending at high_bit, sign-extended when signed. */
inline double
stored_value (guint32 raw, int bits_stored, int high_bit, bool is_signed)
{
  int shift = high_bit + 1 - bits_stored;
  guint32 v = shift > 0 ? raw >> shift : raw;
  if (bits_stored < 32)
    v &= (1u << bits_stored) - 1u;
  if (is_signed && bits_stored < 32 && (v >> (bits_stored - 1)) & 1u)
    return (double) v - (double) (1ull << bits_stored);
  if (is_signed && bits_stored == 32)
    return (double) (gint32) v;
  return (double) v;
}

/* YBR_FULL to RGB, PS3.3 C.7.6.3.1.2. */
inline void
ybr_full_to_rgb (double y, double cb, double cr, double max, double rgb[3])
{
  double half = (max + 1) / 2;
  rgb[0] = std::clamp (y + 1.402 * (cr - half), 0.0, max);
  rgb[1] = std::clamp (y - 0.344136 * (cb - half) - 0.714136 * (cr - half), 0.0, max);
  rgb[2] = std::clamp (y + 1.772 * (cb - half), 0.0, max);
}

/* The first frame's samples to image->values. Colour follows cxr-image.h: R when R == G == B everywhere, else
 * BT.601 luma, in float as cxr-image.c computes it. */
bool
convert_pixels (const gdcm::Image &gimage, const char *buffer, bool ybr_full, CxrDicomImage *image)
{
  const gdcm::PixelFormat pf = gimage.GetPixelFormat ();
  int bits_allocated = pf.GetBitsAllocated ();
  int bits_stored = pf.GetBitsStored ();
  int high_bit = pf.GetHighBit ();
  bool is_signed = pf.GetPixelRepresentation () == 1;
  int spp = pf.GetSamplesPerPixel ();
  gsize n = (gsize) image->width * image->height;
  bool planar = spp == 3 && gimage.GetPlanarConfiguration () == 1;

  if (spp == 1)
    {
      double slope = image->rescale_slope, intercept = image->rescale_intercept;
      for (gsize i = 0; i < n; i++)
        image->values[i] = (float) (stored_value (raw_sample (buffer, bits_allocated, i), bits_stored, high_bit,
                                                  is_signed) * slope + intercept);
      return true;
    }

  double max = (double) ((1ull << bits_stored) - 1);
  std::vector<float> rgb (3 * n);
  for (gsize i = 0; i < n; i++)
    {
      double s[3];
      for (int c = 0; c < 3; c++)
        s[c] = stored_value (raw_sample (buffer, bits_allocated, planar ? c * n + i : 3 * i + c), bits_stored,
                             high_bit, false);
      if (ybr_full)
        {
          double out[3];
          ybr_full_to_rgb (s[0], s[1], s[2], max, out);
          std::copy (out, out + 3, s);
        }
      for (int c = 0; c < 3; c++)
        rgb[3 * i + c] = (float) s[c];
    }
  bool equal = true;
  for (gsize i = 0; i < n && equal; i++)
    equal = rgb[3 * i] == rgb[3 * i + 1] && rgb[3 * i] == rgb[3 * i + 2];
  for (gsize i = 0; i < n; i++)
    image->values[i] = equal ? rgb[3 * i] : (0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1]) + 0.114f * rgb[3 * i + 2];
  return true;
}

void
quiet_gdcm_once (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      /* GDCM prints to stderr; every failure here becomes a GError instead. */
      gdcm::Trace::DebugOff ();
      gdcm::Trace::WarningOff ();
      gdcm::Trace::ErrorOff ();
      g_once_init_leave (&done, 1);
    }
}

/* A US attribute of the Image Pixel module: present when required, two bytes long, and within [low, high]
 * (gdcm::PixelFormat asserts on some values: Samples per Pixel above 4, found by fuzz-dicom in 16 seconds). */
bool
us_value_ok (const gdcm::DataSet &ds, guint16 group, guint16 element, bool required, bool big_endian, guint16 low,
             guint16 high)
{
  const gdcm::Tag tag (group, element);
  if (!ds.FindDataElement (tag))
    return !required;
  const gdcm::ByteValue *bv = ds.GetDataElement (tag).GetByteValue ();
  if (bv == nullptr || bv->GetLength () != 2 || bv->GetPointer () == nullptr)
    return false;
  const guint8 *b = reinterpret_cast<const guint8 *> (bv->GetPointer ());
  guint16 v = big_endian ? (guint16) (b[0] << 8 | b[1]) : (guint16) (b[0] | b[1] << 8);
  return v >= low && v <= high;
}

/* Before the image reader: the data set read alone, and the checks that keep GDCM's image reader off its
 * assert()s (Debian builds them in: gdcmPixmapReader.cxx asserts, among others, that Rows and Bits Allocated are
 * 2 bytes long, that a file of an unknown SOP class has a meta header, that a palette's tables fit their
 * descriptors). */
bool
check_data_set (const guint8 *data, gsize length, const char *name, GError **error)
{
  MemoryBuffer buffer (data, length);
  std::istream stream (&buffer);
  gdcm::Reader reader;
  reader.SetStream (stream);
  bool read = reader.Read ();
  const gdcm::File &file = reader.GetFile ();
  const gdcm::DataSet &ds = file.GetDataSet ();
  const gdcm::TransferSyntax &ts = file.GetHeader ().GetDataSetTransferSyntax ();
  bool deflated = ts == gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian;
  if (!read || (buffer.cut_short && !deflated) || !ts.IsValid ())
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image, or a damaged one%s", name,
                   buffer.cut_short ? ": the file is truncated" : "");
      return false;
    }

  std::string sop_class = get_text (ds, 0x0008, 0x0016);
  if (sop_class.empty ())
    sop_class = get_text (file.GetHeader (), 0x0002, 0x0002);
  gdcm::MediaStorage::MSType type = gdcm::MediaStorage::GetMSType (sop_class.c_str ());
  bool has_pixels = ds.FindDataElement (gdcm::Tag (0x7fe0, 0x0010));
  if (sop_class.empty ())
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image, or a damaged one (no SOP Class UID)",
                   name);
      return false;
    }
  if (type == gdcm::MediaStorage::MS_END || !gdcm::MediaStorage::IsImage (type))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: this DICOM object holds no image (%s)", name,
                   uid_name (sop_class).c_str ());
      return false;
    }
  if (!has_pixels)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the DICOM image has no pixel data (truncated or damaged)",
                   name);
      return false;
    }
  bool be = false;  /* GDCM has swapped the US values of a big endian file to host order as it read them */
  bool attributes_ok = us_value_ok (ds, 0x0028, 0x0010, true, be, 1, 65535)
                       && us_value_ok (ds, 0x0028, 0x0011, true, be, 1, 65535)
                       && us_value_ok (ds, 0x0028, 0x0100, true, be, 1, 32)
                       && us_value_ok (ds, 0x0028, 0x0101, false, be, 1, 32)
                       && us_value_ok (ds, 0x0028, 0x0102, false, be, 0, 31)
                       && us_value_ok (ds, 0x0028, 0x0103, false, be, 0, 1)
                       && us_value_ok (ds, 0x0028, 0x0002, false, be, 1, 4);
  std::string photometric = get_text (ds, 0x0028, 0x0004);
  gdcm::PhotometricInterpretation::PIType pi = gdcm::PhotometricInterpretation::GetPIType (photometric.c_str ());
  if (!attributes_ok || photometric.empty () || pi == gdcm::PhotometricInterpretation::UNKNOWN
      || pi == gdcm::PhotometricInterpretation::PI_END)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
                   "%s: a damaged DICOM image (its Image Pixel attributes are missing or malformed)", name);
      return false;
    }
  if (pi == gdcm::PhotometricInterpretation::PALETTE_COLOR)
    for (guint16 i = 0; i < 3; i++)
      {
        const gdcm::Tag descriptor_tag (0x0028, 0x1101 + i), data_tag (0x0028, 0x1201 + i);
        if (!ds.FindDataElement (descriptor_tag) || !ds.FindDataElement (data_tag))
          {
            g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                         "%s: PALETTE COLOR without plain lookup tables (segmented palettes are not supported)", name);
            return false;
          }
        const gdcm::ByteValue *d = ds.GetDataElement (descriptor_tag).GetByteValue ();
        const gdcm::ByteValue *t = ds.GetDataElement (data_tag).GetByteValue ();
        guint16 v[3] = { 0, 0, 0 };
        if (d != nullptr && d->GetLength () == 6)
          std::memcpy (v, d->GetPointer (), 6);
        gsize entries = v[0] == 0 ? 65536 : v[0];
        if (d == nullptr || d->GetLength () != 6 || !(v[2] == 8 || v[2] == 16) || t == nullptr
            || t->GetLength () != entries * v[2] / 8)
          {
            g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: a damaged PALETTE COLOR lookup table", name);
            return false;
          }
      }
  return true;
}

bool
read_image (const guint8 *data, gsize length, const char *name, CxrDicomValuesAlloc values_alloc,
            gpointer values_data, CxrDicomImage *image, GError **error)
{
  if (!check_data_set (data, length, name, error))
    return false;

  MemoryBuffer buffer (data, length);
  std::istream stream (&buffer);
  gdcm::ImageReader reader;
  reader.SetStream (stream);
  bool read = reader.Read ();
  const gdcm::File &file = reader.GetFile ();
  const gdcm::DataSet &ds = file.GetDataSet ();

  /* A deflated data set is read through zlib in large blocks, so a short last read is normal there; a cut in it
   * shows as pixel data shorter than its frame below. */
  const gdcm::TransferSyntax &ts = file.GetHeader ().GetDataSetTransferSyntax ();
  if (ts == gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian)
    buffer.cut_short = false;

  std::string sop_class = get_text (ds, 0x0008, 0x0016);
  if (sop_class.empty ())
    sop_class = get_text (file.GetHeader (), 0x0002, 0x0002);
  if (!read)
    {
      /* An object of a class that has no image (SR, RT Plan) is refused as such; an image class without its pixel
       * data was cut short (GDCM drops a value it could not finish). */
      gdcm::MediaStorage::MSType type = gdcm::MediaStorage::GetMSType (sop_class.c_str ());
      bool image_class = type != gdcm::MediaStorage::MS_END && gdcm::MediaStorage::IsImage (type);
      if (!sop_class.empty () && !image_class && !ds.FindDataElement (gdcm::Tag (0x7fe0, 0x0010))
          && !buffer.cut_short)
        g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: this DICOM object holds no image (%s)", name,
                     uid_name (sop_class).c_str ());
      else if (buffer.cut_short)
        g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the DICOM file is truncated", name);
      else
        g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image, or a damaged one", name);
      return false;
    }
  if (buffer.cut_short)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the DICOM file is truncated", name);
      return false;
    }

  const gdcm::Image &gimage = reader.GetImage ();
  const unsigned int *dims = gimage.GetDimensions ();
  gint64 width = dims[0], height = dims[1];
  image->frames = gimage.GetNumberOfDimensions () > 2 ? (int) MAX (dims[2], 1u) : 1;
  if (!cxr_limits_check_image (width, height, name, error))
    return false;
  image->width = (int) width;
  image->height = (int) height;

  const gdcm::PixelFormat pf = gimage.GetPixelFormat ();
  image->samples_per_pixel = pf.GetSamplesPerPixel ();
  image->bits_allocated = pf.GetBitsAllocated ();
  image->bits_stored = pf.GetBitsStored ();
  image->pixel_representation = pf.GetPixelRepresentation ();

  image->transfer_syntax_uid = g_strdup (ts.GetString () != nullptr ? ts.GetString () : "");
  image->transfer_syntax_name = dup (uid_name (image->transfer_syntax_uid));
  image->sop_class_uid = dup (sop_class);
  image->sop_instance_uid = dup (get_text (ds, 0x0008, 0x0018));
  image->modality = dup (get_text (ds, 0x0008, 0x0060));
  image->patient_name = dup (get_text (ds, 0x0010, 0x0010));
  image->patient_id = dup (get_text (ds, 0x0010, 0x0020));
  image->patient_birth_date = dup (get_text (ds, 0x0010, 0x0030));
  std::string photometric = get_text (ds, 0x0028, 0x0004);
  if (photometric.empty ())
    photometric = gimage.GetPhotometricInterpretation ().GetString () != nullptr
                  ? gimage.GetPhotometricInterpretation ().GetString () : "";
  image->photometric = dup (photometric);
  image->monochrome1 = photometric == "MONOCHROME1";

  int bits_allocated = image->bits_allocated;
  bool palette = gimage.GetPhotometricInterpretation () == gdcm::PhotometricInterpretation::PALETTE_COLOR;
  if (!(bits_allocated == 1 || bits_allocated == 8 || bits_allocated == 16 || bits_allocated == 32)
      || !(image->samples_per_pixel == 1 || image->samples_per_pixel == 3)
      || image->bits_stored < 1 || image->bits_stored > bits_allocated || pf.GetHighBit () >= bits_allocated
      || pf.GetHighBit () + 1 < image->bits_stored)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "%s: unsupported DICOM pixel layout (%d samples per pixel, %d bits allocated, %d stored)", name,
                   image->samples_per_pixel, bits_allocated, image->bits_stored);
      return false;
    }

  /* Everything GDCM will allocate to decode all frames, before it does. */
  unsigned long buffer_length = gimage.GetBufferLength ();
  if (!cxr_limits_check_alloc (buffer_length, 1, name, error))
    return false;
  std::vector<char> pixels (buffer_length);
  if (!gimage.GetBuffer (pixels.data ()) || buffer.cut_short)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT,
                   "%s: the pixel data cannot be decoded (%s)%s", name, image->transfer_syntax_name,
                   buffer.cut_short ? ": the file is truncated" : "");
      return false;
    }
  gsize frame_bits = (gsize) width * height * image->samples_per_pixel * bits_allocated;
  if (pixels.size () * 8 < frame_bits)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the pixel data is shorter than one %dx%d frame", name,
                   image->width, image->height);
      return false;
    }

  /* Native pixel data must hold every frame it claims: GDCM pads a short value. */
  const gdcm::Tag pixel_tag (0x7fe0, 0x0010);
  if (!ts.IsEncapsulated () && ds.FindDataElement (pixel_tag))
    {
      const gdcm::ByteValue *bv = ds.GetDataElement (pixel_tag).GetByteValue ();
      if (bv == nullptr || (gsize) bv->GetLength () * 8 < frame_bits)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the DICOM file is truncated in its pixel data", name);
          return false;
        }
    }

  image->rescale_slope = 1;
  image->rescale_intercept = 0;
  image->colour = image->samples_per_pixel == 3 || palette;
  if (!image->colour)
    {
      std::vector<double> slope = get_numbers (ds, 0x0028, 0x1053);
      std::vector<double> intercept = get_numbers (ds, 0x0028, 0x1052);
      /* An RT Dose scales its integers by Dose Grid Scaling instead (GDCM takes it as the slope too). */
      if (slope.empty ())
        slope = get_numbers (ds, 0x3004, 0x000e);
      if (!slope.empty () && slope[0] != 0)
        image->rescale_slope = slope[0];
      if (!intercept.empty ())
        image->rescale_intercept = intercept[0];
    }
  double low = image->pixel_representation == 1 ? -std::ldexp (1.0, image->bits_stored - 1) : 0.0;
  double high = image->pixel_representation == 1 ? std::ldexp (1.0, image->bits_stored - 1) - 1
                                                  : std::ldexp (1.0, image->bits_stored) - 1;
  double a = low * image->rescale_slope + image->rescale_intercept;
  double b = high * image->rescale_slope + image->rescale_intercept;
  image->range_low = std::min (a, b);
  image->range_high = std::max (a, b);

  read_windows (ds, image);
  read_voi_lut (ds, image);
  read_spacing (ds, image);

  if (values_alloc == nullptr)
    image->values = cxr_alloc_floats ((gsize) width * height);
  else if ((image->values = values_alloc ((gsize) width * height, values_data)) == nullptr)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_LIMIT, "%s: no memory for this image's values", name);
      return false;
    }
  if (palette)
    {
      gdcm::ImageApplyLookupTable lut;
      lut.SetInput (gimage);
      if (!lut.Apply ())
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the PALETTE COLOR lookup table cannot be applied",
                       name);
          return false;
        }
      const gdcm::Image &rgb = lut.GetOutput ();
      std::vector<char> rgb_pixels (rgb.GetBufferLength ());
      gsize rgb_bits = (gsize) width * height * 3 * rgb.GetPixelFormat ().GetBitsAllocated ();
      if (!rgb.GetBuffer (rgb_pixels.data ()) || rgb_pixels.size () * 8 < rgb_bits)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: the PALETTE COLOR image cannot be decoded", name);
          return false;
        }
      image->bits_stored = rgb.GetPixelFormat ().GetBitsStored ();
      image->range_low = 0;
      image->range_high = std::ldexp (1.0, image->bits_stored) - 1;
      return convert_pixels (rgb, rgb_pixels.data (), false, image);
    }
  if (image->colour)
    {
      image->range_low = 0;
      image->range_high = std::ldexp (1.0, image->bits_stored) - 1;
    }
  /* GDCM's JPEG decoder hands back YBR_FULL_422 and YBR_FULL as full-resolution YBR_FULL (gdcmconv --raw keeps
   * the YBR_FULL label and values); JPEG 2000's YBR_RCT / YBR_ICT come back as RGB. Uncompressed YBR_FULL_422
   * keeps its subsampled layout, which nothing here unpacks. */
  if (!ts.IsEncapsulated () && photometric == "YBR_FULL_422")
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED, "%s: uncompressed YBR_FULL_422 is not supported", name);
      return false;
    }
  bool ybr_full = photometric == "YBR_FULL" || photometric == "YBR_FULL_422";
  return convert_pixels (gimage, pixels.data (), ybr_full, image);
}

} // namespace

extern "C" gboolean
cxr_dicom_decode_in_process (const guint8 *data, gsize length, const char *name_for_errors, CxrDicomImage **out,
                             GError **error)
{
  return cxr_dicom_decode_in_process_into (data, length, name_for_errors, nullptr, nullptr, out, error);
}

extern "C" gboolean
cxr_dicom_decode_in_process_into (const guint8 *data, gsize length, const char *name_for_errors,
                                  CxrDicomValuesAlloc values_alloc, gpointer values_data, CxrDicomImage **out,
                                  GError **error)
{
  g_return_val_if_fail (data != nullptr || length == 0, FALSE);
  g_return_val_if_fail (out != nullptr, FALSE);
  g_return_val_if_fail (error == nullptr || *error == nullptr, FALSE);

  const char *name = name_for_errors != nullptr ? name_for_errors : "DICOM data";
  *out = nullptr;
  quiet_gdcm_once ();

  /* The checks from the bytes alone (cxr-dicom-framing.h); a deflated data set comes back inflated and is read as
   * a bare data set, so that GDCM never parses a cut deflate stream (an assert in gdcmFileMetaInformation.cxx). */
  g_autoptr (GBytes) inflated = nullptr;
  if (!cxr_dicom_precheck (data, length, name, &inflated, error))
    return FALSE;
  bool deflated = inflated != nullptr;
  if (deflated)
    data = (const guint8 *) g_bytes_get_data (inflated, &length);

  g_autoptr (CxrDicomImage) image = g_new0 (CxrDicomImage, 1);
  GError *local = nullptr;
  bool ok;
  try
    {
      ok = read_image (data, length, name, values_alloc, values_data, image, &local);
      if (ok && deflated)
        {
          g_free (image->transfer_syntax_uid);
          g_free (image->transfer_syntax_name);
          image->transfer_syntax_uid = g_strdup (CXR_DICOM_DEFLATED_UID);
          image->transfer_syntax_name = dup (uid_name (CXR_DICOM_DEFLATED_UID));
        }
    }
  catch (const std::bad_alloc &)
    {
      g_clear_error (&local);
      g_set_error (&local, CXR_ERROR, CXR_ERROR_LIMIT, "%s: not enough memory to read this DICOM image", name);
      ok = false;
    }
  catch (const std::exception &e)
    {
      g_clear_error (&local);
      g_set_error (&local, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image, or a damaged one (%s)", name,
                   e.what ());
      ok = false;
    }
  if (!ok)
    {
      if (values_alloc != nullptr)
        image->values = nullptr;  /* the allocator's, not ours to free */
      if (local == nullptr)
        g_set_error (&local, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOM image, or a damaged one", name);
      g_propagate_error (error, local);
      return FALSE;
    }
  *out = (CxrDicomImage *) g_steal_pointer (&image);
  return TRUE;
}

namespace {

/* A DICOMDIR's File ID as a relative path: its components (CS values, at most 8 characters each by PS3.10, but
 * longer ones are read too) joined with '/'. Empty when a component could leave the folder. */
std::string
file_id_path (const gdcm::DataSet &item)
{
  std::vector<std::string> parts = get_texts (item, 0x0004, 0x1500);
  std::string path;
  for (const std::string &part : parts)
    {
      if (part.empty () || part == "." || part == ".." || part.find ('/') != std::string::npos
          || part.find ('\0') != std::string::npos)
        return "";
      path += (path.empty () ? "" : "/") + part;
    }
  return path;
}

bool
read_directory (const guint8 *data, gsize length, const char *name, GPtrArray *files, GPtrArray *uids,
                GError **error)
{
  MemoryBuffer buffer (data, length);
  std::istream stream (&buffer);
  gdcm::Reader reader;
  reader.SetStream (stream);
  bool read = reader.Read ();
  const gdcm::File &file = reader.GetFile ();
  if (!read || buffer.cut_short)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOMDIR, or a damaged one%s", name,
                   buffer.cut_short ? ": the file is truncated" : "");
      return false;
    }
  std::string sop_class = get_text (file.GetHeader (), 0x0002, 0x0002);
  if (sop_class.empty ())
    sop_class = get_text (file.GetDataSet (), 0x0008, 0x0016);
  if (sop_class != "1.2.840.10008.1.3.10")
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOMDIR (its class is %s, not Media Storage "
                   "Directory Storage)", name, uid_name (sop_class).c_str ());
      return false;
    }
  const gdcm::DataSet &ds = file.GetDataSet ();
  const gdcm::Tag records_tag (0x0004, 0x1220);
  if (!ds.FindDataElement (records_tag))
    return true;  /* an empty media folder */
  gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement (records_tag).GetValueAsSQ ();
  if (!sq)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: a damaged DICOMDIR (its Directory Record Sequence cannot "
                   "be read)", name);
      return false;
    }
  for (gdcm::SequenceOfItems::SizeType i = 1; i <= sq->GetNumberOfItems (); i++)
    {
      const gdcm::DataSet &item = sq->GetItem (i).GetNestedDataSet ();
      if (get_text (item, 0x0004, 0x1430) != "IMAGE" || !item.FindDataElement (gdcm::Tag (0x0004, 0x1500)))
        continue;
      std::string path = file_id_path (item);
      if (path.empty ())
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: image record %u has a Referenced File ID that is empty "
                       "or leaves the folder", name, (unsigned) i);
          return false;
        }
      g_ptr_array_add (files, dup (path));
      g_ptr_array_add (uids, dup (get_text (item, 0x0004, 0x1511)));
    }
  return true;
}

} // namespace

extern "C" gboolean
cxr_dicom_dir_read_in_process (const guint8 *data, gsize length, const char *name_for_errors, GPtrArray **files,
                               GPtrArray **uids, GError **error)
{
  const char *name = name_for_errors != nullptr ? name_for_errors : "DICOMDIR";
  *files = *uids = nullptr;
  quiet_gdcm_once ();
  g_autoptr (GBytes) inflated = nullptr;
  if (!cxr_dicom_precheck (data, length, name, &inflated, error))
    return FALSE;
  if (inflated != nullptr)
    data = (const guint8 *) g_bytes_get_data (inflated, &length);
  g_autoptr (GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) u = g_ptr_array_new_with_free_func (g_free);
  try
    {
      if (!read_directory (data, length, name, f, u, error))
        return FALSE;
    }
  catch (const std::exception &e)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a DICOMDIR, or a damaged one (%s)", name, e.what ());
      return FALSE;
    }
  *files = (GPtrArray *) g_steal_pointer (&f);
  *uids = (GPtrArray *) g_steal_pointer (&u);
  return TRUE;
}
