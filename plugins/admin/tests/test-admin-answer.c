/* test-admin-answer.c: the statements the admin endpoint understands and
 * the packets it answers with. */
#include <string.h>

#include "plugins/admin/admin-answer.h"
#include "plugins/admin/admin-sql.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

static TsrAdminStmt *parse(const char *sql, GError **error) {
  return tsr_admin_sql_parse(sql, strlen(sql), error);
}

static void test_parse_show_tables(void) {
  const char *forms[] = {"SHOW TABLES", "show tables;", "  Show\n\tTables ;  ", "/* hi */ SHOW TABLES -- all\n",
                         "# comment\nSHOW TABLES"};
  for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrAdminStmt) stmt = parse(forms[i], &error);
    g_assert_no_error(error);
    g_assert_cmpint(stmt->kind, ==, TSR_ADMIN_STMT_SHOW_TABLES);
  }
}

static void test_parse_select_table(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAdminStmt) a = parse("select * from Backends", &error);
  g_autoptr(TsrAdminStmt) b = parse("SELECT * FROM `my table` WHERE `state` = 'it''s \\'up\\'' LIMIT 2;", &error);
  g_autoptr(TsrAdminStmt) c = parse("SELECT * FROM backends WHERE backend_ndx = 2", &error);
  g_autoptr(TsrAdminStmt) d = parse("SELECT * FROM backends WHERE address = NULL", &error);
  g_autoptr(TsrAdminStmt) e = parse("SELECT * FROM backends WHERE state = \"down\"", &error);

  g_assert_no_error(error);
  g_assert_cmpint(a->kind, ==, TSR_ADMIN_STMT_SELECT_TABLE);
  g_assert_cmpstr(a->table, ==, "Backends");
  g_assert_null(a->where_column);
  g_assert_cmpuint(a->limit, ==, TSR_ADMIN_NO_LIMIT);

  g_assert_cmpstr(b->table, ==, "my table");
  g_assert_cmpstr(b->where_column, ==, "state");
  g_assert_cmpstr(b->where_value, ==, "it's 'up'");
  g_assert_false(b->where_numeric);
  g_assert_cmpuint(b->limit, ==, 2);

  g_assert_cmpstr(c->where_value, ==, "2");
  g_assert_true(c->where_numeric);
  g_assert_cmpstr(d->where_column, ==, "address");
  g_assert_null(d->where_value);
  g_assert_cmpstr(e->where_value, ==, "down");
}

static void test_parse_select_exprs(void) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAdminStmt) a = parse("select @@version_comment limit 1", &error);
  g_autoptr(TsrAdminStmt) b = parse("SELECT VERSION(), @@session.version AS v, database() `db`, USER() 'u'", &error);
  g_autoptr(TsrAdminStmt) c = parse("SELECT connection_id ( )", &error);

  g_assert_no_error(error);
  g_assert_cmpint(a->kind, ==, TSR_ADMIN_STMT_SELECT_EXPRS);
  g_assert_cmpuint(a->items->len, ==, 1);
  g_assert_cmpint(g_array_index(a->items, TsrAdminSelectItem, 0).expr, ==, TSR_ADMIN_EXPR_VERSION_COMMENT);
  g_assert_cmpstr(g_array_index(a->items, TsrAdminSelectItem, 0).name, ==, "@@version_comment");
  g_assert_cmpuint(a->limit, ==, 1);

  g_assert_cmpuint(b->items->len, ==, 4);
  g_assert_cmpint(g_array_index(b->items, TsrAdminSelectItem, 0).expr, ==, TSR_ADMIN_EXPR_VERSION);
  g_assert_cmpstr(g_array_index(b->items, TsrAdminSelectItem, 0).name, ==, "VERSION()");
  g_assert_cmpint(g_array_index(b->items, TsrAdminSelectItem, 1).expr, ==, TSR_ADMIN_EXPR_VERSION);
  g_assert_cmpstr(g_array_index(b->items, TsrAdminSelectItem, 1).name, ==, "v");
  g_assert_cmpint(g_array_index(b->items, TsrAdminSelectItem, 2).expr, ==, TSR_ADMIN_EXPR_DATABASE);
  g_assert_cmpstr(g_array_index(b->items, TsrAdminSelectItem, 2).name, ==, "db");
  g_assert_cmpint(g_array_index(b->items, TsrAdminSelectItem, 3).expr, ==, TSR_ADMIN_EXPR_USER);
  g_assert_cmpstr(g_array_index(b->items, TsrAdminSelectItem, 3).name, ==, "u");

  g_assert_cmpstr(g_array_index(c->items, TsrAdminSelectItem, 0).name, ==, "connection_id ( )");
}

static void test_parse_ignored(void) {
  const char *forms[] = {"SET NAMES utf8mb4", "SET autocommit=0", "set @@session.x = 'y'", "COMMIT", "rollback;"};
  for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrAdminStmt) stmt = parse(forms[i], &error);
    g_assert_no_error(error);
    g_assert_cmpint(stmt->kind, ==, TSR_ADMIN_STMT_IGNORED);
  }
}

static void test_parse_refused(void) {
  const char *bad[] = {
    "DROP TABLE backends", "SHOW DATABASES", "SELECT * FROM", "SELECT * FROM backends WHERE",
    "SELECT * FROM backends WHERE state > 'x'", "SELECT * FROM backends WHERE state = up",
    "SELECT * FROM backends LIMIT x", "SELECT * FROM backends extra", "SELECT * backends",
    "SELECT 1", "SELECT @@port", "SELECT NOW()", "SELECT VERSION(", "SELECT VERSION() FROM backends",
    "SELECT * FROM 'backends'", "SELECT * FROM `unterminated", "SELECT 'x", "SELECT * FROM b; SHOW TABLES",
    "\x01\x02garbage", "SELECT * FROM backends WHERE state = -1", "SELECT @@version AS",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrAdminStmt) stmt = parse(bad[i], &error);
    g_assert_null(stmt);
    g_assert_error(error, TSR_ADMIN_SQL_ERROR, TSR_ADMIN_SQL_ERROR_SYNTAX);
    g_assert_nonnull(strstr(error->message, "try SHOW TABLES"));
    g_assert_true(g_utf8_validate(error->message, -1, NULL));
  }
}

static void test_parse_empty(void) {
  const char *forms[] = {"", "   ", ";", "/* nothing */", "-- nothing"};
  for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_null(parse(forms[i], &error));
    g_assert_error(error, TSR_ADMIN_SQL_ERROR, TSR_ADMIN_SQL_ERROR_EMPTY);
  }
}

/* Bytes that are not UTF-8 and a NUL inside the text: refused, with a
 * message that is valid UTF-8. */
static void test_parse_binary(void) {
  const char sql[] = "SELECT \xff\xfe\0 * FROM x";
  g_autoptr(GError) error = NULL;
  g_assert_null(tsr_admin_sql_parse(sql, sizeof sql - 1, &error));
  g_assert_nonnull(error);
  g_assert_true(g_utf8_validate(error->message, -1, NULL));
}

/* ---- answers ---- */

static const char *const columns[] = {"name", "state", "clients", NULL};

static void fill_things(gpointer data, TsrAdminRows *out) {
  const char *const rows[][3] = {{"a", "up", "3"}, {"b", "down", "0"}, {"c", NULL, "10"}, {"d", "UP", "03"}};
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) tsr_admin_rows_add_row(out, rows[i]);
}

static const TsrAdminSessionInfo info = {
  .version = "5.7.99-test",
  .version_comment = "comment",
  .user = "admin@127.0.0.1",
  .database = NULL,
  .connection_id = 42,
};

static void query(const char *sql, TsrAdminAnswer *a) {
  tsr_admin_answer_query(sql, strlen(sql), &info, a);
}

/* Returns column `col` of the answer's rows joined with ','. */
static char *column_values(const TsrAdminAnswer *a, guint col) {
  GString *s = g_string_new(NULL);
  g_assert_cmpint(a->kind, ==, TSR_ADMIN_ANSWER_ROWS);
  for (guint r = 0; r < tsr_admin_rows_n_rows(a->rows); r++) {
    const char *v = tsr_admin_rows_value(a->rows, r, col);
    g_string_append_printf(s, "%s%s", r ? "," : "", v ? v : "NULL");
  }
  return g_string_free(s, FALSE);
}

static void assert_column(const char *sql, guint col, const char *expected) {
  TsrAdminAnswer a = {0};
  g_autofree char *got = NULL;
  query(sql, &a);
  if (a.kind == TSR_ADMIN_ANSWER_ERR) g_error("%s: %s", sql, a.message);
  got = column_values(&a, col);
  g_assert_cmpstr(got, ==, expected);
  tsr_admin_answer_clear(&a);
}

static void assert_error(const char *sql, guint16 code, const char *sqlstate, const char *message_part) {
  TsrAdminAnswer a = {0};
  query(sql, &a);
  g_assert_cmpint(a.kind, ==, TSR_ADMIN_ANSWER_ERR);
  g_assert_cmpuint(a.code, ==, code);
  g_assert_cmpstr(a.sqlstate, ==, sqlstate);
  if (!strstr(a.message, message_part)) g_error("%s: '%s' lacks '%s'", sql, a.message, message_part);
  tsr_admin_answer_clear(&a);
}

static void test_answers(void) {
  TsrAdminAnswer a = {0};

  g_assert_true(tsr_admin_table_register("things", columns, fill_things, NULL, NULL));
  assert_column("SELECT * FROM things", 0, "a,b,c,d");
  assert_column("SELECT * FROM THINGS", 2, "3,0,10,03");
  assert_column("SELECT * FROM things WHERE state = 'up'", 0, "a,d");
  assert_column("SELECT * FROM things WHERE STATE = 'nope'", 0, "");
  assert_column("SELECT * FROM things WHERE state = NULL", 0, "");
  assert_column("SELECT * FROM things WHERE clients = 3", 0, "a,d");
  assert_column("SELECT * FROM things WHERE clients = '3'", 0, "a");
  assert_column("SELECT * FROM things LIMIT 2", 0, "a,b");
  assert_column("SELECT * FROM things WHERE state = 'UP' LIMIT 1", 0, "a");
  assert_column("SELECT * FROM things LIMIT 0", 0, "");
  assert_column("SHOW TABLES", 0, "things");
  assert_column("SELECT @@version_comment LIMIT 1", 0, "comment");
  assert_column("select @@character_set_client, @@character_set_connection, @@character_set_server, "
                "@@character_set_database limit 1", 3, "utf8mb4");
  assert_column("SELECT @@global.collation_connection", 0, "utf8mb4_general_ci");
  assert_column("SELECT VERSION(), DATABASE(), USER(), CONNECTION_ID()", 0, "5.7.99-test");
  assert_column("SELECT VERSION(), DATABASE(), USER(), CONNECTION_ID()", 1, "NULL");
  assert_column("SELECT VERSION(), DATABASE(), USER(), CONNECTION_ID()", 2, "admin@127.0.0.1");
  assert_column("SELECT VERSION(), DATABASE(), USER(), CONNECTION_ID()", 3, "42");

  assert_error("SELECT * FROM nothing", 1146, "42S02", "Table 'nothing' doesn't exist; the tables are: things");
  assert_error("SELECT * FROM things WHERE colour = 'red'", 1054, "42S22", "Unknown column 'colour'");
  assert_error("DELETE FROM things", 1064, "42000", "try SHOW TABLES");
  assert_error("  ", 1065, "42000", "Query was empty");

  query("SET NAMES utf8mb4", &a);
  g_assert_cmpint(a.kind, ==, TSR_ADMIN_ANSWER_OK);
  tsr_admin_answer_clear(&a);

  g_assert_true(tsr_admin_table_unregister("things"));
  assert_column("SHOW TABLES", 0, "");
  assert_error("SELECT * FROM things", 1146, "42S02", "no plugin publishes a table");
}

/* Splits frames into payloads, checking the sequence ids count up from seq. */
static GPtrArray *split_frames(const GByteArray *frames, guint8 seq) {
  GPtrArray *packets = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  gsize pos = 0;
  while (pos < frames->len) {
    TsrFrameHeader hdr;
    TsrSlice payload;
    g_assert_cmpint(tsr_frame_decode(frames->data + pos, frames->len - pos, &hdr, &payload), ==, TSR_DECODE_OK);
    g_assert_cmpuint(hdr.seq, ==, seq);
    seq++;
    g_ptr_array_add(packets, g_bytes_new(payload.data, payload.len));
    pos += TSR_FRAME_HEADER_LEN + hdr.payload_len;
  }
  return packets;
}

static const guint8 *packet(GPtrArray *packets, guint i, gsize *len) {
  return g_bytes_get_data(g_ptr_array_index(packets, i), len);
}

static void test_encode_result_set(void) {
  const char *const cols[] = {"id", "note", NULL};
  const char *const row1[] = {"1", NULL};
  const char *const row2[] = {"22", ""};
  TsrAdminAnswer a = {.kind = TSR_ADMIN_ANSWER_ROWS, .rows = tsr_admin_rows_new("t", cols)};
  g_autoptr(GByteArray) frames = g_byte_array_new();
  g_autoptr(GPtrArray) packets = NULL;
  TsrColumnDef def;
  TsrSlice values[2];
  const guint8 *p;
  gsize len;
  guint64 count;
  gboolean follows;
  guint8 next;

  tsr_admin_rows_add_row(a.rows, row1);
  tsr_admin_rows_add_row(a.rows, row2);
  next = tsr_admin_answer_encode(frames, &a, TSR_CLIENT_PROTOCOL_41, 1);
  packets = split_frames(frames, 1);
  /* count, 2 definitions, EOF, 2 rows, EOF */
  g_assert_cmpuint(packets->len, ==, 7);
  g_assert_cmpuint(next, ==, 8);
  p = packet(packets, 0, &len);
  g_assert_cmpint(tsr_column_count_decode(p, len, &count, &follows, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(count, ==, 2);
  p = packet(packets, 2, &len);
  g_assert_cmpint(tsr_column_def_decode(p, len, 0, &def, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(def.type, ==, TSR_TYPE_VAR_STRING);
  g_assert_cmpuint(def.charset, ==, TSR_CHARSET_UTF8MB4_GENERAL_CI);
  g_assert_cmpmem(def.name.data, def.name.len, "note", 4);
  g_assert_cmpmem(def.table.data, def.table.len, "t", 1);
  g_assert_cmpmem(def.catalog.data, def.catalog.len, "def", 3);
  p = packet(packets, 3, &len);
  g_assert_true(tsr_packet_is_eof(p, len));
  p = packet(packets, 4, &len);
  g_assert_cmpint(tsr_text_row_decode(p, len, 2, values, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpmem(values[0].data, values[0].len, "1", 1);
  g_assert_null(values[1].data);
  p = packet(packets, 5, &len);
  g_assert_cmpint(tsr_text_row_decode(p, len, 2, values, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpmem(values[0].data, values[0].len, "22", 2);
  g_assert_nonnull(values[1].data);
  g_assert_cmpuint(values[1].len, ==, 0);
  p = packet(packets, 6, &len);
  g_assert_true(tsr_packet_is_eof(p, len));
  tsr_admin_answer_clear(&a);
}

static void test_encode_ok_err_eof(void) {
  TsrAdminAnswer a = {0};
  g_autoptr(GByteArray) frames = g_byte_array_new();
  g_autoptr(GPtrArray) packets = NULL;
  TsrErrPacket err;
  TsrOkPacket ok;
  const guint8 *p;
  gsize len;

  tsr_admin_answer_encode(frames, &a, TSR_CLIENT_PROTOCOL_41, 1);
  tsr_admin_answer_error(&a, 1045, "28000", "Access denied for user '%s'@'%s' (using password: YES)", "x", "h");
  tsr_admin_answer_encode(frames, &a, TSR_CLIENT_PROTOCOL_41, 2);
  tsr_admin_answer_clear(&a);
  a.kind = TSR_ADMIN_ANSWER_EOF;
  tsr_admin_answer_encode(frames, &a, TSR_CLIENT_PROTOCOL_41, 3);
  packets = split_frames(frames, 1);
  g_assert_cmpuint(packets->len, ==, 3);
  p = packet(packets, 0, &len);
  g_assert_cmpint(tsr_ok_decode(p, len, TSR_CLIENT_PROTOCOL_41, &ok, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(ok.status, ==, TSR_SERVER_STATUS_AUTOCOMMIT);
  p = packet(packets, 1, &len);
  g_assert_cmpint(tsr_err_decode(p, len, &err, NULL), ==, TSR_DECODE_OK);
  g_assert_cmpuint(err.code, ==, 1045);
  g_assert_cmpstr(err.sqlstate, ==, "28000");
  g_assert_cmpmem(err.message.data, err.message.len, "Access denied for user 'x'@'h' (using password: YES)", 52);
  p = packet(packets, 2, &len);
  g_assert_true(tsr_packet_is_eof(p, len));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/admin/sql/show-tables", test_parse_show_tables);
  g_test_add_func("/admin/sql/select-table", test_parse_select_table);
  g_test_add_func("/admin/sql/select-exprs", test_parse_select_exprs);
  g_test_add_func("/admin/sql/ignored", test_parse_ignored);
  g_test_add_func("/admin/sql/refused", test_parse_refused);
  g_test_add_func("/admin/sql/empty", test_parse_empty);
  g_test_add_func("/admin/sql/binary", test_parse_binary);
  g_test_add_func("/admin/answer/queries", test_answers);
  g_test_add_func("/admin/answer/result-set", test_encode_result_set);
  g_test_add_func("/admin/answer/ok-err-eof", test_encode_ok_err_eof);
  return g_test_run();
}
