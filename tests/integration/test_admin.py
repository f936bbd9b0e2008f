#!/usr/bin/python3
"""The admin plugin: real clients (the mariadb CLI, PyMySQL, MySQLdb, raw
sockets) log in to the admin endpoint of a running tessera and read the
backends table while proxy clients come and go."""

import os
import re
import socket
import struct
import subprocess
import sys
import time
import unittest

import pymysql

import harness
import mariadb_fixture
import mysql_raw

ADMIN_USER, ADMIN_PASSWORD = "admin", "secret"
COLUMNS = ["backend_ndx", "address", "state", "type", "connected_clients"]
WAIT = 10.0
DOC = os.path.join(harness.REPO_ROOT, "docs", "admin.md")
COM_STATISTICS = 0x09
COM_SET_OPTION = 0x1b


def admin_args(port):
    return ["--plugins=proxy,admin", "--admin-address=%s:%d" % (harness.HOST, port),
            "--admin-username=" + ADMIN_USER, "--admin-password=" + ADMIN_PASSWORD]


def doc_blocks(language):
    """The fenced code blocks of docs/admin.md in that language, in order."""
    with open(DOC) as f:
        text = f.read()
    return re.findall(r"^```%s\n(.*?)^```$" % re.escape(language), text, re.S | re.M)


def wait_listening(port):
    deadline = time.monotonic() + WAIT
    while not harness.is_listening(port):
        if time.monotonic() > deadline:
            raise AssertionError("the admin endpoint did not listen on %d" % port)
        time.sleep(0.05)


def admin_connect(port, password=ADMIN_PASSWORD, user=ADMIN_USER):
    return harness.pymysql_connect(port, user=user, password=password)


def admin_rows(port, sql="SELECT * FROM backends"):
    """The rows of sql on the admin endpoint, as dicts by column name."""
    with admin_connect(port) as conn, conn.cursor() as cur:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def assert_not_client_code(test, code):
    test.assertFalse(2000 <= code < 3000 or 5000 <= code < 6000, "ERR %d is a client-library code" % code)


def read_until_closed(sock, timeout=WAIT):
    """Everything the peer sends until it closes; fails if it does not close in time."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        except socket.timeout:
            raise AssertionError("the admin endpoint kept the connection open after %r" % data[:80])
        if not chunk:
            return data
        data += chunk


@harness.needs_proxy
class AdminTest(harness.ProxyTestCase):
    """One tessera with a read-write and a read-only backend and the admin endpoint."""

    BACKEND_COUNT = 2

    @classmethod
    def setUpClass(cls):
        fixture = harness.backends()
        cls.rw, cls.ro = fixture[0], fixture[1]
        cls.admin_port = mariadb_fixture.free_port()
        cls.proxy = harness.Tessera([cls.rw.address], admin_args(cls.admin_port),
                                    read_only_addresses=[cls.ro.address]).start()
        cls.port = cls.proxy.port
        cls.backends = [cls.rw, cls.ro]
        wait_listening(cls.admin_port)

    @classmethod
    def tearDownClass(cls):
        harness.assert_clean_exit(cls.proxy)

    def cli(self, *args, password=ADMIN_PASSWORD, **kwargs):
        return harness.mariadb_cli(self.admin_port, *args, user=ADMIN_USER, password=password, **kwargs)

    def backend_row(self, ndx):
        return next(r for r in admin_rows(self.admin_port) if r["backend_ndx"] == str(ndx))

    # --- the mariadb CLI ---------------------------------------------------

    def test_cli_select_backends(self):
        out = self.cli("--batch", "-e", "SELECT * FROM backends")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [line.split("\t") for line in out.stdout.splitlines()]
        self.assertEqual(lines[0], COLUMNS)
        self.assertEqual(len(lines), 3, out.stdout)
        self.assertEqual(lines[1][:2], ["1", self.rw.address])
        self.assertEqual(lines[1][3], "rw")
        self.assertEqual(lines[2][:2], ["2", self.ro.address])
        self.assertEqual(lines[2][3], "ro")

    def test_cli_table_output_and_lower_case(self):
        out = self.cli("--table", "-e", "select * from BACKENDS where type = 'ro'")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("| backend_ndx | address", out.stdout)
        self.assertIn(self.ro.address, out.stdout)
        self.assertNotIn(self.rw.address, out.stdout)

    def test_cli_show_tables_version_and_status(self):
        out = self.cli("--batch", "-e", "SHOW TABLES; SELECT @@version_comment LIMIT 1; SELECT VERSION()")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[:3], ["Tables_in_tessera", "backends", "help"])
        self.assertEqual(lines[3], "@@version_comment")
        self.assertIn("tessera admin", lines[4])
        self.assertEqual(lines[5], "VERSION()")
        self.assertIn("tessera-admin", lines[6])
        out = self.cli(stdin_text="status\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"Current user:\s+admin@127.0.0.1")
        self.assertRegex(out.stdout, r"Server version:\s+5.7.99-tessera-admin-\S+ tessera admin endpoint")
        self.assertRegex(out.stdout, r"Server characterset:\s+utf8mb4")

    def test_cli_interactive_session(self):
        """The CLI reading statements from stdin, as an operator types them."""
        out = self.cli(stdin_text="use whatever\nSELECT * FROM backends WHERE backend_ndx = 1;\n"
                                  "SELECT DATABASE();\nquit\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(self.rw.address, out.stdout)
        self.assertNotIn(self.ro.address, out.stdout)
        self.assertIn("whatever", out.stdout)

    def test_cli_switches_caching_sha2_client_to_native(self):
        for plugin in ("caching_sha2_password", "client_ed25519"):
            out = self.cli("--default-auth=" + plugin, "-e", "SHOW TABLES")
            self.assertEqual(out.returncode, 0, plugin + ": " + out.stderr)
            self.assertIn("backends", out.stdout)
            out = self.cli("--default-auth=" + plugin, "-e", "SHOW TABLES", password="nope")
            self.assertEqual(out.returncode, 1)
            self.assertIn("ERROR 1045 (28000)", out.stderr)

    def test_cli_wrong_password(self):
        out = self.cli("-e", "SHOW TABLES", password="wrong")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 1045 (28000): Access denied for user 'admin'@'127.0.0.1' (using password: YES)",
                      out.stderr)

    # --- PyMySQL and MySQLdb -------------------------------------------------

    def test_pymysql_column_definitions(self):
        with admin_connect(self.admin_port) as conn, conn.cursor() as cur:
            cur.execute("SELECT * FROM backends")
            self.assertEqual([d[0] for d in cur.description], COLUMNS)
            for d in cur.description:
                self.assertEqual(d[1], pymysql.constants.FIELD_TYPE.VAR_STRING)
            self.assertEqual(len(cur.fetchall()), 2)
            conn.ping(reconnect=False)
            conn.select_db("anything")
            cur.execute("SELECT DATABASE(), USER()")
            self.assertEqual(cur.fetchone(), ("anything", "admin@127.0.0.1"))

    def test_connected_clients_move(self):
        def counts():
            rows = {r["backend_ndx"]: r for r in admin_rows(self.admin_port)}
            return int(rows["1"]["connected_clients"]), int(rows["2"]["connected_clients"])

        wait_for(lambda: counts() == (0, 0), "no connected clients at start")
        clients = []
        try:
            for expected in (1, 2, 3):
                conn = harness.pymysql_connect(self.port)
                clients.append(conn)
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
                wait_for(lambda: counts() == (expected, 0), "%d connected clients" % expected)
            self.assertEqual(self.backend_row(1)["state"], "up")
            self.assertEqual(self.backend_row(2)["state"], "unknown")
        finally:
            for conn in clients:
                conn.close()
        wait_for(lambda: counts() == (0, 0), "the count to drop to 0 after the clients left")

    def test_mysqldb_where(self):
        conn = harness.mysqldb_connect(self.admin_port, user=ADMIN_USER, password=ADMIN_PASSWORD)
        try:
            cur = conn.cursor()
            cur.execute("SELECT * FROM backends WHERE backend_ndx = 2")
            rows = cur.fetchall()
            self.assertEqual(len(rows), 1)
            self.assertEqual(rows[0][1:2], (self.ro.address,))
            cur.execute("SELECT * FROM backends WHERE address = %s", (self.rw.address,))
            self.assertEqual(cur.fetchall()[0][0], "1")
            cur.execute("SELECT * FROM backends WHERE state = 'nonsense'")
            self.assertEqual(cur.fetchall(), ())
        finally:
            conn.close()

    def test_wrong_password_and_user(self):
        for user, password in ((ADMIN_USER, "wrong"), ("root", ADMIN_PASSWORD), (ADMIN_USER, "")):
            with self.assertRaises(pymysql.err.OperationalError) as caught:
                admin_connect(self.admin_port, user=user, password=password)
            code, message = caught.exception.args
            self.assertEqual(code, 1045)
            self.assertEqual(message, "Access denied for user '%s'@'127.0.0.1' (using password: %s)"
                             % (user, "YES" if password else "NO"))

    def test_errors_say_what_is_understood(self):
        with admin_connect(self.admin_port) as conn, conn.cursor() as cur:
            cases = [("DROP TABLE backends", 1064, "try SHOW TABLES"),
                     ("SELECT * FROM nothing", 1146, "Table 'nothing' doesn't exist; the tables are: backends, help"),
                     ("SELECT * FROM backends WHERE colour = 'red'", 1054, "Unknown column 'colour'"),
                     ("SELECT 1", 1064, "SELECT * FROM <table>")]
            for sql, code, text in cases:
                with self.assertRaises(pymysql.err.MySQLError) as caught:
                    cur.execute(sql)
                self.assertEqual(caught.exception.args[0], code, sql)
                self.assertIn(text, caught.exception.args[1])
                assert_not_client_code(self, caught.exception.args[0])
            cur.execute("SHOW TABLES")
            self.assertEqual(cur.fetchall(), (("backends",), ("help",)))

    def test_help_table(self):
        rows = admin_rows(self.admin_port, "SELECT * FROM help")
        self.assertEqual(list(rows[0]), ["command", "description"])
        commands = [r["command"] for r in rows]
        self.assertIn("SHOW TABLES", commands)
        self.assertIn("SELECT * FROM backends", commands)

    def test_raw_commands(self):
        conn = mysql_raw.connect(harness.HOST, self.admin_port, ADMIN_USER, ADMIN_PASSWORD)
        try:
            self.assertEqual(conn.handshake.auth_plugin, "mysql_native_password")
            self.assertFalse(conn.handshake.capabilities & mysql_raw.CLIENT_DEPRECATE_EOF)
            self.assertFalse(conn.handshake.capabilities & mysql_raw.CLIENT_SSL)
            conn.command(COM_STATISTICS)
            payload = conn.read_packet()
            self.assertEqual(payload[0], 0xff)
            error = mysql_raw.parse_err(payload)
            self.assertEqual(error.code, 1047)
            self.assertIn("COM_QUERY (try SHOW TABLES)", error.message)
            conn.command(COM_SET_OPTION, struct.pack("<H", 1))
            payload = conn.read_packet()
            self.assertTrue(payload[0] == 0xfe and len(payload) < 9, "COM_SET_OPTION: expected EOF, got %r" % payload)
            conn.ping()
            conn.command(mysql_raw.COM_INIT_DB, b"db")
            conn.read_ok_or_err()
            (result,) = conn.query("SELECT * FROM backends")
            self.assertEqual([c.name for c in result.columns], COLUMNS)
            self.assertEqual(len(result.rows), 2)
            # Sequence ids: the response to a command starts at 1.
            conn.command(mysql_raw.COM_QUERY, b"SHOW TABLES")
            header = conn.recv_exact(4)
            self.assertEqual(header[3], 1)
        finally:
            conn.close()

    # --- docs/admin.md ------------------------------------------------------

    def test_doc_statements_run(self):
        (block,) = doc_blocks("sql")
        statements = [line.rstrip(";") for line in block.splitlines() if line.strip()]
        self.assertGreater(len(statements), 5)
        with admin_connect(self.admin_port) as conn, conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                self.assertIsNotNone(cur.description, sql)

    def test_doc_cli_and_python_examples_run(self):
        command = next(b for b in doc_blocks("sh") if "SELECT * FROM backends" in b)
        command = command.replace("-P 4041", "-P %d" % self.admin_port).replace("mariadb ", "mariadb --no-defaults ")
        out = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines()[0], "\t".join(COLUMNS))
        (script,) = doc_blocks("python")
        script = script.replace("port=4041", "port=%d" % self.admin_port)
        out = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)

    # --- malformed input -------------------------------------------------------

    def assert_still_serving(self):
        self.assertTrue(self.proxy.is_alive(), "tessera died\n" + self.proxy.log_tail())
        self.assertEqual(len(admin_rows(self.admin_port)), 2)
        self.assert_proxy_serves()

    def garbage_after_greeting(self, data, shutdown=False):
        sock = socket.create_connection((harness.HOST, self.admin_port), timeout=WAIT)
        try:
            first = sock.recv(4096)
            self.assertGreater(len(first), 4)
            self.assertEqual(first[4], 10, "expected a HandshakeV10 greeting")
            sock.sendall(data)
            if shutdown:
                sock.shutdown(socket.SHUT_WR)
            return read_until_closed(sock)
        finally:
            sock.close()

    def assert_err_then_closed(self, answer, code):
        self.assertGreater(len(answer), 7, "expected an ERR packet before the close")
        self.assertEqual(answer[4], 0xff, "expected an ERR packet, got %r" % answer[:32])
        error = mysql_raw.parse_err(answer[4:])
        self.assertEqual(error.code, code, error.message)
        assert_not_client_code(self, error.code)

    def test_garbage_http_request(self):
        answer = self.garbage_after_greeting(b"GET / HTTP/1.1\r\nHost: admin\r\n\r\n")
        self.assert_err_then_closed(answer, 1153)
        self.assert_still_serving()

    def test_garbage_handshake_response(self):
        answer = self.garbage_after_greeting(mysql_raw.frame(b"\x00\x01\x02garbage", 1))
        self.assert_err_then_closed(answer, 1043)
        self.assert_still_serving()

    def test_garbage_wrong_sequence(self):
        answer = self.garbage_after_greeting(mysql_raw.frame(b"x" * 40, 7))
        self.assert_err_then_closed(answer, 1156)
        self.assert_still_serving()

    def test_garbage_truncated_then_eof(self):
        answer = self.garbage_after_greeting(b"\x50\x00\x00\x01short", shutdown=True)
        self.assertEqual(answer, b"")
        self.assert_still_serving()

    def test_random_bytes(self):
        rng = __import__("random").Random(4041)
        for _ in range(20):
            blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
            self.garbage_after_greeting(blob, shutdown=True)
        self.assert_still_serving()

    def test_garbage_after_login(self):
        conn = mysql_raw.connect(harness.HOST, self.admin_port, ADMIN_USER, ADMIN_PASSWORD)
        try:
            conn.write_frame(b"", 0)                 # an empty command
            self.assert_err_then_closed(read_until_closed(conn.sock), 1835)
        finally:
            conn.close()
        conn = mysql_raw.connect(harness.HOST, self.admin_port, ADMIN_USER, ADMIN_PASSWORD)
        try:
            conn.write_frame(b"\x03SHOW TABLES", 5)  # a command out of sequence
            self.assert_err_then_closed(read_until_closed(conn.sock), 1156)
        finally:
            conn.close()
        self.assert_still_serving()


@harness.needs_proxy
class AdminStartupTest(harness.ProxyTestCase):
    """Options, a backend that is down, stopping with admin clients connected."""

    SHARED_PROXY = False

    def run_tessera(self, *args):
        return subprocess.run([harness.tessera_binary(), "--proxy-address=127.0.0.1:%d" % mariadb_fixture.free_port(),
                               "--proxy-backend-addresses=" + harness.backends()[0].address] + list(args),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=30)

    def assert_refused(self, args, text):
        out = self.run_tessera(*args)
        self.assertEqual(out.returncode, 1, out.stderr)
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, "expected one line:\n" + out.stderr)
        self.assertIn(text, lines[0])

    def test_missing_password_exits_1(self):
        documented = next(b for b in doc_blocks("text") if "needs to be set" in b).strip()
        self.assert_refused(["--plugins=proxy,admin", "--admin-username=admin"], documented)

    def test_missing_username_exits_1(self):
        self.assert_refused(["--plugins=proxy,admin", "--admin-password=secret"],
                            "--admin-username needs to be set")

    def test_lua_script_refused(self):
        self.assert_refused(["--plugins=proxy,admin", "--admin-username=a", "--admin-password=b",
                             "--admin-lua-script=admin.lua"], "--admin-lua-script=admin.lua")

    def test_address_in_use_exits_1(self):
        holder = socket.socket()
        holder.bind((harness.HOST, 0))
        holder.listen(1)
        try:
            self.assert_refused(admin_args(holder.getsockname()[1]), "--admin-address=")
        finally:
            holder.close()

    def test_options_from_defaults_file(self):
        """The password can stay out of the command line: the defaults file of docs/admin.md."""
        admin_port = mariadb_fixture.free_port()
        path = os.path.join(harness.scratch_dir(), "tessera.cnf")
        (ini,) = doc_blocks("ini")
        ini = ini.replace("127.0.0.1:4041", "127.0.0.1:%d" % admin_port)
        ini = ini.replace("127.0.0.1:3306", harness.backends()[0].address)
        with open(path, "w") as f:
            f.write(ini)
        os.chmod(path, 0o600)
        self.start_proxy([], ["--defaults-file=" + path])
        wait_listening(admin_port)
        self.assertEqual(len(admin_rows(admin_port)), 1)

    def test_closed_port_backend_shows_down(self):
        admin_port = mariadb_fixture.free_port()
        closed = "127.0.0.1:%d" % harness.closed_port()
        self.start_proxy([closed], admin_args(admin_port) + ["--proxy-connect-timeout=2"])
        wait_listening(admin_port)
        self.assertEqual(admin_rows(admin_port)[0]["state"], "unknown")
        with self.assertRaises(pymysql.err.OperationalError):
            harness.pymysql_connect(self.port)
        row = admin_rows(admin_port)[0]
        self.assertEqual((row["address"], row["state"], row["connected_clients"]), (closed, "down", "0"))

    @unittest.skipIf(harness.LUA_SCRIPT, "a Lua script needs the proxy plugin")
    def test_admin_without_proxy_has_only_help(self):
        admin_port = mariadb_fixture.free_port()
        args = admin_args(admin_port)
        args[0] = "--plugins=admin"
        proxy = harness.Tessera([], args, port=admin_port).start()
        self.addCleanup(harness.assert_clean_exit, proxy)
        self.assertEqual(admin_rows(admin_port, "SHOW TABLES"), [{"Tables_in_tessera": "help"}])
        with self.assertRaises(pymysql.err.ProgrammingError) as caught:
            admin_rows(admin_port)
        self.assertEqual(caught.exception.args, (1146, "Table 'backends' doesn't exist; the tables are: help"))

    def test_stops_cleanly_with_admin_clients(self):
        admin_port = mariadb_fixture.free_port()
        self.start_proxy([harness.backends()[0].address], admin_args(admin_port))
        wait_listening(admin_port)
        idle = admin_connect(admin_port)
        half = socket.create_connection((harness.HOST, admin_port))
        try:
            harness.assert_clean_exit(self.proxy)
            self.assertEqual(read_until_closed(half)[4], 10)
        finally:
            idle.close()
            half.close()


if __name__ == "__main__":
    harness.main()
