#!/usr/bin/python3
"""Logging in through tessera: the backend's verdict reaches the client unchanged."""

import importlib.util

import pymysql

import harness
from harness import ED_PASSWORD, ED_USER, USER, mariadb_cli


class LoginTest(harness.ProxyTestCase):
    DATABASE = "t_login"

    def login_error_code(self, **kwargs):
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            harness.pymysql_connect(self.port, **kwargs)
        return caught.exception.args[0]

    def test_right_password_pymysql(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), DATABASE()")
            self.assertEqual(cur.fetchone(), ("tessera@%", "t_login"))

    def test_right_password_mysqldb(self):
        conn = harness.mysqldb_connect(self.port, database=self.DATABASE)
        try:
            cur = conn.cursor()
            cur.execute("SELECT CURRENT_USER(), DATABASE()")
            self.assertEqual(cur.fetchone(), ("tessera@%", "t_login"))
        finally:
            conn.close()

    def test_right_password_cli(self):
        out = mariadb_cli(self.port, "-N", "-B", "-e", "SELECT CURRENT_USER(), 1 + 1")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "tessera@%\t2\n")

    def test_wrong_password_gets_1045(self):
        self.assertEqual(self.login_error_code(password="not-the-password"), 1045)

    def test_unknown_user_gets_1045(self):
        self.assertEqual(self.login_error_code(user="nobody_here", password="x"), 1045)

    def test_wrong_password_cli_message(self):
        out = mariadb_cli(self.port, "-e", "SELECT 1", password="wrong")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ERROR 1045 (28000)", out.stderr)
        self.assertIn("Access denied for user 'tessera'", out.stderr)

    def test_unknown_database_gets_1049(self):
        self.assertEqual(self.login_error_code(database="no_such_database"), 1049)

    def test_empty_password_user(self):
        with harness.pymysql_connect(self.port, user="tessera_nopw", password="") as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                self.assertEqual(cur.fetchone(), ("tessera_nopw@%",))

    def test_password_for_user_without_one_gets_1045(self):
        self.assertEqual(self.login_error_code(user="tessera_nopw", password="something"), 1045)

    def test_missing_password_gets_1045(self):
        self.assertEqual(self.login_error_code(password=""), 1045)

    def test_login_after_failed_logins(self):
        for _ in range(5):
            self.assertEqual(self.login_error_code(password="bad"), 1045)
        self.assert_proxy_serves()

    def test_ed25519_cli(self):
        out = mariadb_cli(self.port, "-N", "-B", "-e", "SELECT CURRENT_USER()",
                          user=ED_USER, password=ED_PASSWORD)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "tessera_ed@%\n")

    def test_ed25519_mysqldb(self):
        conn = harness.mysqldb_connect(self.port, user=ED_USER, password=ED_PASSWORD)
        try:
            cur = conn.cursor()
            cur.execute("SELECT CURRENT_USER()")
            self.assertEqual(cur.fetchone(), ("tessera_ed@%",))
        finally:
            conn.close()

    def test_ed25519_pymysql(self):
        if importlib.util.find_spec("nacl") is None:  # PyMySQL's ed25519 needs PyNaCl
            self.skipTest("python3-nacl is not installed")
        with harness.pymysql_connect(self.port, user=ED_USER, password=ED_PASSWORD) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                self.assertEqual(cur.fetchone(), ("tessera_ed@%",))

    def test_ed25519_wrong_password_gets_1045(self):
        import MySQLdb
        with self.assertRaises(MySQLdb.OperationalError) as caught:
            harness.mysqldb_connect(self.port, user=ED_USER, password="wrong")
        self.assertEqual(caught.exception.args[0], 1045)

    def test_native_user_sees_its_own_connection(self):
        with self.connect() as a, self.connect() as b:
            with a.cursor() as cur_a, b.cursor() as cur_b:
                cur_a.execute("SELECT CONNECTION_ID(), USER()")
                cur_b.execute("SELECT CONNECTION_ID(), USER()")
                id_a, user_a = cur_a.fetchone()
                id_b, _ = cur_b.fetchone()
        self.assertNotEqual(id_a, id_b, "two clients must have two backend sessions")
        self.assertTrue(user_a.startswith(USER + "@"))


if __name__ == "__main__":
    harness.main()
