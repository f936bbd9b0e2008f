/* chassis-frontend.h: the whole life of the tessera process, from the
 * command line to the exit code: options (two passes), plugins, logging,
 * limits, --daemon, --pid-file, --keepalive, start, --user, the main loop,
 * the graceful stop. */
#ifndef TESSERA_CHASSIS_FRONTEND_H
#define TESSERA_CHASSIS_FRONTEND_H

#include "chassis/chassis-plugin.h"

/* Runs tessera with the command line argc/argv (not changed) and the
 * built-in plugins `builtins` (NULL-terminated, may be NULL). Returns the
 * process' exit code: 0 after --help, --version or a graceful stop, 1 on
 * any error (reported as one "tessera: ..." line on stderr). */
int tsr_chassis_main(int argc, char **argv, const TsrPlugin *const *builtins);

#endif
