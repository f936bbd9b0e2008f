/* lua-private.h: what the files of lua/ share between them; not for use
 * outside lua/. */
#ifndef TESSERA_LUA_PRIVATE_H
#define TESSERA_LUA_PRIVATE_H

#include <glib.h>
#include <lua.h>
#include <lauxlib.h>
#include "lua/lua-vm.h"
#include "lua/lua-env.h"
#include "lua/lua-error.h"

/* What identifies one version of the script file. */
typedef struct {
  gboolean valid;
  gint64 mtime_ns;
  gint64 size;
  guint64 inode;
} TsrLuaFileStamp;

struct TsrLuaVm {
  lua_State *L;
  char *script_path;
  char *lua_path;
  gboolean allow_unsafe;
  guint32 budget;                 /* 0: none */
  guint reload_interval_ms;
  TsrSharedStore *shared;

  int chunk_ref;                  /* the current script version's compiled chunk, LUA_NOREF without script */
  guint generation;
  TsrLuaFileStamp loaded;         /* the file the current version came from */
  TsrLuaFileStamp failed;         /* the last file version that failed (warned about once) */
  gint64 last_check_us;

  int msgh_ref;                   /* the error handler of every protected call */
  int proxy_meta_ref;             /* metatable of `proxy`: __index/__newindex = the current connection's table */
  int hook_name_refs[TSR_LUA_HOOK_MAX];
  int backends_ref;               /* the proxy.global.backends view */
  TsrLuaEnv *current;             /* whose connection table `proxy` points at */
  TsrLuaEnv *envs;                /* every open environment (linked through next/prev) */
  gboolean budget_exhausted;      /* the running call ran out of budget */
  int call_depth;                 /* protected calls under way (nested ones share the budget) */
};

struct TsrLuaEnv {
  TsrLuaVm *vm;
  int globals_ref;                /* the connection's environment table */
  int proxy_ref;                  /* the connection's own proxy table */
  guint generation;
  guint32 hooks;                  /* bit (1 << TsrLuaHook) per hook defined */
  TsrLuaEnv *prev, *next;
};

/* Registry key under which the VM keeps its TsrLuaVm pointer. */
extern const char tsr_lua_vm_registry_key;

/* Returns the TsrLuaVm that owns L (from the registry). */
TsrLuaVm *tsr_lua_vm_from_state(lua_State *L);

/* Calls the function below nargs arguments on the stack in protected mode
 * under the instruction budget, leaving nresults results (as lua_pcall).
 * Returns TRUE, or FALSE with *error set (the function and arguments are
 * popped, nothing is pushed). */
gboolean tsr_lua_vm_pcall(TsrLuaVm *vm, int nargs, int nresults, GError **error);

/* Creates an environment that runs the chunk at registry reference
 * chunk_ref (of script version `generation`). See tsr_lua_env_new(). */
TsrLuaEnv *tsr_lua_env_new_for_chunk(TsrLuaVm *vm, int chunk_ref, guint generation, TsrLuaEnvInitFunc init,
                                     gpointer data, GError **error);

/* Points `proxy` at env's connection table (env NULL: at an empty table). */
void tsr_lua_env_make_current(TsrLuaVm *vm, TsrLuaEnv *env);

/* lua-sandbox.c: opens the standard libraries for a VM in the current
 * globals table: the sandbox's allow list, or everything when `unsafe`.
 * Installs require (built-in modules, then lua_path), load/loadstring
 * (source text only), getfenv/setfenv, collectgarbage, and pairs/ipairs that
 * honour __pairs/__ipairs. Raises a Lua error on failure. */
void tsr_lua_sandbox_open(lua_State *L, gboolean unsafe, const char *lua_path);

/* lua-sandbox.c: loads a Lua source text buff[0..len) named chunkname,
 * refusing bytecode with a clear message (pushes the function, or an error
 * message and returns non-zero, like luaL_loadbuffer). A first line that
 * starts with '#' (a shebang) is skipped, keeping line numbers. */
int tsr_lua_load_text(lua_State *L, const char *buff, gsize len, const char *chunkname);

/* lua-modules.c: registers the built-in modules (mysql.proto,
 * mysql.password, mysql.tokenizer and mysql.sql when built, proxy.commands,
 * proxy.tokenizer, proxy.balance) in the table on top of the stack
 * (package.preload). */
void tsr_lua_modules_preload(lua_State *L);

/* lua-modules.c: the names of the built-in modules, for error messages
 * (static, ", "-separated). */
const char *tsr_lua_modules_names(void);

/* lua-proxy.c: creates the global `proxy` table: constants, proxy.global
 * (on `store`), proxy.shared; leaves the metatable of `proxy` (whose
 * __index/__newindex point at the current connection) on the stack. */
void tsr_lua_proxy_open(lua_State *L, TsrSharedStore *store, int backends_index);

/* lua-proxy.c: encodes a version "1.2.3" as MySQL Proxy did: 0x00MMmmpp. */
guint32 tsr_lua_version_id(const char *version);

/* lua-global.c: pushes the proxy.global view of `store`'s root, whose
 * "backends" field is the value at backends_index. */
void tsr_lua_global_push(lua_State *L, TsrSharedStore *store, int backends_index);

/* lua-global.c: pushes the proxy.shared table (incr, cas, snapshot). */
void tsr_lua_shared_helpers_push(lua_State *L);

/* Module openers (lua-mod-*.c), for package.preload. */
/* Finishes a built-in module's table (on top of the stack): sets _VERSION
 * to "tessera <module>" and, as MySQL Proxy 0.8 did, the global `global`
 * to it. The table stays on the stack. */
void tsr_lua_module_finish(lua_State *L, const char *module, const char *global);
int tsr_luaopen_mysql_proto(lua_State *L);
int tsr_luaopen_mysql_password(lua_State *L);
int tsr_luaopen_mysql_tokenizer(lua_State *L);
int tsr_luaopen_mysql_sql(lua_State *L);

/* lua-mod-sql.c: mysql.sql.parse(query [, opts]) as a lua_CFunction: pushes
 * the array of statement tables, or nil and the parser's message. Raises a
 * Lua error when query is not a string. */
int tsr_lua_sql_parse(lua_State *L);

#endif
