/* mysql-wire.h: the protocol's basic data types: little-endian fixed
 * integers, length-encoded integers and strings, NUL-terminated strings.
 *
 * TsrReader walks a byte range it does not own. Every tsr_reader_* getter
 * returns TRUE and advances on success; on failure it returns FALSE, leaves
 * the position unchanged and, where it takes one, sets *error naming `field`.
 * Writers append to a caller-owned GByteArray. */
#ifndef TESSERA_MYSQL_WIRE_H
#define TESSERA_MYSQL_WIRE_H

#include <glib.h>
#include "protocol-types.h"

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
} TsrReader;

/* Starts a reader over data[0..len). */
static inline void tsr_reader_init(TsrReader *r, const guint8 *data, gsize len) {
  r->data = data;
  r->len = len;
  r->pos = 0;
}

/* Returns how many bytes are left after the current position. */
static inline gsize tsr_reader_left(const TsrReader *r) { return r->len - r->pos; }

/* Reads a fixed-size little-endian unsigned integer of `size` bytes (1..8). */
gboolean tsr_reader_uint(TsrReader *r, guint size, guint64 *out, const char *field, GError **error);
/* Shorthands for tsr_reader_uint with 1, 2, 3 and 4 bytes. */
gboolean tsr_reader_u8(TsrReader *r, guint8 *out, const char *field, GError **error);
gboolean tsr_reader_u16(TsrReader *r, guint16 *out, const char *field, GError **error);
gboolean tsr_reader_u24(TsrReader *r, guint32 *out, const char *field, GError **error);
gboolean tsr_reader_u32(TsrReader *r, guint32 *out, const char *field, GError **error);
/* Reads a length-encoded integer. *is_null is set when the byte is 0xFB (NULL
 * in a text row); pass NULL for is_null where NULL is not allowed (then 0xFB
 * is an error). 0xFF is always an error. */
gboolean tsr_reader_lenenc(TsrReader *r, guint64 *out, gboolean *is_null, const char *field, GError **error);
/* Reads `len` raw bytes: *out points into the reader's buffer. */
gboolean tsr_reader_bytes(TsrReader *r, gsize len, TsrSlice *out, const char *field, GError **error);
/* Reads a length-encoded string: *out points into the reader's buffer. */
gboolean tsr_reader_lenenc_str(TsrReader *r, TsrSlice *out, const char *field, GError **error);
/* Reads a NUL-terminated string; *out excludes the NUL, which is skipped. */
gboolean tsr_reader_nulstr(TsrReader *r, TsrSlice *out, const char *field, GError **error);
/* Takes every byte left as *out. Never fails. */
void tsr_reader_rest(TsrReader *r, TsrSlice *out);
/* Skips `len` bytes. */
gboolean tsr_reader_skip(TsrReader *r, gsize len, const char *field, GError **error);

/* Appends a little-endian unsigned integer of `size` bytes (1..8). */
void tsr_write_uint(GByteArray *out, guint size, guint64 value);
/* Appends a length-encoded integer. */
void tsr_write_lenenc(GByteArray *out, guint64 value);
/* Appends a length-encoded string. */
void tsr_write_lenenc_str(GByteArray *out, const void *data, gsize len);
/* Appends `len` raw bytes. */
void tsr_write_bytes(GByteArray *out, const void *data, gsize len);
/* Appends a C string and its terminating NUL. */
void tsr_write_nulstr(GByteArray *out, const char *s);
/* Appends `count` zero bytes. */
void tsr_write_zeros(GByteArray *out, gsize count);
/* Returns the number of bytes tsr_write_lenenc would write for value. */
guint tsr_lenenc_size(guint64 value);

/* Reads a little-endian integer from p without checks (p must hold size bytes). */
static inline guint32 tsr_le24(const guint8 *p) { return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16); }
static inline guint16 tsr_le16(const guint8 *p) { return (guint16)(p[0] | (p[1] << 8)); }
static inline guint32 tsr_le32(const guint8 *p) { return tsr_le24(p) | ((guint32)p[3] << 24); }

#endif
