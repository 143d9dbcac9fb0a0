/* sipws-account.c: a SIP account reached over one WebSocket flow */
#include "sipws-account-private.h"
#include "sipws-call-private.h"
#include "sipws-registration-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-unparsed-private.h"
#include "sipws-credentials-private.h"
#include "sipws-ua-enums.h"
#include "sipws-error.h"
#include "sipws-redact.h"

#include <string.h>

/**
 * SipwsAccount:
 *
 * A SIP account: an address of record, the WebSocket servers that reach it
 * ([class@Sipws.Transport]), its registration, calls and messages.
 *
 * ## Registration
 *
 * [method@Sipws.Account.register_async] opens the flow and registers with
 * RFC 5626 outbound (`+sip.instance`, `reg-id`, `;ob`) and asks for GRUUs
 * (RFC 5627). The account then keeps the registration alive by itself: it
 * refreshes before expiry, answers 401/407 with digest (the strongest
 * algorithm offered), raises its expiry after 423, registers without outbound
 * after 439, and registers again on every new flow after a reconnect, only
 * reporting %SIPWS_REGISTRATION_STATE_REGISTERED again after the registrar's
 * 2xx. Accounts whose WebSocket handshake already authenticates them (cookie
 * or URL token) need no password.
 *
 * ## Requests while the flow is down
 *
 * A request sent while the flow is down, or while a new flow is being
 * registered, waits for it (at most 64·T1, the transaction timeout), so a
 * call survives a flow failure: its BYE or re-INVITE goes out on the new flow.
 * When the transport gives up (%SIPWS_TRANSPORT_STATE_FAILED: an untrusted
 * certificate, refused credentials…), the waiting requests fail at once, and
 * so does any request sent while it stays there, with %SIPWS_ERROR_TLS or
 * %SIPWS_ERROR_TRANSPORT and the transport's reason; the registration fails
 * with the same error. [method@Sipws.Account.register_async], a new call or
 * a new message starts the transport again.
 *
 * ## Keepalive
 *
 * WebSocket pings ([property@Sipws.Transport:ws-ping-interval]) watch the
 * flow at all times. RFC 5626 CRLF keepalives are sent only while the
 * registrar confirms outbound (`Require: outbound` in its 2xx): at its
 * `Flow-Timer`, or about every 120 s when it gives none. A server without
 * outbound need not answer them, so the account sets
 * [property@Sipws.Transport:keepalive-interval] of its transport to 0;
 * setting it again forces CRLF pings at that interval whenever no
 * Flow-Timer applies, for servers known to answer them.
 *
 * ## Media
 *
 * Calls get their media from [signal@Sipws.Account::create-media-handler]
 * (or [method@Sipws.CallOptions.set_media_handler]). Without a handler a call
 * is signalling-only: it sends no SDP and accepts none.
 *
 * ## Threads
 *
 * An account and its calls belong to the thread-default main context of the
 * thread that created the account; use them from that context only.
 */

struct _SipwsAccount {
  GObject parent_instance;

  GMainContext *context;
  char *aor;
  SipwsUri *aor_uri;          /* NULL when aor does not parse */
  char *display_name;
  char *auth_username;
  char *instance_id;          /* urn:uuid:… */
  char *password;             /* wiped on free */
  SipwsDigestClient *digest;  /* created with the first challenge */

  /* also set on the transport; kept here so getters can return them */
  char **server_uris;
  SoupCookieJar *cookie_jar;
  char *tls_ca_file;

  SipwsTransport *transport;
  gboolean flow_up;
  SipwsTransactionLayer *layer;
  SipwsRegistration *registration;
  SipwsTimerValues timers;
  guint backoff_base_ms;
  guint backoff_max_ms;

  char *via_host;             /* RFC 7118 Appendix B: random .invalid host */
  SipwsUri *contact_uri;

  GQueue queue;               /* of Queued: requests waiting for the flow */
  GPtrArray *calls;           /* of SipwsCall (strong) */
  GList *register_tasks;
  GList *unregister_tasks;

  /* what was last notified */
  SipwsRegistrationState notified_state;
  GError *notified_error;
  char *notified_gruu;
  guint notified_expires;
};

typedef struct {
  SipwsMessage *message;
  gint64 deadline;            /* monotonic µs */
} Queued;

enum {
  PROP_0,
  PROP_AOR,
  PROP_DISPLAY_NAME,
  PROP_AUTH_USERNAME,
  PROP_SERVER_URIS,
  PROP_COOKIE_JAR,
  PROP_TLS_CA_FILE,
  PROP_INSTANCE_ID,
  PROP_REGISTRATION_STATE,
  PROP_REGISTRATION_EXPIRES,
  PROP_REGISTRATION_ERROR,
  PROP_GRUU,
  PROP_TRANSPORT,
  N_PROPS
};

enum {
  SIGNAL_INCOMING_CALL,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_CREATE_MEDIA_HANDLER,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SipwsAccount, sipws_account, G_TYPE_OBJECT)

#define DEFAULT_BACKOFF_BASE_MS (30 * 1000)
#define DEFAULT_BACKOFF_MAX_MS  (1800 * 1000)

static void
queued_free (Queued *queued)
{
  sipws_message_unref (queued->message);
  g_free (queued);
}

static gboolean
method_is (SipwsMessage *message,
           const char   *method)
{
  return g_strcmp0 (sipws_message_get_method (message), method) == 0;
}

static void
log_message (const char *direction,
             GBytes     *bytes)
{
  g_autofree char *dump = NULL;
  gsize len = 0;
  const char *data;

  /* Redaction costs a copy: only pay it when someone reads debug output. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      data = g_bytes_get_data (bytes, &len);
      dump = sipws_redact_sip_message (data, len);
      g_debug ("%s:\n%s", direction, dump);
    }
}

/* Sending */

static gboolean
flow_ready (SipwsAccount *self)
{
  /* A new flow carries nothing but REGISTER until the registrar knows it,
   * or the peer's answers would go to the old, dead flow. */
  return self->flow_up && sipws_registration_get_state (self->registration) != SIPWS_REGISTRATION_STATE_REGISTERING;
}

static gboolean
write_message (SipwsAccount  *self,
               SipwsMessage  *message,
               GError       **error)
{
  g_autoptr(GBytes) bytes = sipws_message_to_bytes (message);

  log_message ("sending", bytes);
  return sipws_transport_send (self->transport, bytes, error);
}

static void
flush_queue (SipwsAccount *self)
{
  gint64 now = g_get_monotonic_time ();
  Queued *queued;

  while (flow_ready (self) && (queued = g_queue_pop_head (&self->queue)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Its transaction has timed out by now: its owner has moved on. */
      if (queued->deadline >= now && !write_message (self, queued->message, &error))
        g_debug ("a queued %s was lost: %s", sipws_message_get_method (queued->message), error->message);
      queued_free (queued);
    }
}

/* Why no flow can be had: the transport's last error, as a SIPWS_ERROR. */
static GError *
flow_error (SipwsAccount *self)
{
  const GError *last = sipws_transport_get_last_error (self->transport);
  gboolean tls = last != NULL && g_error_matches (last, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS);

  return g_error_new (SIPWS_ERROR, tls ? SIPWS_ERROR_TLS : SIPWS_ERROR_TRANSPORT, "Cannot reach the server: %s",
                      last != NULL ? last->message : "connection failed");
}

/* The transport gave up (FAILED): no flow comes for the waiting requests, so
 * their transactions fail now instead of at Timer B/F. */
static void
fail_queue (SipwsAccount *self)
{
  g_autoptr(GError) error = NULL;
  Queued *queued;

  if (self->queue.length == 0)
    return;
  error = flow_error (self);
  while ((queued = g_queue_pop_head (&self->queue)) != NULL)
    {
      SipwsTransaction *tx = sipws_transaction_layer_find_client (self->layer, queued->message);

      g_debug ("a queued %s fails: %s", sipws_message_get_method (queued->message), error->message);
      if (tx != NULL)
        sipws_transaction_fail (tx, error);
      queued_free (queued);
    }
}

static gboolean
transmit_cb (SipwsMessage  *message,
             gpointer       user_data,
             GError       **error)
{
  SipwsAccount *self = user_data;
  gboolean request = sipws_message_is_request (message);

  if (request && !method_is (message, "REGISTER") && !flow_ready (self))
    {
      Queued *queued;

      /* Nothing retries a FAILED transport but the application
       * (register_async, a new call or message): waiting is pointless. */
      if (sipws_transport_get_state (self->transport) == SIPWS_TRANSPORT_STATE_FAILED)
        {
          g_propagate_error (error, flow_error (self));
          return FALSE;
        }
      if (self->queue.length >= SIPWS_ACCOUNT_MAX_QUEUED)
        {
          g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT,
                       "%u requests already wait for the connection to the server", SIPWS_ACCOUNT_MAX_QUEUED);
          return FALSE;
        }
      queued = g_new0 (Queued, 1);
      queued->message = sipws_message_ref (message);
      queued->deadline = g_get_monotonic_time () + 1000 * (gint64) MAX (self->timers.timer_b, self->timers.timer_f);
      g_queue_push_tail (&self->queue, queued);
      g_debug ("%s waits for the flow", sipws_message_get_method (message));
      sipws_account_ensure_flow (self);
      return TRUE;
    }

  if (!self->flow_up)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_TRANSPORT, "Not connected to the server");
      return FALSE;
    }

  return write_message (self, message, error);
}

/* Incoming requests outside any call */

static void
respond (SipwsTransaction *tx,
         SipwsMessage     *response)
{
  g_autoptr(GError) error = NULL;

  if (!sipws_transaction_respond (tx, response, &error))
    g_debug ("could not send the %u response: %s", sipws_message_get_status_code (response), error->message);
}

static void
respond_status (SipwsTransaction *tx,
                guint             status,
                const char       *reason)
{
  g_autoptr(SipwsMessage) response = sipws_transaction_create_response (tx, status, reason);

  if (status == 405 || status == 501)
    sipws_message_set_header (response, "Allow", SIPWS_ACCOUNT_ALLOW);
  respond (tx, response);
}

static gboolean
check_require (SipwsTransaction *tx,
               SipwsMessage     *request)
{
  static const char * const supported[] = { "path", "outbound", "gruu", "timer", NULL };
  g_auto(GStrv) required = sipws_message_get_header_values (request, "Require");
  g_autoptr(GString) unsupported = g_string_new (NULL);
  g_autoptr(SipwsMessage) response = NULL;

  for (guint i = 0; required != NULL && required[i] != NULL; i++)
    {
      if (g_strv_contains (supported, required[i]))
        continue;
      if (unsupported->len > 0)
        g_string_append (unsupported, ", ");
      g_string_append (unsupported, required[i]);
    }
  if (unsupported->len == 0)
    return TRUE;

  /* §8.2.2.3 */
  response = sipws_transaction_create_response (tx, 420, "Bad Extension");
  sipws_message_set_header (response, "Unsupported", unsupported->str);
  respond (tx, response);
  return FALSE;
}

static void
answer_options (SipwsAccount     *self,
                SipwsTransaction *tx)
{
  g_autoptr(SipwsMessage) response = sipws_transaction_create_response (tx, 200, "OK");

  sipws_message_set_header (response, "Allow", SIPWS_ACCOUNT_ALLOW);
  sipws_message_set_header (response, "Accept", SIPWS_ACCOUNT_ACCEPT);
  sipws_message_set_header (response, "Supported", SIPWS_ACCOUNT_SUPPORTED);
  sipws_message_set_header (response, "Accept-Language", "en");
  respond (tx, response);
}

static void
receive_message (SipwsAccount     *self,
                 SipwsTransaction *tx,
                 SipwsMessage     *request)
{
  SipwsAddress *from = sipws_message_get_from (request);
  g_autofree char *from_uri = NULL;
  /* The whole value: its parameters (charset) say how to read the body. */
  const char *content_type = sipws_message_get_header_by_id (request, SIPWS_HEADER_NAME_CONTENT_TYPE);
  GBytes *body = sipws_message_get_body (request);
  g_autoptr(GBytes) empty = NULL;

  if (body == NULL)
    body = empty = g_bytes_new (NULL, 0);
  from_uri = sipws_uri_to_string (sipws_address_get_uri (from));

  /* RFC 3428 §7: answer at once; the 200 says it arrived, not that it was read. */
  respond_status (tx, 200, "OK");
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, from_uri,
                 content_type != NULL ? content_type : "text/plain", body);
}

void
sipws_account_answer_request (SipwsAccount     *self,
                              SipwsTransaction *tx,
                              SipwsMessage     *request)
{
  if (method_is (request, "OPTIONS"))
    answer_options (self, tx);
  else
    receive_message (self, tx, request);
}

static SipwsCall *
find_call_by_dialog (SipwsAccount *self,
                     SipwsMessage *request)
{
  SipwsAddress *from = sipws_message_get_from (request);
  SipwsAddress *to = sipws_message_get_to (request);
  const char *call_id = sipws_message_get_call_id (request);

  if (from == NULL || to == NULL)
    return NULL;

  for (guint i = 0; i < self->calls->len; i++)
    {
      SipwsCall *call = g_ptr_array_index (self->calls, i);

      if (sipws_call_has_dialog (call, call_id, sipws_address_get_tag (to), sipws_address_get_tag (from)))
        return call;
    }
  return NULL;
}

static void
incoming_invite (SipwsAccount     *self,
                 SipwsTransaction *tx,
                 SipwsMessage     *request)
{
  g_autoptr(SipwsCall) call = sipws_call_new_incoming (self, tx, request);

  if (call == NULL)
    return;
  sipws_account_add_call (self, call);
  g_signal_emit (self, signals[SIGNAL_INCOMING_CALL], 0, call);
}

static void
request_cb (SipwsTransactionLayer *layer,
            SipwsTransaction      *tx,
            SipwsMessage          *request,
            gpointer               user_data)
{
  SipwsAccount *self = user_data;
  const char *method = sipws_message_get_method (request);
  SipwsAddress *to = NULL;
  SipwsCall *call;

  if (tx == NULL)
    {
      call = find_call_by_dialog (self, request);
      if (call != NULL)
        sipws_call_handle_ack (call, request);
      else
        g_debug ("dropping an ACK outside any dialog");
      return;
    }

  to = sipws_message_get_to (request);
  if (to != NULL && sipws_address_get_tag (to) != NULL)
    {
      call = find_call_by_dialog (self, request);
      if (call != NULL)
        sipws_call_handle_request (call, tx, request);
      else
        respond_status (tx, 481, "Call/Transaction Does Not Exist");
      return;
    }

  if (!check_require (tx, request))
    return;

  if (g_str_equal (method, "INVITE"))
    incoming_invite (self, tx, request);
  else if (g_str_equal (method, "OPTIONS") || g_str_equal (method, "MESSAGE"))
    sipws_account_answer_request (self, tx, request);
  else if (g_str_equal (method, "BYE") || g_str_equal (method, "INFO") || g_str_equal (method, "UPDATE")
           || g_str_equal (method, "NOTIFY") || g_str_equal (method, "PRACK"))
    respond_status (tx, 481, "Call/Transaction Does Not Exist");
  else if (g_str_equal (method, "REFER"))
    respond_status (tx, 403, "Out-of-dialog REFER Not Supported");
  else if (g_str_equal (method, "REGISTER") || g_str_equal (method, "SUBSCRIBE") || g_str_equal (method, "PUBLISH"))
    respond_status (tx, 405, "Method Not Allowed");
  else
    respond_status (tx, 501, "Not Implemented");
}

static void
cancel_cb (SipwsTransactionLayer *layer,
           SipwsTransaction      *invite_tx,
           SipwsMessage          *cancel,
           gpointer               user_data)
{
  SipwsAccount *self = user_data;

  for (guint i = 0; i < self->calls->len; i++)
    {
      SipwsCall *call = g_ptr_array_index (self->calls, i);

      if (sipws_call_owns_transaction (call, invite_tx))
        {
          sipws_call_handle_cancel (call);
          return;
        }
    }

  respond_status (invite_tx, 487, "Request Terminated");
}

static void
stray_response_cb (SipwsTransactionLayer *layer,
                   SipwsMessage          *response,
                   gpointer               user_data)
{
  SipwsAccount *self = user_data;
  const char *call_id = sipws_message_get_call_id (response);

  for (guint i = 0; i < self->calls->len; i++)
    {
      SipwsCall *call = g_ptr_array_index (self->calls, i);

      if (g_strcmp0 (sipws_call_get_call_id (call), call_id) == 0)
        {
          sipws_call_handle_stray_response (call, response);
          return;
        }
    }
  g_debug ("dropping a 2xx to an INVITE of no call");
}

/* §8.2: a request that does not parse still gets its 400 when the lines a
 * response copies can be found; anything else is dropped. Either way the
 * peer broke the protocol, which is worth a log line. */
static void
answer_unparsed (SipwsAccount *self,
                 GBytes       *bytes,
                 const GError *parse_error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(SipwsMessage) response = sipws_ua_bad_request_response (data, len, parse_error->message);
  g_autofree char *what = sipws_ua_printable_line (parse_error->message, 2 * SIPWS_UA_MAX_REASON_LENGTH);
  g_autoptr(GError) error = NULL;

  log_message (response != NULL ? "received (does not parse; answering 400)" : "received (does not parse; dropped)",
               bytes);
  if (response == NULL)
    {
      g_info ("dropping a message that does not parse: %s", what);
      return;
    }
  g_info ("answering 400 to a request that does not parse: %s", what);
  if (!sipws_transaction_layer_send_stateless (self->layer, response, &error))
    g_debug ("could not send the 400: %s", error->message);
}

static void
message_received_cb (SipwsTransport *transport,
                     GBytes         *bytes,
                     gpointer        user_data)
{
  SipwsAccount *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsMessage) message = sipws_message_parse_bytes (bytes, &error);
  g_autofree char *reason = NULL;
  guint status = 0;

  if (message == NULL)
    {
      answer_unparsed (self, bytes, error);
      return;
    }
  log_message ("received", bytes);

  if (sipws_message_is_request (message) && !method_is (message, "ACK")
      && !sipws_message_check_request (message, FALSE, &status, &reason))
    {
      g_autoptr(SipwsMessage) response = sipws_message_new_response_for_request (message, status, reason);

      g_info ("answering %u to a bad %s: %s", status, sipws_message_get_method (message), reason);
      if (!sipws_transaction_layer_send_stateless (self->layer, response, &error))
        g_debug ("could not answer it: %s", error->message);
      return;
    }

  sipws_transaction_layer_receive (self->layer, message);
}

/* Flow and registration */

/* A register/unregister waiting for the registration. Cancelling returns it
 * at once; the registration itself goes on. */
typedef struct {
  GTask *task;
  GList **list;             /* the list it is in, a field of the account */
  GSource *cancel_source;
} Pending;

static void
pending_free (Pending *pending)
{
  sipws_ua_clear_source (&pending->cancel_source);
  g_object_unref (pending->task);
  g_free (pending);
}

static gboolean
pending_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  Pending *pending = user_data;

  *pending->list = g_list_remove (*pending->list, pending);
  g_task_return_error_if_cancelled (pending->task);
  pending_free (pending);
  return G_SOURCE_REMOVE;
}

static void
add_pending (SipwsAccount  *self,
             GList        **list,
             GTask         *task)
{
  Pending *pending = g_new0 (Pending, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  pending->task = g_object_ref (task);
  pending->list = list;
  if (cancellable != NULL)
    {
      pending->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (pending->cancel_source, G_SOURCE_FUNC (pending_cancelled_cb), pending, NULL);
      g_source_attach (pending->cancel_source, self->context);
    }
  *list = g_list_append (*list, pending);
}

static void
complete_tasks (GList        **tasks,
                const GError  *error)
{
  GList *list = g_steal_pointer (tasks);

  for (GList *l = list; l != NULL; l = l->next)
    {
      Pending *pending = l->data;

      if (error != NULL)
        g_task_return_error (pending->task, g_error_copy (error));
      else
        g_task_return_boolean (pending->task, TRUE);
      pending_free (pending);
    }
  g_list_free (list);
}

static gboolean
errors_equal (const GError *a,
              const GError *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->domain == b->domain && a->code == b->code && g_strcmp0 (a->message, b->message) == 0;
}

void
sipws_account_registration_changed (SipwsAccount *self)
{
  g_autoptr(SipwsAccount) keep G_GNUC_UNUSED = g_object_ref (self);
  SipwsRegistrationState state = sipws_registration_get_state (self->registration);
  const GError *error = sipws_registration_get_error (self->registration);
  const char *gruu = sipws_registration_get_pub_gruu (self->registration);

  g_object_freeze_notify (G_OBJECT (self));
  if (state != self->notified_state)
    {
      self->notified_state = state;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTRATION_STATE]);
    }
  if (!errors_equal (error, self->notified_error))
    {
      g_clear_error (&self->notified_error);
      self->notified_error = error != NULL ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTRATION_ERROR]);
    }
  if (g_strcmp0 (gruu, self->notified_gruu) != 0)
    {
      g_free (self->notified_gruu);
      self->notified_gruu = g_strdup (gruu);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_GRUU]);
    }
  /* A 423 raised it. */
  if (sipws_registration_get_expires (self->registration) != self->notified_expires)
    {
      self->notified_expires = sipws_registration_get_expires (self->registration);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTRATION_EXPIRES]);
    }

  switch (state)
    {
    case SIPWS_REGISTRATION_STATE_REGISTERED:
      complete_tasks (&self->register_tasks, NULL);
      break;
    case SIPWS_REGISTRATION_STATE_FAILED:
      complete_tasks (&self->register_tasks, error);
      break;
    case SIPWS_REGISTRATION_STATE_UNREGISTERED:
      {
        g_autoptr(GError) cancelled = g_error_new (SIPWS_ERROR, SIPWS_ERROR_CANCELLED,
                                                   "The account was unregistered before the registration completed");

        complete_tasks (&self->register_tasks, cancelled);
        complete_tasks (&self->unregister_tasks, error);
      }
      break;
    case SIPWS_REGISTRATION_STATE_REGISTERING:
    case SIPWS_REGISTRATION_STATE_UNREGISTERING:
    default:
      break;
    }

  flush_queue (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
transport_state_cb (SipwsTransport *transport,
                    GParamSpec     *pspec,
                    gpointer        user_data)
{
  SipwsAccount *self = user_data;
  SipwsTransportState state = sipws_transport_get_state (transport);
  gboolean up = state == SIPWS_TRANSPORT_STATE_CONNECTED;

  if (state == SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY && self->register_tasks != NULL)
    {
      g_autoptr(GError) error = flow_error (self);

      /* The registration stays wanted and resumes when a flow comes up; the
       * caller hears now that the first round failed. */
      complete_tasks (&self->register_tasks, error);
    }

  if (up != self->flow_up)
    {
      self->flow_up = up;
      if (up)
        {
          g_debug ("flow up to %s", sipws_transport_get_server_uri (transport));
          sipws_transaction_layer_set_via (self->layer, sipws_transport_get_secure (transport) ? "WSS" : "WS",
                                           self->via_host);
          sipws_registration_flow_up (self->registration);
          flush_queue (self);
        }
      else
        {
          g_debug ("flow down");
          sipws_registration_flow_down (self->registration);
        }
    }

  if (state == SIPWS_TRANSPORT_STATE_FAILED)
    {
      g_autoptr(GError) error = flow_error (self);

      /* Retrying cannot help: the registration fails (and with it the
       * register_async callers) and so do the requests waiting for a flow. */
      sipws_registration_flow_failed (self->registration, error);
      fail_queue (self);
    }
}


/* GObject */

/* create-media-handler: the first handler that returns an object wins; one
 * that returns NULL passes the call on to the next. */
static gboolean
first_object_accumulator (GSignalInvocationHint *hint,
                          GValue                *return_accu,
                          const GValue          *handler_return,
                          gpointer               data)
{
  if (g_value_get_object (handler_return) == NULL)
    return TRUE;
  g_value_copy (handler_return, return_accu);
  return FALSE;
}

static void
sipws_account_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SipwsAccount *self = SIPWS_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_AOR:
      g_value_set_string (value, self->aor);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_AUTH_USERNAME:
      g_value_set_string (value, sipws_account_get_auth_username (self));
      break;
    case PROP_SERVER_URIS:
      g_value_set_boxed (value, self->server_uris);
      break;
    case PROP_COOKIE_JAR:
      g_value_set_object (value, self->cookie_jar);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_INSTANCE_ID:
      g_value_set_string (value, self->instance_id);
      break;
    case PROP_REGISTRATION_STATE:
      g_value_set_enum (value, sipws_registration_get_state (self->registration));
      break;
    case PROP_REGISTRATION_EXPIRES:
      g_value_set_uint (value, sipws_registration_get_expires (self->registration));
      break;
    case PROP_REGISTRATION_ERROR:
      g_value_set_boxed (value, sipws_registration_get_error (self->registration));
      break;
    case PROP_GRUU:
      g_value_set_string (value, sipws_registration_get_pub_gruu (self->registration));
      break;
    case PROP_TRANSPORT:
      g_value_set_object (value, self->transport);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_account_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SipwsAccount *self = SIPWS_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_AOR:
      self->aor = g_value_dup_string (value);
      break;
    case PROP_DISPLAY_NAME:
      sipws_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_AUTH_USERNAME:
      sipws_account_set_auth_username (self, g_value_get_string (value));
      break;
    case PROP_SERVER_URIS:
      sipws_account_set_server_uris (self, g_value_get_boxed (value));
      break;
    case PROP_COOKIE_JAR:
      sipws_account_set_cookie_jar (self, g_value_get_object (value));
      break;
    case PROP_TLS_CA_FILE:
      sipws_account_set_tls_ca_file (self, g_value_get_string (value));
      break;
    case PROP_INSTANCE_ID:
      sipws_account_set_instance_id (self, g_value_get_string (value));
      break;
    case PROP_REGISTRATION_EXPIRES:
      sipws_account_set_registration_expires (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_account_constructed (GObject *object)
{
  SipwsAccount *self = SIPWS_ACCOUNT (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (sipws_account_parent_class)->constructed (object);

  if (self->aor != NULL)
    {
      self->aor_uri = sipws_uri_parse (self->aor, -1, &error);
      if (self->aor_uri != NULL && sipws_uri_get_scheme (self->aor_uri) != SIPWS_URI_SCHEME_SIP
          && sipws_uri_get_scheme (self->aor_uri) != SIPWS_URI_SCHEME_SIPS)
        g_clear_pointer (&self->aor_uri, sipws_uri_unref);
      if (self->aor_uri == NULL)
        g_debug ("the address of record does not parse: %s", error != NULL ? error->message : "not a SIP URI");
    }
}

static void
sipws_account_dispose (GObject *object)
{
  SipwsAccount *self = SIPWS_ACCOUNT (object);
  g_autoptr(GError) error = g_error_new (SIPWS_ERROR, SIPWS_ERROR_CANCELLED, "The account was disposed");

  complete_tasks (&self->register_tasks, error);
  complete_tasks (&self->unregister_tasks, error);

  if (self->transport != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->transport, self);
      sipws_transport_stop (self->transport);
    }
  g_clear_object (&self->registration);
  /* Calls must not outlive the layer they send through. */
  while (self->calls != NULL && self->calls->len > 0)
    sipws_call_abandon (g_ptr_array_index (self->calls, self->calls->len - 1));
  g_clear_pointer (&self->layer, sipws_transaction_layer_free);
  g_queue_clear_full (&self->queue, (GDestroyNotify) queued_free);
  g_clear_object (&self->transport);
  g_clear_object (&self->cookie_jar);
  g_clear_object (&self->digest);

  G_OBJECT_CLASS (sipws_account_parent_class)->dispose (object);
}

static void
sipws_account_finalize (GObject *object)
{
  SipwsAccount *self = SIPWS_ACCOUNT (object);

  g_free (self->aor);
  g_clear_pointer (&self->aor_uri, sipws_uri_unref);
  g_strfreev (self->server_uris);
  g_free (self->tls_ca_file);
  g_free (self->display_name);
  g_free (self->auth_username);
  g_free (self->instance_id);
  g_clear_pointer (&self->password, sipws_secret_free);
  g_free (self->via_host);
  g_clear_pointer (&self->contact_uri, sipws_uri_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_free (self->notified_gruu);
  g_clear_error (&self->notified_error);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sipws_account_parent_class)->finalize (object);
}

static void
sipws_account_class_init (SipwsAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = sipws_account_get_property;
  object_class->set_property = sipws_account_set_property;
  object_class->constructed = sipws_account_constructed;
  object_class->dispose = sipws_account_dispose;
  object_class->finalize = sipws_account_finalize;

  /**
   * SipwsAccount:aor:
   *
   * The address of record, a `sip:` or `sips:` URI such as
   * `sip:alice@example.com`.
   */
  props[PROP_AOR] =
    g_param_spec_string ("aor", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SipwsAccount:display-name:
   *
   * The display name of our From header field, or %NULL for none.
   */
  props[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, rw);

  /**
   * SipwsAccount:auth-username:
   *
   * The digest user name; the user part of [property@Sipws.Account:aor] when
   * unset.
   */
  props[PROP_AUTH_USERNAME] = g_param_spec_string ("auth-username", NULL, NULL, NULL, rw);

  /**
   * SipwsAccount:server-uris:
   *
   * The `ws://` or `wss://` URIs of the servers, tried in this order
   * (the [property@Sipws.Transport:server-uris] of the account's transport).
   */
  props[PROP_SERVER_URIS] = g_param_spec_boxed ("server-uris", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * SipwsAccount:cookie-jar:
   *
   * Cookies sent on the WebSocket handshake (RFC 7118 A.3), typically the
   * session of a prior web login.
   */
  props[PROP_COOKIE_JAR] = g_param_spec_object ("cookie-jar", NULL, NULL, SOUP_TYPE_COOKIE_JAR, rw);

  /**
   * SipwsAccount:tls-ca-file:
   *
   * A PEM file of CA certificates to trust instead of the system's.
   */
  props[PROP_TLS_CA_FILE] = g_param_spec_string ("tls-ca-file", NULL, NULL, NULL, rw);

  /**
   * SipwsAccount:instance-id:
   *
   * The RFC 5626 instance URN (`urn:uuid:…`) of this device. It must stay the
   * same across restarts: when it is unset at the first registration the
   * account makes one up and notifies it, for the application to store.
   * A bare UUID is accepted and stored with its `urn:uuid:` prefix.
   */
  props[PROP_INSTANCE_ID] = g_param_spec_string ("instance-id", NULL, NULL, NULL, rw);

  /**
   * SipwsAccount:registration-state:
   *
   * Where the registration is; see [property@Sipws.Account:registration-error]
   * for the reason of a failure.
   */
  props[PROP_REGISTRATION_STATE] =
    g_param_spec_enum ("registration-state", NULL, NULL, SIPWS_TYPE_REGISTRATION_STATE,
                       SIPWS_REGISTRATION_STATE_UNREGISTERED, ro);

  /**
   * SipwsAccount:registration-expires:
   *
   * The registration lifetime to ask for, in seconds. A registrar that
   * answers 423 raises it to its Min-Expires.
   */
  props[PROP_REGISTRATION_EXPIRES] =
    g_param_spec_uint ("registration-expires", NULL, NULL, 1, G_MAXUINT32,
                       SIPWS_ACCOUNT_DEFAULT_REGISTRATION_EXPIRES, rw);

  /**
   * SipwsAccount:registration-error:
   *
   * Why the last registration attempt failed (in the %SIPWS_ERROR domain:
   * %SIPWS_ERROR_AUTH, %SIPWS_ERROR_REJECTED, %SIPWS_ERROR_TIMEOUT,
   * %SIPWS_ERROR_TRANSPORT, %SIPWS_ERROR_TLS), or %NULL.
   */
  props[PROP_REGISTRATION_ERROR] = g_param_spec_boxed ("registration-error", NULL, NULL, G_TYPE_ERROR, ro);

  /**
   * SipwsAccount:gruu:
   *
   * The public GRUU (RFC 5627) the registrar assigned to this device, or
   * %NULL. Calls use it as their Contact.
   */
  props[PROP_GRUU] = g_param_spec_string ("gruu", NULL, NULL, NULL, ro);

  /**
   * SipwsAccount:transport:
   *
   * The WebSocket flow of the account, for settings beyond the account's
   * own (origin, extra headers, pinned certificates, web login).
   */
  props[PROP_TRANSPORT] = g_param_spec_object ("transport", NULL, NULL, SIPWS_TYPE_TRANSPORT, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * SipwsAccount::incoming-call:
   * @self: the account
   * @call: the new call, in %SIPWS_CALL_STATE_RINGING
   *
   * Emitted for every incoming INVITE that starts a call; the caller already
   * hears ringing. Answer with [method@Sipws.Call.accept_async] or
   * [method@Sipws.Call.reject]; take a reference to keep the object.
   */
  signals[SIGNAL_INCOMING_CALL] =
    g_signal_new ("incoming-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SIPWS_TYPE_CALL);

  /**
   * SipwsAccount::message-received:
   * @self: the account
   * @from: the sender's URI
   * @content_type: the media type of @body with its parameters, as the
   *   sender's Content-Type header field gives them (such as
   *   `text/plain;charset=UTF-8`); `text/plain` when it has none
   * @body: the message body
   *
   * Emitted for every MESSAGE (RFC 3428) received, in a call or outside
   * one. The type and subtype compare without case; see RFC 2045 for the
   * parameters.
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BYTES);

  /**
   * SipwsAccount::create-media-handler:
   * @self: the account
   * @call: the call that needs media
   *
   * Emitted when a call needs its media: before an outgoing INVITE, and when
   * an incoming call is accepted. The first handler that returns an object
   * wins; a handler that returns %NULL lets the next one decide. When none
   * returns an object, the call is signalling-only.
   *
   * Returns: (transfer full) (nullable): a new media handler for @call
   */
  signals[SIGNAL_CREATE_MEDIA_HANDLER] =
    g_signal_new ("create-media-handler", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, first_object_accumulator, NULL, NULL,
                  SIPWS_TYPE_MEDIA_HANDLER, 1, SIPWS_TYPE_CALL);
}

static void
sipws_account_init (SipwsAccount *self)
{
  static const SipwsTransactionLayerCallbacks callbacks = {
    .send = transmit_cb,
    .request = request_cb,
    .cancel = cancel_cb,
    .stray_response = stray_response_cb,
  };
  g_autofree char *host = sipws_ua_random_token (SIPWS_UA_HOST_LENGTH);
  g_autofree char *user = sipws_ua_random_token (SIPWS_UA_HOST_LENGTH);

  self->context = g_main_context_ref_thread_default ();
  self->via_host = g_strconcat (host, ".invalid", NULL);
  self->contact_uri = sipws_uri_new (SIPWS_URI_SCHEME_SIP, user, self->via_host, 0);
  sipws_uri_set_param (self->contact_uri, "transport", "ws");
  self->backoff_base_ms = DEFAULT_BACKOFF_BASE_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->calls = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->queue);

  self->layer = sipws_transaction_layer_new (&callbacks, self);
  sipws_transaction_layer_set_via (self->layer, "WSS", self->via_host);
  self->timers = *sipws_transaction_layer_get_timers (self->layer);
  self->registration = sipws_registration_new (self);
  self->notified_state = SIPWS_REGISTRATION_STATE_UNREGISTERED;
  self->notified_expires = SIPWS_ACCOUNT_DEFAULT_REGISTRATION_EXPIRES;

  self->transport = sipws_transport_new (NULL);
  /* No CRLF keepalive until a registrar confirms outbound: the registration
   * turns it on through the Flow-Timer. */
  g_object_set (self->transport, "keepalive-interval", 0, NULL);
  g_signal_connect (self->transport, "notify::state", G_CALLBACK (transport_state_cb), self);
  g_signal_connect (self->transport, "message-received", G_CALLBACK (message_received_cb), self);
}

/**
 * sipws_account_new:
 * @aor: the address of record, such as `sip:alice@example.com`
 *
 * Creates an account. Set [property@Sipws.Account:server-uris] (and a
 * password when the server challenges) before registering or calling.
 *
 * Returns: (transfer full): a new account
 */
SipwsAccount *
sipws_account_new (const char *aor)
{
  g_return_val_if_fail (aor != NULL, NULL);

  return g_object_new (SIPWS_TYPE_ACCOUNT, "aor", aor, NULL);
}

/**
 * sipws_account_get_aor:
 * @self: an account
 *
 * Gets the address of record, [property@Sipws.Account:aor].
 *
 * Returns: the address of record
 */
const char *
sipws_account_get_aor (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->aor;
}

/**
 * sipws_account_get_display_name:
 * @self: an account
 *
 * Gets the display name of our From header field,
 * [property@Sipws.Account:display-name].
 *
 * Returns: (nullable): the display name
 */
const char *
sipws_account_get_display_name (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->display_name;
}

/**
 * sipws_account_set_display_name:
 * @self: an account
 * @display_name: (nullable): the display name
 *
 * Sets [property@Sipws.Account:display-name].
 */
void
sipws_account_set_display_name (SipwsAccount *self,
                                const char   *display_name)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  if (g_strcmp0 (self->display_name, display_name) == 0)
    return;
  g_free (self->display_name);
  self->display_name = g_strdup (display_name);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DISPLAY_NAME]);
}

/**
 * sipws_account_get_auth_username:
 * @self: an account
 *
 * Gets the user name that digest authentication uses,
 * [property@Sipws.Account:auth-username].
 *
 * Returns: (nullable): the digest user name: the one set, else the user
 *   part of the address of record
 */
const char *
sipws_account_get_auth_username (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  if (self->auth_username != NULL)
    return self->auth_username;
  return self->aor_uri != NULL ? sipws_uri_get_user (self->aor_uri) : NULL;
}

/**
 * sipws_account_set_auth_username:
 * @self: an account
 * @auth_username: (nullable): the digest user name, or %NULL for the AOR's user
 *
 * Sets [property@Sipws.Account:auth-username].
 */
void
sipws_account_set_auth_username (SipwsAccount *self,
                                 const char   *auth_username)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  if (g_strcmp0 (self->auth_username, auth_username) == 0)
    return;
  g_free (self->auth_username);
  self->auth_username = g_strdup (auth_username);
  g_clear_object (&self->digest);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AUTH_USERNAME]);
}

/**
 * sipws_account_get_server_uris:
 * @self: an account
 *
 * Gets the WebSocket servers of the account,
 * [property@Sipws.Account:server-uris].
 *
 * Returns: (nullable) (array zero-terminated=1) (transfer none): the server URIs
 */
const char * const *
sipws_account_get_server_uris (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return (const char * const *) self->server_uris;
}

/**
 * sipws_account_set_server_uris:
 * @self: an account
 * @server_uris: (nullable) (array zero-terminated=1): `ws://`/`wss://` URIs in failover order
 *
 * Sets [property@Sipws.Account:server-uris]; a flow already up stays on its
 * server until it fails.
 */
void
sipws_account_set_server_uris (SipwsAccount       *self,
                               const char * const *server_uris)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  if (self->server_uris != NULL && server_uris != NULL && g_strv_equal ((const char * const *) self->server_uris, server_uris))
    return;
  if (self->server_uris == NULL && server_uris == NULL)
    return;
  g_strfreev (self->server_uris);
  self->server_uris = g_strdupv ((char **) server_uris);
  g_object_set (self->transport, "server-uris", self->server_uris, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVER_URIS]);
}

/**
 * sipws_account_get_cookie_jar:
 * @self: an account
 *
 * Gets the cookies the WebSocket handshake sends,
 * [property@Sipws.Account:cookie-jar].
 *
 * Returns: (nullable) (transfer none): the cookie jar of the handshake
 */
SoupCookieJar *
sipws_account_get_cookie_jar (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->cookie_jar;
}

/**
 * sipws_account_set_cookie_jar:
 * @self: an account
 * @cookie_jar: (nullable): cookies for the handshake
 *
 * Sets [property@Sipws.Account:cookie-jar].
 */
void
sipws_account_set_cookie_jar (SipwsAccount  *self,
                              SoupCookieJar *cookie_jar)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));
  g_return_if_fail (cookie_jar == NULL || SOUP_IS_COOKIE_JAR (cookie_jar));

  if (!g_set_object (&self->cookie_jar, cookie_jar))
    return;
  g_object_set (self->transport, "cookie-jar", cookie_jar, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COOKIE_JAR]);
}

/**
 * sipws_account_get_tls_ca_file:
 * @self: an account
 *
 * Gets the CA file trusted instead of the system's,
 * [property@Sipws.Account:tls-ca-file].
 *
 * Returns: (nullable) (type filename): the CA file
 */
const char *
sipws_account_get_tls_ca_file (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->tls_ca_file;
}

/**
 * sipws_account_set_tls_ca_file:
 * @self: an account
 * @tls_ca_file: (nullable) (type filename): a PEM file of CA certificates
 *
 * Sets [property@Sipws.Account:tls-ca-file].
 */
void
sipws_account_set_tls_ca_file (SipwsAccount *self,
                               const char   *tls_ca_file)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  if (g_strcmp0 (self->tls_ca_file, tls_ca_file) == 0)
    return;
  g_free (self->tls_ca_file);
  self->tls_ca_file = g_strdup (tls_ca_file);
  g_object_set (self->transport, "tls-ca-file", tls_ca_file, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TLS_CA_FILE]);
}

/**
 * sipws_account_get_instance_id:
 * @self: an account
 *
 * Gets the RFC 5626 instance URN of this device,
 * [property@Sipws.Account:instance-id].
 *
 * Returns: (nullable): the instance URN (`urn:uuid:…`)
 */
const char *
sipws_account_get_instance_id (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->instance_id;
}

/**
 * sipws_account_set_instance_id:
 * @self: an account
 * @instance_id: (nullable): a `urn:uuid:` URN or a bare UUID
 *
 * Sets [property@Sipws.Account:instance-id]. Takes effect at the next
 * registration.
 */
void
sipws_account_set_instance_id (SipwsAccount *self,
                               const char   *instance_id)
{
  g_autofree char *urn = NULL;

  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  if (instance_id != NULL)
    urn = g_uuid_string_is_valid (instance_id) ? g_strconcat ("urn:uuid:", instance_id, NULL) : g_strdup (instance_id);
  if (g_strcmp0 (self->instance_id, urn) == 0)
    return;
  g_free (self->instance_id);
  self->instance_id = g_steal_pointer (&urn);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_INSTANCE_ID]);
}

/**
 * sipws_account_get_registration_expires:
 * @self: an account
 *
 * Gets the registration lifetime the account asks for,
 * [property@Sipws.Account:registration-expires].
 *
 * Returns: the registration lifetime asked for, in seconds
 */
guint
sipws_account_get_registration_expires (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), 0);

  return sipws_registration_get_expires (self->registration);
}

/**
 * sipws_account_set_registration_expires:
 * @self: an account
 * @seconds: the registration lifetime to ask for
 *
 * Sets [property@Sipws.Account:registration-expires]; used from the next
 * REGISTER on.
 */
void
sipws_account_set_registration_expires (SipwsAccount *self,
                                        guint         seconds)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));
  g_return_if_fail (seconds > 0);

  if (sipws_registration_get_expires (self->registration) == seconds)
    return;
  sipws_registration_set_expires (self->registration, seconds);
  self->notified_expires = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTRATION_EXPIRES]);
}

/**
 * sipws_account_get_registration_state:
 * @self: an account
 *
 * Gets where the registration is, [property@Sipws.Account:registration-state].
 *
 * Returns: the registration state
 */
SipwsRegistrationState
sipws_account_get_registration_state (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), SIPWS_REGISTRATION_STATE_UNREGISTERED);

  return sipws_registration_get_state (self->registration);
}

/**
 * sipws_account_get_registration_error:
 * @self: an account
 *
 * Gets why the last registration attempt failed,
 * [property@Sipws.Account:registration-error].
 *
 * Returns: (nullable) (transfer none): why the last registration attempt failed
 */
const GError *
sipws_account_get_registration_error (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return sipws_registration_get_error (self->registration);
}

/**
 * sipws_account_get_gruu:
 * @self: an account
 *
 * Gets the public GRUU the registrar assigned, [property@Sipws.Account:gruu].
 *
 * Returns: (nullable): the public GRUU of this device
 */
const char *
sipws_account_get_gruu (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return sipws_registration_get_pub_gruu (self->registration);
}

/**
 * sipws_account_get_transport:
 * @self: an account
 *
 * Gets the WebSocket flow of the account, [property@Sipws.Account:transport].
 *
 * Returns: (transfer none): the account's WebSocket flow
 */
SipwsTransport *
sipws_account_get_transport (SipwsAccount *self)
{
  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);

  return self->transport;
}

/**
 * sipws_account_set_password:
 * @self: an account
 * @password: (nullable): the SIP digest password, or %NULL for none
 *
 * Sets the password used to answer digest challenges. It is kept in memory
 * that is wiped when replaced, never logged and not readable back.
 */
void
sipws_account_set_password (SipwsAccount *self,
                            const char   *password)
{
  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  g_clear_pointer (&self->password, sipws_secret_free);
  self->password = g_strdup (password);
  g_clear_object (&self->digest);
}

static gboolean
check_ready (SipwsAccount  *self,
             GError       **error)
{
  const char * const *servers = sipws_account_get_server_uris (self);

  if (self->aor_uri == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                   "The address of record “%s” is not a sip: or sips: URI", self->aor);
      return FALSE;
    }
  if (servers == NULL || servers[0] == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT, "The account has no server URI");
      return FALSE;
    }
  return TRUE;
}

static void
ensure_instance_id (SipwsAccount *self)
{
  g_autofree char *uuid = NULL;

  if (self->instance_id != NULL)
    return;
  uuid = g_uuid_string_random ();
  sipws_account_set_instance_id (self, uuid);
}

/**
 * sipws_account_register_async:
 * @self: an account
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting, not
 *   the registration
 * @callback: (scope async): called when the registrar accepted or refused us
 * @user_data: data for @callback
 *
 * Connects if needed and registers the account; it then stays registered
 * (refreshes, re-registers on new flows) until
 * [method@Sipws.Account.unregister_async].
 */
void
sipws_account_register_async (SipwsAccount        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_account_register_async);

  if (!check_ready (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ensure_instance_id (self);
  add_pending (self, &self->register_tasks, task);
  sipws_account_ensure_flow (self);
  sipws_registration_start (self->registration);
}

/**
 * sipws_account_register_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Account.register_async].
 *
 * Returns: %TRUE when registered, %FALSE with @error set otherwise
 */
gboolean
sipws_account_register_finish (SipwsAccount  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_account_register_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sipws_account_unregister_async:
 * @self: an account
 * @flags: what to unregister
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Stops refreshing and removes our binding (or every binding of the address
 * of record with %SIPWS_UNREGISTER_ALL_CONTACTS) with an Expires of 0.
 */
void
sipws_account_unregister_async (SipwsAccount         *self,
                                SipwsUnregisterFlags  flags,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SIPWS_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_account_unregister_async);

  if (self->aor_uri == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  ensure_instance_id (self);
  add_pending (self, &self->unregister_tasks, task);
  sipws_registration_stop (self->registration, (flags & SIPWS_UNREGISTER_ALL_CONTACTS) != 0);
}

/**
 * sipws_account_unregister_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Account.unregister_async].
 *
 * Returns: %TRUE when the registrar removed the binding, %FALSE with @error
 *   set when it refused (the account stops refreshing either way)
 */
gboolean
sipws_account_unregister_finish (SipwsAccount  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_account_unregister_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sipws_account_call:
 * @self: an account
 * @target: whom to call: a `sip:`, `sips:` or `tel:` URI, a name-addr, or a
 *   user name completed with the domain of the address of record
 * @options: (nullable): call options
 *
 * Places a call. The returned call starts in %SIPWS_CALL_STATE_CALLING; an
 * invalid @target gives a call that ends at once with
 * %SIPWS_END_REASON_INVALID_TARGET.
 *
 * Returns: (transfer full): the new call
 */
SipwsCall *
sipws_account_call (SipwsAccount     *self,
                    const char       *target,
                    SipwsCallOptions *options)
{
  g_autoptr(SipwsAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsCall) call = NULL;

  g_return_val_if_fail (SIPWS_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (target != NULL, NULL);

  if (check_ready (self, &error))
    address = sipws_account_parse_target (self, target, &error);
  call = sipws_call_new_outgoing (self, address, options, error);
  if (address != NULL)
    {
      sipws_account_add_call (self, call);
      sipws_account_ensure_flow (self);
    }
  sipws_call_start (call);
  return g_steal_pointer (&call);
}

/* MESSAGE */

/* The transaction in flight holds a reference to the task, given up when it
 * reports the result or when the caller cancels. */
typedef struct {
  SipwsMessage *request;
  SipwsTransaction *tx;
  guint auth_attempts;
  GSource *cancel_source;
} MessageData;

static void
message_data_free (MessageData *data)
{
  g_assert (data->tx == NULL && data->cancel_source == NULL);
  g_clear_pointer (&data->request, sipws_message_unref);
  g_free (data);
}

/* Before the task returns: no more callbacks from the transaction or the
 * cancellable. */
static void
message_done (MessageData *data)
{
  sipws_ua_clear_source (&data->cancel_source);
  sipws_transaction_drop (&data->tx);
}

static gboolean
message_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;

  message_done (g_task_get_task_data (task));
  g_task_return_error_if_cancelled (task);
  /* The reference the transaction held. */
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void message_response_cb (SipwsTransaction *tx,
                                  SipwsMessage     *response,
                                  const GError     *error,
                                  gpointer          user_data);

static void
message_send (GTask *task)
{
  SipwsAccount *self = g_task_get_source_object (task);
  MessageData *data = g_task_get_task_data (task);

  g_clear_object (&data->tx);
  data->tx = sipws_account_send_request (self, data->request, message_response_cb, g_object_ref (task));
}

static void
message_response_cb (SipwsTransaction *tx,
                     SipwsMessage     *response,
                     const GError     *error,
                     gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  SipwsAccount *self = g_task_get_source_object (task);
  MessageData *data = g_task_get_task_data (task);
  guint status;

  if (response == NULL)
    {
      message_done (data);
      g_task_return_new_error (task, SIPWS_ERROR, sipws_ua_failure_code (error),
                               "The message was not delivered: %s", error->message);
      return;
    }

  status = sipws_message_get_status_code (response);
  if (status < 200)
    {
      /* More responses follow: the transaction keeps its reference. */
      g_steal_pointer (&task);
      return;
    }

  if (status < 300)
    {
      message_done (data);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (status == 401 || status == 407)
    {
      g_autoptr(GError) auth_error = NULL;
      SipwsMessage *retry = sipws_account_authenticate (self, data->request, response, &data->auth_attempts,
                                                        &auth_error);

      if (retry == NULL)
        {
          message_done (data);
          g_task_return_error (task, g_steal_pointer (&auth_error));
          return;
        }
      sipws_message_unref (data->request);
      data->request = retry;
      message_send (task);
      return;
    }

  message_done (data);
  g_task_return_new_error (task, SIPWS_ERROR, SIPWS_ERROR_REJECTED, "The message was refused: %u %s",
                           status, sipws_message_get_reason_phrase (response));
}

/**
 * sipws_account_send_message_async:
 * @self: an account
 * @target: the recipient, as for [method@Sipws.Account.call]
 * @content_type: the MIME type of @body, such as `text/plain;charset=UTF-8`
 * @body: the message
 * @cancellable: (nullable): a #GCancellable; cancelling stops waiting for
 *   the result (%G_IO_ERROR_CANCELLED), the message may still arrive
 * @callback: (scope async): called with the delivery result
 * @user_data: data for @callback
 *
 * Sends a page-mode instant message (RFC 3428 MESSAGE) outside any call.
 */
void
sipws_account_send_message_async (SipwsAccount        *self,
                                  const char          *target,
                                  const char          *content_type,
                                  GBytes              *body,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SipwsAddress) to = NULL;
  MessageData *data;

  g_return_if_fail (SIPWS_IS_ACCOUNT (self));
  g_return_if_fail (target != NULL);
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_account_send_message_async);

  if (!check_ready (self, &error) || (to = sipws_account_parse_target (self, target, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (MessageData, 1);
  data->request = sipws_account_new_request (self, "MESSAGE", sipws_address_get_uri (to), to, NULL, 1);
  sipws_message_set_body (data->request, content_type, body);
  sipws_account_authorize (self, data->request);
  g_task_set_task_data (task, data, (GDestroyNotify) message_data_free);
  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (message_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, self->context);
    }

  sipws_account_ensure_flow (self);
  message_send (task);
}

/**
 * sipws_account_send_message_finish:
 * @self: an account
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Sipws.Account.send_message_async].
 *
 * Returns: %TRUE when the recipient (or its server) accepted the message
 *   with a 2xx; %FALSE with @error set (%SIPWS_ERROR_REJECTED with the status
 *   in the message, %SIPWS_ERROR_TIMEOUT, %SIPWS_ERROR_AUTH,
 *   %SIPWS_ERROR_TRANSPORT or %SIPWS_ERROR_TLS when the server cannot be
 *   reached…) otherwise
 */
gboolean
sipws_account_send_message_finish (SipwsAccount  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_account_send_message_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Private API */

void
sipws_account_set_timers (SipwsAccount           *self,
                          const SipwsTimerValues *timers)
{
  sipws_transaction_layer_set_timers (self->layer, timers);
  self->timers = *sipws_transaction_layer_get_timers (self->layer);
}

const SipwsTimerValues *
sipws_account_get_timers (SipwsAccount *self)
{
  return &self->timers;
}

void
sipws_account_set_registration_backoff (SipwsAccount *self,
                                        guint         base_ms,
                                        guint         max_ms)
{
  self->backoff_base_ms = base_ms;
  self->backoff_max_ms = max_ms;
}

void
sipws_account_get_registration_backoff (SipwsAccount *self,
                                        guint        *base_ms,
                                        guint        *max_ms)
{
  *base_ms = self->backoff_base_ms;
  *max_ms = self->backoff_max_ms;
}

GMainContext *
sipws_account_get_context (SipwsAccount *self)
{
  return self->context;
}

SipwsTransactionLayer *
sipws_account_get_layer (SipwsAccount *self)
{
  return self->layer;
}

SipwsTransport *
sipws_account_peek_transport (SipwsAccount *self)
{
  return self->transport;
}

const char *
sipws_account_peek_instance_id (SipwsAccount *self)
{
  ensure_instance_id (self);
  return self->instance_id;
}

void
sipws_account_ensure_flow (SipwsAccount *self)
{
  sipws_transport_start (self->transport);
}

gboolean
sipws_account_flow_is_up (SipwsAccount *self)
{
  return self->flow_up;
}

SipwsTransaction *
sipws_account_send_request (SipwsAccount               *self,
                            SipwsMessage               *request,
                            SipwsClientTransactionFunc  func,
                            gpointer                    user_data)
{
  return sipws_transaction_layer_send_request (self->layer, request, func, user_data);
}

gboolean
sipws_account_send_stateless (SipwsAccount  *self,
                              SipwsMessage  *message,
                              GError       **error)
{
  return sipws_transaction_layer_send_stateless (self->layer, message, error);
}

static SipwsDigestClient *
ensure_digest (SipwsAccount *self)
{
  g_autoptr(SipwsCredentials) credentials = NULL;
  const char *username = sipws_account_get_auth_username (self);

  if (self->digest == NULL && self->password != NULL && username != NULL)
    {
      credentials = sipws_credentials_new (username, self->password, NULL);
      self->digest = sipws_digest_client_new (credentials);
    }
  return self->digest;
}

gboolean
sipws_account_process_challenge (SipwsAccount  *self,
                                 SipwsMessage  *request,
                                 SipwsMessage  *response,
                                 guint         *attempts,
                                 GError       **error)
{
  gboolean proxy = sipws_message_get_status_code (response) == 407;
  g_autoptr(GPtrArray) challenges = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_auth_challenge_unref);
  g_auto(GStrv) values = sipws_message_get_header_values (response, proxy ? "Proxy-Authenticate" : "WWW-Authenticate");
  g_auto(GStrv) sent = sipws_message_get_header_values (request, proxy ? "Proxy-Authorization" : "Authorization");
  SipwsDigestClient *digest = ensure_digest (self);

  if (digest == NULL)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "The server asks for authentication (%u %s) but the account has no password",
                   sipws_message_get_status_code (response), sipws_message_get_reason_phrase (response));
      return FALSE;
    }
  if (++*attempts > SIPWS_ACCOUNT_MAX_AUTH_ATTEMPTS)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_AUTH,
                   "The server still challenges after %u authenticated attempts", SIPWS_ACCOUNT_MAX_AUTH_ATTEMPTS);
      return FALSE;
    }

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autoptr(GError) parse_error = NULL;
      SipwsAuthChallenge *challenge = sipws_auth_challenge_parse (values[i], &parse_error);

      if (challenge != NULL)
        g_ptr_array_add (challenges, challenge);
      else
        g_debug ("ignoring a challenge: %s", parse_error->message);
    }

  return sipws_digest_client_process_challenges (digest, proxy, challenges, (const char * const *) sent, error);
}

void
sipws_account_authorize (SipwsAccount *self,
                         SipwsMessage *request)
{
  SipwsDigestClient *digest = ensure_digest (self);
  g_autofree char *uri = NULL;

  sipws_message_remove_header (request, "Authorization");
  sipws_message_remove_header (request, "Proxy-Authorization");
  if (digest == NULL)
    return;

  uri = sipws_uri_to_string (sipws_message_get_request_uri (request));
  for (guint proxy = 0; proxy < 2; proxy++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) values = sipws_digest_client_build_authorizations (digest, proxy, sipws_message_get_method (request),
                                                                        uri, sipws_message_get_body (request), &error);

      if (values == NULL)
        {
          /* The server will challenge again and the error surfaces then. */
          g_debug ("no credentials for this request: %s", error->message);
          continue;
        }
      for (guint i = 0; values[i] != NULL; i++)
        sipws_message_add_header (request, proxy ? "Proxy-Authorization" : "Authorization", values[i]);
    }
}

static SipwsMessage *
copy_message (SipwsMessage *message)
{
  g_autoptr(GBytes) bytes = sipws_message_to_bytes (message);
  g_autoptr(GError) error = NULL;
  SipwsMessage *copy = sipws_message_parse_bytes (bytes, &error);

  /* We built it: it reads back. */
  g_assert_no_error (error);
  return copy;
}

SipwsMessage *
sipws_account_authenticate (SipwsAccount  *self,
                            SipwsMessage  *request,
                            SipwsMessage  *response,
                            guint         *attempts,
                            GError       **error)
{
  g_autoptr(SipwsMessage) retry = NULL;
  g_autofree char *cseq_value = NULL;
  const char *method = NULL;
  guint32 cseq = 0;

  if (!sipws_account_process_challenge (self, request, response, attempts, error))
    return NULL;

  /* §8.1.3.5: the same request with a new branch and the next CSeq. */
  retry = copy_message (request);
  sipws_message_remove_header (retry, "Via");
  sipws_message_get_cseq (request, &cseq, &method);
  cseq_value = g_strdup_printf ("%u %s", cseq + 1, method);
  sipws_message_set_header (retry, "CSeq", cseq_value);
  sipws_account_authorize (self, retry);
  return g_steal_pointer (&retry);
}

SipwsMessage *
sipws_account_new_request (SipwsAccount *self,
                           const char   *method,
                           SipwsUri     *request_uri,
                           SipwsAddress *to,
                           const char   *call_id,
                           guint32       cseq)
{
  g_autoptr(SipwsMessage) request = sipws_message_new_request (method, request_uri);
  g_autoptr(SipwsAddress) from = sipws_address_new (self->display_name, self->aor_uri);
  g_autofree char *tag = sipws_ua_random_token (SIPWS_UA_TAG_LENGTH);
  g_autofree char *from_value = NULL;
  g_autofree char *to_value = sipws_address_to_string (to);
  g_autofree char *new_call_id = NULL;
  g_autofree char *cseq_value = g_strdup_printf ("%u %s", cseq, method);
  GPtrArray *service_route = sipws_registration_get_service_route (self->registration);

  for (guint i = 0; i < service_route->len; i++)
    {
      g_autofree char *route = sipws_address_to_string (g_ptr_array_index (service_route, i));

      sipws_message_add_header (request, "Route", route);
    }
  sipws_message_set_header (request, "Max-Forwards", "70");

  sipws_address_set_param (from, "tag", tag);
  from_value = sipws_address_to_string (from);
  sipws_message_set_header (request, "From", from_value);
  sipws_message_set_header (request, "To", to_value);

  if (call_id == NULL)
    call_id = new_call_id = sipws_ua_random_token (SIPWS_UA_CALL_ID_LENGTH);
  sipws_message_set_header (request, "Call-ID", call_id);
  sipws_message_set_header (request, "CSeq", cseq_value);
  sipws_message_set_header (request, "Supported", SIPWS_ACCOUNT_SUPPORTED);
  sipws_message_set_header (request, "Allow", SIPWS_ACCOUNT_ALLOW);
  sipws_message_set_header (request, "User-Agent", "libsipws/" SIPWS_VERSION_S);

  return g_steal_pointer (&request);
}

SipwsAddress *
sipws_account_parse_target (SipwsAccount  *self,
                            const char    *target,
                            GError       **error)
{
  g_autoptr(SipwsAddress) address = NULL;
  g_autoptr(SipwsUri) uri = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (target));

  if (*stripped == '\0')
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT, "The target is empty");
      return NULL;
    }

  if (strchr (stripped, ':') == NULL && strchr (stripped, '<') == NULL)
    {
      /* A bare user, or user@host: complete it with the AOR's scheme and domain. */
      const char *at = strchr (stripped, '@');
      g_autofree char *user = at != NULL ? g_strndup (stripped, at - stripped) : g_strdup (stripped);
      const char *host = at != NULL ? at + 1 : sipws_uri_get_host (self->aor_uri);
      g_autofree char *text = g_strdup_printf ("%s:%s@%s", sipws_uri_get_scheme_name (self->aor_uri), user, host);

      uri = sipws_uri_parse (text, -1, error);
      if (uri == NULL)
        return NULL;
      return sipws_address_new (NULL, uri);
    }

  address = sipws_address_parse (stripped, -1, error);
  if (address == NULL)
    return NULL;
  if (sipws_address_is_wildcard (address)
      || sipws_uri_get_scheme (sipws_address_get_uri (address)) == SIPWS_URI_SCHEME_OTHER)
    {
      g_set_error (error, SIPWS_ERROR, SIPWS_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a sip:, sips: or tel: address", stripped);
      return NULL;
    }
  return g_steal_pointer (&address);
}

char *
sipws_account_get_dialog_contact (SipwsAccount *self)
{
  const char *gruu = sipws_registration_get_pub_gruu (self->registration);
  g_autoptr(SipwsUri) uri = NULL;
  g_autofree char *text = NULL;

  if (gruu != NULL)
    return g_strdup_printf ("<%s>", gruu);

  uri = sipws_uri_copy (self->contact_uri);
  sipws_uri_set_param (uri, "ob", NULL);
  text = sipws_uri_to_string (uri);
  return g_strdup_printf ("<%s>", text);
}

SipwsUri *
sipws_account_get_contact_uri (SipwsAccount *self)
{
  return self->contact_uri;
}

SipwsUri *
sipws_account_get_aor_uri (SipwsAccount *self)
{
  return self->aor_uri;
}

const char *
sipws_account_get_via_host (SipwsAccount *self)
{
  return self->via_host;
}

SipwsMediaHandler *
sipws_account_create_media_handler (SipwsAccount *self,
                                    SipwsCall    *call)
{
  SipwsMediaHandler *handler = NULL;

  g_signal_emit (self, signals[SIGNAL_CREATE_MEDIA_HANDLER], 0, call, &handler);
  return handler;
}

void
sipws_account_add_call (SipwsAccount *self,
                        SipwsCall    *call)
{
  if (!g_ptr_array_find (self->calls, call, NULL))
    g_ptr_array_add (self->calls, g_object_ref (call));
}

void
sipws_account_remove_call (SipwsAccount *self,
                           SipwsCall    *call)
{
  g_ptr_array_remove (self->calls, call);
}
