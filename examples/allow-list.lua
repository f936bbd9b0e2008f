--[[ allow-list.lua: lets in only known client addresses, and runs only
known statements.

Clients: connect_server refuses a client whose address is not in
ALLOWED_CLIENTS before any backend is contacted (error 1130, as a server
refuses an unknown host).

Statements: every COM_QUERY and COM_STMT_PREPARE is normalized
(mysql.tokenizer.normalize: literals become ?, identifiers are quoted) and
must match the normalized form of one of ALLOWED_STATEMENTS. So the list
holds examples, and "SELECT name FROM items WHERE id = 1" also allows
"select name from items where id=42". Anything else gets error 1142 and
never reaches the server. Other commands (ping, change of default
database, ...) pass. ]]

local tokenizer = require("mysql.tokenizer")

local ALLOWED_CLIENTS = { ["127.0.0.1"] = true, ["::1"] = true }

local ALLOWED_STATEMENTS = {
  -- what client libraries send when they connect
  "SET AUTOCOMMIT = 0",
  "SET NAMES utf8mb4",
  "SELECT @@version_comment LIMIT 1",
  -- the application's statements
  "SELECT id, name FROM items WHERE id = 1",
  "SELECT COUNT(*) FROM items",
  "INSERT INTO items (name) VALUES ('x')",
}

local allowed = {}
for _, statement in ipairs(ALLOWED_STATEMENTS) do
  allowed[tokenizer.normalize(statement)] = true
end

function connect_server()
  local address = proxy.connection.client.src.address
  if not ALLOWED_CLIENTS[address] then
    proxy.response = {
      type = proxy.MYSQLD_PACKET_ERR,
      errcode = 1130,  -- ER_HOST_NOT_PRIVILEGED
      sqlstate = "HY000",
      errmsg = "Host '" .. address .. "' is not allowed to connect through this proxy",
    }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_query(packet)
  local command = packet:byte()
  if command ~= proxy.COM_QUERY and command ~= proxy.COM_STMT_PREPARE then return end
  local normalized = tokenizer.normalize(packet:sub(2))
  if allowed[normalized] then return end
  print("[allow-list] refused from " .. proxy.connection.client.src.name .. ": " .. normalized)
  proxy.response = {
    type = proxy.MYSQLD_PACKET_ERR,
    errcode = 1142,  -- ER_TABLEACCESS_DENIED_ERROR
    sqlstate = "42000",
    errmsg = "statement not in the proxy's allow-list: " .. normalized,
  }
  return proxy.PROXY_SEND_RESULT
end
