/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bbox-store-private.h: test-only access to the store (crash points for the kill test). */
#pragma once

#include "cxr-crash-hooks.h"
#include "cxr-bbox-store.h"

G_BEGIN_DECLS

/* Copies hooks into the store; from then on its saves and journal writes count steps and may crash on purpose. */
void          cxr_bbox_store_set_hooks (CxrBBoxStore *store, const CxrCrashHooks *hooks);
CxrCrashHooks *cxr_bbox_store_get_hooks (CxrBBoxStore *store);

G_END_DECLS
