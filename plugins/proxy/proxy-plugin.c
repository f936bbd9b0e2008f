/* proxy-plugin.c: the "proxy" plugin: MySQL Proxy's --proxy-* options, the
 * backend list, a listener and a session owner on every worker. */
#define G_LOG_DOMAIN "proxy"
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <sys/un.h>

#include "chassis/chassis-plugin.h"
#include "core/admin-tables.h"
#include "core/auth-users.h"
#include "core/session-layer.h"
#include "core/core-error.h"
#include "core/session.h"
#include "lua/lua-session.h"
#include "proxy-listener.h"
#include "tessera-config.h"

#define DEFAULT_PROXY_ADDRESS ":4040"
#define DEFAULT_BACKEND "127.0.0.1:3306"

typedef struct {
  /* Options. */
  char *address;
  char **backend_addresses;
  char **ro_backend_addresses;
  char **users;                /* --proxy-user: "name:password" or "name:*HASH" */
  char *lua_script;
  gboolean lua_allow_unsafe;
  gint64 lua_instruction_budget;
  char *lua_path;              /* the chassis's --lua-path (LUA_PATH) */
  double connect_timeout;
  double read_timeout;
  double write_timeout;
  /* Running state. */
  GOptionEntry *entries;
  TsrProxyConfig config;
  TsrBackendList *backends;
  TsrChassis *chassis;
  guint workers;
  TsrSessionOwner *owners;     /* one per worker */
  TsrListener **listeners;     /* one per worker */
  TsrLuaWorker **scripting;    /* one per worker, or NULL without a script */
  TsrSharedStore *shared;      /* proxy.global, for every worker */
  gboolean unix_socket;
  const TsrSessionLayer *layer; /* the layer wrapping the hooks, or NULL */
  gboolean admin_table;        /* the backends admin table is registered */
} ProxyPlugin;

static gpointer proxy_create(void) {
  ProxyPlugin *p = g_new0(ProxyPlugin, 1);
  p->connect_timeout = 2.0;
  p->read_timeout = 8 * 3600.0;
  p->write_timeout = 8 * 3600.0;
  p->lua_instruction_budget = TSR_LUA_DEFAULT_INSTRUCTION_BUDGET;
  return p;
}

static const GOptionEntry *proxy_options(gpointer state) {
  ProxyPlugin *p = state;
  const GOptionEntry entries[] = {
    {"proxy-address", 'P', 0, G_OPTION_ARG_STRING, &p->address,
     "Listening address:port of the proxy (default: " DEFAULT_PROXY_ADDRESS ")", "<host:port>"},
    {"proxy-backend-addresses", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &p->backend_addresses,
     "Address:port or socket path of a read-write MySQL server, repeatable (default: " DEFAULT_BACKEND ")",
     "<host:port>"},
    {"proxy-read-only-backend-addresses", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &p->ro_backend_addresses,
     "Address:port or socket path of a read-only MySQL server, repeatable", "<host:port>"},
    {"proxy-user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p->users,
     "Authenticate clients in tessera: an account as name:password or name:*HASH (mysql.user's form), "
     "repeatable; backends are logged in to with the same account",
     "<name:password>"},
    {"proxy-lua-script", 's', 0, G_OPTION_ARG_FILENAME, &p->lua_script,
     "Lua script (MySQL Proxy 0.8 API) that sees every phase of every connection", "<file>"},
    {"lua-allow-unsafe", 0, 0, G_OPTION_ARG_NONE, &p->lua_allow_unsafe,
     "Run the script without the sandbox (io, os, debug, ffi...)", NULL},
    {"lua-instruction-budget", 0, 0, G_OPTION_ARG_INT64, &p->lua_instruction_budget,
     "Lua instructions one call into the script may run; 0: no limit (default: 10000000)", "<count>"},
    {"proxy-connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &p->connect_timeout,
     "Seconds to wait for a backend connect (default: 2.0)", "<seconds>"},
    {"proxy-read-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &p->read_timeout,
     "Seconds a client may stay silent before it is disconnected (default: 28800)", "<seconds>"},
    {"proxy-write-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &p->write_timeout,
     "Seconds a peer may refuse data before it is disconnected (default: 28800)", "<seconds>"},
    {NULL},
  };
  p->entries = g_memdup2(entries, sizeof entries);
  return p->entries;
}

/* Converts seconds to a timeval; FALSE when not a positive finite number. */
static gboolean seconds_to_timeval(double seconds, struct timeval *tv) {
  if (!isfinite(seconds) || seconds <= 0 || seconds > 1e9) return FALSE;
  tv->tv_sec = (time_t)seconds;
  tv->tv_usec = (suseconds_t)((seconds - (double)tv->tv_sec) * 1e6);
  return TRUE;
}

static gboolean check_timeout(const char *name, double seconds, struct timeval *tv, GError **error) {
  if (seconds_to_timeval(seconds, tv)) return TRUE;
  g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "--%s: '%g' is not a positive number of seconds", name,
              seconds);
  return FALSE;
}

/* Adds every address of a (possibly comma-separated) list. */
static gboolean add_backends(TsrBackendList *list, char **addresses, TsrBackendType type, GError **error) {
  for (char **a = addresses; a && *a; a++) {
    g_auto(GStrv) parts = g_strsplit(*a, ",", -1);
    for (char **part = parts; *part; part++) {
      g_autofree char *addr = g_strstrip(g_strdup(*part));
      if (!*addr) continue;
      if (!tsr_backend_list_add(list, addr, type, error)) {
        g_prefix_error(error, "--proxy-%sbackend-addresses: ", type == TSR_BACKEND_TYPE_RO ? "read-only-" : "");
        return FALSE;
      }
    }
  }
  return TRUE;
}

/* Fills *settings from the --lua-* options. */
static void lua_settings(ProxyPlugin *p, TsrLuaSettings *settings) {
  tsr_lua_settings_init(settings);
  settings->script_path = p->lua_script;
  settings->allow_unsafe = p->lua_allow_unsafe;
  settings->instruction_budget = (guint32)p->lua_instruction_budget;
  settings->lua_path = p->lua_path;
  settings->shared = p->shared;
}

/* Loads the script once, so that one that does not load stops tessera
 * before it detaches. */
static gboolean check_script(ProxyPlugin *p, GError **error) {
  TsrLuaSettings settings;
  g_autoptr(TsrLuaWorker) check = NULL;
  GError *local = NULL;

  if (!p->lua_script) return TRUE;
  p->lua_path = g_strdup(g_getenv("LUA_PATH"));
  if (p->lua_instruction_budget < 0 || p->lua_instruction_budget > G_MAXINT32) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "--lua-instruction-budget: '%" G_GINT64_FORMAT "' is not a count from 0 to %d",
                p->lua_instruction_budget, G_MAXINT32);
    return FALSE;
  }
  lua_settings(p, &settings);
  check = tsr_lua_worker_new(&settings, p->backends, NULL, &local);
  if (!check) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "--proxy-lua-script=%s: %s", p->lua_script,
                local->message);
    g_error_free(local);
    return FALSE;
  }
  return TRUE;
}

/* Makes one scripting VM per worker, all sharing proxy.global. */
static gboolean start_scripting(ProxyPlugin *p, GError **error) {
  TsrLuaSettings settings;
  GError *local = NULL;

  if (!p->lua_script) return TRUE;
  /* Scripts log with print(): a line at a time, even into a file. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  p->shared = tsr_shared_store_new();
  lua_settings(p, &settings);
  p->scripting = g_new0(TsrLuaWorker *, p->workers);
  for (guint i = 0; i < p->workers; i++) {
    p->scripting[i] = tsr_lua_worker_new(&settings, p->backends, &p->owners[i], &local);
    if (!p->scripting[i]) {
      g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "--proxy-lua-script=%s: %s", p->lua_script,
                  local->message);
      g_error_free(local);
      return FALSE;
    }
    p->owners[i].hooks = tsr_lua_session_hooks();
    p->owners[i].hooks_data = p->scripting[i];
  }
  g_message("Lua script %s loaded (%u worker VM(s))", p->lua_script, p->workers);
  return TRUE;
}

/* Puts the registered session layer (the sharding plugin) in front of each
 * worker's hooks. */
static void wrap_hooks(ProxyPlugin *p) {
  const TsrSessionLayer *layer = tsr_session_layer_get();
  if (!layer) return;
  p->layer = layer;
  for (guint i = 0; i < p->workers; i++) {
    TsrSessionOwner *o = &p->owners[i];
    o->hooks_data = layer->wrap(layer->layer_data, i, o, o->hooks, o->hooks_data);
    o->hooks = layer->hooks;
    o->outlive_server_loss = TRUE;
  }
}

/* Builds the account list of --proxy-user (proxy-side authentication). */
static gboolean add_users(ProxyPlugin *p, GError **error) {
  if (!p->users || !p->users[0]) return TRUE;
  p->config.users = tsr_user_list_new();
  for (char **u = p->users; *u; u++) {
    const char *colon = strchr(*u, ':');
    g_autofree char *name = colon ? g_strndup(*u, (gsize)(colon - *u)) : NULL;
    const char *secret = colon ? colon + 1 : NULL;
    if (!name || !*name) {
      g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "--proxy-user: '%s' is not name:password or name:*HASH", *u);
      return FALSE;
    }
    if (!tsr_user_list_add(p->config.users, name, secret[0] == '*' ? NULL : secret, secret[0] == '*' ? secret : NULL,
                           NULL, NULL, error)) {
      g_prefix_error(error, "--proxy-user: ");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean proxy_configure(gpointer state, TsrChassis *chassis, GError **error) {
  ProxyPlugin *p = state;
  const TsrSessionLayer *layer = tsr_session_layer_get();
  if (!p->address) p->address = g_strdup(DEFAULT_PROXY_ADDRESS);
  if (!check_timeout("proxy-connect-timeout", p->connect_timeout, &p->config.connect_timeout, error) ||
      !check_timeout("proxy-read-timeout", p->read_timeout, &p->config.read_timeout, error) ||
      !check_timeout("proxy-write-timeout", p->write_timeout, &p->config.write_timeout, error))
    return FALSE;
  p->backends = tsr_backend_list_new();
  if (!add_backends(p->backends, p->backend_addresses, TSR_BACKEND_TYPE_RW, error) ||
      !add_backends(p->backends, p->ro_backend_addresses, TSR_BACKEND_TYPE_RO, error))
    return FALSE;
  if (!add_users(p, error)) return FALSE;
  if (layer && !layer->configure(layer->layer_data, &p->config, p->backends, error)) return FALSE;
  if (tsr_backend_list_size(p->backends) == 0 &&
      !tsr_backend_list_add(p->backends, DEFAULT_BACKEND, TSR_BACKEND_TYPE_RW, error))
    return FALSE;
  p->config.backends = p->backends;
  return check_script(p, error);
}

static gboolean proxy_start(gpointer state, TsrChassis *chassis, GError **error) {
  ProxyPlugin *p = state;
  int shared_fd = -1;
  p->chassis = chassis;
  p->workers = tsr_chassis_worker_count(chassis);
  p->owners = g_new0(TsrSessionOwner, p->workers);
  p->listeners = g_new0(TsrListener *, p->workers);
  p->unix_socket = p->address[0] == '/';
  if (!start_scripting(p, error)) return FALSE;
  wrap_hooks(p);
  for (guint i = 0; i < p->workers; i++) {
    TsrSessionOwner *o = &p->owners[i];
    o->base = tsr_chassis_worker_base(chassis, i);
    o->config = &p->config;
    g_queue_init(&o->sessions);
    p->listeners[i] = tsr_listener_open(p->address, o, shared_fd, i == 0, error);
    if (!p->listeners[i]) return FALSE;
    if (p->unix_socket) shared_fd = tsr_listener_fd(p->listeners[i]);
  }
  p->admin_table = tsr_admin_table_register(TSR_ADMIN_BACKENDS_TABLE, tsr_admin_backends_columns,
                                            tsr_admin_backends_fill, p->backends, error);
  if (!p->admin_table) return FALSE;
  g_message("proxy listening on %s with %u worker(s), %u backend(s)", p->address, p->workers,
            tsr_backend_list_size(p->backends));
  return TRUE;
}

typedef struct {
  ProxyPlugin *p;
  guint worker;
} WorkerStop;

/* Runs on worker w: stop accepting, close idle sessions. */
static void stop_worker(gpointer data) {
  WorkerStop *ws = data;
  ProxyPlugin *p = ws->p;
  /* Worker 0 owns a shared unix socket; the others only its event. */
  tsr_listener_close(p->listeners[ws->worker], !p->unix_socket || ws->worker == 0);
  p->listeners[ws->worker] = NULL;
  tsr_session_owner_drain(&p->owners[ws->worker]);
  tsr_session_pool_free(&p->owners[ws->worker]);
  g_free(ws);
}

static void proxy_stop(gpointer state, TsrChassis *chassis) {
  ProxyPlugin *p = state;
  for (guint i = 0; i < p->workers; i++) {
    WorkerStop *ws = g_new0(WorkerStop, 1);
    ws->p = p;
    ws->worker = i;
    p->owners[i].draining = TRUE;
    if (!tsr_chassis_run_on_worker(chassis, i, stop_worker, ws)) g_free(ws);
  }
}

static guint proxy_active_count(gpointer state) {
  ProxyPlugin *p = state;
  guint n = 0;
  for (guint i = 0; i < p->workers; i++) n += (guint)g_atomic_int_get(&p->owners[i].open);
  return n;
}

static void proxy_destroy(gpointer state) {
  ProxyPlugin *p = state;
  if (p->admin_table) tsr_admin_table_unregister(TSR_ADMIN_BACKENDS_TABLE);
  if (p->unix_socket && p->address) unlink(p->address);
  for (guint i = 0; p->owners && i < p->workers; i++) tsr_session_pool_free(&p->owners[i]);
  for (guint i = 0; p->layer && i < p->workers; i++) p->layer->unwrap(p->layer->layer_data, p->owners[i].hooks_data);
  for (guint i = 0; p->scripting && i < p->workers; i++) tsr_lua_worker_free(p->scripting[i]);
  g_free(p->scripting);
  tsr_shared_store_unref(p->shared);
  g_free(p->owners);
  g_free(p->listeners);
  tsr_backend_list_free(p->backends);
  g_free(p->entries);
  g_free(p->address);
  g_strfreev(p->backend_addresses);
  g_strfreev(p->ro_backend_addresses);
  g_strfreev(p->users);
  g_clear_pointer(&p->config.users, tsr_user_list_unref);
  g_free(p->lua_script);
  g_free(p->lua_path);
  g_free(p);
}

const TsrPlugin tsr_proxy_plugin = {
  .abi_version = TSR_PLUGIN_ABI_VERSION,
  .name = "proxy",
  .version = TESSERA_VERSION,
  .create = proxy_create,
  .options = proxy_options,
  .configure = proxy_configure,
  .start = proxy_start,
  .stop = proxy_stop,
  .active_count = proxy_active_count,
  .destroy = proxy_destroy,
};
