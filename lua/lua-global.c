/* lua-global.c: proxy.global and proxy.shared: the Lua face of the
 * process-wide store (lua-shared.h).
 *
 * proxy.global and every table read out of it are userdata views
 * ("tessera.global"): t.k reads t[k] from the store now, t.k = v writes it
 * now; a table read is a live view of that table. Values are booleans,
 * numbers, strings and tables of them (keys: strings, numbers, booleans);
 * a Lua table assigned is deep-copied into the store, and so is a view
 * (assigning never aliases). Anything else is refused with an error.
 *
 * proxy.shared holds the operations that need one step: incr(t, k [, n]),
 * cas(t, k, expected, new), and snapshot(t) (a plain Lua copy). */
#include <string.h>
#include "lua-private.h"
#include "lua-shared.h"

#define GLOBAL_MT "tessera.global"
#define MAX_DEPTH 64

typedef struct {
  TsrSharedTable *table;
  gboolean root;             /* proxy.global itself: has backends and config */
} GlobalView;

/* Pushes a view of t, taking the reference the caller holds. */
static void push_view(lua_State *L, TsrSharedTable *t, gboolean root) {
  GlobalView *view = lua_newuserdata(L, sizeof *view);
  view->table = t;
  view->root = root;
  luaL_getmetatable(L, GLOBAL_MT);
  lua_setmetatable(L, -2);
}

static GlobalView *check_view(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, GLOBAL_MT);
}

/* Reads the key at idx (borrowing a string's bytes). FALSE for any other
 * type, and for NaN. */
static gboolean to_key(lua_State *L, int idx, TsrSharedValue *key) {
  size_t len;
  const char *s;

  switch (lua_type(L, idx)) {
  case LUA_TSTRING:
    s = lua_tolstring(L, idx, &len);
    tsr_shared_key_string(key, s, len);
    return TRUE;
  case LUA_TNUMBER:
    if (lua_tonumber(L, idx) != lua_tonumber(L, idx)) return FALSE;
    tsr_shared_value_set_number(key, lua_tonumber(L, idx));
    return TRUE;
  case LUA_TBOOLEAN:
    tsr_shared_value_set_boolean(key, lua_toboolean(L, idx));
    return TRUE;
  default:
    return FALSE;
  }
}

/* Pushes *v, taking what it holds (*v is nil after). */
static void push_value(lua_State *L, TsrSharedValue *v) {
  switch (v->type) {
  case TSR_SHARED_NIL: lua_pushnil(L); break;
  case TSR_SHARED_BOOLEAN: lua_pushboolean(L, v->u.boolean); break;
  case TSR_SHARED_NUMBER: lua_pushnumber(L, v->u.number); break;
  case TSR_SHARED_STRING:
    lua_pushlstring(L, v->u.string, v->len);
    tsr_shared_value_clear(v);
    break;
  case TSR_SHARED_TABLE:
    push_view(L, v->u.table, FALSE);
    *v = (TsrSharedValue)TSR_SHARED_VALUE_INIT;
    break;
  }
}

/* ---- converting Lua values for the store ---- */

typedef struct {
  const void *path[MAX_DEPTH];   /* the Lua tables being converted, outermost first */
  int depth;
  char error[160];
} Convert;

static gboolean convert_value(lua_State *L, int idx, TsrSharedValue *out, Convert *cv);

static gboolean convert_table(lua_State *L, int idx, TsrSharedValue *out, Convert *cv) {
  const void *self = lua_topointer(L, idx);
  g_autoptr(TsrSharedTable) t = NULL;

  if (cv->depth == MAX_DEPTH) {
    g_snprintf(cv->error, sizeof cv->error, "tables nested deeper than %d levels cannot be shared", MAX_DEPTH);
    return FALSE;
  }
  for (int i = 0; i < cv->depth; i++) {
    if (cv->path[i] != self) continue;
    g_snprintf(cv->error, sizeof cv->error, "a table that contains itself cannot be shared");
    return FALSE;
  }
  luaL_checkstack(L, 3, "nested tables");
  cv->path[cv->depth++] = self;
  t = tsr_shared_table_new();
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    TsrSharedValue key, value = TSR_SHARED_VALUE_INIT;
    if (!to_key(L, -2, &key)) {
      g_snprintf(cv->error, sizeof cv->error, "a key of type %s cannot be shared (only strings, numbers, booleans)",
                 luaL_typename(L, -2));
      lua_pop(L, 2);
      return FALSE;
    }
    if (!convert_value(L, lua_gettop(L), &value, cv)) {
      lua_pop(L, 2);
      return FALSE;
    }
    tsr_shared_table_set(t, &key, &value);
    lua_pop(L, 1);
  }
  cv->depth--;
  tsr_shared_value_set_table(out, t);
  return TRUE;
}

/* Converts the value at idx into *out (a fresh value the caller owns).
 * FALSE with cv->error set when it cannot be shared. */
static gboolean convert_value(lua_State *L, int idx, TsrSharedValue *out, Convert *cv) {
  GlobalView *view;
  size_t len;
  const char *s;

  *out = (TsrSharedValue)TSR_SHARED_VALUE_INIT;
  switch (lua_type(L, idx)) {
  case LUA_TNIL: return TRUE;
  case LUA_TBOOLEAN: tsr_shared_value_set_boolean(out, lua_toboolean(L, idx)); return TRUE;
  case LUA_TNUMBER: tsr_shared_value_set_number(out, lua_tonumber(L, idx)); return TRUE;
  case LUA_TSTRING:
    s = lua_tolstring(L, idx, &len);
    tsr_shared_value_set_string(out, s, len);
    return TRUE;
  case LUA_TTABLE: return convert_table(L, idx, out, cv);
  case LUA_TUSERDATA:
    view = luaL_testudata(L, idx, GLOBAL_MT);
    if (view && !view->root) {
      g_autoptr(TsrSharedTable) copy = tsr_shared_table_copy(view->table);
      tsr_shared_value_set_table(out, copy);
      return TRUE;
    }
    break;
  default:
    break;
  }
  g_snprintf(cv->error, sizeof cv->error,
             "a %s value cannot be shared: proxy.global holds booleans, numbers, strings and tables of them",
             luaL_typename(L, idx));
  return FALSE;
}

/* Converts the value at idx or raises the conversion's error. */
static void convert_or_raise(lua_State *L, int idx, TsrSharedValue *out) {
  Convert cv;
  cv.depth = 0;
  cv.error[0] = '\0';
  if (!convert_value(L, idx, out, &cv)) luaL_error(L, "%s", cv.error);
}

/* Reads the key at 2 for a write; raises on a bad key or a reserved root field. */
static void check_write_key(lua_State *L, GlobalView *view, TsrSharedValue *key) {
  if (!to_key(L, 2, key))
    luaL_error(L, "proxy.global keys are strings, numbers or booleans, not %s", luaL_typename(L, 2));
  if (view->root && lua_type(L, 2) == LUA_TSTRING &&
      (strcmp(lua_tostring(L, 2), "backends") == 0 || strcmp(lua_tostring(L, 2), "config") == 0))
    luaL_error(L, "proxy.global.%s cannot be replaced (set its fields instead)", lua_tostring(L, 2));
}

/* ---- metamethods ---- */

static int global_index(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  TsrSharedValue key, value;

  if (view->root && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "backends") == 0) {
    lua_getfenv(L, 1);
    lua_getfield(L, -1, "backends");
    return 1;
  }
  if (!to_key(L, 2, &key)) {
    lua_pushnil(L);
    return 1;
  }
  tsr_shared_table_get(view->table, &key, &value);
  push_value(L, &value);
  return 1;
}

static int global_newindex(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  TsrSharedValue key, value;

  check_write_key(L, view, &key);
  convert_or_raise(L, 3, &value);
  tsr_shared_table_set(view->table, &key, &value);
  return 0;
}

static int global_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)tsr_shared_table_len(check_view(L, 1)->table));
  return 1;
}

static void push_key(lua_State *L, const TsrSharedValue *key) {
  if (key->type == TSR_SHARED_STRING) lua_pushlstring(L, key->u.string, key->len);
  else if (key->type == TSR_SHARED_NUMBER) lua_pushnumber(L, key->u.number);
  else lua_pushboolean(L, key->u.boolean);
}

/* Pushes a plain table with the view's keys and values as they are now
 * (nested tables stay views; deep: nested tables become plain copies). */
static void push_snapshot(lua_State *L, TsrSharedTable *t, gboolean deep) {
  GArray *entries = tsr_shared_table_snapshot(t);

  luaL_checkstack(L, 4, "nested tables");
  lua_createtable(L, 0, (int)entries->len);
  for (guint i = 0; i < entries->len; i++) {
    TsrSharedEntry *e = &g_array_index(entries, TsrSharedEntry, i);
    push_key(L, &e->key);
    if (deep && e->value.type == TSR_SHARED_TABLE) push_snapshot(L, e->value.u.table, TRUE);
    else push_value(L, &e->value);
    lua_rawset(L, -3);
  }
  tsr_shared_entries_free(entries);
}

/* __pairs: iterates over a snapshot (writes during the loop are not seen).
 * Upvalue 1: the base library's next. */
static int global_pairs(lua_State *L) {
  GlobalView *view = check_view(L, 1);

  lua_pushvalue(L, lua_upvalueindex(1));
  push_snapshot(L, view->table, FALSE);
  if (view->root) {
    lua_getfenv(L, 1);
    lua_getfield(L, -1, "backends");
    lua_setfield(L, -3, "backends");
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  return 3;
}

static int global_eq(lua_State *L) {
  lua_pushboolean(L, check_view(L, 1)->table == check_view(L, 2)->table);
  return 1;
}

static int global_tostring(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  if (view->root) lua_pushliteral(L, "proxy.global");
  else lua_pushfstring(L, "proxy.global table: %p", (void *)view->table);
  return 1;
}

static int global_gc(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  g_clear_pointer(&view->table, tsr_shared_table_unref);
  return 0;
}

/* ---- proxy.shared ---- */

/* proxy.shared.incr(t, key [, n]): adds n (default 1) to the number at
 * t[key] (0 when missing) in one step and returns the new value. */
static int shared_incr(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  gdouble delta = luaL_optnumber(L, 3, 1);
  TsrSharedValue key;
  TsrSharedType found;
  gdouble result;

  check_write_key(L, view, &key);
  if (!tsr_shared_table_incr(view->table, &key, delta, &result, &found)) {
    static const char *const names[] = { "nil", "boolean", "number", "string", "table" };
    const char *shown = lua_type(L, 2) == LUA_TBOOLEAN ? (lua_toboolean(L, 2) ? "true" : "false")
                                                       : lua_tostring(L, 2);
    return luaL_error(L, "proxy.shared.incr: the value at key '%s' is a %s, not a number", shown, names[found]);
  }
  lua_pushnumber(L, result);
  return 1;
}

/* proxy.shared.cas(t, key, expected, new): when t[key] is `expected` (nil,
 * a boolean, a number or a string), sets it to `new` and returns true;
 * otherwise returns false. One step. */
static int shared_cas(lua_State *L) {
  GlobalView *view = check_view(L, 1);
  TsrSharedValue key, expected = TSR_SHARED_VALUE_INIT, value;
  gboolean swapped;

  check_write_key(L, view, &key);
  if (lua_type(L, 3) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, 3, &len);
    tsr_shared_key_string(&expected, s, len);
  } else if (!lua_isnoneornil(L, 3) && !to_key(L, 3, &expected)) {
    return luaL_error(L, "proxy.shared.cas: the expected value must be nil, a boolean, a number or a string");
  }
  convert_or_raise(L, 4, &value);
  swapped = tsr_shared_table_cas(view->table, &key, &expected, &value);
  tsr_shared_value_clear(&value);
  lua_pushboolean(L, swapped);
  return 1;
}

/* proxy.shared.snapshot(t): a plain Lua copy of t and every table in it. */
static int shared_snapshot(lua_State *L) {
  push_snapshot(L, check_view(L, 1)->table, TRUE);
  return 1;
}

void tsr_lua_shared_helpers_push(lua_State *L) {
  static const luaL_Reg helpers[] = {
    { "incr", shared_incr },
    { "cas", shared_cas },
    { "snapshot", shared_snapshot },
    { "pairs", global_pairs },
    { NULL, NULL },
  };
  lua_createtable(L, 0, 4);
  lua_getglobal(L, "next");
  luaL_setfuncs(L, helpers, 1);
}

void tsr_lua_global_push(lua_State *L, TsrSharedStore *store, int backends_index) {
  static const luaL_Reg meta[] = {
    { "__index", global_index },
    { "__newindex", global_newindex },
    { "__len", global_len },
    { "__pairs", global_pairs },
    { "__eq", global_eq },
    { "__tostring", global_tostring },
    { "__gc", global_gc },
    { NULL, NULL },
  };

  if (backends_index < 0) backends_index = lua_gettop(L) + backends_index + 1;
  if (luaL_newmetatable(L, GLOBAL_MT)) {
    lua_getglobal(L, "next");
    luaL_setfuncs(L, meta, 1);
    lua_pushliteral(L, "proxy.global");
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  push_view(L, tsr_shared_table_ref(tsr_shared_store_root(store)), TRUE);
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, backends_index);
  lua_setfield(L, -2, "backends");
  lua_setfenv(L, -2);
}
