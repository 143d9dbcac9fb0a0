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
  GArray *state_times;       /* gint64 of every move to CONNECTING */
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
  fx->state_times = g_array_new (FALSE, FALSE, sizeof (gint64));
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
  g_array_unref (fx->state_times);
  g_ptr_array_unref (fx->tried);
}

static void
flow_failed_cb (SipwsTransport *transport,
                GError         *error,
                Fixture        *fx)
{
  g_ptr_array_add (fx->errors, g_error_copy (error));
}

static void
message_received_cb (SipwsTransport *transport,
                     GBytes         *message,
                     Fixture        *fx)
{
  g_ptr_array_add (fx->received, g_bytes_ref (message));
}

static void
state_cb (SipwsTransport *transport,
          GParamSpec     *pspec,
          Fixture        *fx)
{
  if (sipws_transport_get_state (transport) == SIPWS_TRANSPORT_STATE_CONNECTING)
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (fx->state_times, now);
    }
}

static void
prepare_cb (SipwsTransport *transport,
            const char     *uri,
            Fixture        *fx)
{
  fx->prepare_count++;
  g_ptr_array_add (fx->tried, g_strdup (uri));
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
  g_signal_connect (fx->transport, "notify::state", G_CALLBACK (state_cb), fx);
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

/* Iterates the main context until the transport reaches @state; fails the
 * test after @timeout_ms. */
static void
wait_state (Fixture             *fx,
            SipwsTransportState  state,
            guint                timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (sipws_transport_get_state (fx->transport) != state && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (timed_out)
    g_error ("transport still in state %d, expected %d after %u ms (last error: %s)",
             sipws_transport_get_state (fx->transport), state, timeout_ms,
             sipws_transport_get_last_error (fx->transport) != NULL
               ? sipws_transport_get_last_error (fx->transport)->message : "none");
}

static void
wait_errors (Fixture *fx,
             guint    n,
             guint    timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (fx->errors->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_cmpuint (fx->errors->len, >=, n);
}

static void
wait_received (Fixture *fx,
               guint    n,
               guint    timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_cb, &timed_out);

  while (fx->received->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_cmpuint (fx->received->len, >=, n);
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
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);

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
  sipws_transport_start (fx->transport);
  wait_state (fx, SIPWS_TRANSPORT_STATE_CONNECTED, 3000);

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
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&certs, sipws_test_certs_free);
  return status;
}
