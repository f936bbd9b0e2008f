"""tessera running in front of the benchmark MariaDB."""

import os

from . import procs


class Tessera:
    clean_exit_codes = (0,)

    def __init__(self, workdir, executable, backend_port, threads, name="tessera",
                 extra_args=()):
        """name also names its directory under workdir; extra_args go after the defaults;
        backend_port None leaves out --proxy-backend-addresses (a shard map names the backends)."""
        self.name = name
        self.extra_args = list(extra_args)
        self.dir = os.path.join(workdir, name)
        self.log = os.path.join(self.dir, "tessera.log")
        self.executable = executable
        self.backend_port = backend_port
        self.threads = threads
        self.port = None
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.port = procs.free_port()
        backend = ([f"--proxy-backend-addresses=127.0.0.1:{self.backend_port}"]
                   if self.backend_port else [])
        self.proc = procs.spawn([self.executable, f"--proxy-address=127.0.0.1:{self.port}",
                                 *backend, f"--event-threads={self.threads}",
                                 "--log-level=warning", *self.extra_args], self.log)
        procs.wait_for_port(self.proc, self.port, 10, "tessera")

    def stop(self):
        return procs.stop(self.proc)

    def log_problems(self):
        """Everything it logged: it runs with --log-level=warning."""
        return procs.log_lines(self.log)
