"""Building tessera (release, own build dir) and running it in front of the MariaDB."""

import os
import shutil

from . import procs


def build(source_dir, build_dir, log_path):
    """Configure build_dir once, then bring the tessera executable up to date."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        if os.path.isdir(os.path.join(build_dir, "meson-logs")):
            shutil.rmtree(build_dir)  # an earlier configure failed half-way
        procs.run_checked(["meson", "setup", build_dir, source_dir, "--buildtype=release"],
                          log_path, timeout=300)
    procs.run_checked(["ninja", "-C", build_dir, "tessera"], log_path, timeout=900)
    return os.path.join(build_dir, "tessera")


class Tessera:
    name = "tessera"

    def __init__(self, workdir, executable, backend_port, threads):
        self.dir = os.path.join(workdir, "tessera")
        self.log = os.path.join(self.dir, "tessera.log")
        self.executable = executable
        self.backend_port = backend_port
        self.threads = threads
        self.port = None
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        self.port = procs.free_port()
        self.proc = procs.spawn([self.executable,
                                 f"--proxy-address=127.0.0.1:{self.port}",
                                 f"--proxy-backend-addresses=127.0.0.1:{self.backend_port}",
                                 f"--event-threads={self.threads}",
                                 "--log-level=warning"], self.log)
        procs.wait_for_port(self.proc, self.port, 10, "tessera")

    def stop(self):
        procs.stop(self.proc)
