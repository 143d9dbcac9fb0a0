/* sipws-registration-private.h: the REGISTER state machine of an account:
 * digest, refresh with jitter, 423, 439, RFC 5626 outbound, RFC 5627 GRUU,
 * re-REGISTER on every new flow, unregister, retry backoff. */
#pragma once

#include "sipws-account.h"
#include "sipws-address.h"

G_BEGIN_DECLS

#define SIPWS_TYPE_REGISTRATION (sipws_registration_get_type ())
G_DECLARE_FINAL_TYPE (SipwsRegistration, sipws_registration, SIPWS, REGISTRATION, GObject)

/* @account owns the registration; the registration does not keep it alive. */
SipwsRegistration      *sipws_registration_new                (SipwsAccount *account);

SipwsRegistrationState  sipws_registration_get_state          (SipwsRegistration *self);
const GError           *sipws_registration_get_error          (SipwsRegistration *self);
/* TRUE between start() and stop(): the account wants to stay registered. */
gboolean                sipws_registration_is_wanted          (SipwsRegistration *self);

guint                   sipws_registration_get_expires        (SipwsRegistration *self);
void                    sipws_registration_set_expires        (SipwsRegistration *self,
                                                               guint              seconds);
/* What the registrar granted, 0 while not registered. */
guint                   sipws_registration_get_granted        (SipwsRegistration *self);
const char             *sipws_registration_get_pub_gruu       (SipwsRegistration *self);
const char             *sipws_registration_get_temp_gruu      (SipwsRegistration *self);
/* Of SipwsAddress; empty without Service-Route. */
GPtrArray              *sipws_registration_get_service_route  (SipwsRegistration *self);
/* TRUE when the last 2xx said `Require: outbound` (RFC 5626 §4.2.1). */
gboolean                sipws_registration_get_outbound       (SipwsRegistration *self);

void                    sipws_registration_start              (SipwsRegistration *self);
void                    sipws_registration_stop               (SipwsRegistration *self,
                                                               gboolean           all_contacts);
/* The account's flow came up (a new one: register on it) or went down. */
void                    sipws_registration_flow_up            (SipwsRegistration *self);
void                    sipws_registration_flow_down          (SipwsRegistration *self);
/* The transport gave up (FAILED): a wanted registration fails with @error
 * until the next flow comes up. */
void                    sipws_registration_flow_failed        (SipwsRegistration *self,
                                                               const GError      *error);

G_END_DECLS
