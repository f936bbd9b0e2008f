/* shard-map-load.c: running a shard map file in a sandboxed Lua state and
 * reading its groups, default group and users (the tables are read by
 * shard-map-load-tables.c). docs/sharding.md describes the format. */
#include <stdarg.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include <luajit.h>
#include "protocol/mysql-auth.h"
#include "shard-map-private.h"

/* The map file may run this many Lua instructions (in steps of
 * BUDGET_STEP) before it is stopped. */
#define BUDGET_STEP 100000
#define BUDGET_STEPS 200

/* ---- messages and field readers shared with shard-map-load-tables.c ---- */

gboolean tsr_shard_map_fail(TsrShardMapLoader *ld, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(ld->error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_INVALID, "tessera: shard map %s: %s: %s",
              ld->map->source, where, msg);
  return FALSE;
}

const char *tsr_shard_map_type_of(TsrShardMapLoader *ld, int idx) {
  return lua_typename(ld->L, lua_type(ld->L, idx));
}

static gboolean in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0) return TRUE;
  return FALSE;
}

gboolean tsr_shard_map_check_fields(TsrShardMapLoader *ld, int idx, const char *where, const char *const *allowed) {
  lua_State *L = ld->L;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING || !in_list(lua_tostring(L, -1), allowed)) {
      g_autofree char *fields = g_strjoinv(", ", (char **)allowed);
      gboolean is_string = lua_type(L, -1) == LUA_TSTRING;
      g_autofree char *name = g_strdup(is_string ? lua_tostring(L, -1) : luaL_typename(L, -1));
      lua_pop(L, 1);
      return tsr_shard_map_fail(ld, where, "unknown field %s%s%s (known fields: %s)", is_string ? "'" : "a ", name,
                                is_string ? "'" : " key", fields);
    }
  }
  return TRUE;
}

gboolean tsr_shard_map_get_string(TsrShardMapLoader *ld, int idx, const char *where, const char *field,
                                  gboolean required, const char **out) {
  lua_State *L = ld->L;
  gboolean ok = TRUE;
  lua_getfield(L, idx, field);
  *out = NULL;
  if (lua_isnil(L, -1)) {
    if (required) ok = tsr_shard_map_fail(ld, where, "the field '%s' is missing", field);
  } else if (lua_type(L, -1) != LUA_TSTRING) {
    ok = tsr_shard_map_fail(ld, where, "'%s' must be a string, not a %s", field, tsr_shard_map_type_of(ld, -1));
  } else if (lua_objlen(L, -1) == 0 || strlen(lua_tostring(L, -1)) != lua_objlen(L, -1)) {
    ok = tsr_shard_map_fail(ld, where, "'%s' must not be empty or hold NUL bytes", field);
  } else {
    *out = tsr_shard_map_intern(ld->map, lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  return ok;
}

/* ---- the sandbox ---- */

static void budget_hook(lua_State *L, lua_Debug *ar) {
  static const char key = 0;
  lua_pushlightuserdata(L, (void *)&key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_Integer used = lua_tointeger(L, -1) + 1;
  lua_pop(L, 1);
  lua_pushlightuserdata(L, (void *)&key);
  lua_pushinteger(L, used);
  lua_rawset(L, LUA_REGISTRYINDEX);
  if (used < BUDGET_STEPS) return;
  lua_getinfo(L, "Sl", ar);
  lua_pushfstring(L, "%s:%d: the shard map ran past its budget of %d Lua instructions", ar->short_src,
                  ar->currentline, BUDGET_STEP * BUDGET_STEPS);
  lua_error(L);
}

/* Opens base, table, string and math, then removes what reaches outside. */
static void open_sandbox(lua_State *L) {
  static const luaL_Reg libs[] = {
    {"", luaopen_base}, {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math}, {NULL, NULL},
  };
  static const char *const removed[] = {
    "dofile", "loadfile", "load", "loadstring", "require", "module", "print", "collectgarbage",
    "getfenv", "setfenv", "newproxy", "gcinfo", "coroutine", NULL,
  };
  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    lua_pushcfunction(L, lib->func);
    lua_pushstring(L, lib->name);
    lua_call(L, 1, 0);
  }
  for (const char *const *name = removed; *name; name++) {
    lua_pushnil(L);
    lua_setglobal(L, *name);
  }
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF); /* count hooks need the interpreter */
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, BUDGET_STEP);
}

/* Runs the chunk text[0..len) and leaves the value it returns on the stack. */
static gboolean run_chunk(TsrShardMapLoader *ld, const char *text, gsize len) {
  lua_State *L = ld->L;
  g_autofree char *chunkname = g_strconcat("@", ld->map->source, NULL);
  if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
    g_set_error(ld->error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_LUA,
                "tessera: shard map %s: precompiled Lua is refused; give the map as source text", ld->map->source);
    return FALSE;
  }
  if (luaL_loadbufferx(L, text, len, chunkname, "t") != 0 || lua_pcall(L, 0, 1, 0) != 0) {
    g_set_error(ld->error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_LUA, "tessera: shard map %s", lua_tostring(L, -1));
    return FALSE;
  }
  if (!lua_istable(L, -1))
    return tsr_shard_map_fail(ld, "the file", "it must return a table (return { groups = ..., tables = ... }), not a %s",
                              tsr_shard_map_type_of(ld, -1));
  return TRUE;
}

/* ---- groups ---- */

static gboolean valid_name(const char *s) {
  for (; *s; s++)
    if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-' && *s != '.') return FALSE;
  return TRUE;
}

/* "host:port", "[v6]:port" or "/socket/path". */
static gboolean valid_address(const char *a) {
  const char *colon = strrchr(a, ':');
  guint64 port;
  if (a[0] == '/') return TRUE;
  if (!colon || colon == a) return FALSE;
  if (a[0] == '[' && colon[-1] != ']') return FALSE;
  if (a[0] != '[' && memchr(a, ':', (gsize)(colon - a))) return FALSE;
  return g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL);
}

static gboolean read_address(TsrShardMapLoader *ld, const char *where, const char *a) {
  if (valid_address(a)) return TRUE;
  return tsr_shard_map_fail(ld, where, "'%s' is not an address: write \"host:port\", \"[ipv6]:port\" or a socket path", a);
}

static gboolean read_replicas(TsrShardMapLoader *ld, TsrShardGroup *g, const char *where) {
  lua_State *L = ld->L;
  lua_getfield(L, -1, "replicas");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    g->replicas = tsr_shard_map_alloc(ld->map, sizeof(char *));
    return TRUE;
  }
  g_autofree char *rw = g_strconcat(where, ".replicas", NULL);
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (!lua_istable(L, -1)) return tsr_shard_map_fail(ld, rw, "must be a list of addresses, not a %s", tsr_shard_map_type_of(ld, -1));
  const char **list = tsr_shard_map_alloc(ld->map, (n + 1) * sizeof(char *));
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    gboolean ok = lua_type(L, -1) == LUA_TSTRING;
    if (ok) list[i] = tsr_shard_map_intern(ld->map, lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!ok) return tsr_shard_map_fail(ld, rw, "entry %u must be an address string", i + 1);
    if (!read_address(ld, rw, list[i])) return FALSE;
  }
  lua_pop(L, 1);
  g->replicas = list;
  g->n_replicas = n;
  return TRUE;
}

static gboolean read_group(TsrShardMapLoader *ld, TsrShardGroup *g) {
  static const char *const fields[] = {"primary", "replicas", NULL};
  g_autofree char *where = g_strconcat("groups.", g->name, NULL);
  if (!lua_istable(ld->L, -1))
    return tsr_shard_map_fail(ld, where, "must be a table { primary = \"host:port\" }, not a %s", tsr_shard_map_type_of(ld, -1));
  return tsr_shard_map_check_fields(ld, -1, where, fields) &&
         tsr_shard_map_get_string(ld, -1, where, "primary", TRUE, &g->primary) &&
         read_address(ld, where, g->primary) && read_replicas(ld, g, where);
}

static gint cmp_group_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gboolean load_groups(TsrShardMapLoader *ld, int map_idx) {
  lua_State *L = ld->L;
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  lua_getfield(L, map_idx, "groups");
  if (lua_isnil(L, -1))
    return tsr_shard_map_fail(ld, "groups", "missing: the map needs groups = { name = { primary = \"host:port\" } }");
  if (!lua_istable(L, -1)) return tsr_shard_map_fail(ld, "groups", "must be a table of groups, not a %s", tsr_shard_map_type_of(ld, -1));
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING || !valid_name(lua_tostring(L, -1)) || lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      return tsr_shard_map_fail(ld, "groups", "group names must be words of letters, digits, '_', '-' and '.' (groups = { g1 = {...} })");
    }
    g_ptr_array_add(names, (gpointer)tsr_shard_map_intern(ld->map, lua_tostring(L, -1)));
  }
  if (names->len == 0) return tsr_shard_map_fail(ld, "groups", "the map needs at least one group");
  g_ptr_array_sort(names, cmp_group_names);
  ld->map->groups = tsr_shard_map_alloc(ld->map, names->len * sizeof(TsrShardGroup));
  ld->map->n_groups = names->len;
  for (guint i = 0; i < names->len; i++) {
    TsrShardGroup *g = &ld->map->groups[i];
    g->name = names->pdata[i];
    g->index = i;
    lua_getfield(L, -1, g->name);
    if (!read_group(ld, g)) return FALSE;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return TRUE;
}

static gboolean load_default_group(TsrShardMapLoader *ld, int map_idx) {
  const char *name;
  const TsrShardGroup *g;
  if (!tsr_shard_map_get_string(ld, map_idx, "the map", "default_group", FALSE, &name)) return FALSE;
  if (!name) {
    if (ld->map->n_groups == 1) return TRUE;
    return tsr_shard_map_fail(ld, "default_group", "the map has several groups: name the one that holds the tables it does not list");
  }
  g = tsr_shard_map_find_group(ld->map, name);
  if (!g) return tsr_shard_map_fail(ld, "default_group", "there is no group '%s'", name);
  ld->map->default_group = g->index;
  return TRUE;
}

/* ---- users ---- */

static gboolean read_user_secret(TsrShardMapLoader *ld, TsrShardUser *u, const char *where) {
  const char *hash;
  g_autoptr(GError) local = NULL;
  if (!tsr_shard_map_get_string(ld, -1, where, "password_hash", FALSE, &hash)) return FALSE;
  lua_getfield(ld->L, -1, "password");
  if (lua_type(ld->L, -1) == LUA_TSTRING) u->password = tsr_shard_map_intern(ld->map, lua_tostring(ld->L, -1));
  gboolean bad_type = !lua_isnil(ld->L, -1) && lua_type(ld->L, -1) != LUA_TSTRING;
  lua_pop(ld->L, 1);
  if (bad_type) return tsr_shard_map_fail(ld, where, "'password' must be a string");
  if (!u->password == !hash) return tsr_shard_map_fail(ld, where, "give either 'password' or 'password_hash'");
  if (hash) {
    if (!tsr_native_hash_parse(hash, u->hash, &local))
      return tsr_shard_map_fail(ld, where, "'password_hash' must be '*' and 40 hex digits, as in mysql.user");
    u->has_hash = TRUE;
  } else if (u->password[0]) {
    tsr_native_hash(u->hash, u->password, strlen(u->password));
    u->has_hash = TRUE;
  }
  return TRUE;
}

static gboolean read_user(TsrShardMapLoader *ld, TsrShardUser *u, guint i) {
  static const char *const fields[] = {"user", "password", "password_hash", "backend_user", "backend_password", NULL};
  g_autofree char *where = g_strdup_printf("users[%u]", i + 1);
  if (!lua_istable(ld->L, -1)) return tsr_shard_map_fail(ld, where, "must be a table { user = ..., password = ... }");
  if (!tsr_shard_map_check_fields(ld, -1, where, fields) ||
      !tsr_shard_map_get_string(ld, -1, where, "user", TRUE, &u->user) || !read_user_secret(ld, u, where) ||
      !tsr_shard_map_get_string(ld, -1, where, "backend_user", FALSE, &u->backend_user))
    return FALSE;
  lua_getfield(ld->L, -1, "backend_password");
  if (lua_type(ld->L, -1) == LUA_TSTRING) u->backend_password = tsr_shard_map_intern(ld->map, lua_tostring(ld->L, -1));
  gboolean bad = !lua_isnil(ld->L, -1) && lua_type(ld->L, -1) != LUA_TSTRING;
  lua_pop(ld->L, 1);
  if (bad) return tsr_shard_map_fail(ld, where, "'backend_password' must be a string");
  if (!u->backend_user) u->backend_user = u->user;
  if (tsr_shard_map_find_user(ld->map, u->user) != u) return tsr_shard_map_fail(ld, where, "user '%s' is listed twice", u->user);
  return TRUE;
}

static gboolean load_users(TsrShardMapLoader *ld, int map_idx) {
  lua_State *L = ld->L;
  guint n;
  lua_getfield(L, map_idx, "users");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return TRUE;
  }
  if (!lua_istable(L, -1)) return tsr_shard_map_fail(ld, "users", "must be a list of users, not a %s", tsr_shard_map_type_of(ld, -1));
  n = (guint)lua_objlen(L, -1);
  ld->map->users = tsr_shard_map_alloc(ld->map, n * sizeof(TsrShardUser));
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    ld->map->n_users = i + 1;
    if (!read_user(ld, &ld->map->users[i], i)) return FALSE;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return TRUE;
}

/* ---- the whole map ---- */

static gboolean load_map(TsrShardMapLoader *ld, const char *text, gsize len) {
  static const char *const fields[] = {"groups", "default_group", "users", "tables", NULL};
  if (!run_chunk(ld, text, len)) return FALSE;
  int idx = lua_gettop(ld->L);
  if (!tsr_shard_map_check_fields(ld, idx, "the map", fields) || !load_groups(ld, idx) ||
      !load_default_group(ld, idx) || !load_users(ld, idx))
    return FALSE;
  lua_getfield(ld->L, idx, "tables");
  gboolean ok = lua_isnil(ld->L, -1) || tsr_shard_map_load_tables(ld, lua_gettop(ld->L));
  lua_pop(ld->L, 1);
  return ok;
}

TsrShardMap *tsr_shard_map_load_string(const char *text, gsize len, const char *name, GError **error) {
  TsrShardMapLoader ld = {luaL_newstate(), tsr_shard_map_new(name), error};
  gboolean ok;
  if (!ld.L) {
    g_set_error(error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_LUA, "tessera: shard map %s: cannot create a Lua state", name);
    tsr_shard_map_unref(ld.map);
    return NULL;
  }
  open_sandbox(ld.L);
  ok = load_map(&ld, text, len);
  lua_close(ld.L);
  if (!ok) g_clear_pointer(&ld.map, tsr_shard_map_unref);
  return ld.map;
}

TsrShardMap *tsr_shard_map_load_file(const char *path, GError **error) {
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(path, &text, &len, &local)) {
    g_set_error(error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_FILE, "tessera: shard map: %s", local->message);
    return NULL;
  }
  return tsr_shard_map_load_string(text, len, path, error);
}
