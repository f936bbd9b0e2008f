/* lua-proxy.c: the global `proxy` table: MySQL Proxy 0.8's constants,
 * proxy.global, proxy.shared, and the metatable that points proxy.* at the
 * connection whose hook runs (see lua-env.h). */
#include <stdio.h>
#include "lua-private.h"
#include "lua-backends.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-command.h"
#include "tessera-config.h"

/* The MySQL Proxy version whose Lua API tessera implements: scripts test
 * proxy.PROXY_VERSION against 0.x versions ("assert(proxy.PROXY_VERSION >=
 * 0x00501)"), so it is that API level, not tessera's own version (which is
 * proxy.TESSERA_VERSION, encoded the same way). */
#define TSR_LUA_PROXY_API_VERSION 0x000805

typedef struct {
  const char *name;
  lua_Integer value;
} Constant;

static const Constant constants[] = {
  { "PROXY_SEND_QUERY", TSR_PROXY_SEND_QUERY },
  { "PROXY_SEND_RESULT", TSR_PROXY_SEND_RESULT },
  { "PROXY_IGNORE_RESULT", TSR_PROXY_IGNORE_RESULT },
  { "MYSQLD_PACKET_OK", TSR_PACKET_OK },
  { "MYSQLD_PACKET_ERR", TSR_PACKET_ERR },
  { "MYSQLD_PACKET_RAW", 0xfa },
  { "BACKEND_STATE_UNKNOWN", TSR_LUA_BACKEND_STATE_UNKNOWN },
  { "BACKEND_STATE_UP", TSR_LUA_BACKEND_STATE_UP },
  { "BACKEND_STATE_DOWN", TSR_LUA_BACKEND_STATE_DOWN },
  { "BACKEND_TYPE_UNKNOWN", TSR_LUA_BACKEND_TYPE_UNKNOWN },
  { "BACKEND_TYPE_RW", TSR_LUA_BACKEND_TYPE_RW },
  { "BACKEND_TYPE_RO", TSR_LUA_BACKEND_TYPE_RO },
  { "PROXY_VERSION", TSR_LUA_PROXY_API_VERSION },
  { "MYSQL_TYPE_DECIMAL", TSR_TYPE_DECIMAL },
  { "MYSQL_TYPE_TINY", TSR_TYPE_TINY },
  { "MYSQL_TYPE_SHORT", TSR_TYPE_SHORT },
  { "MYSQL_TYPE_LONG", TSR_TYPE_LONG },
  { "MYSQL_TYPE_FLOAT", TSR_TYPE_FLOAT },
  { "MYSQL_TYPE_DOUBLE", TSR_TYPE_DOUBLE },
  { "MYSQL_TYPE_NULL", TSR_TYPE_NULL },
  { "MYSQL_TYPE_TIMESTAMP", TSR_TYPE_TIMESTAMP },
  { "MYSQL_TYPE_LONGLONG", TSR_TYPE_LONGLONG },
  { "MYSQL_TYPE_INT24", TSR_TYPE_INT24 },
  { "MYSQL_TYPE_DATE", TSR_TYPE_DATE },
  { "MYSQL_TYPE_TIME", TSR_TYPE_TIME },
  { "MYSQL_TYPE_DATETIME", TSR_TYPE_DATETIME },
  { "MYSQL_TYPE_YEAR", TSR_TYPE_YEAR },
  { "MYSQL_TYPE_NEWDATE", TSR_TYPE_NEWDATE },
  { "MYSQL_TYPE_VARCHAR", TSR_TYPE_VARCHAR },
  { "MYSQL_TYPE_BIT", TSR_TYPE_BIT },
  { "MYSQL_TYPE_TIMESTAMP2", TSR_TYPE_TIMESTAMP2 },
  { "MYSQL_TYPE_DATETIME2", TSR_TYPE_DATETIME2 },
  { "MYSQL_TYPE_TIME2", TSR_TYPE_TIME2 },
  { "MYSQL_TYPE_JSON", TSR_TYPE_JSON },
  { "MYSQL_TYPE_NEWDECIMAL", TSR_TYPE_NEWDECIMAL },
  { "MYSQL_TYPE_ENUM", TSR_TYPE_ENUM },
  { "MYSQL_TYPE_SET", TSR_TYPE_SET },
  { "MYSQL_TYPE_TINY_BLOB", TSR_TYPE_TINY_BLOB },
  { "MYSQL_TYPE_MEDIUM_BLOB", TSR_TYPE_MEDIUM_BLOB },
  { "MYSQL_TYPE_LONG_BLOB", TSR_TYPE_LONG_BLOB },
  { "MYSQL_TYPE_BLOB", TSR_TYPE_BLOB },
  { "MYSQL_TYPE_VAR_STRING", TSR_TYPE_VAR_STRING },
  { "MYSQL_TYPE_STRING", TSR_TYPE_STRING },
  { "MYSQL_TYPE_GEOMETRY", TSR_TYPE_GEOMETRY },
};

guint32 tsr_lua_version_id(const char *version) {
  unsigned major = 0, minor = 0, patch = 0;
  if (sscanf(version, "%u.%u.%u", &major, &minor, &patch) < 1) return 0;
  return ((major & 0xffu) << 16) | ((minor & 0xffu) << 8) | (patch & 0xffu);
}

static void set_constants(lua_State *L) {
  for (gsize i = 0; i < G_N_ELEMENTS(constants); i++) {
    lua_pushinteger(L, constants[i].value);
    lua_setfield(L, -2, constants[i].name);
  }
  for (guint c = 0; c < TSR_COM_MAX; c++) {
    lua_pushinteger(L, c);
    lua_setfield(L, -2, tsr_command_name((guint8)c));
  }
  lua_pushinteger(L, tsr_lua_version_id(TESSERA_VERSION));
  lua_setfield(L, -2, "TESSERA_VERSION");
}

void tsr_lua_proxy_open(lua_State *L, TsrSharedStore *store, int backends_index) {
  if (backends_index < 0) backends_index = lua_gettop(L) + backends_index + 1;

  lua_createtable(L, 0, 96);
  set_constants(L);
  tsr_lua_global_push(L, store, backends_index);
  lua_setfield(L, -2, "global");
  tsr_lua_shared_helpers_push(L);
  lua_setfield(L, -2, "shared");

  lua_createtable(L, 0, 2);      /* the metatable; no connection yet */
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, -1);
  lua_setmetatable(L, -3);
  lua_insert(L, -2);
  lua_setglobal(L, "proxy");
}
