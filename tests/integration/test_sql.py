#!/usr/bin/python3
"""DDL, DML, SELECT and transactions through tessera, with PyMySQL and MySQLdb."""

import datetime
import decimal

import pymysql

import harness


class SqlTest(harness.ProxyTestCase):
    DATABASE = "t_sql"

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def test_ddl_creates_alters_and_drops(self):
        self.cur.execute("CREATE TABLE ddl_t (id INT PRIMARY KEY, name VARCHAR(20))")
        self.cur.execute("ALTER TABLE ddl_t ADD COLUMN note TEXT, ADD INDEX by_name (name)")
        self.cur.execute("SHOW COLUMNS FROM ddl_t")
        self.assertEqual([row[0] for row in self.cur.fetchall()], ["id", "name", "note"])
        self.cur.execute("DROP TABLE ddl_t")
        self.cur.execute("SHOW TABLES LIKE 'ddl_t'")
        self.assertEqual(self.cur.fetchall(), ())

    def test_insert_update_delete_report_affected_rows(self):
        self.cur.execute("CREATE TABLE dml_t (id INT AUTO_INCREMENT PRIMARY KEY, n INT)")
        self.assertEqual(self.cur.execute("INSERT INTO dml_t (n) VALUES (1), (2), (3), (4)"), 4)
        self.assertEqual(self.cur.lastrowid, 1)
        self.assertEqual(self.cur.execute("UPDATE dml_t SET n = n * 10 WHERE n >= 3"), 2)
        self.assertEqual(self.cur.execute("DELETE FROM dml_t WHERE n = 1"), 1)
        self.cur.execute("SELECT id, n FROM dml_t ORDER BY id")
        self.assertEqual(self.cur.fetchall(), ((2, 2), (3, 30), (4, 40)))

    def test_select_returns_typed_values(self):
        self.cur.execute("SELECT 1, -2.5, 'text', NULL, CAST('2024-02-29' AS DATE), "
                         "CAST(12.345 AS DECIMAL(6,3)), X'00FF', REPEAT('ab', 5000)")
        row = self.cur.fetchone()
        self.assertEqual(row[:4], (1, decimal.Decimal("-2.5"), "text", None))
        self.assertEqual(row[4], datetime.date(2024, 2, 29))
        self.assertEqual(row[5], decimal.Decimal("12.345"))
        self.assertEqual(row[6], b"\x00\xff")
        self.assertEqual(row[7], "ab" * 5000)

    def test_utf8mb4_round_trip(self):
        self.cur.execute("CREATE TABLE utf_t (s VARCHAR(50)) CHARSET utf8mb4")
        text = "grüße, 東京, \U0001F600"
        self.cur.execute("INSERT INTO utf_t VALUES (%s)", (text,))
        self.cur.execute("SELECT s, CHAR_LENGTH(s) FROM utf_t")
        self.assertEqual(self.cur.fetchone(), (text, len(text)))

    def test_many_rows_in_order(self):
        self.cur.execute("SELECT seq, MD5(seq) FROM seq_1_to_20000")
        rows = self.cur.fetchall()
        self.assertEqual(len(rows), 20000)
        self.assertEqual(rows[-1][0], 20000)
        import hashlib
        self.assertEqual(rows[12344][1], hashlib.md5(b"12345").hexdigest())

    def test_sql_error_reaches_client(self):
        with self.assertRaises(pymysql.err.ProgrammingError) as caught:
            self.cur.execute("SELECT * FROM no_such_table")
        self.assertEqual(caught.exception.args[0], 1146)
        with self.assertRaises(pymysql.err.ProgrammingError) as caught:
            self.cur.execute("SELEC 1")
        self.assertEqual(caught.exception.args[0], 1064)
        self.cur.execute("SELECT 'still usable'")
        self.assertEqual(self.cur.fetchone(), ("still usable",))

    def test_commit_is_seen_by_another_connection(self):
        self.cur.execute("CREATE TABLE tx_commit (id INT PRIMARY KEY) ENGINE=InnoDB")
        with self.connect() as other, other.cursor() as other_cur:
            self.cur.execute("START TRANSACTION")
            self.cur.execute("INSERT INTO tx_commit VALUES (1), (2)")
            other_cur.execute("SELECT COUNT(*) FROM tx_commit")
            self.assertEqual(other_cur.fetchone(), (0,), "uncommitted rows must not show")
            other.commit()
            self.cur.execute("COMMIT")
            other_cur.execute("SELECT COUNT(*) FROM tx_commit")
            self.assertEqual(other_cur.fetchone(), (2,))

    def test_rollback_is_not_seen_by_another_connection(self):
        self.cur.execute("CREATE TABLE tx_rollback (id INT PRIMARY KEY) ENGINE=InnoDB")
        self.cur.execute("INSERT INTO tx_rollback VALUES (1)")
        self.conn.begin()
        self.cur.execute("INSERT INTO tx_rollback VALUES (2)")
        self.cur.execute("DELETE FROM tx_rollback WHERE id = 1")
        self.conn.rollback()
        with self.connect() as other, other.cursor() as other_cur:
            other_cur.execute("SELECT id FROM tx_rollback ORDER BY id")
            self.assertEqual(other_cur.fetchall(), ((1,),))

    def test_autocommit_off_keeps_changes_private_until_commit(self):
        self.cur.execute("CREATE TABLE tx_auto (id INT) ENGINE=InnoDB")
        with self.connect(autocommit=False) as writer, writer.cursor() as wcur:
            wcur.execute("INSERT INTO tx_auto VALUES (7)")
            self.cur.execute("SELECT COUNT(*) FROM tx_auto")
            self.assertEqual(self.cur.fetchone(), (0,))
            writer.commit()
        self.cur.execute("SELECT id FROM tx_auto")
        self.assertEqual(self.cur.fetchall(), ((7,),))

    def test_session_state_sticks_to_the_connection(self):
        self.cur.execute("SET @marker = 'mine'")
        self.cur.execute("SET SESSION sql_mode = 'ANSI_QUOTES'")
        self.cur.execute("SELECT @marker, @@SESSION.sql_mode")
        self.assertEqual(self.cur.fetchone(), ("mine", "ANSI_QUOTES"))
        self.cur.execute("USE mysql")
        self.cur.execute("SELECT DATABASE()")
        self.assertEqual(self.cur.fetchone(), ("mysql",))

    def test_init_db_command(self):
        self.conn.select_db("information_schema")
        self.cur.execute("SELECT DATABASE()")
        self.assertEqual(self.cur.fetchone(), ("information_schema",))

    def test_ping(self):
        self.conn.ping(reconnect=False)
        self.cur.execute("SELECT 1")
        self.assertEqual(self.cur.fetchone(), (1,))

    def test_mysqldb_dml_and_select(self):
        import MySQLdb
        conn = harness.mysqldb_connect(self.port, database=self.DATABASE)
        try:
            cur = conn.cursor()
            cur.execute("CREATE TABLE mdb_t (id INT PRIMARY KEY, v VARCHAR(10))")
            cur.executemany("INSERT INTO mdb_t VALUES (%s, %s)", [(1, "a"), (2, "b"), (3, None)])
            conn.commit()
            cur.execute("SELECT id, v FROM mdb_t ORDER BY id")
            self.assertEqual(cur.fetchall(), ((1, "a"), (2, "b"), (3, None)))
            with self.assertRaises(MySQLdb.OperationalError) as caught:
                cur.execute("SELECT nope FROM mdb_t")
            self.assertEqual(caught.exception.args[0], 1054)
        finally:
            conn.close()


if __name__ == "__main__":
    harness.main()
