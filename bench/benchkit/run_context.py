"""What one bench/run invocation shares between its sub-benchmarks."""

import sys
import time

from . import procstat
from .options import QUIET_WAIT_BUDGET


class Run:
    def __init__(self, options, workdir):
        self.options = options
        self.workdir = workdir
        self.mariadb = None
        self.more_servers = []     # MariaDB servers a sub-benchmark runs beside self.mariadb
        self.sysbench_prepared = False  # sysbench's tables exist in MariaDB
        self.tessera_executable = None
        self.tessera_description = "not used"
        self.skipped = {}          # target name -> why it is left out
        self.errors = []
        self.warnings = []
        self.metrics = {}          # target name -> {metric: value}
        self.max_other_load = 0.0  # % of all CPUs used by others while measuring
        self.busy_waits = 0        # measurements started on a machine that stayed busy
        self.quiet_budget = QUIET_WAIT_BUDGET

    def error(self, message):
        """Something went wrong in a measurement: shown now and again at the end."""
        self.errors.append(message)
        print(f"!! {message}", file=sys.stderr, flush=True)

    def warn(self, message):
        """Not a failed measurement, but worth a look: shown now and again at the end."""
        self.warnings.append(message)
        print(f"-- {message}", flush=True)

    def skip(self, target, reason):
        self.skipped[target] = reason
        print(f"-- {target} left out: {reason}", flush=True)

    def record(self, target, metric, value):
        self.metrics.setdefault(target, {})[metric] = value

    def wait_for_quiet(self):
        """Let other work on the machine (and our own servers) calm down before measuring."""
        wait = min(self.options.quiet_wait, self.quiet_budget)
        if wait <= 0:
            return
        started = time.monotonic()
        if not procstat.wait_for_quiet(wait):
            self.busy_waits += 1
        self.quiet_budget -= time.monotonic() - started

    def record_load(self, percent):
        if percent is not None:
            self.max_other_load = max(self.max_other_load, percent)

    def server_pids(self):
        """The MariaDB servers running now: the run's own and those of a sub-benchmark."""
        return [s.pid for s in [self.mariadb, *self.more_servers] if s and s.proc]

    def metric(self, target, metric):
        return self.metrics.get(target, {}).get(metric)
