/* test-chassis-plugins.c: finding and loading plugins (chassis-plugins.c):
 * built-ins, modules from the plugin dir, the ABI check, unknown names.
 * TSR_TEST_PLUGIN_DIR names the directory with libtsrtest.so and
 * libtsrbadabi.so. */
#include "chassis/chassis-error.h"
#include "chassis/chassis-plugins.h"

static int created;

static gpointer builtin_create(void) {
  created++;
  return g_new0(int, 1);
}

static const TsrPlugin builtin_a = { TSR_PLUGIN_ABI_VERSION, "a", "1", builtin_create, NULL, NULL, NULL, NULL, NULL, g_free };
/* A built-in that shares its name with the test module: it must win. */
static const TsrPlugin builtin_tsrtest = { TSR_PLUGIN_ABI_VERSION, "tsrtest", "builtin", builtin_create,
                                           NULL, NULL, NULL, NULL, NULL, g_free };
static const TsrPlugin *const builtins[] = { &builtin_a, NULL };
static const TsrPlugin *const builtins_shadowing[] = { &builtin_a, &builtin_tsrtest, NULL };

static const char *plugin_dir(void) {
  const char *dir = g_getenv("TSR_TEST_PLUGIN_DIR");

  g_assert_nonnull(dir);
  return dir;
}

static void test_builtin(void) {
  g_autoptr(GError) error = NULL;
  TsrPluginInstance *p = tsr_plugin_load("a", "/nonexistent", builtins, &error);

  g_assert_no_error(error);
  g_assert_true(p->plugin == &builtin_a);
  g_assert_null(p->module);
  g_assert_null(p->path);
  g_assert_nonnull(p->state);
  tsr_plugin_instance_free(p);
}

static void test_unknown(void) {
  g_autoptr(GError) error = NULL;

  g_assert_null(tsr_plugin_load("nosuch", "/opt/tsr/plugins", builtins, &error));
  g_assert_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN);
  g_assert_cmpstr(error->message, ==, "plugin 'nosuch' is not built in and there is no "
                                      "/opt/tsr/plugins/libnosuch.so (searched --plugin-dir /opt/tsr/plugins)");
}

static void test_module(void) {
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename(plugin_dir(), "libtsrtest.so", NULL);
  TsrPluginInstance *p = tsr_plugin_load("tsrtest", plugin_dir(), builtins, &error);

  g_assert_no_error(error);
  g_assert_nonnull(p->module);
  g_assert_cmpstr(p->path, ==, path);
  g_assert_cmpstr(p->plugin->name, ==, "tsrtest");
  g_assert_cmpuint(p->plugin->abi_version, ==, TSR_PLUGIN_ABI_VERSION);
  g_assert_nonnull(p->plugin->options(p->state));
  tsr_plugin_instance_free(p);
}

static void test_bad_abi(void) {
  g_autoptr(GError) error = NULL;
  g_autofree char *want = g_strdup_printf("plugin 'tsrbadabi' (%s/libtsrbadabi.so) was built for plugin ABI 7, "
                                          "this tessera speaks ABI %u: rebuild the plugin against this tessera",
                                          plugin_dir(), TSR_PLUGIN_ABI_VERSION);

  g_assert_null(tsr_plugin_load("tsrbadabi", plugin_dir(), builtins, &error));
  g_assert_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN);
  g_assert_cmpstr(error->message, ==, want);
}

static void test_builtin_wins(void) {
  g_autoptr(GError) error = NULL;
  TsrPluginInstance *p = tsr_plugin_load("tsrtest", plugin_dir(), builtins_shadowing, &error);

  g_assert_no_error(error);
  g_assert_true(p->plugin == &builtin_tsrtest);
  g_assert_null(p->module);
  tsr_plugin_instance_free(p);
}

static void test_load_list(void) {
  const char *const names[] = { "a", "tsrtest", "a", NULL };
  const char *const bad[] = { "a", "nosuch", NULL };
  g_autoptr(GError) error = NULL;
  GPtrArray *plugins = NULL;

  created = 0;
  plugins = tsr_plugins_load(names, plugin_dir(), builtins, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(plugins->len, ==, 2); /* "a" once */
  g_assert_cmpint(created, ==, 1);
  tsr_plugins_free(plugins);
  g_assert_null(tsr_plugins_load(bad, plugin_dir(), builtins, &error));
  g_assert_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/chassis/plugins/builtin", test_builtin);
  g_test_add_func("/chassis/plugins/unknown", test_unknown);
  g_test_add_func("/chassis/plugins/module", test_module);
  g_test_add_func("/chassis/plugins/bad-abi", test_bad_abi);
  g_test_add_func("/chassis/plugins/builtin-wins", test_builtin_wins);
  g_test_add_func("/chassis/plugins/load-list", test_load_list);
  return g_test_run();
}
