/* lua-shared.h: the process-wide store behind proxy.global: tables of
 * booleans, numbers, strings and nested tables, shared by every worker
 * thread (and so by every worker's Lua VM).
 *
 * No Lua here: lua-global.c exposes the store to scripts.
 *
 * Locking: every table has its own mutex, taken for the duration of one
 * operation on that table only (never two tables at once), so workers that
 * touch different tables never wait for each other. A table read out of
 * another table is returned with a reference of its own: it stays valid
 * (and keeps taking writes) after it has been removed from its parent, and
 * is freed when the last reference goes. Values are copied in and out;
 * strings are immutable and reference-counted (GRefString), so reading a
 * string copies no bytes under the lock.
 *
 * The store is a tree: a table is only ever inserted as a fresh copy
 * (tsr_shared_table_copy), so no table can contain itself. */
#ifndef TESSERA_LUA_SHARED_H
#define TESSERA_LUA_SHARED_H

#include <glib.h>

typedef struct TsrSharedTable TsrSharedTable;
typedef struct TsrSharedStore TsrSharedStore;

typedef enum {
  TSR_SHARED_NIL = 0,
  TSR_SHARED_BOOLEAN,
  TSR_SHARED_NUMBER,
  TSR_SHARED_STRING,
  TSR_SHARED_TABLE,
} TsrSharedType;

/* One value. A value owns what it points to: a string reference
 * (GRefString, binary-safe: `len` is its length) or a table reference.
 * Keys are values of type BOOLEAN, NUMBER or STRING; a key argument is
 * never taken, so it may also be a borrowed string (tsr_shared_key_string)
 * that costs no allocation. */
typedef struct {
  TsrSharedType type;
  gsize len;                   /* strings: the length in bytes */
  union {
    gboolean boolean;
    gdouble number;
    char *string;              /* a GRefString, or borrowed bytes in a key */
    TsrSharedTable *table;
  } u;
} TsrSharedValue;

#define TSR_SHARED_VALUE_INIT { TSR_SHARED_NIL, 0, { 0 } }

/* Sets *k to a key that borrows s[0..len): use it only as a key argument,
 * never store or clear it. */
void tsr_shared_key_string(TsrSharedValue *k, const char *s, gsize len);

/* Sets *v to a boolean, a number, a copy of s[0..len), or a new reference
 * to table t. *v must not hold anything (it is overwritten). */
void tsr_shared_value_set_boolean(TsrSharedValue *v, gboolean b);
void tsr_shared_value_set_number(TsrSharedValue *v, gdouble n);
void tsr_shared_value_set_string(TsrSharedValue *v, const char *s, gsize len);
void tsr_shared_value_set_table(TsrSharedValue *v, TsrSharedTable *t);

/* Makes *dst a copy of *src (taking new references). *dst is overwritten. */
void tsr_shared_value_copy(TsrSharedValue *dst, const TsrSharedValue *src);

/* Drops what *v holds and sets it to nil. */
void tsr_shared_value_clear(TsrSharedValue *v);

/* TRUE when a and b are the same scalar (nil, boolean, number, string with
 * the same bytes) or references to the same table. */
gboolean tsr_shared_value_equal(const TsrSharedValue *a, const TsrSharedValue *b);

/* ---- tables ---- */

/* Returns a new empty table with one reference. */
TsrSharedTable *tsr_shared_table_new(void);
/* Takes and drops a reference; the last one frees the table and drops its
 * values. Safe from any thread. unref accepts NULL. */
TsrSharedTable *tsr_shared_table_ref(TsrSharedTable *t);
void tsr_shared_table_unref(TsrSharedTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrSharedTable, tsr_shared_table_unref)

/* Looks key up in t. Returns TRUE and fills *out (a copy the caller clears)
 * when it is there; returns FALSE and sets *out to nil when it is not. */
gboolean tsr_shared_table_get(TsrSharedTable *t, const TsrSharedValue *key, TsrSharedValue *out);

/* Sets t[key] to *value, taking what *value holds (*value is nil after the
 * call); a nil value removes the key. The old value is dropped after the
 * table's lock is released. A table value must be one that no other table
 * holds (a fresh one, or tsr_shared_table_copy of another). */
void tsr_shared_table_set(TsrSharedTable *t, const TsrSharedValue *key, TsrSharedValue *value);

/* Adds delta to the number at t[key] in one step (a missing key counts as
 * 0) and returns TRUE with the new value in *result. Returns FALSE and
 * leaves t unchanged when t[key] holds something else than a number (then
 * *type_out, when not NULL, is its type). */
gboolean tsr_shared_table_incr(TsrSharedTable *t, const TsrSharedValue *key, gdouble delta, gdouble *result,
                               TsrSharedType *type_out);

/* Compare and set, in one step: when t[key] equals *expected (see
 * tsr_shared_value_equal; nil for a missing key), sets it to *new_value,
 * taking what *new_value holds, and returns TRUE. Otherwise returns FALSE
 * and *new_value is left to the caller. */
gboolean tsr_shared_table_cas(TsrSharedTable *t, const TsrSharedValue *key, const TsrSharedValue *expected,
                              TsrSharedValue *new_value);

/* Returns the length Lua's # would give: the largest n such that the keys
 * 1..n are all present (0 when t[1] is missing). Costs n lookups. */
gsize tsr_shared_table_len(TsrSharedTable *t);

/* Returns the number of keys in t. */
gsize tsr_shared_table_size(TsrSharedTable *t);

/* One key and value of a snapshot. */
typedef struct {
  TsrSharedValue key;
  TsrSharedValue value;
} TsrSharedEntry;

/* Copies t's keys and values as they are at one moment into a new array of
 * TsrSharedEntry (in no particular order); free it with
 * tsr_shared_entries_free(). Nested tables are references, not copies. */
GArray *tsr_shared_table_snapshot(TsrSharedTable *t);
void tsr_shared_entries_free(GArray *entries);

/* Returns a deep copy of t (a new tree of new tables; one reference). Each
 * table is copied as it is at one moment; the tables of the tree are not
 * locked together. */
TsrSharedTable *tsr_shared_table_copy(TsrSharedTable *t);

/* Shorthands for C callers with a string key: set t[key] to a string, a
 * number or a boolean; tsr_shared_table_get_table returns (with a new
 * reference) the table at t[key], creating an empty one first when
 * `create` is TRUE and the key is missing; it returns NULL when the key
 * holds something else, or is missing and create is FALSE. */
void tsr_shared_table_set_string(TsrSharedTable *t, const char *key, const char *value);
void tsr_shared_table_set_number(TsrSharedTable *t, const char *key, gdouble value);
void tsr_shared_table_set_boolean(TsrSharedTable *t, const char *key, gboolean value);
TsrSharedTable *tsr_shared_table_get_table(TsrSharedTable *t, const char *key, gboolean create);

/* ---- the store ---- */

/* Returns a new store: an empty root table holding one empty table,
 * "config" (proxy.global.config). One reference. */
TsrSharedStore *tsr_shared_store_new(void);
TsrSharedStore *tsr_shared_store_ref(TsrSharedStore *store);
void tsr_shared_store_unref(TsrSharedStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrSharedStore, tsr_shared_store_unref)

/* Returns the root table (proxy.global), borrowed from the store. */
TsrSharedTable *tsr_shared_store_root(TsrSharedStore *store);

#endif
