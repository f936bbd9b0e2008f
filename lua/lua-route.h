/* lua-route.h: the read_route(route) hook of a script: a session layer's
 * routing decision (core/session-hooks.h, TsrRouteView) as a Lua table the
 * script may change (docs/lua-api.md, "read_route"). Not for use outside
 * lua/. */
#ifndef TESSERA_LUA_ROUTE_H
#define TESSERA_LUA_ROUTE_H

#include <glib.h>
#include "core/session-hooks.h"
#include "lua/lua-env.h"

/* Calls the script's read_route in env with the route table made from
 * `view`, and copies what the script changed back into view: the steps
 * (new TsrRouteStepView entries with g_malloc'd strings replace view->steps'
 * content, freed by the array's own free function) and view->refuse
 * (g_strdup'd; the caller frees it). Returns TSR_HOOK_DEFAULT (also when
 * env has no read_route), or TSR_HOOK_ERROR with *error set when the hook
 * raised an error or left a route table that cannot be read (view is then
 * unchanged). */
TsrHookAction tsr_lua_route_run(TsrLuaEnv *env, TsrRouteView *view, GError **error);

#endif
