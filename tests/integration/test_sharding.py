#!/usr/bin/python3
"""The sharding plugin end to end: real clients (PyMySQL and the mariadb CLI)
through a tessera started with --sharding-config, checked against direct
queries on the two fixture servers.

The shard map has two groups, g1 and g2, the two fixture servers, and in the
schema t_sharding:
  orders       hash on customer_id, 4 shards: shard i is orders_i on
               g1 when i is even, on g2 when i is odd
  order_items  bound to orders (order_items_0 .. order_items_3)
  customers    vertical, whole on g2
  countries    broadcast, a copy on both groups

Every physical table exists on both servers, so that a row written to the
wrong server stays visible to the checks, and rows planted directly in the
copies the router must never read show a read that went astray. The same
rows, unsharded, live in t_sharding_ref on the first server: reads through
tessera must give what MariaDB gives there.

Also: maps tessera refuses at start, a group whose server is down, and
scripts/demo's map, data and statements (ShardingDemoTest)."""

import os
import re
import subprocess
import time
from decimal import Decimal

import pymysql

import harness
import mariadb_fixture
import mysql_raw
import sharding_harness
from harness import HOST, PASSWORD, USER

DB = "t_sharding"
REF = "t_sharding_ref"
SHARDS = 4
ERR_REFUSED = 1235
ERR_BACKEND_UNAVAILABLE = 9001

ORDERS_DDL = ("(id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, "
              "status VARCHAR(10) NOT NULL, placed DATE NOT NULL)")
ITEMS_DDL = "(id INT PRIMARY KEY, customer_id INT NOT NULL, order_id INT NOT NULL, sku VARCHAR(10), qty INT)"
CUSTOMERS_DDL = "(id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, country CHAR(2) NOT NULL)"
COUNTRIES_DDL = "(code CHAR(2) PRIMARY KEY, name VARCHAR(30) NOT NULL)"

# Keys 0..23 and a few negative ones (-1 is on shard 3, -6 on shard 2).
CUSTOMER_IDS = list(range(24)) + [-1, -6, -7]
STATUSES = ("new", "paid", "shipped")


def shard_of(key):
    """The documented hash of an integer key: key mod shards, taken non-negative."""
    return key % SHARDS


def server_index_of_shard(shard):
    """groups = {"g1", "g2"}: shard i on groups[i mod 2]; g1 is the first fixture server."""
    return shard % 2


def make_orders():
    rows = []
    for n, customer in enumerate(CUSTOMER_IDS):
        for k in range(1 + n % 3):
            order_id = 1000 + 10 * n + k
            total = Decimal("%d.%02d" % (5 + (n * 37 + k * 11) % 200, (n * 13 + k) % 100))
            rows.append((order_id, customer, total, STATUSES[(n + k) % 3],
                         "2024-%02d-%02d" % (1 + n % 12, 1 + k)))
    return rows


ORDERS = make_orders()
ITEMS = [(5000 + i, o[1], o[0], "sku%d" % (i % 4), 1 + i % 5) for i, o in enumerate(ORDERS)]
CUSTOMERS = [(c, "cust%d" % c, ("fr", "de", "it")[c % 3]) for c in CUSTOMER_IDS]
COUNTRIES = [("de", "Germany"), ("fr", "France"), ("it", "Italy")]


def sql_values(rows):
    def literal(v):
        return str(v) if isinstance(v, (int, Decimal)) else "'%s'" % v
    return ", ".join("(%s)" % ", ".join(literal(v) for v in row) for row in rows)


TABLES = {
    DB + ".orders": sharding_harness.hash_table("customer_id", SHARDS),
    DB + ".order_items": '{ shard_key = "customer_id", binding = "%s.orders", '
                         'columns = { "id", "customer_id", "order_id", "sku", "qty" } }' % DB,
    DB + ".customers": '{ group = "g2" }',
    DB + ".countries": "{ broadcast = true }",
}


def create_reference(server):
    """The reference tables on server, in REF, with the data set."""
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS " + REF)
        cur.execute("CREATE DATABASE " + REF)
        cur.execute("USE " + REF)
        cur.execute("CREATE TABLE orders " + ORDERS_DDL)
        cur.execute("CREATE TABLE order_items " + ITEMS_DDL)
        cur.execute("CREATE TABLE customers " + CUSTOMERS_DDL)
        cur.execute("CREATE TABLE countries " + COUNTRIES_DDL)
        cur.execute("INSERT INTO orders VALUES " + sql_values(ORDERS))
        cur.execute("INSERT INTO order_items VALUES " + sql_values(ITEMS))
        cur.execute("INSERT INTO customers VALUES " + sql_values(CUSTOMERS))
        cur.execute("INSERT INTO countries VALUES " + sql_values(COUNTRIES))


def run_tessera_at_start(map_path, *extra):
    """Starts tessera with map_path and expects it to give up: returns (exit code, output)."""
    cmd = [harness.tessera_binary(), "--sharding-config=" + map_path,
           "--proxy-address=%s:%d" % (HOST, mariadb_fixture.free_port())] + list(extra)
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=30)
    return out.returncode, out.stdout


class ShardedOrdersTestCase(sharding_harness.ShardedProxyTestCase):
    """The module's map, with every physical table on both servers and the reference tables."""

    DATABASE = DB
    SHARD_TABLES = TABLES
    BACKEND_TABLES = (sharding_harness.shard_tables("orders", ORDERS_DDL, SHARDS)
                      + sharding_harness.shard_tables("order_items", ITEMS_DDL, SHARDS)
                      + [("customers", CUSTOMERS_DDL), ("countries", COUNTRIES_DDL)])

    @classmethod
    def create_backend_tables(cls):
        super().create_backend_tables()
        create_reference(cls.backends[0])


class ShardingTest(ShardedOrdersTestCase):

    def setUp(self):
        self.empty_backend_tables()

    # --- helpers -------------------------------------------------------------

    def cli(self, *args, **kwargs):
        """The mariadb CLI through tessera, keeping comments (routing hints)."""
        return harness.mariadb_cli(self.port, "--comments", DB, *args, **kwargs)

    def load_through_tessera(self):
        """The data set, written through tessera with one multi-row INSERT per table."""
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) VALUES "
                                         + sql_values(ORDERS)), len(ORDERS))
            self.assertEqual(cur.execute("INSERT INTO order_items VALUES " + sql_values(ITEMS)), len(ITEMS))
            self.assertEqual(cur.execute("INSERT INTO customers VALUES " + sql_values(CUSTOMERS)), len(CUSTOMERS))
            cur.execute("INSERT INTO countries VALUES " + sql_values(COUNTRIES))

    def plant_strays(self):
        """Rows in the copies of shard tables that live on the other group: the router never
        reads them, so they must never show up in an answer."""
        for server_index, server in enumerate(self.backends):
            for shard in range(SHARDS):
                if server_index_of_shard(shard) == server_index:
                    continue
                self.direct_many(server, [
                    "INSERT INTO orders_%d VALUES (%d, %d, 999.99, 'stray', '2020-01-01')"
                    % (shard, 90000 + shard, shard),
                    "INSERT INTO order_items_%d VALUES (%d, %d, %d, 'stray', 99)"
                    % (shard, 90000 + shard, shard, 90000 + shard)])
        self.direct_many(self.backends[0], ["INSERT INTO customers VALUES (777, 'stray', 'fr')"])

    def assert_same_as_reference(self, sql, ordered=True):
        """sql through tessera gives MariaDB's answer over the unsharded reference tables:
        the same column names and the same rows (same values and types)."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql)
            got_names = [d[0] for d in cur.description]
            got = list(cur.fetchall())
        with harness.backend_connect(self.backends[0], database=REF) as conn, conn.cursor() as cur:
            cur.execute(sql)
            want_names = [d[0] for d in cur.description]
            want = list(cur.fetchall())
        if not ordered:
            got, want = sorted(got), sorted(want)
        self.assertEqual(got_names, want_names, sql)
        self.assertEqual(got, want, sql)
        self.assertGreater(len(want), 0, "the reference answer of %s is empty: the check means little" % sql)
        return got

    # --- placement of rows -------------------------------------------------------

    def test_rows_land_on_the_shard_of_their_key(self):
        self.load_through_tessera()
        for server_index, server in enumerate(self.backends):
            for shard in range(SHARDS):
                with self.subTest(server=server_index + 1, shard=shard):
                    here = server_index_of_shard(shard) == server_index
                    want = sorted(o[0] for o in ORDERS if shard_of(o[1]) == shard) if here else []
                    self.assertEqual(self.physical(server, "orders_%d" % shard), want)
                    want = sorted(i[0] for i in ITEMS if shard_of(i[1]) == shard) if here else []
                    self.assertEqual(self.physical(server, "order_items_%d" % shard), want)
        # Negative keys: -1 on shard 3 (g2), -6 on shard 2 (g1).
        self.assertIn(-1, self.physical(self.backends[1], "orders_3", "customer_id"))
        self.assertIn(-6, self.physical(self.backends[0], "orders_2", "customer_id"))

    def test_multi_row_insert_is_split_and_its_affected_rows_summed(self):
        rows = [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 7)]
        with self.connect() as conn, conn.cursor() as cur:
            n = cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) VALUES "
                            + ", ".join("(%d, %d, 1.00, 'new', '2024-01-01')" % r for r in rows))
            self.assertEqual(n, len(rows))
            self.assertEqual(cur.execute("UPDATE orders SET total = total + 1 WHERE id <= 7"), len(rows))
            self.assertEqual(cur.execute("DELETE FROM orders WHERE id IN (1, 2, 3)"), 3)
        self.assertEqual(self.physical(self.backends[0], "orders_0"), [5])
        self.assertEqual(self.physical(self.backends[1], "orders_1"), [6])
        self.assertEqual(self.physical(self.backends[0], "orders_2"), [])
        self.assertEqual(self.physical(self.backends[1], "orders_3"), [4, 7])
        self.assertEqual(self.direct(self.backends[1], "SELECT SUM(total) FROM orders_3"), ((Decimal("4.00"),),))

    def test_cli_reports_summed_affected_rows(self):
        out = self.cli("-vvv", "-e", "INSERT INTO orders (id, customer_id, total, status, placed) VALUES "
                       "(1, 0, 1, 'new', '2024-01-01'), (2, 1, 1, 'new', '2024-01-01'), "
                       "(3, 2, 1, 'new', '2024-01-01'), (4, 3, 1, 'new', '2024-01-01'), "
                       "(5, 4, 1, 'new', '2024-01-01'); "
                       "UPDATE orders SET status = 'paid' WHERE customer_id IN (0, 1, 2, 3)")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Query OK, 5 rows affected", out.stdout)
        self.assertIn("Query OK, 4 rows affected", out.stdout)
        self.assertIn("Rows matched: 4  Changed: 4  Warnings: 0", out.stdout)

    def test_hinted_insert_into_another_shard_is_refused(self):
        with self.connect() as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("/* tessera: shard=2 */ INSERT INTO orders (id, customer_id, total, status, placed) "
                            "VALUES (1, 1, 1, 'new', '2024-01-01')")
            self.assertEqual(caught.exception.args[0], ERR_REFUSED)
        for server in self.backends:
            for shard in range(SHARDS):
                self.assertEqual(self.physical(server, "orders_%d" % shard), [])

    # --- reads ---------------------------------------------------------------

    def test_prepared_point_lookups_reuse_one_backend_statement(self):
        """Executes routed whole to one shard run as a backend statement kept per connection:
        the shard's server prepares once for many executes, and each execute gets its own rows."""
        self.load_through_tessera()
        self.assertEqual(server_index_of_shard(shard_of(2)), 0)  # the default group's server
        conn = mysql_raw.connect(HOST, self.port, USER, PASSWORD, DB)

        def prepares():
            # SHOW runs on the session's connection to the default group: the shard's connection.
            return int(conn.query("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'")[0].rows[0][1])
        try:
            stmt = conn.stmt_prepare("SELECT id, status FROM orders WHERE customer_id = ? ORDER BY id")
            before = prepares()
            for key in (2, 6, 10, 2, 6, 10, 2):  # all on the shard of 2
                got = [(int(r[0]), r[1].decode()) for r in conn.stmt_execute(stmt, (key,)).rows]
                want = [(o[0], o[3]) for o in sorted(ORDERS) if o[1] == key]
                self.assertEqual(got, want, key)
            self.assertLessEqual(prepares() - before, 1)
        finally:
            conn.close()

    def test_point_lookup_reads_the_one_shard(self):
        self.load_through_tessera()
        self.plant_strays()
        for key in (0, 1, 2, 3, -1, -6, 23):
            with self.subTest(key=key):
                got = self.assert_same_as_reference(
                    "SELECT id, customer_id, total, status, placed FROM orders WHERE customer_id = %d ORDER BY id"
                    % key)
                self.assertTrue(all(r[1] == key for r in got))
        # The port that answers is that of the shard's group.
        for key in (4, 5):
            port = self.backends[server_index_of_shard(shard_of(key))].port
            self.assertEqual(self.query("SELECT DISTINCT @@port FROM orders WHERE customer_id = %d" % key),
                             ((port,),))

    def test_scatter_select_with_order_by_and_limit(self):
        self.load_through_tessera()
        self.plant_strays()
        for sql in ("SELECT id, customer_id, total FROM orders ORDER BY total DESC, id LIMIT 5",
                    "SELECT id, total FROM orders ORDER BY total, id LIMIT 4, 6",
                    "SELECT id FROM orders ORDER BY placed DESC, id DESC LIMIT 7",
                    "SELECT customer_id, status FROM orders WHERE status <> 'new' ORDER BY customer_id, id",
                    "SELECT DISTINCT status FROM orders ORDER BY status",
                    "SELECT id, customer_id FROM orders WHERE customer_id IN (1, 2, 3, -7) ORDER BY id DESC",
                    "SELECT id FROM orders WHERE customer_id BETWEEN 2 AND 9 ORDER BY id"):
            with self.subTest(sql=sql):
                self.assert_same_as_reference(sql)
        self.assert_same_as_reference("SELECT * FROM orders", ordered=False)

    def test_scatter_aggregates_and_group_by(self):
        self.load_through_tessera()
        self.plant_strays()
        for sql in ("SELECT COUNT(*), SUM(total), MIN(total), MAX(total), AVG(total) FROM orders",
                    "SELECT COUNT(DISTINCT status), COUNT(DISTINCT customer_id) FROM orders",
                    "SELECT status, COUNT(*), SUM(total), AVG(total) FROM orders GROUP BY status",
                    "SELECT status, COUNT(*) AS n FROM orders GROUP BY status ORDER BY n DESC, status",
                    "SELECT status, MAX(placed) FROM orders GROUP BY status HAVING COUNT(*) > 12 ORDER BY status",
                    "SELECT customer_id, SUM(total) AS s FROM orders GROUP BY customer_id ORDER BY s DESC LIMIT 5",
                    "SELECT MONTH(placed) AS m, COUNT(*) FROM orders GROUP BY m ORDER BY m",
                    "SELECT COUNT(*) FROM order_items WHERE qty > 2"):
            with self.subTest(sql=sql):
                self.assert_same_as_reference(sql)

    def test_join_on_the_shard_key(self):
        self.load_through_tessera()
        self.plant_strays()
        for sql in ("SELECT o.id, i.sku, i.qty FROM orders o JOIN order_items i "
                    "ON i.customer_id = o.customer_id AND i.order_id = o.id ORDER BY o.id",
                    "SELECT o.customer_id, SUM(i.qty) FROM orders o JOIN order_items i "
                    "ON i.customer_id = o.customer_id AND i.order_id = o.id GROUP BY o.customer_id "
                    "ORDER BY o.customer_id",
                    "SELECT o.id, i.qty FROM orders o JOIN order_items i USING (customer_id) "
                    "WHERE o.customer_id = 5 ORDER BY o.id, i.qty"):
            with self.subTest(sql=sql):
                self.assert_same_as_reference(sql)

    def test_routing_hint_reads_one_shard(self):
        self.load_through_tessera()
        self.plant_strays()
        for shard in range(SHARDS):
            with self.subTest(shard=shard):
                want = sum(1 for o in ORDERS if shard_of(o[1]) == shard)
                self.assertEqual(self.query("/* tessera: shard=%d */ SELECT COUNT(*), MAX(@@port) FROM orders"
                                            % shard),
                                 ((want, self.backends[server_index_of_shard(shard)].port),))

    def test_cli_point_lookup_and_scatter(self):
        self.load_through_tessera()
        out = self.cli("--batch", "-e", "SELECT id, status FROM orders WHERE customer_id = 7 ORDER BY id; "
                       "SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status")
        self.assertEqual(out.returncode, 0, out.stderr)
        want = ["id\tstatus"] + ["%d\t%s" % (o[0], o[3]) for o in sorted(ORDERS) if o[1] == 7]
        want += ["status\tCOUNT(*)"] + ["%s\t%d" % (s, sum(1 for o in ORDERS if o[3] == s))
                                        for s in sorted(STATUSES)]
        self.assertEqual(out.stdout.splitlines(), want)

    # --- broadcast and vertical tables ---------------------------------------------

    def test_broadcast_writes_reach_both_servers(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO countries VALUES " + sql_values(COUNTRIES))
            cur.execute("UPDATE countries SET name = 'Deutschland' WHERE code = 'de'")
            cur.execute("DELETE FROM countries WHERE code = 'it'")
            cur.execute("SELECT code, name FROM countries ORDER BY code")
            self.assertEqual(cur.fetchall(), (("de", "Deutschland"), ("fr", "France")))
        for server in self.backends:
            self.assertEqual(self.direct(server, "SELECT code, name FROM countries ORDER BY code"),
                             (("de", "Deutschland"), ("fr", "France")))

    def test_broadcast_write_reports_the_rows_of_one_copy(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(cur.execute("INSERT INTO countries VALUES " + sql_values(COUNTRIES)), 3)
            self.assertEqual(cur.execute("UPDATE countries SET name = UPPER(name) WHERE code <> 'fr'"), 2)
            self.assertEqual(cur.execute("DELETE FROM countries"), 3)

    def test_vertical_table_lives_only_on_g2(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(cur.execute("INSERT INTO customers VALUES " + sql_values(CUSTOMERS[:5])), 5)
            cur.execute("SELECT COUNT(*), MAX(@@port) FROM customers")
            self.assertEqual(cur.fetchone(), (5, self.backends[1].port))
        self.assertEqual(self.physical(self.backends[1], "customers"), sorted(c[0] for c in CUSTOMERS[:5]))
        self.assertEqual(self.physical(self.backends[0], "customers"), [])

    # --- session state ---------------------------------------------------------------

    def test_user_variable_reaches_a_group_first_used_later(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SET @x = 5")
            cur.execute("/* tessera: group=g2 */ SELECT @x, @@port")
            self.assertEqual(cur.fetchone(), (5, self.backends[1].port))
            cur.execute("SET @x = @x + 1")
            cur.execute("SELECT @x, @@port")
            self.assertEqual(cur.fetchone(), (6, self.backends[0].port))
            cur.execute("/* tessera: group=g2 */ SELECT @x")
            self.assertEqual(cur.fetchone(), (6,))
        out = self.cli("--batch", "-N", "-e", "SET @y = 'abc'; /* tessera: group=g2 */ SELECT @y, @@port")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "abc\t%d\n" % self.backends[1].port)

    def test_set_names_reaches_a_group_first_used_later(self):
        self.direct_many(self.backends[1], ["INSERT INTO customers VALUES (1, 'x', 'fr')"])
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SET NAMES latin1")
            cur.execute("SELECT @@character_set_client, @@character_set_results, @@port FROM customers")
            self.assertEqual(cur.fetchone(), ("latin1", "latin1", self.backends[1].port))
            cur.execute("/* tessera: shard=3 */ SELECT @@character_set_connection")
            self.assertEqual(cur.fetchone(), ("latin1",))

    def test_use_reaches_every_group(self):
        self.direct_many(self.backends[1], ["INSERT INTO customers VALUES (1, 'x', 'fr')"])
        with self.connect(database=None) as conn, conn.cursor() as cur:
            cur.execute("SELECT DATABASE()")
            self.assertEqual(cur.fetchone(), (None,))
            # g2's connection opens before the USE ...
            cur.execute("SELECT COUNT(*) FROM %s.customers" % DB)
            self.assertEqual(cur.fetchone(), (1,))
            cur.execute("USE " + DB)
            # ... and has the database after it.
            cur.execute("SELECT DATABASE(), @@port FROM customers")
            self.assertEqual(cur.fetchone(), (DB, self.backends[1].port))
            cur.execute("SELECT DATABASE(), @@port")
            self.assertEqual(cur.fetchone(), (DB, self.backends[0].port))

    def test_select_db_is_com_init_db(self):
        self.direct_many(self.backends[1], ["INSERT INTO customers VALUES (1, 'x', 'fr')"])
        with self.connect(database=None) as conn, conn.cursor() as cur:
            conn.select_db(DB)
            cur.execute("SELECT DATABASE(), name, @@port FROM customers")
            self.assertEqual(cur.fetchone(), (DB, "x", self.backends[1].port))
            with self.assertRaises(pymysql.err.OperationalError) as caught:
                conn.select_db("t_sharding_no_such_db")
            self.assertEqual(caught.exception.args[0], 1049)
            cur.execute("SELECT DATABASE(), COUNT(*) FROM customers")
            self.assertEqual(cur.fetchone(), (DB, 1))

    # --- transactions ------------------------------------------------------------------

    def transaction_on_two_groups(self, end):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) "
                        "VALUES (1, 0, 1, 'new', '2024-01-01'), (2, 1, 1, 'new', '2024-01-01')")
            cur.execute("INSERT INTO customers VALUES (7, 'seven', 'it')")
            cur.execute("SELECT COUNT(*) FROM orders")
            self.assertEqual(cur.fetchone(), (2,))
            # Others do not see the rows yet: the transaction reached both groups.
            self.assertEqual(self.physical(self.backends[0], "orders_0"), [])
            self.assertEqual(self.physical(self.backends[1], "orders_1"), [])
            self.assertEqual(self.physical(self.backends[1], "customers"), [])
            cur.execute(end)
            cur.execute("SELECT COUNT(*) FROM orders")
            return cur.fetchone()[0]

    def test_rollback_over_two_groups_leaves_nothing(self):
        self.assertEqual(self.transaction_on_two_groups("ROLLBACK"), 0)
        self.assertEqual(self.physical(self.backends[0], "orders_0"), [])
        self.assertEqual(self.physical(self.backends[1], "orders_1"), [])
        self.assertEqual(self.physical(self.backends[1], "customers"), [])

    def test_commit_over_two_groups_keeps_both(self):
        self.assertEqual(self.transaction_on_two_groups("COMMIT"), 2)
        self.assertEqual(self.physical(self.backends[0], "orders_0"), [1])
        self.assertEqual(self.physical(self.backends[1], "orders_1"), [2])
        self.assertEqual(self.physical(self.backends[1], "customers"), [7])

    def test_pymysql_begin_and_commit(self):
        with self.connect() as conn, conn.cursor() as cur:
            conn.begin()
            cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) "
                        "VALUES (1, 2, 1, 'new', '2024-01-01'), (2, 3, 1, 'new', '2024-01-01')")
            conn.commit()
        self.assertEqual(self.physical(self.backends[0], "orders_2"), [1])
        self.assertEqual(self.physical(self.backends[1], "orders_3"), [2])

    def test_autocommit_off_commits_and_rolls_back_over_two_groups(self):
        """PyMySQL's default: SET autocommit = 0, then COMMIT or ROLLBACK without BEGIN."""
        with self.connect(autocommit=False) as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) "
                        "VALUES (1, 0, 1, 'new', '2024-01-01'), (2, 1, 1, 'new', '2024-01-01')")
            self.assertEqual(self.physical(self.backends[0], "orders_0"), [])
            self.assertEqual(self.physical(self.backends[1], "orders_1"), [])
            conn.commit()
            self.assertEqual(self.physical(self.backends[0], "orders_0"), [1])
            self.assertEqual(self.physical(self.backends[1], "orders_1"), [2])
            cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) "
                        "VALUES (3, 2, 1, 'new', '2024-01-01'), (4, 3, 1, 'new', '2024-01-01')")
            conn.rollback()
            cur.execute("SELECT COUNT(*) FROM orders")
            self.assertEqual(cur.fetchone(), (2,))
            conn.commit()
        self.assertEqual(self.physical(self.backends[0], "orders_2"), [])
        self.assertEqual(self.physical(self.backends[1], "orders_3"), [])

    # --- refusals and logins -----------------------------------------------------------

    def test_update_of_the_shard_key_is_refused_and_the_connection_works(self):
        self.load_through_tessera()
        with self.connect() as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("UPDATE orders SET customer_id = 6 WHERE customer_id = 5")
            code, message = caught.exception.args
            self.assertEqual(code, ERR_REFUSED)
            self.assertTrue(message.startswith("tessera: "), message)
            self.assertIn("shard key", message)
            self.assertIn("DELETE and INSERT", message)
            cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 5")
            self.assertEqual(cur.fetchone(), (sum(1 for o in ORDERS if o[1] == 5),))
            cur.execute("SELECT COUNT(*) FROM orders")
            self.assertEqual(cur.fetchone(), (len(ORDERS),))
        self.assertEqual(self.physical(self.backends[0], "orders_2", "customer_id").count(6),
                         sum(1 for o in ORDERS if o[1] == 6))
        out = self.cli("-e", "UPDATE orders SET customer_id = 6 WHERE customer_id = 5")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 1235 (42000)", out.stderr)

    def test_insert_without_a_usable_key_is_refused(self):
        with self.connect() as conn, conn.cursor() as cur:
            for sql, code in (("INSERT INTO orders (id, total, status, placed) VALUES (1, 1, 'new', '2024-01-01')",
                               ERR_REFUSED),
                              ("INSERT INTO orders (id, customer_id, total, status, placed) "
                               "VALUES (1, NULL, 1, 'new', '2024-01-01')", 1292),
                              ("INSERT INTO orders (id, customer_id, total, status, placed) "
                               "VALUES (1, 1.5, 1, 'new', '2024-01-01')", 1292)):
                with self.subTest(sql=sql), self.assertRaises(pymysql.err.MySQLError) as caught:
                    cur.execute(sql)
                self.assertEqual(caught.exception.args[0], code, caught.exception.args)
                self.assertTrue(caught.exception.args[1].startswith("tessera: "), caught.exception.args)
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))

    def test_wrong_password_gets_1045(self):
        for user, password in ((USER, "wrong"), (harness.USER2, harness.PASSWORD2)):
            with self.subTest(user=user), self.assertRaises(pymysql.err.OperationalError) as caught:
                harness.pymysql_connect(self.port, user=user, password=password)
            self.assertEqual(caught.exception.args[0], 1045)
        out = harness.mariadb_cli(self.port, "-e", "SELECT 1", password="wrong")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 1045 (28000)", out.stderr)
        self.assertEqual(self.query("SELECT CURRENT_USER()"), (("tessera@%",),))


@harness.needs_proxy
class ShardingStartTest(harness.ProxyTestCase):
    """Maps tessera refuses at start: it says why and exits 1."""

    BACKEND_COUNT = 2
    SHARED_PROXY = False

    def map_file(self, text):
        path = os.path.join(harness.scratch_dir(), "map.lua")
        with open(path, "w") as f:
            f.write(text)
        return path

    def assert_refused(self, path, *needles, extra=()):
        code, output = run_tessera_at_start(path, *extra)
        self.assertEqual(code, 1, output)
        for needle in needles:
            self.assertIn(needle, output)

    def test_map_without_users(self):
        path = sharding_harness.write_shard_map(os.path.join(harness.scratch_dir(), "nousers.lua"), TABLES,
                                                users=False)
        self.assert_refused(path, path, "the map has no users")

    def test_unknown_field(self):
        path = self.map_file('return { groups = { g1 = { primay = "127.0.0.1:1" } }, '
                             'users = { { user = "a", password = "b" } } }')
        self.assert_refused(path, path, "groups.g1: unknown field 'primay'")

    def test_lua_syntax_error(self):
        path = self.map_file("return { groups = \n")
        self.assert_refused(path, path + ":2:")

    def test_table_without_shards(self):
        path = sharding_harness.write_shard_map(os.path.join(harness.scratch_dir(), "bad.lua"),
                                                dict(TABLES, **{DB + ".t": '{ shard_key = "id", method = "hash" }'}))
        self.assert_refused(path, path, 'tables["%s.t"]' % DB, "'shards'")

    def test_missing_file(self):
        path = os.path.join(harness.scratch_dir(), "absent.lua")
        self.assert_refused(path, path)

    def test_proxy_user_with_a_map(self):
        path = sharding_harness.write_shard_map(os.path.join(harness.scratch_dir(), "map.lua"), TABLES)
        self.assert_refused(path, "--proxy-user cannot be used with --sharding-config",
                            extra=("--proxy-user=%s:%s" % (USER, PASSWORD),))


class ShardingGroupDownTest(ShardedOrdersTestCase):
    """g2's primary is a port nobody listens on."""

    @classmethod
    def setUpClass(cls):
        cls.down_address = "127.0.0.1:%d" % harness.closed_port()
        super().setUpClass()

    @classmethod
    def shard_map(cls):
        return sharding_harness.shard_map_lua(TABLES, g2=cls.down_address)

    def assert_down_error(self, cur, sql):
        started = time.monotonic()
        with self.assertRaises(pymysql.err.MySQLError) as caught:
            cur.execute(sql)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(len(caught.exception.args), 2, "not a server error: %r" % (caught.exception,))
        code, message = caught.exception.args
        self.assertEqual(code, ERR_BACKEND_UNAVAILABLE, message)
        self.assertIn(self.down_address, message)

    def test_client_gets_an_error_and_other_sessions_keep_working(self):
        with self.connect() as other, other.cursor() as other_cur:
            other_cur.execute("SELECT COUNT(*), MAX(@@port) FROM orders WHERE customer_id = 4")
            self.assertEqual(other_cur.fetchone(), (0, None))
            for sql in ("SELECT * FROM customers",
                        "SELECT COUNT(*) FROM orders WHERE customer_id = 1"):
                with self.subTest(sql=sql), self.connect() as conn, conn.cursor() as cur:
                    cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 0")
                    self.assertEqual(cur.fetchone(), (0,))
                    self.assert_down_error(cur, sql)
                other_cur.execute("INSERT INTO orders (id, customer_id, total, status, placed) "
                                  "VALUES (%d, 0, 1, 'new', '2024-01-01')" % (len(sql)))
                other_cur.execute("DELETE FROM orders WHERE customer_id = 0")
                self.assertEqual(other_cur.rowcount, 1)
        out = harness.mariadb_cli(self.port, "--comments", DB, "-e", "SELECT name FROM customers")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 9001", out.stderr)
        self.assertIn(self.down_address, out.stderr)
        self.assertTrue(self.proxy.is_alive())
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT @@port")
            self.assertEqual(cur.fetchone(), (self.backends[0].port,))

    def test_scatter_read_over_a_down_group_gets_9001(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assert_down_error(cur, "SELECT COUNT(*) FROM orders")

    def test_session_survives_a_down_group(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assert_down_error(cur, "SELECT * FROM customers")
            cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 0")
            self.assertEqual(cur.fetchone(), (0,))


class ShardingDemoTest(sharding_harness.ShardedProxyTestCase):
    """scripts/demo's map, data and statements (README's quick start), without
    installing or building: examples/sharding/demo.lua with the fixture's ports,
    the demo's SQL loaded through tessera with the mariadb CLI, and each
    statement the demo shows compared with MariaDB's answer over the same rows
    unsharded (schema demo_ref on the first server)."""

    DEMO = os.path.join(harness.REPO_ROOT, "scripts", "demo")
    MAP = os.path.join(harness.REPO_ROOT, "examples", "sharding", "demo.lua")
    PROXY_ARGS = ("--proxy-lua-script=" + os.path.join(harness.REPO_ROOT, "examples", "proxy-status.lua"),)

    @classmethod
    def create_backend_tables(cls):
        for server in cls.backends:
            sharding_harness.direct_many(server, ["DROP DATABASE IF EXISTS demo", "DROP DATABASE IF EXISTS demo_ref"])

    @classmethod
    def shard_map(cls):
        with open(cls.MAP) as f:
            demo_map = f.read()
        demo_map = demo_map.replace("127.0.0.1:3306", cls.backends[0].address)
        return demo_map.replace("127.0.0.1:3307", cls.backends[1].address)

    @classmethod
    def setUpClass(cls):
        with open(cls.DEMO) as f:
            text = f.read()
        cls.load_sql = re.search(r"<<'SQL'\n(.*?)\nSQL\n", text, re.S).group(1)
        cls.statements = re.findall(r'through_tessera "(.*?)"', text, re.S)
        super().setUpClass()
        out = harness.mariadb_cli(cls.port, stdin_text=cls.load_sql)
        if out.returncode != 0:
            raise AssertionError("the demo's SQL failed through tessera: " + out.stderr)
        ref_sql = cls.load_sql.replace("CREATE DATABASE demo;\nUSE demo;", "CREATE DATABASE demo_ref;\nUSE demo_ref;")
        out = subprocess.run(["mariadb", "--no-defaults", "--socket=" + cls.backends[0].socket, "-uroot"],
                             input=ref_sql, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError("the demo's SQL failed on MariaDB: " + out.stderr)

    def test_the_demo_shows_four_statements(self):
        self.assertEqual(len(self.statements), 4, self.statements)
        self.assertIn("SHOW PROXY BACKENDS", self.statements)

    def test_rows_are_spread_as_the_demo_says(self):
        servers = self.backends
        for server, mine in ((servers[0], (0, 2)), (servers[1], (1, 3))):
            tables = sorted(r[0] for r in sharding_harness.direct(server, "SHOW TABLES", "demo"))
            self.assertEqual(tables, sorted(["countries"] + ["customers_%d" % i for i in mine]
                                            + ["orders_%d" % i for i in mine]))
            self.assertEqual(sharding_harness.direct(server, "SELECT COUNT(*) FROM countries", "demo"), ((4,),))
            for i in mine:
                keys = [r[0] for r in sharding_harness.direct(server, "SELECT id FROM customers_%d" % i, "demo")]
                self.assertTrue(keys and all(k % 4 == i for k in keys), keys)
        total = sum(sharding_harness.direct(s, "SELECT COUNT(*) FROM %s" % t, "demo")[0][0]
                    for s, mine in ((servers[0], (0, 2)), (servers[1], (1, 3))) for t in
                    ["customers_%d" % i for i in mine])
        self.assertEqual(total, sharding_harness.direct(servers[0], "SELECT COUNT(*) FROM customers", "demo_ref")[0][0])

    def test_demo_statements_answer_as_mariadb(self):
        for sql in self.statements:
            if sql == "SHOW PROXY BACKENDS":
                continue
            with self.subTest(sql=sql):
                out = harness.mariadb_cli(self.port, "demo", "--batch", "-e", sql)
                self.assertEqual(out.returncode, 0, out.stderr)
                want_sql = sql.replace("@@port", str(self.backends[1].port))
                ref = harness.mariadb_cli(self.backends[0].port, "demo_ref", "--batch", "-e", want_sql)
                self.assertEqual(ref.returncode, 0, ref.stderr)
                self.assertEqual(out.stdout, ref.stdout)
                self.assertGreater(len(out.stdout.splitlines()), 1)

    def test_show_proxy_backends_is_the_scripts(self):
        out = harness.mariadb_cli(self.port, "demo", "--batch", "-e", "SHOW PROXY BACKENDS")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0], "ndx\taddress\ttype\tstate\tconnected_clients")
        self.assertEqual([line.split("\t")[1] for line in lines[1:]], [s.address for s in self.backends])


if __name__ == "__main__":
    harness.main()
