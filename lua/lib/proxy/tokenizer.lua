--[=[ proxy.tokenizer: helpers over token lists, as MySQL Proxy 0.8's module of
the same name. A token is a table { text = ..., token_name = "TK_...",
token_id = n } as mysql.tokenizer makes them.

  local tokenizer = require("proxy.tokenizer")
  local tokens = tokenizer.tokenize(query)       -- needs mysql.tokenizer
  tokenizer.normalize(tokens)         -- "SELECT * FROM `t` WHERE `id` = ? "
  tokenizer.first_stmt_token(tokens)  -- the first token that is not a comment
  tokenizer.bare_tokens(tokens, quote_strings)  -- texts, comments left out
  tokenizer.tokens_to_query(tokens [, first [, last]])
  tokenizer.tokens_without_comments(tokens)     -- texts, comments left out

normalize: comments are dropped, /*!...*/ comments kept as written, strings
and numbers become ?, identifiers are back-quoted (except @variables and a
leading COMMIT, ROLLBACK, BEGIN, START TRANSACTION), everything else is
upper-cased; every token is followed by a space except function names.
--]=]

local format, upper, concat = string.format, string.upper, table.concat

local M = {}

-- statement words that the lexer gives as literals
local literal_keywords = {
  COMMIT = {}, ROLLBACK = {}, BEGIN = {}, START = { "TRANSACTION" },
}

local function normalize_literal(out, text)
  if text:sub(1, 1) == "@" then
    out[#out + 1] = text .. " "
    return
  end
  local u = upper(text)
  if #out == 0 and literal_keywords[u] then
    out[#out + 1] = u .. " "
    return
  end
  if #out == 1 then
    local first = literal_keywords[out[1]:sub(1, -2)]
    if first and first[1] == u then
      out[#out + 1] = u .. " "
      return
    end
  end
  out[#out + 1] = "`" .. text .. "` "
end

local placeholders = { TK_STRING = true, TK_INTEGER = true, TK_FLOAT = true }

--- Returns the normalized form of a token list.
function M.normalize(tokens)
  local out = {}
  for i = 1, #tokens do
    local token = tokens[i]
    local name = token.token_name
    if name == "TK_COMMENT" then
      -- dropped
    elseif name == "TK_COMMENT_MYSQL" then
      out[#out + 1] = "/*!" .. token.text .. "*/ "
    elseif name == "TK_LITERAL" then
      normalize_literal(out, token.text)
    elseif placeholders[name] then
      out[#out + 1] = "? "
    elseif name == "TK_FUNCTION" then
      out[#out + 1] = upper(token.text)
    else
      out[#out + 1] = upper(token.text) .. " "
    end
  end
  return concat(out)
end

--- Tokenizes a query with mysql.tokenizer.
function M.tokenize(query)
  local ok, lexer = pcall(require, "mysql.tokenizer")
  if not ok then
    error("proxy.tokenizer.tokenize needs the mysql.tokenizer module: " .. tostring(lexer), 2)
  end
  return lexer.tokenize(query)
end

--- Returns the first token that is not a comment, or nil.
function M.first_stmt_token(tokens)
  for i = 1, #tokens do
    if tokens[i].token_name ~= "TK_COMMENT" then return tokens[i] end
  end
  return nil
end

--- Returns the texts of the tokens that are not comments; strings are
-- quoted with %q when quote_strings is true.
function M.bare_tokens(tokens, quote_strings)
  local out = {}
  for i = 1, #tokens do
    local token = tokens[i]
    if token.token_name == "TK_STRING" and quote_strings then
      out[#out + 1] = format("%q", token.text)
    elseif token.token_name ~= "TK_COMMENT" then
      out[#out + 1] = token.text
    end
  end
  return out
end

--- Returns a query text made of tokens first..last (default: all), without
-- comments; strings are quoted with %q; a space follows every token but
-- function names.
function M.tokens_to_query(tokens, first, last)
  first = first or 1
  last = last or #tokens
  local out = {}
  for i = first, last do
    local token = tokens[i]
    local name = token and token.token_name
    if name == "TK_STRING" then
      out[#out + 1] = format("%q", token.text) .. " "
    elseif name == "TK_FUNCTION" then
      out[#out + 1] = token.text
    elseif name and name ~= "TK_COMMENT" then
      out[#out + 1] = token.text .. " "
    end
  end
  return concat(out)
end

--- Returns the texts of the tokens that are not comments.
function M.tokens_without_comments(tokens)
  return M.bare_tokens(tokens, false)
end

return M
