/* fuzz-driver.c: runs a libFuzzer target over the files given on the
 * command line (directories: every file in them), for builds without
 * libFuzzer. Prints a TAP line per directory or file. */
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static guint run_file(const char *path) {
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(path, &contents, &len, &error)) {
    g_printerr("%s\n", error->message);
    return 0;
  }
  LLVMFuzzerTestOneInput((const guint8 *)contents, len);
  return 1;
}

int main(int argc, char **argv) {
  printf("1..%d\n", argc - 1);
  for (int i = 1; i < argc; i++) {
    guint n = 0;
    if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
      for (const char *name; dir && (name = g_dir_read_name(dir));) {
        g_autofree char *path = g_build_filename(argv[i], name, NULL);
        n += run_file(path);
      }
    } else {
      n += run_file(argv[i]);
    }
    printf("%s %d - %s: %u inputs\n", n > 0 ? "ok" : "not ok", i, argv[i], n);
  }
  return 0;
}
