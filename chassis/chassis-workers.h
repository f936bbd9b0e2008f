/* chassis-workers.h: N worker threads, each looping over its own libevent
 * event_base until stopped. The bases exist from tsr_workers_new() on, so
 * events can be added before the threads start; they are thread-safe
 * (evthread_use_pthreads) for event_add/event_del/event_base_once. */
#ifndef TESSERA_CHASSIS_WORKERS_H
#define TESSERA_CHASSIS_WORKERS_H

#include <glib.h>

struct event_base;

typedef struct TsrWorkers TsrWorkers;

/* Makes libevent thread-safe (evthread_use_pthreads), once per process.
 * Must run before any event_base is created. Returns FALSE with *error set
 * if libevent refuses. */
gboolean tsr_workers_init_threading(GError **error);

/* Creates `count` (>= 1) event bases, no threads yet. Returns NULL with
 * *error set if a base cannot be created. Free with tsr_workers_free(). */
TsrWorkers *tsr_workers_new(guint count, GError **error);
/* Stops the threads if running, then frees the bases. NULL is fine. Events
 * still on the bases must be freed by their owners before. */
void tsr_workers_free(TsrWorkers *workers);

/* Returns the number of workers. */
guint tsr_workers_count(const TsrWorkers *workers);
/* Returns worker i's base (i < count), owned by workers. */
struct event_base *tsr_workers_base(const TsrWorkers *workers, guint i);

/* Starts one thread per base, named "tsr-worker-<i>", with the process
 * signals blocked (they are handled on the main thread). Returns FALSE with
 * *error set if a thread cannot be created (those started are stopped). */
gboolean tsr_workers_start(TsrWorkers *workers, GError **error);
/* Makes every loop end (after the callbacks it is running) and joins the
 * threads. Does nothing if they are not running. */
void tsr_workers_stop(TsrWorkers *workers);

/* Runs fn(data) on worker i's thread from its loop. Returns FALSE if it
 * could not be scheduled. Callable from any thread. A call whose loop has
 * ended (or never ran) is dropped by tsr_workers_free(). */
gboolean tsr_workers_run_on(TsrWorkers *workers, guint i, void (*fn)(gpointer data), gpointer data);

#endif
