/* sipws-media-handler.h: how the user agent drives the media of one call */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gio/gio.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SIPWS_MEDIA_ERROR:
 *
 * The error domain of media problems that happen after negotiation: the
 * reason carried by [signal@Sipws.MediaHandler::media-failed] and the refusal
 * of [method@Sipws.MediaHandler.send_dtmf].
 *
 * Failures of the offer/answer itself (unparsable SDP, no common codec) are
 * reported as %SIPWS_ERROR_MEDIA in the %SIPWS_ERROR domain, so the user agent
 * can answer them with 488 Not Acceptable Here.
 */
#define SIPWS_MEDIA_ERROR (sipws_media_error_quark ())

/**
 * SipwsMediaError:
 * @SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED: the remote side did not accept
 *   RFC 4733 telephone-event at the clock rate of the chosen codec; send the
 *   digit with SIP INFO instead
 * @SIPWS_MEDIA_ERROR_NOT_SENDING: audio is not being sent (no answer applied
 *   yet, on hold, or closed), so a digit cannot go out in the media stream
 * @SIPWS_MEDIA_ERROR_INVALID_DIGIT: the character is not a DTMF digit
 *   (`0`-`9`, `*`, `#`, `A`-`D`)
 * @SIPWS_MEDIA_ERROR_ICE_FAILED: ICE found no working candidate pair
 * @SIPWS_MEDIA_ERROR_DTLS_FAILED: ICE connected but the DTLS-SRTP handshake
 *   failed or did not finish in time
 * @SIPWS_MEDIA_ERROR_NO_RTP: the connection is up but no RTP arrived within
 *   the media timeout after the answer
 * @SIPWS_MEDIA_ERROR_PIPELINE: the local audio pipeline failed (missing
 *   GStreamer plugin, internal streaming error)
 * @SIPWS_MEDIA_ERROR_NEGOTIATION: the media engine refused an SDP that passed
 *   validation (for example an answer it cannot apply)
 *
 * Error codes of the %SIPWS_MEDIA_ERROR domain.
 */
typedef enum {
  SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED,
  SIPWS_MEDIA_ERROR_NOT_SENDING,
  SIPWS_MEDIA_ERROR_INVALID_DIGIT,
  SIPWS_MEDIA_ERROR_ICE_FAILED,
  SIPWS_MEDIA_ERROR_DTLS_FAILED,
  SIPWS_MEDIA_ERROR_NO_RTP,
  SIPWS_MEDIA_ERROR_PIPELINE,
  SIPWS_MEDIA_ERROR_NEGOTIATION,
} SipwsMediaError;

/**
 * SipwsMediaDirection:
 * @SIPWS_MEDIA_DIRECTION_SENDRECV: send and receive audio (a normal call)
 * @SIPWS_MEDIA_DIRECTION_SENDONLY: send only (we put the peer on hold and may
 *   play music on hold)
 * @SIPWS_MEDIA_DIRECTION_RECVONLY: receive only
 * @SIPWS_MEDIA_DIRECTION_INACTIVE: neither send nor receive (hold without
 *   music)
 *
 * The SDP direction attribute (RFC 3264 §5.1) the handler offers or answers
 * with. In an answer it is combined with the direction of the offer.
 */
typedef enum {
  SIPWS_MEDIA_DIRECTION_SENDRECV,
  SIPWS_MEDIA_DIRECTION_SENDONLY,
  SIPWS_MEDIA_DIRECTION_RECVONLY,
  SIPWS_MEDIA_DIRECTION_INACTIVE,
} SipwsMediaDirection;

/**
 * SipwsMediaState:
 * @SIPWS_MEDIA_STATE_NEW: nothing negotiated yet
 * @SIPWS_MEDIA_STATE_NEGOTIATING: an offer or answer is being built
 *   (candidates are being gathered) or an offer waits for its answer
 * @SIPWS_MEDIA_STATE_CONNECTING: offer and answer are both applied; ICE and
 *   DTLS are connecting
 * @SIPWS_MEDIA_STATE_CONNECTED: ICE and DTLS are up; media can flow
 * @SIPWS_MEDIA_STATE_FAILED: media failed; see
 *   [signal@Sipws.MediaHandler::media-failed]
 * @SIPWS_MEDIA_STATE_CLOSED: [method@Sipws.MediaHandler.close] was called
 *
 * The life cycle of the media of one call, as the read-only
 * [property@Sipws.MediaHandler:media-state] property.
 */
typedef enum {
  SIPWS_MEDIA_STATE_NEW,
  SIPWS_MEDIA_STATE_NEGOTIATING,
  SIPWS_MEDIA_STATE_CONNECTING,
  SIPWS_MEDIA_STATE_CONNECTED,
  SIPWS_MEDIA_STATE_FAILED,
  SIPWS_MEDIA_STATE_CLOSED,
} SipwsMediaState;

#define SIPWS_TYPE_MEDIA_HANDLER (sipws_media_handler_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (SipwsMediaHandler, sipws_media_handler, SIPWS, MEDIA_HANDLER, GObject)

/**
 * SipwsMediaHandlerInterface:
 * @create_offer_async: starts building an SDP offer
 * @create_offer_finish: returns the offer
 * @create_answer_async: applies a remote offer and starts building the answer
 * @create_answer_finish: returns the answer
 * @set_remote_answer: applies the answer to our last offer
 * @set_direction: sets the direction of the next offer or answer
 * @send_dtmf: sends one RFC 4733 digit
 * @set_muted: mutes or unmutes the microphone
 * @close: ends all media
 *
 * The virtual methods of [iface@Sipws.MediaHandler]. Implementations also
 * provide the [property@Sipws.MediaHandler:media-state] property.
 */
struct _SipwsMediaHandlerInterface
{
  GTypeInterface parent_iface;

  void      (*create_offer_async)   (SipwsMediaHandler   *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  char     *(*create_offer_finish)  (SipwsMediaHandler   *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  void      (*create_answer_async)  (SipwsMediaHandler   *self,
                                     const char          *remote_offer,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
  char     *(*create_answer_finish) (SipwsMediaHandler   *self,
                                     GAsyncResult        *result,
                                     GError             **error);
  gboolean  (*set_remote_answer)    (SipwsMediaHandler   *self,
                                     const char          *sdp,
                                     gboolean             provisional,
                                     GError             **error);
  void      (*set_direction)        (SipwsMediaHandler   *self,
                                     SipwsMediaDirection  direction);
  gboolean  (*send_dtmf)            (SipwsMediaHandler   *self,
                                     char                 digit,
                                     guint                duration_ms,
                                     GError             **error);
  void      (*set_muted)            (SipwsMediaHandler   *self,
                                     gboolean             muted);
  void      (*close)                (SipwsMediaHandler   *self);

  /*< private >*/
  gpointer padding[8];
};

SIPWS_AVAILABLE_IN_ALL
GQuark          sipws_media_error_quark              (void);

SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_create_offer_async   (SipwsMediaHandler    *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
SIPWS_AVAILABLE_IN_ALL
char           *sipws_media_handler_create_offer_finish  (SipwsMediaHandler    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_create_answer_async  (SipwsMediaHandler    *self,
                                                          const char           *remote_offer,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
SIPWS_AVAILABLE_IN_ALL
char           *sipws_media_handler_create_answer_finish (SipwsMediaHandler    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_media_handler_set_remote_answer    (SipwsMediaHandler    *self,
                                                          const char           *sdp,
                                                          gboolean              provisional,
                                                          GError              **error);
SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_set_direction        (SipwsMediaHandler    *self,
                                                          SipwsMediaDirection   direction);
SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_media_handler_send_dtmf            (SipwsMediaHandler    *self,
                                                          char                  digit,
                                                          guint                 duration_ms,
                                                          GError              **error);
SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_set_muted            (SipwsMediaHandler    *self,
                                                          gboolean              muted);
SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_close                (SipwsMediaHandler    *self);
SIPWS_AVAILABLE_IN_ALL
SipwsMediaState sipws_media_handler_get_media_state      (SipwsMediaHandler    *self);

SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_emit_dtmf_received   (SipwsMediaHandler    *self,
                                                          char                  digit,
                                                          guint                 duration_ms);
SIPWS_AVAILABLE_IN_ALL
void            sipws_media_handler_emit_media_failed    (SipwsMediaHandler    *self,
                                                          const GError         *error);

SIPWS_AVAILABLE_IN_ALL
gboolean        sipws_media_dtmf_digit_is_valid          (char                  digit);
SIPWS_AVAILABLE_IN_ALL
const char     *sipws_media_direction_to_sdp             (SipwsMediaDirection   direction);

G_END_DECLS
