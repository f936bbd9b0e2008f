/* router-private.h: what the files of the router share while they route
 * one statement: the statement's query blocks and table instances, the
 * classes of columns known equal, the placement on shards, and printing.
 *
 *   router.c          entry points, plans, printing per step, errors
 *   router-scope.c    query blocks, table instances, column resolution,
 *                     equal-column classes (union-find)
 *   router-cond.c     the shards a block's conditions leave
 *   router-value.c    constant values: literals, folding, bound parameters
 *   router-place.c    components of co-located tables, their shards, the
 *                     checks that make per-shard execution correct, steps
 *   router-dml.c      SELECT, UPDATE, DELETE
 *   router-insert.c   INSERT and REPLACE
 *   router-admin.c    every other statement
 *   router-hint.c     routing hints in comments
 *   router-json.c     plans as JSON
 *   rewrite-select.c  scatter SELECT rewrite and its merge spec
 *   rewrite-spec.c    the merge spec bound to the shards' column count
 *   rewrite-filter.c  HAVING evaluated by the merger */
#ifndef TESSERA_SHARDING_ROUTER_PRIVATE_H
#define TESSERA_SHARDING_ROUTER_PRIVATE_H

#include <glib.h>
#include "sql/sql-parser.h"
#include "router.h"
#include "shard-map-key.h"
#include "shard-map-set.h"

typedef struct RtBlock RtBlock;
typedef struct RtInst RtInst;
typedef struct RtComp RtComp;

/* How a query block hangs off its parent. */
typedef enum {
  RT_LINK_ROOT,     /* the statement's query (each part of a top-level UNION), or an
                     * UPDATE/DELETE/INSERT statement itself (select NULL) */
  RT_LINK_DERIVED,  /* a derived table in the parent's FROM */
  RT_LINK_IN,       /* expr [NOT] IN (SELECT ...) in the parent */
  RT_LINK_EXPR,     /* EXISTS, a scalar subquery, = ANY/ALL (SELECT ...) */
  RT_LINK_INSERT,   /* the SELECT of INSERT ... SELECT (parent: the INSERT) */
} RtLink;

struct RtBlock {
  guint id;
  TsrSqlSelect *select;   /* a SIMPLE query, or NULL for a DML statement's own block */
  RtBlock *parent;
  RtLink link;
  TsrSqlExpr *in_arg;     /* IN: the compared expression, resolved in the parent */
  RtInst *derived_of;     /* DERIVED: the instance this block's rows make */
  GPtrArray *insts;       /* RtInst * of its FROM (and DML tables) */
  GPtrArray *filters;     /* TsrSqlExpr *: conjuncts every row of the block satisfies */
  GPtrArray *equalities;  /* TsrSqlExpr *: conjuncts that may equate columns (filters and ON) */
  GArray *local_edges;    /* gint pairs: nodes its own conditions and joins make equal */
  GArray *local;          /* union-find over local_edges only (built on first use) */
  gboolean union_distinct;/* a part of a UNION that removes duplicates */
  gboolean outer_joins;   /* its FROM has an outer join */
};

typedef enum {
  RT_INST_TABLE,
  RT_INST_DERIVED,
} RtInstKind;

struct RtInst {
  guint id;
  RtInstKind kind;
  TsrSqlTableRef *ref;
  RtBlock *block;               /* whose FROM holds it */
  gboolean null_side;           /* on the NULL-supplying side of an outer join */
  char *schema;                 /* TABLE: as written, or the default database (may be NULL) */
  const TsrShardTable *table;   /* TABLE: NULL when the map does not list it */
  const char *orig_name;        /* TABLE: the name as written */
  GPtrArray *parts;             /* DERIVED: the RtBlock * of its query (UNION parts) */
  GPtrArray *columns;           /* DERIVED: the names its rows have (char *, lower case) */
  GPtrArray *key_columns;       /* DERIVED: those that are the shard key of the rows they come from */
  gint key_node;                /* TABLE, sharded: the node of its key column; else -1 */
  RtComp *comp;                 /* TABLE, sharded: its component */
};

/* Sharded tables linked by their keys (joined on them, correlated on them,
 * compared by IN, or one the derived table of the other): they must be
 * sharded alike and read shards of the same index. */
struct RtComp {
  gint root;                    /* union-find root */
  const TsrShardLayout *layout;
  GPtrArray *insts;             /* RtInst * */
  RtBlock *top;                 /* the outermost block that reads it */
  TsrShardSet *shards;          /* the shards that may hold rows the statement uses */
  gint pinned;                  /* the one shard it reads, or -1 when several (the driving one) */
};

/* A place in the tree that names a sharded table and must be written with
 * the shard's table name: a table reference, or a column qualifier. */
typedef struct {
  const char **field;
  RtInst *inst;
} RtSlot;

typedef struct {
  gboolean has_shard;
  guint shard;
  const TsrShardGroup *group;
} RtHint;

typedef struct {
  const TsrRouteInput *in;
  TsrShardMap *map;
  TsrSqlScript *script;         /* the router's own parse of the statement */
  TsrSqlStmt *stmt;
  GPtrArray *blocks;            /* RtBlock * (owned) */
  GPtrArray *insts;             /* RtInst * (owned) */
  GArray *uf;                   /* union-find parent of each node (gint) */
  GHashTable *nodes;            /* "inst-id:column" -> node + 1 */
  GArray *slots;                /* RtSlot */
  GPtrArray *comps;             /* RtComp * (owned) */
  GPtrArray *strings;           /* memory for folded values (g_free) */
  RtHint hint;
  TsrRoutePlan *plan;
  GError **error;
} RtCtx;

/* ---- router.c ---- */

/* Sets *c->error (TSR_ROUTER_ERROR, `code`) to "tessera: " + the message;
 * returns FALSE. */
gboolean rt_fail(RtCtx *c, TsrRouterErrorCode code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
#define rt_refuse(c, ...) rt_fail((c), TSR_ROUTER_ERROR_UNSUPPORTED, __VA_ARGS__)

/* Returns "schema.name" of a table instance (g_free). */
char *rt_inst_name(const RtInst *inst);

/* Sets the plan's kind and its sql to the statement as it stands. */
void rt_set_sql(RtCtx *c, TsrRouteKind kind);

/* Appends a step on `group` for `shard` (-1: none) with the statement as it
 * stands printed (parameters written in when the input has them). */
void rt_add_step(RtCtx *c, guint group, gint shard);

/* Gives every sharded instance its shard (its component's pinned shard, or
 * `shard` for the driving one) and writes the shard table names into the
 * tree; rt_restore_names() puts the written names back. */
void rt_apply_shard(RtCtx *c, gint shard);
void rt_restore_names(RtCtx *c);

/* ---- router-scope.c ---- */

/* Builds the blocks of a query (each part of a UNION is a block) hanging
 * off `parent` with `link`; `derived_of` and `in_arg` as in RtBlock.
 * Returns the parts (an array owned by the caller). */
GPtrArray *rt_scope_query(RtCtx *c, TsrSqlSelect *s, RtBlock *parent, RtLink link, RtInst *derived_of,
                          TsrSqlExpr *in_arg);

/* Builds the block of an UPDATE or DELETE: its tables, WHERE and
 * subqueries. */
RtBlock *rt_scope_dml(RtCtx *c, const TsrSqlList *tables, TsrSqlExpr *where, const TsrSqlList *set,
                      const TsrSqlList *order_by);

/* Returns a new block with no query (an INSERT's own), and adds a table
 * instance for `ref` to a block. */
RtBlock *rt_block_new(RtCtx *c, TsrSqlSelect *s, RtBlock *parent, RtLink link);
RtInst *rt_add_table(RtCtx *c, RtBlock *b, TsrSqlTableRef *ref, gboolean null_side);

/* Walks expressions of block b: builds the blocks of their subqueries and
 * resolves their columns (qualifiers that name sharded tables become
 * slots). */
void rt_scope_expr(RtCtx *c, RtBlock *b, TsrSqlExpr *e);

/* Resolves a column reference in block b: the instance it belongs to, or
 * NULL when unsure. Unqualified names resolve only to the one instance of b
 * whose shard key (or derived column) has that name. */
RtInst *rt_resolve(RtCtx *c, RtBlock *b, const TsrSqlExpr *col);

/* Returns the union-find node of column `column` of `inst`. */
gint rt_node(RtCtx *c, const RtInst *inst, const char *column);
/* Returns the class (union-find root) of a node / unites two classes. */
gint rt_find(RtCtx *c, gint node);
void rt_unite(RtCtx *c, gint a, gint b);
/* Returns the node of a column reference resolved in b, or -1. */
gint rt_column_node(RtCtx *c, RtBlock *b, const TsrSqlExpr *col);

/* Adds the equalities of block b's conjuncts (a = b between columns) to the
 * classes. */
void rt_scope_equalities(RtCtx *c, RtBlock *b);

/* Returns the class of a node among the equalities of block b alone. */
gint rt_local_find(RtCtx *c, RtBlock *b, gint node);

/* TRUE when inst is sharded / carries rows of a sharded table of comp
 * (it is one, or a derived table over one). */
gboolean rt_inst_sharded(const RtInst *inst);
gboolean rt_inst_carries(const RtInst *inst, const RtComp *comp);

/* Returns the local class (rt_local_find) in which instance inst of block
 * b shows the shard key of its rows, or -1 when it shows none. Derived
 * tables may show it in several columns; the first is returned, and
 * rt_inst_has_key_class() tells whether one of them is in class cls. */
gint rt_inst_key_class(RtCtx *c, RtBlock *b, const RtInst *inst);
gboolean rt_inst_has_key_class(RtCtx *c, RtBlock *b, const RtInst *inst, gint cls);

/* TRUE when `node` is, among block b's own equalities, the shard key of the
 * rows of one of b's instances. */
gboolean rt_is_key_handle(RtCtx *c, RtBlock *b, gint node);

/* TRUE when block b (a SIMPLE query) has an aggregate in its select list,
 * HAVING or ORDER BY, or a GROUP BY. */
gboolean rt_block_aggregates(const RtBlock *b);

/* ---- router-value.c ---- */

/* Folds a constant expression (literals, bound parameters, - + * DIV MOD
 * of integers) into *v. FALSE when it is not constant or not known (a
 * parameter without a bound value). Strings point into the tree, the
 * parameters, or c->strings. */
gboolean rt_fold(RtCtx *c, const TsrSqlExpr *e, TsrShardValue *v);

/* Writes bound parameter `index` as a SQL literal (a TsrSqlParamPrinter;
 * data is the RtCtx). */
gboolean rt_print_param(GString *out, guint index, gpointer data);

/* ---- router-cond.c ---- */

/* Returns the shards of component `comp` that rows satisfying every filter
 * of block b may lie in (all of them when the filters say nothing about
 * its key). New set. */
TsrShardSet *rt_block_shards(RtCtx *c, RtBlock *b, const RtComp *comp);

/* TRUE when column e, resolved in block b, holds there the shard key of
 * the rows of one of the component's tables. */
gboolean rt_is_comp_key(RtCtx *c, RtBlock *b, const RtComp *comp, const TsrSqlExpr *e);

/* TRUE when block b has a filter conjunct equating a column of comp's
 * class resolved in b with one resolved in an enclosing block. */
gboolean rt_block_correlated(RtCtx *c, RtBlock *b, const RtComp *comp);

/* ---- router-place.c ---- */

/* How a statement's tables are placed. */
typedef struct {
  RtComp *driving;             /* the component read on several shards, or NULL */
  gint group;                  /* the one group everything must run on, or -1 when the driving
                                * component decides, -2 when any group will do */
  gboolean broadcast_only;     /* every table is broadcast (or none is named) */
} RtPlace;

/* Builds the components of co-located sharded tables of the statement's
 * blocks (all built by then), their shards, and checks that running the
 * statement shard by shard gives the answer one server would: fills
 * *place, or FALSE with a refusal. */
gboolean rt_place(RtCtx *c, RtPlace *place);

/* TRUE when one of block b's instances carries rows of comp. */
gboolean rt_block_reads(const RtBlock *b, const RtComp *comp);

/* TRUE when a GROUP BY item of block b is the component's key (each
 * group's rows are then on one shard). */
gboolean rt_block_grouped_by_key(RtCtx *c, RtBlock *b, const RtComp *comp);

/* Adds the steps for a placement: one per shard of the driving component,
 * or one on the single group (`any_group` for reads any group can answer,
 * or every group for broadcast writes when `all_groups`). */
void rt_place_steps(RtCtx *c, const RtPlace *place, gboolean all_groups);

/* ---- router-dml.c, router-insert.c, router-admin.c ---- */

gboolean rt_route_select(RtCtx *c);
gboolean rt_route_update(RtCtx *c);
gboolean rt_route_delete(RtCtx *c);
gboolean rt_route_insert(RtCtx *c);
gboolean rt_route_other(RtCtx *c);

/* Refuses writes to broadcast tables that would differ between groups
 * (RAND(), NOW(), UUID() ...). */
gboolean rt_check_broadcast_write(RtCtx *c, const char *table);

/* ---- router-hint.c ---- */

/* Reads the routing hints of the statement's comments into c->hint.
 * FALSE (TSR_ROUTER_ERROR_HINT) for a malformed hint. */
gboolean rt_read_hints(RtCtx *c);

/* ---- rewrite-select.c ---- */

/* Rewrites the statement's query (c->stmt->select) for a scatter read and
 * stores how to merge its rows in the plan. FALSE with a refusal when the
 * rows cannot be combined correctly. */
gboolean rt_rewrite_scatter(RtCtx *c, const RtComp *driving);

/* Frees what rewrite-select.c keeps in a plan. */
void rt_merge_free(TsrRoutePlanPrivate *priv);

/* ---- rewrite-spec.c ---- */

/* Appends the plan's merge spec as JSON (positions decoded when the
 * router knows the column count; "null" without a spec). */
void rt_merge_spec_json(GString *out, const TsrRoutePlanPrivate *priv);

/* ---- rewrite-filter.c ---- */

typedef struct RtFilter RtFilter;

/* Compiles a HAVING condition into a filter over output values; `output`
 * maps an expression of the condition to an output position (or -1).
 * NULL with a refusal when the condition uses what the filter cannot
 * evaluate. */
typedef gint (*RtOutputOf)(RtCtx *c, const TsrSqlExpr *e, gpointer data);
RtFilter *rt_filter_compile(RtCtx *c, const TsrSqlExpr *cond, RtOutputOf output, gpointer data);
/* Returns the TsrMergeFilter of a compiled filter (owned by it). */
const TsrMergeFilter *rt_filter_merge_filter(RtFilter *f);
void rt_filter_free(RtFilter *f);

/* The plan's private part. */
struct TsrRoutePlanPrivate {
  TsrShardMap *map;
  /* the spec as the router built it, positions of hidden columns counted
   * from RT_HIDDEN_BASE when the select list has a * */
  TsrMergeSpec *spec;
  gboolean star;
  guint n_visible;             /* visible columns when !star */
  guint n_hidden;              /* hidden columns appended */
  TsrMergeSpec *bound;         /* spec bound to bound_columns */
  guint bound_columns;
  RtFilter *having;
};

#define RT_HIDDEN_BASE 0x40000000u

#endif
