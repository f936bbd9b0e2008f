#!/usr/bin/python3
"""The less common commands, whose answers have shapes of their own, relayed intact.

COM_FIELD_LIST answers with column definitions and no column count,
COM_STATISTICS with a bare string, COM_QUIT with nothing; COM_SET_OPTION,
COM_RESET_CONNECTION and COM_INIT_DB with OK/EOF/ERR. After each, the same
connection must still answer a query correctly."""

import threading
import time

import harness
import mysql_raw

COM_FIELD_LIST = 0x04
COM_STATISTICS = 0x09
COM_SET_OPTION = 0x1b
COM_RESET_CONNECTION = 0x1f
MYSQL_OPTION_MULTI_STATEMENTS_OFF = 1
MYSQL_OPTION_MULTI_STATEMENTS_ON = 0


class ProtocolCommandsTest(harness.ProxyTestCase):
    DATABASE = "t_commands"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE fl (id INT PRIMARY KEY, label VARCHAR(10), body BLOB)")

    def setUp(self):
        self.conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD,
                                      self.DATABASE)

    def tearDown(self):
        self.conn.close()

    def assert_still_answers(self):
        self.assertEqual(self.conn.query("SELECT 'still here'")[0].rows, [(b"still here",)])

    def test_field_list(self):
        self.conn.command(COM_FIELD_LIST, b"fl\0")
        names = []
        while True:
            payload = self.conn.read_packet()
            if payload[0] == 0xfe and len(payload) < 9:
                break
            self.assertNotEqual(payload[0], 0xff, "COM_FIELD_LIST failed: %r" % payload)
            names.append(mysql_raw.Column(payload).name)
        self.assertEqual(names, ["id", "label", "body"])
        self.assert_still_answers()

    def test_field_list_of_missing_table(self):
        self.conn.command(COM_FIELD_LIST, b"no_such_table\0")
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.read_ok_or_err()
        self.assertEqual(caught.exception.code, 1146)
        self.assert_still_answers()

    def test_statistics(self):
        for _ in range(3):
            self.conn.command(COM_STATISTICS)
            text = self.conn.read_packet().decode()
            self.assertTrue(text.startswith("Uptime: "), text)
            self.assertIn("Queries per second avg", text)
        self.assert_still_answers()

    def test_set_option_turns_multi_statements_off_and_on(self):
        self.conn.command(COM_SET_OPTION, MYSQL_OPTION_MULTI_STATEMENTS_OFF.to_bytes(2, "little"))
        self.assertEqual(self.conn.read_packet()[0], 0xfe)  # EOF, as the server sends
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.query("SELECT 1; SELECT 2")
        self.assertEqual(caught.exception.code, 1064)
        self.conn.command(COM_SET_OPTION, MYSQL_OPTION_MULTI_STATEMENTS_ON.to_bytes(2, "little"))
        self.assertEqual(self.conn.read_packet()[0], 0xfe)
        self.assertEqual([r.rows for r in self.conn.query("SELECT 1; SELECT 2")],
                         [[(b"1",)], [(b"2",)]])

    def test_reset_connection_clears_session_state(self):
        self.conn.query("SET @kept = 'x'")
        self.conn.query("CREATE TEMPORARY TABLE tmp_reset (a INT)")
        self.conn.command(COM_RESET_CONNECTION)
        self.conn.read_ok_or_err()
        self.assertEqual(self.conn.query("SELECT @kept")[0].rows, [(None,)])
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.query("SELECT * FROM tmp_reset")
        self.assertEqual(caught.exception.code, 1146)

    def test_init_db_to_unknown_database(self):
        self.conn.command(mysql_raw.COM_INIT_DB, b"no_such_db")
        with self.assertRaises(mysql_raw.ServerError) as caught:
            self.conn.read_ok_or_err()
        self.assertEqual(caught.exception.code, 1049)
        self.assertEqual(self.conn.query("SELECT DATABASE()")[0].rows, [(self.DATABASE.encode(),)])

    def test_quit_closes_the_connection(self):
        self.conn.command(mysql_raw.COM_QUIT)
        self.conn.sock.settimeout(5)
        self.assertEqual(self.conn.sock.recv(100), b"", "COM_QUIT must end in a close")

    def test_pipelined_commands_answered_in_order(self):
        queries = [b"SELECT %d, REPEAT('p', %d)" % (i, i * 37) for i in range(100)]
        self.conn.send_raw(b"".join(mysql_raw.frame(bytes([mysql_raw.COM_QUERY]) + q, 0)
                                    for q in queries))
        for i in range(100):
            result = self.conn.read_results(self.conn.read_text_row)[0]
            self.assertEqual(result.rows, [(b"%d" % i, b"p" * (i * 37))])
        self.assert_still_answers()

    def test_kill_query_from_another_connection(self):
        conn_id = int(self.conn.query("SELECT CONNECTION_ID()")[0].rows[0][0])
        answer = {}

        def sleeper():
            try:
                answer["rows"] = self.conn.query("SELECT SLEEP(30)")[0].rows
            except mysql_raw.ServerError as e:
                answer["error"] = e.code

        thread = threading.Thread(target=sleeper)
        started = time.monotonic()
        thread.start()
        time.sleep(1)
        with harness.pymysql_connect(self.port) as killer, killer.cursor() as cur:
            cur.execute("KILL QUERY %d" % conn_id)
        thread.join(15)
        self.assertFalse(thread.is_alive(), "KILL QUERY did not reach the backend session")
        # MariaDB ends the result with ER_QUERY_INTERRUPTED in place of the row.
        self.assertEqual(answer, {"error": 1317})
        self.assertLess(time.monotonic() - started, 15)
        self.assert_still_answers()


if __name__ == "__main__":
    harness.main()
