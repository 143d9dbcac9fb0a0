/* sipws-registration.c: REGISTER, refresh and unregister of one account
 * (RFC 3261 §10, RFC 5626 outbound, RFC 5627 GRUU) */
#include "sipws-registration-private.h"
#include "sipws-account-private.h"
#include "sipws-ua-util-private.h"
#include "sipws-error.h"

/* RFC 5626 §4.2.1: one flow, so one registration id. */
#define REG_ID "1"
/* 423 and 439 retries per round: the answers of a broken registrar must not
 * make us loop. */
#define MAX_RETRIES_423 3
/* RFC 5626 §4.4.1: the keepalive period, in seconds, of an outbound flow
 * whose registrar gave no Flow-Timer (pings at 80-100 % of it). */
#define DEFAULT_FLOW_TIMER 120

struct _SipwsRegistration {
  GObject parent_instance;

  SipwsAccount *account;  /* unowned: it owns us */

  SipwsRegistrationState state;
  GError *error;
  gboolean wanted;
  gboolean unregister_all;

  char *call_id;
  guint32 cseq;
  guint expires;          /* requested */
  guint granted;
  gboolean use_outbound;  /* FALSE after a 439 */
  gboolean outbound;      /* the registrar said Require: outbound */
  guint flow_timer;       /* the CRLF keepalive period given to the transport */
  char *pub_gruu;
  char *temp_gruu;
  GPtrArray *service_route;

  SipwsTransaction *tx;   /* the REGISTER in flight */
  guint auth_attempts;
  guint retries_423;
  guint failures;         /* in a row, for the retry backoff */
  GSource *timer;         /* refresh or retry */
};

G_DEFINE_FINAL_TYPE (SipwsRegistration, sipws_registration, G_TYPE_OBJECT)

static void send_register (SipwsRegistration *self);


static void
set_state (SipwsRegistration      *self,
           SipwsRegistrationState  state,
           GError                 *error)
{
  gboolean changed = self->state != state || error != NULL || self->error != NULL;

  g_clear_error (&self->error);
  self->error = error;
  self->state = state;
  if (changed)
    sipws_account_registration_changed (self->account);
}

static gboolean
timer_cb (gpointer user_data)
{
  SipwsRegistration *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  if (self->wanted && sipws_account_flow_is_up (self->account))
    send_register (self);
  return G_SOURCE_REMOVE;
}

static void
start_timer (SipwsRegistration *self,
             guint              ms)
{
  sipws_ua_start_timer (&self->timer, sipws_account_get_context (self->account), ms, timer_cb, self);
}

/* RFC 5626 §4.4.1: only a registrar that confirmed outbound (Require:
 * outbound in its 2xx) promises to answer CRLF pings, so the flow gets them
 * only then, at its Flow-Timer; otherwise WebSocket pings alone watch it. */
static void
set_outbound (SipwsRegistration *self,
              gboolean           outbound,
              gint64             flow_timer)
{
  guint seconds = 0;

  self->outbound = outbound;
  if (outbound)
    seconds = flow_timer > 0 ? (guint) MIN (flow_timer, (gint64) G_MAXUINT) : DEFAULT_FLOW_TIMER;
  /* Setting it again would put the next ping off: every refresh would. */
  if (seconds == self->flow_timer)
    return;
  self->flow_timer = seconds;
  sipws_transport_set_flow_timer (sipws_account_peek_transport (self->account), seconds);
}

static void
sipws_registration_dispose (GObject *object)
{
  SipwsRegistration *self = SIPWS_REGISTRATION (object);

  sipws_ua_clear_source (&self->timer);
  sipws_transaction_drop (&self->tx);

  G_OBJECT_CLASS (sipws_registration_parent_class)->dispose (object);
}

static void
sipws_registration_finalize (GObject *object)
{
  SipwsRegistration *self = SIPWS_REGISTRATION (object);

  g_clear_error (&self->error);
  g_free (self->call_id);
  g_free (self->pub_gruu);
  g_free (self->temp_gruu);
  g_ptr_array_unref (self->service_route);

  G_OBJECT_CLASS (sipws_registration_parent_class)->finalize (object);
}

static void
sipws_registration_class_init (SipwsRegistrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sipws_registration_dispose;
  object_class->finalize = sipws_registration_finalize;
}

static void
sipws_registration_init (SipwsRegistration *self)
{
  self->state = SIPWS_REGISTRATION_STATE_UNREGISTERED;
  self->expires = SIPWS_ACCOUNT_DEFAULT_REGISTRATION_EXPIRES;
  self->use_outbound = TRUE;
  self->service_route = g_ptr_array_new_with_free_func ((GDestroyNotify) sipws_address_unref);
}

SipwsRegistration *
sipws_registration_new (SipwsAccount *account)
{
  SipwsRegistration *self = g_object_new (SIPWS_TYPE_REGISTRATION, NULL);
  g_autofree char *token = sipws_ua_random_token (SIPWS_UA_CALL_ID_LENGTH);

  self->account = account;
  /* RFC 3261 §10.2: one Call-ID for every REGISTER to this registrar. */
  self->call_id = g_steal_pointer (&token);
  self->cseq = 0;
  return self;
}

SipwsRegistrationState
sipws_registration_get_state (SipwsRegistration *self)
{
  return self->state;
}

const GError *
sipws_registration_get_error (SipwsRegistration *self)
{
  return self->error;
}

gboolean
sipws_registration_is_wanted (SipwsRegistration *self)
{
  return self->wanted;
}

guint
sipws_registration_get_expires (SipwsRegistration *self)
{
  return self->expires;
}

void
sipws_registration_set_expires (SipwsRegistration *self,
                                guint              seconds)
{
  self->expires = seconds;
}

guint
sipws_registration_get_granted (SipwsRegistration *self)
{
  return self->state == SIPWS_REGISTRATION_STATE_REGISTERED ? self->granted : 0;
}

const char *
sipws_registration_get_pub_gruu (SipwsRegistration *self)
{
  return self->pub_gruu;
}

const char *
sipws_registration_get_temp_gruu (SipwsRegistration *self)
{
  return self->temp_gruu;
}

GPtrArray *
sipws_registration_get_service_route (SipwsRegistration *self)
{
  return self->service_route;
}

gboolean
sipws_registration_get_outbound (SipwsRegistration *self)
{
  return self->outbound;
}

/* Our Contact in REGISTER: the .invalid URI with ;ob, our instance and,
 * unless a 439 told us otherwise, the reg-id (RFC 5626 §4.2.1, RFC 7118
 * Appendix B). */
static char *
build_contact (SipwsRegistration *self,
               gboolean           unregister)
{
  g_autoptr(SipwsUri) uri = sipws_uri_copy (sipws_account_get_contact_uri (self->account));
  g_autoptr(SipwsAddress) contact = NULL;
  g_autofree char *instance = g_strdup_printf ("<%s>", sipws_account_peek_instance_id (self->account));
  g_autofree char *expires = g_strdup_printf ("%u", unregister ? 0 : self->expires);

  if (self->use_outbound)
    sipws_uri_set_param (uri, "ob", NULL);
  contact = sipws_address_new (NULL, uri);
  sipws_address_set_param (contact, "+sip.instance", instance);
  if (self->use_outbound)
    sipws_address_set_param (contact, "reg-id", REG_ID);
  sipws_address_set_param (contact, "expires", expires);
  return sipws_address_to_string (contact);
}

static void register_response_cb (SipwsTransaction *tx,
                                  SipwsMessage     *response,
                                  const GError     *error,
                                  gpointer          user_data);

static void
send_request (SipwsRegistration *self,
              SipwsMessage      *request)
{
  sipws_transaction_drop (&self->tx);
  self->tx = sipws_account_send_request (self->account, request, register_response_cb, self);
}

static SipwsMessage *
build_register (SipwsRegistration *self,
                gboolean           unregister)
{
  SipwsUri *aor = sipws_account_get_aor_uri (self->account);
  g_autoptr(SipwsUri) registrar = sipws_uri_new (sipws_uri_get_scheme (aor), NULL, sipws_uri_get_host (aor),
                                                 sipws_uri_get_port (aor));
  g_autoptr(SipwsAddress) to = sipws_address_new (NULL, aor);
  g_autoptr(SipwsMessage) request = NULL;
  g_autofree char *expires = NULL;

  request = sipws_account_new_request (self->account, "REGISTER", registrar, to, self->call_id, ++self->cseq);
  /* Service-Route applies to requests other than REGISTER (RFC 3608 §6). */
  sipws_message_remove_header (request, "Route");

  if (unregister && self->unregister_all)
    {
      sipws_message_set_header (request, "Contact", "*");
      sipws_message_set_header (request, "Expires", "0");
    }
  else
    {
      g_autofree char *contact = build_contact (self, unregister);

      sipws_message_set_header (request, "Contact", contact);
      expires = g_strdup_printf ("%u", unregister ? 0 : self->expires);
      sipws_message_set_header (request, "Expires", expires);
    }

  sipws_account_authorize (self->account, request);
  return g_steal_pointer (&request);
}

static void
send_register (SipwsRegistration *self)
{
  g_autoptr(SipwsMessage) request = NULL;
  gboolean unregister = !self->wanted;

  sipws_ua_clear_source (&self->timer);
  self->auth_attempts = 0;
  self->retries_423 = 0;
  if (unregister)
    set_state (self, SIPWS_REGISTRATION_STATE_UNREGISTERING, NULL);
  else if (self->state != SIPWS_REGISTRATION_STATE_REGISTERED)
    set_state (self, SIPWS_REGISTRATION_STATE_REGISTERING, NULL);

  request = build_register (self, unregister);
  g_debug ("REGISTER %s (expires %u)", unregister ? "to unregister" : "", unregister ? 0 : self->expires);
  send_request (self, request);
}

/* Refresh before the binding expires, at a random 80-90 % of its lifetime
 * so that many clients started together do not refresh together. */
static void
schedule_refresh (SipwsRegistration *self)
{
  double fraction = g_random_double_range (0.8, 0.9);

  start_timer (self, (guint) (self->granted * 1000.0 * fraction));
}

/* RFC 5626 §4.5: wait min(max, base·2^failures), randomized to 50-100 %. */
static void
schedule_retry (SipwsRegistration *self,
                guint              retry_after)
{
  guint base_ms, max_ms;
  double wait;

  sipws_account_get_registration_backoff (self->account, &base_ms, &max_ms);
  if (retry_after > 0)
    {
      start_timer (self, retry_after * 1000);
      return;
    }
  wait = MIN ((double) max_ms, base_ms * (double) (1u << MIN (self->failures, 16u)));
  self->failures++;
  start_timer (self, (guint) (wait * g_random_double_range (0.5, 1.0)));
}

/* Finds our binding among the Contacts of a 2xx (RFC 5626 §4.2.1: by
 * instance and reg-id, else by URI) and reads its lifetime and GRUUs. */
static void
read_bindings (SipwsRegistration *self,
               SipwsMessage      *response)
{
  guint n_contacts;
  SipwsAddress **contacts = sipws_message_peek_addresses_by_id (response, SIPWS_HEADER_NAME_CONTACT, &n_contacts);
  g_autofree char *instance = g_strdup_printf ("<%s>", sipws_account_peek_instance_id (self->account));
  SipwsUri *ours = sipws_account_get_contact_uri (self->account);
  gint64 expires = -1;

  g_clear_pointer (&self->pub_gruu, g_free);
  g_clear_pointer (&self->temp_gruu, g_free);

  for (guint i = 0; i < n_contacts; i++)
    {
      SipwsAddress *contact = contacts[i];
      const char *their_instance = NULL;

      if (sipws_address_is_wildcard (contact))
        continue;
      their_instance = sipws_address_get_param (contact, "+sip.instance");
      if (!sipws_uri_equal (sipws_address_get_uri (contact), ours)
          && (their_instance == NULL || g_ascii_strcasecmp (their_instance, instance) != 0))
        continue;

      expires = sipws_address_get_expires (contact);
      self->pub_gruu = g_strdup (sipws_address_get_param (contact, "pub-gruu"));
      self->temp_gruu = g_strdup (sipws_address_get_param (contact, "temp-gruu"));
      break;
    }

  if (expires < 0)
    expires = sipws_message_get_expires (response);
  if (expires < 0)
    expires = self->expires;
  self->granted = (guint) MIN (expires, (gint64) G_MAXUINT / 1000);
}

static void
registered (SipwsRegistration *self,
            SipwsMessage      *response)
{
  guint n_routes;
  SipwsAddress **service_route =
    sipws_message_peek_addresses_by_id (response, SIPWS_HEADER_NAME_SERVICE_ROUTE, &n_routes);

  read_bindings (self, response);
  if (self->granted == 0)
    {
      set_state (self, SIPWS_REGISTRATION_STATE_FAILED,
                 g_error_new (SIPWS_ERROR, SIPWS_ERROR_REJECTED,
                              "The registrar accepted the REGISTER but kept no binding for our contact"));
      return;
    }

  g_ptr_array_set_size (self->service_route, 0);
  for (guint i = 0; i < n_routes; i++)
    g_ptr_array_add (self->service_route, sipws_address_ref (service_route[i]));

  set_outbound (self, sipws_message_has_token_by_id (response, SIPWS_HEADER_NAME_REQUIRE, "outbound"),
                sipws_message_get_uint_header (response, "Flow-Timer"));

  self->failures = 0;
  g_debug ("registered for %u s%s%s", self->granted, self->outbound ? ", outbound" : "",
           self->pub_gruu != NULL ? ", with GRUU" : "");
  schedule_refresh (self);
  set_state (self, SIPWS_REGISTRATION_STATE_REGISTERED, NULL);
}

static void
unregistered (SipwsRegistration *self,
              GError            *error)
{
  g_clear_pointer (&self->pub_gruu, g_free);
  g_clear_pointer (&self->temp_gruu, g_free);
  g_ptr_array_set_size (self->service_route, 0);
  self->granted = 0;
  set_outbound (self, FALSE, 0);
  set_state (self, SIPWS_REGISTRATION_STATE_UNREGISTERED, error);
}

static gboolean
is_transient (guint status)
{
  return status == 408 || status == 480 || status >= 500;
}

static void
failed (SipwsRegistration *self,
        guint              status,
        guint              retry_after,
        GError            *error)
{
  if (!self->wanted)
    {
      unregistered (self, error);
      return;
    }

  self->granted = 0;
  set_outbound (self, FALSE, 0);
  /* Wrong credentials and refusals stay failed until the application acts;
   * a registrar or network that may recover is retried. */
  if (status == 0 || is_transient (status))
    schedule_retry (self, retry_after);
  set_state (self, SIPWS_REGISTRATION_STATE_FAILED, error);
}

/* The same REGISTER with the next CSeq (RFC 3261 §10.2), with credentials
 * for every challenge known by now. */
static void
retry_now (SipwsRegistration *self)
{
  g_autoptr(SipwsMessage) retry = build_register (self, !self->wanted);

  send_request (self, retry);
}

static void
register_response_cb (SipwsTransaction *tx,
                      SipwsMessage     *response,
                      const GError     *error,
                      gpointer          user_data)
{
  SipwsRegistration *self = user_data;
  g_autoptr(SipwsTransaction) keep G_GNUC_UNUSED = g_object_ref (tx);
  const char *retry_after;
  guint status;

  if (tx != self->tx)
    return;

  if (response == NULL)
    {
      g_clear_object (&self->tx);
      /* A flow that went away re-registers when the next one comes up. */
      if (!sipws_account_flow_is_up (self->account) && self->wanted)
        return;
      failed (self, 0, 0, g_error_new (SIPWS_ERROR, sipws_ua_failure_code (error),
                                       "REGISTER failed: %s", error->message));
      return;
    }

  status = sipws_message_get_status_code (response);
  if (status < 200)
    return;
  g_clear_object (&self->tx);

  if (status < 300)
    {
      if (self->wanted)
        registered (self, response);
      else
        unregistered (self, NULL);
      return;
    }

  if (status == 401 || status == 407)
    {
      g_autoptr(GError) auth_error = NULL;

      if (sipws_account_process_challenge (self->account, sipws_transaction_get_request (tx),
                                           response, &self->auth_attempts, &auth_error))
        retry_now (self);
      else
        failed (self, status, 0, g_steal_pointer (&auth_error));
      return;
    }

  if (status == 423 && self->wanted)
    {
      gint64 min_expires = sipws_message_get_min_expires (response);

      if (min_expires > self->expires && min_expires <= G_MAXUINT && self->retries_423 < MAX_RETRIES_423)
        {
          self->retries_423++;
          self->expires = (guint) min_expires;
          g_debug ("registrar wants at least %u s", self->expires);
          retry_now (self);
          return;
        }
    }

  if (status == 439 && self->use_outbound)
    {
      /* RFC 5626 §11.6: the edge proxy does not do outbound; register the
       * plain way (no reg-id, no ;ob). */
      g_debug ("first hop lacks outbound support: registering without it");
      self->use_outbound = FALSE;
      retry_now (self);
      return;
    }

  retry_after = sipws_message_get_header_by_id (response, SIPWS_HEADER_NAME_RETRY_AFTER);
  failed (self, status, retry_after != NULL ? (guint) MIN (g_ascii_strtoull (retry_after, NULL, 10), 3600) : 0,
          g_error_new (SIPWS_ERROR, SIPWS_ERROR_REJECTED, "The registrar answered %u %s",
                       status, sipws_message_get_reason_phrase (response)));
}

void
sipws_registration_start (SipwsRegistration *self)
{
  self->wanted = TRUE;
  self->unregister_all = FALSE;
  self->use_outbound = TRUE;
  self->failures = 0;

  if (self->state == SIPWS_REGISTRATION_STATE_REGISTERED && self->tx == NULL)
    {
      /* The binding stands and its refresh is scheduled: nothing to send, but
       * the account must hear it so a waiting register call completes (the
       * state did not change, so set_state() would stay silent). */
      sipws_account_registration_changed (self->account);
      return;
    }
  if (sipws_account_flow_is_up (self->account))
    send_register (self);
  else
    set_state (self, SIPWS_REGISTRATION_STATE_REGISTERING, NULL);
}

void
sipws_registration_stop (SipwsRegistration *self,
                         gboolean           all_contacts)
{
  gboolean was_bound = self->state == SIPWS_REGISTRATION_STATE_REGISTERED || self->tx != NULL;

  self->wanted = FALSE;
  self->unregister_all = all_contacts;
  sipws_ua_clear_source (&self->timer);
  sipws_transaction_drop (&self->tx);

  /* `*` works whatever we registered; a single contact only needs removing
   * when the registrar holds it. */
  if (sipws_account_flow_is_up (self->account) && (was_bound || all_contacts))
    send_register (self);
  else
    unregistered (self, NULL);
}

void
sipws_registration_flow_up (SipwsRegistration *self)
{
  /* RFC 5626 §4.4/§4.5: a new flow is registered again with the same
   * instance and reg-id; until the 2xx the account is not reachable. */
  if (self->wanted)
    {
      self->failures = 0;
      send_register (self);
    }
}

void
sipws_registration_flow_down (SipwsRegistration *self)
{
  sipws_transaction_drop (&self->tx);
  sipws_ua_clear_source (&self->timer);
  /* Whether the next flow does outbound is for its registrar to say. */
  set_outbound (self, FALSE, 0);

  if (self->wanted)
    set_state (self, SIPWS_REGISTRATION_STATE_REGISTERING, NULL);
  else if (self->state == SIPWS_REGISTRATION_STATE_UNREGISTERING)
    unregistered (self, NULL);
}

void
sipws_registration_flow_failed (SipwsRegistration *self,
                                const GError      *error)
{
  if (self->wanted)
    set_state (self, SIPWS_REGISTRATION_STATE_FAILED, g_error_copy (error));
}
