"""HAProxy in TCP mode with one server line pointing at the benchmark MariaDB."""

import os
import signal

from . import procs

CONFIG = """\
global
    maxconn 8000
    nbthread {threads}

defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h

frontend mysql
    bind 127.0.0.1:{port}
    maxconn 8000
    default_backend mariadb

backend mariadb
    server db 127.0.0.1:{backend_port} maxconn 8000
"""


class HAProxy:
    name = "haproxy"
    clean_exit_codes = (0, -signal.SIGTERM)  # haproxy -db dies of the SIGTERM itself

    def __init__(self, workdir, backend_port, threads):
        self.dir = os.path.join(workdir, "haproxy")
        self.config = os.path.join(self.dir, "haproxy.cfg")
        self.log = os.path.join(self.dir, "haproxy.log")
        self.backend_port = backend_port
        self.threads = threads
        self.port = None
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.port = procs.free_port()
        with open(self.config, "w") as f:
            f.write(CONFIG.format(threads=self.threads, port=self.port,
                                  backend_port=self.backend_port))
        self.proc = procs.spawn(["haproxy", "-db", "-f", self.config], self.log)
        procs.wait_for_port(self.proc, self.port, 10, "haproxy")

    def stop(self):
        return procs.stop(self.proc)

    def log_problems(self):
        return procs.log_lines(self.log, ("[WARNING]", "[ALERT]"))
