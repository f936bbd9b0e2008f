"""Sub-benchmark 'sysbench': OLTP point selects and read-only transactions per target.

Each target gets one unmeasured warm-up run, then the measured time is split into rounds
that visit the targets in turn, so that load changing over time hits all of them alike."""

import os
import subprocess

from . import procstat, targets
from .mariadb import BENCH_PASSWORD, BENCH_USER
from .sysbench_result import RunResult, TargetResult
from .table import fmt, print_table, ratio

TESTS = ("oltp_point_select", "oltp_read_only")


def table_args(run, tables=None):
    """sysbench's --tables (the run's unless given) and --table-size."""
    o = run.options
    return [f"--tables={tables or o.sysbench_tables}", f"--table-size={o.sysbench_table_size}"]


def sysbench(run, test, port, threads, seconds, command, ps_mode=None, args=None):
    """Run sysbench test (a built-in test or a script's path); args are the test's own
    options, by default table_args(run). Returns its output and exit status."""
    o = run.options
    argv = ["sysbench", test, "--db-driver=mysql", "--mysql-host=127.0.0.1",
            f"--mysql-port={port}", f"--mysql-user={BENCH_USER}",
            f"--mysql-password={BENCH_PASSWORD}", "--mysql-db=sbtest",
            *(table_args(run) if args is None else args),
            f"--threads={threads}", f"--time={seconds}", "--events=0",
            f"--db-ps-mode={ps_mode or o.ps_mode}", "--percentile=95", command]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(run.workdir, "sysbench.log"), "a") as log:
        log.write(f"$ {' '.join(argv)}\n{done.stdout}\n")
    return done.stdout, done.returncode


def prepare(run):
    """Create and fill the sysbench tables, once per run (several sub-benchmarks use them)."""
    o = run.options
    if run.sysbench_prepared:
        return
    print(f"sysbench: preparing {o.sysbench_tables} tables x {o.sysbench_table_size} rows",
          flush=True)
    output, rc = sysbench(run, "oltp_read_only", run.mariadb.port,
                          min(o.sysbench_tables, 4), 0, "prepare")
    if rc != 0:
        raise RuntimeError(f"sysbench prepare failed:\n{output}")
    run.sysbench_prepared = True


def warm_up(run, target, test, ps_mode=None, args=None, label=None):
    output, rc = sysbench(run, test, target.port, run.options.threads, run.options.warmup, "run",
                          ps_mode, args)
    result = RunResult(output, rc)
    if result.failed:
        run.error(f"sysbench {label or test} warm-up via {target.name} failed"
                  + "".join(f"\n  {line}" for line in result.fatal[:3]))


def measure_round(run, target, test, seconds, ps_mode=None, args=None):
    run.wait_for_quiet()
    servers = run.server_pids()
    meter = procstat.CpuMeter([target.pid, *servers])
    output, rc = sysbench(run, test, target.port, run.options.threads, seconds, "run", ps_mode,
                          args)
    meter.stop()
    return RunResult(output, rc, meter.seconds(target.pid), meter.foreign_percent,
                     sum(meter.seconds(pid) for pid in servers))


def measure(run, live, test, ps_mode=None, args=None, label=None):
    """Warm up every target, then measure them round by round; returns TargetResults.
    ps_mode overrides --ps-mode (sysbench --db-ps-mode), args the test's options (see
    sysbench()); label names the test in messages (default: test)."""
    o = run.options
    label = label or test
    rounds = {t.name: [] for t in live}
    seconds = max(1, o.seconds // o.rounds)
    alive = list(live)
    for target in alive:
        warm_up(run, target, test, ps_mode, args, label)
    for n in range(1, o.rounds + 1):
        for target in list(alive):
            mode = f" db-ps-mode={ps_mode}" if ps_mode else ""
            print(f"sysbench {label}{mode}: round {n}/{o.rounds} via {target.name} ...",
                  flush=True)
            rounds[target.name].append(measure_round(run, target, test, seconds, ps_mode, args))
            try:
                target.check_alive()
            except targets.TargetDied as exc:
                run.error(f"sysbench {label}: {exc}")
                alive.remove(target)
    return [TargetResult(t, rounds[t.name]) for t in live]


def _row(result, direct):
    per_query = result.cpu_per_query()
    return [result.target.name,
            fmt(result.qps, ".0f"),
            ratio(result.qps, direct.qps if direct else None),
            fmt(result.p95_ms, ".2f"),
            result.error_text(),
            fmt(result.proxy_cpu, ".1f"),
            fmt(per_query * 10_000 if per_query is not None else None, ".3f"),
            fmt(per_query * 1e6 if per_query is not None else None, ".1f"),
            fmt(result.foreign_percent, ".0f")]


def _record(run, test, results, direct):
    short = test.removeprefix("oltp_")
    for r in results:
        qps_ratio = r.qps / direct.qps if direct and direct.qps and r.qps else None
        per_query = r.cpu_per_query()
        run.record(r.target.name, f"{short} qps", r.qps)
        run.record(r.target.name, f"{short} qps ratio", qps_ratio)
        run.record(r.target.name, f"{short} cpu us", per_query and per_query * 1e6)
        run.record_load(r.foreign_percent)


def failure_notes(run, what, results):
    """Note every target whose runs failed as an error of the run; returns table notes with
    their first FATAL lines."""
    notes = []
    for r in results:
        notes += [f"  {r.target.name}: {line}" for line in r.fatal[:3]]
        if r.failed:
            run.error(f"{what} via {r.target.name}: errors: {r.error_text()}")
    return notes


def report(run, test, results):
    direct = next((r for r in results if r.target.name == targets.DIRECT), None)
    o = run.options
    title = (f"sysbench {test}: {o.threads} threads, {o.rounds} rounds x "
             f"{max(1, o.seconds // o.rounds)} s per target after a {o.warmup} s warm-up, "
             f"db-ps-mode={o.ps_mode}, {o.sysbench_tables} tables x {o.sysbench_table_size} rows")
    header = ["target", "QPS", "vs direct", "p95 ms", "sysbench errors",
              "proxy CPU s", "CPU s/10k q", "CPU us/q", "other load %"]
    notes = [procstat.OTHER_LOAD_NOTE] + failure_notes(run, f"sysbench {test}", results)
    print_table(title, header, [_row(r, direct) for r in results], notes)
    _record(run, test, results, direct)


def run_benchmark(run):
    prepare(run)
    with targets.running(run) as live:
        for test in TESTS:
            report(run, test, measure(run, [t for t in live if t.alive()], test))
