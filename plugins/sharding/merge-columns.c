/* merge-columns.c: the column definitions the client gets.
 *
 * COUNT, SUM, MIN and MAX keep the shard's definition: a shard computing
 * SUM(x) types it as MariaDB types the statement's SUM(x) (DECIMAL(p+22,s)
 * for exact arguments, DOUBLE otherwise). Two outputs change type:
 *
 * COUNT(DISTINCT x): the shards return x; the client gets what MariaDB
 * sends for COUNT: BIGINT, length 21, NOT NULL and BINARY flags, binary
 * character set, no table or original names.
 *
 * AVG(x): the shards return SUM(x). Item_sum_avg types it from the
 * argument: DECIMAL(p+4, min(s+4, 38)) for an exact argument of precision
 * p and scale s, DOUBLE with min(s+4, 31) decimals and length
 * min(length+4, float_length) otherwise. With the spec's type_column the
 * shards computed AVG(x) too and its definition is used as it is; without
 * it p comes from SUM's precision p+22 (exact unless SUM reached the
 * maximum 65, then p = 65 is assumed) and a DOUBLE's length is taken as
 * float_length(decimals), right for DOUBLE arguments only. The flags are
 * SUM's plus BINARY, which MariaDB's AVG always has. */
#include <string.h>
#include "merge-private.h"

#define DECIMAL_MAX_PRECISION 65u
#define DECIMAL_MAX_SCALE 38u
#define DECIMAL_LONGLONG_DIGITS 22u
#define DIV_PRECISION_INCREMENT 4u
#define NOT_FIXED_DEC 31u
#define DBL_DIG_MARIADB 15u
#define COUNT_LENGTH 21u

static TsrSlice keep(GStringChunk *chunk, TsrSlice s) {
  TsrSlice copy = s;
  if (s.data) copy.data = (const guint8 *)g_string_chunk_insert_len(chunk, (const char *)s.data, (gssize)s.len);
  return copy;
}

static void copy_def(TsrMerger *m, TsrColumnDef *dst, const TsrColumnDef *src) {
  *dst = *src;
  dst->catalog = keep(m->strings, src->catalog);
  dst->schema = keep(m->strings, src->schema);
  dst->table = keep(m->strings, src->table);
  dst->org_table = keep(m->strings, src->org_table);
  dst->name = keep(m->strings, src->name);
  dst->org_name = keep(m->strings, src->org_name);
  dst->extended_metadata = keep(m->strings, src->extended_metadata);
  dst->default_value = keep(m->strings, src->default_value);
}

/* An expression column: no schema, table or original name. */
static void make_expression(TsrColumnDef *def) {
  static const guint8 empty[1];
  TsrSlice none = { empty, 0 };
  def->schema = def->table = def->org_table = def->org_name = none;
  def->extended_metadata.data = NULL;
  def->extended_metadata.len = 0;
}

static guint float_length(guint decimals) {
  return decimals < NOT_FIXED_DEC ? DBL_DIG_MARIADB + 2 + decimals : DBL_DIG_MARIADB + 8;
}

/* Types an AVG from its SUM's definition. */
static void derive_avg(TsrColumnDef *def) {
  guint sign = (def->flags & TSR_FIELD_UNSIGNED) ? 0 : 1;
  guint d = def->decimals;

  /* a grouped SUM comes from a temporary table column without the BINARY
   * flag; MariaDB's AVG always has it */
  def->flags |= TSR_FIELD_BINARY;

  if (def->type == TSR_TYPE_NEWDECIMAL || def->type == TSR_TYPE_DECIMAL) {
    guint sum_precision = def->column_length - (d > 0 ? 1 : 0) - sign;
    guint precision = sum_precision < DECIMAL_MAX_PRECISION
                        ? MAX(sum_precision, DECIMAL_LONGLONG_DIGITS) - DECIMAL_LONGLONG_DIGITS
                        : DECIMAL_MAX_PRECISION;
    guint decimals = MIN(d + DIV_PRECISION_INCREMENT, DECIMAL_MAX_SCALE);
    precision += DIV_PRECISION_INCREMENT;
    def->decimals = (guint8)decimals;
    def->column_length = precision + (decimals > 0 ? 1 : 0) + sign;
    return;
  }
  def->type = TSR_TYPE_DOUBLE;
  def->decimals = (guint8)MIN(d + DIV_PRECISION_INCREMENT, NOT_FIXED_DEC);
  def->column_length = float_length(def->decimals);
}

static void type_count(TsrColumnDef *def) {
  def->type = TSR_TYPE_LONGLONG;
  def->column_length = COUNT_LENGTH;
  def->decimals = 0;
  def->flags = TSR_FIELD_NOT_NULL | TSR_FIELD_BINARY;
  def->charset = TSR_CHARSET_BINARY;
  make_expression(def);
}

static void type_avg(TsrColumnDef *def, const TsrOutputColumn *o, const TsrColumnDef *columns) {
  if (o->has_type_column) {
    const TsrColumnDef *t = &columns[o->type_column];
    def->type = t->type;
    def->column_length = t->column_length;
    def->decimals = t->decimals;
    def->flags = t->flags;
    def->charset = t->charset;
  } else {
    derive_avg(def);
  }
  make_expression(def);
}

void tsr_merge_columns_init(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns) {
  m->strings = g_string_chunk_new(256);
  m->out_cols = g_new0(TsrColumnDef, m->n_outputs);
  for (guint i = 0; i < m->n_outputs; i++) {
    const TsrOutputColumn *o = m->aggregate ? &spec->outputs[i] : NULL;
    copy_def(m, &m->out_cols[i], &columns[o ? o->column : i]);
    if (o && o->func == TSR_AGG_COUNT_DISTINCT) type_count(&m->out_cols[i]);
    if (o && o->func == TSR_AGG_AVG) type_avg(&m->out_cols[i], o, columns);
  }
}
