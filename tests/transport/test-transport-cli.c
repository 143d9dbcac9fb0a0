/* test-transport-cli.c: `sipws connect` against the in-process fake WebSocket server */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sipws-fake-ws-server.h"
#include "sipws-test-certs.h"

static SipwsTestCerts *certs;

typedef struct {
  int status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_free (CliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

typedef struct {
  gboolean done;
  GSubprocess *process;
  char *out;
  char *err;
} Pending;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &pending->out, &pending->err, &error);
  g_assert_no_error (error);
  pending->done = TRUE;
}

/* Runs the CLI with @argv (NULL-terminated, without the program) while the
 * main context keeps serving the fake server; @password goes in
 * SIPWS_PASSWORD when not NULL. */
static CliResult *
run_cli (const char * const *argv,
         const char         *password)
{
  const char *cli = g_getenv ("SIPWS_CLI");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Pending pending = { FALSE, NULL, NULL, NULL };
  CliResult *result = g_new0 (CliResult, 1);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_nonnull (cli);
  g_ptr_array_add (args, (char *) cli);
  for (gsize i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "SIPWS_PASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "SIPWS_PASSWORD");

  pending.process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (pending.process, NULL, NULL, communicated_cb, &pending);
  while (!pending.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!pending.done)
    {
      g_subprocess_force_exit (pending.process);
      while (!pending.done)
        g_main_context_iteration (NULL, TRUE);
      g_error ("the CLI did not finish within 20 s");
    }

  result->status = g_subprocess_get_exit_status (pending.process);
  result->out = pending.out;
  result->err = pending.err;
  g_object_unref (pending.process);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", result->status, result->out, result->err);
  return result;
}

static SipwsFakeWsServer *
start_server (const char *which)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  SipwsFakeWsServer *server;

  if (g_strcmp0 (which, "server") == 0)
    certificate = sipws_test_certs_load (certs->server_cert, certs->server_key);
  else if (g_strcmp0 (which, "expired") == 0)
    certificate = sipws_test_certs_load (certs->expired_cert, certs->expired_key);
  else if (g_strcmp0 (which, "wrong-host") == 0)
    certificate = sipws_test_certs_load (certs->wrong_host_cert, certs->wrong_host_key);

  server = sipws_fake_ws_server_new (certificate);
  g_assert_true (sipws_fake_ws_server_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

static void
test_connect_json (void)
{
  g_autoptr(SipwsFakeWsServer) server = start_server (NULL);
  g_autofree char *uri = sipws_fake_ws_server_get_uri (server, "/sip");
  const char *argv[] = { "--json", "connect", uri, NULL };
  g_autoptr(CliResult) result = run_cli (argv, NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->out, "{\"event\":\"flow-state\",\"state\":\"connecting\""));
  g_assert_nonnull (strstr (result->out, "{\"event\":\"connected\","));
  g_assert_nonnull (strstr (result->out, "\"subprotocol\":\"sip\""));
  g_assert_nonnull (strstr (result->err, "subprotocol sip"));
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (server), ==, 1);
}

static void
test_usage (void)
{
  const char *argv[] = { "connect", NULL };
  g_autoptr(CliResult) result = run_cli (argv, NULL);

  g_assert_cmpint (result->status, ==, 2);
}

typedef struct {
  const char *server_cert;   /* NULL for ws:// */
  const char *option;        /* "--ca-file", "--pin-sha256" or NULL */
  guint handshake_status;
  gboolean refuse_sip;
  const char *expect;        /* NULL: exit 0, else a substring of the one-line reason */
} FailCase;

static void
test_connect_case (gconstpointer data)
{
  const FailCase *fc = data;
  g_autoptr(SipwsFakeWsServer) server = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(CliResult) result = NULL;
  const char *argv[6] = { NULL };
  guint n = 0;
  char *last_line;

  if (fc->server_cert != NULL && certs == NULL)
    {
      g_test_skip ("no openssl to make certificates");
      return;
    }

  server = start_server (fc->server_cert);
  sipws_fake_ws_server_set_handshake_status (server, fc->handshake_status);
  sipws_fake_ws_server_set_select_sip (server, !fc->refuse_sip);
  uri = sipws_fake_ws_server_get_uri (server, "/sip");

  if (g_strcmp0 (fc->option, "--ca-file") == 0)
    {
      argv[n++] = "--ca-file";
      argv[n++] = certs->ca_file;
    }
  else if (g_strcmp0 (fc->option, "--pin-sha256") == 0)
    {
      pin = sipws_test_certs_sha256 (g_strcmp0 (fc->server_cert, "expired") == 0 ? certs->expired_cert
                                                                                  : certs->server_cert);
      argv[n++] = "--pin-sha256";
      argv[n++] = pin;
    }
  argv[n++] = "connect";
  argv[n++] = uri;
  result = run_cli (argv, NULL);

  if (fc->expect == NULL)
    {
      g_assert_cmpint (result->status, ==, 0);
      return;
    }
  g_assert_cmpint (result->status, ==, 1);
  /* The reason is the last line, "sipws: …". */
  g_strchomp (result->err);
  last_line = strrchr (result->err, '\n');
  last_line = last_line != NULL ? last_line + 1 : result->err;
  g_assert_true (g_str_has_prefix (last_line, "sipws: "));
  g_assert_nonnull (strstr (last_line, fc->expect));
}

static const FailCase case_no_sip = { NULL, NULL, 0, TRUE, "server did not select the sip subprotocol" };
static const FailCase case_403 = { NULL, NULL, SOUP_STATUS_FORBIDDEN, FALSE, "HTTP 403 Forbidden" };
static const FailCase case_unknown_ca = { "server", NULL, 0, FALSE, "certificate signed by unknown authority" };
static const FailCase case_ca_file = { "server", "--ca-file", 0, FALSE, NULL };
static const FailCase case_pin = { "server", "--pin-sha256", 0, FALSE, NULL };
static const FailCase case_expired = { "expired", "--ca-file", 0, FALSE, "certificate expired" };
static const FailCase case_wrong_host = { "wrong-host", "--ca-file", 0, FALSE, "certificate does not match host" };

static void
test_connect_refused (void)
{
  g_autoptr(SipwsFakeWsServer) server = start_server (NULL);
  g_autofree char *uri = sipws_fake_ws_server_get_uri (server, "/sip");
  const char *argv[] = { "connect", uri, NULL };
  g_autoptr(CliResult) result = NULL;

  sipws_fake_ws_server_stop (server);
  result = run_cli (argv, NULL);
  g_assert_cmpint (result->status, ==, 1);
  g_assert_nonnull (strstr (result->err, "sipws: WebSocket handshake to 127.0.0.1 failed"));
}

static void
test_failover (void)
{
  g_autoptr(SipwsFakeWsServer) dead = start_server (NULL);
  g_autoptr(SipwsFakeWsServer) live = start_server (NULL);
  g_autofree char *dead_uri = sipws_fake_ws_server_get_uri (dead, "/sip");
  g_autofree char *live_uri = sipws_fake_ws_server_get_uri (live, "/sip");
  const char *argv[] = { "--json", "connect", dead_uri, "--server", live_uri, NULL };
  g_autoptr(CliResult) result = NULL;
  g_autofree char *connected = NULL;

  sipws_fake_ws_server_stop (dead);
  result = run_cli (argv, NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->out, "{\"event\":\"flow-failed\""));
  g_assert_nonnull (strstr (result->out, "\"code\":\"connect\""));
  connected = g_strdup_printf ("{\"event\":\"connected\",\"server\":\"%s\"", live_uri);
  g_assert_nonnull (strstr (result->out, connected));
}

static void
test_web_auth_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsFakeWsServer) server = sipws_fake_ws_server_new (NULL);
  g_autofree char *dir = g_dir_make_tmp ("sipws-cli-XXXXXX", &error);
  g_autofree char *jar = g_build_filename (dir, "cookies.txt", NULL);
  g_autofree char *token_file = g_build_filename (dir, "token", NULL);
  g_autofree char *jar_text = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *login_url = NULL;
  g_autoptr(CliResult) result = NULL;
  const SipwsFakeRequest *handshake;
  const char *secrets[] = { "cl1-c00kie-SECRET", "t0k3n-SECRET", "p4ss-SECRET", "f0rm-SECRET", NULL };
  guint n;

  g_assert_no_error (error);
  sipws_fake_ws_server_set_auth (server, SIPWS_FAKE_AUTH_DIGEST, "carol", "p4ss-SECRET");
  sipws_fake_ws_server_set_login (server, "/login", "WEB=from-login; Path=/");
  g_assert_true (sipws_fake_ws_server_start (server, 0, &error));
  uri = sipws_fake_ws_server_get_uri (server, "/sip?room=7");
  login_url = sipws_fake_ws_server_get_http_uri (server, "/login");

  /* Mozilla cookies.txt: domain, subdomains, path, secure, expiry, name, value. */
  jar_text = g_strdup_printf ("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t%" G_GINT64_FORMAT
                              "\tSID\tcl1-c00kie-SECRET\n", g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_assert_true (g_file_set_contents (jar, jar_text, -1, NULL));
  g_assert_true (g_file_set_contents (token_file, "t0k3n-SECRET\n", -1, NULL));

  {
    const char *argv[] = { "--verbose", "--json", "--cookie-jar", jar, "--url-token-file", token_file,
                           "--origin", "https://app.example", "--header", "X-Tenant: acme",
                           "--login-url", login_url, "--login-field", "user=carol",
                           "--login-field", "secret=f0rm-SECRET", "--auth-user", "carol",
                           "connect", uri, NULL };
    result = run_cli (argv, "p4ss-SECRET");
  }
  g_assert_cmpint (result->status, ==, 0);

  n = sipws_fake_ws_server_get_n_requests (server);
  handshake = sipws_fake_ws_server_get_request (server, n - 1);
  g_assert_cmpstr (sipws_fake_ws_server_get_request (server, 0)->method, ==, "POST");
  g_assert_cmpstr (g_hash_table_lookup (sipws_fake_ws_server_get_login_form (server), "secret"), ==, "f0rm-SECRET");
  g_assert_cmpstr (handshake->query, ==, "room=7&token=t0k3n-SECRET");
  g_assert_nonnull (strstr (soup_message_headers_get_one (handshake->headers, "Cookie"), "SID=cl1-c00kie-SECRET"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (handshake->headers, "Cookie"), "WEB=from-login"));
  g_assert_cmpstr (soup_message_headers_get_one (handshake->headers, "Origin"), ==, "https://app.example");
  g_assert_cmpstr (soup_message_headers_get_one (handshake->headers, "X-Tenant"), ==, "acme");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (handshake->headers, "Authorization"), "Digest "));

  /* --verbose prints the debug log: no secret in it, nor on stdout. */
  g_assert_nonnull (strstr (result->err, "Sipws-Transport"));
  for (gsize i = 0; secrets[i] != NULL; i++)
    {
      g_assert_null (strstr (result->err, secrets[i]));
      g_assert_null (strstr (result->out, secrets[i]));
    }

  g_unlink (jar);
  g_unlink (token_file);
  g_rmdir (dir);
}

static void
test_duration (void)
{
  g_autoptr(SipwsFakeWsServer) server = start_server (NULL);
  g_autofree char *uri = sipws_fake_ws_server_get_uri (server, "/sip");
  const char *argv[] = { "--duration", "1", "connect", uri, NULL };
  gint64 start = g_get_monotonic_time ();
  g_autoptr(CliResult) result = run_cli (argv, NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  certs = sipws_test_certs_new (&error);
  if (certs == NULL)
    g_printerr ("# no test certificates, TLS tests skip: %s\n", error->message);

  g_test_add_func ("/cli/connect/json", test_connect_json);
  g_test_add_func ("/cli/connect/usage", test_usage);
  g_test_add_func ("/cli/connect/refused", test_connect_refused);
  g_test_add_func ("/cli/connect/failover", test_failover);
  g_test_add_func ("/cli/connect/web-auth-options", test_web_auth_options);
  g_test_add_func ("/cli/connect/duration", test_duration);
  g_test_add_data_func ("/cli/connect/no-sip", &case_no_sip, test_connect_case);
  g_test_add_data_func ("/cli/connect/http-403", &case_403, test_connect_case);
  g_test_add_data_func ("/cli/connect/tls-unknown-ca", &case_unknown_ca, test_connect_case);
  g_test_add_data_func ("/cli/connect/tls-ca-file", &case_ca_file, test_connect_case);
  g_test_add_data_func ("/cli/connect/tls-pin", &case_pin, test_connect_case);
  g_test_add_data_func ("/cli/connect/tls-expired", &case_expired, test_connect_case);
  g_test_add_data_func ("/cli/connect/tls-wrong-host", &case_wrong_host, test_connect_case);

  status = g_test_run ();
  g_clear_pointer (&certs, sipws_test_certs_free);
  return status;
}
