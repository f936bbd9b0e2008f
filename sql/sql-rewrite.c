/* sql-rewrite.c: renaming tables and replacing LIMITs. */
#include <stdlib.h>
#include <string.h>
#include "sql/sql-arena.h"
#include "sql/sql-rewrite.h"
#include "sql/sql-walk.h"

typedef struct {
  TsrSqlArena *arena;
  const char *schema, *name, *new_schema, *new_name;
  gboolean name_is_alias; /* some table is aliased `name`: qualifiers are its */
  guint renamed;
} Rename;

static gboolean schema_matches(const Rename *r, const char *schema) {
  return r->schema == NULL || g_strcmp0(schema, r->schema) == 0;
}

static void find_alias(TsrSqlTableRef *t, gpointer data) {
  Rename *r = data;
  if (t->alias && strcmp(t->alias, r->name) == 0) r->name_is_alias = TRUE;
}

static gboolean find_derived_alias(TsrSqlSelect *s, gpointer data) {
  Rename *r = data;
  for (guint i = 0; i < s->from.len; i++) {
    TsrSqlTableRef *t = s->from.items[i];
    if (t->kind == TSR_SQL_TABLE_DERIVED && t->alias && strcmp(t->alias, r->name) == 0) r->name_is_alias = TRUE;
  }
  return TRUE;
}

static void rename_table(TsrSqlTableRef *t, gpointer data) {
  Rename *r = data;
  if (strcmp(t->name, r->name) != 0 || !schema_matches(r, t->schema)) return;
  t->name = tsr_sql_arena_strdup(r->arena, r->new_name);
  if (r->new_schema) t->schema = tsr_sql_arena_strdup(r->arena, r->new_schema);
  r->renamed++;
}

static gboolean rename_qualifier(TsrSqlExpr *e, gpointer data) {
  Rename *r = data;
  if (e->kind != TSR_SQL_EXPR_COLUMN && e->kind != TSR_SQL_EXPR_STAR) return TRUE;
  if (r->name_is_alias || !e->col.table || strcmp(e->col.table, r->name) != 0) return TRUE;
  if (e->col.schema && !schema_matches(r, e->col.schema)) return TRUE;
  e->col.table = tsr_sql_arena_strdup(r->arena, r->new_name);
  if (e->col.schema && r->new_schema) e->col.schema = tsr_sql_arena_strdup(r->arena, r->new_schema);
  return TRUE;
}

guint tsr_sql_rename_table(TsrSqlScript *script, TsrSqlStmt *stmt, const char *schema, const char *name,
                           const char *new_schema, const char *new_name) {
  Rename r = {tsr_sql_script_arena(script), schema, name, new_schema, new_name, FALSE, 0};
  g_return_val_if_fail(name != NULL && new_name != NULL, 0);
  tsr_sql_walk_stmt(stmt, &(TsrSqlVisitor){.table = find_alias, .select = find_derived_alias}, &r);
  tsr_sql_walk_stmt(stmt, &(TsrSqlVisitor){.table = rename_table, .expr = rename_qualifier}, &r);
  return r.renamed;
}

TsrSqlExpr *tsr_sql_new_integer(TsrSqlScript *script, gint64 value) {
  TsrSqlArena *arena = tsr_sql_script_arena(script);
  TsrSqlExpr *e = tsr_sql_arena_new0(arena, TsrSqlExpr);
  char buf[32];
  gint n = g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, value);
  e->kind = TSR_SQL_EXPR_LITERAL;
  e->lit.kind = TSR_SQL_LIT_INTEGER;
  e->lit.text = tsr_sql_arena_strndup(arena, buf, (gsize)n);
  e->lit.len = (gsize)n;
  return e;
}

void tsr_sql_set_limit(TsrSqlScript *script, TsrSqlLimit *limit, gint64 offset, gint64 count) {
  if (count < 0) {
    limit->count = limit->offset = NULL;
    return;
  }
  limit->count = tsr_sql_new_integer(script, count);
  limit->offset = offset > 0 ? tsr_sql_new_integer(script, offset) : NULL;
}

gboolean tsr_sql_limit_value(const TsrSqlExpr *part, guint64 *value) {
  if (!part || part->kind != TSR_SQL_EXPR_LITERAL || part->lit.kind != TSR_SQL_LIT_INTEGER) return FALSE;
  char *end = NULL;
  guint64 v = g_ascii_strtoull(part->lit.text, &end, 10);
  if (end == part->lit.text || *end != '\0') return FALSE;
  *value = v;
  return TRUE;
}
