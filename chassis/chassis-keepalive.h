/* chassis-keepalive.h: --keepalive. The process that calls
 * tsr_keepalive_supervise() becomes a supervisor: it forks a child that goes
 * on to run tessera, forwards SIGTERM, SIGINT and SIGHUP to it, starts a new
 * child when one dies from a signal (after a pause that doubles from 100 ms
 * up to 30 s while children keep dying young), and exits when a child
 * exits normally, with its exit code. */
#ifndef TESSERA_CHASSIS_KEEPALIVE_H
#define TESSERA_CHASSIS_KEEPALIVE_H

#include <glib.h>

/* Returns -1 in the child (which carries on starting tessera). In the
 * supervisor, returns the code to exit with once supervision has ended.
 * *ready_fd (see tsr_daemon_detach(), may be -1) is left to the first child:
 * the supervisor closes its copy and sets it to -1. */
int tsr_keepalive_supervise(int *ready_fd);

#endif
