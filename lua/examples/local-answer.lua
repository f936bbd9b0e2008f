-- local-answer.lua: answers one query itself, with a result set, without
-- asking a backend.
local commands = require("proxy.commands")

function read_query(packet)
  local cmd = commands.parse(packet)
  if cmd.type == proxy.COM_QUERY and cmd.query:lower() == "select proxy_version()" then
    proxy.response = {
      type = proxy.MYSQLD_PACKET_OK,
      resultset = {
        fields = { { name = "proxy_version", type = proxy.MYSQL_TYPE_STRING } },
        rows = { { string.format("0x%06x", proxy.PROXY_VERSION) } },
      },
    }
    return proxy.PROXY_SEND_RESULT
  end
end
