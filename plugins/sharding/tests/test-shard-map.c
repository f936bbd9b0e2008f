/* test-shard-map.c: loading shard maps (the examples, every refusal),
 * lookups, and from key values to shards for every method. */
#include <string.h>
#include "plugins/sharding/shard-map-key.h"
#include "plugins/sharding/shard-map.h"
#include "protocol/mysql-auth.h"

static TsrShardMap *shop;

static char *example_path(const char *name) {
  const char *dir = g_getenv("SHARDING_EXAMPLES_DIR");
  return g_build_filename(dir ? dir : "examples/sharding", name, NULL);
}

static TsrShardMap *load_ok(const char *lua) {
  g_autoptr(GError) error = NULL;
  TsrShardMap *map = tsr_shard_map_load_string(lua, strlen(lua), "test.lua", &error);
  g_assert_no_error(error);
  return map;
}

static TsrShardValue int_value(gint64 i) {
  return (TsrShardValue){.kind = TSR_SHARD_VALUE_INT, .i = i};
}

static TsrShardValue str_value(const char *s) {
  return (TsrShardValue){.kind = TSR_SHARD_VALUE_STRING, .str = s, .len = strlen(s)};
}

static TsrShardValue dec_value(const char *s) {
  return (TsrShardValue){.kind = TSR_SHARD_VALUE_DECIMAL, .str = s, .len = strlen(s)};
}

static const TsrShardTable *shop_table(const char *name) {
  const TsrShardTable *t = tsr_shard_map_table(shop, "shop", name);
  g_assert_nonnull(t);
  return t;
}

/* The shard of v in shop.<table>, or -1 with the message in *msg. */
static gint place(const char *table, TsrShardValue v, char **msg) {
  g_autoptr(GError) error = NULL;
  guint shard;
  if (tsr_shard_place(shop_table(table)->layout, &v, &shard, &error)) return (gint)shard;
  if (msg) *msg = g_strdup(error->message);
  return -1;
}

static void assert_placed(const char *table, TsrShardValue v, gint expected) {
  g_autofree char *msg = NULL;
  gint got = place(table, v, &msg);
  if (got != expected) g_test_message("%s: got %d (%s)", table, got, msg ? msg : "");
  g_assert_cmpint(got, ==, expected);
}

static void assert_refused(const char *table, TsrShardValue v, const char *expected) {
  g_autofree char *msg = NULL;
  g_assert_cmpint(place(table, v, &msg), ==, -1);
  g_assert_cmpstr(msg, ==, expected);
}

/* The shards of a set as "0,3,5" ("" when empty). */
static char *set_text(const TsrShardSet *s) {
  GString *out = g_string_new(NULL);
  for (gint i = tsr_shard_set_next(s, 0); i >= 0; i = tsr_shard_set_next(s, (guint)i + 1))
    g_string_append_printf(out, "%s%d", out->len ? "," : "", i);
  return g_string_free(out, FALSE);
}

static void assert_match(const char *table, TsrShardCmp cmp, TsrShardValue v, const char *expected) {
  const TsrShardLayout *l = shop_table(table)->layout;
  g_autoptr(TsrShardSet) s = tsr_shard_set_new(l->n_shards, FALSE);
  tsr_shard_match(l, cmp, &v, s);
  g_autofree char *got = set_text(s);
  g_assert_cmpstr(got, ==, expected);
}

static void assert_between(const char *table, TsrShardValue lo, TsrShardValue hi, const char *expected) {
  const TsrShardLayout *l = shop_table(table)->layout;
  g_autoptr(TsrShardSet) s = tsr_shard_set_new(l->n_shards, FALSE);
  tsr_shard_match_between(l, &lo, &hi, s);
  g_autofree char *got = set_text(s);
  g_assert_cmpstr(got, ==, expected);
}

/* ---- loading ---- */

static void test_examples_load(void) {
  const char *dir = g_getenv("SHARDING_EXAMPLES_DIR");
  g_autoptr(GDir) d = g_dir_open(dir ? dir : "examples/sharding", 0, NULL);
  const char *name;
  guint loaded = 0;
  g_assert_nonnull(d);
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".lua")) continue;
    g_autofree char *path = example_path(name);
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrShardMap) map = tsr_shard_map_load_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(tsr_shard_map_source(map), ==, path);
    loaded++;
  }
  g_assert_cmpuint(loaded, >=, 2);
}

static void test_shop_groups_users(void) {
  guint8 hash[20];
  g_assert_cmpuint(tsr_shard_map_n_groups(shop), ==, 2);
  const TsrShardGroup *g1 = tsr_shard_map_group(shop, 0), *g2 = tsr_shard_map_find_group(shop, "g2");
  g_assert_cmpstr(g1->name, ==, "g1");
  g_assert_cmpstr(g1->primary, ==, "127.0.0.1:3306");
  g_assert_cmpuint(g1->n_replicas, ==, 1);
  g_assert_cmpstr(g1->replicas[0], ==, "127.0.0.1:3307");
  g_assert_null(g1->replicas[1]);
  g_assert_cmpuint(g2->index, ==, 1);
  g_assert_cmpuint(g2->n_replicas, ==, 0);
  g_assert_null(tsr_shard_map_find_group(shop, "g3"));
  g_assert_cmpuint(tsr_shard_map_default_group(shop), ==, 0);

  g_assert_cmpuint(tsr_shard_map_n_users(shop), ==, 2);
  const TsrShardUser *app = tsr_shard_map_find_user(shop, "app"), *rep = tsr_shard_map_user(shop, 1);
  tsr_native_hash(hash, "secret", 6);
  g_assert_true(app->has_hash);
  g_assert_cmpmem(app->hash, 20, hash, 20);
  g_assert_cmpstr(app->password, ==, "secret");
  g_assert_cmpstr(app->backend_user, ==, "app");
  g_assert_null(app->backend_password);
  g_autofree char *text = tsr_native_hash_format(rep->hash);
  g_assert_cmpstr(text, ==, "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  g_assert_null(rep->password);
  g_assert_cmpstr(rep->backend_user, ==, "report_ro");
  g_assert_cmpstr(rep->backend_password, ==, "x");
}

static void test_shop_tables(void) {
  const TsrShardTable *orders = shop_table("orders"), *items = shop_table("order_items");
  const TsrShardTable *events = shop_table("events"), *accounts = shop_table("accounts");
  g_assert_cmpuint(tsr_shard_map_n_tables(shop), ==, 8);
  g_assert_cmpstr(tsr_shard_map_table_at(shop, 0)->name, ==, "accounts");
  g_assert_cmpint(orders->kind, ==, TSR_TABLE_SHARDED);
  g_assert_cmpstr(orders->shard_key, ==, "customer_id");
  g_assert_cmpuint(orders->layout->n_shards, ==, 8);
  g_assert_cmpstr(orders->physical[3], ==, "orders_3");
  g_assert_cmpuint(orders->layout->shard_group[3], ==, 1);
  g_assert_cmpuint(orders->layout->shard_group[4], ==, 0);
  g_assert_cmpuint(orders->n_columns, ==, 5);
  g_assert_cmpstr(orders->columns[1], ==, "customer_id");
  g_assert_null(orders->columns[5]);
  g_assert_true(items->layout == orders->layout);
  g_assert_cmpstr(items->physical[7], ==, "order_items_7");
  g_assert_null(items->columns);
  g_assert_true(tsr_shard_layout_equal(items->layout, orders->layout));
  g_assert_false(tsr_shard_layout_equal(orders->layout, shop_table("sessions")->layout));

  g_assert_cmpuint(events->layout->n_shards, ==, 24);
  g_assert_cmpstr(events->physical[0], ==, "events_202401");
  g_assert_cmpstr(events->physical[23], ==, "events_202512");
  g_assert_cmpuint(accounts->layout->n_shards, ==, 3);
  g_assert_cmpstr(accounts->physical[1], ==, "accounts_1");
  g_assert_cmpstr(accounts->physical[2], ==, "accounts_big");
  g_assert_cmpuint(accounts->layout->shard_group[0], ==, 0);
  g_assert_cmpuint(accounts->layout->shard_group[2], ==, 1);
  g_assert_cmpint(shop_table("regions")->layout->key_type, ==, TSR_SHARD_KEY_STRING);
  g_assert_cmpuint(shop_table("sessions")->layout->shard_group[1], ==, 1);

  g_assert_cmpint(shop_table("customers")->kind, ==, TSR_TABLE_VERTICAL);
  g_assert_cmpuint(shop_table("customers")->group, ==, 1);
  g_assert_cmpint(shop_table("countries")->kind, ==, TSR_TABLE_BROADCAST);
  g_assert_null(tsr_shard_map_table(shop, "shop", "unlisted"));
  g_assert_null(tsr_shard_map_table(shop, "Shop", "orders"));
  g_assert_null(tsr_shard_map_table(shop, NULL, "orders"));
}

static void test_minimal_defaults(void) {
  g_autofree char *path = example_path("minimal.lua");
  g_autoptr(TsrShardMap) map = tsr_shard_map_load_file(path, NULL);
  g_assert_nonnull(map);
  g_assert_cmpuint(tsr_shard_map_default_group(map), ==, 0);
  g_assert_cmpuint(tsr_shard_map_n_users(map), ==, 0);
  const TsrShardTable *t = tsr_shard_map_table(map, "app", "t");
  g_assert_cmpuint(t->layout->n_shards, ==, 4);
  for (guint i = 0; i < 4; i++) g_assert_cmpuint(t->layout->shard_group[i], ==, 0);
}

static void test_refcount(void) {
  TsrShardMap *map = load_ok("return { groups = { a = { primary = '/tmp/s.sock' } } }");
  g_assert_true(tsr_shard_map_ref(map) == map);
  tsr_shard_map_unref(map);
  g_assert_cmpstr(tsr_shard_map_group(map, 0)->primary, ==, "/tmp/s.sock");
  tsr_shard_map_unref(map);
  tsr_shard_map_unref(NULL);
}

static void test_sandbox(void) {
  /* string and math work; io, os, require, load and friends are gone */
  g_autoptr(TsrShardMap) map = load_ok(
    "local n = {} for i = 1, 3 do n[i] = string.format('g%d', i) end\n"
    "assert(io == nil and os == nil and require == nil and load == nil and dofile == nil and string.dump == nil)\n"
    "return { groups = { [n[1]] = { primary = '10.0.0.' .. math.floor(1.5) .. ':3306' } } }");
  g_assert_cmpstr(tsr_shard_map_group(map, 0)->name, ==, "g1");
  g_assert_cmpstr(tsr_shard_map_group(map, 0)->primary, ==, "10.0.0.1:3306");
}

typedef struct {
  const char *lua;
  const char *message;
} Refusal;

#define G "groups = { g1 = { primary = '127.0.0.1:3306' }, g2 = { primary = '127.0.0.1:3307' } }, default_group = 'g1', "
#define T(spec) "return { " G "tables = { ['s.t'] = " spec " } }"
#define P "tessera: shard map test.lua: "

static const Refusal refusals[] = {
  {"return 1", P "the file: it must return a table (return { groups = ..., tables = ... }), not a number"},
  {"return {", "tessera: shard map test.lua:1: unexpected symbol near '<eof>'"},
  {"error('boom')", "tessera: shard map test.lua:1: boom"},
  {"while true do end", "tessera: shard map test.lua:1: the shard map ran past its budget of 20000000 Lua instructions"},
  {"return io.open('/etc/passwd')", "tessera: shard map test.lua:1: attempt to index global 'io' (a nil value)"},
  {"\033Lua", "tessera: shard map test.lua: precompiled Lua is refused; give the map as source text"},
  {"return {}", P "groups: missing: the map needs groups = { name = { primary = \"host:port\" } }"},
  {"return { groups = {} }", P "groups: the map needs at least one group"},
  {"return { groups = 'g1' }", P "groups: must be a table of groups, not a string"},
  {"return { groups = { 'x' } }", P "groups: group names must be words of letters, digits, '_', '-' and '.' (groups = { g1 = {...} })"},
  {"return { groups = { g1 = {} } }", P "groups.g1: the field 'primary' is missing"},
  {"return { groups = { g1 = 'x' } }", P "groups.g1: must be a table { primary = \"host:port\" }, not a string"},
  {"return { groups = { g1 = { primary = 'localhost' } } }", P "groups.g1: 'localhost' is not an address: write \"host:port\", \"[ipv6]:port\" or a socket path"},
  {"return { groups = { g1 = { primary = 'h:70000' } } }", P "groups.g1: 'h:70000' is not an address: write \"host:port\", \"[ipv6]:port\" or a socket path"},
  {"return { groups = { g1 = { primary = 'h:1', primay = 'x' } } }", P "groups.g1: unknown field 'primay' (known fields: primary, replicas)"},
  {"return { groups = { g1 = { primary = 'h:1', replicas = { 'h' } } } }", P "groups.g1.replicas: 'h' is not an address: write \"host:port\", \"[ipv6]:port\" or a socket path"},
  {"return { groups = { g1 = { primary = 'h:1', replicas = 'h:2' } } }", P "groups.g1.replicas: must be a list of addresses, not a string"},
  {"return { groups = { g1 = { primary = 'h:1' } }, tabels = {} }", P "the map: unknown field 'tabels' (known fields: groups, default_group, users, tables)"},
  {"return { groups = { g1 = { primary = 'h:1' }, g2 = { primary = 'h:2' } } }", P "default_group: the map has several groups: name the one that holds the tables it does not list"},
  {"return { groups = { g1 = { primary = 'h:1' } }, default_group = 'g9' }", P "default_group: there is no group 'g9'"},
  {"return { " G "users = { { user = 'a' } } }", P "users[1]: give either 'password' or 'password_hash'"},
  {"return { " G "users = { { user = 'a', password = 'x', password_hash = '*00' } } }", P "users[1]: give either 'password' or 'password_hash'"},
  {"return { " G "users = { { user = 'a', password_hash = '*00' } } }", P "users[1]: 'password_hash' must be '*' and 40 hex digits, as in mysql.user"},
  {"return { " G "users = { { password = 'x' } } }", P "users[1]: the field 'user' is missing"},
  {"return { " G "users = { { user = 'a', password = '' }, { user = 'a', password = 'y' } } }", P "users[2]: user 'a' is listed twice"},
  {"return { " G "users = { { user = 'a', password = 'x', pw = 1 } } }", P "users[1]: unknown field 'pw' (known fields: user, password, password_hash, backend_user, backend_password)"},
  {"return { " G "users = 'a' }", P "users: must be a list of users, not a string"},
  {"return { " G "tables = { t = { group = 'g1' } } }", P "tables: table names must be written \"schema.table\" (tables = { [\"shop.orders\"] = {...} })"},
  {"return { " G "tables = 5 }", P "tables: must be a table of tables, not a number"},
  {T("{}"), P "tables[\"s.t\"]: say where the table lives: group = \"g1\", broadcast = true, or shard_key = \"col\" with a method"},
  {T("'g1'"), P "tables[\"s.t\"]: must be a table such as { group = \"g1\" }"},
  {T("{ group = 'g3' }"), P "tables[\"s.t\"]: there is no group 'g3'"},
  {T("{ group = 'g1', shards = 4 }"), P "tables[\"s.t\"] (a vertical table): unknown field 'shards' (known fields: group, columns)"},
  {T("{ broadcast = 1 }"), P "tables[\"s.t\"]: 'broadcast' can only be true"},
  {T("{ broadcast = true, group = 'g1' }"), P "tables[\"s.t\"] (a broadcast table): unknown field 'group' (known fields: broadcast, columns)"},
  {T("{ shard_key = 'id' }"), P "tables[\"s.t\"]: a sharded table needs 'method' (\"hash\", \"range\", \"list\" or \"date\") or 'binding'"},
  {T("{ method = 'hash', shards = 2 }"), P "tables[\"s.t\"]: the field 'shard_key' is missing"},
  {T("{ shard_key = 'id', method = 'mod' }"), P "tables[\"s.t\"]: 'method' must be \"hash\", \"range\", \"list\" or \"date\", not 'mod'"},
  {T("{ shard_key = 'id', method = 'hash' }"), P "tables[\"s.t\"]: a hash table needs 'shards': a number of shards (1 to 10000) or a list of them"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2.5 }"), P "tables[\"s.t\"]: a hash table needs 'shards': a number of shards (1 to 10000) or a list of them"},
  {T("{ shard_key = 'id', method = 'hash', shards = 20000 }"), P "tables[\"s.t\"]: a hash table needs 'shards': a number of shards (1 to 10000) or a list of them"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, group = 'g1' }"), P "tables[\"s.t\"] (a sharded table): unknown field 'group' (known fields: shard_key, method, key_type, collation, shards, groups, bounds, lists, unit, from, to, columns)"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, groups = { 'g1', 'g7' } }"), P "tables[\"s.t\"]: there is no group 'g7'"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, groups = 'g1' }"), P "tables[\"s.t\"]: 'groups' must be a list of group names"},
  {T("{ shard_key = 'id', method = 'hash', shards = { { group = 'g1' }, { grp = 'g2' } } }"), P "tables[\"s.t\"].shards[2]: unknown field 'grp' (known fields: group, table)"},
  {T("{ shard_key = 'id', method = 'hash', shards = { { group = 'g1' }, 'g2' } }"), P "tables[\"s.t\"].shards[2]: must be a table { group = \"g1\", table = \"t_1\" }"},
  {T("{ shard_key = 'id', method = 'hash', shards = { { group = 'g1' } }, groups = { 'g1' } }"), P "tables[\"s.t\"]: give either a 'shards' list or 'groups'"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, key_type = 'uuid' }"), P "tables[\"s.t\"]: 'key_type' must be \"int\", \"string\" or \"date\", not 'uuid'"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, key_type = 'date' }"), P "tables[\"s.t\"]: key_type \"date\" goes with method \"date\" and only with it"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, collation = 'utf8mb4_bin' }"), P "tables[\"s.t\"]: 'collation' is for string keys only"},
  {T("{ shard_key = 'id', method = 'hash', shards = 2, key_type = 'string', collation = 'utf8mb4_unicode_ci' }"), P "tables[\"s.t\"]: collation 'utf8mb4_unicode_ci' is not supported for shard keys: use utf8mb4_general_ci, a _bin collation or binary"},
  {T("{ shard_key = 'id', method = 'range' }"), P "tables[\"s.t\"]: a range table needs 'bounds': a list of increasing integers"},
  {T("{ shard_key = 'id', method = 'range', bounds = { 10, 5 } }"), P "tables[\"s.t\"]: 'bounds' must be a list of strictly increasing integers"},
  {T("{ shard_key = 'id', method = 'range', bounds = { 10 }, key_type = 'string' }"), P "tables[\"s.t\"]: method \"range\" needs an integer key (key_type \"int\")"},
  {T("{ shard_key = 'id', method = 'range', bounds = { 10 }, shards = { { group = 'g1' } } }"), P "tables[\"s.t\"]: the 'shards' list must have one entry per shard (2)"},
  {T("{ shard_key = 'c', method = 'list' }"), P "tables[\"s.t\"]: a list table needs 'lists': one list of key values per shard"},
  {T("{ shard_key = 'c', method = 'list', lists = { { 1, 2 }, {} } }"), P "tables[\"s.t\"]: each entry of 'lists' must be a non-empty list of values"},
  {T("{ shard_key = 'c', method = 'list', lists = { { 1, 2 }, { 'x' } } }"), P "tables[\"s.t\"]: 'lists' values must all be integers"},
  {T("{ shard_key = 'c', method = 'list', lists = { { 'a' }, { 2 } } }"), P "tables[\"s.t\"]: 'lists' values must all be strings"},
  {T("{ shard_key = 'c', method = 'list', lists = { { 1, 2 }, { 2 } } }"), P "tables[\"s.t\"]: the value 2 is in two lists"},
  {T("{ shard_key = 'c', method = 'list', lists = { { 'Eu' }, { 'eu ' } } }"), P "tables[\"s.t\"]: the value EU is in two lists"},
  {T("{ shard_key = 'd', method = 'date', from = '2024', to = '2025' }"), P "tables[\"s.t\"]: the field 'unit' is missing"},
  {T("{ shard_key = 'd', method = 'date', unit = 'week', from = '2024', to = '2025' }"), P "tables[\"s.t\"]: 'unit' must be \"day\", \"month\" or \"year\", not 'week'"},
  {T("{ shard_key = 'd', method = 'date', unit = 'month', from = '2024-13', to = '2025' }"), P "tables[\"s.t\"]: 'from' must be a date: \"2024\", \"2024-01\" or \"2024-01-31\" (got '2024-13')"},
  {T("{ shard_key = 'd', method = 'date', unit = 'month', from = '2024-01' }"), P "tables[\"s.t\"]: the field 'to' is missing"},
  {T("{ shard_key = 'd', method = 'date', unit = 'month', from = '2025', to = '2024' }"), P "tables[\"s.t\"]: 'to' must not be before 'from'"},
  {T("{ shard_key = 'd', method = 'date', unit = 'day', from = '2000', to = '2099' }"), P "tables[\"s.t\"]: from .. to spans more than 10000 shards"},
  {T("{ shard_key = 'd', method = 'date', unit = 'day', from = '2024', to = '2024-02', key_type = 'int' }"), P "tables[\"s.t\"]: key_type \"date\" goes with method \"date\" and only with it"},
  {T("{ shard_key = 'id', binding = 's.nothing' }"), P "tables[\"s.t\"]: 'binding' must name a sharded table with its own method (\"schema.table\"), not 's.nothing'"},
  {T("{ shard_key = 'id', binding = 's.u', shards = 2 }"), P "tables[\"s.t\"] (a bound table): unknown field 'shards' (known fields: shard_key, binding, columns)"},
  {T("{ group = 'g1', columns = 'id' }"), P "tables[\"s.t\"]: 'columns' must be a list of column names in table order"},
  {T("{ group = 'g1', columns = { 'id', 5 } }"), P "tables[\"s.t\"]: 'columns' must be a list of column names in table order"},
  {"return { " G "tables = { ['s.t'] = { shard_key = 'id', method = 'hash', shards = 4 }, ['s.t_1'] = { group = 'g2' } } }",
   P "tables: shard 1 of tables[\"s.t\"] and tables[\"s.t_1\"] are both the table s.t_1 on group g2"},
  {"return { " G "tables = { ['s.a'] = { shard_key = 'id', method = 'hash', shards = 2 }, ['s.b'] = { shard_key = 'id', binding = 's.c' }, ['s.c'] = { shard_key = 'id', binding = 's.a' } } }",
   P "tables[\"s.b\"]: 'binding' must name a sharded table with its own method (\"schema.table\"), not 's.c'"},
  {"return { " G "tables = { ['s.a'] = { broadcast = true }, ['s.b'] = { shard_key = 'id', method = 'hash', shards = 1, shards = { { group = 'g1', table = 'a' } } } } }",
   P "tables: tables[\"s.a\"] and shard 0 of tables[\"s.b\"] are both the table s.a on group g1"},
};

static void test_refusals(void) {
  for (guint i = 0; i < G_N_ELEMENTS(refusals); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TsrShardMap) map = tsr_shard_map_load_string(refusals[i].lua, strlen(refusals[i].lua), "test.lua", &error);
    g_test_message("map %u: %s", i, refusals[i].lua);
    g_assert_null(map);
    g_assert_nonnull(error);
    g_assert_true(error->domain == TSR_SHARD_MAP_ERROR);
    g_assert_cmpstr(error->message, ==, refusals[i].message);
  }
}

static void test_file_errors(void) {
  g_autoptr(GError) error = NULL;
  g_assert_null(tsr_shard_map_load_file("/nonexistent/map.lua", &error));
  g_assert_error(error, TSR_SHARD_MAP_ERROR, TSR_SHARD_MAP_ERROR_FILE);
  g_assert_nonnull(strstr(error->message, "tessera: shard map: "));
  g_assert_nonnull(strstr(error->message, "/nonexistent/map.lua"));
}

/* ---- keys ---- */

static void test_hash_int(void) {
  TsrShardValue huge = {.kind = TSR_SHARD_VALUE_INT, .is_unsigned = TRUE, .u = G_MAXUINT64};
  TsrShardValue dbl = {.kind = TSR_SHARD_VALUE_DOUBLE, .d = 42.0};
  assert_placed("orders", int_value(17), 1);
  assert_placed("orders", int_value(-1), 7);
  assert_placed("orders", int_value(-16), 0);
  assert_placed("orders", int_value(G_MININT64), 0);
  assert_placed("orders", str_value(" 17 "), 1);
  assert_placed("orders", dec_value("17.000"), 1);
  assert_placed("orders", dbl, 2);
  assert_placed("orders", huge, 7);
  assert_refused("orders", dec_value("1.5"), "1.5 is not an integer");
  assert_refused("orders", str_value("17abc"), "'17abc' is not an integer");
  assert_refused("orders", (TsrShardValue){.kind = TSR_SHARD_VALUE_NULL}, "NULL cannot be stored on a shard");

  assert_match("orders", TSR_SHARD_CMP_EQ, int_value(17), "1");
  assert_match("orders", TSR_SHARD_CMP_EQ, str_value("9"), "1");
  assert_match("orders", TSR_SHARD_CMP_EQ, str_value("9x"), "0,1,2,3,4,5,6,7");
  assert_match("orders", TSR_SHARD_CMP_EQ, dec_value("2.5"), "");
  assert_match("orders", TSR_SHARD_CMP_EQ, dec_value("-2.0"), "6");
  assert_match("orders", TSR_SHARD_CMP_EQ, (TsrShardValue){.kind = TSR_SHARD_VALUE_NULL}, "");
  assert_match("orders", TSR_SHARD_CMP_EQ, huge, "7");
  assert_match("orders", TSR_SHARD_CMP_LT, int_value(3), "0,1,2,3,4,5,6,7");
  assert_between("orders", int_value(9), int_value(11), "1,2,3");
  assert_between("orders", dec_value("8.5"), dec_value("10.5"), "1,2");
  assert_between("orders", int_value(11), int_value(9), "");
  assert_between("orders", int_value(0), int_value(1000), "0,1,2,3,4,5,6,7");
  assert_between("orders", int_value(G_MAXINT64 - 1), int_value(G_MAXINT64), "6,7");
}

static void test_hash_string(void) {
  /* CRC32('ABC') = 2743272264, CRC32('ECOLE') = 4264339484 */
  assert_placed("sessions", str_value("abc"), 0);
  assert_placed("sessions", str_value("ABC  "), 0);
  assert_placed("sessions", str_value("\xc3\x89" "cole"), 0);
  assert_placed("sessions", str_value("E"), 2);
  assert_placed("sessions", int_value(12), (gint)(tsr_shard_crc32((const guint8 *)"12", 2) % 4));
  assert_refused("sessions", str_value("\xff"), "'\xff' is not valid UTF-8");
  assert_refused("sessions", (TsrShardValue){.kind = TSR_SHARD_VALUE_DOUBLE, .d = 1.5}, "1.5 is not a string");
  assert_match("sessions", TSR_SHARD_CMP_EQ, str_value("Abc"), "0");
  assert_match("sessions", TSR_SHARD_CMP_EQ, int_value(12), "0,1,2,3");
  assert_match("sessions", TSR_SHARD_CMP_GT, str_value("a"), "0,1,2,3");
  assert_match("sessions", TSR_SHARD_CMP_EQ, str_value("\xff"), "0,1,2,3");
}

static void test_fold(void) {
  g_autoptr(GString) s = g_string_new(NULL);
  g_assert_true(tsr_shard_fold(TSR_SHARD_COLLATION_GENERAL_CI, "Stra\xc3\x9f" "e  ", 9, s));
  g_assert_cmpstr(s->str, ==, "STRASE");
  g_string_truncate(s, 0);
  g_assert_true(tsr_shard_fold(TSR_SHARD_COLLATION_GENERAL_CI, "\xf0\x9f\x98\x80 \t", 6, s));
  g_assert_cmpstr(s->str, ==, "\xef\xbf\xbd \t");
  g_string_truncate(s, 0);
  g_assert_true(tsr_shard_fold(TSR_SHARD_COLLATION_BIN, "aB  ", 4, s));
  g_assert_cmpstr(s->str, ==, "aB");
  g_string_truncate(s, 0);
  g_assert_true(tsr_shard_fold(TSR_SHARD_COLLATION_BINARY, "aB  ", 4, s));
  g_assert_cmpstr(s->str, ==, "aB  ");
  g_string_assign(s, "x");
  g_assert_false(tsr_shard_fold(TSR_SHARD_COLLATION_GENERAL_CI, "a\xc3", 2, s));
  g_assert_cmpstr(s->str, ==, "x");
  g_assert_cmpuint(tsr_shard_fold_general_ci(0xe9), ==, 'E');
  g_assert_cmpuint(tsr_shard_fold_general_ci(0x1F600), ==, 0xFFFD);
  g_assert_cmpuint(tsr_shard_crc32((const guint8 *)"ABC", 3), ==, 2743272264u);
  g_assert_cmpuint(tsr_shard_crc32(NULL, 0), ==, 0);
}

static void test_range(void) {
  assert_placed("accounts", int_value(-5), 0);
  assert_placed("accounts", int_value(999999), 0);
  assert_placed("accounts", int_value(1000000), 1);
  assert_placed("accounts", int_value(1999999), 1);
  assert_placed("accounts", int_value(2000000), 2);
  assert_placed("accounts", (TsrShardValue){.kind = TSR_SHARD_VALUE_INT, .is_unsigned = TRUE, .u = G_MAXUINT64}, 2);
  assert_match("accounts", TSR_SHARD_CMP_LT, int_value(1000000), "0");
  assert_match("accounts", TSR_SHARD_CMP_LE, int_value(1000000), "0,1");
  assert_match("accounts", TSR_SHARD_CMP_GE, int_value(1000000), "1,2");
  assert_match("accounts", TSR_SHARD_CMP_GT, int_value(1999999), "2");
  assert_match("accounts", TSR_SHARD_CMP_GT, dec_value("1999998.5"), "1,2");
  assert_match("accounts", TSR_SHARD_CMP_LT, dec_value("10.5"), "0");
  assert_match("accounts", TSR_SHARD_CMP_GT, int_value(G_MAXINT64), "");
  assert_match("accounts", TSR_SHARD_CMP_LT, int_value(G_MININT64), "");
  assert_match("accounts", TSR_SHARD_CMP_EQ, int_value(1500000), "1");
  assert_between("accounts", int_value(1500000), int_value(2500000), "1,2");
  assert_between("accounts", str_value("5"), int_value(7), "0");
}

static void test_list(void) {
  assert_placed("regions", str_value("uk"), 0);
  assert_placed("regions", str_value("US"), 1);
  assert_placed("regions", str_value("apac "), 2);
  assert_refused("regions", str_value("xx"), "'xx' is in no list of the shard map");
  assert_match("regions", TSR_SHARD_CMP_EQ, str_value("Ca"), "1");
  assert_match("regions", TSR_SHARD_CMP_EQ, str_value("xx"), "");
  assert_match("regions", TSR_SHARD_CMP_LT, str_value("m"), "0,1,2");

  g_autoptr(TsrShardMap) map = load_ok(T("{ shard_key = 'c', method = 'list', lists = { { 1, 2, 30 }, { 4 } } }"));
  const TsrShardLayout *l = tsr_shard_map_table(map, "s", "t")->layout;
  g_autoptr(TsrShardSet) set = tsr_shard_set_new(2, FALSE);
  TsrShardValue lo = int_value(3), hi = int_value(10), v = int_value(30);
  guint shard;
  g_assert_true(tsr_shard_place(l, &v, &shard, NULL));
  g_assert_cmpuint(shard, ==, 0);
  tsr_shard_match_between(l, &lo, &hi, set);
  g_autofree char *got = set_text(set);
  g_assert_cmpstr(got, ==, "1");
}

static TsrShardValue date_value(const char *s) {
  return str_value(s);
}

static void test_date(void) {
  gint64 usec = tsr_shard_datetime_make(2024, 6, 1, 0, 0, 0, 0);
  assert_placed("events", date_value("2024-01-15"), 0);
  assert_placed("events", date_value("2024-06-30 23:59:59.999999"), 5);
  assert_placed("events", (TsrShardValue){.kind = TSR_SHARD_VALUE_DATETIME, .usec = usec}, 5);
  assert_placed("events", int_value(20250101), 12);
  assert_placed("events", int_value(20251231235959), 23);
  assert_refused("events", date_value("2026-01-01"), "'2026-01-01' is after the last shard (2025-12)");
  assert_refused("events", date_value("2023-12-31 23:59:59"), "'2023-12-31 23:59:59' is before the first shard (2024-01)");
  assert_refused("events", date_value("yesterday"), "'yesterday' is not a date");
  assert_refused("events", int_value(2024), "2024 is not a date");
  assert_match("events", TSR_SHARD_CMP_EQ, date_value("2024-03-15"), "2");
  assert_match("events", TSR_SHARD_CMP_EQ, date_value("2030-03-15"), "");
  assert_match("events", TSR_SHARD_CMP_EQ, date_value("soon"), "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23");
  assert_match("events", TSR_SHARD_CMP_GE, date_value("2025-11-30"), "22,23");
  assert_match("events", TSR_SHARD_CMP_LT, date_value("2024-02-01"), "0");
  assert_match("events", TSR_SHARD_CMP_LE, date_value("2024-02-01"), "0,1");
  assert_match("events", TSR_SHARD_CMP_GT, date_value("2025-11-30 23:59:59.999999"), "23");
  assert_between("events", date_value("2024-03-01"), date_value("2024-04-30 23:59:59"), "2,3");
}

static void test_date_parsing(void) {
  gint64 u;
  g_autoptr(GString) s = g_string_new(NULL);
  static const char *const good[] = {"2024-02-29", " 2024-2-9 ", "2024/02/09 1:02", "2024.02.09T10:20:30.5", "1999-12-31 23:59:59.123456"};
  static const char *const bad[] = {"2023-02-29", "2024-00-10", "2024-01-32", "24-01-01", "2024-01-01 24:00", "0000-00-00", "2024-01-01x", ""};
  for (guint i = 0; i < G_N_ELEMENTS(good); i++) g_assert_true(tsr_shard_parse_datetime(good[i], strlen(good[i]), &u));
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) g_assert_false(tsr_shard_parse_datetime(bad[i], strlen(bad[i]), &u));
  g_assert_true(tsr_shard_parse_datetime("2024.02.09T10:20:30.5", 21, &u));
  tsr_shard_datetime_describe(s, u);
  g_assert_cmpstr(s->str, ==, "2024-02-09 10:20:30.500000");
  g_assert_cmpint(u, ==, tsr_shard_datetime_make(2024, 2, 9, 10, 20, 30, 500000));
  g_assert_cmpint(tsr_shard_datetime_make(0, 1, 1, 0, 0, 0, 0), ==, 0);
  g_assert_cmpint(tsr_shard_date_period(TSR_SHARD_DATE_DAY, tsr_shard_datetime_make(0, 3, 1, 0, 0, 0, 0)), ==, 60);
  g_assert_cmpint(tsr_shard_date_period(TSR_SHARD_DATE_MONTH, u), ==, 2024 * 12 + 1);
  g_assert_cmpint(tsr_shard_date_period(TSR_SHARD_DATE_YEAR, u), ==, 2024);
  g_assert_true(tsr_shard_datetime_from_int(19991231, &u));
  g_assert_false(tsr_shard_datetime_from_int(19991232, &u));
  g_assert_false(tsr_shard_datetime_from_int(12, &u));
  g_string_truncate(s, 0);
  tsr_shard_date_period_suffix(s, TSR_SHARD_DATE_DAY, tsr_shard_date_period(TSR_SHARD_DATE_DAY, tsr_shard_datetime_make(2024, 2, 29, 12, 0, 0, 0)));
  g_assert_cmpstr(s->str, ==, "20240229");
  g_string_truncate(s, 0);
  tsr_shard_date_period_describe(s, TSR_SHARD_DATE_MONTH, 2024 * 12 + 11);
  g_assert_cmpstr(s->str, ==, "2024-12");
}

static void test_day_and_year_tables(void) {
  g_autoptr(TsrShardMap) map = load_ok(
    "return { groups = { a = { primary = 'h:1' }, b = { primary = 'h:2' } }, default_group = 'a', tables = {"
    " ['s.d'] = { shard_key = 'at', method = 'date', unit = 'day', from = '2024-02-27', to = '2024-03-02' },"
    " ['s.y'] = { shard_key = 'at', method = 'date', unit = 'year', from = '2020', to = '2023', groups = { 'b' } } } }");
  const TsrShardTable *d = tsr_shard_map_table(map, "s", "d"), *y = tsr_shard_map_table(map, "s", "y");
  TsrShardValue v = str_value("2024-03-01 08:00");
  guint shard;
  g_assert_cmpuint(d->layout->n_shards, ==, 5);
  g_assert_cmpstr(d->physical[2], ==, "d_20240229");
  g_assert_cmpuint(d->layout->shard_group[3], ==, 1);
  g_assert_true(tsr_shard_place(d->layout, &v, &shard, NULL));
  g_assert_cmpuint(shard, ==, 3);
  g_assert_cmpstr(y->physical[3], ==, "y_2023");
  g_assert_cmpuint(y->layout->shard_group[0], ==, 1);
  g_assert_true(tsr_shard_place(y->layout, &v, &shard, NULL) == FALSE);
}

static void test_set(void) {
  g_autoptr(TsrShardSet) a = tsr_shard_set_new(130, FALSE);
  g_autoptr(TsrShardSet) b = tsr_shard_set_new(130, TRUE);
  g_assert_cmpuint(tsr_shard_set_count(b), ==, 130);
  g_assert_true(tsr_shard_set_is_full(b));
  g_assert_cmpint(tsr_shard_set_next(a, 0), ==, -1);
  tsr_shard_set_add(a, 129);
  tsr_shard_set_add(a, 64);
  g_assert_cmpint(tsr_shard_set_next(a, 0), ==, 64);
  g_assert_cmpint(tsr_shard_set_next(a, 65), ==, 129);
  g_assert_true(tsr_shard_set_has(a, 129));
  g_assert_false(tsr_shard_set_has(a, 130));
  tsr_shard_set_add_range(a, 100, 500);
  g_assert_cmpuint(tsr_shard_set_count(a), ==, 31);
  g_autoptr(TsrShardSet) c = tsr_shard_set_copy(a);
  g_assert_true(tsr_shard_set_equal(a, c));
  tsr_shard_set_clear(b);
  tsr_shard_set_add(b, 64);
  tsr_shard_set_add(b, 3);
  tsr_shard_set_intersect(c, b);
  g_autofree char *t1 = set_text(c);
  g_assert_cmpstr(t1, ==, "64");
  tsr_shard_set_unite(c, b);
  g_autofree char *t2 = set_text(c);
  g_assert_cmpstr(t2, ==, "3,64");
  g_assert_false(tsr_shard_set_equal(a, c));
}

int main(int argc, char **argv) {
  g_autoptr(GError) error = NULL;
  g_autofree char *path = example_path("shop.lua");
  g_test_init(&argc, &argv, NULL);
  shop = tsr_shard_map_load_file(path, &error);
  g_assert_no_error(error);
  g_test_add_func("/shard-map/examples-load", test_examples_load);
  g_test_add_func("/shard-map/shop-groups-users", test_shop_groups_users);
  g_test_add_func("/shard-map/shop-tables", test_shop_tables);
  g_test_add_func("/shard-map/minimal-defaults", test_minimal_defaults);
  g_test_add_func("/shard-map/refcount", test_refcount);
  g_test_add_func("/shard-map/sandbox", test_sandbox);
  g_test_add_func("/shard-map/refusals", test_refusals);
  g_test_add_func("/shard-map/file-errors", test_file_errors);
  g_test_add_func("/shard-map/hash-int", test_hash_int);
  g_test_add_func("/shard-map/hash-string", test_hash_string);
  g_test_add_func("/shard-map/fold", test_fold);
  g_test_add_func("/shard-map/range", test_range);
  g_test_add_func("/shard-map/list", test_list);
  g_test_add_func("/shard-map/date", test_date);
  g_test_add_func("/shard-map/date-parsing", test_date_parsing);
  g_test_add_func("/shard-map/day-and-year-tables", test_day_and_year_tables);
  g_test_add_func("/shard-map/set", test_set);
  int rc = g_test_run();
  tsr_shard_map_unref(shop);
  return rc;
}
