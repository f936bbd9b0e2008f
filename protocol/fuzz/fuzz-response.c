/* fuzz-response.c: the response boundary tracker. The first input byte
 * picks the command (an index into `commands`), the second the
 * capabilities (bit 0: CLIENT_DEPRECATE_EOF); the rest is a stream of frames
 * (4-byte header and payload) fed to the tracker: server frames, or client
 * frames while the tracker waits for the client. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-response.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-constants.h"

/* Keep in step with RESPONSE_COMMANDS in tests/capture/gen-vectors.py. */
static const guint commands[] = {
  TSR_COM_QUERY, TSR_COM_STMT_EXECUTE, TSR_COM_STMT_PREPARE, TSR_COM_FIELD_LIST, TSR_COM_STMT_FETCH,
  TSR_RESPONSE_AUTH, TSR_COM_CHANGE_USER, TSR_COM_PING, TSR_COM_STATISTICS, TSR_COM_STMT_RESET,
  TSR_COM_SET_OPTION, TSR_COM_RESET_CONNECTION, TSR_COM_PROCESS_INFO, TSR_COM_QUIT,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  TsrResponseTracker t;
  gboolean client_turn = FALSE;
  gsize pos = 2;

  if (size < 2) return 0;
  tsr_response_start(&t, commands[data[0] % G_N_ELEMENTS(commands)],
                     TSR_CLIENT_PROTOCOL_41 | ((data[1] & 1) ? TSR_CLIENT_DEPRECATE_EOF : 0));
  while (pos < size) {
    TsrFrameHeader hdr;
    TsrSlice payload;
    GError *error = NULL;
    TsrTrackResult res;
    if (tsr_frame_decode(data + pos, size - pos, &hdr, &payload) != TSR_DECODE_OK) break;
    pos += TSR_FRAME_HEADER_LEN + hdr.payload_len;
    if (client_turn) {
      client_turn = !tsr_response_client_frame(&t, hdr.payload_len);
      continue;
    }
    res = tsr_response_feed(&t, hdr.payload_len, payload.data, MIN(payload.len, (gsize)TSR_RESPONSE_HEAD), &error);
    if (res == TSR_TRACK_ERROR) {
      g_assert(error != NULL);
      g_clear_error(&error);
      break;
    }
    g_assert(error == NULL);
    if (res == TSR_TRACK_DONE) {
      g_assert(tsr_response_done(&t));
      break;
    }
    client_turn = res == TSR_TRACK_WAIT_CLIENT;
  }
  return 0;
}
