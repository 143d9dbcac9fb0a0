/* sipws-header-table-private.h: the header names libsipws knows, their
 * compact forms, canonical spellings and value shapes
 *
 * One X-macro list drives the enum and the table, so a header is added in
 * exactly one place. Lookups are case-insensitive and cost two indexes
 * plus one or two compares; compact forms are a direct index.
 */
#pragma once

#include <glib.h>
#include "sipws-version.h"
#include "sipws-header-name.h"
#include "sipws-simd-private.h"
#include "sipws-scan-private.h"

G_BEGIN_DECLS

/* How a header may occur (RFC 3261 §7.3.1). */
typedef enum {
  /* Neither flag: at most one header field in a message. */
  SIPWS_HEADER_SINGLE = 0,
  /* The value is a comma-separated list; the field may repeat and the
   * repetitions are equivalent to one comma-joined field. */
  SIPWS_HEADER_LIST   = 1 << 0,
  /* May repeat, but commas do not separate values (the challenge and
   * credential headers, whose parameters are comma-separated). */
  SIPWS_HEADER_REPEAT = 1 << 1,
} SipwsHeaderFlags;

/* What the parser validates and the typed getters read. */
typedef enum {
  SIPWS_HEADER_TYPE_RAW,            /* kept as text */
  SIPWS_HEADER_TYPE_VIA,            /* list of via-parm */
  SIPWS_HEADER_TYPE_ADDRESS,        /* one name-addr / addr-spec */
  SIPWS_HEADER_TYPE_ADDRESS_LIST,   /* comma list of name-addr / addr-spec */
  SIPWS_HEADER_TYPE_CSEQ,           /* number SP method */
  SIPWS_HEADER_TYPE_CALL_ID,        /* word [ "@" word ] */
  SIPWS_HEADER_TYPE_UINT32,         /* delta-seconds and counters, < 2^32 */
  SIPWS_HEADER_TYPE_MAX_FORWARDS,   /* 1*DIGIT, at most 255 */
  SIPWS_HEADER_TYPE_CONTENT_LENGTH, /* 1*DIGIT */
  SIPWS_HEADER_TYPE_TOKEN_LIST,     /* comma list of tokens */
  SIPWS_HEADER_TYPE_CONTENT_TYPE,   /* type "/" subtype *( ";" m-parameter ) */
  SIPWS_HEADER_TYPE_DATE,           /* rfc1123-date, GMT only */
  SIPWS_HEADER_TYPE_RETRY_AFTER,    /* delta-seconds [ comment ] *( ";" param ) */
  SIPWS_HEADER_TYPE_WARNING,        /* comma list of 3DIGIT SP agent SP quoted text */
} SipwsHeaderType;

/* X (ID, canonical spelling, compact form or 0, flags, type) */
#define SIPWS_HEADER_TABLE(X) \
  X (ACCEPT,               "Accept",               0,   SIPWS_HEADER_LIST,   RAW) \
  X (ACCEPT_CONTACT,       "Accept-Contact",       'a', SIPWS_HEADER_LIST,   RAW) \
  X (ACCEPT_ENCODING,      "Accept-Encoding",      0,   SIPWS_HEADER_LIST,   RAW) \
  X (ACCEPT_LANGUAGE,      "Accept-Language",      0,   SIPWS_HEADER_LIST,   RAW) \
  X (ALERT_INFO,           "Alert-Info",           0,   SIPWS_HEADER_LIST,   RAW) \
  X (ALLOW,                "Allow",                0,   SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (ALLOW_EVENTS,         "Allow-Events",         'u', SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (AUTHENTICATION_INFO,  "Authentication-Info",  0,   SIPWS_HEADER_SINGLE, RAW) \
  X (AUTHORIZATION,        "Authorization",        0,   SIPWS_HEADER_REPEAT, RAW) \
  X (CALL_ID,              "Call-ID",              'i', SIPWS_HEADER_SINGLE, CALL_ID) \
  X (CALL_INFO,            "Call-Info",            0,   SIPWS_HEADER_LIST,   RAW) \
  X (CONTACT,              "Contact",              'm', SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (CONTENT_DISPOSITION,  "Content-Disposition",  0,   SIPWS_HEADER_SINGLE, RAW) \
  X (CONTENT_ENCODING,     "Content-Encoding",     'e', SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (CONTENT_LANGUAGE,     "Content-Language",     0,   SIPWS_HEADER_LIST,   RAW) \
  X (CONTENT_LENGTH,       "Content-Length",       'l', SIPWS_HEADER_SINGLE, CONTENT_LENGTH) \
  X (CONTENT_TYPE,         "Content-Type",         'c', SIPWS_HEADER_SINGLE, CONTENT_TYPE) \
  X (CSEQ,                 "CSeq",                 0,   SIPWS_HEADER_SINGLE, CSEQ) \
  X (DATE,                 "Date",                 0,   SIPWS_HEADER_SINGLE, DATE) \
  X (ERROR_INFO,           "Error-Info",           0,   SIPWS_HEADER_LIST,   RAW) \
  X (EVENT,                "Event",                'o', SIPWS_HEADER_SINGLE, RAW) \
  X (EXPIRES,              "Expires",              0,   SIPWS_HEADER_SINGLE, UINT32) \
  X (FLOW_TIMER,           "Flow-Timer",           0,   SIPWS_HEADER_SINGLE, UINT32) \
  X (FROM,                 "From",                 'f', SIPWS_HEADER_SINGLE, ADDRESS) \
  X (HISTORY_INFO,         "History-Info",         0,   SIPWS_HEADER_LIST,   RAW) \
  X (IDENTITY,             "Identity",             'y', SIPWS_HEADER_REPEAT, RAW) \
  X (IDENTITY_INFO,        "Identity-Info",        'n', SIPWS_HEADER_SINGLE, RAW) \
  X (IN_REPLY_TO,          "In-Reply-To",          0,   SIPWS_HEADER_LIST,   RAW) \
  X (MAX_FORWARDS,         "Max-Forwards",         0,   SIPWS_HEADER_SINGLE, MAX_FORWARDS) \
  X (MIME_VERSION,         "MIME-Version",         0,   SIPWS_HEADER_SINGLE, RAW) \
  X (MIN_EXPIRES,          "Min-Expires",          0,   SIPWS_HEADER_SINGLE, UINT32) \
  X (MIN_SE,               "Min-SE",               0,   SIPWS_HEADER_SINGLE, RAW) \
  X (ORGANIZATION,         "Organization",         0,   SIPWS_HEADER_SINGLE, RAW) \
  X (P_ASSERTED_IDENTITY,  "P-Asserted-Identity",  0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (P_PREFERRED_IDENTITY, "P-Preferred-Identity", 0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (PATH,                 "Path",                 0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (PRIORITY,             "Priority",             0,   SIPWS_HEADER_SINGLE, RAW) \
  X (PRIVACY,              "Privacy",              0,   SIPWS_HEADER_SINGLE, RAW) \
  X (PROXY_AUTHENTICATE,   "Proxy-Authenticate",   0,   SIPWS_HEADER_REPEAT, RAW) \
  X (PROXY_AUTHORIZATION,  "Proxy-Authorization",  0,   SIPWS_HEADER_REPEAT, RAW) \
  X (PROXY_REQUIRE,        "Proxy-Require",        0,   SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (RACK,                 "RAck",                 0,   SIPWS_HEADER_SINGLE, RAW) \
  X (REASON,               "Reason",               0,   SIPWS_HEADER_LIST,   RAW) \
  X (RECORD_ROUTE,         "Record-Route",         0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (REFER_SUB,            "Refer-Sub",            0,   SIPWS_HEADER_SINGLE, RAW) \
  X (REFER_TO,             "Refer-To",             'r', SIPWS_HEADER_SINGLE, ADDRESS) \
  X (REFERRED_BY,          "Referred-By",          'b', SIPWS_HEADER_SINGLE, ADDRESS) \
  X (REJECT_CONTACT,       "Reject-Contact",       'j', SIPWS_HEADER_LIST,   RAW) \
  X (REPLACES,             "Replaces",             0,   SIPWS_HEADER_SINGLE, RAW) \
  X (REPLY_TO,             "Reply-To",             0,   SIPWS_HEADER_SINGLE, ADDRESS) \
  X (REQUEST_DISPOSITION,  "Request-Disposition",  'd', SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (REQUIRE,              "Require",              0,   SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (RETRY_AFTER,          "Retry-After",          0,   SIPWS_HEADER_SINGLE, RETRY_AFTER) \
  X (ROUTE,                "Route",                0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (RSEQ,                 "RSeq",                 0,   SIPWS_HEADER_SINGLE, UINT32) \
  X (SERVER,               "Server",               0,   SIPWS_HEADER_SINGLE, RAW) \
  X (SERVICE_ROUTE,        "Service-Route",        0,   SIPWS_HEADER_LIST,   ADDRESS_LIST) \
  X (SESSION_EXPIRES,      "Session-Expires",      'x', SIPWS_HEADER_SINGLE, RAW) \
  X (SUBJECT,              "Subject",              's', SIPWS_HEADER_SINGLE, RAW) \
  X (SUBSCRIPTION_STATE,   "Subscription-State",   0,   SIPWS_HEADER_SINGLE, RAW) \
  X (SUPPORTED,            "Supported",            'k', SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (TIMESTAMP,            "Timestamp",            0,   SIPWS_HEADER_SINGLE, RAW) \
  X (TO,                   "To",                   't', SIPWS_HEADER_SINGLE, ADDRESS) \
  X (UNSUPPORTED,          "Unsupported",          0,   SIPWS_HEADER_LIST,   TOKEN_LIST) \
  X (USER_AGENT,           "User-Agent",           0,   SIPWS_HEADER_SINGLE, RAW) \
  X (VIA,                  "Via",                  'v', SIPWS_HEADER_LIST,   VIA) \
  X (WARNING,              "Warning",              0,   SIPWS_HEADER_LIST,   WARNING) \
  X (WWW_AUTHENTICATE,     "WWW-Authenticate",     0,   SIPWS_HEADER_REPEAT, RAW)

/* The ids are the public SipwsHeaderName values under shorter names. */
#define SIPWS_HEADER_ENUM_ENTRY(id, name, compact, flags, type) SIPWS_HEADER_##id = SIPWS_HEADER_NAME_##id,

typedef enum {
  SIPWS_HEADER_UNKNOWN = SIPWS_HEADER_NAME_OTHER,
  SIPWS_HEADER_TABLE (SIPWS_HEADER_ENUM_ENTRY)
  SIPWS_HEADER_N_IDS
} SipwsHeaderId;

#undef SIPWS_HEADER_ENUM_ENTRY

/* Every public name has its entry here, and nothing more: the table is as
 * long as the public enum. */
#define SIPWS_HEADER_COUNT_ENTRY(id, name, compact, flags, type) + 1
G_STATIC_ASSERT (SIPWS_HEADER_N_IDS == 1 SIPWS_HEADER_TABLE (SIPWS_HEADER_COUNT_ENTRY));
G_STATIC_ASSERT (SIPWS_HEADER_N_IDS == SIPWS_HEADER_NAME_WWW_AUTHENTICATE + 1);
#undef SIPWS_HEADER_COUNT_ENTRY

typedef struct {
  const char      *name;      /* canonical spelling */
  guint8           name_len;
  char             compact;   /* 0 when the header has no compact form */
  guint8           flags;     /* SipwsHeaderFlags */
  guint8           type;      /* SipwsHeaderType */
} SipwsHeaderInfo;

/* Indexed by SipwsHeaderId; entry 0 (UNKNOWN) has a NULL name. */
extern const SipwsHeaderInfo sipws_header_info[SIPWS_HEADER_N_IDS];

/* The lookup tables: the ids of the names of each length and first letter
 * (at most SIPWS_HEADER_CANDIDATES share both: Refer-To, Replaces,
 * Reply-To), the ids of the compact forms, and the names folded with
 * "| 0x20" (see sipws_scan_token_equal_folded()). Filled once by
 * sipws_header_table_init(). A name is found with two indexes and one or
 * two compares, no hash to compute. */
#define SIPWS_HEADER_MAX_NAME 24
#define SIPWS_HEADER_CANDIDATES 3
extern guint8 sipws_header_candidates[SIPWS_HEADER_MAX_NAME][32][SIPWS_HEADER_CANDIDATES];

/* The headers whose values a message keeps parsed (Via, the address
 * headers, CSeq, Content-Type) each have a slot from 1 on, so a message
 * holds room for those only; the others have slot 0. Filled by
 * sipws_header_table_init(). */
#define SIPWS_HEADER_N_TYPED 16
extern guint8 sipws_header_typed_slot[SIPWS_HEADER_N_IDS];
/* The slot of each address-list header, 0 for the others (the slot that
 * stays empty): a getter of addresses looks it up in one read. */
extern guint8 sipws_header_address_list_slot[SIPWS_HEADER_N_IDS];
extern guint8 sipws_header_compact[128];
extern char sipws_header_folded[SIPWS_HEADER_N_IDS][SIPWS_HEADER_MAX_NAME];
extern gsize sipws_header_table_ready;

void sipws_header_table_init (void);

/* The candidates for a name of @len bytes (2 <= @len < SIPWS_HEADER_MAX_NAME)
 * starting with @first, in any case. */
static inline const guint8 *
sipws_header_candidates_for (char  first,
                             gsize len)
{
  return sipws_header_candidates[len][(first | 0x20) & 31];
}

/* Makes sure the tables are filled, for the lookups below that do not
 * check: the message parser calls it once per message. */
static inline void
sipws_header_table_ensure (void)
{
  if (G_UNLIKELY (g_atomic_pointer_get (&sipws_header_table_ready) == 0))
    sipws_header_table_init ();
}

/* The id of the header called [name, name+len), 1 <= @len <= 15, when
 * the tables are filled and 16 bytes are readable at @name, which holds no
 * CR: a known name (letters and '-') then matches in one 16-byte compare
 * (see sipws_simd_folded_prefix_equal()), and a match proves it a token,
 * since only letters fold onto letters and only CR onto '-'. @len may be 1
 * (a compact form). */
static inline SipwsHeaderId
sipws_header_lookup_short (const char *name,
                           gsize       len)
{
  const guint8 *candidates;

  if (len == 1)
    return (guchar) name[0] < 128 ? sipws_header_compact[name[0] | 0x20] : SIPWS_HEADER_UNKNOWN;
  candidates = sipws_header_candidates_for (name[0], len);
  for (guint i = 0; i < SIPWS_HEADER_CANDIDATES && candidates[i] != SIPWS_HEADER_UNKNOWN; i++)
    if (sipws_simd_folded_prefix_equal (name, sipws_header_folded[candidates[i]], len))
      return candidates[i];
  return SIPWS_HEADER_UNKNOWN;
}

/* The id of the header called [name, name+len) in any case, long or compact
 * form; SIPWS_HEADER_UNKNOWN for an extension header. @name is a token
 * (other bytes may fold onto token characters). Inline: the message parser
 * looks up every header name. */
G_ALWAYS_INLINE static inline SipwsHeaderId
sipws_header_lookup (const char *name,
                     gsize       len)
{
  const guint8 *candidates;

  sipws_header_table_ensure ();

  if (len < 2 || len >= SIPWS_HEADER_MAX_NAME)
    return len == 1 && (guchar) name[0] < 128 ? sipws_header_compact[name[0] | 0x20] : SIPWS_HEADER_UNKNOWN;

  candidates = sipws_header_candidates_for (name[0], len);
  for (guint i = 0; i < SIPWS_HEADER_CANDIDATES && candidates[i] != SIPWS_HEADER_UNKNOWN; i++)
    if (sipws_scan_token_equal_folded (name, sipws_header_folded[candidates[i]], len))
      return candidates[i];
  return SIPWS_HEADER_UNKNOWN;
}

G_END_DECLS
