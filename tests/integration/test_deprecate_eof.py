#!/usr/bin/python3
"""Clients that negotiate CLIENT_DEPRECATE_EOF: result sets end with an OK packet.

With it, there is no EOF after column definitions and the rows end with an OK
packet whose header is 0xfe; a proxy that follows responses must know both
shapes, or it loses track of where one answer ends."""

import harness
import mysql_raw
from mysql_raw import CLIENT_DEPRECATE_EOF, DEFAULT_CAPABILITIES, SERVER_MORE_RESULTS_EXISTS


class DeprecateEofTest(harness.ProxyTestCase):
    DATABASE = "t_deprecate_eof"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE words (id INT PRIMARY KEY, w VARCHAR(20))")
            cur.execute("INSERT INTO words VALUES (1, 'alpha'), (2, 'beta'), (3, 'gamma')")
            cur.execute("CREATE PROCEDURE two_sets() BEGIN SELECT w FROM words WHERE id = 1; "
                        "SELECT COUNT(*) FROM words; END")

    def setUp(self):
        self.conn = mysql_raw.Connection(harness.HOST, self.port)
        self.conn.login(harness.USER, harness.PASSWORD, self.DATABASE,
                        capabilities=DEFAULT_CAPABILITIES | CLIENT_DEPRECATE_EOF)
        if not self.conn.deprecate_eof:
            self.skipTest("the server side did not offer CLIENT_DEPRECATE_EOF")

    def tearDown(self):
        self.conn.close()

    def test_result_set_ends_with_ok(self):
        result = self.conn.query("SELECT id, w FROM words ORDER BY id")[0]
        self.assertEqual([c.name for c in result.columns], ["id", "w"])
        self.assertEqual(result.rows, [(b"1", b"alpha"), (b"2", b"beta"), (b"3", b"gamma")])

    def test_empty_result_set(self):
        result = self.conn.query("SELECT id FROM words WHERE id > 100")[0]
        self.assertEqual(result.rows, [])
        self.assertEqual(self.conn.query("SELECT 'in step'")[0].rows, [(b"in step",)])

    def test_multi_statements(self):
        results = self.conn.query("SELECT 1; SELECT w FROM words WHERE id = 2; DO 0; SELECT 3")
        self.assertEqual([r.rows for r in results], [[(b"1",)], [(b"beta",)], None, [(b"3",)]])
        self.assertTrue(results[0].status & SERVER_MORE_RESULTS_EXISTS)
        self.assertFalse(results[-1].status & SERVER_MORE_RESULTS_EXISTS)

    def test_call_with_two_result_sets(self):
        results = self.conn.query("CALL two_sets()")
        self.assertEqual([r.rows for r in results], [[(b"alpha",)], [(b"3",)], None])

    def test_prepared_statement(self):
        stmt = self.conn.stmt_prepare("SELECT id, w FROM words WHERE id >= ? ORDER BY id")
        self.assertEqual(len(stmt.params), 1)
        self.assertEqual(self.conn.stmt_execute(stmt, (2,)).rows, [(2, b"beta"), (3, b"gamma")])
        self.assertEqual(self.conn.stmt_execute(stmt, (9,)).rows, [])
        self.conn.stmt_close(stmt)
        self.assertEqual(self.conn.query("SELECT 'in step'")[0].rows, [(b"in step",)])

    def test_many_commands_in_a_row_stay_in_step(self):
        for i in range(300):
            self.assertEqual(self.conn.query("SELECT %d" % i)[0].rows, [(b"%d" % i,)])


if __name__ == "__main__":
    harness.main()
