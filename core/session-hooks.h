/* session-hooks.h: how a plugin (the Lua scripting layer) takes part in a
 * session: a table of optional callbacks, one per phase, as MySQL Proxy
 * named them. core/ knows nothing of Lua: it calls these and acts on the
 * TsrHookAction they return.
 *
 * The callbacks run on the session's worker thread. `data` is the owner's
 * hooks_data (one per worker); `state` is what open() returned for the
 * session. A callback returning TSR_HOOK_ERROR sets *error; the client then
 * gets an ERR packet carrying its message and the command is not forwarded
 * (scripts fail closed). */
#ifndef TESSERA_CORE_SESSION_HOOKS_H
#define TESSERA_CORE_SESSION_HOOKS_H

#include <glib.h>
#include <event2/buffer.h>
#include "protocol/mysql-response.h"

typedef struct TsrSession TsrSession;

typedef enum {
  TSR_HOOK_DEFAULT = 0,   /* go on as if there were no hook */
  TSR_HOOK_SEND_QUERY,    /* send the queries in the session's query queue */
  TSR_HOOK_SEND_RESULT,   /* send the response the hook built (tsr_session_respond) */
  TSR_HOOK_IGNORE_RESULT, /* read_query_result: the client does not get this result */
  TSR_HOOK_ERROR,         /* the hook failed: *error says why */
} TsrHookAction;

typedef enum {
  TSR_HOOK_CONNECT_SERVER = 0,
  TSR_HOOK_READ_HANDSHAKE,
  TSR_HOOK_READ_AUTH,
  TSR_HOOK_READ_AUTH_RESULT,
  TSR_HOOK_READ_QUERY,
  TSR_HOOK_READ_QUERY_RESULT,
  TSR_HOOK_DISCONNECT_CLIENT,
  TSR_HOOK_READ_ROUTE,          /* a session layer's routing decision (the sharding plugin) */
  TSR_HOOK_MAX
} TsrHookId;

/* One query of the query queue and, once answered, its response. */
typedef struct {
  gint id;                     /* the script's id */
  GBytes *packet;              /* the command payload (command byte first) */
  gboolean resultset_is_needed;/* buffer the result for read_query_result */
  gint64 sent_at;              /* monotonic µs when it went to the backend */
  gint64 first_at;             /* ... when the first response byte came */
  gint64 done_at;              /* ... when the response was complete */
  struct evbuffer *result;     /* the response frames if buffered, else NULL */
  TsrResponseTracker tracker;  /* status flags, warnings, error seen, result sets */
  guint64 bytes;               /* response bytes */
  guint64 rows;                /* rows of the result sets seen (text or binary) */
  guint8 head[TSR_RESPONSE_HEAD]; /* the first bytes of the response's first packet */
  guint8 head_len;             /* how many of head are set (0: no response yet) */
  gboolean streamed;           /* the response went to the client as it came */
  gboolean quiet;              /* the client's own command, parked while a backend
                                  connection opens: no read_query_result for it */
  gint backend;                /* the backend (0-based) it goes to, -1: the connection in use */
  gboolean pipelined;          /* may go out right behind the query before it (same backend),
                                  without waiting for that one's answer */
  gboolean sent;               /* it is on the wire (a queue reset keeps it: its answer is read) */
  gboolean pinned;             /* runs only on the connection the session holds to its backend:
                                  when that one is gone it is lost, never sent on a new one */
  gboolean lost;               /* its connection closed before the answer was complete (tracker
                                  says error_seen; result holds what came, if anything) */
} TsrInjection;

/* One step of a routing decision as a script sees and may change it. */
typedef struct {
  char *group;                 /* the backend group's name (g_malloc'd; a script may replace it) */
  gint shard;                  /* the shard, or -1 */
  char *sql;                   /* what runs there (g_malloc'd; a script may replace it) */
} TsrRouteStepView;

/* A routing decision handed to the read_route hook: the statement, what
 * the router decided, and room for the script's changes. */
typedef struct {
  const char *query;           /* the client's statement */
  gsize query_len;
  gint n_params;               /* COM_STMT_EXECUTE: the bound values count, else -1 */
  const char *kind;            /* "shards", "session", "transaction", "last" or "local" */
  gboolean write;
  gboolean merge;              /* the steps' rows are combined: a script may change the steps'
                                  groups and SQL, not how many there are */
  GPtrArray *steps;            /* of TsrRouteStepView*, owned by the view (the script may
                                  replace the array's content when merge is FALSE) */
  char *refuse;                /* set by the script: refuse the statement with this message */
} TsrRouteView;

typedef struct {
  /* Returns the per-session state (may be NULL) or NULL with *error set to
   * refuse the client. */
  gpointer (*open)(gpointer data, TsrSession *s, GError **error);
  /* disconnect_client; frees the state. */
  void (*close)(gpointer data, TsrSession *s, gpointer state);
  /* Returns TRUE when the script has the hook `id` (checked before each
   * phase so that a script without read_query costs nothing per query). */
  gboolean (*has)(gpointer data, TsrSession *s, gpointer state, TsrHookId id);
  /* connect_server, read_handshake, read_auth, read_auth_result: may
   * answer the client (SEND_RESULT) or pick a backend
   * (tsr_session_set_backend_index in connect_server). `packet` is the
   * payload of the phase's packet (NULL for connect_server). */
  TsrHookAction (*phase)(gpointer data, TsrSession *s, gpointer state, TsrHookId id, const guint8 *packet,
                         gsize len, GError **error);
  /* read_query: the client's whole command payload. */
  TsrHookAction (*read_query)(gpointer data, TsrSession *s, gpointer state, const guint8 *packet, gsize len,
                              GError **error);
  /* read_query_result: an injected query's response (also called, with an
   * empty response, for a queued command that gets none, such as
   * COM_STMT_CLOSE). */
  TsrHookAction (*read_query_result)(gpointer data, TsrSession *s, gpointer state, TsrInjection *inj,
                                     GError **error);
  /* read_route (may be NULL): the script sees a routing decision and may
   * change its steps in `view` or set view->refuse. Returns DEFAULT, or
   * ERROR with *error (the statement is then not run). */
  TsrHookAction (*read_route)(gpointer data, TsrSession *s, gpointer state, TsrRouteView *view, GError **error);
} TsrSessionHooks;

#endif
