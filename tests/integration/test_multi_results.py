#!/usr/bin/python3
"""Several results for one command: multi-statements and CALL of a procedure."""

import pymysql
from pymysql.constants import CLIENT

import harness


class MultiResultsTest(harness.ProxyTestCase):
    DATABASE = "t_multi"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))")
            cur.execute("INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three')")
            cur.execute("""CREATE PROCEDURE three_results(IN lim INT)
                BEGIN
                  SELECT COUNT(*) AS n FROM items;
                  SELECT id, name FROM items WHERE id <= lim ORDER BY id;
                  SELECT 'done' AS status, lim * 2 AS doubled;
                END""")
            cur.execute("CREATE TABLE calls (n INT)")
            cur.execute("""CREATE PROCEDURE no_result()
                BEGIN
                  INSERT INTO calls VALUES (1);
                END""")

    def multi_connect(self):
        return self.connect(client_flag=CLIENT.MULTI_STATEMENTS, autocommit=True)

    def all_result_sets(self, cur):
        sets = [cur.fetchall()]
        while cur.nextset():
            sets.append(cur.fetchall())
        return sets

    def test_multi_statement_query_returns_every_result(self):
        with self.multi_connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1; SELECT 'a', 'b'; SELECT name FROM items ORDER BY id")
            self.assertEqual(self.all_result_sets(cur),
                             [((1,),), (("a", "b"),), (("one",), ("two",), ("three",))])

    def test_multi_statement_mixing_writes_and_reads(self):
        with self.multi_connect() as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMPORARY TABLE tmp (x INT); INSERT INTO tmp VALUES (5), (6); "
                        "SELECT SUM(x) FROM tmp; DROP TEMPORARY TABLE tmp")
            sets = self.all_result_sets(cur)
            self.assertEqual(len(sets), 4)
            self.assertEqual(sets[2], ((11,),))
            cur.execute("SELECT 'next query works'")
            self.assertEqual(cur.fetchone(), ("next query works",))

    def test_error_in_the_middle_stops_the_batch(self):
        with self.multi_connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT 1; SELECT * FROM missing_table; SELECT 3")
            self.assertEqual(cur.fetchall(), ((1,),))
            with self.assertRaises(pymysql.err.ProgrammingError) as caught:
                cur.nextset()
            self.assertEqual(caught.exception.args[0], 1146)
            cur.execute("SELECT 4")
            self.assertEqual(cur.fetchone(), (4,))

    def test_mysqldb_multi_statements(self):
        from MySQLdb.constants import CLIENT as MCLIENT
        conn = harness.mysqldb_connect(self.port, database=self.DATABASE,
                                       client_flag=MCLIENT.MULTI_STATEMENTS)
        try:
            cur = conn.cursor()
            cur.execute("SELECT 10; SELECT 20, 30")
            self.assertEqual(cur.fetchall(), ((10,),))
            self.assertTrue(cur.nextset())
            self.assertEqual(cur.fetchall(), ((20, 30),))
            self.assertFalse(cur.nextset())
        finally:
            conn.close()

    def test_call_returns_several_result_sets(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("CALL three_results(2)")
            sets = self.all_result_sets(cur)
        # Three result sets, then the empty OK that ends every CALL.
        self.assertEqual(sets, [((3,),), ((1, "one"), (2, "two")), (("done", 4),), ()])

    def test_call_twice_on_one_connection(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            for lim in (1, 3):
                cur.execute("CALL three_results(%s)", (lim,))
                sets = self.all_result_sets(cur)
                self.assertEqual(len(sets[1]), lim)
            cur.execute("SELECT 'after calls'")
            self.assertEqual(cur.fetchone(), ("after calls",))

    def test_call_without_result_set(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("CALL no_result()")
            cur.execute("CALL no_result()")
            cur.execute("SELECT COUNT(*) FROM calls")
            self.assertEqual(cur.fetchone(), (2,))

    def test_call_through_cli(self):
        out = harness.mariadb_cli(self.port, "-N", "-B", self.DATABASE, "-e", "CALL three_results(1)")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "3\n1\tone\ndone\t2\n")


if __name__ == "__main__":
    harness.main()
