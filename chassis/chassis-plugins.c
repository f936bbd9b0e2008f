/* chassis-plugins.c: see chassis-plugins.h. */
#include "chassis/chassis-plugins.h"

#include "chassis/chassis-error.h"

static const TsrPlugin *find_builtin(const char *name, const TsrPlugin *const *builtins) {
  for (const TsrPlugin *const *p = builtins; p != NULL && *p != NULL; p++)
    if (g_strcmp0((*p)->name, name) == 0)
      return *p;
  return NULL;
}

static gboolean check_descriptor(const char *name, const char *path, const TsrPlugin *plugin, GError **error) {
  if (plugin == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN, "plugin '%s' (%s) returned no descriptor",
                name, path);
    return FALSE;
  }
  if (plugin->abi_version != TSR_PLUGIN_ABI_VERSION) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN,
                "plugin '%s' (%s) was built for plugin ABI %u, this tessera speaks ABI %u: "
                "rebuild the plugin against this tessera",
                name, path, plugin->abi_version, TSR_PLUGIN_ABI_VERSION);
    return FALSE;
  }
  if (g_strcmp0(plugin->name, name) != 0 || plugin->create == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN,
                "plugin '%s' (%s) is not a valid plugin: it calls itself '%s'%s", name, path,
                plugin->name != NULL ? plugin->name : "(null)", plugin->create == NULL ? " and has no create()" : "");
    return FALSE;
  }
  return TRUE;
}

/* Opens <dir>/lib<name>.so. Returns the module and sets *plugin, or returns
 * NULL with *error set (and *plugin untouched). */
static GModule *open_module(const char *name, const char *dir, const char *path, const TsrPlugin **plugin,
                            GError **error) {
  GModule *module = NULL;
  gpointer symbol = NULL;
  const TsrPlugin *descriptor = NULL;

  if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN,
                "plugin '%s' is not built in and there is no %s (searched --plugin-dir %s)", name, path, dir);
    return NULL;
  }
  module = g_module_open(path, G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN, "plugin '%s' (%s) does not load: %s", name,
                path, g_module_error());
    return NULL;
  }
  if (!g_module_symbol(module, TSR_PLUGIN_GET_SYMBOL, &symbol) || symbol == NULL) {
    g_set_error(error, TSR_CHASSIS_ERROR, TSR_CHASSIS_ERROR_PLUGIN,
                "plugin '%s' (%s) does not export " TSR_PLUGIN_GET_SYMBOL "()", name, path);
    g_module_close(module);
    return NULL;
  }
  descriptor = ((TsrPluginGetFunc)symbol)();
  if (!check_descriptor(name, path, descriptor, error)) {
    g_module_close(module);
    return NULL;
  }
  *plugin = descriptor;
  return module;
}

TsrPluginInstance *tsr_plugin_load(const char *name, const char *plugin_dir, const TsrPlugin *const *builtins,
                                   GError **error) {
  g_autoptr(TsrPluginInstance) instance = g_new0(TsrPluginInstance, 1);

  instance->plugin = find_builtin(name, builtins);
  if (instance->plugin == NULL) {
    g_autofree char *file = g_strconcat("lib", name, ".so", NULL);

    instance->path = g_build_filename(plugin_dir, file, NULL);
    instance->module = open_module(name, plugin_dir, instance->path, &instance->plugin, error);
    if (instance->module == NULL)
      return NULL;
  }
  instance->state = instance->plugin->create();
  return g_steal_pointer(&instance);
}

void tsr_plugin_instance_free(TsrPluginInstance *instance) {
  if (instance == NULL)
    return;
  if (instance->plugin != NULL && instance->plugin->destroy != NULL && instance->state != NULL)
    instance->plugin->destroy(instance->state);
  if (instance->module != NULL)
    g_module_close(instance->module);
  g_free(instance->path);
  g_free(instance);
}

GPtrArray *tsr_plugins_load(const char *const *names, const char *plugin_dir, const TsrPlugin *const *builtins,
                            GError **error) {
  GPtrArray *plugins = g_ptr_array_new();
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

  for (const char *const *name = names; name != NULL && *name != NULL; name++) {
    TsrPluginInstance *instance = NULL;

    if (!g_hash_table_add(seen, (gpointer)*name))
      continue;
    instance = tsr_plugin_load(*name, plugin_dir, builtins, error);
    if (instance == NULL) {
      tsr_plugins_free(plugins);
      return NULL;
    }
    g_ptr_array_add(plugins, instance);
  }
  return plugins;
}

void tsr_plugins_free(GPtrArray *plugins) {
  if (plugins == NULL)
    return;
  for (guint i = plugins->len; i > 0; i--)
    tsr_plugin_instance_free(g_ptr_array_index(plugins, i - 1));
  g_ptr_array_unref(plugins);
}
