/* merge.h: the merger of a statement the sharding router sent to several
 * shards: it turns the rows the shards return into the rows the client
 * gets, as one MariaDB server would have answered (see merge-spec.h for
 * what the router tells it).
 *
 * Usage, for one result set:
 *
 *   m = tsr_merger_new(spec, n_shards, TSR_MERGE_TEXT, shard_columns, emit, data, &error);
 *   send tsr_merger_n_columns(m) and tsr_merger_column(m, i) to the client;
 *   for every row packet of shard s:  status = tsr_merger_feed(m, s, payload, len, &error);
 *   at shard s's EOF/OK:               status = tsr_merger_shard_done(m, s, &error);
 *   ... until status is TSR_MERGE_DONE or TSR_MERGE_ENOUGH, then end the
 *   client's result (EOF/OK) and tsr_merger_free(m).
 *
 * The merger calls emit(payload, len, data) for every row the client gets,
 * in order, in the protocol the shards used (text rows in, text rows out;
 * binary in, binary out); the payload is valid during the call only. A row
 * that needs no change (no hidden columns, nothing combined) is the shard's
 * own payload, neither copied nor decoded.
 *
 * Feeding: payload is one whole row packet (no frame header) and only has
 * to stay valid during the call: rows the merger must keep (a k-way merge
 * waiting for another shard, groups, a sort) are copied then. Feeding is
 * always allowed; tsr_merger_wants() tells which shards the merger is
 * waiting for, so that a caller that reads only those keeps memory at one
 * row per shard for ORDER BY merges.
 *
 * Memory: concatenation, ORDER BY over sorted shards, GROUP BY over shards
 * sorted by the group keys and DISTINCT over shards sorted by all output
 * columns keep O(shards) rows. Hash GROUP BY / DISTINCT keep one entry per
 * group / distinct row; COUNT(DISTINCT) one per distinct value of a group;
 * a final sort (ORDER BY an aggregate, or shards not sorted) keeps every
 * row, or only offset + limit of them when there is a LIMIT and no
 * DISTINCT. */
#ifndef TESSERA_SHARDING_MERGE_H
#define TESSERA_SHARDING_MERGE_H

#include <glib.h>
#include "protocol/mysql-resultset.h"
#include "merge-spec.h"
#include "value.h"

typedef enum {
  TSR_MERGE_TEXT,              /* rows of a COM_QUERY result */
  TSR_MERGE_BINARY,            /* rows of a COM_STMT_EXECUTE result */
} TsrMergeProtocol;

typedef enum {
  TSR_MERGE_CONTINUE,          /* keep feeding */
  TSR_MERGE_ENOUGH,            /* the LIMIT is reached: every row the client gets was emitted;
                                  stop reading the shards (drain or close them) and end the result */
  TSR_MERGE_DONE,              /* every shard is done and every row was emitted */
  TSR_MERGE_FAILED,            /* *error says why; end the statement with an error */
} TsrMergeStatus;

/* Receives one output row payload (valid during the call only). */
typedef void (*TsrMergeEmitFunc)(const guint8 *payload, gsize len, gpointer user_data);

typedef struct TsrMerger TsrMerger;

/* Creates a merger for `spec` over n_shards (>= 1) shards whose rows use
 * `protocol`, with columns[0..spec->shard_columns) the column definitions
 * the shards sent (any shard's; the merger copies what it keeps, the
 * caller keeps the spec's having filter alive). emit receives the output
 * rows with user_data. Returns NULL with TSR_MERGE_ERROR_INVALID when the
 * spec is inconsistent (a position out of range, an AVG without its
 * count), TSR_MERGE_ERROR_UNSUPPORTED when the statement cannot be merged
 * exactly (ordering ENUM values, SUM over a string column, ...). */
TsrMerger *tsr_merger_new(const TsrMergeSpec *spec, guint n_shards, TsrMergeProtocol protocol,
                          const TsrColumnDef *columns, TsrMergeEmitFunc emit, gpointer user_data, GError **error);

/* Frees the merger and every row it holds. NULL is allowed. */
void tsr_merger_free(TsrMerger *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrMerger, tsr_merger_free)

/* Returns the number of columns the client gets (spec->output_columns). */
guint tsr_merger_n_columns(const TsrMerger *m);

/* Returns the definition of output column i (< tsr_merger_n_columns()):
 * the shard's, with COUNT(DISTINCT) typed BIGINT NOT NULL and AVG typed
 * as MariaDB types AVG (see merge-spec.h). Owned by the merger, valid
 * until it is freed. */
const TsrColumnDef *tsr_merger_column(const TsrMerger *m, guint i);

/* Checks that shard `shard`'s column definitions match those the merger
 * was created with (same count, types, UNSIGNED and decimals; for text
 * columns also the character set and the BINARY flag, i.e. the collation),
 * so that shards with drifted schemas are refused instead of merged
 * wrongly. Returns FALSE with TSR_MERGE_ERROR_UNSUPPORTED naming the
 * column. */
gboolean tsr_merger_check_columns(const TsrMerger *m, guint shard, const TsrColumnDef *columns, guint n_columns,
                                  GError **error);

/* Feeds one row packet payload of shard `shard` (not yet done). May emit
 * rows. Returns CONTINUE, ENOUGH (the row was ignored or completed the
 * LIMIT), or FAILED with TSR_MERGE_ERROR_ROW (a malformed row) or
 * TSR_MERGE_ERROR_OVERFLOW. */
TsrMergeStatus tsr_merger_feed(TsrMerger *m, guint shard, const guint8 *payload, gsize len, GError **error);

/* Tells that shard `shard` sent its last row. May emit rows; when it was
 * the last shard, emits everything left and returns DONE (or ENOUGH). */
TsrMergeStatus tsr_merger_shard_done(TsrMerger *m, guint shard, GError **error);

/* Returns TRUE when the merger cannot emit anything more until shard
 * `shard` sends a row or is done (its queue is empty and it is not done);
 * FALSE for a shard whose rows are already queued, or when nothing more
 * is wanted (ENOUGH). */
gboolean tsr_merger_wants(const TsrMerger *m, guint shard);

/* Returns TRUE once the LIMIT is reached (the status ENOUGH). */
gboolean tsr_merger_enough(const TsrMerger *m);

/* Returns the number of rows emitted so far. */
guint64 tsr_merger_rows_emitted(const TsrMerger *m);

#endif
