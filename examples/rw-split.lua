--[[ rw-split.lua: sends read-only clients to the read-only backends (-r)
and everybody else to the read-write ones (-b).

  tessera -b primary:3306 -r replica1:3306 -r replica2:3306 \
          --proxy-lua-script=examples/rw-split.lua

tessera logs each client in to one backend, chosen before the login in
connect_server (it cannot yet move a connection to another backend between
two queries, as MySQL Proxy's rw-splitting.lua did with its connection
pool). So the split is per connection: clients whose address is in
READ_ONLY_CLIENTS (reporting jobs, dashboards) get the read-only backend
that is up and has the fewest clients; the others get the read-write
backend with the fewest clients. On a read-only connection, statements that
write are refused by the proxy, so that nothing is written to a replica by
mistake. ]]

local tokenizer = require("mysql.tokenizer")

local READ_ONLY_CLIENTS = { ["127.0.0.2"] = true }

-- statements a read-only connection may run
local READ_STATEMENTS = {
  TK_SQL_SELECT = true, TK_SQL_SHOW = true, TK_SQL_DESCRIBE = true, TK_SQL_EXPLAIN = true, TK_SQL_SET = true,
  TK_SQL_USE = true, TK_SQL_DESC = true,
}

local function least_loaded(backend_type)
  local best, best_clients
  for i = 1, #proxy.global.backends do
    local b = proxy.global.backends[i]
    if b.type == backend_type and b.state ~= proxy.BACKEND_STATE_DOWN and
       (not best or b.connected_clients < best_clients) then
      best, best_clients = i, b.connected_clients
    end
  end
  return best
end

local read_only = false

function connect_server()
  read_only = READ_ONLY_CLIENTS[proxy.connection.client.src.address] or false
  local ndx = least_loaded(read_only and proxy.BACKEND_TYPE_RO or proxy.BACKEND_TYPE_RW)
  if not ndx and read_only then
    ndx = least_loaded(proxy.BACKEND_TYPE_RW)  -- no replica up: read from the primary
  end
  if ndx then proxy.connection.backend_ndx = ndx end
end

function read_query(packet)
  if not read_only or packet:byte() ~= proxy.COM_QUERY then return end
  local first = tokenizer.first_stmt_token(packet:sub(2))
  if first and not READ_STATEMENTS[first.token_name] then
    proxy.response = {
      type = proxy.MYSQLD_PACKET_ERR,
      errcode = 1290,  -- ER_OPTION_PREVENTS_STATEMENT
      sqlstate = "HY000",
      errmsg = "this connection reads from a replica: " .. first.text:upper() ..
               " is not allowed (connect from a read-write client address to write)",
    }
    return proxy.PROXY_SEND_RESULT
  end
end
