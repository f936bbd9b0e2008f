/* lua-queries.c: proxy.queries, the queue of queries read_query sends
 * instead of the client's packet (MySQL Proxy 0.8's API):
 *
 *   proxy.queries:append(id, packet [, { resultset_is_needed = true }])
 *   proxy.queries:prepend(id, packet [, options])
 *   proxy.queries:reset()
 *   proxy.queries:len()   #proxy.queries
 *
 * `packet` is a command payload (command byte first, as read_query gets
 * it); `id` comes back as inj.id in read_query_result. With
 * resultset_is_needed the result is held for read_query_result (which may
 * then read its rows or drop it); without it the last query's result
 * streams to the client as it comes. A boolean third argument is taken as
 * resultset_is_needed. */
#include <string.h>
#include "lua-session-private.h"

static TsrSession *check_queries(lua_State *L) {
  TsrLuaHandle *h = luaL_checkudata(L, 1, TSR_LUA_QUERIES_MT);
  if (!h->ls)
    luaL_error(L, "proxy.queries belongs to a client connection that is closed: use it only in that "
               "connection's hooks");
  return h->ls->session;
}

static gboolean check_options(lua_State *L, int idx) {
  switch (lua_type(L, idx)) {
  case LUA_TNONE:
  case LUA_TNIL:
    return FALSE;
  case LUA_TBOOLEAN:
    return lua_toboolean(L, idx);
  case LUA_TTABLE:
    lua_getfield(L, idx, "resultset_is_needed");
    {
      gboolean needed = lua_toboolean(L, -1);
      lua_pop(L, 1);
      return needed;
    }
  default:
    return luaL_argerror(L, idx, "expected a table of options ({ resultset_is_needed = true })");
  }
}

static int queue_add(lua_State *L, gboolean at_front) {
  TsrSession *s = check_queries(L);
  lua_Integer id = luaL_checkinteger(L, 2);
  size_t len;
  const char *packet = luaL_checklstring(L, 3, &len);
  gboolean needed = check_options(L, 4);

  if (len == 0) return luaL_argerror(L, 3, "the packet is empty: it starts with the command byte (proxy.COM_QUERY)");
  tsr_session_queue_add(s, (gint)id, (const guint8 *)packet, len, needed, at_front);
  return 0;
}

static int queries_append(lua_State *L) { return queue_add(L, FALSE); }

static int queries_prepend(lua_State *L) { return queue_add(L, TRUE); }

static int queries_reset(lua_State *L) {
  tsr_session_queue_reset(check_queries(L));
  return 0;
}

static int queries_len(lua_State *L) {
  lua_pushinteger(L, tsr_session_queue_length(check_queries(L)));
  return 1;
}

static int queries_index(lua_State *L) {
  static const luaL_Reg methods[] = {
    { "append", queries_append }, { "prepend", queries_prepend }, { "reset", queries_reset },
    { "len", queries_len },       { NULL, NULL } };
  const char *key = lua_tostring(L, 2);

  luaL_checkudata(L, 1, TSR_LUA_QUERIES_MT);
  for (const luaL_Reg *m = methods; key && m->name; m++)
    if (strcmp(key, m->name) == 0) {
      lua_pushcfunction(L, m->func);
      return 1;
    }
  lua_pushnil(L);
  return 1;
}

static int queries_newindex(lua_State *L) {
  return luaL_error(L, "proxy.queries is not writable: use proxy.queries:append(), :prepend() and :reset()");
}

TsrLuaHandle *tsr_lua_queries_push(lua_State *L, TsrLuaSession *ls) {
  TsrLuaHandle *h = lua_newuserdata(L, sizeof *h);
  h->ls = ls;
  luaL_getmetatable(L, TSR_LUA_QUERIES_MT);
  lua_setmetatable(L, -2);
  return h;
}

void tsr_lua_queries_register(lua_State *L) {
  static const luaL_Reg fields[] = {
    { "__index", queries_index }, { "__newindex", queries_newindex }, { "__len", queries_len }, { NULL, NULL } };
  tsr_lua_new_metatable(L, TSR_LUA_QUERIES_MT, fields);
}
