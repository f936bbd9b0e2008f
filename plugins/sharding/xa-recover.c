/* xa-recover.c: XA recovery at startup (xa-recover.h). */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "xa-recover.h"
#include "xa-client.h"

/* MariaDB's and MySQL's XAER_NOTA: "Unknown XID". */
#define ER_XAER_NOTA 1397
/* The format id of XA START 'gtrid'. */
#define XA_FORMAT_ID 1

typedef struct {
  TsrXaLog *log;
  guint32 proxy_id;
  guint committed, rolled_back;
} Recovery;

/* Reads an unsigned integer column of XA RECOVER's row. */
static gboolean row_number(const TsrXaResult *r, guint row, guint column, guint64 *out) {
  const char *text = tsr_xa_result_value(r, row, column, NULL);
  return text && g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, out, NULL);
}

/* Returns the gtrid of XA RECOVER's row when it is a transaction of this
 * tessera (a new string), else NULL. Columns: formatID, gtrid_length,
 * bqual_length, data. */
static char *our_gtrid(const Recovery *rc, const TsrXaResult *r, guint row) {
  guint64 format, gtrid_len, bqual_len;
  guint32 proxy_id;
  gsize data_len;
  const char *data = tsr_xa_result_value(r, row, 3, &data_len);
  g_autofree char *gtrid = NULL;
  if (!row_number(r, row, 0, &format) || !row_number(r, row, 1, &gtrid_len) || !row_number(r, row, 2, &bqual_len) ||
      !data || format != XA_FORMAT_ID || bqual_len != 0 || gtrid_len != data_len || memchr(data, '\0', data_len))
    return NULL;
  gtrid = g_strndup(data, data_len);
  if (!tsr_xa_xid_parse(gtrid, &proxy_id, NULL) || proxy_id != rc->proxy_id) return NULL;
  return g_steal_pointer(&gtrid);
}

/* Commits or rolls back one prepared transaction on c. */
static gboolean resolve(Recovery *rc, TsrXaClient *c, const char *gtrid, GError **error) {
  gboolean commit = tsr_xa_log_decided(rc->log, gtrid);
  g_autofree char *sql = g_strdup_printf("XA %s '%s'", commit ? "COMMIT" : "ROLLBACK", gtrid);
  g_autoptr(TsrXaResult) r = tsr_xa_client_query(c, sql, error);
  if (!r) {
    if (tsr_xa_client_server_errno(c) != ER_XAER_NOTA) return FALSE;
    g_clear_error(error);
    g_message("XA recovery on %s: %s was resolved meanwhile", tsr_xa_client_address(c), gtrid);
    return TRUE;
  }
  g_message("XA recovery on %s: %s %s", tsr_xa_client_address(c), commit ? "committed" : "rolled back", gtrid);
  if (commit)
    rc->committed++;
  else
    rc->rolled_back++;
  return TRUE;
}

/* Resolves the prepared transactions of this tessera on one server. */
static gboolean recover_one(Recovery *rc, const char *address, const char *user, const char *password,
                            guint timeout_ms, GError **error) {
  g_autoptr(TsrXaClient) c = tsr_xa_client_connect(address, user, password, timeout_ms, error);
  g_autoptr(TsrXaResult) r = NULL;
  if (!c || !(r = tsr_xa_client_query(c, "XA RECOVER", error))) return FALSE;
  if (r->n_columns != 4) {
    g_set_error(error, TSR_XA_CLIENT_ERROR, TSR_XA_CLIENT_ERROR_PROTOCOL,
                "tessera: backend %s: XA RECOVER returned %u columns, not 4", address, r->n_columns);
    return FALSE;
  }
  for (guint row = 0; row < r->n_rows; row++) {
    g_autofree char *gtrid = our_gtrid(rc, r, row);
    if (gtrid && !resolve(rc, c, gtrid, error)) return FALSE;
  }
  return TRUE;
}

gboolean tsr_xa_recover(TsrXaLog *log, guint32 proxy_id, const char *const *addresses, guint n, const char *user,
                        const char *password, guint timeout_ms, guint *committed, guint *rolled_back, GError **error) {
  Recovery rc = {log, proxy_id, 0, 0};
  GError *group_error = NULL;
  g_auto(GStrv) decided = NULL;
  guint i;

  for (i = 0; i < n && recover_one(&rc, addresses[i], user, password, timeout_ms, &group_error); i++) {}
  if (committed) *committed = rc.committed;
  if (rolled_back) *rolled_back = rc.rolled_back;
  if (group_error) {
    g_set_error(error, TSR_XA_ERROR, TSR_XA_ERROR_RECOVER,
                "tessera: XA recovery cannot resolve the transactions prepared on %s, so tessera cannot tell which "
                "cross-shard transactions are finished: %s",
                addresses[i], group_error->message);
    g_error_free(group_error);
    return FALSE;
  }
  decided = tsr_xa_log_list(log);
  for (char **gtrid = decided; *gtrid; gtrid++) tsr_xa_log_done(log, *gtrid);
  return TRUE;
}
