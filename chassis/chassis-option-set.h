/* chassis-option-set.h: one set of GOptionEntry arrays (the chassis' own
 * and every plugin's), filled from a defaults file's keys and from the
 * command line.
 *
 * Values are stored into the entries' arg_data the way GLib stores them,
 * with these differences, the same for the file and the command line:
 * - numbers are checked by the set, so an error reads
 *   "--event-threads: 'abc' is not a number" or "... is out of range (1..1024)";
 * - every element of a string array is split at commas, and an array
 *   accumulates within one source but a later source replaces it
 *   (the command line replaces the file's list);
 * - G_OPTION_ARG_CALLBACK functions get their array's data, not the group's.
 * Strings the set allocated and then replaced are freed by the set; the
 * final values belong to the entries' owner. */
#ifndef TESSERA_CHASSIS_OPTION_SET_H
#define TESSERA_CHASSIS_OPTION_SET_H

#include <glib.h>

typedef struct TsrOptionSet TsrOptionSet;

/* Returns a new, empty set. Free with tsr_option_set_free(). */
TsrOptionSet *tsr_option_set_new(void);
/* Frees the set (not the values it stored). NULL is fine. */
void tsr_option_set_free(TsrOptionSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrOptionSet, tsr_option_set_free)

/* Adds a NULL-terminated entry array (copied; the strings and arg_data it
 * points to are borrowed and must outlive the set).
 * owner names who defined them in errors ("plugin 'proxy'"); data is passed
 * to the entries' callbacks. Returns FALSE with *error set if a long or
 * short name is taken already or an entry has no long name. */
gboolean tsr_option_set_add(TsrOptionSet *set, const char *owner, const GOptionEntry *entries,
                            gpointer data, GError **error);
/* Limits the G_OPTION_ARG_INT or _INT64 option long_name to min..max.
 * The option must have been added. */
void tsr_option_set_limit(TsrOptionSet *set, const char *long_name, gint64 min, gint64 max);

/* Returns the entry with this long name, or NULL. Borrowed. */
const GOptionEntry *tsr_option_set_lookup(TsrOptionSet *set, const char *long_name);

/* Starts a new source: string arrays filled before are replaced, not
 * appended to, when the new source names them again. */
void tsr_option_set_next_source(TsrOptionSet *set);

/* Sets option long_name from a text value as a defaults file gives it:
 * booleans take true/false/1/0 (any case), others parse as on the command
 * line. Returns FALSE with *error set ("'x' is not a number", no option
 * name: the caller knows where the value came from). */
gboolean tsr_option_set_apply(TsrOptionSet *set, const char *long_name, const char *value, GError **error);

/* Parses a command line (argv is not changed; argv[0] is the program).
 * With lenient, unknown options and stray arguments are skipped; without,
 * they are errors. Returns FALSE with *error set, its message naming the
 * option: "--event-threads: 'abc' is not a number", "--bogus: unknown option". */
gboolean tsr_option_set_parse_argv(TsrOptionSet *set, int argc, char **argv, gboolean lenient, GError **error);

/* Returns the --help text for every option in the set (free with g_free).
 * summary is printed above the options (may be NULL). */
char *tsr_option_set_help(TsrOptionSet *set, const char *summary);

#endif
