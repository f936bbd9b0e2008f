/* rewrite-spec.c: the merge spec of a plan, bound to the number of columns
 * the shards return (a * leaves it open until then). Positions of hidden
 * columns are kept as RT_HIDDEN_BASE + j until bound. */
#include "router-private.h"

static void spec_free(TsrMergeSpec *spec) {
  if (!spec) return;
  g_free(spec->outputs);
  g_free(spec->group_by);
  g_free(spec->order_by);
  g_free(spec);
}

void rt_merge_free(TsrRoutePlanPrivate *priv) {
  spec_free(priv->spec);
  spec_free(priv->bound);
  g_clear_pointer(&priv->having, rt_filter_free);
}

static guint decode(guint pos, guint visible) {
  return pos >= RT_HIDDEN_BASE ? visible + (pos - RT_HIDDEN_BASE) : pos;
}

/* A copy of spec with every position decoded for `visible` visible columns. */
static TsrMergeSpec *bind(const TsrRoutePlanPrivate *priv, guint shard_columns, guint visible) {
  const TsrMergeSpec *spec = priv->spec;
  TsrMergeSpec *b = g_new(TsrMergeSpec, 1);
  *b = *spec;
  b->shard_columns = shard_columns;
  if (priv->star) {
    /* a * only goes with plain columns: every visible column is an output */
    b->output_columns = b->n_outputs = visible;
    b->outputs = g_new0(TsrOutputColumn, MAX(visible, 1));
    for (guint i = 0; i < visible; i++) b->outputs[i] = (TsrOutputColumn){TSR_AGG_NONE, i, 0, FALSE, 0};
  } else {
    b->outputs = g_memdup2(spec->outputs, MAX(spec->n_outputs, 1) * sizeof(TsrOutputColumn));
    for (guint i = 0; i < spec->n_outputs; i++) {
      b->outputs[i].column = decode(b->outputs[i].column, visible);
      b->outputs[i].count_column = decode(b->outputs[i].count_column, visible);
      b->outputs[i].type_column = decode(b->outputs[i].type_column, visible);
    }
  }
  b->group_by = g_memdup2(spec->group_by, MAX(spec->n_group_by, 1) * sizeof(guint));
  for (guint i = 0; i < spec->n_group_by; i++) b->group_by[i] = decode(b->group_by[i], visible);
  b->order_by = g_memdup2(spec->order_by, MAX(spec->n_order_by, 1) * sizeof(TsrSortKey));
  for (guint i = 0; i < spec->n_order_by; i++) b->order_by[i].column = decode(b->order_by[i].column, visible);
  return b;
}

const TsrMergeSpec *tsr_route_plan_merge_spec(TsrRoutePlan *plan, guint shard_columns, GError **error) {
  TsrRoutePlanPrivate *priv = plan->priv;
  g_return_val_if_fail(plan->merge && priv->spec, NULL);
  guint expected = priv->n_visible + priv->n_hidden;
  if (priv->star ? shard_columns <= priv->n_hidden : shard_columns != expected) {
    g_set_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_UNSUPPORTED,
                "tessera: the shards returned %u columns where the rewritten query gives %s%u", shard_columns,
                priv->star ? "more than " : "", priv->star ? priv->n_hidden : expected);
    return NULL;
  }
  if (priv->bound && priv->bound_columns == shard_columns) return priv->bound;
  spec_free(priv->bound);
  priv->bound = bind(priv, shard_columns, priv->star ? shard_columns - priv->n_hidden : priv->n_visible);
  priv->bound_columns = shard_columns;
  return priv->bound;
}

/* ---- JSON ---- */

static const char *func_name(TsrAggFunc f) {
  static const char *const names[] = {"none", "count", "sum", "min", "max", "avg", "count_distinct"};
  return (guint)f < G_N_ELEMENTS(names) ? names[f] : "?";
}

static void json_bool(GString *out, const char *name, gboolean v) {
  g_string_append_printf(out, "\"%s\":%s", name, v ? "true" : "false");
}

static void json_outputs(GString *out, const TsrMergeSpec *s) {
  g_string_append(out, "\"outputs\":[");
  for (guint i = 0; i < s->n_outputs; i++) {
    const TsrOutputColumn *o = &s->outputs[i];
    g_string_append_printf(out, "%s{\"func\":\"%s\",\"column\":%u", i ? "," : "", func_name(o->func), o->column);
    if (o->func == TSR_AGG_AVG) g_string_append_printf(out, ",\"count_column\":%u", o->count_column);
    if (o->has_type_column) g_string_append_printf(out, ",\"type_column\":%u", o->type_column);
    g_string_append_c(out, '}');
  }
  g_string_append(out, "]");
}

static void json_spec(GString *out, const TsrMergeSpec *s, gboolean star, guint hidden) {
  g_string_append_printf(out, "{\"shard_columns\":%u,\"output_columns\":%u,\"n_outputs\":%u,", s->shard_columns,
                         s->output_columns, s->n_outputs);
  if (star) g_string_append_printf(out, "\"star\":true,\"hidden\":%u,", hidden);
  json_outputs(out, s);
  g_string_append_c(out, ',');
  json_bool(out, "aggregate", s->aggregate);
  g_string_append(out, ",\"group_by\":[");
  for (guint i = 0; i < s->n_group_by; i++) g_string_append_printf(out, "%s%u", i ? "," : "", s->group_by[i]);
  g_string_append(out, "],\"order_by\":[");
  for (guint i = 0; i < s->n_order_by; i++)
    g_string_append_printf(out, "%s{\"column\":%u,\"desc\":%s}", i ? "," : "", s->order_by[i].column,
                           s->order_by[i].descending ? "true" : "false");
  g_string_append(out, "],");
  json_bool(out, "shards_sorted", s->shards_sorted);
  g_string_append_c(out, ',');
  json_bool(out, "distinct", s->distinct);
  g_string_append_printf(out, ",\"offset\":%" G_GUINT64_FORMAT ",\"limit\":", s->offset);
  if (s->limit == TSR_MERGE_NO_LIMIT) g_string_append(out, "null,");
  else g_string_append_printf(out, "%" G_GUINT64_FORMAT ",", s->limit);
  json_bool(out, "having", s->having != NULL);
  g_string_append_c(out, '}');
}

void rt_merge_spec_json(GString *out, const TsrRoutePlanPrivate *priv) {
  if (!priv->spec) {
    g_string_append(out, "null");
    return;
  }
  if (priv->star) {
    json_spec(out, priv->spec, TRUE, priv->n_hidden);
    return;
  }
  TsrMergeSpec *b = bind(priv, priv->n_visible + priv->n_hidden, priv->n_visible);
  json_spec(out, b, FALSE, 0);
  spec_free(b);
}
