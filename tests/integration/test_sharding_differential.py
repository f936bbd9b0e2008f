#!/usr/bin/python3
"""Sharding, differentially: thousands of random statements answered by
tessera over a sharded data set must get the answers MariaDB gives over the
same data unsharded.

Groups g1 and g2 of the shard map are the two fixture servers. Tables
(tests/integration/sharding_diff.py): customers (hash on id, 6 shards),
orders (bound to customers by customer_id), ledger (range), visits (months),
tags (hash on a string), products (vertical, on g2), countries (broadcast).
The shard tables are created on the backends; the rows are loaded through
tessera with multi-row INSERTs, and the same INSERTs fill the reference
database diffref on the first server, which is queried directly.

The run prints `compared N, refused R, wrong W` and fails when W > 0, when R
is 5% of N or more, or when N is too small to mean much. Refused means an
error 1235 or 1292 whose message starts with "tessera:"; any other error
where the reference answered is wrong. At the end one row is changed on its
shard table behind tessera's back, and the comparison must see it.

test_1 checks the comparer without tessera: the reference against a copy of
it on the second server gives no wrong answer, and once one row of the copy
is altered it gives some.

Environment:
  TESSERA_SHARDING_DIFF_SEED=N     the seed of the data and the queries (printed)
  TESSERA_SHARDING_DIFF_QUERIES=N  how many statements (default 3000)
  TESSERA_SHARDING_DIFF_LIST=N     how many wrong answers to print (default 40)
  TESSERA_SHARDING_DIFF_SELF_CHECK=1  compare the reference with a copy of it
      that has one row altered instead of with tessera: the run must fail,
      and shows what a wrong answer looks like.
"""

import os
import subprocess
import time
import unittest

import harness
import sharding_diff as sd
from sharding_diff_queries import Generator
import sharding_harness
from harness import HOST, PASSWORD, USER

SEED = int(os.environ.get("TESSERA_SHARDING_DIFF_SEED", "20250617"))
QUERIES = int(os.environ.get("TESSERA_SHARDING_DIFF_QUERIES", "3000"))
SELF_CHECK = os.environ.get("TESSERA_SHARDING_DIFF_SELF_CHECK") == "1"
LISTED = int(os.environ.get("TESSERA_SHARDING_DIFF_LIST", "40"))
SANITY_QUERIES = 500
MAX_REFUSED_SHARE = 0.05
# Fewer comparisons than this means the run hardly tested anything.
MIN_COMPARED = min(2000, QUERIES * 2 // 3)


def log(line=""):
    print(line, flush=True)


def sharding_option_known():
    out = subprocess.run([harness.tessera_binary(), "--help"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=30)
    return "--sharding-config" in out.stdout


def backend_session(server, database):
    return sd.Session(HOST, server.port, USER, PASSWORD, database).connect()


def must(session, sql):
    answer = session.run(sql)
    if answer.kind == "error":
        raise RuntimeError("%s: %s" % (sql[:200], answer.describe()))
    return answer


class ShardingDifferentialTest(harness.ProxyTestCase):
    BACKEND_COUNT = 2
    SHARED_PROXY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = cls.backends
        if len(cls.servers) < 2:
            raise unittest.SkipTest("needs two MariaDB servers")
        cls.data = sd.DataSet(SEED)
        log("seed %d (TESSERA_SHARDING_DIFF_SEED), %d queries (TESSERA_SHARDING_DIFF_QUERIES), "
            "%d rows in %d tables" % (SEED, QUERIES, cls.data.row_count(), len(sd.TABLES)))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        for server in cls.servers:
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                for db in (sd.REF_DB, sd.SELF_DB, sd.SHARD_DB):
                    cur.execute("DROP DATABASE IF EXISTS `%s`" % db)

    def session(self, server, database):
        s = backend_session(server, database)
        self.addCleanup(s.close)
        return s

    def fresh_database(self, server, database):
        with harness.backend_connect(server) as conn, conn.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS `%s`" % database)
            cur.execute("CREATE DATABASE `%s` %s" % (database, sd.CHARSET))

    def load_whole(self, server, database, rows=True):
        """database on server made afresh with every table whole (and its rows)."""
        self.fresh_database(server, database)
        s = self.session(server, database)
        for table in sd.TABLES.values():
            must(s, table.create_sql())
        if rows:
            for sql, _ in self.data.inserts():
                must(s, sql)
        return s

    def alter_one_order(self, copy):
        """Change one order's amount in copy; returns its id."""
        answer = must(copy, "SELECT id FROM orders WHERE amount IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1000")
        order = int(answer.rows[0][0])
        answer = must(copy, "UPDATE orders SET amount = amount + 0.01 WHERE id = %d" % order)
        self.assertEqual(answer.affected, 1)
        log("order %d altered in the copy" % order)
        return order

    def whole_contents(self):
        """Contents of the reference and the copy, read on connections of their own
        (reading on the compared sessions would change ROW_COUNT() and the like)."""
        ref = self.session(self.servers[0], sd.REF_DB)
        copy = self.session(self.servers[1], sd.SELF_DB)
        return sd.Contents(ref, lambda table: [(copy, table.name, None)])

    def run_comparison(self, ref, subject, contents, seed, n, first_new_id=0, sharded=False):
        stats = sd.Stats()
        started = time.monotonic()
        queries = Generator(seed, self.data, first_new_id).queries(n)
        sd.run_queries(queries, ref, subject, contents, stats, log, sharded)
        log("%d statements in %.1f s" % (stats.run, time.monotonic() - started))
        return stats

    def test_1_comparer_sees_an_altered_row(self):
        ref = self.load_whole(self.servers[0], sd.REF_DB)
        copy = self.load_whole(self.servers[1], sd.SELF_DB)
        contents = self.whole_contents()

        log("control: the reference against an unaltered copy")
        same = self.run_comparison(ref, copy, contents, SEED, SANITY_QUERIES)
        sd.report(same, log, full=2, listed=5)
        self.assertEqual(same.wrong, 0, "identical data must compare equal")
        self.assertEqual(same.refused, 0)
        self.assertEqual(same.reference_errors, [], "every generated statement must be valid SQL")
        self.assertEqual(same.compared, same.run)
        self.assertGreaterEqual(same.run, SANITY_QUERIES)

        log("self-check: the reference against a copy with one row altered")
        order = self.alter_one_order(copy)
        ordered = sd.Query("t", "SELECT id, amount FROM orders ORDER BY id", ordered=True)
        unordered = sd.Query("t", ordered.sql)
        a, b = ref.run(ordered.sql), copy.run(ordered.sql)
        position = [row[0] for row in a.rows].index(str(order).encode())
        problems = sd.compare(ordered, a, b)
        self.assertIsNotNone(problems)
        self.assertIn("1 positions differ", problems[0])
        self.assertIn("row %d:" % position, problems[1])
        problems = sd.compare(unordered, a, b)
        self.assertIn("1 missing, 1 extra", problems[0])
        self.assertIsNone(sd.compare(unordered, a, a))

        reversed_rows = sd.Answer("rows", a.columns, list(reversed(a.rows)))
        self.assertIsNone(sd.compare(unordered, a, reversed_rows),
                          "without a fixed order, rows compare as a multiset")
        self.assertIsNotNone(sd.compare(ordered, a, reversed_rows))
        i = position
        rescaled = sd.Answer("rows", a.columns, a.rows[:i] + [(a.rows[i][0], a.rows[i][1] + b"0")] + a.rows[i + 1:])
        self.assertIsNotNone(sd.compare(unordered, a, rescaled), "1.50 and 1.500 are different answers")
        retyped = sd.Answer("rows", [a.columns[0], (a.columns[1][0], a.columns[1][1], 3)], a.rows)
        self.assertIsNotNone(sd.compare(unordered, a, retyped), "the column's decimals are compared")

        self.assertFalse(contents.same(sd.TABLES["orders"]))
        self.assertTrue(contents.same(sd.TABLES["customers"]))
        lines = contents.differences(sd.TABLES["orders"])
        self.assertIn("1 rows missing, 1 rows extra", lines[0])

        altered = self.run_comparison(ref, copy, contents, SEED + 1, SANITY_QUERIES, 100000)
        sd.report(altered, log, full=1, listed=3)
        self.assertGreater(altered.wrong, 0, "a changed amount must show in some answer")
        self.assertEqual(altered.refused, 0)

    @harness.needs_proxy
    def test_2_through_tessera(self):
        if SELF_CHECK:
            ref = self.load_whole(self.servers[0], sd.REF_DB)
            subject = self.load_whole(self.servers[1], sd.SELF_DB)
            self.alter_one_order(subject)
            contents = self.whole_contents()
            log("TESSERA_SHARDING_DIFF_SELF_CHECK=1: comparing with an altered copy, not tessera")
        else:
            if not sharding_option_known():
                self.skipTest("%s --help lists no --sharding-config: this tessera cannot shard yet"
                              % harness.tessera_binary())
            ref, subject, contents, load = self.start_sharded()
        stats = self.run_comparison(ref, subject, contents, SEED, QUERIES, sharded=not SELF_CHECK)
        sd.report(stats, log, listed=LISTED)
        failures = []
        if not SELF_CHECK and load.wrong:
            failures.append("loading the data set through tessera went wrong (listed above): " + load.line())
        for table in sd.TABLES.values():
            failures += contents.differences(table)
        if stats.reference_errors:
            failures.append("%d generated statements failed on the reference" % len(stats.reference_errors))
        if stats.wrong:
            failures.append("%d wrong answers (listed above)" % stats.wrong)
        if stats.refused >= MAX_REFUSED_SHARE * stats.compared:
            failures.append("too many refusals: %d, %.0f%% of the %d compared"
                            % (stats.refused, MAX_REFUSED_SHARE * 100, stats.compared))
        if stats.compared < MIN_COMPARED:
            failures.append("only %d statements compared, fewer than %d" % (stats.compared, MIN_COMPARED))
        if not SELF_CHECK:
            failures += self.row_changed_behind_tessera_shows(ref, subject, contents)
        self.assertEqual(failures, [], stats.line())

    def row_changed_behind_tessera_shows(self, ref, subject, contents):
        """One order changed on its shard table, not through tessera: the
        comparison of an answer through tessera must see it. Problems found."""
        orders = sd.TABLES["orders"]
        row = must(ref, "SELECT id, customer_id FROM orders WHERE amount IS NOT NULL ORDER BY id LIMIT 1 OFFSET 500").rows[0]
        order, shard = int(row[0]), orders.shard_of(row[1].decode())
        session, physical, _ = contents.places(orders)[shard]
        problems = []
        must(session, "UPDATE %s SET amount = amount + 0.01 WHERE id = %d" % (physical, order))
        try:
            query = sd.Query("check", "SELECT customer_id, SUM(amount), COUNT(*) FROM orders GROUP BY customer_id")
            if sd.compare(query, ref.run(query.sql), subject.run(query.sql)) is None:
                problems.append("order %d changed on %s, yet tessera's answer compared equal" % (order, physical))
            if contents.same(orders):
                problems.append("order %d changed on %s, yet the contents compared equal" % (order, physical))
        finally:
            must(session, "UPDATE %s SET amount = amount - 0.01 WHERE id = %d" % (physical, order))
        return problems

    def start_sharded(self):
        """tessera with the shard map in front of the shard tables, loaded through it."""
        ref = self.load_whole(self.servers[0], sd.REF_DB, rows=False)
        backends = []
        for server in self.servers:
            self.fresh_database(server, sd.SHARD_DB)
            backends.append(self.session(server, sd.SHARD_DB))
        for table in sd.TABLES.values():
            for group, physical, _ in table.places():
                must(backends[group], table.create_sql(physical))

        map_path = sharding_harness.write_shard_map(os.path.join(harness.scratch_dir(), "diff-map.lua"),
                                                    sd.map_tables())
        proxy = self.start_proxy([], ["--sharding-config=" + map_path])

        subject = sd.Session(HOST, proxy.port, USER, PASSWORD, sd.SHARD_DB).connect()
        self.addCleanup(subject.close)
        contents = sd.Contents(self.session(self.servers[0], sd.REF_DB),
                               lambda table: [(backends[g], phys, shard) for g, phys, shard in table.places()])
        started = time.monotonic()
        statements = [sd.Query("load", sql, writes=table) for sql, table in self.data.inserts()]
        load = sd.Stats()
        sd.run_queries(statements, ref, subject, contents, load, log)
        log("loaded %d rows with %d multi-row INSERTs through tessera in %.1f s"
            % (self.data.row_count(), len(statements), time.monotonic() - started))
        log("load: " + load.line())
        if load.wrong or load.refused:
            sd.report(load, log)
        self.assertEqual(load.refused, 0, "tessera refused to load the data set")
        return ref, subject, contents, load


if __name__ == "__main__":
    harness.main()
