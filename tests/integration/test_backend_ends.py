#!/usr/bin/python3
"""The backend ends or refuses a session: the client learns of it promptly.

The server closes an idle session (wait_timeout), a DBA kills one, the server
is at max_connections, a client stops reading a result for longer than
--proxy-write-timeout. tessera relays the server's ERR packets, closes what
must be closed, and stays up."""

import threading
import time

import pymysql

import harness
import mariadb_fixture
import mysql_raw

PROMPTLY = 10.0
MAX_CONNECTIONS = 10  # MariaDB's smallest


class BackendEndsTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def setUp(self):
        self.server = mariadb_fixture.start_server(harness.scratch_dir(), "ends",
                                                   ["--max-connections=%d" % MAX_CONNECTIONS])
        self.addCleanup(self.server.stop)
        self.monitor = harness.backend_connect(self.server)
        self.addCleanup(self.monitor.close)

    def backend_sessions(self):
        return harness.backend_client_sessions(self.monitor)

    def assert_error_promptly(self, conn, sql):
        started = time.monotonic()
        with self.assertRaises(pymysql.err.MySQLError):
            with conn.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()
        self.assertLess(time.monotonic() - started, PROMPTLY)

    def test_server_closes_idle_session(self):
        self.start_proxy([self.server.address])
        conn = harness.pymysql_connect(self.port, read_timeout=30)
        with conn.cursor() as cur:
            cur.execute("SET SESSION wait_timeout = 1")
        time.sleep(3)
        self.assert_error_promptly(conn, "SELECT 1")
        conn.close()
        self.assert_proxy_serves()

    def test_killed_session(self):
        self.start_proxy([self.server.address])
        conn = harness.pymysql_connect(self.port, read_timeout=30)
        with conn.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            victim_id = cur.fetchone()[0]
        with self.monitor.cursor() as cur:
            cur.execute("KILL CONNECTION %d" % victim_id)
        self.assert_error_promptly(conn, "SELECT 1")
        conn.close()
        self.assert_proxy_serves()

    def test_killed_during_query(self):
        self.start_proxy([self.server.address])
        conn = harness.pymysql_connect(self.port, read_timeout=30)
        with conn.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            victim_id = cur.fetchone()[0]

        def kill_soon():
            time.sleep(1)
            with self.monitor.cursor() as cur:
                cur.execute("KILL CONNECTION %d" % victim_id)

        killer = threading.Thread(target=kill_soon)
        killer.start()
        self.assert_error_promptly(conn, "SELECT SLEEP(30)")
        killer.join()
        conn.close()
        self.assert_proxy_serves()

    def test_too_many_connections_error_is_relayed(self):
        self.start_proxy([self.server.address])
        # tessera_nopw lacks the privilege that buys the extra slot above max_connections.
        held = []
        try:
            with self.assertRaises(pymysql.err.OperationalError) as caught:
                for _ in range(MAX_CONNECTIONS + 1):
                    held.append(harness.pymysql_connect(self.port, user="tessera_nopw",
                                                        password=""))
            self.assertEqual(caught.exception.args[0], 1040)
        finally:
            for conn in held:
                conn.close()
        harness.wait_until(lambda: self.backend_sessions() == 0, PROMPTLY)
        harness.pymysql_connect(self.port, user="tessera_nopw", password="").close()

    @harness.needs_proxy
    def test_client_that_stops_reading_is_cut_after_write_timeout(self):
        self.start_proxy([self.server.address], ["--proxy-write-timeout=2"])
        conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD)
        conn.command(mysql_raw.COM_QUERY, b"SELECT REPEAT('w', 1000) FROM mysql.seq_1_to_1000000")
        harness.wait_until(lambda: self.backend_sessions() == 0, 20)
        self.assertEqual(self.backend_sessions(), 0,
                         "the backend session of a client that stopped reading was kept")
        conn.close()
        self.assert_proxy_serves()


if __name__ == "__main__":
    harness.main()
