/* sipws-address.c: name-addr / addr-spec values with header parameters */
#include <string.h>

#include "sipws-address-private.h"
#include "sipws-error.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"
#include "sipws-uri-private.h"

G_DEFINE_BOXED_TYPE (SipwsAddress, sipws_address, sipws_address_ref, sipws_address_unref)

#define MAX_EXPIRES G_GINT64_CONSTANT (4294967295)

G_ALWAYS_INLINE static inline SipwsAddress *
address_new_in (SipwsArena *arena)
{
  SipwsAddress *self = sipws_arena_alloc (arena, sizeof (SipwsAddress));

  *self = (SipwsAddress) {
    .arena = arena,
    .q = -1,
    .expires = -1,
  };
  return self;
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

/* delta-seconds, at most 2^32-1 (RFC 3261 §25.1, RFC 4475 scalar02): the
 * number, -1 when @value is not one, -2 when it is larger. */
static gint64
parse_delta_seconds (const char *value)
{
  const char *end, *digits_end;
  guint64 seconds;

  if (value == NULL)
    return -1;
  end = value + strlen (value);
  digits_end = sipws_scan_number (value, end, MAX_EXPIRES, &seconds);
  /* what is wrong first, reading from the left */
  if (digits_end == value)
    return -1;
  if (seconds > MAX_EXPIRES)
    return -2;
  return digits_end == end ? (gint64) seconds : -1;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths. */
static gint
parse_qvalue (const char *value)
{
  gint q, scale = 100;
  const char *s;

  if (value == NULL || (value[0] != '0' && value[0] != '1'))
    return -1;
  q = (value[0] - '0') * 1000;
  s = value + 1;
  if (*s == '.')
    {
      for (s++; sipws_scan_is (*s, SIPWS_CC_DIGIT) && scale > 0; s++, scale /= 10)
        q += (*s - '0') * scale;
    }
  if (*s != '\0' || q > 1000)
    return -1;
  return q;
}

/* Where the parameter @name starts in [p, end), for error columns; the
 * parameters were parsed already, so the text is well-formed. */
static const char *
param_position (const char *p,
                const char *end,
                const char *name)
{
  gsize len = strlen (name);

  while ((p = memchr (p, ';', end - p)) != NULL)
    {
      const char *q = sipws_scan_skip_lws (p + 1, end);

      if ((gsize) (end - q) >= len && g_ascii_strncasecmp (q, name, len) == 0 &&
          sipws_scan_token (q, end) == q + len)
        return q;
      p = q;
    }
  return end;
}

/* Reads the parameters with a meaning of their own (names are unique: the
 * parameter parser rejects repeats). Returns the first one whose value does
 * not fit its grammar, with what is wrong in *@what, or NULL. */
static const SipwsParam *
index_params (SipwsAddress  *self,
              const char   **what)
{
  const SipwsParam *bad = NULL;

  self->tag = NULL;
  self->q = -1;
  self->expires = -1;
  for (guint i = 0; i < self->params.len; i++)
    {
      const SipwsParam *param = &self->params.items[i];

      switch (param->name_len)
        {
        case 1:
          if ((param->name[0] | 0x20) == 'q')
            {
              self->q = parse_qvalue (param->value);
              if (bad == NULL && (param->quoted || self->q < 0))
                {
                  bad = param;
                  *what = "q parameter must be a number from 0 to 1 with at most 3 decimals";
                }
            }
          break;

        case 3:
          if (sipws_scan_token_equal_folded (param->name, "tag", 3))
            {
              self->tag = param->value;
              if (bad == NULL && (param->value == NULL || param->quoted))
                {
                  bad = param;
                  *what = "tag parameter must be a token";
                }
            }
          break;

        case 7:
          if (sipws_scan_token_equal_folded (param->name, "expires", 7))
            {
              gint64 seconds = parse_delta_seconds (param->value);

              self->expires = MAX (seconds, -1);
              if (bad == NULL && (param->quoted || seconds < 0))
                {
                  bad = param;
                  *what = seconds == -2 && !param->quoted ? "expires parameter larger than 4294967295"
                                                          : "expires parameter must be a number of seconds";
                }
            }
          break;

        default:
          break;
        }
    }
  return bad;
}

/* The common name-addr, [quoted display name] <URI> [;params], with no
 * quoted-pair, no blank inside the parameters and a URI that
 * sipws_uri_parse_range() reads at once, in one pass over [p, end)
 * (blanks trimmed). It writes the mirror only once the address is known
 * good, so NULL hands anything else, every error included, to the general
 * parser, which reads what this accepts the same way. The constant @list
 * specialises it for the address lists (routes, contacts), which mostly
 * have uri-parameters (read inline: sipws_uri_parse_bracketed()) and no
 * tag, against From and To, which mostly have a tag and none of those. */
G_ALWAYS_INLINE static inline SipwsAddress *
parse_simple (SipwsArena *arena,
              const char *start,
              char       *out,
              const char *p,
              const char *end,
              gboolean    list)
{
  /* the address and its ;tag= entry, allocated with the URI */
  struct { SipwsAddress address; SipwsParam tag; } *room;
  const char *display = NULL, *display_end = NULL, *uri_end;
  SipwsAddress *self;
  const char *what;
  SipwsUri *uri;

  if (*p == '"')
    {
      display = p + 1;
      display_end = sipws_scan_span_qdtext (display, end);
      if (display_end >= end || *display_end != '"')
        return NULL;
      /* mostly one SP before the '<' (other blanks are for the general
       * parser) */
      p = display_end + 1;
      p += end - p > 1 && *p == ' ';
      if (p >= end)
        return NULL;
    }
  if (*p != '<')
    return NULL;
  p++;
  /* The URI first: what it allocates stays in the arena on failure, as
   * after any error, and a URI that is not simple is read by the general
   * parser in the same way either way. */
  if (end - p > 4 && sipws_scan_load4 (p) == sipws_scan_load4 ("sip:"))
    {
      /* nearly every address: no '>' can be inside such a URI, so the
       * URI parser finds where it ends */
      uri = sipws_uri_parse_bracketed (arena, start, out, p, end, &uri_end, list, sizeof (*room));
      if (uri == NULL)
        return NULL;
      room = (gpointer) ((char *) uri + SIPWS_URI_ROOM_OFFSET);
    }
  else
    {
      uri_end = memchr (p, '>', end - p);
      if (uri_end == NULL || uri_end == p || sipws_scan_is (*p, SIPWS_CC_WS) ||
          sipws_scan_is (uri_end[-1], SIPWS_CC_WS))
        return NULL;
      uri = sipws_uri_parse_range (arena, start, out, p, uri_end, NULL);
      if (uri == NULL)
        return NULL;
      room = sipws_arena_alloc (arena, sizeof (*room));
    }
  p = uri_end + 1;
  if (p < end && *p != ';')
    return NULL;
  /* (the letters folded to lower case, the '=' as it is) */
  if (!list && end - p > 5 && (sipws_scan_load4 (p + 1) | GUINT32_TO_LE (0x00202020u)) == sipws_scan_load4 ("tag=") &&
      sipws_scan_span_is_all (start, p + 5, end, SIPWS_CC_TOKEN))
    {
      /* A From or To: ";tag=" and a token to the end, the one parameter,
       * which needs no repeat or index check (in a list, the general
       * parameter path reads it the same way). */
      room->tag = (SipwsParam) {
        .name = sipws_scan_mirror_string (start, out, p + 1, p + 4),
        .name_len = 3,
        .value = sipws_scan_mirror_string (start, out, p + 5, end),
        .token = TRUE,
      };
      self = &room->address;
      *self = (SipwsAddress) {
        .arena = arena,
        .uri = uri,
        .params = { &room->tag, 1, 1 },
        .tag = room->tag.value,
        .q = -1,
        .expires = -1,
      };
    }
  else
    {
      /* the parameters parsed into their place */
      self = &room->address;
      *self = (SipwsAddress) {
        .arena = arena,
        .uri = uri,
        .q = -1,
        .expires = -1,
      };
      if (p < end &&
          (!sipws_params_parse_simple (&self->params, arena, SIPWS_PARAMS_HEADER, start, out, p, end, FALSE) ||
           index_params (self, &what) != NULL))
        return NULL;
    }
  if (display != NULL)
    {
      self->display_name = sipws_scan_mirror_string (start, out, display, display_end);
      self->quoted_display = TRUE;
    }
  return self;
}

/* Everything else, every error included, on [p, end) (blanks trimmed,
 * not empty); out of line, so that the fast path is not made to save
 * the registers this needs. */
G_NO_INLINE static SipwsAddress *
parse_general (SipwsArena  *arena,
               const char  *start,
               char        *out,
               const char  *p,
               const char  *end,
               GError     **error)
{
  const char *display = NULL, *display_end = NULL;
  const char *uri_start, *uri_end, *params_start;
  gboolean quoted = FALSE, bracketed;
  const SipwsParam *bad;
  const char *what = NULL;
  SipwsAddress *self;
  SipwsUri *uri;

  if (*p == '*')
    {
      if (p + 1 != end)
        {
          unexpected (error, start, p + 1, end, "nothing after '*'");
          return NULL;
        }
      self = address_new_in (arena);
      self->wildcard = TRUE;
      return self;
    }

  if (*p == '"')
    {
      display = p;
      if (!sipws_scan_quoted_string (start, &p, end, error))
        return NULL;
      display_end = p;
      quoted = TRUE;
      /* No LWS is needed between the display name and '<' (RFC 4475 lwsdisp). */
      p = sipws_scan_skip_lws (p, end);
      if (p >= end || *p != '<')
        {
          unexpected (error, start, p, end, "'<' after the display name");
          return NULL;
        }
    }
  else if (*p != '<')
    {
      /* Either display-name tokens before '<', or an addr-spec whose scheme
       * (all token characters) ends at ':'. */
      const char *q = p, *words_end = p;
      guint words = 0;

      for (;;)
        {
          const char *t = sipws_scan_token (q, end);

          if (t == q)
            break;
          words++;
          words_end = t;
          q = sipws_scan_skip_lws (t, end);
          if (q == t)
            break;
        }

      if (q < end && *q == '<' && words > 0)
        {
          display = p;
          display_end = words_end;
          p = q;
        }
      else if (!(words == 1 && q == words_end && q < end && *q == ':'))
        {
          unexpected (error, start, q, end,
                      words == 0 ? "a display name, '<' or a URI"
                                 : "'<' after the display name (a display name that is not a series of tokens must be quoted)");
          return NULL;
        }
    }

  bracketed = *p == '<';
  if (bracketed)
    {
      uri_start = p + 1;
      uri_end = memchr (uri_start, '>', end - uri_start);
      if (uri_end == NULL)
        {
          sipws_scan_set_error (error, start, p, "unclosed '<'");
          return NULL;
        }
      if (uri_start < uri_end && (sipws_scan_is (*uri_start, SIPWS_CC_WS) ||
                                  sipws_scan_is (uri_end[-1], SIPWS_CC_WS)))
        {
          /* RFC 4475 badaspec */
          sipws_scan_set_error (error, start, uri_start, "blanks are not allowed inside '<>'");
          return NULL;
        }
      params_start = uri_end + 1;
    }
  else
    {
      /* A bare addr-spec ends at the first ';' (what follows are header
       * parameters) and cannot hold ',', '?' or blanks (RFC 3261 §20.10). */
      uri_start = p;
      for (uri_end = p; uri_end < end; uri_end++)
        if (*uri_end == ';' || *uri_end == ',' || *uri_end == '?' || sipws_scan_is (*uri_end, SIPWS_CC_WS))
          break;
      if (uri_end < end && (*uri_end == '?' || *uri_end == ','))
        {
          /* RFC 4475 regbadct */
          sipws_scan_set_error (error, start, uri_end,
                                "a URI with '%c' must be enclosed in '<>'", *uri_end);
          return NULL;
        }
      params_start = uri_end;
    }

  uri = sipws_uri_parse_range (arena, start, out, uri_start, uri_end, error);
  if (uri == NULL)
    return NULL;

  self = address_new_in (arena);
  self->uri = uri;

  if (display != NULL)
    {
      /* In the mirror, where it only shrinks. */
      char *o = sipws_scan_mirror (start, out, quoted ? display + 1 : display);

      self->display_name = o;
      self->quoted_display = quoted;
      if (quoted)
        o = sipws_scan_unquote_to (o, display + 1, display_end - 1);
      else
        {
          /* Tokens joined by single spaces, whatever LWS separated them. */
          const char *s = display;

          while (s < display_end)
            {
              const char *t = sipws_scan_token (s, display_end);

              memcpy (o, s, t - s);
              o += t - s;
              s = sipws_scan_skip_lws (t, display_end);
              if (s < display_end)
                *o++ = ' ';
            }
        }
      *o = '\0';
    }

  /* Most addresses end at the '>', or have a tag and little else. */
  p = params_start;
  if (p == end)
    return self;
  if (!sipws_params_parse (&self->params, arena, SIPWS_PARAMS_HEADER, start, out, &p, end, error))
    return NULL;
  p = sipws_scan_skip_lws (p, end);
  if (p < end)
    {
      unexpected (error, start, p, end, bracketed ? "';' or the end after '>'" : "';' or the end after the URI");
      return NULL;
    }
  bad = index_params (self, &what);
  if (bad != NULL)
    {
      sipws_scan_set_error (error, start, param_position (params_start, end, bad->name), "%s", what);
      return NULL;
    }
  return self;
}

SipwsAddress *
sipws_address_parse_simple (SipwsArena *arena,
                            const char *start,
                            char       *out,
                            const char *p,
                            const char *end)
{
  /* (a value with blanks around it is left to the caller's general
   * path, which trims: header values come trimmed) */
  return p < end ? parse_simple (arena, start, out, p, end, TRUE) : NULL;
}

SipwsAddress *
sipws_address_parse_range (SipwsArena  *arena,
                           const char  *start,
                           char        *out,
                           const char  *p,
                           const char  *end,
                           GError     **error)
{
  SipwsAddress *self;

  /* Header values come trimmed: blanks around the value are rare enough
   * to leave to the general parser (the fast path takes none). */
  if (p < end && (self = parse_simple (arena, start, out, p, end, FALSE)) != NULL)
    return self;
  p = sipws_scan_skip_lws (p, end);
  end = sipws_scan_trim_lws_end (p, end);
  if (p == end)
    {
      unexpected (error, start, p, end, "an address");
      return NULL;
    }
  return parse_general (arena, start, out, p, end, error);
}

/* What an address of @len bytes takes in an arena of its own, its text,
 * URI and a few parameters included; an arena grows when this is short. */
static gsize
arena_size_for (gsize len)
{
  return sizeof (SipwsAddress) + 160 + len + 1 + MIN (len / 2, 8) * sizeof (SipwsParam);
}

/**
 * sipws_address_parse:
 * @str: one address: `"Bob" <sip:bob@example.com>;tag=1`, `sip:bob@example.com`,
 *   `*`…
 * @len: the length of @str in bytes, or -1 when it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses one name-addr or addr-spec with its header parameters (RFC 3261
 * §20.10), or the `*` of `Contact: *`. A header value that is a list must be
 * split first. Following RFC 3261, the parameters after a URI without `<>`
 * are header parameters, and such a URI cannot contain `,`, `;` or `?`;
 * blanks inside `<>` are errors, and a display name must be a quoted string
 * or a series of tokens. The `expires` (at most 2^32-1), `q` and `tag`
 * parameters are checked.
 *
 * Returns: (transfer full): the address, or %NULL with @error set to
 *   %SIPWS_ERROR_PARSE naming what was expected and at which column
 */
SipwsAddress *
sipws_address_parse (const char  *str,
                     gssize       len,
                     GError     **error)
{
  SipwsArena *arena;
  SipwsAddress *self;

  g_return_val_if_fail (str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = strlen (str);
  arena = sipws_arena_new (arena_size_for (len));
  self = sipws_address_parse_range (arena, str, sipws_arena_strndup (arena, str, len), str, str + len, error);
  if (self == NULL)
    sipws_arena_unref (arena);
  return self;
}

/**
 * sipws_address_new:
 * @display_name: (nullable): the display name
 * @uri: the URI
 *
 * Creates an address to complete with the setters before it is shared.
 *
 * Returns: (transfer full): a new address
 */
SipwsAddress *
sipws_address_new (const char *display_name,
                   SipwsUri   *uri)
{
  SipwsAddress *self;

  g_return_val_if_fail (uri != NULL, NULL);

  self = address_new_in (sipws_arena_new (arena_size_for (32)));
  /* The URI is in another arena, which this one keeps alive. */
  self->uri = sipws_uri_ref (uri);
  sipws_arena_add_cleanup (self->arena, (GDestroyNotify) sipws_uri_unref, uri);
  sipws_address_set_display_name (self, display_name);
  return self;
}

/**
 * sipws_address_new_wildcard:
 *
 * Creates the `*` of `Contact: *` (removing every binding of a REGISTER).
 *
 * Returns: (transfer full): a new wildcard address
 */
SipwsAddress *
sipws_address_new_wildcard (void)
{
  SipwsAddress *self = address_new_in (sipws_arena_new (sizeof (SipwsAddress) + 8));

  self->wildcard = TRUE;
  return self;
}

/**
 * sipws_address_copy:
 * @self: an address
 *
 * Makes an independent copy, URI included, for instance to modify a shared
 * address.
 *
 * Returns: (transfer full): the copy
 */
SipwsAddress *
sipws_address_copy (SipwsAddress *self)
{
  SipwsAddress *copy;
  const char *what;

  g_return_val_if_fail (self != NULL, NULL);

  copy = address_new_in (sipws_arena_new (arena_size_for (64)));
  copy->wildcard = self->wildcard;
  copy->quoted_display = self->quoted_display;
  if (self->uri != NULL)
    copy->uri = sipws_uri_copy_in (copy->arena, self->uri);
  if (self->display_name != NULL)
    copy->display_name = sipws_arena_strndup (copy->arena, self->display_name, strlen (self->display_name));
  sipws_params_copy (&copy->params, copy->arena, &self->params);
  index_params (copy, &what);
  return copy;
}

/**
 * sipws_address_ref:
 * @self: an address
 *
 * Adds a reference. An address that is part of a parsed message shares the
 * message's memory: the reference keeps that memory, not the message object,
 * alive.
 *
 * Returns: (transfer full): @self, with one more reference
 */
SipwsAddress *
sipws_address_ref (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  sipws_arena_ref (self->arena);
  return self;
}

/**
 * sipws_address_unref:
 * @self: (transfer full): an address
 *
 * Drops one reference; the last one frees the address.
 */
void
sipws_address_unref (SipwsAddress *self)
{
  g_return_if_fail (self != NULL);

  sipws_arena_unref (self->arena);
}

/**
 * sipws_address_is_wildcard:
 * @self: an address
 *
 * Tells whether this is the wildcard of a REGISTER's `Contact: *`, which with
 * `Expires: 0` removes every binding of the address-of-record (RFC 3261
 * §10.2.2). A wildcard has no URI, display name or parameters to read.
 *
 * Returns: whether this is the `*` of `Contact: *`
 */
gboolean
sipws_address_is_wildcard (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->wildcard;
}

/**
 * sipws_address_get_display_name:
 * @self: an address
 *
 * Gets the display name: a quoted one without its quotes and with its
 * escapes resolved (`"A \"B\""` gives `A "B"`), a token one with its words
 * joined by single spaces. An escaped NUL cuts the string there.
 *
 * Returns: (nullable): the display name, or %NULL when there is none
 */
const char *
sipws_address_get_display_name (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->display_name;
}

/**
 * sipws_address_set_display_name:
 * @self: an address not shared yet
 * @display_name: (nullable): the display name, or %NULL for none
 *
 * Sets the display name; it is written quoted unless it is a series of
 * tokens separated by single spaces.
 */
void
sipws_address_set_display_name (SipwsAddress *self,
                                const char   *display_name)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->wildcard);

  self->display_name = display_name != NULL ? sipws_arena_strndup (self->arena, display_name, strlen (display_name))
                                            : NULL;
  self->quoted_display = FALSE;
}

/**
 * sipws_address_get_uri:
 * @self: an address
 *
 * Gets the URI of the address: the part inside `<>`, or the whole value when
 * it is written without brackets. The URI shares the address's memory; take a
 * reference with [method@Sipws.Uri.ref] to keep it longer.
 *
 * Returns: (transfer none) (nullable): the URI; %NULL for a wildcard
 */
SipwsUri *
sipws_address_get_uri (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->uri;
}

/**
 * sipws_address_has_param:
 * @self: an address
 * @name: a header parameter name (case-insensitive)
 *
 * Tells whether a header parameter (one after the `>`, not a parameter of the
 * URI) is present. This is the way to test a parameter without value, such as
 * the `+sip.ice` feature tag of a Contact, for which
 * [method@Sipws.Address.get_param] gives %NULL.
 *
 * Returns: whether the address has the parameter, with or without a value
 */
gboolean
sipws_address_has_param (SipwsAddress *self,
                         const char   *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return sipws_params_find (&self->params, name) != NULL;
}

/**
 * sipws_address_get_param:
 * @self: an address
 * @name: a header parameter name (case-insensitive)
 *
 * Gets a header parameter (after the `>`, or after a URI without `<>`); a
 * quoted value is returned without its quotes (`+sip.instance="<urn:…>"`
 * gives `<urn:…>`).
 *
 * Returns: (nullable): the value; %NULL when the parameter is absent or has
 *   no value
 */
const char *
sipws_address_get_param (SipwsAddress *self,
                         const char   *name)
{
  const SipwsParam *param;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  param = sipws_params_find (&self->params, name);
  return param != NULL ? param->value : NULL;
}

/**
 * sipws_address_get_param_names:
 * @self: an address
 *
 * Lists the header parameters, with their names as written (not case-folded)
 * and a repeated name once per occurrence, to walk the ones this library does
 * not know with [method@Sipws.Address.get_param].
 *
 * Returns: (transfer full) (array zero-terminated=1): the header parameter
 *   names in order of appearance
 */
char **
sipws_address_get_param_names (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sipws_params_dup_names (&self->params);
}

/**
 * sipws_address_set_param:
 * @self: an address not shared yet
 * @name: the parameter name, a token
 * @value: (nullable): the value, or %NULL for a parameter without value
 *
 * Sets a header parameter, replacing the value of an existing one. A value
 * that is neither a token nor an IP address is written as a quoted string.
 */
void
sipws_address_set_param (SipwsAddress *self,
                         const char   *name,
                         const char   *value)
{
  const char *what;

  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->wildcard);
  g_return_if_fail (name != NULL && sipws_scan_is_token (name, strlen (name)));

  sipws_params_set (&self->params, self->arena, SIPWS_PARAMS_HEADER, name, value);
  index_params (self, &what);
}

/**
 * sipws_address_remove_param:
 * @self: an address not shared yet
 * @name: the parameter name (case-insensitive)
 *
 * Removes a header parameter.
 *
 * Returns: whether there was such a parameter
 */
gboolean
sipws_address_remove_param (SipwsAddress *self,
                            const char   *name)
{
  const char *what;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!sipws_params_remove (&self->params, name))
    return FALSE;
  index_params (self, &what);
  return TRUE;
}

/**
 * sipws_address_get_tag:
 * @self: an address
 *
 * Gets the `tag` parameter of a From or To: with the Call-ID, the From and To
 * tags identify a dialog (RFC 3261 §12). A To without a tag marks a request
 * outside a dialog; the UAS adds one to its responses (RFC 3261 §8.2.6.2).
 *
 * Returns: (nullable): the `tag` parameter (From/To), or %NULL
 */
const char *
sipws_address_get_tag (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tag;
}

/**
 * sipws_address_get_expires:
 * @self: an address
 *
 * Gets the `expires` parameter of a Contact: the lifetime of that binding in
 * seconds. In a REGISTER response it is what the registrar granted and takes
 * precedence over the Expires header; 0 in a request removes the binding (RFC
 * 3261 §10.2.1, §10.2.4).
 *
 * Returns: the `expires` parameter of a Contact in seconds (0 to
 *   4294967295), or -1 when it is absent
 */
gint64
sipws_address_get_expires (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->expires;
}

/**
 * sipws_address_get_q:
 * @self: an address
 *
 * Gets the `q` parameter of a Contact in thousandths, so `q=0.7` gives 700,
 * which sorts and compares exactly.
 *
 * Returns: the preference from 0 to 1000, or -1 when it is absent
 */
gint
sipws_address_get_q (SipwsAddress *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->q;
}

/* Whether @s can be written unquoted: tokens separated by single spaces. */
static gboolean
is_token_words (const char *s)
{
  for (;;)
    {
      const char *t = sipws_scan_token (s, s + strlen (s));

      if (t == s)
        return FALSE;
      if (*t == '\0')
        return TRUE;
      if (*t != ' ')
        return FALSE;
      s = t + 1;
    }
}

/**
 * sipws_address_to_string:
 * @self: an address
 *
 * Writes the address as a name-addr (the URI always in `<>`, so its
 * parameters stay its own), followed by the header parameters.
 *
 * Returns: (transfer full): the address text
 */
char *
sipws_address_to_string (SipwsAddress *self)
{
  g_autofree char *uri = NULL;
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->wildcard)
    return g_strdup ("*");

  out = g_string_sized_new (96);
  if (self->display_name != NULL)
    {
      if (!self->quoted_display && is_token_words (self->display_name))
        g_string_append (out, self->display_name);
      else
        sipws_scan_append_quoted (out, self->display_name, strlen (self->display_name));
      g_string_append_c (out, ' ');
    }
  uri = sipws_uri_to_string (self->uri);
  g_string_append_c (out, '<');
  g_string_append (out, uri);
  g_string_append_c (out, '>');
  sipws_params_append (&self->params, SIPWS_PARAMS_HEADER, out);
  return g_string_free (out, FALSE);
}
