/* sipws-transport.h: one SIP-over-WebSocket flow (RFC 7118) with reconnect and failover */
#pragma once

#if !defined(SIPWS_INSIDE) && !defined(SIPWS_COMPILATION)
#error "Only <sipws.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "sipws-version.h"

G_BEGIN_DECLS

/**
 * SIPWS_TRANSPORT_ERROR:
 *
 * The error domain of [class@Sipws.Transport]: why a connection attempt or an
 * established flow failed.
 */
#define SIPWS_TRANSPORT_ERROR (sipws_transport_error_quark ())

/**
 * SipwsTransportError:
 * @SIPWS_TRANSPORT_ERROR_INVALID_CONFIG: a server URI, extra header or pinned
 *   fingerprint is malformed, or the CA file cannot be loaded
 * @SIPWS_TRANSPORT_ERROR_CONNECT: the TCP connection could not be made
 *   (refused, unreachable, name not resolved)
 * @SIPWS_TRANSPORT_ERROR_TIMEOUT: the connection attempt took longer than
 *   [property@Sipws.Transport:connect-timeout]
 * @SIPWS_TRANSPORT_ERROR_TLS: the server's certificate was not trusted (the
 *   message says why: unknown authority, expired, wrong host, pin mismatch) or
 *   the TLS handshake failed
 * @SIPWS_TRANSPORT_ERROR_LOGIN: the web login before the handshake failed
 * @SIPWS_TRANSPORT_ERROR_AUTH: the handshake was answered 401 and no
 *   credentials were set, or they were rejected
 * @SIPWS_TRANSPORT_ERROR_HTTP_STATUS: the handshake was answered with an HTTP
 *   status other than 101 and 401
 * @SIPWS_TRANSPORT_ERROR_HANDSHAKE: the server's 101 answer is not a valid
 *   WebSocket handshake
 * @SIPWS_TRANSPORT_ERROR_SUBPROTOCOL: the server did not select the `sip`
 *   subprotocol (RFC 7118 §4.1)
 * @SIPWS_TRANSPORT_ERROR_CLOSED: the server closed the flow or the connection
 *   was lost
 * @SIPWS_TRANSPORT_ERROR_PROTOCOL: the server broke the WebSocket protocol
 * @SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT: a WebSocket pong or a CRLF pong
 *   did not come in time
 * @SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE: the server sent a message larger
 *   than [property@Sipws.Transport:max-message-size]
 * @SIPWS_TRANSPORT_ERROR_NOT_CONNECTED: a message was sent while no flow is up
 *
 * Error codes of the %SIPWS_TRANSPORT_ERROR domain.
 */
typedef enum {
  SIPWS_TRANSPORT_ERROR_INVALID_CONFIG,
  SIPWS_TRANSPORT_ERROR_CONNECT,
  SIPWS_TRANSPORT_ERROR_TIMEOUT,
  SIPWS_TRANSPORT_ERROR_TLS,
  SIPWS_TRANSPORT_ERROR_LOGIN,
  SIPWS_TRANSPORT_ERROR_AUTH,
  SIPWS_TRANSPORT_ERROR_HTTP_STATUS,
  SIPWS_TRANSPORT_ERROR_HANDSHAKE,
  SIPWS_TRANSPORT_ERROR_SUBPROTOCOL,
  SIPWS_TRANSPORT_ERROR_CLOSED,
  SIPWS_TRANSPORT_ERROR_PROTOCOL,
  SIPWS_TRANSPORT_ERROR_KEEPALIVE_TIMEOUT,
  SIPWS_TRANSPORT_ERROR_MESSAGE_TOO_LARGE,
  SIPWS_TRANSPORT_ERROR_NOT_CONNECTED,
} SipwsTransportError;

/**
 * SipwsTransportState:
 * @SIPWS_TRANSPORT_STATE_DISCONNECTED: not started, or stopped
 * @SIPWS_TRANSPORT_STATE_CONNECTING: a web login or handshake is under way
 * @SIPWS_TRANSPORT_STATE_CONNECTED: the flow is up; messages can be sent
 * @SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY: every server failed in this round;
 *   the next round starts at [property@Sipws.Transport:next-attempt]
 * @SIPWS_TRANSPORT_STATE_FAILED: every server failed with an error that
 *   retrying cannot fix (TLS trust, credentials, refused subprotocol, HTTP 4xx,
 *   bad configuration); nothing happens until [method@Sipws.Transport.start]
 *
 * The state of the flow, see [property@Sipws.Transport:state].
 */
typedef enum {
  SIPWS_TRANSPORT_STATE_DISCONNECTED,
  SIPWS_TRANSPORT_STATE_CONNECTING,
  SIPWS_TRANSPORT_STATE_CONNECTED,
  SIPWS_TRANSPORT_STATE_WAITING_TO_RETRY,
  SIPWS_TRANSPORT_STATE_FAILED,
} SipwsTransportState;

#define SIPWS_TYPE_TRANSPORT (sipws_transport_get_type ())

SIPWS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SipwsTransport, sipws_transport, SIPWS, TRANSPORT, GObject)

SIPWS_AVAILABLE_IN_ALL
GQuark               sipws_transport_error_quark          (void);

SIPWS_AVAILABLE_IN_ALL
SipwsTransport      *sipws_transport_new                  (const char * const  *server_uris);

SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_start                (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_stop                 (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_connect_async        (SipwsTransport      *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
SIPWS_AVAILABLE_IN_ALL
gboolean             sipws_transport_connect_finish       (SipwsTransport      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

SIPWS_AVAILABLE_IN_ALL
gboolean             sipws_transport_send                 (SipwsTransport      *self,
                                                           GBytes              *message,
                                                           GError             **error);
SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_set_flow_timer       (SipwsTransport      *self,
                                                           guint                seconds);

SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_set_url_token        (SipwsTransport      *self,
                                                           const char          *token);
SIPWS_AVAILABLE_IN_ALL
void                 sipws_transport_set_http_credentials (SipwsTransport      *self,
                                                           const char          *username,
                                                           const char          *password);
SIPWS_AVAILABLE_IN_ALL
gboolean             sipws_transport_set_web_login        (SipwsTransport      *self,
                                                           const char          *url,
                                                           const char * const  *fields,
                                                           GError             **error);

SIPWS_AVAILABLE_IN_ALL
SipwsTransportState  sipws_transport_get_state            (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
gint64               sipws_transport_get_next_attempt     (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
const GError        *sipws_transport_get_last_error       (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
const char          *sipws_transport_get_subprotocol      (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
const char          *sipws_transport_get_server_uri       (SipwsTransport      *self);
SIPWS_AVAILABLE_IN_ALL
gboolean             sipws_transport_get_secure           (SipwsTransport      *self);

G_END_DECLS
