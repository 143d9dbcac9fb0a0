/* test-ua-requests.c: requests outside calls: OPTIONS, MESSAGE both ways,
 * unknown methods, bad and unparsable requests, unsupported extensions,
 * requests while the transport has given up */
#include "sipws-account-private.h"
#include "sipws-unparsed-private.h"
#include "sipws-ua-enums.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"
#include "sipws-test-certs.h"

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
  g_autofree char *bad_response = NULL;
  g_autofree char *bad_ack = NULL;
  g_autofree char *no_call_id = NULL;

  /* What does not parse and cannot be answered is dropped: garbage... */
  sipws_fake_ws_server_send_text (fx->peer->server, "this is not SIP\r\n\r\n");
  /* ...a response (never answered)... */
  bad_response = g_strdup_printf ("SIP/2.0 200 OK\r\n"
                                  "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKr1\r\n"
                                  "From: <sip:bob@example.com>;tag=x\r\n"
                                  "To: <sip:alice@example.com>;tag=y\r\n"
                                  "Call-ID: r1@peer\r\n"
                                  "CSeq: 1 OPTIONS\r\n"
                                  "Contact: <sip:bob@peer.invalid\r\n\r\n");
  sipws_fake_ws_server_send_text (fx->peer->server, bad_response);
  /* ...an ACK (never answered)... */
  bad_ack = g_strdup_printf ("ACK %s SIP/2.0\r\n"
                             "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKa1\r\n"
                             "From: <sip:bob@example.com>;tag=x\r\n"
                             "To: <sip:alice@example.com>;tag=y\r\n"
                             "Call-ID: a1@peer\r\n"
                             "CSeq: 1 ACK\r\n"
                             "Contact: <sip:bob@peer.invalid\r\n\r\n", fx->contact);
  sipws_fake_ws_server_send_text (fx->peer->server, bad_ack);
  /* ...and a request lacking a header field its response must copy. */
  no_call_id = g_strdup_printf ("OPTIONS %s SIP/2.0\r\n"
                                "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKn1\r\n"
                                "From: <sip:bob@example.com>;tag=x\r\n"
                                "To: <sip:alice@example.com>\r\n"
                                "CSeq: 1 OPTIONS\r\n"
                                "Contact: <sip:bob@peer.invalid\r\n\r\n", fx->contact);
  sipws_fake_ws_server_send_text (fx->peer->server, no_call_id);
  sipws_test_peer_expect_silence (fx->peer, 200);
  /* The account carries on. */
  response = ask (fx, options, 200);
}

static void
test_unparsable_400 (Fixture       *fx,
                     gconstpointer  data)
{
  /* Compact forms, a folded From, two Vias, and a Contact that does not
   * parse: the request cannot become a SipwsMessage but still gets its 400. */
  g_autofree char *text = g_strdup_printf ("OPTIONS %s SIP/2.0\r\n"
                                           "v: SIP/2.0/WSS proxy.invalid;branch=z9hG4bKu1\r\n"
                                           "VIA : SIP/2.0/WSS peer.invalid;branch=z9hG4bKu0\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "f: \"Bob\"\r\n <sip:bob@example.com>;tag=x\r\n"
                                           "t: <sip:alice@example.com>\r\n"
                                           "i: unparsed-1@peer\r\n"
                                           "CSeq: 7 OPTIONS\r\n"
                                           "Contact: <sip:bob@peer.invalid\r\n"
                                           "Content-Length: 0\r\n\r\n", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) options = sipws_test_peer_new_request (fx->peer, "OPTIONS", fx->contact);
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *vias;
  const char *method = NULL;
  guint32 cseq = 0;

  g_assert_null (sipws_message_parse (text, strlen (text), &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  sipws_fake_ws_server_send_text (fx->peer->server, text);
  response = sipws_test_peer_expect_response (fx->peer, 400);
  /* The parser's message is the reason: what and where. */
  g_assert_cmpstr (sipws_message_get_reason_phrase (response), ==, error->message);
  g_assert_nonnull (strstr (error->message, "Contact"));
  vias = sipws_message_get_vias (response);
  g_assert_cmpuint (vias->len, ==, 2);
  g_assert_cmpstr (sipws_via_get_branch (g_ptr_array_index (vias, 0)), ==, "z9hG4bKu1");
  g_assert_cmpstr (sipws_via_get_branch (g_ptr_array_index (vias, 1)), ==, "z9hG4bKu0");
  g_assert_cmpstr (sipws_message_get_call_id (response), ==, "unparsed-1@peer");
  g_assert_true (sipws_message_get_cseq (response, &cseq, &method));
  g_assert_cmpuint (cseq, ==, 7);
  g_assert_cmpstr (method, ==, "OPTIONS");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (response)), ==, "x");
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_from (response)), ==, "Bob");
  /* §8.2.6.2 */
  g_assert_nonnull (sipws_address_get_tag (sipws_message_get_to (response)));
  sipws_test_peer_expect_silence (fx->peer, 100);
  ok = ask (fx, options, 200);
}

static void
test_unparsable_reason (Fixture       *fx,
                        gconstpointer  data)
{
  /* The parse error quotes the offending byte, a control character: the
   * reason phrase must still be one printable line. */
  g_autofree char *text = g_strdup_printf ("MESSAGE %s SIP/2.0\r\n"
                                           "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKc1\r\n"
                                           "Max-Forwards: 7\001\r\n"
                                           "From: <sip:bob@example.com>;tag=x\r\n"
                                           "To: <sip:alice@example.com>\r\n"
                                           "Call-ID: control-1@peer\r\n"
                                           "CSeq: 1 MESSAGE\r\n\r\n", fx->contact);
  g_autoptr(SipwsMessage) response = NULL;
  const char *reason;

  sipws_fake_ws_server_send_text (fx->peer->server, text);
  response = sipws_test_peer_expect_response (fx->peer, 400);
  reason = sipws_message_get_reason_phrase (response);
  g_assert_nonnull (strstr (reason, "Max-Forwards"));
  for (const char *p = reason; *p != '\0'; p++)
    g_assert_cmpint ((guchar) *p, >=, 0x20);
  g_assert_cmpuint (fx->n_received, ==, 0);
}

/* The line scan alone, on texts no peer fixture is needed for. */
#define SCAN_HEAD "INVITE sip:alice@example.com SIP/2.0\r\n"
#define SCAN_FIELDS \
  "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKs1\r\n" \
  "From: <sip:bob@example.com>;tag=x\r\n" \
  "To: <sip:alice@example.com>;tag=known\r\n" \
  "Call-ID: scan-1@peer\r\n" \
  "CSeq: 3 INVITE\r\n"

static void
test_bad_request_response (void)
{
  static const struct {
    const char *text;
    gboolean answered;
  } cases[] = {
    { SCAN_HEAD SCAN_FIELDS "\r\n", TRUE },
    /* CRLFs before the start line are ignored (§7.5). */
    { "\r\n\r\n" SCAN_HEAD SCAN_FIELDS "\r\n", TRUE },
    /* Bare LFs end lines; names in any case and compact form. */
    { "INVITE sip:alice@example.com SIP/2.0\n"
      "via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKs1\nF: <sip:bob@example.com>;tag=x\n"
      "T: <sip:alice@example.com>\nI: scan-1@peer\ncseq: 3 INVITE\n\n", TRUE },
    /* Not a request, an ACK, another version, no method or URI. */
    { "SIP/2.0 200 OK\r\n" SCAN_FIELDS "\r\n", FALSE },
    { "ACK sip:alice@example.com SIP/2.0\r\n" SCAN_FIELDS "\r\n", FALSE },
    { "INVITE sip:alice@example.com SIP/3.0\r\n" SCAN_FIELDS "\r\n", FALSE },
    { "INVITE SIP/2.0\r\n" SCAN_FIELDS "\r\n", FALSE },
    { " sip:alice@example.com SIP/2.0\r\n" SCAN_FIELDS "\r\n", FALSE },
    /* A copied field missing or unusable. */
    { SCAN_HEAD "From: <sip:bob@example.com>;tag=x\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 INVITE\r\n\r\n", FALSE },
    { SCAN_HEAD "Via: SIP/2.0/WSS p.invalid;branch=z9hG4bKs2\r\nFrom: <sip:b@example.com>;tag=x\r\n"
      "To: <sip:a@example.com>\r\nCall-ID: c\001\r\nCSeq: 1 INVITE\r\n\r\n", FALSE },
    /* A Via that does not parse makes a response nobody could route. */
    { SCAN_HEAD "Via: nonsense\r\nFrom: <sip:b@example.com>;tag=x\r\n"
      "To: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i].text;
      g_autoptr(SipwsMessage) response = sipws_ua_bad_request_response (text, strlen (text), "line 6: bad\r\nthing");

      g_test_message ("case %u", i);
      if (!cases[i].answered)
        {
          g_assert_null (response);
          continue;
        }
      g_assert_nonnull (response);
      g_assert_cmpuint (sipws_message_get_status_code (response), ==, 400);
      g_assert_cmpstr (sipws_message_get_reason_phrase (response), ==, "line 6: bad  thing");
      g_assert_cmpstr (sipws_message_get_call_id (response), ==, "scan-1@peer");
      g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (response)), ==, "z9hG4bKs1");
      g_assert_nonnull (sipws_address_get_tag (sipws_message_get_to (response)));
      if (i < 2)
        g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (response)), ==, "known");
    }
}

static void
test_printable_line (void)
{
  g_autofree char *long_text = g_strnfill (500, 'x');
  g_autofree char *bounded = sipws_ua_printable_line (long_text, SIPWS_UA_MAX_REASON_LENGTH);
  /* é is two bytes: it is not cut in half at the bound. */
  g_autofree char *accents = sipws_ua_printable_line ("éééé", 5);
  g_autofree char *controls = sipws_ua_printable_line ("\ta\r\nb\001c\x7f\xff ", 100);

  g_assert_cmpuint (strlen (bounded), ==, SIPWS_UA_MAX_REASON_LENGTH);
  g_assert_cmpstr (accents, ==, "éé");
  g_assert_true (g_utf8_validate (controls, -1, NULL));
  g_assert_cmpstr (controls, ==, "a  b c \xef\xbf\xbd");
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
  /* The parameters say how to read the body. */
  g_assert_cmpstr (fx->content_type, ==, "text/plain;charset=UTF-8");
  g_assert_true (g_bytes_equal (fx->body, body));
}

static void
test_message_in_content_type (Fixture       *fx,
                              gconstpointer  data)
{
  g_autofree char *text = g_strdup_printf ("MESSAGE %s SIP/2.0\r\n"
                                           "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bKct1\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "From: <sip:bob@example.com>;tag=x\r\n"
                                           "To: <sip:alice@example.com>\r\n"
                                           "Call-ID: ct-1@peer\r\n"
                                           "CSeq: 1 MESSAGE\r\n"
                                           "c: Text/Plain; charset=\"ISO-8859-1\"; format=flowed\r\n"
                                           "Content-Length: 3\r\n\r\nh\xe9!", fx->contact);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(SipwsMessage) response = NULL;

  /* A compact Content-Type, several parameters, a body in Latin-1: a binary
   * frame, since it is not UTF-8. */
  sipws_fake_ws_server_send_message (fx->peer->server, bytes, TRUE);
  response = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpuint (fx->n_received, ==, 1);
  g_assert_cmpstr (fx->content_type, ==, "Text/Plain; charset=\"ISO-8859-1\"; format=flowed");
  g_assert_cmpmem (g_bytes_get_data (fx->body, NULL), g_bytes_get_size (fx->body), "h\xe9!", 3);
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
  g_autoptr(SipwsMessage) request G_GNUC_UNUSED = send_message (fx, "sip:bob@example.com");

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

/* A transport that gave up */

typedef struct {
  gboolean done;
  GError *error;
} TxResult;

static void
tx_result_cb (SipwsTransaction *tx,
              SipwsMessage     *response,
              const GError     *error,
              gpointer          user_data)
{
  TxResult *result = user_data;

  g_assert_null (response);
  result->error = g_error_copy (error);
  result->done = TRUE;
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *counter)
{
  (*counter)++;
}

static void
test_failed_transport (Fixture       *fx,
                       gconstpointer  data)
{
  /* Timer F is 32 s: failing by timeout would take that long. */
  SipwsTimerValues timers = { .t1 = 500, .t2 = 4000 };
  SipwsTransport *transport = sipws_account_get_transport (fx->account);
  g_autoptr(GBytes) body = g_bytes_new_static ("hi", 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsUri) uri = sipws_uri_parse ("sip:bob@example.com", -1, NULL);
  g_autoptr(SipwsAddress) to = sipws_address_new (NULL, uri);
  g_autoptr(SipwsMessage) request = NULL;
  g_autoptr(SipwsTransaction) tx = NULL;
  g_autoptr(SipwsMessage) again = NULL;
  TxResult result = { FALSE, NULL };
  guint state_changes = 0;
  gint64 start;

  sipws_account_set_timers (fx->account, &timers);
  /* The server goes away: the transport waits to retry... */
  sipws_fake_ws_server_stop (fx->peer->server);
  sipws_test_wait_transport_state (fx->account, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY);
  fx->done = FALSE;
  start = g_get_monotonic_time ();
  sipws_account_send_message_async (fx->account, "bob", "text/plain", body, NULL, sent_cb, fx);
  /* ...and so does the message, as a call's BYE would. */
  sipws_test_run_for (300);
  g_assert_false (fx->done);

  /* The server comes back refusing us for good: the transport gives up and
   * the waiting message fails at once, with the reason. */
  sipws_fake_ws_server_set_handshake_status (fx->peer->server, 403);
  g_assert_true (sipws_fake_ws_server_start (fx->peer->server, 0, &error));
  g_assert_no_error (error);
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, SIPWS_TEST_WAIT_MS);
  g_assert_cmpint (sipws_transport_get_state (transport), ==, SIPWS_TRANSPORT_STATE_FAILED);
  g_assert_false (fx->ok);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (fx->error->message, "403"));
  /* The registration failed too, with the same reason. */
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_FAILED);
  g_assert_error (sipws_account_get_registration_error (fx->account), SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (sipws_account_get_registration_error (fx->account)->message, "403"));

  /* A request sent while FAILED fails at once, without a new attempt. */
  g_signal_connect (transport, "notify::state", G_CALLBACK (count_cb), &state_changes);
  request = sipws_account_new_request (fx->account, "OPTIONS", uri, to, NULL, 1);
  tx = sipws_account_send_request (fx->account, request, tx_result_cb, &result);
  g_assert_true (sipws_test_wait_flag (&result.done, 100));
  g_assert_error (result.error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (result.error->message, "403"));
  g_assert_cmpuint (state_changes, ==, 0);
  g_signal_handlers_disconnect_by_func (transport, count_cb, &state_changes);
  g_clear_error (&result.error);

  /* Registering again tries again; the server now lets us in. */
  sipws_fake_ws_server_set_handshake_status (fx->peer->server, 0);
  again = sipws_test_register (fx->peer, fx->account, 600);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
  g_assert_null (sipws_account_get_registration_error (fx->account));
}

static void
register_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->ok = sipws_account_register_finish (SIPWS_ACCOUNT (source), result, &fx->error);
  fx->done = TRUE;
}

/* An untrusted certificate: registering and sending a message both fail at
 * once with the TLS reason (not 32 s later, with a timeout). */
static void
test_failed_transport_tls (void)
{
  SipwsTimerValues timers = { .t1 = 500, .t2 = 4000 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsTestCerts) certs = sipws_test_certs_new (&error);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SipwsFakeWsServer) server = NULL;
  g_autoptr(SipwsAccount) account = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hi", 2);
  g_autofree char *uri = NULL;
  const char *uris[2] = { NULL, NULL };
  const GError *last;
  Fixture fx = { 0 };
  gint64 start;

  if (certs == NULL)
    {
      g_test_skip ("no openssl to make certificates");
      return;
    }
  certificate = sipws_test_certs_load (certs->server_cert, certs->server_key);
  server = sipws_fake_ws_server_new (certificate);
  g_assert_true (sipws_fake_ws_server_start (server, 0, &error));
  g_assert_no_error (error);
  uri = sipws_fake_ws_server_get_uri (server, "/sip");
  uris[0] = uri;
  account = sipws_account_new (SIPWS_TEST_AOR);
  sipws_account_set_server_uris (account, uris);
  sipws_account_set_timers (account, &timers);

  start = g_get_monotonic_time ();
  sipws_account_register_async (account, NULL, register_done_cb, &fx);
  g_assert_true (sipws_test_wait_flag (&fx.done, SIPWS_TEST_WAIT_MS));
  g_assert_false (fx.ok);
  g_assert_error (fx.error, SIPWS_ERROR, SIPWS_ERROR_TLS);
  last = sipws_transport_get_last_error (sipws_account_get_transport (account));
  g_assert_error (last, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS);
  g_assert_nonnull (strstr (fx.error->message, last->message));
  g_assert_cmpint (sipws_account_get_registration_state (account), ==, SIPWS_REGISTRATION_STATE_FAILED);
  g_assert_error (sipws_account_get_registration_error (account), SIPWS_ERROR, SIPWS_ERROR_TLS);
  g_clear_error (&fx.error);

  fx.done = FALSE;
  sipws_account_send_message_async (account, "bob", "text/plain", body, NULL, sent_cb, &fx);
  g_assert_true (sipws_test_wait_flag (&fx.done, SIPWS_TEST_WAIT_MS));
  g_assert_false (fx.ok);
  g_assert_error (fx.error, SIPWS_ERROR, SIPWS_ERROR_TLS);
  g_assert_nonnull (strstr (fx.error->message, "Cannot reach the server"));
  /* Sending started a new round, which failed the same way. */
  last = sipws_transport_get_last_error (sipws_account_get_transport (account));
  g_assert_error (last, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS);
  g_assert_nonnull (strstr (fx.error->message, last->message));
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, SIPWS_TEST_WAIT_MS);
  g_clear_error (&fx.error);

  g_object_run_dispose (G_OBJECT (account));
  g_assert_finalize_object (g_steal_pointer (&account));
  sipws_fake_ws_server_stop (server);
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
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
  ADD ("unparsable-400", NULL, test_unparsable_400);
  ADD ("unparsable-reason", NULL, test_unparsable_reason);
  ADD ("bad-extension-420", NULL, test_bad_extension);
  ADD ("no-dialog-481", NULL, test_no_dialog);
  ADD ("message-in", NULL, test_message_in);
  ADD ("message-in-content-type", NULL, test_message_in_content_type);
  ADD ("message-out-200", GUINT_TO_POINTER (200), test_message_out);
  ADD ("message-out-404", GUINT_TO_POINTER (404), test_message_out);
  ADD ("message-out-auth", NULL, test_message_auth);
  ADD ("message-out-timeout", NULL, test_message_timeout);
  ADD ("message-cancel", NULL, test_message_cancel);
  ADD ("message-bad-target", NULL, test_message_bad_target);
  ADD ("failed-transport", NULL, test_failed_transport);
#undef ADD
  g_test_add_func ("/ua/requests/failed-transport-tls", test_failed_transport_tls);
  g_test_add_func ("/ua/requests/bad-request-response", test_bad_request_response);
  g_test_add_func ("/ua/requests/printable-line", test_printable_line);

  return g_test_run ();
}
