/* sipws-redact.h: masking secrets in wire dumps before they are logged */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SIPWS_REDACTED:
 *
 * The text that replaces a masked value.
 */
#define SIPWS_REDACTED "<redacted>"

SIPWS_AVAILABLE_IN_ALL
char     *sipws_redact_sip_message      (const char *data,
                                         gsize       len);
SIPWS_AVAILABLE_IN_ALL
char     *sipws_redact_uri              (const char *uri);
SIPWS_AVAILABLE_IN_ALL
char     *sipws_redact_header_value     (const char *name,
                                         const char *value);
SIPWS_AVAILABLE_IN_ALL
void      sipws_redact_register_header  (const char *name);
SIPWS_AVAILABLE_IN_ALL
gboolean  sipws_redact_is_secret_header (const char *name);

G_END_DECLS
