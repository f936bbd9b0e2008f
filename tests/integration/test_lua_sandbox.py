#!/usr/bin/python3
"""The sandbox, seen from a live tessera: a script's hooks cannot reach the
file system, the process or the VM's internals unless the operator passes
--lua-allow-unsafe; what the sandbox allows works; the userdata's
metatables are hidden."""


import harness
import lua_harness

SCRIPT = r"""
local function probe(name, f)
  local ok, value = pcall(f)
  if not ok then return { name, "error: " .. tostring(value) } end
  return { name, tostring(value) }
end

function read_query(packet)
  if packet:sub(2) ~= "probe" then return end
  local rows = {
    probe("io", function() return io end),
    probe("os.execute", function() return os.execute end),
    probe("os.getenv", function() return os.getenv end),
    probe("debug", function() return debug end),
    probe("ffi", function() return require("ffi") ~= nil end),
    probe("dofile", function() return dofile end),
    probe("string.dump", function() return string.dump end),
    probe("bytecode", function() return select(2, load(string.char(27) .. "LJ")) end),
    probe("metatable of proxy.connection", function() return getmetatable(proxy.connection) end),
    probe("metatable of proxy.queries", function() return getmetatable(proxy.queries) end),
    probe("os.time", function() return type(os.time()) end),
    probe("string.format", function() return string.format("%05.1f", 3.14159) end),
    probe("mysql.proto", function() return type(require("mysql.proto").to_ok_packet) end),
    probe("read file", function() return io.open("/etc/hostname"):read("*a") end),
  }
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                     resultset = { fields = { { name = "probe" }, { name = "result" } }, rows = rows } }
  return proxy.PROXY_SEND_RESULT
end
"""


class LuaSandboxTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT

    def probe(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("probe")
            return dict(cur.fetchall())

    def test_the_sandbox_holds_in_a_live_proxy(self):
        result = self.probe()
        for name in ("io", "os.execute", "os.getenv", "debug", "dofile", "string.dump"):
            self.assertEqual(result[name], "nil", name)
        self.assertIn("module 'ffi' not found", result["ffi"])
        self.assertEqual(result["bytecode"], "precompiled bytecode is refused: load source text")
        self.assertEqual(result["metatable of proxy.connection"], "false")
        self.assertEqual(result["metatable of proxy.queries"], "false")
        self.assertIn("attempt to index global 'io' (a nil value)", result["read file"])

    def test_what_the_sandbox_allows_works(self):
        result = self.probe()
        self.assertEqual(result["os.time"], "number")
        self.assertEqual(result["string.format"], "003.1")
        self.assertEqual(result["mysql.proto"], "function")


class LuaUnsafeTest(lua_harness.LuaTestCase):
    """--lua-allow-unsafe opens what the sandbox holds back."""

    SCRIPT = SCRIPT
    PROXY_ARGS = ("--event-threads=1", "--lua-allow-unsafe")

    def test_unsafe_opens_the_libraries(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("probe")
            result = dict(cur.fetchall())
        self.assertTrue(result["io"].startswith("table: "), result["io"])
        self.assertTrue(result["os.execute"].startswith("function"), result["os.execute"])
        self.assertEqual(result["ffi"], "true")
        with open("/etc/hostname") as f:
            self.assertEqual(result["read file"], f.read())
        self.assertEqual(result["metatable of proxy.connection"], "false", "tessera's metatables stay hidden")


if __name__ == "__main__":
    harness.main()
