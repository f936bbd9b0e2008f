/* test-lua-route.c: the read_route(route) hook (lua-route.h): the route
 * table a script gets from a TsrRouteView, the statement parsed when read,
 * and what of the script's changes comes back into the view. The script is
 * route.lua; its global `mode` says what it does. */
#include <string.h>
#include "lua-test-util.h"
#include "lua/lua-route.h"

typedef struct {
  TsrLuaVm *vm;
  TsrLuaEnv *env;
  TsrRouteView view;
} Fixture;

static void step_free(gpointer data) {
  TsrRouteStepView *v = data;
  g_free(v->group);
  g_free(v->sql);
  g_free(v);
}

static void add_step(TsrRouteView *view, const char *group, gint shard, const char *sql) {
  TsrRouteStepView *v = g_new0(TsrRouteStepView, 1);
  v->group = g_strdup(group);
  v->shard = shard;
  v->sql = g_strdup(sql);
  g_ptr_array_add(view->steps, v);
}

/* A view of `query` over two shards (as the sharding plugin makes them),
 * in an environment of route.lua running in `mode`. */
static void fixture_init(Fixture *f, const char *mode, const char *query, const char *kind, gboolean merge) {
  GError *error = NULL;
  g_autofree char *code = g_strdup_printf("mode = %s", mode);
  g_autofree char *unused = NULL;

  f->vm = tsr_lua_test_vm("route.lua", FALSE);
  f->env = tsr_lua_env_new(f->vm, tsr_lua_test_env_init, (gpointer)"conn-1", &error);
  g_assert_no_error(error);
  unused = tsr_lua_test_eval_ok(f->vm, f->env, code);
  memset(&f->view, 0, sizeof f->view);
  f->view.query = query;
  f->view.query_len = strlen(query);
  f->view.n_params = -1;
  f->view.kind = kind;
  f->view.write = g_str_has_prefix(query, "DELETE");
  f->view.merge = merge;
  f->view.steps = g_ptr_array_new_with_free_func(step_free);
  add_step(&f->view, "g1", 0, "SELECT * FROM orders_0");
  add_step(&f->view, "g2", 1, "SELECT * FROM orders_1");
}

static void fixture_clear(Fixture *f) {
  g_ptr_array_unref(f->view.steps);
  g_free(f->view.refuse);
  tsr_lua_env_free(f->env);
  tsr_lua_vm_free(f->vm);
}

static char *eval(Fixture *f, const char *expr) {
  g_autofree char *code = g_strdup_printf("return %s", expr);
  return tsr_lua_test_eval_ok(f->vm, f->env, code);
}

#define assert_lua(f, expr, want) \
  do { \
    g_autofree char *got_ = eval(f, expr); \
    g_assert_cmpstr(got_, ==, want); \
  } while (0)

static TsrHookAction run(Fixture *f, GError **error) {
  lua_State *L = tsr_lua_vm_state(f->vm);
  int top = lua_gettop(L);
  TsrHookAction action = tsr_lua_route_run(f->env, &f->view, error);
  g_assert_cmpint(lua_gettop(L), ==, top);
  return action;
}

static void run_ok(Fixture *f) {
  GError *error = NULL;
  g_assert_cmpint(run(f, &error), ==, TSR_HOOK_DEFAULT);
  g_assert_no_error(error);
}

/* Runs the hook, expects it to fail with a message holding `fragment`, and
 * the view to be as it was. */
static void run_fails(Fixture *f, const char *fragment) {
  GError *error = NULL;
  g_assert_cmpint(run(f, &error), ==, TSR_HOOK_ERROR);
  g_assert_nonnull(error);
  if (!strstr(error->message, fragment)) g_error("'%s' does not hold '%s'", error->message, fragment);
  g_error_free(error);
  g_assert_null(f->view.refuse);
  g_assert_cmpuint(f->view.steps->len, ==, 2);
  g_assert_cmpstr(((TsrRouteStepView *)f->view.steps->pdata[0])->group, ==, "g1");
  g_assert_cmpstr(((TsrRouteStepView *)f->view.steps->pdata[1])->sql, ==, "SELECT * FROM orders_1");
}

static const TsrRouteStepView *step(Fixture *f, guint i) {
  g_assert_cmpuint(i, <, f->view.steps->len);
  return f->view.steps->pdata[i];
}

static void test_table(void) {
  Fixture f;
  fixture_init(&f, "'look'", "SELECT * FROM orders", "shards", TRUE);
  run_ok(&f);
  assert_lua(&f, "seen.route", "SELECT * FROM orders|nil|shards|false|true|"
                               "g1:0:SELECT * FROM orders_0;g2:1:SELECT * FROM orders_1");
  assert_lua(&f, "seen.mt", "false");
  assert_lua(&f, "seen.proxy", "conn-1");
  assert_lua(&f, "calls", "1");
  g_assert_null(f.view.refuse);
  g_assert_cmpstr(step(&f, 0)->group, ==, "g1");
  g_assert_cmpint(step(&f, 1)->shard, ==, 1);

  f.view.n_params = 2;
  ((TsrRouteStepView *)f.view.steps->pdata[1])->shard = -1;
  run_ok(&f);
  assert_lua(&f, "seen.route", "SELECT * FROM orders|2|shards|false|true|"
                               "g1:0:SELECT * FROM orders_0;g2:nil:SELECT * FROM orders_1");
  g_assert_cmpint(step(&f, 1)->shard, ==, -1);
  fixture_clear(&f);
}

static void test_without_hook(void) {
  g_autoptr(TsrLuaVm) vm = tsr_lua_test_vm("env.lua", FALSE);
  GError *error = NULL;
  TsrLuaEnv *env = tsr_lua_env_new(vm, tsr_lua_test_env_init, (gpointer)"c", &error);
  TsrRouteView view = { .query = "SELECT 1", .query_len = 8, .n_params = -1, .kind = "shards" };

  g_assert_no_error(error);
  g_assert_false(tsr_lua_env_has_hook(env, TSR_LUA_HOOK_READ_ROUTE));
  g_assert_cmpstr(tsr_lua_hook_name(TSR_LUA_HOOK_READ_ROUTE), ==, "read_route");
  view.steps = g_ptr_array_new_with_free_func(step_free);
  g_assert_cmpint(tsr_lua_route_run(env, &view, &error), ==, TSR_HOOK_DEFAULT);
  g_assert_no_error(error);
  g_ptr_array_unref(view.steps);
  tsr_lua_env_free(env);
}

static void test_statement(void) {
  Fixture f;
  fixture_init(&f, "'statement'", "DELETE FROM shop.orders WHERE customer_id = 7", "shards", FALSE);
  run_ok(&f);
  assert_lua(&f, "seen.kind", "delete");
  assert_lua(&f, "seen.table", "orders");
  assert_lua(&f, "seen.where", "customer_id = 7");
  assert_lua(&f, "seen.same", "true");
  assert_lua(&f, "seen.error", "nil");
  fixture_clear(&f);

  fixture_init(&f, "'statement_error'", "SELECT FROM WHERE", "shards", TRUE);
  run_ok(&f);
  assert_lua(&f, "seen.statement", "false");
  assert_lua(&f, "seen.error:match('^line 1, column %d+: ') ~= nil", "true");
  fixture_clear(&f);
}

static void test_move_and_rewrite(void) {
  Fixture f;
  fixture_init(&f, "'move'", "SELECT * FROM orders", "shards", TRUE);
  run_ok(&f);
  g_assert_cmpuint(f.view.steps->len, ==, 2);
  g_assert_cmpstr(step(&f, 0)->group, ==, "g2");
  g_assert_cmpint(step(&f, 0)->shard, ==, 0);
  g_assert_cmpstr(step(&f, 0)->sql, ==, "SELECT * FROM orders_0 /* moved */");
  g_assert_cmpstr(step(&f, 1)->group, ==, "g2");
  g_assert_cmpstr(step(&f, 1)->sql, ==, "SELECT * FROM orders_1");
  g_assert_null(f.view.refuse);
  fixture_clear(&f);
}

static void test_replace_steps(void) {
  Fixture f;
  fixture_init(&f, "'replace'", "SELECT * FROM orders", "shards", FALSE);
  run_ok(&f);
  g_assert_cmpuint(f.view.steps->len, ==, 2);
  g_assert_cmpstr(step(&f, 0)->group, ==, "g1");
  g_assert_cmpint(step(&f, 0)->shard, ==, -1);
  g_assert_cmpstr(step(&f, 0)->sql, ==, "SELECT 1");
  g_assert_cmpstr(step(&f, 1)->group, ==, "g2");
  g_assert_cmpint(step(&f, 1)->shard, ==, 3);
  g_assert_cmpstr(step(&f, 1)->sql, ==, "SELECT 2");
  fixture_clear(&f);
}

static void test_refuse(void) {
  Fixture f;
  fixture_init(&f, "'refuse'", "DELETE FROM orders", "shards", FALSE);
  run_ok(&f);
  g_assert_cmpstr(f.view.refuse, ==, "no delete without WHERE");
  fixture_clear(&f);

  fixture_init(&f, "'refuse_true'", "DELETE FROM orders", "session", FALSE);
  run_ok(&f);
  g_assert_cmpstr(f.view.refuse, ==, "tessera: the proxy script refused this statement in read_route");
  fixture_clear(&f);
}

static void test_errors(void) {
  static const struct {
    const char *mode, *kind, *fragment;
  } cases[] = {
    { "'raise'", "shards", "route.lua:50: no route for SELECT * FROM orders" },
    { "'bad_group'", "shards", "route.steps[2].group must be the name of a group" },
    { "'bad_steps'", "shards", "route.steps must be a table of steps, not string" },
    { "'bad_shard'", "shards", "route.steps[1].shard must be a shard number or nil" },
    { "'bad_refuse'", "shards", "route.refuse must be a message (a string) or true, not table" },
    { "'move'", "session", "the steps of a 'session' plan cannot be changed" },
    { "'spin'", "shards", "instruction budget" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Fixture f;
    fixture_init(&f, cases[i].mode, "SELECT * FROM orders", cases[i].kind, TRUE);
    run_fails(&f, cases[i].fragment);
    /* the connection's environment serves the next call */
    g_autofree char *unused = tsr_lua_test_eval_ok(f.vm, f.env, "mode = 'look'");
    run_ok(&f);
    assert_lua(&f, "calls", "2");
    fixture_clear(&f);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/lua/route/table", test_table);
  g_test_add_func("/lua/route/without-hook", test_without_hook);
  g_test_add_func("/lua/route/statement", test_statement);
  g_test_add_func("/lua/route/move-and-rewrite", test_move_and_rewrite);
  g_test_add_func("/lua/route/replace-steps", test_replace_steps);
  g_test_add_func("/lua/route/refuse", test_refuse);
  g_test_add_func("/lua/route/errors", test_errors);
  return g_test_run();
}
