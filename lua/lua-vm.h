/* lua-vm.h: one LuaJIT VM per worker thread, the script it runs, and its
 * reload.
 *
 * A TsrLuaVm belongs to one thread at a time (there is no lock inside):
 * create one per worker and use it from that worker only. What workers
 * share lives in C: proxy.global (lua-shared.h), which every VM of the
 * process sees through the same TsrSharedStore.
 *
 * The script (--proxy-lua-script) is loaded as source text only (bytecode
 * is refused), compiled once per VM and version, and run once per client
 * connection in that connection's own environment (lua-env.h), as MySQL
 * Proxy 0.8 did. Scripts run sandboxed (lua-sandbox.c) unless the operator
 * passes --lua-allow-unsafe, and every call into a script runs under an
 * instruction budget (--lua-instruction-budget).
 *
 * Errors: functions that can fail take a GError ** and set it in the
 * TSR_LUA_ERROR domain (lua-error.h). */
#ifndef TESSERA_LUA_VM_H
#define TESSERA_LUA_VM_H

#include <glib.h>
#include <lua.h>
#include "lua/lua-shared.h"
#include "lua/lua-backends.h"

/* Default of --lua-instruction-budget: Lua VM instructions one call into a
 * script may run (about 20-50 ms of pure Lua on a current CPU). */
#define TSR_LUA_DEFAULT_INSTRUCTION_BUDGET 10000000u

/* Default pause between two looks at the script file's mtime and size. */
#define TSR_LUA_DEFAULT_RELOAD_INTERVAL_MS 1000u

typedef struct {
  /* The script (--proxy-lua-script); NULL runs no script: no hook exists. */
  const char *script_path;
  /* --lua-allow-unsafe: open every standard library (io, os, debug,
   * package with C modules, ffi, jit) and lift the sandbox. */
  gboolean allow_unsafe;
  /* --lua-instruction-budget: instructions per call into the script; 0
   * turns the budget off. With a budget the VM runs LuaJIT's interpreter
   * only: compiled code would not count instructions. */
  guint32 instruction_budget;
  /* --lua-path: where require() looks for Lua modules that are not built
   * in, as templates separated by ';' ("/etc/tessera/lua/?.lua"); modules
   * are loaded as source text, inside the sandbox. NULL: built-ins only. */
  const char *lua_path;
  /* The store behind proxy.global, shared by every VM of the process (the
   * VM takes a reference). NULL gives the VM a private store. */
  TsrSharedStore *shared;
  /* What proxy.global.backends shows (copied; may be NULL: no backends). */
  const TsrLuaBackendProvider *backends;
  /* tsr_lua_vm_check_reload() looks at the file at most this often. */
  guint reload_interval_ms;
} TsrLuaSettings;

typedef struct TsrLuaVm TsrLuaVm;

/* Fills *settings with the defaults: no script, sandboxed, the default
 * budget and reload interval, a private store, no backends. */
void tsr_lua_settings_init(TsrLuaSettings *settings);

/* Creates a VM: opens the standard libraries the sandbox allows, sets up
 * proxy (constants, proxy.global) and the built-in modules, then loads the
 * script and runs its top level once in a scratch connection environment
 * to check it. Returns NULL with *error set when the script cannot be read,
 * is bytecode, does not compile, or fails at its top level. The settings
 * are copied; *settings may go after the call. */
TsrLuaVm *tsr_lua_vm_new(const TsrLuaSettings *settings, GError **error);

/* Frees the VM, every environment still open in it included (free those
 * first: their TsrLuaEnv handles become invalid). NULL is allowed. */
void tsr_lua_vm_free(TsrLuaVm *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrLuaVm, tsr_lua_vm_free)

/* Returns the VM's lua_State (owned by the VM). Callers may push and pop
 * on it while building arguments for a call (lua-env.h); they must leave
 * the stack as they found it. */
lua_State *tsr_lua_vm_state(TsrLuaVm *vm);

/* Returns TRUE when the VM runs a script. */
gboolean tsr_lua_vm_has_script(const TsrLuaVm *vm);

/* Returns the version of the script that new connection environments get:
 * 1 for the version loaded by tsr_lua_vm_new(), one more for every reload
 * (0 without a script). */
guint tsr_lua_vm_generation(const TsrLuaVm *vm);

/* Call between two commands. At most every reload_interval_ms, looks at the
 * script file: when its mtime, size or inode changed, loads the new version
 * and runs its top level once in a scratch environment. On success new
 * connection environments get the new version (environments already open
 * keep theirs, as in MySQL Proxy 0.8) and it returns TRUE. When the new
 * version cannot be loaded or fails at its top level, the VM keeps the
 * version it has, logs one warning with the reason (once per version of
 * the file) and returns FALSE; it also returns FALSE when nothing changed. */
gboolean tsr_lua_vm_check_reload(TsrLuaVm *vm);

/* Like tsr_lua_vm_check_reload() but looks at the file now, whatever the
 * interval. */
gboolean tsr_lua_vm_reload_now(TsrLuaVm *vm);

/* Replaces what proxy.global.backends shows in this VM (copied; NULL: no
 * backends). */
void tsr_lua_vm_set_backends(TsrLuaVm *vm, const TsrLuaBackendProvider *provider);

/* A function to run in protected mode: it may use the Lua API freely
 * (errors raised in it, or by script code it calls, are caught). */
typedef void (*TsrLuaProtectedFunc)(lua_State *L, gpointer data);

/* Runs fn(L, data) in protected mode under the instruction budget: use it
 * for anything that touches values a script made (reading proxy.response:
 * a script may have put a metatable on it) outside a hook call. Returns
 * TRUE, or FALSE with *error set when fn raised an error or the budget ran
 * out. The stack is as before the call either way. */
gboolean tsr_lua_vm_protect(TsrLuaVm *vm, TsrLuaProtectedFunc fn, gpointer data, GError **error);

#endif
