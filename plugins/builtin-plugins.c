/* builtin-plugins.c: the plugins compiled into the executable. */
#include "chassis/chassis-plugin.h"

extern const TsrPlugin tsr_proxy_plugin;
extern const TsrPlugin tsr_admin_plugin;
extern const TsrPlugin tsr_sharding_plugin;

const TsrPlugin *const tsr_builtin_plugins[] = {
  &tsr_proxy_plugin,
  &tsr_admin_plugin,
  &tsr_sharding_plugin,
  NULL,
};
