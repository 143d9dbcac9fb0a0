/* test-cli.c: `sipws register`, `message`, `call` and `answer` against the
 * scripted peer, and a real call between two sipws processes through a
 * relaying fake proxy (media with webrtcbin on 127.0.0.1) */
#include "sipws-test-peer.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define CLI_TIMEOUT_MS 30000
#define PASSWORD "cli-secret"

typedef struct {
  GSubprocess *process;
  char *out;
  char *err;
  gboolean done;
} Run;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

/* Starts `sipws --json ARGS… --aor … --server @server_uri`. */
static Run *
run_start (const char         *server_uri,
           const char         *password,
           const char * const *args)
{
  const char *cli = g_getenv ("SIPWS_CLI");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_assert_nonnull (cli);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_setenv (launcher, "SIPWS_AUDIO_SINK", "fakesink", TRUE);
  g_subprocess_launcher_setenv (launcher, "SIPWS_LOCAL_ADDRESSES", "127.0.0.1", TRUE);
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "SIPWS_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SIPWS_PASSWORD");

  g_ptr_array_add (argv, (gpointer) cli);
  g_ptr_array_add (argv, "--json");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  if (server_uri != NULL)
    {
      g_ptr_array_add (argv, "--aor");
      g_ptr_array_add (argv, SIPWS_TEST_AOR);
      g_ptr_array_add (argv, "--instance-id");
      g_ptr_array_add (argv, SIPWS_TEST_INSTANCE);
      g_ptr_array_add (argv, "--server");
      g_ptr_array_add (argv, (gpointer) server_uri);
    }
  g_ptr_array_add (argv, NULL);

  run->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (run->process, NULL, NULL, communicated_cb, run);
  return run;
}

static int
run_finish (Run *run)
{
  if (!sipws_test_wait_flag (&run->done, CLI_TIMEOUT_MS))
    {
      g_subprocess_force_exit (run->process);
      sipws_test_wait_flag (&run->done, CLI_TIMEOUT_MS);
      g_error ("sipws did not exit; stderr: %s", run->err);
    }
  if (g_test_verbose ())
    g_test_message ("stdout:\n%s\nstderr:\n%s", run->out, run->err);
  return g_subprocess_get_if_exited (run->process) ? g_subprocess_get_exit_status (run->process) : -1;
}

static void
run_free (Run *run)
{
  g_object_unref (run->process);
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* Every JSON event of @out with "event" == @name, in order. */
static GPtrArray *
events (const char *out,
        const char *name)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      if (*lines[i] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member (object, "event"), name) == 0)
        g_ptr_array_add (found, json_node_copy (json_parser_get_root (parser)));
    }
  return found;
}

static JsonObject *
event_at (GPtrArray *list,
          guint      index)
{
  g_assert_cmpuint (index, <, list->len);
  return json_node_get_object (g_ptr_array_index (list, index));
}

static void
test_register (void)
{
  g_autoptr(SipwsTestPeer) peer = sipws_test_peer_new ();
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *args[] = { "register", NULL };
  g_autoptr(Run) run = run_start (uri, NULL, args);
  g_autoptr(SipwsMessage) request = sipws_test_peer_expect (peer, "REGISTER");
  g_autoptr(SipwsMessage) unregister = NULL;
  g_autoptr(GPtrArray) registered = NULL;
  g_autoptr(GPtrArray) unregistered = NULL;

  sipws_test_peer_accept_register (peer, request, 300);
  unregister = sipws_test_peer_expect (peer, "REGISTER");
  g_assert_cmpint (sipws_message_get_expires (unregister), ==, 0);
  sipws_test_peer_reply (peer, unregister, 200);
  g_assert_cmpint (run_finish (run), ==, 0);

  registered = events (run->out, "registered");
  g_assert_cmpuint (registered->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (event_at (registered, 0), "aor"), ==, SIPWS_TEST_AOR);
  g_assert_cmpstr (json_object_get_string_member (event_at (registered, 0), "instance"), ==, SIPWS_TEST_INSTANCE);
  unregistered = events (run->out, "unregistered");
  g_assert_cmpuint (unregistered->len, ==, 1);
}

static void
test_register_digest (void)
{
  g_autoptr(SipwsTestPeer) peer = sipws_test_peer_new ();
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *args[] = { "register", NULL };
  g_autoptr(Run) run = run_start (uri, PASSWORD, args);
  g_autoptr(SipwsMessage) first = sipws_test_peer_expect (peer, "REGISTER");
  g_autoptr(SipwsMessage) challenge = sipws_test_peer_response (peer, first, 401);
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) unregister = NULL;

  sipws_message_set_header (challenge, "WWW-Authenticate",
                            "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256");
  sipws_test_peer_send (peer, challenge);
  second = sipws_test_peer_expect (peer, "REGISTER");
  g_assert_nonnull (strstr (sipws_message_get_header (second, "Authorization"), "algorithm=SHA-256"));
  sipws_test_peer_accept_register (peer, second, 300);
  unregister = sipws_test_peer_expect (peer, "REGISTER");
  /* The un-REGISTER reuses the challenge: no new 401 round. */
  g_assert_nonnull (sipws_message_get_header (unregister, "Authorization"));
  sipws_test_peer_reply (peer, unregister, 200);
  g_assert_cmpint (run_finish (run), ==, 0);
  /* The password never shows. */
  g_assert_null (strstr (run->out, PASSWORD));
  g_assert_null (strstr (run->err, PASSWORD));
}

static void
test_register_refused (void)
{
  g_autoptr(SipwsTestPeer) peer = sipws_test_peer_new ();
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *args[] = { "register", NULL };
  g_autoptr(Run) run = run_start (uri, NULL, args);
  g_autoptr(SipwsMessage) request = sipws_test_peer_expect (peer, "REGISTER");
  g_autoptr(GPtrArray) failed = NULL;

  sipws_test_peer_reply (peer, request, 403);
  g_assert_cmpint (run_finish (run), ==, 1);
  g_assert_nonnull (strstr (run->err, "403 Forbidden"));
  failed = events (run->out, "registration-failed");
  g_assert_cmpuint (failed->len, ==, 1);
}

static void
test_usage (void)
{
  const char *no_aor[] = { "register", "--server", "ws://127.0.0.1:1/", NULL };
  const char *bad_aor[] = { "register", "--aor", "mailto:x@y", "--server", "ws://127.0.0.1:1/", NULL };
  const char *message_args[] = { "message", "sip:bob@example.com", NULL };
  g_autoptr(Run) run1 = run_start (NULL, NULL, no_aor);
  g_autoptr(Run) run2 = run_start (NULL, NULL, bad_aor);
  g_autoptr(Run) run3 = run_start (NULL, NULL, message_args);

  g_assert_cmpint (run_finish (run1), ==, 2);
  g_assert_nonnull (strstr (run1->err, "--aor"));
  g_assert_cmpint (run_finish (run2), ==, 2);
  g_assert_nonnull (strstr (run2->err, "mailto:x@y"));
  g_assert_cmpint (run_finish (run3), ==, 2);
  g_assert_nonnull (strstr (run3->err, "usage"));
}

static void
test_message (gconstpointer data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(SipwsTestPeer) peer = sipws_test_peer_new ();
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *args[] = { "message", "sip:bob@example.com", "hello ✓", NULL };
  g_autoptr(Run) run = run_start (uri, NULL, args);
  g_autoptr(SipwsMessage) request = sipws_test_peer_expect (peer, "MESSAGE");
  g_autofree char *body = sipws_test_get_body (request);
  g_autoptr(GPtrArray) sent = NULL;

  g_assert_cmpstr (body, ==, "hello ✓");
  g_assert_cmpstr (sipws_message_get_content_type (request), ==, "text/plain");
  sipws_test_peer_reply (peer, request, status);
  g_assert_cmpint (run_finish (run), ==, status < 300 ? 0 : 1);
  sent = events (run->out, "message-sent");
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_true (json_object_get_boolean_member (event_at (sent, 0), "delivered") == (status < 300));
  if (status >= 300)
    g_assert_nonnull (strstr (run->err, "404 Not Found"));
}

static gboolean have_webrtc;

static void
test_call_busy (void)
{
  g_autoptr(SipwsTestPeer) peer = sipws_test_peer_new ();
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *args[] = { "call", "sip:bob@example.com", "--tone", "440", NULL };
  g_autoptr(Run) run = NULL;
  g_autoptr(SipwsMessage) request = NULL;
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) unregister = NULL;
  g_autoptr(GPtrArray) states = NULL;
  g_autofree char *sdp = NULL;
  JsonObject *last;

  if (!have_webrtc)
    {
      g_test_skip ("GStreamer webrtcbin is not available");
      return;
    }
  run = run_start (uri, NULL, args);
  request = sipws_test_peer_expect (peer, "REGISTER");
  sipws_test_peer_accept_register (peer, request, 300);
  invite = sipws_test_peer_expect (peer, "INVITE");
  /* The offer of the real media session: WebRTC audio. */
  sdp = sipws_test_get_body (invite);
  g_assert_nonnull (strstr (sdp, "m=audio"));
  g_assert_nonnull (strstr (sdp, "a=fingerprint:"));
  sipws_test_peer_reply (peer, invite, 486);
  ack = sipws_test_peer_expect (peer, "ACK");
  unregister = sipws_test_peer_expect (peer, "REGISTER");
  sipws_test_peer_reply (peer, unregister, 200);

  g_assert_cmpint (run_finish (run), ==, 1);
  g_assert_nonnull (strstr (run->err, "486 Busy Here"));
  states = events (run->out, "call-state");
  g_assert_cmpuint (states->len, >=, 2);
  last = event_at (states, states->len - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "state"), ==, "ended");
  g_assert_cmpstr (json_object_get_string_member (last, "reason"), ==, "busy");
  g_assert_cmpint (json_object_get_int_member (last, "status"), ==, 486);
}

/* A stateless fake proxy between two servers: REGISTERs are answered here,
 * every other message goes to the other side unchanged. */
typedef struct {
  SipwsTestPeer *a;
  SipwsTestPeer *b;
  guint relayed;
} Relay;

static void
relay_from (Relay         *relay,
            SipwsTestPeer *from,
            SipwsTestPeer *to)
{
  GBytes *bytes;

  while ((bytes = sipws_fake_ws_server_pop_message (from->server, NULL)) != NULL)
    {
      g_autoptr(SipwsMessage) message = sipws_message_parse_bytes (bytes, NULL);

      g_assert_nonnull (message);
      if (g_strcmp0 (sipws_message_get_method (message), "REGISTER") == 0)
        sipws_test_peer_accept_register (from, message, 300);
      else
        {
          sipws_fake_ws_server_send_message (to->server, bytes, FALSE);
          relay->relayed++;
        }
      g_bytes_unref (bytes);
    }
}

static void
relay_a_cb (SipwsFakeWsServer *server,
            GBytes            *message,
            gboolean           binary,
            Relay             *relay)
{
  relay_from (relay, relay->a, relay->b);
}

static void
relay_b_cb (SipwsFakeWsServer *server,
            GBytes            *message,
            gboolean           binary,
            Relay             *relay)
{
  relay_from (relay, relay->b, relay->a);
}

static void
test_call_answer (void)
{
  g_autoptr(SipwsTestPeer) a = sipws_test_peer_new ();
  g_autoptr(SipwsTestPeer) b = sipws_test_peer_new ();
  g_autofree char *uri_a = sipws_test_peer_get_uri (a);
  g_autofree char *uri_b = sipws_test_peer_get_uri (b);
  const char *answer_args[] = { "answer", "--count", "1", "--tone", "440", NULL };
  const char *call_args[] = { "call", "sip:alice@example.com", "--duration", "3", "--tone", "880", "--dtmf", "5",
                              NULL };
  Relay relay = { .a = a, .b = b };
  g_autoptr(Run) answerer = NULL;
  g_autoptr(Run) caller = NULL;
  g_autoptr(GPtrArray) incoming = NULL;
  g_autoptr(GPtrArray) caller_states = NULL;
  g_autoptr(GPtrArray) answer_states = NULL;
  g_autoptr(GPtrArray) dtmf = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  JsonObject *last_stats;

  if (!have_webrtc)
    {
      g_test_skip ("GStreamer webrtcbin is not available");
      return;
    }
  g_signal_connect (a->server, "message-received", G_CALLBACK (relay_a_cb), &relay);
  g_signal_connect (b->server, "message-received", G_CALLBACK (relay_b_cb), &relay);

  answerer = run_start (uri_b, NULL, answer_args);
  g_assert_true (sipws_fake_ws_server_wait_connections (b->server, 1, CLI_TIMEOUT_MS));
  /* Let its REGISTER through before the call comes. */
  sipws_test_run_for (300);
  caller = run_start (uri_a, NULL, call_args);

  g_assert_cmpint (run_finish (caller), ==, 0);
  g_assert_cmpint (run_finish (answerer), ==, 0);
  g_signal_handlers_disconnect_by_data (a->server, &relay);
  g_signal_handlers_disconnect_by_data (b->server, &relay);

  incoming = events (answerer->out, "incoming-call");
  g_assert_cmpuint (incoming->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (event_at (incoming, 0), "from"), ==, SIPWS_TEST_AOR);

  caller_states = events (caller->out, "call-state");
  answer_states = events (answerer->out, "call-state");
  g_assert_cmpstr (json_object_get_string_member (event_at (caller_states, caller_states->len - 1), "reason"), ==,
                   "local-hangup");
  g_assert_cmpstr (json_object_get_string_member (event_at (answer_states, answer_states->len - 1), "reason"), ==,
                   "remote-hangup");
  g_assert_cmpint (json_object_get_int_member (event_at (answer_states, answer_states->len - 1), "duration"), >=, 2);

  /* The digit arrived, in the media or by INFO. */
  dtmf = events (answerer->out, "dtmf");
  g_assert_cmpuint (dtmf->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (event_at (dtmf, 0), "digit"), ==, "5");

  /* And audio flowed. */
  stats = events (answerer->out, "stats");
  g_assert_cmpuint (stats->len, >=, 1);
  last_stats = event_at (stats, stats->len - 1);
  g_assert_cmpint (json_object_get_int_member (last_stats, "packets_received"), >, 50);
  g_assert_cmpuint (relay.relayed, >=, 5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ua/cli/register", test_register);
  g_test_add_func ("/ua/cli/register-digest", test_register_digest);
  g_test_add_func ("/ua/cli/register-refused", test_register_refused);
  g_test_add_func ("/ua/cli/usage", test_usage);
  g_test_add_data_func ("/ua/cli/message-delivered", GUINT_TO_POINTER (200), test_message);
  g_test_add_data_func ("/ua/cli/message-refused", GUINT_TO_POINTER (404), test_message);
  g_test_add_func ("/ua/cli/call-busy", test_call_busy);
  g_test_add_func ("/ua/cli/call-answer", test_call_answer);

  gst_init (&argc, &argv);
  have_webrtc = gst_registry_check_feature_version (gst_registry_get (), "webrtcbin", 1, 22, 0);

  return g_test_run ();
}
