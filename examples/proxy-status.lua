--[[ proxy-status.lua: answers some queries from the proxy itself, with a
result set built in Lua; every other query goes to the server.

  SHOW PROXY BACKENDS    one row per backend: ndx, address, type, state,
                         connected clients (proxy.global.backends)
  SHOW PROXY CONNECTION  this connection as the proxy sees it
  SELECT PROXY_VERSION() the MySQL Proxy API level tessera implements

Works with every client (mariadb, PyMySQL, MySQLdb...): the answer is a
normal text result set. ]]

local type_names = { [proxy.BACKEND_TYPE_RW] = "rw", [proxy.BACKEND_TYPE_RO] = "ro" }
local state_names = {
  [proxy.BACKEND_STATE_UNKNOWN] = "unknown", [proxy.BACKEND_STATE_UP] = "up", [proxy.BACKEND_STATE_DOWN] = "down",
}

local function backends()
  local rows = {}
  for i = 1, #proxy.global.backends do
    local b = proxy.global.backends[i]
    rows[#rows + 1] = { i, b.dst.name, type_names[b.type], state_names[b.state], b.connected_clients }
  end
  return {
    fields = {
      { name = "ndx", type = proxy.MYSQL_TYPE_LONG },
      { name = "address" },
      { name = "type" },
      { name = "state" },
      { name = "connected_clients", type = proxy.MYSQL_TYPE_LONG },
    },
    rows = rows,
  }
end

local function connection()
  local c = proxy.connection
  return {
    fields = { { name = "name" }, { name = "value" } },
    rows = {
      { "client", c.client.src.name },
      { "user", c.client.username },
      { "default_db", c.client.default_db },
      { "backend_ndx", c.backend_ndx },
      { "backend", c.server.dst.name },
      { "server_thread_id", c.server.thread_id },
      { "server_version", c.server.mysqld_version },
    },
  }
end

local function version()
  return {
    fields = { { name = "PROXY_VERSION()" } },
    rows = { { string.format("%d.%d.%d", math.floor(proxy.PROXY_VERSION / 65536),
                             math.floor(proxy.PROXY_VERSION / 256) % 256, proxy.PROXY_VERSION % 256) } },
  }
end

local answers = {
  ["SHOW PROXY BACKENDS"] = backends,
  ["SHOW PROXY CONNECTION"] = connection,
  ["SELECT PROXY_VERSION()"] = version,
}

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local query = packet:sub(2):gsub("^%s+", ""):gsub("[%s;]+$", ""):upper()
  local answer = answers[query]
  if not answer then return end
  proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = answer() }
  return proxy.PROXY_SEND_RESULT
end
