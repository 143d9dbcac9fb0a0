/* sipws-arena.c: the memory parsed values live in */
#include <string.h>

#include "sipws-arena-private.h"

/* Memcheck keeps seeing a kept block as freed through its client requests
 * (a few instructions, no effect outside valgrind); AddressSanitizer
 * builds keep no block (SIPWS_ARENA_KEEPS_BLOCKS). */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_NOACCESS
#define VALGRIND_MAKE_MEM_NOACCESS(addr, len) ((void) 0)
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, len) ((void) 0)
#endif

/* The block kept for sipws_arena_take_block(), or NULL; any thread may
 * take or leave it. */
static gpointer kept_block;

/* Most values fit in the room their owner reserves up front; a chunk is
 * for what does not, and comes in this size unless one request is larger. */
#define CHUNK_SIZE 2048

struct _SipwsArenaCleanup {
  GDestroyNotify     destroy;
  gpointer           data;
  SipwsArenaCleanup *next;
};

void
sipws_arena_init (SipwsArena *arena,
                  char       *room,
                  gsize       size)
{
  arena->refs = 1;
  arena->recycle = FALSE;
  arena->pos = (guintptr) room;
  arena->limit = (guintptr) room + size;
  arena->chunks = NULL;
  arena->cleanups = NULL;
}

SipwsArena *
sipws_arena_new (gsize size)
{
  SipwsArena *arena = g_malloc (sizeof (SipwsArena) + size);

  sipws_arena_init (arena, (char *) (arena + 1), size);
  return arena;
}

gpointer
sipws_arena_take_block (void)
{
  gpointer block = SIPWS_ARENA_KEEPS_BLOCKS ? g_atomic_pointer_exchange (&kept_block, NULL) : NULL;

  if (block == NULL)
    return g_malloc (SIPWS_ARENA_BLOCK_SIZE);
  VALGRIND_MAKE_MEM_UNDEFINED (block, SIPWS_ARENA_BLOCK_SIZE);
  return block;
}

void
sipws_arena_unref (SipwsArena *arena)
{
  SipwsArenaCleanup *cleanup;
  gpointer chunk;

  if (!g_atomic_int_dec_and_test (&arena->refs))
    return;

  for (cleanup = arena->cleanups; cleanup != NULL; cleanup = cleanup->next)
    cleanup->destroy (cleanup->data);
  chunk = arena->chunks;
  while (chunk != NULL)
    {
      gpointer previous = *(gpointer *) chunk;

      g_free (chunk);
      chunk = previous;
    }
  if (SIPWS_ARENA_KEEPS_BLOCKS && arena->recycle && g_atomic_pointer_compare_and_exchange (&kept_block, NULL, arena))
    {
      VALGRIND_MAKE_MEM_NOACCESS (arena, SIPWS_ARENA_BLOCK_SIZE);
      return;
    }
  g_free (arena);
}

void
sipws_arena_add_cleanup (SipwsArena     *arena,
                         GDestroyNotify  destroy,
                         gpointer        data)
{
  SipwsArenaCleanup *cleanup = sipws_arena_alloc (arena, sizeof (SipwsArenaCleanup));

  cleanup->destroy = destroy;
  cleanup->data = data;
  cleanup->next = arena->cleanups;
  arena->cleanups = cleanup;
}

gpointer
sipws_arena_grow (SipwsArena *arena,
                  gsize       size,
                  gboolean    take)
{
  /* The link comes first; 16 bytes keep the room after it aligned. */
  gsize header = 16;
  gsize room = MAX (size, CHUNK_SIZE);
  gpointer *chunk;
  guintptr p;

  g_assert (size <= G_MAXSIZE - header - CHUNK_SIZE);

  chunk = g_malloc (header + room);
  chunk[0] = arena->chunks;
  arena->chunks = chunk;
  p = (guintptr) chunk + header;
  arena->limit = p + room;
  arena->pos = take ? p + size : p;
  return (gpointer) p;
}
