"""Helpers for the integration tests of Lua scripts (test_lua_*.py).

A LuaTestCase starts one tessera for its class with SCRIPT (Lua source
text) or SCRIPT_FILE (a path under the repository) as --proxy-lua-script.
What scripts print() goes to tessera's standard output, which the harness
keeps in a file: output_lines() and wait_for_output() read it.
"""

import os
import re
import time

import harness

EXAMPLES_DIR = os.path.join(harness.REPO_ROOT, "examples")
ER_SCRIPT_ERROR = 9010


def write_script(directory, name, text):
    """Write a script to directory/name and return its path."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def output_text(proxy):
    """Everything tessera wrote to its standard output and standard error."""
    if not os.path.exists(proxy.output_path):
        return ""
    with open(proxy.output_path, errors="replace") as f:
        return f.read()


def log_text(proxy):
    """tessera's log file (--log-file)."""
    if not os.path.exists(proxy.log_path):
        return ""
    with open(proxy.log_path, errors="replace") as f:
        return f.read()


def output_lines(proxy, prefix=None):
    """Lines of tessera's output, only those starting with prefix when given."""
    lines = output_text(proxy).splitlines()
    return [line for line in lines if prefix is None or line.startswith(prefix)]


def wait_for(predicate, timeout=10.0, what="a condition"):
    """Poll predicate() until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(0.05)


def wait_for_output(proxy, pattern, count=1, timeout=10.0):
    """Wait until tessera's output has count lines matching the regex pattern; return them."""
    regex = re.compile(pattern)

    def matches():
        found = [line for line in output_text(proxy).splitlines() if regex.search(line)]
        return found if len(found) >= count else None
    return wait_for(matches, timeout, "%d line(s) of output matching %r" % (count, pattern))


class OutputMark:
    """Where tessera's output stood when it was made: new_lines() gives what came since."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.offset = len(output_text(proxy))

    def text(self):
        return output_text(self.proxy)[self.offset:]

    def new_lines(self, prefix=None):
        return [line for line in self.text().splitlines() if prefix is None or line.startswith(prefix)]

    def wait_for(self, pattern, count=1, timeout=10.0):
        """Wait for count new lines matching the regex pattern; return every new line matching it."""
        regex = re.compile(pattern)

        def matches():
            found = [line for line in self.text().splitlines() if regex.search(line)]
            return found if len(found) >= count else None
        return wait_for(matches, timeout, "%d new line(s) of output matching %r" % (count, pattern))


@harness.needs_proxy
class LuaTestCase(harness.ProxyTestCase):
    """A ProxyTestCase whose tessera runs SCRIPT (text) or SCRIPT_FILE (path),
    with PROXY_ARGS added to its command line."""

    SCRIPT = None
    SCRIPT_FILE = None
    PROXY_ARGS = ("--event-threads=1",)

    @classmethod
    def script_args(cls):
        if cls.SCRIPT_FILE:
            path = cls.SCRIPT_FILE
        else:
            cls.script_dir = harness.scratch_dir()
            path = write_script(cls.script_dir, cls.__name__.lower() + ".lua", cls.SCRIPT)
        cls.script_path = path
        return ("--proxy-lua-script=" + path,) + tuple(cls.PROXY_ARGS)

    @classmethod
    def setUpClass(cls):
        cls.EXTRA_ARGS = cls.script_args()
        super().setUpClass()

    def mark(self):
        """An OutputMark of the class's tessera, taken now."""
        return OutputMark(self.proxy)

    def assert_script_error(self, ctx, *fragments):
        """The ErrorContext ctx holds tessera's ERR 9010 whose message has every fragment."""
        code, message = ctx.exception.args[0], ctx.exception.args[1]
        self.assertEqual(code, ER_SCRIPT_ERROR, message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message
