#!/usr/bin/python3
"""Transactions over two shard groups, committed with XA, through tessera and
the two fixture servers, with tessera or a server killed between PREPARE and
COMMIT.

The shard map has two groups, g1 and g2 (the first and second fixture
servers), and t_sharding_xa.acct hashed on id over 4 shards: shard i is
acct_i, on g1 when i is even, on g2 when i is odd. Every shard table exists
on both servers, so that a row written to the wrong server stays visible.
Every check reads the servers directly, not through tessera.

Failpoints (TESSERA_XA_FAILPOINT) stop tessera after every branch is
prepared (crash-after-prepare) or after the decision is in the log
(crash-after-decision), or hold the COMMITs back for a while
(pause-after-decision:MS) so that a server can be killed in between. A
killed fixture server is started again on its port and datadir, and the
env file gets its new pid; the class makes sure both servers run when it
ends, whatever happened."""

import os
import re
import subprocess
import tempfile
import threading
import time

import pymysql

import harness
import mariadb_fixture
import sharding_harness
from sharding_harness import read_xa_log as read_log

DB = "t_sharding_xa"
SHARDS = 4
ACCT_DDL = "(id INT PRIMARY KEY, v INT NOT NULL)"
# Keys whose shard is on g1 and on g2: key k is on shard k mod 4.
G1_KEYS = (0, 2, 4, 6, 8, 10, 12, 14)
G2_KEYS = (1, 3, 5, 7, 9, 11, 13, 15)
GTRID = re.compile(r"^tsr-[0-9a-f]{8}-[0-9]+$")
RESOLVE_WITHIN = 15.0
CRASH_EXIT = 99
# The servers this process started again: they outlive it (tests/run stops them).
RESTARTED = []


def group_of(key):
    return (key % SHARDS) % 2


def rows_on(server):
    """Every (table, id, v) in the shard tables of server, sorted."""
    rows = []
    for shard in range(SHARDS):
        rows += [("acct_%d" % shard,) + tuple(r)
                 for r in sharding_harness.direct(server, "SELECT id, v FROM acct_%d" % shard, DB)]
    return sorted(rows)


def expected_rows(server_index, pairs):
    """The (table, id, v) rows of server_index for the (id, v) pairs written through tessera."""
    return sorted(("acct_%d" % (k % SHARDS), k, v) for k, v in pairs if group_of(k) == server_index)


def xa_recover(server):
    """The gtrids XA RECOVER lists on server, sorted."""
    return sorted(gtrid for gtrid, _bqual in sharding_harness.xa_recover(server))


def restart_fixture_server(index):
    """Start fixture server index again on its port and datadir if it is not running,
    and write its new pid to the env file. Returns the Server."""
    env_path = os.environ["TESSERA_FIXTURE_ENV"]
    env = mariadb_fixture.read_env(env_path)
    server = mariadb_fixture.servers_from_env(env)[index]
    if server.is_running():
        return server
    log_path = os.path.join(os.path.dirname(server.datadir), "mariadbd.log")
    proc = subprocess.Popen(mariadb_fixture.server_command(server.datadir, server.port, log_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    mariadb_fixture.wait_until_ready(proc, server.datadir, log_path)
    RESTARTED.append(proc)
    env["TESSERA_MARIADB_%d_PID" % (index + 1)] = str(proc.pid)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(env_path))
    with os.fdopen(fd, "w") as f:
        f.write("".join("%s=%s\n" % kv for kv in env.items()))
    os.replace(tmp, env_path)
    return mariadb_fixture.Server(server.datadir, server.port, proc.pid, proc)


def roll_back_leftovers(server):
    """XA ROLLBACK whatever tessera transaction a failed test left prepared on server."""
    for gtrid in xa_recover(server):
        if GTRID.match(gtrid):
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("XA ROLLBACK '%s'" % gtrid)


class Commit:
    """COMMIT on a PyMySQL connection in a thread; records how it ended."""

    def __init__(self, conn):
        self.conn = conn
        self.error = None
        self.done = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            with self.conn.cursor() as cur:
                cur.execute("COMMIT")
        except Exception as e:  # what the client library raised is what the test checks
            self.error = e
        self.done.set()


class ShardingXaTest(sharding_harness.ShardedProxyTestCase):
    DATABASE = DB
    BACKEND_TABLES = sharding_harness.shard_tables("acct", ACCT_DDL, SHARDS)
    SHARD_TABLES = {DB + ".acct": sharding_harness.hash_table("id", SHARDS)}
    START_PROXY = False

    @classmethod
    def setUpClass(cls):
        # Whatever a test does to the servers, both run again when the class ends.
        cls.addClassCleanup(cls.restore_servers)
        super().setUpClass()

    @classmethod
    def restore_servers(cls):
        for index in range(2):
            server = restart_fixture_server(index)
            roll_back_leftovers(server)
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS `%s`" % DB)

    def setUp(self):
        for index in range(2):
            roll_back_leftovers(restart_fixture_server(index))
        self.empty_backend_tables()
        self.servers = harness.backends()
        self.workdir = harness.scratch_dir()
        self.map_path = sharding_harness.write_shard_map(os.path.join(self.workdir, "map.lua"), self.SHARD_TABLES)
        self.log_path = os.path.join(self.workdir, "decisions.xa-log")

    # --- helpers -------------------------------------------------------------

    def start_tessera(self, failpoint=None, default_log=False):
        """A tessera with the map; with failpoint, TESSERA_XA_FAILPOINT set for it. It is
        stopped after the test; one that runs without a failpoint must exit 0 on SIGTERM."""
        args = ["--sharding-config=" + self.map_path]
        if not default_log:
            args.append("--sharding-xa-log=" + self.log_path)
        proxy = harness.Tessera([], args)
        saved = os.environ.get("TESSERA_XA_FAILPOINT")
        if failpoint:
            os.environ["TESSERA_XA_FAILPOINT"] = failpoint
        else:
            os.environ.pop("TESSERA_XA_FAILPOINT", None)
        try:
            proxy.start()
        finally:
            if saved is None:
                os.environ.pop("TESSERA_XA_FAILPOINT", None)
            else:
                os.environ["TESSERA_XA_FAILPOINT"] = saved
        self.proxy = proxy
        self.port = proxy.port
        if failpoint:
            self.addCleanup(proxy.stop)
        else:
            self.addCleanup(harness.assert_clean_exit, proxy)
        return proxy

    def connect(self, **kwargs):
        kwargs.setdefault("read_timeout", 60)
        return super().connect(**kwargs)

    def insert(self, cur, pairs):
        cur.execute("INSERT INTO acct (id, v) VALUES " + ", ".join("(%d, %d)" % p for p in pairs))

    def open_transaction(self, pairs):
        """A connection inside BEGIN with pairs inserted, not yet committed."""
        conn = self.connect()
        self.addCleanup(lambda: conn.open and conn.close())
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            self.insert(cur, pairs)
        return conn

    def assert_rows(self, pairs, msg=""):
        """Exactly the rows of pairs on each server, each on the shard of its key."""
        for index, server in enumerate(self.servers):
            self.assertEqual(rows_on(server), expected_rows(index, pairs),
                             "rows on server %d %s" % (index + 1, msg))

    def assert_nothing_prepared(self):
        for index, server in enumerate(self.servers):
            self.assertEqual(xa_recover(server), [], "XA RECOVER on server %d" % (index + 1))

    def wait_for_decision(self, count, timeout=10.0):
        """Wait until the log holds count C records; returns the records."""
        harness.wait_until(lambda: sum(1 for r in read_log(self.log_path) if r[0] == "C") >= count, timeout,
                           interval=0.005)
        records = read_log(self.log_path)
        self.assertEqual(sum(1 for r in records if r[0] == "C"), count, records)
        return records

    def assert_crashed(self, proxy, failpoint):
        try:
            code = proxy.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.fail("tessera with %s did not stop\n%s" % (failpoint, proxy.log_tail()))
        self.assertEqual(code, CRASH_EXIT, "tessera with %s\n%s" % (failpoint, proxy.log_tail()))

    def assert_lost_connection(self, error):
        self.assertIsInstance(error, pymysql.err.OperationalError, repr(error))
        self.assertIn(error.args[0], (2006, 2013), repr(error))

    # --- commits and rollbacks without failures ----------------------------------

    def test_two_group_commit_and_rollback(self):
        proxy = self.start_tessera(default_log=True)
        log_path = self.map_path + ".xa-log"
        committed = [((0, 10), (1, 11)), ((2, 20), (3, 21), (4, 22)), ((5, 30), (6, 31))]
        so_far = []
        with self.connect() as conn, conn.cursor() as cur:
            for pairs in committed:
                cur.execute("BEGIN")
                self.insert(cur, pairs)
                # Not yet visible on the servers, and nothing prepared before COMMIT.
                self.assert_rows(so_far, "before COMMIT")
                self.assert_nothing_prepared()
                cur.execute("COMMIT")
                so_far += pairs
                self.assert_rows(so_far, "after COMMIT")
            cur.execute("BEGIN")
            self.insert(cur, ((7, 40), (8, 41)))
            cur.execute("UPDATE acct SET v = v + 100 WHERE id IN (0, 1)")
            cur.execute("ROLLBACK")
        pairs = [p for t in committed for p in t]
        self.assert_rows(pairs)
        self.assert_nothing_prepared()
        harness.wait_until(lambda: len(read_log(log_path)) >= 6, 5)
        records = read_log(log_path)
        self.assertEqual(len(records), 6, records)
        decided = [r[1] for r in records if r[0] == "C"]
        done = [r[1] for r in records if r[0] == "D"]
        self.assertEqual(len(decided), len(committed), records)
        self.assertEqual(len(set(decided)), len(committed), "gtrids must differ: %s" % records)
        self.assertEqual(sorted(done), sorted(decided), records)
        for kind, gtrid, groups in records:
            self.assertRegex(gtrid, GTRID)
            if kind == "C":
                self.assertEqual(groups, "g1,g2")
                # Each decision comes before its D record.
                self.assertLess(records.index(("C", gtrid, groups)), records.index(("D", gtrid, None)))
        self.assertTrue(proxy.is_alive())

    def test_one_group_transaction_writes_nothing_to_the_log(self):
        self.start_tessera()
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            self.insert(cur, ((0, 1), (2, 2), (4, 3)))  # shards 0 and 2, both on g1
            cur.execute("UPDATE acct SET v = v * 10 WHERE id = 2")
            cur.execute("COMMIT")
            cur.execute("BEGIN")
            self.insert(cur, ((1, 5),))  # g2 only
            cur.execute("COMMIT")
            cur.execute("BEGIN")
            self.insert(cur, ((3, 6),))
            cur.execute("ROLLBACK")
        self.assert_rows([(0, 1), (2, 20), (4, 3), (1, 5)])
        self.assert_nothing_prepared()
        self.assertEqual(read_log(self.log_path), [])
        # Then a two-group transaction does write its C and D records there.
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            self.insert(cur, ((6, 7), (7, 8)))
            cur.execute("COMMIT")
        self.assert_rows([(0, 1), (2, 20), (4, 3), (1, 5), (6, 7), (7, 8)])
        harness.wait_until(lambda: len(read_log(self.log_path)) >= 2, 5)
        records = read_log(self.log_path)
        self.assertEqual([r[0] for r in records], ["C", "D"], records)
        self.assertEqual(records[0][1], records[1][1], records)

    # --- tessera killed between PREPARE and COMMIT -----------------------------

    def crash(self, failpoint, pairs):
        """BEGIN, insert pairs on both groups, COMMIT with tessera set to die at failpoint.
        Checks the client lost its connection and both branches are left prepared with
        nothing committed; returns the prepared gtrid."""
        proxy = self.start_tessera(failpoint)
        conn = self.open_transaction(pairs)
        with conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("COMMIT")
        self.assert_lost_connection(caught.exception)
        self.assert_crashed(proxy, failpoint)
        # tessera is down: both branches are prepared, neither committed.
        prepared = [xa_recover(s) for s in self.servers]
        self.assertEqual(len(prepared[0]), 1, prepared)
        self.assertEqual(prepared[0], prepared[1], "the same gtrid prepared on both servers")
        self.assertRegex(prepared[0][0], GTRID)
        self.assert_rows([], "while tessera is down")
        return prepared[0][0]

    def test_crash_after_prepare_rolls_back_both_branches(self):
        pairs = ((0, 1), (1, 2))
        gtrid = self.crash("crash-after-prepare", pairs)
        self.assertEqual(read_log(self.log_path), [], "no decision was written")
        self.start_tessera()
        self.assert_nothing_prepared()
        self.assert_rows([], "after recovery")
        self.assertEqual(read_log(self.log_path), [])
        # tessera serves again, and the same keys can be written.
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            self.insert(cur, ((0, 3), (1, 4)))
            cur.execute("COMMIT")
        self.assert_rows([(0, 3), (1, 4)])
        self.assertNotIn(gtrid, [r[1] for r in read_log(self.log_path)])

    def test_crash_after_decision_commits_both_branches(self):
        pairs = ((2, 1), (3, 2), (4, 3))
        gtrid = self.crash("crash-after-decision", pairs)
        self.assertEqual(read_log(self.log_path), [("C", gtrid, "g1,g2")])
        self.start_tessera()
        self.assert_nothing_prepared()
        self.assert_rows(pairs, "after recovery")
        self.assertEqual(read_log(self.log_path), [("C", gtrid, "g1,g2"), ("D", gtrid, None)])
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT id, v FROM acct ORDER BY id")
            self.assertEqual(cur.fetchall(), tuple(sorted(pairs)))

    def test_tessera_killed_while_the_commits_wait_keeps_the_decision(self):
        pairs = ((0, 1), (1, 2))
        proxy = self.start_tessera("pause-after-decision:9000")
        conn = self.open_transaction(pairs)
        commit = Commit(conn)
        gtrid = self.wait_for_decision(1)[0][1]
        time.sleep(5)  # two rounds of the resolver, within the pause
        self.assertFalse(commit.done.is_set(), "COMMIT ended before the pause did")
        self.assertEqual([xa_recover(s) for s in self.servers], [[gtrid], [gtrid]], "both branches prepared")
        proxy.proc.kill()
        proxy.proc.wait(10)
        self.assertTrue(commit.done.wait(10))
        self.start_tessera()
        self.assert_nothing_prepared()
        self.assert_rows(pairs, "after tessera restarted: the decision was durable")

    # --- a server killed between PREPARE and COMMIT ---------------------------

    def kill_group_2_after_the_decision(self, pairs):
        """A two-group COMMIT held after its decision while group 2's server is SIGKILLed.
        Returns the Commit (ended) and the gtrid."""
        self.start_tessera("pause-after-decision:3000")
        conn = self.open_transaction(pairs)
        commit = Commit(conn)
        records = self.wait_for_decision(1)
        self.assertFalse(commit.done.is_set(), "COMMIT ended before the pause")
        self.servers[1].kill()
        self.assertTrue(commit.done.wait(30), "the client's COMMIT hangs after group 2 died")
        return commit, records[0][1]

    def kill_group_2_before_prepare(self, pairs, settle=0.0):
        """A transaction written on both groups whose group 2 server is SIGKILLed settle
        seconds before COMMIT. Returns what the COMMIT raised."""
        self.start_tessera()
        conn = self.open_transaction(pairs)
        self.servers[1].kill()
        time.sleep(settle)
        with conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("COMMIT")
        return caught.exception

    def assert_clear_error(self, error):
        """error is an error packet from tessera, read as such by the client."""
        self.assertIsInstance(error, pymysql.err.MySQLError, repr(error))
        self.assertEqual(len(error.args), 2, "not an error packet: %r" % error)
        code, message = error.args
        self.assertIsInstance(code, int, repr(error))
        self.assertFalse(harness.is_client_library_code(code), "the client must get an answer, got %r" % error)
        self.assertTrue(message.startswith("tessera: "), repr(error))

    def test_group_killed_after_the_decision_is_committed_by_the_resolver(self):
        pairs = ((0, 1), (1, 2), (5, 3))
        _commit, gtrid = self.kill_group_2_after_the_decision(pairs)
        # Group 1 committed; group 2 is down, the decision stays undone.
        self.assertEqual(rows_on(self.servers[0]), expected_rows(0, pairs))
        self.assertEqual(xa_recover(self.servers[0]), [])
        self.assertNotIn(("D", gtrid, None), read_log(self.log_path))
        self.servers[1] = restart_fixture_server(1)
        # MariaDB keeps the prepared branch across its crash until the resolver commits it.
        resolved = harness.wait_until(
            lambda: xa_recover(self.servers[1]) == [] and rows_on(self.servers[1]) == expected_rows(1, pairs),
            RESOLVE_WITHIN, interval=0.2)
        self.assertTrue(resolved, "group 2's branch not committed within %.0f s: XA RECOVER %s, rows %s"
                        % (RESOLVE_WITHIN, xa_recover(self.servers[1]), rows_on(self.servers[1])))
        self.assert_rows(pairs)
        self.assert_nothing_prepared()
        self.assertTrue(harness.wait_until(lambda: ("D", gtrid, None) in read_log(self.log_path), 5),
                        read_log(self.log_path))
        self.assertTrue(self.proxy.is_alive(), self.proxy.log_tail())
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT id, v FROM acct ORDER BY id")
            self.assertEqual(cur.fetchall(), tuple(sorted(pairs)))

    def test_group_killed_after_the_decision_answers_the_client(self):
        commit, _gtrid = self.kill_group_2_after_the_decision(((2, 1), (3, 2)))
        if commit.error is not None:
            # The transaction is decided: an error must say that it commits, not that it failed.
            self.assert_clear_error(commit.error)
            self.assertIn("commit", commit.error.args[1].lower(), repr(commit.error))

    def test_group_killed_before_prepare_rolls_back_everywhere(self):
        pairs = ((0, 1), (1, 2), (2, 3))
        self.kill_group_2_before_prepare(pairs)
        self.assertEqual(rows_on(self.servers[0]), [], "group 1 must not commit")
        self.assertTrue(harness.wait_until(lambda: xa_recover(self.servers[0]) == [], 5),
                        "a branch stays prepared on group 1: %s" % xa_recover(self.servers[0]))
        self.assertEqual([r for r in read_log(self.log_path) if r[0] == "C"], [], "no decision")
        self.servers[1] = restart_fixture_server(1)
        self.assert_rows([], "after group 2 restarted")
        self.assert_nothing_prepared()
        self.assertTrue(self.proxy.is_alive(), self.proxy.log_tail())
        # tessera goes on with both groups.
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            self.insert(cur, ((4, 5), (5, 6)))
            cur.execute("COMMIT")
        self.assert_rows([(4, 5), (5, 6)])

    def test_group_killed_before_prepare_answers_the_client(self):
        # Let tessera see the connection close before the COMMIT comes: a definite order.
        error = self.kill_group_2_before_prepare(((0, 1), (1, 2)), settle=1.0)
        self.assert_clear_error(error)

if __name__ == "__main__":
    harness.main()
