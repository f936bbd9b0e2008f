/* lua-session.c: the session hooks that run a MySQL Proxy 0.8 script (see
 * lua-session.h): one environment per client connection, each hook called
 * with 0.8's arguments, and its return value turned into a TsrHookAction.
 *
 * Return values, as 0.8 read them:
 *   read_query         proxy.PROXY_SEND_QUERY  send proxy.queries (the client's
 *                                               own packet when it is empty)
 *                      proxy.PROXY_SEND_RESULT answer with proxy.response
 *                      nil                     send the client's packet, or
 *                                               proxy.queries when the script
 *                                               filled it
 *   read_query_result  proxy.PROXY_IGNORE_RESULT  the client does not get it
 *                      proxy.PROXY_SEND_RESULT    proxy.response replaces it
 *   login hooks        proxy.PROXY_SEND_RESULT    answer with proxy.response
 *                                                 and close
 *   read_route         ignored: the script changes the route table instead
 *                      (lua-route.c)
 * Anything else from read_query fails the command (scripts fail closed). */
#define G_LOG_DOMAIN "lua"
#include "lua-session-private.h"
#include "lua-route.h"

/* core's hook ids and lua/'s, in the same order by name. */
static const TsrLuaHook lua_hooks[TSR_HOOK_MAX] = {
  [TSR_HOOK_CONNECT_SERVER] = TSR_LUA_HOOK_CONNECT_SERVER,
  [TSR_HOOK_READ_HANDSHAKE] = TSR_LUA_HOOK_READ_HANDSHAKE,
  [TSR_HOOK_READ_AUTH] = TSR_LUA_HOOK_READ_AUTH,
  [TSR_HOOK_READ_AUTH_RESULT] = TSR_LUA_HOOK_READ_AUTH_RESULT,
  [TSR_HOOK_READ_QUERY] = TSR_LUA_HOOK_READ_QUERY,
  [TSR_HOOK_READ_QUERY_RESULT] = TSR_LUA_HOOK_READ_QUERY_RESULT,
  [TSR_HOOK_DISCONNECT_CLIENT] = TSR_LUA_HOOK_DISCONNECT_CLIENT,
  [TSR_HOOK_READ_ROUTE] = TSR_LUA_HOOK_READ_ROUTE,
};

/* ---- the worker ---- */

static void register_metatables(lua_State *L, gpointer data) {
  tsr_lua_connection_register(L);
  tsr_lua_queries_register(L);
  tsr_lua_injection_register(L);
}

TsrLuaWorker *tsr_lua_worker_new(const TsrLuaSettings *settings, const TsrBackendList *backends,
                                 TsrSessionOwner *owner, GError **error) {
  TsrLuaWorker *w = g_new0(TsrLuaWorker, 1);
  TsrLuaBackendProvider provider;
  TsrLuaSettings copy = *settings;

  w->backends = backends;
  w->owner = owner;
  tsr_lua_backend_provider_init(&provider, w);
  copy.backends = backends ? &provider : NULL;
  w->vm = tsr_lua_vm_new(&copy, error);
  if (!w->vm || !tsr_lua_vm_protect(w->vm, register_metatables, NULL, error)) {
    tsr_lua_worker_free(w);
    return NULL;
  }
  return w;
}

void tsr_lua_worker_free(TsrLuaWorker *w) {
  if (!w) return;
  tsr_lua_inj_view_end(w);
  tsr_lua_vm_free(w->vm);
  g_free(w);
}

TsrLuaVm *tsr_lua_worker_vm(TsrLuaWorker *w) { return w->vm; }

/* ---- calling hooks ---- */

/* Pushes a hook's arguments; returns how many. */
typedef int (*PushArgs)(lua_State *L, gpointer data);

/* proxy.response = {} in the connection's proxy table, as 0.8 did before
 * every hook. */
static void reset_response(TsrLuaSession *ls, lua_State *L) {
  tsr_lua_env_push_proxy(ls->env);
  lua_pushliteral(L, "response");
  lua_newtable(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* Calls hook `id` (when the script has it) with what push_args pushes.
 * Returns TRUE with *decision set (TSR_PROXY_NO_DECISION when there is no
 * such hook), or FALSE with *error set when the hook failed. */
static gboolean call_hook(TsrLuaSession *ls, TsrHookId id, PushArgs push_args, gpointer data, int *decision,
                          GError **error) {
  TsrLuaCall call;
  lua_State *L = tsr_lua_call_begin(&call, ls->env, lua_hooks[id]);
  gboolean ok;
  int nargs;

  *decision = TSR_PROXY_NO_DECISION;
  if (!L) return TRUE;
  reset_response(ls, L);
  nargs = push_args ? push_args(L, data) : 0;
  ls->running = id;
  ok = tsr_lua_call_finish(&call, nargs, decision, error);
  ls->running = TSR_HOOK_MAX;
  return ok;
}

/* proxy.PROXY_SEND_RESULT: the answer is proxy.response. */
static TsrHookAction send_result(TsrLuaSession *ls, GError **error) {
  return tsr_lua_response_send(ls, error) ? TSR_HOOK_SEND_RESULT : TSR_HOOK_ERROR;
}

/* ---- TsrSessionHooks ---- */

/* Runs in protected mode while the environment is made, with the
 * connection's proxy table on top: proxy.connection and proxy.queries. */
static void init_env(lua_State *L, gpointer data) {
  TsrLuaSession *ls = data;

  lua_pushliteral(L, "connection");
  ls->connection = tsr_lua_connection_push(L, ls);
  lua_pushvalue(L, -1);
  ls->connection_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_rawset(L, -3);
  lua_pushliteral(L, "queries");
  ls->queries = tsr_lua_queries_push(L, ls);
  lua_pushvalue(L, -1);
  ls->queries_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_rawset(L, -3);
}

/* Makes the handles scripts may still hold raise errors, and drops them. */
static void release_handles(TsrLuaSession *ls) {
  lua_State *L = tsr_lua_vm_state(ls->worker->vm);
  if (ls->connection) ls->connection->ls = NULL;
  if (ls->queries) ls->queries->ls = NULL;
  luaL_unref(L, LUA_REGISTRYINDEX, ls->connection_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, ls->queries_ref);
  ls->connection = ls->queries = NULL;
  ls->connection_ref = ls->queries_ref = LUA_NOREF;
}

static gpointer session_open(gpointer data, TsrSession *s, GError **error) {
  TsrLuaWorker *w = data;
  TsrLuaSession *ls = g_new0(TsrLuaSession, 1);

  ls->worker = w;
  ls->session = s;
  ls->running = TSR_HOOK_MAX;
  ls->connection_ref = ls->queries_ref = LUA_NOREF;
  tsr_lua_vm_check_reload(w->vm);
  ls->env = tsr_lua_env_new(w->vm, init_env, ls, error);
  if (!ls->env) {
    release_handles(ls);
    g_free(ls);
    return NULL;
  }
  return ls;
}

static void session_close(gpointer data, TsrSession *s, gpointer state) {
  TsrLuaSession *ls = state;
  g_autoptr(GError) error = NULL;
  int decision;

  if (!ls) return;
  if (!call_hook(ls, TSR_HOOK_DISCONNECT_CLIENT, NULL, NULL, &decision, &error))
    g_warning("client %s: disconnect_client failed: %s", tsr_session_client_name(s), error->message);
  release_handles(ls);
  tsr_lua_env_free(ls->env);
  g_free(ls);
}

static gboolean session_has(gpointer data, TsrSession *s, gpointer state, TsrHookId id) {
  TsrLuaSession *ls = state;
  if (!ls || id >= TSR_HOOK_MAX) return FALSE;
  /* Between two commands: a changed script is loaded for new connections. */
  if (id == TSR_HOOK_READ_QUERY) tsr_lua_vm_check_reload(ls->worker->vm);
  return tsr_lua_env_has_hook(ls->env, lua_hooks[id]);
}

typedef struct {
  const guint8 *packet;
  gsize len;
} PacketArg;

/* read_auth_result({ packet = ... }) */
static int push_auth_table(lua_State *L, gpointer data) {
  const PacketArg *arg = data;
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, (const char *)arg->packet, arg->len);
  lua_setfield(L, -2, "packet");
  return 1;
}

/* read_query(packet) */
static int push_packet(lua_State *L, gpointer data) {
  const PacketArg *arg = data;
  lua_pushlstring(L, (const char *)arg->packet, arg->len);
  return 1;
}

static TsrHookAction session_phase(gpointer data, TsrSession *s, gpointer state, TsrHookId id, const guint8 *packet,
                                   gsize len, GError **error) {
  TsrLuaSession *ls = state;
  PacketArg arg = { packet, len };
  int decision;

  if (!call_hook(ls, id, id == TSR_HOOK_READ_AUTH_RESULT ? push_auth_table : NULL, &arg, &decision, error))
    return TSR_HOOK_ERROR;
  return decision == TSR_PROXY_SEND_RESULT ? send_result(ls, error) : TSR_HOOK_DEFAULT;
}

static TsrHookAction session_read_query(gpointer data, TsrSession *s, gpointer state, const guint8 *packet,
                                        gsize len, GError **error) {
  TsrLuaSession *ls = state;
  PacketArg arg = { packet, len };
  int decision;

  if (!call_hook(ls, TSR_HOOK_READ_QUERY, push_packet, &arg, &decision, error)) return TSR_HOOK_ERROR;
  switch (decision) {
  case TSR_PROXY_SEND_RESULT:
    return send_result(ls, error);
  case TSR_PROXY_SEND_QUERY:
  case TSR_PROXY_NO_DECISION:
    /* 0.8 sent the client's packet when proxy.queries was empty, and
     * answered what a script queued even when it returned nothing. */
    return tsr_session_queue_length(s) ? TSR_HOOK_SEND_QUERY : TSR_HOOK_DEFAULT;
  default:
    g_set_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_RUNTIME,
                "read_query returned %d: return proxy.PROXY_SEND_QUERY, proxy.PROXY_SEND_RESULT or nothing",
                decision);
    return TSR_HOOK_ERROR;
  }
}

static int push_injection(lua_State *L, gpointer data) {
  tsr_lua_injection_push(L, data);
  return 1;
}

static TsrHookAction session_read_query_result(gpointer data, TsrSession *s, gpointer state, TsrInjection *inj,
                                               GError **error) {
  TsrLuaSession *ls = state;
  TsrLuaWorker *w = ls->worker;
  gboolean ok;
  int decision;

  tsr_lua_inj_view_begin(w, s, inj);
  ok = call_hook(ls, TSR_HOOK_READ_QUERY_RESULT, push_injection, w, &decision, error);
  tsr_lua_inj_view_end(w);
  if (!ok) return TSR_HOOK_ERROR;
  switch (decision) {
  case TSR_PROXY_IGNORE_RESULT:
    return TSR_HOOK_IGNORE_RESULT;
  case TSR_PROXY_SEND_RESULT:
    return send_result(ls, error);
  default:
    return TSR_HOOK_DEFAULT;
  }
}

/* read_route(route): lua-route.c. */
static TsrHookAction session_read_route(gpointer data, TsrSession *s, gpointer state, TsrRouteView *view,
                                        GError **error) {
  TsrLuaSession *ls = state;
  TsrHookId running = ls->running;
  TsrHookAction action;

  ls->running = TSR_HOOK_READ_ROUTE;
  action = tsr_lua_route_run(ls->env, view, error);
  ls->running = running;
  return action;
}

static const TsrSessionHooks lua_session_hooks = {
  .open = session_open,
  .close = session_close,
  .has = session_has,
  .phase = session_phase,
  .read_query = session_read_query,
  .read_query_result = session_read_query_result,
  .read_route = session_read_route,
};

const TsrSessionHooks *tsr_lua_session_hooks(void) { return &lua_session_hooks; }
