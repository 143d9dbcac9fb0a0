/* sipws-digest.c: Digest authentication (RFC 2617, RFC 7616, RFC 8760) */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sipws-digest.h"
#include "sipws-auth-challenge-private.h"
#include "sipws-credentials-private.h"
#include "sipws-error.h"
#include "sipws-scan-private.h"
#include "sipws-sha512-256-private.h"

/* Hex digest of the longest hash (256 bits) plus the NUL. */
#define HEX_MAX (2 * 32 + 1)

/* Random bytes in a nonce or cnonce: 128 bits, as hex. */
#define NONCE_BYTES 16

/* ---- hashing ---------------------------------------------------------- */

typedef struct {
  GChecksum       *checksum;   /* NULL for SHA-512/256, which GChecksum lacks */
  SipwsSha512_256  sha512_256;
} Hasher;

static void
hasher_init (Hasher               *h,
             SipwsDigestAlgorithm  algorithm)
{
  switch (algorithm)
    {
    case SIPWS_DIGEST_ALGORITHM_MD5:
    case SIPWS_DIGEST_ALGORITHM_MD5_SESS:
      h->checksum = g_checksum_new (G_CHECKSUM_MD5);
      break;
    case SIPWS_DIGEST_ALGORITHM_SHA_256:
    case SIPWS_DIGEST_ALGORITHM_SHA_256_SESS:
      h->checksum = g_checksum_new (G_CHECKSUM_SHA256);
      break;
    case SIPWS_DIGEST_ALGORITHM_SHA_512_256:
    case SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS:
      h->checksum = NULL;
      sipws_sha512_256_init (&h->sha512_256);
      break;
    case SIPWS_DIGEST_ALGORITHM_UNKNOWN:
    default:
      g_assert_not_reached ();
    }
}

static void
hasher_update (Hasher     *h,
               const void *data,
               gsize       len)
{
  if (h->checksum != NULL)
    g_checksum_update (h->checksum, data, len);
  else
    sipws_sha512_256_update (&h->sha512_256, data, len);
}

static void
hasher_str (Hasher     *h,
            const char *s)
{
  hasher_update (h, s, strlen (s));
}

static void
hex_encode (const guint8 *data,
            gsize         len,
            char         *out)
{
  static const char hex[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = hex[data[i] >> 4];
      out[2 * i + 1] = hex[data[i] & 0xF];
    }
  out[2 * len] = '\0';
}

/* Writes the lower-case hex digest to @out and wipes the hash state: the
 * intermediate values of HA1 are as good as the password for that realm. */
static void
hasher_finish (Hasher *h,
               char    out[HEX_MAX])
{
  if (h->checksum != NULL)
    {
      static const guint8 zeros[128] = { 0 };
      char *hex = (char *) g_checksum_get_string (h->checksum);

      g_strlcpy (out, hex, HEX_MAX);
      /* GChecksum frees its buffers without clearing them: overwrite the
       * hex string and the block buffer first. */
      explicit_bzero (hex, strlen (hex));
      g_checksum_reset (h->checksum);
      g_checksum_update (h->checksum, zeros, sizeof zeros);
      g_clear_pointer (&h->checksum, g_checksum_free);
    }
  else
    {
      guint8 digest[SIPWS_SHA512_256_DIGEST_LEN];

      sipws_sha512_256_finish (&h->sha512_256, digest);
      hex_encode (digest, sizeof digest, out);
      explicit_bzero (digest, sizeof digest);
    }
}

static void
hash_bytes_hex (SipwsDigestAlgorithm  algorithm,
                GBytes               *body,
                char                  out[HEX_MAX])
{
  Hasher h;

  hasher_init (&h, algorithm);
  if (body != NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (body, &len);

      hasher_update (&h, data, len);
    }
  hasher_finish (&h, out);
}

static gboolean
is_sess (SipwsDigestAlgorithm algorithm)
{
  return algorithm == SIPWS_DIGEST_ALGORITHM_MD5_SESS
         || algorithm == SIPWS_DIGEST_ALGORITHM_SHA_256_SESS
         || algorithm == SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS;
}

static const char *
qop_to_string (SipwsDigestQop qop)
{
  return qop == SIPWS_DIGEST_QOP_AUTH_INT ? "auth-int" : "auth";
}

/* HA1 = H(username:realm:password), and for -sess H(HA1:nonce:cnonce)
 * (RFC 7616 §3.4.2; the inner HA1 is hex, as there and in RFC 2617's
 * reference code). */
static void
compute_ha1 (SipwsDigestAlgorithm  algorithm,
             const char           *username,
             const char           *realm,
             const char           *password,
             const char           *nonce,
             const char           *cnonce,
             char                  out[HEX_MAX])
{
  Hasher h;

  hasher_init (&h, algorithm);
  hasher_str (&h, username);
  hasher_update (&h, ":", 1);
  hasher_str (&h, realm);
  hasher_update (&h, ":", 1);
  hasher_str (&h, password);
  hasher_finish (&h, out);

  if (is_sess (algorithm))
    {
      hasher_init (&h, algorithm);
      hasher_str (&h, out);
      hasher_update (&h, ":", 1);
      hasher_str (&h, nonce);
      hasher_update (&h, ":", 1);
      hasher_str (&h, cnonce);
      hasher_finish (&h, out);
    }
}

/* response = H(HA1:nonce:nc:cnonce:qop:HA2), or H(HA1:nonce:HA2) without
 * qop; HA2 = H(method:uri), or H(method:uri:H(body)) for auth-int. */
static void
compute_response (SipwsDigestAlgorithm  algorithm,
                  const char           *ha1,
                  const char           *nonce,
                  const char           *nc,
                  const char           *cnonce,
                  SipwsDigestQop        qop,
                  const char           *method,
                  const char           *digest_uri,
                  GBytes               *body,
                  char                  out[HEX_MAX])
{
  char ha2[HEX_MAX];
  Hasher h;

  hasher_init (&h, algorithm);
  hasher_str (&h, method);
  hasher_update (&h, ":", 1);
  hasher_str (&h, digest_uri);
  if (qop == SIPWS_DIGEST_QOP_AUTH_INT)
    {
      char body_hash[HEX_MAX];

      hash_bytes_hex (algorithm, body, body_hash);
      hasher_update (&h, ":", 1);
      hasher_str (&h, body_hash);
    }
  hasher_finish (&h, ha2);

  hasher_init (&h, algorithm);
  hasher_str (&h, ha1);
  hasher_update (&h, ":", 1);
  hasher_str (&h, nonce);
  hasher_update (&h, ":", 1);
  if (qop != SIPWS_DIGEST_QOP_NONE)
    {
      hasher_str (&h, nc);
      hasher_update (&h, ":", 1);
      hasher_str (&h, cnonce);
      hasher_update (&h, ":", 1);
      hasher_str (&h, qop_to_string (qop));
      hasher_update (&h, ":", 1);
    }
  hasher_str (&h, ha2);
  hasher_finish (&h, out);
}

static gboolean
random_bytes (guint8  *buf,
              gsize    len,
              GError **error)
{
  gsize got = 0;

  /* GLib's g_random is not a CSPRNG; the kernel's is. */
  while (got < len)
    {
      ssize_t n = getrandom (buf + got, len - got, 0);

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                       "cannot get random bytes for a nonce: %s", g_strerror (errsv));
          return FALSE;
        }
      got += n;
    }
  return TRUE;
}

/* ---- public primitives ------------------------------------------------ */

/**
 * sipws_digest_compute_ha1:
 * @algorithm: a known algorithm
 * @username: the user name (not its hash, even with `userhash`)
 * @realm: the realm
 * @password: the password
 * @nonce: (nullable): the server nonce; needed by `-sess` algorithms only
 * @cnonce: (nullable): the client nonce; needed by `-sess` algorithms only
 *
 * Computes HA1 (RFC 7616 §3.4.2), the hash a server can store instead of
 * the password. Wipe it like a password.
 *
 * Returns: (transfer full): HA1 as lower-case hex
 */
char *
sipws_digest_compute_ha1 (SipwsDigestAlgorithm  algorithm,
                          const char           *username,
                          const char           *realm,
                          const char           *password,
                          const char           *nonce,
                          const char           *cnonce)
{
  char ha1[HEX_MAX];
  char *result;

  g_return_val_if_fail (algorithm != SIPWS_DIGEST_ALGORITHM_UNKNOWN, NULL);
  g_return_val_if_fail (username != NULL && realm != NULL && password != NULL, NULL);
  g_return_val_if_fail (!is_sess (algorithm) || (nonce != NULL && cnonce != NULL), NULL);

  compute_ha1 (algorithm, username, realm, password, nonce, cnonce, ha1);
  result = g_strdup (ha1);
  explicit_bzero (ha1, sizeof ha1);
  return result;
}

/**
 * sipws_digest_compute_response:
 * @algorithm: a known algorithm
 * @username: the user name (not its hash, even with `userhash`)
 * @realm: the realm
 * @password: the password
 * @nonce: the server nonce
 * @nc: (nullable): the nonce count as sent, 8 hex digits; %NULL without qop
 * @cnonce: (nullable): the client nonce; %NULL without qop
 * @qop: the chosen qop: %SIPWS_DIGEST_QOP_NONE, %SIPWS_DIGEST_QOP_AUTH or
 *   %SIPWS_DIGEST_QOP_AUTH_INT
 * @method: the request method, such as `REGISTER`
 * @digest_uri: the `uri` parameter: the Request-URI as sent
 * @body: (nullable): the message body, hashed for auth-int (%NULL is an
 *   empty body)
 *
 * Computes the `response` of Digest authentication (RFC 2617 §3.2.2,
 * RFC 7616 §3.4.1). This is the primitive; most callers want
 * [func@Sipws.digest_build_authorization].
 *
 * Returns: (transfer full): the response as lower-case hex
 */
char *
sipws_digest_compute_response (SipwsDigestAlgorithm  algorithm,
                               const char           *username,
                               const char           *realm,
                               const char           *password,
                               const char           *nonce,
                               const char           *nc,
                               const char           *cnonce,
                               SipwsDigestQop        qop,
                               const char           *method,
                               const char           *digest_uri,
                               GBytes               *body)
{
  char ha1[HEX_MAX], response[HEX_MAX];

  g_return_val_if_fail (algorithm != SIPWS_DIGEST_ALGORITHM_UNKNOWN, NULL);
  g_return_val_if_fail (username != NULL && realm != NULL && password != NULL, NULL);
  g_return_val_if_fail (nonce != NULL && method != NULL && digest_uri != NULL, NULL);
  g_return_val_if_fail (qop == SIPWS_DIGEST_QOP_NONE || qop == SIPWS_DIGEST_QOP_AUTH
                        || qop == SIPWS_DIGEST_QOP_AUTH_INT, NULL);
  g_return_val_if_fail (qop == SIPWS_DIGEST_QOP_NONE || (nc != NULL && cnonce != NULL), NULL);
  g_return_val_if_fail (!is_sess (algorithm) || cnonce != NULL, NULL);

  compute_ha1 (algorithm, username, realm, password, nonce, cnonce, ha1);
  compute_response (algorithm, ha1, nonce, nc, cnonce, qop, method, digest_uri, body, response);
  explicit_bzero (ha1, sizeof ha1);
  return g_strdup (response);
}

/**
 * sipws_digest_compute_userhash:
 * @algorithm: a known algorithm
 * @username: the user name
 * @realm: the realm
 *
 * Computes the hashed user name of RFC 7616 §3.4.4,
 * `H(username ":" realm)`, sent as `username` with `userhash=true`.
 *
 * Returns: (transfer full): the hash as lower-case hex
 */
char *
sipws_digest_compute_userhash (SipwsDigestAlgorithm  algorithm,
                               const char           *username,
                               const char           *realm)
{
  char out[HEX_MAX];
  Hasher h;

  g_return_val_if_fail (algorithm != SIPWS_DIGEST_ALGORITHM_UNKNOWN, NULL);
  g_return_val_if_fail (username != NULL && realm != NULL, NULL);

  hasher_init (&h, algorithm);
  hasher_str (&h, username);
  hasher_update (&h, ":", 1);
  hasher_str (&h, realm);
  hasher_finish (&h, out);
  return g_strdup (out);
}

/**
 * sipws_digest_generate_nonce:
 *
 * Generates 128 random bits from the kernel's CSPRNG as 32 hex digits: a
 * client nonce (`cnonce`), or a server nonce for a test registrar.
 *
 * Returns: (transfer full): the nonce, or %NULL with @error set
 *   (%SIPWS_ERROR_AUTH) when the system has no random bytes to give
 */
char *
sipws_digest_generate_nonce (GError **error)
{
  guint8 bytes[NONCE_BYTES];
  char hex[2 * NONCE_BYTES + 1];

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!random_bytes (bytes, sizeof bytes, error))
    return NULL;
  hex_encode (bytes, sizeof bytes, hex);
  return g_strdup (hex);
}

/* ---- client side ------------------------------------------------------ */

static gboolean
is_ascii_printable (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || (guchar) *s >= 0x7F)
      return FALSE;
  return TRUE;
}

static gboolean
check_challenge (SipwsAuthChallenge  *challenge,
                 SipwsCredentials    *credentials,
                 GError             **error)
{
  const char *realm = sipws_auth_challenge_get_realm (challenge);
  const char *algorithm_name;

  if (!sipws_auth_challenge_has_scheme (challenge, "Digest"))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "cannot answer a “%s” challenge with Digest",
                   sipws_auth_challenge_get_scheme (challenge));
      return FALSE;
    }
  if (sipws_auth_challenge_get_algorithm (challenge) == SIPWS_DIGEST_ALGORITHM_UNKNOWN)
    {
      algorithm_name = sipws_auth_challenge_get_param (challenge, "algorithm");
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "the challenge asks for the unsupported algorithm “%s”", algorithm_name);
      return FALSE;
    }
  if (realm == NULL || sipws_auth_challenge_get_nonce (challenge) == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "the Digest challenge has no “%s” parameter", realm == NULL ? "realm" : "nonce");
      return FALSE;
    }
  if (!sipws_credentials_matches_realm (credentials, realm))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "the credentials are for realm “%s”, the challenge is for realm “%s”",
                   sipws_credentials_get_realm (credentials), realm);
      return FALSE;
    }
  return TRUE;
}

static gboolean
choose_qop (SipwsAuthChallenge  *challenge,
            GBytes              *body,
            gboolean             allow_auth_int,
            SipwsDigestQop      *qop,
            GError             **error)
{
  const char *offered = sipws_auth_challenge_get_param (challenge, "qop");
  SipwsDigestQop options = sipws_auth_challenge_get_qop_options (challenge);

  if (offered == NULL)
    {
      /* RFC 2069: no qop, no cnonce, no nc; -sess needs a cnonce. */
      if (is_sess (sipws_auth_challenge_get_algorithm (challenge)))
        {
          g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                       "the challenge asks for %s without qop, which has no cnonce to hash",
                       sipws_digest_algorithm_to_string (sipws_auth_challenge_get_algorithm (challenge)));
          return FALSE;
        }
      *qop = SIPWS_DIGEST_QOP_NONE;
    }
  else if (options == SIPWS_DIGEST_QOP_NONE)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "none of the offered qop values (“%s”) is supported", offered);
      return FALSE;
    }
  else if ((options & SIPWS_DIGEST_QOP_AUTH_INT) != 0
           && ((options & SIPWS_DIGEST_QOP_AUTH) == 0 || (allow_auth_int && body != NULL)))
    *qop = SIPWS_DIGEST_QOP_AUTH_INT;
  else
    *qop = SIPWS_DIGEST_QOP_AUTH;
  return TRUE;
}

static void
append_quoted_param (GString    *out,
                     const char *name,
                     const char *value)
{
  g_string_append_printf (out, ", %s=", name);
  sipws_scan_append_quoted (out, value, strlen (value));
}

/**
 * sipws_digest_build_authorization:
 * @challenge: the challenge to answer (see [func@Sipws.AuthChallenge.pick_best])
 * @credentials: the user's credentials
 * @method: the method of the request being authorized, such as `REGISTER`
 *   (or `GET` for an HTTP handshake)
 * @digest_uri: the Request-URI of the request, as sent (the request target
 *   for HTTP)
 * @body: (nullable): the request body, for `auth-int`
 * @allow_auth_int: whether to choose `auth-int` when the challenge offers
 *   both `auth` and `auth-int` and @body is given
 * @cnonce: (nullable): the client nonce; %NULL generates a random one
 * @nc: the nonce count: 1 for the first request with this nonce, then
 *   increasing
 *
 * Builds the value of the `Authorization` header (answering
 * `WWW-Authenticate`) or `Proxy-Authorization` header (answering
 * `Proxy-Authenticate`):
 * `Digest username="…", realm="…", nonce="…", uri="…", response="…",
 * algorithm=…, cnonce="…", qop=auth, nc=00000001, opaque="…"`.
 *
 * The qop is `auth-int` when offered alone, or when offered with `auth`
 * while @allow_auth_int is set and @body given; `auth` otherwise. A
 * challenge without qop gets an RFC 2069 answer without cnonce and nc.
 * With `userhash=true` the user name is sent hashed; a non-ASCII user name
 * is sent as `username*` when the challenge declares `charset=UTF-8`.
 *
 * The value holds the response: do not log it unredacted.
 *
 * Returns: (transfer full): the header value, or %NULL with @error set
 *   (%SIPWS_ERROR_AUTH): the challenge is not Digest, its algorithm or qop
 *   is not supported, it lacks realm or nonce, or the credentials are for
 *   another realm
 */
char *
sipws_digest_build_authorization (SipwsAuthChallenge  *challenge,
                                  SipwsCredentials    *credentials,
                                  const char          *method,
                                  const char          *digest_uri,
                                  GBytes              *body,
                                  gboolean             allow_auth_int,
                                  const char          *cnonce,
                                  guint32              nc,
                                  GError             **error)
{
  g_autofree char *own_cnonce = NULL;
  g_autofree char *userhash = NULL;
  const char *username, *realm, *nonce, *opaque;
  SipwsDigestAlgorithm algorithm;
  SipwsDigestQop qop;
  char nc_str[9];
  char ha1[HEX_MAX], response[HEX_MAX];
  GString *out;

  g_return_val_if_fail (challenge != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (method != NULL && digest_uri != NULL, NULL);
  g_return_val_if_fail (nc >= 1, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_challenge (challenge, credentials, error)
      || !choose_qop (challenge, body, allow_auth_int, &qop, error))
    return NULL;

  algorithm = sipws_auth_challenge_get_algorithm (challenge);
  username = sipws_credentials_get_username (credentials);
  realm = sipws_auth_challenge_get_realm (challenge);
  nonce = sipws_auth_challenge_get_nonce (challenge);
  opaque = sipws_auth_challenge_get_opaque (challenge);

  if (qop != SIPWS_DIGEST_QOP_NONE && cnonce == NULL)
    {
      cnonce = own_cnonce = sipws_digest_generate_nonce (error);
      if (cnonce == NULL)
        return NULL;
    }
  g_snprintf (nc_str, sizeof nc_str, "%08x", nc);

  compute_ha1 (algorithm, username, realm, sipws_credentials_peek_password (credentials),
               nonce, cnonce, ha1);
  compute_response (algorithm, ha1, nonce, nc_str, cnonce, qop, method, digest_uri, body, response);
  explicit_bzero (ha1, sizeof ha1);

  out = g_string_new ("Digest ");
  if (sipws_auth_challenge_get_userhash (challenge))
    {
      userhash = sipws_digest_compute_userhash (algorithm, username, realm);
      g_string_append (out, "username=\"");
      g_string_append (out, userhash);
      g_string_append_c (out, '"');
    }
  else if (!is_ascii_printable (username)
           && g_strcmp0 (sipws_auth_challenge_get_charset (challenge), "UTF-8") == 0)
    {
      /* RFC 7616 §3.4.4, with the RFC 8187 encoding. */
      g_string_append (out, "username*=UTF-8''");
      sipws_scan_append_escaped (out, username, strlen (username), SIPWS_CC_ALPHANUM);
    }
  else
    {
      g_string_append (out, "username=");
      sipws_scan_append_quoted (out, username, strlen (username));
    }
  append_quoted_param (out, "realm", realm);
  append_quoted_param (out, "nonce", nonce);
  append_quoted_param (out, "uri", digest_uri);
  append_quoted_param (out, "response", response);
  g_string_append_printf (out, ", algorithm=%s", sipws_digest_algorithm_to_string (algorithm));
  if (qop != SIPWS_DIGEST_QOP_NONE)
    {
      append_quoted_param (out, "cnonce", cnonce);
      g_string_append_printf (out, ", qop=%s, nc=%s", qop_to_string (qop), nc_str);
    }
  if (opaque != NULL)
    append_quoted_param (out, "opaque", opaque);
  if (userhash != NULL)
    g_string_append (out, ", userhash=true");

  return g_string_free (out, FALSE);
}

/* ---- server side ------------------------------------------------------ */

static gboolean
fail (GError    **error,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError    **error,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (SIPWS_ERROR, SIPWS_ERROR_AUTH, format, args));
  va_end (args);
  return FALSE;
}

/* Compares two hex strings ignoring case, in time independent of where they
 * differ, so a response cannot be guessed byte by byte. */
static gboolean
hex_equal (const char *a,
           const char *b)
{
  gsize len = strlen (a);
  guint diff = 0;

  if (len != strlen (b))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    diff |= (guint) (g_ascii_tolower (a[i]) ^ g_ascii_tolower (b[i]));
  return diff == 0;
}

static gboolean
is_nc (const char *nc)
{
  return strlen (nc) == 8 && sipws_scan_span (nc, nc + 8, SIPWS_CC_HEX) == nc + 8;
}

/**
 * sipws_digest_verify:
 * @authorization: the parsed `Authorization` or `Proxy-Authorization` value
 * @credentials: the user's credentials as the server knows them
 * @method: the method of the request carrying @authorization
 * @body: (nullable): the request body, checked with `auth-int`
 * @realm: (nullable): the realm the server challenged; %NULL means the
 *   realm of @credentials if they are restricted, else any
 * @nonce: (nullable): the nonce the server issued; %NULL leaves the nonce
 *   check (and its freshness, for a `stale=true` answer) to the caller
 *
 * Checks Digest credentials as a server does: scheme, required parameters,
 * realm, nonce, qop with its cnonce and nc, user name (or user hash) and
 * finally the response. A registrar should also check that the `uri`
 * parameter names the Request-URI and that nc grows for each use of a
 * nonce; both are the caller's, who knows the request and keeps the nonces.
 *
 * Returns: %TRUE when the credentials are valid; %FALSE with @error set
 *   (%SIPWS_ERROR_AUTH) saying precisely what does not match
 */
gboolean
sipws_digest_verify (SipwsAuthorization  *authorization,
                     SipwsCredentials    *credentials,
                     const char          *method,
                     GBytes              *body,
                     const char          *realm,
                     const char          *nonce,
                     GError             **error)
{
  static const char *const required[] = { "realm", "nonce", "uri", "response" };
  const char *username, *got_realm, *qop_str, *nc, *cnonce, *response;
  SipwsDigestAlgorithm algorithm;
  SipwsDigestQop qop = SIPWS_DIGEST_QOP_NONE;
  char ha1[HEX_MAX], expected[HEX_MAX];
  gboolean valid;

  g_return_val_if_fail (authorization != NULL, FALSE);
  g_return_val_if_fail (credentials != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!sipws_authorization_has_scheme (authorization, "Digest"))
    return fail (error, "the credentials use the “%s” scheme, not Digest",
                 sipws_authorization_get_scheme (authorization));

  username = sipws_authorization_get_username (authorization);
  if (username == NULL)
    return fail (error, "the credentials have no “username” parameter");
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (sipws_authorization_get_param (authorization, required[i]) == NULL)
      return fail (error, "the credentials have no “%s” parameter", required[i]);

  algorithm = sipws_authorization_get_algorithm (authorization);
  if (algorithm == SIPWS_DIGEST_ALGORITHM_UNKNOWN)
    return fail (error, "the credentials use the unsupported algorithm “%s”",
                 sipws_authorization_get_param (authorization, "algorithm"));

  got_realm = sipws_authorization_get_realm (authorization);
  if (realm == NULL)
    realm = sipws_credentials_get_realm (credentials);
  if (realm != NULL && strcmp (got_realm, realm) != 0)
    return fail (error, "the credentials are for realm “%s”, expected “%s”", got_realm, realm);
  if (!sipws_credentials_matches_realm (credentials, got_realm))
    return fail (error, "the user's credentials are not valid in realm “%s”", got_realm);

  if (nonce != NULL && strcmp (sipws_authorization_get_nonce (authorization), nonce) != 0)
    return fail (error, "the credentials answer a nonce this server did not issue");

  qop_str = sipws_authorization_get_param (authorization, "qop");
  nc = sipws_authorization_get_nc (authorization);
  cnonce = sipws_authorization_get_cnonce (authorization);
  if (qop_str != NULL)
    {
      qop = sipws_authorization_get_qop (authorization);
      if (qop == SIPWS_DIGEST_QOP_NONE)
        return fail (error, "the credentials use the unsupported qop “%s”", qop_str);
      if (cnonce == NULL || nc == NULL)
        return fail (error, "qop=%s needs the “%s” parameter", qop_str, cnonce == NULL ? "cnonce" : "nc");
      if (!is_nc (nc))
        return fail (error, "the nonce count “%s” is not 8 hex digits", nc);
    }
  else if (cnonce != NULL || nc != NULL)
    return fail (error, "the credentials have “%s” but no qop", cnonce != NULL ? "cnonce" : "nc");
  else if (is_sess (algorithm))
    return fail (error, "%s needs a qop and a cnonce", sipws_digest_algorithm_to_string (algorithm));

  if (sipws_authorization_get_userhash (authorization))
    {
      g_autofree char *userhash = sipws_digest_compute_userhash (algorithm,
                                                                 sipws_credentials_get_username (credentials),
                                                                 got_realm);

      if (!hex_equal (username, userhash))
        return fail (error, "the user hash does not match user “%s”",
                     sipws_credentials_get_username (credentials));
    }
  else if (strcmp (username, sipws_credentials_get_username (credentials)) != 0)
    return fail (error, "the credentials are for user “%s”, not “%s”",
                 username, sipws_credentials_get_username (credentials));

  compute_ha1 (algorithm, sipws_credentials_get_username (credentials), got_realm,
               sipws_credentials_peek_password (credentials),
               sipws_authorization_get_nonce (authorization), cnonce, ha1);
  compute_response (algorithm, ha1, sipws_authorization_get_nonce (authorization), nc, cnonce, qop,
                    method, sipws_authorization_get_uri (authorization), body, expected);
  explicit_bzero (ha1, sizeof ha1);

  response = sipws_authorization_get_response (authorization);
  valid = hex_equal (response, expected);
  explicit_bzero (expected, sizeof expected);
  if (!valid)
    return fail (error, "the response does not match: wrong password, or a different method, "
                 "URI%s than the client hashed", qop == SIPWS_DIGEST_QOP_AUTH_INT ? " or body" : "");
  return TRUE;
}
