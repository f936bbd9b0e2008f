/* lua-sandbox.c: the standard libraries a VM opens, and the wrappers that
 * keep scripts inside the sandbox: what scripts may use.
 *
 * Sandboxed (the default), the VM's globals hold only:
 *   base:      assert error getmetatable setmetatable ipairs pairs next
 *              pcall xpcall print rawequal rawget rawset select tonumber
 *              tostring type unpack gcinfo _G _VERSION, and wrapped:
 *              load / loadstring   source text only (mode "t" is forced);
 *                                  the chunk's environment defaults to the
 *                                  caller's (its connection), not the VM's
 *              getfenv             as in Lua 5.1
 *              setfenv             not on level 0, C functions or
 *                                  functions of the VM's own libraries
 *              collectgarbage      "collect", "step" and "count" only
 *              pairs / ipairs      honour __pairs / __ipairs (LuaJIT is
 *                                  built without Lua 5.2 compatibility)
 *              xpcall              the handler is skipped once the
 *                                  instruction budget is spent
 *              require             built-in modules, then --lua-path
 *   string (without dump; the string metatable is hidden: getmetatable("")
 *   is false), table, math, bit, coroutine,
 *   os: clock date difftime time only,
 *   package: loaded, preload, path, cpath (no loaders, no loadlib).
 * Absent: io, debug, ffi, jit, dofile, loadfile, newproxy, module,
 * os.execute/exit/getenv/remove/rename/tmpname/setlocale.
 *
 * --lua-allow-unsafe opens every standard library as LuaJIT ships them
 * (package.path gets --lua-path in front); pairs/ipairs/xpcall are
 * wrapped as above and require still finds the built-in modules. */
#include <string.h>
#include <lualib.h>
#include "lua-private.h"

/* Marks a module whose loading is under way in package.loaded. */
static const char loading_sentinel = 0;

/* ---- loading source text ---- */

int tsr_lua_load_text(lua_State *L, const char *buff, gsize len, const char *chunkname) {
  const char *name = chunkname[0] == '@' || chunkname[0] == '=' ? chunkname + 1 : chunkname;

  if (len > 0 && buff[0] == LUA_SIGNATURE[0]) {
    lua_pushfstring(L, "%s: precompiled Lua bytecode is refused: load the script as source text", name);
    return LUA_ERRSYNTAX;
  }
  if (len > 0 && buff[0] == '#') {
    /* A "#!" line, skipped as lua(1) does; its newline stays so that line
     * numbers do not move. */
    const char *nl = memchr(buff, '\n', len);
    gsize skip = nl ? (gsize)(nl - buff) : len;
    buff += skip;
    len -= skip;
  }
  return luaL_loadbufferx(L, buff, len, chunkname, "t");
}

/* ---- wrappers of base functions ---- */

/* Pushes the environment of the innermost Lua function calling us. */
static void push_caller_env(lua_State *L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sf", &ar);
    if (ar.what[0] != 'C') {
      lua_getfenv(L, -1);
      lua_remove(L, -2);
      return;
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
}

/* load(chunk [, chunkname [, mode [, env]]]) and loadstring(s [, chunkname]):
 * LuaJIT's load with mode "t" whatever was asked. Upvalue 1: the original. */
static int safe_load(lua_State *L) {
  int has_env = lua_gettop(L) >= 4 && !lua_isnil(L, 4);

  if (has_env) luaL_checktype(L, 4, LUA_TTABLE);
  if (lua_type(L, 1) == LUA_TSTRING && lua_tostring(L, 1)[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(L);
    lua_pushliteral(L, "precompiled bytecode is refused: load source text");
    return 2;
  }
  lua_settop(L, 4);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_pushliteral(L, "t");
  lua_call(L, 3, 2);
  if (lua_isnil(L, -2)) return 2;   /* nil, message */
  lua_pop(L, 1);
  if (has_env) lua_pushvalue(L, 4);
  else push_caller_env(L);
  lua_setfenv(L, -2);
  return 1;
}

/* setfenv(f, table): not level 0 (the thread's globals), not C functions,
 * not functions whose environment is the VM's globals (library code). */
static int safe_setfenv(lua_State *L) {
  lua_Debug ar;

  luaL_checktype(L, 2, LUA_TTABLE);
  if (lua_isfunction(L, 1)) {
    lua_pushvalue(L, 1);
  } else {
    int level = luaL_checkint(L, 1);
    if (level == 0) return luaL_error(L, "setfenv(0) is not allowed in the sandbox");
    if (level < 0 || !lua_getstack(L, level, &ar)) return luaL_argerror(L, 1, "invalid level");
    lua_getinfo(L, "f", &ar);
  }
  if (lua_iscfunction(L, -1)) return luaL_error(L, "setfenv: the environment of a C function cannot be changed");
  lua_getfenv(L, -1);
  if (lua_rawequal(L, -1, LUA_GLOBALSINDEX))
    return luaL_error(L, "setfenv: the environment of a library function cannot be changed");
  lua_pop(L, 1);
  lua_pushvalue(L, 2);
  lua_setfenv(L, -2);
  return 1;
}

/* collectgarbage([opt [, arg]]): only what does not change how the VM's
 * collector runs for every connection. Upvalue 1: the original. */
static int safe_collectgarbage(lua_State *L) {
  static const char *const allowed[] = { "collect", "step", "count", NULL };
  const char *opt = luaL_optstring(L, 1, "collect");
  gboolean ok = FALSE;

  for (int i = 0; allowed[i]; i++) ok = ok || strcmp(opt, allowed[i]) == 0;
  if (!ok) return luaL_error(L, "collectgarbage(\"%s\") is not allowed in the sandbox", opt);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* The message handler of a script's xpcall, wrapped (upvalue 1). Once the
 * budget is spent, the error is passed on without running the script's
 * handler: LuaJIT runs a handler for an error raised by the count hook
 * with hooks off, so a handler that does not stop would never be stopped. */
static int handler_guard(lua_State *L) {
  TsrLuaVm *vm = tsr_lua_vm_from_state(L);
  if (vm && vm->budget_exhausted) {
    lua_settop(L, 1);
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

/* xpcall(f, handler, ...): LuaJIT's (upvalue 1) with handler_guard around
 * the handler. */
static int guarded_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checkany(L, 2);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, handler_guard, 1);
  lua_replace(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* Calls metafield `event` of the value at 1 when there is one: leaves its
 * 3 results and returns TRUE. */
static gboolean call_iter_meta(lua_State *L, const char *event) {
  if (!luaL_getmetafield(L, 1, event)) return FALSE;
  lua_pushvalue(L, 1);
  lua_call(L, 1, 3);
  return TRUE;
}

/* pairs(t): __pairs first, else next (upvalue 1), t, nil. */
static int meta_pairs(lua_State *L) {
  luaL_checkany(L, 1);
  if (call_iter_meta(L, "__pairs")) return 3;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* The ipairs step for values with metamethods: t[i] through __index. */
static int ipairs_step(lua_State *L) {
  lua_Integer i = luaL_checkinteger(L, 2) + 1;
  lua_pushinteger(L, i);
  lua_pushinteger(L, i);
  lua_gettable(L, 1);
  return lua_isnil(L, -1) ? 1 : 2;
}

/* ipairs(t): __ipairs first; a plain table uses LuaJIT's own ipairs
 * (upvalue 1); a table with a metatable or a userdata is walked with
 * metamethods (as in Lua 5.3). */
static int meta_ipairs(lua_State *L) {
  luaL_checkany(L, 1);
  if (call_iter_meta(L, "__ipairs")) return 3;
  if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  lua_settop(L, 1);
  lua_pushcfunction(L, ipairs_step);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  return 3;
}

/* Replaces global `name` by C closure fn whose upvalue 1 is the original
 * global `upvalue_of` (NULL: no upvalue). */
static void wrap_global(lua_State *L, const char *name, const char *upvalue_of, lua_CFunction fn) {
  if (upvalue_of) {
    lua_getglobal(L, upvalue_of);
    lua_pushcclosure(L, fn, 1);
  } else {
    lua_pushcfunction(L, fn);
  }
  lua_setglobal(L, name);
}

/* ---- require ---- */

/* Reads and compiles `file` as module `name`: pushes the chunk and returns
 * TRUE; returns FALSE when the file cannot be read; pushes an error message
 * and returns TRUE with *broken set when it does not compile. */
static gboolean load_module_file(lua_State *L, const char *name, const char *file, gboolean *broken) {
  g_autofree char *text = NULL;
  g_autofree char *chunkname = NULL;
  gsize len = 0;

  if (!g_file_get_contents(file, &text, &len, NULL)) return FALSE;
  chunkname = g_strconcat("@", file, NULL);
  *broken = tsr_lua_load_text(L, text, len, chunkname) != 0;
  if (*broken)
    lua_pushfstring(L, "error loading module '%s' from file '%s':\n\t%s", name, file, lua_tostring(L, -1));
  return TRUE;
}

/* Searches the ';'-separated templates of `path` for module `name`. Pushes
 * the compiled module and returns 1; returns 0 when no file is there;
 * pushes a message and returns -1 when the file found does not compile.
 * Raises no error itself (it holds heap memory). */
static int search_path(lua_State *L, const char *name, const char *path) {
  g_autofree char *file_part = g_strdelimit(g_strdup(name), ".", '/');
  g_auto(GStrv) templates = g_strsplit(path, ";", -1);

  for (int i = 0; templates[i]; i++) {
    g_auto(GStrv) parts = NULL;
    g_autofree char *file = NULL;
    gboolean broken = FALSE;

    if (!templates[i][0]) continue;
    parts = g_strsplit(templates[i], "?", -1);
    file = g_strjoinv(file_part, parts);
    if (load_module_file(L, name, file, &broken)) return broken ? -1 : 1;
  }
  return 0;
}

static gboolean is_sentinel(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == &loading_sentinel;
}

/* require(name) in the sandbox. Upvalues: package.loaded, package.preload,
 * the --lua-path string (or nil). */
static int safe_require(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  int loaded = lua_upvalueindex(1);

  lua_settop(L, 1);
  lua_getfield(L, loaded, name);
  if (is_sentinel(L, -1)) return luaL_error(L, "loop or previous error loading module '%s'", name);
  if (lua_toboolean(L, -1)) return 1;
  lua_pop(L, 1);

  lua_getfield(L, lua_upvalueindex(2), name);
  if (lua_isnil(L, -1)) {
    int found = 0;
    lua_pop(L, 1);
    if (lua_isstring(L, lua_upvalueindex(3))) found = search_path(L, name, lua_tostring(L, lua_upvalueindex(3)));
    if (found < 0) return lua_error(L);
    if (found == 0)
      return luaL_error(L, "module '%s' not found: the built-in modules are %s%s", name, tsr_lua_modules_names(),
                        lua_isstring(L, lua_upvalueindex(3)) ? ", and it is not in --lua-path"
                                                              : " (--lua-path is not set)");
  }
  lua_pushlightuserdata(L, (void *)&loading_sentinel);
  lua_setfield(L, loaded, name);
  lua_pushstring(L, name);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    lua_pushnil(L);
    lua_setfield(L, loaded, name);
    return lua_error(L);
  }
  if (!lua_isnil(L, -1)) lua_setfield(L, loaded, name);
  else lua_pop(L, 1);
  lua_getfield(L, loaded, name);
  if (is_sentinel(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, loaded, name);
  }
  return 1;
}

/* ---- opening ---- */

static void open_lib(lua_State *L, const char *name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

/* Sets every field of the table at idx that is not in `keep` to nil. */
static void keep_only(lua_State *L, int idx, const char *const *keep) {
  g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func(g_free);

  lua_pushnil(L);
  while (lua_next(L, idx)) {
    gboolean kept = FALSE;
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int i = 0; keep[i] && !kept; i++) kept = strcmp(lua_tostring(L, -1), keep[i]) == 0;
    if (!kept && lua_type(L, -1) == LUA_TSTRING) g_ptr_array_add(drop, g_strdup(lua_tostring(L, -1)));
  }
  for (guint i = 0; i < drop->len; i++) {
    lua_pushnil(L);
    lua_setfield(L, idx, g_ptr_array_index(drop, i));
  }
}

static void open_safe_libs(lua_State *L) {
  static const char *const base[] = {
    "assert", "error", "getmetatable", "setmetatable", "ipairs", "pairs", "next", "pcall", "xpcall", "print",
    "rawequal", "rawget", "rawset", "select", "tonumber", "tostring", "type", "unpack", "gcinfo", "_G", "_VERSION",
    "load", "loadstring", "getfenv", "setfenv", "collectgarbage",
    "string", "table", "math", "bit", "coroutine", "os", NULL,
  };
  static const char *const os_kept[] = { "clock", "date", "difftime", "time", NULL };

  open_lib(L, "", luaopen_base);
  open_lib(L, LUA_STRLIBNAME, luaopen_string);
  open_lib(L, LUA_TABLIBNAME, luaopen_table);
  open_lib(L, LUA_MATHLIBNAME, luaopen_math);
  open_lib(L, LUA_OSLIBNAME, luaopen_os);
  open_lib(L, LUA_BITLIBNAME, luaopen_bit);
  keep_only(L, LUA_GLOBALSINDEX, base);
  lua_getglobal(L, "os");
  keep_only(L, lua_gettop(L), os_kept);
  lua_pop(L, 1);
  lua_getglobal(L, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  /* Hide the metatable of strings: its __index is shared by every
   * connection of the VM. */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  wrap_global(L, "load", "load", safe_load);
  lua_getglobal(L, "load");
  lua_setglobal(L, "loadstring");
  wrap_global(L, "setfenv", NULL, safe_setfenv);
  wrap_global(L, "collectgarbage", "collectgarbage", safe_collectgarbage);
}

/* Makes the sandbox's package table and require. */
static void open_safe_package(lua_State *L, const char *lua_path) {
  static const char *const libs[] = { "string", "table", "math", "bit", "coroutine", "os", NULL };
  int package, loaded, preload;

  lua_createtable(L, 0, 4);
  package = lua_gettop(L);
  lua_createtable(L, 0, 16);
  loaded = lua_gettop(L);
  for (int i = 0; libs[i]; i++) {
    lua_getglobal(L, libs[i]);
    lua_setfield(L, loaded, libs[i]);
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, loaded, "_G");
  lua_createtable(L, 0, 8);
  preload = lua_gettop(L);
  tsr_lua_modules_preload(L);

  lua_pushvalue(L, loaded);
  lua_setfield(L, package, "loaded");
  lua_pushvalue(L, preload);
  lua_setfield(L, package, "preload");
  lua_pushstring(L, lua_path ? lua_path : "");
  lua_setfield(L, package, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, package, "cpath");

  lua_pushvalue(L, loaded);
  lua_pushvalue(L, preload);
  if (lua_path) lua_pushstring(L, lua_path);
  else lua_pushnil(L);
  lua_pushcclosure(L, safe_require, 3);
  lua_setglobal(L, "require");
  lua_pushvalue(L, package);
  lua_setglobal(L, "package");
  lua_settop(L, package - 1);
}

static void open_unsafe_libs(lua_State *L, const char *lua_path) {
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  tsr_lua_modules_preload(L);
  lua_pop(L, 1);
  if (lua_path) {
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s;%s", lua_path, lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void tsr_lua_sandbox_open(lua_State *L, gboolean unsafe, const char *lua_path) {
  if (unsafe) {
    open_unsafe_libs(L, lua_path);
  } else {
    open_safe_libs(L);
    open_safe_package(L, lua_path);
  }
  wrap_global(L, "xpcall", "xpcall", guarded_xpcall);
  lua_getglobal(L, "next");
  lua_pushcclosure(L, meta_pairs, 1);
  lua_setglobal(L, "pairs");
  lua_getglobal(L, "ipairs");
  lua_pushcclosure(L, meta_ipairs, 1);
  lua_setglobal(L, "ipairs");
}
