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

/* Destroys and drops *@source; nothing when it is NULL. */
void  sipws_ua_clear_source (GSource **source);

/* Replaces *@source by a one-shot timer of @ms calling @func (@data) in
 * @context. @func must clear *@source (g_clear_pointer with
 * g_source_unref) as it runs. */
void  sipws_ua_start_timer  (GSource      **source,
                             GMainContext  *context,
                             guint          ms,
                             GSourceFunc    func,
                             gpointer       data);

/* The SIPWS_ERROR code a failed transaction reports to the application: the
 * error's own when it is a SIPWS_ERROR (TIMEOUT, TLS, TRANSPORT), else
 * SIPWS_ERROR_TRANSPORT (the transport could not write the request). */
int   sipws_ua_failure_code (const GError *error);

G_END_DECLS
