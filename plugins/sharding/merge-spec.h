/* merge-spec.h: what the sharding router tells the merger about a
 * statement sent to several shards: how the rows the shards return become
 * the rows the client gets.
 *
 * The router rewrites a scatter SELECT so that each shard returns rows the
 * merger can combine (ORDER BY pushed down, LIMIT o,n sent as LIMIT o+n,
 * AVG(x) sent as SUM(x) and COUNT(x), GROUP BY keys added to ORDER BY,
 * hidden columns appended after the visible ones); this spec describes the
 * shard rows (by column position) and what to do with them. The router owns
 * a spec; the merger only reads it. */
#ifndef TESSERA_SHARDING_MERGE_SPEC_H
#define TESSERA_SHARDING_MERGE_SPEC_H

#include <glib.h>

#define TSR_MERGE_NO_LIMIT G_MAXUINT64

typedef enum {
  TSR_AGG_NONE = 0,        /* a plain column (a GROUP BY key or a constant per group) */
  TSR_AGG_COUNT,           /* sum of the shards' COUNTs */
  TSR_AGG_SUM,             /* sum of the shards' SUMs (NULL when all are NULL) */
  TSR_AGG_MIN,
  TSR_AGG_MAX,
  TSR_AGG_AVG,             /* sum(column) / sum(count_column) */
  TSR_AGG_COUNT_DISTINCT,  /* shards return the distinct values (column), grouped by
                              the keys; the merger counts distinct values per group */
} TsrAggFunc;

typedef enum {
  TSR_COLLATE_AUTO = 0,    /* from the column definition's charset/flags */
  TSR_COLLATE_BINARY,      /* byte order */
  TSR_COLLATE_CI,          /* case-insensitive (utf8mb4_general_ci-like) */
} TsrCollation;

typedef struct {
  guint column;            /* position in the shard row */
  gboolean descending;
  TsrCollation collation;
} TsrSortKey;

typedef struct {
  TsrAggFunc func;
  guint column;            /* shard row position of the value (the SUM for AVG) */
  guint count_column;      /* AVG only: shard row position of the COUNT */
  /* AVG only, optional: type_column is a hidden shard column holding AVG(x)
   * itself. Its values are ignored; its column definition is the one the
   * client gets (with the name of `column`). Without it the merger derives
   * AVG's type from SUM's, which is exact for DECIMAL results up to
   * precision 64 but has to guess the length of a DOUBLE AVG (MariaDB makes
   * it the argument's length + 4, which SUM's definition does not carry). */
  gboolean has_type_column;
  guint type_column;
} TsrOutputColumn;

/* A HAVING condition is evaluated by the merger over output rows. The
 * expression is an opaque tree owned by the router (sql/ AST node with
 * column references resolved to output positions); the router provides the
 * evaluator. The values are those of outputs[0..n) after combining (n is
 * the spec's n_outputs, so hidden aggregates that only HAVING uses are
 * there too), as the text protocol writes them whatever the client's
 * protocol; each is NUL-terminated (lengths exclude the NUL). */
typedef struct TsrMergeFilter TsrMergeFilter;
struct TsrMergeFilter {
  /* Returns TRUE when the output row passes. `values` are the output
   * row's text values (NULL for SQL NULL), n of them. */
  gboolean (*matches)(const TsrMergeFilter *f, const char *const *values, const gsize *lengths, guint n);
  gpointer data;
};

/* Order of the shard rows when shards_sorted is TRUE:
 * - without aggregates: order_by;
 * - with aggregates: the order_by keys up to the first one that is not a
 *   GROUP BY key (an aggregate cannot be sorted before it is combined),
 *   then the group_by keys not among them, ascending. With GROUP BY g and
 *   no ORDER BY that is "ORDER BY g", what MariaDB's GROUP BY does anyway.
 * The merger combines equal group keys as they meet when the rows arrive in
 * that order, and sorts the combined rows itself when order_by needs more. */
typedef struct {
  guint shard_columns;         /* columns in each shard row (visible + hidden) */
  guint output_columns;        /* columns the client gets */
  TsrOutputColumn *outputs;    /* n_outputs entries (see n_outputs) */
  gboolean aggregate;          /* any output is an aggregate: rows are combined per group */
  guint *group_by;             /* shard row positions of the GROUP BY keys (n_group_by) */
  guint n_group_by;
  TsrSortKey *order_by;        /* final order, over shard row positions (n_order_by) */
  guint n_order_by;
  gboolean shards_sorted;      /* each shard returns rows in order_by (then group_by) order */
  gboolean distinct;           /* SELECT DISTINCT over the output columns */
  guint64 offset;              /* rows to skip after merging */
  guint64 limit;               /* rows to return after the offset, or TSR_MERGE_NO_LIMIT */
  const TsrMergeFilter *having;/* NULL: none */
  /* Entries of outputs; 0 means output_columns. Entries past
   * output_columns describe hidden shard columns that are aggregates only
   * ORDER BY or HAVING use: they are combined like the visible ones and not
   * sent. */
  guint n_outputs;
} TsrMergeSpec;

#endif
