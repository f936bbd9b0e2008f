--[[ rw-splitting.lua: splits each client's queries: reads go to a read-only
backend (-r), writes and transactions to a read-write one (-b).

  tessera -b primary:3306 -r replica1:3306 -r replica2:3306 \
          --proxy-lua-script=examples/rw-splitting.lua

How (as MySQL Proxy 0.8's rw-splitting.lua): tessera passes each client's
login through to one backend, so a client can only move to connections
already logged in as its user. Every login's connection goes into the
worker's pool right after the login (backend_ndx = 0); for each statement
the script takes a pooled connection of the client's user from the right
kind of backend (backend_ndx = i), and gives it back when the result is in,
unless the connection must stay:

  - inside a transaction (the result's in_trans flag),
  - after a statement that left an insert id (for LAST_INSERT_ID()),
  - for the rest of the connection once it used state that lives in the
    server's connection: temporary tables, GET_LOCK, LOCK TABLES,
    prepared statements, COM_CHANGE_USER.

Logins fill the pools: they go to a read-write backend until it has
MIN_IDLE idle connections, then to the read-only ones, so a user's reads
reach a replica once one of its logins went there. Until then, and when no
replica is up, reads go to the primary. Session variables (SET ...) are per
server connection: a client that sets them should use a transaction, or
expect them on some connections only. The client's default database is set
on each connection before its statement when it differs. ]]

local tokenizer = require("mysql.tokenizer")

local MIN_IDLE = 2

local READS = { TK_SQL_SELECT = true, TK_SQL_SHOW = true, TK_SQL_DESC = true, TK_SQL_DESCRIBE = true,
                TK_SQL_EXPLAIN = true }
local NOT_READS = { UPDATE = true, SHARE = true, INTO = true }          -- SELECT ... FOR UPDATE / INTO
local PINNING = { TEMPORARY = true, GET_LOCK = true, LOCK = true, PREPARE = true }

local pinned = false        -- this client stays on its connection for good
local keep = false          -- the last result asks to stay (transaction, insert id)

local function idle(i, user)
  return proxy.global.backends[i].pool.users[user].cur_idle_connections
end

-- The backend of backend_type, up, with the most idle connections of user.
local function pick(backend_type, user)
  local best, best_idle = nil, 0
  for i = 1, #proxy.global.backends do
    local b = proxy.global.backends[i]
    if b.type == backend_type and b.state ~= proxy.BACKEND_STATE_DOWN and idle(i, user) > best_idle then
      best, best_idle = i, idle(i, user)
    end
  end
  return best
end

function connect_server()
  for _, wanted in ipairs({ proxy.BACKEND_TYPE_RW, proxy.BACKEND_TYPE_RO }) do
    for i = 1, #proxy.global.backends do
      local b = proxy.global.backends[i]
      -- the user is not known yet: "" counts the idle connections of all users
      if b.type == wanted and b.state ~= proxy.BACKEND_STATE_DOWN and idle(i, "") < MIN_IDLE then
        proxy.connection.backend_ndx = i
        return
      end
    end
  end
end

function read_auth_result(auth)
  if auth.packet:byte() == proxy.MYSQLD_PACKET_OK then
    proxy.connection.backend_ndx = 0
  end
end

-- Returns is_read, pins for the statement text.
local function classify(query)
  local is_read, pins, first = false, false, nil
  for _, token in ipairs(tokenizer.tokenize(query)) do
    if token.token_name ~= "TK_COMMENT" then
      local word = token.text:upper()
      if not first then
        first = token
        is_read = READS[token.token_name] or false
      elseif NOT_READS[word] then
        is_read = false
      end
      pins = pins or PINNING[word] or false
    end
  end
  return is_read, pins
end

local function refuse(message)
  proxy.queries:reset()
  proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errcode = 1290, sqlstate = "HY000", errmsg = message }
  return proxy.PROXY_SEND_RESULT
end

function read_query(packet)
  local command = packet:byte()
  if command == proxy.COM_QUIT then
    -- answered here: the server connection goes back to the pool
    proxy.response = { type = proxy.MYSQLD_PACKET_OK }
    return proxy.PROXY_SEND_RESULT
  end
  local is_read, pins = false, command == proxy.COM_STMT_PREPARE or command == proxy.COM_CHANGE_USER
  if command == proxy.COM_QUERY then
    is_read, pins = classify(packet:sub(2))
  end
  pinned = pinned or pins
  if proxy.connection.backend_ndx == 0 then
    local user = proxy.connection.client.username
    local ndx = (is_read and pick(proxy.BACKEND_TYPE_RO, user)) or pick(proxy.BACKEND_TYPE_RW, user)
    if not ndx then
      return refuse("no connection of user " .. user .. " to a read-write backend is free: retry, or open " ..
                    "more connections (each login adds one to the pool)")
    end
    proxy.connection.backend_ndx = ndx
  end
  proxy.queries:append(1, packet)
  local client_db, server_db = proxy.connection.client.default_db, proxy.connection.server.default_db
  if command ~= proxy.COM_INIT_DB and client_db ~= "" and client_db ~= server_db then
    proxy.queries:prepend(2, string.char(proxy.COM_INIT_DB) .. client_db, { resultset_is_needed = true })
  end
  return proxy.PROXY_SEND_QUERY
end

function read_query_result(inj)
  local res = inj.resultset
  if inj.id == 2 then
    if res.query_status == proxy.MYSQLD_PACKET_ERR then
      return refuse("cannot use database " .. proxy.connection.client.default_db .. " on backend " ..
                    proxy.connection.server.dst.name)
    end
    return proxy.PROXY_IGNORE_RESULT
  end
  keep = res.flags.in_trans or (res.insert_id or 0) > 0
  if not keep and not pinned then
    proxy.connection.backend_ndx = 0
  end
end

function disconnect_client()
  if not pinned then proxy.connection.backend_ndx = 0 end
end
