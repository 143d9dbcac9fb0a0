/* sipws-uri-private.h: URI parsing inside a larger text */
#pragma once

#include "sipws-uri.h"
#include "sipws-arena-private.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"

G_BEGIN_DECLS

/* Parses the URI [p, end), which must be all URI (no surrounding blanks or
 * brackets), into @arena, which the URI then shares (it takes no reference:
 * the caller keeps the arena alive). Its strings are made in @out, a
 * mirror of the text @start begins (see sipws_scan_mirror()), which must
 * live as long as the arena. Error columns count from @start, so a caller
 * parsing a header value reports positions in that value. On error, what
 * was allocated stays in the arena. */
SipwsUri *sipws_uri_parse_range (SipwsArena  *arena,
                                 const char  *start,
                                 char        *out,
                                 const char  *p,
                                 const char  *end,
                                 GError     **error);

/* A deep copy of @self in @arena, under the same terms. */
SipwsUri *sipws_uri_copy_in     (SipwsArena  *arena,
                                 SipwsUri    *self);

/* A URI, its parameter entries and its strings (decoded copies, each
 * NUL-terminated) are in one arena: the message it was parsed from, or an
 * arena of its own. (sipws_uri_parse_sip_simple() stores each field on its
 * own: a new field needs its store there.) */
struct _SipwsUri
{
  SipwsArena *arena;
  SipwsUriScheme scheme;
  guint16 port;
  const char *scheme_name;  /* as written for OTHER, else a static lower-case name */
  const char *host;         /* IPv6 without brackets */
  const char *user;         /* decoded; the number of a tel: URI; NULL when absent */
  gsize user_len;
  SipwsParams params;
  /* what the common sip: URI leaves empty last, for stores of 16 zero
   * bytes */
  const char *opaque;       /* OTHER: everything after the ':' */
  const char *user_wire;    /* the user as written, when it had %HH escapes */
  const char *password;     /* as written; never returned by a getter */
  SipwsParams headers;
  gboolean host_is_ipv6;
};

/* The static lower-case names of the schemes but OTHER. */
extern const char *const sipws_uri_scheme_names[];

G_ALWAYS_INLINE static inline SipwsUri *
sipws_uri_new_in (SipwsArena     *arena,
                  SipwsUriScheme  scheme)
{
  SipwsUri *self = sipws_arena_alloc (arena, sizeof (SipwsUri));

  *self = (SipwsUri) {
    .arena = arena,
    .scheme = scheme,
    .scheme_name = scheme != SIPWS_URI_SCHEME_OTHER ? sipws_uri_scheme_names[scheme] : NULL,
  };
  return self;
}

/* Where the room asked for after a URI starts. */
#define SIPWS_URI_ROOM_OFFSET ((sizeof (SipwsUri) + 7) & ~(gsize) 7)

/* Whether the user part [p, at) is all user characters (with SSE2, a
 * part of at most 16 letters and digits in one read: forwards from @p
 * when 16 bytes are readable there, the byte at @end included when
 * @end_stops, else backwards from @at). */
G_ALWAYS_INLINE static inline gboolean
sipws_uri_user_is_plain (const char *start,
                         const char *p,
                         const char *at,
                         const char *end,
                         gboolean    end_stops)
{
#ifdef SIPWS_SIMD_SSE2
  if (at - p <= 16 && end + end_stops - p >= 16 &&
      (sipws_scan_not_alnum_mask (p) & ((1u << (at - p)) - 1)) == 0)
    return TRUE;
#endif
  return sipws_scan_span_is_all (start, p, at, SIPWS_CC_USER_CHAR);
}

/* The common sip: URI, [user@]host[:port][;params] with a host name or an
 * IPv4 address and no escapes, password or headers, in one pass that
 * writes the mirror only once the URI is known good. NULL hands anything
 * else, every error included, to the general parser (parse_sip() of
 * sipws-uri.c), which reads what this accepts the same way. @at is the
 * first '@' of [p, end), or NULL; @end_stops says that *@end is a '>'.
 * The allocation of the URI has @extra bytes more for the caller, at
 * SIPWS_URI_ROOM_OFFSET (aligned like any allocation). Inline here for the
 * name-addr fast path, where a call per address cost more than what it
 * does for a short URI. The constant @params_inline has the uri-parameters
 * read inline too, for the callers that mostly meet some (routes,
 * contacts, Request-URIs); for the others (From, To) the larger code
 * costs more registers than the call of sipws_params_parse_simple(). */
G_ALWAYS_INLINE static inline SipwsUri *
sipws_uri_parse_sip_simple (SipwsArena  *arena,
                            const char  *start,
                            char        *out,
                            const char  *p,
                            const char  *end,
                            const char  *at,
                            gboolean     end_stops,
                            gboolean     params_inline,
                            gsize        extra)
{
  /* Only an '@' makes a user part, and the first one ends it: parse_sip()
   * reads the user part up to the first byte outside user characters,
   * which is that '@' when everything before it is plain. */
  const char *user = NULL, *host, *host_end;
  SipwsParams params = { NULL, 0, 0 };
  guint64 port = 0;
  SipwsScanHost kind;
  SipwsUri *self;

  if (at != NULL)
    {
      if (at == p || !sipws_uri_user_is_plain (start, p, at, end, end_stops))
        return NULL;
      user = p;
      p = at + 1;
    }
  /* With no '@' a '%' or ':' there would matter only to the user part;
   * whatever follows the host is read to the end below, and a '%' there
   * stops this path. */
  host = p;
  host_end = sipws_scan_host (p, end, &kind);
  if (host_end == host || (kind != SIPWS_SCAN_HOST_NAME && kind != SIPWS_SCAN_HOST_IPV4))
    return NULL;
  p = host_end;
  if (p < end && *p == ':')
    {
      /* 1 to 5 digits; more (leading zeros) are for the general parser */
      const char *digits = p + 1, *digits_end = end - digits > 5 ? digits + 5 : end;
      guint value = 0;
      /* mostly 4 (5060): the four at once, each byte 0 to 9 after the
       * XOR with '0' when its high nibble is clear and adding 6 sets none
       * (all ones: fewer than five bytes to read) */
      guint32 v = end + end_stops - digits > 4 ? sipws_scan_load4 (digits) ^ 0x30303030u : G_MAXUINT32;

      if (((v | (v + 0x06060606u)) & 0xF0F0F0F0u) == 0 && (guchar) (digits[4] - '0') > 9)
        {
          v = GUINT32_FROM_LE (v);
          value = (v & 0xFF) * 1000 + (v >> 8 & 0xFF) * 100 + (v >> 16 & 0xFF) * 10 + (v >> 24);
          p = digits + 4;
        }
      else
        for (p = digits; p < digits_end && (guchar) (*p - '0') <= 9; p++)
          value = value * 10 + (guint) (*p - '0');
      if (p == digits || value == 0 || value > G_MAXUINT16 || (p < end && (guchar) (*p - '0') <= 9))
        return NULL;
      port = value;
    }
  if (p < end && (*p != ';' || !(params_inline ? sipws_params_parse_simple_inline (&params, arena, start, out, p, end, FALSE, end_stops)
                                              : sipws_params_parse_simple (&params, arena, SIPWS_PARAMS_URI, start, out, p, end, end_stops))))
    return NULL;

  /* Each field stored once: a zeroing first would take one instruction
   * per word, as a string instruction, and the fields set here again. */
  self = sipws_arena_alloc (arena, SIPWS_URI_ROOM_OFFSET + extra);
  self->arena = arena;
  self->scheme = SIPWS_URI_SCHEME_SIP;
  self->port = (guint16) port;
  self->scheme_name = sipws_uri_scheme_names[SIPWS_URI_SCHEME_SIP];
  self->host = sipws_scan_mirror_string (start, out, host, host_end);
  self->params = params;
  self->opaque = NULL;
  self->user_wire = NULL;
  self->password = NULL;
  sipws_params_init (&self->headers);
  self->host_is_ipv6 = FALSE;
  if (user != NULL)
    {
      self->user = sipws_scan_mirror_string (start, out, user, at);
      self->user_len = at - user;
    }
  else
    {
      self->user = NULL;
      self->user_len = 0;
    }
  return self;
}

#ifdef SIPWS_SIMD_SSE2
/* Bit i set when p[i] is @c (16 bytes read). */
G_ALWAYS_INLINE static inline guint
sipws_uri_byte_mask (const char *p,
                     char        c)
{
  return (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (sipws_simd_load (p), _mm_set1_epi8 (c)));
}
#endif

/* The first '>' of [p, end), or NULL, and in *@at the first '@' before
 * it, or NULL: both from one pass, 32 bytes a round. Every read is of 16
 * bytes inside [start, end): the last round reads backwards from @end,
 * its bytes before @p left out. */
G_ALWAYS_INLINE static inline const char *
sipws_uri_find_at_and_gt (const char  *start,
                          const char  *p,
                          const char  *end,
                          const char **at)
{
  *at = NULL;
#ifdef SIPWS_SIMD_SSE2
  if (end - start >= 16)
    {
      for (;;)
        {
          gsize left = end - p;
          guint gt, at_mask;

          /* bit i of each mask is p[i] */
          if (left >= 32)
            {
              gt = sipws_uri_byte_mask (p, '>') | sipws_uri_byte_mask (p + 16, '>') << 16;
              at_mask = sipws_uri_byte_mask (p, '@') | sipws_uri_byte_mask (p + 16, '@') << 16;
            }
          else if (left > 16)
            {
              gt = sipws_uri_byte_mask (p, '>') | sipws_uri_byte_mask (end - 16, '>') << (left - 16);
              at_mask = sipws_uri_byte_mask (p, '@') | sipws_uri_byte_mask (end - 16, '@') << (left - 16);
            }
          else
            {
              gt = sipws_uri_byte_mask (end - 16, '>') >> (16 - left);
              at_mask = sipws_uri_byte_mask (end - 16, '@') >> (16 - left);
            }
          if (gt != 0)
            {
              /* the '@' before the '>' */
              at_mask &= (gt & -gt) - 1;
              if (*at == NULL && at_mask != 0)
                *at = p + sipws_simd_first (at_mask);
              return p + sipws_simd_first (gt);
            }
          if (*at == NULL && at_mask != 0)
            *at = p + sipws_simd_first (at_mask);
          if (left <= 32)
            return NULL;
          p += 32;
        }
    }
#endif
  for (; p < end; p++)
    {
      if (*p == '>')
        return p;
      if (*p == '@' && *at == NULL)
        *at = p;
    }
  return NULL;
}

/* The common URI of a name-addr, the text between '<' and '>': [p, end)
 * starts with "sip:" and holds the rest of the address; the URI ends at
 * the first '>', which *@uri_end is set to. Either parses [p, *@uri_end)
 * exactly as sipws_uri_parse_range() would, or returns NULL having kept
 * nothing and left the mirror as it was (no '>', a URI that is not
 * simple, an error): the caller then parses the address with the general
 * parsers. Reads only [start, end). The URI's allocation has @extra bytes
 * more for the caller (the address), at SIPWS_URI_ROOM_OFFSET;
 * @params_inline as for sipws_uri_parse_sip_simple(). */
G_ALWAYS_INLINE static inline SipwsUri *
sipws_uri_parse_bracketed (SipwsArena  *arena,
                           const char  *start,
                           char        *out,
                           const char  *p,
                           const char  *end,
                           const char **uri_end,
                           gboolean     params_inline,
                           gsize        extra)
{
  const char *at, *gt = sipws_uri_find_at_and_gt (start, p + 4, end, &at);

  if (gt == NULL)
    return NULL;
  *uri_end = gt;
  return sipws_uri_parse_sip_simple (arena, start, out, p + 4, gt, at, TRUE, params_inline, extra);
}

G_END_DECLS
