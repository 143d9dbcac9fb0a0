/* sipws-call-options.h: options of one outgoing call */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <glib-object.h>
#include "sipws-version.h"
#include "sipws-media-handler.h"

G_BEGIN_DECLS

/**
 * SIPWS_CALL_OPTIONS_DEFAULT_MAX_REDIRECTS:
 *
 * How many 3xx redirections an outgoing call follows by default.
 */
#define SIPWS_CALL_OPTIONS_DEFAULT_MAX_REDIRECTS 5

#define SIPWS_TYPE_CALL_OPTIONS (sipws_call_options_get_type ())

typedef struct _SipwsCallOptions SipwsCallOptions;

SIPWS_AVAILABLE_IN_ALL
GType              sipws_call_options_get_type          (void) G_GNUC_CONST;

SIPWS_AVAILABLE_IN_ALL
SipwsCallOptions  *sipws_call_options_new               (void);
SIPWS_AVAILABLE_IN_ALL
SipwsCallOptions  *sipws_call_options_ref               (SipwsCallOptions  *self);
SIPWS_AVAILABLE_IN_ALL
void               sipws_call_options_unref             (SipwsCallOptions  *self);

SIPWS_AVAILABLE_IN_ALL
void               sipws_call_options_add_header        (SipwsCallOptions  *self,
                                                         const char        *name,
                                                         const char        *value);
SIPWS_AVAILABLE_IN_ALL
char             **sipws_call_options_get_header_names  (SipwsCallOptions  *self);
SIPWS_AVAILABLE_IN_ALL
const char        *sipws_call_options_get_header        (SipwsCallOptions  *self,
                                                         const char        *name);

SIPWS_AVAILABLE_IN_ALL
void               sipws_call_options_set_max_redirects (SipwsCallOptions  *self,
                                                         guint              max_redirects);
SIPWS_AVAILABLE_IN_ALL
guint              sipws_call_options_get_max_redirects (SipwsCallOptions  *self);

SIPWS_AVAILABLE_IN_ALL
void               sipws_call_options_set_media_handler (SipwsCallOptions  *self,
                                                         SipwsMediaHandler *handler);
SIPWS_AVAILABLE_IN_ALL
SipwsMediaHandler *sipws_call_options_get_media_handler (SipwsCallOptions  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipwsCallOptions, sipws_call_options_unref)

G_END_DECLS
