/* test-merge-write.c: the OK packet of a write sent to several shards:
 * affected rows and warnings summed, info numbers summed when the shards'
 * infos have the same labels, status flags, and LAST_INSERT_ID taken from
 * the shard whose rows come first in the statement among those that
 * generated an id. The OK payloads are MariaDB's (CLIENT_PROTOCOL_41,
 * CLIENT_TRANSACTIONS, no session tracking). */
#include <string.h>
#include "plugins/sharding/merge-write.h"
#include "protocol/mysql-constants.h"

#define CAPS (TSR_CLIENT_PROTOCOL_41 | TSR_CLIENT_TRANSACTIONS)

/* Builds an OK packet payload the way a server sends it and decodes it. */
static TsrOkPacket ok_packet(guint64 affected, guint64 id, guint16 status, guint16 warnings, const char *info,
                             GByteArray *storage) {
  TsrOkPacket ok;
  GError *error = NULL;
  memset(&ok, 0, sizeof ok);
  ok.affected_rows = affected;
  ok.last_insert_id = id;
  ok.status = status;
  ok.warnings = warnings;
  ok.info.data = (const guint8 *)info;
  ok.info.len = strlen(info);
  g_byte_array_set_size(storage, 0);
  tsr_ok_encode(storage, CAPS, &ok, FALSE);
  g_assert_cmpint(tsr_ok_decode(storage->data, storage->len, CAPS, &ok, &error), ==, TSR_DECODE_OK);
  g_assert_no_error(error);
  return ok;
}

static void add(TsrWriteSummary *s, guint64 affected, guint64 id, guint16 status, guint16 warnings, const char *info,
                guint64 first_row) {
  g_autoptr(GByteArray) storage = g_byte_array_new();
  TsrOkPacket ok = ok_packet(affected, id, status, warnings, info, storage);
  tsr_write_summary_add(s, &ok, first_row);
}

static char *info_of(const TsrOkPacket *ok) { return g_strndup((const char *)ok->info.data, ok->info.len); }

static void test_insert(void) {
  TsrWriteSummary s;
  TsrOkPacket ok;
  g_autofree char *info = NULL;

  /* INSERT ... VALUES (r0), (r1), ..., (r5): rows 0, 3 to shard A; 1, 4 to B; 2, 5 to C */
  tsr_write_summary_init(&s);
  add(&s, 2, 101, TSR_SERVER_STATUS_AUTOCOMMIT, 0, "Records: 2  Duplicates: 0  Warnings: 0", 1);  /* B */
  add(&s, 2, 0, TSR_SERVER_STATUS_AUTOCOMMIT, 1, "Records: 2  Duplicates: 0  Warnings: 1", 0);    /* A: ids given */
  add(&s, 2, 7, TSR_SERVER_STATUS_AUTOCOMMIT, 0, "Records: 2  Duplicates: 1  Warnings: 0", 2);    /* C */
  g_assert_cmpuint(s.n, ==, 3);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.affected_rows, ==, 6);
  g_assert_cmpuint(ok.last_insert_id, ==, 101);    /* B's first row comes before C's */
  g_assert_cmpuint(ok.warnings, ==, 1);
  g_assert_cmpuint(ok.status, ==, TSR_SERVER_STATUS_AUTOCOMMIT);
  info = info_of(&ok);
  g_assert_cmpstr(info, ==, "Records: 6  Duplicates: 1  Warnings: 1");
  tsr_write_summary_clear(&s);
}

static void test_update(void) {
  TsrWriteSummary s;
  TsrOkPacket ok;
  g_autofree char *info = NULL;

  tsr_write_summary_init(&s);
  add(&s, 1, 0, TSR_SERVER_STATUS_IN_TRANS | TSR_SERVER_STATUS_AUTOCOMMIT, 0, "Rows matched: 3  Changed: 1  Warnings: 0",
      0);
  add(&s, 2, 0, TSR_SERVER_STATUS_IN_TRANS | TSR_SERVER_MORE_RESULTS_EXISTS, 0,
      "Rows matched: 2  Changed: 2  Warnings: 0", 1);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.affected_rows, ==, 3);
  g_assert_cmpuint(ok.last_insert_id, ==, 0);
  /* IN_TRANS from any, AUTOCOMMIT only from all, MORE_RESULTS is the caller's */
  g_assert_cmpuint(ok.status, ==, TSR_SERVER_STATUS_IN_TRANS);
  info = info_of(&ok);
  g_assert_cmpstr(info, ==, "Rows matched: 5  Changed: 3  Warnings: 0");
  tsr_write_summary_clear(&s);
}

static void test_info_mismatch(void) {
  TsrWriteSummary s;
  TsrOkPacket ok;

  /* a one-row INSERT has no info: the sum would be wrong, so there is none */
  tsr_write_summary_init(&s);
  add(&s, 2, 5, 0, 0, "Records: 2  Duplicates: 0  Warnings: 0", 3);
  add(&s, 1, 9, 0, 0, "", 1);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.info.len, ==, 0);
  g_assert_cmpuint(ok.affected_rows, ==, 3);
  g_assert_cmpuint(ok.last_insert_id, ==, 9);
  tsr_write_summary_clear(&s);

  tsr_write_summary_init(&s);
  add(&s, 1, 0, 0, 0, "Records: 1  Duplicates: 0  Warnings: 0", 0);
  add(&s, 1, 0, 0, 0, "Rows matched: 1  Changed: 1  Warnings: 0", 1);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.info.len, ==, 0);
  tsr_write_summary_clear(&s);

  tsr_write_summary_init(&s);
  add(&s, 1, 0, 0, 0, "Records: 1  Duplicates: x", 0);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.info.len, ==, 0);
  tsr_write_summary_clear(&s);
}

static void test_warnings(void) {
  TsrWriteSummary s;
  TsrOkPacket ok;

  tsr_write_summary_init(&s);
  add(&s, 0, 0, 0, 60000, "", 0);
  add(&s, 0, 0, 0, 60000, "", 1);
  tsr_write_summary_ok(&s, &ok);
  g_assert_cmpuint(ok.warnings, ==, 65535);
  tsr_write_summary_clear(&s);
  g_assert_cmpuint(tsr_merge_add_warnings(3, 4), ==, 7);
  g_assert_cmpuint(tsr_merge_add_warnings(65000, 1000), ==, 65535);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/merge/write/insert", test_insert);
  g_test_add_func("/merge/write/update", test_update);
  g_test_add_func("/merge/write/info-mismatch", test_info_mismatch);
  g_test_add_func("/merge/write/warnings", test_warnings);
  return g_test_run();
}
