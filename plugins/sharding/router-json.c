/* router-json.c: plans as one line of JSON (router.h). */
#include <string.h>
#include "router-private.h"

static void json_string(GString *out, const char *s, gsize len) {
  if (!s) {
    g_string_append(out, "null");
    return;
  }
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    guchar ch = (guchar)s[i];
    if (ch == '"' || ch == '\\') g_string_append_printf(out, "\\%c", ch);
    else if (ch == '\n') g_string_append(out, "\\n");
    else if (ch < 0x20 || ch == 0x7f) g_string_append_printf(out, "\\u%04x", ch);
    else if (ch < 0x80) g_string_append_c(out, (gchar)ch);
    else {
      const char *end;
      gsize rest = len - i, n = 1;
      while (n < rest && n < 4 && ((guchar)s[i + n] & 0xC0) == 0x80) n++;
      if (g_utf8_validate(s + i, (gssize)n, &end) && end == s + i + n) {
        g_string_append_len(out, s + i, (gssize)n);
        i += n - 1;
      } else {
        g_string_append_printf(out, "\\u%04x", ch);
      }
    }
  }
  g_string_append_c(out, '"');
}

char *tsr_route_plan_to_json(const TsrRoutePlan *plan) {
  GString *out = g_string_new("{\"kind\":");
  json_string(out, tsr_route_kind_name(plan->kind), strlen(tsr_route_kind_name(plan->kind)));
  g_string_append_printf(out, ",\"write\":%s,\"needs_primary\":%s,\"merge\":%s,\"steps\":[",
                         plan->write ? "true" : "false", plan->needs_primary ? "true" : "false",
                         plan->merge ? "true" : "false");
  for (guint i = 0; i < plan->n_steps; i++) {
    const TsrRouteStep *st = &plan->steps[i];
    const char *group = tsr_shard_map_group(plan->priv->map, st->group)->name;
    g_string_append_printf(out, "%s{\"group\":", i ? "," : "");
    json_string(out, group, strlen(group));
    g_string_append_printf(out, ",\"shard\":%d,\"sql\":", st->shard);
    json_string(out, st->sql, st->sql_len);
    g_string_append_c(out, '}');
  }
  g_string_append(out, "],\"sql\":");
  json_string(out, plan->sql, plan->sql_len);
  g_string_append(out, ",\"use_db\":");
  json_string(out, plan->use_db, plan->use_db ? strlen(plan->use_db) : 0);
  g_string_append(out, ",\"spec\":");
  rt_merge_spec_json(out, plan->priv);
  g_string_append_c(out, '}');
  return g_string_free(out, FALSE);
}
