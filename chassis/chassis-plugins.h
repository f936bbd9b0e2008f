/* chassis-plugins.h: finding, loading and holding plugins.
 *
 * A name from --plugins is looked up among the built-in plugins first, then
 * as <plugin-dir>/lib<name>.so, a GModule exporting TSR_PLUGIN_GET_SYMBOL.
 * A module whose abi_version is not TSR_PLUGIN_ABI_VERSION is refused. */
#ifndef TESSERA_CHASSIS_PLUGINS_H
#define TESSERA_CHASSIS_PLUGINS_H

#include <glib.h>
#include <gmodule.h>

#include "chassis/chassis-plugin.h"

/* The plugins compiled into the executable, NULL-terminated. Defined by
 * plugins/ (builtin_plugins_dep); only the executable's main.c uses it, so
 * the chassis library and its tests link without it. */
extern const TsrPlugin *const tsr_builtin_plugins[];

/* One loaded plugin with its state. */
typedef struct {
  const TsrPlugin *plugin;
  gpointer state;       /* from create(), freed by destroy() */
  GModule *module;      /* NULL for a built-in plugin */
  char *path;           /* the module's file, NULL for a built-in plugin */
  gboolean started;     /* start() succeeded, stop() not yet called */
} TsrPluginInstance;

/* Finds the plugin `name` (builtins may be NULL) and calls its create().
 * Returns the instance (free with tsr_plugin_instance_free()), or NULL with
 * *error set: an unknown name (naming the directory searched), a module
 * that does not load, lacks the symbol or speaks another ABI. */
TsrPluginInstance *tsr_plugin_load(const char *name, const char *plugin_dir, const TsrPlugin *const *builtins,
                                   GError **error);
/* Calls destroy() and unloads the module. NULL is fine. */
void tsr_plugin_instance_free(TsrPluginInstance *instance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrPluginInstance, tsr_plugin_instance_free)

/* Loads every plugin in names (a name given twice is loaded once), in
 * order. Returns a GPtrArray of TsrPluginInstance (free with
 * tsr_plugins_free()), or NULL with *error set. */
GPtrArray *tsr_plugins_load(const char *const *names, const char *plugin_dir, const TsrPlugin *const *builtins,
                            GError **error);
/* Frees the instances in reverse order, then the array. NULL is fine. */
void tsr_plugins_free(GPtrArray *plugins);

#endif
