/* sql-arena.c: the bump allocator behind ASTs. */
#include <string.h>
#include "sql/sql-arena.h"

#define CHUNK_SIZE 4096u
#define ALIGN 16u

typedef struct Chunk {
  struct Chunk *next;
  gsize size;
  gsize used;
  /* data follows, ALIGN-aligned */
} Chunk;

struct TsrSqlArena {
  Chunk *head;
};

#define CHUNK_HEADER ((sizeof(Chunk) + ALIGN - 1) & ~(gsize)(ALIGN - 1))

TsrSqlArena *tsr_sql_arena_new(void) {
  return g_new0(TsrSqlArena, 1);
}

void tsr_sql_arena_free(TsrSqlArena *arena) {
  if (arena == NULL) return;
  Chunk *c = arena->head;
  while (c) {
    Chunk *next = c->next;
    g_free(c);
    c = next;
  }
  g_free(arena);
}

static Chunk *chunk_new(gsize size) {
  Chunk *c = g_malloc(CHUNK_HEADER + size);
  c->next = NULL;
  c->size = size;
  c->used = 0;
  return c;
}

gpointer tsr_sql_arena_alloc(TsrSqlArena *arena, gsize size) {
  size = (MAX(size, 1) + ALIGN - 1) & ~(gsize)(ALIGN - 1);
  Chunk *c = arena->head;
  if (c == NULL || c->size - c->used < size) {
    if (size > CHUNK_SIZE / 4) {
      /* A big block gets a chunk of its own, behind the current one. */
      Chunk *big = chunk_new(size);
      if (c) {
        big->next = c->next;
        c->next = big;
      } else {
        arena->head = big;
      }
      big->used = size;
      return memset((char *)big + CHUNK_HEADER, 0, size);
    }
    c = chunk_new(CHUNK_SIZE);
    c->next = arena->head;
    arena->head = c;
  }
  gpointer p = (char *)c + CHUNK_HEADER + c->used;
  c->used += size;
  return memset(p, 0, size);
}

char *tsr_sql_arena_strndup(TsrSqlArena *arena, const char *s, gsize len) {
  char *out = tsr_sql_arena_alloc(arena, len + 1);
  if (len > 0) memcpy(out, s, len);
  return out;
}

char *tsr_sql_arena_strdup(TsrSqlArena *arena, const char *s) {
  return s ? tsr_sql_arena_strndup(arena, s, strlen(s)) : NULL;
}
