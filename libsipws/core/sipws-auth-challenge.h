/* sipws-auth-challenge.h: WWW-Authenticate / Proxy-Authenticate values */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SipwsDigestAlgorithm:
 * @SIPWS_DIGEST_ALGORITHM_UNKNOWN: an algorithm libsipws cannot compute
 * @SIPWS_DIGEST_ALGORITHM_MD5: `MD5` (RFC 2617), also the meaning of a missing `algorithm`
 * @SIPWS_DIGEST_ALGORITHM_MD5_SESS: `MD5-sess`
 * @SIPWS_DIGEST_ALGORITHM_SHA_256: `SHA-256` (RFC 7616, RFC 8760)
 * @SIPWS_DIGEST_ALGORITHM_SHA_256_SESS: `SHA-256-sess`
 * @SIPWS_DIGEST_ALGORITHM_SHA_512_256: `SHA-512-256`: SHA-512/256 of FIPS 180-4, not a truncated SHA-512
 * @SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS: `SHA-512-256-sess`
 *
 * The hash algorithms of HTTP and SIP Digest authentication.
 */
typedef enum {
  SIPWS_DIGEST_ALGORITHM_UNKNOWN,
  SIPWS_DIGEST_ALGORITHM_MD5,
  SIPWS_DIGEST_ALGORITHM_MD5_SESS,
  SIPWS_DIGEST_ALGORITHM_SHA_256,
  SIPWS_DIGEST_ALGORITHM_SHA_256_SESS,
  SIPWS_DIGEST_ALGORITHM_SHA_512_256,
  SIPWS_DIGEST_ALGORITHM_SHA_512_256_SESS,
} SipwsDigestAlgorithm;

/**
 * SipwsDigestQop:
 * @SIPWS_DIGEST_QOP_NONE: no quality of protection (RFC 2069 compatibility)
 * @SIPWS_DIGEST_QOP_AUTH: `auth`: authentication of method and URI
 * @SIPWS_DIGEST_QOP_AUTH_INT: `auth-int`: authentication with integrity of the body
 *
 * Quality-of-protection values of Digest authentication. A challenge offers
 * a set of them; a response chooses one.
 */
typedef enum /*< flags >*/ {
  SIPWS_DIGEST_QOP_NONE     = 0,
  SIPWS_DIGEST_QOP_AUTH     = 1 << 0,
  SIPWS_DIGEST_QOP_AUTH_INT = 1 << 1,
} SipwsDigestQop;

SIPWS_AVAILABLE_IN_ALL
const char           *sipws_digest_algorithm_to_string   (SipwsDigestAlgorithm algorithm);
SIPWS_AVAILABLE_IN_ALL
SipwsDigestAlgorithm  sipws_digest_algorithm_from_string (const char          *name);

#define SIPWS_TYPE_AUTH_CHALLENGE (sipws_auth_challenge_get_type ())

/**
 * SipwsAuthChallenge:
 *
 * One authentication challenge, as carried by a `WWW-Authenticate` or
 * `Proxy-Authenticate` header (RFC 7235 §2.1, RFC 3261 §25.1): a scheme
 * followed by either `auth-param`s or a token68.
 *
 * Parameter names compare case-insensitively; values are stored unquoted.
 * Parameters libsipws does not know are kept and readable with
 * [method@Sipws.AuthChallenge.get_param].
 *
 * Challenges are immutable and reference counted.
 */
typedef struct _SipwsAuthChallenge SipwsAuthChallenge;

SIPWS_AVAILABLE_IN_ALL
GType                 sipws_auth_challenge_get_type        (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsAuthChallenge   *sipws_auth_challenge_parse           (const char           *value,
                                                            GError              **error);
SIPWS_AVAILABLE_IN_ALL
GPtrArray            *sipws_auth_challenge_parse_list      (const char           *value,
                                                            GError              **error);
SIPWS_AVAILABLE_IN_ALL
SipwsAuthChallenge   *sipws_auth_challenge_new_digest      (const char           *realm,
                                                            const char           *nonce,
                                                            const char           *opaque,
                                                            SipwsDigestAlgorithm  algorithm,
                                                            SipwsDigestQop        qop_options,
                                                            gboolean              stale);

SIPWS_AVAILABLE_IN_ALL
SipwsAuthChallenge   *sipws_auth_challenge_ref             (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
void                  sipws_auth_challenge_unref           (SipwsAuthChallenge   *self);

SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_scheme      (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_auth_challenge_has_scheme      (SipwsAuthChallenge   *self,
                                                            const char           *scheme);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_token68     (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_param       (SipwsAuthChallenge   *self,
                                                            const char           *name);
SIPWS_AVAILABLE_IN_ALL
char                **sipws_auth_challenge_get_param_names (SipwsAuthChallenge   *self);

SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_realm       (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_nonce       (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_opaque      (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_domain      (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_auth_challenge_get_stale       (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
SipwsDigestAlgorithm  sipws_auth_challenge_get_algorithm   (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
SipwsDigestQop        sipws_auth_challenge_get_qop_options (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_auth_challenge_get_userhash    (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_auth_challenge_get_charset     (SipwsAuthChallenge   *self);

SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_auth_challenge_is_supported    (SipwsAuthChallenge   *self);
SIPWS_AVAILABLE_IN_ALL
SipwsAuthChallenge   *sipws_auth_challenge_pick_best       (GPtrArray            *challenges,
                                                            const char           *realm);

SIPWS_AVAILABLE_IN_ALL
char                 *sipws_auth_challenge_to_string       (SipwsAuthChallenge   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsAuthChallenge, sipws_auth_challenge_unref)

G_END_DECLS
