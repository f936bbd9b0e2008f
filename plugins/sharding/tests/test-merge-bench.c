/* test-merge-bench.c: nanoseconds per row of the merger (a benchmark, not a
 * test: meson benchmark). Three shards each return rows (BIGINT key,
 * VARCHAR) sorted by the key; the merger merges them by key (ORDER BY id).
 * Feeding round robin queues most rows (a copy each); feeding the shard the
 * merger wants lets most rows leave during their own feed, uncopied.
 * Concatenation (no ORDER BY) is the floor: rows passed on untouched.
 * Times are this thread's CPU time per row. */
#include <string.h>
#include <time.h>
#include "plugins/sharding/merge.h"

#define SHARDS 3

typedef struct {
  guint64 rows, bytes;
} Count;

/* CPU time of this thread in nanoseconds: the machine may be shared. */
static gint64 cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void count_row(const guint8 *payload, gsize len, gpointer data) {
  Count *c = data;
  c->rows++;
  c->bytes += len + payload[0];
}

/* The rows of one shard back to back, as they arrive in a read buffer. */
typedef struct {
  GByteArray *bytes;
  GArray *ends;                /* gsize: end of each row in bytes */
} Rows;

/* Rows of shard s: keys s, s + 3, s + 6, ... */
static void make_rows(Rows *rows, guint s, guint n, TsrMergeProtocol protocol, const TsrColumnDef *cols) {
  rows->bytes = g_byte_array_new();
  rows->ends = g_array_new(FALSE, FALSE, sizeof(gsize));
  for (guint i = 0; i < n; i++) {
    char key[24], text[32];
    gsize end;
    g_snprintf(key, sizeof key, "%u", i * SHARDS + s);
    g_snprintf(text, sizeof text, "row-%u-of-shard-%u", i, s);
    if (protocol == TSR_MERGE_TEXT) {
      TsrSlice v[2] = { { (const guint8 *)key, strlen(key) }, { (const guint8 *)text, strlen(text) } };
      tsr_text_row_encode(rows->bytes, v, 2);
    } else {
      TsrValue v[2];
      memset(v, 0, sizeof v);
      v[0].type = tsr_value_type_of_column(&cols[0]);
      v[0].v.i = i * SHARDS + s;
      v[1].type = tsr_value_type_of_column(&cols[1]);
      v[1].raw.data = (const guint8 *)text;
      v[1].raw.len = strlen(text);
      tsr_binary_row_encode(rows->bytes, v, 2);
    }
    end = rows->bytes->len;
    g_array_append_val(rows->ends, end);
  }
}

static double run(const char *what, TsrMergeProtocol protocol, gboolean ordered, gboolean wanted, guint n) {
  TsrColumnDef cols[2];
  TsrSortKey order[] = { { 0, FALSE, TSR_COLLATE_AUTO } };
  TsrMergeSpec spec = { .shard_columns = 2, .output_columns = 2, .order_by = ordered ? order : NULL,
                        .n_order_by = ordered ? 1 : 0, .shards_sorted = TRUE, .limit = TSR_MERGE_NO_LIMIT };
  Rows rows[SHARDS];
  guint pos[SHARDS] = { 0 };
  Count count = { 0 };
  GError *error = NULL;
  TsrMerger *m;
  gint64 t0, t1;
  double ns;

  memset(cols, 0, sizeof cols);
  cols[0].type = TSR_TYPE_LONGLONG;
  cols[0].charset = TSR_CHARSET_BINARY;
  cols[1].type = TSR_TYPE_VAR_STRING;
  cols[1].charset = TSR_CHARSET_UTF8MB4_GENERAL_CI;
  for (guint s = 0; s < SHARDS; s++) make_rows(&rows[s], s, n, protocol, cols);
  m = tsr_merger_new(&spec, SHARDS, protocol, cols, count_row, &count, &error);
  g_assert_no_error(error);
  t0 = cpu_ns();
  for (guint k = 0; k < SHARDS * n; k++) {
    guint s = k % SHARDS;
    gsize start, end;
    if (wanted)
      for (s = 0; s < SHARDS && !tsr_merger_wants(m, s); s++) {}
    g_assert_cmpuint(s, <, SHARDS);
    start = pos[s] ? g_array_index(rows[s].ends, gsize, pos[s] - 1) : 0;
    end = g_array_index(rows[s].ends, gsize, pos[s]);
    pos[s]++;
    if (tsr_merger_feed(m, s, rows[s].bytes->data + start, end - start, &error) != TSR_MERGE_CONTINUE)
      g_error("feed: %s", error->message);
    if (pos[s] == n) tsr_merger_shard_done(m, s, &error);
  }
  t1 = cpu_ns();
  g_assert_cmpuint(count.rows, ==, (guint64)SHARDS * n);
  ns = (double)(t1 - t0) / (SHARDS * (double)n);
  g_print("%-48s %-6s %7.1f ns/row\n", what, protocol == TSR_MERGE_TEXT ? "text" : "binary", ns);
  tsr_merger_free(m);
  for (guint s = 0; s < SHARDS; s++) {
    g_byte_array_unref(rows[s].bytes);
    g_array_unref(rows[s].ends);
  }
  return ns;
}

int main(int argc, char **argv) {
  guint n = argc > 1 ? (guint)g_ascii_strtoull(argv[1], NULL, 10) : 300000;
  g_print("%u rows per shard, %u shards\n", n, SHARDS);
  for (TsrMergeProtocol p = TSR_MERGE_TEXT; p <= TSR_MERGE_BINARY; p++) {
    run("3-way ORDER BY merge, fed round robin", p, TRUE, FALSE, n);
    run("3-way ORDER BY merge, fed the shard it wants", p, TRUE, TRUE, n);
    run("concatenation (rows passed on)", p, FALSE, FALSE, n);
  }
  return 0;
}
