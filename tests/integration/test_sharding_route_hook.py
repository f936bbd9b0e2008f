#!/usr/bin/python3
"""The read_route hook of a Lua script under the sharding plugin: tessera
started with --sharding-config and --proxy-lua-script in front of the two
fixture servers, and where rows land checked with direct queries on them.

The shard map has two groups, g1 and g2 (the two fixture servers), and in
the schema t_sharding_route_hook:
  orders     hash on customer_id, 4 shards: orders_i on g1 when i is even,
             on g2 when i is odd
  countries  broadcast, a copy on both groups
  audit      not listed: on the default group g1
Every physical table exists on both servers, so that a row written to the
wrong server stays visible to the checks.

RouteHookExampleTest runs examples/sharding-route-hook.lua (DELETE/UPDATE
without WHERE refused, reads of countries sent to g2); RouteHookScriptTest
runs a script that prints each route table and changes it as the query's
comment asks (the comments do not reach the backends)."""

import os

import pymysql

import harness
import lua_harness
import mysql_raw
import sharding_harness
from harness import PASSWORD, USER

DB = "t_sharding_route_hook"
SHARDS = 4
ERR_REFUSED = 1235
ERR_SCRIPT = 9010

ORDERS_DDL = "(id INT PRIMARY KEY, customer_id INT NOT NULL, note VARCHAR(20))"
COUNTRIES_DDL = "(code CHAR(2) PRIMARY KEY, name VARCHAR(30) NOT NULL)"
AUDIT_DDL = "(id INT PRIMARY KEY, what VARCHAR(20))"

EXAMPLE = os.path.join(harness.REPO_ROOT, "examples", "sharding-route-hook.lua")

SCRIPT = r"""
function read_route(route)
  local q = route.query
  local st = route.statement
  print(string.format("[route] %s write=%s merge=%s params=%s statement=%s tables=%d steps=%d",
                      route.kind, tostring(route.write), tostring(route.merge), tostring(route.params),
                      st and st.kind or "-", st and #st.tables or -1, #route.steps))
  for i, s in ipairs(route.steps) do
    print(string.format("[step] %d %s %s %s", i, s.group, tostring(s.shard), s.sql))
  end
  if q:find("/* both */", 1, true) then
    local s = route.steps[1]
    route.steps[2] = { group = s.group == "g1" and "g2" or "g1", sql = s.sql }
  elseif q:find("/* archive */", 1, true) then
    route.steps[1].sql = route.steps[1].sql:gsub("audit", "audit_archive")
  elseif q:find("/* g2 */", 1, true) then
    route.steps[1].group = "g2"
  elseif q:find("/* nowhere */", 1, true) then
    route.steps[1].group = "nowhere"
  elseif q:find("/* drop one */", 1, true) then
    table.remove(route.steps)
  elseif q:find("/* add step */", 1, true) then
    route.steps = { { group = "g1", sql = "SELECT 1" } }
  elseif q:find("/* explode */", 1, true) then
    error("exploded on " .. st.kind)
  elseif q:find("/* refuse */", 1, true) then
    route.refuse = "refused by the script: " .. st.kind .. " of " .. (st.tables[1] and st.tables[1].name or "nothing")
  end
end
"""


class RouteHookTest(sharding_harness.ShardedProxyTestCase):
    DATABASE = DB
    SHARD_TABLES = {DB + ".orders": sharding_harness.hash_table("customer_id", SHARDS),
                    DB + ".countries": "{ broadcast = true }"}
    BACKEND_TABLES = (sharding_harness.shard_tables("orders", ORDERS_DDL, SHARDS)
                      + [("countries", COUNTRIES_DDL), ("audit", AUDIT_DDL), ("audit_archive", AUDIT_DDL)])
    SCRIPT_PATH = None

    @classmethod
    def proxy_args(cls):
        script = cls.SCRIPT_PATH or lua_harness.write_script(harness.scratch_dir(), "route.lua", SCRIPT)
        return ["--proxy-lua-script=" + script, "--event-threads=1"]

    def setUp(self):
        self.empty_backend_tables()

    def assert_fails(self, sql, code, *fragments):
        with self.connect() as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute(sql)
            self.assertEqual(caught.exception.args[0], code, caught.exception.args)
            for fragment in fragments:
                self.assertIn(fragment, caught.exception.args[1])
            # the session goes on
            cur.execute("SELECT 6 * 7")
            self.assertEqual(cur.fetchone(), (42,))
        return caught.exception.args[1]

    def insert_orders(self):
        """Orders 1..8 with customer_id = id - 1 through tessera: order n on shard (n - 1) % 4."""
        n = self.execute("INSERT INTO orders (id, customer_id, note) VALUES "
                         + ", ".join("(%d, %d, 'o%d')" % (i, i - 1, i) for i in range(1, 9)))
        self.assertEqual(n, 8)
        self.assertEqual(self.physical(self.backends[0], "orders_0"), [1, 5])
        self.assertEqual(self.physical(self.backends[1], "orders_1"), [2, 6])
        self.assertEqual(self.physical(self.backends[0], "orders_2"), [3, 7])
        self.assertEqual(self.physical(self.backends[1], "orders_3"), [4, 8])

    def all_order_ids(self):
        return sorted(i for s in self.backends for t in range(SHARDS) for i in self.physical(s, "orders_%d" % t))


class RouteHookExampleTest(RouteHookTest):
    SCRIPT_PATH = EXAMPLE

    def plant_countries(self):
        """Copies that differ, so that an answer shows which one was read."""
        self.direct_many(self.backends[0], ["INSERT INTO countries VALUES ('fr', 'France on g1')"])
        self.direct_many(self.backends[1], ["INSERT INTO countries VALUES ('fr', 'France on g2')"])

    def test_reads_of_countries_go_to_g2(self):
        self.plant_countries()
        self.assertEqual(self.query("SELECT name FROM countries WHERE code = 'fr'"), (("France on g2",),))
        self.assertEqual(self.query("SELECT COUNT(*) FROM countries c"), ((1,),))

    def test_reads_that_name_another_table_keep_the_routers_plan(self):
        self.plant_countries()
        self.direct_many(self.backends[0], ["INSERT INTO audit VALUES (1, 'fr')"])
        # audit is on g1 only: the join runs there, with g1's copy of countries
        self.assertEqual(self.query("SELECT c.name FROM countries c JOIN audit a ON a.what = c.code"),
                         (("France on g1",),))

    def test_writes_to_countries_still_reach_both_copies(self):
        self.assertEqual(self.execute("INSERT INTO countries VALUES ('de', 'Germany')"), 1)
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT name FROM countries"), (("Germany",),))
        self.assertEqual(self.execute("UPDATE countries SET name = 'Deutschland' WHERE code = 'de'"), 1)
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT name FROM countries"), (("Deutschland",),))

    def test_delete_without_where_is_refused(self):
        self.insert_orders()
        self.assert_fails("DELETE FROM orders", ERR_REFUSED,
                          "DELETE without WHERE is not allowed through this proxy: add a WHERE clause")
        self.assertEqual(self.all_order_ids(), list(range(1, 9)))
        # with a WHERE it runs, on the shard of its key
        self.assertEqual(self.execute("DELETE FROM orders WHERE customer_id = 4"), 1)
        self.assertEqual(self.physical(self.backends[0], "orders_0"), [1])
        self.assertEqual(self.all_order_ids(), [1, 2, 3, 4, 6, 7, 8])

    def test_update_without_where_is_refused(self):
        self.execute("INSERT INTO countries VALUES ('it', 'Italy')")
        self.assert_fails("UPDATE countries SET name = 'nowhere'", ERR_REFUSED,
                          "UPDATE without WHERE is not allowed")
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT name FROM countries"), (("Italy",),))

    def test_reads_by_key_are_not_moved(self):
        self.insert_orders()
        self.assertEqual(self.query("SELECT id FROM orders WHERE customer_id = 1"), ((2,),))
        self.assertEqual(self.query("SELECT COUNT(*) FROM orders"), ((8,),))


class RouteHookScriptTest(RouteHookTest):

    def mark(self):
        return lua_harness.OutputMark(self.proxy)

    def test_the_route_table(self):
        with self.connect() as conn, conn.cursor() as cur:
            mark = self.mark()
            cur.execute("SELECT id FROM orders WHERE customer_id = 5")
            self.assertEqual(mark.new_lines("["), [
                "[route] shards write=false merge=false params=nil statement=select tables=1 steps=1",
                "[step] 1 g2 1 SELECT id FROM orders_1 WHERE customer_id = 5",
            ])
            mark = self.mark()
            cur.execute("SELECT COUNT(*) FROM orders")
            lines = mark.new_lines("[")
            self.assertEqual(lines[0],
                             "[route] shards write=false merge=true params=nil statement=select tables=1 steps=4")
            self.assertEqual([line.split(" ")[2:4] for line in lines[1:]],
                             [["g1", "0"], ["g2", "1"], ["g1", "2"], ["g2", "3"]])
            mark = self.mark()
            cur.execute("SET @x = 1")
            self.assertEqual(mark.new_lines("["),
                             ["[route] session write=false merge=false params=nil statement=set tables=0 steps=0"])
            mark = self.mark()
            cur.execute("INSERT INTO orders (id, customer_id, note) VALUES (9, 2, 'x')")
            self.assertEqual(mark.new_lines("["), [
                "[route] shards write=true merge=false params=nil statement=insert tables=1 steps=1",
                "[step] 1 g1 2 INSERT INTO orders_2 (id, customer_id, note) VALUES (9, 2, 'x')",
            ])

    def test_prepared_statements(self):
        self.insert_orders()
        conn = mysql_raw.connect(harness.HOST, self.port, USER, PASSWORD, DB)
        try:
            stmt = conn.stmt_prepare("SELECT id FROM orders WHERE customer_id = ?")
            mark = self.mark()
            self.assertEqual(conn.stmt_execute(stmt, (5,)).rows, [(6,)])
            self.assertEqual(mark.new_lines("["), [
                "[route] shards write=false merge=false params=1 statement=select tables=1 steps=1",
                "[step] 1 g2 1 SELECT id FROM orders_1 WHERE customer_id = 5",
            ])
            stmt = conn.stmt_prepare("DELETE FROM orders WHERE customer_id = ? /* refuse */")
            with self.assertRaises(mysql_raw.ServerError) as caught:
                conn.stmt_execute(stmt, (1,))
            self.assertEqual((caught.exception.code, caught.exception.message),
                             (ERR_REFUSED, "refused by the script: delete of orders"))
        finally:
            conn.close()
        self.assertEqual(self.all_order_ids(), list(range(1, 9)))

    def test_a_write_sent_to_both_groups(self):
        # steps without a shard are copies, as a broadcast write's: one copy's rows count
        self.assertEqual(self.execute("INSERT INTO audit VALUES (1, 'copied') /* both */"), 1)
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT id, what FROM audit"), ((1, "copied"),))

    def test_a_step_rewritten(self):
        self.direct_many(self.backends[0], ["INSERT INTO audit VALUES (1, 'live')",
                                       "INSERT INTO audit_archive VALUES (1, 'archived')"])
        self.assertEqual(self.query("SELECT what FROM audit WHERE id = 1"), (("live",),))
        self.assertEqual(self.query("SELECT what FROM audit WHERE id = 1 /* archive */"), (("archived",),))

    def test_a_step_moved(self):
        self.assertEqual(self.execute("INSERT INTO audit VALUES (2, 'moved') /* g2 */"), 1)
        self.assertEqual(self.direct(self.backends[0], "SELECT id FROM audit"), ())
        self.assertEqual(self.direct(self.backends[1], "SELECT id, what FROM audit"), ((2, "moved"),))

    def test_refused_by_the_script(self):
        self.insert_orders()
        self.assert_fails("DELETE FROM orders WHERE customer_id = 1 /* refuse */", ERR_REFUSED,
                          "refused by the script: delete of orders")
        self.assertEqual(self.all_order_ids(), list(range(1, 9)))
        # a session plan can be refused too: the variable is not set
        self.assert_fails("SET @v = 5 /* refuse */", ERR_REFUSED, "refused by the script: set of nothing")

    def test_a_script_error_fails_closed(self):
        self.assert_fails("INSERT INTO audit VALUES (3, 'x') /* explode */", ERR_SCRIPT,
                          "read_route", "exploded on insert")
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT id FROM audit"), ())

    def test_a_group_the_map_does_not_have(self):
        self.assert_fails("INSERT INTO audit VALUES (4, 'x') /* nowhere */", ERR_REFUSED,
                          "group 'nowhere', which the shard map does not have")
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT id FROM audit"), ())

    def test_the_steps_of_a_merged_read_stay_as_many(self):
        self.insert_orders()
        self.assert_fails("SELECT COUNT(*) FROM orders /* drop one */", ERR_REFUSED,
                          "the steps of a merged read stay as many")

    def test_the_steps_of_a_session_plan_cannot_change(self):
        self.assert_fails("SET @w = 1 /* add step */", ERR_SCRIPT,
                          "the steps of a 'session' plan cannot be changed")


if __name__ == "__main__":
    harness.main()
