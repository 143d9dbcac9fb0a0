/* sipws-via.h: one Via hop (RFC 3261 §20.42, RFC 3581) */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SIPWS_VIA_MAGIC_COOKIE:
 *
 * The prefix of an RFC 3261 branch parameter (§8.1.1.7).
 */
#define SIPWS_VIA_MAGIC_COOKIE "z9hG4bK"

#define SIPWS_TYPE_VIA (sipws_via_get_type ())

/**
 * SipwsVia:
 *
 * One `via-parm` of a Via header: the sent protocol (`SIP/2.0/WSS`), the
 * sent-by host and port, and the parameters (`branch`, `received`, `rport`,
 * `maddr`, `ttl` and extensions).
 *
 * A `SipwsVia` is a reference-counted value; it is immutable once it is part
 * of a [struct@Sipws.Message] or otherwise shared.
 */
typedef struct _SipwsVia SipwsVia;

SIPWS_AVAILABLE_IN_ALL
GType        sipws_via_get_type             (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsVia    *sipws_via_new                  (const char  *transport,
                                             const char  *host,
                                             guint16      port,
                                             const char  *branch);
SIPWS_AVAILABLE_IN_ALL
SipwsVia    *sipws_via_parse                (const char  *str,
                                             gssize       len,
                                             GError     **error);
SIPWS_AVAILABLE_IN_ALL
SipwsVia    *sipws_via_ref                  (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
void         sipws_via_unref                (SipwsVia    *self);

SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_protocol_name    (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_protocol_version (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_transport        (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_host             (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
guint16      sipws_via_get_port             (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_branch           (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
gboolean     sipws_via_has_magic_cookie     (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_received         (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
gint         sipws_via_get_rport            (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_maddr            (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
gint         sipws_via_get_ttl              (SipwsVia    *self);
SIPWS_AVAILABLE_IN_ALL
gboolean     sipws_via_has_param            (SipwsVia    *self,
                                             const char  *name);
SIPWS_AVAILABLE_IN_ALL
const char  *sipws_via_get_param            (SipwsVia    *self,
                                             const char  *name);
SIPWS_AVAILABLE_IN_ALL
void         sipws_via_set_param            (SipwsVia    *self,
                                             const char  *name,
                                             const char  *value);

SIPWS_AVAILABLE_IN_ALL
char        *sipws_via_to_string            (SipwsVia    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsVia, sipws_via_unref)

G_END_DECLS
