/* test-command.c: command names, text commands, LOCAL INFILE request and
 * COM_CHANGE_USER against captured MariaDB 10.11 traffic. */
#include <string.h>
#include "protocol/mysql-command.h"
#include "captured-vectors.h"

#define CAPS 0x00bfa28cu

static TsrDecodeStatus decode_change_user(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrChangeUser cu;
  return tsr_change_user_decode(p, len, GPOINTER_TO_UINT(ctx), &cu, error);
}

static TsrDecodeStatus decode_infile(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrSlice name;
  return tsr_local_infile_request_decode(p, len, &name, error);
}

static void test_names(void) {
  g_assert_cmpstr(tsr_command_name(TSR_COM_QUERY), ==, "COM_QUERY");
  g_assert_cmpstr(tsr_command_name(TSR_COM_SLEEP), ==, "COM_SLEEP");
  g_assert_cmpstr(tsr_command_name(TSR_COM_STMT_EXECUTE), ==, "COM_STMT_EXECUTE");
  g_assert_cmpstr(tsr_command_name(TSR_COM_RESET_CONNECTION), ==, "COM_RESET_CONNECTION");
  g_assert_cmpstr(tsr_command_name(TSR_COM_MAX), ==, "COM_UNKNOWN");
  g_assert_cmpstr(tsr_command_name(0xFF), ==, "COM_UNKNOWN");
  for (guint c = 0; c < TSR_COM_MAX; c++) g_assert_true(g_str_has_prefix(tsr_command_name((guint8)c), "COM_"));
}

static void test_text_commands(void) {
  const TsrCapFrame *f = tsr_cap_frame("cli/select-from-t", 0);
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrSlice text;
  GError *error = NULL;

  tsr_com_query_encode(out, "SELECT * FROM t ORDER BY id");
  tsr_assert_bytes(out, f->data, f->len);
  g_assert_cmpint(tsr_command_text_decode(f->data, f->len, TSR_COM_QUERY, &text, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(text, "SELECT * FROM t ORDER BY id");
  g_assert_cmpint(tsr_command_text_decode(f->data, f->len, TSR_COM_INIT_DB, &text, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_cmpint(tsr_command_text_decode(f->data, 0, TSR_COM_QUERY, &text, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_clear_error(&error);

  g_byte_array_set_size(out, 0);
  tsr_com_init_db_encode(out, "tdb");
  tsr_assert_bytes(out, "\x02tdb", 4);
  g_assert_cmpint(tsr_command_text_decode(out->data, out->len, TSR_COM_INIT_DB, &text, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(text, "tdb");
}

static void test_local_infile(void) {
  const TsrCapFrame *f = tsr_cap_frame("cli/load-data-local-infile", 1);
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrSlice name;

  g_assert_cmpint(tsr_local_infile_request_decode(f->data, f->len, &name, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(name, "/tmp/cap/infile.tsv");
  tsr_local_infile_request_encode(out, (const char *)name.data, name.len);
  tsr_assert_bytes(out, f->data, f->len);
  g_assert_cmpuint(tsr_test_truncations(decode_infile, NULL, f->data, f->len, 1), ==, f->len - 1);
  g_assert_cmpint(tsr_local_infile_request_decode((const guint8 *)"\x00x", 2, &name, NULL), ==, TSR_DECODE_ERROR);
}

static void test_change_user_captured(void) {
  const TsrCapFrame *f = tsr_cap_frame("change-user-classic/change-user", 0);
  TsrChangeUser cu;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();
  gsize after_db;

  g_assert_cmpint(tsr_change_user_decode(f->data, f->len, CAPS, &cu, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  tsr_assert_slice(cu.username, "tsr");
  g_assert_cmpuint(cu.auth_response.len, ==, 20);
  tsr_assert_slice(cu.database, "tdb");
  g_assert_true(cu.has_charset);
  g_assert_cmpuint(cu.charset, ==, 45);
  tsr_assert_slice(cu.auth_plugin_name, "mysql_native_password");
  g_assert_nonnull(memmem(cu.connect_attrs.data, cu.connect_attrs.len, "tsr-capture", 11));
  tsr_change_user_encode(out, CAPS, &cu);
  tsr_assert_bytes(out, f->data, f->len);

  /* charset, plugin name and attributes may each be missing at the end. */
  after_db = (gsize)(cu.database.data - f->data) + cu.database.len + 1;
  g_assert_cmpuint(tsr_test_truncations(decode_change_user, GUINT_TO_POINTER(CAPS), f->data, f->len, after_db), ==, 3);
}

static void test_change_user_forms(void) {
  TsrChangeUser cu = { 0 }, back;
  g_autoptr(GByteArray) out = g_byte_array_new();
  const guint32 old_caps = TSR_CLIENT_PROTOCOL_41;

  /* Without SECURE_CONNECTION: a NUL-terminated auth response, no optional fields. */
  cu.username.data = (const guint8 *)"bob";
  cu.username.len = 3;
  cu.auth_response.data = (const guint8 *)"scrambled";
  cu.auth_response.len = 9;
  tsr_change_user_encode(out, old_caps, &cu);
  tsr_assert_bytes(out, "\x11" "bob\0scrambled\0\0", 16);
  g_assert_cmpint(tsr_change_user_decode(out->data, out->len, old_caps, &back, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(back.auth_response, "scrambled");
  g_assert_cmpuint(back.database.len, ==, 0);
  g_assert_false(back.has_charset);
  g_assert_null(back.auth_plugin_name.data);

  /* A charset but no plugin. */
  cu.has_charset = TRUE;
  cu.charset = 33;
  g_byte_array_set_size(out, 0);
  tsr_change_user_encode(out, CAPS, &cu);
  g_assert_cmpint(tsr_change_user_decode(out->data, out->len, CAPS, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.charset, ==, 33);
  tsr_assert_slice(back.auth_response, "scrambled");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/command/names", test_names);
  g_test_add_func("/command/text-commands", test_text_commands);
  g_test_add_func("/command/local-infile-request", test_local_infile);
  g_test_add_func("/command/change-user/captured", test_change_user_captured);
  g_test_add_func("/command/change-user/forms", test_change_user_forms);
  return g_test_run();
}
