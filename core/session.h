/* session.h: one client connection and the backend connections it uses,
 * driven through the phases connect -> auth -> command* -> disconnect.
 *
 * Sessions live on one worker thread for their whole life: every function
 * here must be called on the thread that runs the owner's event base. */
#ifndef TESSERA_CORE_SESSION_H
#define TESSERA_CORE_SESSION_H

#include <glib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <event2/event.h>

#include "backend.h"
#include "session-hooks.h"

/* Settings every session of a proxy shares; read-only once sessions run. */
typedef struct {
  struct timeval connect_timeout;   /* per backend connect attempt */
  struct timeval read_timeout;      /* a client may stay silent this long */
  struct timeval write_timeout;     /* a peer may refuse our bytes this long */
  TsrBackendList *backends;         /* borrowed */
  struct TsrUserList *users;        /* accounts tessera checks itself; NULL: pass-through auth */
} TsrProxyConfig;

/* The sessions of one worker. Created by the plugin, one per worker. */
typedef struct {
  struct event_base *base;          /* the worker's base (borrowed) */
  const TsrProxyConfig *config;     /* borrowed */
  GQueue sessions;                  /* of TsrSession*, not owned by the queue */
  gint open;                        /* atomic: sessions open on this worker */
  gint busy;                        /* atomic: sessions running a command */
  gboolean draining;                /* no new work: close sessions when idle */
  const struct timeval *read_timeout;  /* config's read timeout as a libevent common timeout of base */
  const struct timeval *write_timeout; /* the same for the write timeout */
  const TsrSessionHooks *hooks;     /* NULL: no scripting */
  gpointer hooks_data;              /* passed to every hook (one per worker) */
  struct TsrServerPool *pool;       /* idle logged-in backend connections, NULL until used */
  gboolean outlive_server_loss;     /* the hooks pick a backend per query (a session layer): a
                                       session outlives losing one of its backend connections */
} TsrSessionOwner;

/* Starts a session for the accepted client socket fd (ownership passes to
 * the session, which closes it) on owner's worker. The session frees itself
 * when the client goes away. Returns FALSE when it could not be started (fd
 * is closed then). */
gboolean tsr_session_start(TsrSessionOwner *owner, int fd, const struct sockaddr *peer, socklen_t peer_len);

/* Closes every idle session of owner now and makes busy ones close when
 * their command ends. Call on owner's worker thread. */
void tsr_session_owner_drain(TsrSessionOwner *owner);

/* Query queue (MySQL Proxy's proxy.queries), for hooks. */
/* Appends (or with at_front, prepends) a copy of the command payload
 * packet[0..len) under the script's id. */
void tsr_session_queue_add(TsrSession *s, gint id, const guint8 *packet, gsize len, gboolean resultset_is_needed,
                           gboolean at_front);
/* The same, for a query that runs on the session's connection to backend
 * `backend` (0-based): the session keeps one connection per backend and
 * opens it, logged in as the client, when a query first needs it (only for
 * sessions tessera authenticated itself, see TsrProxyConfig.users). */
void tsr_session_queue_add_on(TsrSession *s, guint backend, gint id, const guint8 *packet, gsize len,
                              gboolean resultset_is_needed, gboolean at_front);
/* Marks the last queued query as one that may be sent right behind the
 * one before it (see TsrInjection.pipelined). */
void tsr_session_queue_pipeline_last(TsrSession *s);
/* Marks the last queued query as pinned to the session's connection to its
 * backend (see TsrInjection.pinned): a transaction's statement that must
 * not run on a fresh connection. */
void tsr_session_queue_pin_last(TsrSession *s);
/* Empties the query queue, but for queries already sent (pipelined): their
 * answers are still read, and reach read_query_result. */
void tsr_session_queue_reset(TsrSession *s);
/* Returns the number of queued queries. */
guint tsr_session_queue_length(const TsrSession *s);

/* Appends one packet payload to the answer a hook builds for the client
 * (sent when the hook returns TSR_HOOK_SEND_RESULT; a command without an
 * answer, such as COM_STMT_CLOSE, may return it with none); core numbers
 * the packets. */
void tsr_session_respond(TsrSession *s, const guint8 *payload, gsize len);

/* Returns the client's user name and default database (NULL before
 * authentication / when none), and its address ("host:port"). */
const char *tsr_session_username(const TsrSession *s);
const char *tsr_session_default_db(const TsrSession *s);
const char *tsr_session_client_name(const TsrSession *s);
/* Returns the backend the session uses, or NULL before one is chosen. */
TsrBackend *tsr_session_backend(const TsrSession *s);
/* Makes connections to backend `backend` that cannot be opened open to
 * backend `fallback` instead (a replica's primary): a query for `backend`
 * then runs on the session's connection to `fallback`. */
void tsr_session_set_fallback(TsrSession *s, guint backend, guint fallback);
/* Returns the backend's connection id, or 0. */
guint32 tsr_session_server_thread_id(const TsrSession *s);
/* Returns the connection id of the session's logged-in connection to
 * backend `index` (0-based), or 0 when it holds none (never opened, or
 * closed by the server while idle). */
guint32 tsr_session_backend_thread_id(const TsrSession *s, guint index);
/* Makes db (NULL: none) the client's default database, as a `USE` a hook
 * ran itself would (COM_INIT_DB is followed by core). */
void tsr_session_set_default_db(TsrSession *s, const char *db);
/* Returns the backend's version string and greeting scramble (NULL before
 * the greeting); the client's scrambled password and auth plugin (NULL
 * before its handshake response). Owned by the session. */
const char *tsr_session_server_version(const TsrSession *s);
GBytes *tsr_session_server_scramble(const TsrSession *s);
GBytes *tsr_session_client_auth_response(const TsrSession *s);
const char *tsr_session_client_auth_plugin(const TsrSession *s);
/* Returns the proxy's backend list. */
const TsrBackendList *tsr_session_backends(const TsrSession *s);
/* connect_server: makes the session try backend `index` (0-based) first.
 * Returns FALSE when there is no such backend. */
gboolean tsr_session_set_backend_index(TsrSession *s, guint index);
/* Returns the backend connect_server chose (0-based), or -1. */
gint tsr_session_chosen_backend(const TsrSession *s);

/* Returns the capabilities client and server agreed on (0 before the
 * client's handshake response): what a hook-built response must follow
 * (CLIENT_DEPRECATE_EOF, CLIENT_PROTOCOL_41...). */
guint32 tsr_session_capabilities(const TsrSession *s);
/* Returns the server status flags of the last response that ended without
 * an error (SERVER_STATUS_AUTOCOMMIT before the first), without
 * SERVER_MORE_RESULTS_EXISTS: the status a hook-built response reports. */
guint16 tsr_session_server_status(const TsrSession *s);
/* Fills *addr and *len with the client connection's peer address (local
 * FALSE) or the proxy's own address on it (local TRUE). Returns FALSE when
 * the socket cannot tell (it is closed). */
gboolean tsr_session_client_sockaddr(const TsrSession *s, gboolean local, struct sockaddr_storage *addr,
                                     socklen_t *len);
/* The same for the backend connection in use (peer: the backend; local: the
 * proxy's end). FALSE when there is none or it is not connected yet. */
gboolean tsr_session_server_sockaddr(const TsrSession *s, gboolean local, struct sockaddr_storage *addr,
                                     socklen_t *len);
/* Returns the default database of the backend connection in use (it
 * differs from the client's after a switch to a pooled connection), or
 * NULL. */
const char *tsr_session_server_default_db(const TsrSession *s);

/* The pool of idle logged-in backend connections (MySQL Proxy's
 * proxy.connection.backend_ndx after connect_server), per worker. A
 * connection is pooled under its backend, the user it is logged in as and
 * the capabilities of that login; a session takes only a connection of its
 * own user and capabilities. */
/* Moves the session's backend connection into its owner's pool (MySQL
 * Proxy's backend_ndx = 0); the session has none afterwards. A connection
 * that cannot be reused (mid-command, login failed, after COM_CHANGE_USER,
 * pool full or draining) is closed instead. Call from a hook. */
void tsr_session_release_server(TsrSession *s);
/* Makes the session use an idle pooled connection to backend `index`
 * (0-based) of its user, putting the one it has into the pool. Returns
 * TRUE at once when it already uses that backend; FALSE with *error set
 * (TSR_CORE_ERROR) when there is no such backend or no idle connection of
 * its user on it. Call from a hook, between two commands. */
gboolean tsr_session_switch_backend(TsrSession *s, guint index, GError **error);
/* Returns the idle pooled connections of owner to backend `index` logged in
 * as `user` (NULL or "": of any user). */
guint tsr_session_pool_idle(TsrSessionOwner *owner, guint index, const char *user);
/* Reads or sets the pool limits of backend `index`: min_idle is for
 * scripts to read (tessera opens no connection by itself), max_idle caps
 * the idle connections kept per user (default TSR_POOL_DEFAULT_MAX_IDLE):
 * a connection released past it is closed. */
#define TSR_POOL_DEFAULT_MAX_IDLE 8u
void tsr_session_pool_limits(TsrSessionOwner *owner, guint index, guint *min_idle, guint *max_idle);
void tsr_session_pool_set_limits(TsrSessionOwner *owner, guint index, guint min_idle, guint max_idle);
/* Closes every pooled connection of owner and frees the pool. Call on the
 * owner's worker thread, or after the worker loops ended. */
void tsr_session_pool_free(TsrSessionOwner *owner);

/* Closes the client connection once the answer to the command under way
 * has been written (MySQL Proxy's proxy.connection.connection_close); with
 * no command under way, after the next one. */
void tsr_session_close_after_command(TsrSession *s);

#endif
