/* builtin-plugins.c: the plugins compiled into the executable. */
#include "chassis/chassis-plugin.h"

extern const TsrPlugin tsr_proxy_plugin;

const TsrPlugin *const tsr_builtin_plugins[] = {
  &tsr_proxy_plugin,
  NULL,
};
