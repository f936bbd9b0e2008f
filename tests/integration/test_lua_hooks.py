#!/usr/bin/python3
"""The hooks of a MySQL Proxy 0.8 script through tessera and real MariaDB:
each is called in its phase with 0.8's arguments, in order, and the login
hooks can refuse a client with proxy.response."""

import pymysql

import harness
import lua_harness

SCRIPT = r"""
local function log(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring(select(i, ...)) end
  print("[hook] " .. table.concat(parts, " "))
end

function connect_server()
  local client = proxy.connection.client
  log("connect_server", proxy.connection.server == nil, client.src.address, proxy.connection.backend_ndx)
  if client.src.address == "127.0.0.3" then
    proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errcode = 1130, errmsg = "refused in connect_server" }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_handshake()
  local server = proxy.connection.server
  log("read_handshake", server.thread_id, #server.scramble_buffer, server.mysqld_version > 0,
      proxy.connection.backend_ndx)
  if proxy.connection.client.src.address == "127.0.0.4" then
    proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errmsg = "refused in read_handshake" }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_auth()
  local client = proxy.connection.client
  log("read_auth", client.username, client.default_db == "" and "-" or client.default_db,
      #client.scrambled_password)
  if client.username == "evil" then
    proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errmsg = "evil logins are not allowed" }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_auth_result(auth)
  log("read_auth_result", type(auth), auth.packet:byte())
end

function read_query(packet)
  log("read_query", packet:byte(), packet:sub(2))
  if packet:sub(2) == "inject" then
    proxy.queries:append(7, string.char(proxy.COM_QUERY) .. "SELECT 'injected'", { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  end
end

function read_query_result(inj)
  log("read_query_result", inj.id, inj.query:sub(2))
end

function disconnect_client()
  log("disconnect_client", proxy.connection.client.username)
end
"""


def hooks(lines):
    """The [hook] lines as lists of words, without the prefix."""
    return [line.split(" ", 1)[1] for line in lines]


class LuaHooksTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_hooks"

    def test_every_hook_runs_in_order_with_its_arguments(self):
        mark = self.mark()
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            thread_id = conn.thread_id()
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchall(), ((1,),))
            cur.execute("inject")
            self.assertEqual(cur.fetchall(), (("injected",),))
        lines = hooks(mark.wait_for(r"^\[hook\] disconnect_client"))
        lines = hooks(mark.new_lines("[hook]"))
        self.assertEqual(lines[0], "connect_server true 127.0.0.1 0")
        self.assertEqual(lines[1], "read_handshake %d 20 true 1" % thread_id)
        self.assertEqual(lines[2], "read_auth tessera t_lua_hooks 20")
        self.assertEqual(lines[3], "read_auth_result table 0")
        queries = [line for line in lines if line.startswith("read_query ")]
        self.assertIn("read_query 3 SELECT 1", queries)
        self.assertIn("read_query 3 inject", queries)
        self.assertEqual(queries[-1], "read_query 1 ", "COM_QUIT goes through read_query too")
        after_inject = lines[lines.index("read_query 3 inject") + 1]
        self.assertEqual(after_inject, "read_query_result 7 SELECT 'injected'")
        self.assertEqual(lines[-1], "disconnect_client tessera")
        self.assertNotIn("read_query_result 3", " ".join(lines),
                         "read_query_result runs only for queued queries")

    def test_read_auth_result_sees_a_failed_login(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(password="wrong")
        self.assertEqual(ctx.exception.args[0], 1045)
        mark.wait_for(r"^\[hook\] read_auth_result table 255$")
        mark.wait_for(r"^\[hook\] disconnect_client tessera$")

    def test_connect_server_refuses_a_client(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.3")
        self.assertEqual(ctx.exception.args[0], 1130)
        self.assertIn("refused in connect_server", ctx.exception.args[1])
        mark.wait_for(r"^\[hook\] disconnect_client nil$")
        lines = hooks(mark.new_lines("[hook]"))
        self.assertEqual(lines[0], "connect_server true 127.0.0.3 0")
        self.assertFalse([line for line in lines if line.startswith("read_handshake")],
                         "no backend is contacted for a refused client")

    def test_read_handshake_refuses_a_client(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.4")
        self.assertEqual(ctx.exception.args[0], 1105, "MySQL Proxy's default error code")
        self.assertIn("refused in read_handshake", ctx.exception.args[1])
        mark.wait_for(r"^\[hook\] disconnect_client nil$")
        self.assertFalse([line for line in mark.new_lines("[hook] read_auth")])

    def test_read_auth_refuses_a_user_before_the_server_sees_the_login(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(user="evil", password="x")
        self.assertEqual(ctx.exception.args[0], 1105)
        self.assertIn("evil logins are not allowed", ctx.exception.args[1])
        mark.wait_for(r"^\[hook\] disconnect_client evil$")
        self.assertFalse(mark.new_lines("[hook] read_auth_result"))
        self.assert_proxy_serves()


if __name__ == "__main__":
    harness.main()
