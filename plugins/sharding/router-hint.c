/* router-hint.c: routing hints: a comment of the statement that starts
 * with "tessera:" followed by key=value pairs (blanks or commas between):
 *   shard=N     run on shard N of the statement's sharded tables
 *   group=NAME  run on group NAME (statements without sharded tables)
 * e.g. SELECT ... /x tessera: shard=3 x/ (x standing for the star). */
#include <string.h>
#include "sql/sql-lexer.h"
#include "router-private.h"

#define HINT_PREFIX "tessera:"

static gboolean hint_pair(RtCtx *c, const char *key, const char *value) {
  guint64 n;
  if (strcmp(key, "shard") == 0) {
    if (c->hint.has_shard || c->hint.group)
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "give one routing hint: shard=N or group=NAME");
    if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &n, NULL))
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint shard=%s needs a shard number", value);
    c->hint.has_shard = TRUE;
    c->hint.shard = (guint)n;
    return TRUE;
  }
  if (strcmp(key, "group") == 0) {
    if (c->hint.has_shard || c->hint.group)
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "give one routing hint: shard=N or group=NAME");
    c->hint.group = tsr_shard_map_find_group(c->map, value);
    if (!c->hint.group) return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the hint group=%s names no group of the shard map", value);
    return TRUE;
  }
  return rt_fail(c, TSR_ROUTER_ERROR_HINT, "unknown routing hint '%s'; use shard=N or group=NAME", key);
}

static gboolean read_hint(RtCtx *c, const char *text, gsize len) {
  g_autofree char *body = g_strndup(text, len);
  g_auto(GStrv) words = g_strsplit_set(g_strstrip(body) + strlen(HINT_PREFIX), " \t\r\n,", -1);
  for (guint i = 0; words[i]; i++) {
    if (!words[i][0]) continue;
    char *eq = strchr(words[i], '=');
    if (!eq || eq == words[i] || !eq[1])
      return rt_fail(c, TSR_ROUTER_ERROR_HINT, "the routing hint '%s' is not key=value (shard=N or group=NAME)", words[i]);
    *eq = '\0';
    if (!hint_pair(c, words[i], eq + 1)) return FALSE;
  }
  return TRUE;
}

static gboolean is_hint(const char *text, gsize len) {
  while (len > 0 && g_ascii_isspace(*text)) {
    text++;
    len--;
  }
  return len >= strlen(HINT_PREFIX) && g_ascii_strncasecmp(text, HINT_PREFIX, strlen(HINT_PREFIX)) == 0;
}

gboolean rt_read_hints(RtCtx *c) {
  TsrSqlLexer lx;
  TsrSqlToken tok;
  if (c->in->query) tsr_sql_lexer_init(&lx, c->in->query, c->in->query_len, c->in->lex_flags);
  else tsr_sql_lexer_init(&lx, c->stmt->text, c->stmt->end - c->stmt->start, c->in->lex_flags);
  while (tsr_sql_lexer_next(&lx, &tok)) {
    if (tok.id != TSR_TK_COMMENT || !is_hint(tok.text, tok.text_len)) continue;
    g_autofree char *lead = g_strndup(tok.text, tok.text_len);
    if (!read_hint(c, g_strchug(lead), strlen(lead))) return FALSE;
  }
  return TRUE;
}
