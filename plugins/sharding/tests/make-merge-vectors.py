#!/usr/bin/python3
"""Captures MariaDB's own answers for the merger's differential test.

It loads a table holding every type the merger compares (NULLs, duplicates,
mixed case and trailing spaces, negative decimals, fractional times, TIME
beyond 24 hours), splits it into three "shards" (databases tsr_s0..2, row id
modulo 3), runs each case's rewritten shard query on every shard and the
original query on the whole table (database tsr_whole), in the text protocol
(COM_QUERY) and the binary protocol (COM_STMT_PREPARE + COM_STMT_EXECUTE),
and writes the raw packets with the merge spec into test-merge-vectors-cases-*.c
(the array of cases in test-merge-vectors-data.c, the DECIMAL divisions in
test-merge-vectors-divisions.c).
The C test (test-merge-vectors.c) merges the shard rows and must produce
MariaDB's answer: in order where ORDER BY fixes it, as a multiset otherwise.

It also writes ../value-collation-table.c (utf8mb4_general_ci and
latin1_swedish_ci weights, from WEIGHT_STRING) and known answers for
DECIMAL division (AVG's rounding) and for floating point text.

Recipe (as root; a throwaway server on loopback; needs python3-pymysql):
  mariadb-install-db --no-defaults --datadir=/tmp/mx --user=root
  mariadbd --no-defaults --datadir=/tmp/mx --port=3498 --bind-address=127.0.0.1 \\
      --socket=/tmp/mx/s.sock --user=root &
  /usr/bin/python3 plugins/sharding/tests/make-merge-vectors.py /tmp/mx/s.sock
  mariadb-admin -uroot -S /tmp/mx/s.sock shutdown
The output is deterministic for a given server version (10.11 here).
"""
import base64
import os
import random
import socket
import struct
import sys

import pymysql
from pymysql.constants import COMMAND

HERE = os.path.dirname(os.path.abspath(__file__))
N_SHARDS = 3

# ---------------------------------------------------------------- the data

SCHEMA = """CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY,
  g INT NULL,
  ti TINYINT,
  i INT,
  u BIGINT UNSIGNED,
  b BIGINT,
  d DECIMAL(20,6),
  d1 DECIMAL(8,1),
  d5 DECIMAL(12,5),
  d0 DECIMAL(30,0),
  f FLOAT,
  db DOUBLE,
  dd DOUBLE(12,3),
  dx DOUBLE,
  dt DATE,
  dtm DATETIME(6),
  ts TIMESTAMP(3) NULL DEFAULT NULL,
  tm TIME(3),
  y YEAR,
  s VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
  sb VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  vb VARBINARY(32),
  bl BLOB,
  bt BIT(8),
  e ENUM('x','y','z')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""

FORMAT_SCHEMA = "CREATE TABLE tf (id INT NOT NULL PRIMARY KEY, d DOUBLE, f FLOAT, d2 DOUBLE(12,3), f2 FLOAT(9,2))"

STRINGS = ['apple', 'Apple', 'APPLE ', 'apple  ', 'banana', 'Banana', 'b', 'B ', '\u00e9clair', 'Eclair',
           '\u00df', 's', 'stra\u00dfe', 'z', 'Z', '', ' ', 'a\t', 'a', '\U0001F600', '\U0001F601', '\u01c5',
           '\u00c5ngstr\u00f6m', 'zebra', None, None]
BYTES = [b'', b'\x00', b'\x00\x00', b'a', b'a ', b'A', b'\xff', b'\xfe\xff', b'abc', None]
TIMES = ['-838:59:59.000', '-00:00:00.500', '-01:00:00', '00:00:00', '23:59:59.999', '24:00:00',
         '100:00:00.250', '838:59:59', '00:00:01.001', None]
DATES = ['0000-00-00', '1000-01-01', '1969-12-31', '2024-02-29', '2024-03-01', '9999-12-31', None]
DATETIMES = ['1000-01-01 00:00:00', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123455',
             '2024-01-02 03:04:05', '2024-01-02 03:04:05.5', '9999-12-31 23:59:59.999999', None]
TIMESTAMPS = ['1970-01-01 00:00:01', '2000-01-01 00:00:00.001', '2000-01-01 00:00:00',
              '2038-01-19 03:14:07.999', None]
EXOTIC = [0.0, -0.0, 1e15, 1e14, 1e16, 1.5e-5, 1e-15, 1e-16, 0.1, 0.30000000000000004, 123456789012345.67,
          -2.5e30, 1e-300, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 9007199254740993.0,
          1 / 3, -1 / 7, 100 / 7, 1234567.8901234567, None]


def table_rows(n=36):
    rnd = random.Random(20240611)
    rows = []
    for rid in range(1, n + 1):
        pick = rnd.choice
        rows.append((
            rid,
            pick([None, 1, 2, 3, 4, 5, 5, 2]),
            pick([-128, -1, 0, 1, 127, 5, None]),
            pick([-2147483648, 2147483647, -7, 0, 7, 42, 42, None]) if rid % 5 else rnd.randint(-1000, 1000),
            pick([0, 1, 2**64 - 1, 2**63, 2**63 - 1, 12345, None]),
            pick([-2**63, -1, 0, 2**63 - 1, 99, None]) if rid % 4 else rnd.randint(-10**15, 10**15),
            pick([None, '0', '-0.000001', '99999999999999.999999', '-99999999999999.999999']) if rid % 3 == 0
            else '%.6f' % (rnd.randint(-10**9, 10**9) / 10**6),
            pick([None, '-0.5', '0.5', '1.5']) if rid % 6 == 0 else '%.1f' % (rnd.randint(-999, 999) / 10),
            '%.5f' % (rnd.randint(-10**6, 10**6) / 10**5) if rid % 7 else None,
            pick(['-999999999999999999999999999999', '999999999999999999999999999999', '0', None,
                  str(rnd.randint(-10**29, 10**29))]),
            pick([None, 0.0, -0.25, 1.5, 2.75]) if rid % 4 == 0 else rnd.randint(-400, 400) / 4,
            rnd.randint(-2**20, 2**20) / 8 if rid % 9 else None,
            rnd.randint(-10**6, 10**6) / 8 if rid % 10 else None,
            EXOTIC[rid % len(EXOTIC)],
            pick(DATES), pick(DATETIMES), pick(TIMESTAMPS), pick(TIMES),
            pick([1901, 2155, 0, 2024, 1999, None]),
            pick(STRINGS), pick(STRINGS), pick(BYTES), pick(BYTES),
            pick([0, 1, 127, 128, 255, None]),
            pick(['x', 'y', 'z', None]),
        ))
    return rows


def format_rows():
    rnd = random.Random(7)
    vals = [0.5, 1e15, 1e14, 1e16, 1e-14, 1e-15, 1e-16, 0.1, 0.30000000000000004, 1 / 3, 2 / 3, 123456789.0,
            1e20, 1.2345678901234567e-10, 0.00012345678901234567, 9007199254740993.0, -1.25e-7,
            3.4e38, 1.17549435e-38, 16777217.0, 123456.7, 1234567.8, 0.000123456789, -0.001, 0.0045, 2.675]
    for _ in range(70):
        vals.append(rnd.choice([1, -1]) * rnd.uniform(0, 10) * 10 ** rnd.randint(-30, 30))
    return [(k + 1, v, v if abs(v) < 3e38 else 1.0, v if abs(v) < 1e8 else 0.125, v if abs(v) < 1e6 else 0.5)
            for k, v in enumerate(vals)]

# ---------------------------------------------------------------- the cases


class Case:
    """One statement: the original query, the shards' rewritten query and the spec."""

    def __init__(self, name, whole, shard, spec, ordered, table='t'):
        self.name, self.whole, self.shard, self.spec, self.ordered, self.table = \
            name, whole, shard, spec, ordered, table


def spec(shard_columns, output_columns, outputs=(), aggregate=False, group_by=(), order_by=(), shards_sorted=True,
         distinct=False, offset=0, limit=None, having=None, n_outputs=0):
    return dict(shard_columns=shard_columns, output_columns=output_columns, outputs=list(outputs),
                aggregate=aggregate, group_by=list(group_by), order_by=list(order_by), shards_sorted=shards_sorted,
                distinct=distinct, offset=offset, limit=limit, having=having, n_outputs=n_outputs)


def select_case(name, cols, order=(), hidden=(), where='', limit=None, offset=0, distinct=False, sorted_=True,
                table='t'):
    """A query without aggregates; order: [(expr, desc)], hidden: ORDER BY expressions not selected."""
    allc = list(cols) + list(hidden)
    w = ' WHERE ' + where if where else ''
    dist = 'DISTINCT ' if distinct else ''
    ob = ', '.join('%s%s' % (e, ' DESC' if desc else '') for e, desc in order)
    whole = 'SELECT %s%s FROM %s%s%s' % (dist, ', '.join(cols), table, w, ' ORDER BY ' + ob if ob else '')
    shard = 'SELECT %s%s FROM %s%s%s' % (dist, ', '.join(allc), table, w,
                                        ' ORDER BY ' + ob if ob and sorted_ else '')
    if limit is not None:
        whole += ' LIMIT %d, %d' % (offset, limit)
        if sorted_:
            shard += ' LIMIT %d' % (offset + limit)
    keys = [(0 if allc == ['*'] else allc.index(e), desc) for e, desc in order]  # '*': order by id only
    return Case(name, whole, shard, spec(len(allc), len(cols), order_by=keys, shards_sorted=sorted_,
                                         distinct=distinct, offset=offset, limit=limit), bool(order), table)


def agg_name(func, expr):
    return {'NONE': expr, 'COUNT': 'COUNT(%s)', 'SUM': 'SUM(%s)', 'MIN': 'MIN(%s)', 'MAX': 'MAX(%s)',
            'AVG': 'AVG(%s)', 'COUNT_DISTINCT': 'COUNT(DISTINCT %s)'}[func].replace('%s', expr)


def agg_case(name, items, group=(), where='', having=None, order=None, limit=None, offset=0, sorted_=True,
             type_column=True, hidden=()):
    """An aggregate query. items/hidden: [(func, expr)]; having: (op, item index, literal);
    order: [(item index or ('group', j), desc)]; MariaDB sorts GROUP BY results by the keys."""
    allitems = list(items) + list(hidden)
    shard_sel, outputs = [], []
    for i, (f, e) in enumerate(allitems):
        n = agg_name(f, e)
        shard_sel.append({'AVG': 'SUM(%s) AS `%s`' % (e, n), 'COUNT_DISTINCT': '%s AS `%s`' % (e, n)}.get(f, n))
        outputs.append([f, i, 0, None])
    group_pos = []
    for e in group:
        idx = next((i for i, (f, x) in enumerate(allitems) if f == 'NONE' and x == e), None)
        if idx is None:
            idx = len(shard_sel)
            shard_sel.append(e)
        group_pos.append(idx)
    for o, (f, e) in zip(outputs, allitems):
        if f == 'AVG':
            o[2] = len(shard_sel)
            shard_sel.append('COUNT(%s) AS `_count%d`' % (e, len(shard_sel)))
            if type_column:
                o[3] = len(shard_sel)
                shard_sel.append('AVG(%s) AS `_type%d`' % (e, len(shard_sel)))
    distinct_exprs = [e for f, e in allitems if f == 'COUNT_DISTINCT']
    w = ' WHERE ' + where if where else ''
    whole = 'SELECT %s FROM t%s' % (', '.join(agg_name(f, e) for f, e in items), w)
    if group:
        whole += ' GROUP BY ' + ', '.join(group)
    if having:
        op, idx, lit = having
        whole += ' HAVING %s %s %s' % (agg_name(*allitems[idx]), op, lit)
    order = order or []

    def key_pos(k):
        return group_pos[k[1]] if isinstance(k, tuple) else k

    def key_sql(k):
        return group[k[1]] if isinstance(k, tuple) else agg_name(*allitems[k])
    if order:
        whole += ' ORDER BY ' + ', '.join(key_sql(k) + (' DESC' if desc else '') for k, desc in order)
    if limit is not None:
        whole += ' LIMIT %d, %d' % (offset, limit)
    shard = 'SELECT %s FROM t%s' % (', '.join(shard_sel), w)
    shard_group = list(group) + distinct_exprs
    if shard_group:
        shard += ' GROUP BY ' + ', '.join(shard_group)
    if sorted_ and group:
        pushed = []
        for k, desc in order:
            pos = key_pos(k)
            if pos not in group_pos:
                break
            pushed.append((group[group_pos.index(pos)], desc))
        rest = [(e, False) for e in group if e not in [p for p, _ in pushed]]
        shard += ' ORDER BY ' + ', '.join(e + (' DESC' if d else '') for e, d in pushed + rest)
    sp = spec(len(shard_sel), len(items), outputs=outputs, aggregate=True, group_by=group_pos,
              order_by=[(key_pos(k), desc) for k, desc in order], shards_sorted=sorted_, offset=offset,
              limit=limit, having=having, n_outputs=len(allitems))
    ordered = bool(order) or (bool(group) and sorted_)
    return Case(name, whole, shard, sp, ordered)


def cases():
    out = []
    typed = ['ti', 'i', 'u', 'b', 'd', 'd0', 'f', 'db', 'dx', 'dt', 'dtm', 'ts', 'tm', 'y', 's', 'sb', 'vb', 'bl',
             'bt']
    out.append(select_case('select-all-by-id', ['*'], order=[('id', False)]))
    out.append(select_case('formats-by-id', ['*'], order=[('id', False)], table='tf'))
    out.append(select_case('concat-3-columns', ['id', 's', 'd']))
    for c in typed:
        out.append(select_case('order-%s-asc' % c, ['id', c], order=[(c, False), ('id', False)]))
        out.append(select_case('order-%s-desc' % c, ['id', c], order=[(c, True), ('id', True)]))
    out.append(select_case('order-multi-hidden', ['id', 's'], order=[('g', False), ('s', True), ('id', False)],
                           hidden=['g']))
    out.append(select_case('order-unsorted-shards', ['id', 'tm', 'dtm'],
                           order=[('tm', True), ('dtm', False), ('id', False)], sorted_=False))
    out.append(select_case('limit-offset', ['id', 'i'], order=[('i', True), ('id', False)], limit=7, offset=5))
    out.append(select_case('limit-hidden', ['id'], order=[('d', False), ('id', False)], hidden=['d'], limit=10))
    out.append(select_case('limit-zero', ['id'], order=[('id', False)], limit=0))
    out.append(select_case('limit-unsorted', ['id', 'b'], order=[('b', False), ('id', False)], limit=6, offset=2,
                           sorted_=False))
    out.append(select_case('distinct-s-sorted', ['s'], order=[('s', False)], distinct=True))
    out.append(select_case('distinct-sb-sorted', ['sb'], order=[('sb', True)], distinct=True))
    out.append(select_case('distinct-g-y-hash', ['g', 'y'], distinct=True))
    out.append(select_case('distinct-d-desc', ['d'], order=[('d', True)], distinct=True))
    out.append(select_case('distinct-limit', ['g'], order=[('g', False)], distinct=True, limit=3))
    out.append(select_case('distinct-vb-e-hash', ['vb', 'e'], distinct=True))
    out.append(select_case('distinct-tm-unsorted', ['tm'], order=[('tm', False)], distinct=True, sorted_=False))
    # aggregates over the whole table
    for c in ['ti', 'i', 'u', 'b', 'd', 'd1', 'd5', 'd0', 'y', 'bt']:
        items = [('COUNT', '*'), ('COUNT', c), ('SUM', c), ('MIN', c), ('MAX', c), ('AVG', c)]
        out.append(agg_case('agg-%s' % c, items))
        out.append(agg_case('agg-%s-derived-avg' % c, items, type_column=False))
    for c in ['f', 'db', 'dd']:
        out.append(agg_case('agg-%s' % c, [('COUNT', c), ('SUM', c), ('MIN', c), ('MAX', c), ('AVG', c)]))
    for c in ['dx', 'dt', 'dtm', 'ts', 'tm', 's', 'sb', 'vb', 'bl']:
        out.append(agg_case('agg-minmax-%s' % c, [('COUNT', c), ('MIN', c), ('MAX', c)]))
    out.append(agg_case('agg-empty', [('COUNT', '*'), ('SUM', 'i'), ('MIN', 's'), ('MAX', 'dtm'), ('AVG', 'd')],
                        where='id < 0'))
    out.append(agg_case('agg-one-shard', [('COUNT', '*'), ('SUM', 'd'), ('AVG', 'i'), ('MAX', 's')],
                        where='id % 3 = 1'))
    # GROUP BY
    items = [('NONE', 'g'), ('COUNT', '*'), ('SUM', 'd'), ('MIN', 's'), ('MAX', 'dtm'), ('AVG', 'i'), ('AVG', 'd5')]
    out.append(agg_case('group-g-stream', items, group=['g']))
    out.append(agg_case('group-g-hash', items, group=['g'], sorted_=False))
    out.append(agg_case('group-g-derived-avg', [('NONE', 'g'), ('AVG', 'i'), ('AVG', 'd5')], group=['g'],
                        type_column=False))
    out.append(agg_case('group-s-ci', [('NONE', 's'), ('COUNT', '*'), ('MIN', 'id'), ('SUM', 'f')], group=['s']))
    out.append(agg_case('group-sb-pad', [('NONE', 'sb'), ('COUNT', '*'), ('MAX', 'id')], group=['sb']))
    out.append(agg_case('group-vb-binary', [('NONE', 'vb'), ('COUNT', '*')], group=['vb']))
    out.append(agg_case('group-tm', [('NONE', 'tm'), ('COUNT', '*'), ('AVG', 'dd')], group=['tm']))
    out.append(agg_case('group-d1', [('NONE', 'd1'), ('COUNT', '*'), ('SUM', 'b')], group=['d1']))
    out.append(agg_case('group-two-keys', [('NONE', 'g'), ('NONE', 'y'), ('COUNT', '*'), ('SUM', 'u')],
                        group=['g', 'y']))
    out.append(agg_case('group-hidden-key', [('COUNT', '*'), ('MAX', 'b')], group=['g']))
    out.append(agg_case('group-order-desc', [('NONE', 'g'), ('COUNT', '*')], group=['g'],
                        order=[(0, True)]))
    out.append(agg_case('group-order-by-count', [('NONE', 'g'), ('COUNT', '*'), ('SUM', 'i')], group=['g'],
                        order=[(1, True), (0, False)]))
    out.append(agg_case('group-order-by-avg', [('NONE', 'y'), ('AVG', 'd')], group=['y'], order=[(1, False), (0, False)]))
    out.append(agg_case('group-limit', [('NONE', 'g'), ('COUNT', '*')], group=['g'], order=[(0, False)], limit=2,
                        offset=1))
    out.append(agg_case('group-order-count-limit', [('NONE', 's'), ('COUNT', '*')], group=['s'],
                        order=[(1, True), (0, False)], limit=4))
    out.append(agg_case('having-sum', [('NONE', 'g'), ('COUNT', '*'), ('SUM', 'i')], group=['g'],
                        having=('>', 2, '0')))
    out.append(agg_case('having-hidden-count', [('NONE', 'g')], group=['g'], hidden=[('COUNT', '*')],
                        having=('>', 1, '8')))
    out.append(agg_case('having-avg-hash', [('NONE', 'y'), ('AVG', 'i')], group=['y'], having=('<', 1, '10'),
                        sorted_=False))
    # COUNT(DISTINCT)
    for c in ['s', 'sb', 'vb', 'd', 'dtm', 'tm', 'e', 'i']:
        out.append(agg_case('count-distinct-%s' % c, [('COUNT_DISTINCT', c)]))
    out.append(agg_case('count-distinct-grouped', [('NONE', 'g'), ('COUNT_DISTINCT', 'i'), ('SUM', 'i'),
                                                   ('COUNT', '*')], group=['g']))
    out.append(agg_case('count-distinct-two', [('NONE', 'y'), ('COUNT_DISTINCT', 's'), ('COUNT_DISTINCT', 'g'),
                                               ('MAX', 'd')], group=['y']))
    out.append(agg_case('count-distinct-hash', [('NONE', 'g'), ('COUNT_DISTINCT', 's')], group=['g'],
                        sorted_=False))
    return out

# ---------------------------------------------------------------- capture


def connect(sock, db=None):
    return pymysql.connect(unix_socket=sock, user='root', charset='utf8mb4', database=db, autocommit=True)


def read_payload(conn):
    return conn._read_packet().get_all_data()


def read_resultset(conn, first):
    """Column definitions and row payloads after the column count packet `first`."""
    n = first[0]
    assert n < 251, 'too many columns'
    cols = [read_payload(conn) for _ in range(n)]
    eof = read_payload(conn)
    assert eof[0] == 0xFE, 'expected EOF after columns'
    rows = []
    while True:
        p = read_payload(conn)
        if p[0] == 0xFE and len(p) < 9:
            return cols, rows
        rows.append(p)


def text_query(conn, sql):
    conn._execute_command(COMMAND.COM_QUERY, sql)
    return read_resultset(conn, read_payload(conn))


def binary_query(conn, sql):
    conn._execute_command(COMMAND.COM_STMT_PREPARE, sql)
    ok = read_payload(conn)
    stmt_id, ncols, nparams = struct.unpack('<IHH', ok[1:9])
    for _ in range(nparams + (1 if nparams else 0) + ncols + (1 if ncols else 0)):
        read_payload(conn)
    conn._execute_command(COMMAND.COM_STMT_EXECUTE, struct.pack('<IBI', stmt_id, 0, 1))
    result = read_resultset(conn, read_payload(conn))
    conn._execute_command(COMMAND.COM_STMT_CLOSE, struct.pack('<I', stmt_id))
    return result


def load(sock):
    conn = connect(sock)
    cur = conn.cursor()
    cur.execute("SET time_zone = '+00:00'")
    cur.execute("DROP USER IF EXISTS ''@'localhost'")
    cur.execute("DROP USER IF EXISTS ''@'%s'" % socket.gethostname())
    data, fdata = table_rows(), format_rows()
    for db in ['tsr_whole'] + ['tsr_s%d' % s for s in range(N_SHARDS)]:
        cur.execute('DROP DATABASE IF EXISTS ' + db)
        cur.execute('CREATE DATABASE %s CHARACTER SET utf8mb4' % db)
        cur.execute('USE ' + db)
        cur.execute(SCHEMA)
        cur.execute(FORMAT_SCHEMA)
        shard = None if db == 'tsr_whole' else int(db[-1])
        rows = [r for r in data if shard is None or r[0] % N_SHARDS == shard]
        frows = [r for r in fdata if shard is None or r[0] % N_SHARDS == shard]
        cur.executemany('INSERT INTO t VALUES (%s)' % ', '.join(['%s'] * len(data[0])), rows)
        cur.executemany('INSERT INTO tf VALUES (%s, %s, %s, %s, %s)', frows)
    conn.close()


def capture(sock, case):
    """Text and binary results of the shard query on every shard and of the query on the whole table."""
    out = {}
    for db in ['tsr_whole'] + ['tsr_s%d' % s for s in range(N_SHARDS)]:
        conn = connect(sock, db)
        conn.cursor().execute("SET time_zone = '+00:00'")
        sql = case.whole if db == 'tsr_whole' else case.shard
        out[db] = (text_query(conn, sql), binary_query(conn, sql))
        conn.close()
    if case.spec['shard_columns'] == 1 and case.shard.startswith('SELECT *'):
        case.spec['shard_columns'] = case.spec['output_columns'] = len(out['tsr_s0'][0][0])
    return out

# ---------------------------------------------------------------- known answers


def division_answers(sock):
    """(sum text, count, decimals of AVG, MariaDB's quotient) for DECIMAL sums of every scale 0..30."""
    rnd = random.Random(11)
    conn = connect(sock)
    cur = conn.cursor()
    answers = []
    for k in range(240):
        scale = k % 31
        mag = ''.join(rnd.choice('0123456789') for _ in range(rnd.randint(1, 30))).lstrip('0')
        mag = mag.rjust(scale + 1, '0')
        text = mag[:-scale] + '.' + mag[-scale:] if scale else mag
        if rnd.random() < 0.4:
            text = '-' + text
        count = rnd.choice([1, 2, 3, 6, 7, 9, 11, 30000, 123456789, 10**12 + 39])
        cur.execute("SELECT CAST(CAST('%s' AS DECIMAL(65,%d)) / %d AS CHAR)" % (text, scale, count))
        answers.append((text, count, min(scale + 4, 38), cur.fetchone()[0]))
    conn.close()
    return answers


def collation_table(sock):
    conn = connect(sock, 'tsr_whole')
    cur = conn.cursor()
    cur.execute("SELECT seq, HEX(WEIGHT_STRING(CONVERT(CHAR(seq USING utf32) USING utf8mb4) "
                "COLLATE utf8mb4_general_ci)) FROM seq_0_to_65535 WHERE seq < 0xD800 OR seq > 0xDFFF")
    weights = {cp: int(w, 16) for cp, w in cur.fetchall()}
    cur.execute("SELECT seq, HEX(WEIGHT_STRING(CONVERT(UNHEX(LPAD(HEX(seq), 2, '0')) USING latin1) "
                "COLLATE latin1_swedish_ci)) FROM seq_0_to_255")
    latin1 = [int(w, 16) for _, w in sorted(cur.fetchall())]
    conn.close()
    pages = sorted({cp >> 8 for cp, w in weights.items() if w != cp})
    out = ['/* value-collation-table.c: GENERATED by plugins/sharding/tests/make-merge-vectors.py',
           ' * from MariaDB (WEIGHT_STRING of every character under utf8mb4_general_ci,',
           ' * of every byte under latin1_swedish_ci). Do not edit. */',
           '#include "value-collation.h"', '']
    for p in pages:
        out.append('static const guint16 page_%02x[256] = {' % p)
        row = [weights.get((p << 8) | i, (p << 8) | i) for i in range(256)]
        for i in range(0, 256, 12):
            out.append('  ' + ' '.join('0x%04x,' % w for w in row[i:i + 12]))
        out.append('};')
    out += ['', 'const guint16 *const tsr_general_ci_pages[256] = {']
    out += ['  [0x%02x] = page_%02x,' % (p, p) for p in pages]
    out += ['};', '', 'const guint8 tsr_latin1_ci_weights[256] = {']
    out += ['  ' + ' '.join('0x%02x,' % w for w in latin1[i:i + 16]) for i in range(0, 256, 16)]
    out.append('};')
    return '\n'.join(out) + '\n'

# ---------------------------------------------------------------- C output


def c_bytes(b):
    """A C string literal for bytes (3-digit octal escapes, so no escape runs into the next character)."""
    parts, line = [], ''
    for ch in b:
        line += chr(ch) if 32 <= ch < 127 and chr(ch) not in '"\\?' else '\\%03o' % ch
        if len(line) > 100:
            parts.append('"%s"' % line)
            line = ''
    parts.append('"%s"' % line)
    return '\n    '.join(parts)


def c_packets(packets):
    """A packet list: the count and, in base64, 2-byte little-endian lengths each followed by its payload."""
    blob = base64.b64encode(b''.join(struct.pack('<H', len(p)) + p for p in packets)).decode()
    lines = ['"%s"' % blob[i:i + 100] for i in range(0, len(blob), 100)] or ['""']
    return '{ %d, %s }' % (len(packets), '\n    '.join(lines))


FUNCS = {'NONE': 'TSR_AGG_NONE', 'COUNT': 'TSR_AGG_COUNT', 'SUM': 'TSR_AGG_SUM', 'MIN': 'TSR_AGG_MIN',
         'MAX': 'TSR_AGG_MAX', 'AVG': 'TSR_AGG_AVG', 'COUNT_DISTINCT': 'TSR_AGG_COUNT_DISTINCT'}


def c_case(k, case, got, lines):
    sp = case.spec
    p = 'case%d' % k
    outputs = 'NULL'
    if sp['outputs']:
        lines.append('static TsrOutputColumn %s_outputs[] = {' % p)
        for f, col, cnt, typ in sp['outputs']:
            lines.append('  { %s, %d, %d, %s, %d },' % (FUNCS[f], col, cnt, 'TRUE' if typ is not None else 'FALSE',
                                                      typ or 0))
        lines.append('};')
        outputs = p + '_outputs'
    group = 'NULL'
    if sp['group_by']:
        lines.append('static guint %s_group[] = { %s };' % (p, ', '.join(map(str, sp['group_by']))))
        group = p + '_group'
    order = 'NULL'
    if sp['order_by']:
        lines.append('static TsrSortKey %s_order[] = { %s };' % (
            p, ', '.join('{ %d, %s, TSR_COLLATE_AUTO }' % (c, 'TRUE' if d else 'FALSE') for c, d in sp['order_by'])))
        order = p + '_order'
    results = []
    for db in ['tsr_s%d' % s for s in range(N_SHARDS)] + ['tsr_whole']:
        for proto, (cols, rows) in zip(('text', 'binary'), got[db]):
            results.append('{ %s,\n    %s }' % (c_packets(cols), c_packets(rows)))
    having = sp['having']
    lines.append('const TsrVecCase tsr_vec_%s = {' % p)
    lines.append('  %s,' % c_bytes(case.name.encode()))
    lines.append('  %s,' % c_bytes(case.whole.encode()))
    lines.append('  %s,' % c_bytes(case.shard.encode()))
    lines.append('  { %d, %d, %s, %s, %s, %d, %s, %d, %s, %s, %d, %s, NULL, %d },' % (
        sp['shard_columns'], sp['output_columns'], outputs, 'TRUE' if sp['aggregate'] else 'FALSE', group,
        len(sp['group_by']), order, len(sp['order_by']), 'TRUE' if sp['shards_sorted'] else 'FALSE',
        'TRUE' if sp['distinct'] else 'FALSE', sp['offset'],
        'TSR_MERGE_NO_LIMIT' if sp['limit'] is None else 'G_GUINT64_CONSTANT(%d)' % sp['limit'], sp['n_outputs']))
    lines.append('  %s, %d, %s,' % (c_bytes((having[0] if having else '').encode()), having[1] if having else 0,
                                    c_bytes((having[2] if having else '').encode())))
    lines.append('  %s,' % ('TRUE' if case.ordered else 'FALSE'))
    lines.append('  { %s },' % ',\n    '.join(results))
    lines.append('};')


PART_LINES = 1400  # a cases file holds cases up to about this many lines


def generated_header(name, what):
    return ['/* %s: GENERATED by make-merge-vectors.py from MariaDB %s: %s.' % (name, SERVER_VERSION, what),
            ' * Do not edit; rerun the script (see its header). */',
            '#include "test-merge-vectors.h"', '']


def write_c(out_dir, name, lines):
    with open(os.path.join(out_dir, name), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def write_files(out_dir, blocks, division_lines):
    """Writes the cases (blocks: the C lines of each case, case k defining
    tsr_vec_case<k>) into test-merge-vectors-cases-<n>.c files of about
    PART_LINES lines, the divisions into test-merge-vectors-divisions.c, and
    the array of cases into test-merge-vectors-data.c."""
    parts, part = [], []
    for block in blocks:
        if part and sum(len(b) + 1 for b in part) + len(block) > PART_LINES:
            parts.append(part)
            part = []
        part.append(block)
    if part:
        parts.append(part)
    first = 0
    for n, part in enumerate(parts, 1):
        name = 'test-merge-vectors-cases-%d.c' % n
        lines = generated_header(name, 'cases %d to %d' % (first, first + len(part) - 1))
        for block in part:
            lines += block + ['']
        write_c(out_dir, name, lines[:-1])
        first += len(part)
    lines = generated_header('test-merge-vectors-divisions.c', 'DECIMAL divisions')
    lines.append('const TsrVecDivision tsr_vec_divisions[] = {')
    lines += division_lines
    lines += ['};', 'const guint tsr_vec_n_divisions = %d;' % len(division_lines)]
    write_c(out_dir, 'test-merge-vectors-divisions.c', lines)
    lines = generated_header('test-merge-vectors-data.c', 'the cases of test-merge-vectors-cases-*.c')
    lines += ['extern const TsrVecCase tsr_vec_case%d;' % k for k in range(len(blocks))]
    lines += ['', 'const TsrVecCase *const tsr_vec_cases[] = {']
    lines += ['  &tsr_vec_case%d,' % k for k in range(len(blocks))]
    lines += ['};', 'const guint tsr_vec_n_cases = %d;' % len(blocks)]
    write_c(out_dir, 'test-merge-vectors-data.c', lines)
    return len(parts)


def write_vectors(out_dir, got_cases, divisions):
    blocks = []
    for k, (case, got) in enumerate(got_cases):
        block = []
        c_case(k, case, got, block)
        blocks.append(block)
    division_lines = ['  { "%s", G_GUINT64_CONSTANT(%d), %d, "%s" },' % (text, count, dec, q)
                      for text, count, dec, q in divisions]
    return write_files(out_dir, blocks, division_lines)


SERVER_VERSION = '?'


def main():
    global SERVER_VERSION
    sock = sys.argv[1] if len(sys.argv) > 1 else '/tmp/mx/s.sock'
    conn = connect(sock)
    SERVER_VERSION = conn.get_server_info()
    conn.close()
    load(sock)
    got = []
    for case in cases():
        try:
            got.append((case, capture(sock, case)))
        except Exception as e:
            sys.exit('case %s: %s\n  whole: %s\n  shard: %s' % (case.name, e, case.whole, case.shard))
    parts = write_vectors(HERE, got, division_answers(sock))
    table = collation_table(sock)
    with open(os.path.join(HERE, '..', 'value-collation-table.c'), 'w') as f:
        f.write(table)
    print('%d cases written in %d files (update meson.build\'s list when that changes)' % (len(got), parts))


if __name__ == '__main__':
    main()
