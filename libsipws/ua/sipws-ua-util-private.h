/* sipws-ua-util-private.h: small helpers shared by the user-agent files */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Lengths of the random parts of tags, Call-IDs and the .invalid host of
 * RFC 7118 Appendix B; long enough to be globally unique (RFC 3261 §19.3). */
#define SIPWS_UA_TAG_LENGTH     10
#define SIPWS_UA_CALL_ID_LENGTH 22
#define SIPWS_UA_HOST_LENGTH    12

/* A random string of lowercase letters and digits. */
char *sipws_ua_random_token (guint length);

G_END_DECLS
