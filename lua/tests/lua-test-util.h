/* lua-test-util.h: helpers shared by the tests of lua/. */
#ifndef TESSERA_LUA_TEST_UTIL_H
#define TESSERA_LUA_TEST_UTIL_H

#include <glib.h>
#include "lua/lua-vm.h"
#include "lua/lua-env.h"

/* Returns the path of `name` in lua/tests (g_free it). */
char *tsr_lua_test_path(const char *name);

/* Fills *settings for a test VM: the defaults, --lua-path set to lua/tests
 * (for testlib.lua), and `script` (a file of lua/tests, or NULL). The
 * strings stay valid for the whole test program. */
void tsr_lua_test_settings(TsrLuaSettings *settings, const char *script);

/* Returns a VM made with tsr_lua_test_settings (fails the test on error). */
TsrLuaVm *tsr_lua_test_vm(const char *script, gboolean unsafe);

/* Runs `code` (a chunk that may return one value) in env (NULL: in the
 * VM's globals) and returns its result converted with tostring (g_free
 * it), or NULL with *error set. */
char *tsr_lua_test_eval(TsrLuaVm *vm, TsrLuaEnv *env, const char *code, GError **error);

/* Like tsr_lua_test_eval but fails the test on error. */
char *tsr_lua_test_eval_ok(TsrLuaVm *vm, TsrLuaEnv *env, const char *code);

/* A provider of five fake backends (see backends.lua for what they hold);
 * tsr_lua_test_fake_backends_reset() restores them. */
const TsrLuaBackendProvider *tsr_lua_test_fake_backends(void);
void tsr_lua_test_fake_backends_reset(void);

/* Environment init that sets proxy.connection = { id = <data as a string>,
 * client = { username = "app" } }. */
void tsr_lua_test_env_init(lua_State *L, gpointer data);

/* Registers one g_test case per global function test_* that script `file`
 * (of lua/tests) defines at its top level, each run in one environment of
 * one VM (with the fake backends when with_backends). */
void tsr_lua_test_add_script(const char *file, gboolean with_backends);

/* Frees what tsr_lua_test_add_script made; call after g_test_run(). */
void tsr_lua_test_cleanup(void);

/* Makes warnings non-fatal and records them; returns how many recorded
 * warnings contain `text` since the last call (and forgets them). */
void tsr_lua_test_capture_warnings(void);
guint tsr_lua_test_take_warnings(const char *text);

#endif
