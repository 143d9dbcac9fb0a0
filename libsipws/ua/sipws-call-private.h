/* sipws-call-private.h: how the account drives its calls */
#pragma once

#include "sipws-call.h"
#include "sipws-account.h"
#include "sipws-message.h"
#include "sipws-transaction-private.h"

G_BEGIN_DECLS

/* An outgoing call to @target; with @target NULL the call ends at once with
 * SIPWS_END_REASON_INVALID_TARGET and @target_error's message. Nothing is
 * sent before sipws_call_start(). */
SipwsCall *sipws_call_new_outgoing          (SipwsAccount     *account,
                                             SipwsAddress     *target,
                                             SipwsCallOptions *options,
                                             const GError     *target_error);
void       sipws_call_start                 (SipwsCall        *self);

/* An incoming call from an out-of-dialog INVITE; answers 180 itself. Returns
 * NULL after answering the INVITE with an error itself. */
SipwsCall *sipws_call_new_incoming          (SipwsAccount     *account,
                                             SipwsTransaction *tx,
                                             SipwsMessage     *invite);

/* TRUE when one of the call's dialogs (early or confirmed) has these ids. */
gboolean   sipws_call_has_dialog            (SipwsCall        *self,
                                             const char       *call_id,
                                             const char       *local_tag,
                                             const char       *remote_tag);
gboolean   sipws_call_owns_transaction      (SipwsCall        *self,
                                             SipwsTransaction *tx);

/* A request inside one of the call's dialogs (never ACK or CANCEL). */
void       sipws_call_handle_request        (SipwsCall        *self,
                                             SipwsTransaction *tx,
                                             SipwsMessage     *request);
/* The ACK of our 2xx. */
void       sipws_call_handle_ack            (SipwsCall        *self,
                                             SipwsMessage     *ack);
/* The caller cancelled our ringing INVITE (the CANCEL got its 200). */
void       sipws_call_handle_cancel         (SipwsCall        *self);
/* A 2xx to our INVITE that came after its transaction ended. */
void       sipws_call_handle_stray_response (SipwsCall        *self,
                                             SipwsMessage     *response);

/* The account goes away: the call ends at once, nothing is sent. */
void       sipws_call_abandon               (SipwsCall        *self);

G_END_DECLS
