--[=[ proxy.auto-config: lets a client read and change the configuration
that scripts keep in proxy.global.config, as MySQL Proxy 0.8's module of the
same name (rw-splitting.lua uses it):

  local auto_config = require("proxy.auto-config")
  function read_query(packet)
    local r = auto_config.handle(commands.parse(packet))
    if r then return r end
    ...
  end

It answers these queries itself (keywords in any case):

  PROXY SHOW CONFIG                          one row per module and option
  PROXY SET GLOBAL module.option = value     value: a number, true/false or "a string",
                                             of the type the option has now
  PROXY SAVE CONFIG INTO "file"              (needs --lua-allow-unsafe)
  PROXY LOAD CONFIG FROM "file"              (needs --lua-allow-unsafe)

handle(cmd) or handle(config, cmd) returns proxy.PROXY_SEND_RESULT with
proxy.response set for those, nil for anything else. Unlike 0.8, option
names may hold digits and underscores, and proxy.global.config:handle(cmd)
(0.8's method form) does not exist.
--]=]

local proxy = proxy

local M = {}

local function respond_error(msg)
  proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errmsg = msg }
end

local function respond_ok(affected)
  proxy.response = { type = proxy.MYSQLD_PACKET_OK, affected_rows = affected }
end

-- "PROXY SET GLOBAL a.b = x" -> { "SET", "a", "b", "x" } (nil when not ours)
local function parse(query)
  local q = query:match("^%s*(.-)%s*;?%s*$")
  local verb, rest = q:match("^[Pp][Rr][Oo][Xx][Yy]%s+(%a+)%s*(.*)$")
  if not verb then return nil end
  verb = verb:upper()
  if verb == "SHOW" and rest:upper() == "CONFIG" then return { "SHOW" } end
  if verb == "SET" then
    local mod, opt, value = rest:match("^[Gg][Ll][Oo][Bb][Aa][Ll]%s+([%w_]+)%.([%w_]+)%s*=%s*(.-)$")
    if mod then return { "SET", mod, opt, value } end
  end
  if verb == "SAVE" or verb == "LOAD" then
    local word = verb == "SAVE" and "INTO" or "FROM"
    local kw, file = rest:match('^[Cc][Oo][Nn][Ff][Ii][Gg]%s+(%a+)%s+"(.*)"$')
    if kw and kw:upper() == word then return { verb, file } end
  end
  return nil
end

-- the value text converted to the type of `current`
local function convert(current, text)
  local kind = type(current)
  if kind == "number" then
    local n = text:match("^%-?%d+%.?%d*$") and tonumber(text)
    if n then return n end
    return nil, "(auto-config) expected a number, got " .. text
  elseif kind == "boolean" then
    if text:lower() == "true" then return true end
    if text:lower() == "false" then return false end
    return nil, "(auto-config) expected a boolean, got " .. text
  elseif kind == "string" then
    local s = text:match('^"(.*)"$')
    if s then return s end
    return nil, "(auto-config) expected a string, got " .. text
  end
  return nil, "(auto-config) options of type " .. kind .. " cannot be set"
end

local function set(config, mod, opt, text)
  local options = config[mod]
  if options == nil then return respond_error("module not known: " .. mod) end
  if options[opt] == nil then return respond_error("option not known: " .. mod .. "." .. opt) end
  local value, err = convert(options[opt], text)
  if value == nil then return respond_error(err) end
  options[opt] = value
  respond_ok(1)
end

local function show(config)
  local rows = {}
  for mod, options in pairs(config) do
    if type(options) == "table" or type(options) == "userdata" then
      for opt, value in pairs(options) do
        rows[#rows + 1] = { tostring(mod), tostring(opt), tostring(value), type(value) }
      end
    end
  end
  table.sort(rows, function(a, b) return a[1] .. "." .. a[2] < b[1] .. "." .. b[2] end)
  local field = function(name) return { name = name, type = proxy.MYSQL_TYPE_STRING } end
  proxy.response = {
    type = proxy.MYSQLD_PACKET_OK,
    resultset = { fields = { field("module"), field("option"), field("value"), field("type") }, rows = rows },
  }
end

-- "return { module = { option = value, ... }, ... }"
local function serialize(config)
  local out = { "return {\n" }
  for mod, options in pairs(config) do
    out[#out + 1] = string.format("  [%q] = {\n", tostring(mod))
    for opt, value in pairs(options) do
      local v = type(value) == "string" and string.format("%q", value) or tostring(value)
      out[#out + 1] = string.format("    [%q] = %s,\n", tostring(opt), v)
    end
    out[#out + 1] = "  },\n"
  end
  out[#out + 1] = "}\n"
  return table.concat(out)
end

local function save(config, file)
  if not io then return respond_error("PROXY SAVE CONFIG needs --lua-allow-unsafe (no file access in the sandbox)") end
  local f, err = io.open(file, "w")
  if not f then return respond_error(err) end
  f:write(serialize(config))
  f:close()
  respond_ok(0)
end

local function load_file(config, file)
  if not io then return respond_error("PROXY LOAD CONFIG needs --lua-allow-unsafe (no file access in the sandbox)") end
  local f, err = io.open(file, "r")
  if not f then return respond_error(err) end
  local text = f:read("*a")
  f:close()
  local chunk, msg = load(text, "=" .. file, "t", {})
  if not chunk then return respond_error(msg) end
  local ok, loaded = pcall(chunk)
  if not ok or type(loaded) ~= "table" then return respond_error("(auto-config) " .. file .. " does not return a table") end
  for mod, options in pairs(loaded) do
    if config[mod] == nil then
      config[mod] = options
    else
      for opt, value in pairs(options) do config[mod][opt] = value end
    end
  end
  respond_ok(0)
end

--- Answers PROXY SHOW/SET/SAVE/LOAD CONFIG queries; nil for others.
function M.handle(config, cmd)
  if cmd == nil then
    cmd, config = config, proxy.global.config
  end
  if cmd.type ~= proxy.COM_QUERY or #cmd.query > 1024 then return nil end
  local parsed = parse(cmd.query)
  if not parsed then return nil end
  if parsed[1] == "SHOW" then show(config)
  elseif parsed[1] == "SET" then set(config, parsed[2], parsed[3], parsed[4])
  elseif parsed[1] == "SAVE" then save(config, parsed[2])
  else load_file(config, parsed[2]) end
  return proxy.PROXY_SEND_RESULT
end

return M
