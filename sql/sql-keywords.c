/* sql-keywords.c: token names and the word table shared by the lexer, the
 * parser and the printer. */
#include <string.h>
#include "sql/sql-keywords.h"
#include "sql/sql-lexer.h"

#define NAME_ITEM(name) "TK_" #name,
static const char *const token_names[TSR_TK_LAST_TOKEN] = {
  TSR_SQL_TOKEN_LIST(NAME_ITEM)
};
#undef NAME_ITEM

#define WORD_ITEM(name, reserved) #name,
static const char *const word_names[] = {TSR_SQL_WORD_LIST(WORD_ITEM)};
#undef WORD_ITEM

#define RESERVED_ITEM(name, reserved) reserved,
static const guint8 word_reserved[] = {TSR_SQL_WORD_LIST(RESERVED_ITEM)};
#undef RESERVED_ITEM

/* 0.8 keywords that MySQL and MariaDB let through as plain identifiers. */
static const TsrSqlTokenId unreserved_keywords[] = {
  TSR_TK_SQL_ACTION, TSR_TK_SQL_BIT, TSR_TK_SQL_DATE, TSR_TK_SQL_ENUM, TSR_TK_SQL_NO,
  TSR_TK_SQL_READ_ONLY, TSR_TK_SQL_TEXT, TSR_TK_SQL_TIME, TSR_TK_SQL_TIMESTAMP, TSR_TK_SQL_X509,
};

#define TABLE_SIZE 2048u /* power of two, over four times the number of words */
#define MAX_WORD 32u

typedef struct {
  guint16 codes[TABLE_SIZE]; /* 0 = empty */
  guint8 lens[TSR_W_END_OF_LIST];
  guint8 reserved[TSR_W_END_OF_LIST];
} WordTable;

static WordTable word_table;

const char *tsr_sql_token_name(TsrSqlTokenId id) {
  if ((guint)id >= TSR_TK_LAST_TOKEN) return token_names[TSR_TK_UNKNOWN];
  return token_names[id];
}

const char *tsr_sql_word_text(guint code) {
  if (TSR_TK_IS_KEYWORD(code)) return token_names[code] + strlen("TK_SQL_");
  if (code >= TSR_W_FIRST && code < TSR_W_END_OF_LIST) return word_names[code - TSR_W_FIRST];
  return "";
}

static inline guint8 upper(char c) {
  return (guint8)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
}

/* FNV-1a over the upper-cased bytes. */
static guint hash_upper(const char *word, gsize len) {
  guint32 h = 2166136261u;
  for (gsize i = 0; i < len; i++) {
    h ^= upper(word[i]);
    h *= 16777619u;
  }
  return h;
}

/* TRUE when word[0..len) is `text` (upper case) without ASCII case. */
static gboolean same_word(const char *text, const char *word, gsize len) {
  for (gsize i = 0; i < len; i++)
    if ((guint8)text[i] != upper(word[i])) return FALSE;
  return TRUE;
}

static void table_insert(guint code) {
  const char *text = tsr_sql_word_text(code);
  gsize len = strlen(text);
  guint slot = hash_upper(text, len) & (TABLE_SIZE - 1);
  while (word_table.codes[slot] != 0) slot = (slot + 1) & (TABLE_SIZE - 1);
  word_table.codes[slot] = (guint16)code;
  word_table.lens[code] = (guint8)len;
}

static void table_build(void) {
  for (guint id = TSR_TK_SQL_FIRST; id <= TSR_TK_SQL_LAST; id++) {
    table_insert(id);
    word_table.reserved[id] = 1;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(unreserved_keywords); i++) word_table.reserved[unreserved_keywords[i]] = 0;
  for (guint code = TSR_W_FIRST; code < TSR_W_END_OF_LIST; code++) {
    table_insert(code);
    word_table.reserved[code] = word_reserved[code - TSR_W_FIRST];
  }
}

static void table_ensure(void) {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    table_build();
    g_once_init_leave(&done, 1);
  }
}

guint tsr_sql_word_code(const char *word, gsize len) {
  if (len == 0 || len > MAX_WORD) return 0;
  table_ensure();
  guint slot = hash_upper(word, len) & (TABLE_SIZE - 1);
  for (;;) {
    guint code = word_table.codes[slot];
    if (code == 0) return 0;
    if (word_table.lens[code] == len && same_word(tsr_sql_word_text(code), word, len)) return code;
    slot = (slot + 1) & (TABLE_SIZE - 1);
  }
}

TsrSqlTokenId tsr_sql_keyword_id(const char *word, gsize len) {
  guint code = tsr_sql_word_code(word, len);
  return TSR_TK_IS_KEYWORD(code) ? (TsrSqlTokenId)code : TSR_TK_LITERAL;
}

gboolean tsr_sql_word_is_reserved(const char *word, gsize len) {
  guint code = tsr_sql_word_code(word, len);
  return code != 0 && word_table.reserved[code];
}
