/* fuzz-resultset.c: column counts, column definitions, text rows and binary
 * rows of every column count up to MAX_COLUMNS and every column type. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-resultset.h"

#define MAX_COLUMNS 24u

/* Every column type, in the order the binary rows of the fuzzer use them. */
static const guint8 all_types[] = {
  TSR_TYPE_LONG, TSR_TYPE_TINY, TSR_TYPE_SHORT, TSR_TYPE_INT24, TSR_TYPE_LONGLONG, TSR_TYPE_FLOAT,
  TSR_TYPE_DOUBLE, TSR_TYPE_NEWDECIMAL, TSR_TYPE_VAR_STRING, TSR_TYPE_STRING, TSR_TYPE_BLOB, TSR_TYPE_BLOB,
  TSR_TYPE_DATE, TSR_TYPE_DATETIME, TSR_TYPE_TIMESTAMP, TSR_TYPE_TIME, TSR_TYPE_YEAR, TSR_TYPE_BIT,
  TSR_TYPE_STRING, TSR_TYPE_STRING, TSR_TYPE_NULL, TSR_TYPE_DECIMAL, TSR_TYPE_NEWDATE, TSR_TYPE_VARCHAR,
  TSR_TYPE_TIMESTAMP2, TSR_TYPE_DATETIME2, TSR_TYPE_TIME2, TSR_TYPE_JSON, TSR_TYPE_ENUM, TSR_TYPE_SET,
  TSR_TYPE_TINY_BLOB, TSR_TYPE_MEDIUM_BLOB, TSR_TYPE_LONG_BLOB, TSR_TYPE_GEOMETRY,
};

static void fuzz_definitions(const uint8_t *data, size_t size) {
  static const guint32 mcaps[] = { 0, TSR_MARIADB_CLIENT_EXTENDED_METADATA };
  guint64 count;
  gboolean follows;
  GError *error = NULL;

  if (tsr_column_count_decode(data, size, &count, &follows, &error) != TSR_DECODE_OK) g_clear_error(&error);
  for (guint i = 0; i < G_N_ELEMENTS(mcaps); i++) {
    TsrColumnDef col, again;
    g_autoptr(GByteArray) out = g_byte_array_new();
    if (tsr_column_def_decode(data, size, mcaps[i], &col, &error) != TSR_DECODE_OK) {
      g_clear_error(&error);
      continue;
    }
    tsr_column_def_encode(out, mcaps[i], &col);
    g_assert(tsr_column_def_decode(out->data, out->len, mcaps[i], &again, NULL) == TSR_DECODE_OK);
  }
}

static void fuzz_rows(const uint8_t *data, size_t size) {
  TsrSlice text[MAX_COLUMNS];
  TsrValue values[MAX_COLUMNS];
  TsrValueType types[MAX_COLUMNS];
  GError *error = NULL;

  for (guint n = 1; n <= MAX_COLUMNS; n++) {
    if (tsr_text_row_decode(data, size, n, text, &error) == TSR_DECODE_OK) {
      g_autoptr(GByteArray) out = g_byte_array_new();
      tsr_text_row_encode(out, text, n);
      g_assert(out->len <= size);
    } else {
      g_clear_error(&error);
    }
    for (guint shift = 0; shift < 2; shift++) {
      for (guint i = 0; i < n; i++) {
        types[i].type = all_types[(i + shift * 20) % G_N_ELEMENTS(all_types)];
        types[i].is_unsigned = (i & 1) != 0;
      }
      if (tsr_binary_row_decode(data, size, types, n, values, &error) == TSR_DECODE_OK) {
        g_autoptr(GByteArray) out = g_byte_array_new();
        tsr_binary_row_encode(out, values, n);
      } else {
        g_clear_error(&error);
      }
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_definitions(data, size);
  fuzz_rows(data, size);
  return 0;
}
