/* sipws-credentials-private.h: password access for the digest code */
#pragma once

#include "sipws-credentials.h"

G_BEGIN_DECLS

/* The only way to the password; callers must not copy it into memory they
 * do not wipe. */
const char *sipws_credentials_peek_password (SipwsCredentials *self);

/* Zeroes a NUL-terminated secret in place, then frees it. */
void        sipws_secret_free               (char             *secret);

G_END_DECLS
