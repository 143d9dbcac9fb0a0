/* sipws-authorization.c: Authorization / Proxy-Authorization values */
#include <string.h>

#include "sipws-authorization.h"
#include "sipws-auth-challenge-private.h"
#include "sipws-error.h"
#include "sipws-scan-private.h"

struct _SipwsAuthorization {
  gatomicrefcount ref_count;
  SipwsAuthParams params;
  char           *username;   /* "username", or "username*" decoded */
};

G_DEFINE_BOXED_TYPE (SipwsAuthorization, sipws_authorization,
                     sipws_authorization_ref, sipws_authorization_unref)

/* RFC 8187 ext-value: charset "'" [ language ] "'" value-chars. RFC 7616
 * §3.4.4 only allows UTF-8. */
static char *
decode_ext_value (const char  *ext,
                  GError     **error)
{
  const char *lang, *chars;
  g_autofree char *decoded = NULL;
  gsize len;

  if (g_ascii_strncasecmp (ext, "UTF-8'", 6) != 0)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "parameter “username*” must start with UTF-8''");
      return NULL;
    }
  lang = ext + 6;
  chars = strchr (lang, '\'');
  if (chars == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "parameter “username*” lacks the quote that ends its language tag");
      return NULL;
    }
  chars++;
  decoded = sipws_scan_unescape (chars, strlen (chars), &len);
  if (decoded == NULL || strlen (decoded) != len || !g_utf8_validate (decoded, len, NULL))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "parameter “username*” is not a valid %%-encoded UTF-8 string");
      return NULL;
    }
  return g_steal_pointer (&decoded);
}

/**
 * sipws_authorization_parse:
 * @value: the value of one `Authorization` or `Proxy-Authorization` header
 *
 * Parses credentials with the grammar of RFC 7235 §2.1 and RFC 3261 §25.1.
 * An RFC 7616 `username*` (for instance `UTF-8''J%C3%A4s%C3%B8n`) is decoded
 * and returned by [method@Sipws.Authorization.get_username]; sending both
 * `username` and `username*` is an error. Whether the credentials are
 * complete and correct is checked by [func@Sipws.digest_verify].
 *
 * Returns: (transfer full): the credentials, or %NULL with @error set
 *   (%SIPWS_ERROR_PARSE)
 */
SipwsAuthorization *
sipws_authorization_parse (const char  *value,
                           GError     **error)
{
  g_autoptr(SipwsAuthorization) self = NULL;
  const char *username, *ext;
  GArray *groups;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  groups = sipws_auth_params_parse (value, FALSE, error);
  if (groups == NULL)
    return NULL;

  self = g_new0 (SipwsAuthorization, 1);
  g_atomic_ref_count_init (&self->ref_count);
  sipws_auth_params_take_single (groups, &self->params);

  username = sipws_auth_params_lookup (&self->params, "username");
  ext = sipws_auth_params_lookup (&self->params, "username*");
  if (username != NULL && ext != NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                   "both “username” and “username*” are present");
      return NULL;
    }
  if (ext != NULL)
    {
      self->username = decode_ext_value (ext, error);
      if (self->username == NULL)
        return NULL;
    }
  else
    self->username = g_strdup (username);

  return g_steal_pointer (&self);
}

/**
 * sipws_authorization_ref:
 * @self: credentials
 *
 * Acquires a reference on parsed credentials.
 *
 * Returns: (transfer full): @self with one more reference
 */
SipwsAuthorization *
sipws_authorization_ref (SipwsAuthorization *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * sipws_authorization_unref:
 * @self: (transfer full): credentials
 *
 * Drops one reference, freeing @self with the last one.
 */
void
sipws_authorization_unref (SipwsAuthorization *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  sipws_auth_params_clear (&self->params);
  g_free (self->username);
  g_free (self);
}

/**
 * sipws_authorization_get_scheme:
 * @self: credentials
 *
 * Gets the authentication scheme of the credentials.
 *
 * Returns: the scheme as written, such as `Digest`
 */
const char *
sipws_authorization_get_scheme (SipwsAuthorization *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->params.scheme;
}

/**
 * sipws_authorization_has_scheme:
 * @self: credentials
 * @scheme: a scheme name
 *
 * Checks the authentication scheme of the credentials.
 *
 * Returns: whether the credentials use @scheme, ignoring case
 */
gboolean
sipws_authorization_has_scheme (SipwsAuthorization *self,
                                const char         *scheme)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (scheme != NULL, FALSE);
  return g_ascii_strcasecmp (self->params.scheme, scheme) == 0;
}

/**
 * sipws_authorization_get_token68:
 * @self: credentials
 *
 * Gets the single token of credentials that have no parameters.
 *
 * Returns: (nullable): the token68, such as the base64 text of Basic
 *   credentials, or %NULL when the value has parameters
 */
const char *
sipws_authorization_get_token68 (SipwsAuthorization *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->params.token68;
}

/**
 * sipws_authorization_get_param:
 * @self: credentials
 * @name: a parameter name, compared ignoring case
 *
 * Gets any parameter, including ones libsipws does not interpret.
 *
 * Returns: (nullable): the unquoted value, or %NULL when absent
 */
const char *
sipws_authorization_get_param (SipwsAuthorization *self,
                               const char         *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipws_auth_params_lookup (&self->params, name);
}

/**
 * sipws_authorization_get_param_names:
 * @self: credentials
 *
 * Lists the names of the parameters.
 *
 * Returns: (transfer full) (array zero-terminated=1): the parameter names
 *   in their order, as written
 */
char **
sipws_authorization_get_param_names (SipwsAuthorization *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return sipws_auth_params_get_names (&self->params);
}

/**
 * sipws_authorization_get_username:
 * @self: credentials
 *
 * Gets the user name the client authenticates as.
 *
 * Returns: (nullable): the user name (decoded from `username*` when that
 *   form was used); with `userhash=true` it is the hash, not the name
 */
const char *
sipws_authorization_get_username (SipwsAuthorization *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->username;
}

/**
 * sipws_authorization_get_realm:
 * @self: credentials
 *
 * Gets the protection space the client answers for.
 *
 * Returns: (nullable): the `realm`
 */
const char *
sipws_authorization_get_realm (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "realm");
}

/**
 * sipws_authorization_get_nonce:
 * @self: credentials
 *
 * Gets the server nonce the client hashed.
 *
 * Returns: (nullable): the `nonce` being answered
 */
const char *
sipws_authorization_get_nonce (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "nonce");
}

/**
 * sipws_authorization_get_uri:
 * @self: credentials
 *
 * Gets the URI the client hashed; a server compares it with the request URI.
 *
 * Returns: (nullable): the digest-uri (`uri`), the request URI the client
 *   hashed
 */
const char *
sipws_authorization_get_uri (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "uri");
}

/**
 * sipws_authorization_get_response:
 * @self: credentials
 *
 * Gets the hash that proves the client knows the password.
 *
 * Returns: (nullable): the `response` hash, as hex digits
 */
const char *
sipws_authorization_get_response (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "response");
}

/**
 * sipws_authorization_get_algorithm:
 * @self: credentials
 *
 * Gets the hash algorithm the client used.
 *
 * Returns: the algorithm (`MD5` when the parameter is missing), or
 *   %SIPWS_DIGEST_ALGORITHM_UNKNOWN
 */
SipwsDigestAlgorithm
sipws_authorization_get_algorithm (SipwsAuthorization *self)
{
  return sipws_digest_algorithm_from_string (sipws_authorization_get_param (self, "algorithm"));
}

/**
 * sipws_authorization_get_cnonce:
 * @self: credentials
 *
 * Gets the nonce the client chose (with `qop`).
 *
 * Returns: (nullable): the client nonce `cnonce`
 */
const char *
sipws_authorization_get_cnonce (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "cnonce");
}

/**
 * sipws_authorization_get_nc:
 * @self: credentials
 *
 * Gets how many times the client has used the nonce (with `qop`).
 *
 * Returns: (nullable): the nonce count `nc` as sent (8 hex digits); it is
 *   hashed as written
 */
const char *
sipws_authorization_get_nc (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "nc");
}

/**
 * sipws_authorization_get_qop:
 * @self: credentials
 *
 * Gets the quality of protection the client chose.
 *
 * Returns: the chosen `qop`: %SIPWS_DIGEST_QOP_NONE when absent or not a
 *   value libsipws knows (read those with
 *   [method@Sipws.Authorization.get_param])
 */
SipwsDigestQop
sipws_authorization_get_qop (SipwsAuthorization *self)
{
  const char *qop = sipws_authorization_get_param (self, "qop");

  if (qop == NULL)
    return SIPWS_DIGEST_QOP_NONE;
  if (strcmp (qop, "auth") == 0)
    return SIPWS_DIGEST_QOP_AUTH;
  if (strcmp (qop, "auth-int") == 0)
    return SIPWS_DIGEST_QOP_AUTH_INT;
  return SIPWS_DIGEST_QOP_NONE;
}

/**
 * sipws_authorization_get_opaque:
 * @self: credentials
 *
 * Gets the server data the client returned unchanged.
 *
 * Returns: (nullable): the echoed `opaque`
 */
const char *
sipws_authorization_get_opaque (SipwsAuthorization *self)
{
  return sipws_authorization_get_param (self, "opaque");
}

/**
 * sipws_authorization_get_userhash:
 * @self: credentials
 *
 * Tells whether the user name is sent hashed.
 *
 * Returns: whether `username` is a hash (RFC 7616 §3.4.4)
 */
gboolean
sipws_authorization_get_userhash (SipwsAuthorization *self)
{
  return sipws_auth_params_is_true (sipws_authorization_get_param (self, "userhash"));
}

/**
 * sipws_authorization_to_string:
 * @self: credentials
 *
 * Serializes the credentials as a header value. The result holds the
 * response hash: pass it through [func@Sipws.redact_header_value] before
 * logging it.
 *
 * Returns: (transfer full): the header value
 */
char *
sipws_authorization_to_string (SipwsAuthorization *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  sipws_auth_params_append_to (&self->params, out);
  return g_string_free (out, FALSE);
}
