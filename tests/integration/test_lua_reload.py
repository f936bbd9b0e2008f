#!/usr/bin/python3
"""Reloading the script while tessera runs: a changed file gives new
connections the new version while open connections keep theirs (as in
MySQL Proxy 0.8); a file that does not load leaves the running version in
place and logs why."""

import time

import harness
import lua_harness

VERSION = r"""
local version = "%s"

function read_query(packet)
  if packet:sub(2) ~= "version" then return end
  proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                     resultset = { fields = { { name = "version" } }, rows = { { version } } } }
  return proxy.PROXY_SEND_RESULT
end
"""

BROKEN = r"""
function read_query(packet)
  if packet:sub(2) == "version" then
    return proxy.PROXY_SEND_RESULT
  -- the end is missing
"""

RELOAD_INTERVAL = 1.0  # TSR_LUA_DEFAULT_RELOAD_INTERVAL_MS


class LuaReloadTest(lua_harness.LuaTestCase):
    SCRIPT = VERSION % "v1"

    def version(self, conn):
        with conn.cursor() as cur:
            cur.execute("version")
            return cur.fetchone()[0]

    def rewrite(self, text):
        with open(self.script_path, "w") as f:
            f.write(text)
        time.sleep(RELOAD_INTERVAL + 0.2)

    def test_reload(self):
        old = self.connect()
        self.addCleanup(old.close)
        self.assertEqual(self.version(old), "v1")

        self.rewrite(VERSION % "version 2")
        with self.connect() as conn:
            self.assertEqual(self.version(conn), "version 2", "a new connection runs the new file")
        self.assertEqual(self.version(old), "v1", "an open connection keeps its version")
        lua_harness.wait_for(lambda: "reloaded (version 2)" in lua_harness.log_text(self.proxy),
                             what="the reload's log line")

        self.rewrite(BROKEN)
        with self.connect() as conn:
            self.assertEqual(self.version(conn), "version 2", "a broken file leaves the running version")
        log = lua_harness.wait_for(lambda: [line for line in lua_harness.log_text(self.proxy).splitlines()
                                            if "not reloaded, the running version stays" in line],
                                   what="the warning about the broken file")
        self.assertEqual(len(log), 1, log)
        self.assertIn("%s:" % self.script_path, log[0])
        self.assertIn("expected", log[0], "Lua's syntax error")
        self.assertTrue(self.proxy.is_alive())

        self.rewrite(VERSION % "version three")
        with self.connect() as conn:
            self.assertEqual(self.version(conn), "version three", "a fixed file loads again")
        self.assertEqual(self.version(old), "v1")


if __name__ == "__main__":
    harness.main()
