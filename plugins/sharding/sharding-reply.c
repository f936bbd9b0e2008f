/* sharding-reply.c: the packets the executor builds for the client: OK,
 * ERR, and the merged result set. */
#include <stdarg.h>
#include <string.h>

#include "sharding-private.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

/* The status a built packet reports. */
static guint16 reply_status(TsrSession *s, gboolean in_trans) {
  guint16 status = tsr_session_server_status(s);
  if (in_trans)
    status |= TSR_SERVER_STATUS_IN_TRANS;
  else
    status &= (guint16)~TSR_SERVER_STATUS_IN_TRANS;
  return status;
}

void tsr_sharding_reply_error(TsrSession *s, guint16 code, const char *sqlstate, const char *fmt, ...) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  g_autofree char *message = NULL;
  va_list ap;
  va_start(ap, fmt);
  message = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  tsr_err_encode(payload, code, sqlstate, message);
  tsr_session_respond(s, payload->data, payload->len);
}

void tsr_sharding_reply_raw(TsrSession *s, const GByteArray *payload) {
  tsr_session_respond(s, payload->data, payload->len);
}

void tsr_sharding_reply_ok(TsrSession *s, guint64 affected, guint64 insert_id, guint16 warnings, gboolean in_trans,
                           const char *info) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrOkPacket ok = {0};
  ok.affected_rows = affected;
  ok.last_insert_id = insert_id;
  ok.warnings = warnings;
  ok.status = reply_status(s, in_trans);
  if (info) {
    ok.info.data = (const guint8 *)info;
    ok.info.len = strlen(info);
  }
  tsr_ok_encode(payload, tsr_session_capabilities(s), &ok, FALSE);
  tsr_session_respond(s, payload->data, payload->len);
}

void tsr_sharding_emit_row(const guint8 *payload, gsize len, gpointer data) {
  ShardingCommand *cmd = data;
  if (!cmd->rows) cmd->rows = g_byte_array_new();
  cmd->rows_seq = tsr_packet_encode(cmd->rows, cmd->rows_seq, payload, len);
}

/* Appends the end of a result set: EOF, or an OK with the EOF header. */
static void reply_end(TsrSession *s, guint16 warnings, guint16 status) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  if (tsr_session_capabilities(s) & TSR_CLIENT_DEPRECATE_EOF) {
    TsrOkPacket ok = {0};
    ok.status = status;
    ok.warnings = warnings;
    tsr_ok_encode(payload, tsr_session_capabilities(s), &ok, TRUE);
  } else {
    tsr_eof_encode(payload, warnings, status);
  }
  tsr_session_respond(s, payload->data, payload->len);
}

/* Appends the rows the merger emitted (framed from sequence 0) after the
 * packets already in the answer. */
static void reply_rows(TsrSession *s, const GByteArray *rows) {
  gsize pos = 0;
  while (rows && pos + TSR_FRAME_HEADER_LEN <= rows->len) {
    gsize len = (gsize)rows->data[pos] | (gsize)rows->data[pos + 1] << 8 | (gsize)rows->data[pos + 2] << 16;
    tsr_session_respond(s, rows->data + pos + TSR_FRAME_HEADER_LEN, len);
    pos += TSR_FRAME_HEADER_LEN + len;
  }
}

void tsr_sharding_reply_columns(TsrSession *s, const TsrColumnDef *const *defs, guint n, const ShardingCommand *cmd,
                                gboolean in_trans) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  gboolean deprecate_eof = (tsr_session_capabilities(s) & TSR_CLIENT_DEPRECATE_EOF) != 0;
  guint16 status = reply_status(s, in_trans);

  tsr_column_count_encode(payload, n, 0, FALSE);
  tsr_session_respond(s, payload->data, payload->len);
  for (guint i = 0; i < n; i++) {
    g_byte_array_set_size(payload, 0);
    tsr_column_def_encode(payload, 0, defs[i]);
    tsr_session_respond(s, payload->data, payload->len);
  }
  if (!deprecate_eof) {
    g_byte_array_set_size(payload, 0);
    tsr_eof_encode(payload, 0, status);
    tsr_session_respond(s, payload->data, payload->len);
  }
  reply_rows(s, cmd->rows);
  reply_end(s, cmd->warnings, status);
}

void tsr_sharding_reply_resultset(TsrSession *s, ShardingCommand *cmd, gboolean in_trans) {
  guint n = tsr_merger_n_columns(cmd->merger);
  g_autofree const TsrColumnDef **defs = g_new(const TsrColumnDef *, MAX(n, 1));
  for (guint i = 0; i < n; i++) defs[i] = tsr_merger_column(cmd->merger, i);
  tsr_sharding_reply_columns(s, defs, n, cmd, in_trans);
}
