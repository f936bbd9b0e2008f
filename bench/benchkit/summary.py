"""The closing table: one line per target with its ratios, and tessera's goals."""

import functools
import operator

from . import targets
from .table import fmt, print_table

# Goals for tessera on the 2-core benchmark machine (docs/benchmarks.md).
IDLE_KIB_GOAL = 4.0
LARGE_SPEED_GOAL = 0.98
LARGE_PEAK_MIB_GOAL = 16.0

# Above this share of the machine used by others while measuring, say the numbers are noise.
NOISY_LOAD_PERCENT = 10.0


def _x(value):
    return fmt(value, ".2f") + "x" if value is not None else "n/a"


def _row(run, name):
    m = functools.partial(run.metric, name)
    return [name, _x(m("point_select qps ratio")), _x(m("read_only qps ratio")),
            fmt(m("point_select cpu us"), ".1f"), fmt(m("read_only cpu us"), ".1f"),
            fmt(m("idle kib"), ".2f"), _x(m("large speed")), fmt(m("large peak mib"), ".1f")]


def _verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def _compare(value, limit, better):
    return None if value is None or limit is None else better(value, limit)


def goal_rows(run):
    t = functools.partial(run.metric, targets.TESSERA)
    h = functools.partial(run.metric, targets.HAPROXY)
    ps = "prepared " if run.options.ps_mode == "auto" else ""
    at_most, at_least = operator.le, operator.ge
    checks = [  # goal, tessera's value, limit, unit, format, test
        (f"CPU per {ps}point select <= HAProxy's", t("point_select cpu us"),
         h("point_select cpu us"), "us", ".1f", at_most),
        ("point-select QPS >= HAProxy's", t("point_select qps"), h("point_select qps"), "QPS",
         ".0f", at_least),
        (f"idle client memory <= {IDLE_KIB_GOAL:g} KiB", t("idle kib"), IDLE_KIB_GOAL, "KiB",
         ".2f", at_most),
        (f"large result speed >= {LARGE_SPEED_GOAL}x direct", t("large speed"),
         LARGE_SPEED_GOAL, "x", ".2f", at_least),
        (f"large result peak RSS <= {LARGE_PEAK_MIB_GOAL:g} MiB", t("large peak mib"),
         LARGE_PEAK_MIB_GOAL, "MiB", ".1f", at_most),
    ]
    return [[goal, fmt(value, spec), fmt(limit, spec), unit,
             _verdict(_compare(value, limit, better))]
            for goal, value, limit, unit, spec, better in checks]


def report(run):
    names = [n for n in targets.ALL if n in run.options.targets and n not in run.skipped]
    print_table("summary: ratios are target / direct (higher is better); CPU is the proxy's "
                "per query",
                ["target", "point_select QPS", "read_only QPS", "CPU us/point select",
                 "CPU us/read_only q", "idle KiB/client", "large speed", "large peak MiB"],
                [_row(run, n) for n in names],
                [f"  {n} left out: {why}" for n, why in run.skipped.items()])
    if run.busy_waits:
        print(f"WARNING: {run.busy_waits} measurements started on a machine that did not "
              "become quiet in time.")
    if run.max_other_load > NOISY_LOAD_PERCENT:
        print(f"WARNING: other processes used up to {run.max_other_load:.0f}% of the CPUs while "
              "measuring; ratios from this run are not trustworthy.\n")
    if targets.TESSERA in names:
        print_table("tessera goals", ["goal", "tessera", "limit", "unit", "verdict"],
                    goal_rows(run))
