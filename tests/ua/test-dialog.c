/* test-dialog.c: RFC 3261 §12 dialog state and in-dialog requests */
#include "sipws-dialog-private.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"

#include <string.h>

#define LOCAL_CONTACT "<sip:u1@h1.invalid;transport=ws;ob>"

static SipwsMessage *
our_invite (void)
{
  return sipws_test_parse ("INVITE sip:bob@example.com SIP/2.0\r\n"
                "Via: SIP/2.0/WSS h1.invalid;branch=z9hG4bK1\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
                "To: <sip:bob@example.com>\r\n"
                "Call-ID: c1\r\n"
                "CSeq: 10 INVITE\r\n"
                "Contact: " LOCAL_CONTACT "\r\n\r\n");
}

static SipwsMessage *
their_answer (guint       status,
              const char *record_route,
              const char *contact)
{
  g_autofree char *text = g_strdup_printf ("SIP/2.0 %u X\r\n"
                                           "Via: SIP/2.0/WSS h1.invalid;branch=z9hG4bK1\r\n"
                                           "%s"
                                           "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
                                           "To: <sip:bob@example.com>;tag=b1\r\n"
                                           "Call-ID: c1\r\n"
                                           "CSeq: 10 INVITE\r\n"
                                           "%s%s%s\r\n",
                                           status, record_route != NULL ? record_route : "",
                                           contact != NULL ? "Contact: " : "", contact != NULL ? contact : "",
                                           contact != NULL ? "\r\n" : "");

  return sipws_test_parse (text);
}

static guint32
cseq_of (SipwsMessage  *message,
         const char   **method)
{
  guint32 cseq = 0;

  g_assert_true (sipws_message_get_cseq (message, &cseq, method));
  return cseq;
}

static void
test_uac_loose (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = our_invite ();
  g_autoptr(SipwsMessage) ok = their_answer (200, "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n",
                                             "<sip:bob@192.0.2.4;transport=ws>");
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (invite, ok, LOCAL_CONTACT, &error);
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsMessage) reinvite = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autofree char *ruri = NULL;
  g_auto(GStrv) routes = NULL;
  const char *method = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sipws_dialog_get_state (dialog), ==, SIPWS_DIALOG_CONFIRMED);
  g_assert_true (sipws_dialog_is_uac (dialog));
  g_assert_true (sipws_dialog_matches (dialog, "c1", "a1", "b1"));
  g_assert_false (sipws_dialog_matches (dialog, "c1", "a1", "b2"));

  bye = sipws_dialog_create_request (dialog, "BYE");
  ruri = sipws_uri_to_string (sipws_message_get_request_uri (bye));
  g_assert_cmpstr (ruri, ==, "sip:bob@192.0.2.4;transport=ws");
  /* §12.1.2: the UAC's route set is the Record-Route reversed. */
  routes = sipws_message_get_header_values (bye, "Route");
  g_assert_cmpuint (g_strv_length (routes), ==, 2);
  g_assert_cmpstr (routes[0], ==, "<sip:p2.example.com;lr>");
  g_assert_cmpstr (routes[1], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (bye)), ==, "a1");
  g_assert_cmpstr (sipws_address_get_display_name (sipws_message_get_from (bye)), ==, "Alice");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, "b1");
  g_assert_cmpstr (sipws_message_get_call_id (bye), ==, "c1");
  g_assert_cmpuint (cseq_of (bye, &method), ==, 11);
  g_assert_cmpstr (method, ==, "BYE");
  g_assert_null (sipws_message_get_header (bye, "Contact"));

  /* Target-refresh requests carry our Contact. */
  reinvite = sipws_dialog_create_request (dialog, "INVITE");
  g_assert_cmpuint (cseq_of (reinvite, NULL), ==, 12);
  g_assert_cmpstr (sipws_message_get_header (reinvite, "Contact"), ==, LOCAL_CONTACT);

  /* The ACK of a 2xx takes the INVITE's CSeq number. */
  ack = sipws_dialog_create_ack (dialog, 12);
  g_assert_cmpuint (cseq_of (ack, &method), ==, 12);
  g_assert_cmpstr (method, ==, "ACK");
  g_assert_cmpuint (sipws_dialog_get_local_seq (dialog), ==, 12);
}

static void
test_uac_strict (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = our_invite ();
  g_autoptr(SipwsMessage) ok = their_answer (200, "Record-Route: <sip:p1.example.com;lr>, <sip:strict.example.com;maddr=10.0.0.1>\r\n",
                                             "<sip:bob@192.0.2.4>");
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (invite, ok, LOCAL_CONTACT, &error);
  g_autoptr(SipwsMessage) bye = NULL;
  g_autofree char *ruri = NULL;
  g_auto(GStrv) routes = NULL;

  g_assert_no_error (error);
  bye = sipws_dialog_create_request (dialog, "BYE");
  /* §12.2.1.1: a strict first hop becomes the Request-URI (no maddr), the
   * remote target the last Route. */
  ruri = sipws_uri_to_string (sipws_message_get_request_uri (bye));
  g_assert_cmpstr (ruri, ==, "sip:strict.example.com");
  routes = sipws_message_get_header_values (bye, "Route");
  g_assert_cmpuint (g_strv_length (routes), ==, 2);
  g_assert_cmpstr (routes[0], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (routes[1], ==, "<sip:bob@192.0.2.4>");
}

static void
test_uac_early_confirm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = our_invite ();
  g_autoptr(SipwsMessage) ringing = their_answer (180, "Record-Route: <sip:p1.example.com;lr>\r\n", NULL);
  g_autoptr(SipwsMessage) ok = their_answer (200, "Record-Route: <sip:p9.example.com;lr>\r\n", "<sip:bob@192.0.2.9>");
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (invite, ringing, LOCAL_CONTACT, &error);
  g_autoptr(SipwsMessage) bye = NULL;
  g_autofree char *ruri = NULL;

  /* A 180 without Contact still makes an early dialog. */
  g_assert_no_error (error);
  g_assert_cmpint (sipws_dialog_get_state (dialog), ==, SIPWS_DIALOG_EARLY);

  sipws_dialog_confirm (dialog, ok);
  g_assert_cmpint (sipws_dialog_get_state (dialog), ==, SIPWS_DIALOG_CONFIRMED);
  bye = sipws_dialog_create_request (dialog, "BYE");
  ruri = sipws_uri_to_string (sipws_message_get_request_uri (bye));
  g_assert_cmpstr (ruri, ==, "sip:bob@192.0.2.9");
  /* §13.2.2.4: the route set comes from the 2xx. */
  g_assert_cmpstr (sipws_message_get_header (bye, "Route"), ==, "<sip:p9.example.com;lr>");
}

static void
test_uac_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = our_invite ();
  g_autoptr(SipwsMessage) untagged = sipws_test_parse ("SIP/2.0 180 Ringing\r\n"
                                            "Via: SIP/2.0/WSS h1.invalid;branch=z9hG4bK1\r\n"
                                            "From: <sip:alice@example.com>;tag=a1\r\n"
                                            "To: <sip:bob@example.com>\r\n"
                                            "Call-ID: c1\r\nCSeq: 10 INVITE\r\n\r\n");
  g_autoptr(SipwsMessage) no_contact = their_answer (200, NULL, NULL);
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (invite, untagged, LOCAL_CONTACT, &error);

  g_assert_null (dialog);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "To tag"));
  g_clear_error (&error);

  dialog = sipws_dialog_new_uac (invite, no_contact, LOCAL_CONTACT, &error);
  g_assert_null (dialog);
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "Contact"));
}

static SipwsMessage *
their_request (const char *method,
               guint       cseq,
               const char *contact)
{
  g_autofree char *text = g_strdup_printf ("%s sip:u1@h1.invalid;transport=ws SIP/2.0\r\n"
                                           "Via: SIP/2.0/WSS peer.invalid;branch=z9hG4bK%u\r\n"
                                           "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
                                           "From: <sip:bob@example.com>;tag=b1\r\n"
                                           "To: <sip:alice@example.com>%s\r\n"
                                           "Call-ID: c2\r\n"
                                           "CSeq: %u %s\r\n"
                                           "Contact: %s\r\n\r\n",
                                           method, cseq, g_str_equal (method, "INVITE") && cseq == 1 ? "" : ";tag=a9",
                                           cseq, method, contact);

  return sipws_test_parse (text);
}

static void
test_uas (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = their_request ("INVITE", 1, "<sip:bob@192.0.2.4>");
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uas (invite, "a9", LOCAL_CONTACT, &error);
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsMessage) old = their_request ("INFO", 1, "<sip:bob@192.0.2.4>");
  g_autoptr(SipwsMessage) refresh = their_request ("INVITE", 2, "<sip:bob@192.0.2.77>");
  g_autoptr(SipwsMessage) info = their_request ("INFO", 3, "<sip:bob@192.0.2.88>");
  g_auto(GStrv) routes = NULL;
  g_autofree char *ruri = NULL;

  g_assert_no_error (error);
  g_assert_false (sipws_dialog_is_uac (dialog));
  g_assert_cmpint (sipws_dialog_get_state (dialog), ==, SIPWS_DIALOG_EARLY);
  g_assert_true (sipws_dialog_matches (dialog, "c2", "a9", "b1"));
  g_assert_cmpstr (sipws_dialog_get_local_contact (dialog), ==, LOCAL_CONTACT);

  /* §12.1.1: the UAS keeps the Record-Route order. */
  bye = sipws_dialog_create_request (dialog, "BYE");
  routes = sipws_message_get_header_values (bye, "Route");
  g_assert_cmpstr (routes[0], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (routes[1], ==, "<sip:p2.example.com;lr>");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (bye)), ==, "a9");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, "b1");

  /* §12.2.2: a CSeq not above the last one is refused. */
  g_assert_false (sipws_dialog_receive_request (dialog, old));
  /* A target refresh moves the remote target; INFO does not. */
  g_assert_true (sipws_dialog_receive_request (dialog, refresh));
  g_assert_true (sipws_dialog_receive_request (dialog, info));
  ruri = sipws_uri_to_string (sipws_dialog_get_remote_target (dialog));
  g_assert_cmpstr (ruri, ==, "sip:bob@192.0.2.77");
}

static void
test_target_refresh_response (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) invite = our_invite ();
  g_autoptr(SipwsMessage) ok = their_answer (200, NULL, "<sip:bob@192.0.2.4>");
  g_autoptr(SipwsMessage) reinvite_ok = their_answer (200, NULL, "<sip:bob@192.0.2.5>");
  g_autoptr(SipwsDialog) dialog = sipws_dialog_new_uac (invite, ok, LOCAL_CONTACT, &error);
  g_autofree char *ruri = NULL;

  g_assert_no_error (error);
  sipws_dialog_receive_response (dialog, reinvite_ok);
  ruri = sipws_uri_to_string (sipws_dialog_get_remote_target (dialog));
  g_assert_cmpstr (ruri, ==, "sip:bob@192.0.2.5");
  g_assert_true (sipws_method_is_target_refresh ("UPDATE"));
  g_assert_false (sipws_method_is_target_refresh ("INFO"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ua/dialog/uac-loose-routing", test_uac_loose);
  g_test_add_func ("/ua/dialog/uac-strict-routing", test_uac_strict);
  g_test_add_func ("/ua/dialog/uac-early-confirm", test_uac_early_confirm);
  g_test_add_func ("/ua/dialog/uac-errors", test_uac_errors);
  g_test_add_func ("/ua/dialog/uas", test_uas);
  g_test_add_func ("/ua/dialog/target-refresh-response", test_target_refresh_response);

  return g_test_run ();
}
