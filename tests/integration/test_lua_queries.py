#!/usr/bin/python3
"""proxy.queries through tessera and real MariaDB: append, prepend, reset,
len and #, ids coming back in read_query_result, resultset_is_needed, and
what the client gets when a script queues several queries or ignores them
all."""

import pymysql

import harness
import lua_harness
import mysql_raw

SCRIPT = r"""
local Q = string.char(proxy.COM_QUERY)
local mode

function read_query(packet)
  local q = packet:sub(2)
  mode = q
  if packet:byte() == proxy.COM_STMT_CLOSE then
    proxy.queries:append(40, packet, { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  end
  if packet:byte() ~= proxy.COM_QUERY then return end
  if q == "order" then
    proxy.queries:append(2, Q .. "SELECT 'second'", { resultset_is_needed = true })
    proxy.queries:prepend(1, Q .. "SELECT 'first'", { resultset_is_needed = true })
    proxy.queries:append(3, Q .. "SELECT 'third'")
    print("[queries] len " .. proxy.queries:len() .. " # " .. #proxy.queries)
    return proxy.PROXY_SEND_QUERY
  elseif q == "reset" then
    proxy.queries:append(1, Q .. "SELECT 'dropped'")
    proxy.queries:reset()
    print("[queries] after reset " .. #proxy.queries)
    proxy.queries:append(2, Q .. "SELECT 'kept'")
    return proxy.PROXY_SEND_QUERY
  elseif q:match("^SELECT 'as is'") then
    return proxy.PROXY_SEND_QUERY
  elseif q == "no return" then
    proxy.queries:append(5, Q .. "SELECT 'queued, nothing returned'")
  elseif q == "ignore all" then
    proxy.queries:append(6, Q .. "SELECT 6", { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  elseif q == "pick second" then
    proxy.queries:append(7, Q .. "SELECT 'one'", { resultset_is_needed = true })
    proxy.queries:append(8, Q .. "SELECT 'two'", true)
    return proxy.PROXY_SEND_QUERY
  elseif q == "chain" then
    proxy.queries:append(9, Q .. "SELECT 'chain 1'", { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  elseif q == "empty packet" then
    proxy.queries:append(1, "")
    return proxy.PROXY_SEND_QUERY
  elseif q == "bad id" then
    proxy.queries:append("x", Q .. "SELECT 1")
    return proxy.PROXY_SEND_QUERY
  end
end

function read_query_result(inj)
  print(string.format("[result] %d %s needed=%s rows=%d", inj.id, inj.query:sub(2), tostring(inj.resultset_is_needed),
                      inj.resultset.row_count))
  if mode == "ignore all" then return proxy.PROXY_IGNORE_RESULT end
  if mode == "pick second" and inj.id == 7 then return proxy.PROXY_IGNORE_RESULT end
  if inj.id == 9 then
    proxy.queries:append(10, Q .. "SELECT 'chain 2'", { resultset_is_needed = true })
    return proxy.PROXY_IGNORE_RESULT
  end
  if inj.id == 40 then
    print(string.format("[close] status=%s raw=%s bytes=%d", tostring(inj.resultset.query_status),
                        tostring(inj.resultset.raw), inj.resultset.bytes))
  end
end
"""


class LuaQueriesTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_queries"

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def query(self, sql):
        self.cur.execute(sql)
        return self.cur.fetchall()

    def test_append_prepend_and_len(self):
        mark = self.mark()
        self.assertEqual(self.query("order"), (("first",),), "the first result the script does not ignore")
        self.assertEqual(mark.new_lines("[queries]"), ["[queries] len 3 # 3"])
        results = mark.wait_for(r"^\[result\] ", count=3)
        self.assertEqual(results, ["[result] 1 SELECT 'first' needed=true rows=1",
                                   "[result] 2 SELECT 'second' needed=true rows=1",
                                   "[result] 3 SELECT 'third' needed=false rows=1"])
        lua_harness.wait_for(lambda: "the client already has a result" in lua_harness.log_text(self.proxy),
                             what="the warning about results the client cannot get")
        self.assertEqual(self.query("SELECT 'next'"), (("next",),), "the connection is in step")

    def test_reset_empties_the_queue(self):
        mark = self.mark()
        self.assertEqual(self.query("reset"), (("kept",),))
        self.assertEqual(mark.new_lines("[queries]"), ["[queries] after reset 0"])
        self.assertEqual(mark.wait_for(r"^\[result\] "), ["[result] 2 SELECT 'kept' needed=false rows=1"])

    def test_send_query_with_nothing_queued_sends_the_client_packet(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT 'as is'"), (("as is",),))
        self.assertEqual(self.query("SELECT 1"), ((1,),))
        self.assertFalse(mark.new_lines("[result]"), "no queued query, no read_query_result")

    def test_queued_without_a_return_value_is_sent(self):
        # MySQL Proxy 0.8 answered what read_query queued even when it returned
        # nothing (its tutorial-states.lua relies on it).
        mark = self.mark()
        self.assertEqual(self.query("no return"), (("queued, nothing returned",),))
        mark.wait_for(r"^\[result\] 5 ")

    def test_ignoring_every_result_is_an_error_for_the_client(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.query("ignore all")
        self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
        self.assertIn("ignored every result", ctx.exception.args[1])
        self.assertEqual(self.query("SELECT 2"), ((2,),))

    def test_the_script_picks_which_result_the_client_gets(self):
        mark = self.mark()
        self.assertEqual(self.query("pick second"), (("two",),))
        self.assertEqual(mark.wait_for(r"^\[result\] ", count=2),
                         ["[result] 7 SELECT 'one' needed=true rows=1", "[result] 8 SELECT 'two' needed=true rows=1"])

    def test_read_query_result_can_queue_more(self):
        mark = self.mark()
        self.assertEqual(self.query("chain"), (("chain 2",),))
        mark.wait_for(r"^\[result\] 10 SELECT 'chain 2'")

    def test_an_empty_packet_is_refused(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.query("empty packet")
        self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
        self.assertIn("the packet is empty", ctx.exception.args[1])
        line = SCRIPT.splitlines().index('    proxy.queries:append(1, "")') + 1
        self.assertIn(".lua:%d: " % line, ctx.exception.args[1], "the script's line")

    def test_a_big_command_reaches_read_query_whole(self):
        # read_query gets whole commands (up to 16 MiB): tessera reads on past
        # its usual input limit until the command is complete.
        for size in (700 * 1024, 5 * 1024 * 1024):
            with self.subTest(size=size):
                self.assertEqual(self.query("SELECT LENGTH('%s')" % ("x" * size)), ((size,),))

    def test_an_id_must_be_a_number(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.query("bad id")
        self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
        self.assertIn("bad argument #1 to 'append'", ctx.exception.args[1])


class LuaQueuedStatementCloseTest(lua_harness.LuaTestCase):
    """A queued command without a response (COM_STMT_CLOSE) still reaches
    read_query_result, with an empty result, and the client is not answered."""

    SCRIPT = SCRIPT
    DATABASE = "t_lua_queries_close"

    def test_statement_close_goes_through_read_query_result(self):
        mark = self.mark()
        conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD, self.DATABASE)
        try:
            stmt = conn.stmt_prepare("SELECT ? + 1")
            self.assertEqual(conn.stmt_execute(stmt, (41,)).rows, [(42,)])
            conn.stmt_close(stmt)
            conn.ping()
            mark.wait_for(r"^\[result\] 40 ")
            self.assertEqual(mark.new_lines("[close]"), ["[close] status=nil raw=nil bytes=0"])
            with self.assertRaises(mysql_raw.ServerError) as ctx:
                conn.stmt_execute(stmt, (1,))
            self.assertEqual(ctx.exception.code, 1243, "the statement is closed on the server")
        finally:
            conn.close()


if __name__ == "__main__":
    harness.main()
