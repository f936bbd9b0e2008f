--[[ log-queries.lua: logs every query with the time it took.

  tessera --proxy-lua-script=examples/log-queries.lua ...

Each COM_QUERY is queued unchanged (proxy.queries); its result still
streams to the client as it comes (resultset_is_needed is not set), and
read_query_result logs one line per query:

  [query] conn 12 user app db shop: 0.412 ms (first byte 0.398 ms), 3 rows: SELECT * FROM t

print() writes to tessera's standard output, a line at a time. ]]

function read_query(packet)
  if packet:byte() == proxy.COM_QUERY then
    proxy.queries:append(1, packet)
    return proxy.PROXY_SEND_QUERY
  end
end

function read_query_result(inj)
  local client = proxy.connection.client
  local res = inj.resultset
  local outcome
  if res.query_status == proxy.MYSQLD_PACKET_ERR then
    outcome = "error"
  elseif res.affected_rows then
    outcome = res.affected_rows .. " affected"
  else
    outcome = res.row_count .. " rows"
  end
  print(string.format("[query] conn %d user %s db %s: %.3f ms (first byte %.3f ms), %s: %s",
    proxy.connection.server.thread_id, client.username, client.default_db,
    inj.response_time / 1000, inj.query_time / 1000, outcome, inj.query:sub(2)))
end
