/* admin-tables.c: the registry of the admin endpoint's virtual tables, the
 * rows they answer with, and the `backends` table. */
#define G_LOG_DOMAIN "core"
#include <string.h>

#include "admin-tables.h"
#include "core-error.h"

struct TsrAdminRows {
  char *table;
  GStrv columns;
  guint n_columns;
  GPtrArray *values;   /* of char* (NULL for SQL NULL), row after row, owned */
};

typedef struct {
  char *name;          /* as registered */
  GStrv columns;
  TsrAdminFillFunc fill;
  gpointer data;
} AdminTable;

/* Statically allocated GRWLocks need no initialisation. Fills run under the
 * read lock, (un)registering takes the write lock. */
static GRWLock registry_lock;
static GHashTable *registry;   /* lower-case name -> AdminTable*, owned; NULL until the first register */

/* ---- rows ---- */

TsrAdminRows *tsr_admin_rows_new(const char *table, const char *const *columns) {
  TsrAdminRows *rows = g_new0(TsrAdminRows, 1);
  rows->table = g_strdup(table);
  rows->columns = g_strdupv((char **)columns);
  rows->n_columns = g_strv_length(rows->columns);
  g_warn_if_fail(rows->n_columns > 0);
  rows->values = g_ptr_array_new_with_free_func(g_free);
  return rows;
}

void tsr_admin_rows_free(TsrAdminRows *rows) {
  if (!rows) return;
  g_free(rows->table);
  g_strfreev(rows->columns);
  g_ptr_array_unref(rows->values);
  g_free(rows);
}

void tsr_admin_rows_add_text(TsrAdminRows *out, const char *value) {
  g_ptr_array_add(out->values, g_strdup(value));
}

void tsr_admin_rows_add_int(TsrAdminRows *out, gint64 value) {
  g_ptr_array_add(out->values, g_strdup_printf("%" G_GINT64_FORMAT, value));
}

void tsr_admin_rows_add_row(TsrAdminRows *out, const char *const *values) {
  for (guint i = 0; i < out->n_columns; i++) tsr_admin_rows_add_text(out, values[i]);
}

const char *tsr_admin_rows_table(const TsrAdminRows *rows) {
  return rows->table;
}

guint tsr_admin_rows_n_columns(const TsrAdminRows *rows) {
  return rows->n_columns;
}

const char *tsr_admin_rows_column(const TsrAdminRows *rows, guint i) {
  g_return_val_if_fail(i < rows->n_columns, NULL);
  return rows->columns[i];
}

gint tsr_admin_rows_find_column(const TsrAdminRows *rows, const char *name) {
  for (guint i = 0; i < rows->n_columns; i++)
    if (g_ascii_strcasecmp(rows->columns[i], name) == 0) return (gint)i;
  return -1;
}

guint tsr_admin_rows_n_rows(const TsrAdminRows *rows) {
  return rows->n_columns ? rows->values->len / rows->n_columns : 0;
}

const char *tsr_admin_rows_value(const TsrAdminRows *rows, guint row, guint col) {
  g_return_val_if_fail(row < tsr_admin_rows_n_rows(rows) && col < rows->n_columns, NULL);
  return g_ptr_array_index(rows->values, (gsize)row * rows->n_columns + col);
}

/* Completes a short last row with NULLs. */
static void complete_last_row(TsrAdminRows *rows) {
  guint short_by;
  if (!rows->n_columns || rows->values->len % rows->n_columns == 0) return;
  short_by = rows->n_columns - rows->values->len % rows->n_columns;
  g_warning("admin table %s: the last row lacks %u value(s); they read as NULL", rows->table, short_by);
  while (short_by--) g_ptr_array_add(rows->values, NULL);
}

/* ---- the registry ---- */

/* TRUE when name is 1..TSR_ADMIN_NAME_MAX of [A-Za-z0-9_], no leading digit. */
static gboolean valid_name(const char *name) {
  gsize len = name ? strlen(name) : 0;
  if (len == 0 || len > TSR_ADMIN_NAME_MAX || g_ascii_isdigit(name[0])) return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum(name[i]) && name[i] != '_') return FALSE;
  return TRUE;
}

/* Checks the column list. Returns FALSE with *error set. */
static gboolean check_columns(const char *table, const char *const *columns, GError **error) {
  if (!columns || !columns[0]) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "admin table '%s': no columns", table);
    return FALSE;
  }
  for (guint i = 0; columns[i]; i++) {
    if (!valid_name(columns[i])) {
      g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                  "admin table '%s': column name '%s' is not 1 to %u of [A-Za-z0-9_] (no leading digit)", table,
                  columns[i], TSR_ADMIN_NAME_MAX);
      return FALSE;
    }
    for (guint j = 0; j < i; j++)
      if (g_ascii_strcasecmp(columns[i], columns[j]) == 0) {
        g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "admin table '%s': two columns named '%s'",
                    table, columns[i]);
        return FALSE;
      }
  }
  return TRUE;
}

static void admin_table_free(gpointer p) {
  AdminTable *t = p;
  g_free(t->name);
  g_strfreev(t->columns);
  g_free(t);
}

gboolean tsr_admin_table_register(const char *name, const char *const *columns, TsrAdminFillFunc fill,
                                  gpointer data, GError **error) {
  AdminTable *t;
  char *key;

  g_return_val_if_fail(fill != NULL, FALSE);
  if (!valid_name(name)) {
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG,
                "admin table name '%s' is not 1 to %u of [A-Za-z0-9_] (no leading digit)", name ? name : "(null)",
                TSR_ADMIN_NAME_MAX);
    return FALSE;
  }
  if (!check_columns(name, columns, error)) return FALSE;
  key = g_ascii_strdown(name, -1);
  g_rw_lock_writer_lock(&registry_lock);
  if (!registry) registry = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, admin_table_free);
  if (g_hash_table_contains(registry, key)) {
    g_rw_lock_writer_unlock(&registry_lock);
    g_set_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_CONFIG, "admin table '%s' is registered already", name);
    g_free(key);
    return FALSE;
  }
  t = g_new0(AdminTable, 1);
  t->name = g_strdup(name);
  t->columns = g_strdupv((char **)columns);
  t->fill = fill;
  t->data = data;
  g_hash_table_insert(registry, key, t);
  g_rw_lock_writer_unlock(&registry_lock);
  return TRUE;
}

gboolean tsr_admin_table_unregister(const char *name) {
  g_autofree char *key = g_ascii_strdown(name, -1);
  gboolean found;

  g_rw_lock_writer_lock(&registry_lock);
  found = registry && g_hash_table_remove(registry, key);
  if (registry && g_hash_table_size(registry) == 0) g_clear_pointer(&registry, g_hash_table_unref);
  g_rw_lock_writer_unlock(&registry_lock);
  return found;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return g_ascii_strcasecmp(*(char *const *)a, *(char *const *)b);
}

gchar **tsr_admin_table_names(void) {
  GPtrArray *names = g_ptr_array_new();
  GHashTableIter iter;
  gpointer value;

  g_rw_lock_reader_lock(&registry_lock);
  if (registry) {
    g_hash_table_iter_init(&iter, registry);
    while (g_hash_table_iter_next(&iter, NULL, &value)) g_ptr_array_add(names, g_strdup(((AdminTable *)value)->name));
  }
  g_rw_lock_reader_unlock(&registry_lock);
  g_ptr_array_sort(names, compare_names);
  g_ptr_array_add(names, NULL);
  return (gchar **)g_ptr_array_free(names, FALSE);
}

TsrAdminRows *tsr_admin_table_query(const char *name) {
  g_autofree char *key = g_ascii_strdown(name, -1);
  TsrAdminRows *rows = NULL;
  AdminTable *t;

  g_rw_lock_reader_lock(&registry_lock);
  t = registry ? g_hash_table_lookup(registry, key) : NULL;
  if (t) {
    rows = tsr_admin_rows_new(t->name, (const char *const *)t->columns);
    t->fill(t->data, rows);
  }
  g_rw_lock_reader_unlock(&registry_lock);
  if (rows) complete_last_row(rows);
  return rows;
}

/* ---- the backends table ---- */

const char *const tsr_admin_backends_columns[] = {
  "backend_ndx", "address", "state", "type", "connected_clients", NULL,
};

void tsr_admin_backends_fill(gpointer backend_list, TsrAdminRows *out) {
  const TsrBackendList *list = backend_list;
  for (guint i = 0; i < tsr_backend_list_size(list); i++) {
    TsrBackend *b = tsr_backend_list_get(list, i);
    tsr_admin_rows_add_int(out, (gint64)b->index + 1);
    tsr_admin_rows_add_text(out, b->name);
    tsr_admin_rows_add_text(out, tsr_backend_state_name((TsrBackendState)g_atomic_int_get(&b->state)));
    tsr_admin_rows_add_text(out, tsr_backend_type_name(b->type));
    tsr_admin_rows_add_int(out, MAX(g_atomic_int_get(&b->connected_clients), 0));
  }
}
