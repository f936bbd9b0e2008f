/* admin-tables.h: named read-only virtual tables that plugins publish and
 * the admin endpoint shows (SHOW TABLES, SELECT * FROM <name>).
 *
 * The registry is process-wide and thread-safe. A table is a name, its
 * column names and a fill callback that appends the table's current rows
 * whenever a client asks; every value is text or NULL.
 *
 * The fill callback runs on the thread that queries (the admin endpoint's:
 * the main thread), with the registry's read lock held, so:
 *  - what it reads must be safe to read from that thread (atomics, or data
 *    under the publisher's own lock);
 *  - it must not call tsr_admin_table_* itself (only tsr_admin_rows_add_*);
 *  - tsr_admin_table_unregister() waits until running fills of any table
 *    are over: once it returns, the table's `data` may be freed.
 *
 * Names of tables and columns are 1..64 characters of [A-Za-z0-9_], not
 * starting with a digit; tables are looked up without regard to case. */
#ifndef TESSERA_CORE_ADMIN_TABLES_H
#define TESSERA_CORE_ADMIN_TABLES_H

#include <glib.h>
#include "backend.h"

#define TSR_ADMIN_NAME_MAX 64u

/* The rows of one answer: a table name, its columns and text values. */
typedef struct TsrAdminRows TsrAdminRows;

/* Appends the table's current rows to out with tsr_admin_rows_add_*. */
typedef void (*TsrAdminFillFunc)(gpointer data, TsrAdminRows *out);

/* Publishes table `name` with the NULL-terminated column names `columns`
 * (both copied). fill(data, rows) is called for every query of the table;
 * `data` stays the caller's and must stay valid until unregistered.
 * Returns FALSE with *error set (TSR_CORE_ERROR_CONFIG) when a name is not
 * valid, there are no columns, two columns share a name, or a table of that
 * name (in any case) is registered already. */
gboolean tsr_admin_table_register(const char *name, const char *const *columns, TsrAdminFillFunc fill,
                                  gpointer data, GError **error);

/* Withdraws table `name` (any case), waiting for fills in progress. Returns
 * FALSE when no such table was registered. */
gboolean tsr_admin_table_unregister(const char *name);

/* Returns the names of the registered tables as registered, sorted
 * (newly allocated: g_strfreev). */
gchar **tsr_admin_table_names(void);

/* Runs the fill of table `name` (any case). Returns the new rows (free with
 * tsr_admin_rows_free), or NULL when no such table is registered. A last row
 * the fill left short is completed with NULLs. */
TsrAdminRows *tsr_admin_table_query(const char *name);

/* Returns new empty rows for a result named `table` with the NULL-terminated
 * column names `columns` (at least one; both copied). For answers built
 * outside the registry (SHOW TABLES, filtered rows, tests). */
TsrAdminRows *tsr_admin_rows_new(const char *table, const char *const *columns);
void tsr_admin_rows_free(TsrAdminRows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrAdminRows, tsr_admin_rows_free)

/* Appends the next value (copied; NULL is SQL NULL). Values fill a row
 * column by column; after the last column the next value starts a row. */
void tsr_admin_rows_add_text(TsrAdminRows *out, const char *value);
/* Appends the next value as decimal text. */
void tsr_admin_rows_add_int(TsrAdminRows *out, gint64 value);
/* Appends a whole row: one value per column (copied; NULLs allowed). Call
 * it at the start of a row. */
void tsr_admin_rows_add_row(TsrAdminRows *out, const char *const *values);

/* Returns the result's table name (as registered; borrowed). */
const char *tsr_admin_rows_table(const TsrAdminRows *rows);
/* Returns the number of columns (>= 1). */
guint tsr_admin_rows_n_columns(const TsrAdminRows *rows);
/* Returns the name of column i (borrowed), i < n_columns. */
const char *tsr_admin_rows_column(const TsrAdminRows *rows, guint i);
/* Returns the index of the column named `name` (any case), or -1. */
gint tsr_admin_rows_find_column(const TsrAdminRows *rows, const char *name);
/* Returns the number of complete rows. */
guint tsr_admin_rows_n_rows(const TsrAdminRows *rows);
/* Returns the value of row `row`, column `col` (borrowed; NULL for NULL). */
const char *tsr_admin_rows_value(const TsrAdminRows *rows, guint row, guint col);

/* The `backends` table of a backend list: backend_ndx (1-based), address,
 * state (up/down/unknown), type (rw/ro), connected_clients. */
#define TSR_ADMIN_BACKENDS_TABLE "backends"
extern const char *const tsr_admin_backends_columns[];
/* A TsrAdminFillFunc whose data is a TsrBackendList: reads the atomics of
 * each backend. */
void tsr_admin_backends_fill(gpointer backend_list, TsrAdminRows *out);

#endif
