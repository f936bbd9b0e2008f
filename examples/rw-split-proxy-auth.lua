--[[ rw-split-proxy-auth.lua: reads to a read-only backend (-r), writes and
transactions to the read-write one (-b), for clients tessera authenticates
itself (--proxy-user).

  tessera -b primary:3306 -r replica:3306 --proxy-user=app:secret \
          --proxy-lua-script=examples/rw-split-proxy-auth.lua

Because tessera checked the client's password, it can log in to any backend
as that client: setting proxy.connection.backend_ndx opens (or reuses) a
connection to that backend when the statement needs it. No pool has to be
warmed up first, unlike MySQL Proxy's rw-splitting.lua (see rw-splitting.lua
for that, with pass-through authentication). Session variables set with SET
stay on the connection they ran on. ]]

local tokenizer = require("proxy.tokenizer")

local in_transaction = false

-- The lexer gives these statement words as literals, as MySQL Proxy's did.
local STARTS = { BEGIN = true, START = true }
local ENDS = { COMMIT = true, ROLLBACK = true }

local function first_backend(backend_type)
  for i = 1, #proxy.global.backends do
    local b = proxy.global.backends[i]
    if b.type == backend_type and b.state ~= proxy.BACKEND_STATE_DOWN then return i end
  end
end

-- TRUE for a SELECT that locks nothing (no FOR UPDATE / LOCK IN SHARE MODE).
local function is_plain_read(tokens, first)
  if first.token_name ~= "TK_SQL_SELECT" then return false end
  for _, t in ipairs(tokens) do
    if t.token_name == "TK_SQL_UPDATE" or t.token_name == "TK_SQL_SHARE" or t.token_name == "TK_SQL_INTO" then
      return false
    end
  end
  return true
end

function read_query(packet)
  local rw = first_backend(proxy.BACKEND_TYPE_RW)
  local target = rw
  if packet:byte() == proxy.COM_QUERY then
    local tokens = tokenizer.tokenize(packet:sub(2))
    local first = tokenizer.first_stmt_token(tokens)
    local word = first and first.text:upper()
    if word and STARTS[word] then
      in_transaction = true
    elseif word and ENDS[word] then
      in_transaction = false
    elseif first and not in_transaction and is_plain_read(tokens, first) then
      target = first_backend(proxy.BACKEND_TYPE_RO) or rw
    end
  end
  if target and target ~= proxy.connection.backend_ndx then proxy.connection.backend_ndx = target end
end
