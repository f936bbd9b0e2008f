/* sql-keywords.h (internal to sql/): word codes for the lexer, the parser
 * and the printer.
 *
 * A word code is a TsrSqlTokenId TSR_TK_SQL_<WORD> for the words of MySQL
 * Proxy 0.8's keyword list, a TSR_W_<WORD> code (>= TSR_W_FIRST) for the
 * other words the parser or the printer needs to know, or 0 for any other
 * word. */
#ifndef TESSERA_SQL_KEYWORDS_H
#define TESSERA_SQL_KEYWORDS_H

#include <glib.h>
#include "sql/sql-token-ids.h"

/* X(WORD, RESERVED): words outside 0.8's list. RESERVED is 1 for words that
 * MySQL 8 or MariaDB reserve (the printer quotes them as identifiers). */
#define TSR_SQL_WORD_LIST(X) \
  X(AGAINST, 0) X(ANY, 0) X(AVG, 0) X(BEGIN, 0) X(BIT_AND, 0) X(BIT_OR, 0) \
  X(BIT_XOR, 0) X(BOOLEAN, 0) X(CAST, 0) X(CHAIN, 0) X(CHARSET, 0) \
  X(COMMITTED, 0) X(COMMIT, 0) X(CONSISTENT, 0) X(COUNT, 0) X(CUBE, 1) \
  X(CUME_DIST, 1) X(DAY, 0) X(DELETE_DOMAIN_ID, 1) X(DENSE_RANK, 1) \
  X(DUPLICATE, 0) X(EMPTY, 1) X(END, 0) X(ESCAPE, 0) X(EXCEPT, 1) X(EXPANSION, 0) \
  X(EXTRACT, 0) X(FIRST_VALUE, 1) X(FUNCTION, 1) X(GENERAL, 1) X(GENERATED, 1) \
  X(GET, 1) X(GLOBAL, 0) X(GROUPING, 1) X(GROUPS, 1) X(GROUP_CONCAT, 0) \
  X(HOUR, 0) X(IGNORE_DOMAIN_IDS, 1) X(IGNORE_SERVER_IDS, 1) X(INTERSECT, 1) \
  X(IO_AFTER_GTIDS, 1) X(IO_BEFORE_GTIDS, 1) X(ISOLATION, 0) \
  X(JSON_TABLE, 1) X(LAG, 1) X(LANGUAGE, 0) X(LAST_VALUE, 1) X(LATERAL, 1) \
  X(LEAD, 1) X(LEVEL, 0) X(LOCAL, 0) X(LOCKED, 0) X(MASTER_BIND, 1) \
  X(MASTER_HEARTBEAT_PERIOD, 1) X(MAX, 0) X(MICROSECOND, 0) X(MIGRATE, 0) \
  X(MIN, 0) X(MINUTE, 0) X(MODE, 0) X(MONTH, 0) X(NAMES, 0) X(NOWAIT, 0) \
  X(NTH_VALUE, 1) X(NTILE, 1) X(OF, 1) X(OFFSET, 1) X(ONE, 0) X(ONLY, 0) \
  X(OPTIMIZER_COSTS, 1) X(OVER, 1) X(PAGE_CHECKSUM, 1) X(PARSE_VCOL_EXPR, 1) \
  X(PARTITION, 1) X(PERCENT_RANK, 1) X(PERSIST, 0) X(PERSIST_ONLY, 0) \
  X(PHASE, 0) X(POSITION, 0) X(PREPARE, 0) X(QUARTER, 0) X(QUERY, 0) \
  X(QUICK, 0) X(RANK, 1) X(RECOVER, 0) X(RECURSIVE, 1) X(REF_SYSTEM_ID, 1) \
  X(REPEATABLE, 0) X(RESIGNAL, 1) X(RESUME, 0) X(RETURNING, 1) X(ROLLBACK, 0) \
  X(ROLLUP, 0) X(ROW, 1) X(ROWS, 1) X(ROW_NUMBER, 1) X(SAVEPOINT, 0) \
  X(SECOND, 0) X(SERIALIZABLE, 0) X(SESSION, 0) X(SHARE, 0) X(SIGNAL, 1) \
  X(SIGNED, 0) X(SKIP, 0) X(SLOW, 1) X(SNAPSHOT, 0) X(SOME, 0) X(SOUNDS, 0) \
  X(SQL_BUFFER_RESULT, 0) X(SQL_CACHE, 0) X(SQL_NO_CACHE, 0) \
  X(START, 0) X(STATS_AUTO_RECALC, 1) X(STATS_PERSISTENT, 1) \
  X(STATS_SAMPLE_PAGES, 1) X(STD, 0) X(STDDEV, 0) X(STDDEV_POP, 0) \
  X(STDDEV_SAMP, 0) X(STORED, 1) X(SUBSTR, 0) X(SUBSTRING, 0) X(SUM, 0) \
  X(SUSPEND, 0) X(SYSTEM, 1) X(TEMPORARY, 0) X(TRANSACTION, 0) X(TRIM, 0) \
  X(TRUNCATE, 0) X(UNCOMMITTED, 0) X(UNKNOWN, 0) X(VALUE, 0) X(VARIANCE, 0) \
  X(VAR_POP, 0) X(VAR_SAMP, 0) X(VIEW, 0) X(VIRTUAL, 1) X(WEEK, 0) \
  X(WINDOW, 1) X(WORK, 0) X(XA, 0) X(YEAR, 0)

#define TSR_SQL_WORD_ENUM_ITEM(name, reserved) TSR_W_##name,
enum {
  TSR_W_BEFORE_FIRST = TSR_TK_LAST_TOKEN - 1,
  TSR_SQL_WORD_LIST(TSR_SQL_WORD_ENUM_ITEM)
  TSR_W_END_OF_LIST
};
#undef TSR_SQL_WORD_ENUM_ITEM
#define TSR_W_FIRST (TSR_W_BEFORE_FIRST + 1)

/* Returns the word code of word[0..len) (ASCII case ignored), 0 when the
 * word is neither a 0.8 keyword nor one of TSR_SQL_WORD_LIST. */
guint tsr_sql_word_code(const char *word, gsize len);

/* Returns the upper-case text of a word code ("SELECT", "BEGIN"). */
const char *tsr_sql_word_text(guint code);

/* Returns TRUE when word[0..len) may not be written as an unquoted
 * identifier in MySQL 8 or MariaDB (ASCII case ignored). */
gboolean tsr_sql_word_is_reserved(const char *word, gsize len);

#endif
