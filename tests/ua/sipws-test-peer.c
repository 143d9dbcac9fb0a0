/* sipws-test-peer.c: a scripted SIP registrar and remote party for the UA tests */
#include "sipws-test-peer.h"
#include "sipws-account-private.h"

#include <string.h>

SipwsTestPeer *
sipws_test_peer_new (void)
{
  SipwsTestPeer *self = g_new0 (SipwsTestPeer, 1);
  g_autoptr(GError) error = NULL;

  self->server = sipws_fake_ws_server_new (NULL);
  g_assert_true (sipws_fake_ws_server_start (self->server, 0, &error));
  g_assert_no_error (error);
  self->tag = g_strdup_printf ("peer%08x", g_random_int ());
  self->cseq = 100;
  return self;
}

void
sipws_test_peer_free (SipwsTestPeer *self)
{
  if (self == NULL)
    return;
  sipws_fake_ws_server_stop (self->server);
  /* Let the closed connections wind down before the server goes. */
  for (int i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_finalize_object (self->server);
  g_free (self->tag);
  g_free (self);
}

char *
sipws_test_peer_get_uri (SipwsTestPeer *self)
{
  return sipws_fake_ws_server_get_uri (self->server, "/sip");
}

SipwsMessage *
sipws_test_peer_next (SipwsTestPeer *self,
                      guint          timeout_ms)
{
  g_autoptr(GBytes) bytes = sipws_fake_ws_server_wait_message (self->server, timeout_ms, NULL);
  g_autoptr(GError) error = NULL;
  SipwsMessage *message;

  if (bytes == NULL)
    return NULL;
  message = sipws_message_parse_bytes (bytes, &error);
  g_assert_no_error (error);
  if (g_test_verbose ())
    g_test_message ("peer received %.*s", (int) g_bytes_get_size (bytes), (const char *) g_bytes_get_data (bytes, NULL));
  return message;
}

SipwsMessage *
sipws_test_peer_expect (SipwsTestPeer *self,
                        const char    *method)
{
  SipwsMessage *message = sipws_test_peer_next (self, SIPWS_TEST_WAIT_MS);

  if (message == NULL)
    g_error ("expected a %s request, got nothing", method);
  if (!sipws_message_is_request (message))
    g_error ("expected a %s request, got a %u response", method, sipws_message_get_status_code (message));
  g_assert_cmpstr (sipws_message_get_method (message), ==, method);
  return message;
}

SipwsMessage *
sipws_test_peer_expect_response (SipwsTestPeer *self,
                                 guint          status)
{
  SipwsMessage *message = sipws_test_peer_next (self, SIPWS_TEST_WAIT_MS);

  if (message == NULL)
    g_error ("expected a %u response, got nothing", status);
  if (sipws_message_is_request (message))
    g_error ("expected a %u response, got a %s request", status, sipws_message_get_method (message));
  g_assert_cmpuint (sipws_message_get_status_code (message), ==, status);
  return message;
}

void
sipws_test_peer_expect_silence (SipwsTestPeer *self,
                                guint          ms)
{
  g_autoptr(SipwsMessage) message = sipws_test_peer_next (self, ms);

  if (message != NULL && sipws_message_is_request (message))
    g_error ("expected silence, got a %s request", sipws_message_get_method (message));
  else if (message != NULL)
    g_error ("expected silence, got a %u response", sipws_message_get_status_code (message));
}

SipwsMessage *
sipws_test_peer_response (SipwsTestPeer *self,
                          SipwsMessage  *request,
                          guint          status)
{
  SipwsMessage *response = sipws_message_new_response_for_request (request, status, NULL);
  SipwsAddress *to = sipws_message_get_to (request);

  if (status > 100 && sipws_address_get_tag (to) == NULL)
    {
      g_autofree char *value = g_strdup_printf ("%s;tag=%s", sipws_message_get_header (request, "To"), self->tag);

      sipws_message_set_header (response, "To", value);
    }
  return response;
}

void
sipws_test_peer_send (SipwsTestPeer *self,
                      SipwsMessage  *message)
{
  g_autoptr(GBytes) bytes = sipws_message_to_bytes (message);

  sipws_fake_ws_server_send_message (self->server, bytes, FALSE);
}

void
sipws_test_peer_reply (SipwsTestPeer *self,
                       SipwsMessage  *request,
                       guint          status)
{
  g_autoptr(SipwsMessage) response = sipws_test_peer_response (self, request, status);

  sipws_test_peer_send (self, response);
}

void
sipws_test_peer_accept_register (SipwsTestPeer *self,
                                 SipwsMessage  *request,
                                 guint          expires)
{
  g_autoptr(SipwsMessage) response = sipws_test_peer_response (self, request, 200);
  GPtrArray *contacts = sipws_message_get_contacts (request);

  g_assert_nonnull (contacts);
  for (guint i = 0; i < contacts->len; i++)
    {
      g_autoptr(SipwsAddress) contact = sipws_address_copy (g_ptr_array_index (contacts, i));
      g_autofree char *value = g_strdup_printf ("%u", expires);
      g_autofree char *text = NULL;

      sipws_address_set_param (contact, "expires", value);
      text = sipws_address_to_string (contact);
      sipws_message_add_header (response, "Contact", text);
    }
  sipws_test_peer_send (self, response);
}

SipwsMessage *
sipws_test_peer_new_request (SipwsTestPeer *self,
                             const char    *method,
                             const char    *request_uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsUri) uri = sipws_uri_parse (request_uri, -1, &error);
  SipwsMessage *request;
  g_autofree char *via = g_strdup_printf ("SIP/2.0/WSS peer.invalid;branch=z9hG4bK%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *from = g_strdup_printf ("\"Bob\" <sip:bob@example.com>;tag=%08x", g_random_int ());
  g_autofree char *call_id = g_strdup_printf ("%08x%08x@peer", g_random_int (), g_random_int ());
  g_autofree char *cseq = g_strdup_printf ("%u %s", ++self->cseq, method);

  g_assert_no_error (error);
  request = sipws_message_new_request (method, uri);
  sipws_message_add_header (request, "Via", via);
  sipws_message_set_header (request, "Max-Forwards", "70");
  sipws_message_set_header (request, "From", from);
  sipws_message_set_header (request, "To", "<sip:alice@example.com>");
  sipws_message_set_header (request, "Call-ID", call_id);
  sipws_message_set_header (request, "CSeq", cseq);
  sipws_message_set_header (request, "Contact", "<sip:bob@peer.invalid;transport=ws>");
  return request;
}

static char *
contact_uri (SipwsMessage *message)
{
  GPtrArray *contacts = sipws_message_get_contacts (message);

  g_assert_nonnull (contacts);
  g_assert_cmpuint (contacts->len, ==, 1);
  return sipws_uri_to_string (sipws_address_get_uri (g_ptr_array_index (contacts, 0)));
}

SipwsTestDialog *
sipws_test_dialog_new_uas (SipwsMessage *request,
                           SipwsMessage *response)
{
  SipwsTestDialog *self = g_new0 (SipwsTestDialog, 1);

  self->call_id = g_strdup (sipws_message_get_call_id (request));
  self->local = g_strdup (sipws_message_get_header (response, "To"));
  self->remote = g_strdup (sipws_message_get_header (request, "From"));
  self->target = contact_uri (request);
  self->cseq = 500;
  return self;
}

SipwsTestDialog *
sipws_test_dialog_new_uac (SipwsMessage *request,
                           SipwsMessage *response)
{
  SipwsTestDialog *self = g_new0 (SipwsTestDialog, 1);

  self->call_id = g_strdup (sipws_message_get_call_id (request));
  self->local = g_strdup (sipws_message_get_header (request, "From"));
  self->remote = g_strdup (sipws_message_get_header (response, "To"));
  self->target = contact_uri (response);
  sipws_message_get_cseq (request, &self->cseq, NULL);
  return self;
}

void
sipws_test_dialog_free (SipwsTestDialog *self)
{
  if (self == NULL)
    return;
  g_free (self->call_id);
  g_free (self->local);
  g_free (self->remote);
  g_free (self->target);
  g_free (self);
}

static SipwsMessage *
dialog_request (SipwsTestDialog *self,
                const char      *method,
                guint32          cseq)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsUri) uri = sipws_uri_parse (self->target, -1, &error);
  g_autofree char *via = g_strdup_printf ("SIP/2.0/WSS peer.invalid;branch=z9hG4bK%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *cseq_value = g_strdup_printf ("%u %s", cseq, method);
  SipwsMessage *request;

  g_assert_no_error (error);
  request = sipws_message_new_request (method, uri);
  sipws_message_add_header (request, "Via", via);
  sipws_message_set_header (request, "Max-Forwards", "70");
  sipws_message_set_header (request, "From", self->local);
  sipws_message_set_header (request, "To", self->remote);
  sipws_message_set_header (request, "Call-ID", self->call_id);
  sipws_message_set_header (request, "CSeq", cseq_value);
  sipws_message_set_header (request, "Contact", "<sip:bob@peer.invalid;transport=ws>");
  return request;
}

SipwsMessage *
sipws_test_dialog_request (SipwsTestDialog *self,
                           const char      *method)
{
  return dialog_request (self, method, ++self->cseq);
}

SipwsMessage *
sipws_test_dialog_ack (SipwsTestDialog *self,
                       SipwsMessage    *invite)
{
  guint32 cseq = 0;

  sipws_message_get_cseq (invite, &cseq, NULL);
  return dialog_request (self, "ACK", cseq);
}

SipwsMessage *
sipws_test_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  SipwsMessage *message = sipws_message_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return message;
}

void
sipws_test_set_sdp (SipwsMessage *message,
                    const char   *sdp)
{
  g_autoptr(GBytes) body = g_bytes_new (sdp, strlen (sdp));

  sipws_message_set_body (message, "application/sdp", body);
}

char *
sipws_test_get_body (SipwsMessage *message)
{
  GBytes *body = sipws_message_get_body (message);
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return g_strdup ("");
  data = g_bytes_get_data (body, &len);
  return g_strndup (data, len);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
sipws_test_wait_flag (gboolean *flag,
                      guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

void
sipws_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
sipws_test_wait_transport_state (SipwsAccount        *account,
                                 SipwsTransportState  state)
{
  SipwsTransport *transport = sipws_account_get_transport (account);
  gint64 deadline = g_get_monotonic_time () + SIPWS_TEST_WAIT_MS * 1000;

  while (sipws_transport_get_state (transport) != state && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpint (sipws_transport_get_state (transport), ==, state);
}

SipwsAccount *
sipws_test_account_new (SipwsTestPeer *peer,
                        guint          t1)
{
  SipwsTimerValues timers = { .t1 = t1, .t2 = 4 * t1 };
  g_autofree char *uri = sipws_test_peer_get_uri (peer);
  const char *uris[2] = { uri, NULL };
  SipwsAccount *account = sipws_account_new (SIPWS_TEST_AOR);

  sipws_account_set_server_uris (account, uris);
  sipws_account_set_instance_id (account, SIPWS_TEST_INSTANCE);
  sipws_account_set_timers (account, &timers);
  sipws_account_set_registration_backoff (account, 100, 400);
  g_object_set (sipws_account_get_transport (account), "backoff-base", 50, "backoff-max", 200, NULL);
  return account;
}

static void
registered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sipws_account_register_finish (SIPWS_ACCOUNT (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

SipwsMessage *
sipws_test_register (SipwsTestPeer *peer,
                     SipwsAccount  *account,
                     guint          expires)
{
  gboolean done = FALSE;
  SipwsMessage *request;

  sipws_account_register_async (account, NULL, registered_cb, &done);
  request = sipws_test_peer_expect (peer, "REGISTER");
  sipws_test_peer_accept_register (peer, request, expires);
  g_assert_true (sipws_test_wait_flag (&done, SIPWS_TEST_WAIT_MS));
  return request;
}
