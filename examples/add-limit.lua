--[[ add-limit.lua: rewrites queries before the server sees them.

A SELECT without a LIMIT gets "LIMIT 1000" appended, so that a forgotten
WHERE cannot pull a whole table through the proxy. The decision is made on
tokens (mysql.tokenizer), not on the text: a "limit" inside a string or a
comment does not count.

  SELECT * FROM orders            ->  SELECT * FROM orders LIMIT 1000
  SELECT * FROM orders LIMIT 5    ->  unchanged
  select 'limit' from dual        ->  select 'limit' from dual LIMIT 1000

The client gets the result of the rewritten query as if it were its own. ]]

local tokenizer = require("mysql.tokenizer")

local MAX_ROWS = 1000

local function needs_limit(query)
  local first = tokenizer.first_stmt_token(query)
  if not first or first.token_name ~= "TK_SQL_SELECT" then return false end
  for _, token in ipairs(tokenizer.tokenize(query)) do
    -- a LIMIT anywhere (also in a subquery) or a row locking clause:
    -- leave the query alone
    if token.token_name == "TK_SQL_LIMIT" or token.token_name == "TK_SQL_FOR" or
       token.token_name == "TK_SQL_INTO" then
      return false
    end
  end
  return true
end

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local query = packet:sub(2):gsub("[%s;]+$", "")
  if needs_limit(query) then
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. query .. " LIMIT " .. MAX_ROWS)
    return proxy.PROXY_SEND_QUERY
  end
end
