/* fuzz-packets.c: OK, ERR and EOF packets under several capability sets. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-packets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const guint32 caps[] = { 0, TSR_CLIENT_TRANSACTIONS, TSR_CLIENT_PROTOCOL_41,
                                  TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_SESSION_TRACK,
                                  TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_SESSION_TRACK | TSR_CLIENT_DEPRECATE_EOF };
  TsrErrPacket err;
  TsrEofPacket eof;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(caps); i++) {
    TsrOkPacket ok;
    if (tsr_ok_decode(data, size, caps[i], &ok, &error) == TSR_DECODE_OK) {
      g_assert(ok.info.data + ok.info.len <= data + size);
      g_assert(ok.session_state.len == 0 || ok.session_state.data + ok.session_state.len <= data + size);
    } else {
      g_assert(error != NULL);
      g_clear_error(&error);
    }
  }
  if (tsr_err_decode(data, size, &err, &error) == TSR_DECODE_OK)
    g_assert(err.sqlstate[5] == '\0');
  else
    g_clear_error(&error);
  if (tsr_eof_decode(data, size, &eof, &error) != TSR_DECODE_OK) g_clear_error(&error);
  (void)tsr_packet_is_eof(data, size);
  (void)tsr_packet_is_err(data, size);
  (void)tsr_packet_is_progress(data, size);
  return 0;
}
