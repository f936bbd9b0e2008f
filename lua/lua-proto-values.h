/* lua-proto-values.h: binary protocol values to and from Lua (internal to
 * mysql.proto; see lua-proto-values.c for the Lua forms). */
#ifndef TESSERA_LUA_PROTO_VALUES_H
#define TESSERA_LUA_PROTO_VALUES_H

#include <lua.h>
#include "protocol/mysql-resultset.h"

/* Pushes v's value: a number, a string, or nil for NULL and long data. */
void tsr_lua_push_binary_value(lua_State *L, const TsrValue *v);

/* Reads the table { type = n, value = x, unsigned = b } at idx into *v
 * (param is its 1-based position, for messages). String values point into
 * Lua strings that the table keeps alive. Raises a Lua error on a bad
 * table. */
void tsr_lua_check_binary_value(lua_State *L, int idx, TsrValue *v, int param);

#endif
