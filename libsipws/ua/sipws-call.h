/* sipws-call.h: one call (an INVITE dialog and its media) */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gio/gio.h>
#include "sipws-version.h"
#include "sipws-media-handler.h"

G_BEGIN_DECLS

/**
 * SipwsCallState:
 * @SIPWS_CALL_STATE_CALLING: outgoing: the INVITE is on its way, nobody rings yet
 * @SIPWS_CALL_STATE_RINGING: outgoing: the callee rings (180); incoming: the
 *   call waits for [method@Sipws.Call.accept_async] or [method@Sipws.Call.reject]
 * @SIPWS_CALL_STATE_EARLY_MEDIA: outgoing: a provisional answer carried SDP
 *   (ringback tone or announcement from the network)
 * @SIPWS_CALL_STATE_ANSWERING: incoming: accepted, the 200 is sent or being
 *   prepared, the ACK has not come yet
 * @SIPWS_CALL_STATE_ACTIVE: both sides talk
 * @SIPWS_CALL_STATE_HELD: we put the call on hold
 * @SIPWS_CALL_STATE_ENDING: a BYE or CANCEL is on its way
 * @SIPWS_CALL_STATE_ENDED: the call is over; see [property@Sipws.Call:end-reason]
 *
 * The life cycle of a [class@Sipws.Call].
 */
typedef enum {
  SIPWS_CALL_STATE_CALLING,
  SIPWS_CALL_STATE_RINGING,
  SIPWS_CALL_STATE_EARLY_MEDIA,
  SIPWS_CALL_STATE_ANSWERING,
  SIPWS_CALL_STATE_ACTIVE,
  SIPWS_CALL_STATE_HELD,
  SIPWS_CALL_STATE_ENDING,
  SIPWS_CALL_STATE_ENDED,
} SipwsCallState;

/**
 * SipwsCallDirection:
 * @SIPWS_CALL_DIRECTION_OUTGOING: we called
 * @SIPWS_CALL_DIRECTION_INCOMING: we were called
 *
 * Who placed a [class@Sipws.Call].
 */
typedef enum {
  SIPWS_CALL_DIRECTION_OUTGOING,
  SIPWS_CALL_DIRECTION_INCOMING,
} SipwsCallDirection;

/**
 * SipwsEndReason:
 * @SIPWS_END_REASON_NONE: the call has not ended
 * @SIPWS_END_REASON_LOCAL_HANGUP: we hung up or cancelled
 * @SIPWS_END_REASON_REMOTE_HANGUP: the peer hung up (BYE)
 * @SIPWS_END_REASON_DECLINED: we rejected the incoming call
 * @SIPWS_END_REASON_REJECTED: the callee or the network refused the call; see
 *   [property@Sipws.Call:end-status]
 * @SIPWS_END_REASON_BUSY: the callee is busy (486 or 600)
 * @SIPWS_END_REASON_NO_ANSWER: nobody answered (408, 480)
 * @SIPWS_END_REASON_CANCELLED: the caller gave up before we answered
 * @SIPWS_END_REASON_TRANSFERRED: the call was transferred elsewhere (REFER)
 * @SIPWS_END_REASON_SESSION_EXPIRED: the session timer (RFC 4028) ran out
 * @SIPWS_END_REASON_NETWORK: signalling failed: no answer from the server,
 *   or the flow to it could not carry a request in time
 * @SIPWS_END_REASON_MEDIA: media could not be negotiated or failed
 * @SIPWS_END_REASON_INVALID_TARGET: the target given to
 *   [method@Sipws.Account.call] is not a valid address
 *
 * Why a [class@Sipws.Call] ended.
 */
typedef enum {
  SIPWS_END_REASON_NONE,
  SIPWS_END_REASON_LOCAL_HANGUP,
  SIPWS_END_REASON_REMOTE_HANGUP,
  SIPWS_END_REASON_DECLINED,
  SIPWS_END_REASON_REJECTED,
  SIPWS_END_REASON_BUSY,
  SIPWS_END_REASON_NO_ANSWER,
  SIPWS_END_REASON_CANCELLED,
  SIPWS_END_REASON_TRANSFERRED,
  SIPWS_END_REASON_SESSION_EXPIRED,
  SIPWS_END_REASON_NETWORK,
  SIPWS_END_REASON_MEDIA,
  SIPWS_END_REASON_INVALID_TARGET,
} SipwsEndReason;

#define SIPWS_TYPE_CALL (sipws_call_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsCall, sipws_call, SIPWS, CALL, GObject)

SIPWS_AVAILABLE_IN_ALL
SipwsCallState      sipws_call_get_state               (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
SipwsCallDirection  sipws_call_get_direction           (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
const char         *sipws_call_get_remote_uri          (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
const char         *sipws_call_get_remote_display_name (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
SipwsEndReason      sipws_call_get_end_reason          (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
guint               sipws_call_get_end_status          (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
const char         *sipws_call_get_end_message         (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
guint               sipws_call_get_duration            (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_get_muted               (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
void                sipws_call_set_muted               (SipwsCall           *self,
                                                        gboolean             muted);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_get_remote_held         (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
SipwsMediaHandler  *sipws_call_get_media_session       (SipwsCall           *self);
SIPWS_AVAILABLE_IN_ALL
const char         *sipws_call_get_call_id             (SipwsCall           *self);

SIPWS_AVAILABLE_IN_ALL
void                sipws_call_accept_async            (SipwsCall           *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_accept_finish           (SipwsCall           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_reject                  (SipwsCall           *self,
                                                        guint                status,
                                                        GError             **error);
SIPWS_AVAILABLE_IN_ALL
void                sipws_call_hangup                  (SipwsCall           *self);

SIPWS_AVAILABLE_IN_ALL
void                sipws_call_hold_async              (SipwsCall           *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_hold_finish             (SipwsCall           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
SIPWS_AVAILABLE_IN_ALL
void                sipws_call_resume_async            (SipwsCall           *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_resume_finish           (SipwsCall           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_send_dtmf               (SipwsCall           *self,
                                                        const char          *digits,
                                                        GError             **error);

SIPWS_AVAILABLE_IN_ALL
void                sipws_call_transfer_async          (SipwsCall           *self,
                                                        const char          *target,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean            sipws_call_transfer_finish         (SipwsCall           *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
