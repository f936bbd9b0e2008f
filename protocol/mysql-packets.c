/* mysql-packets.c: OK, ERR and EOF packets (see mysql-packets.h). */
#include <string.h>
#include "mysql-packets.h"
#include "mysql-wire.h"

#define SQLSTATE_LEN 5u
#define EOF_MAX_LEN 9u

static TsrDecodeStatus bad_header(GError **error, const char *what, guint8 header) {
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s header: 0x%02X not allowed", what, header);
  return TSR_DECODE_ERROR;
}

/* Reads info and session state of an OK packet. */
static gboolean read_ok_info(TsrReader *r, guint32 caps, TsrOkPacket *out, GError **error) {
  if (!(caps & TSR_CLIENT_SESSION_TRACK)) {
    tsr_reader_rest(r, &out->info);
    return TRUE;
  }
  if (tsr_reader_left(r) == 0) {
    tsr_reader_rest(r, &out->info);
    tsr_reader_rest(r, &out->session_state);
    return TRUE;
  }
  if (!tsr_reader_lenenc_str(r, &out->info, "OK info", error)) return FALSE;
  if ((out->status & TSR_SERVER_SESSION_STATE_CHANGED) && tsr_reader_left(r) > 0)
    return tsr_reader_lenenc_str(r, &out->session_state, "OK session state", error);
  tsr_reader_rest(r, &out->session_state);
  out->session_state.len = 0;
  return TRUE;
}

TsrDecodeStatus tsr_ok_decode(const guint8 *payload, gsize len, guint32 caps, TsrOkPacket *out, GError **error) {
  TsrReader r;
  guint8 header;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "OK header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_OK && header != TSR_PACKET_EOF) return bad_header(error, "OK", header);
  if (!tsr_reader_lenenc(&r, &out->affected_rows, NULL, "OK affected rows", error) ||
      !tsr_reader_lenenc(&r, &out->last_insert_id, NULL, "OK last insert id", error))
    return TSR_DECODE_ERROR;
  if (caps & TSR_CLIENT_PROTOCOL_41) {
    if (!tsr_reader_u16(&r, &out->status, "OK status flags", error) ||
        !tsr_reader_u16(&r, &out->warnings, "OK warnings", error))
      return TSR_DECODE_ERROR;
  } else if (caps & TSR_CLIENT_TRANSACTIONS) {
    if (!tsr_reader_u16(&r, &out->status, "OK status flags", error)) return TSR_DECODE_ERROR;
  }
  return read_ok_info(&r, caps, out, error) ? TSR_DECODE_OK : TSR_DECODE_ERROR;
}

void tsr_ok_encode(GByteArray *out, guint32 caps, const TsrOkPacket *ok, gboolean eof_header) {
  gboolean state = (ok->status & TSR_SERVER_SESSION_STATE_CHANGED) != 0;

  tsr_write_uint(out, 1, eof_header ? TSR_PACKET_EOF : TSR_PACKET_OK);
  tsr_write_lenenc(out, ok->affected_rows);
  tsr_write_lenenc(out, ok->last_insert_id);
  if (caps & TSR_CLIENT_PROTOCOL_41) {
    tsr_write_uint(out, 2, ok->status);
    tsr_write_uint(out, 2, ok->warnings);
  } else if (caps & TSR_CLIENT_TRANSACTIONS) {
    tsr_write_uint(out, 2, ok->status);
  }
  if (!(caps & TSR_CLIENT_SESSION_TRACK)) {
    tsr_write_bytes(out, ok->info.data, ok->info.len);
    return;
  }
  if (ok->info.len || state) tsr_write_lenenc_str(out, ok->info.data, ok->info.len);
  if (state) tsr_write_lenenc_str(out, ok->session_state.data, ok->session_state.len);
}

TsrDecodeStatus tsr_err_decode(const guint8 *payload, gsize len, TsrErrPacket *out, GError **error) {
  TsrReader r;
  guint8 header;
  TsrSlice state;

  memset(out, 0, sizeof *out);
  memcpy(out->sqlstate, "HY000", sizeof out->sqlstate);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "ERR header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_ERR) return bad_header(error, "ERR", header);
  if (!tsr_reader_u16(&r, &out->code, "ERR error code", error)) return TSR_DECODE_ERROR;
  if (out->code != TSR_ERR_PROGRESS_REPORT && tsr_reader_left(&r) > 0 && r.data[r.pos] == '#') {
    if (!tsr_reader_skip(&r, 1, "ERR sqlstate marker", error) ||
        !tsr_reader_bytes(&r, SQLSTATE_LEN, &state, "ERR sqlstate", error))
      return TSR_DECODE_ERROR;
    memcpy(out->sqlstate, state.data, SQLSTATE_LEN);
  }
  tsr_reader_rest(&r, &out->message);
  return TSR_DECODE_OK;
}

void tsr_err_encode(GByteArray *out, guint16 code, const char *sqlstate, const char *message) {
  if (!sqlstate || strlen(sqlstate) < SQLSTATE_LEN) sqlstate = "HY000";
  tsr_write_uint(out, 1, TSR_PACKET_ERR);
  tsr_write_uint(out, 2, code);
  tsr_write_uint(out, 1, '#');
  tsr_write_bytes(out, sqlstate, SQLSTATE_LEN);
  if (message) tsr_write_bytes(out, message, strlen(message));
}

TsrDecodeStatus tsr_eof_decode(const guint8 *payload, gsize len, TsrEofPacket *out, GError **error) {
  TsrReader r;
  guint8 header;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "EOF header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_EOF || len >= EOF_MAX_LEN) return bad_header(error, "EOF", header);
  if (len == 1) return TSR_DECODE_OK;
  if (!tsr_reader_u16(&r, &out->warnings, "EOF warnings", error) ||
      !tsr_reader_u16(&r, &out->status, "EOF status flags", error))
    return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

void tsr_eof_encode(GByteArray *out, guint16 warnings, guint16 status) {
  tsr_write_uint(out, 1, TSR_PACKET_EOF);
  tsr_write_uint(out, 2, warnings);
  tsr_write_uint(out, 2, status);
}

gboolean tsr_packet_is_eof(const guint8 *payload, gsize len) {
  return len > 0 && len < EOF_MAX_LEN && payload[0] == TSR_PACKET_EOF;
}

gboolean tsr_packet_is_err(const guint8 *payload, gsize len) {
  return len > 0 && payload[0] == TSR_PACKET_ERR;
}

gboolean tsr_packet_is_progress(const guint8 *payload, gsize len) {
  return len >= 3 && payload[0] == TSR_PACKET_ERR && payload[1] == 0xFF && payload[2] == 0xFF;
}
