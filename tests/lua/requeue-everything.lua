--[[ requeue-everything.lua: hooks every phase of every connection and changes
nothing. Each command is queued again exactly as the client sent it and its
result streams back; the login hooks only look. tests/meson.build runs the
integration tests a second time with this script loaded: they must pass the
same, so the Lua path relays as faithfully as the plain one. ]]

local commands = 0

function connect_server()
  assert(proxy.connection.server == nil)
end

function read_handshake()
  assert(proxy.connection.server.thread_id > 0)
end

function read_auth()
  assert(type(proxy.connection.client.username) == "string")
end

function read_auth_result(auth)
  assert(type(auth.packet) == "string")
end

function read_query(packet)
  commands = commands + 1
  proxy.queries:append(commands, packet)
  return proxy.PROXY_SEND_QUERY
end

function read_query_result(inj)
  assert(inj.id == commands, "results come back for the command just sent")
end

function disconnect_client()
end
