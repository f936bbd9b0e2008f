#!/usr/bin/python3
"""How connections end: no backend session outlives its client, timeouts and signals.

The backend here is a server of this test's own, so that its Threads_connected
counts tessera's sessions exactly."""

import os
import signal
import socket
import subprocess
import threading
import time

import harness
import mariadb_fixture
import mysql_raw

SETTLE = 10.0


def process_cpu_seconds(pid):
    """User plus system CPU time a process has used, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@harness.needs_proxy
class ConnectionLifecycleTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = mariadb_fixture.start_server(harness.scratch_dir(), "lifecycle")
        cls.monitor = harness.backend_connect(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.monitor.close()
        cls.server.stop()
        super().tearDownClass()

    def backend_sessions(self):
        return harness.backend_client_sessions(self.monitor)

    def assert_sessions_drop_to(self, count):
        if not harness.wait_until(lambda: self.backend_sessions() <= count, SETTLE):
            self.fail("%d backend sessions are left, expected %d"
                      % (self.backend_sessions(), count))

    def raw_login(self):
        return mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD,
                                 timeout=30)

    def test_no_backend_session_outlives_its_client(self):
        self.start_proxy([self.server.address])
        for _ in range(50):  # orderly: COM_QUIT
            harness.pymysql_connect(self.port).close()
        for _ in range(50):  # abrupt: the socket just closes
            self.raw_login().close()
        for _ in range(20):  # before logging in
            conn = mysql_raw.Connection(harness.HOST, self.port)
            conn.read_handshake()
            conn.close()
        for _ in range(10):  # in the middle of a large result
            conn = self.raw_login()
            rows = conn.query_stream("SELECT REPEAT('m', 1000) FROM mysql.seq_1_to_200000")
            next(rows)
            conn.close()
        for _ in range(10):  # in the middle of a long query
            conn = self.raw_login()
            conn.command(mysql_raw.COM_QUERY, b"SELECT SLEEP(5)")
            conn.close()
        self.assert_sessions_drop_to(0)

    def test_idle_client_is_disconnected_after_read_timeout(self):
        self.start_proxy([self.server.address], ["--proxy-read-timeout=2"])
        conn = self.raw_login()
        self.assertEqual(conn.query("SELECT 1")[0].rows, [(b"1",)])
        self.assertEqual(self.backend_sessions(), 1)
        time.sleep(4)
        try:
            conn.query("SELECT 2")
            self.fail("a client idle past --proxy-read-timeout was still served")
        except (mysql_raw.ProtocolError, mysql_raw.ServerError, ConnectionResetError,
                BrokenPipeError):
            pass
        conn.close()
        self.assert_sessions_drop_to(0)

    def test_sigterm_with_idle_clients_exits_promptly(self):
        proxy = self.start_proxy([self.server.address])
        clients = [self.raw_login() for _ in range(5)]
        started = time.monotonic()
        proxy.proc.send_signal(signal.SIGTERM)
        proxy.proc.wait(15)
        self.assertEqual(proxy.proc.returncode, 0, proxy.log_tail())
        self.assertLess(time.monotonic() - started, 5, "idle clients held up the shutdown")
        for conn in clients:
            conn.sock.settimeout(5)
            self.assertEqual(conn.sock.recv(100), b"", "a client was left open at exit")
            conn.close()
        self.assert_sessions_drop_to(0)

    def test_sigterm_lets_a_running_query_finish(self):
        proxy = self.start_proxy([self.server.address], ["--shutdown-timeout=10"])
        conn = self.raw_login()
        answer = {}

        def long_query():
            try:
                answer["rows"] = conn.query("SELECT SLEEP(2), 'finished'")[0].rows
            except Exception as e:
                answer["error"] = e

        thread = threading.Thread(target=long_query)
        thread.start()
        time.sleep(0.5)
        proxy.proc.send_signal(signal.SIGTERM)
        thread.join(15)
        self.assertEqual(answer, {"rows": [(b"0", b"finished")]})
        proxy.proc.wait(15)
        self.assertEqual(proxy.proc.returncode, 0, proxy.log_tail())
        conn.close()

    def test_sighup_reopens_the_log_file(self):
        proxy = self.start_proxy([self.server.address], ["--log-level=debug"])
        harness.pymysql_connect(self.port).close()
        self.assertTrue(harness.wait_until(lambda: os.path.getsize(proxy.log_path) > 0, 5))
        os.rename(proxy.log_path, proxy.log_path + ".1")
        proxy.proc.send_signal(signal.SIGHUP)
        self.assertTrue(harness.wait_until(lambda: os.path.exists(proxy.log_path), 5),
                        "SIGHUP did not reopen --log-file")
        harness.pymysql_connect(self.port).close()
        self.assertTrue(proxy.is_alive())

    def test_second_tessera_on_a_taken_port_refuses_to_start(self):
        proxy = self.start_proxy([self.server.address])
        with subprocess.Popen(
                [harness.tessera_binary(), "--proxy-address=%s:%d" % (harness.HOST, proxy.port),
                 "--proxy-backend-addresses=" + self.server.address],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True) as second:
            try:
                _, err = second.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                second.send_signal(signal.SIGTERM)
                second.communicate(timeout=15)
                self.fail("a second tessera started on port %d, which the first one holds"
                          % proxy.port)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("%d" % proxy.port, err)

    def test_running_out_of_open_files(self):
        # Whether the last free descriptor goes to accept() or to a backend connect depends
        # on how many tessera uses itself, so both parities of the limit are tried.
        for limit in (100, 101):
            proxy = harness.Tessera([self.server.address], ["--max-open-files=%d" % limit]).start()
            self.proxy, self.port = proxy, proxy.port
            try:
                busy = self.cpu_while_out_of_descriptors()
                self.assertTrue(harness.wait_until(self.serves, SETTLE),
                                "no client is served once descriptors are free")
                # tessera's own shortage must not be blamed on the backend.
                self.assertNotIn("is down", proxy.log_tail(200))
            finally:
                harness.assert_clean_exit(proxy)
            self.assertLess(busy, 0.5, "tessera used %.2f s of CPU in 3 s while out of "
                                       "descriptors (--max-open-files=%d)" % (busy, limit))

    def cpu_while_out_of_descriptors(self):
        """Fill tessera's descriptors, queue more clients, return the CPU it uses in 3 s."""
        logged_in, queued = [], []
        try:
            for _ in range(100):  # two descriptors a client: more than the limit allows
                try:
                    logged_in.append(mysql_raw.connect(harness.HOST, self.port, harness.USER,
                                                       harness.PASSWORD, timeout=1))
                except mysql_raw.ServerError as e:
                    self.assertFalse(harness.is_client_library_code(e.code), e)
                    break
                except TimeoutError:
                    break  # left in the listen queue: tessera cannot accept it now
            self.assertLess(len(logged_in), 100, "the descriptor limit was never reached")
            queued = [socket.create_connection((harness.HOST, self.port)) for _ in range(5)]
            before = process_cpu_seconds(self.proxy.pid)
            time.sleep(3)
            return process_cpu_seconds(self.proxy.pid) - before
        finally:
            for conn in logged_in + queued:
                conn.close()

    def serves(self):
        try:
            conn = self.raw_login()
        except (mysql_raw.ServerError, OSError):
            return False
        ok = conn.query("SELECT 1")[0].rows == [(b"1",)]
        conn.close()
        return ok

    def test_listening_on_a_unix_socket(self):
        path = os.path.join(harness.scratch_dir(), "tessera.sock")
        proxy = harness.Tessera([self.server.address], ["--proxy-address=" + path],
                                unix_path=path).start()
        self.proxy = proxy
        self.addCleanup(harness.assert_clean_exit, proxy)
        out = subprocess.run(["mariadb", "--no-defaults", "--socket=" + path, "-utessera",
                              "-ptessera", "-N", "-B", "-e", "SELECT @@port"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "%d\n" % self.server.port)

if __name__ == "__main__":
    harness.main()
