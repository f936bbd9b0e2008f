#!/usr/bin/python3
"""1,000 clients connected through tessera at the same time, all logging in and querying.

A barrier holds every client until all 1,000 are logged in, so tessera really
carries 1,000 client and 1,000 backend connections at once; each client checks
that the answers it gets are its own."""

import collections
import threading

import harness

CLIENTS = 1000
BARRIER_TIMEOUT = 180


class ManyClientsTest(harness.ProxyTestCase):
    BACKEND_COUNT = 2
    DATABASE = "t_many_clients"

    def client(self, index, barrier, outcomes):
        try:
            conn = harness.pymysql_connect(self.port, database=self.DATABASE, connect_timeout=60,
                                           read_timeout=120, autocommit=True)
        except Exception as e:
            barrier.abort()
            outcomes[index] = e
            return
        try:
            barrier.wait()
            with conn.cursor() as cur:
                cur.execute("SELECT @@port, CONNECTION_ID()")
                session = cur.fetchone()
                for round_ in range(3):
                    cur.execute("SELECT %s * 1000 + %s, REPEAT('q', %s)",
                                (index, round_, index % 300))
                    expected = (index * 1000 + round_, "q" * (index % 300))
                    if cur.fetchone() != expected:
                        raise AssertionError("client %d got someone else's answer" % index)
            barrier.wait()
            outcomes[index] = session
        except Exception as e:
            barrier.abort()
            outcomes[index] = e
        finally:
            conn.close()

    def test_thousand_concurrent_clients(self):
        barrier = threading.Barrier(CLIENTS, timeout=BARRIER_TIMEOUT)
        outcomes = [None] * CLIENTS
        threading.stack_size(512 * 1024)
        threads = [threading.Thread(target=self.client, args=(i, barrier, outcomes), daemon=True)
                   for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BARRIER_TIMEOUT * 2 + 60)
        failures = [(i, o) for i, o in enumerate(outcomes) if not isinstance(o, tuple)]
        real_failures = [(i, o) for i, o in failures
                         if not isinstance(o, threading.BrokenBarrierError)]
        self.assertEqual(failures, [], "%d of %d clients failed; first causes: %r"
                         % (len(failures), CLIENTS, (real_failures or failures)[:5]))
        sessions = set(outcomes)
        self.assertEqual(len(sessions), CLIENTS, "every client needs its own backend session")
        per_backend = collections.Counter(port for port, _ in sessions)
        print("clients per backend port: %s" % dict(per_backend))
        self.assert_proxy_serves()


if __name__ == "__main__":
    harness.main()
