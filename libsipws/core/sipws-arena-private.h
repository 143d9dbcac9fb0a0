/* sipws-arena-private.h: the memory parsed values live in
 *
 * A parsed message and every value parsed from it (Request-URI, Via hops,
 * addresses with their URIs and parameters, Content-Type) share one arena:
 * a reference-counted block with a bump allocator. Parsing allocates by
 * moving a pointer, and the whole message goes with one free instead of one
 * per value. A URI, address or hop made on its own gets an arena of its own.
 *
 * The values in an arena have no reference count of their own: a reference
 * to any of them is a reference to the arena, so a URI taken from a message
 * keeps the message's memory alive until it is dropped. A value that points
 * into another arena (an address made with a URI parsed elsewhere) holds a
 * reference to it, released when its own arena goes.
 *
 * Nothing in an arena is freed on its own: a setter that replaces a string
 * leaves the old one in place until the arena goes. Setters are for values
 * under construction, which change a few times, so this costs little.
 */
#pragma once

#include <string.h>
#include <glib.h>
#include "sipws-version.h"

G_BEGIN_DECLS

typedef struct _SipwsArenaCleanup SipwsArenaCleanup;

typedef struct {
  gint               refs;      /* atomic */
  gboolean           recycle;   /* the block came from sipws_arena_take_block() */
  guintptr           pos;       /* next free byte of the current chunk */
  guintptr           limit;     /* end of the current chunk */
  gpointer           chunks;    /* chunks beyond the first, each starting with a link to the one before */
  SipwsArenaCleanup *cleanups;  /* references to release with the arena */
} SipwsArena;

/* Starts an arena at the beginning of a block from g_malloc(), holding one
 * reference; [room, room + size) is the part of the block it allocates from
 * first (size may be 0). The owner of the block puts its own data after the
 * SipwsArena member, which must be the block's first. */
void        sipws_arena_init        (SipwsArena *arena,
                                     char       *room,
                                     gsize       size);

/* A block holding nothing but an arena with @size bytes of room. */
SipwsArena *sipws_arena_new         (gsize       size);

/* Parsed messages come and go one after another, each in a block of a few
 * KiB, which malloc() and free() handle in about 250 instructions: more
 * than the parse of a short message's headers. A block of this size is
 * kept when it goes, one at a time, for the next message to take. */
#define SIPWS_ARENA_BLOCK_SIZE 16384

/* Whether blocks are kept: not under AddressSanitizer, which could then
 * not see a use of a freed message's memory. */
#if defined(__SANITIZE_ADDRESS__)
#define SIPWS_ARENA_KEEPS_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIPWS_ARENA_KEEPS_BLOCKS 0
#endif
#endif
#ifndef SIPWS_ARENA_KEEPS_BLOCKS
#define SIPWS_ARENA_KEEPS_BLOCKS 1
#endif

/* An uninitialised block of SIPWS_ARENA_BLOCK_SIZE bytes for an arena at
 * its start: the one kept, when there is one. The owner sets the arena's
 * recycle flag after sipws_arena_init(), so that its last unref keeps the
 * block (or frees it when one is kept already). */
gpointer    sipws_arena_take_block  (void);

static inline SipwsArena *
sipws_arena_ref (SipwsArena *arena)
{
  g_atomic_int_inc (&arena->refs);
  return arena;
}

/* The last reference runs the cleanups and frees the block and its chunks. */
void        sipws_arena_unref       (SipwsArena *arena);

/* Releases @data with @destroy when the arena goes. */
void        sipws_arena_add_cleanup (SipwsArena     *arena,
                                     GDestroyNotify  destroy,
                                     gpointer        data);

/* Slow path of the inline allocators: a new chunk with room for @size,
 * taken at once when @take (sipws_arena_alloc()), or left to commit. */
gpointer    sipws_arena_grow        (SipwsArena *arena,
                                     gsize       size,
                                     gboolean    take);

/* @size uninitialized bytes aligned for any pointer or integer. */
static inline gpointer
sipws_arena_alloc (SipwsArena *arena,
                   gsize       size)
{
  guintptr p = (arena->pos + 7) & ~(guintptr) 7;

  if (G_LIKELY (p <= arena->limit && arena->limit - p >= size))
    {
      arena->pos = p + size;
      return (gpointer) p;
    }
  return sipws_arena_grow (arena, size, TRUE);
}

/* Room for @size bytes aligned like sipws_arena_alloc(), to fill before
 * the next allocation; sipws_arena_commit() then says how much was used. */
static inline gpointer
sipws_arena_reserve_aligned (SipwsArena *arena,
                             gsize       size)
{
  guintptr p = (arena->pos + 7) & ~(guintptr) 7;

  if (G_LIKELY (p <= arena->limit && arena->limit - p >= size))
    return (gpointer) p;
  return sipws_arena_grow (arena, size, FALSE);
}

/* Room for a string of at most @size bytes, to write before the next
 * allocation; sipws_arena_commit() then says where the string ended. */
static inline char *
sipws_arena_reserve (SipwsArena *arena,
                     gsize       size)
{
  if (G_LIKELY (arena->limit - arena->pos >= size))
    return (char *) arena->pos;
  return sipws_arena_grow (arena, size, FALSE);
}

static inline void
sipws_arena_commit (SipwsArena *arena,
                    const char *end)
{
  arena->pos = (guintptr) end;
}

/* A NUL-terminated copy of [s, s+len); @s may be NULL when @len is 0. */
static inline char *
sipws_arena_strndup (SipwsArena *arena,
                     const char *s,
                     gsize       len)
{
  char *out = sipws_arena_reserve (arena, len + 1);

  if (len > 0)
    memcpy (out, s, len);
  out[len] = '\0';
  sipws_arena_commit (arena, out + len + 1);
  return out;
}

G_END_DECLS
