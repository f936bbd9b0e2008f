/* auth-users.h: the accounts tessera checks itself when it authenticates
 * clients (proxy-side authentication), and the credentials it logs in to
 * backends with on their behalf.
 *
 * A TsrUserList is built once (from the shard map or options), then shared
 * read-only by every worker: it is reference-counted and never changes. */
#ifndef TESSERA_CORE_AUTH_USERS_H
#define TESSERA_CORE_AUTH_USERS_H

#include <glib.h>
#include "protocol/mysql-auth.h"

typedef struct {
  char *name;
  gboolean has_password;                      /* FALSE: an account without password */
  guint8 stored_hash[TSR_NATIVE_HASH_LEN];    /* SHA1(SHA1(password)) */
  char *backend_user;                         /* NULL: backends see `name` */
  char *backend_password;                     /* with backend_user: its password ("" allowed) */
} TsrUser;

typedef struct TsrUserList TsrUserList;

/* Returns a new empty list with one reference. */
TsrUserList *tsr_user_list_new(void);
TsrUserList *tsr_user_list_ref(TsrUserList *list);
void tsr_user_list_unref(TsrUserList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrUserList, tsr_user_list_unref)

/* Adds an account. Exactly one of password (clear text) and hash_text
 * ("*" + 40 hex digits) is given, or neither for an account without
 * password. backend_user/backend_password: the account backends know, or
 * NULL to log in as the client with the client's own credentials. Returns
 * FALSE with *error set (naming the user) on a bad hash or a duplicate. */
gboolean tsr_user_list_add(TsrUserList *list, const char *name, const char *password, const char *hash_text,
                           const char *backend_user, const char *backend_password, GError **error);

/* Returns the account named `name` (borrowed, valid while the list lives),
 * or NULL. */
const TsrUser *tsr_user_list_find(const TsrUserList *list, const char *name);

/* Returns the number of accounts. */
guint tsr_user_list_size(const TsrUserList *list);

/* What tessera logs in to a backend with, for one client session. */
typedef struct {
  char *user;                                 /* the backend account name */
  gboolean use_stage1;                        /* TRUE: answer scrambles with stage1 */
  guint8 stage1[TSR_NATIVE_HASH_LEN];         /* SHA1(password), recovered from the client */
  char *password;                             /* otherwise: the configured clear password */
} TsrBackendCredentials;

/* Checks a client's mysql_native_password `response` to `scramble` for
 * account u. On success fills *creds (cleared with
 * tsr_backend_credentials_clear) with what backends will be given and
 * returns TRUE; returns FALSE when the password is wrong. */
gboolean tsr_user_authenticate(const TsrUser *u, const guint8 *response, gsize response_len, const guint8 *scramble,
                               gsize scramble_len, TsrBackendCredentials *creds);

/* Computes the mysql_native_password response to a backend's scramble into
 * out. Returns its length (0 for an empty password). */
gsize tsr_backend_credentials_scramble(const TsrBackendCredentials *creds, const guint8 *scramble, gsize scramble_len,
                                       guint8 out[TSR_NATIVE_HASH_LEN]);

/* Frees what creds holds (not creds itself). */
void tsr_backend_credentials_clear(TsrBackendCredentials *creds);

#endif
