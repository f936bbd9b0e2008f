/* fuzz-stmt.c: prepared statement packets; COM_STMT_EXECUTE with every
 * parameter count up to MAX_PARAMS, with and without bound types and long data. */
#include <glib.h>
#include "fuzz-target.h"
#include "protocol/mysql-stmt.h"

#define MAX_PARAMS 16u

static void fuzz_execute(const uint8_t *data, size_t size) {
  static const guint8 types[] = { TSR_TYPE_LONGLONG, TSR_TYPE_VAR_STRING, TSR_TYPE_DATETIME, TSR_TYPE_TIME,
                                  TSR_TYPE_DOUBLE, TSR_TYPE_TINY, TSR_TYPE_NULL, TSR_TYPE_BLOB };
  TsrValueType bound[MAX_PARAMS];
  gboolean long_data[MAX_PARAMS];
  TsrValue params[MAX_PARAMS];
  GError *error = NULL;

  for (guint i = 0; i < MAX_PARAMS; i++) {
    bound[i].type = types[i % G_N_ELEMENTS(types)];
    bound[i].is_unsigned = FALSE;
    long_data[i] = i % 3 == 1;
  }
  for (guint n = 0; n <= MAX_PARAMS; n++) {
    for (guint variant = 0; variant < 3; variant++) {
      TsrStmtExecute ex;
      TsrDecodeStatus st = tsr_stmt_execute_decode(data, size, n, variant ? bound : NULL,
                                                   variant == 2 ? long_data : NULL, &ex, params, &error);
      if (st == TSR_DECODE_OK) {
        g_autoptr(GByteArray) out = g_byte_array_new();
        tsr_stmt_execute_encode(out, &ex, params, n);
      } else {
        g_assert(error != NULL);
        g_clear_error(&error);
      }
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  TsrStmtPrepareOk ok;
  TsrStmtLongData ld;
  guint32 id, rows;
  GError *error = NULL;

  if (tsr_stmt_prepare_ok_decode(data, size, &ok, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_stmt_send_long_data_decode(data, size, &ld, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_stmt_id_command_decode(data, size, TSR_COM_STMT_CLOSE, &id, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_stmt_id_command_decode(data, size, TSR_COM_STMT_RESET, &id, &error) != TSR_DECODE_OK) g_clear_error(&error);
  if (tsr_stmt_fetch_decode(data, size, &id, &rows, &error) != TSR_DECODE_OK) g_clear_error(&error);
  fuzz_execute(data, size);
  return 0;
}
