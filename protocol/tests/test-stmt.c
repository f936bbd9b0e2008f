/* test-stmt.c: prepared statement packets against captured traffic of
 * libmariadb (sysbench) and a raw client talking to MariaDB 10.11. */
#include <string.h>
#include "protocol/mysql-stmt.h"
#include "captured-vectors.h"

typedef struct {
  guint n_params;
  const TsrValueType *bound;
} ExecCtx;

static TsrDecodeStatus decode_prepare_ok(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrStmtPrepareOk ok;
  return tsr_stmt_prepare_ok_decode(p, len, &ok, error);
}

static TsrDecodeStatus decode_execute(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  ExecCtx *c = ctx;
  TsrStmtExecute ex;
  TsrValue params[16];
  return tsr_stmt_execute_decode(p, len, c->n_params, c->bound, NULL, &ex, params, error);
}

static TsrDecodeStatus decode_long_data(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrStmtLongData ld;
  return tsr_stmt_send_long_data_decode(p, len, &ld, error);
}

static TsrDecodeStatus decode_close(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  guint32 id;
  return tsr_stmt_id_command_decode(p, len, (guint8)GPOINTER_TO_UINT(ctx), &id, error);
}

static TsrDecodeStatus decode_fetch(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  guint32 id, rows;
  return tsr_stmt_fetch_decode(p, len, &id, &rows, error);
}

static void test_prepare_ok(void) {
  static const struct { const char *exchange; guint16 columns, params; } cases[] = {
    { "classic/prepare-select-1-param-20-cols", 20, 1 },
    { "classic/prepare-insert-2-params", 0, 2 },
    { "classic/prepare-typed-params", 11, 11 },
    { "classic/prepare-call-out-params", 0, 3 },
    { "sysbench/com-stmt-prepare", 1, 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const TsrCapFrame *f = tsr_cap_frame(cases[i].exchange, 1);
    TsrStmtPrepareOk ok;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_assert_cmpint(tsr_stmt_prepare_ok_decode(f->data, f->len, &ok, NULL), ==, TSR_DECODE_OK);
    g_assert_cmpuint(ok.stmt_id, >, 0);
    g_assert_cmpuint(ok.columns, ==, cases[i].columns);
    g_assert_cmpuint(ok.params, ==, cases[i].params);
    g_assert_cmpuint(ok.warnings, ==, 0);
    tsr_stmt_prepare_ok_encode(out, &ok);
    tsr_assert_bytes(out, f->data, f->len);
    /* Old servers end after the parameter count. */
    g_assert_cmpuint(tsr_test_truncations(decode_prepare_ok, NULL, f->data, f->len, 9), ==, 1);
  }
}

/* Decodes an execute, checks the round trip and the truncations. */
static void check_execute(const char *exchange, guint n_params, const TsrValueType *bound, TsrStmtExecute *ex,
                          TsrValue *params) {
  const TsrCapFrame *f = tsr_cap_frame(exchange, 0);
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;
  ExecCtx ctx = { n_params, bound };

  g_assert_cmpint(tsr_stmt_execute_decode(f->data, f->len, n_params, bound, NULL, ex, params, &error), ==,
                  TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_cmpuint(ex->iteration_count, ==, 1);
  tsr_stmt_execute_encode(out, ex, params, n_params);
  tsr_assert_bytes(out, f->data, f->len);
  g_assert_cmpuint(tsr_test_truncations(decode_execute, &ctx, f->data, f->len, f->len), ==, 0);
}

static void test_execute_libmariadb(void) {
  TsrStmtExecute ex;
  TsrValue p[1];
  TsrValueType bound[1];

  /* sysbench: SELECT c FROM sbtest1 WHERE id=? with a BIGINT. */
  check_execute("sysbench/com-stmt-execute", 1, NULL, &ex, p);
  g_assert_true(ex.new_params_bound);
  g_assert_cmpuint(ex.flags, ==, TSR_CURSOR_TYPE_NO_CURSOR);
  g_assert_cmpuint(p[0].type.type, ==, TSR_TYPE_LONGLONG);
  g_assert_false(p[0].type.is_unsigned);
  g_assert_false(p[0].is_null);
  g_assert_cmpint(p[0].v.i, >=, 1);
  bound[0] = p[0].type;
  /* The next execute sends no types: they come from the last one. */
  check_execute("sysbench/com-stmt-execute-2", 1, bound, &ex, p);
  g_assert_false(ex.new_params_bound);
  g_assert_cmpuint(p[0].type.type, ==, TSR_TYPE_LONGLONG);
}

static void test_execute_rebinding(void) {
  TsrStmtExecute ex;
  TsrValue p[2];
  TsrValueType bound[2];
  GError *error = NULL;
  const TsrCapFrame *f = tsr_cap_frame("classic/execute-insert-not-rebound", 0);

  check_execute("classic/execute-insert-with-null", 2, NULL, &ex, p);
  g_assert_cmpuint(p[0].type.type, ==, TSR_TYPE_LONGLONG);
  g_assert_true(p[0].type.is_unsigned);
  g_assert_cmpuint(p[0].v.u, ==, 7);
  g_assert_true(p[1].is_null);
  g_assert_cmpuint(p[1].type.type, ==, TSR_TYPE_VAR_STRING);

  check_execute("classic/execute-insert-rebound", 2, NULL, &ex, p);
  g_assert_cmpint(p[0].v.i, ==, 8);
  tsr_assert_slice(p[1].raw, "abc");
  bound[0] = p[0].type;
  bound[1] = p[1].type;

  check_execute("classic/execute-insert-not-rebound", 2, bound, &ex, p);
  g_assert_cmpint(p[0].v.i, ==, 9);
  tsr_assert_slice(p[1].raw, "wxyz");

  /* Without types in the packet and none bound before: an error that says so. */
  g_assert_cmpint(tsr_stmt_execute_decode(f->data, f->len, 2, NULL, NULL, &ex, p, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "types"));
  g_clear_error(&error);
}

static void test_execute_typed(void) {
  TsrStmtExecute ex;
  TsrValue p[11];

  check_execute("classic/execute-typed-params", 11, NULL, &ex, p);
  g_assert_cmpint(p[0].v.i, ==, -2);
  g_assert_true(p[1].type.is_unsigned);
  g_assert_cmpuint(p[1].v.u, ==, 65535);
  g_assert_cmpint(p[3].v.i, ==, G_GINT64_CONSTANT(-1234567890123));
  g_assert_cmpfloat(p[4].v.f, ==, 0.5);
  g_assert_cmpfloat(p[5].v.f, ==, 3.25);
  g_assert_cmpuint(p[6].v.time.day, ==, 29);
  g_assert_cmpuint(p[7].v.time.microsecond, ==, 123456);
  g_assert_true(p[8].v.time.negative);
  g_assert_cmpuint(p[8].v.time.days, ==, 1);
  g_assert_cmpuint(p[8].v.time.microsecond, ==, 500000);
  tsr_assert_slice(p[9].raw, "hello");
  g_assert_cmpuint(p[10].type.type, ==, TSR_TYPE_NEWDECIMAL);
  tsr_assert_slice(p[10].raw, "-12.50");

  /* CALL outp(?, ?, ?) with a parameter of type NULL. */
  check_execute("classic/execute-call-out-params", 3, NULL, &ex, p);
  g_assert_cmpuint(p[1].type.type, ==, TSR_TYPE_NULL);
  g_assert_true(p[1].is_null);
  tsr_assert_slice(p[2].raw, "hi");

  /* A cursor. */
  check_execute("classic/execute-cursor", 1, NULL, &ex, p);
  g_assert_cmpuint(ex.flags, ==, TSR_CURSOR_TYPE_READ_ONLY);
}

static void test_execute_long_data(void) {
  TsrStmtExecute ex = { 5, 0, 1, TRUE }, back;
  TsrValue p[2] = { 0 }, q[2];
  const gboolean long_data[2] = { TRUE, FALSE };
  g_autoptr(GByteArray) out = g_byte_array_new();

  p[0].type.type = TSR_TYPE_BLOB;
  p[0].is_long_data = TRUE;
  p[1].type.type = TSR_TYPE_LONG;
  p[1].v.i = -1;
  tsr_stmt_execute_encode(out, &ex, p, 2);
  /* 10 bytes of header, 1 of bitmap, 1 of flag, 4 of types, 4 of the LONG: nothing for the long data. */
  g_assert_cmpuint(out->len, ==, 10 + 1 + 1 + 4 + 4);
  g_assert_cmpint(tsr_stmt_execute_decode(out->data, out->len, 2, NULL, long_data, &back, q, NULL), ==,
                  TSR_DECODE_OK);
  g_assert_true(q[0].is_long_data);
  g_assert_cmpint(q[1].v.i, ==, -1);
  g_assert_cmpuint(back.stmt_id, ==, 5);
  /* Without knowing about the long data the packet has 4 bytes too few. */
  g_assert_cmpint(tsr_stmt_execute_decode(out->data, out->len, 2, NULL, NULL, &back, q, NULL), ==,
                  TSR_DECODE_ERROR);
}

static void test_execute_no_params(void) {
  TsrStmtExecute ex = { 9, TSR_CURSOR_TYPE_READ_ONLY, 1, FALSE }, back;
  g_autoptr(GByteArray) out = g_byte_array_new();
  GError *error = NULL;

  tsr_stmt_execute_encode(out, &ex, NULL, 0);
  g_assert_cmpuint(out->len, ==, 10);
  g_assert_cmpint(tsr_stmt_execute_decode(out->data, out->len, 0, NULL, NULL, &back, NULL, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.stmt_id, ==, 9);
  g_assert_cmpuint(back.flags, ==, TSR_CURSOR_TYPE_READ_ONLY);
  /* Another command byte. */
  out->data[0] = TSR_COM_QUERY;
  g_assert_cmpint(tsr_stmt_execute_decode(out->data, out->len, 0, NULL, NULL, &back, NULL, &error), ==,
                  TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
}

static void test_long_data_close_reset_fetch(void) {
  const TsrCapFrame *ld_frame = tsr_cap_frame("classic/send-long-data", 0);
  const TsrCapFrame *close_frame = tsr_cap_frame("classic/stmt-close", 0);
  const TsrCapFrame *reset_frame = tsr_cap_frame("classic/stmt-reset", 0);
  const TsrCapFrame *fetch_frame = tsr_cap_frame("classic/fetch-2-rows", 0);
  const TsrCapFrame *select_ok = tsr_cap_frame("classic/prepare-select-1-param-20-cols", 1);
  const TsrCapFrame *insert_ok = tsr_cap_frame("classic/prepare-insert-2-params", 1);
  TsrStmtPrepareOk select_stmt, insert_stmt;
  TsrStmtLongData ld;
  guint32 id, rows;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_stmt_prepare_ok_decode(select_ok->data, select_ok->len, &select_stmt, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpint(tsr_stmt_prepare_ok_decode(insert_ok->data, insert_ok->len, &insert_stmt, NULL), ==, TSR_DECODE_OK);

  g_assert_cmpint(tsr_stmt_send_long_data_decode(ld_frame->data, ld_frame->len, &ld, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(ld.stmt_id, ==, insert_stmt.stmt_id);
  g_assert_cmpuint(ld.param_id, ==, 1);
  tsr_assert_slice(ld.data, "long data");
  tsr_stmt_send_long_data_encode(out, &ld);
  tsr_assert_bytes(out, ld_frame->data, ld_frame->len);
  g_assert_cmpuint(tsr_test_truncations(decode_long_data, NULL, ld_frame->data, ld_frame->len, 7), ==,
                   ld_frame->len - 7);

  g_assert_cmpint(tsr_stmt_id_command_decode(close_frame->data, close_frame->len, TSR_COM_STMT_CLOSE, &id, NULL), ==,
                  TSR_DECODE_OK);
  g_assert_cmpuint(id, ==, select_stmt.stmt_id);
  g_byte_array_set_size(out, 0);
  tsr_stmt_id_command_encode(out, TSR_COM_STMT_CLOSE, id);
  tsr_assert_bytes(out, close_frame->data, close_frame->len);
  tsr_test_truncations(decode_close, GUINT_TO_POINTER(TSR_COM_STMT_CLOSE), close_frame->data, close_frame->len,
                       close_frame->len);
  /* A close is not a reset. */
  g_assert_cmpint(tsr_stmt_id_command_decode(close_frame->data, close_frame->len, TSR_COM_STMT_RESET, &id, NULL), ==,
                  TSR_DECODE_ERROR);

  g_assert_cmpint(tsr_stmt_id_command_decode(reset_frame->data, reset_frame->len, TSR_COM_STMT_RESET, &id, NULL), ==,
                  TSR_DECODE_OK);
  g_assert_cmpuint(id, ==, insert_stmt.stmt_id);
  g_byte_array_set_size(out, 0);
  tsr_stmt_id_command_encode(out, TSR_COM_STMT_RESET, id);
  tsr_assert_bytes(out, reset_frame->data, reset_frame->len);

  g_assert_cmpint(tsr_stmt_fetch_decode(fetch_frame->data, fetch_frame->len, &id, &rows, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(id, ==, select_stmt.stmt_id);
  g_assert_cmpuint(rows, ==, 2);
  g_byte_array_set_size(out, 0);
  tsr_stmt_fetch_encode(out, id, rows);
  tsr_assert_bytes(out, fetch_frame->data, fetch_frame->len);
  tsr_test_truncations(decode_fetch, NULL, fetch_frame->data, fetch_frame->len, fetch_frame->len);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/stmt/prepare-ok", test_prepare_ok);
  g_test_add_func("/stmt/execute/libmariadb", test_execute_libmariadb);
  g_test_add_func("/stmt/execute/rebinding", test_execute_rebinding);
  g_test_add_func("/stmt/execute/typed", test_execute_typed);
  g_test_add_func("/stmt/execute/long-data", test_execute_long_data);
  g_test_add_func("/stmt/execute/no-params", test_execute_no_params);
  g_test_add_func("/stmt/long-data-close-reset-fetch", test_long_data_close_reset_fetch);
  return g_test_run();
}
