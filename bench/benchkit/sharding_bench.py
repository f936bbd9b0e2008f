"""Sub-benchmark 'sharding': what tessera's sharding plugin costs.

A second MariaDB is started beside the run's own; the shard map puts sysbench's sbtest1,
sharded by id (hash, 4 shards), on both: shards 0 and 2 on g1 (the run's MariaDB), 1 and 3
on g2. The shard tables are created and filled by `sysbench prepare` through the sharding
tessera. The unsharded sbtest1 with the same number of rows is the sysbench sub-benchmark's,
on the run's MariaDB.

(1) Single-shard point selects, sysbench oltp_point_select on sbtest1: through a tessera
    with --sharding-config (both servers) against a plain tessera in front of the run's
    MariaDB alone, with prepared statements and with the text protocol.
(2) A scatter aggregate without the shard key (bench/lua/scatter.lua): through the sharding
    tessera, to all 4 shards and merged, against the same query sent directly to the run's
    MariaDB, which holds all the rows (and, for scale, through the plain tessera).

Both are measured as the sysbench sub-benchmark measures: a warm-up, then rounds that
alternate between the targets."""

import collections
import contextlib
import os

import pymysql

from . import procstat, sysbench_bench, targets
from .mariadb import BENCH_PASSWORD, BENCH_USER, MariaDB
from .table import fmt, print_table, ratio, times
from .tessera import Tessera

LUA_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "lua"))
SCATTER_SCRIPT = os.path.join(LUA_DIR, "scatter.lua")
SCATTER_QUERY = "SELECT COUNT(*), SUM(k), AVG(k) FROM sbtest1 WHERE k BETWEEN ? AND ?"
SCATTER_RANGE = 100
POINT_TEST = "oltp_point_select"
SHARDS = 4
PS_MODES = {"auto": "prepared statements", "disable": "text protocol"}

PLAIN = "plain tessera, 1 server"
SHARDED = "sharding tessera, 2 servers"
DIRECT = "direct, 1 server"

# Where the run records its comparisons (run.record's target) for the summary.
METRICS = "sharding"

SERVERS_NOTE = ("  servers: the sharding side uses two MariaDB servers (2 shards each), the other "
                "side one server with all rows; all share the machine's CPUs")
SERVER_CPU_NOTE = "  MariaDB CPU: utime + stime of both servers over the measured runs / queries"

MAP_TEMPLATE = """\
-- The shard map of bench/run's "sharding" sub-benchmark.
return {{
  groups = {{
    g1 = {{ primary = "127.0.0.1:{port1}" }},
    g2 = {{ primary = "127.0.0.1:{port2}" }},
  }},
  default_group = "g1",
  users = {{ {{ user = "{user}", password = "{password}" }} }},
  tables = {{
    ["sbtest.sbtest1"] = {{ shard_key = "id", method = "hash", shards = {shards} }},
  }},
}}
"""

Comparison = collections.namedtuple("Comparison", "label reference result")


def _start_server(run, server):
    try:
        server.start()
        return True
    except (RuntimeError, OSError, pymysql.MySQLError) as exc:
        run.error(f"sharding: the second MariaDB did not start: {exc}")
        return False


@contextlib.contextmanager
def second_server(run):
    """A second MariaDB (group g2) for as long as the sub-benchmark runs; None (and a noted
    error) if it does not start."""
    server = MariaDB(run.workdir, "mariadb-2")
    run.more_servers.append(server)
    try:
        print("sharding: starting a second MariaDB ...", flush=True)
        yield server if _start_server(run, server) else None
    finally:
        server.stop()
        run.more_servers.remove(server)


def write_map(run, port1, port2):
    path = os.path.join(run.workdir, "sharding-map.lua")
    with open(path, "w") as f:
        f.write(MAP_TEMPLATE.format(port1=port1, port2=port2, user=BENCH_USER,
                                    password=BENCH_PASSWORD, shards=SHARDS))
    return path


def sharding_tessera(run, map_path):
    return Tessera(run.workdir, run.tessera_executable, None, run.options.proxy_threads,
                   "tessera-sharding", [f"--sharding-config={map_path}"])


def _row_count(port):
    with targets.connect(port, database="sbtest") as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM sbtest1")
        return cur.fetchone()[0]


def prepare_shards(run, target):
    """sysbench prepare through the sharding tessera: the shard tables and their rows.
    False (and a noted error) if that fails or the rows are not all there."""
    rows = run.options.sysbench_table_size
    print(f"sharding: preparing sbtest1 ({rows} rows) over {SHARDS} shards through tessera",
          flush=True)
    args = [*sysbench_bench.table_args(run, 1), "--auto-inc=off"]
    output, rc = sysbench_bench.sysbench(run, POINT_TEST, target.port, 1, 0, "prepare",
                                         args=args)
    if rc != 0:
        run.error(f"sharding: sysbench prepare through tessera failed:\n{output}")
        return False
    try:
        found = _row_count(target.port)
    except pymysql.MySQLError as exc:
        run.error(f"sharding: SELECT COUNT(*) FROM sbtest1 through tessera failed: {exc}")
        return False
    if found != rows:
        run.error(f"sharding: sbtest1 through tessera has {found} rows, not {rows}")
        return False
    return True


def _per_query_us(value):
    return value * 1e6 if value is not None else None


def _cpu_ratio(result, reference):
    mine, theirs = result.cpu_per_query(), reference.cpu_per_query()
    return mine / theirs if mine is not None and theirs else None


def _server_cpu_ratio(result, reference):
    mine, theirs = result.server_cpu_per_query(), reference.server_cpu_per_query()
    return mine / theirs if mine is not None and theirs else None


def _row(result, reference):
    return [result.target.name,
            fmt(result.qps, ".0f"),
            ratio(result.qps, reference.qps),
            fmt(result.p95_ms, ".2f"),
            result.error_text(),
            fmt(result.proxy_cpu, ".1f"),
            fmt(_per_query_us(result.cpu_per_query()), ".1f"),
            fmt(_per_query_us(result.server_cpu_per_query()), ".1f"),
            fmt(result.foreign_percent, ".0f")]


def _header():
    return ["target", "QPS", "vs ref", "p95 ms", "sysbench errors",
            "tessera CPU s", "tessera CPU us/q", "MariaDB CPU us/q", "other load %"]


def _timing(run):
    o = run.options
    return (f"{o.threads} threads, {o.rounds} rounds x {max(1, o.seconds // o.rounds)} s per "
            f"target after a {o.warmup} s warm-up, sbtest1 of {o.sysbench_table_size} rows")


def report(run, title, label, results, notes=()):
    """Print one comparison's table (results: the reference first, the sharding tessera
    last) and record the comparison for the summary."""
    reference, result = results[0], results[-1]
    notes = [SERVERS_NOTE, SERVER_CPU_NOTE, procstat.OTHER_LOAD_NOTE, *notes]
    notes += sysbench_bench.failure_notes(run, f"sharding {label}", results)
    print_table(title, _header(), [_row(r, reference) for r in results], notes)
    run.record(METRICS, label, Comparison(label, reference, result))
    for r in results:
        run.record_load(r.foreign_percent)


def measure_point_selects(run, plain, sharded, ps_mode):
    args = sysbench_bench.table_args(run, 1)
    results = sysbench_bench.measure(run, [plain, sharded], POINT_TEST, ps_mode, args)
    title = (f"sharding (1): single-shard point selects, sysbench {POINT_TEST} on sbtest1 "
             f"(db-ps-mode={ps_mode}), ref = {PLAIN}: {_timing(run)}")
    report(run, title, f"(1) single-shard point select, {PS_MODES[ps_mode]}", results)


def measure_scatter(run, plain, sharded):
    """The sharding tessera against direct; the plain tessera's row shows the part of the
    difference that any proxy hop costs."""
    direct = targets.Target(DIRECT, run.mariadb.port)
    args = [f"--table-size={run.options.sysbench_table_size}", f"--range-size={SCATTER_RANGE}"]
    results = sysbench_bench.measure(run, [direct, plain, sharded], SCATTER_SCRIPT, args=args,
                                     label="scatter.lua")
    ps_mode = run.options.ps_mode
    title = (f"sharding (2): scatter aggregate over {SHARDS} shards, bench/lua/scatter.lua "
             f"(db-ps-mode={ps_mode}), ref = {DIRECT}: {_timing(run)}")
    notes = [f"  query: {SCATTER_QUERY}, a range of {SCATTER_RANGE} values of k from a "
             "uniformly drawn start"]
    label = f"(2) scatter aggregate over {SHARDS} shards, {PS_MODES[ps_mode]}"
    report(run, title, label, results, notes)


def _ratio_row(comparison):
    reference, result = comparison.reference, comparison.result
    qps_ratio = result.qps / reference.qps if result.qps and reference.qps else None
    return [comparison.label, reference.target.name,
            fmt(result.qps, ".0f"), fmt(reference.qps, ".0f"), times(qps_ratio),
            fmt(_per_query_us(result.cpu_per_query()), ".1f"),
            fmt(_per_query_us(reference.cpu_per_query()), ".1f"),
            times(_cpu_ratio(result, reference)),
            times(_server_cpu_ratio(result, reference))]


def print_ratios(run):
    """The summary's table: the comparisons the run recorded, one line each."""
    comparisons = list(run.metrics.get(METRICS, {}).values())
    if not comparisons:
        return
    print_table(f"sharding: ratios are sharding tessera (2 servers, {SHARDS} shards) / the "
                "reference (one server with all rows)",
                ["comparison", "reference", "QPS", "ref QPS", "QPS ratio", "tessera CPU us/q",
                 "ref tessera CPU us/q", "tessera CPU/q ratio", "MariaDB CPU/q ratio"],
                [_ratio_row(c) for c in comparisons])


def _tessera_left_out(run):
    if targets.TESSERA not in run.options.targets:
        return "it measures tessera, which is not among --targets"
    return run.skipped.get(targets.TESSERA)


def run_benchmark(run):
    why = _tessera_left_out(run)
    if why:
        print(f"sharding: left out: {why}", flush=True)
        return
    sysbench_bench.prepare(run)
    with second_server(run) as server2:
        if server2 is None:
            return
        map_path = write_map(run, run.mariadb.port, server2.port)
        proxies = [(PLAIN, targets.new_tessera(run, "tessera-plain")),
                   (SHARDED, sharding_tessera(run, map_path))]
        with targets.proxies_running(run, proxies) as live:
            by_name = {t.name: t for t in live}
            if len(live) < 2 or not prepare_shards(run, by_name[SHARDED]):
                return
            for ps_mode in PS_MODES:
                if all(t.alive() for t in live):
                    measure_point_selects(run, by_name[PLAIN], by_name[SHARDED], ps_mode)
            if all(t.alive() for t in live):
                measure_scatter(run, by_name[PLAIN], by_name[SHARDED])
