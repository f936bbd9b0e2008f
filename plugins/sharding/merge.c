/* merge.c: the merger's life: creation, feeding rows from the sources to
 * the sinks, shards ending, the end of the statement. */
#include <string.h>
#include "merge-private.h"

static void alloc_scratch(TsrMerger *m) {
  m->scratch = g_malloc0(sizeof(TsrMergeRow) + m->n_keys * sizeof(TsrValue));
  m->tvals = g_new0(TsrSlice, m->n_cols);
  m->vals = g_new0(TsrValue, m->n_cols);
  m->vals_seq = G_MAXUINT64;
  m->fvals = g_new0(TsrValue, m->n_outputs);
  m->ovals = g_new0(TsrValue, m->n_visible);
  m->gvals = g_new0(TsrValue, MAX(m->n_group, 1));
  m->probe = g_malloc0(sizeof(TsrTuple) + sizeof(TsrValue) * MAX(MAX(m->n_visible, m->n_group), 1));
  m->final_row = g_malloc0(sizeof(TsrMergeRow) + sizeof(TsrValue) * MAX(m->n_final_keys, 1));
  m->fmt = g_new0(GString *, m->n_outputs);
  m->htext = g_new0(GString *, m->n_outputs);
  for (guint i = 0; i < m->n_outputs; i++) {
    m->fmt[i] = g_string_new(NULL);
    m->htext[i] = g_string_new(NULL);
  }
  m->hvalues = g_new0(const char *, m->n_outputs);
  m->hlengths = g_new0(gsize, m->n_outputs);
  m->out = g_byte_array_new();
  m->done = g_new0(gboolean, m->n_shards);
}

TsrMerger *tsr_merger_new(const TsrMergeSpec *spec, guint n_shards, TsrMergeProtocol protocol,
                          const TsrColumnDef *columns, TsrMergeEmitFunc emit, gpointer user_data, GError **error) {
  g_autoptr(TsrMerger) m = g_new0(TsrMerger, 1);

  g_return_val_if_fail(spec != NULL && columns != NULL && emit != NULL, NULL);
  m->n_shards = n_shards;
  m->protocol = protocol;
  m->emit = emit;
  m->user_data = user_data;
  if (n_shards == 0) {
    g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_INVALID, "a merge needs at least one shard");
    return NULL;
  }
  if (!tsr_merge_plan(m, spec, columns, error)) return NULL;
  alloc_scratch(m);
  if (m->source == TSR_SOURCE_MERGE) tsr_merge_heap_init(m);
  if (m->source == TSR_SOURCE_SORT || m->final_sort) m->sorted = g_ptr_array_new_with_free_func(g_free);
  m->enough = m->limit == 0;
  return g_steal_pointer(&m);
}

static void free_strings(GString **s, guint n) {
  if (!s) return;
  for (guint i = 0; i < n; i++)
    if (s[i]) g_string_free(s[i], TRUE);
  g_free(s);
}

void tsr_merger_free(TsrMerger *m) {
  if (!m) return;
  tsr_merge_heap_clear(m);
  if (m->current) tsr_merge_group_free(m, m->current);
  g_clear_pointer(&m->groups, g_hash_table_destroy);
  g_clear_pointer(&m->group_order, g_ptr_array_unref);
  g_clear_pointer(&m->sorted, g_ptr_array_unref);
  g_clear_pointer(&m->seen, g_hash_table_destroy);
  g_free(m->last);
  g_free(m->group_by);
  g_free(m->classes);
  g_free(m->types);
  g_free(m->parse);
  g_free(m->charsets);
  g_free(m->out_cols);
  if (m->strings) g_string_chunk_free(m->strings);
  g_free(m->out_types);
  g_free(m->visible_classes);
  g_free(m->group_classes);
  g_free(m->having_classes);
  g_free(m->keys);
  g_free(m->done);
  g_free(m->outputs);
  g_free(m->final_keys);
  g_free(m->scratch);
  g_free(m->tvals);
  g_free(m->vals);
  g_free(m->fvals);
  g_free(m->ovals);
  g_free(m->gvals);
  g_free(m->probe);
  g_free(m->final_row);
  free_strings(m->fmt, m->n_outputs);
  free_strings(m->htext, m->n_outputs);
  g_free(m->hvalues);
  g_free(m->hlengths);
  if (m->out) g_byte_array_unref(m->out);
  g_free(m);
}

guint tsr_merger_n_columns(const TsrMerger *m) { return m->n_visible; }

const TsrColumnDef *tsr_merger_column(const TsrMerger *m, guint i) {
  g_return_val_if_fail(i < m->n_visible, NULL);
  return &m->out_cols[i];
}

gboolean tsr_merger_check_columns(const TsrMerger *m, guint shard, const TsrColumnDef *columns, guint n_columns,
                                  GError **error) {
  if (n_columns != m->n_cols) {
    g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED,
                "shard %u returns %u columns where the others return %u", shard, n_columns, m->n_cols);
    return FALSE;
  }
  for (guint c = 0; c < n_columns; c++) {
    const TsrValueClass *cls = &m->classes[c];
    TsrValueType t = tsr_value_type_of_column(&columns[c]);
    gboolean text = cls->kind == TSR_VALUE_STRING;
    /* BINARY on a number depends on the shard's plan; on text it is the collation */
    if (t.type != cls->type.type || t.is_unsigned != cls->type.is_unsigned || columns[c].decimals != cls->decimals ||
        (text && (columns[c].flags & TSR_FIELD_BINARY) != (cls->flags & TSR_FIELD_BINARY)) ||
        (text && columns[c].charset != m->charsets[c])) {
      g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED,
                  "column %u of shard %u has another type than on the other shards (type %u, decimals %u, "
                  "flags 0x%04x, charset %u where they have type %u, decimals %u, flags 0x%04x, charset %u)",
                  c, shard, columns[c].type, columns[c].decimals, columns[c].flags, columns[c].charset, cls->type.type,
                  cls->decimals, cls->flags, m->charsets[c]);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean tsr_merge_sink(TsrMerger *m, const TsrMergeRow *row, GError **error) {
  if (m->enough) return TRUE;
  return m->aggregate ? tsr_merge_group_row(m, row, error) : tsr_merge_pass_row(m, row, error);
}

void tsr_merge_trim_sorted(TsrMerger *m, const TsrMergeKey *keys, guint n_keys) {
  guint64 keep;
  if (m->distinct || m->limit == TSR_MERGE_NO_LIMIT || m->offset > G_MAXUINT64 - m->limit) return;
  keep = m->offset + m->limit;
  if (keep > G_MAXUINT / 4 || m->sorted->len < 2 * keep + 64) return;
  tsr_merge_sort_rows(m->sorted, keys, n_keys);
  g_ptr_array_set_size(m->sorted, (guint)keep);
}

static TsrMergeStatus status(const TsrMerger *m) {
  if (m->enough) return TSR_MERGE_ENOUGH;
  return m->n_done == m->n_shards ? TSR_MERGE_DONE : TSR_MERGE_CONTINUE;
}

/* Fills the scratch row for a fed payload: the values of the source keys. */
static gboolean prepare_row(TsrMerger *m, guint shard, const guint8 *payload, gsize len, GError **error) {
  TsrMergeRow *row = m->scratch;
  row->payload = payload;
  row->len = len;
  row->shard = shard;
  row->owned = FALSE;
  row->seq = m->seq++;
  if (m->n_keys > 0) {
    const TsrValue *vals = tsr_merge_row_values(m, row, error);
    if (!vals) return FALSE;
    for (guint k = 0; k < m->n_keys; k++) row->keys[k] = vals[m->keys[k].column];
  }
  return TRUE;
}

TsrMergeStatus tsr_merger_feed(TsrMerger *m, guint shard, const guint8 *payload, gsize len, GError **error) {
  gboolean ok = TRUE;

  if (shard >= m->n_shards || m->done[shard]) {
    g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_INVALID, "shard %u is unknown or already done", shard);
    return TSR_MERGE_FAILED;
  }
  if (m->enough) return TSR_MERGE_ENOUGH;
  if (!prepare_row(m, shard, payload, len, error)) return TSR_MERGE_FAILED;
  switch (m->source) {
  case TSR_SOURCE_CONCAT:
    ok = tsr_merge_sink(m, m->scratch, error);
    break;
  case TSR_SOURCE_MERGE:
    ok = tsr_merge_heap_push(m, shard, m->scratch, error);
    break;
  case TSR_SOURCE_SORT:
    g_ptr_array_add(m->sorted, tsr_merge_keep_row(m, m->scratch, m->n_keys));
    tsr_merge_trim_sorted(m, m->keys, m->n_keys);
    break;
  }
  return ok ? status(m) : TSR_MERGE_FAILED;
}

/* Everything the sources held has gone to the sinks: flushes the rest. */
static gboolean finish(TsrMerger *m, GError **error) {
  if (m->source == TSR_SOURCE_SORT) {
    g_autoptr(GPtrArray) rows = g_steal_pointer(&m->sorted);
    tsr_merge_sort_rows(rows, m->keys, m->n_keys);
    m->sorted = m->final_sort ? g_ptr_array_new_with_free_func(g_free) : NULL;
    for (guint i = 0; i < rows->len && !m->enough; i++)
      if (!tsr_merge_sink(m, g_ptr_array_index(rows, i), error)) return FALSE;
  }
  if (m->aggregate && !tsr_merge_group_finish(m, error)) return FALSE;
  return tsr_merge_output_finish(m, error);
}

TsrMergeStatus tsr_merger_shard_done(TsrMerger *m, guint shard, GError **error) {
  if (shard >= m->n_shards || m->done[shard]) {
    g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_INVALID, "shard %u is unknown or already done", shard);
    return TSR_MERGE_FAILED;
  }
  m->done[shard] = TRUE;
  m->n_done++;
  if (m->source == TSR_SOURCE_MERGE && !tsr_merge_heap_shard_done(m, shard, error)) return TSR_MERGE_FAILED;
  if (m->n_done == m->n_shards && !m->enough && !finish(m, error)) return TSR_MERGE_FAILED;
  return status(m);
}

gboolean tsr_merger_wants(const TsrMerger *m, guint shard) {
  if (shard >= m->n_shards || m->done[shard] || m->enough) return FALSE;
  return m->source != TSR_SOURCE_MERGE || tsr_merge_heap_wants(m, shard);
}

gboolean tsr_merger_enough(const TsrMerger *m) { return m->enough; }

guint64 tsr_merger_rows_emitted(const TsrMerger *m) { return m->emitted; }
