#!/usr/bin/python3
"""Moving clients between backends after connect_server, through the
worker's pool of idle logged-in connections, with a script shaped as MySQL
Proxy 0.8's rw-splitting.lua (login connections go to the pool, reads are
sent to a read-only backend, writes and transactions to the read-write
one, the default database follows the client) in front of two real
MariaDB servers: -b the primary, -r the replica."""

import threading

import pymysql

import harness
import lua_harness

RW_SPLITTING = r"""
local commands    = require("proxy.commands")
local tokenizer   = require("proxy.tokenizer")
local lb          = require("proxy.balance")
local auto_config = require("proxy.auto-config")

if not proxy.global.config.rwsplit then
	proxy.global.config.rwsplit = {
		min_idle_connections = 4,
		max_idle_connections = 8,

		is_debug = false
	}
end

local is_in_transaction       = false
local is_in_select_calc_found_rows = false

function connect_server()
	local rw_ndx = 0

	-- init all backends
	for i = 1, #proxy.global.backends do
		local s        = proxy.global.backends[i]
		local pool     = s.pool -- we don't have a username yet
		local cur_idle = pool.users[""].cur_idle_connections

		pool.min_idle_connections = proxy.global.config.rwsplit.min_idle_connections
		pool.max_idle_connections = proxy.global.config.rwsplit.max_idle_connections

		-- prefer connections to the master
		if s.type == proxy.BACKEND_TYPE_RW and
		   s.state ~= proxy.BACKEND_STATE_DOWN and
		   cur_idle < pool.min_idle_connections then
			proxy.connection.backend_ndx = i
			break
		elseif s.type == proxy.BACKEND_TYPE_RO and
		       s.state ~= proxy.BACKEND_STATE_DOWN and
		       cur_idle < pool.min_idle_connections then
			proxy.connection.backend_ndx = i
			break
		elseif s.type == proxy.BACKEND_TYPE_RW and
		       s.state ~= proxy.BACKEND_STATE_DOWN and
		       rw_ndx == 0 then
			rw_ndx = i
		end
	end

	if proxy.connection.backend_ndx == 0 then
		proxy.connection.backend_ndx = rw_ndx
	end

	if proxy.connection.server then
		-- if the server-backend is up, we are done
		return proxy.PROXY_IGNORE_RESULT
	end

	-- open a new connection
end

function read_auth_result( auth )
	if auth.packet:byte() == proxy.MYSQLD_PACKET_OK then
		-- auth was fine, disconnect from the server
		proxy.connection.backend_ndx = 0
	end
end

local function pool_stats()
	local rows = {}
	local user = proxy.connection.client.username
	for i = 1, #proxy.global.backends do
		local pool = proxy.global.backends[i].pool
		rows[#rows + 1] = { i, pool.users[user].cur_idle_connections, pool.users[""].cur_idle_connections,
		                    proxy.global.backends[i].connected_clients }
	end
	proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = {
		fields = { { name = "ndx" }, { name = "mine" }, { name = "all" }, { name = "clients" } }, rows = rows } }
	return proxy.PROXY_SEND_RESULT
end

function read_query( packet )
	local cmd      = commands.parse(packet)
	local c        = proxy.connection.client

	local r = auto_config.handle(cmd)
	if r then return r end

	if cmd.type == proxy.COM_QUERY and cmd.query == "pool stats" then return pool_stats() end

	local tokens

	if cmd.type == proxy.COM_QUIT then
		-- don't send COM_QUIT to the backend. We manage the connection
		-- in all aspects.
		proxy.response = {
			type = proxy.MYSQLD_PACKET_OK,
		}
		return proxy.PROXY_SEND_RESULT
	end

	proxy.queries:append(1, packet, { resultset_is_needed = true })

	-- read/write splitting
	--
	-- send all non-transactional SELECTs to a slave
	if not is_in_transaction and
	   cmd.type == proxy.COM_QUERY then
		tokens     = tokens or assert(tokenizer.tokenize(cmd.query))

		local stmt = tokenizer.first_stmt_token(tokens)

		if stmt.token_name == "TK_SQL_SELECT" then
			is_in_select_calc_found_rows = false
			local is_insert_id = false

			for i = 1, #tokens do
				local token = tokens[i]
				-- SQL_CALC_FOUND_ROWS + FOUND_ROWS() have to be executed
				-- on the same connection
				if token.token_name == "TK_SQL_SQL_CALC_FOUND_ROWS" then
					is_in_select_calc_found_rows = true
				elseif not is_insert_id and token.token_name == "TK_LITERAL" then
					local utext = token.text:upper()

					if utext == "LAST_INSERT_ID" or
					   utext == "@@INSERT_ID" then
						is_insert_id = true
					end
				end

				-- we found the two special token, we can't find more
				if is_insert_id and is_in_select_calc_found_rows then
					break
				end
			end

			-- if we ask for the last-insert-id we have to ask it on the original
			-- connection
			if not is_insert_id then
				local backend_ndx = lb.idle_ro()

				if backend_ndx > 0 then
					proxy.connection.backend_ndx = backend_ndx
				end
			end
		end
	end

	-- no backend selected yet, pick a master
	if proxy.connection.backend_ndx == 0 then
		-- we don't have a backend right now
		--
		-- let's pick a master as a good default
		--
		proxy.connection.backend_ndx = lb.idle_failsafe_rw()
	end

	-- by now we should have a backend
	--
	-- in case the master is down, we have to close the client connections
	-- otherwise we can go on
	if proxy.connection.backend_ndx == 0 then
		return proxy.PROXY_SEND_QUERY
	end

	local s = proxy.connection.server

	-- if client and server db don't match, adjust the server-side
	--
	-- skip it if we send a INIT_DB anyway
	if cmd.type ~= proxy.COM_INIT_DB and
	   c.default_db and c.default_db ~= s.default_db then
		proxy.queries:prepend(2, string.char(proxy.COM_INIT_DB) .. c.default_db, { resultset_is_needed = true })
	end

	return proxy.PROXY_SEND_QUERY
end

function read_query_result( inj )
	local res      = assert(inj.resultset)
	local flags    = res.flags

	if inj.id ~= 1 then
		-- ignore the result of the USE <default_db>
		-- the DB might not exist on the backend, what do do ?
		--
		if inj.id == 2 then
			-- the injected INIT_DB failed as the slave doesn't have this DB
			-- or doesn't have permissions to read from it
			if res.query_status == proxy.MYSQLD_PACKET_ERR then
				proxy.queries:reset()

				proxy.response = {
					type = proxy.MYSQLD_PACKET_ERR,
					errmsg = "can't change DB ".. proxy.connection.client.default_db ..
						" to on slave " .. proxy.global.backends[proxy.connection.backend_ndx].dst.name
				}

				return proxy.PROXY_SEND_RESULT
			end
		end
		return proxy.PROXY_IGNORE_RESULT
	end

	is_in_transaction = flags.in_trans
	local have_last_insert_id = (res.insert_id and (res.insert_id > 0))

	if not is_in_transaction and
	   not is_in_select_calc_found_rows and
	   not have_last_insert_id then
		-- release the backend
		proxy.connection.backend_ndx = 0
	end
end

function disconnect_client()
	-- make sure we are disconnection from the connection
	-- to move the connection into the pool
	proxy.connection.backend_ndx = 0
end
"""


class LuaRwSplittingTest(lua_harness.LuaTestCase):
    """One worker (pools are per worker), -b primary -r replica."""

    SCRIPT = RW_SPLITTING
    DATABASE = "t_lua_pool"
    BACKEND_COUNT = 2

    @classmethod
    def script_args(cls):
        # ProxyTestCase passes both fixture backends as -b: make the second -r.
        return super().script_args()

    @classmethod
    def setUpClass(cls):
        cls.EXTRA_ARGS = cls.script_args()
        cls.backends = harness.backends()[:2]
        for server in cls.backends:
            with harness.backend_connect(server) as conn, conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS `%s`" % cls.DATABASE)
                cur.execute("CREATE DATABASE `%s`" % cls.DATABASE)
                cur.execute("CREATE TABLE `%s`.items (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20))"
                            % cls.DATABASE)
        cls.primary, cls.replica = cls.backends
        cls.proxy = harness.Tessera([cls.primary.address], cls.EXTRA_ARGS,
                                    read_only_addresses=[cls.replica.address]).start()
        cls.port = cls.proxy.port
        try:
            # Fill the pools as rw-splitting.lua does: with min_idle_connections
            # = 1 the first login goes to the primary, the second to the
            # replica; both connections land in the pool after the login.
            with cls.connect_class() as conn, conn.cursor() as cur:
                cur.execute("PROXY SET GLOBAL rwsplit.min_idle_connections = 1")
            cls.warm = [cls.connect_class(), cls.connect_class()]
        except Exception:
            cls.proxy.stop()
            raise

    @classmethod
    def connect_class(cls, **kwargs):
        kwargs.setdefault("database", cls.DATABASE)
        kwargs.setdefault("autocommit", True)
        return harness.pymysql_connect(cls.port, **kwargs)

    @classmethod
    def tearDownClass(cls):
        for conn in cls.warm:
            conn.close()
        super().tearDownClass()

    def query(self, conn, sql):
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def port_of(self, conn, sql="SELECT @@port"):
        return self.query(conn, sql)[0][0]

    def stats(self, conn):
        return {int(ndx): (int(mine), int(everyone), int(clients))
                for ndx, mine, everyone, clients in self.query(conn, "pool stats")}

    def test_reads_go_to_the_replica_and_writes_to_the_primary(self):
        conn = self.warm[0]
        self.assertEqual(self.port_of(conn), self.replica.port)
        self.query(conn, "INSERT INTO items (note) VALUES ('on the primary')")
        with harness.backend_connect(self.primary, self.DATABASE) as direct:
            self.assertIn(("on the primary",), self.query(direct, "SELECT note FROM items"))
        with harness.backend_connect(self.replica, self.DATABASE) as direct:
            self.assertNotIn(("on the primary",), self.query(direct, "SELECT note FROM items"))
        self.assertEqual(self.port_of(conn), self.replica.port, "reads go back to the replica")

    def test_a_transaction_stays_on_the_primary(self):
        conn = self.warm[1]
        self.query(conn, "BEGIN")
        try:
            self.assertEqual(self.port_of(conn), self.primary.port)
            self.query(conn, "INSERT INTO items (note) VALUES ('in a transaction')")
            self.assertEqual(self.port_of(conn), self.primary.port)
        finally:
            self.query(conn, "COMMIT")
        self.assertEqual(self.port_of(conn), self.replica.port)

    def test_last_insert_id_stays_on_the_connection_that_inserted(self):
        # rw-splitting.lua looks for LAST_INSERT_ID or @@INSERT_ID among the
        # TK_LITERAL tokens; LAST_INSERT_ID() is a TK_FUNCTION (in 0.8's
        # tokenizer too), so the script keeps the connection for @@insert_id.
        conn = self.warm[0]
        self.query(conn, "INSERT INTO items (note) VALUES ('id')")
        self.assertEqual(self.query(conn, "SELECT @@insert_id, @@port"), ((0, self.primary.port),),
                         "a result with an insert id keeps the connection for @@insert_id")
        self.assertEqual(self.port_of(conn), self.replica.port, "other reads go to the replica")

    def test_the_default_database_follows_the_client(self):
        with self.connect_class() as conn:
            conn.select_db("mysql")
            self.assertEqual(self.query(conn, "SELECT DATABASE(), @@port"), (("mysql", self.replica.port),))
            conn.select_db(self.DATABASE)
            self.assertEqual(self.query(conn, "SELECT DATABASE(), @@port"),
                             ((self.DATABASE, self.replica.port),))

    def test_connections_go_back_to_the_pool(self):
        with self.connect_class() as conn:
            before = self.stats(conn)
            self.assertEqual(self.port_of(conn), self.replica.port)
            after = self.stats(conn)
        self.assertEqual(before, after, "each query took a pooled connection and gave it back")
        self.assertGreaterEqual(before[1][0], 1)
        self.assertGreaterEqual(before[2][0], 1)

    def test_users_never_share_connections(self):
        mine = harness.pymysql_connect(self.port, user=harness.USER2, password=harness.PASSWORD2,
                                       database=self.DATABASE, autocommit=True)
        try:
            for _ in range(3):
                self.assertEqual(self.query(mine, "SELECT CURRENT_USER()"), (("tessera2@%",),))
            self.assertEqual(self.port_of(mine, "SELECT @@port"), self.primary.port,
                             "tessera2 has no replica connection in the pool: it stays on the primary")
        finally:
            mine.close()

    def test_many_clients_at_once(self):
        errors = []

        def client(n):
            try:
                with self.connect_class() as conn:
                    for i in range(20):
                        self.query(conn, "INSERT INTO items (note) VALUES ('c%d-%d')" % (n, i))
                        self.assertIn(self.port_of(conn), (self.primary.port, self.replica.port))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        with harness.backend_connect(self.primary, self.DATABASE) as direct:
            self.assertEqual(self.query(direct, "SELECT COUNT(*) FROM items WHERE note LIKE 'c%%-%%'"), ((120,),))

    def test_a_pooled_connection_the_server_closes_leaves_the_pool(self):
        with self.connect_class() as conn:
            before = self.stats(conn)[2][1]
            self.assertGreaterEqual(before, 1)
            with harness.backend_connect(self.replica) as direct:
                ids = [row[0] for row in self.query(direct, "SELECT id FROM information_schema.processlist "
                                                            "WHERE user = 'tessera' AND id <> CONNECTION_ID()")]
                self.query(direct, "KILL %d" % ids[0])
            lua_harness.wait_for(lambda: self.stats(conn)[2][1] == before - 1, what="the pool to drop it")
            self.assertIn(self.port_of(conn), (self.primary.port, self.replica.port))
        # rw-splitting.lua sends the next login to the replica, whose pool is
        # below min_idle_connections again.
        with self.connect_class() as conn:
            self.assertEqual(self.stats(conn)[2][1], before)
        self.assertTrue(self.proxy.is_alive())

SWITCH = r"""
function read_auth_result(auth)
  if auth.packet:byte() == proxy.MYSQLD_PACKET_OK then proxy.connection.backend_ndx = 0 end
end

function read_query(packet)
  local q = packet:sub(2)
  local target = tonumber(q:match("^on (%d+)"))
  if target then
    proxy.connection.backend_ndx = target
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SELECT @@port")
    return proxy.PROXY_SEND_QUERY
  elseif q == "nowhere" then
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. "SELECT 1")
    return proxy.PROXY_SEND_QUERY
  elseif q == "ndx" then
    proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                       resultset = { fields = { { name = "ndx" } }, rows = { { proxy.connection.backend_ndx } } } }
    return proxy.PROXY_SEND_RESULT
  end
end
"""


class LuaSwitchErrorsTest(lua_harness.LuaTestCase):
    """What the pool cannot do is a clear error, never a crash."""

    SCRIPT = SWITCH
    BACKEND_COUNT = 2

    def test_no_backend_chosen(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("ndx")
            self.assertEqual(cur.fetchall(), (("0",),), "released after the login")
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                cur.execute("nowhere")
            self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
            self.assertIn("released the backend connection (proxy.connection.backend_ndx = 0) and chose no other",
                          ctx.exception.args[1])
            cur.execute("on 1")
            self.assertEqual(cur.fetchall(), ((self.backends[0].port,),), "its own login connection, from the pool")

    def test_no_idle_connection_on_that_backend(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                cur.execute("on 2")
            self.assertEqual(ctx.exception.args[0], lua_harness.ER_SCRIPT_ERROR)
            self.assertIn("proxy.connection.backend_ndx = 2: no idle connection of user 'tessera' to backend 2",
                          ctx.exception.args[1])
            cur.execute("on 1")
            self.assertEqual(cur.fetchall(), ((self.backends[0].port,),))


if __name__ == "__main__":
    harness.main()
