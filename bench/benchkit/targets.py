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
    return Tessera(run.workdir, run.tessera_executable, run.mariadb.port,
                   run.options.proxy_threads)


def _start_proxy(run, name):
    """Start a fresh proxy and check a login through it; None (and a noted error) if not."""
    proxy = _new_proxy(run, name)
    try:
        proxy.start()
        check_login(proxy.port)
        return proxy
    except Exception as exc:
        run.error(f"{name}: could not start or log in through it: {exc}\n"
                  f"last lines of {proxy.log}:\n{procs.tail(proxy.log)}")
        proxy.stop()
        return None


@contextlib.contextmanager
def running(run):
    """Fresh proxies for one sub-benchmark: yields the usable targets, stops the proxies."""
    targets, proxies = [], []
    try:
        for name in run.options.targets:
            if name in run.skipped:
                continue
            if name == DIRECT:
                targets.append(Target(DIRECT, run.mariadb.port))
                continue
            proxy = _start_proxy(run, name)
            if proxy:
                proxies.append(proxy)
                targets.append(Target(name, proxy.port, proxy))
        yield targets
    finally:
        for proxy in proxies:
            _stop_and_check(run, proxy)


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
