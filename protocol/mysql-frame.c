/* mysql-frame.c: frame headers and splitting/joining of large payloads. */
#include "mysql-frame.h"
#include "mysql-wire.h"

TsrDecodeStatus tsr_frame_header_decode(const guint8 *buf, gsize len, TsrFrameHeader *out) {
  if (len < TSR_FRAME_HEADER_LEN) return TSR_DECODE_NEED_MORE;
  out->payload_len = tsr_le24(buf);
  out->seq = buf[3];
  return TSR_DECODE_OK;
}

void tsr_frame_header_write(guint8 *dst, guint32 payload_len, guint8 seq) {
  dst[0] = (guint8)payload_len;
  dst[1] = (guint8)(payload_len >> 8);
  dst[2] = (guint8)(payload_len >> 16);
  dst[3] = seq;
}

TsrDecodeStatus tsr_frame_decode(const guint8 *buf, gsize len, TsrFrameHeader *hdr, TsrSlice *payload) {
  if (tsr_frame_header_decode(buf, len, hdr) != TSR_DECODE_OK) return TSR_DECODE_NEED_MORE;
  if (len - TSR_FRAME_HEADER_LEN < hdr->payload_len) return TSR_DECODE_NEED_MORE;
  payload->data = buf + TSR_FRAME_HEADER_LEN;
  payload->len = hdr->payload_len;
  return TSR_DECODE_OK;
}

/* Walks the frames of one logical packet at buf without copying anything:
 * checks it is complete, that sequence ids follow each other and that the
 * payload stays within max_payload. On OK, *consumed is the packet's size on
 * the wire and *last_seq the sequence id of its last frame. */
static TsrDecodeStatus packet_extent(const guint8 *buf, gsize len, gsize max_payload, gsize *consumed,
                                     guint8 *last_seq, GError **error) {
  gsize pos = 0, total = 0;
  gboolean first = TRUE;
  guint8 seq = 0;

  for (;;) {
    TsrFrameHeader hdr;
    TsrSlice payload;
    if (tsr_frame_decode(buf + pos, len - pos, &hdr, &payload) != TSR_DECODE_OK) return TSR_DECODE_NEED_MORE;
    if (!first && hdr.seq != (guint8)(seq + 1)) {
      g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_SEQUENCE,
                  "frame sequence id: expected %u, got %u", (guint8)(seq + 1), hdr.seq);
      return TSR_DECODE_ERROR;
    }
    total += hdr.payload_len;
    if (max_payload && total > max_payload) {
      g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TOO_LARGE,
                  "packet payload: more than %" G_GSIZE_FORMAT " bytes", max_payload);
      return TSR_DECODE_ERROR;
    }
    seq = hdr.seq;
    first = FALSE;
    pos += TSR_FRAME_HEADER_LEN + hdr.payload_len;
    if (hdr.payload_len < TSR_FRAME_MAX_PAYLOAD) break;
  }
  *consumed = pos;
  *last_seq = seq;
  return TSR_DECODE_OK;
}

TsrDecodeStatus tsr_packet_decode(const guint8 *buf, gsize len, gsize max_payload, GByteArray *out,
                                  gsize *consumed, guint8 *last_seq, GError **error) {
  gsize extent, pos = 0;
  TsrDecodeStatus st = packet_extent(buf, len, max_payload, &extent, last_seq, error);

  /* Nothing is copied before the whole packet is there: a large packet
   * arriving in pieces is not copied again and again. */
  if (st != TSR_DECODE_OK) return st;
  while (pos < extent) {
    guint32 chunk = tsr_le24(buf + pos);
    tsr_write_bytes(out, buf + pos + TSR_FRAME_HEADER_LEN, chunk);
    pos += TSR_FRAME_HEADER_LEN + chunk;
  }
  *consumed = extent;
  return TSR_DECODE_OK;
}

guint8 tsr_packet_encode(GByteArray *out, guint8 seq, const guint8 *payload, gsize len) {
  gsize off = 0;
  for (;;) {
    guint8 hdr[TSR_FRAME_HEADER_LEN];
    guint32 chunk = (guint32)MIN(len - off, (gsize)TSR_FRAME_MAX_PAYLOAD);
    tsr_frame_header_write(hdr, chunk, seq++);
    g_byte_array_append(out, hdr, sizeof hdr);
    tsr_write_bytes(out, payload + off, chunk);
    off += chunk;
    if (chunk < TSR_FRAME_MAX_PAYLOAD) break;
  }
  return seq;
}
