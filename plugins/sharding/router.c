/* router.c: routing a statement: the entry points, the plan, the steps and
 * the shard table names written into each step's SQL (router.h). */
#include <stdarg.h>
#include <string.h>
#include "sql/sql-printer.h"
#include "router-private.h"

G_DEFINE_QUARK(tsr-router-error-quark, tsr_router_error)

void tsr_router_error_code(const GError *error, guint16 *code, const char **sqlstate) {
  *code = 1235;
  *sqlstate = "42000";
  if (!error || error->domain != TSR_ROUTER_ERROR) return;
  if (error->code == TSR_ROUTER_ERROR_VALUE) {
    *code = 1292;
    *sqlstate = "22007";
  } else if (error->code == TSR_ROUTER_ERROR_SYNTAX) {
    *code = 1064;
  }
}

const char *tsr_route_kind_name(TsrRouteKind kind) {
  static const char *const names[] = {"shards", "session", "transaction", "last", "local"};
  return (guint)kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}

gboolean rt_fail(RtCtx *c, TsrRouterErrorCode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(c->error, TSR_ROUTER_ERROR, code, "tessera: %s", msg);
  return FALSE;
}

char *rt_inst_name(const RtInst *inst) {
  if (inst->kind == RT_INST_DERIVED) return g_strdup_printf("the derived table %s", inst->ref->alias);
  return inst->schema ? g_strdup_printf("%s.%s", inst->schema, inst->orig_name) : g_strdup(inst->orig_name);
}

/* ---- steps ---- */

/* Prints the statement as it stands, parameters written in when known. */
static GString *print_stmt(RtCtx *c) {
  TsrSqlPrintOptions opts = {.flags = c->in->lex_flags};
  GString *sql = g_string_new(NULL);
  if (c->in->params) {
    opts.param = rt_print_param;
    opts.param_data = c;
  }
  tsr_sql_print_stmt(sql, c->stmt, &opts);
  return sql;
}

void rt_set_sql(RtCtx *c, TsrRouteKind kind) {
  GString *sql = print_stmt(c);
  c->plan->kind = kind;
  c->plan->sql_len = sql->len;
  c->plan->sql = g_string_free(sql, FALSE);
}

/* The order placeholders print in. */
typedef struct {
  guint next;
  gboolean in_order;
} Placeholders;

static gboolean print_placeholder(GString *out, guint index, gpointer data) {
  Placeholders *p = data;
  p->in_order = p->in_order && index == p->next;
  p->next++;
  g_string_append_c(out, '?');
  return TRUE;
}

/* The statement with its parameters as ?, when they print in the client's
 * order; else NULL. */
static GString *print_with_placeholders(RtCtx *c) {
  Placeholders order = {0, TRUE};
  TsrSqlPrintOptions opts = {.flags = c->in->lex_flags, .param = print_placeholder, .param_data = &order};
  GString *sql = g_string_new(NULL);
  tsr_sql_print_stmt(sql, c->stmt, &opts);
  if (order.in_order && order.next == c->in->n_params) return sql;
  g_string_free(sql, TRUE);
  return NULL;
}

void rt_add_step(RtCtx *c, guint group, gint shard) {
  TsrRoutePlan *plan = c->plan;
  GString *sql = print_stmt(c);
  GString *with_params = c->in->params ? print_with_placeholders(c) : NULL;
  TsrRouteStep *step;
  plan->steps = g_renew(TsrRouteStep, plan->steps, plan->n_steps + 1);
  step = &plan->steps[plan->n_steps];
  *step = (TsrRouteStep){group, shard, NULL, sql->len, plan->n_steps, NULL, 0};
  step->sql = g_string_free(sql, FALSE);
  if (with_params) {
    step->sql_params_len = with_params->len;
    step->sql_params = g_string_free(with_params, FALSE);
  }
  plan->n_steps++;
}

void rt_apply_shard(RtCtx *c, gint shard) {
  for (guint i = 0; i < c->slots->len; i++) {
    RtSlot *slot = &g_array_index(c->slots, RtSlot, i);
    const RtInst *inst = slot->inst;
    gint s = inst->comp && inst->comp->pinned >= 0 ? inst->comp->pinned : shard;
    if (s >= 0) *slot->field = inst->table->physical[s];
  }
}

void rt_restore_names(RtCtx *c) {
  for (guint i = 0; i < c->slots->len; i++) {
    RtSlot *slot = &g_array_index(c->slots, RtSlot, i);
    *slot->field = slot->inst->orig_name;
  }
}

/* ---- contexts ---- */

static void block_free(gpointer p) {
  RtBlock *b = p;
  g_ptr_array_unref(b->insts);
  g_ptr_array_unref(b->filters);
  g_ptr_array_unref(b->equalities);
  g_array_unref(b->local_edges);
  if (b->local) g_array_unref(b->local);
  g_free(b);
}

static void inst_free(gpointer p) {
  RtInst *inst = p;
  g_free(inst->schema);
  if (inst->parts) g_ptr_array_unref(inst->parts);
  if (inst->columns) g_ptr_array_unref(inst->columns);
  if (inst->key_columns) g_ptr_array_unref(inst->key_columns);
  g_free(inst);
}

static void comp_free(gpointer p) {
  RtComp *comp = p;
  g_ptr_array_unref(comp->insts);
  tsr_shard_set_free(comp->shards);
  g_free(comp);
}

static void ctx_init(RtCtx *c, const TsrRouteInput *in, GError **error) {
  memset(c, 0, sizeof(*c));
  c->in = in;
  c->map = in->map;
  c->error = error;
  c->blocks = g_ptr_array_new_with_free_func(block_free);
  c->insts = g_ptr_array_new_with_free_func(inst_free);
  c->uf = g_array_new(FALSE, FALSE, sizeof(gint));
  c->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->slots = g_array_new(FALSE, FALSE, sizeof(RtSlot));
  c->comps = g_ptr_array_new_with_free_func(comp_free);
  c->strings = g_ptr_array_new_with_free_func(g_free);
}

static void ctx_clear(RtCtx *c) {
  g_ptr_array_unref(c->blocks);
  g_ptr_array_unref(c->insts);
  g_array_unref(c->uf);
  g_hash_table_unref(c->nodes);
  g_array_unref(c->slots);
  g_ptr_array_unref(c->comps);
  g_ptr_array_unref(c->strings);
  tsr_sql_script_free(c->script);
}

static TsrRoutePlan *plan_new(TsrShardMap *map) {
  TsrRoutePlan *plan = g_new0(TsrRoutePlan, 1);
  plan->priv = g_new0(TsrRoutePlanPrivate, 1);
  plan->priv->map = tsr_shard_map_ref(map);
  return plan;
}

void tsr_route_plan_free(TsrRoutePlan *plan) {
  if (!plan) return;
  for (guint i = 0; i < plan->n_steps; i++) {
    g_free(plan->steps[i].sql);
    g_free(plan->steps[i].sql_params);
  }
  g_free(plan->steps);
  g_free(plan->sql);
  g_free(plan->use_db);
  rt_merge_free(plan->priv);
  tsr_shard_map_unref(plan->priv->map);
  g_free(plan->priv);
  g_free(plan);
}

static gboolean check_params(RtCtx *c) {
  for (guint i = 0; c->in->params && i < c->in->n_params; i++)
    if (c->in->params[i].is_long_data)
      return rt_refuse(c, "parameter %u was sent with COM_STMT_SEND_LONG_DATA; the sharding router needs the "
                       "values of parameters in COM_STMT_EXECUTE", i + 1);
  return TRUE;
}

static gboolean dispatch(RtCtx *c) {
  switch (c->stmt->kind) {
  case TSR_SQL_STMT_SELECT: return rt_route_select(c);
  case TSR_SQL_STMT_INSERT:
  case TSR_SQL_STMT_REPLACE: return rt_route_insert(c);
  case TSR_SQL_STMT_UPDATE: return rt_route_update(c);
  case TSR_SQL_STMT_DELETE: return rt_route_delete(c);
  default: return rt_route_other(c);
  }
}

/* Routes the one statement of `script` (taken: the router changes its tree). */
static TsrRoutePlan *route_script(const TsrRouteInput *in, TsrSqlScript *script, GError **error) {
  RtCtx c;
  ctx_init(&c, in, error);
  c.script = script;
  c.stmt = tsr_sql_script_stmt(c.script, 0);
  c.plan = plan_new(in->map);
  gboolean ok = check_params(&c) && rt_read_hints(&c) && dispatch(&c);
  TsrRoutePlan *plan = c.plan;
  if (ok && plan->kind != TSR_ROUTE_SHARDS)
    for (guint i = 0; i < plan->n_steps; i++) g_clear_pointer(&plan->steps[i].sql_params, g_free);
  ctx_clear(&c);
  if (!ok) g_clear_pointer(&plan, tsr_route_plan_free);
  return plan;
}

TsrRoutePlan *tsr_route(const TsrRouteInput *in, const TsrSqlStmt *stmt, GError **error) {
  g_autoptr(GError) local = NULL;
  TsrSqlScript *script;
  g_return_val_if_fail(in && in->map && stmt, NULL);
  script = tsr_sql_parse(stmt->text, stmt->end - stmt->start, in->lex_flags, NULL, &local);
  if (!script || !tsr_sql_script_stmt(script, 0)) {
    tsr_sql_script_free(script);
    g_set_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_SYNTAX, "tessera: %s",
                local ? local->message : "no statement");
    return NULL;
  }
  return route_script(in, script, error);
}

TsrRoutePlan *tsr_route_query(const TsrRouteInput *in, const char *query, gsize len, GError **error) {
  g_autoptr(GError) local = NULL;
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(query, len, in->lex_flags, NULL, &local);
  if (!script) {
    g_set_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_SYNTAX, "tessera: %s", local->message);
    return NULL;
  }
  if (script->stmts.len != 1) {
    g_set_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_UNSUPPORTED,
                "tessera: the query holds %u statements; send them one at a time", script->stmts.len);
    return NULL;
  }
  TsrRouteInput with_query = *in;
  with_query.query = query;
  with_query.query_len = len;
  return route_script(&with_query, g_steal_pointer(&script), error); /* parsed once */
}
