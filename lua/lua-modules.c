/* lua-modules.c: the built-in modules that require() finds: C modules
 * (mysql.*) and the Lua modules of lua/lib/ compiled into the binary. */
#include "lua-private.h"
#include "lua-embedded.h"

typedef struct {
  const char *name;
  lua_CFunction open;
} CModule;

static const CModule c_modules[] = {
  { "mysql.proto", tsr_luaopen_mysql_proto },
  { "mysql.password", tsr_luaopen_mysql_password },
#ifdef TSR_HAVE_SQL_LEXER
  { "mysql.tokenizer", tsr_luaopen_mysql_tokenizer },
  { "mysql.sql", tsr_luaopen_mysql_sql },
#endif
};

/* package.preload loader of an embedded Lua module. Upvalue 1: its
 * TsrLuaSource (light userdata). */
static int load_embedded(lua_State *L) {
  const TsrLuaSource *src = lua_touserdata(L, lua_upvalueindex(1));
  const char *chunkname = lua_pushfstring(L, "@%s", src->file);

  if (tsr_lua_load_text(L, src->text, src->len, chunkname) != 0) return lua_error(L);
  lua_pushstring(L, src->module);
  lua_call(L, 1, 1);
  return 1;
}

void tsr_lua_modules_preload(lua_State *L) {
  int preload = lua_gettop(L);

  for (gsize i = 0; i < G_N_ELEMENTS(c_modules); i++) {
    lua_pushcfunction(L, c_modules[i].open);
    lua_setfield(L, preload, c_modules[i].name);
  }
  for (gsize i = 0; i < tsr_lua_n_sources; i++) {
    lua_pushlightuserdata(L, (void *)&tsr_lua_sources[i]);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, preload, tsr_lua_sources[i].module);
  }
}

const char *tsr_lua_modules_names(void) {
  static gsize once = 0;
  static char *names;

  if (g_once_init_enter(&once)) {
    GString *s = g_string_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(c_modules); i++)
      g_string_append_printf(s, "%s%s", s->len ? ", " : "", c_modules[i].name);
    for (gsize i = 0; i < tsr_lua_n_sources; i++)
      g_string_append_printf(s, "%s%s", s->len ? ", " : "", tsr_lua_sources[i].module);
    names = g_string_free(s, FALSE);
    g_once_init_leave(&once, 1);
  }
  return names;
}

void tsr_lua_module_finish(lua_State *L, const char *module, const char *global) {
  lua_pushfstring(L, "tessera %s", module);
  lua_setfield(L, -2, "_VERSION");
  lua_pushvalue(L, -1);
  lua_setglobal(L, global);
}
