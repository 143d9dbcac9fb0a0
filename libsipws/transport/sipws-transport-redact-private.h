/* sipws-transport-redact-private.h: the transport's log redaction (interim until the core's lands) */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* A URI with query values and user information replaced by <redacted>. */
static inline char *
transport_redact_uri (const char *uri)
{
  GString *out = g_string_new (NULL);
  const char *scheme_end = strstr (uri, "://");
  const char *p = uri;

  if (scheme_end != NULL)
    {
      const char *authority = scheme_end + 3;
      const char *end = authority + strcspn (authority, "/?#");
      const char *at = memchr (authority, '@', end - authority);

      g_string_append_len (out, uri, authority - uri);
      if (at != NULL)
        {
          g_string_append (out, "<redacted>@");
          authority = at + 1;
        }
      g_string_append_len (out, authority, end - authority);
      p = end;
    }

  while (*p != '\0' && *p != '?')
    g_string_append_c (out, *p++);
  if (*p == '?')
    {
      gboolean in_value = FALSE;

      g_string_append_c (out, *p++);
      for (; *p != '\0' && *p != '#'; p++)
        {
          if (*p == '&')
            {
              in_value = FALSE;
              g_string_append_c (out, '&');
            }
          else if (*p == '=' && !in_value)
            {
              in_value = TRUE;
              g_string_append (out, "=<redacted>");
            }
          else if (!in_value)
            g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* Header values are shown only for headers known to carry nothing secret. */
static inline char *
transport_redact_header_value (const char *name,
                               const char *value)
{
  static const char *harmless[] = { "Origin", "User-Agent", "Accept-Language", NULL };

  for (gsize i = 0; harmless[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, harmless[i]) == 0)
      return g_strdup (value);
  return g_strdup (" <redacted>");
}

G_END_DECLS
