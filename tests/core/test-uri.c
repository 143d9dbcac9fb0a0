/* test-uri.c: the SIP lexer, parameter lists and SipwsUri */
#include <stdlib.h>
#include <string.h>

#include "sipws-error.h"
#include "sipws-params-private.h"
#include "sipws-scan-private.h"
#include "sipws-uri.h"

/* ---- lexer ------------------------------------------------------------ */

static void
test_scan_classes (void)
{
  static const char token[] = "-.!%*_+`'~";
  static const char not_token[] = "()<>@,;:\\\"/[]?={} \t";
  guint c;

  for (c = 0; c < 256; c++)
    {
      gboolean alnum = g_ascii_isalnum (c);

      g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_ALPHANUM), ==, alnum);
      g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_HEX), ==, g_ascii_isxdigit (c));
      g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_UTF8_NONASCII), ==, c >= 0x80);
      g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_CTL), ==, c < 0x20 || c == 0x7F);
      if (c != 0)
        g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_TOKEN), ==, alnum || strchr (token, c) != NULL);
    }
  for (c = 0; not_token[c] != '\0'; c++)
    g_assert_false (sipws_scan_is (not_token[c], SIPWS_CC_TOKEN));
  g_assert_true (sipws_scan_is (';', SIPWS_CC_USER_CHAR));
  g_assert_false (sipws_scan_is (';', SIPWS_CC_PARAM_CHAR));
  g_assert_false (sipws_scan_is ('@', SIPWS_CC_USER_CHAR));
  g_assert_true (sipws_scan_is (':', SIPWS_CC_HNV_CHAR));
  g_assert_false (sipws_scan_is ('&', SIPWS_CC_HNV_CHAR));
  g_assert_false (sipws_scan_is ('"', SIPWS_CC_QDTEXT));
  g_assert_false (sipws_scan_is ('\\', SIPWS_CC_QDTEXT));
  g_assert_true (sipws_scan_is ('\t', SIPWS_CC_QDTEXT));
  g_assert_true (sipws_scan_is (0xC3, SIPWS_CC_QDTEXT));
  g_assert_true (sipws_scan_is ('"', SIPWS_CC_WORD));
  for (c = 1; c < 256; c++)
    g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_GEN_VALUE), ==,
                     sipws_scan_is (c, SIPWS_CC_TOKEN) || c == ':' || c == '[' || c == ']');
  for (c = 0; c < 256; c++)
    g_assert_cmpint (sipws_scan_is (c, SIPWS_CC_LABEL), ==, g_ascii_isalnum (c) || c == '-');
}

typedef struct {
  const char *value;
  const char *elements[6];  /* NULL-terminated; "" is an empty element */
  const char *error;        /* expected error message, or NULL */
} SplitCase;

static const SplitCase split_cases[] = {
  { "a, b ,c", { "a", "b", "c" }, NULL },
  { "  ", { NULL }, NULL },
  { "", { NULL }, NULL },
  { "single", { "single" }, NULL },
  { "\"Bell, Alexander\" <sip:a@b>;tag=1, <sip:c@d>", { "\"Bell, Alexander\" <sip:a@b>;tag=1", "<sip:c@d>" }, NULL },
  { "<sip:a@b;x=1,2>, <sip:c>", { "<sip:a@b;x=1,2>", "<sip:c>" }, NULL },
  { "\"a \\\", b\" <sip:x>, y", { "\"a \\\", b\" <sip:x>", "y" }, NULL },
  { "a,,b", { "a", "", "b" }, NULL },
  { "a,", { "a", "" }, NULL },
  { ",a", { "", "a" }, NULL },
  { ";;,;,,", { ";;", ";", "", "" }, NULL },
  { "a\\,b", { "a\\", "b" }, NULL },
  { "\"open, x", { NULL }, "unterminated quoted string at column 1" },
  { "a, <sip:x, y", { "a", NULL }, "unclosed '<' at column 4" },
  { "\"ends in backslash\\\"", { NULL }, "unterminated quoted string at column 1" },
};

static void
test_scan_split (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (split_cases); i++)
    {
      const SplitCase *c = &split_cases[i];
      g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (SipwsScanSpan));
      g_autoptr(GError) error = NULL;
      gboolean ok;
      guint n;

      g_test_message ("split: %s", c->value);
      ok = sipws_scan_split_list (c->value, strlen (c->value), spans, &error);
      for (n = 0; n < G_N_ELEMENTS (c->elements) && c->elements[n] != NULL; n++)
        ;
      g_assert_cmpuint (spans->len, ==, n);
      for (n = 0; n < spans->len; n++)
        {
          SipwsScanSpan *span = &g_array_index (spans, SipwsScanSpan, n);
          g_autofree char *text = g_strndup (span->start, span->len);

          g_assert_cmpstr (text, ==, c->elements[n]);
        }
      if (c->error != NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          g_assert_cmpstr (error->message, ==, c->error);
        }
      else
        {
          g_assert_true (ok);
          g_assert_no_error (error);
        }
    }
}

static void
test_scan_quoted (void)
{
  static const struct {
    const char *text;
    gssize consumed;        /* -1: error */
    const char *result;     /* unquoted, or the error message */
  } cases[] = {
    { "\"plain\" rest", 7, "plain" },
    { "\"\"", 2, "" },
    { "\"a \\\"b\\\" \\\\ c\"", 14, "a \"b\" \\ c" },
    { "\"caf\xc3\xa9\"", 7, "caf\xc3\xa9" },
    { "\"tab\there\"", 10, "tab\there" },
    { "\"esc \\\x01\"", 8, "esc \x01" },
    { "\"open", -1, "unterminated quoted string at column 1" },
    { "\"bad \x01\"", -1, "invalid character 0x01 in quoted string at column 6" },
    { "\"line\r\n\"", -1, "invalid character 0x0D in quoted string at column 6" },
    { "\"pair \\\r\"", -1, "invalid escaped character 0x0D in quoted string at column 8" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text;
      const char *p = text;
      const char *end = text + strlen (text);
      g_autoptr(GError) error = NULL;

      g_test_message ("quoted: %s", text);
      if (cases[i].consumed >= 0)
        {
          g_autofree char *unquoted = NULL;

          g_assert_true (sipws_scan_quoted_string (text, &p, end, &error));
          g_assert_no_error (error);
          g_assert_cmpint (p - text, ==, cases[i].consumed);
          unquoted = sipws_scan_unquote (text, p - text);
          g_assert_cmpstr (unquoted, ==, cases[i].result);
        }
      else
        {
          g_assert_false (sipws_scan_quoted_string (text, &p, end, &error));
          g_assert_true (p == text);
          g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
          g_assert_cmpstr (error->message, ==, cases[i].result);
        }
    }
}

static void
test_scan_quote_roundtrip (void)
{
  static const char *const texts[] = { "", "plain", "with \"quotes\"", "back\\slash", "\\\"\\", "ctl\x01\x7f\ttab" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *back = NULL;
      const char *p;

      sipws_scan_append_quoted (out, texts[i], strlen (texts[i]));
      p = out->str;
      g_assert_true (sipws_scan_quoted_string (out->str, &p, out->str + out->len, NULL));
      g_assert_true (p == out->str + out->len);
      back = sipws_scan_unquote (out->str, out->len);
      g_assert_cmpstr (back, ==, texts[i]);
    }
}

static void
test_scan_quote_crlf (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  sipws_scan_append_quoted (out, "a\r\nVia: x", 9);
  g_assert_cmpstr (out->str, ==, "\"a  Via: x\"");
}

static void
test_scan_escapes (void)
{
  g_autofree char *plain = NULL;
  g_autofree char *nul = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *bad = NULL;
  gsize len = 0;

  plain = sipws_scan_unescape ("%41b%2fc%2F", 11, &len);
  g_assert_cmpstr (plain, ==, "Ab/c/");
  g_assert_cmpuint (len, ==, 5);

  nul = sipws_scan_unescape ("a%00b", 5, &len);
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpmem (nul, len, "a\0b", 3);

  g_assert_null (sipws_scan_unescape ("a%4", 3, &len));
  g_assert_null (sipws_scan_unescape ("a%zz", 4, &len));
  g_assert_null (sipws_scan_unescape ("%", 1, &len));

  g_assert_true (sipws_scan_check_escapes ("a%20b%7e", 8, &bad));
  g_assert_false (sipws_scan_check_escapes ("ok%20%G0", 8, &bad));
  g_assert_cmpstr (bad, ==, "%G0");

  sipws_scan_append_escaped (out, "a b@c\0d", 7, SIPWS_CC_USER_CHAR);
  g_assert_cmpstr (out->str, ==, "a%20b%40c%00d");
}

/* The host grammar of RFC 3261 §25.1 written plainly, to check the
 * one-pass scanner against: labels split at '.', then the rules. */
static gboolean
reference_is_ipv4 (const char *p,
                   const char *end)
{
  g_autofree char *text = g_strndup (p, end - p);
  g_auto(GStrv) parts = g_strsplit (text, ".", -1);
  guint n = g_strv_length (parts);

  if (n != 4)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (parts[i]);

      if (len == 0 || len > 3 || strspn (parts[i], "0123456789") != len || atoi (parts[i]) > 255)
        return FALSE;
    }
  return TRUE;
}

static gboolean
reference_is_hostname (const char *p,
                       const char *end)
{
  g_autofree char *text = g_strndup (p, end - p);
  gsize len = strlen (text);
  g_auto(GStrv) labels = NULL;
  guint n;

  if (len == 0 || len > 255)
    return FALSE;
  if (text[len - 1] == '.')
    text[len - 1] = '\0';
  labels = g_strsplit (text, ".", -1);
  n = g_strv_length (labels);
  if (n == 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      gsize l = strlen (labels[i]);

      if (l == 0 || l > 63 || labels[i][0] == '-' || labels[i][l - 1] == '-' ||
          strspn (labels[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != l)
        return FALSE;
    }
  return g_ascii_isalpha (labels[n - 1][0]);
}

static void
test_scan_host_random (void)
{
  /* the second one makes dotted quads, valid or nearly */
  static const char *const alphabets[] = { "019a.-Z.2_", "0125.9." };
  GRand *rand = g_rand_new_with_seed (4475);

  for (guint round = 0; round < 200000; round++)
    {
      const char *alphabet = alphabets[round % 2];
      char text[16];
      guint len = g_rand_int_range (rand, 0, sizeof text);
      const char *run_end;
      SipwsScanHost kind;
      gboolean v4, name;

      for (guint i = 0; i < len; i++)
        text[i] = alphabet[g_rand_int_range (rand, 0, strlen (alphabet))];
      /* not NUL-terminated: the scanner reads [text, text+len) only */
      run_end = sipws_scan_host (text, text + len, &kind);
      for (const char *q = text; q < text + len && strchr ("01259a.-Z", *q) != NULL; q++)
        g_assert_true (run_end > q);
      g_assert_true (run_end == text + len || strchr ("01259a.-Z", *run_end) == NULL);
      if (run_end != text + len)
        continue;
      v4 = reference_is_ipv4 (text, text + len);
      name = reference_is_hostname (text, text + len);
      g_assert_cmpint (kind == SIPWS_SCAN_HOST_IPV4, ==, v4);
      g_assert_cmpint (kind == SIPWS_SCAN_HOST_NAME, ==, name);
      g_assert_cmpint (sipws_scan_is_ipv4 (text, text + len), ==, v4);
      g_assert_cmpint (sipws_scan_is_hostname (text, text + len), ==, name);
      if (!v4 && !name)
        {
          /* meant as an IPv4 address: first and last label (before an
           * optional final '.') start with a digit */
          const char *last = text + len;

          if (len > 1 && last[-1] == '.')
            last--;
          while (last > text && last[-1] != '.')
            last--;
          g_assert_cmpint (kind == SIPWS_SCAN_HOST_BAD_IPV4, ==,
                           last < text + len && g_ascii_isdigit (*last) && g_ascii_isdigit (text[0]));
        }
    }
  g_rand_free (rand);
}

static void
test_scan_hosts (void)
{
  static const struct { const char *text; gboolean v4, v6, name; } cases[] = {
    { "192.0.2.1", TRUE, FALSE, FALSE },
    { "255.255.255.255", TRUE, FALSE, FALSE },
    { "0.0.0.0", TRUE, FALSE, FALSE },
    { "256.1.1.1", FALSE, FALSE, FALSE },
    { "1.2.3", FALSE, FALSE, FALSE },
    { "1.2.3.4.5", FALSE, FALSE, FALSE },
    { "1..3.4", FALSE, FALSE, FALSE },
    { "0001.2.3.4", FALSE, FALSE, FALSE },
    { "::", FALSE, TRUE, FALSE },
    { "::1", FALSE, TRUE, FALSE },
    { "1::", FALSE, TRUE, FALSE },
    { "2001:db8::1", FALSE, TRUE, FALSE },
    { "2001:DB8:0:0:8:800:200C:417A", FALSE, TRUE, FALSE },
    { "::ffff:192.0.2.1", FALSE, TRUE, FALSE },
    { "1:2:3:4:5:6:1.2.3.4", FALSE, TRUE, FALSE },
    { "1:2:3:4:5:6:7:1.2.3.4", FALSE, FALSE, FALSE },
    { "1:2:3:4:5:6:7:8", FALSE, TRUE, FALSE },
    { "1:2:3:4:5:6:7:8:9", FALSE, FALSE, FALSE },
    { "1:2:3:4:5:6:7", FALSE, FALSE, FALSE },
    { "1::2::3", FALSE, FALSE, FALSE },
    { "12345::", FALSE, FALSE, FALSE },
    { ":1::", FALSE, FALSE, FALSE },
    { "1:", FALSE, FALSE, FALSE },
    { "1::2:3:4:5:6:7:8", FALSE, FALSE, FALSE },
    { "g::1", FALSE, FALSE, FALSE },
    { "example.com", FALSE, FALSE, TRUE },
    { "example.com.", FALSE, FALSE, TRUE },
    { "a-b.c1", FALSE, FALSE, TRUE },
    { "123.com", FALSE, FALSE, TRUE },
    { "com.123", FALSE, FALSE, FALSE },
    { "-a.com", FALSE, FALSE, FALSE },
    { "a-.com", FALSE, FALSE, FALSE },
    { "a..com", FALSE, FALSE, FALSE },
    { ".com", FALSE, FALSE, FALSE },
    { "under_score.com", FALSE, FALSE, FALSE },
  };
  g_autofree char *long_label = g_strnfill (64, 'a');
  g_autofree char *max_label = g_strnfill (63, 'a');
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *t = cases[i].text;
      const char *end = t + strlen (t);

      g_test_message ("host: %s", t);
      g_assert_cmpint (sipws_scan_is_ipv4 (t, end), ==, cases[i].v4);
      g_assert_cmpint (sipws_scan_is_ipv6 (t, end), ==, cases[i].v6);
      g_assert_cmpint (sipws_scan_is_hostname (t, end), ==, cases[i].name);
    }
  g_assert_true (sipws_scan_is_hostname (max_label, max_label + 63));
  g_assert_false (sipws_scan_is_hostname (long_label, long_label + 64));
}

/* ---- parameter lists ---------------------------------------------------- */

/* The writable copy the parameter strings are made in. */
static char *
mirror (SipwsArena *arena,
        const char *text,
        gsize       len)
{
  return sipws_arena_strndup (arena, text, len);
}

static void
test_params_parse (void)
{
  static const struct {
    SipwsParamsSyntax syntax;
    const char *text;
    const char *rest;       /* what is left after the list */
    const char *serialized;
  } cases[] = {
    { SIPWS_PARAMS_URI, ";transport=ws;lr;x=%41b?h=1", "?h=1", ";transport=ws;lr;x=%41b" },
    { SIPWS_PARAMS_URI, "no params", "no params", "" },
    { SIPWS_PARAMS_URI, ";a=[::1]:5060;b=$&+", "", ";a=[::1]:5060;b=$&+" },
    { SIPWS_PARAMS_URI_HEADERS, "?subject=hi%20there&to=&x=a:b>", ">", "?subject=hi%20there&to=&x=a:b" },
    { SIPWS_PARAMS_URI_HEADERS, "?Route=%3Csip:a%3E&Route=%3Csip:b%3E", "", "?Route=%3Csip:a%3E&Route=%3Csip:b%3E" },
    { SIPWS_PARAMS_HEADER, " ; tag = abc ;ob ; q=0.5 ,x", " ,x", ";tag=abc;ob;q=0.5" },
    { SIPWS_PARAMS_HEADER, ";+sip.instance=\"<urn:uuid:1>\";received=2001:db8::1", "", ";+sip.instance=\"<urn:uuid:1>\";received=2001:db8::1" },
    { SIPWS_PARAMS_HEADER, ";x=\"a \\\"q\\\"\"", "", ";x=\"a \\\"q\\\"\"" },
    { SIPWS_PARAMS_HEADER, ";maddr=[2001:db8::1]", "", ";maddr=[2001:db8::1]" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text;
      const char *p = text;
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      SipwsArena *arena = sipws_arena_new (0);
      SipwsParams params;

      g_test_message ("params: %s", text);
      sipws_params_init (&params);
      g_assert_true (sipws_params_parse (&params, arena, cases[i].syntax, text, mirror (arena, text, strlen (text)), &p,
                                         text + strlen (text), &error));
      g_assert_no_error (error);
      g_assert_cmpstr (p, ==, cases[i].rest);
      sipws_params_append (&params, cases[i].syntax, out);
      g_assert_cmpstr (out->str, ==, cases[i].serialized);
      sipws_arena_unref (arena);
    }
}

/* A caller may end a string of its own at the ';' where a list starts
 * (a Via host before its parameters) before it parses the list: the
 * fast path that reads header lists at once, and hands over those it
 * does not take, leaves that NUL, and both give the general values. */
static void
test_params_string_before (void)
{
  static const struct {
    const char *text;
    const char *serialized;
  } cases[] = {
    { "host;branch=z9hG4bK1;rport;ttl=5", ";branch=z9hG4bK1;rport;ttl=5" },
    { "host;branch=z9hG4bK1;rport;ttl= 5", ";branch=z9hG4bK1;rport;ttl=5" },
    { "host;a=\"q\";b", ";a=\"q\";b" },
    { "host;a=\"q\\\"\";b ", ";a=\"q\\\"\";b" },
    { "host;a;a", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text, *list = strchr (text, ';'), *p = list;
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      SipwsArena *arena = sipws_arena_new (0);
      char *copy = mirror (arena, text, strlen (text));
      SipwsParams params;
      gboolean ok;

      g_test_message ("params: %s", text);
      sipws_params_init (&params);
      copy[list - text] = '\0';
      ok = sipws_params_parse (&params, arena, SIPWS_PARAMS_HEADER, text, copy, &p, text + strlen (text), &error);
      g_assert_cmpstr (copy, ==, "host");
      if (cases[i].serialized == NULL)
        g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      else
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          sipws_params_append (&params, SIPWS_PARAMS_HEADER, out);
          g_assert_cmpstr (out->str, ==, cases[i].serialized);
        }
      sipws_arena_unref (arena);
    }
}

static void
test_params_errors (void)
{
  static const struct {
    SipwsParamsSyntax syntax;
    const char *text;
    const char *message;
  } cases[] = {
    { SIPWS_PARAMS_URI, ";transport=ws;", "expected parameter name after ';' at column 15" },
    { SIPWS_PARAMS_URI, ";=x", "expected parameter name after ';' at column 2" },
    { SIPWS_PARAMS_URI, ";x=", "expected parameter value after '=' at column 4" },
    { SIPWS_PARAMS_URI, ";x=%4", "invalid %-escape in parameter at column 4" },
    { SIPWS_PARAMS_URI, ";%zz", "invalid %-escape in parameter at column 2" },
    { SIPWS_PARAMS_URI, ";a%00b=1", "escaped NUL in parameter name at column 2" },
    { SIPWS_PARAMS_URI_HEADERS, "?%00=1", "escaped NUL in parameter name at column 2" },
    { SIPWS_PARAMS_URI_HEADERS, "?h", "expected '=' after header name at column 3" },
    { SIPWS_PARAMS_URI_HEADERS, "?a=1&", "expected header name after '&' at column 6" },
    { SIPWS_PARAMS_HEADER, ";tag=\"abc", "unterminated quoted string at column 6" },
    { SIPWS_PARAMS_HEADER, ";tag=;", "expected parameter value after '=' at column 6" },
    { SIPWS_PARAMS_HEADER, ";;", "expected parameter name after ';' at column 2" },
    { SIPWS_PARAMS_HEADER, "; ", "expected parameter name after ';' at column 3" },
    { SIPWS_PARAMS_URI, ";lr;LR", "duplicate parameter 'LR' at column 5" },
    { SIPWS_PARAMS_URI, ";lr;%6Cr=1", "duplicate parameter '%6Cr' at column 5" },
    { SIPWS_PARAMS_HEADER, ";tag=1 ; Tag=2", "duplicate parameter 'Tag' at column 10" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text;
      const char *p = text;
      g_autoptr(GError) error = NULL;
      SipwsArena *arena = sipws_arena_new (16);
      SipwsParams params;

      g_test_message ("params error: %s", text);
      sipws_params_init (&params);
      g_assert_false (sipws_params_parse (&params, arena, cases[i].syntax, text, mirror (arena, text, strlen (text)), &p,
                                         text + strlen (text), &error));
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (params.len, ==, 0);
      sipws_arena_unref (arena);
    }
}

static void
test_params_limit (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  /* small, so that the list spills into chunks of their own */
  SipwsArena *arena = sipws_arena_new (8);
  SipwsParams params;
  const char *p;
  guint i;

  for (i = 0; i < SIPWS_PARAMS_MAX; i++)
    g_string_append_printf (text, ";p%u=%u", i, i);

  sipws_params_init (&params);
  p = text->str;
  g_assert_true (sipws_params_parse (&params, arena, SIPWS_PARAMS_URI, text->str, mirror (arena, text->str, text->len), &p,
                                         text->str + text->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (params.len, ==, SIPWS_PARAMS_MAX);
  g_assert_cmpstr (sipws_params_get (&params, "P63"), ==, "63");

  g_string_append (text, ";one-more");
  p = text->str;
  sipws_params_init (&params);
  g_assert_false (sipws_params_parse (&params, arena, SIPWS_PARAMS_URI, text->str, mirror (arena, text->str, text->len), &p,
                                         text->str + text->len, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "more than 64 parameters at column "));
  sipws_arena_unref (arena);
}

static void
test_params_edit (void)
{
  const char *text = ";a=1;FLAG;b=2";
  const char *p = text;
  g_autoptr(GString) out = g_string_new (NULL);
  SipwsArena *arena = sipws_arena_new (64);
  SipwsArena *copy_arena = sipws_arena_new (0);
  SipwsParams params, copy;

  sipws_params_init (&params);
  sipws_params_init (&copy);
  g_assert_true (sipws_params_parse (&params, arena, SIPWS_PARAMS_HEADER, text, mirror (arena, text, strlen (text)), &p,
                                     text + strlen (text), NULL));
  g_assert_true (sipws_params_has (&params, "flag"));
  g_assert_null (sipws_params_get (&params, "flag"));
  g_assert_false (sipws_params_has (&params, "c"));
  g_assert_cmpstr (sipws_params_get (&params, "A"), ==, "1");

  sipws_params_set (&params, arena, SIPWS_PARAMS_HEADER, "b", "two words");
  sipws_params_set (&params, arena, SIPWS_PARAMS_HEADER, "c", NULL);
  sipws_params_set (&params, arena, SIPWS_PARAMS_HEADER, "ip", "::1");
  sipws_params_set (&params, arena, SIPWS_PARAMS_HEADER, "ref", "[::1]");
  sipws_params_set (&params, arena, SIPWS_PARAMS_HEADER, "inst", "<urn:uuid:x>");
  g_assert_true (sipws_params_remove (&params, "a"));
  g_assert_false (sipws_params_remove (&params, "a"));
  sipws_params_append (&params, SIPWS_PARAMS_HEADER, out);
  g_assert_cmpstr (out->str, ==, ";FLAG;b=\"two words\";c;ip=::1;ref=[::1];inst=\"<urn:uuid:x>\"");

  sipws_params_copy (&copy, copy_arena, &params);
  /* the copy needs nothing of the original's arena */
  sipws_arena_unref (arena);
  g_string_truncate (out, 0);
  sipws_params_append (&copy, SIPWS_PARAMS_HEADER, out);
  g_assert_cmpstr (out->str, ==, ";FLAG;b=\"two words\";c;ip=::1;ref=[::1];inst=\"<urn:uuid:x>\"");
  /* A copy grows like any list. */
  sipws_params_set (&copy, copy_arena, SIPWS_PARAMS_URI, "x", "a b");
  g_string_truncate (out, 0);
  sipws_params_append (&copy, SIPWS_PARAMS_URI, out);
  g_assert_cmpstr (out->str, ==, ";FLAG;b=two%20words;c;ip=::1;ref=[::1];inst=%3Curn:uuid:x%3E;x=a%20b");
  sipws_arena_unref (copy_arena);
}

/* ---- SipwsUri --------------------------------------------------------- */

typedef struct {
  const char *text;
  SipwsUriScheme scheme;
  const char *user;
  const char *host;
  guint16 port;
  const char *string;   /* to_string(), NULL: same as text */
} UriCase;

static const UriCase uri_cases[] = {
  { "sip:alice@atlanta.com", SIPWS_URI_SCHEME_SIP, "alice", "atlanta.com", 0, NULL },
  { "SIP:ALICE@AtLanTa.CoM;Transport=udp", SIPWS_URI_SCHEME_SIP, "ALICE", "AtLanTa.CoM", 0, "sip:ALICE@AtLanTa.CoM;Transport=udp" },
  { "sips:bob@biloxi.com:5061", SIPWS_URI_SCHEME_SIPS, "bob", "biloxi.com", 5061, NULL },
  { "sip:biloxi.com", SIPWS_URI_SCHEME_SIP, NULL, "biloxi.com", 0, NULL },
  { "sip:192.0.2.4:65535", SIPWS_URI_SCHEME_SIP, NULL, "192.0.2.4", 65535, NULL },
  { "sip:[2001:db8::1]:5060;transport=tcp", SIPWS_URI_SCHEME_SIP, NULL, "2001:db8::1", 5060, NULL },
  { "sip:u@[::ffff:192.0.2.1]", SIPWS_URI_SCHEME_SIP, "u", "::ffff:192.0.2.1", 0, NULL },
  { "sip:host.example.com.", SIPWS_URI_SCHEME_SIP, NULL, "host.example.com.", 0, NULL },
  { "sip:h:05060", SIPWS_URI_SCHEME_SIP, NULL, "h", 5060, "sip:h:5060" },
  /* RFC 4475 esc01, semiuri, intmeth */
  { "sip:sips%3Auser%40example.com@example.net", SIPWS_URI_SCHEME_SIP, "sips:user@example.com", "example.net", 0, NULL },
  { "sip:%75se%72@example.com", SIPWS_URI_SCHEME_SIP, "user", "example.com", 0, NULL },
  { "sip:user;par=u%40example.net@example.com", SIPWS_URI_SCHEME_SIP, "user;par=u@example.net", "example.com", 0, NULL },
  { "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    SIPWS_URI_SCHEME_SIP, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "example.com", 0, NULL },
  { "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", SIPWS_URI_SCHEME_SIP, "caller", "host5.example.net", 0,
    "sip:cal%6Cer@host5.example.net;lr;name=v%61lue%25%34%31" },
  { "sip:user@example.com?Route=%3Csip:example.com%3E", SIPWS_URI_SCHEME_SIP, "user", "example.com", 0, NULL },
  { "sip:services.example.com;lr;unknownwith=value;unknown-no-value", SIPWS_URI_SCHEME_SIP, NULL, "services.example.com", 0, NULL },
  { "sip:+1-212-555-1212@gateway.com;user=phone", SIPWS_URI_SCHEME_SIP, "+1-212-555-1212", "gateway.com", 0, NULL },
  { "sip:alice:secret@atlanta.com", SIPWS_URI_SCHEME_SIP, "alice", "atlanta.com", 0, NULL },
  { "sip:a@b?subject=project%20x&priority=urgent", SIPWS_URI_SCHEME_SIP, "a", "b", 0, NULL },
  /* tel: (RFC 3966) */
  { "tel:+1-201-555-0123", SIPWS_URI_SCHEME_TEL, "+1-201-555-0123", NULL, 0, NULL },
  { "TEL:+1(201)555.0123;ext=12", SIPWS_URI_SCHEME_TEL, "+1(201)555.0123", NULL, 0, "tel:+1(201)555.0123;ext=12" },
  { "tel:7042;phone-context=example.com", SIPWS_URI_SCHEME_TEL, "7042", NULL, 0, NULL },
  { "tel:863-1234;phone-context=+1-914-555", SIPWS_URI_SCHEME_TEL, "863-1234", NULL, 0, NULL },
  { "tel:*21#;phone-context=example.com", SIPWS_URI_SCHEME_TEL, "*21#", NULL, 0, NULL },
  /* other schemes (RFC 4475 unkscm, novelsc, unksm2) */
  { "nobodyKnowsThisScheme:totallyopaquecontent", SIPWS_URI_SCHEME_OTHER, NULL, NULL, 0, NULL },
  { "soap.beep://192.0.2.103:3002", SIPWS_URI_SCHEME_OTHER, NULL, NULL, 0, NULL },
  { "isbn:2983792873", SIPWS_URI_SCHEME_OTHER, NULL, NULL, 0, NULL },
  { "http://www.example.com/a?b=c;d", SIPWS_URI_SCHEME_OTHER, NULL, NULL, 0, NULL },
  { "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", SIPWS_URI_SCHEME_OTHER, NULL, NULL, 0, NULL },
};

static void
test_uri_parse (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (uri_cases); i++)
    {
      const UriCase *c = &uri_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsUri) uri = NULL;
      g_autoptr(SipwsUri) again = NULL;
      g_autofree char *string = NULL;
      g_autofree char *string2 = NULL;

      g_test_message ("uri: %s", c->text);
      uri = sipws_uri_parse (c->text, -1, &error);
      g_assert_no_error (error);
      g_assert_nonnull (uri);
      g_assert_cmpint (sipws_uri_get_scheme (uri), ==, c->scheme);
      g_assert_cmpstr (sipws_uri_get_user (uri), ==, c->user);
      g_assert_cmpstr (sipws_uri_get_host (uri), ==, c->host);
      g_assert_cmpuint (sipws_uri_get_port (uri), ==, c->port);

      string = sipws_uri_to_string (uri);
      g_assert_cmpstr (string, ==, c->string != NULL ? c->string : c->text);

      /* Round trip: what we write parses back to an equal URI, and is stable. */
      again = sipws_uri_parse (string, -1, &error);
      g_assert_no_error (error);
      g_assert_true (sipws_uri_equal (uri, again));
      g_assert_cmpuint (sipws_uri_hash (uri), ==, sipws_uri_hash (again));
      string2 = sipws_uri_to_string (again);
      g_assert_cmpstr (string2, ==, string);
    }
}

static void
test_uri_parse_len (void)
{
  g_autoptr(SipwsUri) uri = NULL;
  g_autoptr(GError) error = NULL;

  /* Only the given length is read: the URI may sit inside a larger text. */
  uri = sipws_uri_parse ("sip:a@example.com SIP/2.0", 17, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sipws_uri_get_host (uri), ==, "example.com");
}

static void
test_uri_components (void)
{
  g_autoptr(SipwsUri) uri = NULL;
  g_autoptr(SipwsUri) other = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) headers = NULL;
  const char *user;
  gsize len = 0;

  uri = sipws_uri_parse ("sip:null-%00-null@example.com;LR;Transport=WS;maddr=239.255.255.1"
                         "?Subject=hi%20there&Route=%3Csip:x%3E", -1, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (sipws_uri_get_scheme_name (uri), ==, "sip");
  user = sipws_uri_get_user_bytes (uri, &len);
  g_assert_cmpmem (user, len, "null-\0-null", 11);
  g_assert_cmpstr (sipws_uri_get_user (uri), ==, "null-");
  g_assert_true (sipws_uri_has_param (uri, "lr"));
  g_assert_null (sipws_uri_get_param (uri, "lr"));
  g_assert_cmpstr (sipws_uri_get_param (uri, "transport"), ==, "WS");
  g_assert_cmpstr (sipws_uri_get_param (uri, "MADDR"), ==, "239.255.255.1");
  g_assert_false (sipws_uri_has_param (uri, "ttl"));
  g_assert_null (sipws_uri_get_param (uri, "ttl"));
  g_assert_cmpstr (sipws_uri_get_header (uri, "subject"), ==, "hi there");
  g_assert_cmpstr (sipws_uri_get_header (uri, "route"), ==, "<sip:x>");
  g_assert_null (sipws_uri_get_header (uri, "to"));
  g_assert_null (sipws_uri_get_opaque (uri));
  g_assert_false (sipws_uri_has_password (uri));

  names = sipws_uri_get_param_names (uri);
  g_assert_cmpstrv (names, ((const char *const[]) { "LR", "Transport", "maddr", NULL }));
  headers = sipws_uri_get_header_names (uri);
  g_assert_cmpstrv (headers, ((const char *const[]) { "Subject", "Route", NULL }));

  other = sipws_uri_parse ("Urn:service:sos", -1, NULL);
  g_assert_cmpint (sipws_uri_get_scheme (other), ==, SIPWS_URI_SCHEME_OTHER);
  g_assert_cmpstr (sipws_uri_get_scheme_name (other), ==, "Urn");
  g_assert_cmpstr (sipws_uri_get_opaque (other), ==, "service:sos");
  g_assert_null (sipws_uri_get_user (other));
}

static void
test_uri_password (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:alice:s%65cret@atlanta.com", -1, NULL);
  g_autoptr(SipwsUri) same = sipws_uri_parse ("sip:alice:secret@atlanta.com", -1, NULL);
  g_autoptr(SipwsUri) other = sipws_uri_parse ("sip:alice:Secret@atlanta.com", -1, NULL);
  g_autoptr(SipwsUri) none = sipws_uri_parse ("sip:alice@atlanta.com", -1, NULL);
  g_autofree char *string = sipws_uri_to_string (uri);

  g_assert_true (sipws_uri_has_password (uri));
  g_assert_cmpstr (sipws_uri_get_user (uri), ==, "alice");
  /* Kept only so that the URI is written back as it came. */
  g_assert_cmpstr (string, ==, "sip:alice:s%65cret@atlanta.com");
  g_assert_true (sipws_uri_equal (uri, same));
  g_assert_false (sipws_uri_equal (uri, other));
  g_assert_false (sipws_uri_equal (uri, none));

  /* Dropping the user drops the password with it. */
  sipws_uri_set_user (uri, NULL);
  g_assert_false (sipws_uri_has_password (uri));
  g_clear_pointer (&string, g_free);
  string = sipws_uri_to_string (uri);
  g_assert_cmpstr (string, ==, "sip:atlanta.com");
}

typedef struct {
  const char *text;
  const char *message;
} ErrorCase;

static const ErrorCase uri_errors[] = {
  { "", "expected a URI scheme, found end of input at column 1" },
  { "<sip:user@example.com>", "expected a URI scheme, found '<' at column 1" },
  { "1sip:a", "expected a URI scheme, found '1' at column 1" },
  { "sip", "expected ':' after the URI scheme, found end of input at column 4" },
  { "sip user@example.com", "expected ':' after the URI scheme, found space at column 4" },
  { "sip:", "expected host, found end of input at column 5" },
  { "sip:a@", "expected host, found end of input at column 7" },
  { "sip:@example.com", "empty user part before '@' at column 5" },
  { "sip::pw@example.com", "empty user part before '@' at column 5" },
  { "sip:a%4@example.com", "invalid %-escape in user part at column 6" },
  { "sip:a%zz@example.com", "invalid %-escape in user part at column 6" },
  { "sip:a:p%@example.com", "invalid %-escape in password at column 8" },
  { "sip:user@example.com; lr", "expected parameter name after ';' at column 22" },
  { "sip:user@example.com;lr ", "expected ';', '?' or the end of the URI, found space at column 24" },
  { "sip:user @example.com", "expected ';', '?' or the end of the URI, found space at column 9" },
  { "sip:user@exa mple.com", "expected ';', '?' or the end of the URI, found space at column 13" },
  { "sip:user@example.com>", "expected ';', '?' or the end of the URI, found '>' at column 21" },
  { "sip:<user@example.com>", "expected host, found '<' at column 5" },
  { "sip:host:", "expected port number after ':', found end of input at column 10" },
  { "sip:host:x", "expected port number after ':', found 'x' at column 10" },
  { "sip:host:65536", "port number larger than 65535 at column 10" },
  { "sip:host:99999999999999999999", "port number larger than 65535 at column 10" },
  { "sip:host:0", "port 0 is not a valid port at column 10" },
  { "sip:999.1.1.1", "invalid IPv4 address at column 5" },
  { "sip:1.2.3", "invalid IPv4 address at column 5" },
  { "sip:-host.com", "invalid host name at column 5" },
  { "sip:a..b", "invalid host name at column 5" },
  { "sip:host.123", "invalid host name at column 5" },
  { "sip:[::1", "unterminated IPv6 reference, expected ']' at column 5" },
  { "sip:[1::2::3]", "invalid IPv6 address at column 6" },
  { "sip:[192.0.2.1]", "invalid IPv6 address at column 6" },
  { "sip:[]", "invalid IPv6 address at column 6" },
  { "sip:a@b;x=", "expected parameter value after '=' at column 11" },
  { "sip:a@b;x=%g1", "invalid %-escape in parameter at column 11" },
  { "sip:a@b?x", "expected '=' after header name at column 10" },
  { "sip:a@b?x=1&", "expected header name after '&' at column 13" },
  { "sip:a@b?x=1?y=2", "expected '&' or the end of the URI, found '=' at column 14" },
  { "sip:a@b\r\n", "expected ';', '?' or the end of the URI, found byte 0x0D at column 8" },
  { "sip:a@b\xc3\xa9", "expected ';', '?' or the end of the URI, found byte 0xC3 at column 8" },
  { "tel:", "expected a telephone number, found end of input at column 5" },
  { "tel:+", "expected a telephone number, found end of input at column 6" },
  { "tel:+-.", "expected a telephone number, found end of input at column 8" },
  { "tel:+1a", "expected ';' or the end of the URI, found 'a' at column 7" },
  { "tel:7042", "a local tel: number needs a phone-context parameter at column 5" },
  { "tel:7042;phone-context=bad_domain", "phone-context must be a domain name or a global number at column 9" },
  { "tel:+1;ext=12a", "ext must be digits and visual separators at column 7" },
  { "tel:+1;ext", "ext must be digits and visual separators at column 7" },
  { "tel:+1?x=1", "expected ';' or the end of the URI, found '?' at column 7" },
  { "isbn:", "expected URI text after the scheme, found end of input at column 6" },
  { "http://a b", "expected URI characters, found space at column 9" },
  { "http://a/<b>", "expected URI characters, found '<' at column 10" },
  { "http://a/%zz", "invalid %-escape at column 10" },
  { "tel:7042;phone-context=a.com;PHONE-CONTEXT=b.com", "duplicate parameter 'PHONE-CONTEXT' at column 30" },
  { "sip:a@b;transport=tcp;transport=udp", "duplicate parameter 'transport' at column 23" },
};

static void
test_uri_errors (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (uri_errors); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SipwsUri) uri = NULL;

      g_test_message ("bad uri: %s", uri_errors[i].text);
      uri = sipws_uri_parse (uri_errors[i].text, -1, &error);
      g_assert_null (uri);
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, uri_errors[i].message);
    }
}

static void
test_uri_limits (void)
{
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *ok = g_strdup_printf ("sip:%s.example.com", label63);
  g_autofree char *bad = g_strdup_printf ("sip:%s.example.com", label64);
  g_autofree char *long_user = NULL;
  g_autoptr(GString) many = g_string_new ("sip:a@b");
  g_autoptr(SipwsUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  uri = sipws_uri_parse (ok, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&uri, sipws_uri_unref);

  uri = sipws_uri_parse (bad, -1, &error);
  g_assert_null (uri);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "invalid host name at column 5");
  g_clear_error (&error);

  /* Long values are fine: only the structure is bounded. */
  long_user = g_strdup_printf ("sip:%s@example.com", label64);
  uri = sipws_uri_parse (long_user, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sipws_uri_get_user (uri)), ==, 64);
  g_clear_pointer (&uri, sipws_uri_unref);

  for (i = 0; i < SIPWS_PARAMS_MAX; i++)
    g_string_append_printf (many, ";p%u", i);
  uri = sipws_uri_parse (many->str, -1, &error);
  g_assert_no_error (error);
  g_assert_true (sipws_uri_has_param (uri, "p63"));
  g_clear_pointer (&uri, sipws_uri_unref);
  g_string_append (many, ";p64");
  uri = sipws_uri_parse (many->str, -1, &error);
  g_assert_null (uri);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "more than 64 parameters at column "));
}

/* RFC 3261 §19.1.4, then our own cases. */
static const char *const equal_pairs[][2] = {
  { "sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;security=on" },
  { "sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on" },
  { "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
    "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com" },
  { "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
    "sip:alice@atlanta.com?priority=urgent&subject=project%20x" },
  { "SIP:alice@atlanta.com", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com;MADDR=239.255.255.1" },
  { "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;LR" },
  { "sip:alice@atlanta.com;x=%41", "sip:alice@atlanta.com;x=a" },
  { "sip:%41@h", "sip:A@h" },
  { "sip:a%3bb@h", "sip:a%3Bb@h" },
  { "sip:null-%00-null@example.com", "sip:null-%00-null@example.com" },
  { "sip:[2001:DB8::1]", "sip:[2001:db8:0:0:0:0:0:1]" },
  { "sip:[::1]:5060", "sip:[0:0::1]:5060" },
  { "sip:a@b?subject=a%20b", "sip:a@b?SUBJECT=a%20b" },
  { "sip:a@b?Route=%3Csip:x%3E&Route=%3Csip:y%3E", "sip:a@b?route=%3Csip:y%3E&ROUTE=%3Csip:x%3E" },
  { "sips:a@b", "sips:a@b" },
  { "tel:+1-201-555-0123", "tel:+12015550123" },
  { "tel:+1(201)555.0123", "tel:+1-201-555-0123" },
  { "tel:7042;phone-context=example.com", "tel:7042;phone-context=EXAMPLE.COM" },
  { "tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555" },
  { "tel:+1234;ext=1-2;isub=a", "tel:+1234;isub=a;ext=12" },
  { "tel:ab12;phone-context=example.com", "tel:AB12;phone-context=example.com" },
  { "http://www.example.com", "HTTP://www.example.com" },
  { "urn:a%62c", "urn:abc" },
};

static const char *const unequal_pairs[][2] = {
  { "SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting" },
  { "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4" },
  { "sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off" },
  { "sip:alice@atlanta.com", "sips:alice@atlanta.com" },
  { "sip:alice@atlanta.com", "sip:atlanta.com" },
  { "sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com", "sip:alice@atlanta.com;method=INVITE" },
  { "sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;lr=on" },
  { "sip:a%3Bb@h", "sip:a;b@h" },
  { "sip:a@b?x=1", "sip:a@b?x=1&y=2" },
  { "sip:a@b?subject=A", "sip:a@b?subject=a" },
  { "sip:a@b?x=1&x=2", "sip:a@b?x=1&y=2" },
  { "sip:a@b?x=1&x=1", "sip:a@b?x=1&x=2" },
  { "sip:a@[::1]", "sip:a@[::2]" },
  { "sip:a@[::1]", "sip:a@127.0.0.1" },
  { "sip:a:p@h", "sip:a@h" },
  { "tel:+1234", "tel:1234;phone-context=example.com" },
  { "tel:+1234", "tel:+12345" },
  { "tel:+1234;ext=1", "tel:+1234" },
  { "tel:+1234;isub=a", "tel:+1234;isub=b" },
  { "tel:+1234", "sip:+1234@example.com" },
  { "http://www.example.com", "http://www.example.com/" },
  { "urn:abc", "urn:ABC" },
  { "urn:abc", "isbn:abc" },
};

static void
test_uri_equal (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (equal_pairs); i++)
    {
      g_autoptr(SipwsUri) a = sipws_uri_parse (equal_pairs[i][0], -1, NULL);
      g_autoptr(SipwsUri) b = sipws_uri_parse (equal_pairs[i][1], -1, NULL);

      g_test_message ("equal: %s == %s", equal_pairs[i][0], equal_pairs[i][1]);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_true (sipws_uri_equal (a, b));
      g_assert_true (sipws_uri_equal (b, a));
      g_assert_cmpuint (sipws_uri_hash (a), ==, sipws_uri_hash (b));
    }
  for (i = 0; i < G_N_ELEMENTS (unequal_pairs); i++)
    {
      g_autoptr(SipwsUri) a = sipws_uri_parse (unequal_pairs[i][0], -1, NULL);
      g_autoptr(SipwsUri) b = sipws_uri_parse (unequal_pairs[i][1], -1, NULL);

      g_test_message ("unequal: %s != %s", unequal_pairs[i][0], unequal_pairs[i][1]);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_false (sipws_uri_equal (a, b));
      g_assert_false (sipws_uri_equal (b, a));
    }
}

static void
test_uri_hash_table (void)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full ((GHashFunc) sipws_uri_hash,
                                                       (GEqualFunc) sipws_uri_equal,
                                                       (GDestroyNotify) sipws_uri_unref, NULL);
  g_autoptr(SipwsUri) probe = sipws_uri_parse ("sip:%61lice@ATLANTA.com;transport=tcp", -1, NULL);

  g_hash_table_add (table, sipws_uri_parse ("sip:alice@atlanta.com;transport=TCP", -1, NULL));
  g_hash_table_add (table, sipws_uri_parse ("sip:bob@atlanta.com", -1, NULL));
  g_assert_true (g_hash_table_contains (table, probe));
}

static void
test_uri_build (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_new (SIPWS_URI_SCHEME_SIP, "a b@c", "example.com", 0);
  g_autoptr(SipwsUri) parsed = NULL;
  g_autoptr(SipwsUri) v6 = NULL;
  g_autoptr(SipwsUri) tel = NULL;
  g_autofree char *string = NULL;

  sipws_uri_set_param (uri, "transport", "ws");
  sipws_uri_set_param (uri, "lr", NULL);
  sipws_uri_set_param (uri, "x", "a;b");
  sipws_uri_set_param (uri, "TRANSPORT", "tcp");
  sipws_uri_set_header (uri, "Subject", "hello world&more");
  sipws_uri_set_port (uri, 5070);
  string = sipws_uri_to_string (uri);
  g_assert_cmpstr (string, ==, "sip:a%20b%40c@example.com:5070;transport=tcp;lr;x=a%3Bb?Subject=hello%20world%26more");

  parsed = sipws_uri_parse (string, -1, NULL);
  g_assert_nonnull (parsed);
  g_assert_true (sipws_uri_equal (uri, parsed));
  g_assert_cmpuint (sipws_uri_hash (uri), ==, sipws_uri_hash (parsed));
  g_assert_cmpstr (sipws_uri_get_user (parsed), ==, "a b@c");
  g_assert_cmpstr (sipws_uri_get_param (parsed, "x"), ==, "a;b");
  g_assert_cmpstr (sipws_uri_get_header (parsed, "subject"), ==, "hello world&more");

  /* Editing a parsed URI (its own block) works the same way. */
  g_assert_true (sipws_uri_remove_param (parsed, "lr"));
  g_assert_false (sipws_uri_remove_param (parsed, "lr"));
  g_assert_true (sipws_uri_remove_header (parsed, "subject"));
  sipws_uri_set_user (parsed, "bob");
  sipws_uri_set_host (parsed, "[2001:db8::2]");
  sipws_uri_set_port (parsed, 0);
  sipws_uri_set_param (parsed, "ob", NULL);
  g_clear_pointer (&string, g_free);
  string = sipws_uri_to_string (parsed);
  g_assert_cmpstr (string, ==, "sip:bob@[2001:db8::2];transport=tcp;x=a%3Bb;ob");

  v6 = sipws_uri_new (SIPWS_URI_SCHEME_SIPS, NULL, "::1", 5061);
  g_clear_pointer (&string, g_free);
  string = sipws_uri_to_string (v6);
  g_assert_cmpstr (string, ==, "sips:[::1]:5061");
  g_assert_cmpstr (sipws_uri_get_host (v6), ==, "::1");

  tel = sipws_uri_new (SIPWS_URI_SCHEME_TEL, "+1-555-0100", NULL, 0);
  sipws_uri_set_param (tel, "ext", "12");
  g_clear_pointer (&string, g_free);
  string = sipws_uri_to_string (tel);
  g_assert_cmpstr (string, ==, "tel:+1-555-0100;ext=12");
}

static void
test_uri_copy (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:%41lice:pw@Example.com:5060;lr;x=%20?h=v", -1, NULL);
  g_autoptr(SipwsUri) copy = sipws_uri_copy (uri);
  g_autoptr(SipwsUri) other = sipws_uri_parse ("isbn:123", -1, NULL);
  g_autoptr(SipwsUri) other_copy = sipws_uri_copy (other);
  g_autofree char *a = sipws_uri_to_string (uri);
  g_autofree char *b = sipws_uri_to_string (copy);
  g_autofree char *c = NULL;

  g_assert_cmpstr (a, ==, b);
  g_assert_true (sipws_uri_equal (uri, copy));
  g_assert_true (sipws_uri_equal (other, other_copy));

  sipws_uri_set_param (copy, "lr", "on");
  g_assert_false (sipws_uri_equal (uri, copy));
  g_assert_null (sipws_uri_get_param (uri, "lr"));
  c = sipws_uri_to_string (uri);
  g_assert_cmpstr (c, ==, a);

  /* A reference is the same object, a copy is not. */
  g_assert_true (sipws_uri_ref (uri) == uri);
  sipws_uri_unref (uri);
}

static void
test_uri_boxed (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:a@b", -1, NULL);
  SipwsUri *boxed;

  g_assert_true (G_TYPE_IS_BOXED (SIPWS_TYPE_URI));
  boxed = g_boxed_copy (SIPWS_TYPE_URI, uri);
  g_assert_true (boxed == uri);
  g_boxed_free (SIPWS_TYPE_URI, boxed);
}

/* ---- fast and general paths --------------------------------------------- */

/* A "sip:" URI of the common form is read by a fast path; the same URI
 * spelled "SIP:" goes through the general parser. Both must give the same
 * values, and the same errors at the same columns. */
static char *
describe_uri (const char *text,
              gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsUri) uri = sipws_uri_parse (text, len, &error);
  g_auto(GStrv) names = NULL;
  g_autofree char *string = NULL;
  GString *out;
  const char *user;
  gsize user_len = 0;

  if (uri == NULL)
    return g_strdup_printf ("error %d: %s", error->code, error->message);
  out = g_string_new (NULL);
  user = sipws_uri_get_user_bytes (uri, &user_len);
  g_string_append_printf (out, "scheme %d %s user ", sipws_uri_get_scheme (uri), sipws_uri_get_scheme_name (uri));
  if (user != NULL)
    g_string_append_len (out, user, user_len);
  else
    g_string_append (out, "(none)");
  g_string_append_printf (out, " password %d host %s port %u", sipws_uri_has_password (uri),
                          sipws_uri_get_host (uri), sipws_uri_get_port (uri));
  names = sipws_uri_get_param_names (uri);
  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (out, " ;%s=%s has %d", names[i], sipws_uri_get_param (uri, names[i]),
                            sipws_uri_has_param (uri, names[i]));
  g_clear_pointer (&names, g_strfreev);
  names = sipws_uri_get_header_names (uri);
  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (out, " ?%s=%s", names[i], sipws_uri_get_header (uri, names[i]));
  string = sipws_uri_to_string (uri);
  g_string_append_printf (out, " as %s", string);
  return g_string_free (out, FALSE);
}

/* Compares "sip:" + @body (fast path when the URI is common) with "SIP:" +
 * @body (general parser). */
static void
check_fast_uri (const char *body,
                gsize       len)
{
  g_autofree char *fast_text = g_malloc (len + 4);
  g_autofree char *general_text = g_malloc (len + 4);
  g_autofree char *fast = NULL;
  g_autofree char *general = NULL;

  memcpy (fast_text, "sip:", 4);
  memcpy (general_text, "SIP:", 4);
  memcpy (fast_text + 4, body, len);
  memcpy (general_text + 4, body, len);
  fast = describe_uri (fast_text, len + 4);
  general = describe_uri (general_text, len + 4);
  if (g_strcmp0 (fast, general) != 0)
    g_test_message ("URI sip:%.*s", (int) len, body);
  g_assert_cmpstr (fast, ==, general);
}

/* The edges of the fast path: what it takes, and what it must hand over
 * (escapes, passwords, IPv6, headers, repeated names, bad hosts, ports
 * and parameters). */
static const char *const fast_uri_seeds[] = {
  "alice@example.com",
  "198.51.100.10;transport=ws;r2=on;lr;ftag=m3f8rq0ksa;did=1b3.f1a3",
  "bob@198.51.100.10:5060;transport=udp",
  "k4tv9m2u@2ouvm0fn4lv3.invalid;transport=ws;ob",
  "orig@scscf.example.com:6060;lr",
  "a@b.c.", "a.", ".", "a..b", ".a", "-a.b", "a-.b", "a.-b", "a.b-", "a-b.c-d.e", "host.123", "1host.com",
  "1.2.3.4", "1.2.3.4.", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.0004", "1.2.3.4a", "1-2.3.4.5",
  "999.0.0.1", "0.0.0.0:1",
  "a@[::1]", "a@[::1]:5060;lr", "a:pw@b", "a:@b", "a:5060", "b:5060", "a%41@b", "a%4@b", "%41@b", "a@b%41",
  "a@b;x=%41", "a@b;x=%4", "a@b;x%41=1", "a@b?x=y", "a@b;lr?x=y&z=w", "a@b;x;x", "a@b;X=1;x=2", "a@b;x=1;y=%41",
  "a@b:0", "a@b:65535", "a@b:65536", "a@b:", "a@b:x", "a@b:5060x", "a@b;", "a@b;=", "a@b;x=", "a@b;=1",
  "a@b:05060", "a@b:005060;lr", "a@b:99999", "a@b:123456", "a@b:00000", "a@b:1", "a@b:00001",
  "a@b;x==1", "a@b;x=1=2", "@b", "a@", "", "@", "a@b@c", "a;b=c@d", "a?b@c", "a/b@c", "a b@c", "a@b c",
  "a@b;x=\"1\"", "a@b>", "a@b;lr>", "+1-555@gw;user=phone", "a@b;x=[::1]", "a@b;x=a:b", "a@b;x=$&+/:[]",
  "a@b;x=\x80", "\x80@b", "a@\x80",
  "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
  "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
};

/* check_fast_uri() over @seed and every one-byte change of it: each byte
 * removed, replaced or preceded by each piece. */
static void
check_fast_uri_edits (const char *seed)
{
  static const char pieces[] = ";=@:.-%?&[]<> \"aZ09_~+/$";
  g_autoptr(GString) text = g_string_new (NULL);
  gsize len = strlen (seed);

  check_fast_uri (seed, len);
  for (gsize at = 0; at <= len; at++)
    {
      if (at < len)
        {
          g_string_assign (text, seed);
          g_string_erase (text, at, 1);
          check_fast_uri (text->str, text->len);
        }
      for (const char *c = pieces; *c != '\0'; c++)
        {
          g_string_assign (text, seed);
          g_string_insert_c (text, at, *c);
          check_fast_uri (text->str, text->len);
          if (at < len)
            {
              text->str[at + 1] = *c;
              g_string_erase (text, at, 1);
              check_fast_uri (text->str, text->len);
            }
        }
    }
}

static void
test_uri_fast_general (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) long_host = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fast_uri_seeds); i++)
    check_fast_uri_edits (fast_uri_seeds[i]);

  /* a name of 255 bytes and one of 256, in labels of 63 */
  for (guint labels = 0; labels < 4; labels++)
    g_string_append (long_host, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
  g_string_append (long_host, "com");
  check_fast_uri (long_host->str, long_host->len);
  g_string_append_c (long_host, 'x');
  check_fast_uri (long_host->str, long_host->len);
  /* 64 parameters and 65 */
  g_string_assign (text, "a@b");
  for (guint n = 0; n < 65; n++)
    {
      g_string_append_printf (text, ";p%u", n);
      check_fast_uri (text->str, text->len);
    }

  /* ports of four bytes, read at once when all four are digits: every
   * four of bytes around the digits, at the end and before more */
  for (guint i = 0; i < 9 * 9 * 9 * 9; i++)
    {
      static const char around[] = "/059:a>\x80\xff";
      char port[5];

      for (guint k = 0, n = i; k < 4; k++, n /= 9)
        port[k] = around[n % 9];
      port[4] = '\0';
      g_string_printf (text, "a@b:%s", port);
      check_fast_uri (text->str, text->len);
      g_string_append (text, i % 2 == 0 ? ";lr" : "0");
      check_fast_uri (text->str, text->len);
    }

  /* a user part of letters and digits is checked in one read of 16
   * bytes, forwards or backwards: users up to 20 bytes before hosts that
   * leave less or more than that to read, with a byte that is not a
   * letter or digit at every place */
  for (guint user = 1; user <= 20; user++)
    for (guint where = 0; where <= user; where++)
      for (guint k = 0; k < 6; k++)
        for (guint h = 0; h < 3; h++)
          {
            static const char *const odd[] = { "", ".", "%41", ":", "\x80", ">" };
            static const char *const hosts[] = { "b", "b.example", "host.example.com;lr" };

            g_string_truncate (text, 0);
            for (guint i = 0; i < user; i++)
              {
                if (i == where)
                  g_string_append (text, odd[k]);
                g_string_append_c (text, 'a' + i % 26);
              }
            g_string_append_printf (text, "@%s", hosts[h]);
            check_fast_uri (text->str, text->len);
          }
}

/* The uri-parameters fast path takes values with %HH escapes (decoded,
 * the text as written kept for serialisation) among plain entries, and
 * hands over escapes in names, bad escapes and repeats. */
static void
test_uri_fast_escaped_values (void)
{
  static const char *const seeds[] = {
    "198.51.100.10;transport=ws;lr;received=sip:203.0.113.57:53412%3Btransport%3Dws;ob",
    "a@b;x=%41%42;y=1;z=%7e%00", "a@b;x=%41;x=%42", "a@b;x=%41;y=%4G", "a@b;x=%41;y%41=1", "a@b;x=1%",
  };
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:a@b;x=%41%3b;lr;y=%25", -1, NULL);
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    check_fast_uri_edits (seeds[i]);

  g_assert_nonnull (uri);
  g_assert_cmpstr (sipws_uri_get_param (uri, "x"), ==, "A;");
  g_assert_true (sipws_uri_has_param (uri, "lr"));
  g_assert_cmpstr (sipws_uri_get_param (uri, "y"), ==, "%");
  text = sipws_uri_to_string (uri);
  g_assert_cmpstr (text, ==, "sip:a@b;x=%41%3b;lr;y=%25");
}

/* The '@' that makes a user part is looked for 16 bytes a round, the last
 * round ending at the end of the URI: an '@' in every position of URIs
 * of every length around those rounds, and none. */
static void
test_uri_fast_user_positions (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint user = 0; user < 36; user++)
    for (guint host = 0; host < 36; host++)
      {
        g_string_truncate (text, 0);
        for (guint i = 0; i < user; i++)
          g_string_append_c (text, 'u');
        g_string_append_c (text, '@');
        for (guint i = 0; i < host; i++)
          g_string_append_c (text, 'h');
        check_fast_uri (text->str, text->len);
        /* no '@' at all */
        g_string_erase (text, user, 1);
        check_fast_uri (text->str, text->len);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/core/scan/classes", test_scan_classes);
  g_test_add_func ("/sipws/core/scan/split-list", test_scan_split);
  g_test_add_func ("/sipws/core/scan/quoted-string", test_scan_quoted);
  g_test_add_func ("/sipws/core/scan/quote-roundtrip", test_scan_quote_roundtrip);
  g_test_add_func ("/sipws/core/scan/quote-crlf", test_scan_quote_crlf);
  g_test_add_func ("/sipws/core/scan/escapes", test_scan_escapes);
  g_test_add_func ("/sipws/core/scan/hosts", test_scan_hosts);
  g_test_add_func ("/sipws/core/scan/host-random", test_scan_host_random);
  g_test_add_func ("/sipws/core/params/parse", test_params_parse);
  g_test_add_func ("/sipws/core/params/errors", test_params_errors);
  g_test_add_func ("/sipws/core/params/string-before", test_params_string_before);
  g_test_add_func ("/sipws/core/params/limit", test_params_limit);
  g_test_add_func ("/sipws/core/params/edit", test_params_edit);
  g_test_add_func ("/sipws/core/uri/parse", test_uri_parse);
  g_test_add_func ("/sipws/core/uri/parse-len", test_uri_parse_len);
  g_test_add_func ("/sipws/core/uri/components", test_uri_components);
  g_test_add_func ("/sipws/core/uri/password", test_uri_password);
  g_test_add_func ("/sipws/core/uri/errors", test_uri_errors);
  g_test_add_func ("/sipws/core/uri/limits", test_uri_limits);
  g_test_add_func ("/sipws/core/uri/equal", test_uri_equal);
  g_test_add_func ("/sipws/core/uri/hash-table", test_uri_hash_table);
  g_test_add_func ("/sipws/core/uri/build", test_uri_build);
  g_test_add_func ("/sipws/core/uri/copy", test_uri_copy);
  g_test_add_func ("/sipws/core/uri/boxed", test_uri_boxed);
  g_test_add_func ("/sipws/core/uri/fast-general", test_uri_fast_general);
  g_test_add_func ("/sipws/core/uri/fast-escaped-values", test_uri_fast_escaped_values);
  g_test_add_func ("/sipws/core/uri/fast-user-positions", test_uri_fast_user_positions);

  return g_test_run ();
}
