/* shard-map-load-tables.c: reading the `tables` of a shard map: where each
 * table lives, and for sharded tables their layout and shard tables. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <lauxlib.h>
#include "shard-map-key.h"
#include "shard-map-private.h"

/* At most this many shards per table. */
#define MAX_SHARDS 10000

/* Largest integer a Lua number holds exactly. */
#define LUA_INT_MAX 9007199254740992.0

typedef struct {
  TsrShardMapLoader *ld;
  TsrShardTable *t;
  const char *where;        /* tables["schema.name"] */
  TsrShardLayout *layout;   /* being built (not bound ones) */
  const char **physical;    /* shard tables given in a `shards` list, or NULL */
  GHashTable *bound;        /* the tables that have a binding */
} TableReader;

static gboolean fail(TableReader *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static gboolean fail(TableReader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  return tsr_shard_map_fail(r->ld, r->where, "%s", msg);
}

static gboolean has_field(TableReader *r, const char *field) {
  lua_getfield(r->ld->L, -1, field);
  gboolean has = !lua_isnil(r->ld->L, -1);
  lua_pop(r->ld->L, 1);
  return has;
}

/* Reads a Lua number that must be an integer; FALSE when it is not one. */
static gboolean lua_integer_at(lua_State *L, int idx, gint64 *out) {
  if (lua_type(L, idx) != LUA_TNUMBER) return FALSE;
  lua_Number n = lua_tonumber(L, idx);
  if (n != floor(n) || fabs(n) > LUA_INT_MAX) return FALSE;
  *out = (gint64)n;
  return TRUE;
}

/* ---- columns ---- */

static gboolean read_columns(TableReader *r) {
  lua_State *L = r->ld->L;
  lua_getfield(L, -1, "columns");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return TRUE;
  }
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (n == 0) return fail(r, "'columns' must be a list of column names in table order");
  const char **cols = tsr_shard_map_alloc(r->ld->map, (n + 1) * sizeof(char *));
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    if (lua_type(L, -1) == LUA_TSTRING) cols[i] = tsr_shard_map_intern(r->ld->map, lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!cols[i]) return fail(r, "'columns' must be a list of column names in table order");
  }
  lua_pop(L, 1);
  r->t->columns = cols;
  r->t->n_columns = n;
  return TRUE;
}

/* ---- groups of shards ---- */

static gboolean group_by_name(TableReader *r, const char *name, guint *index) {
  const TsrShardGroup *g = tsr_shard_map_find_group(r->ld->map, name);
  if (!g) return fail(r, "there is no group '%s'", name);
  *index = g->index;
  return TRUE;
}

/* `groups = { "g1", "g2" }`: shard i goes to groups[i mod n]; without it,
 * to every group of the map in name order. */
static gboolean assign_groups_round_robin(TableReader *r) {
  lua_State *L = r->ld->L;
  guint *sg = (guint *)r->layout->shard_group;
  lua_getfield(L, -1, "groups");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    for (guint i = 0; i < r->layout->n_shards; i++) sg[i] = i % r->ld->map->n_groups;
    return TRUE;
  }
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (n == 0) return fail(r, "'groups' must be a list of group names");
  g_autofree guint *list = g_new0(guint, n);
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    gboolean ok = lua_type(L, -1) == LUA_TSTRING && group_by_name(r, lua_tostring(L, -1), &list[i]);
    gboolean is_string = lua_type(L, -1) == LUA_TSTRING;
    lua_pop(L, 1);
    if (!ok) return is_string ? FALSE : fail(r, "'groups' must be a list of group names");
  }
  lua_pop(L, 1);
  for (guint i = 0; i < r->layout->n_shards; i++) sg[i] = list[i % n];
  return TRUE;
}

/* `shards = { { group = "g1", table = "orders_a" }, ... }`: one entry per
 * shard; `table` is optional. The list is at the top of the stack. */
static gboolean assign_groups_listed(TableReader *r) {
  static const char *const fields[] = {"group", "table", NULL};
  lua_State *L = r->ld->L;
  guint *sg = (guint *)r->layout->shard_group;
  r->physical = tsr_shard_map_alloc(r->ld->map, r->layout->n_shards * sizeof(char *));
  for (guint i = 0; i < r->layout->n_shards; i++) {
    g_autofree char *where = g_strdup_printf("%s.shards[%u]", r->where, i + 1);
    const char *group;
    lua_rawgeti(L, -1, (int)i + 1);
    if (!lua_istable(L, -1)) return tsr_shard_map_fail(r->ld, where, "must be a table { group = \"g1\", table = \"t_1\" }");
    if (!tsr_shard_map_check_fields(r->ld, -1, where, fields) ||
        !tsr_shard_map_get_string(r->ld, -1, where, "group", TRUE, &group) ||
        !tsr_shard_map_get_string(r->ld, -1, where, "table", FALSE, &r->physical[i]) || !group_by_name(r, group, &sg[i]))
      return FALSE;
    lua_pop(L, 1);
  }
  return TRUE;
}

/* Places the n_shards shards on groups: a `shards` list, or `groups`. */
static gboolean assign_groups(TableReader *r) {
  lua_State *L = r->ld->L;
  if (r->layout->n_shards == 0 || r->layout->n_shards > MAX_SHARDS)
    return fail(r, "a sharded table has 1 to " G_STRINGIFY(MAX_SHARDS) " shards");
  r->layout->shard_group = tsr_shard_map_alloc(r->ld->map, r->layout->n_shards * sizeof(guint));
  gboolean has_groups = has_field(r, "groups");
  lua_getfield(L, -1, "shards");
  gboolean listed = lua_istable(L, -1);
  if (listed) {
    gboolean right_length = lua_objlen(L, -1) == r->layout->n_shards;
    if (!right_length || has_groups) lua_pop(L, 1);
    if (!right_length) return fail(r, "the 'shards' list must have one entry per shard (%u)", r->layout->n_shards);
    if (has_groups) return fail(r, "give either a 'shards' list or 'groups'");
    gboolean ok = assign_groups_listed(r);
    lua_pop(L, 1);
    return ok;
  }
  lua_pop(L, 1);
  return assign_groups_round_robin(r);
}

/* ---- methods ---- */

static gboolean read_hash(TableReader *r) {
  lua_State *L = r->ld->L;
  gint64 n = 0;
  lua_getfield(L, -1, "shards");
  if (lua_istable(L, -1)) n = (gint64)lua_objlen(L, -1);
  else if (!lua_integer_at(L, -1, &n) || n < 1) n = 0;
  lua_pop(L, 1);
  if (n < 1 || n > MAX_SHARDS)
    return fail(r, "a hash table needs 'shards': a number of shards (1 to " G_STRINGIFY(MAX_SHARDS) ") or a list of them");
  r->layout->n_shards = (guint)n;
  return assign_groups(r);
}

static gboolean read_range(TableReader *r) {
  lua_State *L = r->ld->L;
  lua_getfield(L, -1, "bounds");
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (n == 0 || n >= MAX_SHARDS) return fail(r, "a range table needs 'bounds': a list of increasing integers");
  gint64 *bounds = tsr_shard_map_alloc(r->ld->map, n * sizeof(gint64));
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    gboolean ok = lua_integer_at(L, -1, &bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]);
    lua_pop(L, 1);
    if (!ok) return fail(r, "'bounds' must be a list of strictly increasing integers");
  }
  lua_pop(L, 1);
  r->layout->bounds = bounds;
  r->layout->n_shards = n + 1;
  return assign_groups(r);
}

/* Reads one value of a list into *v (pointing at Lua's string). */
static gboolean list_value(TableReader *r, TsrShardValue *v) {
  lua_State *L = r->ld->L;
  memset(v, 0, sizeof(*v));
  if (lua_type(L, -1) == LUA_TSTRING) {
    v->kind = TSR_SHARD_VALUE_STRING;
    v->str = lua_tolstring(L, -1, &v->len);
    return TRUE;
  }
  v->kind = TSR_SHARD_VALUE_INT;
  return lua_integer_at(L, -1, &v->i);
}

static gboolean read_list_entry(TableReader *r, guint shard, GString *key) {
  lua_State *L = r->ld->L;
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (n == 0) return fail(r, "each entry of 'lists' must be a non-empty list of values");
  for (guint i = 0; i < n; i++) {
    TsrShardValue v;
    lua_rawgeti(L, -1, (int)i + 1);
    gboolean ok = list_value(r, &v) && tsr_shard_list_encode(r->layout, &v, key);
    lua_pop(L, 1);
    if (!ok)
      return fail(r, "'lists' values must all be %s", r->layout->key_type == TSR_SHARD_KEY_INT ? "integers" : "strings");
    if (g_hash_table_contains(r->layout->list, key->str)) return fail(r, "the value %s is in two lists", key->str + 2);
    g_hash_table_insert(r->layout->list, g_strdup(key->str), GINT_TO_POINTER((gint)shard + 1));
  }
  return TRUE;
}

/* The key type of a list table without key_type: that of its first value. */
static void infer_list_key_type(TableReader *r) {
  lua_State *L = r->ld->L;
  lua_getfield(L, -1, "lists");
  if (lua_istable(L, -1)) {
    lua_rawgeti(L, -1, 1);
    if (lua_istable(L, -1)) {
      lua_rawgeti(L, -1, 1);
      if (lua_type(L, -1) == LUA_TSTRING) r->layout->key_type = TSR_SHARD_KEY_STRING;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static gboolean read_list(TableReader *r) {
  lua_State *L = r->ld->L;
  g_autoptr(GString) key = g_string_new(NULL);
  r->layout->list = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  lua_getfield(L, -1, "lists");
  guint n = lua_istable(L, -1) ? (guint)lua_objlen(L, -1) : 0;
  if (n == 0 || n > MAX_SHARDS) return fail(r, "a list table needs 'lists': one list of key values per shard");
  for (guint i = 0; i < n; i++) {
    lua_rawgeti(L, -1, (int)i + 1);
    if (!read_list_entry(r, i, key)) return FALSE;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  r->layout->n_shards = n;
  return assign_groups(r);
}

/* Reads "YYYY", "YYYY-MM" or "YYYY-MM-DD" as a period of the unit. */
static gboolean read_period(TableReader *r, const char *field, gint64 *period) {
  const char *text;
  gint64 usec;
  g_autofree char *full = NULL;
  if (!tsr_shard_map_get_string(r->ld, -1, r->where, field, TRUE, &text)) return FALSE;
  gsize len = strlen(text);
  full = g_strconcat(text, len == 4 ? "-01-01" : len == 7 ? "-01" : "", NULL);
  if (!tsr_shard_parse_datetime(full, strlen(full), &usec))
    return fail(r, "'%s' must be a date: \"2024\", \"2024-01\" or \"2024-01-31\" (got '%s')", field, text);
  *period = tsr_shard_date_period(r->layout->unit, usec);
  return TRUE;
}

static gboolean read_date(TableReader *r) {
  static const char *const units[] = {"day", "month", "year", NULL};
  const char *unit;
  gint64 from, to;
  if (!tsr_shard_map_get_string(r->ld, -1, r->where, "unit", TRUE, &unit)) return FALSE;
  guint u = 0;
  while (units[u] && strcmp(units[u], unit) != 0) u++;
  if (!units[u]) return fail(r, "'unit' must be \"day\", \"month\" or \"year\", not '%s'", unit);
  r->layout->unit = (TsrShardDateUnit)u;
  if (!read_period(r, "from", &from) || !read_period(r, "to", &to)) return FALSE;
  if (to < from) return fail(r, "'to' must not be before 'from'");
  if (to - from >= MAX_SHARDS) return fail(r, "from .. to spans more than " G_STRINGIFY(MAX_SHARDS) " shards");
  r->layout->first_period = from;
  r->layout->n_shards = (guint)(to - from + 1);
  return assign_groups(r);
}

/* ---- key type and collation ---- */

static gboolean read_key_type(TableReader *r, gboolean *given) {
  static const char *const names[] = {"int", "string", "date", NULL};
  const char *name;
  TsrShardLayout *l = r->layout;
  if (!tsr_shard_map_get_string(r->ld, -1, r->where, "key_type", FALSE, &name)) return FALSE;
  *given = name != NULL;
  l->key_type = l->method == TSR_SHARD_DATE ? TSR_SHARD_KEY_DATE : TSR_SHARD_KEY_INT;
  if (!name) return TRUE;
  guint k = 0;
  while (names[k] && strcmp(names[k], name) != 0) k++;
  if (!names[k]) return fail(r, "'key_type' must be \"int\", \"string\" or \"date\", not '%s'", name);
  l->key_type = (TsrShardKeyType)k;
  if ((l->method == TSR_SHARD_DATE) != (l->key_type == TSR_SHARD_KEY_DATE))
    return fail(r, "key_type \"date\" goes with method \"date\" and only with it");
  if (l->method == TSR_SHARD_RANGE && l->key_type != TSR_SHARD_KEY_INT)
    return fail(r, "method \"range\" needs an integer key (key_type \"int\")");
  return TRUE;
}

static gboolean read_collation(TableReader *r) {
  const char *c;
  if (!tsr_shard_map_get_string(r->ld, -1, r->where, "collation", FALSE, &c)) return FALSE;
  if (!c) return TRUE;
  if (r->layout->key_type != TSR_SHARD_KEY_STRING) return fail(r, "'collation' is for string keys only");
  if (strcmp(c, "binary") == 0) r->layout->collation = TSR_SHARD_COLLATION_BINARY;
  else if (g_str_has_suffix(c, "_bin") && (g_str_has_prefix(c, "utf8mb4_") || g_str_has_prefix(c, "utf8_") ||
                                           g_str_has_prefix(c, "utf8mb3_") || g_str_has_prefix(c, "latin1_") ||
                                           g_str_has_prefix(c, "ascii_")))
    r->layout->collation = TSR_SHARD_COLLATION_BIN;
  else if (strcmp(c, "utf8mb4_general_ci") == 0 || strcmp(c, "utf8_general_ci") == 0 || strcmp(c, "utf8mb3_general_ci") == 0)
    r->layout->collation = TSR_SHARD_COLLATION_GENERAL_CI;
  else
    return fail(r, "collation '%s' is not supported for shard keys: use utf8mb4_general_ci, a _bin collation or binary", c);
  return TRUE;
}

/* ---- one table ---- */

static gboolean read_method(TableReader *r) {
  static const char *const methods[] = {"hash", "range", "list", "date", NULL};
  const char *m;
  gboolean key_type_given;
  if (!tsr_shard_map_get_string(r->ld, -1, r->where, "method", FALSE, &m)) return FALSE;
  if (!m) return fail(r, "a sharded table needs 'method' (\"hash\", \"range\", \"list\" or \"date\") or 'binding'");
  guint i = 0;
  while (methods[i] && strcmp(methods[i], m) != 0) i++;
  if (!methods[i]) return fail(r, "'method' must be \"hash\", \"range\", \"list\" or \"date\", not '%s'", m);
  r->layout = g_new0(TsrShardLayout, 1);
  g_ptr_array_add(r->ld->map->layouts, r->layout);
  r->layout->method = (TsrShardMethod)i;
  if (!read_key_type(r, &key_type_given)) return FALSE;
  if (r->layout->method == TSR_SHARD_LIST && !key_type_given) infer_list_key_type(r);
  if (!read_collation(r)) return FALSE;
  switch (r->layout->method) {
  case TSR_SHARD_HASH: if (!read_hash(r)) return FALSE; break;
  case TSR_SHARD_RANGE: if (!read_range(r)) return FALSE; break;
  case TSR_SHARD_LIST: if (!read_list(r)) return FALSE; break;
  case TSR_SHARD_DATE: if (!read_date(r)) return FALSE; break;
  }
  r->t->layout = r->layout;
  return TRUE;
}

/* Fills in the shard table names: given ones, else NAME_<index> (NAME_<period> for dates). */
static void name_shards(TableReader *r) {
  const TsrShardLayout *l = r->t->layout;
  const char **names = tsr_shard_map_alloc(r->ld->map, (l->n_shards + 1) * sizeof(char *));
  g_autoptr(GString) s = g_string_new(NULL);
  for (guint i = 0; i < l->n_shards; i++) {
    if (r->physical && r->physical[i]) {
      names[i] = r->physical[i];
      continue;
    }
    g_string_printf(s, "%s_", r->t->name);
    if (l->method == TSR_SHARD_DATE) tsr_shard_date_period_suffix(s, l->unit, l->first_period + i);
    else g_string_append_printf(s, "%u", i);
    names[i] = tsr_shard_map_intern(r->ld->map, s->str);
  }
  r->t->physical = names;
}

static gboolean only_fields(TableReader *r, const char *kind, const char *const *fields) {
  g_autofree char *where = g_strdup_printf("%s (a %s table)", r->where, kind);
  return tsr_shard_map_check_fields(r->ld, -1, where, fields);
}

static gboolean read_sharded(TableReader *r, gboolean bound) {
  static const char *const bound_fields[] = {"shard_key", "binding", "columns", NULL};
  static const char *const fields[] = {"shard_key", "method", "key_type", "collation", "shards", "groups",
                                       "bounds", "lists", "unit", "from", "to", "columns", NULL};
  r->t->kind = TSR_TABLE_SHARDED;
  if (!only_fields(r, bound ? "bound" : "sharded", bound ? bound_fields : fields) ||
      !tsr_shard_map_get_string(r->ld, -1, r->where, "shard_key", TRUE, &r->t->shard_key))
    return FALSE;
  if (!bound && !read_method(r)) return FALSE;
  if (bound) {
    const char *target;
    if (!tsr_shard_map_get_string(r->ld, -1, r->where, "binding", TRUE, &target)) return FALSE;
    const char *dot = strchr(target, '.');
    g_autofree char *schema = dot ? g_strndup(target, (gsize)(dot - target)) : NULL;
    const TsrShardTable *other = dot ? tsr_shard_map_table(r->ld->map, schema, dot + 1) : NULL;
    if (!other || other->kind != TSR_TABLE_SHARDED || !other->layout || g_hash_table_contains(r->bound, other))
      return fail(r, "'binding' must name a sharded table with its own method (\"schema.table\"), not '%s'", target);
    r->t->layout = other->layout;
  }
  name_shards(r);
  return TRUE;
}

static gboolean read_table(TableReader *r, gboolean bound) {
  static const char *const vertical[] = {"group", "columns", NULL};
  static const char *const broadcast[] = {"broadcast", "columns", NULL};
  const char *group;
  if (!lua_istable(r->ld->L, -1)) return fail(r, "must be a table such as { group = \"g1\" }");
  if (!read_columns(r)) return FALSE;
  if (has_field(r, "shard_key") || has_field(r, "method") || has_field(r, "binding")) return read_sharded(r, bound);
  if (has_field(r, "broadcast")) {
    lua_getfield(r->ld->L, -1, "broadcast");
    gboolean yes = lua_type(r->ld->L, -1) == LUA_TBOOLEAN && lua_toboolean(r->ld->L, -1);
    lua_pop(r->ld->L, 1);
    if (!yes) return fail(r, "'broadcast' can only be true");
    r->t->kind = TSR_TABLE_BROADCAST;
    return only_fields(r, "broadcast", broadcast);
  }
  if (has_field(r, "group")) {
    r->t->kind = TSR_TABLE_VERTICAL;
    return only_fields(r, "vertical", vertical) && tsr_shard_map_get_string(r->ld, -1, r->where, "group", TRUE, &group) &&
           group_by_name(r, group, &r->t->group);
  }
  return fail(r, "say where the table lives: group = \"g1\", broadcast = true, or shard_key = \"col\" with a method");
}

/* ---- all tables ---- */

static gint cmp_tables(gconstpointer a, gconstpointer b) {
  const TsrShardTable *x = a, *y = b;
  int c = strcmp(x->schema, y->schema);
  return c ? c : strcmp(x->name, y->name);
}

/* Reads the names of `tables` (at idx) into map->tables, sorted. */
static gboolean read_names(TsrShardMapLoader *ld, int idx) {
  lua_State *L = ld->L;
  g_autoptr(GArray) tables = g_array_new(FALSE, TRUE, sizeof(TsrShardTable));
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    const char *dot = key ? strchr(key, '.') : NULL;
    if (!dot || dot == key || !dot[1]) {
      lua_pop(L, 1);
      return tsr_shard_map_fail(ld, "tables", "table names must be written \"schema.table\" (tables = { [\"shop.orders\"] = {...} })");
    }
    g_autofree char *schema = g_strndup(key, (gsize)(dot - key));
    TsrShardTable t = {.schema = tsr_shard_map_intern(ld->map, schema), .name = tsr_shard_map_intern(ld->map, dot + 1)};
    g_array_append_val(tables, t);
  }
  g_array_sort(tables, cmp_tables);
  ld->map->n_tables = tables->len;
  ld->map->tables = tsr_shard_map_alloc(ld->map, tables->len * sizeof(TsrShardTable));
  memcpy(ld->map->tables, tables->data, tables->len * sizeof(TsrShardTable));
  for (guint i = 0; i < tables->len; i++) {
    TsrShardTable *t = &ld->map->tables[i];
    g_hash_table_insert(ld->map->table_index, g_strconcat(t->schema, "\x1f", t->name, NULL), t);
  }
  return TRUE;
}

static gboolean is_bound(lua_State *L) {
  if (!lua_istable(L, -1)) return FALSE;
  lua_getfield(L, -1, "binding");
  gboolean bound = !lua_isnil(L, -1);
  lua_pop(L, 1);
  return bound;
}

/* Reads every table; bound tables after those they bind to. */
static gboolean read_all(TsrShardMapLoader *ld, int idx) {
  g_autoptr(GHashTable) bound_tables = g_hash_table_new(NULL, NULL);
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < ld->map->n_tables; i++) {
      TsrShardTable *t = &ld->map->tables[i];
      g_autofree char *where = g_strdup_printf("tables[\"%s.%s\"]", t->schema, t->name);
      g_autofree char *key = g_strconcat(t->schema, ".", t->name, NULL);
      TableReader r = {ld, t, where, NULL, NULL, bound_tables};
      lua_getfield(ld->L, idx, key);
      gboolean bound = is_bound(ld->L);
      if (bound && pass == 0) g_hash_table_add(bound_tables, t);
      if (bound == (pass == 1) && !read_table(&r, bound)) return FALSE;
      lua_pop(ld->L, 1);
    }
  return TRUE;
}

/* Records that `group` holds schema.name for `what`; FALSE (error set) when
 * another table already put a table of that name there. */
static gboolean claim(TsrShardMapLoader *ld, GHashTable *seen, guint group, const char *schema, const char *name,
                      const char *what) {
  char *key = g_strdup_printf("%u\x1f%s\x1f%s", group, schema, name);
  const char *before = g_hash_table_lookup(seen, key);
  if (before) {
    g_free(key);
    return tsr_shard_map_fail(ld, "tables", "%s and %s are both the table %s.%s on group %s", before, what, schema,
                              name, ld->map->groups[group].name);
  }
  g_hash_table_insert(seen, key, (gpointer)tsr_shard_map_intern(ld->map, what));
  return TRUE;
}

/* Two listed tables must never be the same table on a server. */
static gboolean check_physical(TsrShardMapLoader *ld) {
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < ld->map->n_tables; i++) {
    const TsrShardTable *t = &ld->map->tables[i];
    g_autofree char *what = g_strdup_printf("tables[\"%s.%s\"]", t->schema, t->name);
    gboolean ok = TRUE;
    if (t->kind == TSR_TABLE_VERTICAL) ok = claim(ld, seen, t->group, t->schema, t->name, what);
    for (guint g = 0; ok && t->kind == TSR_TABLE_BROADCAST && g < ld->map->n_groups; g++)
      ok = claim(ld, seen, g, t->schema, t->name, what);
    for (guint s = 0; ok && t->kind == TSR_TABLE_SHARDED && s < t->layout->n_shards; s++) {
      g_autofree char *shard = g_strdup_printf("shard %u of %s", s, what);
      ok = claim(ld, seen, t->layout->shard_group[s], t->schema, t->physical[s], shard);
    }
    if (!ok) return FALSE;
  }
  return TRUE;
}

gboolean tsr_shard_map_load_tables(TsrShardMapLoader *ld, int idx) {
  if (!lua_istable(ld->L, idx)) return tsr_shard_map_fail(ld, "tables", "must be a table of tables, not a %s", tsr_shard_map_type_of(ld, idx));
  return read_names(ld, idx) && read_all(ld, idx) && check_physical(ld);
}
