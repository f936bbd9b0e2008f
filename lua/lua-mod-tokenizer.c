/* lua-mod-tokenizer.c: the mysql.tokenizer module, on the SQL lexer of
 * sql/ (MySQL Proxy 0.8's token ids and names).
 *
 *   tokenize(query)          { { text =, token_id =, token_name = }, ... },
 *                            comments included (0.8 gave userdata with the
 *                            same fields; these are plain tables)
 *   normalize(query)         "SELECT * FROM `t` WHERE `id` = ? "
 *   first_stmt_token(query)  the first token that is not a comment, or nil
 *   bare_tokens(query)       the texts of the tokens that are not comments
 *   TK_*                     the token ids (tokenizer.TK_SQL_SELECT...)
 *
 * proxy.tokenizer (lib/proxy/tokenizer.lua) has the helpers that take a
 * token list instead of a query. Loading the module also sets the global
 * `tokenizer`, as 0.8's luaL_register did. */
#include <lauxlib.h>
#include "lua-private.h"
#include "sql/sql-lexer.h"

#define SCRATCH_MT "tessera.tokenizer.scratch"

/* Buffers reused by every call of one VM (owned by the Lua GC, so nothing
 * leaks when a call raises an error). */
typedef struct {
  TsrSqlTokens *tokens;
  GString *out;
} Scratch;

static int scratch_gc(lua_State *L) {
  Scratch *s = luaL_checkudata(L, 1, SCRATCH_MT);
  g_clear_pointer(&s->tokens, tsr_sql_tokens_free);
  if (s->out) g_string_free(s->out, TRUE);
  s->out = NULL;
  return 0;
}

/* Tokenizes argument 1 into the scratch list (upvalue 1) and returns it. */
static TsrSqlTokens *tokenize_arg(lua_State *L) {
  size_t len;
  const char *query = luaL_checklstring(L, 1, &len);
  Scratch *s = lua_touserdata(L, lua_upvalueindex(1));
  tsr_sql_tokenize(s->tokens, query, len, TSR_SQL_LEX_NONE);
  return s->tokens;
}

static void push_token(lua_State *L, const TsrSqlToken *tok) {
  lua_createtable(L, 0, 3);
  lua_pushlstring(L, tok->text, tok->text_len);
  lua_setfield(L, -2, "text");
  lua_pushinteger(L, tok->id);
  lua_setfield(L, -2, "token_id");
  lua_pushstring(L, tsr_sql_token_name(tok->id));
  lua_setfield(L, -2, "token_name");
}

static int tokenizer_tokenize(lua_State *L) {
  const TsrSqlTokens *tokens = tokenize_arg(L);
  lua_createtable(L, (int)tokens->len, 0);
  for (guint i = 0; i < tokens->len; i++) {
    push_token(L, &tokens->tokens[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

static int tokenizer_normalize(lua_State *L) {
  size_t len;
  const char *query = luaL_checklstring(L, 1, &len);
  Scratch *s = lua_touserdata(L, lua_upvalueindex(1));
  g_string_truncate(s->out, 0);
  tsr_sql_normalize(s->out, query, len, TSR_SQL_LEX_NONE);
  lua_pushlstring(L, s->out->str, s->out->len);
  return 1;
}

static int tokenizer_first_stmt_token(lua_State *L) {
  const TsrSqlToken *tok = tsr_sql_tokens_first_stmt(tokenize_arg(L));
  if (tok) push_token(L, tok);
  else lua_pushnil(L);
  return 1;
}

static int tokenizer_bare_tokens(lua_State *L) {
  const TsrSqlTokens *tokens = tokenize_arg(L);
  int n = 0;
  lua_createtable(L, (int)tokens->len, 0);
  for (guint i = 0; i < tokens->len; i++) {
    const TsrSqlToken *tok = &tokens->tokens[i];
    if (tok->id == TSR_TK_COMMENT) continue;
    lua_pushlstring(L, tok->text, tok->text_len);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int tsr_luaopen_mysql_tokenizer(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "tokenize", tokenizer_tokenize },
    { "normalize", tokenizer_normalize },
    { "first_stmt_token", tokenizer_first_stmt_token },
    { "bare_tokens", tokenizer_bare_tokens },
    { NULL, NULL },
  };
  Scratch *s;

  lua_createtable(L, 0, TSR_TK_LAST_TOKEN + 8);
  s = lua_newuserdata(L, sizeof *s);
  s->tokens = NULL;
  s->out = NULL;
  if (luaL_newmetatable(L, SCRATCH_MT)) {
    lua_pushcfunction(L, scratch_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  s->tokens = tsr_sql_tokens_new();
  s->out = g_string_new(NULL);
  luaL_setfuncs(L, funcs, 1);
  for (int id = 0; id < TSR_TK_LAST_TOKEN; id++) {
    lua_pushinteger(L, id);
    lua_setfield(L, -2, tsr_sql_token_name((TsrSqlTokenId)id));
  }
  tsr_lua_module_finish(L, "mysql.tokenizer", "tokenizer");
  return 1;
}
