--[[ inject-now.lua: sends "SELECT NOW()" before every query and hides its
result from the client (MySQL Proxy's tutorial-inject, made useful).

The server's clock at the start of each query is logged with the query;
the client sees only the result of its own query:

  [now] 2024-05-01 12:00:00 before: UPDATE t SET x = 1

The injected query is queued first with resultset_is_needed, so its result
is held for read_query_result, which reads the row and drops the result
(proxy.PROXY_IGNORE_RESULT). The client's query is queued last: its result
streams to the client. proxy.global.now_injected counts the injections of
the whole proxy. ]]

local NOW_ID, QUERY_ID = 1, 2
local query_text  -- the client's query being run (one per connection)

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  query_text = packet:sub(2)
  proxy.queries:append(NOW_ID, string.char(proxy.COM_QUERY) .. "SELECT NOW()", { resultset_is_needed = true })
  proxy.queries:append(QUERY_ID, packet)
  return proxy.PROXY_SEND_QUERY
end

function read_query_result(inj)
  if inj.id ~= NOW_ID then return end
  for row in inj.resultset.rows do
    print(string.format("[now] %s before: %s", row[1], query_text))
  end
  proxy.shared.incr(proxy.global, "now_injected")
  return proxy.PROXY_IGNORE_RESULT
end
