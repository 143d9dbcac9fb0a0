/* sipws-via.c: one Via hop */
#include <string.h>

#include "sipws-via-private.h"
#include "sipws-error.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"

/* The parameters with a meaning of their own. */
typedef enum {
  KNOWN_BRANCH,
  KNOWN_RECEIVED,
  KNOWN_RPORT,
  KNOWN_TTL,
  KNOWN_MADDR,
  N_KNOWN
} KnownParam;

/* A hop, its strings and its parameters are in one arena: the message it
 * was parsed from, or an arena of its own. The known parameters are decoded
 * once, when the hop is parsed or a parameter set, so that the getters the
 * transaction layer calls on every message are plain loads. */
struct _SipwsVia {
  SipwsArena      *arena;
  const char      *protocol_name;
  const char      *protocol_version;
  const char      *transport;       /* upper-cased */
  const char      *host;            /* IPv6 without brackets */
  const char      *branch;          /* the value of each known parameter, NULL when absent */
  const char      *received;
  const char      *maddr;
  SipwsParams      params;
  gint32           rport;           /* -1 when absent, 0 without a value */
  gint16           ttl;             /* -1 when absent */
  guint16          port;            /* 0 when absent */
  gboolean         magic_cookie;    /* branch is z9hG4bK and more */
};

G_DEFINE_BOXED_TYPE (SipwsVia, sipws_via, sipws_via_ref, sipws_via_unref)

/* Parses a decimal number of at most @max; FALSE when [p, end) is empty, has
 * a non-digit or is larger. */
static gboolean
parse_number (const char *p,
              const char *end,
              guint       max,
              guint      *out)
{
  guint64 value;

  if (sipws_scan_number (p, end, max, &value) != end || p == end || value > max)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

static gboolean
is_host (const char *p,
         const char *end)
{
  SipwsScanHost kind;

  if (end - p >= 2 && *p == '[' && end[-1] == ']')
    return sipws_scan_is_ipv6 (p + 1, end - 1);
  return sipws_scan_host (p, end, &kind) == end && (kind == SIPWS_SCAN_HOST_NAME || kind == SIPWS_SCAN_HOST_IPV4);
}

static gboolean
is_ip_address (const char *s,
               const char *end)
{
  if (end - s >= 2 && *s == '[' && end[-1] == ']')
    return sipws_scan_is_ipv6 (s + 1, end - 1);
  return sipws_scan_is_ipv4 (s, end) || sipws_scan_is_ipv6 (s, end);
}

static gint
known_param (const char *name,
             gsize       len)
{
  /* The length and the first letter pick the one name to compare against;
   * a parameter name is a token. */
  switch (len)
    {
    case 3:
      return sipws_scan_token_equal_folded (name, "ttl", 3) ? KNOWN_TTL : -1;
    case 5:
      if ((name[0] | 0x20) == 'r')
        return sipws_scan_token_equal_folded (name, "rport", 5) ? KNOWN_RPORT : -1;
      return sipws_scan_token_equal_folded (name, "maddr", 5) ? KNOWN_MADDR : -1;
    case 6:
      return sipws_scan_token_equal_folded (name, "branch", 6) ? KNOWN_BRANCH : -1;
    case 8:
      return sipws_scan_token_equal_folded (name, "received", 8) ? KNOWN_RECEIVED : -1;
    default:
      return -1;
    }
}

/* What is wrong with the value of a parameter that RFC 3261 §20.42 or RFC
 * 3581 gives a grammar, or NULL; extension parameters are generic-params,
 * valid once they parse. The value of rport and ttl goes to *@number. */
static const char *
check_param (KnownParam  which,
             const char *value,
             gboolean    quoted,
             gboolean    token,
             guint      *number)
{
  const char *end;

  if (which == KNOWN_BRANCH)
    return value == NULL || quoted || !token ? "branch must be a token" : NULL;

  end = value != NULL ? value + strlen (value) : NULL;
  switch (which)
    {
    case KNOWN_RECEIVED:
      if (value == NULL || quoted || !is_ip_address (value, end))
        return "received must be an IP address";
      return NULL;
    case KNOWN_RPORT:
      if (value != NULL && (quoted || !parse_number (value, end, 65535, number) || *number == 0))
        return "rport must be a port number from 1 to 65535";
      return NULL;
    case KNOWN_TTL:
      if (value == NULL || quoted || !parse_number (value, end, 255, number))
        return "ttl must be a number from 0 to 255";
      return NULL;
    case KNOWN_MADDR:
      if (value == NULL || quoted || !is_host (value, end))
        return "maddr must be a host";
      return NULL;
    case KNOWN_BRANCH:
    case N_KNOWN:
    default:
      g_assert_not_reached ();
    }
}

/* RFC 3261 §8.1.1.7: the cookie and something after it. */
static inline gboolean
is_rfc3261_branch (const char *branch,
                   gsize       len)
{
  return len > strlen (SIPWS_VIA_MAGIC_COOKIE) &&
         memcmp (branch, SIPWS_VIA_MAGIC_COOKIE, strlen (SIPWS_VIA_MAGIC_COOKIE)) == 0;
}

/* Checks the known parameters and decodes the first of each, so the
 * getters cost no lookup. Error columns point at the parameters. */
static gboolean
index_params (SipwsVia    *self,
              const char  *start,
              const char  *params_start,
              GError     **error)
{
  guint seen = 0;

  self->branch = self->received = self->maddr = NULL;
  self->rport = -1;
  self->ttl = -1;
  self->magic_cookie = FALSE;

  for (guint i = 0; i < self->params.len; i++)
    {
      const SipwsParam *param = &self->params.items[i];
      gint k = known_param (param->name, param->name_len);
      const char *what;
      guint number = 0;

      if (k < 0 || (seen & (1u << k)) != 0)
        continue;
      what = check_param (k, param->value, param->quoted, param->token, &number);
      if (what != NULL)
        {
          sipws_scan_set_error (error, start, params_start, "invalid Via parameter: %s", what);
          return FALSE;
        }
      seen |= 1u << k;
      switch ((KnownParam) k)
        {
        case KNOWN_BRANCH:
          self->branch = param->value;
          self->magic_cookie = is_rfc3261_branch (param->value, strlen (param->value));
          break;
        case KNOWN_RECEIVED:
          self->received = param->value;
          break;
        case KNOWN_RPORT:
          self->rport = (gint32) number;
          break;
        case KNOWN_TTL:
          self->ttl = (gint16) number;
          break;
        case KNOWN_MADDR:
          self->maddr = param->value;
          break;
        case N_KNOWN:
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

static const char *
expect_slash (const char  *start,
              const char  *p,
              const char  *end,
              GError     **error)
{
  p = sipws_scan_skip_lws (p, end);
  if (p >= end || *p != '/')
    {
      sipws_scan_set_error (error, start, p, "expected '/' in the Via sent-protocol");
      return NULL;
    }
  return sipws_scan_skip_lws (p + 1, end);
}

/* The transport of a hop that starts "SIP/2.0/" at @t - 8, when it is one
 * RFC 3261 or RFC 7118 names, in any case, followed by one SP and something
 * more: the transport in upper case, and where the sent-by starts in
 * *@host. NULL for any other transport or spacing. Reads nothing at or past
 * @end. */
static inline const char *
known_transport (const char  *t,
                 const char  *end,
                 const char **host)
{
  gsize n = end - t;

  /* Transports are letters, and over letters "| 0x20" is exactly ASCII
   * lower case; the blank is checked on its own (a NUL would fold to it). */
  if (n >= 5 && t[3] == ' ')
    {
      guint32 w = sipws_scan_load4 (t) | 0x20202020u;

      *host = t + 4;
      if (w == sipws_scan_load4 ("wss "))
        return "WSS";
      if (w == sipws_scan_load4 ("udp "))
        return "UDP";
      if (w == sipws_scan_load4 ("tcp "))
        return "TCP";
      if (w == sipws_scan_load4 ("tls "))
        return "TLS";
      return NULL;
    }
  if (n >= 4 && t[2] == ' ')
    {
      *host = t + 3;
      return (guint16) (sipws_scan_load2 (t) | 0x2020u) == sipws_scan_load2 ("ws") ? "WS" : NULL;
    }
  if (n >= 6 && t[4] == ' ')
    {
      *host = t + 5;
      return (sipws_scan_load4 (t) | 0x20202020u) == sipws_scan_load4 ("sctp") ? "SCTP" : NULL;
    }
  return NULL;
}

/* The end of the sent-by host at @p when it is a host name or an IPv4
 * address, NULL otherwise. A host shorter than 32 bytes with 32 bytes to
 * read is told here, without a call, by the rules sipws_scan_host()
 * applies: a run of digits and dots is an IPv4 address or nothing (its
 * deciding label starts with a digit or is empty), any other run a host
 * name or nothing. */
static inline const char *
sent_by_host (const char *p,
              const char *end)
{
  SipwsScanHost kind;
  const char *q;

#ifdef SIPWS_SIMD_SSE2
  if (end - p >= 32)
    {
      __m128i v = sipws_simd_load (p);
      guint digit, dot, dash, digit1, dot1, dash1, r, run;

      r = sipws_scan_host_masks (v, &digit, &dot, &dash);
      if (r != 0xFFFF)
        {
          /* the run ends in the first 16 bytes, an IPv4 address among them */
          run = r & ~(r + 1);
          dot &= run;
          if ((run & ~(digit | dot)) == 0)
            return sipws_scan_ipv4_masks (p, v, 0, run, digit, dot) ? p + __builtin_ctz (r + 1) : NULL;
          return sipws_scan_hostname_masks (run, digit, dot, dash) ? p + __builtin_ctz (r + 1) : NULL;
        }
      r |= sipws_scan_host_masks (sipws_simd_load (p + 16), &digit1, &dot1, &dash1) << 16;
      run = r & ~(r + 1);
      if (r != G_MAXUINT32)
        return sipws_scan_hostname_masks (run, digit | digit1 << 16, (dot | dot1 << 16) & run, dash | dash1 << 16)
               ? p + __builtin_ctz (r + 1) : NULL;
    }
#endif
  q = sipws_scan_host (p, end, &kind);
  return kind == SIPWS_SCAN_HOST_NAME || kind == SIPWS_SCAN_HOST_IPV4 ? q : NULL;
}

/* The end of the IPv4 address at @p, the value of received=, or NULL. What
 * follows it is for the caller to check: a host-name byte there would
 * make the host longer and no IPv4 address. Most are the last value of
 * the hop: the 16 bytes that end at @end are read then, when the text
 * from @start has them, without putting shorter loads together. */
static inline const char *
received_ipv4 (const char *start,
               const char *p,
               const char *end)
{
#ifdef SIPWS_SIMD_SSE2
  guint shift = 0, digit, dot, r, run;
  __m128i v;

  if (end - p < 16 && end - start >= 16)
    {
      v = sipws_simd_load (end - 16);
      shift = 16 - (end - p);
    }
  else
    v = sipws_scan_load_upto16 (p, end);
  digit = sipws_scan_digit_mask (v) >> shift;
  dot = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, _mm_set1_epi8 ('.'))) >> shift;
  r = digit | dot;
  run = r & ~(r + 1);
  return sipws_scan_ipv4_masks (p, v, shift, run, digit, dot & run) ? p + __builtin_ctz (r + 1) : NULL;
#else
  SipwsScanHost kind;
  const char *q = sipws_scan_host (p, end, &kind);

  (void) start;
  return kind == SIPWS_SCAN_HOST_IPV4 ? q : NULL;
#endif
}

/* sipws_scan_token (p, end) for a branch after its cookie: mostly letters
 * and digits up to a ';' or the end, found in one read of 16 bytes at
 * most (the bytes past @end read as NUL, which stops the letters and
 * digits there). */
G_ALWAYS_INLINE static inline const char *
branch_end (const char *p,
            const char *end)
{
#ifdef SIPWS_SIMD_SSE2
  const char *q = p + __builtin_ctz (sipws_scan_not_alnum_mask_of (sipws_scan_load_upto16 (p, end)) | 0x10000);

  if (q >= end)
    return end;
  if (!sipws_scan_is (*q, SIPWS_CC_TOKEN))
    return q;
  p = q;
#endif
  return sipws_scan_token (p, end);
}

/* The end of the port number at @p, 1 to 65535 in 1 to 5 digits, with
 * its value in *@value; NULL otherwise (more digits, leading zeros, are
 * for the general parser). With 8 bytes to read, all digits are found and
 * added up at once, in the bytes of one word (byte i for p[i]). */
static inline const char *
short_port (const char *p,
            const char *end,
            guint      *value)
{
  const char *q, *digits_end;
  guint number = 0;

  if (end - p >= 8)
    {
      guint64 d = GUINT64_FROM_LE (sipws_scan_load8 (p)) - G_GUINT64_CONSTANT (0x3030303030303030);
      /* the high bit of each byte that is no digit, exact up to the first
       * (no borrow or carry below it) */
      guint64 stop = (d | (d + G_GUINT64_CONSTANT (0x7676767676767676))) & G_GUINT64_CONSTANT (0x8080808080808080);
      guint len = stop != 0 ? (guint) __builtin_ctzll (stop) / 8 : 8;

      if (len == 0 || len > 5)
        return NULL;
      /* the digits to the top bytes, below them zeros: leading zeros of
       * an 8-digit number whose first digit is byte 0; pairs, then fours,
       * then all eight */
      d <<= 8 * (8 - len);
      d = (d * 10 + (d >> 8)) & G_GUINT64_CONSTANT (0x00FF00FF00FF00FF);
      d = (d * 100 + (d >> 16)) & G_GUINT64_CONSTANT (0x0000FFFF0000FFFF);
      d = (d * 10000 + (d >> 32)) & G_GUINT64_CONSTANT (0xFFFFFFFF);
      if (d == 0 || d > G_MAXUINT16)
        return NULL;
      *value = (guint) d;
      return p + len;
    }
  digits_end = end - p > 5 ? p + 5 : end;
  for (q = p; q < digits_end && (guchar) (*q - '0') <= 9; q++)
    number = number * 10 + (guint) (*q - '0');
  if (q == p || number == 0 || number > G_MAXUINT16 || (q < end && (guchar) (*q - '0') <= 9))
    return NULL;
  *value = number;
  return q;
}

/* The hop as user agents and proxies write it: "SIP/2.0/" and a known
 * transport, one SP, a host name or IPv4 address, an optional port, then
 * only branch, rport and received parameters, each at most once, without
 * blanks, quotes or brackets. It reads the text once, checks each known
 * value as it goes and fills in the hop in room it reserves in the arena,
 * which it takes only once the whole hop is read. The strings' NULs are
 * written as it goes, each once the byte it replaces is known to end the
 * host, to be the ';' before a parameter or the '=' after a known name:
 * where any parse of the text ends a string (or, after a port, none), so
 * that they can stay. Anything else, valid or not, makes it return NULL having taken
 * nothing and written only such NULs: the general parser then reads the
 * hop from its start, with the same results and the precise errors. */
G_ALWAYS_INLINE static inline SipwsVia *
parse_common (SipwsArena *arena,
              const char *start,
              char       *out,
              const char *p,
              const char *end)
{
  const char *transport, *host, *host_end, *q;
  guint n = 0, port = 0;
  SipwsParam *items;
  SipwsVia *self;

  if (end - p <= 8 || sipws_scan_load8 (p) != sipws_scan_load8 ("SIP/2.0/"))
    return NULL;
  transport = known_transport (p + 8, end, &host);
  if (transport == NULL)
    return NULL;
  host_end = sent_by_host (host, end);
  if (host_end == NULL)
    return NULL;
  q = host_end;
  if (q < end && *q == ':' && (q = short_port (q + 1, end, &port)) == NULL)
    return NULL;

  /* each known parameter at most once: room for three */
  self = sipws_arena_reserve_aligned (arena, sizeof (SipwsVia) + 3 * sizeof (SipwsParam));
  items = (SipwsParam *) (self + 1);
  /* the fields known so far, out of the registers the parameters need */
  self->arena = arena;
  self->protocol_name = "SIP";
  self->protocol_version = "2.0";
  self->transport = transport;
  self->host = sipws_scan_mirror_string (start, out, host, host_end);
  self->port = (guint16) port;
  self->ttl = -1;
  self->branch = self->received = self->maddr = NULL;
  self->rport = -1;
  self->magic_cookie = FALSE;

  while (q < end)
    {
      const char *name = q + 1, *v;
      gsize left = end - name;
      SipwsParam *item = &items[n];

      /* after all three, any parameter is a repeated or an unknown one */
      if (*q != ';' || n == 3)
        return NULL;
      /* the end of the value before, or of nothing */
      *sipws_scan_mirror (start, out, q) = '\0';
      /* The names are letters: see known_transport(). The byte after a
       * name is compared as it is. A repeated name is an error for the
       * general parser to report. */
      if (left >= 8 && (sipws_scan_load4 (name) | 0x20202020u) == sipws_scan_load4 ("bran") &&
          (guint16) (sipws_scan_load2 (name + 4) | 0x2020u) == sipws_scan_load2 ("ch") && name[6] == '=')
        {
          if (self->branch != NULL)
            return NULL;
          v = name + 7;
          *sipws_scan_mirror (start, out, name + 6) = '\0';
          /* the cookie is token characters */
          if (end - v > 7 && sipws_scan_load4 (v) == sipws_scan_load4 (SIPWS_VIA_MAGIC_COOKIE) &&
              sipws_scan_load4 (v + 3) == sipws_scan_load4 (&SIPWS_VIA_MAGIC_COOKIE[3]))
            {
              q = branch_end (v + 7, end);
              self->magic_cookie = q > v + 7;
            }
          else
            {
              q = sipws_scan_token (v, end);
              if (q == v)
                return NULL;
            }
          *item = (SipwsParam) {
            .name = sipws_scan_mirror (start, out, name),
            .value = self->branch = sipws_scan_mirror (start, out, v),
            .name_len = 6,
            .token = TRUE,
          };
        }
      else if (left >= 9 &&
               (sipws_scan_load8 (name) | G_GUINT64_CONSTANT (0x2020202020202020)) == sipws_scan_load8 ("received") &&
               name[8] == '=')
        {
          if (self->received != NULL)
            return NULL;
          *sipws_scan_mirror (start, out, name + 8) = '\0';
          q = received_ipv4 (start, name + 9, end);
          if (q == NULL)
            return NULL;
          *item = (SipwsParam) {
            .name = sipws_scan_mirror (start, out, name),
            .value = self->received = sipws_scan_mirror (start, out, name + 9),
            .name_len = 8,
            .token = TRUE,
          };
        }
      else if (left >= 5 && (sipws_scan_load4 (name) | 0x20202020u) == sipws_scan_load4 ("rpor") &&
               (name[4] | 0x20) == 't')
        {
          guint number = 0;

          if (self->rport >= 0)
            return NULL;
          q = name + 5;
          v = NULL;
          if (q < end && *q == '=')
            {
              *sipws_scan_mirror (start, out, q) = '\0';
              v = q + 1;
              q = short_port (v, end, &number);
              if (q == NULL)
                return NULL;
              v = sipws_scan_mirror (start, out, v);
            }
          self->rport = (gint32) number;
          *item = (SipwsParam) {
            .name = sipws_scan_mirror (start, out, name),
            .value = v,
            .name_len = 5,
            .token = v != NULL,
          };
        }
      else
        return NULL;
      n++;
    }

  sipws_arena_commit (arena, (const char *) (items + n));
  self->params.items = items;
  self->params.len = self->params.capacity = n;
  *sipws_scan_mirror (start, out, end) = '\0';
  return self;
}

static SipwsVia *
parse_general (SipwsArena  *arena,
               const char  *start,
               char        *out,
               const char  *p,
               const char  *end,
               GError     **error)
{
  const char *name, *name_end, *version, *version_end, *transport, *transport_end;
  const char *host, *host_end, *params_start;
  SipwsVia *self;
  guint64 port = 0;
  gboolean host_ok;
  char *o;
  gsize i;

  name = sipws_scan_skip_lws (p, end);
  if (end - name > 8 && memcmp (name, "SIP/2.0/", 8) == 0)
    {
      /* what every hop says, in one compare */
      name_end = name + 3;
      version = name + 4;
      version_end = name + 7;
      transport = sipws_scan_skip_lws (name + 8, end);
    }
  else
    {
      name_end = sipws_scan_token (name, end);
      if (name_end == name)
        {
          sipws_scan_set_error (error, start, name, "expected the Via protocol name");
          return NULL;
        }
      if ((version = expect_slash (start, name_end, end, error)) == NULL)
        return NULL;
      version_end = sipws_scan_token (version, end);
      if (version_end == version)
        {
          sipws_scan_set_error (error, start, version, "expected the Via protocol version");
          return NULL;
        }
      if ((transport = expect_slash (start, version_end, end, error)) == NULL)
        return NULL;
    }
  transport_end = sipws_scan_token (transport, end);
  if (transport_end == transport)
    {
      sipws_scan_set_error (error, start, transport, "expected the Via transport");
      return NULL;
    }

  host = sipws_scan_skip_lws (transport_end, end);
  if (host == transport_end)
    {
      sipws_scan_set_error (error, start, host, "expected a blank before the Via sent-by");
      return NULL;
    }
  if (host < end && *host == '[')
    {
      host_end = memchr (host, ']', end - host);
      host_end = host_end != NULL ? host_end + 1 : end;
      host_ok = is_host (host, host_end);
    }
  else
    {
      SipwsScanHost kind;

      host_end = sipws_scan_host (host, end, &kind);
      host_ok = kind == SIPWS_SCAN_HOST_NAME || kind == SIPWS_SCAN_HOST_IPV4;
    }
  if (!host_ok)
    {
      sipws_scan_set_error (error, start, host, "invalid Via sent-by host");
      return NULL;
    }

  p = sipws_scan_skip_lws (host_end, end);
  if (p < end && *p == ':')
    {
      const char *digits = sipws_scan_skip_lws (p + 1, end);
      const char *digits_end = sipws_scan_number (digits, end, G_MAXUINT16, &port);

      if (digits_end == digits || port > G_MAXUINT16 || port == 0)
        {
          sipws_scan_set_error (error, start, digits, "invalid Via sent-by port");
          return NULL;
        }
      p = digits_end;
    }
  else
    p = host_end;

  params_start = p;
  self = sipws_arena_alloc (arena, sizeof (SipwsVia));
  self->arena = arena;
  self->port = (guint16) port;
  sipws_params_init (&self->params);

  self->protocol_name = sipws_scan_mirror_string (start, out, name, name_end);
  self->protocol_version = sipws_scan_mirror_string (start, out, version, version_end);
  o = sipws_scan_mirror (start, out, transport);
  for (i = 0; i < (gsize) (transport_end - transport); i++)
    o[i] = transport[i] >= 'a' && transport[i] <= 'z' ? transport[i] - ('a' - 'A') : transport[i];
  o[i] = '\0';
  self->transport = o;
  if (*host == '[')
    self->host = sipws_scan_mirror_string (start, out, host + 1, host_end - 1);
  else
    self->host = sipws_scan_mirror_string (start, out, host, host_end);

  if (!sipws_params_parse (&self->params, arena, SIPWS_PARAMS_HEADER, start, out, &p, end, error) ||
      !index_params (self, start, params_start, error))
    return NULL;

  p = sipws_scan_skip_lws (p, end);
  if (p < end)
    {
      sipws_scan_set_error (error, start, p, "unexpected '%c' in Via", *p);
      return NULL;
    }
  return self;
}

SipwsVia *
sipws_via_parse_simple (SipwsArena  *arena,
                        const char  *start,
                        char        *out,
                        const char  *p,
                        const char  *end)
{
  return parse_common (arena, start, out, p, end);
}

SipwsVia *
sipws_via_parse_range (SipwsArena  *arena,
                       const char  *start,
                       char        *out,
                       const char  *p,
                       const char  *end,
                       GError     **error)
{
  SipwsVia *self = parse_common (arena, start, out, p, end);

  return self != NULL ? self : parse_general (arena, start, out, p, end, error);
}

/* A hop in an arena of its own, with room for its text and a few
 * parameters (the arena grows when that is short). */
static SipwsVia *
parse_standalone (const char  *str,
                  gsize        len,
                  GError     **error)
{
  SipwsArena *arena = sipws_arena_new (sizeof (SipwsVia) + len + 1 + MIN (len / 2, 8) * sizeof (SipwsParam) + 16);
  SipwsVia *self = sipws_via_parse_range (arena, str, sipws_arena_strndup (arena, str, len), str, str + len, error);

  if (self == NULL)
    sipws_arena_unref (arena);
  return self;
}

/**
 * sipws_via_parse:
 * @str: (array length=len) (element-type guint8): the text of one via-parm,
 *   such as `SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;rport`
 * @len: the length of @str, or -1 when it is NUL-terminated
 * @error: return location for a %SIPWS_ERROR_PARSE error
 *
 * Parses one Via hop. A Via header holding several comma-separated hops is
 * split by [method@Sipws.Message.get_vias].
 *
 * Returns: (transfer full) (nullable): the hop, or %NULL with @error set
 */
SipwsVia *
sipws_via_parse (const char  *str,
                 gssize       len,
                 GError     **error)
{
  g_return_val_if_fail (str != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (str);
  return parse_standalone (str, len, error);
}

/**
 * sipws_via_new:
 * @transport: the transport token, such as `WSS`
 * @host: the sent-by host (an IPv6 address with or without brackets)
 * @port: the sent-by port, or 0 to leave it out
 * @branch: (nullable): the branch parameter, normally starting with
 *   %SIPWS_VIA_MAGIC_COOKIE
 *
 * Creates a `SIP/2.0` hop, as a user agent puts at the top of a request.
 *
 * Returns: (transfer full): the new hop
 */
SipwsVia *
sipws_via_new (const char *transport,
               const char *host,
               guint16     port,
               const char *branch)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  SipwsVia *self;

  g_return_val_if_fail (transport != NULL && sipws_scan_is_token (transport, strlen (transport)), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (branch == NULL || sipws_scan_is_token (branch, strlen (branch)), NULL);

  text = g_string_new ("SIP/2.0/");
  g_string_append (text, transport);
  g_string_append_c (text, ' ');
  if (strchr (host, ':') != NULL && host[0] != '[')
    g_string_append_printf (text, "[%s]", host);
  else
    g_string_append (text, host);
  if (port != 0)
    g_string_append_printf (text, ":%u", port);
  if (branch != NULL)
    g_string_append_printf (text, ";branch=%s", branch);

  self = parse_standalone (text->str, text->len, &error);
  if (self == NULL)
    g_critical ("sipws_via_new: invalid hop '%s': %s", text->str, error->message);
  return self;
}

/**
 * sipws_via_ref:
 * @self: a hop
 *
 * Adds a reference. A hop of a parsed message shares the message's memory:
 * the reference keeps that memory, not the message object, alive.
 *
 * Returns: (transfer full): @self
 */
SipwsVia *
sipws_via_ref (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  sipws_arena_ref (self->arena);
  return self;
}

/**
 * sipws_via_unref:
 * @self: (transfer full): a hop
 *
 * Drops a reference; the hop is freed with the last one.
 */
void
sipws_via_unref (SipwsVia *self)
{
  g_return_if_fail (self != NULL);

  sipws_arena_unref (self->arena);
}

/**
 * sipws_via_get_protocol_name:
 * @self: a hop
 *
 * Gets the protocol name of the hop's sent-protocol (the `SIP` of
 * `SIP/2.0/WSS`), as written.
 *
 * Returns: the protocol name, `SIP` in practice
 */
const char *
sipws_via_get_protocol_name (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->protocol_name;
}

/**
 * sipws_via_get_protocol_version:
 * @self: a hop
 *
 * Gets the protocol version of the hop's sent-protocol (the `2.0` of
 * `SIP/2.0/WSS`), as written.
 *
 * Returns: the protocol version, `2.0` in practice
 */
const char *
sipws_via_get_protocol_version (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->protocol_version;
}

/**
 * sipws_via_get_transport:
 * @self: a hop
 *
 * Gets the transport the element that added this hop sent the request over; a
 * response goes back over the same one (RFC 3261 §18.2.2). SIP over WebSocket
 * uses `WS` and `WSS` (RFC 7118).
 *
 * Returns: the transport in upper case (`WSS`, `WS`, `UDP`, `TCP`, `TLS`,
 *   `SCTP` or an extension token)
 */
const char *
sipws_via_get_transport (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->transport;
}

/**
 * sipws_via_get_host:
 * @self: a hop
 *
 * Gets the host of the sent-by: where the element that added this hop wants
 * its responses, unless `received` and `rport` say where the request really
 * came from (RFC 3261 §18.2.2, RFC 3581). A WebSocket client often puts an
 * invented `.invalid` name here (RFC 7118 §5).
 *
 * Returns: the sent-by host; an IPv6 address comes without brackets
 */
const char *
sipws_via_get_host (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

/**
 * sipws_via_get_port:
 * @self: a hop
 *
 * Gets the port of the sent-by. When the hop has none, responses go to the
 * default port of its transport (RFC 3261 §18.2.2).
 *
 * Returns: the sent-by port, or 0 when the hop has none
 */
guint16
sipws_via_get_port (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

/**
 * sipws_via_get_branch:
 * @self: a hop
 *
 * Gets the `branch` parameter, the transaction identifier (RFC 3261 §8.1.1.7):
 * an RFC 3261 peer starts it with the magic cookie %SIPWS_VIA_MAGIC_COOKIE
 * (`z9hG4bK`), which [method@Sipws.Via.has_magic_cookie] checks. An RFC 2543
 * peer may send no branch at all.
 *
 * Returns: (nullable): the branch parameter
 */
const char *
sipws_via_get_branch (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->branch;
}

/**
 * sipws_via_has_magic_cookie:
 * @self: a hop
 *
 * Whether the branch is an RFC 3261 transaction identifier: it starts with
 * %SIPWS_VIA_MAGIC_COOKIE and has more after it. A branch that is exactly
 * the cookie (RFC 4475 §3.2.1) identifies nothing, so the transaction must
 * be matched the RFC 2543 way.
 *
 * Returns: %TRUE for an RFC 3261 branch
 */
gboolean
sipws_via_has_magic_cookie (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->magic_cookie;
}

/**
 * sipws_via_get_received:
 * @self: a hop
 *
 * Gets the `received` parameter: the source IP address a server saw the
 * request come from, which it adds when that differs from the sent-by host
 * (RFC 3261 §18.2.1). It is always an IP address, checked on parsing; an IPv6
 * one comes as it was written.
 *
 * Returns: (nullable): the `received` address a server added
 */
const char *
sipws_via_get_received (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->received;
}

/**
 * sipws_via_get_rport:
 * @self: a hop
 *
 * The `rport` parameter of RFC 3581: a client puts it without a value to
 * ask for one, the server fills in the source port it saw.
 *
 * Returns: -1 when the hop has no `rport`, 0 when it has one without a
 *   value, the port otherwise
 */
gint
sipws_via_get_rport (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->rport;
}

/**
 * sipws_via_get_maddr:
 * @self: a hop
 *
 * Gets the `maddr` parameter: the address, usually multicast, that responses
 * are sent to instead of the sent-by (RFC 3261 §18.2.2). It is checked on
 * parsing to be a host.
 *
 * Returns: (nullable): the `maddr` parameter
 */
const char *
sipws_via_get_maddr (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->maddr;
}

/**
 * sipws_via_get_ttl:
 * @self: a hop
 *
 * Gets the `ttl` parameter: the time-to-live, 0 to 255, of a request sent over
 * multicast (RFC 3261 §18.2.1).
 *
 * Returns: the `ttl` parameter, or -1 when there is none
 */
gint
sipws_via_get_ttl (SipwsVia *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->ttl;
}

/**
 * sipws_via_has_param:
 * @self: a hop
 * @name: a parameter name (case-insensitive)
 *
 * Tells whether the hop has a parameter, including one without value such as
 * the `rport` a client sends to ask for its source port (RFC 3581), or an
 * extension such as `alias` (RFC 5923).
 *
 * Returns: whether the hop has the parameter, with or without a value
 */
gboolean
sipws_via_has_param (SipwsVia   *self,
                     const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return sipws_params_has (&self->params, name);
}

/**
 * sipws_via_get_param:
 * @self: a hop
 * @name: a parameter name (case-insensitive)
 *
 * Gets the first parameter of that name, extensions included. For `branch`,
 * `received`, `rport`, `maddr` and `ttl` the dedicated getters give checked,
 * typed values.
 *
 * Returns: (nullable): the value of the parameter (unquoted), or %NULL when
 *   it is absent or has no value
 */
const char *
sipws_via_get_param (SipwsVia   *self,
                     const char *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipws_params_get (&self->params, name);
}

/**
 * sipws_via_set_param:
 * @self: a hop that is not shared yet
 * @name: a parameter name (a token)
 * @value: (nullable): the value, or %NULL for a parameter without value such
 *   as `rport`
 *
 * Sets a parameter, replacing the first one of that name or appending it.
 * A value that does not fit a parameter RFC 3261 or RFC 3581 defines
 * (`branch`, `received`, `rport`, `ttl`, `maddr`) is a programming error:
 * it is refused with a critical warning.
 */
void
sipws_via_set_param (SipwsVia   *self,
                     const char *name,
                     const char *value)
{
  gint which;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  which = known_param (name, strlen (name));
  if (which >= 0)
    {
      guint number;
      const char *what = check_param (which, value, FALSE, value != NULL && sipws_scan_is_token (value, strlen (value)),
                                      &number);

      if (what != NULL)
        {
          g_critical ("sipws_via_set_param: %s", what);
          return;
        }
    }
  sipws_params_set (&self->params, self->arena, SIPWS_PARAMS_HEADER, name, value);
  if (!index_params (self, NULL, NULL, NULL))
    g_assert_not_reached ();
}

/**
 * sipws_via_to_string:
 * @self: a hop
 *
 * Writes the hop as one Via value: the sent-protocol, the sent-by (an IPv6
 * host in brackets, the port only when the hop has one), then the parameters
 * in order.
 *
 * Returns: (transfer full): the hop as it is written in a Via header
 */
char *
sipws_via_to_string (SipwsVia *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_sized_new (64);
  g_string_append_printf (out, "%s/%s/%s ", self->protocol_name, self->protocol_version, self->transport);
  if (strchr (self->host, ':') != NULL)
    g_string_append_printf (out, "[%s]", self->host);
  else
    g_string_append (out, self->host);
  if (self->port != 0)
    g_string_append_printf (out, ":%u", self->port);
  sipws_params_append (&self->params, SIPWS_PARAMS_HEADER, out);
  return g_string_free (out, FALSE);
}
