#!/usr/bin/python3
"""COM_CHANGE_USER through tessera, with MySQLdb's change_user (libmariadb)."""

import MySQLdb

import harness
from harness import ED_PASSWORD, ED_USER, PASSWORD2, USER2


class ChangeUserTest(harness.ProxyTestCase):
    DATABASE = "t_change_user"

    def setUp(self):
        self.conn = harness.mysqldb_connect(self.port, database=self.DATABASE)

    def tearDown(self):
        self.conn.close()

    def session(self):
        cur = self.conn.cursor()
        cur.execute("SELECT CURRENT_USER(), DATABASE(), @marker, CONNECTION_ID()")
        return cur.fetchone()

    def test_change_to_second_native_user(self):
        self.conn.cursor().execute("SET @marker = 'before'")
        user, database, marker, conn_id = self.session()
        self.assertEqual((user, database, marker), ("tessera@%", self.DATABASE, "before"))
        self.conn.change_user(USER2, PASSWORD2, "mysql")
        user2, database2, marker2, conn_id2 = self.session()
        self.assertEqual((user2, database2), ("tessera2@%", "mysql"))
        self.assertIsNone(marker2, "COM_CHANGE_USER resets the session's variables")
        self.assertEqual(conn_id2, conn_id, "the same backend session is reused")

    def test_change_back_and_forth(self):
        for user, password in ((USER2, PASSWORD2), ("tessera", "tessera"), (USER2, PASSWORD2)):
            self.conn.change_user(user, password, self.DATABASE)
            self.assertEqual(self.session()[0], user + "@%")

    def test_change_to_ed25519_user_switches_auth_plugin(self):
        self.conn.change_user(ED_USER, ED_PASSWORD)
        self.assertEqual(self.session()[0], "tessera_ed@%")
        self.conn.change_user("tessera", "tessera", self.DATABASE)
        self.assertEqual(self.session()[0], "tessera@%")

    def test_wrong_password_gets_1045_and_keeps_the_old_user(self):
        with self.assertRaises(MySQLdb.OperationalError) as caught:
            self.conn.change_user(USER2, "wrong")
        self.assertEqual(caught.exception.args[0], 1045)
        # MariaDB keeps the previous account after a refused COM_CHANGE_USER.
        self.assertEqual(self.session()[0], "tessera@%")
        self.conn.change_user(USER2, PASSWORD2)
        self.assertEqual(self.session()[0], "tessera2@%")

    def test_change_user_mid_use_then_queries_work(self):
        cur = self.conn.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS cu_t (n INT)")
        cur.execute("INSERT INTO cu_t VALUES (1), (2)")
        self.conn.commit()
        self.conn.change_user(USER2, PASSWORD2, self.DATABASE)
        cur = self.conn.cursor()
        cur.execute("SELECT SUM(n) FROM cu_t")
        self.assertEqual(cur.fetchone(), (3,))


if __name__ == "__main__":
    harness.main()
