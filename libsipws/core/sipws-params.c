/* sipws-params.c: ordered ;name[=value] parameter lists */
#include <string.h>

#include "sipws-params-private.h"
#include "sipws-scan-private.h"

/* Reports the byte that ended a URI parameter or header: a '%' there is a
 * bad escape, anything else is for the caller to judge. */
static inline gboolean
check_bad_escape (const char  *start,
                  const char  *p,
                  const char  *end,
                  GError     **error)
{
  if (p < end && *p == '%')
    {
      sipws_scan_set_error (error, start, p, "invalid %%-escape in parameter");
      return FALSE;
    }
  return TRUE;
}

/* A repeated parameter would mean different things to different readers
 * (which tag, which branch?): FALSE with @error set when the entry @n
 * repeats a name of the entries before it. */
static inline gboolean
check_repeat (const SipwsParam  *items,
              guint              n,
              guint64           *seen,
              const char        *start,
              const char        *name,
              const char        *name_end,
              GError           **error)
{
  if (!sipws_params_repeats (items, n, items[n].name, items[n].name_len, seen))
    return TRUE;
  sipws_scan_set_error (error, start, name, "duplicate parameter '%.*s'",
                        (int) MIN (name_end - name, 32), name);
  return FALSE;
}

void
sipws_params_copy_wires (SipwsParam *items,
                         guint       n_wire,
                         SipwsArena *arena,
                         const char *end,
                         guint32     classes)
{
  for (SipwsParam *param = items; n_wire > 0; param++)
    if (param->wire != NULL)
      {
        gboolean escaped;
        const char *wire_end = sipws_scan_span_escaped (param->wire, end, classes, &escaped);

        param->wire = sipws_arena_strndup (arena, param->wire, wire_end - param->wire);
        n_wire--;
      }
}

gboolean
sipws_params_give_back (const char *start,
                        char       *out,
                        const char *first,
                        const char *end)
{
  memcpy (sipws_scan_mirror (start, out, first + 1), first + 1, end - (first + 1));
  return FALSE;
}

gboolean
sipws_params_parse_simple (SipwsParams       *params,
                           SipwsArena        *arena,
                           SipwsParamsSyntax  syntax,
                           const char        *start,
                           char              *out,
                           const char        *p,
                           const char        *end,
                           gboolean           end_stops)
{
  g_assert (syntax != SIPWS_PARAMS_URI_HEADERS);

  /* each syntax gets its own specialised copy of the loop */
  if (syntax == SIPWS_PARAMS_HEADER)
    return sipws_params_parse_simple_inline (params, arena, start, out, p, end, TRUE, FALSE);
  if (end_stops)
    return sipws_params_parse_simple_inline (params, arena, start, out, p, end, FALSE, TRUE);
  return sipws_params_parse_simple_inline (params, arena, start, out, p, end, FALSE, FALSE);
}

/* SIPWS_PARAMS_HEADER, the most common lists (addresses, Via hops), in a
 * loop of their own: token names, token / host / quoted-string values, no
 * escapes, blanks around ';' and '='. */
static gboolean
parse_header_params (SipwsParams  *params,
                     SipwsArena   *arena,
                     const char   *start,
                     char         *out,
                     const char  **pp,
                     const char   *end,
                     GError      **error)
{
  const char *p = *pp;
  guint n = 0, capacity = (guint) MIN ((gsize) (end - p) / 2, SIPWS_PARAMS_MAX);
  SipwsParam *items = sipws_arena_reserve_aligned (arena, capacity * sizeof (SipwsParam));
  guint64 seen = 0;

  for (;;)
    {
      const char *q = sipws_scan_skip_lws (p, end);
      const char *name, *name_end, *value = NULL, *value_end = NULL, *r;
      gboolean quoted = FALSE, token = FALSE;
      SipwsParam *param;

      if (q >= end || *q != ';')
        break;
      name = sipws_scan_skip_lws (q + 1, end);
      name_end = sipws_scan_token (name, end);
      if (name_end == name)
        {
          sipws_scan_set_error (error, start, name, "expected parameter name after ';'");
          return FALSE;
        }
      q = name_end;
      r = sipws_scan_skip_lws (name_end, end);
      if (r < end && *r == '=')
        {
          value = r = sipws_scan_skip_lws (r + 1, end);
          if (r < end && *r == '"')
            {
              if (!sipws_scan_quoted_string (start, &r, end, error))
                return FALSE;
              quoted = TRUE;
            }
          else
            {
              r = sipws_scan_token (r, end);
              token = r > value;
              if (r < end && sipws_scan_is (*r, SIPWS_CC_GEN_VALUE))
                {
                  r = sipws_scan_span (r, end, SIPWS_CC_GEN_VALUE);
                  token = FALSE;
                }
              if (r == value)
                {
                  sipws_scan_set_error (error, start, r, "expected parameter value after '='");
                  return FALSE;
                }
            }
          value_end = q = r;
        }

      if (n >= capacity)
        {
          /* capacity is short of what the text can hold only at 64 */
          sipws_scan_set_error (error, start, name, "more than %u parameters", SIPWS_PARAMS_MAX);
          return FALSE;
        }
      param = &items[n];
      param->name = sipws_scan_mirror_string (start, out, name, name_end);
      param->name_len = name_end - name;
      param->wire = NULL;
      param->quoted = quoted;
      param->token = token;
      if (!check_repeat (items, n, &seen, start, name, name_end, error))
        return FALSE;

      if (quoted)
        {
          /* the quoted-pairs resolved in place */
          char *o = sipws_scan_mirror (start, out, value + 1);

          param->value = o;
          *sipws_scan_unquote_to (o, value + 1, value_end - 1) = '\0';
        }
      else if (value != NULL)
        param->value = sipws_scan_mirror_string (start, out, value, value_end);
      else
        param->value = NULL;
      n++;
      p = q;
    }

  if (n > 0)
    sipws_params_take_items (params, arena, items, n);
  *pp = p;
  return TRUE;
}

gboolean
sipws_params_parse (SipwsParams       *params,
                    SipwsArena        *arena,
                    SipwsParamsSyntax  syntax,
                    const char        *start,
                    char              *out,
                    const char       **pp,
                    const char        *end,
                    GError           **error)
{
  const char *p = *pp;
  guint32 name_classes;
  guint n = 0, capacity, n_wire = 0;
  guint64 seen = 0;
  SipwsParam *items;
  char sep;

  g_return_val_if_fail (params->len == 0, FALSE);

  /* Every entry takes two bytes at least (";a"): the entries go straight
   * to the arena, in room for as many as the text can hold, and only what
   * is used is taken. Nothing else is allocated until then. */
  if (p >= end || (*p != ';' && *p != '?' && !(syntax == SIPWS_PARAMS_HEADER && sipws_scan_is (*p, SIPWS_CC_WS))))
    return TRUE;
  if (syntax == SIPWS_PARAMS_HEADER)
    {
      /* most lists (a Content-Type's) are the whole rest of the value and
       * what the fast path reads at once */
      if (*p == ';' && sipws_params_parse_simple_inline (params, arena, start, out, p, end, TRUE, FALSE))
        {
          *pp = end;
          return TRUE;
        }
      return parse_header_params (params, arena, start, out, pp, end, error);
    }

  if (syntax == SIPWS_PARAMS_URI)
    {
      name_classes = SIPWS_CC_PARAM_CHAR;
      sep = ';';
    }
  else
    {
      name_classes = SIPWS_CC_HNV_CHAR;
      sep = '?';
    }
  capacity = (guint) MIN ((gsize) (end - p) / 2, SIPWS_PARAMS_MAX);
  items = sipws_arena_reserve_aligned (arena, capacity * sizeof (SipwsParam));

  /* URI parameters and headers: no blanks, %HH escapes in names and values */
  for (;;)
    {
      const char *q = p;
      const char *name, *name_end, *value = NULL, *value_end = NULL;
      gboolean name_escaped = FALSE, value_escaped = FALSE;
      SipwsParam *param;

      if (q >= end || *q != sep)
        break;
      q++;

      name = q;
      name_end = sipws_scan_span_escaped (q, end, name_classes, &name_escaped);
      if (!check_bad_escape (start, name_end, end, error))
        return FALSE;
      if (name_end == name)
        {
          sipws_scan_set_error (error, start, q, "expected %s name after '%c'",
                                syntax == SIPWS_PARAMS_URI_HEADERS ? "header" : "parameter", sep);
          return FALSE;
        }
      q = name_end;

      switch (syntax)
        {
        case SIPWS_PARAMS_URI:
          if (q < end && *q == '=')
            {
              value = q + 1;
              value_end = sipws_scan_span_escaped (value, end, SIPWS_CC_PARAM_CHAR, &value_escaped);
              if (!check_bad_escape (start, value_end, end, error))
                return FALSE;
              if (value_end == value)
                {
                  sipws_scan_set_error (error, start, value, "expected parameter value after '='");
                  return FALSE;
                }
              q = value_end;
            }
          break;

        case SIPWS_PARAMS_URI_HEADERS:
        case SIPWS_PARAMS_HEADER:
        default:
          if (q >= end || *q != '=')
            {
              sipws_scan_set_error (error, start, q, "expected '=' after header name");
              return FALSE;
            }
          value = q + 1;
          value_end = sipws_scan_span_escaped (value, end, SIPWS_CC_HNV_CHAR, &value_escaped);
          if (!check_bad_escape (start, value_end, end, error))
            return FALSE;
          q = value_end;
          sep = '&';
          break;
        }

      if (n >= capacity)
        {
          /* capacity is short of what the text can hold only at 64 */
          sipws_scan_set_error (error, start, name, "more than %u parameters", SIPWS_PARAMS_MAX);
          return FALSE;
        }
      param = &items[n];
      param->quoted = FALSE;
      param->token = FALSE;
      param->wire = NULL;
      param->name = sipws_scan_mirror (start, out, name);
      param->name_len = sipws_params_mirror_decoded (start, out, name, name_end, name_escaped);
      if (name_escaped && memchr (param->name, '\0', param->name_len) != NULL)
        {
          sipws_scan_set_error (error, start, name, "escaped NUL in parameter name");
          return FALSE;
        }
      /* URI headers may repeat (?Route=a&Route=b). */
      if (syntax != SIPWS_PARAMS_URI_HEADERS && !check_repeat (items, n, &seen, start, name, name_end, error))
        return FALSE;

      if (value != NULL)
        {
          param->value = sipws_scan_mirror (start, out, value);
          sipws_params_mirror_decoded (start, out, value, value_end, value_escaped);
          if (value_escaped)
            {
              /* The text as written, copied once the entries are placed. */
              param->wire = value;
              n_wire++;
            }
        }
      else
        param->value = NULL;
      n++;
      p = q;
    }

  if (n > 0)
    {
      sipws_arena_commit (arena, (const char *) (items + n));
      params->items = items;
      params->len = params->capacity = n;
      if (n_wire > 0)
        sipws_params_copy_wires (items, n_wire, arena, end, syntax == SIPWS_PARAMS_URI ? SIPWS_CC_PARAM_CHAR : SIPWS_CC_HNV_CHAR);
    }
  *pp = p;
  return TRUE;
}

void
sipws_params_copy (SipwsParams       *dest,
                   SipwsArena        *arena,
                   const SipwsParams *src)
{
  g_return_if_fail (dest->len == 0);

  if (src->len == 0)
    return;

  dest->items = sipws_arena_alloc (arena, src->len * sizeof (SipwsParam));
  for (guint i = 0; i < src->len; i++)
    {
      const SipwsParam *s = &src->items[i];
      SipwsParam *d = &dest->items[i];

      d->name = sipws_arena_strndup (arena, s->name, s->name_len);
      d->name_len = s->name_len;
      d->value = s->value != NULL ? sipws_arena_strndup (arena, s->value, strlen (s->value)) : NULL;
      d->wire = s->wire != NULL ? sipws_arena_strndup (arena, s->wire, strlen (s->wire)) : NULL;
      d->quoted = s->quoted;
      d->token = s->token;
    }
  dest->len = dest->capacity = src->len;
}

const SipwsParam *
sipws_params_lookup (const SipwsParams *params,
                     const char        *name)
{
  return sipws_params_find (params, name);
}

gboolean
sipws_params_has (const SipwsParams *params,
                  const char        *name)
{
  return sipws_params_lookup (params, name) != NULL;
}

const char *
sipws_params_get (const SipwsParams *params,
                  const char        *name)
{
  const SipwsParam *param = sipws_params_lookup (params, name);

  return param != NULL ? param->value : NULL;
}

char **
sipws_params_dup_names (const SipwsParams *params)
{
  char **names = g_new (char *, params->len + 1);
  guint i;

  for (i = 0; i < params->len; i++)
    names[i] = g_strndup (params->items[i].name, params->items[i].name_len);
  names[i] = NULL;
  return names;
}

static gboolean
needs_quotes (const char *value)
{
  gsize len = strlen (value);

  if (sipws_scan_is_token (value, len))
    return FALSE;
  /* Via received= and maddr= carry bare IP addresses. */
  if (len > 2 && value[0] == '[' && value[len - 1] == ']')
    return !sipws_scan_is_ipv6 (value + 1, value + len - 1);
  return !sipws_scan_is_ipv6 (value, value + len);
}

void
sipws_params_set (SipwsParams       *params,
                  SipwsArena        *arena,
                  SipwsParamsSyntax  syntax,
                  const char        *name,
                  const char        *value)
{
  SipwsParam *param;

  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (syntax != SIPWS_PARAMS_HEADER || sipws_scan_is_token (name, strlen (name)));

  param = (SipwsParam *) sipws_params_lookup (params, name);
  if (param == NULL)
    {
      gsize name_len = strlen (name);

      g_return_if_fail (params->len < SIPWS_PARAMS_MAX);
      if (params->len == params->capacity)
        {
          /* The old entries stay in the arena, unused. */
          guint capacity = MAX (params->len * 2, 4);
          SipwsParam *items = sipws_arena_alloc (arena, capacity * sizeof (SipwsParam));

          if (params->len > 0)
            memcpy (items, params->items, params->len * sizeof (SipwsParam));
          params->items = items;
          params->capacity = capacity;
        }
      param = &params->items[params->len++];
      param->name = sipws_arena_strndup (arena, name, name_len);
      param->name_len = name_len;
    }
  /* else only the value changes; the name keeps its spelling */

  param->value = value != NULL ? sipws_arena_strndup (arena, value, strlen (value)) : NULL;
  param->wire = NULL;
  param->token = value != NULL && sipws_scan_is_token (value, strlen (value));
  param->quoted = syntax == SIPWS_PARAMS_HEADER && value != NULL && !param->token && needs_quotes (value);
}

gboolean
sipws_params_remove (SipwsParams *params,
                     const char  *name)
{
  gsize len = strlen (name);
  gboolean found = FALSE;
  guint i = 0;

  while (i < params->len)
    {
      SipwsParam *param = &params->items[i];

      if (!sipws_param_name_is (param, name, len))
        {
          i++;
          continue;
        }
      memmove (param, param + 1, (params->len - i - 1) * sizeof (SipwsParam));
      params->len--;
      found = TRUE;
    }
  return found;
}

void
sipws_params_append (const SipwsParams *params,
                     SipwsParamsSyntax  syntax,
                     GString           *out)
{
  guint i;

  for (i = 0; i < params->len; i++)
    {
      const SipwsParam *param = &params->items[i];

      switch (syntax)
        {
        case SIPWS_PARAMS_URI:
          g_string_append_c (out, ';');
          sipws_scan_append_escaped (out, param->name, param->name_len, SIPWS_CC_PARAM_CHAR);
          if (param->value != NULL)
            {
              g_string_append_c (out, '=');
              if (param->wire != NULL)
                g_string_append (out, param->wire);
              else
                sipws_scan_append_escaped (out, param->value, strlen (param->value), SIPWS_CC_PARAM_CHAR);
            }
          break;

        case SIPWS_PARAMS_URI_HEADERS:
          g_string_append_c (out, i == 0 ? '?' : '&');
          sipws_scan_append_escaped (out, param->name, param->name_len, SIPWS_CC_HNV_CHAR);
          g_string_append_c (out, '=');
          if (param->wire != NULL)
            g_string_append (out, param->wire);
          else if (param->value != NULL)
            sipws_scan_append_escaped (out, param->value, strlen (param->value), SIPWS_CC_HNV_CHAR);
          break;

        case SIPWS_PARAMS_HEADER:
        default:
          g_string_append_c (out, ';');
          g_string_append_len (out, param->name, param->name_len);
          if (param->value != NULL)
            {
              g_string_append_c (out, '=');
              if (param->quoted)
                sipws_scan_append_quoted (out, param->value, strlen (param->value));
              else
                g_string_append (out, param->value);
            }
          break;
        }
    }
}
