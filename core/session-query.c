/* session-query.c: commands under a script. The client's command goes to
 * the read_query hook, which may let it through, answer it, or replace it
 * with a queue of queries (MySQL Proxy's proxy.queries). Each queued query
 * is sent in turn; its result is streamed to the client when it is the last
 * one and no script asked to see it, else buffered for read_query_result.
 * The client gets exactly one result per command. */
#define G_LOG_DOMAIN "core"
#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-frame.h"
#include <string.h>

/* Largest command handed to read_query: one frame. Longer ones stream. */
#define HOOK_MAX_PACKET (TSR_FRAME_MAX_PAYLOAD - 1)

gboolean tsr_session_has_hook(TsrSession *s, TsrHookId id) {
  const TsrSessionHooks *h = s->owner->hooks;
  return h && h->has(s->owner->hooks_data, s, s->hook_state, id);
}

void tsr_injection_free(TsrInjection *inj) {
  if (!inj) return;
  g_bytes_unref(inj->packet);
  if (inj->result) evbuffer_free(inj->result);
  g_free(inj);
}

void tsr_session_queue_add(TsrSession *s, gint id, const guint8 *packet, gsize len, gboolean resultset_is_needed,
                           gboolean at_front) {
  TsrInjection *inj = g_new0(TsrInjection, 1);
  inj->id = id;
  inj->packet = g_bytes_new(packet, len);
  inj->resultset_is_needed = resultset_is_needed;
  inj->backend = -1;
  if (at_front)
    g_queue_push_head(&s->queries, inj);
  else
    g_queue_push_tail(&s->queries, inj);
}

void tsr_session_queue_add_on(TsrSession *s, guint backend, gint id, const guint8 *packet, gsize len,
                              gboolean resultset_is_needed, gboolean at_front) {
  tsr_session_queue_add(s, id, packet, len, resultset_is_needed, at_front);
  ((TsrInjection *)(at_front ? g_queue_peek_head(&s->queries) : g_queue_peek_tail(&s->queries)))->backend =
    (gint)backend;
}

void tsr_session_queue_reset(TsrSession *s) {
  GList *l = s->queries.head, *next;
  for (; l; l = next) {
    next = l->next;
    if (((TsrInjection *)l->data)->sent) continue; /* on the wire: its answer must still be read */
    tsr_injection_free(l->data);
    g_queue_delete_link(&s->queries, l);
  }
}

void tsr_session_queue_free(TsrSession *s) {
  TsrInjection *inj;
  while ((inj = g_queue_pop_head(&s->queries))) tsr_injection_free(inj);
}

void tsr_session_queue_pipeline_last(TsrSession *s) {
  TsrInjection *inj = g_queue_peek_tail(&s->queries);
  if (inj) inj->pipelined = TRUE;
}

void tsr_session_queue_pin_last(TsrSession *s) {
  TsrInjection *inj = g_queue_peek_tail(&s->queries);
  if (inj) inj->pinned = TRUE;
}

guint tsr_session_queue_length(const TsrSession *s) {
  return s->queries.length;
}

void tsr_session_respond(TsrSession *s, const guint8 *payload, gsize len) {
  if (!s->response) s->response = g_byte_array_new();
  s->response_seq = tsr_packet_encode(s->response, s->response_seq, payload, len);
}

void tsr_session_send_response(TsrSession *s) {
  if (!s->response || !s->response->len) return;
  evbuffer_add(s->client.out, s->response->data, s->response->len);
  s->client_seq = (guint8)(s->response_seq - 1);
  g_byte_array_set_size(s->response, 0);
  s->answered = TRUE;
}

void tsr_session_response_reset(TsrSession *s, guint8 seq) {
  if (s->response) g_byte_array_set_size(s->response, 0);
  s->response_seq = (guint8)(seq + 1);
}

/* The client gets an ERR for a script error; the command is not sent. */
static TsrStep script_failed(TsrSession *s, const char *hook, GError *error) {
  g_warning("client %s: %s failed: %s", s->client.name, hook, error ? error->message : "unknown error");
  if (!s->answered)
    tsr_session_send_error(s, (guint8)(s->response_seq ? s->response_seq : 1), TSR_ER_SCRIPT_ERROR, "HY000",
                           "tessera: the proxy script failed in %s: %s", hook,
                           error ? error->message : "unknown error");
  s->answered = TRUE;
  return TSR_STEP_NEXT;
}

/* Ends the command: the client must have had exactly one answer. */
static TsrStep command_finished(TsrSession *s) {
  if (!s->answered && tsr_command_has_response(s->client_command))
    tsr_session_send_error(s, 1, TSR_ER_SCRIPT_ERROR, "HY000",
                           "tessera: the proxy script ignored every result of this command; return "
                           "proxy.PROXY_IGNORE_RESULT for all but one");
  s->answered = TRUE;
  tsr_session_queue_reset(s);
  if (s->queries.length > 0) return tsr_query_send_next(s); /* answers still on the wire */
  tsr_session_set_busy(s, FALSE);
  tsr_session_set_state(s, s->close_after_command ? TSR_SESSION_CLOSING : TSR_SESSION_READ_QUERY);
  return TSR_STEP_NEXT;
}

/* Notes what a complete response to the command `packet` changed: the
 * server status and, after a COM_INIT_DB that worked, the default
 * database. */
/* The default database is now db (len bytes), for the client and the
 * backend connection in use. */
static void set_default_db(TsrSession *s, const char *db, gsize len) {
  g_free(s->default_db);
  s->default_db = db ? g_strndup(db, len) : NULL;
  if (!s->server) return;
  g_free(s->server->default_db);
  s->server->default_db = g_strdup(s->default_db);
}

void tsr_session_set_default_db(TsrSession *s, const char *db) {
  set_default_db(s, db, db ? strlen(db) : 0);
}

/* The login on the backend connection in use worked. */
static void note_login(TsrSession *s) {
  if (!s->server || s->server->authed) return;
  s->server->authed = 1;
  g_free(s->server->default_db);
  s->server->default_db = g_strdup(s->default_db);
}

static void note_response(TsrSession *s, const guint8 *packet, gsize len, const TsrResponseTracker *t) {
  if (t->error_seen || !tsr_command_has_response(t->command)) return;
  s->server_status = t->status & (guint16)~TSR_SERVER_MORE_RESULTS_EXISTS;
  if (len >= 1 && packet[0] == TSR_COM_INIT_DB) set_default_db(s, (const char *)packet + 1, len - 1);
}

void tsr_query_note_frame(TsrSession *s, TsrTrackState before, gboolean continuation, const guint8 *head,
                          gsize head_len) {
  TsrInjection *inj = s->current;
  if (!inj) return;
  if (!inj->first_at) inj->first_at = g_get_monotonic_time();
  if (!inj->head_len && !continuation) {
    inj->head_len = (guint8)MIN(head_len, sizeof inj->head);
    memcpy(inj->head, head, inj->head_len);
  }
  /* A row leaves the tracker reading rows; the end of the rows does not. */
  if (before == TSR_TRK_ROWS && s->tracker.state == TSR_TRK_ROWS && !continuation) inj->rows++;
}

TsrSessionState tsr_query_response_done(TsrSession *s) {
  if (!s->tracker.error_seen) s->server_status = s->tracker.status & (guint16)~TSR_SERVER_MORE_RESULTS_EXISTS;
  if (!s->tracker.error_seen && s->tracker.command == TSR_RESPONSE_AUTH) note_login(s);
  if (s->pending_db && !s->tracker.error_seen) set_default_db(s, s->pending_db, strlen(s->pending_db));
  g_clear_pointer(&s->pending_db, g_free);
  return s->close_after_command ? TSR_SESSION_CLOSING : TSR_SESSION_READ_QUERY;
}

/* The script released the backend connection and picked none, yet the
 * command needs one. */
static TsrStep no_backend(TsrSession *s) {
  g_autoptr(GError) error = g_error_new_literal(
    TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
    "the script released the backend connection (proxy.connection.backend_ndx = 0) and chose no other");
  g_clear_pointer(&s->current, tsr_injection_free);
  script_failed(s, "read_query", error);
  return command_finished(s);
}

/* Returns the session's open connection to backend `index`, or NULL. */
static TsrServerConn *held_connection(TsrSession *s, guint index) {
  for (TsrServerConn *sc = s->servers; sc; sc = sc->next)
    if (sc->backend->index == index && sc->conn.fd >= 0) return sc;
  return NULL;
}

/* Makes the session's connection to backend `index` the one in use.
 * Returns TRUE when it has one; FALSE when one is being opened now. */
static gboolean use_backend(TsrSession *s, guint index) {
  gint fallback = tsr_session_fallback(s, index);
  TsrServerConn *held;
  if (s->server && s->server->backend->index == index) return TRUE;
  if (!s->login || !s->login->client_ok_sent) {
    g_warning("client %s: a query for backend %u runs on the connection in use: only sessions tessera "
              "authenticated itself can open more", s->client.name, index + 1);
    return TRUE;
  }
  held = held_connection(s, index);
  /* A backend that is resting after a failed connect hands its queries to its fallback. */
  if (!held && fallback >= 0 && tsr_backend_resting(tsr_backend_list_get(s->owner->config->backends, index))) {
    index = (guint)fallback;
    held = held_connection(s, index);
  }
  if (held) {
    s->server = held;
    return TRUE;
  }
  tsr_session_connect_backend(s, index);
  return FALSE;
}

/* Writes an injection's command to the backend connection in use. */
static void write_injection(TsrSession *s, TsrInjection *inj) {
  gsize len;
  const guint8 *packet = g_bytes_get_data(inj->packet, &len);
  g_autoptr(GByteArray) frames = g_byte_array_sized_new((guint)len + 8);
  tsr_packet_encode(frames, 0, packet, len);
  evbuffer_add(s->server->conn.out, frames->data, frames->len);
  inj->sent = TRUE;
}

/* Sends the next query right behind the one just sent when it asked to be
 * pipelined on the same connection. */
static void pipeline_next(TsrSession *s) {
  TsrInjection *next = g_queue_peek_head(&s->queries);
  if (next && next->pipelined && !next->sent && next->backend == (gint)s->server->backend->index)
    write_injection(s, next);
}

TsrStep tsr_query_send_next(TsrSession *s) {
  TsrInjection *inj = g_queue_pop_head(&s->queries);
  gsize len;
  const guint8 *packet;
  gboolean has_response;

  if (!inj) return command_finished(s);
  if (inj->pinned && inj->backend >= 0 && !held_connection(s, (guint)inj->backend)) {
    tsr_injection_free(s->current);
    s->current = inj;
    return tsr_query_lost(s); /* its connection is gone, and with it what it belonged to */
  }
  if (inj->backend >= 0 && !use_backend(s, (guint)inj->backend)) {
    /* A connection to it is being opened: the query waits for it. */
    g_queue_push_head(&s->queries, inj);
    return TSR_STEP_WAIT;
  }
  if (s->state == TSR_SESSION_CONNECT_SERVER || (s->server && !tsr_server_conn_ready(s->server))) {
    /* A backend connection is being opened: the query waits for it. */
    g_queue_push_head(&s->queries, inj);
    return TSR_STEP_WAIT;
  }
  tsr_injection_free(s->current);
  s->current = inj;
  if (!s->server) return no_backend(s);
  packet = g_bytes_get_data(inj->packet, &len);
  if (len == 0) {
    g_warning("client %s: proxy.queries entry %d is empty; skipped", s->client.name, inj->id);
    return tsr_query_send_next(s);
  }
  has_response = tsr_command_has_response(packet[0]);
  inj->streamed = has_response && !inj->resultset_is_needed && s->queries.length == 0 && !s->answered;
  if (!inj->streamed) inj->result = evbuffer_new();
  if (!inj->sent) write_injection(s, inj);
  inj->sent_at = g_get_monotonic_time();
  pipeline_next(s);
  tsr_command_begin(s, packet[0]);
  tsr_pump_reset(&s->down);
  s->answered = s->answered || inj->streamed;
  /* A command without a response (COM_STMT_CLOSE) is done once sent. */
  if (!has_response) return tsr_query_injection_done(s);
  s->client_turn = 0;
  tsr_session_set_state(s, TSR_SESSION_RELAY);
  return TSR_STEP_NEXT;
}

/* Hands a buffered result to the client if it has none yet. */
static void deliver_buffered(TsrSession *s, TsrInjection *inj) {
  if (evbuffer_get_length(inj->result) == 0) return; /* the command has no response */
  if (s->answered) {
    g_warning("client %s: the client already has a result for this command; the result of proxy.queries "
              "entry %d is dropped (return proxy.PROXY_IGNORE_RESULT for it)",
              s->client.name, inj->id);
    return;
  }
  evbuffer_add_buffer(s->client.out, inj->result);
  s->answered = TRUE;
}

/* The login's answer is complete: read_auth_result sees its last packet
 * and may replace it. */
static TsrStep auth_result_done(TsrSession *s) {
  TsrInjection *inj = s->current;
  gsize len = evbuffer_get_length(inj->result);
  guint8 header[TSR_FRAME_HEADER_LEN];
  const guint8 *flat = evbuffer_pullup(inj->result, -1);
  gsize last = 0, pos = 0;
  gboolean go_on;

  if (len < TSR_FRAME_HEADER_LEN) return tsr_session_server_lost(s, "the backend sent no answer to the login");
  /* Find the last frame: the answer is small (OK, ERR or a switch). */
  while (pos + TSR_FRAME_HEADER_LEN <= len) {
    last = pos;
    memcpy(header, flat + pos, sizeof header);
    pos += TSR_FRAME_HEADER_LEN + tsr_le24(header);
  }
  s->current = NULL;
  s->is_auth_result = FALSE;
  if (!s->tracker.error_seen) note_login(s);
  go_on = tsr_session_run_phase(s, TSR_HOOK_READ_AUTH_RESULT, flat + last + TSR_FRAME_HEADER_LEN,
                                len - last - TSR_FRAME_HEADER_LEN, flat[last + 3]);
  if (go_on) evbuffer_add_buffer(s->client.out, inj->result);
  tsr_injection_free(inj);
  tsr_session_set_busy(s, FALSE);
  if (!go_on) return TSR_STEP_NEXT;
  if (s->tracker.error_seen) {
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  tsr_session_set_state(s, tsr_query_response_done(s));
  return TSR_STEP_NEXT;
}

/* Answers the client with ERR 9002 for a query whose connection closed. */
static void lost_error(TsrSession *s, const TsrInjection *inj) {
  if (s->answered) return;
  tsr_session_send_error(s, 1, TSR_ER_BACKEND_LOST, "08S01",
                         "tessera: lost the connection to a backend during the query; the statement may or may not "
                         "have run there: check before retrying (entry %d)",
                         inj->id);
  s->answered = TRUE;
}

TsrStep tsr_query_lost(TsrSession *s) {
  TsrInjection *inj = s->current;
  /* Queries pipelined behind it went on the same connection: they are lost
   * too, each in its turn (pinned to a connection that is gone). */
  for (GList *l = s->queries.head; l; l = l->next) {
    TsrInjection *next = l->data;
    if (!next->sent) continue;
    next->sent = FALSE;
    next->pinned = TRUE;
  }
  inj->lost = TRUE;
  if (inj->streamed) s->answered = FALSE; /* nothing of it reached the client */
  s->tracker.error_seen = TRUE;
  return tsr_query_injection_done(s);
}

TsrStep tsr_query_injection_done(TsrSession *s) {
  TsrInjection *inj = s->current;
  if (s->is_auth_result) return auth_result_done(s);
  const TsrSessionHooks *h = s->owner->hooks;
  g_autoptr(GError) error = NULL;
  TsrHookAction action = TSR_HOOK_DEFAULT;

  inj->done_at = g_get_monotonic_time();
  inj->tracker = s->tracker;
  inj->bytes = s->down.moved;
  {
    gsize len;
    const guint8 *packet = g_bytes_get_data(inj->packet, &len);
    note_response(s, packet, len, &inj->tracker);
  }
  if (!inj->quiet && tsr_session_has_hook(s, TSR_HOOK_READ_QUERY_RESULT)) {
    tsr_session_response_reset(s, 0);
    action = h->read_query_result(s->owner->hooks_data, s, s->hook_state, inj, &error);
  }
  switch (action) {
  case TSR_HOOK_IGNORE_RESULT:
    if (inj->streamed)
      g_warning("client %s: read_query_result cannot ignore the result of entry %d: it was streamed "
                "(set resultset_is_needed = true to decide)",
                s->client.name, inj->id);
    break;
  case TSR_HOOK_SEND_RESULT:
    if (s->answered)
      g_warning("client %s: proxy.response of read_query_result is not sent: the client already has a result "
                "for this command (entry %d %s; set resultset_is_needed = true to replace it)",
                s->client.name, inj->id, inj->streamed ? "was streamed" : "came after another result");
    else
      tsr_session_send_response(s);
    break;
  case TSR_HOOK_ERROR:
    script_failed(s, "read_query_result", error);
    break;
  case TSR_HOOK_DEFAULT:
  case TSR_HOOK_SEND_QUERY:
  default:
    if (inj->lost)
      lost_error(s, inj);
    else if (!inj->streamed)
      deliver_buffered(s, inj);
    break;
  }
  s->current = NULL;
  tsr_injection_free(inj);
  return tsr_query_send_next(s);
}

/* Sends the client's own command on, the default of read_query: its frame
 * (still at the front of client.in, payload packet[0..len)) moves to the
 * backend without a copy. */
static TsrStep forward_frame(TsrSession *s, const guint8 *packet, gsize len) {
  gsize frame_len = TSR_FRAME_HEADER_LEN + len;
  guint8 cmd = packet[0];
  if (!s->server) {
    evbuffer_drain(s->client.in, frame_len);
    if (cmd != TSR_COM_QUIT) return no_backend(s);
    s->quit = 1;
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  if (!tsr_server_conn_ready(s->server) || s->state == TSR_SESSION_CONNECT_SERVER) {
    /* The script moved the client to a backend being connected: the
     * command goes out, streamed, once it is logged in. */
    tsr_session_queue_add(s, 0, packet, len, FALSE, FALSE);
    ((TsrInjection *)g_queue_peek_tail(&s->queries))->quiet = TRUE;
    evbuffer_drain(s->client.in, frame_len);
    return tsr_query_send_next(s);
  }
  g_clear_pointer(&s->pending_db, g_free);
  if (cmd == TSR_COM_INIT_DB) s->pending_db = g_strndup((const char *)packet + 1, len - 1);
  evbuffer_remove_buffer(s->client.in, s->server->conn.out, frame_len);
  tsr_command_begin(s, cmd);
  return tsr_command_sent(s);
}

/* Runs read_query on the client's command payload (packet[0..len), which
 * stands in client.in after its frame header) and acts on its answer; the
 * frame leaves client.in either way. */
static TsrStep run_read_query(TsrSession *s, const guint8 *packet, gsize len) {
  const TsrSessionHooks *h = s->owner->hooks;
  g_autoptr(GError) error = NULL;
  TsrHookAction action;
  gsize frame_len = TSR_FRAME_HEADER_LEN + len;

  tsr_session_queue_reset(s);
  tsr_session_response_reset(s, 0);
  s->answered = FALSE;
  s->command = s->client_command = packet[0];
  action = h->read_query(s->owner->hooks_data, s, s->hook_state, packet, len, &error);
  if (action == TSR_HOOK_DEFAULT) return forward_frame(s, packet, len);
  evbuffer_drain(s->client.in, frame_len);
  switch (action) {
  case TSR_HOOK_SEND_QUERY:
    if (s->queries.length == 0) {
      g_set_error(&error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "read_query returned proxy.PROXY_SEND_QUERY but proxy.queries is empty");
      script_failed(s, "read_query", error);
      return command_finished(s);
    }
    return tsr_query_send_next(s);
  case TSR_HOOK_SEND_RESULT:
    if ((!s->response || !s->response->len) && !tsr_command_has_response(s->client_command))
      return command_finished(s); /* COM_STMT_CLOSE and the like: nothing to answer */
    if (!s->response || !s->response->len) {
      g_set_error(&error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "read_query returned proxy.PROXY_SEND_RESULT without a proxy.response");
      script_failed(s, "read_query", error);
    } else {
      tsr_session_send_response(s);
    }
    return command_finished(s);
  case TSR_HOOK_DEFAULT:
  case TSR_HOOK_IGNORE_RESULT:
  case TSR_HOOK_ERROR:
  default:
    if (!error)
      g_set_error(&error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "read_query returned a value that is not proxy.PROXY_SEND_QUERY or proxy.PROXY_SEND_RESULT");
    script_failed(s, "read_query", error);
    return command_finished(s);
  }
}

int tsr_query_read_with_hook(TsrSession *s) {
  guint8 header[TSR_FRAME_HEADER_LEN];
  const guint8 *frame;
  gsize len;

  if (evbuffer_get_length(s->client.in) < TSR_FRAME_HEADER_LEN) return TSR_STEP_WAIT;
  evbuffer_copyout(s->client.in, header, sizeof header);
  len = tsr_le24(header);
  if (len > HOOK_MAX_PACKET || header[3] != 0 || len == 0) return -1; /* the streaming path answers these */
  if (evbuffer_get_length(s->client.in) < TSR_FRAME_HEADER_LEN + len) {
    s->client_need = TSR_FRAME_HEADER_LEN + len;
    return TSR_STEP_WAIT;
  }
  s->client_need = 0;
  s->client_seq = 0;
  tsr_session_set_busy(s, TRUE);
  frame = evbuffer_pullup(s->client.in, (ev_ssize_t)(TSR_FRAME_HEADER_LEN + len));
  if (tsr_command_refused(s, frame[TSR_FRAME_HEADER_LEN])) {
    evbuffer_drain(s->client.in, TSR_FRAME_HEADER_LEN + len);
    tsr_session_set_busy(s, FALSE);
    return TSR_STEP_NEXT;
  }
  return run_read_query(s, frame + TSR_FRAME_HEADER_LEN, len);
}
