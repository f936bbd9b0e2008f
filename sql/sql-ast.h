/* sql-ast.h: the syntax tree that tsr_sql_parse() (sql-parser.h) builds.
 *
 * Every node, list and string of a tree lives in the arena of the
 * TsrSqlScript it came from and is freed with it by tsr_sql_script_free().
 * Read the fields directly; change a tree only with the helpers of
 * sql-rewrite.h (they allocate from the script's arena).
 *
 * Strings are NUL-terminated, except literal values (TsrSqlLiteral.text has
 * a length, since a string may hold NUL bytes). Identifiers are unquoted
 * and kept in the case they were written in; keywords a node stores as text
 * (units, types, charsets) are as written unless a comment says otherwise.
 * `pos` fields are byte offsets into the parsed query. */
#ifndef TESSERA_SQL_AST_H
#define TESSERA_SQL_AST_H

#include <glib.h>

typedef struct TsrSqlExpr TsrSqlExpr;
typedef struct TsrSqlSelect TsrSqlSelect;
typedef struct TsrSqlTableRef TsrSqlTableRef;

/* An array of pointers: items[0..len). */
typedef struct {
  guint len;
  guint cap;
  gpointer *items;
} TsrSqlList;

/* ---- expressions ---- */

typedef enum {
  TSR_SQL_EXPR_LITERAL,
  TSR_SQL_EXPR_COLUMN,   /* [[schema.]table.]column */
  TSR_SQL_EXPR_STAR,     /* *, t.* or schema.t.* */
  TSR_SQL_EXPR_PARAM,    /* ? */
  TSR_SQL_EXPR_VARIABLE, /* @user, @@system */
  TSR_SQL_EXPR_UNARY,
  TSR_SQL_EXPR_BINARY,
  TSR_SQL_EXPR_LOGICAL,  /* AND, OR, XOR over two or more operands */
  TSR_SQL_EXPR_FUNC,     /* function calls, aggregates, CAST, ... */
  TSR_SQL_EXPR_CASE,
  TSR_SQL_EXPR_BETWEEN,
  TSR_SQL_EXPR_IN,
  TSR_SQL_EXPR_LIKE,     /* LIKE, REGEXP/RLIKE, SOUNDS LIKE */
  TSR_SQL_EXPR_IS,       /* IS [NOT] NULL/TRUE/FALSE/UNKNOWN */
  TSR_SQL_EXPR_EXISTS,
  TSR_SQL_EXPR_SUBQUERY, /* (SELECT ...) as a value */
  TSR_SQL_EXPR_INTERVAL, /* INTERVAL expr unit */
  TSR_SQL_EXPR_ROW,      /* (a, b) or ROW(a, b) */
  TSR_SQL_EXPR_COLLATE,  /* expr COLLATE name */
  TSR_SQL_EXPR_DEFAULT,  /* DEFAULT as a value (INSERT, UPDATE, SET) */
  TSR_SQL_EXPR_KEYWORD,  /* a reserved word as a SET value: ON, ALL */
  TSR_SQL_EXPR_MATCH,    /* MATCH (cols) AGAINST (expr [modifier]) */
  TSR_SQL_EXPR_KIND_MAX
} TsrSqlExprKind;

typedef enum {
  TSR_SQL_LIT_NULL,
  TSR_SQL_LIT_TRUE,
  TSR_SQL_LIT_FALSE,
  TSR_SQL_LIT_INTEGER,  /* digits, maybe with a leading '-' */
  TSR_SQL_LIT_DECIMAL,  /* 1.5, .5, 1. */
  TSR_SQL_LIT_FLOAT,    /* with an exponent: 1e5 */
  TSR_SQL_LIT_STRING,
  TSR_SQL_LIT_HEX,      /* 0x1F or X'1F' */
  TSR_SQL_LIT_BIT,      /* 0b01 or b'01' */
  TSR_SQL_LIT_TEMPORAL, /* DATE '...', TIME '...', TIMESTAMP '...' */
} TsrSqlLiteralKind;

typedef struct {
  TsrSqlLiteralKind kind;
  /* Numbers: as written ("-12", "1.50", "1e5"). HEX/BIT: the digits only.
   * STRING/TEMPORAL: the value, unescaped, adjacent strings concatenated. */
  const char *text;
  gsize len;
  const char *charset;  /* STRING: introducer without '_' (_utf8mb4'x' gives "utf8mb4") or NULL */
  const char *temporal; /* TEMPORAL: "DATE", "TIME" or "TIMESTAMP" */
  gboolean national;    /* STRING written N'...' */
  gboolean quoted;      /* HEX/BIT written X'..'/b'..' rather than 0x../0b.. */
} TsrSqlLiteral;

typedef enum {
  /* unary */
  TSR_SQL_OP_NEG,         /* - */
  TSR_SQL_OP_BIT_NOT,     /* ~ */
  TSR_SQL_OP_LOGICAL_NOT, /* ! (binds tighter than NOT) */
  TSR_SQL_OP_NOT,         /* NOT */
  TSR_SQL_OP_BINARY,      /* BINARY expr */
  /* logical (TSR_SQL_EXPR_LOGICAL) */
  TSR_SQL_OP_OR,          /* OR, || */
  TSR_SQL_OP_XOR,
  TSR_SQL_OP_AND,         /* AND, && */
  /* comparisons */
  TSR_SQL_OP_EQ,
  TSR_SQL_OP_NULLSAFE_EQ, /* <=> */
  TSR_SQL_OP_NE,          /* <>, != */
  TSR_SQL_OP_LT,
  TSR_SQL_OP_LE,
  TSR_SQL_OP_GT,
  TSR_SQL_OP_GE,
  /* arithmetic and bits */
  TSR_SQL_OP_BIT_OR,
  TSR_SQL_OP_BIT_AND,
  TSR_SQL_OP_SHIFT_LEFT,
  TSR_SQL_OP_SHIFT_RIGHT,
  TSR_SQL_OP_PLUS,
  TSR_SQL_OP_MINUS,
  TSR_SQL_OP_MUL,
  TSR_SQL_OP_DIV,         /* / */
  TSR_SQL_OP_INT_DIV,     /* DIV */
  TSR_SQL_OP_MOD,         /* %, MOD */
  TSR_SQL_OP_BIT_XOR,     /* ^ */
  TSR_SQL_OP_ASSIGN,      /* := */
  TSR_SQL_OP_MAX
} TsrSqlOp;

/* Comparison against a subquery's rows: a = ANY (SELECT ...). */
typedef enum {
  TSR_SQL_QUANT_NONE,
  TSR_SQL_QUANT_ANY,  /* ANY, SOME */
  TSR_SQL_QUANT_ALL,
} TsrSqlQuantifier;

typedef enum {
  TSR_SQL_VAR_USER,   /* @name */
  TSR_SQL_VAR_SYSTEM, /* @@name, @@scope.name, or in SET: [scope] name */
} TsrSqlVarKind;

typedef enum {
  TSR_SQL_SCOPE_DEFAULT, /* none written */
  TSR_SQL_SCOPE_GLOBAL,
  TSR_SQL_SCOPE_SESSION,
  TSR_SQL_SCOPE_LOCAL,
  TSR_SQL_SCOPE_PERSIST,
  TSR_SQL_SCOPE_PERSIST_ONLY,
} TsrSqlScope;

typedef enum {
  TSR_SQL_AGG_NONE,
  TSR_SQL_AGG_COUNT,
  TSR_SQL_AGG_SUM,
  TSR_SQL_AGG_MIN,
  TSR_SQL_AGG_MAX,
  TSR_SQL_AGG_AVG,
  TSR_SQL_AGG_GROUP_CONCAT,
  TSR_SQL_AGG_OTHER, /* BIT_AND, STD, VARIANCE, ...: cannot be merged across shards */
} TsrSqlAggregate;

/* How a function call is written. */
typedef enum {
  TSR_SQL_FUNC_CALL,       /* name(args) */
  TSR_SQL_FUNC_NILADIC,    /* CURRENT_TIMESTAMP and the like, without parentheses */
  TSR_SQL_FUNC_CAST,       /* CAST(args[0] AS type) */
  TSR_SQL_FUNC_CONVERT,    /* CONVERT(args[0], type) */
  TSR_SQL_FUNC_CONVERT_USING, /* CONVERT(args[0] USING type) */
  TSR_SQL_FUNC_CHAR_USING, /* CHAR(args USING type) */
  TSR_SQL_FUNC_SUBSTRING_FROM, /* SUBSTRING(args[0] FROM args[1] [FOR args[2]]) */
  TSR_SQL_FUNC_TRIM_FROM,  /* TRIM([type] [args[1]] FROM args[0]); type: BOTH/LEADING/TRAILING or NULL */
  TSR_SQL_FUNC_EXTRACT,    /* EXTRACT(type FROM args[0]); type is the unit */
  TSR_SQL_FUNC_POSITION,   /* POSITION(args[0] IN args[1]) */
} TsrSqlFuncForm;

typedef enum {
  TSR_SQL_IS_NULL,
  TSR_SQL_IS_TRUE,
  TSR_SQL_IS_FALSE,
  TSR_SQL_IS_UNKNOWN,
} TsrSqlIsWhat;

typedef enum {
  TSR_SQL_LIKE_LIKE,
  TSR_SQL_LIKE_REGEXP, /* REGEXP, RLIKE */
  TSR_SQL_LIKE_SOUNDS, /* SOUNDS LIKE */
} TsrSqlLikeKind;

typedef enum {
  TSR_SQL_ORDER_NONE,
  TSR_SQL_ORDER_ASC,
  TSR_SQL_ORDER_DESC,
} TsrSqlOrderDir;

/* ORDER BY and GROUP BY items. */
typedef struct {
  TsrSqlExpr *expr;
  TsrSqlOrderDir dir;
} TsrSqlOrderItem;

/* CASE ... WHEN cond THEN result. */
typedef struct {
  TsrSqlExpr *when;
  TsrSqlExpr *then;
} TsrSqlWhen;

struct TsrSqlExpr {
  TsrSqlExprKind kind;
  guint32 pos;
  union {
    TsrSqlLiteral lit;
    struct {
      const char *schema, *table, *column; /* schema/table NULL when not written; column NULL for STAR */
    } col;                                 /* COLUMN and STAR */
    struct {
      guint index;                         /* 0 for the statement's first ?, in text order */
    } param;
    struct {
      TsrSqlVarKind kind;
      TsrSqlScope scope;
      const char *name;                    /* without @ or @@ and scope */
      gboolean at_form;                    /* SYSTEM: written @@name (FALSE: SET [scope] name) */
    } var;
    struct {
      TsrSqlOp op;
      TsrSqlExpr *arg;
    } unary;
    struct {
      TsrSqlOp op;
      TsrSqlQuantifier quant;              /* with quant, right is a SUBQUERY */
      TsrSqlExpr *left, *right;
    } binary;
    struct {
      TsrSqlOp op;                         /* AND, OR, XOR */
      TsrSqlList args;                     /* TsrSqlExpr *, two or more; none is the same op */
    } logical;
    struct {
      const char *schema;                  /* db.func(): db; NULL otherwise */
      const char *name;                    /* as written */
      TsrSqlFuncForm form;
      TsrSqlAggregate agg;
      TsrSqlList args;                     /* TsrSqlExpr * */
      gboolean distinct;                   /* COUNT(DISTINCT ...) and the like */
      gboolean star;                       /* COUNT(*) */
      TsrSqlList order_by;                 /* GROUP_CONCAT(... ORDER BY ...): TsrSqlOrderItem * */
      TsrSqlExpr *separator;               /* GROUP_CONCAT(... SEPARATOR '...'): a literal, or NULL */
      const char *type;                    /* see TsrSqlFuncForm */
    } func;
    struct {
      TsrSqlExpr *operand;                 /* CASE operand WHEN ..., or NULL */
      TsrSqlList whens;                    /* TsrSqlWhen * */
      TsrSqlExpr *else_result;             /* or NULL */
    } case_;
    struct {
      TsrSqlExpr *arg, *low, *high;
      gboolean negated;
    } between;
    struct {
      TsrSqlExpr *arg;
      TsrSqlList list;                     /* TsrSqlExpr *; empty with a subquery */
      TsrSqlSelect *subquery;              /* or NULL */
      gboolean negated;
    } in;
    struct {
      TsrSqlLikeKind kind;
      TsrSqlExpr *arg, *pattern, *escape;  /* escape may be NULL */
      gboolean negated;
    } like;
    struct {
      TsrSqlExpr *arg;
      TsrSqlIsWhat what;
      gboolean negated;
    } is;
    struct {
      TsrSqlSelect *select;                /* EXISTS and SUBQUERY */
    } subquery;
    struct {
      TsrSqlExpr *value;
      const char *unit;                    /* upper case: DAY, HOUR_MINUTE, ... */
    } interval;
    struct {
      TsrSqlList items;                    /* TsrSqlExpr *, two or more (ROW() may have one) */
    } row;
    struct {
      TsrSqlExpr *arg;
      const char *collation;
    } collate;
    struct {
      const char *word;                    /* upper case */
    } keyword;
    struct {
      TsrSqlList columns;                  /* TsrSqlExpr * */
      TsrSqlExpr *against;
      const char *modifier;                /* "IN BOOLEAN MODE" and the like, upper case, or NULL */
    } match;
  };
};

/* ---- queries ---- */

typedef enum {
  TSR_SQL_TABLE_NAME,    /* [schema.]name [AS alias] */
  TSR_SQL_TABLE_DERIVED, /* (SELECT ...) [AS] alias */
  TSR_SQL_TABLE_JOIN,
} TsrSqlTableRefKind;

typedef enum {
  TSR_SQL_JOIN_INNER,    /* JOIN, INNER JOIN */
  TSR_SQL_JOIN_CROSS,    /* CROSS JOIN */
  TSR_SQL_JOIN_LEFT,     /* LEFT [OUTER] JOIN */
  TSR_SQL_JOIN_RIGHT,    /* RIGHT [OUTER] JOIN */
  TSR_SQL_JOIN_STRAIGHT, /* STRAIGHT_JOIN */
  TSR_SQL_JOIN_NATURAL,
  TSR_SQL_JOIN_NATURAL_LEFT,
  TSR_SQL_JOIN_NATURAL_RIGHT,
  TSR_SQL_JOIN_COMMA,    /* (a, b) inside parentheses */
} TsrSqlJoinKind;

struct TsrSqlTableRef {
  TsrSqlTableRefKind kind;
  guint32 pos;
  guint32 name_end;       /* NAME: the name's span in the query is [pos, name_end)
                           * (in TsrSqlRaw.body for the tables of raw statements) */
  const char *schema;     /* NAME: or NULL */
  const char *name;       /* NAME */
  const char *alias;      /* NAME, DERIVED: or NULL */
  const char *partitions; /* NAME: "p0, p1" from PARTITION (p0, p1), or NULL */
  const char *hints;      /* NAME: index hints as written ("USE INDEX (i)"), or NULL */
  TsrSqlSelect *select;   /* DERIVED */
  TsrSqlJoinKind join;    /* JOIN */
  TsrSqlTableRef *left, *right;
  TsrSqlExpr *on;         /* JOIN ... ON, or NULL */
  TsrSqlList using_cols;  /* JOIN ... USING (a, b): const char * */
};

typedef enum {
  TSR_SQL_SELECT_SIMPLE,
  TSR_SQL_SELECT_UNION, /* parts joined by UNION; one part when a parenthesized
                         * query has an ORDER BY/LIMIT of its own and gets another */
} TsrSqlSelectKind;

/* SELECT options (TsrSqlSelect.options). */
typedef enum {
  TSR_SQL_SELECT_DISTINCT = 1 << 0,
  TSR_SQL_SELECT_DISTINCTROW = 1 << 1,
  TSR_SQL_SELECT_ALL = 1 << 2,
  TSR_SQL_SELECT_HIGH_PRIORITY = 1 << 3,
  TSR_SQL_SELECT_STRAIGHT_JOIN = 1 << 4,
  TSR_SQL_SELECT_SQL_SMALL_RESULT = 1 << 5,
  TSR_SQL_SELECT_SQL_BIG_RESULT = 1 << 6,
  TSR_SQL_SELECT_SQL_BUFFER_RESULT = 1 << 7,
  TSR_SQL_SELECT_SQL_CACHE = 1 << 8,
  TSR_SQL_SELECT_SQL_NO_CACHE = 1 << 9,
  TSR_SQL_SELECT_SQL_CALC_FOUND_ROWS = 1 << 10,
} TsrSqlSelectOption;

typedef enum {
  TSR_SQL_LOCK_NONE,
  TSR_SQL_LOCK_FOR_UPDATE,
  TSR_SQL_LOCK_SHARE_MODE, /* LOCK IN SHARE MODE */
  TSR_SQL_LOCK_FOR_SHARE,  /* FOR SHARE */
} TsrSqlLock;

typedef enum {
  TSR_SQL_LOCK_WAIT,        /* default */
  TSR_SQL_LOCK_NOWAIT,
  TSR_SQL_LOCK_SKIP_LOCKED,
} TsrSqlLockWait;

typedef enum {
  TSR_SQL_UNION_DISTINCT, /* UNION, UNION DISTINCT */
  TSR_SQL_UNION_ALL,
} TsrSqlUnionOp;

typedef struct {
  TsrSqlExpr *expr;
  const char *alias; /* or NULL */
} TsrSqlSelectItem;

/* LIMIT count / LIMIT offset, count / LIMIT count OFFSET offset. */
typedef struct {
  TsrSqlExpr *count;  /* NULL: no LIMIT */
  TsrSqlExpr *offset; /* NULL: no offset */
} TsrSqlLimit;

struct TsrSqlSelect {
  TsrSqlSelectKind kind;
  guint32 pos;
  /* SIMPLE */
  guint options;        /* TsrSqlSelectOption */
  TsrSqlList items;     /* TsrSqlSelectItem * */
  TsrSqlList from;      /* TsrSqlTableRef *, comma-separated */
  gboolean from_dual;   /* FROM DUAL */
  TsrSqlExpr *where;
  TsrSqlList group_by;  /* TsrSqlOrderItem * */
  gboolean with_rollup;
  TsrSqlExpr *having;
  /* UNION */
  TsrSqlList parts;     /* TsrSqlSelect * */
  TsrSqlUnionOp union_op; /* for parts after the first: how this part joins the ones before */
  /* both */
  TsrSqlList order_by;  /* TsrSqlOrderItem * */
  TsrSqlLimit limit;
  TsrSqlLock lock;
  TsrSqlLockWait lock_wait;
};

/* ---- statements ---- */

typedef enum {
  TSR_SQL_STMT_SELECT,
  TSR_SQL_STMT_INSERT,
  TSR_SQL_STMT_REPLACE,
  TSR_SQL_STMT_UPDATE,
  TSR_SQL_STMT_DELETE,
  TSR_SQL_STMT_SET,
  TSR_SQL_STMT_USE,
  TSR_SQL_STMT_SHOW,
  TSR_SQL_STMT_BEGIN,       /* BEGIN [WORK], START TRANSACTION */
  TSR_SQL_STMT_COMMIT,
  TSR_SQL_STMT_ROLLBACK,
  TSR_SQL_STMT_SAVEPOINT,
  TSR_SQL_STMT_ROLLBACK_TO, /* ROLLBACK [WORK] TO [SAVEPOINT] name */
  TSR_SQL_STMT_RELEASE,     /* RELEASE SAVEPOINT name */
  TSR_SQL_STMT_XA,
  TSR_SQL_STMT_CREATE,
  TSR_SQL_STMT_ALTER,
  TSR_SQL_STMT_DROP,
  TSR_SQL_STMT_TRUNCATE,
  TSR_SQL_STMT_RENAME,
  TSR_SQL_STMT_OTHER,       /* any other statement (CALL, LOCK, EXPLAIN, GRANT, ...): verb and text only */
  TSR_SQL_STMT_KIND_MAX
} TsrSqlStmtKind;

typedef struct {
  TsrSqlExpr *column; /* a COLUMN */
  TsrSqlExpr *value;
} TsrSqlAssignment;

/* INSERT/REPLACE options; also UPDATE and DELETE options. */
typedef enum {
  TSR_SQL_DML_LOW_PRIORITY = 1 << 0,
  TSR_SQL_DML_DELAYED = 1 << 1,
  TSR_SQL_DML_HIGH_PRIORITY = 1 << 2,
  TSR_SQL_DML_IGNORE = 1 << 3,
  TSR_SQL_DML_QUICK = 1 << 4,
} TsrSqlDmlOption;

typedef struct {
  guint options;           /* TsrSqlDmlOption */
  TsrSqlTableRef *table;   /* a NAME */
  TsrSqlList columns;      /* TsrSqlExpr * (COLUMN); empty when not written */
  TsrSqlList rows;         /* VALUES: TsrSqlList * of TsrSqlExpr * */
  TsrSqlList set;          /* SET form: TsrSqlAssignment * */
  TsrSqlSelect *select;    /* INSERT ... SELECT, or NULL */
  TsrSqlList on_duplicate; /* ON DUPLICATE KEY UPDATE: TsrSqlAssignment * */
} TsrSqlInsert;

typedef struct {
  guint options;          /* TsrSqlDmlOption */
  TsrSqlList tables;      /* TsrSqlTableRef *; more than one (or a JOIN) for a multi-table UPDATE */
  TsrSqlList set;         /* TsrSqlAssignment * */
  TsrSqlExpr *where;
  TsrSqlList order_by;    /* TsrSqlOrderItem * */
  TsrSqlLimit limit;
} TsrSqlUpdate;

typedef struct {
  guint options;          /* TsrSqlDmlOption */
  TsrSqlList targets;     /* multi-table: the tables deleted from (NAME refs); empty for one table */
  TsrSqlList from;        /* TsrSqlTableRef *: the one table, or the multi-table FROM/USING refs */
  gboolean using_form;    /* DELETE FROM targets USING from */
  TsrSqlExpr *where;
  TsrSqlList order_by;    /* TsrSqlOrderItem * */
  TsrSqlLimit limit;
} TsrSqlDelete;

typedef enum {
  TSR_SQL_SET_VARIABLE,    /* var = value */
  TSR_SQL_SET_NAMES,       /* NAMES charset [COLLATE collation] */
  TSR_SQL_SET_CHARSET,     /* CHARACTER SET charset, CHARSET charset */
  TSR_SQL_SET_TRANSACTION, /* [scope] TRANSACTION characteristics */
} TsrSqlSetKind;

typedef enum {
  TSR_SQL_ISOLATION_NONE,
  TSR_SQL_ISOLATION_READ_UNCOMMITTED,
  TSR_SQL_ISOLATION_READ_COMMITTED,
  TSR_SQL_ISOLATION_REPEATABLE_READ,
  TSR_SQL_ISOLATION_SERIALIZABLE,
} TsrSqlIsolation;

typedef enum {
  TSR_SQL_ACCESS_NONE,
  TSR_SQL_ACCESS_READ_ONLY,
  TSR_SQL_ACCESS_READ_WRITE,
} TsrSqlAccessMode;

typedef struct {
  TsrSqlSetKind kind;
  TsrSqlExpr *var;            /* VARIABLE: a TSR_SQL_EXPR_VARIABLE */
  TsrSqlExpr *value;          /* VARIABLE */
  const char *charset;        /* NAMES, CHARSET: NULL for DEFAULT */
  const char *collation;      /* NAMES: or NULL */
  TsrSqlScope scope;          /* TRANSACTION */
  TsrSqlIsolation isolation;  /* TRANSACTION */
  TsrSqlAccessMode access;    /* TRANSACTION */
} TsrSqlSetItem;

/* Flags of transaction statements (TsrSqlTxn.flags). */
typedef enum {
  TSR_SQL_TXN_WORK = 1 << 0,
  TSR_SQL_TXN_CHAIN = 1 << 1,
  TSR_SQL_TXN_NO_CHAIN = 1 << 2,
  TSR_SQL_TXN_RELEASE = 1 << 3,
  TSR_SQL_TXN_NO_RELEASE = 1 << 4,
  TSR_SQL_TXN_READ_ONLY = 1 << 5,
  TSR_SQL_TXN_READ_WRITE = 1 << 6,
  TSR_SQL_TXN_CONSISTENT_SNAPSHOT = 1 << 7,
  TSR_SQL_TXN_START = 1 << 8,  /* START TRANSACTION rather than BEGIN */
} TsrSqlTxnFlag;

/* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK_TO, RELEASE. */
typedef struct {
  guint flags;             /* TsrSqlTxnFlag */
  const char *savepoint;   /* SAVEPOINT, ROLLBACK_TO, RELEASE */
} TsrSqlTxn;

typedef enum {
  TSR_SQL_XA_START,    /* XA START/BEGIN */
  TSR_SQL_XA_END,
  TSR_SQL_XA_PREPARE,
  TSR_SQL_XA_COMMIT,
  TSR_SQL_XA_ROLLBACK,
  TSR_SQL_XA_RECOVER,
} TsrSqlXaAction;

typedef enum {
  TSR_SQL_XA_JOIN = 1 << 0,        /* XA START xid JOIN */
  TSR_SQL_XA_RESUME = 1 << 1,      /* XA START xid RESUME */
  TSR_SQL_XA_SUSPEND = 1 << 2,     /* XA END xid SUSPEND */
  TSR_SQL_XA_FOR_MIGRATE = 1 << 3, /* XA END xid SUSPEND FOR MIGRATE */
  TSR_SQL_XA_ONE_PHASE = 1 << 4,   /* XA COMMIT xid ONE PHASE */
  TSR_SQL_XA_CONVERT_XID = 1 << 5, /* XA RECOVER CONVERT XID */
} TsrSqlXaFlag;

typedef struct {
  TsrSqlXaAction action;
  guint flags;          /* TsrSqlXaFlag */
  TsrSqlExpr *gtrid;    /* a STRING or HEX literal; NULL for RECOVER */
  TsrSqlExpr *bqual;    /* or NULL */
  TsrSqlExpr *format_id; /* an INTEGER literal, or NULL */
} TsrSqlXa;

/* SHOW, DDL and OTHER statements, kept as text. */
typedef struct {
  /* The statement as the server reads it: its tokens as written, comments
   * dropped, executable comments' contents inline, one blank where the
   * query had blanks or comments between tokens. May hold NUL bytes. */
  const char *body;
  gsize body_len;
  const char *verb;   /* upper case: SHOW: the word after SHOW ("TABLES");
                       * DDL: the object ("TABLE", "INDEX", "DATABASE", "VIEW", ...);
                       * OTHER: the first word ("CALL", "LOCK", ...) */
  TsrSqlList tables;  /* TsrSqlTableRef * (NAME) found where easy: the tables of
                       * CREATE/ALTER/DROP/TRUNCATE TABLE, CREATE/DROP INDEX ... ON,
                       * RENAME TABLE, SHOW CREATE TABLE/COLUMNS/INDEX. Their
                       * pos/name_end are offsets in `body`, not in the query. */
} TsrSqlRaw;

typedef struct {
  TsrSqlStmtKind kind;
  guint32 start, end;   /* the statement's bytes in the query, without the ';' */
  const char *text;     /* a NUL-terminated copy of those bytes */
  guint n_params;       /* number of ? placeholders */
  /* exactly the one that fits the kind is set: */
  TsrSqlSelect *select; /* SELECT */
  TsrSqlInsert *insert; /* INSERT, REPLACE */
  TsrSqlUpdate *update; /* UPDATE */
  TsrSqlDelete *del;    /* DELETE */
  TsrSqlList *set;      /* SET: TsrSqlSetItem * */
  const char *use_db;   /* USE */
  TsrSqlTxn *txn;       /* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK_TO, RELEASE */
  TsrSqlXa *xa;         /* XA */
  TsrSqlRaw *raw;       /* SHOW, CREATE, ALTER, DROP, TRUNCATE, RENAME, OTHER */
} TsrSqlStmt;

struct TsrSqlArena;

/* Appends `item` to `list`, growing it in `arena`. */
void tsr_sql_list_push(struct TsrSqlArena *arena, TsrSqlList *list, gpointer item);

/* TRUE when a query has an ORDER BY, a LIMIT or a locking clause of its own. */
gboolean tsr_sql_select_has_tail(const TsrSqlSelect *select);

/* Returns the name of a statement kind ("SELECT", "ROLLBACK_TO", ...). */
const char *tsr_sql_stmt_kind_name(TsrSqlStmtKind kind);

/* Returns the SQL text of an operator ("+", "AND", "<=>", "DIV", "NOT"). */
const char *tsr_sql_op_text(TsrSqlOp op);

#endif
