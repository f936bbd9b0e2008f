#!/usr/bin/python3
"""sysbench through tessera's sharding plugin: sbtest.sbtest1 hashed on id over
4 shards on the two fixture servers (shard i on g1 when i is even, on g2 when
it is odd), oltp_point_select and oltp_read_write with sysbench's default
server-side prepared statements, 4 threads, TESSERA_SYSBENCH_SECONDS each
(default 60).

The runs must end without an error sysbench stops on; oltp_read_write's
transactions reach both groups and commit with XA. Afterwards the data is
checked on the servers themselves: every id 1..TABLE_SIZE exactly once, on
the shard of its key; nothing left prepared (XA RECOVER); and every decision
in tessera's XA log marked done.

sysbench's default --rand-type=special makes a few rows hot. A transaction
over two groups holds its locks on both servers until its COMMIT, so two of
them can wait for each other across the servers, a deadlock neither server
sees: both wait innodb_lock_wait_timeout (50 s) and sysbench retries. With
--rand-type=uniform over 10,000 rows such collisions are rare, so the run
measures tessera, not lock waits."""

import os
import re
import subprocess
import sys

import harness

DB = "sbtest"
SHARDS = 4
TABLE_SIZE = 10000
THREADS = 4
SECONDS = int(os.environ.get("TESSERA_SYSBENCH_SECONDS", "60"))


def write_map(path):
    servers = harness.backends()
    with open(path, "w") as f:
        f.write("""return {
  groups = { g1 = { primary = "%s" }, g2 = { primary = "%s" } },
  default_group = "g1",
  users = { { user = "%s", password = "%s" } },
  tables = {
    ["%s.sbtest1"] = { shard_key = "id", method = "hash", shards = %d, groups = { "g1", "g2" } },
  },
}
""" % (servers[0].address, servers[1].address, harness.USER, harness.PASSWORD, DB, SHARDS))
    return path


def sysbench(port, test, command, *extra, timeout=120):
    # --auto-inc=off: sysbench's INSERTs carry the id, the shard key.
    cmd = ["sysbench", test, "--mysql-host=" + harness.HOST, "--mysql-port=%d" % port,
           "--mysql-user=" + harness.USER, "--mysql-password=" + harness.PASSWORD,
           "--mysql-db=" + DB, "--tables=1", "--table-size=%d" % TABLE_SIZE, "--auto-inc=off",
           "--rand-type=uniform"] + list(extra) + [command]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def statistic(output, name):
    """The count and the rate per second of a line of sysbench's report, e.g.
    statistic(out, 'transactions') -> (1844, 183.78); the rate is None when the line has none."""
    match = re.search(r"^\s*%s:\s+(\d+)(?:\s+\(([\d.]+) per sec\.\))?" % re.escape(name), output, re.MULTILINE)
    if not match:
        raise AssertionError("sysbench printed no '%s' line:\n%s" % (name, output))
    return int(match.group(1)), float(match.group(2)) if match.group(2) else None


def latency(output, name):
    match = re.search(r"^\s*%s:\s+([\d.]+)" % re.escape(name), output, re.MULTILINE)
    if not match:
        raise AssertionError("sysbench printed no '%s' latency:\n%s" % (name, output))
    return float(match.group(1))


def global_status(server, names):
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        cur.execute("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)" % ", ".join(["%s"] * len(names)), names)
        return {name: int(value) for name, value in cur.fetchall()}


def xa_recover(server):
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        cur.execute("XA RECOVER")
        return cur.fetchall()


def read_log(path):
    """(decided gtrids, done gtrids) of an XA decision log."""
    decided, done = [], []
    with open(path) as f:
        for line in f:
            fields = line.split()
            (decided if fields[0] == "C" else done).append(fields[2])
    return decided, done


@harness.needs_proxy
class ShardingSysbenchTest(harness.ProxyTestCase):
    BACKEND_COUNT = 2
    SHARED_PROXY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(cls.drop_database)
        for server in cls.backends:
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS " + DB)
                cur.execute("CREATE DATABASE " + DB)
        cls.map_path = write_map(os.path.join(harness.scratch_dir(), "sbtest.lua"))
        cls.log_path = cls.map_path + ".xa-log"
        cls.proxy = harness.Tessera([], ["--sharding-config=" + cls.map_path]).start()
        cls.port = cls.proxy.port
        cls.addClassCleanup(cls.proxy.stop)
        out = sysbench(cls.port, "oltp_read_write", "prepare")
        if out.returncode != 0:
            raise AssertionError("sysbench prepare through tessera failed:\n%s\n%s"
                                 % (out.stdout, cls.proxy.log_tail()))

    @classmethod
    def tearDownClass(cls):
        harness.assert_clean_exit(cls.proxy)
        # Every decision of the runs was carried out: each has its done record.
        decided, done = read_log(cls.log_path)
        undone = sorted(set(decided) - set(done))
        if undone:
            raise AssertionError("decisions not marked done in %s: %s" % (cls.log_path, undone[:10]))

    @classmethod
    def drop_database(cls):
        for server in cls.backends:
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS " + DB)

    def status(self):
        names = ["Com_stmt_execute", "Com_xa_start", "Com_xa_prepare", "Com_xa_commit", "Com_xa_rollback"]
        return [global_status(server, names) for server in self.backends]

    def run_sysbench(self, test):
        run = sysbench(self.port, test, "run", "--threads=%d" % THREADS, "--time=%d" % SECONDS,
                       "--report-interval=0", timeout=SECONDS + 180)
        out = run.stdout
        self.assertEqual(run.returncode, 0, out)
        self.assertNotIn("FATAL", out)
        self.assertEqual(statistic(out, "reconnects")[0], 0, out)
        transactions, tps = statistic(out, "transactions")
        queries, qps = statistic(out, "queries")
        ignored, _ = statistic(out, "ignored errors")
        self.assertGreater(queries, 0, out)
        self.assertGreater(transactions, 0, out)
        print("\n%s through tessera, %d shards on 2 servers, %d threads, %d s: %.2f TPS, %.2f QPS "
              "(%d transactions, %d queries), %d ignored errors, latency avg %.2f ms, 95th %.2f ms, max %.2f ms"
              % (test, SHARDS, THREADS, SECONDS, tps, qps, transactions, queries, ignored,
                 latency(out, "avg"), latency(out, "95th percentile"), latency(out, "max")),
              file=sys.stderr)
        return out

    def assert_data_consistent(self):
        """Every id 1..TABLE_SIZE once, each on the shard of its key and on that shard's server,
        nothing prepared on either server; and tessera reads the same count."""
        ids = []
        for index, server in enumerate(self.backends):
            for shard in range(index, SHARDS, 2):
                with harness.backend_connect(server, database=DB) as conn, conn.cursor() as cur:
                    cur.execute("SELECT id FROM sbtest1_%d" % shard)
                    shard_ids = [r[0] for r in cur.fetchall()]
                misplaced = [i for i in shard_ids if i % SHARDS != shard]
                self.assertEqual(misplaced, [], "ids on shard %d that belong elsewhere" % shard)
                ids += shard_ids
            self.assertEqual(xa_recover(server), (), "XA RECOVER on server %d" % (index + 1))
        self.assertEqual(len(ids), TABLE_SIZE)
        self.assertEqual(sorted(ids), list(range(1, TABLE_SIZE + 1)))
        with harness.pymysql_connect(self.port, database=DB) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM sbtest1")
            self.assertEqual(cur.fetchone(), (TABLE_SIZE,))

    def test_oltp_point_select(self):
        before = self.status()
        out = self.run_sysbench("oltp_point_select")
        after = self.status()
        queries = statistic(out, "queries")[0]
        # Point selects lock nothing: no error for sysbench to ignore.
        self.assertEqual(statistic(out, "ignored errors")[0], 0, out)
        executes = sum(a["Com_stmt_execute"] - b["Com_stmt_execute"] for a, b in zip(after, before))
        self.assertGreaterEqual(executes, queries, "each point select runs as a prepared statement on its shard")
        self.assert_data_consistent()

    def test_oltp_read_write(self):
        before = self.status()
        out = self.run_sysbench("oltp_read_write")
        after = self.status()
        transactions = statistic(out, "transactions")[0]
        read = statistic(out, "read")[0]
        write = statistic(out, "write")[0]
        executes = sum(a["Com_stmt_execute"] - b["Com_stmt_execute"] for a, b in zip(after, before))
        self.assertGreaterEqual(executes, read + write, "reads and writes run as prepared statements")
        # Each transaction started as XA on both servers and was prepared on both.
        for index, (a, b) in enumerate(zip(after, before)):
            with self.subTest(server=index + 1):
                self.assertGreaterEqual(a["Com_xa_start"] - b["Com_xa_start"], transactions)
                self.assertGreaterEqual(a["Com_xa_prepare"] - b["Com_xa_prepare"], transactions)
                self.assertGreaterEqual(a["Com_xa_commit"] - b["Com_xa_commit"], transactions)
        self.assert_data_consistent()


if __name__ == "__main__":
    harness.main()
