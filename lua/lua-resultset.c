/* lua-resultset.c: inj, the argument of read_query_result, with MySQL Proxy
 * 0.8's fields:
 *
 *   inj.id  inj.query (the packet sent)  inj.query_time  inj.response_time
 *     (µs from sending to the first / last byte of the response)
 *   inj.resultset
 *     .fields          #fields, fields[i] = { name, org_name, table, org_table,
 *                      db, type, flags, length, decimals, charset }
 *     .rows            iterator: for row in inj.resultset.rows do ... row[i] ...
 *                      (text rows: strings; binary rows of COM_STMT_EXECUTE:
 *                      numbers, strings, temporals as text; NULL is nil)
 *     .row_count .bytes .raw (the first packet) .flags { in_trans, auto_commit,
 *     no_good_index_used, no_index_used } .warning_count .affected_rows
 *     .insert_id (nil for a result set) .query_status (MYSQLD_PACKET_OK / _ERR)
 *
 * fields, rows and raw need the response itself, which is there when the
 * query was queued with resultset_is_needed (or was not the last one);
 * otherwise they raise 0.8's error. The response is split into packets and
 * its column definitions decoded only when a script asks, and rows one at
 * a time as the iterator runs.
 *
 * Every userdata here is valid during the read_query_result call that got
 * it only: each holds the serial of its call, and the view's serial moves
 * on when the call returns. */
#include <string.h>
#include "lua-session-private.h"
#include "lua-proto-values.h"
#include "protocol/mysql-frame.h"
#include "protocol/mysql-wire.h"

typedef struct {
  TsrLuaWorker *w;
  guint64 serial;
  guint next;                   /* rows: index in the view's packets of the next row */
} ViewRef;

/* ---- the view ---- */

static void view_clear(TsrLuaInjView *v) {
  g_clear_pointer(&v->packets, g_array_unref);
  g_clear_pointer(&v->joined, g_ptr_array_unref);
  g_clear_pointer(&v->columns, g_free);
  g_clear_pointer(&v->text_values, g_free);
  g_clear_pointer(&v->binary_values, g_free);
  g_clear_pointer(&v->types, g_free);
  v->split = v->decoded = v->has_columns = v->binary = FALSE;
  v->n_columns = v->first_row = 0;
  v->inj = NULL;
  v->session = NULL;
}

void tsr_lua_inj_view_begin(TsrLuaWorker *w, TsrSession *s, TsrInjection *inj) {
  view_clear(&w->view);
  w->view.inj = inj;
  w->view.session = s;
  w->view.serial++;
}

void tsr_lua_inj_view_end(TsrLuaWorker *w) {
  view_clear(&w->view);
  w->view.serial++;
}

/* Splits the buffered response into packets (joining frames of packets of
 * 16 MiB and more). */
static void view_split(TsrLuaInjView *v) {
  struct evbuffer *buf = v->inj->result;
  gsize len = evbuffer_get_length(buf), pos = 0;
  const guint8 *flat = len ? evbuffer_pullup(buf, -1) : NULL;

  if (v->split) return;
  v->split = TRUE;
  v->packets = g_array_new(FALSE, FALSE, sizeof(TsrSlice));
  v->joined = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
  while (pos + TSR_FRAME_HEADER_LEN <= len) {
    guint32 frame_len = tsr_le24(flat + pos);
    TsrSlice packet = { flat + pos + TSR_FRAME_HEADER_LEN, frame_len };
    if (pos + TSR_FRAME_HEADER_LEN + frame_len > len) break;
    pos += TSR_FRAME_HEADER_LEN + frame_len;
    if (frame_len == TSR_FRAME_MAX_PAYLOAD) {
      GByteArray *whole = g_byte_array_new();
      g_ptr_array_add(v->joined, whole);
      g_byte_array_append(whole, packet.data, frame_len);
      while (frame_len == TSR_FRAME_MAX_PAYLOAD && pos + TSR_FRAME_HEADER_LEN <= len) {
        frame_len = MIN(tsr_le24(flat + pos), (guint32)(len - pos - TSR_FRAME_HEADER_LEN));
        g_byte_array_append(whole, flat + pos + TSR_FRAME_HEADER_LEN, frame_len);
        pos += TSR_FRAME_HEADER_LEN + frame_len;
      }
      packet.data = whole->data;
      packet.len = whole->len;
    }
    g_array_append_val(v->packets, packet);
  }
}

static const TsrSlice *view_packet(const TsrLuaInjView *v, guint i) {
  return i < v->packets->len ? &g_array_index(v->packets, TsrSlice, i) : NULL;
}

/* TRUE when the injected command answers with result sets. */
static gboolean command_has_resultset(const TsrInjection *inj, gboolean *binary) {
  gsize len;
  const guint8 *packet = g_bytes_get_data(inj->packet, &len);
  *binary = packet[0] == TSR_COM_STMT_EXECUTE;
  return packet[0] == TSR_COM_QUERY || packet[0] == TSR_COM_STMT_EXECUTE || packet[0] == TSR_COM_PROCESS_INFO;
}

/* Raises a Lua error with error's message (freed first). */
static int raise_gerror(lua_State *L, const char *what, GError *error) {
  lua_pushfstring(L, "%s: %s", what, error ? error->message : "cannot decode the response");
  g_clear_error(&error);
  return lua_error(L);
}

/* Decodes the column definitions of the first result set, if any. */
static void view_decode(lua_State *L, TsrLuaInjView *v) {
  const TsrSlice *first;
  guint64 count;
  gboolean metadata_follows;
  GError *error = NULL;
  guint32 caps = tsr_session_capabilities(v->session);

  if (v->decoded) return;
  view_split(v);
  v->decoded = TRUE;
  first = view_packet(v, 0);
  if (!command_has_resultset(v->inj, &v->binary) || !first || first->len == 0 || first->data[0] == TSR_PACKET_OK ||
      first->data[0] == TSR_PACKET_ERR || first->data[0] == TSR_PACKET_LOCAL_INFILE)
    return;
  if (tsr_column_count_decode(first->data, first->len, &count, &metadata_follows, &error) != TSR_DECODE_OK)
    raise_gerror(L, "inj.resultset", error);
  if (count >= v->packets->len) luaL_error(L, "inj.resultset: the response ends inside its column definitions");
  v->n_columns = (guint)count;
  v->columns = g_new0(TsrColumnDef, count);
  v->text_values = g_new0(TsrSlice, count);
  v->binary_values = g_new0(TsrValue, count);
  v->types = g_new0(TsrValueType, count);
  for (guint i = 0; i < count; i++) {
    const TsrSlice *p = &g_array_index(v->packets, TsrSlice, i + 1); /* i + 1 <= count < packets */
    if (tsr_column_def_decode(p->data, p->len, 0, &v->columns[i], &error) != TSR_DECODE_OK)
      raise_gerror(L, "inj.resultset.fields", error);
    v->types[i] = tsr_value_type_of_column(&v->columns[i]);
  }
  v->first_row = 1 + v->n_columns + ((caps & TSR_CLIENT_DEPRECATE_EOF) ? 0 : 1);
  v->has_columns = TRUE;
}

/* ---- handles ---- */

static void push_ref(lua_State *L, TsrLuaWorker *w, const char *mt, guint next) {
  ViewRef *ref = lua_newuserdata(L, sizeof *ref);
  ref->w = w;
  ref->serial = w->view.serial;
  ref->next = next;
  luaL_getmetatable(L, mt);
  lua_setmetatable(L, -2);
}

/* Returns the view behind the handle at idx, or raises an error when its
 * read_query_result call is over. */
static TsrLuaInjView *check_view(lua_State *L, int idx, const char *mt, ViewRef **out) {
  ViewRef *ref = luaL_checkudata(L, idx, mt);
  TsrLuaInjView *v = &ref->w->view;
  if (ref->serial != v->serial || !v->inj)
    luaL_error(L, "inj and its resultset are valid only during the read_query_result call that got them: copy "
               "the values you need before it returns");
  if (out) *out = ref;
  return v;
}

/* fields, rows and raw need the response held. */
static void need_buffered(lua_State *L, const TsrLuaInjView *v, const char *field) {
  if (!v->inj->result)
    luaL_error(L, ".resultset.%s isn't available if 'resultset_is_needed ~= true' (the result went to the client "
               "as it came: queue the query with { resultset_is_needed = true })", field);
}

void tsr_lua_injection_push(lua_State *L, TsrLuaWorker *w) {
  push_ref(L, w, TSR_LUA_INJECTION_MT, 0);
}

/* ---- fields ---- */

static void set_slice(lua_State *L, const char *name, const TsrSlice *s) {
  lua_pushlstring(L, s->data ? (const char *)s->data : "", s->len);
  lua_setfield(L, -2, name);
}

static void set_number(lua_State *L, const char *name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

static int fields_index(lua_State *L) {
  TsrLuaInjView *v = check_view(L, 1, TSR_LUA_FIELDS_MT, NULL);
  lua_Integer i = lua_isnumber(L, 2) ? lua_tointeger(L, 2) : 0;
  const TsrColumnDef *col;

  if (i < 1 || (guint64)i > v->n_columns) {
    lua_pushnil(L);
    return 1;
  }
  col = &v->columns[i - 1];
  lua_createtable(L, 0, 11);
  set_slice(L, "name", &col->name);
  set_slice(L, "org_name", &col->org_name);
  set_slice(L, "table", &col->table);
  set_slice(L, "org_table", &col->org_table);
  set_slice(L, "db", &col->schema);
  set_slice(L, "catalog", &col->catalog);
  set_number(L, "type", col->type);
  set_number(L, "flags", col->flags);
  set_number(L, "length", col->column_length);
  set_number(L, "decimals", col->decimals);
  set_number(L, "charset", col->charset);
  return 1;
}

static int fields_len(lua_State *L) {
  lua_pushinteger(L, check_view(L, 1, TSR_LUA_FIELDS_MT, NULL)->n_columns);
  return 1;
}

/* ---- rows ---- */

/* TRUE when p ends the rows (EOF, the OK that replaces it, or ERR). */
static gboolean ends_rows(const TsrSlice *p, guint32 caps) {
  if (p->len == 0) return FALSE;
  if (p->data[0] == TSR_PACKET_ERR) return TRUE;
  return p->data[0] == TSR_PACKET_EOF && p->len < ((caps & TSR_CLIENT_DEPRECATE_EOF) ? TSR_FRAME_MAX_PAYLOAD : 9u);
}

static void push_row(lua_State *L, TsrLuaInjView *v, const TsrSlice *p) {
  GError *error = NULL;
  guint n = v->n_columns;

  if (v->binary ? tsr_binary_row_decode(p->data, p->len, v->types, n, v->binary_values, &error) != TSR_DECODE_OK
                : tsr_text_row_decode(p->data, p->len, n, v->text_values, &error) != TSR_DECODE_OK)
    raise_gerror(L, "inj.resultset.rows", error);
  lua_createtable(L, (int)n, 0);
  for (guint i = 0; i < n; i++) {
    if (v->binary) tsr_lua_push_binary_value(L, &v->binary_values[i]);
    else if (v->text_values[i].data) lua_pushlstring(L, (const char *)v->text_values[i].data, v->text_values[i].len);
    else lua_pushnil(L);
    lua_rawseti(L, -2, (int)i + 1);
  }
}

/* The iterator: upvalue 1 is a ViewRef whose `next` walks the rows. */
static int rows_next(lua_State *L) {
  ViewRef *ref;
  TsrLuaInjView *v = check_view(L, lua_upvalueindex(1), TSR_LUA_ROWS_MT, &ref);
  const TsrSlice *p = view_packet(v, ref->next);

  if (!p || ends_rows(p, tsr_session_capabilities(v->session))) {
    lua_pushnil(L);
    return 1;
  }
  ref->next++;
  push_row(L, v, p);
  return 1;
}

/* ---- resultset ---- */

/* affected_rows or insert_id of an OK packet, from its first bytes. */
static gboolean ok_number(const TsrInjection *inj, gboolean insert_id, guint64 *out) {
  TsrReader r;
  guint64 affected = 0;

  if (!inj->head_len || inj->head[0] != TSR_PACKET_OK) return FALSE;
  tsr_reader_init(&r, inj->head + 1, inj->head_len - 1u);
  if (!tsr_reader_lenenc(&r, &affected, NULL, NULL, NULL)) return FALSE;
  if (!insert_id) {
    *out = affected;
    return TRUE;
  }
  return tsr_reader_lenenc(&r, out, NULL, NULL, NULL);
}

static void push_flags(lua_State *L, guint16 status) {
  lua_createtable(L, 0, 4);
  lua_pushboolean(L, (status & TSR_SERVER_STATUS_IN_TRANS) != 0);
  lua_setfield(L, -2, "in_trans");
  lua_pushboolean(L, (status & TSR_SERVER_STATUS_AUTOCOMMIT) != 0);
  lua_setfield(L, -2, "auto_commit");
  lua_pushboolean(L, (status & TSR_SERVER_QUERY_NO_GOOD_INDEX_USED) != 0);
  lua_setfield(L, -2, "no_good_index_used");
  lua_pushboolean(L, (status & TSR_SERVER_QUERY_NO_INDEX_USED) != 0);
  lua_setfield(L, -2, "no_index_used");
}

/* fields, rows, raw: the parts that need the response itself. */
static gboolean push_buffered_field(lua_State *L, TsrLuaInjView *v, const char *key) {
  ViewRef *ref = lua_touserdata(L, 1);

  if (strcmp(key, "fields") == 0) {
    need_buffered(L, v, key);
    view_decode(L, v);
    if (v->has_columns) push_ref(L, ref->w, TSR_LUA_FIELDS_MT, 0);
    else lua_pushnil(L);
  } else if (strcmp(key, "rows") == 0) {
    need_buffered(L, v, key);
    view_decode(L, v);
    if (v->has_columns) {
      push_ref(L, ref->w, TSR_LUA_ROWS_MT, v->first_row);
      lua_pushcclosure(L, rows_next, 1);
    } else {
      lua_pushnil(L);
    }
  } else if (strcmp(key, "raw") == 0) {
    const TsrSlice *first;
    need_buffered(L, v, key);
    view_split(v);
    first = view_packet(v, 0);
    if (first) lua_pushlstring(L, (const char *)first->data, first->len);
    else lua_pushnil(L);
  } else {
    return FALSE;
  }
  return TRUE;
}

static int resultset_index(lua_State *L) {
  TsrLuaInjView *v = check_view(L, 1, TSR_LUA_RESULTSET_MT, NULL);
  const char *key = luaL_checkstring(L, 2);
  const TsrInjection *inj = v->inj;
  guint64 n;

  if (push_buffered_field(L, v, key)) return 1;
  if (strcmp(key, "row_count") == 0) lua_pushnumber(L, (lua_Number)inj->rows);
  else if (strcmp(key, "bytes") == 0) lua_pushnumber(L, (lua_Number)inj->bytes);
  else if (strcmp(key, "flags") == 0) push_flags(L, inj->tracker.status);
  else if (strcmp(key, "warning_count") == 0) lua_pushinteger(L, inj->tracker.warnings);
  else if (strcmp(key, "affected_rows") == 0 || strcmp(key, "insert_id") == 0) {
    if (ok_number(inj, key[0] == 'i', &n)) lua_pushnumber(L, (lua_Number)n);
    else lua_pushnil(L);
  } else if (strcmp(key, "query_status") == 0) {
    if (inj->head_len) lua_pushinteger(L, inj->head[0] == TSR_PACKET_ERR ? TSR_PACKET_ERR : TSR_PACKET_OK);
    else lua_pushnil(L);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

/* ---- inj ---- */

static int injection_index(lua_State *L) {
  ViewRef *ref;
  TsrLuaInjView *v = check_view(L, 1, TSR_LUA_INJECTION_MT, &ref);
  const char *key = luaL_checkstring(L, 2);
  const TsrInjection *inj = v->inj;

  if (strcmp(key, "id") == 0 || strcmp(key, "type") == 0) lua_pushinteger(L, inj->id);
  else if (strcmp(key, "query") == 0) {
    gsize len;
    const char *packet = g_bytes_get_data(inj->packet, &len);
    lua_pushlstring(L, packet, len);
  } else if (strcmp(key, "query_time") == 0)
    lua_pushnumber(L, (lua_Number)((inj->first_at ? inj->first_at : inj->done_at) - inj->sent_at));
  else if (strcmp(key, "response_time") == 0) lua_pushnumber(L, (lua_Number)(inj->done_at - inj->sent_at));
  else if (strcmp(key, "resultset") == 0) push_ref(L, ref->w, TSR_LUA_RESULTSET_MT, 0);
  else if (strcmp(key, "resultset_is_needed") == 0) lua_pushboolean(L, inj->resultset_is_needed);
  else lua_pushnil(L);
  return 1;
}

static int read_only(lua_State *L) {
  return luaL_error(L, "inj and its resultset are read-only");
}

void tsr_lua_injection_register(lua_State *L) {
  static const luaL_Reg injection[] = { { "__index", injection_index }, { "__newindex", read_only }, { NULL, NULL } };
  static const luaL_Reg resultset[] = { { "__index", resultset_index }, { "__newindex", read_only }, { NULL, NULL } };
  static const luaL_Reg fields[] = {
    { "__index", fields_index }, { "__newindex", read_only }, { "__len", fields_len }, { NULL, NULL } };
  static const luaL_Reg rows[] = { { "__newindex", read_only }, { NULL, NULL } };
  tsr_lua_new_metatable(L, TSR_LUA_INJECTION_MT, injection);
  tsr_lua_new_metatable(L, TSR_LUA_RESULTSET_MT, resultset);
  tsr_lua_new_metatable(L, TSR_LUA_FIELDS_MT, fields);
  tsr_lua_new_metatable(L, TSR_LUA_ROWS_MT, rows);
}
