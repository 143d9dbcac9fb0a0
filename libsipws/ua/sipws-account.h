/* sipws-account.h: a SIP account reached over one WebSocket flow */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "sipws-version.h"
#include "sipws-transport.h"
#include "sipws-call.h"
#include "sipws-call-options.h"

G_BEGIN_DECLS

/**
 * SipwsRegistrationState:
 * @SIPWS_REGISTRATION_STATE_UNREGISTERED: not registered, and not trying
 * @SIPWS_REGISTRATION_STATE_REGISTERING: a REGISTER is under way, or the flow
 *   is being (re)established before it; the account is not reachable yet
 * @SIPWS_REGISTRATION_STATE_REGISTERED: the registrar accepted our contact on
 *   the current flow
 * @SIPWS_REGISTRATION_STATE_UNREGISTERING: the un-REGISTER is under way
 * @SIPWS_REGISTRATION_STATE_FAILED: the last attempt failed; see
 *   [property@Sipws.Account:registration-error]. The account retries by
 *   itself when the failure may be temporary
 *
 * The registration state of a [class@Sipws.Account].
 */
typedef enum {
  SIPWS_REGISTRATION_STATE_UNREGISTERED,
  SIPWS_REGISTRATION_STATE_REGISTERING,
  SIPWS_REGISTRATION_STATE_REGISTERED,
  SIPWS_REGISTRATION_STATE_UNREGISTERING,
  SIPWS_REGISTRATION_STATE_FAILED,
} SipwsRegistrationState;

/**
 * SipwsUnregisterFlags:
 * @SIPWS_UNREGISTER_NONE: remove only this account's contact
 * @SIPWS_UNREGISTER_ALL_CONTACTS: remove every contact of the address of
 *   record (`Contact: *`), those of other devices included
 *
 * How [method@Sipws.Account.unregister_async] unregisters.
 */
typedef enum /*< flags >*/ {
  SIPWS_UNREGISTER_NONE = 0,
  SIPWS_UNREGISTER_ALL_CONTACTS = 1 << 0,
} SipwsUnregisterFlags;

/**
 * SIPWS_ACCOUNT_DEFAULT_REGISTRATION_EXPIRES:
 *
 * The registration lifetime an account asks for, in seconds.
 */
#define SIPWS_ACCOUNT_DEFAULT_REGISTRATION_EXPIRES 600

#define SIPWS_TYPE_ACCOUNT (sipws_account_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsAccount, sipws_account, SIPWS, ACCOUNT, GObject)

SIPWS_AVAILABLE_IN_ALL
SipwsAccount           *sipws_account_new                        (const char           *aor);

SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_aor                    (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_display_name           (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_display_name           (SipwsAccount         *self,
                                                                  const char           *display_name);
SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_auth_username          (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_auth_username          (SipwsAccount         *self,
                                                                  const char           *auth_username);
SIPWS_AVAILABLE_IN_ALL
const char * const     *sipws_account_get_server_uris            (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_server_uris            (SipwsAccount         *self,
                                                                  const char * const   *server_uris);
SIPWS_AVAILABLE_IN_ALL
SoupCookieJar          *sipws_account_get_cookie_jar             (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_cookie_jar             (SipwsAccount         *self,
                                                                  SoupCookieJar        *cookie_jar);
SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_tls_ca_file            (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_tls_ca_file            (SipwsAccount         *self,
                                                                  const char           *tls_ca_file);
SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_instance_id            (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_instance_id            (SipwsAccount         *self,
                                                                  const char           *instance_id);
SIPWS_AVAILABLE_IN_ALL
guint                   sipws_account_get_registration_expires   (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_registration_expires   (SipwsAccount         *self,
                                                                  guint                 seconds);
SIPWS_AVAILABLE_IN_ALL
SipwsRegistrationState  sipws_account_get_registration_state     (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
const GError           *sipws_account_get_registration_error     (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
const char             *sipws_account_get_gruu                   (SipwsAccount         *self);
SIPWS_AVAILABLE_IN_ALL
SipwsTransport         *sipws_account_get_transport              (SipwsAccount         *self);

SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_set_password               (SipwsAccount         *self,
                                                                  const char           *password);

SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_register_async             (SipwsAccount         *self,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean                sipws_account_register_finish            (SipwsAccount         *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);
SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_unregister_async           (SipwsAccount         *self,
                                                                  SipwsUnregisterFlags  flags,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean                sipws_account_unregister_finish          (SipwsAccount         *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

SIPWS_AVAILABLE_IN_ALL
SipwsCall              *sipws_account_call                       (SipwsAccount         *self,
                                                                  const char           *target,
                                                                  SipwsCallOptions     *options);

SIPWS_AVAILABLE_IN_ALL
void                    sipws_account_send_message_async         (SipwsAccount         *self,
                                                                  const char           *target,
                                                                  const char           *content_type,
                                                                  GBytes               *body,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean                sipws_account_send_message_finish        (SipwsAccount         *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

G_END_DECLS
