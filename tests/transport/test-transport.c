/* test-transport.c: SipwsTransport against the in-process fake WebSocket server */
#include "sipws-transport-private.h"
#include "sipws-backoff-private.h"
#include "sipws-tls-policy-private.h"
#include "sipws-transport-enums.h"
#include "sipws-fake-ws-server.h"
#include "sipws-test-certs.h"

#include <string.h>

static SipwsTestCerts *certs;

/* Log capture: the writer is process-wide; while capturing, every message of
 * every domain, debug included, lands in captured_log instead of stderr. */
static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (captured_log == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 || g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        {
          if (fields[i].length < 0)
            g_string_append (captured_log, fields[i].value);
          else
            g_string_append_len (captured_log, fields[i].value, fields[i].length);
          g_string_append_c (captured_log, ' ');
        }
    }
  g_string_append_c (captured_log, '\n');
  return G_LOG_WRITER_HANDLED;
}

typedef struct {
  SipwsFakeWsServer *server;
  SipwsFakeWsServer *server2;
  SipwsTransport *transport;
  GPtrArray *errors;         /* GError * from flow-failed */
  GPtrArray *received;       /* GBytes * from message-received */
  GArray *attempt_times;     /* gint64 of every prepare-handshake */
  GArray *failure_times;     /* gint64 of every flow-failed */
  GPtrArray *tried;          /* server-uri at every CONNECTING */
  guint prepare_count;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = sipws_fake_ws_server_new (NULL);
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));
  g_assert_no_error (error);
  fx->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  fx->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fx->attempt_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  fx->failure_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  fx->tried = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->transport != NULL)
    {
      sipws_transport_stop (fx->transport);
      g_assert_finalize_object (fx->transport);
    }
  /* Let closing connections finish before the servers go. */
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&fx->server);
  g_clear_object (&fx->server2);
  g_ptr_array_unref (fx->errors);
  g_ptr_array_unref (fx->received);
  g_array_unref (fx->attempt_times);
  g_array_unref (fx->failure_times);
  g_ptr_array_unref (fx->tried);
}

static void
flow_failed_cb (SipwsTransport *transport,
                GError         *error,
                Fixture        *fx)
{
  gint64 now = g_get_monotonic_time ();

  g_ptr_array_add (fx->errors, g_error_copy (error));
  g_array_append_val (fx->failure_times, now);
}

static void
message_received_cb (SipwsTransport *transport,
                     GBytes         *message,
                     Fixture        *fx)
{
  g_ptr_array_add (fx->received, g_bytes_ref (message));
}

static void
prepare_cb (SipwsTransport *transport,
            const char     *uri,
            Fixture        *fx)
{
  gint64 now = g_get_monotonic_time ();

  fx->prepare_count++;
  g_ptr_array_add (fx->tried, g_strdup (uri));
  g_array_append_val (fx->attempt_times, now);
}

/* A transport with test-sized timings and no keepalive unless a test sets one. */
static SipwsTransport *
make_transport (Fixture            *fx,
                const char * const *uris)
{
  fx->transport = g_object_new (SIPWS_TYPE_TRANSPORT,
                                "server-uris", uris,
                                "backoff-base", 50,
                                "backoff-max", 200,
                                "connect-timeout", 3000,
                                "ws-ping-interval", 0,
                                "keepalive-interval", 0,
                                NULL);
  g_signal_connect (fx->transport, "flow-failed", G_CALLBACK (flow_failed_cb), fx);
  g_signal_connect (fx->transport, "message-received", G_CALLBACK (message_received_cb), fx);
  g_signal_connect (fx->transport, "prepare-handshake", G_CALLBACK (prepare_cb), fx);
  return fx->transport;
}

static SipwsTransport *
make_transport_for (Fixture    *fx,
                    const char *path_and_query)
{
  g_autofree char *uri = sipws_fake_ws_server_get_uri (fx->server, path_and_query);
  const char *uris[] = { uri, NULL };

  return make_transport (fx, uris);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture *fx, guint value);

/* Iterates the main context until @condition holds; FALSE after @timeout_ms. */
static gboolean
iterate_until (Fixture   *fx,
               Condition  condition,
               guint      value,
               guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (!condition (fx, value) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return condition (fx, value);
}

static gboolean
state_is (Fixture *fx,
          guint    state)
{
  return sipws_transport_get_state (fx->transport) == state;
}

static gboolean
has_errors (Fixture *fx,
            guint    n)
{
  return fx->errors->len >= n;
}

static gboolean
has_received (Fixture *fx,
              guint    n)
{
  return fx->received->len >= n;
}

static void
wait_state (Fixture             *fx,
            SipwsTransportState  state,
            guint                timeout_ms)
{
  if (!iterate_until (fx, state_is, state, timeout_ms))
    g_error ("transport still in state %d, expected %d after %u ms (last error: %s)",
             sipws_transport_get_state (fx->transport), state, timeout_ms,
             sipws_transport_get_last_error (fx->transport) != NULL
               ? sipws_transport_get_last_error (fx->transport)->message : "none");
}

static void
start_connected (Fixture *fx)
{
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
}

static void
wait_errors (Fixture *fx,
             guint    n,
             guint    timeout_ms)
{
  g_assert_true (iterate_until (fx, has_errors, n, timeout_ms));
}

static void
wait_received (Fixture *fx,
               guint    n,
               guint    timeout_ms)
{
  g_assert_true (iterate_until (fx, has_received, n, timeout_ms));
}

static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static const GError *
last_error (Fixture *fx)
{
  g_assert_cmpuint (fx->errors->len, >, 0);
  return fx->errors->pdata[fx->errors->len - 1];
}

static const SipwsFakeRequest *
last_request (Fixture *fx)
{
  guint n = sipws_fake_ws_server_get_n_requests (fx->server);

  g_assert_cmpuint (n, >, 0);
  return sipws_fake_ws_server_get_request (fx->server, n - 1);
}

/* ---- pure helpers ---- */

static void
test_backoff_formula (void)
{
  /* RFC 5626 §4.5 with base 30 s, max 1800 s: upper bounds 60, 120, 240 … 1800. */
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 1, 0.999999), ==, 59999);
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 1, 0.0), ==, 30000);
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 3, 0.0), ==, 120000);
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 10, 0.0), ==, 900000);
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 10, 1.0), ==, 1800000);
  /* No overflow however many failures. */
  g_assert_cmpuint (sipws_backoff_delay_ms (30000, 1800000, 1000, 0.5), <=, 1800000);
  g_assert_cmpuint (sipws_backoff_delay_ms (G_MAXUINT, G_MAXUINT, 64, 1.0), ==, G_MAXUINT);

  for (int i = 0; i < 1000; i++)
    {
      guint period = sipws_keepalive_period_ms (25000, g_random_double ());

      g_assert_cmpuint (period, >=, 20000);
      g_assert_cmpuint (period, <=, 25000);
    }
}

static void
test_tls_pins_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pins = NULL;
  const char *good[] = {
    "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89",
    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
    NULL
  };
  const char *short_pin[] = { "abcd", NULL };
  const char *bad_char[] = { "zz", NULL };

  pins = sipws_tls_parse_pins (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pins->len, ==, 2);
  g_assert_true (g_bytes_equal (pins->pdata[0], pins->pdata[1]));

  g_assert_null (sipws_tls_parse_pins (short_pin, &error));
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "has 2 bytes"));
  g_clear_error (&error);

  g_assert_null (sipws_tls_parse_pins (bad_char, &error));
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG);
}

/* ---- handshake ---- */

static void
test_subprotocol (Fixture       *fx,
                  gconstpointer  data)
{
  const SipwsFakeRequest *request;

  make_transport_for (fx, "/ws/sip?a=1&b=x%20y");
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_DISCONNECTED);
  start_connected (fx);

  g_assert_cmpstr (sipws_transport_get_subprotocol (fx->transport), ==, "sip");
  g_assert_false (sipws_transport_get_secure (fx->transport));
  request = last_request (fx);
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/ws/sip");
  g_assert_cmpstr (request->query, ==, "a=1&b=x%20y");
  g_assert_true (soup_message_headers_header_contains (request->headers, "Sec-WebSocket-Protocol", "sip"));
  g_assert_cmpuint (fx->errors->len, ==, 0);
}

static void
test_refused_subprotocol (Fixture       *fx,
                          gconstpointer  data)
{
  const GError *error;

  sipws_fake_ws_server_set_select_sip (fx->server, FALSE);
  make_transport_for (fx, "/sip");
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);

  error = last_error (fx);
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_SUBPROTOCOL);
  g_assert_nonnull (strstr (error->message, "server did not select the sip subprotocol"));
  g_assert_null (sipws_transport_get_subprotocol (fx->transport));
  /* A permanent error on the only server: one attempt, no retry loop. */
  run_for (300);
  g_assert_cmpuint (fx->errors->len, ==, 1);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_FAILED);
}

static void
test_origin_and_headers (Fixture       *fx,
                         gconstpointer  data)
{
  const char *headers[] = { "X-Tenant: acme", "X-Api-Key:  k3y", NULL };
  const char *bad_headers[] = { "no colon here", NULL };
  const SipwsFakeRequest *request;

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "origin", "https://phone.example.com", "extra-headers", headers, NULL);
  start_connected (fx);

  request = last_request (fx);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Origin"), ==, "https://phone.example.com");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "X-Tenant"), ==, "acme");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "X-Api-Key"), ==, "k3y");

  sipws_transport_stop (fx->transport);
  g_object_set (fx->transport, "extra-headers", bad_headers, NULL);
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (last_error (fx)->message, "extra header 1"));
}

static void
test_http_status (Fixture       *fx,
                  gconstpointer  data)
{
  sipws_fake_ws_server_set_handshake_status (fx->server, SOUP_STATUS_FORBIDDEN);
  make_transport_for (fx, "/sip");
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_HTTP_STATUS);
  g_assert_nonnull (strstr (last_error (fx)->message, "HTTP 403 Forbidden"));

  /* A 503 is worth retrying. */
  sipws_fake_ws_server_set_handshake_status (fx->server, SOUP_STATUS_SERVICE_UNAVAILABLE);
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY, 3000);
  g_assert_nonnull (strstr (last_error (fx)->message, "HTTP 503"));
  g_assert_cmpint (sipws_transport_get_next_attempt (fx->transport), >, g_get_monotonic_time ());

  sipws_fake_ws_server_set_handshake_status (fx->server, 0);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  g_assert_cmpint (sipws_transport_get_next_attempt (fx->transport), ==, 0);
}


/* ---- web authentication ---- */

static void
test_cookie_jar (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();
  const SipwsFakeRequest *request;

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "cookie-jar", jar, NULL);

  /* Empty jar: no Cookie header at all. */
  start_connected (fx);
  g_assert_null (soup_message_headers_get_one (last_request (fx)->headers, "Cookie"));
  sipws_transport_stop (fx->transport);

  /* A cookie of another host stays home; ours rides the handshake. */
  soup_cookie_jar_add_cookie (jar, soup_cookie_new ("other", "nope", "elsewhere.example", "/", -1));
  soup_cookie_jar_add_cookie (jar, soup_cookie_new ("PHPSESSID", "s3ss10n", "127.0.0.1", "/", -1));
  start_connected (fx);
  request = last_request (fx);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "Cookie"), ==, "PHPSESSID=s3ss10n");
}

static void
test_web_login (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();
  g_autofree char *login_url = NULL;
  const char *fields[] = { "user=alice", "pass=w3b p&ss", NULL };
  const char *bad_fields[] = { "novalue", NULL };
  GHashTable *form;
  const SipwsFakeRequest *login, *handshake;
  guint n;

  g_clear_object (&fx->server);
  fx->server = sipws_fake_ws_server_new (NULL);
  sipws_fake_ws_server_set_login (fx->server, "/login", "SID=fr0m-l0gin; Path=/; HttpOnly");
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));
  login_url = sipws_fake_ws_server_get_http_uri (fx->server, "/login");

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "cookie-jar", jar, NULL);
  g_assert_false (sipws_transport_set_web_login (fx->transport, "ftp://x/", fields, &error));
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_false (sipws_transport_set_web_login (fx->transport, login_url, bad_fields, &error));
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_true (sipws_transport_set_web_login (fx->transport, login_url, fields, &error));
  g_assert_no_error (error);

  start_connected (fx);

  n = sipws_fake_ws_server_get_n_requests (fx->server);
  g_assert_cmpuint (n, ==, 2);
  login = sipws_fake_ws_server_get_request (fx->server, 0);
  handshake = sipws_fake_ws_server_get_request (fx->server, 1);
  g_assert_cmpstr (login->method, ==, "POST");
  g_assert_cmpstr (login->path, ==, "/login");
  form = sipws_fake_ws_server_get_login_form (fx->server);
  g_assert_cmpstr (g_hash_table_lookup (form, "user"), ==, "alice");
  g_assert_cmpstr (g_hash_table_lookup (form, "pass"), ==, "w3b p&ss");
  g_assert_cmpstr (handshake->method, ==, "GET");
  g_assert_cmpstr (soup_message_headers_get_one (handshake->headers, "Cookie"), ==, "SID=fr0m-l0gin");
  /* The cookie landed in the application's jar. */
  g_assert_cmpuint (g_slist_length (soup_cookie_jar_all_cookies (jar)), ==, 1);
  g_slist_free_full (soup_cookie_jar_all_cookies (jar), (GDestroyNotify) soup_cookie_free);
}

static void
renew_credentials_cb (SipwsTransport *transport,
                      const char     *uri,
                      SoupCookieJar  *jar)
{
  static guint round;
  g_autofree char *token = g_strdup_printf ("tok-%u", ++round);
  g_autofree char *value = g_strdup_printf ("cookie-%u", round);

  sipws_transport_set_url_token (transport, token);
  soup_cookie_jar_add_cookie (jar, soup_cookie_new ("session", value, "127.0.0.1", "/", -1));
}

static void
test_renew_on_reconnect (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();
  const SipwsFakeRequest *first, *second;
  g_autofree char *first_cookie = NULL;
  g_autofree char *first_query = NULL;

  make_transport_for (fx, "/sip?tenant=acme");
  g_object_set (fx->transport, "cookie-jar", jar, NULL);
  g_signal_connect (fx->transport, "prepare-handshake", G_CALLBACK (renew_credentials_cb), jar);
  start_connected (fx);
  first = last_request (fx);
  first_query = g_strdup (first->query);
  first_cookie = g_strdup (soup_message_headers_get_one (first->headers, "Cookie"));
  g_assert_true (g_str_has_prefix (first_query, "tenant=acme&token=tok-"));
  g_assert_true (g_str_has_prefix (first_cookie, "session=cookie-"));

  /* The server drops the flow: the next handshake carries fresh values. */
  sipws_fake_ws_server_close (fx->server, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "restart");
  wait_errors (fx, 1, 3000);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  second = last_request (fx);
  g_assert_cmpuint (fx->prepare_count, ==, 2);
  g_assert_true (g_str_has_prefix (second->query, "tenant=acme&token=tok-"));
  g_assert_cmpstr (second->query, !=, first_query);
  g_assert_cmpstr (soup_message_headers_get_one (second->headers, "Cookie"), !=, first_cookie);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (second->headers, "Cookie"), "session=cookie-"));
}

static void
test_url_token (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *template = sipws_fake_ws_server_get_uri (fx->server, "/t/{token}/sip");
  const char *uris[] = { template, NULL };

  make_transport_for (fx, "/sip?x=1");
  g_object_set (fx->transport, "url-token-parameter", "access_token", NULL);
  sipws_transport_set_url_token (fx->transport, "s3cr3t/+ tok");
  start_connected (fx);
  g_assert_cmpstr (last_request (fx)->query, ==, "x=1&access_token=s3cr3t%2F%2B%20tok");
  /* The URI shown to the application hides query values. */
  g_assert_null (strstr (sipws_transport_get_server_uri (fx->transport), "s3cr3t"));
  g_assert_nonnull (strstr (sipws_transport_get_server_uri (fx->transport), "x=<redacted>"));
  sipws_transport_stop (fx->transport);
  g_clear_object (&fx->transport);

  /* A {token} placeholder puts it in the path instead. */
  make_transport (fx, uris);
  sipws_transport_set_url_token (fx->transport, "p4th");
  start_connected (fx);
  g_assert_cmpstr (last_request (fx)->path, ==, "/t/p4th/sip");
  g_assert_null (last_request (fx)->query);
}

static void
test_http_auth (Fixture       *fx,
                gconstpointer  data)
{
  SipwsFakeAuth kind = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  const SipwsFakeRequest *request;
  const char *authorization;

  g_clear_object (&fx->server);
  fx->server = sipws_fake_ws_server_new (NULL);
  sipws_fake_ws_server_set_auth (fx->server, kind, "alice", "h4ndsh4ke");
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));

  /* No credentials: a clear error, no retry loop. */
  make_transport_for (fx, "/sip");
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_AUTH);
  g_assert_nonnull (strstr (last_error (fx)->message, "no credentials are set"));
  g_assert_cmpuint (sipws_fake_ws_server_get_n_requests (fx->server), ==, 1);

  /* Wrong password: answered once, then FAILED. */
  sipws_transport_set_http_credentials (fx->transport, "alice", "wrong");
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_AUTH);
  g_assert_nonnull (strstr (last_error (fx)->message, "rejected the HTTP credentials"));
  run_for (200);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_requests (fx->server), <=, 3);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_FAILED);

  /* Right password. */
  sipws_transport_set_http_credentials (fx->transport, "alice", "h4ndsh4ke");
  start_connected (fx);
  request = last_request (fx);
  authorization = soup_message_headers_get_one (request->headers, "Authorization");
  g_assert_nonnull (authorization);
  g_assert_true (g_str_has_prefix (authorization, kind == SIPWS_FAKE_AUTH_BASIC ? "Basic " : "Digest "));
}

/* ---- framing ---- */

static void
test_framing (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static const char utf8[] = "OPTIONS sip:a@b SIP/2.0\r\nSubject: caf\xc3\xa9\r\n\r\n";
  g_autoptr(GBytes) text = g_bytes_new_static (utf8, sizeof utf8 - 1);
  static const guint8 raw[] = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\n\xff\x00\xfe";
  g_autoptr(GBytes) binary = g_bytes_new_static (raw, sizeof raw - 1);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) got2 = NULL;
  gboolean is_binary = TRUE;

  make_transport_for (fx, "/sip");
  g_assert_false (sipws_transport_send (fx->transport, text, &error));
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  start_connected (fx);

  /* Outgoing: one WS message per SIP message; text when UTF-8, else binary. */
  g_assert_true (sipws_transport_send (fx->transport, text, &error));
  g_assert_no_error (error);
  g_assert_true (sipws_transport_send (fx->transport, binary, &error));
  got = sipws_fake_ws_server_wait_message (fx->server, 2000, &is_binary);
  g_assert_nonnull (got);
  g_assert_false (is_binary);
  g_assert_true (g_bytes_equal (got, text));
  got2 = sipws_fake_ws_server_wait_message (fx->server, 2000, &is_binary);
  g_assert_nonnull (got2);
  g_assert_true (is_binary);
  g_assert_true (g_bytes_equal (got2, binary));

  /* Incoming: both frame types arrive whole and unchanged. */
  sipws_fake_ws_server_send_message (fx->server, text, FALSE);
  sipws_fake_ws_server_send_message (fx->server, binary, TRUE);
  wait_received (fx, 2, 2000);
  g_assert_true (g_bytes_equal (fx->received->pdata[0], text));
  g_assert_true (g_bytes_equal (fx->received->pdata[1], binary));
}

static void
test_oversize (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *big = g_strnfill (2000, 'x');

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "max-message-size", 1024, NULL);
  start_connected (fx);

  sipws_fake_ws_server_send_text (fx->server, big);
  wait_errors (fx, 1, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (last_error (fx)->message, "1024-byte limit"));
  g_assert_cmpuint (fx->received->len, ==, 0);
  /* And the flow comes back. */
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
}

/* ---- keepalive ---- */

static void
test_server_crlf_ping (Fixture       *fx,
                       gconstpointer  data)
{
  make_transport_for (fx, "/sip");
  start_connected (fx);

  sipws_fake_ws_server_send_text (fx->server, "\r\n\r\n");
  sipws_fake_ws_server_send_text (fx->server, "\r\n");
  sipws_fake_ws_server_send_text (fx->server, "OPTIONS sip:x SIP/2.0\r\n\r\n");
  wait_received (fx, 1, 2000);
  /* Only the SIP message is delivered; the ping got its pong. */
  g_assert_cmpuint (fx->received->len, ==, 1);
  for (gint64 start = g_get_monotonic_time ();
       sipws_fake_ws_server_get_n_crlf_pongs (fx->server) == 0 && g_get_monotonic_time () - start < G_USEC_PER_SEC;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_crlf_pongs (fx->server), ==, 1);
  g_assert_cmpuint (fx->errors->len, ==, 0);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_CONNECTED);
}

static void
test_client_crlf_ping (Fixture       *fx,
                       gconstpointer  data)
{
  gint64 silenced;
  gint64 detected;

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "keepalive-interval", 100, "keepalive-timeout", 300, NULL);
  start_connected (fx);

  /* Answered pings keep the flow up. */
  run_for (450);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_crlf_pings (fx->server), >=, 3);
  g_assert_cmpuint (fx->errors->len, ==, 0);

  /* Unanswered: failed within period + timeout. */
  sipws_fake_ws_server_set_answer_crlf_pings (fx->server, FALSE);
  silenced = g_get_monotonic_time ();
  wait_errors (fx, 1, 3000);
  detected = g_get_monotonic_time ();
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT);
  g_assert_nonnull (strstr (last_error (fx)->message, "CRLF"));
  g_assert_cmpint (detected - silenced, <=, (100 + 300 + 150) * 1000);
  g_assert_cmpint (detected - silenced, >=, 300 * 1000);
  g_test_message ("missing CRLF pong detected %" G_GINT64_FORMAT " ms after the server went quiet",
                  (detected - silenced) / 1000);
}

static void
test_flow_timer (Fixture       *fx,
                 gconstpointer  data)
{
  gint64 start;
  gint64 first_ping = 0;

  make_transport_for (fx, "/sip");
  start_connected (fx);

  /* keepalive-interval is 0 (off); a Flow-Timer of 1 s turns pings on at 0.8-1 s. */
  start = g_get_monotonic_time ();
  sipws_transport_set_flow_timer (fx->transport, 1);
  while (sipws_fake_ws_server_get_n_crlf_pings (fx->server) == 0 && g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  first_ping = g_get_monotonic_time () - start;
  g_assert_cmpuint (sipws_fake_ws_server_get_n_crlf_pings (fx->server), ==, 1);
  g_assert_cmpint (first_ping, >=, 790 * 1000);
  g_assert_cmpint (first_ping, <=, 1150 * 1000);
  g_test_message ("first CRLF ping after %" G_GINT64_FORMAT " ms with Flow-Timer 1", first_ping / 1000);
}

static void
test_ws_pong_timeout (Fixture       *fx,
                      gconstpointer  data)
{
  gint64 silenced;
  gint64 detected;

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "ws-ping-interval", 1, "ws-pong-timeout", 300, NULL);
  start_connected (fx);

  /* Pongs answered: the flow outlives the 2.3 s allowance. */
  run_for (2600);
  g_assert_cmpuint (fx->errors->len, ==, 0);

  /* The network swallows everything: no pong, flow declared dead within
   * ping interval + 1 s of libsoup timer slack + pong timeout (+ the check period). */
  sipws_fake_ws_server_set_blackhole (fx->server, TRUE);
  silenced = g_get_monotonic_time ();
  wait_errors (fx, 1, 4000);
  detected = g_get_monotonic_time ();
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT);
  g_assert_nonnull (strstr (last_error (fx)->message, "WebSocket pong"));
  g_assert_cmpint (detected - silenced, <=, (2000 + 300 + 200) * 1000);
  g_test_message ("missing WebSocket pong detected %" G_GINT64_FORMAT " ms after the black hole opened",
                  (detected - silenced) / 1000);
  sipws_fake_ws_server_set_blackhole (fx->server, FALSE);
}

/* ---- flow failures ---- */

static void
test_close_mid_message (Fixture       *fx,
                        gconstpointer  data)
{
  make_transport_for (fx, "/sip");
  start_connected (fx);

  sipws_fake_ws_server_close_mid_message (fx->server, "INVITE sip:bob@example.com SIP/2.0\r\nVia: ");
  wait_errors (fx, 1, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED);
  g_assert_cmpuint (fx->received->len, ==, 0);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->server), ==, 2);
}

static void
test_server_close (Fixture       *fx,
                   gconstpointer  data)
{
  make_transport_for (fx, "/sip");
  start_connected (fx);

  sipws_fake_ws_server_close (fx->server, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "maintenance");
  wait_errors (fx, 1, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED);
  g_assert_nonnull (strstr (last_error (fx)->message, "1001: maintenance"));
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
}


/* ---- TLS ---- */

typedef struct {
  const char *cert;       /* which server certificate: "server", "expired", "wrong-host", "unknown-ca" */
  gboolean use_ca_file;
  gboolean pin;           /* pin the server's own certificate */
  gboolean pin_other;     /* pin a different certificate */
  const char *host;       /* "127.0.0.1" unless given */
  const char *expect;     /* NULL: connects; else a substring of the TLS error */
} TlsCase;

static void
start_tls_server (Fixture    *fx,
                  const char *which)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  const char *cert = certs->server_cert, *key = certs->server_key;

  if (g_strcmp0 (which, "expired") == 0)
    cert = certs->expired_cert, key = certs->expired_key;
  else if (g_strcmp0 (which, "wrong-host") == 0)
    cert = certs->wrong_host_cert, key = certs->wrong_host_key;
  else if (g_strcmp0 (which, "unknown-ca") == 0)
    cert = certs->unknown_ca_cert, key = certs->unknown_ca_key;

  certificate = sipws_test_certs_load (cert, key);
  g_clear_object (&fx->server);
  fx->server = sipws_fake_ws_server_new (certificate);
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));
  g_assert_no_error (error);
}

static const char *
server_cert_file (const char *which)
{
  if (g_strcmp0 (which, "expired") == 0)
    return certs->expired_cert;
  if (g_strcmp0 (which, "wrong-host") == 0)
    return certs->wrong_host_cert;
  if (g_strcmp0 (which, "unknown-ca") == 0)
    return certs->unknown_ca_cert;
  return certs->server_cert;
}

static void
test_tls (Fixture       *fx,
          gconstpointer  data)
{
  const TlsCase *tc = data;
  g_autofree char *uri = NULL;
  g_autofree char *pin = NULL;
  const char *uris[2] = { NULL, NULL };

  if (certs == NULL)
    {
      g_test_skip ("no openssl to make certificates");
      return;
    }

  start_tls_server (fx, tc->cert);
  uri = g_strdup_printf ("wss://%s:%u/sip", tc->host != NULL ? tc->host : "127.0.0.1",
                         sipws_fake_ws_server_get_port (fx->server));
  uris[0] = uri;
  make_transport (fx, uris);
  if (tc->use_ca_file)
    g_object_set (fx->transport, "tls-ca-file", certs->ca_file, NULL);
  if (tc->pin || tc->pin_other)
    {
      const char *pins[2] = { NULL, NULL };

      pin = sipws_test_certs_sha256 (tc->pin ? server_cert_file (tc->cert) : certs->client_cert);
      pins[0] = pin;
      g_object_set (fx->transport, "tls-pinned-sha256", pins, NULL);
    }

  sipws_transport_start (fx->transport);
  if (tc->expect == NULL)
    {
      wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
      g_assert_true (sipws_transport_get_secure (fx->transport));
      g_assert_cmpstr (sipws_transport_get_subprotocol (fx->transport), ==, "sip");
      return;
    }

  wait_state (fx, SIPWS_TRANSPORT_STATE_FAILED, 3000);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS);
  g_test_message ("%s", last_error (fx)->message);
  g_assert_nonnull (strstr (last_error (fx)->message, tc->expect));
  /* The handshake request never reached the server. */
  g_assert_cmpuint (sipws_fake_ws_server_get_n_requests (fx->server), ==, 0);
}

static const TlsCase tls_ca_file = { "server", TRUE, FALSE, FALSE, NULL, NULL };
static const TlsCase tls_system_trust = { "server", FALSE, FALSE, FALSE, NULL, "certificate signed by unknown authority" };
static const TlsCase tls_unknown_ca = { "unknown-ca", TRUE, FALSE, FALSE, NULL, "certificate signed by unknown authority" };
static const TlsCase tls_expired = { "expired", TRUE, FALSE, FALSE, NULL, "certificate expired" };
static const TlsCase tls_wrong_host = { "wrong-host", TRUE, FALSE, FALSE, NULL, "certificate does not match host 127.0.0.1" };
static const TlsCase tls_pin = { "unknown-ca", FALSE, TRUE, FALSE, NULL, NULL };
static const TlsCase tls_pin_any_host = { "wrong-host", FALSE, TRUE, FALSE, NULL, NULL };
static const TlsCase tls_pin_expired = { "expired", FALSE, TRUE, FALSE, NULL, "certificate expired" };
static const TlsCase tls_pin_mismatch = { "server", TRUE, FALSE, TRUE, NULL, "does not match the pinned SHA-256 fingerprint" };
static const TlsCase tls_localhost = { "server", TRUE, FALSE, FALSE, "localhost", NULL };

static void
test_tls_client_certificate (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) server_cert = NULL;
  g_autoptr(GTlsCertificate) client_cert = NULL;
  const SipwsFakeRequest *request;

  if (certs == NULL)
    {
      g_test_skip ("no openssl to make certificates");
      return;
    }

  server_cert = sipws_test_certs_load (certs->server_cert, certs->server_key);
  client_cert = sipws_test_certs_load (certs->client_cert, certs->client_key);
  g_clear_object (&fx->server);
  fx->server = sipws_fake_ws_server_new (server_cert);
  sipws_fake_ws_server_set_client_ca (fx->server, certs->ca_file);
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));

  /* Without one: the server sees none. */
  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "tls-ca-file", certs->ca_file, NULL);
  start_connected (fx);
  g_assert_null (last_request (fx)->peer_certificate);
  sipws_transport_stop (fx->transport);

  /* With one: presented on the next connection. */
  g_object_set (fx->transport, "tls-client-certificate", client_cert, NULL);
  start_connected (fx);
  request = last_request (fx);
  g_assert_nonnull (request->peer_certificate);
  g_assert_true (g_tls_certificate_is_same (request->peer_certificate, client_cert));
}

/* ---- reconnect, failover, backoff ---- */

static char *
dead_uri (void)
{
  /* A port that was just free: bind, note, close. */
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_strdup_printf ("ws://127.0.0.1:%u/sip", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

static void
test_failover (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *dead = dead_uri ();
  g_autofree char *live = sipws_fake_ws_server_get_uri (fx->server, "/sip");
  const char *uris[] = { dead, live, NULL };

  make_transport (fx, uris);
  start_connected (fx);

  g_assert_cmpuint (fx->errors->len, ==, 1);
  g_assert_error (last_error (fx), SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CONNECT);
  g_assert_cmpstr (sipws_transport_get_server_uri (fx->transport), ==, live);
  g_assert_cmpuint (fx->tried->len, ==, 2);
  g_assert_cmpstr (fx->tried->pdata[0], ==, dead);
  g_assert_cmpstr (fx->tried->pdata[1], ==, live);

  /* When the second server drops the flow, the next round starts with the first again. */
  sipws_fake_ws_server_close (fx->server, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  wait_errors (fx, 2, 3000);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  g_assert_cmpuint (fx->tried->len, ==, 4);
  g_assert_cmpstr (fx->tried->pdata[2], ==, dead);
  g_assert_cmpstr (fx->tried->pdata[3], ==, live);
}

static void
test_backoff_timing (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *dead1 = dead_uri ();
  g_autofree char *dead2 = dead_uri ();
  const char *uris[] = { dead1, dead2, NULL };
  guint base = 40, max = 160;

  make_transport (fx, uris);
  g_object_set (fx->transport, "backoff-base", base, "backoff-max", max, NULL);
  sipws_transport_start (fx->transport);
  /* 5 rounds of 2 servers. */
  while (fx->attempt_times->len < 9 || fx->failure_times->len < 8)
    g_main_context_iteration (NULL, TRUE);
  sipws_transport_stop (fx->transport);

  for (guint round = 1; round < 5; round++)
    {
      /* Attempts 2r-2 and 2r-1 make round r; attempt 2r starts round r+1. */
      gint64 first_failed = g_array_index (fx->failure_times, gint64, 2 * round - 2);
      gint64 second_started = g_array_index (fx->attempt_times, gint64, 2 * round - 1);
      gint64 round_failed = g_array_index (fx->failure_times, gint64, 2 * round - 1);
      gint64 next_round = g_array_index (fx->attempt_times, gint64, 2 * round);
      gint64 failover = second_started - first_failed;
      guint upper = MIN (max, base << round);
      gint64 waited = (next_round - round_failed) / 1000;

      g_test_message ("round %u: failover after %" G_GINT64_FORMAT " ms, waited %" G_GINT64_FORMAT
                      " ms (bounds %u-%u ms)", round, failover / 1000, waited, upper / 2, upper);
      /* Failover within a round is immediate; rounds wait 50-100 % of min(max, base·2^n). */
      g_assert_cmpint (failover, <, 20 * 1000);
      g_assert_cmpint (waited, >=, upper / 2);
      g_assert_cmpint (waited, <=, upper + 60);
    }
  /* Round after round, both URIs in order. */
  for (guint i = 0; i < fx->tried->len; i++)
    g_assert_cmpstr (fx->tried->pdata[i], ==, uris[i % 2]);
}

static void
test_server_restart (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint port = sipws_fake_ws_server_get_port (fx->server);

  make_transport_for (fx, "/sip");
  g_object_set (fx->transport, "backoff-base", 50, "backoff-max", 100, NULL);
  start_connected (fx);

  sipws_fake_ws_server_stop (fx->server);
  wait_state (fx, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY, 3000);
  g_assert_error ((GError *) fx->errors->pdata[0], SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED);
  run_for (250);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), !=, SIPWS_TRANSPORT_STATE_CONNECTED);

  g_assert_true (sipws_fake_ws_server_start (fx->server, port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sipws_fake_ws_server_get_port (fx->server), ==, port);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->server), ==, 2);
}

static void
test_wake_events (Fixture       *fx,
                  gconstpointer  data)
{
  SipwsWakeMonitor *monitor;
  gint64 start;

  make_transport_for (fx, "/sip");
  /* A backoff far longer than the test. */
  g_object_set (fx->transport, "backoff-base", 60000, "backoff-max", 60000, NULL);
  monitor = sipws_transport_get_wake_monitor (fx->transport);
  start_connected (fx);

  /* Sleep closes the flow; resume reconnects at once. */
  sipws_wake_monitor_emit_sleep (monitor, TRUE);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY);
  g_assert_nonnull (strstr (last_error (fx)->message, "sleep"));
  start = g_get_monotonic_time ();
  sipws_wake_monitor_emit_sleep (monitor, FALSE);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);

  /* Server gone, waiting a minute; the network coming back retries now. */
  sipws_fake_ws_server_close (fx->server, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  wait_state (fx, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY, 3000);
  g_assert_cmpint (sipws_transport_get_next_attempt (fx->transport) - g_get_monotonic_time (), >, 20 * G_USEC_PER_SEC);
  start = g_get_monotonic_time ();
  sipws_wake_monitor_emit_network_changed (monitor, TRUE);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->server), ==, 3);
}

static void
connect_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GError **error = user_data;

  if (sipws_transport_connect_finish (SIPWS_TRANSPORT (source), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "success marker");
}

static void
test_connect_async (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *dead = dead_uri ();
  const char *dead_uris[] = { dead, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;

  /* Success completes when the flow is up. */
  make_transport_for (fx, "/sip");
  sipws_transport_connect_async (fx->transport, NULL, connect_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_CONNECTED);
  sipws_transport_stop (fx->transport);
  g_assert_finalize_object (g_steal_pointer (&fx->transport));

  /* Failure completes after the first round, with its reason. */
  make_transport (fx, dead_uris);
  sipws_transport_connect_async (fx->transport, NULL, connect_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CONNECT);
  g_clear_error (&error);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), ==, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY);

  /* Cancelling ends the wait, not the transport. */
  g_object_set (fx->transport, "backoff-base", 60000, "backoff-max", 60000, NULL);
  sipws_transport_connect_async (fx->transport, cancellable, connect_done_cb, &error);
  g_cancellable_cancel (cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (sipws_transport_get_state (fx->transport), !=, SIPWS_TRANSPORT_STATE_DISCONNECTED);
}

/* ---- logs ---- */

static void
test_log_has_no_secrets (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();
  g_autofree char *login_url = NULL;
  g_autofree char *basic = g_base64_encode ((const guchar *) "alice:pa55w0rd-SECRET", 21);
  const char *fields[] = { "user=alice", "password=l0gin-SECRET", NULL };
  const char *headers[] = { "X-Api-Key: h34der-SECRET", NULL };
  const char *secrets[] = { "pa55w0rd-SECRET", "l0gin-SECRET", "c00kie-SECRET", "t0ken-SECRET",
                            "h34der-SECRET", "query-SECRET", "s3t-c00kie-SECRET", basic, NULL };
  g_autoptr(GBytes) options = g_bytes_new_static ("OPTIONS sip:x SIP/2.0\r\n\r\n", 25);
  const SipwsFakeRequest *handshake;
  g_autofree char *log = NULL;

  g_clear_object (&fx->server);
  fx->server = sipws_fake_ws_server_new (NULL);
  sipws_fake_ws_server_set_auth (fx->server, SIPWS_FAKE_AUTH_BASIC, "alice", "pa55w0rd-SECRET");
  sipws_fake_ws_server_set_login (fx->server, "/login", "SESSION=s3t-c00kie-SECRET; Path=/");
  g_assert_true (sipws_fake_ws_server_start (fx->server, 0, &error));
  login_url = sipws_fake_ws_server_get_http_uri (fx->server, "/login");

  captured_log = g_string_new (NULL);
  make_transport_for (fx, "/sip?key=query-SECRET");
  soup_cookie_jar_add_cookie (jar, soup_cookie_new ("pref", "c00kie-SECRET", "127.0.0.1", "/", -1));
  g_object_set (fx->transport, "cookie-jar", jar, "extra-headers", headers,
                "keepalive-interval", 50, NULL);
  sipws_transport_set_http_credentials (fx->transport, "alice", "pa55w0rd-SECRET");
  sipws_transport_set_url_token (fx->transport, "t0ken-SECRET");
  g_assert_true (sipws_transport_set_web_login (fx->transport, login_url, fields, NULL));

  start_connected (fx);
  g_assert_true (sipws_transport_send (fx->transport, options, NULL));
  g_assert_nonnull (sipws_fake_ws_server_wait_message (fx->server, 2000, NULL));
  sipws_fake_ws_server_send_text (fx->server, "\r\n\r\n");
  run_for (120);
  sipws_fake_ws_server_close (fx->server, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  wait_errors (fx, 1, 3000);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);
  sipws_transport_stop (fx->transport);
  log = g_string_free (g_steal_pointer (&captured_log), FALSE);

  /* Every secret really was used on the wire... */
  handshake = last_request (fx);
  g_assert_nonnull (strstr (handshake->query, "t0ken-SECRET"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (handshake->headers, "Cookie"), "c00kie-SECRET"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (handshake->headers, "Cookie"), "s3t-c00kie-SECRET"));
  g_assert_nonnull (strstr (soup_message_headers_get_one (handshake->headers, "Authorization"), basic));
  /* ...the log covers the run... */
  g_assert_nonnull (strstr (log, "Sipws-Transport"));
  g_assert_nonnull (strstr (log, "flow up to"));
  g_assert_nonnull (strstr (log, "web login"));
  g_assert_nonnull (strstr (log, "Basic challenge"));
  /* ...and none of them is in it. */
  for (gsize i = 0; secrets[i] != NULL; i++)
    {
      if (strstr (log, secrets[i]) != NULL)
        g_error ("secret %" G_GSIZE_FORMAT " appears in the debug log", i);
    }
  g_test_message ("%" G_GSIZE_FORMAT " bytes of debug log checked", strlen (log));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  certs = sipws_test_certs_new (&error);
  if (certs == NULL)
    g_printerr ("# no test certificates, TLS tests skip: %s\n", error->message);

  g_test_add_func ("/transport/backoff/formula", test_backoff_formula);
  g_test_add_func ("/transport/tls/pins-parse", test_tls_pins_parse);
#define ADD(path, fn) g_test_add ("/transport/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("handshake/subprotocol", test_subprotocol);
  ADD ("handshake/refused-subprotocol", test_refused_subprotocol);
  ADD ("handshake/origin-and-headers", test_origin_and_headers);
  ADD ("handshake/http-status", test_http_status);
  ADD ("auth/cookie-jar", test_cookie_jar);
  ADD ("auth/web-login", test_web_login);
  ADD ("auth/renew-on-reconnect", test_renew_on_reconnect);
  ADD ("auth/url-token", test_url_token);
  g_test_add ("/transport/auth/http-basic", Fixture, GINT_TO_POINTER (SIPWS_FAKE_AUTH_BASIC),
              fixture_setup, test_http_auth, fixture_teardown);
  g_test_add ("/transport/auth/http-digest", Fixture, GINT_TO_POINTER (SIPWS_FAKE_AUTH_DIGEST),
              fixture_setup, test_http_auth, fixture_teardown);
  ADD ("framing/text-and-binary", test_framing);
  ADD ("framing/oversize", test_oversize);
  ADD ("keepalive/server-crlf-ping", test_server_crlf_ping);
  ADD ("keepalive/client-crlf-ping", test_client_crlf_ping);
  ADD ("keepalive/flow-timer", test_flow_timer);
  ADD ("keepalive/ws-pong-timeout", test_ws_pong_timeout);
  ADD ("flow/close-mid-message", test_close_mid_message);
  ADD ("flow/server-close", test_server_close);
  g_test_add ("/transport/tls/ca-file", Fixture, &tls_ca_file, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/ca-file-localhost", Fixture, &tls_localhost, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/system-trust", Fixture, &tls_system_trust, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/unknown-ca", Fixture, &tls_unknown_ca, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/expired", Fixture, &tls_expired, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/wrong-host", Fixture, &tls_wrong_host, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/pin", Fixture, &tls_pin, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/pin-any-host", Fixture, &tls_pin_any_host, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/pin-expired", Fixture, &tls_pin_expired, fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/transport/tls/pin-mismatch", Fixture, &tls_pin_mismatch, fixture_setup, test_tls, fixture_teardown);
  ADD ("tls/client-certificate", test_tls_client_certificate);
  ADD ("reconnect/failover", test_failover);
  ADD ("reconnect/backoff-timing", test_backoff_timing);
  ADD ("reconnect/server-restart", test_server_restart);
  ADD ("reconnect/wake-events", test_wake_events);
  ADD ("reconnect/connect-async", test_connect_async);
  ADD ("log/no-secrets", test_log_has_no_secrets);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&certs, sipws_test_certs_free);
  return status;
}
