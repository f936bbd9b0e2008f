#!/usr/bin/python3
"""inj, read_query_result's argument, through tessera and real MariaDB:
id, query, times, and every field of inj.resultset (fields, text rows,
binary rows of a prepared statement, row_count, bytes, raw, flags,
warning_count, affected_rows, insert_id, query_status), what a streamed
result offers, and an inj kept past its call."""

import decimal
import struct

import pymysql

import harness
import lua_harness
import mysql_raw

SCRIPT = r"""
local function ser(v)
  if v == nil then return "NULL" end
  return type(v) .. ":" .. tostring(v)
end

local function out(key, value) print("[inj] " .. key .. " = " .. value) end

local function describe(inj)
  local res = inj.resultset
  out("id", inj.id)
  out("query", inj.query:byte() == proxy.COM_QUERY and inj.query:sub(2) or ("#" .. #inj.query))
  out("command", inj.query:byte())
  out("times", string.format("%s %s", tostring(inj.query_time >= 0 and inj.query_time <= inj.response_time),
                             tostring(inj.response_time > 0)))
  out("row_count", res.row_count)
  out("bytes", res.bytes)
  out("query_status", ser(res.query_status))
  out("warning_count", res.warning_count)
  out("affected_rows", ser(res.affected_rows))
  out("insert_id", ser(res.insert_id))
  local flags = res.flags
  out("flags", string.format("in_trans=%s auto_commit=%s no_good_index_used=%s no_index_used=%s",
    tostring(flags.in_trans), tostring(flags.auto_commit), tostring(flags.no_good_index_used),
    tostring(flags.no_index_used)))
  if not inj.resultset_is_needed then
    local ok, err = pcall(function() return res.rows end)
    out("streamed rows", tostring(err))
    return
  end
  out("raw", string.format("%d %d", #res.raw, res.raw:byte()))
  local fields = res.fields
  if fields then
    local names = {}
    for i = 1, #fields do
      local f = fields[i]
      names[i] = table.concat({ f.name, f.type, f.table, f.org_table, f.org_name, f.db }, ",")
    end
    out("fields", #fields .. " " .. table.concat(names, " "))
    out("field past the end", ser(fields[#fields + 1]))
  else
    out("fields", "NULL")
  end
  if res.rows then
    for row in res.rows do
      local values = {}
      for i = 1, #fields do values[i] = ser(row[i]) end
      out("row", table.concat(values, " "))
    end
  else
    out("rows", "NULL")
  end
end

function read_query(packet)
  local command = packet:byte()
  if command == proxy.COM_STMT_EXECUTE then
    proxy.queries:append(2, packet, { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  end
  if command ~= proxy.COM_QUERY then return end
  local q = packet:sub(2)
  if q:match("^inspect ") then
    proxy.queries:append(1, string.char(proxy.COM_QUERY) .. q:sub(9), { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  elseif q:match("^stream ") then
    proxy.queries:append(3, string.char(proxy.COM_QUERY) .. q:sub(8))
    return proxy.PROXY_SEND_QUERY
  elseif q:match("^keep ") then
    proxy.queries:append(4, string.char(proxy.COM_QUERY) .. q:sub(6), { resultset_is_needed = true })
    return proxy.PROXY_SEND_QUERY
  elseif q:match("^use kept ") then
    local what = q:sub(10)
    local ok, err = pcall(function()
      if what == "inj" then return kept_inj.id end
      if what == "resultset" then return kept_resultset.row_count end
      if what == "fields" then return #kept_fields end
      return kept_rows()
    end)
    proxy.response = { type = proxy.MYSQLD_PACKET_OK,
                       resultset = { fields = { { name = "error" } }, rows = { { ok and "none" or tostring(err) } } } }
    return proxy.PROXY_SEND_RESULT
  end
end

function read_query_result(inj)
  if inj.id == 4 then
    local vm_globals = getmetatable(_G).__index
    vm_globals.kept_inj = inj
    vm_globals.kept_resultset = inj.resultset
    vm_globals.kept_fields = inj.resultset.fields
    vm_globals.kept_rows = inj.resultset.rows
    return
  end
  describe(inj)
  print("[inj] end")
end
"""


def parse(lines):
    """[inj] lines up to [inj] end into a dict (rows into a list)."""
    info = {"row": []}
    for line in lines:
        body = line[len("[inj] "):]
        if body == "end":
            break
        key, value = body.split(" = ", 1)
        if key == "row":
            info["row"].append(value)
        else:
            info[key] = value
    return info


class LuaInjTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_inj"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20), "
                        "price DECIMAL(6,2), created DATETIME, note TEXT)")
            cur.execute("INSERT INTO items (name, price, created, note) VALUES "
                        "('apple', 9.50, '2024-01-31 12:34:56', NULL), ('pear', 0.25, '2023-12-01 00:00:00', 'ripe')")

    def setUp(self):
        self.conn = self.connect(autocommit=True)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def inspect(self, sql, prefix="inspect "):
        mark = self.mark()
        self.cur.execute(prefix + sql)
        rows = self.cur.fetchall()
        mark.wait_for(r"^\[inj\] end$")
        return rows, parse(mark.new_lines("[inj]"))

    def test_a_result_set(self):
        rows, info = self.inspect("SELECT id, name AS label, price, note FROM items ORDER BY id")
        self.assertEqual(rows, ((1, "apple", decimal.Decimal("9.50"), None),
                                (2, "pear", decimal.Decimal("0.25"), "ripe")),
                         "the client gets the result too")
        self.assertEqual(info["id"], "1")
        self.assertEqual(info["query"], "SELECT id, name AS label, price, note FROM items ORDER BY id")
        self.assertEqual(info["command"], "3")
        self.assertEqual(info["times"], "true true")
        self.assertEqual(info["row_count"], "2")
        self.assertEqual(info["query_status"], "number:0")
        self.assertEqual(info["affected_rows"], "NULL", "nil for a result set, as in 0.8")
        self.assertEqual(info["insert_id"], "NULL")
        self.assertEqual(info["raw"], "1 4", "the first packet: the column count")
        self.assertEqual(info["fields"], "4 id,3,items,items,id,t_lua_inj label,253,items,items,name,t_lua_inj "
                                         "price,246,items,items,price,t_lua_inj note,252,items,items,note,t_lua_inj")
        self.assertEqual(info["field past the end"], "NULL")
        self.assertEqual(info["row"], ["string:1 string:apple string:9.50 NULL",
                                       "string:2 string:pear string:0.25 string:ripe"])
        self.assertGreater(int(info["bytes"]), 200)

    def test_an_ok_result(self):
        rows, info = self.inspect("INSERT INTO items (name) VALUES ('fig'), ('kiwi')")
        self.assertEqual(rows, ())
        (first_id,), = self.query("SELECT MIN(id) FROM items WHERE name IN ('fig', 'kiwi')")
        self.assertEqual(info["affected_rows"], "number:2")
        self.assertEqual(info["insert_id"], "number:%d" % first_id)
        self.assertEqual(info["query_status"], "number:0")
        self.assertEqual(info["fields"], "NULL")
        self.assertEqual(info["rows"], "NULL")
        self.assertEqual(info["row_count"], "0")
        self.assertEqual(info["raw"].split()[1], "0", "raw is the OK packet")

    def query(self, sql):
        self.cur.execute(sql)
        return self.cur.fetchall()

    def test_an_error_result(self):
        mark = self.mark()
        with self.assertRaises(pymysql.err.ProgrammingError) as ctx:
            self.cur.execute("inspect SELECT * FROM no_such_table")
        self.assertEqual(ctx.exception.args[0], 1146, "the client gets the server's error")
        mark.wait_for(r"^\[inj\] end$")
        info = parse(mark.new_lines("[inj]"))
        self.assertEqual(info["query_status"], "number:255")
        self.assertEqual(info["raw"].split()[1], "255")
        self.assertEqual(info["fields"], "NULL")

    def test_flags_and_warnings(self):
        _, info = self.inspect("SELECT 1 / 0")
        self.assertEqual(info["warning_count"], "1")
        self.assertEqual(info["flags"], "in_trans=false auto_commit=true no_good_index_used=false no_index_used=false")
        self.query("BEGIN")
        try:
            _, info = self.inspect("SELECT name FROM items WHERE note = 'ripe'")
            self.assertEqual(info["flags"],
                             "in_trans=true auto_commit=true no_good_index_used=false no_index_used=true")
        finally:
            self.query("COMMIT")

    def test_a_streamed_result(self):
        rows, info = self.inspect("SELECT name FROM items WHERE id = 1", prefix="stream ")
        self.assertEqual(rows, (("apple",),))
        self.assertEqual(info["row_count"], "1", "counted as it streamed")
        self.assertEqual(info["query_status"], "number:0")
        self.assertIn(".resultset.rows isn't available if 'resultset_is_needed ~= true'", info["streamed rows"])
        _, info = self.inspect("UPDATE items SET price = price WHERE id = 1", prefix="stream ")
        self.assertEqual(info["affected_rows"], "number:0")

    def test_an_inj_kept_past_its_call(self):
        self.query("keep SELECT id FROM items")
        for what in ("inj", "resultset", "fields", "rows"):
            with self.subTest(what=what):
                (message,), = self.query("use kept " + what)
                self.assertIn("valid only during the read_query_result call that got them", message)
        self.assertEqual(self.query("SELECT 5"), ((5,),))


class LuaInjBinaryRowsTest(lua_harness.LuaTestCase):
    """Binary rows of COM_STMT_EXECUTE, decoded for the script."""

    SCRIPT = SCRIPT
    DATABASE = "t_lua_inj_binary"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with harness.backend_connect(cls.backends[0], cls.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2), "
                        "created DATETIME, ratio DOUBLE, big BIGINT UNSIGNED)")
            cur.execute("INSERT INTO items VALUES (1, 'apple', 9.50, '2024-01-31 12:34:56', 0.5, 18446744073709551615),"
                        " (2, NULL, 0.25, NULL, NULL, 7)")

    def test_binary_rows(self):
        conn = mysql_raw.connect(harness.HOST, self.port, harness.USER, harness.PASSWORD, self.DATABASE)
        try:
            stmt = conn.stmt_prepare("SELECT id, name, price, created, ratio, big FROM items WHERE id <= ? ORDER BY id")
            mark = self.mark()
            # mysql_raw decodes no DATETIME: the rows are kept as payloads.
            conn.command(mysql_raw.COM_STMT_EXECUTE, struct.pack("<IBI", stmt.id, 0, 1) + conn._bind((2,), ()))
            result = conn.read_one_result(lambda payload, columns: payload)
            self.assertEqual(len(result.rows), 2, "the client gets its binary rows")
            self.assertEqual(result.rows[1][0], 0, "binary row header")
            mark.wait_for(r"^\[inj\] end$")
            info = parse(mark.new_lines("[inj]"))
            conn.stmt_close(stmt)
        finally:
            conn.close()
        self.assertEqual(info["id"], "2")
        self.assertEqual(info["command"], "23")
        self.assertEqual(info["query"], "#22", "the COM_STMT_EXECUTE packet with one BIGINT parameter")
        self.assertEqual(info["row_count"], "2")
        self.assertEqual(info["row"], [
            "number:1 string:apple string:9.50 string:2024-01-31 12:34:56 number:0.5 number:1.844674407371e+19",
            "number:2 NULL string:0.25 NULL NULL number:7",
        ])


if __name__ == "__main__":
    harness.main()
