#!/usr/bin/python3
"""A backend killed (SIGKILL) in the middle of a query.

The client on that backend gets an error promptly instead of hanging, tessera
keeps running, clients on the other backend are untouched, and the next client
is served through the other backend."""

import threading
import time

import MySQLdb
import MySQLdb.cursors
import pymysql

import harness
import mariadb_fixture

ERROR_WITHIN = 10.0
MAX_ATTEMPTS_TO_REACH_VICTIM = 10


class QueryInThread:
    """Runs one query in a thread and records how it ended and when."""

    def __init__(self, conn, sql, consume):
        self.conn = conn
        self.sql = sql
        self.consume = consume
        self.error = None
        self.ended_at = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        cur = self.conn.cursor()
        try:
            cur.execute(self.sql)
            self.consume(cur)
        except Exception as e:  # what the client library raised is what we check
            self.error = e
        self.ended_at = time.monotonic()


@harness.needs_proxy
class BackendKillTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def setUp(self):
        self.good = harness.backends()[0]
        self.victim = mariadb_fixture.start_server(harness.scratch_dir(), "victim")
        self.addCleanup(self.victim.stop)
        self.start_proxy([self.victim.address, self.good.address])
        self.bystanders = []
        self.addCleanup(self.close_bystanders)

    def close_bystanders(self):
        for conn in self.bystanders:
            conn.close()

    def connect_to_victim(self, connect=harness.pymysql_connect, **kwargs):
        """Connect until tessera puts a client on the victim; others stay as bystanders."""
        for _ in range(MAX_ATTEMPTS_TO_REACH_VICTIM):
            conn = connect(self.port, read_timeout=60, **kwargs)
            cur = conn.cursor()
            cur.execute("SELECT @@port")
            port = cur.fetchone()[0]
            cur.close()
            if port == self.victim.port:
                return conn
            self.assertEqual(port, self.good.port)
            self.bystanders.append(conn)
        self.fail("tessera never routed a client to the first backend in %d tries"
                  % MAX_ATTEMPTS_TO_REACH_VICTIM)

    def kill_during(self, conn, sql, consume):
        running = QueryInThread(conn, sql, consume)
        time.sleep(1.0)
        self.assertIsNone(running.ended_at, "the query ended before the backend was killed")
        killed_at = time.monotonic()
        self.victim.kill()
        running.thread.join(ERROR_WITHIN + 5)
        self.assertIsNotNone(running.ended_at, "the client hangs after its backend died")
        self.assertLess(running.ended_at - killed_at, ERROR_WITHIN)
        self.assertIsInstance(running.error, (pymysql.err.MySQLError, MySQLdb.MySQLError),
                              "the client must see an error, got %r" % running.error)
        return running.error

    def assert_after_kill(self):
        self.assertTrue(self.proxy.is_alive(), "tessera died with its backend")
        for conn in self.bystanders:
            cur = conn.cursor()
            cur.execute("SELECT 'bystander ok'")
            self.assertEqual(cur.fetchone(), ("bystander ok",))
        for _ in range(3):
            with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
                cur.execute("SELECT @@port, 1 + 1")
                self.assertEqual(cur.fetchone(), (self.good.port, 2))

    def test_kill_during_sleep_query(self):
        conn = self.connect_to_victim()
        self.kill_during(conn, "SELECT SLEEP(60)", lambda cur: cur.fetchall())
        conn.close()
        self.assert_after_kill()

    def test_kill_while_streaming_rows(self):
        conn = self.connect_to_victim(harness.mysqldb_connect, cursorclass=MySQLdb.cursors.SSCursor)

        def read_slowly(cur):
            for i, _ in enumerate(cur):
                if i % 1000 == 0:
                    time.sleep(0.05)

        self.kill_during(conn, "SELECT seq, REPEAT('z', 500) FROM mysql.seq_1_to_2000000",
                         read_slowly)
        conn.close()
        self.assert_after_kill()


if __name__ == "__main__":
    harness.main()
