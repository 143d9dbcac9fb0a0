/* sipws-digest.h: Digest authentication (RFC 2617, RFC 7616, RFC 8760) */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-auth-challenge.h"
#include "sipws-authorization.h"
#include "sipws-credentials.h"

G_BEGIN_DECLS

SIPWS_AVAILABLE_IN_ALL
char     *sipws_digest_compute_ha1          (SipwsDigestAlgorithm  algorithm,
                                             const char           *username,
                                             const char           *realm,
                                             const char           *password,
                                             const char           *nonce,
                                             const char           *cnonce);
SIPWS_AVAILABLE_IN_ALL
char     *sipws_digest_compute_response     (SipwsDigestAlgorithm  algorithm,
                                             const char           *username,
                                             const char           *realm,
                                             const char           *password,
                                             const char           *nonce,
                                             const char           *nc,
                                             const char           *cnonce,
                                             SipwsDigestQop        qop,
                                             const char           *method,
                                             const char           *digest_uri,
                                             GBytes               *body);
SIPWS_AVAILABLE_IN_ALL
char     *sipws_digest_compute_userhash     (SipwsDigestAlgorithm  algorithm,
                                             const char           *username,
                                             const char           *realm);
SIPWS_AVAILABLE_IN_ALL
char     *sipws_digest_generate_nonce       (GError              **error);

SIPWS_AVAILABLE_IN_ALL
char     *sipws_digest_build_authorization  (SipwsAuthChallenge   *challenge,
                                             SipwsCredentials     *credentials,
                                             const char           *method,
                                             const char           *digest_uri,
                                             GBytes               *body,
                                             gboolean              allow_auth_int,
                                             const char           *cnonce,
                                             guint32               nc,
                                             GError              **error);

SIPWS_AVAILABLE_IN_ALL
gboolean  sipws_digest_verify               (SipwsAuthorization   *authorization,
                                             SipwsCredentials     *credentials,
                                             const char           *method,
                                             GBytes               *body,
                                             const char           *realm,
                                             const char           *nonce,
                                             GError              **error);

G_END_DECLS
