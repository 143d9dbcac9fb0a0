/* sipws-address.h: name-addr / addr-spec values with header parameters */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-uri.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_ADDRESS (sipws_address_get_type ())

/**
 * SipwsAddress:
 *
 * One address of a From, To, Contact, Route, Record-Route, Path,
 * Service-Route or Refer-To header: an optional display name, a
 * [struct@Sipws.Uri] and header parameters (`tag`, `expires`, `q`,
 * `+sip.instance`…), or the `*` of `Contact: *`.
 *
 * A `SipwsAddress` is a reference-counted value. Build it with the setters,
 * then treat it as immutable once it is shared.
 */
typedef struct _SipwsAddress SipwsAddress;

SIPWS_AVAILABLE_IN_ALL
GType         sipws_address_get_type         (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsAddress *sipws_address_parse            (const char   *str,
                                              gssize        len,
                                              GError      **error);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress *sipws_address_new              (const char   *display_name,
                                              SipwsUri     *uri);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress *sipws_address_new_wildcard     (void);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress *sipws_address_copy             (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
SipwsAddress *sipws_address_ref              (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
void          sipws_address_unref            (SipwsAddress *self);

SIPWS_AVAILABLE_IN_ALL
gboolean      sipws_address_is_wildcard      (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
const char   *sipws_address_get_display_name (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
void          sipws_address_set_display_name (SipwsAddress *self,
                                              const char   *display_name);
SIPWS_AVAILABLE_IN_ALL
SipwsUri     *sipws_address_get_uri          (SipwsAddress *self);

SIPWS_AVAILABLE_IN_ALL
gboolean      sipws_address_has_param        (SipwsAddress *self,
                                              const char   *name);
SIPWS_AVAILABLE_IN_ALL
const char   *sipws_address_get_param        (SipwsAddress *self,
                                              const char   *name);
SIPWS_AVAILABLE_IN_ALL
char        **sipws_address_get_param_names  (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
void          sipws_address_set_param        (SipwsAddress *self,
                                              const char   *name,
                                              const char   *value);
SIPWS_AVAILABLE_IN_ALL
gboolean      sipws_address_remove_param     (SipwsAddress *self,
                                              const char   *name);

SIPWS_AVAILABLE_IN_ALL
const char   *sipws_address_get_tag          (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
gint64        sipws_address_get_expires      (SipwsAddress *self);
SIPWS_AVAILABLE_IN_ALL
gint          sipws_address_get_q            (SipwsAddress *self);

SIPWS_AVAILABLE_IN_ALL
char         *sipws_address_to_string        (SipwsAddress *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsAddress, sipws_address_unref)

G_END_DECLS
