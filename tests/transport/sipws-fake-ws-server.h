/* sipws-fake-ws-server.h: an in-process SIP WebSocket server for tests, on 127.0.0.1 only
 *
 * A SoupServer with a WebSocket handler on every path, fronted by a small TCP
 * relay that owns the public port. The relay lets a test black-hole the flow
 * (bytes in both directions are swallowed: no WebSocket pong, no CRLF pong,
 * nothing), and stop/restart on the same port. It knows nothing of SIP except
 * the RFC 5626 CRLF keepalive: a client's "\r\n\r\n" is answered with "\r\n"
 * (unless turned off) and counted, a client's "\r\n" is counted as a pong;
 * neither is queued as a message.
 *
 * Typical use (plain ws://; pass a GTlsCertificate for wss://):
 *
 *   server = sipws_fake_ws_server_new (NULL);
 *   sipws_fake_ws_server_start (server, 0, &error);
 *   uri = sipws_fake_ws_server_get_uri (server, "/sip?x=1");
 *   … client connects …
 *   bytes = sipws_fake_ws_server_wait_message (server, 2000, &binary);
 *   sipws_fake_ws_server_send_text (server, "SIP/2.0 200 OK\r\n…");
 *
 * Everything runs on the thread-default main context of the creator; the
 * wait_* helpers iterate that context.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum {
  SIPWS_FAKE_AUTH_NONE,
  SIPWS_FAKE_AUTH_BASIC,
  SIPWS_FAKE_AUTH_DIGEST,
} SipwsFakeAuth;

/* One HTTP request the server read (handshakes and login POSTs alike),
 * recorded before any auth check or answer. */
typedef struct {
  char *method;
  char *path;
  char *query;                  /* NULL when absent; exactly as sent */
  SoupMessageHeaders *headers;  /* the request headers */
  GTlsCertificate *peer_certificate;  /* the client certificate, if any */
} SipwsFakeRequest;

#define SIPWS_TYPE_FAKE_WS_SERVER (sipws_fake_ws_server_get_type ())
G_DECLARE_FINAL_TYPE (SipwsFakeWsServer, sipws_fake_ws_server, SIPWS, FAKE_WS_SERVER, GObject)

/* Signals:
 *   "client-connected" (SoupWebsocketConnection *conn): a handshake completed
 *   "message-received" (GBytes *message, gboolean binary): a non-keepalive
 *       message arrived (it is also queued for wait_message / pop_message)
 */

/* @tls_certificate: NULL for ws://, a certificate with its key for wss://. */
SipwsFakeWsServer *sipws_fake_ws_server_new              (GTlsCertificate   *tls_certificate);

/* Listens on 127.0.0.1:@port (0: any free port the first time, the previous
 * port afterwards, so stop + start is a restart on the same port). */
gboolean           sipws_fake_ws_server_start            (SipwsFakeWsServer *self,
                                                          guint              port,
                                                          GError           **error);
/* Closes the listener and every connection abruptly (no close frame). */
void               sipws_fake_ws_server_stop             (SipwsFakeWsServer *self);
guint              sipws_fake_ws_server_get_port         (SipwsFakeWsServer *self);
/* "ws[s]://127.0.0.1:PORT" + @path_and_query (e.g. "/sip?token=x"). */
char              *sipws_fake_ws_server_get_uri          (SipwsFakeWsServer *self,
                                                          const char        *path_and_query);
/* "http[s]://127.0.0.1:PORT" + @path. */
char              *sipws_fake_ws_server_get_http_uri     (SipwsFakeWsServer *self,
                                                          const char        *path);

/* Configuration; applies to the next handshake. */
/* Ask for a client certificate, trusting the CAs of @ca_file (NULL: stop asking). */
void               sipws_fake_ws_server_set_client_ca    (SipwsFakeWsServer *self,
                                                          const char        *ca_file);
/* TRUE (default): select "sip" when offered; FALSE: answer 101 without any
 * Sec-WebSocket-Protocol. */
void               sipws_fake_ws_server_set_select_sip   (SipwsFakeWsServer *self,
                                                          gboolean           select_sip);
/* Answer handshakes with this HTTP status instead of 101; 0 restores 101. */
void               sipws_fake_ws_server_set_handshake_status (SipwsFakeWsServer *self,
                                                          guint              status);
/* Demand HTTP Basic or Digest (realm "sipws-test") on the handshake. */
void               sipws_fake_ws_server_set_auth         (SipwsFakeWsServer *self,
                                                          SipwsFakeAuth      auth,
                                                          const char        *username,
                                                          const char        *password);
/* POST @path answers 200 with "Set-Cookie: @set_cookie" (NULL: no login path). */
void               sipws_fake_ws_server_set_login        (SipwsFakeWsServer *self,
                                                          const char        *path,
                                                          const char        *set_cookie);
void               sipws_fake_ws_server_set_answer_crlf_pings (SipwsFakeWsServer *self,
                                                          gboolean           answer);
/* TRUE: every relayed byte is swallowed, in both directions, on current and
 * new connections. */
void               sipws_fake_ws_server_set_blackhole    (SipwsFakeWsServer *self,
                                                          gboolean           blackhole);

/* What came in. */
guint              sipws_fake_ws_server_get_n_requests   (SipwsFakeWsServer *self);
const SipwsFakeRequest *sipws_fake_ws_server_get_request (SipwsFakeWsServer *self,
                                                          guint              index);
/* The decoded form of the last login POST (name → value), or NULL. */
GHashTable        *sipws_fake_ws_server_get_login_form   (SipwsFakeWsServer *self);
guint              sipws_fake_ws_server_get_n_connections (SipwsFakeWsServer *self);
guint              sipws_fake_ws_server_get_n_crlf_pings (SipwsFakeWsServer *self);
guint              sipws_fake_ws_server_get_n_crlf_pongs (SipwsFakeWsServer *self);
/* The next queued message (transfer full), or NULL; @binary tells the frame type. */
GBytes            *sipws_fake_ws_server_pop_message      (SipwsFakeWsServer *self,
                                                          gboolean          *binary);
/* Iterates the main context until a message is queued or @timeout_ms passed. */
GBytes            *sipws_fake_ws_server_wait_message     (SipwsFakeWsServer *self,
                                                          guint              timeout_ms,
                                                          gboolean          *binary);
/* Iterates until @n handshakes completed in total, or @timeout_ms passed. */
gboolean           sipws_fake_ws_server_wait_connections (SipwsFakeWsServer *self,
                                                          guint              n,
                                                          guint              timeout_ms);

/* What goes out, on the most recent open connection. */
void               sipws_fake_ws_server_send_text        (SipwsFakeWsServer *self,
                                                          const char        *text);
void               sipws_fake_ws_server_send_message     (SipwsFakeWsServer *self,
                                                          GBytes            *message,
                                                          gboolean           binary);
/* Close frame with @code and @reason. */
void               sipws_fake_ws_server_close            (SipwsFakeWsServer *self,
                                                          gushort            code,
                                                          const char        *reason);
/* Writes the first fragment of a text message (no FIN bit) with @partial as
 * payload, then closes the TCP connection: a server dying mid-message. */
void               sipws_fake_ws_server_close_mid_message (SipwsFakeWsServer *self,
                                                          const char        *partial);

G_END_DECLS
