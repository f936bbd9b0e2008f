/* lua-proto-values.c: binary protocol values (COM_STMT_EXECUTE parameters)
 * to and from Lua, for mysql.proto.
 *
 * In Lua a value is a number (integers, FLOAT, DOUBLE), a string (strings,
 * DECIMAL, BIT, ENUM, SET, JSON, GEOMETRY as the bytes of the packet) or,
 * for temporal types, MySQL's text form: "2024-01-31" (DATE),
 * "2024-01-31 12:34:56[.123456]" (DATETIME, TIMESTAMP), "[-]838:59:59[.5]"
 * (TIME, hours may exceed 24). NULL is nil. */
#include <stdio.h>
#include <string.h>
#include "lua-private.h"
#include "lua-proto-values.h"

/* ---- to Lua ---- */

static void push_date(lua_State *L, const TsrValue *v) {
  const TsrTime *t = &v->v.time;
  char buf[64];

  if (v->type.type == TSR_TYPE_DATE || v->type.type == TSR_TYPE_NEWDATE)
    g_snprintf(buf, sizeof buf, "%04u-%02u-%02u", t->year, t->month, t->day);
  else if (t->microsecond)
    g_snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u.%06u", t->year, t->month, t->day, t->hour,
               t->minute, t->second, t->microsecond);
  else
    g_snprintf(buf, sizeof buf, "%04u-%02u-%02u %02u:%02u:%02u", t->year, t->month, t->day, t->hour, t->minute,
               t->second);
  lua_pushstring(L, buf);
}

static void push_time(lua_State *L, const TsrValue *v) {
  const TsrTime *t = &v->v.time;
  guint64 hours = (guint64)t->days * 24 + t->hour;
  char buf[64];

  if (t->microsecond)
    g_snprintf(buf, sizeof buf, "%s%02" G_GUINT64_FORMAT ":%02u:%02u.%06u", t->negative ? "-" : "", hours, t->minute,
               t->second, t->microsecond);
  else
    g_snprintf(buf, sizeof buf, "%s%02" G_GUINT64_FORMAT ":%02u:%02u", t->negative ? "-" : "", hours, t->minute,
               t->second);
  lua_pushstring(L, buf);
}

void tsr_lua_push_binary_value(lua_State *L, const TsrValue *v) {
  if (v->is_null || v->is_long_data) {
    lua_pushnil(L);
    return;
  }
  switch (tsr_binary_form(v->type.type, NULL)) {
  case TSR_BINARY_NONE: lua_pushnil(L); break;
  case TSR_BINARY_INT:
    lua_pushnumber(L, v->type.is_unsigned ? (lua_Number)v->v.u : (lua_Number)v->v.i);
    break;
  case TSR_BINARY_FLOAT:
  case TSR_BINARY_DOUBLE: lua_pushnumber(L, v->v.f); break;
  case TSR_BINARY_DATE: push_date(L, v); break;
  case TSR_BINARY_TIME: push_time(L, v); break;
  case TSR_BINARY_STRING: lua_pushlstring(L, (const char *)v->raw.data, v->raw.len); break;
  }
}

/* ---- from Lua ---- */

/* Reads ".123456" (1 to 6 digits) or nothing at *p into *us. */
static gboolean parse_fraction(const char *p, guint32 *us) {
  guint32 value = 0;
  int digits = 0;

  *us = 0;
  if (*p == '\0') return TRUE;
  if (*p++ != '.') return FALSE;
  for (; g_ascii_isdigit(*p) && digits < 6; p++, digits++) value = value * 10 + (guint32)(*p - '0');
  if (digits == 0 || *p != '\0') return FALSE;
  for (; digits < 6; digits++) value *= 10;
  *us = value;
  return TRUE;
}

static gboolean parse_date(const char *s, gboolean with_time, TsrTime *t) {
  unsigned y, mo, d, h = 0, mi = 0, sec = 0;
  int used = 0;

  if (with_time && sscanf(s, "%4u-%2u-%2u %2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &used) == 6) {
    /* date and time */
  } else if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &used) != 3) {
    return FALSE;
  }
  if (mo > 12 || d > 31 || h > 23 || mi > 59 || sec > 59) return FALSE;
  t->year = (guint16)y;
  t->month = (guint8)mo;
  t->day = (guint8)d;
  t->hour = (guint8)h;
  t->minute = (guint8)mi;
  t->second = (guint8)sec;
  return parse_fraction(s + used, &t->microsecond);
}

static gboolean parse_time(const char *s, TsrTime *t) {
  unsigned h, mi, sec;
  int used = 0;

  t->negative = *s == '-';
  if (t->negative) s++;
  if (sscanf(s, "%u:%2u:%2u%n", &h, &mi, &sec, &used) != 3 || mi > 59 || sec > 59) return FALSE;
  t->days = h / 24;
  t->hour = (guint8)(h % 24);
  t->minute = (guint8)mi;
  t->second = (guint8)sec;
  return parse_fraction(s + used, &t->microsecond);
}

/* Reads the value at idx (of the type already in v->type) into v. */
static void check_value(lua_State *L, int idx, TsrValue *v, int param) {
  size_t len;
  const char *s;

  switch (tsr_binary_form(v->type.type, NULL)) {
  case TSR_BINARY_NONE: v->is_null = TRUE; break;
  case TSR_BINARY_INT:
    if (!lua_isnumber(L, idx)) luaL_error(L, "params[%d].value: a number expected", param);
    if (v->type.is_unsigned) v->v.u = (guint64)lua_tonumber(L, idx);
    else v->v.i = (gint64)lua_tonumber(L, idx);
    break;
  case TSR_BINARY_FLOAT:
  case TSR_BINARY_DOUBLE:
    if (!lua_isnumber(L, idx)) luaL_error(L, "params[%d].value: a number expected", param);
    v->v.f = lua_tonumber(L, idx);
    break;
  case TSR_BINARY_DATE:
    s = luaL_checkstring(L, idx);
    if (!parse_date(s, v->type.type != TSR_TYPE_DATE && v->type.type != TSR_TYPE_NEWDATE, &v->v.time))
      luaL_error(L, "params[%d].value: '%s' is not a date (YYYY-MM-DD[ HH:MM:SS[.ffffff]])", param, s);
    break;
  case TSR_BINARY_TIME:
    s = luaL_checkstring(L, idx);
    if (!parse_time(s, &v->v.time))
      luaL_error(L, "params[%d].value: '%s' is not a time ([-]HH:MM:SS[.ffffff])", param, s);
    break;
  case TSR_BINARY_STRING:
    if (!lua_isstring(L, idx)) luaL_error(L, "params[%d].value: a string expected", param);
    s = lua_tolstring(L, idx, &len);
    v->raw.data = (const guint8 *)s;
    v->raw.len = len;
    break;
  }
}

void tsr_lua_check_binary_value(lua_State *L, int idx, TsrValue *v, int param) {
  memset(v, 0, sizeof *v);
  if (!lua_istable(L, idx)) luaL_error(L, "params[%d]: a table { type = ..., value = ... } expected", param);
  lua_getfield(L, idx, "type");
  if (!lua_isnumber(L, -1)) luaL_error(L, "params[%d].type: a proxy.MYSQL_TYPE_* number expected", param);
  v->type.type = (guint8)lua_tointeger(L, -1);
  lua_getfield(L, idx, "unsigned");
  v->type.is_unsigned = lua_toboolean(L, -1);
  lua_getfield(L, idx, "value");
  if (lua_isnil(L, -1)) v->is_null = TRUE;
  else check_value(L, lua_gettop(L), v, param);
  /* A string value stays alive: the caller's table holds it. */
  lua_pop(L, 3);
}
