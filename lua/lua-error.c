/* lua-error.c: the GError domain of lua/ (see lua-error.h). */
#include "lua-error.h"

G_DEFINE_QUARK(tsr-lua-error-quark, tsr_lua_error)
