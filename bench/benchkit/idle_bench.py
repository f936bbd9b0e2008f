"""Sub-benchmark 'idle': memory a proxy spends on logged-in clients that do nothing."""

import time

from . import procstat, targets
from .table import fmt, print_table

SETTLE_SECONDS = 1.0
WARM_UP_CONNECTIONS = 10


class Result:
    def __init__(self, target, process):
        self.target = target
        self.process = process
        self.opened = 0
        self.failures = 0
        self.first_error = None
        self.login_seconds = None
        self.rss = {}

    def note_failure(self, exc):
        self.failures += 1
        self.first_error = self.first_error or exc

    def per_client_kib(self, stage):
        if not self.opened or stage not in self.rss or "before" not in self.rss:
            return None
        return (self.rss[stage] - self.rss["before"]) / self.opened


def _watched_pid(run, target):
    """The proxy's pid; for the direct target, mariadbd's (for reference)."""
    return (target.pid, target.name) if target.pid else (run.mariadb.pid, "mariadbd")


def _warm_up(target):
    for _ in range(WARM_UP_CONNECTIONS):
        targets.check_login(target.port)


def _open_clients(target, count, result):
    conns = []
    started = time.monotonic()
    for _ in range(count):
        try:
            conns.append(targets.connect(target.port))
        except Exception as exc:
            result.note_failure(exc)
    result.login_seconds = time.monotonic() - started
    result.opened = len(conns)
    return conns


def _query_each(conns, result):
    for conn in conns:
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchall()
        except Exception as exc:
            result.note_failure(exc)


def _close_all(conns):
    for conn in conns:
        try:
            conn.close()
        except Exception:
            pass


def _snapshot(result, pid, stage):
    time.sleep(SETTLE_SECONDS)
    result.rss[stage] = procstat.rss_kib(pid)


def measure(run, target, count):
    pid, process = _watched_pid(run, target)
    result = Result(target, process)
    _warm_up(target)
    run.wait_for_quiet()
    _snapshot(result, pid, "before")
    conns = _open_clients(target, count, result)
    _snapshot(result, pid, "logged in")
    _query_each(conns, result)
    _snapshot(result, pid, "after query")
    _close_all(conns)
    _snapshot(result, pid, "closed")
    target.check_alive()
    return result


def _row(r):
    def mib(stage):
        return fmt(r.rss[stage] / 1024 if stage in r.rss else None, ".1f")
    return [r.target.name, r.process, f"{r.opened}", f"{r.failures}",
            fmt(r.login_seconds, ".1f"), mib("before"), mib("logged in"),
            mib("after query"), mib("closed"),
            fmt(r.per_client_kib("logged in"), ".2f"),
            fmt(r.per_client_kib("after query"), ".2f")]


def report(run, count, results):
    header = ["target", "process", "clients", "errors", "login s", "RSS MiB before",
              "logged in", "after SELECT 1", "all closed", "KiB/client idle",
              "KiB/client after query"]
    notes = ["  direct: mariadbd's own growth, for reference (no proxy in the path)"]
    for r in results:
        if r.failures:
            notes.append(f"  {r.target.name}: first error: {r.first_error}")
            run.error(f"idle via {r.target.name}: {r.failures} of {count} clients failed "
                      f"({r.first_error})")
        if r.target.pid:
            run.record(r.target.name, "idle kib", r.per_client_kib("logged in"))
    print_table(f"idle clients: {count} logged-in connections held open by one client process",
                header, [_row(r) for r in results], notes)


def run_benchmark(run):
    count = run.options.idle_clients
    with targets.running(run) as live:
        results = []
        for target in live:
            print(f"idle: {count} clients via {target.name} ...", flush=True)
            try:
                results.append(measure(run, target, count))
            except targets.TargetDied as exc:
                run.error(f"idle: {exc}")
        report(run, count, results)
