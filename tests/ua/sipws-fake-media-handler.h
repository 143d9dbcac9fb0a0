/* sipws-fake-media-handler.h: a SipwsMediaHandler with canned SDP that
 * records what the user agent asks of it, so the SIP state machines can be
 * tested without GStreamer */
#pragma once

#include "sipws-media-handler.h"

G_BEGIN_DECLS

#define SIPWS_FAKE_OFFER_SDP \
  "v=0\r\no=fake 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
  "m=audio 4000 RTP/AVP 0\r\na=%s\r\n"
#define SIPWS_FAKE_ANSWER_SDP \
  "v=0\r\no=fake 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
  "m=audio 4002 RTP/AVP 0\r\na=%s\r\n"

#define SIPWS_TYPE_FAKE_MEDIA_HANDLER (sipws_fake_media_handler_get_type ())
G_DECLARE_FINAL_TYPE (SipwsFakeMediaHandler, sipws_fake_media_handler, SIPWS, FAKE_MEDIA_HANDLER, GObject)

struct _SipwsFakeMediaHandler {
  GObject parent_instance;

  /* behaviour */
  gboolean dtmf_negotiated;     /* send_dtmf succeeds (RFC 4733) */
  gboolean fail_answer;         /* create_answer fails (SIPWS_ERROR_MEDIA) */
  gboolean reject_remote;       /* set_remote_answer fails */

  /* what the user agent did */
  SipwsMediaDirection direction;
  guint n_offers;
  guint n_answers;
  GPtrArray *remote_offers;     /* char *, the offers given to create_answer */
  GPtrArray *remote_answers;    /* char *, the answers given to set_remote_answer */
  GArray *provisional;          /* gboolean per remote answer */
  GString *dtmf_sent;
  gboolean muted;
  gboolean closed;
};

SipwsFakeMediaHandler *sipws_fake_media_handler_new (void);

/* The SDP this handler produces for its current direction. */
char *sipws_fake_media_handler_sdp (SipwsFakeMediaHandler *self,
                                    gboolean               offer);

G_END_DECLS
