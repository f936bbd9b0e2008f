/* test-xa-log.c: the XA decision log: the gtrid format, records and their
 * CRCs as they lie in the file, reopening, torn tails cut off, damage
 * before a decision refused, compaction, decisions from many threads, and
 * the lock that keeps a second process out. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include "plugins/sharding/xa-log.h"
#include "plugins/sharding/shard-map-key.h"

#define N_THREADS 8
#define PER_THREAD 300

static GMutex warnings_lock;
static GPtrArray *warnings;

/* Keeps the messages of warnings instead of aborting on them. */
static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                                       gpointer data) {
  if (!(level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))) return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++) {
    if (strcmp(fields[i].key, "MESSAGE") != 0) continue;
    g_mutex_lock(&warnings_lock);
    g_ptr_array_add(warnings, g_strdup(fields[i].value));
    g_mutex_unlock(&warnings_lock);
  }
  return G_LOG_WRITER_HANDLED;
}

/* Checks that exactly `n` warnings came since the last call, each
 * containing `text`, and forgets them. */
static void take_warnings(guint n, const char *text) {
  g_mutex_lock(&warnings_lock);
  for (guint i = 0; i < warnings->len; i++) {
    g_test_message("warning: %s", (char *)warnings->pdata[i]);
    g_assert_nonnull(strstr(warnings->pdata[i], text));
  }
  g_assert_cmpuint(warnings->len, ==, n);
  g_ptr_array_set_size(warnings, 0);
  g_mutex_unlock(&warnings_lock);
}

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void fixture_set_up(Fixture *f, gconstpointer data) {
  GError *error = NULL;
  f->dir = g_dir_make_tmp("test-xa-log-XXXXXX", &error);
  g_assert_no_error(error);
  f->path = g_build_filename(f->dir, "xa.log", NULL);
}

static void fixture_tear_down(Fixture *f, gconstpointer data) {
  take_warnings(0, "");
  g_autofree char *tmp = g_strconcat(f->path, ".tmp", NULL);
  g_unlink(f->path);
  g_unlink(tmp);
  g_assert_cmpint(g_rmdir(f->dir), ==, 0);
  g_free(f->path);
  g_free(f->dir);
}

static TsrXaLog *open_ok(const char *path) {
  GError *error = NULL;
  TsrXaLog *log = tsr_xa_log_open(path, &error);
  g_assert_no_error(error);
  g_assert_nonnull(log);
  return log;
}

static void commit_ok(TsrXaLog *log, const char *gtrid, const char *groups) {
  g_auto(GStrv) names = g_strsplit(groups, ",", -1);
  GError *error = NULL;
  g_assert_true(tsr_xa_log_commit(log, gtrid, (const char *const *)names, &error));
  g_assert_no_error(error);
}

static char *read_text(const char *path) {
  GError *error = NULL;
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, &error));
  g_assert_no_error(error);
  return text;
}

static void append_text(const char *path, const char *text, gsize len) {
  FILE *f = fopen(path, "ab");
  g_assert_nonnull(f);
  g_assert_cmpuint(fwrite(text, 1, len, f), ==, len);
  g_assert_cmpint(fclose(f), ==, 0);
}

static gsize file_size(const char *path) {
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  return (gsize)st.st_size;
}

/* The decided gtrids, joined with spaces. */
static char *listed(TsrXaLog *log) {
  g_auto(GStrv) list = tsr_xa_log_list(log);
  return g_strjoinv(" ", list);
}

static void assert_listed(TsrXaLog *log, const char *expected) {
  g_autofree char *got = listed(log);
  g_assert_cmpstr(got, ==, expected);
}

/* A line as the log writes it, with its CRC computed here. */
static char *record_line(char type, const char *body) {
  g_autofree char *crc_text = g_strdup_printf("%c %s", type, body);
  guint32 crc = tsr_shard_crc32((const guint8 *)crc_text, strlen(crc_text));
  return g_strdup_printf("%c %08x %s\n", type, crc, body);
}

static void test_xid(void) {
  g_autofree char *xid = tsr_xa_xid_new(0xabcd, 42);
  g_autofree char *big = tsr_xa_xid_new(G_MAXUINT32, G_MAXUINT64);
  const char *not_ours[] = {"tsr-0000ABCD-42", "tsr-abcd-42", "tsr-0000abcd-042", "tsr-0000abcd-", "tsr-0000abcd-4x",
                            "tsr-0000abcd-+4", "tsr-0000abcd-18446744073709551616", "tsr-0000abcd42", "TSR-0000abcd-42",
                            "other-1", "", " tsr-0000abcd-42", "tsr-0000abcd-42 "};
  guint32 id = 0;
  guint64 counter = 0;

  g_assert_cmpstr(xid, ==, "tsr-0000abcd-42");
  g_assert_true(tsr_xa_xid_parse(xid, &id, &counter));
  g_assert_cmpuint(id, ==, 0xabcd);
  g_assert_cmpuint(counter, ==, 42);
  g_assert_true(tsr_xa_xid_is_ours(xid));
  g_assert_cmpstr(big, ==, "tsr-ffffffff-18446744073709551615");
  g_assert_cmpuint(strlen(big), <=, TSR_XA_GTRID_MAX);
  g_assert_true(tsr_xa_xid_parse(big, &id, &counter));
  g_assert_cmpuint(id, ==, G_MAXUINT32);
  g_assert_cmpuint(counter, ==, G_MAXUINT64);
  for (guint i = 0; i < G_N_ELEMENTS(not_ours); i++) {
    g_test_message("not ours: '%s'", not_ours[i]);
    g_assert_false(tsr_xa_xid_is_ours(not_ours[i]));
  }
  g_assert_false(tsr_xa_xid_is_ours(NULL));
}

static void test_records(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  g_autofree char *c1 = record_line('C', "tsr-00000001-1 g1,g2");
  g_autofree char *c2 = record_line('C', "tsr-00000001-2 g1");
  g_autofree char *d1 = record_line('D', "tsr-00000001-1");
  g_autofree char *expected = g_strconcat(c1, c2, d1, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) groups = NULL;
  guint64 commits, syncs;

  g_assert_cmpstr(tsr_xa_log_path(log), ==, f->path);
  commit_ok(log, "tsr-00000001-1", "g1,g2");
  commit_ok(log, "tsr-00000001-2", "g1");
  g_assert_true(tsr_xa_log_decided(log, "tsr-00000001-1"));
  g_assert_true(tsr_xa_log_decided(log, "tsr-00000001-2"));
  g_assert_false(tsr_xa_log_decided(log, "tsr-00000001-3"));
  groups = tsr_xa_log_groups(log, "tsr-00000001-1");
  g_assert_nonnull(groups);
  g_assert_cmpstr(groups[0], ==, "g1");
  g_assert_cmpstr(groups[1], ==, "g2");
  g_assert_null(groups[2]);
  tsr_xa_log_done(log, "tsr-00000001-1");
  tsr_xa_log_done(log, "tsr-00000001-3"); /* not decided: nothing written */
  g_assert_false(tsr_xa_log_decided(log, "tsr-00000001-1"));
  g_assert_null(tsr_xa_log_groups(log, "tsr-00000001-1"));
  assert_listed(log, "tsr-00000001-2");
  tsr_xa_log_stats(log, &commits, &syncs, NULL);
  g_assert_cmpuint(commits, ==, 2);
  g_assert_cmpuint(syncs, ==, 2);
  tsr_xa_log_close(log);
  text = read_text(f->path);
  g_assert_cmpstr(text, ==, expected);
}

static void test_reopen(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  g_auto(GStrv) groups = NULL;
  commit_ok(log, "a", "g1");
  commit_ok(log, "b", "g2,g3");
  commit_ok(log, "c", "g1");
  tsr_xa_log_done(log, "a");
  tsr_xa_log_close(log);

  log = open_ok(f->path);
  assert_listed(log, "b c");
  groups = tsr_xa_log_groups(log, "b");
  g_assert_cmpstr(groups[0], ==, "g2");
  g_assert_cmpstr(groups[1], ==, "g3");
  tsr_xa_log_done(log, "b");
  tsr_xa_log_done(log, "c");
  commit_ok(log, "a", "g4"); /* done before, so a new decision */
  tsr_xa_log_close(log);

  log = open_ok(f->path);
  assert_listed(log, "a");
  tsr_xa_log_close(log);
}

static void assert_invalid(TsrXaLog *log, const char *gtrid, const char *const *groups) {
  GError *error = NULL;
  g_assert_false(tsr_xa_log_commit(log, gtrid, groups, &error));
  g_assert_error(error, TSR_XA_ERROR, TSR_XA_ERROR_INVALID);
  g_test_message("%s", error->message);
  g_error_free(error);
}

static void test_invalid(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  const char *one[] = {"g1", NULL}, *none[] = {NULL};
  const char *comma[] = {"g1", "g,2", NULL}, *space[] = {"g 1", NULL}, *empty[] = {"", NULL};
  g_autofree char *long_gtrid = g_strnfill(TSR_XA_GTRID_MAX + 1, 'x');
  g_autofree char *max_gtrid = g_strnfill(TSR_XA_GTRID_MAX, 'x');
  gsize size;

  assert_invalid(log, "a b", one);
  assert_invalid(log, "", one);
  assert_invalid(log, NULL, one);
  assert_invalid(log, "x'y", one);
  assert_invalid(log, "x\ny", one);
  assert_invalid(log, long_gtrid, one);
  assert_invalid(log, "x", NULL);
  assert_invalid(log, "x", none);
  assert_invalid(log, "x", comma);
  assert_invalid(log, "x", space);
  assert_invalid(log, "x", empty);
  g_assert_cmpuint(file_size(f->path), ==, 0);
  commit_ok(log, max_gtrid, "g1");
  commit_ok(log, "tsr-00000001-9:a.b_c", "g.1,g-2,g_3");
  size = file_size(f->path);
  assert_invalid(log, max_gtrid, one); /* decided twice */
  g_assert_cmpuint(file_size(f->path), ==, size);
  assert_listed(log, "tsr-00000001-9:a.b_c xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  tsr_xa_log_close(log);
}

/* Writes decisions a and b, closes, appends `tail`, and checks that
 * reopening keeps a and b and cuts the tail off. */
static void check_torn_tail(const char *path, const char *tail, gsize tail_len) {
  TsrXaLog *log = open_ok(path);
  gsize size;
  commit_ok(log, "a", "g1");
  commit_ok(log, "b", "g1,g2");
  tsr_xa_log_close(log);
  size = file_size(path);
  append_text(path, tail, tail_len);
  g_assert_cmpuint(file_size(path), ==, size + tail_len);

  log = open_ok(path);
  take_warnings(1, "torn by a crash");
  g_assert_cmpuint(file_size(path), ==, size);
  assert_listed(log, "a b");
  commit_ok(log, "c", "g3");
  tsr_xa_log_done(log, "a");
  tsr_xa_log_close(log);

  log = open_ok(path);
  assert_listed(log, "b c");
  tsr_xa_log_close(log);
  g_assert_cmpint(g_unlink(path), ==, 0);
}

static void test_torn_tail(Fixture *f, gconstpointer data) {
  g_autofree char *whole = record_line('C', "x g1");
  g_autofree char *done_a = record_line('D', "a");
  g_autofree char *bad_crc = g_strdup(whole);
  g_autofree char *junk_then_done = g_strconcat("C 00000000 y g\n", done_a, NULL);
  const char zeros[64] = {0};

  bad_crc[2] = bad_crc[2] == '0' ? '1' : '0';
  check_torn_tail(f->path, whole, strlen(whole) - 1);           /* the newline is missing */
  check_torn_tail(f->path, whole, strlen(whole) / 2);           /* cut in the middle */
  check_torn_tail(f->path, "C", 1);
  check_torn_tail(f->path, bad_crc, strlen(bad_crc));           /* whole line, wrong CRC */
  check_torn_tail(f->path, zeros, sizeof zeros);                /* the size grew, the data did not */
  check_torn_tail(f->path, junk_then_done, strlen(junk_then_done)); /* an unsynced DONE after the tear */
}

static void test_corrupt(Fixture *f, gconstpointer data) {
  g_autofree char *c1 = record_line('C', "a g1");
  g_autofree char *c2 = record_line('C', "b g1");
  g_autofree char *text = g_strconcat(c1, "C 00000000 zz g1\n", c2, NULL);
  g_autofree char *after = NULL;
  GError *error = NULL;

  g_assert_true(g_file_set_contents(f->path, text, -1, &error));
  g_assert_null(tsr_xa_log_open(f->path, &error));
  g_assert_error(error, TSR_XA_ERROR, TSR_XA_ERROR_CORRUPT);
  g_assert_nonnull(strstr(error->message, f->path));
  g_clear_error(&error);
  after = read_text(f->path);
  g_assert_cmpstr(after, ==, text);
}

static void test_compaction(Fixture *f, gconstpointer data) {
  g_autofree char *tmp = g_strconcat(f->path, ".tmp", NULL);
  g_autoptr(GString) kept = g_string_new(NULL);
  TsrXaLog *log = open_ok(f->path);
  guint64 compactions = 0;
  gsize largest = 0;

  tsr_xa_log_set_compact_size(log, 4096);
  for (guint i = 0; i < 2000; i++) {
    g_autofree char *gtrid = g_strdup_printf("tsr-00000002-%05u", i);
    commit_ok(log, gtrid, "g1,g2,g3");
    if (i % 100 == 7) {
      g_string_append_printf(kept, "%s%s", kept->len ? " " : "", gtrid);
      continue;
    }
    tsr_xa_log_done(log, gtrid);
    largest = MAX(largest, file_size(f->path));
  }
  tsr_xa_log_stats(log, NULL, NULL, &compactions);
  g_assert_cmpuint(compactions, >=, 10);
  g_assert_cmpuint(largest, <, 4096 + 200);
  g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
  assert_listed(log, kept->str);
  tsr_xa_log_close(log);

  log = open_ok(f->path);
  assert_listed(log, kept->str);
  tsr_xa_log_close(log);
}

/* Many live decisions: the threshold grows so that compactions stay rare. */
static void test_compaction_live(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  guint64 compactions = 0;
  tsr_xa_log_set_compact_size(log, 1024);
  for (guint i = 0; i < 1000; i++) {
    g_autofree char *gtrid = g_strdup_printf("tsr-00000003-%u", i);
    commit_ok(log, gtrid, "g1");
  }
  tsr_xa_log_stats(log, NULL, NULL, &compactions);
  g_assert_cmpuint(compactions, >=, 1);
  g_assert_cmpuint(compactions, <=, 8);
  tsr_xa_log_close(log);

  log = open_ok(f->path);
  {
    g_auto(GStrv) list = tsr_xa_log_list(log);
    g_assert_cmpuint(g_strv_length(list), ==, 1000);
  }
  tsr_xa_log_close(log);
}

typedef struct {
  TsrXaLog *log;
  guint thread;
} Worker;

static gpointer worker_run(gpointer data) {
  Worker *w = data;
  for (guint i = 0; i < PER_THREAD; i++) {
    g_autofree char *gtrid = g_strdup_printf("t%u-%03u", w->thread, i);
    char group[16];
    const char *groups[] = {group, "all", NULL};
    GError *error = NULL;
    g_snprintf(group, sizeof group, "g%u", i % 3);
    if (!tsr_xa_log_commit(w->log, gtrid, groups, &error)) return error;
    if (!tsr_xa_log_decided(w->log, gtrid)) return g_error_new(TSR_XA_ERROR, 0, "%s not decided", gtrid);
    if (i % 2 == 0) tsr_xa_log_done(w->log, gtrid);
  }
  return NULL;
}

static char *expected_odd(void) {
  GString *out = g_string_new(NULL);
  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 1; i < PER_THREAD; i += 2) g_string_append_printf(out, "%st%u-%03u", out->len ? " " : "", t, i);
  return g_string_free(out, FALSE);
}

static void test_threads(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  GThread *threads[N_THREADS];
  Worker workers[N_THREADS];
  g_autofree char *expected = expected_odd();
  guint64 commits, syncs, compactions;

  tsr_xa_log_set_compact_size(log, 16384);
  for (guint t = 0; t < N_THREADS; t++) {
    workers[t] = (Worker){log, t};
    threads[t] = g_thread_new("xa-log", worker_run, &workers[t]);
  }
  for (guint t = 0; t < N_THREADS; t++) {
    GError *error = g_thread_join(threads[t]);
    g_assert_no_error(error);
  }
  assert_listed(log, expected);
  tsr_xa_log_stats(log, &commits, &syncs, &compactions);
  g_test_message("%" G_GUINT64_FORMAT " decisions, %" G_GUINT64_FORMAT " fdatasyncs, %" G_GUINT64_FORMAT
                 " compactions",
                 commits, syncs, compactions);
  g_assert_cmpuint(commits, ==, N_THREADS * PER_THREAD);
  g_assert_cmpuint(syncs, <=, commits);
  g_assert_cmpuint(compactions, >=, 1);
  tsr_xa_log_close(log);

  log = open_ok(f->path);
  assert_listed(log, expected);
  tsr_xa_log_close(log);
}

static void test_locked(Fixture *f, gconstpointer data) {
  TsrXaLog *log = open_ok(f->path);
  GError *error = NULL;
  g_assert_null(tsr_xa_log_open(f->path, &error));
  g_assert_error(error, TSR_XA_ERROR, TSR_XA_ERROR_IO);
  g_assert_nonnull(strstr(error->message, "in use by another process"));
  g_clear_error(&error);
  tsr_xa_log_close(log);
  log = open_ok(f->path);
  tsr_xa_log_close(log);
}

static void test_no_directory(Fixture *f, gconstpointer data) {
  g_autofree char *path = g_build_filename(f->dir, "missing", "xa.log", NULL);
  GError *error = NULL;
  g_assert_null(tsr_xa_log_open(path, &error));
  g_assert_error(error, TSR_XA_ERROR, TSR_XA_ERROR_IO);
  g_assert_nonnull(strstr(error->message, path));
  g_assert_nonnull(strstr(error->message, g_strerror(ENOENT)));
  g_clear_error(&error);
}

#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  warnings = g_ptr_array_new_with_free_func(g_free);
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_ERROR);
  g_log_set_writer_func(capture_writer, NULL, NULL);
  g_test_add_func("/xa/xid", test_xid);
  ADD("/xa/log/records", test_records);
  ADD("/xa/log/reopen", test_reopen);
  ADD("/xa/log/invalid", test_invalid);
  ADD("/xa/log/torn-tail", test_torn_tail);
  ADD("/xa/log/corrupt", test_corrupt);
  ADD("/xa/log/compaction", test_compaction);
  ADD("/xa/log/compaction-live", test_compaction_live);
  ADD("/xa/log/threads", test_threads);
  ADD("/xa/log/locked", test_locked);
  ADD("/xa/log/no-directory", test_no_directory);
  return g_test_run();
}
