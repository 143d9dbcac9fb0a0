/* sipws-digest-client.c: client-side Digest state (nonces, nc, cnonce) */
#include <string.h>

#include "sipws-digest-client.h"
#include "sipws-authorization.h"
#include "sipws-digest.h"
#include "sipws-error.h"

/* Explicit limit on remembered realms per header kind; RFC 3261 §22.3
 * allows several proxies to challenge one request, but not many. */
#define MAX_REALMS 8

typedef struct {
  gboolean            proxy;
  SipwsAuthChallenge *challenge;
  char               *cnonce;   /* for this nonce; created on first use */
  guint32             nc;       /* the last nc sent with this nonce */
} Entry;

struct _SipwsDigestClient {
  GObject           parent_instance;

  SipwsCredentials *credentials;
  gboolean          allow_auth_int;
  GPtrArray        *entries;    /* of Entry, oldest first */
};

enum {
  PROP_0,
  PROP_ALLOW_AUTH_INT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (SipwsDigestClient, sipws_digest_client, G_TYPE_OBJECT)

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  sipws_auth_challenge_unref (entry->challenge);
  g_free (entry->cnonce);
  g_free (entry);
}

static Entry *
find_entry (SipwsDigestClient *self,
            gboolean           proxy,
            const char        *realm)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->proxy == proxy
          && g_strcmp0 (sipws_auth_challenge_get_realm (entry->challenge), realm) == 0)
        return entry;
    }
  return NULL;
}

static Entry *
add_entry (SipwsDigestClient *self,
           gboolean           proxy)
{
  Entry *entry;
  guint count = 0;

  for (guint i = 0; i < self->entries->len; i++)
    if (((Entry *) g_ptr_array_index (self->entries, i))->proxy == proxy)
      count++;
  for (guint i = 0; count >= MAX_REALMS && i < self->entries->len; i++)
    if (((Entry *) g_ptr_array_index (self->entries, i))->proxy == proxy)
      {
        g_ptr_array_remove_index (self->entries, i);
        count--;
      }

  entry = g_new0 (Entry, 1);
  entry->proxy = proxy;
  g_ptr_array_add (self->entries, entry);
  return entry;
}

/* The credentials the challenged request carried for @realm, if any. */
static SipwsAuthorization *
find_sent (const char * const *sent_authorizations,
           const char         *realm)
{
  for (guint i = 0; sent_authorizations != NULL && sent_authorizations[i] != NULL; i++)
    {
      g_autoptr(SipwsAuthorization) sent = sipws_authorization_parse (sent_authorizations[i], NULL);

      if (sent != NULL && sipws_authorization_has_scheme (sent, "Digest")
          && g_strcmp0 (sipws_authorization_get_realm (sent), realm) == 0)
        return g_steal_pointer (&sent);
    }
  return NULL;
}

static char *
describe_offered (GPtrArray *challenges)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < challenges->len; i++)
    {
      SipwsAuthChallenge *challenge = g_ptr_array_index (challenges, i);
      const char *algorithm = sipws_auth_challenge_get_param (challenge, "algorithm");

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, sipws_auth_challenge_get_scheme (challenge));
      if (algorithm != NULL)
        g_string_append_printf (out, " algorithm=%s", algorithm);
    }
  if (challenges->len == 0)
    g_string_append (out, "nothing");
  return g_string_free (out, FALSE);
}

static void
sipws_digest_client_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SipwsDigestClient *self = SIPWS_DIGEST_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ALLOW_AUTH_INT:
      g_value_set_boolean (value, self->allow_auth_int);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_digest_client_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SipwsDigestClient *self = SIPWS_DIGEST_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ALLOW_AUTH_INT:
      sipws_digest_client_set_allow_auth_int (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_digest_client_finalize (GObject *object)
{
  SipwsDigestClient *self = SIPWS_DIGEST_CLIENT (object);

  g_clear_pointer (&self->credentials, sipws_credentials_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (sipws_digest_client_parent_class)->finalize (object);
}

static void
sipws_digest_client_class_init (SipwsDigestClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sipws_digest_client_get_property;
  object_class->set_property = sipws_digest_client_set_property;
  object_class->finalize = sipws_digest_client_finalize;

  /**
   * SipwsDigestClient:allow-auth-int:
   *
   * Whether to answer with `qop=auth-int` (integrity of the body) when a
   * challenge offers both `auth` and `auth-int` and the request has a
   * body. Off by default: a body rewritten on the path would then fail
   * authentication.
   */
  props[PROP_ALLOW_AUTH_INT] =
    g_param_spec_boolean ("allow-auth-int", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
sipws_digest_client_init (SipwsDigestClient *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
}

/**
 * SipwsDigestClient:
 *
 * The Digest state of one user agent: the last challenge per realm (for
 * `Authorization` and `Proxy-Authorization` apart), the nonce count per
 * nonce and the client nonce.
 *
 * On a 401 or 407 the user agent passes the challenges to
 * [method@Sipws.DigestClient.process_challenges], together with the
 * credentials the challenged request carried; it answers whether a retry
 * makes sense. A stale nonce or a first challenge does; a second challenge
 * to credentials computed for a fresh nonce means a wrong password, and is
 * reported as a %SIPWS_ERROR_AUTH error instead, so that a user agent never
 * loops on 401s. Requests then get their header values from
 * [method@Sipws.DigestClient.build_authorizations], which also answers
 * later requests pre-emptively with the remembered nonce and an increasing
 * nc.
 */

/**
 * sipws_digest_client_new:
 * @credentials: the credentials to answer challenges with
 *
 * Creates the Digest client state of one set of credentials: the nonces seen,
 * their counts and the last answers, so that later requests can be authorized
 * without a new challenge.
 *
 * Returns: (transfer full): a new Digest client state
 */
SipwsDigestClient *
sipws_digest_client_new (SipwsCredentials *credentials)
{
  SipwsDigestClient *self;

  g_return_val_if_fail (credentials != NULL, NULL);

  self = g_object_new (SIPWS_TYPE_DIGEST_CLIENT, NULL);
  self->credentials = sipws_credentials_ref (credentials);
  return self;
}

/**
 * sipws_digest_client_get_credentials:
 * @self: a Digest client
 *
 * Gets the credentials the client answers challenges with.
 *
 * Returns: (transfer none): the credentials in use
 */
SipwsCredentials *
sipws_digest_client_get_credentials (SipwsDigestClient *self)
{
  g_return_val_if_fail (SIPWS_IS_DIGEST_CLIENT (self), NULL);
  return self->credentials;
}

/**
 * sipws_digest_client_set_credentials:
 * @self: a Digest client
 * @credentials: new credentials, such as after the user corrected a password
 *
 * Replaces the credentials and forgets every remembered challenge, so that
 * the next challenge counts as a first one.
 */
void
sipws_digest_client_set_credentials (SipwsDigestClient *self,
                                     SipwsCredentials  *credentials)
{
  g_return_if_fail (SIPWS_IS_DIGEST_CLIENT (self));
  g_return_if_fail (credentials != NULL);

  sipws_credentials_ref (credentials);
  g_clear_pointer (&self->credentials, sipws_credentials_unref);
  self->credentials = credentials;
  sipws_digest_client_reset (self);
}

/**
 * sipws_digest_client_get_allow_auth_int:
 * @self: a Digest client
 *
 * Gets whether the client may choose `qop=auth-int`.
 *
 * Returns: the value of [property@Sipws.DigestClient:allow-auth-int]
 */
gboolean
sipws_digest_client_get_allow_auth_int (SipwsDigestClient *self)
{
  g_return_val_if_fail (SIPWS_IS_DIGEST_CLIENT (self), FALSE);
  return self->allow_auth_int;
}

/**
 * sipws_digest_client_set_allow_auth_int:
 * @self: a Digest client
 * @allow_auth_int: whether to prefer `auth-int` for requests with a body
 *
 * Sets [property@Sipws.DigestClient:allow-auth-int].
 */
void
sipws_digest_client_set_allow_auth_int (SipwsDigestClient *self,
                                        gboolean           allow_auth_int)
{
  g_return_if_fail (SIPWS_IS_DIGEST_CLIENT (self));

  allow_auth_int = !!allow_auth_int;
  if (self->allow_auth_int == allow_auth_int)
    return;
  self->allow_auth_int = allow_auth_int;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALLOW_AUTH_INT]);
}

/**
 * sipws_digest_client_process_challenges:
 * @self: a Digest client
 * @proxy: %TRUE for the `Proxy-Authenticate` challenges of a 407, %FALSE
 *   for the `WWW-Authenticate` challenges of a 401
 * @challenges: (element-type Sipws.AuthChallenge): every challenge of that
 *   kind in the response
 * @sent_authorizations: (nullable) (array zero-terminated=1): the values of
 *   the `Authorization` (or `Proxy-Authorization`) headers of the request
 *   that was challenged
 * @error: return location for a #GError
 *
 * Takes in the challenges of a 401 or 407 response and decides whether to
 * retry. The strongest supported challenge is remembered for its realm
 * (see [func@Sipws.AuthChallenge.pick_best]); a new nonce restarts the
 * nonce count.
 *
 * Retrying makes sense when the request carried no credentials for that
 * realm, when the server says `stale=true` with a new nonce, or when the
 * request reused an older nonce (nc above 1) that the server has dropped.
 * A challenge to credentials computed for a fresh nonce, or a challenge
 * repeating the nonce just answered, means the server rejected the
 * password (RFC 3261 §22.2): that is an error, and the caller must not
 * retry with the same credentials.
 *
 * Returns: %TRUE when the request should be sent again with
 *   [method@Sipws.DigestClient.build_authorizations]; %FALSE with @error
 *   set (%SIPWS_ERROR_AUTH) when the password was rejected or no challenge
 *   can be answered
 */
gboolean
sipws_digest_client_process_challenges (SipwsDigestClient  *self,
                                        gboolean            proxy,
                                        GPtrArray          *challenges,
                                        const char * const *sent_authorizations,
                                        GError            **error)
{
  g_autoptr(SipwsAuthorization) sent = NULL;
  SipwsAuthChallenge *best;
  const char *realm, *nonce;
  Entry *entry;

  g_return_val_if_fail (SIPWS_IS_DIGEST_CLIENT (self), FALSE);
  g_return_val_if_fail (challenges != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  best = sipws_auth_challenge_pick_best (challenges, sipws_credentials_get_realm (self->credentials));
  if (best == NULL)
    {
      g_autofree char *offered = describe_offered (challenges);

      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "no challenge libsipws can answer (offered: %s)", offered);
      return FALSE;
    }

  realm = sipws_auth_challenge_get_realm (best);
  nonce = sipws_auth_challenge_get_nonce (best);
  if (!sipws_credentials_matches_realm (self->credentials, realm))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "the credentials are for realm “%s”, the challenge is for realm “%s”",
                   sipws_credentials_get_realm (self->credentials), realm);
      return FALSE;
    }

  sent = find_sent (sent_authorizations, realm);
  if (sent != NULL)
    {
      const char *sent_nonce = sipws_authorization_get_nonce (sent);
      const char *sent_nc = sipws_authorization_get_nc (sent);
      gboolean rejected;

      if (sipws_auth_challenge_get_stale (best))
        {
          if (g_strcmp0 (sent_nonce, nonce) == 0)
            {
              g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                           "the server of realm “%s” declared its nonce stale but sent the same "
                           "nonce again; not retrying", realm);
              return FALSE;
            }
          rejected = FALSE;
        }
      else if (g_strcmp0 (sent_nonce, nonce) == 0)
        rejected = TRUE;
      else
        /* A different nonce without stale: fine after reusing an old nonce
         * (the server expired it without saying so), a rejection when the
         * credentials answered a nonce fresh from the previous challenge. */
        rejected = sent_nc == NULL || g_ascii_strtoull (sent_nc, NULL, 16) <= 1;

      if (rejected)
        {
          g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                       "the server of realm “%s” rejected the credentials of user “%s”: "
                       "wrong user name or password",
                       realm, sipws_credentials_get_username (self->credentials));
          return FALSE;
        }
    }

  entry = find_entry (self, proxy, realm);
  if (entry == NULL)
    entry = add_entry (self, proxy);
  else if (g_strcmp0 (sipws_auth_challenge_get_nonce (entry->challenge), nonce) == 0)
    {
      /* Same nonce: keep counting, nc must never repeat for it. */
      sipws_auth_challenge_unref (entry->challenge);
      entry->challenge = sipws_auth_challenge_ref (best);
      return TRUE;
    }
  g_clear_pointer (&entry->challenge, sipws_auth_challenge_unref);
  g_clear_pointer (&entry->cnonce, g_free);
  entry->challenge = sipws_auth_challenge_ref (best);
  entry->nc = 0;
  g_debug ("digest: %s challenge for realm “%s”, algorithm %s%s",
           proxy ? "proxy" : "server", realm,
           sipws_digest_algorithm_to_string (sipws_auth_challenge_get_algorithm (best)),
           sipws_auth_challenge_get_stale (best) ? ", stale" : "");
  return TRUE;
}

/**
 * sipws_digest_client_build_authorizations:
 * @self: a Digest client
 * @proxy: %TRUE for `Proxy-Authorization` values, %FALSE for `Authorization`
 * @method: the request method
 * @digest_uri: the Request-URI as sent
 * @body: (nullable): the request body (for `auth-int`)
 * @error: return location for a #GError
 *
 * Answers every remembered challenge of the given kind for a new request,
 * or for the retry of a challenged one, incrementing each nonce count. Add
 * one header per returned value. With no remembered challenge the result
 * is empty.
 *
 * Returns: (transfer full) (array zero-terminated=1): the header values,
 *   or %NULL with @error set (%SIPWS_ERROR_AUTH)
 */
char **
sipws_digest_client_build_authorizations (SipwsDigestClient  *self,
                                          gboolean            proxy,
                                          const char         *method,
                                          const char         *digest_uri,
                                          GBytes             *body,
                                          GError            **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (SIPWS_IS_DIGEST_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL && digest_uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      char *value;

      if (entry->proxy != proxy)
        continue;
      if (entry->nc == G_MAXUINT32)
        {
          /* nc cannot grow further: let the server challenge afresh. */
          g_ptr_array_remove_index (self->entries, i--);
          continue;
        }
      if (entry->cnonce == NULL)
        {
          entry->cnonce = sipws_digest_generate_nonce (error);
          if (entry->cnonce == NULL)
            return NULL;
        }

      value = sipws_digest_build_authorization (entry->challenge, self->credentials, method,
                                                digest_uri, body, self->allow_auth_int,
                                                entry->cnonce, entry->nc + 1, error);
      if (value == NULL)
        return NULL;
      entry->nc++;
      g_strv_builder_add (builder, value);
      g_free (value);
    }
  return g_strv_builder_end (builder);
}

/**
 * sipws_digest_client_reset:
 * @self: a Digest client
 *
 * Forgets every remembered challenge, for instance when the flow to the
 * server is replaced by one to another server.
 */
void
sipws_digest_client_reset (SipwsDigestClient *self)
{
  g_return_if_fail (SIPWS_IS_DIGEST_CLIENT (self));

  g_ptr_array_set_size (self->entries, 0);
}
