-- count-queries.lua: counts queries per connection (a top-level local) and
-- for the whole proxy, across every worker (proxy.global).
local mine = 0

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  mine = mine + 1
  local total = proxy.shared.incr(proxy.global, "queries")
  proxy.response.note = string.format("query %d of this connection, %d of the proxy", mine, total)
end
