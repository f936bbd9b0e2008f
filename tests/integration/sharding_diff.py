"""The differential test of sharding: a data set, a shard map for it and a
comparer (tests/integration/test_sharding_differential.py; the random
statements are sharding_diff_queries.py's).

The same data lives twice: whole in a reference database queried straight on a
MariaDB server, and sharded over two servers behind tessera. Every generated
statement runs on both and the answers must agree: result sets as multisets
of rows (in order when the ORDER BY fixes it), affected rows of writes and then
the tables' contents, errors by code.

Answers are read with tests/integration/mysql_raw.py, so values are compared
as the server wrote them (text protocol: the bytes; binary protocol: decoded
exactly), together with the column names, types and decimals.
"""

import collections
import datetime
import decimal
import random
import socket
import struct
import time
import unicodedata
import zlib

import mysql_raw

SHARD_DB = "diffshard"
REF_DB = "diffref"
SELF_DB = "diffself"

GROUPS = ("g1", "g2")
CHARSET = "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"

# Refusals of the router: ER_NOT_SUPPORTED_YET, and values (ER_TRUNCATED_WRONG_VALUE).
REFUSAL_CODES = (1235, 1292)


# ---------------------------------------------------------------------------
# Tables and where their rows live

class Table:
    """A logical table: its columns, primary key and placement.

    kind: 'hash' (integer key, key mod shards), 'strhash' (string key,
    CRC32 of the utf8mb4_general_ci fold mod shards), 'range' (bounds),
    'date' (one shard per month of months), 'vertical' (whole on group),
    'broadcast' (a copy on every group)."""

    def __init__(self, name, columns, pk, kind, key=None, shards=0, bounds=(), months=(),
                 group=0, binding=None):
        self.name = name
        self.columns = columns
        self.pk = pk
        self.kind = kind
        self.key = key
        self.bounds = tuple(bounds)
        self.months = tuple(months)
        self.group = group
        self.binding = binding
        if kind == "range":
            shards = len(self.bounds) + 1
        elif kind == "date":
            shards = len(self.months)
        self.shards = shards

    @property
    def column_names(self):
        return [c for c, _ in self.columns]

    @property
    def sharded(self):
        return self.kind in ("hash", "strhash", "range", "date")

    def create_sql(self, name=None):
        cols = ", ".join("%s %s" % c for c in self.columns)
        return "CREATE TABLE %s (%s, PRIMARY KEY (%s)) ENGINE=InnoDB %s" % (
            name or self.name, cols, self.pk, CHARSET)

    def physical_name(self, shard):
        if self.kind == "date":
            return "%s_%s" % (self.name, self.months[shard].replace("-", ""))
        return "%s_%d" % (self.name, shard)

    def group_of_shard(self, shard):
        return shard % len(GROUPS)

    def places(self):
        """(group index, physical table name, shard or None) of every copy or shard."""
        if self.sharded:
            return [(self.group_of_shard(i), self.physical_name(i), i) for i in range(self.shards)]
        if self.kind == "vertical":
            return [(self.group, self.name, None)]
        return [(g, self.name, None) for g in range(len(GROUPS))]

    def shard_of(self, key):
        """The shard of a key value as stored (text from the server), or None if
        the check cannot tell (a string key that is not ASCII)."""
        if self.kind == "hash":
            return int(key) % self.shards
        if self.kind == "range":
            return sum(1 for b in self.bounds if int(key) >= b)
        if self.kind == "date":
            return self.months.index(key[:7])
        if self.kind == "strhash":
            if not key.isascii():
                return None
            return zlib.crc32(key.rstrip(" ").upper().encode()) % self.shards
        raise ValueError(self.kind)

    def map_entry(self):
        if self.kind == "hash" and self.binding:
            return '{ shard_key = "%s", binding = "%s.%s" }' % (self.key, SHARD_DB, self.binding)
        if self.kind == "hash":
            return '{ shard_key = "%s", method = "hash", shards = %d, groups = { "g1", "g2" } }' % (
                self.key, self.shards)
        if self.kind == "strhash":
            return ('{ shard_key = "%s", method = "hash", key_type = "string", shards = %d }'
                    % (self.key, self.shards))
        if self.kind == "range":
            return '{ shard_key = "%s", method = "range", bounds = { %s } }' % (
                self.key, ", ".join(str(b) for b in self.bounds))
        if self.kind == "date":
            return ('{ shard_key = "%s", method = "date", unit = "month", from = "%s", to = "%s", '
                    'groups = { "g1", "g2" } }' % (self.key, self.months[0], self.months[-1]))
        if self.kind == "vertical":
            return '{ group = "%s" }' % GROUPS[self.group]
        return "{ broadcast = true }"


MONTHS_2024 = ["2024-%02d" % m for m in range(1, 13)]

TABLES = collections.OrderedDict((t.name, t) for t in [
    Table("countries", [("code", "CHAR(2) NOT NULL"), ("name", "VARCHAR(40) NOT NULL"),
                        ("region", "VARCHAR(16)"), ("vat", "DECIMAL(4,2)")],
          "code", "broadcast"),
    Table("customers", [("id", "INT NOT NULL"), ("name", "VARCHAR(40) NOT NULL"),
                        ("city", "VARCHAR(30)"), ("country", "CHAR(2)"),
                        ("balance", "DECIMAL(12,2)"), ("signup", "DATE"), ("tier", "TINYINT")],
          "id", "hash", key="id", shards=6),
    Table("orders", [("id", "INT NOT NULL"), ("customer_id", "INT NOT NULL"),
                     ("amount", "DECIMAL(10,2)"), ("qty", "INT"), ("status", "VARCHAR(12)"),
                     ("created", "DATETIME NOT NULL"), ("country", "CHAR(2)"),
                     ("discount", "DECIMAL(5,3)")],
          "id", "hash", key="customer_id", shards=6, binding="customers"),
    Table("ledger", [("id", "INT NOT NULL"), ("account", "INT NOT NULL"), ("kind", "VARCHAR(10)"),
                     ("amount", "DECIMAL(14,3) NOT NULL"), ("booked", "DATE NOT NULL"),
                     ("memo", "VARCHAR(40)")],
          "id", "range", key="id", bounds=(1000, 2000, 3000, 4000)),
    Table("visits", [("id", "INT NOT NULL"), ("visited", "DATETIME NOT NULL"),
                     ("customer_id", "INT"), ("page", "VARCHAR(20) NOT NULL"), ("ms", "INT")],
          "id", "date", key="visited", months=MONTHS_2024),
    Table("tags", [("id", "INT NOT NULL"), ("code", "VARCHAR(24) NOT NULL"),
                   ("label", "VARCHAR(30)"), ("weight", "INT")],
          "id", "strhash", key="code", shards=4),
    Table("products", [("id", "INT NOT NULL"), ("name", "VARCHAR(40) NOT NULL"),
                       ("category", "VARCHAR(20)"), ("price", "DECIMAL(8,2) NOT NULL"),
                       ("stock", "INT")],
          "id", "vertical", group=1),
])


def map_tables():
    """The tables block of the shard map tessera loads (groups g1 and g2 are the two
    servers): logical name -> Lua table text, in TABLES' order."""
    return collections.OrderedDict(("%s.%s" % (SHARD_DB, t.name), t.map_entry()) for t in TABLES.values())


# ---------------------------------------------------------------------------
# The data set

def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, decimal.Decimal)):
        return str(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return "'%s'" % v
    return "'" + str(v).replace("\\", "\\\\").replace("'", "''") + "'"


FIRST_NAMES = ["Anna", "anna", "ANNA", "Émile", "Emile", "José", "Jose", "Zoë", "Chloé", "chloe",
               "Björn", "Bjorn", "Åsa", "Ola", "Mia", "mia ", "Noah", "Liam", "Olivia", "Sofía",
               "Ōta", "Ren", "Kai", "kai", "Lars", "Ines", "Inès", "Ülkü", "Ömer", "Yusuf"]
LAST_NAMES = ["Smith", "smith", "Müller", "Muller", "MÜLLER", "García", "Garcia", "Dubois", "Rossi",
              "Nowak", "Kowalski", "Öztürk", "Sato", "Lee", "LEE", "Brown", "O'Neil", "Van Dijk",
              "de la Cruz", "Núñez"]
CITIES = ["Paris", "paris", "PARIS", "Berlin", "berlin", "München", "MÜNCHEN", "Munchen", "Lyon",
          "Oslo", "oslo ", "Tokyo", "Madrid", "Rome", "ROME", "Zürich", "Zurich", "Lisbon", None]
COUNTRIES = [("FR", "France", "Europe", "20.00"), ("DE", "Germany", "Europe", "19.00"),
             ("ES", "Spain", "Europe", "21.00"), ("IT", "Italy", "Europe", "22.00"),
             ("PT", "Portugal", "Europe", "23.00"), ("NO", "Norway", "Nordics", "25.00"),
             ("SE", "Sweden", "Nordics", "25.00"), ("DK", "Denmark", "Nordics", "25.00"),
             ("CH", "Switzerland", "Europe", "7.70"), ("JP", "Japan", "Asia", "10.00"),
             ("CN", "China", "Asia", "13.00"), ("IN", "India", "Asia", "18.00"),
             ("US", "United States", "Americas", None), ("CA", "Canada", "Americas", "5.00"),
             ("BR", "Brazil", "Americas", "17.50"), ("MX", "Mexico", "Americas", "16.00"),
             ("AU", "Australia", "Oceania", "10.00"), ("NZ", "New Zealand", "Oceania", "15.00"),
             ("ZA", "South Africa", "Africa", "15.00"), ("EG", "Egypt", "Africa", None)]
COUNTRY_CODES = [c[0] for c in COUNTRIES]
STATUSES = ["new", "paid", "Paid", "PAID", "shipped", "Shipped", "cancelled", "returned", None]
KINDS = ["credit", "debit", "Credit", "DEBIT", "fee", "refund", None]
PAGES = ["/home", "/Home", "/cart", "/CART", "/checkout", "/product", "/search", "/help",
         "/account"]
CATEGORIES = ["books", "Books", "toys", "TOYS", "garden", "food", "Food", "tools"]
TAG_CODES = ["alpha", "ALPHA", "Alpha", "alpha ", "beta", "Beta", "gamma", "GAMMA", "delta",
             "epsilon", "zeta", "eta", "Theta", "iota", "kappa", "Lambda", "mu", "nu", "xi",
             "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
             "école", "École", "ECOLE", "straße", "STRASE", "naïve", "NAIVE"]
TAG_BASES = sorted({c.strip().lower() for c in TAG_CODES})

# Ids the data set starts with; inserts take ids above these.
CUSTOMER_IDS = (-5, 1395)
ORDER_IDS = 4500
LEDGER_ID_MAX = 5999
VISIT_IDS = 1600
TAG_IDS = 700
PRODUCT_IDS = 200


def money(rng, low, high, scale=2):
    q = 10 ** scale
    return decimal.Decimal(rng.randint(low * q, high * q)) / q


def rand_datetime(rng, start, days):
    return start + datetime.timedelta(days=rng.randrange(days), seconds=rng.randrange(86400))


def change_case(rng, s):
    return rng.choice([s, s.upper(), s.lower(), s.capitalize()])


class DataSet:
    """Rows of every table, made from one seed."""

    def __init__(self, seed):
        rng = random.Random(seed)
        self.rows = {}
        self.rows["countries"] = [(c, n, r, None if v is None else decimal.Decimal(v))
                                  for c, n, r, v in COUNTRIES]
        customers = []
        for i in range(*CUSTOMER_IDS):
            if rng.random() < 0.05:
                continue
            name = "%s %s" % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
            country = rng.choice(COUNTRY_CODES + [None, "zz", "fr", "de"])
            customers.append((i, name, rng.choice(CITIES), country,
                              None if rng.random() < 0.1 else money(rng, -1000, 20000),
                              None if rng.random() < 0.08 else
                              datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(2000)),
                              None if rng.random() < 0.15 else rng.randint(0, 4)))
        self.rows["customers"] = customers
        self.customer_ids = [c[0] for c in customers]
        amounts = [money(rng, 1, 500) for _ in range(40)]
        orders = []
        for i in range(1, ORDER_IDS + 1):
            if rng.random() < 0.04:
                customer = rng.randint(CUSTOMER_IDS[1], CUSTOMER_IDS[1] + 100)
            else:
                customer = rng.choice(self.customer_ids)
            r = rng.random()
            amount = None if r < 0.05 else rng.choice(amounts) if r < 0.4 else money(rng, 0, 2000)
            orders.append((i, customer, amount, None if rng.random() < 0.07 else rng.randint(1, 20),
                           rng.choice(STATUSES),
                           rand_datetime(rng, datetime.datetime(2023, 1, 1), 730),
                           rng.choice(COUNTRY_CODES + [None, "fr", "jp"]),
                           None if rng.random() < 0.5 else decimal.Decimal(rng.randint(0, 500)) / 1000))
        self.rows["orders"] = orders
        ledger_ids = sorted(rng.sample(range(1, LEDGER_ID_MAX + 1), 2200) + [-40, -3, 0])
        self.rows["ledger"] = [(i, rng.randint(1, 60), rng.choice(KINDS), money(rng, -5000, 5000, 3),
                                datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(1000)),
                                None if rng.random() < 0.3 else "memo %d" % rng.randint(1, 300))
                               for i in ledger_ids]
        visit_times = [rand_datetime(rng, datetime.datetime(2024, 1, 1), 366) for _ in range(1500)]
        visit_times += rng.sample(visit_times, 100)
        visit_times += [datetime.datetime(2024, 1, 1), datetime.datetime(2024, 12, 31, 23, 59, 59),
                        datetime.datetime(2024, 3, 1), datetime.datetime(2024, 2, 29, 12)]
        self.visit_times = sorted(set(visit_times))
        self.rows["visits"] = [(i + 1, t, rng.choice(self.customer_ids + [None]), rng.choice(PAGES),
                                None if rng.random() < 0.1 else rng.randint(5, 5000))
                               for i, t in enumerate(visit_times)]
        self.rows["tags"] = [(i, rng.choice(TAG_CODES), "label %d" % rng.randint(1, 50),
                              None if rng.random() < 0.1 else rng.randint(-10, 100))
                             for i in range(1, TAG_IDS + 1)]
        self.rows["products"] = [(i, "product %s %d" % (rng.choice(["Red", "red", "Blue", "Grün", "gruen"]), i),
                                  rng.choice(CATEGORIES + [None]), money(rng, 1, 300),
                                  None if rng.random() < 0.1 else rng.randint(0, 80))
                                 for i in range(1, PRODUCT_IDS + 1)]

    def inserts(self, chunk=100):
        """Multi-row INSERTs that load every table, in table order, with the table's name."""
        for name, table in TABLES.items():
            rows = self.rows[name]
            for i in range(0, len(rows), chunk):
                yield insert_sql(table, rows[i:i + chunk]), name

    def row_count(self):
        return sum(len(r) for r in self.rows.values())


def insert_sql(table, rows):
    values = ", ".join("(" + ", ".join(sql_literal(v) for v in r) + ")" for r in rows)
    return "INSERT INTO %s (%s) VALUES %s" % (table.name, ", ".join(table.column_names), values)


# ---------------------------------------------------------------------------
# A client that returns answers to compare

TYPE_TIMESTAMP, TYPE_DATE, TYPE_TIME, TYPE_DATETIME, TYPE_NEWDATE = 0x07, 0x0a, 0x0b, 0x0c, 0x0e


def decode_binary(r, column):
    """One binary-protocol value, decoded exactly (dates as tuples of their fields)."""
    if column.type in (TYPE_DATE, TYPE_DATETIME, TYPE_TIMESTAMP, TYPE_NEWDATE):
        size = r.fixed(1)
        fields = [r.fixed(2), r.fixed(1), r.fixed(1)] if size >= 4 else [0, 0, 0]
        fields += [r.fixed(1), r.fixed(1), r.fixed(1)] if size >= 7 else [0, 0, 0]
        fields.append(r.fixed(4) if size >= 11 else 0)
        return ("datetime",) + tuple(fields)
    if column.type == TYPE_TIME:
        size = r.fixed(1)
        fields = [r.fixed(1), r.fixed(4), r.fixed(1), r.fixed(1), r.fixed(1)] if size >= 8 else [0] * 5
        fields.append(r.fixed(4) if size >= 12 else 0)
        return ("time",) + tuple(fields)
    try:
        return mysql_raw.decode_binary_value(r, column)
    except mysql_raw.ProtocolError:
        return r.lenenc_bytes()


class Client(mysql_raw.Connection):
    """A raw connection that decodes every binary column type."""

    @staticmethod
    def read_binary_row(payload, columns):
        return mysql_raw.Connection.read_binary_row(payload, columns, decode_binary)


# Types whose decimals say how values print (scale, fractional seconds). For
# strings MariaDB's decimals vary with the query plan and mean nothing.
TYPES_WITH_DECIMALS = (0x00, 0xf6, 0x04, 0x05, TYPE_TIMESTAMP, TYPE_TIME, TYPE_DATETIME)


def column_description(column):
    decimals = column.decimals if column.type in TYPES_WITH_DECIMALS else None
    return (column.name, column.type, decimals)


class Answer:
    """What a statement got: rows (with column descriptions), an OK, or an error."""

    def __init__(self, kind, columns=(), rows=(), affected=None, code=None, message=None):
        self.kind = kind
        self.columns = list(columns)
        self.rows = list(rows)
        self.affected = affected
        self.code = code
        self.message = message

    @classmethod
    def of_result(cls, result):
        if result.columns is None:
            return cls("ok", affected=result.affected_rows)
        return cls("rows", [column_description(c) for c in result.columns], result.rows)

    def is_refusal(self):
        return (self.kind == "error" and self.code in REFUSAL_CODES
                and (self.message or "").startswith("tessera:"))

    def describe(self, limit=20):
        if self.kind == "error":
            return "error %s: %s" % (self.code, self.message)
        if self.kind == "ok":
            return "OK, %s affected rows" % self.affected
        lines = ["%d rows, columns %s" % (len(self.rows), self.columns)]
        lines += ["  %s" % show_row(r) for r in self.rows[:limit]]
        if len(self.rows) > limit:
            lines.append("  ... %d more" % (len(self.rows) - limit))
        return "\n".join(lines)


def show_row(row):
    return "(" + ", ".join("NULL" if v is None else v.decode(errors="replace") if isinstance(v, bytes)
                           else repr(v) for v in row) + ")"


CURSOR_FETCH_ROWS = 7


class Session:
    """One client connection (to tessera or a server) that runs queries and
    keeps its prepared statements; it reconnects after losing the connection."""

    def __init__(self, host, port, user, password, database, timeout=60.0):
        self.args = (host, port, user, password, database)
        self.timeout = timeout
        self.conn = None
        self.statements = {}

    def connect(self):
        host, port, user, password, database = self.args
        conn = Client(host, port, self.timeout)
        try:
            conn.login(user, password, database)
        except Exception:
            conn.close()
            raise
        self.conn = conn
        self.statements = {}
        return self

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def run(self, sql, params=None, cursor=False):
        """The answer to sql (with params: prepared, executed in the binary
        protocol; with cursor, its rows fetched from a read-only cursor)."""
        if self.conn is None:
            try:
                self.connect()
            except (mysql_raw.ServerError, mysql_raw.ProtocolError, OSError) as e:
                return Answer("error", code=-1, message="cannot connect: %s: %s" % (type(e).__name__, e))
        try:
            if params is None:
                results = self.conn.query(sql)
                return Answer.of_result(results[0])
            stmt = self.statements.get(sql)
            if stmt is None:
                stmt = self.conn.stmt_prepare(sql)
                self.statements[sql] = stmt
            if not cursor:
                return Answer.of_result(self.conn.stmt_execute(stmt, params))
            result = self.conn.stmt_execute(stmt, params, cursor=mysql_raw.CURSOR_TYPE_READ_ONLY)
            if result.columns is not None and result.status & mysql_raw.SERVER_STATUS_CURSOR_EXISTS:
                status = 0
                while not status & mysql_raw.SERVER_STATUS_LAST_ROW_SENT:
                    rows, status = self.conn.stmt_fetch(stmt, CURSOR_FETCH_ROWS)
                    result.rows += rows
            return Answer.of_result(result)
        except mysql_raw.ServerError as e:
            return Answer("error", code=e.code, message=e.message)
        except (mysql_raw.ProtocolError, OSError, socket.timeout, IndexError, struct.error) as e:
            self.close()
            return Answer("error", code=-1, message="connection lost: %s: %s" % (type(e).__name__, e))


# ---------------------------------------------------------------------------
# Comparing answers

def fold_ci(value):
    """A string as utf8mb4_general_ci compares it (for the strings of the data
    set): accents removed, upper case, trailing spaces ignored."""
    s = value.decode() if isinstance(value, bytes) else value
    s = unicodedata.normalize("NFD", s.rstrip(" "))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.upper().replace("ß", "S")


class Query:
    """A generated statement.

    ordered: the ORDER BY fixes the order of the rows (they are compared in
    order); ci: output columns holding a representative of strings equal
    under the collation (GROUP BY, DISTINCT, MIN/MAX of a string), whose
    spelling either side may choose; writes: the logical table it changes;
    ref_sql: what the reference runs instead (for routing hints); cursor:
    the rows are fetched from a cursor (prepared statements)."""

    def __init__(self, family, sql, params=None, ordered=False, ci=(), writes=None, ref_sql=None,
                 cursor=False):
        self.family = family
        self.sql = sql
        self.ref_sql = ref_sql or sql
        self.cursor = cursor
        self.params = params
        self.ordered = ordered
        self.ci = frozenset(ci)
        self.writes = writes

    def text(self, limit=None):
        sql = self.sql
        if limit and len(sql) > limit:
            sql = "%s ... (%d characters)" % (sql[:limit], len(sql))
        if self.ref_sql != self.sql:
            sql += "  -- on the reference: " + self.ref_sql
        if self.params is None:
            return sql
        return "%s  -- prepared%s, params %r" % (sql, ", cursor" if self.cursor else "", tuple(self.params))


def normalized_rows(query, answer):
    if not query.ci:
        return answer.rows
    return [tuple(fold_ci(v) if i in query.ci and isinstance(v, (bytes, str)) else v
                  for i, v in enumerate(row)) for row in answer.rows]


def compare(query, ref, got):
    """None when got answers query as ref does, else a list of lines saying how not."""
    if ref.kind == "error" or got.kind == "error":
        if ref.kind == got.kind and ref.code == got.code:
            return None
        return ["reference: " + ref.describe(), "got: " + got.describe()]
    if ref.kind != got.kind:
        return ["reference: " + ref.describe(), "got: " + got.describe()]
    if ref.kind == "ok":
        if ref.affected != got.affected:
            return ["affected rows: reference %s, got %s" % (ref.affected, got.affected)]
        return None
    problems = []
    if ref.columns != got.columns:
        problems.append("columns (name, type, decimals): reference %s, got %s"
                        % (ref.columns, got.columns))
    want, have = normalized_rows(query, ref), normalized_rows(query, got)
    if query.ordered:
        if want != have:
            bad = [i for i in range(max(len(want), len(have)))
                   if i >= len(want) or i >= len(have) or want[i] != have[i]]
            problems.append("rows in order: reference %d, got %d; %d positions differ"
                            % (len(want), len(have), len(bad)))
            for i in bad[:5]:
                problems.append("  row %d: reference %s, got %s"
                                % (i, show_row(ref.rows[i]) if i < len(want) else "-",
                                   show_row(got.rows[i]) if i < len(have) else "-"))
    else:
        missing = collections.Counter(want) - collections.Counter(have)
        extra = collections.Counter(have) - collections.Counter(want)
        if missing or extra:
            problems.append("rows as a multiset: reference %d, got %d; %d missing, %d extra"
                            % (len(want), len(have), sum(missing.values()), sum(extra.values())))
            for row in list(missing)[:5]:
                problems.append("  missing x%d: %s" % (missing[row], show_row(row)))
            for row in list(extra)[:5]:
                problems.append("  extra x%d: %s" % (extra[row], show_row(row)))
    if problems:
        problems += ["reference: " + ref.describe(), "got: " + got.describe()]
        return problems
    return None


# ---------------------------------------------------------------------------
# Table contents after writes

def checksum_sql(table, physical):
    cols = ", ".join("QUOTE(%s)" % c for c in table.column_names)
    return ("SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', %s))), 0) FROM %s"
            % (cols, physical))


def all_rows_sql(table, physical):
    return "SELECT %s FROM %s" % (", ".join(table.column_names), physical)


class Contents:
    """Compares a logical table of the reference with its copy under test.

    places(table) gives (Session, physical name, shard or None) of every
    place the copy keeps rows; for a broadcast table each place is a whole
    copy, otherwise their union is the table."""

    def __init__(self, ref, places):
        self.ref = ref
        self.places = places

    def scalar_rows(self, session, sql):
        answer = session.run(sql)
        if answer.kind != "rows":
            raise RuntimeError("%s: %s" % (sql, answer.describe()))
        return answer.rows

    def checksum(self, session, table, physical):
        count, total = self.scalar_rows(session, checksum_sql(table, physical))[0]
        return int(count), int(total)

    def copies(self, table):
        places = self.places(table)
        if table.kind == "broadcast":
            return [[p] for p in places]
        return [places]

    def same(self, table):
        """True when the copy holds the reference's rows (checksums)."""
        want = self.checksum(self.ref, table, table.name)
        for copy in self.copies(table):
            sums = [self.checksum(s, table, phys) for s, phys, _ in copy]
            if (sum(c for c, _ in sums), sum(t for _, t in sums)) != want:
                return False
        return True

    def differences(self, table, limit=5):
        """Lines describing how the copy differs, row by row, and misplaced rows."""
        want = collections.Counter(self.scalar_rows(self.ref, all_rows_sql(table, table.name)))
        lines = []
        key_index = table.column_names.index(table.key) if table.sharded else None
        for copy in self.copies(table):
            have = collections.Counter()
            for session, phys, shard in copy:
                rows = self.scalar_rows(session, all_rows_sql(table, phys))
                have.update(rows)
                if shard is None:
                    continue
                for row in rows:
                    key = row[key_index].decode()
                    placed = table.shard_of(key)
                    if placed is not None and placed != shard:
                        lines.append("%s: row %s is in shard %d, its key belongs to shard %d"
                                     % (table.name, show_row(row), shard, placed))
            missing, extra = want - have, have - want
            where = ", ".join(sorted({"%s" % phys for _, phys, _ in copy}))
            if missing or extra:
                lines.append("%s (%s): %d rows missing, %d rows extra"
                             % (table.name, where, sum(missing.values()), sum(extra.values())))
                lines += ["  missing %s" % show_row(r) for r in list(missing)[:limit]]
                lines += ["  extra %s" % show_row(r) for r in list(extra)[:limit]]
        return lines

    def copy_to_reference(self, table):
        """Make the reference hold the copy's rows, so that one wrong write is
        reported once rather than by every later query."""
        places = self.copies(table)[0]
        rows = []
        for session, phys, _ in places:
            rows += self.scalar_rows(session, all_rows_sql(table, phys))
        self.ref.run("DELETE FROM %s" % table.name)
        for i in range(0, len(rows), 200):
            values = ", ".join("(" + ", ".join(
                "NULL" if v is None else sql_literal(v.decode()) for v in r) + ")"
                for r in rows[i:i + 200])
            answer = self.ref.run("INSERT IGNORE INTO %s (%s) VALUES %s"
                                  % (table.name, ", ".join(table.column_names), values))
            if answer.kind == "error":
                raise RuntimeError("resynchronising %s: %s" % (table.name, answer.describe()))


# ---------------------------------------------------------------------------
# Running the comparison

class Stats:
    def __init__(self):
        self.run = 0
        self.slowest = []
        self.compared = 0
        self.refused = 0
        self.wrong = 0
        self.reference_errors = []
        self.refusals = collections.Counter()
        self.refusal_example = {}
        self.families = collections.Counter()
        self.wrong_reports = []
        self.content_reports = []

    def line(self):
        return "compared %d, refused %d, wrong %d" % (self.compared, self.refused, self.wrong)


def run_queries(queries, ref, subject, contents, stats, log, sharded=True):
    """Run each query on the reference and the subject and compare; writes
    are compared by affected rows and then by the written table's contents.
    A subject that is not sharded runs the reference's SQL (no routing hints)."""
    for q in queries:
        stats.run += 1
        started = time.monotonic()
        got = subject.run(q.sql if sharded else q.ref_sql, q.params, q.cursor)
        stats.slowest = sorted(stats.slowest + [(time.monotonic() - started, q.text(300))], reverse=True)[:5]
        if got.is_refusal():
            stats.refused += 1
            stats.refusals[got.message] += 1
            stats.refusal_example.setdefault(got.message, q.text())
            if q.writes and not contents.same(TABLES[q.writes]):
                stats.wrong += 1
                report = ["refused, yet %s changed:" % q.writes] + contents.differences(TABLES[q.writes])
                stats.wrong_reports.append((q, report))
                contents.copy_to_reference(TABLES[q.writes])
            continue
        want = ref.run(q.ref_sql, q.params, q.cursor)
        if want.kind == "error":
            stats.reference_errors.append((q, want))
        stats.compared += 1
        stats.families[q.family] += 1
        problems = compare(q, want, got)
        if q.writes and not contents.same(TABLES[q.writes]):
            problems = (problems or []) + ["after the write, %s differs:" % q.writes] + \
                contents.differences(TABLES[q.writes])
            contents.copy_to_reference(TABLES[q.writes])
        if problems:
            stats.wrong += 1
            stats.wrong_reports.append((q, problems))
            if got.code == -1:
                log("connection lost on: %s" % q.text())


def report(stats, log, full=5, listed=40):
    """The summary and the first wrong answers in full, then the refusals by reason."""
    for i, (q, problems) in enumerate(stats.wrong_reports[:listed]):
        log("WRONG %d: %s" % (i + 1, q.text(1000)))
        for line in (problems if i < full else problems[:3]):
            log("    " + line)
    if len(stats.wrong_reports) > listed:
        log("... and %d more wrong answers" % (len(stats.wrong_reports) - listed))
    for message, n in stats.refusals.most_common(15):
        log("REFUSED x%d: %s\n    e.g. %s" % (n, message, stats.refusal_example[message][:1000]))
    for q, answer in stats.reference_errors[:10]:
        log("REFERENCE ERROR: %s -> %s" % (q.text(1000), answer.describe()))
    log("slowest answers: " + "; ".join("%.2f s %s" % t for t in stats.slowest))
    log("compared by family: " + ", ".join("%s %d" % kv for kv in sorted(stats.families.items())))
    wrong = collections.Counter(q.family for q, _ in stats.wrong_reports)
    if wrong:
        log("wrong by family: " + ", ".join("%s %d" % kv for kv in sorted(wrong.items())))
    log(stats.line())
