#!/usr/bin/python3
"""The sharding plugin's admin tables, shards and shard_tables: read on the
admin endpoint of a tessera running a shard map, while PyMySQL clients run
statements through it.

The map: g1 is the first fixture server with a replica nobody listens on,
g2 the second fixture server, g3 a primary nobody listens on. Tables in
t_shadmin: orders (hash on customer_id, 4 shards on g1, g2), items (bound to
orders), customers (vertical on g2), archive (vertical on g3), countries
(broadcast)."""

import os
import re

import pymysql

import harness
import lua_harness
import mariadb_fixture
import sharding_harness

DB = "t_shadmin"
ADMIN_USER, ADMIN_PASSWORD = "admin", "secret"
SHARDS_COLUMNS = ["group_name", "role", "backend_ndx", "address", "state", "connected_clients", "queries",
                  "errors"]
TABLES_COLUMNS = ["table_name", "kind", "shard_key", "method", "shard", "group_name", "physical_table"]
WAIT = 10.0
DOC = os.path.join(harness.REPO_ROOT, "docs", "admin.md")


def admin_rows(port, sql):
    """Column names and rows (dicts by column) of sql on the admin endpoint."""
    with harness.pymysql_connect(port, user=ADMIN_USER, password=ADMIN_PASSWORD) as conn, conn.cursor() as cur:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        return names, [dict(zip(names, row)) for row in cur.fetchall()]


def wait_for(predicate, what):
    return lua_harness.wait_for(predicate, WAIT, what)


def admin_args(port):
    """tessera's arguments for the admin endpoint on port, with ADMIN_USER's account."""
    return ["--plugins=proxy,admin", "--admin-address=%s:%d" % (harness.HOST, port),
            "--admin-username=" + ADMIN_USER, "--admin-password=" + ADMIN_PASSWORD]


class ShardingAdminTest(sharding_harness.ShardedProxyTestCase):
    DATABASE = DB
    BACKEND_TABLES = (sharding_harness.shard_tables("orders", "(id INT PRIMARY KEY, customer_id INT NOT NULL)", 4)
                      + sharding_harness.shard_tables("items", "(id INT PRIMARY KEY, customer_id INT NOT NULL)", 4)
                      + [("customers", "(id INT PRIMARY KEY, name VARCHAR(20))")])

    @classmethod
    def setUpClass(cls):
        cls.replica = "127.0.0.1:%d" % harness.closed_port()
        cls.down = "127.0.0.1:%d" % harness.closed_port()
        cls.admin_port = mariadb_fixture.free_port()
        super().setUpClass()
        wait_for(lambda: harness.is_listening(cls.admin_port), "the admin endpoint")

    @classmethod
    def create_backend_tables(cls):
        super().create_backend_tables()
        for server in cls.backends:
            sharding_harness.direct_many(server, ["INSERT INTO customers VALUES (1, 'ann')"], DB)

    @classmethod
    def shard_map(cls):
        s1, s2 = cls.backends
        return sharding_harness.shard_map_lua({
            DB + ".orders": sharding_harness.hash_table("customer_id", 4),
            DB + ".items": '{ shard_key = "customer_id", binding = "%s.orders" }' % DB,
            DB + ".customers": '{ group = "g2" }',
            DB + ".archive": '{ group = "g3" }',
            DB + ".countries": "{ broadcast = true }",
        }, groups={"g1": (s1.address, [cls.replica]), "g2": s2.address, "g3": cls.down})

    @classmethod
    def proxy_args(cls):
        return admin_args(cls.admin_port)

    def shards(self):
        """The shards table keyed by (group_name, role, address)."""
        names, rows = admin_rows(self.admin_port, "SELECT * FROM shards")
        self.assertEqual(names, SHARDS_COLUMNS)
        return {(r["group_name"], r["role"], r["address"]): r for r in rows}

    def primary(self, group):
        return next(r for k, r in self.shards().items() if k[0] == group and k[1] == "primary")

    def counters(self):
        return {g: (int(self.primary(g)["queries"]), int(self.primary(g)["errors"])) for g in ("g1", "g2", "g3")}

    def test_show_tables_lists_both(self):
        _, rows = admin_rows(self.admin_port, "SHOW TABLES")
        self.assertEqual([r["Tables_in_tessera"] for r in rows], ["backends", "help", "shard_tables", "shards"])

    def test_shard_tables_rows(self):
        names, rows = admin_rows(self.admin_port, "SELECT * FROM shard_tables")
        self.assertEqual(names, TABLES_COLUMNS)
        got = [tuple(r[c] for c in TABLES_COLUMNS) for r in rows]
        want = [("%s.archive" % DB, "vertical", None, None, None, "g3", "%s.archive" % DB)]
        want += [("%s.countries" % DB, "broadcast", None, None, None, g, "%s.countries" % DB)
                 for g in ("g1", "g2", "g3")]
        want += [("%s.customers" % DB, "vertical", None, None, None, "g2", "%s.customers" % DB)]
        for table in ("items", "orders"):
            want += [("%s.%s" % (DB, table), "sharded", "customer_id", "hash", str(i), ("g1", "g2")[i % 2],
                      "%s.%s_%d" % (DB, table, i)) for i in range(4)]
        self.assertEqual(got, want)
        _, rows = admin_rows(self.admin_port, "SELECT * FROM shard_tables WHERE shard = 3")
        self.assertEqual([(r["table_name"], r["group_name"]) for r in rows],
                         [("%s.items" % DB, "g2"), ("%s.orders" % DB, "g2")])

    def test_shards_rows_match_the_map_and_the_backends_table(self):
        s1, s2 = self.backends
        rows = self.shards()
        self.assertEqual(sorted(rows), sorted([("g1", "primary", s1.address), ("g1", "replica", self.replica),
                                               ("g2", "primary", s2.address), ("g3", "primary", self.down)]))
        replica = rows[("g1", "replica", self.replica)]
        self.assertIn(replica["state"], ("unknown", "down"))  # nobody listens there
        self.assertEqual((replica["connected_clients"], replica["queries"], replica["errors"]), ("0", None, None))
        _, backends = admin_rows(self.admin_port, "SELECT * FROM backends")
        by_ndx = {b["backend_ndx"]: b for b in backends}
        self.assertEqual(len(by_ndx), 4)
        for key, row in rows.items():
            with self.subTest(row=key):
                backend = by_ndx[row["backend_ndx"]]
                self.assertEqual(backend["address"], row["address"])
                self.assertEqual(backend["type"], "rw" if row["role"] == "primary" else "ro")

    def test_counters_move_with_statements(self):
        before = self.counters()
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 1")     # shard 1: g2
            cur.execute("SELECT COUNT(*) FROM orders")                          # 2 shards on each group
            cur.execute("SELECT name FROM customers")                           # g2
            self.assertEqual(cur.fetchall(), (("ann",),))
            cur.execute("INSERT INTO orders (id, customer_id) VALUES (1, 0), (2, 2)")  # shards 0, 2: g1
            cur.execute("DELETE FROM orders WHERE customer_id IN (0, 2)")       # shards 0 and 2: g1
            with self.assertRaises(pymysql.err.MySQLError):
                cur.execute("SELECT no_such_column FROM customers")             # g2, an error
        after = self.counters()
        delta = {g: (after[g][0] - before[g][0], after[g][1] - before[g][1]) for g in after}
        self.assertEqual(delta, {"g1": (2 + 2 + 2, 0), "g2": (1 + 2 + 1 + 1, 1), "g3": (0, 0)})

    def test_state_and_connected_clients(self):
        wait_for(lambda: self.primary("g2")["connected_clients"] == "0", "no client on g2")
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT name FROM customers")
            self.assertEqual(self.primary("g2")["state"], "up")
            self.assertEqual(self.primary("g2")["connected_clients"], "1")
            with self.connect() as other, other.cursor() as other_cur:
                other_cur.execute("SELECT name FROM customers")
                self.assertEqual(self.primary("g2")["connected_clients"], "2")
            wait_for(lambda: self.primary("g2")["connected_clients"] == "1", "one client left on g2")
        wait_for(lambda: self.primary("g2")["connected_clients"] == "0", "no client left on g2")
        with self.connect() as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("SELECT * FROM archive")
            self.assertIn(self.down, str(caught.exception))
        g3 = self.primary("g3")
        self.assertEqual((g3["state"], g3["connected_clients"]), ("down", "0"))
        self.assertNotEqual(self.shards()[("g1", "replica", self.replica)]["state"], "up")

    def test_a_read_tries_the_replica_and_falls_back_to_the_primary(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 0")  # shard 0, on g1
            self.assertEqual(cur.fetchone(), (0,))
            replica = self.shards()[("g1", "replica", self.replica)]
            self.assertEqual((replica["state"], replica["connected_clients"]), ("down", "0"))
            cur.execute("SELECT COUNT(*) FROM orders WHERE customer_id = 2")  # shard 2, g1 again
            self.assertEqual(cur.fetchone(), (0,))

    def test_documented_statements_and_columns(self):
        with open(DOC) as f:
            text = f.read()
        statements = re.findall(r"^    (SELECT \* FROM shard\w*\b.*?);$", text, re.M)
        self.assertEqual(len(statements), 2, statements)
        headers = re.findall(r"^```text\n(group_name\t.*|table_name\t.*)\n", text, re.M)
        self.assertEqual(headers, ["\t".join(SHARDS_COLUMNS), "\t".join(TABLES_COLUMNS)])
        for sql in statements:
            with self.subTest(sql=sql):
                names, _ = admin_rows(self.admin_port, sql)
                self.assertIn(names, (SHARDS_COLUMNS, TABLES_COLUMNS))
        for column in SHARDS_COLUMNS + TABLES_COLUMNS:
            self.assertIn("| `%s` |" % column, text)


@harness.needs_proxy
class ShardingAdminReloadTest(harness.ProxyTestCase):
    """shard_tables follows the map tessera routes with: after the file changes,
    the new placement; after a change that does not load, still the last good one."""

    BACKEND_COUNT = 2
    SHARED_PROXY = False

    def write_map(self, shards):
        sharding_harness.write_shard_map(self.map_path, {DB + ".t": '{ shard_key = "id", method = "hash", '
                                                         'shards = { %s } }' % shards})

    def placement(self):
        _, rows = admin_rows(self.admin_port, "SELECT * FROM shard_tables")
        return [(r["shard"], r["group_name"], r["physical_table"]) for r in rows]

    def test_shard_tables_after_reload(self):
        self.map_path = os.path.join(harness.scratch_dir(), "map.lua")
        self.write_map('{ group = "g1" }, { group = "g2" }')
        admin_port = self.admin_port = mariadb_fixture.free_port()
        self.start_proxy([], ["--sharding-config=" + self.map_path] + admin_args(admin_port))
        wait_for(lambda: harness.is_listening(admin_port), "the admin endpoint")
        self.assertEqual(self.placement(), [("0", "g1", DB + ".t_0"), ("1", "g2", DB + ".t_1")])
        # Shard 1 moves to g1 under another name.
        moved = [("0", "g1", DB + ".t_0"), ("1", "g1", DB + ".t_moved")]
        self.write_map('{ group = "g1" }, { group = "g1", table = "t_moved" }')
        wait_for(lambda: self.placement() == moved, "shard_tables with the moved shard")
        # A map that does not load leaves the last one.
        with open(self.map_path, "a") as f:
            f.write("this is not Lua\n")
        wait_for(lambda: "not reloaded" in self.proxy.log_tail(), "the refused reload in the log")
        self.assertEqual(self.placement(), moved)


@harness.needs_proxy
class NoMapTest(harness.ProxyTestCase):
    """Without a shard map the sharding plugin publishes nothing."""

    SHARED_PROXY = False

    def test_no_sharding_tables(self):
        admin_port = mariadb_fixture.free_port()
        self.start_proxy([harness.backends()[0].address], admin_args(admin_port))
        wait_for(lambda: harness.is_listening(admin_port), "the admin endpoint")
        _, rows = admin_rows(admin_port, "SHOW TABLES")
        self.assertEqual([r["Tables_in_tessera"] for r in rows], ["backends", "help"])
        with self.assertRaises(pymysql.err.MySQLError) as caught:
            admin_rows(admin_port, "SELECT * FROM shards")
        self.assertEqual(caught.exception.args[0], 1146)


if __name__ == "__main__":
    harness.main()
