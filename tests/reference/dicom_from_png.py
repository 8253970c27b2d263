# SPDX-License-Identifier: GPL-3.0-or-later
"""Chest radiographs as DICOM from an NIH PNG, and what the network's input from each must be, in NumPy.

Usage: dicom_from_png.py IMAGE.png OUTDIR
       dicom_from_png.py --viewer IMAGE.png OUTDIR [NAME]

--viewer writes one file for the window's tests and screenshots (issue 16, points 2 and 4): OUTDIR/NAME (default
viewer.dcm), a 12-bit MONOCHROME1 CR whose stored values are 4080 - 16 v, with two windows (first "LUNG"
centre 1700 width 2600, then "SOFT" 3000 / 1200, in stored units), Pixel Spacing 0.35 mm (NIH's 1024-pixel PNGs
were shrunk about 2.5 times from detectors of 0.143 mm pixels, so a thorax measures about 300 mm) and the patient
Test^Patient, ID NIH-TEST, born 19700101.

Writes CR/DX DICOM files (pydicom) whose stored values are the PNG's v: 8-bit v, 12-bit 16 v and 16-bit 257 v,
MONOCHROME2 and MONOCHROME1 twins (stored 4080 - 16 v, 65535 - 257 v), with and without Window Center 2040.5 /
Width 4081, one with a VOI LUT instead; then compressed copies made with GDCM's gdcmconv (RLE, JPEG lossless,
JPEG-LS, JPEG 2000 lossless, deflate). For every uncompressed file, NumPy computes the [0, 1] gray as
docs/dicom.md defines it (modality LUT, first window by PS3.3 C.11.2.1.2.1, or VOI LUT, or full stored range;
MONOCHROME1 inverted), in float64 rounded once to float32, and writes it to <file>.npy; compressed copies share
their source's .npy. manifest.json lists every file with its .npy and its transfer syntax.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

CR = "1.2.840.10008.5.1.4.1.1.1"
DX = "1.2.840.10008.5.1.4.1.1.1.1"


def write(path, v, bits, mono1, window, lut, sop_class, implicit=False):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.16." + str(abs(hash(path.name)) % 10**12)
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CR" if sop_class == CR else "DX"
    ds.PatientName = "Test^Patient"
    ds.PatientID = "NIH-TEST"
    ds.Rows, ds.Columns = v.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME1" if mono1 else "MONOCHROME2"
    ds.BitsAllocated = 8 if bits == 8 else 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.ImagerPixelSpacing = [0.143, 0.143]
    scale = {8: 1, 12: 16, 16: 257}[bits]
    top = {8: 255, 12: 4080, 16: 65535}[bits]
    stored = (top - scale * v.astype(np.int64)) if mono1 else scale * v.astype(np.int64)
    if window:
        ds.WindowCenter = "2040.5"
        ds.WindowWidth = "4081"
        ds.WindowCenterWidthExplanation = "NIH"
    if lut:
        item = Dataset()
        item.LUTDescriptor = [4096, 0, 8]
        item.LUTExplanation = "x / 16"
        item.add_new(0x00283006, "US", [x // 16 for x in range(4096)])  # LUT Data
        ds.VOILUTSequence = [item]
    ds.PixelData = stored.astype(np.uint8 if bits == 8 else np.uint16).tobytes()
    ds.is_little_endian = True
    ds.is_implicit_VR = implicit
    ds.save_as(path, write_like_original=False)


def numpy_input(path):
    """docs/dicom.md's pipeline, from the file alone."""
    ds = pydicom.dcmread(path)
    x = ds.pixel_array.astype(np.float64)
    x = x * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
    if "WindowCenter" in ds:
        c = float(ds.WindowCenter[0] if ds["WindowCenter"].VM > 1 else ds.WindowCenter)
        w = float(ds.WindowWidth[0] if ds["WindowWidth"].VM > 1 else ds.WindowWidth)
        y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0,
                     np.where(x > c - 0.5 + (w - 1) / 2, 1.0, (x - c + 0.5) / (w - 1) + 0.5))
    elif "VOILUTSequence" in ds:
        item = ds.VOILUTSequence[0]
        entries, first, lut_bits = item.LUTDescriptor
        table = np.asarray(item.LUTData, dtype=np.float64)
        index = np.clip(np.floor(x - first), 0, (entries or 65536) - 1).astype(np.int64)
        y = table[index] / (2 ** lut_bits - 1)
    else:
        y = x / (2 ** ds.BitsStored - 1)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        y = 1.0 - y
    return y.astype(np.float32)


def write_viewer(png, out, name):
    out.mkdir(parents=True, exist_ok=True)
    a = np.asarray(Image.open(png))
    v = a[..., 0] if a.ndim == 3 else a
    path = out / name
    write(path, v, bits=12, mono1=True, window=False, lut=False, sop_class=CR)
    ds = pydicom.dcmread(path)
    ds.WindowCenter = ["1700", "3000"]
    ds.WindowWidth = ["2600", "1200"]
    ds.WindowCenterWidthExplanation = ["LUNG", "SOFT"]
    del ds.ImagerPixelSpacing
    ds.PixelSpacing = [0.35, 0.35]
    ds.PatientBirthDate = "19700101"
    ds.save_as(path, write_like_original=False)


def main():
    if sys.argv[1] == "--viewer":
        write_viewer(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "viewer.dcm")
        return
    png, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    a = np.asarray(Image.open(png))
    v = a[..., 0] if a.ndim == 3 else a
    assert v.dtype == np.uint8
    variants = {
        "m2-8": dict(bits=8, mono1=False, window=False, lut=False, sop_class=CR),
        "m2-12-window": dict(bits=12, mono1=False, window=True, lut=False, sop_class=CR),
        "m1-12-window": dict(bits=12, mono1=True, window=True, lut=False, sop_class=DX),
        "m2-16": dict(bits=16, mono1=False, window=False, lut=False, sop_class=DX),
        "m1-16": dict(bits=16, mono1=True, window=False, lut=False, sop_class=CR),
        "m2-12-voilut": dict(bits=12, mono1=False, window=False, lut=True, sop_class=DX),
        "m2-12-window-implicit": dict(bits=12, mono1=False, window=True, lut=False, sop_class=CR, implicit=True),
    }
    manifest = []
    for name, args in variants.items():
        path = out / (name + ".dcm")
        write(path, v, **args)
        npy = out / (name + ".npy")
        np.save(npy, numpy_input(path))
        manifest.append({"file": path.name, "npy": npy.name, "compressed": False})
    # Compressed copies (all lossless) of the windowed 12-bit twins and the 8-bit file.
    for source in ["m2-12-window", "m1-12-window", "m2-8", "m1-16"]:
        for option, tag in [("--rle", "rle"), ("--jpeg", "jpeg-lossless"), ("--jpegls", "jpegls"),
                            ("--j2k", "j2k"), ("--deflated", "deflated")]:
            path = out / f"{source}-{tag}.dcm"
            subprocess.run(["gdcmconv", option, str(out / (source + ".dcm")), str(path)], check=True)
            manifest.append({"file": path.name, "npy": source + ".npy", "compressed": True})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
