#!/usr/bin/python3
"""The DBA's everyday tools through tessera: mariadb-dump, a restore with the
mariadb client, and mariadb-admin."""

import subprocess

import harness

TOOL_ARGS = ["--no-defaults", "--protocol=TCP", "-h", harness.HOST, "-u", harness.USER,
             "-p" + harness.PASSWORD]
SCHEMA = """
CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(50) NOT NULL,
  joined DATE, balance DECIMAL(10,2), notes TEXT, photo BLOB, KEY by_name (name))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, total DOUBLE,
  FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;
INSERT INTO customers (name, joined, balance, notes, photo) VALUES
  ('Ada', '2020-01-02', 10.50, 'first\\ttab and\\nnewline', X'00010203FF'),
  ('Björk', NULL, -3.25, 'quote '' and backslash \\\\', NULL),
  ('東京', '1999-12-31', 0, REPEAT('long ', 2000), X'');
INSERT INTO orders SELECT seq, 1 + seq MOD 3, seq * 1.5 FROM seq_1_to_3000;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 4000;
CREATE TRIGGER orders_check BEFORE INSERT ON orders FOR EACH ROW
  SET NEW.total = GREATEST(NEW.total, 0);
CREATE PROCEDURE order_count(OUT n INT) SELECT COUNT(*) INTO n FROM orders;
"""


def run(cmd, stdin=None, text=True, timeout=120):
    return subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=text, timeout=timeout)


class DbaToolsTest(harness.ProxyTestCase):
    DATABASE = "t_dba_source"
    COPY = "t_dba_copy"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        out = harness.mariadb_cli(cls.backends[0].port, cls.DATABASE, stdin_text=SCHEMA)
        if out.returncode != 0:
            raise RuntimeError("loading the schema failed: " + out.stderr)

    def dump(self, port):
        """The database as mariadb-dump writes it: bytes, as BLOBs are dumped raw."""
        out = run(["mariadb-dump"] + TOOL_ARGS + ["-P", str(port), "--skip-dump-date",
                                                  "--routines", "--triggers", "--single-transaction",
                                                  self.DATABASE], text=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def checksums(self, port, database):
        out = harness.mariadb_cli(port, "-N", "-B", "-e",
                                  "CHECKSUM TABLE %s.customers, %s.orders" % (database, database))
        self.assertEqual(out.returncode, 0, out.stderr)
        return [line.split("\t")[1] for line in out.stdout.splitlines()]

    def test_dump_through_tessera_equals_direct_dump(self):
        through = self.dump(self.port)
        direct = self.dump(self.backends[0].port)
        self.assertIn(b"CREATE TABLE `customers`", through)
        self.assertIn(b"INSERT INTO `orders` VALUES", through)
        self.assertEqual(through, direct)

    def test_restore_through_tessera(self):
        dump = self.dump(self.port)
        out = harness.mariadb_cli(self.port, "-e", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s"
                                  % (self.COPY, self.COPY))
        self.assertEqual(out.returncode, 0, out.stderr)
        out = run(["mariadb"] + TOOL_ARGS + ["-P", str(self.port), self.COPY], stdin=dump,
                  text=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.checksums(self.port, self.COPY),
                         self.checksums(self.backends[0].port, self.DATABASE))
        out = harness.mariadb_cli(self.port, "-N", "-B", self.COPY, "-e",
                                  "CALL order_count(@n); SELECT @n; SELECT COUNT(*) FROM big_orders")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "3000\n334\n")

    def admin(self, *args):
        return run(["mariadb-admin"] + TOOL_ARGS + ["-P", str(self.port)] + list(args))

    def test_admin_ping_status_processlist(self):
        ping = self.admin("ping")
        self.assertEqual(ping.returncode, 0, ping.stderr)
        self.assertEqual(ping.stdout, "mysqld is alive\n")
        status = self.admin("status")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertTrue(status.stdout.startswith("Uptime: "), status.stdout)
        processes = self.admin("processlist")
        self.assertEqual(processes.returncode, 0, processes.stderr)
        self.assertIn("show processlist", processes.stdout.lower())

    def test_admin_variables_and_extended_status(self):
        variables = self.admin("variables")
        self.assertEqual(variables.returncode, 0, variables.stderr)
        self.assertIn("| max_allowed_packet", variables.stdout)
        extended = self.admin("extended-status")
        self.assertEqual(extended.returncode, 0, extended.stderr)
        self.assertIn("| Threads_connected", extended.stdout)


if __name__ == "__main__":
    harness.main()
