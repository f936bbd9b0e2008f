-- testlib: assertions for the Lua test scripts of lua/tests (found through
-- --lua-path, which the test harness sets to this directory).
local M = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

--- Fails unless got == want.
function M.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: got %s, want %s", what or "value", show(got), show(want)), 2)
  end
end

--- Fails unless v is true-ish.
function M.ok(v, what)
  if not v then error((what or "condition") .. " is not true", 2) end
end

--- Calls fn and fails unless it raises an error matching pattern (plain
-- text); returns the error message.
function M.errors(fn, pattern, what)
  local ok, err = pcall(fn)
  if ok then error((what or "call") .. " did not fail", 2) end
  err = tostring(err)
  if pattern and not err:find(pattern, 1, true) then
    error(string.format("%s: error %q does not contain %q", what or "call", err, pattern), 2)
  end
  return err
end

--- Hex dump of a string ("0a1b...").
function M.hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

--- The bytes written as hex ("0a1b" -> "\10\27").
function M.unhex(h)
  return (h:gsub("%s", ""):gsub("..", function(x) return string.char(tonumber(x, 16)) end))
end

return M
