/* lua-session-backends.c: proxy.global.backends over core's backend list
 * (lua-backends.h's provider). State is writable (a script may mark a
 * backend down or up); pool.* shows and sets the pool of idle connections of
 * the worker the script runs on (core/session-pool.c). */
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
  if (w->owner) tsr_session_pool_limits(w->owner, index, &out->min_idle_connections, &out->max_idle_connections);
  return TRUE;
}

static guint provider_idle(gpointer data, guint index, const char *user) {
  TsrLuaWorker *w = data;
  return w->owner ? tsr_session_pool_idle(w->owner, index, user) : 0;
}

static gboolean provider_set_pool(gpointer data, guint index, TsrLuaPoolField field, guint value) {
  TsrLuaWorker *w = data;
  guint min_idle, max_idle;

  if (!w->owner || index >= tsr_backend_list_size(w->backends)) return FALSE;
  tsr_session_pool_limits(w->owner, index, &min_idle, &max_idle);
  if (field == TSR_LUA_POOL_MIN_IDLE) min_idle = value;
  else max_idle = value;
  tsr_session_pool_set_limits(w->owner, index, min_idle, max_idle);
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
  p->idle_connections = provider_idle;
  p->set_pool = provider_set_pool;
  p->data = w;
}
