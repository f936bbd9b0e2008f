/* test-merge-vectors.h: MariaDB's answers captured by make-merge-vectors.py
 * (test-merge-vectors-cases-*.c): per case the shard query's result on each of
 * three shards and the original query's result on the whole table, in the
 * text and the binary protocol, with the merge spec. */
#ifndef TESSERA_TEST_MERGE_VECTORS_H
#define TESSERA_TEST_MERGE_VECTORS_H

#include <glib.h>
#include "plugins/sharding/merge-spec.h"

#define TSR_VEC_SHARDS 3

/* n packets, in base64: each a 2-byte little-endian length and that many
 * payload bytes. */
typedef struct {
  guint n;
  const char *base64;
} TsrVecPackets;

typedef struct {
  TsrVecPackets columns;         /* column definition payloads */
  TsrVecPackets rows;            /* row payloads */
} TsrVecResult;

/* results[]: shard s text, shard s binary for s = 0..2, then the whole
 * table's text and binary. */
#define TSR_VEC_TEXT(s) (2 * (s))
#define TSR_VEC_BINARY(s) (2 * (s) + 1)
#define TSR_VEC_WHOLE TSR_VEC_SHARDS

typedef struct {
  const char *name;
  const char *whole_sql;
  const char *shard_sql;
  TsrMergeSpec spec;             /* having is set by the test from the three fields below */
  const char *having_op;         /* "" (none), ">", "<" */
  guint having_index;            /* output compared */
  const char *having_value;      /* a number */
  gboolean ordered;              /* ORDER BY (or GROUP BY's sort) fixes the order */
  TsrVecResult results[2 * (TSR_VEC_SHARDS + 1)];
} TsrVecCase;

/* A DECIMAL division as MariaDB computes CAST(sum AS DECIMAL(65,s)) / count. */
typedef struct {
  const char *sum;
  guint64 count;
  guint decimals;
  const char *quotient;
} TsrVecDivision;

extern const TsrVecCase *const tsr_vec_cases[];
extern const guint tsr_vec_n_cases;
extern const TsrVecDivision tsr_vec_divisions[];
extern const guint tsr_vec_n_divisions;

#endif
