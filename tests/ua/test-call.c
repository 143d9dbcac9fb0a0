/* test-call.c: SipwsCall against a scripted peer: every state transition,
 * CANCEL races, forking, redirects, re-INVITE, session timers, DTMF, REFER,
 * and a flow that drops mid-call */
#include "sipws-account-private.h"
#include "sipws-ua-enums.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"
#include "sipws-fake-media-handler.h"

#include <string.h>

/* 64·T1 = 1.28 s for Timer B/F/H and the 2xx retransmission limit. */
#define TEST_T1 20
#define PEER_CONTACT "<sip:bob@peer.invalid;transport=ws>"
#define PEER_OFFER \
  "v=0\r\no=bob 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n"
#define PEER_HOLD_OFFER \
  "v=0\r\no=bob 7 8 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendonly\r\n"
#define PEER_ANSWER \
  "v=0\r\no=bob 9 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5002 RTP/AVP 0\r\na=sendrecv\r\n"
#define PEER_EARLY \
  "v=0\r\no=bob 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=sendrecv\r\n"

typedef struct {
  SipwsTestPeer *peer;
  SipwsAccount *account;
  char *contact;               /* the account's registered Contact URI */
  gboolean no_media;
  SipwsFakeMediaHandler *media;  /* the last one handed out */
  SipwsCall *call;
  GArray *states;              /* SipwsCallState at every notify::state */
  guint remote_held_notifies;
  guint duration_notifies;
  GString *dtmf;
  SipwsCall *transferred;
  /* async results */
  gboolean done;
  gboolean ok;
  GError *error;
} Fixture;

static SipwsMediaHandler *
create_media_cb (SipwsAccount *account,
                 SipwsCall    *call,
                 Fixture      *fx)
{
  if (fx->no_media)
    return NULL;
  g_clear_object (&fx->media);
  fx->media = sipws_fake_media_handler_new ();
  return g_object_ref (SIPWS_MEDIA_HANDLER (fx->media));
}

static void
state_cb (SipwsCall  *call,
          GParamSpec *pspec,
          Fixture    *fx)
{
  SipwsCallState state = sipws_call_get_state (call);

  g_array_append_val (fx->states, state);
}

static void
counter_cb (SipwsCall  *call,
            GParamSpec *pspec,
            guint      *counter)
{
  (*counter)++;
}

static void
dtmf_cb (SipwsCall *call,
         char       digit,
         guint      duration,
         Fixture   *fx)
{
  g_string_append_c (fx->dtmf, digit);
}

static void
transferred_cb (SipwsCall *call,
                SipwsCall *new_call,
                Fixture   *fx)
{
  g_set_object (&fx->transferred, new_call);
}

static void
watch_call (Fixture   *fx,
            SipwsCall *call)
{
  g_assert_null (fx->call);
  fx->call = g_object_ref (call);
  g_signal_connect (call, "notify::state", G_CALLBACK (state_cb), fx);
  g_signal_connect (call, "notify::remote-held", G_CALLBACK (counter_cb), &fx->remote_held_notifies);
  g_signal_connect (call, "notify::duration", G_CALLBACK (counter_cb), &fx->duration_notifies);
  g_signal_connect (call, "dtmf-received", G_CALLBACK (dtmf_cb), fx);
  g_signal_connect (call, "transferred", G_CALLBACK (transferred_cb), fx);
}

static void
incoming_call_cb (SipwsAccount *account,
                  SipwsCall    *call,
                  Fixture      *fx)
{
  g_assert_cmpint (sipws_call_get_state (call), ==, SIPWS_CALL_STATE_RINGING);
  watch_call (fx, call);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = NULL;
  GPtrArray *contacts;

  fx->peer = sipws_test_peer_new ();
  fx->account = sipws_test_account_new (fx->peer, TEST_T1);
  fx->states = g_array_new (FALSE, FALSE, sizeof (SipwsCallState));
  fx->dtmf = g_string_new (NULL);
  g_signal_connect (fx->account, "create-media-handler", G_CALLBACK (create_media_cb), fx);
  g_signal_connect (fx->account, "incoming-call", G_CALLBACK (incoming_call_cb), fx);
  request = sipws_test_register (fx->peer, fx->account, 600);
  contacts = sipws_message_get_contacts (request);
  fx->contact = sipws_uri_to_string (sipws_address_get_uri (g_ptr_array_index (contacts, 0)));
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (fx->call, fx);
      g_signal_handlers_disconnect_by_data (fx->call, &fx->remote_held_notifies);
      g_signal_handlers_disconnect_by_data (fx->call, &fx->duration_notifies);
      /* Every test leaves its call ended: nothing holds it but us. */
      g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDED);
      g_assert_finalize_object (fx->call);
    }
  g_clear_object (&fx->transferred);
  g_signal_handlers_disconnect_by_data (fx->account, fx);
  g_object_run_dispose (G_OBJECT (fx->account));
  g_assert_finalize_object (fx->account);
  g_clear_object (&fx->media);
  sipws_test_peer_free (fx->peer);
  g_free (fx->contact);
  g_array_unref (fx->states);
  g_string_free (fx->dtmf, TRUE);
  g_clear_error (&fx->error);
}

static void
assert_states (Fixture *fx,
               ...)
{
  va_list args;
  guint i = 0;
  int state;

  va_start (args, fx);
  for (state = va_arg (args, int); state >= 0; state = va_arg (args, int), i++)
    {
      if (i >= fx->states->len)
        g_error ("state %u: expected %d, got no more notifications", i, state);
      g_assert_cmpint (g_array_index (fx->states, SipwsCallState, i), ==, state);
    }
  va_end (args);
  g_assert_cmpuint (fx->states->len, ==, i);
}
#define END_STATES (-1)

static void
async_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *fx = user_data;
  gboolean (*finish) (SipwsCall *, GAsyncResult *, GError **) = g_task_get_source_tag (G_TASK (result)) == sipws_call_accept_async
    ? sipws_call_accept_finish
    : g_task_get_source_tag (G_TASK (result)) == sipws_call_hold_async
    ? sipws_call_hold_finish
    : g_task_get_source_tag (G_TASK (result)) == sipws_call_resume_async
    ? sipws_call_resume_finish
    : sipws_call_transfer_finish;

  g_clear_error (&fx->error);
  fx->ok = finish (SIPWS_CALL (source), result, &fx->error);
  fx->done = TRUE;
}

static void
wait_done (Fixture *fx)
{
  g_assert_true (sipws_test_wait_flag (&fx->done, SIPWS_TEST_WAIT_MS));
  fx->done = FALSE;
}

static void
wait_state (Fixture        *fx,
            SipwsCallState  state)
{
  gint64 deadline = g_get_monotonic_time () + SIPWS_TEST_WAIT_MS * 1000;

  while (sipws_call_get_state (fx->call) != state && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, state);
}

static guint32
cseq_of (SipwsMessage  *message,
         const char   **method)
{
  guint32 cseq = 0;

  g_assert_true (sipws_message_get_cseq (message, &cseq, method));
  return cseq;
}

/* After an ACK: 2xx repeats already on their way may still arrive; after
 * them, nothing (T2 = 4·T1, so a repeat would come within 3·T2). */
static void
assert_retransmissions_stop (Fixture *fx)
{
  GBytes *bytes;

  sipws_test_run_for (2 * TEST_T1);
  while ((bytes = sipws_fake_ws_server_pop_message (fx->peer->server, NULL)) != NULL)
    {
      g_autoptr(SipwsMessage) message = sipws_message_parse_bytes (bytes, NULL);

      g_assert_nonnull (message);
      g_assert_cmpuint (sipws_message_get_status_code (message), ==, 200);
      g_bytes_unref (bytes);
    }
  sipws_test_peer_expect_silence (fx->peer, 12 * TEST_T1);
}

/* The peer's answer to an INVITE: status, our tag, Contact, SDP. */
static SipwsMessage *
answer (Fixture      *fx,
        SipwsMessage *invite,
        guint         status,
        const char   *sdp)
{
  SipwsMessage *response = sipws_test_peer_response (fx->peer, invite, status);

  if (status > 100 && status < 300)
    sipws_message_set_header (response, "Contact", PEER_CONTACT);
  if (sdp != NULL)
    sipws_test_set_sdp (response, sdp);
  sipws_test_peer_send (fx->peer, response);
  return response;
}

static SipwsMessage *
answer_tagged (Fixture      *fx,
               SipwsMessage *invite,
               guint         status,
               const char   *tag,
               const char   *sdp)
{
  g_autofree char *saved = g_strdup (fx->peer->tag);
  SipwsMessage *response;

  g_free (fx->peer->tag);
  fx->peer->tag = g_strdup (tag);
  response = answer (fx, invite, status, sdp);
  g_free (fx->peer->tag);
  fx->peer->tag = g_steal_pointer (&saved);
  return response;
}

static void
assert_ack (SipwsMessage *ack,
            SipwsMessage *invite,
            const char   *to_tag)
{
  const char *method = NULL;

  g_assert_cmpstr (sipws_message_get_method (ack), ==, "ACK");
  g_assert_cmpuint (cseq_of (ack, &method), ==, cseq_of (invite, NULL));
  g_assert_cmpstr (method, ==, "ACK");
  g_assert_cmpstr (sipws_message_get_call_id (ack), ==, sipws_message_get_call_id (invite));
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (ack)), ==, to_tag);
}

/* Places a call to bob and returns the INVITE. */
static SipwsMessage *
call_bob (Fixture *fx)
{
  g_autoptr(SipwsCall) call = sipws_account_call (fx->account, "sip:bob@example.com", NULL);

  g_assert_cmpint (sipws_call_get_state (call), ==, SIPWS_CALL_STATE_CALLING);
  g_assert_cmpint (sipws_call_get_direction (call), ==, SIPWS_CALL_DIRECTION_OUTGOING);
  g_assert_cmpstr (sipws_call_get_remote_uri (call), ==, "sip:bob@example.com");
  watch_call (fx, call);
  return sipws_test_peer_expect (fx->peer, "INVITE");
}

/* An outgoing call answered by bob; returns the peer's dialog. */
static SipwsTestDialog *
establish_outgoing (Fixture       *fx,
                    SipwsMessage **invite_out)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) ok = answer (fx, invite, 200, PEER_ANSWER);
  g_autoptr(SipwsMessage) ack = sipws_test_peer_expect (fx->peer, "ACK");

  assert_ack (ack, invite, fx->peer->tag);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  if (invite_out != NULL)
    *invite_out = sipws_message_ref (invite);
  return sipws_test_dialog_new_uas (invite, ok);
}

/* Bob calls us and we accept; returns the peer's dialog. */
static SipwsTestDialog *
establish_incoming (Fixture       *fx,
                    const char    *sdp,
                    SipwsMessage **invite_out)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  SipwsTestDialog *dialog;

  if (sdp != NULL)
    sipws_test_set_sdp (invite, sdp);
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  g_assert_nonnull (fx->call);
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ANSWERING);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  dialog = sipws_test_dialog_new_uac (invite, ok);
  ack = sipws_test_dialog_ack (dialog, invite);
  sipws_test_peer_send (fx->peer, ack);
  wait_done (fx);
  g_assert_no_error (fx->error);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  assert_retransmissions_stop (fx);
  if (invite_out != NULL)
    *invite_out = sipws_message_ref (invite);
  return dialog;
}

/* We hang up an established call. */
static void
hangup_active (Fixture *fx)
{
  g_autoptr(SipwsMessage) bye = NULL;

  sipws_call_hangup (fx->call);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDING);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
}

/* Outgoing calls */

static void
test_outgoing_answered (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autofree char *offer = sipws_test_get_body (invite);
  g_autofree char *expected_offer = sipws_fake_media_handler_sdp (fx->media, TRUE);
  GPtrArray *contacts = sipws_message_get_contacts (invite);
  const char *method = NULL;

  /* The INVITE: offer from the media handler, our .invalid Contact with ;ob,
   * session timers supported. */
  g_assert_cmpstr (offer, ==, expected_offer);
  g_assert_cmpstr (sipws_message_get_content_type (invite), ==, "application/sdp");
  g_assert_true (sipws_uri_has_param (sipws_address_get_uri (g_ptr_array_index (contacts, 0)), "ob"));
  g_assert_true (sipws_message_has_token (invite, "Supported", "timer"));
  g_assert_true (sipws_message_has_token (invite, "Allow", "UPDATE"));
  g_assert_true (SIPWS_MEDIA_HANDLER (fx->media) == sipws_call_get_media_session (fx->call));

  answer (fx, invite, 100, NULL);
  ringing = answer (fx, invite, 180, NULL);
  wait_state (fx, SIPWS_CALL_STATE_RINGING);
  ok = answer (fx, invite, 200, PEER_ANSWER);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack, invite, fx->peer->tag);
  /* The ACK of a 2xx is a new transaction, to the Contact of the 2xx. */
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (ack)), !=,
                   sipws_via_get_branch (sipws_message_get_top_via (invite)));
  g_assert_cmpstr (sipws_uri_get_host (sipws_message_get_request_uri (ack)), ==, "peer.invalid");

  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->media->remote_answers, 0), ==, PEER_ANSWER);
  g_assert_false (g_array_index (fx->media->provisional, gboolean, 0));
  g_assert_cmpuint (fx->duration_notifies, ==, 1);

  /* A repeated 2xx (our ACK was lost) gets the ACK again. */
  sipws_test_peer_send (fx->peer, ok);
  g_clear_pointer (&ack, sipws_message_unref);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack, invite, fx->peer->tag);

  sipws_call_hangup (fx->call);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpuint (cseq_of (bye, &method), ==, cseq_of (invite, NULL) + 1);
  g_assert_cmpstr (method, ==, "BYE");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, fx->peer->tag);
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
  g_assert_true (fx->media->closed);
  g_assert_cmpuint (fx->duration_notifies, ==, 2);
  assert_states (fx, SIPWS_CALL_STATE_RINGING, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING,
                 SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_early_media (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) progress G_GNUC_UNUSED = answer (fx, invite, 183, PEER_EARLY);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;

  wait_state (fx, SIPWS_CALL_STATE_EARLY_MEDIA);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 1);
  g_assert_true (g_array_index (fx->media->provisional, gboolean, 0));
  /* A 180 after early media does not stop the announcement. */
  ringing = answer (fx, invite, 180, NULL);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_EARLY_MEDIA);

  /* The 2xx's answer replaces the early one. */
  ok = answer (fx, invite, 200, PEER_ANSWER);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ACTIVE);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fx->media->remote_answers, 1), ==, PEER_ANSWER);
  g_assert_false (g_array_index (fx->media->provisional, gboolean, 1));
  hangup_active (fx);
  assert_states (fx, SIPWS_CALL_STATE_EARLY_MEDIA, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING,
                 SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_outgoing_rejected (Fixture       *fx,
                        gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) response = answer (fx, invite, status, NULL);
  g_autoptr(SipwsMessage) ack = sipws_test_peer_expect (fx->peer, "ACK");
  SipwsEndReason expected = status == 486 ? SIPWS_END_REASON_BUSY
                          : status == 480 ? SIPWS_END_REASON_NO_ANSWER
                                          : SIPWS_END_REASON_REJECTED;

  /* The non-2xx ACK belongs to the INVITE transaction: same branch. */
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (ack)), ==,
                   sipws_via_get_branch (sipws_message_get_top_via (invite)));
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, expected);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, status);
  g_assert_nonnull (strstr (sipws_call_get_end_message (fx->call), sipws_message_get_reason_phrase (response)));
  g_assert_true (fx->media->closed);
  assert_states (fx, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_cancel_ringing (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) ringing G_GNUC_UNUSED = answer (fx, invite, 180, NULL);
  g_autoptr(SipwsMessage) cancel = NULL;
  g_autoptr(SipwsMessage) terminated = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  const char *method = NULL;

  wait_state (fx, SIPWS_CALL_STATE_RINGING);
  sipws_call_hangup (fx->call);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDING);
  cancel = sipws_test_peer_expect (fx->peer, "CANCEL");
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (cancel)), ==,
                   sipws_via_get_branch (sipws_message_get_top_via (invite)));
  g_assert_cmpuint (cseq_of (cancel, &method), ==, cseq_of (invite, NULL));
  g_assert_cmpstr (method, ==, "CANCEL");
  sipws_test_peer_reply (fx->peer, cancel, 200);
  terminated = answer (fx, invite, 487, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
  assert_states (fx, SIPWS_CALL_STATE_RINGING, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_cancel_before_provisional (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) trying = NULL;
  g_autoptr(SipwsMessage) cancel = NULL;
  g_autoptr(SipwsMessage) terminated = NULL;

  sipws_call_hangup (fx->call);
  /* §9.1: no CANCEL before a provisional response. */
  sipws_test_peer_expect_silence (fx->peer, 100);
  trying = answer (fx, invite, 100, NULL);
  cancel = sipws_test_peer_expect (fx->peer, "CANCEL");
  sipws_test_peer_reply (fx->peer, cancel, 200);
  terminated = answer (fx, invite, 487, NULL);
  g_clear_pointer (&cancel, sipws_message_unref);
  cancel = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  assert_states (fx, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_200_after_cancel (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) ringing G_GNUC_UNUSED = answer (fx, invite, 180, NULL);
  g_autoptr(SipwsMessage) cancel = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) bye = NULL;

  wait_state (fx, SIPWS_CALL_STATE_RINGING);
  sipws_call_hangup (fx->call);
  cancel = sipws_test_peer_expect (fx->peer, "CANCEL");
  /* The callee answered before the CANCEL reached it. */
  ok = answer (fx, invite, 200, PEER_ANSWER);
  sipws_test_peer_reply (fx->peer, cancel, 481);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack, invite, fx->peer->tag);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, fx->peer->tag);
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
  assert_states (fx, SIPWS_CALL_STATE_RINGING, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_forking (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) r1 G_GNUC_UNUSED = answer_tagged (fx, invite, 180, "forkA", NULL);
  g_autoptr(SipwsMessage) r2 = answer_tagged (fx, invite, 180, "forkB", NULL);
  g_autoptr(SipwsMessage) ok1 = NULL;
  g_autoptr(SipwsMessage) ok2 = NULL;
  g_autoptr(SipwsMessage) ack1 = NULL;
  g_autoptr(SipwsMessage) ack2 = NULL;
  g_autoptr(SipwsMessage) bye2 = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsMessage) info = NULL;
  g_autoptr(SipwsTestDialog) early_b = sipws_test_dialog_new_uas (invite, r2);
  g_autoptr(SipwsMessage) ok_info = NULL;

  wait_state (fx, SIPWS_CALL_STATE_RINGING);
  /* Two early dialogs: a request inside the second one is accepted. */
  info = sipws_test_dialog_request (early_b, "INFO");
  sipws_test_peer_send (fx->peer, info);
  ok_info = sipws_test_peer_expect_response (fx->peer, 200);

  ok1 = answer_tagged (fx, invite, 200, "forkA", PEER_ANSWER);
  ack1 = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack1, invite, "forkA");
  wait_state (fx, SIPWS_CALL_STATE_ACTIVE);

  /* §13.2.2.4: the second fork's 2xx is ACKed and hung up. */
  ok2 = answer_tagged (fx, invite, 200, "forkB", PEER_ANSWER);
  ack2 = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack2, invite, "forkB");
  bye2 = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye2)), ==, "forkB");
  sipws_test_peer_reply (fx->peer, bye2, 200);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 1);

  /* The call stays with the first fork. */
  sipws_call_hangup (fx->call);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, "forkA");
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  assert_states (fx, SIPWS_CALL_STATE_RINGING, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING,
                 SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
redirect_to (Fixture      *fx,
             SipwsMessage *invite,
             const char   *contact)
{
  g_autoptr(SipwsMessage) moved = sipws_test_peer_response (fx->peer, invite, 302);
  g_autoptr(SipwsMessage) ack = NULL;

  sipws_message_set_header (moved, "Contact", contact);
  sipws_test_peer_send (fx->peer, moved);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
}

static void
test_redirect (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autofree char *ruri = NULL;

  redirect_to (fx, invite, "<sip:carol@example.com>;q=0.5, <sip:dave@example.com>;q=0.9");
  second = sipws_test_peer_expect (fx->peer, "INVITE");
  /* The highest q first; same call, next CSeq. */
  ruri = sipws_uri_to_string (sipws_message_get_request_uri (second));
  g_assert_cmpstr (ruri, ==, "sip:dave@example.com");
  g_assert_cmpstr (sipws_message_get_call_id (second), ==, sipws_message_get_call_id (invite));
  g_assert_cmpuint (cseq_of (second, NULL), ==, cseq_of (invite, NULL) + 1);
  ok = answer (fx, second, 200, PEER_ANSWER);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack, second, fx->peer->tag);
  wait_state (fx, SIPWS_CALL_STATE_ACTIVE);
  hangup_active (fx);
}

static void
test_redirect_loop (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) second = NULL;

  redirect_to (fx, invite, "<sip:carol@example.com>");
  second = sipws_test_peer_expect (fx->peer, "INVITE");
  /* carol sends us back to bob, already tried: the loop ends the call. */
  redirect_to (fx, second, "<sip:bob@example.com>");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_REJECTED);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, 302);
  sipws_test_peer_expect_silence (fx->peer, 100);
}

static void
test_redirect_limit (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsCallOptions) options = sipws_call_options_new ();
  g_autoptr(SipwsCall) call = NULL;
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) second = NULL;

  sipws_call_options_set_max_redirects (options, 1);
  call = sipws_account_call (fx->account, "sip:bob@example.com", options);
  watch_call (fx, call);
  invite = sipws_test_peer_expect (fx->peer, "INVITE");
  redirect_to (fx, invite, "<sip:carol@example.com>");
  second = sipws_test_peer_expect (fx->peer, "INVITE");
  redirect_to (fx, second, "<sip:dave@example.com>");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, 302);
  sipws_test_peer_expect_silence (fx->peer, 100);
}

static void
test_invite_auth (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) challenge = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) second = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack2 = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;

  sipws_account_set_password (fx->account, "pw");
  invite = call_bob (fx);
  challenge = sipws_test_peer_response (fx->peer, invite, 407);
  sipws_message_set_header (challenge, "Proxy-Authenticate",
                            "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=MD5");
  sipws_test_peer_send (fx->peer, challenge);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  second = sipws_test_peer_expect (fx->peer, "INVITE");
  g_assert_nonnull (sipws_message_get_header (second, "Proxy-Authorization"));
  g_assert_cmpuint (cseq_of (second, NULL), ==, cseq_of (invite, NULL) + 1);
  body1 = sipws_test_get_body (invite);
  body2 = sipws_test_get_body (second);
  g_assert_cmpstr (body1, ==, body2);
  ok = answer (fx, second, 200, PEER_ANSWER);
  ack2 = sipws_test_peer_expect (fx->peer, "ACK");
  assert_ack (ack2, second, fx->peer->tag);
  /* §13.2.2.4: the ACK of the 2xx carries the INVITE's credentials. */
  g_assert_cmpstr (sipws_message_get_header (ack2, "Proxy-Authorization"), ==,
                   sipws_message_get_header (second, "Proxy-Authorization"));
  wait_state (fx, SIPWS_CALL_STATE_ACTIVE);
  hangup_active (fx);
}

static void
test_outgoing_timeout (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite G_GNUC_UNUSED = call_bob (fx);

  /* Timer B = 64·T1 without any answer. */
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_NETWORK);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, 408);
  assert_states (fx, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_invalid_target (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsCall) call = sipws_account_call (fx->account, "mailto:bob@example.com", NULL);

  /* Ends from the main loop, after the caller could connect. */
  g_assert_cmpint (sipws_call_get_state (call), ==, SIPWS_CALL_STATE_CALLING);
  watch_call (fx, call);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (call), ==, SIPWS_END_REASON_INVALID_TARGET);
  g_assert_nonnull (strstr (sipws_call_get_end_message (call), "mailto"));
  assert_states (fx, SIPWS_CALL_STATE_ENDED, END_STATES);
  sipws_test_peer_expect_silence (fx->peer, 100);
}

static void
test_signalling_only (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;

  fx->no_media = TRUE;
  invite = call_bob (fx);
  g_assert_null (sipws_message_get_content_type (invite));
  g_assert_null (sipws_call_get_media_session (fx->call));
  ok = answer (fx, invite, 200, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ACTIVE);
  hangup_active (fx);
}

/* Incoming calls */

static void
test_incoming_accept (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsTestDialog) dialog = NULL;
  g_autofree char *answer_sdp = NULL;
  g_autofree char *expected = NULL;
  GPtrArray *contacts;

  sipws_test_set_sdp (invite, PEER_OFFER);
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  g_assert_nonnull (sipws_address_get_tag (sipws_message_get_to (ringing)));
  g_assert_nonnull (sipws_message_get_header (ringing, "Contact"));

  g_assert_nonnull (fx->call);
  g_assert_cmpint (sipws_call_get_direction (fx->call), ==, SIPWS_CALL_DIRECTION_INCOMING);
  g_assert_cmpstr (sipws_call_get_remote_uri (fx->call), ==, "sip:bob@example.com");
  g_assert_cmpstr (sipws_call_get_remote_display_name (fx->call), ==, "Bob");
  g_assert_null (sipws_call_get_media_session (fx->call));

  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  /* The same tag as the 180, the answer of the media handler. */
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (ok)), ==,
                   sipws_address_get_tag (sipws_message_get_to (ringing)));
  g_assert_cmpuint (fx->media->remote_offers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->media->remote_offers, 0), ==, PEER_OFFER);
  answer_sdp = sipws_test_get_body (ok);
  expected = sipws_fake_media_handler_sdp (fx->media, FALSE);
  g_assert_cmpstr (answer_sdp, ==, expected);
  contacts = sipws_message_get_contacts (ok);
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ANSWERING);

  dialog = sipws_test_dialog_new_uac (invite, ok);
  ack = sipws_test_dialog_ack (dialog, invite);
  sipws_test_peer_send (fx->peer, ack);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  /* The ACK stopped the 2xx retransmissions. */
  assert_retransmissions_stop (fx);

  hangup_active (fx);
  g_assert_cmpuint (fx->duration_notifies, ==, 2);
  assert_states (fx, SIPWS_CALL_STATE_ANSWERING, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING,
                 SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_incoming_record_route (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsTestDialog) dialog = NULL;
  g_auto(GStrv) rr180 = NULL;
  g_auto(GStrv) rr200 = NULL;
  g_auto(GStrv) routes = NULL;
  g_autofree char *joined = NULL;

  sipws_message_add_header (invite, "Record-Route", "<sip:p1.example.com;lr>");
  sipws_message_add_header (invite, "Record-Route", "<sip:p2.example.com;lr>");
  sipws_test_set_sdp (invite, PEER_OFFER);
  sipws_test_peer_send (fx->peer, invite);

  /* §12.1.1: the responses that make the dialog echo the Record-Route. */
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  rr180 = sipws_message_get_header_values (ringing, "Record-Route");
  g_assert_cmpuint (g_strv_length (rr180), ==, 2);
  g_assert_cmpstr (rr180[0], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (rr180[1], ==, "<sip:p2.example.com;lr>");
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  rr200 = sipws_message_get_header_values (ok, "Record-Route");
  joined = g_strjoinv (",", rr200);
  g_assert_cmpstr (joined, ==, "<sip:p1.example.com;lr>,<sip:p2.example.com;lr>");
  dialog = sipws_test_dialog_new_uac (invite, ok);
  ack = sipws_test_dialog_ack (dialog, invite);
  sipws_test_peer_send (fx->peer, ack);
  wait_done (fx);
  assert_retransmissions_stop (fx);

  /* Our BYE follows the route set in the same order. */
  sipws_call_hangup (fx->call);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  routes = sipws_message_get_header_values (bye, "Route");
  g_assert_cmpuint (g_strv_length (routes), ==, 2);
  g_assert_cmpstr (routes[0], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (routes[1], ==, "<sip:p2.example.com;lr>");
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
}

static void
test_incoming_2xx_retransmit (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  guint repeats = 0;
  SipwsMessage *message;

  sipws_test_set_sdp (invite, PEER_OFFER);
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  ok = sipws_test_peer_expect_response (fx->peer, 200);

  /* §13.3.1.4: the 2xx repeats (T1, 2T1… up to T2) until the ACK, which never
   * comes; after 64·T1 the call ends with a BYE. */
  while ((message = sipws_test_peer_next (fx->peer, SIPWS_TEST_WAIT_MS)) != NULL && !sipws_message_is_request (message))
    {
      g_assert_cmpuint (sipws_message_get_status_code (message), ==, 200);
      repeats++;
      sipws_message_unref (message);
    }
  g_assert_nonnull (message);
  bye = message;
  g_assert_cmpstr (sipws_message_get_method (bye), ==, "BYE");
  g_assert_cmpuint (repeats, >=, 4);
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_done (fx);
  g_assert_false (fx->ok);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_NETWORK);
  assert_states (fx, SIPWS_CALL_STATE_ANSWERING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_incoming_reject (Fixture       *fx,
                      gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(GError) error = NULL;

  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  g_assert_false (sipws_call_reject (fx->call, 200, &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (sipws_call_reject (fx->call, status, &error));
  g_assert_no_error (error);
  response = sipws_test_peer_expect_response (fx->peer, status);
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (response)), ==,
                   sipws_address_get_tag (sipws_message_get_to (ringing)));
  ack = sipws_message_new_request ("ACK", sipws_message_get_request_uri (invite));
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_DECLINED);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, status);
  /* Rejecting twice is refused, not a crash. */
  g_assert_false (sipws_call_reject (fx->call, status, &error));
  assert_states (fx, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_incoming_cancel (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) cancel = NULL;
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) r1 = NULL;
  g_autoptr(SipwsMessage) r2 = NULL;
  guint32 cseq = 0;
  g_autofree char *cseq_value = NULL;

  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);

  cancel = sipws_message_new_request ("CANCEL", sipws_message_get_request_uri (invite));
  sipws_message_add_header (cancel, "Via", sipws_message_get_header (invite, "Via"));
  sipws_message_set_header (cancel, "Max-Forwards", "70");
  sipws_message_set_header (cancel, "From", sipws_message_get_header (invite, "From"));
  sipws_message_set_header (cancel, "To", sipws_message_get_header (invite, "To"));
  sipws_message_set_header (cancel, "Call-ID", sipws_message_get_call_id (invite));
  sipws_message_get_cseq (invite, &cseq, NULL);
  cseq_value = g_strdup_printf ("%u CANCEL", cseq);
  sipws_message_set_header (cancel, "CSeq", cseq_value);
  sipws_test_peer_send (fx->peer, cancel);

  /* 200 for the CANCEL, 487 for the INVITE (either order is legal). */
  r1 = sipws_test_peer_next (fx->peer, SIPWS_TEST_WAIT_MS);
  r2 = sipws_test_peer_next (fx->peer, SIPWS_TEST_WAIT_MS);
  g_assert_cmpuint (sipws_message_get_status_code (r1) + sipws_message_get_status_code (r2), ==, 200 + 487);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_CANCELLED);
  g_assert_cmpuint (sipws_call_get_end_status (fx->call), ==, 487);
  assert_states (fx, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_remote_bye (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) bye = sipws_test_dialog_request (dialog, "BYE");
  g_autoptr(SipwsMessage) ok = NULL;

  sipws_test_peer_send (fx->peer, bye);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_REMOTE_HANGUP);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_incoming_remote_bye (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_incoming (fx, PEER_OFFER, NULL);
  g_autoptr(SipwsMessage) bye = sipws_test_dialog_request (dialog, "BYE");
  g_autoptr(SipwsMessage) ok = NULL;

  sipws_test_peer_send (fx->peer, bye);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_REMOTE_HANGUP);
  assert_states (fx, SIPWS_CALL_STATE_ANSWERING, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_delayed_offer (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsTestDialog) dialog = NULL;
  g_autofree char *offer = NULL;

  /* An INVITE without SDP: our 200 offers, the ACK answers. */
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  offer = sipws_test_get_body (ok);
  g_assert_nonnull (strstr (offer, "o=fake 1 1"));
  g_assert_cmpuint (fx->media->n_offers, ==, 1);
  dialog = sipws_test_dialog_new_uac (invite, ok);
  ack = sipws_test_dialog_ack (dialog, invite);
  sipws_test_set_sdp (ack, PEER_ANSWER);
  sipws_test_peer_send (fx->peer, ack);
  wait_done (fx);
  g_assert_true (fx->ok);
  assert_retransmissions_stop (fx);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fx->media->remote_answers, 0), ==, PEER_ANSWER);
  hangup_active (fx);
}

static void
test_media_failure (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) response = NULL;

  sipws_test_set_sdp (invite, PEER_OFFER);
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  create_media_cb (fx->account, fx->call, fx);
  fx->media->fail_answer = TRUE;
  /* The next handler the account asks for is this failing one. */
  g_signal_handlers_block_by_func (fx->account, create_media_cb, fx);
  g_signal_connect_swapped (fx->account, "create-media-handler", G_CALLBACK (g_object_ref), fx->media);
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  response = sipws_test_peer_expect_response (fx->peer, 488);
  wait_done (fx);
  g_assert_false (fx->ok);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_MEDIA);
  g_signal_handlers_disconnect_by_func (fx->account, g_object_ref, fx->media);
  assert_states (fx, SIPWS_CALL_STATE_ANSWERING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

/* re-INVITE */

static SipwsMessage *
expect_reinvite (Fixture    *fx,
                 const char *direction)
{
  SipwsMessage *reinvite = sipws_test_peer_expect (fx->peer, "INVITE");
  g_autofree char *sdp = sipws_test_get_body (reinvite);
  g_autofree char *attribute = g_strdup_printf ("a=%s", direction);

  g_assert_nonnull (sipws_address_get_tag (sipws_message_get_to (reinvite)));
  g_assert_nonnull (strstr (sdp, attribute));
  return reinvite;
}

static void
answer_reinvite (Fixture      *fx,
                 SipwsMessage *reinvite)
{
  g_autoptr(SipwsMessage) ok G_GNUC_UNUSED = answer (fx, reinvite, 200, PEER_ANSWER);
  g_autoptr(SipwsMessage) ack = sipws_test_peer_expect (fx->peer, "ACK");

  assert_ack (ack, reinvite, fx->peer->tag);
}

static void
test_hold_resume (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, &invite);
  g_autoptr(SipwsMessage) hold = NULL;
  g_autoptr(SipwsMessage) resume = NULL;

  sipws_call_hold_async (fx->call, NULL, async_cb, fx);
  hold = expect_reinvite (fx, "sendonly");
  g_assert_cmpuint (cseq_of (hold, NULL), ==, cseq_of (invite, NULL) + 1);
  /* Held only once the peer agreed. */
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  answer_reinvite (fx, hold);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_HELD);
  g_assert_cmpint (fx->media->direction, ==, SIPWS_MEDIA_DIRECTION_SENDONLY);

  /* Hold twice is refused. */
  sipws_call_hold_async (fx->call, NULL, async_cb, fx);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);

  sipws_call_resume_async (fx->call, NULL, async_cb, fx);
  resume = expect_reinvite (fx, "sendrecv");
  answer_reinvite (fx, resume);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpint (fx->media->direction, ==, SIPWS_MEDIA_DIRECTION_SENDRECV);
  g_assert_cmpuint (fx->media->remote_answers->len, ==, 3);
  hangup_active (fx);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_HELD, SIPWS_CALL_STATE_ACTIVE,
                 SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_hold_rollback (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) hold = NULL;
  g_autoptr(SipwsMessage) refused = NULL;
  g_autoptr(SipwsMessage) ack = NULL;

  sipws_call_hold_async (fx->call, NULL, async_cb, fx);
  hold = expect_reinvite (fx, "sendonly");
  refused = answer (fx, hold, 488, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_done (fx);
  g_assert_false (fx->ok);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_nonnull (strstr (fx->error->message, "488"));
  /* Nothing changed: the call and its media are as before. */
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  g_assert_cmpint (fx->media->direction, ==, SIPWS_MEDIA_DIRECTION_SENDRECV);
  hangup_active (fx);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_hold_cancelled (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SipwsMessage) hold = NULL;

  sipws_call_hold_async (fx->call, cancellable, async_cb, fx);
  hold = expect_reinvite (fx, "sendonly");
  g_cancellable_cancel (cancellable);
  wait_done (fx);
  g_assert_error (fx->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The re-INVITE itself goes on: its 2xx is ACKed and applied. */
  answer_reinvite (fx, hold);
  sipws_test_run_for (20);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_HELD);
  hangup_active (fx);
}

static void
test_glare (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) hold = NULL;
  g_autoptr(SipwsMessage) theirs = NULL;
  g_autoptr(SipwsMessage) pending = NULL;
  g_autoptr(SipwsMessage) retry = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) ack_pending = NULL;
  gint64 start;

  sipws_call_hold_async (fx->call, NULL, async_cb, fx);
  hold = expect_reinvite (fx, "sendonly");
  /* Both re-INVITE at once (§14.1): each side answers 491. */
  theirs = sipws_test_dialog_request (dialog, "INVITE");
  sipws_test_set_sdp (theirs, PEER_OFFER);
  sipws_test_peer_send (fx->peer, theirs);
  pending = sipws_test_peer_expect_response (fx->peer, 491);
  ack_pending = sipws_test_dialog_ack (dialog, theirs);
  sipws_test_peer_send (fx->peer, ack_pending);

  g_clear_pointer (&pending, sipws_message_unref);
  pending = answer (fx, hold, 491, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  start = g_get_monotonic_time ();
  /* We placed the call, we own the Call-ID: retry after 2.1-4 s, scaled by
   * T1/500 ms here (84-160 ms). */
  retry = expect_reinvite (fx, "sendonly");
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 2100 * TEST_T1 / 500 - 5);
  g_assert_cmpuint (cseq_of (retry, NULL), ==, cseq_of (hold, NULL) + 1);
  answer_reinvite (fx, retry);
  wait_done (fx);
  g_assert_true (fx->ok);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_HELD);
  hangup_active (fx);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_HELD, SIPWS_CALL_STATE_ENDING,
                 SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_remote_hold (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_incoming (fx, PEER_OFFER, NULL);
  g_autoptr(SipwsMessage) hold = sipws_test_dialog_request (dialog, "INVITE");
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) resume = NULL;
  g_autoptr(SipwsMessage) ok2 = NULL;
  g_autoptr(SipwsMessage) ack2 = NULL;

  sipws_test_set_sdp (hold, PEER_HOLD_OFFER);
  sipws_test_peer_send (fx->peer, hold);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_nonnull (sipws_message_get_body (ok));
  g_assert_cmpstr (g_ptr_array_index (fx->media->remote_offers, 1), ==, PEER_HOLD_OFFER);
  g_assert_true (sipws_call_get_remote_held (fx->call));
  g_assert_cmpuint (fx->remote_held_notifies, ==, 1);
  ack = sipws_test_dialog_ack (dialog, hold);
  sipws_test_peer_send (fx->peer, ack);
  assert_retransmissions_stop (fx);
  /* The peer's hold is not ours: the state stays ACTIVE. */
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);

  resume = sipws_test_dialog_request (dialog, "INVITE");
  sipws_test_set_sdp (resume, PEER_OFFER);
  sipws_test_peer_send (fx->peer, resume);
  ok2 = sipws_test_peer_expect_response (fx->peer, 200);
  ack2 = sipws_test_dialog_ack (dialog, resume);
  sipws_test_peer_send (fx->peer, ack2);
  /* The ACKs stopped the 2xx retransmissions. */
  assert_retransmissions_stop (fx);
  g_assert_false (sipws_call_get_remote_held (fx->call));
  g_assert_cmpuint (fx->remote_held_notifies, ==, 2);
  hangup_active (fx);
}

/* Session timers (RFC 4028) */

/* Bob answers a call of ours asking for session timers; returns when our ACK
 * came. */
static void
answer_with_timer (Fixture    *fx,
                   const char *session_expires)
{
  g_autoptr(SipwsMessage) invite = call_bob (fx);
  g_autoptr(SipwsMessage) ok = sipws_test_peer_response (fx->peer, invite, 200);
  g_autoptr(SipwsMessage) ack = NULL;

  sipws_message_set_header (ok, "Contact", PEER_CONTACT);
  sipws_message_set_header (ok, "Session-Expires", session_expires);
  sipws_message_set_header (ok, "Require", "timer");
  sipws_message_set_header (ok, "Allow", "INVITE, ACK, BYE, CANCEL, UPDATE");
  sipws_test_set_sdp (ok, PEER_ANSWER);
  sipws_test_peer_send (fx->peer, ok);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
}

static void
test_session_timer_refresh (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(SipwsMessage) update = NULL;
  gint64 start;

  answer_with_timer (fx, "2;refresher=uac");
  start = g_get_monotonic_time ();

  /* We are the refresher: an UPDATE (no offer) at half the interval. */
  update = sipws_test_peer_expect (fx->peer, "UPDATE");
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 900);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, 1800);
  g_assert_cmpstr (sipws_message_get_header (update, "Session-Expires"), ==, "2;refresher=uac");
  g_assert_cmpuint (g_bytes_get_size (sipws_message_get_body (update)), ==, 0);
  sipws_test_peer_reply (fx->peer, update, 200);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  hangup_active (fx);
}

static void
test_session_timer_expiry (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(SipwsMessage) bye = NULL;
  gint64 start;

  answer_with_timer (fx, "2;refresher=uas");
  start = g_get_monotonic_time ();

  /* The peer should refresh and does not: BYE at 2 s - 2/3 s. */
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 1250);
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_SESSION_EXPIRED);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_session_timer_incoming (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = sipws_test_peer_new_request (fx->peer, "INVITE", fx->contact);
  g_autoptr(SipwsMessage) ringing = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(SipwsMessage) refresh = NULL;
  g_autoptr(SipwsMessage) refresh_ok = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsTestDialog) dialog = NULL;

  /* The caller supports timers and names no refresher: it refreshes. */
  sipws_message_set_header (invite, "Supported", "timer");
  sipws_message_set_header (invite, "Session-Expires", "2");
  sipws_test_set_sdp (invite, PEER_OFFER);
  sipws_test_peer_send (fx->peer, invite);
  ringing = sipws_test_peer_expect_response (fx->peer, 180);
  sipws_call_accept_async (fx->call, NULL, async_cb, fx);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpstr (sipws_message_get_header (ok, "Session-Expires"), ==, "2;refresher=uac");
  g_assert_true (sipws_message_has_token (ok, "Require", "timer"));
  dialog = sipws_test_dialog_new_uac (invite, ok);
  ack = sipws_test_dialog_ack (dialog, invite);
  sipws_test_peer_send (fx->peer, ack);
  wait_done (fx);
  assert_retransmissions_stop (fx);

  /* A refresh (UPDATE) restarts our expiry timer. */
  sipws_test_run_for (600);
  refresh = sipws_test_dialog_request (dialog, "UPDATE");
  sipws_message_set_header (refresh, "Session-Expires", "2;refresher=uac");
  sipws_test_peer_send (fx->peer, refresh);
  refresh_ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpstr (sipws_message_get_header (refresh_ok, "Session-Expires"), ==, "2;refresher=uac");
  sipws_test_peer_expect_silence (fx->peer, 900);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);

  /* Then no more refreshes: we end the session. */
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_SESSION_EXPIRED);
}

/* DTMF */

static void
test_dtmf_info_out (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  g_autoptr(GError) error = NULL;
  const char *digits = "1#";

  g_assert_false (sipws_call_send_dtmf (fx->call, "1x", &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* telephone-event not negotiated: one INFO per digit, in order. */
  g_assert_true (sipws_call_send_dtmf (fx->call, digits, &error));
  g_assert_no_error (error);
  for (const char *p = digits; *p != '\0'; p++)
    {
      g_autoptr(SipwsMessage) info = sipws_test_peer_expect (fx->peer, "INFO");
      g_autofree char *body = sipws_test_get_body (info);
      g_autofree char *expected = g_strdup_printf ("Signal=%c\r\nDuration=160\r\n", *p);

      g_assert_cmpstr (sipws_message_get_content_type (info), ==, "application/dtmf-relay");
      g_assert_cmpstr (body, ==, expected);
      sipws_test_peer_reply (fx->peer, info, 200);
    }
  sipws_test_peer_expect_silence (fx->peer, 50);

  /* Negotiated: the digits go in the media, no INFO. */
  fx->media->dtmf_negotiated = TRUE;
  g_assert_true (sipws_call_send_dtmf (fx->call, "*9", NULL));
  g_assert_cmpstr (fx->media->dtmf_sent->str, ==, "*9");
  sipws_test_peer_expect_silence (fx->peer, 50);
  hangup_active (fx);
}

static void
test_dtmf_info_in (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_incoming (fx, PEER_OFFER, NULL);
  g_autoptr(SipwsMessage) info = sipws_test_dialog_request (dialog, "INFO");
  g_autoptr(SipwsMessage) bad = sipws_test_dialog_request (dialog, "INFO");
  g_autoptr(GBytes) body = g_bytes_new_static ("Signal=5\r\nDuration=250\r\n", 25);
  g_autoptr(GBytes) bad_body = g_bytes_new_static ("<xml/>", 6);
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) refused = NULL;

  sipws_message_set_body (info, "application/dtmf-relay", body);
  sipws_test_peer_send (fx->peer, info);
  ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpstr (fx->dtmf->str, ==, "5");

  /* The media path arrives on the same signal. */
  sipws_media_handler_emit_dtmf_received (SIPWS_MEDIA_HANDLER (fx->media), '#', 100);
  g_assert_cmpstr (fx->dtmf->str, ==, "5#");

  sipws_message_set_body (bad, "application/x-unknown", bad_body);
  sipws_test_peer_send (fx->peer, bad);
  refused = sipws_test_peer_expect_response (fx->peer, 415);
  g_assert_cmpstr (fx->dtmf->str, ==, "5#");
  hangup_active (fx);
}

/* Transfer (REFER) */

static SipwsMessage *
notify_sipfrag (SipwsTestDialog *dialog,
                const char      *frag,
                const char      *state)
{
  SipwsMessage *notify = sipws_test_dialog_request (dialog, "NOTIFY");
  g_autoptr(GBytes) body = g_bytes_new (frag, strlen (frag));

  sipws_message_set_header (notify, "Event", "refer");
  sipws_message_set_header (notify, "Subscription-State", state);
  sipws_message_set_body (notify, "message/sipfrag;version=2.0", body);
  return notify;
}

static void
test_refer_out (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) refer = NULL;
  g_autoptr(SipwsMessage) trying = NULL;
  g_autoptr(SipwsMessage) done = NULL;
  g_autoptr(SipwsMessage) r1 = NULL;
  g_autoptr(SipwsMessage) r2 = NULL;
  g_autoptr(SipwsMessage) bye = NULL;

  sipws_call_transfer_async (fx->call, "sip:carol@example.com", NULL, async_cb, fx);
  refer = sipws_test_peer_expect (fx->peer, "REFER");
  g_assert_cmpstr (sipws_message_get_header (refer, "Refer-To"), ==, "<sip:carol@example.com>");
  g_assert_nonnull (sipws_message_get_header (refer, "Referred-By"));
  sipws_test_peer_reply (fx->peer, refer, 202);

  trying = notify_sipfrag (dialog, "SIP/2.0 100 Trying\r\n", "active;expires=60");
  sipws_test_peer_send (fx->peer, trying);
  r1 = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_false (fx->done);

  done = notify_sipfrag (dialog, "SIP/2.0 200 OK\r\n", "terminated;reason=noresource");
  sipws_test_peer_send (fx->peer, done);
  r2 = sipws_test_peer_expect_response (fx->peer, 200);
  wait_done (fx);
  g_assert_true (fx->ok);

  /* Blind transfer done: our leg goes. */
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_TRANSFERRED);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_refer_out_failed (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) refer = NULL;
  g_autoptr(SipwsMessage) busy = NULL;
  g_autoptr(SipwsMessage) r1 = NULL;

  sipws_call_transfer_async (fx->call, "carol", NULL, async_cb, fx);
  refer = sipws_test_peer_expect (fx->peer, "REFER");
  g_assert_cmpstr (sipws_message_get_header (refer, "Refer-To"), ==, "<sip:carol@example.com>");
  sipws_test_peer_reply (fx->peer, refer, 202);
  busy = notify_sipfrag (dialog, "SIP/2.0 486 Busy Here\r\n", "terminated;reason=noresource");
  sipws_test_peer_send (fx->peer, busy);
  r1 = sipws_test_peer_expect_response (fx->peer, 200);
  wait_done (fx);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_REJECTED);
  g_assert_nonnull (strstr (fx->error->message, "486"));
  /* The call with us goes on. */
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  hangup_active (fx);
}

static void
test_refer_in (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) refer = sipws_test_dialog_request (dialog, "REFER");
  g_autoptr(SipwsMessage) accepted = NULL;
  g_autoptr(SipwsMessage) notify = NULL;
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  g_autoptr(SipwsMessage) bye = NULL;
  g_autoptr(SipwsMessage) bye_ok = NULL;
  g_autofree char *ruri = NULL;
  g_autofree char *frag = NULL;
  SipwsMessage *message;
  gboolean got_ack = FALSE, got_notify = FALSE;

  sipws_message_set_header (refer, "Refer-To", "<sip:carol@example.com>");
  sipws_message_set_header (refer, "Referred-By", "<sip:bob@example.com>");
  sipws_test_peer_send (fx->peer, refer);
  accepted = sipws_test_peer_expect_response (fx->peer, 202);

  /* NOTIFY 100 Trying, and the new call to the target. */
  notify = sipws_test_peer_expect (fx->peer, "NOTIFY");
  g_assert_cmpstr (sipws_message_get_header (notify, "Event"), ==, "refer");
  frag = sipws_test_get_body (notify);
  g_assert_cmpstr (frag, ==, "SIP/2.0 100 Trying\r\n");
  sipws_test_peer_reply (fx->peer, notify, 200);
  g_assert_nonnull (fx->transferred);
  invite = sipws_test_peer_expect (fx->peer, "INVITE");
  ruri = sipws_uri_to_string (sipws_message_get_request_uri (invite));
  g_assert_cmpstr (ruri, ==, "sip:carol@example.com");
  g_assert_cmpstr (sipws_message_get_header (invite, "Referred-By"), ==, "<sip:bob@example.com>");
  g_assert_cmpstr (sipws_message_get_call_id (invite), !=, sipws_call_get_call_id (fx->call));

  /* carol answers: ACK to her, NOTIFY 200 OK to bob. */
  ok = answer_tagged (fx, invite, 200, "carol1", PEER_ANSWER);
  while (!(got_ack && got_notify) && (message = sipws_test_peer_next (fx->peer, SIPWS_TEST_WAIT_MS)) != NULL)
    {
      if (g_strcmp0 (sipws_message_get_method (message), "ACK") == 0)
        got_ack = TRUE;
      else if (g_strcmp0 (sipws_message_get_method (message), "NOTIFY") == 0)
        {
          g_autofree char *final = sipws_test_get_body (message);

          g_assert_cmpstr (final, ==, "SIP/2.0 200 OK\r\n");
          g_assert_true (g_str_has_prefix (sipws_message_get_header (message, "Subscription-State"), "terminated"));
          sipws_test_peer_reply (fx->peer, message, 200);
          got_notify = TRUE;
        }
      sipws_message_unref (message);
    }
  g_assert_true (got_ack && got_notify);
  g_assert_cmpint (sipws_call_get_state (fx->transferred), ==, SIPWS_CALL_STATE_ACTIVE);

  /* bob hangs up the transferred leg. */
  bye = sipws_test_dialog_request (dialog, "BYE");
  sipws_test_peer_send (fx->peer, bye);
  bye_ok = sipws_test_peer_expect_response (fx->peer, 200);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_TRANSFERRED);

  /* And the new call is an ordinary call. */
  sipws_call_hangup (fx->transferred);
  g_clear_pointer (&bye, sipws_message_unref);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, "carol1");
  sipws_test_peer_reply (fx->peer, bye, 200);
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_call_get_state (fx->transferred), ==, SIPWS_CALL_STATE_ENDED);
}

/* Flow failure */

static void
test_flow_drop (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  g_autoptr(SipwsMessage) again = NULL;
  g_autoptr(SipwsMessage) bye = NULL;

  /* The server drops the flow mid-call: the call stays up. */
  sipws_fake_ws_server_close (fx->peer->server, 1001, "going away");
  sipws_test_run_for (20);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);

  /* The BYE waits for the new flow and its registration. */
  sipws_call_hangup (fx->call);
  again = sipws_test_peer_expect (fx->peer, "REGISTER");
  sipws_test_peer_expect_silence (fx->peer, 100);
  sipws_test_peer_accept_register (fx->peer, again, 600);
  bye = sipws_test_peer_expect (fx->peer, "BYE");
  g_assert_cmpuint (sipws_fake_ws_server_get_n_connections (fx->peer->server), ==, 2);
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (bye)), ==, fx->peer->tag);
  sipws_test_peer_reply (fx->peer, bye, 200);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
  g_assert_false (fx->media->closed == FALSE);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDING, SIPWS_CALL_STATE_ENDED, END_STATES);
}

static void
test_flow_never_back (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);

  /* The flow goes and stays away: the BYE waits at most 64·T1. */
  sipws_fake_ws_server_stop (fx->peer->server);
  sipws_test_run_for (20);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  sipws_call_hangup (fx->call);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
}

/* The server goes, then comes back refusing the account for good (HTTP
 * 403): the transport ends in FAILED. @before runs while it waits to retry. */
static void
fail_transport (Fixture *fx,
                void   (*before) (Fixture *fx))
{
  g_autoptr(GError) error = NULL;

  sipws_fake_ws_server_stop (fx->peer->server);
  sipws_test_wait_transport_state (fx->account, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY);
  if (before != NULL)
    before (fx);
  sipws_fake_ws_server_set_handshake_status (fx->peer->server, 403);
  g_assert_true (sipws_fake_ws_server_start (fx->peer->server, 0, &error));
  g_assert_no_error (error);
  sipws_test_wait_transport_state (fx->account, SIPWS_TRANSPORT_STATE_FAILED);
}

static void
hold_and_wait (Fixture *fx)
{
  sipws_call_hold_async (fx->call, NULL, async_cb, fx);
  /* While the transport retries, the re-INVITE waits for the next flow. */
  sipws_test_run_for (200);
  g_assert_false (fx->done);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
}

static void
test_flow_failed_hold (Fixture       *fx,
                       gconstpointer  data)
{
  /* 64·T1 = 32 s: failing by timeout would take that long. */
  SipwsTimerValues timers = { .t1 = 500, .t2 = 4000 };
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  gint64 start;

  sipws_account_set_timers (fx->account, &timers);
  start = g_get_monotonic_time ();
  fail_transport (fx, hold_and_wait);
  /* No flow will come: the waiting re-INVITE fails now, and with it the
   * dialog (§12.2.1.2). */
  wait_done (fx);
  g_assert_false (fx->ok);
  g_assert_error (fx->error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (fx->error->message, "403"));
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_NETWORK);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, SIPWS_TEST_WAIT_MS);
}

static void
test_flow_failed_hangup (Fixture       *fx,
                         gconstpointer  data)
{
  SipwsTimerValues timers = { .t1 = 500, .t2 = 4000 };
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);
  gint64 start;

  sipws_account_set_timers (fx->account, &timers);
  fail_transport (fx, NULL);
  /* A call with nothing in flight survives the transport giving up... */
  sipws_test_run_for (50);
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ACTIVE);
  /* ...and its BYE, which cannot go out, fails at once. */
  start = g_get_monotonic_time ();
  sipws_call_hangup (fx->call);
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_LOCAL_HANGUP);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, 1000);
}

static SipwsMediaHandler *
declining_media_cb (SipwsAccount *account,
                    SipwsCall    *call,
                    guint        *calls)
{
  (*calls)++;
  return NULL;
}

static void
test_media_handler_chain (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  g_autofree char *sdp = NULL;
  guint declined = 0;
  gulong id;

  /* A handler that returns NULL lets the next one decide: the fixture's
   * handler, connected after it, provides the media. */
  g_signal_handlers_disconnect_by_func (fx->account, create_media_cb, fx);
  id = g_signal_connect (fx->account, "create-media-handler", G_CALLBACK (declining_media_cb), &declined);
  g_signal_connect (fx->account, "create-media-handler", G_CALLBACK (create_media_cb), fx);
  invite = call_bob (fx);
  g_assert_cmpuint (declined, ==, 1);
  g_assert_nonnull (fx->media);
  g_assert_true (sipws_call_get_media_session (fx->call) == SIPWS_MEDIA_HANDLER (fx->media));
  g_assert_cmpuint (fx->media->n_offers, ==, 1);
  sdp = sipws_test_get_body (invite);
  g_assert_nonnull (strstr (sdp, "o=fake"));
  g_signal_handler_disconnect (fx->account, id);

  response = answer (fx, invite, 486, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
}

static void
test_media_handler_first_wins (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) ack = NULL;
  guint later = 0;

  /* Once a handler returned an object, later handlers are not asked. */
  g_signal_connect (fx->account, "create-media-handler", G_CALLBACK (declining_media_cb), &later);
  invite = call_bob (fx);
  g_assert_cmpuint (later, ==, 0);
  g_assert_true (sipws_call_get_media_session (fx->call) == SIPWS_MEDIA_HANDLER (fx->media));
  g_signal_handlers_disconnect_by_func (fx->account, declining_media_cb, &later);

  response = answer (fx, invite, 486, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
}

static void
test_options_headers (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(SipwsCallOptions) options = sipws_call_options_new ();
  g_autoptr(SipwsCall) call = NULL;
  g_autoptr(SipwsMessage) invite = NULL;
  g_autoptr(SipwsMessage) response = NULL;
  g_autoptr(SipwsMessage) ack = NULL;

  /* Header names compare without case; a compact form is its long form. */
  sipws_call_options_add_header (options, "subject", "first");
  sipws_call_options_add_header (options, "Subject", "second");
  sipws_call_options_add_header (options, "s", "third");
  sipws_call_options_add_header (options, "X-Custom", "a");
  sipws_call_options_add_header (options, "x-CUSTOM", "b");
  call = sipws_account_call (fx->account, "sip:bob@example.com", options);
  watch_call (fx, call);
  invite = sipws_test_peer_expect (fx->peer, "INVITE");
  g_assert_cmpuint (sipws_message_count_headers (invite, "Subject"), ==, 1);
  g_assert_cmpstr (sipws_message_get_header (invite, "Subject"), ==, "third");
  g_assert_cmpuint (sipws_message_count_headers (invite, "X-Custom"), ==, 1);
  g_assert_cmpstr (sipws_message_get_header (invite, "X-Custom"), ==, "b");

  response = answer (fx, invite, 486, NULL);
  ack = sipws_test_peer_expect (fx->peer, "ACK");
  wait_state (fx, SIPWS_CALL_STATE_ENDED);
}

static void
test_call_options_case (void)
{
  g_autoptr(SipwsCallOptions) options = sipws_call_options_new ();
  g_auto(GStrv) names = NULL;

  sipws_call_options_add_header (options, "Subject", "hello");
  sipws_call_options_add_header (options, "X-Tenant", "a");
  g_assert_cmpstr (sipws_call_options_get_header (options, "subject"), ==, "hello");
  g_assert_cmpstr (sipws_call_options_get_header (options, "SUBJECT"), ==, "hello");
  g_assert_cmpstr (sipws_call_options_get_header (options, "s"), ==, "hello");
  g_assert_cmpstr (sipws_call_options_get_header (options, "x-tenant"), ==, "a");
  g_assert_null (sipws_call_options_get_header (options, "X-Tenants"));
  g_assert_null (sipws_call_options_get_header (options, "Priority"));

  /* Replacing keeps the first spelling and the order. */
  sipws_call_options_add_header (options, "SUBJECT", "bye");
  sipws_call_options_add_header (options, "Priority", "urgent");
  names = sipws_call_options_get_header_names (options);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_cmpstr (names[0], ==, "Subject");
  g_assert_cmpstr (names[1], ==, "X-Tenant");
  g_assert_cmpstr (names[2], ==, "Priority");
  g_assert_cmpstr (sipws_call_options_get_header (options, "Subject"), ==, "bye");
}

static void
test_account_disposed (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(SipwsTestDialog) dialog G_GNUC_UNUSED = establish_outgoing (fx, NULL);

  /* Shutting the account down ends its calls locally; their timers and
   * transactions go with it. */
  g_object_run_dispose (G_OBJECT (fx->account));
  g_assert_cmpint (sipws_call_get_state (fx->call), ==, SIPWS_CALL_STATE_ENDED);
  g_assert_cmpint (sipws_call_get_end_reason (fx->call), ==, SIPWS_END_REASON_NETWORK);
  g_assert_true (fx->media->closed);
  sipws_call_hangup (fx->call);
  sipws_test_run_for (50);
  assert_states (fx, SIPWS_CALL_STATE_ACTIVE, SIPWS_CALL_STATE_ENDED, END_STATES);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, fn) g_test_add ("/ua/call/" path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("outgoing/answered", NULL, test_outgoing_answered);
  ADD ("outgoing/early-media", NULL, test_early_media);
  ADD ("outgoing/busy-486", GUINT_TO_POINTER (486), test_outgoing_rejected);
  ADD ("outgoing/declined-603", GUINT_TO_POINTER (603), test_outgoing_rejected);
  ADD ("outgoing/not-found-404", GUINT_TO_POINTER (404), test_outgoing_rejected);
  ADD ("outgoing/unavailable-480", GUINT_TO_POINTER (480), test_outgoing_rejected);
  ADD ("outgoing/cancel-ringing", NULL, test_cancel_ringing);
  ADD ("outgoing/cancel-before-provisional", NULL, test_cancel_before_provisional);
  ADD ("outgoing/200-after-cancel", NULL, test_200_after_cancel);
  ADD ("outgoing/forking", NULL, test_forking);
  ADD ("outgoing/redirect", NULL, test_redirect);
  ADD ("outgoing/redirect-loop", NULL, test_redirect_loop);
  ADD ("outgoing/redirect-limit", NULL, test_redirect_limit);
  ADD ("outgoing/auth-407", NULL, test_invite_auth);
  ADD ("outgoing/timeout", NULL, test_outgoing_timeout);
  ADD ("outgoing/invalid-target", NULL, test_invalid_target);
  ADD ("outgoing/signalling-only", NULL, test_signalling_only);
  ADD ("incoming/accept", NULL, test_incoming_accept);
  ADD ("incoming/record-route", NULL, test_incoming_record_route);
  ADD ("incoming/2xx-retransmit", NULL, test_incoming_2xx_retransmit);
  ADD ("incoming/reject-486", GUINT_TO_POINTER (486), test_incoming_reject);
  ADD ("incoming/reject-603", GUINT_TO_POINTER (603), test_incoming_reject);
  ADD ("incoming/remote-cancel", NULL, test_incoming_cancel);
  ADD ("incoming/remote-bye", NULL, test_incoming_remote_bye);
  ADD ("incoming/delayed-offer", NULL, test_delayed_offer);
  ADD ("incoming/media-failure", NULL, test_media_failure);
  ADD ("bye/remote", NULL, test_remote_bye);
  ADD ("reinvite/hold-resume", NULL, test_hold_resume);
  ADD ("reinvite/hold-rollback", NULL, test_hold_rollback);
  ADD ("reinvite/hold-cancelled", NULL, test_hold_cancelled);
  ADD ("reinvite/glare-491", NULL, test_glare);
  ADD ("reinvite/remote-hold", NULL, test_remote_hold);
  ADD ("session-timer/refresh", NULL, test_session_timer_refresh);
  ADD ("session-timer/expiry", NULL, test_session_timer_expiry);
  ADD ("session-timer/incoming", NULL, test_session_timer_incoming);
  ADD ("dtmf/info-out", NULL, test_dtmf_info_out);
  ADD ("dtmf/info-in", NULL, test_dtmf_info_in);
  ADD ("refer/out", NULL, test_refer_out);
  ADD ("refer/out-failed", NULL, test_refer_out_failed);
  ADD ("refer/in", NULL, test_refer_in);
  ADD ("flow/drop-mid-call", NULL, test_flow_drop);
  ADD ("flow/never-back", NULL, test_flow_never_back);
  ADD ("flow/failed-hold", NULL, test_flow_failed_hold);
  ADD ("flow/failed-hangup", NULL, test_flow_failed_hangup);
  ADD ("account-disposed", NULL, test_account_disposed);
  ADD ("media-handler/chain", NULL, test_media_handler_chain);
  ADD ("media-handler/first-wins", NULL, test_media_handler_first_wins);
  ADD ("options/headers", NULL, test_options_headers);
#undef ADD
  g_test_add_func ("/ua/call-options/header-case", test_call_options_case);

  return g_test_run ();
}
