/* router.h: where a statement runs when its tables are spread over shards,
 * and what each shard is sent.
 *
 * The executor asks for a plan for every statement a client sends:
 *
 *   TsrRouteInput in = { .map = map, .default_db = db, .lex_flags = flags };
 *   // COM_STMT_EXECUTE: in.params / in.n_params are the bound values
 *   g_autoptr(TsrRoutePlan) plan = tsr_route(&in, stmt, &error);
 *   if (!plan) send ERR (tsr_router_error_code() gives code and SQLSTATE);
 *
 * and then, by plan->kind:
 *
 *   TSR_ROUTE_SHARDS       run each step's SQL on a connection to its group
 *                          (the primary when plan->needs_primary or inside a
 *                          transaction, else a replica may do). One step:
 *                          relay its result as it is. Several steps and
 *                          plan->merge: combine the result sets with the
 *                          merger, using tsr_route_plan_merge_spec() once the
 *                          first shard's column count is known. Several steps
 *                          without merge (writes, DDL): one OK to the client
 *                          whose affected rows are the sum (the first ERR
 *                          wins; writes on several groups are not atomic
 *                          outside a transaction).
 *   TSR_ROUTE_SESSION      session state (SET, SET NAMES, USE, UNLOCK
 *                          TABLES): send plan->sql to every backend
 *                          connection the session holds, and replay it on
 *                          every connection the session opens later; USE
 *                          also sets plan->use_db as the session's database.
 *                          Answer the client with the first one's response
 *                          (an OK when the session holds none yet).
 *   TSR_ROUTE_TRANSACTION  BEGIN, START TRANSACTION, COMMIT, ROLLBACK,
 *                          SAVEPOINT, ROLLBACK TO, RELEASE: plan->sql goes to
 *                          every group the transaction has touched (BEGIN:
 *                          start one lazily on each group as statements
 *                          reach it). A COMMIT over several groups is not
 *                          atomic (each group commits on its own).
 *   TSR_ROUTE_LAST         about the previous statement (SHOW WARNINGS,
 *                          SHOW ERRORS, SELECT LAST_INSERT_ID(),
 *                          ROW_COUNT(), FOUND_ROWS()): send plan->sql to the
 *                          connection the previous statement ran on (its
 *                          first step's, when it had several).
 *   TSR_ROUTE_LOCAL        tessera answers itself: KILL (plan->sql is the
 *                          statement; the id is a proxy connection id).
 *
 * A statement may name where it runs with a routing hint, a comment in
 * the query:  tessera: shard=3   or   tessera: group=g1
 * (see docs/sharding.md; give the whole query in in.query so that a
 * comment before the statement counts). What cannot be answered correctly is refused:
 * the GError says why and what to do instead. */
#ifndef TESSERA_SHARDING_ROUTER_H
#define TESSERA_SHARDING_ROUTER_H

#include <glib.h>
#include "protocol/mysql-resultset.h"
#include "sql/sql-ast.h"
#include "merge-spec.h"
#include "shard-map.h"

#define TSR_ROUTER_ERROR (tsr_router_error_quark())

typedef enum {
  TSR_ROUTER_ERROR_UNSUPPORTED, /* cannot be run correctly over the shards (what to do instead follows) */
  TSR_ROUTER_ERROR_VALUE,       /* a shard key value cannot be placed (NULL, 1.5 in an integer key, ...) */
  TSR_ROUTER_ERROR_HINT,        /* a routing hint that is malformed or names what does not exist */
  TSR_ROUTER_ERROR_SYNTAX,      /* tsr_route_query(): the text does not parse */
} TsrRouterErrorCode;

/* Returns the GQuark of the TSR_ROUTER_ERROR domain. */
GQuark tsr_router_error_quark(void);

/* Gives the MySQL error code and SQLSTATE (static string) for a router
 * error: 1235 / 42000 (ER_NOT_SUPPORTED_YET) for UNSUPPORTED and HINT,
 * 1292 / 22007 (ER_TRUNCATED_WRONG_VALUE) for VALUE, 1064 / 42000 for
 * SYNTAX. */
void tsr_router_error_code(const GError *error, guint16 *code, const char **sqlstate);

typedef enum {
  TSR_ROUTE_SHARDS,
  TSR_ROUTE_SESSION,
  TSR_ROUTE_TRANSACTION,
  TSR_ROUTE_LAST,
  TSR_ROUTE_LOCAL,
} TsrRouteKind;

/* Returns "shards", "session", "transaction", "last" or "local". */
const char *tsr_route_kind_name(TsrRouteKind kind);

/* Gives the columns of schema.table in table order, for an INSERT without
 * a column list into a sharded table whose map entry has no `columns`.
 * Returns a new NULL-terminated array (g_strfreev), or NULL when unknown. */
typedef char **(*TsrRouteColumnsFunc)(const char *schema, const char *table, gpointer user_data);

typedef struct {
  TsrShardMap *map;             /* the generation to route by (the plan takes a reference) */
  const char *default_db;       /* the session's current database, or NULL */
  guint lex_flags;              /* TsrSqlLexFlags of the session's sql_mode */
  const TsrValue *params;       /* COM_STMT_EXECUTE: the bound values; NULL otherwise */
  guint n_params;
  gint prefer_group;            /* reads any group can answer (broadcast tables, no table):
                                 * this group when >= 0, else the default group */
  TsrRouteColumnsFunc columns;  /* or NULL */
  gpointer columns_data;
  gboolean describe;            /* COM_STMT_PREPARE: the plan only shows what the statement's
                                 * answer looks like; parameters are unknown, and a shard key
                                 * that is a parameter places its row on the hinted shard */
  const char *query;            /* the client's whole query, where routing hints are looked for
                                 * (a comment before the statement is not part of its text);
                                 * NULL: the statement's own text */
  gsize query_len;
} TsrRouteInput;

typedef struct {
  guint group;                  /* index of the group in the map */
  gint shard;                   /* the shard of the statement's sharded tables, or -1 */
  char *sql;                    /* what to send there (parameters written in as literals
                                 * when the input had them); may hold NUL bytes: use sql_len */
  gsize sql_len;
  guint64 first_row;            /* INSERT: the statement position of its first row (for
                                 * LAST_INSERT_ID, see merge-write.h); else the step's index */
  char *sql_params;             /* COM_STMT_EXECUTE: the step's SQL with the parameters left as
                                 * ?, when it holds each of them once in the client's order, so
                                 * that the step can run as a prepared statement with the
                                 * client's values; NULL otherwise */
  gsize sql_params_len;
} TsrRouteStep;

typedef struct TsrRoutePlanPrivate TsrRoutePlanPrivate;

/* A routing decision. Fields are read-only for the executor. */
typedef struct {
  TsrRouteKind kind;
  gboolean write;               /* changes data or schema */
  gboolean needs_primary;       /* a write, DDL or a locking read: not on a replica */
  gboolean merge;               /* SHARDS with several steps whose rows the merger combines */
  TsrRouteStep *steps;          /* SHARDS: n_steps >= 1 */
  guint n_steps;
  char *sql;                    /* SESSION, TRANSACTION, LAST, LOCAL: the statement to send or answer */
  gsize sql_len;
  char *use_db;                 /* USE: the session's new database; else NULL */
  TsrRoutePlanPrivate *priv;
} TsrRoutePlan;

/* Routes one parsed statement (only its kind and text are read: the router
 * parses the text again with in->lex_flags, so `stmt` is not changed and
 * may be routed again with other parameters). Returns a new plan (free
 * with tsr_route_plan_free()), or NULL with *error (TSR_ROUTER_ERROR). */
TsrRoutePlan *tsr_route(const TsrRouteInput *in, const TsrSqlStmt *stmt, GError **error);

/* The same for query[0..len), which must hold exactly one statement
 * (in->query is ignored: the hints are looked for in `query`). */
TsrRoutePlan *tsr_route_query(const TsrRouteInput *in, const char *query, gsize len, GError **error);

/* Frees a plan. NULL is allowed. */
void tsr_route_plan_free(TsrRoutePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrRoutePlan, tsr_route_plan_free)

/* Returns how the merger combines the rows of a plan with `merge`, for
 * shards whose result sets have shard_columns columns (the router cannot
 * know how many a * gives). The spec belongs to the plan and lives as long
 * as it; calling again with the same count returns the same spec. NULL
 * with *error when shard_columns cannot be right (fewer than the hidden
 * columns the router added, or not the number it knows). */
const TsrMergeSpec *tsr_route_plan_merge_spec(TsrRoutePlan *plan, guint shard_columns, GError **error);

/* Returns the plan as one line of JSON (for tests, logs and EXPLAIN-like
 * tools): kind, write, needs_primary, merge, steps (group name, shard,
 * sql), and the merge spec for the columns the router knows (g_free). */
char *tsr_route_plan_to_json(const TsrRoutePlan *plan);

#endif
