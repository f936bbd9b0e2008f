/* chassis-options.h: the chassis' global options (MySQL Proxy's names and
 * defaults) and the two-pass parse of defaults file + command line.
 *
 * Pass 1, tsr_chassis_options_bootstrap(): the global options only, unknown
 * options and keys skipped, to learn --defaults-file, --plugins,
 * --plugin-dir, --version and --help. The caller then loads the plugins and
 * adds their options to a set from tsr_chassis_options_new_set().
 * Pass 2, tsr_chassis_options_parse(): everything, strictly: the file's
 * [mysql-proxy] group, then its [tessera] group, then the command line,
 * each replacing what the one before set. */
#ifndef TESSERA_CHASSIS_OPTIONS_H
#define TESSERA_CHASSIS_OPTIONS_H

#include <glib.h>

#include "chassis/chassis-option-set.h"

/* Every string is NULL or allocated; tsr_chassis_options_resolve() fills
 * in the defaults that are not known at compile time. */
typedef struct {
  char *defaults_file;
  char **plugins;          /* default: "proxy" */
  char *plugin_dir;        /* default: TESSERA_PLUGIN_DIR */
  gint event_threads;      /* 0 until resolved: the number of CPUs */
  gboolean daemon;
  char *pid_file;
  char *user;
  gboolean keepalive;
  char *log_level;         /* default: "critical" */
  char *log_file;
  gboolean log_use_syslog;
  gboolean log_backtrace_on_crash;
  gint max_open_files;     /* 0: raise the soft limit to the hard limit */
  gint shutdown_timeout;   /* seconds; default 10 */
  gboolean verbose_shutdown;
  char *basedir;
  char *lua_path;
  char *lua_cpath;
  gboolean version;
  gboolean help;
} TsrChassisOptions;

/* Sets every field to its compile-time default. */
void tsr_chassis_options_init(TsrChassisOptions *opts);
/* Frees every field's value (the struct itself is the caller's). */
void tsr_chassis_options_clear(TsrChassisOptions *opts);

/* Returns a new set holding the global options, storing into opts (which
 * must outlive the set). Free with tsr_option_set_free(). */
TsrOptionSet *tsr_chassis_options_new_set(TsrChassisOptions *opts);

/* Pass 1 over argv (not changed) and the defaults file it names, into
 * opts (initialised by the caller). Returns FALSE with *error set on a bad
 * global option or an unreadable defaults file. */
gboolean tsr_chassis_options_bootstrap(TsrChassisOptions *opts, int argc, char **argv, GError **error);

/* Pass 2: fills set (from tsr_chassis_options_new_set() plus the plugins'
 * options) from the defaults file named in defaults_file (may be NULL) and
 * argv. Returns FALSE with *error set, naming the option (and the file for
 * a key from the file). */
gboolean tsr_chassis_options_parse(TsrOptionSet *set, const char *defaults_file, int argc, char **argv,
                                   GError **error);

/* Fills in the defaults (plugins, plugin dir, threads, log level), checks
 * what the parser cannot (the log level, option combinations, --basedir
 * being absolute) and makes the plugin dir, pid file and log file absolute
 * against --basedir, or the current directory without it. Returns FALSE
 * with *error set. */
gboolean tsr_chassis_options_resolve(TsrChassisOptions *opts, GError **error);

/* Returns the --version text: "tessera <version>" and the library versions,
 * one per line (free with g_free). */
char *tsr_chassis_version_text(void);

#endif
