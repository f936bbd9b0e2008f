/* merge-output.c: the last stages: HAVING, the final sort of combined
 * rows, DISTINCT (streaming over sorted rows, else a hash set), OFFSET and
 * LIMIT, and emitting. */
#include <string.h>
#include "merge-private.h"
#include "value-format.h"

gboolean tsr_merge_limit_admit(TsrMerger *m) {
  if (m->enough) return FALSE;
  if (m->skipped < m->offset) {
    m->skipped++;
    return FALSE;
  }
  m->emitted++;
  if (m->limit != TSR_MERGE_NO_LIMIT && m->emitted >= m->limit) m->enough = TRUE;
  return TRUE;
}

/* Evaluates HAVING over vals[0..n) of the given classes. */
static gboolean having_passes(TsrMerger *m, const TsrValue *vals, guint n, const TsrValueClass *const *classes) {
  for (guint i = 0; i < n; i++) {
    GString *t = m->htext[i];
    g_string_truncate(t, 0);
    if (vals[i].is_null) {
      m->hvalues[i] = NULL;
      m->hlengths[i] = 0;
      continue;
    }
    if (m->protocol == TSR_MERGE_TEXT) g_string_append_len(t, (const char *)vals[i].raw.data, (gssize)vals[i].raw.len);
    else tsr_value_format_text(t, classes[i], &vals[i]);
    m->hvalues[i] = t->str;
    m->hlengths[i] = t->len;
  }
  return m->having->matches(m->having, m->hvalues, m->hlengths, n);
}

/* TRUE when the visible values vals were not emitted before. */
static gboolean distinct_admit(TsrMerger *m, const TsrValue *vals) {
  if (m->stream_distinct) {
    if (m->last && tsr_tuple_matches(m->last, vals)) return FALSE;
    g_free(m->last);
    m->last = tsr_tuple_new(vals, m->n_visible, m->visible_classes);
    return TRUE;
  }
  if (!m->seen) m->seen = g_hash_table_new_full(tsr_tuple_hash, tsr_tuple_equal, g_free, NULL);
  m->probe->classes = m->visible_classes;
  m->probe->n = m->n_visible;
  memcpy(m->probe->v, vals, m->n_visible * sizeof(TsrValue));
  if (g_hash_table_contains(m->seen, m->probe)) return FALSE;
  g_hash_table_add(m->seen, tsr_tuple_new(vals, m->n_visible, m->visible_classes));
  return TRUE;
}

gboolean tsr_merge_pass_row(TsrMerger *m, const TsrMergeRow *row, GError **error) {
  const TsrValue *vals = NULL;
  if (m->having || m->distinct) {
    vals = tsr_merge_row_values(m, row, error);
    if (!vals) return FALSE;
  }
  if (m->having && !having_passes(m, vals, m->n_visible, m->having_classes)) return TRUE;
  if (m->distinct && !distinct_admit(m, vals)) return TRUE;
  if (!tsr_merge_limit_admit(m)) return TRUE;
  return tsr_merge_emit_visible(m, row->payload, row->len, error);
}

/* Encodes the visible combined values m->fvals into m->out. */
static void encode_combined(TsrMerger *m) {
  g_byte_array_set_size(m->out, 0);
  if (m->protocol == TSR_MERGE_BINARY) {
    tsr_binary_row_encode(m->out, m->fvals, m->n_visible);
    return;
  }
  for (guint i = 0; i < m->n_visible; i++) {
    m->tvals[i] = m->fvals[i].raw;
    if (m->fvals[i].is_null) m->tvals[i].data = NULL;
  }
  tsr_text_row_encode(m->out, m->tvals, m->n_visible);
}

/* DISTINCT, LIMIT and emit for an output payload; vals are its visible
 * values, or NULL to decode them from the payload when DISTINCT needs them. */
static gboolean deliver(TsrMerger *m, const TsrValue *vals, const guint8 *payload, gsize len, GError **error) {
  if (m->distinct) {
    if (!vals) {
      if (!tsr_merge_output_values(m, payload, len, error)) return FALSE;
      vals = m->ovals;
    }
    if (!distinct_admit(m, vals)) return TRUE;
  }
  if (tsr_merge_limit_admit(m)) m->emit(payload, len, m->user_data);
  return TRUE;
}

/* Queues the combined row in m->out for the final sort. */
static void queue_for_sort(TsrMerger *m, const TsrTuple *group_key) {
  TsrMergeRow *row = m->final_row;
  row->payload = m->out->data;
  row->len = m->out->len;
  row->shard = 0;
  row->seq = m->seq++;
  for (guint k = 0; k < m->n_final_keys; k++) {
    guint src = m->final_keys[k].column;
    row->keys[k] = (src & TSR_KEY_FROM_GROUP) ? group_key->v[src & ~TSR_KEY_FROM_GROUP] : m->fvals[src];
  }
  g_ptr_array_add(m->sorted, tsr_merge_keep_row(m, row, m->n_final_keys));
  tsr_merge_trim_sorted(m, m->final_keys, m->n_final_keys);
}

gboolean tsr_merge_output_combined(TsrMerger *m, const TsrTuple *group_key, GError **error) {
  if (m->having && !having_passes(m, m->fvals, m->n_outputs, m->having_classes)) return TRUE;
  encode_combined(m);
  if (m->final_sort) {
    queue_for_sort(m, group_key);
    return TRUE;
  }
  return deliver(m, m->fvals, m->out->data, m->out->len, error);
}

gboolean tsr_merge_output_finish(TsrMerger *m, GError **error) {
  if (!m->final_sort || !m->sorted) return TRUE;
  tsr_merge_sort_rows(m->sorted, m->final_keys, m->n_final_keys);
  for (guint i = 0; i < m->sorted->len && !m->enough; i++) {
    const TsrMergeRow *row = g_ptr_array_index(m->sorted, i);
    if (!deliver(m, NULL, row->payload, row->len, error)) return FALSE;
  }
  return TRUE;
}
