/* test-router-tool.c: prints routing plans as JSON, for
 * check-router-mariadb.py and by hand. Not a test by itself.
 *
 * Usage: test-router-tool MAP.lua [--db DB] [--param TYPE:VALUE]... [QUERY]
 *   QUERY given: route it. Without: read stdin, one query per line.
 *   Each query prints one line: the plan's JSON, or "ERR\t<message>".
 *   --param binds COM_STMT_EXECUTE values: int:5, uint:5, double:1.5,
 *   str:abc, blob:abc, date:2024-01-31, datetime:2024-01-31 10:00:00, null:
 *   --fold COLLATION STRING prints the shard key fold of STRING under
 *   general_ci, bin or binary as hex (for the collation check). */
#include <stdio.h>
#include <string.h>
#include "plugins/sharding/router.h"
#include "plugins/sharding/shard-map-key.h"
#include "protocol/mysql-constants.h"

static TsrValue params[64];
static guint n_params;

static gboolean parse_time(const char *s, TsrTime *t) {
  guint y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (sscanf(s, "%u-%u-%u %u:%u:%u", &y, &mo, &d, &h, &mi, &se) < 3) return FALSE;
  *t = (TsrTime){.year = (guint16)y, .month = (guint8)mo, .day = (guint8)d, .hour = (guint8)h, .minute = (guint8)mi, .second = (guint8)se};
  return TRUE;
}

static gboolean add_param(const char *spec) {
  const char *colon = strchr(spec, ':');
  TsrValue *v = &params[n_params];
  if (!colon || n_params == G_N_ELEMENTS(params)) return FALSE;
  g_autofree char *type = g_strndup(spec, (gsize)(colon - spec));
  const char *value = colon + 1;
  memset(v, 0, sizeof(*v));
  v->raw = (TsrSlice){(const guint8 *)value, strlen(value)};
  if (strcmp(type, "int") == 0) v->type.type = TSR_TYPE_LONGLONG, v->v.i = g_ascii_strtoll(value, NULL, 10);
  else if (strcmp(type, "uint") == 0) v->type = (TsrValueType){TSR_TYPE_LONGLONG, TRUE}, v->v.u = g_ascii_strtoull(value, NULL, 10);
  else if (strcmp(type, "double") == 0) v->type.type = TSR_TYPE_DOUBLE, v->v.f = g_ascii_strtod(value, NULL);
  else if (strcmp(type, "str") == 0) v->type.type = TSR_TYPE_VAR_STRING;
  else if (strcmp(type, "blob") == 0) v->type.type = TSR_TYPE_BLOB;
  else if (strcmp(type, "decimal") == 0) v->type.type = TSR_TYPE_NEWDECIMAL;
  else if (strcmp(type, "null") == 0) v->type.type = TSR_TYPE_NULL, v->is_null = TRUE;
  else if (strcmp(type, "date") == 0 && parse_time(value, &v->v.time)) v->type.type = TSR_TYPE_DATE;
  else if (strcmp(type, "datetime") == 0 && parse_time(value, &v->v.time)) v->type.type = TSR_TYPE_DATETIME;
  else return FALSE;
  n_params++;
  return TRUE;
}

static void route_one(const TsrRouteInput *in, const char *query) {
  g_autoptr(GError) error = NULL;
  g_autoptr(TsrRoutePlan) plan = tsr_route_query(in, query, strlen(query), &error);
  if (!plan) {
    printf("ERR\t%s\n", error->message);
    return;
  }
  g_autofree char *json = tsr_route_plan_to_json(plan);
  printf("%s\n", json);
}

static int fold(const char *collation, const char *s) {
  g_autoptr(GString) out = g_string_new(NULL);
  TsrShardCollation c = strcmp(collation, "bin") == 0      ? TSR_SHARD_COLLATION_BIN
                        : strcmp(collation, "binary") == 0 ? TSR_SHARD_COLLATION_BINARY
                                                           : TSR_SHARD_COLLATION_GENERAL_CI;
  if (!tsr_shard_fold(c, s, strlen(s), out)) {
    printf("ERR\n");
    return 0;
  }
  for (gsize i = 0; i < out->len; i++) printf("%02x", (guint8)out->str[i]);
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  g_autoptr(GError) error = NULL;
  TsrRouteInput in = {.prefer_group = -1};
  int i = 2;
  if (argc >= 4 && strcmp(argv[1], "--fold") == 0) return fold(argv[2], argv[3]);
  if (argc < 2) {
    fprintf(stderr, "usage: %s MAP.lua [--db DB] [--param TYPE:VALUE]... [QUERY]\n", argv[0]);
    return 2;
  }
  g_autoptr(TsrShardMap) map = tsr_shard_map_load_file(argv[1], &error);
  if (!map) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  in.map = map;
  for (; i + 1 < argc && g_str_has_prefix(argv[i], "--"); i += 2) {
    if (strcmp(argv[i], "--db") == 0) in.default_db = argv[i + 1];
    else if (strcmp(argv[i], "--param") != 0 || !add_param(argv[i + 1])) {
      fprintf(stderr, "bad option %s %s\n", argv[i], argv[i + 1]);
      return 2;
    }
  }
  if (n_params > 0) {
    in.params = params;
    in.n_params = n_params;
  }
  if (i < argc) {
    route_one(&in, argv[i]);
    return 0;
  }
  char line[65536];
  while (fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0]) route_one(&in, line);
    fflush(stdout);
  }
  return 0;
}
