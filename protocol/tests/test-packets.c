/* test-packets.c: OK, ERR and EOF packets against captured MariaDB traffic. */
#include <string.h>
#include "protocol/mysql-packets.h"
#include "captured-vectors.h"

/* Capabilities of the captured sessions (libmariadb's, agreed with MariaDB 10.11). */
#define CAPS 0x00bfa28cu

static TsrDecodeStatus decode_ok(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrOkPacket ok;
  return tsr_ok_decode(p, len, GPOINTER_TO_UINT(ctx), &ok, error);
}

static TsrDecodeStatus decode_err(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrErrPacket err;
  return tsr_err_decode(p, len, &err, error);
}

static TsrDecodeStatus decode_eof(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrEofPacket eof;
  return tsr_eof_decode(p, len, &eof, error);
}

/* Decodes frame `index` of `exchange` as OK, checks the round trip and the
 * truncations, and returns the packet in *ok. */
static void decode_ok_frame(const char *exchange, guint index, guint32 caps, TsrOkPacket *ok) {
  const TsrCapFrame *f = tsr_cap_frame(exchange, index);
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_ok_decode(f->data, f->len, caps, ok, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  tsr_ok_encode(out, caps, ok, f->data[0] == TSR_PACKET_EOF);
  tsr_assert_bytes(out, f->data, f->len);
  /* header + 2 one-byte lenencs + status + warnings: then info is optional. */
  tsr_test_truncations(decode_ok, GUINT_TO_POINTER(caps), f->data, f->len, 7);
}

static void test_ok_session_state(void) {
  TsrOkPacket ok;
  static const guint8 schema_change[] = { 0x01, 0x04, 0x03, 't', 'd', 'b' };

  decode_ok_frame("classic/login", 2, CAPS, &ok);
  g_assert_cmpuint(ok.affected_rows, ==, 0);
  g_assert_cmpuint(ok.status, ==, TSR_SERVER_STATUS_AUTOCOMMIT | TSR_SERVER_SESSION_STATE_CHANGED);
  g_assert_cmpuint(ok.info.len, ==, 0);
  /* SESSION_TRACK_SCHEMA "tdb". */
  g_assert_cmpmem(ok.session_state.data, ok.session_state.len, schema_change, sizeof schema_change);
  decode_ok_frame("classic/use-session-state", 1, CAPS, &ok);
  g_assert_cmpmem(ok.session_state.data, ok.session_state.len, schema_change, sizeof schema_change);
}

static void test_ok_info(void) {
  TsrOkPacket ok;

  decode_ok_frame("classic/update-ok-with-info", 1, CAPS, &ok);
  tsr_assert_slice(ok.info, "Rows matched: 0  Changed: 0  Warnings: 0");
  g_assert_cmpuint(ok.status, ==, 0x22);
  decode_ok_frame("cli/load-data-local-infile", 5, CAPS, &ok);
  g_assert_cmpuint(ok.affected_rows, ==, 3);
  tsr_assert_slice(ok.info, "Records: 3  Deleted: 0  Skipped: 0  Warnings: 0");
  decode_ok_frame("cli/insert-into-li-values", 1, CAPS, &ok);
  g_assert_cmpuint(ok.affected_rows, ==, 1);
  g_assert_cmpuint(ok.last_insert_id, ==, 0);
  g_assert_cmpuint(ok.info.len, ==, 0);
}

static void test_ok_eof_header(void) {
  TsrOkPacket ok;
  const TsrCapFrame *f = tsr_cap_frame("deprecate-eof/text-resultset-all-types", 26);

  g_assert_false(tsr_packet_is_eof(f->data, f->len) && f->len != 7);
  decode_ok_frame("deprecate-eof/text-resultset-all-types", 26, CAPS | TSR_CLIENT_DEPRECATE_EOF, &ok);
  g_assert_cmpuint(ok.status, ==, 0x22);
  decode_ok_frame("deprecate-eof/execute-cursor", 22, CAPS | TSR_CLIENT_DEPRECATE_EOF, &ok);
  g_assert_true(ok.status & TSR_SERVER_STATUS_CURSOR_EXISTS);
}

static void test_ok_other_caps(void) {
  TsrOkPacket ok = { 0 }, back;
  g_autoptr(GByteArray) out = g_byte_array_new();

  ok.affected_rows = 70000;
  ok.last_insert_id = G_GUINT64_CONSTANT(1) << 40;
  ok.status = 3;
  ok.warnings = 2;
  ok.info.data = (const guint8 *)"hello";
  ok.info.len = 5;
  /* Without SESSION_TRACK the info is the rest of the packet. */
  tsr_ok_encode(out, TSR_CLIENT_PROTOCOL_41, &ok, FALSE);
  g_assert_cmpuint(out->len, ==, 1 + 4 + 9 + 2 + 2 + 5);
  g_assert_cmpint(tsr_ok_decode(out->data, out->len, TSR_CLIENT_PROTOCOL_41, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.affected_rows, ==, 70000);
  g_assert_cmpuint(back.last_insert_id, ==, ok.last_insert_id);
  g_assert_cmpuint(back.warnings, ==, 2);
  tsr_assert_slice(back.info, "hello");
  /* Pre-4.1 with transactions: status only. */
  g_byte_array_set_size(out, 0);
  tsr_ok_encode(out, TSR_CLIENT_TRANSACTIONS, &ok, FALSE);
  g_assert_cmpint(tsr_ok_decode(out->data, out->len, TSR_CLIENT_TRANSACTIONS, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.status, ==, 3);
  g_assert_cmpuint(back.warnings, ==, 0);
  tsr_assert_slice(back.info, "hello");
  /* Bare pre-4.1. */
  g_byte_array_set_size(out, 0);
  tsr_ok_encode(out, 0, &ok, FALSE);
  g_assert_cmpint(tsr_ok_decode(out->data, out->len, 0, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.status, ==, 0);
  tsr_assert_slice(back.info, "hello");
}

static void test_ok_garbage(void) {
  GError *error = NULL;
  TsrOkPacket ok;
  static const guint8 not_ok[] = { 0x01, 0, 0, 0, 0, 0, 0 };
  static const guint8 bad_lenenc[] = { 0x00, 0xff, 0, 0, 0, 0, 0 };
  static const guint8 info_too_long[] = { 0x00, 0, 0, 0, 0, 0, 0, 0x05, 'a' };

  g_assert_cmpint(tsr_ok_decode(not_ok, sizeof not_ok, CAPS, &ok, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_cmpint(tsr_ok_decode(bad_lenenc, sizeof bad_lenenc, CAPS, &ok, &error), ==, TSR_DECODE_ERROR);
  g_assert_nonnull(strstr(error->message, "affected rows"));
  g_clear_error(&error);
  g_assert_cmpint(tsr_ok_decode(info_too_long, sizeof info_too_long, CAPS, &ok, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_assert_nonnull(strstr(error->message, "OK info"));
  g_clear_error(&error);
}

static void check_err(const char *exchange, guint index, guint16 code, const char *state, const char *msg) {
  const TsrCapFrame *f = tsr_cap_frame(exchange, index);
  TsrErrPacket err;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();
  g_autofree char *text = NULL;

  g_assert_true(tsr_packet_is_err(f->data, f->len));
  g_assert_false(tsr_packet_is_progress(f->data, f->len));
  g_assert_cmpint(tsr_err_decode(f->data, f->len, &err, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_cmpuint(err.code, ==, code);
  g_assert_cmpstr(err.sqlstate, ==, state);
  text = g_strndup((const char *)err.message.data, err.message.len);
  g_assert_cmpstr(text, ==, msg);
  tsr_err_encode(out, err.code, err.sqlstate, text);
  tsr_assert_bytes(out, f->data, f->len);
  /* 0xFF + code (a packet without SQLSTATE), then '#' + 5 characters of
   * SQLSTATE, then the message: prefixes of 3 and of 9 bytes or more decode. */
  g_assert_cmpuint(tsr_test_truncations(decode_err, NULL, f->data, f->len, 3), ==, f->len - 9 + 1);
}

static void test_err_captured(void) {
  check_err("wrong-password/login", 2, 1045, "28000",
            "Access denied for user 'tsr'@'localhost' (using password: YES)");
  check_err("cli-wrong-password/login", 2, 1045, "28000",
            "Access denied for user 'tsr'@'localhost' (using password: YES)");
  check_err("classic/err-1146", 1, 1146, "42S02", "Table 'tdb.nosuchtable' doesn't exist");
  check_err("classic/field-list-err", 1, 1146, "42S02", "Table 'tdb.nosuch' doesn't exist");
}

static void test_err_forms(void) {
  TsrErrPacket err;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();
  /* Before CLIENT_PROTOCOL_41 is agreed (e.g. "Too many connections" at connect): no SQLSTATE. */
  static const guint8 no_state[] = { 0xff, 0x10, 0x04, 'T', 'o', 'o', ' ', 'm', 'a', 'n', 'y' };
  static const guint8 header_only[] = { 0xff, 0x10 };

  g_assert_cmpint(tsr_err_decode(no_state, sizeof no_state, &err, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(err.code, ==, 1040);
  g_assert_cmpstr(err.sqlstate, ==, "HY000");
  tsr_assert_slice(err.message, "Too many");
  g_assert_cmpint(tsr_err_decode(header_only, sizeof header_only, &err, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_assert_nonnull(strstr(error->message, "error code"));
  g_clear_error(&error);
  /* A missing or short SQLSTATE is written as HY000; a NULL message as none. */
  tsr_err_encode(out, 1105, NULL, NULL);
  tsr_assert_bytes(out, "\xff\x51\x04#HY000", 9);
  g_byte_array_set_size(out, 0);
  tsr_err_encode(out, 1105, "42", "x");
  tsr_assert_bytes(out, "\xff\x51\x04#HY000x", 10);
}

static void test_progress_report(void) {
  const TsrCapFrame *f = tsr_cap_frame("cli/load-data-local-infile", 4);
  TsrErrPacket err;

  g_assert_true(tsr_packet_is_progress(f->data, f->len));
  g_assert_cmpint(tsr_err_decode(f->data, f->len, &err, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(err.code, ==, TSR_ERR_PROGRESS_REPORT);
  g_assert_cmpstr(err.sqlstate, ==, "HY000");
  /* stage 1 of 2, max_stage 2, progress 0, "End bulk insert". */
  g_assert_nonnull(memmem(err.message.data, err.message.len, "End bulk insert", 15));
}

static void test_eof(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/multi-result-call", 3);
  TsrEofPacket eof;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();
  static const guint8 old_eof[] = { 0xfe };

  g_assert_true(tsr_packet_is_eof(f->data, f->len));
  g_assert_cmpint(tsr_eof_decode(f->data, f->len, &eof, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(eof.warnings, ==, 0);
  g_assert_cmpuint(eof.status, ==, TSR_SERVER_STATUS_AUTOCOMMIT | TSR_SERVER_MORE_RESULTS_EXISTS);
  tsr_eof_encode(out, eof.warnings, eof.status);
  tsr_assert_bytes(out, f->data, f->len);
  /* Only the 1-byte pre-4.1 form decodes short. */
  g_assert_cmpuint(tsr_test_truncations(decode_eof, NULL, f->data, f->len, 1), ==, 1);
  g_assert_cmpint(tsr_eof_decode(old_eof, 1, &eof, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(eof.status, ==, 0);

  /* A row that starts with 0xFE is no EOF: it is 9 bytes or longer. */
  g_assert_false(tsr_packet_is_eof((const guint8 *)"\xfe\x00\x00\x00\x01\x00\x00\x00\x00", 9));
  g_assert_cmpint(tsr_eof_decode((const guint8 *)"\xfe\x00\x00\x00\x01\x00\x00\x00\x00", 9, &eof, &error), ==,
                  TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(tsr_packet_is_eof(f->data, 0));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/packets/ok/session-state", test_ok_session_state);
  g_test_add_func("/packets/ok/info", test_ok_info);
  g_test_add_func("/packets/ok/eof-header", test_ok_eof_header);
  g_test_add_func("/packets/ok/other-capabilities", test_ok_other_caps);
  g_test_add_func("/packets/ok/garbage", test_ok_garbage);
  g_test_add_func("/packets/err/captured", test_err_captured);
  g_test_add_func("/packets/err/forms", test_err_forms);
  g_test_add_func("/packets/err/progress-report", test_progress_report);
  g_test_add_func("/packets/eof", test_eof);
  return g_test_run();
}
