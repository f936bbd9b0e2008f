/* test-handshake.c: HandshakeV10, HandshakeResponse41/320, SSLRequest and
 * the authentication exchange packets against captured MariaDB traffic. */
#include <string.h>
#include "protocol/mysql-handshake.h"
#include "captured-vectors.h"

#define MARIADB_VERSION "5.5.5-10.11.19-MariaDB-0+deb12u1"
#define MARIADB_CAPS 0x81fff7feu

static TsrDecodeStatus decode_v10(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrHandshakeV10 hs;
  return tsr_handshake_v10_decode(p, len, &hs, error);
}

static TsrDecodeStatus decode_response(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrHandshakeResponse r;
  return tsr_handshake_response_decode(p, len, &r, error);
}

static TsrDecodeStatus decode_switch(const guint8 *p, gsize len, gpointer ctx, GError **error) {
  TsrAuthSwitchRequest req;
  return tsr_auth_switch_request_decode(p, len, &req, error);
}

static void test_v10_captured(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/login", 0);
  TsrHandshakeV10 hs;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_handshake_v10_decode(f->data, f->len, &hs, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_cmpuint(hs.protocol_version, ==, 10);
  tsr_assert_slice(hs.server_version, MARIADB_VERSION);
  g_assert_cmpuint(hs.capabilities, ==, MARIADB_CAPS);
  g_assert_cmpuint(hs.mariadb_capabilities, ==, 0x1d);
  g_assert_cmpuint(hs.charset, ==, 8);
  g_assert_cmpuint(hs.status, ==, 2);
  g_assert_cmpuint(hs.scramble_len, ==, 20);
  for (gsize i = 0; i < hs.scramble_len; i++) g_assert_cmpuint(hs.scramble[i], !=, 0);
  tsr_assert_slice(hs.auth_plugin_name, "mysql_native_password");

  tsr_handshake_v10_encode(out, &hs);
  tsr_assert_bytes(out, f->data, f->len);
}

static void test_v10_all_captured_round_trip(void) {
  guint seen = 0;
  for (gsize i = 0; i < tsr_cap_n_exchanges; i++) {
    const TsrCapExchange *ex = &tsr_cap_exchanges[i];
    TsrHandshakeV10 hs;
    g_autoptr(GByteArray) out = g_byte_array_new();
    if (!g_str_has_suffix(ex->name, "/login")) continue;
    g_assert_cmpint(tsr_handshake_v10_decode(ex->frames[0].data, ex->frames[0].len, &hs, NULL), ==, TSR_DECODE_OK);
    tsr_handshake_v10_encode(out, &hs);
    tsr_assert_bytes(out, ex->frames[0].data, ex->frames[0].len);
    seen++;
  }
  g_assert_cmpuint(seen, >=, 8);
}

static void test_v10_truncations(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/login", 0);
  /* 1 + 33 (version + NUL) + 4 + 8 + 1 + 2: the pre-4.1 short form ends here. */
  const gsize short_form = 1 + strlen(MARIADB_VERSION) + 1 + 4 + 8 + 1 + 2;
  /* The plugin name may lack its NUL: the prefix without it decodes too. */
  for (gsize n = 0; n < f->len; n++) {
    GError *error = NULL;
    TsrDecodeStatus st = tsr_test_decode_copy(decode_v10, NULL, f->data, n, &error);
    gboolean may_succeed = n == short_form || n >= f->len - strlen("mysql_native_password") - 1;
    if (st == TSR_DECODE_OK) {
      g_assert_true(may_succeed);
      g_assert_no_error(error);
    } else {
      g_assert_cmpint(st, ==, TSR_DECODE_ERROR);
      g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
      g_clear_error(&error);
    }
  }
}

static void test_v10_old_forms(void) {
  TsrHandshakeV10 hs = { 0 }, back;
  g_autoptr(GByteArray) out = g_byte_array_new();
  const guint8 scramble[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

  /* No CLIENT_SECURE_CONNECTION, no CLIENT_PLUGIN_AUTH: an 8-byte scramble. */
  hs.protocol_version = 10;
  hs.server_version.data = (const guint8 *)"4.0.1";
  hs.server_version.len = 5;
  hs.connection_id = 77;
  memcpy(hs.scramble, scramble, 8);
  hs.scramble_len = 8;
  hs.capabilities = TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_PROTOCOL_41;
  tsr_handshake_v10_encode(out, &hs);
  g_assert_cmpint(tsr_handshake_v10_decode(out->data, out->len, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.scramble_len, ==, 8);
  g_assert_cmpmem(back.scramble, 8, scramble, 8);
  g_assert_cmpuint(back.capabilities, ==, hs.capabilities);
  g_assert_cmpuint(back.mariadb_capabilities, ==, 0);
  g_assert_cmpuint(back.auth_plugin_name.len, ==, 0);
  g_assert_cmpuint(back.connection_id, ==, 77);

  /* The short form ends after the lower capability flags. */
  g_assert_cmpint(tsr_handshake_v10_decode(out->data, 1 + 6 + 4 + 8 + 1 + 2, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.charset, ==, 0);
}

static void test_v10_secure_no_plugin(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/login", 0);
  TsrHandshakeV10 hs, back;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_handshake_v10_decode(f->data, f->len, &hs, NULL), ==, TSR_DECODE_OK);
  hs.capabilities &= ~TSR_CLIENT_PLUGIN_AUTH;  /* auth-plugin-data length 0: 13 bytes of part 2 */
  tsr_handshake_v10_encode(out, &hs);
  g_assert_cmpint(tsr_handshake_v10_decode(out->data, out->len, &back, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(back.scramble_len, ==, 20);
  g_assert_cmpmem(back.scramble, 20, hs.scramble, 20);
  g_assert_cmpuint(back.auth_plugin_name.len, ==, 0);
}

static void test_v10_garbage(void) {
  const TsrCapFrame *f = tsr_cap_frame("classic/login", 0);
  guint8 *copy = g_memdup2(f->data, f->len);
  TsrHandshakeV10 hs;
  GError *error = NULL;

  copy[0] = 9;
  g_assert_cmpint(tsr_handshake_v10_decode(copy, f->len, &hs, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "protocol version"));
  g_clear_error(&error);
  g_free(copy);

  /* A server version without NUL. */
  g_assert_cmpint(tsr_handshake_v10_decode((const guint8 *)"\x0a" "abc", 4, &hs, &error), ==, TSR_DECODE_ERROR);
  g_assert_nonnull(strstr(error->message, "server version"));
  g_clear_error(&error);
}

static void check_response(const char *exchange, guint32 caps, guint32 max_packet, guint8 charset,
                           gboolean with_db, gboolean with_attrs) {
  const TsrCapFrame *f = tsr_cap_frame(exchange, 1);
  TsrHandshakeResponse r;
  GError *error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new();
  gsize required;

  g_assert_cmpint(tsr_handshake_response_decode(f->data, f->len, &r, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_false(tsr_handshake_response_is_ssl_request(f->data, f->len));
  g_assert_cmpuint(r.capabilities, ==, caps);
  g_assert_cmpuint(r.max_packet_size, ==, max_packet);
  g_assert_cmpuint(r.charset, ==, charset);
  g_assert_cmpuint(r.mariadb_capabilities, ==, 0x1d);
  tsr_assert_slice(r.username, "tsr");
  g_assert_cmpuint(r.auth_response.len, ==, 20);
  if (with_db)
    tsr_assert_slice(r.database, "tdb");
  else
    g_assert_null(r.database.data);
  tsr_assert_slice(r.auth_plugin_name, "mysql_native_password");
  if (with_attrs) {
    g_assert_nonnull(r.connect_attrs.data);
    g_assert_nonnull(memmem(r.connect_attrs.data, r.connect_attrs.len, "_client_name", 12));
  } else {
    g_assert_null(r.connect_attrs.data);
  }
  tsr_handshake_response_encode(out, &r);
  tsr_assert_bytes(out, f->data, f->len);
  /* Servers accept a response that ends after the database (or the auth
   * response): plugin name and attributes are then absent. Shorter is an error. */
  required = (gsize)((with_db ? r.database.data + r.database.len + 1 : r.auth_response.data + r.auth_response.len) -
                     f->data);
  g_assert_cmpuint(tsr_test_truncations(decode_response, NULL, f->data, f->len, required), >, 0);
}

static void test_response_captured(void) {
  /* The mariadb command line client (libmariadb 3.3). */
  check_response("cli/login", 0x00bfa28c, 0x00100000u, 33, TRUE, TRUE);
  /* sysbench (libmariadb). */
  check_response("sysbench/login", 0x00bfa28c, 0x00100000u, 45, TRUE, TRUE);
  /* A raw client with CLIENT_DEPRECATE_EOF. */
  check_response("deprecate-eof/login", 0x01bfa28c, 0x01000000u, 45, TRUE, TRUE);
  /* Without CONNECT_WITH_DB, CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA:
   * the auth response has a 1-byte length. */
  check_response("no-db-no-attrs/login", 0x008fa284, 0x01000000u, 45, FALSE, FALSE);
}

static void test_response_old_forms(void) {
  TsrHandshakeResponse r;
  GError *error = NULL;
  /* HandshakeResponse320: flags 0x0005 (LONG_PASSWORD | LONG_FLAG), max packet, user, scrambled password. */
  static const guint8 v320[] = { 0x05, 0x00, 0xff, 0xff, 0xff, 'b', 'o', 'b', 0, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 0 };
  /* The same with CONNECT_WITH_DB: a NUL ends the password, then the database. */
  static const guint8 v320_db[] = { 0x0d, 0x00, 0xff, 0xff, 0x00, 'b', 'o', 'b', 0, 'p', 'w', 0, 'd', 'b', 0 };
  /* 4.1 without SECURE_CONNECTION: a NUL-terminated auth response. */
  g_autoptr(GByteArray) v41 = g_byte_array_new();
  TsrHandshakeResponse w = { 0 };

  g_assert_cmpint(tsr_handshake_response_decode(v320, sizeof v320, &r, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  g_assert_cmpuint(r.capabilities, ==, 5);
  g_assert_cmpuint(r.max_packet_size, ==, 0xffffff);
  tsr_assert_slice(r.username, "bob");
  tsr_assert_slice(r.auth_response, "ABCDEFGH");
  g_assert_null(r.database.data);

  g_assert_cmpint(tsr_handshake_response_decode(v320_db, sizeof v320_db, &r, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(r.auth_response, "pw");
  tsr_assert_slice(r.database, "db");

  w.capabilities = TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_LONG_PASSWORD | TSR_CLIENT_PLUGIN_AUTH;
  w.max_packet_size = 1024;
  w.charset = 33;
  w.username.data = (const guint8 *)"al";
  w.username.len = 2;
  w.auth_response.data = (const guint8 *)"oldpw";
  w.auth_response.len = 5;
  w.auth_plugin_name.data = (const guint8 *)"mysql_old_password";
  w.auth_plugin_name.len = 18;
  tsr_handshake_response_encode(v41, &w);
  g_assert_cmpint(tsr_handshake_response_decode(v41->data, v41->len, &r, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(r.auth_response, "oldpw");
  tsr_assert_slice(r.auth_plugin_name, "mysql_old_password");
  g_assert_cmpuint(r.mariadb_capabilities, ==, 0);

  /* A plugin name without NUL at the end of the packet runs to the end. */
  g_assert_cmpint(tsr_handshake_response_decode(v41->data, v41->len - 1, &r, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(r.auth_plugin_name, "mysql_old_password");
  /* ... and a missing one is absent. */
  g_assert_cmpint(tsr_handshake_response_decode(v41->data, v41->len - 19, &r, NULL), ==, TSR_DECODE_OK);
  g_assert_null(r.auth_plugin_name.data);
}

static void test_response_garbage(void) {
  const TsrCapFrame *f = tsr_cap_frame("cli/login", 1);
  guint8 *copy = g_memdup2(f->data, f->len);
  TsrHandshakeResponse r;
  GError *error = NULL;
  gsize user_at = 32, auth_at = 32 + 4;

  /* An auth response length running past the end. */
  copy[auth_at] = 0xfa;
  g_assert_cmpint(tsr_handshake_response_decode(copy, f->len, &r, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_assert_nonnull(strstr(error->message, "auth-response"));
  g_clear_error(&error);
  /* 0xFF is not a length-encoded integer. */
  copy[auth_at] = 0xff;
  g_assert_cmpint(tsr_handshake_response_decode(copy, f->len, &r, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
  /* A username that never ends. */
  memset(copy + user_at, 'x', f->len - user_at);
  g_assert_cmpint(tsr_handshake_response_decode(copy, f->len, &r, &error), ==, TSR_DECODE_ERROR);
  g_assert_nonnull(strstr(error->message, "username"));
  g_clear_error(&error);
  g_free(copy);
}

static void test_ssl_request(void) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrHandshakeResponse r;

  tsr_ssl_request_encode(out, 0x00bfa28c & ~TSR_CLIENT_LONG_PASSWORD, 0x1000000, 45, 0x1d);
  g_assert_cmpuint(out->len, ==, TSR_SSL_REQUEST_LEN);
  g_assert_true(tsr_handshake_response_is_ssl_request(out->data, out->len));
  g_assert_cmpint(tsr_handshake_response_decode(out->data, out->len, &r, NULL), ==, TSR_DECODE_OK);
  g_assert_true(r.capabilities & TSR_CLIENT_SSL);
  g_assert_cmpuint(r.mariadb_capabilities, ==, 0x1d);
  g_assert_cmpuint(r.username.len, ==, 0);
  /* A real response is no SSLRequest; nor are 32 bytes without CLIENT_SSL. */
  g_assert_false(tsr_handshake_response_is_ssl_request(out->data, out->len - 1));
  out->data[1] &= (guint8)~(TSR_CLIENT_SSL >> 8);
  g_assert_false(tsr_handshake_response_is_ssl_request(out->data, out->len));
}

static void test_auth_switch_captured(void) {
  const TsrCapFrame *hs_frame = tsr_cap_frame("change-user-classic/login", 0);
  const TsrCapFrame *f = tsr_cap_frame("change-user-classic/change-user", 1);
  const TsrCapFrame *resp = tsr_cap_frame("change-user-classic/change-user", 2);
  TsrHandshakeV10 hs;
  TsrAuthSwitchRequest req;
  TsrSlice data;
  g_autoptr(GByteArray) out = g_byte_array_new();

  g_assert_cmpint(tsr_auth_switch_request_decode(f->data, f->len, &req, NULL), ==, TSR_DECODE_OK);
  tsr_assert_slice(req.plugin_name, "mysql_native_password");
  /* MariaDB switches with the scramble of the handshake, NUL-terminated. */
  g_assert_cmpint(tsr_handshake_v10_decode(hs_frame->data, hs_frame->len, &hs, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(req.data.len, ==, 21);
  g_assert_cmpmem(req.data.data, 20, hs.scramble, 20);
  g_assert_cmpuint(req.data.data[20], ==, 0);
  tsr_auth_switch_request_encode(out, &req);
  tsr_assert_bytes(out, f->data, f->len);
  /* 0xFE alone is the pre-4.1 request; then the plugin name needs its NUL. */
  g_assert_cmpuint(tsr_test_truncations(decode_switch, NULL, f->data, f->len, 1), ==,
                   1 + f->len - (2 + req.plugin_name.len));

  tsr_auth_switch_response_decode(resp->data, resp->len, &data);
  g_assert_cmpuint(data.len, ==, 20);
  g_byte_array_set_size(out, 0);
  tsr_auth_switch_response_encode(out, data.data, data.len);
  tsr_assert_bytes(out, resp->data, resp->len);
}

static void test_auth_switch_forms(void) {
  TsrAuthSwitchRequest req;
  GError *error = NULL;
  static const guint8 old[] = { 0xfe };
  static const guint8 bad[] = { 0x00, 'x', 0 };

  g_assert_cmpint(tsr_auth_switch_request_decode(old, 1, &req, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(req.plugin_name.len, ==, 0);
  g_assert_cmpuint(req.data.len, ==, 0);
  g_assert_cmpint(tsr_auth_switch_request_decode(bad, sizeof bad, &req, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
}

static void test_auth_more_data(void) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrSlice data;
  GError *error = NULL;
  static const guint8 fast_ok[] = { 0x03 };

  /* caching_sha2_password's "fast auth success". */
  tsr_auth_more_data_encode(out, fast_ok, 1);
  g_assert_cmpuint(out->len, ==, 2);
  g_assert_cmpuint(out->data[0], ==, 0x01);
  g_assert_cmpint(tsr_auth_more_data_decode(out->data, out->len, &data, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpmem(data.data, data.len, fast_ok, 1);
  g_assert_cmpint(tsr_auth_more_data_decode(out->data, 0, &data, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED);
  g_clear_error(&error);
  out->data[0] = 0x02;
  g_assert_cmpint(tsr_auth_more_data_decode(out->data, out->len, &data, &error), ==, TSR_DECODE_ERROR);
  g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
  g_clear_error(&error);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/handshake/v10/captured", test_v10_captured);
  g_test_add_func("/handshake/v10/all-captured-round-trip", test_v10_all_captured_round_trip);
  g_test_add_func("/handshake/v10/truncations", test_v10_truncations);
  g_test_add_func("/handshake/v10/old-forms", test_v10_old_forms);
  g_test_add_func("/handshake/v10/secure-without-plugin", test_v10_secure_no_plugin);
  g_test_add_func("/handshake/v10/garbage", test_v10_garbage);
  g_test_add_func("/handshake/response/captured", test_response_captured);
  g_test_add_func("/handshake/response/old-forms", test_response_old_forms);
  g_test_add_func("/handshake/response/garbage", test_response_garbage);
  g_test_add_func("/handshake/ssl-request", test_ssl_request);
  g_test_add_func("/handshake/auth-switch/captured", test_auth_switch_captured);
  g_test_add_func("/handshake/auth-switch/forms", test_auth_switch_forms);
  g_test_add_func("/handshake/auth-more-data", test_auth_more_data);
  return g_test_run();
}
