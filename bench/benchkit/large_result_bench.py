"""Sub-benchmark 'large': one big result set read by a fast client, per target."""

import os
import statistics
import subprocess

from . import procs, procstat, targets
from .mariadb import BENCH_PASSWORD, BENCH_USER
from .table import fmt, print_table

READER_SOURCE = os.path.join(os.path.dirname(__file__), "..", "tools", "result-reader.c")
ROW_BYTES = 1000


def build_reader(run):
    path = os.path.join(run.workdir, "result-reader")
    procs.run_checked(["cc", "-O2", "-o", path, READER_SOURCE, "-lcrypto"],
                      os.path.join(run.workdir, "result-reader-build.log"), timeout=120)
    return path


def query(rows):
    return f"SELECT REPEAT('x', {ROW_BYTES}) FROM sbtest.seq_1_to_{rows}"


def read_once(reader, target, sql):
    """One timed read of the whole result: (seconds, bytes, rows)."""
    done = subprocess.run([reader, "127.0.0.1", str(target.port), BENCH_USER, BENCH_PASSWORD,
                           sql], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"result-reader exited {done.returncode}")
    fields = dict(item.split("=") for item in done.stdout.split())
    return float(fields["seconds"]), int(fields["bytes"]), int(fields["rows"])


class Result:
    def __init__(self, target):
        self.target = target
        self.seconds = []
        self.bytes = None
        self.errors = []
        self.start_kib = None
        self.peak_kib = None
        self.dead = False
        self.foreign_percent = []
        self.proxy_cpu = []        # seconds per read; None for direct

    def best(self):
        return min(self.seconds) if self.seconds else None

    def median(self):
        return statistics.median(self.seconds) if self.seconds else None

    def median_proxy_cpu(self):
        values = [v for v in self.proxy_cpu if v is not None]
        return statistics.median(values) if values else None

    def speed(self, direct, statistic):
        """direct's time / this target's time, for statistic Result.best or Result.median."""
        mine, reference = statistic(self), direct and statistic(direct)
        return reference / mine if mine and reference else None


def _mib(kib):
    return kib / 1024 if kib is not None else None


def _read_into(run, result, reader, sql, expected_rows, keep):
    run.wait_for_quiet()
    meter = procstat.CpuMeter([result.target.pid, run.mariadb.pid])
    try:
        seconds, nbytes, rows = read_once(reader, result.target, sql)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        result.errors.append(str(exc))
        return
    meter.stop()
    if rows != expected_rows:
        result.errors.append(f"read {rows} rows, expected {expected_rows}")
    if result.bytes is not None and nbytes != result.bytes:
        result.errors.append(f"read {nbytes} bytes, earlier {result.bytes}")
    result.bytes = nbytes
    if keep:
        result.seconds.append(seconds)
        result.foreign_percent.append(meter.foreign_percent)
        result.proxy_cpu.append(meter.seconds(result.target.pid))


def measure_all(run, live, reader):
    """A warm-up read per target, then rounds that visit the targets in turn."""
    o = run.options
    sql = query(o.large_rows)
    results = [Result(t) for t in live]
    for r in results:
        r.start_kib = procstat.rss_kib(r.target.pid) if r.target.pid else None
    for rep in range(o.large_reps + 1):
        print(f"large: {'warm-up' if rep == 0 else f'round {rep}'} ...", flush=True)
        for r in results:
            if not r.dead:
                _read_into(run, r, reader, sql, o.large_rows, rep > 0)
                _check_alive(run, r)
    for r in results:
        if r.target.pid and not r.dead:
            r.peak_kib = procstat.peak_rss_kib(r.target.pid)
    return results


def _check_alive(run, result):
    try:
        result.target.check_alive()
    except targets.TargetDied as exc:
        run.error(f"large: {exc}")
        result.dead = True


def _row(r, direct):
    best = r.best()
    return [r.target.name, fmt(best, ".3f"), fmt(r.median(), ".3f"),
            fmt(r.bytes / best / 1e6 if best and r.bytes else None, ".0f"),
            fmt(r.speed(direct, Result.best), ".2f"), fmt(r.speed(direct, Result.median), ".2f"),
            fmt(r.median_proxy_cpu(), ".3f"),
            fmt(_mib(r.start_kib), ".1f"), fmt(_mib(r.peak_kib), ".1f"), str(len(r.errors)),
            fmt(max(r.foreign_percent) if r.foreign_percent else None, ".0f")]


def report(run, results):
    o = run.options
    direct = next((r for r in results if r.target.name == targets.DIRECT), None)
    mbytes = (results[0].bytes or 0) / 1e6 if results else 0
    header = ["target", "best s", "median s", "MB/s", "speed vs direct", "(median)",
              "proxy CPU s/read", "proxy RSS MiB at start", "peak", "errors",
              "max other load %"]
    notes = [procstat.OTHER_LOAD_NOTE]
    for r in results:
        for message in r.errors[:3]:
            notes.append(f"  {r.target.name}: {message}")
        if r.errors:
            run.error(f"large via {r.target.name}: {len(r.errors)} failed reads ({r.errors[0]})")
        run.record(r.target.name, "large speed", r.speed(direct, Result.best))
        run.record(r.target.name, "large peak mib", _mib(r.peak_kib))
        run.record_load(max(r.foreign_percent, default=None))
    print_table(f"large result: {o.large_rows} rows x {ROW_BYTES} bytes ({mbytes:.0f} MB on the "
                f"wire), best and median of {o.large_reps} reads; speed = direct time / time",
                header, [_row(r, direct) for r in results], notes)


def run_benchmark(run):
    reader = build_reader(run)
    with targets.running(run) as live:
        report(run, measure_all(run, live, reader))
