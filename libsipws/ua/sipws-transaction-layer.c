/* sipws-transaction-layer.c: transaction matching and dispatch (RFC 3261 §17) */
#include "sipws-transaction-layer-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-error.h"

#define MAGIC_COOKIE "z9hG4bK"
#define BRANCH_RANDOM_LENGTH 16

struct _SipwsTransactionLayer {
  SipwsTransactionLayerCallbacks callbacks;
  gpointer user_data;
  GMainContext *context;
  SipwsTimerValues timers;
  char *via_transport;
  char *via_host;
  /* key → SipwsTransaction (owned); client and server keys never collide */
  GHashTable *transactions;
};

static void
resolve_timers (SipwsTimerValues *timers)
{
  if (timers->t1 == 0)
    timers->t1 = SIPWS_TIMER_T1_DEFAULT;
  if (timers->t2 == 0)
    timers->t2 = SIPWS_TIMER_T2_DEFAULT;
  if (timers->timer_b == 0)
    timers->timer_b = 64 * timers->t1;
  if (timers->timer_f == 0)
    timers->timer_f = 64 * timers->t1;
  if (timers->timer_h == 0)
    timers->timer_h = 64 * timers->t1;
}

SipwsTransactionLayer *
sipws_transaction_layer_new (const SipwsTransactionLayerCallbacks *callbacks,
                             gpointer                              user_data)
{
  SipwsTransactionLayer *self = g_new0 (SipwsTransactionLayer, 1);

  self->callbacks = *callbacks;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  resolve_timers (&self->timers);
  self->via_transport = g_strdup ("WSS");
  self->via_host = g_strdup ("unset.invalid");
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  return self;
}

void
sipws_transaction_layer_free (SipwsTransactionLayer *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;

  g_hash_table_iter_init (&iter, self->transactions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sipws_transaction_abandon (value);
  g_hash_table_unref (self->transactions);
  g_main_context_unref (self->context);
  g_free (self->via_transport);
  g_free (self->via_host);
  g_free (self);
}

void
sipws_transaction_layer_set_timers (SipwsTransactionLayer  *self,
                                    const SipwsTimerValues *timers)
{
  self->timers = *timers;
  resolve_timers (&self->timers);
}

const SipwsTimerValues *
sipws_transaction_layer_get_timers (SipwsTransactionLayer *self)
{
  return &self->timers;
}

void
sipws_transaction_layer_set_via (SipwsTransactionLayer *self,
                                 const char            *transport,
                                 const char            *host)
{
  g_free (self->via_transport);
  self->via_transport = g_strdup (transport);
  g_free (self->via_host);
  self->via_host = g_strdup (host);
}

GMainContext *
sipws_transaction_layer_get_context (SipwsTransactionLayer *self)
{
  return self->context;
}

char *
sipws_transaction_layer_new_branch (void)
{
  g_autofree char *random = sipws_ua_random_token (BRANCH_RANDOM_LENGTH);

  return g_strconcat (MAGIC_COOKIE, random, NULL);
}

gboolean
sipws_transaction_layer_transmit (SipwsTransactionLayer  *self,
                                  SipwsMessage           *message,
                                  GError                **error)
{
  return self->callbacks.send (message, self->user_data, error);
}

void
sipws_transaction_layer_remove (SipwsTransactionLayer *self,
                                SipwsTransaction      *tx)
{
  const char *key = sipws_transaction_get_key (tx);

  if (g_hash_table_lookup (self->transactions, key) == tx)
    g_hash_table_remove (self->transactions, key);
}

/* Keys. A client transaction is named by its branch and CSeq method
 * (§17.1.3); a server one by branch, sent-by and method with ACK counted as
 * INVITE (§17.2.3), or for an RFC 2543 peer without the magic cookie by the
 * fields that identified a transaction then. */

static char *
client_key (const char *branch,
            const char *method)
{
  return g_strdup_printf ("c|%s|%s", branch, method);
}

static char *
server_key (SipwsMessage *request,
            const char   *method)
{
  SipwsVia *via = sipws_message_get_top_via (request);
  SipwsAddress *from = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *via_text = NULL;
  guint32 cseq = 0;

  if (via == NULL)
    return NULL;

  if (sipws_via_has_magic_cookie (via))
    return g_strdup_printf ("s|%s|%s:%u|%s", sipws_via_get_branch (via),
                            sipws_via_get_host (via), sipws_via_get_port (via), method);

  from = sipws_message_get_from (request);
  uri = sipws_uri_to_string (sipws_message_get_request_uri (request));
  via_text = sipws_via_to_string (via);
  sipws_message_get_cseq (request, &cseq, NULL);
  return g_strdup_printf ("s2543|%s|%s|%s|%u|%s|%s", uri,
                          from != NULL && sipws_address_get_tag (from) != NULL ? sipws_address_get_tag (from) : "",
                          sipws_message_get_call_id (request), cseq, via_text, method);
}

static gboolean
method_is (SipwsMessage *message,
           const char   *method)
{
  const char *m = sipws_message_get_method (message);

  return m != NULL && g_str_equal (m, method);
}

static void
add_via (SipwsTransactionLayer *self,
         SipwsMessage          *request)
{
  g_autofree char *branch = NULL;
  g_autofree char *value = NULL;

  if (sipws_message_get_header_by_id (request, SIPWS_HEADER_NAME_VIA) != NULL)
    return;

  branch = sipws_transaction_layer_new_branch ();
  /* RFC 7118 Appendix B: a WebSocket client cannot know its address, so the
   * sent-by is a random .invalid host; rport (RFC 3581) lets the server say
   * what it saw. */
  value = g_strdup_printf ("SIP/2.0/%s %s;branch=%s;rport", self->via_transport, self->via_host, branch);
  sipws_message_add_header (request, "Via", value);
}

SipwsTransaction *
sipws_transaction_layer_send_request (SipwsTransactionLayer      *self,
                                      SipwsMessage               *request,
                                      SipwsClientTransactionFunc  func,
                                      gpointer                    user_data)
{
  SipwsVia *via = NULL;
  g_autofree char *key = NULL;
  SipwsTransaction *tx;

  g_return_val_if_fail (sipws_message_get_method (request) != NULL, NULL);
  g_return_val_if_fail (!method_is (request, "ACK"), NULL);

  add_via (self, request);
  via = sipws_message_get_top_via (request);
  key = client_key (sipws_via_get_branch (via), sipws_message_get_method (request));

  tx = sipws_transaction_new_client (self, request, key, func, user_data);
  g_hash_table_replace (self->transactions, (gpointer) sipws_transaction_get_key (tx), g_object_ref (tx));
  g_debug ("client transaction %s started", key);
  sipws_transaction_start (tx);

  return tx;
}

SipwsTransaction *
sipws_transaction_layer_find_client (SipwsTransactionLayer *self,
                                     SipwsMessage          *request)
{
  SipwsVia *via = sipws_message_get_top_via (request);
  g_autofree char *key = NULL;
  SipwsTransaction *tx;

  if (via == NULL || sipws_via_get_branch (via) == NULL)
    return NULL;
  key = client_key (sipws_via_get_branch (via), sipws_message_get_method (request));
  tx = g_hash_table_lookup (self->transactions, key);
  return tx != NULL && sipws_transaction_get_request (tx) == request ? tx : NULL;
}

gboolean
sipws_transaction_layer_send_stateless (SipwsTransactionLayer  *self,
                                        SipwsMessage           *message,
                                        GError                **error)
{
  if (sipws_message_get_method (message) != NULL)
    add_via (self, message);
  return sipws_transaction_layer_transmit (self, message, error);
}

SipwsMessage *
sipws_transaction_layer_build_cancel (SipwsTransaction *invite_tx)
{
  SipwsMessage *invite = sipws_transaction_get_request (invite_tx);
  SipwsMessage *cancel;
  g_auto(GStrv) vias = NULL;
  g_auto(GStrv) routes = NULL;
  g_autofree char *cseq_value = NULL;
  guint32 cseq = 0;

  /* §9.1: Request-URI, Call-ID, To, From, CSeq number, the top Via (so the
   * same branch) and Route of the INVITE. */
  cancel = sipws_message_new_request ("CANCEL", sipws_message_get_request_uri (invite));
  vias = sipws_message_get_header_values (invite, "Via");
  if (vias != NULL && vias[0] != NULL)
    sipws_message_add_header (cancel, "Via", vias[0]);
  sipws_message_set_header (cancel, "Max-Forwards", "70");
  routes = sipws_message_get_header_values (invite, "Route");
  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    sipws_message_add_header (cancel, "Route", routes[i]);
  sipws_message_set_header (cancel, "From", sipws_message_get_header_by_id (invite, SIPWS_HEADER_NAME_FROM));
  sipws_message_set_header (cancel, "To", sipws_message_get_header_by_id (invite, SIPWS_HEADER_NAME_TO));
  sipws_message_set_header (cancel, "Call-ID", sipws_message_get_header_by_id (invite, SIPWS_HEADER_NAME_CALL_ID));
  sipws_message_get_cseq (invite, &cseq, NULL);
  cseq_value = g_strdup_printf ("%u CANCEL", cseq);
  sipws_message_set_header (cancel, "CSeq", cseq_value);

  return cancel;
}

static void
receive_response (SipwsTransactionLayer *self,
                  SipwsMessage          *response)
{
  SipwsVia *via = sipws_message_get_top_via (response);
  g_autofree char *key = NULL;
  const char *method = NULL;
  guint32 cseq = 0;
  SipwsTransaction *tx;

  if (via == NULL || sipws_via_get_branch (via) == NULL || !sipws_message_get_cseq (response, &cseq, &method))
    {
      g_debug ("dropping a %u response without Via branch or CSeq", sipws_message_get_status_code (response));
      return;
    }

  key = client_key (sipws_via_get_branch (via), method);
  tx = g_hash_table_lookup (self->transactions, key);
  if (tx != NULL)
    {
      sipws_transaction_receive_response (tx, response);
      return;
    }

  if (g_str_equal (method, "INVITE") && sipws_message_get_status_code (response) / 100 == 2)
    {
      if (self->callbacks.stray_response != NULL)
        self->callbacks.stray_response (self, response, self->user_data);
      return;
    }

  g_debug ("dropping a %u response to %s that matches no transaction",
           sipws_message_get_status_code (response), method);
}

static gboolean
ack_matches (SipwsTransaction *tx,
             SipwsMessage     *ack)
{
  SipwsMessage *response = sipws_transaction_get_last_response (tx);
  SipwsAddress *ack_to = NULL;
  SipwsAddress *response_to = NULL;
  SipwsVia *via = sipws_message_get_top_via (ack);

  /* With a branch the key already decided; an RFC 2543 ACK also has to
   * carry the To tag of the response it acknowledges (§17.2.3). */
  if (sipws_via_has_magic_cookie (via))
    return TRUE;
  if (response == NULL)
    return FALSE;
  ack_to = sipws_message_get_to (ack);
  response_to = sipws_message_get_to (response);
  return ack_to != NULL && response_to != NULL
         && g_strcmp0 (sipws_address_get_tag (ack_to), sipws_address_get_tag (response_to)) == 0;
}

static void
answer (SipwsTransaction *tx,
        guint             status,
        const char       *reason)
{
  g_autoptr(GError) error = NULL;

  if (!sipws_transaction_respond_status (tx, status, reason, &error))
    g_debug ("could not answer %u: %s", status, error->message);
}

static SipwsTransaction *
add_server (SipwsTransactionLayer *self,
            SipwsMessage          *request,
            const char            *key)
{
  SipwsTransaction *tx = sipws_transaction_new_server (self, request, key);

  g_hash_table_replace (self->transactions, (gpointer) sipws_transaction_get_key (tx), tx);
  return tx;
}

static void
receive_cancel (SipwsTransactionLayer *self,
                SipwsMessage          *cancel,
                const char            *cancel_key)
{
  g_autofree char *invite_key = server_key (cancel, "INVITE");
  g_autoptr(SipwsTransaction) cancel_tx = g_object_ref (add_server (self, cancel, cancel_key));
  SipwsTransaction *invite_tx = g_hash_table_lookup (self->transactions, invite_key);

  if (invite_tx == NULL)
    {
      answer (cancel_tx, 481, "Call/Transaction Does Not Exist");
      return;
    }

  /* §9.2: the CANCEL gets its 200 whatever the INVITE's state; only an
   * INVITE still without final response is cancelled. */
  answer (cancel_tx, 200, "OK");
  if (sipws_transaction_get_state (invite_tx) == SIPWS_TRANSACTION_PROCEEDING && self->callbacks.cancel != NULL)
    self->callbacks.cancel (self, invite_tx, cancel, self->user_data);
}

static void
receive_request (SipwsTransactionLayer *self,
                 SipwsMessage          *request)
{
  const char *method = sipws_message_get_method (request);
  gboolean ack = g_str_equal (method, "ACK");
  g_autofree char *key = server_key (request, ack ? "INVITE" : method);
  SipwsTransaction *tx;

  if (key == NULL)
    {
      /* Without a Via there is nowhere to send a response. */
      g_debug ("dropping a %s request without Via", method);
      return;
    }

  tx = g_hash_table_lookup (self->transactions, key);
  if (tx != NULL && (!ack || ack_matches (tx, request)))
    {
      sipws_transaction_receive_request (tx, request);
      return;
    }

  if (ack)
    {
      if (self->callbacks.request != NULL)
        self->callbacks.request (self, NULL, request, self->user_data);
      return;
    }

  if (g_str_equal (method, "CANCEL"))
    {
      receive_cancel (self, request, key);
      return;
    }

  tx = g_object_ref (add_server (self, request, key));
  g_debug ("server transaction %s started", key);
  if (self->callbacks.request != NULL)
    self->callbacks.request (self, tx, request, self->user_data);
  g_object_unref (tx);
}

void
sipws_transaction_layer_receive (SipwsTransactionLayer *self,
                                 SipwsMessage          *message)
{
  if (sipws_message_get_method (message) != NULL)
    receive_request (self, message);
  else
    receive_response (self, message);
}
