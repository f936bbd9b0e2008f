/* sql-arena.h: a bump allocator for ASTs: many small allocations, freed
 * together by tsr_sql_arena_free(). Memory from it is zeroed and aligned
 * for any scalar or pointer. */
#ifndef TESSERA_SQL_ARENA_H
#define TESSERA_SQL_ARENA_H

#include <glib.h>

typedef struct TsrSqlArena TsrSqlArena;

/* Returns a new empty arena; free it with tsr_sql_arena_free(). */
TsrSqlArena *tsr_sql_arena_new(void);
/* Frees the arena and everything allocated from it. NULL is allowed. */
void tsr_sql_arena_free(TsrSqlArena *arena);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TsrSqlArena, tsr_sql_arena_free)

/* Returns `size` zeroed bytes owned by the arena. */
gpointer tsr_sql_arena_alloc(TsrSqlArena *arena, gsize size);
/* Returns a NUL-terminated copy of s[0..len), owned by the arena. */
char *tsr_sql_arena_strndup(TsrSqlArena *arena, const char *s, gsize len);
/* Returns a NUL-terminated copy of s (NULL for NULL), owned by the arena. */
char *tsr_sql_arena_strdup(TsrSqlArena *arena, const char *s);

#define tsr_sql_arena_new0(arena, Type) ((Type *)tsr_sql_arena_alloc((arena), sizeof(Type)))

#endif
