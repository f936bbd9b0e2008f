/* test-plugin-badabi.c: libtsrbadabi.so, a plugin built for another plugin
 * ABI (7): the chassis must refuse it before touching anything else. */
#include <gmodule.h>

#include "chassis/chassis-plugin.h"

static const TsrPlugin badabi_plugin = {
  .abi_version = 7,
  .name = "tsrbadabi",
  .version = "1.0",
};

G_MODULE_EXPORT const TsrPlugin *tsr_plugin_get(void);

const TsrPlugin *tsr_plugin_get(void) {
  return &badabi_plugin;
}
