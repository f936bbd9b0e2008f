/* admin-conn.c: an admin endpoint client: login, then one answer per
 * command. Every packet is answered in the same call that reads it; the
 * output is small, so a client that stops reading only pauses its own
 * reading (high-water mark), never the thread. */
#define G_LOG_DOMAIN "admin"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "admin-conn.h"
#include "admin-answer.h"
#include "core/core-error.h"
#include "core/netconn.h"
#include "core/pump.h"
#include "protocol/mysql-command.h"
#include "protocol/mysql-handshake.h"

/* Largest login packet and command accepted. */
#define MAX_LOGIN_PACKET (64u * 1024u)
#define MAX_COMMAND_PACKET (1024u * 1024u)

/* What the greeting offers; the client's flags are cut down to these. No
 * TLS, no compression, no CLIENT_DEPRECATE_EOF, one statement per query. */
#define ADMIN_CAPABILITIES                                                                                   \
  (TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_FOUND_ROWS | TSR_CLIENT_LONG_FLAG | TSR_CLIENT_CONNECT_WITH_DB |     \
   TSR_CLIENT_NO_SCHEMA | TSR_CLIENT_IGNORE_SPACE | TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_INTERACTIVE |          \
   TSR_CLIENT_IGNORE_SIGPIPE | TSR_CLIENT_TRANSACTIONS | TSR_CLIENT_SECURE_CONNECTION | TSR_CLIENT_PLUGIN_AUTH | \
   TSR_CLIENT_CONNECT_ATTRS | TSR_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)

static const struct timeval login_timeout = {10, 0};     /* the whole login */
static const struct timeval idle_timeout = {28800, 0};   /* between commands, as MySQL's wait_timeout */
static const struct timeval write_timeout = {30, 0};

typedef enum {
  ADMIN_GREETED,        /* waits for the HandshakeResponse */
  ADMIN_AUTH_SWITCHED,  /* waits for the AuthSwitchResponse */
  ADMIN_READY,          /* logged in: waits for commands */
  ADMIN_CLOSING,        /* sends what is left, then closes */
} AdminState;

struct TsrAdminConn {
  TsrConn conn;
  AdminState state;
  const TsrAdminConfig *config;
  guint32 id;
  guint8 scramble[TSR_SCRAMBLE_LEN];
  guint32 caps;                 /* agreed with the client */
  guint8 next_seq;              /* login: the sequence id the client sends next */
  char *user;                   /* as the client gave it (valid UTF-8) */
  char *database;               /* chosen at login or by COM_INIT_DB; NULL: none */
  char host[64];                /* the client's address without port, as MySQL names hosts */
  TsrAdminConnDone done;
  gpointer done_data;
};

static void on_event(TsrConn *conn, TsrIoEvent what, gpointer owner);

/* ---- output ---- */

/* Queues the answer's packets, the first with sequence id seq. */
static void send_answer(TsrAdminConn *c, const TsrAdminAnswer *a, guint8 seq) {
  g_autoptr(GByteArray) frames = g_byte_array_new();
  tsr_admin_answer_encode(frames, a, c->caps, seq);
  evbuffer_add(c->conn.out, frames->data, frames->len);
}

static void send_ok(TsrAdminConn *c, guint8 seq) {
  TsrAdminAnswer a = {.kind = TSR_ADMIN_ANSWER_OK};
  send_answer(c, &a, seq);
}

/* Queues an ERR packet and keeps the connection. */
static void send_error(TsrAdminConn *c, guint8 seq, guint16 code, const char *sqlstate, const char *message) {
  TsrAdminAnswer a = {.kind = TSR_ADMIN_ANSWER_ERR, .code = code, .sqlstate = sqlstate, .message = (char *)message};
  send_answer(c, &a, seq);
}

/* Queues an ERR packet and closes once it is sent. */
static void fail(TsrAdminConn *c, guint8 seq, guint16 code, const char *sqlstate, const char *message) {
  g_info("admin client %s: %s", c->conn.name, message);
  send_error(c, seq, code, sqlstate, message);
  c->state = ADMIN_CLOSING;
}

/* Ends the connection and frees it. */
static void finish(TsrAdminConn *c) {
  TsrAdminConnDone done = c->done;
  gpointer data = c->done_data;
  if (done) done(c, data);
  tsr_admin_conn_free(c);
}

/* ---- login ---- */

/* Returns the bytes of a slice as valid UTF-8 (newly allocated). */
static char *slice_text(TsrSlice s) {
  return s.data ? g_utf8_make_valid((const char *)s.data, (gssize)s.len) : g_strdup("");
}

static void send_greeting(TsrAdminConn *c) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GByteArray) frames = g_byte_array_new();
  TsrHandshakeV10 hs = {
    .protocol_version = 10,
    .server_version = {(const guint8 *)c->config->server_version, strlen(c->config->server_version)},
    .connection_id = c->id,
    .scramble_len = TSR_SCRAMBLE_LEN,
    .capabilities = ADMIN_CAPABILITIES,
    .charset = TSR_CHARSET_UTF8MB4_GENERAL_CI,
    .status = TSR_SERVER_STATUS_AUTOCOMMIT,
    .auth_plugin_name = {(const guint8 *)TSR_NATIVE_PLUGIN_NAME, strlen(TSR_NATIVE_PLUGIN_NAME)},
  };
  memcpy(hs.scramble, c->scramble, TSR_SCRAMBLE_LEN);
  tsr_handshake_v10_encode(payload, &hs);
  tsr_packet_encode(frames, 0, payload->data, payload->len);
  evbuffer_add(c->conn.out, frames->data, frames->len);
  c->next_seq = 1;
}

/* Asks the client to answer the scramble with mysql_native_password. */
static void send_auth_switch(TsrAdminConn *c, guint8 seq) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GByteArray) frames = g_byte_array_new();
  guint8 data[TSR_SCRAMBLE_LEN + 1];
  TsrAuthSwitchRequest req = {
    .plugin_name = {(const guint8 *)TSR_NATIVE_PLUGIN_NAME, strlen(TSR_NATIVE_PLUGIN_NAME)},
    .data = {data, sizeof data},
  };
  memcpy(data, c->scramble, TSR_SCRAMBLE_LEN);
  data[TSR_SCRAMBLE_LEN] = '\0';
  tsr_auth_switch_request_encode(payload, &req);
  tsr_packet_encode(frames, seq, payload->data, payload->len);
  evbuffer_add(c->conn.out, frames->data, frames->len);
  c->next_seq = (guint8)(seq + 1);
  c->state = ADMIN_AUTH_SWITCHED;
}

/* Checks the account and answers OK (ready for commands) or ERR 1045. */
static void check_credentials(TsrAdminConn *c, TsrSlice response, guint8 seq) {
  g_autofree char *message = NULL;
  if (strcmp(c->user, c->config->username) == 0 &&
      tsr_native_check(response.data, response.len, c->scramble, TSR_SCRAMBLE_LEN, c->config->password_hash)) {
    send_ok(c, seq);
    c->state = ADMIN_READY;
    /* Re-arm reading with the idle timeout instead of the login's. */
    c->conn.read_timeout = &idle_timeout;
    tsr_conn_set_reading(&c->conn, FALSE);
    g_info("admin client %s logged in as '%s'", c->conn.name, c->user);
    return;
  }
  message = g_strdup_printf("Access denied for user '%s'@'%s' (using password: %s)", c->user, c->host,
                            response.len ? "YES" : "NO");
  g_message("admin client %s: %s", c->conn.name, message);
  send_error(c, seq, TSR_ADMIN_ER_ACCESS_DENIED, "28000", message);
  c->state = ADMIN_CLOSING;
}

/* TRUE when the client starts with a method other than ours. */
static gboolean needs_switch(const TsrHandshakeResponse *resp) {
  const TsrSlice *p = &resp->auth_plugin_name;
  if (!(resp->capabilities & TSR_CLIENT_PLUGIN_AUTH) || !p->data) return FALSE;
  return p->len != strlen(TSR_NATIVE_PLUGIN_NAME) || memcmp(p->data, TSR_NATIVE_PLUGIN_NAME, p->len) != 0;
}

static void on_handshake_response(TsrAdminConn *c, const GByteArray *payload, guint8 last_seq) {
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  TsrHandshakeResponse resp;
  guint8 seq = (guint8)(last_seq + 1);

  if (tsr_handshake_response_is_ssl_request(payload->data, payload->len)) {
    fail(c, seq, TSR_ER_TLS_UNSUPPORTED, "08004",
         "the tessera admin endpoint does not offer TLS: connect without TLS (mariadb --skip-ssl, "
         "ssl-mode=DISABLED)");
    return;
  }
  if (tsr_handshake_response_decode(payload->data, payload->len, &resp, &error) != TSR_DECODE_OK ||
      !(resp.capabilities & TSR_CLIENT_PROTOCOL_41)) {
    message = g_strdup_printf("Bad handshake: %s", error ? error->message : "the client does not speak protocol 4.1");
    fail(c, seq, TSR_ER_HANDSHAKE_ERROR, "08S01", message);
    return;
  }
  c->caps = resp.capabilities & ADMIN_CAPABILITIES;
  c->user = slice_text(resp.username);
  if (resp.database.data && resp.database.len) c->database = slice_text(resp.database);
  if (needs_switch(&resp)) {
    send_auth_switch(c, seq);
    return;
  }
  check_credentials(c, resp.auth_response, seq);
}

/* ---- commands ---- */

static void answer_query(TsrAdminConn *c, const GByteArray *payload, guint8 seq) {
  g_autofree char *user = g_strdup_printf("%s@%s", c->user, c->host);
  TsrAdminSessionInfo info = {
    .version = c->config->server_version,
    .version_comment = c->config->version_comment,
    .user = user,
    .database = c->database,
    .connection_id = c->id,
  };
  TsrAdminAnswer a = {0};
  tsr_admin_answer_query((const char *)payload->data + 1, payload->len - 1, &info, &a);
  g_debug("admin client %s: query answered with %s", c->conn.name,
          a.kind == TSR_ADMIN_ANSWER_ERR ? a.message : "a result");
  send_answer(c, &a, seq);
  tsr_admin_answer_clear(&a);
}

/* COM_SET_OPTION: 2 bytes, multi-statements on (0) or off (1); answered with
 * EOF as MySQL does. */
static void answer_set_option(TsrAdminConn *c, const GByteArray *payload, guint8 seq) {
  TsrAdminAnswer eof = {.kind = TSR_ADMIN_ANSWER_EOF};
  if (payload->len != 3) {
    send_error(c, seq, TSR_ER_MALFORMED_PACKET, "HY000", "Malformed communication packet (COM_SET_OPTION)");
    return;
  }
  if (payload->data[1] > 1 || payload->data[2] != 0) {
    send_error(c, seq, TSR_ER_UNKNOWN_COM_ERROR, "08S01", "Unknown command: COM_SET_OPTION takes 0 or 1");
    return;
  }
  send_answer(c, &eof, seq);
}

static void answer_unknown(TsrAdminConn *c, guint8 command, guint8 seq) {
  g_autofree char *message = g_strdup_printf(
    "Unknown command: tessera admin does not answer %s; it answers COM_QUERY (try SHOW TABLES), COM_PING, "
    "COM_INIT_DB, COM_SET_OPTION and COM_QUIT",
    tsr_command_name(command));
  send_error(c, seq, TSR_ER_UNKNOWN_COM_ERROR, "08S01", message);
}

static void on_command(TsrAdminConn *c, const GByteArray *payload, guint8 first_seq) {
  guint8 seq = (guint8)(first_seq + 1);
  if (first_seq != 0) {
    fail(c, seq, TSR_ER_NET_PACKETS_OUT_OF_ORDER, "08S01", "Got packets out of order");
    return;
  }
  if (payload->len == 0) {
    fail(c, seq, TSR_ER_MALFORMED_PACKET, "HY000", "Malformed communication packet (empty command)");
    return;
  }
  switch (payload->data[0]) {
  case TSR_COM_QUIT:
    c->state = ADMIN_CLOSING;
    return;
  case TSR_COM_INIT_DB:
    g_free(c->database);
    c->database = slice_text((TsrSlice){payload->data + 1, payload->len - 1});
    send_ok(c, seq);
    return;
  case TSR_COM_PING:
    send_ok(c, seq);
    return;
  case TSR_COM_SET_OPTION:
    answer_set_option(c, payload, seq);
    return;
  case TSR_COM_QUERY:
    answer_query(c, payload, seq);
    return;
  default:
    answer_unknown(c, payload->data[0], seq);
    return;
  }
}

/* ---- reading ---- */

/* Takes one packet off the input and handles it. Returns FALSE when no
 * whole packet is there, or the connection is closing. */
static gboolean serve_one(TsrAdminConn *c) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autoptr(GError) error = NULL;
  guint8 first_seq, last_seq;
  gsize max = c->state == ADMIN_READY ? MAX_COMMAND_PACKET : MAX_LOGIN_PACKET;
  TsrDecodeStatus st = tsr_evbuffer_take_packet(c->conn.in, max, payload, &first_seq, &last_seq, &error);

  if (st == TSR_DECODE_NEED_MORE) return FALSE;
  if (st != TSR_DECODE_OK) {
    if (g_error_matches(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TOO_LARGE))
      fail(c, 1, TSR_ER_NET_PACKET_TOO_LARGE, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
    else
      fail(c, 1, TSR_ER_NET_PACKETS_OUT_OF_ORDER, "08S01", "Got packets out of order");
    return FALSE;
  }
  if (c->state != ADMIN_READY && first_seq != c->next_seq) {
    fail(c, (guint8)(last_seq + 1), TSR_ER_NET_PACKETS_OUT_OF_ORDER, "08S01", "Got packets out of order");
    return FALSE;
  }
  if (c->state == ADMIN_GREETED)
    on_handshake_response(c, payload, last_seq);
  else if (c->state == ADMIN_AUTH_SWITCHED)
    check_credentials(c, (TsrSlice){payload->data, payload->len}, (guint8)(last_seq + 1));
  else
    on_command(c, payload, first_seq);
  return c->state != ADMIN_CLOSING;
}

/* Answers every whole packet that has arrived, sends, and decides whether
 * to read on. May free c. */
static void serve(TsrAdminConn *c) {
  while (c->state != ADMIN_CLOSING && !tsr_conn_is_full(&c->conn) && serve_one(c)) {
  }
  if (!tsr_conn_flush(&c->conn)) {
    finish(c);
    return;
  }
  if (c->state == ADMIN_CLOSING) {
    if (tsr_conn_pending(&c->conn) == 0) {
      finish(c);
      return;
    }
    tsr_conn_set_reading(&c->conn, FALSE);
    return;
  }
  tsr_conn_set_reading(&c->conn, !tsr_conn_is_full(&c->conn));
}

static void on_event(TsrConn *conn, TsrIoEvent what, gpointer owner) {
  TsrAdminConn *c = owner;
  switch (what) {
  case TSR_IO_READ:
  case TSR_IO_DRAINED:
    serve(c);
    return;
  case TSR_IO_TIMEOUT:
    g_info("admin client %s: timed out %s", c->conn.name, c->state == ADMIN_READY ? "idle" : "in the login");
    finish(c);
    return;
  case TSR_IO_EOF:
  case TSR_IO_ERROR:
  case TSR_IO_CONNECTED:
  default:
    finish(c);
    return;
  }
}

/* ---- life ---- */

/* Writes the client's address without port into buf, "localhost" for a
 * unix socket. */
static void format_host(const struct sockaddr *peer, char *buf, gsize len) {
  if (peer->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, buf, (socklen_t)len);
  else if (peer->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, buf, (socklen_t)len);
  else
    g_strlcpy(buf, "localhost", len);
}

TsrAdminConn *tsr_admin_conn_new(struct event_base *base, int fd, const struct sockaddr *peer, socklen_t peer_len,
                                 const TsrAdminConfig *config, guint32 id, TsrAdminConnDone done, gpointer data) {
  TsrAdminConn *c = g_new0(TsrAdminConn, 1);
  if (!tsr_conn_init(&c->conn, base, fd, on_event, c)) {
    g_free(c);
    return NULL;
  }
  tsr_sockaddr_format(peer, peer_len, c->conn.name, sizeof c->conn.name);
  format_host(peer, c->host, sizeof c->host);
  c->conn.read_timeout = &login_timeout;
  c->conn.write_timeout = &write_timeout;
  c->config = config;
  c->id = id;
  c->done = done;
  c->done_data = data;
  c->state = ADMIN_GREETED;
  tsr_scramble_generate(c->scramble, TSR_SCRAMBLE_LEN);
  send_greeting(c);
  if (!tsr_conn_flush(&c->conn)) {
    tsr_admin_conn_free(c);
    return NULL;
  }
  tsr_conn_set_reading(&c->conn, TRUE);
  return c;
}

void tsr_admin_conn_free(TsrAdminConn *c) {
  if (!c) return;
  tsr_conn_close(&c->conn);
  g_free(c->user);
  g_free(c->database);
  g_free(c);
}
