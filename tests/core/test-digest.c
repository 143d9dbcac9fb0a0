/* test-digest.c: SHA-512/256, challenges, Digest computation and client state
 *
 * Expected hashes come from three sources, named at each test:
 * - the published RFC examples (RFC 2617 §3.5, RFC 7616 §3.9.1);
 * - FIPS 180-4 / NIST example vectors for SHA-512/256;
 * - values computed independently with Python's hashlib (md5, sha256 and
 *   sha512_256 from OpenSSL) by composing the RFC 7616 §3.4 formulas by hand:
 *     H = lambda s: hashlib.new(alg, s.encode()).hexdigest()
 *     ha1 = H(f"{user}:{realm}:{password}")         # -sess: H(f"{ha1}:{nonce}:{cnonce}")
 *     ha2 = H(f"{method}:{uri}")                    # auth-int: H(f"{method}:{uri}:{H(body)}")
 *     response = H(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")   # no qop: H(f"{ha1}:{nonce}:{ha2}")
 */
#include <string.h>

#include "sipws-error.h"
#include "sipws-auth-challenge.h"
#include "sipws-authorization.h"
#include "sipws-credentials.h"
#include "sipws-digest.h"
#include "sipws-digest-client.h"
#include "sipws-sha512-256-private.h"

#define RFC7616_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

/* ---- helpers ---------------------------------------------------------- */

static char *
sha512_256_hex (const guint8 *data,
                gsize         len,
                gsize         chunk)
{
  SipwsSha512_256 ctx;
  guint8 digest[SIPWS_SHA512_256_DIGEST_LEN];
  GString *hex = g_string_new (NULL);

  sipws_sha512_256_init (&ctx);
  for (gsize off = 0; off < len; off += chunk)
    sipws_sha512_256_update (&ctx, data + off, MIN (chunk, len - off));
  sipws_sha512_256_finish (&ctx, digest);
  for (guint i = 0; i < sizeof digest; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

static SipwsAuthChallenge *
parse_challenge (const char *value)
{
  g_autoptr(GError) error = NULL;
  SipwsAuthChallenge *challenge = sipws_auth_challenge_parse (value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (challenge);
  return challenge;
}

static SipwsAuthorization *
parse_authorization (const char *value)
{
  g_autoptr(GError) error = NULL;
  SipwsAuthorization *authorization = sipws_authorization_parse (value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (authorization);
  return authorization;
}

static void
assert_parse_error (const char *value,
                    const char *expected_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAuthChallenge) challenge = sipws_auth_challenge_parse (value, &error);

  g_assert_null (challenge);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, expected_message);
}

static GPtrArray *
challenge_array (const char *first,
                 ...) G_GNUC_NULL_TERMINATED;

static GPtrArray *
challenge_array (const char *first,
                 ...)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_auth_challenge_unref);
  va_list args;

  va_start (args, first);
  for (const char *value = first; value != NULL; value = va_arg (args, const char *))
    g_ptr_array_add (array, parse_challenge (value));
  va_end (args);
  return array;
}

/* ---- SHA-512/256 ------------------------------------------------------ */

static void
test_sha512_256_fips (void)
{
  static const char two_block[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  g_autofree char *abc = sha512_256_hex ((const guint8 *) "abc", 3, 3);
  g_autofree char *two = sha512_256_hex ((const guint8 *) two_block, strlen (two_block), 1000);

  /* FIPS 180-4 example vectors (NIST "SHA512_256.pdf"): one and two blocks. */
  g_assert_cmpstr (abc, ==, "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  g_assert_cmpstr (two, ==, "3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a");
}

static void
test_sha512_256_lengths (void)
{
  /* Around the 112-byte padding limit and the 128-byte block, for data
   * byte[i] = (7 i + 3) mod 256, from hashlib.new("sha512_256"). */
  static const struct {
    gsize       len;
    const char *hex;
  } cases[] = {
    { 0, "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a" },
    { 1, "05b577a248fe933b7c4cdaf4a50e9d61eb8cba9f86c4ad546ac25a0341128ed6" },
    { 55, "8c12c6a555202a2f24eae9d29d5901bf14d8355b08fdd880b962813c30e2e50e" },
    { 111, "32889a63b00e93a91df09b4292875c8e9ea2d30e482b2f5ab713396275e9378b" },
    { 112, "468a00c6f938065156bfddf56b22592f569052587264673bc893e92cd1953953" },
    { 113, "0a4f8ecb061610ba8fa2bf8ad1e8928dd76c18d1bfde92d2a9ce469e4d5cc973" },
    { 127, "b7c1bcb3d1d523364187e023ee03210674ee05a8fd54d40aad07ecf6bdfe4c8c" },
    { 128, "5e14bd0208397b56f5f1b3afb8e48bfcce3c7312684a46bbe9b210503680e547" },
    { 129, "6c92b5cdba34ee8137d902ba15d4f6246bb2a07c0fef5a0fa536bc8d8db0390f" },
    { 239, "a532f50742de4eeb13a3cf3f57e1bb0419b808f98dab375663370328f155a7db" },
    { 240, "50bf285d854644fdb23f955a2f6b19ee739082647901b3355c2f57815d9a6af6" },
    { 256, "5d6e635d08163e8321c1d7fb565fe1d422f1fd851200f9ad16f90edb1c0b84aa" },
    { 1000, "14271b3d36ca983ae2da2693d995fe68412c0bd5394ec2f05b763586db6e24fd" },
  };
  static const gsize chunks[] = { 1, 7, 127, 128, 129, 5000 };
  guint8 data[1000];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) ((i * 7 + 3) % 256);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint j = 0; j < G_N_ELEMENTS (chunks); j++)
      {
        /* chunk 0 would loop forever; every chunk size must agree */
        g_autofree char *hex = sha512_256_hex (data, cases[i].len, chunks[j]);

        g_assert_cmpstr (hex, ==, cases[i].hex);
      }
}

static void
test_sha512_256_million (void)
{
  g_autofree guint8 *data = g_malloc (1000000);
  g_autofree char *hex = NULL;

  memset (data, 'a', 1000000);
  hex = sha512_256_hex (data, 1000000, 4096);
  /* hashlib.new("sha512_256", b"a" * 1000000) */
  g_assert_cmpstr (hex, ==, "9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21");
}

/* ---- challenges: parsing ---------------------------------------------- */

static void
test_challenge_rfc7616 (void)
{
  /* RFC 7616 §3.9.1: the server sends two WWW-Authenticate fields, SHA-256
   * first; an HTTP stack hands them over joined by a comma, and the message
   * parser turns each fold into one SP. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) challenges = sipws_auth_challenge_parse_list (
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256,"
    "  nonce=\"" RFC7616_NONCE "\",  opaque=\"" RFC7616_OPAQUE "\", "
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5,"
    "  nonce=\"" RFC7616_NONCE "\",  opaque=\"" RFC7616_OPAQUE "\"", &error);
  SipwsAuthChallenge *best;

  g_assert_no_error (error);
  g_assert_cmpuint (challenges->len, ==, 2);
  best = sipws_auth_challenge_pick_best (challenges, NULL);
  g_assert_true (best == challenges->pdata[0]);
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (challenges->pdata[1]), ==, SIPWS_DIGEST_ALGORITHM_MD5);
  g_assert_cmpstr (sipws_auth_challenge_get_opaque (challenges->pdata[1]), ==, RFC7616_OPAQUE);
}

static void
test_challenge_getters (void)
{
  g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", domain=\"sip:a.example sip:b.example\", "
    "stale=TRUE, userhash=true, charset=UTF-8, x-vendor=\"kept\"");
  g_auto(GStrv) names = sipws_auth_challenge_get_param_names (challenge);

  g_assert_cmpstr (sipws_auth_challenge_get_scheme (challenge), ==, "Digest");
  g_assert_true (sipws_auth_challenge_has_scheme (challenge, "DIGEST"));
  g_assert_false (sipws_auth_challenge_has_scheme (challenge, "Basic"));
  g_assert_null (sipws_auth_challenge_get_token68 (challenge));
  g_assert_cmpstr (sipws_auth_challenge_get_realm (challenge), ==, "http-auth@example.org");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (challenge), ==, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  g_assert_cmpstr (sipws_auth_challenge_get_opaque (challenge), ==, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  g_assert_cmpstr (sipws_auth_challenge_get_domain (challenge), ==, "sip:a.example sip:b.example");
  g_assert_true (sipws_auth_challenge_get_stale (challenge));
  g_assert_true (sipws_auth_challenge_get_userhash (challenge));
  g_assert_cmpstr (sipws_auth_challenge_get_charset (challenge), ==, "UTF-8");
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (challenge), ==, SIPWS_DIGEST_ALGORITHM_SHA_256);
  g_assert_cmpint (sipws_auth_challenge_get_qop_options (challenge), ==,
                   SIPWS_DIGEST_QOP_AUTH | SIPWS_DIGEST_QOP_AUTH_INT);
  g_assert_cmpstr (sipws_auth_challenge_get_param (challenge, "X-Vendor"), ==, "kept");
  g_assert_null (sipws_auth_challenge_get_param (challenge, "absent"));
  g_assert_true (sipws_auth_challenge_is_supported (challenge));

  g_assert_cmpuint (g_strv_length (names), ==, 10);
  g_assert_cmpstr (names[0], ==, "realm");
  g_assert_cmpstr (names[9], ==, "x-vendor");
}

static void
test_challenge_quoting_and_case (void)
{
  g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (
    "dIgEsT REALM = \"a \\\"quoted\\\" realm, with\\\\ comma\" ,NONCE=abc-123 , ,Stale=false,");
  g_autofree char *serialized = sipws_auth_challenge_to_string (challenge);
  g_autoptr(SipwsAuthChallenge) again = parse_challenge (serialized);

  g_assert_cmpstr (sipws_auth_challenge_get_scheme (challenge), ==, "dIgEsT");
  g_assert_cmpstr (sipws_auth_challenge_get_realm (challenge), ==, "a \"quoted\" realm, with\\ comma");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (challenge), ==, "abc-123");
  g_assert_false (sipws_auth_challenge_get_stale (challenge));
  /* No algorithm means MD5 (RFC 2617 §3.2.1); no qop means RFC 2069. */
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (challenge), ==, SIPWS_DIGEST_ALGORITHM_MD5);
  g_assert_cmpint (sipws_auth_challenge_get_qop_options (challenge), ==, SIPWS_DIGEST_QOP_NONE);
  g_assert_true (sipws_auth_challenge_is_supported (challenge));

  g_assert_cmpstr (serialized, ==,
                   "dIgEsT REALM=\"a \\\"quoted\\\" realm, with\\\\ comma\", NONCE=abc-123, Stale=false");
  g_assert_cmpstr (sipws_auth_challenge_get_realm (again), ==, sipws_auth_challenge_get_realm (challenge));
}

static void
test_challenge_algorithms (void)
{
  static const struct {
    const char          *value;
    SipwsDigestAlgorithm algorithm;
    gboolean             supported;
  } cases[] = {
    { "Digest realm=\"r\", nonce=\"n\", algorithm=MD5", SIPWS_DIGEST_ALGORITHM_MD5, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=md5-SESS, qop=\"auth\"", SIPWS_DIGEST_ALGORITHM_MD5_SESS, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=\"sha-256\"", SIPWS_DIGEST_ALGORITHM_SHA_256, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256-sess, qop=auth", SIPWS_DIGEST_ALGORITHM_SHA_256_SESS, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256", SIPWS_DIGEST_ALGORITHM_SHA_512_256, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256-sess, qop=\"auth\"", SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS, TRUE },
    /* -sess without qop has no cnonce to hash */
    { "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess", SIPWS_DIGEST_ALGORITHM_MD5_SESS, FALSE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1", SIPWS_DIGEST_ALGORITHM_UNKNOWN, FALSE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5", SIPWS_DIGEST_ALGORITHM_UNKNOWN, FALSE },
    /* only unknown qop values offered */
    { "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", SIPWS_DIGEST_ALGORITHM_MD5, FALSE },
    { "Digest realm=\"r\"", SIPWS_DIGEST_ALGORITHM_MD5, FALSE },
    { "Digest nonce=\"n\"", SIPWS_DIGEST_ALGORITHM_MD5, FALSE },
    { "Basic realm=\"r\"", SIPWS_DIGEST_ALGORITHM_UNKNOWN, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (cases[i].value);

      g_assert_cmpint (sipws_auth_challenge_get_algorithm (challenge), ==, cases[i].algorithm);
      g_assert_cmpint (sipws_auth_challenge_is_supported (challenge), ==, cases[i].supported);
    }

  g_assert_cmpstr (sipws_digest_algorithm_to_string (SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS), ==,
                   "SHA-512-256-sess");
  g_assert_null (sipws_digest_algorithm_to_string (SIPWS_DIGEST_ALGORITHM_UNKNOWN));
  g_assert_cmpint (sipws_digest_algorithm_from_string (NULL), ==, SIPWS_DIGEST_ALGORITHM_MD5);
  g_assert_cmpint (sipws_digest_algorithm_from_string ("SHA-512"), ==, SIPWS_DIGEST_ALGORITHM_UNKNOWN);
}

static void
test_challenge_qop (void)
{
  static const struct {
    const char    *qop;
    SipwsDigestQop expected;
  } cases[] = {
    { "auth", SIPWS_DIGEST_QOP_AUTH },
    { "auth-int", SIPWS_DIGEST_QOP_AUTH_INT },
    { "auth-int,auth", SIPWS_DIGEST_QOP_AUTH | SIPWS_DIGEST_QOP_AUTH_INT },
    { " auth ,  auth-conf ", SIPWS_DIGEST_QOP_AUTH },
    { "authx, xauth, auth-integrity", SIPWS_DIGEST_QOP_NONE },
    { "", SIPWS_DIGEST_QOP_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = g_strdup_printf ("Digest realm=\"r\", nonce=\"n\", qop=\"%s\"", cases[i].qop);
      g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (value);

      g_assert_cmpint (sipws_auth_challenge_get_qop_options (challenge), ==, cases[i].expected);
      g_assert_cmpint (sipws_auth_challenge_is_supported (challenge), ==,
                       cases[i].expected != SIPWS_DIGEST_QOP_NONE);
    }
}

static void
test_challenge_token68 (void)
{
  g_autoptr(SipwsAuthChallenge) negotiate = parse_challenge ("Negotiate YIIB/x+abc==");
  g_autoptr(SipwsAuthChallenge) bare = parse_challenge ("  Bearer  ");
  g_autoptr(SipwsAuthChallenge) basic = parse_challenge ("Basic realm=\"WebSocket gateway\", charset=\"UTF-8\"");

  g_assert_cmpstr (sipws_auth_challenge_get_token68 (negotiate), ==, "YIIB/x+abc==");
  g_assert_false (sipws_auth_challenge_is_supported (negotiate));
  g_assert_cmpstr (sipws_auth_challenge_get_scheme (bare), ==, "Bearer");
  g_assert_null (sipws_auth_challenge_get_token68 (bare));
  g_assert_cmpstr (sipws_auth_challenge_get_realm (basic), ==, "WebSocket gateway");
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (basic), ==, SIPWS_DIGEST_ALGORITHM_UNKNOWN);
}

static void
test_challenge_errors (void)
{
  char *many;
  GString *big;

  assert_parse_error ("", "empty value: expected an authentication scheme");
  assert_parse_error (" , ,", "empty value: expected an authentication scheme");
  assert_parse_error ("Digest realm=\"a\", nonce=\"1\", NONCE=\"2\"",
                      "duplicate parameter “NONCE” at column 30");
  assert_parse_error ("Digest realm=\"a\", nonce=", "parameter “nonce” has no value at column 24");
  assert_parse_error ("Digest realm=\"abc", "unterminated quoted string at column 14");
  assert_parse_error ("Digest realm=\"a\"x, nonce=\"1\"",
                      "unexpected 'x' after the quoted value of “realm” at column 17");
  assert_parse_error ("Digest realm=a/b", "unexpected '/' in the value of “realm” (not a token; quote it) at column 15");
  assert_parse_error ("realm=\"a\", Digest", "parameter “realm” before any authentication scheme at column 1");
  assert_parse_error ("Digest realm=\"a\", Basic realm=\"b\"",
                      "expected a parameter (name=value), found “Basic” at column 19");
  assert_parse_error ("Digest realm=\"a\", stale", "expected a parameter (name=value), found “stale” at column 19");
  assert_parse_error ("Digest realm=\"a\\\r\"", "invalid escaped character 0x0D in quoted string at column 17");
  assert_parse_error ("Digest realm=\"a\x01\"", "invalid character 0x01 in quoted string at column 16");
  assert_parse_error ("Negotiate abc==, realm=\"x\"", "parameter “realm” after the token68 of Negotiate at column 18");
  assert_parse_error ("Negotiate a=b=c", "unexpected '=' in the value of “a” (not a token; quote it) at column 14");
  assert_parse_error ("Negotiate a b", "expected parameters or a token68 after “Negotiate” at column 11");
  assert_parse_error ("\"Digest\" realm=x", "expected an authentication scheme or parameter name, found '\"' at column 1");
  assert_parse_error ("Digest@ realm=x", "unexpected '@' after the authentication scheme “Digest” at column 7");

  big = g_string_new ("Digest realm=\"r\"");
  for (guint i = 0; i < 70; i++)
    g_string_append_printf (big, ", p%u=x", i);
  many = g_string_free (big, FALSE);
  assert_parse_error (many, "more than 64 parameters in one Digest value at column 450");
  g_free (many);
}

static void
test_challenge_parse_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = sipws_auth_challenge_parse_list (
    "Digest realm=\"api\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\", "
    "Digest realm=\"api\", nonce=\"n2\", algorithm=MD5, qop=\"auth\",Basic realm=\"api\", "
    "Negotiate YIIB==, Bearer", &error);
  g_autoptr(GPtrArray) bad = NULL;
  g_autoptr(GString) big = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 5);
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (list->pdata[0]), ==, "n1");
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (list->pdata[1]), ==, SIPWS_DIGEST_ALGORITHM_MD5);
  g_assert_cmpstr (sipws_auth_challenge_get_scheme (list->pdata[2]), ==, "Basic");
  g_assert_cmpstr (sipws_auth_challenge_get_token68 (list->pdata[3]), ==, "YIIB==");
  g_assert_cmpstr (sipws_auth_challenge_get_scheme (list->pdata[4]), ==, "Bearer");

  bad = sipws_auth_challenge_parse_list ("Basic realm=\"a\", Digest nonce=\"x", &error);
  g_assert_null (bad);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "unterminated quoted string at column 31");
  g_clear_error (&error);

  for (guint i = 0; i < 17; i++)
    g_string_append_printf (big, "%sBasic realm=\"%u\"", i > 0 ? ", " : "", i);
  bad = sipws_auth_challenge_parse_list (big->str, &error);
  g_assert_null (bad);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "more than 16 challenges in one value"));
}

static void
test_challenge_new_digest (void)
{
  g_autoptr(SipwsAuthChallenge) challenge =
    sipws_auth_challenge_new_digest ("sip.example.com", "n\"once", "op", SIPWS_DIGEST_ALGORITHM_SHA_512_256,
                                     SIPWS_DIGEST_QOP_AUTH | SIPWS_DIGEST_QOP_AUTH_INT, TRUE);
  g_autoptr(SipwsAuthChallenge) minimal =
    sipws_auth_challenge_new_digest ("r", "n", NULL, SIPWS_DIGEST_ALGORITHM_MD5, SIPWS_DIGEST_QOP_NONE, FALSE);
  g_autofree char *value = sipws_auth_challenge_to_string (challenge);
  g_autofree char *minimal_value = sipws_auth_challenge_to_string (minimal);
  g_autoptr(SipwsAuthChallenge) parsed = parse_challenge (value);

  g_assert_cmpstr (value, ==,
                   "Digest realm=\"sip.example.com\", nonce=\"n\\\"once\", opaque=\"op\", "
                   "algorithm=SHA-512-256, qop=\"auth,auth-int\", stale=true");
  g_assert_cmpstr (minimal_value, ==, "Digest realm=\"r\", nonce=\"n\", algorithm=MD5");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (parsed), ==, "n\"once");
  g_assert_cmpint (sipws_auth_challenge_get_algorithm (parsed), ==, SIPWS_DIGEST_ALGORITHM_SHA_512_256);
  g_assert_cmpint (sipws_auth_challenge_get_qop_options (parsed), ==,
                   SIPWS_DIGEST_QOP_AUTH | SIPWS_DIGEST_QOP_AUTH_INT);
  g_assert_true (sipws_auth_challenge_get_stale (parsed));
}

/* ---- challenges: choosing --------------------------------------------- */

static void
test_pick_best (void)
{
  g_autoptr(GPtrArray) mixed = challenge_array (
    "Digest realm=\"a\", nonce=\"1\", algorithm=MD5, qop=\"auth\"",
    "Digest realm=\"a\", nonce=\"2\", algorithm=SHA-256, qop=\"auth\"",
    "Digest realm=\"a\", nonce=\"3\", algorithm=SHA-1, qop=\"auth\"",
    "Basic realm=\"a\"",
    NULL);
  g_autoptr(GPtrArray) strongest = challenge_array (
    "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256",
    "Digest realm=\"a\", nonce=\"2\", algorithm=SHA-512-256-sess, qop=\"auth\"",
    "Digest realm=\"a\", nonce=\"3\", algorithm=SHA-512-256",
    NULL);
  g_autoptr(GPtrArray) sess_tie = challenge_array (
    "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256-sess, qop=\"auth\"",
    "Digest realm=\"a\", nonce=\"2\", algorithm=SHA-256",
    NULL);
  g_autoptr(GPtrArray) realms = challenge_array (
    "Digest realm=\"other\", nonce=\"1\", algorithm=SHA-512-256",
    "Digest realm=\"mine\", nonce=\"2\", algorithm=MD5",
    "Digest realm=\"mine\", nonce=\"3\", algorithm=SHA-256",
    NULL);
  g_autoptr(GPtrArray) unusable = challenge_array (
    "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-1",
    "Basic realm=\"a\"",
    "Digest realm=\"a\", nonce=\"3\", qop=\"auth-conf\"",
    NULL);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();

  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (mixed, NULL)), ==, "2");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (strongest, NULL)), ==, "2");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (sess_tie, NULL)), ==, "1");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (realms, NULL)), ==, "1");
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (realms, "mine")), ==, "3");
  /* A preferred realm nobody offers falls back to the strongest. */
  g_assert_cmpstr (sipws_auth_challenge_get_nonce (sipws_auth_challenge_pick_best (realms, "absent")), ==, "1");
  g_assert_null (sipws_auth_challenge_pick_best (unusable, NULL));
  g_assert_null (sipws_auth_challenge_pick_best (empty, NULL));
}

/* ---- authorization values --------------------------------------------- */

static void
test_authorization_parse (void)
{
  g_autoptr(SipwsAuthorization) auth = parse_authorization (
    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
    "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  g_autoptr(SipwsAuthorization) ext = parse_authorization (
    "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"api@example.org\"");
  g_autoptr(SipwsAuthorization) basic = parse_authorization ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  g_autoptr(SipwsAuthorization) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = sipws_authorization_to_string (auth);

  g_assert_true (sipws_authorization_has_scheme (auth, "digest"));
  g_assert_cmpstr (sipws_authorization_get_username (auth), ==, "Mufasa");
  g_assert_cmpstr (sipws_authorization_get_realm (auth), ==, "http-auth@example.org");
  g_assert_cmpstr (sipws_authorization_get_uri (auth), ==, "/dir/index.html");
  g_assert_cmpint (sipws_authorization_get_algorithm (auth), ==, SIPWS_DIGEST_ALGORITHM_SHA_256);
  g_assert_cmpstr (sipws_authorization_get_nonce (auth), ==, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  g_assert_cmpstr (sipws_authorization_get_nc (auth), ==, "00000001");
  g_assert_cmpstr (sipws_authorization_get_cnonce (auth), ==, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  g_assert_cmpint (sipws_authorization_get_qop (auth), ==, SIPWS_DIGEST_QOP_AUTH);
  g_assert_cmpstr (sipws_authorization_get_response (auth), ==,
                   "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  g_assert_cmpstr (sipws_authorization_get_opaque (auth), ==, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  g_assert_false (sipws_authorization_get_userhash (auth));
  g_assert_true (g_str_has_prefix (serialized, "Digest username=\"Mufasa\", realm=\"http-auth@example.org\""));

  g_assert_cmpstr (sipws_authorization_get_username (ext), ==, "J\xc3\xa4s\xc3\xb8n Doe");
  g_assert_cmpstr (sipws_authorization_get_token68 (basic), ==, "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  failed = sipws_authorization_parse ("Digest username=\"a\", username*=UTF-8''a", &error);
  g_assert_null (failed);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "both “username” and “username*” are present");
  g_clear_error (&error);

  failed = sipws_authorization_parse ("Digest username*=UTF-8''a%00b", &error);
  g_assert_null (failed);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_clear_error (&error);

  failed = sipws_authorization_parse ("Digest username*=ISO-8859-1''a", &error);
  g_assert_null (failed);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_clear_error (&error);

  failed = sipws_authorization_parse ("Digest response=\"1\", response=\"2\"", &error);
  g_assert_null (failed);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "duplicate parameter “response” at column 22");
}

/* ---- digest computation: published examples --------------------------- */

static void
test_digest_rfc2617 (void)
{
  /* RFC 2617 §3.5 (the password is "Circle Of Life" there). */
  g_autofree char *response = sipws_digest_compute_response (
    SIPWS_DIGEST_ALGORITHM_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life",
    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", SIPWS_DIGEST_QOP_AUTH,
    "GET", "/dir/index.html", NULL);
  g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (
    "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("Mufasa", "Circle Of Life", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "GET", "/dir/index.html",
                                                             NULL, TRUE, "0a4f113b", 1, &error);

  g_assert_cmpstr (response, ==, "6629fae49393a05397450978507c4ef1");
  g_assert_no_error (error);
  /* auth is chosen: there is no body even though auth-int is allowed. */
  g_assert_cmpstr (value, ==,
                   "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                   "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", "
                   "qop=auth, nc=00000001, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

static void
test_digest_rfc7616_md5_sha256 (void)
{
  static const struct {
    const char *algorithm;
    const char *response;
  } cases[] = {
    /* RFC 7616 §3.9.1, both responses as printed there */
    { "MD5", "8ca523f5e9506fed4657c9700eebdbec" },
    { "SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1" },
  };
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("Mufasa", "Circle of Life", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *header = g_strdup_printf (
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=%s, "
        "nonce=\"" RFC7616_NONCE "\", opaque=\"" RFC7616_OPAQUE "\"", cases[i].algorithm);
      g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (header);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "GET",
                                                                 "/dir/index.html", NULL, FALSE,
                                                                 RFC7616_CNONCE, 1, &error);
      g_autofree char *expected = g_strdup_printf (
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"" RFC7616_NONCE "\", "
        "uri=\"/dir/index.html\", response=\"%s\", algorithm=%s, cnonce=\"" RFC7616_CNONCE "\", "
        "qop=auth, nc=00000001, opaque=\"" RFC7616_OPAQUE "\"", cases[i].response, cases[i].algorithm);
      g_autoptr(SipwsAuthorization) auth = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, expected);

      /* The server side accepts it, with the challenge's realm and nonce. */
      auth = parse_authorization (value);
      g_assert_true (sipws_digest_verify (auth, credentials, "GET", NULL, "http-auth@example.org",
                                          RFC7616_NONCE, &error));
      g_assert_no_error (error);
    }
}

static void
test_digest_rfc7616_sha512_256 (void)
{
  /* RFC 7616 §3.9.2: user "Jäsøn Doe", userhash=true. The username hash and
   * response printed in the RFC were computed with SHA-512 truncated to 256
   * bits (checked below with GChecksum), not with SHA-512/256 as the
   * algorithm name requires: a known erratum. The expected values here are
   * from hashlib.new("sha512_256") with the RFC's inputs. */
  static const char user[] = "J\xc3\xa4s\xc3\xb8n Doe";
  static const char realm[] = "api@example.org";
  static const char nonce[] = "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK";
  static const char cnonce[] = "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v";
  static const char opaque[] = "HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS";
  g_autofree char *userhash = sipws_digest_compute_userhash (SIPWS_DIGEST_ALGORITHM_SHA_512_256, user, realm);
  g_autofree char *response = sipws_digest_compute_response (
    SIPWS_DIGEST_ALGORITHM_SHA_512_256, user, realm, "Secret, or not?", nonce, "00000001", cnonce,
    SIPWS_DIGEST_QOP_AUTH, "GET", "/doe.json", NULL);
  g_autoptr(GChecksum) sha512 = g_checksum_new (G_CHECKSUM_SHA512);
  g_autofree char *truncated = NULL;
  g_autofree char *header = g_strdup_printf (
    "Digest realm=\"%s\", qop=\"auth\", algorithm=SHA-512-256, nonce=\"%s\", opaque=\"%s\", "
    "charset=UTF-8, userhash=true", realm, nonce, opaque);
  g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (header);
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new (user, "Secret, or not?", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(SipwsAuthorization) auth = NULL;

  g_assert_cmpstr (userhash, ==, "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
  g_assert_cmpstr (response, ==, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");

  g_checksum_update (sha512, (const guchar *) "J\xc3\xa4s\xc3\xb8n Doe:api@example.org", -1);
  truncated = g_strndup (g_checksum_get_string (sha512), 64);
  g_assert_cmpstr (truncated, ==, "488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec");
  g_assert_cmpstr (truncated, !=, userhash);

  value = sipws_digest_build_authorization (challenge, credentials, "GET", "/doe.json", NULL, FALSE,
                                            cnonce, 1, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"/doe.json\", "
                              "response=\"%s\", algorithm=SHA-512-256, cnonce=\"%s\", qop=auth, "
                              "nc=00000001, opaque=\"%s\", userhash=true",
                              userhash, realm, nonce, response, cnonce, opaque);
  g_assert_cmpstr (value, ==, expected);

  auth = parse_authorization (value);
  g_assert_true (sipws_digest_verify (auth, credentials, "GET", NULL, realm, nonce, &error));
  g_assert_no_error (error);
}

static void
test_digest_username_star (void)
{
  static const char user[] = "J\xc3\xa4s\xc3\xb8n Doe";
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new (user, "pw", NULL);
  g_autoptr(SipwsAuthChallenge) utf8 = parse_challenge (
    "Digest realm=\"api@example.org\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256, charset=UTF-8");
  g_autoptr(SipwsAuthChallenge) plain = parse_challenge (
    "Digest realm=\"api@example.org\", nonce=\"n\", qop=\"auth\", algorithm=SHA-256");
  g_autoptr(GError) error = NULL;
  g_autofree char *with_star = sipws_digest_build_authorization (utf8, credentials, "GET", "/", NULL, FALSE,
                                                                 "c", 1, &error);
  g_autofree char *raw = sipws_digest_build_authorization (plain, credentials, "GET", "/", NULL, FALSE,
                                                           "c", 1, &error);
  g_autoptr(SipwsAuthorization) parsed = parse_authorization (with_star);

  g_assert_true (g_str_has_prefix (with_star, "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="));
  g_assert_true (g_str_has_prefix (raw, "Digest username=\"J\xc3\xa4s\xc3\xb8n Doe\", realm="));
  g_assert_cmpstr (sipws_authorization_get_username (parsed), ==, user);
  g_assert_true (sipws_digest_verify (parsed, credentials, "GET", NULL, NULL, "n", &error));
  g_assert_no_error (error);
}

/* ---- digest computation: independent values --------------------------- */

static void
test_digest_sess (void)
{
  /* RFC 7616 §3.9.1 inputs with the -sess variants; hashlib values. */
  static const struct {
    SipwsDigestAlgorithm algorithm;
    const char          *ha1;
    const char          *response;
  } cases[] = {
    { SIPWS_DIGEST_ALGORITHM_MD5_SESS, "2b3d906f52651c3136e1502b3d6f38ee", "e783283f46242139c486a698fec7211d" },
    { SIPWS_DIGEST_ALGORITHM_SHA_256_SESS,
      "bca21f4c7d7e8bf70d96361085370c7d219947abc1b8cd628f710917b89bed5b",
      "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7" },
    { SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS,
      "7bda9d6d426c30b563dd560a3fcddd2be830ed2f46019752dcf95ea629c4e570",
      "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e" },
    /* and the plain SHA-512-256 value for the same inputs */
    { SIPWS_DIGEST_ALGORITHM_SHA_512_256, NULL,
      "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0" },
  };
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("Mufasa", "Circle of Life", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *response = sipws_digest_compute_response (
        cases[i].algorithm, "Mufasa", "http-auth@example.org", "Circle of Life", RFC7616_NONCE,
        "00000001", RFC7616_CNONCE, SIPWS_DIGEST_QOP_AUTH, "GET", "/dir/index.html", NULL);
      g_autoptr(SipwsAuthChallenge) challenge = sipws_auth_challenge_new_digest (
        "http-auth@example.org", RFC7616_NONCE, NULL, cases[i].algorithm, SIPWS_DIGEST_QOP_AUTH, FALSE);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "GET",
                                                                 "/dir/index.html", NULL, FALSE,
                                                                 RFC7616_CNONCE, 1, &error);
      g_autoptr(SipwsAuthorization) auth = parse_authorization (value);

      g_assert_cmpstr (response, ==, cases[i].response);
      if (cases[i].ha1 != NULL)
        {
          g_autofree char *ha1 = sipws_digest_compute_ha1 (cases[i].algorithm, "Mufasa", "http-auth@example.org",
                                                          "Circle of Life", RFC7616_NONCE, RFC7616_CNONCE);

          g_assert_cmpstr (ha1, ==, cases[i].ha1);
        }
      g_assert_cmpstr (sipws_authorization_get_response (auth), ==, cases[i].response);
      g_assert_cmpstr (sipws_authorization_get_param (auth, "algorithm"), ==,
                       sipws_digest_algorithm_to_string (cases[i].algorithm));
      g_assert_true (sipws_digest_verify (auth, credentials, "GET", NULL, NULL, RFC7616_NONCE, &error));
      g_assert_no_error (error);
    }
}

static void
test_digest_auth_int (void)
{
  /* alice / atlanta.com / password s3cr"et, INVITE sip:bob@biloxi.com,
   * nonce 84a4cc6f3082121f32b42a2187831a9e, cnonce 0a4f113b, nc 00000001,
   * qop auth-int; hashlib values for the body below and an empty body. */
  static const char sdp[] = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n";
  static const struct {
    SipwsDigestAlgorithm algorithm;
    const char          *with_body;
    const char          *empty_body;
  } cases[] = {
    { SIPWS_DIGEST_ALGORITHM_MD5, "f50f0b049f119b9351db583693aca358", "a70398ddb6b28816fc5ec24e6be313ee" },
    { SIPWS_DIGEST_ALGORITHM_SHA_256,
      "80fcf398058b125b229a1c1271cef4ef9e7818ebf91abcf4e956d184d02a89eb",
      "f2077cc577d0eacdfbde5571f090f8cd8c6e82cf0f06495c3988ccd58cb8b3cc" },
    { SIPWS_DIGEST_ALGORITHM_SHA_512_256,
      "6c0aefa6692a9d23d6e98948655b238eb5e725712e2d40d72c675d4311f018e9",
      "253a23d97f5bb972a5db8cf2452c670e3ba9cbd9ba0b67f7e4c9acf9815abc7c" },
  };
  g_autoptr(GBytes) body = g_bytes_new_static (sdp, strlen (sdp));
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) other = g_bytes_new_static ("v=1\r\n", 5);
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("alice", "s3cr\"et", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *with_body = sipws_digest_compute_response (
        cases[i].algorithm, "alice", "atlanta.com", "s3cr\"et", "84a4cc6f3082121f32b42a2187831a9e",
        "00000001", "0a4f113b", SIPWS_DIGEST_QOP_AUTH_INT, "INVITE", "sip:bob@biloxi.com", body);
      g_autofree char *empty_body = sipws_digest_compute_response (
        cases[i].algorithm, "alice", "atlanta.com", "s3cr\"et", "84a4cc6f3082121f32b42a2187831a9e",
        "00000001", "0a4f113b", SIPWS_DIGEST_QOP_AUTH_INT, "INVITE", "sip:bob@biloxi.com", empty);
      g_autofree char *null_body = sipws_digest_compute_response (
        cases[i].algorithm, "alice", "atlanta.com", "s3cr\"et", "84a4cc6f3082121f32b42a2187831a9e",
        "00000001", "0a4f113b", SIPWS_DIGEST_QOP_AUTH_INT, "INVITE", "sip:bob@biloxi.com", NULL);
      g_autoptr(SipwsAuthChallenge) challenge = sipws_auth_challenge_new_digest (
        "atlanta.com", "84a4cc6f3082121f32b42a2187831a9e", NULL, cases[i].algorithm,
        SIPWS_DIGEST_QOP_AUTH | SIPWS_DIGEST_QOP_AUTH_INT, FALSE);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "INVITE",
                                                                 "sip:bob@biloxi.com", body, TRUE,
                                                                 "0a4f113b", 1, &error);
      g_autoptr(SipwsAuthorization) auth = parse_authorization (value);

      g_assert_cmpstr (with_body, ==, cases[i].with_body);
      g_assert_cmpstr (empty_body, ==, cases[i].empty_body);
      g_assert_cmpstr (null_body, ==, cases[i].empty_body);

      g_assert_cmpint (sipws_authorization_get_qop (auth), ==, SIPWS_DIGEST_QOP_AUTH_INT);
      g_assert_cmpstr (sipws_authorization_get_response (auth), ==, cases[i].with_body);
      g_assert_true (sipws_digest_verify (auth, credentials, "INVITE", body, "atlanta.com", NULL, &error));
      g_assert_no_error (error);
      g_assert_false (sipws_digest_verify (auth, credentials, "INVITE", other, "atlanta.com", NULL, &error));
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
      g_assert_cmpstr (error->message, ==, "the response does not match: wrong password, or a different "
                       "method, URI or body than the client hashed");
    }
}

static void
test_digest_rfc2069 (void)
{
  /* No qop: response = H(HA1:nonce:HA2); hashlib values for RFC 2617's
   * Mufasa inputs. */
  g_autoptr(SipwsAuthChallenge) md5 = parse_challenge (
    "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"o\"");
  g_autoptr(SipwsAuthChallenge) sha = parse_challenge (
    "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", algorithm=SHA-256");
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("Mufasa", "Circle Of Life", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *md5_value = sipws_digest_build_authorization (md5, credentials, "GET", "/dir/index.html",
                                                                 NULL, TRUE, NULL, 1, &error);
  g_autofree char *sha_value = sipws_digest_build_authorization (sha, credentials, "GET", "/dir/index.html",
                                                                 NULL, TRUE, NULL, 7, &error);
  g_autoptr(SipwsAuthorization) auth = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (md5_value, ==,
                   "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                   "response=\"670fd8c2df070c60b045671b8b24ff02\", algorithm=MD5, opaque=\"o\"");
  g_assert_cmpstr (sha_value, ==,
                   "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                   "response=\"e71f89d8267982ee1cd4dfb3637698eaf2f55848fe056aee7be175262aab5d2a\", "
                   "algorithm=SHA-256");
  auth = parse_authorization (md5_value);
  g_assert_true (sipws_digest_verify (auth, credentials, "GET", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- building: qop choice and errors ---------------------------------- */

static void
test_build_qop_choice (void)
{
  static const struct {
    const char    *qop;          /* NULL: no qop parameter */
    gboolean       with_body;
    gboolean       allow_auth_int;
    SipwsDigestQop expected;
  } cases[] = {
    { "auth,auth-int", TRUE, TRUE, SIPWS_DIGEST_QOP_AUTH_INT },
    { "auth,auth-int", TRUE, FALSE, SIPWS_DIGEST_QOP_AUTH },
    { "auth,auth-int", FALSE, TRUE, SIPWS_DIGEST_QOP_AUTH },
    { "auth", TRUE, TRUE, SIPWS_DIGEST_QOP_AUTH },
    /* auth-int alone must be used whatever the preference */
    { "auth-int", FALSE, FALSE, SIPWS_DIGEST_QOP_AUTH_INT },
    { "auth-int", TRUE, FALSE, SIPWS_DIGEST_QOP_AUTH_INT },
    { "auth-conf, auth", TRUE, TRUE, SIPWS_DIGEST_QOP_AUTH },
    { NULL, TRUE, TRUE, SIPWS_DIGEST_QOP_NONE },
  };
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("bob", "pw", NULL);
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *header = g_strdup_printf ("Digest realm=\"r\", nonce=\"n\"%s%s%s",
                                                 cases[i].qop ? ", qop=\"" : "",
                                                 cases[i].qop ? cases[i].qop : "",
                                                 cases[i].qop ? "\"" : "");
      g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (header);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "MESSAGE",
                                                                 "sip:r", cases[i].with_body ? body : NULL,
                                                                 cases[i].allow_auth_int, NULL, 1, &error);
      g_autoptr(SipwsAuthorization) auth = parse_authorization (value);
      const char *cnonce = sipws_authorization_get_cnonce (auth);

      g_assert_no_error (error);
      g_assert_cmpint (sipws_authorization_get_qop (auth), ==, cases[i].expected);
      if (cases[i].expected == SIPWS_DIGEST_QOP_NONE)
        {
          g_assert_null (cnonce);
          g_assert_null (sipws_authorization_get_nc (auth));
        }
      else
        {
          /* a generated cnonce: 128 bits as hex */
          g_assert_cmpuint (strlen (cnonce), ==, 32);
          g_assert_cmpstr (sipws_authorization_get_nc (auth), ==, "00000001");
        }
      g_assert_true (sipws_digest_verify (auth, credentials, "MESSAGE", cases[i].with_body ? body : NULL,
                                          "r", "n", &error));
      g_assert_no_error (error);
    }
}

static void
test_build_errors (void)
{
  static const struct {
    const char *challenge;
    const char *message;
  } cases[] = {
    { "Basic realm=\"home\"", "cannot answer a “Basic” challenge with Digest" },
    { "Digest realm=\"home\", nonce=\"n\", algorithm=SHA-1", "the challenge asks for the unsupported algorithm “SHA-1”" },
    { "Digest realm=\"home\"", "the Digest challenge has no “nonce” parameter" },
    { "Digest nonce=\"n\"", "the Digest challenge has no “realm” parameter" },
    { "Digest realm=\"home\", nonce=\"n\", qop=\"auth-conf\"", "none of the offered qop values (“auth-conf”) is supported" },
    { "Digest realm=\"home\", nonce=\"n\", algorithm=MD5-sess",
      "the challenge asks for MD5-sess without qop, which has no cnonce to hash" },
    { "Digest realm=\"elsewhere\", nonce=\"n\"",
      "the credentials are for realm “home”, the challenge is for realm “elsewhere”" },
  };
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("bob", "pw", "home");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (cases[i].challenge);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "REGISTER",
                                                                 "sip:home", NULL, FALSE, NULL, 1, &error);

      g_assert_null (value);
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_build_quoting (void)
{
  /* Values are unquoted for hashing and re-quoted on output. */
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("a\"b\\c", "pw", NULL);
  g_autoptr(SipwsAuthChallenge) challenge = parse_challenge (
    "Digest realm=\"r \\\"x\\\"\", nonce=\"n\\\\1\", opaque=\"o,p\", qop=\"auth\"");
  g_autoptr(GError) error = NULL;
  g_autofree char *value = sipws_digest_build_authorization (challenge, credentials, "OPTIONS", "sip:x",
                                                             NULL, FALSE, "c", 3, &error);
  g_autoptr(SipwsAuthorization) auth = parse_authorization (value);
  g_autofree char *expected = sipws_digest_compute_response (SIPWS_DIGEST_ALGORITHM_MD5, "a\"b\\c", "r \"x\"",
                                                             "pw", "n\\1", "00000003", "c",
                                                             SIPWS_DIGEST_QOP_AUTH, "OPTIONS", "sip:x", NULL);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (value, "Digest username=\"a\\\"b\\\\c\", realm=\"r \\\"x\\\"\", nonce=\"n\\\\1\""));
  g_assert_cmpstr (sipws_authorization_get_username (auth), ==, "a\"b\\c");
  g_assert_cmpstr (sipws_authorization_get_opaque (auth), ==, "o,p");
  g_assert_cmpstr (sipws_authorization_get_nc (auth), ==, "00000003");
  g_assert_cmpstr (sipws_authorization_get_response (auth), ==, expected);
  g_assert_true (sipws_digest_verify (auth, credentials, "OPTIONS", NULL, "r \"x\"", "n\\1", &error));
  g_assert_no_error (error);
}

/* ---- verification ----------------------------------------------------- */

static void
test_verify_failures (void)
{
  static const struct {
    const char *authorization;
    const char *method;
    const char *realm;
    const char *nonce;
    const char *message;
  } cases[] = {
    { "Basic Ym9iOnB3", "REGISTER", NULL, NULL, "the credentials use the “Basic” scheme, not Digest" },
    { "Digest realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"", "REGISTER", NULL, NULL,
      "the credentials have no “username” parameter" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\"", "REGISTER", NULL, NULL,
      "the credentials have no “response” parameter" },
    { "Digest username=\"bob\", realm=\"r\", uri=\"sip:r\", response=\"00\"", "REGISTER", NULL, NULL,
      "the credentials have no “nonce” parameter" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", algorithm=SHA-1",
      "REGISTER", NULL, NULL, "the credentials use the unsupported algorithm “SHA-1”" },
    { "Digest username=\"bob\", realm=\"x\", nonce=\"n\", uri=\"sip:r\", response=\"00\"", "REGISTER", "r", NULL,
      "the credentials are for realm “x”, expected “r”" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"old\", uri=\"sip:r\", response=\"00\"", "REGISTER", "r", "n",
      "the credentials answer a nonce this server did not issue" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth-conf, "
      "nc=00000001, cnonce=\"c\"", "REGISTER", NULL, NULL, "the credentials use the unsupported qop “auth-conf”" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth, nc=00000001",
      "REGISTER", NULL, NULL, "qop=auth needs the “cnonce” parameter" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", qop=auth, nc=1, "
      "cnonce=\"c\"", "REGISTER", NULL, NULL, "the nonce count “1” is not 8 hex digits" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", cnonce=\"c\"",
      "REGISTER", NULL, NULL, "the credentials have “cnonce” but no qop" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", algorithm=MD5-sess",
      "REGISTER", NULL, NULL, "MD5-sess needs a qop and a cnonce" },
    { "Digest username=\"alice\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"", "REGISTER", NULL, NULL,
      "the credentials are for user “alice”, not “bob”" },
    { "Digest username=\"0123\", userhash=true, realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"",
      "REGISTER", NULL, NULL, "the user hash does not match user “bob”" },
    { "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\"", "REGISTER", NULL, NULL,
      "the response does not match: wrong password, or a different method, URI than the client hashed" },
  };
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("bob", "pw", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SipwsAuthorization) auth = parse_authorization (cases[i].authorization);
      g_autoptr(GError) error = NULL;

      g_assert_false (sipws_digest_verify (auth, credentials, cases[i].method, NULL, cases[i].realm,
                                           cases[i].nonce, &error));
      g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_verify_wrong_inputs (void)
{
  g_autoptr(SipwsCredentials) right = sipws_credentials_new ("bob", "correct horse", NULL);
  g_autoptr(SipwsCredentials) wrong = sipws_credentials_new ("bob", "correct horsE", NULL);
  g_autoptr(SipwsCredentials) restricted = sipws_credentials_new ("bob", "correct horse", "other");
  g_autoptr(SipwsAuthChallenge) challenge = sipws_auth_challenge_new_digest (
    "biloxi.com", "abc", NULL, SIPWS_DIGEST_ALGORITHM_SHA_256, SIPWS_DIGEST_QOP_AUTH, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = sipws_digest_build_authorization (challenge, right, "REGISTER", "sip:biloxi.com",
                                                             NULL, FALSE, NULL, 1, &error);
  g_autoptr(SipwsAuthorization) auth = parse_authorization (value);
  /* Upper-case hex from some clients is accepted. */
  g_autofree char *upper_value = NULL;
  g_autoptr(SipwsAuthorization) upper = NULL;
  g_autofree char *response_upper = g_ascii_strup (sipws_authorization_get_response (auth), -1);
  g_auto(GStrv) parts = NULL;

  g_assert_true (sipws_digest_verify (auth, right, "REGISTER", NULL, "biloxi.com", "abc", &error));
  g_assert_no_error (error);

  g_assert_false (sipws_digest_verify (auth, wrong, "REGISTER", NULL, "biloxi.com", "abc", &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (sipws_digest_verify (auth, right, "INVITE", NULL, "biloxi.com", "abc", &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_false (sipws_digest_verify (auth, restricted, "REGISTER", NULL, NULL, NULL, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "the credentials are for realm “biloxi.com”, expected “other”");
  g_clear_error (&error);

  parts = g_strsplit (value, sipws_authorization_get_response (auth), 2);
  upper_value = g_strjoin (response_upper, parts[0], parts[1], NULL);
  upper = parse_authorization (upper_value);
  g_assert_true (sipws_digest_verify (upper, right, "REGISTER", NULL, "biloxi.com", "abc", &error));
  g_assert_no_error (error);
}

/* ---- credentials, nonces ---------------------------------------------- */

static void
test_credentials (void)
{
  /* RFC 7617 §2 example */
  g_autoptr(SipwsCredentials) aladdin = sipws_credentials_new ("Aladdin", "open sesame", NULL);
  g_autoptr(SipwsCredentials) colon = sipws_credentials_new ("a:b", "pw", "realm");
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = sipws_credentials_build_basic_authorization (aladdin, &error);
  g_autofree char *bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (basic, ==, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  g_assert_cmpstr (sipws_credentials_get_username (aladdin), ==, "Aladdin");
  g_assert_null (sipws_credentials_get_realm (aladdin));
  g_assert_true (sipws_credentials_matches_realm (aladdin, "anything"));
  g_assert_cmpstr (sipws_credentials_get_realm (colon), ==, "realm");
  g_assert_true (sipws_credentials_matches_realm (colon, "realm"));
  g_assert_false (sipws_credentials_matches_realm (colon, "Realm"));
  g_assert_false (sipws_credentials_matches_realm (colon, NULL));

  bad = sipws_credentials_build_basic_authorization (colon, &error);
  g_assert_null (bad);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);

  g_assert_true (G_TYPE_IS_BOXED (SIPWS_TYPE_CREDENTIALS));
}

static void
test_generate_nonce (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      char *nonce = sipws_digest_generate_nonce (&error);

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (nonce), ==, 32);
      for (const char *p = nonce; *p != '\0'; p++)
        g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
      g_assert_true (g_hash_table_add (seen, nonce));
    }
}

/* ---- client state ----------------------------------------------------- */

typedef struct {
  SipwsCredentials  *credentials;
  SipwsDigestClient *client;
} ClientFixture;

static void
client_setup (ClientFixture *fixture,
              gconstpointer  data)
{
  fixture->credentials = sipws_credentials_new ("alice", "wonderland", NULL);
  fixture->client = sipws_digest_client_new (fixture->credentials);
}

static void
client_teardown (ClientFixture *fixture,
                 gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  sipws_credentials_unref (fixture->credentials);
}

/* Builds the values for a request and checks each with the verifier. */
static char **
authorize (ClientFixture *fixture,
           gboolean       proxy,
           const char    *nonce)
{
  g_autoptr(GError) error = NULL;
  char **values = sipws_digest_client_build_authorizations (fixture->client, proxy, "REGISTER",
                                                            "sip:example.com", NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autoptr(SipwsAuthorization) auth = parse_authorization (values[i]);

      g_assert_true (sipws_digest_verify (auth, fixture->credentials, "REGISTER", NULL, NULL, nonce, &error));
      g_assert_no_error (error);
    }
  return values;
}

static gboolean
process (ClientFixture      *fixture,
         gboolean            proxy,
         const char         *challenge,
         const char * const *sent,
         GError            **error)
{
  g_autoptr(GPtrArray) challenges = challenge_array (challenge, NULL);

  return sipws_digest_client_process_challenges (fixture->client, proxy, challenges, sent, error);
}

static void
test_client_flow (ClientFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) none = authorize (fixture, FALSE, NULL);
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) second = NULL;
  g_auto(GStrv) after_stale = NULL;
  g_autoptr(SipwsAuthorization) a1 = NULL;
  g_autoptr(SipwsAuthorization) a2 = NULL;
  g_autoptr(SipwsAuthorization) a3 = NULL;

  /* Nothing remembered yet: no header. */
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  /* 401 to a request without credentials: retry. */
  g_assert_true (process (fixture, FALSE, "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", "
                          "algorithm=SHA-256", NULL, &error));
  g_assert_no_error (error);
  first = authorize (fixture, FALSE, "n1");
  g_assert_cmpuint (g_strv_length (first), ==, 1);
  a1 = parse_authorization (first[0]);
  g_assert_cmpstr (sipws_authorization_get_nc (a1), ==, "00000001");

  /* The next request reuses the nonce with nc 2 and the same cnonce. */
  second = authorize (fixture, FALSE, "n1");
  a2 = parse_authorization (second[0]);
  g_assert_cmpstr (sipws_authorization_get_nc (a2), ==, "00000002");
  g_assert_cmpstr (sipws_authorization_get_cnonce (a2), ==, sipws_authorization_get_cnonce (a1));

  /* Proxy-Authorization is separate: nothing for it. */
  {
    g_auto(GStrv) proxy = authorize (fixture, TRUE, NULL);

    g_assert_cmpuint (g_strv_length (proxy), ==, 0);
  }

  /* stale=true with a new nonce: retry, nc restarts, new cnonce. */
  g_assert_true (process (fixture, FALSE, "Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\", "
                          "algorithm=SHA-256, stale=true", (const char * const *) second, &error));
  g_assert_no_error (error);
  after_stale = authorize (fixture, FALSE, "n2");
  a3 = parse_authorization (after_stale[0]);
  g_assert_cmpstr (sipws_authorization_get_nc (a3), ==, "00000001");
  g_assert_cmpstr (sipws_authorization_get_cnonce (a3), !=, sipws_authorization_get_cnonce (a1));

  /* The same nonce challenged again after answering it: wrong password. */
  g_assert_false (process (fixture, FALSE, "Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\", "
                           "algorithm=SHA-256", (const char * const *) after_stale, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "the server of realm “example.com” rejected the credentials of "
                   "user “alice”: wrong user name or password");
}

static void
test_client_new_nonce_without_stale (ClientFixture *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) fresh = NULL;
  g_auto(GStrv) reused = NULL;
  g_auto(GStrv) retry = NULL;

  g_assert_true (process (fixture, FALSE, "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"", NULL, &error));
  fresh = authorize (fixture, FALSE, "n1");
  reused = authorize (fixture, FALSE, "n1");

  /* A reused nonce (nc 2) answered with a new nonce and no stale flag: the
   * server expired it quietly, so one retry is right. */
  g_assert_true (process (fixture, FALSE, "Digest realm=\"r\", nonce=\"n2\", qop=\"auth\"",
                          (const char * const *) reused, &error));
  g_assert_no_error (error);
  retry = authorize (fixture, FALSE, "n2");

  /* The fresh answer (nc 1) to n2 challenged with yet another nonce: the
   * password is wrong, whatever nonce the server hands out. */
  g_assert_false (process (fixture, FALSE, "Digest realm=\"r\", nonce=\"n3\", qop=\"auth\"",
                           (const char * const *) retry, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_clear_error (&error);

  /* The same holds for RFC 2069 answers, which carry no nc. */
  g_assert_true (process (fixture, FALSE, "Digest realm=\"old\", nonce=\"m1\"", NULL, &error));
  {
    g_auto(GStrv) values = authorize (fixture, FALSE, NULL);
    const char *sent[] = { NULL, NULL };

    g_assert_cmpuint (g_strv_length (values), ==, 2);
    for (guint i = 0; values[i] != NULL; i++)
      if (strstr (values[i], "realm=\"old\"") != NULL)
        sent[0] = values[i];
    g_assert_nonnull (sent[0]);
    g_assert_false (process (fixture, FALSE, "Digest realm=\"old\", nonce=\"m2\"", sent, &error));
    g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  }
}

static void
test_client_stale_same_nonce (ClientFixture *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sent = NULL;

  g_assert_true (process (fixture, TRUE, "Digest realm=\"proxy\", nonce=\"p1\", qop=\"auth\"", NULL, &error));
  sent = authorize (fixture, TRUE, "p1");
  g_assert_false (process (fixture, TRUE, "Digest realm=\"proxy\", nonce=\"p1\", qop=\"auth\", stale=true",
                           (const char * const *) sent, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "the server of realm “proxy” declared its nonce stale but sent "
                   "the same nonce again; not retrying");
}

static void
test_client_unusable (ClientFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) challenges = challenge_array ("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1",
                                                     "Basic realm=\"r\"", NULL);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(SipwsCredentials) restricted = sipws_credentials_new ("alice", "wonderland", "home");

  g_assert_false (sipws_digest_client_process_challenges (fixture->client, FALSE, challenges, NULL, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "no challenge libsipws can answer (offered: Digest algorithm=SHA-1, Basic)");
  g_clear_error (&error);

  g_assert_false (sipws_digest_client_process_challenges (fixture->client, FALSE, empty, NULL, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "no challenge libsipws can answer (offered: nothing)");
  g_clear_error (&error);

  sipws_digest_client_set_credentials (fixture->client, restricted);
  g_assert_true (sipws_digest_client_get_credentials (fixture->client) == restricted);
  g_assert_false (process (fixture, FALSE, "Digest realm=\"away\", nonce=\"n\"", NULL, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "the credentials are for realm “home”, the challenge is for realm “away”");
}

static void
test_client_strongest_and_reset (ClientFixture *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) challenges = challenge_array (
    "Digest realm=\"r\", nonce=\"md5\", qop=\"auth\", algorithm=MD5",
    "Digest realm=\"r\", nonce=\"sha\", qop=\"auth\", algorithm=SHA-512-256",
    NULL);
  g_auto(GStrv) values = NULL;
  g_auto(GStrv) after_reset = NULL;
  g_autoptr(SipwsAuthorization) auth = NULL;

  g_assert_true (sipws_digest_client_process_challenges (fixture->client, FALSE, challenges, NULL, &error));
  values = authorize (fixture, FALSE, "sha");
  auth = parse_authorization (values[0]);
  g_assert_cmpint (sipws_authorization_get_algorithm (auth), ==, SIPWS_DIGEST_ALGORITHM_SHA_512_256);

  sipws_digest_client_reset (fixture->client);
  after_reset = authorize (fixture, FALSE, NULL);
  g_assert_cmpuint (g_strv_length (after_reset), ==, 0);
}

static void
test_client_many_realms (ClientFixture *fixture,
                         gconstpointer  data)
{
  g_auto(GStrv) values = NULL;

  /* At most 8 realms per kind are remembered, the oldest go first. */
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *challenge = g_strdup_printf ("Digest realm=\"proxy%u\", nonce=\"n%u\", qop=\"auth\"", i, i);

      g_assert_true (process (fixture, TRUE, challenge, NULL, &error));
      g_assert_no_error (error);
    }
  values = authorize (fixture, TRUE, NULL);
  g_assert_cmpuint (g_strv_length (values), ==, 8);
  g_assert_nonnull (strstr (values[0], "realm=\"proxy4\""));
  g_assert_nonnull (strstr (values[7], "realm=\"proxy11\""));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_client_allow_auth_int (ClientFixture *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("body", 4);
  guint notifies = 0;
  g_auto(GStrv) values = NULL;
  g_autoptr(SipwsAuthorization) auth = NULL;
  gboolean allow;

  g_signal_connect (fixture->client, "notify::allow-auth-int", G_CALLBACK (notify_cb), &notifies);
  g_assert_false (sipws_digest_client_get_allow_auth_int (fixture->client));
  sipws_digest_client_set_allow_auth_int (fixture->client, TRUE);
  sipws_digest_client_set_allow_auth_int (fixture->client, TRUE);
  g_assert_cmpuint (notifies, ==, 1);
  g_object_get (fixture->client, "allow-auth-int", &allow, NULL);
  g_assert_true (allow);

  g_assert_true (process (fixture, FALSE, "Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\"", NULL, &error));
  values = sipws_digest_client_build_authorizations (fixture->client, FALSE, "MESSAGE", "sip:r", body, &error);
  g_assert_no_error (error);
  auth = parse_authorization (values[0]);
  g_assert_cmpint (sipws_authorization_get_qop (auth), ==, SIPWS_DIGEST_QOP_AUTH_INT);
  g_assert_true (sipws_digest_verify (auth, fixture->credentials, "MESSAGE", body, "r", "n", &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sipws/core/sha512-256/fips", test_sha512_256_fips);
  g_test_add_func ("/sipws/core/sha512-256/lengths", test_sha512_256_lengths);
  g_test_add_func ("/sipws/core/sha512-256/million", test_sha512_256_million);

  g_test_add_func ("/sipws/core/auth-challenge/rfc7616", test_challenge_rfc7616);
  g_test_add_func ("/sipws/core/auth-challenge/getters", test_challenge_getters);
  g_test_add_func ("/sipws/core/auth-challenge/quoting-and-case", test_challenge_quoting_and_case);
  g_test_add_func ("/sipws/core/auth-challenge/algorithms", test_challenge_algorithms);
  g_test_add_func ("/sipws/core/auth-challenge/qop", test_challenge_qop);
  g_test_add_func ("/sipws/core/auth-challenge/token68", test_challenge_token68);
  g_test_add_func ("/sipws/core/auth-challenge/errors", test_challenge_errors);
  g_test_add_func ("/sipws/core/auth-challenge/parse-list", test_challenge_parse_list);
  g_test_add_func ("/sipws/core/auth-challenge/new-digest", test_challenge_new_digest);
  g_test_add_func ("/sipws/core/auth-challenge/pick-best", test_pick_best);
  g_test_add_func ("/sipws/core/authorization/parse", test_authorization_parse);

  g_test_add_func ("/sipws/core/digest/rfc2617", test_digest_rfc2617);
  g_test_add_func ("/sipws/core/digest/rfc7616-md5-sha256", test_digest_rfc7616_md5_sha256);
  g_test_add_func ("/sipws/core/digest/rfc7616-sha512-256-userhash", test_digest_rfc7616_sha512_256);
  g_test_add_func ("/sipws/core/digest/username-star", test_digest_username_star);
  g_test_add_func ("/sipws/core/digest/sess", test_digest_sess);
  g_test_add_func ("/sipws/core/digest/auth-int", test_digest_auth_int);
  g_test_add_func ("/sipws/core/digest/rfc2069", test_digest_rfc2069);
  g_test_add_func ("/sipws/core/digest/qop-choice", test_build_qop_choice);
  g_test_add_func ("/sipws/core/digest/build-errors", test_build_errors);
  g_test_add_func ("/sipws/core/digest/quoting", test_build_quoting);
  g_test_add_func ("/sipws/core/digest/verify-failures", test_verify_failures);
  g_test_add_func ("/sipws/core/digest/verify-wrong-inputs", test_verify_wrong_inputs);
  g_test_add_func ("/sipws/core/digest/credentials", test_credentials);
  g_test_add_func ("/sipws/core/digest/generate-nonce", test_generate_nonce);

  g_test_add ("/sipws/core/digest-client/flow", ClientFixture, NULL,
              client_setup, test_client_flow, client_teardown);
  g_test_add ("/sipws/core/digest-client/new-nonce-without-stale", ClientFixture, NULL,
              client_setup, test_client_new_nonce_without_stale, client_teardown);
  g_test_add ("/sipws/core/digest-client/stale-same-nonce", ClientFixture, NULL,
              client_setup, test_client_stale_same_nonce, client_teardown);
  g_test_add ("/sipws/core/digest-client/unusable", ClientFixture, NULL,
              client_setup, test_client_unusable, client_teardown);
  g_test_add ("/sipws/core/digest-client/strongest-and-reset", ClientFixture, NULL,
              client_setup, test_client_strongest_and_reset, client_teardown);
  g_test_add ("/sipws/core/digest-client/many-realms", ClientFixture, NULL,
              client_setup, test_client_many_realms, client_teardown);
  g_test_add ("/sipws/core/digest-client/allow-auth-int", ClientFixture, NULL,
              client_setup, test_client_allow_auth_int, client_teardown);

  return g_test_run ();
}
