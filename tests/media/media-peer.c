/* media-peer.c: one side of a call for the two-process test
 *
 * Exchanges SDP with its parent over stdin/stdout, each body framed as
 * "SDP <length>\n<body>", sends a tone (and, with --dtmf, digits as soon as
 * the answer is applied) and reports on stdout whether it heard the other
 * side's, whether it still hears it at the end, and the digits received:
 *   RESULT heard=<0|1> frequency=<Hz> level=<dB> packets=<n> ready_ms=<n> heard_ms=<n>
 *          end_heard=<0|1> end_packets=<n in the second before the last> digits=<received>
 * It never runs longer than --seconds plus the SDP wait limit, so a peer
 * whose parent died goes away by itself (and with it its network namespace).
 */
#include "sipws-media-session.h"
#include "sipws-error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>

#define SDP_WAIT_S 20
#define MAX_SDP (64 * 1024)

static gboolean
read_sdp (char   **sdp,
          GError **error)
{
  char header[64];
  guint64 length;
  char *body;

  if (fgets (header, sizeof header, stdin) == NULL || !g_str_has_prefix (header, "SDP ") ||
      !g_ascii_string_to_unsigned (g_strstrip (header + 4), 10, 1, MAX_SDP, &length, NULL)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "expected an SDP frame on stdin");
    return FALSE;
  }
  body = g_malloc0 (length + 1);
  if (fread (body, 1, length, stdin) != length) {
    g_free (body);
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "SDP frame cut short");
    return FALSE;
  }
  *sdp = body;
  return TRUE;
}

static void
write_sdp (const char *sdp)
{
  printf ("SDP %zu\n%s", strlen (sdp), sdp);
  fflush (stdout);
}

typedef struct {
  gboolean  done;
  char     *sdp;
  GError   *error;
  gboolean  answer;
} Pending;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *p = user_data;

  if (p->answer)
    p->sdp = sipws_media_handler_create_answer_finish (SIPWS_MEDIA_HANDLER (source), result, &p->error);
  else
    p->sdp = sipws_media_handler_create_offer_finish (SIPWS_MEDIA_HANDLER (source), result, &p->error);
  p->done = TRUE;
}

static void
wait_pending (Pending *p)
{
  gint64 deadline = g_get_monotonic_time () + SDP_WAIT_S * G_USEC_PER_SEC;

  while (!p->done && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  }
}

static void
dtmf_cb (SipwsMediaHandler *handler,
         char               digit,
         guint              duration_ms,
         gpointer           user_data)
{
  g_string_append_c (user_data, digit);
}

/* Sends @digits at once: right after the answer, before ICE and DTLS are up,
 * as a user agent does when the call becomes active. */
static gboolean
send_digits (SipwsMediaSession  *session,
             const char         *digits,
             GError            **error)
{
  for (const char *d = digits; d != NULL && *d != '\0'; d++) {
    if (!sipws_media_handler_send_dtmf (SIPWS_MEDIA_HANDLER (session), *d, 160, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
hears (SipwsMediaSession *session,
       double             expect)
{
  return sipws_media_session_get_level (session) > -40.0 &&
         fabs (sipws_media_session_get_frequency (session) - expect) < 15.0;
}

static guint64
packets_received (SipwsMediaSession *session)
{
  g_autoptr(GstStructure) stats = sipws_media_session_get_stats (session);
  guint64 packets = 0;

  gst_structure_get_uint64 (stats, "packets-received", &packets);
  return packets;
}

static void
failed_cb (SipwsMediaHandler *handler,
           const GError      *error,
           gpointer           user_data)
{
  fprintf (stderr, "media-peer: media failed: %s\n", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *role = NULL;
  double tone = 440, expect = 880;
  int seconds = 3;
  gboolean wait_start = FALSE;
  g_autofree char *dtmf = NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "offer or answer", "ROLE" },
    { "tone", 0, 0, G_OPTION_ARG_DOUBLE, &tone, "tone to send (Hz)", "HZ" },
    { "expect", 0, 0, G_OPTION_ARG_DOUBLE, &expect, "tone to detect (Hz)", "HZ" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "how long to listen", "S" },
    { "wait-start", 0, 0, G_OPTION_ARG_NONE, &wait_start, "wait for a START line (network set up)", NULL },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &dtmf, "digits to send as soon as the answer is applied", "DIGITS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- one side of a media test call");
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMediaSession) session = NULL;
  g_autofree char *remote = NULL;
  Pending p = { FALSE };
  gint64 start, deadline, heard_at = -1, ready_ms;
  gboolean heard = FALSE, in_tail = FALSE, measured_end = FALSE, end_heard = FALSE;
  guint64 packets, tail_base = 0, end_packets = 0;

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      (g_strcmp0 (role, "offer") != 0 && g_strcmp0 (role, "answer") != 0)) {
    fprintf (stderr, "media-peer: %s\n", error != NULL ? error->message : "--role offer|answer is required");
    return 2;
  }
  if (wait_start) {
    char line[16];

    if (fgets (line, sizeof line, stdin) == NULL || !g_str_has_prefix (line, "START")) {
      fprintf (stderr, "media-peer: no START line\n");
      return 1;
    }
  }

  session = sipws_media_session_new ();
  g_object_set (session, "audio-sink", "fakesink async=false", "jitter-buffer", 50, "media-timeout", 5000, NULL);
  sipws_media_session_set_send_tone (session, tone);
  g_signal_connect (session, "media-failed", G_CALLBACK (failed_cb), NULL);
  g_signal_connect (session, "dtmf-received", G_CALLBACK (dtmf_cb), digits);

  if (g_strcmp0 (role, "offer") == 0) {
    sipws_media_handler_create_offer_async (SIPWS_MEDIA_HANDLER (session), NULL, done_cb, &p);
    wait_pending (&p);
    if (p.sdp == NULL)
      goto failed;
    write_sdp (p.sdp);
    if (!read_sdp (&remote, &error))
      goto failed;
    start = g_get_monotonic_time ();
    ready_ms = 0;
    if (!sipws_media_handler_set_remote_answer (SIPWS_MEDIA_HANDLER (session), remote, FALSE, &error) ||
        !send_digits (session, dtmf, &error))
      goto failed;
  } else {
    if (!read_sdp (&remote, &error))
      goto failed;
    start = g_get_monotonic_time ();
    p.answer = TRUE;
    sipws_media_handler_create_answer_async (SIPWS_MEDIA_HANDLER (session), remote, NULL, done_cb, &p);
    wait_pending (&p);
    if (p.sdp == NULL)
      goto failed;
    ready_ms = (g_get_monotonic_time () - start) / 1000;
    write_sdp (p.sdp);
    if (!send_digits (session, dtmf, &error))
      goto failed;
  }

  deadline = start + (gint64) seconds * G_USEC_PER_SEC;
  /* The "end" is the second before the last one: the other side, which
   * may have started earlier, is still sending then. */
  while (g_get_monotonic_time () < deadline) {
    gint64 now;

    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (5000);
    now = g_get_monotonic_time ();
    if (!heard && hears (session, expect)) {
      heard = TRUE;
      heard_at = (now - start) / 1000;
    }
    if (!in_tail && now >= deadline - 2 * G_USEC_PER_SEC) {
      in_tail = TRUE;
      tail_base = packets_received (session);
    }
    if (!measured_end && now >= deadline - G_USEC_PER_SEC) {
      measured_end = TRUE;
      end_heard = hears (session, expect);
      end_packets = packets_received (session) - tail_base;
    }
  }
  packets = packets_received (session);
  printf ("RESULT heard=%d frequency=%.0f level=%.1f packets=%" G_GUINT64_FORMAT " ready_ms=%" G_GINT64_FORMAT
          " heard_ms=%" G_GINT64_FORMAT " end_heard=%d end_packets=%" G_GUINT64_FORMAT " digits=%s\n",
          heard, sipws_media_session_get_frequency (session), sipws_media_session_get_level (session), packets,
          ready_ms, heard_at, end_heard, end_packets,
          digits->str);
  fflush (stdout);
  sipws_media_handler_close (SIPWS_MEDIA_HANDLER (session));
  return heard ? 0 : 1;

failed:
  fprintf (stderr, "media-peer: %s\n", p.error != NULL ? p.error->message : error != NULL ? error->message : "timeout");
  g_clear_error (&p.error);
  return 1;
}
