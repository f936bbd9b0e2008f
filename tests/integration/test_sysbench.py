#!/usr/bin/python3
"""sysbench through tessera: server-side prepared statements under load, no errors."""

import re
import subprocess

import harness

TABLE_SIZE = 10000
POINT_SELECT_SECONDS = 15
READ_WRITE_SECONDS = 10


def sysbench(port, database, test, command, *extra, timeout=120):
    cmd = ["sysbench", test, "--mysql-host=" + harness.HOST, "--mysql-port=%d" % port,
           "--mysql-user=" + harness.USER, "--mysql-password=" + harness.PASSWORD,
           "--mysql-db=" + database, "--tables=2", "--table-size=%d" % TABLE_SIZE,
           "--db-ps-mode=auto"] + list(extra) + [command]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def statistic(output, name):
    """A number from sysbench's report, e.g. statistic(out, 'reconnects')."""
    match = re.search(r"^\s*%s:\s+(\d+)" % re.escape(name), output, re.MULTILINE)
    if not match:
        raise AssertionError("sysbench printed no '%s' line:\n%s" % (name, output))
    return int(match.group(1))


def backend_status(server, name):
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        cur.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
        return int(cur.fetchone()[1])


class SysbenchTest(harness.ProxyTestCase):
    DATABASE = "t_sysbench"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out = sysbench(cls.port, cls.DATABASE, "oltp_read_write", "prepare")
        if out.returncode != 0:
            raise AssertionError("sysbench prepare through the proxy failed:\n" + out.stdout)

    def run_and_check(self, test, seconds, threads):
        executes_before = backend_status(self.backends[0], "Com_stmt_execute")
        run = sysbench(self.port, self.DATABASE, test, "run", "--threads=%d" % threads,
                       "--time=%d" % seconds, "--report-interval=0")
        self.assertEqual(run.returncode, 0, run.stdout)
        out = run.stdout
        self.assertEqual(statistic(out, "reconnects"), 0, out)
        queries = statistic(out, "total")
        self.assertGreater(queries, 100 * seconds, "implausibly few queries:\n" + out)
        executes = backend_status(self.backends[0], "Com_stmt_execute") - executes_before
        self.assertGreaterEqual(executes, queries,
                                "the queries must have run as server-side prepared statements")
        return out

    def test_oltp_point_select(self):
        out = self.run_and_check("oltp_point_select", POINT_SELECT_SECONDS, threads=8)
        self.assertEqual(statistic(out, "ignored errors"), 0, out)

    def test_oltp_read_write(self):
        out = self.run_and_check("oltp_read_write", READ_WRITE_SECONDS, threads=4)
        # The only errors sysbench ignores are deadlocks and lock wait timeouts between its
        # own threads, which InnoDB may rightly report now and then; sysbench retries them.
        self.assertLessEqual(statistic(out, "ignored errors"), statistic(out, "transactions") // 200,
                             out)


if __name__ == "__main__":
    harness.main()
