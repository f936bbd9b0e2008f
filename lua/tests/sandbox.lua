-- The sandbox: what must be absent, and the escapes that must not work.
local t = require("testlib")

-- the VM's own globals, as reached from a connection environment
local base = getmetatable(_G).__index

function test_no_io_debug_ffi_jit()
  for _, name in ipairs({ "io", "debug", "ffi", "jit", "dofile", "loadfile", "newproxy", "module" }) do
    t.eq(_G[name], nil, name)
    t.eq(base[name], nil, "VM globals ." .. name)
  end
end

function test_os_only_time_functions()
  t.ok(type(os.time()) == "number", "os.time")
  t.ok(type(os.clock()) == "number", "os.clock")
  t.ok(type(os.date("%Y")) == "string", "os.date")
  t.ok(type(os.difftime(2, 1)) == "number", "os.difftime")
  for _, name in ipairs({ "execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale" }) do
    t.eq(os[name], nil, "os." .. name)
  end
end

function test_string_dump_is_gone()
  t.eq(string.dump, nil, "string.dump")
  t.eq(("").dump, nil, "(''):dump")
  t.eq(("ab"):rep(2), "abab", "string methods still work")
end

function test_string_metatable_is_hidden()
  t.eq(getmetatable(""), false, "getmetatable('')")
  t.errors(function() return getmetatable("").__index end, "index", "getmetatable('').__index")
  t.errors(function() setmetatable("", {}) end, nil, "setmetatable on a string")
end

function test_require_only_builtins()
  t.errors(function() require("io") end, "not found", "require('io')")
  t.errors(function() require("ffi") end, "not found", "require('ffi')")
  t.errors(function() require("jit.util") end, "not found", "require('jit.util')")
  t.errors(function() require("debug") end, "not found", "require('debug')")
  t.eq(package.loadlib, nil, "package.loadlib")
  t.eq(package.loaders, nil, "package.loaders")
  t.eq(package.searchers, nil, "package.searchers")
  t.eq(package.cpath, "", "package.cpath")
end

function test_require_message_lists_builtins()
  local err = t.errors(function() require("no.such.module") end, "module 'no.such.module' not found")
  t.ok(err:find("proxy.commands", 1, true), "the message lists the built-in modules: " .. err)
end

function test_load_is_text_only()
  t.eq(load("return 1 + 1")(), 2, "load of text")
  t.eq(loadstring("return 3")(), 3, "loadstring of text")
  local f, err = load("\27LJ\2\0garbage", "x", "b")
  t.eq(f, nil, "load of bytecode with mode b")
  t.ok(err:find("bytecode is refused", 1, true), "message: " .. tostring(err))
  f, err = loadstring("\27LJ\2\0garbage")
  t.eq(f, nil, "loadstring of bytecode")
end

function test_loaded_chunks_get_the_connection_env()
  loadstring("set_by_loadstring = 42")()
  t.eq(rawget(_G, "set_by_loadstring"), 42, "global set by a loaded chunk")
  t.eq(base.set_by_loadstring, nil, "not in the VM's globals")
  local env = {}
  load("y = 1", "chunk", "t", env)()
  t.eq(env.y, 1, "explicit env")
end

function test_setfenv_limits()
  t.errors(function() setfenv(0, {}) end, "setfenv(0)", "setfenv(0)")
  t.errors(function() setfenv(print, {}) end, "C function", "setfenv(print)")
  local commands = require("proxy.commands")
  t.errors(function() setfenv(commands.parse, {}) end, "library function", "setfenv on a built-in module")
  local function mine() return x_in_env end
  setfenv(mine, { x_in_env = 7 })
  t.eq(mine(), 7, "setfenv on the script's own function")
end

function test_getfenv_reaches_no_hidden_libraries()
  local g0 = getfenv(0)
  t.eq(g0, base, "getfenv(0) is the VM's globals")
  t.eq(g0.io, nil, "getfenv(0).io")
  t.eq(g0.debug, nil, "getfenv(0).debug")
  t.eq(getfenv(print), base, "getfenv of a C function")
end

function test_collectgarbage_limits()
  t.ok(collectgarbage("count") > 0, "count")
  collectgarbage()
  collectgarbage("step")
  for _, opt in ipairs({ "stop", "restart", "setpause", "setstepmul" }) do
    t.errors(function() collectgarbage(opt, 100) end, "not allowed", "collectgarbage('" .. opt .. "')")
  end
end

function test_pairs_honours_pairs_metamethod()
  local seen = {}
  local obj = setmetatable({}, { __pairs = function(self) return next, { a = 1, b = 2 }, nil end })
  for k, v in pairs(obj) do seen[k] = v end
  t.eq(seen.a, 1, "seen.a")
  t.eq(seen.b, 2, "seen.b")
  local n = 0
  for _ in pairs({ 1, 2, 3, x = 4 }) do n = n + 1 end
  t.eq(n, 4, "plain tables")
  t.errors(function() pairs(nil) end, "table expected", "pairs(nil)")
end

function test_ipairs_honours_index()
  local proxied = setmetatable({}, { __index = function(_, i) if i <= 3 then return i * 10 end end })
  local sum = 0
  for _, v in ipairs(proxied) do sum = sum + v end
  t.eq(sum, 60, "ipairs over __index")
  sum = 0
  for _, v in ipairs({ 1, 2, 3 }) do sum = sum + v end
  t.eq(sum, 6, "plain ipairs")
end

function test_coroutines_and_bit_work()
  local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
  t.eq(co(1), 2, "first resume")
  t.eq(co(5), 10, "second resume")
  t.eq(bit.band(0xff, 0x0f), 0x0f, "bit.band")
end
