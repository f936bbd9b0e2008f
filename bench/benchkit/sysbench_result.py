"""Numbers from sysbench's report, for one run and for the rounds of one target."""

import re
import statistics


def _number(pattern, text, kind=float):
    match = re.search(pattern, text, re.MULTILINE)
    return kind(match.group(1)) if match else None


class RunResult:
    """One `sysbench ... run`: its report, exit status and the CPU measured around it."""

    def __init__(self, output, returncode, proxy_cpu=None, foreign_percent=None,
                 server_cpu=None):
        self.returncode = returncode
        self.proxy_cpu = proxy_cpu
        self.server_cpu = server_cpu  # all MariaDB servers of the run together
        self.foreign_percent = foreign_percent
        self.queries = _number(r"^\s*queries:\s+(\d+)", output, int)
        self.seconds = _number(r"^\s*total time:\s+([\d.]+)s", output)
        self.p95_ms = _number(r"95th percentile:\s+([\d.]+)", output)
        self.ignored = _number(r"ignored errors:\s+(\d+)", output, int) or 0
        self.reconnects = _number(r"reconnects:\s+(\d+)", output, int) or 0
        self.fatal = [line.strip() for line in output.splitlines() if "FATAL" in line]

    @property
    def failed(self):
        return (self.returncode != 0 or self.ignored or self.reconnects or self.fatal
                or self.queries is None)


class TargetResult:
    """All measured rounds of one target, combined."""

    def __init__(self, target, rounds):
        self.target = target
        self.rounds = rounds

    def _sum(self, attr):
        values = [getattr(r, attr) for r in self.rounds]
        return None if not values or None in values else sum(values)

    @property
    def queries(self):
        return self._sum("queries")

    @property
    def qps(self):
        queries, seconds = self.queries, self._sum("seconds")
        return queries / seconds if queries and seconds else None

    @property
    def p95_ms(self):
        values = [r.p95_ms for r in self.rounds if r.p95_ms is not None]
        return statistics.median(values) if values else None

    @property
    def proxy_cpu(self):
        return self._sum("proxy_cpu")

    @property
    def server_cpu(self):
        return self._sum("server_cpu")

    def cpu_per_query(self):
        cpu, queries = self.proxy_cpu, self.queries
        return cpu / queries if cpu is not None and queries else None

    def server_cpu_per_query(self):
        cpu, queries = self.server_cpu, self.queries
        return cpu / queries if cpu is not None and queries else None

    @property
    def foreign_percent(self):
        values = [r.foreign_percent for r in self.rounds if r.foreign_percent is not None]
        return max(values) if values else None

    @property
    def failed(self):
        return not self.rounds or any(r.failed for r in self.rounds)

    @property
    def fatal(self):
        return [line for r in self.rounds for line in r.fatal]

    def error_text(self):
        if not self.failed:
            return "0"
        parts = [f"{sum(r.ignored for r in self.rounds)} ignored",
                 f"{sum(r.reconnects for r in self.rounds)} reconnects"]
        if self.fatal:
            parts.append(f"{len(self.fatal)} FATAL")
        bad_exits = sum(1 for r in self.rounds if r.returncode != 0)
        if bad_exits:
            parts.append(f"{bad_exits} runs exited non-zero")
        return ", ".join(parts)
