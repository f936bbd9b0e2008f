/* session.c: session life cycle, the state driver, client I/O and errors. */
#define G_LOG_DOMAIN "core"
#include <stdarg.h>
#include <string.h>

#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-constants.h"

typedef TsrStep (*StateHandler)(TsrSession *s);

static TsrStep state_wait(TsrSession *s) { return TSR_STEP_WAIT; }

static TsrStep state_closing(TsrSession *s) {
  return tsr_conn_pending(&s->client) == 0 ? TSR_STEP_CLOSE : TSR_STEP_WAIT;
}

static const StateHandler state_handlers[TSR_SESSION_STATE_MAX] = {
  [TSR_SESSION_CONNECT_SERVER] = state_wait,
  [TSR_SESSION_READ_HANDSHAKE] = tsr_state_read_handshake,
  [TSR_SESSION_READ_AUTH] = tsr_state_read_auth,
  [TSR_SESSION_RELAY] = tsr_state_relay,
  [TSR_SESSION_READ_QUERY] = tsr_state_read_query,
  [TSR_SESSION_CLOSING] = state_closing,
  [TSR_SESSION_PROXY_AUTH] = tsr_state_proxy_auth,
  [TSR_SESSION_SERVER_LOGIN] = tsr_state_server_login,
};

static void on_client_io(TsrConn *c, TsrIoEvent what, gpointer owner);

void tsr_session_set_state(TsrSession *s, TsrSessionState state) {
  s->state = state;
}

void tsr_session_set_busy(TsrSession *s, gboolean busy) {
  if ((gboolean)s->busy == busy) return;
  s->busy = busy ? 1 : 0;
  g_atomic_int_add(&s->owner->busy, busy ? 1 : -1);
}

void tsr_session_send_error(TsrSession *s, guint8 seq, guint16 code, const char *sqlstate, const char *fmt, ...) {
  g_autoptr(GByteArray) payload = g_byte_array_sized_new(128);
  g_autoptr(GByteArray) packet = g_byte_array_sized_new(132);
  g_autofree char *message = NULL;
  va_list ap;

  va_start(ap, fmt);
  message = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  tsr_err_encode(payload, code, sqlstate, message);
  tsr_packet_encode(packet, seq, payload->data, payload->len);
  s->client_seq = seq;
  if (s->client.out) evbuffer_add(s->client.out, packet->data, packet->len);
}

TsrStep tsr_session_fail(TsrSession *s, guint8 seq, guint16 code, const char *sqlstate, const char *fmt, ...) {
  g_autofree char *message = NULL;
  va_list ap;
  va_start(ap, fmt);
  message = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_message("client %s: closing after error %u: %s", s->client.name, code, message);
  tsr_session_send_error(s, seq, code, sqlstate, "%s", message);
  tsr_session_set_state(s, TSR_SESSION_CLOSING);
  return TSR_STEP_NEXT;
}

void tsr_server_conn_free(TsrServerConn *sc) {
  if (sc->backend && sc->conn.fd >= 0 && !sc->conn.connecting)
    g_atomic_int_add(&sc->backend->connected_clients, -1);
  g_free(sc->version);
  g_free(sc->default_db);
  g_free(sc->username);
  g_clear_pointer(&sc->scramble, g_bytes_unref);
  tsr_conn_close(&sc->conn);
  g_free(sc);
}

static void session_free(TsrSession *s) {
  TsrServerConn *sc;
  const TsrSessionHooks *h = s->owner->hooks;
  if (h && h->close) h->close(s->owner->hooks_data, s, s->hook_state);
  sc = s->servers; /* disconnect_client may have moved one into the pool */
  tsr_session_queue_free(s);
  if (s->fallbacks) g_array_unref(s->fallbacks);
  g_clear_pointer(&s->current, tsr_injection_free);
  if (s->response) g_byte_array_unref(s->response);
  if (s->login) {
    tsr_backend_credentials_clear(&s->login->creds);
    g_free(s->login);
  }
  while (sc) {
    TsrServerConn *next = sc->next;
    tsr_server_conn_free(sc);
    sc = next;
  }
  tsr_session_set_busy(s, FALSE);
  g_queue_unlink(&s->owner->sessions, &s->link);
  g_atomic_int_add(&s->owner->open, -1);
  tsr_conn_close(&s->client);
  g_free(s->username);
  g_free(s->default_db);
  g_free(s->pending_db);
  g_clear_pointer(&s->auth_response, g_bytes_unref);
  g_free(s->auth_plugin);
  g_free(s);
}

/* Turns reading on or off so that no output buffer grows without bound. */
static void apply_backpressure(TsrSession *s) {
  TsrConn *server = s->server && s->server->conn.fd >= 0 && !s->server->conn.connecting ? &s->server->conn : NULL;
  gboolean client_ok = s->state != TSR_SESSION_CLOSING && s->state != TSR_SESSION_CONNECT_SERVER &&
                       s->state != TSR_SESSION_READ_HANDSHAKE && !s->client.read_eof;
  if (server) {
    /* A command read_query needs whole is read whole (up to 16 MiB). */
    client_ok = client_ok && !tsr_conn_is_full(server) &&
                evbuffer_get_length(s->client.in) < MAX(TSR_CONN_HIGH_WATER, s->client_need);
    tsr_conn_set_reading(server, !server->read_eof && !tsr_conn_is_full(&s->client));
  }
  tsr_conn_set_reading(&s->client, client_ok);
}

/* Writes what is pending on both sides. Returns FALSE when the client's
 * socket failed. */
static gboolean flush_all(TsrSession *s) {
  if (s->server && s->server->conn.fd >= 0 && !s->server->conn.connecting && tsr_conn_pending(&s->server->conn))
    if (!tsr_conn_flush(&s->server->conn)) {
      tsr_session_server_lost(s, g_strerror(s->server->conn.error));
    }
  if (tsr_conn_pending(&s->client) && !tsr_conn_flush(&s->client)) return FALSE;
  return TRUE;
}

void tsr_session_drive(TsrSession *s) {
  TsrStep step;
  /* A handler may start something that drives the session again (a
   * connect that fails at once): that run happens here, not nested. */
  if (s->driving) {
    s->drive_again = 1;
    return;
  }
  s->driving = 1;
  do {
    s->drive_again = 0;
    do {
      step = state_handlers[s->state](s);
    } while (step == TSR_STEP_NEXT);
  } while (step != TSR_STEP_CLOSE && s->drive_again);
  s->driving = 0;
  if (step != TSR_STEP_CLOSE && s->state == TSR_SESSION_READ_QUERY && !s->busy && s->close_when_idle)
    tsr_session_set_state(s, TSR_SESSION_CLOSING); /* after the last result is written */
  if (step == TSR_STEP_CLOSE || !flush_all(s) ||
      (s->state == TSR_SESSION_CLOSING && tsr_conn_pending(&s->client) == 0)) {
    session_free(s);
    return;
  }
  apply_backpressure(s);
}

static void on_client_io(TsrConn *c, TsrIoEvent what, gpointer owner) {
  TsrSession *s = owner;
  switch (what) {
  case TSR_IO_READ:
  case TSR_IO_DRAINED:
  case TSR_IO_CONNECTED:
    tsr_session_drive(s);
    return;
  case TSR_IO_EOF:
    /* A client that half-closes after COM_QUIT or mid-command is gone. */
    if (s->state == TSR_SESSION_CLOSING) {
      session_free(s);
      return;
    }
    g_debug("client %s closed the connection", c->name);
    session_free(s);
    return;
  case TSR_IO_TIMEOUT:
    g_message("client %s: no data for %ld s (--proxy-read-timeout or --proxy-write-timeout), closing", c->name,
              (long)s->owner->config->read_timeout.tv_sec);
    session_free(s);
    return;
  case TSR_IO_ERROR:
  default:
    g_debug("client %s: %s", c->name, g_strerror(c->error));
    session_free(s);
    return;
  }
}

/* Writes the client's address without its port (as MySQL names hosts in
 * "Access denied for user 'u'@'host'"). */
static void client_host(const struct sockaddr *peer, socklen_t len, char *buf, gsize buf_len) {
  char *colon;
  tsr_sockaddr_format(peer, len, buf, buf_len);
  colon = peer->sa_family == AF_UNIX ? NULL : strrchr(buf, ':');
  if (colon) *colon = 0;
  if (buf[0] == '[') {
    memmove(buf, buf + 1, strlen(buf));
    if ((colon = strrchr(buf, ']'))) *colon = 0;
  }
  if (peer->sa_family == AF_UNIX || strcmp(buf, "127.0.0.1") == 0 || strcmp(buf, "::1") == 0)
    g_strlcpy(buf, "localhost", buf_len);
}

gboolean tsr_session_start(TsrSessionOwner *owner, int fd, const struct sockaddr *peer, socklen_t peer_len) {
  TsrSession *s = g_new0(TsrSession, 1);
  s->owner = owner;
  if (!tsr_conn_init(&s->client, owner->base, fd, on_client_io, s)) {
    g_free(s);
    return FALSE;
  }
  tsr_sockaddr_format(peer, peer_len, s->client.name, sizeof s->client.name);
  if (!owner->read_timeout) {
    /* Common timeouts: re-arming one on every read costs O(1), not a heap
     * update. */
    owner->read_timeout = event_base_init_common_timeout(owner->base, &owner->config->read_timeout);
    owner->write_timeout = event_base_init_common_timeout(owner->base, &owner->config->write_timeout);
    if (!owner->read_timeout) owner->read_timeout = &owner->config->read_timeout;
    if (!owner->write_timeout) owner->write_timeout = &owner->config->write_timeout;
  }
  s->client.read_timeout = owner->read_timeout;
  s->client.write_timeout = owner->write_timeout;
  s->link.data = s;
  g_queue_push_tail_link(&owner->sessions, &s->link);
  g_atomic_int_add(&owner->open, 1);
  s->state = TSR_SESSION_CONNECT_SERVER;
  s->preferred_backend = -1;
  s->server_status = TSR_SERVER_STATUS_AUTOCOMMIT;
  g_queue_init(&s->queries);
  if (owner->hooks && owner->hooks->open) {
    g_autoptr(GError) error = NULL;
    s->hook_state = owner->hooks->open(owner->hooks_data, s, &error);
    if (error) {
      tsr_session_fail(s, 0, TSR_ER_SCRIPT_ERROR, "HY000", "tessera: the proxy script refused the connection: %s",
                       error->message);
      tsr_session_drive(s);
      return TRUE;
    }
  }
  if (owner->config->users) {
    s->login = g_new0(TsrSessionLogin, 1);
    client_host(peer, peer_len, s->login->client_host, sizeof s->login->client_host);
    tsr_login_send_greeting(s);
    return TRUE;
  }
  tsr_session_connect_first(s);
  return TRUE;
}

const char *tsr_session_username(const TsrSession *s) {
  return s->username;
}

const char *tsr_session_default_db(const TsrSession *s) {
  return s->default_db;
}

const char *tsr_session_server_default_db(const TsrSession *s) {
  return s->server ? s->server->default_db : NULL;
}

const char *tsr_session_client_name(const TsrSession *s) {
  return s->client.name;
}

TsrBackend *tsr_session_backend(const TsrSession *s) {
  return s->server ? s->server->backend : NULL;
}

guint32 tsr_session_server_thread_id(const TsrSession *s) {
  return s->server ? s->server->thread_id : 0;
}

guint32 tsr_session_backend_thread_id(const TsrSession *s, guint index) {
  for (const TsrServerConn *sc = s->servers; sc; sc = sc->next)
    if (sc->backend->index == index && sc->authed && sc->conn.fd >= 0) return sc->thread_id;
  return 0;
}

const char *tsr_session_server_version(const TsrSession *s) {
  return s->server ? s->server->version : NULL;
}

GBytes *tsr_session_server_scramble(const TsrSession *s) {
  return s->server ? s->server->scramble : NULL;
}

GBytes *tsr_session_client_auth_response(const TsrSession *s) {
  return s->auth_response;
}

const char *tsr_session_client_auth_plugin(const TsrSession *s) {
  return s->auth_plugin;
}

const TsrBackendList *tsr_session_backends(const TsrSession *s) {
  return s->owner->config->backends;
}

gint tsr_session_chosen_backend(const TsrSession *s) {
  return s->preferred_backend;
}

gboolean tsr_session_set_backend_index(TsrSession *s, guint index) {
  if (index >= tsr_backend_list_size(s->owner->config->backends)) return FALSE;
  s->preferred_backend = (gint)index;
  return TRUE;
}

guint32 tsr_session_capabilities(const TsrSession *s) {
  return s->capabilities;
}

guint16 tsr_session_server_status(const TsrSession *s) {
  return s->server_status;
}

/* getsockname / getpeername of fd into *addr. */
static gboolean socket_address(int fd, gboolean local, struct sockaddr_storage *addr, socklen_t *len) {
  *len = sizeof *addr;
  if (fd < 0) return FALSE;
  return (local ? getsockname(fd, (struct sockaddr *)addr, len) : getpeername(fd, (struct sockaddr *)addr, len)) == 0;
}

gboolean tsr_session_client_sockaddr(const TsrSession *s, gboolean local, struct sockaddr_storage *addr,
                                     socklen_t *len) {
  return socket_address(s->client.fd, local, addr, len);
}

gboolean tsr_session_server_sockaddr(const TsrSession *s, gboolean local, struct sockaddr_storage *addr,
                                     socklen_t *len) {
  if (!s->server || s->server->conn.connecting) return FALSE;
  return socket_address(s->server->conn.fd, local, addr, len);
}

void tsr_session_close_after_command(TsrSession *s) {
  s->close_after_command = 1;
}

void tsr_session_owner_drain(TsrSessionOwner *owner) {
  GList *l = owner->sessions.head;
  owner->draining = TRUE;
  while (l) {
    TsrSession *s = l->data;
    l = l->next;
    s->close_when_idle = 1;
    if (!s->busy && s->state != TSR_SESSION_RELAY) session_free(s);
  }
}
