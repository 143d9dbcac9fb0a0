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

guint8 sipws_header_candidates[SIPWS_HEADER_MAX_NAME][32][SIPWS_HEADER_CANDIDATES];
guint8 sipws_header_typed_slot[SIPWS_HEADER_N_IDS];
guint8 sipws_header_address_list_slot[SIPWS_HEADER_N_IDS];
guint8 sipws_header_compact[128];
char sipws_header_folded[SIPWS_HEADER_N_IDS][SIPWS_HEADER_MAX_NAME];
gsize sipws_header_table_ready;

void
sipws_header_table_init (void)
{
  guint n_typed = 1;

  if (!g_once_init_enter (&sipws_header_table_ready))
    return;

  for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
    {
      const SipwsHeaderInfo *info = &sipws_header_info[id];
      guint8 *candidates;
      guint n = 0;

      g_assert (info->name_len < SIPWS_HEADER_MAX_NAME);
      for (guint i = 0; i < info->name_len; i++)
        {
          /* what sipws_header_lookup_short() relies on */
          g_assert (g_ascii_isalpha (info->name[i]) || info->name[i] == '-');
          sipws_header_folded[id][i] = info->name[i] | 0x20;
        }
      candidates = sipws_header_candidates[info->name_len][(info->name[0] | 0x20) & 31];
      while (candidates[n] != SIPWS_HEADER_UNKNOWN)
        n++;
      g_assert (n < SIPWS_HEADER_CANDIDATES);
      candidates[n] = id;
      if (info->compact != 0)
        sipws_header_compact[info->compact | 0x20] = id;
      switch ((SipwsHeaderType) info->type)
        {
        case SIPWS_HEADER_TYPE_VIA:
        case SIPWS_HEADER_TYPE_ADDRESS:
        case SIPWS_HEADER_TYPE_ADDRESS_LIST:
        case SIPWS_HEADER_TYPE_CSEQ:
        case SIPWS_HEADER_TYPE_CONTENT_TYPE:
          g_assert (n_typed < SIPWS_HEADER_N_TYPED);
          if (info->type == SIPWS_HEADER_TYPE_ADDRESS_LIST)
            sipws_header_address_list_slot[id] = n_typed;
          sipws_header_typed_slot[id] = n_typed++;
          break;
        case SIPWS_HEADER_TYPE_RAW:
        case SIPWS_HEADER_TYPE_CALL_ID:
        case SIPWS_HEADER_TYPE_UINT32:
        case SIPWS_HEADER_TYPE_MAX_FORWARDS:
        case SIPWS_HEADER_TYPE_CONTENT_LENGTH:
        case SIPWS_HEADER_TYPE_TOKEN_LIST:
        case SIPWS_HEADER_TYPE_DATE:
        case SIPWS_HEADER_TYPE_RETRY_AFTER:
        case SIPWS_HEADER_TYPE_WARNING:
        default:
          break;
        }
    }
  g_once_init_leave (&sipws_header_table_ready, 1);
}
