/* test-merge-vectors.c: the differential test of the merger against
 * MariaDB 10.11 (vectors from make-merge-vectors.py).
 *
 * For every case and both protocols the merger combines the rows three
 * shards returned for the rewritten query, fed in four interleavings (round
 * robin, shard after shard, only the shards it wants, seeded random), and
 * must give the answer MariaDB gave for the original query on the whole
 * table: the same column definitions (type, length, decimals, flags,
 * character set, names) and the same rows, in order when ORDER BY (or
 * GROUP BY's sort) fixes it, as a multiset otherwise. Values are compared
 * byte for byte, except strings under a case-insensitive or PAD SPACE
 * collation, where MariaDB may pick any of the equal spellings ('Apple' or
 * 'apple' for a group) and equality under the collation is what counts.
 *
 * It also checks the value module against the same answers: every binary
 * value, written as text by tsr_value_format_text(), is the text MariaDB
 * sent; and DECIMAL division matches MariaDB's for every scale. */
#include <string.h>
#include "plugins/sharding/merge.h"
#include "plugins/sharding/value-decimal.h"
#include "plugins/sharding/value-format.h"
#include "test-merge-vectors.h"

typedef enum { FEED_ROUND_ROBIN, FEED_SEQUENTIAL, FEED_WANTED, FEED_RANDOM, FEED_MAX } FeedOrder;

static const char *const feed_names[FEED_MAX] = { "round robin", "sequential", "wanted", "random" };

typedef struct {
  const TsrVecCase *vc;
  TsrMergeProtocol protocol;
} CaseRun;

/* Returns the packets of p as GBytes. */
static GPtrArray *packet_array(const TsrVecPackets *p) {
  GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  gsize blob_len, offset = 0;
  g_autofree guint8 *blob = g_base64_decode(p->base64, &blob_len);
  for (guint i = 0; i < p->n; i++) {
    gsize len;
    g_assert_cmpuint(offset + 2, <=, blob_len);
    len = blob[offset] | ((gsize)blob[offset + 1] << 8);
    g_assert_cmpuint(offset + 2 + len, <=, blob_len);
    g_ptr_array_add(a, g_bytes_new(blob + offset + 2, len));
    offset += 2 + len;
  }
  g_assert_cmpuint(offset, ==, blob_len);
  return a;
}

static void collect(const guint8 *payload, gsize len, gpointer data) {
  g_ptr_array_add(data, g_bytes_new(payload, len));
}

static gboolean having_matches(const TsrMergeFilter *f, const char *const *values, const gsize *lengths, guint n) {
  const TsrVecCase *vc = f->data;
  const char *v;
  gdouble a, b;
  g_assert_cmpuint(vc->having_index, <, n);
  v = values[vc->having_index];
  if (!v) return FALSE;
  g_assert_cmpuint(strlen(v), ==, lengths[vc->having_index]);
  a = g_ascii_strtod(v, NULL);
  b = g_ascii_strtod(vc->having_value, NULL);
  return vc->having_op[0] == '>' ? a > b : a < b;
}

/* Decodes the column definitions of p into cols; they point into the
 * returned array, which the caller keeps while it uses them. */
static GPtrArray *decode_columns(const TsrVecPackets *p, TsrColumnDef *cols) {
  GPtrArray *a = packet_array(p);
  for (guint i = 0; i < a->len; i++) {
    GError *error = NULL;
    gsize len;
    const guint8 *payload = g_bytes_get_data(g_ptr_array_index(a, i), &len);
    g_assert_cmpint(tsr_column_def_decode(payload, len, 0, &cols[i], &error), ==, TSR_DECODE_OK);
    g_assert_no_error(error);
  }
  return a;
}

static const TsrVecResult *result_of(const TsrVecCase *vc, guint shard, TsrMergeProtocol protocol) {
  guint base = shard == TSR_VEC_WHOLE ? 2 * TSR_VEC_SHARDS : 2 * shard;
  return &vc->results[base + (protocol == TSR_MERGE_BINARY ? 1 : 0)];
}

/* Picks the next shard to feed, or -1 when every shard is done. */
static int next_shard(FeedOrder order, TsrMerger *m, const guint *pos, const gboolean *done,
                      const TsrVecResult *const *shards, GRand *rnd, guint *cursor) {
  guint live[TSR_VEC_SHARDS], n = 0;
  for (guint s = 0; s < TSR_VEC_SHARDS; s++)
    if (!done[s]) live[n++] = s;
  if (n == 0) return -1;
  switch (order) {
  case FEED_ROUND_ROBIN:
    for (guint k = 0; k < TSR_VEC_SHARDS; k++) {
      guint s = (*cursor + k) % TSR_VEC_SHARDS;
      if (!done[s]) {
        *cursor = s + 1;
        return (int)s;
      }
    }
    return -1;
  case FEED_SEQUENTIAL:
    return (int)live[0];
  case FEED_WANTED:
    for (guint k = 0; k < n; k++)
      if (tsr_merger_wants(m, live[k])) return (int)live[k];
    g_assert_not_reached();
  case FEED_RANDOM:
  case FEED_MAX:
    break;
  }
  return (int)live[g_rand_int_range(rnd, 0, (gint32)n)];
}

/* Runs the merger over the shards' rows; returns the emitted rows. */
static GPtrArray *run_merge(const TsrVecCase *vc, TsrMergeProtocol protocol, FeedOrder order, TsrMerger **out_m) {
  const TsrVecResult *shards[TSR_VEC_SHARDS];
  TsrColumnDef cols[64], other[64];
  TsrMergeSpec spec = vc->spec;
  TsrMergeFilter having = { having_matches, (gpointer)vc };
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  guint pos[TSR_VEC_SHARDS] = { 0 }, cursor = 0;
  GPtrArray *shard_rows[TSR_VEC_SHARDS];
  g_autoptr(GPtrArray) col_bytes = NULL;
  gboolean done[TSR_VEC_SHARDS] = { FALSE };
  g_autoptr(GRand) rnd = g_rand_new_with_seed(42);
  GError *error = NULL;
  TsrMergeStatus st = TSR_MERGE_CONTINUE;
  TsrMerger *m;
  int s;

  for (guint k = 0; k < TSR_VEC_SHARDS; k++) {
    shards[k] = result_of(vc, k, protocol);
    shard_rows[k] = packet_array(&shards[k]->rows);
  }
  g_assert_cmpuint(shards[0]->columns.n, <=, G_N_ELEMENTS(cols));
  col_bytes = decode_columns(&shards[0]->columns, cols);
  if (vc->having_op[0]) spec.having = &having;
  m = tsr_merger_new(&spec, TSR_VEC_SHARDS, protocol, cols, collect, rows, &error);
  g_assert_no_error(error);
  g_assert_nonnull(m);
  for (guint k = 1; k < TSR_VEC_SHARDS; k++) {
    g_autoptr(GPtrArray) other_bytes = decode_columns(&shards[k]->columns, other);
    g_assert_true(tsr_merger_check_columns(m, k, other, shards[k]->columns.n, &error));
    g_assert_no_error(error);
  }
  if (tsr_merger_enough(m)) st = TSR_MERGE_ENOUGH;  /* LIMIT 0 */
  while (st == TSR_MERGE_CONTINUE && (s = next_shard(order, m, pos, done, shards, rnd, &cursor)) >= 0) {
    const TsrVecPackets *p = &shards[s]->rows;
    if (pos[s] < p->n) {
      gsize len;
      const guint8 *payload = g_bytes_get_data(g_ptr_array_index(shard_rows[s], pos[s]), &len);
      pos[s]++;
      st = tsr_merger_feed(m, (guint)s, payload, len, &error);
    } else {
      done[s] = TRUE;
      st = tsr_merger_shard_done(m, (guint)s, &error);
    }
    g_assert_no_error(error);
    g_assert_cmpint(st, !=, TSR_MERGE_FAILED);
  }
  g_assert_true(st == TSR_MERGE_DONE || st == TSR_MERGE_ENOUGH);
  for (guint k = 0; k < TSR_VEC_SHARDS; k++) g_ptr_array_unref(shard_rows[k]);
  g_assert_cmpuint(tsr_merger_rows_emitted(m), ==, rows->len);
  *out_m = m;
  return rows;
}

static void assert_slice_eq(TsrSlice a, TsrSlice b, const char *what) {
  if (a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0)) return;
  g_error("%s: \"%.*s\" != \"%.*s\"", what, (int)a.len, (const char *)a.data, (int)b.len, (const char *)b.data);
}

/* Flags MariaDB sets on a column depending on its execution plan (an
 * aggregate read back from a temporary table or sent directly), which the
 * rewrite for the shards changes: NUM (client libraries set it themselves
 * from the type), and BINARY on columns of the binary character set that
 * are not strings (numbers, temporals: nothing reads it there). */
static guint16 plan_dependent_flags(const TsrColumnDef *col) {
  TsrValueClass cls;
  tsr_value_class_init(&cls, col, TSR_COLLATE_AUTO);
  return TSR_FIELD_NUM | (cls.kind != TSR_VALUE_STRING && col->charset == TSR_CHARSET_BINARY ? TSR_FIELD_BINARY : 0);
}

static void check_columns(const TsrVecCase *vc, TsrMergeProtocol protocol, const TsrMerger *m, TsrColumnDef *whole) {
  const TsrVecResult *w = result_of(vc, TSR_VEC_WHOLE, protocol);
  g_autoptr(GPtrArray) bytes = NULL;
  g_assert_cmpuint(tsr_merger_n_columns(m), ==, w->columns.n);
  bytes = decode_columns(&w->columns, whole);
  for (guint i = 0; i < w->columns.n; i++) {
    const TsrColumnDef *got = tsr_merger_column(m, i), *want = &whole[i];
    assert_slice_eq(got->name, want->name, "column name");
    assert_slice_eq(got->org_name, want->org_name, "column org_name");
    assert_slice_eq(got->table, want->table, "column table");
    assert_slice_eq(got->org_table, want->org_table, "column org_table");
    guint16 plan_flags = plan_dependent_flags(want);
    if (got->type != want->type || got->column_length != want->column_length || got->decimals != want->decimals ||
        (got->flags & ~plan_flags) != (want->flags & ~plan_flags) || got->charset != want->charset)
      g_error("%s: column %u (%.*s): got type %u length %u decimals %u flags 0x%x charset %u, MariaDB type %u length %u "
              "decimals %u flags 0x%x charset %u", vc->name, i, (int)want->name.len, want->name.data, got->type,
              got->column_length, got->decimals, got->flags, got->charset, want->type, want->column_length,
              want->decimals, want->flags, want->charset);
  }
}

typedef struct {
  TsrMergeProtocol protocol;
  guint n;
  TsrValueClass classes[64];
  TsrValueType types[64];
} RowContext;

/* Decodes a row into values (text values read with the classes). */
static void decode_row(const RowContext *ctx, const guint8 *p, gsize len, TsrValue *values) {
  GError *error = NULL;
  if (ctx->protocol == TSR_MERGE_BINARY) {
    g_assert_cmpint(tsr_binary_row_decode(p, len, ctx->types, ctx->n, values, &error), ==, TSR_DECODE_OK);
  } else {
    TsrSlice slices[64];
    g_assert_cmpint(tsr_text_row_decode(p, len, ctx->n, slices, &error), ==, TSR_DECODE_OK);
    for (guint i = 0; i < ctx->n; i++) {
      g_assert_true(tsr_value_from_text(&ctx->classes[i], slices[i], &values[i], &error));
      g_assert_no_error(error);
    }
  }
  g_assert_no_error(error);
}

/* Compares value bytes as the protocol carries them. */
static int compare_wire(const TsrValue *a, const TsrValue *b) {
  g_autoptr(GByteArray) ea = g_byte_array_new();
  g_autoptr(GByteArray) eb = g_byte_array_new();
  int c;
  if (a->is_null || b->is_null) return (int)b->is_null - (int)a->is_null;
  tsr_binary_value_encode(ea, a);
  tsr_binary_value_encode(eb, b);
  c = memcmp(ea->data, eb->data, MIN(ea->len, eb->len));
  return c != 0 ? c : (int)ea->len - (int)eb->len;
}

static gboolean collation_equality(const TsrValueClass *cls) {
  return cls->kind == TSR_VALUE_STRING && cls->order != TSR_STRING_BINARY;
}

/* 0 when two rows are the same answer. */
static int compare_rows(const RowContext *ctx, GBytes *a, GBytes *b, gboolean total) {
  TsrValue va[64], vb[64];
  gsize la, lb;
  const guint8 *pa = g_bytes_get_data(a, &la), *pb = g_bytes_get_data(b, &lb);
  decode_row(ctx, pa, la, va);
  decode_row(ctx, pb, lb, vb);
  for (guint i = 0; i < ctx->n; i++) {
    int c = tsr_value_compare(&ctx->classes[i], &va[i], &vb[i]);
    if (c == 0 && (!collation_equality(&ctx->classes[i]) || total)) c = compare_wire(&va[i], &vb[i]);
    if (c != 0) return c;
  }
  return 0;
}

static const RowContext *sort_ctx;

static gint sort_rows(gconstpointer a, gconstpointer b) {
  return compare_rows(sort_ctx, *(GBytes *const *)a, *(GBytes *const *)b, TRUE);
}

static char *describe_row(const RowContext *ctx, GBytes *row) {
  TsrValue v[64];
  GString *s = g_string_new("(");
  gsize len;
  const guint8 *p = g_bytes_get_data(row, &len);
  decode_row(ctx, p, len, v);
  for (guint i = 0; i < ctx->n; i++) {
    if (i) g_string_append(s, ", ");
    if (v[i].is_null) g_string_append(s, "NULL");
    else tsr_value_format_text(s, &ctx->classes[i], &v[i]);
  }
  g_string_append_c(s, ')');
  return g_string_free(s, FALSE);
}

static void check_rows(const TsrVecCase *vc, RowContext *ctx, GPtrArray *got, FeedOrder order) {
  const TsrVecResult *w = result_of(vc, TSR_VEC_WHOLE, ctx->protocol);
  g_autoptr(GPtrArray) want = packet_array(&w->rows);
  if (!vc->ordered) {
    sort_ctx = ctx;
    g_ptr_array_sort(want, sort_rows);
    g_ptr_array_sort(got, sort_rows);
  }
  for (guint i = 0; i < MIN(got->len, want->len); i++) {
    if (compare_rows(ctx, g_ptr_array_index(got, i), g_ptr_array_index(want, i), FALSE) == 0) continue;
    g_error("%s (%s, %s feed): row %u is %s, MariaDB's is %s\n  %s\n  shards: %s", vc->name,
            ctx->protocol == TSR_MERGE_TEXT ? "text" : "binary", feed_names[order], i,
            describe_row(ctx, g_ptr_array_index(got, i)), describe_row(ctx, g_ptr_array_index(want, i)), vc->whole_sql,
            vc->shard_sql);
  }
  if (got->len != want->len)
    g_error("%s (%s feed): %u rows, MariaDB returned %u\n  %s\n  shards: %s", vc->name, feed_names[order], got->len,
            want->len, vc->whole_sql, vc->shard_sql);
}

static void test_case(gconstpointer data) {
  const CaseRun *run = data;
  RowContext ctx = { run->protocol, 0 };
  TsrColumnDef whole[64];

  for (FeedOrder order = 0; order < FEED_MAX; order++) {
    TsrMerger *m = NULL;
    g_autoptr(GPtrArray) got = run_merge(run->vc, run->protocol, order, &m);
    check_columns(run->vc, run->protocol, m, whole);
    ctx.n = tsr_merger_n_columns(m);
    for (guint i = 0; i < ctx.n; i++) {
      tsr_value_class_init(&ctx.classes[i], &whole[i], TSR_COLLATE_AUTO);
      ctx.types[i] = ctx.classes[i].type;
    }
    check_rows(run->vc, &ctx, got, order);
    tsr_merger_free(m);
  }
}

/* Every binary value of the whole table's answer, as text, is MariaDB's text. */
static void test_formats(gconstpointer data) {
  const TsrVecCase *vc = data;
  const TsrVecResult *text = result_of(vc, TSR_VEC_WHOLE, TSR_MERGE_TEXT);
  const TsrVecResult *bin = result_of(vc, TSR_VEC_WHOLE, TSR_MERGE_BINARY);
  TsrColumnDef cols[64];
  RowContext ctx = { TSR_MERGE_BINARY, text->columns.n };
  g_autoptr(GString) s = g_string_new(NULL);
  g_autoptr(GPtrArray) text_rows = packet_array(&text->rows);
  g_autoptr(GPtrArray) bin_rows = packet_array(&bin->rows);

  g_autoptr(GPtrArray) col_bytes = decode_columns(&text->columns, cols);
  for (guint i = 0; i < ctx.n; i++) {
    tsr_value_class_init(&ctx.classes[i], &cols[i], TSR_COLLATE_AUTO);
    ctx.types[i] = ctx.classes[i].type;
  }
  g_assert_cmpuint(text->rows.n, ==, bin->rows.n);
  for (guint r = 0; r < text->rows.n; r++) {
    TsrValue v[64];
    TsrSlice t[64];
    GError *error = NULL;
    gsize blen, tlen;
    const guint8 *bp = g_bytes_get_data(g_ptr_array_index(bin_rows, r), &blen);
    const guint8 *tp = g_bytes_get_data(g_ptr_array_index(text_rows, r), &tlen);
    decode_row(&ctx, bp, blen, v);
    g_assert_cmpint(tsr_text_row_decode(tp, tlen, ctx.n, t, &error), ==, TSR_DECODE_OK);
    for (guint i = 0; i < ctx.n; i++) {
      g_assert_cmpint(v[i].is_null, ==, t[i].data == NULL);
      g_string_truncate(s, 0);
      tsr_value_format_text(s, &ctx.classes[i], &v[i]);
      assert_slice_eq((TsrSlice){ (const guint8 *)s->str, s->len }, t[i], vc->name);
    }
  }
}

static void test_divisions(void) {
  for (guint k = 0; k < tsr_vec_n_divisions; k++) {
    const TsrVecDivision *d = &tsr_vec_divisions[k];
    TsrDecimalSum sum;
    g_autoptr(GString) q = g_string_new(NULL);
    tsr_decimal_sum_init(&sum);
    g_assert_true(tsr_decimal_sum_add(&sum, (const guint8 *)d->sum, strlen(d->sum)));
    g_assert_true(tsr_decimal_sum_divide(&sum, d->count, d->decimals, q));
    if (strcmp(q->str, d->quotient) != 0)
      g_error("%s / %" G_GUINT64_FORMAT ": %s, MariaDB %s", d->sum, d->count, q->str, d->quotient);
    tsr_decimal_sum_clear(&sum);
  }
}

int main(int argc, char **argv) {
  g_autofree CaseRun *runs = g_new0(CaseRun, 2 * tsr_vec_n_cases);
  g_test_init(&argc, &argv, NULL);
  for (guint k = 0; k < tsr_vec_n_cases; k++) {
    const TsrVecCase *vc = tsr_vec_cases[k];
    g_autofree char *tp = g_strdup_printf("/merge/mariadb/text/%s", vc->name);
    g_autofree char *bp = g_strdup_printf("/merge/mariadb/binary/%s", vc->name);
    g_autofree char *fp = g_strdup_printf("/merge/mariadb/format/%s", vc->name);
    runs[2 * k] = (CaseRun){ vc, TSR_MERGE_TEXT };
    runs[2 * k + 1] = (CaseRun){ vc, TSR_MERGE_BINARY };
    g_test_add_data_func(tp, &runs[2 * k], test_case);
    g_test_add_data_func(bp, &runs[2 * k + 1], test_case);
    if (vc->ordered) g_test_add_data_func(fp, vc, test_formats);
  }
  g_test_add_func("/merge/mariadb/decimal-division", test_divisions);
  return g_test_run();
}
