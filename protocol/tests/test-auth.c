/* test-auth.c: mysql_native_password against the responses real clients
 * sent to MariaDB 10.11 (password "secret"), and scramble generation. */
#include <string.h>
#include "protocol/mysql-auth.h"
#include "protocol/mysql-handshake.h"
#include "captured-vectors.h"

#define PASSWORD "secret"
/* SELECT PASSWORD('secret') on MariaDB. */
#define SECRET_HASH_TEXT "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"

/* Reads the scramble of a login's handshake and the client's auth response. */
static void login_scramble(const char *exchange, TsrHandshakeV10 *hs, TsrSlice *response) {
  const TsrCapFrame *hs_frame = tsr_cap_frame(exchange, 0);
  const TsrCapFrame *resp_frame = tsr_cap_frame(exchange, 1);
  TsrHandshakeResponse r;
  g_assert_cmpint(tsr_handshake_v10_decode(hs_frame->data, hs_frame->len, hs, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpint(tsr_handshake_response_decode(resp_frame->data, resp_frame->len, &r, NULL), ==, TSR_DECODE_OK);
  *response = r.auth_response;
}

static void test_scramble_matches_clients(void) {
  static const char *const logins[] = { "cli/login", "sysbench/login", "classic/login", "no-db-no-attrs/login" };
  for (guint i = 0; i < G_N_ELEMENTS(logins); i++) {
    TsrHandshakeV10 hs;
    TsrSlice response;
    guint8 mine[TSR_NATIVE_HASH_LEN];
    login_scramble(logins[i], &hs, &response);
    g_assert_cmpuint(tsr_native_scramble(mine, hs.scramble, hs.scramble_len, PASSWORD, strlen(PASSWORD)), ==, 20);
    g_assert_cmpmem(mine, sizeof mine, response.data, response.len);
  }
}

static void test_hash_text(void) {
  guint8 hash[TSR_NATIVE_HASH_LEN], parsed[TSR_NATIVE_HASH_LEN];
  g_autofree gchar *text = NULL;
  g_autofree gchar *lower = g_ascii_strdown(SECRET_HASH_TEXT, -1);
  GError *error = NULL;
  static const char *const bad[] = { "", "14E65567ABDB5135D0CFD9A70B3032C179A49EE7", "*14E6",
                                     "*14E65567ABDB5135D0CFD9A70B3032C179A49EEG",
                                     "*14E65567ABDB5135D0CFD9A70B3032C179A49EE70" };

  tsr_native_hash(hash, PASSWORD, strlen(PASSWORD));
  text = tsr_native_hash_format(hash);
  g_assert_cmpstr(text, ==, SECRET_HASH_TEXT);
  g_assert_true(tsr_native_hash_parse(lower, parsed, &error));
  g_assert_no_error(error);
  g_assert_cmpmem(parsed, sizeof parsed, hash, sizeof hash);
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(tsr_native_hash_parse(bad[i], parsed, &error));
    g_assert_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_INVALID);
    g_clear_error(&error);
  }
  g_assert_false(tsr_native_hash_parse(NULL, parsed, NULL));
}

static void test_check(void) {
  TsrHandshakeV10 hs;
  TsrSlice response;
  guint8 stored[TSR_NATIVE_HASH_LEN], wrong[TSR_NATIVE_HASH_LEN];

  login_scramble("cli/login", &hs, &response);
  g_assert_true(tsr_native_hash_parse(SECRET_HASH_TEXT, stored, NULL));
  g_assert_true(tsr_native_check(response.data, response.len, hs.scramble, hs.scramble_len, stored));
  /* Another scramble, another password, a short response, no password. */
  g_assert_false(tsr_native_check(response.data, response.len, hs.scramble + 1, hs.scramble_len - 1, stored));
  tsr_native_hash(wrong, "Secret", 6);
  g_assert_false(tsr_native_check(response.data, response.len, hs.scramble, hs.scramble_len, wrong));
  g_assert_false(tsr_native_check(response.data, 19, hs.scramble, hs.scramble_len, stored));
  g_assert_false(tsr_native_check(response.data, 0, hs.scramble, hs.scramble_len, stored));
  g_assert_false(tsr_native_check(response.data, response.len, hs.scramble, hs.scramble_len, NULL));
  g_assert_true(tsr_native_check(NULL, 0, hs.scramble, hs.scramble_len, NULL));
}

static void test_recover_stage1(void) {
  TsrHandshakeV10 hs;
  TsrSlice response;
  guint8 stored[TSR_NATIVE_HASH_LEN], stage1[TSR_NATIVE_HASH_LEN], expected[TSR_NATIVE_HASH_LEN];
  guint8 fresh[TSR_NATIVE_HASH_LEN], from_stage1[TSR_NATIVE_HASH_LEN], from_password[TSR_NATIVE_HASH_LEN];
  g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
  gsize len = sizeof expected;

  login_scramble("sysbench/login", &hs, &response);
  tsr_native_hash(stored, PASSWORD, strlen(PASSWORD));
  g_assert_true(tsr_native_recover_stage1(stage1, response.data, response.len, hs.scramble, hs.scramble_len, stored));
  g_checksum_update(sha1, (const guint8 *)PASSWORD, strlen(PASSWORD));
  g_checksum_get_digest(sha1, expected, &len);
  g_assert_cmpmem(stage1, sizeof stage1, expected, sizeof expected);

  /* Log in elsewhere with a fresh scramble: the same answer as the password gives. */
  tsr_scramble_generate(fresh, sizeof fresh);
  tsr_native_scramble_stage1(from_stage1, fresh, sizeof fresh, stage1);
  tsr_native_scramble(from_password, fresh, sizeof fresh, PASSWORD, strlen(PASSWORD));
  g_assert_cmpmem(from_stage1, sizeof from_stage1, from_password, sizeof from_password);
  g_assert_true(tsr_native_check(from_stage1, sizeof from_stage1, fresh, sizeof fresh, stored));

  /* A wrong response recovers nothing and leaves out untouched. */
  memset(stage1, 0xAA, sizeof stage1);
  from_stage1[0] ^= 1;
  g_assert_false(tsr_native_recover_stage1(stage1, from_stage1, sizeof from_stage1, fresh, sizeof fresh, stored));
  for (guint i = 0; i < sizeof stage1; i++) g_assert_cmpuint(stage1[i], ==, 0xAA);
}

static void test_empty_password(void) {
  guint8 out[TSR_NATIVE_HASH_LEN] = { 0 };
  const guint8 scramble[20] = { 1 };
  g_assert_cmpuint(tsr_native_scramble(out, scramble, sizeof scramble, "", 0), ==, 0);
}

static void test_scramble_generate(void) {
  guint counts[128] = { 0 };
  for (guint round = 0; round < 200; round++) {
    guint8 s[TSR_SCRAMBLE_LEN];
    tsr_scramble_generate(s, sizeof s);
    for (guint i = 0; i < sizeof s; i++) {
      g_assert_cmpuint(s[i], >=, 1);
      g_assert_cmpuint(s[i], <=, 127);
      g_assert_cmpuint(s[i], !=, '$');
      counts[s[i]]++;
    }
  }
  /* 4000 bytes over 126 values: every value shows up (the chance one does not is about 1e-12). */
  for (guint v = 1; v < 128; v++)
    if (v != '$') g_assert_cmpuint(counts[v], >, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/auth/native/scramble-matches-clients", test_scramble_matches_clients);
  g_test_add_func("/auth/native/hash-text", test_hash_text);
  g_test_add_func("/auth/native/check", test_check);
  g_test_add_func("/auth/native/recover-stage1", test_recover_stage1);
  g_test_add_func("/auth/native/empty-password", test_empty_password);
  g_test_add_func("/auth/scramble-generate", test_scramble_generate);
  return g_test_run();
}
