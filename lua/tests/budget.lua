-- Scripts that do not stop (test-lua.c, /lua/budget/*).
function read_query(packet)
  if packet == "loop" then
    while true do end
  elseif packet == "pcall-loop" then
    while true do pcall(function() while true do end end) end
  elseif packet == "coroutine" then
    local co = coroutine.wrap(function() while true do end end)
    co()
  elseif packet == "xpcall" then
    xpcall(function() while true do end end, function() while true do end end)
  elseif packet == "count" then
    local n = 0
    for i = 1, 1000 do n = n + i end
    return n
  end
  return proxy.PROXY_SEND_QUERY
end
