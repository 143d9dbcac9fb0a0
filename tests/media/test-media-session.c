/* test-media-session.c: two media sessions in one process exchange audio over loopback */
#include "media-test-utils.h"
#include "sipws-devices.h"

#include <string.h>
#include <glib/gstdio.h>
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


/* Connects the pair (A offers) and waits until both hear each other. */
static void
connect_and_hear (Pair *pair)
{
  media_test_connect (pair->a, pair->b);
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 880, 5000), >=, 0);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 440, 5000), >=, 0);
}

typedef struct {
  GString *digits;
  GArray  *durations;
} DtmfLog;

static void
dtmf_received_cb (SipwsMediaHandler *handler,
                  char               digit,
                  guint              duration_ms,
                  DtmfLog           *log)
{
  g_string_append_c (log->digits, digit);
  g_array_append_val (log->durations, duration_ms);
}

static gboolean
got_digits (gpointer data)
{
  return ((DtmfLog *) data)->digits->len >= 4;
}

static gboolean
got_two_digits (gpointer data)
{
  return ((DtmfLog *) data)->digits->len >= 2;
}

static void
test_dtmf (Pair          *pair,
           gconstpointer  data)
{
  DtmfLog log = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (!media_test_plugins_available ())
    return;

  g_signal_connect (pair->b, "dtmf-received", G_CALLBACK (dtmf_received_cb), &log);
  connect_and_hear (pair);

  start = g_get_monotonic_time ();
  for (const char *d = "123#"; *d != '\0'; d++) {
    g_assert_true (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), *d, 300, &error));
    g_assert_no_error (error);
  }
  g_assert_true (media_test_wait (got_digits, &log, 5000));
  g_test_message ("4 digits of 300 ms arrived after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpstr (log.digits->str, ==, "123#");
  for (guint i = 0; i < log.durations->len; i++) {
    guint duration = g_array_index (log.durations, guint, i);

    g_test_message ("digit %c lasted %u ms", log.digits->str[i], duration);
    g_assert_cmpuint (duration, >=, 280);
    g_assert_cmpuint (duration, <=, 380);
  }

  /* A invalid digit is refused without touching the stream */
  g_assert_false (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), 'x', 100, &error));
  g_assert_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_INVALID_DIGIT);

  g_string_free (log.digits, TRUE);
  g_array_unref (log.durations);
}

/* Removes payload types from an SDP: a peer that does not support them. */
static char *
strip_payloads (const char         *sdp,
                const char * const *pts)
{
  g_auto(GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++) {
    gboolean skip = lines[i][0] == '\0';

    for (guint j = 0; pts[j] != NULL && !skip; j++) {
      g_autofree char *rtpmap = g_strdup_printf ("a=rtpmap:%s ", pts[j]);
      g_autofree char *fmtp = g_strdup_printf ("a=fmtp:%s ", pts[j]);

      skip = g_str_has_prefix (lines[i], rtpmap) || g_str_has_prefix (lines[i], fmtp);
    }
    if (skip)
      continue;
    if (g_str_has_prefix (lines[i], "m=audio ")) {
      g_auto(GStrv) parts = g_strsplit (lines[i], " ", -1);

      g_string_append_printf (out, "%s %s %s", parts[0], parts[1], parts[2]);
      for (guint k = 3; parts[k] != NULL; k++) {
        if (!g_strv_contains (pts, parts[k]))
          g_string_append_printf (out, " %s", parts[k]);
      }
      g_string_append (out, "\r\n");
    } else {
      g_string_append_printf (out, "%s\r\n", lines[i]);
    }
  }
  return g_string_free (out, FALSE);
}

/* Gateways and Firefox offer telephone-event only at 8000 Hz next to Opus:
 * the events then go in the Opus stream with durations in 8 kHz units. */
static void
test_dtmf_8000_with_opus (Pair          *pair,
                          gconstpointer  data)
{
  static const char *te_48000[] = { "110", NULL };
  DtmfLog log = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *answer = NULL;

  if (!media_test_plugins_available ())
    return;

  g_signal_connect (pair->a, "dtmf-received", G_CALLBACK (dtmf_received_cb), &log);
  offer = media_test_create_offer (pair->a, &error);
  g_assert_no_error (error);
  stripped = strip_payloads (offer, te_48000);
  answer = media_test_create_answer (pair->b, stripped, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (answer, "a=rtpmap:101 telephone-event/8000\r\n"));
  g_assert_nonnull (strstr (answer, "a=rtpmap:111 opus/48000/2\r\n"));
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), answer, FALSE, &error));
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 880, 5000), >=, 0);

  for (const char *d = "9*"; *d != '\0'; d++)
    g_assert_true (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->b), *d, 400, &error));
  g_assert_true (media_test_wait (got_two_digits, &log, 5000));
  g_assert_cmpstr (log.digits->str, ==, "9*");
  for (guint i = 0; i < log.durations->len; i++) {
    g_test_message ("digit %c lasted %u ms", log.digits->str[i], g_array_index (log.durations, guint, i));
    g_assert_cmpuint (g_array_index (log.durations, guint, i), >=, 380);
    g_assert_cmpuint (g_array_index (log.durations, guint, i), <=, 480);
  }
  g_string_free (log.digits, TRUE);
  g_array_unref (log.durations);
}

static void
test_dtmf_not_negotiated (Pair          *pair,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *answer = NULL;

  if (!media_test_plugins_available ())
    return;

  /* before any answer nothing can be sent */
  g_assert_false (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), '5', 100, &error));
  g_assert_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_NOT_SENDING);
  g_clear_error (&error);

  offer = media_test_create_offer (pair->a, &error);
  g_assert_no_error (error);
  stripped = strip_payloads (offer, (const char *[]) { "110", "101", NULL });
  g_assert_null (strstr (stripped, "telephone-event"));
  answer = media_test_create_answer (pair->b, stripped, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (answer, "telephone-event"));
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), answer, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 440, 5000), >=, 0);

  /* the user agent falls back to SIP INFO on this error */
  g_assert_false (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), '5', 100, &error));
  g_assert_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED);
  g_clear_error (&error);
  g_assert_false (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->b), '5', 100, &error));
  g_assert_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_DTMF_NOT_NEGOTIATED);
}

/* Packets @session receives during @ms. */
static guint64
packets_during (SipwsMediaSession *session,
                guint              ms)
{
  guint64 before = media_test_packets_received (session);

  media_test_spin (ms);
  return media_test_packets_received (session) - before;
}

/* One re-offer from @offerer with @direction; returns the direction
 * attribute of the answer. */
static void
reinvite (SipwsMediaSession   *offerer,
          SipwsMediaSession   *answerer,
          SipwsMediaDirection  direction,
          const char          *offer_attr,
          const char          *answer_attr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;

  sipws_media_handler_set_direction (SIPWS_MEDIA_HANDLER (offerer), direction);
  offer = media_test_create_offer (offerer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (offer, offer_attr));
  answer = media_test_create_answer (answerer, offer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (answer, answer_attr));
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (offerer), answer, FALSE, &error));
  g_assert_no_error (error);
}

static void
test_hold_resume (Pair          *pair,
                  gconstpointer  data)
{
  guint64 a_held, b_held, a_inactive, b_inactive;
  gint64 resumed;

  if (!media_test_plugins_available ())
    return;

  connect_and_hear (pair);
  g_assert_cmpuint (packets_during (pair->a, 500), >=, 15);

  /* A holds B: A keeps sending (music on hold), B stops */
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDONLY, "a=sendonly\r\n", "a=recvonly\r\n");
  media_test_spin (300);
  a_held = packets_during (pair->a, 1000);
  b_held = packets_during (pair->b, 1000);
  g_test_message ("on hold: A received %" G_GUINT64_FORMAT ", B %" G_GUINT64_FORMAT " packets in 1 s", a_held, b_held);
  g_assert_cmpuint (a_held, <=, 2);
  g_assert_cmpuint (b_held, >=, 40);
  g_assert_cmpfloat (sipws_media_session_get_level (pair->a), ==, -100.0);
  g_assert_true (media_test_hears (pair->b, 440));

  /* inactive: nothing either way */
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_INACTIVE, "a=inactive\r\n", "a=inactive\r\n");
  media_test_spin (300);
  a_inactive = packets_during (pair->a, 700);
  b_inactive = packets_during (pair->b, 700);
  g_assert_cmpuint (a_inactive, <=, 2);
  g_assert_cmpuint (b_inactive, <=, 2);

  /* resume */
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDRECV, "a=sendrecv\r\n", "a=sendrecv\r\n");
  resumed = media_test_wait_for_tone (pair->a, 880, 3000);
  g_test_message ("A hears B again %" G_GINT64_FORMAT " ms after the resume answer", resumed);
  g_assert_cmpint (resumed, >=, 0);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 440, 3000), >=, 0);

  /* B holds A with its own re-offer */
  reinvite (pair->b, pair->a, SIPWS_MEDIA_DIRECTION_SENDONLY, "a=sendonly\r\n", "a=recvonly\r\n");
  media_test_spin (300);
  g_assert_cmpuint (packets_during (pair->b, 700), <=, 2);
  g_assert_true (media_test_hears (pair->a, 880));
}

static gboolean
got_one_digit (gpointer data)
{
  return ((DtmfLog *) data)->digits->len >= 1;
}

/* While and right after a digit, webrtcbin's sink pad last saw
 * telephone-event caps, and webrtcbin filters the receive pad's caps query
 * of every offer with them: the re-offer of a hold failed then. */
static void
test_dtmf_then_reoffer (Pair          *pair,
                        gconstpointer  data)
{
  DtmfLog log = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autoptr(GError) error = NULL;

  if (!media_test_plugins_available ())
    return;

  g_signal_connect (pair->b, "dtmf-received", G_CALLBACK (dtmf_received_cb), &log);
  connect_and_hear (pair);

  /* hold as soon as the digit arrived */
  g_assert_true (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), '5', 200, &error));
  g_assert_no_error (error);
  g_assert_true (media_test_wait (got_one_digit, &log, 3000));
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDONLY, "a=sendonly\r\n", "a=recvonly\r\n");
  media_test_spin (300);
  g_assert_true (media_test_hears (pair->b, 440));

  /* resume in the middle of a digit; the digit still arrives whole */
  g_assert_true (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), '6', 400, &error));
  g_assert_no_error (error);
  media_test_spin (100);
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDRECV, "a=sendrecv\r\n", "a=sendrecv\r\n");
  g_assert_true (media_test_wait (got_two_digits, &log, 3000));
  g_assert_cmpstr (log.digits->str, ==, "56");
  g_assert_cmpuint (g_array_index (log.durations, guint, 1), >=, 380);
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 880, 3000), >=, 0);

  g_string_free (log.digits, TRUE);
  g_array_unref (log.durations);
}

/* ---- DTMF at the earliest moments, and the audio around it ---- */

typedef struct {
  SipwsMediaState send_on;
  gboolean        lose_finish;  /* the answerer gets its DTLS keys 1 s late */
} EarlyCase;

typedef struct {
  Pair           *pair;
  DtmfLog         log;          /* what B received */
  const char     *digits;       /* A sends them ... */
  SipwsMediaState send_on;      /* ... when A's media reaches this state */
  gboolean        sent;
} EarlyDtmf;

static void
send_digits (SipwsMediaSession *session,
             const char        *digits)
{
  for (const char *d = digits; *d != '\0'; d++) {
    g_autoptr(GError) error = NULL;

    g_assert_true (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (session), *d, 160, &error));
    g_assert_no_error (error);
  }
}

static void
early_state_cb (SipwsMediaSession *session,
                GParamSpec        *pspec,
                EarlyDtmf         *early)
{
  if (!early->sent && sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (session)) == early->send_on) {
    early->sent = TRUE;
    send_digits (session, early->digits);
  }
}

static gboolean
got_all_digits (gpointer data)
{
  EarlyDtmf *early = data;

  return early->log.digits->len >= strlen (early->digits);
}

/* Each session hears its frequency at every check for @ms (the level goes
 * stale after 400 ms without audio, so any longer gap fails) and packets
 * keep coming: at least 10 in every half second, of the 25 sent, which a
 * heavily loaded machine still delivers. @b may be %NULL. */
static void
assert_hear_steadily (SipwsMediaSession *a,
                      double             a_frequency,
                      SipwsMediaSession *b,
                      double             b_frequency,
                      guint              ms)
{
  SipwsMediaSession *sessions[] = { a, b };
  double frequencies[] = { a_frequency, b_frequency };
  guint64 windows[2] = { 0, 0 };

  for (guint i = 0; i < 2 && sessions[i] != NULL; i++)
    windows[i] = media_test_packets_received (sessions[i]);
  for (guint t = 100; t <= ms; t += 100) {
    media_test_spin (100);
    for (guint i = 0; i < 2 && sessions[i] != NULL; i++) {
      if (!media_test_hears (sessions[i], frequencies[i]))
        g_error ("the %.0f Hz tone stopped after %u ms: level %.1f dB, %.0f Hz", frequencies[i], t,
                 sipws_media_session_get_level (sessions[i]), sipws_media_session_get_frequency (sessions[i]));
      if (t % 500 == 0) {
        guint64 now = media_test_packets_received (sessions[i]);

        if (now < windows[i] + 10)
          g_error ("only %" G_GUINT64_FORMAT " packets of the %.0f Hz tone in the half second before %u ms",
                   now - windows[i], frequencies[i], t);
        windows[i] = now;
      }
    }
  }
}

/* Audio is replaced by the events while they play, and until the end of
 * rtpdtmfsrc's inter-digit pause after the last one (the end packets are
 * received before): the tone is heard again within a second, once the
 * level heard before the digits went stale. */
static void
wait_tone_back (SipwsMediaSession *session,
                double             frequency)
{
  gint64 back;

  media_test_spin (500);
  back = media_test_wait_for_tone (session, frequency, 1000);
  g_test_message ("the %.0f Hz tone is back %" G_GINT64_FORMAT " ms later", frequency, back + 500);
  g_assert_cmpint (back, >=, 0);
}

/* A call over a link with a round-trip time (the relay), where A sends
 * digits at the first moment the user agent can: when the answer is applied
 * (the call becomes active) or when A's media reports CONNECTED. A is the
 * DTLS server and completes first; B needs A's last flight, which may also
 * be lost once (B then waits for its 1 s retransmission timer). B gets every
 * digit, and afterwards hears A's tone without a gap, and A B's. */
static void
test_dtmf_early (Pair          *pair,
                 gconstpointer  data)
{
  const EarlyCase *c = data;
  MediaTestRelay *relay = media_test_relay_new (40);
  EarlyDtmf early = { pair, { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) }, "5", c->send_on,
                      FALSE };
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *relayed_offer = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *relayed_answer = NULL;
  gint64 start;

  if (!media_test_plugins_available ()) {
    media_test_relay_free (relay);
    return;
  }

  if (c->lose_finish)
    media_test_relay_lose_dtls_finish (relay);
  g_signal_connect (pair->b, "dtmf-received", G_CALLBACK (dtmf_received_cb), &early.log);
  g_signal_connect (pair->a, "notify::media-state", G_CALLBACK (early_state_cb), &early);
  offer = media_test_create_offer (pair->a, &error);
  g_assert_no_error (error);
  relayed_offer = media_test_relay_offer (relay, offer);
  answer = media_test_create_answer (pair->b, relayed_offer, &error);
  g_assert_no_error (error);
  relayed_answer = media_test_relay_answer (relay, answer);
  start = g_get_monotonic_time ();
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), relayed_answer, FALSE,
                                                        &error));
  g_assert_no_error (error);
  /* CONNECTING: the state in which the user agent calls the call active */
  early_state_cb (pair->a, NULL, &early);
  g_assert_true (early.sent || early.send_on == SIPWS_MEDIA_STATE_CONNECTED);

  g_assert_true (media_test_wait (got_all_digits, &early, 5000));
  g_test_message ("digit %s arrived %" G_GINT64_FORMAT " ms after the answer, lasting %u ms",
                  early.log.digits->str, (g_get_monotonic_time () - start) / 1000,
                  g_array_index (early.log.durations, guint, 0));
  g_assert_cmpstr (early.log.digits->str, ==, "5");
  g_assert_cmpuint (g_array_index (early.log.durations, guint, 0), >=, 140);

  wait_tone_back (pair->b, 440);
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 880, 1500), >=, 0);
  assert_hear_steadily (pair->b, 440, pair->a, 880, 2000);
  g_assert_cmpuint (media_test_relay_forwarded (relay), >, 200);

  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (pair->a));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (pair->b));
  media_test_relay_free (relay);
  g_string_free (early.log.digits, TRUE);
  g_array_unref (early.log.durations);
}

static gboolean
got_three_digits (gpointer data)
{
  return ((DtmfLog *) data)->digits->len >= 3;
}

static gboolean
both_got_digits (gpointer data)
{
  DtmfLog *logs = data;

  return logs[0].digits->len >= 4 && logs[1].digits->len >= 2;
}

/* Digits both ways at once, then after a hold and resume: every digit
 * arrives in order and the tones come back and stay, both ways. */
static void
test_dtmf_audio_continues (Pair          *pair,
                           gconstpointer  data)
{
  DtmfLog logs[2] = {
    { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) },   /* B received */
    { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint)) },   /* A received */
  };

  if (!media_test_plugins_available ())
    return;

  g_signal_connect (pair->b, "dtmf-received", G_CALLBACK (dtmf_received_cb), &logs[0]);
  g_signal_connect (pair->a, "dtmf-received", G_CALLBACK (dtmf_received_cb), &logs[1]);
  connect_and_hear (pair);

  send_digits (pair->a, "123#");
  send_digits (pair->b, "9*");
  g_assert_true (media_test_wait (both_got_digits, logs, 5000));
  g_assert_cmpstr (logs[0].digits->str, ==, "123#");
  g_assert_cmpstr (logs[1].digits->str, ==, "9*");
  wait_tone_back (pair->b, 440);
  wait_tone_back (pair->a, 880);
  assert_hear_steadily (pair->b, 440, pair->a, 880, 2000);

  /* B is put on hold, then resumed, and sends a digit at once */
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDONLY, "a=sendonly\r\n", "a=recvonly\r\n");
  media_test_spin (300);
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDRECV, "a=sendrecv\r\n", "a=sendrecv\r\n");
  send_digits (pair->b, "0");
  g_assert_true (media_test_wait (got_three_digits, &logs[1], 3000));
  g_assert_cmpstr (logs[1].digits->str, ==, "9*0");
  wait_tone_back (pair->a, 880);
  assert_hear_steadily (pair->a, 880, NULL, 0, 2000);

  for (guint i = 0; i < 2; i++) {
    g_string_free (logs[i].digits, TRUE);
    g_array_unref (logs[i].durations);
  }
}

static gboolean
is_quiet (gpointer data)
{
  return sipws_media_session_get_level (data) < -60.0;
}

/* B turns into an echo of A in the middle of the call and back. */
static void
test_loopback (Pair          *pair,
               gconstpointer  data)
{
  gint64 direct, echoed;
  guint notifies = 0;

  if (!media_test_plugins_available ())
    return;

  g_signal_connect_swapped (pair->b, "notify::loopback", G_CALLBACK (g_atomic_int_inc), &notifies);
  connect_and_hear (pair);
  sipws_media_session_set_loopback (pair->b, TRUE);
  g_assert_true (sipws_media_session_get_loopback (pair->b));
  g_assert_cmpuint (notifies, ==, 1);

  /* A hears its own 440 Hz and never B's 880 Hz source again */
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 440, 2000), >=, 0);
  assert_hear_steadily (pair->a, 440, pair->b, 440, 2000);
  g_assert_true (media_test_hears (pair->b, 440));

  /* the echo's delay: a new tone from A reaches B, then comes back */
  sipws_media_session_set_send_tone (pair->a, 660);
  direct = media_test_wait_for_tone (pair->b, 660, 2000);
  echoed = media_test_wait_for_tone (pair->a, 660, 2000);
  g_test_message ("B hears A's new tone after %" G_GINT64_FORMAT " ms, A hears it back %" G_GINT64_FORMAT " ms later",
                  direct, echoed);
  g_assert_cmpint (direct, >=, 0);
  g_assert_cmpint (echoed, >=, 0);
  g_assert_cmpint (echoed, <, 500);

  /* A stops sending: B sends silence, with the stream's timing intact */
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_RECVONLY, "a=recvonly\r\n", "a=sendonly\r\n");
  g_assert_true (media_test_wait (is_quiet, pair->a, 2000));
  g_assert_cmpuint (packets_during (pair->a, 1000), >=, 40);
  g_assert_true (is_quiet (pair->a));
  reinvite (pair->a, pair->b, SIPWS_MEDIA_DIRECTION_SENDRECV, "a=sendrecv\r\n", "a=sendrecv\r\n");
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 660, 2000), >=, 0);

  /* back to B's own source */
  sipws_media_session_set_loopback (pair->b, FALSE);
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 880, 2000), >=, 0);
  assert_hear_steadily (pair->a, 880, NULL, 0, 1000);
  g_assert_cmpuint (notifies, ==, 2);
}

/* An echo service: the answerer loops back from the first packet on. */
static void
test_loopback_from_start (Pair          *pair,
                          gconstpointer  data)
{
  if (!media_test_plugins_available ())
    return;

  g_object_set (pair->b, "loopback", TRUE, NULL);
  media_test_connect (pair->a, pair->b);
  g_assert_cmpint (media_test_wait_for_tone (pair->a, 440, 5000), >=, 0);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 440, 1000), >=, 0);
  assert_hear_steadily (pair->a, 440, NULL, 0, 1500);
}

static void
test_mute (Pair          *pair,
           gconstpointer  data)
{
  if (!media_test_plugins_available ())
    return;

  connect_and_hear (pair);
  sipws_media_handler_set_muted (SIPWS_MEDIA_HANDLER (pair->a), TRUE);
  g_assert_true (sipws_media_session_get_muted (pair->a));
  g_assert_true (media_test_wait (is_quiet, pair->b, 2000));
  /* silence still flows: no renegotiation, no RTP gap */
  g_assert_cmpuint (packets_during (pair->b, 500), >=, 15);
  g_assert_true (media_test_hears (pair->a, 880));

  sipws_media_handler_set_muted (SIPWS_MEDIA_HANDLER (pair->a), FALSE);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 440, 2000), >=, 0);
}

/* A GstDevice whose element is a tone, standing in for a microphone. */
#define TEST_TYPE_TONE_DEVICE (test_tone_device_get_type ())
G_DECLARE_FINAL_TYPE (TestToneDevice, test_tone_device, TEST, TONE_DEVICE, GstDevice)

struct _TestToneDevice {
  GstDevice parent_instance;
  double    frequency;
};

G_DEFINE_FINAL_TYPE (TestToneDevice, test_tone_device, GST_TYPE_DEVICE)

static GstElement *
test_tone_device_create_element (GstDevice  *device,
                                 const char *name)
{
  GstElement *src = gst_element_factory_make ("audiotestsrc", name);

  g_object_set (src, "is-live", TRUE, "do-timestamp", TRUE, "volume", 0.3,
                "freq", TEST_TONE_DEVICE (device)->frequency, NULL);
  return src;
}

static void
test_tone_device_class_init (TestToneDeviceClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = test_tone_device_create_element;
}

static void
test_tone_device_init (TestToneDevice *self)
{
}

static GstDevice *
tone_device_new (double      frequency,
                 const char *device_class,
                 gboolean    is_default)
{
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple ("audio/x-raw");
  g_autoptr(GstStructure) properties = gst_structure_new ("properties", "is-default", G_TYPE_BOOLEAN, is_default, NULL);
  g_autofree char *name = g_strdup_printf ("Test %s %.0f Hz", device_class, frequency);
  TestToneDevice *device = g_object_new (TEST_TYPE_TONE_DEVICE, "display-name", name,
                                         "device-class", device_class, "caps", caps,
                                         "properties", properties, NULL);

  device->frequency = frequency;
  return GST_DEVICE (device);
}

/* A device provider with two tone "microphones" (330 Hz is the default) and
 * one "speaker", standing in for PulseAudio or PipeWire. */
#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GstDeviceProvider)

struct _TestProvider {
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (TestProvider, test_provider, GST_TYPE_DEVICE_PROVIDER)

static GList *
test_provider_probe (GstDeviceProvider *provider)
{
  GList *devices = NULL;

  devices = g_list_append (devices, gst_object_ref_sink (tone_device_new (770, "Audio/Source", FALSE)));
  devices = g_list_append (devices, gst_object_ref_sink (tone_device_new (330, "Audio/Source", TRUE)));
  devices = g_list_append (devices, gst_object_ref_sink (tone_device_new (0, "Audio/Sink", TRUE)));
  return devices;
}

static void
test_provider_class_init (TestProviderClass *klass)
{
  GST_DEVICE_PROVIDER_CLASS (klass)->probe = test_provider_probe;
  gst_device_provider_class_set_static_metadata (GST_DEVICE_PROVIDER_CLASS (klass), "Test audio devices",
                                                 "Audio/Source/Sink", "Tones as microphones", "libsipws");
}

static void
test_provider_init (TestProvider *self)
{
}

static void
test_devices (void)
{
  g_autoptr(SipwsDevices) devices = sipws_devices_new ();
  g_autoptr(GPtrArray) sources = sipws_devices_get_sources (devices);
  g_autoptr(GPtrArray) sinks = sipws_devices_get_sinks (devices);
  g_autoptr(GstDevice) default_source = sipws_devices_get_default_source (devices);
  g_autoptr(GstDevice) default_sink = sipws_devices_get_default_sink (devices);
  guint ours = 0;

  for (guint i = 0; i < sources->len; i++) {
    GstDevice *device = g_ptr_array_index (sources, i);

    g_assert_true (gst_device_has_classes (device, "Audio/Source"));
    ours += TEST_IS_TONE_DEVICE (device);
  }
  g_assert_cmpuint (ours, ==, 2);
  g_assert_cmpuint (sinks->len, >=, 1);
  g_assert_true (TEST_IS_TONE_DEVICE (default_source));
  g_assert_cmpfloat (TEST_TONE_DEVICE (default_source)->frequency, ==, 330);
  g_assert_nonnull (default_sink);
  g_assert_true (gst_device_has_classes (default_sink, "Audio/Sink"));
}

static void
test_switch_source (Pair          *pair,
                    gconstpointer  data)
{
  g_autoptr(SipwsDevices) devices = NULL;
  g_autoptr(GstDevice) device = NULL;
  gint64 took;

  if (!media_test_plugins_available ())
    return;

  connect_and_hear (pair);

  sipws_media_session_set_send_tone (pair->a, 660);
  took = media_test_wait_for_tone (pair->b, 660, 3000);
  g_test_message ("B hears the new 660 Hz tone %" G_GINT64_FORMAT " ms after the switch", took);
  g_assert_cmpint (took, >=, 0);

  /* the default microphone of the device list */
  devices = sipws_devices_new ();
  device = sipws_devices_get_default_source (devices);
  g_assert_nonnull (device);
  sipws_media_session_set_input_device (pair->a, device);
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 330, 3000), >=, 0);

  sipws_media_session_set_audio_source (pair->a, "audiotestsrc is-live=true do-timestamp=true freq=550 volume=0.3");
  g_assert_cmpint (media_test_wait_for_tone (pair->b, 550, 3000), >=, 0);

  /* no renegotiation happened and media still goes both ways */
  g_assert_true (media_test_hears (pair->a, 880));
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (pair->b)), ==, SIPWS_MEDIA_STATE_CONNECTED);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static gboolean
file_grows (gpointer data)
{
  return file_size (data) > 48000;
}

/* Switching the output mid-call: the received audio goes to the new sink,
 * then is recorded and played back from a file by the other side. */
static void
test_switch_sink_and_files (Pair          *pair,
                            gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("sipws-media-XXXXXX", NULL);
  g_autofree char *sink_wav = g_build_filename (dir, "sink.wav", NULL);
  g_autofree char *record_wav = g_build_filename (dir, "record.wav", NULL);
  g_autofree char *sink = g_strdup_printf ("wavenc ! filesink location=\"%s\"", sink_wav);
  g_autoptr(SipwsMediaSession) c = NULL;
  g_autoptr(SipwsMediaSession) d = NULL;
  gint64 took;

  if (!media_test_plugins_available ())
    return;

  sipws_media_session_set_record_file (pair->b, record_wav);
  connect_and_hear (pair);
  sipws_media_session_set_audio_sink (pair->b, sink);
  g_assert_true (media_test_wait (file_grows, sink_wav, 3000));
  g_assert_true (media_test_hears (pair->b, 440));

  /* B's recording of A's 440 Hz is played by a third session to a fourth */
  media_test_spin (500);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (pair->b));
  g_assert_cmpint (file_size (record_wav), >, 44 + 48000);
  c = media_test_session_new (0);
  d = media_test_session_new (880);
  sipws_media_session_set_play_file (c, record_wav);
  media_test_connect (c, d);
  took = media_test_wait_for_tone (d, 440, 5000);
  g_test_message ("the recorded tone plays back after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 0);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (c));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (d));

  g_unlink (sink_wav);
  g_unlink (record_wav);
  g_rmdir (dir);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

/* 183 with an answer that only lets B send (ringback), then 200 with the
 * full answer: A hears early media and only starts sending on the 200. */
static void
test_early_media (Pair          *pair,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *early = NULL;
  g_autoptr(SipwsMediaSession) c = NULL;
  g_autofree char *other_answer = NULL;
  gint64 took;

  if (!media_test_plugins_available ())
    return;

  offer = media_test_create_offer (pair->a, &error);
  g_assert_no_error (error);
  answer = media_test_create_answer (pair->b, offer, &error);
  g_assert_no_error (error);
  early = replace_once (answer, "a=sendrecv", "a=sendonly");

  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), early, TRUE, &error));
  g_assert_no_error (error);
  took = media_test_wait_for_tone (pair->a, 880, 5000);
  g_test_message ("early media heard after %" G_GINT64_FORMAT " ms", took);
  g_assert_cmpint (took, >=, 0);
  g_assert_cmpuint (packets_during (pair->b, 700), ==, 0);
  /* no DTMF while we may not send */
  g_assert_false (sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (pair->a), '1', 100, &error));
  g_assert_error (error, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_NOT_SENDING);
  g_clear_error (&error);

  /* a 2xx answer from another endpoint (a fork) is refused */
  c = media_test_session_new (0);
  other_answer = media_test_create_answer (c, offer, &error);
  g_assert_no_error (error);
  g_assert_false (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), other_answer, FALSE, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
  g_clear_error (&error);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (c));

  /* the 200 carries a different answer: sendrecv */
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), answer, FALSE, &error));
  g_assert_no_error (error);
  took = media_test_wait_for_tone (pair->b, 440, 3000);
  g_test_message ("B hears A %" G_GINT64_FORMAT " ms after the final answer", took);
  g_assert_cmpint (took, >=, 0);
  g_assert_true (media_test_hears (pair->a, 880));

  /* no offer is outstanding any more */
  g_assert_false (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (pair->a), answer, FALSE, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
}

static void
stats_updated_cb (SipwsMediaSession  *session,
                  const GstStructure *stats,
                  guint              *count)
{
  (*count)++;
}

static gboolean
two_updates (gpointer data)
{
  return *(guint *) data >= 2;
}

static gboolean
has_selected_pair (gpointer data)
{
  g_autoptr(GstStructure) stats = sipws_media_session_get_stats (data);

  return gst_structure_has_field (stats, "local-candidate") && gst_structure_has_field (stats, "remote-candidate");
}

static void
test_stats (Pair          *pair,
            gconstpointer  data)
{
  g_autoptr(GstStructure) stats = NULL;
  guint64 sent = 0, received = 0, bytes_sent = 0, bytes_received = 0;
  double jitter = -1, rtt = 0, mos = 0, loss = -1;
  guint updates = 0;
  g_autofree char *text = NULL;

  if (!media_test_plugins_available ())
    return;

  g_signal_connect (pair->a, "stats-updated", G_CALLBACK (stats_updated_cb), &updates);
  connect_and_hear (pair);
  g_assert_true (media_test_wait (has_selected_pair, pair->a, 3000));
  media_test_spin (500);

  stats = sipws_media_session_get_stats (pair->a);
  text = gst_structure_to_string (stats);
  g_test_message ("%s", text);
  g_assert_true (gst_structure_get_uint64 (stats, "packets-sent", &sent));
  g_assert_true (gst_structure_get_uint64 (stats, "packets-received", &received));
  g_assert_true (gst_structure_get_uint64 (stats, "bytes-sent", &bytes_sent));
  g_assert_true (gst_structure_get_uint64 (stats, "bytes-received", &bytes_received));
  g_assert_true (gst_structure_get_double (stats, "jitter-ms", &jitter));
  g_assert_true (gst_structure_get_double (stats, "rtt-ms", &rtt));
  g_assert_true (gst_structure_get_double (stats, "loss-fraction", &loss));
  g_assert_true (gst_structure_get_double (stats, "mos", &mos));
  g_assert_cmpuint (sent, >=, 25);
  g_assert_cmpuint (received, >=, 25);
  g_assert_cmpuint (bytes_sent, >, sent * 12);
  g_assert_cmpuint (bytes_received, >, received * 12);
  g_assert_cmpfloat (jitter, >=, 0.0);
  g_assert_cmpfloat (jitter, <, 50.0);
  g_assert_true (rtt == -1.0 || (rtt >= 0.0 && rtt < 100.0));
  g_assert_cmpfloat (loss, ==, 0.0);
  g_assert_cmpfloat (mos, >, 4.0);
  g_assert_cmpfloat (mos, <=, 4.5);
  g_assert_cmpstr (gst_structure_get_string (stats, "codec"), ==, "opus/48000");
  g_assert_true (g_str_has_prefix (gst_structure_get_string (stats, "local-candidate"), "udp 127.0.0.1:"));
  g_assert_true (g_str_has_suffix (gst_structure_get_string (stats, "local-candidate"), " host"));
  g_assert_true (g_str_has_prefix (gst_structure_get_string (stats, "remote-candidate"), "udp 127.0.0.1:"));
  g_assert_true (media_test_wait (two_updates, &updates, 3000));
}

static void
failure_cb (SipwsMediaHandler *handler,
            const GError      *error,
            GError           **out)
{
  g_assert_null (*out);
  *out = g_error_copy (error);
}

static gboolean
has_error (gpointer data)
{
  return *(GError **) data != NULL;
}

/* A session that reports media failures into @failure within 1.5 s. */
static SipwsMediaSession *
watched_session_new (GError **failure)
{
  SipwsMediaSession *session = media_test_session_new (440);

  g_object_set (session, "media-timeout", 1500, NULL);
  g_signal_connect (session, "media-failed", G_CALLBACK (failure_cb), failure);
  return session;
}

/* A man in the middle: the answer's fingerprint is not the certificate
 * the peer presents. webrtcbin 1.22 does not check it; the session does. */
static void
test_fingerprint_mismatch (void)
{
  g_autoptr(SipwsMediaSession) a = NULL;
  g_autoptr(SipwsMediaSession) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *forged = NULL;
  const char *fingerprint;
  GString *text;

  if (!media_test_plugins_available ())
    return;

  a = watched_session_new (&failure);
  b = media_test_session_new (880);
  offer = media_test_create_offer (a, &error);
  g_assert_no_error (error);
  answer = media_test_create_answer (b, offer, &error);
  g_assert_no_error (error);

  /* flip the first hex digit of the fingerprint */
  fingerprint = strstr (answer, "a=fingerprint:sha-256 ");
  g_assert_nonnull (fingerprint);
  text = g_string_new (answer);
  {
    gsize at = fingerprint - answer + strlen ("a=fingerprint:sha-256 ");

    text->str[at] = text->str[at] == '0' ? '1' : '0';
  }
  forged = g_string_free (text, FALSE);

  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (a), forged, FALSE, &error));
  g_assert_true (media_test_wait (has_error, &failure, 5000));
  g_test_message ("%s", failure->message);
  g_assert_error (failure, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_DTLS_FAILED);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_FAILED);
  /* and nothing of B's is played (the level goes stale after 400 ms) */
  media_test_spin (500);
  g_assert_cmpfloat (sipws_media_session_get_level (a), ==, -100.0);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (a));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (b));
}

/* The answer's endpoint is gone before ICE starts: ICE cannot connect. */
static void
test_ice_failure (void)
{
  g_autoptr(SipwsMediaSession) a = NULL;
  g_autoptr(SipwsMediaSession) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *offer = NULL;
  g_autofree char *answer = NULL;
  gint64 start;

  if (!media_test_plugins_available ())
    return;

  a = watched_session_new (&failure);
  gone = media_test_session_new (880);
  offer = media_test_create_offer (a, &error);
  g_assert_no_error (error);
  answer = media_test_create_answer (gone, offer, &error);
  g_assert_no_error (error);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (gone));

  start = g_get_monotonic_time ();
  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (a), answer, FALSE, &error));
  g_assert_true (media_test_wait (has_error, &failure, 5000));
  g_test_message ("after %" G_GINT64_FORMAT " ms: %s", (g_get_monotonic_time () - start) / 1000, failure->message);
  g_assert_error (failure, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_ICE_FAILED);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_FAILED);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (a));
}

/* ICE and DTLS come up but the peer never sends a packet. */
static void
test_no_rtp (void)
{
  g_autoptr(SipwsMediaSession) a = NULL;
  g_autoptr(SipwsMediaSession) silent = NULL;
  g_autoptr(GError) failure = NULL;
  gint64 start;

  if (!media_test_plugins_available ())
    return;

  a = watched_session_new (&failure);
  silent = media_test_session_new (0);
  sipws_media_session_set_audio_source (silent, "appsrc is-live=true format=time caps=audio/x-raw,format=S16LE,rate=48000,channels=1,layout=interleaved");

  start = g_get_monotonic_time ();
  media_test_connect (a, silent);
  g_assert_true (media_test_wait (has_error, &failure, 5000));
  g_test_message ("after %" G_GINT64_FORMAT " ms: %s", (g_get_monotonic_time () - start) / 1000, failure->message);
  g_assert_error (failure, SIPWS_MEDIA_ERROR, SIPWS_MEDIA_ERROR_NO_RTP);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (a));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (silent));
}

static void
test_cancel_and_close (void)
{
  g_autoptr(SipwsMediaSession) a = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  MediaTestSdpResult first = { FALSE }, second = { FALSE }, third = { FALSE }, closed = { FALSE };
  guint notifies = 0;

  if (!media_test_plugins_available ())
    return;

  a = media_test_session_new (440);
  g_signal_connect_swapped (a, "notify::media-state", G_CALLBACK (g_atomic_int_inc), &notifies);

  /* a second negotiation while one is running is refused */
  sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (a), cancellable, media_test_offer_cb, &first);
  sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (a), NULL, media_test_offer_cb, &second);
  g_assert_true (media_test_wait (media_test_sdp_done, &second, 1000));
  g_assert_error (second.error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_NEGOTIATING);

  g_cancellable_cancel (cancellable);
  g_assert_true (media_test_wait (media_test_sdp_done, &first, 1000));
  g_assert_null (first.sdp);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_NEW);

  /* closing fails the pending offer, and is idempotent */
  sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (a), NULL, media_test_offer_cb, &third);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (a));
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (a));
  g_assert_true (media_test_wait (media_test_sdp_done, &third, 1000));
  g_assert_error (third.error, SIPWS_ERROR, SIPWS_ERROR_CANCELLED);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_CLOSED);

  /* everything after close fails cleanly */
  sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (a), NULL, media_test_offer_cb, &closed);
  g_assert_true (media_test_wait (media_test_sdp_done, &closed, 1000));
  g_assert_error (closed.error, SIPWS_ERROR, SIPWS_ERROR_CANCELLED);
  g_assert_false (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (a), "v=0\r\n", FALSE, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_CANCELLED);
  g_assert_cmpuint (notifies, ==, 4);  /* NEGOTIATING, NEW (cancelled), NEGOTIATING, CLOSED */

  g_clear_error (&first.error);
  g_clear_error (&second.error);
  g_clear_error (&third.error);
  g_clear_error (&closed.error);
  g_assert_finalize_object (g_steal_pointer (&a));
}

static void
test_answer_without_offer (void)
{
  g_autoptr(SipwsMediaSession) a = sipws_media_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (a), "v=0\r\n", FALSE, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (a)), ==, SIPWS_MEDIA_STATE_NEW);
  g_assert_finalize_object (g_steal_pointer (&a));
}

static void
test_ice_servers (void)
{
  g_autoptr(SipwsMediaSession) a = sipws_media_session_new ();
  static const char *bad[] = { "http://example.org", "stun:", "stun:host:0", "stun:host:99999",
                               "turn:host?transport=sctp", "stun:host?transport=udp", "turn:[::1", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (sipws_media_session_add_ice_server (a, "stun:127.0.0.1:3478", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sipws_media_session_add_ice_server (a, "turn:[::1]:3478?transport=udp", "user", "p@ss:word", &error));
  g_assert_true (sipws_media_session_add_ice_server (a, "turns:127.0.0.1", "user", "secret", &error));
  g_assert_false (sipws_media_session_add_ice_server (a, "turn:127.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  for (guint i = 0; bad[i] != NULL; i++) {
    g_clear_error (&error);
    g_assert_false (sipws_media_session_add_ice_server (a, bad[i], "u", "p", &error));
    g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  }
  g_assert_finalize_object (g_steal_pointer (&a));
}

int
main (int   argc,
      char *argv[])
{
  static const EarlyCase at_answer = { SIPWS_MEDIA_STATE_CONNECTING, FALSE };
  static const EarlyCase on_connected = { SIPWS_MEDIA_STATE_CONNECTED, FALSE };
  static const EarlyCase at_answer_finish_lost = { SIPWS_MEDIA_STATE_CONNECTING, TRUE };
  static const EarlyCase on_connected_finish_lost = { SIPWS_MEDIA_STATE_CONNECTED, TRUE };

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  gst_device_provider_register (NULL, "sipwstestaudio", GST_RANK_PRIMARY, TEST_TYPE_PROVIDER);

  g_test_add ("/media/session/tone/a-offers", Pair, GINT_TO_POINTER (FALSE), pair_setup, test_tone_both_ways, pair_teardown);
  g_test_add ("/media/session/tone/b-offers", Pair, GINT_TO_POINTER (TRUE), pair_setup, test_tone_both_ways, pair_teardown);
  g_test_add ("/media/session/dtmf", Pair, NULL, pair_setup, test_dtmf, pair_teardown);
  g_test_add ("/media/session/dtmf-8000-with-opus", Pair, NULL, pair_setup, test_dtmf_8000_with_opus, pair_teardown);
  g_test_add ("/media/session/dtmf-not-negotiated", Pair, NULL, pair_setup, test_dtmf_not_negotiated, pair_teardown);
  g_test_add ("/media/session/dtmf/at-answer", Pair, &at_answer, pair_setup, test_dtmf_early, pair_teardown);
  g_test_add ("/media/session/dtmf/on-connected", Pair, &on_connected, pair_setup, test_dtmf_early, pair_teardown);
  g_test_add ("/media/session/dtmf/at-answer-finish-lost", Pair, &at_answer_finish_lost, pair_setup,
              test_dtmf_early, pair_teardown);
  g_test_add ("/media/session/dtmf/on-connected-finish-lost", Pair, &on_connected_finish_lost, pair_setup,
              test_dtmf_early, pair_teardown);
  g_test_add ("/media/session/dtmf/audio-continues", Pair, NULL, pair_setup, test_dtmf_audio_continues,
              pair_teardown);
  g_test_add ("/media/session/dtmf/then-reoffer", Pair, NULL, pair_setup, test_dtmf_then_reoffer, pair_teardown);
  g_test_add ("/media/session/hold-resume", Pair, NULL, pair_setup, test_hold_resume, pair_teardown);
  g_test_add ("/media/session/mute", Pair, NULL, pair_setup, test_mute, pair_teardown);
  g_test_add ("/media/session/loopback/mid-call", Pair, NULL, pair_setup, test_loopback, pair_teardown);
  g_test_add ("/media/session/loopback/from-start", Pair, NULL, pair_setup, test_loopback_from_start, pair_teardown);
  g_test_add ("/media/session/switch-source", Pair, NULL, pair_setup, test_switch_source, pair_teardown);
  g_test_add ("/media/session/switch-sink-and-files", Pair, NULL, pair_setup, test_switch_sink_and_files, pair_teardown);
  g_test_add ("/media/session/early-media", Pair, NULL, pair_setup, test_early_media, pair_teardown);
  g_test_add ("/media/session/stats", Pair, NULL, pair_setup, test_stats, pair_teardown);
  g_test_add_func ("/media/session/failure/ice", test_ice_failure);
  g_test_add_func ("/media/session/failure/no-rtp", test_no_rtp);
  g_test_add_func ("/media/session/failure/fingerprint", test_fingerprint_mismatch);
  g_test_add_func ("/media/session/cancel-and-close", test_cancel_and_close);
  g_test_add_func ("/media/session/answer-without-offer", test_answer_without_offer);
  g_test_add_func ("/media/session/ice-servers", test_ice_servers);
  g_test_add_func ("/media/devices/list", test_devices);

  return g_test_run ();
}
