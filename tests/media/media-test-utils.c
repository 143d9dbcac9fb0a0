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
