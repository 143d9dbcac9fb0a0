/* test-redact.c: secrets never reach a log through the redaction helpers */
#include <string.h>

#include "sipws-redact.h"

/* Every byte of a redacted dump is printable UTF-8, LF or TAB. */
static void
assert_printable (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (c == '\n' || c == '\t' || g_unichar_isprint (c));
    }
}

static char *
redact (const char *message)
{
  char *out = sipws_redact_sip_message (message, strlen (message));

  assert_printable (out);
  return out;
}

static void
test_register_exact (void)
{
  static const char message[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7\r\n"
    "From: <sip:alice@example.com>;tag=a73kszlfl\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid\r\n"
    "CSeq: 2 REGISTER\r\n"
    "Authorization: Digest username=\"alice\", realm=\"example.com\", "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"sip:example.com\", "
    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", algorithm=SHA-256, "
    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, nc=00000001, "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
  g_autofree char *out = redact (message);

  g_assert_cmpstr (out, ==,
                   "REGISTER sip:example.com SIP/2.0\n"
                   "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7\n"
                   "From: <sip:alice@example.com>;tag=a73kszlfl\n"
                   "To: <sip:alice@example.com>\n"
                   "Call-ID: 1j9FpLxk3uxtm8tn@df7jal23ls0d.invalid\n"
                   "CSeq: 2 REGISTER\n"
                   "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=<redacted>, "
                   "uri=\"sip:example.com\", response=<redacted>, algorithm=SHA-256, cnonce=<redacted>, "
                   "qop=auth, nc=<redacted>, opaque=<redacted>\n"
                   "Content-Length: 0\n"
                   "\n");
}

static void
test_handshake_exact (void)
{
  static const char request[] =
    "GET /sip?token=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln&room=42 HTTP/1.1\r\n"
    "Host: pbx.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "Cookie: session=Zm9vYmFy; theme=dark\r\n"
    "\r\n";
  static const char response[] =
    "HTTP/1.1 401 Unauthorized\r\n"
    "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"abc\", qop=\"auth\"\r\n"
    "Set-Cookie: lb=c2VydmVyMQ; Path=/; Secure; HttpOnly\r\n"
    "\r\n";
  g_autofree char *out_request = redact (request);
  g_autofree char *out_response = redact (response);

  g_assert_cmpstr (out_request, ==,
                   "GET /sip?token=<redacted>&room=<redacted> HTTP/1.1\n"
                   "Host: pbx.example.com\n"
                   "Upgrade: websocket\n"
                   "Sec-WebSocket-Protocol: sip\n"
                   "Cookie: session=<redacted>; theme=<redacted>\n"
                   "\n");
  /* Challenges are no secret: they stay readable. */
  g_assert_cmpstr (out_response, ==,
                   "HTTP/1.1 401 Unauthorized\n"
                   "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"abc\", qop=\"auth\"\n"
                   "Set-Cookie: lb=<redacted>; Path=/; Secure; HttpOnly\n"
                   "\n");
}

/* Each message carries the secrets listed after it; none may survive. */
static const struct {
  const char *name;
  const char *message;
  const char *secrets[4];
  const char *kept;   /* text that must survive, to show the dump stays useful */
} shapes[] = {
  { "lowercase-name",
    "REGISTER sip:x SIP/2.0\r\nauthorization: Digest username=\"bob\", response=\"S3CRET01\"\r\n\r\n",
    { "S3CRET01" }, "authorization: Digest username=\"bob\"" },
  { "odd-case-and-space-before-colon",
    "INVITE sip:x SIP/2.0\r\nPROXY-authorIZATION  :  Digest username=\"bob\", nonce=\"S3CRET02\", "
    "response=\"S3CRET03\"\r\n\r\n",
    { "S3CRET02", "S3CRET03" }, "PROXY-authorIZATION: Digest username=\"bob\"" },
  { "folded-value",
    "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"bob\",\r\n response=\"S3CRET04\",\r\n"
    "\tcnonce=\"S3CRET05\"\r\nCSeq: 1 REGISTER\r\n\r\n",
    { "S3CRET04", "S3CRET05" }, "CSeq: 1 REGISTER" },
  { "folded-right-after-colon",
    "REGISTER sip:x SIP/2.0\r\nAuthorization:\r\n   Digest response=\"S3CRET06\"\r\n\r\n",
    { "S3CRET06" }, "Authorization: Digest response=<redacted>" },
  { "fold-before-colon",
    "REGISTER sip:x SIP/2.0\r\nAuthorization\r\n : Digest response=\"S3CRET07\"\r\n\r\n",
    { "S3CRET07" }, "Authorization: Digest" },
  { "several-headers",
    "INVITE sip:x SIP/2.0\r\nProxy-Authorization: Digest username=\"a\", response=\"S3CRET08\"\r\n"
    "Proxy-Authorization: Digest username=\"a\", response=\"S3CRET09\"\r\n"
    "Authorization: Digest username=\"a\", response=\"S3CRET10\", Digest response=\"S3CRET11\"\r\n\r\n",
    { "S3CRET08", "S3CRET09", "S3CRET10", "S3CRET11" }, "username=\"a\"" },
  { "basic-and-bearer",
    "GET /ws HTTP/1.1\r\nAuthorization: Basic YWxpY2U6UzNDUkVUMTI=\r\n"
    "Proxy-Authorization: Bearer S3CRET13.abc\r\n\r\n",
    { "YWxpY2U6UzNDUkVUMTI=", "S3CRET13" }, "Authorization: Basic <redacted>" },
  { "malformed-credentials",
    "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"bob\", response=\"S3CRET14\r\n\r\n",
    { "S3CRET14", "bob" }, "Authorization: Digest <redacted>" },
  { "uri-parameter-with-token",
    "GET /sip?token=S3CRET15 HTTP/1.1\r\nAuthorization: Digest username=\"a\", "
    "uri=\"/sip?token=S3CRET15\", response=\"S3CRET16\"\r\n\r\n",
    { "S3CRET15", "S3CRET16" }, "uri=\"/sip?token=<redacted>\"" },
  { "cookies",
    "GET / HTTP/1.1\r\nCookie: a=S3CRET17; b=\"S3CRET18\"\r\ncookie: c=S3CRET19, d=S3CRET20\r\n\r\n",
    { "S3CRET17", "S3CRET18", "S3CRET19", "S3CRET20" }, "Cookie: a=<redacted>; b=<redacted>" },
  { "set-cookie-with-attributes",
    "HTTP/1.1 101 Switching Protocols\r\nSet-Cookie: sid=S3CRET21; Expires=Wed, 21 Oct 2015 07:28:00 GMT; "
    "Path=/; Domain=example.com; Max-Age=3600; SameSite=Lax; Secure; HttpOnly\r\n\r\n",
    { "S3CRET21" }, "Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/; Domain=example.com; Max-Age=3600" },
  { "set-cookie-joined-by-comma",
    "HTTP/1.1 200 OK\r\nSet-Cookie: a=S3CRET22; Path=/, b=S3CRET23; Expires=Wed, 21 Oct 2015 07:28:00 GMT, "
    "c=S3CRET24\r\nset-cookie: HttpOnly, d=S3CRET25\r\n\r\n",
    { "S3CRET22", "S3CRET23", "S3CRET24", "S3CRET25" }, "a=<redacted>" },
  { "token-like-names",
    "GET /ws HTTP/1.1\r\nX-Auth-Token: S3CRET26\r\nX-API-Key: S3CRET27\r\nX-Client-Secret: S3CRET28\r\n"
    "Authentication-Info: rspauth=\"S3CRET29\", nextnonce=\"x\"\r\n\r\n",
    { "S3CRET26", "S3CRET27", "S3CRET28", "S3CRET29" }, "X-API-Key: <redacted>" },
  { "registered-header",
    "GET /ws HTTP/1.1\r\nX-Gateway-Ticket: S3CRET30\r\nx-gateway-ticket  :S3CRET31\r\n\r\n",
    { "S3CRET30", "S3CRET31" }, "X-Gateway-Ticket: <redacted>" },
  { "location-and-referer",
    "HTTP/1.1 302 Found\r\nLocation: wss://alice:S3CRET32@pbx/sip?t=S3CRET33#S3CRET34\r\n"
    "Referer: https://app/login?code=S3CRET35\r\n\r\n",
    { "S3CRET32", "S3CRET33", "S3CRET34", "S3CRET35" }, "Location: wss://alice:<redacted>@pbx/sip?t=<redacted>" },
  { "bare-cr-line-ends",
    "REGISTER sip:x SIP/2.0\rVia: SIP/2.0/WSS h\rAuthorization: Digest response=\"S3CRET36\"\r\r",
    { "S3CRET36" }, "Via: SIP/2.0/WSS h" },
  { "lf-only-and-leading-blanks",
    "REGISTER sip:x SIP/2.0\n  Authorization: Digest response=\"S3CRET37\"\n\n",
    { "S3CRET37" }, "Authorization: Digest response=<redacted>" },
  { "fragment-without-start-line",
    "Authorization: Digest username=\"a\", response=\"S3CRET38\"\r\nCookie: k=S3CRET39\r\n",
    { "S3CRET38", "S3CRET39" }, "Authorization: Digest username=\"a\"" },
  { "sip-uri-password-in-request-line",
    "INVITE sip:bob:S3CRET40@example.com;transport=ws SIP/2.0\r\nMax-Forwards: 70\r\n\r\n",
    { "S3CRET40" }, "INVITE sip:bob:<redacted>@example.com;transport=ws SIP/2.0" },
};

static void
test_secret_shapes (void)
{
  sipws_redact_register_header ("X-GATEWAY-TICKET");

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *out = redact (shapes[i].message);

      g_test_message ("%s: %s", shapes[i].name, out);
      for (guint j = 0; j < G_N_ELEMENTS (shapes[i].secrets) && shapes[i].secrets[j] != NULL; j++)
        {
          g_assert_nonnull (strstr (shapes[i].message, shapes[i].secrets[j]));
          g_assert_null (strstr (out, shapes[i].secrets[j]));
        }
      g_assert_nonnull (strstr (out, shapes[i].kept));
    }
}

static void
test_nul_and_binary_in_headers (void)
{
  static const char message[] =
    "REGISTER sip:x SIP/2.0\r\n"
    "Authorization: Digest response=\"S3C\0RET41\"\r\n"
    "Subject: a\0b\xff\r\n"
    "X-Note: caf\xc3\xa9 \xe2\x80\xae" "evil\r\n"
    "\r\n";
  g_autofree char *out = sipws_redact_sip_message (message, sizeof message - 1);

  assert_printable (out);
  g_assert_null (strstr (out, "RET41"));
  g_assert_nonnull (strstr (out, "Authorization: <redacted>\n"));
  g_assert_nonnull (strstr (out, "Subject: a\\x00b\\xFF\n"));
  /* é stays, the right-to-left override does not */
  g_assert_nonnull (strstr (out, "X-Note: caf\xc3\xa9 \\xE2\\x80\\xAEevil\n"));
}

static void
test_binary_body (void)
{
  static const char message[] =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Length: 18\r\n"
    "\r\n"
    "ok\r\n\x00\x01\xff\xc3\x28 \xc3\xa9\ttab\x1b[31m\r";
  g_autofree char *out = sipws_redact_sip_message (message, sizeof message - 1);
  const char *body;

  assert_printable (out);
  body = strstr (out, "\n\n");
  g_assert_nonnull (body);
  g_assert_cmpstr (body + 2, ==, "ok\n\\x00\\x01\\xFF\\xC3( \xc3\xa9\ttab\\x1B[31m\\x0D");
}

static void
test_empty_and_tiny (void)
{
  g_autofree char *empty = sipws_redact_sip_message ("", 0);
  g_autofree char *keepalive = sipws_redact_sip_message ("\r\n\r\n", 4);
  g_autofree char *one = sipws_redact_sip_message ("SIP/2.0 200 OK", 14);
  g_autofree char *nul = sipws_redact_sip_message ("\0", 1);

  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (keepalive, ==, "\n\n");
  g_assert_cmpstr (one, ==, "SIP/2.0 200 OK\n");
  g_assert_cmpstr (nul, ==, "\\x00\n");
}

static void
test_uri (void)
{
  static const struct {
    const char *uri;
    const char *expected;
  } cases[] = {
    { "wss://pbx.example.com/sip?token=abc", "wss://pbx.example.com/sip?token=<redacted>" },
    { "wss://user:pa%40ss@pbx:443/ws?a=1&b=%2F2&flag#frag",
      "wss://user:<redacted>@pbx:443/ws?a=<redacted>&b=<redacted>&<redacted>#<redacted>" },
    { "wss://user@pbx/ws", "wss://user@pbx/ws" },
    { "wss://pbx/path/with@sign", "wss://pbx/path/with@sign" },
    { "sip:alice:secret@example.com;transport=ws", "sip:alice:<redacted>@example.com;transport=ws" },
    { "sip:alice@example.com;transport=ws", "sip:alice@example.com;transport=ws" },
    { "sips:bob@example.com?Subject=hi&Priority=urgent",
      "sips:bob@example.com?Subject=<redacted>&Priority=<redacted>" },
    { "/sip?to%6Ben=x%20y&&z=", "/sip?to%6Ben=<redacted>&&z=<redacted>" },
    { "https://host?#", "https://host?#" },
    { "wss://h/\x01?x=1", "wss://h/\\x01?x=<redacted>" },
    { "tel:+15551234", "tel:+15551234" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = sipws_redact_uri (cases[i].uri);

      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_header_value (void)
{
  static const struct {
    const char *name;
    const char *value;
    const char *expected;
  } cases[] = {
    { "Set-Cookie", "sid=S; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly; SameSite=Strict",
      "sid=<redacted>; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly; SameSite=Strict" },
    { "set-cookie", "a=S1; Path=/, b=S2; Path=/", "a=<redacted>; Path=<redacted>; Path=/" },
    { "SET-COOKIE", "a=S1; Comment=x; Domain=a, b=S2", "a=<redacted>; Comment=<redacted>; Domain=<redacted>" },
    { "Cookie", "a=1;b=2 ; c", "a=<redacted>; b=<redacted>; <redacted>" },
    { "Authorization", "Digest username=\"a\\\"b\", userhash=false, realm=r, response=\"x\"",
      "Digest username=\"a\\\"b\", userhash=false, realm=r, response=<redacted>" },
    { "Authorization", "Digest username*=UTF-8''J%C3%A4s, nonce=\"n\"",
      "Digest username*=UTF-8''J%C3%A4s, nonce=<redacted>" },
    { "Authorization", "Negotiate", "Negotiate" },
    { "Proxy-Authorization", "\"quoted\" x", "<redacted>" },
    { "Location", "wss://h/?k=v", "wss://h/?k=<redacted>" },
    { "Via", "SIP/2.0/WSS a.invalid;branch=z9hG4bK1", "SIP/2.0/WSS a.invalid;branch=z9hG4bK1" },
    { "Subject", "line\r\nInjected: yes", "line\\x0D\\x0AInjected: yes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = sipws_redact_header_value (cases[i].name, cases[i].value);

      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_is_secret_header (void)
{
  sipws_redact_register_header ("X-Custom-Auth");

  g_assert_true (sipws_redact_is_secret_header ("authorization"));
  g_assert_true (sipws_redact_is_secret_header ("Proxy-Authorization"));
  g_assert_true (sipws_redact_is_secret_header ("Cookie"));
  g_assert_true (sipws_redact_is_secret_header ("set-cookie"));
  g_assert_true (sipws_redact_is_secret_header ("x-custom-auth"));
  g_assert_true (sipws_redact_is_secret_header ("X-Refresh-Token"));
  g_assert_false (sipws_redact_is_secret_header ("Via"));
  g_assert_false (sipws_redact_is_secret_header ("WWW-Authenticate"));
  g_assert_false (sipws_redact_is_secret_header ("X-Custom"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/core/redact/register-exact", test_register_exact);
  g_test_add_func ("/sipws/core/redact/handshake-exact", test_handshake_exact);
  g_test_add_func ("/sipws/core/redact/secret-shapes", test_secret_shapes);
  g_test_add_func ("/sipws/core/redact/nul-and-binary-in-headers", test_nul_and_binary_in_headers);
  g_test_add_func ("/sipws/core/redact/binary-body", test_binary_body);
  g_test_add_func ("/sipws/core/redact/empty-and-tiny", test_empty_and_tiny);
  g_test_add_func ("/sipws/core/redact/uri", test_uri);
  g_test_add_func ("/sipws/core/redact/header-value", test_header_value);
  g_test_add_func ("/sipws/core/redact/is-secret-header", test_is_secret_header);

  return g_test_run ();
}
