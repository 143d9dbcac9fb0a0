/* sipws-auth-challenge.c: WWW-Authenticate / Proxy-Authenticate values */
#include <string.h>

#include "sipws-auth-challenge.h"
#include "sipws-auth-challenge-private.h"
#include "sipws-error.h"
#include "sipws-scan-private.h"

struct _SipwsAuthChallenge {
  gatomicrefcount      ref_count;
  SipwsAuthParams      params;
  /* Decoded once at construction; the parameters never change. */
  SipwsDigestAlgorithm algorithm;
  SipwsDigestQop       qop_options;
  gboolean             qop_present;
};

G_DEFINE_BOXED_TYPE (SipwsAuthChallenge, sipws_auth_challenge,
                     sipws_auth_challenge_ref, sipws_auth_challenge_unref)

static const struct {
  const char           *name;
  SipwsDigestAlgorithm  algorithm;
} algorithm_names[] = {
  { "MD5", SIPWS_DIGEST_ALGORITHM_MD5 },
  { "MD5-sess", SIPWS_DIGEST_ALGORITHM_MD5_SESS },
  { "SHA-256", SIPWS_DIGEST_ALGORITHM_SHA_256 },
  { "SHA-256-sess", SIPWS_DIGEST_ALGORITHM_SHA_256_SESS },
  { "SHA-512-256", SIPWS_DIGEST_ALGORITHM_SHA_512_256 },
  { "SHA-512-256-sess", SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS },
};

/* ---- the shared auth-param parser ------------------------------------- */

static void
auth_param_clear (gpointer data)
{
  SipwsAuthParam *param = data;

  g_free (param->name);
  g_free (param->value);
}

void
sipws_auth_params_init (SipwsAuthParams *params,
                        const char      *scheme)
{
  params->scheme = g_strdup (scheme);
  params->token68 = NULL;
  params->params = g_array_new (FALSE, TRUE, sizeof (SipwsAuthParam));
  g_array_set_clear_func (params->params, auth_param_clear);
}

void
sipws_auth_params_clear (SipwsAuthParams *params)
{
  g_clear_pointer (&params->scheme, g_free);
  g_clear_pointer (&params->token68, g_free);
  g_clear_pointer (&params->params, g_array_unref);
}

static void
auth_params_clear_cb (gpointer data)
{
  sipws_auth_params_clear (data);
}

const char *
sipws_auth_params_lookup (const SipwsAuthParams *params,
                          const char            *name)
{
  for (guint i = 0; i < params->params->len; i++)
    {
      const SipwsAuthParam *param = &g_array_index (params->params, SipwsAuthParam, i);

      if (g_ascii_strcasecmp (param->name, name) == 0)
        return param->value;
    }
  return NULL;
}

void
sipws_auth_params_add (SipwsAuthParams *params,
                       const char      *name,
                       const char      *value,
                       gboolean         quoted)
{
  SipwsAuthParam param = { g_strdup (name), g_strdup (value), quoted };

  g_array_append_val (params->params, param);
}

char **
sipws_auth_params_get_names (const SipwsAuthParams *params)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < params->params->len; i++)
    g_strv_builder_add (builder, g_array_index (params->params, SipwsAuthParam, i).name);
  return g_strv_builder_end (builder);
}

void
sipws_auth_params_append_to (const SipwsAuthParams *params,
                             GString               *out)
{
  g_string_append (out, params->scheme);
  if (params->token68 != NULL)
    {
      g_string_append_c (out, ' ');
      g_string_append (out, params->token68);
      return;
    }
  for (guint i = 0; i < params->params->len; i++)
    {
      const SipwsAuthParam *param = &g_array_index (params->params, SipwsAuthParam, i);

      g_string_append (out, i == 0 ? " " : ", ");
      g_string_append (out, param->name);
      g_string_append_c (out, '=');
      if (param->quoted)
        sipws_scan_append_quoted (out, param->value, strlen (param->value));
      else
        g_string_append (out, param->value);
    }
}

gboolean
sipws_auth_params_is_true (const char *value)
{
  return value != NULL && g_ascii_strcasecmp (value, "true") == 0;
}

SipwsDigestQop
sipws_auth_params_parse_qop_list (const char *value)
{
  SipwsDigestQop qop = SIPWS_DIGEST_QOP_NONE;
  const char *p = value;

  while (*p != '\0')
    {
      const char *end;
      gsize len;

      while (*p == ',' || *p == ' ' || *p == '\t')
        p++;
      end = p;
      while (*end != '\0' && *end != ',' && *end != ' ' && *end != '\t')
        end++;
      len = end - p;
      if (len == 4 && g_ascii_strncasecmp (p, "auth", 4) == 0)
        qop |= SIPWS_DIGEST_QOP_AUTH;
      else if (len == 8 && g_ascii_strncasecmp (p, "auth-int", 8) == 0)
        qop |= SIPWS_DIGEST_QOP_AUTH_INT;
      p = end;
    }
  return qop;
}

static const char *
describe_byte (char buf[8], guchar c)
{
  if (c > 0x20 && c < 0x7F)
    g_snprintf (buf, 8, "'%c'", c);
  else
    g_snprintf (buf, 8, "0x%02X", c);
  return buf;
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static gboolean
is_token68 (const char *p,
            const char *end)
{
  const char *start = p;

  while (p < end && (g_ascii_isalnum (*p) || strchr ("-._~+/", *p) != NULL))
    p++;
  if (p == start)
    return FALSE;
  while (p < end && *p == '=')
    p++;
  return p == end;
}

/* Parses "name BWS = BWS ( token / quoted-string )" spanning exactly
 * [name, end) and appends it to @group. */
static gboolean
parse_param (const char       *value,
             SipwsAuthParams  *group,
             const char       *name,
             const char       *name_end,
             const char       *eq,
             const char       *end,
             GError          **error)
{
  g_autofree char *name_str = g_strndup (name, name_end - name);
  g_autofree char *val = NULL;
  const char *v = sipws_scan_skip_lws (eq + 1, end);
  gboolean quoted = FALSE;
  char buf[8];

  if (sipws_auth_params_lookup (group, name_str) != NULL)
    {
      sipws_scan_set_error (error, value, name, "duplicate parameter “%s”", name_str);
      return FALSE;
    }
  if (group->params->len >= SIPWS_AUTH_MAX_PARAMS)
    {
      sipws_scan_set_error (error, value, name,
                            "more than %d parameters in one %s value",
                            SIPWS_AUTH_MAX_PARAMS, group->scheme);
      return FALSE;
    }
  if (v >= end)
    {
      sipws_scan_set_error (error, value, eq, "parameter “%s” has no value", name_str);
      return FALSE;
    }

  if (*v == '"')
    {
      const char *q = v;

      if (!sipws_scan_quoted_string (value, &q, end, error))
        return FALSE;
      if (q != end)
        {
          sipws_scan_set_error (error, value, q,
                                "unexpected %s after the quoted value of “%s”",
                                describe_byte (buf, *q), name_str);
          return FALSE;
        }
      val = sipws_scan_unquote (v, q - v);
      quoted = TRUE;
    }
  else
    {
      const char *t = sipws_scan_token (v, end);

      if (t != end)
        {
          sipws_scan_set_error (error, value, t,
                                "unexpected %s in the value of “%s” (not a token; quote it)",
                                describe_byte (buf, *t), name_str);
          return FALSE;
        }
      val = g_strndup (v, t - v);
    }

  sipws_auth_params_add (group, name_str, val, quoted);
  return TRUE;
}

GArray *
sipws_auth_params_parse (const char  *value,
                         gboolean     several,
                         GError     **error)
{
  g_autoptr(GArray) groups = g_array_new (FALSE, TRUE, sizeof (SipwsAuthParams));
  gsize value_len = strlen (value);
  SipwsAuthParams *group = NULL;
  SipwsScanListIter iter;
  SipwsScanSpan elem;
  GError *local_error = NULL;
  char buf[8];

  g_array_set_clear_func (groups, auth_params_clear_cb);

  sipws_scan_list_iter_init (&iter, value, value_len);
  while (sipws_scan_list_iter_next (&iter, &elem, &local_error))
    {
      const char *p = elem.start;
      const char *end = elem.start + elem.len;
      const char *t_end, *q;

      /* RFC 7230 §7: empty list elements are ignored. */
      if (elem.len == 0)
        continue;

      t_end = sipws_scan_token (p, end);
      if (t_end == p)
        {
          sipws_scan_set_error (error, value, p,
                                "expected an authentication scheme or parameter name, found %s",
                                describe_byte (buf, *p));
          return NULL;
        }
      q = sipws_scan_skip_lws (t_end, end);

      if (q < end && *q == '=')
        {
          if (group == NULL)
            {
              sipws_scan_set_error (error, value, p,
                                    "parameter “%.*s” before any authentication scheme",
                                    (int) (t_end - p), p);
              return NULL;
            }
          if (group->token68 != NULL)
            {
              sipws_scan_set_error (error, value, p,
                                    "parameter “%.*s” after the token68 of %s",
                                    (int) (t_end - p), p, group->scheme);
              return NULL;
            }
          if (!parse_param (value, group, p, t_end, q, end, error))
            return NULL;
          continue;
        }

      /* Not "name=": a new scheme. */
      if (group != NULL && !several)
        {
          sipws_scan_set_error (error, value, p,
                                "expected a parameter (name=value), found “%.*s”",
                                (int) (t_end - p), p);
          return NULL;
        }
      if (t_end < end && *t_end != ' ' && *t_end != '\t')
        {
          sipws_scan_set_error (error, value, t_end,
                                "unexpected %s after the authentication scheme “%.*s”",
                                describe_byte (buf, *t_end), (int) (t_end - p), p);
          return NULL;
        }
      if (groups->len >= SIPWS_AUTH_MAX_CHALLENGES)
        {
          sipws_scan_set_error (error, value, p, "more than %d challenges in one value",
                                SIPWS_AUTH_MAX_CHALLENGES);
          return NULL;
        }

      g_array_set_size (groups, groups->len + 1);
      group = &g_array_index (groups, SipwsAuthParams, groups->len - 1);
      {
        g_autofree char *scheme = g_strndup (p, t_end - p);

        sipws_auth_params_init (group, scheme);
      }

      if (q < end)
        {
          /* "scheme name=value" or "scheme token68": a param has a non-'='
           * byte after its '=', a token68 only '=' padding. */
          const char *n_end = sipws_scan_token (q, end);
          const char *eq = sipws_scan_skip_lws (n_end, end);

          if (n_end > q && eq < end && *eq == '=')
            {
              const char *after = sipws_scan_skip_lws (eq + 1, end);

              if (after < end && *after != '=')
                {
                  if (!parse_param (value, group, q, n_end, eq, end, error))
                    return NULL;
                  continue;
                }
            }
          if (!is_token68 (q, end))
            {
              sipws_scan_set_error (error, value, q,
                                    "expected parameters or a token68 after “%s”",
                                    group->scheme);
              return NULL;
            }
          group->token68 = g_strndup (q, end - q);
        }
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (groups->len == 0)
    {
      g_set_error_literal (error, SIPWS_ERROR, SIPWS_ERROR_PARSE,
                           "empty value: expected an authentication scheme");
      return NULL;
    }
  return g_steal_pointer (&groups);
}

void
sipws_auth_params_take_single (GArray          *groups,
                               SipwsAuthParams *out)
{
  g_assert (groups->len == 1);

  *out = g_array_index (groups, SipwsAuthParams, 0);
  /* The group now belongs to @out: drop it without clearing. */
  g_array_set_clear_func (groups, NULL);
  g_array_unref (groups);
}

/* ---- SipwsDigestAlgorithm --------------------------------------------- */

/**
 * sipws_digest_algorithm_to_string:
 * @algorithm: a [enum@Sipws.DigestAlgorithm]
 *
 * Gets the name of @algorithm as written in the `algorithm` parameter.
 *
 * Returns: (nullable): the name, such as `SHA-256`, or %NULL for
 *   %SIPWS_DIGEST_ALGORITHM_UNKNOWN
 */
const char *
sipws_digest_algorithm_to_string (SipwsDigestAlgorithm algorithm)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithm_names); i++)
    if (algorithm_names[i].algorithm == algorithm)
      return algorithm_names[i].name;
  return NULL;
}

/**
 * sipws_digest_algorithm_from_string:
 * @name: (nullable): an `algorithm` parameter value
 *
 * Looks up a Digest algorithm by name, ignoring case. A missing parameter
 * means `MD5` (RFC 2617 §3.2.1).
 *
 * Returns: the algorithm, or %SIPWS_DIGEST_ALGORITHM_UNKNOWN when libsipws
 *   cannot compute it
 */
SipwsDigestAlgorithm
sipws_digest_algorithm_from_string (const char *name)
{
  if (name == NULL)
    return SIPWS_DIGEST_ALGORITHM_MD5;
  for (guint i = 0; i < G_N_ELEMENTS (algorithm_names); i++)
    if (g_ascii_strcasecmp (algorithm_names[i].name, name) == 0)
      return algorithm_names[i].algorithm;
  return SIPWS_DIGEST_ALGORITHM_UNKNOWN;
}

/* ---- SipwsAuthChallenge ------------------------------------------------ */

static SipwsAuthChallenge *
challenge_new_take (SipwsAuthParams *params)
{
  SipwsAuthChallenge *self = g_new0 (SipwsAuthChallenge, 1);
  const char *qop;

  g_atomic_ref_count_init (&self->ref_count);
  self->params = *params;

  if (g_ascii_strcasecmp (self->params.scheme, "Digest") == 0)
    self->algorithm = sipws_digest_algorithm_from_string (sipws_auth_params_lookup (&self->params,
                                                                                    "algorithm"));
  else
    self->algorithm = SIPWS_DIGEST_ALGORITHM_UNKNOWN;

  qop = sipws_auth_params_lookup (&self->params, "qop");
  self->qop_present = qop != NULL;
  self->qop_options = qop != NULL ? sipws_auth_params_parse_qop_list (qop) : SIPWS_DIGEST_QOP_NONE;
  return self;
}

/**
 * sipws_auth_challenge_parse:
 * @value: the value of one `WWW-Authenticate` or `Proxy-Authenticate` header
 *
 * Parses one challenge: `auth-scheme [ token68 / #auth-param ]`. Values may
 * be tokens or quoted strings with quoted-pairs. A parameter that appears
 * twice, a missing value or a second scheme is an error.
 *
 * SIP puts one challenge in each header field. An HTTP field may list
 * several: parse those with [func@Sipws.AuthChallenge.parse_list].
 *
 * Returns: (transfer full): the challenge, or %NULL with @error set
 *   (%SIPWS_ERROR_PARSE, naming the parameter and column)
 */
SipwsAuthChallenge *
sipws_auth_challenge_parse (const char  *value,
                            GError     **error)
{
  SipwsAuthParams params;
  GArray *groups;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  groups = sipws_auth_params_parse (value, FALSE, error);
  if (groups == NULL)
    return NULL;
  sipws_auth_params_take_single (groups, &params);
  return challenge_new_take (&params);
}

/**
 * sipws_auth_challenge_parse_list:
 * @value: a header value holding one or more comma-separated challenges
 *
 * Parses every challenge of an HTTP `WWW-Authenticate` field, such as
 * `Digest realm="a", nonce="n", algorithm=SHA-256, Basic realm="a"`, or of
 * several fields joined with commas as HTTP libraries return them.
 *
 * Returns: (transfer full) (element-type Sipws.AuthChallenge): the
 *   challenges in order, or %NULL with @error set
 */
GPtrArray *
sipws_auth_challenge_parse_list (const char  *value,
                                 GError     **error)
{
  g_autoptr(GArray) groups = NULL;
  GPtrArray *challenges;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  groups = sipws_auth_params_parse (value, TRUE, error);
  if (groups == NULL)
    return NULL;

  challenges = g_ptr_array_new_full (groups->len, (GDestroyNotify) sipws_auth_challenge_unref);
  for (guint i = 0; i < groups->len; i++)
    g_ptr_array_add (challenges, challenge_new_take (&g_array_index (groups, SipwsAuthParams, i)));
  /* The challenges own the groups now. */
  g_array_set_clear_func (groups, NULL);
  return challenges;
}

/**
 * sipws_auth_challenge_new_digest:
 * @realm: the protection space
 * @nonce: a fresh server nonce
 * @opaque: (nullable): a value the client must echo
 * @algorithm: the algorithm; not %SIPWS_DIGEST_ALGORITHM_UNKNOWN
 * @qop_options: the qop values to offer; %SIPWS_DIGEST_QOP_NONE for an
 *   RFC 2069 challenge
 * @stale: whether the previous nonce was merely out of date
 *
 * Creates a Digest challenge, as a registrar or a test server sends it.
 * Serialize it with [method@Sipws.AuthChallenge.to_string].
 *
 * Returns: (transfer full): the new challenge
 */
SipwsAuthChallenge *
sipws_auth_challenge_new_digest (const char           *realm,
                                 const char           *nonce,
                                 const char           *opaque,
                                 SipwsDigestAlgorithm  algorithm,
                                 SipwsDigestQop        qop_options,
                                 gboolean              stale)
{
  SipwsAuthParams params;

  g_return_val_if_fail (realm != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (algorithm != SIPWS_DIGEST_ALGORITHM_UNKNOWN, NULL);

  sipws_auth_params_init (&params, "Digest");
  sipws_auth_params_add (&params, "realm", realm, TRUE);
  sipws_auth_params_add (&params, "nonce", nonce, TRUE);
  if (opaque != NULL)
    sipws_auth_params_add (&params, "opaque", opaque, TRUE);
  sipws_auth_params_add (&params, "algorithm", sipws_digest_algorithm_to_string (algorithm), FALSE);
  if (qop_options != SIPWS_DIGEST_QOP_NONE)
    {
      const char *qop = (qop_options & SIPWS_DIGEST_QOP_AUTH) == 0 ? "auth-int"
                        : (qop_options & SIPWS_DIGEST_QOP_AUTH_INT) == 0 ? "auth"
                        : "auth,auth-int";

      sipws_auth_params_add (&params, "qop", qop, TRUE);
    }
  if (stale)
    sipws_auth_params_add (&params, "stale", "true", FALSE);
  return challenge_new_take (&params);
}

/**
 * sipws_auth_challenge_ref:
 * @self: a challenge
 *
 * Acquires a reference on a challenge.
 *
 * Returns: (transfer full): @self with one more reference
 */
SipwsAuthChallenge *
sipws_auth_challenge_ref (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * sipws_auth_challenge_unref:
 * @self: (transfer full): a challenge
 *
 * Drops one reference, freeing @self with the last one.
 */
void
sipws_auth_challenge_unref (SipwsAuthChallenge *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  sipws_auth_params_clear (&self->params);
  g_free (self);
}

/**
 * sipws_auth_challenge_get_scheme:
 * @self: a challenge
 *
 * Gets the authentication scheme of the challenge.
 *
 * Returns: the scheme as written, such as `Digest` or `Basic`
 */
const char *
sipws_auth_challenge_get_scheme (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->params.scheme;
}

/**
 * sipws_auth_challenge_has_scheme:
 * @self: a challenge
 * @scheme: a scheme name
 *
 * Checks the authentication scheme of the challenge.
 *
 * Returns: whether the challenge uses @scheme, ignoring case
 */
gboolean
sipws_auth_challenge_has_scheme (SipwsAuthChallenge *self,
                                 const char         *scheme)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (scheme != NULL, FALSE);
  return g_ascii_strcasecmp (self->params.scheme, scheme) == 0;
}

/**
 * sipws_auth_challenge_get_token68:
 * @self: a challenge
 *
 * Gets the single token of a challenge that has no parameters.
 *
 * Returns: (nullable): the token68 of a challenge written in that form
 *   (RFC 7235 §2.1), or %NULL when it has parameters
 */
const char *
sipws_auth_challenge_get_token68 (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->params.token68;
}

/**
 * sipws_auth_challenge_get_param:
 * @self: a challenge
 * @name: a parameter name, compared ignoring case
 *
 * Gets any parameter, including ones libsipws does not interpret.
 *
 * Returns: (nullable): the unquoted value, or %NULL when absent
 */
const char *
sipws_auth_challenge_get_param (SipwsAuthChallenge *self,
                                const char         *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipws_auth_params_lookup (&self->params, name);
}

/**
 * sipws_auth_challenge_get_param_names:
 * @self: a challenge
 *
 * Lists the names of the challenge's parameters, including the ones libsipws
 * does not interpret.
 *
 * Returns: (transfer full) (array zero-terminated=1): the parameter names
 *   in their order, as written
 */
char **
sipws_auth_challenge_get_param_names (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return sipws_auth_params_get_names (&self->params);
}

/**
 * sipws_auth_challenge_get_realm:
 * @self: a challenge
 *
 * Gets the protection space the credentials must belong to.
 *
 * Returns: (nullable): the `realm`
 */
const char *
sipws_auth_challenge_get_realm (SipwsAuthChallenge *self)
{
  return sipws_auth_challenge_get_param (self, "realm");
}

/**
 * sipws_auth_challenge_get_nonce:
 * @self: a challenge
 *
 * Gets the server nonce that the answer hashes.
 *
 * Returns: (nullable): the `nonce`
 */
const char *
sipws_auth_challenge_get_nonce (SipwsAuthChallenge *self)
{
  return sipws_auth_challenge_get_param (self, "nonce");
}

/**
 * sipws_auth_challenge_get_opaque:
 * @self: a challenge
 *
 * Gets the server data that the answer returns unchanged.
 *
 * Returns: (nullable): the `opaque` value, which the answer must echo
 */
const char *
sipws_auth_challenge_get_opaque (SipwsAuthChallenge *self)
{
  return sipws_auth_challenge_get_param (self, "opaque");
}

/**
 * sipws_auth_challenge_get_domain:
 * @self: a challenge
 *
 * Gets the URIs the same credentials protect (RFC 7616 §3.3).
 *
 * Returns: (nullable): the `domain`: a space-separated URI list
 */
const char *
sipws_auth_challenge_get_domain (SipwsAuthChallenge *self)
{
  return sipws_auth_challenge_get_param (self, "domain");
}

/**
 * sipws_auth_challenge_get_stale:
 * @self: a challenge
 *
 * A stale challenge says the credentials were right but the nonce was out
 * of date: the client retries with the new nonce without asking the user.
 *
 * Returns: whether `stale=true`
 */
gboolean
sipws_auth_challenge_get_stale (SipwsAuthChallenge *self)
{
  return sipws_auth_params_is_true (sipws_auth_challenge_get_param (self, "stale"));
}

/**
 * sipws_auth_challenge_get_algorithm:
 * @self: a challenge
 *
 * Gets the hash algorithm the server asks for.
 *
 * Returns: the Digest algorithm (`MD5` when the parameter is missing), or
 *   %SIPWS_DIGEST_ALGORITHM_UNKNOWN for an algorithm libsipws cannot compute
 *   or a scheme other than Digest; the name as written is the `algorithm`
 *   parameter
 */
SipwsDigestAlgorithm
sipws_auth_challenge_get_algorithm (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, SIPWS_DIGEST_ALGORITHM_UNKNOWN);
  return self->algorithm;
}

/**
 * sipws_auth_challenge_get_qop_options:
 * @self: a challenge
 *
 * Gets the qualities of protection the server offers.
 *
 * Returns: the known values of the `qop` list; %SIPWS_DIGEST_QOP_NONE when
 *   the challenge has no `qop` (RFC 2069) or offers only unknown values
 */
SipwsDigestQop
sipws_auth_challenge_get_qop_options (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, SIPWS_DIGEST_QOP_NONE);
  return self->qop_options;
}

/**
 * sipws_auth_challenge_get_userhash:
 * @self: a challenge
 *
 * Tells whether the client may send a hashed user name.
 *
 * Returns: whether the server supports hashed user names (RFC 7616 §3.4.4)
 */
gboolean
sipws_auth_challenge_get_userhash (SipwsAuthChallenge *self)
{
  return sipws_auth_params_is_true (sipws_auth_challenge_get_param (self, "userhash"));
}

/**
 * sipws_auth_challenge_get_charset:
 * @self: a challenge
 *
 * Gets the character set the server expects user names and passwords in.
 *
 * Returns: (nullable): the `charset`; RFC 7616 only allows `UTF-8`
 */
const char *
sipws_auth_challenge_get_charset (SipwsAuthChallenge *self)
{
  return sipws_auth_challenge_get_param (self, "charset");
}

/**
 * sipws_auth_challenge_is_supported:
 * @self: a challenge
 *
 * Whether libsipws can answer the challenge: Digest with an algorithm it
 * computes, a realm, a nonce and, when `qop` is present, `auth` or
 * `auth-int` among the offered values (a `-sess` algorithm needs a `qop`).
 *
 * Returns: %TRUE when [func@Sipws.digest_build_authorization] can answer it
 */
gboolean
sipws_auth_challenge_is_supported (SipwsAuthChallenge *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->algorithm == SIPWS_DIGEST_ALGORITHM_UNKNOWN
      || sipws_auth_challenge_get_realm (self) == NULL
      || sipws_auth_challenge_get_nonce (self) == NULL)
    return FALSE;
  if (self->qop_present)
    return self->qop_options != SIPWS_DIGEST_QOP_NONE;
  /* Without qop there is no cnonce, which -sess hashes into HA1. */
  return self->algorithm == SIPWS_DIGEST_ALGORITHM_MD5
         || self->algorithm == SIPWS_DIGEST_ALGORITHM_SHA_256
         || self->algorithm == SIPWS_DIGEST_ALGORITHM_SHA_512_256;
}

static int
algorithm_strength (SipwsDigestAlgorithm algorithm)
{
  switch (algorithm)
    {
    case SIPWS_DIGEST_ALGORITHM_SHA_512_256:
    case SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS:
      return 3;
    case SIPWS_DIGEST_ALGORITHM_SHA_256:
    case SIPWS_DIGEST_ALGORITHM_SHA_256_SESS:
      return 2;
    case SIPWS_DIGEST_ALGORITHM_MD5:
    case SIPWS_DIGEST_ALGORITHM_MD5_SESS:
      return 1;
    case SIPWS_DIGEST_ALGORITHM_UNKNOWN:
    default:
      return 0;
    }
}

/**
 * sipws_auth_challenge_pick_best:
 * @challenges: (element-type Sipws.AuthChallenge): the challenges of one
 *   response, in the order received
 * @realm: (nullable): a realm to prefer, such as the one the credentials
 *   are restricted to
 *
 * Chooses the challenge to answer: among the supported ones (see
 * [method@Sipws.AuthChallenge.is_supported]) the strongest algorithm wins,
 * SHA-512-256 over SHA-256 over MD5, a `-sess` variant counting as its base.
 * When @realm is given, challenges of that realm come first. Ties go to the
 * earlier challenge, since servers list their preferred one first
 * (RFC 7616 §3.7).
 *
 * Returns: (transfer none) (nullable): the challenge to answer, or %NULL
 *   when none is supported
 */
SipwsAuthChallenge *
sipws_auth_challenge_pick_best (GPtrArray  *challenges,
                                const char *realm)
{
  SipwsAuthChallenge *best = NULL;
  gboolean best_in_realm = FALSE;
  int best_strength = 0;

  g_return_val_if_fail (challenges != NULL, NULL);

  for (guint i = 0; i < challenges->len; i++)
    {
      SipwsAuthChallenge *challenge = g_ptr_array_index (challenges, i);
      gboolean in_realm;
      int strength;

      if (!sipws_auth_challenge_is_supported (challenge))
        continue;
      in_realm = realm != NULL && g_strcmp0 (realm, sipws_auth_challenge_get_realm (challenge)) == 0;
      strength = algorithm_strength (challenge->algorithm);
      if (best == NULL
          || (in_realm && !best_in_realm)
          || (in_realm == best_in_realm && strength > best_strength))
        {
          best = challenge;
          best_in_realm = in_realm;
          best_strength = strength;
        }
    }
  return best;
}

/**
 * sipws_auth_challenge_to_string:
 * @self: a challenge
 *
 * Serializes the challenge as a header value; parameters keep their order
 * and their quoting.
 *
 * Returns: (transfer full): the header value
 */
char *
sipws_auth_challenge_to_string (SipwsAuthChallenge *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  sipws_auth_params_append_to (&self->params, out);
  return g_string_free (out, FALSE);
}
