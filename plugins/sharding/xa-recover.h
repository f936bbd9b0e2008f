/* xa-recover.h: resolving the XA transactions a previous run of tessera
 * left prepared, before any client is served.
 *
 * For each group primary, recovery logs in (xa-client.h), lists the
 * prepared transactions (XA RECOVER) and, for each one of this tessera
 * (a gtrid of tsr_xa_xid_new() form with this proxy id, format id 1, no
 * branch qualifier), sends XA COMMIT when the decision log holds a decision
 * for it, else XA ROLLBACK: without a decision it was committed nowhere.
 * Transactions of other applications and of other tessera instances are
 * left alone. A branch that is gone by the time of the XA COMMIT or XA
 * ROLLBACK (XAER_NOTA) counts as resolved. Once every group is resolved,
 * every decision in the log is marked done: the caller passes the primary
 * of every group a decision may name.
 *
 * The account must be one that XA RECOVER shows every prepared
 * transaction to and that may end them (the proxy's backend account with
 * ALL PRIVILEGES is; MySQL 8 asks for XA_RECOVER_ADMIN).
 *
 * Recovery blocks: run it on the main thread before the workers start. */
#ifndef TESSERA_SHARDING_XA_RECOVER_H
#define TESSERA_SHARDING_XA_RECOVER_H

#include <glib.h>
#include "xa-log.h"

/* Resolves the prepared transactions of proxy_id on the servers at
 * addresses[0..n) ("host:port", "[v6]:port" or an absolute unix socket
 * path), logging in as user/password (mysql_native_password), each wait
 * bounded by timeout_ms (0: TSR_XA_CLIENT_TIMEOUT_MS). *committed and
 * *rolled_back (either may be NULL) count the branches resolved each way,
 * on every group reached, also when recovery fails. Returns TRUE when every
 * group was resolved (the log's decisions are then done), else FALSE with
 * *error (TSR_XA_ERROR_RECOVER) naming the address that could not be
 * reached or the statement that failed there; the decisions stay, for the
 * next attempt. Borrows everything it is given. */
gboolean tsr_xa_recover(TsrXaLog *log, guint32 proxy_id, const char *const *addresses, guint n, const char *user,
                        const char *password, guint timeout_ms, guint *committed, guint *rolled_back, GError **error);

#endif
