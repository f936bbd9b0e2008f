-- The built-in modules: proxy.commands, proxy.tokenizer, proxy.balance,
-- mysql.password, mysql.proto (fields; byte-exact checks are in
-- test-lua-proto.c).
local t = require("testlib")
local commands = require("proxy.commands")
local tokenizer = require("proxy.tokenizer")
local balance = require("proxy.balance")
local password = require("mysql.password")
local proto = require("mysql.proto")

local function le32(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256, math.floor(n / 16777216) % 256)
end

function test_require_caches()
  t.ok(require("proxy.commands") == commands, "the same table twice")
  t.ok(package.loaded["proxy.commands"] == commands, "package.loaded")
  t.ok(proto == _G.proto, "mysql.proto sets the global proto as in 0.8")
  t.ok(password == _G.password, "mysql.password sets the global password")
end

function test_commands_parse()
  local cmd = commands.parse(string.char(proxy.COM_QUERY) .. "SELECT 1")
  t.eq(cmd.type, proxy.COM_QUERY, "type")
  t.eq(cmd.type_name, "COM_QUERY", "type_name")
  t.eq(cmd.query, "SELECT 1", "query")
  t.eq(commands.pretty_print(cmd), "[COM_QUERY] SELECT 1", "pretty_print")

  cmd = commands.parse(string.char(proxy.COM_INIT_DB) .. "shop")
  t.eq(cmd.schema, "shop", "COM_INIT_DB schema")
  cmd = commands.parse(string.char(proxy.COM_STMT_EXECUTE) .. le32(0x01020304) .. "\0\1\0\0\0")
  t.eq(cmd.stmt_handler_id, 0x01020304, "COM_STMT_EXECUTE stmt_handler_id")
  t.eq(cmd.type_name, "COM_STMT_EXECUTE", "execute name")
  cmd = commands.parse(string.char(proxy.COM_STMT_CLOSE) .. le32(77))
  t.eq(cmd.stmt_handler_id, 77, "COM_STMT_CLOSE stmt_handler_id")
  cmd = commands.parse(string.char(proxy.COM_FIELD_LIST) .. "t1\0col%")
  t.eq(cmd.table, "t1", "COM_FIELD_LIST table")
  t.eq(cmd.wildcard, "col%", "COM_FIELD_LIST wildcard")
  cmd = commands.parse(string.char(proxy.COM_STMT_PREPARE) .. "SELECT ?")
  t.eq(cmd.query, "SELECT ?", "COM_STMT_PREPARE query")
  cmd = commands.parse(string.char(proxy.COM_QUIT))
  t.eq(cmd.type_name, "COM_QUIT", "COM_QUIT")
  t.eq(commands.pretty_print(cmd), "[COM_QUIT]", "pretty_print without detail")
  cmd = commands.parse(string.char(0x42))
  t.eq(cmd.type_name, "COM_UNKNOWN", "unknown command")
end

local function tok(name, text) return { token_name = name, text = text } end

function test_tokenizer_helpers()
  local tokens = {
    tok("TK_COMMENT", " hint "), tok("TK_SQL_SELECT", "select"), tok("TK_STAR", "*"),
    tok("TK_SQL_FROM", "from"), tok("TK_LITERAL", "t"), tok("TK_SQL_WHERE", "where"),
    tok("TK_LITERAL", "id"), tok("TK_EQ", "="), tok("TK_INTEGER", "1"), tok("TK_SQL_AND", "and"),
    tok("TK_FUNCTION", "now"), tok("TK_OBRACE", "("), tok("TK_CBRACE", ")"), tok("TK_NE", "<>"),
    tok("TK_STRING", "x"),
  }
  t.eq(tokenizer.normalize(tokens), "SELECT * FROM `t` WHERE `id` = ? AND NOW( ) <> ? ", "normalize")
  t.eq(tokenizer.first_stmt_token(tokens).text, "select", "first_stmt_token skips comments")
  local bare = tokenizer.bare_tokens(tokens, true)
  t.eq(#bare, 14, "bare_tokens drops the comment")
  t.eq(bare[14], '"x"', "bare_tokens quotes strings")
  t.eq(tokenizer.tokens_to_query(tokens, 2, 5), "select * from t ", "tokens_to_query")
  t.eq(#tokenizer.tokens_without_comments(tokens), 14, "tokens_without_comments")
  t.eq(tokenizer.normalize({ tok("TK_LITERAL", "begin") }), "BEGIN ", "BEGIN is not quoted")
  t.eq(tokenizer.normalize({ tok("TK_LITERAL", "start"), tok("TK_LITERAL", "transaction") }),
    "START TRANSACTION ", "START TRANSACTION")
  t.eq(tokenizer.normalize({ tok("TK_LITERAL", "@@autocommit") }), "@@autocommit ", "variables as they are")
  t.eq(tokenizer.normalize({ tok("TK_COMMENT_MYSQL", "50001 x") }), "/*!50001 x*/ ", "executable comments kept")
end

function test_balance()
  -- backends of the fake provider: 1 rw up (0 idle), 2 rw up (3 idle),
  -- 3 ro up (2 idle, 5 clients), 4 ro up (1 idle, 2 clients), 5 ro down
  t.eq(#proxy.global.backends, 5, "five fake backends")
  t.eq(balance.idle_failsafe_rw(), 2, "first rw with idle connections")
  t.eq(balance.idle_ro(), 4, "ro with the fewest clients")
end

function test_password()
  t.eq(t.hex(password.hash("secret")), "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4", "hash = SHA1(password)")
  local challenge = "12345678901234567890"
  local stage1 = password.hash("secret")
  local stored = password.hash(stage1)
  local response = password.scramble(challenge, stage1)
  t.eq(t.hex(response), "0f8b9033e0897c0a8338ebe3dea9010dda47ab56", "scramble")
  t.eq(password.check(challenge, response, stored), true, "check of the right response")
  t.eq(password.check(challenge, password.scramble(challenge, password.hash("wrong")), stored), false,
    "check of a wrong response")
  t.eq(password.unscramble(challenge, response, stored), stage1, "unscramble")
  t.eq(password.unscramble(challenge, ("x"):rep(20), stored), nil, "unscramble of a wrong response")
  t.eq(password.check(challenge, "", ""), true, "no password: empty response")
  t.eq(password.check(challenge, response, ""), false, "no password: any other response")
  t.errors(function() password.scramble(challenge, "short") end, "20-byte", "bad hash length")
end

function test_proto_ok_err_eof()
  local ok = proto.from_ok_packet(proto.to_ok_packet({ affected_rows = 3, insert_id = 300, server_status = 2, warnings = 1 }))
  t.eq(ok.affected_rows, 3, "affected_rows")
  t.eq(ok.insert_id, 300, "insert_id")
  t.eq(ok.server_status, 2, "server_status")
  t.eq(ok.warnings, 1, "warnings")
  local err = proto.from_err_packet(proto.to_err_packet({ errcode = 1064, sqlstate = "42000", errmsg = "syntax" }))
  t.eq(err.errcode, 1064, "errcode")
  t.eq(err.sqlstate, "42000", "sqlstate")
  t.eq(err.errmsg, "syntax", "errmsg")
  local eof = proto.from_eof_packet(proto.to_eof_packet({ server_status = 0x22, warnings = 4 }))
  t.eq(eof.server_status, 0x22, "eof server_status")
  t.eq(eof.warnings, 4, "eof warnings")
  t.errors(function() proto.from_ok_packet("\255\1\2") end, "mysql.proto.from_ok_packet", "ERR as OK")
  t.errors(function() proto.from_ok_packet() end, "bad argument #1", "no packet")
end

function test_proto_challenge_and_response()
  local hs = proto.from_challenge_packet(proto.to_challenge_packet({
    server_version = 50130, thread_id = 42, challenge = ("s"):rep(20), charset = 8, server_status = 2 }))
  t.eq(hs.server_version, 50130, "server_version as a number")
  t.eq(hs.server_version_str, "5.1.30", "its text")
  t.eq(hs.thread_id, 42, "thread_id")
  t.eq(hs.challenge, ("s"):rep(20), "challenge")
  t.eq(hs.charset, 8, "charset")
  t.eq(hs.protocol_version, 10, "protocol_version")
  t.eq(hs.auth_plugin_name, "mysql_native_password", "auth_plugin_name")
  local random = proto.from_challenge_packet(proto.to_challenge_packet({}))
  t.eq(#random.challenge, 20, "a random 20-byte challenge when none is given")
  t.eq(random.server_version, 50099, "default version 5.0.99")

  local r = proto.from_response_packet(proto.to_response_packet({
    username = "app", response = ("r"):rep(20), database = "shop", charset = 33 }), hs.capabilities)
  t.eq(r.username, "app", "username")
  t.eq(r.response, ("r"):rep(20), "response")
  t.eq(r.database, "shop", "database")
  t.eq(r.charset, 33, "charset")
  t.eq(r.server_capabilities, hs.capabilities, "server_capabilities passed through")
  t.eq(r.auth_plugin_name, "mysql_native_password", "auth_plugin_name")
  local nodb = proto.from_response_packet(proto.to_response_packet({ username = "u" }))
  t.eq(nodb.database, nil, "empty strings are left out, as in 0.8")
end

function test_proto_statements()
  local p = proto.from_stmt_prepare_packet(proto.to_stmt_prepare_packet({ stmt_text = "SELECT ?" }))
  t.eq(p.stmt_text, "SELECT ?", "stmt_text")
  local ok = proto.from_stmt_prepare_ok_packet(proto.to_stmt_prepare_ok_packet({
    stmt_id = 9, num_columns = 2, num_params = 3, warnings = 1 }))
  t.eq(ok.stmt_id, 9, "stmt_id")
  t.eq(ok.num_columns, 2, "num_columns")
  t.eq(ok.num_params, 3, "num_params")
  t.eq(ok.warnings, 1, "warnings")
  local params = {
    { type = proxy.MYSQL_TYPE_LONGLONG, value = -5 },
    { type = proxy.MYSQL_TYPE_STRING, value = "text" },
    { type = proxy.MYSQL_TYPE_DOUBLE, value = 2.5 },
    { type = proxy.MYSQL_TYPE_NULL },
    { type = proxy.MYSQL_TYPE_DATETIME, value = "2024-01-31 12:34:56.5" },
    { type = proxy.MYSQL_TYPE_DATE, value = "2024-02-29" },
    { type = proxy.MYSQL_TYPE_TIME, value = "-838:59:59" },
    { type = proxy.MYSQL_TYPE_LONG, value = 4000000000, unsigned = true },
  }
  local packet = proto.to_stmt_execute_packet({ stmt_id = 9, params = params })
  t.eq(proto.stmt_id_from_stmt_execute_packet(packet), 9, "stmt_id_from_stmt_execute_packet")
  local ex = proto.from_stmt_execute_packet(packet, #params)
  t.eq(ex.stmt_id, 9, "execute stmt_id")
  t.eq(ex.iteration_count, 1, "iteration_count")
  t.eq(ex.new_params_bound, true, "new_params_bound")
  t.eq(ex.params[1].value, -5, "LONGLONG")
  t.eq(ex.params[2].value, "text", "STRING")
  t.eq(ex.params[3].value, 2.5, "DOUBLE")
  t.eq(ex.params[4].value, nil, "NULL")
  t.eq(ex.params[5].value, "2024-01-31 12:34:56.500000", "DATETIME")
  t.eq(ex.params[6].value, "2024-02-29", "DATE")
  t.eq(ex.params[7].value, "-838:59:59", "TIME")
  t.eq(ex.params[8].value, 4000000000, "unsigned LONG")
  t.eq(ex.params[8].unsigned, true, "unsigned flag")
  t.eq(ex.params[2].type, proxy.MYSQL_TYPE_STRING, "type")

  local unbound = proto.to_stmt_execute_packet({ stmt_id = 9, new_params_bound = false, params = {
    { type = proxy.MYSQL_TYPE_LONG, value = 7 } } })
  local head = proto.from_stmt_execute_packet(unbound, 1)
  t.eq(head.stmt_id, 9, "header without types")
  t.eq(head.params, nil, "no params without types, as in 0.8")
  local typed = proto.from_stmt_execute_packet(unbound, 1, { { type = proxy.MYSQL_TYPE_LONG } })
  t.eq(typed.params[1].value, 7, "params with types from an earlier execute")

  t.eq(proto.from_stmt_close_packet(proto.to_stmt_close_packet({ stmt_id = 12 })).stmt_id, 12, "close")
  t.errors(function() proto.to_stmt_execute_packet({ params = { { type = proxy.MYSQL_TYPE_DATE, value = "x" } } }) end,
    "is not a date", "bad date")
end

function test_auto_config()
  local auto_config = require("proxy.auto-config")
  local function query(q)
    proxy.response = {}
    return auto_config.handle(commands.parse(string.char(proxy.COM_QUERY) .. q))
  end
  proxy.global.config.rwtest = { min_idle_connections = 4, is_debug = false, name = "x" }
  t.eq(query("SELECT 1"), nil, "other queries are not handled")
  t.eq(auto_config.handle(commands.parse(string.char(proxy.COM_PING))), nil, "other commands")
  t.eq(query("PROXY SET GLOBAL rwtest.min_idle_connections = 8"), proxy.PROXY_SEND_RESULT, "set a number")
  t.eq(proxy.response.type, proxy.MYSQLD_PACKET_OK, "OK")
  t.eq(proxy.global.config.rwtest.min_idle_connections, 8, "the shared value changed")
  query("proxy set global rwtest.is_debug=true")
  t.eq(proxy.global.config.rwtest.is_debug, true, "set a boolean, lower case")
  query('PROXY SET GLOBAL rwtest.name = "y z"')
  t.eq(proxy.global.config.rwtest.name, "y z", "set a string")
  query("PROXY SET GLOBAL rwtest.min_idle_connections = lots")
  t.eq(proxy.response.type, proxy.MYSQLD_PACKET_ERR, "wrong type")
  t.ok(proxy.response.errmsg:find("expected a number", 1, true), "message: " .. proxy.response.errmsg)
  query("PROXY SET GLOBAL nomod.x = 1")
  t.eq(proxy.response.errmsg, "module not known: nomod", "unknown module")
  t.eq(query("PROXY SHOW CONFIG"), proxy.PROXY_SEND_RESULT, "show")
  local found = false
  for _, row in ipairs(proxy.response.resultset.rows) do
    if row[1] == "rwtest" and row[2] == "min_idle_connections" then found = row[3] == "8" and row[4] == "number" end
  end
  t.ok(found, "SHOW CONFIG lists rwtest.min_idle_connections = 8")
  query('PROXY SAVE CONFIG INTO "/tmp/x.lua"')
  t.ok(proxy.response.errmsg:find("--lua-allow-unsafe", 1, true), "no files in the sandbox")
end
