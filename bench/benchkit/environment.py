"""The header of a run: what was measured, on what, with which versions."""

import os
import subprocess


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def describe(run, repo_dir):
    o = run.options
    commit = _first_line(["git", "-C", repo_dir, "log", "-1", "--format=%h %s"])
    lines = [
        f"tessera benchmarks ({'quick' if o.quick else 'full'} run): {', '.join(o.benchmarks)}",
        f"  machine: {os.cpu_count()} CPUs, load average {load_average()}",
        f"  repository: {commit}",
        f"  mariadbd: {_first_line(['mariadbd', '--version'])}",
        f"  haproxy: {_first_line(['haproxy', '-v'])}",
        f"  sysbench: {_first_line(['sysbench', '--version'])}",
        f"  tessera: {run.tessera_description}",
        f"  proxy threads: {o.proxy_threads} (HAProxy nbthread, tessera --event-threads)",
        f"  targets: {', '.join(o.targets)}; logs in {run.workdir}",
    ]
    print("\n".join(lines), flush=True)
