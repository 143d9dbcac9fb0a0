/* sipws-uri.c: SIP, SIPS and tel URIs */
#include <string.h>
#include <gio/gio.h>

#include "sipws-uri-private.h"
#include "sipws-error.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"

G_DEFINE_BOXED_TYPE (SipwsUri, sipws_uri, sipws_uri_ref, sipws_uri_unref)

/* The user, password, parameter and header values that compare equal may
 * differ in escaping: %HH of a character outside the reserved set is that
 * character (RFC 3261 §19.1.4). A "unit" is one character of such a string
 * after that normalisation: the byte, plus 0x100 when it stays escaped. */
typedef struct {
  const char *p;
  const char *end;
  gboolean wire;   /* the text as written (escapes present), else decoded */
  guint32 keep;    /* the characters that need no escape in this component */
} UnitIter;

static inline void
unit_iter_init (UnitIter   *iter,
                const char *decoded,
                gsize       decoded_len,
                const char *wire,
                guint32     keep)
{
  iter->wire = wire != NULL;
  iter->p = wire != NULL ? wire : decoded;
  iter->end = iter->p + (wire != NULL ? strlen (wire) : decoded_len);
  iter->keep = keep;
}

static inline gboolean
unit_next (UnitIter *iter,
           guint    *unit)
{
  guchar c;

  if (iter->p >= iter->end)
    return FALSE;

  c = *iter->p;
  if (iter->wire && c == '%' && iter->end - iter->p >= 3)
    {
      c = (guchar) (sipws_scan_hex_value (iter->p[1]) << 4 | sipws_scan_hex_value (iter->p[2]));
      iter->p += 3;
      *unit = c | (sipws_scan_is (c, SIPWS_CC_RESERVED) ? 0x100 : 0);
      return TRUE;
    }

  iter->p++;
  /* A decoded character is written escaped when it is outside @keep. */
  *unit = c | (!iter->wire && !sipws_scan_is (c, iter->keep) && sipws_scan_is (c, SIPWS_CC_RESERVED) ? 0x100 : 0);
  return TRUE;
}

static gboolean
units_equal (UnitIter *a,
             UnitIter *b,
             gboolean  caseless)
{
  for (;;)
    {
      guint ua = 0, ub = 0;
      gboolean more_a = unit_next (a, &ua);
      gboolean more_b = unit_next (b, &ub);

      if (more_a != more_b)
        return FALSE;
      if (!more_a)
        return TRUE;
      if (caseless && ua < 0x100 && ub < 0x100)
        {
          ua = (guint) g_ascii_tolower ((char) ua);
          ub = (guint) g_ascii_tolower ((char) ub);
        }
      if (ua != ub)
        return FALSE;
    }
}

static guint
units_hash (UnitIter *iter,
            guint     hash,
            gboolean  caseless)
{
  guint unit;

  while (unit_next (iter, &unit))
    {
      if (caseless && unit < 0x100)
        unit = (guint) g_ascii_tolower ((char) unit);
      hash = hash * 31 + unit;
    }
  return hash;
}

const char *const sipws_uri_scheme_names[] = {
  [SIPWS_URI_SCHEME_SIP] = "sip",
  [SIPWS_URI_SCHEME_SIPS] = "sips",
  [SIPWS_URI_SCHEME_TEL] = "tel",
};

static SipwsUriScheme
classify_scheme (const char *name,
                 gsize       len)
{
  /* Letters only, so OR-ing 0x20 lower-cases them and maps no other scheme
   * character onto one. */
  if (len == 3 && (name[0] | 0x20) == 's' && (name[1] | 0x20) == 'i' && (name[2] | 0x20) == 'p')
    return SIPWS_URI_SCHEME_SIP;
  if (len == 4 && (name[0] | 0x20) == 's' && (name[1] | 0x20) == 'i' && (name[2] | 0x20) == 'p' &&
      (name[3] | 0x20) == 's')
    return SIPWS_URI_SCHEME_SIPS;
  if (len == 3 && (name[0] | 0x20) == 't' && (name[1] | 0x20) == 'e' && (name[2] | 0x20) == 'l')
    return SIPWS_URI_SCHEME_TEL;
  return SIPWS_URI_SCHEME_OTHER;
}

static gboolean
unexpected (GError    **error,
            const char *start,
            const char *p,
            const char *end,
            const char *expected)
{
  char buf[SIPWS_SCAN_DESCRIBE_SIZE];

  sipws_scan_set_error (error, start, p, "expected %s, found %s", expected,
                        sipws_scan_describe (p, end, buf));
  return FALSE;
}


/* What a URI of @len bytes takes in an arena of its own, a few parameters
 * included; an arena grows when this is short. */
static gsize
arena_size_for (gsize len)
{
  return sizeof (SipwsUri) + len + 1 + MIN (len / 2, 8) * sizeof (SipwsParam) + 32;
}

static SipwsUri *
parse_sip (SipwsArena      *arena,
           SipwsUriScheme   scheme,
           const char      *start,
           char            *out,
           const char      *p,
           const char      *end,
           GError         **error)
{
  const char *user = NULL, *user_end = NULL, *password = NULL, *password_end = NULL;
  const char *host, *host_end, *q;
  gboolean ipv6 = FALSE, user_escaped = FALSE, password_escaped = FALSE;
  guint64 port = 0;
  SipwsUri *self;

  /* userinfo = ( user / telephone-subscriber ) [ ":" password ] "@": only an
   * '@' tells it apart from a host, and the user part may hold ';', '?'
   * and '/' (RFC 4475 semiuri). */
  q = sipws_scan_span_escaped (p, end, SIPWS_CC_USER_CHAR, &user_escaped);
  if (q < end && *q == '%')
    {
      /* No other part of a SIP URI may hold a '%' here. */
      sipws_scan_set_error (error, start, q, "invalid %%-escape in user part");
      return NULL;
    }
  if (q < end && *q == '@')
    {
      user = p;
      user_end = q;
    }
  else if (q < end && *q == ':')
    {
      const char *r = sipws_scan_span_escaped (q + 1, end, SIPWS_CC_PASSWD_CHAR, &password_escaped);

      if (r < end && *r == '%')
        {
          sipws_scan_set_error (error, start, r, "invalid %%-escape in password");
          return NULL;
        }
      if (r < end && *r == '@')
        {
          user = p;
          user_end = q;
          password = q + 1;
          password_end = r;
        }
    }
  if (user != NULL)
    {
      if (user == user_end)
        {
          sipws_scan_set_error (error, start, user, "empty user part before '@'");
          return NULL;
        }
      p = (password != NULL ? password_end : user_end) + 1;
    }

  if (p < end && *p == '[')
    {
      host = p + 1;
      host_end = memchr (host, ']', end - host);
      if (host_end == NULL)
        {
          sipws_scan_set_error (error, start, p, "unterminated IPv6 reference, expected ']'");
          return NULL;
        }
      if (!sipws_scan_is_ipv6 (host, host_end))
        {
          sipws_scan_set_error (error, start, host, "invalid IPv6 address");
          return NULL;
        }
      ipv6 = TRUE;
      p = host_end + 1;
    }
  else
    {
      SipwsScanHost kind;

      host = p;
      host_end = sipws_scan_host (p, end, &kind);
      if (host_end == host)
        {
          unexpected (error, start, p, end, "host");
          return NULL;
        }
      /* A host name's last label starts with a letter; a host made of digit
       * labels is meant as an IPv4 address. */
      if (kind == SIPWS_SCAN_HOST_BAD_NAME || kind == SIPWS_SCAN_HOST_BAD_IPV4)
        {
          sipws_scan_set_error (error, start, host, "invalid %s",
                                kind == SIPWS_SCAN_HOST_BAD_IPV4 ? "IPv4 address" : "host name");
          return NULL;
        }
      p = host_end;
    }

  if (p < end && *p == ':')
    {
      const char *digits = p + 1;

      q = sipws_scan_number (digits, end, G_MAXUINT16, &port);
      if (q == digits)
        {
          unexpected (error, start, digits, end, "port number after ':'");
          return NULL;
        }
      if (port > G_MAXUINT16)
        {
          sipws_scan_set_error (error, start, digits, "port number larger than 65535");
          return NULL;
        }
      if (port == 0)
        {
          sipws_scan_set_error (error, start, digits, "port 0 is not a valid port");
          return NULL;
        }
      p = q;
    }

  self = sipws_uri_new_in (arena, scheme);
  self->port = (guint16) port;
  self->host_is_ipv6 = ipv6;
  self->host = sipws_scan_mirror_string (start, out, host, host_end);
  if (user != NULL)
    {
      if (user_escaped)
        {
          char *decoded = sipws_scan_mirror (start, out, user);
          char *o = sipws_scan_decode_escapes (decoded, user, user_end - user);

          *o = '\0';
          self->user = decoded;
          self->user_len = o - decoded;
          self->user_wire = sipws_arena_strndup (arena, user, user_end - user);
        }
      else
        {
          self->user = sipws_scan_mirror_string (start, out, user, user_end);
          self->user_len = user_end - user;
        }
      if (password != NULL)
        self->password = sipws_scan_mirror_string (start, out, password, password_end);
    }

  if (p < end)
    {
      if (!sipws_params_parse (&self->params, arena, SIPWS_PARAMS_URI, start, out, &p, end, error))
        return NULL;
      if (p < end && *p == '?' &&
          !sipws_params_parse (&self->headers, arena, SIPWS_PARAMS_URI_HEADERS, start, out, &p, end, error))
        return NULL;
      if (p < end)
        {
          unexpected (error, start, p, end,
                      self->headers.len > 0 ? "'&' or the end of the URI" : "';', '?' or the end of the URI");
          return NULL;
        }
    }
  return self;
}


/* memchr (p, '@', end - p) without a call, which costs about as much as
 * the search in a URI of a few dozen bytes: 16 bytes a round of
 * [start, end), the last round ending at @end (a short URI, such as a
 * Request-URI after its method, is one read). */
G_ALWAYS_INLINE static inline const char *
find_at (const char *start,
         const char *p,
         const char *end)
{
#ifdef SIPWS_SIMD_SSE2
  if (end - start >= 16)
    {
      guint mask;

      for (; end - p > 16; p += 16)
        {
          mask = sipws_uri_byte_mask (p, '@');
          if (mask != 0)
            return p + sipws_simd_first (mask);
        }
      /* the last round ends at @end, its bytes before @p left out */
      mask = sipws_uri_byte_mask (end - 16, '@') >> (16 - (end - p));
      return mask != 0 ? p + sipws_simd_first (mask) : NULL;
    }
#endif
  for (; p < end; p++)
    if (*p == '@')
      return p;
  return NULL;
}

/* RFC 3966: "+" with at least one digit among visual separators for a
 * global number; hex digits, '*', '#' and separators for a local one. */
static const char *
scan_tel_number (const char *p,
                 const char *end,
                 gboolean   *has_digit)
{
  gboolean global = p < end && *p == '+';

  *has_digit = FALSE;
  if (global)
    p++;
  for (; p < end; p++)
    {
      if (sipws_scan_is (*p, global ? SIPWS_CC_DIGIT : SIPWS_CC_HEX) ||
          (!global && (*p == '*' || *p == '#')))
        *has_digit = TRUE;
      else if (!sipws_scan_is (*p, SIPWS_CC_TEL_VISUAL))
        break;
    }
  return p;
}

G_NO_INLINE static SipwsUri *
parse_tel (SipwsArena  *arena,
           const char  *start,
           char        *out,
           const char  *p,
           const char  *end,
           GError     **error)
{
  const char *number = p, *number_end;
  const char *context;
  gboolean has_digit;
  SipwsUri *self;

  number_end = scan_tel_number (p, end, &has_digit);
  if (!has_digit)
    {
      unexpected (error, start, number_end, end, "a telephone number");
      return NULL;
    }
  p = number_end;

  self = sipws_uri_new_in (arena, SIPWS_URI_SCHEME_TEL);
  self->user = sipws_scan_mirror_string (start, out, number, number_end);
  self->user_len = number_end - number;

  if (!sipws_params_parse (&self->params, arena, SIPWS_PARAMS_URI, start, out, &p, end, error))
    return NULL;
  if (p < end)
    {
      unexpected (error, start, p, end, "';' or the end of the URI");
      return NULL;
    }

  context = sipws_params_get (&self->params, "phone-context");
  if (*number != '+' && context == NULL)
    {
      sipws_scan_set_error (error, start, number, "a local tel: number needs a phone-context parameter");
      return NULL;
    }
  if (context != NULL)
    {
      const char *context_end = context + strlen (context);
      gboolean valid;

      if (*context == '+')
        valid = scan_tel_number (context, context_end, &has_digit) == context_end && has_digit;
      else
        valid = sipws_scan_is_hostname (context, context_end);
      if (!valid)
        {
          sipws_scan_set_error (error, start, number_end,
                                "phone-context must be a domain name or a global number");
          return NULL;
        }
    }
  if (sipws_params_has (&self->params, "ext"))
    {
      const char *ext = sipws_params_get (&self->params, "ext");
      const char *ext_end = ext != NULL ? ext + strlen (ext) : NULL;

      /* ext = 1*phonedigit: decimal digits among visual separators. */
      if (ext == NULL || sipws_scan_span (ext, ext_end, SIPWS_CC_DIGIT | SIPWS_CC_TEL_VISUAL) != ext_end ||
          sipws_scan_span (ext, ext_end, SIPWS_CC_TEL_VISUAL) == ext_end)
        {
          sipws_scan_set_error (error, start, number_end, "ext must be digits and visual separators");
          return NULL;
        }
    }
  return self;
}

G_NO_INLINE static SipwsUri *
parse_other (SipwsArena  *arena,
             const char  *start,
             char        *out,
             const char  *scheme,
             const char  *scheme_end,
             const char  *p,
             const char  *end,
             GError     **error)
{
  gboolean escaped = FALSE;
  const char *q = sipws_scan_span_escaped (p, end, SIPWS_CC_URIC, &escaped);
  SipwsUri *self;

  if (q < end && *q == '%')
    {
      sipws_scan_set_error (error, start, q, "invalid %%-escape");
      return NULL;
    }
  if (q == p)
    {
      unexpected (error, start, p, end, "URI text after the scheme");
      return NULL;
    }
  if (q < end)
    {
      unexpected (error, start, q, end, "URI characters");
      return NULL;
    }

  self = sipws_uri_new_in (arena, SIPWS_URI_SCHEME_OTHER);
  self->scheme_name = sipws_scan_mirror_string (start, out, scheme, scheme_end);
  self->opaque = sipws_scan_mirror_string (start, out, p, end);
  return self;
}

SipwsUri *
sipws_uri_parse_range (SipwsArena  *arena,
                       const char  *start,
                       char        *out,
                       const char  *p,
                       const char  *end,
                       GError     **error)
{
  const char *scheme = p, *scheme_end;
  SipwsUriScheme kind;

  /* nearly every URI */
  if (end - p >= 4 && sipws_scan_load4 (p) == sipws_scan_load4 ("sip:"))
    {
      SipwsUri *self = sipws_uri_parse_sip_simple (arena, start, out, p + 4, end, find_at (start, p + 4, end), FALSE, TRUE, 0);

      return self != NULL ? self : parse_sip (arena, SIPWS_URI_SCHEME_SIP, start, out, p + 4, end, error);
    }

  if (p >= end || !sipws_scan_is (*p, SIPWS_CC_ALPHA))
    {
      unexpected (error, start, p, end, "a URI scheme");
      return NULL;
    }
  scheme_end = sipws_scan_span (p, end, SIPWS_CC_SCHEME);
  if (scheme_end >= end || *scheme_end != ':')
    {
      unexpected (error, start, scheme_end, end, "':' after the URI scheme");
      return NULL;
    }
  p = scheme_end + 1;

  kind = classify_scheme (scheme, scheme_end - scheme);
  switch (kind)
    {
    case SIPWS_URI_SCHEME_SIP:
    case SIPWS_URI_SCHEME_SIPS:
      return parse_sip (arena, kind, start, out, p, end, error);
    case SIPWS_URI_SCHEME_TEL:
      return parse_tel (arena, start, out, p, end, error);
    case SIPWS_URI_SCHEME_OTHER:
    default:
      return parse_other (arena, start, out, scheme, scheme_end, p, end, error);
    }
}

/**
 * sipws_uri_parse:
 * @str: the URI text
 * @len: the length of @str in bytes, or -1 when it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses a `sip:`, `sips:` or `tel:` URI (RFC 3261 §19.1, RFC 3966), or any
 * other absolute URI, which is kept as opaque text. The whole of @str must be
 * the URI: blanks, `<` or `>` are errors.
 *
 * Returns: (transfer full): the URI, or %NULL with @error set to
 *   %SIPWS_ERROR_PARSE naming what was expected and at which column
 */
SipwsUri *
sipws_uri_parse (const char  *str,
                 gssize       len,
                 GError     **error)
{
  SipwsArena *arena;
  SipwsUri *self;

  g_return_val_if_fail (str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = strlen (str);
  arena = sipws_arena_new (arena_size_for (len));
  self = sipws_uri_parse_range (arena, str, sipws_arena_strndup (arena, str, len), str, str + len, error);
  if (self == NULL)
    sipws_arena_unref (arena);
  return self;
}

/**
 * sipws_uri_new:
 * @scheme: %SIPWS_URI_SCHEME_SIP, %SIPWS_URI_SCHEME_SIPS or %SIPWS_URI_SCHEME_TEL
 * @user: (nullable): the user part (unescaped), or the number of a `tel:` URI
 * @host: (nullable): the host (an IPv6 address with or without brackets);
 *   required for `sip:` and `sips:`, ignored for `tel:`
 * @port: the port, or 0 for none
 *
 * Creates a URI to complete with the setters before it is shared.
 *
 * Returns: (transfer full): a new URI
 */
SipwsUri *
sipws_uri_new (SipwsUriScheme  scheme,
               const char     *user,
               const char     *host,
               guint16         port)
{
  SipwsUri *self;

  g_return_val_if_fail (scheme != SIPWS_URI_SCHEME_OTHER, NULL);
  g_return_val_if_fail (scheme == SIPWS_URI_SCHEME_TEL ? user != NULL : host != NULL, NULL);

  self = sipws_uri_new_in (sipws_arena_new (arena_size_for (64)), scheme);
  sipws_uri_set_user (self, user);
  if (scheme != SIPWS_URI_SCHEME_TEL)
    {
      sipws_uri_set_host (self, host);
      self->port = port;
    }
  return self;
}

static const char *
opt_dup (SipwsArena *arena,
         const char *s)
{
  return s != NULL ? sipws_arena_strndup (arena, s, strlen (s)) : NULL;
}

SipwsUri *
sipws_uri_copy_in (SipwsArena *arena,
                   SipwsUri   *self)
{
  SipwsUri *copy = sipws_uri_new_in (arena, self->scheme);

  copy->port = self->port;
  copy->host_is_ipv6 = self->host_is_ipv6;
  copy->scheme_name = self->scheme == SIPWS_URI_SCHEME_OTHER ? opt_dup (arena, self->scheme_name)
                                                             : self->scheme_name;
  copy->opaque = opt_dup (arena, self->opaque);
  if (self->user != NULL)
    {
      copy->user = sipws_arena_strndup (arena, self->user, self->user_len);
      copy->user_len = self->user_len;
    }
  copy->user_wire = opt_dup (arena, self->user_wire);
  copy->password = opt_dup (arena, self->password);
  copy->host = opt_dup (arena, self->host);
  sipws_params_copy (&copy->params, arena, &self->params);
  sipws_params_copy (&copy->headers, arena, &self->headers);
  return copy;
}

/**
 * sipws_uri_copy:
 * @self: a URI
 *
 * Makes an independent copy, for instance to modify a shared URI.
 *
 * Returns: (transfer full): the copy
 */
SipwsUri *
sipws_uri_copy (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sipws_uri_copy_in (sipws_arena_new (arena_size_for (64)), self);
}

/**
 * sipws_uri_ref:
 * @self: a URI
 *
 * Adds a reference. A URI that is part of a parsed message (its Request-URI,
 * the URI of an address) shares the message's memory: the reference keeps
 * that memory, not the message object, alive.
 *
 * Returns: (transfer full): @self, with one more reference
 */
SipwsUri *
sipws_uri_ref (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  sipws_arena_ref (self->arena);
  return self;
}

/**
 * sipws_uri_unref:
 * @self: (transfer full): a URI
 *
 * Drops one reference; the last one frees the URI.
 */
void
sipws_uri_unref (SipwsUri *self)
{
  g_return_if_fail (self != NULL);

  sipws_arena_unref (self->arena);
}

/**
 * sipws_uri_get_scheme:
 * @self: a URI
 *
 * Gets the scheme as an enumeration. A URI of a scheme this library does not
 * parse is %SIPWS_URI_SCHEME_OTHER and keeps its text in
 * [method@Sipws.Uri.get_opaque].
 *
 * Returns: the scheme
 */
SipwsUriScheme
sipws_uri_get_scheme (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, SIPWS_URI_SCHEME_OTHER);

  return self->scheme;
}

/**
 * sipws_uri_get_scheme_name:
 * @self: a URI
 *
 * Gets the scheme as text, to write it or to tell apart the schemes that
 * %SIPWS_URI_SCHEME_OTHER groups together.
 *
 * Returns: "sip", "sips" or "tel" in lower case; for other schemes, the
 *   scheme as written
 */
const char *
sipws_uri_get_scheme_name (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->scheme_name;
}

/**
 * sipws_uri_get_user:
 * @self: a URI
 *
 * Gets the user part with its %-escapes decoded (`sip:%61lice@h` gives
 * "alice"), or the number of a `tel:` URI as written. A user part holding an
 * escaped NUL (`%00`) is cut there: use [method@Sipws.Uri.get_user_bytes].
 *
 * Returns: (nullable): the user, or %NULL when the URI has none
 */
const char *
sipws_uri_get_user (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->user;
}

/**
 * sipws_uri_get_user_bytes:
 * @self: a URI
 * @len: (out): the length of the user part in bytes
 *
 * Gets the decoded user part with its length, which counts escaped NULs.
 *
 * Returns: (nullable) (array length=len) (element-type guint8): the user, or
 *   %NULL when the URI has none
 */
const char *
sipws_uri_get_user_bytes (SipwsUri *self,
                          gsize    *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = self->user != NULL ? self->user_len : 0;
  return self->user;
}

/**
 * sipws_uri_has_password:
 * @self: a URI
 *
 * Tells whether the userinfo carries a password (`sip:user:secret@host`).
 * The password itself is never returned.
 *
 * Returns: %TRUE when there is a password
 */
gboolean
sipws_uri_has_password (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->password != NULL;
}

/**
 * sipws_uri_get_host:
 * @self: a URI
 *
 * Gets the host part of a SIP URI: a domain name, an IPv4 address or an IPv6
 * address. A `tel:` URI has no host; its number is the user part
 * ([method@Sipws.Uri.get_user]).
 *
 * Returns: (nullable): the host of a `sip:` or `sips:` URI, an IPv6 address
 *   without its brackets; %NULL for other schemes
 */
const char *
sipws_uri_get_host (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host;
}

/**
 * sipws_uri_get_port:
 * @self: a URI
 *
 * Gets the port of a SIP URI. Without one, the port comes from DNS (RFC 3263)
 * or the transport's default; a URI with an explicit `:5060` is not equal to
 * the same URI without it (RFC 3261 §19.1.4).
 *
 * Returns: the port, or 0 when the URI has none
 */
guint16
sipws_uri_get_port (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * sipws_uri_get_opaque:
 * @self: a URI
 *
 * Gets the text of a URI of a scheme this library does not parse
 * (`urn:uuid:…`, `http:…`), to compare it or write it back unchanged.
 *
 * Returns: (nullable): for %SIPWS_URI_SCHEME_OTHER, the text after the
 *   scheme's ':' as written; %NULL for the known schemes
 */
const char *
sipws_uri_get_opaque (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->opaque;
}

/**
 * sipws_uri_has_param:
 * @self: a URI
 * @name: a parameter name (case-insensitive)
 *
 * Tells whether the URI has a parameter. This is the way to test a flag such
 * as `lr` (a loose router, RFC 3261 §19.1.1) or `ob` (RFC 5626), for which
 * [method@Sipws.Uri.get_param] gives %NULL.
 *
 * Returns: whether the URI has the parameter, with or without a value
 */
gboolean
sipws_uri_has_param (SipwsUri   *self,
                     const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return sipws_params_find (&self->params, name) != NULL;
}

/**
 * sipws_uri_get_param:
 * @self: a URI
 * @name: a parameter name (case-insensitive)
 *
 * Gets the first URI parameter of that name (`;transport=ws`, `;user=phone`).
 * These belong to the URI, unlike the header parameters after the `>` of an
 * address.
 *
 * Returns: (nullable): the value with %-escapes decoded; %NULL when the
 *   parameter is absent or has no value (such as `lr`)
 */
const char *
sipws_uri_get_param (SipwsUri   *self,
                     const char *name)
{
  const SipwsParam *param;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  param = sipws_params_find (&self->params, name);
  return param != NULL ? param->value : NULL;
}

/**
 * sipws_uri_get_param_names:
 * @self: a URI
 *
 * Lists the URI parameters, with their names as written (not case-folded) and
 * a repeated name once per occurrence, to walk unknown ones with
 * [method@Sipws.Uri.get_param].
 *
 * Returns: (transfer full) (array zero-terminated=1): the parameter names in
 *   order of appearance
 */
char **
sipws_uri_get_param_names (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sipws_params_dup_names (&self->params);
}

/**
 * sipws_uri_get_header:
 * @self: a URI
 * @name: a header name (case-insensitive)
 *
 * Gets a header of the URI (`sip:a@b?Subject=hi%20there`).
 *
 * Returns: (nullable): the value with %-escapes decoded, or %NULL when absent
 */
const char *
sipws_uri_get_header (SipwsUri   *self,
                      const char *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return sipws_params_get (&self->headers, name);
}

/**
 * sipws_uri_get_header_names:
 * @self: a URI
 *
 * Lists the headers of the URI (after the `?`, RFC 3261 §19.1.1), with their
 * names as written, to read them with [method@Sipws.Uri.get_header].
 *
 * Returns: (transfer full) (array zero-terminated=1): the header names in
 *   order of appearance
 */
char **
sipws_uri_get_header_names (SipwsUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sipws_params_dup_names (&self->headers);
}

/**
 * sipws_uri_set_user:
 * @self: a URI not shared yet
 * @user: (nullable): the user part, unescaped (escapes are added when the URI
 *   is written), or the number of a `tel:` URI; %NULL removes it
 *
 * Sets the user part.
 */
void
sipws_uri_set_user (SipwsUri   *self,
                    const char *user)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->scheme != SIPWS_URI_SCHEME_OTHER);
  g_return_if_fail (user != NULL || self->scheme != SIPWS_URI_SCHEME_TEL);

  self->user_len = user != NULL ? strlen (user) : 0;
  self->user = user != NULL ? sipws_arena_strndup (self->arena, user, self->user_len) : NULL;
  self->user_wire = NULL;
  if (user == NULL)
    self->password = NULL;
}

/**
 * sipws_uri_set_host:
 * @self: a `sip:` or `sips:` URI not shared yet
 * @host: a host name, IPv4 address or IPv6 address (brackets optional)
 *
 * Sets the host.
 */
void
sipws_uri_set_host (SipwsUri   *self,
                    const char *host)
{
  gsize len;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->scheme == SIPWS_URI_SCHEME_SIP || self->scheme == SIPWS_URI_SCHEME_SIPS);
  g_return_if_fail (host != NULL && *host != '\0');

  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    {
      host++;
      len -= 2;
    }
  self->host = sipws_arena_strndup (self->arena, host, len);
  self->host_is_ipv6 = memchr (host, ':', len) != NULL;
}

/**
 * sipws_uri_set_port:
 * @self: a `sip:` or `sips:` URI not shared yet
 * @port: the port, or 0 to remove it
 *
 * Sets the port.
 */
void
sipws_uri_set_port (SipwsUri *self,
                    guint16   port)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->scheme == SIPWS_URI_SCHEME_SIP || self->scheme == SIPWS_URI_SCHEME_SIPS);

  self->port = port;
}

/**
 * sipws_uri_set_param:
 * @self: a URI not shared yet
 * @name: the parameter name
 * @value: (nullable): the unescaped value (not empty: the URI grammar has
 *   no empty parameter values), or %NULL for a parameter without value
 *   (such as `lr`)
 *
 * Sets a URI parameter, replacing the value of an existing one.
 */
void
sipws_uri_set_param (SipwsUri   *self,
                     const char *name,
                     const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->scheme != SIPWS_URI_SCHEME_OTHER);
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value == NULL || *value != '\0');

  sipws_params_set (&self->params, self->arena, SIPWS_PARAMS_URI, name, value);
}

/**
 * sipws_uri_remove_param:
 * @self: a URI not shared yet
 * @name: the parameter name (case-insensitive)
 *
 * Removes a URI parameter.
 *
 * Returns: whether there was such a parameter
 */
gboolean
sipws_uri_remove_param (SipwsUri   *self,
                        const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return sipws_params_remove (&self->params, name);
}

/**
 * sipws_uri_set_header:
 * @self: a `sip:` or `sips:` URI not shared yet
 * @name: the header name
 * @value: the unescaped value
 *
 * Sets a header of the URI (written after `?`), replacing an existing one.
 */
void
sipws_uri_set_header (SipwsUri   *self,
                      const char *name,
                      const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->scheme == SIPWS_URI_SCHEME_SIP || self->scheme == SIPWS_URI_SCHEME_SIPS);
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value != NULL);

  sipws_params_set (&self->headers, self->arena, SIPWS_PARAMS_URI_HEADERS, name, value);
}

/**
 * sipws_uri_remove_header:
 * @self: a URI not shared yet
 * @name: the header name (case-insensitive)
 *
 * Removes a header of the URI.
 *
 * Returns: whether there was such a header
 */
gboolean
sipws_uri_remove_header (SipwsUri   *self,
                         const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return sipws_params_remove (&self->headers, name);
}

/**
 * sipws_uri_to_string:
 * @self: a URI
 *
 * Writes the URI, escaping what needs it. A parsed URI is written with its
 * escapes as they were; the scheme name of `sip:`, `sips:` and `tel:` is
 * written in lower case, an IPv6 host in brackets.
 *
 * Returns: (transfer full): the URI text
 */
char *
sipws_uri_to_string (SipwsUri *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_sized_new (64);
  g_string_append (out, self->scheme_name);
  g_string_append_c (out, ':');

  switch (self->scheme)
    {
    case SIPWS_URI_SCHEME_OTHER:
      g_string_append (out, self->opaque);
      return g_string_free (out, FALSE);

    case SIPWS_URI_SCHEME_TEL:
      g_string_append_len (out, self->user, self->user_len);
      sipws_params_append (&self->params, SIPWS_PARAMS_URI, out);
      return g_string_free (out, FALSE);

    case SIPWS_URI_SCHEME_SIP:
    case SIPWS_URI_SCHEME_SIPS:
    default:
      break;
    }

  if (self->user != NULL)
    {
      if (self->user_wire != NULL)
        g_string_append (out, self->user_wire);
      else
        sipws_scan_append_escaped (out, self->user, self->user_len, SIPWS_CC_USER_CHAR);
      if (self->password != NULL)
        {
          g_string_append_c (out, ':');
          g_string_append (out, self->password);
        }
      g_string_append_c (out, '@');
    }
  if (self->host_is_ipv6)
    g_string_append_c (out, '[');
  g_string_append (out, self->host);
  if (self->host_is_ipv6)
    g_string_append_c (out, ']');
  if (self->port != 0)
    g_string_append_printf (out, ":%u", self->port);
  sipws_params_append (&self->params, SIPWS_PARAMS_URI, out);
  sipws_params_append (&self->headers, SIPWS_PARAMS_URI_HEADERS, out);
  return g_string_free (out, FALSE);
}

static gboolean
param_values_equal (const SipwsParam *a,
                    const SipwsParam *b,
                    guint32           keep,
                    gboolean          caseless)
{
  UnitIter ia, ib;

  if (a->value == NULL || b->value == NULL)
    return a->value == b->value;
  unit_iter_init (&ia, a->value, strlen (a->value), a->wire, keep);
  unit_iter_init (&ib, b->value, strlen (b->value), b->wire, keep);
  return units_equal (&ia, &ib, caseless);
}

/* These parameters change where a request goes or what it means, so a URI
 * with one never equals a URI without it (RFC 3261 §19.1.4). */
static gboolean
param_must_match (const char *name)
{
  static const char *const names[] = { "user", "ttl", "method", "maddr", "transport" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
sip_params_equal (const SipwsParams *a,
                  const SipwsParams *b)
{
  guint i;

  for (i = 0; i < a->len; i++)
    {
      const SipwsParam *pa = &a->items[i];
      const SipwsParam *pb = sipws_params_lookup (b, pa->name);

      if (pb == NULL ? param_must_match (pa->name)
                     : !param_values_equal (pa, pb, SIPWS_CC_PARAM_CHAR, TRUE))
        return FALSE;
    }
  for (i = 0; i < b->len; i++)
    if (param_must_match (b->items[i].name) && sipws_params_lookup (a, b->items[i].name) == NULL)
      return FALSE;
  return TRUE;
}

/* URI headers may repeat (?Route=a&Route=b), so they match as multisets:
 * each header of @a pairs with a distinct equal header of @b. */
static gboolean
headers_equal (const SipwsParams *a,
               const SipwsParams *b)
{
  guint64 used = 0;
  guint i, j;

  G_STATIC_ASSERT (SIPWS_PARAMS_MAX <= 64);

  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    {
      for (j = 0; j < b->len; j++)
        if (!(used & (G_GUINT64_CONSTANT (1) << j)) &&
            g_ascii_strcasecmp (a->items[i].name, b->items[j].name) == 0 &&
            param_values_equal (&a->items[i], &b->items[j], SIPWS_CC_HNV_CHAR, FALSE))
          break;
      if (j == b->len)
        return FALSE;
      used |= G_GUINT64_CONSTANT (1) << j;
    }
  return TRUE;
}

static gboolean
hosts_equal (SipwsUri *a,
             SipwsUri *b)
{
  g_autoptr(GInetAddress) ia = NULL;
  g_autoptr(GInetAddress) ib = NULL;

  if (a->host_is_ipv6 != b->host_is_ipv6)
    return FALSE;
  if (g_ascii_strcasecmp (a->host, b->host) == 0)
    return TRUE;
  if (!a->host_is_ipv6)
    return FALSE;
  /* "::1" and "0:0::1" are the same address. */
  ia = g_inet_address_new_from_string (a->host);
  ib = g_inet_address_new_from_string (b->host);
  return ia != NULL && ib != NULL && g_inet_address_equal (ia, ib);
}

static gboolean
sip_equal (SipwsUri *a,
           SipwsUri *b)
{
  if ((a->user == NULL) != (b->user == NULL) || (a->password == NULL) != (b->password == NULL))
    return FALSE;
  if (a->user != NULL)
    {
      UnitIter ia, ib;

      unit_iter_init (&ia, a->user, a->user_len, a->user_wire, SIPWS_CC_USER_CHAR);
      unit_iter_init (&ib, b->user, b->user_len, b->user_wire, SIPWS_CC_USER_CHAR);
      if (!units_equal (&ia, &ib, FALSE))
        return FALSE;
    }
  if (a->password != NULL)
    {
      UnitIter ia, ib;

      unit_iter_init (&ia, NULL, 0, a->password, SIPWS_CC_PASSWD_CHAR);
      unit_iter_init (&ib, NULL, 0, b->password, SIPWS_CC_PASSWD_CHAR);
      if (!units_equal (&ia, &ib, FALSE))
        return FALSE;
    }
  return a->port == b->port &&
         hosts_equal (a, b) &&
         sip_params_equal (&a->params, &b->params) &&
         headers_equal (&a->headers, &b->headers);
}

/* Compares two tel: digit strings (numbers, phone-context numbers, ext)
 * ignoring visual separators and the case of hex digits (RFC 3966 §4). */
static gboolean
tel_digits_equal (const char *a,
                  const char *b)
{
  for (;;)
    {
      while (*a != '\0' && sipws_scan_is (*a, SIPWS_CC_TEL_VISUAL))
        a++;
      while (*b != '\0' && sipws_scan_is (*b, SIPWS_CC_TEL_VISUAL))
        b++;
      if (*a == '\0' || *b == '\0')
        return *a == *b;
      if (g_ascii_tolower (*a) != g_ascii_tolower (*b))
        return FALSE;
      a++;
      b++;
    }
}

static gboolean
tel_param_values_equal (const SipwsParam *a,
                        const SipwsParam *b)
{
  if (a->value == NULL || b->value == NULL)
    return a->value == b->value;
  if (g_ascii_strcasecmp (a->name, "ext") == 0 ||
      (g_ascii_strcasecmp (a->name, "phone-context") == 0 && a->value[0] == '+'))
    return tel_digits_equal (a->value, b->value);
  return param_values_equal (a, b, SIPWS_CC_PARAM_CHAR, TRUE);
}

static gboolean
tel_equal (SipwsUri *a,
           SipwsUri *b)
{
  guint i;

  if ((a->user[0] == '+') != (b->user[0] == '+') || !tel_digits_equal (a->user, b->user))
    return FALSE;
  /* Every parameter must be in both URIs, in any order. */
  if (a->params.len != b->params.len)
    return FALSE;
  for (i = 0; i < a->params.len; i++)
    {
      const SipwsParam *pb = sipws_params_lookup (&b->params, a->params.items[i].name);

      if (pb == NULL || !tel_param_values_equal (&a->params.items[i], pb))
        return FALSE;
    }
  return TRUE;
}

/**
 * sipws_uri_equal:
 * @a: a URI
 * @b: another URI
 *
 * Compares two URIs. `sip:` and `sips:` URIs follow RFC 3261 §19.1.4: the
 * user part and password are case-sensitive, the rest is not; an escaped
 * character equals itself unescaped unless it is reserved; a port, `user`,
 * `ttl`, `method`, `maddr` or `transport` parameter present in only one URI
 * makes them differ, other parameters count only when both have them; URI
 * headers must all match. A `sip:` URI never equals a `sips:` one. `tel:`
 * URIs follow RFC 3966 §4 (visual separators ignored, every parameter must
 * match); other schemes compare the scheme caselessly and the rest exactly.
 *
 * Returns: %TRUE when the URIs are equivalent
 */
gboolean
sipws_uri_equal (SipwsUri *a,
                 SipwsUri *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->scheme != b->scheme)
    return FALSE;

  switch (a->scheme)
    {
    case SIPWS_URI_SCHEME_SIP:
    case SIPWS_URI_SCHEME_SIPS:
      return sip_equal (a, b);
    case SIPWS_URI_SCHEME_TEL:
      return tel_equal (a, b);
    case SIPWS_URI_SCHEME_OTHER:
    default:
      {
        UnitIter ia, ib;

        if (g_ascii_strcasecmp (a->scheme_name, b->scheme_name) != 0)
          return FALSE;
        unit_iter_init (&ia, NULL, 0, a->opaque, SIPWS_CC_URIC);
        unit_iter_init (&ib, NULL, 0, b->opaque, SIPWS_CC_URIC);
        return units_equal (&ia, &ib, FALSE);
      }
    }
}

/**
 * sipws_uri_hash:
 * @self: a URI
 *
 * Hashes a URI consistently with [method@Sipws.Uri.equal], for hash tables
 * keyed by URI.
 *
 * Returns: the hash
 */
guint
sipws_uri_hash (SipwsUri *self)
{
  guint hash;
  const char *s;

  g_return_val_if_fail (self != NULL, 0);

  hash = self->scheme;
  switch (self->scheme)
    {
    case SIPWS_URI_SCHEME_SIP:
    case SIPWS_URI_SCHEME_SIPS:
      if (self->user != NULL)
        {
          UnitIter iter;

          unit_iter_init (&iter, self->user, self->user_len, self->user_wire, SIPWS_CC_USER_CHAR);
          hash = units_hash (&iter, hash, FALSE);
        }
      /* Two spellings of an IPv6 address are equal, so only names hash. */
      if (!self->host_is_ipv6)
        for (s = self->host; *s != '\0'; s++)
          hash = hash * 31 + (guint) g_ascii_tolower (*s);
      return hash * 31 + self->port;

    case SIPWS_URI_SCHEME_TEL:
      for (s = self->user; *s != '\0'; s++)
        if (!sipws_scan_is (*s, SIPWS_CC_TEL_VISUAL))
          hash = hash * 31 + (guint) g_ascii_tolower (*s);
      return hash;

    case SIPWS_URI_SCHEME_OTHER:
    default:
      {
        UnitIter iter;

        for (s = self->scheme_name; *s != '\0'; s++)
          hash = hash * 31 + (guint) g_ascii_tolower (*s);
        unit_iter_init (&iter, NULL, 0, self->opaque, SIPWS_CC_URIC);
        return units_hash (&iter, hash, FALSE);
      }
    }
}
