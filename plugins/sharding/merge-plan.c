/* merge-plan.c: checks a spec against the shard columns and chooses the
 * merger's stages: the source (concatenation, k-way merge, sort), streaming
 * or hash grouping, the final sort, streaming or hash DISTINCT. */
#include <stdarg.h>
#include <string.h>
#include "merge-private.h"

static gboolean invalid(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean invalid(GError **error, const char *fmt, ...) {
  va_list ap;
  g_autofree char *msg = NULL;
  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_INVALID, "merge spec: %s", msg);
  return FALSE;
}

static gboolean unsupported(GError **error, const char *what, guint column, const char *why) {
  g_set_error(error, TSR_MERGE_ERROR, TSR_MERGE_ERROR_UNSUPPORTED, "%s over shard column %u cannot be merged: %s",
              what, column, why);
  return FALSE;
}

/* Checks every position of the spec. */
static gboolean check_positions(const TsrMerger *m, const TsrMergeSpec *spec, GError **error) {
  if (m->n_visible == 0 || m->n_visible > m->n_cols)
    return invalid(error, "%u output columns out of range", m->n_visible);
  if (m->aggregate && !spec->outputs) return invalid(error, "aggregate without outputs");
  for (guint i = 0; m->aggregate && i < m->n_outputs; i++) {
    const TsrOutputColumn *o = &spec->outputs[i];
    if (o->column >= m->n_cols) return invalid(error, "output %u: column out of range", i);
    if (o->func == TSR_AGG_AVG && o->count_column >= m->n_cols)
      return invalid(error, "output %u: AVG count column out of range", i);
    if (o->func == TSR_AGG_AVG && o->has_type_column && o->type_column >= m->n_cols)
      return invalid(error, "output %u: AVG type column out of range", i);
    if (o->func > TSR_AGG_COUNT_DISTINCT) return invalid(error, "output %u: unknown function", i);
  }
  for (guint j = 0; j < spec->n_group_by; j++)
    if (spec->group_by[j] >= m->n_cols) return invalid(error, "GROUP BY key %u out of range", j);
  for (guint k = 0; k < spec->n_order_by; k++)
    if (spec->order_by[k].column >= m->n_cols) return invalid(error, "ORDER BY key %u out of range", k);
  if (spec->n_group_by > 0 && !m->aggregate) return invalid(error, "GROUP BY without aggregate (%u keys)", spec->n_group_by);
  return TRUE;
}

static void init_columns(TsrMerger *m, const TsrColumnDef *columns) {
  m->classes = g_new0(TsrValueClass, m->n_cols);
  m->types = g_new0(TsrValueType, m->n_cols);
  m->parse = g_new0(gboolean, m->n_cols);
  m->charsets = g_new0(guint16, m->n_cols);
  for (guint c = 0; c < m->n_cols; c++) {
    m->charsets[c] = columns[c].charset;
    tsr_value_class_init(&m->classes[c], &columns[c], TSR_COLLATE_AUTO);
    m->types[c] = m->classes[c].type;
  }
}

/* Sets key k to shard column `column` under `collation`, checking that
 * MariaDB's order of it can be reproduced. */
static gboolean set_key(TsrMerger *m, TsrMergeKey *key, guint column, gboolean descending, TsrCollation collation,
                        const TsrColumnDef *columns, GError **error) {
  char what[48];
  key->column = column;
  key->descending = descending;
  tsr_value_class_init(&key->cls, &columns[column], collation);
  g_snprintf(what, sizeof what, "ORDER BY column %u", column);
  return tsr_value_class_check(&key->cls, TRUE, what, error);
}

/* Streaming DISTINCT needs equal rows next to each other: the first
 * n_visible source keys are exactly the visible columns, compared the way
 * DISTINCT compares them. */
static gboolean keys_cover_visible(const TsrMerger *m) {
  g_autofree gboolean *covered = NULL;
  if (m->n_keys < m->n_visible) return FALSE;
  covered = g_new0(gboolean, m->n_visible);
  for (guint k = 0; k < m->n_visible; k++) {
    guint c = m->keys[k].column;
    if (c >= m->n_visible || covered[c] || m->keys[k].cls.order != m->classes[c].order) return FALSE;
    covered[c] = TRUE;
  }
  return TRUE;
}

static gboolean plan_pass(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns, GError **error) {
  m->n_keys = spec->n_order_by;
  m->keys = g_new0(TsrMergeKey, MAX(m->n_keys, 1));
  for (guint k = 0; k < m->n_keys; k++) {
    const TsrSortKey *s = &spec->order_by[k];
    if (!set_key(m, &m->keys[k], s->column, s->descending, s->collation, columns, error)) return FALSE;
    m->parse[s->column] = TRUE;
  }
  m->source = m->n_keys == 0 ? TSR_SOURCE_CONCAT : spec->shards_sorted ? TSR_SOURCE_MERGE : TSR_SOURCE_SORT;
  m->visible_classes = g_new0(const TsrValueClass *, m->n_visible);
  for (guint c = 0; c < m->n_visible; c++) {
    m->visible_classes[c] = &m->classes[c];
    if (m->distinct) {
      char what[48];
      g_snprintf(what, sizeof what, "DISTINCT column %u", c);
      if (!tsr_value_class_check(&m->classes[c], FALSE, what, error)) return FALSE;
      m->parse[c] = TRUE;
    }
  }
  m->stream_distinct = m->distinct && m->source != TSR_SOURCE_CONCAT && keys_cover_visible(m);
  return TRUE;
}

static gboolean is_group_key(const TsrMerger *m, guint column) {
  for (guint j = 0; j < m->n_group; j++)
    if (m->group_by[j] == column) return TRUE;
  return FALSE;
}

static gboolean has_key(const TsrMerger *m, guint column) {
  for (guint k = 0; k < m->n_keys; k++)
    if (m->keys[k].column == column) return TRUE;
  return FALSE;
}

/* The merge keys of grouped shard rows: ORDER BY keys while they are group
 * keys (and order them the way grouping matches them), then the other
 * group keys ascending. Returns how many ORDER BY keys were taken. */
static guint plan_group_keys(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns) {
  guint pushed = 0;
  m->keys = g_new0(TsrMergeKey, spec->n_order_by + m->n_group + 1);
  for (; pushed < spec->n_order_by; pushed++) {
    const TsrSortKey *s = &spec->order_by[pushed];
    TsrMergeKey *key = &m->keys[m->n_keys];
    if (!is_group_key(m, s->column)) break;
    if (has_key(m, s->column)) continue;
    key->column = s->column;
    key->descending = s->descending;
    tsr_value_class_init(&key->cls, &columns[s->column], s->collation);
    if (key->cls.order != m->classes[s->column].order || key->cls.unordered) break;
    m->n_keys++;
  }
  for (guint j = 0; j < m->n_group; j++) {
    TsrMergeKey *key = &m->keys[m->n_keys];
    if (has_key(m, m->group_by[j])) continue;
    key->column = m->group_by[j];
    key->cls = m->classes[m->group_by[j]];
    m->n_keys++;
  }
  return pushed;
}

/* Checks that func can combine the shard column's values. */
static gboolean check_output(TsrMerger *m, const TsrOutputColumn *o, GError **error) {
  const TsrValueClass *in = &m->classes[o->column];
  gboolean integer = in->kind == TSR_VALUE_SIGNED || in->kind == TSR_VALUE_UNSIGNED;
  char what[48];

  g_snprintf(what, sizeof what, "MIN/MAX of column %u", o->column);
  switch (o->func) {
  case TSR_AGG_COUNT:
    return integer ? TRUE : unsupported(error, "COUNT", o->column, "the shards' counts are not integers");
  case TSR_AGG_AVG:
    if (m->classes[o->count_column].kind != TSR_VALUE_SIGNED && m->classes[o->count_column].kind != TSR_VALUE_UNSIGNED)
      return unsupported(error, "AVG", o->count_column, "the shards' counts are not integers");
    /* fall through */
  case TSR_AGG_SUM:
    if (integer || in->kind == TSR_VALUE_DECIMAL || in->kind == TSR_VALUE_REAL) return TRUE;
    return unsupported(error, o->func == TSR_AGG_SUM ? "SUM" : "AVG", o->column, "the shards' sums are not numbers");
  case TSR_AGG_MIN:
  case TSR_AGG_MAX:
    return tsr_value_class_check(in, TRUE, what, error);
  case TSR_AGG_COUNT_DISTINCT:
    g_snprintf(what, sizeof what, "COUNT(DISTINCT) of column %u", o->column);
    return tsr_value_class_check(in, FALSE, what, error);
  case TSR_AGG_NONE:
    return TRUE;
  }
  return TRUE;
}

static gboolean plan_outputs(TsrMerger *m, const TsrMergeSpec *spec, GError **error) {
  m->outputs = g_new0(TsrMergeOutput, m->n_outputs);
  for (guint i = 0; i < m->n_outputs; i++) {
    const TsrOutputColumn *o = &spec->outputs[i];
    TsrMergeOutput *out = &m->outputs[i];
    if (!check_output(m, o, error)) return FALSE;
    out->func = o->func;
    out->column = o->column;
    out->count_column = o->count_column;
    out->in = &m->classes[o->column];
    out->exact = out->in->kind != TSR_VALUE_REAL;
    m->parse[o->column] = TRUE;
    if (o->func == TSR_AGG_AVG) m->parse[o->count_column] = TRUE;
  }
  return TRUE;
}

/* The final sort: ORDER BY over combined values. Each key reads an output
 * (the first whose shard column it names) or a group key. */
static gboolean plan_final_keys(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns, GError **error) {
  m->n_final_keys = spec->n_order_by;
  m->final_keys = g_new0(TsrMergeKey, MAX(spec->n_order_by, 1));
  for (guint k = 0; k < spec->n_order_by; k++) {
    const TsrSortKey *s = &spec->order_by[k];
    TsrMergeKey *key = &m->final_keys[k];
    guint src = G_MAXUINT;
    for (guint i = 0; i < m->n_outputs && src == G_MAXUINT; i++)
      if (m->outputs[i].column == s->column) src = i;
    for (guint j = 0; j < m->n_group && src == G_MAXUINT; j++)
      if (m->group_by[j] == s->column) src = TSR_KEY_FROM_GROUP | j;
    if (src == G_MAXUINT) return invalid(error, "ORDER BY column %u is neither an output nor a GROUP BY key", s->column);
    key->column = src;
    key->descending = s->descending;
    if (src & TSR_KEY_FROM_GROUP) tsr_value_class_init(&key->cls, &columns[s->column], s->collation);
    else tsr_value_class_init(&key->cls, &m->out_cols[src], s->collation);
    if (!tsr_value_class_check(&key->cls, TRUE, "ORDER BY", error)) return FALSE;
  }
  return TRUE;
}

static gboolean plan_aggregate(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns, GError **error) {
  guint pushed;
  m->group_classes = g_new0(const TsrValueClass *, MAX(m->n_group, 1));
  for (guint j = 0; j < m->n_group; j++) {
    char what[48];
    g_snprintf(what, sizeof what, "GROUP BY column %u", m->group_by[j]);
    if (!tsr_value_class_check(&m->classes[m->group_by[j]], FALSE, what, error)) return FALSE;
    m->group_classes[j] = &m->classes[m->group_by[j]];
    m->parse[m->group_by[j]] = TRUE;
  }
  if (!plan_outputs(m, spec, error)) return FALSE;
  pushed = plan_group_keys(m, spec, columns);
  m->stream_groups = spec->shards_sorted && m->n_group > 0;
  if (m->stream_groups) {
    m->source = TSR_SOURCE_MERGE;
    for (guint k = 0; k < m->n_keys; k++) m->parse[m->keys[k].column] = TRUE;
  } else {
    m->source = TSR_SOURCE_CONCAT;
    m->n_keys = 0;
  }
  m->final_sort = spec->n_order_by > 0 && !(m->stream_groups && pushed == spec->n_order_by);
  return TRUE;
}

/* Output classes, once the output columns are typed (merge-columns.c). */
static gboolean plan_output_classes(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns,
                                    GError **error) {
  m->out_types = g_new0(TsrValueType, m->n_visible);
  m->having_classes = g_new0(const TsrValueClass *, m->n_outputs);
  if (!m->aggregate) {
    for (guint c = 0; c < m->n_visible; c++) {
      m->out_types[c] = m->types[c];
      m->having_classes[c] = &m->classes[c];
    }
    return TRUE;
  }
  m->visible_classes = g_new0(const TsrValueClass *, m->n_visible);
  for (guint i = 0; i < m->n_outputs; i++) {
    tsr_value_class_init(&m->outputs[i].out, &m->out_cols[i], TSR_COLLATE_AUTO);
    m->having_classes[i] = &m->outputs[i].out;
    if (i >= m->n_visible) continue;
    m->out_types[i] = m->outputs[i].out.type;
    m->visible_classes[i] = &m->outputs[i].out;
    if (m->distinct && !tsr_value_class_check(&m->outputs[i].out, FALSE, "DISTINCT", error)) return FALSE;
  }
  return !m->final_sort || plan_final_keys(m, spec, columns, error);
}

gboolean tsr_merge_plan(TsrMerger *m, const TsrMergeSpec *spec, const TsrColumnDef *columns, GError **error) {
  m->n_cols = spec->shard_columns;
  m->n_visible = spec->output_columns;
  m->aggregate = spec->aggregate;
  m->n_outputs = m->aggregate ? MAX(spec->n_outputs, spec->output_columns) : spec->output_columns;
  m->distinct = spec->distinct;
  m->offset = spec->offset;
  m->limit = spec->limit;
  m->having = spec->having;
  m->n_group = spec->n_group_by;
  m->group_by = g_memdup2(spec->group_by, sizeof(guint) * spec->n_group_by);
  if (!check_positions(m, spec, error)) return FALSE;
  init_columns(m, columns);
  if (!m->aggregate) {
    tsr_merge_columns_init(m, spec, columns);
    return plan_pass(m, spec, columns, error) && plan_output_classes(m, spec, columns, error);
  }
  if (!plan_aggregate(m, spec, columns, error)) return FALSE;
  tsr_merge_columns_init(m, spec, columns);
  return plan_output_classes(m, spec, columns, error);
}
