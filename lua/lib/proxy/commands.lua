--[=[ proxy.commands: splits a client command packet into its fields, as
MySQL Proxy 0.8's module of the same name.

  local commands = require("proxy.commands")
  local cmd = commands.parse(packet)
  -- cmd.type (proxy.COM_*), cmd.type_name ("COM_QUERY"), and per command:
  --   COM_QUERY, COM_STMT_PREPARE          query
  --   COM_INIT_DB, COM_CREATE_DB, COM_DROP_DB   schema
  --   COM_FIELD_LIST                      table (and wildcard when given)
  --   COM_STMT_EXECUTE, COM_STMT_CLOSE, COM_STMT_RESET, COM_STMT_FETCH,
  --   COM_STMT_SEND_LONG_DATA             stmt_handler_id
  --   COM_STMT_FETCH                      num_rows
  --   COM_STMT_SEND_LONG_DATA             param_id, data
  --   COM_PROCESS_KILL                    connection_id
  --   COM_SET_OPTION                      option (the 2-byte value, a number)
  --   COM_REFRESH, COM_SHUTDOWN           option (a number, when given)
  print(commands.pretty_print(cmd))      -- "[COM_QUERY] SELECT 1"

Unlike 0.8, COM_FIELD_LIST's table stops at its NUL (0.8 kept the wildcard
in it) and parse() prints nothing for commands it does not know.
--]=]

local proxy = proxy
local byte, sub, find, format = string.byte, string.sub, string.find, string.format

local M = {}

-- command byte -> name, from the proxy.COM_* constants
local names = {}
for name, value in pairs(proxy) do
  if type(name) == "string" and name:sub(1, 4) == "COM_" then names[value] = name end
end

-- little-endian unsigned integer of n bytes at position pos
local function uint(packet, pos, n)
  local value = 0
  for i = n - 1, 0, -1 do
    value = value * 256 + (byte(packet, pos + i) or 0)
  end
  return value
end

local function text_from_2(cmd, field, packet) cmd[field] = sub(packet, 2) end

local decoders = {
  [proxy.COM_QUERY] = function(cmd, packet) text_from_2(cmd, "query", packet) end,
  [proxy.COM_STMT_PREPARE] = function(cmd, packet) text_from_2(cmd, "query", packet) end,
  [proxy.COM_INIT_DB] = function(cmd, packet) text_from_2(cmd, "schema", packet) end,
  [proxy.COM_CREATE_DB] = function(cmd, packet) text_from_2(cmd, "schema", packet) end,
  [proxy.COM_DROP_DB] = function(cmd, packet) text_from_2(cmd, "schema", packet) end,
  [proxy.COM_FIELD_LIST] = function(cmd, packet)
    local nul = find(packet, "\0", 2, true)
    if nul then
      cmd.table = sub(packet, 2, nul - 1)
      cmd.wildcard = sub(packet, nul + 1)
    else
      cmd.table = sub(packet, 2)
    end
  end,
  [proxy.COM_STMT_EXECUTE] = function(cmd, packet)
    cmd.stmt_handler_id = uint(packet, 2, 4)
    cmd.flags = byte(packet, 6)
  end,
  [proxy.COM_STMT_CLOSE] = function(cmd, packet) cmd.stmt_handler_id = uint(packet, 2, 4) end,
  [proxy.COM_STMT_RESET] = function(cmd, packet) cmd.stmt_handler_id = uint(packet, 2, 4) end,
  [proxy.COM_STMT_FETCH] = function(cmd, packet)
    cmd.stmt_handler_id = uint(packet, 2, 4)
    cmd.num_rows = uint(packet, 6, 4)
  end,
  [proxy.COM_STMT_SEND_LONG_DATA] = function(cmd, packet)
    cmd.stmt_handler_id = uint(packet, 2, 4)
    cmd.param_id = uint(packet, 6, 2)
    cmd.data = sub(packet, 8)
  end,
  [proxy.COM_PROCESS_KILL] = function(cmd, packet) cmd.connection_id = uint(packet, 2, 4) end,
  [proxy.COM_SET_OPTION] = function(cmd, packet) cmd.option = uint(packet, 2, 2) end,
  [proxy.COM_REFRESH] = function(cmd, packet) cmd.option = byte(packet, 2) end,
  [proxy.COM_SHUTDOWN] = function(cmd, packet) cmd.option = byte(packet, 2) end,
}

--- Splits a command packet (the payload, command byte first) into a table.
function M.parse(packet)
  local cmd = {}
  cmd.type = byte(packet, 1)
  cmd.type_name = names[cmd.type] or "COM_UNKNOWN"
  local decode = decoders[cmd.type]
  if decode then decode(cmd, packet) end
  return cmd
end

--- Returns a one-line description of a parsed command, for logs.
function M.pretty_print(cmd)
  local detail = cmd.query or cmd.schema or cmd.table or cmd.stmt_handler_id
  if detail ~= nil then
    return format("[%s] %s", tostring(cmd.type_name), tostring(detail))
  end
  return format("[%s]", tostring(cmd.type_name))
end

return M
