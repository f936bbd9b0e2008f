#!/usr/bin/python3
"""Backends that cannot be reached: the client gets a clear ERR packet, quickly.

A closed port refuses at once; a backend whose accept queue is full never
answers the TCP handshake, so only --proxy-connect-timeout ends the wait."""

import socket
import time

import pymysql

import harness
import mysql_raw

CONNECT_TIMEOUT = 2
MARGIN = 3.0


class SilentBackend:
    """A loopback port whose listen queue is full: connecting to it hangs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind((harness.HOST, 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.filler = socket.create_connection((harness.HOST, self.port))

    @property
    def address(self):
        return "%s:%d" % (harness.HOST, self.port)

    def close(self):
        self.filler.close()
        self.listener.close()


@harness.needs_proxy
class UnreachableBackendTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def first_packet(self):
        """Connect raw; return (payload of the first packet, seconds it took)."""
        started = time.monotonic()
        conn = mysql_raw.Connection(harness.HOST, self.port, timeout=CONNECT_TIMEOUT + 10)
        try:
            return conn.read_packet(), time.monotonic() - started
        finally:
            conn.close()

    def assert_clear_err(self, payload):
        self.assertEqual(payload[:1], b"\xff", "expected an ERR packet, got %r" % payload[:32])
        error = mysql_raw.parse_err(payload)
        self.assertFalse(harness.is_client_library_code(error.code),
                         "ERR code %d is a client-library code" % error.code)
        self.assertGreater(len(error.message), 10, "the message must say what went wrong")
        return error

    def assert_served(self):
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("SELECT @@port")
            self.assertEqual(cur.fetchone(), (harness.backends()[0].port,))

    def test_closed_port_gives_err_packet_quickly(self):
        self.start_proxy(["127.0.0.1:%d" % harness.closed_port()],
                         ["--proxy-connect-timeout=%d" % CONNECT_TIMEOUT])
        payload, took = self.first_packet()
        self.assert_clear_err(payload)
        self.assertLess(took, CONNECT_TIMEOUT + MARGIN)

    def test_closed_port_error_reaches_pymysql(self):
        self.start_proxy(["127.0.0.1:%d" % harness.closed_port()],
                         ["--proxy-connect-timeout=%d" % CONNECT_TIMEOUT])
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            harness.pymysql_connect(self.port)
        code = caught.exception.args[0]
        self.assertFalse(2000 <= code < 3000, "PyMySQL got no ERR packet: %r" % caught.exception)
        self.assertTrue(self.proxy.is_alive())

    def test_silent_backend_gives_err_within_connect_timeout(self):
        silent = SilentBackend()
        self.addCleanup(silent.close)
        self.start_proxy([silent.address], ["--proxy-connect-timeout=%d" % CONNECT_TIMEOUT])
        payload, took = self.first_packet()
        self.assert_clear_err(payload)
        self.assertLess(took, CONNECT_TIMEOUT + MARGIN)
        self.assertGreater(took, CONNECT_TIMEOUT * 0.5, "the timeout did not wait at all")

    def test_next_client_served_by_second_backend(self):
        good = harness.backends()[0]
        self.start_proxy(["127.0.0.1:%d" % harness.closed_port(), good.address],
                         ["--proxy-connect-timeout=%d" % CONNECT_TIMEOUT])
        payload, took = self.first_packet()
        if payload[:1] == b"\xff":
            self.assert_clear_err(payload)
        self.assertLess(took, CONNECT_TIMEOUT + MARGIN)
        for _ in range(5):
            self.assert_served()

    def test_next_client_served_after_silent_backend(self):
        silent = SilentBackend()
        self.addCleanup(silent.close)
        self.start_proxy([silent.address, harness.backends()[0].address],
                         ["--proxy-connect-timeout=%d" % CONNECT_TIMEOUT])
        payload, took = self.first_packet()
        if payload[:1] == b"\xff":
            self.assert_clear_err(payload)
        self.assertLess(took, CONNECT_TIMEOUT + MARGIN)
        for _ in range(5):
            self.assert_served()


if __name__ == "__main__":
    harness.main()
