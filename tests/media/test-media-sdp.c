/* test-media-sdp.c: captured browser and gateway SDPs are accepted and answered with valid SDP */
#include "media-test-utils.h"
#include "sipws-test-utils.h"

#include <string.h>
#include <gst/sdp/sdp.h>

typedef struct {
  const char *file;
  guint       n_media;
  guint       audio_index;
  const char *codec;       /* rtpmap of the answered codec */
  guint       pt;
  gint        te_pt;       /* -1: no telephone-event in the answer */
  const char *te_rtpmap;
  gboolean    uses_mid;
} OfferCase;

static const OfferCase offer_cases[] = {
  /* Chrome: audio+video BUNDLE, mDNS and TCP candidates, RED, extmaps */
  { "chrome-offer.sdp", 2, 0, "opus/48000/2", 111, 110, "telephone-event/48000", TRUE },
  /* Firefox: session-level fingerprint, telephone-event only at 8000 */
  { "firefox-offer.sdp", 1, 0, "opus/48000/2", 109, 101, "telephone-event/8000", TRUE },
  /* rtpengine: ICE-lite, no a=mid, no BUNDLE, PCMU first, session c= */
  { "rtpengine-offer.sdp", 1, 0, "opus/48000/2", 111, 101, "telephone-event/8000", FALSE },
};

static char *
load_sdp (const char *file)
{
  g_autoptr(GBytes) bytes = sipws_test_load_file ("corpus", "sdp", file, NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* SDP lines end with CRLF on the wire (RFC 4566 §5) */
  return g_strjoinv ("\r\n", lines);
}

static const char *
attr (const GstSDPMedia *media,
      const char        *key)
{
  return gst_sdp_media_get_attribute_val (media, key);
}

static guint
count_attrs (const GstSDPMedia *media,
             const char        *key)
{
  guint n = 0;

  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
    n += g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, key) == 0;
  return n;
}

static gboolean
has_attr_value (const GstSDPMedia *media,
                const char        *key,
                const char        *value)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);

    if (g_strcmp0 (a->key, key) == 0 && g_strcmp0 (a->value, value) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Everything a SIP WebRTC peer needs in our audio m-line. */
static void
check_our_audio (const GstSDPMedia *media,
                 const char        *setup)
{
  const GstSDPConnection *conn;
  const char *fingerprint = attr (media, "fingerprint");
  g_autofree char *port = g_strdup_printf ("%u", gst_sdp_media_get_port (media));

  g_assert_cmpstr (gst_sdp_media_get_media (media), ==, "audio");
  g_assert_cmpstr (gst_sdp_media_get_proto (media), ==, "UDP/TLS/RTP/SAVPF");
  g_assert_cmpuint (gst_sdp_media_get_port (media), >, 9);
  g_assert_cmpuint (gst_sdp_media_connections_len (media), ==, 1);
  conn = gst_sdp_media_get_connection (media, 0);
  g_assert_cmpstr (conn->nettype, ==, "IN");
  g_assert_cmpstr (conn->addrtype, ==, "IP4");
  g_assert_cmpstr (conn->address, ==, "127.0.0.1");

  g_assert_cmpstr (attr (media, "setup"), ==, setup);
  g_assert_cmpuint (strlen (attr (media, "ice-ufrag")), >=, 4);
  g_assert_cmpuint (strlen (attr (media, "ice-pwd")), >=, 22);
  g_assert_nonnull (fingerprint);
  g_assert_true (g_str_has_prefix (fingerprint, "sha-256 "));
  g_assert_cmpuint (strlen (fingerprint), ==, strlen ("sha-256 ") + 32 * 3 - 1);
  g_assert_true (has_attr_value (media, "rtcp-mux", ""));
  g_assert_cmpuint (count_attrs (media, "rtcp-mux-only"), ==, 0);
  g_assert_cmpuint (count_attrs (media, "ice-options"), ==, 0);

  /* RFC 8839: the default candidate is in m=/c= */
  g_assert_cmpuint (count_attrs (media, "candidate"), >=, 1);
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    g_auto(GStrv) tokens = NULL;

    if (g_strcmp0 (a->key, "candidate") != 0)
      continue;
    tokens = g_strsplit (a->value, " ", -1);
    g_assert_cmpuint (g_strv_length (tokens), >=, 8);
    g_assert_cmpstr (tokens[2], ==, "UDP");
    g_assert_cmpstr (tokens[4], ==, "127.0.0.1");
    g_assert_cmpstr (tokens[5], ==, port);
    g_assert_cmpstr (tokens[7], ==, "host");
  }
}

static void
test_offer (gconstpointer data)
{
  const OfferCase *c = data;
  g_autoptr(SipwsMediaSession) session = NULL;
  g_autoptr(GstSDPMessage) offer = NULL;
  g_autoptr(GstSDPMessage) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer_text = load_sdp (c->file);
  g_autofree char *answer_text = NULL;
  g_autofree char *rtpmap = g_strdup_printf ("%u %s", c->pt, c->codec);
  g_autofree char *pt = g_strdup_printf ("%u", c->pt);
  const GstSDPOrigin *origin;
  const GstSDPMedia *audio;
  const char *group;

  if (!media_test_plugins_available ())
    return;

  session = media_test_session_new (440);
  answer_text = media_test_create_answer (session, offer_text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer_text);
  if (g_test_verbose ())
    g_test_message ("answer to %s:\n%s", c->file, answer_text);

  g_assert_cmpint (gst_sdp_message_new_from_text (offer_text, &offer), ==, GST_SDP_OK);
  g_assert_cmpint (gst_sdp_message_new_from_text (answer_text, &answer), ==, GST_SDP_OK);
  g_assert_true (g_str_has_prefix (answer_text, "v=0\r\n"));
  origin = gst_sdp_message_get_origin (answer);
  g_assert_cmpstr (origin->username, ==, "-");
  g_assert_true (g_ascii_string_to_unsigned (origin->sess_id, 10, 0, G_MAXUINT64, NULL, NULL));
  g_assert_cmpstr (origin->addrtype, ==, "IP4");
  g_assert_cmpstr (origin->addr, ==, "127.0.0.1");
  g_assert_nonnull (strstr (answer_text, "\r\nt=0 0\r\n"));
  g_assert_null (gst_sdp_message_get_attribute_val (answer, "ice-options"));

  /* RFC 3264 §6: one m-line per offered m-line, in order */
  g_assert_cmpuint (gst_sdp_message_medias_len (answer), ==, c->n_media);
  for (guint i = 0; i < c->n_media; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (answer, i);
    const GstSDPMedia *o = gst_sdp_message_get_media (offer, i);

    g_assert_cmpstr (gst_sdp_media_get_media (m), ==, gst_sdp_media_get_media (o));
    if (c->uses_mid)
      g_assert_cmpstr (attr (m, "mid"), ==, attr (o, "mid"));
    else
      g_assert_null (attr (m, "mid"));
    if (i != c->audio_index)
      g_assert_cmpuint (gst_sdp_media_get_port (m), ==, 0);
  }

  audio = gst_sdp_message_get_media (answer, c->audio_index);
  check_our_audio (audio, "active");
  g_assert_cmpstr (gst_sdp_media_get_format (audio, 0), ==, pt);
  g_assert_true (has_attr_value (audio, "rtpmap", rtpmap));
  g_assert_true (has_attr_value (audio, "sendrecv", ""));
  if (c->te_pt >= 0) {
    g_autofree char *te = g_strdup_printf ("%d %s", c->te_pt, c->te_rtpmap);
    g_autofree char *te_pt = g_strdup_printf ("%d", c->te_pt);

    g_assert_cmpuint (gst_sdp_media_formats_len (audio), ==, 2);
    g_assert_cmpstr (gst_sdp_media_get_format (audio, 1), ==, te_pt);
    g_assert_true (has_attr_value (audio, "rtpmap", te));
  } else {
    g_assert_cmpuint (gst_sdp_media_formats_len (audio), ==, 1);
  }

  group = gst_sdp_message_get_attribute_val (answer, "group");
  if (c->uses_mid) {
    g_autofree char *expected = g_strdup_printf ("BUNDLE %s", attr (audio, "mid"));

    g_assert_cmpstr (group, ==, expected);
  } else {
    g_assert_null (group);
  }

  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (session));
}

/* A Chrome answer (mDNS candidate included) to our own offer. */
static void
test_chrome_answer (void)
{
  g_autoptr(SipwsMediaSession) session = NULL;
  g_autoptr(GstSDPMessage) offer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = load_sdp ("chrome-answer.sdp");
  g_autofree char *offer_text = NULL;
  guint failures = 0;

  if (!media_test_plugins_available ())
    return;

  session = media_test_session_new (440);
  g_signal_connect_swapped (session, "media-failed", G_CALLBACK (g_atomic_int_inc), &failures);
  offer_text = media_test_create_offer (session, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_test_message ("our offer:\n%s", offer_text);

  g_assert_cmpint (gst_sdp_message_new_from_text (offer_text, &offer), ==, GST_SDP_OK);
  g_assert_cmpuint (gst_sdp_message_medias_len (offer), ==, 1);
  check_our_audio (gst_sdp_message_get_media (offer, 0), "actpass");
  /* Opus first, G.711 for gateways, telephone-event at both rates */
  {
    const GstSDPMedia *m = gst_sdp_message_get_media (offer, 0);
    static const char *fmts[] = { "111", "0", "8", "110", "101" };

    g_assert_cmpuint (gst_sdp_media_formats_len (m), ==, G_N_ELEMENTS (fmts));
    for (guint i = 0; i < G_N_ELEMENTS (fmts); i++)
      g_assert_cmpstr (gst_sdp_media_get_format (m, i), ==, fmts[i]);
    g_assert_true (has_attr_value (m, "fmtp", "111 minptime=10;useinbandfec=1"));
    g_assert_true (has_attr_value (m, "rtpmap", "110 telephone-event/48000"));
    g_assert_true (has_attr_value (m, "rtpmap", "101 telephone-event/8000"));
    g_assert_true (has_attr_value (m, "fmtp", "101 0-16"));
    g_assert_cmpuint (count_attrs (m, "rtcp-fb"), ==, 0);
  }

  g_assert_true (sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (session), answer, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sipws_media_session_get_codec (session), ==, "opus/48000");
  /* webrtcbin applies it asynchronously: give it time to complain */
  media_test_spin (300);
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpint (sipws_media_handler_get_media_state (SIPWS_MEDIA_HANDLER (session)), ==,
                   SIPWS_MEDIA_STATE_CONNECTING);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (session));
}

typedef struct {
  const char *file;
  const char *message_part;
} BadCase;

static const BadCase bad_cases[] = {
  { "no-common-codec.sdp", "G722/8000, iLBC/8000" },
  { "plain-rtp-offer.sdp", "a=ice-ufrag" },
  { "sdes-offer.sdp", "DTLS-SRTP is required" },
};

static void
test_bad_offer (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(SipwsMediaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = load_sdp (c->file);
  g_autofree char *answer = NULL;

  if (!media_test_plugins_available ())
    return;

  session = media_test_session_new (440);
  answer = media_test_create_answer (session, offer, &error);
  g_assert_null (answer);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
  g_test_message ("%s: %s", c->file, error->message);
  g_assert_nonnull (strstr (error->message, c->message_part));
  /* the session is still usable: a valid offer is answered */
  g_clear_pointer (&offer, g_free);
  offer = load_sdp ("chrome-offer.sdp");
  g_clear_error (&error);
  answer = media_test_create_answer (session, offer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (session));
}

static void
test_garbage (void)
{
  static const char *inputs[] = {
    "",
    "hello",
    "v=1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n",
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\n",
    ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
     "a=fingerprint:sha-256 00\r\na=setup:bogus\r\n"),
  };
  g_autoptr(SipwsMediaSession) session = NULL;

  if (!media_test_plugins_available ())
    return;

  session = media_test_session_new (440);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *answer = media_test_create_answer (session, inputs[i], &error);

    g_assert_null (answer);
    g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_MEDIA);
    g_test_message ("input %u: %s", i, error->message);
  }
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (session));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (offer_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/media/sdp/offer/%s", offer_cases[i].file);

    g_test_add_data_func (path, &offer_cases[i], test_offer);
  }
  g_test_add_func ("/media/sdp/chrome-answer", test_chrome_answer);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/media/sdp/rejected/%s", bad_cases[i].file);

    g_test_add_data_func (path, &bad_cases[i], test_bad_offer);
  }
  g_test_add_func ("/media/sdp/garbage", test_garbage);

  return g_test_run ();
}
