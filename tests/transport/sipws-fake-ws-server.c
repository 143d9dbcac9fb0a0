/* sipws-fake-ws-server.c: an in-process SIP WebSocket server for tests, on 127.0.0.1 only */
#include "sipws-fake-ws-server.h"

#include <string.h>

#define REALM "sipws-test"

typedef struct {
  SoupWebsocketConnection *conn;
  GSocket *socket;
} Client;

typedef struct _RelayConn RelayConn;

struct _RelayConn {
  int refs;
  gboolean closed;
  SipwsFakeWsServer *self;
  GSocketConnection *client;
  GSocketConnection *backend;
  GCancellable *cancellable;
};

typedef struct {
  RelayConn *rc;
  GInputStream *in;
  GOutputStream *out;
  GBytes *pending;
} Pump;

typedef struct {
  GBytes *bytes;
  gboolean binary;
} Queued;

struct _SipwsFakeWsServer {
  GObject parent_instance;

  GMainContext *context;
  GTlsCertificate *tls_certificate;
  char *client_ca_file;
  gboolean select_sip;
  gboolean answer_crlf;
  gboolean blackhole;
  guint handshake_status;
  SipwsFakeAuth auth;
  char *username;
  char *password;
  char *login_path;
  char *set_cookie;

  SoupServer *server;
  guint backend_port;
  GSocketService *relay;
  guint port;
  GPtrArray *relay_conns;

  GPtrArray *requests;
  GHashTable *login_form;
  GPtrArray *clients;
  guint n_connections;
  guint n_pings;
  guint n_pongs;
  GQueue messages;
};

G_DEFINE_FINAL_TYPE (SipwsFakeWsServer, sipws_fake_ws_server, G_TYPE_OBJECT)

enum {
  SIGNAL_CLIENT_CONNECTED,
  SIGNAL_MESSAGE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
request_free (SipwsFakeRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  soup_message_headers_unref (request->headers);
  g_clear_object (&request->peer_certificate);
  g_free (request);
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_object_unref (client->conn);
  g_clear_object (&client->socket);
  g_free (client);
}

static void
queued_free (Queued *queued)
{
  g_bytes_unref (queued->bytes);
  g_free (queued);
}

/* the relay */

static RelayConn *
relay_conn_ref (RelayConn *rc)
{
  rc->refs++;
  return rc;
}

static void
relay_conn_unref (RelayConn *rc)
{
  if (--rc->refs > 0)
    return;
  g_clear_object (&rc->client);
  g_clear_object (&rc->backend);
  g_clear_object (&rc->cancellable);
  g_free (rc);
}

static void
relay_conn_close (RelayConn *rc)
{
  if (rc->closed)
    return;
  rc->closed = TRUE;
  g_cancellable_cancel (rc->cancellable);
  if (rc->client != NULL)
    g_socket_close (g_socket_connection_get_socket (rc->client), NULL);
  if (rc->backend != NULL)
    g_socket_close (g_socket_connection_get_socket (rc->backend), NULL);
  g_ptr_array_remove (rc->self->relay_conns, rc);
}

static void pump_read (Pump *pump);

static void
pump_free (Pump *pump)
{
  g_clear_pointer (&pump->pending, g_bytes_unref);
  relay_conn_unref (pump->rc);
  g_free (pump);
}

static void
pump_write_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Pump *pump = user_data;

  g_clear_pointer (&pump->pending, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL) || pump->rc->closed)
    {
      relay_conn_close (pump->rc);
      pump_free (pump);
      return;
    }
  pump_read (pump);
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0 || pump->rc->closed)
    {
      relay_conn_close (pump->rc);
      pump_free (pump);
      return;
    }
  if (pump->rc->self->blackhole)
    {
      pump_read (pump);
      return;
    }
  pump->pending = g_steal_pointer (&bytes);
  g_output_stream_write_all_async (pump->out, g_bytes_get_data (pump->pending, NULL),
                                   g_bytes_get_size (pump->pending), G_PRIORITY_DEFAULT,
                                   pump->rc->cancellable, pump_write_cb, pump);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_bytes_async (pump->in, 16384, G_PRIORITY_DEFAULT, pump->rc->cancellable,
                                   pump_read_cb, pump);
}

static void
pump_start (RelayConn         *rc,
            GSocketConnection *from,
            GSocketConnection *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->rc = relay_conn_ref (rc);
  pump->in = g_io_stream_get_input_stream (G_IO_STREAM (from));
  pump->out = g_io_stream_get_output_stream (G_IO_STREAM (to));
  pump_read (pump);
}

static void
backend_connected_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RelayConn *rc = user_data;
  GSocketConnection *backend = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);

  if (backend == NULL || rc->closed)
    {
      if (backend != NULL)
        g_socket_close (g_socket_connection_get_socket (backend), NULL);
      g_clear_object (&backend);
      relay_conn_close (rc);
      relay_conn_unref (rc);
      return;
    }
  rc->backend = backend;
  pump_start (rc, rc->client, rc->backend);
  pump_start (rc, rc->backend, rc->client);
  relay_conn_unref (rc);
}

static gboolean
relay_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  RelayConn *rc = g_new0 (RelayConn, 1);

  rc->refs = 1;
  rc->self = self;
  rc->client = g_object_ref (connection);
  rc->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->relay_conns, rc);

  g_socket_client_connect_to_host_async (client, "127.0.0.1", self->backend_port, rc->cancellable,
                                         backend_connected_cb, relay_conn_ref (rc));
  return TRUE;
}

/* the HTTP side */

static void
got_headers_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;
  SipwsFakeRequest *request = g_new0 (SipwsFakeRequest, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (g_uri_get_path (uri));
  request->query = g_strdup (g_uri_get_query (uri));
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (request->headers, name, value);
  request->peer_certificate = peer != NULL ? g_object_ref (peer) : NULL;
  g_ptr_array_add (self->requests, request);
}

/* Any client certificate is taken; tests compare it with the one they gave. */
static gboolean
accept_client_certificate_cb (SoupServerMessage    *msg,
                              GTlsCertificate      *certificate,
                              GTlsCertificateFlags  errors,
                              gpointer              user_data)
{
  return TRUE;
}

/* Every request is recorded as soon as its headers are read, before the
 * server checks authentication or answers. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_client_certificate_cb), user_data);
}

static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (!soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    return;
  if (self->handshake_status != 0)
    soup_server_message_set_status (msg, self->handshake_status, NULL);
  else if (!self->select_sip)
    soup_message_headers_remove (headers, "Sec-WebSocket-Protocol");
}

static void
login_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) flat = NULL;
  g_autofree char *text = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  flat = soup_message_body_flatten (body);
  text = g_strndup (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat));
  g_clear_pointer (&self->login_form, g_hash_table_unref);
  self->login_form = soup_form_decode (text);

  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", self->set_cookie);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "logged in\n", 10);
}

static gboolean
is_only_crlf (const guint8 *data,
              gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != '\r' && data[i] != '\n')
      return FALSE;
  return len > 0;
}

static void
client_message_cb (SoupWebsocketConnection *conn,
                   gint                     type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Client *client = user_data;
  SipwsFakeWsServer *self = g_object_get_data (G_OBJECT (conn), "sipws-fake-server");
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (message, &len);
  Queued *queued;

  if (is_only_crlf (data, len))
    {
      if (len >= 4)
        {
          self->n_pings++;
          /* A ping can still arrive after this side started closing. */
          if (self->answer_crlf &&
              soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_send_text (client->conn, "\r\n");
        }
      else if (len == 2)
        self->n_pongs++;
      return;
    }

  queued = g_new0 (Queued, 1);
  queued->bytes = g_bytes_ref (message);
  queued->binary = type == SOUP_WEBSOCKET_DATA_BINARY;
  g_queue_push_tail (&self->messages, queued);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, message, queued->binary);
}

static void
client_closed_cb (SoupWebsocketConnection *conn,
                  gpointer                 user_data)
{
  Client *client = user_data;
  SipwsFakeWsServer *self = g_object_get_data (G_OBJECT (conn), "sipws-fake-server");

  g_ptr_array_remove (self->clients, client);
}

static void
websocket_handler_cb (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *conn,
                      gpointer                 user_data)
{
  SipwsFakeWsServer *self = user_data;
  Client *client = g_new0 (Client, 1);
  GSocket *socket = soup_server_message_get_socket (msg);

  client->conn = g_object_ref (conn);
  client->socket = socket != NULL ? g_object_ref (socket) : NULL;
  g_object_set_data (G_OBJECT (conn), "sipws-fake-server", self);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 16 * 1024 * 1024);
  g_signal_connect (conn, "message", G_CALLBACK (client_message_cb), client);
  g_signal_connect (conn, "closed", G_CALLBACK (client_closed_cb), client);
  g_ptr_array_add (self->clients, client);
  self->n_connections++;

  g_signal_emit (self, signals[SIGNAL_CLIENT_CONNECTED], 0, conn);
}

static gboolean
basic_auth_cb (SoupAuthDomain    *domain,
               SoupServerMessage *msg,
               const char        *username,
               const char        *password,
               gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;

  return g_strcmp0 (username, self->username) == 0 && g_strcmp0 (password, self->password) == 0;
}

static char *
digest_auth_cb (SoupAuthDomain    *domain,
                SoupServerMessage *msg,
                const char        *username,
                gpointer           user_data)
{
  SipwsFakeWsServer *self = user_data;

  if (g_strcmp0 (username, self->username) != 0)
    return NULL;
  return soup_auth_domain_digest_encode_password (username, REALM, self->password);
}

/* GObject */

static void
sipws_fake_ws_server_dispose (GObject *object)
{
  SipwsFakeWsServer *self = SIPWS_FAKE_WS_SERVER (object);

  sipws_fake_ws_server_stop (self);
  g_clear_object (&self->tls_certificate);

  G_OBJECT_CLASS (sipws_fake_ws_server_parent_class)->dispose (object);
}

static void
sipws_fake_ws_server_finalize (GObject *object)
{
  SipwsFakeWsServer *self = SIPWS_FAKE_WS_SERVER (object);

  g_ptr_array_unref (self->relay_conns);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->clients);
  g_clear_pointer (&self->login_form, g_hash_table_unref);
  g_queue_clear_full (&self->messages, (GDestroyNotify) queued_free);
  g_free (self->client_ca_file);
  g_free (self->username);
  g_free (self->password);
  g_free (self->login_path);
  g_free (self->set_cookie);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sipws_fake_ws_server_parent_class)->finalize (object);
}

static void
sipws_fake_ws_server_class_init (SipwsFakeWsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sipws_fake_ws_server_dispose;
  object_class->finalize = sipws_fake_ws_server_finalize;

  signals[SIGNAL_CLIENT_CONNECTED] =
    g_signal_new ("client-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, SOUP_TYPE_WEBSOCKET_CONNECTION);
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BYTES, G_TYPE_BOOLEAN);
}

static void
sipws_fake_ws_server_init (SipwsFakeWsServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->select_sip = TRUE;
  self->answer_crlf = TRUE;
  self->relay_conns = g_ptr_array_new ();
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  g_queue_init (&self->messages);
}

SipwsFakeWsServer *
sipws_fake_ws_server_new (GTlsCertificate *tls_certificate)
{
  SipwsFakeWsServer *self = g_object_new (SIPWS_TYPE_FAKE_WS_SERVER, NULL);

  self->tls_certificate = tls_certificate != NULL ? g_object_ref (tls_certificate) : NULL;
  return self;
}

static gboolean
start_backend (SipwsFakeWsServer  *self,
               GError            **error)
{
  static char *protocols[] = { (char *) "sip", NULL };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  self->server = soup_server_new ("tls-certificate", self->tls_certificate, NULL);
  if (self->client_ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (self->client_ca_file, error);

      if (database == NULL)
        return FALSE;
      soup_server_set_tls_database (self->server, database);
      soup_server_set_tls_auth_mode (self->server, G_TLS_AUTHENTICATION_REQUESTED);
    }

  soup_server_add_early_handler (self->server, NULL, early_handler_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  if (self->login_path != NULL)
    soup_server_add_handler (self->server, self->login_path, login_handler_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, NULL, NULL, protocols, websocket_handler_cb, self, NULL);

  if (self->auth != SIPWS_FAKE_AUTH_NONE)
    {
      g_autoptr(SoupAuthDomain) domain = NULL;

      if (self->auth == SIPWS_FAKE_AUTH_BASIC)
        domain = soup_auth_domain_basic_new ("realm", REALM, "auth-callback", basic_auth_cb,
                                             "auth-data", self, NULL);
      else
        domain = soup_auth_domain_digest_new ("realm", REALM, "auth-callback", digest_auth_cb,
                                              "auth-data", self, NULL);
      soup_auth_domain_add_path (domain, "/");
      if (self->login_path != NULL)
        soup_auth_domain_remove_path (domain, self->login_path);
      soup_server_add_auth_domain (self->server, domain);
    }

  if (!soup_server_listen (self->server, address,
                           self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  self->backend_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

gboolean
sipws_fake_ws_server_start (SipwsFakeWsServer  *self,
                            guint               port,
                            GError            **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (self->server == NULL, FALSE);

  if (!start_backend (self, error))
    {
      sipws_fake_ws_server_stop (self);
      return FALSE;
    }

  address = g_inet_socket_address_new (loopback, port != 0 ? port : self->port);
  self->relay = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->relay), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      sipws_fake_ws_server_stop (self);
      return FALSE;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (self->relay, "incoming", G_CALLBACK (relay_incoming_cb), self);
  g_socket_service_start (self->relay);
  return TRUE;
}

void
sipws_fake_ws_server_stop (SipwsFakeWsServer *self)
{
  if (self->relay != NULL)
    {
      g_socket_service_stop (self->relay);
      g_socket_listener_close (G_SOCKET_LISTENER (self->relay));
      g_signal_handlers_disconnect_by_data (self->relay, self);
      g_clear_object (&self->relay);
    }
  while (self->relay_conns->len > 0)
    relay_conn_close (self->relay_conns->pdata[0]);

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = self->clients->pdata[i];

      if (client->socket != NULL)
        g_socket_shutdown (client->socket, TRUE, TRUE, NULL);
    }
  g_ptr_array_set_size (self->clients, 0);

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
}

guint
sipws_fake_ws_server_get_port (SipwsFakeWsServer *self)
{
  return self->port;
}

char *
sipws_fake_ws_server_get_uri (SipwsFakeWsServer *self,
                              const char        *path_and_query)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", self->tls_certificate != NULL ? "wss" : "ws",
                          self->port, path_and_query);
}

char *
sipws_fake_ws_server_get_http_uri (SipwsFakeWsServer *self,
                                   const char        *path)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", self->tls_certificate != NULL ? "https" : "http",
                          self->port, path);
}

void
sipws_fake_ws_server_set_client_ca (SipwsFakeWsServer *self,
                                    const char        *ca_file)
{
  g_free (self->client_ca_file);
  self->client_ca_file = g_strdup (ca_file);
}

void
sipws_fake_ws_server_set_select_sip (SipwsFakeWsServer *self,
                                     gboolean           select_sip)
{
  self->select_sip = select_sip;
}

void
sipws_fake_ws_server_set_handshake_status (SipwsFakeWsServer *self,
                                           guint              status)
{
  self->handshake_status = status;
}

void
sipws_fake_ws_server_set_auth (SipwsFakeWsServer *self,
                               SipwsFakeAuth      auth,
                               const char        *username,
                               const char        *password)
{
  g_return_if_fail (self->server == NULL);

  self->auth = auth;
  g_free (self->username);
  self->username = g_strdup (username);
  g_free (self->password);
  self->password = g_strdup (password);
}

void
sipws_fake_ws_server_set_login (SipwsFakeWsServer *self,
                                const char        *path,
                                const char        *set_cookie)
{
  g_return_if_fail (self->server == NULL);

  g_free (self->login_path);
  self->login_path = g_strdup (path);
  g_free (self->set_cookie);
  self->set_cookie = g_strdup (set_cookie);
}

void
sipws_fake_ws_server_set_answer_crlf_pings (SipwsFakeWsServer *self,
                                            gboolean           answer)
{
  self->answer_crlf = answer;
}

void
sipws_fake_ws_server_set_blackhole (SipwsFakeWsServer *self,
                                    gboolean           blackhole)
{
  self->blackhole = blackhole;
}

guint
sipws_fake_ws_server_get_n_requests (SipwsFakeWsServer *self)
{
  return self->requests->len;
}

const SipwsFakeRequest *
sipws_fake_ws_server_get_request (SipwsFakeWsServer *self,
                                  guint              index)
{
  g_return_val_if_fail (index < self->requests->len, NULL);

  return self->requests->pdata[index];
}

GHashTable *
sipws_fake_ws_server_get_login_form (SipwsFakeWsServer *self)
{
  return self->login_form;
}

guint
sipws_fake_ws_server_get_n_connections (SipwsFakeWsServer *self)
{
  return self->n_connections;
}

guint
sipws_fake_ws_server_get_n_crlf_pings (SipwsFakeWsServer *self)
{
  return self->n_pings;
}

guint
sipws_fake_ws_server_get_n_crlf_pongs (SipwsFakeWsServer *self)
{
  return self->n_pongs;
}

GBytes *
sipws_fake_ws_server_pop_message (SipwsFakeWsServer *self,
                                  gboolean          *binary)
{
  Queued *queued = g_queue_pop_head (&self->messages);
  GBytes *bytes;

  if (queued == NULL)
    return NULL;
  if (binary != NULL)
    *binary = queued->binary;
  bytes = g_steal_pointer (&queued->bytes);
  g_free (queued);
  return bytes;
}

static gboolean
timeout_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

GBytes *
sipws_fake_ws_server_wait_message (SipwsFakeWsServer *self,
                                   guint              timeout_ms,
                                   gboolean          *binary)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, timeout_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, self->context);
  while (g_queue_is_empty (&self->messages) && !timed_out)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);

  return sipws_fake_ws_server_pop_message (self, binary);
}

gboolean
sipws_fake_ws_server_wait_connections (SipwsFakeWsServer *self,
                                       guint              n,
                                       guint              timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, timeout_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, self->context);
  while (self->n_connections < n && !timed_out)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);

  return self->n_connections >= n;
}

static Client *
current_client (SipwsFakeWsServer *self)
{
  for (guint i = self->clients->len; i > 0; i--)
    {
      Client *client = self->clients->pdata[i - 1];

      if (soup_websocket_connection_get_state (client->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        return client;
    }
  return NULL;
}

void
sipws_fake_ws_server_send_text (SipwsFakeWsServer *self,
                                const char        *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  sipws_fake_ws_server_send_message (self, bytes, FALSE);
}

void
sipws_fake_ws_server_send_message (SipwsFakeWsServer *self,
                                   GBytes            *message,
                                   gboolean           binary)
{
  Client *client = current_client (self);

  g_return_if_fail (client != NULL);
  soup_websocket_connection_send_message (client->conn,
                                          binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                          message);
}

void
sipws_fake_ws_server_close (SipwsFakeWsServer *self,
                            gushort            code,
                            const char        *reason)
{
  Client *client = current_client (self);

  g_return_if_fail (client != NULL);
  soup_websocket_connection_close (client->conn, code, reason);
}

void
sipws_fake_ws_server_close_mid_message (SipwsFakeWsServer *self,
                                        const char        *partial)
{
  Client *client = current_client (self);
  gsize len = strlen (partial);
  guint8 header[2] = { 0x01 /* text, FIN clear */, (guint8) len };
  GOutputStream *out;

  g_return_if_fail (client != NULL && client->socket != NULL);
  g_return_if_fail (len < 126);

  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (client->conn));
  g_output_stream_write_all (out, header, sizeof header, NULL, NULL, NULL);
  g_output_stream_write_all (out, partial, len, NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  g_socket_shutdown (client->socket, TRUE, TRUE, NULL);
}
