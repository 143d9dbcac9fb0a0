/* media-test-utils.c: two SipwsMediaSessions talking over loopback in one process */
#include "media-test-utils.h"

#include <math.h>
#include <gst/gst.h>

/* Tones come back through Opus and an 85 ms FFT window: 440 vs 880 Hz is
 * far apart, 15 Hz is a generous match. */
#define FREQUENCY_TOLERANCE 15.0
#define MIN_LEVEL_DB (-40.0)

gboolean
media_test_plugins_available (void)
{
  static const char *needed[] = { "webrtcbin", "nicesrc", "dtlssrtpenc", "srtpenc", "opusenc", "opusdec",
                                  "rtpopuspay", "rtpopusdepay", "rtpdtmfsrc", "rtpdtmfmux", "audiotestsrc",
                                  "audiomixer", "valve", "volume", "fakesink", NULL };

  for (guint i = 0; needed[i] != NULL; i++) {
    g_autoptr(GstElementFactory) factory = gst_element_factory_find (needed[i]);

    if (factory == NULL) {
      g_test_skip_printf ("GStreamer element %s is not installed", needed[i]);
      return FALSE;
    }
  }
  return TRUE;
}

SipwsMediaSession *
media_test_session_new (double tone_hz)
{
  const char *loopback[] = { "127.0.0.1", NULL };
  SipwsMediaSession *session = sipws_media_session_new ();

  g_object_set (session,
                "local-addresses", loopback,
                "audio-sink", "fakesink async=false",
                "jitter-buffer", 50,
                "stats-interval", 500,
                NULL);
  /* never the machine's default device */
  if (tone_hz > 0)
    sipws_media_session_set_send_tone (session, tone_hz);
  else
    sipws_media_session_set_audio_source (session, "audiotestsrc is-live=true do-timestamp=true wave=silence");
  return session;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until @condition holds or @timeout_ms
 * passed. */
gboolean
media_test_wait (MediaTestCondition condition,
                 gpointer           data,
                 guint              timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return condition (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
media_test_spin (guint ms)
{
  media_test_wait (never, NULL, ms);
}

gboolean
media_test_sdp_done (gpointer data)
{
  return ((MediaTestSdpResult *) data)->done;
}

void
media_test_offer_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  MediaTestSdpResult *r = user_data;

  r->sdp = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &r->error);
  r->done = TRUE;
}

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MediaTestSdpResult *r = user_data;

  r->sdp = sipws_media_handler_create_answer_finish (SIPWS_MEDIA_HANDLER (source), result, &r->error);
  r->done = TRUE;
}

char *
media_test_create_offer (SipwsMediaSession  *session,
                         GError            **error)
{
  MediaTestSdpResult r = { FALSE, NULL, NULL };

  sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (session), NULL, media_test_offer_cb, &r);
  g_assert_true (media_test_wait (media_test_sdp_done, &r, 10000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.sdp;
}

char *
media_test_create_answer (SipwsMediaSession  *session,
                          const char         *offer,
                          GError            **error)
{
  MediaTestSdpResult r = { FALSE, NULL, NULL };

  sipws_media_handler_create_answer_async (SIPWS_MEDIA_HANDLER (session), offer, NULL, answer_cb, &r);
  g_assert_true (media_test_wait (media_test_sdp_done, &r, 10000));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.sdp;
}

/* A full offer/answer; asserts every step. */
void
media_test_connect (SipwsMediaSession *offerer,
                    SipwsMediaSession *answerer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = media_test_create_offer (offerer, &error);
  g_autofree char *answer = NULL;

  g_assert_no_error (error);
  if (g_test_verbose ())
    g_test_message ("offer:\n%s", offer);
  answer = media_test_create_answer (answerer, offer, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_test_message ("answer:\n%s", answer);
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (offerer), answer, FALSE, &error));
  g_assert_no_error (error);
}

gboolean
media_test_hears (SipwsMediaSession *session,
                  double             frequency)
{
  return sipws_media_session_get_level (session) > MIN_LEVEL_DB &&
         fabs (sipws_media_session_get_frequency (session) - frequency) < FREQUENCY_TOLERANCE;
}

typedef struct {
  SipwsMediaSession *session;
  double             frequency;
} ToneWait;

static gboolean
tone_heard (gpointer data)
{
  ToneWait *w = data;

  return media_test_hears (w->session, w->frequency);
}

/* Returns how long it took to hear @frequency, in ms, or -1. */
gint64
media_test_wait_for_tone (SipwsMediaSession *session,
                          double             frequency,
                          guint              timeout_ms)
{
  ToneWait w = { session, frequency };
  gint64 start = g_get_monotonic_time ();

  if (!media_test_wait (tone_heard, &w, timeout_ms))
    return -1;
  return (g_get_monotonic_time () - start) / 1000;
}

guint64
media_test_packets_received (SipwsMediaSession *session)
{
  g_autoptr(GstStructure) stats = sipws_media_session_get_stats (session);
  guint64 packets = 0;

  g_assert_true (gst_structure_get_uint64 (stats, "packets-received", &packets));
  return packets;
}

guint
media_test_thread_count (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- Delaying relay ----
 *
 * The offerer (A) is told that the answerer lives at side[A]'s port and the
 * answerer (B) that the offerer lives at side[B]'s: what A sends to side[A]
 * leaves through side[B] to B's real port, and back, so each peer sees one
 * consistent address for the other. */

#define RELAY_A 0
#define RELAY_B 1

struct _MediaTestRelay {
  guint           delay_ms;
  GSocket        *side[2];
  GSource        *watch[2];
  GSocketAddress *peer[2];     /* the real address of A and of B */
  guint           port[2];     /* our ports */
  GList          *pending;     /* Delayed, (owned) */
  guint64         forwarded;
  gboolean        lose_finish;
  gint64          losing_until;
  gboolean        answerer_keyed;
};

typedef struct {
  MediaTestRelay *relay;
  guint           from;
  GBytes         *data;
  GSource        *timer;
} Delayed;

static void
delayed_free (Delayed *d)
{
  g_bytes_unref (d->data);
  g_source_unref (d->timer);
  g_free (d);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;
  MediaTestRelay *relay = d->relay;
  guint to = 1 - d->from;

  /* out through the other side, to the other peer */
  if (relay->peer[to] != NULL) {
    g_socket_send_to (relay->side[to], relay->peer[to], g_bytes_get_data (d->data, NULL),
                      g_bytes_get_size (d->data), NULL, NULL);
    relay->forwarded++;
  }
  relay->pending = g_list_remove (relay->pending, d);
  delayed_free (d);
  return G_SOURCE_REMOVE;
}

/* Whether a DTLS datagram (first byte 20-63, RFC 7983) carries a
 * ChangeCipherSpec record (content type 20): it belongs to the last flight
 * of its sender. Records have a 13-byte header ending in their length. */
static gboolean
has_change_cipher_spec (const guchar *data,
                        gsize         size)
{
  gsize at = 0;

  while (at + 13 <= size) {
    if (data[at] == 20)
      return TRUE;
    at += 13 + (((gsize) data[at + 11] << 8) | data[at + 12]);
  }
  return FALSE;
}

/* The offerer is the DTLS server (answers say a=setup:active): its last
 * flight completes the handshake for it, and for the answerer only when it
 * arrives. With lose_finish, the offerer's DTLS datagrams from the first
 * with a ChangeCipherSpec on, for 50 ms, are lost once: the answerer
 * completes only when its retransmission timer (1 s) gets the flight sent
 * again, while the offerer considers DTLS done and sends SRTP. That SRTP is
 * lost here until the answerer sends its own (it has its keys then): the
 * answerer could not decrypt it anyway, and GStreamer 1.22's srtpdec
 * sometimes never decrypts a stream whose packets came before its keys. */
static gboolean
relay_loses (MediaTestRelay *relay,
             guint           from,
             const guchar   *data,
             gsize           size)
{
  gboolean dtls = size > 0 && data[0] >= 20 && data[0] <= 63;
  gboolean rtp = size > 0 && data[0] >= 128 && data[0] <= 191;
  gint64 now = g_get_monotonic_time ();

  if (!relay->lose_finish)
    return FALSE;
  if (from == RELAY_B) {
    relay->answerer_keyed |= rtp;
    return FALSE;
  }
  if (rtp)
    return !relay->answerer_keyed;
  if (dtls && relay->losing_until == 0 && has_change_cipher_spec (data, size))
    relay->losing_until = now + 50 * G_TIME_SPAN_MILLISECOND;
  return dtls && relay->losing_until != 0 && now < relay->losing_until;
}

static gboolean
relay_readable (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  MediaTestRelay *relay = user_data;
  guint from = socket == relay->side[RELAY_A] ? RELAY_A : RELAY_B;
  char buffer[2048];
  gssize n;

  /* a peer's first packet also tells where it really is (ICE may use a
   * port other than the SDP's) */
  while (TRUE) {
    g_autoptr(GSocketAddress) source = NULL;
    Delayed *d;

    n = g_socket_receive_from (socket, &source, buffer, sizeof buffer, NULL, NULL);
    if (n < 0)
      break;
    g_set_object (&relay->peer[from], source);
    if (relay_loses (relay, from, (const guchar *) buffer, n))
      continue;
    d = g_new0 (Delayed, 1);
    d->relay = relay;
    d->from = from;
    d->data = g_bytes_new (buffer, n);
    d->timer = g_timeout_source_new (relay->delay_ms);
    g_source_set_callback (d->timer, delayed_cb, d, NULL);
    g_source_attach (d->timer, NULL);
    relay->pending = g_list_append (relay->pending, d);
  }
  return G_SOURCE_CONTINUE;
}

MediaTestRelay *
media_test_relay_new (guint delay_ms)
{
  MediaTestRelay *relay = g_new0 (MediaTestRelay, 1);

  relay->delay_ms = delay_ms;
  for (guint i = 0; i < 2; i++) {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;
    g_autoptr(GError) error = NULL;

    relay->side[i] = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
    g_assert_no_error (error);
    g_socket_set_blocking (relay->side[i], FALSE);
    g_assert_true (g_socket_bind (relay->side[i], any, FALSE, &error));
    bound = g_socket_get_local_address (relay->side[i], &error);
    g_assert_no_error (error);
    relay->port[i] = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    relay->watch[i] = g_socket_create_source (relay->side[i], G_IO_IN, NULL);
    g_source_set_callback (relay->watch[i], (GSourceFunc) (void (*) (void)) relay_readable, relay, NULL);
    g_source_attach (relay->watch[i], NULL);
  }
  return relay;
}

/* The offerer's final DTLS flight is lost once (see relay_loses()). */
void
media_test_relay_lose_dtls_finish (MediaTestRelay *relay)
{
  relay->lose_finish = TRUE;
}

/* Every candidate of @sdp, pointed at @port; the real address is learnt
 * from the peer's first packet. */
static char *
redirect_candidates (const char *sdp,
                     guint       port)
{
  g_auto(GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);
  guint redirected = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    if (lines[i][0] == '\0')
      continue;
    if (g_str_has_prefix (lines[i], "a=candidate:")) {
      /* foundation component transport priority address port typ ... */
      g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);

      g_assert_cmpuint (g_strv_length (f), >=, 8);
      g_assert_cmpstr (f[4], ==, "127.0.0.1");
      g_free (f[5]);
      f[5] = g_strdup_printf ("%u", port);
      g_free (lines[i]);
      lines[i] = g_strjoinv (" ", f);
      redirected++;
    }
    g_string_append_printf (out, "%s\r\n", lines[i]);
  }
  g_assert_cmpuint (redirected, >, 0);
  return g_string_free (out, FALSE);
}

/* The offer as the answerer gets it: the offerer is behind side B. */
char *
media_test_relay_offer (MediaTestRelay *relay,
                        const char     *offer)
{
  return redirect_candidates (offer, relay->port[RELAY_B]);
}

/* The answer as the offerer gets it: the answerer is behind side A. */
char *
media_test_relay_answer (MediaTestRelay *relay,
                         const char     *answer)
{
  return redirect_candidates (answer, relay->port[RELAY_A]);
}

guint64
media_test_relay_forwarded (MediaTestRelay *relay)
{
  return relay->forwarded;
}

void
media_test_relay_free (MediaTestRelay *relay)
{
  for (GList *l = relay->pending; l != NULL; l = l->next) {
    Delayed *d = l->data;

    g_source_destroy (d->timer);
    delayed_free (d);
  }
  g_list_free (relay->pending);
  for (guint i = 0; i < 2; i++) {
    g_source_destroy (relay->watch[i]);
    g_source_unref (relay->watch[i]);
    g_clear_object (&relay->peer[i]);
    g_object_unref (relay->side[i]);
  }
  g_free (relay);
}
