/* admin-conn.h: one client of the admin endpoint, on the event base it was
 * accepted on: the server side of the login (its own HandshakeV10,
 * mysql_native_password, an auth switch for clients that start with
 * another method) and then the commands: COM_QUERY (admin-answer.h),
 * COM_PING, COM_INIT_DB, COM_SET_OPTION, COM_QUIT. */
#ifndef TESSERA_ADMIN_CONN_H
#define TESSERA_ADMIN_CONN_H

#include <glib.h>
#include <sys/socket.h>
#include <event2/event.h>
#include "protocol/mysql-auth.h"

/* The one account of the endpoint and what it says about itself; owned by
 * the plugin, it outlives every connection. */
typedef struct {
  char *username;
  guint8 password_hash[TSR_NATIVE_HASH_LEN];  /* SHA1(SHA1(password)) */
  const char *server_version;                  /* the greeting's and VERSION()'s */
  const char *version_comment;                 /* @@version_comment */
} TsrAdminConfig;

typedef struct TsrAdminConn TsrAdminConn;

/* Called once when a connection has ended on its own (client gone, error,
 * timeout, COM_QUIT), just before it is freed. */
typedef void (*TsrAdminConnDone)(TsrAdminConn *c, gpointer data);

/* Serves the accepted socket fd (now owned) on `base` and sends the
 * greeting. `peer` is the client's address (for messages), `id` its
 * connection id. Returns the connection, or NULL when it could not be set
 * up (fd is then closed). */
TsrAdminConn *tsr_admin_conn_new(struct event_base *base, int fd, const struct sockaddr *peer, socklen_t peer_len,
                                 const TsrAdminConfig *config, guint32 id, TsrAdminConnDone done, gpointer data);

/* Closes the connection at once and frees it; `done` is not called. Call on
 * the connection's event base thread. */
void tsr_admin_conn_free(TsrAdminConn *c);

#endif
