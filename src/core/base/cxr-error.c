/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-error.h"

G_DEFINE_QUARK (cxr-error-quark, cxr_error)
