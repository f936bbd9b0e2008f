/* lua-backends.c: proxy.global.backends, a live view of a provider's
 * backends (see lua-backends.h). */
#include <string.h>
#include <lauxlib.h>
#include "lua-backends.h"

#define BACKENDS_MT "tessera.backends"
#define BACKEND_MT "tessera.backend"
#define POOL_MT "tessera.backend.pool"
#define USERS_MT "tessera.backend.pool.users"

typedef struct {
  TsrLuaBackendProvider provider;
  gboolean has_provider;
} Backends;

/* A backend, its pool or its pool's users: the list and an index. The list
 * lives as long as the VM (it is kept in the registry). */
typedef struct {
  Backends *list;
  guint index;
} BackendRef;

static guint backends_count(const Backends *b) {
  return b->has_provider ? b->provider.count(b->provider.data) : 0;
}

/* Fills *info for ref; FALSE when the backend is gone. */
static gboolean backend_info(const BackendRef *ref, TsrLuaBackendInfo *info) {
  const Backends *b = ref->list;
  memset(info, 0, sizeof *info);
  return ref->index < backends_count(b) && b->provider.get(b->provider.data, ref->index, info);
}

static void push_ref(lua_State *L, Backends *list, guint index, const char *mt) {
  BackendRef *ref = lua_newuserdata(L, sizeof *ref);
  ref->list = list;
  ref->index = index;
  luaL_getmetatable(L, mt);
  lua_setmetatable(L, -2);
}

static int not_writable(lua_State *L, const BackendRef *ref, const char *field) {
  return luaL_error(L, "proxy.global.backends[%d].%s is not writable", (int)ref->index + 1, field);
}

/* ---- proxy.global.backends ---- */

static int backends_index(lua_State *L) {
  Backends *b = luaL_checkudata(L, 1, BACKENDS_MT);
  lua_Integer i;

  if (!lua_isnumber(L, 2)) {
    lua_pushnil(L);
    return 1;
  }
  i = lua_tointeger(L, 2);
  if (i < 1 || (lua_Number)i != lua_tonumber(L, 2) || (guint64)i > backends_count(b)) {
    lua_pushnil(L);
    return 1;
  }
  push_ref(L, b, (guint)(i - 1), BACKEND_MT);
  return 1;
}

static int backends_len(lua_State *L) {
  lua_pushinteger(L, backends_count(luaL_checkudata(L, 1, BACKENDS_MT)));
  return 1;
}

/* ---- proxy.global.backends[i] ---- */

static void push_dst(lua_State *L, const TsrLuaBackendInfo *info) {
  lua_createtable(L, 0, 4);
  lua_pushstring(L, info->name ? info->name : "");
  lua_setfield(L, -2, "name");
  if (info->address) {
    lua_pushstring(L, info->address);
    lua_setfield(L, -2, "address");
  }
  if (info->port) {
    lua_pushinteger(L, info->port);
    lua_setfield(L, -2, "port");
  }
  lua_pushinteger(L, info->family);
  lua_setfield(L, -2, "type");
}

static int backend_index(lua_State *L) {
  BackendRef *ref = luaL_checkudata(L, 1, BACKEND_MT);
  const char *key = luaL_checkstring(L, 2);
  TsrLuaBackendInfo info;

  if (!backend_info(ref, &info)) lua_pushnil(L);
  else if (strcmp(key, "connected_clients") == 0) lua_pushinteger(L, info.connected_clients);
  else if (strcmp(key, "dst") == 0) push_dst(L, &info);
  else if (strcmp(key, "state") == 0) lua_pushinteger(L, info.state);
  else if (strcmp(key, "type") == 0) lua_pushinteger(L, info.type);
  else if (strcmp(key, "uuid") == 0 && info.uuid) lua_pushstring(L, info.uuid);
  else if (strcmp(key, "pool") == 0) push_ref(L, ref->list, ref->index, POOL_MT);
  else lua_pushnil(L);
  return 1;
}

static int backend_newindex(lua_State *L) {
  BackendRef *ref = luaL_checkudata(L, 1, BACKEND_MT);
  const char *key = luaL_checkstring(L, 2);
  const TsrLuaBackendProvider *p = &ref->list->provider;
  gboolean ok = FALSE;

  if (strcmp(key, "state") == 0) {
    lua_Integer state = luaL_checkinteger(L, 3);
    ok = p->set_state && state >= TSR_LUA_BACKEND_STATE_UNKNOWN && state <= TSR_LUA_BACKEND_STATE_DOWN &&
         p->set_state(p->data, ref->index, (TsrLuaBackendState)state);
  } else if (strcmp(key, "uuid") == 0) {
    const char *uuid = lua_isnil(L, 3) ? NULL : luaL_checkstring(L, 3);
    ok = p->set_uuid && p->set_uuid(p->data, ref->index, uuid);
  }
  return ok ? 0 : not_writable(L, ref, key);
}

/* ---- .pool and .pool.users ---- */

static int pool_index(lua_State *L) {
  BackendRef *ref = luaL_checkudata(L, 1, POOL_MT);
  const char *key = luaL_checkstring(L, 2);
  TsrLuaBackendInfo info;

  if (!backend_info(ref, &info)) lua_pushnil(L);
  else if (strcmp(key, "min_idle_connections") == 0) lua_pushinteger(L, info.min_idle_connections);
  else if (strcmp(key, "max_idle_connections") == 0) lua_pushinteger(L, info.max_idle_connections);
  else if (strcmp(key, "users") == 0) push_ref(L, ref->list, ref->index, USERS_MT);
  else lua_pushnil(L);
  return 1;
}

static int pool_newindex(lua_State *L) {
  BackendRef *ref = luaL_checkudata(L, 1, POOL_MT);
  const char *key = luaL_checkstring(L, 2);
  const TsrLuaBackendProvider *p = &ref->list->provider;
  TsrLuaPoolField field;
  lua_Integer value;

  if (strcmp(key, "min_idle_connections") == 0) field = TSR_LUA_POOL_MIN_IDLE;
  else if (strcmp(key, "max_idle_connections") == 0) field = TSR_LUA_POOL_MAX_IDLE;
  else return not_writable(L, ref, key);
  value = luaL_checkinteger(L, 3);
  if (value < 0 || value > G_MAXUINT || !p->set_pool || !p->set_pool(p->data, ref->index, field, (guint)value))
    return luaL_error(L, "proxy.global.backends[%d].pool.%s is not writable", (int)ref->index + 1, key);
  return 0;
}

static int users_index(lua_State *L) {
  BackendRef *ref = luaL_checkudata(L, 1, USERS_MT);
  const char *user = luaL_checkstring(L, 2);
  const TsrLuaBackendProvider *p = &ref->list->provider;
  guint idle = 0;

  if (ref->index < backends_count(ref->list) && p->idle_connections)
    idle = p->idle_connections(p->data, ref->index, user);
  lua_createtable(L, 0, 1);
  lua_pushinteger(L, idle);
  lua_setfield(L, -2, "cur_idle_connections");
  return 1;
}

/* ---- setup ---- */

static void make_metatable(lua_State *L, const char *name, const luaL_Reg *methods) {
  if (luaL_newmetatable(L, name)) {
    luaL_setfuncs(L, methods, 0);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
}

void tsr_lua_backends_set_provider(lua_State *L, int idx, const TsrLuaBackendProvider *provider) {
  Backends *b = luaL_checkudata(L, idx, BACKENDS_MT);
  b->has_provider = provider && provider->count && provider->get;
  if (b->has_provider) b->provider = *provider;
  else memset(&b->provider, 0, sizeof b->provider);
}

void tsr_lua_backends_push(lua_State *L, const TsrLuaBackendProvider *provider) {
  static const luaL_Reg list_methods[] = { { "__index", backends_index }, { "__len", backends_len }, { NULL, NULL } };
  static const luaL_Reg backend_methods[] = {
    { "__index", backend_index }, { "__newindex", backend_newindex }, { NULL, NULL } };
  static const luaL_Reg pool_methods[] = { { "__index", pool_index }, { "__newindex", pool_newindex }, { NULL, NULL } };
  static const luaL_Reg users_methods[] = { { "__index", users_index }, { NULL, NULL } };
  Backends *b;

  make_metatable(L, BACKENDS_MT, list_methods);
  make_metatable(L, BACKEND_MT, backend_methods);
  make_metatable(L, POOL_MT, pool_methods);
  make_metatable(L, USERS_MT, users_methods);
  b = lua_newuserdata(L, sizeof *b);
  memset(b, 0, sizeof *b);
  luaL_getmetatable(L, BACKENDS_MT);
  lua_setmetatable(L, -2);
  tsr_lua_backends_set_provider(L, -1, provider);
}
