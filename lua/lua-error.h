/* lua-error.h: the GError domain of lua/.
 *
 * Every error a script causes (it does not load, it raises an error, it runs
 * past its instruction budget) comes back to C as a GError in this domain
 * whose message starts with the script's file and line, as Lua writes them:
 * "script.lua:12: attempt to index a nil value". */
#ifndef TESSERA_LUA_ERROR_H
#define TESSERA_LUA_ERROR_H

#include <glib.h>

#define TSR_LUA_ERROR (tsr_lua_error_quark())

typedef enum {
  TSR_LUA_ERROR_LOAD,      /* the script cannot be read or compiled (syntax error, bytecode) */
  TSR_LUA_ERROR_RUNTIME,   /* the script raised an error */
  TSR_LUA_ERROR_BUDGET,    /* the script ran past its instruction budget */
  TSR_LUA_ERROR_MEMORY,    /* the Lua allocator failed */
  TSR_LUA_ERROR_SETUP,     /* the VM could not be set up (a setting is not usable) */
} TsrLuaErrorCode;

/* Returns the GQuark of the TSR_LUA_ERROR domain. */
GQuark tsr_lua_error_quark(void);

#endif
