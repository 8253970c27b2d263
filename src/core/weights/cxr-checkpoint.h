/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-checkpoint.h: PyTorch checkpoints in, PyTorch checkpoints out.
 *
 * Loading detects the format from the file's contents, not its name:
 * - a zip archive: PyTorch's .pth/.pt (torch.save since 1.6). <prefix>/data.pkl is interpreted by the safe
 *   unpickler (cxr-pickle.h) and the tensors' storages are read from <prefix>/data/<key>. The top-level
 *   object may be a state_dict, a dict wrapping one under "state_dict", "model_state_dict", "model" or "net"
 *   (other entries such as "epoch" or "optimizer" are ignored, though still checked for safety), or a whole
 *   pickled torch.nn / torchvision ResNet module, whose parameters and persistent buffers are collected in
 *   model.state_dict() order. A "module." prefix (DataParallel) on every key is removed.
 * - a safetensors file.
 * - a legacy (pre-1.6, non-zip) torch pickle: refused with advice to re-save it.
 *
 * Tensors of dtype float32, float16, bfloat16 and float64 become float32 (exactly, as torch's .float());
 * integer and bool tensors (num_batches_tracked) keep their values; CxrTensor.dtype remembers the file's
 * dtype. Views (offsets, strides, shared storages) are gathered into contiguous tensors.
 */
#pragma once

#include "cxr-state-dict.h"

G_BEGIN_DECLS

typedef enum {
  CXR_CHECKPOINT_FORMAT_UNKNOWN,
  CXR_CHECKPOINT_FORMAT_PTH,            /* a zip archive (PyTorch's format, or some other zip) */
  CXR_CHECKPOINT_FORMAT_SAFETENSORS,
  CXR_CHECKPOINT_FORMAT_LEGACY_PICKLE,  /* torch.save(..., _use_new_zipfile_serialization=False), or a bare pickle */
} CxrCheckpointFormat;

/* Looks at the first bytes of @path; UNKNOWN (without an error) when the file is readable but no checkpoint. */
CxrCheckpointFormat cxr_checkpoint_detect_format (const char *path, GError **error);

CxrStateDict *cxr_checkpoint_load     (const char *path, GError **error);
CxrStateDict *cxr_checkpoint_load_pth (const char *path, GError **error);

/* Writes what torch.save(OrderedDict) writes in torch 1.13, byte for byte: a zip with <stem>/data.pkl,
 * <stem>/data/<n> and <stem>/version, where <stem> is the file name without its extension. Each tensor is
 * stored in the dtype it came from (CxrTensor.dtype): float32 as FloatStorage, int64 (num_batches_tracked)
 * as LongStorage, float16 and bfloat16 rounded to nearest even, and so on. Atomic: on failure the old file
 * is untouched. */
gboolean cxr_checkpoint_save_pth (const char *path, const CxrStateDict *dict, GError **error);

/* Saves as safetensors when @path ends in ".safetensors", else as .pth. */
gboolean cxr_checkpoint_save      (const char *path, const CxrStateDict *dict, GError **error);

/* If every key starts with "module." (nn.DataParallel), removes it from all. Returns whether it did. */
gboolean cxr_state_dict_strip_module_prefix (CxrStateDict *dict);

G_END_DECLS
