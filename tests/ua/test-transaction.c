/* test-transaction.c: RFC 3261 §17 transactions and their matching, over a
 * recording send function (no network) */
#include "sipws-transaction-layer-private.h"
#include "sipws-error.h"
#include "sipws-test-peer.h"

#include <string.h>

#define TEST_T1 10

typedef struct {
  SipwsTransactionLayer *layer;
  GPtrArray *sent;            /* SipwsMessage * given to send */
  gboolean fail_send;
  GPtrArray *requests;        /* SipwsMessage * passed to request() */
  GPtrArray *request_txs;     /* SipwsTransaction * or NULL, same order */
  GPtrArray *cancelled;       /* SipwsTransaction * passed to cancel() */
  GPtrArray *strays;          /* SipwsMessage * passed to stray_response() */
  GPtrArray *responses;       /* SipwsMessage * given to the client callback */
  GError *client_error;
  guint client_calls;
} Fixture;

static gboolean
send_cb (SipwsMessage  *message,
         gpointer       user_data,
         GError       **error)
{
  Fixture *fx = user_data;

  if (fx->fail_send)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT, "flow down");
      return FALSE;
    }
  g_ptr_array_add (fx->sent, sipws_message_ref (message));
  return TRUE;
}

static void
request_cb (SipwsTransactionLayer *layer,
            SipwsTransaction      *tx,
            SipwsMessage          *request,
            gpointer               user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->requests, sipws_message_ref (request));
  g_ptr_array_add (fx->request_txs, tx != NULL ? g_object_ref (tx) : NULL);
}

static void
cancel_cb (SipwsTransactionLayer *layer,
           SipwsTransaction      *invite_tx,
           SipwsMessage          *cancel,
           gpointer               user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->cancelled, g_object_ref (invite_tx));
}

static void
stray_cb (SipwsTransactionLayer *layer,
          SipwsMessage          *response,
          gpointer               user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->strays, sipws_message_ref (response));
}

static void
client_cb (SipwsTransaction *tx,
           SipwsMessage     *response,
           const GError     *error,
           gpointer          user_data)
{
  Fixture *fx = user_data;

  fx->client_calls++;
  if (response != NULL)
    g_ptr_array_add (fx->responses, sipws_message_ref (response));
  else
    fx->client_error = g_error_copy (error);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  static const SipwsTransactionLayerCallbacks callbacks = {
    .send = send_cb,
    .request = request_cb,
    .cancel = cancel_cb,
    .stray_response = stray_cb,
  };
  SipwsTimerValues timers = { .t1 = TEST_T1 };

  fx->layer = sipws_transaction_layer_new (&callbacks, fx);
  sipws_transaction_layer_set_timers (fx->layer, &timers);
  sipws_transaction_layer_set_via (fx->layer, "WSS", "abc.invalid");
  fx->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_message_unref);
  fx->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_message_unref);
  fx->request_txs = g_ptr_array_new ();
  fx->cancelled = g_ptr_array_new_with_free_func (g_object_unref);
  fx->strays = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_message_unref);
  fx->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_message_unref);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  sipws_transaction_layer_free (fx->layer);
  for (guint i = 0; i < fx->request_txs->len; i++)
    g_clear_object (&fx->request_txs->pdata[i]);
  g_ptr_array_unref (fx->request_txs);
  g_ptr_array_unref (fx->sent);
  g_ptr_array_unref (fx->requests);
  g_ptr_array_unref (fx->cancelled);
  g_ptr_array_unref (fx->strays);
  g_ptr_array_unref (fx->responses);
  g_clear_error (&fx->client_error);
}

static SipwsMessage *
new_request (const char *method)
{
  g_autofree char *text = g_strdup_printf ("%s sip:bob@example.com SIP/2.0\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "Route: <sip:edge.example.com;lr>\r\n"
                                           "From: <sip:alice@example.com>;tag=a1\r\n"
                                           "To: <sip:bob@example.com>\r\n"
                                           "Call-ID: call-1\r\n"
                                           "CSeq: 7 %s\r\n"
                                           "Contact: <sip:alice@abc.invalid;transport=ws;ob>\r\n"
                                           "\r\n", method, method);

  return sipws_test_parse (text);
}

/* A response to the message the layer last sent. */
static SipwsMessage *
response_to_sent (Fixture    *fx,
                  guint       index,
                  guint       status,
                  const char *to_tag)
{
  SipwsMessage *request = g_ptr_array_index (fx->sent, index);
  SipwsMessage *response = sipws_message_new_response_for_request (request, status, NULL);

  if (to_tag != NULL)
    {
      g_autofree char *to = g_strdup_printf ("%s;tag=%s", sipws_message_get_header (request, "To"), to_tag);

      sipws_message_set_header (response, "To", to);
    }
  return response;
}

static void
test_client_non_invite (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request ("OPTIONS");
  g_autoptr(SipwsTransaction) tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  g_autoptr(SipwsMessage) trying = NULL;
  g_autoptr(SipwsMessage) ok = NULL;
  SipwsVia *via;

  g_assert_cmpuint (fx->sent->len, ==, 1);
  via = sipws_message_get_top_via (g_ptr_array_index (fx->sent, 0));
  g_assert_cmpstr (sipws_via_get_transport (via), ==, "WSS");
  g_assert_cmpstr (sipws_via_get_host (via), ==, "abc.invalid");
  g_assert_true (sipws_via_has_magic_cookie (via));
  g_assert_true (sipws_via_has_param (via, "rport"));
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TRYING);

  trying = response_to_sent (fx, 0, 100, NULL);
  sipws_transaction_layer_receive (fx->layer, trying);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_PROCEEDING);
  ok = response_to_sent (fx, 0, 200, "b1");
  sipws_transaction_layer_receive (fx->layer, ok);
  g_assert_cmpuint (fx->client_calls, ==, 2);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);

  /* Timer K is zero: a repeated 200 matches nothing and goes nowhere. */
  sipws_transaction_layer_receive (fx->layer, ok);
  g_assert_cmpuint (fx->client_calls, ==, 2);
  g_assert_cmpuint (fx->strays->len, ==, 0);
  /* Reliable transport: no retransmission (Timer E off), no ACK. */
  sipws_test_run_for (5 * TEST_T1);
  g_assert_cmpuint (fx->sent->len, ==, 1);
}

static void
test_client_timeout (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request (data);
  g_autoptr(SipwsTransaction) tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  gint64 start = g_get_monotonic_time ();

  while (fx->client_calls == 0)
    g_main_context_iteration (NULL, TRUE);
  /* Timer B / F: 64·T1. */
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 64 * TEST_T1);
  g_assert_error (fx->client_error, SIPWS_ERROR, SIPWS_ERROR_TIMEOUT);
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);
}

static void
test_client_send_failure (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request ("INFO");
  g_autoptr(SipwsTransaction) tx = NULL;

  fx->fail_send = TRUE;
  tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  /* Reported from the main loop, once the owner holds the transaction. */
  g_assert_cmpuint (fx->client_calls, ==, 0);
  while (fx->client_calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (fx->client_error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);
}

static void
test_invite_non_2xx (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request ("INVITE");
  g_autoptr(SipwsTransaction) tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  g_autoptr(SipwsMessage) ringing = response_to_sent (fx, 0, 180, "b1");
  g_autoptr(SipwsMessage) busy = response_to_sent (fx, 0, 486, "b1");
  SipwsMessage *invite = g_ptr_array_index (fx->sent, 0);
  SipwsMessage *ack;
  const char *method = NULL;
  guint32 cseq = 0;

  sipws_transaction_layer_receive (fx->layer, ringing);
  /* A provisional stops Timer B: no timeout however long it rings. */
  sipws_test_run_for (70 * TEST_T1);
  g_assert_cmpuint (fx->client_calls, ==, 1);
  g_assert_null (fx->client_error);

  sipws_transaction_layer_receive (fx->layer, busy);
  g_assert_cmpuint (fx->client_calls, ==, 2);
  g_assert_cmpuint (sipws_message_get_status_code (g_ptr_array_index (fx->responses, 1)), ==, 486);

  /* §17.1.1.3: the transaction ACKs the non-2xx itself. */
  g_assert_cmpuint (fx->sent->len, ==, 2);
  ack = g_ptr_array_index (fx->sent, 1);
  g_assert_cmpstr (sipws_message_get_method (ack), ==, "ACK");
  g_assert_true (sipws_uri_equal (sipws_message_get_request_uri (ack), sipws_message_get_request_uri (invite)));
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (ack)), ==,
                   sipws_via_get_branch (sipws_message_get_top_via (invite)));
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (ack)), ==, "b1");
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_from (ack)), ==, "a1");
  g_assert_cmpstr (sipws_message_get_header (ack, "Route"), ==, "<sip:edge.example.com;lr>");
  g_assert_true (sipws_message_get_cseq (ack, &cseq, &method));
  g_assert_cmpuint (cseq, ==, 7);
  g_assert_cmpstr (method, ==, "ACK");
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);
}

static void
test_invite_forked_2xx (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request ("INVITE");
  g_autoptr(SipwsTransaction) tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  g_autoptr(SipwsMessage) ok1 = response_to_sent (fx, 0, 200, "fork1");
  g_autoptr(SipwsMessage) ok2 = response_to_sent (fx, 0, 200, "fork2");
  g_autoptr(SipwsMessage) late = response_to_sent (fx, 0, 200, "fork3");

  sipws_transaction_layer_receive (fx->layer, ok1);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_ACCEPTED);
  /* RFC 6026 Accepted: every 2xx goes up; the transaction ACKs none. */
  sipws_transaction_layer_receive (fx->layer, ok2);
  sipws_transaction_layer_receive (fx->layer, ok1);
  g_assert_cmpuint (fx->responses->len, ==, 3);
  g_assert_cmpuint (fx->sent->len, ==, 1);

  /* After Timer M the layer hands 2xx to its owner directly. */
  while (sipws_transaction_get_state (tx) != SIPWS_TRANSACTION_TERMINATED)
    g_main_context_iteration (NULL, TRUE);
  sipws_transaction_layer_receive (fx->layer, late);
  g_assert_cmpuint (fx->responses->len, ==, 3);
  g_assert_cmpuint (fx->strays->len, ==, 1);
  g_assert_null (fx->client_error);
}

static SipwsMessage *
incoming (const char *method,
          const char *branch,
          const char *to_tag,
          guint       cseq)
{
  g_autofree char *text = g_strdup_printf ("%s sip:alice@abc.invalid;transport=ws SIP/2.0\r\n"
                                           "Via: SIP/2.0/WSS peer.invalid;branch=%s\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "From: <sip:bob@example.com>;tag=b1\r\n"
                                           "To: <sip:alice@example.com>%s%s\r\n"
                                           "Call-ID: call-2\r\n"
                                           "CSeq: %u %s\r\n"
                                           "Contact: <sip:bob@peer.invalid;transport=ws>\r\n"
                                           "\r\n",
                                           method, branch, to_tag != NULL ? ";tag=" : "",
                                           to_tag != NULL ? to_tag : "", cseq, method);

  return sipws_test_parse (text);
}

static void
test_server_invite (Fixture       *fx,
                    gconstpointer  data)
{
  const char *branch = data;
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", branch, NULL, 1);
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(GError) error = NULL;
  SipwsTransaction *tx;
  SipwsMessage *response;
  const char *tag;

  sipws_transaction_layer_receive (fx->layer, invite);
  g_assert_cmpuint (fx->requests->len, ==, 1);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_nonnull (tx);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_PROCEEDING);

  /* A retransmission is absorbed. */
  sipws_transaction_layer_receive (fx->layer, invite);
  g_assert_cmpuint (fx->requests->len, ==, 1);

  /* §17.2.1: 100 Trying when the owner says nothing for 200 ms. */
  sipws_test_run_for (300);
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpuint (sipws_message_get_status_code (g_ptr_array_index (fx->sent, 0)), ==, 100);
  g_assert_null (sipws_address_get_tag (sipws_message_get_to (g_ptr_array_index (fx->sent, 0))));

  g_assert_true (sipws_transaction_respond_status (tx, 486, "Busy Here", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fx->sent->len, ==, 2);
  response = g_ptr_array_index (fx->sent, 1);
  tag = sipws_address_get_tag (sipws_message_get_to (response));
  g_assert_cmpstr (tag, ==, sipws_transaction_get_local_tag (tx));
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_COMPLETED);

  /* A retransmitted INVITE gets the final response again. */
  sipws_transaction_layer_receive (fx->layer, invite);
  g_assert_cmpuint (fx->sent->len, ==, 3);

  /* The ACK ends it, without reaching the owner. */
  ack = incoming ("ACK", branch, tag, 1);
  sipws_transaction_layer_receive (fx->layer, ack);
  g_assert_cmpuint (fx->requests->len, ==, 1);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);

  /* A second final response is refused. */
  g_assert_false (sipws_transaction_respond_status (tx, 200, "OK", &error));
  g_assert_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT);
}

static void
test_server_ack_2xx (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", "z9hG4bKinv1", NULL, 1);
  g_autoptr(SipwsMessage) ack = NULL;
  SipwsTransaction *tx;

  sipws_transaction_layer_receive (fx->layer, invite);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_true (sipws_transaction_respond_status (tx, 200, "OK", NULL));
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_ACCEPTED);

  /* Retransmissions in Accepted are absorbed: the owner repeats its 2xx. */
  sipws_transaction_layer_receive (fx->layer, invite);
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpuint (fx->requests->len, ==, 1);

  /* The ACK of a 2xx is a transaction of its own: it goes to the owner. */
  ack = incoming ("ACK", "z9hG4bKack1", sipws_transaction_get_local_tag (tx), 1);
  sipws_transaction_layer_receive (fx->layer, ack);
  g_assert_cmpuint (fx->requests->len, ==, 2);
  g_assert_null (g_ptr_array_index (fx->request_txs, 1));
}

static void
test_server_non_invite (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(SipwsMessage) info = incoming ("INFO", "z9hG4bKinfo", "t1", 2);
  SipwsTransaction *tx;

  sipws_transaction_layer_receive (fx->layer, info);
  sipws_transaction_layer_receive (fx->layer, info);
  g_assert_cmpuint (fx->requests->len, ==, 1);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TRYING);
  /* No automatic 100 for non-INVITE. */
  sipws_test_run_for (300);
  g_assert_cmpuint (fx->sent->len, ==, 0);
  g_assert_true (sipws_transaction_respond_status (tx, 200, "OK", NULL));
  /* Timer J is zero on a reliable transport. */
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);
  /* The To tag was there already: kept, not replaced. */
  g_assert_cmpstr (sipws_address_get_tag (sipws_message_get_to (g_ptr_array_index (fx->sent, 0))), ==, "t1");
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", "z9hG4bKinv2", NULL, 1);
  g_autoptr(SipwsMessage) cancel = incoming ("CANCEL", "z9hG4bKinv2", NULL, 1);
  g_autoptr(SipwsMessage) stray_cancel = incoming ("CANCEL", "z9hG4bKnone", NULL, 1);
  SipwsTransaction *tx;

  sipws_transaction_layer_receive (fx->layer, invite);
  tx = g_ptr_array_index (fx->request_txs, 0);
  sipws_transaction_layer_receive (fx->layer, cancel);

  /* §9.2: the layer answers the CANCEL and tells the owner. */
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpuint (sipws_message_get_status_code (g_ptr_array_index (fx->sent, 0)), ==, 200);
  g_assert_cmpstr (sipws_message_get_method (g_ptr_array_index (fx->sent, 0)), ==, NULL);
  g_assert_cmpuint (fx->cancelled->len, ==, 1);
  g_assert_true (g_ptr_array_index (fx->cancelled, 0) == tx);
  g_assert_cmpuint (fx->requests->len, ==, 1);

  /* A CANCEL matching nothing: 481. */
  sipws_transaction_layer_receive (fx->layer, stray_cancel);
  g_assert_cmpuint (fx->sent->len, ==, 2);
  g_assert_cmpuint (sipws_message_get_status_code (g_ptr_array_index (fx->sent, 1)), ==, 481);
  g_assert_cmpuint (fx->cancelled->len, ==, 1);
}

static void
test_cancel_after_final (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", "z9hG4bKinv3", NULL, 1);
  g_autoptr(SipwsMessage) cancel = incoming ("CANCEL", "z9hG4bKinv3", NULL, 1);
  SipwsTransaction *tx;

  sipws_transaction_layer_receive (fx->layer, invite);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_true (sipws_transaction_respond_status (tx, 486, NULL, NULL));
  sipws_transaction_layer_receive (fx->layer, cancel);
  /* 200 for the CANCEL, but the INVITE is past cancelling. */
  g_assert_cmpuint (sipws_message_get_status_code (g_ptr_array_index (fx->sent, 1)), ==, 200);
  g_assert_cmpuint (fx->cancelled->len, ==, 0);
}

static void
test_build_cancel (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(SipwsMessage) request = new_request ("INVITE");
  g_autoptr(SipwsTransaction) tx = sipws_transaction_layer_send_request (fx->layer, request, client_cb, fx);
  g_autoptr(SipwsMessage) cancel = sipws_transaction_layer_build_cancel (tx);
  g_autoptr(SipwsTransaction) cancel_tx = NULL;
  SipwsMessage *invite = g_ptr_array_index (fx->sent, 0);
  const char *method = NULL;
  guint32 cseq = 0;

  g_assert_cmpstr (sipws_message_get_method (cancel), ==, "CANCEL");
  g_assert_true (sipws_uri_equal (sipws_message_get_request_uri (cancel), sipws_message_get_request_uri (invite)));
  g_assert_cmpstr (sipws_message_get_header (cancel, "To"), ==, sipws_message_get_header (invite, "To"));
  g_assert_cmpstr (sipws_message_get_header (cancel, "Route"), ==, "<sip:edge.example.com;lr>");
  g_assert_true (sipws_message_get_cseq (cancel, &cseq, &method));
  g_assert_cmpuint (cseq, ==, 7);
  g_assert_cmpstr (method, ==, "CANCEL");

  /* Same branch as the INVITE, and still its own client transaction. */
  cancel_tx = sipws_transaction_layer_send_request (fx->layer, cancel, client_cb, fx);
  g_assert_cmpstr (sipws_via_get_branch (sipws_message_get_top_via (g_ptr_array_index (fx->sent, 1))), ==,
                   sipws_via_get_branch (sipws_message_get_top_via (invite)));
  g_assert_true (cancel_tx != tx);
}

static void
test_rfc2543 (Fixture       *fx,
              gconstpointer  data)
{
  /* Without the magic cookie, requests match on Request-URI, From tag,
   * Call-ID, CSeq and top Via; the ACK by the To tag of our response. */
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", "old1", NULL, 5);
  g_autoptr(SipwsMessage) wrong_ack = incoming ("ACK", "old1", "other", 5);
  g_autoptr(SipwsMessage) ack = NULL;
  SipwsTransaction *tx;

  sipws_transaction_layer_receive (fx->layer, invite);
  sipws_transaction_layer_receive (fx->layer, invite);
  g_assert_cmpuint (fx->requests->len, ==, 1);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_true (sipws_transaction_respond_status (tx, 603, NULL, NULL));

  sipws_transaction_layer_receive (fx->layer, wrong_ack);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_COMPLETED);
  g_assert_cmpuint (fx->requests->len, ==, 2);

  ack = incoming ("ACK", "old1", sipws_transaction_get_local_tag (tx), 5);
  sipws_transaction_layer_receive (fx->layer, ack);
  g_assert_cmpint (sipws_transaction_get_state (tx), ==, SIPWS_TRANSACTION_TERMINATED);
  g_assert_cmpuint (fx->requests->len, ==, 2);
}

static void
test_timer_h (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(SipwsMessage) invite = incoming ("INVITE", "z9hG4bKinv4", NULL, 1);
  SipwsTransaction *tx;
  gint64 start;

  sipws_transaction_layer_receive (fx->layer, invite);
  tx = g_ptr_array_index (fx->request_txs, 0);
  g_assert_true (sipws_transaction_respond_status (tx, 480, NULL, NULL));
  start = g_get_monotonic_time ();
  while (sipws_transaction_get_state (tx) != SIPWS_TRANSACTION_TERMINATED)
    g_main_context_iteration (NULL, TRUE);
  /* Timer G is off: one response only; Timer H = 64·T1. */
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 64 * TEST_T1);
  g_assert_cmpuint (fx->sent->len, ==, 1);
}

static void
test_unmatched_response (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(SipwsMessage) response = sipws_test_parse ("SIP/2.0 200 OK\r\n"
                                            "Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKunknown\r\n"
                                            "From: <sip:alice@example.com>;tag=a1\r\n"
                                            "To: <sip:bob@example.com>;tag=b\r\n"
                                            "Call-ID: x\r\n"
                                            "CSeq: 1 OPTIONS\r\n\r\n");

  sipws_transaction_layer_receive (fx->layer, response);
  g_assert_cmpuint (fx->strays->len, ==, 0);
  g_assert_cmpuint (fx->client_calls, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, fn) g_test_add ("/ua/transaction/" path, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("client-non-invite", NULL, test_client_non_invite);
  ADD ("timer-f", "MESSAGE", test_client_timeout);
  ADD ("timer-b", "INVITE", test_client_timeout);
  ADD ("send-failure", NULL, test_client_send_failure);
  ADD ("invite-non-2xx-ack", NULL, test_invite_non_2xx);
  ADD ("invite-forked-2xx", NULL, test_invite_forked_2xx);
  ADD ("server-invite", "z9hG4bKinvite", test_server_invite);
  ADD ("server-ack-2xx", NULL, test_server_ack_2xx);
  ADD ("server-non-invite", NULL, test_server_non_invite);
  ADD ("cancel", NULL, test_cancel);
  ADD ("cancel-after-final", NULL, test_cancel_after_final);
  ADD ("build-cancel", NULL, test_build_cancel);
  ADD ("rfc2543", NULL, test_rfc2543);
  ADD ("timer-h", NULL, test_timer_h);
  ADD ("unmatched-response", NULL, test_unmatched_response);
#undef ADD

  return g_test_run ();
}
