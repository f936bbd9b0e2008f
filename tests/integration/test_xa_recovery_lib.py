#!/usr/bin/python3
"""XA recovery (plugins/sharding/xa-recover.h) and its blocking client
(xa-client.h) on the fixture's real MariaDB servers, through
plugins/sharding/tests/test-xa-tool (TESSERA_XA_TOOL).

Transactions are prepared by PyMySQL connections (XA START, INSERT, XA END,
XA PREPARE) that then close: MariaDB keeps them prepared, as after a crash
of tessera. A decision is written into a log for some of them, recovery
runs, and PyMySQL checks which rows exist and what XA RECOVER still lists."""

import os
import socket
import subprocess
import unittest

import harness
from sharding_harness import xa_recover

TOOL = os.environ.get("TESSERA_XA_TOOL") or os.path.join(
    harness.REPO_ROOT, "build", "plugins", "sharding", "tests", "test-xa-tool")
DATABASE = "tsr_xa_recovery"
PROXY_ID = "00007e57"
OTHER_PROXY_ID = "00007e58"
FOREIGN_XID = "app-xid-1"


def tool(*args, check=True, env=None):
    """Run test-xa-tool; with check, insist on exit status 0."""
    result = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=60,
                            env=dict(os.environ, **(env or {})))
    if check and result.returncode != 0:
        raise AssertionError("test-xa-tool %s exited with %d\nstdout: %s\nstderr: %s"
                             % (" ".join(map(str, args)), result.returncode, result.stdout, result.stderr))
    return result


def xid(counter, proxy_id=PROXY_ID):
    return tool("xid", proxy_id, counter).stdout.strip()


def connect(server):
    return harness.backend_connect(server, database=DATABASE)


def prepare(server, gtrid, value, bqual=None):
    """Insert value in an XA transaction left prepared by a connection that
    then closes; returns once the server has let go of the connection."""
    xa_id = "%s, %s" % (quote(gtrid), quote(bqual)) if bqual is not None else quote(gtrid)
    conn = connect(server)
    thread_id = conn.thread_id()
    with conn.cursor() as cur:
        cur.execute("XA START " + xa_id)
        cur.execute("INSERT INTO t (v, note) VALUES (%s, %s)", (value, gtrid))
        cur.execute("XA END " + xa_id)
        cur.execute("XA PREPARE " + xa_id)
    conn.close()
    with connect(server) as check, check.cursor() as cur:
        def gone():
            cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s", (thread_id,))
            return cur.fetchone()[0] == 0
        if not harness.wait_until(gone, 10):
            raise AssertionError("the server kept connection %d" % thread_id)
    if (gtrid, bqual or "") not in xa_recover(server):
        raise AssertionError("%s is not prepared after its connection closed" % gtrid)


def quote(text):
    return "'%s'" % text.replace("'", "''")


def values(server):
    with connect(server) as conn, conn.cursor() as cur:
        cur.execute("SELECT v FROM t ORDER BY v")
        return [row[0] for row in cur.fetchall()]


def roll_back_everything(server):
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        for gtrid, bqual in xa_recover(server):
            cur.execute("XA ROLLBACK %s, %s" % (quote(gtrid), quote(bqual)))


class XaRecoveryTest(unittest.TestCase):
    def setUp(self):
        self.servers = harness.backends()[:2]
        for server in self.servers:
            roll_back_everything(server)
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS " + DATABASE)
                cur.execute("CREATE DATABASE " + DATABASE)
                cur.execute("CREATE TABLE %s.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT, note VARCHAR(64)) "
                            "ENGINE=InnoDB" % DATABASE)
        self.log = os.path.join(harness.scratch_dir(), "xa.log")

    def tearDown(self):
        for server in self.servers:
            roll_back_everything(server)

    def recover(self, *addresses, check=True, password=harness.PASSWORD, env=None):
        return tool("recover", self.log, PROXY_ID, harness.USER, password, *addresses, check=check, env=env)

    def decided(self):
        return tool("list", self.log).stdout.split()

    def test_decided_commits_the_others_roll_back(self):
        s1, s2 = self.servers
        xa, xb = xid(1001), xid(1002)
        prepare(s1, xa, 1)
        prepare(s2, xa, 1)
        prepare(s1, xb, 2)
        self.assertEqual(values(s1), [])
        tool("decide", self.log, xa, "g1,g2")
        self.assertEqual(self.decided(), [xa])

        result = self.recover(s1.address, s2.address)
        self.assertEqual(result.stdout, "committed 2 rolled_back 1\n")
        self.assertEqual(values(s1), [1])
        self.assertEqual(values(s2), [1])
        self.assertEqual(xa_recover(s1), [])
        self.assertEqual(xa_recover(s2), [])
        self.assertEqual(self.decided(), [])

        again = self.recover(s1.address, s2.address)
        self.assertEqual(again.stdout, "committed 0 rolled_back 0\n")
        self.assertEqual(values(s1), [1])

    def test_other_transactions_are_left_alone(self):
        s1 = self.servers[0]
        ours, other_proxy = xid(2001), xid(2002, OTHER_PROXY_ID)
        with_bqual = xid(2003)
        prepare(s1, ours, 1)
        prepare(s1, other_proxy, 2)
        prepare(s1, FOREIGN_XID, 3)
        prepare(s1, with_bqual, 4, bqual="branch")
        tool("decide", self.log, other_proxy, "g1")
        tool("decide", self.log, with_bqual, "g1")

        result = self.recover(s1.address)
        self.assertEqual(result.stdout, "committed 0 rolled_back 1\n")
        self.assertEqual(sorted(xa_recover(s1)),
                         sorted([(other_proxy, ""), (FOREIGN_XID, ""), (with_bqual, "branch")]))
        self.assertEqual(values(s1), [])

    def test_unreachable_group_is_an_error(self):
        s1 = self.servers[0]
        xa = xid(3001)
        prepare(s1, xa, 1)
        tool("decide", self.log, xa, "g1,g2")
        closed = "%s:%d" % (harness.HOST, harness.closed_port())

        result = self.recover(s1.address, closed, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("XA recovery cannot resolve the transactions prepared on " + closed, result.stderr)
        self.assertIn("cannot connect", result.stderr)
        self.assertEqual(result.stdout, "committed 1 rolled_back 0\n%s\n" % xa)
        self.assertEqual(values(s1), [1])
        self.assertEqual(self.decided(), [xa])

        result = self.recover(s1.address)
        self.assertEqual(result.stdout, "committed 0 rolled_back 0\n")
        self.assertEqual(self.decided(), [])

    def test_wrong_password_is_an_error(self):
        s1 = self.servers[0]
        xa = xid(4001)
        prepare(s1, xa, 1)
        result = self.recover(s1.address, check=False, password="not-the-password")
        self.assertEqual(result.returncode, 1)
        self.assertIn(s1.address, result.stderr)
        self.assertIn("login refused", result.stderr)
        self.assertIn("error 1045", result.stderr)
        self.assertEqual(xa_recover(s1), [(xa, "")])

    def test_silent_server_times_out(self):
        listener = socket.socket()
        listener.bind((harness.HOST, 0))
        listener.listen(1)
        address = "%s:%d" % (harness.HOST, listener.getsockname()[1])
        try:
            result = self.recover(address, check=False, env={"TEST_XA_TIMEOUT_MS": "300"})
        finally:
            listener.close()
        self.assertEqual(result.returncode, 1)
        self.assertIn("no answer within 300 ms while reading", result.stderr)

    def test_unix_socket(self):
        s1 = self.servers[0]
        xa = xid(5001)
        prepare(s1, xa, 7)
        tool("decide", self.log, xa, "g1")
        result = self.recover(s1.socket)
        self.assertEqual(result.stdout, "committed 1 rolled_back 0\n")
        self.assertEqual(values(s1), [7])


class XaClientTest(unittest.TestCase):
    """The blocking client answers as PyMySQL sees the same statements."""

    def setUp(self):
        self.server = harness.backends()[0]

    def query(self, sql, user=harness.USER, password=harness.PASSWORD, check=True):
        return tool("query", self.server.address, user, password, sql, check=check)

    def pymysql_rows(self, sql):
        with harness.backend_connect(self.server) as conn, conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            rows = [["\\N" if v is None else str(v) for v in row] for row in cur.fetchall()]
        return "\t".join(names) + "\n" + "".join("\t".join(row) + "\n" for row in rows)

    def test_rows(self):
        for sql in ["SELECT 1 AS a, NULL AS b, '' AS c, 'x y' AS d",
                    "SELECT seq, seq * 2 AS twice FROM tessera_test.seq_1_to_2000",
                    "SELECT REPEAT('z', 70000) AS long_value",
                    "SELECT user, host FROM mysql.user WHERE user LIKE 'tessera%' ORDER BY user"]:
            with self.subTest(sql=sql):
                self.assertEqual(self.query(sql).stdout, self.pymysql_rows(sql))

    def test_ok_and_err(self):
        self.assertEqual(self.query("DO 1").stdout, "OK 0 0\n")
        self.assertEqual(self.query("SELECT 1 FROM DUAL WHERE 1 = 0").stdout, "1\n")
        err = self.query("SELECT * FROM no_such_db.no_such_table").stdout
        self.assertTrue(err.startswith("ERR 1146 "), err)
        self.assertIn("doesn't exist (error 1146, SQLSTATE 42S02)", err)
        warn = self.query("SELECT CAST('x' AS INT) + 0 INTO @w").stdout
        self.assertEqual(warn, "OK 1 1\n")

    def test_other_auth_method_is_refused(self):
        result = self.query("SELECT 1", user=harness.ED_USER, password=harness.ED_PASSWORD, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("needs an authentication method other than mysql_native_password", result.stderr)

    def test_unparsable_address(self):
        result = tool("query", "no-such-host.invalid:3306", harness.USER, harness.PASSWORD, "SELECT 1",
                      check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("no-such-host.invalid", result.stderr)


if __name__ == "__main__":
    harness.main()
