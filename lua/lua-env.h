/* lua-env.h: per-connection environments and calls into the script's hooks.
 *
 * MySQL Proxy 0.8's semantics, kept here:
 *  - The script's top level runs once per client connection, in an
 *    environment of its own: globals it sets (functions, counters, tables)
 *    belong to that connection and do not leak into others. Reads of names
 *    the connection did not set fall through to the shared globals
 *    (string, table, print, proxy...).
 *  - `proxy` is one table for the whole VM: constants and proxy.global are
 *    shared; proxy.queries, proxy.connection, proxy.response (and anything
 *    a script assigns to a new proxy.* field) are per connection: before a
 *    hook runs, `proxy` is pointed at that connection's table.
 *  - proxy.global is shared by every connection of every worker
 *    (lua-shared.h).
 * Differences from 0.8, on purpose: _G in a connection environment is the
 * connection environment itself (0.8's _G was the process-wide table:
 * writing _G.x leaked into every connection); and a hook must exist once
 * the top level has run (hooks are looked up then, not at every call).
 *
 * Costs: creating an environment runs the script's top level (a few µs for
 * a typical script); a hook that the script does not define costs one bit
 * test (tsr_lua_env_has_hook). */
#ifndef TESSERA_LUA_ENV_H
#define TESSERA_LUA_ENV_H

#include <glib.h>
#include <lua.h>
#include "lua/lua-vm.h"

/* The hooks MySQL Proxy 0.8 scripts define, and tessera's read_route. */
typedef enum {
  TSR_LUA_HOOK_CONNECT_SERVER,
  TSR_LUA_HOOK_READ_HANDSHAKE,
  TSR_LUA_HOOK_READ_AUTH,
  TSR_LUA_HOOK_READ_AUTH_RESULT,
  TSR_LUA_HOOK_READ_QUERY,
  TSR_LUA_HOOK_READ_QUERY_RESULT,
  TSR_LUA_HOOK_DISCONNECT_CLIENT,
  TSR_LUA_HOOK_READ_ROUTE,        /* the sharding plugin's routing decisions (lua-route.h) */
  TSR_LUA_HOOK_MAX
} TsrLuaHook;

/* Returns the Lua name of a hook ("read_query"); static storage. */
const char *tsr_lua_hook_name(TsrLuaHook hook);

/* What a hook returns, MySQL Proxy 0.8's values: nil (or anything that is
 * not a number) is TSR_PROXY_NO_DECISION. */
typedef enum {
  TSR_PROXY_NO_DECISION = 0,
  TSR_PROXY_SEND_QUERY = 1,      /* proxy.PROXY_SEND_QUERY */
  TSR_PROXY_SEND_RESULT = 2,     /* proxy.PROXY_SEND_RESULT */
  TSR_PROXY_SEND_INJECTION = 3,  /* internal to MySQL Proxy; not exported to Lua */
  TSR_PROXY_IGNORE_RESULT = 4,   /* proxy.PROXY_IGNORE_RESULT */
} TsrProxyDecision;

typedef struct TsrLuaEnv TsrLuaEnv;

/* Called while an environment is being created, before the script's top
 * level runs, with the connection's own proxy table on top of the stack:
 * set the per-connection fields there, e.g.
 *   push the connection userdata; lua_setfield(L, -2, "connection");
 * It runs in protected mode. It must leave the stack as it found it. */
typedef void (*TsrLuaEnvInitFunc)(lua_State *L, gpointer data);

/* Creates the environment of one client connection: runs init (when not
 * NULL) and then the top level of the VM's current script version in it,
 * under the instruction budget. The connection's proxy table starts with
 * response = {}. Returns the environment (free it with tsr_lua_env_free when
 * the connection ends), or NULL with *error set when the top level failed.
 * Without a script, returns an environment without hooks. */
TsrLuaEnv *tsr_lua_env_new(TsrLuaVm *vm, TsrLuaEnvInitFunc init, gpointer data, GError **error);

/* Frees an environment: its globals become garbage. NULL is allowed. */
void tsr_lua_env_free(TsrLuaEnv *env);

/* Returns TRUE when the script defined `hook` (as a function) at its top
 * level in this environment. One bit test. */
gboolean tsr_lua_env_has_hook(const TsrLuaEnv *env, TsrLuaHook hook);

/* Returns the script version the environment runs (tsr_lua_vm_generation
 * when it was created). A caller that wants a connection to move to a
 * reloaded script frees its environment and creates a new one (the
 * connection's script globals start over). */
guint tsr_lua_env_generation(const TsrLuaEnv *env);

/* Pushes the connection's own proxy table (where proxy.queries,
 * proxy.connection and proxy.response live) onto the stack: to read
 * proxy.response after a hook, or replace a field. */
void tsr_lua_env_push_proxy(TsrLuaEnv *env);

/* Pushes the connection's globals table (its environment) onto the stack. */
void tsr_lua_env_push_globals(TsrLuaEnv *env);

/* Runs fn(L, data) like tsr_lua_vm_protect() (protected, under the
 * instruction budget), with proxy.* pointed at env's connection first: for
 * code that may run the script's functions on behalf of a connection (a
 * function the script put in proxy.response, say). */
gboolean tsr_lua_env_protect(TsrLuaEnv *env, TsrLuaProtectedFunc fn, gpointer data, GError **error);

/* One call into a hook:
 *
 *   TsrLuaCall call;
 *   lua_State *L = tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY);
 *   if (L) {
 *     lua_pushlstring(L, packet, len);            // the hook's arguments
 *     if (!tsr_lua_call_finish(&call, 1, &decision, &error)) ... send ERR
 *   }
 *
 * The fields are private. */
typedef struct {
  TsrLuaVm *vm;
  TsrLuaEnv *env;
  TsrLuaHook hook;
  int base;
} TsrLuaCall;

/* Prepares a call of `hook` in env: points proxy.* at env's connection and
 * pushes the hook function. Returns the lua_State to push the arguments
 * on, or NULL when env has no such hook (nothing is pushed; call nothing
 * else). */
lua_State *tsr_lua_call_begin(TsrLuaCall *call, TsrLuaEnv *env, TsrLuaHook hook);

/* Calls the hook with the nargs values pushed since tsr_lua_call_begin,
 * under the instruction budget, and pops everything the call left. Returns
 * TRUE and sets *decision (may be NULL) to the number the hook returned
 * (TSR_PROXY_NO_DECISION for nil or a non-number); returns FALSE with
 * *error set when the hook raised an error or ran out of budget: the
 * message names the script and line ("script.lua:12: attempt to index a nil
 * value") and fits an ERR packet. */
gboolean tsr_lua_call_finish(TsrLuaCall *call, int nargs, int *decision, GError **error);

/* Abandons a call after tsr_lua_call_begin returned a state (pops what was
 * pushed). */
void tsr_lua_call_cancel(TsrLuaCall *call);

#endif
