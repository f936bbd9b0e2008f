#!/usr/bin/python3
"""Throwaway MariaDB servers for tessera's tests and demo.

Each server gets a fresh datadir made by mariadb-install-db, listens on a free
loopback port (127.0.0.1 only) and on a unix socket inside its datadir, and is
ready for the tests: enough max_connections for 1,000 clients through the
proxy, local_infile on, and these accounts:

    tessera / tessera          mysql_native_password, all privileges
    tessera2 / tessera2        mysql_native_password, all privileges (COM_CHANGE_USER)
    tessera_ed / tessera_ed    ed25519 (the client is switched to client_ed25519)
    tessera_nopw               mysql_native_password with an empty password, SELECT only

Command line:
    mariadb_fixture.py start --count N --dir DIR --env-file FILE
    mariadb_fixture.py stop --env-file FILE [--dir DIR]

The env file holds KEY=VALUE lines (shell- and Python-readable):
    TESSERA_MARIADB_COUNT=N
    TESSERA_MARIADB_<i>_PORT / _SOCKET / _PID / _DATADIR   for i in 1..N
    TESSERA_MARIADB_DIR=DIR

From Python, start_server(dir) gives one more server that a test owns (to kill it).
"""

import argparse
import glob
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

MAX_CONNECTIONS = 2100
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0

SETUP_SQL = """
DELETE FROM mysql.global_priv WHERE User = '';
INSTALL SONAME 'auth_ed25519';
CREATE USER 'tessera'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('tessera');
GRANT ALL PRIVILEGES ON *.* TO 'tessera'@'%' WITH GRANT OPTION;
CREATE USER 'tessera2'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('tessera2');
GRANT ALL PRIVILEGES ON *.* TO 'tessera2'@'%';
CREATE USER 'tessera_ed'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('tessera_ed');
GRANT ALL PRIVILEGES ON *.* TO 'tessera_ed'@'%';
CREATE USER 'tessera_nopw'@'%' IDENTIFIED VIA mysql_native_password USING '';
GRANT SELECT ON *.* TO 'tessera_nopw'@'%';
CREATE DATABASE tessera_test;
FLUSH PRIVILEGES;
"""


class Server:
    """One running mariadbd: its port, socket, pid and datadir."""

    def __init__(self, datadir, port, pid, proc=None):
        self.datadir = datadir
        self.port = port
        self.pid = pid
        self.proc = proc  # the Popen object when this process started the server

    @property
    def socket(self):
        return os.path.join(self.datadir, "mysqld.sock")

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def is_running(self):
        return pid_is_running(self.pid)

    def kill(self):
        """SIGKILL the server, as a crash would."""
        os.kill(self.pid, signal.SIGKILL)
        self.wait_gone()

    def wait_gone(self):
        if self.proc is not None:
            self.proc.wait(STOP_TIMEOUT)
        else:
            wait_for_exit(self.pid, STOP_TIMEOUT)

    def stop(self):
        """Shut the server down cleanly and remove its files."""
        stop_pid(self.pid)
        if self.proc is not None:
            self.proc.wait(STOP_TIMEOUT)
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def free_port():
    """Return a loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_is_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for_exit(pid, timeout):
    """Wait until pid is gone (reaping it if it is our child). True if it went."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        if not pid_is_running(pid):
            return True
        time.sleep(0.05)
    return False


def stop_pid(pid):
    """SIGTERM pid and wait; SIGKILL it if it does not go in time."""
    if not pid_is_running(pid):
        return
    os.kill(pid, signal.SIGTERM)
    if not wait_for_exit(pid, STOP_TIMEOUT):
        os.kill(pid, signal.SIGKILL)
        wait_for_exit(pid, 10)


def run_checked(cmd, log_path):
    with open(log_path, "ab") as log:
        result = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError("%s failed (exit %d), see %s" % (cmd[0], result.returncode, log_path))


def log_tail(log_path, lines=15):
    try:
        with open(log_path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])
    except OSError:
        return ""


def install_datadir(datadir, log_path, attempts=3):
    """mariadb-install-db, tried again on failure: on a loaded machine running
    many servers its bootstrap server now and then fails to start."""
    cmd = ["mariadb-install-db", "--no-defaults", "--datadir=" + datadir,
           "--user=" + user_name(), "--auth-root-authentication-method=normal", "--skip-test-db"]
    for attempt in range(1, attempts + 1):
        try:
            run_checked(cmd, log_path)
            return
        except RuntimeError as e:
            if attempt == attempts:
                raise RuntimeError("%s\n%s" % (e, log_tail(log_path))) from None
            shutil.rmtree(datadir, ignore_errors=True)
            time.sleep(1)


def user_name():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def open_files_limit():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        return 32768
    return min(hard, 32768)


def server_command(datadir, port, log_path, extra_args=()):
    return ["mariadbd", "--no-defaults",
            "--datadir=" + datadir,
            "--port=%d" % port,
            "--bind-address=127.0.0.1",
            "--socket=" + os.path.join(datadir, "mysqld.sock"),
            "--pid-file=" + os.path.join(datadir, "mysqld.pid"),
            "--log-error=" + log_path,
            "--user=" + user_name(),
            "--max-connections=%d" % MAX_CONNECTIONS,
            "--back-log=%d" % MAX_CONNECTIONS,
            "--open-files-limit=%d" % open_files_limit(),
            "--table-open-cache=400",
            "--local-infile=1",
            "--max-allowed-packet=16M",
            "--skip-name-resolve",
            "--performance-schema=OFF",
            "--innodb-buffer-pool-size=64M",
            "--innodb-flush-log-at-trx-commit=2",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci"] + list(extra_args)


def root_sql(datadir, sql, timeout=30):
    """Run sql as root over the unix socket; returns the completed process."""
    return subprocess.run(
        ["mariadb", "--no-defaults", "--socket=" + os.path.join(datadir, "mysqld.sock"),
         "-uroot", "--batch", "--skip-column-names"],
        input=sql.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def wait_until_ready(proc, datadir, log_path):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("mariadbd exited with %d while starting, see %s"
                               % (proc.returncode, log_path))
        if root_sql(datadir, "SELECT 1").returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("mariadbd did not answer within %.0f s, see %s" % (READY_TIMEOUT, log_path))


def launch(datadir, log_path, extra_args=()):
    """Start mariadbd on a free port; retry if another process took the port first."""
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(server_command(datadir, port, log_path, extra_args),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_until_ready(proc, datadir, log_path)
            return proc, port
        except RuntimeError:
            if proc.poll() is None:
                stop_pid(proc.pid)
    raise RuntimeError("mariadbd would not start, see %s" % log_path)


def start_server(base_dir, name="extra", extra_args=()):
    """Create, start and provision one server under base_dir/name; returns a Server.

    extra_args are added to mariadbd's command line (later options win)."""
    home = os.path.join(base_dir, name)
    datadir = os.path.join(home, "data")
    log_path = os.path.join(home, "mariadbd.log")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    install_datadir(datadir, log_path)
    proc, port = launch(datadir, log_path, extra_args)
    result = root_sql(datadir, SETUP_SQL)
    if result.returncode != 0:
        stop_pid(proc.pid)
        raise RuntimeError("provisioning failed: " + result.stderr.decode(errors="replace"))
    return Server(datadir, port, proc.pid, proc)


def write_env(path, base_dir, servers):
    lines = ["TESSERA_MARIADB_DIR=" + base_dir, "TESSERA_MARIADB_COUNT=%d" % len(servers)]
    for i, server in enumerate(servers, 1):
        prefix = "TESSERA_MARIADB_%d_" % i
        lines += [prefix + "PORT=%d" % server.port, prefix + "SOCKET=" + server.socket,
                  prefix + "PID=%d" % server.pid, prefix + "DATADIR=" + server.datadir]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_env(path):
    """Parse an env file written by write_env into a dict."""
    env = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.strip().partition("=")
            if sep:
                env[key] = value
    return env


def servers_from_env(env):
    """The Server objects an env file describes."""
    count = int(env["TESSERA_MARIADB_COUNT"])
    return [Server(env["TESSERA_MARIADB_%d_DATADIR" % i], int(env["TESSERA_MARIADB_%d_PORT" % i]),
                   int(env["TESSERA_MARIADB_%d_PID" % i])) for i in range(1, count + 1)]


def command_start(args):
    base_dir = os.path.abspath(args.dir)
    os.makedirs(base_dir, exist_ok=True)
    servers = []
    try:
        for i in range(1, args.count + 1):
            servers.append(start_server(base_dir, "mariadb-%d" % i))
            print("mariadb %d: port %d, socket %s, pid %d"
                  % (i, servers[-1].port, servers[-1].socket, servers[-1].pid))
    except Exception:
        for server in servers:
            stop_pid(server.pid)
        raise
    write_env(args.env_file, base_dir, servers)


def stop_leftovers(base_dir):
    """Stop servers a test started under base_dir and could not stop (their pid files)."""
    for pid_file in glob.glob(os.path.join(base_dir, "**", "mysqld.pid"), recursive=True):
        try:
            with open(pid_file) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if pid_is_running(pid) and is_mariadbd(pid):
            stop_pid(pid)


def is_mariadbd(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip() in ("mariadbd", "mysqld")
    except OSError:
        return False


def command_stop(args):
    if os.path.exists(args.env_file):
        env = read_env(args.env_file)
        for server in servers_from_env(env):
            server.stop()
        os.remove(args.env_file)
    if args.dir:
        stop_leftovers(args.dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start N servers and write the env file")
    start.add_argument("--count", type=int, default=2)
    start.add_argument("--dir", required=True, help="directory for the datadirs")
    start.add_argument("--env-file", required=True)
    stop = sub.add_parser("stop", help="stop the servers an env file lists")
    stop.add_argument("--env-file", required=True)
    stop.add_argument("--dir", help="also stop any other server whose datadir is under DIR")
    args = parser.parse_args()
    try:
        {"start": command_start, "stop": command_stop}[args.command](args)
    except RuntimeError as e:
        print("mariadb_fixture: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
