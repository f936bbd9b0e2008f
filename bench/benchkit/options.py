"""Command line of bench/run."""

import argparse
import os

from . import targets

BENCHMARKS = ("sysbench", "idle", "large", "lua", "sharding")

# Full-run defaults, and what --quick changes for a smoke run of a few minutes.
DEFAULTS = dict(seconds=30, rounds=3, warmup=5, threads=16, idle_clients=2000,
                large_rows=200_000, large_reps=5, quiet_wait=10)
QUICK = dict(seconds=4, rounds=1, warmup=1, idle_clients=300, large_reps=2, quiet_wait=2)

# All waits for a quiet machine together stop after this many seconds in one run.
QUIET_WAIT_BUDGET = 120


def _target_list(text):
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in targets.ALL]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"targets are {', '.join(targets.ALL)}")
    return [n for n in targets.ALL if n in names]


def _defaults(name):
    quick = f", quick {QUICK[name]}" if name in QUICK else ""
    return f"(default {DEFAULTS[name]}{quick})"


def parser():
    p = argparse.ArgumentParser(
        prog="bench/run",
        description="Benchmark tessera against a direct MariaDB connection and HAProxy. "
                    "Starts its own MariaDB, HAProxy and tessera and stops them at the end.")
    p.add_argument("benchmarks", nargs="*", choices=[*BENCHMARKS, "all"], default="all",
                   metavar="BENCHMARK", help=f"{', '.join(BENCHMARKS)} or all (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run of about three and a half minutes: short sysbench runs, "
                   "fewer clients/reads")
    p.add_argument("--targets", type=_target_list, default=list(targets.ALL), metavar="LIST",
                   help="comma-separated subset of direct,haproxy,tessera (default: all three)")
    sysbench = p.add_argument_group("sysbench, lua and sharding")
    sysbench.add_argument("--time", dest="seconds", type=int, metavar="SECONDS",
                          help=f"measured seconds per target and test {_defaults('seconds')}")
    sysbench.add_argument("--rounds", type=int, metavar="N",
                          help="split that time into N runs alternating between the targets "
                          + _defaults("rounds"))
    sysbench.add_argument("--warmup", type=int, metavar="SECONDS",
                          help=f"unmeasured warm-up per target and test {_defaults('warmup')}")
    sysbench.add_argument("--threads", type=int, metavar="N",
                          help=f"sysbench threads {_defaults('threads')}")
    sysbench.add_argument("--ps-mode", choices=("auto", "disable"), default="auto",
                          help="sysbench --db-ps-mode; auto = server-side prepared statements "
                          "(default); the lua sub-benchmark and sharding's point selects run "
                          "both")
    sysbench.add_argument("--tables", dest="sysbench_tables", type=int, default=4, metavar="N",
                          help="sysbench tables (default 4)")
    sysbench.add_argument("--table-size", dest="sysbench_table_size", type=int, default=10_000,
                          metavar="ROWS", help="rows per sysbench table (default 10000)")
    idle = p.add_argument_group("idle")
    idle.add_argument("--idle-clients", type=int, metavar="N",
                      help=f"logged-in connections to hold open {_defaults('idle_clients')}")
    large = p.add_argument_group("large")
    large.add_argument("--large-rows", type=int, metavar="N",
                       help=f"rows of 1000 bytes in the result {_defaults('large_rows')}")
    large.add_argument("--large-reps", type=int, metavar="N",
                       help=f"timed reads per target {_defaults('large_reps')}")
    setup = p.add_argument_group("setup")
    setup.add_argument("--proxy-threads", type=int, default=os.cpu_count(), metavar="N",
                       help="HAProxy nbthread and tessera --event-threads (default: CPU count)")
    setup.add_argument("--tessera", dest="tessera_executable", metavar="PATH",
                       help="use this tessera executable instead of building one")
    setup.add_argument("--source", choices=("head", "worktree"), default="head",
                       help="build tessera from the committed HEAD (default) or from the work "
                       "tree with its uncommitted changes")
    setup.add_argument("--build-dir", metavar="DIR", help="where to build tessera (default: "
                       "build-bench at the repository root)")
    setup.add_argument("--quiet-wait", type=float, metavar="SECONDS",
                       help="before each measurement, wait up to this long for the machine to be "
                       f"nearly idle, at most {QUIET_WAIT_BUDGET} s in all; 0 = don't wait "
                       + _defaults("quiet_wait"))
    setup.add_argument("--keep", action="store_true",
                       help="keep the temporary directory with all logs and the datadir")
    return p


def parse(argv=None):
    options = parser().parse_args(argv)
    if options.benchmarks == "all" or "all" in options.benchmarks:
        options.benchmarks = list(BENCHMARKS)
    presets = {**DEFAULTS, **(QUICK if options.quick else {})}
    for name, value in presets.items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    return options
