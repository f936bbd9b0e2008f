#!/usr/bin/python3
"""mysql.sql in a script through tessera and real MariaDB: read_query parses
each query with tessera's parser; a query starting with /* parse */ is
answered with what the parser found (one row per statement), a DELETE
without WHERE is refused, and everything else goes to the server as it is
(also what the parser cannot read: the server then says what is wrong)."""

import pymysql
from pymysql.constants import CLIENT

import harness
import lua_harness

SCRIPT = r"""
local sql = require("mysql.sql")

local function names(tables)
  local out = {}
  for i, t in ipairs(tables) do
    out[i] = (t.schema and t.schema .. "." or "") .. t.name .. (t.alias and " " .. t.alias or "")
  end
  return table.concat(out, ",")
end

function read_query(packet)
  if packet:byte() ~= proxy.COM_QUERY then return end
  local q = packet:sub(2)
  local stmts = sql.parse(q)
  if not stmts then return end
  if q:find("^/%* parse %*/") then
    local rows = {}
    for i, st in ipairs(stmts) do
      local columns = {}
      if st.kind == "select" then
        for j, c in ipairs(st.columns) do columns[j] = c.expr .. (c.alias and " AS " .. c.alias or "") end
      end
      rows[i] = { st.kind, names(st.tables), st.where, st.params, table.concat(columns, ", "), st.limit,
                  sql.print(st.text), sql.normalize(st.text) }
    end
    proxy.response = {
      type = proxy.MYSQLD_PACKET_OK,
      resultset = {
        fields = { { name = "kind" }, { name = "tables" }, { name = "where" },
                   { name = "params", type = proxy.MYSQL_TYPE_LONG }, { name = "columns" },
                   { name = "limit", type = proxy.MYSQL_TYPE_LONG }, { name = "printed" }, { name = "normalized" } },
        rows = rows,
      },
    }
    return proxy.PROXY_SEND_RESULT
  end
  for _, st in ipairs(stmts) do
    if st.kind == "delete" and not st.where then
      proxy.response = { type = proxy.MYSQLD_PACKET_ERR, errcode = 1235, sqlstate = "42000",
                         errmsg = "DELETE FROM " .. st.table.name .. " without WHERE is refused" }
      return proxy.PROXY_SEND_RESULT
    end
  end
end
"""


class LuaSqlTest(lua_harness.LuaTestCase):
    SCRIPT = SCRIPT
    DATABASE = "t_lua_sql"

    def setUp(self):
        with harness.backend_connect(self.backends[0], database=self.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("CREATE OR REPLACE TABLE items (id INT PRIMARY KEY, oid INT)")
            cur.execute("INSERT INTO items VALUES (1, 10), (2, 20), (3, 30)")

    def backend_ids(self):
        with harness.backend_connect(self.backends[0], database=self.DATABASE) as conn, conn.cursor() as cur:
            cur.execute("SELECT id FROM items ORDER BY id")
            return [r[0] for r in cur.fetchall()]

    def query(self, sql, **kwargs):
        with self.connect(autocommit=True, **kwargs) as conn, conn.cursor() as cur:
            cur.execute(sql)
            return [d[0] for d in cur.description or ()], cur.fetchall()

    def test_a_select_parsed(self):
        names, rows = self.query("/* parse */ select o.id, sum(i.qty) as n from shop.orders o "
                                 "join items i on i.oid = o.id where o.id = 1 and i.sku like 'a%' "
                                 "group by o.id limit 5")
        self.assertEqual(names, ["kind", "tables", "where", "params", "columns", "limit", "printed", "normalized"])
        self.assertEqual(rows, (("select", "shop.orders o,items i", "o.id = 1 AND i.sku LIKE 'a%'", 0,
                                 "o.id, sum(i.qty) AS n", 5,
                                 "SELECT o.id, sum(i.qty) AS n FROM shop.orders AS o JOIN items AS i ON i.oid = o.id "
                                 "WHERE o.id = 1 AND i.sku LIKE 'a%' GROUP BY o.id LIMIT 5",
                                 "SELECT `o` . `id` , SUM( `i` . `qty` ) AS `n` FROM `shop` . `orders` `o` "
                                 "JOIN `items` `i` ON `i` . `oid` = `o` . `id` WHERE `o` . `id` = ? AND `i` . `sku` "
                                 "LIKE ? GROUP BY `o` . `id` LIMIT ? "),))

    def test_several_statements_parsed(self):
        _, rows = self.query("/* parse */ UPDATE items SET oid = ? WHERE id = ?; "
                             "INSERT INTO s.log (a) SELECT id FROM items; use other",
                             client_flag=CLIENT.MULTI_STATEMENTS)
        self.assertEqual([r[:4] for r in rows], [("update", "items", "id = ?", 2),
                                                 ("insert", "s.log,items", None, 0),
                                                 ("use", "", None, 0)])

    def test_delete_without_where_is_refused(self):
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.MySQLError) as caught:
                cur.execute("delete from items")
            self.assertEqual(caught.exception.args, (1235, "DELETE FROM items without WHERE is refused"))
            self.assertEqual(self.backend_ids(), [1, 2, 3])
            self.assertEqual(cur.execute("DELETE FROM items WHERE id = 2"), 1)
        self.assertEqual(self.backend_ids(), [1, 3])

    def test_other_queries_reach_the_server(self):
        self.assertEqual(self.query("SELECT id FROM items WHERE oid > 15 ORDER BY id"), (["id"], ((2,), (3,))))
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            with self.assertRaises(pymysql.err.ProgrammingError) as caught:
                cur.execute("SELECT * FROM WHERE")
            self.assertEqual(caught.exception.args[0], 1064)


if __name__ == "__main__":
    harness.main()
