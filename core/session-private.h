/* session-private.h: the session structure and the per-state handlers,
 * shared by the session-*.c files only. */
#ifndef TESSERA_CORE_SESSION_PRIVATE_H
#define TESSERA_CORE_SESSION_PRIVATE_H

#include "session.h"
#include "netconn.h"
#include "pump.h"
#include "protocol/mysql-response.h"
#include "auth-users.h"

typedef enum {
  TSR_SESSION_CONNECT_SERVER = 0, /* connecting to a backend */
  TSR_SESSION_READ_HANDSHAKE,     /* waiting for the backend's greeting */
  TSR_SESSION_READ_AUTH,          /* waiting for the client's HandshakeResponse */
  TSR_SESSION_RELAY,              /* relaying a response (auth or command) */
  TSR_SESSION_READ_QUERY,         /* waiting for the client's next command */
  TSR_SESSION_CLOSING,            /* flushing the last bytes to the client */
  TSR_SESSION_PROXY_AUTH,         /* tessera authenticates the client itself */
  TSR_SESSION_SERVER_LOGIN,       /* tessera logs in to a backend for the client */
  TSR_SESSION_STATE_MAX
} TsrSessionState;

/* What a state handler tells the driver. */
typedef enum {
  TSR_STEP_NEXT,   /* the state changed: run the new state's handler */
  TSR_STEP_WAIT,   /* nothing more to do until I/O happens */
  TSR_STEP_CLOSE,  /* close the session now */
} TsrStep;

/* One connection to a backend. */
typedef struct TsrServerConn {
  TsrConn conn;
  TsrBackend *backend;            /* borrowed from the backend list */
  guint32 capabilities;           /* as announced to the client (stripped) */
  guint32 thread_id;              /* the backend's connection id */
  char *version;                  /* the backend's version string */
  GBytes *scramble;               /* the greeting's auth-plugin data */
  struct TsrServerConn *next;     /* the session's other backend connections */
  /* For the pool of idle logged-in connections (session-pool.c). */
  char *default_db;               /* the server side's default database */
  char *username;                 /* the user it is logged in as (set when pooled) */
  guint32 pool_caps;              /* the capabilities of its login (set when pooled) */
  GList pool_link;                /* in its backend's idle queue while pooled */
  guint8 authed : 1;              /* the login on it succeeded */
  guint8 no_pool : 1;             /* never pool it (COM_CHANGE_USER ran on it) */
} TsrServerConn;

/* Proxy-side authentication (session-login.c, server-login.c). */
typedef struct {
  guint8 scramble[TSR_NATIVE_HASH_LEN];  /* what the client was challenged with */
  TsrBackendCredentials creds;           /* how backends are logged in to */
  guint8 client_charset;
  gboolean switched;                     /* the client was asked for mysql_native_password */
  gboolean authenticated;
  gboolean client_ok_sent;               /* the client has its login OK: later logins are tessera's own */
  char client_host[64];                  /* the client's address without port, for 1045 */
} TsrSessionLogin;

struct TsrSession {
  TsrSessionOwner *owner;
  GList link;                     /* in owner->sessions */
  TsrSessionState state;
  TsrConn client;
  TsrServerConn *server;          /* the backend connection in use */
  TsrServerConn *servers;         /* every backend connection of the session */
  guint connect_order[64];        /* backends to try, best first */
  guint connect_count, connect_next;
  char connect_errors[256];       /* why earlier attempts failed */
  int out_of_resources;           /* errno when tessera itself ran out (descriptors, memory) */
  guint32 capabilities;           /* what client and server agreed on */
  TsrResponseTracker tracker;     /* where the current response ends */
  TsrPump up;                     /* client -> server frames */
  TsrPump down;                   /* server -> client frames */
  guint8 client_seq;              /* sequence id of the last frame sent to the client */
  guint8 command;                 /* the command being relayed */
  guint8 client_command;          /* the client's command, when a script replaced it */
  guint8 client_turn : 1;         /* RELAY: the client sends (LOCAL INFILE, auth step) */
  guint8 command_continues : 1;   /* READ_QUERY: the command spans several frames */
  guint8 busy : 1;                /* a command is running */
  guint8 close_when_idle : 1;     /* draining: close at the end of the command */
  guint8 quit : 1;                /* the client sent COM_QUIT */
  guint8 close_after_command : 1; /* a script asked to close after this command */
  char *username;
  char *default_db;
  GBytes *auth_response;          /* the client's scrambled password */
  char *auth_plugin;              /* the client's auth plugin name */
  gboolean is_auth_result;        /* s->current is the login's response */
  /* Scripting (see session-hooks.h). */
  gpointer hook_state;            /* what hooks->open returned */
  GQueue queries;                 /* of TsrInjection*, waiting to be sent */
  TsrInjection *current;          /* the injection being answered, or NULL */
  GByteArray *response;           /* frames a hook built for the client */
  guint8 response_seq;            /* sequence id of the next frame of `response` */
  gboolean answered;              /* the client has its result for this command */
  gint preferred_backend;         /* connect_server's choice, -1: none */
  guint16 server_status;          /* status of the last response without an error */
  char *pending_db;               /* COM_INIT_DB under way: the database it names */
  gsize client_need;              /* bytes of client.in that read_query's command needs whole */
  TsrSessionLogin *login;         /* proxy-side authentication, NULL in pass-through */
  GArray *fallbacks;              /* of guint pairs (backend, fallback), or NULL */
  guint8 driving : 1;             /* tsr_session_drive is running */
  guint8 drive_again : 1;         /* it was asked to run again meanwhile */
};

/* Returns the sequence id of an ERR sent before the session's login is
 * over: 0 before the client has said anything (pass-through), the next one
 * after the client's last packet when tessera authenticated it. */
static inline guint8 tsr_session_login_error_seq(const TsrSession *s) {
  return s->login ? (guint8)(s->client_seq + 1) : 0;
}

/* session.c */
/* Closes and frees one backend connection (not linked in any list). */
void tsr_server_conn_free(TsrServerConn *sc);
void tsr_session_set_state(TsrSession *s, TsrSessionState state);
void tsr_session_set_busy(TsrSession *s, gboolean busy);
/* Appends an ERR packet with sequence id `seq` to the client's output. */
void tsr_session_send_error(TsrSession *s, guint8 seq, guint16 code, const char *sqlstate, const char *fmt, ...)
  G_GNUC_PRINTF(5, 6);
/* Sends an ERR and moves to CLOSING. Returns TSR_STEP_NEXT. */
TsrStep tsr_session_fail(TsrSession *s, guint8 seq, guint16 code, const char *sqlstate, const char *fmt, ...)
  G_GNUC_PRINTF(5, 6);
void tsr_session_drive(TsrSession *s);

/* Returns TRUE when sc is logged in and may take commands. */
static inline gboolean tsr_server_conn_ready(const TsrServerConn *sc) {
  return sc && sc->authed && !sc->conn.connecting;
}

/* session-connect.c */
void tsr_session_connect_first(TsrSession *s);
/* Opens a new connection to backend `index` for a session tessera
 * authenticated (it logs in with the client's credentials); the session's
 * commands wait for it. The session's current connection must have been
 * released. */
void tsr_session_connect_backend(TsrSession *s, guint index);
/* Returns the fallback of backend `index` (tsr_session_set_fallback), or -1. */
gint tsr_session_fallback(const TsrSession *s, guint index);
void tsr_session_on_server_io(TsrConn *c, TsrIoEvent what, gpointer owner);

/* A backend connection of a session that picks its backends per query
 * (TsrSessionOwner.outlive_server_loss, proxy-side auth) closed: an idle
 * one is forgotten; one answering a query the client has not seen any of
 * fails that query with ERR 9002. Returns TRUE when the session goes on
 * (FALSE: the caller handles the loss as for a one-backend session). */
gboolean tsr_session_outlive_server(TsrSession *s, const char *why);

/* session-login.c */
/* Greets the client with tessera's own handshake (proxy-side auth). */
void tsr_login_send_greeting(TsrSession *s);
TsrStep tsr_state_proxy_auth(TsrSession *s);

/* server-login.c */
/* Answers a backend's greeting with the client's credentials. */
TsrStep tsr_server_login_greeting(TsrSession *s, const GByteArray *greeting, guint8 seq);
TsrStep tsr_state_server_login(TsrSession *s);

/* session-auth.c */
TsrStep tsr_state_read_handshake(TsrSession *s);
TsrStep tsr_state_read_auth(TsrSession *s);

/* session-query.c */
/* Frees every queued query (the session ends). */
void tsr_session_queue_free(TsrSession *s);
/* Returns TRUE when the owner's hooks exist and the script has hook `id`. */
gboolean tsr_session_has_hook(TsrSession *s, TsrHookId id);
/* READ_QUERY with a read_query hook: returns the step, or -1 to let the
 * streaming path handle the command (a packet over 16 MiB). */
int tsr_query_read_with_hook(TsrSession *s);
/* The connection answering s->current closed before the client saw any of
 * the answer (the session outlives it): the query ends as lost (an error
 * for read_query_result; ERR 9002 for the client by default). */
TsrStep tsr_query_lost(TsrSession *s);
/* The response to s->current is complete. */
TsrStep tsr_query_injection_done(TsrSession *s);
/* Sends the next queued injection; returns the step. */
TsrStep tsr_query_send_next(TsrSession *s);
void tsr_injection_free(TsrInjection *inj);
/* Prepares the hook-built response to follow a packet with sequence id
 * seq (its first packet gets seq + 1). */
void tsr_session_response_reset(TsrSession *s, guint8 seq);
/* Moves the hook-built response to the client. */
void tsr_session_send_response(TsrSession *s);
/* on_response_frame: notes a frame of the response to s->current (its
 * first bytes, its rows); `before` is the tracker's state before the frame
 * and `continuation` whether the frame continues a packet. */
void tsr_query_note_frame(TsrSession *s, TsrTrackState before, gboolean continuation, const guint8 *head,
                          gsize head_len);
/* A response that went straight to the client (no injection) is complete:
 * notes what it changed (status, default database) for the scripts. Returns
 * the state the session goes to next (READ_QUERY, or CLOSING when a script
 * asked to close the connection). */
TsrSessionState tsr_query_response_done(TsrSession *s);

/* Runs a phase hook (connect_server, read_handshake, read_auth,
 * read_auth_result) on `packet`, the response following sequence id seq.
 * Returns TRUE to go on; FALSE when the hook answered the client or failed
 * (the session is then CLOSING). */
gboolean tsr_session_run_phase(TsrSession *s, TsrHookId id, const guint8 *packet, gsize len, guint8 seq);

/* session-command.c */
/* After a command went to the backend (or was refused): what comes next. */
TsrStep tsr_command_sent(TsrSession *s);
/* Starts tracking the response to a command with first byte cmd. */
void tsr_command_begin(TsrSession *s, guint8 cmd);
/* Returns TRUE and queues an ERR when tessera does not relay cmd. */
gboolean tsr_command_refused(TsrSession *s, guint8 cmd);
TsrStep tsr_state_read_query(TsrSession *s);
TsrStep tsr_state_relay(TsrSession *s);
/* Called when the backend connection closed or failed during a command. */
TsrStep tsr_session_server_lost(TsrSession *s, const char *why);

#endif
