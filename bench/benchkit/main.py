"""bench/run: set up MariaDB (and tessera), run the chosen sub-benchmarks, tear down."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

from . import (environment, idle_bench, large_result_bench, lua_bench, options, procs,
               sharding_bench, summary, sysbench_bench, targets, tessera_build)
from .mariadb import MariaDB
from .run_context import Run

REPO_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

SUB_BENCHMARKS = {
    "sysbench": sysbench_bench.run_benchmark,
    "idle": idle_bench.run_benchmark,
    "large": large_result_bench.run_benchmark,
    "lua": lua_bench.run_benchmark,
    "sharding": sharding_bench.run_benchmark,
}


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def _prepare_tessera(run):
    if targets.TESSERA not in run.options.targets:
        return
    if run.options.tessera_executable:
        run.tessera_executable = os.path.abspath(run.options.tessera_executable)
        run.tessera_description = run.tessera_executable
        return
    build_root = run.options.build_dir or os.path.join(REPO_DIR, "build-bench")
    log = os.path.join(run.workdir, "tessera-build.log")
    print(f"building tessera ({run.options.source}, release) in {build_root} ...", flush=True)
    try:
        run.tessera_executable, run.tessera_description = tessera_build.build(
            REPO_DIR, build_root, run.options.source, log)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"{exc}", flush=True)
        run.skip(targets.TESSERA, f"build failed, see {log}")
        run.tessera_description = f"left out, build failed ({run.options.source})"


def _run_all(run):
    _prepare_tessera(run)
    environment.describe(run, REPO_DIR)
    run.mariadb = MariaDB(run.workdir)
    print("starting MariaDB ...", flush=True)
    try:
        run.mariadb.start()
        for name in run.options.benchmarks:
            print(f"\n== {name} (load average {environment.load_average()})", flush=True)
            SUB_BENCHMARKS[name](run)
    finally:
        run.mariadb.stop()
    summary.report(run)


def _print_errors(run):
    for message in run.warnings:
        print(f"warning: {message}")
    if not run.errors:
        print("no errors in any run")
        return
    print(f"ERRORS ({len(run.errors)}):")
    for message in run.errors:
        print(f"  - {message.splitlines()[0]}")


def main(argv=None):
    opts = options.parse(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    procs.raise_fd_limit()
    workdir = tempfile.mkdtemp(prefix="tessera-bench.")
    run = Run(opts, workdir)
    try:
        _run_all(run)
        _print_errors(run)
    except (KeyboardInterrupt, SystemExit):
        print("interrupted: everything this run started has been stopped", file=sys.stderr)
        raise
    finally:
        if opts.keep:
            print(f"everything kept in {workdir}")
        elif run.errors or run.warnings or run.skipped:
            for server in ("mariadb", "mariadb-2"):
                shutil.rmtree(os.path.join(workdir, server, "data"), ignore_errors=True)
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
