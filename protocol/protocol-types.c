#include "protocol-types.h"

G_DEFINE_QUARK(tsr-protocol-error-quark, tsr_protocol_error)
