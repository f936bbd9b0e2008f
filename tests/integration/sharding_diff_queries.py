"""The random statements of the sharding differential test
(tests/integration/test_sharding_differential.py): Generator makes them over
sharding_diff's data set and tables, each a sharding_diff.Query."""

import datetime
import decimal
import random

from sharding_diff import (
    CATEGORIES, CITIES, COUNTRY_CODES, CUSTOMER_IDS, FIRST_NAMES, KINDS, LAST_NAMES, LEDGER_ID_MAX,
    ORDER_IDS, PAGES, PRODUCT_IDS, Query, STATUSES, TABLES, TAG_BASES, TAG_IDS, VISIT_IDS,
    change_case, insert_sql, money, rand_datetime, sql_literal)

# ---------------------------------------------------------------------------
# The query generator

def in_list(values):
    return ", ".join(sql_literal(v) for v in values)


class Generator:
    """Random statements over the data set, from one seed.

    Writes keep to what a sharded table can take: keys given as constants,
    no change of a shard key, fresh primary keys for INSERTs."""

    def __init__(self, seed, data, first_new_id=0):
        """first_new_id: added to the ids INSERTs take, for a second generator
        over the same tables."""
        self.rng = random.Random(seed)
        self.data = data
        self.next_customer = CUSTOMER_IDS[1] + 200 + first_new_id
        self.next_order = ORDER_IDS + 1 + first_new_id
        self.next_ledger = LEDGER_ID_MAX + 1 + first_new_id
        self.next_visit = VISIT_IDS + 200 + first_new_id
        self.next_tag = TAG_IDS + 1 + first_new_id
        self.next_product = PRODUCT_IDS + 1 + first_new_id
        self.families = [
            (self.point, 10), (self.range_lookup, 8), (self.in_lookup, 6), (self.or_lookup, 5),
            (self.scan, 5), (self.join_key, 8), (self.left_join_key, 3), (self.join_broadcast, 5),
            (self.aggregate, 9), (self.count_distinct, 4), (self.group_having, 10),
            (self.order_limit, 10), (self.distinct, 5), (self.subquery, 3), (self.union, 2),
            (self.unsharded, 3), (self.expressions, 3), (self.prepared_read, 8),
            (self.insert_multi, 3), (self.update_key, 2), (self.update_range, 2),
            (self.delete_key, 1), (self.delete_range, 1), (self.write_unsharded, 1),
            (self.prepared_write, 2), (self.more_reads, 6), (self.more_writes, 1),
            (self.transaction, 1), (self.session_variable, 1), (self.edge_reads, 6),
            (self.prepared_edge, 1), (self.row_count, 0.5), (self.harder, 5),
        ]
        self.weights = [w for _, w in self.families]

    def queries(self, n):
        """About n statements: the statements of a transaction or a session
        variable's use come whole, so a few more may follow the n-th."""
        made = 0
        while made < n:
            family = self.rng.choices(self.families, self.weights)[0][0]
            got = family()
            for q in got if isinstance(got, list) else [got]:
                made += 1
                yield q

    # --- values ---

    def customer_id(self):
        r = self.rng.random()
        if r < 0.85:
            return self.rng.choice(self.data.customer_ids)
        if r < 0.95:
            return self.rng.randint(CUSTOMER_IDS[0] - 3, CUSTOMER_IDS[1] + 120)
        return self.rng.randint(self.next_customer - 20, self.next_customer + 5)

    def customer_ids(self, n):
        return sorted({self.customer_id() for _ in range(n)})

    def ledger_id(self):
        return self.rng.randint(-50, LEDGER_ID_MAX + 50)

    def visit_time(self):
        if self.rng.random() < 0.8:
            return self.rng.choice(self.data.visit_times)
        return rand_datetime(self.rng, datetime.datetime(2024, 1, 1), 366).replace(second=0)

    def date_in_2024(self):
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=self.rng.randrange(366))

    def tag_code(self):
        return change_case(self.rng, self.rng.choice(TAG_BASES))

    def amount(self):
        return money(self.rng, 0, 1500)

    def pick(self, seq):
        return self.rng.choice(seq)

    def some(self, seq, low, high):
        return self.rng.sample(seq, self.rng.randint(low, min(high, len(seq))))

    # --- reads ---

    def point(self):
        c = self.rng.randrange(6)
        if c == 0:
            return Query("point", "SELECT * FROM customers WHERE id = %d" % self.customer_id())
        if c == 1:
            cols = self.pick(["*", "id, amount, status", "id, created, qty * amount AS total"])
            return Query("point", "SELECT %s FROM orders WHERE customer_id = %s" % (
                cols, self.pick(["%d", "'%d'", "%d + 0"]) % self.customer_id()))
        if c == 2:
            return Query("point", "SELECT * FROM ledger WHERE id = %d" % self.ledger_id())
        if c == 3:
            return Query("point", "SELECT id, code, weight FROM tags WHERE code = %s"
                         % sql_literal(self.tag_code()))
        if c == 4:
            return Query("point", "SELECT * FROM visits WHERE visited = '%s'" % self.visit_time())
        return Query("point", "SELECT o.id, o.amount FROM orders o WHERE o.customer_id = %d "
                     "AND o.amount > %s" % (self.customer_id(), self.amount()))

    def range_lookup(self):
        c = self.rng.randrange(5)
        if c == 0:
            a = self.customer_id()
            b = a + self.pick([0, 3, 10, 50, 255, 600])
            return Query("range", "SELECT id, name, balance FROM customers WHERE id BETWEEN %d AND %d"
                         % (a, b))
        if c == 1:
            a = self.customer_id()
            return Query("range", "SELECT id, customer_id, amount FROM orders WHERE customer_id > %d "
                         "AND customer_id <= %d" % (a, a + self.pick([1, 7, 40, 300])))
        if c == 2:
            a = self.ledger_id()
            b = a + self.pick([5, 100, 900, 2500])
            return Query("range", "SELECT * FROM ledger WHERE id >= %d AND id < %d" % (a, b))
        if c == 3:
            d = self.date_in_2024()
            e = d + datetime.timedelta(days=self.pick([1, 3, 20, 45, 120]))
            return Query("range", "SELECT id, visited, page FROM visits WHERE visited >= '%s' "
                         "AND visited < '%s'" % (d, e))
        return Query("range", "SELECT id, amount FROM ledger WHERE id < %d" % self.pick([0, 500, 1500]))

    def in_lookup(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("in", "SELECT * FROM customers WHERE id IN (%s)"
                         % in_list(self.customer_ids(self.rng.randint(1, 12))))
        if c == 1:
            return Query("in", "SELECT id, customer_id, status FROM orders WHERE customer_id IN (%s)"
                         % in_list(self.customer_ids(self.rng.randint(1, 8))))
        if c == 2:
            return Query("in", "SELECT id, code FROM tags WHERE code IN (%s)"
                         % in_list({self.tag_code() for _ in range(self.rng.randint(1, 5))}))
        return Query("in", "SELECT id, account, amount FROM ledger WHERE id IN (%s)"
                     % in_list(sorted({self.ledger_id() for _ in range(self.rng.randint(1, 10))})))

    def or_lookup(self):
        c = self.rng.randrange(3)
        if c == 0:
            ids = self.customer_ids(self.rng.randint(2, 4))
            return Query("or", "SELECT id, name, tier FROM customers WHERE "
                         + " OR ".join("id = %d" % i for i in ids))
        if c == 1:
            ids = self.customer_ids(self.rng.randint(2, 4))
            return Query("or", "SELECT id, amount FROM orders WHERE ("
                         + " OR ".join("customer_id = %d" % i for i in ids)
                         + ") AND qty > %d" % self.rng.randint(1, 15))
        return Query("or", "SELECT id, amount, kind FROM ledger WHERE id = %d OR id = %d OR id BETWEEN %d AND %d"
                     % (self.ledger_id(), self.ledger_id(), *sorted([self.ledger_id(), self.ledger_id()])))

    def scan(self):
        c = self.rng.randrange(5)
        if c == 0:
            return Query("scan", "SELECT id, customer_id, amount, status FROM orders WHERE status = %s "
                         "AND amount > %s" % (sql_literal(change_case(self.rng, self.pick(STATUSES[:-1]))),
                                             money(self.rng, 0, 1900)))
        if c == 1:
            return Query("scan", "SELECT id, name, city FROM customers WHERE city = %s"
                         % sql_literal(self.pick(CITIES[:-1])))
        if c == 2:
            return Query("scan", "SELECT id, ms FROM visits WHERE ms IS NULL OR page = %s"
                         % sql_literal(self.pick(PAGES)))
        if c == 3:
            return Query("scan", "SELECT * FROM tags WHERE weight BETWEEN %d AND %d"
                         % tuple(sorted([self.rng.randint(-10, 100), self.rng.randint(-10, 100)])))
        return Query("scan", "SELECT id, balance FROM customers WHERE balance < %s AND tier IS NOT NULL"
                     % money(self.rng, -1000, 500))

    def join_key(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("join_key", "SELECT o.id, o.amount, c.name FROM orders o JOIN customers c "
                         "ON c.id = o.customer_id WHERE o.customer_id = %d" % self.customer_id())
        if c == 1:
            return Query("join_key", "SELECT o.id, c.id, c.city, o.status FROM orders o JOIN customers c "
                         "ON o.customer_id = c.id WHERE c.tier = %d AND o.amount > %s"
                         % (self.rng.randint(0, 4), money(self.rng, 0, 1500)))
        if c == 2:
            ids = self.customer_ids(self.rng.randint(2, 6))
            return Query("join_key", "SELECT c.name, o.id, o.created FROM customers c, orders o "
                         "WHERE o.customer_id = c.id AND c.id IN (%s)" % in_list(ids))
        return Query("join_key", "SELECT o.id, c.balance FROM orders o INNER JOIN customers c "
                     "ON c.id = o.customer_id WHERE o.qty = %d AND c.balance > %s"
                     % (self.rng.randint(1, 20), money(self.rng, -500, 15000)))

    def left_join_key(self):
        if self.rng.random() < 0.5:
            return Query("left_join", "SELECT o.id, o.customer_id, c.name FROM orders o LEFT JOIN customers c "
                         "ON c.id = o.customer_id WHERE o.amount > %s" % money(self.rng, 1000, 2000))
        return Query("left_join", "SELECT c.id, o.id FROM customers c LEFT JOIN orders o "
                     "ON o.customer_id = c.id AND o.qty > 15 WHERE c.id BETWEEN %d AND %d"
                     % (lambda a: (a, a + self.pick([5, 40, 400])))(self.customer_id()))

    def join_broadcast(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("join_broadcast", "SELECT o.id, k.name, k.vat FROM orders o JOIN countries k "
                         "ON k.code = o.country WHERE o.amount > %s" % money(self.rng, 500, 2000))
        if c == 1:
            return Query("join_broadcast", "SELECT c.id, c.name, k.region FROM customers c "
                         "LEFT JOIN countries k ON k.code = c.country WHERE c.id BETWEEN %d AND %d"
                         % (lambda a: (a, a + self.pick([10, 100, 700])))(self.customer_id()))
        if c == 2:
            return Query("join_broadcast", "SELECT k.region, COUNT(*) AS n, SUM(o.amount) AS total "
                         "FROM orders o JOIN countries k ON k.code = o.country GROUP BY k.region "
                         "ORDER BY k.region", ordered=True)
        return Query("join_broadcast", "SELECT o.id, o.amount, k.code FROM orders o JOIN countries k "
                     "ON k.code = o.country WHERE o.customer_id = %d" % self.customer_id())

    def where_orders(self):
        c = self.rng.randrange(6)
        if c == 0:
            return ""
        if c == 1:
            return " WHERE customer_id = %d" % self.customer_id()
        if c == 2:
            a = self.customer_id()
            return " WHERE customer_id BETWEEN %d AND %d" % (a, a + self.pick([3, 30, 200, 1000]))
        if c == 3:
            return " WHERE status = %s" % sql_literal(change_case(self.rng, self.pick(STATUSES[:-1])))
        if c == 4:
            return " WHERE created >= '%s'" % self.date_in_2024()
        return " WHERE customer_id IN (%s)" % in_list(self.customer_ids(4))

    def aggregate(self):
        c = self.rng.randrange(5)
        if c == 0:
            return Query("aggregate", "SELECT COUNT(*), COUNT(amount), SUM(amount), MIN(amount), MAX(amount), "
                         "AVG(amount) FROM orders" + self.where_orders())
        if c == 1:
            return Query("aggregate", "SELECT SUM(qty), AVG(qty), MIN(created), MAX(created), "
                         "AVG(discount), SUM(discount) FROM orders" + self.where_orders())
        if c == 2:
            a = self.ledger_id()
            return Query("aggregate", "SELECT COUNT(*), SUM(amount), AVG(amount), MIN(booked), MAX(booked) "
                         "FROM ledger WHERE id BETWEEN %d AND %d" % (a, a + self.pick([10, 800, 3000])))
        if c == 3:
            return Query("aggregate", "SELECT MIN(name), MAX(name), MIN(city), MAX(city), COUNT(city), "
                         "AVG(balance) FROM customers WHERE tier = %d" % self.rng.randint(0, 4),
                         ci=(0, 1, 2, 3))
        d = self.date_in_2024()
        return Query("aggregate", "SELECT COUNT(*), SUM(ms), AVG(ms), MAX(ms) FROM visits "
                     "WHERE visited BETWEEN '%s' AND '%s'" % (d, d + datetime.timedelta(days=self.pick([2, 30, 200]))))

    def count_distinct(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("count_distinct", "SELECT COUNT(DISTINCT status), COUNT(DISTINCT customer_id), "
                         "COUNT(*) FROM orders" + self.where_orders())
        if c == 1:
            return Query("count_distinct", "SELECT COUNT(DISTINCT city) FROM customers")
        if c == 2:
            return Query("count_distinct", "SELECT status, COUNT(DISTINCT country) AS countries FROM orders "
                         "GROUP BY status ORDER BY status", ordered=True, ci=(0,))
        return Query("count_distinct", "SELECT COUNT(DISTINCT code), COUNT(DISTINCT weight) FROM tags")

    def group_having(self):
        c = self.rng.randrange(7)
        if c == 0:
            return Query("group", "SELECT status, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS mean "
                         "FROM orders%s GROUP BY status HAVING COUNT(*) > %d"
                         % (self.where_orders(), self.rng.randint(0, 300)), ci=(0,))
        if c == 1:
            return Query("group", "SELECT customer_id, COUNT(*) AS n, SUM(amount) FROM orders "
                         "GROUP BY customer_id HAVING SUM(amount) > %s" % money(self.rng, 1000, 6000))
        if c == 2:
            return Query("group", "SELECT tier, COUNT(*), MIN(balance), MAX(balance), AVG(balance) "
                         "FROM customers GROUP BY tier HAVING MAX(balance) >= %s ORDER BY tier"
                         % money(self.rng, 0, 20000), ordered=True)
        if c == 3:
            return Query("group", "SELECT account, COUNT(*) AS n, SUM(amount) AS s FROM ledger "
                         "GROUP BY account HAVING n BETWEEN %d AND %d AND s < %d ORDER BY s DESC, account"
                         % (self.rng.randint(20, 35), self.rng.randint(35, 60), self.rng.randint(-20000, 20000)),
                         ordered=True)
        if c == 4:
            return Query("group", "SELECT c.country, COUNT(*) AS n, SUM(o.amount) FROM orders o JOIN customers c "
                         "ON c.id = o.customer_id GROUP BY c.country HAVING COUNT(*) > %d ORDER BY n DESC, c.country"
                         % self.rng.randint(50, 300), ordered=True, ci=(0,))
        if c == 5:
            return Query("group", "SELECT page, COUNT(*) AS n, AVG(ms) AS mean FROM visits WHERE visited < '%s' "
                         "GROUP BY page HAVING AVG(ms) > %d OR COUNT(*) < %d"
                         % (self.date_in_2024(), self.rng.randint(2000, 3000), self.rng.randint(10, 200)),
                         ci=(0,))
        return Query("group", "SELECT kind, YEAR(booked) AS y, COUNT(*), SUM(amount) FROM ledger "
                     "GROUP BY kind, YEAR(booked) HAVING COUNT(*) >= %d ORDER BY kind, y"
                     % self.rng.randint(1, 150), ordered=True, ci=(0,))

    def order_limit(self):
        c = self.rng.randrange(7)
        limit = self.pick(["LIMIT %d" % self.rng.randint(1, 30),
                           "LIMIT %d, %d" % (self.rng.randint(0, 200), self.rng.randint(1, 25)),
                           "LIMIT %d OFFSET %d" % (self.rng.randint(1, 25), self.rng.randint(0, 500))])
        if c == 0:
            return Query("order_limit", "SELECT id, customer_id, amount FROM orders%s ORDER BY amount %s, id %s"
                         % (self.where_orders(), self.pick(["", "DESC"]), limit), ordered=True)
        if c == 1:
            return Query("order_limit", "SELECT id, name FROM customers ORDER BY name, id %s" % limit,
                         ordered=True)
        if c == 2:
            return Query("order_limit", "SELECT id, amount, booked FROM ledger ORDER BY booked DESC, id %s"
                         % limit, ordered=True)
        if c == 3:
            return Query("order_limit", "SELECT id, visited, page FROM visits WHERE visited > '%s' "
                         "ORDER BY visited, id %s" % (self.date_in_2024(), limit), ordered=True)
        if c == 4:
            return Query("order_limit", "SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM orders "
                         "GROUP BY customer_id ORDER BY n DESC, customer_id %s" % limit, ordered=True)
        if c == 5:
            return Query("order_limit", "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
                         "ORDER BY o.created DESC, o.id %s" % limit, ordered=True)
        return Query("order_limit", "SELECT id, code, weight FROM tags ORDER BY weight, code, id %s" % limit,
                     ordered=True)

    def distinct(self):
        c = self.rng.randrange(5)
        if c == 0:
            return Query("distinct", "SELECT DISTINCT status FROM orders" + self.where_orders(), ci=(0,))
        if c == 1:
            return Query("distinct", "SELECT DISTINCT tier FROM customers ORDER BY tier", ordered=True)
        if c == 2:
            return Query("distinct", "SELECT DISTINCT city, country FROM customers WHERE tier = %d"
                         % self.rng.randint(0, 4), ci=(0, 1))
        if c == 3:
            return Query("distinct", "SELECT DISTINCT qty FROM orders WHERE amount > %s ORDER BY qty DESC LIMIT %d"
                         % (money(self.rng, 0, 1500), self.rng.randint(1, 10)), ordered=True)
        return Query("distinct", "SELECT DISTINCT account FROM ledger WHERE kind = %s"
                     % sql_literal(change_case(self.rng, self.pick(KINDS[:-1]))))

    def subquery(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("subquery", "SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o "
                         "WHERE o.customer_id = c.id AND o.amount > %s)" % money(self.rng, 1500, 2000))
        if c == 1:
            return Query("subquery", "SELECT c.id FROM customers c WHERE c.tier = %d AND NOT EXISTS "
                         "(SELECT 1 FROM orders o WHERE o.customer_id = c.id)" % self.rng.randint(0, 4))
        if c == 2:
            return Query("subquery", "SELECT c.id, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n "
                         "FROM customers c WHERE c.balance > %s" % money(self.rng, 15000, 20000))
        return Query("subquery", "SELECT id, amount FROM orders WHERE customer_id IN "
                     "(SELECT id FROM customers WHERE city = %s)" % sql_literal(self.pick(CITIES[:-1])))

    def union(self):
        if self.rng.random() < 0.5:
            return Query("union", "SELECT id FROM orders WHERE customer_id = %d UNION ALL "
                         "SELECT id FROM orders WHERE customer_id = %d" % (self.customer_id(), self.customer_id()))
        return Query("union", "SELECT customer_id FROM orders WHERE amount > %s UNION "
                     "SELECT id FROM customers WHERE tier = %d ORDER BY 1 LIMIT %d"
                     % (money(self.rng, 1500, 2000), self.rng.randint(0, 4), self.rng.randint(5, 50)),
                     ordered=True)

    def unsharded(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("unsharded", "SELECT category, COUNT(*), AVG(price), SUM(stock) FROM products "
                         "GROUP BY category", ci=(0,))
        if c == 1:
            return Query("unsharded", "SELECT * FROM countries WHERE region = %s"
                         % sql_literal(self.pick(["Europe", "Asia", "Nordics", "Americas"])))
        if c == 2:
            return Query("unsharded", "SELECT id, name, price FROM products WHERE price > %s ORDER BY price, id LIMIT 10"
                         % money(self.rng, 1, 300), ordered=True)
        ids = [i for i in self.data.customer_ids if i % 2 == 1]
        return Query("unsharded", "SELECT o.id, p.name FROM orders o JOIN products p ON p.id = o.qty "
                     "WHERE o.customer_id = %d" % self.pick(ids))

    def expressions(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("expressions", "SELECT id, amount * qty AS total, UPPER(status), "
                         "DATE_FORMAT(created, '%%Y-%%m') FROM orders WHERE customer_id = %d" % self.customer_id())
        if c == 1:
            return Query("expressions", "SELECT DATE_FORMAT(visited, '%Y-%m') AS m, COUNT(*), MIN(visited) "
                         "FROM visits GROUP BY m ORDER BY m", ordered=True)
        if c == 2:
            return Query("expressions", "SELECT id, CONCAT(name, ' / ', COALESCE(city, '-')), balance / 3 "
                         "FROM customers WHERE id BETWEEN %d AND %d"
                         % (lambda a: (a, a + 30))(self.customer_id()))
        return Query("expressions", "SELECT SUM(amount * qty), SUM(amount) * 2, COUNT(*) + 1 FROM orders"
                     + self.where_orders())

    def prepared_read(self):
        c = self.rng.randrange(7)
        if c == 0:
            return Query("prepared", "SELECT id, amount, status, created FROM orders WHERE customer_id = ? "
                         "ORDER BY id", params=(self.customer_id(),), ordered=True)
        if c == 1:
            return Query("prepared", "SELECT * FROM customers WHERE id IN (?, ?, ?)",
                         params=tuple(self.customer_id() for _ in range(3)))
        if c == 2:
            a = self.customer_id()
            return Query("prepared", "SELECT COUNT(*), SUM(amount), AVG(amount), MAX(created) FROM orders "
                         "WHERE customer_id BETWEEN ? AND ?", params=(a, a + self.pick([2, 20, 200])))
        if c == 3:
            a = self.ledger_id()
            return Query("prepared", "SELECT id, amount, booked FROM ledger WHERE id >= ? AND id < ? "
                         "ORDER BY id LIMIT ?", params=(a, a + self.pick([10, 1200]), self.rng.randint(1, 40)),
                         ordered=True)
        if c == 4:
            return Query("prepared", "SELECT id, code, label, weight FROM tags WHERE code = ?",
                         params=(self.tag_code(),))
        if c == 5:
            d = self.date_in_2024()
            return Query("prepared", "SELECT id, visited, ms FROM visits WHERE visited >= ? AND visited < ?",
                         params=(str(d), str(d + datetime.timedelta(days=self.pick([1, 10, 60])))))
        return Query("prepared", "SELECT o.id, c.name, o.amount FROM orders o JOIN customers c "
                     "ON c.id = o.customer_id WHERE o.customer_id = ? AND o.amount > ?",
                     params=(self.customer_id(), str(money(self.rng, 0, 1000))))

    # --- writes ---

    def new_order(self):
        i = self.next_order
        self.next_order += 1
        return (i, self.customer_id(), self.pick([None, self.amount()]), self.pick([None, self.rng.randint(1, 20)]),
                self.pick(STATUSES), rand_datetime(self.rng, datetime.datetime(2023, 1, 1), 730),
                self.pick(COUNTRY_CODES + [None]), self.pick([None, decimal.Decimal("0.125")]))

    def insert_multi(self):
        c = self.rng.randrange(6)
        n = self.rng.randint(2, 12)
        if c == 0:
            rows = [self.new_order() for _ in range(n)]
            return Query("insert", insert_sql(TABLES["orders"], rows), writes="orders")
        if c == 1:
            rows = []
            for _ in range(n):
                rows.append((self.next_customer, "%s %s" % (self.pick(FIRST_NAMES), self.pick(LAST_NAMES)),
                             self.pick(CITIES), self.pick(COUNTRY_CODES), self.amount(), self.date_in_2024(),
                             self.rng.randint(0, 4)))
                self.next_customer += 1
            return Query("insert", insert_sql(TABLES["customers"], rows), writes="customers")
        if c == 2:
            rows = []
            for _ in range(n):
                rows.append((self.next_ledger, self.rng.randint(1, 60), self.pick(KINDS),
                             money(self.rng, -100, 100, 3), self.date_in_2024(), None))
                self.next_ledger += 1
            rows += [(-100 - self.next_ledger, 7, "fee", decimal.Decimal("1.005"), datetime.date(2024, 5, 5),
                      "low")]
            self.next_ledger += 1
            return Query("insert", insert_sql(TABLES["ledger"], rows), writes="ledger")
        if c == 3:
            rows = []
            for _ in range(n):
                rows.append((self.next_visit, rand_datetime(self.rng, datetime.datetime(2024, 1, 1), 366),
                             self.customer_id(), self.pick(PAGES), self.rng.randint(5, 5000)))
                self.next_visit += 1
            return Query("insert", insert_sql(TABLES["visits"], rows), writes="visits")
        if c == 4:
            rows = []
            for _ in range(n):
                rows.append((self.next_tag, self.tag_code(), "new", self.rng.randint(0, 9)))
                self.next_tag += 1
            return Query("insert", insert_sql(TABLES["tags"], rows), writes="tags")
        rows = [(self.next_product, "product new %d" % self.next_product, self.pick(CATEGORIES),
                 money(self.rng, 1, 50), 3)]
        self.next_product += 1
        return Query("insert", insert_sql(TABLES["products"], rows), writes="products")

    def update_key(self):
        c = self.rng.randrange(4)
        if c == 0:
            return Query("update", "UPDATE orders SET amount = amount + 1.25, status = %s WHERE customer_id = %d"
                         % (sql_literal(self.pick(STATUSES[:-1])), self.customer_id()), writes="orders")
        if c == 1:
            return Query("update", "UPDATE customers SET balance = balance - 10.5, tier = %d WHERE id IN (%s)"
                         % (self.rng.randint(0, 4), in_list(self.customer_ids(3))), writes="customers")
        if c == 2:
            return Query("update", "UPDATE tags SET weight = weight + 1 WHERE code = %s"
                         % sql_literal(self.tag_code()), writes="tags")
        return Query("update", "UPDATE ledger SET memo = 'touched', amount = amount * 2 WHERE id = %d"
                     % self.ledger_id(), writes="ledger")

    def update_range(self):
        c = self.rng.randrange(4)
        if c == 0:
            a = self.customer_id()
            return Query("update", "UPDATE orders SET qty = qty + 1 WHERE customer_id BETWEEN %d AND %d AND qty < 20"
                         % (a, a + self.pick([5, 100])), writes="orders")
        if c == 1:
            a = self.ledger_id()
            return Query("update", "UPDATE ledger SET kind = 'adjusted' WHERE id >= %d AND id < %d"
                         % (a, a + self.pick([30, 1500])), writes="ledger")
        if c == 2:
            d = self.date_in_2024()
            return Query("update", "UPDATE visits SET ms = ms + 7 WHERE visited >= '%s' AND visited < '%s'"
                         % (d, d + datetime.timedelta(days=self.pick([1, 40]))), writes="visits")
        return Query("update", "UPDATE orders SET discount = 0.5 WHERE status = %s AND amount < %s"
                     % (sql_literal(self.pick(STATUSES[:-1])), money(self.rng, 0, 50)), writes="orders")

    def delete_key(self):
        c = self.rng.randrange(3)
        if c == 0:
            return Query("delete", "DELETE FROM orders WHERE customer_id = %d AND id %% 3 = 0" % self.customer_id(),
                         writes="orders")
        if c == 1:
            return Query("delete", "DELETE FROM tags WHERE code = %s AND weight > 50" % sql_literal(self.tag_code()),
                         writes="tags")
        return Query("delete", "DELETE FROM ledger WHERE id IN (%s)"
                     % in_list(sorted({self.ledger_id() for _ in range(4)})), writes="ledger")

    def delete_range(self):
        c = self.rng.randrange(3)
        if c == 0:
            a = self.ledger_id()
            return Query("delete", "DELETE FROM ledger WHERE id >= %d AND id < %d" % (a, a + 15), writes="ledger")
        if c == 1:
            t = self.visit_time()
            return Query("delete", "DELETE FROM visits WHERE visited BETWEEN '%s' AND '%s'"
                         % (t, t + datetime.timedelta(hours=12)), writes="visits")
        a = self.customer_id()
        return Query("delete", "DELETE FROM orders WHERE customer_id BETWEEN %d AND %d AND amount < 100"
                     % (a, a + 10), writes="orders")

    def write_unsharded(self):
        if self.rng.random() < 0.6:
            return Query("write_unsharded", "UPDATE countries SET vat = vat + 0.25 WHERE region = %s"
                         % sql_literal(self.pick(["Europe", "Asia", "Nordics", "Americas"])), writes="countries")
        return Query("write_unsharded", "UPDATE products SET stock = stock - 1 WHERE category = %s"
                     % sql_literal(self.pick(CATEGORIES)), writes="products")

    def prepared_write(self):
        c = self.rng.randrange(3)
        if c == 0:
            return Query("prepared_write", "UPDATE orders SET qty = qty + ? WHERE customer_id = ?",
                         params=(self.rng.randint(1, 3), self.customer_id()), writes="orders")
        if c == 1:
            rows = [self.new_order() for _ in range(3)]
            params = tuple(v if v is None or isinstance(v, int) else str(v) for r in rows for v in r)
            row = "(" + ", ".join("?" * len(TABLES["orders"].columns)) + ")"
            return Query("prepared_write", "INSERT INTO orders (%s) VALUES %s"
                         % (", ".join(TABLES["orders"].column_names), ", ".join([row] * 3)),
                         params=params, writes="orders")
        return Query("prepared_write", "DELETE FROM tags WHERE code = ? AND id > ?",
                     params=(self.tag_code(), self.rng.randint(1, TAG_IDS)), writes="tags")


    def more_reads(self):
        c = self.rng.randrange(20)
        k = self.customer_id()
        if c == 0:
            return Query("more", "SELECT COUNT(*), SUM(amount), AVG(qty), MIN(created) FROM orders "
                         "WHERE customer_id = %d AND id < 0" % k)
        if c == 1:
            return Query("more", "SELECT o.id, c.name, k.region FROM orders o JOIN customers c ON c.id = o.customer_id "
                         "JOIN countries k ON k.code = c.country WHERE o.customer_id IN (%s)"
                         % in_list(self.customer_ids(5)))
        if c == 2:
            return Query("more", "SELECT id, amount FROM orders WHERE (customer_id, qty) IN ((%d, %d), (%d, %d))"
                         % (k, self.rng.randint(1, 20), self.customer_id(), self.rng.randint(1, 20)))
        if c == 3:
            return Query("more", "SELECT id, name FROM customers WHERE id <=> %d OR id = %d * 2"
                         % (k, self.rng.randint(1, 600)))
        if c == 4:
            return Query("more", "SELECT COUNT(*) AS n, SUM(s) FROM (SELECT customer_id, SUM(amount) AS s FROM orders "
                         "GROUP BY customer_id) t WHERE t.s > %s" % money(self.rng, 0, 5000))
        if c == 5:
            return Query("more", "SELECT id, amount FROM orders WHERE customer_id NOT IN "
                         "(SELECT id FROM customers WHERE tier IS NOT NULL) AND amount > %s"
                         % money(self.rng, 500, 2000))
        if c == 6:
            return Query("more", "SELECT id FROM orders WHERE customer_id = %d UNION ALL SELECT id FROM orders "
                         "WHERE customer_id = %d ORDER BY id DESC LIMIT %d"
                         % (k, self.customer_id(), self.rng.randint(1, 10)), ordered=True)
        if c == 7:
            return Query("more", "SELECT status, COUNT(DISTINCT customer_id) AS buyers, MAX(amount) FROM orders "
                         "GROUP BY status HAVING buyers > %d ORDER BY buyers DESC, status"
                         % self.rng.randint(10, 500), ordered=True, ci=(0,))
        if c == 8:
            return Query("more", "SELECT DISTINCT country FROM orders WHERE amount > %s ORDER BY country LIMIT %d, %d"
                         % (money(self.rng, 0, 1000), self.rng.randint(0, 5), self.rng.randint(1, 10)),
                         ordered=True, ci=(0,))
        if c == 9:
            return Query("more", "SELECT YEAR(created) AS y, MONTH(created) AS m, COUNT(*), SUM(amount), "
                         "AVG(discount) FROM orders GROUP BY YEAR(created), MONTH(created) ORDER BY y DESC, m DESC",
                         ordered=True)
        if c == 10:
            return Query("more", "SELECT id, balance FROM customers ORDER BY balance DESC, id LIMIT %d OFFSET %d"
                         % (self.rng.randint(1, 20), self.rng.randint(0, 1300)), ordered=True)
        if c == 11:
            return Query("more", "SELECT code, COUNT(*), SUM(weight), MIN(label) FROM tags WHERE code IN (%s) "
                         "GROUP BY code" % in_list({self.tag_code() for _ in range(3)}), ci=(0,))
        if c == 12:
            return Query("more", "SELECT COUNT(*), COUNT(qty), SUM(amount), AVG(amount), MIN(status), "
                         "COUNT(DISTINCT country) FROM orders WHERE amount < 0")
        if c == 13:
            return Query("more", "SELECT id, amount * qty AS total FROM orders WHERE customer_id BETWEEN %d AND %d "
                         "ORDER BY amount * qty DESC, id LIMIT %d" % (k, k + 300, self.rng.randint(1, 20)),
                         ordered=True)
        if c == 14:
            return Query("more", "SELECT customer_id, id, created FROM orders WHERE qty = %d ORDER BY 1 DESC, 2 LIMIT %d"
                         % (self.rng.randint(1, 20), self.rng.randint(0, 30)), ordered=True)
        if c == 15:
            return Query("more", "SELECT o.id, o.customer_id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
                         "WHERE c.id IS NULL")
        if c == 16:
            return Query("more", "SELECT tier, signup, COUNT(*) FROM customers WHERE signup >= '%s' "
                         "GROUP BY tier, signup HAVING COUNT(*) > 1 ORDER BY tier DESC, signup" % self.date_in_2024(),
                         ordered=True)
        if c == 17:
            return Query("more", "SELECT DATE(created) AS d, COUNT(*) AS n, SUM(qty) FROM orders WHERE created >= '%s' "
                         "GROUP BY DATE(created) ORDER BY n DESC, d LIMIT %d"
                         % (self.date_in_2024(), self.rng.randint(1, 15)), ordered=True)
        if c == 18:
            return Query("more", "SELECT MIN(visited), MAX(visited), COUNT(DISTINCT page), SUM(ms) FROM visits "
                         "WHERE visited < '%s' OR customer_id = %d" % (self.date_in_2024(), k), ci=())
        return Query("more", "SELECT country, tier, COUNT(*) AS n FROM customers GROUP BY country, tier "
                     "ORDER BY country DESC, tier DESC", ordered=True, ci=(0,))

    def edge_reads(self):
        c = self.rng.randrange(18)
        k = self.customer_id()
        limit = self.rng.randint(1, 12)
        if c == 0:
            return Query("edge", self.pick(["SELECT * FROM orders", "SELECT * FROM visits", "SELECT * FROM customers"]))
        if c == 1:
            return Query("edge", "SELECT id, signup FROM customers ORDER BY signup %s, id LIMIT %d"
                         % (self.pick(["", "DESC"]), self.rng.randint(1, 200)), ordered=True)
        if c == 2:
            return Query("edge", "SELECT id, name FROM customers ORDER BY name DESC, id LIMIT %d, %d"
                         % (self.rng.randint(0, 1200), limit), ordered=True)
        if c == 3:
            return Query("edge", "SELECT id, city FROM customers ORDER BY city, id LIMIT %d, %d"
                         % (self.rng.randint(0, 1200), limit), ordered=True)
        if c == 4:
            return Query("edge", "SELECT COUNT(DISTINCT name), COUNT(DISTINCT city), COUNT(DISTINCT country) "
                         "FROM customers WHERE id > %d" % k)
        if c == 5:
            return Query("edge", "SELECT status, COUNT(*) FROM orders GROUP BY status HAVING MIN(amount) < %s"
                         % money(self.rng, 0, 30), ci=(0,))
        if c == 6:
            return Query("edge", "SELECT customer_id FROM orders GROUP BY customer_id ORDER BY SUM(amount) %s, "
                         "customer_id LIMIT %d" % (self.pick(["", "DESC"]), limit), ordered=True)
        if c == 7:
            return Query("edge", "SELECT customer_id, COUNT(*), MAX(created) FROM orders WHERE customer_id > %d "
                         "GROUP BY customer_id LIMIT %d" % (k, limit), ordered=True)
        if c == 8:
            return Query("edge", "SELECT ID, Amount AS `Total Amount`, `status` FROM orders WHERE customer_id = %d" % k)
        if c == 9:
            return Query("edge", self.pick(["SELECT id FROM orders WHERE customer_id IS NULL",
                                            "SELECT id FROM customers WHERE id = NULL",
                                            "SELECT id FROM customers WHERE id BETWEEN %d AND %d" % (k + 5, k)]))
        if c == 10:
            code = self.tag_code() + self.pick(["", " ", "   "])
            return Query("edge", "SELECT id, code FROM tags WHERE code = %s OR code = %s"
                         % (sql_literal(code), sql_literal(self.tag_code())))
        if c == 11:
            return Query("edge", "SELECT id, visited FROM visits WHERE visited = '%s'" % self.date_in_2024())
        if c == 12:
            return Query("edge", "SELECT id, visited FROM visits WHERE visited >= '%s' AND visited < '%s'"
                         % self.pick([("2023-06-01", "2024-02-01"), ("2024-11-20", "2025-03-01"),
                                      ("2020-01-01", "2030-01-01")]))
        if c == 13:
            return Query("edge", "SELECT page, MIN(ms), MAX(ms), AVG(ms), COUNT(DISTINCT customer_id) FROM visits "
                         "GROUP BY page ORDER BY page DESC", ordered=True, ci=(0,))
        if c == 14:
            return Query("edge", "SELECT account, kind, SUM(amount), AVG(amount) FROM ledger WHERE account = %d "
                         "GROUP BY account, kind" % self.rng.randint(1, 60), ci=(1,))
        if c == 15:
            return Query("edge", "SELECT id, amount FROM ledger ORDER BY amount, id LIMIT %d OFFSET %d"
                         % (limit, self.rng.randint(0, 2000)), ordered=True)
        if c == 16:
            return Query("edge", "SELECT id, balance, tier FROM customers WHERE tier IN (%d, %d) AND balance IS NULL"
                         % (self.rng.randint(0, 4), self.rng.randint(0, 4)))
        return Query("edge", "SELECT o.customer_id, COUNT(*) AS n, SUM(o.amount), MAX(c.balance) FROM orders o "
                     "JOIN customers c ON c.id = o.customer_id WHERE o.customer_id BETWEEN %d AND %d "
                     "GROUP BY o.customer_id HAVING n > 1 ORDER BY n DESC, o.customer_id" % (k, k + 100),
                     ordered=True)

    def prepared_edge(self):
        c = self.rng.randrange(3)
        if c == 0:
            return Query("prepared", "SELECT id, amount FROM orders WHERE customer_id = ?",
                         params=(str(self.customer_id()),))
        if c == 1:
            return Query("prepared", "SELECT id FROM customers WHERE id = ? OR tier = ?",
                         params=(self.customer_id(), None))
        return Query("prepared", "SELECT status, COUNT(*), SUM(amount) FROM orders WHERE customer_id IN (?, ?, ?, ?) "
                     "GROUP BY status", params=tuple(self.customer_id() for _ in range(4)), ci=(0,))

    def row_count(self):
        ids = self.customer_ids(4)
        return [Query("row_count", "UPDATE orders SET qty = qty + 1 WHERE customer_id IN (%s) AND qty < 20"
                      % in_list(ids), writes="orders"),
                Query("row_count", "SELECT ROW_COUNT()")]

    def harder(self):
        c = self.rng.randrange(16)
        k = self.customer_id()
        if c == 0:
            shard = self.rng.randrange(6)
            return Query("hint", "/* tessera: shard=%d */ SELECT COUNT(*), SUM(balance), MIN(name) FROM customers" % shard,
                         ref_sql="SELECT COUNT(*), SUM(balance), MIN(name) FROM customers "
                         "WHERE MOD(MOD(id, 6) + 6, 6) = %d" % shard, ci=(2,))
        if c == 1:
            shard, qty = self.rng.randrange(6), self.rng.randint(1, 20)
            return Query("hint", "SELECT id, amount FROM orders /* tessera: shard=%d */ WHERE qty = %d" % (shard, qty),
                         ref_sql="SELECT id, amount FROM orders WHERE qty = %d AND MOD(MOD(customer_id, 6) + 6, 6) = %d"
                         % (qty, shard))
        if c == 2:
            return Query("harder", "SELECT id FROM customers WHERE id IN (%s)"
                         % in_list(self.customer_ids(self.rng.randint(60, 250))))
        if c == 3:
            return Query("harder", "SELECT COUNT(*), SUM(amount) FROM orders WHERE customer_id IN "
                         "(SELECT id FROM customers WHERE tier = %d)" % self.rng.randint(0, 4))
        if c == 4:
            having = self.pick(["MIN(amount) IS NULL", "COUNT(*) IN (1, 2, 3)", "NOT (SUM(qty) > 40)",
                                "MAX(amount) BETWEEN 100 AND 900 OR COUNT(*) = 1", "AVG(qty) > 10 AND MIN(qty) < 3"])
            return Query("harder", "SELECT customer_id, COUNT(*), SUM(qty) FROM orders WHERE customer_id < %d "
                         "GROUP BY customer_id HAVING %s" % (k, having))
        if c == 5:
            return Query("harder", "SELECT k.region, COUNT(*), AVG(o.amount) FROM orders o LEFT JOIN countries k "
                         "ON k.code = o.country GROUP BY k.region ORDER BY k.region", ordered=True)
        if c == 6:
            return Query("harder", "SELECT status, AVG(amount - discount), SUM(amount * qty), MAX(amount / qty) "
                         "FROM orders GROUP BY status", ci=(0,))
        if c == 7:
            return Query("harder", "SELECT DISTINCT customer_id FROM orders ORDER BY customer_id LIMIT %d OFFSET %d"
                         % (self.rng.randint(1, 30), self.rng.randint(0, 1300)), ordered=True)
        if c == 8:
            return Query("harder", "SELECT id, customer_id FROM orders WHERE customer_id %% 6 = %d AND qty = %d"
                         % (self.rng.randrange(6), self.rng.randint(1, 20)))
        if c == 9:
            return Query("harder", "SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY customer_id "
                         "ORDER BY total %s, customer_id LIMIT %d" % (self.pick(["", "DESC"]), self.rng.randint(1, 40)),
                         ordered=True)
        if c == 10:
            return Query("prepared", "SELECT status, COUNT(*), AVG(amount), MIN(created), MAX(discount) FROM orders "
                         "WHERE created >= ? GROUP BY status ORDER BY status", params=(str(self.date_in_2024()),),
                         ordered=True, ci=(0,))
        if c == 11:
            return Query("prepared", "SELECT id, name, signup, balance FROM customers WHERE balance > ? "
                         "ORDER BY signup DESC, id LIMIT ?", params=(str(money(self.rng, 0, 20000)),
                                                                    self.rng.randint(1, 50)), ordered=True)
        if c == 12:
            return Query("prepared", "SELECT o.id, o.created, c.name, k.vat FROM orders o JOIN customers c "
                         "ON c.id = o.customer_id LEFT JOIN countries k ON k.code = c.country "
                         "WHERE o.amount > ? AND c.tier = ?", params=(str(money(self.rng, 1000, 2000)),
                                                                     self.rng.randint(0, 4)))
        if c == 13:
            return Query("cursor", "SELECT id, visited, ms FROM visits WHERE visited >= ? ORDER BY visited, id",
                         params=(str(self.date_in_2024()),), ordered=True, cursor=True)
        if c == 14:
            return Query("cursor", "SELECT status, COUNT(*), SUM(amount) FROM orders WHERE customer_id BETWEEN ? AND ? "
                         "GROUP BY status", params=(k, k + self.pick([3, 300])), ci=(0,), cursor=True)
        return Query("cursor", "SELECT * FROM ledger WHERE id >= ? AND id < ?",
                     params=(self.ledger_id(), self.ledger_id() + 500), cursor=True)

    def existing_customer(self):
        return (self.pick(self.data.customer_ids), "%s %s" % (self.pick(FIRST_NAMES), self.pick(LAST_NAMES)),
                self.pick(CITIES), self.pick(COUNTRY_CODES), self.amount(), self.date_in_2024(), self.rng.randint(0, 4))

    def more_writes(self):
        c = self.rng.randrange(8)
        if c == 0:
            offset = 1000000 * self.rng.randint(1, 2000)
            return Query("more_writes", "INSERT INTO orders (id, customer_id, amount, qty, status, created, country, "
                         "discount) SELECT id + %d, customer_id, amount, qty, 'copied', created, country, discount "
                         "FROM orders WHERE customer_id = %d AND id < %d" % (offset, self.customer_id(), ORDER_IDS),
                         writes="orders")
        if c == 1:
            return Query("more_writes", "UPDATE orders o JOIN customers c ON c.id = o.customer_id "
                         "SET o.discount = 0.2 WHERE c.tier = %d AND o.qty = %d"
                         % (self.rng.randint(0, 4), self.rng.randint(1, 20)), writes="orders")
        if c == 2:
            return Query("more_writes", "DELETE FROM visits WHERE id = %d" % self.rng.randint(1, VISIT_IDS),
                         writes="visits")
        if c == 3:
            return Query("more_writes", "REPLACE INTO customers (%s) VALUES %s"
                         % (", ".join(TABLES["customers"].column_names),
                            ", ".join("(" + in_list(self.existing_customer()) + ")" for _ in range(3))),
                         writes="customers")
        if c == 4:
            rows = [self.existing_customer() for _ in range(2)] + [
                (self.next_customer, "new one", None, None, None, None, None)]
            self.next_customer += 1
            return Query("more_writes", "INSERT INTO customers (%s) VALUES %s ON DUPLICATE KEY UPDATE "
                         "balance = balance + 1, tier = VALUES(tier)"
                         % (", ".join(TABLES["customers"].column_names),
                            ", ".join("(" + in_list(r) + ")" for r in rows)), writes="customers")
        if c == 5:
            rows = [self.existing_customer(), (self.next_customer, "ignored?", "Oslo", "NO", None, None, 1)]
            self.next_customer += 1
            return Query("more_writes", "INSERT IGNORE INTO customers (%s) VALUES %s"
                         % (", ".join(TABLES["customers"].column_names),
                            ", ".join("(" + in_list(r) + ")" for r in rows)), writes="customers")
        if c == 6:
            return Query("more_writes", "UPDATE orders SET qty = 0 WHERE customer_id = %d ORDER BY id DESC LIMIT 1"
                         % self.customer_id(), writes="orders")
        if c == 7 and self.rng.random() < 0.3:
            self.next_visit += 1
            return Query("more_writes", "INSERT INTO visits (id, visited, page) VALUES (%d, '2025-01-01 10:00:00', "
                         "'/outside')" % (self.next_visit - 1), writes="visits")
        return Query("more_writes", "DELETE FROM ledger WHERE id BETWEEN %d AND %d ORDER BY id LIMIT 2"
                     % (lambda a: (a, a + 50))(self.rng.randint(1000, 1990)), writes="ledger")

    def session_variable(self):
        k = self.customer_id()
        return [Query("session", "SET @k = %d" % k),
                Query("session", "SELECT id, amount FROM orders WHERE customer_id = @k"),
                Query("session", "SELECT COUNT(*), @k FROM customers WHERE id > @k")]

    def transaction(self):
        k = self.customer_id()
        statements = [Query("transaction", "BEGIN"),
                      Query("transaction", insert_sql(TABLES["orders"], [self.new_order() for _ in range(4)])),
                      Query("transaction", "UPDATE orders SET status = 'in tx' WHERE customer_id = %d" % k),
                      Query("transaction", "SELECT id, status FROM orders WHERE customer_id = %d OR status = 'in tx'"
                            % k)]
        end = self.pick(["COMMIT", "ROLLBACK"])
        return statements + [Query("transaction", end, writes="orders")]
