#!/usr/bin/python3
"""Scripts fail closed: an error in a hook (or a script running past its
instruction budget) gives the client ERR 9010 naming the script and line,
logs a line, and never lets the query through unfiltered; the connection,
the worker and other clients go on."""

import threading

import pymysql

import harness
import lua_harness

SCRIPT = r"""
if proxy.global.config.refuse_connections then
  error("new connections are refused by the test")
end

function connect_server()
  if proxy.connection.client.src.address == "127.0.0.6" then
    local missing = nil
    missing.field = 1
  end
end

function read_query(packet)
  local q = packet:sub(2)
  if q:find("boom", 1, true) then
    local t = nil
    return t.x
  elseif q == "spin" then
    while true do end
  elseif q == "spin in pcall" then
    -- catching the budget error does not give the script more time
    while true do pcall(function() while true do end end) end
  elseif q == "refuse new" then
    proxy.global.config.refuse_connections = true
  elseif q == "accept new" then
    proxy.global.config.refuse_connections = false
  elseif q:find("late", 1, true) then
    proxy.queries:append(1, packet, { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  elseif q == "fail on disconnect" then
    failing_disconnect = true
  end
  if q == "refuse new" or q == "accept new" or q == "fail on disconnect" then
    proxy.response = { type = proxy.MYSQLD_PACKET_OK }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_query_result(inj)
  error("read_query_result does not like " .. inj.query:sub(2))
end

function disconnect_client()
  if failing_disconnect then error("disconnect_client failed on purpose") end
end
"""


def script_line(text):
    """The 1-based line of SCRIPT that holds text."""
    for number, line in enumerate(SCRIPT.splitlines(), 1):
        if text in line:
            return number
    raise KeyError(text)


class LuaFailClosedTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_failclosed"
    PROXY_ARGS = ("--event-threads=2", "--lua-instruction-budget=2000000")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40))")

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def server_count(self, what):
        with harness.backend_connect(self.backends[0], self.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM events WHERE what = %s", (what,))
            return cur.fetchone()[0]

    def test_an_error_in_read_query_stops_the_query(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.cur.execute("INSERT INTO events (what) VALUES ('boom')")
        message = self.assert_script_error(
            ctx, "the proxy script failed in read_query",
            "%s:%d: attempt to index local 't' (a nil value)" % (self.script_path, script_line("return t.x")))
        self.assertEqual(ctx.exception.args[0], 9010)
        self.assertEqual(self.server_count("boom"), 0, "the INSERT never reached the server")
        lua_harness.wait_for(lambda: "read_query failed: " + message.split(": ", 2)[2] in
                             lua_harness.log_text(self.proxy), what="the log line")
        self.cur.execute("SELECT 'still here'")
        self.assertEqual(self.cur.fetchall(), (("still here",),))

    def test_an_error_in_read_query_result_replaces_the_result(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.cur.execute("INSERT INTO events (what) VALUES ('late')")
        self.assert_script_error(ctx, "the proxy script failed in read_query_result",
                                 "read_query_result does not like INSERT")
        self.assertEqual(self.server_count("late"), 1, "the statement ran before the hook saw its result")
        self.cur.execute("SELECT 2")
        self.assertEqual(self.cur.fetchall(), ((2,),))

    def test_an_error_in_connect_server_refuses_the_client(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.6")
        self.assert_script_error(ctx, "the proxy script failed in connect_server",
                                 ":%d: attempt to index local 'missing'" % script_line("missing.field = 1"))
        self.assert_proxy_serves()

    def test_an_error_at_the_top_level_refuses_new_connections(self):
        self.cur.execute("refuse new")
        try:
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                self.connect()
            self.assert_script_error(ctx, "the proxy script refused the connection",
                                     "new connections are refused by the test")
            self.cur.execute("SELECT 3")
            self.assertEqual(self.cur.fetchall(), ((3,),), "open connections go on")
        finally:
            self.cur.execute("accept new")
        self.assert_proxy_serves()

    def test_an_error_in_disconnect_client_is_logged(self):
        conn = self.connect()
        conn.cursor().execute("fail on disconnect")
        conn.close()
        lua_harness.wait_for(lambda: "disconnect_client failed: " in lua_harness.log_text(self.proxy),
                             what="the log line")
        self.assertIn("disconnect_client failed on purpose", lua_harness.log_text(self.proxy))
        self.assert_proxy_serves()

    def test_the_budget_stops_a_runaway_hook_and_others_are_served(self):
        errors, served, failures = [], [0], []

        def runaway():
            with self.connect() as conn, conn.cursor() as cur:
                for query in ("spin", "spin in pcall", "spin"):
                    try:
                        cur.execute(query)
                    except pymysql.err.OperationalError as e:
                        errors.append(e.args)
                cur.execute("SELECT 'after spinning'")
                errors.append(cur.fetchall())

        def bystander():
            try:
                with self.connect() as conn, conn.cursor() as cur:
                    for i in range(30):
                        cur.execute("SELECT %d" % i)
                        served[0] += cur.fetchone()[0] == i
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(e)

        threads = [threading.Thread(target=runaway)] + [threading.Thread(target=bystander) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(failures)
        self.assertEqual(served[0], 90, "every bystander query was answered")
        self.assertEqual(len(errors), 4, errors)
        for code, message in errors[:3]:
            self.assertEqual(code, 9010)
            self.assertIn("instruction budget of 2000000 instructions per call (--lua-instruction-budget)", message)
            self.assertIn("%s:" % self.script_path, message)
        self.assertEqual(errors[3], (("after spinning",),), "the connection goes on")
        self.assertTrue(self.proxy.is_alive())


if __name__ == "__main__":
    harness.main()
