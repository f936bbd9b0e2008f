#!/usr/bin/python3
"""tessera's command line, as MySQL Proxy users write it: options, config files, daemon mode."""

import os
import signal
import subprocess

import harness
import mariadb_fixture


def run_tessera(*args, timeout=15):
    return subprocess.run([harness.tessera_binary()] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def read_pid(path):
    """The pid in a pid file, or None while there is none."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None


def wait_for(predicate, timeout, what):
    if not harness.wait_until(predicate, timeout):
        raise AssertionError("timed out waiting for " + what)


@harness.needs_proxy
class CommandLineTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def setUp(self):
        self.backend = harness.backends()[0]
        self.workdir = harness.scratch_dir()

    def assert_served_on(self, port):
        with harness.pymysql_connect(port) as conn, conn.cursor() as cur:
            cur.execute("SELECT @@port")
            self.assertEqual(cur.fetchone(), (self.backend.port,))

    def test_version(self):
        out = run_tessera("--version")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"^tessera \d+\.\d+\.\d+")

    def test_help_lists_options(self):
        out = run_tessera("--help")
        self.assertEqual(out.returncode, 0, out.stderr)
        for option in ("--defaults-file", "--event-threads", "--daemon", "--log-level"):
            self.assertIn(option, out.stdout)

    def test_unknown_option_is_refused(self):
        out = run_tessera("--no-such-option")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("no-such-option", out.stderr)

    def test_bad_timeout_is_refused(self):
        out = run_tessera("--proxy-backend-addresses=" + self.backend.address,
                          "--proxy-address=127.0.0.1:%d" % mariadb_fixture.free_port(),
                          "--proxy-connect-timeout=-1")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("proxy-connect-timeout", out.stderr)

    def test_short_options_and_event_threads(self):
        for threads in ("1", "4"):
            proxy = self.start_proxy([self.backend.address], ["--event-threads=" + threads])
            self.assert_served_on(proxy.port)
            harness.assert_clean_exit(proxy)
        port = mariadb_fixture.free_port()
        proxy = harness.Tessera([], ["-P", "127.0.0.1:%d" % port, "-b", self.backend.address],
                                port=port).start()
        self.addCleanup(harness.assert_clean_exit, proxy)
        self.assert_served_on(proxy.port)

    def test_user_option_drops_root(self):
        if os.getuid() != 0:
            self.skipTest("--user needs root")
        import pwd
        nobody = pwd.getpwnam("nobody")
        proxy = self.start_proxy([self.backend.address], ["--user=nobody"])
        self.assert_served_on(proxy.port)
        with open("/proc/%d/status" % proxy.pid) as f:
            uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
        self.assertEqual(set(map(int, uids)), {nobody.pw_uid})

    def test_plugins_option(self):
        proxy = self.start_proxy([self.backend.address], ["--plugins=proxy"])
        self.assert_served_on(proxy.port)
        out = run_tessera("--plugins=no_such_plugin", "--plugin-dir=" + self.workdir)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("no_such_plugin", out.stderr)

    def test_unix_socket_backend(self):
        proxy = self.start_proxy([self.backend.socket])
        self.assert_served_on(proxy.port)

    def test_log_file_receives_lines(self):
        proxy = self.start_proxy([self.backend.address], ["--log-level=debug"])
        self.assert_served_on(proxy.port)
        wait_for(lambda: os.path.exists(proxy.log_path) and os.path.getsize(proxy.log_path) > 0,
                 5, "a line in the log file")

    def defaults_file_serves(self, group):
        port = mariadb_fixture.free_port()
        path = os.path.join(self.workdir, group + ".cnf")
        with open(path, "w") as f:
            f.write("[%s]\nproxy-address = 127.0.0.1:%d\nproxy-backend-addresses = %s\n"
                    "log-level = info\nlog-file = %s\n"
                    % (group, port, self.backend.address, os.path.join(self.workdir, group + ".log")))
        os.chmod(path, 0o600)
        proxy = harness.Tessera([], ["--defaults-file=" + path], port=port).start()
        self.addCleanup(harness.assert_clean_exit, proxy)
        self.assert_served_on(port)

    def test_defaults_file_mysql_proxy_group(self):
        self.defaults_file_serves("mysql-proxy")

    def test_defaults_file_tessera_group(self):
        self.defaults_file_serves("tessera")

    def run_daemon(self, args, pid_file, port):
        """Start tessera with --daemon among args; returns its pid once it listens."""
        out = run_tessera(*args)
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_for(lambda: read_pid(pid_file), 10, "the pid file")
        pid = read_pid(pid_file)
        self.addCleanup(mariadb_fixture.stop_pid, pid)
        self.assertTrue(mariadb_fixture.pid_is_running(pid))
        wait_for(lambda: harness.is_listening(port), 10, "the daemon to listen")
        return pid

    def assert_stops_on_sigterm(self, pid):
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(mariadb_fixture.wait_for_exit(pid, 30), "the daemon ignored SIGTERM")

    def test_defaults_file_with_daemon_and_backend_list(self):
        backends = harness.backends()[:2]
        port = mariadb_fixture.free_port()
        pid_file = os.path.join(self.workdir, "file-daemon.pid")
        path = os.path.join(self.workdir, "daemon.cnf")
        with open(path, "w") as f:
            f.write("[mysql-proxy]\nproxy-address = 127.0.0.1:%d\n"
                    "proxy-backend-addresses = %s\nevent-threads = 3\ndaemon = true\n"
                    "pid-file = %s\nlog-file = %s\n"
                    % (port, ",".join(b.address for b in backends), pid_file,
                       os.path.join(self.workdir, "file-daemon.log")))
        os.chmod(path, 0o640)
        pid = self.run_daemon(["--defaults-file=" + path], pid_file, port)
        with harness.pymysql_connect(port) as conn, conn.cursor() as cur:
            cur.execute("SELECT @@port")
            self.assertIn(cur.fetchone()[0], [b.port for b in backends])
        self.assert_stops_on_sigterm(pid)

    def test_daemon_with_pid_file(self):
        port = mariadb_fixture.free_port()
        pid_file = os.path.join(self.workdir, "tessera.pid")
        pid = self.run_daemon(["--daemon", "--pid-file=" + pid_file,
                               "--proxy-address=127.0.0.1:%d" % port,
                               "--proxy-backend-addresses=" + self.backend.address,
                               "--log-file=" + os.path.join(self.workdir, "daemon.log")],
                              pid_file, port)
        self.assert_served_on(port)
        self.assert_stops_on_sigterm(pid)

if __name__ == "__main__":
    harness.main()
