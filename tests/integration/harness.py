"""Harness for tessera's integration tests.

The MariaDB servers come from tests/lib/mariadb_fixture.py; the env file it
wrote is named by TESSERA_FIXTURE_ENV. The tessera executable is TESSERA_BIN
(meson sets it), else build/tessera under the repository root.

With TESSERA_TEST_DIRECT=1 no tessera is started: clients are handed the
address of the first backend itself, so the tests can be checked against
MariaDB alone. Tests that only make sense with a proxy in between skip then.

With TESSERA_TEST_LUA_SCRIPT=FILE every tessera the tests start runs that
Lua script (--proxy-lua-script).
"""

import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "lib"))

import mariadb_fixture  # noqa: E402

DIRECT = os.environ.get("TESSERA_TEST_DIRECT") == "1"
# A Lua script every tessera of the tests loads (tests/meson.build's lua suite).
LUA_SCRIPT = os.environ.get("TESSERA_TEST_LUA_SCRIPT")
HOST = "127.0.0.1"
USER, PASSWORD = "tessera", "tessera"
USER2, PASSWORD2 = "tessera2", "tessera2"
ED_USER, ED_PASSWORD = "tessera_ed", "tessera_ed"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 30.0


def tessera_binary():
    return os.environ.get("TESSERA_BIN") or os.path.join(REPO_ROOT, "build", "tessera")


def fixture_env():
    path = os.environ.get("TESSERA_FIXTURE_ENV")
    if not path or not os.path.exists(path):
        raise RuntimeError("TESSERA_FIXTURE_ENV must name the env file of "
                           "tests/lib/mariadb_fixture.py start (tests/run sets it)")
    return mariadb_fixture.read_env(path)


def backends():
    """The fixture's MariaDB servers (mariadb_fixture.Server objects)."""
    return mariadb_fixture.servers_from_env(fixture_env())


def scratch_dir():
    """A directory for files a test makes (logs, extra servers), under the fixture's."""
    base = fixture_env().get("TESSERA_MARIADB_DIR", tempfile.gettempdir())
    return tempfile.mkdtemp(prefix="test-", dir=base)


def closed_port():
    """A loopback port with no listener: connecting to it is refused."""
    return mariadb_fixture.free_port()


def wait_until(predicate, timeout, interval=0.05):
    """Poll predicate until it is true or timeout seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def is_client_library_code(code):
    """2000-2999 and 5000-5999 are client-library error codes: no server or proxy sends them."""
    return 2000 <= code < 3000 or 5000 <= code < 6000


def backend_client_sessions(conn):
    """Client sessions on the server conn (PyMySQL) is connected to, not counting conn's own."""
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                    "WHERE ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'")
        return cur.fetchone()[0]


def proc_status_kib(pid, field):
    """A memory field of /proc/PID/status (VmRSS, VmHWM) in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def is_listening(port):
    """True if some socket listens on 127.0.0.1:port or the wildcard address."""
    wanted = ":%04X" % port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(wanted) and fields[3] == "0A":
                return True
    return False


class Tessera:
    """One tessera process in front of the given backends.

    Without port, it listens on a free port with a log file of its own. With
    port, extra_args alone say how it is set up (they must make it listen on port).
    With unix_path, extra_args make it listen on that unix socket instead."""

    def __init__(self, backend_addresses, extra_args=(), read_only_addresses=(), port=None,
                 unix_path=None):
        self.backend_addresses = list(backend_addresses)
        self.read_only_addresses = list(read_only_addresses)
        self.extra_args = list(extra_args)
        self.workdir = scratch_dir()
        self.log_path = os.path.join(self.workdir, "tessera.log")
        self.output_path = os.path.join(self.workdir, "tessera.out")
        self.unix_path = unix_path
        self.given_port = port
        self.port = port
        self.proc = None
        self.exit_code = None

    def command(self):
        cmd = [tessera_binary()]
        if self.given_port is None:
            if self.unix_path is None:
                cmd.append("--proxy-address=%s:%d" % (HOST, self.port))
            cmd += ["--log-file=" + self.log_path, "--log-level=info"]
        cmd += ["--proxy-backend-addresses=" + a for a in self.backend_addresses]
        cmd += ["--proxy-read-only-backend-addresses=" + a for a in self.read_only_addresses]
        if LUA_SCRIPT:
            cmd.append("--proxy-lua-script=" + LUA_SCRIPT)
        return cmd + self.extra_args

    def start(self):
        if DIRECT:
            self.port = int(self.backend_addresses[0].rsplit(":", 1)[1])
            return self
        if self.given_port is None and self.unix_path is None:
            self.port = mariadb_fixture.free_port()
        with open(self.output_path, "wb") as out:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        self.wait_listening()
        return self

    def wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tessera exited with %d at start:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            if self.listening():
                return
            time.sleep(0.05)
        raise RuntimeError("tessera did not listen on %s within %.0f s:\n%s"
                           % (self.unix_path or self.port, START_TIMEOUT, self.log_tail()))

    def listening(self):
        if self.unix_path is not None:
            return os.path.exists(self.unix_path) and stat.S_ISSOCK(os.stat(self.unix_path).st_mode)
        return is_listening(self.port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def is_alive(self):
        return DIRECT or self.proc.poll() is None

    def rss_kib(self):
        return proc_status_kib(self.pid, "VmRSS")

    def peak_rss_kib(self):
        return proc_status_kib(self.pid, "VmHWM")

    def stop(self):
        """SIGTERM and wait; returns the exit code (None when it had to be killed)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = None
                return None
        self.exit_code = self.proc.returncode
        return self.exit_code

    def log_tail(self, lines=60):
        text = []
        for path in (self.output_path, self.log_path):
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    content = f.readlines()[-lines:]
                text.append("--- %s (last %d lines)\n%s" % (path, len(content), "".join(content)))
        return "\n".join(text) or "(tessera wrote no log)"


class RssSampler:
    """Samples a process's VmRSS in a thread and keeps the largest value seen."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak_kib = max(self.peak_kib, proc_status_kib(self.pid, "VmRSS"))
                self.samples += 1
            except (FileNotFoundError, ProcessLookupError):
                return
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def pymysql_connect(port, user=USER, password=PASSWORD, database=None, **kwargs):
    import pymysql
    kwargs.setdefault("connect_timeout", 30)
    return pymysql.connect(host=HOST, port=port, user=user, password=password,
                           database=database, **kwargs)


def mysqldb_connect(port, user=USER, password=PASSWORD, database=None, **kwargs):
    import MySQLdb
    kwargs.setdefault("connect_timeout", 30)
    if database:
        kwargs["db"] = database
    return MySQLdb.connect(host=HOST, port=port, user=user, password=password, **kwargs)


def mariadb_cli(port, *args, user=USER, password=PASSWORD, stdin_text=None, timeout=60):
    """Run the mariadb command-line client against 127.0.0.1:port."""
    cmd = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", HOST, "-P", str(port),
           "-u", user, "-p" + password] + list(args)
    return subprocess.run(cmd, input=stdin_text, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def backend_connect(server, database=None, **kwargs):
    """A PyMySQL connection straight to a backend, for setting up and checking data."""
    return pymysql_connect(server.port, database=database, autocommit=True, **kwargs)


def assert_clean_exit(proxy):
    """Stop tessera with SIGTERM and insist on exit status 0."""
    code = proxy.stop()
    if code != 0:
        raise AssertionError("tessera exited with %r on SIGTERM, expected 0\n%s"
                             % (code, proxy.log_tail()))


def known_bug(reason):
    """Mark a test that fails because of a tessera bug described by reason.

    It runs and must still fail: once the bug is fixed it passes, unittest
    reports an unexpected success, the test file fails, and the marker goes."""
    def mark(test):
        test.__doc__ = "KNOWN BUG: " + reason
        return unittest.expectedFailure(test)
    return mark


def needs_proxy(test):
    """Skip a test (or class) that means nothing without tessera in between."""
    return unittest.skipIf(DIRECT, "needs tessera between client and server")(test)


class ProxyTestCase(unittest.TestCase):
    """Starts one tessera for the class in front of BACKEND_COUNT fixture backends.

    Each class gets its own database, DATABASE, made fresh on those backends.
    With SHARED_PROXY = False no tessera is started for the class; a test starts
    its own with start_proxy(). A test that fails has tessera's log tail printed
    with it; tessera must exit 0 on SIGTERM when it is stopped."""

    BACKEND_COUNT = 1
    EXTRA_ARGS = ()
    DATABASE = None
    SHARED_PROXY = True
    proxy = None

    @classmethod
    def setUpClass(cls):
        cls.backends = backends()[:cls.BACKEND_COUNT]
        if cls.DATABASE:
            for server in cls.backends:
                with backend_connect(server) as conn, conn.cursor() as cur:
                    cur.execute("DROP DATABASE IF EXISTS `%s`" % cls.DATABASE)
                    cur.execute("CREATE DATABASE `%s`" % cls.DATABASE)
        if cls.SHARED_PROXY:
            cls.proxy = Tessera([s.address for s in cls.backends], cls.EXTRA_ARGS).start()
            cls.port = cls.proxy.port
            # Runs even when a subclass's setUpClass fails after this point.
            cls.addClassCleanup(cls.proxy.stop)

    @classmethod
    def tearDownClass(cls):
        if cls.SHARED_PROXY:
            assert_clean_exit(cls.proxy)

    def start_proxy(self, backend_addresses, extra_args=()):
        """Start a tessera for this test only; it is stopped (expecting exit 0) afterwards."""
        self.proxy = Tessera(backend_addresses, extra_args).start()
        self.port = self.proxy.port
        self.addCleanup(assert_clean_exit, self.proxy)
        return self.proxy

    def run(self, result=None):
        result = result or self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > before and self.proxy and not DIRECT:
            print("\n" + self.proxy.log_tail(), file=sys.stderr)
        return result

    def connect(self, **kwargs):
        kwargs.setdefault("database", self.DATABASE)
        return pymysql_connect(self.port, **kwargs)

    def assert_proxy_serves(self):
        """tessera is alive and a fresh client can log in and query."""
        self.assertTrue(self.proxy.is_alive(), "tessera died\n" + self.proxy.log_tail())
        with pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("SELECT 6 * 7")
            self.assertEqual(cur.fetchone(), (42,))


MESON_SKIP = 77


def main():
    """Run the module's tests; exit 77 (meson's "skipped") when every one of them skipped."""
    program = unittest.main(module="__main__", verbosity=2, exit=False)
    result = program.result
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(MESON_SKIP)
    sys.exit(0 if result.wasSuccessful() else 1)
