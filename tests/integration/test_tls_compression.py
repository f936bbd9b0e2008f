#!/usr/bin/python3
"""TLS and compression are not offered through tessera, even by a backend that has them.

The backend here has a certificate, so it offers TLS (the test checks that it
really does). Through tessera the handshake must offer neither CLIENT_SSL nor
CLIENT_COMPRESS, clients must fall back to plain connections that work, a client
that insists on TLS must be told so, and a client that claims TLS or
compression anyway must get an ERR packet or a close, never a hang."""

import os
import socket
import struct
import subprocess

import harness
import mariadb_fixture
import mysql_raw
from mysql_raw import CLIENT_COMPRESS, CLIENT_SSL, DEFAULT_CAPABILITIES


def make_certificate(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def session_status(out):
    return dict((line.split("\t", 1) + [""])[:2] for line in out.rstrip("\n").splitlines())


@harness.needs_proxy
class TlsCompressionTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        workdir = harness.scratch_dir()
        cert, key = make_certificate(workdir)
        cls.server = mariadb_fixture.start_server(workdir, "tls",
                                                  ["--ssl-cert=" + cert, "--ssl-key=" + key])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        self.start_proxy([self.server.address])

    def handshake_capabilities(self, port):
        conn = mysql_raw.Connection(harness.HOST, port)
        try:
            return conn.read_handshake().capabilities
        finally:
            conn.close()

    def cli_status(self, port, *args):
        out = harness.mariadb_cli(port, *args, "-N", "-B", "-e",
                                  "SHOW SESSION STATUS WHERE Variable_name IN "
                                  "('Ssl_cipher', 'Compression')")
        return out

    def test_backend_offers_tls_and_compression(self):
        capabilities = self.handshake_capabilities(self.server.port)
        self.assertTrue(capabilities & CLIENT_SSL, "the test backend must offer TLS")
        self.assertTrue(capabilities & CLIENT_COMPRESS, "the test backend must offer compression")

    def test_proxy_offers_neither(self):
        capabilities = self.handshake_capabilities(self.port)
        self.assertFalse(capabilities & CLIENT_SSL, "tessera offered TLS")
        self.assertFalse(capabilities & CLIENT_COMPRESS, "tessera offered compression")

    def test_cli_falls_back_to_plain(self):
        direct = self.cli_status(self.server.port)
        self.assertNotEqual(session_status(direct.stdout)["Ssl_cipher"], "",
                            "directly the client uses TLS")
        out = self.cli_status(self.port, "--compress")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(session_status(out.stdout), {"Ssl_cipher": "", "Compression": "OFF"})

    def test_cli_insisting_on_tls_is_told_why(self):
        out = self.cli_status(self.port, "--ssl", "--ssl-verify-server-cert")
        self.assertEqual(out.returncode, 1)
        self.assertIn("SSL is required, but the server does not support it", out.stderr)

    def test_ssl_request_anyway_gets_err_or_close(self):
        conn = mysql_raw.Connection(harness.HOST, self.port, timeout=10)
        conn.read_handshake()
        conn.write_frame(struct.pack("<IIB23x", DEFAULT_CAPABILITIES | CLIENT_SSL, 1 << 24, 45), seq=1)
        try:
            payload = conn.read_packet()
            self.assertEqual(payload[:1], b"\xff", "expected ERR or close, got %r" % payload[:32])
        except (mysql_raw.ProtocolError, ConnectionResetError):
            pass
        except socket.timeout:
            self.fail("an SSLRequest that was not offered leaves the client hanging")
        finally:
            conn.close()
        harness.pymysql_connect(self.port).close()

    def test_compression_claimed_anyway(self):
        conn = mysql_raw.Connection(harness.HOST, self.port, timeout=10)
        try:
            conn.login(harness.USER, harness.PASSWORD, force_capabilities=CLIENT_COMPRESS)
            # Logged in: the session must go on uncompressed, as the handshake said.
            self.assertEqual(conn.query("SELECT 'plain'")[0].rows, [(b"plain",)])
        except (mysql_raw.ServerError, mysql_raw.ProtocolError, ConnectionResetError):
            pass  # refused: fine too
        except socket.timeout:
            self.fail("a client claiming compression is left hanging")
        finally:
            conn.close()
        harness.pymysql_connect(self.port).close()


if __name__ == "__main__":
    harness.main()
