/* sipws-unparsed.c: answering a request the parser refused (RFC 3261 §8.2) */
#include "sipws-unparsed-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-header-table-private.h"
#include "sipws-scan-private.h"

#include <string.h>

#define SIP_VERSION " SIP/2.0"

/* The header fields a response copies, in the order it writes them. */
enum {
  FIELD_VIA,
  FIELD_FROM,
  FIELD_TO,
  FIELD_CALL_ID,
  FIELD_CSEQ,
  N_FIELDS
};

/* The next line of [*@p, @end) without its CRLF (or bare LF), or NULL at
 * the end of the text. */
static const char *
next_line (const char **p,
           const char  *end,
           gsize       *len)
{
  const char *line = *p;
  const char *lf;

  if (line >= end)
    return NULL;
  lf = memchr (line, '\n', end - line);
  *p = lf != NULL ? lf + 1 : end;
  if (lf == NULL)
    lf = end;
  if (lf > line && lf[-1] == '\r')
    lf--;
  *len = lf - line;
  return line;
}

/* A line that can be copied into our response as it is. */
static gboolean
is_clean (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = line[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return FALSE;
    }
  return TRUE;
}

/* Which copied field the header line [@line, @line+@len) starts, or -1. */
static int
field_of (const char *line,
          gsize       len)
{
  static const SipwsHeaderId copied[N_FIELDS] = {
    SIPWS_HEADER_VIA, SIPWS_HEADER_FROM, SIPWS_HEADER_TO, SIPWS_HEADER_CALL_ID, SIPWS_HEADER_CSEQ,
  };
  const char *colon = memchr (line, ':', len);
  const char *name_end;
  SipwsHeaderId id;

  if (colon == NULL)
    return -1;
  name_end = sipws_scan_trim_lws_end (line, colon);
  if (name_end == line || !sipws_scan_is_token (line, name_end - line))
    return -1;

  id = sipws_header_lookup (line, name_end - line);
  for (int i = 0; i < N_FIELDS; i++)
    {
      if (copied[i] == id)
        return i;
    }
  return -1;
}

/* A request line other than ACK's: Method SP Request-URI SP SIP/2.0. The
 * Request-URI itself may be what failed to parse. */
static gboolean
is_request_line (const char *line,
                 gsize       len)
{
  const char *sp = memchr (line, ' ', len);
  gsize version_len = strlen (SIP_VERSION);

  if (sp == NULL || sp == line || !sipws_scan_is_token (line, sp - line))
    return FALSE;
  if (sp - line == 3 && memcmp (line, "ACK", 3) == 0)
    return FALSE;
  /* Something between the method and the version. */
  if ((gsize) (line + len - sp) <= version_len + 1)
    return FALSE;
  return g_ascii_strncasecmp (line + len - version_len, SIP_VERSION, version_len) == 0;
}

char *
sipws_ua_printable_line (const char *text,
                         gsize       max_len)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gsize n = g_utf8_next_char (p) - p;

      if (out->len + n > max_len)
        break;
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, n);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static void
add_to_tag (SipwsMessage *response)
{
  SipwsAddress *to = sipws_message_get_to (response);
  g_autoptr(SipwsAddress) tagged = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *value = NULL;

  /* §8.2.6.2 */
  if (sipws_address_get_tag (to) != NULL)
    return;
  tagged = sipws_address_copy (to);
  tag = sipws_ua_random_token (SIPWS_UA_TAG_LENGTH);
  sipws_address_set_param (tagged, "tag", tag);
  value = sipws_address_to_string (tagged);
  sipws_message_set_header (response, "To", value);
}

/* Collects the copied header fields of the header section at [@p, @end)
 * into @fields. FALSE when one is missing or holds bytes a response cannot
 * carry. */
static gboolean
collect_fields (const char  *p,
                const char  *end,
                GString    **fields)
{
  const char *line;
  gsize line_len = 0;
  int current = -1;

  while ((line = next_line (&p, end, &line_len)) != NULL && line_len > 0)
    {
      if (line[0] != ' ' && line[0] != '\t')
        {
          current = field_of (line, line_len);
          /* The first of a single field counts; every Via does. */
          if (current > FIELD_VIA && fields[current] != NULL)
            current = -1;
          if (current >= 0 && fields[current] == NULL)
            fields[current] = g_string_new (NULL);
        }
      if (current < 0)
        continue;
      if (!is_clean (line, line_len))
        return FALSE;
      /* A continuation line stays one: the parser unfolds it. */
      g_string_append_len (fields[current], line, line_len);
      g_string_append (fields[current], "\r\n");
    }

  for (int i = 0; i < N_FIELDS; i++)
    {
      if (fields[i] == NULL)
        return FALSE;
    }
  return TRUE;
}

SipwsMessage *
sipws_ua_bad_request_response (const char *data,
                               gsize       len,
                               const char *reason)
{
  const char *p = data;
  const char *end = data + len;
  const char *line;
  gsize line_len = 0;
  GString *fields[N_FIELDS] = { NULL };
  SipwsMessage *response = NULL;

  /* §7.5: CRLFs before the start line are ignored. */
  while (p < end && (*p == '\r' || *p == '\n'))
    p++;
  line = next_line (&p, end, &line_len);
  if (line == NULL || !is_request_line (line, line_len))
    return NULL;

  if (collect_fields (p, end, fields))
    {
      g_autofree char *phrase = sipws_ua_printable_line (reason, SIPWS_UA_MAX_REASON_LENGTH);
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      g_string_append_printf (text, "SIP/2.0 400 %s\r\n", *phrase != '\0' ? phrase : "Bad Request");
      for (int i = 0; i < N_FIELDS; i++)
        g_string_append_len (text, fields[i]->str, fields[i]->len);
      g_string_append (text, "Content-Length: 0\r\n\r\n");

      response = sipws_message_parse (text->str, text->len, &error);
      if (response != NULL)
        add_to_tag (response);
      else
        g_debug ("no 400 for the request: its copied header fields do not parse: %s", error->message);
    }

  for (int i = 0; i < N_FIELDS; i++)
    {
      if (fields[i] != NULL)
        g_string_free (fields[i], TRUE);
    }
  return response;
}
