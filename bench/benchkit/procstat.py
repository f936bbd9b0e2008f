"""Per-process CPU time and memory from /proc."""

import os
import resource
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

OTHER_LOAD_NOTE = ("  other load: highest CPU share (of all CPUs) used outside MariaDB, the proxy "
                   "and the benchmark clients while measuring; near 0 or the numbers are noise")


def cpu_seconds(pid):
    """utime + stime of the whole process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command name: field 3 (state) is index 0, utime (14) index 11, stime (15) index 12.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def status_kib(pid, key):
    """A 'kB' line of /proc/PID/status, such as VmRSS or VmHWM, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(f"{key} not in /proc/{pid}/status")


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def peak_rss_kib(pid):
    return status_kib(pid, "VmHWM")


def reset_peak_rss(pid):
    """Set VmHWM back to the current RSS (Linux >= 4.0, needs privilege over pid)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def machine_busy_seconds():
    """CPU seconds all CPUs spent outside idle and iowait since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def own_and_children_seconds():
    """CPU of this process plus its waited-for children (the benchmark clients)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CpuMeter:
    """CPU used over a window by given processes, by this harness and its clients, and by
    everything else on the machine (other people's work: noise in the measurement)."""

    def __init__(self, pids):
        self.pids = [pid for pid in pids if pid]
        self._start = self._sample()
        self.used = None

    def _sample(self):
        return (time.monotonic(), machine_busy_seconds(), own_and_children_seconds(),
                {pid: cpu_seconds(pid) for pid in self.pids})

    def stop(self):
        wall0, busy0, ours0, pids0 = self._start
        wall1, busy1, ours1, pids1 = self._sample()
        self.used = {pid: pids1[pid] - pids0[pid] for pid in self.pids}
        foreign = (busy1 - busy0) - (ours1 - ours0) - sum(self.used.values())
        self.foreign_percent = max(0.0, 100 * foreign / ((wall1 - wall0) * os.cpu_count()))
        return self

    def seconds(self, pid):
        return self.used.get(pid) if pid else None


def wait_for_quiet(max_seconds, threshold_percent=10.0, sample_seconds=0.5, samples_needed=2):
    """Wait until the whole machine is nearly idle (two samples in a row below threshold)
    or max_seconds have passed; returns True if it became quiet."""
    deadline = time.monotonic() + max_seconds
    quiet_samples = 0
    while quiet_samples < samples_needed:
        if time.monotonic() >= deadline:
            return False
        busy0 = machine_busy_seconds()
        time.sleep(sample_seconds)
        percent = 100 * (machine_busy_seconds() - busy0) / (sample_seconds * os.cpu_count())
        quiet_samples = quiet_samples + 1 if percent < threshold_percent else 0
    return True
