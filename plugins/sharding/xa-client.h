/* xa-client.h: a small blocking MySQL client for work tessera does
 * outside its event loops (XA recovery at startup, xa-recover.h): connect
 * with a timeout, log in with mysql_native_password, run one statement at
 * a time and get its OK, its ERR or its rows as text.
 *
 * Every wait (connecting, each read and write) ends after the client's
 * timeout. Capabilities are kept to the classic protocol: 4.1 packets, EOF
 * packets after column definitions and rows, no multi-statements, no
 * LOCAL INFILE, no TLS, no compression. A client is used by one thread. */
#ifndef TESSERA_SHARDING_XA_CLIENT_H
#define TESSERA_SHARDING_XA_CLIENT_H

#include <glib.h>

#define TSR_XA_CLIENT_ERROR (tsr_xa_client_error_quark())

typedef enum {
  TSR_XA_CLIENT_ERROR_ADDRESS,  /* the address cannot be parsed or resolved */
  TSR_XA_CLIENT_ERROR_CONNECT,  /* the connection failed or the server refused it before login */
  TSR_XA_CLIENT_ERROR_TIMEOUT,  /* the server did not answer within the timeout */
  TSR_XA_CLIENT_ERROR_IO,       /* a read or write failed, or the server closed the connection */
  TSR_XA_CLIENT_ERROR_PROTOCOL, /* the server sent what the protocol does not allow here */
  TSR_XA_CLIENT_ERROR_AUTH,     /* the login was refused, or needs another method than mysql_native_password */
  TSR_XA_CLIENT_ERROR_SERVER,   /* the server answered the statement with an ERR packet */
} TsrXaClientErrorCode;

/* Returns the GQuark of the TSR_XA_CLIENT_ERROR domain. */
GQuark tsr_xa_client_error_quark(void);

/* Timeout of every wait when the caller gives 0. */
#define TSR_XA_CLIENT_TIMEOUT_MS 10000u

typedef struct TsrXaClient TsrXaClient;

/* What a statement returned: rows (n_columns > 0) or an OK packet. */
typedef struct {
  guint n_columns;
  guint n_rows;
  char **names;                /* n_columns column names, NULL-terminated */
  GPtrArray *cells;            /* row-major n_rows * n_columns values: NUL-terminated
                                  copies, NULL for SQL NULL */
  GArray *lengths;             /* gsize: the length of each value */
  guint64 affected_rows;       /* OK only */
  guint16 warnings;
} TsrXaResult;

/* Connects to `address` ("host:port", "[v6]:port", "host" for port 3306,
 * or an absolute unix socket path) and logs in as user/password (password
 * NULL or "" for none) with mysql_native_password. timeout_ms bounds every
 * wait (0: TSR_XA_CLIENT_TIMEOUT_MS). Returns a new client
 * (tsr_xa_client_close), or NULL with *error (TSR_XA_CLIENT_ERROR) naming
 * the address. The client keeps no pointer to its arguments. */
TsrXaClient *tsr_xa_client_connect(const char *address, const char *user, const char *password, guint timeout_ms,
                                   GError **error);

/* Sends COM_QUIT, closes the connection and frees the client. NULL is allowed. */
void tsr_xa_client_close(TsrXaClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrXaClient, tsr_xa_client_close)

/* Runs one SQL statement (COM_QUERY) and reads its whole response. Returns
 * a new result (tsr_xa_result_free), or NULL with *error: for an ERR packet
 * TSR_XA_CLIENT_ERROR_SERVER with the server's code, SQLSTATE and message
 * in the message (and the code in tsr_xa_client_server_errno), the
 * connection still usable; for the other codes the connection is not. */
TsrXaResult *tsr_xa_client_query(TsrXaClient *c, const char *sql, GError **error);

/* Returns the server's error code of the last statement that got an ERR
 * packet, or 0 when the last statement did not. */
guint16 tsr_xa_client_server_errno(const TsrXaClient *c);

/* Returns the address the client connected to (owned by the client). */
const char *tsr_xa_client_address(const TsrXaClient *c);

/* Returns the server's version string from its greeting (owned by the client). */
const char *tsr_xa_client_server_version(const TsrXaClient *c);

/* Returns the value of row, column as a NUL-terminated string (which may
 * hold other NULs: *len, when not NULL, is its length), or NULL for SQL
 * NULL. Owned by the result. row < n_rows, column < n_columns. */
const char *tsr_xa_result_value(const TsrXaResult *r, guint row, guint column, gsize *len);

/* Frees a result. NULL is allowed. */
void tsr_xa_result_free(TsrXaResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrXaResult, tsr_xa_result_free)

#endif
