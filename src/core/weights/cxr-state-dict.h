/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-state-dict.h: named tensors in insertion order, as a PyTorch state_dict.
 *
 * Readers (.pth, safetensors) fill one; the network takes its parameters
 * from one and writers serialise one. Order matters: torch.save writes an
 * OrderedDict and we write keys back in the order we read or created them.
 */
#pragma once

#include "cxr-tensor.h"

G_BEGIN_DECLS

typedef struct _CxrStateDict CxrStateDict;

CxrStateDict *cxr_state_dict_new     (void);
void          cxr_state_dict_free    (CxrStateDict *dict);
/* Takes ownership of @tensor; replaces (and frees) a tensor already under @name. */
void          cxr_state_dict_insert  (CxrStateDict *dict, const char *name, CxrTensor *tensor);
CxrTensor    *cxr_state_dict_lookup  (const CxrStateDict *dict, const char *name);
/* Removes @name and returns its tensor to the caller, or NULL. */
CxrTensor    *cxr_state_dict_steal   (CxrStateDict *dict, const char *name);
guint         cxr_state_dict_size    (const CxrStateDict *dict);
const char   *cxr_state_dict_key_at  (const CxrStateDict *dict, guint index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrStateDict, cxr_state_dict_free)

G_END_DECLS
