/* fuzz-frame.c: frame and multi-frame packet decoding over a byte stream. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  g_autoptr(GByteArray) packet = g_byte_array_new();
  gsize pos = 0;

  while (pos < size) {
    gsize consumed = 0;
    guint8 seq = 0;
    GError *error = NULL;
    TsrFrameHeader hdr;
    TsrSlice payload;
    TsrDecodeStatus st;

    if (tsr_frame_decode(data + pos, size - pos, &hdr, &payload) == TSR_DECODE_OK)
      g_assert(payload.data + payload.len <= data + size);
    g_byte_array_set_size(packet, 0);
    st = tsr_packet_decode(data + pos, size - pos, 1u << 20, packet, &consumed, &seq, &error);
    if (st != TSR_DECODE_OK) {
      g_clear_error(&error);
      break;
    }
    g_assert(consumed > 0 && consumed <= size - pos);
    pos += consumed;
  }
  return 0;
}
