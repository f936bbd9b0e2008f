-- shared-config.lua: configuration shared by every connection and worker
-- (proxy.global.config, as rw-splitting.lua does), and state that stays in
-- one worker (a plain table of the script: each worker's VM has its own).
if not proxy.global.config.example then
  proxy.global.config.example = { max_rows = 100, debug = false }
end
local config = proxy.global.config.example   -- a live view: later changes show

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  proxy.response.max_rows = config.max_rows
  proxy.response.debug = config.debug
  if packet:sub(2) == "more rows" then config.max_rows = config.max_rows * 2 end
end
