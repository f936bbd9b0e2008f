/* merge-private.h: the merger's insides, shared by merge*.c only.
 *
 * A row goes through stages:
 *   source   CONCAT (each row as it comes), MERGE (k-way merge of sorted
 *            shards, merge-heap.c) or SORT (all rows, sorted at the end);
 *   sink     pass-through (merge-output.c) or grouping (merge-group.c),
 *            whose combined rows go through HAVING and, when ORDER BY needs
 *            it, a final sort;
 *   output   DISTINCT, then OFFSET/LIMIT, then emit. */
#ifndef TESSERA_SHARDING_MERGE_PRIVATE_H
#define TESSERA_SHARDING_MERGE_PRIVATE_H

#include "merge.h"
#include "value-decimal.h"

/* A copy of n values owned in one block (the values, then their bytes),
 * with the classes that compare and hash them (owned by the merger). */
typedef struct {
  const TsrValueClass *const *classes;
  guint n;
  TsrValue v[];
} TsrTuple;

/* A row in flight: a shard row (its payload, and the values of the
 * source's sort keys), or a combined output row waiting for the final
 * sort (its output payload, and the values of the final sort keys). */
typedef struct {
  const guint8 *payload;
  gsize len;
  guint shard;
  gboolean owned;              /* payload and key bytes live in this block */
  guint64 seq;                 /* arrival order, unique: ties of a sort keep it */
  TsrValue keys[];
} TsrMergeRow;

typedef struct {
  guint column;                /* shard position (source keys) or key source (final keys) */
  gboolean descending;
  TsrValueClass cls;
} TsrMergeKey;

typedef enum { TSR_SOURCE_CONCAT, TSR_SOURCE_MERGE, TSR_SOURCE_SORT } TsrMergeSource;

/* A ring of rows waiting in one shard's queue (MERGE source). */
typedef struct {
  TsrMergeRow **rows;
  guint head, len, cap;
} TsrRowQueue;

/* One output column of an aggregate statement. */
typedef struct {
  TsrAggFunc func;
  guint column, count_column;
  const TsrValueClass *in;     /* class of the shard column */
  TsrValueClass out;           /* class of the output column */
  gboolean exact;              /* SUM/AVG: decimal arithmetic, else double */
} TsrMergeOutput;

/* What one group has combined for one output. */
typedef struct {
  gboolean has_value;          /* SUM/AVG: a non-NULL value was added */
  guint64 count;               /* COUNT, and AVG's count */
  gdouble real;
  TsrDecimalSum dec;
  TsrTuple *best;              /* MIN/MAX, and the first value for a plain column */
  gboolean seen;               /* a plain column took its first row's value */
  GHashTable *set;             /* COUNT(DISTINCT): TsrTuple set */
} TsrMergeAcc;

typedef struct {
  TsrTuple *key;               /* GROUP BY values; NULL without GROUP BY */
  TsrMergeAcc accs[];
} TsrMergeGroup;

/* Where a final sort key's value comes from. */
#define TSR_KEY_FROM_GROUP 0x80000000u   /* | index into group_by; else an output index */

struct TsrMerger {
  /* the statement */
  guint n_cols, n_visible, n_outputs, n_group;
  guint *group_by;
  gboolean aggregate, distinct;
  guint64 offset, limit;
  const TsrMergeFilter *having;
  guint n_shards;
  TsrMergeProtocol protocol;
  TsrMergeEmitFunc emit;
  gpointer user_data;

  /* columns */
  TsrValueClass *classes;      /* n_cols: the shard columns */
  TsrValueType *types;         /* n_cols */
  gboolean *parse;             /* n_cols: text values read into the union */
  guint16 *charsets;           /* n_cols: character sets of the shard columns */
  TsrColumnDef *out_cols;      /* n_outputs: the output columns (n_visible sent) */
  GStringChunk *strings;       /* their names */
  TsrValueType *out_types;     /* n_visible */
  const TsrValueClass **visible_classes;  /* n_visible: DISTINCT over visible values */
  const TsrValueClass **group_classes;    /* n_group */
  const TsrValueClass **having_classes;   /* n_outputs: classes of the values HAVING sees */

  /* source */
  TsrMergeSource source;
  TsrMergeKey *keys;
  guint n_keys;
  TsrRowQueue *queues;         /* MERGE: n_shards queues of owned rows (the fed row may be borrowed) */
  guint *heap, heap_len, waiting;
  GPtrArray *sorted;           /* SORT source, or the final sort: owned rows */
  gboolean *done;
  guint n_done;
  guint64 seq;

  /* grouping */
  TsrMergeOutput *outputs;     /* n_outputs, aggregate only */
  gboolean stream_groups;
  TsrMergeGroup *current;      /* the group being combined (streaming, or no GROUP BY) */
  GHashTable *groups;          /* hash grouping: key tuple -> group */
  GPtrArray *group_order;      /* hash grouping: groups as created */
  gboolean final_sort;
  TsrMergeKey *final_keys;
  guint n_final_keys;

  /* output */
  gboolean stream_distinct;
  TsrTuple *last;
  GHashTable *seen;
  guint64 skipped, emitted;
  gboolean enough;

  /* scratch */
  TsrMergeRow *scratch;        /* the row being fed, borrowed */
  TsrSlice *tvals;             /* n_cols */
  TsrValue *vals;              /* n_cols: decoded values of the row with seq vals_seq */
  guint64 vals_seq;
  TsrValue *fvals;             /* n_outputs: a combined row */
  TsrValue *ovals;             /* n_visible: values of an output payload */
  TsrValue *gvals;             /* n_group: GROUP BY values of a row */
  TsrTuple *probe;             /* hash lookups: values borrowed, not copied */
  TsrMergeRow *final_row;      /* a combined row on its way to the final sort */
  GString **fmt;               /* n_outputs: text of combined values */
  GString **htext;             /* n_outputs: HAVING texts */
  const char **hvalues;
  gsize *hlengths;
  GByteArray *out;             /* an output payload being built */
};

/* merge-plan.c: fills the statement, column and pipeline fields of m. */
gboolean tsr_merge_plan(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns, GError **error);

/* merge-columns.c: the output column definitions. */
void tsr_merge_columns_init(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns);

/* merge-row.c */
/* Returns an owned copy of values[0..n) compared with classes (g_free). */
TsrTuple *tsr_tuple_new(const TsrValue *values, guint n, const TsrValueClass *const *classes);
/* GHashFunc / GEqualFunc of tuples under their classes (NULL equals NULL). */
guint tsr_tuple_hash(gconstpointer tuple);
gboolean tsr_tuple_equal(gconstpointer a, gconstpointer b);
/* TRUE when the tuple holds the same values as values[0..tuple->n). */
gboolean tsr_tuple_matches(const TsrTuple *tuple, const TsrValue *values);
/* Returns an owned copy of row (payload, keys and the bytes they point to). */
TsrMergeRow *tsr_merge_row_copy(const TsrMergeRow *row, guint n_keys);
/* The same for a row the merger keeps: also forgets the values decoded
 * from the borrowed payload (tsr_merge_row_values caches them by row). */
TsrMergeRow *tsr_merge_keep_row(TsrMerger *m, const TsrMergeRow *row, guint n_keys);
/* Returns the decoded values of a shard row (m->vals, cached by seq); NULL
 * with TSR_MERGE_ERROR_ROW when it is malformed. */
const TsrValue *tsr_merge_row_values(TsrMerger *m, const TsrMergeRow *row, GError **error);
/* Compares the keys of two rows (or value arrays) in key order. */
int tsr_merge_compare_keys(const TsrMergeKey *keys, guint n, const TsrValue *a, const TsrValue *b);
/* Sorts owned rows by keys, then arrival. */
void tsr_merge_sort_rows(GPtrArray *rows, const TsrMergeKey *keys, guint n_keys);
/* Emits the visible columns of a shard row payload. */
gboolean tsr_merge_emit_visible(TsrMerger *m, const guint8 *payload, gsize len, GError **error);
/* Decodes an output payload into m->ovals (read with the output classes). */
gboolean tsr_merge_output_values(TsrMerger *m, const guint8 *payload, gsize len, GError **error);

/* merge-heap.c: the MERGE source. init/clear set up and free the queues;
 * push queues a fed (borrowed) row and emits what it can, copying the row if
 * it stays; shard_done emits what the end of a shard allows; wants is TRUE
 * when the shard's queue is empty. */
void tsr_merge_heap_init(TsrMerger *m);
void tsr_merge_heap_clear(TsrMerger *m);
gboolean tsr_merge_heap_push(TsrMerger *m, guint shard, TsrMergeRow *row, GError **error);
gboolean tsr_merge_heap_shard_done(TsrMerger *m, guint shard, GError **error);
gboolean tsr_merge_heap_wants(const TsrMerger *m, guint shard);

/* merge.c: hands a row of the source to the sink. */
gboolean tsr_merge_sink(TsrMerger *m, const TsrMergeRow *row, GError **error);
/* Keeps at most `keep` rows of a sort buffer once it holds twice that. */
void tsr_merge_trim_sorted(TsrMerger *m, const TsrMergeKey *keys, guint n_keys);

/* merge-group.c: group_row combines a shard row into its group (emitting
 * the previous group when streaming); group_finish emits the groups left
 * (the one row of an aggregate without GROUP BY even over no rows);
 * group_free frees one group. */
gboolean tsr_merge_group_row(TsrMerger *m, const TsrMergeRow *row, GError **error);
gboolean tsr_merge_group_finish(TsrMerger *m, GError **error);
void tsr_merge_group_free(TsrMerger *m, TsrMergeGroup *g);

/* merge-output.c: pass_row takes a shard row through HAVING, DISTINCT,
 * LIMIT to the client. */
gboolean tsr_merge_pass_row(TsrMerger *m, const TsrMergeRow *row, GError **error);
/* A combined row (m->fvals, keys for the final sort from fvals and the
 * group key) goes through HAVING, the final sort or DISTINCT and LIMIT. */
gboolean tsr_merge_output_combined(TsrMerger *m, const TsrTuple *group_key, GError **error);
/* Emits the final sort's rows, if any. */
gboolean tsr_merge_output_finish(TsrMerger *m, GError **error);
/* TRUE when the next row passes OFFSET/LIMIT (counts it). */
gboolean tsr_merge_limit_admit(TsrMerger *m);

#endif
