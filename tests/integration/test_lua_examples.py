#!/usr/bin/python3
"""The scripts of examples/, each run by tessera in front of real MariaDB
and used by real clients the way its header says."""

import os
import re
import threading

import pymysql

import harness
import lua_harness
import mysql_raw


def example(name):
    return os.path.join(lua_harness.EXAMPLES_DIR, name)


class ExampleTest(lua_harness.LuaTestCase):
    DATABASE = "t_lua_examples"

    def query(self, conn, sql, args=None):
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()


class LogQueriesTest(ExampleTest):
    SCRIPT_FILE = example("log-queries.lua")

    def test_every_query_is_logged_with_its_time(self):
        mark = self.mark()
        with self.connect(autocommit=True) as conn:
            thread_id = conn.thread_id()
            self.assertEqual(self.query(conn, "SELECT seq FROM seq_1_to_3"), ((1,), (2,), (3,)))
            self.query(conn, "CREATE TEMPORARY TABLE tmp (id INT)")
            self.query(conn, "INSERT INTO tmp VALUES (1), (2)")
            with self.assertRaises(pymysql.err.ProgrammingError):
                self.query(conn, "SELECT * FROM no_such_table")
        lines = mark.wait_for(r"^\[query\] ", count=4)
        prefix = r"^\[query\] conn %d user tessera db t_lua_examples: [\d.]+ ms \(first byte [\d.]+ ms\), " % thread_id
        expected = [r"3 rows: SELECT seq FROM seq_1_to_3$", r"0 affected: CREATE TEMPORARY TABLE tmp",
                    r"2 affected: INSERT INTO tmp VALUES", r"error: SELECT \* FROM no_such_table$"]
        for pattern in expected:
            self.assertTrue([line for line in lines if re.search(prefix + pattern, line)], (pattern, lines))


class AddLimitTest(ExampleTest):
    SCRIPT_FILE = example("add-limit.lua")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE big (id INT PRIMARY KEY, note VARCHAR(10))")
            cur.execute("INSERT INTO big SELECT seq, 'limit' FROM seq_1_to_1500")

    def test_selects_without_limit_get_one(self):
        with self.connect() as conn:
            self.assertEqual(len(self.query(conn, "SELECT * FROM big")), 1000)
            self.assertEqual(len(self.query(conn, "select id from big;  ")), 1000)
            self.assertEqual(len(self.query(conn, "SELECT * FROM big LIMIT 5")), 5)
            self.assertEqual(len(self.query(conn, "SELECT * FROM big WHERE note = 'limit'")), 1000,
                             "a 'limit' inside a string is not a LIMIT")
            self.assertEqual(self.query(conn, "SELECT COUNT(*) FROM big"), ((1500,),))
            self.assertEqual(self.query(conn, "SELECT id FROM big WHERE id IN (SELECT id FROM big) "
                                              "ORDER BY id DESC LIMIT 1"), ((1500,),))

    def test_other_statements_are_untouched(self):
        with self.connect(autocommit=True) as conn:
            self.query(conn, "UPDATE big SET note = 'x' WHERE id = 1")
            self.assertEqual(self.query(conn, "SELECT note FROM big WHERE id = 1"), (("x",),))


class InjectNowTest(ExampleTest):
    SCRIPT_FILE = example("inject-now.lua")

    def test_now_is_logged_and_its_result_hidden(self):
        mark = self.mark()
        with self.connect(autocommit=True) as conn:
            self.assertEqual(self.query(conn, "SELECT 'first'"), (("first",),))
            self.assertEqual(self.query(conn, "SELECT 'second'"), (("second",),))
        lines = mark.wait_for(r"^\[now\] ", count=2)
        self.assertTrue(re.match(r"^\[now\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d before: SELECT 'first'$", lines[-2]),
                        lines)
        self.assertTrue(lines[-1].endswith(" before: SELECT 'second'"), lines)


class ProxyStatusTest(ExampleTest):
    SCRIPT_FILE = example("proxy-status.lua")
    BACKEND_COUNT = 2

    def test_backends(self):
        with self.connect() as conn:
            rows = self.query(conn, "SHOW PROXY BACKENDS")
        self.assertEqual([row[:3] for row in rows], [(1, self.backends[0].address, "rw"),
                                                     (2, self.backends[1].address, "rw")])
        self.assertEqual(sum(row[4] for row in rows), 1, "this client")
        self.assertTrue(all(row[3] in ("up", "unknown") for row in rows), rows)

    def test_connection_and_version(self):
        with self.connect() as conn:
            info = dict(self.query(conn, "show proxy connection;"))
            (thread_id,), = self.query(conn, "SELECT CONNECTION_ID()")
            self.assertEqual(self.query(conn, "SELECT PROXY_VERSION()"), (("0.8.5",),))
        self.assertEqual(info["user"], "tessera")
        self.assertEqual(info["default_db"], self.DATABASE)
        self.assertEqual(info["server_thread_id"], str(thread_id))
        self.assertIn(info["backend"], [b.address for b in self.backends])

    def test_with_the_cli(self):
        out = harness.mariadb_cli(self.port, "--batch", "-e", "SHOW PROXY BACKENDS")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines()[0], "ndx\taddress\ttype\tstate\tconnected_clients")
        self.assertEqual(len(out.stdout.splitlines()), 3)


class RwSplitTest(ExampleTest):
    SCRIPT_FILE = example("rw-split.lua")

    @classmethod
    def script_args(cls):
        replica = harness.backends()[1]
        return super().script_args() + ("--proxy-read-only-backend-addresses=" + replica.address,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.replica = harness.backends()[1]
        for server in (cls.backends[0], cls.replica):
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("CREATE DATABASE IF NOT EXISTS t_lua_rw")
                cur.execute("CREATE TABLE IF NOT EXISTS t_lua_rw.notes (note VARCHAR(20))")

    def test_writers_go_to_the_primary(self):
        with self.connect(autocommit=True) as conn:
            self.assertEqual(self.query(conn, "SELECT @@port"), ((self.backends[0].port,),))
            self.query(conn, "INSERT INTO t_lua_rw.notes VALUES ('written')")
        with harness.backend_connect(self.backends[0]) as conn:
            self.assertIn(("written",), self.query(conn, "SELECT note FROM t_lua_rw.notes"))

    def test_readers_go_to_a_replica_and_cannot_write(self):
        with self.connect(autocommit=True, bind_address="127.0.0.2") as conn:
            self.assertEqual(self.query(conn, "SELECT @@port"), ((self.replica.port,),))
            self.assertEqual(self.query(conn, "SHOW TABLES FROM t_lua_rw"), (("notes",),))
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                self.query(conn, "INSERT INTO t_lua_rw.notes VALUES ('not on a replica')")
            self.assertEqual(ctx.exception.args[0], 1290)
            self.assertIn("this connection reads from a replica: INSERT is not allowed", ctx.exception.args[1])
        with harness.backend_connect(self.replica) as conn:
            self.assertNotIn(("not on a replica",), self.query(conn, "SELECT note FROM t_lua_rw.notes"))


class RwSplittingTest(ExampleTest):
    """examples/rw-splitting.lua: per statement, through the pool."""

    SCRIPT_FILE = example("rw-splitting.lua")

    @classmethod
    def script_args(cls):
        return super().script_args() + ("--proxy-read-only-backend-addresses=" + harness.backends()[1].address,)

    @classmethod
    def setUpClass(cls):
        cls.primary, cls.replica = harness.backends()[:2]
        for server in (cls.primary, cls.replica):
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS t_lua_split")
                cur.execute("CREATE DATABASE t_lua_split")
                cur.execute("CREATE TABLE t_lua_split.notes (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20))")
        super().setUpClass()
        # Logins fill the pools: two on the primary (MIN_IDLE), then the replica.
        try:
            cls.clients = [harness.pymysql_connect(cls.port, database="t_lua_split", autocommit=True)
                           for _ in range(3)]
        except Exception:
            cls.proxy.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        for conn in cls.clients:
            conn.close()
        super().tearDownClass()

    def test_reads_writes_and_transactions(self):
        conn = self.clients[0]
        self.assertEqual(self.query(conn, "SELECT @@port"), ((self.replica.port,),))
        self.query(conn, "INSERT INTO notes (note) VALUES ('split')")
        self.assertEqual(self.query(conn, "SELECT LAST_INSERT_ID() > 0, @@port"), ((1, self.primary.port),),
                         "after an insert the client stays on its connection")
        self.assertEqual(self.query(conn, "SELECT @@port"), ((self.replica.port,),))
        self.query(conn, "BEGIN")
        self.assertEqual(self.query(conn, "SELECT COUNT(*), @@port FROM notes WHERE note = 'split'"),
                         ((1, self.primary.port),), "a transaction reads on the primary")
        self.query(conn, "COMMIT")
        self.assertEqual(self.query(conn, "SELECT COUNT(*), @@port FROM notes WHERE note = 'split'"),
                         ((0, self.replica.port),), "the fixture's replica does not replicate")

    def test_temporary_tables_pin_the_client(self):
        with harness.pymysql_connect(self.port, database="t_lua_split", autocommit=True) as conn:
            self.query(conn, "CREATE TEMPORARY TABLE scratch (x INT)")
            self.query(conn, "INSERT INTO scratch VALUES (1)")
            self.assertEqual(self.query(conn, "SELECT x, @@port FROM scratch"), ((1, self.primary.port),))

    def test_the_default_database_follows(self):
        with harness.pymysql_connect(self.port, database="t_lua_split", autocommit=True) as conn:
            conn.select_db("mysql")
            self.assertEqual(self.query(conn, "SELECT DATABASE(), @@port"), (("mysql", self.replica.port),))


class AllowListTest(ExampleTest):
    SCRIPT_FILE = example("allow-list.lua")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20))")
            cur.execute("INSERT INTO items (name) VALUES ('apple'), ('pear')")

    def server_count(self):
        with harness.backend_connect(self.backends[0], self.DATABASE) as conn:
            return self.query(conn, "SELECT COUNT(*) FROM items")[0][0]

    def test_allowed_statements_run_with_any_literals(self):
        with self.connect() as conn:
            self.assertEqual(self.query(conn, "SELECT id, name FROM items WHERE id = 2"), ((2, "pear"),))
            self.assertEqual(self.query(conn, "select id,name from items where id=1"), ((1, "apple"),))
        out = harness.mariadb_cli(self.port, "--batch", "-e", "SELECT COUNT(*) FROM items", self.DATABASE)
        self.assertEqual(out.returncode, 0, out.stderr)

    def test_other_statements_never_reach_the_server(self):
        before = self.server_count()
        mark = self.mark()
        with self.connect(autocommit=True) as conn:
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                self.query(conn, "DELETE FROM items")
            self.assertEqual(ctx.exception.args[0], 1142)
            self.assertIn("statement not in the proxy's allow-list: DELETE FROM `items` ", ctx.exception.args[1])
        self.assertEqual(self.server_count(), before)
        mark.wait_for(r"^\[allow-list\] refused from 127\.0\.0\.1:\d+: DELETE FROM `items` $")

    def test_prepared_statements_are_checked_too(self):
        conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD, self.DATABASE)
        try:
            with self.assertRaises(mysql_raw.ServerError) as ctx:
                conn.stmt_prepare("DROP TABLE items")
            self.assertEqual(ctx.exception.code, 1142)
        finally:
            conn.close()
        with harness.backend_connect(self.backends[0], self.DATABASE) as server:
            self.assertEqual(self.query(server, "SHOW TABLES LIKE 'items'"), (("items",),))

    def test_unknown_client_addresses_are_refused(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.3")
        self.assertEqual(ctx.exception.args,
                         (1130, "Host '127.0.0.3' is not allowed to connect through this proxy"))


class QueryHistogramTest(ExampleTest):
    SCRIPT_FILE = example("query-histogram.lua")
    PROXY_ARGS = ("--event-threads=2",)

    def test_patterns_are_counted_over_all_connections(self):
        with self.connect() as conn:
            self.query(conn, "RESET QUERY HISTOGRAM")

        def client(offset):
            with self.connect() as conn:
                for i in range(10):
                    self.query(conn, "SELECT seq FROM seq_1_to_100 WHERE seq = %d" % (offset + i))
                    self.query(conn, "SELECT 'x%d'" % i)

        threads = [threading.Thread(target=client, args=(n * 10,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with self.connect() as conn:
            rows = self.query(conn, "SHOW QUERY HISTOGRAM")
        counts = {row[0]: row[1] for row in rows}
        self.assertEqual(counts["SELECT `seq` FROM `seq_1_to_100` WHERE `seq` = ? "], 40)
        self.assertEqual(counts["SELECT ? "], 40)
        for row in rows:
            total, avg, peak = (float(v) for v in row[2:])
            self.assertGreater(total, 0)
            self.assertLessEqual(avg, peak)
        with self.connect() as conn:
            self.query(conn, "reset query histogram")
            self.assertEqual(self.query(conn, "SHOW QUERY HISTOGRAM"), ())


if __name__ == "__main__":
    harness.main()
