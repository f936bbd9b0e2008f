/* mysql-resultset.c: column count, column definitions, text and binary rows
 * (see mysql-resultset.h). */
#include <string.h>
#include "mysql-resultset.h"
#include "mysql-wire.h"

#define BINARY_ROW_BITMAP_OFFSET 2u

static TsrDecodeStatus fail(GError **error, gint code, const char *field, const char *what) {
  g_set_error(error, TSR_PROTOCOL_ERROR, code, "%s: %s", field, what);
  return TSR_DECODE_ERROR;
}

/* ---- column count ---- */

TsrDecodeStatus tsr_column_count_decode(const guint8 *payload, gsize len, guint64 *count,
                                        gboolean *metadata_follows, GError **error) {
  TsrReader r;
  guint8 follows;

  tsr_reader_init(&r, payload, len);
  *metadata_follows = TRUE;
  if (!tsr_reader_lenenc(&r, count, NULL, "column count", error)) return TSR_DECODE_ERROR;
  if (*count == 0) return fail(error, TSR_PROTOCOL_ERROR_INVALID, "column count", "must not be 0");
  if (tsr_reader_left(&r) == 0) return TSR_DECODE_OK;
  if (!tsr_reader_u8(&r, &follows, "column count metadata flag", error)) return TSR_DECODE_ERROR;
  if (tsr_reader_left(&r) != 0 || follows > 1)
    return fail(error, TSR_PROTOCOL_ERROR_INVALID, "column count", "unexpected bytes after the count");
  *metadata_follows = follows != 0;
  return TSR_DECODE_OK;
}

void tsr_column_count_encode(GByteArray *out, guint64 count, guint32 mariadb_caps, gboolean metadata_follows) {
  tsr_write_lenenc(out, count);
  if (mariadb_caps & TSR_MARIADB_CLIENT_CACHE_METADATA) tsr_write_uint(out, 1, metadata_follows ? 1 : 0);
}

/* ---- column definition ---- */

/* Reads the fixed-length fields after the strings. */
static gboolean read_column_fixed(TsrReader *r, TsrColumnDef *out, GError **error) {
  guint64 fixed_len;
  if (!tsr_reader_lenenc(r, &fixed_len, NULL, "column definition fixed-length marker", error)) return FALSE;
  if (fixed_len != TSR_COLUMN_FIXED_LEN) {
    fail(error, TSR_PROTOCOL_ERROR_INVALID, "column definition fixed-length marker", "must be 0x0C");
    return FALSE;
  }
  return tsr_reader_u16(r, &out->charset, "column definition character set", error) &&
         tsr_reader_u32(r, &out->column_length, "column definition column length", error) &&
         tsr_reader_u8(r, &out->type, "column definition type", error) &&
         tsr_reader_u16(r, &out->flags, "column definition flags", error) &&
         tsr_reader_u8(r, &out->decimals, "column definition decimals", error) &&
         tsr_reader_skip(r, 2, "column definition filler", error);
}

/* Reads the COM_FIELD_LIST default value that may follow the fixed fields. */
static gboolean read_column_default(TsrReader *r, TsrColumnDef *out, GError **error) {
  guint64 dlen;
  gboolean is_null;
  gsize start = r->pos;

  if (tsr_reader_left(r) == 0) return TRUE;
  out->has_default = TRUE;
  if (!tsr_reader_lenenc(r, &dlen, &is_null, "column definition default value", error)) return FALSE;
  if (!is_null) {
    r->pos = start;
    if (!tsr_reader_lenenc_str(r, &out->default_value, "column definition default value", error)) return FALSE;
  }
  if (tsr_reader_left(r) != 0) {
    fail(error, TSR_PROTOCOL_ERROR_INVALID, "column definition", "unexpected bytes after the default value");
    return FALSE;
  }
  return TRUE;
}

TsrDecodeStatus tsr_column_def_decode(const guint8 *payload, gsize len, guint32 mariadb_caps, TsrColumnDef *out,
                                      GError **error) {
  TsrReader r;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_lenenc_str(&r, &out->catalog, "column definition catalog", error) ||
      !tsr_reader_lenenc_str(&r, &out->schema, "column definition schema", error) ||
      !tsr_reader_lenenc_str(&r, &out->table, "column definition table", error) ||
      !tsr_reader_lenenc_str(&r, &out->org_table, "column definition org_table", error) ||
      !tsr_reader_lenenc_str(&r, &out->name, "column definition name", error) ||
      !tsr_reader_lenenc_str(&r, &out->org_name, "column definition org_name", error))
    return TSR_DECODE_ERROR;
  if ((mariadb_caps & TSR_MARIADB_CLIENT_EXTENDED_METADATA) &&
      !tsr_reader_lenenc_str(&r, &out->extended_metadata, "column definition extended metadata", error))
    return TSR_DECODE_ERROR;
  if (!read_column_fixed(&r, out, error) || !read_column_default(&r, out, error)) return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

static void write_slice(GByteArray *out, TsrSlice s) { tsr_write_lenenc_str(out, s.data, s.len); }

void tsr_column_def_encode(GByteArray *out, guint32 mariadb_caps, const TsrColumnDef *col) {
  write_slice(out, col->catalog);
  write_slice(out, col->schema);
  write_slice(out, col->table);
  write_slice(out, col->org_table);
  write_slice(out, col->name);
  write_slice(out, col->org_name);
  if (mariadb_caps & TSR_MARIADB_CLIENT_EXTENDED_METADATA) write_slice(out, col->extended_metadata);
  tsr_write_lenenc(out, TSR_COLUMN_FIXED_LEN);
  tsr_write_uint(out, 2, col->charset);
  tsr_write_uint(out, 4, col->column_length);
  tsr_write_uint(out, 1, col->type);
  tsr_write_uint(out, 2, col->flags);
  tsr_write_uint(out, 1, col->decimals);
  tsr_write_zeros(out, 2);
  if (!col->has_default) return;
  if (col->default_value.data)
    write_slice(out, col->default_value);
  else
    tsr_write_uint(out, 1, 0xFB);
}

/* ---- text rows ---- */

TsrDecodeStatus tsr_text_row_decode(const guint8 *payload, gsize len, guint n_columns, TsrSlice *values,
                                    GError **error) {
  TsrReader r;

  tsr_reader_init(&r, payload, len);
  for (guint i = 0; i < n_columns; i++) {
    guint64 vlen;
    gboolean is_null;
    gsize start = r.pos;
    if (!tsr_reader_lenenc(&r, &vlen, &is_null, "text row value", error)) return TSR_DECODE_ERROR;
    if (is_null) {
      values[i].data = NULL;
      values[i].len = 0;
      continue;
    }
    r.pos = start;
    if (!tsr_reader_lenenc_str(&r, &values[i], "text row value", error)) return TSR_DECODE_ERROR;
  }
  if (tsr_reader_left(&r) != 0)
    return fail(error, TSR_PROTOCOL_ERROR_INVALID, "text row", "more values than columns");
  return TSR_DECODE_OK;
}

void tsr_text_row_encode(GByteArray *out, const TsrSlice *values, guint n_columns) {
  for (guint i = 0; i < n_columns; i++) {
    if (values[i].data)
      write_slice(out, values[i]);
    else
      tsr_write_uint(out, 1, 0xFB);
  }
}

/* ---- binary values ---- */

TsrValueType tsr_value_type_of_column(const TsrColumnDef *col) {
  TsrValueType t = { col->type, (col->flags & TSR_FIELD_UNSIGNED) != 0 };
  return t;
}

TsrBinaryForm tsr_binary_form(guint8 type, guint *int_size) {
  guint size = 0;
  TsrBinaryForm form = TSR_BINARY_STRING;
  switch (type) {
  case TSR_TYPE_NULL: form = TSR_BINARY_NONE; break;
  case TSR_TYPE_TINY: form = TSR_BINARY_INT; size = 1; break;
  case TSR_TYPE_SHORT:
  case TSR_TYPE_YEAR: form = TSR_BINARY_INT; size = 2; break;
  case TSR_TYPE_LONG:
  case TSR_TYPE_INT24: form = TSR_BINARY_INT; size = 4; break;
  case TSR_TYPE_LONGLONG: form = TSR_BINARY_INT; size = 8; break;
  case TSR_TYPE_FLOAT: form = TSR_BINARY_FLOAT; break;
  case TSR_TYPE_DOUBLE: form = TSR_BINARY_DOUBLE; break;
  case TSR_TYPE_DATE:
  case TSR_TYPE_NEWDATE:
  case TSR_TYPE_DATETIME:
  case TSR_TYPE_TIMESTAMP:
  case TSR_TYPE_DATETIME2:
  case TSR_TYPE_TIMESTAMP2: form = TSR_BINARY_DATE; break;
  case TSR_TYPE_TIME:
  case TSR_TYPE_TIME2: form = TSR_BINARY_TIME; break;
  default: break;
  }
  if (int_size) *int_size = size;
  return form;
}

/* Reads the fields of a DATE/DATETIME/TIMESTAMP body of length 0, 4, 7 or 11. */
static gboolean decode_date(const guint8 *p, gsize n, TsrTime *t) {
  if (n != 0 && n != 4 && n != 7 && n != 11) return FALSE;
  if (n >= 4) {
    t->year = tsr_le16(p);
    t->month = p[2];
    t->day = p[3];
  }
  if (n >= 7) {
    t->hour = p[4];
    t->minute = p[5];
    t->second = p[6];
  }
  if (n == 11) t->microsecond = tsr_le32(p + 7);
  return TRUE;
}

/* Reads the fields of a TIME body of length 0, 8 or 12. */
static gboolean decode_time(const guint8 *p, gsize n, TsrTime *t) {
  if (n != 0 && n != 8 && n != 12) return FALSE;
  if (n >= 8) {
    t->negative = p[0] != 0;
    t->days = tsr_le32(p + 1);
    t->hour = p[5];
    t->minute = p[6];
    t->second = p[7];
  }
  if (n == 12) t->microsecond = tsr_le32(p + 8);
  return TRUE;
}

/* Reads a temporal: a length byte and that many bytes. */
static gboolean read_temporal(TsrReader *r, TsrBinaryForm form, TsrValue *v, const char *field, GError **error) {
  guint8 n;
  gsize start = r->pos;
  gboolean ok;
  if (!tsr_reader_u8(r, &n, field, error)) return FALSE;
  if (!tsr_reader_bytes(r, n, &v->raw, field, error)) {
    r->pos = start;
    return FALSE;
  }
  ok = form == TSR_BINARY_DATE ? decode_date(v->raw.data, n, &v->v.time) : decode_time(v->raw.data, n, &v->v.time);
  if (!ok) {
    r->pos = start;
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s: temporal length %u not allowed",
                field, n);
  }
  return ok;
}

/* Sets the union from the raw bytes of a fixed-size number. */
static void decode_number(TsrValue *v, TsrBinaryForm form, guint size) {
  guint64 bits = 0;
  for (gsize i = 0; i < v->raw.len; i++) bits |= (guint64)v->raw.data[i] << (8 * i);
  if (form == TSR_BINARY_FLOAT) {
    guint32 b32 = (guint32)bits;
    gfloat f;
    memcpy(&f, &b32, sizeof f);
    v->v.f = f;
  } else if (form == TSR_BINARY_DOUBLE) {
    memcpy(&v->v.f, &bits, sizeof v->v.f);
  } else if (v->type.is_unsigned || size == 8) {
    v->v.u = bits;
  } else {
    guint shift = 64 - 8 * size;
    v->v.i = (gint64)(bits << shift) >> shift;
  }
}

gboolean tsr_binary_value_decode(const guint8 *payload, gsize len, gsize *pos, TsrValue *v, const char *field,
                                 GError **error) {
  TsrReader r;
  guint size;
  TsrBinaryForm form = tsr_binary_form(v->type.type, &size);

  memset(&v->v, 0, sizeof v->v);
  tsr_reader_init(&r, payload, len);
  r.pos = *pos;
  switch (form) {
  case TSR_BINARY_NONE:
    v->raw.data = payload + r.pos;
    v->raw.len = 0;
    break;
  case TSR_BINARY_INT:
  case TSR_BINARY_FLOAT:
  case TSR_BINARY_DOUBLE:
    if (form != TSR_BINARY_INT) size = form == TSR_BINARY_FLOAT ? 4 : 8;
    if (!tsr_reader_bytes(&r, size, &v->raw, field, error)) return FALSE;
    decode_number(v, form, size);
    break;
  case TSR_BINARY_DATE:
  case TSR_BINARY_TIME:
    if (!read_temporal(&r, form, v, field, error)) return FALSE;
    break;
  case TSR_BINARY_STRING:
    if (!tsr_reader_lenenc_str(&r, &v->raw, field, error)) return FALSE;
    break;
  }
  *pos = r.pos;
  return TRUE;
}

/* Appends the shortest DATE/DATETIME/TIMESTAMP form of t. */
static void encode_date(GByteArray *out, const TsrTime *t) {
  guint8 n = t->microsecond ? 11 : (t->hour || t->minute || t->second) ? 7 : (t->year || t->month || t->day) ? 4 : 0;
  tsr_write_uint(out, 1, n);
  if (n >= 4) {
    tsr_write_uint(out, 2, t->year);
    tsr_write_uint(out, 1, t->month);
    tsr_write_uint(out, 1, t->day);
  }
  if (n >= 7) {
    tsr_write_uint(out, 1, t->hour);
    tsr_write_uint(out, 1, t->minute);
    tsr_write_uint(out, 1, t->second);
  }
  if (n == 11) tsr_write_uint(out, 4, t->microsecond);
}

/* Appends the shortest TIME form of t. */
static void encode_time(GByteArray *out, const TsrTime *t) {
  guint8 n = t->microsecond ? 12 : (t->days || t->hour || t->minute || t->second) ? 8 : 0;
  tsr_write_uint(out, 1, n);
  if (n >= 8) {
    tsr_write_uint(out, 1, t->negative ? 1 : 0);
    tsr_write_uint(out, 4, t->days);
    tsr_write_uint(out, 1, t->hour);
    tsr_write_uint(out, 1, t->minute);
    tsr_write_uint(out, 1, t->second);
  }
  if (n == 12) tsr_write_uint(out, 4, t->microsecond);
}

void tsr_binary_value_encode(GByteArray *out, const TsrValue *v) {
  guint size;
  TsrBinaryForm form = tsr_binary_form(v->type.type, &size);
  gfloat f;
  guint32 b32;
  guint64 b64;

  if (v->is_null || v->is_long_data) return;
  switch (form) {
  case TSR_BINARY_NONE:
    break;
  case TSR_BINARY_INT:
    tsr_write_uint(out, size, v->v.u);
    break;
  case TSR_BINARY_FLOAT:
    f = (gfloat)v->v.f;
    memcpy(&b32, &f, sizeof b32);
    tsr_write_uint(out, 4, b32);
    break;
  case TSR_BINARY_DOUBLE:
    memcpy(&b64, &v->v.f, sizeof b64);
    tsr_write_uint(out, 8, b64);
    break;
  case TSR_BINARY_DATE:
    encode_date(out, &v->v.time);
    break;
  case TSR_BINARY_TIME:
    encode_time(out, &v->v.time);
    break;
  case TSR_BINARY_STRING:
    write_slice(out, v->raw);
    break;
  }
}

/* ---- binary rows ---- */

TsrDecodeStatus tsr_binary_row_decode(const guint8 *payload, gsize len, const TsrValueType *types, guint n_columns,
                                      TsrValue *values, GError **error) {
  TsrReader r;
  guint8 header;
  TsrSlice bitmap;

  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "binary row header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_OK) return fail(error, TSR_PROTOCOL_ERROR_INVALID, "binary row header", "must be 0x00");
  if (!tsr_reader_bytes(&r, tsr_null_bitmap_size(n_columns, BINARY_ROW_BITMAP_OFFSET), &bitmap,
                        "binary row NULL bitmap", error))
    return TSR_DECODE_ERROR;
  for (guint i = 0; i < n_columns; i++) {
    guint bit = i + BINARY_ROW_BITMAP_OFFSET;
    memset(&values[i], 0, sizeof values[i]);
    values[i].type = types[i];
    values[i].is_null = (bitmap.data[bit / 8] >> (bit % 8)) & 1;
    if (values[i].is_null) continue;
    if (!tsr_binary_value_decode(payload, len, &r.pos, &values[i], "binary row value", error))
      return TSR_DECODE_ERROR;
  }
  if (tsr_reader_left(&r) != 0)
    return fail(error, TSR_PROTOCOL_ERROR_INVALID, "binary row", "more values than columns");
  return TSR_DECODE_OK;
}

void tsr_binary_row_encode(GByteArray *out, const TsrValue *values, guint n_columns) {
  gsize bitmap_at;

  tsr_write_uint(out, 1, TSR_PACKET_OK);
  bitmap_at = out->len;
  tsr_write_zeros(out, tsr_null_bitmap_size(n_columns, BINARY_ROW_BITMAP_OFFSET));
  for (guint i = 0; i < n_columns; i++) {
    guint bit = i + BINARY_ROW_BITMAP_OFFSET;
    if (values[i].is_null)
      out->data[bitmap_at + bit / 8] |= (guint8)(1u << (bit % 8));
    else
      tsr_binary_value_encode(out, &values[i]);
  }
}
