#!/usr/bin/python3
"""Reads on replicas under sharding: one group whose primary is the first
fixture server and whose replica is the second. The servers hold different
rows in the same table (no replication between them), so each answer tells
where it was read."""

import harness
import sharding_harness

DB = "t_shreplica"


class ShardingReplicaTest(sharding_harness.ShardedProxyTestCase):
    DATABASE = DB
    BACKEND_TABLES = [("t", "(id INT PRIMARY KEY, v VARCHAR(20))")]

    @classmethod
    def shard_map(cls):
        servers = harness.backends()
        return sharding_harness.shard_map_lua({}, groups={"g1": (servers[0].address, (servers[1].address,))})

    def setUp(self):
        for server, where in zip(self.backends, ("primary", "replica")):
            self.direct_many(server, ["DELETE FROM t", "INSERT INTO t VALUES (1, '%s')" % where])

    def read(self, cur, sql="SELECT v FROM t WHERE id = 1"):
        cur.execute(sql)
        return cur.fetchone()[0]

    def test_reads_go_to_the_replica(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(self.read(cur), "replica")
            self.assertEqual(self.read(cur, "SELECT v FROM t"), "replica")

    def test_locking_reads_and_transactions_stay_on_the_primary(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(self.read(cur, "SELECT v FROM t WHERE id = 1 FOR UPDATE"), "primary")
            cur.execute("BEGIN")
            self.assertEqual(self.read(cur), "primary")
            cur.execute("COMMIT")
            self.assertEqual(self.read(cur), "replica")

    def test_a_session_reads_its_own_writes(self):
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(self.read(cur), "replica")
            self.assertEqual(cur.execute("UPDATE t SET v = 'written' WHERE id = 1"), 1)
            self.assertEqual(self.read(cur), "written")
        self.assertEqual(self.direct(self.backends[0], "SELECT v FROM t"), (("written",),))
        self.assertEqual(self.direct(self.backends[1], "SELECT v FROM t"), (("replica",),))
        with self.connect() as conn, conn.cursor() as cur:
            self.assertEqual(self.read(cur), "replica")  # another session has written nothing

    def test_session_state_reaches_the_replica(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SET @x = 41")
            self.assertEqual(self.read(cur, "SELECT CONCAT(v, @x + 1) FROM t"), "replica42")

    def test_warnings_come_from_where_the_read_ran(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT CAST('1x' AS SIGNED) FROM t")
            cur.execute("SHOW WARNINGS")
            rows = cur.fetchall()
            self.assertEqual(len(rows), 1, rows)
            self.assertIn("Truncated", rows[0][2])


if __name__ == "__main__":
    harness.main()
