#!/usr/bin/python3
"""proxy.response through tessera to real clients: result sets (text rows,
NULLs, numbers, booleans, many rows; EOF and CLIENT_DEPRECATE_EOF), OK and
ERR packets with 0.8's defaults, raw packets, an answer that replaces a
server's result in read_query_result, and responses a script got wrong."""

import struct

import MySQLdb
import pymysql

import harness
import lua_harness
import mysql_raw

SCRIPT = r"""
local proto = require("mysql.proto")

local answers = {}

answers["fields"] = {
  type = proxy.MYSQLD_PACKET_OK,
  resultset = {
    fields = {
      { name = "id", type = proxy.MYSQL_TYPE_LONG },
      { name = "name" },
      { name = "ratio", type = proxy.MYSQL_TYPE_DOUBLE },
      { name = "flag", type = proxy.MYSQL_TYPE_TINY },
      { name = "bytes", type = proxy.MYSQL_TYPE_BLOB },
    },
    rows = {
      { 1, "one", 0.5, true, "\0\1\2" },
      { 2, nil, 2, false, "" },
      { 3 },
    },
  },
}

answers["ok"] = { type = proxy.MYSQLD_PACKET_OK, affected_rows = 5, insert_id = 77, warnings = 2 }
answers["err"] = { type = proxy.MYSQLD_PACKET_ERR, errcode = 1146, sqlstate = "42S02", errmsg = "no such table here" }
answers["err defaults"] = { type = proxy.MYSQLD_PACKET_ERR }
answers["raw ok"] = { type = proxy.MYSQLD_PACKET_RAW,
                      packets = { proto.to_ok_packet({ affected_rows = 3, insert_id = 4, server_status = 2 }) } }
answers["raw err"] = { type = proxy.MYSQLD_PACKET_RAW, packets = { "\255\004\004#12S23raw, raw, raw" } }
answers["no type"] = { errmsg = "x" }
answers["bad type"] = { type = 7 }
answers["bad value"] = { type = proxy.MYSQLD_PACKET_OK, resultset = { fields = { { name = "a" } }, rows = { { {} } } } }
answers["no fields"] = { type = proxy.MYSQLD_PACKET_OK, resultset = { fields = {}, rows = {} } }
answers["no packets"] = { type = proxy.MYSQLD_PACKET_RAW, packets = {} }

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local q = packet:sub(2)
  local many = q:match("^many (%d+)$")
  if many then
    local rows = {}
    for i = 1, tonumber(many) do rows[i] = { i, string.rep("x", i % 50) } end
    proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                       resultset = { fields = { { name = "i", type = proxy.MYSQL_TYPE_LONG }, { name = "s" } },
                                     rows = rows } }
    return proxy.PROXY_SEND_RESULT
  elseif q == "not a table" then
    proxy.response = "nope"
    return proxy.PROXY_SEND_RESULT
  elseif q == "forgot response" then
    return proxy.PROXY_SEND_RESULT
  elseif q == "stale response" then
    -- proxy.response starts empty in every hook call
    if proxy.response.type ~= nil then return proxy.PROXY_SEND_RESULT end
  elseif q:match("^count ") then
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. q:sub(7), { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  end
  if answers[q] then
    proxy.response = answers[q]
    return proxy.PROXY_SEND_RESULT
  end
end

function read_query_result(inj)
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                     resultset = { fields = { { name = "rows_seen", type = proxy.MYSQL_TYPE_LONGLONG } },
                                   rows = { { inj.resultset.row_count } } } }
  return proxy.PROXY_SEND_RESULT
end
"""

FIELDS_ROWS = ((1, "one", 0.5, 1, b"\x00\x01\x02"), (2, None, 2.0, 0, b""), (3, None, None, None, None))


class LuaResponseTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_response"

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def test_result_set_with_pymysql(self):
        self.assertEqual(self.cur.execute("fields"), 3)
        self.assertEqual([d[0] for d in self.cur.description], ["id", "name", "ratio", "flag", "bytes"])
        self.assertEqual([d[1] for d in self.cur.description], [3, 254, 5, 1, 252])
        self.assertEqual(self.cur.fetchall(), FIELDS_ROWS)

    def test_result_set_with_mysqldb(self):
        conn = harness.mysqldb_connect(self.port)
        try:
            cur = conn.cursor()
            cur.execute("fields")
            self.assertEqual(cur.fetchall(), FIELDS_ROWS)
        finally:
            conn.close()

    def test_result_set_with_the_mariadb_cli(self):
        out = harness.mariadb_cli(self.port, "--batch", "-e", "many 3")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "i\ts\n1\tx\n2\txx\n3\txxx\n")

    def test_many_rows(self):
        self.assertEqual(self.cur.execute("many 20000"), 20000)
        rows = self.cur.fetchall()
        self.assertEqual(rows[0], (1, "x"))
        self.assertEqual(rows[-1], (20000, "x" * (20000 % 50)))
        self.assertEqual(self.query("SELECT 1"), ((1,),))

    def query(self, sql):
        self.cur.execute(sql)
        return self.cur.fetchall()

    def test_ok_packet(self):
        self.assertEqual(self.cur.execute("ok"), 5)
        self.assertEqual(self.cur.lastrowid, 77)
        raw = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD)
        try:
            (result,) = raw.query("ok")
            self.assertEqual((result.affected_rows, result.insert_id, result.warnings), (5, 77, 2))
        finally:
            raw.close()

    def test_err_packet(self):
        with self.assertRaises(pymysql.err.ProgrammingError) as ctx:
            self.cur.execute("err")
        self.assertEqual(ctx.exception.args, (1146, "no such table here"))
        raw = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD)
        try:
            with self.assertRaises(mysql_raw.ServerError) as ctx:
                raw.query("err")
            self.assertEqual((ctx.exception.code, ctx.exception.sqlstate), (1146, "42S02"))
            with self.assertRaises(mysql_raw.ServerError) as ctx:
                raw.query("err defaults")
            self.assertEqual((ctx.exception.code, ctx.exception.sqlstate, ctx.exception.message),
                             (1105, "07000", "(lua) proxy.response.errmsg is nil"))
        finally:
            raw.close()

    def test_raw_packets(self):
        self.assertEqual(self.cur.execute("raw ok"), 3)
        self.assertEqual(self.cur.lastrowid, 4)
        with self.assertRaises(pymysql.err.MySQLError) as ctx:
            self.cur.execute("raw err")
        self.assertEqual(ctx.exception.args, (1028, "raw, raw, raw"))

    def test_read_query_result_replaces_the_result(self):
        self.assertEqual(self.query("count SELECT seq FROM seq_1_to_37"), ((37,),))

    def test_proxy_response_starts_empty_in_every_hook(self):
        self.query("fields")
        self.assertEqual(self.query("SELECT 'stale response' = 'x'"), ((0,),))
        with self.assertRaises(pymysql.err.ProgrammingError):
            self.query("stale response")  # not answered by the proxy: MariaDB's syntax error

    def test_a_response_the_script_got_wrong_fails_the_query(self):
        cases = {
            "no type": "proxy.response.type is not set",
            "bad type": "proxy.response.type = 7 is unknown",
            "bad value": "proxy.response.resultset.rows[1][1] is a table",
            "no fields": "proxy.response.resultset.fields is empty",
            "no packets": "proxy.response.packets is empty",
            "not a table": "proxy.response is a string, not a table",
            "forgot response": "proxy.response.type is not set",
        }
        for query, message in cases.items():
            with self.subTest(query=query):
                with self.assertRaises(pymysql.err.OperationalError) as ctx:
                    self.query(query)
                self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
                self.assertIn(message, ctx.exception.args[1])
        self.assertEqual(self.query("SELECT 3"), ((3,),))


class LuaResponseProtocolTest(lua_harness.LuaTestCase):
    """The packets themselves, read with a raw client: EOF or OK ends the
    rows as the client negotiated, and the status flags are the session's."""

    SCRIPT = SCRIPT
    DATABASE = "t_lua_response_raw"

    def raw(self, capabilities=mysql_raw.DEFAULT_CAPABILITIES):
        conn = mysql_raw.Connection(harness.HOST, self.port)
        conn.login(harness.USER, harness.PASSWORD, self.DATABASE, capabilities=capabilities)
        self.addCleanup(conn.close)
        return conn

    def test_classic_eof(self):
        conn = self.raw()
        self.assertFalse(conn.deprecate_eof)
        (result,) = conn.query("many 2")
        self.assertEqual(result.rows, [(b"1", b"x"), (b"2", b"xx")])

    def test_deprecate_eof(self):
        conn = self.raw(mysql_raw.DEFAULT_CAPABILITIES | mysql_raw.CLIENT_DEPRECATE_EOF)
        self.assertTrue(conn.deprecate_eof, "MariaDB offers CLIENT_DEPRECATE_EOF")
        (result,) = conn.query("many 2")
        self.assertEqual(result.rows, [(b"1", b"x"), (b"2", b"xx")])
        self.assertEqual(conn.ping().affected_rows, 0, "the connection is in step")

    def test_status_follows_the_session(self):
        conn = self.raw()
        conn.query("BEGIN")
        (result,) = conn.query("ok")
        self.assertTrue(result.status & 0x0001, "SERVER_STATUS_IN_TRANS inside a transaction")
        conn.query("COMMIT")
        (result,) = conn.query("ok")
        self.assertFalse(result.status & 0x0001)
        self.assertTrue(result.status & 0x0002, "SERVER_STATUS_AUTOCOMMIT")
        (result,) = conn.query("many 1")
        self.assertEqual(result.status & 0x0003, 0x0002)


if __name__ == "__main__":
    harness.main()
