/* test-xa-tool.c: the XA decision log, the blocking client and recovery
 * from the command line, for tests/integration/test_xa_recovery_lib.py
 * (and by hand):
 *
 *   test-xa-tool xid PROXY_ID COUNTER            prints tsr_xa_xid_new()
 *   test-xa-tool decide LOG GTRID GROUP,...      writes a decision
 *   test-xa-tool list LOG                        prints the decided gtrids
 *   test-xa-tool recover LOG PROXY_ID USER PASSWORD ADDRESS...
 *       prints "committed N rolled_back M", then the gtrids still decided
 *   test-xa-tool query ADDRESS USER PASSWORD SQL
 *       prints the column names and rows (tab-separated, NULL as \N), or
 *       "OK affected_rows warnings", or "ERR errno message"
 *
 * PROXY_ID is hexadecimal. Every wait of the client is bounded by
 * $TEST_XA_TIMEOUT_MS (default 5000). Errors go to stderr with exit
 * status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plugins/sharding/xa-client.h"
#include "plugins/sharding/xa-log.h"
#include "plugins/sharding/xa-recover.h"

static int usage(void) {
  fprintf(stderr, "usage: test-xa-tool xid|decide|list|recover|query ... (see test-xa-tool.c)\n");
  return 2;
}

static int fail(GError *error) {
  fprintf(stderr, "%s\n", error->message);
  g_error_free(error);
  return 1;
}

static guint32 proxy_id_arg(const char *text) { return (guint32)g_ascii_strtoull(text, NULL, 16); }

static guint timeout_ms(void) {
  const char *text = g_getenv("TEST_XA_TIMEOUT_MS");
  return text ? (guint)g_ascii_strtoull(text, NULL, 10) : 5000;
}

static void print_decided(TsrXaLog *log) {
  g_auto(GStrv) list = tsr_xa_log_list(log);
  for (char **g = list; *g; g++) printf("%s\n", *g);
}

static int cmd_decide(char **argv) {
  GError *error = NULL;
  g_autoptr(TsrXaLog) log = tsr_xa_log_open(argv[0], &error);
  g_auto(GStrv) groups = g_strsplit(argv[2], ",", -1);
  if (!log || !tsr_xa_log_commit(log, argv[1], (const char *const *)groups, &error)) return fail(error);
  return 0;
}

static int cmd_list(char **argv) {
  GError *error = NULL;
  g_autoptr(TsrXaLog) log = tsr_xa_log_open(argv[0], &error);
  if (!log) return fail(error);
  print_decided(log);
  return 0;
}

static int cmd_recover(char **argv, int n) {
  GError *error = NULL;
  g_autoptr(TsrXaLog) log = tsr_xa_log_open(argv[0], &error);
  guint committed = 0, rolled_back = 0;
  gboolean ok;
  if (!log) return fail(error);
  ok = tsr_xa_recover(log, proxy_id_arg(argv[1]), (const char *const *)argv + 4, (guint)n - 4, argv[2], argv[3],
                      timeout_ms(), &committed, &rolled_back, &error);
  printf("committed %u rolled_back %u\n", committed, rolled_back);
  print_decided(log);
  return ok ? 0 : fail(error);
}

static void print_rows(const TsrXaResult *r) {
  for (guint i = 0; i < r->n_columns; i++) printf("%s%s", i ? "\t" : "", r->names[i]);
  printf("\n");
  for (guint row = 0; row < r->n_rows; row++)
    for (guint i = 0; i < r->n_columns; i++) {
      gsize len;
      const char *v = tsr_xa_result_value(r, row, i, &len);
      printf("%s", i ? "\t" : "");
      if (v)
        fwrite(v, 1, len, stdout);
      else
        printf("\\N");
      if (i + 1 == r->n_columns) printf("\n");
    }
}

static int cmd_query(char **argv) {
  GError *error = NULL;
  g_autoptr(TsrXaClient) c = tsr_xa_client_connect(argv[0], argv[1], argv[2], timeout_ms(), &error);
  g_autoptr(TsrXaResult) r = NULL;
  if (!c) return fail(error);
  r = tsr_xa_client_query(c, argv[3], &error);
  if (!r && g_error_matches(error, TSR_XA_CLIENT_ERROR, TSR_XA_CLIENT_ERROR_SERVER)) {
    printf("ERR %u %s\n", tsr_xa_client_server_errno(c), error->message);
    g_error_free(error);
    return 0;
  }
  if (!r) return fail(error);
  if (r->n_columns == 0)
    printf("OK %" G_GUINT64_FORMAT " %u\n", r->affected_rows, r->warnings);
  else
    print_rows(r);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  char **args = argv + 2;
  int n = argc - 2;
  if (strcmp(cmd, "xid") == 0 && n == 2) {
    g_autofree char *xid = tsr_xa_xid_new(proxy_id_arg(args[0]), g_ascii_strtoull(args[1], NULL, 10));
    printf("%s\n", xid);
    return 0;
  }
  if (strcmp(cmd, "decide") == 0 && n == 3) return cmd_decide(args);
  if (strcmp(cmd, "list") == 0 && n == 1) return cmd_list(args);
  if (strcmp(cmd, "recover") == 0 && n >= 4) return cmd_recover(args, n);
  if (strcmp(cmd, "query") == 0 && n == 4) return cmd_query(args);
  return usage();
}
