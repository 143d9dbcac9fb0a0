/* sipws-authorization.h: Authorization / Proxy-Authorization values */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-auth-challenge.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_AUTHORIZATION (sipws_authorization_get_type ())

/**
 * SipwsAuthorization:
 *
 * The credentials a client sends in an `Authorization` or
 * `Proxy-Authorization` header: a scheme followed by `auth-param`s (Digest)
 * or a token68 (Basic). The grammar and the parser are those of
 * [struct@Sipws.AuthChallenge]; the getters are the ones of a Digest
 * response (RFC 7616 §3.4). Servers and tests use it together with
 * [func@Sipws.digest_verify].
 *
 * Values are immutable and reference counted.
 */
typedef struct _SipwsAuthorization SipwsAuthorization;

SIPWS_AVAILABLE_IN_ALL
GType                 sipws_authorization_get_type        (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsAuthorization   *sipws_authorization_parse           (const char         *value,
                                                           GError            **error);
SIPWS_AVAILABLE_IN_ALL
SipwsAuthorization   *sipws_authorization_ref             (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
void                  sipws_authorization_unref           (SipwsAuthorization *self);

SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_scheme      (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_authorization_has_scheme      (SipwsAuthorization *self,
                                                           const char         *scheme);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_token68     (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_param       (SipwsAuthorization *self,
                                                           const char         *name);
SIPWS_AVAILABLE_IN_ALL
char                **sipws_authorization_get_param_names (SipwsAuthorization *self);

SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_username    (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_realm       (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_nonce       (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_uri         (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_response    (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
SipwsDigestAlgorithm  sipws_authorization_get_algorithm   (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_cnonce      (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_nc          (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
SipwsDigestQop        sipws_authorization_get_qop         (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
const char           *sipws_authorization_get_opaque      (SipwsAuthorization *self);
SIPWS_AVAILABLE_IN_ALL
gboolean              sipws_authorization_get_userhash    (SipwsAuthorization *self);

SIPWS_AVAILABLE_IN_ALL
char                 *sipws_authorization_to_string       (SipwsAuthorization *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsAuthorization, sipws_authorization_unref)

G_END_DECLS
