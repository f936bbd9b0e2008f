/* test-chassis-options.c: the global options, plugin options, the defaults
 * file and the two passes (chassis-options.c, chassis-option-set.c). */
#include <glib/gstdio.h>
#include <unistd.h>

#include "chassis/chassis-error.h"
#include "chassis/chassis-options.h"
#include "tessera-config.h"

/* Options shaped like the proxy plugin's. */
typedef struct {
  char *address;
  char **backends;
  char **read_only;
  char *script;
  gint pool;
  gint64 big;
  gdouble timeout;
  gboolean skip_profiling;
  gboolean fast;           /* REVERSE: --no-fast clears it */
  char *seen_by_callback;
  GOptionEntry entries[11];
} FakePlugin;

/* A callback entry: records the value and the data it was called with. */
static gboolean fake_callback(const gchar *name, const gchar *value, gpointer data, GError **error) {
  FakePlugin *p = data;

  g_free(p->seen_by_callback);
  p->seen_by_callback = g_strdup_printf("%s=%s", name, value);
  return TRUE;
}

static void fake_init(FakePlugin *p) {
  const GOptionEntry entries[] = {
    { "proxy-address", 'P', 0, G_OPTION_ARG_STRING, &p->address, "Listen address", "HOST:PORT" },
    { "proxy-backend-addresses", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &p->backends, "Backends", "HOST:PORT" },
    { "proxy-read-only-backend-addresses", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &p->read_only, "RO", "HOST:PORT" },
    { "proxy-lua-script", 's', 0, G_OPTION_ARG_FILENAME, &p->script, "Script", "FILE" },
    { "proxy-pool", 0, 0, G_OPTION_ARG_INT, &p->pool, "Pool size", "N" },
    { "proxy-big", 0, 0, G_OPTION_ARG_INT64, &p->big, "A big number", "N" },
    { "proxy-connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &p->timeout, "Seconds", "S" },
    { "proxy-skip-profiling", 0, 0, G_OPTION_ARG_NONE, &p->skip_profiling, "No profiling", NULL },
    { "no-fast", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &p->fast, "Slow", NULL },
    { "proxy-callback", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)fake_callback, "Callback", "X" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  G_STATIC_ASSERT(sizeof entries == sizeof p->entries);
  memset(p, 0, sizeof *p);
  p->fast = TRUE;
  memcpy(p->entries, entries, sizeof entries);
}

static void fake_clear(FakePlugin *p) {
  g_free(p->address);
  g_strfreev(p->backends);
  g_strfreev(p->read_only);
  g_free(p->script);
  g_free(p->seen_by_callback);
}

/* One parse (both passes' logic) over a command line and a defaults file. */
typedef struct {
  TsrChassisOptions opts;
  FakePlugin fake;
  TsrOptionSet *set;
  char *dir;
  char *file;
  GError *error;
} Fixture;

static void options_setup(Fixture *f) {
  tsr_chassis_options_init(&f->opts);
  fake_init(&f->fake);
  f->set = tsr_chassis_options_new_set(&f->opts);
  g_assert_true(tsr_option_set_add(f->set, "plugin 'fake'", f->fake.entries, &f->fake, NULL));
}

static void options_teardown(Fixture *f) {
  g_clear_pointer(&f->set, tsr_option_set_free);
  fake_clear(&f->fake);
  tsr_chassis_options_clear(&f->opts);
}

static void fixture_setup(Fixture *f, gconstpointer data) {
  options_setup(f);
  f->dir = g_dir_make_tmp("tsr-options-XXXXXX", NULL);
  f->file = g_build_filename(f->dir, "tessera.cnf", NULL);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
  g_unlink(f->file);
  g_rmdir(f->dir);
  g_free(f->file);
  g_free(f->dir);
  g_clear_error(&f->error);
  options_teardown(f);
}

static void write_file(Fixture *f, const char *text) {
  g_assert_true(g_file_set_contents(f->file, text, -1, NULL));
  g_chmod(f->file, 0600);
}

/* Parses the NULL-terminated arguments after the program name into fresh
 * options (the chassis' and the fake plugin's). */
static gboolean parse(Fixture *f, const char *defaults_file, ...) {
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  va_list args;
  const char *arg = NULL;

  g_ptr_array_add(argv, (gpointer) "tessera");
  va_start(args, defaults_file);
  while ((arg = va_arg(args, const char *)) != NULL)
    g_ptr_array_add(argv, (gpointer)arg);
  va_end(args);
  g_ptr_array_add(argv, NULL);
  g_clear_error(&f->error);
  options_teardown(f);
  options_setup(f);
  return tsr_chassis_options_parse(f->set, defaults_file, (int)argv->len - 1, (char **)argv->pdata, &f->error) &&
         tsr_chassis_options_resolve(&f->opts, &f->error);
}

static void assert_strv(char **got, const char *const *want) {
  g_assert_nonnull(got);
  g_assert_cmpstrv(got, want);
}

static void test_defaults(Fixture *f, gconstpointer data) {
  const char *const proxy[] = { "sharding", "proxy", NULL }; /* sharding comes with proxy, first */

  g_assert_true(parse(f, NULL, NULL));
  assert_strv(f->opts.plugins, proxy);
  g_assert_cmpstr(f->opts.plugin_dir, ==, TESSERA_PLUGIN_DIR);
  g_assert_cmpint(f->opts.event_threads, ==, (gint)CLAMP(g_get_num_processors(), 1, 1024));
  g_assert_cmpstr(f->opts.log_level, ==, "critical");
  g_assert_cmpint(f->opts.shutdown_timeout, ==, 10);
  g_assert_cmpint(f->opts.max_open_files, ==, 0);
  g_assert_false(f->opts.daemon);
  g_assert_false(f->opts.keepalive);
  g_assert_null(f->opts.pid_file);
  g_assert_null(f->opts.log_file);
  g_assert_null(f->fake.address);
  g_assert_true(f->fake.fast);
}

static void test_globals(Fixture *f, gconstpointer data) {
  g_assert_true(parse(f, NULL, "--event-threads=3", "--daemon", "--keepalive", "--pid-file", "/run/t.pid",
                      "--user=nobody", "--log-level=debug", "--log-file=/tmp/t.log", "--max-open-files=4096",
                      "--shutdown-timeout=0", "--plugin-dir=/opt/p", "--verbose-shutdown", NULL));
  g_assert_cmpint(f->opts.event_threads, ==, 3);
  g_assert_true(f->opts.daemon);
  g_assert_true(f->opts.keepalive);
  g_assert_true(f->opts.verbose_shutdown);
  g_assert_cmpstr(f->opts.pid_file, ==, "/run/t.pid");
  g_assert_cmpstr(f->opts.user, ==, "nobody");
  g_assert_cmpstr(f->opts.log_level, ==, "debug");
  g_assert_cmpstr(f->opts.log_file, ==, "/tmp/t.log");
  g_assert_cmpint(f->opts.max_open_files, ==, 4096);
  g_assert_cmpint(f->opts.shutdown_timeout, ==, 0);
  g_assert_cmpstr(f->opts.plugin_dir, ==, "/opt/p");
}

static void test_short_and_repeated(Fixture *f, gconstpointer data) {
  const char *const backends[] = { "a:3306", "b:3306", "c:3306", NULL };
  const char *const ro[] = { "d:3306", NULL };

  g_assert_true(parse(f, NULL, "-P", ":4041", "-b", "a:3306", "-b", "b:3306", "--proxy-backend-addresses=c:3306",
                      "-r", "d:3306", "-s", "x.lua", "--proxy-pool", "8", "--proxy-big=9000000000",
                      "--proxy-connect-timeout=2.5", "--proxy-skip-profiling", "--no-fast",
                      "--proxy-callback=hi", NULL));
  g_assert_cmpstr(f->fake.address, ==, ":4041");
  assert_strv(f->fake.backends, backends);
  assert_strv(f->fake.read_only, ro);
  g_assert_cmpstr(f->fake.script, ==, "x.lua");
  g_assert_cmpint(f->fake.pool, ==, 8);
  g_assert_cmpint(f->fake.big, ==, G_GINT64_CONSTANT(9000000000));
  g_assert_cmpfloat(f->fake.timeout, ==, 2.5);
  g_assert_true(f->fake.skip_profiling);
  g_assert_false(f->fake.fast);
  g_assert_cmpstr(f->fake.seen_by_callback, ==, "--proxy-callback=hi");
}

static void test_comma_lists(Fixture *f, gconstpointer data) {
  const char *const plugins[] = { "proxy", "admin", "sharding", NULL };
  const char *const backends[] = { "a:1", "b:2", "c:3", NULL };

  g_assert_true(parse(f, NULL, "--plugins=proxy, admin", "--plugins", "sharding", "-b", "a:1,b:2,,", "-b", "c:3",
                      NULL));
  assert_strv(f->opts.plugins, plugins);
  assert_strv(f->fake.backends, backends);
}

static void test_file_tessera(Fixture *f, gconstpointer data) {
  const char *const plugins[] = { "sharding", "proxy", "admin", NULL };
  const char *const backends[] = { "a:1", "b:2", NULL };

  write_file(f, "# a comment\n[tessera]\nplugins = proxy,admin\nevent-threads = 2\ndaemon = true\n"
                "keepalive = 1\nlog-use-syslog = false\nproxy-address = :4040\n"
                "proxy-backend-addresses = a:1, b:2\nproxy-skip-profiling = TRUE\nno-fast = true\n"
                "proxy-callback = x\n\n[mysqld]\nport = 3306\n");
  g_assert_true(parse(f, f->file, NULL));
  assert_strv(f->opts.plugins, plugins);
  g_assert_cmpint(f->opts.event_threads, ==, 2);
  g_assert_true(f->opts.daemon);
  g_assert_true(f->opts.keepalive);
  g_assert_false(f->opts.log_use_syslog);
  g_assert_cmpstr(f->fake.address, ==, ":4040");
  assert_strv(f->fake.backends, backends);
  g_assert_true(f->fake.skip_profiling);
  g_assert_false(f->fake.fast);
  g_assert_cmpstr(f->fake.seen_by_callback, ==, "--proxy-callback=x");
}

static void test_file_mysql_proxy(Fixture *f, gconstpointer data) {
  const char *const backends[] = { "m:1", NULL };

  write_file(f, "[mysql-proxy]\nproxy-backend-addresses = m:1\nproxy-address = :1\nevent-threads = 4\n"
                "log-level = message\n[tessera]\nproxy-address = :2\n");
  g_assert_true(parse(f, f->file, NULL));
  assert_strv(f->fake.backends, backends);
  g_assert_cmpstr(f->fake.address, ==, ":2"); /* [tessera] wins over [mysql-proxy] */
  g_assert_cmpint(f->opts.event_threads, ==, 4);
  g_assert_cmpstr(f->opts.log_level, ==, "message");
}

static void test_command_line_wins(Fixture *f, gconstpointer data) {
  const char *const plugins[] = { "sharding", "proxy", "admin", NULL };
  const char *const backends[] = { "z:9", "y:8", NULL };

  write_file(f, "[tessera]\nplugins = proxy,admin\nevent-threads = 2\nproxy-address = :4040\n"
                "proxy-backend-addresses = a:1,b:2\n");
  g_assert_true(parse(f, f->file, "--event-threads=3", "-b", "z:9", "-P", ":5050", "-b", "y:8", NULL));
  g_assert_cmpint(f->opts.event_threads, ==, 3);
  g_assert_cmpstr(f->fake.address, ==, ":5050");
  assert_strv(f->fake.backends, backends); /* replaced, not appended to */
  assert_strv(f->opts.plugins, plugins);   /* not on the command line: the file's */
}

/* Asserts that the last parse failed with exactly this message. */
static void assert_error(Fixture *f, const char *message) {
  g_assert_error(f->error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION);
  g_assert_cmpstr(f->error->message, ==, message);
}

static void test_file_errors(Fixture *f, gconstpointer data) {
  g_autofree char *msg = NULL;

  write_file(f, "[tessera]\nevent-threads = 2\nproxy-adress = :4040\n");
  g_assert_false(parse(f, f->file, NULL));
  msg = g_strdup_printf("%s: [tessera] proxy-adress: unknown option", f->file);
  assert_error(f, msg);

  write_file(f, "[mysql-proxy]\nevent-threads = many\n");
  g_assert_false(parse(f, f->file, NULL));
  g_free(msg);
  msg = g_strdup_printf("%s: [mysql-proxy] event-threads: 'many' is not a number", f->file);
  assert_error(f, msg);

  write_file(f, "[tessera]\ndaemon = yes please\n");
  g_assert_false(parse(f, f->file, NULL));
  g_free(msg);
  msg = g_strdup_printf("%s: [tessera] daemon: 'yes please' is not a boolean (true, false, 1 or 0)", f->file);
  assert_error(f, msg);

  write_file(f, "[tessera]\nhelp = true\n");
  g_assert_false(parse(f, f->file, NULL));
  g_free(msg);
  msg = g_strdup_printf("%s: [tessera] help: only allowed on the command line", f->file);
  assert_error(f, msg);

  write_file(f, "[client]\nport = 1\n");
  g_assert_false(parse(f, f->file, NULL));
  g_free(msg);
  msg = g_strdup_printf("--defaults-file: '%s' has neither a [tessera] nor a [mysql-proxy] group", f->file);
  assert_error(f, msg);

  g_assert_false(parse(f, "/nonexistent/tessera.cnf", NULL));
  assert_error(f, "--defaults-file: cannot read '/nonexistent/tessera.cnf': No such file or directory");
}

static void test_bad_values(Fixture *f, gconstpointer data) {
  g_assert_false(parse(f, NULL, "--event-threads=abc", NULL));
  assert_error(f, "--event-threads: 'abc' is not a number");
  g_assert_false(parse(f, NULL, "--event-threads", "0", NULL));
  assert_error(f, "--event-threads: 0 is out of range (1..1024)");
  g_assert_false(parse(f, NULL, "--event-threads=1025", NULL));
  assert_error(f, "--event-threads: 1025 is out of range (1..1024)");
  g_assert_false(parse(f, NULL, "--shutdown-timeout=-1", NULL));
  assert_error(f, "--shutdown-timeout: -1 is out of range (0..86400)");
  g_assert_false(parse(f, NULL, "--proxy-pool=99999999999", NULL));
  assert_error(f, "--proxy-pool: 99999999999 is out of range (-2147483648..2147483647)");
  g_assert_false(parse(f, NULL, "--proxy-connect-timeout=soon", NULL));
  assert_error(f, "--proxy-connect-timeout: 'soon' is not a number");
  g_assert_false(parse(f, NULL, "--bogus=1", NULL));
  assert_error(f, "--bogus: unknown option");
  g_assert_false(parse(f, NULL, "-x", NULL));
  assert_error(f, "-x: unknown option");
  g_assert_false(parse(f, NULL, "stray", NULL));
  assert_error(f, "'stray': unexpected argument");
  g_assert_false(parse(f, NULL, "--event-threads", NULL));
  assert_error(f, "--event-threads: needs a value");
  g_assert_false(parse(f, NULL, "--log-level=loud", NULL));
  assert_error(f, "--log-level: 'loud' is not one of error, critical, warning, message, info, debug");
  g_assert_false(parse(f, NULL, "--log-file=/tmp/x", "--log-use-syslog", NULL));
  assert_error(f, "--log-file: cannot be used together with --log-use-syslog");
  g_assert_false(parse(f, NULL, "--basedir=rel", NULL));
  assert_error(f, "--basedir: 'rel' is not an absolute path");
}

static void test_relative_paths(Fixture *f, gconstpointer data) {
  g_autofree char *cwd = g_get_current_dir();
  g_autofree char *want = g_build_filename(cwd, "t.pid", NULL);

  g_assert_true(parse(f, NULL, "--pid-file=t.pid", "--log-file=/var/log/../log/t.log", NULL));
  g_assert_cmpstr(f->opts.pid_file, ==, want);
  g_assert_cmpstr(f->opts.log_file, ==, "/var/log/../log/t.log"); /* absolute ones stay as given */
  g_assert_true(parse(f, NULL, "--basedir=/srv/t", "--pid-file=run/t.pid", "--plugin-dir=p", NULL));
  g_assert_cmpstr(f->opts.pid_file, ==, "/srv/t/run/t.pid");
  g_assert_cmpstr(f->opts.plugin_dir, ==, "/srv/t/p");
}

static void test_clash(Fixture *f, gconstpointer data) {
  const GOptionEntry clash[] = {
    { "other", 'P', 0, G_OPTION_ARG_NONE, &f->opts.daemon, "x", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GError) error = NULL;

  g_assert_false(tsr_option_set_add(f->set, "plugin 'other'", clash, NULL, &error));
  g_assert_cmpstr(error->message, ==,
                  "plugin 'other' defines option --other, which clashes with --proxy-address of plugin 'fake'");
}

static void test_help(Fixture *f, gconstpointer data) {
  g_autofree char *help = tsr_option_set_help(f->set, "summary line");

  g_assert_nonnull(strstr(help, "summary line"));
  g_assert_nonnull(strstr(help, "--event-threads=N"));
  g_assert_nonnull(strstr(help, "--plugins=NAMES"));
  g_assert_nonnull(strstr(help, "-P, --proxy-address=HOST:PORT"));
  g_assert_nonnull(strstr(help, "-b, --proxy-backend-addresses=HOST:PORT"));
  g_assert_nonnull(strstr(help, "-V, --version"));
}

/* Pass 1 sees only the global options: plugin options are skipped, the
 * defaults file is read, the command line still wins. */
static void test_bootstrap(Fixture *f, gconstpointer data) {
  TsrChassisOptions boot;
  const char *const plugins[] = { "tsrtest", NULL };
  g_autofree char *arg = g_strconcat("--defaults-file=", f->file, NULL);
  const char *argv[] = { "tessera", "-P", ":4040", arg, "--proxy-unknown-yet", "-b", "x", "--plugin-dir=/cli", NULL };
  g_autoptr(GError) error = NULL;

  write_file(f, "[tessera]\nplugins = tsrtest\nplugin-dir = /file\nproxy-address = :1\n");
  tsr_chassis_options_init(&boot);
  g_assert_true(tsr_chassis_options_bootstrap(&boot, G_N_ELEMENTS(argv) - 1, (char **)argv, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(boot.defaults_file, ==, f->file);
  assert_strv(boot.plugins, plugins);
  g_assert_cmpstr(boot.plugin_dir, ==, "/cli");
  tsr_chassis_options_clear(&boot);
}

static void test_version_text(void) {
  g_autofree char *text = tsr_chassis_version_text();

  g_assert_true(g_str_has_prefix(text, "tessera " TESSERA_VERSION "\n"));
  g_assert_nonnull(strstr(text, "  glib: 2."));
  g_assert_nonnull(strstr(text, "  libevent: 2."));
  g_assert_nonnull(strstr(text, "  luajit: "));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/chassis/options/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD("defaults", test_defaults);
  ADD("globals", test_globals);
  ADD("short-and-repeated", test_short_and_repeated);
  ADD("comma-lists", test_comma_lists);
  ADD("file-tessera", test_file_tessera);
  ADD("file-mysql-proxy", test_file_mysql_proxy);
  ADD("command-line-wins", test_command_line_wins);
  ADD("file-errors", test_file_errors);
  ADD("bad-values", test_bad_values);
  ADD("relative-paths", test_relative_paths);
  ADD("clash", test_clash);
  ADD("help", test_help);
  ADD("bootstrap", test_bootstrap);
#undef ADD
  g_test_add_func("/chassis/options/version-text", test_version_text);
  return g_test_run();
}
