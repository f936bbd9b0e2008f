#!/usr/bin/python3
"""LOAD DATA LOCAL INFILE through tessera: the client's file travels through the proxy."""

import hashlib
import os
import zlib

import harness


def write_rows(path, count):
    """A tab-separated file of count rows: id, a text derived from id. Returns its rows."""
    rows = [(i, hashlib.sha1(str(i).encode()).hexdigest() * 3) for i in range(1, count + 1)]
    with open(path, "w") as f:
        for i, text in rows:
            f.write("%d\t%s\n" % (i, text))
    return rows


class LoadDataTest(harness.ProxyTestCase):
    DATABASE = "t_load_data"

    def setUp(self):
        self.workdir = harness.scratch_dir()

    def create_table(self, name):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE %s (id INT PRIMARY KEY, txt VARCHAR(200))" % name)

    def table_checksum(self, name):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*), SUM(id), SUM(CRC32(CONCAT(id, ':', txt))) FROM %s" % name)
            return tuple(int(v) for v in cur.fetchone())

    @staticmethod
    def expected_checksum(rows):
        crc_sum = sum(zlib.crc32(("%d:%s" % row).encode()) for row in rows)
        return (len(rows), sum(i for i, _ in rows), crc_sum)

    def assert_table_holds(self, name, rows):
        self.assertEqual(self.table_checksum(name), self.expected_checksum(rows))

    def test_pymysql_local_infile(self):
        path = os.path.join(self.workdir, "rows.tsv")
        rows = write_rows(path, 50000)  # about 6 MB: many packets through the proxy
        self.create_table("py_load")
        with self.connect(local_infile=True, autocommit=True) as conn, conn.cursor() as cur:
            affected = cur.execute("LOAD DATA LOCAL INFILE %s INTO TABLE py_load", (path,))
            self.assertEqual(affected, len(rows))
            cur.execute("SELECT 'after load'")
            self.assertEqual(cur.fetchone(), ("after load",))
        self.assert_table_holds("py_load", rows)

    def test_pymysql_local_infile_empty_file(self):
        path = os.path.join(self.workdir, "empty.tsv")
        open(path, "w").close()
        self.create_table("py_empty")
        with self.connect(local_infile=True, autocommit=True) as conn, conn.cursor() as cur:
            self.assertEqual(cur.execute("LOAD DATA LOCAL INFILE %s INTO TABLE py_empty", (path,)), 0)
            cur.execute("SELECT COUNT(*) FROM py_empty")
            self.assertEqual(cur.fetchone(), (0,))

    def test_cli_local_infile(self):
        path = os.path.join(self.workdir, "cli.tsv")
        rows = write_rows(path, 3000)
        self.create_table("cli_load")
        out = harness.mariadb_cli(self.port, "--local-infile=1", self.DATABASE, "-e",
                                  "LOAD DATA LOCAL INFILE '%s' INTO TABLE cli_load" % path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assert_table_holds("cli_load", rows)

    def test_cli_missing_local_file_errors_and_session_survives(self):
        self.create_table("cli_missing")
        missing = os.path.join(self.workdir, "does-not-exist.tsv")
        out = harness.mariadb_cli(self.port, "--local-infile=1", "-N", "-B", "-f", self.DATABASE,
                                  stdin_text="LOAD DATA LOCAL INFILE '%s' INTO TABLE cli_missing;\n"
                                             "SELECT 'survived';\n" % missing)
        self.assertIn("not found", out.stderr)
        self.assertEqual(out.stdout, "survived\n")


if __name__ == "__main__":
    harness.main()
