#!/usr/bin/python3
"""The mariadb command-line client through tessera, as a DBA would use it."""

import harness
from harness import mariadb_cli


class CliTest(harness.ProxyTestCase):
    DATABASE = "t_cli"

    def test_select_one(self):
        out = mariadb_cli(self.port, "-e", "select 1")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "1\n1\n")

    def test_script_on_stdin(self):
        script = ("CREATE TABLE fruit (id INT PRIMARY KEY, name VARCHAR(20));\n"
                  "INSERT INTO fruit VALUES (1, 'apple'), (2, 'pear'), (3, 'fig');\n"
                  "UPDATE fruit SET name = 'plum' WHERE id = 2;\n"
                  "SELECT id, name FROM fruit ORDER BY id;\n")
        out = mariadb_cli(self.port, "-N", "-B", self.DATABASE, stdin_text=script)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "1\tapple\n2\tplum\n3\tfig\n")

    def test_table_output(self):
        out = mariadb_cli(self.port, "-t", "-e", "SELECT 'a' AS x, 2 AS y")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "+---+---+\n| x | y |\n+---+---+\n| a | 2 |\n+---+---+\n")

    def test_sql_error_exit_status_and_message(self):
        out = mariadb_cli(self.port, self.DATABASE, "-e", "SELECT * FROM not_here")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 1146 (42S02)", out.stderr)
        self.assertIn("t_cli.not_here", out.stderr)

    def test_force_continues_after_error(self):
        out = mariadb_cli(self.port, "-N", "-B", "-f", stdin_text="SELECT 1;\nSELECT bogus;\nSELECT 3;\n")
        self.assertEqual(out.stdout, "1\n3\n")
        self.assertIn("ERROR 1054", out.stderr)

    def test_status_command_reports_server(self):
        out = mariadb_cli(self.port, "-e", "status")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("MariaDB", out.stdout)
        self.assertIn("Current user:\t\ttessera@", out.stdout)
        self.assertNotIn("SSL:\t\t\tCipher", out.stdout, "TLS is not offered through tessera")

    def test_warnings_are_relayed(self):
        out = mariadb_cli(self.port, "-N", "-B", "--show-warnings", "-e", "SELECT 1 / 0")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("NULL", out.stdout)
        self.assertIn("Division by 0", out.stdout + out.stderr)

    def test_vertical_output_of_show(self):
        out = mariadb_cli(self.port, "-E", "-e", "SHOW VARIABLES LIKE 'local_infile'")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Variable_name: local_infile", out.stdout)
        self.assertIn("Value: ON", out.stdout)


if __name__ == "__main__":
    harness.main()
