/* chassis-plugin.h: the plugin ABI. A plugin is a TsrPlugin descriptor;
 * built-in plugins are listed in the executable, external ones are GModule
 * shared modules in --plugin-dir named lib<name>.so that export
 *
 *   const TsrPlugin *tsr_plugin_get(void);
 *
 * The chassis refuses a module whose abi_version differs from
 * TSR_PLUGIN_ABI_VERSION. Call order, all on the main thread:
 *   create -> options (added to the command line and config file parser)
 *   -> configure (after parsing, before --daemon/--keepalive fork)
 *   -> start (in the final process, before worker loops run)
 *   ... -> stop (on SIGTERM/SIGINT: stop accepting) -> active_count polled
 *   until 0 or the shutdown timeout -> destroy (after worker loops ended). */
#ifndef TESSERA_CHASSIS_PLUGIN_H
#define TESSERA_CHASSIS_PLUGIN_H

#include <glib.h>

struct event_base;

/* Raised whenever TsrPlugin or the chassis functions below change.
 * abi_version is the first member of TsrPlugin and stays first forever,
 * so that any module's version can be read and a mismatch refused. */
#define TSR_PLUGIN_ABI_VERSION 1u

typedef struct TsrChassis TsrChassis;

typedef struct TsrPlugin {
  guint32 abi_version;     /* TSR_PLUGIN_ABI_VERSION the plugin was built with */
  const char *name;        /* as named in --plugins */
  const char *version;     /* the plugin's own version */
  /* Returns a new plugin state, owned by the chassis until destroy(). */
  gpointer (*create)(void);
  /* Returns the plugin's options (NULL-terminated, owned by the plugin,
   * valid until destroy); the arg_data pointers point into the state.
   * May be NULL. The long names are the command line's --names and the
   * defaults file's keys. Values are stored as GLib would store them:
   * strings and string arrays are newly allocated (the plugin frees the
   * final values in destroy(); a replaced default is never freed, so use
   * NULL or static defaults); every element of a G_OPTION_ARG_STRING_ARRAY
   * or _FILENAME_ARRAY is also split at commas ("-b a,b" == "-b a -b b");
   * within the command line (or the file) an array option accumulates,
   * and the command line replaces the file's list. G_OPTION_ARG_CALLBACK
   * functions are called with the plugin's state as their data. */
  const GOptionEntry *(*options)(gpointer state);
  /* Checks the parsed options. Returns FALSE with *error set to refuse.
   * Runs before --daemon detaches, so errors reach the terminal; the
   * worker count is known, the event bases do not exist yet. */
  gboolean (*configure)(gpointer state, TsrChassis *chassis, GError **error);
  /* Opens listeners, registers events on the worker bases. Returns FALSE
   * with *error set on failure (tessera then exits with code 1). */
  gboolean (*start)(gpointer state, TsrChassis *chassis, GError **error);
  /* Stops accepting; idle clients may be closed. May be NULL. */
  void (*stop)(gpointer state, TsrChassis *chassis);
  /* Returns how many client commands are still running. May be NULL. */
  guint (*active_count)(gpointer state);
  /* Frees the state. May be NULL. */
  void (*destroy)(gpointer state);
} TsrPlugin;

/* The symbol an external plugin module exports. */
typedef const TsrPlugin *(*TsrPluginGetFunc)(void);
#define TSR_PLUGIN_GET_SYMBOL "tsr_plugin_get"

/* Returns the number of worker threads (>= 1). */
guint tsr_chassis_worker_count(TsrChassis *chassis);
/* Returns worker i's event base (i < worker count). Events added to it run
 * on that worker's thread only; the base is thread-safe for event_add,
 * event_del, event_active and event_base_once from other threads. */
struct event_base *tsr_chassis_worker_base(TsrChassis *chassis, guint i);
/* Returns the main thread's event base (signals, admin listeners). */
struct event_base *tsr_chassis_main_base(TsrChassis *chassis);
/* Returns TRUE once shutdown has begun. Callable from any thread. */
gboolean tsr_chassis_is_stopping(TsrChassis *chassis);
/* Runs fn(data) once on worker i's thread, as soon as its loop gets to it
 * (an event_base_once with a zero timeout). Callable from any thread from
 * start() until the worker loops end (stop() and the shutdown wait are
 * fine; destroy() is too late). Returns FALSE if it could not be
 * scheduled (fn is then never called). */
gboolean tsr_chassis_run_on_worker(TsrChassis *chassis, guint i, void (*fn)(gpointer data), gpointer data);

#endif
