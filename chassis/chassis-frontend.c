/* chassis-frontend.c: see chassis-frontend.h. */
#include "chassis/chassis-frontend.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <event2/event.h>

#include "chassis/chassis-daemon.h"
#include "chassis/chassis-keepalive.h"
#include "chassis/chassis-log.h"
#include "chassis/chassis-options.h"
#include "chassis/chassis-plugins.h"
#include "chassis/chassis.h"
#include "tessera-config.h"

typedef struct {
  TsrChassisOptions boot;   /* pass 1 */
  TsrChassisOptions opts;   /* pass 2 */
  TsrOptionSet *set;
  GPtrArray *plugins;       /* until the chassis takes them */
  char *plugin_names;       /* "proxy,admin" */
  TsrChassis *chassis;
  int ready_fd;             /* to the process waiting for a daemon's start */
} Frontend;

/* Reports an error on stderr (through the waiting process for a daemon),
 * and in the log if that is not stderr. Returns the exit code 1. */
static int fail(Frontend *fe, const GError *error) {
  if (!tsr_log_is_stderr())
    g_critical("%s", error->message);
  if (fe->ready_fd >= 0)
    tsr_daemon_notify(&fe->ready_fd, 1, error->message);
  else
    fprintf(stderr, "%s: %s\n", g_get_prgname(), error->message);
  return 1;
}

static void print_version(const TsrPlugin *const *builtins) {
  g_autofree char *text = tsr_chassis_version_text();

  fputs(text, stdout);
  for (const TsrPlugin *const *p = builtins; p != NULL && *p != NULL; p++)
    printf("  plugin %s: %s (built in)\n", (*p)->name, (*p)->version);
}

/* Pass 1, the plugins, pass 2. Sets *done for --version and --help. */
static gboolean parse_options(Frontend *fe, int argc, char **argv, const TsrPlugin *const *builtins,
                              gboolean *done, GError **error) {
  if (!tsr_chassis_options_bootstrap(&fe->boot, argc, argv, error))
    return FALSE;
  if ((*done = fe->boot.version)) {
    print_version(builtins);
    return TRUE;
  }
  if (!tsr_chassis_options_resolve(&fe->boot, error))
    return FALSE;
  fe->plugins = tsr_plugins_load((const char *const *)fe->boot.plugins, fe->boot.plugin_dir, builtins, error);
  if (fe->plugins == NULL)
    return FALSE;
  fe->set = tsr_chassis_options_new_set(&fe->opts);
  for (guint i = 0; i < fe->plugins->len; i++) {
    TsrPluginInstance *p = g_ptr_array_index(fe->plugins, i);
    g_autofree char *owner = g_strdup_printf("plugin '%s'", p->plugin->name);

    if (p->plugin->options != NULL &&
        !tsr_option_set_add(fe->set, g_intern_string(owner), p->plugin->options(p->state), p->state, error))
      return FALSE;
  }
  if (!tsr_chassis_options_parse(fe->set, fe->boot.defaults_file, argc, argv, error))
    return FALSE;
  if ((*done = fe->opts.help)) {
    g_autofree char *summary = g_strdup_printf("tessera %s, a Lua-scriptable MySQL proxy. Every option can also "
                                               "be a key in the --defaults-file.", TESSERA_VERSION);
    g_autofree char *help = tsr_option_set_help(fe->set, summary);
    fputs(help, stdout);
    return TRUE;
  }
  return tsr_chassis_options_resolve(&fe->opts, error);
}

/* Logging, working directory, environment and limits from the options. */
static gboolean apply_process_options(Frontend *fe, GError **error) {
  const TsrChassisOptions *o = &fe->opts;
  GLogLevelFlags level = G_LOG_LEVEL_CRITICAL;

  tsr_log_level_parse(o->log_level, &level, NULL); /* checked by resolve */
  if (!tsr_log_configure(level, o->log_file, o->log_use_syslog, error))
    return FALSE;
  if (o->log_backtrace_on_crash)
    tsr_log_install_crash_handler();
  if (o->basedir != NULL && chdir(o->basedir) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "--basedir: cannot chdir to '%s': %s",
                o->basedir, g_strerror(errno));
    return FALSE;
  }
  if (o->lua_path != NULL)
    g_setenv("LUA_PATH", o->lua_path, TRUE);
  if (o->lua_cpath != NULL)
    g_setenv("LUA_CPATH", o->lua_cpath, TRUE);
  return tsr_set_max_open_files(o->max_open_files, error);
}

/* Returns the plugin names joined with commas (free with g_free). */
static char *plugin_names(GPtrArray *plugins) {
  g_autoptr(GString) names = g_string_new(NULL);

  for (guint i = 0; i < plugins->len; i++) {
    const TsrPluginInstance *p = g_ptr_array_index(plugins, i);
    g_string_append_printf(names, "%s%s", i > 0 ? "," : "", p->plugin->name);
  }
  return g_string_free(g_steal_pointer(&names), FALSE);
}

/* Detaches, writes the pid file, and with --keepalive becomes the
 * supervisor. Returns -1 to go on starting, else the exit code. */
static int become_the_process(Frontend *fe, GError **error) {
  const TsrChassisOptions *o = &fe->opts;

  if (o->daemon && !tsr_daemon_detach(o->basedir != NULL ? o->basedir : "/", &fe->ready_fd, error))
    return 1;
  if (o->pid_file != NULL && !tsr_pid_file_write(o->pid_file, error))
    return 1;
  return o->keepalive ? tsr_keepalive_supervise(&fe->ready_fd) : -1;
}

static gboolean start_and_run(Frontend *fe, GError **error) {
  const TsrChassisOptions *o = &fe->opts;
  const char *const owned_files[] = { o->pid_file, o->log_file };

  if (!tsr_chassis_start(fe->chassis, error))
    return FALSE;
  if (o->user != NULL && !tsr_drop_user(o->user, owned_files, G_N_ELEMENTS(owned_files), error))
    return FALSE;
  tsr_daemon_notify(&fe->ready_fd, 0, NULL);
  g_message("tessera %s started: pid %ld, %d worker threads, plugins %s", TESSERA_VERSION, (long)getpid(),
            o->event_threads, fe->plugin_names);
  return tsr_chassis_run(fe->chassis, error);
}

static int run(Frontend *fe, int argc, char **argv, const TsrPlugin *const *builtins, GError **error) {
  gboolean done = FALSE;
  int code = 0;

  if (!parse_options(fe, argc, argv, builtins, &done, error))
    return 1;
  if (done)
    return 0;
  if (!apply_process_options(fe, error))
    return 1;
  fe->plugin_names = plugin_names(fe->plugins);
  fe->chassis = tsr_chassis_new(g_steal_pointer(&fe->plugins), (guint)fe->opts.event_threads,
                                (guint)fe->opts.shutdown_timeout);
  tsr_chassis_set_verbose_shutdown(fe->chassis, fe->opts.verbose_shutdown);
  if (!tsr_chassis_configure(fe->chassis, error))
    return 1;
  if ((code = become_the_process(fe, error)) >= 0)
    return code;
  return start_and_run(fe, error) ? 0 : 1;
}

int tsr_chassis_main(int argc, char **argv, const TsrPlugin *const *builtins) {
  Frontend fe = { .ready_fd = -1 };
  g_autoptr(GError) error = NULL;
  int code = 0;

  tsr_chassis_block_signals();
  g_set_prgname("tessera");
  tsr_log_init();
  signal(SIGPIPE, SIG_IGN);
  tsr_chassis_options_init(&fe.boot);
  tsr_chassis_options_init(&fe.opts);
  code = run(&fe, argc, argv, builtins, &error);
  if (error != NULL)
    code = fail(&fe, error);
  g_clear_pointer(&fe.chassis, tsr_chassis_free);
  g_clear_pointer(&fe.plugins, tsr_plugins_free);
  tsr_pid_file_remove(fe.opts.pid_file);
  if (fe.opts.verbose_shutdown)
    tsr_log_always(G_LOG_DOMAIN, "exiting with code %d", code);
  tsr_daemon_notify(&fe.ready_fd, code, NULL);
  g_clear_pointer(&fe.set, tsr_option_set_free);
  g_clear_pointer(&fe.plugin_names, g_free);
  tsr_chassis_options_clear(&fe.opts);
  tsr_chassis_options_clear(&fe.boot);
  tsr_log_shutdown();
  libevent_global_shutdown();
  return code;
}
