/* mysql-response.c: the response boundary tracker (see mysql-response.h).
 * One small handler per state; the handlers only look at a frame's length
 * and first bytes. */
#include "mysql-response.h"
#include "mysql-constants.h"
#include "mysql-wire.h"

typedef TsrTrackResult (*TrackHandler)(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                       GError **error);

static const char *const state_names[TSR_TRK_MAX] = {
  [TSR_TRK_IDLE] = "idle",
  [TSR_TRK_FIRST] = "first packet",
  [TSR_TRK_COLUMNS] = "column definitions",
  [TSR_TRK_COLUMNS_EOF] = "EOF after columns",
  [TSR_TRK_ROWS] = "rows",
  [TSR_TRK_INFILE] = "LOCAL INFILE data",
  [TSR_TRK_INFILE_RESULT] = "LOCAL INFILE result",
  [TSR_TRK_PREPARE_FIRST] = "prepare response",
  [TSR_TRK_PREPARE_PARAMS] = "parameter definitions",
  [TSR_TRK_PREPARE_PARAMS_EOF] = "EOF after parameters",
  [TSR_TRK_PREPARE_COLUMNS] = "prepared column definitions",
  [TSR_TRK_PREPARE_COLUMNS_EOF] = "EOF after prepared columns",
  [TSR_TRK_FIELD_LIST] = "field list",
  [TSR_TRK_SINGLE] = "single packet",
  [TSR_TRK_AUTH] = "authentication",
  [TSR_TRK_AUTH_CLIENT] = "authentication (client's turn)",
  [TSR_TRK_DONE] = "done",
};

const char *tsr_track_state_name(TsrTrackState state) {
  return state < TSR_TRK_MAX ? state_names[state] : "invalid";
}

gboolean tsr_command_has_response(guint command) {
  return command != TSR_COM_QUIT && command != TSR_COM_STMT_CLOSE && command != TSR_COM_STMT_SEND_LONG_DATA;
}

static TsrTrackResult unexpected(TsrResponseTracker *t, const guint8 *head, gsize head_len, GError **error) {
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_UNEXPECTED,
              "server response: packet starting 0x%02X not allowed in state '%s'",
              head_len ? head[0] : 0, tsr_track_state_name(t->state));
  return TSR_TRACK_ERROR;
}

/* Reads status and warnings of an OK packet (0x00 or 0xFE header). */
static gboolean read_ok_status(TsrResponseTracker *t, const guint8 *head, gsize head_len) {
  TsrReader r;
  guint64 skip;
  tsr_reader_init(&r, head, head_len);
  if (!tsr_reader_skip(&r, 1, NULL, NULL) || !tsr_reader_lenenc(&r, &skip, NULL, NULL, NULL) ||
      !tsr_reader_lenenc(&r, &skip, NULL, NULL, NULL) || !tsr_reader_u16(&r, &t->status, NULL, NULL))
    return FALSE;
  if (!tsr_reader_u16(&r, &t->warnings, NULL, NULL)) t->warnings = 0;
  return TRUE;
}

/* Reads status and warnings of a classic EOF packet. */
static void read_eof_status(TsrResponseTracker *t, const guint8 *head, gsize head_len) {
  if (head_len >= 5) {
    t->warnings = tsr_le16(head + 1);
    t->status = tsr_le16(head + 3);
  } else {
    t->status = 0;
    t->warnings = 0;
  }
}

static gboolean deprecate_eof(const TsrResponseTracker *t) { return (t->caps & TSR_CLIENT_DEPRECATE_EOF) != 0; }

/* A result set or OK ended: another follows when the server says so. */
static TsrTrackResult end_of_result(TsrResponseTracker *t) {
  t->result_sets++;
  if (t->status & TSR_SERVER_MORE_RESULTS_EXISTS) {
    t->state = TSR_TRK_FIRST;
    return TSR_TRACK_CONTINUE;
  }
  t->state = TSR_TRK_DONE;
  return TSR_TRACK_DONE;
}

static TsrTrackResult end_with_error(TsrResponseTracker *t) {
  t->error_seen = TRUE;
  t->state = TSR_TRK_DONE;
  return TSR_TRACK_DONE;
}

/* TRUE when the frame is a MariaDB progress report (ERR with code 0xFFFF). */
static gboolean is_progress(const guint8 *head, gsize head_len) {
  return head_len >= 3 && head[0] == TSR_PACKET_ERR && head[1] == 0xFF && head[2] == 0xFF;
}

static gboolean is_eof(const TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len) {
  if (head_len == 0 || head[0] != TSR_PACKET_EOF) return FALSE;
  return deprecate_eof(t) ? len < TSR_FRAME_MAX_PAYLOAD : len < 9;
}

/* Reads the terminator of rows or definitions: EOF, or OK with 0xFE header. */
static void read_terminator(TsrResponseTracker *t, const guint8 *head, gsize head_len) {
  if (deprecate_eof(t))
    read_ok_status(t, head, head_len);
  else
    read_eof_status(t, head, head_len);
}

/* After a column count: definitions follow, unless a MariaDB column count
 * with cache metadata says they do not (then the classic EOF still comes). */
static TsrTrackResult after_column_count(TsrResponseTracker *t, guint32 len, TsrReader *r) {
  gboolean metadata_follows = TRUE;
  if (r->pos + 1 == len && r->pos < r->len) metadata_follows = r->data[r->pos] != 0;
  if (metadata_follows) {
    t->state = TSR_TRK_COLUMNS;
    return TSR_TRACK_CONTINUE;
  }
  t->state = deprecate_eof(t) ? TSR_TRK_ROWS : TSR_TRK_COLUMNS_EOF;
  return TSR_TRACK_CONTINUE;
}

static TsrTrackResult on_first(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                               GError **error) {
  TsrReader r;
  guint64 count;
  if (head_len == 0) return unexpected(t, head, head_len, error);
  switch (head[0]) {
  case TSR_PACKET_OK:
    if (!read_ok_status(t, head, head_len)) return unexpected(t, head, head_len, error);
    return end_of_result(t);
  case TSR_PACKET_ERR:
    if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
    return end_with_error(t);
  case TSR_PACKET_LOCAL_INFILE:
    if (t->command != TSR_COM_QUERY) return unexpected(t, head, head_len, error);
    t->state = TSR_TRK_INFILE;
    return TSR_TRACK_WAIT_CLIENT;
  default:
    break;
  }
  tsr_reader_init(&r, head, head_len);
  if (!tsr_reader_lenenc(&r, &count, NULL, "column count", error)) return TSR_TRACK_ERROR;
  if (count == 0) return unexpected(t, head, head_len, error);
  t->left = count;
  return after_column_count(t, len, &r);
}

static TsrTrackResult on_columns(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                 GError **error) {
  if (--t->left == 0) t->state = deprecate_eof(t) ? TSR_TRK_ROWS : TSR_TRK_COLUMNS_EOF;
  return TSR_TRACK_CONTINUE;
}

static TsrTrackResult on_columns_eof(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                     GError **error) {
  if (!is_eof(t, len, head, head_len)) return unexpected(t, head, head_len, error);
  read_eof_status(t, head, head_len);
  if (t->status & TSR_SERVER_STATUS_CURSOR_EXISTS) {
    t->result_sets++;
    t->state = TSR_TRK_DONE;
    return TSR_TRACK_DONE;
  }
  t->state = TSR_TRK_ROWS;
  return TSR_TRACK_CONTINUE;
}

static TsrTrackResult on_rows(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                              GError **error) {
  if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
  if (head_len && head[0] == TSR_PACKET_ERR) return end_with_error(t);
  if (!is_eof(t, len, head, head_len)) return TSR_TRACK_CONTINUE;
  read_terminator(t, head, head_len);
  if (t->command == TSR_COM_STMT_FETCH) {
    t->state = TSR_TRK_DONE;
    return TSR_TRACK_DONE;
  }
  return end_of_result(t);
}

static TsrTrackResult on_infile_result(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                       GError **error) {
  if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
  if (head_len && head[0] == TSR_PACKET_ERR) return end_with_error(t);
  if (head_len && head[0] == TSR_PACKET_OK && read_ok_status(t, head, head_len)) return end_of_result(t);
  return unexpected(t, head, head_len, error);
}

static TsrTrackResult finish(TsrResponseTracker *t) {
  t->state = TSR_TRK_DONE;
  return TSR_TRACK_DONE;
}

/* After the parameter definitions (and their EOF): columns or the end. */
static TsrTrackResult after_prepare_params(TsrResponseTracker *t) {
  if (!t->columns) return finish(t);
  t->left = t->columns;
  t->state = TSR_TRK_PREPARE_COLUMNS;
  return TSR_TRACK_CONTINUE;
}

static TsrTrackResult on_prepare_first(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                       GError **error) {
  if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
  if (head_len && head[0] == TSR_PACKET_ERR) return end_with_error(t);
  if (head_len < 9 || head[0] != TSR_PACKET_OK) return unexpected(t, head, head_len, error);
  t->columns = tsr_le16(head + 5);
  t->left = tsr_le16(head + 7);
  t->warnings = head_len >= 12 ? tsr_le16(head + 10) : 0;
  if (!t->left) return after_prepare_params(t);
  t->state = TSR_TRK_PREPARE_PARAMS;
  return TSR_TRACK_CONTINUE;
}

/* Counts one definition of a prepare response; after the last one comes
 * its EOF (classic protocol) or directly what `after` says. */
static TsrTrackResult count_definition(TsrResponseTracker *t, TsrTrackState eof_state,
                                       TsrTrackResult (*after)(TsrResponseTracker *t)) {
  if (--t->left) return TSR_TRACK_CONTINUE;
  if (deprecate_eof(t)) return after(t);
  t->state = eof_state;
  return TSR_TRACK_CONTINUE;
}

static TsrTrackResult on_prepare_params(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                        GError **error) {
  return count_definition(t, TSR_TRK_PREPARE_PARAMS_EOF, after_prepare_params);
}

static TsrTrackResult on_prepare_columns(TsrResponseTracker *t, guint32 len, const guint8 *head,
                                         gsize head_len, GError **error) {
  return count_definition(t, TSR_TRK_PREPARE_COLUMNS_EOF, finish);
}

static TsrTrackResult on_prepare_params_eof(TsrResponseTracker *t, guint32 len, const guint8 *head,
                                            gsize head_len, GError **error) {
  if (!is_eof(t, len, head, head_len)) return unexpected(t, head, head_len, error);
  return after_prepare_params(t);
}

static TsrTrackResult on_prepare_columns_eof(TsrResponseTracker *t, guint32 len, const guint8 *head,
                                             gsize head_len, GError **error) {
  if (!is_eof(t, len, head, head_len)) return unexpected(t, head, head_len, error);
  return finish(t);
}

static TsrTrackResult on_field_list(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                    GError **error) {
  if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
  if (head_len && head[0] == TSR_PACKET_ERR) return end_with_error(t);
  if (!is_eof(t, len, head, head_len)) return TSR_TRACK_CONTINUE;
  read_terminator(t, head, head_len);
  t->state = TSR_TRK_DONE;
  return TSR_TRACK_DONE;
}

static TsrTrackResult on_single(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                GError **error) {
  if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
  if (head_len && head[0] == TSR_PACKET_ERR) return end_with_error(t);
  if (head_len && head[0] == TSR_PACKET_OK) read_ok_status(t, head, head_len);
  t->state = TSR_TRK_DONE;
  return TSR_TRACK_DONE;
}

static TsrTrackResult on_auth(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                              GError **error) {
  if (head_len == 0) return unexpected(t, head, head_len, error);
  switch (head[0]) {
  case TSR_PACKET_OK:
    read_ok_status(t, head, head_len);
    t->state = TSR_TRK_DONE;
    return TSR_TRACK_DONE;
  case TSR_PACKET_ERR:
    if (is_progress(head, head_len)) return TSR_TRACK_CONTINUE;
    return end_with_error(t);
  case TSR_PACKET_AUTH_SWITCH:
    t->state = TSR_TRK_AUTH_CLIENT;
    return TSR_TRACK_WAIT_CLIENT;
  case TSR_PACKET_AUTH_MORE:
    /* caching_sha2_password "fast auth success": an OK follows. */
    if (head_len >= 2 && len == 2 && head[1] == 0x03) return TSR_TRACK_CONTINUE;
    t->state = TSR_TRK_AUTH_CLIENT;
    return TSR_TRACK_WAIT_CLIENT;
  default:
    return unexpected(t, head, head_len, error);
  }
}

static TsrTrackResult on_unexpected(TsrResponseTracker *t, guint32 len, const guint8 *head, gsize head_len,
                                    GError **error) {
  return unexpected(t, head, head_len, error);
}

static const TrackHandler handlers[TSR_TRK_MAX] = {
  [TSR_TRK_IDLE] = on_unexpected,
  [TSR_TRK_FIRST] = on_first,
  [TSR_TRK_COLUMNS] = on_columns,
  [TSR_TRK_COLUMNS_EOF] = on_columns_eof,
  [TSR_TRK_ROWS] = on_rows,
  [TSR_TRK_INFILE] = on_unexpected,
  [TSR_TRK_INFILE_RESULT] = on_infile_result,
  [TSR_TRK_PREPARE_FIRST] = on_prepare_first,
  [TSR_TRK_PREPARE_PARAMS] = on_prepare_params,
  [TSR_TRK_PREPARE_PARAMS_EOF] = on_prepare_params_eof,
  [TSR_TRK_PREPARE_COLUMNS] = on_prepare_columns,
  [TSR_TRK_PREPARE_COLUMNS_EOF] = on_prepare_columns_eof,
  [TSR_TRK_FIELD_LIST] = on_field_list,
  [TSR_TRK_SINGLE] = on_single,
  [TSR_TRK_AUTH] = on_auth,
  [TSR_TRK_AUTH_CLIENT] = on_unexpected,
  [TSR_TRK_DONE] = on_unexpected,
};

static TsrTrackState first_state(guint command) {
  switch (command) {
  case TSR_COM_QUERY:
  case TSR_COM_STMT_EXECUTE:
  case TSR_COM_PROCESS_INFO:
    return TSR_TRK_FIRST;
  case TSR_COM_STMT_FETCH:
    return TSR_TRK_ROWS;
  case TSR_COM_STMT_PREPARE:
    return TSR_TRK_PREPARE_FIRST;
  case TSR_COM_FIELD_LIST:
    return TSR_TRK_FIELD_LIST;
  case TSR_RESPONSE_AUTH:
  case TSR_COM_CHANGE_USER:
    return TSR_TRK_AUTH;
  default:
    return tsr_command_has_response(command) ? TSR_TRK_SINGLE : TSR_TRK_DONE;
  }
}

void tsr_response_start(TsrResponseTracker *t, guint command, guint32 caps) {
  *t = (TsrResponseTracker){0};
  t->command = command;
  t->caps = caps;
  t->state = first_state(command);
}

TsrTrackResult tsr_response_feed(TsrResponseTracker *t, guint32 payload_len, const guint8 *head,
                                 gsize head_len, GError **error) {
  gboolean was_continuation = t->continuation;
  TsrTrackResult res;

  t->continuation = payload_len == TSR_FRAME_MAX_PAYLOAD;
  if (was_continuation) {
    /* The rest of a packet already classified by its first frame. */
    if (t->continuation || !t->done_pending) return TSR_TRACK_CONTINUE;
    t->done_pending = FALSE;
    return TSR_TRACK_DONE;
  }
  res = handlers[t->state < TSR_TRK_MAX ? t->state : TSR_TRK_IDLE](t, payload_len, head, head_len, error);
  if (res == TSR_TRACK_DONE && t->continuation) {
    t->done_pending = TRUE;
    return TSR_TRACK_CONTINUE;
  }
  return res;
}

gboolean tsr_response_client_frame(TsrResponseTracker *t, guint32 payload_len) {
  gboolean was_continuation = t->client_continuation;
  gboolean continues = payload_len == TSR_FRAME_MAX_PAYLOAD;

  t->client_continuation = continues;
  if (t->state == TSR_TRK_INFILE) {
    /* The file ends with an empty packet; an empty frame after a full one
     * only ends a data packet. */
    if (payload_len != 0 || was_continuation) return FALSE;
    t->state = TSR_TRK_INFILE_RESULT;
    return TRUE;
  }
  if (t->state == TSR_TRK_AUTH_CLIENT) {
    if (continues) return FALSE;
    t->state = TSR_TRK_AUTH;
    return TRUE;
  }
  return TRUE;
}
