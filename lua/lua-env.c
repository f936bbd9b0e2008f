/* lua-env.c: per-connection environments and hook calls (see lua-env.h).
 *
 * An environment is two tables: the connection's globals G (metatable
 * {__index = the VM's globals}, G._G = G) and its proxy table P (response,
 * and what the caller puts there: queries, connection). The VM's `proxy`
 * table has a metatable whose __index and __newindex are switched to the P
 * of the connection whose hook runs. */
#include "lua-private.h"

static const char *const hook_names[TSR_LUA_HOOK_MAX] = {
  [TSR_LUA_HOOK_CONNECT_SERVER] = "connect_server",
  [TSR_LUA_HOOK_READ_HANDSHAKE] = "read_handshake",
  [TSR_LUA_HOOK_READ_AUTH] = "read_auth",
  [TSR_LUA_HOOK_READ_AUTH_RESULT] = "read_auth_result",
  [TSR_LUA_HOOK_READ_QUERY] = "read_query",
  [TSR_LUA_HOOK_READ_QUERY_RESULT] = "read_query_result",
  [TSR_LUA_HOOK_DISCONNECT_CLIENT] = "disconnect_client",
  [TSR_LUA_HOOK_READ_ROUTE] = "read_route",
};

const char *tsr_lua_hook_name(TsrLuaHook hook) {
  return hook < TSR_LUA_HOOK_MAX ? hook_names[hook] : "unknown_hook";
}

void tsr_lua_env_make_current(TsrLuaVm *vm, TsrLuaEnv *env) {
  lua_State *L = vm->L;

  if (vm->current == env && env) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->proxy_meta_ref);
  if (env) lua_rawgeti(L, LUA_REGISTRYINDEX, env->proxy_ref);
  else lua_newtable(L);
  lua_pushliteral(L, "__index");
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  lua_pushliteral(L, "__newindex");
  lua_insert(L, -2);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  vm->current = env;
}

typedef struct {
  TsrLuaEnv *env;
  int chunk_ref;
  TsrLuaEnvInitFunc init;
  gpointer data;
} EnvSetup;

/* Records which hooks the top level defined in G (on top of the stack). */
static guint32 find_hooks(lua_State *L, TsrLuaVm *vm) {
  guint32 hooks = 0;
  for (int h = 0; h < TSR_LUA_HOOK_MAX; h++) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->hook_name_refs[h]);
    lua_rawget(L, -2);
    if (lua_isfunction(L, -1)) hooks |= 1u << h;
    lua_pop(L, 1);
  }
  return hooks;
}

/* In protected mode: makes G and P, runs init, then the chunk with G as its
 * environment. */
static void env_setup(lua_State *L, gpointer data) {
  EnvSetup *setup = data;
  TsrLuaEnv *env = setup->env;
  TsrLuaVm *vm = env->vm;

  lua_createtable(L, 0, 16);                 /* G */
  lua_createtable(L, 0, 1);                  /* its metatable */
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_pushvalue(L, -1);
  env->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  lua_createtable(L, 0, 4);                  /* P */
  lua_newtable(L);
  lua_setfield(L, -2, "response");
  if (setup->init) setup->init(L, setup->data);
  env->proxy_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  if (setup->chunk_ref != LUA_NOREF) {
    tsr_lua_env_make_current(vm, env);
    lua_rawgeti(L, LUA_REGISTRYINDEX, setup->chunk_ref);
    lua_pushvalue(L, -2);
    lua_setfenv(L, -2);
    lua_call(L, 0, 0);
    env->hooks = find_hooks(L, vm);
  }
  lua_pop(L, 1);
}

TsrLuaEnv *tsr_lua_env_new_for_chunk(TsrLuaVm *vm, int chunk_ref, guint generation, TsrLuaEnvInitFunc init,
                                     gpointer data, GError **error) {
  TsrLuaEnv *env = g_new0(TsrLuaEnv, 1);
  EnvSetup setup = { env, chunk_ref, init, data };

  env->vm = vm;
  env->globals_ref = env->proxy_ref = LUA_NOREF;
  env->generation = generation;
  env->next = vm->envs;
  if (vm->envs) vm->envs->prev = env;
  vm->envs = env;
  if (!tsr_lua_vm_protect(vm, env_setup, &setup, error)) {
    tsr_lua_env_free(env);
    return NULL;
  }
  return env;
}

TsrLuaEnv *tsr_lua_env_new(TsrLuaVm *vm, TsrLuaEnvInitFunc init, gpointer data, GError **error) {
  return tsr_lua_env_new_for_chunk(vm, vm->chunk_ref, vm->generation, init, data, error);
}

void tsr_lua_env_free(TsrLuaEnv *env) {
  TsrLuaVm *vm;

  if (!env) return;
  vm = env->vm;
  if (vm->current == env) tsr_lua_env_make_current(vm, NULL);
  luaL_unref(vm->L, LUA_REGISTRYINDEX, env->globals_ref);
  luaL_unref(vm->L, LUA_REGISTRYINDEX, env->proxy_ref);
  if (env->prev) env->prev->next = env->next;
  else vm->envs = env->next;
  if (env->next) env->next->prev = env->prev;
  g_free(env);
}

gboolean tsr_lua_env_has_hook(const TsrLuaEnv *env, TsrLuaHook hook) {
  return hook < TSR_LUA_HOOK_MAX && (env->hooks & (1u << hook)) != 0;
}

guint tsr_lua_env_generation(const TsrLuaEnv *env) { return env->generation; }

void tsr_lua_env_push_proxy(TsrLuaEnv *env) {
  lua_rawgeti(env->vm->L, LUA_REGISTRYINDEX, env->proxy_ref);
}

void tsr_lua_env_push_globals(TsrLuaEnv *env) {
  lua_rawgeti(env->vm->L, LUA_REGISTRYINDEX, env->globals_ref);
}

gboolean tsr_lua_env_protect(TsrLuaEnv *env, TsrLuaProtectedFunc fn, gpointer data, GError **error) {
  tsr_lua_env_make_current(env->vm, env);
  return tsr_lua_vm_protect(env->vm, fn, data, error);
}

/* ---- hook calls ---- */

lua_State *tsr_lua_call_begin(TsrLuaCall *call, TsrLuaEnv *env, TsrLuaHook hook) {
  TsrLuaVm *vm = env->vm;
  lua_State *L = vm->L;

  if (!tsr_lua_env_has_hook(env, hook)) return NULL;
  call->vm = vm;
  call->env = env;
  call->hook = hook;
  call->base = lua_gettop(L);
  tsr_lua_env_make_current(vm, env);
  lua_rawgeti(L, LUA_REGISTRYINDEX, env->globals_ref);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->hook_name_refs[hook]);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  if (!lua_isfunction(L, -1)) {   /* the script removed it since */
    lua_settop(L, call->base);
    return NULL;
  }
  return L;
}

gboolean tsr_lua_call_finish(TsrLuaCall *call, int nargs, int *decision, GError **error) {
  lua_State *L = call->vm->L;

  if (decision) *decision = TSR_PROXY_NO_DECISION;
  if (!tsr_lua_vm_pcall(call->vm, nargs, 1, error)) {
    lua_settop(L, call->base);
    return FALSE;
  }
  /* MySQL Proxy took any number (and numeric string) and ignored the rest. */
  if (decision && lua_isnumber(L, -1)) *decision = (int)lua_tointeger(L, -1);
  lua_settop(L, call->base);
  return TRUE;
}

void tsr_lua_call_cancel(TsrLuaCall *call) {
  lua_settop(call->vm->L, call->base);
}
