/* lua-shared.c: the process-wide store behind proxy.global (see lua-shared.h).
 *
 * The locks are pthread mutexes rather than GMutex: GLib implements GMutex
 * with bare futexes on Linux, which ThreadSanitizer cannot see, and this is
 * the code that most needs checking under it. */
#include <pthread.h>
#include <string.h>
#include "lua-shared.h"

struct TsrSharedTable {
  gint refcount;
  pthread_mutex_t lock;
  GHashTable *entries;   /* TsrSharedValue *key -> TsrSharedValue *value, both owned */
};

struct TsrSharedStore {
  gint refcount;
  TsrSharedTable *root;
};

/* ---- values ---- */

void tsr_shared_value_set_boolean(TsrSharedValue *v, gboolean b) {
  v->type = TSR_SHARED_BOOLEAN;
  v->len = 0;
  v->u.boolean = b ? TRUE : FALSE;
}

void tsr_shared_value_set_number(TsrSharedValue *v, gdouble n) {
  v->type = TSR_SHARED_NUMBER;
  v->len = 0;
  v->u.number = n;
}

void tsr_shared_value_set_string(TsrSharedValue *v, const char *s, gsize len) {
  v->type = TSR_SHARED_STRING;
  v->len = len;
  v->u.string = g_ref_string_new_len(s, (gssize)len);
}

void tsr_shared_key_string(TsrSharedValue *k, const char *s, gsize len) {
  k->type = TSR_SHARED_STRING;
  k->len = len;
  k->u.string = (char *)s;
}

void tsr_shared_value_set_table(TsrSharedValue *v, TsrSharedTable *t) {
  v->type = TSR_SHARED_TABLE;
  v->len = 0;
  v->u.table = tsr_shared_table_ref(t);
}

void tsr_shared_value_copy(TsrSharedValue *dst, const TsrSharedValue *src) {
  *dst = *src;
  if (src->type == TSR_SHARED_STRING) g_ref_string_acquire(src->u.string);
  else if (src->type == TSR_SHARED_TABLE) tsr_shared_table_ref(src->u.table);
}

void tsr_shared_value_clear(TsrSharedValue *v) {
  if (v->type == TSR_SHARED_STRING) g_ref_string_release(v->u.string);
  else if (v->type == TSR_SHARED_TABLE) tsr_shared_table_unref(v->u.table);
  v->type = TSR_SHARED_NIL;
  v->len = 0;
  memset(&v->u, 0, sizeof v->u);
}

gboolean tsr_shared_value_equal(const TsrSharedValue *a, const TsrSharedValue *b) {
  if (a->type != b->type) return FALSE;
  switch (a->type) {
  case TSR_SHARED_NIL: return TRUE;
  case TSR_SHARED_BOOLEAN: return a->u.boolean == b->u.boolean;
  case TSR_SHARED_NUMBER: return a->u.number == b->u.number;
  case TSR_SHARED_TABLE: return a->u.table == b->u.table;
  case TSR_SHARED_STRING:
    return a->len == b->len && memcmp(a->u.string, b->u.string, a->len) == 0;
  }
  return FALSE;
}

/* Returns a new heap copy of a key, with its own copy of a string's bytes
 * (the key may be borrowed). */
static TsrSharedValue *key_dup(const TsrSharedValue *k) {
  TsrSharedValue *copy = g_new(TsrSharedValue, 1);
  if (k->type == TSR_SHARED_STRING) tsr_shared_value_set_string(copy, k->u.string, k->len);
  else *copy = *k;
  return copy;
}

/* Moves what *v holds into a new heap value; *v becomes nil. */
static TsrSharedValue *value_take(TsrSharedValue *v) {
  TsrSharedValue *moved = g_new(TsrSharedValue, 1);
  *moved = *v;
  *v = (TsrSharedValue)TSR_SHARED_VALUE_INIT;
  return moved;
}

static void value_free(gpointer p) {
  if (!p) return;
  tsr_shared_value_clear(p);
  g_free(p);
}

/* Hash of a key: FNV-1a over a string's bytes or a number's bits (with -0
 * folded into 0, as they are the same key). */
static guint key_hash(gconstpointer p) {
  const TsrSharedValue *k = p;
  const guint8 *bytes;
  gsize len;
  gdouble n;
  guint32 h = 2166136261u;

  switch (k->type) {
  case TSR_SHARED_STRING:
    bytes = (const guint8 *)k->u.string;
    len = k->len;
    break;
  case TSR_SHARED_NUMBER:
    n = k->u.number == 0 ? 0.0 : k->u.number;
    bytes = (const guint8 *)&n;
    len = sizeof n;
    break;
  case TSR_SHARED_BOOLEAN:
    return k->u.boolean ? 1u : 2u;
  default:
    return 0;
  }
  for (gsize i = 0; i < len; i++) h = (h ^ bytes[i]) * 16777619u;
  return h ^ (guint)k->type;
}

static gboolean key_equal(gconstpointer a, gconstpointer b) {
  return tsr_shared_value_equal(a, b);
}

/* ---- tables ---- */

TsrSharedTable *tsr_shared_table_new(void) {
  TsrSharedTable *t = g_new0(TsrSharedTable, 1);
  t->refcount = 1;
  pthread_mutex_init(&t->lock, NULL);
  t->entries = g_hash_table_new_full(key_hash, key_equal, value_free, value_free);
  return t;
}

TsrSharedTable *tsr_shared_table_ref(TsrSharedTable *t) {
  g_atomic_int_inc(&t->refcount);
  return t;
}

void tsr_shared_table_unref(TsrSharedTable *t) {
  if (!t || !g_atomic_int_dec_and_test(&t->refcount)) return;
  /* The last reference: nobody else can reach the table any more. */
  g_hash_table_destroy(t->entries);
  pthread_mutex_destroy(&t->lock);
  g_free(t);
}

gboolean tsr_shared_table_get(TsrSharedTable *t, const TsrSharedValue *key, TsrSharedValue *out) {
  const TsrSharedValue *found;

  pthread_mutex_lock(&t->lock);
  found = g_hash_table_lookup(t->entries, key);
  if (found) tsr_shared_value_copy(out, found);
  pthread_mutex_unlock(&t->lock);
  if (!found) *out = (TsrSharedValue)TSR_SHARED_VALUE_INIT;
  return found != NULL;
}

/* Replaces t[key] by `moved` (NULL removes it) under the lock; returns the
 * key and value that are no longer in t, to free after unlocking. */
static void replace_locked(TsrSharedTable *t, const TsrSharedValue *key, TsrSharedValue *moved,
                           gpointer *old_key, gpointer *old_value) {
  gpointer k = NULL, v = NULL;
  gboolean had = g_hash_table_steal_extended(t->entries, key, &k, &v);

  if (moved) {
    g_hash_table_insert(t->entries, had ? k : key_dup(key), moved);
    k = NULL;   /* reused as the new entry's key, or there was none */
  }
  *old_key = k;
  *old_value = v;
}

void tsr_shared_table_set(TsrSharedTable *t, const TsrSharedValue *key, TsrSharedValue *value) {
  TsrSharedValue *moved = value->type == TSR_SHARED_NIL ? NULL : value_take(value);
  gpointer old_key, old_value;

  pthread_mutex_lock(&t->lock);
  replace_locked(t, key, moved, &old_key, &old_value);
  pthread_mutex_unlock(&t->lock);
  value_free(old_key);
  value_free(old_value);
}

gboolean tsr_shared_table_incr(TsrSharedTable *t, const TsrSharedValue *key, gdouble delta, gdouble *result,
                               TsrSharedType *type_out) {
  TsrSharedValue *v;
  gboolean ok = TRUE;

  pthread_mutex_lock(&t->lock);
  v = g_hash_table_lookup(t->entries, key);
  if (!v) {
    v = g_new(TsrSharedValue, 1);
    tsr_shared_value_set_number(v, 0);
    g_hash_table_insert(t->entries, key_dup(key), v);
  }
  if (v->type == TSR_SHARED_NUMBER) {
    v->u.number += delta;
    *result = v->u.number;
  } else {
    ok = FALSE;
    if (type_out) *type_out = v->type;
  }
  pthread_mutex_unlock(&t->lock);
  return ok;
}

gboolean tsr_shared_table_cas(TsrSharedTable *t, const TsrSharedValue *key, const TsrSharedValue *expected,
                              TsrSharedValue *new_value) {
  static const TsrSharedValue nil = TSR_SHARED_VALUE_INIT;
  const TsrSharedValue *current;
  gpointer old_key = NULL, old_value = NULL;
  gboolean swapped;

  pthread_mutex_lock(&t->lock);
  current = g_hash_table_lookup(t->entries, key);
  swapped = tsr_shared_value_equal(current ? current : &nil, expected);
  if (swapped)
    replace_locked(t, key, new_value->type == TSR_SHARED_NIL ? NULL : value_take(new_value), &old_key, &old_value);
  pthread_mutex_unlock(&t->lock);
  value_free(old_key);
  value_free(old_value);
  return swapped;
}

gsize tsr_shared_table_len(TsrSharedTable *t) {
  TsrSharedValue key;
  gsize n = 0;

  pthread_mutex_lock(&t->lock);
  for (;;) {
    tsr_shared_value_set_number(&key, (gdouble)(n + 1));
    if (!g_hash_table_contains(t->entries, &key)) break;
    n++;
  }
  pthread_mutex_unlock(&t->lock);
  return n;
}

gsize tsr_shared_table_size(TsrSharedTable *t) {
  gsize n;
  pthread_mutex_lock(&t->lock);
  n = g_hash_table_size(t->entries);
  pthread_mutex_unlock(&t->lock);
  return n;
}

static void entry_clear(gpointer p) {
  TsrSharedEntry *e = p;
  tsr_shared_value_clear(&e->key);
  tsr_shared_value_clear(&e->value);
}

GArray *tsr_shared_table_snapshot(TsrSharedTable *t) {
  GArray *entries;
  GHashTableIter it;
  gpointer k, v;

  pthread_mutex_lock(&t->lock);
  entries = g_array_sized_new(FALSE, FALSE, sizeof(TsrSharedEntry), g_hash_table_size(t->entries));
  g_array_set_clear_func(entries, entry_clear);
  g_hash_table_iter_init(&it, t->entries);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    TsrSharedEntry e;
    tsr_shared_value_copy(&e.key, k);
    tsr_shared_value_copy(&e.value, v);
    g_array_append_val(entries, e);
  }
  pthread_mutex_unlock(&t->lock);
  return entries;
}

void tsr_shared_entries_free(GArray *entries) {
  if (entries) g_array_unref(entries);
}

TsrSharedTable *tsr_shared_table_copy(TsrSharedTable *t) {
  TsrSharedTable *copy = tsr_shared_table_new();
  GArray *entries = tsr_shared_table_snapshot(t);

  for (guint i = 0; i < entries->len; i++) {
    TsrSharedEntry *e = &g_array_index(entries, TsrSharedEntry, i);
    TsrSharedValue *value;
    if (e->value.type == TSR_SHARED_TABLE) {
      g_autoptr(TsrSharedTable) nested = tsr_shared_table_copy(e->value.u.table);
      value = g_new(TsrSharedValue, 1);
      tsr_shared_value_set_table(value, nested);
    } else {
      value = value_take(&e->value);
    }
    g_hash_table_insert(copy->entries, value_take(&e->key), value);
  }
  tsr_shared_entries_free(entries);
  return copy;
}

/* ---- shorthands with string keys ---- */

static void set_with_string_key(TsrSharedTable *t, const char *key, TsrSharedValue *value) {
  TsrSharedValue k;
  tsr_shared_key_string(&k, key, strlen(key));
  tsr_shared_table_set(t, &k, value);
}

void tsr_shared_table_set_string(TsrSharedTable *t, const char *key, const char *value) {
  TsrSharedValue v;
  tsr_shared_value_set_string(&v, value, strlen(value));
  set_with_string_key(t, key, &v);
}

void tsr_shared_table_set_number(TsrSharedTable *t, const char *key, gdouble value) {
  TsrSharedValue v;
  tsr_shared_value_set_number(&v, value);
  set_with_string_key(t, key, &v);
}

void tsr_shared_table_set_boolean(TsrSharedTable *t, const char *key, gboolean value) {
  TsrSharedValue v;
  tsr_shared_value_set_boolean(&v, value);
  set_with_string_key(t, key, &v);
}

TsrSharedTable *tsr_shared_table_get_table(TsrSharedTable *t, const char *key, gboolean create) {
  TsrSharedValue k, current = TSR_SHARED_VALUE_INIT, fresh;
  TsrSharedTable *result = NULL;

  tsr_shared_key_string(&k, key, strlen(key));
  for (;;) {
    tsr_shared_table_get(t, &k, &current);
    if (current.type == TSR_SHARED_TABLE) {
      result = tsr_shared_table_ref(current.u.table);
      break;
    }
    if (current.type != TSR_SHARED_NIL || !create) break;
    {
      g_autoptr(TsrSharedTable) empty = tsr_shared_table_new();
      tsr_shared_value_set_table(&fresh, empty);
    }
    if (tsr_shared_table_cas(t, &k, &current, &fresh)) continue;   /* read it back */
    tsr_shared_value_clear(&fresh);                                 /* lost a race: look again */
  }
  tsr_shared_value_clear(&current);
  return result;
}

/* ---- the store ---- */

TsrSharedStore *tsr_shared_store_new(void) {
  TsrSharedStore *store = g_new0(TsrSharedStore, 1);
  TsrSharedTable *config;

  store->refcount = 1;
  store->root = tsr_shared_table_new();
  config = tsr_shared_table_get_table(store->root, "config", TRUE);
  tsr_shared_table_unref(config);
  return store;
}

TsrSharedStore *tsr_shared_store_ref(TsrSharedStore *store) {
  g_atomic_int_inc(&store->refcount);
  return store;
}

void tsr_shared_store_unref(TsrSharedStore *store) {
  if (!store || !g_atomic_int_dec_and_test(&store->refcount)) return;
  tsr_shared_table_unref(store->root);
  g_free(store);
}

TsrSharedTable *tsr_shared_store_root(TsrSharedStore *store) {
  return store->root;
}
