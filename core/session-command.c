/* session-command.c: the command phase. Each client command is streamed to
 * the backend and its response streamed back; the response tracker finds
 * where the response ends, so that nothing is buffered whole. Commands that
 * cannot be relayed are answered by tessera with an ERR packet. */
#define G_LOG_DOMAIN "core"
#include "session-private.h"
#include "core-error.h"
#include "protocol/mysql-constants.h"

/* Returns TRUE when tessera relays the command `cmd`. */
static gboolean command_is_relayed(guint8 cmd) {
  switch (cmd) {
  case TSR_COM_SLEEP:
  case TSR_COM_CONNECT:
  case TSR_COM_TIME:
  case TSR_COM_DELAYED_INSERT:
  case TSR_COM_BINLOG_DUMP:
  case TSR_COM_TABLE_DUMP:
  case TSR_COM_CONNECT_OUT:
  case TSR_COM_REGISTER_SLAVE:
  case TSR_COM_DAEMON:
  case TSR_COM_BINLOG_DUMP_GTID:
    return FALSE;
  default:
    return cmd < TSR_COM_MAX;
  }
}

/* Answers a command tessera does not relay. Returns the pump action that
 * drops its frame. */
static guint refuse_command(TsrSession *s, guint8 cmd, gboolean continues) {
  if (cmd == TSR_COM_BINLOG_DUMP || cmd == TSR_COM_BINLOG_DUMP_GTID || cmd == TSR_COM_REGISTER_SLAVE)
    tsr_session_send_error(s, 1, TSR_ER_UNKNOWN_COM_ERROR, "08S01",
                           "tessera does not relay replication (command 0x%02X): connect replicas to the primary "
                           "directly",
                           cmd);
  else
    tsr_session_send_error(s, 1, TSR_ER_UNKNOWN_COM_ERROR, "08S01",
                           "Unknown command 0x%02X: tessera relays the commands of the MySQL client/server "
                           "protocol only",
                           cmd);
  s->command_continues = continues;
  s->command = cmd;
  return TSR_PUMP_DROP | (continues ? 0 : TSR_PUMP_STOP);
}

/* Pump callback for the frames of a client command. */
static guint on_command_frame(gpointer owner, const TsrFrameHeader *hdr, const guint8 *head, gsize head_len) {
  TsrSession *s = owner;
  gboolean continues = hdr->payload_len == TSR_FRAME_MAX_PAYLOAD;
  guint8 cmd;

  s->client_seq = hdr->seq;
  if (s->command_continues) {
    s->command_continues = continues;
    return (command_is_relayed(s->command) ? TSR_PUMP_MOVE : TSR_PUMP_DROP) | (continues ? 0 : TSR_PUMP_STOP);
  }
  if (hdr->seq != 0) {
    tsr_session_fail(s, (guint8)(hdr->seq + 1), TSR_ER_NET_PACKETS_OUT_OF_ORDER, "08S01",
                     "Got packets out of order: a command must start with sequence id 0, not %u", hdr->seq);
    return TSR_PUMP_FAIL;
  }
  if (hdr->payload_len == 0) {
    tsr_session_send_error(s, 1, TSR_ER_MALFORMED_PACKET, "HY000",
                           "Malformed communication packet: an empty packet is not a command");
    s->command = TSR_COM_SLEEP;
    return TSR_PUMP_DROP | TSR_PUMP_STOP;
  }
  cmd = head[0];
  tsr_session_set_busy(s, TRUE);
  if (!command_is_relayed(cmd)) return refuse_command(s, cmd, continues);
  tsr_command_begin(s, cmd);
  s->command_continues = continues;
  return TSR_PUMP_MOVE | (continues ? 0 : TSR_PUMP_STOP);
}

void tsr_command_begin(TsrSession *s, guint8 cmd) {
  s->command = cmd;
  /* Logged in as someone else from now on: never pooled for this user. */
  if (cmd == TSR_COM_CHANGE_USER && s->server) s->server->no_pool = 1;
  tsr_response_start(&s->tracker, cmd, s->capabilities);
}

/* Answers a command that is not relayed (the ERR is already queued). */
gboolean tsr_command_refused(TsrSession *s, guint8 cmd) {
  if (command_is_relayed(cmd)) return FALSE;
  refuse_command(s, cmd, FALSE);
  return TRUE;
}

TsrStep tsr_command_sent(TsrSession *s) {
  if (!command_is_relayed(s->command)) {
    tsr_session_set_busy(s, FALSE);
    return TSR_STEP_NEXT;
  }
  if (s->command == TSR_COM_QUIT) {
    s->quit = 1;
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  if (!tsr_command_has_response(s->command)) {
    tsr_session_set_busy(s, FALSE);
    return TSR_STEP_NEXT;
  }
  tsr_pump_reset(&s->down);
  s->client_turn = 0;
  tsr_session_set_state(s, TSR_SESSION_RELAY);
  return TSR_STEP_NEXT;
}

TsrStep tsr_state_read_query(TsrSession *s) {
  TsrPumpResult r;
  if (s->close_when_idle && !s->busy && tsr_pump_at_boundary(&s->up)) {
    /* Stopping: the last result is written before the client is closed. */
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  if (tsr_pump_at_boundary(&s->up) && !s->command_continues && tsr_session_has_hook(s, TSR_HOOK_READ_QUERY)) {
    int step = tsr_query_read_with_hook(s);
    if (step >= 0) return (TsrStep)step;
  }
  if (!s->server) /* a script released it (proxy.connection.backend_ndx = 0) */
    return tsr_session_fail(s, 1, TSR_ER_SCRIPT_ERROR, "HY000",
                            "tessera: the proxy script released the backend connection and chose no other");
  r = tsr_pump_run(&s->up, s->client.in, s->server->conn.out, 1, on_command_frame, s);
  switch (r) {
  case TSR_PUMP_NEED_MORE:
    return TSR_STEP_WAIT;
  case TSR_PUMP_FAILED:
    return TSR_STEP_NEXT; /* on_command_frame moved the session to CLOSING */
  case TSR_PUMP_STOPPED:
  default:
    return tsr_command_sent(s);
  }
}

/* Pump callback for the frames of a response. */
static guint on_response_frame(gpointer owner, const TsrFrameHeader *hdr, const guint8 *head, gsize head_len) {
  TsrSession *s = owner;
  g_autoptr(GError) error = NULL;
  TsrTrackState before = s->tracker.state;
  gboolean continuation = s->tracker.continuation;
  TsrTrackResult r = tsr_response_feed(&s->tracker, hdr->payload_len, head, head_len, &error);
  s->client_seq = hdr->seq;
  if (s->current) tsr_query_note_frame(s, before, continuation, head, head_len);
  switch (r) {
  case TSR_TRACK_CONTINUE:
    return TSR_PUMP_MOVE;
  case TSR_TRACK_DONE:
  case TSR_TRACK_WAIT_CLIENT:
    return TSR_PUMP_MOVE | TSR_PUMP_STOP;
  case TSR_TRACK_ERROR:
  default:
    g_warning("backend %s: %s (command 0x%02X); closing client %s", s->server->backend->name, error->message,
              s->command, s->client.name);
    return TSR_PUMP_FAIL;
  }
}

/* Pump callback for the client's frames while the server waits for them. */
static guint on_client_turn_frame(gpointer owner, const TsrFrameHeader *hdr, const guint8 *head, gsize head_len) {
  TsrSession *s = owner;
  s->client_seq = hdr->seq;
  return tsr_response_client_frame(&s->tracker, hdr->payload_len) ? TSR_PUMP_MOVE | TSR_PUMP_STOP : TSR_PUMP_MOVE;
}

/* The whole response has been relayed. */
static TsrStep response_done(TsrSession *s) {
  if (s->current) return tsr_query_injection_done(s);
  tsr_session_set_busy(s, FALSE);
  if (s->tracker.command == TSR_RESPONSE_AUTH && s->tracker.error_seen) {
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  tsr_session_set_state(s, tsr_query_response_done(s));
  return TSR_STEP_NEXT;
}

/* Where the response goes: the client, or the buffer of an injection whose
 * result a script will look at. */
static struct evbuffer *response_destination(TsrSession *s) {
  return s->current && !s->current->streamed ? s->current->result : s->client.out;
}

/* Turns a buffered injection into a streamed one (a LOCAL INFILE request
 * or an authentication step needs the client). */
static void stream_buffered_injection(TsrSession *s) {
  if (!s->current || s->current->streamed) return;
  evbuffer_add_buffer(s->client.out, s->current->result);
  /* A login's answer is held again after the client's turn, so that
   * read_auth_result sees the final OK or ERR. */
  if (s->is_auth_result) return;
  s->current->streamed = TRUE;
  s->answered = TRUE;
}

TsrStep tsr_state_relay(TsrSession *s) {
  for (;;) {
    TsrPumpResult r;
    if (s->client_turn) {
      r = tsr_pump_run(&s->up, s->client.in, s->server->conn.out, 0, on_client_turn_frame, s);
      if (r == TSR_PUMP_NEED_MORE) return TSR_STEP_WAIT;
      s->client_turn = 0;
      continue;
    }
    r = tsr_pump_run(&s->down, s->server->conn.in, response_destination(s), TSR_RESPONSE_HEAD, on_response_frame, s);
    if (r == TSR_PUMP_NEED_MORE) return TSR_STEP_WAIT;
    if (r == TSR_PUMP_FAILED) return tsr_session_server_lost(s, "the backend broke the protocol");
    if (tsr_response_done(&s->tracker)) return response_done(s);
    stream_buffered_injection(s); /* the client must see what it is asked for */
    s->client_turn = 1;
  }
}

/* Returns TRUE when an ERR packet may stand next in the client's stream. */
static gboolean client_expects_packet_start(const TsrSession *s) {
  if (s->state != TSR_SESSION_RELAY || s->client_turn || !tsr_pump_at_boundary(&s->down)) return FALSE;
  switch (s->tracker.state) {
  case TSR_TRK_FIRST:
  case TSR_TRK_ROWS:
  case TSR_TRK_SINGLE:
  case TSR_TRK_AUTH:
  case TSR_TRK_FIELD_LIST:
  case TSR_TRK_PREPARE_FIRST:
  case TSR_TRK_INFILE_RESULT:
    return TRUE;
  default:
    return FALSE;
  }
}

TsrStep tsr_session_server_lost(TsrSession *s, const char *why) {
  const char *backend = s->server ? s->server->backend->name : "?";
  if (s->state == TSR_SESSION_CLOSING) return TSR_STEP_NEXT;
  if (tsr_session_outlive_server(s, why)) return TSR_STEP_NEXT;
  if (s->state == TSR_SESSION_READ_QUERY && !s->busy) {
    g_message("client %s: backend %s closed its idle connection (%s); closing the client too", s->client.name,
              backend, why);
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  g_warning("client %s: lost backend %s during command 0x%02X: %s", s->client.name, backend, s->command, why);
  if (s->state == TSR_SESSION_READ_QUERY && s->server && evbuffer_get_length(s->server->conn.in) > 0) {
    /* The backend answered before the command was complete (a packet over
     * max_allowed_packet): its answer is the client's error. */
    evbuffer_add_buffer(s->client.out, s->server->conn.in);
    tsr_session_set_state(s, TSR_SESSION_CLOSING);
    return TSR_STEP_NEXT;
  }
  if (s->state == TSR_SESSION_READ_HANDSHAKE || s->state == TSR_SESSION_SERVER_LOGIN)
    return tsr_session_fail(s, tsr_session_login_error_seq(s), TSR_ER_BACKEND_LOST, "08S01",
                            "tessera: backend %s closed the connection before greeting (%s)", backend, why);
  if (client_expects_packet_start(s))
    return tsr_session_fail(s, (guint8)(s->client_seq + 1), TSR_ER_BACKEND_LOST, "08S01",
                            "tessera: lost the connection to backend %s during the query (%s); the statement may "
                            "or may not have run: reconnect and check before retrying",
                            backend, why);
  tsr_session_set_state(s, TSR_SESSION_CLOSING);
  return TSR_STEP_NEXT;
}
