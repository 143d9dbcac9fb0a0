/* sipws-params.c: ordered ;name[=value] parameter lists */
#include <string.h>

#include "sipws-params-private.h"
#include "sipws-scan-private.h"

void
sipws_params_init (SipwsParams *params)
{
  memset (params, 0, sizeof *params);
}

void
sipws_params_clear (SipwsParams *params)
{
  guint i;

  for (i = 0; i < params->len; i++)
    g_free (params->items[i].owned);
  if (params->items_owned)
    g_free (params->items);
  g_free (params->buf);
  memset (params, 0, sizeof *params);
}

gsize
sipws_params_arena_size (const char *p,
                         const char *end,
                         guint      *n_items)
{
  gsize span = end - p;
  const char *q;
  guint n = 0;

  /* Every entry starts with a separator, so their count bounds the number
   * of entries: ';' anywhere, then '?' and the '&' after it. memchr() is
   * much cheaper than a byte loop on these short spans. */
  for (q = p; (q = memchr (q, ';', end - q)) != NULL; q++)
    n++;
  q = memchr (p, '?', span);
  if (q != NULL)
    for (n++; (q = memchr (q + 1, '&', end - q - 1)) != NULL; )
      n++;
  if (n > SIPWS_PARAMS_MAX)
    n = SIPWS_PARAMS_MAX;
  *n_items = n;
  if (n == 0)
    return 0;
  /* Decoded names and values fit in the span with a NUL each; the wire form
   * of escaped values may need the span once more. */
  return span + 2 * (gsize) n + (memchr (p, '%', span) != NULL ? span + n : 0);
}

/* Copies [s, s+len) to the arena, %HH escapes decoded when @escaped (the
 * span scanner checked them), NUL-terminated. */
static inline const char *
arena_put (char       **arena,
           const char  *s,
           gsize        len,
           gboolean     escaped)
{
  char *out = *arena;
  char *o;

  if (escaped)
    o = sipws_scan_decode_escapes (out, s, len);
  else
    {
      memcpy (out, s, len);
      o = out + len;
    }
  *o++ = '\0';
  *arena = o;
  return out;
}

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

gboolean
sipws_params_parse_in (SipwsParams       *params,
                       SipwsParamsSyntax  syntax,
                       const char        *start,
                       const char       **pp,
                       const char        *end,
                       SipwsParam        *items,
                       guint              capacity,
                       char             **arena,
                       GError           **error)
{
  const char *p = *pp;
  gboolean header = syntax == SIPWS_PARAMS_HEADER;
  guint32 name_classes;
  char sep;

  g_return_val_if_fail (params->len == 0, FALSE);

  switch (syntax)
    {
    case SIPWS_PARAMS_URI:
      name_classes = SIPWS_CC_PARAM_CHAR;
      sep = ';';
      break;
    case SIPWS_PARAMS_URI_HEADERS:
      name_classes = SIPWS_CC_HNV_CHAR;
      sep = '?';
      break;
    case SIPWS_PARAMS_HEADER:
    default:
      name_classes = SIPWS_CC_TOKEN;
      sep = ';';
      break;
    }

  params->items = items;
  params->capacity = capacity;
  params->items_owned = FALSE;

  for (;;)
    {
      const char *q = header ? sipws_scan_skip_lws (p, end) : p;
      const char *name, *name_end, *value = NULL, *value_end = NULL;
      gboolean quoted = FALSE, name_escaped = FALSE, value_escaped = FALSE;
      SipwsParam *param;

      if (q >= end || *q != sep)
        break;
      q++;
      if (header)
        q = sipws_scan_skip_lws (q, end);

      name = q;
      name_end = header ? sipws_scan_token (q, end) : sipws_scan_span_escaped (q, end, name_classes, &name_escaped);
      if (!header && !check_bad_escape (start, name_end, end, error))
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
        case SIPWS_PARAMS_HEADER:
          {
            const char *r = sipws_scan_skip_lws (q, end);

            if (r < end && *r == '=')
              {
                r = sipws_scan_skip_lws (r + 1, end);
                value = r;
                if (r < end && *r == '"')
                  {
                    if (!sipws_scan_quoted_string (start, &r, end, error))
                      return FALSE;
                    quoted = TRUE;
                  }
                else
                  r = sipws_scan_span (r, end, SIPWS_CC_GEN_VALUE);
                if (r == value)
                  {
                    sipws_scan_set_error (error, start, r, "expected parameter value after '='");
                    return FALSE;
                  }
                value_end = r;
                q = r;
              }
          }
          break;

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

      if (params->len >= capacity)
        {
          sipws_scan_set_error (error, start, name, "more than %u parameters", SIPWS_PARAMS_MAX);
          return FALSE;
        }

      param = &items[params->len];
      memset (param, 0, sizeof *param);
      param->name = arena_put (arena, name, name_end - name, name_escaped);
      if (name_escaped && strlen (param->name) != (gsize) (*arena - 1 - param->name))
        {
          sipws_scan_set_error (error, start, name, "escaped NUL in parameter name");
          return FALSE;
        }
      /* A repeated parameter would mean different things to different
       * readers (which tag, which branch?); URI headers may repeat. */
      if (syntax != SIPWS_PARAMS_URI_HEADERS)
        {
          guint i;

          for (i = 0; i < params->len; i++)
            if ((items[i].name[0] | 0x20) == (param->name[0] | 0x20) &&
                g_ascii_strcasecmp (items[i].name, param->name) == 0)
              {
                sipws_scan_set_error (error, start, name, "duplicate parameter '%.*s'",
                                      (int) MIN (name_end - name, 32), name);
                return FALSE;
              }
        }
      if (quoted)
        {
          /* Resolve quoted-pairs straight into the arena; most quoted
           * values have none and are one memcpy. */
          const char *s = value + 1, *s_end = value_end - 1;
          char *o = *arena;

          param->value = o;
          if (memchr (s, '\\', s_end - s) == NULL)
            {
              memcpy (o, s, s_end - s);
              o += s_end - s;
            }
          else
            while (s < s_end)
              {
                if (*s == '\\')
                  s++;
                *o++ = *s++;
              }
          *o++ = '\0';
          *arena = o;
          param->quoted = TRUE;
        }
      else if (value != NULL)
        {
          param->value = arena_put (arena, value, value_end - value, value_escaped);
          if (value_escaped)
            param->wire = arena_put (arena, value, value_end - value, FALSE);
        }
      params->len++;
      p = q;
    }

  *pp = p;
  return TRUE;
}

gboolean
sipws_params_parse (SipwsParams       *params,
                    SipwsParamsSyntax  syntax,
                    const char        *start,
                    const char       **pp,
                    const char        *end,
                    GError           **error)
{
  guint capacity;
  gsize size;
  char *arena;

  g_return_val_if_fail (params->len == 0 && params->buf == NULL, FALSE);

  size = sipws_params_arena_size (*pp, end, &capacity);
  if (size == 0)
    return TRUE;

  /* One block: the entries first (g_malloc's alignment suits them), then
   * their strings. */
  params->buf = g_malloc (capacity * sizeof (SipwsParam) + size);
  arena = params->buf + capacity * sizeof (SipwsParam);
  if (!sipws_params_parse_in (params, syntax, start, pp, end, (SipwsParam *) (gpointer) params->buf,
                              capacity, &arena, error))
    {
      sipws_params_clear (params);
      return FALSE;
    }
  return TRUE;
}

void
sipws_params_copy (SipwsParams       *dest,
                   const SipwsParams *src)
{
  gsize size;
  char *arena;
  guint i;

  g_return_if_fail (dest->len == 0 && dest->buf == NULL);

  if (src->len == 0)
    return;

  size = src->len * sizeof (SipwsParam);
  for (i = 0; i < src->len; i++)
    {
      const SipwsParam *s = &src->items[i];

      size += strlen (s->name) + 1;
      if (s->value != NULL)
        size += strlen (s->value) + 1;
      if (s->wire != NULL)
        size += strlen (s->wire) + 1;
    }

  dest->buf = g_malloc (size);
  dest->items = (SipwsParam *) (gpointer) dest->buf;
  dest->capacity = src->len;
  dest->items_owned = FALSE;
  arena = dest->buf + src->len * sizeof (SipwsParam);
  for (i = 0; i < src->len; i++)
    {
      const SipwsParam *s = &src->items[i];
      SipwsParam *d = &dest->items[i];
      gsize n;

      memset (d, 0, sizeof *d);
      d->quoted = s->quoted;
      n = strlen (s->name) + 1;
      d->name = memcpy (arena, s->name, n);
      arena += n;
      if (s->value != NULL)
        {
          n = strlen (s->value) + 1;
          d->value = memcpy (arena, s->value, n);
          arena += n;
        }
      if (s->wire != NULL)
        {
          n = strlen (s->wire) + 1;
          d->wire = memcpy (arena, s->wire, n);
          arena += n;
        }
    }
  dest->len = src->len;
}

const SipwsParam *
sipws_params_lookup (const SipwsParams *params,
                     const char        *name)
{
  guint i;

  for (i = 0; i < params->len; i++)
    if (g_ascii_strcasecmp (params->items[i].name, name) == 0)
      return &params->items[i];
  return NULL;
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
    names[i] = g_strdup (params->items[i].name);
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
                  SipwsParamsSyntax  syntax,
                  const char        *name,
                  const char        *value)
{
  SipwsParam *param = NULL;
  gsize name_len, value_len;
  char *block;
  guint i;

  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (syntax != SIPWS_PARAMS_HEADER || sipws_scan_is_token (name, strlen (name)));

  for (i = 0; i < params->len && param == NULL; i++)
    if (g_ascii_strcasecmp (params->items[i].name, name) == 0)
      param = &params->items[i];

  if (param == NULL)
    {
      g_return_if_fail (params->len < SIPWS_PARAMS_MAX);
      if (!params->items_owned || params->len == params->capacity)
        {
          guint capacity = MAX (params->len * 2, 4);
          SipwsParam *items = g_new (SipwsParam, capacity);

          if (params->len > 0)
            memcpy (items, params->items, params->len * sizeof (SipwsParam));
          if (params->items_owned)
            g_free (params->items);
          params->items = items;
          params->capacity = capacity;
          params->items_owned = TRUE;
        }
      param = &params->items[params->len++];
      memset (param, 0, sizeof *param);
    }
  else
    {
      /* Only the value changes; the name keeps its spelling. */
      name = param->name;
    }

  name_len = strlen (name);
  value_len = value != NULL ? strlen (value) : 0;
  block = g_malloc (name_len + 1 + (value != NULL ? value_len + 1 : 0));
  memcpy (block, name, name_len + 1);
  if (value != NULL)
    memcpy (block + name_len + 1, value, value_len + 1);

  g_free (param->owned);
  param->owned = block;
  param->name = block;
  param->value = value != NULL ? block + name_len + 1 : NULL;
  param->wire = NULL;
  param->quoted = syntax == SIPWS_PARAMS_HEADER && value != NULL && needs_quotes (value);
}

gboolean
sipws_params_remove (SipwsParams *params,
                     const char  *name)
{
  gboolean found = FALSE;
  guint i = 0;

  while (i < params->len)
    {
      SipwsParam *param = &params->items[i];

      if (g_ascii_strcasecmp (param->name, name) != 0)
        {
          i++;
          continue;
        }
      g_free (param->owned);
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
          sipws_scan_append_escaped (out, param->name, strlen (param->name), SIPWS_CC_PARAM_CHAR);
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
          sipws_scan_append_escaped (out, param->name, strlen (param->name), SIPWS_CC_HNV_CHAR);
          g_string_append_c (out, '=');
          if (param->wire != NULL)
            g_string_append (out, param->wire);
          else if (param->value != NULL)
            sipws_scan_append_escaped (out, param->value, strlen (param->value), SIPWS_CC_HNV_CHAR);
          break;

        case SIPWS_PARAMS_HEADER:
        default:
          g_string_append_c (out, ';');
          g_string_append (out, param->name);
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
