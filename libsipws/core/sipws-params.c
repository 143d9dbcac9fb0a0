/* sipws-params.c: ordered ;name[=value] parameter lists */
#include <string.h>

#include "sipws-params-private.h"
#include "sipws-scan-private.h"

/* Copies [s, s+len) to the arena, %HH escapes decoded when @escaped (the
 * span scanner checked them), NUL-terminated; the decoded length goes to
 * *@out_len. */
static inline const char *
arena_put (SipwsArena *arena,
           const char *s,
           gsize       len,
           gboolean    escaped,
           gsize      *out_len)
{
  char *out = sipws_arena_reserve (arena, len + 1);
  char *o;

  if (escaped)
    o = sipws_scan_decode_escapes (out, s, len);
  else
    {
      memcpy (out, s, len);
      o = out + len;
    }
  *o = '\0';
  sipws_arena_commit (arena, o + 1);
  *out_len = o - out;
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

static inline gboolean
names_equal (const SipwsParam *a,
             const SipwsParam *b)
{
  return a->name_len == b->name_len && sipws_scan_caseless_equal (a->name, b->name, a->name_len);
}

gboolean
sipws_params_parse (SipwsParams       *params,
                    SipwsArena        *arena,
                    SipwsParamsSyntax  syntax,
                    const char        *start,
                    const char       **pp,
                    const char        *end,
                    GError           **error)
{
  /* The entries are collected here and copied to the arena at the end, in
   * one piece of the right size, after the strings they point to. */
  SipwsParam items[SIPWS_PARAMS_MAX];
  const char *p = *pp;
  gboolean header = syntax == SIPWS_PARAMS_HEADER;
  guint32 name_classes;
  guint n = 0;
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

  for (;;)
    {
      const char *q = header ? sipws_scan_skip_lws (p, end) : p;
      const char *name, *name_end, *value = NULL, *value_end = NULL;
      gboolean quoted = FALSE, name_escaped = FALSE, value_escaped = FALSE;
      SipwsParam *param;
      gsize len;

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

      if (n >= SIPWS_PARAMS_MAX)
        {
          sipws_scan_set_error (error, start, name, "more than %u parameters", SIPWS_PARAMS_MAX);
          return FALSE;
        }

      param = &items[n];
      param->name = arena_put (arena, name, name_end - name, name_escaped, &len);
      param->name_len = len;
      param->value = NULL;
      param->wire = NULL;
      param->quoted = quoted;
      if (name_escaped && memchr (param->name, '\0', len) != NULL)
        {
          sipws_scan_set_error (error, start, name, "escaped NUL in parameter name");
          return FALSE;
        }
      /* A repeated parameter would mean different things to different
       * readers (which tag, which branch?); URI headers may repeat. */
      if (syntax != SIPWS_PARAMS_URI_HEADERS)
        {
          for (guint i = 0; i < n; i++)
            if (names_equal (&items[i], param))
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
          char *o = sipws_arena_reserve (arena, s_end - s + 1);

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
          sipws_arena_commit (arena, o);
        }
      else if (value != NULL)
        {
          param->value = arena_put (arena, value, value_end - value, value_escaped, &len);
          if (value_escaped)
            param->wire = arena_put (arena, value, value_end - value, FALSE, &len);
        }
      n++;
      p = q;
    }

  if (n > 0)
    {
      params->items = sipws_arena_alloc (arena, n * sizeof (SipwsParam));
      memcpy (params->items, items, n * sizeof (SipwsParam));
      params->len = params->capacity = n;
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
    }
  dest->len = dest->capacity = src->len;
}

const SipwsParam *
sipws_params_lookup (const SipwsParams *params,
                     const char        *name)
{
  gsize len;

  if (params->len == 0)
    return NULL;
  len = strlen (name);
  for (guint i = 0; i < params->len; i++)
    if (sipws_param_name_is (&params->items[i], name, len))
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
  SipwsParam *param = (SipwsParam *) sipws_params_lookup (params, name);

  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (syntax != SIPWS_PARAMS_HEADER || sipws_scan_is_token (name, strlen (name)));

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
  param->quoted = syntax == SIPWS_PARAMS_HEADER && value != NULL && needs_quotes (value);
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
