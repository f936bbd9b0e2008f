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
import sharding_harness

DB = "sbtest"
SHARDS = 4
TABLE_SIZE = 10000
THREADS = 4
SECONDS = int(os.environ.get("TESSERA_SYSBENCH_SECONDS", "60"))


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
    sql = "SHOW GLOBAL STATUS WHERE Variable_name IN (%s)" % ", ".join(["%s"] * len(names))
    return {name: int(value) for name, value in sharding_harness.direct(server, sql, args=names)}


class ShardingSysbenchTest(sharding_harness.ShardedProxyTestCase):
    DATABASE = DB
    SHARD_TABLES = {DB + ".sbtest1": sharding_harness.hash_table("id", SHARDS)}

    @classmethod
    def setUpClass(cls):
        cls.addClassCleanup(cls.drop_database)
        super().setUpClass()
        cls.log_path = cls.map_path + ".xa-log"
        out = sysbench(cls.port, "oltp_read_write", "prepare")
        if out.returncode != 0:
            raise AssertionError("sysbench prepare through tessera failed:\n%s\n%s"
                                 % (out.stdout, cls.proxy.log_tail()))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        # Every decision of the runs was carried out: each has its done record.
        if not os.path.exists(cls.log_path):
            raise AssertionError("tessera wrote no XA decision log at " + cls.log_path)
        records = sharding_harness.read_xa_log(cls.log_path)
        decided = [gtrid for kind, gtrid, _ in records if kind == "C"]
        done = [gtrid for kind, gtrid, _ in records if kind == "D"]
        undone = sorted(set(decided) - set(done))
        if undone:
            raise AssertionError("decisions not marked done in %s: %s" % (cls.log_path, undone[:10]))

    @classmethod
    def drop_database(cls):
        for server in cls.backends:
            sharding_harness.direct_many(server, ["DROP DATABASE IF EXISTS " + DB])

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
                shard_ids = [r[0] for r in self.direct(server, "SELECT id FROM sbtest1_%d" % shard)]
                misplaced = [i for i in shard_ids if i % SHARDS != shard]
                self.assertEqual(misplaced, [], "ids on shard %d that belong elsewhere" % shard)
                ids += shard_ids
            self.assertEqual(sharding_harness.xa_recover(server), [], "XA RECOVER on server %d" % (index + 1))
        self.assertEqual(len(ids), TABLE_SIZE)
        self.assertEqual(sorted(ids), list(range(1, TABLE_SIZE + 1)))
        self.assertEqual(self.query("SELECT COUNT(*) FROM sbtest1"), ((TABLE_SIZE,),))

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
