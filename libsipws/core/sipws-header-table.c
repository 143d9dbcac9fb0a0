/* sipws-header-table.c: known SIP header names */
#include <string.h>

#include "sipws-header-table-private.h"

#define SIPWS_HEADER_INFO_ENTRY(id, name, compact, flags, type) \
  [SIPWS_HEADER_##id] = { name, sizeof (name) - 1, compact, flags, SIPWS_HEADER_TYPE_##type },

const SipwsHeaderInfo sipws_header_info[SIPWS_HEADER_N_IDS] = {
  [SIPWS_HEADER_UNKNOWN] = { NULL, 0, 0, SIPWS_HEADER_SINGLE, SIPWS_HEADER_TYPE_RAW },
  SIPWS_HEADER_TABLE (SIPWS_HEADER_INFO_ENTRY)
};

#undef SIPWS_HEADER_INFO_ENTRY

/* Open addressing over a table about four times larger than the number of
 * names, so nearly every lookup is one probe: an extension header usually
 * lands on an empty slot and costs no string compare at all. The slots are
 * filled once from sipws_header_info. */
#define N_SLOTS 256
G_STATIC_ASSERT (SIPWS_HEADER_N_IDS < N_SLOTS / 3);

static guint8 slots[N_SLOTS];
static guint8 compact_ids[128];

static inline guchar
fold (guchar c)
{
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline guint
hash_name (const char *name,
           gsize       len)
{
  return (guint) (len * 29u + fold (name[0]) * 3u + fold (name[len - 1]) * 5u
                  + fold (name[len / 2])) % N_SLOTS;
}

static void
build_slots (void)
{
  for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
    {
      const SipwsHeaderInfo *info = &sipws_header_info[id];
      guint h = hash_name (info->name, info->name_len);

      while (slots[h] != SIPWS_HEADER_UNKNOWN)
        h = (h + 1) % N_SLOTS;
      slots[h] = id;
      if (info->compact != 0)
        compact_ids[(guchar) info->compact] = id;
    }
}

static inline void
ensure_slots (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      build_slots ();
      g_once_init_leave (&initialized, 1);
    }
}

static inline gboolean
equal_folded (const char *a,
              const char *b,
              gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (fold (a[i]) != fold (b[i]))
      return FALSE;
  return TRUE;
}

SipwsHeaderId
sipws_header_lookup (const char *name,
                     gsize       len)
{
  guint h;

  if (len == 0 || len > G_MAXUINT8)
    return SIPWS_HEADER_UNKNOWN;

  ensure_slots ();

  if (len == 1)
    return (guchar) name[0] < 128 ? compact_ids[fold (name[0])] : SIPWS_HEADER_UNKNOWN;

  for (h = hash_name (name, len); slots[h] != SIPWS_HEADER_UNKNOWN; h = (h + 1) % N_SLOTS)
    {
      const SipwsHeaderInfo *info = &sipws_header_info[slots[h]];

      if (info->name_len == len && equal_folded (info->name, name, len))
        return slots[h];
    }
  return SIPWS_HEADER_UNKNOWN;
}

gboolean
sipws_header_name_equal (const char *a,
                         gsize       a_len,
                         const char *b,
                         gsize       b_len)
{
  SipwsHeaderId id = sipws_header_lookup (a, a_len);

  if (id != SIPWS_HEADER_UNKNOWN)
    return id == sipws_header_lookup (b, b_len);
  return a_len == b_len && equal_folded (a, b, a_len);
}
