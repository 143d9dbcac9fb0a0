/* sipws-transport.c: one SIP-over-WebSocket flow (RFC 7118) with web authentication,
 * TLS policy, two keepalive layers, reconnect with RFC 5626 backoff and failover */
#include "sipws-transport.h"

#include <string.h>

#include "sipws-backoff-private.h"
#include "sipws-redact.h"
#include "sipws-tls-policy-private.h"
#include "sipws-transport-enums.h"
#include "sipws-transport-private.h"
#include "sipws-wake-monitor-private.h"

/**
 * SipwsTransport:
 *
 * One SIP-over-WebSocket flow (RFC 7118) to the first reachable server of an
 * ordered list, kept alive and re-established on failure.
 *
 * ## Handshake
 *
 * Every connection attempt offers the `sip` subprotocol and refuses a 101 that
 * does not select it. The request carries [property@Sipws.Transport:origin],
 * [property@Sipws.Transport:extra-headers], the cookies that
 * [property@Sipws.Transport:cookie-jar] holds for the server (RFC 7118 A.3), and
 * the URL token of [method@Sipws.Transport.set_url_token] (A.2). A 401 answer
 * is retried once with the Basic or Digest credentials of
 * [method@Sipws.Transport.set_http_credentials] (§7). When a web login is set
 * ([method@Sipws.Transport.set_web_login]) its form is POSTed on the same HTTP
 * session before every handshake, so its `Set-Cookie` rides that handshake.
 * [signal@Sipws.Transport::prepare-handshake] is emitted before every attempt
 * so the application can renew the token or the cookies.
 *
 * ## TLS
 *
 * `wss://` servers are checked against the system trust store, or only against
 * [property@Sipws.Transport:tls-ca-file] when set. When
 * [property@Sipws.Transport:tls-pinned-sha256] is set, only a certificate
 * whose SHA-256 fingerprint is listed is accepted, whoever issued it and
 * whatever host name it carries (the fingerprint names the exact certificate,
 * so private servers reached by IP address work); its validity period is
 * still enforced. Anything else fails with %SIPWS_TRANSPORT_ERROR_TLS and a
 * message naming the problem.
 *
 * ## Keepalive
 *
 * Two layers run on an established flow: WebSocket pings every
 * [property@Sipws.Transport:ws-ping-interval] seconds, with the flow declared
 * dead when no pong arrived for `ws-ping-interval` + 1 s (libsoup's ping timer
 * has one-second granularity) + [property@Sipws.Transport:ws-pong-timeout]; and the RFC 5626 CRLF keepalive: `\r\n\r\n` sent at a
 * random 80–100 % of the Flow-Timer ([method@Sipws.Transport.set_flow_timer])
 * or of [property@Sipws.Transport:keepalive-interval], answered by `\r\n`
 * within [property@Sipws.Transport:keepalive-timeout]. A server's `\r\n\r\n` is
 * answered with `\r\n`. Keepalives are never delivered as messages.
 *
 * ## Reconnect schedule
 *
 * A round tries the server URIs in order, each immediately after the previous
 * one failed. When a whole round failed, the transport waits
 * `min(backoff-max, backoff-base · 2^n) · r` milliseconds, where `n` counts
 * the failed rounds in a row (starting at 1) and `r` is uniformly random in
 * [0.5, 1) (RFC 5626 §4.5), then starts a new round at the first URI. When an
 * established flow fails after it was up for at least `backoff-base`, a new
 * round starts at once and `n` restarts from 0; a flow that failed sooner
 * counts as one more failed round. A round in which every server failed with
 * an error that retrying cannot fix (TLS trust, rejected credentials, refused
 * subprotocol, HTTP 4xx other than 408/429, bad configuration) ends in
 * %SIPWS_TRANSPORT_STATE_FAILED instead of waiting. While waiting, a network
 * that came back (GNetworkMonitor) or a resume from sleep (logind
 * `PrepareForSleep` on the system bus, when there is one) starts the next
 * round at once; before sleep the flow is closed, after resume it is
 * re-established at once. A network change while connected sends a CRLF ping
 * at once, so a dead flow is found within the keepalive timeout.
 *
 * ## Threads
 *
 * The transport is bound to the thread-default main context of the thread
 * that created it: call it from that thread only; signals are emitted and
 * timers run there.
 *
 * Secrets (URL token, HTTP password, login form values, cookie values) are
 * never properties and never logged: logs show server URIs and header values
 * through the redaction helpers of the core.
 */

#define DEFAULT_WS_PING_INTERVAL 15
#define DEFAULT_WS_PONG_TIMEOUT 10000
#define DEFAULT_KEEPALIVE_INTERVAL 25000
#define DEFAULT_KEEPALIVE_TIMEOUT 10000
#define DEFAULT_BACKOFF_BASE 30000
#define DEFAULT_BACKOFF_MAX 1800000
#define DEFAULT_CONNECT_TIMEOUT 20000
#define DEFAULT_MAX_MESSAGE_SIZE (256 * 1024)

typedef struct _Attempt Attempt;

struct _Attempt {
  SipwsTransport *self;          /* NULL once the transport abandoned it */
  GCancellable *cancellable;
  GSource *timeout_source;
  gboolean timed_out;
  char *uri;                     /* with the token: never logged */
  char *host;
  GPtrArray *pins;
  SoupMessage *login_msg;
  SoupMessage *msg;
  GTlsCertificateFlags tls_errors;
  char *tls_rejected_sha256;
  gboolean tls_rejected;
  gboolean pin_mismatch;
  gboolean auth_requested;
  gboolean auth_sent;
};

typedef struct {
  SipwsTransport *self;
  GTask *task;
  GSource *cancel_source;
} ConnectWaiter;

struct _SipwsTransport {
  GObject parent_instance;

  GMainContext *context;
  SoupSession *session;
  SoupCookieJar *cookie_jar;
  SoupCookieJar *private_jar;
  SipwsWakeMonitor *wake_monitor;
  GRand *rand;

  /* configuration */
  char **server_uris;
  char *origin;
  char **extra_headers;
  char *tls_ca_file;
  char **tls_pins;
  GTlsCertificate *tls_client_certificate;
  char *url_token_parameter;
  guint ws_ping_interval;
  guint ws_pong_timeout;
  guint keepalive_interval;
  guint keepalive_timeout;
  guint backoff_base;
  guint backoff_max;
  guint connect_timeout;
  guint max_message_size;
  guint flow_timer;

  /* secrets: never properties, never logged */
  char *url_token;
  char *http_username;
  char *http_password;
  char *login_url;
  char **login_fields;

  /* the schedule */
  SipwsTransportState state;
  gboolean running;
  guint server_index;
  gboolean round_all_permanent;
  guint failures;
  gint64 next_attempt;
  GSource *retry_source;
  GError *last_error;
  char *server_uri_redacted;
  gboolean secure;
  GList *waiters;
  Attempt *attempt;

  /* the established flow */
  SoupWebsocketConnection *conn;
  char *subprotocol;
  gint64 connected_at;
  gint64 last_pong;
  GSource *pong_check_source;
  GSource *crlf_ping_source;
  GSource *crlf_deadline_source;
};

G_DEFINE_FINAL_TYPE (SipwsTransport, sipws_transport, G_TYPE_OBJECT)

/**
 * sipws_transport_error_quark:
 *
 * Gets the quark of the error domain of [class@Sipws.Transport]; bindings map
 * it to the [error@Sipws.TransportError] enumeration.
 *
 * Returns: the quark of the %SIPWS_TRANSPORT_ERROR domain
 */
G_DEFINE_QUARK (sipws-transport-error-quark, sipws_transport_error)

enum {
  PROP_0,
  PROP_SERVER_URIS,
  PROP_ORIGIN,
  PROP_EXTRA_HEADERS,
  PROP_COOKIE_JAR,
  PROP_TLS_CA_FILE,
  PROP_TLS_PINNED_SHA256,
  PROP_TLS_CLIENT_CERTIFICATE,
  PROP_URL_TOKEN_PARAMETER,
  PROP_WS_PING_INTERVAL,
  PROP_WS_PONG_TIMEOUT,
  PROP_KEEPALIVE_INTERVAL,
  PROP_KEEPALIVE_TIMEOUT,
  PROP_BACKOFF_BASE,
  PROP_BACKOFF_MAX,
  PROP_CONNECT_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_STATE,
  PROP_NEXT_ATTEMPT,
  PROP_SUBPROTOCOL,
  PROP_SERVER_URI,
  PROP_SECURE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_PREPARE_HANDSHAKE,
  SIGNAL_FLOW_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_round       (SipwsTransport *self);
static void attempt_begin     (SipwsTransport *self);
static void flow_failed       (SipwsTransport *self,
                               GError         *error);

/* helpers */

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static GSource *
add_timeout (SipwsTransport *self,
             guint           ms,
             GSourceFunc     func,
             gpointer        data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  return source;
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_strv (char               ***field,
          const char * const   *value)
{
  if (*field == NULL && value == NULL)
    return FALSE;
  if (*field != NULL && value != NULL && g_strv_equal ((const char * const *) *field, value))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv ((char **) value);
  return TRUE;
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

static void
clear_secret_strv (char ***secrets)
{
  for (gsize i = 0; *secrets != NULL && (*secrets)[i] != NULL; i++)
    explicit_bzero ((*secrets)[i], strlen ((*secrets)[i]));
  g_clear_pointer (secrets, g_strfreev);
}

static const char *
state_nick (SipwsTransportState state)
{
  GEnumClass *klass = g_type_class_peek (SIPWS_TYPE_TRANSPORT_STATE);
  GEnumValue *value = klass != NULL ? g_enum_get_value (klass, state) : NULL;

  return value != NULL ? value->value_nick : "unknown";
}

static void
set_state (SipwsTransport      *self,
           SipwsTransportState  state)
{
  if (self->state == state)
    return;
  g_debug ("flow state: %s -> %s", state_nick (self->state), state_nick (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

static void
set_next_attempt (SipwsTransport *self,
                  gint64          when)
{
  if (self->next_attempt == when)
    return;
  self->next_attempt = when;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NEXT_ATTEMPT]);
}

static void
set_subprotocol (SipwsTransport *self,
                 const char     *subprotocol)
{
  if (set_string (&self->subprotocol, subprotocol))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SUBPROTOCOL]);
}

static guint
n_servers (SipwsTransport *self)
{
  return self->server_uris != NULL ? g_strv_length (self->server_uris) : 0;
}

static void
set_current_server (SipwsTransport *self,
                    guint           index)
{
  const char *uri = index < n_servers (self) ? self->server_uris[index] : NULL;
  g_autofree char *redacted = uri != NULL ? sipws_redact_uri (uri) : NULL;
  gboolean secure = uri != NULL && g_ascii_strncasecmp (uri, "wss:", 4) == 0;

  self->server_index = index;
  if (set_string (&self->server_uri_redacted, redacted))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVER_URI]);
  if (self->secure != secure)
    {
      self->secure = secure;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SECURE]);
    }
}

/* Errors that another try of the same server cannot fix. */
static gboolean
error_is_permanent (const GError *error)
{
  if (error->domain != SIPWS_TRANSPORT_ERROR)
    return FALSE;

  switch ((SipwsTransportError) error->code)
    {
    case SIPWS_TRANSPORT_ERROR_INVALID_CONFIG:
    case SIPWS_TRANSPORT_ERROR_TLS:
    case SIPWS_TRANSPORT_ERROR_AUTH:
    case SIPWS_TRANSPORT_ERROR_SUBPROTOCOL:
    case SIPWS_TRANSPORT_ERROR_HANDSHAKE:
      return TRUE;
    case SIPWS_TRANSPORT_ERROR_HTTP_STATUS:
    case SIPWS_TRANSPORT_ERROR_LOGIN:
      /* decided by the caller from the status code */
      return FALSE;
    case SIPWS_TRANSPORT_ERROR_CONNECT:
    case SIPWS_TRANSPORT_ERROR_TIMEOUT:
    case SIPWS_TRANSPORT_ERROR_CLOSED:
    case SIPWS_TRANSPORT_ERROR_PROTOCOL:
    case SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT:
    case SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE:
    case SIPWS_TRANSPORT_ERROR_NOT_CONNECTED:
    default:
      return FALSE;
    }
}

static gboolean
http_status_is_permanent (guint status)
{
  return status >= 400 && status < 500
         && status != SOUP_STATUS_REQUEST_TIMEOUT && status != 429;
}

/* connect waiters */

static void
waiter_free (ConnectWaiter *waiter)
{
  g_clear_pointer (&waiter->cancel_source, destroy_source);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
complete_waiters (SipwsTransport *self,
                  const GError   *error)
{
  GList *waiters = g_steal_pointer (&self->waiters);

  for (GList *l = waiters; l != NULL; l = l->next)
    {
      ConnectWaiter *waiter = l->data;
      GTask *task = g_steal_pointer (&waiter->task);

      waiter_free (waiter);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  g_list_free (waiters);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  ConnectWaiter *waiter = user_data;
  SipwsTransport *self = waiter->self;
  GTask *task = g_steal_pointer (&waiter->task);

  self->waiters = g_list_remove (self->waiters, waiter);
  waiter_free (waiter);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* the established flow */

static void
clear_keepalive (SipwsTransport *self)
{
  g_clear_pointer (&self->pong_check_source, destroy_source);
  g_clear_pointer (&self->crlf_ping_source, destroy_source);
  g_clear_pointer (&self->crlf_deadline_source, destroy_source);
}

static void
closed_conn_release_cb (SoupWebsocketConnection *conn,
                        gpointer                 user_data)
{
  g_object_unref (conn);
}

/* Lets go of the connection; a close frame is sent and the object kept until
 * libsoup finished closing, so the server sees a clean close. */
static void
teardown_flow (SipwsTransport *self,
               gushort         code,
               const char     *reason)
{
  SoupWebsocketConnection *conn = g_steal_pointer (&self->conn);

  clear_keepalive (self);
  set_subprotocol (self, NULL);
  if (conn == NULL)
    return;

  g_signal_handlers_disconnect_by_data (conn, self);
  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_signal_connect (conn, "closed", G_CALLBACK (closed_conn_release_cb), NULL);
      soup_websocket_connection_close (conn, code, reason);
    }
  else
    g_object_unref (conn);
}

static void
send_text (SipwsTransport *self,
           const char     *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));

  /* Keepalives race with a close the server started: a closing flow gets none. */
  if (soup_websocket_connection_get_state (self->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  soup_websocket_connection_send_message (self->conn, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

static gboolean crlf_ping_cb (gpointer data);

static void
schedule_crlf_ping (SipwsTransport *self)
{
  guint period = self->flow_timer > 0 ? self->flow_timer * 1000 : self->keepalive_interval;
  guint delay;

  g_clear_pointer (&self->crlf_ping_source, destroy_source);
  if (period == 0 || self->conn == NULL)
    return;
  delay = sipws_keepalive_period_ms (period, g_rand_double (self->rand));
  self->crlf_ping_source = add_timeout (self, delay, crlf_ping_cb, self);
}

static gboolean
crlf_deadline_cb (gpointer data)
{
  SipwsTransport *self = data;

  g_clear_pointer (&self->crlf_deadline_source, g_source_unref);
  flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT,
                                  "no CRLF keepalive pong within %u ms of the ping (RFC 5626 §4.4.1)",
                                  self->keepalive_timeout));
  return G_SOURCE_REMOVE;
}

static void
send_crlf_ping (SipwsTransport *self)
{
  g_clear_pointer (&self->crlf_ping_source, destroy_source);
  if (self->crlf_deadline_source != NULL)
    return;
  g_debug ("sending CRLF keepalive ping");
  send_text (self, "\r\n\r\n");
  self->crlf_deadline_source = add_timeout (self, self->keepalive_timeout, crlf_deadline_cb, self);
}

static gboolean
crlf_ping_cb (gpointer data)
{
  SipwsTransport *self = data;

  g_clear_pointer (&self->crlf_ping_source, g_source_unref);
  send_crlf_ping (self);
  return G_SOURCE_REMOVE;
}

static gboolean
pong_check_cb (gpointer data)
{
  SipwsTransport *self = data;
  gint64 silence = g_get_monotonic_time () - self->last_pong;
  /* libsoup schedules its pings with a seconds timer, which may fire up to a
   * second late: that second is part of the allowance. */
  gint64 limit = (gint64) (self->ws_ping_interval + 1) * G_USEC_PER_SEC + (gint64) self->ws_pong_timeout * 1000;

  if (silence <= limit)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->pong_check_source, g_source_unref);
  flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT,
                                  "no WebSocket pong for %" G_GINT64_FORMAT " ms "
                                  "(ping every %u s, pong timeout %u ms)",
                                  silence / 1000, self->ws_ping_interval, self->ws_pong_timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
is_only_crlf (const guint8 *data,
              gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return TRUE;
}

static void
conn_message_cb (SoupWebsocketConnection *conn,
                 gint                     type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  SipwsTransport *self = user_data;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (message, &len);

  if (len > self->max_message_size)
    {
      flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE,
                                      "the server sent a %" G_GSIZE_FORMAT "-byte message, "
                                      "larger than the %u-byte limit", len, self->max_message_size));
      return;
    }

  /* RFC 5626 §3.5.1 over WebSocket (RFC 7118 §6): keepalives are not SIP. */
  if (len > 0 && is_only_crlf (data, len))
    {
      if (len == 2)
        {
          g_debug ("received CRLF keepalive pong");
          if (self->crlf_deadline_source != NULL)
            {
              g_clear_pointer (&self->crlf_deadline_source, destroy_source);
              schedule_crlf_ping (self);
            }
        }
      else if (len >= 4)
        {
          g_debug ("answering the server's CRLF keepalive ping");
          send_text (self, "\r\n");
        }
      return;
    }

  g_debug ("received a %" G_GSIZE_FORMAT "-byte %s message", len,
           type == SOUP_WEBSOCKET_DATA_BINARY ? "binary" : "text");
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, message);
  g_object_unref (self);
}

static void
conn_pong_cb (SoupWebsocketConnection *conn,
              GBytes                  *message,
              gpointer                 user_data)
{
  SipwsTransport *self = user_data;

  self->last_pong = g_get_monotonic_time ();
}

static void
conn_error_cb (SoupWebsocketConnection *conn,
               GError                  *error,
               gpointer                 user_data)
{
  SipwsTransport *self = user_data;

  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE,
                                    "the server sent a message larger than the %u-byte limit",
                                    self->max_message_size));
  else if (error->domain == SOUP_WEBSOCKET_ERROR)
    flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_PROTOCOL,
                                    "WebSocket protocol error: %s", error->message));
  else
    flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED,
                                    "connection to the server lost: %s", error->message));
}

static void
conn_closed_cb (SoupWebsocketConnection *conn,
                gpointer                 user_data)
{
  SipwsTransport *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (conn);
  const char *data = soup_websocket_connection_get_close_data (conn);

  if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL || code == SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    flow_failed (self, g_error_new_literal (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED,
                                            "connection to the server lost without a close frame"));
  else
    flow_failed (self, g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED,
                                    "the server closed the flow (code %u%s%s)", code,
                                    data != NULL && *data != '\0' ? ": " : "",
                                    data != NULL ? data : ""));
}

static void
flow_up (SipwsTransport          *self,
         SoupWebsocketConnection *conn)
{
  self->conn = conn;
  self->connected_at = self->last_pong = g_get_monotonic_time ();

  soup_websocket_connection_set_max_incoming_payload_size (conn, self->max_message_size);
  soup_websocket_connection_set_keepalive_interval (conn, self->ws_ping_interval);
  g_signal_connect (conn, "message", G_CALLBACK (conn_message_cb), self);
  g_signal_connect (conn, "pong", G_CALLBACK (conn_pong_cb), self);
  g_signal_connect (conn, "error", G_CALLBACK (conn_error_cb), self);
  g_signal_connect (conn, "closed", G_CALLBACK (conn_closed_cb), self);

  if (self->ws_ping_interval > 0)
    self->pong_check_source = add_timeout (self, MAX (self->ws_pong_timeout / 4, 50),
                                           pong_check_cb, self);
  schedule_crlf_ping (self);

  g_debug ("flow up to %s (subprotocol %s)", self->server_uri_redacted,
           soup_websocket_connection_get_protocol (conn));
  set_subprotocol (self, soup_websocket_connection_get_protocol (conn));
  set_next_attempt (self, 0);
  set_state (self, SIPWS_TRANSPORT_STATE_CONNECTED);
  complete_waiters (self, NULL);
}

/* the schedule */

static void
record_failure (SipwsTransport *self,
                GError         *error)
{
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_debug ("flow to %s failed: %s", self->server_uri_redacted, error->message);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_FLOW_FAILED], 0, error);
  g_object_unref (self);
}

static gboolean
retry_cb (gpointer data)
{
  SipwsTransport *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  start_round (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_round (SipwsTransport *self)
{
  guint delay;

  self->failures++;
  delay = sipws_backoff_delay_ms (self->backoff_base, self->backoff_max, self->failures,
                                  g_rand_double (self->rand));
  g_debug ("round %u failed, next round in %u ms", self->failures, delay);

  g_clear_pointer (&self->retry_source, destroy_source);
  self->retry_source = add_timeout (self, delay, retry_cb, self);
  set_next_attempt (self, g_get_monotonic_time () + (gint64) delay * 1000);
  set_state (self, SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY);
}

static void
flow_failed (SipwsTransport *self,
             GError         *error)
{
  gint64 uptime = g_get_monotonic_time () - self->connected_at;
  gushort code = SOUP_WEBSOCKET_CLOSE_GOING_AWAY;

  if (g_error_matches (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE))
    code = SOUP_WEBSOCKET_CLOSE_TOO_BIG;
  teardown_flow (self, code, NULL);

  record_failure (self, error);
  if (!self->running || self->conn != NULL || self->attempt != NULL)
    return;

  if (uptime >= (gint64) self->backoff_base * 1000)
    {
      self->failures = 0;
      start_round (self);
    }
  else
    schedule_round (self);
}

static void
attempt_free (Attempt *attempt)
{
  g_clear_pointer (&attempt->timeout_source, destroy_source);
  if (attempt->msg != NULL)
    g_signal_handlers_disconnect_by_data (attempt->msg, attempt);
  if (attempt->login_msg != NULL)
    g_signal_handlers_disconnect_by_data (attempt->login_msg, attempt);
  g_clear_object (&attempt->msg);
  g_clear_object (&attempt->login_msg);
  g_clear_object (&attempt->cancellable);
  g_clear_pointer (&attempt->pins, g_ptr_array_unref);
  g_clear_pointer (&attempt->host, g_free);
  g_clear_pointer (&attempt->tls_rejected_sha256, g_free);
  clear_secret (&attempt->uri);
  g_free (attempt);
}

static void
abandon_attempt (SipwsTransport *self)
{
  Attempt *attempt = g_steal_pointer (&self->attempt);

  if (attempt == NULL)
    return;
  /* The pending callback frees it. */
  attempt->self = NULL;
  g_clear_pointer (&attempt->timeout_source, destroy_source);
  g_cancellable_cancel (attempt->cancellable);
}

/* Ends the attempt (freeing it) and moves on: next server, new round or FAILED. */
static void
attempt_failed (SipwsTransport *self,
                Attempt        *attempt,
                GError         *error,
                gboolean        permanent)
{
  g_assert (self->attempt == attempt);
  self->attempt = NULL;
  attempt_free (attempt);

  self->round_all_permanent = self->round_all_permanent && permanent;
  record_failure (self, error);
  if (!self->running || self->attempt != NULL || self->conn != NULL)
    return;

  if (self->server_index + 1 < n_servers (self))
    {
      set_current_server (self, self->server_index + 1);
      attempt_begin (self);
      return;
    }

  if (self->round_all_permanent)
    {
      g_debug ("every server failed with an error retrying cannot fix; giving up");
      self->running = FALSE;
      set_next_attempt (self, 0);
      set_state (self, SIPWS_TRANSPORT_STATE_FAILED);
    }
  else
    schedule_round (self);

  complete_waiters (self, self->last_error);
}

static GError *
tls_rejection_error (Attempt *attempt)
{
  g_autofree char *reason = NULL;

  if (attempt->pin_mismatch)
    return g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS,
                        "TLS certificate of %s rejected: certificate does not match the pinned "
                        "SHA-256 fingerprint (the server presented %s)",
                        attempt->host, attempt->tls_rejected_sha256);

  reason = sipws_tls_describe_flags (attempt->tls_errors, attempt->host);
  return g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS,
                      "TLS certificate of %s rejected: %s", attempt->host, reason);
}

/* Maps the failure of an HTTP exchange (login or handshake) that did not reach a status. */
static GError *
transport_level_error (Attempt      *attempt,
                       const GError *error,
                       const char   *what)
{
  if (attempt->timed_out)
    return g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TIMEOUT,
                        "%s to %s timed out", what, attempt->host);
  if (attempt->tls_rejected)
    return tls_rejection_error (attempt);
  if (error->domain == G_TLS_ERROR)
    return g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_TLS,
                        "TLS handshake with %s failed: %s", attempt->host, error->message);
  return g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CONNECT,
                      "%s to %s failed: %s", what, attempt->host, error->message);
}

static gboolean
attempt_timeout_cb (gpointer data)
{
  Attempt *attempt = data;

  g_clear_pointer (&attempt->timeout_source, g_source_unref);
  attempt->timed_out = TRUE;
  g_cancellable_cancel (attempt->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Attempt *attempt = user_data;

  attempt->tls_errors = errors;
  if (attempt->pins != NULL)
    {
      errors |= sipws_tls_certificate_check_dates (certificate);
      attempt->tls_errors = errors;
      if (sipws_tls_certificate_matches (certificate, attempt->pins))
        {
          /* Only what the pin does not vouch for is worth reporting. */
          attempt->tls_errors = errors & ~SIPWS_TLS_PIN_OVERRIDES;
          if (attempt->tls_errors == 0)
            {
              g_debug ("TLS certificate of %s accepted by its pinned fingerprint", attempt->host);
              return TRUE;
            }
        }
      else
        {
          attempt->pin_mismatch = TRUE;
          g_free (attempt->tls_rejected_sha256);
          attempt->tls_rejected_sha256 = sipws_tls_certificate_sha256 (certificate);
        }
    }

  attempt->tls_rejected = TRUE;
  return FALSE;
}

static gboolean
authenticate_cb (SoupMessage *msg,
                 SoupAuth    *auth,
                 gboolean     retrying,
                 gpointer     user_data)
{
  Attempt *attempt = user_data;
  SipwsTransport *self = attempt->self;

  attempt->auth_requested = TRUE;
  if (self == NULL || retrying || self->http_username == NULL || self->http_password == NULL)
    return FALSE;

  g_debug ("answering the handshake's %s challenge (realm \"%s\") as %s",
           soup_auth_get_scheme_name (auth), soup_auth_get_realm (auth), self->http_username);
  soup_auth_authenticate (auth, self->http_username, self->http_password);
  attempt->auth_sent = TRUE;
  return TRUE;
}

static void
prepare_message (SipwsTransport *self,
                 Attempt        *attempt,
                 SoupMessage    *msg)
{
  GUri *uri = soup_message_get_uri (msg);

  /* The request is its own top-level site, so SameSite cookies of the
   * server's own domain ride it, as in a browser tab on that site. */
  soup_message_set_first_party (msg, uri);
  soup_message_set_site_for_cookies (msg, uri);
  soup_message_set_is_top_level_navigation (msg, TRUE);
  if (self->tls_client_certificate != NULL)
    soup_message_set_tls_client_certificate (msg, self->tls_client_certificate);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), attempt);
}

static gboolean
add_extra_headers (SipwsTransport  *self,
                   SoupMessage     *msg,
                   GError         **error)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  for (gsize i = 0; self->extra_headers != NULL && self->extra_headers[i] != NULL; i++)
    {
      const char *line = self->extra_headers[i];
      const char *colon = strchr (line, ':');
      g_autofree char *name = NULL;

      if (colon == NULL || colon == line)
        {
          g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                       "extra header %" G_GSIZE_FORMAT " is not of the form \"Name: value\"", i + 1);
          return FALSE;
        }
      name = g_strstrip (g_strndup (line, colon - line));
      for (const char *p = name; *p != '\0'; p++)
        {
          if (!g_ascii_isgraph (*p))
            {
              g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                           "extra header %" G_GSIZE_FORMAT " has an invalid name", i + 1);
              return FALSE;
            }
        }
      /* An extra header may be any gateway's credential: its value is never shown. */
      g_debug ("handshake header %s: " SIPWS_REDACTED, name);
      soup_message_headers_append (headers, name, g_strchug ((char *) colon + 1));
    }
  return TRUE;
}

/* The configured URI with the URL token put in: at the `{token}` placeholder
 * when there is one, else as the query parameter named by url-token-parameter. */
static char *
uri_with_token (SipwsTransport *self,
                const char     *configured)
{
  g_autofree char *escaped = NULL;
  const char *placeholder;

  if (self->url_token == NULL)
    return g_strdup (configured);

  escaped = g_uri_escape_string (self->url_token, NULL, FALSE);
  placeholder = strstr (configured, "{token}");
  if (placeholder != NULL)
    return g_strdup_printf ("%.*s%s%s", (int) (placeholder - configured), configured,
                            escaped, placeholder + strlen ("{token}"));

  return g_strdup_printf ("%s%c%s=%s", configured, strchr (configured, '?') != NULL ? '&' : '?',
                          self->url_token_parameter != NULL ? self->url_token_parameter : "token",
                          escaped);
}

static gboolean
validate_server_uri (const char  *configured,
                     GUri       **out,
                     const char  *full,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *redacted = sipws_redact_uri (configured);
  GUri *uri = g_uri_parse (full, SOUP_HTTP_URI_FLAGS, &local_error);
  const char *scheme;

  if (uri == NULL)
    {
      g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                   "server URI %s is not a valid URI", redacted);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                   "server URI %s is not a ws:// or wss:// URI", redacted);
      g_uri_unref (uri);
      return FALSE;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                   "server URI %s has no host", redacted);
      g_uri_unref (uri);
      return FALSE;
    }
  *out = uri;
  return TRUE;
}

static gboolean
configure_tls (SipwsTransport  *self,
               Attempt         *attempt,
               GError         **error)
{
  if (self->tls_pins != NULL && self->tls_pins[0] != NULL)
    {
      attempt->pins = sipws_tls_parse_pins ((const char * const *) self->tls_pins, error);
      if (attempt->pins == NULL)
        return FALSE;
      /* No database: every certificate reaches accept-certificate, where
       * only the pins decide. */
      soup_session_set_tls_database (self->session, NULL);
    }
  else if (self->tls_ca_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (self->tls_ca_file, &local_error);

      if (database == NULL)
        {
          g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                       "cannot load the CA file %s: %s", self->tls_ca_file, local_error->message);
          return FALSE;
        }
      soup_session_set_tls_database (self->session, database);
    }
  else
    {
      g_autoptr(GTlsDatabase) database = g_tls_backend_get_default_database (g_tls_backend_get_default ());

      soup_session_set_tls_database (self->session, database);
    }
  return TRUE;
}

static void
websocket_connect_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Attempt *attempt = user_data;
  SipwsTransport *self = attempt->self;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;
  guint status;
  const char *selected;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (self == NULL)
    {
      g_clear_object (&conn);
      attempt_free (attempt);
      return;
    }

  status = soup_message_get_status (attempt->msg);
  selected = soup_message_headers_get_one (soup_message_get_response_headers (attempt->msg),
                                           "Sec-WebSocket-Protocol");

  if (conn != NULL)
    {
      const char *protocol = soup_websocket_connection_get_protocol (conn);

      if (g_strcmp0 (protocol, "sip") != 0)
        {
          soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
          g_object_unref (conn);
          attempt_failed (self, attempt,
                          g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_SUBPROTOCOL,
                                       "server did not select the sip subprotocol (it answered %s)",
                                       protocol != NULL ? protocol : "without Sec-WebSocket-Protocol"),
                          TRUE);
          return;
        }

      self->attempt = NULL;
      attempt_free (attempt);
      flow_up (self, conn);
      return;
    }

  if (status == SOUP_STATUS_SWITCHING_PROTOCOLS && selected != NULL && g_strcmp0 (selected, "sip") != 0)
    attempt_failed (self, attempt,
                    g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_SUBPROTOCOL,
                                 "server did not select the sip subprotocol (it answered %s)", selected),
                    TRUE);
  else if (status == SOUP_STATUS_SWITCHING_PROTOCOLS)
    attempt_failed (self, attempt,
                    g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_HANDSHAKE,
                                 "invalid WebSocket handshake answer from %s: %s",
                                 attempt->host, error->message),
                    TRUE);
  else if (status == SOUP_STATUS_UNAUTHORIZED)
    attempt_failed (self, attempt,
                    attempt->auth_sent
                      ? g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_AUTH,
                                     "%s rejected the HTTP credentials of the WebSocket handshake (401 Unauthorized)",
                                     attempt->host)
                      : g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_AUTH,
                                     "%s requires HTTP authentication for the WebSocket handshake "
                                     "(401 Unauthorized) and no credentials are set", attempt->host),
                    TRUE);
  else if (status >= 100)
    attempt_failed (self, attempt,
                    g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_HTTP_STATUS,
                                 "%s refused the WebSocket handshake: HTTP %u %s", attempt->host,
                                 status, soup_message_get_reason_phrase (attempt->msg)),
                    http_status_is_permanent (status));
  else
    {
      GError *mapped = transport_level_error (attempt, error, "WebSocket handshake");

      attempt_failed (self, attempt, mapped, error_is_permanent (mapped));
    }
}

static void
start_handshake (SipwsTransport *self,
                 Attempt        *attempt)
{
  static const char *protocols[] = { "sip", NULL };
  g_autoptr(GError) error = NULL;

  attempt->msg = soup_message_new ("GET", attempt->uri);
  if (attempt->msg == NULL)
    {
      attempt_failed (self, attempt,
                      g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                                   "server URI %s is not usable", self->server_uri_redacted),
                      TRUE);
      return;
    }
  prepare_message (self, attempt, attempt->msg);
  g_signal_connect (attempt->msg, "authenticate", G_CALLBACK (authenticate_cb), attempt);
  if (!add_extra_headers (self, attempt->msg, &error))
    {
      attempt_failed (self, attempt, g_steal_pointer (&error), TRUE);
      return;
    }

  if (self->origin != NULL)
    {
      g_autofree char *origin = sipws_redact_header_value ("Origin", self->origin);

      g_debug ("WebSocket handshake with %s, Origin %s", self->server_uri_redacted, origin);
    }
  else
    g_debug ("WebSocket handshake with %s", self->server_uri_redacted);
  soup_session_websocket_connect_async (self->session, attempt->msg, self->origin, (char **) protocols,
                                        G_PRIORITY_DEFAULT, attempt->cancellable,
                                        websocket_connect_cb, attempt);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Attempt *attempt = user_data;
  SipwsTransport *self = attempt->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (self == NULL)
    {
      attempt_free (attempt);
      return;
    }

  status = soup_message_get_status (attempt->login_msg);
  if (body == NULL)
    {
      GError *mapped = transport_level_error (attempt, error, "web login");

      attempt_failed (self, attempt, mapped, error_is_permanent (mapped));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *redacted = sipws_redact_uri (self->login_url);

      attempt_failed (self, attempt,
                      g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_LOGIN,
                                   "web login at %s answered HTTP %u %s", redacted, status,
                                   soup_message_get_reason_phrase (attempt->login_msg)),
                      http_status_is_permanent (status));
      return;
    }

  g_debug ("web login answered HTTP %u", status);
  start_handshake (self, attempt);
}

static char *
encode_login_form (SipwsTransport *self)
{
  GString *form = g_string_new (NULL);

  for (gsize i = 0; self->login_fields != NULL && self->login_fields[i] != NULL; i++)
    {
      const char *field = self->login_fields[i];
      const char *eq = strchr (field, '=');
      g_autofree char *name = g_strndup (field, eq - field);
      g_autofree char *name_escaped = g_uri_escape_string (name, NULL, FALSE);
      g_autofree char *value_escaped = g_uri_escape_string (eq + 1, NULL, FALSE);

      g_string_append_printf (form, "%s%s=%s", form->len > 0 ? "&" : "", name_escaped, value_escaped);
      explicit_bzero (value_escaped, strlen (value_escaped));
    }
  return g_string_free (form, FALSE);
}

static void
attempt_begin (SipwsTransport *self)
{
  const char *configured = self->server_uris[self->server_index];
  Attempt *attempt = g_new0 (Attempt, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;

  g_assert (self->attempt == NULL);
  set_state (self, SIPWS_TRANSPORT_STATE_CONNECTING);
  set_next_attempt (self, 0);

  attempt->self = self;
  attempt->cancellable = g_cancellable_new ();
  self->attempt = attempt;

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_PREPARE_HANDSHAKE], 0, configured);
  g_object_unref (self);
  if (self->attempt != attempt)
    {
      /* A handler stopped the transport; nothing asynchronous owns the attempt yet. */
      attempt_free (attempt);
      return;
    }

  attempt->uri = uri_with_token (self, configured);
  if (!validate_server_uri (configured, &uri, attempt->uri, &error)
      || !configure_tls (self, attempt, &error))
    {
      attempt->host = g_strdup ("the server");
      attempt_failed (self, attempt, g_steal_pointer (&error), TRUE);
      return;
    }
  attempt->host = g_strdup (g_uri_get_host (uri));

  if (self->connect_timeout > 0)
    attempt->timeout_source = add_timeout (self, self->connect_timeout, attempt_timeout_cb, attempt);

  g_debug ("connecting to %s (server %u of %u)", self->server_uri_redacted,
           self->server_index + 1, n_servers (self));

  if (self->login_url != NULL)
    {
      char *form = encode_login_form (self);
      g_autofree char *redacted = sipws_redact_uri (self->login_url);

      attempt->login_msg = soup_message_new_from_encoded_form ("POST", self->login_url, form);
      if (attempt->login_msg == NULL)
        {
          attempt_failed (self, attempt,
                          g_error_new (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                                       "web login URL %s is not a valid http(s) URL", redacted),
                          TRUE);
          return;
        }
      prepare_message (self, attempt, attempt->login_msg);
      g_debug ("web login: POST %s", redacted);
      soup_session_send_and_read_async (self->session, attempt->login_msg, G_PRIORITY_DEFAULT,
                                        attempt->cancellable, login_cb, attempt);
      return;
    }

  start_handshake (self, attempt);
}

static void
start_round (SipwsTransport *self)
{
  if (n_servers (self) == 0)
    {
      self->running = FALSE;
      set_state (self, SIPWS_TRANSPORT_STATE_FAILED);
      record_failure (self, g_error_new_literal (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                                                 "no server URI is configured"));
      complete_waiters (self, self->last_error);
      return;
    }

  g_clear_pointer (&self->retry_source, destroy_source);
  self->round_all_permanent = TRUE;
  set_current_server (self, 0);
  attempt_begin (self);
}

/* wake events */

static void
network_changed_cb (SipwsWakeMonitor *monitor,
                    gboolean          available,
                    gpointer          user_data)
{
  SipwsTransport *self = user_data;

  if (!available)
    return;
  if (self->state == SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY)
    {
      g_debug ("network changed: retrying now instead of waiting");
      start_round (self);
    }
  else if (self->state == SIPWS_TRANSPORT_STATE_CONNECTED
           && (self->flow_timer > 0 || self->keepalive_interval > 0))
    {
      g_debug ("network changed: checking the flow with a CRLF ping");
      send_crlf_ping (self);
    }
}

static void
sleeping_cb (SipwsWakeMonitor *monitor,
             gpointer          user_data)
{
  SipwsTransport *self = user_data;

  if (self->state == SIPWS_TRANSPORT_STATE_CONNECTING)
    abandon_attempt (self);
  if (self->state == SIPWS_TRANSPORT_STATE_CONNECTING || self->state == SIPWS_TRANSPORT_STATE_CONNECTED)
    {
      g_debug ("system going to sleep: closing the flow");
      teardown_flow (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      record_failure (self, g_error_new_literal (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED,
                                                 "flow closed because the system is going to sleep"));
      if (self->running && self->attempt == NULL && self->conn == NULL)
        schedule_round (self);
    }
}

static void
resumed_cb (SipwsWakeMonitor *monitor,
            gpointer          user_data)
{
  SipwsTransport *self = user_data;

  if (self->state == SIPWS_TRANSPORT_STATE_CONNECTED)
    {
      /* Whatever the flow looked like before sleep, NAT bindings and the
       * server's side of it are likely gone. */
      teardown_flow (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      record_failure (self, g_error_new_literal (SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_CLOSED,
                                                 "flow closed after the system resumed from sleep"));
    }
  if (self->running && self->attempt == NULL && self->conn == NULL)
    {
      g_debug ("system resumed: reconnecting now");
      self->failures = 0;
      start_round (self);
    }
}

/* GObject */

static void
sipws_transport_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SipwsTransport *self = SIPWS_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URIS:
      g_value_set_boxed (value, self->server_uris);
      break;
    case PROP_ORIGIN:
      g_value_set_string (value, self->origin);
      break;
    case PROP_EXTRA_HEADERS:
      g_value_set_boxed (value, self->extra_headers);
      break;
    case PROP_COOKIE_JAR:
      g_value_set_object (value, self->cookie_jar);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_TLS_PINNED_SHA256:
      g_value_set_boxed (value, self->tls_pins);
      break;
    case PROP_TLS_CLIENT_CERTIFICATE:
      g_value_set_object (value, self->tls_client_certificate);
      break;
    case PROP_URL_TOKEN_PARAMETER:
      g_value_set_string (value, self->url_token_parameter);
      break;
    case PROP_WS_PING_INTERVAL:
      g_value_set_uint (value, self->ws_ping_interval);
      break;
    case PROP_WS_PONG_TIMEOUT:
      g_value_set_uint (value, self->ws_pong_timeout);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_KEEPALIVE_TIMEOUT:
      g_value_set_uint (value, self->keepalive_timeout);
      break;
    case PROP_BACKOFF_BASE:
      g_value_set_uint (value, self->backoff_base);
      break;
    case PROP_BACKOFF_MAX:
      g_value_set_uint (value, self->backoff_max);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint (value, self->max_message_size);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;
    case PROP_SUBPROTOCOL:
      g_value_set_string (value, self->subprotocol);
      break;
    case PROP_SERVER_URI:
      g_value_set_string (value, self->server_uri_redacted);
      break;
    case PROP_SECURE:
      g_value_set_boolean (value, self->secure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_cookie_jar (SipwsTransport *self,
                SoupCookieJar  *jar)
{
  if (self->cookie_jar == jar)
    return;

  soup_session_remove_feature (self->session,
                               SOUP_SESSION_FEATURE (self->cookie_jar != NULL ? self->cookie_jar : self->private_jar));
  g_set_object (&self->cookie_jar, jar);
  soup_session_add_feature (self->session,
                            SOUP_SESSION_FEATURE (self->cookie_jar != NULL ? self->cookie_jar : self->private_jar));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COOKIE_JAR]);
}

static void
set_uint (SipwsTransport *self,
          guint          *field,
          const GValue   *value,
          GParamSpec     *pspec)
{
  guint v = g_value_get_uint (value);

  if (*field == v)
    return;
  *field = v;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
sipws_transport_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SipwsTransport *self = SIPWS_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URIS:
      if (set_strv (&self->server_uris, g_value_get_boxed (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_ORIGIN:
      if (set_string (&self->origin, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_EXTRA_HEADERS:
      if (set_strv (&self->extra_headers, g_value_get_boxed (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_COOKIE_JAR:
      set_cookie_jar (self, g_value_get_object (value));
      break;
    case PROP_TLS_CA_FILE:
      if (set_string (&self->tls_ca_file, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_TLS_PINNED_SHA256:
      if (set_strv (&self->tls_pins, g_value_get_boxed (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_TLS_CLIENT_CERTIFICATE:
      if (g_set_object (&self->tls_client_certificate, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_URL_TOKEN_PARAMETER:
      if (set_string (&self->url_token_parameter, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_WS_PING_INTERVAL:
      set_uint (self, &self->ws_ping_interval, value, pspec);
      break;
    case PROP_WS_PONG_TIMEOUT:
      set_uint (self, &self->ws_pong_timeout, value, pspec);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      set_uint (self, &self->keepalive_interval, value, pspec);
      break;
    case PROP_KEEPALIVE_TIMEOUT:
      set_uint (self, &self->keepalive_timeout, value, pspec);
      break;
    case PROP_BACKOFF_BASE:
      set_uint (self, &self->backoff_base, value, pspec);
      break;
    case PROP_BACKOFF_MAX:
      set_uint (self, &self->backoff_max, value, pspec);
      break;
    case PROP_CONNECT_TIMEOUT:
      set_uint (self, &self->connect_timeout, value, pspec);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      set_uint (self, &self->max_message_size, value, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sipws_transport_dispose (GObject *object)
{
  SipwsTransport *self = SIPWS_TRANSPORT (object);

  self->running = FALSE;
  abandon_attempt (self);
  teardown_flow (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_pointer (&self->retry_source, destroy_source);
  if (self->waiters != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "the transport was destroyed");
      complete_waiters (self, error);
    }
  if (self->wake_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->wake_monitor, self);
  g_clear_object (&self->wake_monitor);
  g_clear_object (&self->session);
  g_clear_object (&self->cookie_jar);
  g_clear_object (&self->private_jar);
  g_clear_object (&self->tls_client_certificate);

  G_OBJECT_CLASS (sipws_transport_parent_class)->dispose (object);
}

static void
sipws_transport_finalize (GObject *object)
{
  SipwsTransport *self = SIPWS_TRANSPORT (object);

  clear_secret (&self->url_token);
  clear_secret (&self->http_username);
  clear_secret (&self->http_password);
  clear_secret (&self->login_url);
  clear_secret_strv (&self->login_fields);
  g_strfreev (self->server_uris);
  g_free (self->origin);
  g_strfreev (self->extra_headers);
  g_free (self->tls_ca_file);
  g_strfreev (self->tls_pins);
  g_free (self->url_token_parameter);
  g_clear_error (&self->last_error);
  g_free (self->server_uri_redacted);
  g_free (self->subprotocol);
  g_rand_free (self->rand);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sipws_transport_parent_class)->finalize (object);
}

static void
sipws_transport_class_init (SipwsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = sipws_transport_get_property;
  object_class->set_property = sipws_transport_set_property;
  object_class->dispose = sipws_transport_dispose;
  object_class->finalize = sipws_transport_finalize;

  /**
   * SipwsTransport:server-uris: (type GStrv)
   *
   * The `ws://` or `wss://` URIs of the servers, tried in this order. Path and
   * query are used exactly as given. A literal `{token}` in a URI is where the
   * URL token goes ([method@Sipws.Transport.set_url_token]).
   */
  props[PROP_SERVER_URIS] =
    g_param_spec_boxed ("server-uris", NULL, NULL, G_TYPE_STRV, rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:origin:
   *
   * The `Origin` header of the handshake, or %NULL for none. Servers often
   * check it against the web page they serve.
   */
  props[PROP_ORIGIN] = g_param_spec_string ("origin", NULL, NULL, NULL, rw);

  /**
   * SipwsTransport:extra-headers: (type GStrv)
   *
   * Extra handshake headers, each written `Name: value`. A malformed entry
   * makes every attempt fail with %SIPWS_TRANSPORT_ERROR_INVALID_CONFIG.
   * Values are redacted in logs, so a custom authorization header may go here.
   */
  props[PROP_EXTRA_HEADERS] = g_param_spec_boxed ("extra-headers", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * SipwsTransport:cookie-jar:
   *
   * The application's cookie jar: its cookies for the server ride the
   * handshake, and the web login's `Set-Cookie` lands in it. When %NULL the
   * transport keeps cookies in a private in-memory jar.
   */
  props[PROP_COOKIE_JAR] =
    g_param_spec_object ("cookie-jar", NULL, NULL, SOUP_TYPE_COOKIE_JAR, rw);

  /**
   * SipwsTransport:tls-ca-file: (type filename)
   *
   * A PEM file of CA certificates to trust instead of the system trust store.
   */
  props[PROP_TLS_CA_FILE] = g_param_spec_string ("tls-ca-file", NULL, NULL, NULL, rw);

  /**
   * SipwsTransport:tls-pinned-sha256: (type GStrv)
   *
   * SHA-256 fingerprints of the DER certificates to accept (64 hex digits,
   * colons allowed, as `openssl x509 -fingerprint -sha256` prints them). When
   * set, only these certificates are trusted, with neither the CA nor the host
   * name checked; an expired one is still refused.
   */
  props[PROP_TLS_PINNED_SHA256] = g_param_spec_boxed ("tls-pinned-sha256", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * SipwsTransport:tls-client-certificate:
   *
   * A certificate with its private key, presented when the server asks for one
   * (RFC 7118 §7).
   */
  props[PROP_TLS_CLIENT_CERTIFICATE] =
    g_param_spec_object ("tls-client-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE, rw);

  /**
   * SipwsTransport:url-token-parameter:
   *
   * The query parameter that carries the URL token when the server URI has no
   * `{token}` placeholder.
   */
  props[PROP_URL_TOKEN_PARAMETER] =
    g_param_spec_string ("url-token-parameter", NULL, NULL, "token", rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:ws-ping-interval:
   *
   * Seconds between WebSocket pings; 0 turns them off. Applies from the next flow.
   */
  props[PROP_WS_PING_INTERVAL] =
    g_param_spec_uint ("ws-ping-interval", NULL, NULL, 0, 3600, DEFAULT_WS_PING_INTERVAL, rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:ws-pong-timeout:
   *
   * Milliseconds a WebSocket pong may be late before the flow is declared
   * dead: it is dead after `ws-ping-interval` + 1 s + this without a pong.
   */
  props[PROP_WS_PONG_TIMEOUT] =
    g_param_spec_uint ("ws-pong-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_WS_PONG_TIMEOUT, rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:keepalive-interval:
   *
   * Milliseconds between RFC 5626 CRLF pings (each at a random 80–100 % of it)
   * while no Flow-Timer was set; 0 turns them off.
   */
  props[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_KEEPALIVE_INTERVAL,
                       rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:keepalive-timeout:
   *
   * Milliseconds to wait for the `\r\n` pong of a CRLF ping (RFC 5626: 10 s).
   */
  props[PROP_KEEPALIVE_TIMEOUT] =
    g_param_spec_uint ("keepalive-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_KEEPALIVE_TIMEOUT,
                       rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:backoff-base:
   *
   * Milliseconds: the base time of the RFC 5626 §4.5 backoff (30 s there).
   */
  props[PROP_BACKOFF_BASE] =
    g_param_spec_uint ("backoff-base", NULL, NULL, 1, G_MAXUINT, DEFAULT_BACKOFF_BASE, rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:backoff-max:
   *
   * Milliseconds: the upper bound of the backoff (1800 s in RFC 5626).
   */
  props[PROP_BACKOFF_MAX] =
    g_param_spec_uint ("backoff-max", NULL, NULL, 1, G_MAXUINT, DEFAULT_BACKOFF_MAX, rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:connect-timeout:
   *
   * Milliseconds one attempt (web login and handshake) may take; 0 for no limit.
   */
  props[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_CONNECT_TIMEOUT,
                       rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:max-message-size:
   *
   * The largest incoming WebSocket message in bytes; a larger one fails the
   * flow with %SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE.
   */
  props[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint ("max-message-size", NULL, NULL, 16, G_MAXUINT, DEFAULT_MAX_MESSAGE_SIZE,
                       rw | G_PARAM_CONSTRUCT);

  /**
   * SipwsTransport:state:
   *
   * The state of the flow. Every change is notified.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SIPWS_TYPE_TRANSPORT_STATE,
                       SIPWS_TRANSPORT_STATE_DISCONNECTED, ro);

  /**
   * SipwsTransport:next-attempt:
   *
   * In %SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY, when the next round starts, in
   * the microseconds of g_get_monotonic_time(); 0 otherwise.
   */
  props[PROP_NEXT_ATTEMPT] =
    g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0, ro);

  /**
   * SipwsTransport:subprotocol:
   *
   * The subprotocol the server selected (always `sip`) while connected, else %NULL.
   */
  props[PROP_SUBPROTOCOL] = g_param_spec_string ("subprotocol", NULL, NULL, NULL, ro);

  /**
   * SipwsTransport:server-uri:
   *
   * The server URI in use or last tried, with query values and user
   * information redacted so it can be shown and logged.
   */
  props[PROP_SERVER_URI] = g_param_spec_string ("server-uri", NULL, NULL, NULL, ro);

  /**
   * SipwsTransport:secure:
   *
   * Whether [property@Sipws.Transport:server-uri] is a `wss://` URI (the Via
   * transport is then `WSS`, RFC 7118 §5.2).
   */
  props[PROP_SECURE] = g_param_spec_boolean ("secure", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * SipwsTransport::message-received:
   * @self: the transport
   * @message: one complete WebSocket message (text or binary), never a keepalive
   *
   * Emitted for every SIP message the server sent.
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * SipwsTransport::prepare-handshake:
   * @self: the transport
   * @server_uri: the configured URI about to be tried
   *
   * Emitted before every connection attempt, first or reconnect, so the
   * application can renew the URL token, the HTTP credentials or the cookies
   * of the jar before they are used.
   */
  signals[SIGNAL_PREPARE_HANDSHAKE] =
    g_signal_new ("prepare-handshake", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * SipwsTransport::flow-failed:
   * @self: the transport
   * @error: why, in the %SIPWS_TRANSPORT_ERROR domain
   *
   * Emitted when a connection attempt or the established flow failed, before
   * the state moves on to the next attempt, a wait or
   * %SIPWS_TRANSPORT_STATE_FAILED.
   */
  signals[SIGNAL_FLOW_FAILED] =
    g_signal_new ("flow-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sipws_transport_init (SipwsTransport *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->rand = g_rand_new ();
  self->state = SIPWS_TRANSPORT_STATE_DISCONNECTED;
  self->private_jar = soup_cookie_jar_new ();
  self->session = soup_session_new_with_options ("user-agent", "libsipws/" SIPWS_VERSION_S " ", NULL);
  soup_session_add_feature (self->session, SOUP_SESSION_FEATURE (self->private_jar));

  self->wake_monitor = sipws_wake_monitor_new ();
  g_signal_connect (self->wake_monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  g_signal_connect (self->wake_monitor, "sleeping", G_CALLBACK (sleeping_cb), self);
  g_signal_connect (self->wake_monitor, "resumed", G_CALLBACK (resumed_cb), self);
}

/**
 * sipws_transport_new:
 * @server_uris: (array zero-terminated=1): the `ws://`/`wss://` URIs, in failover order
 *
 * Creates a transport bound to the thread-default main context. Nothing
 * connects until [method@Sipws.Transport.start] or
 * [method@Sipws.Transport.connect_async].
 *
 * Returns: (transfer full): a new transport
 */
SipwsTransport *
sipws_transport_new (const char * const *server_uris)
{
  return g_object_new (SIPWS_TYPE_TRANSPORT, "server-uris", server_uris, NULL);
}

/**
 * sipws_transport_start:
 * @self: a transport
 *
 * Starts connecting to the first server and keeps a flow up from then on,
 * following the schedule described in [class@Sipws.Transport]. Does nothing
 * when already started; starts afresh from %SIPWS_TRANSPORT_STATE_FAILED.
 */
void
sipws_transport_start (SipwsTransport *self)
{
  g_return_if_fail (SIPWS_IS_TRANSPORT (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->failures = 0;
  start_round (self);
}

/**
 * sipws_transport_stop:
 * @self: a transport
 *
 * Closes the flow (with a WebSocket close frame), cancels any attempt and
 * timer, and moves to %SIPWS_TRANSPORT_STATE_DISCONNECTED. Pending
 * [method@Sipws.Transport.connect_async] calls fail with %G_IO_ERROR_CANCELLED.
 */
void
sipws_transport_stop (SipwsTransport *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SIPWS_IS_TRANSPORT (self));

  self->running = FALSE;
  abandon_attempt (self);
  teardown_flow (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_pointer (&self->retry_source, destroy_source);
  self->failures = 0;
  set_next_attempt (self, 0);
  set_state (self, SIPWS_TRANSPORT_STATE_DISCONNECTED);

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the transport was stopped");
  complete_waiters (self, error);
}

/**
 * sipws_transport_connect_async:
 * @self: a transport
 * @cancellable: (nullable): cancels the wait, not the transport
 * @callback: (scope async): called when a flow is up or the first round failed
 * @user_data: data for @callback
 *
 * Starts the transport if needed and waits until a flow is up. The wait
 * fails with the reason of the last failure when a whole round of servers
 * failed (the transport goes on retrying unless it reached
 * %SIPWS_TRANSPORT_STATE_FAILED), or with %G_IO_ERROR_CANCELLED when
 * @cancellable is cancelled or the transport stopped.
 */
void
sipws_transport_connect_async (SipwsTransport      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectWaiter *waiter;

  g_return_if_fail (SIPWS_IS_TRANSPORT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sipws_transport_connect_async);

  if (self->state == SIPWS_TRANSPORT_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  waiter = g_new0 (ConnectWaiter, 1);
  waiter->self = self;
  waiter->task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb), waiter, NULL);
      g_source_attach (waiter->cancel_source, self->context);
    }
  self->waiters = g_list_append (self->waiters, waiter);

  sipws_transport_start (self);
}

/**
 * sipws_transport_connect_finish:
 * @self: a transport
 * @result: the result given to the callback
 * @error: return location for the reason of the failure
 *
 * Finishes [method@Sipws.Transport.connect_async].
 *
 * Returns: %TRUE when the flow is up
 */
gboolean
sipws_transport_connect_finish (SipwsTransport  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sipws_transport_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sipws_transport_send:
 * @self: a transport
 * @message: one complete SIP message
 * @error: return location for %SIPWS_TRANSPORT_ERROR_NOT_CONNECTED
 *
 * Sends @message as exactly one WebSocket message (RFC 7118 §5.1): a text
 * frame when all its bytes are valid UTF-8 without NUL, a binary frame
 * otherwise (§4.2).
 *
 * Returns: %TRUE when the message was queued on the flow
 */
gboolean
sipws_transport_send (SipwsTransport  *self,
                      GBytes          *message,
                      GError         **error)
{
  gsize len = 0;
  const char *data;
  gboolean text;

  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (g_bytes_get_size (message) > 0, FALSE);

  if (self->conn == NULL || soup_websocket_connection_get_state (self->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_NOT_CONNECTED,
                   "no flow to the server is up (state %s)", state_nick (self->state));
      return FALSE;
    }

  data = g_bytes_get_data (message, &len);
  text = g_utf8_validate_len (data, len, NULL);
  g_debug ("sending a %" G_GSIZE_FORMAT "-byte message as a %s frame", len, text ? "text" : "binary");
  soup_websocket_connection_send_message (self->conn,
                                          text ? SOUP_WEBSOCKET_DATA_TEXT : SOUP_WEBSOCKET_DATA_BINARY,
                                          message);
  return TRUE;
}

/**
 * sipws_transport_set_flow_timer:
 * @self: a transport
 * @seconds: the `Flow-Timer` of the last REGISTER 2xx, or 0 when it had none
 *
 * Sets the CRLF keepalive period from the registrar's `Flow-Timer` (RFC 5626
 * §4.4.1): pings go out at a random 80–100 % of it. With 0,
 * [property@Sipws.Transport:keepalive-interval] applies again. Takes effect at
 * once on an established flow unless a ping is waiting for its pong.
 */
void
sipws_transport_set_flow_timer (SipwsTransport *self,
                                guint           seconds)
{
  g_return_if_fail (SIPWS_IS_TRANSPORT (self));

  self->flow_timer = MIN (seconds, G_MAXUINT / 1000);
  if (self->conn != NULL && self->crlf_deadline_source == NULL)
    schedule_crlf_ping (self);
}

/**
 * sipws_transport_set_url_token:
 * @self: a transport
 * @token: (nullable): the secret token, or %NULL for none
 *
 * Sets the token that the web application issued for the WebSocket URL
 * (RFC 7118 A.2). It replaces a literal `{token}` in the server URI, or else is
 * added as the query parameter named by
 * [property@Sipws.Transport:url-token-parameter], percent-encoded, at every
 * connection attempt from the next one on. It is never logged nor readable.
 */
void
sipws_transport_set_url_token (SipwsTransport *self,
                               const char     *token)
{
  g_return_if_fail (SIPWS_IS_TRANSPORT (self));

  clear_secret (&self->url_token);
  self->url_token = g_strdup (token);
}

/**
 * sipws_transport_set_http_credentials:
 * @self: a transport
 * @username: (nullable): the user name, or %NULL to forget the credentials
 * @password: (nullable): the password
 *
 * Sets the credentials answering an HTTP 401 Basic or Digest challenge on the
 * handshake (RFC 7118 §7). A challenge is answered once per attempt; rejected
 * credentials end the attempt with %SIPWS_TRANSPORT_ERROR_AUTH.
 */
void
sipws_transport_set_http_credentials (SipwsTransport *self,
                                      const char     *username,
                                      const char     *password)
{
  g_return_if_fail (SIPWS_IS_TRANSPORT (self));

  clear_secret (&self->http_username);
  clear_secret (&self->http_password);
  if (username != NULL)
    {
      self->http_username = g_strdup (username);
      self->http_password = g_strdup (password != NULL ? password : "");
    }
}

/**
 * sipws_transport_set_web_login:
 * @self: a transport
 * @url: (nullable): the `http(s)://` URL the login form is POSTed to, or %NULL for none
 * @fields: (array zero-terminated=1) (nullable): the form fields, each `name=value`
 * @error: return location for %SIPWS_TRANSPORT_ERROR_INVALID_CONFIG
 *
 * Sets a headless web login (RFC 7118 A.3): before every handshake the fields
 * are POSTed as `application/x-www-form-urlencoded` to @url on the same HTTP
 * session, with the same TLS policy; the session cookies it sets land in the
 * cookie jar and ride the handshake. A login answered with anything but 2xx
 * (after redirects) ends the attempt with %SIPWS_TRANSPORT_ERROR_LOGIN. The
 * field values are secrets: never logged nor readable.
 *
 * Returns: %TRUE when @url and @fields are well formed
 */
gboolean
sipws_transport_set_web_login (SipwsTransport      *self,
                               const char          *url,
                               const char * const  *fields,
                               GError             **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (url != NULL)
    {
      uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
                          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_autofree char *redacted = sipws_redact_uri (url);

          g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                       "web login URL %s is not an http:// or https:// URL", redacted);
          return FALSE;
        }
    }
  for (gsize i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      if (strchr (fields[i], '=') == NULL || fields[i][0] == '=')
        {
          g_set_error (error, SIPWS_TRANSPORT_ERROR, SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
                       "web login field %" G_GSIZE_FORMAT " is not of the form name=value", i + 1);
          return FALSE;
        }
    }

  clear_secret (&self->login_url);
  clear_secret_strv (&self->login_fields);
  self->login_url = g_strdup (url);
  if (url != NULL)
    self->login_fields = g_strdupv ((char **) fields);
  return TRUE;
}

/**
 * sipws_transport_get_state:
 * @self: a transport
 *
 * Gets the state of the flow.
 *
 * Returns: the [property@Sipws.Transport:state]
 */
SipwsTransportState
sipws_transport_get_state (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), SIPWS_TRANSPORT_STATE_DISCONNECTED);

  return self->state;
}

/**
 * sipws_transport_get_next_attempt:
 * @self: a transport
 *
 * Gets when the next round of connection attempts starts.
 *
 * Returns: the [property@Sipws.Transport:next-attempt] (g_get_monotonic_time()
 *   microseconds), or 0 when not waiting
 */
gint64
sipws_transport_get_next_attempt (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), 0);

  return self->next_attempt;
}

/**
 * sipws_transport_get_last_error:
 * @self: a transport
 *
 * Gets the error of the last failed attempt or flow.
 *
 * Returns: (nullable) (transfer none): why the last attempt or flow failed,
 *   or %NULL when none failed since the transport was created
 */
const GError *
sipws_transport_get_last_error (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), NULL);

  return self->last_error;
}

/**
 * sipws_transport_get_subprotocol:
 * @self: a transport
 *
 * Gets the WebSocket subprotocol the server selected.
 *
 * Returns: (nullable): the [property@Sipws.Transport:subprotocol]
 */
const char *
sipws_transport_get_subprotocol (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), NULL);

  return self->subprotocol;
}

/**
 * sipws_transport_get_server_uri:
 * @self: a transport
 *
 * Gets the URI of the server the flow is connected or connecting to.
 *
 * Returns: (nullable): the [property@Sipws.Transport:server-uri], redacted
 */
const char *
sipws_transport_get_server_uri (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), NULL);

  return self->server_uri_redacted;
}

/**
 * sipws_transport_get_secure:
 * @self: a transport
 *
 * Gets whether the flow runs over TLS.
 *
 * Returns: the [property@Sipws.Transport:secure] flag
 */
gboolean
sipws_transport_get_secure (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), FALSE);

  return self->secure;
}

SipwsWakeMonitor *
sipws_transport_get_wake_monitor (SipwsTransport *self)
{
  g_return_val_if_fail (SIPWS_IS_TRANSPORT (self), NULL);

  return self->wake_monitor;
}
