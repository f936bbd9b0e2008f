/* admin-answer.c: answers the admin endpoint's statements from the admin
 * tables and encodes answers as packets. */
#include <stdarg.h>
#include <string.h>

#include "admin-answer.h"
#include "admin-sql.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"

#define SHOW_TABLES_COLUMN "Tables_in_tessera"

void tsr_admin_answer_clear(TsrAdminAnswer *a) {
  g_clear_pointer(&a->rows, tsr_admin_rows_free);
  g_clear_pointer(&a->message, g_free);
  *a = (TsrAdminAnswer){.kind = TSR_ADMIN_ANSWER_OK};
}

void tsr_admin_answer_error(TsrAdminAnswer *a, guint16 code, const char *sqlstate, const char *format, ...) {
  va_list args;
  tsr_admin_answer_clear(a);
  a->kind = TSR_ADMIN_ANSWER_ERR;
  a->code = code;
  a->sqlstate = sqlstate;
  va_start(args, format);
  a->message = g_strdup_vprintf(format, args);
  va_end(args);
}

static void answer_rows(TsrAdminAnswer *a, TsrAdminRows *rows) {
  tsr_admin_answer_clear(a);
  a->kind = TSR_ADMIN_ANSWER_ROWS;
  a->rows = rows;
}

/* ---- statements ---- */

static void answer_show_tables(TsrAdminAnswer *a) {
  const char *const columns[] = {SHOW_TABLES_COLUMN, NULL};
  g_auto(GStrv) names = tsr_admin_table_names();
  TsrAdminRows *rows = tsr_admin_rows_new("", columns);
  for (guint i = 0; names[i]; i++) tsr_admin_rows_add_text(rows, names[i]);
  answer_rows(a, rows);
}

static void answer_no_such_table(TsrAdminAnswer *a, const char *table) {
  g_auto(GStrv) names = tsr_admin_table_names();
  g_autofree char *list = g_strjoinv(", ", names);
  if (names[0])
    tsr_admin_answer_error(a, TSR_ADMIN_ER_NO_SUCH_TABLE, "42S02", "Table '%s' doesn't exist; the tables are: %s",
                           table, list);
  else
    tsr_admin_answer_error(a, TSR_ADMIN_ER_NO_SUCH_TABLE, "42S02",
                           "Table '%s' doesn't exist; no plugin publishes a table (the proxy plugin publishes "
                           "backends)", table);
}

/* TRUE when the text is a whole decimal number; sets *value. */
static gboolean as_number(const char *text, gdouble *value) {
  char *end = NULL;
  if (!text || !*text) return FALSE;
  *value = g_ascii_strtod(text, &end);
  return end && *end == '\0';
}

/* TRUE when a cell matches `WHERE column = value`: numerically when both
 * are numbers and the value was written as one, else as text without
 * regard to ASCII case. NULL matches nothing. */
static gboolean cell_matches(const char *cell, const TsrAdminStmt *stmt) {
  gdouble x, y;
  if (!cell || !stmt->where_value) return FALSE;
  if (stmt->where_numeric && as_number(cell, &x) && as_number(stmt->where_value, &y)) return x == y;
  return g_ascii_strcasecmp(cell, stmt->where_value) == 0;
}

/* Returns the rows of `all` that pass the WHERE and the LIMIT of stmt. */
static TsrAdminRows *filter_rows(const TsrAdminRows *all, gint column, const TsrAdminStmt *stmt) {
  guint n_columns = tsr_admin_rows_n_columns(all);
  g_autofree const char **names = g_new0(const char *, n_columns + 1);
  TsrAdminRows *out;
  guint64 kept = 0;

  for (guint i = 0; i < n_columns; i++) names[i] = tsr_admin_rows_column(all, i);
  out = tsr_admin_rows_new(tsr_admin_rows_table(all), names);
  for (guint r = 0; r < tsr_admin_rows_n_rows(all) && kept < stmt->limit; r++) {
    if (column >= 0 && !cell_matches(tsr_admin_rows_value(all, r, (guint)column), stmt)) continue;
    for (guint c = 0; c < n_columns; c++) tsr_admin_rows_add_text(out, tsr_admin_rows_value(all, r, c));
    kept++;
  }
  return out;
}

static void answer_select_table(TsrAdminAnswer *a, const TsrAdminStmt *stmt) {
  g_autoptr(TsrAdminRows) all = tsr_admin_table_query(stmt->table);
  gint column = -1;

  if (!all) {
    answer_no_such_table(a, stmt->table);
    return;
  }
  if (stmt->where_column) {
    column = tsr_admin_rows_find_column(all, stmt->where_column);
    if (column < 0) {
      tsr_admin_answer_error(a, TSR_ADMIN_ER_BAD_FIELD, "42S22", "Unknown column '%s' in 'where clause'",
                             stmt->where_column);
      return;
    }
  }
  if (!stmt->where_column && stmt->limit == TSR_ADMIN_NO_LIMIT) {
    answer_rows(a, g_steal_pointer(&all));
    return;
  }
  answer_rows(a, filter_rows(all, column, stmt));
}

/* Returns the value of an expression (borrowed or in buf). */
static const char *expr_value(TsrAdminExpr expr, const TsrAdminSessionInfo *info, char *buf, gsize buf_len) {
  switch (expr) {
  case TSR_ADMIN_EXPR_VERSION_COMMENT:
    return info->version_comment;
  case TSR_ADMIN_EXPR_VERSION:
    return info->version;
  case TSR_ADMIN_EXPR_DATABASE:
    return info->database;
  case TSR_ADMIN_EXPR_USER:
    return info->user;
  case TSR_ADMIN_EXPR_CHARSET:
    return "utf8mb4";
  case TSR_ADMIN_EXPR_COLLATION:
    return "utf8mb4_general_ci";
  case TSR_ADMIN_EXPR_CONNECTION_ID:
  default:
    g_snprintf(buf, buf_len, "%u", info->connection_id);
    return buf;
  }
}

static void answer_select_exprs(TsrAdminAnswer *a, const TsrAdminStmt *stmt, const TsrAdminSessionInfo *info) {
  g_autofree const char **names = g_new0(const char *, stmt->items->len + 1);
  TsrAdminRows *rows;

  for (guint i = 0; i < stmt->items->len; i++) names[i] = g_array_index(stmt->items, TsrAdminSelectItem, i).name;
  rows = tsr_admin_rows_new("", names);
  for (guint i = 0; stmt->limit > 0 && i < stmt->items->len; i++) {
    char buf[16];
    TsrAdminExpr expr = g_array_index(stmt->items, TsrAdminSelectItem, i).expr;
    tsr_admin_rows_add_text(rows, expr_value(expr, info, buf, sizeof buf));
  }
  answer_rows(a, rows);
}

void tsr_admin_answer_query(const char *sql, gsize len, const TsrAdminSessionInfo *info, TsrAdminAnswer *a) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrAdminStmt) stmt = tsr_admin_sql_parse(sql, len, &error);

  tsr_admin_answer_clear(a);
  if (!stmt) {
    if (g_error_matches(error, TSR_ADMIN_SQL_ERROR, TSR_ADMIN_SQL_ERROR_EMPTY))
      tsr_admin_answer_error(a, TSR_ADMIN_ER_EMPTY_QUERY, "42000", "Query was empty");
    else
      tsr_admin_answer_error(a, TSR_ADMIN_ER_PARSE_ERROR, "42000", "%s", error->message);
    return;
  }
  switch (stmt->kind) {
  case TSR_ADMIN_STMT_SHOW_TABLES:
    answer_show_tables(a);
    break;
  case TSR_ADMIN_STMT_SELECT_TABLE:
    answer_select_table(a, stmt);
    break;
  case TSR_ADMIN_STMT_SELECT_EXPRS:
    answer_select_exprs(a, stmt, info);
    break;
  case TSR_ADMIN_STMT_IGNORED:
  default:
    break;
  }
}

/* ---- packets ---- */

/* Appends payload as frames from seq on; returns the next seq. */
static guint8 add_packet(GByteArray *frames, guint8 seq, GByteArray *payload) {
  seq = tsr_packet_encode(frames, seq, payload->data, payload->len);
  g_byte_array_set_size(payload, 0);
  return seq;
}

/* Returns the length a column definition announces: the longest value's
 * bytes, at 4 bytes a character as utf8mb4 counts. */
static guint32 column_length(const TsrAdminRows *rows, guint col) {
  gsize longest = 1;
  for (guint r = 0; r < tsr_admin_rows_n_rows(rows); r++) {
    const char *v = tsr_admin_rows_value(rows, r, col);
    if (v) longest = MAX(longest, strlen(v));
  }
  return (guint32)MIN(longest * 4, G_MAXUINT32);
}

static TsrSlice text_slice(const char *text) {
  return (TsrSlice){(const guint8 *)text, text ? strlen(text) : 0};
}

static guint8 encode_columns(GByteArray *frames, GByteArray *payload, const TsrAdminRows *rows, guint8 seq) {
  const char *table = tsr_admin_rows_table(rows);
  for (guint c = 0; c < tsr_admin_rows_n_columns(rows); c++) {
    const char *name = tsr_admin_rows_column(rows, c);
    TsrColumnDef def = {
      .catalog = text_slice("def"),
      .schema = text_slice(""),
      .table = text_slice(table),
      .org_table = text_slice(table),
      .name = text_slice(name),
      .org_name = text_slice(*table ? name : ""),
      .charset = TSR_CHARSET_UTF8MB4_GENERAL_CI,
      .column_length = column_length(rows, c),
      .type = TSR_TYPE_VAR_STRING,
    };
    tsr_column_def_encode(payload, 0, &def);
    seq = add_packet(frames, seq, payload);
  }
  return seq;
}

static guint8 encode_rows(GByteArray *frames, const TsrAdminRows *rows, guint32 caps, guint8 seq) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  guint n_columns = tsr_admin_rows_n_columns(rows);
  g_autofree TsrSlice *values = g_new0(TsrSlice, n_columns);

  tsr_column_count_encode(payload, n_columns, 0, TRUE);
  seq = add_packet(frames, seq, payload);
  seq = encode_columns(frames, payload, rows, seq);
  tsr_eof_encode(payload, 0, TSR_SERVER_STATUS_AUTOCOMMIT);
  seq = add_packet(frames, seq, payload);
  for (guint r = 0; r < tsr_admin_rows_n_rows(rows); r++) {
    for (guint c = 0; c < n_columns; c++) values[c] = text_slice(tsr_admin_rows_value(rows, r, c));
    tsr_text_row_encode(payload, values, n_columns);
    seq = add_packet(frames, seq, payload);
  }
  tsr_eof_encode(payload, 0, TSR_SERVER_STATUS_AUTOCOMMIT);
  return add_packet(frames, seq, payload);
}

guint8 tsr_admin_answer_encode(GByteArray *frames, const TsrAdminAnswer *a, guint32 caps, guint8 seq) {
  g_autoptr(GByteArray) payload = g_byte_array_new();
  TsrOkPacket ok = {.status = TSR_SERVER_STATUS_AUTOCOMMIT};

  switch (a->kind) {
  case TSR_ADMIN_ANSWER_ROWS:
    return encode_rows(frames, a->rows, caps, seq);
  case TSR_ADMIN_ANSWER_ERR:
    tsr_err_encode(payload, a->code, a->sqlstate, a->message);
    break;
  case TSR_ADMIN_ANSWER_EOF:
    tsr_eof_encode(payload, 0, TSR_SERVER_STATUS_AUTOCOMMIT);
    break;
  case TSR_ADMIN_ANSWER_OK:
  default:
    tsr_ok_encode(payload, caps, &ok, FALSE);
    break;
  }
  return add_packet(frames, seq, payload);
}
