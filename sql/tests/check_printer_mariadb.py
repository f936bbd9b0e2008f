#!/usr/bin/python3
"""Checks the SQL printer against a real MariaDB server.

For every query of sql/tests/corpus/*.sql, sql-parse-tool prints the parsed
query back, once as the printer writes it and once with every operator
expression in parentheses (which checks that the parser groups operators
as MariaDB does); this script runs the original and the printed text on MariaDB
and checks that both give the same result: the same rows (or the same error
code) for queries, the same affected rows and the same table contents for
INSERT/REPLACE/UPDATE/DELETE (each run in a transaction that is rolled
back), the same session state for SET and USE. Queries with ? placeholders
run through PREPARE/EXECUTE with every parameter set to 3. Transaction and
XA statements must succeed or fail alike. Statements that change the schema
or the server (DDL, SET GLOBAL, LOCK, KILL, ...) are only parsed and
printed, not run: their printed text is their own text.

Usage (from the repository root, after building):
  python3 sql/tests/check_printer_mariadb.py --tool BUILD/sql/tests/sql-parse-tool

Without --socket it starts a throwaway server itself:
  mariadb-install-db --no-defaults --datadir=/tmp/sqlx --user=root
  mariadbd --no-defaults --datadir=/tmp/sqlx --port=3499 \\
      --bind-address=127.0.0.1 --socket=/tmp/sqlx/s.sock --user=root
and stops it at the end (--keep leaves it running). Needs PyMySQL.
Exit status 0 when every query matched.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

import pymysql

SCHEMA = """
CREATE TABLE sbtest1 (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL DEFAULT 0,
  c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', KEY k_1 (k));
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100), name VARCHAR(100),
  created_at DATETIME, status VARCHAR(20), age INT, country_id INT, deleted_at DATETIME NULL);
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, amount DECIMAL(10,2),
  status VARCHAR(20), created_at DATETIME);
CREATE TABLE order_items (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT, product_id INT, qty INT,
  price DECIMAL(10,2));
CREATE TABLE products (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), price DECIMAL(10,2),
  category_id INT, stock INT);
CREATE TABLE categories (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), parent_id INT);
CREATE TABLE auth_user (id INT AUTO_INCREMENT PRIMARY KEY, password VARCHAR(128), last_login DATETIME(6) NULL,
  is_superuser TINYINT(1), username VARCHAR(150) UNIQUE, first_name VARCHAR(150), last_name VARCHAR(150),
  email VARCHAR(254), is_staff TINYINT(1), is_active TINYINT(1), date_joined DATETIME(6));
CREATE TABLE pet (name VARCHAR(20), owner VARCHAR(20), species VARCHAR(20), sex CHAR(1), birth DATE, death DATE);
CREATE TABLE event (name VARCHAR(20), date DATE, type VARCHAR(15), remark VARCHAR(255));
CREATE TABLE shop (article INT UNSIGNED DEFAULT '0000' NOT NULL, dealer CHAR(20) DEFAULT '' NOT NULL,
  price DECIMAL(16,2) DEFAULT '0.00' NOT NULL, PRIMARY KEY(article, dealer));
CREATE TABLE employees (emp_no INT PRIMARY KEY, birth_date DATE, first_name VARCHAR(14), last_name VARCHAR(16),
  gender ENUM('M','F'), hire_date DATE);
CREATE TABLE salaries (emp_no INT, salary INT, from_date DATE, to_date DATE, PRIMARY KEY (emp_no, from_date));
CREATE TABLE departments (dept_no CHAR(4) PRIMARY KEY, dept_name VARCHAR(40));
CREATE TABLE dept_emp (emp_no INT, dept_no CHAR(4), from_date DATE, to_date DATE, PRIMARY KEY (emp_no, dept_no));
CREATE TABLE t (a INT, b INT, c VARCHAR(20), UNIQUE KEY (a));
CREATE TABLE `table` (`select` INT, `from` INT, `a b` INT, `a``b` INT, `1x` INT, `123` INT);
CREATE TABLE kw (date DATE, time TIME, timestamp TIMESTAMP NULL, text TEXT, action INT, bit INT, enum INT,
  no INT, status INT, name INT, value INT, type INT, comment INT, user INT, count INT, sum INT);
CREATE TABLE articles (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(200), body TEXT,
  FULLTEXT (title, body), FULLTEXT (title)) ENGINE=InnoDB;
"""

DATA = """
INSERT INTO users (email, name, created_at, status, age, country_id) VALUES
  ('a@b.c', 'Ann', '2020-03-01 10:00:00', 'active', 30, 1), ('bob@example.com', 'Bob', '2019-05-05', 'pending', 17, 3),
  ('c@d.e', NULL, '2021-01-01', 'inactive', 45, 3), ('x@y.z', 'Xi', '2022-02-02', 'active', 22, 2);
INSERT INTO orders (user_id, amount, status, created_at) VALUES (1, 10.50, 'new', '2021-01-01'),
  (1, 99.99, 'paid', '2021-02-01'), (2, 5.00, 'new', '2021-03-01'), (9, 150.00, 'paid', '2021-04-01');
INSERT INTO order_items (order_id, product_id, qty, price) VALUES (3, 1, 2, 9.99), (3, 2, 1, 20.00), (1, 1, 1, 9.99);
INSERT INTO categories (name, parent_id) VALUES ('books', NULL), ('music', NULL), ('novels', 1);
INSERT INTO products (name, price, category_id, stock) VALUES ('SQL book', 9.99, 1, 10), ('CD', 20.00, 2, 0),
  ('Novel', 12.50, 3, 5), ('Atlas', 45.00, 1, 1);
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES
  ('x', 1, 'admin', 'Ad', 'Min', 'admin@example.com', 1, 1, '2020-06-01 00:00:00'),
  ('y', 0, 'jo', '', 'Jo', 'jo@example.org', 0, 1, '2020-07-01 00:00:00'),
  ('z', 0, 'staff', 'St', 'Aff', 'st@example.com', 1, 0, '2021-07-01 00:00:00');
INSERT INTO pet VALUES ('Fluffy','Harold','cat','f','1993-02-04',NULL), ('Claws','Gwen','cat','m','1994-03-17',NULL),
  ('Buffy','Harold','dog','f','1989-05-13',NULL), ('Fang','Benny','dog','m','1990-08-27',NULL),
  ('Bowser','Diane','dog','m','1979-08-31','1995-07-29'), ('Chirpy','Gwen','bird','f','1998-09-11',NULL),
  ('Whistler','Gwen','bird',NULL,'1997-12-09',NULL), ('Slim','Benny','snake','m','1996-04-29',NULL),
  ('Puffball','Diane','hamster','f','1999-03-30',NULL);
INSERT INTO event VALUES ('Fluffy','1995-05-15','litter','4 kittens, 3 female, 1 male'),
  ('Buffy','1993-06-23','litter','5 puppies, 2 female, 3 male'), ('Buffy','1994-06-19','litter','3 puppies, 3 female'),
  ('Chirpy','1999-03-21','vet','needed beak straightened'), ('Slim','1997-08-03','vet','broken rib'),
  ('Bowser','1991-10-12','kennel',NULL), ('Fang','1991-10-12','kennel',NULL);
INSERT INTO shop VALUES (1,'A',3.45),(1,'B',3.99),(2,'A',10.99),(3,'B',1.45),(3,'C',1.69),(3,'D',1.25),(4,'D',19.95);
INSERT INTO employees VALUES (10001,'1953-09-02','Georgi','Facello','M','1986-06-26'),
  (10002,'1964-06-02','Bezalel','Simmel','F','1985-11-21'), (10003,'1959-12-03','Parto','Bamford','M','1986-08-28'),
  (10004,'1954-05-01','Chirstian','Koblick','M','1986-12-01'), (10005,'1955-01-21','Kyoichi','Maliniak','M','1989-09-12'),
  (10006,'1960-04-20','Anneke','Preusig','F','1989-06-02'), (10007,'1957-05-23','Tzvetan','Zielinski','F','1989-02-10'),
  (10008,'1958-02-19','Saniya','Kalloufi','M','1994-09-15'), (10009,'1952-04-19','Sumant','Peac','F','1985-02-18');
INSERT INTO salaries VALUES (10001,60117,'1986-06-26','1987-06-26'), (10001,88958,'2002-06-22','9999-01-01'),
  (10002,72527,'2001-08-02','9999-01-01'), (10003,43311,'2001-12-01','9999-01-01'), (10004,74057,'2001-11-27','9999-01-01'),
  (10005,94692,'2001-09-09','9999-01-01'), (10006,59755,'2001-08-02','9999-01-01'), (10007,88070,'2001-02-07','9999-01-01');
INSERT INTO departments VALUES ('d001','Marketing'),('d002','Finance'),('d007','Sales');
INSERT INTO dept_emp VALUES (10001,'d007','1986-06-26','9999-01-01'), (10002,'d001','1996-08-03','9999-01-01'),
  (10003,'d002','1995-12-03','9999-01-01'), (10004,'d007','1986-12-01','9999-01-01'), (10005,'d001','1989-09-12','9999-01-01');
INSERT INTO t VALUES (1, 10, 'x'), (2, 20, 'y'), (3, NULL, NULL), (-5, 5, 'neg');
INSERT INTO `table` VALUES (1, 2, 3, 4, 5, 6);
INSERT INTO kw (date, status, name, count, sum) VALUES ('2020-01-01', 1, 2, 3, 4);
INSERT INTO articles (title, body) VALUES ('MySQL Tutorial','DBMS stands for DataBase ...'),
  ('How To Use MySQL Well','After you went through a ...'), ('Optimizing MySQL','In this tutorial, we show ...'),
  ('1001 MySQL Tricks','1. Never run mysqld as root. 2. ...'), ('MySQL vs. YourSQL','In the following database comparison ...'),
  ('MySQL Security','When configured properly, MySQL ...');
"""

RUN_QUERY = {"SELECT", "SHOW"}
RUN_DML = {"INSERT", "REPLACE", "UPDATE", "DELETE"}
RUN_SESSION = {"SET", "USE"}
RUN_STATUS = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "ROLLBACK_TO", "RELEASE", "XA"}
SESSION_PROBE = ("SELECT @@session.sql_mode, @@autocommit, @@time_zone, @@character_set_client, "
                 "@@collation_connection, @@character_set_results, @@tx_isolation, "
                 "@@tx_read_only, @@sql_auto_is_null, DATABASE(), @x, @y, @z, @a, @b")
SKIP_SET = ("GLOBAL", "@@global", "read_only")


def start_server(args):
    if os.path.exists(args.datadir):
        shutil.rmtree(args.datadir)
    subprocess.run(["mariadb-install-db", "--no-defaults", "--datadir=" + args.datadir, "--user=root"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = os.path.join(args.datadir, "s.sock")
    proc = subprocess.Popen(["mariadbd", "--no-defaults", "--datadir=" + args.datadir, "--port=%d" % args.port,
                             "--bind-address=127.0.0.1", "--socket=" + sock, "--user=root",
                             "--log-error=" + os.path.join(args.datadir, "err.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(sock):
            try:
                pymysql.connect(unix_socket=sock, user="root").close()
                return proc, sock
            except pymysql.MySQLError:
                pass
        time.sleep(0.2)
    proc.terminate()
    sys.exit("mariadbd did not start; see %s/err.log" % args.datadir)


def connect(sock, db="tsr"):
    return pymysql.connect(unix_socket=sock, user="root", database=db, autocommit=True, charset="utf8mb4")


def setup(sock):
    conn = pymysql.connect(unix_socket=sock, user="root", autocommit=True)
    cur = conn.cursor()
    cur.execute("DROP USER IF EXISTS ''@'localhost'")
    cur.execute("DROP USER IF EXISTS ''@'%s'" % os.uname().nodename)
    cur.execute("DROP DATABASE IF EXISTS tsr")
    cur.execute("CREATE DATABASE tsr")
    cur.execute("USE tsr")
    for stmt in (SCHEMA + DATA).split(";"):
        if stmt.strip():
            cur.execute(stmt)
    cur.execute("CREATE PROCEDURE p() BEGIN SELECT 1; END")
    conn.close()


def execute(cur, sql, params):
    """Runs sql (with `params` placeholders bound to 3); returns
    ('ok', rows, rowcount) or ('error', code)."""
    try:
        if params:
            cur.execute("SET @p = 3")
            cur.execute("PREPARE tsr_stmt FROM %s", (sql,))
            cur.execute("EXECUTE tsr_stmt USING " + ", ".join(["@p"] * params))
        else:
            cur.execute(sql)
        rows = cur.fetchall() if cur.description else ()
        return ("ok", [tuple(r) for r in rows], cur.rowcount if not cur.description else None)
    except pymysql.MySQLError as e:
        return ("error", e.args[0])


def snapshot(cur, tables):
    out = {}
    for t in tables:
        cur.execute("SELECT * FROM `%s`" % t)
        out[t] = sorted(repr(r) for r in cur.fetchall())
    return out


def same_rows(a, b):
    if a == b:
        return True
    if a[0] == "ok" and b[0] == "ok":
        return sorted(map(repr, a[1])) == sorted(map(repr, b[1])) and a[2] == b[2]
    return False


def run_query(sock, sql, params):
    conn = connect(sock)
    try:
        return execute(conn.cursor(), sql, params)
    finally:
        conn.close()


def run_dml(sock, sql, params, tables):
    conn = connect(sock)
    cur = conn.cursor()
    try:
        cur.execute("BEGIN")
        res = execute(cur, sql, params)
        state = snapshot(cur, tables)
        cur.execute("ROLLBACK")
        return (res, state)
    finally:
        conn.close()


def run_session(sock, sql, params):
    conn = connect(sock)
    cur = conn.cursor()
    try:
        res = execute(cur, sql, params)
        cur.execute(SESSION_PROBE)
        return (res, cur.fetchall())
    finally:
        conn.close()


def compare(sock, kinds, original, printed, params, tables):
    """Returns None when original and printed agree, 'skip', or a message."""
    kinds = set(kinds.split(","))
    if len(kinds) != 1 or ";" in original.strip().rstrip(";"):
        return "skip"
    kind = kinds.pop()
    if kind in RUN_QUERY:
        runner = lambda sql: run_query(sock, sql, params)
        equal = same_rows
    elif kind in RUN_DML:
        runner = lambda sql: run_dml(sock, sql, params, tables)
        equal = lambda a, b: same_rows(a[0], b[0]) and a[1] == b[1]
    elif kind in RUN_SESSION and not any(s.lower() in original.lower() for s in SKIP_SET):
        runner = lambda sql: run_session(sock, sql, params)
        equal = lambda a, b: same_rows(a[0], b[0]) and a[1] == b[1]
    elif kind in RUN_STATUS:
        runner = lambda sql: run_query(sock, sql, params)[:2]
        equal = lambda a, b: a == b
    else:
        return "skip"
    first = runner(original)
    got = runner(printed)
    if equal(first, got):
        return None
    if not equal(first, runner(original)):
        return "skip"  # the original itself varies (NOW(), RAND(), ...)
    return "original: %r\n    printed:  %r" % (first, got)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True, help="path of the built sql-parse-tool")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    ap.add_argument("--socket", help="use a running server (root, no password) instead of starting one")
    ap.add_argument("--datadir", default="/tmp/sqlx")
    ap.add_argument("--port", type=int, default=3499)
    ap.add_argument("--keep", action="store_true", help="leave the started server running")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    proc = None
    sock = args.socket
    if not sock:
        proc, sock = start_server(args)
    try:
        setup(sock)
        conn = connect(sock)
        cur = conn.cursor()
        cur.execute("SHOW TABLES")
        tables = [r[0] for r in cur.fetchall()]
        conn.close()
        queries = []
        for path in sorted(glob.glob(os.path.join(args.corpus, "*.sql"))):
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    line = line.rstrip("\n")
                    if line and not line.startswith("-- "):
                        queries.append(("%s:%d" % (os.path.basename(path), n), line))
        text = "\n".join(q for _, q in queries) + "\n"
        out = subprocess.run([args.tool, "--lines"], input=text, capture_output=True, text=True,
                             check=True).stdout.split("\n")
        # every operator in parentheses: checks the parser's precedence against the server's
        paren_out = subprocess.run([args.tool, "--parens", "--lines"], input=text, capture_output=True,
                                   text=True, check=True).stdout.split("\n")
        queries = queries + [(where + " (parenthesized)", q) for where, q in queries]
        out = out[:len(queries) // 2] + paren_out[:len(queries) // 2]
        counts = {"match": 0, "skip": 0, "mismatch": 0, "unparsed": 0}
        for (where, original), result in zip(queries, out):
            fields = result.split("\t", 3)
            if fields[0] != "OK":
                counts["unparsed"] += 1
                print("%s: not parsed: %s" % (where, result))
                continue
            _, kinds, params, printed = fields
            why = compare(sock, kinds, original, printed, int(params), tables)
            if why is None:
                counts["match"] += 1
                if args.verbose:
                    print("%s: same result: %s" % (where, printed))
            elif why == "skip":
                counts["skip"] += 1
                if args.verbose:
                    print("%s: not run (%s): %s" % (where, kinds, printed))
            else:
                counts["mismatch"] += 1
                print("%s: DIFFERENT\n    query:    %s\n    printed:  %s\n    %s" % (where, original, printed, why))
        print("%(match)d same result, %(mismatch)d different, %(skip)d not run, %(unparsed)d not parsed" % counts)
        return 0 if counts["mismatch"] == 0 and counts["unparsed"] == 0 else 1
    finally:
        if proc and not args.keep:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
