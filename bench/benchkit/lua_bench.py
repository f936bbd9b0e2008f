"""Sub-benchmark 'lua': what a --proxy-lua-script costs tessera per query.

sysbench oltp_point_select through four tessera processes that differ only in their script
(bench/lua/), measured as the sysbench sub-benchmark measures (a warm-up, then rounds that
alternate between them), once with server-side prepared statements (COM_STMT_EXECUTE) and
once with the text protocol (COM_QUERY, which the histogram scripts tokenize)."""

import collections
import operator
import os

from . import procstat, sysbench_bench, targets
from .table import fmt, print_table, ratio, times, verdict

LUA_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "lua"))
TEST = "oltp_point_select"
PS_MODES = {"auto": "prepared statements", "disable": "text protocol"}

# Goal: calling an empty read_query costs at most this much tessera CPU per query, relative
# to no script.
EMPTY_HOOK_CPU_GOAL = 1.10

Config = collections.namedtuple("Config", "label process script")

CONFIGS = (
    Config("(a) no script", "tessera-no-script", None),
    Config("(b) empty read_query", "tessera-empty-read-query", "empty-read-query.lua"),
    Config("(c) histogram per worker", "tessera-histogram-per-worker",
           "histogram-per-worker.lua"),
    Config("(d) histogram in proxy.global", "tessera-histogram-shared", "histogram-shared.lua"),
)
NO_SCRIPT, EMPTY_HOOK = CONFIGS[0].label, CONFIGS[1].label


def _tessera(run, config):
    args = []
    if config.script:
        args = [f"--proxy-lua-script={os.path.join(LUA_DIR, config.script)}",
                f"--lua-path={os.path.join(LUA_DIR, '?.lua')}"]
    return targets.new_tessera(run, config.process, args)


def _by_label(results, label):
    return next((r for r in results if r.target.name == label), None)


def _cpu_ratio(result, reference):
    mine = result.cpu_per_query() if result else None
    theirs = reference.cpu_per_query() if reference else None
    return mine / theirs if mine is not None and theirs else None


def _row(result, reference):
    per_query = result.cpu_per_query()
    return [result.target.name,
            fmt(result.qps, ".0f"),
            ratio(result.qps, reference.qps if reference else None),
            fmt(result.p95_ms, ".2f"),
            result.error_text(),
            fmt(result.proxy_cpu, ".1f"),
            fmt(per_query * 1e6 if per_query is not None else None, ".1f"),
            ratio(per_query, reference.cpu_per_query() if reference else None),
            fmt(result.foreign_percent, ".0f")]


def goal_metric(ps_mode):
    """The name under which the run records (b)'s CPU per query / (a)'s, for the summary."""
    return f"lua empty read_query cpu ratio {ps_mode}"


def report(run, ps_mode, results):
    o = run.options
    reference = _by_label(results, NO_SCRIPT)
    title = (f"lua: sysbench {TEST} through tessera, {PS_MODES[ps_mode]} "
             f"(db-ps-mode={ps_mode}): {o.threads} threads, {o.rounds} rounds x "
             f"{max(1, o.seconds // o.rounds)} s per configuration after a {o.warmup} s warm-up, "
             f"{o.sysbench_tables} tables x {o.sysbench_table_size} rows")
    header = ["configuration", "QPS", "vs (a)", "p95 ms", "sysbench errors", "tessera CPU s",
              "CPU us/q", "CPU/q vs (a)", "other load %"]
    notes = [procstat.OTHER_LOAD_NOTE] + sysbench_bench.failure_notes(
        run, f"lua {TEST} db-ps-mode={ps_mode}", results)
    print_table(title, header, [_row(r, reference) for r in results], notes)
    empty_ratio = _cpu_ratio(_by_label(results, EMPTY_HOOK), reference)
    print(f"goal: (b) costs at most {EMPTY_HOOK_CPU_GOAL - 1:.0%} more tessera CPU per query "
          f"than (a): {times(empty_ratio)}, "
          f"{verdict(empty_ratio, EMPTY_HOOK_CPU_GOAL, operator.le)}\n", flush=True)
    run.record(targets.TESSERA, goal_metric(ps_mode), empty_ratio)
    for r in results:
        run.record_load(r.foreign_percent)


def run_benchmark(run):
    if targets.TESSERA not in run.options.targets:
        print("lua: left out: it measures tessera, which is not among --targets", flush=True)
        return
    if targets.TESSERA in run.skipped:
        print(f"lua: left out, as tessera is: {run.skipped[targets.TESSERA]}", flush=True)
        return
    sysbench_bench.prepare(run)
    with targets.proxies_running(run, [(c.label, _tessera(run, c)) for c in CONFIGS]) as live:
        for ps_mode in PS_MODES:
            report(run, ps_mode,
                   sysbench_bench.measure(run, [t for t in live if t.alive()], TEST, ps_mode))
