/* sipws-credentials.h: a user name and password for authentication */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_CREDENTIALS (sipws_credentials_get_type ())

/**
 * SipwsCredentials:
 *
 * A user name and password, optionally restricted to one realm.
 *
 * The password cannot be read back: it is only used to compute Digest
 * responses ([func@Sipws.digest_build_authorization]) and Basic
 * credentials, and its memory is wiped when the last reference goes.
 * Credentials are immutable and reference counted.
 */
typedef struct _SipwsCredentials SipwsCredentials;

SIPWS_AVAILABLE_IN_ALL
GType             sipws_credentials_get_type           (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsCredentials *sipws_credentials_new                (const char        *username,
                                                        const char        *password,
                                                        const char        *realm);
SIPWS_AVAILABLE_IN_ALL
SipwsCredentials *sipws_credentials_ref                (SipwsCredentials  *self);
SIPWS_AVAILABLE_IN_ALL
void              sipws_credentials_unref              (SipwsCredentials  *self);

SIPWS_AVAILABLE_IN_ALL
const char       *sipws_credentials_get_username       (SipwsCredentials  *self);
SIPWS_AVAILABLE_IN_ALL
const char       *sipws_credentials_get_realm          (SipwsCredentials  *self);
SIPWS_AVAILABLE_IN_ALL
gboolean          sipws_credentials_matches_realm      (SipwsCredentials  *self,
                                                        const char        *realm);

SIPWS_AVAILABLE_IN_ALL
char             *sipws_credentials_build_basic_authorization (SipwsCredentials  *self,
                                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsCredentials, sipws_credentials_unref)

G_END_DECLS
