/* admin-plugin.c: the "admin" plugin: MySQL Proxy's --admin-* options and a
 * MySQL protocol endpoint where one account reads the tables plugins
 * publish (core/admin-tables.h).
 *
 * The endpoint lives on the chassis's main event base, not on a worker:
 * answering it only reads atomics and tables under their own locks, the
 * workers keep all their time for proxy clients, and the endpoint still
 * answers when a worker is busy or stuck. It is the thread the chassis
 * runs stop() on, so closing it needs no hand-off. */
#define G_LOG_DOMAIN "admin"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>
#include <event2/event.h>

#include "chassis/chassis-plugin.h"
#include "core/backend.h"
#include "core/core-error.h"
#include "core/listen.h"
#include "protocol/mysql-frame.h"
#include "admin-answer.h"
#include "admin-conn.h"
#include "tessera-config.h"

#define DEFAULT_ADMIN_ADDRESS ":4041"
#define DEFAULT_ADMIN_PORT 4041
#define ADMIN_BACKLOG 64
/* Clients logged in or logging in at once; more are refused with ERR 1040. */
#define ADMIN_MAX_CLIENTS 64

typedef struct {
  /* Options. */
  char *address;
  char *username;
  char *password;
  char *lua_script;
  /* Running state. */
  GOptionEntry *entries;
  TsrAdminConfig config;
  struct sockaddr_storage addr;
  socklen_t addr_len;
  int fd;
  struct event *accept_ev;
  GHashTable *clients;       /* set of TsrAdminConn* */
  guint32 next_id;
  gboolean help_table;       /* the help table is registered */
} AdminPlugin;

/* The help table, as MySQL Proxy's admin script had it. */
#define HELP_TABLE "help"
static const char *const help_columns[] = {"command", "description", NULL};
static const char *const help_rows[][2] = {
  {"SHOW TABLES", "lists the tables"},
  {"SELECT * FROM help", "shows this help"},
  {"SELECT * FROM backends", "lists the backends: address, state, type, connected clients"},
  {"SELECT * FROM <table> WHERE <column> = <value>",
   "the rows whose column equals the value (numbers compare as numbers, text without regard to case)"},
  {"SELECT * FROM <table> LIMIT <n>", "the first n rows"},
  {"SELECT @@version_comment, VERSION(), USER(), DATABASE(), CONNECTION_ID()", "about this endpoint"},
};

static void help_fill(gpointer data, TsrAdminRows *out) {
  for (gsize i = 0; i < G_N_ELEMENTS(help_rows); i++) tsr_admin_rows_add_row(out, help_rows[i]);
}

static gpointer admin_create(void) {
  AdminPlugin *p = g_new0(AdminPlugin, 1);
  p->fd = -1;
  p->next_id = 1;
  p->clients = g_hash_table_new(g_direct_hash, g_direct_equal);
  p->config.server_version = "5.7.99-tessera-admin-" TESSERA_VERSION;
  p->config.version_comment = "tessera admin endpoint (SHOW TABLES lists what it shows)";
  return p;
}

static const GOptionEntry *admin_options(gpointer state) {
  AdminPlugin *p = state;
  const GOptionEntry entries[] = {
    {"admin-address", 0, 0, G_OPTION_ARG_STRING, &p->address,
     "Listening address:port or socket path of the admin endpoint (default: " DEFAULT_ADMIN_ADDRESS ")",
     "<host:port>"},
    {"admin-username", 0, 0, G_OPTION_ARG_STRING, &p->username, "User name of the admin endpoint (required)",
     "<name>"},
    {"admin-password", 0, 0, G_OPTION_ARG_STRING, &p->password, "Password of the admin endpoint (required)",
     "<password>"},
    {"admin-lua-script", 0, 0, G_OPTION_ARG_FILENAME, &p->lua_script,
     "MySQL Proxy's admin script: not supported, the endpoint answers SQL itself (see docs/admin.md)", "<file>"},
    {NULL},
  };
  p->entries = g_memdup2(entries, sizeof entries);
  return p->entries;
}

static gboolean require(const char *value, const char *option, GError **error) {
  if (value && *value) return TRUE;
  g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
              "--%s needs to be set: the admin endpoint's account is --admin-username and --admin-password", option);
  return FALSE;
}

static gboolean admin_configure(gpointer state, TsrChassis *chassis, GError **error) {
  AdminPlugin *p = state;
  if (p->lua_script) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "--admin-lua-script=%s: tessera's admin endpoint does not run scripts; it answers SHOW TABLES and "
                "SELECT * FROM <table> itself (docs/admin.md): remove the option",
                p->lua_script);
    return FALSE;
  }
  if (!require(p->username, "admin-username", error) || !require(p->password, "admin-password", error))
    return FALSE;
  if (!p->address) p->address = g_strdup(DEFAULT_ADMIN_ADDRESS);
  if (!tsr_address_parse(p->address, DEFAULT_ADMIN_PORT, &p->addr, &p->addr_len, error)) {
    g_prefix_error(error, "--admin-address: ");
    return FALSE;
  }
  p->config.username = p->username;
  tsr_native_hash(p->config.password_hash, p->password, strlen(p->password));
  /* Only the hash is needed from now on. */
  memset(p->password, 0, strlen(p->password));
  return TRUE;
}

/* ---- accepting ---- */

static void on_client_done(TsrAdminConn *c, gpointer data) {
  AdminPlugin *p = data;
  g_hash_table_remove(p->clients, c);
}

/* Answers a client over the limit with ERR 1040 instead of a greeting, and
 * closes it. */
static void refuse(int fd) {
  g_autoptr(GByteArray) frames = g_byte_array_new();
  TsrAdminAnswer a = {
    .kind = TSR_ADMIN_ANSWER_ERR,
    .code = TSR_ADMIN_ER_TOO_MANY_CONNECTIONS,
    .sqlstate = "08004",
    .message = (char *)"Too many connections to the tessera admin endpoint",
  };
  tsr_admin_answer_encode(frames, &a, 0, 0);
  (void)send(fd, frames->data, frames->len, MSG_DONTWAIT | MSG_NOSIGNAL);
  close(fd);
}

static void on_accept(evutil_socket_t fd, short what, void *arg) {
  AdminPlugin *p = arg;
  for (int i = 0; i < ADMIN_BACKLOG; i++) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    TsrAdminConn *c;
    int client = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;
    if (g_hash_table_size(p->clients) >= ADMIN_MAX_CLIENTS) {
      g_warning("admin endpoint: %u clients already, refusing one more", ADMIN_MAX_CLIENTS);
      refuse(client);
      continue;
    }
    c = tsr_admin_conn_new(event_get_base(p->accept_ev), client, (struct sockaddr *)&peer, len, &p->config,
                           p->next_id++, on_client_done, p);
    if (c) g_hash_table_add(p->clients, c);
  }
}

static gboolean admin_start(gpointer state, TsrChassis *chassis, GError **error) {
  AdminPlugin *p = state;
  p->fd = tsr_listen_open("--admin-address", p->address, &p->addr, p->addr_len, TSR_LISTEN_ALONE, ADMIN_BACKLOG, error);
  if (p->fd < 0) return FALSE;
  p->help_table = tsr_admin_table_register(HELP_TABLE, help_columns, help_fill, NULL, error);
  if (!p->help_table) return FALSE;
  p->accept_ev = event_new(tsr_chassis_main_base(chassis), p->fd, EV_READ | EV_PERSIST, on_accept, p);
  event_add(p->accept_ev, NULL);
  g_message("admin endpoint listening on %s", p->address);
  return TRUE;
}

/* Stops listening and closes every client. Safe to call twice. */
static void close_all(AdminPlugin *p) {
  GHashTableIter iter;
  gpointer c;

  g_clear_pointer(&p->accept_ev, event_free);
  if (p->fd >= 0) {
    close(p->fd);
    if (p->addr.ss_family == AF_UNIX) unlink(((const struct sockaddr_un *)&p->addr)->sun_path);
    p->fd = -1;
  }
  g_hash_table_iter_init(&iter, p->clients);
  while (g_hash_table_iter_next(&iter, &c, NULL)) {
    g_hash_table_iter_steal(&iter);
    tsr_admin_conn_free(c);
  }
}

static void admin_stop(gpointer state, TsrChassis *chassis) {
  close_all(state);
}

static void admin_destroy(gpointer state) {
  AdminPlugin *p = state;
  close_all(p);
  if (p->help_table) tsr_admin_table_unregister(HELP_TABLE);
  g_hash_table_unref(p->clients);
  g_free(p->entries);
  g_free(p->address);
  g_free(p->username);
  if (p->password) memset(p->password, 0, strlen(p->password));
  g_free(p->password);
  g_free(p->lua_script);
  g_free(p);
}

const TsrPlugin tsr_admin_plugin = {
  .abi_version = TSR_PLUGIN_ABI_VERSION,
  .name = "admin",
  .version = TESSERA_VERSION,
  .create = admin_create,
  .options = admin_options,
  .configure = admin_configure,
  .start = admin_start,
  .stop = admin_stop,
  .destroy = admin_destroy,
};
