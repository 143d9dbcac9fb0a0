/* sipws-digest-client.h: client-side Digest state (nonces, nc, cnonce) */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-auth-challenge.h"
#include "sipws-credentials.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_DIGEST_CLIENT (sipws_digest_client_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsDigestClient, sipws_digest_client, SIPWS, DIGEST_CLIENT, GObject)

SIPWS_AVAILABLE_IN_ALL
SipwsDigestClient *sipws_digest_client_new                  (SipwsCredentials   *credentials);

SIPWS_AVAILABLE_IN_ALL
SipwsCredentials  *sipws_digest_client_get_credentials      (SipwsDigestClient  *self);
SIPWS_AVAILABLE_IN_ALL
void               sipws_digest_client_set_credentials      (SipwsDigestClient  *self,
                                                             SipwsCredentials   *credentials);
SIPWS_AVAILABLE_IN_ALL
gboolean           sipws_digest_client_get_allow_auth_int   (SipwsDigestClient  *self);
SIPWS_AVAILABLE_IN_ALL
void               sipws_digest_client_set_allow_auth_int   (SipwsDigestClient  *self,
                                                             gboolean            allow_auth_int);

SIPWS_AVAILABLE_IN_ALL
gboolean           sipws_digest_client_process_challenges   (SipwsDigestClient  *self,
                                                             gboolean            proxy,
                                                             GPtrArray          *challenges,
                                                             const char * const *sent_authorizations,
                                                             GError            **error);
SIPWS_AVAILABLE_IN_ALL
char             **sipws_digest_client_build_authorizations (SipwsDigestClient  *self,
                                                             gboolean            proxy,
                                                             const char         *method,
                                                             const char         *digest_uri,
                                                             GBytes             *body,
                                                             GError            **error);
SIPWS_AVAILABLE_IN_ALL
void               sipws_digest_client_reset                (SipwsDigestClient  *self);

G_END_DECLS
