/* sharding-route-hook.c: the script's read_route hook sees each routing
 * decision and may change it: send a step elsewhere, change what a step
 * runs, replace the steps of a plan whose rows are not merged, or refuse
 * the statement. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"

static void step_view_free(gpointer data) {
  TsrRouteStepView *v = data;
  g_free(v->group);
  g_free(v->sql);
  g_free(v);
}

/* The view of cmd's plan. */
static void build_view(ShardingCommand *cmd, const char *query, gsize len, gint n_params, TsrRouteView *view) {
  const TsrRoutePlan *plan = cmd->plan;
  memset(view, 0, sizeof *view);
  view->query = query;
  view->query_len = len;
  view->n_params = n_params;
  view->kind = tsr_route_kind_name(plan->kind);
  view->write = plan->write;
  view->merge = plan->merge;
  view->steps = g_ptr_array_new_with_free_func(step_view_free);
  for (guint i = 0; i < plan->n_steps; i++) {
    TsrRouteStepView *v = g_new0(TsrRouteStepView, 1);
    v->group = g_strdup(tsr_shard_map_group(cmd->map, plan->steps[i].group)->name);
    v->shard = plan->steps[i].shard;
    v->sql = g_strndup(plan->steps[i].sql, plan->steps[i].sql_len);
    g_ptr_array_add(view->steps, v);
  }
}

/* Puts the view's steps into the plan. FALSE (the client's error queued)
 * when the script named a group the map does not have or changed the
 * number of steps of a merged plan. */
static gboolean apply_view(TsrSession *s, ShardingCommand *cmd, const TsrRouteView *view) {
  TsrRoutePlan *plan = cmd->plan;
  guint n = view->steps->len;
  if (plan->kind != TSR_ROUTE_SHARDS) return TRUE;
  if (n == 0 || (plan->merge && n != plan->n_steps)) {
    tsr_sharding_reply_error(s, 1235, "42000",
                             "tessera: read_route left %u step(s); %s", n,
                             n == 0 ? "a statement needs one at least" : "the steps of a merged read stay as many");
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    const TsrRouteStepView *v = view->steps->pdata[i];
    if (!v->group || !v->sql || !tsr_shard_map_find_group(cmd->map, v->group)) {
      tsr_sharding_reply_error(s, 1235, "42000", "tessera: read_route sent step %u to group '%s', which the shard "
                               "map does not have", i + 1, v->group ? v->group : "");
      return FALSE;
    }
  }
  for (guint i = 0; i < plan->n_steps; i++) {
    g_free(plan->steps[i].sql);
    g_free(plan->steps[i].sql_params); /* the script may have changed the SQL */
  }
  plan->steps = g_renew(TsrRouteStep, plan->steps, n);
  for (guint i = 0; i < n; i++) {
    const TsrRouteStepView *v = view->steps->pdata[i];
    plan->steps[i].group = tsr_shard_map_find_group(cmd->map, v->group)->index;
    plan->steps[i].shard = v->shard;
    plan->steps[i].sql = g_strdup(v->sql);
    plan->steps[i].sql_len = strlen(v->sql);
    plan->steps[i].sql_params = NULL;
    plan->steps[i].sql_params_len = 0;
    if (i >= plan->n_steps) plan->steps[i].first_row = i;
  }
  plan->n_steps = n;
  return TRUE;
}

gboolean tsr_sharding_read_route(ShardingWorker *w, TsrSession *s, ShardingSession *ss, const char *query, gsize len,
                                 gint n_params) {
  ShardingCommand *cmd = &ss->cmd;
  g_autoptr(GError) error = NULL;
  TsrRouteView view;
  gboolean ok;
  if (!w->inner || !w->inner->read_route || !w->inner->has(w->inner_data, s, ss->inner_state, TSR_HOOK_READ_ROUTE))
    return TRUE;
  build_view(cmd, query, len, n_params, &view);
  if (w->inner->read_route(w->inner_data, s, ss->inner_state, &view, &error) == TSR_HOOK_ERROR) {
    tsr_sharding_reply_error(s, 9010, "HY000", "tessera: the proxy script failed in read_route: %s",
                             error ? error->message : "unknown error");
    ok = FALSE;
  } else if (view.refuse) {
    tsr_sharding_reply_error(s, 1235, "42000", "%s", view.refuse);
    ok = FALSE;
  } else {
    ok = apply_view(s, cmd, &view);
  }
  g_ptr_array_unref(view.steps);
  g_free(view.refuse);
  return ok;
}
