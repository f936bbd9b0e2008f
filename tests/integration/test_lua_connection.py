#!/usr/bin/python3
"""proxy.connection through tessera and real MariaDB: the client's and the
server's fields checked against what the sockets and the server say,
backend_ndx chosen in connect_server, connection_close, and handles that
outlive their connection."""

import socket

import pymysql

import harness
import lua_harness

SCRIPT = r"""
local function text(v)
  if v == nil then return nil end
  return tostring(v)
end

local function describe()
  local c = proxy.connection
  local client, server = c.client, c.server
  return {
    { "client.username", client.username },
    { "client.default_db", client.default_db },
    { "client.scrambled_password", text(#client.scrambled_password) },
    { "client.auth_plugin_name", client.auth_plugin_name },
    { "client.src.name", client.src.name },
    { "client.src.address", client.src.address },
    { "client.src.port", text(client.src.port) },
    { "client.src.type", text(client.src.type) },
    { "client.dst.name", client.dst.name },
    { "server.src.name", server.src.name },
    { "server.dst.name", server.dst.name },
    { "server.dst.port", text(server.dst.port) },
    { "server.mysqld_version", text(server.mysqld_version) },
    { "server.thread_id", text(server.thread_id) },
    { "server.scramble_buffer", text(#server.scramble_buffer) },
    { "server.username", server.username },
    { "backend_ndx", text(c.backend_ndx) },
  }
end

local function answer(rows)
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                     resultset = { fields = { { name = "name" }, { name = "value" } }, rows = rows } }
  return proxy.PROXY_SEND_RESULT
end

local function try(f)
  local ok, err = pcall(f)
  return answer({ { "error", ok and "none" or tostring(err) } })
end

function connect_server()
  local address = proxy.connection.client.src.address
  if address == "127.0.0.2" then
    proxy.connection.backend_ndx = 2
  elseif address == "127.0.0.5" then
    proxy.connection.backend_ndx = 9
  else
    proxy.connection.backend_ndx = 1
  end
end

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local q = packet:sub(2)
  if q == "describe" then
    return answer(describe())
  elseif q == "switch" then
    proxy.connection.backend_ndx = proxy.connection.backend_ndx == 1 and 2 or 1
  elseif q == "stay" then
    proxy.connection.backend_ndx = proxy.connection.backend_ndx
    return answer({ { "stayed", text(proxy.connection.backend_ndx) } })
  elseif q == "bye" then
    proxy.connection.connection_close = true
  elseif q == "deprecated" then
    return try(function() return proxy.connection.thread_id end)
  elseif q == "write field" then
    return try(function() proxy.connection.foo = 1 end)
  elseif q == "write client" then
    return try(function() proxy.connection.client.username = "root" end)
  elseif q == "keep" then
    local vm_globals = getmetatable(_G).__index
    vm_globals.kept_connection = proxy.connection
    vm_globals.kept_client = proxy.connection.client
    vm_globals.kept_queries = proxy.queries
    return answer({ { "kept", "yes" } })
  elseif q == "use kept connection" then
    return try(function() return kept_connection.backend_ndx end)
  elseif q == "use kept client" then
    return try(function() return kept_client.username end)
  elseif q == "use kept queries" then
    return try(function() kept_queries:append(1, "x") end)
  end
end
"""


class LuaConnectionTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_connection"
    BACKEND_COUNT = 2

    def query(self, conn, sql):
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def describe(self, conn):
        return dict(self.query(conn, "describe"))

    def test_client_and_server_fields(self):
        with self.connect() as conn:
            fields = self.describe(conn)
            client_address = conn._sock.getsockname()
            proxy_address = conn._sock.getpeername()
            (thread_id, version, server_client), = self.query(
                conn, "SELECT CONNECTION_ID(), VERSION(), host FROM information_schema.processlist "
                      "WHERE id = CONNECTION_ID()")
        backend = self.backends[0]
        self.assertEqual(fields["client.username"], harness.USER)
        self.assertEqual(fields["client.default_db"], self.DATABASE)
        self.assertEqual(fields["client.scrambled_password"], "20")
        self.assertEqual(fields["client.auth_plugin_name"], "mysql_native_password")
        self.assertEqual(fields["client.src.name"], "%s:%d" % client_address)
        self.assertEqual(fields["client.src.address"], client_address[0])
        self.assertEqual(fields["client.src.port"], str(client_address[1]))
        self.assertEqual(fields["client.src.type"], str(int(socket.AF_INET)))
        self.assertEqual(fields["client.dst.name"], "%s:%d" % proxy_address)
        self.assertEqual(fields["server.src.name"], server_client, "what the server sees as its client")
        self.assertEqual(fields["server.dst.name"], backend.address)
        self.assertEqual(fields["server.dst.port"], str(backend.port))
        major, minor, patch = version.split("-")[0].split(".")
        self.assertEqual(fields["server.mysqld_version"], str(int(major) * 10000 + int(minor) * 100 + int(patch)))
        self.assertEqual(fields["server.thread_id"], str(thread_id))
        self.assertEqual(fields["server.scramble_buffer"], "20")
        self.assertEqual(fields["server.username"], harness.USER)
        self.assertEqual(fields["backend_ndx"], "1")

    def test_default_db_follows_com_init_db(self):
        with self.connect(database=None) as conn:
            self.assertEqual(self.describe(conn)["client.default_db"], "")
            conn.select_db(self.DATABASE)
            self.assertEqual(self.describe(conn)["client.default_db"], self.DATABASE)
            with self.assertRaises(pymysql.err.OperationalError):
                conn.select_db("t_lua_no_such_db")
            self.assertEqual(self.describe(conn)["client.default_db"], self.DATABASE,
                             "a COM_INIT_DB that failed changes nothing")

    def test_connect_server_picks_the_backend(self):
        with self.connect(bind_address="127.0.0.2") as conn:
            self.assertEqual(self.describe(conn)["backend_ndx"], "2")
            self.assertEqual(self.query(conn, "SELECT @@port"), ((self.backends[1].port,),))
        with self.connect() as conn:
            self.assertEqual(self.query(conn, "SELECT @@port"), ((self.backends[0].port,),))

    def test_connect_server_picking_a_backend_that_does_not_exist(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.5")
        self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
        self.assertIn("proxy.connection.backend_ndx = 9: there is no such backend (1 to 2", ctx.exception.args[1])
        self.assertIn("connect_server", ctx.exception.args[1])

    def test_switching_to_a_backend_without_a_pooled_connection(self):
        # Moving needs an idle connection of the user in the pool
        # (test_lua_pool.py); this script never puts one there.
        with self.connect() as conn:
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                self.query(conn, "switch")
            self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
            self.assertIn("proxy.connection.backend_ndx = 2: no idle connection of user 'tessera' to backend 2",
                          ctx.exception.args[1])
            self.assertEqual(self.query(conn, "stay"), (("stayed", "1"),), "writing the same backend is fine")
            self.assertEqual(self.query(conn, "SELECT @@port"), ((self.backends[0].port,),))

    def test_connection_close_closes_after_the_answer(self):
        conn = self.connect()
        try:
            self.assertEqual(self.query(conn, "SELECT 'bye'"), (("bye",),))
            with self.assertRaises(pymysql.err.ProgrammingError):
                self.query(conn, "bye")  # MariaDB answers (a syntax error), then tessera closes
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                self.query(conn, "SELECT 1")
            self.assertIn(ctx.exception.args[0], (2006, 2013))
        finally:
            conn.close()
        self.assert_proxy_serves()

    def test_fields_that_are_deprecated_or_not_writable(self):
        with self.connect() as conn:
            (_, message), = self.query(conn, "deprecated")
            self.assertIn("proxy.connection.thread_id is deprecated, use proxy.connection.client.thread_id", message)
            (_, message), = self.query(conn, "write field")
            self.assertIn("proxy.connection.foo is not writable", message)
            (_, message), = self.query(conn, "write client")
            self.assertIn("proxy.connection.client.username is not writable", message)

    def test_handles_of_a_closed_connection_raise_errors(self):
        with self.connect() as conn:
            self.assertEqual(self.query(conn, "keep"), (("kept", "yes"),))
        with self.connect() as conn:
            for what in ("connection", "client", "queries"):
                with self.subTest(what=what):
                    (_, message), = self.query(conn, "use kept " + what)
                    self.assertIn("belongs to a client connection that is closed", message)
        self.assert_proxy_serves()


if __name__ == "__main__":
    harness.main()
