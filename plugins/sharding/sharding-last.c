/* sharding-last.c: LAST_INSERT_ID() and ROW_COUNT() as one server would
 * answer them. After a statement that ran on several shards, no backend
 * knows the statement's values (each saw its part): tessera keeps them from
 * every statement's OK packet and answers SELECT LAST_INSERT_ID() and
 * SELECT ROW_COUNT() itself. */
#define G_LOG_DOMAIN "sharding"
#include <string.h>

#include "sharding-private.h"
#include "protocol/mysql-constants.h"
#include "protocol/mysql-packets.h"
#include "protocol/mysql-resultset.h"
#include "protocol/mysql-wire.h"

void tsr_sharding_note_ok(ShardingSession *ss, guint64 affected_rows, guint64 last_insert_id) {
  ss->row_count = (gint64)affected_rows;
  if (last_insert_id) ss->last_insert_id = last_insert_id;
}

void tsr_sharding_note_answer(ShardingSession *ss, const TsrInjection *inj) {
  TsrReader r;
  guint8 header;
  guint64 affected, id;
  gboolean is_null;
  if (inj->head_len == 0 || inj->head[0] != TSR_PACKET_OK) {
    ss->row_count = -1; /* rows (or an error): ROW_COUNT() is -1 after them */
    return;
  }
  tsr_reader_init(&r, inj->head, inj->head_len);
  if (tsr_reader_u8(&r, &header, "header", NULL) && tsr_reader_lenenc(&r, &affected, &is_null, "rows", NULL) &&
      tsr_reader_lenenc(&r, &id, &is_null, "id", NULL))
    tsr_sharding_note_ok(ss, affected, id);
}

/* Which of the two a statement asks for: 1 LAST_INSERT_ID(), 2 ROW_COUNT(),
 * 0 neither (or more than that). *name is the expression as written. */
static gint asked(const char *sql, gsize len, const char **name, gsize *name_len) {
  const char *p = sql, *end = sql + len;
  while (p < end && g_ascii_isspace(*p)) p++;
  while (end > p && (g_ascii_isspace(end[-1]) || end[-1] == ';')) end--;
  if (end - p < 7 || g_ascii_strncasecmp(p, "SELECT", 6) != 0 || !g_ascii_isspace(p[6])) return 0;
  p += 6;
  while (p < end && g_ascii_isspace(*p)) p++;
  *name = p;
  *name_len = (gsize)(end - p);
  if (*name_len == 16 && g_ascii_strncasecmp(p, "LAST_INSERT_ID()", 16) == 0) return 1;
  if (*name_len == 11 && g_ascii_strncasecmp(p, "ROW_COUNT()", 11) == 0) return 2;
  return 0;
}

/* Sends one BIGINT column named name[0..len) and one row holding value. */
static void reply_value(TsrSession *s, gboolean binary, const char *name, gsize len, gint64 value,
                        gboolean is_unsigned, gboolean in_trans) {
  g_autoptr(GByteArray) p = g_byte_array_new();
  g_autofree char *text = is_unsigned ? g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)value)
                                      : g_strdup_printf("%" G_GINT64_FORMAT, value);
  TsrColumnDef def = {0};
  ShardingCommand rows = {0};
  def.catalog = (TsrSlice){(const guint8 *)"def", 3};
  def.name = (TsrSlice){(const guint8 *)name, len};
  def.charset = TSR_CHARSET_BINARY;
  def.column_length = 21;
  def.type = TSR_TYPE_LONGLONG;
  def.flags = TSR_FIELD_NOT_NULL | TSR_FIELD_BINARY | (is_unsigned ? TSR_FIELD_UNSIGNED : 0);
  if (binary) {
    guint8 row[10] = {0};
    for (guint i = 0; i < 8; i++) row[2 + i] = (guint8)((guint64)value >> (8 * i));
    g_byte_array_append(p, row, sizeof row);
  } else {
    tsr_write_lenenc_str(p, text, strlen(text));
  }
  tsr_sharding_emit_row(p->data, p->len, &rows);
  const TsrColumnDef *defs[1] = {&def};
  tsr_sharding_reply_columns(s, defs, 1, &rows, in_trans);
  g_byte_array_unref(rows.rows);
}

gboolean tsr_sharding_answer_last(TsrSession *s, ShardingSession *ss) {
  const TsrRoutePlan *plan = ss->cmd.plan;
  const char *name;
  gsize name_len;
  switch (asked(plan->sql, plan->sql_len, &name, &name_len)) {
  case 1:
    reply_value(s, ss->cmd.binary, name, name_len, (gint64)ss->last_insert_id, TRUE, ss->in_trans);
    return TRUE;
  case 2:
    reply_value(s, ss->cmd.binary, name, name_len, ss->row_count, FALSE, ss->in_trans);
    return TRUE;
  default:
    return FALSE;
  }
}
