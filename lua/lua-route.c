/* lua-route.c: read_route(route), the script's say in a routing decision
 * (see lua-route.h and docs/lua-api.md).
 *
 * The route table:
 *   query      the client's statement (a prepared one's text, with its ?)
 *   params     the bound values' count of a COM_STMT_EXECUTE; nil for text
 *   kind       "shards", "session", "transaction", "last" or "local"
 *   write      the statement writes
 *   merge      the steps' rows are combined into one answer
 *   steps      { { group =, shard = n or nil, sql = }, ... }
 *   statement  mysql.sql.parse(query)[1], parsed when first read; false when
 *              the query does not parse (statement_error has the message)
 * and what the script sets: steps[i].group / .sql / .shard, steps itself,
 * refuse = "message" (or true).
 *
 * Three steps, each protected: the table is made, the hook called, the
 * table read back (raw reads only: a script cannot make them raise). */
#include <string.h>
#include "lua-private.h"
#include "lua-route.h"

#define ROUTE_MT "tessera.route"

typedef struct {
  TsrRouteView *view;
  int ref;              /* the route table, in the registry */
  GPtrArray *steps;     /* read back: TsrRouteStepView * */
  char *refuse;         /* read back */
  char *problem;        /* what cannot be read back, or NULL */
} RouteCall;

static void step_free(gpointer data) {
  TsrRouteStepView *v = data;
  g_free(v->group);
  g_free(v->sql);
  g_free(v);
}

/* ---- route.statement ---- */

/* __index of route tables: statement and statement_error, parsed once
 * from route.query. Anything else is nil. */
static int route_index(lua_State *L) {
  const char *key;
  gboolean want_error;

  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  key = lua_tostring(L, 2);
  want_error = strcmp(key, "statement_error") == 0;
  if (!want_error && strcmp(key, "statement") != 0) return 0;
  lua_pushliteral(L, "statement");
  lua_rawget(L, 1);
  if (!lua_isnil(L, -1)) return want_error ? 0 : 1;   /* parsed already, without error */
  lua_pop(L, 1);

  lua_pushliteral(L, "query");
  lua_rawget(L, 1);
  if (lua_type(L, -1) != LUA_TSTRING) {
    lua_pop(L, 1);
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "route.query is not a string");
  } else {
#ifdef TSR_HAVE_SQL_LEXER
    lua_pushcfunction(L, tsr_lua_sql_parse);
    lua_insert(L, -2);
    lua_call(L, 1, 2);
    if (lua_istable(L, -2)) {
      lua_pop(L, 1);
      lua_rawgeti(L, -1, 1);
      lua_remove(L, -2);
      lua_pushnil(L);
    } else {
      lua_pushboolean(L, 0);
      lua_replace(L, -3);
    }
#else
    lua_pop(L, 1);
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "tessera was built without the SQL parser");
#endif
  }
  /* stack: statement (or false), error (or nil) */
  lua_pushliteral(L, "statement_error");
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  lua_pushliteral(L, "statement");
  lua_pushvalue(L, -3);
  lua_rawset(L, 1);
  if (!want_error) lua_pop(L, 1);
  return 1;
}

/* Pushes the metatable of route tables (one per VM, hidden). */
static void push_route_mt(lua_State *L) {
  if (luaL_newmetatable(L, ROUTE_MT)) {
    lua_pushcfunction(L, route_index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
}

/* ---- the table ---- */

static void set_step(lua_State *L, const TsrRouteStepView *v) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, v->group ? v->group : "");
  lua_setfield(L, -2, "group");
  if (v->shard >= 0) {
    lua_pushinteger(L, v->shard);
    lua_setfield(L, -2, "shard");
  }
  lua_pushstring(L, v->sql ? v->sql : "");
  lua_setfield(L, -2, "sql");
}

/* Protected: makes the route table of rc->view and keeps it in rc->ref. */
static void build_route(lua_State *L, gpointer data) {
  RouteCall *rc = data;
  const TsrRouteView *view = rc->view;

  lua_createtable(L, 0, 8);
  lua_pushlstring(L, view->query ? view->query : "", view->query ? view->query_len : 0);
  lua_setfield(L, -2, "query");
  if (view->n_params >= 0) {
    lua_pushinteger(L, view->n_params);
    lua_setfield(L, -2, "params");
  }
  lua_pushstring(L, view->kind ? view->kind : "");
  lua_setfield(L, -2, "kind");
  lua_pushboolean(L, view->write);
  lua_setfield(L, -2, "write");
  lua_pushboolean(L, view->merge);
  lua_setfield(L, -2, "merge");
  lua_createtable(L, (int)view->steps->len, 0);
  for (guint i = 0; i < view->steps->len; i++) {
    set_step(L, view->steps->pdata[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "steps");
  push_route_mt(L);
  lua_setmetatable(L, -2);
  rc->ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* ---- reading it back ---- */

/* The string at t[field] (t on top of the stack), or NULL when it is not a
 * string or holds a NUL byte. */
static const char *raw_string(lua_State *L, const char *field, size_t *len) {
  const char *s;
  lua_pushstring(L, field);
  lua_rawget(L, -2);
  s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : NULL;
  lua_pop(L, 1);   /* the table still holds the string */
  return s && memchr(s, '\0', *len) == NULL ? s : NULL;
}

/* Reads route.steps[i] (on top of the stack) into a new step view, or
 * sets rc->problem and returns NULL. */
static TsrRouteStepView *read_step(lua_State *L, RouteCall *rc, int i) {
  TsrRouteStepView *v;
  const char *group, *sql;
  size_t group_len = 0, sql_len = 0;
  lua_Number shard = -1;

  if (!lua_istable(L, -1)) {
    rc->problem = g_strdup_printf("read_route: route.steps[%d] is %s, not a step table", i, luaL_typename(L, -1));
    return NULL;
  }
  group = raw_string(L, "group", &group_len);
  sql = raw_string(L, "sql", &sql_len);
  if (!group) {
    rc->problem = g_strdup_printf("read_route: route.steps[%d].group must be the name of a group of the shard map", i);
    return NULL;
  }
  if (!sql) {
    rc->problem = g_strdup_printf("read_route: route.steps[%d].sql must be a string (the SQL run there)", i);
    return NULL;
  }
  lua_pushliteral(L, "shard");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TNUMBER) shard = lua_tonumber(L, -1);
  if ((!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TNUMBER) || shard < -1 || shard > G_MAXINT ||
      shard != (lua_Number)(gint)shard) {
    lua_pop(L, 1);
    rc->problem = g_strdup_printf("read_route: route.steps[%d].shard must be a shard number or nil", i);
    return NULL;
  }
  lua_pop(L, 1);
  v = g_new0(TsrRouteStepView, 1);
  v->group = g_strndup(group, group_len);
  v->shard = (gint)shard;
  v->sql = g_strndup(sql, sql_len);
  return v;
}

static gboolean same_steps(const GPtrArray *a, const GPtrArray *b) {
  if (a->len != b->len) return FALSE;
  for (guint i = 0; i < a->len; i++) {
    const TsrRouteStepView *x = a->pdata[i], *y = b->pdata[i];
    if (x->shard != y->shard || g_strcmp0(x->group, y->group) != 0 || g_strcmp0(x->sql, y->sql) != 0) return FALSE;
  }
  return TRUE;
}

/* Protected: reads route.refuse and route.steps into rc (or rc->problem). */
static void read_back(lua_State *L, gpointer data) {
  RouteCall *rc = data;
  size_t len;
  int n;

  lua_rawgeti(L, LUA_REGISTRYINDEX, rc->ref);
  lua_pushliteral(L, "refuse");
  lua_rawget(L, -2);
  switch (lua_type(L, -1)) {
  case LUA_TNIL:
    break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, -1)) rc->refuse = g_strdup("tessera: the proxy script refused this statement in read_route");
    break;
  case LUA_TSTRING:
    rc->refuse = g_strdup(lua_tolstring(L, -1, &len));
    break;
  default:
    rc->problem = g_strdup_printf("read_route: route.refuse must be a message (a string) or true, not %s",
                                  luaL_typename(L, -1));
    break;
  }
  lua_pop(L, 1);
  if (rc->refuse || rc->problem) {
    lua_pop(L, 1);
    return;
  }

  lua_pushliteral(L, "steps");
  lua_rawget(L, -2);
  if (!lua_istable(L, -1)) {
    rc->problem = g_strdup_printf("read_route: route.steps must be a table of steps, not %s", luaL_typename(L, -1));
    lua_pop(L, 2);
    return;
  }
  n = (int)lua_objlen(L, -1);
  rc->steps = g_ptr_array_new_full((guint)n, step_free);
  for (int i = 1; i <= n; i++) {
    TsrRouteStepView *v;
    lua_rawgeti(L, -1, i);
    v = read_step(L, rc, i);
    lua_pop(L, 1);
    if (!v) break;
    g_ptr_array_add(rc->steps, v);
  }
  lua_pop(L, 2);
  if (!rc->problem && g_strcmp0(rc->view->kind, "shards") != 0 && !same_steps(rc->steps, rc->view->steps))
    rc->problem = g_strdup_printf("read_route: the steps of a '%s' plan cannot be changed (only those of a "
                                  "'shards' plan); refuse the statement instead", rc->view->kind);
}

/* Moves the steps read back into the view. */
static void apply(RouteCall *rc) {
  TsrRouteView *view = rc->view;
  if (rc->refuse) {
    g_free(view->refuse);
    view->refuse = g_steal_pointer(&rc->refuse);
    return;
  }
  g_ptr_array_set_size(view->steps, 0);
  for (guint i = 0; i < rc->steps->len; i++) g_ptr_array_add(view->steps, rc->steps->pdata[i]);
  g_ptr_array_set_free_func(rc->steps, NULL);
}

TsrHookAction tsr_lua_route_run(TsrLuaEnv *env, TsrRouteView *view, GError **error) {
  RouteCall rc = { view, LUA_NOREF, NULL, NULL, NULL };
  TsrHookAction action = TSR_HOOK_ERROR;
  lua_State *L;
  TsrLuaCall call;

  if (!tsr_lua_env_has_hook(env, TSR_LUA_HOOK_READ_ROUTE)) return TSR_HOOK_DEFAULT;
  if (!tsr_lua_env_protect(env, build_route, &rc, error)) return TSR_HOOK_ERROR;
  L = tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_ROUTE);
  if (!L) {
    action = TSR_HOOK_DEFAULT;
  } else {
    lua_rawgeti(L, LUA_REGISTRYINDEX, rc.ref);
    if (tsr_lua_call_finish(&call, 1, NULL, error) && tsr_lua_env_protect(env, read_back, &rc, error)) {
      if (rc.problem) {
        g_set_error_literal(error, TSR_LUA_ERROR, TSR_LUA_ERROR_RUNTIME, rc.problem);
      } else {
        apply(&rc);
        action = TSR_HOOK_DEFAULT;
      }
    }
  }
  luaL_unref(env->vm->L, LUA_REGISTRYINDEX, rc.ref);
  if (rc.steps) g_ptr_array_unref(rc.steps);
  g_free(rc.refuse);
  g_free(rc.problem);
  return action;
}
