/* test-address.c: SipwsAddress (name-addr / addr-spec with header params) */
#include <string.h>

#include "sipws-address-private.h"
#include "sipws-error.h"
#include "sipws-scan-private.h"
#include "sipws-uri.h"

typedef struct {
  const char *text;
  const char *display_name;  /* NULL: none */
  const char *uri;           /* the URI as written back */
  const char *tag;
  const char *string;        /* to_string() */
} AddressCase;

static const AddressCase address_cases[] = {
  { "<sip:alice@atlanta.com>", NULL, "sip:alice@atlanta.com", NULL, "<sip:alice@atlanta.com>" },
  { "sip:alice@atlanta.com", NULL, "sip:alice@atlanta.com", NULL, "<sip:alice@atlanta.com>" },
  { "  \"Alice\"   <sip:alice@atlanta.com>;tag=1928301774  ", "Alice", "sip:alice@atlanta.com", "1928301774",
    "\"Alice\" <sip:alice@atlanta.com>;tag=1928301774" },
  { "Bob <sips:bob@biloxi.com>;tag=a6c85cf", "Bob", "sips:bob@biloxi.com", "a6c85cf", "Bob <sips:bob@biloxi.com>;tag=a6c85cf" },
  { "Bob   Smith\t Jr <sip:bob@biloxi.com>", "Bob Smith Jr", "sip:bob@biloxi.com", NULL, "Bob Smith Jr <sip:bob@biloxi.com>" },
  { "\"\" <sip:anonymous@anonymous.invalid>", "", "sip:anonymous@anonymous.invalid", NULL, "\"\" <sip:anonymous@anonymous.invalid>" },
  { "\"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423", "Bell, Alexander", "sip:a.g.bell@example.com", "433423",
    "\"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423" },
  /* RFC 4475 wsinv: escapes in the quoted display name, LWS everywhere */
  { "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\t;\t tag = 98asjd8", "J Rosenberg \\\"",
    "sip:jdrosen@example.com", "98asjd8", "\"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com>;tag=98asjd8" },
  { "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", NULL, "sip:vivekg@chair-dnrc.example.com", "1918181833n",
    "<sip:vivekg@chair-dnrc.example.com>;tag=1918181833n" },
  /* RFC 4475 lwsdisp: no LWS between display name and '<' */
  { "caller<sip:caller@example.com>;tag=323", "caller", "sip:caller@example.com", "323", "caller <sip:caller@example.com>;tag=323" },
  { "\"caller\"<sip:caller@example.com>", "caller", "sip:caller@example.com", NULL, "\"caller\" <sip:caller@example.com>" },
  /* RFC 4475 intmeth: every token character, UTF-8 in a quoted value */
  { "token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-.",
    "token1~` token2'+_ token3*%!.-", "sip:mundane@example.com", "_token~1'+`*%!-.",
    "token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-." },
  { "\"BEL:\\\x07 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>", "BEL:\x07 DEL:\x7f",
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com", NULL,
    "\"BEL:\\\x07 DEL:\\\x7f\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>" },
  /* RFC 4475 esc01, escnull, esc02 */
  { "<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>", NULL,
    "sip:cal%6Cer@host5.example.net;lr;name=v%61lue%25%34%31", NULL,
    "<sip:cal%6Cer@host5.example.net;lr;name=v%61lue%25%34%31>" },
  { "sip:null-%00-null@example.com;tag=839923423", NULL, "sip:null-%00-null@example.com", "839923423",
    "<sip:null-%00-null@example.com>;tag=839923423" },
  { "\"%Z%45\" <sip:resource@example.com>", "%Z%45", "sip:resource@example.com", NULL, "\"%Z%45\" <sip:resource@example.com>" },
  /* RFC 4475 regescrt, cparam01, cparam02 */
  { "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>", NULL, "sip:user@example.com?Route=%3Csip:sip.example.com%3E", NULL,
    "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>" },
  { "sip:+19725552222@gw1.example.net;unknownparam", NULL, "sip:+19725552222@gw1.example.net", NULL,
    "<sip:+19725552222@gw1.example.net>;unknownparam" },
  { "<sip:+19725552222@gw1.example.net;unknownparam>", NULL, "sip:+19725552222@gw1.example.net;unknownparam", NULL,
    "<sip:+19725552222@gw1.example.net;unknownparam>" },
  /* RFC 4475 unksm2: other schemes, with and without <> */
  { "isbn:2983792873", NULL, "isbn:2983792873", NULL, "<isbn:2983792873>" },
  { "<http://www.example.com>;tag=3234233", NULL, "http://www.example.com", "3234233", "<http://www.example.com>;tag=3234233" },
  { "<name:John_Smith>", NULL, "name:John_Smith", NULL, "<name:John_Smith>" },
  { "<tel:+1-201-555-0123>;tag=x", NULL, "tel:+1-201-555-0123", "x", "<tel:+1-201-555-0123>;tag=x" },
  /* RFC 3261 examples: Contact, Route */
  { "<sip:alice@pc33.atlanta.com>;expires=3600;q=0.7", NULL, "sip:alice@pc33.atlanta.com", NULL,
    "<sip:alice@pc33.atlanta.com>;expires=3600;q=0.7" },
  { "<sip:p1.example.com;lr>", NULL, "sip:p1.example.com;lr", NULL, "<sip:p1.example.com;lr>" },
  { "<sip:a@[2001:db8::1]:5060;transport=ws>;received=2001:db8::9", NULL, "sip:a@[2001:db8::1]:5060;transport=ws", NULL,
    "<sip:a@[2001:db8::1]:5060;transport=ws>;received=2001:db8::9" },
};

static void
test_address_parse (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (address_cases); i++)
    {
      const AddressCase *c = &address_cases[i];
      g_autoptr(SipwsAddress) address = NULL;
      g_autoptr(SipwsAddress) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *string = NULL;
      g_autofree char *string2 = NULL;

      g_test_message ("address: %s", c->text);
      address = sipws_address_parse (c->text, -1, &error);
      g_assert_no_error (error);
      g_assert_nonnull (address);
      g_assert_false (sipws_address_is_wildcard (address));
      g_assert_cmpstr (sipws_address_get_display_name (address), ==, c->display_name);
      uri = sipws_uri_to_string (sipws_address_get_uri (address));
      g_assert_cmpstr (uri, ==, c->uri);
      g_assert_cmpstr (sipws_address_get_tag (address), ==, c->tag);
      string = sipws_address_to_string (address);
      g_assert_cmpstr (string, ==, c->string);

      /* What we write parses back to the same thing and is stable. */
      again = sipws_address_parse (string, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sipws_address_get_display_name (again), ==, c->display_name);
      g_assert_true (sipws_uri_equal (sipws_address_get_uri (address), sipws_address_get_uri (again)));
      string2 = sipws_address_to_string (again);
      g_assert_cmpstr (string2, ==, string);
    }
}

typedef struct {
  const char *text;
  const char *message;
} ErrorCase;

static const ErrorCase address_errors[] = {
  { "", "expected an address, found end of input at column 1" },
  { "   ", "expected an address, found end of input at column 4" },
  /* RFC 4475 quotbal */
  { "\"Mr. J. User <sip:j.user@example.com>", "unterminated quoted string at column 1" },
  /* RFC 4475 baddn (the list splitter gives "Bell" and "Alexander <…>" when
   * the header is a list; To/From reach us whole) */
  { "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
    "expected '<' after the display name (a display name that is not a series of tokens must be quoted), found ',' at column 5" },
  { "Watson, Thomas <sip:t.watson@example.org>",
    "expected '<' after the display name (a display name that is not a series of tokens must be quoted), found ',' at column 7" },
  { "Bell", "expected '<' after the display name (a display name that is not a series of tokens must be quoted), found end of input at column 5" },
  { "J. R. \"Bob\" <sip:bob@example.com>",
    "expected '<' after the display name (a display name that is not a series of tokens must be quoted), found '\"' at column 7" },
  { "Bob sip:bob@example.com",
    "expected '<' after the display name (a display name that is not a series of tokens must be quoted), found ':' at column 8" },
  /* RFC 4475 badaspec */
  { "\"Watson, Thomas\" < sip:t.watson@example.org >", "blanks are not allowed inside '<>' at column 19" },
  { "<sip:t.watson@example.org >", "blanks are not allowed inside '<>' at column 2" },
  { "<sip:t.watson @example.org>", "expected ';', '?' or the end of the URI, found space at column 14" },
  /* RFC 4475 regbadct */
  { "sip:user@example.com?Route=%3Csip:sip.example.com%3E", "a URI with '?' must be enclosed in '<>' at column 21" },
  { "sip:a@b,c", "a URI with ',' must be enclosed in '<>' at column 8" },
  /* RFC 4475 badinv01 */
  { "\"Joe\" <sip:joe@example.org>;;;;", "expected parameter name after ';' at column 29" },
  { "<sip:joe@example.org>;", "expected parameter name after ';' at column 23" },
  /* RFC 4475 scalar02 */
  { "<sip:user@host129.example.com>  ;expires=280297596632815", "expires parameter larger than 4294967295 at column 34" },
  { "<sip:a@b>;expires=4294967296", "expires parameter larger than 4294967295 at column 11" },
  { "<sip:a@b>;expires", "expires parameter must be a number of seconds at column 11" },
  { "<sip:a@b>;tag=1;EXPIRES=-1", "expires parameter must be a number of seconds at column 17" },
  { "<sip:a@b>;expires=\"60\"", "expires parameter must be a number of seconds at column 11" },
  { "<sip:a@b>;q=1.5", "q parameter must be a number from 0 to 1 with at most 3 decimals at column 11" },
  { "<sip:a@b>;q=0.1234", "q parameter must be a number from 0 to 1 with at most 3 decimals at column 11" },
  { "<sip:a@b>;q=1.001", "q parameter must be a number from 0 to 1 with at most 3 decimals at column 11" },
  { "<sip:a@b>;q=\"0.5\"", "q parameter must be a number from 0 to 1 with at most 3 decimals at column 11" },
  { "<sip:a@b>;q", "q parameter must be a number from 0 to 1 with at most 3 decimals at column 11" },
  { "<sip:a@b>;tag", "tag parameter must be a token at column 11" },
  { "<sip:a@b>;tag=\"x\"", "tag parameter must be a token at column 11" },
  /* brackets and quotes */
  { "<sip:a@b", "unclosed '<' at column 1" },
  { "<>", "expected a URI scheme, found end of input at column 2" },
  { "<<sip:a@b>>", "expected a URI scheme, found '<' at column 2" },
  { "\"Joe\" sip:joe@example.org", "expected '<' after the display name, found 's' at column 7" },
  { "\"Joe\"", "expected '<' after the display name, found end of input at column 6" },
  { "<sip:a@b> junk", "expected ';' or the end after '>', found 'j' at column 11" },
  { "<sip:a@b>;x=1 junk", "expected ';' or the end after '>', found 'j' at column 15" },
  { "sip:a@b junk", "expected ';' or the end after the URI, found 'j' at column 9" },
  { "<sip:a@b>;x=<y>", "expected parameter value after '=' at column 13" },
  { "<sip:a@b>;x=\"open", "unterminated quoted string at column 13" },
  { "@example.com", "expected a display name, '<' or a URI, found '@' at column 1" },
  { "*;expires=0", "expected nothing after '*', found ';' at column 2" },
  { "* x", "expected nothing after '*', found space at column 2" },
  { "<sip:@example.com>", "empty user part before '@' at column 6" },
  { "<sip:a@999.0.0.1>", "invalid IPv4 address at column 8" },
};

static void
test_address_errors (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (address_errors); i++)
    {
      g_autoptr(SipwsAddress) address = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("bad address: %s", address_errors[i].text);
      address = sipws_address_parse (address_errors[i].text, -1, &error);
      g_assert_null (address);
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, address_errors[i].message);
    }
}

static void
test_address_range (void)
{
  /* Columns count from the start of the whole header value. */
  const char *value = "<sip:a@b>, <sip:c@d>;expires=x";
  const char *second = strchr (value, ',') + 1;
  SipwsArena *arena = sipws_arena_new (0);
  char *out = sipws_arena_strndup (arena, value, strlen (value));
  SipwsAddress *first, *bad;
  g_autoptr(GError) error = NULL;

  first = sipws_address_parse_range (arena, value, out, value, second - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (first)), ==, "b");

  bad = sipws_address_parse_range (arena, value, out, second, value + strlen (value), &error);
  g_assert_null (bad);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "expires parameter must be a number of seconds at column 22");

  /* A reference to the address is one to the arena it was parsed into. */
  sipws_address_ref (first);
  sipws_arena_unref (arena);
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (first)), ==, "b");
  sipws_address_unref (first);
}

static void
test_address_split_contacts (void)
{
  /* How the message parser uses the splitter and the address parser. */
  const char *value = "\"Bell, A\" <sip:x,y@b;x=1>;q=0.5, sip:c@d;expires=0 ,<sip:e@f>";
  static const char *const hosts[] = { "b", "d", "f" };
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (SipwsScanSpan));
  SipwsArena *arena = sipws_arena_new (64);
  char *out = sipws_arena_strndup (arena, value, strlen (value));
  guint i;

  g_assert_true (sipws_scan_split_list (value, strlen (value), spans, NULL));
  g_assert_cmpuint (spans->len, ==, 3);
  for (i = 0; i < spans->len; i++)
    {
      SipwsScanSpan *span = &g_array_index (spans, SipwsScanSpan, i);
      SipwsAddress *address;
      g_autoptr(GError) error = NULL;

      address = sipws_address_parse_range (arena, value, out, span->start, span->start + span->len, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (address)), ==, hosts[i]);
    }
  sipws_arena_unref (arena);
}

static void
test_address_wildcard (void)
{
  g_autoptr(SipwsAddress) parsed = sipws_address_parse (" * ", -1, NULL);
  g_autoptr(SipwsAddress) built = sipws_address_new_wildcard ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_nonnull (parsed);
  g_assert_true (sipws_address_is_wildcard (parsed));
  g_assert_true (sipws_address_is_wildcard (built));
  g_assert_null (sipws_address_get_uri (parsed));
  g_assert_null (sipws_address_get_display_name (parsed));
  g_assert_cmpint (sipws_address_get_expires (parsed), ==, -1);
  a = sipws_address_to_string (parsed);
  b = sipws_address_to_string (built);
  g_assert_cmpstr (a, ==, "*");
  g_assert_cmpstr (b, ==, "*");
}

static void
test_address_contact_params (void)
{
  const char *text = "<sip:u1@a1b2.invalid;transport=ws;ob>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\""
                     ";reg-id=1;expires=4294967295;q=0.25;pub-gruu=\"sip:u@example.com;gr=urn:uuid:0000\";temp-gruu=\"sip:tgruu.7hs==@example.com;gr\"";
  g_autoptr(SipwsAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  SipwsUri *uri;

  address = sipws_address_parse (text, -1, &error);
  g_assert_no_error (error);
  uri = sipws_address_get_uri (address);
  g_assert_cmpstr (sipws_uri_get_param (uri, "transport"), ==, "ws");
  g_assert_true (sipws_uri_has_param (uri, "ob"));
  g_assert_false (sipws_address_has_param (address, "ob"));
  g_assert_cmpstr (sipws_address_get_param (address, "+sip.instance"), ==, "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>");
  g_assert_cmpstr (sipws_address_get_param (address, "REG-ID"), ==, "1");
  g_assert_cmpint (sipws_address_get_expires (address), ==, G_GINT64_CONSTANT (4294967295));
  g_assert_cmpint (sipws_address_get_q (address), ==, 250);
  g_assert_cmpstr (sipws_address_get_param (address, "pub-gruu"), ==, "sip:u@example.com;gr=urn:uuid:0000");
  g_assert_cmpstr (sipws_address_get_param (address, "temp-gruu"), ==, "sip:tgruu.7hs==@example.com;gr");
  g_assert_null (sipws_address_get_tag (address));
  names = sipws_address_get_param_names (address);
  g_assert_cmpstrv (names, ((const char *const[]) { "+sip.instance", "reg-id", "expires", "q", "pub-gruu", "temp-gruu", NULL }));
}

static void
test_address_qvalues (void)
{
  static const struct { const char *q; gint value; } cases[] = {
    { "0", 0 }, { "1", 1000 }, { "0.", 0 }, { "1.", 1000 }, { "0.5", 500 }, { "0.05", 50 },
    { "0.123", 123 }, { "1.000", 1000 }, { "0.999", 999 }, { "1.0", 1000 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("<sip:a@b>;q=%s;expires=0", cases[i].q);
      g_autoptr(SipwsAddress) address = sipws_address_parse (text, -1, NULL);

      g_test_message ("q=%s", cases[i].q);
      g_assert_nonnull (address);
      g_assert_cmpint (sipws_address_get_q (address), ==, cases[i].value);
      g_assert_cmpint (sipws_address_get_expires (address), ==, 0);
    }
}

static void
test_address_build (void)
{
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:alice@example.com;transport=ws", -1, NULL);
  g_autoptr(SipwsAddress) address = sipws_address_new ("Alice \"Al\" Smith", uri);
  g_autoptr(SipwsAddress) parsed = NULL;
  g_autoptr(SipwsAddress) token = NULL;
  g_autofree char *string = NULL;

  g_assert_true (sipws_address_get_uri (address) == uri);
  sipws_address_set_param (address, "tag", "abc123");
  sipws_address_set_param (address, "+sip.instance", "<urn:uuid:1>");
  sipws_address_set_param (address, "reg-id", "1");
  sipws_address_set_param (address, "expires", "600");
  sipws_address_set_param (address, "received", "2001:db8::1");
  sipws_address_set_param (address, "flag", NULL);
  sipws_address_set_param (address, "Expires", "300");
  string = sipws_address_to_string (address);
  g_assert_cmpstr (string, ==, "\"Alice \\\"Al\\\" Smith\" <sip:alice@example.com;transport=ws>;tag=abc123"
                               ";+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=300;received=2001:db8::1;flag");
  g_assert_cmpint (sipws_address_get_expires (address), ==, 300);

  parsed = sipws_address_parse (string, -1, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpstr (sipws_address_get_display_name (parsed), ==, "Alice \"Al\" Smith");
  g_assert_cmpstr (sipws_address_get_param (parsed, "+sip.instance"), ==, "<urn:uuid:1>");
  g_assert_true (sipws_address_has_param (parsed, "flag"));
  g_assert_null (sipws_address_get_param (parsed, "flag"));

  g_assert_true (sipws_address_remove_param (parsed, "flag"));
  g_assert_false (sipws_address_remove_param (parsed, "flag"));
  sipws_address_set_display_name (parsed, NULL);
  g_clear_pointer (&string, g_free);
  string = sipws_address_to_string (parsed);
  g_assert_cmpstr (string, ==, "<sip:alice@example.com;transport=ws>;tag=abc123"
                               ";+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=300;received=2001:db8::1");

  /* A display name made of tokens is written as tokens. */
  token = sipws_address_new ("Bob Smith", uri);
  g_clear_pointer (&string, g_free);
  string = sipws_address_to_string (token);
  g_assert_cmpstr (string, ==, "Bob Smith <sip:alice@example.com;transport=ws>");
  sipws_address_set_display_name (token, "Bob  Smith");
  g_clear_pointer (&string, g_free);
  string = sipws_address_to_string (token);
  g_assert_cmpstr (string, ==, "\"Bob  Smith\" <sip:alice@example.com;transport=ws>");
}

static void
test_address_copy (void)
{
  g_autoptr(SipwsAddress) address = sipws_address_parse ("\"A\" <sip:a@b;lr>;tag=1;q=0.5", -1, NULL);
  g_autoptr(SipwsAddress) copy = sipws_address_copy (address);
  g_autofree char *a = sipws_address_to_string (address);
  g_autofree char *b = sipws_address_to_string (copy);
  g_autofree char *c = NULL;

  g_assert_cmpstr (a, ==, b);
  g_assert_false (sipws_address_get_uri (copy) == sipws_address_get_uri (address));
  sipws_address_set_param (copy, "tag", "2");
  sipws_uri_set_param (sipws_address_get_uri (copy), "lr", "on");
  sipws_address_set_display_name (copy, "B");
  c = sipws_address_to_string (address);
  g_assert_cmpstr (c, ==, a);
  g_assert_cmpstr (sipws_address_get_tag (copy), ==, "2");
  g_assert_cmpint (sipws_address_get_q (copy), ==, 500);
}

static void
test_address_boxed (void)
{
  g_autoptr(SipwsAddress) address = sipws_address_parse ("<sip:a@b>", -1, NULL);
  SipwsAddress *boxed;

  g_assert_true (G_TYPE_IS_BOXED (SIPWS_TYPE_ADDRESS));
  boxed = g_boxed_copy (SIPWS_TYPE_ADDRESS, address);
  g_assert_true (boxed == address);
  g_boxed_free (SIPWS_TYPE_ADDRESS, boxed);
}

/* ---- fast and general paths --------------------------------------------- */

/* Every value of a parsed address as one line. */
static char *
describe_parsed (SipwsAddress *address)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *string = NULL;
  GString *out;

  if (sipws_address_is_wildcard (address))
    return g_strdup ("*");
  out = g_string_new (NULL);
  g_string_append_printf (out, "display %s tag %s q %d expires %" G_GINT64_FORMAT,
                          sipws_address_get_display_name (address), sipws_address_get_tag (address),
                          sipws_address_get_q (address), sipws_address_get_expires (address));
  names = sipws_address_get_param_names (address);
  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (out, " ;%s=%s has %d", names[i], sipws_address_get_param (address, names[i]),
                            sipws_address_has_param (address, names[i]));
  uri = sipws_uri_to_string (sipws_address_get_uri (address));
  string = sipws_address_to_string (address);
  g_string_append_printf (out, " uri %s host %s user %s as %s", uri, sipws_uri_get_host (sipws_address_get_uri (address)),
                          sipws_uri_get_user (sipws_address_get_uri (address)), string);
  return g_string_free (out, FALSE);
}

/* Every value of an address, or its error, as one line. */
static char *
describe_address (const char *text,
                  gsize       len,
                  gboolean    with_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAddress) address = sipws_address_parse (text, len, &error);

  if (address == NULL)
    return with_error ? g_strdup_printf ("error %d: %s", error->code, error->message) : g_strdup ("error");
  return describe_parsed (address);
}

/* The same address read by the fast path of the address lists (a
 * specialisation of its own), or NULL when that hands it over. */
static char *
describe_list_fast (const char *text,
                    gsize       len)
{
  SipwsArena *arena = sipws_arena_new (0);
  SipwsAddress *address = sipws_address_parse_simple (arena, text, sipws_arena_strndup (arena, text, len), text,
                                                      text + len);
  char *described = address != NULL ? describe_parsed (address) : NULL;

  sipws_arena_unref (arena);
  return described;
}

/* The common name-addr is read by a fast path; a blank before its first
 * header parameter ("> ;") means the same and sends the parameters to the
 * general parser, and a URI spelled "<SIP:" instead of "<sip:" goes to the
 * general URI parser, which finds its '>' itself. All must give the same
 * values, or all fail. */
static void
check_fast_address (const char *text,
                    gsize       len)
{
  const char *gt = memchr (text, '>', len);
  const char *scheme = memchr (text, '<', len);
  g_autoptr(GString) general_text = g_string_new_len (text, len);
  g_autofree char *fast = NULL;
  g_autofree char *general = NULL;
  g_autofree char *list = NULL;

  if (gt != NULL && gt + 1 < text + len && gt[1] == ';')
    g_string_insert_c (general_text, gt + 1 - text, ' ');
  fast = describe_address (text, len, FALSE);
  general = describe_address (general_text->str, general_text->len, FALSE);
  if (g_strcmp0 (fast, general) != 0)
    g_test_message ("address %.*s", (int) len, text);
  g_assert_cmpstr (fast, ==, general);
  list = describe_list_fast (text, len);
  if (list != NULL && g_strcmp0 (list, general) != 0)
    g_test_message ("address %.*s in a list", (int) len, text);
  if (list != NULL)
    g_assert_cmpstr (list, ==, general);

  if (scheme != NULL && text + len - scheme >= 5 && memcmp (scheme, "<sip:", 5) == 0)
    {
      g_autofree char *upper = NULL;

      g_string_overwrite_len (general_text, 0, text, len);
      g_string_truncate (general_text, len);
      memcpy (general_text->str + (scheme - text) + 1, "SIP", 3);
      upper = describe_address (general_text->str, general_text->len, FALSE);
      if (g_strcmp0 (fast, upper) != 0)
        g_test_message ("address %.*s", (int) len, text);
      g_assert_cmpstr (fast, ==, upper);
    }
}

static const char *const fast_address_seeds[] = {
  "\"Alice Liddell\" <sip:alice@example.com>;tag=m3f8rq0ksa",
  "<sip:bob@example.com>;tag=Q8vmK1c7gj3pH",
  "<sip:bob@198.51.100.10:5060;transport=udp>",
  "<sip:198.51.100.10;transport=ws;r2=on;lr;ftag=m3f8rq0ksa;did=1b3.f1a3>",
  ("<sip:k4tv9m2u@2ouvm0fn4lv3.invalid;transport=ws;ob>;+sip.ice;reg-id=1;"
   "+sip.instance=\"<urn:uuid:4f3c2b1a-9d8e-4c7b-a6f5-0e1d2c3b4a59>\";expires=600"),
  "<sip:a@b>;expires=4294967295;q=1.000", "<sip:a@b>;expires=4294967296", "<sip:a@b>;q=0.1234", "<sip:a@b>;q=1.5",
  "<sip:a@b>;tag=1;TAG=2", "<sip:a@b>;tag", "<sip:a@b>;tag=\"x\"", "<sip:a@b>;x=\"a\\\"b\"", "<sip:a@b>;x=[::1]",
  "<sip:a@b>;x=a:b", "<sip:a@b>;x=\"\"", "<sip:a@b>;x=\"", "<sip:a@b>;;x", "<sip:a@b>;x=;y", "\"\" <sip:a@b>",
  "\"a\\\"b\" <sip:a@b>", "\"a\"<sip:a@b>", "\"a\" x <sip:a@b>", "<sip:a@b;lr>;lr", "<sips:a@b>;tag=1",
  "<tel:+1234>;tag=1", "<sip:a@b?x=y>;tag=1", "<sip:a%41@b>;tag=1",
  "<sip:198.51.100.10;transport=ws;lr;received=sip:203.0.113.57:53412%3Btransport%3Dws;ob>",
  /* an '@' after the '>', a '>' in a quoted parameter, short texts */
  "<sip:b>;x=\"a@b\"", "<sip:b;lr>;x=\"<sip:a@b>\"", "<sip:a@b>;x=\"@>\"", "<sip:a>", "<sip:@>", "<sip:>",
  "<sip:a@b>;tag=0123456789abcdef", "<sip:0123456789abcdef@b>",
  /* uri-parameters that end at the '>' */
  "<sip:a@b;x>", "<sip:a@b;x=y>", "<sip:a@b;x=%41>", "<sip:a@b;x=>", "<sip:a@b;>", "<sip:a@b:5060;x=yz>;tag=1",
  /* ports at the '>' */
  "<sip:a@b:65535>", "<sip:a@b:005060>", "<sip:a@b:123456>", "<sip:a@b:5060>", "<sip:a@b:0000>",
  "<sip:a@b:9999;lr>;tag=1", "<sip:a@b:50600>",
};

static void
test_address_fast_general (void)
{
  /* (0x1D is '=' with the 0x20 bit clear, 'T' is 't') */
  static const char pieces[] = ";=\"<>@:. \t\\aZ09_~+!%[]\x1dT";
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fast_address_seeds); i++)
    {
      const char *seed = fast_address_seeds[i];
      gsize len = strlen (seed);

      check_fast_address (seed, len);
      for (gsize at = 0; at <= len; at++)
        {
          if (at < len)
            {
              g_string_assign (text, seed);
              g_string_erase (text, at, 1);
              check_fast_address (text->str, text->len);
            }
          for (const char *c = pieces; *c != '\0'; c++)
            {
              g_string_assign (text, seed);
              g_string_insert_c (text, at, *c);
              check_fast_address (text->str, text->len);
              if (at < len)
                {
                  text->str[at + 1] = *c;
                  g_string_erase (text, at, 1);
                  check_fast_address (text->str, text->len);
                }
            }
        }
    }

  /* 64 header parameters and 65 */
  g_string_assign (text, "<sip:a@b>");
  for (guint n = 0; n < 65; n++)
    {
      g_string_append_printf (text, ";p%u", n);
      check_fast_address (text->str, text->len);
    }

  /* 64 uri-parameters and 65, and lists of uri-parameters around the
   * 128 bytes that the fast path takes */
  g_string_assign (text, "<sip:a@b");
  for (guint n = 0; n < 65; n++)
    {
      g_autofree char *closed = NULL;

      g_string_append_printf (text, ";u%u", n);
      closed = g_strdup_printf ("%s>;tag=1", text->str);
      check_fast_address (closed, strlen (closed));
    }
  for (guint len = 118; len <= 134; len++)
    {
      g_autofree char *run = g_strnfill (len, 'v');
      g_autofree char *one = g_strdup_printf ("<sip:a@b;x=%s>", run);
      g_autofree char *two = g_strdup_printf ("<sip:a@b;lr;x=%s;y>", run + 5);

      check_fast_address (one, strlen (one));
      check_fast_address (two, strlen (two));
    }
}

/* The URI fast path of an address finds its '@' and '>' 16 bytes at a
 * time, and checks a short user part or tag in one read backwards from its
 * end: each at every position around those rounds, with a byte that is
 * not a letter or digit at every place in them. */
static void
test_address_fast_positions (void)
{
  static const char *const odd[] = { "", ".", "~", "%41", "\"", ">", ";", "@", " " };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint display = 0; display <= 18; display += 3)
    for (guint user = 0; user <= 20; user++)
      for (guint tag = 0; tag <= 20; tag++)
        for (guint k = 0; k < G_N_ELEMENTS (odd); k++)
          {
            guint where = (user + tag + display) % (user + tag + 1);

            g_string_truncate (text, 0);
            if (display > 0)
              {
                g_string_append_c (text, '"');
                for (guint i = 1; i < display; i++)
                  g_string_append_c (text, 'd');
                g_string_append (text, "\" ");
              }
            g_string_append (text, "<sip:");
            for (guint i = 0; i < user; i++)
              {
                if (i == where)
                  g_string_append (text, odd[k]);
                g_string_append_c (text, 'a' + i % 26);
              }
            g_string_append (text, user > 0 ? "@example.com>;tag=" : "198.51.100.10>;tag=");
            for (guint i = 0; i < tag; i++)
              {
                if (user + i == where)
                  g_string_append (text, odd[k]);
                g_string_append_c (text, 'A' + i % 26);
              }
            check_fast_address (text->str, text->len);
          }

  /* the '@' and the '>' of long URIs, read 32 bytes a round */
  for (guint len = 0; len <= 70; len++)
    {
      g_autofree char *run = g_strnfill (len, 'a');
      g_autofree char *user = g_strdup_printf ("<sip:%s@h.example>", run);
      g_autofree char *after = g_strdup_printf ("<sip:h.example;x=%s>;y=\"@\"", run);
      g_autofree char *inside = g_strdup_printf ("<sip:u@h.example;x=%s@>", run);

      check_fast_address (user, strlen (user));
      check_fast_address (after, strlen (after));
      check_fast_address (inside, strlen (inside));
    }
}

/* Blanks around an address are skipped, other bytes at either end are
 * not: only a byte above SP at both ends skips the check. */
static void
test_address_fast_ends (void)
{
  static const char *const around[] = { "", " ", "\t", " \t ", "\x01", "\x7f", "\x80", "\n" };
  const char *core = "\"A\" <sip:a@b>;tag=1";
  g_autofree char *trimmed = describe_address (core, strlen (core), TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (around); i++)
    for (guint j = 0; j < G_N_ELEMENTS (around); j++)
      {
        g_autofree char *text = g_strconcat (around[i], core, around[j], NULL);
        g_autofree char *got = describe_address (text, strlen (text), TRUE);
        gboolean blanks = strspn (around[i], " \t") == strlen (around[i]) &&
                          strspn (around[j], " \t") == strlen (around[j]);

        if (blanks)
          g_assert_cmpstr (got, ==, trimmed);
        else
          g_assert_true (g_str_has_prefix (got, "error ") && strstr (got, ": expected ") != NULL);
      }
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *got = describe_address (around[i], strlen (around[i]), TRUE);
      g_autofree char *want = g_strdup_printf ("error %d: expected an address, found end of input at column %zu",
                                               SIPWS_ERROR_PARSE, strlen (around[i]) + 1);

      g_assert_cmpstr (got, ==, want);
    }
}

/* The ";tag=" of a From or To shares its allocation with the address:
 * setters that grow or shrink the list still work on it. */
static void
test_address_fast_tag_setters (void)
{
  g_autoptr(SipwsAddress) address = sipws_address_parse ("\"A\" <sip:a@b>;tag=x1", -1, NULL);
  g_autofree char *grown = NULL;
  g_autofree char *shrunk = NULL;

  g_assert_cmpstr (sipws_address_get_tag (address), ==, "x1");
  sipws_address_set_param (address, "expires", "60");
  sipws_address_set_param (address, "tag", "y2");
  g_assert_cmpstr (sipws_address_get_tag (address), ==, "y2");
  g_assert_cmpint (sipws_address_get_expires (address), ==, 60);
  grown = sipws_address_to_string (address);
  g_assert_cmpstr (grown, ==, "\"A\" <sip:a@b>;tag=y2;expires=60");
  g_assert_true (sipws_address_remove_param (address, "tag"));
  g_assert_null (sipws_address_get_tag (address));
  shrunk = sipws_address_to_string (address);
  g_assert_cmpstr (shrunk, ==, "\"A\" <sip:a@b>;expires=60");
}

/* The fast paths write NULs in the mirror as they go: one that hands an
 * address over halfway must leave the general parser an intact mirror,
 * and must not touch the addresses around it in the same header value. */
static void
test_address_fast_handover (void)
{
  const char *value = "<sip:a@b;x=1;y=%41>;p=1;q =1 , \"C\" <sip:c@d;lr>;tag=t;k=\"v w\" , <sip:e@f>;a=1;b=\"c\\\"d\"";
  const char *elem[3][2];
  SipwsArena *arena = sipws_arena_new (0);
  char *out = sipws_arena_strndup (arena, value, strlen (value));
  SipwsAddress *address[3];
  SipwsUri *uri;
  const char *p = value;

  for (guint i = 0; i < 3; i++)
    {
      const char *comma = strstr (p, " , ");

      elem[i][0] = p;
      elem[i][1] = comma != NULL ? comma : value + strlen (value);
      p = comma != NULL ? comma + 3 : NULL;
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      address[i] = sipws_address_parse_range (arena, value, out, elem[i][0], elem[i][1], &error);
      g_assert_no_error (error);
    }

  uri = sipws_address_get_uri (address[0]);
  g_assert_cmpstr (sipws_uri_get_param (uri, "x"), ==, "1");
  g_assert_cmpstr (sipws_uri_get_param (uri, "y"), ==, "A");
  g_assert_cmpstr (sipws_address_get_param (address[0], "p"), ==, "1");
  g_assert_cmpint (sipws_address_get_q (address[0]), ==, 1000);
  g_assert_cmpstr (sipws_address_get_display_name (address[1]), ==, "C");
  g_assert_cmpstr (sipws_address_get_tag (address[1]), ==, "t");
  g_assert_cmpstr (sipws_address_get_param (address[1], "k"), ==, "v w");
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (address[1]), "lr"));
  g_assert_cmpstr (sipws_address_get_param (address[2], "a"), ==, "1");
  g_assert_cmpstr (sipws_address_get_param (address[2], "b"), ==, "c\"d");
  g_assert_cmpstr (sipws_uri_get_host (sipws_address_get_uri (address[2])), ==, "f");
  sipws_arena_unref (arena);
}

/* Lookups compare the length first and never read past the name asked
 * for: a name that is a prefix of a parameter's, or longer, is not it. */
static void
test_address_param_lookup (void)
{
  g_autoptr(SipwsAddress) address = sipws_address_parse ("<sip:a@b;lr;Transport=WS>;reg-id=1;Reg=2;+sip.instance=\"<x>\"",
                                                         -1, NULL);
  g_autoptr(SipwsAddress) other = sipws_address_parse ("<sip:a@b;x[y=1;Ab=2>;rEg-iD=3", -1, NULL);
  SipwsUri *uri, *other_uri;

  g_assert_nonnull (address);
  uri = sipws_address_get_uri (address);
  g_assert_cmpstr (sipws_address_get_param (address, "REG-ID"), ==, "1");
  g_assert_cmpstr (sipws_address_get_param (address, "reg"), ==, "2");
  g_assert_null (sipws_address_get_param (address, "re"));
  g_assert_null (sipws_address_get_param (address, "reg-id2"));
  g_assert_false (sipws_address_has_param (address, ""));
  g_assert_cmpstr (sipws_address_get_param (address, "+SIP.Instance"), ==, "<x>");
  g_assert_true (sipws_uri_has_param (uri, "LR"));
  g_assert_false (sipws_uri_has_param (uri, "l"));
  g_assert_false (sipws_uri_has_param (uri, "lrx"));
  g_assert_cmpstr (sipws_uri_get_param (uri, "transport"), ==, "WS");

  /* the case folded only where the bytes differ, and only for letters
   * ('[' and '{' differ by the same bit) */
  g_assert_nonnull (other);
  other_uri = sipws_address_get_uri (other);
  g_assert_cmpstr (sipws_uri_get_param (other_uri, "x[y"), ==, "1");
  g_assert_cmpstr (sipws_uri_get_param (other_uri, "X[Y"), ==, "1");
  g_assert_null (sipws_uri_get_param (other_uri, "x{y"));
  g_assert_cmpstr (sipws_uri_get_param (other_uri, "aB"), ==, "2");
  g_assert_cmpstr (sipws_address_get_param (other, "REG-id"), ==, "3");
  g_assert_null (sipws_address_get_param (other, "reg_id"));
}

/* Quoted strings (display names, header parameter values) are read 16
 * bytes a round, the last round ending at the end of the text: each byte
 * that ends or breaks one, and some that do not, at every position of
 * strings of every length around those rounds. */
static void
test_address_fast_quoted_positions (void)
{
  static const char bytes[] = { 0x00, 0x01, 0x08, '\t', '\n', 0x1F, ' ', '!', '"', '\\', '<', 0x7F, (char) 0x80, (char) 0xFF };
  g_autoptr(GString) quoted = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint len = 0; len < 36; len++)
    for (guint at = 0; at <= len; at++)
      for (guint b = 0; b < G_N_ELEMENTS (bytes); b++)
        {
          g_string_truncate (quoted, 0);
          for (guint i = 0; i < len; i++)
            g_string_append_c (quoted, 'd');
          if (at < len)
            quoted->str[at] = bytes[b];
          else if (b > 0)
            break;
          /* (the string may hold a NUL) */
          g_string_assign (text, "\"");
          g_string_append_len (text, quoted->str, quoted->len);
          g_string_append (text, "\" <sip:a@b>;x=\"");
          g_string_append_len (text, quoted->str, quoted->len);
          g_string_append_c (text, '"');
          check_fast_address (text->str, text->len);
        }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/core/address/parse", test_address_parse);
  g_test_add_func ("/sipws/core/address/errors", test_address_errors);
  g_test_add_func ("/sipws/core/address/range", test_address_range);
  g_test_add_func ("/sipws/core/address/split-contacts", test_address_split_contacts);
  g_test_add_func ("/sipws/core/address/wildcard", test_address_wildcard);
  g_test_add_func ("/sipws/core/address/contact-params", test_address_contact_params);
  g_test_add_func ("/sipws/core/address/qvalues", test_address_qvalues);
  g_test_add_func ("/sipws/core/address/build", test_address_build);
  g_test_add_func ("/sipws/core/address/copy", test_address_copy);
  g_test_add_func ("/sipws/core/address/boxed", test_address_boxed);
  g_test_add_func ("/sipws/core/address/fast-general", test_address_fast_general);
  g_test_add_func ("/sipws/core/address/fast-positions", test_address_fast_positions);
  g_test_add_func ("/sipws/core/address/fast-ends", test_address_fast_ends);
  g_test_add_func ("/sipws/core/address/fast-tag-setters", test_address_fast_tag_setters);
  g_test_add_func ("/sipws/core/address/fast-handover", test_address_fast_handover);
  g_test_add_func ("/sipws/core/address/fast-quoted-positions", test_address_fast_quoted_positions);
  g_test_add_func ("/sipws/core/address/param-lookup", test_address_param_lookup);

  return g_test_run ();
}
