-- proxy.global.backends over the fake provider of test-lua.c.
local t = require("testlib")

function test_list()
  local b = proxy.global.backends
  t.eq(#b, 5, "#backends")
  t.eq(b[0], nil, "index 0")
  t.eq(b[6], nil, "past the end")
  t.eq(b["x"], nil, "a string index")
  t.eq(b[1.5], nil, "a fractional index")
  local n = 0
  for i, backend in ipairs(b) do n = i; t.ok(backend.dst.name ~= nil, "dst.name of " .. i) end
  t.eq(n, 5, "ipairs over the backends")
end

function test_fields()
  local s = proxy.global.backends[3]
  t.eq(s.dst.name, "10.0.0.3:3306", "dst.name")
  t.eq(s.dst.address, "10.0.0.3", "dst.address")
  t.eq(s.dst.port, 3306, "dst.port")
  t.eq(s.dst.type, 2, "dst.type (AF_INET)")
  t.eq(s.state, proxy.BACKEND_STATE_UP, "state")
  t.eq(s.type, proxy.BACKEND_TYPE_RO, "type")
  t.eq(s.uuid, "uuid-3", "uuid")
  t.eq(s.connected_clients, 5, "connected_clients")
  t.eq(s.pool.min_idle_connections, 1, "pool.min_idle_connections")
  t.eq(s.pool.max_idle_connections, 8, "pool.max_idle_connections")
  t.eq(s.pool.users["app"].cur_idle_connections, 2, "pool.users[app]")
  t.eq(s.pool.users["other"].cur_idle_connections, 0, "pool.users[other]")
  t.eq(proxy.global.backends[1].uuid, nil, "no uuid")
  t.eq(s.no_such_field, nil, "unknown field")
end

function test_writes()
  local s = proxy.global.backends[2]
  s.state = proxy.BACKEND_STATE_DOWN
  t.eq(s.state, proxy.BACKEND_STATE_DOWN, "state written")
  s.state = proxy.BACKEND_STATE_UP
  s.uuid = "new-uuid"
  t.eq(s.uuid, "new-uuid", "uuid written")
  s.pool.max_idle_connections = 16
  t.eq(s.pool.max_idle_connections, 16, "pool.max_idle_connections written")
  t.errors(function() s.type = proxy.BACKEND_TYPE_RO end, "proxy.global.backends[2].type is not writable", "type")
  t.errors(function() s.state = 7 end, "is not writable", "a state out of range")
  t.errors(function() s.pool.users = 1 end, "is not writable", "pool.users")
end
