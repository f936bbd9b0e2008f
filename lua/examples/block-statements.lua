-- block-statements.lua: refuses DROP and TRUNCATE with an error the client
-- sees, lets everything else through.
local commands = require("proxy.commands")

local blocked = { drop = true, truncate = true }

function read_query(packet)
  local cmd = commands.parse(packet)
  if cmd.type ~= proxy.COM_QUERY then return end
  local first = cmd.query:match("^%s*(%a+)")
  if first and blocked[first:lower()] then
    proxy.response = {
      type = proxy.MYSQLD_PACKET_ERR,
      errmsg = first:upper() .. " is not allowed through this proxy",
      errcode = 1142, sqlstate = "42000",
    }
    return proxy.PROXY_SEND_RESULT
  end
end
