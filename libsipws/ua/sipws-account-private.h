/* sipws-account-private.h: what the account offers its registration and calls */
#pragma once

#include "sipws-account.h"
#include "sipws-message.h"
#include "sipws-digest-client.h"
#include "sipws-transaction-layer-private.h"

G_BEGIN_DECLS

/* Supported option tags and allowed methods, as every request and OPTIONS
 * answer advertises them. */
#define SIPWS_ACCOUNT_SUPPORTED "path, outbound, gruu, timer"
#define SIPWS_ACCOUNT_ALLOW     "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, REFER, NOTIFY, UPDATE"
#define SIPWS_ACCOUNT_ACCEPT    "application/sdp, text/plain, application/dtmf-relay, message/sipfrag"

/* How many challenges one request may meet before the account gives up, so a
 * server that keeps challenging cannot make it loop. */
#define SIPWS_ACCOUNT_MAX_AUTH_ATTEMPTS 3

/* How many requests may wait for a new flow at once. */
#define SIPWS_ACCOUNT_MAX_QUEUED 64

/* Test and tuning hooks: RFC 3261 timers and the registration retry backoff
 * (RFC 5626 §4.5 base and maximum), all in milliseconds. */
void                   sipws_account_set_timers                (SipwsAccount           *self,
                                                                const SipwsTimerValues *timers);
const SipwsTimerValues *sipws_account_get_timers               (SipwsAccount           *self);
void                   sipws_account_set_registration_backoff  (SipwsAccount           *self,
                                                                guint                   base_ms,
                                                                guint                   max_ms);
void                   sipws_account_get_registration_backoff  (SipwsAccount           *self,
                                                                guint                  *base_ms,
                                                                guint                  *max_ms);

GMainContext          *sipws_account_get_context               (SipwsAccount *self);
SipwsTransactionLayer *sipws_account_get_layer                 (SipwsAccount *self);

/* Starts the transport when it is not running yet. */
void                   sipws_account_ensure_flow               (SipwsAccount *self);
gboolean               sipws_account_flow_is_up                (SipwsAccount *self);

/* Sends a request in a new client transaction. Requests other than
 * REGISTER wait while the flow is down or being re-registered. */
SipwsTransaction      *sipws_account_send_request              (SipwsAccount               *self,
                                                                SipwsMessage               *request,
                                                                SipwsClientTransactionFunc  func,
                                                                gpointer                    user_data);
/* Sends an ACK of a 2xx or a retransmitted 2xx, outside any transaction. */
gboolean               sipws_account_send_stateless            (SipwsAccount  *self,
                                                                SipwsMessage  *message,
                                                                GError       **error);

/* Digest: learns the challenges of @response (a 401/407 to @request).
 * Returns TRUE when the request should be sent again with credentials,
 * FALSE with a SIPWS_ERROR_AUTH error. @attempts counts the challenges
 * met by this request so far. */
gboolean               sipws_account_process_challenge         (SipwsAccount  *self,
                                                                SipwsMessage  *request,
                                                                SipwsMessage  *response,
                                                                guint         *attempts,
                                                                GError       **error);
/* Digest: process_challenge(), then a copy of
 * the request to send again (new CSeq, Authorization added), or NULL with a
 * SIPWS_ERROR_AUTH error. @attempts counts the challenges met so far. */
SipwsMessage          *sipws_account_authenticate              (SipwsAccount  *self,
                                                                SipwsMessage  *request,
                                                                SipwsMessage  *response,
                                                                guint         *attempts,
                                                                GError       **error);
/* Adds credentials for the challenges already known (refreshes, BYE). */
void                   sipws_account_authorize                 (SipwsAccount *self,
                                                                SipwsMessage *request);

/* An out-of-dialog request from this account: From with a new tag, To,
 * Call-ID (new when @call_id is NULL), CSeq, Max-Forwards, Route of the
 * Service-Route, Supported, Allow. */
SipwsMessage          *sipws_account_new_request               (SipwsAccount *self,
                                                                const char   *method,
                                                                SipwsUri     *request_uri,
                                                                SipwsAddress *to,
                                                                const char   *call_id,
                                                                guint32       cseq);
/* Parses a call or message target: a SIP/SIPS/tel URI, a name-addr, or a
 * user part completed with the AOR's domain. */
SipwsAddress          *sipws_account_parse_target              (SipwsAccount  *self,
                                                                const char    *target,
                                                                GError       **error);
/* Our Contact for dialogs: the public GRUU once the registrar gave one,
 * else the .invalid contact with ;ob (RFC 5626 §4.3). */
char                  *sipws_account_get_dialog_contact        (SipwsAccount *self);
SipwsUri              *sipws_account_get_contact_uri           (SipwsAccount *self);
SipwsUri              *sipws_account_get_aor_uri               (SipwsAccount *self);
const char            *sipws_account_get_via_host              (SipwsAccount *self);

/* Calls. */
SipwsMediaHandler     *sipws_account_create_media_handler      (SipwsAccount *self,
                                                                SipwsCall    *call);
void                   sipws_account_add_call                  (SipwsAccount *self,
                                                                SipwsCall    *call);
void                   sipws_account_remove_call               (SipwsAccount *self,
                                                                SipwsCall    *call);
/* OPTIONS (200 with Allow/Accept/Supported) and MESSAGE (200, then
 * message-received), in or out of a dialog. */
void                   sipws_account_answer_request            (SipwsAccount     *self,
                                                                SipwsTransaction *tx,
                                                                SipwsMessage     *request);
/* Used by the registration. */
void                   sipws_account_registration_changed      (SipwsAccount *self);
SipwsTransport        *sipws_account_peek_transport            (SipwsAccount *self);
const char            *sipws_account_peek_instance_id          (SipwsAccount *self);

G_END_DECLS
