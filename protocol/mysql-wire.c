/* mysql-wire.c: fixed and length-encoded integers and strings. */
#include <string.h>
#include "mysql-wire.h"

static gboolean truncated(GError **error, const char *field, gsize need, gsize have) {
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED,
              "%s: needs %" G_GSIZE_FORMAT " bytes, only %" G_GSIZE_FORMAT " left",
              field ? field : "field", need, have);
  return FALSE;
}

gboolean tsr_reader_uint(TsrReader *r, guint size, guint64 *out, const char *field, GError **error) {
  guint64 v = 0;
  g_return_val_if_fail(size >= 1 && size <= 8, FALSE);
  if (tsr_reader_left(r) < size)
    return truncated(error, field, size, tsr_reader_left(r));
  for (guint i = 0; i < size; i++)
    v |= (guint64)r->data[r->pos + i] << (8 * i);
  r->pos += size;
  *out = v;
  return TRUE;
}

gboolean tsr_reader_u8(TsrReader *r, guint8 *out, const char *field, GError **error) {
  guint64 v;
  if (!tsr_reader_uint(r, 1, &v, field, error)) return FALSE;
  *out = (guint8)v;
  return TRUE;
}

gboolean tsr_reader_u16(TsrReader *r, guint16 *out, const char *field, GError **error) {
  guint64 v;
  if (!tsr_reader_uint(r, 2, &v, field, error)) return FALSE;
  *out = (guint16)v;
  return TRUE;
}

gboolean tsr_reader_u24(TsrReader *r, guint32 *out, const char *field, GError **error) {
  guint64 v;
  if (!tsr_reader_uint(r, 3, &v, field, error)) return FALSE;
  *out = (guint32)v;
  return TRUE;
}

gboolean tsr_reader_u32(TsrReader *r, guint32 *out, const char *field, GError **error) {
  guint64 v;
  if (!tsr_reader_uint(r, 4, &v, field, error)) return FALSE;
  *out = (guint32)v;
  return TRUE;
}

gboolean tsr_reader_lenenc(TsrReader *r, guint64 *out, gboolean *is_null, const char *field, GError **error) {
  guint8 first;
  guint size;
  guint64 v;
  gsize start = r->pos;

  if (is_null) *is_null = FALSE;
  if (tsr_reader_left(r) < 1) return truncated(error, field, 1, 0);
  first = r->data[r->pos];
  if (first < 0xFB) {
    r->pos++;
    *out = first;
    return TRUE;
  }
  if (first == 0xFB && is_null) {
    r->pos++;
    *is_null = TRUE;
    *out = 0;
    return TRUE;
  }
  if (first == 0xFB || first == 0xFF) {
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID,
                "%s: 0x%02X is not a length-encoded integer", field ? field : "field", first);
    return FALSE;
  }
  size = first == 0xFC ? 2 : first == 0xFD ? 3 : 8;
  r->pos++;
  if (!tsr_reader_uint(r, size, &v, field, error)) {
    r->pos = start;
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean tsr_reader_bytes(TsrReader *r, gsize len, TsrSlice *out, const char *field, GError **error) {
  if (tsr_reader_left(r) < len) return truncated(error, field, len, tsr_reader_left(r));
  out->data = r->data + r->pos;
  out->len = len;
  r->pos += len;
  return TRUE;
}

gboolean tsr_reader_lenenc_str(TsrReader *r, TsrSlice *out, const char *field, GError **error) {
  gsize start = r->pos;
  guint64 len;
  if (!tsr_reader_lenenc(r, &len, NULL, field, error)) return FALSE;
  if (len > tsr_reader_left(r)) {
    gsize left = tsr_reader_left(r);
    r->pos = start;
    return truncated(error, field, (gsize)MIN(len, G_MAXSIZE), left);
  }
  return tsr_reader_bytes(r, (gsize)len, out, field, error);
}

gboolean tsr_reader_nulstr(TsrReader *r, TsrSlice *out, const char *field, GError **error) {
  const guint8 *start = r->data + r->pos;
  const guint8 *nul = memchr(start, 0, tsr_reader_left(r));
  if (!nul) {
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED,
                "%s: string has no terminating NUL", field ? field : "field");
    return FALSE;
  }
  out->data = start;
  out->len = (gsize)(nul - start);
  r->pos += out->len + 1;
  return TRUE;
}

void tsr_reader_rest(TsrReader *r, TsrSlice *out) {
  out->data = r->data + r->pos;
  out->len = tsr_reader_left(r);
  r->pos = r->len;
}

gboolean tsr_reader_skip(TsrReader *r, gsize len, const char *field, GError **error) {
  if (tsr_reader_left(r) < len) return truncated(error, field, len, tsr_reader_left(r));
  r->pos += len;
  return TRUE;
}

void tsr_write_uint(GByteArray *out, guint size, guint64 value) {
  guint8 buf[8];
  g_return_if_fail(size >= 1 && size <= 8);
  for (guint i = 0; i < size; i++)
    buf[i] = (guint8)(value >> (8 * i));
  g_byte_array_append(out, buf, size);
}

guint tsr_lenenc_size(guint64 value) {
  if (value < 0xFB) return 1;
  if (value <= 0xFFFF) return 3;
  if (value <= 0xFFFFFF) return 4;
  return 9;
}

void tsr_write_lenenc(GByteArray *out, guint64 value) {
  guint8 marker;
  switch (tsr_lenenc_size(value)) {
  case 1:
    tsr_write_uint(out, 1, value);
    return;
  case 3:
    marker = 0xFC;
    g_byte_array_append(out, &marker, 1);
    tsr_write_uint(out, 2, value);
    return;
  case 4:
    marker = 0xFD;
    g_byte_array_append(out, &marker, 1);
    tsr_write_uint(out, 3, value);
    return;
  default:
    marker = 0xFE;
    g_byte_array_append(out, &marker, 1);
    tsr_write_uint(out, 8, value);
    return;
  }
}

void tsr_write_lenenc_str(GByteArray *out, const void *data, gsize len) {
  tsr_write_lenenc(out, len);
  if (len) g_byte_array_append(out, data, (guint)len);
}

void tsr_write_bytes(GByteArray *out, const void *data, gsize len) {
  if (len) g_byte_array_append(out, data, (guint)len);
}

void tsr_write_nulstr(GByteArray *out, const char *s) {
  g_byte_array_append(out, (const guint8 *)s, (guint)strlen(s) + 1);
}

void tsr_write_zeros(GByteArray *out, gsize count) {
  gsize old = out->len;
  g_byte_array_set_size(out, (guint)(old + count));
  memset(out->data + old, 0, count);
}
