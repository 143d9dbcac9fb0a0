/* sipws-redact.c: masking secrets in wire dumps before they are logged
 *
 * This is deliberately not the message parser: a log must show malformed
 * input too, so the scanner here accepts anything and only decides which
 * bytes may be printed.
 */
#include <string.h>

#include "sipws-redact.h"
#include "sipws-auth-challenge-private.h"
#include "sipws-scan-private.h"

typedef enum {
  KIND_PLAIN,
  KIND_CREDENTIALS,   /* Authorization: keep scheme, user and realm */
  KIND_COOKIE,
  KIND_SET_COOKIE,
  KIND_URI,           /* a URL whose query may carry a token */
  KIND_SECRET,        /* mask the whole value */
} Kind;

static GMutex registered_lock;
static GHashTable *registered;   /* lower-case names; process-wide */

/* Parameters of credentials that are no secret and make logs useful. */
static const char *const kept_auth_params[] = {
  "username", "username*", "realm", "algorithm", "qop", "userhash", "charset",
};

/* Set-Cookie attributes whose values may be shown. */
static const char *const kept_cookie_attributes[] = {
  "expires", "max-age", "domain", "path", "samesite", "secure", "httponly",
  "priority", "partitioned", "version",
};

/* Header names that contain one of these are secret unless listed above. */
static const char *const secret_name_parts[] = {
  "token", "secret", "passw", "apikey", "api-key", "credential",
};

static gboolean
in_list (const char         *name,
         gsize               len,
         const char * const *list,
         gsize               n)
{
  for (gsize i = 0; i < n; i++)
    if (strlen (list[i]) == len && g_ascii_strncasecmp (name, list[i], len) == 0)
      return TRUE;
  return FALSE;
}

static Kind
classify (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  gboolean is_registered;

  if (strcmp (lower, "authorization") == 0 || strcmp (lower, "proxy-authorization") == 0)
    return KIND_CREDENTIALS;
  if (strcmp (lower, "cookie") == 0)
    return KIND_COOKIE;
  if (strcmp (lower, "set-cookie") == 0 || strcmp (lower, "set-cookie2") == 0)
    return KIND_SET_COOKIE;
  /* rspauth and nextnonce are derived from the password or let a reader
   * answer the next challenge. */
  if (strcmp (lower, "authentication-info") == 0 || strcmp (lower, "proxy-authentication-info") == 0)
    return KIND_SECRET;
  if (strcmp (lower, "location") == 0 || strcmp (lower, "content-location") == 0
      || strcmp (lower, "referer") == 0)
    return KIND_URI;

  g_mutex_lock (&registered_lock);
  is_registered = registered != NULL && g_hash_table_contains (registered, lower);
  g_mutex_unlock (&registered_lock);
  if (is_registered)
    return KIND_SECRET;

  for (guint i = 0; i < G_N_ELEMENTS (secret_name_parts); i++)
    if (strstr (lower, secret_name_parts[i]) != NULL)
      return KIND_SECRET;
  return KIND_PLAIN;
}

/* Appends [p, p+len) so that the result is printable UTF-8 on one line (or
 * several with @multiline): valid printable UTF-8 is copied, CR before LF
 * dropped, any other byte written as \xNN. Bidi and other format characters
 * are escaped as well, so a dump cannot rearrange a log line. */
static void
append_printable (GString    *out,
                  const char *p,
                  gsize       len,
                  gboolean    multiline)
{
  const char *end = p + len;

  while (p < end)
    {
      guchar c = *p;

      if ((c >= 0x20 && c < 0x7F) || c == '\t' || (multiline && c == '\n'))
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }
      if (multiline && c == '\r' && p + 1 < end && p[1] == '\n')
        {
          p++;
          continue;
        }
      if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);

          if (ch != (gunichar) -1 && ch != (gunichar) -2
              && g_unichar_isprint (ch) && g_unichar_type (ch) != G_UNICODE_FORMAT)
            {
              int n = g_utf8_skip[c];

              g_string_append_len (out, p, n);
              p += n;
              continue;
            }
        }
      g_string_append_printf (out, "\\x%02X", c);
      p++;
    }
}

static void
append_redacted_uri (GString    *out,
                     const char *uri,
                     gsize       len)
{
  const char *p = uri;
  const char *end = uri + len;
  const char *s = p;
  const char *stop;

  while (s < end && sipws_scan_is (*s, SIPWS_CC_SCHEME))
    s++;
  if (s > p && s < end && *s == ':' && g_ascii_isalpha (*p))
    {
      const char *at;

      s++;
      if (end - s >= 2 && s[0] == '/' && s[1] == '/')
        s += 2;
      g_string_append_len (out, p, s - p);
      p = s;

      /* userinfo ends at '@'; only a password in it is secret */
      stop = p;
      while (stop < end && *stop != '?' && *stop != '#' && !(s[-1] == '/' && *stop == '/'))
        stop++;
      at = memchr (p, '@', stop - p);
      if (at != NULL)
        {
          const char *colon = memchr (p, ':', at - p);

          if (colon != NULL)
            {
              g_string_append_len (out, p, colon + 1 - p);
              g_string_append (out, SIPWS_REDACTED);
              p = at;
            }
        }
    }

  stop = p;
  while (stop < end && *stop != '?' && *stop != '#')
    stop++;
  g_string_append_len (out, p, stop - p);
  p = stop;

  if (p < end && *p == '?')
    {
      g_string_append_c (out, '?');
      p++;
      while (p < end && *p != '#')
        {
          const char *piece = p;
          const char *eq;

          while (p < end && *p != '&' && *p != '#')
            p++;
          eq = memchr (piece, '=', p - piece);
          if (eq != NULL)
            {
              g_string_append_len (out, piece, eq + 1 - piece);
              g_string_append (out, SIPWS_REDACTED);
            }
          else if (p > piece)
            g_string_append (out, SIPWS_REDACTED);
          if (p < end && *p == '&')
            {
              g_string_append_c (out, '&');
              p++;
            }
        }
    }
  if (p < end && *p == '#')
    g_string_append (out, p + 1 < end ? "#" SIPWS_REDACTED : "#");
}

static void
append_redacted_credentials (GString    *out,
                             const char *value)
{
  g_autoptr(GArray) groups = sipws_auth_params_parse (value, TRUE, NULL);
  const char *p, *scheme_end;

  if (groups == NULL)
    {
      /* Malformed: the scheme alone is safe to show. */
      p = sipws_scan_skip_lws (value, value + strlen (value));
      scheme_end = sipws_scan_token (p, p + strlen (p));
      if (scheme_end > p && (*scheme_end == ' ' || *scheme_end == '\t' || *scheme_end == '\0'))
        {
          g_string_append_len (out, p, scheme_end - p);
          g_string_append_c (out, ' ');
        }
      g_string_append (out, SIPWS_REDACTED);
      return;
    }

  for (guint g = 0; g < groups->len; g++)
    {
      const SipwsAuthParams *params = &g_array_index (groups, SipwsAuthParams, g);

      if (g > 0)
        g_string_append (out, ", ");
      g_string_append (out, params->scheme);
      if (params->token68 != NULL)
        g_string_append (out, " " SIPWS_REDACTED);
      for (guint i = 0; i < params->params->len; i++)
        {
          const SipwsAuthParam *param = &g_array_index (params->params, SipwsAuthParam, i);

          g_string_append (out, i == 0 ? " " : ", ");
          g_string_append (out, param->name);
          g_string_append_c (out, '=');
          if (in_list (param->name, strlen (param->name), kept_auth_params,
                       G_N_ELEMENTS (kept_auth_params)))
            {
              if (param->quoted)
                sipws_scan_append_quoted (out, param->value, strlen (param->value));
              else
                g_string_append (out, param->value);
            }
          else if (g_ascii_strcasecmp (param->name, "uri") == 0)
            {
              /* An HTTP digest-uri is the request target, query included. */
              g_string_append_c (out, '"');
              append_redacted_uri (out, param->value, strlen (param->value));
              g_string_append_c (out, '"');
            }
          else
            g_string_append (out, SIPWS_REDACTED);
        }
    }
}

/* Cookie and Set-Cookie: cookie values are masked, names stay. In Cookie,
 * commas split too, in case a client joined several fields. A Set-Cookie
 * attribute stays when it is known and its value cannot hide a second
 * cookie (no '=', and no ',' except in Expires dates), which covers stacks
 * that join Set-Cookie fields with commas. */
static void
append_redacted_cookies (GString    *out,
                         const char *value,
                         gboolean    set_cookie)
{
  const char *separators = set_cookie ? ";" : ";,";
  const char *skip = set_cookie ? " \t;" : " \t;,";
  const char *p = value;
  gboolean first = TRUE;

  while (*p != '\0')
    {
      const char *piece, *piece_end, *eq, *name_end;
      gboolean keep = FALSE;

      p += strspn (p, skip);
      piece = p;
      p += strcspn (p, separators);
      piece_end = sipws_scan_trim_lws_end (piece, p);
      if (piece_end == piece)
        continue;

      eq = memchr (piece, '=', piece_end - piece);
      name_end = sipws_scan_trim_lws_end (piece, eq != NULL ? eq : piece_end);
      if (set_cookie && !first
          && in_list (piece, name_end - piece, kept_cookie_attributes, G_N_ELEMENTS (kept_cookie_attributes)))
        {
          const char *v = eq != NULL ? eq + 1 : piece_end;
          gboolean is_expires = name_end - piece == 7 && g_ascii_strncasecmp (piece, "expires", 7) == 0;

          keep = memchr (v, '=', piece_end - v) == NULL
                 && (is_expires || memchr (v, ',', piece_end - v) == NULL);
        }

      if (!first)
        g_string_append (out, "; ");
      first = FALSE;
      if (keep)
        g_string_append_len (out, piece, piece_end - piece);
      else
        {
          if (eq != NULL)
            {
              g_string_append_len (out, piece, name_end - piece);
              g_string_append_c (out, '=');
            }
          g_string_append (out, SIPWS_REDACTED);
        }
    }
}

static void
append_redacted_value (GString    *out,
                       const char *name,
                       const char *value)
{
  g_autoptr(GString) masked = g_string_new (NULL);
  Kind kind = classify (name);

  switch (kind)
    {
    case KIND_CREDENTIALS:
      append_redacted_credentials (masked, value);
      break;
    case KIND_COOKIE:
    case KIND_SET_COOKIE:
      append_redacted_cookies (masked, value, kind == KIND_SET_COOKIE);
      break;
    case KIND_URI:
      append_redacted_uri (masked, value, strlen (value));
      break;
    case KIND_SECRET:
      g_string_append (masked, SIPWS_REDACTED);
      break;
    case KIND_PLAIN:
    default:
      g_string_append (masked, value);
      break;
    }
  append_printable (out, masked->str, masked->len, FALSE);
}

/* Finds the two spaces of a request line ("METHOD target SIP/2.0" or
 * "GET /path HTTP/1.1"); FALSE for anything else. */
static gboolean
split_request_line (const char  *line,
                    gsize        len,
                    const char **sp1,
                    const char **sp2)
{
  const char *end = line + len;

  *sp1 = memchr (line, ' ', len);
  if (*sp1 == NULL || *sp1 == line)
    return FALSE;
  for (*sp2 = end - 1; *sp2 > *sp1 && **sp2 != ' '; (*sp2)--)
    ;
  if (*sp2 == *sp1)
    return FALSE;
  return (end - *sp2 > 4 && strncmp (*sp2 + 1, "SIP/", 4) == 0)
         || (end - *sp2 > 5 && strncmp (*sp2 + 1, "HTTP/", 5) == 0);
}

static gboolean
is_status_line (const char *line,
                gsize       len)
{
  return (len > 4 && strncmp (line, "SIP/", 4) == 0) || (len > 5 && strncmp (line, "HTTP/", 5) == 0);
}

/* A request line gets its target redacted: WebSocket URLs carry tokens in
 * the query. A status line is printed as it is. */
static void
append_start_line (GString    *out,
                   const char *line,
                   gsize       len)
{
  g_autoptr(GString) masked = NULL;
  const char *sp1, *sp2;

  if (!split_request_line (line, len, &sp1, &sp2))
    {
      append_printable (out, line, len, FALSE);
      return;
    }

  masked = g_string_new_len (line, sp1 + 1 - line);
  append_redacted_uri (masked, sp1 + 1, sp2 - sp1 - 1);
  g_string_append_len (masked, sp2, line + len - sp2);
  append_printable (out, masked->str, masked->len, FALSE);
}

/* The end of the line starting at @p. CR LF, LF and a bare CR all end a
 * line: a lenient parser may accept any of them, and a secret must not hide
 * behind a line end the redactor did not recognize. */
static const char *
line_end (const char  *p,
          const char  *end,
          const char **next)
{
  const char *e = p;

  while (e < end && *e != '\n' && *e != '\r')
    e++;
  *next = e;
  if (*next < end && **next == '\r')
    (*next)++;
  if (*next < end && **next == '\n' && (*next == e || (*next)[-1] == '\r'))
    (*next)++;
  return e;
}

/* Appends one header field (continuation lines already joined). */
static void
append_field (GString    *out,
              const char *field,
              gsize       len)
{
  const char *end = field + len;
  const char *colon = memchr (field, ':', len);
  const char *name, *name_end, *v, *v_end;
  g_autofree char *name_str = NULL;
  g_autofree char *value = NULL;

  if (colon == NULL)
    {
      append_printable (out, field, len, FALSE);
      return;
    }

  name = sipws_scan_skip_lws (field, colon);
  name_end = sipws_scan_trim_lws_end (name, colon);
  v = sipws_scan_skip_lws (colon + 1, end);
  v_end = sipws_scan_trim_lws_end (v, end);
  name_str = g_strndup (name, name_end - name);

  append_printable (out, name, name_end - name, FALSE);
  g_string_append (out, ": ");
  if (memchr (name, '\0', name_end - name) != NULL || memchr (v, '\0', v_end - v) != NULL)
    {
      /* A NUL cuts C strings short: mask a secret value whole and print
       * any other one byte by byte. */
      if (classify (name_str) != KIND_PLAIN)
        g_string_append (out, SIPWS_REDACTED);
      else
        append_printable (out, v, v_end - v, FALSE);
      return;
    }
  value = g_strndup (v, v_end - v);
  append_redacted_value (out, name_str, value);
}

/**
 * sipws_redact_sip_message:
 * @data: (array length=len) (element-type guint8): a SIP message, or the
 *   text of an HTTP request or response such as a WebSocket handshake
 * @len: the length of @data
 *
 * Makes a printable copy of a wire message for a log, with secrets masked:
 *
 * - `Authorization` and `Proxy-Authorization` keep their scheme and the
 *   `username`, `realm`, `algorithm` and `qop` parameters; the response,
 *   nonces, opaque and any token68 are replaced by `<redacted>`, and the
 *   `uri` parameter is redacted like a URL;
 * - `Cookie` keeps cookie names, `Set-Cookie` names and harmless attributes;
 * - `Authentication-Info`, headers registered with
 *   [func@Sipws.redact_register_header] and headers whose name contains
 *   `token`, `secret`, `passw`, `apikey`, `api-key` or `credential` are masked
 *   whole;
 * - the request target of the start line and `Location`/`Referer` values
 *   have URL query values, fragment and userinfo password masked (see
 *   [func@Sipws.redact_uri]).
 *
 * Header names match in any case, folded values are unfolded onto one line
 * first so that no continuation line escapes, and bytes that are not
 * printable UTF-8 (in headers or in a binary body) are written as `\xNN`.
 * Line ends become LF.
 *
 * The cost is a few passes over the message: call it only when the dump
 * is actually logged.
 *
 * Returns: (transfer full): the redacted text
 */
char *
sipws_redact_sip_message (const char *data,
                          gsize       len)
{
  const char *p = data;
  const char *end = data + len;
  const char *next, *e;
  GString *out;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new (len + 64);
  if (len == 0)
    return g_string_free (out, FALSE);

  e = line_end (p, end, &next);
  if (e > p)
    {
      const char *sp1, *sp2;

      /* A dump without a start line (a fragment, say) starts with headers
       * straight away, which must be masked like any other. */
      if (split_request_line (p, e - p, &sp1, &sp2) || is_status_line (p, e - p))
        {
          append_start_line (out, p, e - p);
          g_string_append_c (out, '\n');
          p = next;
        }

      /* Header fields up to the empty line. A field takes its continuation
       * lines (those starting with SP or HTAB) along, unfolded, so a folded
       * secret is masked with its field; even a colon-less line does, in
       * case some parser accepts a fold before the colon. */
      while (p < end)
        {
          g_autoptr(GString) field = NULL;

          e = line_end (p, end, &next);
          if (e == p)
            break;
          field = g_string_new_len (p, e - p);
          p = next;
          while (p < end && (*p == ' ' || *p == '\t'))
            {
              e = line_end (p, end, &next);
              g_string_append_c (field, ' ');
              g_string_append_len (field, p, e - p);
              p = next;
            }
          append_field (out, field->str, field->len);
          g_string_append_c (out, '\n');
        }
    }

  /* The empty line, then the body. */
  if (p < end)
    {
      e = line_end (p, end, &next);
      if (e == p)
        {
          g_string_append_c (out, '\n');
          p = next;
        }
      append_printable (out, p, end - p, TRUE);
    }

  return g_string_free (out, FALSE);
}

/**
 * sipws_redact_uri:
 * @uri: a URL or SIP URI, such as `wss://pbx.example.com/sip?token=abc`
 *
 * Masks what may be secret in a URI before it is logged: the value of
 * every query parameter (`?token=<redacted>&room=<redacted>`; names stay,
 * as written, percent-encoding included), the fragment, and the password
 * of the userinfo (`sip:alice:<redacted>@example.com`). Bytes that are not
 * printable UTF-8 are written as `\xNN`.
 *
 * Returns: (transfer full): the redacted URI
 */
char *
sipws_redact_uri (const char *uri)
{
  g_autoptr(GString) masked = NULL;
  GString *out;

  g_return_val_if_fail (uri != NULL, NULL);

  masked = g_string_new (NULL);
  append_redacted_uri (masked, uri, strlen (uri));
  out = g_string_sized_new (masked->len);
  append_printable (out, masked->str, masked->len, FALSE);
  return g_string_free (out, FALSE);
}

/**
 * sipws_redact_header_value:
 * @name: a SIP or HTTP header name, in any case
 * @value: its value
 *
 * Redacts one header value the way [func@Sipws.redact_sip_message] does,
 * for code that logs headers one at a time, such as the HTTP handshake of
 * the WebSocket transport. Values of other headers are returned unchanged,
 * except that bytes that are not printable UTF-8 are written as `\xNN`.
 *
 * Returns: (transfer full): the value to log
 */
char *
sipws_redact_header_value (const char *name,
                           const char *value)
{
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_new (NULL);
  append_redacted_value (out, name, value);
  return g_string_free (out, FALSE);
}

/**
 * sipws_redact_register_header:
 * @name: a header name, in any case
 *
 * Adds a header whose whole value must be masked in logs, such as a custom
 * authentication header a WebSocket gateway expects. The registration is
 * process-wide and permanent; it is safe to call from any thread.
 */
void
sipws_redact_register_header (const char *name)
{
  g_return_if_fail (name != NULL && *name != '\0');

  g_mutex_lock (&registered_lock);
  if (registered == NULL)
    registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (registered, g_ascii_strdown (name, -1));
  g_mutex_unlock (&registered_lock);
}

/**
 * sipws_redact_is_secret_header:
 * @name: a header name, in any case
 *
 * Checks whether a header carries secrets, by its name (compact forms
 * included) or because it was registered with
 * [func@Sipws.redact_register_header].
 *
 * Returns: whether the redaction helpers mask all or part of the values
 *   of header @name
 */
gboolean
sipws_redact_is_secret_header (const char *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  return classify (name) != KIND_PLAIN;
}
