#!/usr/bin/python3
"""tessera's memory: nothing leaks per connection, and idle clients are cheap.

After a warm-up, thousands of connect-query-disconnect cycles must not grow
tessera's RSS by more than LEAK_LIMIT_KIB; 1,000 idle logged-in clients must
fit in IDLE_LIMIT_KIB of RSS all told."""

import harness
import mysql_raw

WARM_UP_CYCLES = 500
CYCLES = 2000
LEAK_LIMIT_KIB = 1024
IDLE_CLIENTS = 1000
IDLE_LIMIT_KIB = 48 * 1024


@harness.needs_proxy
class MemoryTest(harness.ProxyTestCase):

    def login(self):
        return mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD)

    def cycles(self, count):
        for i in range(count):
            conn = self.login()
            self.assertEqual(conn.query("SELECT %d" % i)[0].rows, [(b"%d" % i,)])
            conn.close()

    def test_connections_do_not_leak(self):
        self.cycles(WARM_UP_CYCLES)
        before = self.proxy.rss_kib()
        self.cycles(CYCLES)
        after = self.proxy.rss_kib()
        print("RSS %d KiB before and %d KiB after %d cycles" % (before, after, CYCLES))
        self.assertLess(after - before, LEAK_LIMIT_KIB)

    def test_idle_clients_are_cheap(self):
        clients = [self.login() for _ in range(IDLE_CLIENTS)]
        try:
            rss = self.proxy.rss_kib()
            print("RSS with %d idle clients: %d KiB" % (IDLE_CLIENTS, rss))
            self.assertLess(rss, IDLE_LIMIT_KIB)
            self.assertEqual(clients[-1].query("SELECT 'last'")[0].rows, [(b"last",)])
        finally:
            for conn in clients:
                conn.close()


if __name__ == "__main__":
    harness.main()
