-- password-and-proto.lua: mysql.password and mysql.proto at work: build the
-- server's answer to a login by hand and check a client's scramble.
local password = require("mysql.password")
local proto = require("mysql.proto")

function read_query(packet)
  local challenge = "12345678901234567890"
  local stage1 = password.hash("secret")                   -- SHA1(password)
  local response = password.scramble(challenge, stage1)    -- what a client sends
  local ok = proto.to_ok_packet({ affected_rows = 1, server_status = 2 })
  proxy.response.check = password.check(challenge, response, password.hash(stage1))
  proxy.response.ok_packet_hex = (ok:gsub(".", function(c) return string.format("%02x", c:byte()) end))
  proxy.response.ok_fields = proto.from_ok_packet(ok)
end
