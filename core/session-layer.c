/* session-layer.c: the one registered session layer (session-layer.h). */
#include "session-layer.h"

static const TsrSessionLayer *registered_layer;

void tsr_session_layer_set(const TsrSessionLayer *layer) {
  registered_layer = layer;
}

const TsrSessionLayer *tsr_session_layer_get(void) {
  return registered_layer;
}
