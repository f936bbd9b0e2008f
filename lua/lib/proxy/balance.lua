--[=[ proxy.balance: picks a backend for the current connection, as MySQL
Proxy 0.8's module of the same name. Both functions return an index into
proxy.global.backends (1-based), or 0 when no backend fits.

  local lb = require("proxy.balance")
  local ndx = lb.idle_failsafe_rw()   -- first read-write backend, not down,
                                      -- with an idle pooled connection of this user
  local ro = lb.idle_ro()             -- the read-only backend, not down, with
                                      -- idle pooled connections of this user,
                                      -- that has the fewest clients

The user is proxy.connection.client.username ("" when not known yet).
--]=]

local proxy = proxy

local M = {}

local function username()
  local conn = proxy.connection
  local client = conn and conn.client
  return client and client.username or ""
end

local function idle_connections(backend, user)
  local users = backend.pool.users
  local conns = users[user]
  return conns and conns.cur_idle_connections or 0
end

function M.idle_failsafe_rw()
  local user = username()
  local backends = proxy.global.backends
  for i = 1, #backends do
    local s = backends[i]
    if s.type == proxy.BACKEND_TYPE_RW and s.state ~= proxy.BACKEND_STATE_DOWN and
       idle_connections(s, user) > 0 then
      return i
    end
  end
  return 0
end

function M.idle_ro()
  local user = username()
  local backends = proxy.global.backends
  local best, best_clients = 0, nil
  for i = 1, #backends do
    local s = backends[i]
    if s.type == proxy.BACKEND_TYPE_RO and s.state ~= proxy.BACKEND_STATE_DOWN and
       idle_connections(s, user) > 0 then
      if best_clients == nil or s.connected_clients < best_clients then
        best, best_clients = i, s.connected_clients
      end
    end
  end
  return best
end

return M
