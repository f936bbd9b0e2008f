/* test-lua.c: the Lua runtime: VMs, connection environments, hook calls,
 * the instruction budget, loading and reload, the sandbox; and the test
 * scripts of this directory (constants, sandbox, global, backends,
 * modules), one g_test case per test_* function. */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <lauxlib.h>
#include "lua-test-util.h"
#include "lua/lua-private.h"
#include "tessera-config.h"

/* Calls read_query(packet) in env; returns TRUE and the decision, or FALSE
 * with *error. Fails the test when env has no read_query. */
static gboolean call_read_query(TsrLuaEnv *env, const char *packet, int *decision, GError **error) {
  TsrLuaCall call;
  lua_State *L = tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY);
  g_assert_nonnull(L);
  lua_pushstring(L, packet);
  return tsr_lua_call_finish(&call, 1, decision, error);
}

static int read_query_ok(TsrLuaEnv *env, const char *packet) {
  GError *error = NULL;
  int decision = -1;
  g_assert_true(call_read_query(env, packet, &decision, &error));
  g_assert_no_error(error);
  return decision;
}

/* Returns tostring(<expr>) evaluated in env's globals. */
static char *env_get(TsrLuaVm *vm, TsrLuaEnv *env, const char *expr) {
  g_autofree char *code = g_strdup_printf("return %s", expr);
  return tsr_lua_test_eval_ok(vm, env, code);
}

#define assert_env_value(vm, env, expr, want) \
  do { \
    g_autofree char *got_ = env_get(vm, env, expr); \
    g_assert_cmpstr(got_, ==, want); \
  } while (0)

/* ---- environments ---- */

static void test_env_isolation(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm("env.lua", FALSE);
  GError *error = NULL;
  TsrLuaEnv *a = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)"conn-a", &error);
  TsrLuaEnv *b;
  lua_State *L = tsr_lua_vm_state(vm);
  int top = lua_gettop(L);

  g_assert_no_error(error);
  b = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)"conn-b", &error);
  g_assert_no_error(error);

  read_query_ok(a, "name alice");
  read_query_ok(b, "name bob");
  read_query_ok(a, "plain");
  read_query_ok(a, "leak secret");
  assert_env_value(vm, a, "name", "alice");
  assert_env_value(vm, b, "name", "bob");
  /* top-level locals are per connection too */
  read_query_ok(b, "plain");
  assert_env_value(vm, a, "proxy.response.queries", "3");
  assert_env_value(vm, b, "proxy.response.queries", "2");
  /* _G of a connection is its own environment */
  assert_env_value(vm, a, "leaked", "secret");
  assert_env_value(vm, b, "leaked", "nil");
  assert_env_value(vm, b, "getmetatable(_G).__index.leaked", "nil");
  /* proxy.response and proxy.connection are per connection */
  assert_env_value(vm, a, "proxy.response.seen", "leak secret");
  assert_env_value(vm, b, "proxy.response.seen", "plain");
  assert_env_value(vm, a, "proxy.response.conn", "conn-a");
  assert_env_value(vm, b, "proxy.response.conn", "conn-b");
  /* proxy.global is shared */
  read_query_ok(a, "shared");
  read_query_ok(b, "shared");
  assert_env_value(vm, a, "proxy.global.queries", "2");
  /* a new proxy.* field written by a script stays in its connection */
  g_free(tsr_lua_test_eval_ok(vm, a, "proxy.custom = 'mine'"));
  assert_env_value(vm, a, "proxy.custom", "mine");
  assert_env_value(vm, b, "proxy.custom", "nil");
  g_assert_cmpint(lua_gettop(L), ==, top);

  tsr_lua_env_free(a);
  tsr_lua_env_free(b);
}

static void test_env_hooks_and_decisions(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm("env.lua", FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);
  TsrLuaCall call;
  int decision = -1;

  g_assert_no_error(error);
  g_assert_true(tsr_lua_env_has_hook(env, TSR_LUA_HOOK_READ_QUERY));
  g_assert_true(tsr_lua_env_has_hook(env, TSR_LUA_HOOK_READ_QUERY_RESULT));
  g_assert_false(tsr_lua_env_has_hook(env, TSR_LUA_HOOK_CONNECT_SERVER));
  g_assert_false(tsr_lua_env_has_hook(env, TSR_LUA_HOOK_DISCONNECT_CLIENT));
  g_assert_null(tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_CONNECT_SERVER));
  g_assert_cmpstr(tsr_lua_hook_name(TSR_LUA_HOOK_READ_AUTH_RESULT), ==, "read_auth_result");

  g_assert_cmpint(read_query_ok(env, "send"), ==, TSR_PROXY_SEND_RESULT);
  g_assert_cmpint(read_query_ok(env, "plain"), ==, TSR_PROXY_NO_DECISION);
  g_assert_cmpint(read_query_ok(env, "str"), ==, 2);       /* numeric strings count, as in 0.8 */
  g_assert_cmpint(read_query_ok(env, "bool"), ==, TSR_PROXY_NO_DECISION);

  g_assert_nonnull(tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY_RESULT));
  lua_pushnil(tsr_lua_vm_state(vm));
  g_assert_true(tsr_lua_call_finish(&call, 1, &decision, &error));
  g_assert_cmpint(decision, ==, TSR_PROXY_IGNORE_RESULT);

  /* a cancelled call leaves the stack clean */
  g_assert_nonnull(tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY));
  tsr_lua_call_cancel(&call);
  g_assert_cmpint(lua_gettop(tsr_lua_vm_state(vm)), ==, 0);
  tsr_lua_env_free(env);
}

/* In protected mode: reads proxy.connection.id through the VM's `proxy`. */
static void read_connection_id(lua_State *L, gpointer data) {
  lua_getglobal(L, "proxy");
  lua_getfield(L, -1, "connection");
  lua_getfield(L, -1, "id");
  *(char **)data = g_strdup(lua_tostring(L, -1));
  lua_pop(L, 3);
}

static void test_env_protect_points_proxy(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm("env.lua", FALSE);
  GError *error = NULL;
  TsrLuaEnv *a = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)"conn-a", &error);
  TsrLuaEnv *b = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)"conn-b", &error);
  g_autofree char *id_a = NULL, *id_b = NULL;

  g_assert_no_error(error);
  read_query_ok(b, "plain");   /* proxy.* now points at b */
  g_assert_true(tsr_lua_env_protect(a, read_connection_id, &id_a, &error));
  g_assert_true(tsr_lua_env_protect(b, read_connection_id, &id_b, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(id_a, ==, "conn-a");
  g_assert_cmpstr(id_b, ==, "conn-b");
  tsr_lua_env_free(a);
  tsr_lua_env_free(b);
}

static void test_env_without_script(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(NULL, FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);

  g_assert_no_error(error);
  g_assert_false(tsr_lua_vm_has_script(vm));
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 0);
  for (int h = 0; h < TSR_LUA_HOOK_MAX; h++) g_assert_false(tsr_lua_env_has_hook(env, (TsrLuaHook)h));
  g_assert_false(tsr_lua_vm_check_reload(vm));
  tsr_lua_env_free(env);
}

/* ---- errors ---- */

static void assert_call_error(TsrLuaEnv *env, const char *packet, TsrLuaErrorCode code, const char *want) {
  GError *error = NULL;
  g_assert_false(call_read_query(env, packet, NULL, &error));
  g_assert_error(error, TSR_LUA_ERROR, (gint)code);
  if (!strstr(error->message, want)) g_error("error '%s' does not contain '%s'", error->message, want);
  g_clear_error(&error);
}

static void test_errors_name_file_and_line(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm("env.lua", FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);

  g_assert_no_error(error);
  assert_call_error(env, "fail", TSR_LUA_ERROR_RUNTIME, "env.lua:11: attempt to index local 'missing' (a nil value)");
  assert_call_error(env, "raise", TSR_LUA_ERROR_RUNTIME, "env.lua:12: raised on purpose");
  /* errors without a position (error(msg, 0), C functions) get the script's */
  assert_call_error(env, "raise0", TSR_LUA_ERROR_RUNTIME, "env.lua:13: no position");
  assert_call_error(env, "cfail", TSR_LUA_ERROR_RUNTIME, "env.lua:14: bad argument #1 to 'rep'");
  /* the connection still works after errors */
  g_assert_cmpint(read_query_ok(env, "send"), ==, TSR_PROXY_SEND_RESULT);
  g_assert_cmpint(lua_gettop(tsr_lua_vm_state(vm)), ==, 0);
  tsr_lua_env_free(env);
}

static void test_error_in_top_level(void) {
  g_autofree char *dir = g_dir_make_tmp("tsr-lua-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "top.lua", NULL);
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;

  g_assert_true(g_file_set_contents(path, "-- line 1\nlocal x = nil\nx.y = 1\n", -1, NULL));
  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_null(vm);
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_RUNTIME);
  g_assert_nonnull(strstr(error->message, "top.lua:3: attempt to index local 'x'"));
  g_clear_error(&error);

  settings.script_path = "/nonexistent/tessera.lua";
  g_assert_null(tsr_lua_vm_new(&settings, &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD);
  g_assert_nonnull(strstr(error->message, "/nonexistent/tessera.lua"));
  g_clear_error(&error);
  g_unlink(path);
  g_rmdir(dir);
}

/* ---- loading ---- */

/* Returns LuaJIT bytecode of a small function, made by an unsafe VM. */
static GBytes *make_bytecode(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(NULL, TRUE);
  lua_State *L = tsr_lua_vm_state(vm);
  size_t len;
  const char *s;
  GBytes *bytes;

  g_assert_cmpint(luaL_dostring(L, "return string.dump(function() return 42 end)"), ==, 0);
  s = lua_tolstring(L, -1, &len);
  g_assert_cmpint(s[0], ==, 0x1b);
  bytes = g_bytes_new(s, len);
  lua_pop(L, 1);
  return bytes;
}

static void test_load_refuses_bytecode(void) {
  g_autoptr(GBytes) bytecode = make_bytecode();
  g_autofree char *dir = g_dir_make_tmp("tsr-lua-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "compiled.lua", NULL);
  g_autoptr(TsrLuaVm) safe = tsr_lua_test_vm(NULL, FALSE);
  g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;
  lua_State *L = tsr_lua_vm_state(safe);
  TsrLuaSettings settings;
  GError *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data(bytecode, &len);

  /* as the script */
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  g_assert_null(tsr_lua_vm_new(&settings, &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD);
  g_assert_nonnull(strstr(error->message, "bytecode is refused"));
  g_clear_error(&error);
  settings.allow_unsafe = TRUE;   /* even when unsafe */
  g_assert_null(tsr_lua_vm_new(&settings, &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD);
  g_clear_error(&error);

  /* through load, loadstring and a reader function, whatever the mode */
  lua_pushlstring(L, data, len);
  lua_setglobal(L, "bytecode");
  r1 = tsr_lua_test_eval_ok(safe, NULL, "return select(2, load(bytecode, 'b', 'b'))");
  g_assert_nonnull(strstr(r1, "bytecode is refused"));
  r2 = tsr_lua_test_eval_ok(safe, NULL, "return select(2, loadstring(bytecode))");
  g_assert_nonnull(strstr(r2, "bytecode is refused"));
  r3 = tsr_lua_test_eval_ok(safe, NULL,
                            "local done = false\n"
                            "return select(2, load(function() if done then return nil end done = true "
                            "return bytecode end, 'reader', 'bt'))");
  g_assert_nonnull(strstr(r3, "wrong mode"));   /* LuaJIT's own message for a reader */
  g_unlink(path);
  g_rmdir(dir);
}

static void test_load_shebang_and_syntax(void) {
  g_autofree char *dir = g_dir_make_tmp("tsr-lua-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "s.lua", NULL);
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;
  TsrLuaEnv *env;

  g_assert_true(g_file_set_contents(path, "#!/usr/bin/env lua\nfunction read_query() error('x') end\n", -1, NULL));
  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_no_error(error);
  assert_call_error(env, "q", TSR_LUA_ERROR_RUNTIME, "s.lua:2: x");   /* line numbers kept */
  tsr_lua_env_free(env);
  tsr_lua_vm_free(vm);

  g_assert_true(g_file_set_contents(path, "function read_query()\n  return 1 +\nend\n", -1, NULL));
  g_assert_null(tsr_lua_vm_new(&settings, &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD);
  g_assert_nonnull(strstr(error->message, "s.lua:3:"));
  g_clear_error(&error);
  g_unlink(path);
  g_rmdir(dir);
}

/* ---- the instruction budget ---- */

static TsrLuaVm *budget_vm(guint32 budget) {
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;

  tsr_lua_test_settings(&settings, "budget.lua");
  settings.instruction_budget = budget;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  return vm;
}

static void test_budget_stops_loops(void) {
  static const char *const packets[] = { "loop", "pcall-loop", "coroutine", "xpcall" };
  g_autoptr(TsrLuaVm) vm = budget_vm(TSR_LUA_DEFAULT_INSTRUCTION_BUDGET);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);

  g_assert_no_error(error);
  for (gsize i = 0; i < G_N_ELEMENTS(packets); i++) {
    gint64 start = g_get_monotonic_time();
    g_assert_false(call_read_query(env, packets[i], NULL, &error));
    g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_BUDGET);
    g_assert_nonnull(strstr(error->message, "budget.lua:"));
    g_assert_nonnull(strstr(error->message, "instruction budget"));
    g_test_message("%s: %s (%.1f ms)", packets[i], error->message, (g_get_monotonic_time() - start) / 1000.0);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
    g_clear_error(&error);
    /* the next call has its whole budget again */
    g_assert_cmpint(read_query_ok(env, "count"), ==, 500500);
  }
  /* the plain loop is reported at its line */
  g_assert_false(call_read_query(env, "loop", NULL, &error));
  g_assert_nonnull(strstr(error->message, "budget.lua:4:"));
  g_clear_error(&error);
  tsr_lua_env_free(env);
}

static void test_budget_counts_per_call(void) {
  /* "count" runs about 4000 instructions: it fits a budget of 10000 on
   * every call, however many calls there are */
  g_autoptr(TsrLuaVm) vm = budget_vm(10000);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);

  g_assert_no_error(error);
  for (int i = 0; i < 100; i++) g_assert_cmpint(read_query_ok(env, "count"), ==, 500500);
  tsr_lua_env_free(env);
  tsr_lua_vm_free(g_steal_pointer(&vm));

  vm = budget_vm(1000);
  env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_no_error(error);
  assert_call_error(env, "count", TSR_LUA_ERROR_BUDGET, "instruction budget of 1000");
  tsr_lua_env_free(env);
}

static void test_budget_and_jit(void) {
  TsrLuaSettings settings;
  GError *error = NULL;
  g_autoptr(TsrLuaVm) with_budget = NULL;
  g_autoptr(TsrLuaVm) without = NULL;
  g_autofree char *on = NULL, *off = NULL;

  tsr_lua_test_settings(&settings, NULL);
  settings.allow_unsafe = TRUE;
  with_budget = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  settings.instruction_budget = 0;
  without = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  off = tsr_lua_test_eval_ok(with_budget, NULL, "return (jit.status())");
  on = tsr_lua_test_eval_ok(without, NULL, "return (jit.status())");
  g_assert_cmpstr(off, ==, "false");
  g_assert_cmpstr(on, ==, "true");
}

/* ---- reload ---- */

static void write_script(const char *path, const char *text) {
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void test_reload(void) {
  g_autofree char *dir = g_dir_make_tmp("tsr-lua-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "r.lua", NULL);
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;
  TsrLuaEnv *old_env, *env;

  write_script(path, "function read_query() return 1 end\n");
  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  settings.reload_interval_ms = 0;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 1);
  old_env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_false(tsr_lua_vm_check_reload(vm));          /* unchanged */

  /* a good new version: new connections get it, open ones keep theirs */
  write_script(path, "function read_query() return 2 end\n");
  g_assert_true(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 2);
  env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_cmpint(read_query_ok(env, "q"), ==, 2);
  g_assert_cmpint(read_query_ok(old_env, "q"), ==, 1);
  g_assert_cmpuint(tsr_lua_env_generation(old_env), ==, 1);
  g_assert_cmpuint(tsr_lua_env_generation(env), ==, 2);
  tsr_lua_env_free(env);

  /* a version that does not compile: kept, one warning, once */
  write_script(path, "function read_query( return 3 end\n");
  g_assert_false(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_test_take_warnings("not reloaded"), ==, 1);
  g_assert_false(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_test_take_warnings("not reloaded"), ==, 0);
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 2);
  env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_cmpint(read_query_ok(env, "q"), ==, 2);
  tsr_lua_env_free(env);

  /* a version that fails at its top level: kept too */
  write_script(path, "error('top level fails')\nfunction read_query() return 4 end\n");
  g_assert_false(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_test_take_warnings("top level fails"), ==, 1);
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 2);

  /* the file goes away: kept, said once */
  g_unlink(path);
  g_assert_false(tsr_lua_vm_check_reload(vm));
  g_assert_false(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_test_take_warnings("not reloaded"), ==, 1);

  /* and a good one again */
  write_script(path, "function read_query() return 5 end\n");
  g_assert_true(tsr_lua_vm_check_reload(vm));
  g_assert_cmpuint(tsr_lua_vm_generation(vm), ==, 3);
  env = tsr_lua_env_new(vm, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(read_query_ok(env, "q"), ==, 5);
  tsr_lua_env_free(env);
  tsr_lua_env_free(old_env);
  tsr_lua_vm_free(vm);
  g_unlink(path);
  g_rmdir(dir);
}

static void test_reload_interval(void) {
  g_autofree char *dir = g_dir_make_tmp("tsr-lua-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "i.lua", NULL);
  TsrLuaSettings settings;
  GError *error = NULL;
  g_autoptr(TsrLuaVm) vm = NULL;

  write_script(path, "x = 1\n");
  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  settings.reload_interval_ms = 60 * 1000;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  write_script(path, "x = 22\n");
  g_assert_false(tsr_lua_vm_check_reload(vm));   /* not looked at yet */
  g_assert_true(tsr_lua_vm_reload_now(vm));
  g_unlink(path);
  g_rmdir(dir);
}

/* ---- misc ---- */

static void test_version_ids(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(NULL, FALSE);
  g_autofree char *version = tsr_lua_test_eval_ok(vm, NULL, "return string.format('%06x', proxy.TESSERA_VERSION)");
  g_autofree char *want = g_strdup_printf("%06x", tsr_lua_version_id(TESSERA_VERSION));

  g_assert_cmpuint(tsr_lua_version_id("0.8.5"), ==, 0x000805);
  g_assert_cmpuint(tsr_lua_version_id("1.2.3-dev"), ==, 0x010203);
  g_assert_cmpuint(tsr_lua_version_id("x"), ==, 0);
  g_assert_cmpstr(version, ==, want);
}

static void test_unsafe_opens_everything(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(NULL, TRUE);
  g_autofree char *libs = tsr_lua_test_eval_ok(vm, NULL,
    "return table.concat({type(io), type(debug), type(os.execute), type(package.loadlib), type(require('ffi'))}, ',')");
  g_autofree char *builtin = tsr_lua_test_eval_ok(vm, NULL, "return type(require('proxy.commands').parse)");

  g_assert_cmpstr(libs, ==, "table,table,function,function,table");
  g_assert_cmpstr(builtin, ==, "function");
}

static void read_trap(lua_State *L, gpointer data) {
  lua_getglobal(L, (const char *)data);
  lua_getfield(L, -1, "anything");
}

static void read_number(lua_State *L, gpointer data) {
  lua_getglobal(L, "number");
  *(int *)data = (int)lua_tointeger(L, -1);
}

static void test_protect(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(NULL, FALSE);
  lua_State *L = tsr_lua_vm_state(vm);
  GError *error = NULL;
  int number = 0;

  /* script-made tables whose metatables raise, or do not stop */
  g_free(tsr_lua_test_eval_ok(vm, NULL,
                              "trap = setmetatable({}, { __index = function() error('trapped') end })\n"
                              "spin = setmetatable({}, { __index = function() while true do end end })\n"
                              "number = 7"));
  g_assert_false(tsr_lua_vm_protect(vm, read_trap, (gpointer)"trap", &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_RUNTIME);
  g_assert_nonnull(strstr(error->message, "trapped"));
  g_clear_error(&error);
  g_assert_false(tsr_lua_vm_protect(vm, read_trap, (gpointer)"spin", &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_BUDGET);
  g_clear_error(&error);
  g_assert_true(tsr_lua_vm_protect(vm, read_number, &number, &error));
  g_assert_no_error(error);
  g_assert_cmpint(number, ==, 7);
  g_assert_cmpint(lua_gettop(L), ==, 0);
}

/* ---- the examples of docs/lua-api.md (lua/examples) ---- */

typedef struct {
  const char *script;
  const char *queries[3];
  int decision;                 /* of the last query */
  const char *expr;             /* evaluated in the connection after the last query */
  const char *want;
} Example;

static const Example examples[] = {
  { "count-queries.lua", { "SELECT 1", "SELECT 2" }, 0, "proxy.response.note",
    "query 2 of this connection, 2 of the proxy" },
  { "block-statements.lua", { "select 1", "drop table t" }, TSR_PROXY_SEND_RESULT,
    "proxy.response.errcode .. ' ' .. proxy.response.errmsg", "1142 DROP is not allowed through this proxy" },
  { "local-answer.lua", { "SELECT proxy_version()" }, TSR_PROXY_SEND_RESULT, "proxy.response.resultset.rows[1][1]",
    "0x000805" },
  { "shared-config.lua", { "x", "more rows", "y" }, 0, "proxy.response.max_rows", "200" },
  { "password-and-proto.lua", { "q" }, 0, "tostring(proxy.response.check) .. ' ' .. proxy.response.ok_packet_hex",
    "true 00010002000000" },
};

static void run_example(gconstpointer data) {
  const Example *ex = data;
  g_autofree char *file = g_build_filename("..", "examples", ex->script, NULL);
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(file, FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, tsr_lua_test_env_init, NULL, &error);
  int decision = -1;

  g_assert_no_error(error);
  for (int i = 0; i < 3 && ex->queries[i]; i++) {
    g_autofree char *packet = g_strdup_printf("\3%s", ex->queries[i]);
    g_free(tsr_lua_test_eval_ok(vm, env, "proxy.response = {}"));
    decision = read_query_ok(env, packet);
  }
  g_assert_cmpint(decision, ==, ex->decision);
  assert_env_value(vm, env, ex->expr, ex->want);
  tsr_lua_env_free(env);
}

static void test_example_runaway(void) {
  g_autofree char *file = g_build_filename("..", "examples", "runaway.lua", NULL);
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm(file, FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, &error);

  g_assert_no_error(error);
  assert_call_error(env, "\3SELECT 1", TSR_LUA_ERROR_BUDGET, "runaway.lua:4: the script ran past its instruction budget");
  tsr_lua_env_free(env);
}

/* A C function scripts can call that runs Lua through tsr_lua_vm_protect,
 * as bindings of the core may. */
static void spin_a_little(lua_State *L, gpointer data) {
  g_assert_cmpint(luaL_loadstring(L, "local n = 0 for i = 1, 1000 do n = n + i end"), ==, 0);
  lua_call(L, 0, 0);
}

static int nested_protect(lua_State *L) {
  TsrLuaVm *vm = tsr_lua_vm_from_state(L);
  GError *error = NULL;
  if (!tsr_lua_vm_protect(vm, spin_a_little, NULL, &error)) {
    lua_pushstring(L, error->message);
    g_clear_error(&error);
    return lua_error(L);
  }
  return 0;
}

static void test_budget_shared_by_nested_calls(void) {
  TsrLuaSettings settings;
  GError *error = NULL;
  g_autoptr(TsrLuaVm) vm = NULL;
  g_autofree char *one = NULL;

  tsr_lua_test_settings(&settings, NULL);
  settings.instruction_budget = 20000;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  lua_register(tsr_lua_vm_state(vm), "nested_protect", nested_protect);
  one = tsr_lua_test_eval_ok(vm, NULL, "nested_protect() return 'fits'");
  g_assert_cmpstr(one, ==, "fits");
  /* 100 nested calls of ~4000 instructions each: more than the outer
   * call's budget, although each one alone fits */
  g_assert_null(tsr_lua_test_eval(vm, NULL, "for i = 1, 100 do nested_protect() end", &error));
  g_assert_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_BUDGET);
  g_clear_error(&error);
}

int main(int argc, char **argv) {
  int status;

  g_test_init(&argc, &argv, NULL);
  tsr_lua_test_capture_warnings();

  g_test_add_func("/lua/env/isolation", test_env_isolation);
  g_test_add_func("/lua/env/hooks-and-decisions", test_env_hooks_and_decisions);
  g_test_add_func("/lua/env/without-script", test_env_without_script);
  g_test_add_func("/lua/env/protect", test_env_protect_points_proxy);
  g_test_add_func("/lua/error/file-and-line", test_errors_name_file_and_line);
  g_test_add_func("/lua/error/top-level", test_error_in_top_level);
  g_test_add_func("/lua/load/refuses-bytecode", test_load_refuses_bytecode);
  g_test_add_func("/lua/load/shebang-and-syntax", test_load_shebang_and_syntax);
  g_test_add_func("/lua/budget/stops-loops", test_budget_stops_loops);
  g_test_add_func("/lua/budget/per-call", test_budget_counts_per_call);
  g_test_add_func("/lua/budget/jit", test_budget_and_jit);
  g_test_add_func("/lua/budget/nested-calls", test_budget_shared_by_nested_calls);
  g_test_add_func("/lua/reload/versions", test_reload);
  g_test_add_func("/lua/reload/interval", test_reload_interval);
  g_test_add_func("/lua/misc/version-ids", test_version_ids);
  g_test_add_func("/lua/misc/unsafe", test_unsafe_opens_everything);
  g_test_add_func("/lua/misc/protect", test_protect);
  for (gsize i = 0; i < G_N_ELEMENTS(examples); i++) {
    g_autofree char *name = g_strdup_printf("/lua/examples/%s", examples[i].script);
    g_test_add_data_func(name, &examples[i], run_example);
  }
  g_test_add_func("/lua/examples/runaway.lua", test_example_runaway);

  tsr_lua_test_add_script("constants.lua", FALSE);
  tsr_lua_test_add_script("sandbox.lua", FALSE);
  tsr_lua_test_add_script("global.lua", FALSE);
  tsr_lua_test_add_script("backends.lua", TRUE);
  tsr_lua_test_add_script("modules.lua", TRUE);
#ifdef TSR_HAVE_SQL_LEXER
  tsr_lua_test_add_script("tokenizer.lua", FALSE);
  tsr_lua_test_add_script("sql.lua", FALSE);
#endif
  status = g_test_run();
  tsr_lua_test_cleanup();
  return status;
}
