#!/usr/bin/python3
"""The Lua examples of docs/lua-api.md's sections on hooks, proxy.queries,
inj, proxy.response and proxy.connection run: each code block is started
as tessera's script and serves queries through real MariaDB."""

import os
import re

import pymysql

import harness
import lua_harness

DOC = os.path.join(harness.REPO_ROOT, "docs", "lua-api.md")


def doc_scripts():
    """The ```lua blocks from '## Hooks' up to '## Costs'."""
    with open(DOC) as f:
        text = f.read()
    section = text[text.index("\n## Hooks\n"):text.index("\n## Costs\n")]
    return re.findall(r"```lua\n(.*?)```", section, re.S)


@harness.needs_proxy
class LuaDocExamplesTest(harness.ProxyTestCase):
    SHARED_PROXY = False

    def test_there_are_examples(self):
        self.assertGreaterEqual(len(doc_scripts()), 6)

    def test_every_example_runs(self):
        backend = harness.backends()[0]
        for number, script in enumerate(doc_scripts(), 1):
            with self.subTest(example=number, first_line=script.splitlines()[0]):
                path = lua_harness.write_script(harness.scratch_dir(), "doc-%d.lua" % number, script)
                proxy = harness.Tessera([backend.address], ["--proxy-lua-script=" + path, "--event-threads=1"])
                proxy.start()
                try:
                    self.check(proxy, script)
                finally:
                    harness.assert_clean_exit(proxy)

    def check(self, proxy, script):
        with harness.pymysql_connect(proxy.port, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchall(), ((1,),))
            if "SHOW PROXY BACKENDS" in script:
                cur.execute("show proxy backends")
                self.assertEqual(cur.fetchall()[0][:2], (1, harness.backends()[0].address))
            if "TK_SQL_DROP" in script:
                with self.assertRaises(pymysql.err.OperationalError) as ctx:
                    cur.execute("DROP TABLE t_lua_docs_nothing")
                self.assertEqual(ctx.exception.args[0], 1142)


if __name__ == "__main__":
    harness.main()
