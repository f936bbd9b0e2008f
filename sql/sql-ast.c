/* sql-ast.c: names of AST enums and the list helper. */
#include <string.h>
#include "sql/sql-arena.h"
#include "sql/sql-ast.h"

void tsr_sql_list_push(TsrSqlArena *arena, TsrSqlList *list, gpointer item) {
  if (list->len == list->cap) {
    guint cap = list->cap ? list->cap * 2 : 4;
    gpointer *items = tsr_sql_arena_alloc(arena, cap * sizeof(gpointer));
    if (list->len) memcpy(items, list->items, list->len * sizeof(gpointer));
    list->items = items;
    list->cap = cap;
  }
  list->items[list->len++] = item;
}

gboolean tsr_sql_select_has_tail(const TsrSqlSelect *s) {
  return s->order_by.len > 0 || s->limit.count != NULL || s->lock != TSR_SQL_LOCK_NONE;
}

const char *tsr_sql_stmt_kind_name(TsrSqlStmtKind kind) {
  static const char *const names[TSR_SQL_STMT_KIND_MAX] = {
    [TSR_SQL_STMT_SELECT] = "SELECT", [TSR_SQL_STMT_INSERT] = "INSERT",
    [TSR_SQL_STMT_REPLACE] = "REPLACE", [TSR_SQL_STMT_UPDATE] = "UPDATE",
    [TSR_SQL_STMT_DELETE] = "DELETE", [TSR_SQL_STMT_SET] = "SET",
    [TSR_SQL_STMT_USE] = "USE", [TSR_SQL_STMT_SHOW] = "SHOW",
    [TSR_SQL_STMT_BEGIN] = "BEGIN", [TSR_SQL_STMT_COMMIT] = "COMMIT",
    [TSR_SQL_STMT_ROLLBACK] = "ROLLBACK", [TSR_SQL_STMT_SAVEPOINT] = "SAVEPOINT",
    [TSR_SQL_STMT_ROLLBACK_TO] = "ROLLBACK_TO", [TSR_SQL_STMT_RELEASE] = "RELEASE",
    [TSR_SQL_STMT_XA] = "XA", [TSR_SQL_STMT_CREATE] = "CREATE",
    [TSR_SQL_STMT_ALTER] = "ALTER", [TSR_SQL_STMT_DROP] = "DROP",
    [TSR_SQL_STMT_TRUNCATE] = "TRUNCATE", [TSR_SQL_STMT_RENAME] = "RENAME",
    [TSR_SQL_STMT_OTHER] = "OTHER",
  };
  if ((guint)kind >= TSR_SQL_STMT_KIND_MAX) return "?";
  return names[kind];
}

const char *tsr_sql_op_text(TsrSqlOp op) {
  static const char *const texts[TSR_SQL_OP_MAX] = {
    [TSR_SQL_OP_NEG] = "-", [TSR_SQL_OP_BIT_NOT] = "~", [TSR_SQL_OP_LOGICAL_NOT] = "!",
    [TSR_SQL_OP_NOT] = "NOT", [TSR_SQL_OP_BINARY] = "BINARY", [TSR_SQL_OP_OR] = "OR",
    [TSR_SQL_OP_XOR] = "XOR", [TSR_SQL_OP_AND] = "AND", [TSR_SQL_OP_EQ] = "=",
    [TSR_SQL_OP_NULLSAFE_EQ] = "<=>", [TSR_SQL_OP_NE] = "<>", [TSR_SQL_OP_LT] = "<",
    [TSR_SQL_OP_LE] = "<=", [TSR_SQL_OP_GT] = ">", [TSR_SQL_OP_GE] = ">=",
    [TSR_SQL_OP_BIT_OR] = "|", [TSR_SQL_OP_BIT_AND] = "&", [TSR_SQL_OP_SHIFT_LEFT] = "<<",
    [TSR_SQL_OP_SHIFT_RIGHT] = ">>", [TSR_SQL_OP_PLUS] = "+", [TSR_SQL_OP_MINUS] = "-",
    [TSR_SQL_OP_MUL] = "*", [TSR_SQL_OP_DIV] = "/", [TSR_SQL_OP_INT_DIV] = "DIV",
    [TSR_SQL_OP_MOD] = "%", [TSR_SQL_OP_BIT_XOR] = "^", [TSR_SQL_OP_ASSIGN] = ":=",
  };
  if ((guint)op >= TSR_SQL_OP_MAX) return "?";
  return texts[op];
}
