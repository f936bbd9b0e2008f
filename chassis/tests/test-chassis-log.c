/* test-chassis-log.c: --log-level names and the log line format
 * (chassis-log.c), and the writer writing to a file. */
#include <glib/gstdio.h>

#include "chassis/chassis-error.h"
#include "chassis/chassis-log.h"

static void test_level_parse(void) {
  static const struct {
    const char *name;
    GLogLevelFlags level;
  } cases[] = {
    { "error", G_LOG_LEVEL_ERROR },     { "critical", G_LOG_LEVEL_CRITICAL }, { "warning", G_LOG_LEVEL_WARNING },
    { "message", G_LOG_LEVEL_MESSAGE }, { "info", G_LOG_LEVEL_INFO },         { "debug", G_LOG_LEVEL_DEBUG },
    { "DEBUG", G_LOG_LEVEL_DEBUG },
  };
  GLogLevelFlags level = 0;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_assert_true(tsr_log_level_parse(cases[i].name, &level, NULL));
    g_assert_cmpint(level, ==, cases[i].level);
  }
  g_assert_false(tsr_log_level_parse("verbose", &level, &error));
  g_assert_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_OPTION);
  g_assert_cmpstr(error->message, ==, "'verbose' is not one of error, critical, warning, message, info, debug");
}

static void test_level_name(void) {
  g_assert_cmpstr(tsr_log_level_name(G_LOG_LEVEL_WARNING), ==, "warning");
  g_assert_cmpstr(tsr_log_level_name(G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL), ==, "critical");
  g_assert_cmpstr(tsr_log_level_name(G_LOG_LEVEL_INFO), ==, "info");
  g_assert_cmpstr(tsr_log_level_name(0), ==, "log");
}

static void test_line_format(void) {
  /* 2026-11-21T14:03:05.123456Z */
  gint64 t = G_GINT64_CONSTANT(1795269785) * G_USEC_PER_SEC + 123456;
  g_autofree char *line = tsr_log_format_line(G_LOG_LEVEL_WARNING, "core", "backend down\n", t);
  g_autofree char *no_domain = tsr_log_format_line(G_LOG_LEVEL_DEBUG, NULL, "x", 0);

  g_assert_cmpstr(line, ==, "2026-11-21T14:03:05.123Z warning [core] backend down\n");
  g_assert_cmpstr(no_domain, ==, "1970-01-01T00:00:00.000Z debug [tessera] x\n");
}

/* Everything below the threshold is dropped; lines come whole, from any
 * thread; reopen starts a new file under the name. */
static gpointer log_from_thread(gpointer data) {
  for (int i = 0; i < 200; i++)
    g_log_structured("thread", G_LOG_LEVEL_MESSAGE, "MESSAGE", "line %d from %s", i, (const char *)data);
  return NULL;
}

static void test_writer(void) {
  g_autofree char *dir = g_dir_make_tmp("tsr-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "t.log", NULL);
  g_autofree char *moved = g_build_filename(dir, "t.log.1", NULL);
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;
  g_auto(GStrv) lines = NULL;
  GThread *threads[4];

  tsr_log_init();
  g_assert_true(tsr_log_configure(G_LOG_LEVEL_MESSAGE, path, FALSE, NULL));
  g_assert_false(tsr_log_is_stderr());
  g_log_structured("unit", G_LOG_LEVEL_MESSAGE, "MESSAGE", "kept");
  g_log_structured("unit", G_LOG_LEVEL_INFO, "MESSAGE", "dropped");
  tsr_log_always("unit", "always %d", 1);
  for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("logger", log_from_thread, (gpointer) "worker");
  for (gsize i = 0; i < G_N_ELEMENTS(threads); i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(g_rename(path, moved), ==, 0);
  g_assert_true(tsr_log_reopen(NULL));
  g_log_structured("unit", G_LOG_LEVEL_MESSAGE, "MESSAGE", "after reopen");
  tsr_log_shutdown();
  g_assert_true(tsr_log_is_stderr());

  g_assert_true(g_file_get_contents(moved, &text, NULL, NULL));
  lines = g_strsplit(text, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 2 + 800 + 1);
  g_assert_true(g_str_has_suffix(lines[0], "Z message [unit] kept"));
  g_assert_true(g_str_has_suffix(lines[1], "Z message [unit] always 1"));
  for (guint i = 2; i < 802; i++) {
    g_assert_cmpuint(strlen(lines[i]), >, 25);
    g_assert_nonnull(strstr(lines[i], "Z message [thread] line "));
    g_assert_true(g_str_has_suffix(lines[i], " from worker"));
  }
  g_assert_true(g_file_get_contents(path, &text2, NULL, NULL));
  g_assert_true(g_str_has_suffix(text2, "Z message [unit] after reopen\n"));
  g_unlink(path);
  g_unlink(moved);
  g_rmdir(dir);
}

static void test_open_error(void) {
  g_autoptr(GError) error = NULL;

  g_assert_false(tsr_log_configure(G_LOG_LEVEL_MESSAGE, "/nonexistent/dir/t.log", FALSE, &error));
  g_assert_cmpstr(error->message, ==, "--log-file: cannot open '/nonexistent/dir/t.log': No such file or directory");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/chassis/log/level-parse", test_level_parse);
  g_test_add_func("/chassis/log/level-name", test_level_name);
  g_test_add_func("/chassis/log/line-format", test_line_format);
  g_test_add_func("/chassis/log/writer", test_writer);
  g_test_add_func("/chassis/log/open-error", test_open_error);
  return g_test_run();
}
