#!/usr/bin/python3
"""A 100 MB result read by a slow client: all of it arrives, and tessera's memory stays flat.

tessera must stream results and let a slow client hold back the backend
(backpressure) instead of buffering the result: its RSS, sampled throughout and
as the kernel's high-water mark (VmHWM), stays under RSS_LIMIT_KIB."""

import socket
import time

import pymysql.cursors

import harness
import mysql_raw

ROWS = 100000
ROW_BYTES = 1000
RSS_LIMIT_KIB = 64 * 1024
# Row seq holds seq's letter (A..Z cycling) ROW_BYTES times.
QUERY = ("SELECT seq, REPEAT(CHAR(65 + seq MOD 26), %d) FROM seq_1_to_%d ORDER BY seq"
         % (ROW_BYTES, ROWS))


def expected_text(seq):
    return bytes([65 + seq % 26]) * ROW_BYTES


class SlowConnection(mysql_raw.Connection):
    """Reads at most CHUNK bytes at a time and sleeps DELAY seconds before each read."""

    CHUNK = 32768
    DELAY = 0.004

    def recv_some(self, size):
        time.sleep(self.DELAY)
        return self.sock.recv(min(size, self.CHUNK))


class LargeResultTest(harness.ProxyTestCase):
    DATABASE = "t_large_result"

    def assert_memory_flat(self, sampler):
        if harness.DIRECT:
            return
        self.assertGreater(sampler.samples, 10, "RSS was hardly sampled")
        self.assertLess(sampler.peak_kib, RSS_LIMIT_KIB,
                        "tessera's RSS reached %d KiB while streaming" % sampler.peak_kib)
        peak = self.proxy.peak_rss_kib()
        print("tessera RSS: sampled peak %d KiB over %d samples, VmHWM %d KiB"
              % (sampler.peak_kib, sampler.samples, peak))
        self.assertLess(peak, RSS_LIMIT_KIB, "tessera's VmHWM reached %d KiB" % peak)

    def sampler(self):
        if harness.DIRECT:
            return harness.RssSampler(0)  # nothing to sample: exits at once
        return harness.RssSampler(self.proxy.pid)

    def test_slow_raw_client_reads_100mb(self):
        conn = SlowConnection(harness.HOST, self.port, timeout=120)
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        conn.login(harness.USER, harness.PASSWORD, self.DATABASE)
        with self.sampler() as sampler:
            rows = conn.query_stream(QUERY)
            first = next(rows)
            time.sleep(3)  # a client that stops reading for a while
            count, total_bytes = self.check_rows([first], 1)
            more_count, more_bytes = self.check_rows(rows, 2)
            count += more_count
            total_bytes += more_bytes
        self.assertEqual(count, ROWS)
        self.assertGreaterEqual(total_bytes, ROWS * ROW_BYTES)
        self.assertEqual(conn.query("SELECT 'after the big one'")[0].rows, [(b"after the big one",)])
        conn.close()
        self.assert_memory_flat(sampler)

    def check_rows(self, rows, first_seq):
        count = 0
        total = 0
        for seq, text in rows:
            expected_seq = first_seq + count
            if int(seq) != expected_seq or text != expected_text(expected_seq):
                self.fail("row %d arrived wrong: seq=%r text=%r..." % (expected_seq, seq, text[:20]))
            count += 1
            total += len(text)
        return count, total

    def test_pymysql_unbuffered_cursor_with_pauses(self):
        conn = self.connect(cursorclass=pymysql.cursors.SSCursor, read_timeout=120)
        with self.sampler() as sampler, conn.cursor() as cur:
            cur.execute(QUERY)
            time.sleep(2)
            count = 0
            for seq, text in cur:
                count += 1
                if seq != count or text != expected_text(count):
                    self.fail("row %d arrived wrong: %r %r..." % (count, seq, text[:20]))
                if count % 10000 == 0:
                    time.sleep(0.2)
        self.assertEqual(count, ROWS)
        conn.close()
        self.assert_memory_flat(sampler)


if __name__ == "__main__":
    harness.main()
