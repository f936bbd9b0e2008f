"""A throw-away MariaDB server on a loopback port with its own datadir."""

import os
import time

import pymysql

from . import procs

BENCH_USER = "bench"
BENCH_PASSWORD = "bench"

SERVER_OPTIONS = [
    "--innodb-buffer-pool-size=256M",
    "--innodb-log-file-size=64M",
    "--innodb-flush-log-at-trx-commit=2",
    "--max-connections=3000",
    "--max-prepared-stmt-count=100000",
    "--open-files-limit=16000",
    "--thread-cache-size=256",
    "--skip-name-resolve",
    "--skip-log-bin",
    "--performance-schema=OFF",
]


class MariaDB:
    def __init__(self, workdir, name="mariadb"):
        """name names its directory under workdir."""
        self.dir = os.path.join(workdir, name)
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mariadb.sock")
        self.log = os.path.join(self.dir, "mariadb.log")
        self.port = None
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        os.makedirs(self.datadir)
        procs.run_checked(["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                           "--user=root", "--auth-root-authentication-method=normal",
                           "--skip-test-db"], self.log, timeout=120)
        self.port = procs.free_port()
        self.proc = procs.spawn(["mariadbd", "--no-defaults", f"--datadir={self.datadir}",
                                 f"--port={self.port}", "--bind-address=127.0.0.1",
                                 f"--socket={self.socket}", "--user=root",
                                 f"--log-error={self.log}", *SERVER_OPTIONS], self.log)
        procs.wait_for_port(self.proc, self.port, 60, "mariadbd")
        self._create_bench_user()

    def stop(self):
        procs.stop(self.proc, grace=30)

    def root_connect(self):
        return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True)

    def _create_bench_user(self):
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = self.root_connect()
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with conn, conn.cursor() as cur:
            cur.execute(f"CREATE USER '{BENCH_USER}'@'%' IDENTIFIED BY '{BENCH_PASSWORD}'")
            cur.execute(f"GRANT ALL ON *.* TO '{BENCH_USER}'@'%'")
            cur.execute("CREATE DATABASE sbtest")
