/* protocol-types.h: result conventions shared by every decoder in protocol/.
 *
 * protocol/ is a pure codec: no sockets, no logging, no libevent, no Lua.
 * Every decoder takes a byte range (pointer + length) and returns a
 * TsrDecodeStatus:
 *   TSR_DECODE_OK         the value was decoded; out-parameters are filled.
 *   TSR_DECODE_NEED_MORE  the range ends before the value does; nothing was
 *                         consumed, call again with more bytes.
 *   TSR_DECODE_ERROR      the bytes are not what the protocol allows; *error
 *                         (domain TSR_PROTOCOL_ERROR) names the field.
 * Encoders append to a caller-owned GByteArray and cannot fail.
 * Decoded strings point into the caller's buffer unless a type says it
 * owns copies (then it has a *_clear() function).
 */
#ifndef TESSERA_PROTOCOL_TYPES_H
#define TESSERA_PROTOCOL_TYPES_H

#include <glib.h>

typedef enum {
  TSR_DECODE_OK = 0,
  TSR_DECODE_NEED_MORE,
  TSR_DECODE_ERROR,
} TsrDecodeStatus;

#define TSR_PROTOCOL_ERROR (tsr_protocol_error_quark())

typedef enum {
  TSR_PROTOCOL_ERROR_TRUNCATED,   /* a field runs past the end of the packet */
  TSR_PROTOCOL_ERROR_INVALID,     /* a field holds a value the protocol forbids */
  TSR_PROTOCOL_ERROR_TOO_LARGE,   /* a length exceeds what the caller allows */
  TSR_PROTOCOL_ERROR_SEQUENCE,    /* a packet arrived with the wrong sequence id */
  TSR_PROTOCOL_ERROR_UNEXPECTED,  /* a packet of a type not allowed in this state */
} TsrProtocolErrorCode;

/* Returns the GQuark of the TSR_PROTOCOL_ERROR domain. */
GQuark tsr_protocol_error_quark(void);

/* A byte range that does not own its bytes. */
typedef struct {
  const guint8 *data;
  gsize len;
} TsrSlice;

#endif
