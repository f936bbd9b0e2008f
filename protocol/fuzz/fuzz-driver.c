/* fuzz-driver.c: runs a fuzz target without libFuzzer. For every file of
 * the corpus directories (or files) given as arguments it calls the target
 * on the file, on each of its prefixes and on simple mutations of it (each
 * byte set to 0x00, 0xFF and 0xFB, and bit-flipped), every input in a heap
 * buffer of exactly its size so that a sanitizer sees over-reads. Inputs
 * over MUTATE_MAX bytes are mutated and cut only in their first MUTATE_MAX
 * bytes. Prints one TAP line per file. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "fuzz-target.h"

#define MUTATE_MAX 1024u

static void run_one(const guint8 *data, gsize len) {
  guint8 *copy = g_malloc(len ? len : 1);
  memcpy(copy, data, len);
  LLVMFuzzerTestOneInput(copy, len);
  g_free(copy);
}

static void run_file(const guint8 *data, gsize len) {
  static const guint8 replacements[] = { 0x00, 0xFF, 0xFB, 0xFE, 0x0C };
  guint8 *mutant = g_memdup2(data, len ? len : 1);
  gsize limit = MIN(len, (gsize)MUTATE_MAX);

  run_one(data, len);
  for (gsize n = 0; n < limit; n++) run_one(data, n);
  for (gsize i = 0; i < limit; i++) {
    guint8 orig = mutant[i];
    for (guint k = 0; k < G_N_ELEMENTS(replacements); k++) {
      mutant[i] = replacements[k];
      run_one(mutant, len);
    }
    mutant[i] = (guint8)~orig;
    run_one(mutant, len);
    mutant[i] = orig;
  }
  g_free(mutant);
}

/* Collects the regular files of path (a file or a directory) into files. */
static void collect(const char *path, GPtrArray *files) {
  GDir *dir = g_dir_open(path, 0, NULL);
  const char *name;
  if (!dir) {
    g_ptr_array_add(files, g_strdup(path));
    return;
  }
  while ((name = g_dir_read_name(dir))) g_ptr_array_add(files, g_build_filename(path, name, NULL));
  g_dir_close(dir);
}

static gint compare_paths(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  int failed = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--tap") != 0) collect(argv[i], files);
  g_ptr_array_sort(files, compare_paths);
  printf("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++) {
    const char *path = g_ptr_array_index(files, i);
    g_autofree gchar *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &data, &len, &error)) {
      printf("not ok %u - %s: %s\n", i + 1, path, error->message);
      failed = 1;
      continue;
    }
    run_file((const guint8 *)data, len);
    printf("ok %u - %s (%" G_GSIZE_FORMAT " bytes)\n", i + 1, path, len);
  }
  if (files->len == 0) {
    printf("Bail out! no corpus files\n");
    return 1;
  }
  return failed;
}
