/* mysql-auth.h: the mysql_native_password authentication method and
 * scramble generation.
 *
 * mysql_native_password, with SHA1 the 20-byte digest:
 *   stage1 = SHA1(password)            what the client knows
 *   stored = SHA1(stage1)              what the server stores ("*" + 40 hex digits)
 *   response = stage1 XOR SHA1(scramble + stored)
 * The server checks SHA1(response XOR SHA1(scramble + stored)) == stored;
 * the same computation gives stage1 back, which lets a proxy log in to any
 * number of servers with their own scrambles without knowing the password.
 * An empty password has an empty response and no stored hash.
 *
 * Buffers of TSR_NATIVE_HASH_LEN bytes are caller-owned. */
#ifndef TESSERA_MYSQL_AUTH_H
#define TESSERA_MYSQL_AUTH_H

#include <glib.h>
#include "protocol-types.h"

#define TSR_NATIVE_HASH_LEN 20u
/* Length of the text form "*" + 40 uppercase hex digits, without NUL. */
#define TSR_NATIVE_HASH_TEXT_LEN 41u
#define TSR_NATIVE_PLUGIN_NAME "mysql_native_password"

/* Computes the client's response to `scramble` for password[0..password_len)
 * into out. Returns the response length: TSR_NATIVE_HASH_LEN, or 0 for an
 * empty password (out is then untouched). */
gsize tsr_native_scramble(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *scramble, gsize scramble_len,
                          const char *password, gsize password_len);

/* Computes the response to `scramble` from stage1 = SHA1(password) (as
 * recovered by tsr_native_recover_stage1) into out. */
void tsr_native_scramble_stage1(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *scramble, gsize scramble_len,
                                const guint8 stage1[TSR_NATIVE_HASH_LEN]);

/* Computes the stored hash SHA1(SHA1(password)) into out. */
void tsr_native_hash(guint8 out[TSR_NATIVE_HASH_LEN], const char *password, gsize password_len);

/* Formats a stored hash as "*" + 40 uppercase hex digits. Returns a newly
 * allocated string (g_free). */
gchar *tsr_native_hash_format(const guint8 hash[TSR_NATIVE_HASH_LEN]);

/* Parses the text form ("*" + 40 hex digits, either case) into out.
 * Returns FALSE and sets *error (TSR_PROTOCOL_ERROR_INVALID) on anything
 * else; out is then untouched. */
gboolean tsr_native_hash_parse(const char *text, guint8 out[TSR_NATIVE_HASH_LEN], GError **error);

/* Returns TRUE when `response` is the right answer to `scramble` for the
 * account whose stored hash is stored_hash. stored_hash NULL stands for an
 * account without password: then only an empty response is right. */
gboolean tsr_native_check(const guint8 *response, gsize response_len, const guint8 *scramble, gsize scramble_len,
                          const guint8 *stored_hash);

/* Recovers stage1 = SHA1(password) from a client's 20-byte response to
 * `scramble` into out. Returns TRUE when the response is right (the same
 * test as tsr_native_check), FALSE otherwise (out is then untouched). */
gboolean tsr_native_recover_stage1(guint8 out[TSR_NATIVE_HASH_LEN], const guint8 *response, gsize response_len,
                                   const guint8 *scramble, gsize scramble_len,
                                   const guint8 stored_hash[TSR_NATIVE_HASH_LEN]);

/* Fills out[0..len) with random scramble bytes the way MySQL does: each in
 * 1..127, never '$' (so never NUL), from the system's secure random source. */
void tsr_scramble_generate(guint8 *out, gsize len);

#endif
