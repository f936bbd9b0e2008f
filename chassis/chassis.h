/* chassis.h: the TsrChassis object: the plugins, the main event base with
 * the signal handlers, the worker threads, and the lifecycle
 *
 *   tsr_chassis_new -> tsr_chassis_configure -> (fork, daemon)
 *   -> tsr_chassis_start -> tsr_chassis_run -> tsr_chassis_free
 *
 * all on the main thread. SIGTERM/SIGINT stop gracefully: every plugin's
 * stop(), then active_count() polled every 50 ms until 0 or the shutdown
 * timeout (a second signal ends the wait), then the worker loops end.
 * SIGHUP reopens the log file. The plugin ABI functions
 * (tsr_chassis_worker_base ...) are declared in chassis-plugin.h. */
#ifndef TESSERA_CHASSIS_H
#define TESSERA_CHASSIS_H

#include <glib.h>

#include "chassis/chassis-plugin.h"

/* Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and the
 * threads and processes it makes) until tsr_chassis_start() is ready to
 * handle them: a signal that comes early waits instead of killing the
 * process before it can stop gracefully. Call first thing in main. */
void tsr_chassis_block_signals(void);

/* Returns a new chassis for `plugins` (a GPtrArray of TsrPluginInstance from
 * tsr_plugins_load(), taken), `workers` (>= 1) worker threads and a
 * shutdown wait of at most shutdown_timeout seconds. No event base exists
 * yet. Free with tsr_chassis_free(). */
TsrChassis *tsr_chassis_new(GPtrArray *plugins, guint workers, guint shutdown_timeout);
/* Stops what runs, calls stop() of started plugins, destroy() of all,
 * unloads modules, frees the event bases. NULL is fine. */
void tsr_chassis_free(TsrChassis *chassis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrChassis, tsr_chassis_free)

/* Calls every plugin's configure(). Returns FALSE with *error set (its
 * message prefixed with the plugin's name) if one refuses. */
gboolean tsr_chassis_configure(TsrChassis *chassis, GError **error);
/* Creates the main and worker event bases, installs the signal events
 * (and unblocks those signals) and calls every plugin's start(). Returns FALSE with *error set if one fails
 * (the plugins started before it are stopped again). */
gboolean tsr_chassis_start(TsrChassis *chassis, GError **error);
/* Starts the worker threads and runs the main loop until a graceful stop
 * has finished and the worker threads have ended. Returns FALSE with
 * *error set if the threads cannot be started. */
gboolean tsr_chassis_run(TsrChassis *chassis, GError **error);
/* Begins a graceful stop, as SIGTERM does. Main thread only, after start. */
void tsr_chassis_request_stop(TsrChassis *chassis);
/* Makes the shutdown lines message-level lines that are always logged
 * (--verbose-shutdown). */
void tsr_chassis_set_verbose_shutdown(TsrChassis *chassis, gboolean verbose);

#endif
