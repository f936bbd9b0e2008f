/* mysql-frame.h: packet framing. Every packet is a 4-byte header (3-byte
 * little-endian payload length, 1-byte sequence id) and the payload. A
 * payload of 0xFFFFFF bytes or more is split over several frames: each frame
 * but the last carries exactly 0xFFFFFF bytes (the last may carry 0). */
#ifndef TESSERA_MYSQL_FRAME_H
#define TESSERA_MYSQL_FRAME_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"

typedef struct {
  guint32 payload_len;
  guint8 seq;
} TsrFrameHeader;

/* Reads the 4-byte frame header at buf. Returns NEED_MORE when len < 4. */
TsrDecodeStatus tsr_frame_header_decode(const guint8 *buf, gsize len, TsrFrameHeader *out);

/* Writes a 4-byte frame header to dst (which must hold 4 bytes). */
void tsr_frame_header_write(guint8 *dst, guint32 payload_len, guint8 seq);

/* Decodes one whole frame at buf: on OK, *hdr is its header and *payload
 * points into buf at its payload (4 + hdr->payload_len bytes are used).
 * NEED_MORE when the frame is not complete in [buf, buf+len). */
TsrDecodeStatus tsr_frame_decode(const guint8 *buf, gsize len, TsrFrameHeader *hdr, TsrSlice *payload);

/* Decodes one logical packet (one or more frames) at buf into `out` (the
 * payload without headers, appended). On OK, *consumed is the number of
 * bytes of buf used and *last_seq the sequence id of its last frame. Sequence
 * ids of continuation frames must follow each other, else ERROR. ERROR with
 * TSR_PROTOCOL_ERROR_TOO_LARGE when the payload exceeds max_payload (0: no
 * limit). NEED_MORE and ERROR leave `out` unchanged: nothing is copied
 * before every frame of the packet is in buf. */
TsrDecodeStatus tsr_packet_decode(const guint8 *buf, gsize len, gsize max_payload, GByteArray *out,
                                  gsize *consumed, guint8 *last_seq, GError **error);

/* Appends payload[0..len) as one logical packet, split into frames as the
 * protocol requires, starting at sequence id `seq`. Returns the sequence id
 * that follows the last frame written. */
guint8 tsr_packet_encode(GByteArray *out, guint8 seq, const guint8 *payload, gsize len);

#endif
