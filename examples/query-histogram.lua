--[[ query-histogram.lua: counts queries per pattern and times them, over
all connections of the proxy.

A pattern is the query normalized by mysql.tokenizer: literals become ?,
so "SELECT * FROM t WHERE id = 1" and "... id = 2" count together. The
counts live in proxy.global, shared by every connection and every worker
thread; proxy.shared.incr and proxy.shared.cas update them in one step
each, so no update is lost when workers count at the same time.

  SHOW QUERY HISTOGRAM    pattern, count, total_ms, avg_ms, max_ms, most
                          frequent first
  RESET QUERY HISTOGRAM   starts over

Queries are queued unchanged and their results stream to the client:
read_query_result only reads inj.response_time. ]]

local tokenizer = require("mysql.tokenizer")

local function new_histogram()
  return { count = {}, total_us = {}, max_us = {} }
end

if not proxy.global.query_histogram then
  proxy.global.query_histogram = new_histogram()
end

-- Looked up at each use (not kept in a local): RESET replaces the table
-- for every connection.
local function record(pattern, us)
  local histogram = proxy.global.query_histogram
  proxy.shared.incr(histogram.count, pattern)
  proxy.shared.incr(histogram.total_us, pattern, us)
  local max = histogram.max_us
  repeat
    local old = max[pattern]
    if old and old >= us then return end
  until proxy.shared.cas(max, pattern, old, us)
end

local function show()
  local histogram = proxy.global.query_histogram
  local rows = {}
  local totals, maxima = histogram.total_us, histogram.max_us
  for pattern, count in pairs(histogram.count) do
    local total = totals[pattern] or 0
    rows[#rows + 1] = { pattern, count, string.format("%.3f", total / 1000),
                        string.format("%.3f", total / count / 1000), string.format("%.3f", (maxima[pattern] or 0) / 1000) }
  end
  table.sort(rows, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  return {
    fields = {
      { name = "pattern" }, { name = "count", type = proxy.MYSQL_TYPE_LONGLONG },
      { name = "total_ms", type = proxy.MYSQL_TYPE_NEWDECIMAL }, { name = "avg_ms", type = proxy.MYSQL_TYPE_NEWDECIMAL },
      { name = "max_ms", type = proxy.MYSQL_TYPE_NEWDECIMAL },
    },
    rows = rows,
  }
end

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local query = packet:sub(2):gsub("^%s+", ""):gsub("[%s;]+$", "")
  local command = query:upper()
  if command == "SHOW QUERY HISTOGRAM" then
    proxy.response = { type = proxy.MYSQLD_PACKET_OK, resultset = show() }
    return proxy.PROXY_SEND_RESULT
  elseif command == "RESET QUERY HISTOGRAM" then
    proxy.global.query_histogram = new_histogram()
    proxy.response = { type = proxy.MYSQLD_PACKET_OK }
    return proxy.PROXY_SEND_RESULT
  end
  proxy.queries:append(1, packet)
  return proxy.PROXY_SEND_QUERY
end

function read_query_result(inj)
  record(tokenizer.normalize(inj.query:sub(2)), inj.response_time)
end
