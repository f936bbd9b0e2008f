/* session-layer.h: a plugin that stands between the proxy's sessions and
 * their scripting hooks (the sharding plugin). It is registered once, while
 * plugins are configured; the proxy plugin then lets it adjust the proxy's
 * settings (backends, accounts) and wraps the hooks of every worker in it:
 * the layer sees every phase first and calls the inner hooks (the Lua
 * script's, or none) as it sees fit. */
#ifndef TESSERA_CORE_SESSION_LAYER_H
#define TESSERA_CORE_SESSION_LAYER_H

#include <glib.h>
#include "session.h"

typedef struct {
  const char *name;                 /* for messages: "sharding" */
  const TsrSessionHooks *hooks;     /* what the owners run */
  /* Adjusts the proxy's settings before any session runs: may add
   * backends to `backends` (the proxy's list, owned by the proxy) and set
   * config->users (a reference the proxy releases). Returns FALSE with
   * *error set to refuse to start. */
  gboolean (*configure)(gpointer layer_data, TsrProxyConfig *config, TsrBackendList *backends, GError **error);
  /* Returns the hooks_data of worker `worker`'s owner, wrapping the inner
   * hooks and their data (both NULL without a script). */
  gpointer (*wrap)(gpointer layer_data, guint worker, TsrSessionOwner *owner, const TsrSessionHooks *inner,
                   gpointer inner_data);
  /* Frees what wrap returned (not the inner data). */
  void (*unwrap)(gpointer layer_data, gpointer hooks_data);
  gpointer layer_data;
} TsrSessionLayer;

/* Registers the layer (the struct is borrowed and must outlive the proxy);
 * NULL withdraws it. Call on the main thread while plugins configure. */
void tsr_session_layer_set(const TsrSessionLayer *layer);

/* Returns the registered layer, or NULL. */
const TsrSessionLayer *tsr_session_layer_get(void);

#endif
