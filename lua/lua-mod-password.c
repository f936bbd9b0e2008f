/* lua-mod-password.c: the mysql.password module (MySQL Proxy 0.8's names),
 * on protocol/mysql-auth.h. All hashes are raw 20-byte strings.
 *
 *   hash(password)                         SHA1(password)
 *   scramble(challenge, hashed)            the client's answer to challenge,
 *                                          from hashed = hash(password)
 *   unscramble(challenge, response, dbl)   hash(password) recovered from a
 *                                          right response, nil otherwise;
 *                                          dbl = hash(hash(password))
 *   check(challenge, response, dbl)        true when response is right
 *                                          (dbl "" : an account without password)
 *
 * As MySQL Proxy's luaL_register did, loading the module also sets the
 * global `password`. */
#include <lauxlib.h>
#include "lua-private.h"
#include "protocol/mysql-auth.h"

static const guint8 *check_hash(lua_State *L, int idx) {
  size_t len;
  const char *s = luaL_checklstring(L, idx, &len);
  if (len != TSR_NATIVE_HASH_LEN) luaL_argerror(L, idx, "a 20-byte SHA1 hash expected");
  return (const guint8 *)s;
}

static int password_hash(lua_State *L) {
  size_t len;
  const char *password = luaL_checklstring(L, 1, &len);
  guint8 digest[TSR_NATIVE_HASH_LEN];
  gsize digest_len = sizeof digest;
  GChecksum *sha1 = g_checksum_new(G_CHECKSUM_SHA1);

  g_checksum_update(sha1, (const guchar *)password, (gssize)len);
  g_checksum_get_digest(sha1, digest, &digest_len);
  g_checksum_free(sha1);
  lua_pushlstring(L, (const char *)digest, digest_len);
  return 1;
}

static int password_scramble(lua_State *L) {
  size_t challenge_len;
  const char *challenge = luaL_checklstring(L, 1, &challenge_len);
  const guint8 *stage1 = check_hash(L, 2);
  guint8 out[TSR_NATIVE_HASH_LEN];

  tsr_native_scramble_stage1(out, (const guint8 *)challenge, challenge_len, stage1);
  lua_pushlstring(L, (const char *)out, sizeof out);
  return 1;
}

static int password_unscramble(lua_State *L) {
  size_t challenge_len, response_len;
  const char *challenge = luaL_checklstring(L, 1, &challenge_len);
  const char *response = luaL_checklstring(L, 2, &response_len);
  const guint8 *dbl = check_hash(L, 3);
  guint8 out[TSR_NATIVE_HASH_LEN];

  if (!tsr_native_recover_stage1(out, (const guint8 *)response, response_len, (const guint8 *)challenge,
                                 challenge_len, dbl)) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushlstring(L, (const char *)out, sizeof out);
  return 1;
}

static int password_check(lua_State *L) {
  size_t challenge_len, response_len, dbl_len;
  const char *challenge = luaL_checklstring(L, 1, &challenge_len);
  const char *response = luaL_checklstring(L, 2, &response_len);
  const char *dbl = luaL_checklstring(L, 3, &dbl_len);

  if (dbl_len != 0 && dbl_len != TSR_NATIVE_HASH_LEN) luaL_argerror(L, 3, "a 20-byte SHA1 hash or \"\" expected");
  lua_pushboolean(L, tsr_native_check((const guint8 *)response, response_len, (const guint8 *)challenge,
                                      challenge_len, dbl_len ? (const guint8 *)dbl : NULL));
  return 1;
}

int tsr_luaopen_mysql_password(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "hash", password_hash },
    { "scramble", password_scramble },
    { "unscramble", password_unscramble },
    { "check", password_check },
    { NULL, NULL },
  };
  lua_createtable(L, 0, 5);
  luaL_setfuncs(L, funcs, 0);
  tsr_lua_module_finish(L, "mysql.password", "password");
  return 1;
}
