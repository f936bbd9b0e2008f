/* auth-users.c: accounts checked by tessera and backend credentials. */
#include <string.h>

#include "auth-users.h"
#include "core-error.h"

struct TsrUserList {
  gint refs;
  GHashTable *by_name;   /* name -> TsrUser* (owned) */
};

static void user_free(gpointer p) {
  TsrUser *u = p;
  g_free(u->name);
  g_free(u->backend_user);
  if (u->backend_password) memset(u->backend_password, 0, strlen(u->backend_password));
  g_free(u->backend_password);
  g_free(u);
}

TsrUserList *tsr_user_list_new(void) {
  TsrUserList *list = g_new0(TsrUserList, 1);
  list->refs = 1;
  list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, user_free);
  return list;
}

TsrUserList *tsr_user_list_ref(TsrUserList *list) {
  g_atomic_int_inc(&list->refs);
  return list;
}

void tsr_user_list_unref(TsrUserList *list) {
  if (!list || !g_atomic_int_dec_and_test(&list->refs)) return;
  g_hash_table_unref(list->by_name);
  g_free(list);
}

gboolean tsr_user_list_add(TsrUserList *list, const char *name, const char *password, const char *hash_text,
                           const char *backend_user, const char *backend_password, GError **error) {
  TsrUser *u;
  if (g_hash_table_contains(list->by_name, name)) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "user '%s' is listed twice", name);
    return FALSE;
  }
  if (password && hash_text) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "user '%s': give either password or password_hash, not both", name);
    return FALSE;
  }
  u = g_new0(TsrUser, 1);
  if (hash_text) {
    g_autoptr(GError) parse_error = NULL;
    if (!tsr_native_hash_parse(hash_text, u->stored_hash, &parse_error)) {
      g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "user '%s': password_hash must be '*' and 40 hex digits (as in mysql.user): %s", name,
                  parse_error->message);
      g_free(u);
      return FALSE;
    }
    u->has_password = TRUE;
  } else if (password && *password) {
    tsr_native_hash(u->stored_hash, password, strlen(password));
    u->has_password = TRUE;
  }
  u->name = g_strdup(name);
  u->backend_user = g_strdup(backend_user);
  u->backend_password = backend_user ? g_strdup(backend_password ? backend_password : "") : NULL;
  g_hash_table_insert(list->by_name, u->name, u);
  return TRUE;
}

const TsrUser *tsr_user_list_find(const TsrUserList *list, const char *name) {
  return g_hash_table_lookup(list->by_name, name);
}

guint tsr_user_list_size(const TsrUserList *list) {
  return g_hash_table_size(list->by_name);
}

gboolean tsr_user_authenticate(const TsrUser *u, const guint8 *response, gsize response_len, const guint8 *scramble,
                               gsize scramble_len, TsrBackendCredentials *creds) {
  memset(creds, 0, sizeof *creds);
  if (!u->has_password) {
    if (response_len != 0) return FALSE;
  } else if (!tsr_native_recover_stage1(creds->stage1, response, response_len, scramble, scramble_len,
                                        u->stored_hash)) {
    return FALSE;
  }
  if (u->backend_user) {
    creds->user = g_strdup(u->backend_user);
    creds->password = g_strdup(u->backend_password);
    memset(creds->stage1, 0, sizeof creds->stage1);
  } else {
    creds->user = g_strdup(u->name);
    creds->use_stage1 = u->has_password;
    creds->password = u->has_password ? NULL : g_strdup("");
  }
  return TRUE;
}

gsize tsr_backend_credentials_scramble(const TsrBackendCredentials *creds, const guint8 *scramble, gsize scramble_len,
                                       guint8 out[TSR_NATIVE_HASH_LEN]) {
  if (creds->use_stage1) {
    tsr_native_scramble_stage1(out, scramble, scramble_len, creds->stage1);
    return TSR_NATIVE_HASH_LEN;
  }
  return tsr_native_scramble(out, scramble, scramble_len, creds->password, strlen(creds->password));
}

void tsr_backend_credentials_clear(TsrBackendCredentials *creds) {
  g_free(creds->user);
  if (creds->password) memset(creds->password, 0, strlen(creds->password));
  g_free(creds->password);
  memset(creds, 0, sizeof *creds);
}
