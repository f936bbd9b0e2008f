#!/usr/bin/python3
"""Server-side prepared statements through tessera, spoken on a raw socket.

COM_STMT_PREPARE, EXECUTE (binary protocol), SEND_LONG_DATA, RESET, FETCH from a
read-only cursor and CLOSE: the commands with no answer (SEND_LONG_DATA, CLOSE)
must not make the proxy wait for one, and FETCH must reach the right statement."""

import harness
import mysql_raw
from mysql_raw import CURSOR_TYPE_READ_ONLY, SERVER_STATUS_CURSOR_EXISTS, SERVER_STATUS_LAST_ROW_SENT

ROWS = 250


class PreparedRawTest(harness.ProxyTestCase):
    DATABASE = "t_prepared"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE nums (id INT PRIMARY KEY, name VARCHAR(32), doc BLOB)")
            cur.execute("INSERT INTO nums (id, name) SELECT seq, CONCAT('n', seq) FROM seq_1_to_%d"
                        % ROWS)

    def setUp(self):
        self.conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD,
                                      self.DATABASE)

    def tearDown(self):
        self.conn.close()

    def test_prepare_describes_params_and_columns(self):
        stmt = self.conn.stmt_prepare("SELECT id, name FROM nums WHERE id BETWEEN ? AND ?")
        self.assertEqual(len(stmt.params), 2)
        self.assertEqual([c.name for c in stmt.columns], ["id", "name"])
        self.conn.stmt_close(stmt)

    def test_execute_binds_and_returns_binary_rows(self):
        stmt = self.conn.stmt_prepare("SELECT id, name, ? + 1 FROM nums WHERE id IN (?, ?) ORDER BY id")
        result = self.conn.stmt_execute(stmt, (41, 7, 9))
        self.assertEqual(result.rows, [(7, b"n7", 42), (9, b"n9", 42)])
        result = self.conn.stmt_execute(stmt, (0, 1, 250))
        self.assertEqual(result.rows, [(1, b"n1", 1), (250, b"n250", 1)])
        self.conn.stmt_close(stmt)

    def test_execute_with_null_parameter(self):
        stmt = self.conn.stmt_prepare("SELECT ? IS NULL, COALESCE(?, 'fallback')")
        result = self.conn.stmt_execute(stmt, (None, None))
        self.assertEqual(result.rows, [(1, b"fallback")])
        self.conn.stmt_close(stmt)

    def test_insert_update_delete_prepared(self):
        self.conn.query("CREATE TEMPORARY TABLE scratch (id INT PRIMARY KEY, v VARCHAR(10))")
        insert = self.conn.stmt_prepare("INSERT INTO scratch VALUES (?, ?)")
        for i in range(1, 21):
            self.assertEqual(self.conn.stmt_execute(insert, (i, "v%d" % i)).affected_rows, 1)
        update = self.conn.stmt_prepare("UPDATE scratch SET v = ? WHERE id > ?")
        self.assertEqual(self.conn.stmt_execute(update, ("big", 15)).affected_rows, 5)
        for stmt in (insert, update):
            self.conn.stmt_close(stmt)
        rows = self.conn.query("SELECT COUNT(*), SUM(v = 'big') FROM scratch")[0].rows
        self.assertEqual(rows, [(b"20", b"5")])

    def test_send_long_data_then_execute(self):
        self.conn.query("CREATE TEMPORARY TABLE docs (id INT, doc LONGBLOB)")
        stmt = self.conn.stmt_prepare("INSERT INTO docs VALUES (?, ?)")
        chunks = [bytes([65 + i]) * 100000 for i in range(5)]
        for chunk in chunks:
            self.conn.stmt_send_long_data(stmt, 1, chunk)
        result = self.conn.stmt_execute(stmt, (1, None), long_data_params=(1,))
        self.assertEqual(result.affected_rows, 1)
        self.conn.stmt_close(stmt)
        rows = self.conn.query("SELECT LENGTH(doc), MD5(doc) FROM docs WHERE id = 1")[0].rows
        import hashlib
        whole = b"".join(chunks)
        self.assertEqual(rows, [(b"%d" % len(whole), hashlib.md5(whole).hexdigest().encode())])

    def test_reset_discards_long_data(self):
        self.conn.query("CREATE TEMPORARY TABLE resets (doc BLOB)")
        stmt = self.conn.stmt_prepare("INSERT INTO resets VALUES (?)")
        self.conn.stmt_send_long_data(stmt, 0, b"discard me")
        self.conn.stmt_reset(stmt)
        self.conn.stmt_execute(stmt, (b"kept",))
        self.conn.stmt_close(stmt)
        self.assertEqual(self.conn.query("SELECT doc FROM resets")[0].rows, [(b"kept",)])

    def test_cursor_fetch_in_batches(self):
        stmt = self.conn.stmt_prepare("SELECT id, name FROM nums WHERE id > ? ORDER BY id")
        opened = self.conn.stmt_execute(stmt, (0,), cursor=CURSOR_TYPE_READ_ONLY)
        self.assertTrue(opened.status & SERVER_STATUS_CURSOR_EXISTS, "a cursor must be open")
        self.assertEqual(opened.rows, [])
        fetched = []
        status = 0
        batches = 0
        while not status & SERVER_STATUS_LAST_ROW_SENT:
            rows, status = self.conn.stmt_fetch(stmt, 40)
            self.assertLessEqual(len(rows), 40)
            fetched += rows
            batches += 1
        self.assertEqual(fetched, [(i, b"n%d" % i) for i in range(1, ROWS + 1)])
        self.assertEqual(batches, (ROWS + 39) // 40)
        self.conn.stmt_close(stmt)

    def test_two_cursors_interleaved(self):
        low = self.conn.stmt_prepare("SELECT id FROM nums WHERE id <= ? ORDER BY id")
        high = self.conn.stmt_prepare("SELECT id FROM nums WHERE id > ? ORDER BY id DESC")
        self.conn.stmt_execute(low, (10,), cursor=CURSOR_TYPE_READ_ONLY)
        self.conn.stmt_execute(high, (240,), cursor=CURSOR_TYPE_READ_ONLY)
        low_rows, _ = self.conn.stmt_fetch(low, 3)
        high_rows, _ = self.conn.stmt_fetch(high, 3)
        self.assertEqual(low_rows, [(1,), (2,), (3,)])
        self.assertEqual(high_rows, [(250,), (249,), (248,)])
        self.conn.stmt_close(low)
        self.conn.stmt_close(high)

    def test_execute_unknown_statement_gets_error(self):
        stmt = self.conn.stmt_prepare("SELECT 1")
        self.conn.stmt_close(stmt)
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.stmt_execute(stmt)
        self.assertEqual(caught.exception.code, 1243)  # ER_UNKNOWN_STMT_HANDLER
        self.assertEqual(self.conn.ping().affected_rows, 0)

    def test_prepare_syntax_error(self):
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.stmt_prepare("SELEKT ?")
        self.assertEqual(caught.exception.code, 1064)
        self.assertEqual(self.conn.query("SELECT 5")[0].rows, [(b"5",)])

    def test_many_statements_prepared_and_closed(self):
        for i in range(200):
            stmt = self.conn.stmt_prepare("SELECT ? * 2")
            self.assertEqual(self.conn.stmt_execute(stmt, (i,)).rows, [(2 * i,)])
            self.conn.stmt_close(stmt)
        rows = self.conn.query("SHOW SESSION STATUS LIKE 'Com_stmt_close'")[0].rows
        self.assertGreaterEqual(int(rows[0][1]), 200)


if __name__ == "__main__":
    harness.main()
