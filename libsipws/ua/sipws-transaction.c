/* sipws-transaction.c: RFC 3261 §17 state machines for a reliable transport
 * (with the RFC 6026 Accepted state for INVITE) */
#include "sipws-transaction-private.h"
#include "sipws-transaction-layer-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-error.h"

typedef enum {
  KIND_CLIENT_INVITE,
  KIND_CLIENT_NON_INVITE,
  KIND_SERVER_INVITE,
  KIND_SERVER_NON_INVITE,
} Kind;

struct _SipwsTransaction {
  GObject parent_instance;

  SipwsTransactionLayer *layer;  /* unowned; NULL once abandoned */
  Kind kind;
  SipwsTransactionState state;
  char *key;
  SipwsMessage *request;
  SipwsMessage *last_response;
  char *local_tag;  /* server: the To tag of our responses */
  GError *send_error;  /* client: why the request could not go out */

  /* the one running timer: B/F (client), M (client Accepted), L (server
   * Accepted), H (server Completed) or the 100 Trying delay */
  GSource *timer;

  SipwsClientTransactionFunc client_func;
  SipwsServerTransactionFunc server_func;
  gpointer user_data;
};

G_DEFINE_FINAL_TYPE (SipwsTransaction, sipws_transaction, G_TYPE_OBJECT)

/* An INVITE server transaction sends 100 Trying itself unless its owner
 * answers first (§17.2.1). */
#define TRYING_DELAY_MS 200

static gboolean
is_client (SipwsTransaction *self)
{
  return self->kind == KIND_CLIENT_INVITE || self->kind == KIND_CLIENT_NON_INVITE;
}

static void
clear_timer (SipwsTransaction *self)
{
  sipws_ua_clear_source (&self->timer);
}

static void
start_timer (SipwsTransaction *self,
             guint             ms,
             GSourceFunc       func)
{
  sipws_ua_start_timer (&self->timer, sipws_transaction_layer_get_context (self->layer), ms, func, self);
}

/* The layer drops its reference in remove(): keep self alive until the
 * caller's frame is done with it. */
static void
terminate (SipwsTransaction *self)
{
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (self);

  if (self->state == SIPWS_TRANSACTION_TERMINATED)
    return;

  self->state = SIPWS_TRANSACTION_TERMINATED;
  clear_timer (self);
  g_debug ("transaction %s terminated", self->key);
  if (self->layer != NULL)
    sipws_transaction_layer_remove (self->layer, self);
}

static void
notify_client (SipwsTransaction *self,
               SipwsMessage     *response,
               const GError     *error)
{
  if (self->client_func != NULL)
    self->client_func (self, response, error, self->user_data);
}

static void
client_fail (SipwsTransaction *self,
             const GError     *error)
{
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (self);
  SipwsClientTransactionFunc func = self->client_func;
  gpointer user_data = self->user_data;

  /* The owner hears about a failure once, after the machine has ended. */
  self->client_func = NULL;
  terminate (self);
  if (func != NULL)
    func (self, NULL, error, user_data);
}

static gboolean
timeout_cb (gpointer user_data)
{
  SipwsTransaction *self = user_data;
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->timer, g_source_unref);

  switch (self->state)
    {
    case SIPWS_TRANSACTION_CALLING:
    case SIPWS_TRANSACTION_TRYING:
    case SIPWS_TRANSACTION_PROCEEDING:
      /* Timer B or F: no final response in time. */
      error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_TIMEOUT,
                           "No final response to %s within %u ms",
                           sipws_message_get_method (self->request),
                           self->kind == KIND_CLIENT_INVITE
                             ? sipws_transaction_layer_get_timers (self->layer)->timer_b
                             : sipws_transaction_layer_get_timers (self->layer)->timer_f);
      client_fail (self, error);
      break;

    case SIPWS_TRANSACTION_COMPLETED:
      /* Timer H: the ACK of our non-2xx final response never came. */
      error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_TIMEOUT,
                           "No ACK for the %u response to INVITE",
                           sipws_transaction_get_status (self));
      terminate (self);
      if (self->server_func != NULL)
        self->server_func (self, error, self->user_data);
      break;

    case SIPWS_TRANSACTION_ACCEPTED:
      /* Timer L or M. */
      terminate (self);
      break;

    case SIPWS_TRANSACTION_CONFIRMED:
    case SIPWS_TRANSACTION_TERMINATED:
    default:
      break;
    }

  return G_SOURCE_REMOVE;
}

static gboolean
send_failed_cb (gpointer user_data)
{
  SipwsTransaction *self = user_data;
  g_autoptr(GError) error = g_steal_pointer (&self->send_error);

  g_clear_pointer (&self->timer, g_source_unref);
  client_fail (self, error);
  return G_SOURCE_REMOVE;
}

static gboolean
trying_cb (gpointer user_data)
{
  SipwsTransaction *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->timer, g_source_unref);
  if (self->last_response == NULL && self->state == SIPWS_TRANSACTION_PROCEEDING)
    {
      if (!sipws_transaction_respond_status (self, 100, "Trying", &error))
        g_debug ("could not send 100 Trying: %s", error->message);
    }

  return G_SOURCE_REMOVE;
}

static guint
timer_64t1 (SipwsTransaction *self)
{
  return 64 * sipws_transaction_layer_get_timers (self->layer)->t1;
}

static void
sipws_transaction_dispose (GObject *object)
{
  SipwsTransaction *self = SIPWS_TRANSACTION (object);

  clear_timer (self);
  self->client_func = NULL;
  self->server_func = NULL;

  G_OBJECT_CLASS (sipws_transaction_parent_class)->dispose (object);
}

static void
sipws_transaction_finalize (GObject *object)
{
  SipwsTransaction *self = SIPWS_TRANSACTION (object);

  g_free (self->key);
  g_free (self->local_tag);
  g_clear_error (&self->send_error);
  g_clear_pointer (&self->request, sipws_message_unref);
  g_clear_pointer (&self->last_response, sipws_message_unref);

  G_OBJECT_CLASS (sipws_transaction_parent_class)->finalize (object);
}

static void
sipws_transaction_class_init (SipwsTransactionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sipws_transaction_dispose;
  object_class->finalize = sipws_transaction_finalize;
}

static void
sipws_transaction_init (SipwsTransaction *self)
{
}

static gboolean
method_is (SipwsMessage *message,
           const char   *method)
{
  const char *m = sipws_message_get_method (message);

  return m != NULL && g_str_equal (m, method);
}

static SipwsTransaction *
transaction_new (SipwsTransactionLayer *layer,
                 SipwsMessage          *request,
                 const char            *key,
                 gboolean               client)
{
  SipwsTransaction *self = g_object_new (SIPWS_TYPE_TRANSACTION, NULL);
  gboolean invite = method_is (request, "INVITE");

  self->layer = layer;
  self->request = sipws_message_ref (request);
  self->key = g_strdup (key);
  if (client)
    self->kind = invite ? KIND_CLIENT_INVITE : KIND_CLIENT_NON_INVITE;
  else
    self->kind = invite ? KIND_SERVER_INVITE : KIND_SERVER_NON_INVITE;

  return self;
}

SipwsTransaction *
sipws_transaction_new_client (SipwsTransactionLayer      *layer,
                              SipwsMessage               *request,
                              const char                 *key,
                              SipwsClientTransactionFunc  func,
                              gpointer                    user_data)
{
  SipwsTransaction *self = transaction_new (layer, request, key, TRUE);

  self->state = self->kind == KIND_CLIENT_INVITE ? SIPWS_TRANSACTION_CALLING : SIPWS_TRANSACTION_TRYING;
  self->client_func = func;
  self->user_data = user_data;
  return self;
}

SipwsTransaction *
sipws_transaction_new_server (SipwsTransactionLayer *layer,
                              SipwsMessage          *request,
                              const char            *key)
{
  SipwsTransaction *self = transaction_new (layer, request, key, FALSE);

  if (self->kind == KIND_SERVER_INVITE)
    {
      self->state = SIPWS_TRANSACTION_PROCEEDING;
      start_timer (self, TRYING_DELAY_MS, trying_cb);
    }
  else
    {
      self->state = SIPWS_TRANSACTION_TRYING;
    }
  return self;
}

gboolean
sipws_transaction_is_client (SipwsTransaction *self)
{
  return is_client (self);
}

gboolean
sipws_transaction_is_invite (SipwsTransaction *self)
{
  return self->kind == KIND_CLIENT_INVITE || self->kind == KIND_SERVER_INVITE;
}

SipwsTransactionState
sipws_transaction_get_state (SipwsTransaction *self)
{
  return self->state;
}

SipwsMessage *
sipws_transaction_get_request (SipwsTransaction *self)
{
  return self->request;
}

SipwsMessage *
sipws_transaction_get_last_response (SipwsTransaction *self)
{
  return self->last_response;
}

const char *
sipws_transaction_get_key (SipwsTransaction *self)
{
  return self->key;
}

guint
sipws_transaction_get_status (SipwsTransaction *self)
{
  return self->last_response != NULL ? sipws_message_get_status_code (self->last_response) : 0;
}

void
sipws_transaction_set_server_func (SipwsTransaction           *self,
                                   SipwsServerTransactionFunc  func,
                                   gpointer                    user_data)
{
  g_return_if_fail (!is_client (self));

  self->server_func = func;
  self->user_data = user_data;
}

void
sipws_transaction_detach (SipwsTransaction *self)
{
  self->client_func = NULL;
  self->server_func = NULL;
  self->user_data = NULL;
}

void
sipws_transaction_drop (SipwsTransaction **tx)
{
  if (*tx == NULL)
    return;
  sipws_transaction_detach (*tx);
  g_clear_object (tx);
}

void
sipws_transaction_abandon (SipwsTransaction *self)
{
  clear_timer (self);
  self->layer = NULL;
  self->state = SIPWS_TRANSACTION_TERMINATED;
  sipws_transaction_detach (self);
}

void
sipws_transaction_start (SipwsTransaction *self)
{
  g_autoptr(GError) error = NULL;
  const SipwsTimerValues *timers;

  g_return_if_fail (is_client (self));
  g_return_if_fail (self->layer != NULL);

  timers = sipws_transaction_layer_get_timers (self->layer);
  /* Reliable transport: no Timer A/E, only the overall Timer B/F. */
  start_timer (self, self->kind == KIND_CLIENT_INVITE ? timers->timer_b : timers->timer_f, timeout_cb);

  if (!sipws_transaction_layer_transmit (self->layer, self->request, &error))
    {
      /* Report from the main loop: the owner has not stored the
       * transaction yet when start() fails. */
      self->send_error = g_steal_pointer (&error);
      start_timer (self, 0, send_failed_cb);
    }
}

void
sipws_transaction_fail (SipwsTransaction *self,
                        const GError     *error)
{
  g_return_if_fail (is_client (self));

  if (self->layer == NULL || self->last_response != NULL || self->state == SIPWS_TRANSACTION_TERMINATED)
    return;
  g_clear_error (&self->send_error);
  self->send_error = g_error_copy (error);
  start_timer (self, 0, send_failed_cb);
}

static void
send_ack (SipwsTransaction *self,
          SipwsMessage     *response)
{
  g_autoptr(SipwsMessage) ack = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) vias = NULL;
  g_auto(GStrv) routes = NULL;
  guint32 cseq = 0;

  /* §17.1.1.3: same Request-URI, Call-ID, From, CSeq number, top Via and
   * Route as the INVITE; To from the response (it carries the tag). */
  ack = sipws_message_new_request ("ACK", sipws_message_get_request_uri (self->request));
  vias = sipws_message_get_header_values (self->request, "Via");
  if (vias != NULL && vias[0] != NULL)
    sipws_message_add_header (ack, "Via", vias[0]);
  sipws_message_set_header (ack, "Max-Forwards", "70");
  routes = sipws_message_get_header_values (self->request, "Route");
  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    sipws_message_add_header (ack, "Route", routes[i]);
  sipws_message_set_header (ack, "From", sipws_message_get_header_by_id (self->request, SIPWS_HEADER_NAME_FROM));
  sipws_message_set_header (ack, "To", sipws_message_get_header_by_id (response, SIPWS_HEADER_NAME_TO));
  sipws_message_set_header (ack, "Call-ID", sipws_message_get_header_by_id (self->request, SIPWS_HEADER_NAME_CALL_ID));
  sipws_message_get_cseq (self->request, &cseq, NULL);
  {
    g_autofree char *value = g_strdup_printf ("%u ACK", cseq);
    sipws_message_set_header (ack, "CSeq", value);
  }

  if (!sipws_transaction_layer_transmit (self->layer, ack, &error))
    g_debug ("could not send the ACK of a %u response: %s",
             sipws_message_get_status_code (response), error->message);
}

void
sipws_transaction_receive_response (SipwsTransaction *self,
                                    SipwsMessage     *response)
{
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (self);
  guint status = sipws_message_get_status_code (response);

  g_return_if_fail (is_client (self));

  switch (self->state)
    {
    case SIPWS_TRANSACTION_CALLING:
    case SIPWS_TRANSACTION_TRYING:
    case SIPWS_TRANSACTION_PROCEEDING:
      g_clear_pointer (&self->last_response, sipws_message_unref);
      self->last_response = sipws_message_ref (response);

      if (status < 200)
        {
          /* Timer B only runs in Calling; a non-INVITE keeps Timer F. */
          if (self->kind == KIND_CLIENT_INVITE)
            clear_timer (self);
          self->state = SIPWS_TRANSACTION_PROCEEDING;
          notify_client (self, response, NULL);
        }
      else if (self->kind == KIND_CLIENT_INVITE && status < 300)
        {
          self->state = SIPWS_TRANSACTION_ACCEPTED;
          start_timer (self, timer_64t1 (self), timeout_cb);
          notify_client (self, response, NULL);
        }
      else
        {
          SipwsClientTransactionFunc func = self->client_func;
          gpointer user_data = self->user_data;

          if (self->kind == KIND_CLIENT_INVITE)
            send_ack (self, response);
          /* Completed lasts Timer D or K, both zero on a reliable transport. */
          self->state = SIPWS_TRANSACTION_COMPLETED;
          self->client_func = NULL;
          terminate (self);
          if (func != NULL)
            func (self, response, NULL, user_data);
        }
      break;

    case SIPWS_TRANSACTION_ACCEPTED:
      /* Every 2xx (retransmitted or from another fork) goes up so the owner
       * can ACK it; anything else here is noise (RFC 6026 §8.4). */
      if (status >= 200 && status < 300)
        notify_client (self, response, NULL);
      break;

    case SIPWS_TRANSACTION_COMPLETED:
    case SIPWS_TRANSACTION_CONFIRMED:
    case SIPWS_TRANSACTION_TERMINATED:
    default:
      break;
    }
}

void
sipws_transaction_receive_request (SipwsTransaction *self,
                                   SipwsMessage     *request)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (!is_client (self));

  if (method_is (request, "ACK"))
    {
      /* Only the ACK of a non-2xx final response matches the transaction. */
      if (self->state == SIPWS_TRANSACTION_COMPLETED)
        {
          /* Confirmed lasts Timer I, zero on a reliable transport. */
          self->state = SIPWS_TRANSACTION_CONFIRMED;
          terminate (self);
        }
      return;
    }

  /* A retransmission: repeat the last response, except in Accepted where the
   * owner retransmits its 2xx itself (RFC 6026). */
  if (self->last_response == NULL || self->state == SIPWS_TRANSACTION_ACCEPTED)
    return;
  if (self->layer != NULL && !sipws_transaction_layer_transmit (self->layer, self->last_response, &error))
    g_debug ("could not repeat the %u response: %s", sipws_transaction_get_status (self), error->message);
}

gboolean
sipws_transaction_respond (SipwsTransaction  *self,
                           SipwsMessage      *response,
                           GError           **error)
{
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (self);
  guint status = sipws_message_get_status_code (response);
  gboolean sent;

  g_return_val_if_fail (!is_client (self), FALSE);

  if (self->layer == NULL
      || (self->state != SIPWS_TRANSACTION_TRYING && self->state != SIPWS_TRANSACTION_PROCEEDING))
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                   "The %s transaction already has its final response",
                   sipws_message_get_method (self->request));
      return FALSE;
    }

  g_clear_pointer (&self->last_response, sipws_message_unref);
  self->last_response = sipws_message_ref (response);
  sent = sipws_transaction_layer_transmit (self->layer, response, error);

  if (status < 200)
    {
      self->state = SIPWS_TRANSACTION_PROCEEDING;
      if (self->kind == KIND_SERVER_INVITE && self->timer != NULL)
        clear_timer (self);
    }
  else if (self->kind == KIND_SERVER_INVITE && status < 300)
    {
      self->state = SIPWS_TRANSACTION_ACCEPTED;
      start_timer (self, timer_64t1 (self), timeout_cb);
    }
  else if (self->kind == KIND_SERVER_INVITE)
    {
      self->state = SIPWS_TRANSACTION_COMPLETED;
      start_timer (self, sipws_transaction_layer_get_timers (self->layer)->timer_h, timeout_cb);
    }
  else
    {
      /* Completed lasts Timer J, zero on a reliable transport. */
      self->state = SIPWS_TRANSACTION_COMPLETED;
      terminate (self);
    }

  /* A transport error ends this transaction only (§17.2.4). */
  if (!sent)
    terminate (self);

  return sent;
}

SipwsMessage *
sipws_transaction_create_response (SipwsTransaction *self,
                                   guint             status,
                                   const char       *reason)
{
  SipwsMessage *response = sipws_message_new_response_for_request (self->request, status, reason);
  SipwsAddress *to = sipws_message_get_to (self->request);

  g_return_val_if_fail (!is_client (self), response);

  /* §12.1.1: a response that may establish a dialog echoes the
   * Record-Route of the request, in order, or the peer builds its route set
   * without the proxies and its in-dialog requests go astray. */
  if (status > 100 && status < 300)
    {
      g_auto(GStrv) record_route = sipws_message_get_header_values (self->request, "Record-Route");

      for (guint i = 0; record_route != NULL && record_route[i] != NULL; i++)
        sipws_message_add_header (response, "Record-Route", record_route[i]);
    }

  /* §8.2.6.2: every response but 100 gets our tag when the request's To had
   * none; the same tag on every response so it can name the dialog. */
  if (status > 100 && to != NULL && sipws_address_get_tag (to) == NULL)
    {
      g_autofree char *value = NULL;

      if (self->local_tag == NULL)
        self->local_tag = sipws_ua_random_token (SIPWS_UA_TAG_LENGTH);
      value = g_strdup_printf ("%s;tag=%s", sipws_message_get_header_by_id (self->request, SIPWS_HEADER_NAME_TO),
                               self->local_tag);
      sipws_message_set_header (response, "To", value);
    }

  return response;
}

const char *
sipws_transaction_get_local_tag (SipwsTransaction *self)
{
  if (self->local_tag == NULL)
    self->local_tag = sipws_ua_random_token (SIPWS_UA_TAG_LENGTH);
  return self->local_tag;
}

gboolean
sipws_transaction_respond_status (SipwsTransaction  *self,
                                  guint              status,
                                  const char        *reason,
                                  GError           **error)
{
  g_autoptr(SipwsMessage) response = sipws_transaction_create_response (self, status, reason);

  return sipws_transaction_respond (self, response, error);
}
