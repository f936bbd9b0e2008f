/* merge-group.c: combining the shards' partial aggregates per group.
 *
 * Shard rows are partial results (one row per group and shard, or per
 * (group, value) for COUNT(DISTINCT)): COUNTs add up, SUMs add up exactly
 * (decimal) or as doubles, MIN/MAX keep the extreme by the column's
 * comparison, AVG adds SUMs and COUNTs and divides at the end, COUNT
 * (DISTINCT x) collects the distinct x of the group. A plain column takes
 * the group's first row's value.
 *
 * Groups are combined as they meet when the source merges shards sorted by
 * the group keys (one group in memory), else in a hash table keyed by the
 * group values (one entry per group, emitted in the order they appeared). */
#include <string.h>
#include "merge-private.h"
#include "value-format.h"

static TsrMergeGroup *group_new(TsrMerger *m, const TsrValue *vals) {
  TsrMergeGroup *g = g_malloc0(sizeof(TsrMergeGroup) + m->n_outputs * sizeof(TsrMergeAcc));
  if (vals && m->n_group > 0) {
    for (guint j = 0; j < m->n_group; j++) m->gvals[j] = vals[m->group_by[j]];
    g->key = tsr_tuple_new(m->gvals, m->n_group, m->group_classes);
  }
  for (guint i = 0; i < m->n_outputs; i++) {
    tsr_decimal_sum_init(&g->accs[i].dec);
    if (m->outputs[i].func == TSR_AGG_COUNT_DISTINCT)
      g->accs[i].set = g_hash_table_new_full(tsr_tuple_hash, tsr_tuple_equal, g_free, NULL);
  }
  return g;
}

void tsr_merge_group_free(TsrMerger *m, TsrMergeGroup *g) {
  for (guint i = 0; i < m->n_outputs; i++) {
    tsr_decimal_sum_clear(&g->accs[i].dec);
    g_free(g->accs[i].best);
    if (g->accs[i].set) g_hash_table_destroy(g->accs[i].set);
  }
  g_free(g->key);
  g_free(g);
}

static gboolean row_fail(GError **error, TsrMergeErrorCode code, const char *what, guint column) {
  g_set_error(error, TSR_MERGE_ERROR, code, "%s in shard column %u", what, column);
  return FALSE;
}

/* Reads a shard's COUNT. */
static gboolean count_of(const TsrValueClass *cls, const TsrValue *v, guint column,
                         guint64 *out, GError **error) {
  if (v->is_null) {
    *out = 0;
    return TRUE;
  }
  if (cls->kind == TSR_VALUE_SIGNED && v->v.i < 0) return row_fail(error, TSR_MERGE_ERROR_ROW, "negative count", column);
  *out = v->v.u;
  return TRUE;
}

static gboolean add_count(guint64 *acc, guint64 n, guint column, GError **error) {
  if (*acc > G_MAXUINT64 - n) return row_fail(error, TSR_MERGE_ERROR_OVERFLOW, "count overflows", column);
  *acc += n;
  return TRUE;
}

static gboolean add_sum(TsrMergeAcc *acc, const TsrMergeOutput *o, const TsrValue *v, GError **error) {
  char buf[24];
  if (v->is_null) return TRUE;
  acc->has_value = TRUE;
  if (!o->exact) {
    acc->real += v->v.f;
    return TRUE;
  }
  if (o->in->kind == TSR_VALUE_DECIMAL) {
    if (!tsr_decimal_sum_add(&acc->dec, v->raw.data, v->raw.len))
      return row_fail(error, TSR_MERGE_ERROR_ROW, "malformed decimal", o->column);
    return TRUE;
  }
  if (o->in->kind == TSR_VALUE_UNSIGNED) g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v->v.u);
  else g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, v->v.i);
  tsr_decimal_sum_add(&acc->dec, (const guint8 *)buf, strlen(buf));
  return TRUE;
}

static void keep_extreme(TsrMergeAcc *acc, const TsrMergeOutput *o, const TsrValue *v) {
  int c;
  if (v->is_null) return;
  if (acc->best) {
    c = tsr_value_compare(o->in, v, &acc->best->v[0]);
    if (o->func == TSR_AGG_MIN ? c >= 0 : c <= 0) return;
    g_free(acc->best);
  }
  acc->best = tsr_tuple_new(v, 1, &o->in);
}

static void add_distinct(TsrMerger *m, TsrMergeAcc *acc, const TsrMergeOutput *o, const TsrValue *v) {
  if (v->is_null) return;
  m->probe->classes = &o->in;
  m->probe->n = 1;
  m->probe->v[0] = *v;
  if (!g_hash_table_contains(acc->set, m->probe)) g_hash_table_add(acc->set, tsr_tuple_new(v, 1, &o->in));
}

static gboolean add_output(TsrMerger *m, TsrMergeAcc *acc, const TsrMergeOutput *o, const TsrValue *vals,
                           GError **error) {
  const TsrValue *v = &vals[o->column];
  guint64 n;
  switch (o->func) {
  case TSR_AGG_NONE:
    if (!acc->seen && !v->is_null) acc->best = tsr_tuple_new(v, 1, &o->in);
    acc->seen = TRUE;
    return TRUE;
  case TSR_AGG_COUNT:
    return count_of(o->in, v, o->column, &n, error) && add_count(&acc->count, n, o->column, error);
  case TSR_AGG_AVG:
    if (!count_of(&m->classes[o->count_column], &vals[o->count_column], o->count_column, &n, error) ||
        !add_count(&acc->count, n, o->count_column, error))
      return FALSE;
    /* fall through */
  case TSR_AGG_SUM:
    return add_sum(acc, o, v, error);
  case TSR_AGG_MIN:
  case TSR_AGG_MAX:
    keep_extreme(acc, o, v);
    return TRUE;
  case TSR_AGG_COUNT_DISTINCT:
    add_distinct(m, acc, o, v);
    return TRUE;
  }
  return TRUE;
}

static gboolean add_row(TsrMerger *m, TsrMergeGroup *g, const TsrValue *vals, GError **error) {
  for (guint i = 0; i < m->n_outputs; i++)
    if (!add_output(m, &g->accs[i], &m->outputs[i], vals, error)) return FALSE;
  return TRUE;
}

/* ---- the combined values ---- */

/* Sets *out from the text in s, read as the output's class. */
static gboolean set_text(const TsrMergeOutput *o, GString *s, TsrValue *out, GError **error) {
  TsrSlice text = { (const guint8 *)s->str, s->len };
  if (tsr_value_from_text(&o->out, text, out, NULL)) return TRUE;
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_OVERFLOW, "combined value %s does not fit its column", s->str);
  return FALSE;
}

static gboolean set_real(const TsrMergeOutput *o, gdouble value, GString *s, TsrValue *out, GError **error) {
  tsr_format_double(s, value, o->out.decimals);
  if (o->out.kind != TSR_VALUE_REAL) return set_text(o, s, out, error);
  out->is_null = FALSE;
  out->raw.data = (const guint8 *)s->str;
  out->raw.len = s->len;
  out->v.f = value;
  return TRUE;
}

static gboolean set_count(const TsrMergeOutput *o, guint64 count, GString *s, TsrValue *out, GError **error) {
  g_string_printf(s, "%" G_GUINT64_FORMAT, count);
  return set_text(o, s, out, error);
}

static gboolean finalize_output(TsrMerger *m, guint i, TsrMergeAcc *acc, TsrValue *out, GError **error) {
  const TsrMergeOutput *o = &m->outputs[i];
  GString *s = m->fmt[i];

  g_string_truncate(s, 0);
  memset(out, 0, sizeof *out);
  out->type = o->out.type;
  out->is_null = TRUE;
  switch (o->func) {
  case TSR_AGG_NONE:
  case TSR_AGG_MIN:
  case TSR_AGG_MAX:
    if (acc->best) *out = acc->best->v[0];
    out->type = o->out.type;
    return TRUE;
  case TSR_AGG_COUNT:
    return set_count(o, acc->count, s, out, error);
  case TSR_AGG_COUNT_DISTINCT:
    return set_count(o, g_hash_table_size(acc->set), s, out, error);
  case TSR_AGG_SUM:
    if (!acc->has_value) return TRUE;
    if (!o->exact) return set_real(o, acc->real, s, out, error);
    tsr_decimal_sum_format(&acc->dec, o->out.decimals, s);
    return set_text(o, s, out, error);
  case TSR_AGG_AVG:
    if (!acc->has_value || acc->count == 0) return TRUE;
    if (!o->exact) return set_real(o, acc->real / (gdouble)acc->count, s, out, error);
    if (!tsr_decimal_sum_divide(&acc->dec, acc->count, o->out.decimals, s))
      return row_fail(error, TSR_MERGE_ERROR_OVERFLOW, "AVG count too large", o->count_column);
    return set_text(o, s, out, error);
  }
  return TRUE;
}

/* Combines group g into m->fvals and hands it to the output stages. */
static gboolean output_group(TsrMerger *m, TsrMergeGroup *g, GError **error) {
  for (guint i = 0; i < m->n_outputs; i++)
    if (!finalize_output(m, i, &g->accs[i], &m->fvals[i], error)) return FALSE;
  return tsr_merge_output_combined(m, g->key, error);
}

/* Finishes the current group, if any. */
static gboolean flush_current(TsrMerger *m, GError **error) {
  TsrMergeGroup *g = g_steal_pointer(&m->current);
  gboolean ok;
  if (!g) return TRUE;
  ok = output_group(m, g, error);
  tsr_merge_group_free(m, g);
  return ok;
}

static TsrMergeGroup *hash_group(TsrMerger *m, const TsrValue *vals) {
  TsrMergeGroup *g;
  if (!m->groups) {
    m->groups = g_hash_table_new(tsr_tuple_hash, tsr_tuple_equal);
    m->group_order = g_ptr_array_new();
  }
  m->probe->classes = m->group_classes;
  m->probe->n = m->n_group;
  for (guint j = 0; j < m->n_group; j++) m->probe->v[j] = vals[m->group_by[j]];
  g = g_hash_table_lookup(m->groups, m->probe);
  if (g) return g;
  g = group_new(m, vals);
  g_hash_table_insert(m->groups, g->key, g);
  g_ptr_array_add(m->group_order, g);
  return g;
}

gboolean tsr_merge_group_row(TsrMerger *m, const TsrMergeRow *row, GError **error) {
  const TsrValue *vals = tsr_merge_row_values(m, row, error);
  if (!vals) return FALSE;
  if (m->n_group > 0 && !m->stream_groups) return add_row(m, hash_group(m, vals), vals, error);
  if (m->n_group > 0 && m->current) {
    for (guint j = 0; j < m->n_group; j++) m->gvals[j] = vals[m->group_by[j]];
    if (!tsr_tuple_matches(m->current->key, m->gvals) && !flush_current(m, error)) return FALSE;
    /* flushing may have decoded another row: decode this one again */
    if (!m->current && !(vals = tsr_merge_row_values(m, row, error))) return FALSE;
  }
  if (!m->current) m->current = group_new(m, vals);
  return add_row(m, m->current, vals, error);
}

gboolean tsr_merge_group_finish(TsrMerger *m, GError **error) {
  gboolean ok = TRUE;
  if (m->n_group == 0 && !m->current) m->current = group_new(m, NULL);
  if (!m->groups) return flush_current(m, error);
  for (guint i = 0; i < m->group_order->len && ok && !m->enough; i++)
    ok = output_group(m, g_ptr_array_index(m->group_order, i), error);
  for (guint i = 0; i < m->group_order->len; i++) tsr_merge_group_free(m, g_ptr_array_index(m->group_order, i));
  g_clear_pointer(&m->groups, g_hash_table_destroy);
  g_clear_pointer(&m->group_order, g_ptr_array_unref);
  return ok;
}
