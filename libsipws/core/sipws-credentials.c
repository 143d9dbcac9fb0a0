/* sipws-credentials.c: a user name and password for authentication */
#include <string.h>

#include "sipws-credentials.h"
#include "sipws-credentials-private.h"
#include "sipws-error.h"

struct _SipwsCredentials {
  gatomicrefcount ref_count;
  char           *username;
  char           *password;
  char           *realm;
};

G_DEFINE_BOXED_TYPE (SipwsCredentials, sipws_credentials,
                     sipws_credentials_ref, sipws_credentials_unref)

void
sipws_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  /* explicit_bzero, unlike memset, cannot be dropped as a dead store. */
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

const char *
sipws_credentials_peek_password (SipwsCredentials *self)
{
  return self->password;
}

/**
 * sipws_credentials_new:
 * @username: the authentication user name (UTF-8)
 * @password: the password (UTF-8); it is copied
 * @realm: (nullable): the only realm these credentials may answer, or %NULL
 *   for any realm
 *
 * Creates credentials. Restricting them to a realm keeps a password from
 * being used to answer a challenge of some other server or proxy on the
 * path.
 *
 * Returns: (transfer full): the new credentials
 */
SipwsCredentials *
sipws_credentials_new (const char *username,
                       const char *password,
                       const char *realm)
{
  SipwsCredentials *self;

  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  self = g_new0 (SipwsCredentials, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->username = g_strdup (username);
  self->password = g_strdup (password);
  self->realm = g_strdup (realm);
  return self;
}

/**
 * sipws_credentials_ref:
 * @self: credentials
 *
 * Acquires a reference on credentials.
 *
 * Returns: (transfer full): @self with one more reference
 */
SipwsCredentials *
sipws_credentials_ref (SipwsCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * sipws_credentials_unref:
 * @self: (transfer full): credentials
 *
 * Drops one reference; the last one wipes the password and frees @self.
 */
void
sipws_credentials_unref (SipwsCredentials *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  sipws_secret_free (self->password);
  g_free (self->username);
  g_free (self->realm);
  g_free (self);
}

/**
 * sipws_credentials_get_username:
 * @self: credentials
 *
 * Gets the user name the credentials authenticate as.
 *
 * Returns: the user name
 */
const char *
sipws_credentials_get_username (SipwsCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->username;
}

/**
 * sipws_credentials_get_realm:
 * @self: credentials
 *
 * Gets the realm the credentials are restricted to.
 *
 * Returns: (nullable): the realm the credentials are restricted to, or
 *   %NULL
 */
const char *
sipws_credentials_get_realm (SipwsCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->realm;
}

/**
 * sipws_credentials_matches_realm:
 * @self: credentials
 * @realm: (nullable): the realm of a challenge
 *
 * Checks whether the credentials may be used in @realm.
 *
 * Returns: whether the credentials may answer a challenge for @realm: they
 *   are unrestricted, or restricted to exactly @realm
 */
gboolean
sipws_credentials_matches_realm (SipwsCredentials *self,
                                 const char       *realm)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->realm == NULL || g_strcmp0 (self->realm, realm) == 0;
}

/**
 * sipws_credentials_build_basic_authorization:
 * @self: credentials
 *
 * Builds the value of an `Authorization` header for the Basic scheme
 * (RFC 7617), `Basic <base64 of user:password>`, as an HTTP server may ask
 * for on the WebSocket handshake. Basic reveals the password to anyone who
 * reads the request: send it only over TLS.
 *
 * Returns: (transfer full): the header value, or %NULL with @error set
 *   (%SIPWS_ERROR_AUTH) when the user name contains a colon, which Basic
 *   cannot carry
 */
char *
sipws_credentials_build_basic_authorization (SipwsCredentials  *self,
                                             GError           **error)
{
  char *pair, *encoded, *value;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strchr (self->username, ':') != NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "the user name contains a colon, which Basic authentication cannot carry");
      return NULL;
    }

  pair = g_strconcat (self->username, ":", self->password, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  value = g_strconcat ("Basic ", encoded, NULL);
  sipws_secret_free (pair);
  sipws_secret_free (encoded);
  return value;
}
