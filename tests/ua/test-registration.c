/* test-registration.c: SipwsAccount registration against a scripted registrar */
#include "sipws-account-private.h"
#include "sipws-ua-enums.h"
#include "sipws-digest.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"

#include <string.h>

#define INSTANCE SIPWS_TEST_INSTANCE
#define PASSWORD "secret-pw"
/* Short timers: 64·T1 = 1.28 s for Timer B/F/H. */
#define TEST_T1 20

typedef struct {
  SipwsTestPeer *peer;
  SipwsAccount *account;
  GArray *states;            /* SipwsRegistrationState at every notify */
  guint expires_notifies;
  guint gruu_notifies;
  guint error_notifies;
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

static void
state_cb (SipwsAccount *account,
          GParamSpec   *pspec,
          Fixture      *fx)
{
  SipwsRegistrationState state = sipws_account_get_registration_state (account);

  g_array_append_val (fx->states, state);
}

static void
count_cb (SipwsAccount *account,
          GParamSpec   *pspec,
          guint        *counter)
{
  (*counter)++;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->peer = sipws_test_peer_new ();
  fx->account = sipws_test_account_new (fx->peer, TEST_T1);
  fx->states = g_array_new (FALSE, FALSE, sizeof (SipwsRegistrationState));
  g_signal_connect (fx->account, "notify::registration-state", G_CALLBACK (state_cb), fx);
  g_signal_connect (fx->account, "notify::registration-expires", G_CALLBACK (count_cb), &fx->expires_notifies);
  g_signal_connect (fx->account, "notify::gruu", G_CALLBACK (count_cb), &fx->gruu_notifies);
  g_signal_connect (fx->account, "notify::registration-error", G_CALLBACK (count_cb), &fx->error_notifies);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (fx->account, fx);
  g_object_run_dispose (G_OBJECT (fx->account));
  g_assert_finalize_object (fx->account);
  sipws_test_peer_free (fx->peer);
  g_array_unref (fx->states);
  g_clear_error (&fx->error);
}

static void
register_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->ok = sipws_account_register_finish (SIPWS_ACCOUNT (source), result, &fx->error);
  fx->done = TRUE;
}

static void
unregister_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->ok = sipws_account_unregister_finish (SIPWS_ACCOUNT (source), result, &fx->error);
  fx->done = TRUE;
}

static void
start_register (Fixture *fx)
{
  fx->done = FALSE;
  g_clear_error (&fx->error);
  sipws_account_register_async (fx->account, NULL, register_cb, fx);
}

static void
wait_done (Fixture *fx)
{
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
}

static void
assert_states (Fixture                      *fx,
               const SipwsRegistrationState *expected,
               guint                         n)
{
  g_assert_cmpuint (fx->states->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (fx->states, SipwsRegistrationState, i), ==, expected[i]);
}

static guint32
cseq_of (SipwsMessage *message)
{
  guint32 cseq = 0;

  g_assert_true (sipws_message_get_cseq (message, &cseq, NULL));
  return cseq;
}

static SipwsAddress *
only_contact (SipwsMessage *message)
{
  GPtrArray *contacts = sipws_message_get_contacts (message);

  g_assert_nonnull (contacts);
  g_assert_cmpuint (contacts->len, ==, 1);
  return g_ptr_array_index (contacts, 0);
}

/* Registers with a plain 200; returns the accepted REGISTER. */
static SipwsMessage *
register_ok (Fixture *fx,
             guint    expires)
{
  SipwsMessage *request;

  start_register (fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_accept_register (fx->peer, request, expires);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_true (fx->ok);
  return request;
}

static void
test_basic (Fixture       *fx,
            gconstpointer  data)
{
  static const SipwsRegistrationState expected[] = {
    SIPWS_REGISTRATION_STATE_REGISTERING, SIPWS_REGISTRATION_STATE_REGISTERED,
  };
  g_autoptr(SipwsMessage) request = NULL;
  g_autofree char *ruri = NULL;
  SipwsAddress *contact;
  SipwsUri *contact_uri;
  SipwsVia *via;

  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_UNREGISTERED);
  request = register_ok (fx, 600);

  ruri = sipws_uri_to_string (sipws_message_get_request_uri (request));
  g_assert_cmpstr (ruri, ==, "sip:example.com");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_from (request))), ==, "alice");
  g_assert_cmpstr (sipws_uri_get_user (sipws_address_get_uri (sipws_message_get_to (request))), ==, "alice");
  g_assert_nonnull (sipws_address_get_tag (sipws_message_get_from (request)));
  g_assert_null (sipws_address_get_tag (sipws_message_get_to (request)));
  g_assert_cmpint (sipws_message_get_expires (request), ==, 600);

  /* RFC 7118 Appendix B and RFC 5626 §4.2.1 */
  via = sipws_message_get_top_via (request);
  g_assert_cmpstr (sipws_via_get_transport (via), ==, "WS");
  g_assert_true (g_str_has_suffix (sipws_via_get_host (via), ".invalid"));
  g_assert_true (sipws_via_has_magic_cookie (via));
  contact = only_contact (request);
  contact_uri = sipws_address_get_uri (contact);
  g_assert_true (g_str_has_suffix (sipws_uri_get_host (contact_uri), ".invalid"));
  g_assert_cmpstr (sipws_uri_get_param (contact_uri, "transport"), ==, "ws");
  g_assert_true (sipws_uri_has_param (contact_uri, "ob"));
  g_assert_cmpstr (sipws_address_get_param (contact, "+sip.instance"), ==, "<" INSTANCE ">");
  g_assert_cmpstr (sipws_address_get_param (contact, "reg-id"), ==, "1");
  g_assert_cmpint (sipws_address_get_expires (contact), ==, 600);
  /* On the wire exactly as RFC 5626 §4.2.1 writes it. */
  g_assert_nonnull (strstr (sipws_message_get_header (request, "Contact"), ";+sip.instance=\"<" INSTANCE ">\""));
  g_assert_true (sipws_message_has_token (request, "Supported", "path"));
  g_assert_true (sipws_message_has_token (request, "Supported", "outbound"));
  g_assert_true (sipws_message_has_token (request, "Supported", "gruu"));
  g_assert_null (sipws_message_get_header (request, "Route"));

  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
  g_assert_null (sipws_account_get_registration_error (fx->account));
  assert_states (fx, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (fx->expires_notifies, ==, 0);
  g_assert_cmpuint (fx->error_notifies, ==, 0);
}

/* Asking a registered account to register completes at once: the binding
 * stands and its refresh is already scheduled. */
static void
test_register_again (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) request G_GNUC_UNUSED = register_ok (fx, 600);

  start_register (fx);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
  sipws_test_peer_expect_silence (fx->peer, 200);
}

static void
test_instance_generated (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = NULL;
  guint notifies = 0;
  const char *instance;
  g_autofree char *expected = NULL;

  sipws_account_set_instance_id (fx->account, NULL);
  g_signal_connect (fx->account, "notify::instance-id", G_CALLBACK (count_cb), &notifies);
  request = register_ok (fx, 600);

  /* Made up once and notified, for the application to store. */
  instance = sipws_account_get_instance_id (fx->account);
  g_assert_nonnull (instance);
  g_assert_true (g_str_has_prefix (instance, "urn:uuid:"));
  g_assert_true (g_uuid_string_is_valid (instance + 9));
  g_assert_cmpuint (notifies, ==, 1);
  expected = g_strdup_printf ("<%s>", instance);
  g_assert_cmpstr (sipws_address_get_param (only_contact (request), "+sip.instance"), ==, expected);
  g_signal_handlers_disconnect_by_func (fx->account, count_cb, &notifies);
}

static void
add_challenge (SipwsMessage *response,
               const char   *header,
               const char   *algorithm,
               const char   *nonce,
               gboolean      stale)
{
  g_autofree char *value = g_strdup_printf ("Digest realm=\"example.com\", nonce=\"%s\", qop=\"auth\", "
                                            "algorithm=%s%s", nonce, algorithm, stale ? ", stale=true" : "");

  sipws_message_add_header (response, header, value);
}

static void
challenge (Fixture      *fx,
           SipwsMessage *request,
           guint         status,
           const char   *nonce,
           gboolean      stale)
{
  g_autoptr(SipwsMessage) response = sipws_test_peer_response (fx->peer, request, status);
  const char *header = status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";

  /* Two challenges: the account must pick SHA-256 over MD5 (RFC 8760). */
  add_challenge (response, header, "MD5", nonce, stale);
  add_challenge (response, header, "SHA-256", nonce, stale);
  sipws_test_peer_send (fx->peer, response);
}

static void
assert_authorized (SipwsMessage *request,
                   const char   *header,
                   const char   *nonce,
                   const char   *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAuthorization) authorization = NULL;
  g_autoptr(SipwsCredentials) credentials = sipws_credentials_new ("alice", password, NULL);
  const char *value = sipws_message_get_header (request, header);

  g_assert_nonnull (value);
  authorization = sipws_authorization_parse (value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sipws_authorization_get_algorithm (authorization), ==, SIPWS_DIGEST_ALGORITHM_SHA_256);
  g_assert_cmpstr (sipws_authorization_get_uri (authorization), ==, "sip:example.com");
  g_assert_true (sipws_digest_verify (authorization, credentials, sipws_message_get_method (request), NULL,
                                      "example.com", nonce, &error));
  g_assert_no_error (error);
}

static void
test_digest (Fixture       *fx,
             gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  const char *header = status == 401 ? "Authorization" : "Proxy-Authorization";
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) refresh = NULL;

  sipws_account_set_password (fx->account, PASSWORD);
  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_null (sipws_message_get_header (first, header));
  challenge (fx, first, status, "nonce-1", FALSE);

  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpstr (sipws_message_get_call_id (second), ==, sipws_message_get_call_id (first));
  g_assert_cmpuint (cseq_of (second), ==, cseq_of (first) + 1);
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (second)), !=,
                   sipws_via_get_branch (sipws_message_get_top_via (first)));
  assert_authorized (second, header, "nonce-1", PASSWORD);
  sipws_test_peer_accept_register (fx->peer, second, 1);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_true (fx->ok);

  /* The refresh answers the known challenge at once (nc grows, no 401 round). */
  refresh = sipws_test_peer_expect (fx->peer, "REGISTER");
  assert_authorized (refresh, header, "nonce-1", PASSWORD);
  g_assert_cmpstr (sipws_authorization_get_nc (sipws_authorization_parse (sipws_message_get_header (refresh, header), NULL)),
                   ==, "00000002");
}

static void
test_wrong_password (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;

  sipws_account_set_password (fx->account, "wrong");
  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  challenge (fx, first, 401, "nonce-1", FALSE);
  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  /* The registrar rejects it: a new challenge, not stale. */
  challenge (fx, second, 401, "nonce-2", FALSE);

  wait_done (fx);
  g_assert_false (fx->ok);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_nonnull (strstr (fx->error->message, "wrong user name or password"));
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_FAILED);
  g_assert_error (sipws_account_get_registration_error (fx->account), SIPWS_ERROR, SIPWS_ERROR_AUTH);
  /* No retry storm: nothing more, not even after the retry backoff. */
  sipws_test_peer_expect_silence (fx->peer, 600);
}

static void
test_stale_nonce (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) third = NULL;

  sipws_account_set_password (fx->account, PASSWORD);
  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  challenge (fx, first, 401, "nonce-1", FALSE);
  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  challenge (fx, second, 401, "nonce-2", TRUE);
  third = sipws_test_peer_expect (fx->peer, "REGISTER");
  assert_authorized (third, "Authorization", "nonce-2", PASSWORD);
  sipws_test_peer_accept_register (fx->peer, third, 600);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
}

static void
test_endless_stale (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = NULL;
  guint n = 0;

  sipws_account_set_password (fx->account, PASSWORD);
  start_register (fx);
  /* A server calling every nonce stale gets a bounded number of tries. */
  while ((request = sipws_test_peer_next (fx->peer, 300)) != NULL)
    {
      g_autofree char *nonce = g_strdup_printf ("nonce-%u", n);

      g_assert_cmpstr (sipws_message_get_method (request), ==, "REGISTER");
      challenge (fx, request, 401, nonce, n > 0);
      g_clear_pointer (&request, sipws_message_unref);
      n++;
      g_assert_cmpuint (n, <=, SIPWS_ACCOUNT_MAX_AUTH_ATTEMPTS + 1);
    }
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  /* The first REGISTER and one per allowed challenge. */
  g_assert_cmpuint (n, ==, SIPWS_ACCOUNT_MAX_AUTH_ATTEMPTS + 1);
}

static void
test_no_password (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  challenge (fx, first, 401, "nonce-1", FALSE);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_AUTH);
  g_assert_nonnull (strstr (fx->error->message, "no password"));
  sipws_test_peer_expect_silence (fx->peer, 300);
}

static void
test_423 (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) response = NULL;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  response = sipws_test_peer_response (fx->peer, first, 423);
  sipws_message_set_header (response, "Min-Expires", "1800");
  sipws_test_peer_send (fx->peer, response);

  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpint (sipws_message_get_expires (second), ==, 1800);
  g_assert_cmpint (sipws_address_get_expires (only_contact (second)), ==, 1800);
  g_assert_cmpuint (cseq_of (second), ==, cseq_of (first) + 1);
  sipws_test_peer_accept_register (fx->peer, second, 1800);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpuint (sipws_account_get_registration_expires (fx->account), ==, 1800);
  g_assert_cmpuint (fx->expires_notifies, ==, 1);
}

static void
test_423_loop (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = NULL;
  guint n = 0;

  start_register (fx);
  /* A registrar that keeps raising Min-Expires gets three tries. */
  while ((request = sipws_test_peer_next (fx->peer, 300)) != NULL)
    {
      g_autoptr(SipwsMessage) response = sipws_test_peer_response (fx->peer, request, 423);
      g_autofree char *min = g_strdup_printf ("%u", 1000 + 100 * ++n);

      sipws_message_set_header (response, "Min-Expires", min);
      sipws_test_peer_send (fx->peer, response);
      g_clear_pointer (&request, sipws_message_unref);
      g_assert_cmpuint (n, <=, 4);
    }
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_cmpuint (n, ==, 4);
}

static void
test_439 (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  SipwsAddress *contact;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_reply (fx->peer, first, 439);
  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  /* RFC 5626 §11.6: plain registration, still with the instance. */
  contact = only_contact (second);
  g_assert_false (sipws_address_has_param (contact, "reg-id"));
  g_assert_false (sipws_uri_has_param (sipws_address_get_uri (contact), "ob"));
  g_assert_cmpstr (sipws_address_get_param (contact, "+sip.instance"), ==, "<" INSTANCE ">");
  sipws_test_peer_accept_register (fx->peer, second, 600);
  wait_done (fx);
  g_assert_true (fx->ok);
}

static void
test_outbound_gruu (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsAddress) contact = NULL;
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsCall) call = NULL;
  g_autofree char *contact_text = NULL;
  GPtrArray *invite_contacts;
  guint pings;

  start_register (fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  response = sipws_test_peer_response (fx->peer, request, 200);
  contact = sipws_address_copy (only_contact (request));
  sipws_address_set_param (contact, "expires", "600");
  sipws_address_set_param (contact, "pub-gruu", "sip:alice@example.com;gr=urn:uuid:00000000-0000-4000-8000-00000000abcd");
  sipws_address_set_param (contact, "temp-gruu", "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr");
  contact_text = sipws_address_to_string (contact);
  sipws_message_set_header (response, "Contact", contact_text);
  sipws_message_set_header (response, "Require", "outbound");
  sipws_message_set_header (response, "Flow-Timer", "1");
  sipws_message_set_header (response, "Service-Route", "<sip:edge.example.com;lr>");
  sipws_test_peer_send (fx->peer, response);
  wait_done (fx);
  g_assert_true (fx->ok);

  g_assert_cmpstr (sipws_account_get_gruu (fx->account), ==,
                   "sip:alice@example.com;gr=urn:uuid:00000000-0000-4000-8000-00000000abcd");
  g_assert_cmpuint (fx->gruu_notifies, ==, 1);

  /* Flow-Timer 1 s: the transport sends CRLF keepalives at 0.8-1 s. */
  pings = sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server);
  sipws_test_run_for (1300);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server), >, pings);

  /* Dialogs use the GRUU as Contact, and the Service-Route as Route. */
  call = sipws_account_call (fx->account, "sip:bob@example.com", NULL);
  invite = sipws_test_peer_expect (fx->peer, "INVITE");
  invite_contacts = sipws_message_get_contacts (invite);
  g_assert_cmpuint (invite_contacts->len, ==, 1);
  {
    g_autofree char *uri = sipws_uri_to_string (sipws_address_get_uri (g_ptr_array_index (invite_contacts, 0)));

    g_assert_cmpstr (uri, ==, "sip:alice@example.com;gr=urn:uuid:00000000-0000-4000-8000-00000000abcd");
  }
  g_assert_cmpstr (sipws_message_get_header (invite, "Route"), ==, "<sip:edge.example.com;lr>");
  sipws_test_peer_reply (fx->peer, invite, 486);
  sipws_test_peer_expect (fx->peer, "ACK");
  g_assert_cmpint (sipws_call_get_state (call), ==, SIPWS_CALL_STATE_ENDED);
}

#define PUB_GRUU "sip:alice@example.com;gr=urn:uuid:00000000-0000-4000-8000-00000000abcd"

/* Answers @request with a 200 binding for @expires s that may give a public
 * GRUU, confirm outbound and give a Flow-Timer (0: none). */
static void
accept_with (Fixture      *fx,
             SipwsMessage *request,
             guint         expires,
             const char   *pub_gruu,
             gboolean      outbound,
             guint         flow_timer)
{
  g_autoptr(SipwsMessage) response = sipws_test_peer_response (fx->peer, request, 200);
  g_autoptr(SipwsAddress) contact = sipws_address_copy (only_contact (request));
  g_autofree char *contact_text = NULL;
  g_autofree char *expires_text = g_strdup_printf ("%u", expires);

  sipws_address_set_param (contact, "expires", expires_text);
  if (pub_gruu != NULL)
    sipws_address_set_param (contact, "pub-gruu", pub_gruu);
  contact_text = sipws_address_to_string (contact);
  sipws_message_set_header (response, "Contact", contact_text);
  if (outbound)
    sipws_message_set_header (response, "Require", "outbound");
  if (flow_timer > 0)
    {
      g_autofree char *value = g_strdup_printf ("%u", flow_timer);

      sipws_message_set_header (response, "Flow-Timer", value);
    }
  sipws_test_peer_send (fx->peer, response);
}

static guint
crlf_pings_during (Fixture *fx,
                   guint    ms)
{
  guint before = sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server);

  sipws_test_run_for (ms);
  return sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server) - before;
}

static void
test_keepalive_without_outbound (Fixture       *fx,
                                 gconstpointer  data)
{
  guint interval = G_MAXUINT;
  g_autoptr(SipwsMessage) request = NULL;

  /* RFC 5626 §4.4.1: a registrar that does not confirm outbound need not
   * answer CRLF pings, so the account's flow sends none by default... */
  g_object_get (sipws_account_get_transport (fx->account), "keepalive-interval", &interval, NULL);
  g_assert_cmpuint (interval, ==, 0);

  /* ...nor at a Flow-Timer the registrar gives without Require: outbound. */
  start_register (fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, request, 600, NULL, FALSE, 1);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpuint (crlf_pings_during (fx, 1200), ==, 0);
}

static void
test_keepalive_new_flow (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) again = NULL;
  g_autoptr(SipwsMessage) third = NULL;
  /* Timer F = 6.4 s: the registrar below takes its time. */
  SipwsTimerValues timers = { .t1 = 100, .t2 = 400 };

  sipws_account_set_timers (fx->account, &timers);
  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, first, 600, NULL, TRUE, 1);
  wait_done (fx);
  g_assert_cmpuint (crlf_pings_during (fx, 1300), >, 0);

  /* A new flow (maybe to a server without outbound) gets no CRLF ping before
   * its registrar confirms outbound: the old Flow-Timer is not carried over. */
  sipws_fake_ws_server_close (fx->peer->server, 1001, "going away");
  again = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpuint (crlf_pings_during (fx, 1200), ==, 0);
  accept_with (fx, again, 600, NULL, FALSE, 0);
  g_assert_cmpuint (crlf_pings_during (fx, 1200), ==, 0);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);

  /* Outbound again, on the next flow: pings again at its Flow-Timer. */
  sipws_fake_ws_server_close (fx->peer->server, 1001, "going away");
  third = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, third, 600, NULL, TRUE, 1);
  g_assert_cmpuint (crlf_pings_during (fx, 1300), >, 0);
}

static void
test_keepalive_refresh (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  guint pings = sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server);
  gint64 end;
  guint refreshes = 0;

  /* A binding of 1 s is refreshed every 0.8-0.9 s, more often than the
   * pings of a 1 s Flow-Timer (0.8-1 s): the refreshes must not keep
   * putting the next ping off. */
  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, first, 1, NULL, TRUE, 1);
  wait_done (fx);
  end = g_get_monotonic_time () + 3500 * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(SipwsMessage) refresh = sipws_test_peer_next (fx->peer, 100);

      if (refresh == NULL)
        continue;
      g_assert_cmpstr (sipws_message_get_method (refresh), ==, "REGISTER");
      refreshes++;
      accept_with (fx, refresh, 1, NULL, TRUE, 1);
    }
  g_assert_cmpuint (refreshes, >=, 3);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_crlf_pings (fx->peer->server) - pings, >=, 3);
}

static void
test_keepalive_unregistered (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) request = NULL;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, first, 600, NULL, TRUE, 1);
  wait_done (fx);

  /* Without a registration, no outbound flow: the pings stop. */
  fx->done = FALSE;
  sipws_account_unregister_async (fx->account, SIPWS_UNREGISTER_NONE, NULL, unregister_cb, fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_reply (fx->peer, request, 200);
  wait_done (fx);
  g_assert_cmpuint (crlf_pings_during (fx, 1200), ==, 0);
}

static void
test_error_notify (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) request = NULL;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  accept_with (fx, first, 600, PUB_GRUU, FALSE, 0);
  wait_done (fx);
  g_assert_cmpstr (sipws_account_get_gruu (fx->account), ==, PUB_GRUU);
  g_assert_cmpuint (fx->error_notifies, ==, 0);

  /* The registrar refuses the un-REGISTER: the error and the loss of the
   * GRUU change together. */
  fx->done = FALSE;
  sipws_account_unregister_async (fx->account, SIPWS_UNREGISTER_NONE, NULL, unregister_cb, fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_reply (fx->peer, request, 403);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_nonnull (sipws_account_get_registration_error (fx->account));
  g_assert_null (sipws_account_get_gruu (fx->account));
  g_assert_cmpuint (fx->error_notifies, ==, 1);
  g_assert_cmpuint (fx->gruu_notifies, ==, 2);

  /* Registering again clears the error: that is a change to notify too. */
  g_clear_pointer (&request, sipws_message_unref);
  request = register_ok (fx, 600);
  g_assert_null (sipws_account_get_registration_error (fx->account));
  g_assert_cmpuint (fx->error_notifies, ==, 2);
}

static void
test_refresh (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) refresh = NULL;
  gint64 start, elapsed;
  guint n_states;

  first = register_ok (fx, 2);
  n_states = fx->states->len;
  start = g_get_monotonic_time ();
  refresh = sipws_test_peer_expect (fx->peer, "REGISTER");
  elapsed = (g_get_monotonic_time () - start) / 1000;

  /* Before expiry, at 80-90 % of the 2 s granted (jitter), with slack for load. */
  g_assert_cmpint (elapsed, >=, 1500);
  g_assert_cmpint (elapsed, <, 2000);
  g_assert_cmpstr (sipws_message_get_call_id (refresh), ==, sipws_message_get_call_id (first));
  g_assert_cmpuint (cseq_of (refresh), ==, cseq_of (first) + 1);
  g_assert_cmpint (sipws_message_get_expires (refresh), ==, 600);
  sipws_test_peer_accept_register (fx->peer, refresh, 600);
  sipws_test_run_for (50);
  /* A refresh is no state change. */
  g_assert_cmpuint (fx->states->len, ==, n_states);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
}

static void
test_unregister (Fixture       *fx,
                 gconstpointer  data)
{
  gboolean all = GPOINTER_TO_INT (data);
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) request = NULL;

  first = register_ok (fx, 600);
  fx->done = FALSE;
  sipws_account_unregister_async (fx->account, all ? SIPWS_UNREGISTER_ALL_CONTACTS : SIPWS_UNREGISTER_NONE,
                                  NULL, unregister_cb, fx);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_UNREGISTERING);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpint (sipws_message_get_expires (request), ==, 0);
  g_assert_cmpstr (sipws_message_get_call_id (request), ==, sipws_message_get_call_id (first));
  if (all)
    {
      g_assert_cmpstr (sipws_message_get_header (request, "Contact"), ==, "*");
    }
  else
    {
      SipwsAddress *contact = only_contact (request);

      g_assert_cmpint (sipws_address_get_expires (contact), ==, 0);
      g_assert_true (sipws_uri_equal (sipws_address_get_uri (contact), sipws_address_get_uri (only_contact (first))));
    }
  sipws_test_peer_reply (fx->peer, request, 200);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_UNREGISTERED);
  /* No refresh any more. */
  sipws_test_peer_expect_silence (fx->peer, 300);
}

static void
test_reconnect (Fixture       *fx,
                gconstpointer  data)
{
  static const SipwsRegistrationState expected[] = {
    SIPWS_REGISTRATION_STATE_REGISTERING, SIPWS_REGISTRATION_STATE_REGISTERED,
    SIPWS_REGISTRATION_STATE_REGISTERING, SIPWS_REGISTRATION_STATE_REGISTERED,
  };
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) again = NULL;
  SipwsAddress *contact;

  first = register_ok (fx, 600);
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->peer->server), ==, 1);

  /* The server drops the flow: the account reconnects and registers the new
   * flow with the same instance and reg-id (RFC 5626 §4.5). */
  sipws_fake_ws_server_close (fx->peer->server, 1001, "going away");
  again = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->peer->server), ==, 2);
  contact = only_contact (again);
  g_assert_cmpstr (sipws_address_get_param (contact, "+sip.instance"), ==, "<" INSTANCE ">");
  g_assert_cmpstr (sipws_address_get_param (contact, "reg-id"), ==, "1");
  g_assert_cmpstr (sipws_message_get_call_id (again), ==, sipws_message_get_call_id (first));
  g_assert_cmpuint (cseq_of (again), >, cseq_of (first));

  /* Not registered again before the 200. */
  sipws_test_run_for (100);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERING);
  sipws_test_peer_accept_register (fx->peer, again, 600);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
  assert_states (fx, expected, G_N_ELEMENTS (expected));
}

static void
test_server_error_retry (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  gint64 start;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_reply (fx->peer, first, 503);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_nonnull (strstr (fx->error->message, "503"));
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_FAILED);

  /* Retried after the backoff (50-100 % of the 100 ms base here). */
  start = g_get_monotonic_time ();
  second = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, 1000);
  sipws_test_peer_accept_register (fx->peer, second, 600);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
  g_assert_null (sipws_account_get_registration_error (fx->account));
  /* Set by the 503, cleared by the 200 (the retry's REGISTERING clears it). */
  g_assert_cmpuint (fx->error_notifies, ==, 2);
}

static void
test_forbidden (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_reply (fx->peer, first, 403);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_nonnull (strstr (fx->error->message, "403 Forbidden"));
  /* A refusal is final: no retry. */
  sipws_test_peer_expect_silence (fx->peer, 500);
}

static void
test_timeout (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) first = NULL;
  gint64 start = g_get_monotonic_time ();

  start_register (fx);
  first = sipws_test_peer_expect (fx->peer, "REGISTER");
  /* Timer F = 64·T1 = 1.28 s. */
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_TIMEOUT);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 64 * TEST_T1);
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SipwsMessage) request = NULL;

  fx->done = FALSE;
  sipws_account_register_async (fx->account, cancellable, register_cb, fx);
  request = sipws_test_peer_expect (fx->peer, "REGISTER");
  g_cancellable_cancel (cancellable);
  g_assert_true (sipws_test_wait_flag (&fx->done, 100));
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Only the waiting stopped: the registration completes. */
  sipws_test_peer_accept_register (fx->peer, request, 600);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERED);
}

static void
test_no_server (Fixture       *fx,
                gconstpointer  data)
{
  sipws_account_set_server_uris (fx->account, NULL);
  start_register (fx);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
}

static void
test_bad_aor (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsAccount) account = sipws_account_new ("not a uri");

  fx->done = FALSE;
  sipws_account_register_async (account, NULL, register_cb, fx);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (fx->error->message, "not a uri"));
}

static void
test_unreachable (Fixture       *fx,
                  gconstpointer  data)
{
  const char *uris[] = { "ws://127.0.0.1:1/sip", NULL };

  sipws_account_set_server_uris (fx->account, uris);
  start_register (fx);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_cmpint (sipws_account_get_registration_state (fx->account), ==, SIPWS_REGISTRATION_STATE_REGISTERING);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, fn) g_test_add ("/ua/register/" path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("basic", NULL, test_basic);
  ADD ("register-again", NULL, test_register_again);
  ADD ("instance-generated", NULL, test_instance_generated);
  ADD ("digest-401-sha256", GUINT_TO_POINTER (401), test_digest);
  ADD ("digest-407-sha256", GUINT_TO_POINTER (407), test_digest);
  ADD ("wrong-password", NULL, test_wrong_password);
  ADD ("stale-nonce", NULL, test_stale_nonce);
  ADD ("endless-stale", NULL, test_endless_stale);
  ADD ("no-password", NULL, test_no_password);
  ADD ("423-min-expires", NULL, test_423);
  ADD ("423-loop", NULL, test_423_loop);
  ADD ("439-no-outbound", NULL, test_439);
  ADD ("outbound-gruu", NULL, test_outbound_gruu);
  ADD ("refresh", NULL, test_refresh);
  ADD ("unregister", GINT_TO_POINTER (FALSE), test_unregister);
  ADD ("unregister-all", GINT_TO_POINTER (TRUE), test_unregister);
  ADD ("reconnect", NULL, test_reconnect);
  ADD ("server-error-retry", NULL, test_server_error_retry);
  ADD ("forbidden", NULL, test_forbidden);
  ADD ("timeout", NULL, test_timeout);
  ADD ("cancel", NULL, test_cancel);
  ADD ("no-server", NULL, test_no_server);
  ADD ("bad-aor", NULL, test_bad_aor);
  ADD ("unreachable", NULL, test_unreachable);
  ADD ("keepalive-without-outbound", NULL, test_keepalive_without_outbound);
  ADD ("keepalive-new-flow", NULL, test_keepalive_new_flow);
  ADD ("keepalive-refresh", NULL, test_keepalive_refresh);
  ADD ("keepalive-unregistered", NULL, test_keepalive_unregistered);
  ADD ("error-notify", NULL, test_error_notify);
#undef ADD

  return g_test_run ();
}
