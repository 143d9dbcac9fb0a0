/* test-media-session.c: two media sessions in one process exchange audio over loopback */
#include "media-test-utils.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

typedef struct {
  SipwsMediaSession *a;
  SipwsMediaSession *b;
  GPtrArray         *failures;
} Pair;

static void
media_failed_cb (SipwsMediaHandler *handler,
                 const GError      *error,
                 gpointer           user_data)
{
  Pair *pair = user_data;

  g_test_message ("media-failed on %s: %s", (gpointer) handler == pair->a ? "A" : "B", error->message);
  g_ptr_array_add (pair->failures, g_error_copy (error));
}

static void
pair_setup (Pair          *pair,
            gconstpointer  data)
{
  pair->a = media_test_session_new (440);
  pair->b = media_test_session_new (880);
  pair->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_signal_connect (pair->a, "media-failed", G_CALLBACK (media_failed_cb), pair);
  g_signal_connect (pair->b, "media-failed", G_CALLBACK (media_failed_cb), pair);
}

static void
pair_teardown (Pair          *pair,
               gconstpointer  data)
{
  g_assert_cmpuint (pair->failures->len, ==, 0);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (pair->a));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (pair->b));
  g_assert_finalize_object (pair->a);
  g_assert_finalize_object (pair->b);
  g_ptr_array_unref (pair->failures);
}

static void
test_tone_both_ways (Pair          *pair,
                     gconstpointer  data)
{
  gboolean b_offers = GPOINTER_TO_INT (data);
  SipwsMediaSession *offerer = b_offers ? pair->b : pair->a;
  SipwsMediaSession *answerer = b_offers ? pair->a : pair->b;
  gint64 start = g_get_monotonic_time ();
  gint64 a_hears, b_hears;

  if (!media_test_plugins_available ())
    return;

  media_test_connect (offerer, answerer);
  g_test_message ("offer/answer done after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  a_hears = media_test_wait_for_tone (pair->a, 880, 5000);
  b_hears = media_test_wait_for_tone (pair->b, 440, 5000);
  g_test_message ("A hears 880 Hz after %" G_GINT64_FORMAT " ms, B hears 440 Hz %" G_GINT64_FORMAT " ms later",
                  a_hears, b_hears);
  g_assert_cmpint (a_hears, >=, 0);
  g_assert_cmpint (b_hears, >=, 0);
  g_assert_cmpstr (sipws_media_session_get_codec (pair->a), ==, "opus/48000");
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (pair->a)), ==, SIPWS_MEDIA_STATE_CONNECTED);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (pair->b)), ==, SIPWS_MEDIA_STATE_CONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/media/session/tone/a-offers", Pair, GINT_TO_POINTER (FALSE), pair_setup, test_tone_both_ways, pair_teardown);
  g_test_add ("/media/session/tone/b-offers", Pair, GINT_TO_POINTER (TRUE), pair_setup, test_tone_both_ways, pair_teardown);

  return g_test_run ();
}
