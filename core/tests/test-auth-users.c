/* test-auth-users.c: proxy-side accounts and backend credentials. */
#include <string.h>
#include "core/auth-users.h"
#include "core/core-error.h"

static const guint8 scramble[20] = "abcdefghij0123456789";
static const guint8 backend_scramble[20] = "ZYXWVUTSRQ9876543210";

/* A client's response for `password` to the proxy's scramble. */
static gsize client_response(const char *password, guint8 out[20]) {
  return tsr_native_scramble(out, scramble, sizeof scramble, password, strlen(password));
}

static void test_password_and_hash(void) {
  g_autoptr(TsrUserList) list = tsr_user_list_new();
  guint8 resp[20], expected[20], got[20];
  gsize n;
  TsrBackendCredentials creds;
  g_autofree char *hash_text = NULL;
  guint8 hash[20];

  tsr_native_hash(hash, "s3cret", 6);
  hash_text = tsr_native_hash_format(hash);
  g_assert_true(tsr_user_list_add(list, "app", "s3cret", NULL, NULL, NULL, NULL));
  g_assert_true(tsr_user_list_add(list, "hashed", NULL, hash_text, NULL, NULL, NULL));
  g_assert_cmpuint(tsr_user_list_size(list), ==, 2);

  for (guint i = 0; i < 2; i++) {
    const TsrUser *u = tsr_user_list_find(list, i ? "hashed" : "app");
    g_assert_nonnull(u);
    n = client_response("s3cret", resp);
    g_assert_true(tsr_user_authenticate(u, resp, n, scramble, sizeof scramble, &creds));
    g_assert_cmpstr(creds.user, ==, u->name);
    g_assert_true(creds.use_stage1);
    /* The backend gets what the client itself would have sent it. */
    g_assert_cmpuint(tsr_backend_credentials_scramble(&creds, backend_scramble, 20, got), ==, 20);
    tsr_native_scramble(expected, backend_scramble, 20, "s3cret", 6);
    g_assert_cmpmem(got, 20, expected, 20);
    tsr_backend_credentials_clear(&creds);

    n = client_response("wrong", resp);
    g_assert_false(tsr_user_authenticate(u, resp, n, scramble, sizeof scramble, &creds));
    g_assert_false(tsr_user_authenticate(u, NULL, 0, scramble, sizeof scramble, &creds));
  }
  g_assert_null(tsr_user_list_find(list, "nobody"));
}

static void test_backend_account(void) {
  g_autoptr(TsrUserList) list = tsr_user_list_new();
  guint8 resp[20], expected[20], got[20];
  TsrBackendCredentials creds;
  gsize n;
  g_assert_true(tsr_user_list_add(list, "report", "pw", NULL, "report_ro", "backend-pw", NULL));
  n = client_response("pw", resp);
  g_assert_true(tsr_user_authenticate(tsr_user_list_find(list, "report"), resp, n, scramble, 20, &creds));
  g_assert_cmpstr(creds.user, ==, "report_ro");
  g_assert_false(creds.use_stage1);
  tsr_backend_credentials_scramble(&creds, backend_scramble, 20, got);
  tsr_native_scramble(expected, backend_scramble, 20, "backend-pw", 10);
  g_assert_cmpmem(got, 20, expected, 20);
  tsr_backend_credentials_clear(&creds);
}

static void test_no_password(void) {
  g_autoptr(TsrUserList) list = tsr_user_list_new();
  guint8 resp[20], got[20];
  TsrBackendCredentials creds;
  g_assert_true(tsr_user_list_add(list, "guest", NULL, NULL, NULL, NULL, NULL));
  g_assert_true(tsr_user_authenticate(tsr_user_list_find(list, "guest"), NULL, 0, scramble, 20, &creds));
  g_assert_cmpuint(tsr_backend_credentials_scramble(&creds, backend_scramble, 20, got), ==, 0);
  tsr_backend_credentials_clear(&creds);
  g_assert_cmpuint(client_response("x", resp), ==, 20);
  g_assert_false(tsr_user_authenticate(tsr_user_list_find(list, "guest"), resp, 20, scramble, 20, &creds));
}

static void test_errors(void) {
  g_autoptr(TsrUserList) list = tsr_user_list_new();
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_assert_true(tsr_user_list_add(list, "a", "x", NULL, NULL, NULL, NULL));
  g_assert_false(tsr_user_list_add(list, "a", "y", NULL, NULL, NULL, &e1));
  g_assert_error(e1, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG);
  g_assert_nonnull(strstr(e1->message, "'a'"));
  g_assert_false(tsr_user_list_add(list, "b", NULL, "*123", NULL, NULL, &e2));
  g_assert_nonnull(strstr(e2->message, "'b'"));
  g_assert_false(tsr_user_list_add(list, "c", "x", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", NULL, NULL, &e3));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/auth-users/password-and-hash", test_password_and_hash);
  g_test_add_func("/auth-users/backend-account", test_backend_account);
  g_test_add_func("/auth-users/no-password", test_no_password);
  g_test_add_func("/auth-users/errors", test_errors);
  return g_test_run();
}
