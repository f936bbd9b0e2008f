/* merge-row.c: owned copies of values and rows, decoding shard rows and
 * output rows, key comparison and the visible part of a shard row. */
#include <string.h>
#include "merge-private.h"
#include "protocol/mysql-wire.h"

#define BINARY_ROW_BITMAP_OFFSET 2u

/* Bytes the raw parts of values[0..n) need outside `inside` (NULL: all). */
static gsize outside_bytes(const TsrValue *values, guint n, const guint8 *inside, gsize inside_len) {
  gsize total = 0;
  for (guint i = 0; i < n; i++) {
    const guint8 *p = values[i].raw.data;
    if (!p || values[i].raw.len == 0) continue;
    if (inside && p >= inside && p + values[i].raw.len <= inside + inside_len) continue;
    total += values[i].raw.len;
  }
  return total;
}

/* Copies values[0..n) to dst, moving their bytes: those inside `inside`
 * keep their offset from new_inside, the others are copied to *extra. */
static void copy_values(TsrValue *dst, const TsrValue *values, guint n, const guint8 *inside, gsize inside_len,
                        const guint8 *new_inside, guint8 **extra) {
  for (guint i = 0; i < n; i++) {
    const guint8 *p = values[i].raw.data;
    dst[i] = values[i];
    if (!p || values[i].raw.len == 0) continue;
    if (inside && p >= inside && p + values[i].raw.len <= inside + inside_len) {
      dst[i].raw.data = new_inside + (p - inside);
      continue;
    }
    memcpy(*extra, p, values[i].raw.len);
    dst[i].raw.data = *extra;
    *extra += values[i].raw.len;
  }
}

TsrTuple *tsr_tuple_new(const TsrValue *values, guint n, const TsrValueClass *const *classes) {
  gsize head = sizeof(TsrTuple) + n * sizeof(TsrValue);
  TsrTuple *t = g_malloc(head + outside_bytes(values, n, NULL, 0));
  guint8 *extra = (guint8 *)t + head;
  t->classes = classes;
  t->n = n;
  copy_values(t->v, values, n, NULL, 0, NULL, &extra);
  return t;
}

guint tsr_tuple_hash(gconstpointer tuple) {
  const TsrTuple *t = tuple;
  guint h = 17;
  for (guint i = 0; i < t->n; i++) h = h * 31 + tsr_value_hash(t->classes[i], &t->v[i]);
  return h;
}

gboolean tsr_tuple_matches(const TsrTuple *tuple, const TsrValue *values) {
  for (guint i = 0; i < tuple->n; i++)
    if (tsr_value_compare(tuple->classes[i], &tuple->v[i], &values[i]) != 0) return FALSE;
  return TRUE;
}

gboolean tsr_tuple_equal(gconstpointer a, gconstpointer b) {
  const TsrTuple *ta = a, *tb = b;
  return ta->n == tb->n && tsr_tuple_matches(ta, tb->v);
}

TsrMergeRow *tsr_merge_row_copy(const TsrMergeRow *row, guint n_keys) {
  gsize head = sizeof(TsrMergeRow) + n_keys * sizeof(TsrValue);
  gsize extra_len = outside_bytes(row->keys, n_keys, row->payload, row->len);
  TsrMergeRow *copy = g_malloc(head + row->len + extra_len);
  guint8 *payload = (guint8 *)copy + head;
  guint8 *extra = payload + row->len;

  memcpy(payload, row->payload, row->len);
  copy->payload = payload;
  copy->len = row->len;
  copy->shard = row->shard;
  copy->owned = TRUE;
  copy->seq = row->seq;
  copy_values(copy->keys, row->keys, n_keys, row->payload, row->len, payload, &extra);
  return copy;
}

TsrMergeRow *tsr_merge_keep_row(TsrMerger *m, const TsrMergeRow *row, guint n_keys) {
  /* Values decoded from the row point into the payload it borrowed. */
  if (m->vals_seq == row->seq) m->vals_seq = G_MAXUINT64;
  return tsr_merge_row_copy(row, n_keys);
}

static gboolean row_error(GError **error, guint shard, GError *cause) {
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_ROW, "row of shard %u: %s", shard, cause->message);
  g_error_free(cause);
  return FALSE;
}

/* Reads text slices into values, parsing the columns that need it. */
static gboolean text_values(TsrMerger *m, guint shard, GError **error) {
  for (guint c = 0; c < m->n_cols; c++) {
    TsrValue *v = &m->vals[c];
    GError *cause = NULL;
    if (m->parse[c]) {
      if (!tsr_value_from_text(&m->classes[c], m->tvals[c], v, &cause)) return row_error(error, shard, cause);
      continue;
    }
    memset(v, 0, sizeof *v);
    v->type = m->types[c];
    v->is_null = m->tvals[c].data == NULL;
    v->raw = m->tvals[c];
  }
  return TRUE;
}

const TsrValue *tsr_merge_row_values(TsrMerger *m, const TsrMergeRow *row, GError **error) {
  GError *cause = NULL;
  if (m->vals_seq == row->seq) return m->vals;
  m->vals_seq = G_MAXUINT64;
  if (m->protocol == TSR_MERGE_TEXT) {
    if (tsr_text_row_decode(row->payload, row->len, m->n_cols, m->tvals, &cause) != TSR_DECODE_OK) {
      row_error(error, row->shard, cause);
      return NULL;
    }
    if (!text_values(m, row->shard, error)) return NULL;
  } else if (tsr_binary_row_decode(row->payload, row->len, m->types, m->n_cols, m->vals, &cause) != TSR_DECODE_OK) {
    row_error(error, row->shard, cause);
    return NULL;
  }
  m->vals_seq = row->seq;
  return m->vals;
}

gboolean tsr_merge_output_values(TsrMerger *m, const guint8 *payload, gsize len, GError **error) {
  GError *cause = NULL;
  if (m->protocol == TSR_MERGE_BINARY) {
    if (tsr_binary_row_decode(payload, len, m->out_types, m->n_visible, m->ovals, &cause) == TSR_DECODE_OK)
      return TRUE;
    return row_error(error, 0, cause);
  }
  if (tsr_text_row_decode(payload, len, m->n_visible, m->tvals, &cause) != TSR_DECODE_OK)
    return row_error(error, 0, cause);
  for (guint i = 0; i < m->n_visible; i++)
    if (!tsr_value_from_text(m->visible_classes[i], m->tvals[i], &m->ovals[i], error)) return FALSE;
  return TRUE;
}

int tsr_merge_compare_keys(const TsrMergeKey *keys, guint n, const TsrValue *a, const TsrValue *b) {
  for (guint k = 0; k < n; k++) {
    int c = tsr_value_compare(&keys[k].cls, &a[k], &b[k]);
    if (c != 0) return keys[k].descending ? -c : c;
  }
  return 0;
}

typedef struct {
  const TsrMergeKey *keys;
  guint n;
} SortContext;

static gint compare_rows(gconstpointer a, gconstpointer b, gpointer data) {
  const SortContext *ctx = data;
  const TsrMergeRow *ra = *(TsrMergeRow *const *)a, *rb = *(TsrMergeRow *const *)b;
  int c = tsr_merge_compare_keys(ctx->keys, ctx->n, ra->keys, rb->keys);
  if (c != 0) return c;
  return (ra->seq > rb->seq) - (ra->seq < rb->seq);
}

void tsr_merge_sort_rows(GPtrArray *rows, const TsrMergeKey *keys, guint n_keys) {
  SortContext ctx = { keys, n_keys };
  g_ptr_array_sort_with_data(rows, compare_rows, &ctx);
}

/* Returns the end of the first n values of a text row, or 0 on a
 * malformed row. */
static gsize text_prefix_end(const guint8 *payload, gsize len, guint n, GError **error) {
  TsrReader r;
  tsr_reader_init(&r, payload, len);
  for (guint i = 0; i < n; i++) {
    guint64 vlen;
    gboolean is_null;
    if (!tsr_reader_lenenc(&r, &vlen, &is_null, "text row value", error)) return 0;
    if (!is_null && !tsr_reader_skip(&r, vlen, "text row value", error)) return 0;
  }
  return r.pos;
}

/* Appends the first n_visible values of a binary row as a binary row. */
static gboolean binary_prefix(TsrMerger *m, const guint8 *payload, gsize len, GError **error) {
  gsize in_bitmap = tsr_null_bitmap_size(m->n_cols, BINARY_ROW_BITMAP_OFFSET);
  gsize out_bitmap = tsr_null_bitmap_size(m->n_visible, BINARY_ROW_BITMAP_OFFSET);
  gsize start = 1 + in_bitmap, pos = start;
  guint last_bits = (m->n_visible + BINARY_ROW_BITMAP_OFFSET) % 8;

  if (len < start) {
    g_set_error(error, TSR_PROTOCOL_ERROR, TSR_PROTOCOL_ERROR_TRUNCATED, "binary row shorter than its NULL bitmap");
    return FALSE;
  }
  for (guint i = 0; i < m->n_visible; i++) {
    guint bit = i + BINARY_ROW_BITMAP_OFFSET;
    TsrValue v = { .type = m->types[i] };
    if ((payload[1 + bit / 8] >> (bit % 8)) & 1) continue;
    if (!tsr_binary_value_decode(payload, len, &pos, &v, "binary row value", error)) return FALSE;
  }
  g_byte_array_set_size(m->out, 0);
  g_byte_array_append(m->out, payload, 1 + out_bitmap);
  if (last_bits) m->out->data[out_bitmap] &= (guint8)((1u << last_bits) - 1);
  g_byte_array_append(m->out, payload + start, (guint)(pos - start));
  return TRUE;
}

gboolean tsr_merge_emit_visible(TsrMerger *m, const guint8 *payload, gsize len, GError **error) {
  GError *cause = NULL;
  gsize end;
  if (m->n_cols == m->n_visible) {
    m->emit(payload, len, m->user_data);
    return TRUE;
  }
  if (m->protocol == TSR_MERGE_BINARY) {
    if (!binary_prefix(m, payload, len, &cause)) return row_error(error, 0, cause);
    m->emit(m->out->data, m->out->len, m->user_data);
    return TRUE;
  }
  end = text_prefix_end(payload, len, m->n_visible, &cause);
  if (cause) return row_error(error, 0, cause);
  m->emit(payload, end, m->user_data);
  return TRUE;
}
