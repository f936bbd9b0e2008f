/* bench-lua.c: measures what the Lua runtime costs per connection and per
 * hook call (the numbers quoted in docs/lua-api.md). Not a test: run it by
 * hand on a quiet machine: bench-lua [iterations]. */
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "lua-test-util.h"

/* A script of the usual shape: modules, a config block, a few hooks. */
static const char *const script =
  "local commands = require('proxy.commands')\n"
  "local tokenizer = require('proxy.tokenizer')\n"
  "local lb = require('proxy.balance')\n"
  "if not proxy.global.config.rwsplit then\n"
  "  proxy.global.config.rwsplit = { min_idle_connections = 4, max_idle_connections = 8, is_debug = false }\n"
  "end\n"
  "local is_in_transaction = false\n"
  "function connect_server() end\n"
  "function read_auth_result(auth) end\n"
  "function read_query(packet) end\n"
  "function read_query_result(inj) end\n"
  "function disconnect_client() end\n";

static double now_ns(void) { return (double)g_get_monotonic_time() * 1000.0; }

static TsrLuaVm *make_vm(const char *path, guint32 budget) {
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;

  tsr_lua_test_settings(&settings, NULL);
  settings.script_path = path;
  settings.instruction_budget = budget;
  vm = tsr_lua_vm_new(&settings, &error);
  if (!vm) g_error("%s", error->message);
  return vm;
}

static void bench_envs(TsrLuaVm *vm, int n) {
  TsrLuaEnv **envs = g_new(TsrLuaEnv *, n);
  double start = now_ns(), made, freed;

  for (int i = 0; i < n; i++) envs[i] = tsr_lua_env_new(vm, NULL, NULL, NULL);
  made = now_ns();
  for (int i = 0; i < n; i++) tsr_lua_env_free(envs[i]);
  freed = now_ns();
  g_print("  env create: %.2f us   env free: %.2f us\n", (made - start) / n / 1000.0, (freed - made) / n / 1000.0);
  g_free(envs);
}

static void bench_calls(TsrLuaVm *vm, int n) {
  TsrLuaEnv *env = tsr_lua_env_new(vm, NULL, NULL, NULL);
  const char *packet = "\3SELECT * FROM t WHERE id = 1";
  double start = now_ns(), end;
  int decision;

  for (int i = 0; i < n; i++) {
    TsrLuaCall call;
    lua_State *L = tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY);
    lua_pushstring(L, packet);
    tsr_lua_call_finish(&call, 1, &decision, NULL);
  }
  end = now_ns();
  g_print("  empty read_query call: %.0f ns\n", (end - start) / n);
  start = now_ns();
  for (int i = 0; i < n; i++)
    if (tsr_lua_env_has_hook(env, TSR_LUA_HOOK_READ_HANDSHAKE)) g_error("no such hook expected");
  end = now_ns();
  g_print("  has_hook of an absent hook: %.1f ns\n", (end - start) / n);
  tsr_lua_env_free(env);
}

static void bench_global(TsrLuaVm *vm, int n) {
  g_autofree char *loop = g_strdup_printf(
    "local g = proxy.global\n"
    "local t0 = os.clock()\n"
    "for i = 1, %d do proxy.shared.incr(g, 'q') end\n"
    "local t1 = os.clock()\n"
    "for i = 1, %d do local x = g.q end\n"
    "local t2 = os.clock()\n"
    "for i = 1, %d do local x = g.config.rwsplit.max_idle_connections end\n"
    "local t3 = os.clock()\n"
    "return string.format('  proxy.shared.incr: %%.0f ns   read proxy.global.q: %%.0f ns   "
    "read proxy.global.config.rwsplit.max_idle_connections: %%.0f ns', "
    "(t1 - t0) * 1e9 / %d, (t2 - t1) * 1e9 / %d, (t3 - t2) * 1e9 / %d)", n, n, n, n, n, n);
  g_autofree char *out = tsr_lua_test_eval_ok(vm, NULL, loop);
  g_print("%s\n", out);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  g_autofree char *dir = g_dir_make_tmp("tsr-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "bench.lua", NULL);
  TsrLuaVm *vm;

  g_assert_true(g_file_set_contents(path, script, -1, NULL));
  g_print("with the instruction budget (LuaJIT interpreter):\n");
  vm = make_vm(path, TSR_LUA_DEFAULT_INSTRUCTION_BUDGET);
  bench_envs(vm, n / 10);
  bench_calls(vm, n);
  bench_global(vm, n);
  tsr_lua_vm_free(vm);
  g_print("without a budget (JIT on):\n");
  vm = make_vm(path, 0);
  bench_envs(vm, n / 10);
  bench_calls(vm, n);
  bench_global(vm, n);
  tsr_lua_vm_free(vm);
  g_unlink(path);
  g_rmdir(dir);
  return 0;
}
