#!/usr/bin/python3
"""Process tests for the chassis: run the real tessera executable with the
harmless test plugin (libtsrtest.so) and check what a user and an init
system see: --version, --help, one-line errors with exit code 1, the ABI
check, signals, the pid file, --daemon, --keepalive, log reopening.

Usage: test-process.py TESSERA PLUGIN_DIR   (prints TAP)
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

TESSERA, PLUGIN_DIR = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PLUGIN = ["--plugins=tsrtest", "--plugin-dir=" + PLUGIN_DIR]
LINE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|critical|warning|message|info|debug) \[[^\]]+\] ")
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run(args, timeout=20, env=None):
    p = subprocess.run([TESSERA] + args, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def wait_for(pred, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid, timeout=10.0):
    wait_for(lambda: not alive(pid), timeout, "pid %d to end" % pid)


def threads(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except FileNotFoundError:
        return 0


def log_has(path, text, count=1):
    return read(path).count(text) >= count


def one_error_line(rc, stderr, want):
    assert rc == 1, "exit code %r, stderr %r" % (rc, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, "want one line on stderr, got %r" % stderr
    assert lines[0] == want, "got %r, want %r" % (lines[0], want)


class Tmp:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tsr-process-")
        self.log = os.path.join(self.dir, "tessera.log")
        self.pid = os.path.join(self.dir, "tessera.pid")

    def path(self, name):
        return os.path.join(self.dir, name)


def start(args, tmp, env=None):
    """Starts tessera in the foreground with the test plugin, logging to tmp.log."""
    p = subprocess.Popen([TESSERA] + PLUGIN + ["--log-level=message", "--log-file=" + tmp.log] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    wait_for(lambda: log_has(tmp.log, "tessera ") and log_has(tmp.log, " started: pid") or p.poll() is not None,
             what="tessera to start")
    assert p.poll() is None, "tessera ended early: %r %r" % (p.communicate(), read(tmp.log))
    return p


def stop(p, sig=signal.SIGTERM, timeout=15):
    p.send_signal(sig)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


@test
def version():
    rc, out, err = run(["--version"])
    assert rc == 0 and err == "", (rc, err)
    lines = out.splitlines()
    assert re.match(r"^tessera \d+\.\d+\.\d+", lines[0]), lines
    for lib in ("glib: 2.", "libevent: 2.", "luajit: "):
        assert any(line.strip().startswith(lib) for line in lines), (lib, out)


@test
def help_lists_plugin_options():
    rc, out, err = run(["--help"] + PLUGIN)
    assert rc == 0 and err == "", (rc, err)
    for option in ("--defaults-file=FILE", "--plugins=NAMES", "--event-threads=N", "--daemon", "--keepalive",
                   "--log-level=LEVEL", "--shutdown-timeout=SECONDS", "-V, --version",
                   "--test-active-ms=MS", "-w, --test-words=LIST"):
        assert option in out, (option, out)


@test
def bad_options_one_line_exit_1():
    tmp = Tmp()
    cnf = tmp.path("bad.cnf")
    with open(cnf, "w") as f:
        f.write("[tessera]\nevent-threads = 2\nproxy-adress = :4040\n")
    os.chmod(cnf, 0o600)
    cases = [
        (["--event-threads=abc"], "tessera: --event-threads: 'abc' is not a number"),
        (["--event-threads=0"], "tessera: --event-threads: 0 is out of range (1..1024)"),
        (["--bogus"], "tessera: --bogus: unknown option"),
        (["--test-active-ms=soon"], "tessera: --test-active-ms: 'soon' is not a number"),
        (["--log-level=loud"],
         "tessera: --log-level: 'loud' is not one of error, critical, warning, message, info, debug"),
        (["--defaults-file=/nonexistent.cnf"],
         "tessera: --defaults-file: cannot read '/nonexistent.cnf': No such file or directory"),
        (["--defaults-file=" + cnf], "tessera: %s: [tessera] proxy-adress: unknown option" % cnf),
        (["--log-file=/nonexistent/t.log"],
         "tessera: --log-file: cannot open '/nonexistent/t.log': No such file or directory"),
        (["--event-threads"], "tessera: --event-threads: needs a value"),
        (["--test-fail=configure"], "tessera: plugin 'tsrtest': --test-fail: failing in configure as asked"),
        (["--test-fail=start"], "tessera: plugin 'tsrtest': --test-fail: failing in start as asked"),
    ]
    for args, want in cases:
        rc, out, err = run(PLUGIN + args)
        one_error_line(rc, err, want)
    rc, out, err = run(["--plugins=nosuch", "--plugin-dir=" + PLUGIN_DIR])
    one_error_line(rc, err, "tessera: plugin 'nosuch' is not built in and there is no %s/libnosuch.so "
                   "(searched --plugin-dir %s)" % (PLUGIN_DIR, PLUGIN_DIR))


@test
def wrong_abi_refused():
    rc, out, err = run(["--plugins=tsrbadabi", "--plugin-dir=" + PLUGIN_DIR])
    one_error_line(rc, err, "tessera: plugin 'tsrbadabi' (%s/libtsrbadabi.so) was built for plugin ABI 7, "
                   "this tessera speaks ABI 1: rebuild the plugin against this tessera" % PLUGIN_DIR)


@test
def plugin_runs_on_workers_and_sigterm_stops():
    tmp = Tmp()
    p = start(["--event-threads=3", "--pid-file=" + tmp.pid], tmp)
    wait_for(lambda: all(log_has(tmp.log, "tsrtest: worker %d says hello" % i) for i in range(3)),
             what="hello from 3 workers")
    assert read(tmp.pid) == "%d\n" % p.pid, read(tmp.pid)
    assert log_has(tmp.log, "tsrtest: configured")
    assert log_has(tmp.log, "tsrtest: started on 3 workers")
    rc, out, err = stop(p)
    assert rc == 0, (rc, err)
    assert not os.path.exists(tmp.pid), "pid file left behind"
    log = read(tmp.log)
    for i in range(3):
        assert "tsrtest: worker %d stops" % i in log, log
    assert "SIGTERM: shutting down" in log and "tsrtest: destroyed" in log, log
    assert log.index("tsrtest: stopping") < log.index("tsrtest: destroyed")
    for line in log.splitlines():
        assert LINE_RE.match(line), line


@test
def sigint_stops_and_log_goes_to_stderr_by_default():
    p = subprocess.Popen([TESSERA] + PLUGIN + ["--log-level=message"], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    while "started: pid" not in line:
        assert line, "tessera ended early"
        line = p.stderr.readline()
    assert LINE_RE.match(line) and " message [chassis] tessera " in line, line
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=15)[1]
    assert p.returncode == 0, (p.returncode, err)
    assert "SIGINT: shutting down" in err, err


@test
def shutdown_waits_for_active_commands_until_timeout():
    tmp = Tmp()
    p = start(["--test-active-ms=60000", "--shutdown-timeout=1"], tmp)
    t0 = time.monotonic()
    rc, out, err = stop(p)
    took = time.monotonic() - t0
    assert rc == 0, (rc, err)
    assert 0.9 <= took < 5, took
    assert log_has(tmp.log, "stopping with 1 command still running (--shutdown-timeout reached)"), read(tmp.log)
    tmp = Tmp()
    p = start(["--test-active-ms=300", "--shutdown-timeout=30"], tmp)
    t0 = time.monotonic()
    rc, out, err = stop(p)
    took = time.monotonic() - t0
    assert rc == 0 and 0.25 <= took < 5, (rc, took)
    assert not log_has(tmp.log, "still running"), read(tmp.log)


@test
def second_sigterm_ends_the_wait():
    tmp = Tmp()
    p = start(["--test-active-ms=60000", "--shutdown-timeout=60"], tmp)
    p.send_signal(signal.SIGTERM)
    wait_for(lambda: log_has(tmp.log, "tsrtest: stopping"), what="stop()")
    t0 = time.monotonic()
    rc, out, err = stop(p)
    assert rc == 0 and time.monotonic() - t0 < 5, (rc, err)
    assert log_has(tmp.log, "SIGTERM again: not waiting any longer"), read(tmp.log)


@test
def daemon_writes_pid_file_and_stops_on_sigterm():
    tmp = Tmp()
    rc, out, err = run(PLUGIN + ["--daemon", "--pid-file=" + tmp.pid, "--log-file=" + tmp.log,
                                 "--log-level=message"])
    assert rc == 0 and out == "" and err == "", (rc, out, err)
    pid = int(read(tmp.pid))
    assert alive(pid), pid
    assert os.readlink("/proc/%d/cwd" % pid) == "/"
    assert os.readlink("/proc/%d/fd/0" % pid) == "/dev/null"
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split(") ")[1].split()
    assert int(fields[1]) != os.getpid() and int(fields[3]) != pid, fields  # reparented, not a session leader
    wait_for(lambda: log_has(tmp.log, "says hello"), what="hello")
    os.kill(pid, signal.SIGTERM)
    wait_gone(pid)
    wait_for(lambda: not os.path.exists(tmp.pid), what="pid file removal")
    assert log_has(tmp.log, "tsrtest: destroyed")


@test
def daemon_start_failure_reaches_the_terminal():
    tmp = Tmp()
    rc, out, err = run(PLUGIN + ["--daemon", "--pid-file=" + tmp.pid, "--log-file=" + tmp.log, "--test-fail=start"])
    one_error_line(rc, err, "tessera: plugin 'tsrtest': --test-fail: failing in start as asked")
    assert log_has(tmp.log, "failing in start as asked"), read(tmp.log)
    wait_for(lambda: not os.path.exists(tmp.pid), what="pid file removal")


def children_started(log):
    return [int(pid) for pid in re.findall(r"keepalive: child (\d+) started", log)]


@test
def keepalive_restarts_a_crashed_child():
    tmp = Tmp()
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":handle_segv=0"
    rc, out, err = run(PLUGIN + ["--daemon", "--keepalive", "--pid-file=" + tmp.pid, "--log-file=" + tmp.log,
                                 "--log-level=message", "--event-threads=2"], env=env)
    assert rc == 0 and err == "", (rc, err)
    supervisor = int(read(tmp.pid))
    try:
        first = wait_for(lambda: children_started(read(tmp.log)), what="first child")[0]
        # Both workers of the first child, so that the count below is the new child's.
        wait_for(lambda: log_has(tmp.log, "says hello", 2), what="hello from the first child's 2 workers")
        os.kill(first, signal.SIGSEGV)
        second = wait_for(lambda: children_started(read(tmp.log))[1:], what="second child")[0]
        assert second != first and alive(second) and alive(supervisor)
        assert log_has(tmp.log, "keepalive: child %d died from SIGSEGV" % first), read(tmp.log)
        wait_for(lambda: log_has(tmp.log, "says hello", 4), what="hello from the new child's 2 workers")
    finally:
        os.kill(supervisor, signal.SIGTERM)  # also when a check failed: no daemon left behind
    wait_gone(supervisor)
    wait_gone(second)
    assert not os.path.exists(tmp.pid), "pid file left behind"
    assert log_has(tmp.log, "keepalive: child %d exited with code 0" % second), read(tmp.log)


@test
def keepalive_does_not_restart_a_normal_exit():
    tmp = Tmp()
    p = subprocess.Popen([TESSERA] + PLUGIN + ["--keepalive", "--log-level=message", "--log-file=" + tmp.log],
                         stderr=subprocess.PIPE, text=True)
    child = wait_for(lambda: children_started(read(tmp.log)), what="child")[0]
    wait_for(lambda: log_has(tmp.log, "says hello"), what="hello")
    os.kill(child, signal.SIGTERM)  # the child itself: a graceful stop, exit code 0
    assert p.wait(timeout=15) == 0
    assert len(children_started(read(tmp.log))) == 1, read(tmp.log)


@test
def sighup_reopens_the_log_file():
    tmp = Tmp()
    p = start([], tmp)
    os.rename(tmp.log, tmp.log + ".1")
    p.send_signal(signal.SIGHUP)
    wait_for(lambda: log_has(tmp.log, "SIGHUP: log file reopened"), what="the new log file")
    assert "SIGHUP" not in read(tmp.log + ".1")
    rc, out, err = stop(p)
    assert rc == 0
    assert log_has(tmp.log, "tsrtest: destroyed")


@test
def defaults_file_mysql_proxy_group_and_command_line():
    tmp = Tmp()
    cnf = tmp.path("mysql-proxy.cnf")
    with open(cnf, "w") as f:
        f.write("[mysql-proxy]\nplugins = tsrtest\nplugin-dir = %s\nevent-threads = 2\nlog-level = message\n"
                "log-file = %s\ntest-words = a, b\ndaemon = false\n" % (PLUGIN_DIR, tmp.log))
    os.chmod(cnf, 0o644)
    p = subprocess.Popen([TESSERA, "--defaults-file=" + cnf, "-w", "c"], stderr=subprocess.PIPE, text=True)
    wait_for(lambda: log_has(tmp.log, "says hello", 2), what="start")
    assert log_has(tmp.log, "tsrtest: started on 2 workers, words 'c'"), read(tmp.log)
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=15)[1]
    assert p.returncode == 0
    assert "has mode 0644: it should be 0660 or stricter" in err, err


@test
def user_and_max_open_files():
    if os.geteuid() != 0:
        print("# skipped --user: not root")
        return
    tmp = Tmp()
    os.chmod(tmp.dir, 0o777)
    p = start(["--user=nobody", "--max-open-files=1234", "--pid-file=" + tmp.pid], tmp)
    with open("/proc/%d/status" % p.pid) as f:
        uid = [line.split()[1:] for line in f if line.startswith("Uid:")][0]
    assert uid == ["65534"] * 4, uid
    with open("/proc/%d/limits" % p.pid) as f:
        limit = [line.split()[3:5] for line in f if line.startswith("Max open files")][0]
    assert limit[0] == "1234", limit
    rc, out, err = stop(p)
    assert rc == 0, (rc, err)


@test
def verbose_shutdown_logs_even_at_critical():
    tmp = Tmp()
    p = subprocess.Popen([TESSERA] + PLUGIN + ["--verbose-shutdown", "--event-threads=2", "--log-file=" + tmp.log])
    wait_for(lambda: threads(p.pid) >= 3, what="worker threads")  # they start after the signal handlers
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=15) == 0
    log = read(tmp.log)
    assert "SIGTERM: shutting down" in log and "exiting with code 0" in log, log
    assert "tsrtest:" not in log, log  # message-level lines stay filtered


def main():
    print("1..%d" % len(TESTS))
    failed = 0
    for n, fn in enumerate(TESTS, 1):
        try:
            fn()
            print("ok %d - %s" % (n, fn.__name__))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (n, fn.__name__))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
