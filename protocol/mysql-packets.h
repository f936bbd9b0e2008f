/* mysql-packets.h: the generic response packets: OK, ERR and EOF.
 *
 * Decoders take one whole payload (no frame header) and never return
 * TSR_DECODE_NEED_MORE: a field that runs past the end is TSR_DECODE_ERROR
 * with TSR_PROTOCOL_ERROR_TRUNCATED. Slices point into the payload.
 * Encoders append a payload to a caller-owned GByteArray. */
#ifndef TESSERA_MYSQL_PACKETS_H
#define TESSERA_MYSQL_PACKETS_H

#include <glib.h>
#include "protocol-types.h"
#include "mysql-constants.h"

/* Error code of a MariaDB progress report, sent as an ERR packet while a
 * long command runs (only to clients with MARIADB_CLIENT_PROGRESS). */
#define TSR_ERR_PROGRESS_REPORT 0xFFFFu

typedef struct {
  guint64 affected_rows, last_insert_id;
  guint16 status, warnings;
  TsrSlice info;                    /* human readable info, may be empty */
  TsrSlice session_state;           /* session state changes (CLIENT_SESSION_TRACK and
                                       SERVER_SESSION_STATE_CHANGED), else empty */
} TsrOkPacket;

typedef struct {
  guint16 code;
  char sqlstate[6];                 /* NUL-terminated, "HY000" when the packet has none */
  TsrSlice message;
} TsrErrPacket;

typedef struct {
  guint16 warnings, status;
} TsrEofPacket;

/* Decodes an OK packet (header 0x00, or 0xFE as sent instead of EOF under
 * CLIENT_DEPRECATE_EOF) under the capabilities `caps` both sides agreed on:
 * status and warnings with CLIENT_PROTOCOL_41, status alone with
 * CLIENT_TRANSACTIONS; info as a length-encoded string with
 * CLIENT_SESSION_TRACK (absent when the payload ends), else the rest of the
 * payload. Returns OK, or ERROR with *error naming the field. */
TsrDecodeStatus tsr_ok_decode(const guint8 *payload, gsize len, guint32 caps, TsrOkPacket *out, GError **error);

/* Appends an OK packet payload for *ok under `caps`; the header is 0xFE
 * when eof_header is TRUE (the end of rows under CLIENT_DEPRECATE_EOF), else
 * 0x00. With CLIENT_SESSION_TRACK the info is written only when it is not
 * empty or session state follows. */
void tsr_ok_encode(GByteArray *out, guint32 caps, const TsrOkPacket *ok, gboolean eof_header);

/* Decodes an ERR packet: 0xFF, code, optional '#' + 5-character SQLSTATE,
 * message (the rest). A progress report (code TSR_ERR_PROGRESS_REPORT)
 * decodes with its raw body as message. Returns OK, or ERROR with *error
 * naming the field. */
TsrDecodeStatus tsr_err_decode(const guint8 *payload, gsize len, TsrErrPacket *out, GError **error);

/* Appends an ERR packet payload: 0xFF, code, '#', sqlstate (exactly 5
 * characters are written: a shorter or NULL sqlstate is replaced by "HY000"),
 * message (NULL writes none). */
void tsr_err_encode(GByteArray *out, guint16 code, const char *sqlstate, const char *message);

/* Decodes a classic EOF packet: 0xFE, warnings, status (the pre-4.1 form is
 * 0xFE alone: both read as 0). ERROR when the payload is not an EOF packet. */
TsrDecodeStatus tsr_eof_decode(const guint8 *payload, gsize len, TsrEofPacket *out, GError **error);

/* Appends a classic EOF packet payload (5 bytes). */
void tsr_eof_encode(GByteArray *out, guint16 warnings, guint16 status);

/* TRUE when the payload is a classic EOF packet (0xFE, length < 9). */
gboolean tsr_packet_is_eof(const guint8 *payload, gsize len);

/* TRUE when the payload is an ERR packet (first byte 0xFF). */
gboolean tsr_packet_is_err(const guint8 *payload, gsize len);

/* TRUE when the payload is a MariaDB progress report (0xFF 0xFF 0xFF ...),
 * which is not the end of a response. */
gboolean tsr_packet_is_progress(const guint8 *payload, gsize len);

#endif
