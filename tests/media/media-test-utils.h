/* media-test-utils.h: two SipwsMediaSessions talking over loopback in one process */
#pragma once

#include "sipws-media-session.h"
#include "sipws-error.h"

G_BEGIN_DECLS

typedef gboolean (*MediaTestCondition) (gpointer data);

/* Where an offer or answer lands; media_test_offer_cb() fills it. */
typedef struct {
  gboolean  done;
  char     *sdp;
  GError   *error;
} MediaTestSdpResult;

gboolean           media_test_plugins_available (void);
SipwsMediaSession *media_test_session_new       (double              tone_hz);
gboolean           media_test_wait              (MediaTestCondition  condition,
                                                 gpointer            data,
                                                 guint               timeout_ms);
void               media_test_spin              (guint               ms);
gboolean           media_test_sdp_done          (gpointer            data);
void               media_test_offer_cb          (GObject            *source,
                                                 GAsyncResult       *result,
                                                 gpointer            user_data);
char              *media_test_create_offer      (SipwsMediaSession  *session,
                                                 GError            **error);
char              *media_test_create_answer     (SipwsMediaSession  *session,
                                                 const char         *offer,
                                                 GError            **error);
void               media_test_connect           (SipwsMediaSession  *offerer,
                                                 SipwsMediaSession  *answerer);
gboolean           media_test_hears             (SipwsMediaSession  *session,
                                                 double              frequency);
gint64             media_test_wait_for_tone     (SipwsMediaSession  *session,
                                                 double              frequency,
                                                 guint               timeout_ms);
guint64            media_test_packets_received  (SipwsMediaSession  *session);
guint              media_test_thread_count      (void);

/* A UDP relay between two sessions on 127.0.0.1 that delays every packet
 * (both ways) by a fixed time: a network with a real round-trip time, where
 * ICE and DTLS take several of them. */
typedef struct _MediaTestRelay MediaTestRelay;

MediaTestRelay    *media_test_relay_new         (guint               delay_ms);
void               media_test_relay_lose_dtls_finish (MediaTestRelay *relay);
char              *media_test_relay_offer       (MediaTestRelay     *relay,
                                                 const char         *offer);
char              *media_test_relay_answer      (MediaTestRelay     *relay,
                                                 const char         *answer);
guint64            media_test_relay_forwarded   (MediaTestRelay     *relay);
void               media_test_relay_free        (MediaTestRelay     *relay);

G_END_DECLS
