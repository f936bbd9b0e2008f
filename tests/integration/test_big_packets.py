#!/usr/bin/python3
"""Packets of 16 MiB and more, which the protocol splits into 0xffffff-byte frames.

A payload of exactly 0xffffff bytes is followed by an empty frame; larger ones
by more frames with consecutive sequence ids. Requests and result rows of
those sizes must cross tessera byte for byte. The backend here has
max_allowed_packet = 64M so that the server accepts them."""

import hashlib

import harness
import mariadb_fixture
import mysql_raw

MAX_FRAME = 0xffffff
MIB = 1 << 20


def query_of_payload_size(size):
    """A COM_QUERY payload of exactly size bytes: SELECT LENGTH('aaa...')."""
    head, tail = b"\x03SELECT LENGTH('", b"')"
    return head + b"a" * (size - len(head) - len(tail)) + tail, size - len(head) - len(tail)


class BigPacketsTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = mariadb_fixture.start_server(harness.scratch_dir(), "big-packets",
                                                  ["--max-allowed-packet=64M"])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        self.start_proxy([self.server.address])
        self.conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD,
                                      "tessera_test", timeout=30)

    def tearDown(self):
        self.conn.close()

    def send_query_payload(self, payload):
        self.conn.seq = 0
        self.conn.write_packet(payload)
        return self.conn.read_results(self.conn.read_text_row)

    def test_query_of_exactly_one_full_frame(self):
        payload, literal = query_of_payload_size(MAX_FRAME)
        results = self.send_query_payload(payload)
        self.assertEqual(results[0].rows, [(b"%d" % literal,)])
        self.assertEqual(self.conn.query("SELECT 'next'")[0].rows, [(b"next",)])

    def test_query_one_byte_short_of_a_full_frame(self):
        payload, literal = query_of_payload_size(MAX_FRAME - 1)
        self.assertEqual(self.send_query_payload(payload)[0].rows, [(b"%d" % literal,)])

    def test_insert_of_half_a_mib(self):
        self.conn.query("CREATE TEMPORARY TABLE bulk (id INT, v VARCHAR(100))")
        values = ",".join("(%d, '%s')" % (i, "v" * 90) for i in range(5000))
        result = self.conn.query("INSERT INTO bulk VALUES " + values)[0]
        self.assertEqual(result.affected_rows, 5000)

    def test_query_of_40_mib(self):
        payload, literal = query_of_payload_size(40 * MIB)
        self.assertEqual(self.send_query_payload(payload)[0].rows, [(b"%d" % literal,)])
        self.assertEqual(self.conn.query("SELECT 'next'")[0].rows, [(b"next",)])

    def assert_row_of(self, length):
        rows = self.conn.query("SELECT REPEAT('r', %d), 'after'" % length)[0].rows
        self.assertEqual(len(rows), 1)
        self.assertEqual(len(rows[0][0]), length)
        self.assertEqual(rows[0][0], b"r" * length)
        self.assertEqual(rows[0][1], b"after")

    def test_row_of_exactly_one_full_frame(self):
        # lenenc header of 4 bytes + text + lenenc 'after' (6 bytes) = 0xffffff
        self.assert_row_of(MAX_FRAME - 4 - 6)
        self.assertEqual(self.conn.query("SELECT 'next'")[0].rows, [(b"next",)])

    def test_rows_around_the_frame_boundary(self):
        for length in (MAX_FRAME - 11, MAX_FRAME - 9, MAX_FRAME, MAX_FRAME + 1):
            self.assert_row_of(length)

    def test_row_of_50_mib(self):
        self.assert_row_of(50 * MIB)

    def test_blob_round_trip_with_pymysql(self):
        blob = hashlib.sha256(b"seed").digest() * (20 * MIB // 32)
        with harness.pymysql_connect(self.port, database="tessera_test", autocommit=True,
                                     read_timeout=120) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS blobs (id INT PRIMARY KEY, b LONGBLOB)")
            cur.execute("REPLACE INTO blobs VALUES (1, %s)", (blob,))
            cur.execute("SELECT b, MD5(b) FROM blobs WHERE id = 1")
            back, digest = cur.fetchone()
        self.assertEqual(digest, hashlib.md5(blob).hexdigest())
        self.assertEqual(back, blob)

    def test_prepared_statement_long_data_of_20_mib(self):
        self.conn.query("CREATE TEMPORARY TABLE long_docs (doc LONGBLOB)")
        stmt = self.conn.stmt_prepare("INSERT INTO long_docs VALUES (?)")
        piece = b"0123456789abcdef" * (MIB // 16)
        for _ in range(20):
            self.conn.stmt_send_long_data(stmt, 0, piece)
        self.conn.stmt_execute(stmt, (None,), long_data_params=(0,))
        self.conn.stmt_close(stmt)
        rows = self.conn.query("SELECT LENGTH(doc), MD5(doc) FROM long_docs")[0].rows
        self.assertEqual(rows, [(b"%d" % (20 * MIB), hashlib.md5(piece * 20).hexdigest().encode())])

    def test_over_the_servers_limit_still_gets_an_answer(self):
        payload, _ = query_of_payload_size(70 * MIB)
        try:
            self.conn.seq = 0
            self.conn.write_packet(payload)
            self.conn.read_results(self.conn.read_text_row)
            self.fail("a 70 MiB packet passed a 64M max_allowed_packet")
        except mysql_raw.ServerError as e:
            self.assertEqual(e.code, 1153)  # ER_NET_PACKET_TOO_LARGE
        except (mysql_raw.ProtocolError, ConnectionResetError, BrokenPipeError):
            pass  # the server closes the connection after its ERR
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))


if __name__ == "__main__":
    harness.main()
