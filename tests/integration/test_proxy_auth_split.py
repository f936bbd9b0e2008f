#!/usr/bin/python3
"""A script moves clients that tessera authenticated itself between
backends: connections to other backends are opened on demand with the
client's credentials (examples/rw-split-proxy-auth.lua)."""

import os

import harness
from harness import PASSWORD, USER

SCRIPT = os.path.join(harness.REPO_ROOT, "examples", "rw-split-proxy-auth.lua")


@harness.needs_proxy
class ProxyAuthSplitTest(harness.ProxyTestCase):
    BACKEND_COUNT = 2
    SHARED_PROXY = False

    def setUp(self):
        primary, replica = harness.backends()[:2]
        self.primary_port, self.replica_port = primary.port, replica.port
        self.start_proxy([primary.address], (f"--proxy-read-only-backend-addresses={replica.address}",
                                             f"--proxy-user={USER}:{PASSWORD}",
                                             f"--proxy-lua-script={SCRIPT}"))

    def port_of(self, cur, sql="SELECT @@port"):
        cur.execute(sql)
        return cur.fetchone()[0]

    def test_reads_go_to_the_replica_writes_to_the_primary(self):
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            self.assertEqual(self.port_of(cur), self.replica_port)
            self.assertEqual(self.port_of(cur, "SELECT @@port FOR UPDATE"), self.primary_port)
            self.assertEqual(self.port_of(cur), self.replica_port)

    def test_transactions_stay_on_the_primary(self):
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("BEGIN")
            self.assertEqual(self.port_of(cur), self.primary_port)
            self.assertEqual(self.port_of(cur), self.primary_port)
            cur.execute("COMMIT")
            self.assertEqual(self.port_of(cur), self.replica_port)

    def test_many_switches_and_clients(self):
        for _ in range(3):
            with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
                for _ in range(20):
                    self.assertEqual(self.port_of(cur), self.replica_port)
                    self.assertEqual(self.port_of(cur, "SELECT @@port FOR UPDATE"), self.primary_port)
        self.assert_proxy_serves()

    def test_user_is_the_client_on_both_backends(self):
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), @@port")
            self.assertEqual(cur.fetchone(), ("tessera@%", self.replica_port))
            cur.execute("SELECT CURRENT_USER(), @@port FOR UPDATE")
            self.assertEqual(cur.fetchone(), ("tessera@%", self.primary_port))


if __name__ == "__main__":
    harness.main()
