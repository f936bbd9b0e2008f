/* test-merge.c: the merger's mechanics over hand-made shard rows: rows
 * passed on untouched (same pointer, no copy), hidden columns dropped in
 * both protocols, the k-way merge emitting as soon as every shard has a row
 * or is done, tsr_merger_wants(), fed buffers reused by the caller, LIMIT
 * and OFFSET with the early ENOUGH, aggregates over no rows, streaming and
 * hash grouping agreeing, HAVING's values, DISTINCT under a
 * case-insensitive collation, COUNT(DISTINCT) across shards, and every
 * refusal (specs that cannot be merged exactly, malformed rows). */
#include <string.h>
#include "plugins/sharding/merge.h"
#include "protocol/mysql-wire.h"

static const char null_marker;
#define NUL_V (&null_marker)   /* a NULL value in the row builders */

typedef struct {
  GPtrArray *rows;             /* GBytes */
  GPtrArray *pointers;         /* the payload pointers emitted */
} Sink;

static void sink_emit(const guint8 *payload, gsize len, gpointer data) {
  Sink *s = data;
  g_ptr_array_add(s->rows, g_bytes_new(payload, len));
  g_ptr_array_add(s->pointers, (gpointer)payload);
}

static void sink_init(Sink *s) {
  s->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  s->pointers = g_ptr_array_new();
}

static void sink_clear(Sink *s) {
  g_ptr_array_unref(s->rows);
  g_ptr_array_unref(s->pointers);
}

static TsrColumnDef column(guint8 type, guint16 flags, guint16 charset, guint8 decimals, guint32 length) {
  TsrColumnDef c;
  memset(&c, 0, sizeof c);
  c.type = type;
  c.flags = flags;
  c.charset = charset;
  c.decimals = decimals;
  c.column_length = length;
  c.name.data = (const guint8 *)"c";
  c.name.len = 1;
  return c;
}

#define INT_COL column(TSR_TYPE_LONGLONG, 0, 63, 0, 20)
#define STR_COL column(TSR_TYPE_VAR_STRING, 0, 45, 0, 80)
#define DEC_COL column(TSR_TYPE_NEWDECIMAL, 0, 63, 2, 34)

/* A text row of n values (NUL_V for NULL). */
static GBytes *text_row(guint n, const char *const *values) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  TsrSlice s[16];
  g_assert_cmpuint(n, <=, G_N_ELEMENTS(s));
  for (guint i = 0; i < n; i++) {
    s[i].data = values[i] == NUL_V ? NULL : (const guint8 *)values[i];
    s[i].len = values[i] == NUL_V ? 0 : strlen(values[i]);
  }
  tsr_text_row_encode(out, s, n);
  return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

#define ROW(...) text_row(G_N_ELEMENTS(((const char *[]){ __VA_ARGS__ })), (const char *[]){ __VA_ARGS__ })

/* Reads text row r of the sink into values (allocated strings, NULL for NULL). */
static char *cell(Sink *s, guint r, guint n, guint i) {
  TsrSlice v[16];
  gsize len;
  const guint8 *p = g_bytes_get_data(g_ptr_array_index(s->rows, r), &len);
  GError *error = NULL;
  g_assert_cmpint(tsr_text_row_decode(p, len, n, v, &error), ==, TSR_DECODE_OK);
  return v[i].data ? g_strndup((const char *)v[i].data, v[i].len) : NULL;
}

static void assert_cell(Sink *s, guint r, guint n, guint i, const char *want) {
  g_autofree char *got = cell(s, r, n, i);
  g_assert_cmpstr(got, ==, want);
}

/* Feeds a row from a buffer that is overwritten right after the call, as
 * the executor reuses its packet buffer: what the merger keeps must be its
 * own. */
static TsrMergeStatus feed(TsrMerger *m, guint shard, GBytes *row) {
  static guint8 reused[4096];
  gsize len;
  const guint8 *p = g_bytes_get_data(row, &len);
  GError *error = NULL;
  TsrMergeStatus st;
  g_assert_cmpuint(len, <=, sizeof reused);
  memcpy(reused, p, len);
  st = tsr_merger_feed(m, shard, reused, len, &error);
  g_assert_no_error(error);
  memset(reused, 0xAA, len);
  g_bytes_unref(row);
  return st;
}

static TsrMergeStatus done(TsrMerger *m, guint shard) {
  GError *error = NULL;
  TsrMergeStatus st = tsr_merger_shard_done(m, shard, &error);
  g_assert_no_error(error);
  return st;
}

static TsrMerger *merger(const TsrMergeSpec *spec, guint shards, TsrMergeProtocol p, const TsrColumnDef *cols,
                         Sink *s) {
  GError *error = NULL;
  TsrMerger *m = tsr_merger_new(spec, shards, p, cols, sink_emit, s, &error);
  g_assert_no_error(error);
  g_assert_nonnull(m);
  return m;
}

static void test_pass_through(void) {
  TsrColumnDef cols[2] = { INT_COL, STR_COL };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .limit = TSR_MERGE_NO_LIMIT };
  GBytes *rows[3] = { ROW("1", "a"), ROW("2", NUL_V), ROW("3", "c") };
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  m = merger(&spec, 3, TSR_MERGE_TEXT, cols, &s);
  for (guint i = 0; i < 3; i++) {
    gsize len;
    const guint8 *p = g_bytes_get_data(rows[i], &len);
    g_assert_true(tsr_merger_wants(m, i));
    g_assert_cmpint(tsr_merger_feed(m, 2 - i, p, len, NULL), ==, TSR_MERGE_CONTINUE);
    /* emitted at once, the caller's own bytes */
    g_assert_cmpuint(s.rows->len, ==, i + 1);
    g_assert_true(g_ptr_array_index(s.pointers, i) == p);
  }
  g_assert_cmpint(done(m, 0), ==, TSR_MERGE_CONTINUE);
  g_assert_false(tsr_merger_wants(m, 0));
  g_assert_cmpint(done(m, 1), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpint(done(m, 2), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(tsr_merger_rows_emitted(m), ==, 3);
  for (guint i = 0; i < 3; i++) g_bytes_unref(rows[i]);
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_hidden_text(void) {
  TsrColumnDef cols[3] = { INT_COL, STR_COL, INT_COL };
  TsrSortKey order[] = { { 2, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 3, .output_columns = 2, .order_by = order, .n_order_by = 1,
                        .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;
  g_autoptr(GBytes) want = ROW("7", NUL_V);

  sink_init(&s);
  m = merger(&spec, 1, TSR_MERGE_TEXT, cols, &s);
  g_assert_cmpuint(tsr_merger_n_columns(m), ==, 2);
  feed(m, 0, ROW("7", NUL_V, "100"));
  g_assert_cmpint(done(m, 0), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 1);
  g_assert_true(g_bytes_equal(g_ptr_array_index(s.rows, 0), want));
  tsr_merger_free(m);
  sink_clear(&s);
}

static GBytes *binary_row(const TsrValue *v, guint n) {
  g_autoptr(GByteArray) out = g_byte_array_new();
  tsr_binary_row_encode(out, v, n);
  return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void test_hidden_binary(void) {
  /* 9 visible columns (the NULL bitmap of 9 + 2 bits needs 2 bytes, of 10 + 2 too; of 7 + 2 only 1) */
  TsrColumnDef cols[10];
  TsrValue v[10];
  TsrMergeSpec spec = { .shard_columns = 10, .output_columns = 7, .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) want = NULL;

  memset(v, 0, sizeof v);
  for (guint i = 0; i < 10; i++) {
    cols[i] = i % 2 ? STR_COL : INT_COL;
    v[i].type = tsr_value_type_of_column(&cols[i]);
    v[i].is_null = i == 3 || i == 8;
    v[i].v.i = (gint64)i * 1000;
    v[i].raw.data = (const guint8 *)"text";
    v[i].raw.len = 4;
  }
  in = binary_row(v, 10);
  want = binary_row(v, 7);
  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_BINARY, cols, &s);
  feed(m, 1, g_bytes_ref(in));
  g_assert_cmpuint(s.rows->len, ==, 1);
  g_assert_true(g_bytes_equal(g_ptr_array_index(s.rows, 0), want));
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_merge_order(void) {
  TsrColumnDef cols[2] = { INT_COL, STR_COL };
  TsrSortKey order[] = { { 0, TRUE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .order_by = order, .n_order_by = 1,
                        .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  const char *want[] = { "9", "8", "5", "4", "1", "-3", NULL, NULL };
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  m = merger(&spec, 3, TSR_MERGE_TEXT, cols, &s);
  /* DESC: NULLs last */
  feed(m, 0, ROW("8", "s0"));
  g_assert_false(tsr_merger_wants(m, 0));
  g_assert_true(tsr_merger_wants(m, 1));
  feed(m, 0, ROW("4", "s0"));
  feed(m, 1, ROW("9", "s1"));
  g_assert_cmpuint(s.rows->len, ==, 0);    /* shard 2 may still send a bigger key */
  feed(m, 2, ROW("5", "s2"));
  g_assert_cmpuint(s.rows->len, ==, 1);    /* 9; then shard 1 is empty and may still send an 8.5 */
  g_assert_true(tsr_merger_wants(m, 1));
  g_assert_false(tsr_merger_wants(m, 0));
  g_assert_false(tsr_merger_wants(m, 2));
  feed(m, 1, ROW(NUL_V, "s1"));
  g_assert_cmpuint(s.rows->len, ==, 3);    /* 8 and 5: shard 2 is empty now */
  g_assert_true(tsr_merger_wants(m, 2));
  feed(m, 2, ROW("1", "s2"));
  g_assert_cmpuint(s.rows->len, ==, 4);    /* 4 */
  g_assert_cmpint(done(m, 0), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpuint(s.rows->len, ==, 5);    /* 1 */
  feed(m, 2, ROW("-3", "s2"));
  feed(m, 2, ROW(NUL_V, "s2"));
  g_assert_cmpuint(s.rows->len, ==, 7);    /* -3, shard 1's NULL */
  done(m, 1);
  g_assert_cmpint(done(m, 2), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, G_N_ELEMENTS(want));
  for (guint r = 0; r < G_N_ELEMENTS(want); r++) assert_cell(&s, r, 2, 0, want[r]);
  tsr_merger_free(m);
  sink_clear(&s);
}

/* The caller reuses its buffer after every feed: rows the merger keeps
 * must be its own copies. */
static void test_reused_buffers(void) {
  TsrColumnDef cols[2] = { INT_COL, STR_COL };
  TsrSortKey order[] = { { 1, FALSE, TSR_COLLATE_AUTO }, { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .order_by = order, .n_order_by = 2,
                        .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  /* each shard sorted by (s under general_ci, id); merged, the ids come out 0..10 */
  const char *ids[2][6] = { { "0", "1", "2", "5", "6", "9" }, { "3", "4", "7", "8", "10", NULL } };
  const char *strs[2][6] = { { "APPLE", "apple", "Apple", "banana", "BANANA", "cherry" },
                             { "apple", "aPPle", "Banana", "cherry", "CHERRY", NULL } };
  guint8 buf[64];
  guint pos[2] = { 0, 0 };
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  for (guint k = 0; k < 11; k++) {
    guint sh = (k % 2 && ids[1][pos[1]]) || !ids[0][pos[0]] ? 1 : 0;
    g_autoptr(GBytes) row = text_row(2, (const char *[]){ ids[sh][pos[sh]], strs[sh][pos[sh]] });
    gsize len;
    const guint8 *p = g_bytes_get_data(row, &len);
    pos[sh]++;
    memcpy(buf, p, len);
    g_assert_cmpint(tsr_merger_feed(m, sh, buf, len, NULL), ==, TSR_MERGE_CONTINUE);
    memset(buf, 0xAA, sizeof buf);
  }
  done(m, 0);
  g_assert_cmpint(done(m, 1), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 11);
  for (guint r = 0; r < 11; r++) {
    g_autofree char *want = g_strdup_printf("%u", r);
    assert_cell(&s, r, 2, 0, want);
  }
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_limit(void) {
  TsrColumnDef cols[1] = { INT_COL };
  TsrMergeSpec spec = { .shard_columns = 1, .output_columns = 1, .offset = 2, .limit = 3 };
  GError *error = NULL;
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  g_assert_cmpint(feed(m, 0, ROW("0")), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpint(feed(m, 1, ROW("1")), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpint(feed(m, 0, ROW("2")), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpint(feed(m, 1, ROW("3")), ==, TSR_MERGE_CONTINUE);
  g_assert_false(tsr_merger_enough(m));
  g_assert_cmpint(feed(m, 0, ROW("4")), ==, TSR_MERGE_ENOUGH);
  g_assert_true(tsr_merger_enough(m));
  g_assert_false(tsr_merger_wants(m, 1));
  g_assert_cmpint(feed(m, 1, ROW("5")), ==, TSR_MERGE_ENOUGH);
  g_assert_cmpint(tsr_merger_shard_done(m, 1, &error), ==, TSR_MERGE_ENOUGH);
  g_assert_cmpuint(s.rows->len, ==, 3);
  for (guint r = 0; r < 3; r++) {
    g_autofree char *want = g_strdup_printf("%u", r + 2);
    assert_cell(&s, r, 1, 0, want);
  }
  tsr_merger_free(m);

  spec.limit = 0;
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  g_assert_true(tsr_merger_enough(m));
  g_assert_cmpint(feed(m, 0, ROW("0")), ==, TSR_MERGE_ENOUGH);
  g_assert_cmpuint(s.rows->len, ==, 3);
  tsr_merger_free(m);
  sink_clear(&s);
}

/* LIMIT over unsorted shards: the sort buffer keeps offset + limit rows. */
static void test_limit_unsorted(void) {
  TsrColumnDef cols[1] = { INT_COL };
  TsrSortKey order[] = { { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 1, .output_columns = 1, .order_by = order, .n_order_by = 1,
                        .offset = 3, .limit = 4 };
  Sink s;
  TsrMerger *m;
  GRand *rnd = g_rand_new_with_seed(3);

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  for (guint i = 0; i < 1000; i++) {
    g_autofree char *num = g_strdup_printf("%d", g_rand_int_range(rnd, 1000, 100000));
    feed(m, i % 2, text_row(1, (const char *[]){ num }));
  }
  feed(m, 0, ROW("7"));
  feed(m, 1, ROW("-5"));
  feed(m, 1, ROW("3"));
  feed(m, 0, ROW("5"));
  feed(m, 1, ROW("8"));
  feed(m, 0, ROW("6"));
  feed(m, 1, ROW("4"));
  done(m, 0);
  g_assert_cmpint(done(m, 1), ==, TSR_MERGE_ENOUGH);
  g_assert_cmpuint(s.rows->len, ==, 4);
  for (guint r = 0; r < 4; r++) {
    g_autofree char *want = g_strdup_printf("%u", r + 5);
    assert_cell(&s, r, 1, 0, want);
  }
  g_rand_free(rnd);
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_aggregate_no_rows(void) {
  TsrColumnDef cols[5] = { INT_COL, DEC_COL, STR_COL, DEC_COL, INT_COL };
  TsrOutputColumn outs[] = { { TSR_AGG_COUNT, 0 }, { TSR_AGG_SUM, 1 }, { TSR_AGG_MIN, 2 }, { TSR_AGG_AVG, 3, 4 } };
  TsrMergeSpec spec = { .shard_columns = 5, .output_columns = 4, .outputs = outs, .aggregate = TRUE,
                        .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  /* every shard answers COUNT 0, SUM NULL, MIN NULL, AVG's SUM NULL and COUNT 0 */
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  feed(m, 0, ROW("0", NUL_V, NUL_V, NUL_V, "0"));
  feed(m, 1, ROW("0", NUL_V, NUL_V, NUL_V, "0"));
  done(m, 0);
  g_assert_cmpint(done(m, 1), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 1);
  assert_cell(&s, 0, 4, 0, "0");
  assert_cell(&s, 0, 4, 1, NULL);
  assert_cell(&s, 0, 4, 2, NULL);
  assert_cell(&s, 0, 4, 3, NULL);
  tsr_merger_free(m);

  /* no shard row at all: still the one row */
  m = merger(&spec, 1, TSR_MERGE_TEXT, cols, &s);
  g_assert_cmpint(done(m, 0), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 2);
  assert_cell(&s, 1, 4, 0, "0");
  assert_cell(&s, 1, 4, 1, NULL);
  tsr_merger_free(m);

  /* and with values: SUM exact, AVG = (SUM) / (COUNT), rounded half up at 2 + 4 decimals */
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  feed(m, 0, ROW("2", "0.10", "b", "0.10", "1"));
  feed(m, 1, ROW("5", "-0.30", "A", "0.10", "2"));
  done(m, 0);
  done(m, 1);
  assert_cell(&s, 2, 4, 0, "7");
  assert_cell(&s, 2, 4, 1, "-0.20");
  assert_cell(&s, 2, 4, 2, "A");
  assert_cell(&s, 2, 4, 3, "0.066667");
  g_assert_cmpuint(tsr_merger_column(m, 3)->decimals, ==, 6);
  tsr_merger_free(m);
  sink_clear(&s);
}

/* Rows of (g, COUNT, SUM) from 3 shards, grouped streaming and hashed. */
static GPtrArray *grouped(gboolean sorted, TsrMergeProtocol protocol) {
  TsrColumnDef cols[3] = { STR_COL, INT_COL, DEC_COL };
  TsrOutputColumn outs[] = { { TSR_AGG_NONE, 0 }, { TSR_AGG_COUNT, 1 }, { TSR_AGG_SUM, 2 } };
  guint group[] = { 0 };
  TsrMergeSpec spec = { .shard_columns = 3, .output_columns = 3, .outputs = outs, .aggregate = TRUE,
                        .group_by = group, .n_group_by = 1, .shards_sorted = sorted, .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;
  GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);

  sink_init(&s);
  m = merger(&spec, 3, protocol, cols, &s);
  feed(m, 0, ROW(NUL_V, "1", "1.00"));
  feed(m, 0, ROW("apple", "2", "2.00"));
  feed(m, 1, ROW("APPLE", "3", "3.00"));
  feed(m, 1, ROW("b", "1", NUL_V));
  if (sorted) g_assert_cmpuint(s.rows->len, ==, 0);
  feed(m, 2, ROW(NUL_V, "4", "-5.50"));
  feed(m, 2, ROW("apple ", "5", "0.25"));
  if (sorted) g_assert_cmpuint(s.rows->len, ==, 1);  /* the NULL group is complete */
  done(m, 0);
  feed(m, 2, ROW("c", "1", "1.00"));
  done(m, 1);
  done(m, 2);
  for (guint r = 0; r < s.rows->len; r++) {
    g_autofree char *g = cell(&s, r, 3, 0);
    g_autofree char *c = cell(&s, r, 3, 1);
    g_autofree char *sum = cell(&s, r, 3, 2);
    g_ptr_array_add(texts, g_strdup_printf("%s|%s|%s", g ? g : "NULL", c, sum ? sum : "NULL"));
  }
  tsr_merger_free(m);
  sink_clear(&s);
  return texts;
}

/* The row fed last is kept while another shard is awaited, then grouped
 * first: its values must come from the merger's copy, not from the
 * caller's buffer, which feed() has overwritten by then. */
static void test_group_kept_row(void) {
  TsrColumnDef cols[2] = { STR_COL, INT_COL };
  TsrOutputColumn outs[] = { { TSR_AGG_NONE, 0 }, { TSR_AGG_COUNT, 1 } };
  guint group[] = { 0 };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .outputs = outs, .aggregate = TRUE,
                        .group_by = group, .n_group_by = 1, .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  feed(m, 0, ROW("kiwi", "3"));
  g_assert_cmpuint(s.rows->len, ==, 0);
  done(m, 0);
  g_assert_cmpint(done(m, 1), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 1);
  assert_cell(&s, 0, 2, 0, "kiwi");
  assert_cell(&s, 0, 2, 1, "3");
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_group_stream_hash(void) {
  g_autoptr(GPtrArray) a = grouped(TRUE, TSR_MERGE_TEXT);
  g_autoptr(GPtrArray) b = grouped(FALSE, TSR_MERGE_TEXT);
  const char *want[] = { "NULL|5|-4.50", "apple|10|5.25", "b|1|NULL", "c|1|1.00" };
  g_assert_cmpuint(a->len, ==, 4);
  g_assert_cmpuint(b->len, ==, 4);
  for (guint r = 0; r < 4; r++) {
    g_assert_cmpstr(g_ptr_array_index(a, r), ==, want[r]);
    g_assert_cmpstr(g_ptr_array_index(b, r), ==, want[r]);  /* hash groups come out as they appeared */
  }
}

typedef struct {
  guint calls;
  guint n;
  char last[4][32];
} HavingLog;

static gboolean having_count_over_2(const TsrMergeFilter *f, const char *const *values, const gsize *lengths, guint n) {
  HavingLog *log = f->data;
  log->calls++;
  log->n = n;
  for (guint i = 0; i < n && i < 4; i++) {
    g_assert_true(values[i] == NULL || strlen(values[i]) == lengths[i]);
    g_strlcpy(log->last[i], values[i] ? values[i] : "NULL", sizeof log->last[i]);
  }
  return values[1] && g_ascii_strtoll(values[1], NULL, 10) > 2;
}

static void test_having_hidden(void) {
  /* SELECT g FROM t GROUP BY g HAVING COUNT(*) > 2: COUNT is a hidden output */
  TsrColumnDef cols[2] = { INT_COL, INT_COL };
  TsrOutputColumn outs[] = { { TSR_AGG_NONE, 0 }, { TSR_AGG_COUNT, 1 } };
  guint group[] = { 0 };
  HavingLog log = { 0 };
  TsrMergeFilter having = { having_count_over_2, &log };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 1, .outputs = outs, .aggregate = TRUE,
                        .group_by = group, .n_group_by = 1, .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT,
                        .having = &having, .n_outputs = 2 };
  g_autoptr(GBytes) want = ROW("2");
  Sink s;
  TsrMerger *m;

  for (TsrMergeProtocol p = TSR_MERGE_TEXT; p <= TSR_MERGE_BINARY; p++) {
    TsrValue v[2];
    memset(v, 0, sizeof v);
    sink_init(&s);
    log.calls = 0;
    m = merger(&spec, 2, p, cols, &s);
    g_assert_cmpuint(tsr_merger_n_columns(m), ==, 1);
    for (guint i = 0; i < 4; i++) {
      const char *g[] = { "1", "2", "2", "3" }, *c[] = { "2", "1", "2", "1" };
      if (p == TSR_MERGE_TEXT) {
        feed(m, i % 2, text_row(2, (const char *[]){ g[i], c[i] }));
        continue;
      }
      for (guint k = 0; k < 2; k++) {
        v[k].type = tsr_value_type_of_column(&cols[k]);
        v[k].v.i = g_ascii_strtoll(k ? c[i] : g[i], NULL, 10);
      }
      feed(m, i % 2, binary_row(v, 2));
    }
    done(m, 0);
    done(m, 1);
    g_assert_cmpuint(log.calls, ==, 3);
    g_assert_cmpuint(log.n, ==, 2);
    g_assert_cmpstr(log.last[0], ==, "3");
    g_assert_cmpstr(log.last[1], ==, "1");
    g_assert_cmpuint(s.rows->len, ==, 1);
    if (p == TSR_MERGE_TEXT) g_assert_true(g_bytes_equal(g_ptr_array_index(s.rows, 0), want));
    tsr_merger_free(m);
    sink_clear(&s);
  }
}

static void test_distinct(void) {
  TsrColumnDef cols[1] = { STR_COL };
  TsrSortKey order[] = { { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 1, .output_columns = 1, .distinct = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  const char *shard0[] = { "a", "b", "B " }, *shard1[] = { "A", "a  ", "c" };
  Sink s;

  for (guint sorted = 0; sorted < 2; sorted++) {
    TsrMerger *m;
    spec.order_by = sorted ? order : NULL;
    spec.n_order_by = sorted ? 1 : 0;
    spec.shards_sorted = sorted;
    sink_init(&s);
    m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
    for (guint i = 0; i < 3; i++) {
      feed(m, 0, text_row(1, &shard0[i]));
      feed(m, 1, text_row(1, &shard1[i]));
    }
    done(m, 0);
    done(m, 1);
    g_assert_cmpuint(s.rows->len, ==, 3);
    assert_cell(&s, 0, 1, 0, "a");
    assert_cell(&s, 1, 1, 0, "b");
    assert_cell(&s, 2, 1, 0, "c");
    tsr_merger_free(m);
    sink_clear(&s);
  }
}

static void test_count_distinct(void) {
  /* SELECT g, COUNT(DISTINCT x) GROUP BY g: shards send (g, x) per distinct pair */
  TsrColumnDef cols[2] = { INT_COL, STR_COL };
  TsrOutputColumn outs[] = { { TSR_AGG_NONE, 0 }, { TSR_AGG_COUNT_DISTINCT, 1 } };
  guint group[] = { 0 };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .outputs = outs, .aggregate = TRUE,
                        .group_by = group, .n_group_by = 1, .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  Sink s;
  TsrMerger *m;
  const TsrColumnDef *c;

  sink_init(&s);
  m = merger(&spec, 3, TSR_MERGE_TEXT, cols, &s);
  c = tsr_merger_column(m, 1);
  g_assert_cmpuint(c->type, ==, TSR_TYPE_LONGLONG);
  g_assert_cmpuint(c->column_length, ==, 21);
  g_assert_cmpuint(c->flags, ==, TSR_FIELD_NOT_NULL | TSR_FIELD_BINARY);
  g_assert_cmpuint(c->charset, ==, TSR_CHARSET_BINARY);
  feed(m, 0, ROW("1", NUL_V));
  feed(m, 0, ROW("1", "x"));
  feed(m, 0, ROW("1", "y"));
  feed(m, 1, ROW("1", "X"));
  feed(m, 1, ROW("2", "x"));
  feed(m, 2, ROW("1", "z"));
  feed(m, 2, ROW("2", "x "));
  done(m, 0);
  done(m, 1);
  g_assert_cmpint(done(m, 2), ==, TSR_MERGE_DONE);
  g_assert_cmpuint(s.rows->len, ==, 2);
  assert_cell(&s, 0, 2, 1, "3");   /* x, y, z: NULL is not counted, X is x */
  assert_cell(&s, 1, 2, 1, "1");
  tsr_merger_free(m);
  sink_clear(&s);
}

static void expect_refused(const TsrMergeSpec *spec, const TsrColumnDef *cols, guint shards, gint code) {
  GError *error = NULL;
  Sink s;
  TsrMerger *m;
  sink_init(&s);
  m = tsr_merger_new(spec, shards, TSR_MERGE_TEXT, cols, sink_emit, &s, &error);
  g_assert_null(m);
  g_assert_error(error, TSR_MERGE_ERROR, code);
  g_clear_error(&error);
  sink_clear(&s);
}

static void test_refusals(void) {
  TsrColumnDef cols[3] = { column(TSR_TYPE_STRING, TSR_FIELD_ENUM, 45, 0, 4), STR_COL, DEC_COL };
  TsrColumnDef gbk[1] = { column(TSR_TYPE_VAR_STRING, 0, 28, 0, 20) };
  TsrSortKey order_enum[] = { { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrSortKey order_far[] = { { 7, FALSE, TSR_COLLATE_AUTO } };
  TsrSortKey order_hidden[] = { { 2, TRUE, TSR_COLLATE_AUTO } };
  TsrOutputColumn sum_str[] = { { TSR_AGG_SUM, 1 } };
  TsrOutputColumn count_dec[] = { { TSR_AGG_COUNT, 2 } };
  TsrOutputColumn min_enum[] = { { TSR_AGG_MIN, 0 } };
  TsrOutputColumn avg_far[] = { { TSR_AGG_AVG, 2, 9 } };
  TsrOutputColumn plain[] = { { TSR_AGG_NONE, 0 }, { TSR_AGG_COUNT, 1 } };
  TsrColumnDef counted[3] = { STR_COL, INT_COL, INT_COL };
  TsrMergeSpec base = { .shard_columns = 3, .output_columns = 1, .limit = TSR_MERGE_NO_LIMIT };
  TsrMergeSpec spec;
  guint group[] = { 0 };

  spec = base, spec.order_by = order_enum, spec.n_order_by = 1, spec.shards_sorted = TRUE;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_UNSUPPORTED);     /* ENUM ordered by index */
  spec = base, spec.order_by = order_far, spec.n_order_by = 1;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_INVALID);
  spec = base, spec.aggregate = TRUE, spec.outputs = sum_str;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_UNSUPPORTED);     /* SUM of strings */
  spec = base, spec.aggregate = TRUE, spec.outputs = count_dec;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_UNSUPPORTED);     /* a COUNT that is not an integer */
  spec = base, spec.aggregate = TRUE, spec.outputs = min_enum;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_UNSUPPORTED);
  spec = base, spec.aggregate = TRUE, spec.outputs = avg_far;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_INVALID);
  spec = base, spec.output_columns = 4;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_INVALID);
  spec = base, spec.group_by = group, spec.n_group_by = 1;
  expect_refused(&spec, cols, 2, TSR_MERGE_ERROR_INVALID);         /* GROUP BY without aggregates */
  spec = base;
  expect_refused(&spec, cols, 0, TSR_MERGE_ERROR_INVALID);
  /* ORDER BY a shard column that is neither an output nor a group key */
  spec = base, spec.aggregate = TRUE, spec.outputs = plain, spec.output_columns = 2, spec.group_by = group,
  spec.n_group_by = 1, spec.order_by = order_hidden, spec.n_order_by = 1;
  expect_refused(&spec, counted, 2, TSR_MERGE_ERROR_INVALID);
  /* GROUP BY a column whose character set has no collation here */
  spec = base, spec.shard_columns = 1, spec.aggregate = TRUE, spec.outputs = plain, spec.group_by = group,
  spec.n_group_by = 1;
  expect_refused(&spec, gbk, 2, TSR_MERGE_ERROR_UNSUPPORTED);
}

static void test_bad_rows(void) {
  TsrColumnDef cols[2] = { INT_COL, STR_COL };
  TsrSortKey order[] = { { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .order_by = order, .n_order_by = 1,
                        .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  TsrColumnDef other[2] = { INT_COL, column(TSR_TYPE_BLOB, TSR_FIELD_BINARY | TSR_FIELD_BLOB, 63, 0, 65535) };
  GError *error = NULL;
  Sink s;
  TsrMerger *m;
  g_autoptr(GBytes) bad_int = ROW("12x", "a");
  g_autoptr(GBytes) short_row = ROW("1");
  const guint8 *p;
  gsize len;

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  p = g_bytes_get_data(bad_int, &len);
  g_assert_cmpint(tsr_merger_feed(m, 0, p, len, &error), ==, TSR_MERGE_FAILED);
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_ROW);
  g_clear_error(&error);
  p = g_bytes_get_data(short_row, &len);
  g_assert_cmpint(tsr_merger_feed(m, 1, p, len, &error), ==, TSR_MERGE_FAILED);
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_ROW);
  g_clear_error(&error);
  g_assert_cmpint(tsr_merger_feed(m, 5, p, len, &error), ==, TSR_MERGE_FAILED);
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_INVALID);
  g_clear_error(&error);
  done(m, 0);
  g_assert_cmpint(tsr_merger_shard_done(m, 0, &error), ==, TSR_MERGE_FAILED);
  g_clear_error(&error);
  g_assert_false(tsr_merger_check_columns(m, 1, other, 2, &error));
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED);
  g_clear_error(&error);
  g_assert_false(tsr_merger_check_columns(m, 1, other, 1, &error));
  g_clear_error(&error);
  g_assert_true(tsr_merger_check_columns(m, 1, cols, 2, &error));
  /* BINARY on a number follows the shard's plan: no drift; on text it is the collation */
  other[0] = INT_COL, other[0].flags |= TSR_FIELD_BINARY | TSR_FIELD_NUM;
  other[1] = STR_COL;
  g_assert_true(tsr_merger_check_columns(m, 1, other, 2, &error));
  other[1].flags |= TSR_FIELD_BINARY;
  g_assert_false(tsr_merger_check_columns(m, 1, other, 2, &error));
  g_clear_error(&error);
  other[1] = STR_COL, other[1].charset = 8;
  g_assert_false(tsr_merger_check_columns(m, 1, other, 2, &error));
  g_clear_error(&error);
  tsr_merger_free(m);
  sink_clear(&s);
}

static void test_count_overflow(void) {
  TsrColumnDef cols[1] = { column(TSR_TYPE_LONGLONG, TSR_FIELD_UNSIGNED, 63, 0, 20) };
  TsrOutputColumn outs[] = { { TSR_AGG_COUNT, 0 } };
  TsrMergeSpec spec = { .shard_columns = 1, .output_columns = 1, .outputs = outs, .aggregate = TRUE,
                        .limit = TSR_MERGE_NO_LIMIT };
  GError *error = NULL;
  Sink s;
  TsrMerger *m;
  g_autoptr(GBytes) big = ROW("18446744073709551615");
  const guint8 *p;
  gsize len;

  sink_init(&s);
  m = merger(&spec, 2, TSR_MERGE_TEXT, cols, &s);
  p = g_bytes_get_data(big, &len);
  g_assert_cmpint(tsr_merger_feed(m, 0, p, len, &error), ==, TSR_MERGE_CONTINUE);
  g_assert_cmpint(tsr_merger_feed(m, 1, p, len, &error), ==, TSR_MERGE_FAILED);
  g_assert_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_OVERFLOW);
  g_clear_error(&error);
  tsr_merger_free(m);
  sink_clear(&s);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/merge/pass-through", test_pass_through);
  g_test_add_func("/merge/hidden-text", test_hidden_text);
  g_test_add_func("/merge/hidden-binary", test_hidden_binary);
  g_test_add_func("/merge/merge-order", test_merge_order);
  g_test_add_func("/merge/reused-buffers", test_reused_buffers);
  g_test_add_func("/merge/limit", test_limit);
  g_test_add_func("/merge/limit-unsorted", test_limit_unsorted);
  g_test_add_func("/merge/aggregate-no-rows", test_aggregate_no_rows);
  g_test_add_func("/merge/group-stream-hash", test_group_stream_hash);
  g_test_add_func("/merge/group-kept-row", test_group_kept_row);
  g_test_add_func("/merge/having-hidden", test_having_hidden);
  g_test_add_func("/merge/distinct", test_distinct);
  g_test_add_func("/merge/count-distinct", test_count_distinct);
  g_test_add_func("/merge/refusals", test_refusals);
  g_test_add_func("/merge/bad-rows", test_bad_rows);
  g_test_add_func("/merge/count-overflow", test_count_overflow);
  return g_test_run();
}
