#!/usr/bin/python3
"""Starting tessera with a script: a script that does not load stops
tessera at once with exit code 1 and its error on one line; --lua-path,
--lua-instruction-budget=0 and a MySQL Proxy defaults file work."""

import os
import subprocess

import harness
import lua_harness

ANSWER = r"""
local helper = require("%s")

function read_query(packet)
  if packet:sub(2) ~= "ask" then return end
  local n = 0
  for i = 1, %d do n = n + 1 end
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                     resultset = { fields = { { name = "answer" }, { name = "loops" } },
                                   rows = { { helper.answer(), n } } } }
  return proxy.PROXY_SEND_RESULT
end
"""

MODULE = r"""
local M = {}
function M.answer() return "from a module" end
return M
"""


@harness.needs_proxy
class LuaStartupFailureTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def run_tessera(self, *args):
        backend = harness.backends()[0]
        cmd = [harness.tessera_binary(), "--proxy-address=127.0.0.1:%d" % harness.closed_port(),
               "--proxy-backend-addresses=" + backend.address] + list(args)
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=30)

    def assert_refused(self, result, *fragments):
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def script(self, text):
        return lua_harness.write_script(harness.scratch_dir(), "startup.lua", text)

    def test_a_syntax_error(self):
        path = self.script("function read_query(packet)\n  if packet then\nend\n")
        self.assert_refused(self.run_tessera("--proxy-lua-script=" + path),
                            "--proxy-lua-script=" + path, "%s:4: 'end' expected" % path)

    def test_an_error_at_the_top_level(self):
        path = self.script("local x = 1\nerror('not today')\n")
        self.assert_refused(self.run_tessera("--proxy-lua-script=" + path), "%s:2: not today" % path)

    def test_a_missing_file(self):
        path = os.path.join(harness.scratch_dir(), "missing.lua")
        self.assert_refused(self.run_tessera("--proxy-lua-script=" + path), path, "No such file or directory")

    def test_bytecode_is_refused(self):
        path = os.path.join(harness.scratch_dir(), "bytecode.lua")
        with open(path, "wb") as f:
            f.write(b"\x1bLJ\x02\x00")
        self.assert_refused(self.run_tessera("--proxy-lua-script=" + path), "bytecode")

    def test_a_bad_budget(self):
        path = self.script("")
        self.assert_refused(self.run_tessera("--proxy-lua-script=" + path, "--lua-instruction-budget=-1"),
                            "--lua-instruction-budget: '-1' is not a count")

    def test_help_lists_the_options(self):
        result = subprocess.run([harness.tessera_binary(), "--help"], stdout=subprocess.PIPE, text=True, timeout=30)
        for option in ("--proxy-lua-script", "--lua-allow-unsafe", "--lua-instruction-budget", "--lua-path"):
            self.assertIn(option, result.stdout)


class LuaStartupOptionsTest(lua_harness.LuaTestCase):
    """A module found through --lua-path, with the budget off (a loop far
    past the default budget completes)."""

    @classmethod
    def script_args(cls):
        module_dir = harness.scratch_dir()
        lua_harness.write_script(module_dir, "startup_helper.lua", MODULE)
        cls.SCRIPT = ANSWER % ("startup_helper", 30000000)
        return super().script_args() + ("--lua-path=" + os.path.join(module_dir, "?.lua"),
                                        "--lua-instruction-budget=0")

    def test_module_and_no_budget(self):
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("ask")
            self.assertEqual(cur.fetchall(), (("from a module", "30000000"),))


@harness.needs_proxy
class LuaDefaultsFileTest(harness.ProxyTestCase):
    """A MySQL Proxy defaults file naming the script."""

    SHARED_PROXY = False

    def test_defaults_file(self):
        work = harness.scratch_dir()
        module_dir = harness.scratch_dir()
        lua_harness.write_script(module_dir, "defaults_helper.lua", MODULE)
        script = lua_harness.write_script(work, "defaults.lua", ANSWER % ("defaults_helper", 10))
        defaults = os.path.join(work, "proxy.cnf")
        with open(defaults, "w") as f:
            f.write("[mysql-proxy]\nproxy-lua-script = %s\nlua-path = %s\n" % (script, os.path.join(module_dir, "?.lua")))
        os.chmod(defaults, 0o600)
        self.start_proxy([harness.backends()[0].address], ["--defaults-file=" + defaults, "--event-threads=1"])
        with harness.pymysql_connect(self.port) as conn, conn.cursor() as cur:
            cur.execute("ask")
            self.assertEqual(cur.fetchall(), (("from a module", "10"),))


if __name__ == "__main__":
    harness.main()
