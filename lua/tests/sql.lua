-- mysql.sql: statements parsed into tables by tessera's SQL parser, printed
-- back and normalized.
local t = require("testlib")
local sql = require("mysql.sql")

local function one(query, opts)
  local stmts, err = sql.parse(query, opts)
  t.ok(stmts, "parse of " .. query .. ": " .. tostring(err))
  t.eq(#stmts, 1, "statements in " .. query)
  return stmts[1]
end

local function names(tables)
  local out = {}
  for i, tb in ipairs(tables) do
    out[i] = (tb.schema and tb.schema .. "." or "") .. tb.name .. (tb.alias and " " .. tb.alias or "")
  end
  return table.concat(out, ",")
end

local function exprs(list, field)
  local out = {}
  for i, item in ipairs(list or {}) do
    out[i] = item[field or "expr"] .. (item.desc and " DESC" or "")
  end
  return table.concat(out, "|")
end

function test_module()
  t.eq(sql._VERSION, "tessera mysql.sql", "_VERSION")
  t.ok(require("mysql.sql") == sql, "require gives the same table")
  t.eq(rawget(_G, "sql"), nil, "no global is set")
end

function test_select()
  local st = one("select distinct o.id, sum(total) as s from shop.orders o join items i on i.oid = o.id " ..
                 "where o.customer_id = 7 and status in ('a', 'b') group by o.id having s > 10 " ..
                 "order by s desc, o.id limit 5, 10")
  t.eq(st.kind, "select", "kind")
  t.eq(st.params, 0, "params")
  t.eq(names(st.tables), "shop.orders o,items i", "tables")
  t.eq(#st.columns, 2, "columns")
  t.eq(st.columns[1].expr, "o.id", "column 1")
  t.eq(st.columns[1].alias, nil, "column 1 has no alias")
  t.eq(st.columns[2].expr, "sum(total)", "column 2 (function names as written)")
  t.eq(st.columns[2].alias, "s", "column 2 alias")
  t.eq(st.where, "o.customer_id = 7 AND status IN ('a', 'b')", "where")
  t.eq(exprs(st.group_by), "o.id", "group_by")
  t.eq(st.having, "s > 10", "having")
  t.eq(exprs(st.order_by), "s DESC|o.id", "order_by")
  t.eq(st.limit, 10, "limit")
  t.eq(st.offset, 5, "offset")
  t.eq(st.distinct, true, "distinct")
  t.eq(st.union, nil, "not a union")
  t.eq(st.lock, nil, "no lock")
end

function test_select_without_clauses_and_with_placeholders()
  local st = one("SELECT * FROM t WHERE a = ? AND b = ? LIMIT ? FOR UPDATE")
  t.eq(st.params, 2 + 1, "params")
  t.eq(st.columns[1].expr, "*", "star")
  t.eq(st.where, "a = ? AND b = ?", "where")
  t.eq(st.limit, "?", "a LIMIT placeholder")
  t.eq(st.offset, nil, "no offset")
  t.eq(st.group_by, nil, "no group_by")
  t.eq(st.having, nil, "no having")
  t.eq(st.distinct, false, "not distinct")
  t.eq(st.lock, "FOR UPDATE", "lock")
  st = one("SELECT 1")
  t.eq(#st.tables, 0, "no tables")
  t.eq(st.where, nil, "no where")
end

function test_union()
  local st = one("SELECT a FROM t1 WHERE x = 1 UNION ALL (SELECT b AS a FROM t2) ORDER BY a LIMIT 3")
  t.eq(st.kind, "select", "kind")
  t.eq(st.union, 2, "union parts")
  t.eq(names(st.tables), "t1,t2", "tables of every part")
  t.eq(st.columns[1].expr, "a", "columns of the first part")
  t.eq(st.parts[1].where, "x = 1", "where of part 1")
  t.eq(st.parts[2].columns[1].alias, "a", "alias in part 2")
  t.eq(exprs(st.order_by), "a", "the union's order_by")
  t.eq(st.limit, 3, "the union's limit")
  t.eq(st.where, nil, "a union has no where of its own")
end

function test_subqueries_name_their_tables()
  local st = one("SELECT * FROM (SELECT id FROM a) AS d WHERE id IN (SELECT id FROM b WHERE EXISTS " ..
                 "(SELECT 1 FROM s.c))")
  t.eq(names(st.tables), "a,b,s.c", "tables in text order, derived and subqueries included")
end

function test_insert()
  local st = one("INSERT IGNORE INTO shop.orders (id, customer_id, note) VALUES (1, 7, 'it''s'), (2, ?, NULL) " ..
                 "ON DUPLICATE KEY UPDATE note = VALUES(note)")
  t.eq(st.kind, "insert", "kind")
  t.eq(st.params, 1, "params")
  t.eq(st.table.schema, "shop", "table schema")
  t.eq(st.table.name, "orders", "table name")
  t.eq(table.concat(st.columns, ","), "id,customer_id,note", "columns")
  t.eq(st.rows, 2, "rows")
  t.eq(table.concat(st.values[1], ","), "1,7,'it\\'s'", "values of row 1")
  t.eq(table.concat(st.values[2], ","), "2,?,NULL", "values of row 2")
  t.eq(st.select, false, "not INSERT ... SELECT")
  t.eq(st.on_duplicate, true, "on_duplicate")
  t.eq(st.ignore, true, "ignore")
  t.eq(names(st.tables), "shop.orders", "tables")

  st = one("REPLACE INTO t SET a = 1, b = 'x'")
  t.eq(st.kind, "replace", "kind")
  t.eq(table.concat(st.columns, ","), "a,b", "SET form columns")
  t.eq(st.rows, 1, "SET form rows")
  t.eq(table.concat(st.values[1], ","), "1,'x'", "SET form values")
  t.eq(st.on_duplicate, false, "no on_duplicate")

  st = one("INSERT INTO archive SELECT * FROM orders WHERE placed < '2020-01-01'")
  t.eq(st.select, true, "INSERT ... SELECT")
  t.eq(st.rows, 0, "rows of INSERT ... SELECT")
  t.eq(st.values, nil, "no values")
  t.eq(#st.columns, 0, "no column list")
  t.eq(names(st.tables), "archive,orders", "target, then the tables read")
end

function test_update_and_delete()
  local st = one("UPDATE orders o SET o.status = 'paid', total = total * 2 WHERE id = 3 ORDER BY id LIMIT 1")
  t.eq(st.kind, "update", "kind")
  t.eq(st.table.name, "orders", "table")
  t.eq(st.table.alias, "o", "table alias")
  t.eq(st.set[1].column, "status", "set column")
  t.eq(st.set[1].table, "o", "set column's table")
  t.eq(st.set[2].value, "total * 2", "set value")
  t.eq(st.where, "id = 3", "where")
  t.eq(exprs(st.order_by), "id", "order_by")
  t.eq(st.limit, 1, "limit")

  st = one("UPDATE a JOIN b ON a.id = b.id SET a.x = b.x")
  t.eq(st.table.name, "a", "first table of a multi-table UPDATE")
  t.eq(names(st.tables), "a,b", "tables")
  t.eq(st.where, nil, "no where")

  st = one("DELETE FROM shop.orders WHERE customer_id = 9 LIMIT 10")
  t.eq(st.kind, "delete", "kind")
  t.eq(st.table.schema .. "." .. st.table.name, "shop.orders", "table")
  t.eq(st.where, "customer_id = 9", "where")
  t.eq(st.limit, 10, "limit")

  st = one("DELETE FROM orders")
  t.eq(st.where, nil, "DELETE without WHERE")

  st = one("DELETE i FROM orders o JOIN items i ON i.oid = o.id WHERE o.id = 1")
  t.eq(st.table.name, "i", "the first target of a multi-table DELETE")
end

function test_set_use_and_transactions()
  local st = one("SET @x = 1, autocommit = 0, GLOBAL max_connections = 10, @@session.sql_mode = 'ANSI'")
  t.eq(st.kind, "set", "kind")
  local a = st.assignments
  t.eq(#a, 4, "assignments")
  t.eq(a[1].name .. "/" .. a[1].scope .. "/" .. a[1].value, "x/user/1", "user variable")
  t.eq(a[2].name .. "/" .. a[2].scope .. "/" .. a[2].value, "autocommit/session/0", "session variable")
  t.eq(a[3].name .. "/" .. a[3].scope .. "/" .. a[3].value, "max_connections/global/10", "global variable")
  t.eq(a[4].name .. "/" .. a[4].scope .. "/" .. a[4].value, "sql_mode/session/'ANSI'", "@@session form")

  st = one("SET NAMES utf8mb4 COLLATE utf8mb4_bin")
  t.eq(st.assignments[1].name, "names", "NAMES")
  t.eq(st.assignments[1].value, "utf8mb4", "charset")
  t.eq(st.assignments[1].collation, "utf8mb4_bin", "collation")

  st = one("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY")
  t.eq(st.assignments[1].name, "transaction", "TRANSACTION")
  t.eq(st.assignments[1].scope, "session", "its scope")
  t.eq(st.assignments[1].value, "ISOLATION LEVEL READ COMMITTED, READ ONLY", "its characteristics")

  st = one("use `my db`")
  t.eq(st.kind, "use", "kind")
  t.eq(st.db, "my db", "db, unquoted")

  t.eq(one("BEGIN").kind, "begin", "BEGIN")
  t.eq(one("start transaction").kind, "begin", "START TRANSACTION")
  t.eq(one("COMMIT").kind, "commit", "COMMIT")
  t.eq(one("ROLLBACK").kind, "rollback", "ROLLBACK")
  st = one("ROLLBACK TO SAVEPOINT sp1")
  t.eq(st.kind, "rollback_to", "ROLLBACK TO")
  t.eq(st.savepoint, "sp1", "savepoint")
  t.eq(one("XA COMMIT 'x'").action, "commit", "XA action")
end

function test_show_ddl_and_others()
  local st = one("CREATE TABLE shop.t (id INT PRIMARY KEY)")
  t.eq(st.kind, "create", "kind")
  t.eq(st.verb, "TABLE", "verb")
  t.eq(names(st.tables), "shop.t", "tables")
  st = one("show tables")
  t.eq(st.kind, "show", "SHOW")
  t.eq(st.verb, "TABLES", "SHOW verb")
  st = one("CALL p(1)")
  t.eq(st.kind, "other", "CALL")
  t.eq(st.verb, "CALL", "CALL verb")
  t.eq(one("TRUNCATE TABLE t").kind, "truncate", "TRUNCATE")
end

function test_several_statements_and_text()
  local stmts = assert(sql.parse("SELECT 1; /* c */ UPDATE t SET a = 1 ;"))
  t.eq(#stmts, 2, "two statements")
  t.eq(stmts[1].text, "SELECT 1", "text of 1")
  t.eq(stmts[2].kind, "update", "kind of 2")
  t.ok(stmts[2].text:find("UPDATE t SET a = 1", 1, true), "text of 2: " .. stmts[2].text)
end

function test_errors()
  local stmts, err = sql.parse("SELECT * FROM WHERE")
  t.eq(stmts, nil, "no statements")
  t.ok(err:match("^line 1, column %d+: "), "message: " .. err)
  stmts, err = sql.parse("SELECT 1\nFROM t WHERE (")
  t.ok(err:match("^line 2, column %d+: "), "line 2: " .. tostring(err))
  stmts, err = sql.parse("")
  t.eq(stmts, nil, "empty query")
  t.ok(type(err) == "string", "empty query message")
  t.errors(function() sql.parse(nil) end, "bad argument #1", "a query that is not a string")
  t.errors(function() sql.parse("SELECT 1", 5) end, "bad argument #2", "options that are not a table")
end

function test_sql_mode_options()
  local st = one([[SELECT "a" FROM t]])
  t.eq(st.columns[1].expr, "'a'", "a double-quoted string")
  st = one([[SELECT "a" FROM t]], { ansi_quotes = true })
  t.eq(st.columns[1].expr, "a", "an identifier under ansi_quotes")
  st = one([[SELECT 'a\nb']], { no_backslash_escapes = true })
  t.eq(st.columns[1].expr, [['a\nb']], "a backslash kept under no_backslash_escapes")
  st = one([[SELECT 'a\nb']])
  t.eq(st.columns[1].expr, [['a\nb']], "an escaped newline printed escaped")
end

function test_print_and_normalize()
  t.eq(sql.print("select  a,b from t where id=1 -- x\n"), "SELECT a, b FROM t WHERE id = 1", "print")
  t.eq(sql.print("select 1; select 2"), "SELECT 1; SELECT 2", "print of two statements")
  local s, err = sql.print("SELECT FROM")
  t.eq(s, nil, "print of a bad query")
  t.ok(err:match("^line 1, column 8: "), "print error: " .. tostring(err))
  t.eq(sql.normalize("select * from t where id=1"), "SELECT * FROM `t` WHERE `id` = ? ", "normalize")
  t.eq(sql.normalize("select * from t where id=1"), require("mysql.tokenizer").normalize("select * from t where id=1"),
       "the same as mysql.tokenizer's")
end
