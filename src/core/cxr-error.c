#include "cxr-error.h"

G_DEFINE_QUARK (cxr-error-quark, cxr_error)
