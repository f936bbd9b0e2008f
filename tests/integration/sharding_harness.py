"""Shared pieces of the sharding integration tests (test_sharding*.py and
test_xa_recovery_lib.py): shard maps over the two fixture servers, a test
case whose tessera routes with one, direct statements on a backend, and
what XA RECOVER and an XA decision log hold.

A shard map written here has groups g1 and g2, the first and second fixture
servers, g1 as its default group and the fixture account (harness.USER) as
its only user; the tables block is the caller's."""

import os

import harness


def hash_table(key, shards, groups=("g1", "g2")):
    """The map entry of a table hashed on key over shards shards, shard i on groups[i mod len(groups)]."""
    return '{ shard_key = "%s", method = "hash", shards = %d, groups = { %s } }' % (
        key, shards, ", ".join('"%s"' % g for g in groups))


def shard_map_lua(tables, g2=None, groups=None, users=True):
    """The text of a shard map whose tables block has tables (logical name -> Lua
    table text, in order). g2 is the address of g2's primary instead of the second
    fixture server; groups (name -> primary address, or (primary, replicas))
    replaces g1 and g2 altogether. With users=False the map has no users."""
    if groups is None:
        servers = harness.backends()
        groups = {"g1": servers[0].address, "g2": g2 or servers[1].address}
    lines = ["return {", "  groups = {"]
    for name, spec in groups.items():
        primary, replicas = (spec, ()) if isinstance(spec, str) else spec
        entry = 'primary = "%s"' % primary
        if replicas:
            entry += ", replicas = { %s }" % ", ".join('"%s"' % r for r in replicas)
        lines.append("    %s = { %s }," % (name, entry))
    lines += ["  },", '  default_group = "g1",']
    if users:
        lines.append('  users = { { user = "%s", password = "%s" } },' % (harness.USER, harness.PASSWORD))
    lines.append("  tables = {")
    lines += ['    ["%s"] = %s,' % item for item in tables.items()]
    lines += ["  },", "}", ""]
    return "\n".join(lines)


def write_shard_map(path, tables, **kwargs):
    """Write shard_map_lua(tables, **kwargs) to path; returns path."""
    with open(path, "w") as f:
        f.write(shard_map_lua(tables, **kwargs))
    return path


def shard_tables(name, definition, shards):
    """(physical name, definition) of the shard tables name_0 .. name_{shards-1}."""
    return [("%s_%d" % (name, i), definition) for i in range(shards)]


def direct(server, sql, database=None, args=None):
    """Rows of sql run on a backend itself."""
    with harness.backend_connect(server, database=database) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def direct_many(server, statements, database=None):
    """Run statements one after the other on a backend itself."""
    with harness.backend_connect(server, database=database) as conn, conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def xa_recover(server):
    """The (gtrid, bqual) pairs XA RECOVER lists on server."""
    with harness.backend_connect(server) as conn, conn.cursor() as cur:
        cur.execute("XA RECOVER")
        pairs = []
        for _format, gtrid_len, bqual_len, data in cur.fetchall():
            if isinstance(data, str):
                data = data.encode()
            pairs.append((data[:gtrid_len].decode(), data[gtrid_len:gtrid_len + bqual_len].decode()))
        return pairs


def read_xa_log(path):
    """The records of an XA decision log: [('C', gtrid, groups), ('D', gtrid, None), ...];
    [] when there is no log."""
    if not os.path.exists(path):
        return []
    records = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields[0] == "C":
                records.append(("C", fields[2], fields[3]))
            elif fields[0] == "D":
                records.append(("D", fields[2], None))
            else:
                raise AssertionError("unexpected record in %s: %r" % (path, line))
    return records


@harness.needs_proxy
class ShardedProxyTestCase(harness.ProxyTestCase):
    """A ProxyTestCase over the two fixture servers whose tessera routes with a shard map.

    The class makes DATABASE afresh on both servers with BACKEND_TABLES ((name,
    definition) pairs) in it, writes the map of shard_map() (SHARD_TABLES in the
    tables block) to map_path and starts one tessera with --sharding-config and
    proxy_args() (PROXY_ARGS); it must exit 0 on SIGTERM when the class ends.
    With START_PROXY = False the map is written and no tessera is started."""

    BACKEND_COUNT = 2
    SHARED_PROXY = False
    BACKEND_TABLES = ()
    SHARD_TABLES = {}
    PROXY_ARGS = ()
    START_PROXY = True

    @classmethod
    def create_backend_tables(cls):
        for server in cls.backends:
            direct_many(server, ["CREATE TABLE %s %s" % table for table in cls.BACKEND_TABLES], cls.DATABASE)

    @classmethod
    def shard_map(cls):
        return shard_map_lua(cls.SHARD_TABLES)

    @classmethod
    def proxy_args(cls):
        return list(cls.PROXY_ARGS)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.create_backend_tables()
        cls.map_path = os.path.join(harness.scratch_dir(), "map.lua")
        with open(cls.map_path, "w") as f:
            f.write(cls.shard_map())
        if cls.START_PROXY:
            cls.proxy = harness.Tessera([], ["--sharding-config=" + cls.map_path] + cls.proxy_args()).start()
            cls.port = cls.proxy.port
            cls.addClassCleanup(cls.proxy.stop)

    @classmethod
    def tearDownClass(cls):
        if cls.START_PROXY:
            harness.assert_clean_exit(cls.proxy)

    def empty_backend_tables(self):
        for server in self.backends:
            direct_many(server, ["DELETE FROM " + name for name, _ in self.BACKEND_TABLES], self.DATABASE)

    def direct(self, server, sql, args=None):
        """Rows of sql run on a backend itself, in DATABASE."""
        return direct(server, sql, self.DATABASE, args)

    def direct_many(self, server, statements):
        direct_many(server, statements, self.DATABASE)

    def physical(self, server, table, column="id"):
        """The values of column in a physical table on a backend, sorted."""
        return sorted(r[0] for r in self.direct(server, "SELECT %s FROM %s" % (column, table)))

    def connect(self, **kwargs):
        kwargs.setdefault("database", self.DATABASE)
        kwargs.setdefault("autocommit", True)
        return harness.pymysql_connect(self.port, **kwargs)

    def query(self, sql, **kwargs):
        """Rows of sql through tessera, on a connection of its own."""
        with self.connect(**kwargs) as conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def execute(self, sql):
        """The affected rows of sql through tessera, on a connection of its own."""
        with self.connect() as conn, conn.cursor() as cur:
            return cur.execute(sql)
