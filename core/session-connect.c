/* session-connect.c: choosing a backend and connecting to it. A backend
 * that cannot be reached is marked down and the next one is tried; when
 * none answers the client gets ERR 9001. */
#define G_LOG_DOMAIN "core"
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "session-private.h"
#include "core-error.h"

static void try_next_backend(TsrSession *s);

/* Notes why a backend failed, for the error the client may get. */
static void note_failure(TsrSession *s, TsrBackend *b, const char *why) {
  gsize len = strlen(s->connect_errors);
  g_snprintf(s->connect_errors + len, sizeof s->connect_errors - len, "%s%s: %s", len ? "; " : "", b->name, why);
  if (tsr_backend_mark_down(b))
    g_warning("backend %s is down: %s", b->name, why);
}

/* Drops the connection being set up (it did not work). */
static void drop_server(TsrSession *s) {
  TsrServerConn *sc = s->server, **pp;
  if (!sc) return;
  for (pp = &s->servers; *pp; pp = &(*pp)->next)
    if (*pp == sc) {
      *pp = sc->next;
      break;
    }
  tsr_conn_close(&sc->conn);
  g_free(sc);
  s->server = NULL;
}

/* Events of a connection the session holds but does not use now: the
 * server may only close it (wait_timeout, a restart); it leaves the
 * session, which opens a new one when a query needs that backend. */
static void idle_server_io(TsrSession *s, TsrServerConn *sc, TsrIoEvent what) {
  TsrServerConn **pp;
  if (what == TSR_IO_READ) {
    evbuffer_drain(sc->conn.in, evbuffer_get_length(sc->conn.in));
    if (!sc->conn.read_eof) return;
  } else if (what == TSR_IO_DRAINED) {
    return;
  }
  g_message("client %s: backend %s closed an idle connection of the session", s->client.name, sc->backend->name);
  for (pp = &s->servers; *pp; pp = &(*pp)->next)
    if (*pp == sc) {
      *pp = sc->next;
      break;
    }
  sc->next = NULL;
  tsr_server_conn_free(sc);
}

void tsr_session_on_server_io(TsrConn *c, TsrIoEvent what, gpointer owner) {
  TsrSession *s = owner;
  TsrServerConn *sc = s->server;

  if (!sc || c != &sc->conn) {
    idle_server_io(s, (TsrServerConn *)(void *)((char *)c - offsetof(TsrServerConn, conn)), what);
    return;
  }

  if (s->state == TSR_SESSION_CONNECT_SERVER && sc && c == &sc->conn) {
    if (what == TSR_IO_CONNECTED) {
      tsr_backend_mark_up(sc->backend);
      g_atomic_int_add(&sc->backend->connected_clients, 1);
      g_debug("client %s: connected to backend %s", s->client.name, sc->backend->name);
      tsr_session_set_state(s, TSR_SESSION_READ_HANDSHAKE);
      tsr_conn_set_reading(c, TRUE);
      tsr_session_drive(s);
      return;
    }
    note_failure(s, sc->backend, what == TSR_IO_TIMEOUT ? "connect timed out (--proxy-connect-timeout)"
                                                        : g_strerror(c->error));
    drop_server(s);
    try_next_backend(s);
    return;
  }
  switch (what) {
  case TSR_IO_READ:
  case TSR_IO_DRAINED:
    tsr_session_drive(s);
    return;
  case TSR_IO_EOF:
    tsr_session_server_lost(s, "the backend closed the connection");
    tsr_session_drive(s);
    return;
  case TSR_IO_TIMEOUT:
    tsr_session_server_lost(s, "the backend did not take data in time (--proxy-write-timeout)");
    tsr_session_drive(s);
    return;
  case TSR_IO_ERROR:
  case TSR_IO_CONNECTED:
  default:
    tsr_session_server_lost(s, g_strerror(c->error));
    tsr_session_drive(s);
    return;
  }
}

/* Starts a connect to backend b. Returns FALSE when it failed at once. */
static gboolean start_connect(TsrSession *s, TsrBackend *b) {
  TsrServerConn *sc = g_new0(TsrServerConn, 1);
  sc->backend = b;
  sc->next = s->servers;
  s->servers = sc;
  s->server = sc;
  if (tsr_conn_connect(&sc->conn, s->owner->base, (const struct sockaddr *)&b->addr, b->addr_len,
                       &s->owner->config->connect_timeout, tsr_session_on_server_io, s)) {
    sc->conn.write_timeout = s->owner->write_timeout;
    g_strlcpy(sc->conn.name, b->name, sizeof sc->conn.name);
    return TRUE;
  }
  sc->conn.fd = -1;
  if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
    /* tessera's own shortage says nothing about the backend. */
    s->out_of_resources = errno;
    drop_server(s);
    return FALSE;
  }
  note_failure(s, b, g_strerror(errno));
  drop_server(s);
  return FALSE;
}

/* A connection opened for a command of a logged-in client failed: the
 * command gets the error and the client stays connected (its other
 * backend connections serve its next commands). */
static gboolean command_connect_failed(TsrSession *s, guint16 code, const char *sqlstate, const char *message) {
  if (!s->login || !s->login->client_ok_sent || !s->busy) return FALSE;
  if (!s->answered) tsr_session_send_error(s, 1, code, sqlstate, "%s", message);
  s->answered = TRUE;
  tsr_session_queue_free(s);
  tsr_session_set_busy(s, FALSE);
  tsr_session_set_state(s, s->close_after_command ? TSR_SESSION_CLOSING : TSR_SESSION_READ_QUERY);
  tsr_session_drive(s);
  return TRUE;
}

/* No backend of the connect order could be reached. */
static void connect_failed(TsrSession *s, guint16 code, const char *sqlstate, const char *message) {
  if (command_connect_failed(s, code, sqlstate, message)) return;
  tsr_session_fail(s, tsr_session_login_error_seq(s), code, sqlstate, "%s", message);
  tsr_session_drive(s);
}

static void try_next_backend(TsrSession *s) {
  const TsrBackendList *list = s->owner->config->backends;
  g_autofree char *message = NULL;
  while (s->connect_next < s->connect_count) {
    TsrBackend *b = tsr_backend_list_get(list, s->connect_order[s->connect_next++]);
    if (start_connect(s, b)) return;
    if (s->out_of_resources) {
      message = g_strdup_printf("Too many connections: tessera cannot open a backend connection (%s); raise "
                                "--max-open-files or the system's limits",
                                g_strerror(s->out_of_resources));
      connect_failed(s, TSR_ER_CON_COUNT_ERROR, "08004", message);
      return;
    }
  }
  message = g_strdup_printf("tessera: no backend could be reached (%s); check that the MySQL servers are running "
                            "and reachable at the addresses tessera was given",
                            s->connect_errors[0] ? s->connect_errors : "no backends configured");
  connect_failed(s, TSR_ER_BACKEND_UNAVAILABLE, "08S01", message);
}

/* Takes s->server out of the session and closes it. */
static void forget_server(TsrSession *s) {
  TsrServerConn **pp;
  for (pp = &s->servers; *pp; pp = &(*pp)->next)
    if (*pp == s->server) {
      *pp = s->server->next;
      break;
    }
  s->server->next = NULL;
  tsr_server_conn_free(s->server);
  s->server = NULL;
}

gboolean tsr_session_outlive_server(TsrSession *s, const char *why) {
  char name[sizeof s->server->conn.name];
  if (!s->owner->outlive_server_loss || !s->login || !s->login->client_ok_sent || !s->server) return FALSE;
  g_strlcpy(name, s->server->backend->name, sizeof name);
  if (s->state == TSR_SESSION_READ_QUERY && !s->busy) {
    g_message("client %s: backend %s closed an idle connection of the session (%s)", s->client.name, name, why);
    forget_server(s);
    return TRUE;
  }
  /* The client has seen nothing of the query's answer yet. */
  if (s->state != TSR_SESSION_RELAY || !s->current || s->client_turn ||
      (s->current->streamed ? s->down.moved > 0 : s->answered))
    return FALSE;
  g_warning("client %s: lost backend %s during a query: %s", s->client.name, name, why);
  forget_server(s);
  tsr_query_lost(s);
  return TRUE;
}

/* Puts the backend a script chose first in the connect order. */
static void prefer_backend(TsrSession *s, guint index) {
  guint i = 0;
  while (i < s->connect_count && s->connect_order[i] != index) i++;
  if (i == s->connect_count) {
    if (s->connect_count == G_N_ELEMENTS(s->connect_order)) return;
    s->connect_count++;
  }
  memmove(s->connect_order + 1, s->connect_order, i * sizeof s->connect_order[0]);
  s->connect_order[0] = index;
}

void tsr_session_set_fallback(TsrSession *s, guint backend, guint fallback) {
  guint pair[2] = {backend, fallback};
  if (!s->fallbacks) s->fallbacks = g_array_new(FALSE, FALSE, sizeof pair);
  g_array_append_val(s->fallbacks, pair);
}

gint tsr_session_fallback(const TsrSession *s, guint index) {
  for (guint i = 0; s->fallbacks && i < s->fallbacks->len; i++) {
    const guint *pair = &g_array_index(s->fallbacks, guint, 2 * i);
    if (pair[0] == index) return (gint)pair[1];
  }
  return -1;
}

void tsr_session_connect_backend(TsrSession *s, guint index) {
  gint fallback = tsr_session_fallback(s, index);
  s->connect_order[0] = index;
  s->connect_order[1] = fallback >= 0 ? (guint)fallback : index;
  s->connect_count = fallback >= 0 ? 2 : 1;
  s->connect_next = 0;
  s->connect_errors[0] = 0;
  tsr_session_set_state(s, TSR_SESSION_CONNECT_SERVER);
  try_next_backend(s);
}

void tsr_session_connect_first(TsrSession *s) {
  const TsrBackendList *list = s->owner->config->backends;
  s->connect_count = tsr_backend_list_order(list, TSR_BACKEND_TYPE_RW, s->connect_order,
                                            G_N_ELEMENTS(s->connect_order));
  s->connect_next = 0;
  if (!tsr_session_run_phase(s, TSR_HOOK_CONNECT_SERVER, NULL, 0, 0xFF)) {
    tsr_session_drive(s);
    return;
  }
  if (s->preferred_backend >= 0) prefer_backend(s, (guint)s->preferred_backend);
  try_next_backend(s);
}
