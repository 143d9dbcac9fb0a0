/* test-media-cli.c: `sipws answer --echo` called by `sipws call`, two sipws
 * processes whose WebSocket servers a fake proxy in this process joins
 * (media with webrtcbin on 127.0.0.1) */
#include "sipws-test-peer.h"

#include <math.h>
#include <string.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#define PROCESS_LIMIT_MS 30000
/* what the answerer's own audio source would send, were it not an echo */
#define ANSWERER_SOURCE "audiotestsrc is-live=true do-timestamp=true freq=880 volume=0.3"

typedef struct {
  GSubprocess *process;
  char        *out;
  char        *err;
  gboolean     exited;
} Cli;

static void
cli_free (Cli *cli)
{
  g_clear_object (&cli->process);
  g_free (cli->out);
  g_free (cli->err);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static void
cli_exited_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &cli->out, &cli->err, &error);
  g_assert_no_error (error);
  cli->exited = TRUE;
}

/* `sipws --json ARGS --aor … --server @server_uri`, with media on loopback
 * and @source as the default audio source. */
static Cli *
cli_start (const char         *server_uri,
           const char         *source,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) command = NULL;
  g_autoptr(GError) error = NULL;
  Cli *cli = g_new0 (Cli, 1);

  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "SIPWS_PASSWORD");
  g_subprocess_launcher_setenv (launcher, "SIPWS_LOCAL_ADDRESSES", "127.0.0.1", TRUE);
  g_subprocess_launcher_setenv (launcher, "SIPWS_AUDIO_SINK", "fakesink", TRUE);
  g_subprocess_launcher_setenv (launcher, "SIPWS_AUDIO_SOURCE", source, TRUE);
  g_strv_builder_add_many (argv, g_getenv ("SIPWS_CLI"), "--json", NULL);
  g_strv_builder_addv (argv, (const char **) args);
  g_strv_builder_add_many (argv, "--aor", SIPWS_TEST_AOR, "--instance-id", SIPWS_TEST_INSTANCE,
                           "--server", server_uri, NULL);
  command = g_strv_builder_end (argv);

  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) command, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (cli->process, NULL, NULL, cli_exited_cb, cli);
  return cli;
}

static int
cli_wait (Cli *cli)
{
  if (!sipws_test_wait_flag (&cli->exited, PROCESS_LIMIT_MS)) {
    g_subprocess_force_exit (cli->process);
    sipws_test_wait_flag (&cli->exited, PROCESS_LIMIT_MS);
    g_error ("sipws did not exit in time; stderr: %s", cli->err);
  }
  if (g_test_verbose ())
    g_test_message ("stdout:\n%s\nstderr:\n%s", cli->out, cli->err);
  return g_subprocess_get_if_exited (cli->process) ? g_subprocess_get_exit_status (cli->process) : -1;
}

/* The --json events named @name that @cli printed, in order. */
static GPtrArray *
cli_events (Cli        *cli,
            const char *name)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (cli->out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    JsonObject *object;

    if (lines[i][0] == '\0')
      continue;
    node = json_from_string (lines[i], &error);
    g_assert_no_error (error);
    object = json_node_get_object (node);
    if (g_strcmp0 (json_object_get_string_member (object, "event"), name) == 0)
      g_ptr_array_add (found, json_object_ref (object));
  }
  return found;
}

/* The fake proxy: each sipws registers on its own server; the rest goes
 * to the other one unchanged. */
typedef struct {
  SipwsTestPeer *side[2];
} Proxy;

static void
proxy_forward (Proxy *proxy,
               guint  from)
{
  GBytes *bytes;

  while ((bytes = sipws_fake_ws_server_pop_message (proxy->side[from]->server, NULL)) != NULL) {
    g_autoptr(SipwsMessage) message = sipws_message_parse_bytes (bytes, NULL);

    g_assert_nonnull (message);
    if (g_strcmp0 (sipws_message_get_method (message), "REGISTER") == 0)
      sipws_test_peer_accept_register (proxy->side[from], message, 300);
    else
      sipws_fake_ws_server_send_message (proxy->side[1 - from]->server, bytes, FALSE);
    g_bytes_unref (bytes);
  }
}

static void
from_caller_cb (SipwsFakeWsServer *server,
                GBytes            *message,
                gboolean           binary,
                Proxy             *proxy)
{
  proxy_forward (proxy, 0);
}

static void
from_answerer_cb (SipwsFakeWsServer *server,
                  GBytes            *message,
                  gboolean           binary,
                  Proxy             *proxy)
{
  proxy_forward (proxy, 1);
}

static gboolean
hears (JsonObject *stats,
       double      frequency)
{
  return json_object_get_double_member (stats, "level_db") > -40.0 &&
         fabs (json_object_get_double_member (stats, "frequency_hz") - frequency) < 15.0;
}

/* The caller sends 440 Hz and a digit; the echo service, whose own source
 * would send 880 Hz, sends the caller's audio back instead. */
static void
test_echo (void)
{
  g_autoptr(SipwsTestPeer) caller_server = sipws_test_peer_new ();
  g_autoptr(SipwsTestPeer) answerer_server = sipws_test_peer_new ();
  g_autofree char *caller_uri = sipws_test_peer_get_uri (caller_server);
  g_autofree char *answerer_uri = sipws_test_peer_get_uri (answerer_server);
  const char *answer_args[] = { "answer", "--count", "1", "--echo", NULL };
  const char *call_args[] = { "call", SIPWS_TEST_AOR, "--duration", "3", "--tone", "440", "--dtmf", "5", NULL };
  Proxy proxy = { { caller_server, answerer_server } };
  g_autoptr(Cli) answerer = NULL;
  g_autoptr(Cli) caller = NULL;
  g_autoptr(GPtrArray) caller_stats = NULL;
  g_autoptr(GPtrArray) answerer_stats = NULL;
  g_autoptr(GPtrArray) digits = NULL;
  guint echoed = 0;

  if (!gst_registry_check_feature_version (gst_registry_get (), "webrtcbin", 1, 22, 0)) {
    g_test_skip ("GStreamer webrtcbin is not available");
    return;
  }
  g_signal_connect (caller_server->server, "message-received", G_CALLBACK (from_caller_cb), &proxy);
  g_signal_connect (answerer_server->server, "message-received", G_CALLBACK (from_answerer_cb), &proxy);

  answerer = cli_start (answerer_uri, ANSWERER_SOURCE, answer_args);
  g_assert_true (sipws_fake_ws_server_wait_connections (answerer_server->server, 1, PROCESS_LIMIT_MS));
  /* its REGISTER goes through before the call comes */
  sipws_test_run_for (300);
  caller = cli_start (caller_uri, ANSWERER_SOURCE, call_args);
  g_assert_cmpint (cli_wait (caller), ==, 0);
  g_assert_cmpint (cli_wait (answerer), ==, 0);
  g_signal_handlers_disconnect_by_data (caller_server->server, &proxy);
  g_signal_handlers_disconnect_by_data (answerer_server->server, &proxy);

  /* the caller hears itself, never the echo service's own source */
  caller_stats = cli_events (caller, "stats");
  g_assert_cmpuint (caller_stats->len, >=, 2);
  for (guint i = 0; i < caller_stats->len; i++) {
    JsonObject *stats = g_ptr_array_index (caller_stats, i);

    g_test_message ("caller: %" G_GINT64_FORMAT " packets, %.1f dB at %.0f Hz",
                    json_object_get_int_member (stats, "packets_received"),
                    json_object_get_double_member (stats, "level_db"),
                    json_object_get_double_member (stats, "frequency_hz"));
    g_assert_false (hears (stats, 880));
    echoed += hears (stats, 440);
  }
  g_assert_cmpuint (echoed, >=, 1);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (caller_stats, caller_stats->len - 1),
                                               "packets_received"), >, 50);

  /* the echo service heard the caller and got its digit */
  answerer_stats = cli_events (answerer, "stats");
  g_assert_cmpuint (answerer_stats->len, >=, 1);
  g_assert_true (hears (g_ptr_array_index (answerer_stats, answerer_stats->len - 1), 440));
  digits = cli_events (answerer, "dtmf");
  g_assert_cmpuint (digits->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (digits, 0), "digit"), ==, "5");
}

static void
test_echo_usage (void)
{
  const char *args[] = { "answer", "--echo", "--tone", "440", NULL };
  g_autoptr(Cli) cli = cli_start ("ws://127.0.0.1:9/", ANSWERER_SOURCE, args);

  g_assert_cmpint (cli_wait (cli), ==, 2);
  g_assert_nonnull (strstr (cli->err, "--echo sends the received audio back: it cannot be combined with --tone"));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/media/cli/echo", test_echo);
  g_test_add_func ("/media/cli/echo-usage", test_echo_usage);

  return g_test_run ();
}
