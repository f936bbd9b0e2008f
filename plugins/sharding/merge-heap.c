/* merge-heap.c: the MERGE source, a k-way merge of shards that each
 * return their rows sorted by the merge keys.
 *
 * Every shard has a queue of rows; a binary min-heap holds the shards whose
 * queue is not empty, ordered by their head rows (ties: the lower shard
 * first). A row leaves as soon as no shard is `waiting` (queue empty and
 * not done): then the smallest head is smaller than anything still to
 * come. The row being fed is borrowed (its payload belongs to the caller);
 * if it is still queued when the feed returns, it is copied. */
#include "merge-private.h"

static void queue_push(TsrRowQueue *q, TsrMergeRow *row) {
  if (q->len == q->cap) {
    guint cap = MAX(q->cap * 2, 4u);
    TsrMergeRow **rows = g_new(TsrMergeRow *, cap);
    for (guint i = 0; i < q->len; i++) rows[i] = q->rows[(q->head + i) % q->cap];
    g_free(q->rows);
    q->rows = rows;
    q->head = 0;
    q->cap = cap;
  }
  q->rows[(q->head + q->len++) % q->cap] = row;
}

static TsrMergeRow *queue_pop(TsrRowQueue *q) {
  TsrMergeRow *row = q->rows[q->head];
  q->head = (q->head + 1) % q->cap;
  q->len--;
  return row;
}

static TsrMergeRow *head(const TsrMerger *m, guint shard) {
  const TsrRowQueue *q = &m->queues[shard];
  return q->rows[q->head];
}

static gboolean shard_less(const TsrMerger *m, guint a, guint b) {
  int c = tsr_merge_compare_keys(m->keys, m->n_keys, head(m, a)->keys, head(m, b)->keys);
  return c != 0 ? c < 0 : a < b;
}

static void sift_up(TsrMerger *m, guint i) {
  while (i > 0) {
    guint parent = (i - 1) / 2, tmp;
    if (!shard_less(m, m->heap[i], m->heap[parent])) break;
    tmp = m->heap[i], m->heap[i] = m->heap[parent], m->heap[parent] = tmp;
    i = parent;
  }
}

static void sift_down(TsrMerger *m, guint i) {
  for (;;) {
    guint l = 2 * i + 1, r = l + 1, min = i, tmp;
    if (l < m->heap_len && shard_less(m, m->heap[l], m->heap[min])) min = l;
    if (r < m->heap_len && shard_less(m, m->heap[r], m->heap[min])) min = r;
    if (min == i) return;
    tmp = m->heap[i], m->heap[i] = m->heap[min], m->heap[min] = tmp;
    i = min;
  }
}

void tsr_merge_heap_init(TsrMerger *m) {
  m->queues = g_new0(TsrRowQueue, m->n_shards);
  m->heap = g_new(guint, m->n_shards);
  m->heap_len = 0;
  m->waiting = m->n_shards;
}

static void free_row(gpointer row) {
  if (((TsrMergeRow *)row)->owned) g_free(row);
}

void tsr_merge_heap_clear(TsrMerger *m) {
  if (!m->queues) return;
  for (guint s = 0; s < m->n_shards; s++) {
    TsrRowQueue *q = &m->queues[s];
    while (q->len > 0) free_row(queue_pop(q));
    g_free(q->rows);
  }
  g_clear_pointer(&m->queues, g_free);
  g_clear_pointer(&m->heap, g_free);
}

/* Takes the smallest head row out and hands it to the sink. */
static gboolean pop_one(TsrMerger *m, GError **error) {
  guint s = m->heap[0];
  TsrMergeRow *row = queue_pop(&m->queues[s]);
  gboolean ok;

  if (m->queues[s].len == 0) {
    m->heap[0] = m->heap[--m->heap_len];
    if (!m->done[s]) m->waiting++;
  }
  if (m->heap_len > 0) sift_down(m, 0);
  ok = tsr_merge_sink(m, row, error);
  free_row(row);
  return ok;
}

/* Emits rows while every shard has a head row or is done. */
static gboolean pump(TsrMerger *m, GError **error) {
  while (m->waiting == 0 && m->heap_len > 0 && !m->enough)
    if (!pop_one(m, error)) return FALSE;
  return TRUE;
}

/* Replaces the borrowed row, if still queued at the tail of its shard's
 * queue, with an owned copy. */
static void keep_borrowed(TsrMerger *m, guint shard, TsrMergeRow *row) {
  TsrRowQueue *q = &m->queues[shard];
  TsrMergeRow **tail = q->len > 0 ? &q->rows[(q->head + q->len - 1) % q->cap] : NULL;
  if (tail && *tail == row) *tail = tsr_merge_keep_row(m, row, m->n_keys);
}

gboolean tsr_merge_heap_push(TsrMerger *m, guint shard, TsrMergeRow *row, GError **error) {
  gboolean was_empty = m->queues[shard].len == 0;
  gboolean ok;

  queue_push(&m->queues[shard], row);
  if (was_empty) {
    m->waiting--;
    m->heap[m->heap_len++] = shard;
    sift_up(m, m->heap_len - 1);
  }
  ok = pump(m, error);
  keep_borrowed(m, shard, row);
  return ok;
}

gboolean tsr_merge_heap_shard_done(TsrMerger *m, guint shard, GError **error) {
  if (m->queues[shard].len == 0) m->waiting--;
  return pump(m, error);
}

gboolean tsr_merge_heap_wants(const TsrMerger *m, guint shard) {
  return m->queues[shard].len == 0;
}
