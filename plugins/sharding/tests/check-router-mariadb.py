#!/usr/bin/python3
"""check-router-mariadb.py: checks the router's plans against a real MariaDB.

Starts a throwaway mariadbd, creates two databases on it:
  ref   the logical tables of examples/sharding/shop.lua, whole;
  shop  the same tables as the router lays them out: CREATE TABLE statements
        routed by the router (so orders_0 .. orders_7, events_202401 ..),
        filled by routing multi-row INSERTs of the same data set.
Every group of the map is this one server (steps of several groups run on
it one after the other). Then:
  - placement: every row of every shard table is where the documented
    method puts it (key mod 8, month, bounds, lists, CRC32(UPPER(key)) mod 4
    for ASCII string keys), and strings MariaDB calls equal under
    utf8mb4_general_ci route to one shard;
  - reads: for each query, the rows of its steps on `shop`, combined as the
    plan's merge spec says (concatenation, sort, LIMIT, DISTINCT, groups and
    aggregates: a small reference merger written here), equal the rows of
    the query on `ref`; also with bound parameters and a routing hint;
  - writes: UPDATE/DELETE/INSERT routed on `shop` and run on `ref` leave
    the same rows in every table.

Usage: check-router-mariadb.py [BUILD_DIR]   (default: build)
BUILD_DIR holds plugins/sharding/tests/test-router-tool. Exits 0 when every
check passes, 1 otherwise, 77 when MariaDB is not installed.
"""
import decimal
import functools
import json
import os
import random
import shutil
import subprocess
import sys
import time

import pymysql

HERE = os.path.dirname(os.path.abspath(__file__))
MAP = os.path.join(HERE, '..', '..', '..', 'examples', 'sharding', 'shop.lua')
DATADIR = '/tmp/rx'
PORT = 3497
SOCKET = DATADIR + '/s.sock'
HIDDEN_BASE = 0x40000000

TABLES = [
    "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2), status VARCHAR(16), "
    "created_at DATETIME, country CHAR(2))",
    "CREATE TABLE order_items (id INT PRIMARY KEY, order_id INT, customer_id INT NOT NULL, sku VARCHAR(16), qty INT, "
    "country CHAR(2))",
    "CREATE TABLE events (id INT PRIMARY KEY, created_at DATETIME NOT NULL, kind VARCHAR(16), amount INT)",
    "CREATE TABLE regions (id INT PRIMARY KEY, region VARCHAR(8) NOT NULL, name VARCHAR(32))",
    "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance INT, owner VARCHAR(16))",
    "CREATE TABLE sessions (id INT PRIMARY KEY, token VARCHAR(64) NOT NULL, user_id INT) "
    "DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci",
    "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(32), country CHAR(2))",
    "CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(32))",
    "CREATE TABLE unlisted (id INT PRIMARY KEY, v INT)",
]

READS = [
    # single shard
    "SELECT * FROM orders WHERE customer_id = 17",
    "SELECT * FROM orders WHERE customer_id = -3",
    "SELECT id, total FROM orders WHERE customer_id = '9' AND total > 10",
    "SELECT * FROM orders WHERE customer_id IN (1, 9, 17, 25)",
    "SELECT o.id, i.sku, i.qty FROM orders o JOIN order_items i ON o.customer_id = i.customer_id AND i.order_id = o.id "
    "WHERE o.customer_id = 12",
    "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = 3",
    "SELECT COUNT(*), SUM(total), AVG(total), MIN(status), MAX(created_at) FROM orders WHERE customer_id = 5",
    "SELECT * FROM orders WHERE customer_id = 5 AND total > (SELECT AVG(total) FROM orders WHERE customer_id = 5)",
    "SELECT * FROM events WHERE created_at = '2024-03-15 10:00:00'",
    "SELECT * FROM accounts WHERE id >= 2000000",
    "SELECT * FROM regions WHERE region = 'UK'",
    "SELECT * FROM sessions WHERE token = 'abc'",
    "SELECT * FROM sessions WHERE token = 'STRASSE'",
    "SELECT * FROM customers WHERE id < 10",
    "SELECT * FROM countries",
    "SELECT * FROM unlisted WHERE v > 3",
    # several shards, rows as they are
    "SELECT * FROM orders",
    "SELECT * FROM orders WHERE customer_id IN (1, 2, 3)",
    "SELECT * FROM orders WHERE customer_id = 1 OR customer_id = 4 OR total > 90",
    "SELECT * FROM orders WHERE customer_id BETWEEN 6 AND 9",
    "SELECT * FROM orders WHERE customer_id > 5 AND customer_id < 8",
    "SELECT id, total * 2 AS t2, UPPER(status) FROM orders WHERE status <> 'new'",
    "SELECT o.id, i.id, i.qty FROM orders o JOIN order_items i ON o.customer_id = i.customer_id AND i.order_id = o.id",
    "SELECT o.id, i.id FROM orders o LEFT JOIN order_items i ON o.customer_id = i.customer_id AND i.qty > 8",
    "SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country",
    "SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = o.customer_id AND i.qty > 8)",
    "SELECT * FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.customer_id = o.customer_id "
    "AND i.qty > 5)",
    "SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM order_items WHERE qty > 8)",
    "SELECT * FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM order_items WHERE qty > 3)",
    "SELECT id, (SELECT COUNT(*) FROM order_items i WHERE i.customer_id = o.customer_id) n FROM orders o",
    "SELECT * FROM (SELECT customer_id, SUM(total) s, COUNT(*) n FROM orders GROUP BY customer_id) t WHERE t.n > 5",
    "SELECT id FROM orders WHERE customer_id = 1 UNION ALL SELECT id FROM orders WHERE customer_id = 2",
    "SELECT customer_id FROM orders UNION SELECT customer_id FROM order_items",
    "SELECT * FROM events WHERE created_at >= '2024-03-01' AND created_at < '2024-05-01'",
    "SELECT * FROM events WHERE created_at BETWEEN '2025-11-20' AND '2026-02-01'",
    "SELECT * FROM accounts WHERE id > 1500000",
    "SELECT * FROM accounts WHERE id BETWEEN 999000 AND 1001000",
    "SELECT * FROM regions WHERE region IN ('eu', 'us', 'apac')",
    "SELECT * FROM sessions WHERE token IN ('abc', 'ÉCOLE', 'x')",
    # several shards, merged
    "SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 7, 10",
    "SELECT id FROM orders ORDER BY created_at, id",
    "SELECT * FROM orders ORDER BY id LIMIT 5",
    "SELECT id FROM orders ORDER BY id LIMIT 60, 5",
    "SELECT id, customer_id FROM orders WHERE customer_id BETWEEN 0 AND 3 ORDER BY customer_id DESC, id LIMIT 30, 3",
    "SELECT o.* FROM orders o WHERE o.customer_id > 10 ORDER BY o.total, o.id LIMIT 3",
    "SELECT DISTINCT status FROM orders",
    "SELECT DISTINCT status, country FROM orders ORDER BY country, status",
    "SELECT COUNT(*) FROM orders",
    "SELECT COUNT(*), SUM(total), MIN(total), MAX(total), AVG(total) FROM orders",
    "SELECT COUNT(*) FROM orders WHERE customer_id = 1000",
    "SELECT SUM(total), AVG(total), MAX(status) FROM orders WHERE customer_id > 1000 AND customer_id < 1002",
    "SELECT status, COUNT(*), SUM(total), AVG(total) FROM orders GROUP BY status",
    "SELECT status, COUNT(*) c FROM orders GROUP BY status ORDER BY c DESC, status",
    "SELECT country, status, MIN(created_at), MAX(total) FROM orders GROUP BY country, status ORDER BY country DESC, status",
    "SELECT status, COUNT(DISTINCT customer_id), COUNT(*) FROM orders GROUP BY status",
    "SELECT COUNT(DISTINCT country) FROM orders",
    "SELECT customer_id, COUNT(*) c FROM orders GROUP BY customer_id ORDER BY c DESC, customer_id LIMIT 5",
    "SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id",
    "SELECT kind, SUM(amount) FROM events WHERE created_at < '2024-07-01' GROUP BY kind ORDER BY kind",
    "SELECT owner, COUNT(*), AVG(balance) FROM accounts GROUP BY owner",
    "SELECT region, COUNT(*) FROM regions GROUP BY region",
    "SELECT id FROM orders UNION ALL SELECT order_id FROM order_items ORDER BY 1 DESC LIMIT 4",
    "SELECT SUM(s) FROM (SELECT customer_id, SUM(total) s FROM orders GROUP BY customer_id) t",
]

# (query with placeholders, bound values for test-router-tool --param, the same query for ref)
PREPARED = [
    ("SELECT * FROM orders WHERE customer_id = ?", ["int:17"], "SELECT * FROM orders WHERE customer_id = 17"),
    ("SELECT id FROM orders WHERE customer_id IN (?, ?) ORDER BY id LIMIT ?", ["int:3", "str:11", "int:4"],
     "SELECT id FROM orders WHERE customer_id IN (3, '11') ORDER BY id LIMIT 4"),
    ("SELECT * FROM events WHERE created_at >= ? AND created_at < ?",
     ["datetime:2024-05-01 00:00:00", "date:2024-07-01"],
     "SELECT * FROM events WHERE created_at >= '2024-05-01 00:00:00' AND created_at < '2024-07-01'"),
    ("SELECT * FROM sessions WHERE token = ?", ["str:ÉCOLE"], "SELECT * FROM sessions WHERE token = 'ÉCOLE'"),
    ("SELECT * FROM accounts WHERE id BETWEEN ? AND ?", ["int:1999000", "uint:2100000"],
     "SELECT * FROM accounts WHERE id BETWEEN 1999000 AND 2100000"),
    ("SELECT COUNT(*), SUM(total) FROM orders WHERE status = ?", ["str:paid"],
     "SELECT COUNT(*), SUM(total) FROM orders WHERE status = 'paid'"),
    # a hint: shard 3 only
    ("/* tessera: shard=3 */ SELECT * FROM orders", [],
     "SELECT * FROM orders WHERE MOD(MOD(customer_id, 8) + 8, 8) = 3"),
]

WRITES = [
    "UPDATE orders SET status = 'hold' WHERE customer_id IN (1, 2, 3)",
    "UPDATE orders SET total = total + 1 WHERE total < 20",
    "DELETE FROM order_items WHERE qty = 1",
    "UPDATE orders o JOIN order_items i ON o.customer_id = i.customer_id AND i.order_id = o.id SET o.total = o.total + 1 "
    "WHERE i.qty > 8",
    "INSERT INTO order_items (id, order_id, customer_id, sku, qty, country) SELECT id + 100000, id, customer_id, 'copy', "
    "2, country FROM orders WHERE total > 80",
    "UPDATE accounts SET balance = balance + 1 WHERE id BETWEEN 900000 AND 1100000",
    "DELETE FROM events WHERE created_at < '2024-03-01'",
    "INSERT INTO orders (id, customer_id, total, status) VALUES (90001, 4, 1.50, 'new'), (90002, 5, 2.50, 'new'), "
    "(90003, 12, 3.50, 'new')",
    "REPLACE INTO orders (id, customer_id, total, status) VALUES (90001, 4, 9.50, 'paid')",
    "UPDATE orders SET customer_id = 12 WHERE customer_id = 4 AND id = 90001",
    "UPDATE countries SET name = UPPER(name)",
    "DELETE FROM customers WHERE id > 35",
    "INSERT INTO sessions (id, token, user_id) VALUES (9001, 'Zürich', 1), (9002, 'zurich', 2)",
]


class Failures:
    def __init__(self):
        self.n = 0

    def fail(self, what, detail):
        self.n += 1
        print('FAIL', what)
        for line in detail:
            print('   ', line)


# ---- the server ----

def start_server():
    if not shutil.which('mariadbd') or not shutil.which('mariadb-install-db'):
        print('SKIP: mariadbd is not installed')
        sys.exit(77)
    shutil.rmtree(DATADIR, ignore_errors=True)
    subprocess.run(['mariadb-install-db', '--no-defaults', '--datadir=' + DATADIR, '--user=root'], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = subprocess.Popen(['mariadbd', '--no-defaults', '--datadir=' + DATADIR, '--port=%d' % PORT,
                             '--bind-address=127.0.0.1', '--socket=' + SOCKET, '--user=root',
                             '--innodb-buffer-pool-size=64M', '--log-error=' + DATADIR + '/error.log'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            conn = pymysql.connect(unix_socket=SOCKET, user='root', autocommit=True)
            break
        except pymysql.err.OperationalError:
            if proc.poll() is not None:
                raise SystemExit('mariadbd exited; see ' + DATADIR + '/error.log')
            time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit('mariadbd did not start')
    with conn.cursor() as cur:
        cur.execute("DELETE FROM mysql.global_priv WHERE User = ''")
        cur.execute("FLUSH PRIVILEGES")
    return proc, conn


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(DATADIR, ignore_errors=True)


# ---- the router ----

def route_all(tool, queries, db='shop'):
    """Plans of queries (one per line) as dicts, or {'error': message}."""
    out = subprocess.run([tool, MAP, '--db', db], input='\n'.join(queries) + '\n', capture_output=True, text=True,
                         check=True).stdout.splitlines()
    if len(out) != len(queries):
        raise SystemExit('the tool printed %d plans for %d queries' % (len(out), len(queries)))
    return [{'error': line[4:]} if line.startswith('ERR\t') else json.loads(line) for line in out]


def run_steps(cur, plan):
    """Runs each step once on `shop` (several groups are this one server, so
    the same SQL on several groups runs once). Returns (description, rows) per step."""
    seen, results = set(), []
    for step in plan['steps']:
        if step['sql'] in seen:
            continue
        seen.add(step['sql'])
        cur.execute(step['sql'])
        results.append((cur.description, list(cur.fetchall()) if cur.description else []))
    return results


# ---- the data set ----

def sql_value(v):
    if v is None:
        return 'NULL'
    if isinstance(v, (int, decimal.Decimal)):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def data_set():
    rnd = random.Random(20240601)
    statuses = ['new', 'paid', 'shipped', 'done', None]
    countries = ['fr', 'de', 'us', 'jp', 'br', 'in', 'ca', 'es']
    rows = {}
    rows['countries'] = [(c, 'country ' + c) for c in countries]
    rows['customers'] = [(i, 'cust%d' % i, rnd.choice(countries)) for i in range(1, 41)]
    rows['unlisted'] = [(i, rnd.randint(0, 9)) for i in range(1, 21)]
    orders = []
    for i in range(1, 401):
        when = '%d-%02d-%02d %02d:%02d:00' % (rnd.choice([2024, 2025]), rnd.randint(1, 12), rnd.randint(1, 28),
                                              rnd.randint(0, 23), rnd.randint(0, 59))
        orders.append((i, rnd.randint(-5, 60), decimal.Decimal(rnd.randint(100, 10000)) / 100, rnd.choice(statuses),
                       when, rnd.choice(countries)))
    rows['orders'] = orders
    rows['order_items'] = []
    for i in range(1, 801):
        o = rnd.choice(orders)
        rows['order_items'].append((i, o[0], o[1], 'sku%d' % rnd.randint(1, 30), rnd.randint(1, 10), o[5]))
    rows['events'] = [(i, '%d-%02d-%02d %02d:00:00' % (2024 + m // 12, m % 12 + 1, rnd.randint(1, 28), rnd.randint(0, 23)),
                       rnd.choice(['view', 'buy', 'Buy', 'ship']), rnd.randint(1, 100))
                      for i, m in ((i, rnd.randint(0, 23)) for i in range(1, 301))]
    rows['regions'] = [(i, rnd.choice(['eu', 'uk', 'us', 'ca', 'mx', 'apac', 'EU', 'Us ']), 'r%d' % i)
                       for i in range(1, 31)]
    rows['accounts'] = [(rnd.randint(0, 3000000), rnd.randint(0, 1000), rnd.choice(['ann', 'bob', 'cy']))
                        for _ in range(200)]
    rows['accounts'] = list({a[0]: a for a in rows['accounts']}.values())
    tokens = ['abc', 'ABC', 'abc  ', 'Abc', 'école', 'ECOLE', 'École', 'Straße', 'STRASSE', 'strase', 'x', 'X ',
              'zürich', 'ZURICH', 'naïve', 'NAIVE', '😀', '😁', 'ǅ', 'ǆ', 'Ǆ', 'ı', 'I', 'i', 'İ', 'ß', 's', 'ſ',
              'ﬁ', 'fi', 'Ω', 'ω', 'Ω']
    rows['sessions'] = [(i, tokens[i % len(tokens)], i) for i in range(1, 201)]
    return rows


COLUMNS = {
    'orders': 'id, customer_id, total, status, created_at, country',
    'order_items': 'id, order_id, customer_id, sku, qty, country',
    'events': 'id, created_at, kind, amount',
    'regions': 'id, region, name',
    'accounts': 'id, balance, owner',
    'sessions': 'id, token, user_id',
    'customers': 'id, name, country',
    'countries': 'code, name',
    'unlisted': 'id, v',
}


def inserts(rows, chunk=40):
    for table, data in rows.items():
        for i in range(0, len(data), chunk):
            values = ', '.join('(' + ', '.join(sql_value(v) for v in r) + ')' for r in data[i:i + chunk])
            yield 'INSERT INTO %s (%s) VALUES %s' % (table, COLUMNS[table], values)


def load(cur, tool, f):
    cur.execute('CREATE DATABASE ref')
    cur.execute('CREATE DATABASE shop')
    cur.execute('USE ref')
    for ddl in TABLES:
        cur.execute(ddl)
    cur.execute('USE shop')
    for ddl, plan in zip(TABLES, route_all(tool, TABLES)):
        if 'error' in plan:
            f.fail(ddl, [plan['error']])
            continue
        run_steps(cur, plan)
    rows = data_set()
    statements = list(inserts(rows))
    cur.execute('USE ref')
    for s in statements:
        cur.execute(s)
    cur.execute('USE shop')
    for s, plan in zip(statements, route_all(tool, statements)):
        if 'error' in plan:
            f.fail(s[:80], [plan['error']])
            continue
        run_steps(cur, plan)


# ---- placement ----

PLACEMENT = [
    # (what, query over every shard table that must count 0)
    ('orders by customer_id mod 8', ["SELECT COUNT(*) FROM orders_%d WHERE MOD(MOD(customer_id, 8) + 8, 8) <> %d" % (k, k)
                                     for k in range(8)]),
    ('order_items by customer_id mod 8', ["SELECT COUNT(*) FROM order_items_%d WHERE MOD(MOD(customer_id, 8) + 8, 8) "
                                          "<> %d" % (k, k) for k in range(8)]),
    ('events by month', ["SELECT COUNT(*) FROM events_%d%02d WHERE DATE_FORMAT(created_at, '%%Y%%m') <> '%d%02d'"
                         % (2024 + m // 12, m % 12 + 1, 2024 + m // 12, m % 12 + 1) for m in range(24)]),
    ('accounts by bounds', ["SELECT COUNT(*) FROM accounts_0 WHERE id >= 1000000",
                            "SELECT COUNT(*) FROM accounts_1 WHERE id < 1000000 OR id >= 2000000",
                            "SELECT COUNT(*) FROM accounts_big WHERE id < 2000000"]),
    ('regions by lists', ["SELECT COUNT(*) FROM regions_0 WHERE region NOT IN ('eu', 'uk')",
                          "SELECT COUNT(*) FROM regions_1 WHERE region NOT IN ('us', 'ca', 'mx')",
                          "SELECT COUNT(*) FROM regions_2 WHERE region NOT IN ('apac')"]),
    ('sessions by CRC32(UPPER(token)) mod 4 (ASCII tokens)',
     ["SELECT COUNT(*) FROM sessions_%d WHERE token = CONVERT(token USING ascii) AND "
      "CRC32(UPPER(TRIM(TRAILING ' ' FROM token))) %% 4 <> %d" % (k, k) for k in range(4)]),
]

COUNTS = {'orders': 8, 'order_items': 8, 'events': 24, 'regions': 3, 'sessions': 4}


def shard_tables(table):
    if table == 'events':
        return ['events_%d%02d' % (2024 + m // 12, m % 12 + 1) for m in range(24)]
    if table == 'accounts':
        return ['accounts_0', 'accounts_1', 'accounts_big']
    if table in COUNTS:
        return ['%s_%d' % (table, k) for k in range(COUNTS[table])]
    return [table]


def table_rows(cur, db, table):
    rows = []
    tables = [table] if db == 'ref' else shard_tables(table)
    for t in tables:
        cur.execute('SELECT * FROM %s.%s' % (db, t))
        rows.extend(cur.fetchall())
    return sorted(rows, key=repr)


def check_placement(cur, tool, f):
    for what, queries in PLACEMENT:
        bad = []
        for q in queries:
            cur.execute(q)
            n = cur.fetchone()[0]
            if n:
                bad.append('%s -> %d' % (q, n))
        if bad:
            f.fail('placement: ' + what, bad)
    for table in COLUMNS:
        if table_rows(cur, 'ref', table) != table_rows(cur, 'shop', table):
            f.fail('placement: the rows of %s differ from ref' % table, [])
    # strings MariaDB calls equal route to one shard
    cur.execute("SELECT GROUP_CONCAT(DISTINCT HEX(token) SEPARATOR ',') FROM ref.sessions GROUP BY token")
    classes = [[bytes.fromhex(h).decode('utf8') for h in row[0].split(',')] for row in cur.fetchall()]
    tokens = [t for c in classes for t in c]
    plans = route_all(tool, ["SELECT * FROM sessions WHERE token = '%s'" % t.replace("'", "''") for t in tokens])
    shard_of = {t: tuple(s['shard'] for s in p.get('steps', [])) for t, p in zip(tokens, plans)}
    for c in classes:
        shards = {shard_of[t] for t in c}
        if len(shards) != 1 or len(next(iter(shards))) != 1:
            f.fail('collation: %r are equal under utf8mb4_general_ci' % c, ['routed to %r' % sorted(shards)])


# ---- a reference merger ----

def norm(v):
    if isinstance(v, decimal.Decimal):
        return v.normalize()
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, bytes):
        return v.decode('utf8', 'replace')
    return v


def sort_key_value(v):
    if isinstance(v, str):
        return (1, v.rstrip(' ').upper())
    if v is None:
        return (0, 0)
    return (1, v)


def compare_rows(a, b, keys):
    for col, desc in keys:
        x, y = sort_key_value(a[col]), sort_key_value(b[col])
        if x != y:
            r = -1 if x < y else 1
            return -r if desc else r
    return 0


def bind(spec, ncols):
    def dec(p, visible):
        return visible + (p - HIDDEN_BASE) if p >= HIDDEN_BASE else p
    visible = ncols - spec.get('hidden', 0) if spec.get('star') else spec['output_columns']
    if spec.get('star'):
        outputs = [{'func': 'none', 'column': i} for i in range(visible)]
        out_columns = visible
    else:
        outputs = spec['outputs']
        out_columns = spec['output_columns']
    return (outputs, out_columns, [dec(g, visible) for g in spec['group_by']],
            [(dec(k['column'], visible), k['desc']) for k in spec['order_by']])


def combine(func, col, count_col, group, scale):
    values = [r[col] for r in group if r[col] is not None]
    if func == 'count':
        return sum(values) if values else 0
    if func == 'sum':
        return sum(values) if values else None
    if func == 'min':
        return min(values, key=sort_key_value) if values else None
    if func == 'max':
        return max(values, key=sort_key_value) if values else None
    if func == 'count_distinct':
        return len({sort_key_value(v) for v in values})
    if func == 'avg':
        n = sum(r[count_col] for r in group if r[count_col] is not None)
        if not n:
            return None
        avg = decimal.Decimal(sum(decimal.Decimal(v) for v in values)) / n
        return avg.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP) if scale is not None else avg
    return group[0][col] if group else None


def merge(plan, results):
    """The rows the client would get, from the steps' results and the spec."""
    spec = plan['spec']
    rows = [r for _, rs in results for r in rs]
    if not spec:
        return rows
    desc = results[0][0]
    outputs, out_columns, group_by, order_by = bind(spec, len(desc))
    if spec['aggregate']:
        groups = {}
        for r in rows:
            groups.setdefault(tuple(sort_key_value(r[g]) for g in group_by), []).append(r)
        if not group_by and not groups:
            groups[()] = []
        merged = []
        for group in groups.values():
            row = list(group[0]) if group else [None] * len(desc)
            for o in outputs:
                scale = desc[o['type_column']][5] if o.get('type_column') is not None else None
                row[o['column']] = combine(o['func'], o['column'], o.get('count_column'), group, scale)
            merged.append(row)
        rows = merged
    if spec['distinct']:
        seen, unique = set(), []
        for r in rows:
            k = tuple(sort_key_value(r[o['column']]) for o in outputs[:out_columns])
            if k not in seen:
                seen.add(k)
                unique.append(r)
        rows = unique
    if order_by:
        rows = sorted(rows, key=functools.cmp_to_key(lambda a, b: compare_rows(a, b, order_by)))
    offset, limit = spec['offset'], spec['limit']
    rows = rows[offset:] if limit is None else rows[offset:offset + limit]
    return [tuple(r[o['column']] for o in outputs[:out_columns]) for r in rows]


def ordered(query):
    return ' ORDER BY ' in query.upper()


def check_reads(cur, tool, f):
    plans = route_all(tool, READS)
    for q, plan in zip(READS, plans):
        if 'error' in plan:
            f.fail(q, [plan['error']])
            continue
        cur.execute('USE ref')
        cur.execute(q)
        want = [tuple(norm(v) for v in r) for r in cur.fetchall()]
        cur.execute('USE shop')
        results = run_steps(cur, plan)
        got = [tuple(norm(v) for v in r) for r in merge(plan, results)]
        if not ordered(q):
            want, got = sorted(want, key=repr), sorted(got, key=repr)
        if want != got:
            f.fail(q, ['steps: %s' % [s['sql'] for s in plan['steps']][:3], 'want %d rows: %s' % (len(want), want[:4]),
                       'got %d rows: %s' % (len(got), got[:4])])
    print('%d reads checked' % len(READS))


def check_prepared(cur, tool, f):
    for q, params, literal in PREPARED:
        args = [tool, MAP, '--db', 'shop']
        for p in params:
            args += ['--param', p]
        line = subprocess.run(args + [q], capture_output=True, text=True, check=True).stdout.strip()
        if line.startswith('ERR\t'):
            f.fail(q, [line[4:]])
            continue
        plan = json.loads(line)
        cur.execute('USE ref')
        cur.execute(literal)
        want = sorted((tuple(norm(v) for v in r) for r in cur.fetchall()), key=repr)
        cur.execute('USE shop')
        got = sorted((tuple(norm(v) for v in r) for r in merge(plan, run_steps(cur, plan))), key=repr)
        if want != got:
            f.fail(q, ['params %s' % params, 'want %d rows, got %d' % (len(want), len(got))])
    print('%d prepared statements and hints checked' % len(PREPARED))


def check_writes(cur, tool, f):
    plans = route_all(tool, WRITES)
    for q, plan in zip(WRITES, plans):
        if 'error' in plan:
            f.fail(q, [plan['error']])
            continue
        cur.execute('USE ref')
        cur.execute(q)
        cur.execute('USE shop')
        run_steps(cur, plan)
    for table in COLUMNS:
        want, got = table_rows(cur, 'ref', table), table_rows(cur, 'shop', table)
        if want != got:
            f.fail('after the writes, %s differs' % table, ['ref %d rows, shards %d rows' % (len(want), len(got))])
    print('%d writes checked' % len(WRITES))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else 'build'
    tool = os.path.join(build, 'plugins', 'sharding', 'tests', 'test-router-tool')
    if not os.access(tool, os.X_OK):
        raise SystemExit('no %s: build first' % tool)
    f = Failures()
    proc, conn = start_server()
    try:
        with conn.cursor() as cur:
            load(cur, tool, f)
            check_placement(cur, tool, f)
            check_reads(cur, tool, f)
            check_prepared(cur, tool, f)
            check_writes(cur, tool, f)
    finally:
        conn.close()
        stop_server(proc)
    print('%d failures' % f.n)
    sys.exit(1 if f.n else 0)


if __name__ == '__main__':
    main()
