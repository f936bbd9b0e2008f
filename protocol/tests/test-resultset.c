/* test-resultset.c: column counts, column definitions, text and binary rows
 * against captured MariaDB 10.11 result sets of a table with one column of
 * every common type (see capture/schema.sql). */
#include <string.h>
#include "protocol/mysql-resultset.h"
#include "protocol/mysql-stmt.h"
#include "captured-vectors.h"

#define MCAPS 0x1du  /* MariaDB caps agreed in the captures: extended and cache metadata among them */
#define N_COLS 20u
#define TEXT_RS "classic/text-resultset-all-types"
#define PREPARE "classic/prepare-select-1-param-20-cols"
#define EXECUTE "classic/execute-binary-resultset"

static const char *const col_names[N_COLS] = { "id", "ti", "si", "mi", "bu", "f", "d", "dc", "vc", "ch",
                                               "tx", "bl", "dt", "dtm", "ts", "tm", "yr", "bt", "en", "st" };
static const guint8 col_types[N_COLS] = {
  TSR_TYPE_LONG, TSR_TYPE_TINY, TSR_TYPE_SHORT, TSR_TYPE_INT24, TSR_TYPE_LONGLONG, TSR_TYPE_FLOAT,
  TSR_TYPE_DOUBLE, TSR_TYPE_NEWDECIMAL, TSR_TYPE_VAR_STRING, TSR_TYPE_STRING, TSR_TYPE_BLOB, TSR_TYPE_BLOB,
  TSR_TYPE_DATE, TSR_TYPE_DATETIME, TSR_TYPE_TIMESTAMP, TSR_TYPE_TIME, TSR_TYPE_YEAR, TSR_TYPE_BIT,
  TSR_TYPE_STRING, TSR_TYPE_STRING,
};

typedef struct {
  guint32 mcaps;
  guint n;
  const TsrValueType *types;
} DecodeCtx;

static TsrDecodeStatus decode_count(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  guint64 count;
  gboolean follows;
  return tsr_column_count_decode(p, len, &count, &follows, error);
}

static TsrDecodeStatus decode_coldef(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrColumnDef col;
  return tsr_column_def_decode(p, len, ((DecodeCtx *)ctx)->mcaps, &col, error);
}

static TsrDecodeStatus decode_text_row(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrSlice values[N_COLS];
  return tsr_text_row_decode(p, len, ((DecodeCtx *)ctx)->n, values, error);
}

static TsrDecodeStatus decode_binary_row(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  DecodeCtx *c = ctx;
  TsrValue values[N_COLS];
  return tsr_binary_row_decode(p, len, c->types, c->n, values, error);
}

/* Decodes the column definitions frames[first..first+n) of exchange into cols. */
static void decode_columns(const char *exchange, guint first, guint n, TsrColumnDef *cols) {
  for (guint i = 0; i < n; i++) {
    const TsrCapFrame *f = tsr_cap_frame(exchange, first + i);
    GError *error = NULL;
    g_assert_cmpint(tsr_column_def_decode(f->data, f->len, MCAPS, &cols[i], &error), ==, TSR_DECODE_OK);
    g_assert_no_error(error);
  }
}

static void test_column_count(void) {
  const TsrCapFrame *text = tsr_cap_frame(TEXT_RS, 1), *exec = tsr_cap_frame(EXECUTE, 1);
  guint64 count;
  gboolean follows;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_column_count_decode(text->data, text->len, &count, &follows, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(count, ==, N_COLS);
  g_assert_true(follows);
  tsr_column_count_encode(out, count, MCAPS, follows);
  tsr_assert_bytes(out, text->data, text->len);
  /* COM_STMT_EXECUTE under cache metadata: the definitions of the prepare are reused. */
  g_assert_cmpint(tsr_column_count_decode(exec->data, exec->len, &count, &follows, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(count, ==, N_COLS);
  g_assert_false(follows);
  g_byte_array_set_size(out, 0);
  tsr_column_count_encode(out, count, MCAPS, follows);
  tsr_assert_bytes(out, exec->data, exec->len);
  /* Without cache metadata: the count alone. */
  g_byte_array_set_size(out, 0);
  tsr_column_count_encode(out, 300, 0, FALSE);
  tsr_assert_bytes(out, "\xfc\x2c\x01", 3);
  g_assert_cmpint(tsr_column_count_decode(out->data, out->len, &count, &follows, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(count, ==, 300);
  g_assert_true(follows);
  g_assert_cmpuint(tsr_test_truncations(decode_count, NULL, text->data, text->len, 1), ==, 1);
  g_assert_cmpint(tsr_column_count_decode((const guint8 *)"\x00", 1, &count, &follows, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_cmpint(tsr_column_count_decode((const guint8 *)"\x01\x00\x00", 3, &count, &follows, &error), ==,
                  TSR_DECODE_ERROR);
  g_clear_error(&error);
}

static void test_column_defs(void) {
  TsrColumnDef cols[N_COLS];
  DecodeCtx ctx = { MCAPS, 0, NULL };

  decode_columns(TEXT_RS, 2, N_COLS, cols);
  for (guint i = 0; i < N_COLS; i++) {
    const TsrCapFrame *f = tsr_cap_frame(TEXT_RS, 2 + i);
    g_autoptr(GByteArray) out = g_byte_array_new();
    tsr_assert_slice(cols[i].catalog, "def");
    tsr_assert_slice(cols[i].schema, "tdb");
    tsr_assert_slice(cols[i].table, "t");
    tsr_assert_slice(cols[i].org_table, "t");
    tsr_assert_slice(cols[i].name, col_names[i]);
    tsr_assert_slice(cols[i].org_name, col_names[i]);
    g_assert_nonnull(cols[i].extended_metadata.data);
    g_assert_cmpuint(cols[i].extended_metadata.len, ==, 0);
    g_assert_cmpuint(cols[i].type, ==, col_types[i]);
    g_assert_false(cols[i].has_default);
    tsr_column_def_encode(out, MCAPS, &cols[i]);
    tsr_assert_bytes(out, f->data, f->len);
    g_assert_cmpuint(tsr_test_truncations(decode_coldef, &ctx, f->data, f->len, f->len), ==, 0);
  }
  /* id INT NOT NULL PRIMARY KEY AUTO_INCREMENT. */
  g_assert_cmpuint(cols[0].flags, ==, 0x4203);
  g_assert_cmpuint(cols[0].charset, ==, 63);
  g_assert_cmpuint(cols[0].column_length, ==, 11);
  /* bu BIGINT UNSIGNED; dc DECIMAL(10,2); vc VARCHAR(20) utf8mb4; dtm DATETIME(6); en ENUM. */
  g_assert_true(cols[4].flags & TSR_FIELD_UNSIGNED);
  g_assert_cmpuint(cols[7].decimals, ==, 2);
  g_assert_cmpuint(cols[8].charset, ==, 45);
  g_assert_cmpuint(cols[8].column_length, ==, 80);
  g_assert_cmpuint(cols[13].decimals, ==, 6);
  g_assert_true(cols[18].flags & TSR_FIELD_ENUM);
  g_assert_true(cols[11].flags & TSR_FIELD_BLOB);
}

static void test_column_def_forms(void) {
  TsrColumnDef cols[N_COLS], back;
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;

  decode_columns(TEXT_RS, 2, N_COLS, cols);
  /* Without MariaDB's extended metadata. */
  tsr_column_def_encode(out, 0, &cols[8]);
  g_assert_cmpuint(out->len, ==, tsr_cap_frame(TEXT_RS, 10)->len - 1);
  g_assert_cmpint(tsr_column_def_decode(out->data, out->len, 0, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_null(back.extended_metadata.data);
  tsr_assert_slice(back.name, "vc");
  g_assert_cmpuint(back.column_length, ==, 80);
  /* Decoded with the wrong belief about extended metadata: an error, not garbage. */
  g_assert_cmpint(tsr_column_def_decode(out->data, out->len, MCAPS, &back, &error), ==, TSR_DECODE_ERROR);
  g_clear_error(&error);
  /* Extended metadata that says "json". */
  cols[10].extended_metadata.data = (const guint8 *)"\x00\x04json";
  cols[10].extended_metadata.len = 6;
  g_byte_array_set_size(out, 0);
  tsr_column_def_encode(out, MCAPS, &cols[10]);
  g_assert_cmpint(tsr_column_def_decode(out->data, out->len, MCAPS, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpmem(back.extended_metadata.data, back.extended_metadata.len, "\x00\x04json", 6);
  /* A fixed-length marker other than 0x0C. */
  out->data[out->len - 13] = 0x0b;
  g_assert_cmpint(tsr_column_def_decode(out->data, out->len, MCAPS, &back, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "fixed-length"));
  g_clear_error(&error);
}

static void test_field_list_defaults(void) {
  const char *exchange = "classic/field-list";
  DecodeCtx ctx = { MCAPS, 0, NULL };
  for (guint i = 0; i < N_COLS; i++) {
    const TsrCapFrame *f = tsr_cap_frame(exchange, 1 + i);
    TsrColumnDef col;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_assert_cmpint(tsr_column_def_decode(f->data, f->len, MCAPS, &col, NULL), ==, TSR_DECODE_OK);
    tsr_assert_slice(col.name, col_names[i]);
    g_assert_true(col.has_default);
    if (i == 0)
      tsr_assert_slice(col.default_value, "0");  /* the NOT NULL id column */
    else
      g_assert_null(col.default_value.data);  /* DEFAULT NULL */
    tsr_column_def_encode(out, MCAPS, &col);
    tsr_assert_bytes(out, f->data, f->len);
    /* Without its default value, a definition is a plain one: that prefix decodes. */
    g_assert_cmpuint(tsr_test_truncations(decode_coldef, &ctx, f->data, f->len, 0), ==, 1);
  }
}

static void test_text_rows(void) {
  static const char *const row1[N_COLS] = {
    "1", "-7", "300", "-70000", "18446744073709551615", "1.5", "-2.25", "12345.67", "hello", "ab", "some text",
    "\x00\xff\x10", "2024-02-29", "2024-02-29 13:45:01.123456", "2024-01-02 03:04:05", "-838:59:59.000", "2024",
    "\xa5", "green", "a,c",
  };
  TsrSlice values[N_COLS];
  DecodeCtx ctx = { MCAPS, N_COLS, NULL };

  for (guint r = 0; r < 4; r++) {
    const TsrCapFrame *f = tsr_cap_frame(TEXT_RS, 23 + r);
    g_autoptr(GByteArray) out = g_byte_array_new();
    GError *error = NULL;
    g_assert_cmpint(tsr_text_row_decode(f->data, f->len, N_COLS, values, &error), ==, TSR_DECODE_OK);
    g_assert_no_error(error);
    tsr_text_row_encode(out, values, N_COLS);
    tsr_assert_bytes(out, f->data, f->len);
    g_assert_cmpuint(tsr_test_truncations(decode_text_row, &ctx, f->data, f->len, f->len), ==, 0);
    if (r == 0) {
      for (guint i = 0; i < N_COLS; i++)
        g_assert_cmpmem(values[i].data, values[i].len, row1[i], i == 11 ? 3 : strlen(row1[i]));
    } else if (r == 1) {
      tsr_assert_slice(values[0], "2");
      for (guint i = 1; i < N_COLS; i++) g_assert_null(values[i].data);
    } else if (r == 2) {
      g_assert_nonnull(values[8].data);  /* '' is not NULL */
      g_assert_cmpuint(values[8].len, ==, 0);
      tsr_assert_slice(values[12], "0000-00-00");
    } else {
      g_assert_cmpuint(values[11].len, ==, 300);  /* 2-byte length */
      tsr_assert_slice(values[8], "\xc3\xbcn\xc3\xaf");
      g_assert_null(values[14].data);
    }
  }
}

static void test_text_row_garbage(void) {
  TsrSlice values[2];
  GError *error = NULL;
  /* Too many values, too few values, a length of 0xFF. */
  g_assert_cmpint(tsr_text_row_decode((const guint8 *)"\x01" "a\x01" "b", 4, 1, values, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_cmpint(tsr_text_row_decode((const guint8 *)"\x01" "a", 2, 2, values, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_clear_error(&error);
  g_assert_cmpint(tsr_text_row_decode((const guint8 *)"\xff", 1, 1, values, &error), ==, TSR_DECODE_ERROR);
  g_clear_error(&error);
}

/* Checks a binary row decodes, re-encodes byte for byte and every truncation fails. */
static void check_binary_row(const TsrCapFrame *f, const TsrValueType *types, guint n, TsrValue *values) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;
  DecodeCtx ctx = { MCAPS, n, types };

  g_assert_cmpint(tsr_binary_row_decode(f->data, f->len, types, n, values, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  tsr_binary_row_encode(out, values, n);
  tsr_assert_bytes(out, f->data, f->len);
  g_assert_cmpuint(tsr_test_truncations(decode_binary_row, &ctx, f->data, f->len, f->len), ==, 0);
}

static void test_binary_rows(void) {
  TsrColumnDef cols[N_COLS];
  TsrValueType types[N_COLS];
  TsrValue v[N_COLS];

  /* The definitions come from the prepare: the execute does not resend them. */
  decode_columns(PREPARE, 4, N_COLS, cols);
  for (guint i = 0; i < N_COLS; i++) types[i] = tsr_value_type_of_column(&cols[i]);

  check_binary_row(tsr_cap_frame(EXECUTE, 3), types, N_COLS, v);
  g_assert_cmpint(v[0].v.i, ==, 1);
  g_assert_cmpint(v[1].v.i, ==, -7);
  g_assert_cmpint(v[2].v.i, ==, 300);
  g_assert_cmpint(v[3].v.i, ==, -70000);
  g_assert_true(v[4].type.is_unsigned);
  g_assert_cmpuint(v[4].v.u, ==, G_MAXUINT64);
  g_assert_cmpfloat(v[5].v.f, ==, 1.5);
  g_assert_cmpfloat(v[6].v.f, ==, -2.25);
  tsr_assert_slice(v[7].raw, "12345.67");
  tsr_assert_slice(v[8].raw, "hello");
  g_assert_cmpmem(v[11].raw.data, v[11].raw.len, "\x00\xff\x10", 3);
  g_assert_cmpuint(v[12].raw.len, ==, 4);
  g_assert_cmpuint(v[12].v.time.year, ==, 2024);
  g_assert_cmpuint(v[12].v.time.month, ==, 2);
  g_assert_cmpuint(v[12].v.time.day, ==, 29);
  g_assert_cmpuint(v[13].raw.len, ==, 11);
  g_assert_cmpuint(v[13].v.time.hour, ==, 13);
  g_assert_cmpuint(v[13].v.time.minute, ==, 45);
  g_assert_cmpuint(v[13].v.time.second, ==, 1);
  g_assert_cmpuint(v[13].v.time.microsecond, ==, 123456);
  g_assert_cmpuint(v[14].raw.len, ==, 7);
  g_assert_cmpuint(v[14].v.time.second, ==, 5);
  /* -838:59:59 is 34 days and 22 hours, negative. */
  g_assert_cmpuint(v[15].raw.len, ==, 8);
  g_assert_true(v[15].v.time.negative);
  g_assert_cmpuint(v[15].v.time.days, ==, 34);
  g_assert_cmpuint(v[15].v.time.hour, ==, 22);
  g_assert_cmpuint(v[15].v.time.minute, ==, 59);
  g_assert_cmpint(v[16].v.i, ==, 2024);
  g_assert_cmpmem(v[17].raw.data, v[17].raw.len, "\xa5", 1);
  tsr_assert_slice(v[18].raw, "green");

  check_binary_row(tsr_cap_frame(EXECUTE, 4), types, N_COLS, v);
  g_assert_false(v[0].is_null);
  for (guint i = 1; i < N_COLS; i++) g_assert_true(v[i].is_null);

  check_binary_row(tsr_cap_frame(EXECUTE, 5), types, N_COLS, v);
  g_assert_cmpuint(v[12].raw.len, ==, 0);  /* 0000-00-00 */
  g_assert_cmpuint(v[15].raw.len, ==, 0);  /* 00:00:00 */
  g_assert_cmpuint(v[8].raw.len, ==, 0);
  g_assert_false(v[8].is_null);

  check_binary_row(tsr_cap_frame(EXECUTE, 6), types, N_COLS, v);
  g_assert_cmpint(v[1].v.i, ==, 127);
  g_assert_cmpint(v[2].v.i, ==, -32768);
  g_assert_cmpint(v[3].v.i, ==, 8388607);
  g_assert_cmpfloat(v[5].v.f, ==, (gfloat)3.25e10);  /* FLOAT */
  g_assert_cmpfloat(v[6].v.f, ==, 1e-300);
  g_assert_cmpuint(v[11].raw.len, ==, 300);
  g_assert_cmpuint(v[15].raw.len, ==, 12);
  g_assert_cmpuint(v[15].v.time.microsecond, ==, 500000);
  g_assert_false(v[15].v.time.negative);
  g_assert_true(v[18].is_null);
}

static void test_binary_row_typed(void) {
  const char *exchange = "classic/execute-typed-params";
  TsrColumnDef cols[11];
  TsrValueType types[11];
  TsrValue v[11];

  /* SELECT ?, ... with 11 typed parameters: the server sends new definitions. */
  decode_columns(exchange, 2, 11, cols);
  for (guint i = 0; i < 11; i++) types[i] = tsr_value_type_of_column(&cols[i]);
  check_binary_row(tsr_cap_frame(exchange, 14), types, 11, v);
  g_assert_cmpint(v[0].v.i, ==, -2);
  g_assert_cmpuint(v[1].v.u, ==, 65535);
  g_assert_cmpint(v[2].v.i, ==, -5);
  g_assert_cmpint(v[3].v.i, ==, G_GINT64_CONSTANT(-1234567890123));
  g_assert_cmpfloat(v[5].v.f, ==, 3.25);
  g_assert_cmpuint(v[6].v.time.year, ==, 2024);
  g_assert_cmpuint(v[7].v.time.microsecond, ==, 123456);
  g_assert_cmpuint(v[8].v.time.days, ==, 1);
  g_assert_cmpuint(v[8].v.time.hour, ==, 2);
  tsr_assert_slice(v[9].raw, "hello");
  tsr_assert_slice(v[10].raw, "-12.50");
}

static void test_binary_value_forms(void) {
  static const guint8 types[] = { TSR_TYPE_NULL, TSR_TYPE_TINY, TSR_TYPE_SHORT, TSR_TYPE_YEAR, TSR_TYPE_INT24,
                                  TSR_TYPE_LONG, TSR_TYPE_LONGLONG, TSR_TYPE_FLOAT, TSR_TYPE_DOUBLE,
                                  TSR_TYPE_DATE, TSR_TYPE_DATETIME, TSR_TYPE_TIMESTAMP, TSR_TYPE_TIME,
                                  TSR_TYPE_DECIMAL, TSR_TYPE_NEWDECIMAL, TSR_TYPE_VARCHAR, TSR_TYPE_BIT,
                                  TSR_TYPE_JSON, TSR_TYPE_ENUM, TSR_TYPE_SET, TSR_TYPE_TINY_BLOB,
                                  TSR_TYPE_MEDIUM_BLOB, TSR_TYPE_LONG_BLOB, TSR_TYPE_BLOB, TSR_TYPE_VAR_STRING,
                                  TSR_TYPE_STRING, TSR_TYPE_GEOMETRY };
  static const TsrBinaryForm forms[] = { TSR_BINARY_NONE, TSR_BINARY_INT, TSR_BINARY_INT, TSR_BINARY_INT,
                                         TSR_BINARY_INT, TSR_BINARY_INT, TSR_BINARY_INT, TSR_BINARY_FLOAT,
                                         TSR_BINARY_DOUBLE, TSR_BINARY_DATE, TSR_BINARY_DATE, TSR_BINARY_DATE,
                                         TSR_BINARY_TIME };
  static const guint sizes[] = { 0, 1, 2, 2, 4, 4, 8 };
  TsrValue v = { 0 }, back = { 0 };
  g_autoptr(GByteArray) out = g_byte_array_new();
  gsize pos = 0;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
    guint size;
    TsrBinaryForm form = tsr_binary_form(types[i], &size);
    g_assert_cmpint(form, ==, i < G_N_ELEMENTS(forms) ? forms[i] : TSR_BINARY_STRING);
    if (i < G_N_ELEMENTS(sizes)) g_assert_cmpuint(size, ==, sizes[i]);
  }
  /* Each DATETIME length: 0, 4, 7, 11. */
  v.type.type = TSR_TYPE_DATETIME;
  for (guint step = 0; step < 4; step++) {
    static const guint8 lens[] = { 0, 4, 7, 11 };
    if (step >= 1) {
      v.v.time.year = 2000;
      v.v.time.month = 1;
      v.v.time.day = 2;
    }
    if (step >= 2) v.v.time.second = 3;
    if (step >= 3) v.v.time.microsecond = 4;
    g_byte_array_set_size(out, 0);
    tsr_binary_value_encode(out, &v);
    g_assert_cmpuint(out->len, ==, 1u + lens[step]);
    pos = 0;
    back.type = v.type;
    g_assert_true(tsr_binary_value_decode(out->data, out->len, &pos, &back, "value", NULL));
    g_assert_cmpuint(pos, ==, out->len);
    g_assert_cmpuint(back.v.time.microsecond, ==, v.v.time.microsecond);
  }
  /* A DATE of length 5 and a TIME of length 7 do not exist. */
  pos = 0;
  back.type.type = TSR_TYPE_DATE;
  g_assert_false(tsr_binary_value_decode((const guint8 *)"\x05\x01\x02\x03\x04\x05", 6, &pos, &back, "d", &error));
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_assert_cmpuint(pos, ==, 0);
  g_clear_error(&error);
  back.type.type = TSR_TYPE_TIME;
  g_assert_false(tsr_binary_value_decode((const guint8 *)"\x07\x01\x02\x03\x04\x05\x06\x07", 8, &pos, &back, "t",
                                         &error));
  g_clear_error(&error);
  /* FLOAT keeps its value through the double in the union. */
  v.type.type = TSR_TYPE_FLOAT;
  v.v.f = -0.375;
  g_byte_array_set_size(out, 0);
  tsr_binary_value_encode(out, &v);
  pos = 0;
  back.type = v.type;
  g_assert_true(tsr_binary_value_decode(out->data, out->len, &pos, &back, "f", NULL));
  g_assert_cmpfloat(back.v.f, ==, -0.375);
}

static void test_binary_row_garbage(void) {
  TsrValueType t = { TSR_TYPE_TINY, FALSE };
  TsrValue v;
  GError *error = NULL;
  g_assert_cmpint(tsr_binary_row_decode((const guint8 *)"\x01\x00\x05", 3, &t, 1, &v, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_cmpint(tsr_binary_row_decode((const guint8 *)"\x00\x00\x05\x06", 4, &t, 1, &v, &error), ==,
                  TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  /* 7 columns: the NULL bitmap takes 2 bytes; with bit 2 set column 0 is NULL. */
  g_assert_cmpint(tsr_binary_row_decode((const guint8 *)"\x00\x04", 2, &t, 1, &v, NULL), ==, TSR_DECODE_OK);
  g_assert_true(v.is_null);
  g_assert_cmpuint(tsr_null_bitmap_size(7, 2), ==, 2);
  g_assert_cmpuint(tsr_null_bitmap_size(6, 2), ==, 1);
  g_assert_cmpuint(tsr_null_bitmap_size(8, 0), ==, 1);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/resultset/column-count", test_column_count);
  g_test_add_func("/resultset/column-definitions", test_column_defs);
  g_test_add_func("/resultset/column-definition-forms", test_column_def_forms);
  g_test_add_func("/resultset/field-list-defaults", test_field_list_defaults);
  g_test_add_func("/resultset/text-rows", test_text_rows);
  g_test_add_func("/resultset/text-row-garbage", test_text_row_garbage);
  g_test_add_func("/resultset/binary-rows", test_binary_rows);
  g_test_add_func("/resultset/binary-row-typed", test_binary_row_typed);
  g_test_add_func("/resultset/binary-value-forms", test_binary_value_forms);
  g_test_add_func("/resultset/binary-row-garbage", test_binary_row_garbage);
  return g_test_run();
}
