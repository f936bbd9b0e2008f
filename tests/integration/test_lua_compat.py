#!/usr/bin/python3
"""MySQL Proxy 0.8 compatibility: scripts written as 0.8's tutorials are
(basic, inject, rewrite, resultset, query-time, warnings, states, prepared
statements) run unchanged through tessera in front of real MariaDB and
behave as 0.8's documentation says."""

import re
import struct

import pymysql

import harness
import lua_harness
import mysql_raw

TUTORIAL_BASIC = r"""
function read_query( packet )
	if string.byte(packet) == proxy.COM_QUERY then
		print("we got a normal query: " .. string.sub(packet, 2))
	end
end
"""

TUTORIAL_INJECT = r"""
function read_query( packet )
	if string.byte(packet) == proxy.COM_QUERY then
		print("we got a normal query: " .. string.sub(packet, 2))

		proxy.queries:append(1, packet )
		proxy.queries:append(2, string.char(proxy.COM_QUERY) .. "SELECT NOW()", { resultset_is_needed = true } )

		return proxy.PROXY_SEND_QUERY
	end
end

function read_query_result(inj)
	print("injected result-set: id = " .. inj.id)

	if (inj.id == 2) then
		for row in inj.resultset.rows do
			print("injected query returned: " .. row[1])
		end

		return proxy.PROXY_IGNORE_RESULT
	end
end
"""

TUTORIAL_REWRITE = r"""
function read_query( packet )
	if string.byte(packet) == proxy.COM_QUERY then
		local query = string.sub(packet, 2)

		print("we got a normal query: " .. query)

		-- try to match the string up to the first non-alphanum
		local f_s, f_e, command = string.find(packet, "^%s*(%w+)", 2)
		local option

		if f_e then
			-- if that match, take the next sub-string as option
			f_s, f_e, option = string.find(packet, "^%s+(%w+)", f_e + 1)
		end

		-- we got our commands, execute it
		if command == "ls" then
			if option == "db" then
				proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SHOW DATABASES" )
			else
				proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SHOW TABLES" )
			end

			return proxy.PROXY_SEND_QUERY
		elseif command == "cd" and option then
			proxy.queries:append(1, string.char(proxy.COM_INIT_DB) .. option )

			return proxy.PROXY_SEND_QUERY
		elseif command == "who" then
			proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SHOW PROCESSLIST" )

			return proxy.PROXY_SEND_QUERY
		elseif command == "pwd" then
			proxy.response.type = proxy.MYSQLD_PACKET_OK
			proxy.response.resultset = {
				fields = { { type = proxy.MYSQL_TYPE_STRING, name = "database" } },
				rows = { { proxy.connection.client.default_db } }
			}

			return proxy.PROXY_SEND_RESULT
		end
	end
end
"""

TUTORIAL_RESULTSET = r"""
function read_query( packet )
	if packet:byte() == proxy.COM_QUERY then
		proxy.queries:append(1, packet, { resultset_is_needed = true } )

		return proxy.PROXY_SEND_QUERY
	end
end

function read_query_result(inj)
	local res = assert(inj.resultset)
	local num_cols = string.byte(res.raw, 1)

	if num_cols > 0 and num_cols < 255 then
		for row in inj.resultset.rows do
			local o = ""
			for i = 1, num_cols do
				if o ~= "" then
					o = o .. ", "
				end
				if not row[i] then
					o = o .. "(null)"
				else
					o = o .. row[i]
				end
			end
			print(o)
		end
	end

	print("injected query returned: " .. res.row_count .. " rows")
	print("the fields: " .. #res.fields .. " (" .. res.fields[1].name .. ")")
end
"""

TUTORIAL_QUERY_TIME = r"""
function read_query( packet )
	if packet:byte() == proxy.COM_QUERY then
		print("we got a normal query: " .. packet:sub(2))

		proxy.queries:append(1, packet )

		return proxy.PROXY_SEND_QUERY
	end
end

function read_query_result(inj)
	print("query-time: " .. (inj.query_time / 1000) .. "ms")
	print("response-time: " .. (inj.response_time / 1000) .. "ms")
end
"""

TUTORIAL_WARNINGS = r"""
function read_query( packet )
	if packet:byte() == proxy.COM_QUERY then
		proxy.queries:append(1, packet)

		return proxy.PROXY_SEND_QUERY
	end
end

function read_query_result(inj)
	local res = assert(inj.resultset)

	if inj.id == 1 then
		-- if the query had warnings, get them
		if res.warning_count > 0 then
			print("Query had warnings: " .. inj.query:sub(2))
			proxy.queries:append(2, string.char(proxy.COM_QUERY) .. "SHOW WARNINGS", { resultset_is_needed = true } )
		end
	elseif inj.id == 2 then
		for row in res.rows do
			print(string.format("warning: [%d] %s", row[2], row[3]))
		end

		return proxy.PROXY_IGNORE_RESULT
	end
end
"""

TUTORIAL_STATES = r"""
function connect_server()
	print("--> a client really wants to talk to a server")
end

function read_handshake( )
	local con = proxy.connection

	print("<-- let's send him some information about us")
	print("    mysqld-version: " .. con.server.mysqld_version)
	print("    thread-id     : " .. con.server.thread_id)
	print("    scramble-buf  : " .. string.format("%q", con.server.scramble_buffer))
	print("    server-addr   : " .. con.server.dst.name)
	print("    client-addr   : " .. con.client.src.name)

	-- lets deny clients from !127.0.0.1
	if con.client.src.address ~= "127.0.0.1" then
		proxy.response.type = proxy.MYSQLD_PACKET_ERR
		proxy.response.errmsg = "only local connects are allowed"

		print("we don't like this client");

		return proxy.PROXY_SEND_RESULT
	end
end

function read_auth( )
	local con = proxy.connection

	print("--> there, look, the client is responding to the server auth packet")
	print("    username      : " .. con.client.username)
	print("    password      : " .. string.format("%q", con.client.scrambled_password))
	print("    default_db    : " .. con.client.default_db)

	if con.client.username == "evil" then
		proxy.response.type = proxy.MYSQLD_PACKET_ERR
		proxy.response.errmsg = "evil logins are not allowed"

		return proxy.PROXY_SEND_RESULT
	end
end

function read_auth_result( auth )
	local state = auth.packet:byte()

	if state == proxy.MYSQLD_PACKET_OK then
		print("<-- auth ok");
	elseif state == proxy.MYSQLD_PACKET_ERR then
		print("<-- auth failed");
	else
		print("<-- auth ... don't know: " .. string.format("%q", auth.packet));
	end
end

function read_query( packet )
	print("--> someone sent us a query")
	if packet:byte() == proxy.COM_QUERY then
		print("    query: " .. packet:sub(2))

		if packet:sub(2) == "SELECT 1" then
			proxy.queries:append(1, packet)
		end
	end
end

function read_query_result( inj )
	print("<-- ... ok, this only gets called when read_query() told us")

	proxy.response = {
		type = proxy.MYSQLD_PACKET_RAW,
		packets = {
			"\255" ..
			  "\255\004" .. -- errno
			  "#" ..
			  "12S23" ..
			  "raw, raw, raw"
		}
	}

	return proxy.PROXY_SEND_RESULT
end

function disconnect_client()
	print("<-- the client disconnected")
end
"""

TUTORIAL_PREP_STMTS = r"""
local proto = require("mysql.proto")

local prep_stmts = { }

function read_query( packet )
	local cmd_type = packet:byte()

	if cmd_type == proxy.COM_STMT_PREPARE then
		proxy.queries:append(1, packet, { resultset_is_needed = true } )
		return proxy.PROXY_SEND_QUERY
	elseif cmd_type == proxy.COM_STMT_EXECUTE then
		proxy.queries:append(2, packet, { resultset_is_needed = true } )
		return proxy.PROXY_SEND_QUERY
	elseif cmd_type == proxy.COM_STMT_CLOSE then
		proxy.queries:append(3, packet, { resultset_is_needed = true } )
		return proxy.PROXY_SEND_QUERY
	end
end

function read_query_result(inj)
	if inj.id == 1 then
		-- print the query we sent
		local stmt_prepare = assert(proto.from_stmt_prepare_packet(inj.query))
		print(("> PREPARE: %s"):format(stmt_prepare.stmt_text))

		-- and the stmt-id we got for it
		if inj.resultset.raw:byte() == 0 then
			local stmt_prepare_ok = assert(proto.from_stmt_prepare_ok_packet(inj.resultset.raw))
			print(("< PREPARE: stmt-id = %d (resultset-cols = %d, params = %d)"):format(
				stmt_prepare_ok.stmt_id,
				stmt_prepare_ok.num_columns,
				stmt_prepare_ok.num_params))

			prep_stmts[stmt_prepare_ok.stmt_id] = {
				num_columns = stmt_prepare_ok.num_columns,
				num_params = stmt_prepare_ok.num_params,
			}
		end
	elseif inj.id == 2 then
		local stmt_id = assert(proto.stmt_id_from_stmt_execute_packet(inj.query))
		local stmt_execute = assert(proto.from_stmt_execute_packet(inj.query, prep_stmts[stmt_id].num_params))
		print(("> EXECUTE: stmt-id = %d"):format(stmt_execute.stmt_id))
		if stmt_execute.new_params_bound then
			for ndx, v in ipairs(stmt_execute.params) do
				print((" [%d] %s (type = %d)"):format(ndx, tostring(v.value), v.type))
			end
		end
	elseif inj.id == 3 then
		local stmt_close = assert(proto.from_stmt_close_packet(inj.query))
		print(("> CLOSE: stmt-id = %d"):format(stmt_close.stmt_id))

		prep_stmts[stmt_close.stmt_id] = nil -- cleanup
	end
end
"""


class Tutorial(lua_harness.LuaTestCase):
    """Base: a connection per test, and its queries' results."""

    DATABASE = "t_lua_compat"

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        if self.conn.open:
            self.conn.close()

    def query(self, sql):
        self.cur.execute(sql)
        return self.cur.fetchall()


class TutorialBasicTest(Tutorial):
    SCRIPT = TUTORIAL_BASIC

    def test_prints_queries_and_lets_them_through(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT 'basic'"), (("basic",),))
        mark.wait_for(r"^we got a normal query: SELECT 'basic'$")


class TutorialInjectTest(Tutorial):
    SCRIPT = TUTORIAL_INJECT

    def test_injected_result_is_hidden(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT 'mine'"), (("mine",),), "the client sees only its own result")
        mark.wait_for(r"^injected query returned: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertEqual(mark.new_lines("injected result-set"),
                         ["injected result-set: id = 1", "injected result-set: id = 2"])
        self.assertEqual(self.query("SELECT 'again'"), (("again",),))


class TutorialRewriteTest(Tutorial):
    SCRIPT = TUTORIAL_REWRITE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE rewritten (id INT)")

    def test_commands_become_queries(self):
        self.assertIn(("t_lua_compat",), self.query("ls db"))
        self.assertEqual(self.query("ls"), (("rewritten",),))
        self.assertIn("SHOW PROCESSLIST", [row[7] for row in self.query("who")])
        self.query("cd mysql")
        self.assertEqual(self.query("SELECT DATABASE()"), (("mysql",),))
        self.assertEqual(self.query("pwd"), (("mysql",),), "proxy.connection.client.default_db follows")
        self.assertEqual(self.query("SELECT 7"), ((7,),))


class TutorialResultsetTest(Tutorial):
    SCRIPT = TUTORIAL_RESULTSET

    def test_rows_are_printed(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT seq, IF(seq = 2, NULL, 'x') AS v FROM seq_1_to_3"),
                         ((1, "x"), (2, None), (3, "x")))
        mark.wait_for(r"^the fields: ")
        self.assertEqual(mark.new_lines(), ["1, x", "2, (null)", "3, x", "injected query returned: 3 rows",
                                            "the fields: 2 (seq)"])


class TutorialQueryTimeTest(Tutorial):
    SCRIPT = TUTORIAL_QUERY_TIME

    def test_times_are_printed(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT SLEEP(0.2)"), ((0,),))
        (line,) = mark.wait_for(r"^response-time: ")
        self.assertGreaterEqual(float(re.match(r"response-time: ([\d.]+)ms", line).group(1)), 200.0)
        (line,) = mark.new_lines("query-time: ")
        self.assertGreaterEqual(float(re.match(r"query-time: ([\d.]+)ms", line).group(1)), 200.0)


class TutorialWarningsTest(Tutorial):
    SCRIPT = TUTORIAL_WARNINGS

    def test_warnings_are_fetched_and_hidden(self):
        mark = self.mark()
        self.assertEqual(self.query("SELECT 1 / 0"), ((None,),))
        mark.wait_for(r"^warning: \[1365\] Division by 0$")
        self.assertEqual(mark.new_lines("Query had warnings"), ["Query had warnings: SELECT 1 / 0"])
        self.assertEqual(self.query("SELECT 8"), ((8,),), "the injected SHOW WARNINGS did not reach the client")


class TutorialStatesTest(Tutorial):
    SCRIPT = TUTORIAL_STATES

    def test_every_state_in_order(self):
        mark = self.mark()
        # As in 0.8, the queued SELECT 1 is not resultset_is_needed: its result
        # streams to the client, and the raw packet read_query_result builds is
        # not sent (0.8 and tessera log why).
        self.assertEqual(self.query("SELECT 1"), ((1,),))
        lua_harness.wait_for(lambda: "proxy.response of read_query_result is not sent" in
                             lua_harness.log_text(self.proxy), what="the warning")
        self.assertEqual(self.query("SELECT 2"), ((2,),))
        self.conn.close()
        mark.wait_for(r"^<-- the client disconnected$")
        text = lua_harness.output_text(self.proxy)
        order = ["--> a client really wants to talk to a server", "<-- let's send him some information about us",
                 "--> there, look, the client is responding to the server auth packet", "<-- auth ok",
                 "    query: SELECT 1", "<-- ... ok, this only gets called when read_query() told us",
                 "    query: SELECT 2", "<-- the client disconnected"]
        positions = [text.rfind(line) for line in order]
        self.assertTrue(all(p >= 0 for p in positions), positions)
        self.assertEqual(positions, sorted(positions), "the states come in this order")
        self.assertIn("    username      : tessera", text)
        self.assertIn("    default_db    : t_lua_compat", text)

    def test_remote_clients_and_evil_users_are_refused(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(bind_address="127.0.0.7")
        self.assertEqual(ctx.exception.args, (1105, "only local connects are allowed"))
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            self.connect(user="evil", password="evil")
        self.assertEqual(ctx.exception.args, (1105, "evil logins are not allowed"))

    def test_a_failed_login(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.OperationalError):
            self.connect(password="wrong")
        mark.wait_for(r"^<-- auth failed$")


class TutorialPreparedStatementsTest(Tutorial):
    SCRIPT = TUTORIAL_PREP_STMTS

    def test_prepare_execute_close(self):
        mark = self.mark()
        raw = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD, self.DATABASE)
        try:
            stmt = raw.stmt_prepare("SELECT ? + ?, ?")
            result = raw.stmt_execute(stmt, (40, 2, "text"))
            self.assertEqual(result.rows, [(42, b"text")])
            raw.stmt_close(stmt)
            raw.ping()
        finally:
            raw.close()
        mark.wait_for(r"^> CLOSE: stmt-id = %d$" % stmt.id)
        lines = [line for line in mark.new_lines() if line.startswith(("> ", "< ", " ["))]
        self.assertEqual(lines[0], "> PREPARE: SELECT ? + ?, ?")
        self.assertEqual(lines[1], "< PREPARE: stmt-id = %d (resultset-cols = 2, params = 3)" % stmt.id)
        self.assertEqual(lines[2], "> EXECUTE: stmt-id = %d" % stmt.id)
        self.assertEqual(lines[3:6], [" [1] 40 (type = 8)", " [2] 2 (type = 8)", " [3] text (type = 253)"])
        self.assertEqual(lines[6], "> CLOSE: stmt-id = %d" % stmt.id)


if __name__ == "__main__":
    harness.main()
