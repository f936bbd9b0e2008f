/* lua-vm.c: one LuaJIT VM per worker: creation, protected calls under the
 * instruction budget, script loading and reload (see lua-vm.h). */
#define G_LOG_DOMAIN "lua"
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <lualib.h>
#include <luajit.h>
#include "lua-private.h"

const char tsr_lua_vm_registry_key = 0;

void tsr_lua_settings_init(TsrLuaSettings *settings) {
  memset(settings, 0, sizeof *settings);
  settings->instruction_budget = TSR_LUA_DEFAULT_INSTRUCTION_BUDGET;
  settings->reload_interval_ms = TSR_LUA_DEFAULT_RELOAD_INTERVAL_MS;
}

TsrLuaVm *tsr_lua_vm_from_state(lua_State *L) {
  TsrLuaVm *vm;
  lua_pushlightuserdata(L, (void *)&tsr_lua_vm_registry_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  vm = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return vm;
}

lua_State *tsr_lua_vm_state(TsrLuaVm *vm) { return vm->L; }

gboolean tsr_lua_vm_has_script(const TsrLuaVm *vm) { return vm->chunk_ref != LUA_NOREF; }

guint tsr_lua_vm_generation(const TsrLuaVm *vm) { return vm->generation; }

/* An error outside any protected call: a bug in lua/ or its caller. */
static int panic_handler(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  g_error("unprotected error in a Lua VM: %s", msg ? msg : "(no message)");
  return 0;
}

/* ---- the instruction budget ---- */

static void budget_hook(lua_State *L, lua_Debug *ar) {
  TsrLuaVm *vm = tsr_lua_vm_from_state(L);

  vm->budget_exhausted = TRUE;
  /* From now on every instruction fails, so a script that catches this
   * error with pcall cannot go on: the error comes back at its next step. */
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  lua_getinfo(L, "Sl", ar);
  lua_pushfstring(L, "%s:%d: the script ran past its instruction budget of %d instructions per call "
                  "(--lua-instruction-budget)",
                  ar->short_src, ar->currentline, (int)MIN(vm->budget, (guint32)INT_MAX));
  lua_error(L);
}

/* Gives the next call its whole budget. The count hook stays armed between
 * calls: switching hooks on and off would make LuaJIT rebuild its dispatch
 * table every time. */
static void budget_reset(TsrLuaVm *vm) {
  vm->budget_exhausted = FALSE;
  if (vm->budget) lua_sethook(vm->L, budget_hook, LUA_MASKCOUNT, (int)MIN(vm->budget, (guint32)INT_MAX));
}

/* ---- protected calls ---- */

/* TRUE when the first line of msg holds a position ":<digits>:". */
static gboolean has_position(const char *msg) {
  for (const char *p = msg; *p && *p != '\n'; p++) {
    const char *q = p + 1;
    if (*p != ':' || !g_ascii_isdigit(*q)) continue;
    while (g_ascii_isdigit(*q)) q++;
    if (*q == ':') return TRUE;
  }
  return FALSE;
}

/* The error handler of every protected call: makes the error a string and,
 * when it has no position (raised by a C function, or error(msg, 0)),
 * prefixes the position of the innermost Lua function on the stack. */
static int message_handler(lua_State *L) {
  lua_Debug ar;
  const char *msg;

  if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
    msg = lua_tostring(L, 1);
  } else if (!tsr_lua_vm_from_state(L)->budget_exhausted && luaL_callmeta(L, 1, "__tostring") &&
             lua_type(L, -1) == LUA_TSTRING) {
    msg = lua_tostring(L, -1);
  } else {
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  if (has_position(msg)) {
    lua_pushstring(L, msg);
    return 1;
  }
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline > 0) {
      lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
      return 1;
    }
  }
  lua_pushstring(L, msg);
  return 1;
}

gboolean tsr_lua_vm_pcall(TsrLuaVm *vm, int nargs, int nresults, GError **error) {
  lua_State *L = vm->L;
  int handler = lua_gettop(L) - nargs;
  int status;
  TsrLuaErrorCode code;
  const char *msg;

  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->msgh_ref);
  lua_insert(L, handler);
  /* A protected call made from inside a call (a C function the script
   * called) runs on what is left of the outer call's budget. */
  if (vm->call_depth++ == 0) budget_reset(vm);
  status = lua_pcall(L, nargs, nresults, handler);
  vm->call_depth--;
  if (status == 0) {
    lua_remove(L, handler);
    if (vm->call_depth == 0) budget_reset(vm);
    return TRUE;
  }
  if (vm->budget_exhausted) code = TSR_LUA_ERROR_BUDGET;
  else if (status == LUA_ERRMEM) code = TSR_LUA_ERROR_MEMORY;
  else code = TSR_LUA_ERROR_RUNTIME;
  msg = lua_tostring(L, -1);
  g_set_error_literal(error, TSR_LUA_ERROR, code, msg ? msg : "unknown Lua error");
  lua_settop(L, handler - 1);
  if (vm->call_depth == 0) budget_reset(vm);
  return FALSE;
}

typedef struct {
  TsrLuaProtectedFunc fn;
  gpointer data;
} ProtectCtx;

static int protect_trampoline(lua_State *L) {
  ProtectCtx *ctx = lua_touserdata(L, 1);
  lua_settop(L, 0);
  ctx->fn(L, ctx->data);
  return 0;
}

gboolean tsr_lua_vm_protect(TsrLuaVm *vm, TsrLuaProtectedFunc fn, gpointer data, GError **error) {
  ProtectCtx ctx = { fn, data };
  lua_pushcfunction(vm->L, protect_trampoline);
  lua_pushlightuserdata(vm->L, &ctx);
  return tsr_lua_vm_pcall(vm, 1, 0, error);
}

/* ---- setup ---- */

typedef struct {
  TsrLuaVm *vm;
  const TsrLuaBackendProvider *backends;
} SetupCtx;

/* Runs before any protected call can work (the error handler is made
 * here), through lua_cpcall. */
static int setup_cpcall(lua_State *L) {
  SetupCtx *ctx = lua_touserdata(L, 1);
  TsrLuaVm *vm = ctx->vm;

  lua_settop(L, 0);
  lua_pushlightuserdata(L, (void *)&tsr_lua_vm_registry_key);
  lua_pushlightuserdata(L, vm);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, message_handler);
  vm->msgh_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  tsr_lua_sandbox_open(L, vm->allow_unsafe, vm->lua_path);
  for (int h = 0; h < TSR_LUA_HOOK_MAX; h++) {
    lua_pushstring(L, tsr_lua_hook_name((TsrLuaHook)h));
    vm->hook_name_refs[h] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  tsr_lua_backends_push(L, ctx->backends);
  tsr_lua_proxy_open(L, vm->shared, 1);
  vm->proxy_meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  vm->backends_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* ---- script loading ---- */

static gboolean stamp_file(const char *path, TsrLuaFileStamp *stamp, GError **error) {
  struct stat st;

  if (stat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD, "%s: %s", path, g_strerror(saved));
    return FALSE;
  }
  stamp->valid = TRUE;
  stamp->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
  stamp->size = (gint64)st.st_size;
  stamp->inode = (guint64)st.st_ino;
  return TRUE;
}

static gboolean stamp_equal(const TsrLuaFileStamp *a, const TsrLuaFileStamp *b) {
  return a->valid && b->valid && a->mtime_ns == b->mtime_ns && a->size == b->size && a->inode == b->inode;
}

/* Reads and compiles the script; on success returns a registry reference to
 * the compiled chunk and sets *stamp. */
static gboolean compile_script(TsrLuaVm *vm, int *chunk_ref, TsrLuaFileStamp *stamp, GError **error) {
  lua_State *L = vm->L;
  g_autofree char *text = NULL;
  g_autofree char *chunkname = NULL;
  gsize len = 0;
  GError *read_error = NULL;

  if (!stamp_file(vm->script_path, stamp, error)) return FALSE;
  if (!g_file_get_contents(vm->script_path, &text, &len, &read_error)) {
    g_set_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD, "%s", read_error->message);
    g_error_free(read_error);
    return FALSE;
  }
  chunkname = g_strconcat("@", vm->script_path, NULL);
  if (tsr_lua_load_text(L, text, len, chunkname) != 0) {
    const char *msg = lua_tostring(L, -1);
    g_set_error_literal(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD, msg ? msg : "cannot load the script");
    lua_pop(L, 1);
    return FALSE;
  }
  *chunk_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return TRUE;
}

/* Compiles the script file and runs its top level once in a scratch
 * environment. On success the new version becomes the current one. */
static gboolean load_version(TsrLuaVm *vm, TsrLuaFileStamp *stamp, GError **error) {
  int chunk_ref = LUA_NOREF;
  TsrLuaEnv *scratch;

  if (!compile_script(vm, &chunk_ref, stamp, error)) return FALSE;
  scratch = tsr_lua_env_new_for_chunk(vm, chunk_ref, vm->generation + 1, NULL, NULL, error);
  if (!scratch) {
    luaL_unref(vm->L, LUA_REGISTRYINDEX, chunk_ref);
    return FALSE;
  }
  tsr_lua_env_free(scratch);
  luaL_unref(vm->L, LUA_REGISTRYINDEX, vm->chunk_ref);
  vm->chunk_ref = chunk_ref;
  vm->generation++;
  vm->loaded = *stamp;
  return TRUE;
}

TsrLuaVm *tsr_lua_vm_new(const TsrLuaSettings *settings, GError **error) {
  TsrLuaVm *vm = g_new0(TsrLuaVm, 1);
  SetupCtx ctx = { vm, settings->backends };
  TsrLuaFileStamp stamp = { 0 };

  vm->script_path = g_strdup(settings->script_path);
  vm->lua_path = g_strdup(settings->lua_path);
  vm->allow_unsafe = settings->allow_unsafe;
  vm->budget = settings->instruction_budget;
  vm->reload_interval_ms = settings->reload_interval_ms;
  vm->shared = settings->shared ? tsr_shared_store_ref(settings->shared) : tsr_shared_store_new();
  vm->chunk_ref = vm->msgh_ref = vm->proxy_meta_ref = vm->backends_ref = LUA_NOREF;
  vm->last_check_us = g_get_monotonic_time();

  vm->L = luaL_newstate();
  if (!vm->L) {
    g_set_error_literal(error, TSR_LUA_ERROR, TSR_LUA_ERROR_MEMORY, "cannot create a Lua state");
    tsr_lua_vm_free(vm);
    return NULL;
  }
  lua_atpanic(vm->L, panic_handler);
  if (lua_cpcall(vm->L, setup_cpcall, &ctx) != 0) {
    g_set_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_SETUP, "cannot set up the Lua VM: %s",
                lua_tostring(vm->L, -1));
    tsr_lua_vm_free(vm);
    return NULL;
  }
  /* LuaJIT's compiled code does not count instructions: a budget needs the
   * interpreter. */
  if (vm->budget) luaJIT_setmode(vm->L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  budget_reset(vm);
  if (vm->script_path && !load_version(vm, &stamp, error)) {
    tsr_lua_vm_free(vm);
    return NULL;
  }
  return vm;
}

void tsr_lua_vm_free(TsrLuaVm *vm) {
  if (!vm) return;
  while (vm->envs) tsr_lua_env_free(vm->envs);
  if (vm->L) lua_close(vm->L);
  tsr_shared_store_unref(vm->shared);
  g_free(vm->script_path);
  g_free(vm->lua_path);
  g_free(vm);
}

/* ---- reload ---- */

gboolean tsr_lua_vm_reload_now(TsrLuaVm *vm) {
  TsrLuaFileStamp stamp = { 0 };
  g_autoptr(GError) error = NULL;

  vm->last_check_us = g_get_monotonic_time();
  if (!vm->script_path) return FALSE;
  if (!stamp_file(vm->script_path, &stamp, &error)) {
    /* The file is gone or unreadable: keep running what we have, say it once. */
    if (vm->failed.valid && vm->failed.inode == 0) return FALSE;
    g_warning("Lua script not reloaded, the running version stays: %s", error->message);
    vm->failed = (TsrLuaFileStamp){ TRUE, 0, -1, 0 };
    return FALSE;
  }
  if (stamp_equal(&stamp, &vm->loaded) || stamp_equal(&stamp, &vm->failed)) return FALSE;
  if (!load_version(vm, &stamp, &error)) {
    g_warning("Lua script %s not reloaded, the running version stays: %s", vm->script_path, error->message);
    vm->failed = stamp;
    return FALSE;
  }
  vm->failed.valid = FALSE;
  g_info("Lua script %s reloaded (version %u)", vm->script_path, vm->generation);
  return TRUE;
}

gboolean tsr_lua_vm_check_reload(TsrLuaVm *vm) {
  gint64 now = g_get_monotonic_time();
  if (!vm->script_path) return FALSE;
  if (now - vm->last_check_us < (gint64)vm->reload_interval_ms * 1000) return FALSE;
  return tsr_lua_vm_reload_now(vm);
}

void tsr_lua_vm_set_backends(TsrLuaVm *vm, const TsrLuaBackendProvider *provider) {
  lua_rawgeti(vm->L, LUA_REGISTRYINDEX, vm->backends_ref);
  tsr_lua_backends_set_provider(vm->L, -1, provider);
  lua_pop(vm->L, 1);
}
