/* sipws-media-handler.c: how the user agent drives the media of one call */
#include "sipws-media-handler.h"
#include "sipws-ua-enums.h"

/**
 * SipwsMediaHandler:
 *
 * The media half of a call, as the user agent sees it: SDP text in and out,
 * direction, DTMF, mute and close, with no GStreamer type in sight.
 *
 * [class@Sipws.MediaSession] is the WebRTC implementation; tests of the SIP
 * state machine use a fake one that returns canned SDP.
 *
 * Offers and answers are plain SDP bodies for SIP, built without trickle ICE:
 * every candidate gathered within a bounded time is in the SDP. The
 * usual sequences are:
 *
 * - outgoing call: [method@Sipws.MediaHandler.create_offer_async] for the
 *   INVITE, then [method@Sipws.MediaHandler.set_remote_answer] for each 18x
 *   with SDP (`provisional` = %TRUE) and for the 2xx;
 * - incoming call: [method@Sipws.MediaHandler.create_answer_async] with the
 *   INVITE's offer;
 * - hold and resume: [method@Sipws.MediaHandler.set_direction], then a new
 *   offer in a re-INVITE.
 *
 * Every method, signal and property notification happens in the thread-default
 * main context of the thread that created the handler; call it from there.
 */

G_DEFINE_INTERFACE (SipwsMediaHandler, sipws_media_handler, G_TYPE_OBJECT)

enum {
  SIGNAL_DTMF_RECEIVED,
  SIGNAL_MEDIA_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * sipws_media_error_quark:
 *
 * Gets the quark of the error domain of media handlers; bindings map it to
 * the [error@Sipws.MediaError] enumeration.
 *
 * Returns: the quark of the %SIPWS_MEDIA_ERROR domain
 */
G_DEFINE_QUARK (sipws-media-error-quark, sipws_media_error)

static void
sipws_media_handler_default_init (SipwsMediaHandlerInterface *iface)
{
  /**
   * SipwsMediaHandler:media-state:
   *
   * Where the media of the call stands. Implementations notify it in the main
   * context of the handler.
   */
  g_object_interface_install_property (iface,
    g_param_spec_enum ("media-state", NULL, NULL,
                       SIPWS_TYPE_MEDIA_STATE, SIPWS_MEDIA_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  /**
   * SipwsMediaHandler::dtmf-received:
   * @self: the handler
   * @digit: the digit: `0`-`9`, `*`, `#` or `A`-`D`
   * @duration_ms: how long the key was pressed, in milliseconds
   *
   * An RFC 4733 telephone-event arrived in the media stream. Emitted once
   * per key press, when its end is known.
   */
  signals[SIGNAL_DTMF_RECEIVED] =
    g_signal_new ("dtmf-received",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_CHAR, G_TYPE_UINT);

  /**
   * SipwsMediaHandler::media-failed:
   * @self: the handler
   * @error: why, in the %SIPWS_MEDIA_ERROR domain, with a message that names
   *   the failed step (ICE, DTLS, no RTP, pipeline)
   *
   * Media stopped or never started after the answer. Emitted at most once;
   * [property@Sipws.MediaHandler:media-state] is then
   * %SIPWS_MEDIA_STATE_FAILED. The user agent usually ends the call.
   */
  signals[SIGNAL_MEDIA_FAILED] =
    g_signal_new ("media-failed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

/**
 * sipws_media_handler_create_offer_async:
 * @self: a handler
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the offer
 * @user_data: data for @callback
 *
 * Builds an SDP offer: the first one of a call, or a re-offer that keeps the
 * negotiated codec and carries the direction set by
 * [method@Sipws.MediaHandler.set_direction]. Completes once the candidates are
 * gathered or the gathering time limit is reached.
 */
void
sipws_media_handler_create_offer_async (SipwsMediaHandler   *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));

  SIPWS_MEDIA_HANDLER_GET_IFACE (self)->create_offer_async (self, cancellable, callback, user_data);
}

/**
 * sipws_media_handler_create_offer_finish:
 * @self: a handler
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with
 * [method@Sipws.MediaHandler.create_offer_async] and returns the SDP offer.
 *
 * Returns: (transfer full): the SDP offer, or %NULL with @error set:
 *   %G_IO_ERROR_CANCELLED when the cancellable was cancelled,
 *   %SIPWS_ERROR_CANCELLED when the handler was closed, %SIPWS_ERROR_MEDIA
 *   otherwise
 */
char *
sipws_media_handler_create_offer_finish (SipwsMediaHandler  *self,
                                         GAsyncResult       *result,
                                         GError            **error)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_HANDLER (self), NULL);

  return SIPWS_MEDIA_HANDLER_GET_IFACE (self)->create_offer_finish (self, result, error);
}

/**
 * sipws_media_handler_create_answer_async:
 * @self: a handler
 * @remote_offer: the SDP offer of the remote side
 * @cancellable: (nullable): a cancellable
 * @callback: (scope async): called with the answer
 * @user_data: data for @callback
 *
 * Applies a remote offer (initial or re-offer) and builds the answer: the
 * codecs of the offer we support, in our order of preference, and a direction
 * that combines the offer's with [method@Sipws.MediaHandler.set_direction].
 */
void
sipws_media_handler_create_answer_async (SipwsMediaHandler   *self,
                                         const char          *remote_offer,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));
  g_return_if_fail (remote_offer != NULL);

  SIPWS_MEDIA_HANDLER_GET_IFACE (self)->create_answer_async (self, remote_offer, cancellable,
                                                             callback, user_data);
}

/**
 * sipws_media_handler_create_answer_finish:
 * @self: a handler
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation started with
 * [method@Sipws.MediaHandler.create_answer_async] and returns the SDP answer.
 *
 * Returns: (transfer full): the SDP answer, or %NULL with @error set:
 *   %SIPWS_ERROR_MEDIA when the offer is invalid or has no codec in common
 *   (answer 488), %G_IO_ERROR_CANCELLED when the cancellable was cancelled,
 *   %SIPWS_ERROR_CANCELLED when the handler was closed
 */
char *
sipws_media_handler_create_answer_finish (SipwsMediaHandler  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_HANDLER (self), NULL);

  return SIPWS_MEDIA_HANDLER_GET_IFACE (self)->create_answer_finish (self, result, error);
}

/**
 * sipws_media_handler_set_remote_answer:
 * @self: a handler
 * @sdp: the SDP answer of the remote side
 * @provisional: %TRUE when it came in a provisional (18x) response
 * @error: return location for a #GError
 *
 * Applies the answer to our last offer. An answer in an 18x starts early
 * media at once; the answer in the 2xx may repeat it or differ from it
 * (direction, candidates), and is then applied on top.
 *
 * Returns: %TRUE if the answer was accepted; %FALSE with %SIPWS_ERROR_MEDIA
 *   when it is invalid, has no codec of our offer, or no offer is outstanding
 */
gboolean
sipws_media_handler_set_remote_answer (SipwsMediaHandler  *self,
                                       const char         *sdp,
                                       gboolean            provisional,
                                       GError            **error)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_HANDLER (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);

  return SIPWS_MEDIA_HANDLER_GET_IFACE (self)->set_remote_answer (self, sdp, provisional, error);
}

/**
 * sipws_media_handler_set_direction:
 * @self: a handler
 * @direction: the direction to offer or answer with
 *
 * Sets the direction of the next offer or answer: %SIPWS_MEDIA_DIRECTION_SENDONLY
 * or %SIPWS_MEDIA_DIRECTION_INACTIVE to hold, %SIPWS_MEDIA_DIRECTION_SENDRECV to
 * resume. Media flow changes only when that offer/answer completes.
 */
void
sipws_media_handler_set_direction (SipwsMediaHandler   *self,
                                   SipwsMediaDirection  direction)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));

  SIPWS_MEDIA_HANDLER_GET_IFACE (self)->set_direction (self, direction);
}

/**
 * sipws_media_handler_send_dtmf:
 * @self: a handler
 * @digit: `0`-`9`, `*`, `#` or `A`-`D`
 * @duration_ms: how long the key is held, in milliseconds
 * @error: return location for a #GError
 *
 * Queues one RFC 4733 telephone-event. Digits queued in a row go out one after
 * the other, with a pause between them. A digit queued before the peer can
 * receive media (ICE and DTLS still connecting) waits until it can, so a
 * user agent may send digits as soon as the call is active.
 *
 * Returns: %TRUE if the digit was queued; %FALSE with
 *   %SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED when the remote side did not accept
 *   telephone-event (send SIP INFO instead), %SIPWS_MEDIA_ERROR_NOT_SENDING or
 *   %SIPWS_MEDIA_ERROR_INVALID_DIGIT
 */
gboolean
sipws_media_handler_send_dtmf (SipwsMediaHandler  *self,
                               char                digit,
                               guint               duration_ms,
                               GError            **error)
{
  g_return_val_if_fail (SIPWS_IS_MEDIA_HANDLER (self), FALSE);

  return SIPWS_MEDIA_HANDLER_GET_IFACE (self)->send_dtmf (self, digit, duration_ms, error);
}

/**
 * sipws_media_handler_set_muted:
 * @self: a handler
 * @muted: whether to send silence instead of the microphone
 *
 * Mutes or unmutes the outgoing audio without renegotiation.
 */
void
sipws_media_handler_set_muted (SipwsMediaHandler *self,
                               gboolean           muted)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));

  SIPWS_MEDIA_HANDLER_GET_IFACE (self)->set_muted (self, muted);
}

/**
 * sipws_media_handler_close:
 * @self: a handler
 *
 * Ends all media: pending offers and answers fail with
 * %SIPWS_ERROR_CANCELLED, devices are released. Safe at any moment and more
 * than once.
 */
void
sipws_media_handler_close (SipwsMediaHandler *self)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));

  SIPWS_MEDIA_HANDLER_GET_IFACE (self)->close (self);
}

/**
 * sipws_media_handler_get_media_state:
 * @self: a handler
 *
 * Gets where the media of the call stands.
 *
 * Returns: the value of [property@Sipws.MediaHandler:media-state]
 */
SipwsMediaState
sipws_media_handler_get_media_state (SipwsMediaHandler *self)
{
  SipwsMediaState state = SIPWS_MEDIA_STATE_NEW;

  g_return_val_if_fail (SIPWS_IS_MEDIA_HANDLER (self), SIPWS_MEDIA_STATE_NEW);

  g_object_get (self, "media-state", &state, NULL);
  return state;
}

/**
 * sipws_media_handler_emit_dtmf_received:
 * @self: a handler
 * @digit: the digit
 * @duration_ms: the duration in milliseconds
 *
 * Emits [signal@Sipws.MediaHandler::dtmf-received]; for implementations.
 */
void
sipws_media_handler_emit_dtmf_received (SipwsMediaHandler *self,
                                        char               digit,
                                        guint              duration_ms)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));

  g_signal_emit (self, signals[SIGNAL_DTMF_RECEIVED], 0, digit, duration_ms);
}

/**
 * sipws_media_handler_emit_media_failed:
 * @self: a handler
 * @error: why media failed
 *
 * Emits [signal@Sipws.MediaHandler::media-failed]; for implementations.
 */
void
sipws_media_handler_emit_media_failed (SipwsMediaHandler *self,
                                       const GError      *error)
{
  g_return_if_fail (SIPWS_IS_MEDIA_HANDLER (self));
  g_return_if_fail (error != NULL);

  g_signal_emit (self, signals[SIGNAL_MEDIA_FAILED], 0, error);
}

/**
 * sipws_media_dtmf_digit_is_valid:
 * @digit: a character
 *
 * Checks whether @digit can be sent as a DTMF event.
 *
 * Returns: whether @digit is a DTMF digit RFC 4733 can carry as an event:
 *   `0`-`9`, `*`, `#`, `A`-`D` (lower case accepted)
 */
gboolean
sipws_media_dtmf_digit_is_valid (char digit)
{
  return (digit >= '0' && digit <= '9') || digit == '*' || digit == '#' ||
         (digit >= 'A' && digit <= 'D') || (digit >= 'a' && digit <= 'd');
}

/**
 * sipws_media_direction_to_sdp:
 * @direction: a direction
 *
 * Gets the SDP direction attribute for @direction. The string is static.
 *
 * Returns: the SDP attribute name of @direction (RFC 3264 §5.1):
 *   `sendrecv`, `sendonly`, `recvonly` or `inactive`
 */
const char *
sipws_media_direction_to_sdp (SipwsMediaDirection direction)
{
  switch (direction) {
  case SIPWS_MEDIA_DIRECTION_SENDRECV:
    return "sendrecv";
  case SIPWS_MEDIA_DIRECTION_SENDONLY:
    return "sendonly";
  case SIPWS_MEDIA_DIRECTION_RECVONLY:
    return "recvonly";
  case SIPWS_MEDIA_DIRECTION_INACTIVE:
    return "inactive";
  default:
    g_return_val_if_reached ("sendrecv");
  }
}
