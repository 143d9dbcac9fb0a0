/* test-ua-requests.c: requests outside calls: OPTIONS, MESSAGE both ways,
 * unknown methods, bad requests, unsupported extensions */
#include "sipws-account-private.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"

#include <string.h>

#define TEST_T1 20

typedef struct {
  SipwsTestPeer *peer;
  SipwsAccount *account;
  SipwsMessage *register_request;
  char *contact;             /* the account's registered Contact URI */
  /* message-received */
  guint n_received;
  char *from;
  char *content_type;
  GBytes *body;
  /* send_message */
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

static void
message_received_cb (SipwsAccount *account,
                     const char   *from,
                     const char   *content_type,
                     GBytes       *body,
                     Fixture      *fx)
{
  fx->n_received++;
  g_free (fx->from);
  fx->from = g_strdup (from);
  g_free (fx->content_type);
  fx->content_type = g_strdup (content_type);
  g_clear_pointer (&fx->body, g_bytes_unref);
  fx->body = g_bytes_ref (body);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  GPtrArray *contacts;

  fx->peer = sipws_test_peer_new ();
  fx->account = sipws_test_account_new (fx->peer, TEST_T1);
  g_signal_connect (fx->account, "message-received", G_CALLBACK (message_received_cb), fx);
  fx->register_request = sipws_test_register (fx->peer, fx->account, 600);
  contacts = sipws_message_get_contacts (fx->register_request);
  fx->contact = sipws_uri_to_string (sipws_address_get_uri (g_ptr_array_index (contacts, 0)));
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (fx->account, fx);
  g_object_run_dispose (G_OBJECT (fx->account));
  g_assert_finalize_object (fx->account);
  sipws_test_peer_free (fx->peer);
  sipws_message_unref (fx->register_request);
  g_free (fx->contact);
  g_free (fx->from);
  g_free (fx->content_type);
  g_clear_pointer (&fx->body, g_bytes_unref);
  g_clear_error (&fx->error);
}

static SipwsMessage *
ask (Fixture      *fx,
     SipwsMessage *request,
     guint         status)
{
  SipwsMessage *response;

  sipws_test_peer_send (fx->peer, request);
  response = sipws_test_peer_expect_response (fx->peer, status);
  g_assert_cmpstr (sipws_message_get_call_id (response), ==, sipws_message_get_call_id (request));
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (response)), ==,
                   sipws_via_get_branch (sipws_message_get_top_via (request)));
  return response;
}

static void
assert_allow (SipwsMessage *response)
{
  static const char * const methods[] = { "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "MESSAGE", "INFO",
                                          "REFER", "NOTIFY", "UPDATE" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    g_assert_true (sipws_message_has_token (response, "Allow", methods[i]));
}

static void
test_options (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) options = sipws_test_peer_new_request (fx->peer, "OPTIONS", fx->contact);
  g_autoptr(SipwsMessage) response = ask (fx, options, 200);
  g_auto(GStrv) accept = sipws_message_get_header_values (response, "Accept");

  assert_allow (response);
  g_assert_true (g_strv_contains ((const char * const *) accept, "application/sdp"));
  g_assert_true (sipws_message_has_token (response, "Supported", "outbound"));
  g_assert_true (sipws_message_has_token (response, "Supported", "gruu"));
  g_assert_true (sipws_message_has_token (response, "Supported", "timer"));
  /* §8.2.6.2: a tag on our To. */
  g_assert_nonnull (sipws_address_get_tag (sipws_message_get_to (response)));
}

static void
test_unknown_method (Fixture       *fx,
                     gconstpointer  data)
{
  const char *method = data;
  guint status = g_str_equal (method, "FOOBAR") ? 501 : 405;
  g_autoptr(SipwsMessage) request = sipws_test_peer_new_request (fx->peer, method, fx->contact);
  g_autoptr(SipwsMessage) response = ask (fx, request, status);

  assert_allow (response);
}

static void
test_bad_request (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *text = g_strdup_printf ("OPTIONS %s SIP/2.0\r\n"
                                           "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKbad1\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "From: <sip:bob@example.com>;tag=x\r\n"
                                           "To: <sip:alice@example.com>\r\n"
                                           "CSeq: 1 OPTIONS\r\n\r\n", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;

  /* No Call-ID: §8.1.1 mandatory header missing. */
  sipws_fake_ws_server_send_text (fx->peer->server, text);
  response = sipws_test_peer_expect_response (fx->peer, 400);
  g_assert_nonnull (strstr (sipws_message_get_reason_phrase (response), "Call-ID"));
}

static void
test_garbage (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) options = sipws_test_peer_new_request (fx->peer, "OPTIONS", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;

  /* What does not parse is dropped (no Via to answer to)... */
  sipws_fake_ws_server_send_text (fx->peer->server, "this is not SIP\r\n\r\n");
  sipws_test_peer_expect_silence (fx->peer, 200);
  /* ...and the account carries on. */
  response = ask (fx, options, 200);
}

static void
test_bad_extension (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = sipws_test_peer_new_request (fx->peer, "OPTIONS", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;

  sipws_message_set_header (request, "Require", "timer, foo");
  response = ask (fx, request, 420);
  g_assert_cmpstr (sipws_message_get_header (response, "Unsupported"), ==, "foo");
}

static void
test_no_dialog (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SipwsMessage) bye = sipws_test_peer_new_request (fx->peer, "BYE", fx->contact);
  g_autoptr(SipwsMessage) info = sipws_test_peer_new_request (fx->peer, "INFO", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) response2 = NULL;

  response = ask (fx, bye, 481);
  /* In-dialog (To tag) for a dialog we do not have. */
  sipws_message_set_header (info, "To", "<sip:alice@example.com>;tag=nosuch");
  response2 = ask (fx, info, 481);
}

static void
test_message_in (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(SipwsMessage) message = sipws_test_peer_new_request (fx->peer, "MESSAGE", fx->contact);
  g_autoptr(GBytes) body = g_bytes_new_static ("hello ✓", strlen ("hello ✓"));
  g_autoptr(SipwsMessage) response = NULL;

  sipws_message_set_body (message, "text/plain;charset=UTF-8", body);
  response = ask (fx, message, 200);
  g_assert_cmpuint (fx->n_received, ==, 1);
  g_assert_cmpstr (fx->from, ==, "sip:bob@example.com");
  g_assert_cmpstr (fx->content_type, ==, "text/plain");
  g_assert_true (g_bytes_equal (fx->body, body));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->ok = sipws_account_send_message_finish (SIPWS_ACCOUNT (source), result, &fx->error);
  fx->done = TRUE;
}

static SipwsMessage *
send_message (Fixture    *fx,
              const char *target)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("hi bob", 6);
  SipwsMessage *request;
  g_autofree char *text = NULL;

  fx->done = FALSE;
  sipws_account_send_message_async (fx->account, target, "text/plain", body, NULL, sent_cb, fx);
  request = sipws_test_peer_expect (fx->peer, "MESSAGE");
  text = sipws_test_get_body (request);
  g_assert_cmpstr (text, ==, "hi bob");
  g_assert_cmpstr (sipws_message_get_content_type (request), ==, "text/plain");
  return request;
}

static void
test_message_out (Fixture       *fx,
                  gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(SipwsMessage) request = send_message (fx, "bob");
  g_autofree char *ruri = sipws_uri_to_string (sipws_message_get_request_uri (request));

  /* A bare user name takes the AOR's domain. */
  g_assert_cmpstr (ruri, ==, "sip:bob@example.com");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_to (request))), ==, "bob");
  sipws_test_peer_reply (fx->peer, request, status);
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  if (status < 300)
    {
      g_assert_no_error (fx->error);
      g_assert_true (fx->ok);
    }
  else
    {
      g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
      g_assert_nonnull (strstr (fx->error->message, "404 Not Found"));
    }
}

static void
test_message_auth (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) challenge = NULL;
  guint32 cseq1 = 0, cseq2 = 0;

  sipws_account_set_password (fx->account, "pw");
  first = send_message (fx, "sip:bob@example.com");
  challenge = sipws_test_peer_response (fx->peer, first, 407);
  sipws_message_set_header (challenge, "Proxy-Authenticate",
                            "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256");
  sipws_test_peer_send (fx->peer, challenge);
  second = sipws_test_peer_expect (fx->peer, "MESSAGE");
  g_assert_nonnull (sipws_message_get_header (second, "Proxy-Authorization"));
  g_assert_nonnull (strstr (sipws_message_get_header (second, "Proxy-Authorization"), "SHA-256"));
  sipws_message_get_cseq (first, &cseq1, NULL);
  sipws_message_get_cseq (second, &cseq2, NULL);
  g_assert_cmpuint (cseq2, ==, cseq1 + 1);
  g_assert_cmpstr (sipws_message_get_call_id (second), ==, sipws_message_get_call_id (first));
  sipws_test_peer_reply (fx->peer, second, 202);
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  g_assert_true (fx->ok);
}

static void
test_message_timeout (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = send_message (fx, "sip:bob@example.com");

  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_TIMEOUT);
}

static void
test_message_cancel (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SipwsMessage) request = NULL;

  fx->done = FALSE;
  sipws_account_send_message_async (fx->account, "bob", "text/plain", body, cancellable, sent_cb, fx);
  request = sipws_test_peer_expect (fx->peer, "MESSAGE");
  g_cancellable_cancel (cancellable);
  g_assert_true (sipws_test_wait_flag (&fx->done, 100));
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* A late answer goes nowhere. */
  sipws_test_peer_reply (fx->peer, request, 200);
  sipws_test_run_for (50);
}

static void
test_message_bad_target (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);

  fx->done = FALSE;
  sipws_account_send_message_async (fx->account, "http://example.com/", "text/plain", body, NULL, sent_cb, fx);
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  sipws_test_peer_expect_silence (fx->peer, 100);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, fn) g_test_add ("/ua/requests/" path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("options", NULL, test_options);
  ADD ("unknown-method-501", "FOOBAR", test_unknown_method);
  ADD ("not-allowed-405", "SUBSCRIBE", test_unknown_method);
  ADD ("bad-request-400", NULL, test_bad_request);
  ADD ("garbage", NULL, test_garbage);
  ADD ("bad-extension-420", NULL, test_bad_extension);
  ADD ("no-dialog-481", NULL, test_no_dialog);
  ADD ("message-in", NULL, test_message_in);
  ADD ("message-out-200", GUINT_TO_POINTER (200), test_message_out);
  ADD ("message-out-404", GUINT_TO_POINTER (404), test_message_out);
  ADD ("message-out-auth", NULL, test_message_auth);
  ADD ("message-out-timeout", NULL, test_message_timeout);
  ADD ("message-cancel", NULL, test_message_cancel);
  ADD ("message-bad-target", NULL, test_message_bad_target);
#undef ADD

  return g_test_run ();
}
