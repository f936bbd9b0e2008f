-- proxy.global from Lua: a shared store of booleans, numbers, strings and
-- tables of them.
local t = require("testlib")

function test_scalars()
  proxy.global.s = "a\0b"
  proxy.global.n = 1.5
  proxy.global.b = false
  proxy.global[7] = "seven"
  proxy.global[true] = "yes"
  t.eq(proxy.global.s, "a\0b", "string with a NUL")
  t.eq(proxy.global.n, 1.5, "number")
  t.eq(proxy.global.b, false, "false is kept")
  t.eq(proxy.global[7], "seven", "number key")
  t.eq(proxy.global["7"], nil, "'7' is another key than 7")
  t.eq(proxy.global[true], "yes", "boolean key")
  proxy.global.s = nil
  t.eq(proxy.global.s, nil, "nil removes")
  t.eq(proxy.global.never_set, nil, "missing key")
end

function test_nested_tables_are_copied_in_and_live_out()
  local src = { min = 4, names = { "a", "b" }, deep = { deeper = { x = 1 } } }
  proxy.global.config.rw = src
  src.min = 99                                  -- the store has a copy
  local rw = proxy.global.config.rw
  t.eq(type(rw), "userdata", "a nested table reads as a view")
  t.eq(rw.min, 4, "copied at assignment")
  t.eq(rw.names[2], "b", "array part")
  t.eq(#rw.names, 2, "# of a view")
  t.eq(rw.deep.deeper.x, 1, "three levels")
  rw.max = 8                                    -- writes through the view
  t.eq(proxy.global.config.rw.max, 8, "write through a view")
  local again = proxy.global.config.rw
  t.ok(again == rw, "two views of one table are ==")
end

function test_view_stays_valid_after_removal()
  proxy.global.tmp = { v = 1 }
  local view = proxy.global.tmp
  proxy.global.tmp = nil
  t.eq(view.v, 1, "a removed table is still readable through a view")
  view.v = 2
  t.eq(view.v, 2, "and writable")
  t.eq(proxy.global.tmp, nil, "but no longer in the store")
end

function test_assigning_a_view_copies()
  proxy.global.orig = { k = "v" }
  proxy.global.copy = proxy.global.orig
  proxy.global.orig.k = "changed"
  t.eq(proxy.global.copy.k, "v", "assignment of a view copies")
  t.ok(proxy.global.copy ~= proxy.global.orig, "different tables")
end

function test_refuses_what_cannot_be_shared()
  t.errors(function() proxy.global.f = print end, "function value cannot be shared", "function")
  t.errors(function() proxy.global.f = function() end end, "function value cannot be shared", "Lua function")
  t.errors(function() proxy.global.c = coroutine.create(print) end, "thread value cannot be shared", "coroutine")
  t.errors(function() proxy.global.u = proxy.global.backends end, "userdata value cannot be shared", "userdata")
  t.errors(function() proxy.global.nested = { ok = 1, bad = { fn = print } } end, "cannot be shared", "nested")
  t.eq(proxy.global.nested, nil, "a refused table leaves nothing behind")
  local cyclic = {}
  cyclic.self = cyclic
  t.errors(function() proxy.global.cyclic = cyclic end, "contains itself", "cycle")
  t.errors(function() proxy.global.k = { [{}] = 1 } end, "key of type table", "table key")
  t.errors(function() proxy.global[print] = 1 end, "keys are strings, numbers or booleans", "function key")
end

function test_shared_table_in_table_twice_is_fine()
  local shared = { x = 1 }
  proxy.global.twice = { a = shared, b = shared }   -- not a cycle
  t.eq(proxy.global.twice.a.x, 1, "a")
  t.eq(proxy.global.twice.b.x, 1, "b")
end

function test_reserved_fields()
  t.eq(type(proxy.global.config), "userdata", "proxy.global.config exists")
  t.errors(function() proxy.global.config = {} end, "cannot be replaced", "config")
  t.errors(function() proxy.global.backends = {} end, "cannot be replaced", "backends")
  t.eq(#proxy.global.backends, 0, "no backends in this VM")
end

function test_pairs_and_ipairs()
  proxy.global.list = { 10, 20, 30, name = "x" }
  local n, sum = 0, 0
  for k, v in pairs(proxy.global.list) do
    n = n + 1
    if type(k) == "number" then sum = sum + v end
  end
  t.eq(n, 4, "pairs sees every key")
  t.eq(sum, 60, "values")
  sum = 0
  for i, v in ipairs(proxy.global.list) do sum = sum + i * v end
  t.eq(sum, 10 + 40 + 90, "ipairs")
  local has_config = false
  for k in pairs(proxy.global) do if k == "config" then has_config = true end end
  t.ok(has_config, "pairs(proxy.global) lists config")
  sum = 0
  for _, v in proxy.shared.pairs(proxy.global.list) do if type(v) == "number" then sum = sum + v end end
  t.eq(sum, 60, "proxy.shared.pairs")
end

function test_incr()
  t.eq(proxy.shared.incr(proxy.global, "counter"), 1, "from nothing")
  t.eq(proxy.shared.incr(proxy.global, "counter", 10), 11, "by 10")
  t.eq(proxy.shared.incr(proxy.global, "counter", -1), 10, "down")
  t.eq(proxy.global.counter, 10, "read back")
  proxy.global.word = "x"
  t.errors(function() proxy.shared.incr(proxy.global, "word") end, "is a string, not a number", "not a number")
  proxy.global.stats = {}
  t.eq(proxy.shared.incr(proxy.global.stats, "q"), 1, "in a nested table")
  t.errors(function() proxy.shared.incr({}, "x") end, "tessera.global expected", "plain table")
end

function test_cas()
  proxy.global.state = "idle"
  t.eq(proxy.shared.cas(proxy.global, "state", "busy", "x"), false, "wrong expected value")
  t.eq(proxy.global.state, "idle", "unchanged")
  t.eq(proxy.shared.cas(proxy.global, "state", "idle", "busy"), true, "swap")
  t.eq(proxy.global.state, "busy", "swapped")
  t.eq(proxy.shared.cas(proxy.global, "absent", nil, { made = true }), true, "nil means missing")
  t.eq(proxy.global.absent.made, true, "table stored by cas")
  t.eq(proxy.shared.cas(proxy.global, "absent", nil, 1), false, "no longer missing")
end

function test_snapshot()
  proxy.global.snap = { a = 1, inner = { b = 2 } }
  local copy = proxy.shared.snapshot(proxy.global.snap)
  t.eq(type(copy), "table", "a plain table")
  t.eq(type(copy.inner), "table", "nested plain table")
  t.eq(copy.inner.b, 2, "value")
  proxy.global.snap.inner.b = 3
  t.eq(copy.inner.b, 2, "the copy does not change")
end

function test_tostring()
  t.eq(tostring(proxy.global), "proxy.global", "tostring")
  t.ok(tostring(proxy.global.config):find("proxy.global table", 1, true), "nested tostring")
  t.eq(getmetatable(proxy.global), "proxy.global", "the metatable is hidden")
end
