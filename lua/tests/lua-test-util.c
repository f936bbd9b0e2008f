/* lua-test-util.c: helpers shared by the tests of lua/ (see lua-test-util.h). */
#include <pthread.h>
#include <string.h>
#include <lauxlib.h>
#include "lua-test-util.h"
#include "lua/lua-private.h"

char *tsr_lua_test_path(const char *name) {
  return g_build_filename(TSR_LUA_TEST_DIR, name, NULL);
}

static char *lua_path;

static void make_lua_path(void) {
  lua_path = g_build_filename(TSR_LUA_TEST_DIR, "?.lua", NULL);
}

void tsr_lua_test_settings(TsrLuaSettings *settings, const char *script) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, make_lua_path);
  tsr_lua_settings_init(settings);
  settings->lua_path = lua_path;
  settings->script_path = NULL;
  if (script) {
    g_autofree char *path = tsr_lua_test_path(script);
    settings->script_path = g_intern_string(path);
  }
}

TsrLuaVm *tsr_lua_test_vm(const char *script, gboolean unsafe) {
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;

  tsr_lua_test_settings(&settings, script);
  settings.allow_unsafe = unsafe;
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  return vm;
}

char *tsr_lua_test_eval(TsrLuaVm *vm, TsrLuaEnv *env, const char *code, GError **error) {
  lua_State *L = tsr_lua_vm_state(vm);
  char *result;

  if (luaL_loadbuffer(L, code, strlen(code), "=test") != 0) {
    g_set_error(error, TSR_LUA_ERROR, TSR_LUA_ERROR_LOAD, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return NULL;
  }
  if (env) {
    tsr_lua_env_push_globals(env);
    lua_setfenv(L, -2);
    tsr_lua_env_make_current(vm, env);
  }
  if (!tsr_lua_vm_pcall(vm, 0, 1, error)) return NULL;
  lua_getglobal(L, "tostring");
  lua_insert(L, -2);
  lua_call(L, 1, 1);
  result = g_strdup(lua_tostring(L, -1));
  lua_pop(L, 1);
  return result;
}

char *tsr_lua_test_eval_ok(TsrLuaVm *vm, TsrLuaEnv *env, const char *code) {
  GError *error = NULL;
  char *result = tsr_lua_test_eval(vm, env, code, &error);
  g_assert_no_error(error);
  return result;
}

/* ---- fake backends ---- */

typedef struct {
  TsrLuaBackendInfo info;
  char name[32], address[32], uuid[32];
  guint idle_app;
} FakeBackend;

static FakeBackend fakes[5];

void tsr_lua_test_fake_backends_reset(void) {
  static const struct { TsrLuaBackendType type; TsrLuaBackendState state; guint idle, clients; } spec[5] = {
    { TSR_LUA_BACKEND_TYPE_RW, TSR_LUA_BACKEND_STATE_UP, 0, 1 },
    { TSR_LUA_BACKEND_TYPE_RW, TSR_LUA_BACKEND_STATE_UP, 3, 1 },
    { TSR_LUA_BACKEND_TYPE_RO, TSR_LUA_BACKEND_STATE_UP, 2, 5 },
    { TSR_LUA_BACKEND_TYPE_RO, TSR_LUA_BACKEND_STATE_UP, 1, 2 },
    { TSR_LUA_BACKEND_TYPE_RO, TSR_LUA_BACKEND_STATE_DOWN, 9, 0 },
  };
  for (guint i = 0; i < 5; i++) {
    FakeBackend *f = &fakes[i];
    memset(f, 0, sizeof *f);
    g_snprintf(f->name, sizeof f->name, "10.0.0.%u:3306", i + 1);
    g_snprintf(f->address, sizeof f->address, "10.0.0.%u", i + 1);
    if (i > 0) g_snprintf(f->uuid, sizeof f->uuid, "uuid-%u", i + 1);
    f->info.port = 3306;
    f->info.family = 2;   /* AF_INET */
    f->info.type = spec[i].type;
    f->info.state = spec[i].state;
    f->info.connected_clients = spec[i].clients;
    f->info.min_idle_connections = 1;
    f->info.max_idle_connections = 8;
    f->idle_app = spec[i].idle;
  }
}

static guint fake_count(gpointer data) { return 5; }

static gboolean fake_get(gpointer data, guint index, TsrLuaBackendInfo *out) {
  FakeBackend *f = &fakes[index];
  *out = f->info;
  out->name = f->name;
  out->address = f->address;
  out->uuid = f->uuid[0] ? f->uuid : NULL;
  return TRUE;
}

static guint fake_idle(gpointer data, guint index, const char *user) {
  return strcmp(user, "app") == 0 ? fakes[index].idle_app : 0;
}

static gboolean fake_set_state(gpointer data, guint index, TsrLuaBackendState state) {
  fakes[index].info.state = state;
  return TRUE;
}

static gboolean fake_set_uuid(gpointer data, guint index, const char *uuid) {
  g_strlcpy(fakes[index].uuid, uuid ? uuid : "", sizeof fakes[index].uuid);
  return TRUE;
}

static gboolean fake_set_pool(gpointer data, guint index, TsrLuaPoolField field, guint value) {
  if (field == TSR_LUA_POOL_MIN_IDLE) fakes[index].info.min_idle_connections = value;
  else fakes[index].info.max_idle_connections = value;
  return TRUE;
}

const TsrLuaBackendProvider *tsr_lua_test_fake_backends(void) {
  static const TsrLuaBackendProvider provider = {
    fake_count, fake_get, fake_idle, fake_set_state, fake_set_uuid, fake_set_pool, NULL,
  };
  static gboolean ready;
  if (!ready) tsr_lua_test_fake_backends_reset();
  ready = TRUE;
  return &provider;
}

void tsr_lua_test_env_init(lua_State *L, gpointer data) {
  lua_createtable(L, 0, 2);
  lua_pushstring(L, data ? data : "");
  lua_setfield(L, -2, "id");
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "app");
  lua_setfield(L, -2, "username");
  lua_setfield(L, -2, "client");
  lua_setfield(L, -2, "connection");
}

static GMutex warnings_lock;
static GPtrArray *warnings;

/* ---- script tests ---- */

typedef struct {
  TsrLuaVm *vm;
  TsrLuaEnv *env;
  char *function;
} ScriptCase;

/* Every ScriptCase registered, freed by tsr_lua_test_cleanup(). */
static GPtrArray *script_cases;

static void script_case_free(gpointer p) {
  ScriptCase *sc = p;
  if (sc->vm) {
    tsr_lua_env_free(sc->env);
    tsr_lua_vm_free(sc->vm);
  }
  g_free(sc->function);
  g_free(sc);
}

void tsr_lua_test_cleanup(void) {
  g_clear_pointer(&script_cases, g_ptr_array_unref);
  if (warnings) g_ptr_array_set_size(warnings, 0);
}

static void run_script_case(gconstpointer data) {
  const ScriptCase *sc = data;
  TsrLuaVm *vm = sc->env->vm;
  lua_State *L = tsr_lua_vm_state(vm);
  GError *error = NULL;

  tsr_lua_env_make_current(vm, sc->env);
  tsr_lua_env_push_globals(sc->env);
  lua_getfield(L, -1, sc->function);
  lua_remove(L, -2);
  if (!tsr_lua_vm_pcall(vm, 0, 0, &error)) {
    g_test_message("%s", error->message);
    g_test_fail();
    g_clear_error(&error);
  }
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void tsr_lua_test_add_script(const char *file, gboolean with_backends) {
  TsrLuaSettings settings;
  GError *error = NULL;
  TsrLuaVm *vm;
  TsrLuaEnv *env;
  lua_State *L;
  g_autoptr(GPtrArray) names = g_ptr_array_new();

  tsr_lua_test_settings(&settings, file);
  if (with_backends) settings.backends = tsr_lua_test_fake_backends();
  vm = tsr_lua_vm_new(&settings, &error);
  g_assert_no_error(error);
  env = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)file, &error);
  g_assert_no_error(error);
  L = tsr_lua_vm_state(vm);
  tsr_lua_env_push_globals(env);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1) && g_str_has_prefix(lua_tostring(L, -2), "test_"))
      g_ptr_array_add(names, g_strdup(lua_tostring(L, -2)));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  g_ptr_array_sort(names, compare_names);
  g_assert_cmpuint(names->len, >, 0);
  if (!script_cases) script_cases = g_ptr_array_new_with_free_func(script_case_free);
  for (guint i = 0; i < names->len; i++) {
    ScriptCase *sc = g_new0(ScriptCase, 1);
    g_autofree char *stem = g_strndup(file, strlen(file) - strlen(".lua"));
    g_autofree char *path = g_strdup_printf("/lua/%s/%s", stem, (char *)names->pdata[i] + strlen("test_"));
    sc->vm = i == 0 ? vm : NULL;   /* the first case owns the VM */
    sc->env = env;
    sc->function = names->pdata[i];
    g_ptr_array_add(script_cases, sc);
    g_test_add_data_func(path, sc, run_script_case);
  }
}

/* ---- warnings ---- */


static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                                       gpointer data) {
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) {
    for (gsize i = 0; i < n_fields; i++) {
      if (strcmp(fields[i].key, "MESSAGE") != 0) continue;
      g_mutex_lock(&warnings_lock);
      g_ptr_array_add(warnings, g_strdup(fields[i].value));
      g_mutex_unlock(&warnings_lock);
    }
  }
  return g_log_writer_default(level, fields, n_fields, data);
}

void tsr_lua_test_capture_warnings(void) {
  warnings = g_ptr_array_new_with_free_func(g_free);
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_ERROR);
  g_log_set_writer_func(capture_writer, NULL, NULL);
}

guint tsr_lua_test_take_warnings(const char *text) {
  guint n = 0;
  g_mutex_lock(&warnings_lock);
  for (guint i = 0; i < warnings->len; i++)
    if (strstr(g_ptr_array_index(warnings, i), text)) n++;
  g_ptr_array_set_size(warnings, 0);
  g_mutex_unlock(&warnings_lock);
  return n;
}
