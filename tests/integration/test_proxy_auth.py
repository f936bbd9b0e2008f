#!/usr/bin/python3
"""Proxy-side authentication (--proxy-user): tessera greets clients itself,
checks their mysql_native_password against its own account list, switches
clients that start with another method, and logs in to the backend for them."""

import hashlib

import pymysql

import harness
from harness import PASSWORD, PASSWORD2, USER, USER2, mariadb_cli


def native_hash(password):
    """mysql.user's form of a mysql_native_password: '*' + SHA1(SHA1(password))."""
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


@harness.needs_proxy
class ProxyAuthTest(harness.ProxyTestCase):
    DATABASE = "t_proxy_auth"
    EXTRA_ARGS = (f"--proxy-user={USER}:{PASSWORD}",
                  f"--proxy-user={USER2}:{native_hash(PASSWORD2)}")

    def login_error(self, **kwargs):
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            harness.pymysql_connect(self.port, **kwargs)
        return caught.exception.args

    def test_password_account(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), DATABASE()")
            self.assertEqual(cur.fetchone(), ("tessera@%", self.DATABASE))

    def test_hash_account(self):
        with self.connect(user=USER2, password=PASSWORD2) as conn, conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            self.assertEqual(cur.fetchone(), ("tessera2@%",))

    def test_mysqldb_and_queries(self):
        conn = harness.mysqldb_connect(self.port, database=self.DATABASE)
        try:
            cur = conn.cursor()
            cur.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
            cur.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
            conn.commit()
            cur.execute("SELECT v FROM t ORDER BY id")
            self.assertEqual(cur.fetchall(), (("a",), ("b",)))
            cur.execute("DROP TABLE t")
        finally:
            conn.close()

    def test_cli(self):
        out = mariadb_cli(self.port, "-N", "-B", "-e", "SELECT CURRENT_USER(), 6 * 7")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "tessera@%\t42\n")

    def test_client_starting_with_another_method_is_switched(self):
        for plugin in ("caching_sha2_password", "client_ed25519"):
            with self.subTest(plugin=plugin):
                out = mariadb_cli(self.port, f"--default-auth={plugin}", "-N", "-B", "-e",
                                  "SELECT CURRENT_USER()")
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertEqual(out.stdout, "tessera@%\n")

    def test_wrong_password_gets_1045_worded_as_mysql(self):
        code, message = self.login_error(password="not-it")
        self.assertEqual(code, 1045)
        self.assertEqual(message, "Access denied for user 'tessera'@'localhost' (using password: YES)")

    def test_empty_password_says_no(self):
        code, message = self.login_error(password="")
        self.assertEqual(code, 1045)
        self.assertTrue(message.endswith("(using password: NO)"), message)

    def test_user_unknown_to_tessera_gets_1045(self):
        # The backend knows this account; tessera's list does not.
        code, _ = self.login_error(user=harness.ED_USER, password=harness.ED_PASSWORD)
        self.assertEqual(code, 1045)

    def test_unknown_database_comes_from_the_backend(self):
        code, _ = self.login_error(database="no_such_database_here")
        self.assertEqual(code, 1049)

    def test_multi_statements_and_results(self):
        with self.connect(client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT 1; SELECT 2, 3")
                self.assertEqual(cur.fetchall(), ((1,),))
                self.assertTrue(cur.nextset())
                self.assertEqual(cur.fetchall(), ((2, 3),))

    def test_serves_after_failures(self):
        for _ in range(3):
            self.login_error(password="bad")
        self.assert_proxy_serves()


@harness.needs_proxy
class ProxyAuthBackendDownTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def test_unreachable_backend_gets_9001_after_login(self):
        self.start_proxy([f"127.0.0.1:{harness.closed_port()}"],
                         (f"--proxy-user={USER}:{PASSWORD}", "--proxy-connect-timeout=2"))
        with self.assertRaises(pymysql.err.OperationalError) as caught:
            harness.pymysql_connect(self.port)
        self.assertEqual(caught.exception.args[0], 9001)
        self.assertIn("no backend could be reached", caught.exception.args[1])


if __name__ == "__main__":
    harness.main()
