#!/usr/bin/python3
"""Malformed, truncated and oversized packets from a raw socket, before and after login.

Each must get a clean ERR packet or a close (never a hang, never an OK), any
ERR must carry a server-side error code (not 2000-2999 or 5000-5999, which are
client-library codes), and tessera must go on serving other clients."""

import os
import socket
import struct

import harness
import mysql_raw

ANSWER_TIMEOUT = 10.0


def frame_header(length, seq):
    """A frame header claiming length bytes (whatever actually follows)."""
    return struct.pack("<I", length)[:3] + bytes([seq])


class MalformedPacketsTest(harness.ProxyTestCase):

    def raw(self):
        return mysql_raw.Connection(harness.HOST, self.port, timeout=ANSWER_TIMEOUT)

    def logged_in(self):
        return mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD,
                                 timeout=ANSWER_TIMEOUT)

    def assert_err_or_close(self, conn):
        """The next thing conn gets is an ERR packet or the end of the stream."""
        try:
            payload = conn.read_packet()
        except (mysql_raw.ProtocolError, ConnectionResetError, BrokenPipeError):
            return "closed"
        except socket.timeout:
            self.fail("no answer within %.0f s: the connection hangs" % ANSWER_TIMEOUT)
        return self.assert_err(payload)

    def assert_err(self, payload):
        """payload is an ERR packet with a code clients do not reserve and a message."""
        self.assertEqual(payload[:1], b"\xff", "expected ERR or close, got %r" % payload[:32])
        error = mysql_raw.parse_err(payload)
        self.assertFalse(harness.is_client_library_code(error.code),
                         "ERR code %d is a client-library code" % error.code)
        self.assertTrue(error.message, "an ERR packet needs a message")
        return error

    def send_ignoring_close(self, conn, data):
        """Send data; the peer may close before taking all of it."""
        try:
            conn.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def tearDown(self):
        self.assert_proxy_serves()

    # --- before login ---------------------------------------------------

    def test_garbage_handshake_response(self):
        conn = self.raw()
        conn.read_handshake()
        conn.write_frame(os.urandom(200), seq=1)
        try:
            payload = conn.read_packet()
        except (mysql_raw.ProtocolError, ConnectionResetError, BrokenPipeError):
            payload = None
        if payload and payload[:1] == b"\xfe":
            # Random bytes can read as a login whose plugin the server asks to switch:
            # its request is relayed; garbage as the answer must then end the login.
            conn.write_frame(os.urandom(20), seq=3)
            self.assert_err_or_close(conn)
        elif payload is not None:
            self.assert_err(payload)
        conn.close()

    def test_zero_length_handshake_response(self):
        conn = self.raw()
        conn.read_handshake()
        conn.write_frame(b"", seq=1)
        self.assert_err_or_close(conn)
        conn.close()

    def test_handshake_response_cut_short(self):
        conn = self.raw()
        conn.read_handshake()
        # Capabilities and max packet size, then nothing: the user name is missing.
        conn.write_frame(struct.pack("<II", mysql_raw.DEFAULT_CAPABILITIES, 1 << 24), seq=1)
        self.assert_err_or_close(conn)
        conn.close()

    def test_16mib_header_few_bytes_then_close_before_login(self):
        conn = self.raw()
        conn.read_handshake()
        conn.send_raw(frame_header(0xffffff, 1) + b"\x00" * 10)
        conn.close()

    def test_truncated_frame_then_close_before_login(self):
        conn = self.raw()
        conn.read_handshake()
        conn.send_raw(frame_header(300, 1) + os.urandom(40))
        conn.close()

    def test_close_without_a_word(self):
        for _ in range(20):
            self.raw().close()

    def test_close_after_greeting(self):
        for _ in range(20):
            conn = self.raw()
            conn.read_handshake()
            conn.close()

    # --- after login ----------------------------------------------------

    def test_unknown_command_byte(self):
        conn = self.logged_in()
        conn.command(0xee, b"whatever")
        result = self.assert_err_or_close(conn)
        if result != "closed":
            self.assertEqual(conn.query("SELECT 1")[0].rows, [(b"1",)])
        conn.close()

    def test_zero_length_command_packet(self):
        conn = self.logged_in()
        conn.write_frame(b"", seq=0)
        self.assert_err_or_close(conn)
        conn.close()

    def test_packet_far_over_max_allowed_packet(self):
        conn = self.logged_in()
        conn.seq = 0
        query = b"\x03SELECT '" + b"y" * (40 << 20) + b"'"
        try:
            conn.write_packet(query)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assert_err_or_close(conn)
        conn.close()

    def test_16mib_header_few_bytes_then_close_after_login(self):
        conn = self.logged_in()
        self.send_ignoring_close(conn, frame_header(0xffffff, 0) + b"\x03SELECT 1")
        conn.close()

    def test_truncated_query_then_close(self):
        conn = self.logged_in()
        self.send_ignoring_close(conn, frame_header(1000, 0) + b"\x03SELECT ")
        conn.close()

    def test_out_of_order_sequence_id(self):
        conn = self.logged_in()
        conn.write_frame(b"\x03SELECT 1", seq=7)
        result = self.assert_err_or_close(conn)
        if result != "closed":
            self.assertEqual(result.code, 1156)  # ER_NET_PACKETS_OUT_OF_ORDER
        conn.close()

    def test_stmt_execute_of_unknown_statement_with_garbage(self):
        conn = self.logged_in()
        conn.command(mysql_raw.COM_STMT_EXECUTE, struct.pack("<IBI", 0x7fffffff, 0, 1) + os.urandom(30))
        self.assert_err_or_close(conn)
        conn.close()

    def test_truncated_stmt_fetch(self):
        conn = self.logged_in()
        conn.command(mysql_raw.COM_STMT_FETCH, b"\x01")
        self.assert_err_or_close(conn)
        conn.close()

    def test_garbage_after_login_then_others_unaffected(self):
        bystander = self.logged_in()
        conn = self.logged_in()
        self.send_ignoring_close(conn, os.urandom(5000))
        conn.close()
        self.assertEqual(bystander.query("SELECT 'unaffected'")[0].rows, [(b"unaffected",)])
        bystander.close()


if __name__ == "__main__":
    harness.main()
