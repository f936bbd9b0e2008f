/* mysql-stmt.c: prepared statement packets (see mysql-stmt.h). */
#include <string.h>
#include "mysql-stmt.h"
#include "mysql-wire.h"

static TsrDecodeStatus fail_invalid(GError **error, const char *field, const char *what) {
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s: %s", field, what);
  return TSR_DECODE_ERROR;
}

/* Reads the command byte and checks it is `command`. */
static gboolean read_command(TsrReader *r, guint8 command, const char *field, GError **error) {
  guint8 byte;
  if (!tsr_reader_u8(r, &byte, field, error)) return FALSE;
  if (byte == command) return TRUE;
  g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID, "%s: command byte 0x%02X, expected 0x%02X",
              field, byte, command);
  return FALSE;
}

/* ---- COM_STMT_PREPARE OK ---- */

TsrDecodeStatus tsr_stmt_prepare_ok_decode(const guint8 *payload, gsize len, TsrStmtPrepareOk *out,
                                           GError **error) {
  TsrReader r;
  guint8 header;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!tsr_reader_u8(&r, &header, "prepare OK header", error)) return TSR_DECODE_ERROR;
  if (header != TSR_PACKET_OK) return fail_invalid(error, "prepare OK header", "must be 0x00");
  if (!tsr_reader_u32(&r, &out->stmt_id, "prepare OK statement id", error) ||
      !tsr_reader_u16(&r, &out->columns, "prepare OK column count", error) ||
      !tsr_reader_u16(&r, &out->params, "prepare OK parameter count", error))
    return TSR_DECODE_ERROR;
  if (tsr_reader_left(&r) == 0) return TSR_DECODE_OK;
  if (!tsr_reader_skip(&r, 1, "prepare OK filler", error) ||
      !tsr_reader_u16(&r, &out->warnings, "prepare OK warnings", error))
    return TSR_DECODE_ERROR;
  return TSR_DECODE_OK;
}

void tsr_stmt_prepare_ok_encode(GByteArray *out, const TsrStmtPrepareOk *ok) {
  tsr_write_uint(out, 1, TSR_PACKET_OK);
  tsr_write_uint(out, 4, ok->stmt_id);
  tsr_write_uint(out, 2, ok->columns);
  tsr_write_uint(out, 2, ok->params);
  tsr_write_zeros(out, 1);
  tsr_write_uint(out, 2, ok->warnings);
}

/* ---- COM_STMT_EXECUTE ---- */

/* Reads the types block (2 bytes per parameter) into params[].type. */
static gboolean read_param_types(TsrReader *r, guint n_params, TsrValue *params, GError **error) {
  TsrSlice types;
  if (!tsr_reader_bytes(r, (gsize)n_params * 2, &types, "execute parameter types", error)) return FALSE;
  for (guint i = 0; i < n_params; i++) {
    params[i].type.type = types.data[2 * i];
    params[i].type.is_unsigned = (types.data[2 * i + 1] & TSR_PARAM_FLAG_UNSIGNED) != 0;
  }
  return TRUE;
}

/* Reads the NULL bitmap, bound flag, types and values of n_params > 0 parameters. */
static gboolean read_params(TsrReader *r, guint n_params, const TsrValueType *bound_types,
                            const gboolean *long_data, TsrStmtExecute *out, TsrValue *params, GError **error) {
  TsrSlice bitmap;
  guint8 bound;

  if (!tsr_reader_bytes(r, tsr_null_bitmap_size(n_params, 0), &bitmap, "execute NULL bitmap", error) ||
      !tsr_reader_u8(r, &bound, "execute new-params-bound flag", error))
    return FALSE;
  out->new_params_bound = bound != 0;
  memset(params, 0, sizeof *params * n_params);
  if (out->new_params_bound) {
    if (!read_param_types(r, n_params, params, error)) return FALSE;
  } else if (!bound_types) {
    fail_invalid(error, "execute parameter types", "no types bound before and none in the packet");
    return FALSE;
  } else {
    for (guint i = 0; i < n_params; i++) params[i].type = bound_types[i];
  }
  for (guint i = 0; i < n_params; i++) {
    params[i].is_null = (bitmap.data[i / 8] >> (i % 8)) & 1;
    params[i].is_long_data = long_data && long_data[i] && !params[i].is_null;
    if (params[i].is_null || params[i].is_long_data) continue;
    if (!tsr_binary_value_decode(r->data, r->len, &r->pos, &params[i], "execute parameter value", error))
      return FALSE;
  }
  return TRUE;
}

TsrDecodeStatus tsr_stmt_execute_decode(const guint8 *payload, gsize len, guint n_params,
                                        const TsrValueType *bound_types, const gboolean *long_data,
                                        TsrStmtExecute *out, TsrValue *params, GError **error) {
  TsrReader r;

  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!read_command(&r, TSR_COM_STMT_EXECUTE, "execute command", error) ||
      !tsr_reader_u32(&r, &out->stmt_id, "execute statement id", error) ||
      !tsr_reader_u8(&r, &out->flags, "execute flags", error) ||
      !tsr_reader_u32(&r, &out->iteration_count, "execute iteration count", error))
    return TSR_DECODE_ERROR;
  if (n_params > 0 && !read_params(&r, n_params, bound_types, long_data, out, params, error))
    return TSR_DECODE_ERROR;
  if (tsr_reader_left(&r) != 0) return fail_invalid(error, "execute", "bytes left after the parameter values");
  return TSR_DECODE_OK;
}

void tsr_stmt_execute_encode(GByteArray *out, const TsrStmtExecute *ex, const TsrValue *params, guint n_params) {
  gsize bitmap_at;

  tsr_write_uint(out, 1, TSR_COM_STMT_EXECUTE);
  tsr_write_uint(out, 4, ex->stmt_id);
  tsr_write_uint(out, 1, ex->flags);
  tsr_write_uint(out, 4, ex->iteration_count);
  if (n_params == 0) return;
  bitmap_at = out->len;
  tsr_write_zeros(out, tsr_null_bitmap_size(n_params, 0));
  for (guint i = 0; i < n_params; i++)
    if (params[i].is_null) out->data[bitmap_at + i / 8] |= (guint8)(1u << (i % 8));
  tsr_write_uint(out, 1, ex->new_params_bound ? 1 : 0);
  if (ex->new_params_bound) {
    for (guint i = 0; i < n_params; i++) {
      tsr_write_uint(out, 1, params[i].type.type);
      tsr_write_uint(out, 1, params[i].type.is_unsigned ? TSR_PARAM_FLAG_UNSIGNED : 0);
    }
  }
  for (guint i = 0; i < n_params; i++) tsr_binary_value_encode(out, &params[i]);
}

/* ---- COM_STMT_SEND_LONG_DATA, CLOSE, RESET, FETCH ---- */

TsrDecodeStatus tsr_stmt_send_long_data_decode(const guint8 *payload, gsize len, TsrStmtLongData *out,
                                               GError **error) {
  TsrReader r;
  memset(out, 0, sizeof *out);
  tsr_reader_init(&r, payload, len);
  if (!read_command(&r, TSR_COM_STMT_SEND_LONG_DATA, "send long data command", error) ||
      !tsr_reader_u32(&r, &out->stmt_id, "send long data statement id", error) ||
      !tsr_reader_u16(&r, &out->param_id, "send long data parameter id", error))
    return TSR_DECODE_ERROR;
  tsr_reader_rest(&r, &out->data);
  return TSR_DECODE_OK;
}

void tsr_stmt_send_long_data_encode(GByteArray *out, const TsrStmtLongData *ld) {
  tsr_write_uint(out, 1, TSR_COM_STMT_SEND_LONG_DATA);
  tsr_write_uint(out, 4, ld->stmt_id);
  tsr_write_uint(out, 2, ld->param_id);
  tsr_write_bytes(out, ld->data.data, ld->data.len);
}

TsrDecodeStatus tsr_stmt_id_command_decode(const guint8 *payload, gsize len, guint8 command, guint32 *stmt_id,
                                           GError **error) {
  TsrReader r;
  tsr_reader_init(&r, payload, len);
  if (!read_command(&r, command, "statement command", error) ||
      !tsr_reader_u32(&r, stmt_id, "statement id", error))
    return TSR_DECODE_ERROR;
  if (tsr_reader_left(&r) != 0) return fail_invalid(error, "statement command", "bytes left after the statement id");
  return TSR_DECODE_OK;
}

void tsr_stmt_id_command_encode(GByteArray *out, guint8 command, guint32 stmt_id) {
  tsr_write_uint(out, 1, command);
  tsr_write_uint(out, 4, stmt_id);
}

TsrDecodeStatus tsr_stmt_fetch_decode(const guint8 *payload, gsize len, guint32 *stmt_id, guint32 *num_rows,
                                      GError **error) {
  TsrReader r;
  tsr_reader_init(&r, payload, len);
  if (!read_command(&r, TSR_COM_STMT_FETCH, "fetch command", error) ||
      !tsr_reader_u32(&r, stmt_id, "fetch statement id", error) ||
      !tsr_reader_u32(&r, num_rows, "fetch number of rows", error))
    return TSR_DECODE_ERROR;
  if (tsr_reader_left(&r) != 0) return fail_invalid(error, "fetch", "bytes left after the number of rows");
  return TSR_DECODE_OK;
}

void tsr_stmt_fetch_encode(GByteArray *out, guint32 stmt_id, guint32 num_rows) {
  tsr_write_uint(out, 1, TSR_COM_STMT_FETCH);
  tsr_write_uint(out, 4, stmt_id);
  tsr_write_uint(out, 4, num_rows);
}
