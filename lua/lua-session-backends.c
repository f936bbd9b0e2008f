/* lua-session-backends.c: proxy.global.backends over core's backend list
 * (lua-backends.h's provider). State is writable (a script may mark a
 * backend down or up); pools do not exist yet, so every user has 0 idle
 * connections and the pool fields are not writable. */
#define G_LOG_DOMAIN "lua"
#include <string.h>
#include "lua-session-private.h"

static guint provider_count(gpointer data) {
  TsrLuaWorker *w = data;
  return tsr_backend_list_size(w->backends);
}

static gboolean provider_get(gpointer data, guint index, TsrLuaBackendInfo *out) {
  TsrLuaWorker *w = data;
  TsrBackend *b;

  if (index >= tsr_backend_list_size(w->backends)) return FALSE;
  b = tsr_backend_list_get(w->backends, index);
  out->name = b->name;
  out->port = tsr_lua_sockaddr_host((const struct sockaddr *)&b->addr, b->addr_len, w->address, sizeof w->address);
  out->address = w->address;
  out->family = b->addr.ss_family;
  out->state = (TsrLuaBackendState)g_atomic_int_get(&b->state);
  out->type = b->type == TSR_BACKEND_TYPE_RO ? TSR_LUA_BACKEND_TYPE_RO : TSR_LUA_BACKEND_TYPE_RW;
  out->connected_clients = (guint)MAX(g_atomic_int_get(&b->connected_clients), 0);
  return TRUE;
}

static gboolean provider_set_state(gpointer data, guint index, TsrLuaBackendState state) {
  TsrLuaWorker *w = data;
  TsrBackend *b;

  if (index >= tsr_backend_list_size(w->backends)) return FALSE;
  b = tsr_backend_list_get(w->backends, index);
  if (state == TSR_LUA_BACKEND_STATE_DOWN) {
    if (tsr_backend_mark_down(b)) g_warning("backend %s is down: a script marked it down", b->name);
  } else if (state == TSR_LUA_BACKEND_STATE_UP) {
    tsr_backend_mark_up(b);
  } else {
    g_atomic_int_set(&b->state, TSR_BACKEND_STATE_UNKNOWN);
  }
  return TRUE;
}

void tsr_lua_backend_provider_init(TsrLuaBackendProvider *p, TsrLuaWorker *w) {
  memset(p, 0, sizeof *p);
  p->count = provider_count;
  p->get = provider_get;
  p->set_state = provider_set_state;
  p->data = w;
}
