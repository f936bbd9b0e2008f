/* chassis-options.c: see chassis-options.h. */
#include "chassis/chassis-options.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "chassis/chassis-error.h"
#include "chassis/chassis-log.h"
#include "tessera-config.h"

/* The defaults file groups, applied in this order (later wins). */
static const char *const file_groups[] = { "mysql-proxy", "tessera" };
/* Options that only make sense on the command line. */
static const char *const command_line_only[] = { "defaults-file", "help", "version" };

void tsr_chassis_options_init(TsrChassisOptions *opts) {
  memset(opts, 0, sizeof *opts);
  opts->shutdown_timeout = 10;
}

void tsr_chassis_options_clear(TsrChassisOptions *opts) {
  g_clear_pointer(&opts->defaults_file, g_free);
  g_clear_pointer(&opts->plugins, g_strfreev);
  g_clear_pointer(&opts->plugin_dir, g_free);
  g_clear_pointer(&opts->pid_file, g_free);
  g_clear_pointer(&opts->user, g_free);
  g_clear_pointer(&opts->log_level, g_free);
  g_clear_pointer(&opts->log_file, g_free);
  g_clear_pointer(&opts->basedir, g_free);
  g_clear_pointer(&opts->lua_path, g_free);
  g_clear_pointer(&opts->lua_cpath, g_free);
}

TsrOptionSet *tsr_chassis_options_new_set(TsrChassisOptions *o) {
  const GOptionEntry entries[] = {
    { "defaults-file", 0, 0, G_OPTION_ARG_FILENAME, &o->defaults_file,
      "Read options from this INI file ([tessera] or [mysql-proxy] group)", "FILE" },
    { "plugins", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->plugins,
      "Plugins to load, comma-separated or repeated (default: proxy)", "NAMES" },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->plugin_dir,
      "Where lib<name>.so plugins are (default: " TESSERA_PLUGIN_DIR ")", "DIR" },
    { "event-threads", 0, 0, G_OPTION_ARG_INT, &o->event_threads,
      "Worker threads (default: the number of CPUs)", "N" },
    { "daemon", 0, 0, G_OPTION_ARG_NONE, &o->daemon, "Run in the background", NULL },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &o->pid_file, "Write the process id to FILE", "FILE" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &o->user,
      "Run as USER once the plugins have started (needs root)", "USER" },
    { "keepalive", 0, 0, G_OPTION_ARG_NONE, &o->keepalive,
      "Restart tessera when it dies from a signal", NULL },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &o->log_level,
      "Log this level and above: " TSR_LOG_LEVEL_NAMES " (default: critical)", "LEVEL" },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &o->log_file,
      "Log to FILE instead of stderr (reopened on SIGHUP)", "FILE" },
    { "log-use-syslog", 0, 0, G_OPTION_ARG_NONE, &o->log_use_syslog, "Log to syslog", NULL },
    { "log-backtrace-on-crash", 0, 0, G_OPTION_ARG_NONE, &o->log_backtrace_on_crash,
      "Log a backtrace when tessera crashes", NULL },
    { "max-open-files", 0, 0, G_OPTION_ARG_INT, &o->max_open_files,
      "Open file limit (default: raise the soft limit to the hard limit)", "N" },
    { "shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &o->shutdown_timeout,
      "On SIGTERM, wait this long for running commands (default: 10)", "SECONDS" },
    { "verbose-shutdown", 0, 0, G_OPTION_ARG_NONE, &o->verbose_shutdown,
      "Always log the shutdown and its exit code", NULL },
    { "basedir", 0, 0, G_OPTION_ARG_FILENAME, &o->basedir,
      "Absolute directory that relative paths are taken from", "DIR" },
    { "lua-path", 0, 0, G_OPTION_ARG_STRING, &o->lua_path, "Set LUA_PATH for Lua scripts", "PATH" },
    { "lua-cpath", 0, 0, G_OPTION_ARG_STRING, &o->lua_cpath, "Set LUA_CPATH for Lua scripts", "PATH" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &o->version, "Show the version and exit", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help, "Show this help and exit", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  TsrOptionSet *set = tsr_option_set_new();

  /* The names are fixed here, so this cannot clash. */
  tsr_option_set_add(set, "tessera", entries, NULL, NULL);
  tsr_option_set_limit(set, "event-threads", 1, 1024);
  tsr_option_set_limit(set, "max-open-files", 1, G_MAXINT);
  tsr_option_set_limit(set, "shutdown-timeout", 0, 86400);
  return set;
}

/* Loads path, warning if others may access it. Returns NULL with *error set. */
static GKeyFile *load_defaults_file(const char *path, GError **error) {
  struct stat st;
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) local = NULL;

  if (stat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--defaults-file: cannot read '%s': %s",
                path, g_strerror(saved));
    return NULL;
  }
  if ((st.st_mode & 07777 & ~0660u) != 0)
    g_warning("%s has mode %04o: it should be 0660 or stricter (it may hold passwords)", path,
              (unsigned)(st.st_mode & 07777));
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--defaults-file: '%s': %s", path,
                local->message);
    return NULL;
  }
  if (!g_key_file_has_group(kf, "tessera") && !g_key_file_has_group(kf, "mysql-proxy")) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "--defaults-file: '%s' has neither a [tessera] nor a [mysql-proxy] group", path);
    return NULL;
  }
  return g_steal_pointer(&kf);
}

static gboolean is_command_line_only(const char *key) {
  return g_strv_contains((const char *const *)command_line_only, key);
}

static gboolean apply_key(TsrOptionSet *set, GKeyFile *kf, const char *path, const char *group,
                          const char *key, gboolean lenient, GError **error) {
  g_autoptr(GError) local = NULL;
  g_autofree char *value = NULL;

  if (tsr_option_set_lookup(set, key) == NULL) {
    if (lenient)
      return TRUE;
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s: [%s] %s: unknown option", path, group,
                key);
    return FALSE;
  }
  if (is_command_line_only(key)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "%s: [%s] %s: only allowed on the command line", path, group, key);
    return FALSE;
  }
  value = g_key_file_get_string(kf, group, key, &local);
  if (value == NULL || !tsr_option_set_apply(set, key, value, &local)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "%s: [%s] %s: %s", path, group, key,
                local->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean apply_defaults_file(TsrOptionSet *set, const char *path, gboolean lenient, GError **error) {
  g_autoptr(GKeyFile) kf = load_defaults_file(path, error);

  if (kf == NULL)
    return FALSE;
  for (gsize g = 0; g < G_N_ELEMENTS(file_groups); g++) {
    g_auto(GStrv) keys = g_key_file_get_keys(kf, file_groups[g], NULL, NULL);

    for (char **key = keys; key != NULL && *key != NULL; key++)
      if (!apply_key(set, kf, path, file_groups[g], *key, lenient, error))
        return FALSE;
    tsr_option_set_next_source(set);
  }
  return TRUE;
}

static gboolean parse_sources(TsrOptionSet *set, const char *defaults_file, int argc, char **argv,
                              gboolean lenient, GError **error) {
  if (defaults_file != NULL && !apply_defaults_file(set, defaults_file, lenient, error))
    return FALSE;
  return tsr_option_set_parse_argv(set, argc, argv, lenient, error);
}

gboolean tsr_chassis_options_bootstrap(TsrChassisOptions *opts, int argc, char **argv, GError **error) {
  g_autoptr(TsrOptionSet) set = tsr_chassis_options_new_set(opts);
  g_autofree char *defaults_file = NULL;

  if (!tsr_option_set_parse_argv(set, argc, argv, TRUE, error))
    return FALSE;
  if (opts->defaults_file == NULL)
    return TRUE;
  /* Again from scratch, now that the file is known: file, then argv. */
  defaults_file = g_strdup(opts->defaults_file);
  tsr_chassis_options_clear(opts);
  tsr_chassis_options_init(opts);
  g_clear_pointer(&set, tsr_option_set_free);
  set = tsr_chassis_options_new_set(opts);
  return parse_sources(set, defaults_file, argc, argv, TRUE, error);
}

gboolean tsr_chassis_options_parse(TsrOptionSet *set, const char *defaults_file, int argc, char **argv,
                                   GError **error) {
  return parse_sources(set, defaults_file, argc, argv, FALSE, error);
}

/* Makes *path absolute against base (NULL: the current directory). */
static void make_absolute(char **path, const char *base) {
  char *abs = NULL;

  if (*path == NULL || g_path_is_absolute(*path))
    return;
  abs = g_canonicalize_filename(*path, base);
  g_free(*path);
  *path = abs;
}

static gboolean check_combinations(const TsrChassisOptions *opts, GError **error) {
  GLogLevelFlags level = 0;
  g_autoptr(GError) local = NULL;

  if (!tsr_log_level_parse(opts->log_level, &level, &local)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--log-level: %s", local->message);
    return FALSE;
  }
  if (opts->log_file != NULL && opts->log_use_syslog) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION,
                "--log-file: cannot be used together with --log-use-syslog");
    return FALSE;
  }
  if (opts->basedir != NULL && !g_path_is_absolute(opts->basedir)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--basedir: '%s' is not an absolute path",
                opts->basedir);
    return FALSE;
  }
  if (opts->plugins == NULL || opts->plugins[0] == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION, "--plugins: names no plugin");
    return FALSE;
  }
  return TRUE;
}

/* The sharding plugin comes with the proxy plugin (it is inert without a
 * shard map): it is loaded just before it when --plugins does not name it,
 * so that it is configured first. */
static void add_sharding_plugin(TsrChassisOptions *opts) {
  GPtrArray *names;
  if (g_strv_contains((const char *const *)opts->plugins, "sharding") ||
      !g_strv_contains((const char *const *)opts->plugins, "proxy"))
    return;
  names = g_ptr_array_new();
  for (char **n = opts->plugins; *n; n++) {
    if (strcmp(*n, "proxy") == 0) g_ptr_array_add(names, g_strdup("sharding"));
    g_ptr_array_add(names, *n);
  }
  g_ptr_array_add(names, NULL);
  g_free(opts->plugins);
  opts->plugins = (char **)g_ptr_array_free(names, FALSE);
}

gboolean tsr_chassis_options_resolve(TsrChassisOptions *opts, GError **error) {
  if (opts->plugins == NULL)
    opts->plugins = g_strsplit("proxy", ",", -1);
  add_sharding_plugin(opts);
  if (opts->plugin_dir == NULL)
    opts->plugin_dir = g_strdup(TESSERA_PLUGIN_DIR);
  if (opts->log_level == NULL)
    opts->log_level = g_strdup("critical");
  if (opts->event_threads == 0)
    opts->event_threads = (gint)CLAMP(g_get_num_processors(), 1, 1024);
  if (!check_combinations(opts, error))
    return FALSE;
  make_absolute(&opts->plugin_dir, opts->basedir);
  make_absolute(&opts->pid_file, opts->basedir);
  make_absolute(&opts->log_file, opts->basedir);
  return TRUE;
}

char *tsr_chassis_version_text(void) {
  return g_strdup_printf("tessera %s\n"
                         "  glib: %u.%u.%u\n"
                         "  libevent: %s\n"
                         "  luajit: %s\n",
                         TESSERA_VERSION, glib_major_version, glib_minor_version, glib_micro_version,
                         event_get_version(), TSR_LUAJIT_VERSION);
}
