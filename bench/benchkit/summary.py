"""The closing table: one line per target with its ratios, and tessera's goals."""

import functools
import operator

from . import lua_bench, sharding_bench, targets
from .table import fmt, print_table, times, verdict

# Goals for tessera on the 2-core benchmark machine (docs/benchmarks.md).
IDLE_KIB_GOAL = 4.0
LARGE_SPEED_GOAL = 0.98
LARGE_PEAK_MIB_GOAL = 16.0

# The sub-benchmarks whose figures the per-target summary table shows.
TARGET_TABLE_BENCHMARKS = ("sysbench", "idle", "large")

# Above this share of the machine used by others while measuring, say the numbers are noise.
NOISY_LOAD_PERCENT = 10.0


def _row(run, name):
    m = functools.partial(run.metric, name)
    return [name, times(m("point_select qps ratio")), times(m("read_only qps ratio")),
            fmt(m("point_select cpu us"), ".1f"), fmt(m("read_only cpu us"), ".1f"),
            fmt(m("idle kib"), ".2f"), times(m("large speed")), fmt(m("large peak mib"), ".1f")]


def goal_rows(run):
    t = functools.partial(run.metric, targets.TESSERA)
    h = functools.partial(run.metric, targets.HAPROXY)
    ps = "prepared " if run.options.ps_mode == "auto" else ""
    at_most, at_least = operator.le, operator.ge
    checks = [  # sub-benchmark, goal, tessera's value, limit, unit, format, test
        ("sysbench", f"CPU per {ps}point select <= HAProxy's", t("point_select cpu us"),
         h("point_select cpu us"), "us", ".1f", at_most),
        ("sysbench", "point-select QPS >= HAProxy's", t("point_select qps"),
         h("point_select qps"), "QPS", ".0f", at_least),
        ("idle", f"idle client memory <= {IDLE_KIB_GOAL:g} KiB", t("idle kib"), IDLE_KIB_GOAL,
         "KiB", ".2f", at_most),
        ("large", f"large result speed >= {LARGE_SPEED_GOAL}x direct", t("large speed"),
         LARGE_SPEED_GOAL, "x", ".2f", at_least),
        ("large", f"large result peak RSS <= {LARGE_PEAK_MIB_GOAL:g} MiB", t("large peak mib"),
         LARGE_PEAK_MIB_GOAL, "MiB", ".1f", at_most),
    ] + [
        ("lua", f"CPU/q with an empty read_query <= {lua_bench.EMPTY_HOOK_CPU_GOAL:.2f}x no "
         f"script, {protocol}", t(lua_bench.goal_metric(ps_mode)),
         lua_bench.EMPTY_HOOK_CPU_GOAL, "x", ".2f", at_most)
        for ps_mode, protocol in lua_bench.PS_MODES.items()
    ]
    return [[goal, fmt(value, spec), fmt(limit, spec), unit, verdict(value, limit, better)]
            for benchmark, goal, value, limit, unit, spec, better in checks
            if benchmark in run.options.benchmarks]


def report(run):
    names = [n for n in targets.ALL if n in run.options.targets and n not in run.skipped]
    if set(run.options.benchmarks) & set(TARGET_TABLE_BENCHMARKS):
        print_table("summary: ratios are target / direct (higher is better); CPU is the "
                    "proxy's per query",
                    ["target", "point_select QPS", "read_only QPS", "CPU us/point select",
                     "CPU us/read_only q", "idle KiB/client", "large speed", "large peak MiB"],
                    [_row(run, n) for n in names],
                    [f"  {n} left out: {why}" for n, why in run.skipped.items()])
    if "sharding" in run.options.benchmarks:
        sharding_bench.print_ratios(run)
    if run.busy_waits:
        print(f"WARNING: {run.busy_waits} measurements started on a machine that did not "
              "become quiet in time.")
    if run.max_other_load > NOISY_LOAD_PERCENT:
        print(f"WARNING: other processes used up to {run.max_other_load:.0f}% of the CPUs while "
              "measuring; ratios from this run are not trustworthy.\n")
    goals = goal_rows(run) if targets.TESSERA in names else []
    if goals:
        print_table("tessera goals", ["goal", "tessera", "limit", "unit", "verdict"], goals)
