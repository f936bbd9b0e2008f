/* test-router-rewrite.c: the SQL each shard gets (shard table names,
 * splits, rewrites for the merger), merge specs, HAVING evaluated over
 * output rows, bound parameters, and specs bound to the column count. */
#include <string.h>
#include "plugins/sharding/router.h"
#include "protocol/mysql-constants.h"
#include "sql/sql-lexer.h"
#include "sql/sql-parser.h"

static TsrShardMap *shop;

static TsrRouteInput input(void) {
  return (TsrRouteInput){.map = shop, .default_db = "shop", .prefer_group = -1};
}

static TsrRoutePlan *plan_with(const TsrRouteInput *in, const char *q) {
  g_autoptr(GError) error = NULL;
  TsrRoutePlan *plan = tsr_route_query(in, q, strlen(q), &error);
  if (error) g_test_message("%s: %s", q, error->message);
  g_assert_no_error(error);
  return plan;
}

static TsrRoutePlan *plan_of(const char *q) {
  TsrRouteInput in = input();
  return plan_with(&in, q);
}

/* "shard|sql" of every step, joined by " ;; " */
static char *steps_text(const TsrRoutePlan *plan) {
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < plan->n_steps; i++)
    g_string_append_printf(s, "%s%d|%s", i ? " ;; " : "", plan->steps[i].shard, plan->steps[i].sql);
  return g_string_free(s, FALSE);
}

typedef struct {
  const char *query;
  const char *steps;
} SqlCase;

static const SqlCase sql_cases[] = {
  {"SELECT * FROM orders WHERE customer_id = 17", "1|SELECT * FROM orders_1 WHERE customer_id = 17"},
  {"select o.id, orders.total from orders o, shop.orders where o.customer_id = 2 and orders.customer_id = 2",
   "2|SELECT o.id, orders_2.total FROM orders_2 AS o, shop.orders_2 WHERE o.customer_id = 2 AND orders_2.customer_id = 2"},
  {"SELECT shop.orders.id FROM shop.orders WHERE shop.orders.customer_id = 3",
   "3|SELECT shop.orders_3.id FROM shop.orders_3 WHERE shop.orders_3.customer_id = 3"},
  {"SELECT orders.* FROM orders JOIN order_items USING (customer_id) WHERE orders.customer_id = 4",
   "4|SELECT orders_4.* FROM orders_4 JOIN order_items_4 USING (customer_id) WHERE orders_4.customer_id = 4"},
  {"SELECT * FROM orders orders_x WHERE orders_x.customer_id = 5", "5|SELECT * FROM orders_5 AS orders_x WHERE orders_x.customer_id = 5"},
  {"SELECT * FROM orders o1, orders o2 WHERE o1.customer_id = 1 AND o2.customer_id = 3",
   "1|SELECT * FROM orders_1 AS o1, orders_3 AS o2 WHERE o1.customer_id = 1 AND o2.customer_id = 3"},
  {"SELECT * FROM accounts WHERE id >= 2000000", "2|SELECT * FROM accounts_big WHERE id >= 2000000"},
  {"SELECT * FROM events WHERE created_at = '2025-02-03'", "13|SELECT * FROM events_202502 WHERE created_at = '2025-02-03'"},
  {"SELECT c.name FROM countries c", "-1|SELECT c.name FROM countries AS c"},
  {"INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 10), (2, 2, 20), (3, 9, 30)",
   "1|INSERT INTO orders_1 (id, customer_id, total) VALUES (1, 1, 10), (3, 9, 30) ;; "
   "2|INSERT INTO orders_2 (id, customer_id, total) VALUES (2, 2, 20)"},
  {"INSERT INTO orders SET id = 1, customer_id = 12", "4|INSERT INTO orders_4 SET id = 1, customer_id = 12"},
  {"REPLACE INTO shop.orders (customer_id) VALUES (7)", "7|REPLACE INTO shop.orders_7 (customer_id) VALUES (7)"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, 2) ON DUPLICATE KEY UPDATE total = orders.total + 1",
   "2|INSERT INTO orders_2 (id, customer_id) VALUES (1, 2) ON DUPLICATE KEY UPDATE total = orders_2.total + 1"},
  {"INSERT INTO events (id, created_at) VALUES (1, '2024-02-10'), (2, '2025-12-01 10:00'), (3, 20240220)",
   "1|INSERT INTO events_202402 (id, created_at) VALUES (1, '2024-02-10'), (3, 20240220) ;; "
   "23|INSERT INTO events_202512 (id, created_at) VALUES (2, '2025-12-01 10:00')"},
  {"INSERT INTO order_items (customer_id, sku) SELECT customer_id, 'x' FROM orders WHERE customer_id = 3",
   "3|INSERT INTO order_items_3 (customer_id, sku) SELECT customer_id, 'x' FROM orders_3 WHERE customer_id = 3"},
  {"UPDATE orders o JOIN order_items i ON o.customer_id = i.customer_id SET o.status = i.sku WHERE o.customer_id = 6",
   "6|UPDATE orders_6 AS o JOIN order_items_6 AS i ON o.customer_id = i.customer_id SET o.status = i.sku WHERE "
   "o.customer_id = 6"},
  {"UPDATE orders SET total = (SELECT MAX(qty) FROM order_items i WHERE i.customer_id = orders.customer_id) WHERE "
   "customer_id = 1",
   "1|UPDATE orders_1 SET total = (SELECT MAX(qty) FROM order_items_1 AS i WHERE i.customer_id = orders_1.customer_id) "
   "WHERE customer_id = 1"},
  {"DELETE orders FROM orders JOIN order_items USING (customer_id) WHERE orders.customer_id = 1",
   "1|DELETE orders_1 FROM orders_1 JOIN order_items_1 USING (customer_id) WHERE orders_1.customer_id = 1"},
  {"DELETE FROM orders WHERE customer_id IN (3, 11)", "3|DELETE FROM orders_3 WHERE customer_id IN (3, 11)"},
  {"CREATE TABLE accounts (id BIGINT PRIMARY KEY)",
   "0|CREATE TABLE accounts_0 (id BIGINT PRIMARY KEY) ;; 1|CREATE TABLE accounts_1 (id BIGINT PRIMARY KEY) ;; "
   "2|CREATE TABLE accounts_big (id BIGINT PRIMARY KEY)"},
  {"DROP TABLE IF EXISTS regions", "0|DROP TABLE IF EXISTS regions_0 ;; 1|DROP TABLE IF EXISTS regions_1 ;; "
   "2|DROP TABLE IF EXISTS regions_2"},
  {"SHOW CREATE TABLE shop.sessions", "0|SHOW CREATE TABLE shop.sessions_0"},
  {"DESCRIBE orders", "0|SHOW COLUMNS FROM orders_0"},
  {"EXPLAIN SELECT * FROM orders WHERE customer_id = 3", "3|EXPLAIN SELECT * FROM orders_3 WHERE customer_id = 3"},
  {"EXPLAIN FORMAT=JSON SELECT * FROM orders WHERE customer_id = 3",
   "3|EXPLAIN FORMAT=JSON SELECT * FROM orders_3 WHERE customer_id = 3"},
  {"/* tessera: shard=2 */ SELECT COUNT(*) FROM orders", "2|SELECT COUNT(*) FROM orders_2"},
  /* scatter reads */
  {"SELECT id, total FROM orders WHERE customer_id IN (1, 2) ORDER BY total DESC, id LIMIT 20, 10",
   "1|SELECT id, total FROM orders_1 WHERE customer_id IN (1, 2) ORDER BY total DESC, id LIMIT 30 ;; "
   "2|SELECT id, total FROM orders_2 WHERE customer_id IN (1, 2) ORDER BY total DESC, id LIMIT 30"},
  {"SELECT id FROM orders WHERE customer_id IN (1, 2) ORDER BY created_at",
   "1|SELECT id, created_at FROM orders_1 WHERE customer_id IN (1, 2) ORDER BY created_at ;; "
   "2|SELECT id, created_at FROM orders_2 WHERE customer_id IN (1, 2) ORDER BY created_at"},
  {"SELECT status, COUNT(*), AVG(total) FROM orders WHERE customer_id IN (1, 2) GROUP BY status HAVING COUNT(*) > 2 "
   "ORDER BY 2 DESC LIMIT 3",
   "1|SELECT status, COUNT(*), SUM(total) AS `AVG(total)`, COUNT(total), AVG(total) FROM orders_1 WHERE customer_id IN "
   "(1, 2) GROUP BY status ORDER BY status ;; "
   "2|SELECT status, COUNT(*), SUM(total) AS `AVG(total)`, COUNT(total), AVG(total) FROM orders_2 WHERE customer_id IN "
   "(1, 2) GROUP BY status ORDER BY status"},
  {"SELECT avg( total ) FROM orders WHERE customer_id IN (5, 6) GROUP BY status ORDER BY status DESC",
   "5|SELECT SUM(total) AS `avg( total )`, status, COUNT(total), avg(total) FROM orders_5 WHERE customer_id IN (5, 6) "
   "GROUP BY status ORDER BY status DESC ;; "
   "6|SELECT SUM(total) AS `avg( total )`, status, COUNT(total), avg(total) FROM orders_6 WHERE customer_id IN (5, 6) "
   "GROUP BY status ORDER BY status DESC"},
  {"SELECT status, COUNT(DISTINCT customer_id) n FROM orders WHERE customer_id BETWEEN 3 AND 4 GROUP BY status",
   "3|SELECT status, customer_id AS n FROM orders_3 WHERE customer_id BETWEEN 3 AND 4 GROUP BY status, customer_id "
   "ORDER BY status ASC ;; "
   "4|SELECT status, customer_id AS n FROM orders_4 WHERE customer_id BETWEEN 3 AND 4 GROUP BY status, customer_id "
   "ORDER BY status ASC"},
  {"SELECT COUNT(DISTINCT status), COUNT(*) FROM orders WHERE customer_id IN (3, 4)",
   "3|SELECT status AS `COUNT(DISTINCT status)`, COUNT(*) FROM orders_3 WHERE customer_id IN (3, 4) GROUP BY status ;; "
   "4|SELECT status AS `COUNT(DISTINCT status)`, COUNT(*) FROM orders_4 WHERE customer_id IN (3, 4) GROUP BY status"},
  {"SELECT DISTINCT status, COUNT(*) FROM orders WHERE customer_id IN (3, 4) GROUP BY status LIMIT 1",
   "3|SELECT status, COUNT(*) FROM orders_3 WHERE customer_id IN (3, 4) GROUP BY status ORDER BY status ASC ;; "
   "4|SELECT status, COUNT(*) FROM orders_4 WHERE customer_id IN (3, 4) GROUP BY status ORDER BY status ASC"},
  {"SELECT customer_id, COUNT(*) c FROM orders WHERE customer_id IN (3, 4) GROUP BY customer_id HAVING c > 1 ORDER BY "
   "c DESC LIMIT 10",
   "3|SELECT customer_id, COUNT(*) AS c FROM orders_3 WHERE customer_id IN (3, 4) GROUP BY customer_id HAVING c > 1 "
   "ORDER BY c DESC LIMIT 10 ;; "
   "4|SELECT customer_id, COUNT(*) AS c FROM orders_4 WHERE customer_id IN (3, 4) GROUP BY customer_id HAVING c > 1 "
   "ORDER BY c DESC LIMIT 10"},
  {"SELECT o.* FROM orders o WHERE o.customer_id IN (3, 4) ORDER BY o.id LIMIT 1",
   "3|SELECT o.*, o.id FROM orders_3 AS o WHERE o.customer_id IN (3, 4) ORDER BY o.id LIMIT 1 ;; "
   "4|SELECT o.*, o.id FROM orders_4 AS o WHERE o.customer_id IN (3, 4) ORDER BY o.id LIMIT 1"},
  {"SELECT id FROM orders WHERE customer_id IN (3, 4) UNION ALL SELECT order_id FROM order_items WHERE customer_id = 4 "
   "ORDER BY id DESC LIMIT 2, 5",
   "3|SELECT id FROM orders_3 WHERE customer_id IN (3, 4) UNION ALL SELECT order_id FROM order_items_3 WHERE "
   "customer_id = 4 ORDER BY id DESC LIMIT 7 ;; "
   "4|SELECT id FROM orders_4 WHERE customer_id IN (3, 4) UNION ALL SELECT order_id FROM order_items_4 WHERE "
   "customer_id = 4 ORDER BY id DESC LIMIT 7"},
};

static void test_step_sql(void) {
  for (guint i = 0; i < G_N_ELEMENTS(sql_cases); i++) {
    g_autoptr(TsrRoutePlan) plan = plan_of(sql_cases[i].query);
    g_autofree char *got = steps_text(plan);
    if (strcmp(got, sql_cases[i].steps) != 0) g_test_message("query: %s", sql_cases[i].query);
    g_assert_cmpstr(got, ==, sql_cases[i].steps);
  }
}

/* ---- merge specs ---- */

typedef struct {
  const char *query;
  const char *spec;
} SpecCase;

#define NOLIM ",\"offset\":0,\"limit\":null,\"having\":false}"

static const SpecCase spec_cases[] = {
  {"SELECT * FROM orders", "{\"shard_columns\":0,\"output_columns\":0,\"n_outputs\":0,\"star\":true,\"hidden\":0,"
   "\"outputs\":[],\"aggregate\":false,\"group_by\":[],\"order_by\":[],\"shards_sorted\":false,\"distinct\":false" NOLIM},
  {"SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 20, 10",
   "{\"shard_columns\":2,\"output_columns\":2,\"n_outputs\":2,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"none\",\"column\":1}],\"aggregate\":false,\"group_by\":[],\"order_by\":[{\"column\":1,\"desc\":true},"
   "{\"column\":0,\"desc\":false}],\"shards_sorted\":true,\"distinct\":false,\"offset\":20,\"limit\":10,"
   "\"having\":false}"},
  {"SELECT id FROM orders ORDER BY created_at",
   "{\"shard_columns\":2,\"output_columns\":1,\"n_outputs\":1,\"outputs\":[{\"func\":\"none\",\"column\":0}],"
   "\"aggregate\":false,\"group_by\":[],\"order_by\":[{\"column\":1,\"desc\":false}],\"shards_sorted\":true,"
   "\"distinct\":false" NOLIM},
  {"SELECT DISTINCT status FROM orders LIMIT 2",
   "{\"shard_columns\":1,\"output_columns\":1,\"n_outputs\":1,\"outputs\":[{\"func\":\"none\",\"column\":0}],"
   "\"aggregate\":false,\"group_by\":[],\"order_by\":[],\"shards_sorted\":false,\"distinct\":true,\"offset\":0,"
   "\"limit\":2,\"having\":false}"},
  {"SELECT o.* FROM orders o ORDER BY o.id LIMIT 1",
   "{\"shard_columns\":0,\"output_columns\":0,\"n_outputs\":0,\"star\":true,\"hidden\":1,\"outputs\":[],"
   "\"aggregate\":false,\"group_by\":[],\"order_by\":[{\"column\":1073741824,\"desc\":false}],\"shards_sorted\":true,"
   "\"distinct\":false,\"offset\":0,\"limit\":1,\"having\":false}"},
  {"SELECT status, COUNT(*), AVG(total), SUM(total) FROM orders GROUP BY status HAVING COUNT(*) > 2 ORDER BY 2 DESC "
   "LIMIT 3",
   "{\"shard_columns\":6,\"output_columns\":4,\"n_outputs\":4,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"count\",\"column\":1},{\"func\":\"avg\",\"column\":2,\"count_column\":4,\"type_column\":5},"
   "{\"func\":\"sum\",\"column\":3}],\"aggregate\":true,\"group_by\":[0],\"order_by\":[{\"column\":1,\"desc\":true}],"
   "\"shards_sorted\":true,\"distinct\":false,\"offset\":0,\"limit\":3,\"having\":true}"},
  {"SELECT COUNT(*), SUM(total), MIN(created_at), MAX(DISTINCT total) FROM orders",
   "{\"shard_columns\":4,\"output_columns\":4,\"n_outputs\":4,\"outputs\":[{\"func\":\"count\",\"column\":0},"
   "{\"func\":\"sum\",\"column\":1},{\"func\":\"min\",\"column\":2},{\"func\":\"max\",\"column\":3}],"
   "\"aggregate\":true,\"group_by\":[],\"order_by\":[],\"shards_sorted\":false,\"distinct\":false" NOLIM},
  {"SELECT status FROM orders GROUP BY status HAVING SUM(total) > 100 ORDER BY MAX(total) DESC",
   "{\"shard_columns\":3,\"output_columns\":1,\"n_outputs\":3,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"sum\",\"column\":1},{\"func\":\"max\",\"column\":2}],\"aggregate\":true,\"group_by\":[0],"
   "\"order_by\":[{\"column\":2,\"desc\":true}],\"shards_sorted\":true,\"distinct\":false,\"offset\":0,\"limit\":null,"
   "\"having\":true}"},
  {"SELECT COUNT(*) FROM orders GROUP BY status, country ORDER BY country DESC",
   "{\"shard_columns\":3,\"output_columns\":1,\"n_outputs\":1,\"outputs\":[{\"func\":\"count\",\"column\":0}],"
   "\"aggregate\":true,\"group_by\":[1,2],\"order_by\":[{\"column\":2,\"desc\":true}],\"shards_sorted\":true,"
   "\"distinct\":false" NOLIM},
  {"SELECT status, COUNT(DISTINCT customer_id) AS n FROM orders GROUP BY status",
   "{\"shard_columns\":2,\"output_columns\":2,\"n_outputs\":2,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"count_distinct\",\"column\":1}],\"aggregate\":true,\"group_by\":[0],\"order_by\":[{\"column\":0,"
   "\"desc\":false}],\"shards_sorted\":true,\"distinct\":false" NOLIM},
  {"SELECT MAX(total) m FROM orders GROUP BY status ORDER BY NULL",
   "{\"shard_columns\":2,\"output_columns\":1,\"n_outputs\":1,\"outputs\":[{\"func\":\"max\",\"column\":0}],"
   "\"aggregate\":true,\"group_by\":[1],\"order_by\":[],\"shards_sorted\":true,\"distinct\":false" NOLIM},
  {"SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY COUNT(*) DESC, status",
   "{\"shard_columns\":2,\"output_columns\":2,\"n_outputs\":2,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"count\",\"column\":1}],\"aggregate\":true,\"group_by\":[0],\"order_by\":[{\"column\":1,\"desc\":true},"
   "{\"column\":0,\"desc\":false}],\"shards_sorted\":true,\"distinct\":false" NOLIM},
  {"SELECT DISTINCT status, COUNT(*) FROM orders GROUP BY status",
   "{\"shard_columns\":2,\"output_columns\":2,\"n_outputs\":2,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"count\",\"column\":1}],\"aggregate\":true,\"group_by\":[0],\"order_by\":[{\"column\":0,"
   "\"desc\":false}],\"shards_sorted\":true,\"distinct\":true" NOLIM},
  {"SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id",
   "{\"shard_columns\":2,\"output_columns\":2,\"n_outputs\":2,\"outputs\":[{\"func\":\"none\",\"column\":0},"
   "{\"func\":\"none\",\"column\":1}],\"aggregate\":false,\"group_by\":[],\"order_by\":[{\"column\":0,"
   "\"desc\":false}],\"shards_sorted\":true,\"distinct\":false" NOLIM},
  {"SELECT id FROM orders UNION SELECT order_id FROM order_items ORDER BY 1 DESC",
   "{\"shard_columns\":1,\"output_columns\":1,\"n_outputs\":1,\"outputs\":[{\"func\":\"none\",\"column\":0}],"
   "\"aggregate\":false,\"group_by\":[],\"order_by\":[{\"column\":0,\"desc\":true}],\"shards_sorted\":true,"
   "\"distinct\":true" NOLIM},
};

static char *spec_text(const TsrRoutePlan *plan) {
  g_autofree char *json = tsr_route_plan_to_json(plan);
  const char *spec = strstr(json, "\"spec\":");
  g_assert_nonnull(spec);
  spec += strlen("\"spec\":");
  return g_strndup(spec, strlen(spec) - 1);
}

static void test_specs(void) {
  for (guint i = 0; i < G_N_ELEMENTS(spec_cases); i++) {
    g_autoptr(TsrRoutePlan) plan = plan_of(spec_cases[i].query);
    g_autofree char *got = spec_text(plan);
    if (strcmp(got, spec_cases[i].spec) != 0) g_test_message("query: %s", spec_cases[i].query);
    g_assert_true(plan->merge);
    g_assert_cmpstr(got, ==, spec_cases[i].spec);
  }
}

static const char *const scatter_refusals[][2] = {
  {"SELECT status, SUM(total) / COUNT(*) FROM orders GROUP BY status",
   "tessera: SUM(total) / COUNT(*) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
  {"SELECT GROUP_CONCAT(id) FROM orders",
   "tessera: GROUP_CONCAT(id) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
  {"SELECT status, SUM(DISTINCT total) FROM orders GROUP BY status",
   "tessera: SUM(DISTINCT total) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
  {"SELECT COUNT(DISTINCT status, country) FROM orders",
   "tessera: COUNT(DISTINCT status, country) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, "
   "AVG and COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard "
   "key (customer_id)"},
  {"SELECT STD(total) FROM orders",
   "tessera: STD(total) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
  {"SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY COUNT(*) + 1",
   "tessera: COUNT(*) + 1 cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
  {"SELECT *, COUNT(*) FROM orders GROUP BY status",
   "tessera: a query that aggregates rows of several shards cannot select *; name the columns"},
  {"SELECT status, COUNT(*) FROM orders GROUP BY status WITH ROLLUP",
   "tessera: WITH ROLLUP over several shards is not supported; compute the totals with a second query"},
  {"SELECT SQL_CALC_FOUND_ROWS * FROM orders LIMIT 5",
   "tessera: SQL_CALC_FOUND_ROWS over several shards is not supported; run SELECT COUNT(*) instead"},
  {"SELECT * FROM orders LIMIT ?", "tessera: the LIMIT of a query over several shards must be a number (or a bound parameter)"},
  {"SELECT DISTINCT status FROM orders ORDER BY total",
   "tessera: SELECT DISTINCT over several shards cannot be ordered by a column it does not select; select it"},
  {"SELECT total * 2 AS t2 FROM orders ORDER BY t2 + 1",
   "tessera: ORDER BY an expression over a select alias cannot be sent to the shards; repeat the aliased expression "
   "in it"},
  {"SELECT *, total FROM orders ORDER BY 2",
   "tessera: ORDER BY 2 names a column of a *, which tessera cannot count; name the column"},
  {"SELECT id FROM orders ORDER BY 3", "tessera: ORDER BY 3 names no column"},
  {"SELECT id FROM orders UNION ALL SELECT order_id FROM order_items ORDER BY total",
   "tessera: ORDER BY of a UNION over several shards must name a selected column"},
  {"SELECT status, COUNT(*) FROM orders GROUP BY status HAVING status LIKE 'x%'",
   "tessera: HAVING over several shards can only compare aggregates, selected columns and constants with = <> < > <= "
   ">= <=>, AND, OR, NOT, IS, BETWEEN, IN and arithmetic"},
  {"SELECT status, COUNT(*) FROM orders GROUP BY status HAVING ROUND(AVG(total)) > 1",
   "tessera: HAVING over several shards can only compare aggregates, selected columns and constants with = <> < > <= "
   ">= <=>, AND, OR, NOT, IS, BETWEEN, IN and arithmetic"},
  {"SELECT status FROM orders GROUP BY status HAVING COUNT(DISTINCT country) > 1",
   "tessera: COUNT(DISTINCT country) cannot be combined over shards; tessera combines COUNT, SUM, MIN, MAX, AVG and "
   "COUNT(DISTINCT x) given as whole select items, over groups of any keys, or anything grouped by the shard key "
   "(customer_id)"},
};

static void test_scatter_refusals(void) {
  TsrRouteInput in = input();
  for (guint i = 0; i < G_N_ELEMENTS(scatter_refusals); i++) {
    g_autoptr(GError) error = NULL;
    const char *q = scatter_refusals[i][0];
    g_autoptr(TsrRoutePlan) plan = tsr_route_query(&in, q, strlen(q), &error);
    g_test_message("query: %s", q);
    g_assert_null(plan);
    g_assert_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==, scatter_refusals[i][1]);
  }
}

/* ---- binding specs ---- */

static void test_bind(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrRoutePlan) star = plan_of("SELECT o.* FROM orders o ORDER BY o.id DESC LIMIT 4");
  const TsrMergeSpec *s = tsr_route_plan_merge_spec(star, 6, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(s->shard_columns, ==, 6);
  g_assert_cmpuint(s->output_columns, ==, 5);
  g_assert_cmpuint(s->n_outputs, ==, 5);
  g_assert_cmpuint(s->outputs[4].column, ==, 4);
  g_assert_cmpint(s->outputs[4].func, ==, TSR_AGG_NONE);
  g_assert_cmpuint(s->order_by[0].column, ==, 5);
  g_assert_true(s->order_by[0].descending);
  g_assert_cmpuint(s->limit, ==, 4);
  g_assert_true(tsr_route_plan_merge_spec(star, 6, NULL) == s);
  const TsrMergeSpec *s2 = tsr_route_plan_merge_spec(star, 3, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(s2->order_by[0].column, ==, 2);
  g_assert_null(tsr_route_plan_merge_spec(star, 1, &error));
  g_assert_error(error, TSR_ROUTER_ERROR, TSR_ROUTER_ERROR_UNSUPPORTED);
  g_clear_error(&error);

  g_autoptr(TsrRoutePlan) fixed = plan_of("SELECT status, AVG(total) FROM orders GROUP BY status");
  g_assert_null(tsr_route_plan_merge_spec(fixed, 3, &error));
  g_assert_cmpstr(error->message, ==, "tessera: the shards returned 3 columns where the rewritten query gives 4");
  g_clear_error(&error);
  const TsrMergeSpec *f = tsr_route_plan_merge_spec(fixed, 4, &error);
  g_assert_no_error(error);
  g_assert_cmpint(f->outputs[1].func, ==, TSR_AGG_AVG);
  g_assert_cmpuint(f->outputs[1].column, ==, 1);
  g_assert_cmpuint(f->outputs[1].count_column, ==, 2);
  g_assert_true(f->outputs[1].has_type_column);
  g_assert_cmpuint(f->outputs[1].type_column, ==, 3);
}

/* ---- HAVING ---- */

static gboolean having(const char *q, guint columns, const char *const *values) {
  g_autoptr(TsrRoutePlan) plan = plan_of(q);
  const TsrMergeSpec *spec = tsr_route_plan_merge_spec(plan, columns, NULL);
  g_test_message("having: %s", q);
  gsize lengths[8];
  g_assert_nonnull(spec);
  g_assert_nonnull(spec->having);
  for (guint i = 0; i < spec->n_outputs; i++) lengths[i] = values[i] ? strlen(values[i]) : 0;
  return spec->having->matches(spec->having, values, lengths, spec->n_outputs);
}

#define ROW(...) ((const char *const[]){__VA_ARGS__})

static void test_having(void) {
  const char *q = "SELECT status, COUNT(*) FROM orders GROUP BY status HAVING COUNT(*) > 9 AND status <> 'done'";
  g_assert_true(having(q, 2, ROW("new", "10")));
  g_assert_false(having(q, 2, ROW("new", "9")));
  g_assert_false(having(q, 2, ROW("DONE", "100")));
  g_assert_false(having(q, 2, ROW(NULL, "100")));
  g_assert_true(having("SELECT status FROM orders GROUP BY status HAVING SUM(total) BETWEEN 1.5 AND 2", 2,
                       ROW("a", "1.50")));
  g_assert_false(having("SELECT status FROM orders GROUP BY status HAVING SUM(total) NOT BETWEEN 1.5 AND 2", 2,
                        ROW("a", "1.50")));
  g_assert_true(having("SELECT status, MAX(total) m FROM orders GROUP BY status HAVING m IN (3, 4) OR m IS NULL", 2,
                       ROW("a", NULL)));
  g_assert_true(having("SELECT status, MAX(total) m FROM orders GROUP BY status HAVING m IN (3, 4) OR m IS NULL", 2,
                       ROW("a", "4.0")));
  g_assert_false(having("SELECT status, MAX(total) m FROM orders GROUP BY status HAVING m NOT IN (3, NULL)", 2,
                        ROW("a", "5")));
  g_assert_true(having("SELECT status, SUM(total) s, COUNT(*) c FROM orders GROUP BY status HAVING s / c >= 2.5 AND "
                       "-c < 0 AND c * 2 - 1 = 5 AND c DIV 2 = 1 AND c % 2 = 1",
                       3, ROW("a", "7.5", "3")));
  g_assert_true(having("SELECT status FROM orders GROUP BY status HAVING NOT (COUNT(*) = 0) XOR FALSE", 2,
                       ROW("a", "2")));
  g_assert_true(having("SELECT status FROM orders GROUP BY status HAVING MIN(status) = 'abc' AND MAX(status) < 'b'",
                       3, ROW("a", "ABC", "abz")));
  g_assert_true(having("SELECT status FROM orders GROUP BY status HAVING MAX(total) <=> NULL", 2, ROW("a", NULL)));
  g_assert_false(having("SELECT status FROM orders GROUP BY status HAVING COUNT(*) = NULL OR COUNT(*) IS UNKNOWN", 2,
                        ROW("a", "1")));
  g_assert_true(having("SELECT status FROM orders GROUP BY status HAVING COUNT(*) IS TRUE AND 0 IS FALSE", 2,
                       ROW("a", "1")));
  /* a group-constant expression the shards compute, and an alias of a hidden aggregate */
  g_assert_true(having("SELECT status, COUNT(*) FROM orders GROUP BY status HAVING status = 'new'", 2, ROW("NEW", "1")));
  g_assert_true(having("SELECT COUNT(*) FROM orders HAVING COUNT(*) > 0", 1, ROW("12")));
}

/* ---- bound parameters ---- */

static TsrValue p_int(gint64 i) {
  return (TsrValue){.type = {TSR_TYPE_LONGLONG, FALSE}, .v.i = i};
}

static TsrValue p_str(const char *s) {
  return (TsrValue){.type = {TSR_TYPE_VAR_STRING, FALSE}, .raw = {(const guint8 *)s, strlen(s)}};
}

static TsrValue p_null(void) {
  return (TsrValue){.type = {TSR_TYPE_NULL, FALSE}, .is_null = TRUE};
}

static char *routed(const char *q, const TsrValue *params, guint n, guint flags) {
  TsrRouteInput in = input();
  g_autoptr(GError) error = NULL;
  in.params = params;
  in.n_params = n;
  in.lex_flags = flags;
  g_autoptr(TsrRoutePlan) plan = tsr_route_query(&in, q, strlen(q), &error);
  if (!plan) return g_strconcat("!", error->message, NULL);
  return steps_text(plan);
}

static void test_params(void) {
  TsrValue one[] = {p_int(17)};
  g_autofree char *a = routed("SELECT * FROM orders WHERE customer_id = ?", one, 1, 0);
  g_assert_cmpstr(a, ==, "1|SELECT * FROM orders_1 WHERE customer_id = 17");

  TsrValue two[] = {p_int(1), p_str("2")};
  g_autofree char *b = routed("SELECT id FROM orders WHERE customer_id IN (?, ?)", two, 2, 0);
  g_assert_cmpstr(b, ==, "1|SELECT id FROM orders_1 WHERE customer_id IN (1, '2') ;; 2|SELECT id FROM orders_2 WHERE "
                          "customer_id IN (1, '2')");

  TsrValue null[] = {p_null()};
  g_autofree char *c = routed("SELECT * FROM orders WHERE customer_id = ?", null, 1, 0);
  g_assert_cmpstr(c, ==, "0|SELECT * FROM orders_0 WHERE customer_id = NULL");

  TsrValue rows[] = {p_int(10), p_int(3), p_str("it's"), p_int(11), p_int(4), p_null()};
  g_autofree char *d = routed("INSERT INTO orders (id, customer_id, status) VALUES (?, ?, ?), (?, ?, ?)", rows, 6, 0);
  g_assert_cmpstr(d, ==, "3|INSERT INTO orders_3 (id, customer_id, status) VALUES (10, 3, 'it\\'s') ;; "
                          "4|INSERT INTO orders_4 (id, customer_id, status) VALUES (11, 4, NULL)");
  g_autofree char *d2 = routed("INSERT INTO orders (id, customer_id, status) VALUES (?, ?, ?), (?, ?, ?)", rows, 6,
                               TSR_SQL_LEX_NO_BACKSLASH_ESCAPES);
  g_assert_cmpstr(d2, ==, "3|INSERT INTO orders_3 (id, customer_id, status) VALUES (10, 3, 'it''s') ;; "
                           "4|INSERT INTO orders_4 (id, customer_id, status) VALUES (11, 4, NULL)");

  TsrValue when[] = {{.type = {TSR_TYPE_DATETIME, FALSE}, .v.time = {.year = 2024, .month = 3, .day = 5, .hour = 10, .microsecond = 5}}};
  g_autofree char *e = routed("SELECT * FROM events WHERE created_at = ?", when, 1, 0);
  g_assert_cmpstr(e, ==, "2|SELECT * FROM events_202403 WHERE created_at = '2024-03-05 10:00:00.000005'");

  TsrValue lim[] = {p_int(4), p_int(2), p_int(3)};
  g_autofree char *f = routed("SELECT id FROM orders WHERE customer_id IN (4, 5) ORDER BY id LIMIT ?, ?", lim + 1, 2, 0);
  g_assert_cmpstr(f, ==, "4|SELECT id FROM orders_4 WHERE customer_id IN (4, 5) ORDER BY id LIMIT 5 ;; "
                          "5|SELECT id FROM orders_5 WHERE customer_id IN (4, 5) ORDER BY id LIMIT 5");

  TsrValue misc[] = {{.type = {TSR_TYPE_BLOB, FALSE}, .raw = {(const guint8 *)"\x00\xff", 2}},
                     {.type = {TSR_TYPE_DOUBLE, FALSE}, .v.f = 0.5},
                     {.type = {TSR_TYPE_NEWDECIMAL, FALSE}, .raw = {(const guint8 *)"12.50", 5}},
                     {.type = {TSR_TYPE_LONGLONG, TRUE}, .v.u = G_MAXUINT64},
                     {.type = {TSR_TYPE_DATE, FALSE}, .v.time = {.year = 2024, .month = 1, .day = 2}}};
  g_autofree char *g = routed("SELECT ?, ?, ?, ?, ? FROM orders WHERE customer_id = 1", misc, 5, 0);
  g_assert_cmpstr(g, ==, "1|SELECT X'00FF', 0.5, 12.50, 18446744073709551615, '2024-01-02' FROM orders_1 WHERE "
                          "customer_id = 1");

  TsrValue key_string[] = {p_str("abc")};
  g_autofree char *h = routed("SELECT * FROM sessions WHERE token = ?", key_string, 1, 0);
  g_assert_cmpstr(h, ==, "0|SELECT * FROM sessions_0 WHERE token = 'abc'");

  TsrValue bad[] = {p_str("x")};
  g_autofree char *i = routed("INSERT INTO orders (customer_id) VALUES (?)", bad, 1, 0);
  g_assert_cmpstr(i, ==, "!tessera: INSERT into shop.orders, row 1: the shard key customer_id value 'x' is not an integer");

  TsrValue long_data[] = {{.type = {TSR_TYPE_BLOB, FALSE}, .is_long_data = TRUE}};
  g_autofree char *j = routed("SELECT * FROM orders WHERE customer_id = ?", long_data, 1, 0);
  g_assert_cmpstr(j, ==, "!tessera: parameter 1 was sent with COM_STMT_SEND_LONG_DATA; the sharding router needs the "
                          "values of parameters in COM_STMT_EXECUTE");

  g_autofree char *k = routed("SELECT * FROM orders WHERE customer_id = ? AND id = ?", one, 1, 0);
  g_assert_cmpstr(k, ==, "1|SELECT * FROM orders_1 WHERE customer_id = 17 AND id = ?");
}

/* A prepared statement routed again with other values. */
static void test_params_reroute(void) {
  const char *q = "UPDATE orders SET total = ? WHERE customer_id = ?";
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(q, strlen(q), 0, NULL, NULL);
  TsrRouteInput in = input();
  for (gint64 k = 0; k < 16; k++) {
    TsrValue values[] = {p_int(k * 10), p_int(k)};
    in.params = values;
    in.n_params = 2;
    g_autoptr(TsrRoutePlan) plan = tsr_route(&in, tsr_sql_script_stmt(script, 0), NULL);
    g_autofree char *expected = g_strdup_printf("UPDATE orders_%d SET total = %" G_GINT64_FORMAT " WHERE customer_id = %"
                                                G_GINT64_FORMAT, (int)(k % 8), k * 10, k);
    g_assert_cmpuint(plan->n_steps, ==, 1);
    g_assert_cmpint(plan->steps[0].shard, ==, (int)(k % 8));
    g_assert_cmpstr(plan->steps[0].sql, ==, expected);
  }
}

/* ANSI_QUOTES: "x" is a name, and strings print with ' . */
static void test_lex_flags(void) {
  g_autofree char *a = routed("SELECT \"id\" FROM \"orders\" WHERE \"customer_id\" = 2", NULL, 0, TSR_SQL_LEX_ANSI_QUOTES);
  g_assert_cmpstr(a, ==, "2|SELECT id FROM orders_2 WHERE customer_id = 2");
}

int main(int argc, char **argv) {
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename(g_getenv("SHARDING_EXAMPLES_DIR"), "shop.lua", NULL);
  g_test_init(&argc, &argv, NULL);
  shop = tsr_shard_map_load_file(path, &error);
  g_assert_no_error(error);
  g_test_add_func("/router-rewrite/step-sql", test_step_sql);
  g_test_add_func("/router-rewrite/specs", test_specs);
  g_test_add_func("/router-rewrite/scatter-refusals", test_scatter_refusals);
  g_test_add_func("/router-rewrite/bind", test_bind);
  g_test_add_func("/router-rewrite/having", test_having);
  g_test_add_func("/router-rewrite/params", test_params);
  g_test_add_func("/router-rewrite/params-reroute", test_params_reroute);
  g_test_add_func("/router-rewrite/lex-flags", test_lex_flags);
  int rc = g_test_run();
  tsr_shard_map_unref(shop);
  return rc;
}
