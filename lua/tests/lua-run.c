/* lua-run.c: runs a tessera Lua script outside the proxy, for trying
 * scripts and the examples of docs/lua-api.md until the hooks are wired
 * into connections:
 *
 *   tessera-lua-run [--unsafe] [--budget N] SCRIPT [QUERY...]
 *
 * It makes one VM and one connection environment (proxy.connection.client
 * .username is "app"), then for every QUERY calls read_query with a
 * COM_QUERY packet and prints what the hook decided, proxy.response, or the
 * error. Exit status: 0, or 1 when the script does not load. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "lua/lua-vm.h"
#include "lua/lua-env.h"

/* Serializes a value (tables sorted by key) into a string. */
static const char *const serializer =
  "local function ser(v, depth)\n"
  "  if type(v) == 'string' then return string.format('%q', v) end\n"
  "  if type(v) ~= 'table' or depth > 4 then return tostring(v) end\n"
  "  local keys = {}\n"
  "  for k in pairs(v) do keys[#keys + 1] = k end\n"
  "  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
  "  local out = {}\n"
  "  for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. ' = ' .. ser(v[k], depth + 1) end\n"
  "  return '{ ' .. table.concat(out, ', ') .. ' }'\n"
  "end\n"
  "return ser(..., 0)\n";

static void init_connection(lua_State *L, gpointer data) {
  lua_createtable(L, 0, 1);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "app");
  lua_setfield(L, -2, "username");
  lua_setfield(L, -2, "client");
  lua_setfield(L, -2, "connection");
}

/* In protected mode: prints proxy.response of the environment `data`. */
static void print_response(lua_State *L, gpointer data) {
  TsrLuaEnv *env = data;
  if (luaL_loadstring(L, serializer) != 0) lua_error(L);
  tsr_lua_env_push_proxy(env);
  lua_getfield(L, -1, "response");
  lua_remove(L, -2);
  lua_call(L, 1, 1);
  g_print("  proxy.response = %s\n", lua_tostring(L, -1));
  lua_pop(L, 1);
}

/* In protected mode: empties proxy.response, as before every query. */
static void reset_response(lua_State *L, gpointer data) {
  tsr_lua_env_push_proxy(data);
  lua_newtable(L);
  lua_setfield(L, -2, "response");
  lua_pop(L, 1);
}

static void run_query(TsrLuaVm *vm, TsrLuaEnv *env, const char *query) {
  g_autofree char *packet = g_strdup_printf("%c%s", 0x03, query);
  GError *error = NULL;
  TsrLuaCall call;
  lua_State *L;
  int decision;

  g_print("read_query(COM_QUERY \"%s\")\n", query);
  tsr_lua_vm_protect(vm, reset_response, env, NULL);
  L = tsr_lua_call_begin(&call, env, TSR_LUA_HOOK_READ_QUERY);
  if (!L) {
    g_print("  the script has no read_query\n");
    return;
  }
  lua_pushlstring(L, packet, strlen(query) + 1);
  if (!tsr_lua_call_finish(&call, 1, &decision, &error)) {
    g_print("  error: %s\n", error->message);
    g_clear_error(&error);
    return;
  }
  g_print("  returned %d\n", decision);
  if (!tsr_lua_vm_protect(vm, print_response, env, &error)) {
    g_print("  proxy.response cannot be shown: %s\n", error->message);
    g_clear_error(&error);
  }
}

int main(int argc, char **argv) {
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;
  TsrLuaEnv *env;
  int i = 1;

  tsr_lua_settings_init(&settings);
  for (; i < argc && g_str_has_prefix(argv[i], "--"); i++) {
    if (strcmp(argv[i], "--unsafe") == 0) settings.allow_unsafe = TRUE;
    else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc) settings.instruction_budget = (guint32)atol(argv[++i]);
    else break;
  }
  if (i >= argc) {
    g_printerr("usage: %s [--unsafe] [--budget N] SCRIPT [QUERY...]\n", argv[0]);
    return 2;
  }
  settings.script_path = argv[i++];
  vm = tsr_lua_vm_new(&settings, &error);
  if (!vm) {
    g_printerr("%s\n", error->message);
    g_clear_error(&error);
    return 1;
  }
  env = tsr_lua_env_new(vm, init_connection, NULL, &error);
  if (!env) {
    g_printerr("%s\n", error->message);
    g_clear_error(&error);
    tsr_lua_vm_free(vm);
    return 1;
  }
  for (; i < argc; i++) run_query(vm, env, argv[i]);
  tsr_lua_env_free(env);
  tsr_lua_vm_free(vm);
  return 0;
}
