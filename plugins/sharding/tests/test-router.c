/* test-router.c: where statements run over examples/sharding/shop.lua:
 * the exact list of shards (or groups) of each, and every refusal with its
 * message. Steps print as their shard number, or @group when they run on a
 * group without a shard; other kinds print as their name. */
#include <string.h>
#include "plugins/sharding/router.h"
#include "sql/sql-parser.h"
#include "plugins/sharding/shard-map-key.h"
#include "protocol/mysql-constants.h"

static TsrShardMap *shop;

#define ALL8 "0,1,2,3,4,5,6,7"
#define ALL24 "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23"
#define BOTH "@g1,@g2"

/* "1,3" / "@g1" / "session" for a plan; "!message" for an error. */
static char *summary(const TsrRoutePlan *plan) {
  if (plan->kind != TSR_ROUTE_SHARDS) return g_strdup(tsr_route_kind_name(plan->kind));
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < plan->n_steps; i++) {
    const TsrRouteStep *st = &plan->steps[i];
    if (i) g_string_append_c(s, ',');
    if (st->shard >= 0) g_string_append_printf(s, "%d", st->shard);
    else g_string_append_printf(s, "@%s", tsr_shard_map_group(shop, st->group)->name);
  }
  return g_string_free(s, FALSE);
}

static char *route_with(const TsrRouteInput *in, const char *q) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrRoutePlan) plan = tsr_route_query(in, q, strlen(q), &error);
  if (!plan) return g_strconcat("!", error->message, NULL);
  return summary(plan);
}

static char *route(const char *q) {
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = -1};
  return route_with(&in, q);
}

typedef struct {
  const char *query;
  const char *expected;
} Case;

static void run_cases(const Case *cases, guint n) {
  for (guint i = 0; i < n; i++) {
    g_autofree char *got = route(cases[i].query);
    if (g_strcmp0(got, cases[i].expected) != 0) g_test_message("query: %s", cases[i].query);
    g_assert_cmpstr(got, ==, cases[i].expected);
  }
}

#define RUN(cases) run_cases(cases, G_N_ELEMENTS(cases))

/* ---- keys from WHERE ---- */

static const Case hash_cases[] = {
  {"SELECT * FROM orders WHERE customer_id = 17", "1"},
  {"SELECT * FROM orders WHERE customer_id = -3", "5"},
  {"SELECT * FROM orders WHERE customer_id = '17'", "1"},
  {"SELECT * FROM orders WHERE customer_id = ' 17 '", "1"},
  {"SELECT * FROM orders WHERE customer_id = 17.0", "1"},
  {"SELECT * FROM orders WHERE customer_id = 1.7e1", "1"},
  {"SELECT * FROM orders WHERE customer_id = 17.5", "0"},
  {"SELECT * FROM orders WHERE customer_id = NULL", "0"},
  {"SELECT * FROM orders WHERE customer_id = 'abc'", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 18446744073709551615", "7"},
  {"SELECT * FROM orders WHERE 17 = customer_id", "1"},
  {"SELECT * FROM orders WHERE customer_id <=> 4", "4"},
  {"SELECT * FROM orders WHERE customer_id IN (1, 9, 17)", "1"},
  {"SELECT * FROM orders WHERE customer_id IN (1, 2, 3)", "1,2,3"},
  {"SELECT * FROM orders WHERE customer_id IN (3, NULL)", "3"},
  {"SELECT * FROM orders WHERE customer_id NOT IN (1, 2)", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 1 OR customer_id = 4", "1,4"},
  {"SELECT * FROM orders WHERE customer_id = 1 OR total > 5", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 1 AND total > 5", "1"},
  {"SELECT * FROM orders WHERE (customer_id = 1 OR customer_id = 2) AND customer_id = 2", "2"},
  {"SELECT * FROM orders WHERE customer_id = 1 AND customer_id = 2", "0"},
  {"SELECT * FROM orders WHERE (customer_id = 1 AND status = 'a') OR (customer_id = 6 AND status = 'b')", "1,6"},
  {"SELECT * FROM orders WHERE customer_id BETWEEN 1 AND 3", "1,2,3"},
  {"SELECT * FROM orders WHERE customer_id BETWEEN 6 AND 9", "0,1,6,7"},
  {"SELECT * FROM orders WHERE customer_id BETWEEN 1 AND 1000", ALL8},
  {"SELECT * FROM orders WHERE customer_id NOT BETWEEN 1 AND 3", ALL8},
  {"SELECT * FROM orders WHERE customer_id > 5", ALL8},
  {"SELECT * FROM orders WHERE customer_id > 5 AND customer_id < 8", "6,7"},
  {"SELECT * FROM orders WHERE customer_id >= 5 AND customer_id <= 5", "5"},
  {"SELECT * FROM orders WHERE customer_id > 5 AND total > 1 AND customer_id <= 6 + 1", "6,7"},
  {"SELECT * FROM orders WHERE customer_id > 5 AND (customer_id < 8 OR customer_id = 20)", ALL8},
  {"SELECT * FROM orders WHERE (customer_id > 5 AND customer_id < 7) OR customer_id = 20", "4,6"},
  {"SELECT * FROM orders WHERE 3 < customer_id AND 6 > customer_id", "4,5"},
  {"SELECT * FROM orders WHERE customer_id <> 5", ALL8},
  {"SELECT * FROM orders WHERE NOT (customer_id = 5)", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 5 XOR total > 1", ALL8},
  {"SELECT * FROM orders WHERE customer_id IS NULL", ALL8},
  {"SELECT * FROM orders WHERE customer_id LIKE '5'", ALL8},
  {"SELECT * FROM orders WHERE customer_id = ?", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 1 + 2", "3"},
  {"SELECT * FROM orders WHERE customer_id = 2 * 5", "2"},
  {"SELECT * FROM orders WHERE customer_id = -(-3)", "3"},
  {"SELECT * FROM orders WHERE customer_id = 10 DIV 3", "3"},
  {"SELECT * FROM orders WHERE customer_id = 7 % 4", "3"},
  {"SELECT * FROM orders WHERE customer_id = 7 - 10", "5"},
  {"SELECT * FROM orders WHERE customer_id = 9223372036854775807 + 1", ALL8},
  {"SELECT * FROM orders WHERE customer_id = ABS(-3)", ALL8},
  {"SELECT * FROM orders WHERE customer_id = id", ALL8},
  {"SELECT * FROM orders WHERE shop.orders.customer_id = 5", "5"},
  {"SELECT * FROM orders WHERE orders.customer_id = 5", "5"},
  {"SELECT * FROM orders o WHERE o.customer_id = 5", "5"},
  {"SELECT * FROM orders o WHERE O.customer_id = 5", ALL8},
  {"SELECT * FROM orders o WHERE o.CUSTOMER_ID = 5", "5"},
  {"SELECT * FROM shop.orders WHERE customer_id = 5", "5"},
  {"SELECT * FROM `orders` WHERE `customer_id` = 5", "5"},
  {"SELECT * FROM orders WHERE (customer_id, status) = (5, 'x')", "5"},
  {"SELECT * FROM orders WHERE (status, customer_id) = ('x', 5)", "5"},
  {"SELECT * FROM orders WHERE (customer_id, status) IN ((5, 'a'), (6, 'b'))", "5,6"},
  {"SELECT * FROM orders WHERE (status, customer_id) IN (('a', 13), ('b', 21))", "5"},
  {"SELECT * FROM orders WHERE customer_id = 5 AND customer_id IN (5, 6)", "5"},
  {"SELECT * FROM orders WHERE customer_id IN (5) OR customer_id IS NULL", ALL8},
  {"SELECT * FROM orders WHERE customer_id = _utf8mb4'3'", "3"},
  {"SELECT * FROM orders WHERE customer_id = TRUE", "1"},
  {"SELECT * FROM orders WHERE customer_id = 5 AND EXISTS (SELECT 1 FROM countries)", "5"},
  {"SELECT * FROM orders WHERE total > 5 ORDER BY id", ALL8},
  {"SELECT * FROM orders FOR UPDATE", ALL8},
};

static const Case other_method_cases[] = {
  /* range: [..1000000) [1000000..2000000) [2000000..) */
  {"SELECT * FROM accounts WHERE id = 5", "0"},
  {"SELECT * FROM accounts WHERE id = 1500000", "1"},
  {"SELECT * FROM accounts WHERE id = 2000000", "2"},
  {"SELECT * FROM accounts WHERE id >= 2000000", "2"},
  {"SELECT * FROM accounts WHERE id < 1000000", "0"},
  {"SELECT * FROM accounts WHERE id <= 1000000", "0,1"},
  {"SELECT * FROM accounts WHERE id > 1999999", "2"},
  {"SELECT * FROM accounts WHERE id > 1999998.5", "1,2"},
  {"SELECT * FROM accounts WHERE id BETWEEN 999999 AND 1000000", "0,1"},
  {"SELECT * FROM accounts WHERE id IN (1, 3000000)", "0,2"},
  {"SELECT * FROM accounts WHERE id > 5 AND id < 10", "0"},
  {"SELECT * FROM accounts WHERE id < 0", "0"},
  {"SELECT * FROM accounts WHERE 1000000 <= id", "1,2"},
  {"SELECT * FROM accounts WHERE 1000000 > id", "0"},
  {"SELECT * FROM accounts WHERE id > 1000000 OR id < 10", "0,1,2"},
  {"SELECT * FROM accounts WHERE id = '1500000'", "1"},
  {"SELECT * FROM accounts", "0,1,2"},
  /* date: one shard per month from 2024-01 to 2025-12 */
  {"SELECT * FROM events WHERE created_at = '2024-03-15'", "2"},
  {"SELECT * FROM events WHERE created_at = '2024-03-15 12:30:00'", "2"},
  {"SELECT * FROM events WHERE created_at = DATE '2024-02-29'", "1"},
  {"SELECT * FROM events WHERE created_at = TIMESTAMP '2025-01-01 00:00:00'", "12"},
  {"SELECT * FROM events WHERE created_at = 20240615", "5"},
  {"SELECT * FROM events WHERE created_at >= '2025-11-01'", "22,23"},
  {"SELECT * FROM events WHERE created_at > '2025-11-30 23:59:59'", "22,23"}, /* DATETIME(6) may hold .5 */
  {"SELECT * FROM events WHERE created_at > '2025-11-30 23:59:59.999999'", "23"},
  {"SELECT * FROM events WHERE created_at BETWEEN '2024-01-31' AND '2024-02-01'", "0,1"},
  {"SELECT * FROM events WHERE created_at >= '2024-03-01' AND created_at < '2024-05-01'", "2,3"},
  {"SELECT * FROM events WHERE created_at >= '2024-03-01' AND created_at <= '2024-05-01'", "2,3,4"},
  {"SELECT * FROM events WHERE created_at < '2024-01-01'", "0"},
  {"SELECT * FROM events WHERE created_at > '2026-01-01'", "0"},
  {"SELECT * FROM events WHERE created_at IN ('2024-01-05', '2025-01-05')", "0,12"},
  {"SELECT * FROM events WHERE created_at = 'yesterday'", ALL24},
  {"SELECT * FROM events WHERE created_at > NOW()", ALL24},
  /* list */
  {"SELECT * FROM regions WHERE region = 'eu'", "0"},
  {"SELECT * FROM regions WHERE region = 'UK'", "0"},
  {"SELECT * FROM regions WHERE region = 'mx  '", "1"},
  {"SELECT * FROM regions WHERE region IN ('us', 'apac')", "1,2"},
  {"SELECT * FROM regions WHERE region = 'xx'", "0"},
  {"SELECT * FROM regions WHERE region > 'a'", "0,1,2"},
  {"SELECT * FROM regions WHERE region = 'eu' OR region = 'ca'", "0,1"},
  /* string hash: CRC32 of the upper-cased key mod 4 (CRC32('ABC') mod 4 = 0, CRC32('E') mod 4 = 2) */
  {"SELECT * FROM sessions WHERE token = 'abc'", "0"},
  {"SELECT * FROM sessions WHERE token = 'ABC '", "0"},
  {"SELECT * FROM sessions WHERE token = '\xc3\x89'", "2"},
  {"SELECT * FROM sessions WHERE token = 'e' OR token = 'abc'", "0,2"},
  {"SELECT * FROM sessions WHERE token = 12", "0,1,2,3"},
  {"SELECT * FROM sessions WHERE token > 'a'", "0,1,2,3"},
  {"SELECT * FROM sessions WHERE token = X'616263'", "0"},
};

/* ---- joins ---- */

static const Case join_cases[] = {
  {"SELECT * FROM orders o JOIN order_items i ON o.customer_id = i.customer_id", ALL8},
  {"SELECT * FROM orders o JOIN order_items i USING (customer_id)", ALL8},
  {"SELECT * FROM orders NATURAL JOIN order_items", ALL8},
  {"SELECT * FROM orders o, order_items i WHERE o.customer_id = i.customer_id", ALL8},
  {"SELECT * FROM orders o, order_items i WHERE i.customer_id = o.customer_id AND o.customer_id = 12", "4"},
  {"SELECT * FROM orders o JOIN order_items i ON o.customer_id = i.customer_id WHERE i.customer_id = 2", "2"},
  {"SELECT * FROM orders o JOIN order_items i ON o.customer_id = i.customer_id AND i.customer_id = 3", "3"},
  {"SELECT * FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id", ALL8},
  {"SELECT * FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id WHERE o.customer_id = 3", "3"},
  {"SELECT * FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id AND i.customer_id = 3", ALL8},
  {"SELECT * FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id WHERE i.customer_id = 3", "3"},
  {"SELECT * FROM order_items i RIGHT JOIN orders o ON o.customer_id = i.customer_id WHERE o.customer_id IN (1, 2)", "1,2"},
  {"SELECT * FROM orders o1 JOIN orders o2 ON o1.customer_id = o2.customer_id", ALL8},
  {"SELECT * FROM orders o JOIN countries c ON c.code = o.country", ALL8},
  {"SELECT * FROM orders o JOIN countries c ON c.code = o.country WHERE o.customer_id = 7", "7"},
  {"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = 3", "3"},
  {"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id IN (1, 3)", "1,3"},
  {"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = 5", "5"},
  {"SELECT * FROM orders o JOIN unlisted u ON u.id = o.id WHERE o.customer_id = 2", "2"},
  {"SELECT * FROM orders o1, orders o2 WHERE o1.customer_id = 1 AND o2.customer_id = 9", "1"},
  {"SELECT * FROM orders o1, orders o2 WHERE o1.customer_id = 1 AND o2.customer_id = 3", "1"},
  {"SELECT * FROM orders o JOIN order_items i ON o.customer_id = i.customer_id JOIN countries c ON c.code = o.country "
   "WHERE i.customer_id = 6", "6"},
  {"SELECT * FROM orders o JOIN (order_items i JOIN countries c ON c.code = i.country) ON i.customer_id = o.customer_id",
   ALL8},
  {"SELECT * FROM orders o JOIN order_items i ON o.id = i.order_id",
   "!tessera: the JOIN of shop.orders and shop.order_items is not on their shard key (customer_id); join on it or make "
   "one table broadcast"},
  {"SELECT * FROM orders o, order_items i",
   "!tessera: the JOIN of shop.orders and shop.order_items is not on their shard key (customer_id); join on it or make "
   "one table broadcast"},
  {"SELECT * FROM orders o1 JOIN orders o2 ON o1.id = o2.id",
   "!tessera: the JOIN of shop.orders and shop.orders is not on their shard key (customer_id); join on it or make one "
   "table broadcast"},
  {"SELECT * FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id OR o.id = i.order_id",
   "!tessera: the JOIN of shop.orders and shop.order_items is not on their shard key (customer_id); join on it or make "
   "one table broadcast"},
  {"SELECT * FROM orders o JOIN events e ON o.customer_id = e.created_at",
   "!tessera: shop.orders.customer_id and shop.events.created_at are compared as equal, but their tables are not "
   "sharded alike, so equal keys are not on shards of the same index; bind the tables (binding = ...) or make one "
   "broadcast"},
  {"SELECT * FROM orders o JOIN accounts a ON o.customer_id = a.id WHERE a.id = 1",
   "!tessera: shop.orders.customer_id and shop.accounts.id are compared as equal, but their tables are not sharded "
   "alike, so equal keys are not on shards of the same index; bind the tables (binding = ...) or make one broadcast"},
  {"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id",
   "!tessera: shop.orders is read on shards of several groups, but shop.customers is only on group g2; make "
   "shop.customers broadcast or restrict shop.orders to the shards of that group by its shard key (customer_id)"},
  {"SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id IN (1, 2)",
   "!tessera: shop.orders is read on shards of several groups, but shop.customers is only on group g2; make "
   "shop.customers broadcast or restrict shop.orders to the shards of that group by its shard key (customer_id)"},
  {"SELECT * FROM orders o JOIN unlisted u ON u.id = o.id",
   "!tessera: shop.orders is read on shards of several groups, but shop.unlisted is only on group g1; make "
   "shop.unlisted broadcast or restrict shop.orders to the shards of that group by its shard key (customer_id)"},
  {"SELECT * FROM orders o1, orders o2 WHERE o1.customer_id = 1 AND o2.customer_id = 2",
   "!tessera: the statement needs shard 1 of shop.orders on group g2 and shard 2 of shop.orders on group g1, and "
   "runs on one server; make one of the tables broadcast or run the statement in two"},
  {"SELECT * FROM customers c JOIN unlisted u ON u.id = c.id",
   "!tessera: the statement needs shop.customers on group g2 and shop.unlisted on group g1, and runs on one server; "
   "make one of the tables broadcast or run the statement in two"},
  {"SELECT * FROM orders o, order_items i WHERE NOT EXISTS (SELECT 1 FROM orders o2 WHERE o2.customer_id = "
   "o.customer_id AND o2.customer_id = i.customer_id)",
   "!tessera: the JOIN of shop.orders and shop.order_items is not on their shard key (customer_id); join on it or make "
   "one table broadcast"},
  {"SELECT * FROM customers c JOIN countries k ON k.code = c.country", "@g2"},
  {"SELECT * FROM countries k JOIN unlisted u ON u.id = k.id", "@g1"},
  {"SELECT * FROM other.t JOIN customers c ON c.id = t.id",
   "!tessera: the statement needs other.t on group g1 and shop.customers on group g2, and runs on one server; make one "
   "of the tables broadcast or run the statement in two"},
};

/* ---- subqueries, derived tables, UNION ---- */

static const Case subquery_cases[] = {
  {"SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = o.customer_id)", ALL8},
  {"SELECT * FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = o.customer_id)", ALL8},
  {"SELECT * FROM orders o WHERE o.customer_id = 4 AND EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = "
   "o.customer_id)", "4"},
  {"SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = o.customer_id AND "
   "i.customer_id = 4)", ALL8},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items WHERE qty > 3)", ALL8},
  {"SELECT * FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM order_items)", ALL8},
  {"SELECT * FROM orders WHERE customer_id = ANY (SELECT customer_id FROM order_items)", ALL8},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items GROUP BY customer_id HAVING "
   "COUNT(*) > 2)", ALL8},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT DISTINCT customer_id FROM order_items)", ALL8},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items WHERE customer_id = 3 LIMIT 1)",
   ALL8},
  {"SELECT *, (SELECT COUNT(*) FROM order_items i WHERE i.customer_id = o.customer_id) FROM orders o", ALL8},
  {"SELECT * FROM orders o WHERE total > (SELECT AVG(qty) FROM order_items i WHERE i.customer_id = o.customer_id)", ALL8},
  {"SELECT * FROM orders WHERE customer_id = 5 AND total > (SELECT AVG(total) FROM orders WHERE customer_id = 5)", "5"},
  {"SELECT * FROM orders WHERE customer_id = 5 AND total > (SELECT AVG(total) FROM orders WHERE customer_id = 13)", "5"},
  {"SELECT * FROM orders WHERE total > (SELECT MIN(code) FROM countries)", ALL8},
  {"SELECT * FROM orders WHERE country IN (SELECT code FROM countries WHERE name LIKE 'A%')", ALL8},
  {"SELECT * FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE customer_id = 3)", "3"},
  {"SELECT * FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t", ALL8},
  {"SELECT * FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t WHERE t.customer_id = 3", "3"},
  {"SELECT SUM(s) FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t", ALL8},
  {"SELECT * FROM (SELECT * FROM orders WHERE customer_id = 3 LIMIT 10) t", "3"},
  {"SELECT * FROM (SELECT * FROM orders) t WHERE t.customer_id = 11", "3"},
  {"SELECT * FROM (SELECT customer_id AS c FROM orders) t WHERE t.c = 2", "2"},
  {"SELECT * FROM (SELECT o.customer_id FROM orders o JOIN order_items i USING (customer_id)) t WHERE "
   "t.customer_id = 6", "6"},
  {"SELECT * FROM orders o JOIN (SELECT customer_id, COUNT(*) n FROM order_items GROUP BY customer_id) x ON "
   "x.customer_id = o.customer_id", ALL8},
  {"SELECT * FROM orders o LEFT JOIN (SELECT customer_id, COUNT(*) n FROM order_items GROUP BY customer_id) x ON "
   "x.customer_id = o.customer_id WHERE o.customer_id = 1", "1"},
  {"SELECT * FROM (SELECT * FROM orders UNION ALL SELECT * FROM orders) t WHERE t.customer_id = 2", "2"},
  {"SELECT id FROM orders WHERE customer_id = 1 UNION ALL SELECT id FROM orders WHERE customer_id = 2", "1,2"},
  {"SELECT id FROM orders WHERE customer_id = 1 UNION ALL SELECT id FROM orders WHERE customer_id = 9", "1"},
  {"SELECT id FROM orders UNION SELECT order_id FROM order_items", ALL8},
  {"SELECT id FROM orders UNION ALL SELECT order_id FROM order_items WHERE customer_id = 2 ORDER BY 1 LIMIT 5", ALL8},
  {"SELECT id FROM customers UNION SELECT id FROM unlisted",
   "!tessera: the statement needs shop.customers on group g2 and shop.unlisted on group g1, and runs on one server; "
   "make one of the tables broadcast or run the statement in two"},
  {"SELECT * FROM orders WHERE total > (SELECT AVG(total) FROM orders)",
   "!tessera: a subquery over shop.orders reads several shards; correlate it with the query around it on the shard "
   "key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM orders WHERE customer_id = 5 AND total > (SELECT AVG(total) FROM orders WHERE customer_id = 6)",
   "!tessera: the statement needs shard 5 of shop.orders on group g2 and shard 6 of shop.orders on group g1, and runs "
   "on one server; make one of the tables broadcast or run the statement in two"},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items LIMIT 5)",
   "!tessera: a subquery over shop.order_items has a LIMIT, so its rows on each shard do not add up to its rows over "
   "all shards; correlate it on the shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT MAX(customer_id) FROM order_items)",
   "!tessera: a subquery over shop.order_items reads several shards; correlate it with the query around it on the "
   "shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items GROUP BY qty)",
   "!tessera: a subquery over shop.order_items aggregates rows without grouping them by the shard key, so its rows on "
   "each shard do not add up to its rows over all shards; correlate it on the shard key (customer_id) or restrict it "
   "to one shard with customer_id = ..."},
  {"SELECT * FROM orders o WHERE o.id IN (SELECT order_id FROM order_items)",
   "!tessera: a subquery over shop.order_items reads several shards; correlate it with the query around it on the "
   "shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)",
   "!tessera: a subquery over shop.order_items reads several shards; correlate it with the query around it on the "
   "shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM orders o WHERE o.customer_id = 3 AND o.customer_id IN (SELECT customer_id FROM order_items "
   "ORDER BY qty LIMIT 10)",
   "!tessera: a subquery over shop.order_items has a LIMIT, so its rows on each shard do not add up to its rows over "
   "all shards; correlate it on the shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM (SELECT status, COUNT(*) FROM orders GROUP BY status) t",
   "!tessera: a derived table over shop.orders aggregates rows without grouping them by the shard key, so its rows on "
   "each shard do not add up to its rows over all shards; correlate it on the shard key (customer_id) or restrict it "
   "to one shard with customer_id = ..."},
  {"SELECT * FROM (SELECT * FROM orders LIMIT 10) t",
   "!tessera: a derived table over shop.orders has a LIMIT, so its rows on each shard do not add up to its rows over "
   "all shards; correlate it on the shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM (SELECT customer_id FROM orders LIMIT 10) t WHERE t.customer_id = 3",
   "!tessera: a derived table over shop.orders has a LIMIT, so its rows on each shard do not add up to its rows over "
   "all shards; correlate it on the shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"SELECT * FROM (SELECT DISTINCT status FROM orders) t",
   "!tessera: a derived table over shop.orders removes duplicates without selecting the shard key, so its rows on "
   "each shard do not add up to its rows over all shards; correlate it on the shard key (customer_id) or restrict it "
   "to one shard with customer_id = ..."},
  {"SELECT * FROM orders o JOIN (SELECT customer_id FROM order_items) x ON x.customer_id = o.id",
   "!tessera: the JOIN of shop.orders and a derived table over shop.order_items is not on their shard key "
   "(customer_id); join on it or make one table broadcast"},
  {"SELECT * FROM orders o JOIN (SELECT SUM(qty) q FROM order_items) x",
   "!tessera: the JOIN of shop.orders and a derived table over shop.order_items is not on their shard key "
   "(customer_id); join on it or make one table broadcast"},
  {"SELECT id FROM orders UNION ALL SELECT id FROM accounts",
   "!tessera: the statement reads shop.orders and shop.accounts on several shards each without relating them by their "
   "shard keys; join or correlate them on customer_id = id, or restrict one to a single shard"},
  {"SELECT id FROM orders UNION ALL SELECT code FROM countries",
   "!tessera: every part of a UNION over several shards must read shop.orders, or its rows would come once per shard"},
  {"SELECT id FROM orders UNION ALL (SELECT id FROM orders LIMIT 2)",
   "!tessera: a UNION over several shards cannot have a LIMIT in its parts"},
  {"SELECT id FROM orders UNION ALL SELECT id FROM orders UNION SELECT id FROM orders",
   "!tessera: a UNION over several shards must be all UNION ALL or all UNION DISTINCT"},
  {"SELECT * FROM orders o WHERE o.status IN (SELECT i.sku FROM order_items i WHERE NOT EXISTS (SELECT 1 FROM "
   "countries x WHERE x.id = i.customer_id AND x.id = o.customer_id))",
   "!tessera: a subquery reads shop.order_items on other shards than the query around it; correlate it with that "
   "query on the shard key (customer_id = outer.customer_id) or give it the same customer_id = ... condition"},
  {"SELECT * FROM orders o WHERE o.status IN (SELECT i.sku FROM order_items i WHERE EXISTS (SELECT 1 FROM "
   "countries x WHERE x.id = i.customer_id AND x.id = o.customer_id))",
   "!tessera: a subquery reads shop.order_items on other shards than the query around it; correlate it with that "
   "query on the shard key (customer_id = outer.customer_id) or give it the same customer_id = ... condition"},
  {"SELECT * FROM orders o WHERE o.customer_id = 5 AND o.total > (SELECT AVG(i.qty) FROM order_items i WHERE NOT "
   "EXISTS (SELECT 1 FROM countries x WHERE x.id = i.customer_id AND x.id = o.customer_id))",
   "!tessera: a subquery reads shop.order_items on other shards than the query around it; correlate it with that "
   "query on the shard key (customer_id = outer.customer_id) or give it the same customer_id = ... condition"},
  {"SELECT * FROM orders o WHERE o.customer_id = 5 AND o.total > (SELECT AVG(i.qty) FROM order_items i WHERE "
   "i.customer_id = 5 AND NOT EXISTS (SELECT 1 FROM countries x WHERE x.id = i.customer_id AND x.id = "
   "o.customer_id))", "5"},
  {"SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers)",
   "!tessera: shop.orders is read on shards of several groups, but shop.customers is only on group g2; make "
   "shop.customers broadcast or restrict shop.orders to the shards of that group by its shard key (customer_id)"},
};

/* ---- writes ---- */

static const Case write_cases[] = {
  {"INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 10), (2, 2, 20), (3, 9, 30)", "1,2"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, 15), (2, 7), (3, 0), (4, -1)", "0,7"},
  {"INSERT INTO orders SET id = 1, customer_id = 12, total = 3", "4"},
  {"INSERT INTO orders VALUES (1, 13, 10, 'new', NOW())", "5"},
  {"INSERT IGNORE INTO orders (customer_id) VALUES (6)", "6"},
  {"REPLACE INTO orders (id, customer_id) VALUES (1, 3)", "3"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, 2) ON DUPLICATE KEY UPDATE customer_id = VALUES(customer_id), "
   "total = total + 1", "2"},
  {"INSERT INTO orders (customer_id, id) VALUES ('5', 1)", "5"},
  {"INSERT INTO orders (customer_id, id) VALUES (5 + 8, 1)", "5"},
  {"INSERT INTO orders (customer_id, country) VALUES (4, (SELECT code FROM countries LIMIT 1))", "4"},
  {"INSERT INTO events (id, created_at) VALUES (1, '2024-02-10'), (2, '2025-12-01 10:00'), (3, 20240220)", "1,23"},
  {"INSERT INTO regions (region, name) VALUES ('ca', 'Canada'), ('uk', 'UK')", "0,1"},
  {"INSERT INTO accounts (id) VALUES (999999), (1000000), (5000000)", "0,1,2"},
  {"INSERT INTO sessions (token) VALUES ('abc'), ('E')", "0,2"},
  {"INSERT INTO order_items (customer_id, sku) SELECT customer_id, 'x' FROM orders WHERE total > 5", ALL8},
  {"INSERT INTO order_items (customer_id, sku) SELECT customer_id, 'x' FROM orders WHERE customer_id = 3", "3"},
  {"INSERT INTO order_items (sku, customer_id) SELECT o.status, o.customer_id FROM orders o JOIN countries c ON "
   "c.code = o.country", ALL8},
  {"INSERT INTO customers (id, name) VALUES (1, 'a')", "@g2"},
  {"INSERT INTO customers (id) SELECT customer_id FROM orders WHERE customer_id = 5", "5"},
  {"INSERT INTO countries VALUES ('x', 'y')", BOTH},
  {"INSERT INTO countries SELECT * FROM countries", BOTH},
  {"INSERT INTO unlisted VALUES (1)", "@g1"},
  {"UPDATE orders SET status = 'x'", ALL8},
  {"UPDATE orders SET status = 'x' WHERE customer_id = 3", "3"},
  {"UPDATE orders SET status = 'x' WHERE customer_id = 3 LIMIT 1", "3"},
  {"UPDATE orders SET status = 'x' ORDER BY id", ALL8},
  {"UPDATE orders SET customer_id = 11 WHERE customer_id = 3", "3"},
  {"UPDATE orders SET customer_id = 3 WHERE customer_id = 3 AND id = 5", "3"},
  {"UPDATE orders o JOIN order_items i ON o.customer_id = i.customer_id SET o.status = i.sku", ALL8},
  {"UPDATE orders o JOIN countries c ON c.code = o.country SET o.total = 0 WHERE o.customer_id IN (2, 4)", "2,4"},
  {"UPDATE orders SET total = (SELECT MAX(qty) FROM order_items i WHERE i.customer_id = orders.customer_id)", ALL8},
  {"UPDATE customers SET name = 'x'", "@g2"},
  {"UPDATE countries SET name = 'x' WHERE code = 'fr'", BOTH},
  {"UPDATE countries c JOIN countries d ON d.code = c.code SET c.name = d.name", BOTH},
  {"DELETE FROM orders WHERE customer_id IN (1, 2)", "1,2"},
  {"DELETE FROM orders", ALL8},
  {"DELETE o FROM orders o JOIN order_items i ON o.customer_id = i.customer_id WHERE i.qty = 0", ALL8},
  {"DELETE orders FROM orders JOIN order_items USING (customer_id) WHERE orders.customer_id = 1", "1"},
  {"DELETE FROM orders USING orders JOIN countries WHERE orders.country = countries.code", ALL8},
  {"DELETE FROM countries", BOTH},
  {"DELETE FROM customers WHERE id = 5", "@g2"},
  {"INSERT INTO orders (id, total) VALUES (1, 10)",
   "!tessera: INSERT into shop.orders must give the shard key customer_id a value"},
  {"INSERT INTO orders (customer_id) VALUES (DEFAULT)",
   "!tessera: INSERT into shop.orders must give the shard key customer_id a value (row 1)"},
  {"INSERT INTO orders (customer_id) VALUES (1), (RAND())",
   "!tessera: the shard key customer_id of row 2 of the INSERT into shop.orders is not a constant; give its value (a "
   "literal or a parameter)"},
  {"INSERT INTO orders (customer_id) VALUES (?)",
   "!tessera: the shard key customer_id of row 1 of the INSERT into shop.orders is not a constant; give its value (a "
   "literal or a parameter)"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, NULL)",
   "!tessera: INSERT into shop.orders, row 1: the shard key customer_id value NULL cannot be stored on a shard"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, 'abc')",
   "!tessera: INSERT into shop.orders, row 1: the shard key customer_id value 'abc' is not an integer"},
  {"REPLACE INTO orders (id, customer_id) VALUES (1, 2.5)",
   "!tessera: REPLACE into shop.orders, row 1: the shard key customer_id value 2.5 is not an integer"},
  {"INSERT INTO events (id, created_at) VALUES (1, '2026-01-01')",
   "!tessera: INSERT into shop.events, row 1: the shard key created_at value '2026-01-01' is after the last shard "
   "(2025-12)"},
  {"INSERT INTO events (id, created_at) VALUES (1, 'soon')",
   "!tessera: INSERT into shop.events, row 1: the shard key created_at value 'soon' is not a date"},
  {"INSERT INTO regions (region) VALUES ('xx')",
   "!tessera: INSERT into shop.regions, row 1: the shard key region value 'xx' is in no list of the shard map"},
  {"INSERT INTO order_items VALUES (1, 2, 3)",
   "!tessera: INSERT into shop.order_items without a column list: list the columns, or give the table's columns in "
   "the shard map (columns = {...})"},
  {"INSERT INTO orders (id, customer_id) VALUES (1, 2) ON DUPLICATE KEY UPDATE customer_id = 5",
   "!tessera: INSERT ... ON DUPLICATE KEY UPDATE of the shard key shop.orders.customer_id would move the row to "
   "another shard; DELETE and INSERT it instead"},
  {"INSERT INTO orders (customer_id, status) VALUES (1, (SELECT MAX(status) FROM orders))",
   "!tessera: subqueries in the VALUES of an INSERT into the sharded table shop.orders may read only broadcast "
   "tables, not shop.orders"},
  {"INSERT INTO orders (customer_id, id) SELECT 5, id FROM countries",
   "!tessera: INSERT ... SELECT into shop.orders must take its shard key customer_id from the shard key of a table "
   "sharded like it (binding = ...), selected as column 1"},
  {"INSERT INTO order_items (customer_id, sku) SELECT id, 'x' FROM orders",
   "!tessera: INSERT ... SELECT into shop.order_items must take its shard key customer_id from the shard key of a "
   "table sharded like it (binding = ...), selected as column 1"},
  {"INSERT INTO order_items (customer_id, sku) SELECT customer_id, 'x' FROM orders LIMIT 5",
   "!tessera: the SELECT of the INSERT over shop.orders has a LIMIT, so its rows on each shard do not add up to its "
   "rows over all shards; correlate it on the shard key (customer_id) or restrict it to one shard with customer_id = "
   "..."},
  {"INSERT INTO customers (id) SELECT customer_id FROM orders",
   "!tessera: the SELECT of the INSERT over shop.orders reads several shards; correlate it with the query around it "
   "on the shard key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"INSERT INTO countries (code) SELECT country FROM orders WHERE customer_id = 1",
   "!tessera: INSERT into the broadcast table shop.countries reads tables that are not on every group; every group "
   "must change its copy alike, so use only broadcast tables in it"},
  {"INSERT INTO countries VALUES ('xx', NOW())",
   "!tessera: writes to the broadcast table shop.countries must give the same values on every group, and NOW() "
   "differs between servers; compute the value in the application"},
  {"UPDATE countries SET id = UUID()",
   "!tessera: writes to the broadcast table shop.countries must give the same values on every group, and UUID() "
   "differs between servers; compute the value in the application"},
  {"UPDATE orders SET customer_id = 4 WHERE customer_id = 3",
   "!tessera: UPDATE of the shard key shop.orders.customer_id would move the row to another shard; DELETE and INSERT "
   "it instead"},
  {"UPDATE orders SET customer_id = customer_id + 8 WHERE customer_id = 3",
   "!tessera: UPDATE of the shard key shop.orders.customer_id would move the row to another shard; DELETE and INSERT "
   "it instead"},
  {"UPDATE orders o SET o.customer_id = 1",
   "!tessera: UPDATE of the shard key shop.orders.customer_id would move the row to another shard; DELETE and INSERT "
   "it instead"},
  {"UPDATE orders SET status = 'x' LIMIT 1",
   "!tessera: UPDATE with LIMIT on several shards would change up to that many rows on each; add the shard key "
   "(customer_id) to the WHERE or drop the LIMIT"},
  {"DELETE FROM orders WHERE id = 5 LIMIT 1",
   "!tessera: DELETE with LIMIT on several shards would change up to that many rows on each; add the shard key "
   "(customer_id) to the WHERE or drop the LIMIT"},
  {"UPDATE countries c JOIN orders o ON o.country = c.code SET c.name = 'x'",
   "!tessera: UPDATE of the broadcast table shop.countries reads tables that are not on every group; every group must "
   "change its copy alike, so use only broadcast tables in it"},
  {"DELETE FROM countries WHERE code IN (SELECT country FROM orders)",
   "!tessera: a subquery over shop.orders reads several shards; correlate it with the query around it on the shard "
   "key (customer_id) or restrict it to one shard with customer_id = ..."},
  {"DELETE FROM countries WHERE code IN (SELECT country FROM orders WHERE customer_id = 1)",
   "!tessera: DELETE of the broadcast table shop.countries reads tables that are not on every group; every group must "
   "change its copy alike, so use only broadcast tables in it"},
  {"DELETE x FROM orders o", "!tessera: DELETE names the table x, which is not in its FROM"},
  {"UPDATE customers c JOIN orders o ON o.customer_id = c.id SET c.name = o.status",
   "!tessera: shop.orders is read on shards of several groups, but shop.customers is only on group g2; make "
   "shop.customers broadcast or restrict shop.orders to the shards of that group by its shard key (customer_id)"},
};

/* ---- the other statements ---- */

static const Case other_cases[] = {
  {"SELECT 1", "@g1"},
  {"SELECT NOW(), @@version", "@g1"},
  {"SELECT * FROM countries", "@g1"},
  {"SELECT * FROM customers", "@g2"},
  {"SELECT * FROM unlisted", "@g1"},
  {"SELECT * FROM other.t", "@g1"},
  {"SELECT * FROM information_schema.tables", "@g1"},
  {"SELECT LAST_INSERT_ID()", "last"},
  {"SELECT last_insert_id(), ROW_COUNT()", "last"},
  {"SELECT @@identity", "last"},
  {"SELECT FOUND_ROWS()", "last"},
  {"SET NAMES utf8mb4", "session"},
  {"SET autocommit = 0", "session"},
  {"SET @x = 5, @y = 'a'", "session"},
  {"SET SESSION sql_mode = ''", "session"},
  {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "session"},
  {"SET CHARACTER SET utf8", "session"},
  {"USE shop", "session"},
  {"BEGIN", "transaction"},
  {"START TRANSACTION READ ONLY", "transaction"},
  {"COMMIT", "transaction"},
  {"ROLLBACK", "transaction"},
  {"SAVEPOINT a", "transaction"},
  {"ROLLBACK TO SAVEPOINT a", "transaction"},
  {"RELEASE SAVEPOINT a", "transaction"},
  {"SHOW TABLES", "@g1"},
  {"SHOW DATABASES", "@g1"},
  {"SHOW VARIABLES LIKE 'x'", "@g1"},
  {"SHOW WARNINGS", "last"},
  {"SHOW ERRORS", "last"},
  {"SHOW CREATE TABLE orders", "0"},
  {"SHOW COLUMNS FROM events", "0"},
  {"SHOW INDEX FROM accounts", "0"},
  {"SHOW COLUMNS FROM customers", "@g2"},
  {"SHOW CREATE TABLE countries", "@g1"},
  {"SHOW CREATE TABLE unlisted", "@g1"},
  {"CREATE TABLE orders (id INT, customer_id INT)", ALL8},
  {"CREATE TABLE IF NOT EXISTS shop.order_items (customer_id INT)", ALL8},
  {"CREATE TABLE countries (code CHAR(2))", BOTH},
  {"CREATE TABLE customers (id INT)", "@g2"},
  {"CREATE TABLE newt (id INT)", "@g1"},
  {"CREATE DATABASE shop2", BOTH},
  {"DROP DATABASE shop2", BOTH},
  {"DROP TABLE orders, order_items", ALL8},
  {"TRUNCATE TABLE events", ALL24},
  {"ALTER TABLE accounts ADD COLUMN c INT", "0,1,2"},
  {"CREATE INDEX i ON orders (status)", ALL8},
  {"DROP INDEX i ON regions", "0,1,2"},
  {"CREATE VIEW v AS SELECT 1", "@g1"},
  {"RENAME TABLE unlisted TO unlisted2", "@g1"},
  {"EXPLAIN SELECT * FROM orders WHERE customer_id = 3", "3"},
  {"EXPLAIN SELECT * FROM customers", "@g2"},
  {"DESCRIBE orders", "0"},
  {"DESC customers", "@g2"},
  {"EXPLAIN regions", "0"},
  {"KILL 3", "local"},
  {"KILL QUERY 3", "local"},
  {"UNLOCK TABLES", "session"},
  {"CALL p(1)", "@g1"},
  {"DO 1", "@g1"},
  {"FLUSH TABLES", "@g1"},
  {"ANALYZE TABLE unlisted", "@g1"},
  {"DROP TABLE orders, customers", "!tessera: DROP names tables that live in different places; use one statement per table"},
  {"RENAME TABLE orders TO orders2",
   "!tessera: RENAME TABLE of shop.orders, which the shard map lists: rename the tables on their servers and change the "
   "map"},
  {"SET GLOBAL max_connections = 10",
   "!tessera: SET GLOBAL changes one server, not the session; run it on each server, or name one with the hint "
   "group=NAME"},
  {"SET @@global.x = 1",
   "!tessera: SET GLOBAL changes one server, not the session; run it on each server, or name one with the hint "
   "group=NAME"},
  {"SET @x = (SELECT MAX(id) FROM orders)",
   "!tessera: SET with a subquery would run it on every server of the session; SELECT the value first and SET it as a "
   "constant"},
  {"XA START 'x'",
   "!tessera: XA transactions of the client cannot span the servers of a sharded database; name one server with the "
   "hint group=NAME"},
  {"LOCK TABLES orders WRITE",
   "!tessera: LOCK cannot span the servers of a sharded database; name one server with the hint group=NAME"},
  {"LOAD DATA INFILE 'x' INTO TABLE orders",
   "!tessera: LOAD cannot span the servers of a sharded database; name one server with the hint group=NAME"},
  {"PREPARE s FROM 'SELECT 1'",
   "!tessera: SQL PREPARE is not routed over shards; use prepared statements of the protocol (COM_STMT_PREPARE)"},
  {"EXPLAIN SELECT * FROM orders",
   "!tessera: EXPLAIN of a statement that runs on 8 shards; add the hint shard=N to explain one of them"},
  {"SELECT 1; SELECT 2", "!tessera: the query holds 2 statements; send them one at a time"},
  {"SELEC 1", "@g1"}, /* any statement word: the server answers */
  {"SELECT (1", "!tessera: line 1, column 10: expected ')' at the end of the query"},
};

/* ---- hints ---- */

static const Case hint_cases[] = {
  {"/* tessera: shard=3 */ SELECT * FROM orders", "3"},
  {"SELECT * FROM orders /*tessera:shard=3*/", "3"},
  {"SELECT * FROM orders -- tessera: shard=3", "3"},
  {"SELECT * FROM orders WHERE customer_id = 1 /* tessera: shard=3 */", "3"},
  {"/* tessera: shard=3 */ SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id", "3"},
  {"/* tessera: shard=1 */ SELECT * FROM orders WHERE total > (SELECT AVG(total) FROM orders)", "1"},
  {"/* tessera: shard=1 */ SELECT * FROM orders o JOIN order_items i ON o.id = i.order_id", "1"},
  {"/* tessera: shard=2 */ INSERT INTO orders (customer_id) VALUES (2), (10)", "2"},
  {"/* tessera: shard=5 */ UPDATE orders SET status = 'x' LIMIT 1", "5"},
  {"/* tessera: shard=5 */ SHOW CREATE TABLE orders", "5"},
  {"/* tessera: shard=5 */ DROP TABLE orders", "5"},
  {"/* tessera: group=g2 */ SELECT * FROM countries", "@g2"},
  {"/* tessera: group=g2 */ SELECT * FROM unlisted", "@g2"},
  {"/* tessera: group=g2 */ UPDATE countries SET name = 'x'", "@g2"},
  {"/* tessera: group=g2 */ SET GLOBAL x = 1", "@g2"},
  {"/* tessera: group=g1 */ XA START 'x'", "@g1"},
  {"/* tessera: group=g2 */ LOCK TABLES unlisted WRITE", "@g2"},
  {"/* tessera: group=g2 */ CREATE TABLE countries (c INT)", "@g2"},
  {"/* tessera: group=g2 */ SHOW TABLES", "@g2"},
  {"/* tessera shard=3 */ SELECT * FROM orders", ALL8},
  {"/* shard=3 */ SELECT * FROM orders", ALL8},
  {"/*! tessera: shard=3 */ SELECT 1", "@g1"},
  {"/* tessera: group=g2 */ SELECT * FROM orders",
   "!tessera: the hint group=g2 cannot place the sharded table shop.orders; use shard=N"},
  {"/* tessera: group=g2 */ INSERT INTO orders (customer_id) VALUES (1)",
   "!tessera: the hint group=g2 cannot place rows of the sharded table shop.orders; use shard=N"},
  {"/* tessera: group=g9 */ SELECT 1", "!tessera: the hint group=g9 names no group of the shard map"},
  {"/* tessera: shard=8 */ SELECT * FROM orders", "!tessera: the hint shard=8 names no shard of shop.orders, which has 8"},
  {"/* tessera: shard=3 */ DROP TABLE accounts",
   "!tessera: the hint shard=3 names no shard of shop.accounts, which has 3"},
  {"/* tessera: shard=-1 */ SELECT 1", "!tessera: the hint shard=-1 needs a shard number"},
  {"/* tessera: shard=1, group=g1 */ SELECT 1", "!tessera: give one routing hint: shard=N or group=NAME"},
  {"/* tessera: shard */ SELECT 1", "!tessera: the routing hint 'shard' is not key=value (shard=N or group=NAME)"},
  {"/* tessera: node=1 */ SELECT 1", "!tessera: unknown routing hint 'node'; use shard=N or group=NAME"},
  {"/* tessera: shard=2 */ SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id",
   "!tessera: the statement needs shard 2 of shop.orders on group g1 and shop.customers on group g2, and runs on one "
   "server; make one of the tables broadcast or run the statement in two"},
  {"/* tessera: shard=2 */ INSERT INTO orders (customer_id) VALUES (2), (3)",
   "!tessera: row 2 of the INSERT into shop.orders belongs to shard 3, not to the hinted shard 2"},
};

static void test_hash(void) { RUN(hash_cases); }
static void test_other_methods(void) { RUN(other_method_cases); }
static void test_joins(void) { RUN(join_cases); }
static void test_subqueries(void) { RUN(subquery_cases); }
static void test_writes(void) { RUN(write_cases); }
static void test_other_statements(void) { RUN(other_cases); }
static void test_hints(void) { RUN(hint_cases); }

/* ---- generated: every key value lands where the method says ---- */

static void test_generated_points(void) {
  guint n = 0;
  for (gint64 k = -40; k <= 200; k++) {
    g_autofree char *q = g_strdup_printf("SELECT * FROM orders WHERE customer_id = %" G_GINT64_FORMAT, k);
    g_autofree char *expected = g_strdup_printf("%d", (gint)(((k % 8) + 8) % 8));
    g_autofree char *got = route(q);
    g_assert_cmpstr(got, ==, expected);
    g_autofree char *ins = g_strdup_printf("INSERT INTO order_items (customer_id) VALUES (%" G_GINT64_FORMAT ")", k);
    g_autofree char *got_ins = route(ins);
    g_assert_cmpstr(got_ins, ==, expected);
    n += 2;
  }
  for (guint m = 0; m < 24; m++) {
    g_autofree char *q = g_strdup_printf("SELECT * FROM events WHERE created_at = '%u-%02u-15 10:00:00'", 2024 + m / 12,
                                         m % 12 + 1);
    g_autofree char *expected = g_strdup_printf("%u", m);
    g_autofree char *got = route(q);
    g_assert_cmpstr(got, ==, expected);
    n++;
  }
  for (gint64 id = 0; id < 3000000; id += 250000) {
    g_autofree char *q = g_strdup_printf("SELECT * FROM accounts WHERE id = %" G_GINT64_FORMAT, id);
    g_autofree char *expected = g_strdup_printf("%d", id < 1000000 ? 0 : id < 2000000 ? 1 : 2);
    g_autofree char *got = route(q);
    g_assert_cmpstr(got, ==, expected);
    n++;
  }
  static const char *const tokens[] = {"a", "abc", "Zürich", "token-17", "x y", "MiXeD", "\xe2\x82\xac"};
  for (guint i = 0; i < G_N_ELEMENTS(tokens); i++) {
    g_autoptr(GString) folded = g_string_new(NULL);
    g_assert_true(tsr_shard_fold(TSR_SHARD_COLLATION_GENERAL_CI, tokens[i], strlen(tokens[i]), folded));
    g_autofree char *q = g_strdup_printf("SELECT * FROM sessions WHERE token = '%s'", tokens[i]);
    g_autofree char *expected = g_strdup_printf("%u", tsr_shard_crc32((const guint8 *)folded->str, folded->len) % 4);
    g_autofree char *got = route(q);
    g_assert_cmpstr(got, ==, expected);
    n++;
  }
  g_test_message("%u generated statements", n);
}

/* ---- inputs ---- */

static void test_default_db(void) {
  TsrRouteInput in = {.map = shop, .prefer_group = -1};
  g_autofree char *a = route_with(&in, "SELECT * FROM orders WHERE customer_id = 5");
  g_autofree char *b = route_with(&in, "SELECT * FROM shop.orders WHERE customer_id = 5");
  in.default_db = "other";
  g_autofree char *c = route_with(&in, "SELECT * FROM orders WHERE customer_id = 5");
  g_assert_cmpstr(a, ==, "@g1"); /* no database: the server says so */
  g_assert_cmpstr(b, ==, "5");
  g_assert_cmpstr(c, ==, "@g1");
}

static void test_prefer_group(void) {
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = 1};
  g_autofree char *a = route_with(&in, "SELECT * FROM countries");
  g_autofree char *b = route_with(&in, "SELECT 1");
  g_autofree char *c = route_with(&in, "SELECT * FROM unlisted");
  in.prefer_group = 7;
  g_autofree char *d = route_with(&in, "SELECT * FROM countries");
  g_assert_cmpstr(a, ==, "@g2");
  g_assert_cmpstr(b, ==, "@g2");
  g_assert_cmpstr(c, ==, "@g1");
  g_assert_cmpstr(d, ==, "@g1");
}

static TsrRoutePlan *plan_of(const char *q) {
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = -1};
  g_autoptr(GError) error = NULL;
  TsrRoutePlan *plan = tsr_route_query(&in, q, strlen(q), &error);
  g_assert_no_error(error);
  return plan;
}

static void test_flags(void) {
  static const struct {
    const char *q;
    gboolean write, primary, merge;
  } cases[] = {
    {"SELECT * FROM orders", FALSE, FALSE, TRUE},
    {"SELECT * FROM orders WHERE customer_id = 1", FALSE, FALSE, FALSE},
    {"SELECT * FROM orders FOR UPDATE", FALSE, TRUE, TRUE},
    {"SELECT * FROM orders WHERE customer_id = 1 LOCK IN SHARE MODE", FALSE, TRUE, FALSE},
    {"INSERT INTO orders (customer_id) VALUES (1), (2)", TRUE, TRUE, FALSE},
    {"DELETE FROM orders", TRUE, TRUE, FALSE},
    {"CREATE TABLE orders (a INT)", TRUE, TRUE, FALSE},
    {"SHOW TABLES", FALSE, FALSE, FALSE},
    {"SELECT * FROM countries", FALSE, FALSE, FALSE},
    {"CALL p()", TRUE, TRUE, FALSE},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(TsrRoutePlan) plan = plan_of(cases[i].q);
    g_test_message("%s", cases[i].q);
    g_assert_cmpint(plan->write, ==, cases[i].write);
    g_assert_cmpint(plan->needs_primary, ==, cases[i].primary);
    g_assert_cmpint(plan->merge, ==, cases[i].merge);
  }
  g_autoptr(TsrRoutePlan) use = plan_of("USE `my db`");
  g_assert_cmpstr(use->use_db, ==, "my db");
  g_assert_cmpstr(use->sql, ==, "USE `my db`");
  g_autoptr(TsrRoutePlan) set = plan_of("set names utf8mb4");
  g_assert_cmpstr(set->sql, ==, "SET NAMES utf8mb4");
  g_assert_cmpuint(set->n_steps, ==, 0);
}

static void test_error_codes(void) {
  static const struct {
    const char *q;
    gint domain_code;
    guint16 code;
    const char *state;
  } cases[] = {
    {"SELECT * FROM orders o, order_items i", TSR_ROUTER_ERROR_UNSUPPORTED, 1235, "42000"},
    {"INSERT INTO orders (customer_id) VALUES (NULL)", TSR_ROUTER_ERROR_VALUE, 1292, "22007"},
    {"/* tessera: group=g9 */ SELECT 1", TSR_ROUTER_ERROR_HINT, 1235, "42000"},
    {"SELECT (1", TSR_ROUTER_ERROR_SYNTAX, 1064, "42000"},
  };
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = -1};
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    guint16 code;
    const char *state;
    g_assert_null(tsr_route_query(&in, cases[i].q, strlen(cases[i].q), &error));
    g_assert_error(error, TSR_ROUTER_ERROR, cases[i].domain_code);
    tsr_router_error_code(error, &code, &state);
    g_assert_cmpuint(code, ==, cases[i].code);
    g_assert_cmpstr(state, ==, cases[i].state);
  }
}

/* tsr_route() of a statement parsed by the caller leaves it as it was and
 * can route it again. */
static void test_route_parsed(void) {
  const char *q = "/* tessera: shard=2 */ SELECT * FROM orders WHERE customer_id = 1";
  g_autoptr(TsrSqlScript) script = tsr_sql_parse(q, strlen(q), 0, NULL, NULL);
  TsrSqlStmt *stmt = tsr_sql_script_stmt(script, 0);
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = -1};
  for (int round = 0; round < 2; round++) {
    g_autoptr(TsrRoutePlan) plan = tsr_route(&in, stmt, NULL);
    g_assert_cmpuint(plan->n_steps, ==, 1);
    g_assert_cmpint(plan->steps[0].shard, ==, 1); /* the hint is not in the statement's own text */
    g_assert_cmpstr(plan->steps[0].sql, ==, "SELECT * FROM orders_1 WHERE customer_id = 1");
  }
  in.query = q;
  in.query_len = strlen(q);
  g_autoptr(TsrRoutePlan) hinted = tsr_route(&in, stmt, NULL);
  g_assert_cmpint(hinted->steps[0].shard, ==, 2);
  g_assert_cmpstr(stmt->select->from.items ? ((TsrSqlTableRef *)stmt->select->from.items[0])->name : "", ==, "orders");
}

static char **item_columns(const char *schema, const char *table, gpointer data) {
  guint *calls = data;
  (*calls)++;
  if (strcmp(schema, "shop") != 0 || strcmp(table, "order_items") != 0) return NULL;
  return g_strsplit("id,order_id,customer_id,sku", ",", -1);
}

/* INSERT without a column list: the map's columns, else the caller's. */
static void test_columns_callback(void) {
  guint calls = 0;
  TsrRouteInput in = {.map = shop, .default_db = "shop", .prefer_group = -1, .columns = item_columns,
                      .columns_data = &calls};
  g_autofree char *a = route_with(&in, "INSERT INTO order_items VALUES (1, 2, 3, 'x'), (2, 2, 12, 'y')");
  g_autofree char *b = route_with(&in, "INSERT INTO orders VALUES (1, 13, 1.0, 'new', NULL)");
  g_autofree char *c = route_with(&in, "INSERT INTO sessions VALUES (1, 'abc')");
  g_assert_cmpstr(a, ==, "3,4");
  g_assert_cmpstr(b, ==, "5"); /* from the map's columns: no call */
  g_assert_cmpstr(c, ==, "!tessera: INSERT into shop.sessions without a column list: list the columns, or give the "
                         "table's columns in the shard map (columns = {...})");
  g_assert_cmpuint(calls, ==, 2);
}

static void test_plan_outlives_map_ref(void) {
  g_autofree char *path = g_build_filename(g_getenv("SHARDING_EXAMPLES_DIR"), "shop.lua", NULL);
  TsrShardMap *map = tsr_shard_map_load_file(path, NULL);
  TsrRouteInput in = {.map = map, .default_db = "shop", .prefer_group = -1};
  TsrRoutePlan *plan = tsr_route_query(&in, "SELECT * FROM orders WHERE customer_id = 1", 42, NULL);
  tsr_shard_map_unref(map); /* the plan keeps the generation it was made with */
  g_autofree char *json = tsr_route_plan_to_json(plan);
  g_assert_nonnull(strstr(json, "\"group\":\"g2\""));
  tsr_route_plan_free(plan);
}

int main(int argc, char **argv) {
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename(g_getenv("SHARDING_EXAMPLES_DIR"), "shop.lua", NULL);
  g_test_init(&argc, &argv, NULL);
  shop = tsr_shard_map_load_file(path, &error);
  g_assert_no_error(error);
  g_test_add_func("/router/hash", test_hash);
  g_test_add_func("/router/range-date-list-string", test_other_methods);
  g_test_add_func("/router/joins", test_joins);
  g_test_add_func("/router/subqueries", test_subqueries);
  g_test_add_func("/router/writes", test_writes);
  g_test_add_func("/router/other-statements", test_other_statements);
  g_test_add_func("/router/hints", test_hints);
  g_test_add_func("/router/generated-points", test_generated_points);
  g_test_add_func("/router/default-db", test_default_db);
  g_test_add_func("/router/prefer-group", test_prefer_group);
  g_test_add_func("/router/flags", test_flags);
  g_test_add_func("/router/error-codes", test_error_codes);
  g_test_add_func("/router/route-parsed", test_route_parsed);
  g_test_add_func("/router/columns-callback", test_columns_callback);
  g_test_add_func("/router/plan-outlives-map-ref", test_plan_outlives_map_ref);
  int rc = g_test_run();
  tsr_shard_map_unref(shop);
  return rc;
}
