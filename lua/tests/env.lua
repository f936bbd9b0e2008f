-- A script whose hooks keep per-connection state (test-lua.c, /lua/env/*).
local queries = 0            -- a top-level local: one per connection
name = "unset"               -- a global: one per connection too

function read_query(packet)
  queries = queries + 1
  local cmd, arg = packet:match("^(%S+)%s*(.*)$")
  if cmd == "name" then name = arg end
  if cmd == "leak" then _G.leaked = arg end
  if cmd == "shared" then proxy.shared.incr(proxy.global, "queries") end
  if cmd == "fail" then local missing = nil; return missing.field end
  if cmd == "raise" then error("raised on purpose") end
  if cmd == "raise0" then error("no position", 0) end
  if cmd == "cfail" then local s = string.rep(); return s end
  if cmd == "send" then return proxy.PROXY_SEND_RESULT end
  if cmd == "str" then return "2" end
  if cmd == "bool" then return true end
  proxy.response.seen = packet
  proxy.response.conn = proxy.connection and proxy.connection.id
  proxy.response.queries = queries
  return nil
end

function read_query_result(inj)
  return proxy.PROXY_IGNORE_RESULT
end
