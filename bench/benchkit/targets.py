"""The three ways a client reaches MariaDB: directly, through HAProxy, through tessera."""

import contextlib

import pymysql

from . import procs
from .haproxy import HAProxy
from .mariadb import BENCH_PASSWORD, BENCH_USER
from .tessera import Tessera

DIRECT, HAPROXY, TESSERA = "direct", "haproxy", "tessera"
ALL = (DIRECT, HAPROXY, TESSERA)


class TargetDied(RuntimeError):
    pass


class Target:
    """A port to send clients to, and the proxy process behind it (None when direct)."""

    def __init__(self, name, port, proxy=None):
        self.name = name
        self.port = port
        self.proxy = proxy

    @property
    def pid(self):
        return self.proxy.proc.pid if self.proxy else None

    def alive(self):
        return self.proxy is None or self.proxy.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            raise TargetDied(f"{self.name} {procs.exit_status_text(self.proxy.proc)}; "
                             f"last lines of {self.proxy.log}:\n{procs.tail(self.proxy.log)}")


def connect(port, **kwargs):
    return pymysql.connect(host="127.0.0.1", port=port, user=BENCH_USER,
                           password=BENCH_PASSWORD, connect_timeout=10, **kwargs)


def check_login(port):
    """Log in through port and run one query; raise if anything is off."""
    with connect(port) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        if cur.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned the wrong row")


def _new_proxy(run, name):
    if name == HAPROXY:
        return HAProxy(run.workdir, run.mariadb.port, run.options.proxy_threads)
    return new_tessera(run)


def new_tessera(run, name="tessera", extra_args=()):
    """A tessera (not started yet) in front of the run's MariaDB, with the run's settings."""
    return Tessera(run.workdir, run.tessera_executable, run.mariadb.port,
                   run.options.proxy_threads, name, extra_args)


def _start_proxy(run, name, proxy):
    """Start proxy and check a login through it; False (and a noted error) if that fails."""
    try:
        proxy.start()
        check_login(proxy.port)
        return True
    except Exception as exc:
        run.error(f"{name}: could not start or log in through it: {exc}\n"
                  f"last lines of {proxy.log}:\n{procs.tail(proxy.log)}")
        proxy.stop()
        return False


@contextlib.contextmanager
def proxies_running(run, named_proxies):
    """Start the (target name, proxy) pairs: yields Targets for those that started and
    answered, in the same order; stops them all at the end."""
    started, tried = [], []
    try:
        for name, proxy in named_proxies:
            tried.append(proxy)
            if _start_proxy(run, name, proxy):
                started.append(Target(name, proxy.port, proxy))
        yield started
    finally:
        for proxy in tried:
            if any(t.proxy is proxy for t in started):
                _stop_and_check(run, proxy)
            else:
                proxy.stop()  # interrupted while starting: nothing to check, only to stop


@contextlib.contextmanager
def running(run):
    """Fresh proxies for one sub-benchmark: yields the usable targets, stops the proxies."""
    names = [n for n in run.options.targets if n not in run.skipped]
    proxies = [(n, _new_proxy(run, n)) for n in names if n != DIRECT]
    with proxies_running(run, proxies) as started:
        direct = [Target(DIRECT, run.mariadb.port)] if DIRECT in names else []
        yield direct + started


def _stop_and_check(run, proxy):
    """Stop a proxy and report an unclean exit or anything it logged."""
    if proxy.stop():
        run.error(f"{proxy.name} did not exit within 10 s of SIGTERM and was killed")
    elif proxy.proc.returncode not in proxy.clean_exit_codes:
        run.error(f"{proxy.name} {procs.exit_status_text(proxy.proc)} (found when stopping it); "
                  f"last lines of {proxy.log}:\n{procs.tail(proxy.log)}")
    problems = proxy.log_problems()
    if problems:
        run.warn(f"{proxy.name} logged {len(problems)} warnings or errors (in {proxy.log}); "
                 f"last: {problems[-1]}")
