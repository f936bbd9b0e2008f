/* merge-write.c: summing the OK packets of a write sent to several
 * shards. */
#include <string.h>
#include "merge-write.h"
#include "protocol/mysql-constants.h"

#define STATUS_CALLER_FLAGS (TSR_SERVER_MORE_RESULTS_EXISTS | TSR_SERVER_SESSION_STATE_CHANGED)

void tsr_write_summary_init(TsrWriteSummary *s) {
  memset(s, 0, sizeof *s);
  s->status_all = 0xFFFF;
  s->info_ok = TRUE;
}

void tsr_write_summary_clear(TsrWriteSummary *s) {
  if (s->info) g_string_free(s->info, TRUE);
  tsr_write_summary_init(s);
}

/* Splits "Label: 12  Label: 3" into labels and numbers; FALSE when info
 * has another shape. */
static gboolean parse_info(TsrSlice info, char labels[][TSR_WRITE_INFO_LABEL], guint64 *numbers, guint *n) {
  gsize pos = 0;
  *n = 0;
  while (pos < info.len) {
    gsize start = pos, label_len;
    guint64 v = 0;
    while (pos < info.len && info.data[pos] != ':') pos++;
    label_len = pos - start;
    if (pos + 1 >= info.len || info.data[pos + 1] != ' ' || label_len == 0 || label_len >= TSR_WRITE_INFO_LABEL ||
        *n == TSR_WRITE_INFO_FIELDS)
      return FALSE;
    memcpy(labels[*n], info.data + start, label_len);
    labels[*n][label_len] = '\0';
    pos += 2;
    if (pos >= info.len || info.data[pos] < '0' || info.data[pos] > '9') return FALSE;
    while (pos < info.len && info.data[pos] >= '0' && info.data[pos] <= '9')
      v = v * 10 + (guint64)(info.data[pos++] - '0');
    numbers[(*n)++] = v;
    while (pos < info.len && info.data[pos] == ' ') pos++;
  }
  return *n > 0;
}

static void add_info(TsrWriteSummary *s, TsrSlice info) {
  char labels[TSR_WRITE_INFO_FIELDS][TSR_WRITE_INFO_LABEL];
  guint64 numbers[TSR_WRITE_INFO_FIELDS];
  guint n;

  if (!s->info_ok) return;
  if (!parse_info(info, labels, numbers, &n) || (s->n > 0 && n != s->n_info)) {
    s->info_ok = FALSE;
    return;
  }
  for (guint i = 0; i < n; i++) {
    if (s->n > 0 && strcmp(labels[i], s->labels[i]) != 0) {
      s->info_ok = FALSE;
      return;
    }
  }
  memcpy(s->labels, labels, sizeof labels);
  for (guint i = 0; i < n; i++) s->sums[i] += numbers[i];
  s->n_info = n;
}

void tsr_write_summary_add(TsrWriteSummary *s, const TsrOkPacket *ok, guint64 first_row) {
  add_info(s, ok->info);
  s->affected_rows += ok->affected_rows;
  s->warnings += ok->warnings;
  s->status_any |= ok->status;
  s->status_all &= ok->status;
  if (ok->last_insert_id != 0 && (s->last_insert_id == 0 || first_row < s->id_position)) {
    s->last_insert_id = ok->last_insert_id;
    s->id_position = first_row;
  }
  s->n++;
}

void tsr_write_summary_ok(TsrWriteSummary *s, TsrOkPacket *ok) {
  memset(ok, 0, sizeof *ok);
  ok->affected_rows = s->affected_rows;
  ok->last_insert_id = s->last_insert_id;
  ok->warnings = (guint16)MIN(s->warnings, (guint64)G_MAXUINT16);
  ok->status = (guint16)((s->status_any & ~(TSR_SERVER_STATUS_AUTOCOMMIT | STATUS_CALLER_FLAGS)) |
                         (s->status_all & TSR_SERVER_STATUS_AUTOCOMMIT));
  if (!s->info) s->info = g_string_new(NULL);
  g_string_truncate(s->info, 0);
  for (guint i = 0; s->info_ok && s->n > 0 && i < s->n_info; i++)
    g_string_append_printf(s->info, "%s%s: %" G_GUINT64_FORMAT, i ? "  " : "", s->labels[i], s->sums[i]);
  ok->info.data = (const guint8 *)s->info->str;
  ok->info.len = s->info->len;
}

guint16 tsr_merge_add_warnings(guint16 a, guint16 b) { return (guint16)MIN((guint)a + b, (guint)G_MAXUINT16); }
