-- mysql.tokenizer (on the SQL lexer of sql/) and proxy.tokenizer over it.
local t = require("testlib")
local lexer = require("mysql.tokenizer")
local helpers = require("proxy.tokenizer")

function test_tokenize()
  local tokens = lexer.tokenize("SELECT * FROM t WHERE id = 'x''y' /* note */")
  local names, texts = {}, {}
  for i, tok in ipairs(tokens) do
    names[i] = tok.token_name
    texts[i] = tok.text
    t.eq(tok.token_id, lexer[tok.token_name], "token_id of " .. tok.token_name)
  end
  t.eq(table.concat(names, " "),
    "TK_SQL_SELECT TK_STAR TK_SQL_FROM TK_LITERAL TK_SQL_WHERE TK_LITERAL TK_EQ TK_STRING TK_COMMENT", "names")
  t.eq(texts[8], "x'y", "a string's text, quotes undoubled")
  t.eq(texts[9], " note ", "a comment's text")
  t.eq(lexer.TK_UNKNOWN, 0, "TK_UNKNOWN")
  t.ok(tokenizer == lexer, "the global tokenizer, as in 0.8")
end

function test_normalize_c_and_lua_agree()
  local queries = {
    "select * from t where id=1",
    "SELECT a, COUNT(*) FROM t1 JOIN t2 ON t1.x = t2.y WHERE b IN (1, 2.5, 'z') GROUP BY a",
    "begin",
    "START TRANSACTION",
    "insert into t (a, b) values (1, @x), (2, @@session.autocommit)",
    "/* comment */ update t set a = a + 1 -- trailing\n",
    "select /*!40001 SQL_NO_CACHE */ now()",
  }
  for _, q in ipairs(queries) do
    t.eq(helpers.normalize(lexer.tokenize(q)), lexer.normalize(q), "normalize of " .. q)
  end
  t.eq(lexer.normalize("select * from t where id=1"), "SELECT * FROM `t` WHERE `id` = ? ", "normalize")
end

function test_first_stmt_token_and_bare_tokens()
  t.eq(lexer.first_stmt_token("/* hint */ select 1").text, "select", "first_stmt_token")
  t.eq(lexer.first_stmt_token("/* only a comment */"), nil, "no statement")
  t.eq(table.concat(lexer.bare_tokens("select /* c */ 1"), "|"), "select|1", "bare_tokens")
  local tokens = helpers.tokenize("/* c */ COMMIT")
  t.eq(helpers.first_stmt_token(tokens).token_name, "TK_LITERAL", "COMMIT is a literal, as in 0.8")
end
