/* sipws-uri.h: SIP, SIPS and tel URIs */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SipwsUriScheme:
 * @SIPWS_URI_SCHEME_SIP: `sip:` (RFC 3261)
 * @SIPWS_URI_SCHEME_SIPS: `sips:` (RFC 3261)
 * @SIPWS_URI_SCHEME_TEL: `tel:` (RFC 3966)
 * @SIPWS_URI_SCHEME_OTHER: any other absolute URI (`http:`, `urn:`…), kept as text
 *
 * The scheme of a [struct@Sipws.Uri].
 */
typedef enum {
  SIPWS_URI_SCHEME_SIP,
  SIPWS_URI_SCHEME_SIPS,
  SIPWS_URI_SCHEME_TEL,
  SIPWS_URI_SCHEME_OTHER,
} SipwsUriScheme;

#define SIPWS_TYPE_URI (sipws_uri_get_type ())

/**
 * SipwsUri:
 *
 * A parsed URI: `sip:`, `sips:` and `tel:` URIs with their parts, any other
 * absolute URI as opaque text.
 *
 * A `SipwsUri` is a reference-counted value. Build it with the setters, then
 * treat it as immutable once it is shared.
 *
 * A password in the userinfo (`sip:user:secret@host`, deprecated by RFC 3261
 * §19.1.1) is accepted so that such URIs parse, compare and serialize
 * unchanged, but no getter returns it and libsipws never logs it.
 */
typedef struct _SipwsUri SipwsUri;

SIPWS_AVAILABLE_IN_ALL
GType           sipws_uri_get_type        (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsUri       *sipws_uri_parse           (const char     *str,
                                           gssize          len,
                                           GError        **error);
SIPWS_AVAILABLE_IN_ALL
SipwsUri       *sipws_uri_new             (SipwsUriScheme  scheme,
                                           const char     *user,
                                           const char     *host,
                                           guint16         port);
SIPWS_AVAILABLE_IN_ALL
SipwsUri       *sipws_uri_copy            (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
SipwsUri       *sipws_uri_ref             (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_unref           (SipwsUri       *self);

SIPWS_AVAILABLE_IN_ALL
SipwsUriScheme  sipws_uri_get_scheme      (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_scheme_name (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_user        (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_user_bytes  (SipwsUri       *self,
                                           gsize          *len);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_uri_has_password    (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_host        (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
guint16         sipws_uri_get_port        (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_opaque      (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_uri_has_param       (SipwsUri       *self,
                                           const char     *name);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_param       (SipwsUri       *self,
                                           const char     *name);
SIPWS_AVAILABLE_IN_ALL
char          **sipws_uri_get_param_names (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_uri_get_header      (SipwsUri       *self,
                                           const char     *name);
SIPWS_AVAILABLE_IN_ALL
char          **sipws_uri_get_header_names (SipwsUri      *self);

SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_set_user        (SipwsUri       *self,
                                           const char     *user);
SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_set_host        (SipwsUri       *self,
                                           const char     *host);
SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_set_port        (SipwsUri       *self,
                                           guint16         port);
SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_set_param       (SipwsUri       *self,
                                           const char     *name,
                                           const char     *value);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_uri_remove_param    (SipwsUri       *self,
                                           const char     *name);
SIPWS_AVAILABLE_IN_ALL
void            sipws_uri_set_header      (SipwsUri       *self,
                                           const char     *name,
                                           const char     *value);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_uri_remove_header   (SipwsUri       *self,
                                           const char     *name);

SIPWS_AVAILABLE_IN_ALL
char           *sipws_uri_to_string       (SipwsUri       *self);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_uri_equal           (SipwsUri       *a,
                                           SipwsUri       *b);
SIPWS_AVAILABLE_IN_ALL
guint           sipws_uri_hash            (SipwsUri       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsUri, sipws_uri_unref)

G_END_DECLS
