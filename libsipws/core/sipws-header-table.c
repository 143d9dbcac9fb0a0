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
 * filled once from sipws_header_info.
 *
 * Names compare folded with "| 0x20": over token characters, which is all
 * header names are made of, that maps exactly upper to lower case and
 * leaves the other characters distinct. */
#define N_SLOTS 256
#define MAX_NAME 24
G_STATIC_ASSERT (SIPWS_HEADER_N_IDS < N_SLOTS / 3);

static guint8 slots[N_SLOTS];
static guint8 compact_ids[128];
static char folded_names[SIPWS_HEADER_N_IDS][MAX_NAME];

static inline guint
hash_name (const char *name,
           gsize       len)
{
  return (guint) (len * 29u + (name[0] | 0x20) * 3u + (name[len - 1] | 0x20) * 5u +
                  (name[len / 2] | 0x20)) % N_SLOTS;
}

static void
build_slots (void)
{
  for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
    {
      const SipwsHeaderInfo *info = &sipws_header_info[id];
      guint h = hash_name (info->name, info->name_len);

      g_assert (info->name_len < MAX_NAME);
      for (guint i = 0; i < info->name_len; i++)
        folded_names[id][i] = info->name[i] | 0x20;
      while (slots[h] != SIPWS_HEADER_UNKNOWN)
        h = (h + 1) % N_SLOTS;
      slots[h] = id;
      if (info->compact != 0)
        compact_ids[info->compact | 0x20] = id;
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
equal_folded (const char *name,
              const char *folded,
              gsize       len)
{
  gsize i = 0;

  /* eight bytes at a time; folded names are padded to MAX_NAME */
  for (; i + 8 <= len; i += 8)
    {
      guint64 a, b;

      memcpy (&a, name + i, 8);
      memcpy (&b, folded + i, 8);
      if ((a | G_GUINT64_CONSTANT (0x2020202020202020)) != b)
        return FALSE;
    }
  for (; i < len; i++)
    if ((name[i] | 0x20) != folded[i])
      return FALSE;
  return TRUE;
}

SipwsHeaderId
sipws_header_lookup (const char *name,
                     gsize       len)
{
  guint h;

  if (len == 0 || len >= MAX_NAME)
    return SIPWS_HEADER_UNKNOWN;

  ensure_slots ();

  if (len == 1)
    return (guchar) name[0] < 128 ? compact_ids[name[0] | 0x20] : SIPWS_HEADER_UNKNOWN;

  for (h = hash_name (name, len); slots[h] != SIPWS_HEADER_UNKNOWN; h = (h + 1) % N_SLOTS)
    {
      guint id = slots[h];

      if (sipws_header_info[id].name_len == len && equal_folded (name, folded_names[id], len))
        return id;
    }
  return SIPWS_HEADER_UNKNOWN;
}
