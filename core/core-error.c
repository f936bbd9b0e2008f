#include "core-error.h"

G_DEFINE_QUARK(tsr-core-error-quark, tsr_core_error)
