/* test-message.c: SipwsMessage, the header table and SipwsVia */
#include <string.h>

#include "sipws-message.h"
#include "sipws-error.h"
#include "sipws-core-enums.h"
#include "sipws-arena-private.h"
#include "sipws-header-table-private.h"
#include "sipws-test-utils.h"

#define CRLF "\r\n"

/* A minimal valid request; tests append headers and a body to it. */
#define REQUEST_HEAD \
  "OPTIONS sip:bob@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7" CRLF \
  "Max-Forwards: 70" CRLF \
  "To: <sip:bob@example.com>" CRLF \
  "From: <sip:alice@example.com>;tag=1928301774" CRLF \
  "Call-ID: a84b4c76e66710" CRLF \
  "CSeq: 63104 OPTIONS" CRLF

static SipwsMessage *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  SipwsMessage *msg = sipws_message_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

/* Parses @text expecting error @code whose message contains @substring. */
static void
parse_fails (const char *text,
             gint        code,
             const char *substring)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);

  g_assert_null (msg);
  g_assert_error (error, SIPWS_ERROR, code);
  if (strstr (error->message, substring) == NULL)
    g_error ("error '%s' does not contain '%s'", error->message, substring);
}

/* Parses REQUEST_HEAD + @extra + empty line, expecting an error. */
static void
header_fails (const char *extra,
              const char *substring)
{
  g_autofree char *text = g_strconcat (REQUEST_HEAD, extra, CRLF, NULL);

  parse_fails (text, SIPWS_ERROR_PARSE, substring);
}

static SipwsMessage *
header_ok (const char *extra)
{
  g_autofree char *text = g_strconcat (REQUEST_HEAD, extra, CRLF, NULL);

  return parse_ok (text);
}

/* Header table */

static void
test_header_table (void)
{
  static const struct {
    char        compact;
    const char *name;
  } compact_forms[] = {
    { 'v', "Via" }, { 'f', "From" }, { 't', "To" }, { 'i', "Call-ID" }, { 'm', "Contact" },
    { 'l', "Content-Length" }, { 'c', "Content-Type" }, { 'k', "Supported" }, { 'e', "Content-Encoding" },
    { 's', "Subject" }, { 'o', "Event" }, { 'r', "Refer-To" }, { 'b', "Referred-By" },
    { 'u', "Allow-Events" }, { 'x', "Session-Expires" }, { 'a', "Accept-Contact" }, { 'j', "Reject-Contact" },
    { 'd', "Request-Disposition" }, { 'y', "Identity" }, { 'n', "Identity-Info" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (compact_forms); i++)
    {
      char lower[2] = { compact_forms[i].compact, 0 };
      char upper[2] = { g_ascii_toupper (compact_forms[i].compact), 0 };
      SipwsHeaderId id = sipws_header_lookup (compact_forms[i].name, strlen (compact_forms[i].name));

      g_assert_cmpint (id, !=, SIPWS_HEADER_UNKNOWN);
      g_assert_cmpstr (sipws_header_info[id].name, ==, compact_forms[i].name);
      g_assert_cmpint (sipws_header_info[id].compact, ==, compact_forms[i].compact);
      g_assert_cmpint (sipws_header_lookup (lower, 1), ==, id);
      g_assert_cmpint (sipws_header_lookup (upper, 1), ==, id);
    }

  /* every known name, in three spellings */
  for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
    {
      const char *name = sipws_header_info[id].name;
      g_autofree char *up = g_ascii_strup (name, -1);
      g_autofree char *down = g_ascii_strdown (name, -1);

      g_assert_cmpint (sipws_header_lookup (name, strlen (name)), ==, id);
      g_assert_cmpint (sipws_header_lookup (up, strlen (up)), ==, id);
      g_assert_cmpint (sipws_header_lookup (down, strlen (down)), ==, id);
      /* a prefix is another header ("T" of "To" is its compact form) */
      if (strlen (name) > 2)
        g_assert_cmpint (sipws_header_lookup (name, strlen (name) - 1), !=, id);
    }

  /* the public names: each value's nick is its header name in lower case */
  {
    g_autoptr(GEnumClass) names = g_type_class_ref (SIPWS_TYPE_HEADER_NAME);

    g_assert_cmpuint (names->n_values, ==, SIPWS_HEADER_N_IDS);
    for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
      {
        g_autofree char *nick = g_ascii_strdown (sipws_header_info[id].name, -1);
        GEnumValue *value = g_enum_get_value (names, id);

        g_assert_nonnull (value);
        g_assert_cmpstr (value->value_nick, ==, nick);
      }
  }

  g_assert_cmpint (sipws_header_lookup ("X-Custom", 8), ==, SIPWS_HEADER_UNKNOWN);
  g_assert_cmpint (sipws_header_lookup ("Vias", 4), ==, SIPWS_HEADER_UNKNOWN);
  g_assert_cmpint (sipws_header_lookup ("C%6Fntact", 9), ==, SIPWS_HEADER_UNKNOWN);
  g_assert_cmpint (sipws_header_lookup ("q", 1), ==, SIPWS_HEADER_UNKNOWN);
  g_assert_cmpint (sipws_header_lookup ("", 0), ==, SIPWS_HEADER_UNKNOWN);

  g_assert_true (sipws_header_info[SIPWS_HEADER_VIA].flags & SIPWS_HEADER_LIST);
  g_assert_true (sipws_header_info[SIPWS_HEADER_CONTACT].flags & SIPWS_HEADER_LIST);
  g_assert_true (sipws_header_info[SIPWS_HEADER_WWW_AUTHENTICATE].flags & SIPWS_HEADER_REPEAT);
  g_assert_cmpint (sipws_header_info[SIPWS_HEADER_CALL_ID].flags, ==, SIPWS_HEADER_SINGLE);
  g_assert_cmpint (sipws_header_info[SIPWS_HEADER_CONTENT_LENGTH].flags, ==, SIPWS_HEADER_SINGLE);
}

/* Start line, names, values */

static void
test_request_basics (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Content-Length: 0" CRLF);
  SipwsUri *uri = sipws_message_get_request_uri (msg);
  guint32 cseq;
  const char *method;

  g_assert_true (sipws_message_is_request (msg));
  g_assert_cmpstr (sipws_message_get_method (msg), ==, "OPTIONS");
  g_assert_cmpuint (sipws_message_get_status_code (msg), ==, 0);
  g_assert_null (sipws_message_get_reason_phrase (msg));
  g_assert_cmpstr (sipws_uri_get_user (uri), ==, "bob");
  g_assert_cmpstr (sipws_uri_get_host (uri), ==, "example.com");
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710");
  g_assert_true (sipws_message_get_cseq (msg, &cseq, &method));
  g_assert_cmpuint (cseq, ==, 63104);
  g_assert_cmpstr (method, ==, "OPTIONS");
  g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, 70);
  g_assert_cmpint (sipws_message_get_expires (msg), ==, -1);
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 0);
  g_assert_cmpuint (sipws_message_get_n_headers (msg), ==, 7);
  g_assert_cmpuint (g_bytes_get_size (sipws_message_get_body (msg)), ==, 0);
  g_assert_null (sipws_message_get_content_type (msg));
  g_assert_null (sipws_message_get_contacts (msg));
  g_assert_null (sipws_message_get_header (msg, "Subject"));
}

static void
test_response_basics (void)
{
  g_autoptr(SipwsMessage) msg = parse_ok ("SIP/2.0 486 Busy Here" CRLF
                                          "Via: SIP/2.0/WSS h.invalid;branch=z9hG4bK1;received=192.0.2.4;rport=5061" CRLF
                                          "Retry-After: 120 (back at noon);duration=3600" CRLF
                                          "Warning: 370 devnull \"Choose a bigger pipe\", 307 isi.edu \"Session parameter 'foo' not understood\"" CRLF
                                          "Date: Sat, 13 Nov 2010 23:29:00 GMT" CRLF
                                          CRLF);
  g_auto(GStrv) warnings = sipws_message_get_header_values (msg, "Warning");

  g_assert_false (sipws_message_is_request (msg));
  g_assert_null (sipws_message_get_method (msg));
  g_assert_null (sipws_message_get_request_uri (msg));
  g_assert_cmpuint (sipws_message_get_status_code (msg), ==, 486);
  g_assert_cmpstr (sipws_message_get_reason_phrase (msg), ==, "Busy Here");
  g_assert_cmpuint (g_strv_length (warnings), ==, 2);
  g_assert_cmpstr (warnings[1], ==, "307 isi.edu \"Session parameter 'foo' not understood\"");
}

static void
test_names_and_compact_forms (void)
{
  g_autoptr(SipwsMessage) msg = parse_ok ("INVITE sip:bob@example.com SIP/2.0" CRLF
                                          "v: SIP/2.0/WSS a.invalid;branch=z9hG4bK1" CRLF
                                          "VIA: SIP/2.0/WSS b.invalid;branch=z9hG4bK2" CRLF
                                          "f: <sip:alice@example.com>;tag=1" CRLF
                                          "T: <sip:bob@example.com>" CRLF
                                          "i: abc@def" CRLF
                                          "cSeQ: 1 INVITE" CRLF
                                          "m: <sip:alice@a.invalid;transport=ws>" CRLF
                                          "k: path, outbound" CRLF
                                          "Supported: gruu" CRLF
                                          "c: Application/SDP" CRLF
                                          "x-custom: one" CRLF
                                          "X-Custom: two" CRLF
                                          "l: 4" CRLF
                                          CRLF
                                          "v=0" CRLF);
  g_auto(GStrv) supported = sipws_message_get_header_values (msg, "supported");
  g_auto(GStrv) custom = sipws_message_get_header_values (msg, "X-CUSTOM");

  g_assert_cmpstr (sipws_message_get_header (msg, "Via"), ==, "SIP/2.0/WSS a.invalid;branch=z9hG4bK1");
  g_assert_cmpstr (sipws_message_get_header (msg, "V"), ==, "SIP/2.0/WSS a.invalid;branch=z9hG4bK1");
  g_assert_cmpuint (sipws_message_count_headers (msg, "via"), ==, 2);
  g_assert_cmpuint (sipws_message_get_vias (msg)->len, ==, 2);
  g_assert_cmpstr (sipws_message_get_header (msg, "Call-Id"), ==, "abc@def");
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "abc@def");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (msg)), ==, "1");
  g_assert_nonnull (sipws_message_get_to (msg));
  g_assert_cmpuint (sipws_message_get_contacts (msg)->len, ==, 1);
  g_assert_cmpuint (g_strv_length (supported), ==, 3);
  g_assert_cmpstr (supported[0], ==, "path");
  g_assert_cmpstr (supported[2], ==, "gruu");
  g_assert_true (sipws_message_has_token (msg, "k", "OUTBOUND"));
  g_assert_false (sipws_message_has_token (msg, "Supported", "100rel"));
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/sdp");
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 4);
  /* unknown headers match case-insensitively and are not split */
  g_assert_cmpuint (g_strv_length (custom), ==, 2);
  g_assert_cmpstr (sipws_message_get_header (msg, "x-CUSTOM"), ==, "one");
}

static void
test_folding (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Subject: first part" CRLF
                                           "   second part\t" CRLF
                                           "\tthird" CRLF
                                           "Contact:" CRLF
                                           "  <sip:alice@a.invalid>" CRLF
                                           "  ;expires=60" CRLF
                                           "Empty:" CRLF);
  g_assert_cmpstr (sipws_message_get_header (msg, "Subject"), ==, "first part second part third");
  g_assert_cmpstr (sipws_message_get_header (msg, "Contact"), ==, "<sip:alice@a.invalid> ;expires=60");
  g_assert_cmpint (sipws_address_get_expires (sipws_message_get_contacts (msg)->pdata[0]), ==, 60);
  g_assert_cmpstr (sipws_message_get_header (msg, "Empty"), ==, "");

  /* an error inside a folded value names the line and column of the input */
  header_fails ("CSeq2: x" CRLF "Expires:" CRLF "   12x" CRLF, "line 10, column 6: invalid Expires header");
  header_fails ("Contact: <sip:a@b>," CRLF "  <sip:c@d>;q=5" CRLF, "line 9, column 13: invalid Contact header: q parameter");
  parse_fails ("OPTIONS sip:a@b SIP/2.0" CRLF "  folded" CRLF CRLF, SIPWS_ERROR_PARSE,
               "line 2, column 1: continuation line without a header");
  parse_fails ("  OPTIONS sip:a@b SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column 1");
}

/* Token lists at the edges of the one-pass check of lists of 16 to 64
 * bytes (letters and digits, a comma and at most one blank after it):
 * parsed, added through the API and read back the same either way. */
static void
test_token_lists (void)
{
  static const struct {
    const char *value;
    gboolean    ok;
  } cases[] = {
    { "INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY", TRUE },
    { "INVITE, ACK, CANCEL, BYE, UPDATE, MESSAGE, OPTIONS, REFER, INFO", TRUE },
    { "abcdefg,ijklmnop", TRUE },                      /* 16 */
    { "abcdefg,ijklmno", TRUE },                       /* 15 */
    { "a,bcdefghijklmnopqrstuvwxyz012345,6789abcdefghijklmnopqrstuvwxy", TRUE }, /* 64 */
    { "a,bcdefghijklmnopqrstuvwxyz012345,6789abcdefghijklmnopqrstuvwxyz", TRUE }, /* 65 */
    { "timer,\tice,\treplaces,\toutbound", TRUE },
    { "timer ,ice , replaces,outbound", TRUE },
    { "timer,  ice,replaces,outbound", TRUE },
    { "sec-agree,timer,100rel,path,gruu", TRUE },
    { "INVITE,,ACK,CANCEL,BYE,UPDATE", FALSE },
    { "INVITE,ACK,CANCEL,BYE,UPDATE,", FALSE },
    { ",INVITE,ACK,CANCEL,BYE,UPDATE", FALSE },
    { "INVITE ACK,CANCEL,BYE,UPDATE", FALSE },
    { "INVITE,ACK;CANCEL,BYE,UPDATE", FALSE },
    { "INVITE,ACK,CANCEL,BYE,UPDAT\"E\"", FALSE },
    { "a,bcdefghijklmnopqrstuvwxyz012345,6789abcdefghijklmnopqrstuvwx,", FALSE }, /* 64 */
    { ",bcdefghijklmnopqrstuvwxyz012345,6789abcdefghijklmnopqrstuvwxyz", FALSE }, /* 64 */
    { "abcdefg ,  ,ijklmnop", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (REQUEST_HEAD, "Allow: ", cases[i].value, CRLF "Supported: ",
                                           cases[i].value, CRLF CRLF, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);
      g_autoptr(SipwsMessage) built = sipws_message_new_response (200, NULL);

      g_autofree char *first = g_strndup (cases[i].value, strcspn (cases[i].value, ", \t"));

      if (!cases[i].ok)
        {
          g_assert_null (msg);
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          g_assert_nonnull (strstr (error->message, "invalid Allow header"));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (sipws_message_get_header (msg, "Allow"), ==, cases[i].value);
      g_assert_true (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_SUPPORTED, first));
      g_assert_true (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_ALLOW, first));
      /* the same check on a value that is not in a parsed frame */
      sipws_message_add_header (built, "Supported", cases[i].value);
      g_assert_cmpstr (sipws_message_get_header (built, "Supported"), ==, cases[i].value);
      g_assert_true (sipws_message_has_token_by_id (built, SIPWS_HEADER_NAME_SUPPORTED, first));
    }
}

/* Values holding an HTAB or another control from 0x08 to 0x0F, where the
 * CRLF search of the header line loop stops and the line is read by the
 * general loop instead: the same values either way, and the lines after
 * them read as usual. */
static void
test_controls_in_values (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Reply-To:\t<sip:carol@example.com>\t" CRLF
                                           "Subject: a\tb" CRLF
                                           "X-Ctl: a\x0b" "b\x0e" CRLF
                                           "Min-Expires:\t70" CRLF
                                           "Expires: 30" CRLF);

  g_assert_cmpstr (sipws_message_get_header (msg, "Reply-To"), ==, "<sip:carol@example.com>");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_address (msg, "Reply-To"))), ==,
                   "carol");
  g_assert_cmpstr (sipws_message_get_header (msg, "Subject"), ==, "a\tb");
  g_assert_cmpstr (sipws_message_get_header (msg, "X-Ctl"), ==, "a\x0b" "b\x0e");
  g_assert_cmpint (sipws_message_get_min_expires (msg), ==, 70);
  g_assert_cmpint (sipws_message_get_expires (msg), ==, 30);
}

/* Every byte in every position of a known name, long and compact: only a
 * token is a name, and only the name in another case is that header (the
 * header line loop recognises known names in one folded compare). */
static void
test_name_bytes (void)
{
  static const char *const names[] = { "Subject", "s", "Alert-Info" };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    for (gsize at = 0; at < strlen (names[n]); at++)
      for (guint b = 1; b < 256; b++)
        {
          g_autofree char *name = g_strdup (names[n]);
          g_autofree char *text = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(SipwsMessage) msg = NULL;
          const char *got_name, *got_value;
          gboolean token = TRUE;

          name[at] = (char) b;
          for (const char *c = name; *c != '\0'; c++)
            token = token && (g_ascii_isalnum (*c) || strchr ("-.!%*_+`'~", *c) != NULL);
          text = g_strconcat (REQUEST_HEAD, name, ": x" CRLF CRLF, NULL);
          msg = sipws_message_parse (text, strlen (text), &error);
          if (!token)
            {
              /* (a blank before the colon is allowed, or ends the name,
               * as a colon does) */
              if (b == ' ' || b == '\t' || b == ':')
                continue;
              g_assert_null (msg);
              g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
              continue;
            }
          /* another compact form may name a typed header that "x" is no
           * value of */
          if (msg == NULL && g_ascii_strcasecmp (name, names[n]) != 0 && strlen (name) == 1)
            {
              g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
              g_assert_nonnull (strstr (error->message, "invalid "));
              continue;
            }
          g_assert_no_error (error);
          g_assert_cmpuint (sipws_message_count_headers (msg, names[n]), ==,
                            g_ascii_strcasecmp (name, names[n]) == 0 ? 1 : 0);
          g_assert_true (sipws_message_get_header_nth (msg, sipws_message_get_n_headers (msg) - 1, &got_name,
                                                       &got_value, NULL));
          g_assert_cmpstr (got_name, ==, name);
          g_assert_cmpstr (got_value, ==, "x");
        }
}

/* Fields far down a long header: the typed getters find the first field
 * of each header at once only among the first 255 fields, and look
 * further for the rest. */
static void
test_late_fields (void)
{
  g_autoptr(GString) text = g_string_new (REQUEST_HEAD);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  guint n_addresses;

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (text, "X-Filler-%u: %u" CRLF, i, i);
  g_string_append (text, "Expires: 30" CRLF "Supported: path, gruu" CRLF "Route: <sip:p1.invalid;lr>" CRLF
                         "Subject: late" CRLF "Route: <sip:p2.invalid;lr>" CRLF CRLF);
  bytes = g_bytes_new (text->str, text->len);
  msg = sipws_message_parse_full (bytes, 0, 1000, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sipws_message_get_n_headers (msg), ==, 6 + 300 + 5);
  g_assert_cmpint (sipws_message_get_expires (msg), ==, 30);
  g_assert_true (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_SUPPORTED, "gruu"));
  g_assert_cmpstr (sipws_message_get_header (msg, "Subject"), ==, "late");
  g_assert_cmpstr (sipws_message_get_header (msg, "X-Filler-299"), ==, "299");
  g_assert_cmpuint (sipws_message_count_headers (msg, "Route"), ==, 2);
  g_assert_nonnull (sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_ROUTE, &n_addresses));
  g_assert_cmpuint (n_addresses, ==, 2);
  /* the early fields still at once */
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710");
  g_assert_true (sipws_message_remove_header (msg, "X-Filler-0") == 1);
  g_assert_cmpint (sipws_message_get_expires (msg), ==, 30);
  g_assert_cmpstr (sipws_message_get_header (msg, "Subject"), ==, "late");
}

/* Reason phrases of lengths around the 16-byte reads of their check, with
 * a control character, an HTAB or UTF-8 at every position. */
static void
test_reason_phrases (void)
{
  static const gsize lengths[] = { 1, 2, 15, 16, 17, 31, 32, 33, 40 };

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    for (gsize at = 0; at < lengths[l]; at++)
      {
        static const char bytes[] = { '\x01', '\x0b', '\x1f', '\x7f', '\t' };

        for (guint b = 0; b < G_N_ELEMENTS (bytes); b++)
          {
            g_autofree char *reason = g_strnfill (lengths[l], 'r');
            g_autofree char *text = NULL;
            g_autofree char *expected = NULL;
            g_autoptr(GError) error = NULL;
            g_autoptr(SipwsMessage) msg = NULL;

            reason[at] = bytes[b];
            text = g_strconcat ("SIP/2.0 200 ", reason, CRLF "Content-Length: 0" CRLF CRLF, NULL);
            msg = sipws_message_parse (text, strlen (text), &error);
            if (bytes[b] == '\t')
              {
                g_assert_no_error (error);
                g_assert_cmpstr (sipws_message_get_reason_phrase (msg), ==, reason);
                continue;
              }
            expected = g_strdup_printf ("line 1, column %" G_GSIZE_FORMAT ": control character 0x%02X in the reason phrase",
                                        13 + at, (guchar) bytes[b]);
            g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
            g_assert_cmpstr (error->message, ==, expected);
          }

        /* two bytes of UTF-8 from @at on, or its first byte alone */
        if (at + 1 < lengths[l])
          {
            g_autofree char *reason = g_strnfill (lengths[l], 'r');
            g_autofree char *text = NULL;
            g_autoptr(GError) error = NULL;
            g_autoptr(SipwsMessage) msg = NULL;

            reason[at] = '\xc3';
            reason[at + 1] = '\xa9';
            text = g_strconcat ("SIP/2.0 200 ", reason, CRLF CRLF, NULL);
            msg = sipws_message_parse (text, strlen (text), &error);
            g_assert_no_error (error);
            g_assert_cmpstr (sipws_message_get_reason_phrase (msg), ==, reason);
            g_clear_pointer (&msg, sipws_message_unref);
            reason[at + 1] = 'r';
            g_free (text);
            text = g_strconcat ("SIP/2.0 200 ", reason, CRLF CRLF, NULL);
            msg = sipws_message_parse (text, strlen (text), &error);
            g_assert_null (msg);
            g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
            g_assert_nonnull (strstr (error->message, "the reason phrase is not UTF-8"));
          }
      }
}

static void
test_comma_lists (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Contact: \"Doe, John\" <sip:john@a.invalid>, <sip:x,y@b.invalid;p=1>,"
                                           " \"Esc \\\" , q\" <sip:e@c.invalid>;q=0.5, sip:plain@d.invalid" CRLF
                                           "Contact: <sip:late@e.invalid>" CRLF
                                           "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>" CRLF
                                           "Record-Route: <sip:rr.example.com;lr>" CRLF
                                           "Path: <sip:path.example.com;lr;ob>" CRLF
                                           "Service-Route: <sip:orig@sr.example.com;lr>" CRLF
                                           "Accept: application/sdp, text/plain;q=\"0,5\"" CRLF);
  GPtrArray *contacts = sipws_message_get_contacts (msg);
  g_auto(GStrv) values = sipws_message_get_header_values (msg, "Contact");
  g_auto(GStrv) accept = sipws_message_get_header_values (msg, "Accept");

  g_assert_cmpuint (contacts->len, ==, 5);
  g_assert_cmpstr (sipws_address_get_display_name (contacts->pdata[0]), ==, "Doe, John");
  g_assert_cmpstr (sipws_address_get_display_name (contacts->pdata[2]), ==, "Esc \" , q");
  g_assert_cmpint (sipws_address_get_q (contacts->pdata[2]), ==, 500);
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (contacts->pdata[3])), ==, "plain");
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (contacts->pdata[4])), ==, "e.invalid");
  g_assert_cmpuint (g_strv_length (values), ==, 5);
  g_assert_cmpstr (values[1], ==, "<sip:x,y@b.invalid;p=1>");
  g_assert_cmpstr (values[2], ==, "\"Esc \\\" , q\" <sip:e@c.invalid>;q=0.5");
  g_assert_cmpuint (g_strv_length (accept), ==, 2);
  g_assert_cmpstr (accept[1], ==, "text/plain;q=\"0,5\"");

  g_assert_cmpuint (sipws_message_get_address_list (msg, "Route")->len, ==, 2);
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (sipws_message_get_address_list (msg, "route")->pdata[1])),
                   ==, "p2.example.com");
  g_assert_cmpuint (sipws_message_get_address_list (msg, "Record-Route")->len, ==, 1);
  g_assert_cmpuint (sipws_message_get_address_list (msg, "Path")->len, ==, 1);
  g_assert_cmpuint (sipws_message_get_address_list (msg, "Service-Route")->len, ==, 1);
  g_assert_null (sipws_message_get_address_list (msg, "P-Asserted-Identity"));
  /* not an address-list header */
  g_assert_null (sipws_message_get_address_list (msg, "From"));
  g_assert_null (sipws_message_get_address (msg, "Contact"));
  g_assert_nonnull (sipws_message_get_address (msg, "f"));

  header_fails ("Contact: <sip:a@b>,,<sip:c@d>" CRLF, "empty element (extra ',')");
  header_fails ("Contact: \"open <sip:a@b>" CRLF, "invalid Contact header");
  header_fails ("Route: <sip:a@b" CRLF, "invalid Route header");
}

static void
test_contacts (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Contact: <sip:k4tv9m2u@h.invalid;transport=ws;ob>;expires=600;"
                                           "+sip.instance=\"<urn:uuid:4f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59>\";reg-id=1;"
                                           "pub-gruu=\"sip:alice@example.com;gr=urn:uuid:4f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59\";"
                                           "temp-gruu=\"sip:tgruu.7hs==@example.com;gr\";q=0.7" CRLF);
  g_autoptr(SipwsMessage) star = header_ok ("Contact: *" CRLF "Expires: 0" CRLF);
  SipwsAddress *c = sipws_message_get_contacts (msg)->pdata[0];

  g_assert_cmpint (sipws_address_get_expires (c), ==, 600);
  g_assert_cmpint (sipws_address_get_q (c), ==, 700);
  g_assert_cmpstr (sipws_address_get_param (c, "+sip.instance"), ==, "<urn:uuid:4f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59>");
  g_assert_cmpstr (sipws_address_get_param (c, "reg-id"), ==, "1");
  g_assert_cmpstr (sipws_address_get_param (c, "pub-gruu"), ==,
                   "sip:alice@example.com;gr=urn:uuid:4f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59");
  g_assert_cmpstr (sipws_address_get_param (c, "temp-gruu"), ==, "sip:tgruu.7hs==@example.com;gr");
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (c), "ob"));

  g_assert_cmpuint (sipws_message_get_contacts (star)->len, ==, 1);
  g_assert_true (sipws_address_is_wildcard (sipws_message_get_contacts (star)->pdata[0]));
  g_assert_cmpint (sipws_message_get_expires (star), ==, 0);

  header_fails ("Contact: *, <sip:a@b>" CRLF, "'*' must be the only Contact");
  header_fails ("Contact: <sip:a@b>" CRLF "Contact: *" CRLF, "line 9, column 10: invalid Contact header: '*' must be the only Contact");
  header_fails ("Contact: *" CRLF "m: <sip:a@b>" CRLF, "'*' must be the only Contact");
  header_fails ("Route: *" CRLF, "'*' is only allowed in Contact");
  header_fails ("Reply-To: *" CRLF, "'*' is only allowed in Contact");
  header_fails ("Contact: <sip:a@b>;expires=4294967296" CRLF, "expires parameter larger than 4294967295");
}

static void
test_typed_values (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Expires: 4294967295" CRLF
                                           "Min-Expires: 0003600" CRLF
                                           "Require: outbound" CRLF
                                           "Proxy-Require: foo" CRLF
                                           "Unsupported: bar , baz" CRLF
                                           "Allow: INVITE, ACK,CANCEL ,BYE" CRLF
                                           "Allow-Events: presence, dialog" CRLF
                                           "Supported:" CRLF
                                           "RSeq: 988789" CRLF
                                           "Content-Type: multipart/MIXED ; boundary=\"a b\" ; charset=UTF-8" CRLF
                                           "Retry-After: 18000;duration=3600" CRLF
                                           "Date: Mon, 20 Nov 2023 16:35:12 GMT" CRLF);
  g_auto(GStrv) allow = sipws_message_get_header_values (msg, "Allow");
  g_auto(GStrv) supported = sipws_message_get_header_values (msg, "Supported");
  g_auto(GStrv) unsupported = sipws_message_get_header_values (msg, "Unsupported");

  g_assert_cmpint (sipws_message_get_expires (msg), ==, G_GINT64_CONSTANT (4294967295));
  g_assert_cmpint (sipws_message_get_min_expires (msg), ==, 3600);
  g_assert_cmpint (sipws_message_get_uint_header (msg, "RSeq"), ==, 988789);
  g_assert_cmpint (sipws_message_get_uint_header (msg, "Max-Forwards"), ==, 70);
  g_assert_cmpint (sipws_message_get_uint_header (msg, "Flow-Timer"), ==, -1);
  g_assert_cmpint (sipws_message_get_uint_header (msg, "Subject"), ==, -1);
  g_assert_true (sipws_message_has_token (msg, "Require", "outbound"));
  g_assert_true (sipws_message_has_token (msg, "Proxy-Require", "FOO"));
  g_assert_cmpuint (g_strv_length (unsupported), ==, 2);
  g_assert_cmpstr (unsupported[1], ==, "baz");
  g_assert_cmpuint (g_strv_length (allow), ==, 4);
  g_assert_cmpstr (allow[2], ==, "CANCEL");
  /* methods are case-sensitive, option tags are not */
  g_assert_true (sipws_message_has_token (msg, "Allow", "BYE"));
  g_assert_false (sipws_message_has_token (msg, "Allow", "bye"));
  g_assert_true (sipws_message_has_token (msg, "Allow-Events", "Dialog"));
  g_assert_cmpuint (g_strv_length (supported), ==, 0);
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "multipart/mixed");
  g_assert_cmpstr (sipws_message_get_content_type_param (msg, "BOUNDARY"), ==, "a b");
  g_assert_cmpstr (sipws_message_get_content_type_param (msg, "charset"), ==, "UTF-8");
  g_assert_null (sipws_message_get_content_type_param (msg, "version"));

  /* application/sdp, read without a copy, and its neighbours */
  {
    static const struct {
      const char *value;
      const char *media_type;
    } types[] = {
      { "application/sdp", "application/sdp" },
      { "APPLICATION/SDP", "application/sdp" },
      { "Application / Sdp", "application/sdp" },
      { "application/sdp;level=1", "application/sdp" },
      { "application/sdpx", "application/sdpx" },
      { "applicatio/nsdp", "applicatio/nsdp" },
      { "application/sd", "application/sd" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (types); i++)
      {
        g_autofree char *line = g_strdup_printf ("Content-Type: %s" CRLF, types[i].value);
        g_autoptr(SipwsMessage) typed = header_ok (line);

        g_assert_cmpstr (sipws_message_get_content_type (typed), ==, types[i].media_type);
        g_assert_cmpstr (sipws_message_get_content_type_param (typed, "level"), ==,
                         strstr (types[i].value, "level") != NULL ? "1" : NULL);
      }
    parse_fails (REQUEST_HEAD "Content-Type: application" "\x0F" "sdp" CRLF CRLF, SIPWS_ERROR_PARSE,
                 "expected '/' in the media type");
  }
}

static void
test_typed_errors (void)
{
  header_fails ("Expires: 4294967296" CRLF, "line 8, column 10: invalid Expires header: the value is larger than 4294967295");
  header_fails ("Expires: soon" CRLF, "invalid Expires header: the value must be a decimal number");
  header_fails ("Min-Expires: -1" CRLF, "invalid Min-Expires header");
  header_fails ("Max-Forwards: 256" CRLF, "invalid Max-Forwards header: Max-Forwards is larger than 255");
  header_fails ("Max-Forwards: 7 0" CRLF, "unexpected ' ' after Max-Forwards");
  header_fails ("CSeq: 1" CRLF, "expected a blank after the sequence number");
  header_fails ("CSeq: INVITE 1" CRLF, "expected the CSeq sequence number");
  header_fails ("CSeq: 1 INVITE extra" CRLF, "expected the method as the last item");
  header_fails ("Call-ID: a b" CRLF, "line 8, column 11: invalid Call-ID header: invalid character in Call-ID");
  header_fails ("Call-ID: a@" CRLF, "expected a word after '@'");
  header_fails ("Call-ID:" CRLF, "empty Call-ID");
  header_fails ("Require: a b" CRLF, "invalid Require header: expected a token");
  header_fails ("Supported: a,,b" CRLF, "empty element");
  header_fails ("Content-Type: application" CRLF, "expected '/' in the media type");
  header_fails ("Content-Type: text/plain; charset" CRLF, "media type parameter 'charset' has no value");
  header_fails ("Content-Type: text/plain extra" CRLF, "unexpected 'e' in Content-Type");
  header_fails ("Content-Length: 1e3" CRLF, "invalid Content-Length header");
  header_fails ("Retry-After: 949302838503028349304023988" CRLF, "invalid Retry-After header");
  header_fails ("Retry-After: 5 (unclosed" CRLF, "unterminated comment");
  header_fails ("Warning: 1812 overture \"In Progress\"" CRLF, "invalid Warning header: expected a three-digit warning code");
  header_fails ("Warning: 399 host" CRLF, "expected a warning agent, a blank and a quoted text");
  header_fails ("Date: Fri, 01 Jan 2010 16:00:00 EST" CRLF, "the time zone must be GMT");
  header_fails ("Date: Fri, 1 Jan 2010 16:00:00 GMT" CRLF, "expected a date such as");
  header_fails ("Date: Fri, 01 Foo 2010 16:00:00 GMT" CRLF, "line 8, column 15: invalid Date header");
  header_fails ("Date: Fri, 01 Jan 2010 24:00:00 GMT" CRLF, "invalid Date header");
  header_fails ("From: \"unterminated <sip:a@b>" CRLF, "invalid From header");
}

/* Via */

/* An address-list value is read whole by the name-addr fast path when it
 * is one address; commas inside quotes and brackets belong to it, and one
 * between addresses splits the value. */
static void
test_address_list_commas (void)
{
  static const struct {
    const char *value;
    guint       n;
    const char *first_host;
    const char *last_host;
  } cases[] = {
    { "<sip:a@h1.invalid>", 1, "h1.invalid", "h1.invalid" },
    { "<sip:a@h1.invalid>,<sip:b@h2.invalid>", 2, "h1.invalid", "h2.invalid" },
    { "<sip:a@h1.invalid> ,<sip:b@h2.invalid>", 2, "h1.invalid", "h2.invalid" },
    { "<sip:a@h1.invalid;lr>, <sip:h2.invalid;lr>", 2, "h1.invalid", "h2.invalid" },
    { "\"A\" <sip:a@h1.invalid>;tag=1,<sip:b@h2.invalid>", 2, "h1.invalid", "h2.invalid" },
    { "<sip:a@h1.invalid>;expires=60,\"B\" <sip:b@h2.invalid>", 2, "h1.invalid", "h2.invalid" },
    { "<sip:a,b@h1.invalid>", 1, "h1.invalid", "h1.invalid" },
    { "\"a,b\" <sip:x@h1.invalid>", 1, "h1.invalid", "h1.invalid" },
    { "<sip:x@h1.invalid>;p=\"a,b\"", 1, "h1.invalid", "h1.invalid" },
    { "<sip:x@h1.invalid>;p=\"a,b\", <sip:y@h2.invalid>", 2, "h1.invalid", "h2.invalid" },
    { "sip:a@h1.invalid, sip:b@h2.invalid", 2, "h1.invalid", "h2.invalid" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *line = g_strdup_printf ("Route: %s" CRLF "Contact: %s" CRLF, cases[i].value, cases[i].value);
      g_autoptr(SipwsMessage) msg = header_ok (line);
      const char *names[] = { "Route", "Contact" };

      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          guint n = 0;
          SipwsAddress **addresses = sipws_message_peek_addresses (msg, names[k], &n);

          g_assert_cmpuint (n, ==, cases[i].n);
          g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (addresses[0])), ==, cases[i].first_host);
          g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (addresses[n - 1])), ==, cases[i].last_host);
        }
    }

  header_fails ("Contact: *" CRLF "Contact: <sip:a@h1.invalid>" CRLF, "'*' must be the only Contact");
  header_fails ("Contact: <sip:a@h1.invalid>, *" CRLF, "'*' must be the only Contact");
  header_fails ("Route: <sip:a@h1.invalid>,,<sip:b@h2.invalid>" CRLF, "empty element");
}

/* A Via value whose first hop the fast path would read up to a comma is
 * split into its hops (the fast path reads whole values only). */
static void
test_via_comma_after_each_part (void)
{
  static const char *const first_hops[] = {
    "SIP/2.0/WSS a.invalid",
    "SIP/2.0/WSS a.invalid:5061",
    "SIP/2.0/WSS 192.0.2.1",
    "SIP/2.0/WSS a.invalid;branch=z9hG4bK1",
    "SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport",
    "SIP/2.0/WSS a.invalid;branch=z9hG4bK1;rport=5060",
    "SIP/2.0/WSS a.invalid;branch=z9hG4bK1;received=192.0.2.9",
    "SIP/2.0/WSS a.invalid;branch=other",
  };

  for (guint i = 0; i < G_N_ELEMENTS (first_hops); i++)
    for (guint blank = 0; blank < 2; blank++)
      {
        g_autofree char *line = g_strdup_printf ("Via: %s%s,SIP/2.0/UDP b.invalid;branch=z9hG4bK2" CRLF, first_hops[i],
                                                 blank ? " " : "");
        g_autoptr(SipwsMessage) msg = header_ok (line);
        guint n = 0;
        SipwsVia **vias = sipws_message_peek_vias (msg, &n);

        /* REQUEST_HEAD has one Via before */
        g_assert_cmpuint (n, ==, 3);
        g_assert_cmpstr (sipws_via_get_host (vias[1]), ==, strchr (first_hops[i], ' ')[1] == '1' ? "192.0.2.1" : "a.invalid");
        g_assert_cmpstr (sipws_via_get_transport (vias[2]), ==, "UDP");
        g_assert_cmpstr (sipws_via_get_branch (vias[2]), ==, "z9hG4bK2");
      }
}

static void
test_via (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Via: SIP / 2.0 / tcp [2001:db8::9:1]:5061 ; branch = z9hG4bK-7; rport=5060;"
                                           " received=2001:db8::1 ; ttl=16; maddr=224.2.0.1;ext=\"q v\"" CRLF);
  SipwsVia *top = sipws_message_get_top_via (msg);
  SipwsVia *second = sipws_message_get_vias (msg)->pdata[1];
  g_autoptr(SipwsVia) built = sipws_via_new ("WSS", "df7jal23ls0d.invalid", 0, "z9hG4bKnashds7");
  g_autoptr(SipwsVia) v6 = sipws_via_new ("ws", "2001:db8::2", 443, NULL);
  g_autoptr(SipwsVia) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpstr (sipws_via_get_transport (top), ==, "WSS");
  g_assert_cmpstr (sipws_via_get_host (top), ==, "df7jal23ls0d.invalid");
  g_assert_cmpuint (sipws_via_get_port (top), ==, 0);
  g_assert_cmpint (sipws_via_get_rport (top), ==, -1);
  g_assert_null (sipws_via_get_received (top));
  g_assert_true (sipws_via_has_magic_cookie (top));

  g_assert_cmpstr (sipws_via_get_protocol_name (second), ==, "SIP");
  g_assert_cmpstr (sipws_via_get_protocol_version (second), ==, "2.0");
  g_assert_cmpstr (sipws_via_get_transport (second), ==, "TCP");
  g_assert_cmpstr (sipws_via_get_host (second), ==, "2001:db8::9:1");
  g_assert_cmpuint (sipws_via_get_port (second), ==, 5061);
  g_assert_cmpstr (sipws_via_get_branch (second), ==, "z9hG4bK-7");
  g_assert_cmpint (sipws_via_get_rport (second), ==, 5060);
  g_assert_cmpstr (sipws_via_get_received (second), ==, "2001:db8::1");
  g_assert_cmpint (sipws_via_get_ttl (second), ==, 16);
  g_assert_cmpstr (sipws_via_get_maddr (second), ==, "224.2.0.1");
  g_assert_cmpstr (sipws_via_get_param (second, "EXT"), ==, "q v");
  g_assert_true (sipws_via_has_param (second, "ttl"));
  g_assert_false (sipws_via_has_param (second, "alias"));

  text = sipws_via_to_string (built);
  g_assert_cmpstr (text, ==, "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7");
  g_clear_pointer (&text, g_free);
  sipws_via_set_param (v6, "rport", NULL);
  g_assert_cmpint (sipws_via_get_rport (v6), ==, 0);
  sipws_via_set_param (v6, "branch", "z9hG4bKx");
  g_assert_cmpstr (sipws_via_get_branch (v6), ==, "z9hG4bKx");
  text = sipws_via_to_string (v6);
  g_assert_cmpstr (text, ==, "SIP/2.0/WS [2001:db8::2]:443;rport;branch=z9hG4bKx");
  reparsed = sipws_via_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sipws_via_get_port (reparsed), ==, 443);
  g_assert_true (sipws_via_has_magic_cookie (reparsed));

  g_test_expect_message ("Sipws-Core", G_LOG_LEVEL_CRITICAL, "*received must be an IP address*");
  sipws_via_set_param (v6, "received", "not-an-ip");
  g_test_assert_expected_messages ();
  g_assert_null (sipws_via_get_received (v6));
}

static void
test_via_errors (void)
{
  static const struct {
    const char *via;
    const char *error;
  } bad[] = {
    { "SIP/2.0 host", "expected '/' in the Via sent-protocol" },
    { "SIP/2.0/ ;host", "expected the Via transport" },
    { "SIP/2.0/UDP", "expected a blank before the Via sent-by" },
    { "SIP/2.0/UDP ", "invalid Via sent-by host" },
    { "SIP/2.0/UDP192.0.2.1", "expected a blank before the Via sent-by" },
    { "SIP/2.0/UDP host:0", "invalid Via sent-by port" },
    { "SIP/2.0/UDP host:65536", "invalid Via sent-by port" },
    { "SIP/2.0/UDP host:", "invalid Via sent-by port" },
    { "SIP/2.0/UDP -host-", "invalid Via sent-by host" },
    { "SIP/2.0/UDP [::1", "invalid Via sent-by host" },
    { "SIP/2.0/UDP 999.1.1.1", "invalid Via sent-by host" },
    { "SIP/2.0/UDP host;branch", "branch must be a token" },
    { "SIP/2.0/UDP host;branch=\"z9hG4bK1\"", "branch must be a token" },
    { "SIP/2.0/UDP host;received=example.com", "received must be an IP address" },
    { "SIP/2.0/UDP host;rport=0", "rport must be a port number" },
    { "SIP/2.0/UDP host;rport=70000", "rport must be a port number" },
    { "SIP/2.0/UDP host;ttl=256", "ttl must be a number from 0 to 255" },
    { "SIP/2.0/UDP host;maddr=a..b", "maddr must be a host" },
    { "SIP/2.0/UDP host;;branch=z9hG4bK1", "expected parameter name" },
    { "SIP/2.0/UDP host junk", "unexpected 'j' in Via" },
    { "", "expected the Via protocol name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsVia) via = sipws_via_parse (bad[i].via, -1, &error);
      g_autofree char *extra = g_strdup_printf ("Via: %s" CRLF, bad[i].via);

      g_assert_null (via);
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      if (strstr (error->message, bad[i].error) == NULL)
        g_error ("'%s': '%s' does not contain '%s'", bad[i].via, error->message, bad[i].error);
      /* a header value loses its trailing blanks */
      if (bad[i].via[0] != '\0' && !g_str_has_suffix (bad[i].via, " "))
        header_fails (extra, bad[i].error);
    }
  header_fails ("Via: SIP/2.0/UDP a;branch=z9hG4bK1,,SIP/2.0/UDP b" CRLF, "empty Via element");
  header_fails ("Via:" CRLF, "empty Via");
}

/* Framing */

static void
test_framing (void)
{
  static const char *const texts[] = {
    /* no Content-Length: the rest of the frame */
    REQUEST_HEAD CRLF "hello",
    /* exact */
    REQUEST_HEAD "Content-Length: 5" CRLF CRLF "hello",
    /* smaller: the rest is trailing */
    REQUEST_HEAD "Content-Length: 5" CRLF CRLF "hello, world",
  };
  static const gsize trailing_expected[] = { 0, 0, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (texts[i], strlen (texts[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = NULL;
      gsize trailing = 99;

      msg = sipws_message_parse_full (bytes, 0, 0, 0, &trailing, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (sipws_message_get_body (msg), NULL),
                       g_bytes_get_size (sipws_message_get_body (msg)), "hello", 5);
      g_assert_cmpuint (trailing, ==, trailing_expected[i]);
    }

  parse_fails (REQUEST_HEAD "Content-Length: 6" CRLF CRLF "hello", SIPWS_ERROR_PARSE,
               "line 8: Content-Length is 6 but the body has only 5 bytes");
  parse_fails (REQUEST_HEAD "Content-Length: -1" CRLF CRLF, SIPWS_ERROR_PARSE, "invalid Content-Length header");
  parse_fails (REQUEST_HEAD, SIPWS_ERROR_PARSE, "line 8: the message ends without the empty line after the headers");
  parse_fails (REQUEST_HEAD "Content-Length: 0", SIPWS_ERROR_PARSE, "line 8: the message ends inside the line");
  parse_fails ("", SIPWS_ERROR_PARSE, "line 1: the message ends inside the line");
  parse_fails (CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column 1: expected a request method");
}

/* The parser reads only len bytes: nothing after them, no NUL needed. */
static void
test_not_nul_terminated (void)
{
  static const char text[] = REQUEST_HEAD "Content-Length: 3" CRLF CRLF "abc";
  gsize len = sizeof text - 1;
  g_autofree char *copy = g_malloc (len);
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  g_autoptr(SipwsMessage) cut = NULL;

  memcpy (copy, text, len);
  msg = sipws_message_parse (copy, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sipws_message_get_body (msg)), ==, 3);
  /* the message does not keep pointers into the caller's buffer */
  memset (copy, 'X', len);
  g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710");

  cut = sipws_message_parse (text, len - 1, &error);
  g_assert_null (cut);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
}

static void
test_line_errors (void)
{
  parse_fails ("OPTIONS sip:a@b SIP/2.0\n" CRLF, SIPWS_ERROR_PARSE, "line 1, column 24: LF without CR");
  parse_fails ("OPTIONS sip:a@b SIP/2.0" CRLF "Via: a\rb" CRLF CRLF, SIPWS_ERROR_PARSE, "line 2, column 7: CR without LF");
  parse_fails (REQUEST_HEAD "NoColon" CRLF CRLF, SIPWS_ERROR_PARSE, "line 8, column 8: expected ':' after the header name");
  parse_fails (REQUEST_HEAD "Bad Name: x" CRLF CRLF, SIPWS_ERROR_PARSE, "line 8, column 5: expected ':'");
  parse_fails (REQUEST_HEAD ": x" CRLF CRLF, SIPWS_ERROR_PARSE, "line 8, column 1: expected a header name");
  parse_fails (REQUEST_HEAD "Na\"me: x" CRLF CRLF, SIPWS_ERROR_PARSE, "line 8, column 3");
  parse_fails ("OPTIONS  sip:a@b SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "more than one SP after the method");
  parse_fails ("OPTIONS sip:a@b  SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "more than one SP after the Request-URI");
  parse_fails ("OPTIONS sip:a@b SIP/2.0 " CRLF CRLF, SIPWS_ERROR_PARSE, "SP after the SIP version");
  parse_fails ("OPTIONS sip:a@b" CRLF CRLF, SIPWS_ERROR_PARSE, "expected SP and the SIP version");
  parse_fails ("OPTIONS <sip:a@b> SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "enclosed in '<>'");
  parse_fails ("OPTIONS sip:a@b HTTP/1.1" CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column 17: expected the SIP version");
  parse_fails ("OPTIONS sip:a@b SIP/2" CRLF CRLF, SIPWS_ERROR_PARSE, "expected the SIP version (SIP/2.0), found 'SIP/2'");
  parse_fails ("OPTIONS sip:a@b SIP/3.0" CRLF CRLF, SIPWS_ERROR_UNSUPPORTED_VERSION, "unsupported SIP version 'SIP/3.0'");
  parse_fails ("OPTIONS sip:a@@b SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column ");
  parse_fails ("OPTIONS sip:a@b?Route=x SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "must not have headers");
  parse_fails ("SIP/2.0 20 OK" CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column 9: the status code must be three digits");
  parse_fails ("SIP/2.0 099 Odd" CRLF CRLF, SIPWS_ERROR_PARSE, "status code 99 is not in 100-699");
  parse_fails ("SIP/2.0 700 Odd" CRLF CRLF, SIPWS_ERROR_PARSE, "status code 700 is not in 100-699");
  parse_fails ("SIP/2.0 200" CRLF CRLF, SIPWS_ERROR_PARSE, "expected SP after the status code");
  parse_fails ("SIP/2.0 200 O\x01K" CRLF CRLF, SIPWS_ERROR_PARSE, "line 1, column 14: control character 0x01");
  parse_fails ("SIP/2.0 200 \xff" CRLF CRLF, SIPWS_ERROR_PARSE, "the reason phrase is not UTF-8");
  parse_fails ("SIP/2.0" CRLF CRLF, SIPWS_ERROR_PARSE, "expected SP and a status code");
  parse_fails ("SIP/1.0 200 OK" CRLF CRLF, SIPWS_ERROR_UNSUPPORTED_VERSION, "SIP/1.0");
}

static void
test_limits (void)
{
  g_autoptr(GString) big = g_string_new (REQUEST_HEAD);
  g_autoptr(GString) many = g_string_new (REQUEST_HEAD);
  g_autoptr(GString) long_header = g_string_new (REQUEST_HEAD "Subject: ");
  g_autoptr(GString) folded = g_string_new (REQUEST_HEAD "Subject: start");
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;

  /* message size */
  g_string_append (big, CRLF);
  g_string_append_len (big, "", 0);
  while (big->len <= 1000)
    g_string_append_c (big, 'x');
  bytes = g_bytes_new (big->str, big->len);
  msg = sipws_message_parse_full (bytes, 1000, 0, 0, NULL, &error);
  g_assert_null (msg);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "more than the limit of 1000"));
  g_clear_error (&error);
  msg = sipws_message_parse_full (bytes, big->len, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&msg, sipws_message_unref);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* default size limit: 64 KiB */
  g_string_set_size (big, SIPWS_MESSAGE_DEFAULT_MAX_SIZE + 1);
  memset (big->str, 'x', big->len);
  parse_fails (big->str, SIPWS_ERROR_MESSAGE_TOO_LARGE, "65537 bytes");

  /* header count: 206 pass with the default, more than 16 fail with 16 */
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (many, "X-H%u: %u" CRLF, i, i);
  g_string_append (many, CRLF);
  msg = parse_ok (many->str);
  g_assert_cmpuint (sipws_message_get_n_headers (msg), ==, 206);
  g_assert_cmpstr (sipws_message_get_header (msg, "x-h199"), ==, "199");
  g_clear_pointer (&msg, sipws_message_unref);
  bytes = g_bytes_new (many->str, many->len);
  msg = sipws_message_parse_full (bytes, 0, 16, 0, NULL, &error);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_TOO_MANY_HEADERS);
  g_assert_nonnull (strstr (error->message, "line 18: more than 16 header fields"));
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_string_truncate (many, strlen (REQUEST_HEAD));
  for (guint i = 0; i < 251; i++)
    g_string_append_printf (many, "X-H%u: %u" CRLF, i, i);
  g_string_append (many, CRLF);
  parse_fails (many->str, SIPWS_ERROR_TOO_MANY_HEADERS, "more than 256 header fields");

  /* line length: a 60 KiB header passes with a large enough limit */
  for (guint i = 0; i < 60 * 1024; i++)
    g_string_append_c (long_header, 'a' + i % 26);
  g_string_append (long_header, CRLF CRLF);
  parse_fails (long_header->str, SIPWS_ERROR_LINE_TOO_LONG, "line 8: the header field is longer than 8192 bytes");
  bytes = g_bytes_new (long_header->str, long_header->len);
  msg = sipws_message_parse_full (bytes, 128 * 1024, 0, 64 * 1024, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sipws_message_get_header (msg, "Subject")), ==, 60 * 1024);
  g_clear_pointer (&msg, sipws_message_unref);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* the start line */
  g_string_assign (big, "OPTIONS sip:");
  for (guint i = 0; i < 9000; i++)
    g_string_append_c (big, 'a');
  g_string_append (big, "@b SIP/2.0" CRLF CRLF);
  parse_fails (big->str, SIPWS_ERROR_LINE_TOO_LONG, "line 1: the start line is longer than 8192 bytes");

  /* folding does not get around the limit */
  for (guint i = 0; i < 100; i++)
    g_string_append (folded, CRLF " 0123456789012345678901234567890123456789");
  g_string_append (folded, CRLF CRLF);
  bytes = g_bytes_new (folded->str, folded->len);
  msg = sipws_message_parse_full (bytes, 0, 0, 1024, NULL, &error);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_LINE_TOO_LONG);
  g_assert_nonnull (strstr (error->message, "the header field is longer than 1024 bytes"));
  g_clear_error (&error);
  msg = sipws_message_parse_full (bytes, 0, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sipws_message_get_header (msg, "Subject")), ==, 5 + 100 * 41);
}

static void
test_many_vias (void)
{
  g_autoptr(GString) text = g_string_new ("INVITE sip:bob@example.com SIP/2.0" CRLF);
  g_autoptr(SipwsMessage) msg = NULL;
  GPtrArray *vias;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, "Via: SIP/2.0/TCP sip%u.example.com;branch=z9hG4bK%u,SIP/2.0/UDP 192.0.2.%u" CRLF,
                            i, i, i);
  g_string_append (text, CRLF);
  msg = parse_ok (text->str);
  vias = sipws_message_get_vias (msg);
  g_assert_cmpuint (vias->len, ==, 80);
  g_assert_cmpstr (sipws_via_get_host (vias->pdata[79]), ==, "192.0.2.39");
  g_assert_cmpstr (sipws_via_get_branch (vias->pdata[78]), ==, "z9hG4bK39");
}

/* Building and serializing */

static void
test_build_request (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:bob@example.com", -1, NULL);
  g_autoptr(SipwsMessage) msg = sipws_message_new_request ("INVITE", uri);
  g_autoptr(SipwsVia) via = sipws_via_new ("WSS", "df7jal23ls0d.invalid", 0, "z9hG4bK776asdhds");
  g_autofree char *via_text = sipws_via_to_string (via);
  g_autoptr(GBytes) body = g_bytes_new_static ("v=0\r\n", 5);
  g_autoptr(GBytes) text = NULL;
  g_autoptr(SipwsMessage) again = NULL;
  g_autoptr(GError) error = NULL;
  static const char expected[] =
    "INVITE sip:bob@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds" CRLF
    "Max-Forwards: 70" CRLF
    "To: <sip:bob@example.com>" CRLF
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.example.com" CRLF
    "CSeq: 314159 INVITE" CRLF
    "Content-Type: application/sdp" CRLF
    "Content-Length: 5" CRLF
    CRLF
    "v=0" CRLF;

  g_assert_true (sipws_message_is_request (msg));
  g_assert_true (sipws_message_get_request_uri (msg) == uri);
  sipws_message_add_header (msg, "Via", via_text);
  sipws_message_add_header (msg, "Max-Forwards", "70");
  sipws_message_add_header (msg, "To", "<sip:bob@example.com>");
  sipws_message_add_header (msg, "From", "\"Alice\" <sip:alice@example.com>;tag=1928301774");
  sipws_message_add_header (msg, "Call-ID", "a84b4c76e66710@pc33.example.com");
  sipws_message_add_header (msg, "CSeq", "314159 INVITE");
  sipws_message_set_body (msg, "application/sdp", body);

  /* the typed caches follow the headers as they are added */
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (msg)), ==, "z9hG4bK776asdhds");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (msg)), ==, "1928301774");
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/sdp");

  text = sipws_message_to_bytes (msg);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text), expected, sizeof expected - 1);

  again = sipws_message_parse_bytes (text, &error);
  g_assert_no_error (error);
  g_assert_true (sipws_message_check_request (again, FALSE, NULL, NULL));
}

static void
test_set_and_remove (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Contact: <sip:a@a.invalid>" CRLF
                                           "X-One: 1" CRLF
                                           "Contact: <sip:b@b.invalid>" CRLF
                                           "Content-Length: 0" CRLF);
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) text = NULL;
  const char *name, *value;

  g_assert_cmpuint (sipws_message_get_contacts (msg)->len, ==, 2);
  sipws_message_set_header (msg, "m", "<sip:c@c.invalid>, <sip:d@d.invalid>");
  g_assert_cmpuint (sipws_message_count_headers (msg, "Contact"), ==, 1);
  g_assert_cmpuint (sipws_message_get_contacts (msg)->len, ==, 2);
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_contacts (msg)->pdata[0])), ==, "c");
  /* set keeps the position (after the 6 headers of REQUEST_HEAD) and the name as written */
  g_assert_true (sipws_message_get_header_nth (msg, 6, &name, &value, NULL));
  g_assert_cmpstr (name, ==, "Contact");
  g_assert_cmpstr (value, ==, "<sip:c@c.invalid>, <sip:d@d.invalid>");

  g_assert_cmpuint (sipws_message_remove_header (msg, "contact"), ==, 1);
  g_assert_null (sipws_message_get_contacts (msg));
  g_assert_cmpuint (sipws_message_remove_header (msg, "contact"), ==, 0);

  sipws_message_set_header (msg, "X-Two", "2");
  g_assert_true (sipws_message_get_header_nth (msg, sipws_message_get_n_headers (msg) - 1, &name, &value, NULL));
  g_assert_cmpstr (name, ==, "X-Two");
  g_assert_false (sipws_message_get_header_nth (msg, sipws_message_get_n_headers (msg), &name, &value, NULL));

  sipws_message_set_header (msg, "CSeq", "63105 OPTIONS");
  {
    guint32 n;
    g_assert_true (sipws_message_get_cseq (msg, &n, NULL));
    g_assert_cmpuint (n, ==, 63105);
  }
  sipws_message_set_header (msg, "From", "<sip:carol@example.com>;tag=9");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (msg)), ==, "9");

  /* set_body updates Content-Length and Content-Type */
  sipws_message_set_body (msg, "text/plain", body);
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 5);
  g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "text/plain");
  sipws_message_set_body (msg, NULL, NULL);
  g_assert_null (sipws_message_get_content_type (msg));
  g_assert_cmpint (sipws_message_get_content_length (msg), ==, 0);

  /* bad values for interpreted headers are programming errors */
  g_test_expect_message ("Sipws-Core", G_LOG_LEVEL_CRITICAL, "*invalid value for header CSeq*");
  sipws_message_set_header (msg, "CSeq", "many");
  g_test_assert_expected_messages ();
  g_test_expect_message ("Sipws-Core", G_LOG_LEVEL_CRITICAL, "*invalid value for header Via*");
  sipws_message_add_header (msg, "Via", "nonsense");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sipws_message_get_vias (msg)->len, ==, 1);
  g_test_expect_message ("Sipws-Core", G_LOG_LEVEL_CRITICAL, "*is_header_value*");
  sipws_message_add_header (msg, "X-Injected", "a\r\nVia: x");
  g_test_assert_expected_messages ();
  g_assert_null (sipws_message_get_header (msg, "X-Injected"));

  text = sipws_message_to_bytes (msg);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (text, NULL), g_bytes_get_size (text), "CSeq: 63105 OPTIONS\r\n"));
}

static void
test_response_for_request (void)
{
  g_autoptr(SipwsMessage) req = parse_ok ("INVITE sip:bob@example.com SIP/2.0" CRLF
                                          "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1" CRLF
                                          "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2,SIP/2.0/UDP q.example.com" CRLF
                                          "Max-Forwards: 69" CRLF
                                          "t: <sip:bob@example.com>" CRLF
                                          "From: <sip:alice@example.com>;tag=88" CRLF
                                          "Call-ID: xyz" CRLF
                                          "CSeq: 2 INVITE" CRLF
                                          "Timestamp: 54" CRLF
                                          "Content-Type: application/sdp" CRLF
                                          "Content-Length: 3" CRLF
                                          CRLF
                                          "v=0");
  g_autoptr(SipwsMessage) trying = sipws_message_new_response_for_request (req, 100, NULL);
  g_autoptr(SipwsMessage) busy = sipws_message_new_response_for_request (req, 486, "Busy Now");
  g_autoptr(GBytes) text = sipws_message_to_bytes (busy);
  static const char expected[] =
    "SIP/2.0 486 Busy Now" CRLF
    "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1" CRLF
    "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2,SIP/2.0/UDP q.example.com" CRLF
    "t: <sip:bob@example.com>" CRLF
    "From: <sip:alice@example.com>;tag=88" CRLF
    "Call-ID: xyz" CRLF
    "CSeq: 2 INVITE" CRLF
    "Content-Length: 0" CRLF
    CRLF;

  g_assert_cmpstr (sipws_message_get_reason_phrase (trying), ==, "Trying");
  g_assert_cmpstr (sipws_message_get_header (trying, "Timestamp"), ==, "54");
  g_assert_null (sipws_message_get_header (busy, "Timestamp"));
  g_assert_cmpuint (sipws_message_get_vias (busy)->len, ==, 3);
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (busy)), ==, "88");
  g_assert_null (sipws_address_get_tag (sipws_message_get_to (busy)));
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text), expected, sizeof expected - 1);
}

static void
test_default_reasons (void)
{
  g_autoptr(SipwsMessage) ok = sipws_message_new_response (200, NULL);
  g_autoptr(SipwsMessage) odd = sipws_message_new_response (299, NULL);
  g_autoptr(GBytes) text = sipws_message_to_bytes (ok);

  g_assert_cmpstr (sipws_message_get_default_reason (100), ==, "Trying");
  g_assert_cmpstr (sipws_message_get_default_reason (183), ==, "Session Progress");
  g_assert_cmpstr (sipws_message_get_default_reason (401), ==, "Unauthorized");
  g_assert_cmpstr (sipws_message_get_default_reason (423), ==, "Interval Too Brief");
  g_assert_cmpstr (sipws_message_get_default_reason (439), ==, "First Hop Lacks Outbound Support");
  g_assert_cmpstr (sipws_message_get_default_reason (487), ==, "Request Terminated");
  g_assert_cmpstr (sipws_message_get_default_reason (603), ==, "Decline");
  g_assert_cmpstr (sipws_message_get_default_reason (499), ==, "Client Error");
  g_assert_null (sipws_message_get_default_reason (99));
  g_assert_null (sipws_message_get_default_reason (700));
  g_assert_cmpstr (sipws_message_get_reason_phrase (odd), ==, "Success");
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                   "SIP/2.0 200 OK" CRLF "Content-Length: 0" CRLF CRLF, 37);
}

/* check_request() */

static void
assert_check (const char *extra,
              const char *start_line,
              gboolean    forwarding,
              guint       expected_status,
              const char *reason_substring)
{
  g_autofree char *text = NULL;
  g_autoptr(SipwsMessage) msg = NULL;
  g_autofree char *reason = NULL;
  guint status = 0;
  gboolean ok;

  text = g_strconcat (start_line, strchr (REQUEST_HEAD, '\n') + 1, extra, CRLF, NULL);
  msg = parse_ok (text);
  ok = sipws_message_check_request (msg, forwarding, &status, &reason);
  if (expected_status == 0)
    {
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_nonnull (strstr (reason, reason_substring));
}

static void
test_check_request (void)
{
  static const char *const mandatory[] = { "Via", "From", "To", "Call-ID", "CSeq" };
  const char *opts = "OPTIONS sip:bob@example.com SIP/2.0" CRLF;

  assert_check ("", opts, FALSE, 0, NULL);
  assert_check ("", opts, TRUE, 0, NULL);
  assert_check ("Call-ID: second" CRLF, opts, FALSE, 400, "Multiple Call-ID Headers");
  assert_check ("l: 0" CRLF "Content-Length: 0" CRLF, opts, FALSE, 400, "Multiple Content-Length Headers");
  assert_check ("Subject: a" CRLF "s: b" CRLF, opts, FALSE, 400, "Multiple Subject Headers");
  /* list and repeatable headers may repeat */
  assert_check ("Via: SIP/2.0/UDP b.example.com" CRLF "Authorization: x" CRLF "Authorization: y" CRLF, opts, FALSE, 0, NULL);
  assert_check ("", "INVITE sip:bob@example.com SIP/2.0" CRLF, FALSE, 400, "CSeq Method Does Not Match");
  assert_check ("", "FOO sip:bob@example.com SIP/2.0" CRLF, FALSE, 501, "Not Implemented");
  assert_check ("", "OPTIONS http://example.com/ SIP/2.0" CRLF, FALSE, 416, "Unsupported URI Scheme");
  assert_check ("", "OPTIONS tel:+15551234567 SIP/2.0" CRLF, FALSE, 0, NULL);
  assert_check ("", "OPTIONS sips:bob@example.com SIP/2.0" CRLF, FALSE, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mandatory); i++)
    {
      g_autoptr(SipwsMessage) msg = header_ok ("");
      g_autofree char *reason = NULL;
      g_autofree char *expected = g_strdup_printf ("Missing %s Header", mandatory[i]);
      guint status = 0;

      sipws_message_remove_header (msg, mandatory[i]);
      g_assert_false (sipws_message_check_request (msg, FALSE, &status, &reason));
      g_assert_cmpuint (status, ==, 400);
      g_assert_cmpstr (reason, ==, expected);
    }

  /* Max-Forwards: 0 only matters when forwarding; a missing one is fine */
  {
    g_autoptr(SipwsMessage) msg = header_ok ("");
    guint status = 0;

    sipws_message_set_header (msg, "Max-Forwards", "0");
    /* the number read when the message was parsed (70) goes with the value */
    g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, 0);
    g_assert_cmpint (sipws_message_get_uint_header (msg, "max-forwards"), ==, 0);
    g_assert_true (sipws_message_check_request (msg, FALSE, NULL, NULL));
    g_assert_false (sipws_message_check_request (msg, TRUE, &status, NULL));
    g_assert_cmpuint (status, ==, 483);
    sipws_message_remove_header (msg, "Max-Forwards");
    g_assert_true (sipws_message_check_request (msg, TRUE, NULL, NULL));
  }
}

/* Round trips */

static void
assert_round_trip (GBytes   *input,
                   gboolean  canonical)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) msg = sipws_message_parse_full (input, 0, 0, 0, NULL, &error);
  g_autoptr(SipwsMessage) again = NULL;
  g_autoptr(GBytes) text = NULL;
  const char *name, *value, *name2, *value2;
  gsize len, len2;

  g_assert_no_error (error);
  text = sipws_message_to_bytes (msg);
  if (canonical)
    g_assert_true (g_bytes_equal (text, input));
  again = sipws_message_parse_bytes (text, &error);
  g_assert_no_error (error);
  for (guint i = 0; sipws_message_get_header_nth (msg, i, &name, &value, &len); i++)
    {
      g_assert_true (sipws_message_get_header_nth (again, i, &name2, &value2, &len2));
      g_assert_cmpstr (name, ==, name2);
      /* Content-Length is written from the body */
      if (g_ascii_strcasecmp (name, "Content-Length") != 0 && g_ascii_strcasecmp (name, "l") != 0)
        g_assert_cmpmem (value, len, value2, len2);
    }
  g_assert_cmpint (sipws_message_get_content_length (again), ==, g_bytes_get_size (sipws_message_get_body (msg)));
  g_assert_true (g_bytes_equal (sipws_message_get_body (msg), sipws_message_get_body (again)));
  if (sipws_message_is_request (msg))
    g_assert_cmpstr (sipws_message_get_method (msg), ==, sipws_message_get_method (again));
  else
    g_assert_cmpstr (sipws_message_get_reason_phrase (msg), ==, sipws_message_get_reason_phrase (again));
}

/* The realistic corpus of bench/ is written canonically ("Name: value",
 * Content-Length right): serializing a parsed message gives the same bytes. */
static void
test_round_trip_corpus (void)
{
  g_autofree char *dir_path = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "bench", "corpus", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *file;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("..", "bench", "corpus", file, NULL);
      g_autoptr(GBytes) bytes = NULL;

      if (!g_str_has_suffix (file, ".sip"))
        continue;
      bytes = sipws_test_load_file (path, NULL);
      assert_round_trip (bytes, TRUE);
      n++;
    }
  g_assert_cmpuint (n, >=, 15);
}

/* The torture messages that parse keep every value and their body. */
static void
test_round_trip_torture (void)
{
  g_autofree char *dir_path = g_build_filename (g_test_get_dir (G_TEST_DIST), "corpus", "rfc4475", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *file;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(SipwsMessage) msg = NULL;

      if (!g_str_has_suffix (file, ".dat"))
        continue;
      bytes = sipws_test_load_file ("corpus", "rfc4475", file, NULL);
      msg = sipws_message_parse_bytes (bytes, NULL);
      if (msg == NULL)
        continue;
      assert_round_trip (bytes, FALSE);
      n++;
    }
  g_assert_cmpuint (n, ==, 32);
}

static void
test_refcount (void)
{
  SipwsMessage *msg = header_ok ("");
  GBytes *body;

  g_assert_true (sipws_message_ref (msg) == msg);
  sipws_message_unref (msg);
  body = g_bytes_ref (sipws_message_get_body (msg));
  sipws_message_unref (msg);
  /* the body outlives the message */
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  g_bytes_unref (body);
  g_assert_true (G_TYPE_IS_BOXED (SIPWS_TYPE_MESSAGE));
  g_assert_true (G_TYPE_IS_BOXED (SIPWS_TYPE_VIA));
}

/* The values of a message live in its memory: what a caller keeps of them
 * (a URI, an address, a hop, a list) keeps that memory after the message. */
static void
test_values_outlive_message (void)
{
  SipwsMessage *msg = header_ok ("Contact: <sip:a@b;ob>;expires=60, \"C\" <sip:c@d>" CRLF);
  GPtrArray *contacts = sipws_message_get_contacts (msg);
  SipwsUri *request_uri = sipws_uri_ref (sipws_message_get_request_uri (msg));
  SipwsVia *via = sipws_via_ref (sipws_message_get_top_via (msg));
  SipwsAddress *from = sipws_address_ref (sipws_message_get_from (msg));
  GBytes *body = g_bytes_ref (sipws_message_get_body (msg));

  /* one array per list, made once */
  g_assert_nonnull (contacts);
  g_assert_true (sipws_message_get_contacts (msg) == contacts);
  g_assert_true (sipws_message_get_address_list (msg, "m") == contacts);
  g_ptr_array_ref (contacts);
  g_assert_true (sipws_message_get_vias (msg)->pdata[0] == via);

  sipws_message_unref (msg);

  g_assert_cmpuint (contacts->len, ==, 2);
  g_assert_cmpint (sipws_address_get_expires (contacts->pdata[0]), ==, 60);
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (contacts->pdata[0]), "ob"));
  g_assert_cmpstr (sipws_address_get_display_name (contacts->pdata[1]), ==, "C");
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (contacts->pdata[1])), ==, "d");
  g_assert_cmpstr (sipws_uri_get_user (request_uri), ==, "bob");
  g_assert_cmpstr (sipws_via_get_branch (via), ==, "z9hG4bKnashds7");
  g_assert_cmpstr (sipws_address_get_tag (from), ==, "1928301774");
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);

  g_ptr_array_unref (contacts);
  sipws_uri_unref (request_uri);
  sipws_via_unref (via);
  sipws_address_unref (from);
  g_bytes_unref (body);
}

/* A message block is kept when a message goes and taken by the next one
 * (sipws_arena_take_block()): the next message starts clean, and a block
 * still referenced (a body, an address kept) is never taken. Also run
 * under memcheck (the "message-memcheck" test), which sees a kept block as
 * freed memory. */
static void
test_block_reuse (void)
{
  static const char with_body[] =
    "INVITE sip:bob@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1" CRLF
    "Route: <sip:p1;lr>" CRLF
    "Contact: <sip:a@a.invalid;transport=ws>;expires=60" CRLF
    "To: <sip:bob@example.com>" CRLF
    "From: \"A\" <sip:alice@example.com>;tag=1" CRLF
    "Call-ID: first" CRLF
    "CSeq: 1 INVITE" CRLF
    "Expires: 120" CRLF
    "Supported: outbound" CRLF
    "Content-Type: application/sdp" CRLF
    "Content-Length: 5" CRLF
    CRLF
    "v=0" CRLF;
  SipwsMessage *first, *gone = header_ok ("");
  gconstpointer gone_block = gone;
  gpointer other;
  GBytes *body;
  SipwsAddress *from;
  guint n = 99;

  /* the block of a message that went, with nothing holding it, is the
   * next message's (unless blocks are not kept, under AddressSanitizer),
   * not what malloc() gives next: without the kept block, the allocation
   * in between would take the freed one */
  sipws_message_unref (gone);
  other = g_malloc (SIPWS_ARENA_BLOCK_SIZE);
  first = parse_ok (with_body);
  g_assert_cmpint ((gconstpointer) first == gone_block, ==, SIPWS_ARENA_KEEPS_BLOCKS);
  g_free (other);
  body = g_bytes_ref (sipws_message_get_body (first));
  from = sipws_address_ref (sipws_message_get_from (first));

  for (guint round = 0; round < 3; round++)
    {
      /* round 0 while the first message lives, then after it went (its
       * block still held by the body and the address), then after those */
      g_autoptr(SipwsMessage) msg = header_ok ("");

      if (round == 1)
        sipws_message_unref (first);
      if (round == 2)
        {
          g_bytes_unref (body);
          sipws_address_unref (from);
          continue;
        }
      g_assert_null (sipws_message_peek_addresses (msg, "Route", &n));
      g_assert_cmpuint (n, ==, 0);
      g_assert_null (sipws_message_get_contacts (msg));
      g_assert_cmpint (sipws_message_get_expires (msg), ==, -1);
      g_assert_false (sipws_message_has_token (msg, "Supported", "outbound"));
      g_assert_null (sipws_message_get_content_type (msg));
      g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710");
      g_assert_cmpuint (g_bytes_get_size (sipws_message_get_body (msg)), ==, 0);

      g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "v=0" CRLF, 5);
      g_assert_cmpstr (sipws_address_get_display_name (from), ==, "A");
      g_assert_cmpstr (sipws_address_get_tag (from), ==, "1");
    }

  /* a large WebRTC offer (4 500 bytes, frame copied twice) still takes
   * the kept block */
  {
    g_autoptr(GString) text = g_string_new (with_body);
    g_autoptr(SipwsMessage) msg = NULL;

    gone = header_ok ("");
    gone_block = gone;
    sipws_message_unref (gone);
    /* (no Content-Length: the body is the rest of the frame) */
    g_string_truncate (text, strlen (with_body) - strlen ("Content-Length: 5" CRLF CRLF "v=0" CRLF));
    g_string_append (text, CRLF);
    while (text->len < 4500)
      g_string_append_c (text, 'a');
    msg = parse_ok (text->str);
    g_assert_cmpint ((gconstpointer) msg == gone_block, ==, SIPWS_ARENA_KEEPS_BLOCKS);
    g_assert_cmpuint (g_bytes_get_size (sipws_message_get_body (msg)), ==,
                      4500 - (strstr (text->str, CRLF CRLF) + 4 - text->str));
  }

  /* a message after everything went, and one too large for a standard
   * block, read the same */
  for (guint size = 0; size < 2; size++)
    {
      g_autoptr(GString) text = g_string_new (with_body);
      g_autoptr(SipwsMessage) msg = NULL;

      if (size == 1)
        {
          g_string_truncate (text, strlen (with_body) - strlen ("Content-Length: 5" CRLF CRLF "v=0" CRLF));
          for (guint i = 0; i < 200; i++)
            g_string_append_printf (text, "X-Filler-%u: %s" CRLF, i, "0123456789abcdef0123456789abcdef");
          g_string_append (text, "Content-Length: 5" CRLF CRLF "v=0" CRLF);
        }
      msg = parse_ok (text->str);
      g_assert_cmpuint (sipws_message_get_n_headers (msg), ==, size == 1 ? 211 : 11);
      g_assert_nonnull (sipws_message_peek_addresses (msg, "Route", &n));
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpint (sipws_address_get_expires (sipws_message_peek_addresses (msg, "Contact", &n)[0]), ==, 60);
      g_assert_true (sipws_message_has_token (msg, "Supported", "outbound"));
      g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "application/sdp");
      g_assert_cmpmem (g_bytes_get_data (sipws_message_get_body (msg), NULL),
                       g_bytes_get_size (sipws_message_get_body (msg)), "v=0" CRLF, 5);
    }
}

/* The header lines are read 16 bytes at a time (the colon, the CR/LF):
 * names and values of every length around those steps, and a stray CR or
 * LF at every position of a value, give what a byte-by-byte reading
 * gives. */
static void
test_line_steps (void)
{
  for (guint name_len = 1; name_len <= 20; name_len++)
    for (guint value_len = 0; value_len <= 40; value_len++)
      {
        g_autofree char *name = g_strnfill (name_len, 'q');
        g_autofree char *value = g_strnfill (value_len, 'v');
        g_autofree char *line = g_strdup_printf ("X%s: %s\t " CRLF, name, value);
        g_autoptr(SipwsMessage) msg = header_ok (line);
        const char *got_name, *got_value;
        gsize got_len;
        g_autofree char *want_name = g_strdup_printf ("X%s", name);

        g_assert_true (sipws_message_get_header_nth (msg, 6, &got_name, &got_value, &got_len));
        g_assert_cmpstr (got_name, ==, want_name);
        g_assert_cmpstr (got_value, ==, value);
        g_assert_cmpuint (got_len, ==, value_len);
        g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710");
      }

  for (guint at = 0; at < 40; at++)
    {
      g_autoptr(GString) line = g_string_new ("Subject: ");
      g_autofree char *cr_error = g_strdup_printf ("line 8, column %u: CR without LF", 10 + at);
      g_autofree char *lf_error = g_strdup_printf ("line 8, column %u: LF without CR", 10 + at);

      g_string_append_len (line, "0123456789012345678901234567890123456789", 40);
      line->str[9 + at] = '\r';
      g_string_append (line, CRLF);
      header_fails (line->str, cr_error);
      line->str[9 + at] = '\n';
      header_fails (line->str, lf_error);
    }

  /* a known name in any case, and names that only look known */
  {
    g_autoptr(SipwsMessage) msg = header_ok ("cONTENT-tYPE: text/plain" CRLF "Content-Typf: x" CRLF
                                             "Content-Type-: y" CRLF);

    g_assert_cmpstr (sipws_message_get_content_type (msg), ==, "text/plain");
    g_assert_cmpuint (sipws_message_count_headers (msg, "Content-Type"), ==, 1);
    g_assert_cmpstr (sipws_message_get_header (msg, "content-typf"), ==, "x");
  }
  /* a control byte that would fold onto '-' or a digit is no name */
  header_fails ("Content\x0dType: text/plain" CRLF, "CR without LF");
  header_fails ("Max\x0d" "Forwards: 1" CRLF, "CR without LF");
  header_fails ("Expires\x11: 1" CRLF, "expected ':' after the header name");
  /* blanks before the colon are allowed (HCOLON) */
  {
    g_autoptr(SipwsMessage) msg = header_ok ("Expires \t: 30" CRLF);

    g_assert_cmpint (sipws_message_get_expires (msg), ==, 30);
  }
}

/* The line length limit holds at each side of the 16-byte steps. */
static void
test_line_limit_steps (void)
{
  for (gsize limit = 60; limit < 100; limit++)
    for (gsize len = limit - 1; len <= limit + 1; len++)
      {
        g_autoptr(GString) text = g_string_new ("OPTIONS sip:a@b SIP/2.0" CRLF "Subject: ");
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(SipwsMessage) msg = NULL;
        g_autoptr(GError) error = NULL;

        while (text->len - 25 < len)
          g_string_append_c (text, 's');
        g_string_append (text, CRLF "Call-ID: x" CRLF CRLF);
        bytes = g_bytes_new (text->str, text->len);
        msg = sipws_message_parse_full (bytes, 0, 0, limit, NULL, &error);
        if (len <= limit)
          {
            g_assert_no_error (error);
            g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "x");
          }
        else
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_LINE_TOO_LONG);
      }
}

/* peek_vias() and peek_addresses() give the message's own arrays. */
static void
test_peek_lists (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Route: <sip:p1;lr>, <sip:p2;lr>" CRLF "Via: SIP/2.0/WS h2;branch=z9hG4bK2" CRLF
                                           "Route: <sip:p3;lr>" CRLF);
  SipwsAddress **routes;
  SipwsVia **vias;
  guint n = 99;

  routes = sipws_message_peek_addresses (msg, "route", &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (routes[2])), ==, "p3");
  g_assert_true (routes[0] == g_ptr_array_index (sipws_message_get_address_list (msg, "Route"), 0));

  vias = sipws_message_peek_vias (msg, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (vias[0] == sipws_message_get_top_via (msg));
  g_assert_cmpstr (sipws_via_get_host (vias[1]), ==, "h2");

  g_assert_null (sipws_message_peek_addresses (msg, "Record-Route", &n));
  g_assert_cmpuint (n, ==, 0);
  /* not an address-list header */
  g_assert_null (sipws_message_peek_addresses (msg, "From", &n));
  g_assert_cmpuint (n, ==, 0);

  /* the same by id */
  n = 99;
  g_assert_true (sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_ROUTE, &n) == routes);
  g_assert_cmpuint (n, ==, 3);
  g_assert_null (sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_RECORD_ROUTE, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_FROM, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (sipws_message_peek_addresses_by_id (msg, SIPWS_HEADER_NAME_OTHER, &n));
  g_assert_cmpuint (n, ==, 0);
}

/* Numbers around nine and ten digits and 2^32, CSeq with other blanks
 * than one SP, as the only or a repeated header: the values and errors. */
static void
test_common_values (void)
{
  static const struct {
    const char *line;
    gint64      expires;      /* -2: the message is refused */
    gint        max_forwards;
    guint32     cseq;
    const char *method;
  } cases[] = {
    { "Expires: 0", 0, 70, 63104, "OPTIONS" },
    { "Expires: 007", 7, 70, 63104, "OPTIONS" },
    { "Expires: 999999999", 999999999, 70, 63104, "OPTIONS" },
    { "Expires: 1000000000", 1000000000, 70, 63104, "OPTIONS" },
    { "Expires: 0000000000001", 1, 70, 63104, "OPTIONS" },
    { "Expires: 4294967295", G_GINT64_CONSTANT (4294967295), 70, 63104, "OPTIONS" },
    { "Expires: 4294967296", -2, 0, 0, NULL },
    { "Expires: 12a", -2, 0, 0, NULL },
    { "Expires: ", -2, 0, 0, NULL },
    { "Max-Forwards: 255", -1, 255, 63104, "OPTIONS" },
    { "Max-Forwards: 256", -2, 0, 0, NULL },
  };
  static const struct {
    const char *value;
    guint32     number;        /* 0: refused */
    const char *method;
  } cseqs[] = {
    { "1 INVITE", 1, "INVITE" },
    { "123456789 BYE", 123456789, "BYE" },
    { "1234567890 BYE", 1234567890, "BYE" },
    { "4294967295 ACK", 4294967295u, "ACK" },
    { "1  INVITE", 1, "INVITE" },
    { "1\tINVITE", 1, "INVITE" },
    { "1 INVITE x", 0, NULL },
    { "1 ", 0, NULL },
    { "1INVITE", 0, NULL },
    { "4294967296 ACK", 0, NULL },
    { "x INVITE", 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* the head's own Max-Forwards comes first, so a second one is read here */
      g_autofree char *text = g_strconcat (cases[i].line[0] == 'M' ? REQUEST_HEAD : REQUEST_HEAD "Expires: 1" CRLF,
                                           cases[i].line, CRLF CRLF, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);

      if (cases[i].expires == -2)
        {
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          continue;
        }
      g_assert_no_error (error);
      /* the first Expires / Max-Forwards of the message is the value */
      g_assert_cmpint (sipws_message_get_max_forwards (msg), ==, 70);
      if (cases[i].line[0] == 'E')
        g_assert_cmpint (sipws_message_get_expires (msg), ==, 1);
    }

  /* as the only one */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *line = g_strconcat (cases[i].line, CRLF, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = NULL;

      if (cases[i].line[0] != 'E')
        continue;
      text = g_strconcat (REQUEST_HEAD, line, CRLF, NULL);
      msg = sipws_message_parse (text, strlen (text), &error);
      if (cases[i].expires == -2)
        {
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          g_assert_nonnull (strstr (error->message, "invalid Expires header"));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (sipws_message_get_expires (msg), ==, cases[i].expires);
      g_assert_cmpint (sipws_message_get_uint_header (msg, "Expires"), ==, cases[i].expires);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cseqs); i++)
    {
      g_autofree char *text = g_strconcat ("OPTIONS sip:bob@example.com SIP/2.0" CRLF
                                           "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bK1" CRLF
                                           "CSeq: ", cseqs[i].value, CRLF
                                           "Call-ID: a84b4c76e66710@host.invalid" CRLF
                                           "Content-Length: 0" CRLF CRLF, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsMessage) msg = sipws_message_parse (text, strlen (text), &error);
      const char *method = NULL;
      guint32 number = 0;

      if (cseqs[i].number == 0)
        {
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          g_assert_nonnull (strstr (error->message, "invalid CSeq header"));
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (sipws_message_get_cseq (msg, &number, &method));
      g_assert_cmpuint (number, ==, cseqs[i].number);
      g_assert_cmpstr (method, ==, cseqs[i].method);
      g_assert_cmpstr (sipws_message_get_call_id (msg), ==, "a84b4c76e66710@host.invalid");
      g_assert_cmpint (sipws_message_get_content_length (msg), ==, 0);
    }
}

/* The getters that take a SipwsHeaderName read what those that take the
 * name read, for every known header, present, repeated or absent. */
static void
test_by_id (void)
{
  g_autoptr(SipwsMessage) msg = header_ok ("Supported: timer, 100rel" CRLF "Require: outbound" CRLF
                                           "Supported: gruu" CRLF "Allow: INVITE, ACK" CRLF
                                           "Contact: <sip:a@b>, <sip:c@d>" CRLF "X-Extra: 1" CRLF);
  static const char *const tokens[] = { "timer", "TIMER", "gruu", "outbound", "invite", "INVITE", "path" };

  for (guint id = 1; id < SIPWS_HEADER_N_IDS; id++)
    {
      const char *name = sipws_header_info[id].name;
      guint n_by_name = 99, n_by_id = 98;

      g_assert_true (sipws_message_get_header_by_id (msg, id) == sipws_message_get_header (msg, name));
      g_assert_true (sipws_message_peek_addresses_by_id (msg, id, &n_by_id) ==
                     sipws_message_peek_addresses (msg, name, &n_by_name));
      g_assert_cmpuint (n_by_id, ==, n_by_name);
      for (guint t = 0; t < G_N_ELEMENTS (tokens); t++)
        g_assert_cmpint (sipws_message_has_token_by_id (msg, id, tokens[t]), ==,
                         sipws_message_has_token (msg, name, tokens[t]));
    }
  g_assert_cmpstr (sipws_message_get_header_by_id (msg, SIPWS_HEADER_NAME_CALL_ID), ==, "a84b4c76e66710");
  g_assert_true (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_SUPPORTED, "GRUU"));
  /* methods compare case-sensitively */
  g_assert_true (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_ALLOW, "INVITE"));
  g_assert_false (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_ALLOW, "invite"));
  g_assert_false (sipws_message_has_token_by_id (msg, SIPWS_HEADER_NAME_UNSUPPORTED, "timer"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/message/header-table", test_header_table);
  g_test_add_func ("/sipws/message/line-steps", test_line_steps);
  g_test_add_func ("/sipws/message/line-limit-steps", test_line_limit_steps);
  g_test_add_func ("/sipws/message/peek-lists", test_peek_lists);
  g_test_add_func ("/sipws/message/by-id", test_by_id);
  g_test_add_func ("/sipws/message/common-values", test_common_values);
  g_test_add_func ("/sipws/message/request", test_request_basics);
  g_test_add_func ("/sipws/message/response", test_response_basics);
  g_test_add_func ("/sipws/message/names", test_names_and_compact_forms);
  g_test_add_func ("/sipws/message/folding", test_folding);
  g_test_add_func ("/sipws/message/comma-lists", test_comma_lists);
  g_test_add_func ("/sipws/message/token-lists", test_token_lists);
  g_test_add_func ("/sipws/message/reason-phrases", test_reason_phrases);
  g_test_add_func ("/sipws/message/late-fields", test_late_fields);
  g_test_add_func ("/sipws/message/name-bytes", test_name_bytes);
  g_test_add_func ("/sipws/message/controls-in-values", test_controls_in_values);
  g_test_add_func ("/sipws/message/contacts", test_contacts);
  g_test_add_func ("/sipws/message/typed", test_typed_values);
  g_test_add_func ("/sipws/message/typed-errors", test_typed_errors);
  g_test_add_func ("/sipws/message/via", test_via);
  g_test_add_func ("/sipws/message/via-comma", test_via_comma_after_each_part);
  g_test_add_func ("/sipws/message/address-list-commas", test_address_list_commas);
  g_test_add_func ("/sipws/message/via-errors", test_via_errors);
  g_test_add_func ("/sipws/message/framing", test_framing);
  g_test_add_func ("/sipws/message/not-nul-terminated", test_not_nul_terminated);
  g_test_add_func ("/sipws/message/line-errors", test_line_errors);
  g_test_add_func ("/sipws/message/limits", test_limits);
  g_test_add_func ("/sipws/message/many-vias", test_many_vias);
  g_test_add_func ("/sipws/message/build-request", test_build_request);
  g_test_add_func ("/sipws/message/set-remove", test_set_and_remove);
  g_test_add_func ("/sipws/message/response-for-request", test_response_for_request);
  g_test_add_func ("/sipws/message/default-reasons", test_default_reasons);
  g_test_add_func ("/sipws/message/check-request", test_check_request);
  g_test_add_func ("/sipws/message/round-trip/corpus", test_round_trip_corpus);
  g_test_add_func ("/sipws/message/round-trip/torture", test_round_trip_torture);
  g_test_add_func ("/sipws/message/refcount", test_refcount);
  g_test_add_func ("/sipws/message/values-outlive-message", test_values_outlive_message);
  g_test_add_func ("/sipws/message/block-reuse", test_block_reuse);

  return g_test_run ();
}
