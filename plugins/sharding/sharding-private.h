/* sharding-private.h: the sharding plugin's executor, shared by the
 * sharding-*.c files only.
 *
 * The plugin is a session layer (core/session-layer.h): every client
 * command reaches it first. A command the router sends to shards becomes a
 * queue of queries, each bound to the backend of its group (core opens the
 * session's connection to a backend when a query first needs it, logged in
 * as the client); their answers come back one by one to
 * tsr_sharding_result(), which relays, merges or sums them into the one
 * answer the client gets. */
#ifndef TESSERA_SHARDING_PRIVATE_H
#define TESSERA_SHARDING_PRIVATE_H

#include <glib.h>
#include "core/session.h"
#include "core/session-layer.h"
#include "merge.h"
#include "merge-write.h"
#include "router.h"
#include "shard-map.h"

/* Ids of the queries the executor queues (the script's own are smaller). */
#define SHARDING_ID_BASE 0x40000000
#define SHARDING_ID(kind, n) (SHARDING_ID_BASE | ((kind) << 20) | (gint)(n))
#define SHARDING_ID_KIND(id) (((id) >> 20) & 0x3FF)
#define SHARDING_ID_INDEX(id) ((id) & 0xFFFFF)

typedef enum {
  SHARDING_Q_STEP = 1,   /* a step of the plan: its answer is the client's */
  SHARDING_Q_PROLOGUE,   /* replayed session state or a transaction start: only an error counts */
  SHARDING_Q_SESSION,    /* SET/USE on one connection: the first answer is the client's */
  SHARDING_Q_END,        /* COMMIT/ROLLBACK/SAVEPOINT on one group: summed into one OK */
  SHARDING_Q_PREPARE,    /* COM_STMT_PREPARE for the client: its answer describes the statement */
  SHARDING_Q_STEP_PREPARE, /* COM_STMT_PREPARE of a step, executed next (as statement -1) */
  SHARDING_Q_XA,         /* XA END/PREPARE/COMMIT/ROLLBACK on one group (index: the group) */
} ShardingQueryKind;

#define SHARDING_MAX_REPLAY 64u  /* session statements replayed on new connections */

/* Live counters of one group (read by the admin tables). */
typedef struct {
  gssize queries;                  /* statements (steps) sent to the group, atomic */
  gssize errors;                   /* of those, answered with an error, atomic */
} ShardingGroupCounters;

/* The plugin: the map and the backends of its groups. */
typedef struct ShardingPlugin {
  char *config_path;               /* --sharding-config */
  TsrShardMap *map;                /* the current generation (under lock) */
  GMutex lock;
  guint *group_backend;            /* backend index of each group's primary, for `map` */
  ShardingGroupCounters *counters; /* one per group of `map` */
  guint n_groups;                  /* of the map (reloads keep the groups) */
  guint *replica_start;            /* group g's replicas: replica_backend[replica_start[g] ..
                                      replica_start[g + 1]) (groups never change after start) */
  GArray *replica_backend;         /* of guint: backend indexes */
  TsrBackendList *backends;        /* the proxy's (borrowed), for the admin tables */
  char *xa_log_path;               /* --sharding-xa-log */
  struct TsrXaLog *xa_log;         /* decisions of transactions over several groups */
  guint32 proxy_id;                /* in the xids of this tessera */
  gssize xa_counter;               /* the next xid's number, atomic */
  struct event *xa_resolver;       /* commits what groups did not confirm */
  GPtrArray *xa_seen;              /* decided xids the resolver saw once */
  GHashTable *xa_inflight;         /* decided xids sessions are committing (under lock) */
  gint64 config_stamp;             /* the map file's mtime and size when last read */
  struct event *reloader;          /* checks the map file for changes */
  TsrSessionLayer layer;
} ShardingPlugin;

/* One worker's layer data. */
struct ShardingWorker {
  ShardingPlugin *plugin;
  const TsrSessionHooks *inner;    /* the script's hooks, or NULL */
  gpointer inner_data;
};

/* A statement the client prepared. */
typedef struct {
  guint32 id;
  char *sql;
  gsize len;
  guint n_params;
  TsrValueType *types;             /* the parameter types of the last execute that sent them */
  gboolean has_types;
  GByteArray **long_data;          /* per parameter: COM_STMT_SEND_LONG_DATA bytes, or NULL */
} ShardingStmt;

/* A statement a step prepared on a backend, closed before the next command. */
typedef struct {
  guint backend;
  guint32 thread;                  /* the connection it lives on */
  guint32 stmt_id;
} ShardingClose;

/* The statement being answered. */
typedef struct {
  TsrRoutePlan *plan;
  TsrShardMap *map;                /* the generation it was routed by (a reference) */
  const guint *group_backend;      /* backend index of each group of map */
  ShardingGroupCounters *counters; /* the plugin's, one per group of map */
  guint n_groups;
  gboolean binary;                 /* rows come from COM_STMT_EXECUTE */
  guint pending;                   /* step answers still to come */
  GByteArray *error;               /* the first ERR payload seen, or NULL */
  /* merging */
  TsrMerger *merger;
  GPtrArray *columns;              /* of GBytes: the first shard's column packets */
  GByteArray *rows;                /* emitted rows, as frames numbered from 0 */
  guint8 rows_seq;
  guint16 warnings;
  /* writes */
  TsrWriteSummary summary;
  gboolean summing;
  gboolean copies;                 /* the steps change copies of the same rows (broadcast) */
  ShardingStmt *preparing;         /* COM_STMT_PREPARE under way (owned until answered) */
  const TsrValue *params;          /* COM_STMT_EXECUTE: the client's values (while routing) */
  guint n_params;
  char *xa_xid;                    /* the XA transaction being ended */
  guint64 xa_groups;               /* its groups */
  gint xa_phase;                   /* sharding-xa.c */
  gboolean xa_failed;              /* a branch answered with an error */
  struct ShardingPlugin *xa_plugin; /* set while the decision is being carried out (in flight) */
} ShardingCommand;

typedef struct ShardingWorker ShardingWorker;

/* One client's sharding state. */
typedef struct {
  ShardingWorker *worker;
  char *xid;                       /* the XA transaction under way, or NULL */
  gpointer inner_state;            /* what the script's open returned */
  GPtrArray *replay;               /* of char*: SET statements new connections get */
  guint32 *replayed;               /* per backend: thread id of the connection that has them */
  guint n_backends;
  gboolean in_trans;               /* BEGIN was seen (or autocommit is off), COMMIT/ROLLBACK not yet */
  gboolean autocommit_off;         /* SET autocommit = 0 is in effect */
  char *begin_sql;                 /* how the transaction started on each group */
  guint64 trans_groups;            /* groups the transaction reached (bit per group) */
  guint32 *trans_thread;           /* per group: the connection it started on */
  gint last_group;                 /* where the previous statement ran, -1: none */
  gint last_backend;               /* ... and on which backend of it */
  guint64 wrote_groups;            /* groups the session wrote to: their reads stay on the primary */
  guint64 last_insert_id;          /* LAST_INSERT_ID() as one server would give it */
  gint64 row_count;                /* ROW_COUNT() of the previous statement */
  GHashTable *stmts;               /* client statement id -> ShardingStmt* */
  guint32 next_stmt_id;
  GArray *to_close;                /* of ShardingClose: backend statements to close */
  GHashTable *prepared;            /* "backend:thread:sql" -> ShardingClose: kept backend statements */
  ShardingCommand cmd;
} ShardingSession;

/* sharding-replica.c */
/* Adds the replicas of `group` to the backend list and to p's replica
 * table. FALSE with *error when an address cannot be used. */
gboolean tsr_sharding_add_replicas(ShardingPlugin *p, TsrBackendList *backends, guint group, GError **error);
/* Tells core that a read meant for a replica that cannot be reached runs
 * on its group's primary. */
void tsr_sharding_set_fallbacks(TsrSession *s, const ShardingPlugin *p);
/* Returns the backend a step of ss->cmd.plan on `group` runs on: a
 * replica for reads that may use one, else the group's primary. */
guint tsr_sharding_step_backend(TsrSession *s, ShardingSession *ss, guint group);

/* sharding-session.c */
/* Returns the hooks of the sharding layer (static). */
const TsrSessionHooks *tsr_sharding_session_hooks(void);

/* sharding-plugin.c */
/* Returns in *index the backend at `address` in `backends`, adding it
 * (with `type`) when the list has none. FALSE with *error when the address
 * cannot be used. */
gboolean tsr_sharding_backend_for(TsrBackendList *backends, const char *address, TsrBackendType type, guint *index,
                                  GError **error);
/* Returns a new reference to the current map and the backend index of
 * each of its groups (*group_backend stays valid while the map lives). */
TsrShardMap *tsr_sharding_map(ShardingPlugin *p, const guint **group_backend, ShardingGroupCounters **counters);

/* sharding-exec.c */
/* Answers the client's command packet[0..len) through the router. Returns
 * SEND_QUERY (queries queued) or SEND_RESULT (answered at once). */
TsrHookAction tsr_sharding_command(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                   gsize len);
/* Takes the answer to one of the executor's queries. */
TsrHookAction tsr_sharding_result(ShardingWorker *w, TsrSession *s, ShardingSession *ss, TsrInjection *inj);
/* Prepared statements and the commands the router does not see
 * (sharding-stmt.c): returns the hook's action. */
TsrHookAction tsr_sharding_stmt_command(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const guint8 *packet,
                                        gsize len);
/* Routes sql[0..len) (with the bound parameters of an execute, or as a
 * description for a prepare) into ss->cmd.plan. Returns FALSE with the
 * client's error queued. */
gboolean tsr_sharding_route(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const char *sql, gsize len,
                            const TsrValue *params, guint n_params, gboolean describe);
/* Runs ss->cmd.plan: returns SEND_QUERY or SEND_RESULT. */
TsrHookAction tsr_sharding_run_plan(TsrSession *s, ShardingSession *ss);
/* Queues command byte + text on the connection to `backend` under id. */
void tsr_sharding_queue_text(TsrSession *s, guint backend, gint id, guint8 command, const char *text, gsize len,
                             gboolean buffered);
/* Queues what the connection to `backend` needs before a query for
 * `group`: the session's SET statements when it is new and, with join, the
 * transaction's start when the transaction has not reached the group yet.
 * Returns FALSE (the client's error queued) when the group's connection
 * was lost inside the transaction. */
gboolean tsr_sharding_prologue(TsrSession *s, ShardingSession *ss, guint group, guint backend, gboolean join);
/* Frees what the command under way holds. */
void tsr_sharding_command_clear(ShardingCommand *cmd);

/* sharding-route-hook.c */
/* Hands ss->cmd.plan to the script's read_route hook, when it has one, and
 * applies its changes. Returns FALSE (the client's error queued) when the
 * script refused the statement, failed, or asked for what cannot run. */
gboolean tsr_sharding_read_route(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const char *query, gsize len,
                                 gint n_params);

/* sharding-stmt.c */
/* Queues step `step`'s SQL as COM_STMT_PREPARE and COM_STMT_EXECUTE of
 * statement -1 (the one just prepared), so that its rows come binary. */
void tsr_sharding_queue_execute(TsrSession *s, guint backend, guint step, const char *sql, gsize len,
                                gboolean buffered);
/* Queues step `index` of an execute whose step keeps the client's
 * parameters (sql_params): COM_STMT_EXECUTE of the backend statement the
 * session keeps for that SQL on that connection, with the client's values;
 * else COM_STMT_PREPARE of it and, in the same round trip, its execute as
 * statement -1 (then kept). `buffered`: the answer goes to the merger. */
void tsr_sharding_queue_cached_execute(TsrSession *s, ShardingSession *ss, guint backend, guint index,
                                       gboolean buffered);
/* Takes the answer of a client's COM_STMT_PREPARE. */
TsrHookAction tsr_sharding_prepare_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj);
/* Notes the backend statement a step prepared, to close it later. */
void tsr_sharding_note_step_statement(TsrSession *s, ShardingSession *ss, TsrInjection *inj);
/* Queues the closing of the backend statements steps prepared (first in
 * the queue, on connections still open). */
void tsr_sharding_close_statements(TsrSession *s, ShardingSession *ss);
/* Frees a client statement. */
void tsr_sharding_stmt_free(gpointer stmt);

/* Keeps the first error of the command (the ERR of inj's buffered answer). */
void tsr_sharding_keep_error(ShardingCommand *cmd, TsrInjection *inj);
/* Ends the command: the client gets the first error, or the merged or
 * summed answer, or an OK. Returns SEND_RESULT. */
TsrHookAction tsr_sharding_finish(TsrSession *s, ShardingSession *ss);

/* sharding-xa.c */
/* BEGIN / START TRANSACTION: makes the transaction an XA one when the
 * decision log is open and the map has several groups (ss->xid and
 * ss->begin_sql set). Returns TRUE when it did. */
gboolean tsr_sharding_xa_begin(ShardingSession *ss, const char *begin_sql);
/* COMMIT (commit TRUE) or ROLLBACK of the XA transaction ss->xid over
 * ss->trans_groups: queues its first phase. Returns the queries queued (0:
 * it reached no group). */
guint tsr_sharding_xa_end(TsrSession *s, ShardingSession *ss, gboolean commit);
/* Ends what the command's XA decision holds (its in-flight mark). */
void tsr_sharding_xa_clear(ShardingCommand *cmd);
/* Takes one answer of the XA phases. */
TsrHookAction tsr_sharding_xa_result(TsrSession *s, ShardingSession *ss, TsrInjection *inj);

/* sharding-reload.c */
/* Loads the map file again and makes it the current map when it loads and
 * keeps the groups. Returns TRUE when it did (else logs why not). Main
 * thread. */
gboolean tsr_sharding_reload(ShardingPlugin *p);
/* Starts checking the map file for changes on `base` (the main thread's). */
void tsr_sharding_reload_start(ShardingPlugin *p, struct event_base *base);
void tsr_sharding_reload_stop(ShardingPlugin *p);

/* sharding-recover.c */
/* Opens the decision log (--sharding-xa-log, default: the map's path +
 * ".xa-log"). FALSE with *error when it cannot be opened. */
gboolean tsr_sharding_xa_open(ShardingPlugin *p, GError **error);
/* Settles the prepared XA branches of this tessera on every group. */
void tsr_sharding_xa_recover(ShardingPlugin *p);
/* Starts the resolver on `base` (the main thread's). */
void tsr_sharding_xa_resolver_start(ShardingPlugin *p, struct event_base *base);
/* Stops the resolver and closes the log. */
void tsr_sharding_xa_close(ShardingPlugin *p);

/* sharding-answer.c */
/* Takes the buffered answer of step inj into the command: an OK into the
 * write summary, rows into the merger, an ERR kept as the command's error.
 * Returns TRUE when the command ends now (an error, or the merger has
 * every row it needs). */
gboolean tsr_sharding_step_answer(TsrSession *s, ShardingCommand *cmd, TsrInjection *inj);
/* Keeps an ERR payload (code, SQLSTATE, message) as the command's error
 * unless it has one. */
void tsr_sharding_set_error(ShardingCommand *cmd, guint16 code, const char *sqlstate, const char *message);

/* sharding-last.c */
/* Notes the OK of a statement: ROW_COUNT() and LAST_INSERT_ID() after it. */
void tsr_sharding_note_ok(ShardingSession *ss, guint64 affected_rows, guint64 last_insert_id);
/* The same from the first bytes of a step's answer relayed to the client. */
void tsr_sharding_note_answer(ShardingSession *ss, const TsrInjection *inj);
/* SELECT LAST_INSERT_ID() / SELECT ROW_COUNT(): answers from what tessera
 * noted. Returns FALSE for the other statements about the previous one. */
gboolean tsr_sharding_answer_last(TsrSession *s, ShardingSession *ss);

/* sharding-reply.c */
/* Queues an ERR packet as the client's answer. */
void tsr_sharding_reply_error(TsrSession *s, guint16 code, const char *sqlstate, const char *fmt, ...)
  G_GNUC_PRINTF(4, 5);
/* Queues an OK packet with the session's status (IN_TRANS as given). */
void tsr_sharding_reply_ok(TsrSession *s, guint64 affected, guint64 insert_id, guint16 warnings, gboolean in_trans,
                           const char *info);
/* Queues the raw ERR payload of a backend. */
void tsr_sharding_reply_raw(TsrSession *s, const GByteArray *payload);
/* Queues a result set: the n column definitions, cmd's rows (framed by
 * tsr_sharding_emit_row) and the end with cmd's warnings. */
void tsr_sharding_reply_columns(TsrSession *s, const TsrColumnDef *const *defs, guint n, const ShardingCommand *cmd,
                                gboolean in_trans);
/* Queues the merged result set of cmd: columns, rows, end. */
void tsr_sharding_reply_resultset(TsrSession *s, ShardingCommand *cmd, gboolean in_trans);
/* The merger's emit function: appends one row to cmd->rows. */
void tsr_sharding_emit_row(const guint8 *payload, gsize len, gpointer cmd);

#endif
